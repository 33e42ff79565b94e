"""Routes (filled in by the issue 5 work)."""

from django.urls import path  # noqa: F401

app_name = "case_reports"

urlpatterns: list = []
