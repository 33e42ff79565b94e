"""Follow-up visits after the handover, and the reminders of the visits due (3 and 12 months after the handover).

A visit records whether the enterprise is operating, its monthly income, the jobs created (of which for women
and for migrants) and whether the items are in use. The reminders are computed, not stored: the handover day is
the day of the case's "handed over" step (`StatusChange`), and a reminder is answered by any visit made from a
month before it is due.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from waypoint.accounts.models import Programme, User
from waypoint.audit.models import Action
from waypoint.audit.services import record
from waypoint.cases import casework, timeline
from waypoint.cases.models import Case, StatusChange

from .grants import grant_case_to_change
from .models import FollowUpVisit, GrantApplication, ItemsInUse, Operating
from .money import AMOUNT_MAX, is_currency, money, parse_amount
from .workflow import FOLLOW_UP, HANDED_OVER

__all__ = ["due_reminders", "handover_day", "record_visit"]

NOTES_MAX = 10_000
JOBS_MAX = 1_000
VISITING = (HANDED_OVER, FOLLOW_UP)
REMINDER_MONTHS = (3, 12)
EARLY_DAYS = 31  # a visit this many days before a reminder is due answers it
LOOK_AHEAD_DAYS = 30  # the widget shows what falls due within a month


def handover_day(case: Case) -> datetime.date | None:
    return (StatusChange.objects.filter(case=case, action="hand_over").order_by("-on")
            .values_list("on", flat=True).first())


def _whole(value: Any, field: str, label: str, errors: dict[str, list[str]]) -> int:
    if value in (None, ""):
        return 0
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= JOBS_MAX:
        errors[field] = [_("%(field)s: give a whole number from 0 to %(max)d.") % {"field": label, "max": JOBS_MAX}]
        return 0
    return value


def record_visit(user: User, case: Case, *, visited_on: datetime.date | None, visited_by: User | None,
                 operating: str, items_in_use: str, monthly_income: Any = None, currency: str = "",
                 jobs_created: Any = 0, jobs_women: Any = 0, jobs_migrants: Any = 0, notes: str = "",
                 request=None) -> FollowUpVisit:
    """Record a visit to the enterprise of a grant whose items are handed over."""
    case = grant_case_to_change(user, case, "visit", request)
    application = GrantApplication.objects.filter(case=case).first()
    if case.status not in VISITING:
        casework.refused(user, case, "visit", [f"status:{case.status}"], request=request)
        raise ValidationError({"__all__": [_("Follow-up visits are recorded after the items are handed over and "
                                             "before the case is closed.")]})
    errors: dict[str, list[str]] = {}
    notes = (notes or "").strip()
    currency = (currency or (application.currency if application else "RUB")).strip().upper()
    handed = handover_day(case)
    if visited_on is None:
        errors["visited_on"] = [_("Give the day of the visit.")]
    elif visited_on > timezone.localdate():
        errors["visited_on"] = [_("The visit cannot be in the future.")]
    elif handed and visited_on < handed:
        errors["visited_on"] = [_("A follow-up visit cannot be before the handover (%(date)s).")
                                % {"date": formats.date_format(handed, "DATE_FORMAT")}]
    if visited_by is None or not casework.owner_choices(Programme.DIRECT_ASSISTANCE).filter(pk=visited_by.pk).exists():
        errors["visited_by"] = [_("Choose who visited among the staff of the direct assistance programme.")]
    if operating not in Operating.values:
        errors["operating"] = [_("Say whether the enterprise is operating: yes, partly or no.")]
    if items_in_use not in ItemsInUse.values:
        errors["items_in_use"] = [_("Say whether the items granted are in use.")]
    income = None
    if monthly_income not in (None, ""):
        income = parse_amount(monthly_income)
        if income is None or income < 0 or income > AMOUNT_MAX:
            errors["monthly_income"] = [_("Monthly income: give an amount of zero or more with at most two "
                                          "decimals.")]
            income = None
    if not is_currency(currency):
        errors["currency"] = [_("Currency: use a three-letter ISO 4217 code, e.g. RUB, USD, EUR.")]
    created = _whole(jobs_created, "jobs_created", _("Jobs created"), errors)
    women = _whole(jobs_women, "jobs_women", _("Jobs for women"), errors)
    migrants = _whole(jobs_migrants, "jobs_migrants", _("Jobs for migrants"), errors)
    if women > created:
        errors["jobs_women"] = [_("Jobs for women (%(part)d) cannot be more than the jobs created (%(all)d).")
                                % {"part": women, "all": created}]
    if migrants > created:
        errors["jobs_migrants"] = [_("Jobs for migrants (%(part)d) cannot be more than the jobs created (%(all)d).")
                                   % {"part": migrants, "all": created}]
    if len(notes) > NOTES_MAX:
        errors["notes"] = [_("The notes are too long (at most %(count)d characters).") % {"count": NOTES_MAX}]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        Case.objects.select_for_update(of=("self",)).get(pk=case.pk)
        visit = FollowUpVisit.objects.create(
            case=case, visited_on=visited_on, visited_by=visited_by, operating=operating, items_in_use=items_in_use,
            monthly_income=income, currency=currency, jobs_created=created, jobs_women=women,
            jobs_migrants=migrants, notes=notes, recorded_by=user)
        record(Action.CREATE, visit, actor=user, request=request, changes={
            "case": [None, case.reference], "visited_on": [None, visited_on.isoformat()],
            "operating": [None, operating], "jobs_created": [None, created], "notes": None})
        timeline.log(case, timeline.SERVICE, _(
            "Follow-up visit on %(date)s: operating: %(operating)s; monthly income %(income)s; %(jobs)d jobs created.")
            % {"date": formats.date_format(visited_on, "DATE_FORMAT"),
               "operating": visit.get_operating_display().lower(),
               "income": money(income, currency) if income is not None else _("not known"), "jobs": created},
            actor=user, obj=visit)
    return visit


# --- Reminders ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Reminder:
    case: Case
    months: int
    due_on: datetime.date
    overdue: bool


def add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    for last in (31, 30, 29, 28):
        try:
            return datetime.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)


def due_reminders(cases: QuerySet[Case], today: datetime.date | None = None) -> list[Reminder]:
    """The visits due within a month, or overdue, for the grants handed over among `cases` (in follow-up)."""
    today = today or timezone.localdate()
    cases = cases.filter(programme=Programme.DIRECT_ASSISTANCE, status__in=VISITING)
    handovers: dict[int, datetime.date] = {}
    for case_id, on in StatusChange.objects.filter(case__in=cases, action="hand_over").values_list("case_id", "on"):
        handovers[case_id] = max(on, handovers.get(case_id, on))
    visits: dict[int, list[datetime.date]] = {}
    for case_id, on in FollowUpVisit.objects.filter(case__in=cases).values_list("case_id", "visited_on"):
        visits.setdefault(case_id, []).append(on)
    reminders = []
    for case in cases.filter(pk__in=list(handovers)).order_by("reference"):
        handed = handovers[case.pk]
        for months in REMINDER_MONTHS:
            due = add_months(handed, months)
            if due > today + datetime.timedelta(days=LOOK_AHEAD_DAYS):
                continue
            answered = any(on >= due - datetime.timedelta(days=EARLY_DAYS) for on in visits.get(case.pk, []))
            if not answered:
                reminders.append(Reminder(case=case, months=months, due_on=due, overdue=due < today))
    return sorted(reminders, key=lambda r: (r.due_on, r.case.reference))
