"""Monitoring visits after arrival and the reintegration sustainability score.

Visits are scheduled when the reception (the arrival) is recorded, at the months of the setting
`WAYPOINT_RETURN_MONITORING_MONTHS` (default 3, 6 and 12). At a visit the case worker scores the 15 indicators of
IOM's reintegration sustainability survey, three dimensions, each from 1 (very poor) to 5 (very good).

Scores (docs/returns.md): an answer a becomes (a - 1) / 4, from 0 to 1. A dimension's score is the mean of its
answered indicators (none answered: no score). The composite score is the mean of the three dimension scores,
equal weights, and exists only when every dimension has a score. All are rounded to three decimals.
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from waypoint.accounts import policy
from waypoint.accounts.models import Programme, User
from waypoint.audit.models import Action
from waypoint.audit.services import record
from waypoint.cases import timeline
from waypoint.cases.casework import refused
from waypoint.cases.locking import ConflictError, bump, locked_current
from waypoint.cases.models import Case

from .models import MonitoringVisit

__all__ = ["ConflictError", "record_visit", "schedule", "scores"]
DEFAULT_MONTHS = (3, 6, 12)
ECONOMIC, SOCIAL, PSYCHOSOCIAL = "economic", "social", "psychosocial"
DIMENSIONS: tuple[tuple[str, Promise], ...] = (
    (ECONOMIC, gettext_lazy("Economic")), (SOCIAL, gettext_lazy("Social")),
    (PSYCHOSOCIAL, gettext_lazy("Psychosocial")),
)
SCALE = ((1, gettext_lazy("1 · very poor")), (2, gettext_lazy("2 · poor")), (3, gettext_lazy("3 · fair")),
         (4, gettext_lazy("4 · good")), (5, gettext_lazy("5 · very good")))
NOTE_MAX = 4000


@dataclass(frozen=True)
class Indicator:
    code: str
    dimension: str
    label: Promise


INDICATORS = (
    Indicator("econ_satisfaction", ECONOMIC, gettext_lazy("Satisfaction with the household's economic situation")),
    Indicator("econ_food", ECONOMIC, gettext_lazy("Food security: the household has enough to eat")),
    Indicator("econ_work", ECONOMIC, gettext_lazy("Work or another regular source of income")),
    Indicator("econ_debt", ECONOMIC, gettext_lazy("Debts under control against spending")),
    Indicator("econ_borrow", ECONOMIC, gettext_lazy("Able to borrow money when needed")),
    Indicator("soc_housing", SOCIAL, gettext_lazy("Adequate housing")),
    Indicator("soc_education", SOCIAL, gettext_lazy("Children of school age attend school")),
    Indicator("soc_health", SOCIAL, gettext_lazy("Access to health care")),
    Indicator("soc_documents", SOCIAL, gettext_lazy("Identity documents and civil registration")),
    Indicator("soc_justice", SOCIAL, gettext_lazy("Access to justice and legal help")),
    Indicator("soc_services", SOCIAL, gettext_lazy("Access to water, electricity and basic services")),
    Indicator("psy_network", PSYCHOSOCIAL, gettext_lazy("A network of support: family, friends, community")),
    Indicator("psy_belonging", PSYCHOSOCIAL, gettext_lazy("Feels part of the community and takes part in it")),
    Indicator("psy_wellbeing", PSYCHOSOCIAL, gettext_lazy("No signs of psychological distress")),
    Indicator("psy_stay", PSYCHOSOCIAL, gettext_lazy("Feels able to stay, without pressure to migrate again")),
)
BY_CODE = {indicator.code: indicator for indicator in INDICATORS}
PLACES = Decimal("0.001")


def months() -> tuple[int, ...]:
    return tuple(getattr(settings, "WAYPOINT_RETURN_MONITORING_MONTHS", DEFAULT_MONTHS))


def add_months(day: datetime.date, count: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + count
    year, month = index // 12, index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def scores(answers: dict[str, int]) -> dict[str, Decimal | None]:
    """The dimension scores and the composite, 0 to 1, by the documented formula."""
    result: dict[str, Decimal | None] = {}
    for dimension, _label in DIMENSIONS:
        values = [Decimal(answers[i.code] - 1) / 4 for i in INDICATORS
                  if i.dimension == dimension and i.code in answers]
        result[dimension] = (sum(values) / len(values)).quantize(PLACES, ROUND_HALF_UP) if values else None
    parts = [result[dimension] for dimension, _label in DIMENSIONS]
    result["composite"] = (None if any(part is None for part in parts)
                           else (sum(parts) / 3).quantize(PLACES, ROUND_HALF_UP))
    return result


def schedule(user: User, case: Case, arrived_on: datetime.date, *, request=None) -> list[MonitoringVisit]:
    """The visits due after arrival (inside the caller's transaction): one per month of the setting."""
    visits = [MonitoringVisit(case=case, months_after=count, due_on=add_months(arrived_on, count))
              for count in sorted(set(months()))]
    MonitoringVisit.objects.bulk_create(visits)
    record(Action.CREATE, case, actor=user, request=request, changes={
        "monitoring_visits": [None, ",".join(visit.due_on.isoformat() for visit in visits)]})
    timeline.log(case, timeline.PLAN, _("Monitoring visits scheduled: %(dates)s.") % {
        "dates": ", ".join(formats.date_format(visit.due_on, "DATE_FORMAT") for visit in visits)}, actor=user)
    return visits


def _clean_answers(answers: dict[str, Any]) -> tuple[dict[str, int], dict[str, list[str]]]:
    clean, errors = {}, {}
    for code, value in (answers or {}).items():
        if code not in BY_CODE:
            errors[code] = [_("There is no indicator with the code “%(code)s”.") % {"code": code}]
            continue
        if value in (None, ""):
            continue
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = 0
        if isinstance(value, bool) or not 1 <= number <= 5 or str(number) != str(value).strip():
            errors[code] = [_("“%(indicator)s”: score it from 1 to 5.") % {"indicator": BY_CODE[code].label}]
            continue
        clean[code] = number
    return clean, errors


def record_visit(user: User, visit: MonitoringVisit, *, version: int | None, done_on: datetime.date | None,
                 answers: dict[str, Any], note: str = "", request=None) -> MonitoringVisit:
    """Record a visit with its indicator answers; every dimension needs at least one answer."""
    visit = policy.get_for(user, MonitoringVisit.objects.filter(case__programme=Programme.RETURN), "change",
                           pk=visit.pk, request=request)
    clean, errors = _clean_answers(answers)
    note = (note or "").strip()
    if done_on is None:
        errors["done_on"] = [_("Give the day of the visit.")]
    elif done_on > timezone.localdate():
        errors["done_on"] = [_("A visit cannot be recorded in the future.")]
    for dimension, label in DIMENSIONS:
        if not any(BY_CODE[code].dimension == dimension for code in clean):
            first = next(i.code for i in INDICATORS if i.dimension == dimension)
            errors.setdefault(first, []).append(_("Dimension “%(dimension)s”: score at least one indicator.") % {
                "dimension": label})
    if len(note) > NOTE_MAX:
        errors["note"] = [_("The note is longer than %(max)d characters.") % {"max": NOTE_MAX}]
    if errors:
        raise ValidationError(errors)
    computed = scores(clean)
    try:
        with transaction.atomic():
            current = locked_current(MonitoringVisit.objects.select_related("case"), visit.pk, version)
            current.done_on, current.answers, current.note, current.visited_by = done_on, clean, note, user
            current.economic_score, current.social_score = computed[ECONOMIC], computed[SOCIAL]
            current.psychosocial_score, current.composite_score = computed[PSYCHOSOCIAL], computed["composite"]
            bump(current, ["done_on", "answers", "note", "visited_by", "economic_score", "social_score",
                           "psychosocial_score", "composite_score"])
            record(Action.UPDATE, current, actor=user, request=request, changes={
                "done_on": [None, done_on.isoformat()], "composite_score": [None, str(computed["composite"])],
                "answers": [None, str(len(clean))], "note": None})
            timeline.log(current.case, timeline.PLAN, ngettext(
                "Monitoring visit (%(months)d month after arrival) on %(date)s: sustainability score %(score)s.",
                "Monitoring visit (%(months)d months after arrival) on %(date)s: sustainability score %(score)s.",
                current.months_after) % {
                "months": current.months_after, "date": formats.date_format(done_on, "DATE_FORMAT"),
                "score": computed["composite"]}, actor=user, obj=current)
    except ConflictError:
        refused(user, visit, "monitoring_visit", ["stale_version"], request=request)
        raise
    return current
