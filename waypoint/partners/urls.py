from django.urls import path

from . import urls_print, views
from .hsds import urls as hsds_urls

app_name = "partners"

urlpatterns = [
    path("", views.organisation_list, name="list"),
    path("<uuid:pk>/", views.organisation_detail, name="organisation"),
    path("services/<uuid:pk>/", views.service_detail, name="service"),
    path("services/<uuid:pk>/availability/", views.availability_update, name="availability"),
    *hsds_urls.urlpatterns,
    *urls_print.urlpatterns,
]
