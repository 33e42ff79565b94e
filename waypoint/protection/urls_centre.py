"""The rehabilitation centre: occupancy at /centre/, and a CT case's check-in and check-out under
/centre/<reference>/ (the case core does not route programme pages)."""

from django.urls import path

from . import views_centre

app_name = "centre"

urlpatterns: list = [
    path("", views_centre.occupancy, name="occupancy"),
    path("<str:reference>/stays/new/", views_centre.check_in, name="check_in"),
    path("<str:reference>/stays/<int:pk>/check-out/", views_centre.check_out, name="check_out"),
]
