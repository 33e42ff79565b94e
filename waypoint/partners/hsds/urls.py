"""Routes of the HSDS exchange: export and import of datapackages (namespace `partners`)."""

from django.urls import path

from . import views

urlpatterns: list = [
    path("hsds/export/", views.export_package, name="hsds_export"),
    path("hsds/import/", views.upload, name="hsds_import"),
    path("hsds/import/<slug:token>/", views.preview, name="hsds_import_preview"),
]
