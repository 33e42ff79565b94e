"""Routes of the people registry pages."""

from django.urls import path

from . import views

urlpatterns: list = [
    path("", views.search, name="search"),
    path("register/", views.register, name="register"),
    path("register/candidates/", views.register_candidates, name="register_candidates"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/photo", views.photo, name="photo"),
    path("<int:pk>/photo/upload/", views.photo_upload, name="photo_upload"),
    path("<int:pk>/photo/remove/", views.photo_remove, name="photo_remove"),
    path("<int:pk>/names/", views.alias_add, name="alias_add"),
    path("<int:pk>/names/<int:alias_pk>/remove/", views.alias_remove, name="alias_remove"),
    path("<int:pk>/documents/", views.document_add, name="document_add"),
    path("<int:pk>/documents/<int:document_pk>/remove/", views.document_remove, name="document_remove"),
    path("<int:pk>/programmes/", views.programme_add, name="programme_add"),
]
