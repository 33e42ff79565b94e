"""Routes of referrals: the inbox, one referral and its answers, the printed form and its delivery, the doors
from a consultation and from a case, and a partner's referral to the office with the case opened from it."""

from django.urls import path

from . import views

app_name = "referrals"

urlpatterns: list = [
    path("", views.inbox, name="inbox"),
    path("<uuid:pk>/", views.detail, name="detail"),
    path("<uuid:pk>/answer/", views.act, name="act"),
    path("<uuid:pk>/print/", views.printable, name="print"),
    path("<uuid:pk>/pdf/", views.referral_pdf, name="pdf"),
    path("<uuid:pk>/delivery/", views.delivery, name="delivery"),
    path("<uuid:pk>/open-case/", views.open_case, name="open_case"),
    path("from-consultation/<int:consultation_id>/", views.from_consultation, name="from_consultation"),
    path("escalate/<int:consultation_id>/", views.escalate, name="escalate"),
    path("situation/<int:consultation_id>/", views.situation, name="situation"),
    path("from-case/<str:reference>/", views.refer_case, name="refer_case"),
    path("to-the-office/", views.refer_to_office, name="refer_to_office"),
]
