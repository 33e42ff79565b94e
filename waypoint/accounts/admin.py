from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from waypoint.core.admin_site import AuditedModelAdmin, site

from . import services
from .models import Office, User


@admin.register(User, site=site)
class UserAdmin(AuditedModelAdmin, DjangoUserAdmin):
    list_display = ("username", "get_full_name", "role", "office", "partner_organisation", "is_active")
    list_filter = ("role", "office", "is_active")
    search_fields = ("username", "first_name", "last_name", "email")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Person"), {"fields": ("first_name", "last_name", "email", "language")}),
        (_("Access"), {"fields": ("role", "office", "programmes", "partner_organisation", "is_active")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"fields": ("username", "email", "role", "office", "partner_organisation",
                           "password1", "password2")}),
    )
    readonly_fields = ("last_login", "date_joined")
    actions = ["reset_second_factor"]

    @admin.action(description=_("Reset the second factor (the user enrols again)"))
    def reset_second_factor(self, request, queryset):
        for user in queryset:
            services.reset_second_factor(user, by=request.user)
        messages.success(request, _("Second factor reset for %(count)d users.") % {"count": queryset.count()})


@admin.register(Office, site=site)
class OfficeAdmin(AuditedModelAdmin):
    list_display = ("name", "kind", "city", "parent")
    list_filter = ("kind",)
