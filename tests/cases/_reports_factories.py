"""Cases and referrals made straight in the database, with the dates and answers a statistic needs.

The services would stamp today's date on everything; the statistics and dashboards are about when
things happened, so these helpers write the rows as they would look after months of work."""

from __future__ import annotations

import datetime
import itertools
import zoneinfo

from waypoint.accounts.models import Programme
from waypoint.cases.models import Case, Channel, Referral, ReferralDirection, ReferralStatus

MOSCOW = zoneinfo.ZoneInfo("Europe/Moscow")
_numbers = itertools.count(1)


def at(day: str, time: str = "10:00") -> datetime.datetime:
    """An instant in the office's time zone: at("2026-02-02", "10:00")."""
    return datetime.datetime.fromisoformat(f"{day}T{time}").replace(tzinfo=MOSCOW)


def make_case(owner, *, programme: str = Programme.COUNTER_TRAFFICKING, channel: str = Channel.NGO,
              opened_on: str | datetime.date = "2026-02-01", status: str | None = None, **fields) -> Case:
    number = next(_numbers)
    if isinstance(opened_on, str):
        opened_on = datetime.date.fromisoformat(opened_on)
    if status is None:
        status = "intake" if programme == Programme.COUNTER_TRAFFICKING else "open"
    return Case.objects.create(
        reference=f"{programme}-{opened_on.year}-{number:05d}", programme=programme, office=owner.office,
        owner=owner, status=status, opened_on=opened_on, channel=channel, **fields,
    )


def make_referral(organisation, office, *, sent_at: datetime.datetime | None, status: str = ReferralStatus.SENT,
                  programme: str = Programme.COUNTER_TRAFFICKING, direction: str = ReferralDirection.OUTBOUND,
                  **fields) -> Referral:
    return Referral.objects.create(
        reference=f"RF-2026-{next(_numbers):05d}", organisation=organisation, office=office, programme=programme,
        direction=direction, status=status, sent_at=sent_at, **fields,
    )
