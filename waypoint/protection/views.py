"""The counter-trafficking profile: its edit page with the trafficking events, and its panel on the case page.

Every page takes the case through `policy.get_for` among counter-trafficking cases only, with "change":
a user outside the case, or a case of another programme, gets a 404 and the denial is audited. Every
write goes through `services`.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from waypoint.accounts import policy
from waypoint.accounts.models import Programme
from waypoint.audit.models import Action
from waypoint.audit.services import record
from waypoint.cases.models import Case
from waypoint.core.forms import apply_errors
from waypoint.people.codes import country_name

from . import services
from .forms import EventForm, ProfileForm
from .models import TraffickingProfile

# The panel shows these in this order; the plan separately (it is long text).
PANEL_FIELDS = (
    "trafficking_status", "status_decided_by", "relationship_to_trafficker", "age_when_trafficked",
    "recruitment_methods", "control_methods", "exploitation_types", "forced_labour_industry",
    "sexual_exploitation_type", "identified_where", "repatriation_needed", "proceedings", "participation",
    "reintegration_grant",
)


def _ct_case(request: HttpRequest, reference: str) -> Case:
    cases = Case.objects.filter(programme=Programme.COUNTER_TRAFFICKING)
    return policy.get_for(request.user, cases, "change", reference=reference, request=request)


def _profile(request: HttpRequest, case: Case) -> TraffickingProfile | None:
    return policy.scope(request.user, TraffickingProfile.objects.filter(case=case), "view").first()


def _event_rows(profile: TraffickingProfile | None) -> list[dict[str, Any]]:
    if profile is None:
        return []
    return [
        {"event": event, "step": event.get_event_type_display(), "country": country_name(event.country),
         "place": event.place, "started_on": event.started_on, "ended_on": event.ended_on}
        for event in services.events_in_order(profile.events.all())
    ]


def _differences(saved: TraffickingProfile, mine: dict[str, Any]) -> list[tuple[str, str]]:
    """The saved values that differ from the user's input, in words: what the user needs to merge the two
    versions (the plan in full too: it is on the form they may edit anyway)."""
    rows = []
    for name in services.PROFILE_FIELDS:
        theirs, yours = getattr(saved, name), mine.get(name)
        if services.value_text(name, theirs) == services.value_text(name, yours):
            continue
        if name in services.MULTI_VALUED and sorted(theirs or []) == sorted(yours or []):
            continue
        rows.append((services.field_label(name), services.value_text(name, theirs) or "—"))
    return rows


def _render_page(request: HttpRequest, case: Case, profile: TraffickingProfile | None, *, form: ProfileForm,
                 event_form: EventForm, conflict: list[tuple[str, str]] | None = None, status: int = 200):
    return render(request, "protection/profile_form.html", {
        "case": case, "profile": profile, "form": form, "event_form": event_form, "conflict": conflict,
        "events": _event_rows(profile), "principal": case.principal,
    }, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request: HttpRequest, reference: str) -> HttpResponse:
    """Edit the trafficking profile. If someone saved meanwhile, nothing is written: the page answers 409
    with the user's input kept and the saved values that differ shown beside it."""
    case = _ct_case(request, reference)
    profile = _profile(request, case)
    conflict = None
    status = 200
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            try:
                services.update_profile(request.user, case, version=form.cleaned_data["version"], request=request,
                                        **form.profile_data())
            except services.ConflictError as error:
                saved = error.current
                conflict = _differences(saved, form.profile_data())
                data = request.POST.copy()
                data["version"] = str(saved.version)  # saving again, knowingly, keeps the user's input
                form = ProfileForm(data)
                form.is_valid()
                profile = _profile(request, case)
                status = 409
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("The trafficking profile is saved."))
                return redirect(f"{reverse('cases:detail', args=[case.reference])}#profile")
    else:
        form = ProfileForm(initial=ProfileForm.initial_for(profile))
        if profile is not None:
            record(Action.VIEW, profile, actor=request.user, request=request)
    return _render_page(request, case, profile, form=form, event_form=EventForm(), conflict=conflict, status=status)


@login_required
@require_POST
def event_add(request: HttpRequest, reference: str) -> HttpResponse:
    case = _ct_case(request, reference)
    event_form = EventForm(request.POST)
    if event_form.is_valid():
        try:
            services.add_event(request.user, case, request=request, **event_form.event_data())
        except ValidationError as error:
            apply_errors(event_form, error)
        else:
            messages.success(request, _("The trafficking event is recorded."))
            return redirect(f"{reverse('protection:profile_edit', args=[case.reference])}#events")
    profile = _profile(request, case)
    form = ProfileForm(initial=ProfileForm.initial_for(profile))
    return _render_page(request, case, profile, form=form, event_form=event_form, status=400)


@login_required
@require_POST
def event_remove(request: HttpRequest, reference: str, event_id: int) -> HttpResponse:
    case = _ct_case(request, reference)
    services.remove_event(request.user, case, event_id, request=request)
    messages.success(request, _("The trafficking event is removed."))
    return redirect(f"{reverse('protection:profile_edit', args=[case.reference])}#events")


# --- The panel on the case page -------------------------------------------------------------------
def _panel_rows(profile: TraffickingProfile) -> list[tuple[str, str]]:
    rows = []
    for name in PANEL_FIELDS:
        value = getattr(profile, name)
        text = services.value_text(name, value)
        if name == "reintegration_grant" and value is not None:
            text = f"{text} {profile.grant_currency}"
        if not text:
            continue
        rows.append((services.field_label(name), text))
    return rows


def profile_panel(request: HttpRequest, case: Case) -> dict[str, Any] | None:
    """The profile in words (labels in the user's language) and the trafficking events as an itinerary."""
    user = request.user
    if not policy.can(user, "view", case):
        return None
    profile = _profile(request, case)
    return {
        "profile": profile,
        "rows": _panel_rows(profile) if profile is not None else [],
        "events": _event_rows(profile),
        "may_edit": policy.can(user, "change", case),
        "edit_url": reverse("protection:profile_edit", args=[case.reference]),
    }

