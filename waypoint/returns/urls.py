"""Routes of the return programme (mounted at /returns/)."""

from django.urls import path

from . import views, views_statistics

app_name = "returns"

urlpatterns: list = [
    path("statistics/", views_statistics.statistics_page, name="statistics"),
    path("statistics/export.csv", views_statistics.statistics_csv, name="statistics_csv"),
    path("cases/<str:reference>/screening/", views.screening, name="screening"),
    path("cases/<str:reference>/questionnaire/", views.questionnaire_page, name="questionnaire"),
    path("cases/<str:reference>/documents/new/", views.document_add, name="document_add"),
    path("cases/<str:reference>/documents/<int:pk>/", views.document_edit, name="document_edit"),
    path("cases/<str:reference>/reception/", views.reception, name="reception"),
    path("cases/<str:reference>/plan/", views.plan, name="plan"),
    path("cases/<str:reference>/plan/instalments/", views.instalment_add, name="instalment_add"),
    path("cases/<str:reference>/visits/<int:pk>/", views.visit, name="visit"),
]
