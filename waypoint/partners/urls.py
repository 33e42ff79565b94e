from django.urls import path

from . import urls_print, views
from .hsds import urls as hsds_urls

app_name = "partners"

urlpatterns = [
    path("", views.organisation_list, name="list"),
    *hsds_urls.urlpatterns,
    *urls_print.urlpatterns,
]
