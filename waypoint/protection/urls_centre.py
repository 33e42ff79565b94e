"""The rehabilitation centre's occupancy, at /centre/."""

from django.urls import path

from . import views_centre

app_name = "centre"

urlpatterns: list = [
    path("", views_centre.occupancy, name="occupancy"),
]
