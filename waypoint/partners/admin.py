from django.contrib import admin
from django.db import models

from waypoint.core.admin_site import AuditedModelAdmin, site

from .models import Organisation


@admin.register(Organisation, site=site)
class OrganisationAdmin(AuditedModelAdmin):
    list_display = ("name", "organisation_type", "city", "is_active")
    list_filter = ("organisation_type", "is_active")
    search_fields = ("name", "alternate_name")
    # A website typed without a scheme is taken to be https://, not http://.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
