"""Routes of the hotline statistics."""

from django.urls import path

from . import views_statistics

urlpatterns: list = [
    path("statistics/", views_statistics.statistics_page, name="statistics"),
    path("statistics/export/", views_statistics.statistics_export, name="statistics_export"),
]
