"""Routes of a case's services and movements, under /cases/<reference>/. (Centre stays are the
counter-trafficking programme's: `centre:check_in`, under /centre/<reference>/.)"""

from django.urls import path

from . import views_services

app_name = "case_services"

urlpatterns: list = [
    path("<str:reference>/services/new/", views_services.delivery_add, name="delivery_add"),
    path("<str:reference>/services/<int:pk>/edit/", views_services.delivery_edit, name="delivery_edit"),
    path("<str:reference>/movements/new/", views_services.movement_add, name="movement_add"),
    path("<str:reference>/movements/<int:pk>/edit/", views_services.movement_edit, name="movement_edit"),
    path("<str:reference>/movements/<int:pk>/status/", views_services.movement_status, name="movement_status"),
]
