"""The programme's figures for a period, by compact settlement and by item type (definitions: docs/livelihoods.md).

Counted from what was recorded with its date, never from text: steps from `StatusChange` (the day the step
happened), items from their handover act's date, visits from their day. Aggregates only: no case, no person.

- applications: DAP cases opened (applications received) in the period;
- grants approved / rejected: "approve" / "reject" steps dated in the period; approved value: their approved
  values, per currency;
- grants handed over: "hand_over" steps dated in the period; individuals: the case's members at that step;
  enterprises: distinct enterprises of those grants;
- items and value: items whose handover act is dated in the period (cancelled ones never count), per currency;
- jobs created and operating rate: of the grants visited in the period, the latest visit in the period of each;
  the operating rate is the share of them operating ("partly" counted apart).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from waypoint.accounts.models import Programme
from waypoint.cases.models import Case, StatusChange

from .models import FollowUpVisit, GrantApplication, GrantItem, ItemStatus, ItemType, Operating, Settlement


def share(part: int, whole: int) -> Decimal | None:
    return None if not whole else (Decimal(100) * part / whole).quantize(Decimal("0.1"))


@dataclass
class Row:
    label: str
    applications: int = 0
    approved: int = 0
    rejected: int = 0
    approved_value: dict[str, Decimal] = field(default_factory=dict)
    handed_over: int = 0
    enterprises: set[int] = field(default_factory=set)
    individuals: int = 0
    items: int = 0
    quantity: int = 0
    value: dict[str, Decimal] = field(default_factory=dict)
    grants_with_items: set[int] = field(default_factory=set)
    visited: int = 0
    operating: int = 0
    partly: int = 0
    jobs: int = 0
    jobs_women: int = 0
    jobs_migrants: int = 0

    @property
    def enterprise_count(self) -> int:
        return len(self.enterprises)

    @property
    def grant_count(self) -> int:
        return len(self.grants_with_items)

    @property
    def operating_rate(self) -> Decimal | None:
        return share(self.operating, self.visited)

    @property
    def partly_rate(self) -> Decimal | None:
        return share(self.partly, self.visited)


def _add(totals: dict[str, Decimal], currency: str, value: Decimal | None) -> None:
    if value is not None:
        totals[currency] = totals.get(currency, Decimal("0")) + value


@dataclass
class LivelihoodStatistics:
    start: datetime.date
    end: datetime.date
    by_settlement: list[Row]
    by_item_type: list[Row]
    total: Row
    currencies: list[str]


def compute(start: datetime.date, end: datetime.date) -> LivelihoodStatistics:
    cases = Case.objects.filter(programme=Programme.DIRECT_ASSISTANCE)
    applications = {a.case_id: a for a in GrantApplication.objects.filter(case__in=cases).select_related("enterprise")}
    settlement_of = {case_id: a.enterprise.settlement_id for case_id, a in applications.items()}
    rows: dict[int, Row] = {s.pk: Row(str(s)) for s in Settlement.objects.order_by("region", "name")}
    total = Row("")

    def targets(case_id: int) -> list[Row]:
        settlement = settlement_of.get(case_id)
        return [rows[settlement], total] if settlement in rows else [total]

    for case_id in cases.filter(opened_on__range=(start, end)).values_list("pk", flat=True):
        for row in targets(case_id):
            row.applications += 1
    steps = StatusChange.objects.filter(case__in=cases, on__range=(start, end),
                                        action__in=("approve", "reject", "hand_over"))
    for case_id, action, individuals in steps.values_list("case_id", "action", "individuals"):
        application = applications.get(case_id)
        for row in targets(case_id):
            if action == "approve":
                row.approved += 1
                if application is not None:
                    _add(row.approved_value, application.currency, application.approved_value)
            elif action == "reject":
                row.rejected += 1
            else:
                row.handed_over += 1
                row.individuals += individuals
                if application is not None:
                    row.enterprises.add(application.enterprise_id)

    types: dict[str, Row] = {code: Row(str(label)) for code, label in ItemType.choices}
    handed = GrantItem.objects.filter(case__in=cases, handover_act_date__range=(start, end)).exclude(
        status=ItemStatus.CANCELLED)
    for item in handed.only("case_id", "item_type", "quantity", "value", "currency"):
        application = applications.get(item.case_id)
        for row in [*targets(item.case_id), types[item.item_type]]:
            row.items += 1
            row.quantity += item.quantity
            _add(row.value, item.currency, item.value)
            row.grants_with_items.add(item.case_id)
            if application is not None and row is types[item.item_type]:
                row.enterprises.add(application.enterprise_id)

    latest: dict[int, FollowUpVisit] = {}
    for visit in FollowUpVisit.objects.filter(case__in=cases, visited_on__range=(start, end)).order_by(
            "case_id", "visited_on", "id"):
        latest[visit.case_id] = visit
    for case_id, visit in latest.items():
        for row in targets(case_id):
            row.visited += 1
            row.operating += visit.operating == Operating.YES
            row.partly += visit.operating == Operating.PARTLY
            row.jobs += visit.jobs_created
            row.jobs_women += visit.jobs_women
            row.jobs_migrants += visit.jobs_migrants
    currencies = sorted(set(total.value) | set(total.approved_value))
    return LivelihoodStatistics(start=start, end=end, by_settlement=list(rows.values()),
                                by_item_type=list(types.values()), total=total, currencies=currencies)


def nothing_counted(statistics: LivelihoodStatistics) -> bool:
    total = statistics.total
    return not (total.applications or total.approved or total.rejected or total.handed_over or total.items
                or total.visited)

