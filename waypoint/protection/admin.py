"""The rehabilitation centre's rooms in the back office.

A room belongs to an office of the kind "rehabilitation centre". Its beds are numbered 1 to `beds`: a room
cannot lose a bed someone sleeps in, nor be taken out of use while a guest stays in it. A room with any
stay is never deleted (the stays keep it): it is taken out of use.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db.models import Count, Max, Q
from django.utils.translation import gettext_lazy as _

from waypoint.accounts.models import Office
from waypoint.core.admin_site import AuditedModelAdmin, site

from .models import Room


class RoomForm(forms.ModelForm):
    class Meta:
        model = Room
        fields = ("office", "name", "beds", "in_use")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["office"].queryset = Office.objects.filter(kind=Office.Kind.REHABILITATION_CENTRE)
        self.fields["office"].help_text = _("Offices of the kind “rehabilitation centre”.")

    def clean(self):
        data = super().clean()
        beds = data.get("beds")
        if beds is not None and beds < 1:
            self.add_error("beds", _("A room has at least one bed."))
        if self.instance.pk:
            open_stays = self.instance.stays.filter(checked_out_on__isnull=True)
            highest = open_stays.aggregate(highest=Max("bed"))["highest"]
            if beds and highest and beds < highest:
                self.add_error("beds", _("Bed %(bed)s is taken: check the guest out before removing it.")
                               % {"bed": highest})
            if data.get("in_use") is False and open_stays.exists():
                self.add_error("in_use", _("Guests are staying in this room: check them out first."))
        return data


@admin.register(Room, site=site)
class RoomAdmin(AuditedModelAdmin):
    form = RoomForm
    list_display = ("name", "office", "beds", "taken", "in_use")
    list_filter = ("office", "in_use")
    search_fields = ("name",)
    ordering = ("office__name", "name")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(
            taken_count=Count("stays", filter=Q(stays__checked_out_on__isnull=True)))

    @admin.display(description=_("beds taken"), ordering="taken_count")
    def taken(self, obj: Room) -> int:
        return obj.taken_count

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.stays.exists():
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions
