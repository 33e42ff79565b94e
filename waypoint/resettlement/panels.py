"""The resettlement sections of the case page (orders 20-23) and the dashboard widget of the programme's staff.

Panels are shown to whoever sees the case; their links to record and edit only to whoever may change it. The
medical line of the checklist is migration health's answer (`clearance_of`): cleared or not, until when.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from waypoint.accounts import policy
from waypoint.accounts.models import Programme
from waypoint.cases.dashboards import link
from waypoint.cases.models import Case
from waypoint.health.clearance import clearance_of

from . import checks, workflow
from .models import (
    Assurance,
    Clearance,
    ClearanceKind,
    ClearanceStatus,
    Decision,
    Orientation,
    Presentation,
    ResettlementProfile,
)
from .services import PROFILE_FIELDS, field_label, value_text

SOON_DAYS = 30
SHOWN = 10  # rows of each list of the dashboard widget; the counts say how many there are in all


def _may_edit(request: HttpRequest, case: Case) -> bool:
    return not case.is_closed and policy.can(request.user, "change", case)


def profile_panel(request: HttpRequest, case: Case) -> dict[str, Any] | None:
    profile = (policy.scope(request.user, ResettlementProfile.objects.filter(case=case))
               .select_related("referring_organisation").first())
    rows = []
    if profile is not None:
        for name in PROFILE_FIELDS:
            text = value_text(name, getattr(profile, name))
            if text:
                rows.append((field_label(ResettlementProfile, name), text))
    return {"profile": profile, "rows": rows, "may_edit": _may_edit(request, case),
            "edit_url": reverse("resettlement:profile_edit", args=[case.reference])}


@dataclass(frozen=True)
class ChecklistLine:
    label: str
    status: str
    status_label: str
    obtained_on: datetime.date | None
    valid_until: datetime.date | None
    soon: bool
    edit_url: str
    add_url: str


def _line(case: Case, person, kind: str, clearance: Clearance | None, today: datetime.date) -> ChecklistLine:
    label = str(ClearanceKind(kind).label)
    if clearance is None:
        add = f"{reverse('resettlement:clearance_add', args=[case.reference])}?person={person.pk}&kind={kind}"
        return ChecklistLine(label, "missing", "—", None, None, False, "", add)
    shown = clearance.shown_status(today)
    soon = (shown == ClearanceStatus.CLEARED and clearance.valid_until is not None
            and clearance.valid_until <= today + datetime.timedelta(days=SOON_DAYS))
    return ChecklistLine(label, shown, str(ClearanceStatus(shown).label), clearance.obtained_on, clearance.valid_until,
                         soon, reverse("resettlement:clearance_edit", args=[case.reference, clearance.pk]), "")


def clearances_panel(request: HttpRequest, case: Case) -> dict[str, Any] | None:
    today = timezone.localdate()
    lines = {(c.person_id, c.kind): c for c in policy.scope(request.user, Clearance.objects.filter(case=case))}
    members = []
    for member in case.members.select_related("person").order_by("id"):
        person = member.person
        kinds = checks.required_kinds(person, today)
        kinds += [kind for (pk, kind) in lines if pk == person.pk and kind not in kinds]
        rows = [_line(case, person, kind, lines.get((person.pk, kind)), today)
                for kind in ClearanceKind.values if kind in kinds]
        medical = clearance_of(person)
        medical_soon = (medical.valid_on(today) and medical.valid_until is not None
                        and medical.valid_until <= today + datetime.timedelta(days=SOON_DAYS))
        members.append({"member": member, "rows": rows, "medical": medical, "medical_soon": medical_soon,
                        "medical_valid": medical.valid_on(today)})
    problems = checks.clearances_valid(case) if case.status in workflow.PRE_DEPARTURE else []
    return {"members": members, "problems": problems, "may_edit": _may_edit(request, case), "today": today,
            "add_url": reverse("resettlement:clearance_add", args=[case.reference]), "soon_days": SOON_DAYS}


def presentations_panel(request: HttpRequest, case: Case) -> dict[str, Any] | None:
    rows = (policy.scope(request.user, Presentation.objects.filter(case=case))
            .select_related("trip").prefetch_related("members").order_by("-presented_on", "-id"))
    may_edit = _may_edit(request, case)
    may_present = may_edit and case.status in (workflow.FILE_PREPARED, workflow.ON_HOLD) and not any(
        row.decision == Decision.PENDING for row in rows)
    return {"presentations": rows, "may_edit": may_edit, "may_present": may_present,
            "add_url": reverse("resettlement:presentation_add", args=[case.reference])}


def predeparture_panel(request: HttpRequest, case: Case) -> dict[str, Any] | None:
    approved = Presentation.objects.filter(case=case, decision=Decision.APPROVED).exists()
    orientations = (policy.scope(request.user, Orientation.objects.filter(case=case))
                    .prefetch_related("members").order_by("-attended_on"))
    assurance = policy.scope(request.user, Assurance.objects.filter(case=case)).select_related("agency").first()
    journey = checks.departure_journey(case)
    return {"approved": approved, "orientations": orientations, "assurance": assurance, "journey": journey,
            "may_edit": _may_edit(request, case) and approved,
            "orientation_url": reverse("resettlement:orientation_add", args=[case.reference]),
            "assurance_url": reverse("resettlement:assurance_edit", args=[case.reference])}


# --- The dashboard widget -------------------------------------------------------------------------
def dashboard_widget(request: HttpRequest) -> dict[str, Any] | None:
    """For the programme's case workers and managers: clearances of their cases that expire within 30 days
    (or have expired) while the case still waits to depart, and their cases on hold."""
    user = request.user
    if not policy.may(user, policy.VIEW_PROCESSING_TRIPS):
        return None
    today = timezone.localdate()
    cases = policy.scope(user, Case.objects.filter(programme=Programme.RESETTLEMENT))
    waiting = cases.filter(status__in=workflow.BEFORE_DEPARTURE)
    expiring = (Clearance.objects.filter(case__in=waiting, status=ClearanceStatus.CLEARED,
                                         valid_until__lte=today + datetime.timedelta(days=SOON_DAYS))
                .select_related("case", "person").order_by("valid_until", "id"))
    on_hold = cases.filter(status=workflow.ON_HOLD).order_by("updated_at", "id")
    expiring_count, on_hold_count = expiring.count(), on_hold.count()
    return {"expiring": list(expiring[:SHOWN]), "expiring_count": expiring_count,
            "expiring_more": max(expiring_count - SHOWN, 0), "on_hold": list(on_hold[:SHOWN]),
            "on_hold_count": on_hold_count, "on_hold_more": max(on_hold_count - SHOWN, 0),
            "on_hold_url": link("cases:list", programme=Programme.RESETTLEMENT, status=workflow.ON_HOLD),
            "today": today, "soon_days": SOON_DAYS, "trips_url": reverse("resettlement:trips")}
