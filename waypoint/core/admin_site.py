"""The administrators' back office: Django's admin, gated by the access policy and the second
factor, and auditing every change it makes."""

from django.contrib import admin
from django.forms.models import model_to_dict
from django.utils.translation import gettext_lazy as _

from waypoint.accounts import policy
from waypoint.audit.models import Action
from waypoint.audit.services import changed_fields, record


class WaypointAdminSite(admin.AdminSite):
    site_header = _("Waypoint administration")
    site_title = _("Waypoint administration")
    index_title = _("Users, offices and partners")
    login_form = None

    def has_permission(self, request) -> bool:
        user = request.user
        return policy.may(user, policy.MANAGE_USERS) and user.is_verified()

    def login(self, request, extra_context=None):
        from django.shortcuts import redirect

        return redirect("accounts:login")


site = WaypointAdminSite(name="admin")


class AuditedModelAdmin(admin.ModelAdmin):
    """Every save and delete through the back office lands in the audit trail."""

    sensitive_fields: tuple[str, ...] = ("password",)

    def has_module_permission(self, request):
        return site.has_permission(request)

    def has_view_permission(self, request, obj=None):
        return site.has_permission(request) and (obj is None or policy.can(request.user, "view", obj))

    def has_add_permission(self, request):
        return site.has_permission(request)

    def has_change_permission(self, request, obj=None):
        return site.has_permission(request) and (obj is None or policy.can(request.user, "change", obj))

    def has_delete_permission(self, request, obj=None):
        return site.has_permission(request) and (obj is None or policy.can(request.user, "delete", obj))

    def get_queryset(self, request):
        return policy.scope(request.user, super().get_queryset(request))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and response.status_code == 200:
            model = self.model._meta.label_lower
            record(Action.VIEW, actor=request.user, object_type=model, object_id=str(object_id), request=request)
        return response

    def save_model(self, request, obj, form, change):
        before = model_to_dict(type(obj).objects.get(pk=obj.pk)) if change else {}
        super().save_model(request, obj, form, change)
        after = model_to_dict(obj)
        record(
            Action.UPDATE if change else Action.CREATE, obj, actor=request.user, request=request,
            changes=changed_fields(before, after, self.sensitive_fields),
        )

    def delete_model(self, request, obj):
        record(Action.DELETE, obj, actor=request.user, request=request)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            record(Action.DELETE, obj, actor=request.user, request=request)
        super().delete_queryset(request, queryset)

    def log_addition(self, request, obj, message):
        """The audit trail replaces Django's admin log."""

    def log_change(self, request, obj, message):
        """The audit trail replaces Django's admin log."""

    def log_deletions(self, request, queryset):
        """The audit trail replaces Django's admin log."""
