"""Routes of the case reports: the referral statistics and their CSV export."""

from django.urls import path

from . import views_reports

app_name = "case_reports"

urlpatterns: list = [
    path("referrals/", views_reports.referral_statistics, name="referral_statistics"),
    path("referrals/export.csv", views_reports.referral_statistics_csv, name="referral_statistics_csv"),
]
