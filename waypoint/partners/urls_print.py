"""Routes of the printable directory."""

from django.urls import path

from . import views_print

urlpatterns = [
    path("directory.pdf", views_print.directory_pdf, name="directory_pdf"),
]
