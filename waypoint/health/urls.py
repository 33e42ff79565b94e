"""Routes of the migration health unit's pages, under /health/."""

from django.urls import path

from . import panel, views, views_statistics

app_name = "health"

urlpatterns: list = [
    path("", views.queue, name="queue"),
    path("statistics/", views_statistics.statistics_page, name="statistics"),
    path("statistics/export.csv", views_statistics.statistics_csv, name="statistics_csv"),
    path("request/<str:reference>/", panel.request_examination, name="request"),
    path("<int:pk>/", views.assessment_detail, name="assessment"),
    path("<int:pk>/results/", views.record_results, name="record"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
    path("<int:pk>/follow-up/", views.follow_up, name="follow_up"),
]
