"""Routes of the people import pages (namespace `people`, mounted at /people/)."""

from django.urls import path

from . import views_import

urlpatterns: list = [
    path("import/", views_import.upload, name="import"),
    path("import/template.csv", views_import.template, name="import_template"),
    path("import/<slug:token>/", views_import.preview, name="import_preview"),
]
