"""Routes of referrals: the inbox, one referral and its answers, and the doors from a consultation."""

from django.urls import path

from . import views

app_name = "referrals"

urlpatterns: list = [
    path("", views.inbox, name="inbox"),
    path("<uuid:pk>/", views.detail, name="detail"),
    path("<uuid:pk>/answer/", views.act, name="act"),
    path("<uuid:pk>/print/", views.printable, name="print"),
    path("from-consultation/<int:consultation_id>/", views.from_consultation, name="from_consultation"),
    path("escalate/<int:consultation_id>/", views.escalate, name="escalate"),
    path("situation/<int:consultation_id>/", views.situation, name="situation"),
]
