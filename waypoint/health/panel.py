"""The health panel on every case page, and the request it sends.

Everyone who sees the case sees each member's clearance (cleared or not, valid until when) and the examinations
asked for from this case that wait; whoever may change the case may ask for an examination; the health unit
(VIEW_HEALTH_DATA) also gets links to each member's assessments. Results are never on the case page.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from waypoint.accounts import policy
from waypoint.accounts.models import Programme
from waypoint.cases.models import Case, CaseMember
from waypoint.core.forms import apply_errors
from waypoint.people.models import Person

from . import services
from .access import reads_health_data
from .clearance import clearance_of
from .forms import RequestForm
from .models import CLEARANCE_TYPES, AssessmentStatus, AssessmentType, HealthAssessment


def _members(case: Case) -> list[CaseMember]:
    return list(case.members.select_related("person").order_by("id"))


def health_panel(request: HttpRequest, case: Case) -> dict[str, Any] | None:
    user = request.user
    if not policy.can(user, "view", case):
        return None
    members = _members(case)
    health_unit = reads_health_data(user)
    waiting = {}
    for row in case.health_assessments.filter(status=AssessmentStatus.REQUESTED).order_by("requested_on", "id"):
        waiting.setdefault(row.person_id, []).append({"kind": _kind_shown(row, health_unit), "day": row.requested_on})
    assessments = {}
    if health_unit:
        rows = policy.scope(user, HealthAssessment.objects.filter(person__in=[m.person_id for m in members]))
        for row in rows.order_by("-requested_on", "-id"):
            assessments.setdefault(row.person_id, []).append(row)
    may_request = policy.can(user, "change", case) and not case.is_closed and bool(members)
    return {
        "rows": [{"member": member, "clearance": clearance_of(member.person),
                  "waiting": waiting.get(member.person_id, []),
                  "assessments": assessments.get(member.person_id, [])} for member in members],
        "health_unit": health_unit,
        "today": timezone.localdate(),
        "may_request": may_request,
        "request_form": RequestForm(members=members, prefix="health", initial={
            "assessment_type": _usual_examination(case)}) if may_request else None,
    }


def _kind_shown(row: HealthAssessment, health_unit: bool) -> str:
    """What a waiting request is called on the case page. The kind of a clearance examination is no secret; that
    someone is waiting for an HIV test or a TB screening is health data, so only the health unit reads it there
    (as the timeline, which says "a medical examination was requested")."""
    if health_unit or row.assessment_type in CLEARANCE_TYPES:
        return row.get_assessment_type_display()
    return _("Medical examination")


def _usual_examination(case: Case) -> str:
    """The kind the form offers first: a resettlement case needs the immigration medical examination, any other
    case (a return, an escort) the pre-departure fitness to travel."""
    if case.programme == Programme.RESETTLEMENT:
        return AssessmentType.RESETTLEMENT
    return AssessmentType.FITNESS_TO_TRAVEL


@login_required
@require_http_methods(["GET", "POST"])
def request_examination(request: HttpRequest, reference: str) -> HttpResponse:
    """Ask the health unit to examine a member (from the case page's panel; on a refusal this page shows the
    form again with each problem on its field)."""
    user = request.user
    case = policy.get_for(user, Case.objects.select_related("office"), "change", reference=reference,
                          request=request)
    members = _members(case)
    form = RequestForm(request.POST or None, members=members, prefix="health")
    status = 200
    if request.method == "POST":
        if form.is_valid():
            person = Person.objects.filter(pk=form.cleaned_data["person"]).first()
            try:
                services.request_examination(user, case, person=person,
                                             assessment_type=form.cleaned_data["assessment_type"], request=request)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("The examination is requested: the migration health unit will contact "
                                            "the person."))
                return redirect(f"{reverse('cases:detail', args=[case.reference])}#health")
        status = 400
    return render(request, "health/request_form.html", {"case": case, "form": form}, status=status)
