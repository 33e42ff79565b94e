"""The return programme's figures for a period, counting individuals (members of a case) beside cases.

Definitions (docs/returns.md):
- Departures: steps "Departed" (`StatusChange` action `depart`) dated in the period; individuals are the members
  the case counted at that step. By month of the step, by nationality (the case's latest screening) and by
  category (the questionnaire's).
- Caseload by stage: return cases open at some time in the period (opened on or before its last day, not closed
  before its first day), by their current status; individuals are their members today.
- Screening decisions: screenings dated in the period, eligible and not eligible (every screening counts, a
  repeated one too), and the reasons given.

Small numbers. Nationality and category describe the people counted: for readers who do not read the cases
themselves (M&E), a nationality or category of fewer than `SMALL_CELL_THRESHOLD` departed cases is pooled into
one "other" row (`protect=True`), so no such group of one or a few families is named; totals are unchanged.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.utils import formats
from django.utils.translation import gettext as _

from waypoint.accounts.models import Programme
from waypoint.cases.models import Case, StatusChange
from waypoint.core.reports.periods import add_months
from waypoint.core.reports.tables import SMALL_CELL_THRESHOLD
from waypoint.people.codes import country_name

from . import eligibility
from .models import Category, ReturnProfile, Screening
from .workflow import RETURN_WORKFLOW


@dataclass
class Row:
    key: str
    label: str
    cases: int = 0
    individuals: int = 0


@dataclass
class ReturnStatistics:
    start: datetime.date
    end: datetime.date
    departures: Row = field(default_factory=lambda: Row("total", ""))
    by_month: list[Row] = field(default_factory=list)
    by_nationality: list[Row] = field(default_factory=list)
    by_category: list[Row] = field(default_factory=list)
    by_stage: list[Row] = field(default_factory=list)
    caseload: Row = field(default_factory=lambda: Row("total", ""))
    screened: int = 0
    eligible: int = 0
    not_eligible: int = 0
    reasons: list[Row] = field(default_factory=list)


def _latest_nationality(case_ids: list[int]) -> dict[int, str]:
    latest: dict[int, str] = {}
    rows = Screening.objects.filter(case_id__in=case_ids).order_by("case_id", "screened_on", "id")
    for case_id, nationality in rows.values_list("case_id", "nationality"):
        latest[case_id] = nationality  # the last one of each case wins
    return latest


def _sorted(rows: dict[str, Row]) -> list[Row]:
    return sorted(rows.values(), key=lambda row: (-row.individuals, -row.cases, row.label))


POOLED = "other"


def _pooled(rows: list[Row], label: str) -> list[Row]:
    """Rows of fewer than SMALL_CELL_THRESHOLD cases (zeros hide nothing) merged into one row named `label`."""
    small = [row for row in rows if 0 < row.cases < SMALL_CELL_THRESHOLD]
    if not small:
        return rows
    other = Row(POOLED, label, sum(row.cases for row in small), sum(row.individuals for row in small))
    return [row for row in rows if row not in small] + [other]


def compute(cases: QuerySet[Case], start: datetime.date, end: datetime.date, *,
            protect: bool = False) -> ReturnStatistics:
    """Every figure of the page over `cases` (the return cases the reader's figures count); `protect` pools the
    nationalities and categories of fewer than SMALL_CELL_THRESHOLD cases."""
    cases = cases.filter(programme=Programme.RETURN)
    result = ReturnStatistics(start, end)
    result.departures.label = _("All departures")
    departures = list(StatusChange.objects.filter(case__in=cases, action="depart", on__gte=start, on__lte=end)
                      .values_list("case_id", "on", "individuals"))
    case_ids = sorted({case_id for case_id, _on, _n in departures})
    nationality = _latest_nationality(case_ids)
    category = dict(ReturnProfile.objects.filter(case_id__in=case_ids).values_list("case_id", "category"))
    months: dict[datetime.date, Row] = {}
    current = start.replace(day=1)
    while current <= end:
        months[current] = Row(current.isoformat()[:7], formats.date_format(current, "YEAR_MONTH_FORMAT"))
        current = add_months(current, 1)
    by_nationality: dict[str, Row] = {}
    categories = dict(Category.choices)
    by_category = {code: Row(code, str(label)) for code, label in Category.choices}
    by_category[""] = Row("", _("Not determined"))
    for case_id, on, individuals in departures:
        code = nationality.get(case_id, "")
        nat = by_nationality.setdefault(code, Row(code, country_name(code) if code else _("Not screened")))
        cat = by_category[category.get(case_id, "") if category.get(case_id, "") in categories else ""]
        for row in (months[on.replace(day=1)], nat, cat, result.departures):
            row.cases += 1
            row.individuals += individuals
    result.by_month = list(months.values())
    result.by_nationality = _sorted(by_nationality)
    result.by_category = [row for key, row in by_category.items() if key or row.cases]
    if protect:
        result.by_nationality = _pooled(result.by_nationality, _("Other nationalities (fewer than %(count)d cases "
                                                                 "each)") % {"count": SMALL_CELL_THRESHOLD})
        result.by_category = _pooled(result.by_category, _("Other categories (fewer than %(count)d cases each)")
                                     % {"count": SMALL_CELL_THRESHOLD})

    open_in_period = cases.filter(opened_on__lte=end).filter(Q(closed_on__isnull=True) | Q(closed_on__gte=start))
    stages = {code: Row(code, str(label)) for code, label in RETURN_WORKFLOW.choices}
    result.caseload.label = _("All stages")
    for status, members in open_in_period.annotate(n=Count("members")).values_list("status", "n"):
        row = stages.setdefault(status, Row(status, RETURN_WORKFLOW.label(status)))
        for target in (row, result.caseload):
            target.cases += 1
            target.individuals += members
    result.by_stage = list(stages.values())

    screenings = Screening.objects.filter(case__in=cases, screened_on__gte=start, screened_on__lte=end)
    reasons: Counter[str] = Counter()
    labels: dict[str, str] = {}
    for eligible, found, project in screenings.values_list("eligible", "reasons", "project__name"):
        result.screened += 1
        if eligible:
            result.eligible += 1
            continue
        result.not_eligible += 1
        for reason in found or []:
            key = reason.get("code", "") + ":" + reason.get("group", reason.get("status", ""))
            reasons[key] += 1
            labels.setdefault(key, _reason_label(reason, project))
    result.reasons = [Row(key, labels[key], count, 0) for key, count in reasons.most_common()]
    return result


def _reason_label(reason: dict, project: str) -> str:
    """A reason as a category of refusals (the group, the status), without the person's own country."""
    code = reason.get("code")
    if code == "group":
        return _("Excluded group: %(group)s") % {"group": eligibility.GROUP_LABELS.get(reason.get("group"), "")}
    if code == "country":
        return _("Excluded country")
    if code == "status":
        return eligibility.reason_text(reason, project)
    return eligibility.reason_text(reason, project)

