"""Routes of cases."""

from django.urls import path

from . import views

app_name = "cases"

urlpatterns: list = [
    path("<str:reference>/", views.case_detail, name="detail"),
    path("<str:reference>/consents/<int:consent_id>/withdraw/", views.consent_withdraw, name="consent_withdraw"),
]
