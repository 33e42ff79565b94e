"""The return programme's sections of the case page and its dashboard widget.

Each panel reads through `policy.scope` (what hangs off a case follows the case) and offers its links only to
those who may change the case. The widget counts, over the visits and documents the user may see, the monitoring
visits overdue and due soon and the travel documents still awaited from embassies.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from waypoint.accounts import policy
from waypoint.accounts.models import Programme
from waypoint.cases.models import Case
from waypoint.health.clearance import clearance_of
from waypoint.people.codes import country_name

from . import eligibility, questionnaire, reintegration
from .models import (
    Answer,
    DocumentStatus,
    MonitoringVisit,
    Reception,
    ReintegrationPlan,
    ReturnProfile,
    Screening,
    TravelDocument,
)

DUE_SOON_DAYS = 14
SHOWN = 10  # overdue visits listed on the dashboard; the count says how many there are in all


def _may_edit(request: HttpRequest, case: Case) -> bool:
    return policy.can(request.user, "change", case) and not case.is_closed


def screening_panel(request: HttpRequest, case: Case) -> dict[str, Any] | None:
    if not policy.can(request.user, "view", case):
        return None
    screenings = list(policy.scope(request.user, Screening.objects.filter(case=case).select_related("project")))
    latest = screenings[0] if screenings else None
    return {"latest": latest, "reasons": eligibility.reasons_in_words(latest) if latest else [],
            # Countries by name, as the itinerary of the flight shows them, not as ISO codes.
            "nationality": country_name(latest.nationality) if latest else "",
            "return_country": country_name(latest.destination_country) if latest else "",
            "earlier": screenings[1:], "may_edit": _may_edit(request, case),
            "screen_url": reverse("returns:screening", args=[case.reference])}


def questionnaire_panel(request: HttpRequest, case: Case) -> dict[str, Any] | None:
    if not policy.can(request.user, "view", case):
        return None
    profile = policy.scope(request.user, ReturnProfile.objects.filter(case=case)).first()
    answers = policy.scope(request.user, Answer.objects.filter(case=case).select_related("question", "option"))
    return {"profile": profile, "answers": [(a.question.text, questionnaire.answer_text(a)) for a in answers],
            "may_edit": _may_edit(request, case),
            "edit_url": reverse("returns:questionnaire", args=[case.reference])}


def documents_panel(request: HttpRequest, case: Case) -> dict[str, Any] | None:
    if not policy.can(request.user, "view", case):
        return None
    rows = policy.scope(request.user, TravelDocument.objects.filter(case=case).select_related("person", "authority"))
    members = [m.person for m in case.members.select_related("person").order_by("id")]
    return {"documents": rows, "may_edit": _may_edit(request, case),
            "clearances": [(person, clearance_of(person)) for person in members],
            "request_url": reverse("returns:document_add", args=[case.reference])}


def reintegration_panel(request: HttpRequest, case: Case) -> dict[str, Any] | None:
    if not policy.can(request.user, "view", case):
        return None
    user = request.user
    reception = policy.scope(user, Reception.objects.filter(case=case).select_related("organisation")).first()
    plan = policy.scope(user, ReintegrationPlan.objects.filter(case=case).select_related("partner")).first()
    instalments = list(plan.instalments.select_related("receipt")) if plan else []
    return {"reception": reception, "plan": plan, "instalments": instalments,
            "paid": reintegration.paid(plan) if plan else None,
            "remaining": reintegration.remaining(plan) if plan else None,
            "may_edit": _may_edit(request, case),
            "reception_url": reverse("returns:reception", args=[case.reference]),
            "plan_url": reverse("returns:plan", args=[case.reference])}


def monitoring_panel(request: HttpRequest, case: Case) -> dict[str, Any] | None:
    if not policy.can(request.user, "view", case):
        return None
    visits = policy.scope(request.user, MonitoringVisit.objects.filter(case=case))
    return {"visits": visits, "today": timezone.localdate(), "may_edit": _may_edit(request, case)}


def due_widget(request: HttpRequest) -> dict[str, Any] | None:
    """For staff of the return programme: visits overdue and due in the next two weeks, documents awaited."""
    user = request.user
    if not policy.may(user, policy.VIEW_CASES) or Programme.RETURN not in (user.programmes or []):
        return None
    today = timezone.localdate()
    open_visits = policy.scope(user, MonitoringVisit.objects.filter(
        done_on__isnull=True, case__programme=Programme.RETURN, case__closed_on__isnull=True))
    overdue = list(open_visits.filter(due_on__lt=today).select_related("case").order_by("due_on", "id")[:SHOWN])
    overdue_count = open_visits.filter(due_on__lt=today).count()
    soon = open_visits.filter(due_on__gte=today, due_on__lte=today + datetime.timedelta(days=DUE_SOON_DAYS))
    awaited = policy.scope(user, TravelDocument.objects.filter(status=DocumentStatus.REQUESTED,
                                                               case__programme=Programme.RETURN))
    return {"overdue": overdue, "overdue_count": overdue_count, "overdue_more": max(overdue_count - SHOWN, 0),
            "soon_count": soon.count(), "awaited_count": awaited.count(), "due_soon_days": DUE_SOON_DAYS}
