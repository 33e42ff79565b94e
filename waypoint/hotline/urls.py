from django.urls import path

from . import urls_knowledge, urls_statistics, views

app_name = "hotline"

urlpatterns: list = [
    path("", views.log, name="log"),
    path("new/", views.new, name="new"),
    path("consultations/", views.consultations, name="consultations"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/follow-ups/new/", views.follow_up_add, name="follow_up_add"),
    path("follow-ups/", views.follow_ups, name="follow_ups"),
    path("follow-ups/<int:pk>/done/", views.follow_up_done, name="follow_up_done"),
    path("follow-ups/<int:pk>/cancel/", views.follow_up_cancel, name="follow_up_cancel"),
    path("follow-ups/<int:pk>/reassign/", views.follow_up_reassign, name="follow_up_reassign"),
    *urls_statistics.urlpatterns,
    *urls_knowledge.urlpatterns,
]
