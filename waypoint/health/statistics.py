"""Counting the health unit's work without personal data: assessments done in a period and the people assessed.

An assessment counts in the period of its date (`assessed_on`), once it is done; cancelled and still requested
ones are not assessments. "Individuals" are distinct persons: one person screened twice is two assessments and
one individual. Breakdowns: by kind, by month, by programme of the case that asked for it, the clearance
outcomes of fitness-to-travel and immigration examinations, TB screening results (screened ones only), and the
follow-ups (assessments that needed one, the follow-up cases opened, the referrals to treatment sent from those
cases for the person assessed, and the follow-ups still open today).

Protected output follows the shared small-number rule (`core.reports.tables`): below
`MIN_PUBLISHED_TOTAL` assessments no breakdown at all; counts from 1 to 4 hidden as "[c]", and more where a hidden
one could be worked out from a total. It applies to every export and, on screen, to everyone but the managers of
the migration health programme (who may read the assessments themselves).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef
from django.db.models.functions import TruncMonth
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from waypoint.accounts import policy
from waypoint.accounts.models import Programme, Role, User
from waypoint.cases.models import Referral, ReferralDirection
from waypoint.core.reports.tables import (
    HIDDEN,
    MIN_PUBLISHED_TOTAL,
    SMALL_CELL_THRESHOLD,
    Cell,
    Column,
    Row,
    Table,
    apply_small_number_rule,
    percent,
)

from . import queries
from .models import CLEARANCE_TYPES, AssessmentStatus, AssessmentType, Clearance, HealthAssessment, TBResult

__all__ = ["HIDDEN", "SMALL_CELL_THRESHOLD", "HealthStatistics", "compute", "sees_exact_counts"]


@dataclass
class HealthStatistics:
    start: datetime.date
    end: datetime.date
    protected: bool
    summary: list[tuple[str, Cell]]
    tables: list[Table] = field(default_factory=list)
    withheld: bool = False
    minimum: int = MIN_PUBLISHED_TOTAL
    threshold: int = SMALL_CELL_THRESHOLD

    @property
    def withheld_text(self) -> str:
        return _("Fewer than %(n)d assessments in this period: breakdowns are not shown to protect the people "
                 "assessed.") % {"n": self.minimum}


def sees_exact_counts(user: User) -> bool:
    """Managers of the migration health programme read the assessments themselves; M&E gets the rule."""
    return (policy.may(user, policy.VIEW_HEALTH_STATISTICS) and user.role == Role.PROGRAMME_MANAGER
            and policy.may(user, policy.VIEW_HEALTH_DATA))


def _columns() -> list[Column]:
    return [Column(_("Assessments")), Column(_("Individuals"), percent=False)]


def _table(key: str, title: str, heading: str, keyed: list[tuple[str, str]], counts: dict, people: dict,
           total: Cell, individuals: Cell, *, sensitive: bool = True, note: str = "") -> Table:
    rows = [Row(code, label, [Cell(counts.get(code, 0), percent(counts.get(code, 0), total.count), sensitive),
                              Cell(people.get(code, 0), None, sensitive)])
            for code, label in keyed]
    table = Table(key, title, heading, _columns(), rows, note=note)
    table.groups = [(total, [row.cells[0] for row in rows]), (individuals, [row.cells[1] for row in rows])]
    return table


def _by(base, name: str) -> tuple[dict, dict]:
    grouped = base.values(name).annotate(n=Count("id"), people=Count("person", distinct=True)).order_by()
    return ({row[name]: row["n"] for row in grouped}, {row[name]: row["people"] for row in grouped})


def _months(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    months, day = [], start.replace(day=1)
    while day <= end:
        months.append(day)
        day = (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return months


def compute(start: datetime.date, end: datetime.date, *, protect: bool,
            today: datetime.date | None = None) -> HealthStatistics:
    today = today or timezone.localdate()
    base = HealthAssessment.objects.filter(status=AssessmentStatus.DONE, assessed_on__gte=start,
                                           assessed_on__lte=end).order_by()
    done = base.count()
    total = Cell(done, None, sensitive=False)
    individuals = Cell(base.values("person").distinct().count(), None, sensitive=False)
    requested = HealthAssessment.objects.filter(requested_on__gte=start, requested_on__lte=end).count()
    summary = [(_("Assessments done"), total), (_("Individuals assessed"), individuals),
               (_("Examinations requested in the period"), Cell(requested, None, sensitive=False)),
               (_("Examinations waiting today"), Cell(queries.waiting().count(), None, sensitive=False))]
    statistics = HealthStatistics(start, end, protect, summary)
    if protect and done < MIN_PUBLISHED_TOTAL:
        statistics.withheld = True
        return statistics

    counts, people = _by(base, "assessment_type")
    tables = [_table("type", _("Assessments by kind"), _("Kind"), list(AssessmentType.choices), counts, people,
                     total, individuals)]
    monthly = base.annotate(month=TruncMonth("assessed_on"))
    counts, people = _by(monthly, "month")
    counts = {_month_key(k): v for k, v in counts.items()}
    people = {_month_key(k): v for k, v in people.items()}
    months = [(m.strftime("%Y-%m"), formats.date_format(m, "YEAR_MONTH_FORMAT")) for m in _months(start, end)]
    tables.append(_table("month", _("Assessments by month"), _("Month"), months, counts, people, total, individuals,
                         sensitive=False))
    counts, people = _by(base, "case__programme")
    tables.append(_table("programme", _("Assessments by programme of the case"), _("Programme"),
                         list(Programme.choices), counts, people, total, individuals, sensitive=False,
                         note=_("The programme of the case that asked for the examination.")))
    clearances = base.filter(assessment_type__in=CLEARANCE_TYPES)
    counts, people = _by(clearances, "clearance")
    tables.append(_table("clearance", _("Clearance outcomes"), _("Outcome"), list(Clearance.choices), counts, people,
                         Cell(clearances.count(), None), Cell(clearances.values("person").distinct().count(), None),
                         note=_("Fitness-to-travel and immigration medical examinations only.")))
    screened = base.exclude(tb_result=TBResult.NOT_DONE)
    counts, people = _by(screened, "tb_result")
    tables.append(_table("tb", _("TB screening results"), _("Result"),
                         [(c, label) for c, label in TBResult.choices if c != TBResult.NOT_DONE], counts, people,
                         Cell(screened.count(), None), Cell(screened.values("person").distinct().count(), None),
                         note=_("Assessments that screened for TB, whatever their kind.")))
    tables.append(_follow_up_table(base, total))
    statistics.tables = tables
    if protect:
        apply_small_number_rule([group for table in tables for group in table.groups])
    return statistics


def _month_key(value) -> str:
    return value.strftime("%Y-%m") if value else ""


def _follow_up_table(base, total: Cell) -> Table:
    needed = base.filter(follow_up_needed=True)
    with_case = needed.filter(follow_up_case__isnull=False)
    still_open = queries.open_follow_ups(needed)
    referrals = Referral.objects.filter(direction=ReferralDirection.OUTBOUND, sent_at__isnull=False).filter(
        Exists(needed.filter(follow_up_case=OuterRef("case"), person=OuterRef("person"))))

    def row(key: str, label: str, rows, *, people_field: str = "person") -> Row:
        count = rows.count()
        return Row(key, label, [Cell(count, percent(count, total.count) if key == "needed" else None),
                                Cell(rows.values(people_field).distinct().count(), None)])

    rows = [row("needed", _("Follow-up needed"), needed),
            row("case", _("Follow-up case opened"), with_case),
            row("referred", _("Referrals to treatment sent"), referrals),
            row("open", _("Follow-ups still open today"), still_open)]
    table = Table("follow_up", _("Follow-ups and referrals to treatment"), pgettext("medical", "Follow-up"),
                  [Column(_("Assessments or referrals")), Column(_("Individuals"), percent=False)], rows,
                  note=_("Referrals to treatment: referrals sent to a partner from the person's follow-up case."))
    table.groups = [(cell, []) for r in rows for cell in r.cells]
    return table
