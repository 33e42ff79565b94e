"""The service catalogue in the back office: bilingual names, the programmes that offer each service, whether
it is delivered as a stay or a journey, its usual cost, order, and whether it is still offered.

A service that deliveries used is never deleted (their history and costs would lose it): it is retired,
"in use" off, and disappears from the forms while past deliveries keep it.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db.models import Count
from django.forms.models import model_to_dict
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from waypoint.accounts import policy
from waypoint.accounts.admin import ProgrammesField
from waypoint.accounts.models import Programme
from waypoint.audit.models import Action
from waypoint.audit.services import changed_fields, record
from waypoint.core.admin_site import AuditedModelAdmin, site

from .models import ServiceType


class ServiceTypeForm(forms.ModelForm):
    programmes = ProgrammesField(label=_("Offered in"), help_text=_("None ticked: offered in every programme."))

    class Meta:
        model = ServiceType
        fields = ("code", "name_en", "name_ru", "programmes", "is_accommodation", "is_movement", "default_cost",
                  "order", "in_use")

    def clean(self):
        data = super().clean()
        if data.get("is_accommodation") and data.get("is_movement"):
            self.add_error("is_movement", _("A service is delivered as a stay or as a journey, not both."))
        if data.get("default_cost") is not None and data["default_cost"] < 0:
            self.add_error("default_cost", _("The cost cannot be negative."))
        return data


def _set_in_use(request, queryset, value: bool) -> int:
    changed = 0
    for service_type in policy.scope(request.user, queryset, "change"):
        if service_type.in_use == value:
            continue
        before = model_to_dict(service_type)
        service_type.in_use = value
        service_type.save(update_fields=["in_use"])
        record(Action.UPDATE, service_type, actor=request.user, request=request,
               changes=changed_fields(before, model_to_dict(service_type)))
        changed += 1
    return changed


@admin.action(description=_("Retire (no longer offered; past deliveries keep it)"))
def retire(modeladmin, request, queryset):
    count = _set_in_use(request, queryset, False)
    modeladmin.message_user(request, ngettext("%(n)d service retired.", "%(n)d services retired.", count)
                            % {"n": count}, messages.SUCCESS)


@admin.action(description=_("Put back in use"))
def restore(modeladmin, request, queryset):
    count = _set_in_use(request, queryset, True)
    modeladmin.message_user(request, ngettext("%(n)d service back in use.", "%(n)d services back in use.", count)
                            % {"n": count}, messages.SUCCESS)


@admin.register(ServiceType, site=site)
class ServiceTypeAdmin(AuditedModelAdmin):
    form = ServiceTypeForm
    list_display = ("name_en", "name_ru", "code", "offered_in", "is_accommodation", "is_movement", "default_cost",
                    "order", "in_use", "used")
    list_filter = ("in_use", "is_accommodation", "is_movement")
    search_fields = ("name_en", "name_ru", "code")
    ordering = ("order", "code")
    actions = [retire, restore]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(delivery_count=Count("deliveries"))

    @admin.display(description=_("offered in"))
    def offered_in(self, obj: ServiceType) -> str:
        labels = dict(Programme.choices)
        return ", ".join(str(labels.get(code, code)) for code in obj.programmes) or _("every programme")

    @admin.display(description=_("deliveries"), ordering="delivery_count")
    def used(self, obj: ServiceType) -> int:
        return obj.delivery_count

    def get_readonly_fields(self, request, obj=None):
        # Stays, movements, exports and the API find a service by its code: it is chosen once.
        return ("code",) if obj is not None else ()

    def has_delete_permission(self, request, obj=None):
        # A used service is retired, never deleted: its deliveries keep it.
        if obj is not None and obj.deliveries.exists():
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions
