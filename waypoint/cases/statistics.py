"""Referral statistics: where cases come from, and how partners answer the office's referrals.

The seeds count the rehabilitation centre's 423 victims by who referred them (missions abroad 38.3%, law
enforcement 22.2%, NGOs 21.5% ...): `cases_by_source` makes that table for any period and programmes, from
`Case.channel` (a case opened from an inbound referral without a channel of its own takes the referral's).
`outbound_by_organisation` follows the office's referrals to partners (sent, accepted, declined, completed,
acceptance rate, time to accept and to complete); `inbound_by_organisation` the organisations that refer
people to the office.

Everything here is a pure function of the querysets it is given: the caller decides whose rows they are
(`policy.scope` for a programme manager; every case of the chosen programmes for M&E, who read aggregates
only). Nothing returned names a person or a case.

Small numbers. These are counts of cases and referrals by channel and by organisation, not by anything that
describes a person (nationality, sex, age, type of exploitation): the hotline's small-number rule
(`hotline.statistics.apply_small_number_rule`) is for breakdowns by person attributes, and none is made here,
so every cell is shown. A breakdown by person attributes added later must apply that rule.

Definitions (the page and `docs/reports.md` say them in words):
* a case counts in the period it was opened in (`opened_on`);
* a referral counts in the period it was sent in (`sent_at`, or when it was recorded if it has none); drafts
  never count;
* accepted means accepted or later: accepted, in progress, completed, and cancelled after an acceptance (a
  cancelled referral with an answer date: declined ones stay declined); answered means accepted or declined;
  the acceptance rate is accepted / answered;
* time to accept runs from `sent_at` to `responded_at` of the accepted; time to complete from `sent_at` to
  `completed_at` of the completed. In days (hours count as fractions of a day), or in working days (Monday to
  Friday, whole days between the two dates in the office's time zone);
* an overdue referral was sent to a partner, is still unanswered and its answer date (`due_on`) has passed.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, Q, QuerySet, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone
from django.utils.translation import gettext as _

from waypoint.partners.models import Organisation

from .models import Case, Channel, Referral, ReferralDirection, ReferralStatus

ONE_DECIMAL = Decimal("0.1")
HUNDRED = Decimal(100)
SECONDS_PER_DAY = Decimal(86400)
ACCEPTED_OR_LATER = (ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS, ReferralStatus.COMPLETED)
NOT_RECORDED = ""


# --- Small arithmetic -----------------------------------------------------------------------------
def _round(value: Decimal) -> Decimal:
    return value.quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


def share(count: int, total: int) -> Decimal | None:
    """A share in percent with one decimal, rounded half up, as the seeds write them (162 of 423: 38.3)."""
    if not total:
        return None
    return _round(Decimal(count) * HUNDRED / Decimal(total))


def median(values: Sequence[Decimal]) -> Decimal | None:
    """The middle value (the mean of the two middle ones for an even count), to one decimal."""
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    value = ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2
    return _round(value)


def mean(values: Sequence[Decimal]) -> Decimal | None:
    if not values:
        return None
    return _round(sum(values, Decimal(0)) / len(values))


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """Monday-to-Friday days after `start` up to and including `end` (Friday → Monday: 1; same day: 0)."""
    if end <= start:
        return 0
    weeks, extra = divmod((end - start).days, 7)
    days = weeks * 5
    for offset in range(1, extra + 1):
        if (start + datetime.timedelta(days=offset)).weekday() < 5:
            days += 1
    return days


def duration_in_days(begin: datetime.datetime, finish: datetime.datetime, *, working_days: bool = False) -> Decimal:
    """From `begin` to `finish` in days: calendar days with hours as fractions, or whole working days."""
    if working_days:
        return Decimal(working_days_between(timezone.localdate(begin), timezone.localdate(finish)))
    return Decimal(int((finish - begin).total_seconds())) / SECONDS_PER_DAY


def bounds(start: datetime.date, end: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The period as [first, after) instants in the office's time zone: the whole of the last day counts."""
    zone = timezone.get_current_timezone()
    first = datetime.datetime.combine(start, datetime.time.min, tzinfo=zone)
    after = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone)
    return first, after


# --- What the page, the dashboards and the CSV render ----------------------------------------------
@dataclass(frozen=True)
class SourceRow:
    key: str
    label: str
    count: int
    share: Decimal | None  # of all cases in the selection, one decimal


@dataclass
class OutboundRow:
    """The office's referrals to one organisation (or all of them: `organisation_id` None)."""

    organisation_id: object
    name: str
    sent: int = 0
    accepted: int = 0  # accepted or later
    declined: int = 0
    completed: int = 0
    cancelled: int = 0  # cancelled before any answer
    waiting: int = 0  # sent, no answer yet
    overdue: int = 0  # waiting past its answer date
    to_accept: list[Decimal] = field(default_factory=list, repr=False)
    to_complete: list[Decimal] = field(default_factory=list, repr=False)

    @property
    def answered(self) -> int:
        return self.accepted + self.declined

    @property
    def acceptance_rate(self) -> Decimal | None:
        return share(self.accepted, self.answered)

    @property
    def median_days_to_accept(self) -> Decimal | None:
        return median(self.to_accept)

    @property
    def mean_days_to_accept(self) -> Decimal | None:
        return mean(self.to_accept)

    @property
    def median_days_to_complete(self) -> Decimal | None:
        return median(self.to_complete)


@dataclass
class InboundRow:
    """One organisation that refers people to the office: the cases it referred that were opened in the
    period, and the referrals it sent through Waypoint (how many became a case, how many wait)."""

    organisation_id: object
    name: str
    cases: int = 0
    case_share: Decimal | None = None
    referrals: int = 0
    opened: int = 0
    waiting: int = 0


@dataclass
class ReferralStatistics:
    start: datetime.date
    end: datetime.date
    programmes: list[str]
    working_days: bool
    cases: int
    by_source: list[SourceRow]
    outbound: list[OutboundRow]
    outbound_total: OutboundRow
    inbound: list[InboundRow]
    inbound_total: InboundRow
    overdue: int  # outbound referrals overdue today, whenever they were sent


# --- Counting --------------------------------------------------------------------------------------
def _source():
    """A case's channel, or (opened from an inbound referral without one) the referral's channel."""
    return Coalesce(NullIf(F("channel"), Value("")), F("referral_received__channel"), Value(NOT_RECORDED))


def cases_in_period(cases: QuerySet[Case], start: datetime.date, end: datetime.date,
                    programmes: Collection[str] | None = None) -> QuerySet[Case]:
    selected = cases.filter(opened_on__gte=start, opened_on__lte=end)
    if programmes is not None:
        selected = selected.filter(programme__in=list(programmes))
    return selected.order_by()


def referrals_in_period(referrals: QuerySet[Referral], start: datetime.date, end: datetime.date,
                        programmes: Collection[str] | None = None) -> QuerySet[Referral]:
    first, after = bounds(start, end)
    selected = referrals.exclude(status=ReferralStatus.DRAFT).annotate(
        counted_at=Coalesce("sent_at", "created_at")).filter(counted_at__gte=first, counted_at__lt=after)
    if programmes is not None:
        selected = selected.filter(programme__in=list(programmes))
    return selected.order_by()


def source_rows(counts: dict[str, int], *, zeros: bool = True) -> list[SourceRow]:
    """Rows in the order of `Channel` (the seeds' order), then anything unexpected; shares of the sum."""
    total = sum(counts.values())
    entries: list[tuple[str, str]] = [(value, str(label)) for value, label in Channel.choices]
    entries += [(value, _("Not recorded") if value == NOT_RECORDED else value)
                for value in sorted(counts) if value not in Channel.values]
    return [SourceRow(value, label, counts.get(value, 0), share(counts.get(value, 0), total))
            for value, label in entries if zeros or counts.get(value, 0)]


def source_counts(cases: QuerySet[Case]) -> dict[str, int]:
    """{channel: number of cases}, counted by the database."""
    grouped = cases.order_by().annotate(source=_source()).values("source").annotate(n=Count("id"))
    return {row["source"]: row["n"] for row in grouped}


def cases_by_source(cases: QuerySet[Case], start: datetime.date, end: datetime.date,
                    programmes: Collection[str] | None = None, *, zeros: bool = True) -> tuple[int, list[SourceRow]]:
    """(cases opened in the period, one row per source with its count and share)."""
    counts = source_counts(cases_in_period(cases, start, end, programmes))
    return sum(counts.values()), source_rows(counts, zeros=zeros)


def overdue_referrals(referrals: QuerySet[Referral], today: datetime.date) -> QuerySet[Referral]:
    """Referrals to partners still waiting for an answer whose answer date has passed."""
    return referrals.filter(direction=ReferralDirection.OUTBOUND, status=ReferralStatus.SENT, due_on__lt=today)


def _names(ids: Iterable) -> dict:
    return dict(Organisation.objects.filter(pk__in=set(ids)).values_list("pk", "name"))


def _by_size(rows: list, size: Callable) -> list:
    return sorted(rows, key=lambda row: (-size(row), row.name.casefold(), str(row.organisation_id)))


def _add_outbound(row: OutboundRow, status: str, sent_at, responded_at, completed_at, due_on,
                  today: datetime.date, working_days: bool) -> None:
    row.sent += 1
    accepted = status in ACCEPTED_OR_LATER or (status == ReferralStatus.CANCELLED and responded_at is not None)
    if accepted:
        row.accepted += 1
        if sent_at and responded_at:
            row.to_accept.append(duration_in_days(sent_at, responded_at, working_days=working_days))
    elif status == ReferralStatus.DECLINED:
        row.declined += 1
    elif status == ReferralStatus.CANCELLED:
        row.cancelled += 1
    elif status == ReferralStatus.SENT:
        row.waiting += 1
        if due_on is not None and due_on < today:
            row.overdue += 1
    if status == ReferralStatus.COMPLETED:
        row.completed += 1
        if sent_at and completed_at:
            row.to_complete.append(duration_in_days(sent_at, completed_at, working_days=working_days))


def outbound_by_organisation(
    referrals: QuerySet[Referral], start: datetime.date, end: datetime.date,
    programmes: Collection[str] | None = None, *, today: datetime.date, working_days: bool = False,
) -> tuple[list[OutboundRow], OutboundRow]:
    """The office's referrals sent in the period, by receiving organisation (most referrals first), and
    the same figures for all organisations together. One query: medians need the single durations."""
    selected = referrals_in_period(referrals, start, end, programmes).filter(direction=ReferralDirection.OUTBOUND)
    values = selected.values_list("organisation_id", "status", "sent_at", "responded_at", "completed_at", "due_on")
    rows: dict[object, OutboundRow] = {}
    total = OutboundRow(None, _("All organisations"))
    for organisation_id, *facts in values:
        row = rows.setdefault(organisation_id, OutboundRow(organisation_id, ""))
        for target in (row, total):
            _add_outbound(target, *facts, today=today, working_days=working_days)
    names = _names(rows)
    for organisation_id, row in rows.items():
        row.name = names.get(organisation_id, "")
    return _by_size(list(rows.values()), lambda row: row.sent), total


def inbound_by_organisation(
    cases: QuerySet[Case], referrals: QuerySet[Referral], start: datetime.date, end: datetime.date,
    programmes: Collection[str] | None = None,
) -> tuple[list[InboundRow], InboundRow]:
    """Organisations that referred people: cases opened in the period that name them as referrer, and
    referrals they sent to the office through Waypoint in the period. Shares are of all cases opened."""
    period_cases = cases_in_period(cases, start, end, programmes)
    all_cases = period_cases.count()
    case_counts = dict(period_cases.filter(referring_organisation__isnull=False).values("referring_organisation_id")
                       .annotate(n=Count("id")).values_list("referring_organisation_id", "n"))
    inbound = referrals_in_period(referrals, start, end, programmes).filter(direction=ReferralDirection.INBOUND)
    referral_counts = inbound.values("organisation_id").annotate(
        n=Count("id"),
        opened=Count("id", filter=Q(opened_case__isnull=False)),
        waiting=Count("id", filter=Q(status=ReferralStatus.SENT, opened_case__isnull=True)),
    )
    rows: dict[object, InboundRow] = defaultdict(lambda: InboundRow(None, ""))
    for organisation_id, count in case_counts.items():
        rows[organisation_id].cases = count
    for entry in referral_counts:
        row = rows[entry["organisation_id"]]
        row.referrals, row.opened, row.waiting = entry["n"], entry["opened"], entry["waiting"]
    names = _names(rows)
    total = InboundRow(None, _("All organisations"))
    for organisation_id, row in rows.items():
        row.organisation_id, row.name = organisation_id, names.get(organisation_id, "")
        row.case_share = share(row.cases, all_cases)
        total.cases += row.cases
        total.referrals += row.referrals
        total.opened += row.opened
        total.waiting += row.waiting
    total.case_share = share(total.cases, all_cases)
    return _by_size(list(rows.values()), lambda row: row.cases + row.referrals), total


def compute(
    cases: QuerySet[Case], referrals: QuerySet[Referral], start: datetime.date, end: datetime.date,
    programmes: Collection[str], *, today: datetime.date, working_days: bool = False,
) -> ReferralStatistics:
    """Every table of the referral statistics for the period (inclusive) and programmes, over the rows
    of `cases` and `referrals` (already limited to what the reader may count)."""
    programmes = sorted(programmes)
    total, by_source = cases_by_source(cases, start, end, programmes)
    outbound, outbound_total = outbound_by_organisation(referrals, start, end, programmes, today=today,
                                                        working_days=working_days)
    inbound, inbound_total = inbound_by_organisation(cases, referrals, start, end, programmes)
    overdue = overdue_referrals(referrals.filter(programme__in=programmes), today).count()
    return ReferralStatistics(
        start=start, end=end, programmes=programmes, working_days=working_days, cases=total, by_source=by_source,
        outbound=outbound, outbound_total=outbound_total, inbound=inbound, inbound_total=inbound_total,
        overdue=overdue,
    )
