"""Routes of the counter-trafficking profile (mounted at /protection/)."""

from django.urls import path

from . import views

app_name = "protection"

urlpatterns: list = [
    path("<str:reference>/profile/", views.profile_edit, name="profile_edit"),
    path("<str:reference>/events/new/", views.event_add, name="event_add"),
    path("<str:reference>/events/<int:event_id>/remove/", views.event_remove, name="event_remove"),
]
