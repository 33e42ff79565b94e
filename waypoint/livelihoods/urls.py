"""Routes of the direct assistance programme (mounted at /livelihoods/)."""

from django.urls import path

from . import views_enterprises, views_grant, views_statistics

app_name = "livelihoods"

urlpatterns: list = [
    path("enterprises/", views_enterprises.enterprise_list, name="enterprises"),
    path("enterprises/new/", views_enterprises.enterprise_new, name="enterprise_new"),
    path("enterprises/<int:pk>/", views_enterprises.enterprise_detail, name="enterprise"),
    path("enterprises/<int:pk>/edit/", views_enterprises.enterprise_edit, name="enterprise_edit"),
    path("enterprises/<int:pk>/members/", views_enterprises.member_add, name="member_add"),
    path("enterprises/<int:pk>/members/<int:member_id>/remove/", views_enterprises.member_remove,
         name="member_remove"),
    path("enterprises/<int:pk>/apply/", views_enterprises.application_new, name="application_new"),
    path("statistics/", views_statistics.statistics_page, name="statistics"),
    path("statistics/export.csv", views_statistics.statistics_csv, name="statistics_csv"),
    path("grants/<str:reference>/plan/", views_grant.plan_edit, name="plan_edit"),
    path("grants/<str:reference>/assessment/", views_grant.assessment_edit, name="assessment_edit"),
    path("grants/<str:reference>/decision/", views_grant.decision_edit, name="decision_edit"),
    path("grants/<str:reference>/items/new/", views_grant.item_new, name="item_new"),
    path("grants/<str:reference>/items/<int:item_id>/", views_grant.item_edit, name="item_edit"),
    path("grants/<str:reference>/visits/new/", views_grant.visit_new, name="visit_new"),
]
