"""The rehabilitation centre's pages: occupancy (`centre:occupancy`), checking a case member in to a bed
and out again (`centre:check_in`, `centre:check_out`), and the stays panel of a CT case page.

Cases come through `policy.get_for(..., "change")` (404 and an audited denial outside the user's hands);
every write goes through `stays`.
"""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from waypoint.accounts import policy
from waypoint.accounts.models import Office, Programme
from waypoint.audit.models import Action
from waypoint.audit.services import record
from waypoint.cases.forms_services import PersonChoiceField, members, person_label
from waypoint.cases.locking import ConflictError
from waypoint.cases.models import Case
from waypoint.cases.views_services import back_to_case
from waypoint.core.forms import apply_errors
from waypoint.people.forms import date_widget

from . import stays
from .models import CentreStay, Room


# --- Forms --------------------------------------------------------------------------------------
class CheckInForm(forms.Form):
    person = PersonChoiceField(label=gettext_lazy("Guest"), queryset=None, empty_label="—",
                               error_messages={"required": gettext_lazy("Choose who checks in.")})
    place = forms.ChoiceField(label=gettext_lazy("Room and bed"), help_text=gettext_lazy("Only free beds are listed."),
                              error_messages={"required": gettext_lazy("Choose a free bed."),
                                              "invalid_choice": gettext_lazy("That bed is not free any more: "
                                                                             "choose another.")})
    checked_in_on = forms.DateField(label=gettext_lazy("Check-in"), widget=date_widget(),
                                    error_messages={"required": gettext_lazy("Give the day of the check-in.")})

    def __init__(self, *args: Any, case: Case, user, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = members(case)
        self.fields["person"].user = user
        self.fields["checked_in_on"].initial = timezone.localdate()
        groups: dict[Room, list[tuple[str, str]]] = {}
        for room, bed in stays.free_beds():
            groups.setdefault(room, []).append((f"{room.pk}-{bed}", _("%(room)s, bed %(bed)s") % {
                "room": room.name, "bed": bed}))
        self.fields["place"].choices = [("", "—")] + [(str(room), choices) for room, choices in groups.items()]

    def chosen_bed(self) -> tuple[Room | None, int | None]:
        room_pk, bed = self.cleaned_data["place"].split("-")
        return Room.objects.select_related("office").filter(pk=int(room_pk)).first(), int(bed)


class CheckOutForm(forms.Form):
    checked_out_on = forms.DateField(label=gettext_lazy("Check-out"), widget=date_widget(),
                                     error_messages={"required": gettext_lazy("Give the day of the check-out.")})
    version = forms.IntegerField(widget=forms.HiddenInput)


class OccupancyForm(forms.Form):
    on = forms.DateField(label=gettext_lazy("On"), required=False, widget=date_widget())
    centre = forms.ModelChoiceField(label=gettext_lazy("Centre"), required=False,
                                    empty_label=gettext_lazy("All centres"),
                                    queryset=Office.objects.filter(kind=Office.Kind.REHABILITATION_CENTRE))


# --- The case page's panel ----------------------------------------------------------------------
def stays_panel(request: HttpRequest, case: Case) -> dict[str, Any] | None:
    """Current and past stays of the case's members, with check-in and check-out for those who may change."""
    user = request.user
    may_change = policy.can(user, "change", case)
    rows = policy.scope(user, case.centre_stays.select_related("room", "room__office", "person"))
    current = [{"stay": stay, "guest": person_label(user, stay.person)} for stay in rows if stay.checked_out_on is None]
    past = [{"stay": stay, "guest": person_label(user, stay.person),
             "nights": (stay.checked_out_on - stay.checked_in_on).days} for stay in rows if stay.checked_out_on]
    return {"current": current, "past": past, "may_change": may_change,
            "may_check_in": may_change and not case.is_closed, "today": timezone.localdate()}


# --- Check-in and check-out ---------------------------------------------------------------------
def _ct_case(request: HttpRequest, reference: str) -> Case:
    queryset = Case.objects.filter(programme=Programme.COUNTER_TRAFFICKING).select_related("office")
    return policy.get_for(request.user, queryset, "change", reference=reference, request=request)


@login_required
@require_http_methods(["GET", "POST"])
def check_in(request: HttpRequest, reference: str) -> HttpResponse:
    case = _ct_case(request, reference)
    form = CheckInForm(request.POST or None, case=case, user=request.user)
    if request.method == "POST" and form.is_valid():
        room, bed = form.chosen_bed()
        try:
            stays.check_in(request.user, case, person=form.cleaned_data["person"], room=room, bed=bed,
                           checked_in_on=form.cleaned_data["checked_in_on"], request=request)
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                error = ValidationError({("place" if name in ("room", "bed") else name): messages_
                                         for name, messages_ in error.message_dict.items()})
            apply_errors(form, error)
        else:
            messages.success(request, _("The guest is checked in."))
            return back_to_case(case, "stays")
    return render(request, "protection/stay_form.html", {"case": case, "form": form, "stay": None})


@login_required
@require_http_methods(["GET", "POST"])
def check_out(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    user = request.user
    case = _ct_case(request, reference)
    queryset = CentreStay.objects.filter(case=case).select_related("room", "person")
    stay = policy.get_for(user, queryset, "change", pk=pk, request=request)
    form = CheckOutForm(request.POST or None, initial={"checked_out_on": timezone.localdate(),
                                                       "version": stay.version})
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            stays.check_out(user, stay, checked_out_on=form.cleaned_data["checked_out_on"],
                            version=form.cleaned_data["version"], request=request)
        except ConflictError:
            status, stay = 409, queryset.get(pk=pk)
            data = request.POST.copy()
            data["version"] = str(stay.version)  # saving again, knowingly, applies this user's check-out
            form = CheckOutForm(data)
            form.is_valid()
            form.add_error(None, _("Someone else changed this stay while you were looking at it: nothing was saved. "
                                   "Check it below and save again if it still applies."))
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The guest is checked out."))
            return back_to_case(case, "stays")
    return render(request, "protection/stay_form.html",
                  {"case": case, "form": form, "stay": stay, "guest": person_label(user, stay.person)}, status=status)


# --- Occupancy ----------------------------------------------------------------------------------
@login_required
@require_GET
def occupancy(request: HttpRequest) -> HttpResponse:
    """Rooms and beds today and on a chosen date; guests shown by case reference (linked for those who may
    see the case, "occupied" for the others); the year against what the centre was built for."""
    user = request.user
    policy.require(user, policy.VIEW_CENTRE_OCCUPANCY, request=request)
    form = OccupancyForm(request.GET or None)
    today = timezone.localdate()
    on, centre = today, None
    if form.is_valid():
        on = form.cleaned_data["on"] or today
        centre = form.cleaned_data["centre"]
    chosen = stays.occupancy(centre, on, user=user)
    now = chosen if on == today else stays.occupancy(centre, today, user=user)
    record(Action.VIEW, actor=user, object_type="protection.occupancy", request=request,
           changes={"on": [None, on.isoformat()], "centre": [None, str(centre.pk) if centre else None]})
    return render(request, "protection/occupancy.html", {
        "form": form, "occupancy": chosen, "today": now, "on": on, "is_today": on == today,
        "year": stays.year_figures(centre, today.year), "previous_day": on - datetime.timedelta(days=1),
        "next_day": on + datetime.timedelta(days=1), "centre": centre,
    })
