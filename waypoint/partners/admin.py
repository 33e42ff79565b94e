from django.contrib import admin

from waypoint.core.admin_site import AuditedModelAdmin, site

from .models import Organisation


@admin.register(Organisation, site=site)
class OrganisationAdmin(AuditedModelAdmin):
    list_display = ("name", "organisation_type", "city", "is_active")
    list_filter = ("organisation_type", "is_active")
    search_fields = ("name", "alternate_name")
