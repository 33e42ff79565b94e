"""The quarterly report of resettlement processing, for any period: the seeds' three figures, in individuals
beside cases, by destination country and by category.

Definitions (docs/resettlement.md says the same, for a recount by hand). A period runs from its first to its
last day, both included; only cases of the resettlement programme count.

* Received and processed: the cases whose application was received in the period (the case's `opened_on`,
  the day the application was received); individuals are those cases' members (CaseMember rows) today.
* Presented for status determination: the presentations dated in the period (`presented_on`); individuals
  are the members presented at each (a case presented again after being put on hold counts again, as the
  receiving state counts it); cases are presentations.
* Departed: the workflow's departure steps dated in the period (StatusChange rows with action `depart`, by
  `on`); individuals are the step's `individuals` (the case's members when it departed); cases are the steps.

Destination and category are the case's resettlement profile as it stands (a case without one: "not
recorded"). Aggregates only: no case, no person.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count
from django.utils.translation import gettext as _

from waypoint.accounts.models import Programme
from waypoint.cases.models import Case, CaseMember, StatusChange

from .models import Category, Destination, Presentation, ResettlementProfile
from .workflow import DEPART

RES = Programme.RESETTLEMENT
NOT_RECORDED = ""
MEASURES = ("received", "presented", "departed")


@dataclass
class Figure:
    cases: int = 0
    individuals: int = 0

    def add(self, individuals: int) -> None:
        self.cases += 1
        self.individuals += individuals


@dataclass
class Line:
    code: str
    label: str
    received: Figure = field(default_factory=Figure)
    presented: Figure = field(default_factory=Figure)
    departed: Figure = field(default_factory=Figure)


@dataclass
class Report:
    start: datetime.date
    end: datetime.date
    total: Line
    by_destination: list[Line]
    by_category: list[Line]

    def as_dict(self) -> dict:
        def line(row: Line) -> dict:
            return {"code": row.code, "label": row.label, **{
                name: {"cases": getattr(row, name).cases, "individuals": getattr(row, name).individuals}
                for name in MEASURES}}

        return {"start": self.start, "end": self.end, "total": line(self.total),
                "by_destination": [line(row) for row in self.by_destination],
                "by_category": [line(row) for row in self.by_category]}


def _profiles(case_ids: set[int]) -> dict[int, tuple[str, str]]:
    return {case_id: (destination, category) for case_id, destination, category in
            ResettlementProfile.objects.filter(case_id__in=case_ids).values_list("case_id", "destination", "category")}


def compute(start: datetime.date, end: datetime.date) -> Report:
    """The three figures for the period, each a list of (case, individuals) counted once per row."""
    rows: dict[str, list[tuple[int, int]]] = {}
    received = list(Case.objects.filter(programme=RES, opened_on__range=(start, end)).values_list("pk", flat=True))
    members = Counter(dict(CaseMember.objects.filter(case_id__in=received).values("case_id")
                           .annotate(n=Count("id")).values_list("case_id", "n")))
    rows["received"] = [(case_id, members.get(case_id, 0)) for case_id in received]
    presentations = (Presentation.objects.filter(case__programme=RES, presented_on__range=(start, end))
                     .annotate(n=Count("members")).values_list("case_id", "n"))
    rows["presented"] = list(presentations)
    rows["departed"] = list(StatusChange.objects.filter(case__programme=RES, action=DEPART, on__range=(start, end))
                            .values_list("case_id", "individuals"))
    profiles = _profiles({case_id for found in rows.values() for case_id, _n in found})

    total = Line("", _("All cases"))
    by_destination: dict[str, Line] = defaultdict(lambda: Line("", ""))
    by_category: dict[str, Line] = defaultdict(lambda: Line("", ""))
    for measure in MEASURES:
        for case_id, individuals in rows[measure]:
            destination, category = profiles.get(case_id, (NOT_RECORDED, NOT_RECORDED))
            for line in (total, by_destination[destination], by_category[category]):
                getattr(line, measure).add(individuals)
    return Report(start, end, total, _ordered(by_destination, Destination), _ordered(by_category, Category))


def _ordered(lines: dict[str, Line], choices) -> list[Line]:
    """Every value of the list in its order (zeros included, so periods compare row by row), then any case
    without a profile."""
    ordered = []
    for code, label in choices.choices:
        line = lines.get(code) or Line(code, str(label))
        line.code, line.label = code, str(label)
        ordered.append(line)
    if NOT_RECORDED in lines:
        line = lines[NOT_RECORDED]
        line.code, line.label = NOT_RECORDED, _("Not recorded")
        ordered.append(line)
    return ordered


# --- Periods --------------------------------------------------------------------------------------
def quarter_of(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    first_month = 3 * ((day.month - 1) // 3) + 1
    start = datetime.date(day.year, first_month, 1)
    following = datetime.date(day.year + (first_month == 10), 1 if first_month == 10 else first_month + 3, 1)
    return start, following - datetime.timedelta(days=1)


def previous_quarter(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    start, _end = quarter_of(day)
    return quarter_of(start - datetime.timedelta(days=1))


def quarter_label(start: datetime.date) -> str:
    return _("Q%(quarter)d %(year)d") % {"quarter": (start.month - 1) // 3 + 1, "year": start.year}


def recent_quarters(today: datetime.date, count: int = 5) -> list[tuple[datetime.date, datetime.date]]:
    """The current quarter and the ones before it, newest first."""
    quarters = [quarter_of(today)]
    while len(quarters) < count:
        quarters.append(previous_quarter(quarters[-1][0]))
    return quarters
