"""Routes of resettlement processing (mounted at /resettlement/)."""

from django.urls import path

from . import views, views_report, views_trips

app_name = "resettlement"

urlpatterns: list = [
    path("trips/", views_trips.trip_list, name="trips"),
    path("trips/new/", views_trips.trip_new, name="trip_new"),
    path("trips/<int:pk>/", views_trips.trip_detail, name="trip"),
    path("trips/<int:pk>/edit/", views_trips.trip_edit, name="trip_edit"),
    path("report/", views_report.report_page, name="report"),
    path("report/export.csv", views_report.report_csv, name="report_csv"),
    path("cases/<str:reference>/profile/", views.profile_edit, name="profile_edit"),
    path("cases/<str:reference>/clearances/new/", views.clearance_add, name="clearance_add"),
    path("cases/<str:reference>/clearances/<int:pk>/", views.clearance_edit, name="clearance_edit"),
    path("cases/<str:reference>/presentations/new/", views.presentation_add, name="presentation_add"),
    path("cases/<str:reference>/presentations/<int:pk>/decision/", views.decision_record, name="decision"),
    path("cases/<str:reference>/orientation/new/", views.orientation_add, name="orientation_add"),
    path("cases/<str:reference>/assurance/", views.assurance_edit, name="assurance_edit"),
]
