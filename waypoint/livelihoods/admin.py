"""The back office: the list of compact settlements (a configuration list), and the enterprises for corrections."""

from django.contrib import admin

from waypoint.core.admin_site import site

from .models import Enterprise, Settlement


@admin.register(Settlement, site=site)
class SettlementAdmin(admin.ModelAdmin):
    list_display = ("name", "region", "district", "in_use")
    list_filter = ("in_use", "region")
    search_fields = ("name", "region", "district")


@admin.register(Enterprise, site=site)
class EnterpriseAdmin(admin.ModelAdmin):
    list_display = ("name", "settlement", "activity", "registered_on")
    list_filter = ("activity", "settlement")
    search_fields = ("name",)
    readonly_fields = ("registered_by", "version")
