"""Routes of a case's services, movements and centre stays, under /cases/<reference>/.

Check-in and check-out are the counter-trafficking programme's pages (`protection.views_centre`): they are
routed here so that every page of a case lives under its address."""

from django.urls import path

from waypoint.protection import views_centre

from . import views_services

app_name = "case_services"

urlpatterns: list = [
    path("<str:reference>/services/new/", views_services.delivery_add, name="delivery_add"),
    path("<str:reference>/services/<int:pk>/edit/", views_services.delivery_edit, name="delivery_edit"),
    path("<str:reference>/movements/new/", views_services.movement_add, name="movement_add"),
    path("<str:reference>/movements/<int:pk>/edit/", views_services.movement_edit, name="movement_edit"),
    path("<str:reference>/movements/<int:pk>/status/", views_services.movement_status, name="movement_status"),
    path("<str:reference>/stays/new/", views_centre.check_in, name="check_in"),
    path("<str:reference>/stays/<int:pk>/check-out/", views_centre.check_out, name="check_out"),
]
