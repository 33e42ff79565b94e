"""Benchmark of the referral statistics and the caseload dashboards at the demo's volume.

Generates, in a throwaway SQLite file (or DATABASE_URL if set), three years of the rehabilitation centre's
work: about 450 counter-trafficking cases (sources in the seeds' shares), a few thousand services
delivered, referrals to partners with their answers, tasks and timeline lines, plus an AVRR caseload beside
them. Then it times, best of five:
  * the referral statistics of the three years, as the programme manager (through the policy) and as M&E
    (every programme), the computation alone and the whole page;
  * a case worker's dashboard and the programme manager's, the figures alone and the whole page.
Targets: statistics page under 1 s, each dashboard page under 0.5 s.
"""

from __future__ import annotations

import datetime
import random
import sys
import time
from decimal import Decimal

from _django import configure  # first: the throwaway database, before anything of Waypoint

configure()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import RequestFactory  # noqa: E402
from django.utils import timezone  # noqa: E402

from waypoint.accounts.models import Office, Programme, Role, User  # noqa: E402
from waypoint.cases import dashboards, views_reports  # noqa: E402
from waypoint.cases import statistics as stats  # noqa: E402
from waypoint.cases.models import (  # noqa: E402
    Case,
    CaseEvent,
    Channel,
    DeliveryStatus,
    Referral,
    ReferralDirection,
    ReferralStatus,
    RiskLevel,
    ServiceDelivery,
    ServiceType,
    Task,
)
from waypoint.core import views as core_views  # noqa: E402
from waypoint.partners.models import Organisation, OrganisationType  # noqa: E402

CT_CASES = 450
AVRR_CASES = 150
YEARS = 3
SEED = 2026
# The seeds' referral sources of the centre's 423 victims (missions abroad 38.3% ...), in percent.
SOURCES = {
    Channel.MISSION_ABROAD: 38.3, Channel.LAW_ENFORCEMENT: 22.2, Channel.JOINT_OPERATION: 3.1,
    Channel.STATE_STRUCTURE: 1.2, Channel.NGO: 21.5, Channel.HOTLINE: 4.8, Channel.DIPLOMATIC: 8.1,
}
TARGETS = {"statistics": 1.0, "dashboard": 0.5}


def best_of(runs: int, work) -> float:
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        timings.append(time.perf_counter() - start)
    return min(timings)


def make_staff() -> dict[str, object]:
    office = Office.objects.create(code="moscow", name="Moscow office", kind=Office.Kind.MISSION_OFFICE, city="Moscow")

    def user(username: str, role: str, programmes: list[str]) -> User:
        return User.objects.create(username=username, role=role, office=office, programmes=programmes,
                                   email=f"{username}@example.org")

    return {
        "office": office,
        "manager": user("manager", Role.PROGRAMME_MANAGER, [Programme.COUNTER_TRAFFICKING]),
        "me": user("me", Role.ME_OFFICER, []),
        "workers": [user(f"worker{n}", Role.CASE_WORKER, [Programme.COUNTER_TRAFFICKING]) for n in range(6)],
        "avrr_worker": user("avrr", Role.CASE_WORKER, [Programme.RETURN]),
    }


def make_partners(rng: random.Random) -> list[Organisation]:
    kinds = [OrganisationType.NGO] * 20 + [OrganisationType.LAW_ENFORCEMENT] * 6 + [OrganisationType.DIPLOMATIC] * 8 + [
        OrganisationType.MISSION] * 6 + [OrganisationType.HEALTH] * 4 + [OrganisationType.SOCIAL] * 4
    return Organisation.objects.bulk_create([
        Organisation(name=f"{kind.label} {number}", organisation_type=kind) for number, kind in enumerate(kinds, 1)
    ])


def generate(staff: dict, rng: random.Random) -> dict[str, int]:
    """Cases over the last three years with services, referrals, tasks and timeline lines."""
    today = timezone.localdate()
    now = timezone.now()
    partners = make_partners(rng)
    types = list(ServiceType.objects.all())
    office = staff["office"]
    channels, weights = list(SOURCES), list(SOURCES.values())
    cases = []
    for number in range(CT_CASES + AVRR_CASES):
        ct = number < CT_CASES
        opened = today - datetime.timedelta(days=rng.randrange(YEARS * 365))
        age = (today - opened).days
        if ct:
            status = "intake" if age < 10 else "Active" if age < 90 else rng.choice(
                ["FollowUp", "Closed", "Closed", "ClosedReferred"])
        else:
            status = "open" if age < 120 else "closed"
        owner = rng.choice(staff["workers"]) if ct else staff["avrr_worker"]
        cases.append(Case(
            reference=f"{'CT' if ct else 'AVRR'}-{opened.year}-{number + 1:05d}",
            programme=Programme.COUNTER_TRAFFICKING if ct else Programme.RETURN, office=office, owner=owner,
            status=status, opened_on=opened, channel=rng.choices(channels, weights)[0],
            risk_level=rng.choice(list(RiskLevel.values)), referring_organisation=rng.choice(partners + [None] * 10),
        ))
    cases = Case.objects.bulk_create(cases, batch_size=500)
    through = Case.assigned.through
    through.objects.bulk_create([through(case_id=case.pk, user_id=rng.choice(staff["workers"]).pk)
                                 for case in cases if case.programme == Programme.COUNTER_TRAFFICKING
                                 and rng.random() < 0.3], ignore_conflicts=True)

    deliveries, referrals, tasks, events = [], [], [], []
    for case in cases:
        for _ in range(rng.randint(3, 9)):
            day = min(case.opened_on + datetime.timedelta(days=rng.randrange(120)), today)
            deliveries.append(ServiceDelivery(
                case=case, service_type=rng.choice(types), delivered_on=day,
                status=DeliveryStatus.DELIVERED if rng.random() < 0.9 else DeliveryStatus.CANCELLED,
                cost=Decimal(rng.randrange(500, 50000)),
            ))
        for _ in range(rng.randint(1, 6)):
            sent = timezone.make_aware(datetime.datetime.combine(
                case.opened_on + datetime.timedelta(days=rng.randrange(60)), datetime.time(rng.randrange(9, 18))))
            sent = min(sent, now - datetime.timedelta(hours=1))
            answer = sent + datetime.timedelta(hours=rng.randrange(2, 24 * 12))
            status = rng.choices([ReferralStatus.COMPLETED, ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS,
                                  ReferralStatus.DECLINED, ReferralStatus.SENT, ReferralStatus.CANCELLED],
                                 [45, 10, 10, 15, 12, 8])[0]
            answered = status not in (ReferralStatus.SENT, ReferralStatus.CANCELLED) and answer < now
            referrals.append(Referral(
                reference=f"RF-{sent.year}-{len(referrals) + 1:06d}", organisation=rng.choice(partners),
                programme=case.programme, office=office, case=case, direction=ReferralDirection.OUTBOUND,
                status=status if answered or status == ReferralStatus.CANCELLED else ReferralStatus.SENT,
                sent_at=sent, responded_at=answer if answered else None,
                completed_at=answer + datetime.timedelta(days=rng.randrange(3, 60))
                if answered and status == ReferralStatus.COMPLETED else None,
                due_on=sent.date() + datetime.timedelta(days=7),
            ))
        for _ in range(rng.randint(2, 6)):
            due = case.opened_on + datetime.timedelta(days=rng.randrange(200))
            tasks.append(Task(case=case, title=f"Task {len(tasks) + 1}", due_on=due,
                              done_at=now if due < today - datetime.timedelta(days=14) else None))
        for _ in range(rng.randint(4, 12)):
            at = min(timezone.make_aware(datetime.datetime.combine(
                case.opened_on + datetime.timedelta(days=rng.randrange(200)), datetime.time(12))), now)
            events.append(CaseEvent(case=case, kind="note", summary="Worked on the case.", at=at,
                                    actor=case.owner if rng.random() < 0.7 else staff["manager"]))
    for number in range(120):  # partners referring people to the office through Waypoint
        sent = now - datetime.timedelta(days=rng.randrange(YEARS * 365))
        referrals.append(Referral(
            reference=f"RF-IN-{number + 1:06d}", organisation=rng.choice(partners),
            programme=Programme.COUNTER_TRAFFICKING, office=office, direction=ReferralDirection.INBOUND,
            channel=rng.choices(channels, weights)[0], sent_at=sent,
            status=rng.choice([ReferralStatus.SENT, ReferralStatus.ACCEPTED]),
        ))
    with transaction.atomic():
        ServiceDelivery.objects.bulk_create(deliveries, batch_size=1000)
        Referral.objects.bulk_create(referrals, batch_size=1000)
        Task.objects.bulk_create(tasks, batch_size=1000)
        CaseEvent.objects.bulk_create(events, batch_size=1000)
    return {"cases": len(cases), "deliveries": len(deliveries), "referrals": len(referrals), "tasks": len(tasks),
            "timeline lines": len(events)}


def request_for(user: User, path: str = "/", **params):
    """A signed-in request past the second factor (what the middleware would make of it)."""
    request = RequestFactory().get(path, params)
    user.is_verified = lambda: True
    request.user = user
    request.session = {}
    return request


def main() -> int:
    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor} ({connection.settings_dict['NAME']})")
    rng = random.Random(SEED)
    staff = make_staff()
    start = time.perf_counter()
    counts = generate(staff, rng)
    print("generated " + ", ".join(f"{count:,} {name}" for name, count in counts.items())
          + f" in {time.perf_counter() - start:.1f} s")

    today = timezone.localdate()
    first = today.replace(year=today.year - YEARS)
    manager, me, worker = staff["manager"], staff["me"], staff["workers"][0]
    period = {"date_from": first.isoformat(), "date_to": today.isoformat()}

    def statistics_for(user: User):
        cases, referrals = views_reports.counted_rows(user)
        return stats.compute(cases, referrals, first, today, views_reports.readable_programmes(user), today=today)

    figures = statistics_for(manager)
    print(f"(three years of CT: {figures.cases:,} cases, {figures.outbound_total.sent:,} referrals to partners, "
          f"{figures.outbound_total.acceptance_rate}% accepted, median {figures.outbound_total.median_days_to_accept} "
          f"days to accept; mission abroad {figures.by_source[0].share}% of cases)")
    results = [
        ("referral statistics, 3 years (manager)", best_of(5, lambda: statistics_for(manager)), None),
        ("referral statistics, 3 years (M&E, all)", best_of(5, lambda: statistics_for(me)), None),
        ("referral statistics page (manager)", best_of(5, lambda: views_reports.referral_statistics(
            request_for(manager, "/reports/referrals/", **period))), TARGETS["statistics"]),
        ("referral statistics CSV (M&E)", best_of(5, lambda: views_reports.referral_statistics_csv(
            request_for(me, "/reports/referrals/export.csv", **period))), TARGETS["statistics"]),
        ("case worker's figures", best_of(5, lambda: dashboards.caseload(worker, today)), None),
        ("case worker's dashboard page", best_of(5, lambda: core_views.dashboard(request_for(worker))),
         TARGETS["dashboard"]),
        ("programme manager's figures", best_of(5, lambda: dashboards.programme_overview(manager, today)), None),
        ("programme manager's dashboard page", best_of(5, lambda: core_views.dashboard(request_for(manager))),
         TARGETS["dashboard"]),
    ]
    ok = True
    for label, seconds, target in results:
        if target is None:
            print(f"{label:<42} {seconds:>8.3f} s")
            continue
        verdict = "ok" if seconds <= target else "ABOVE TARGET"
        ok = ok and seconds <= target
        print(f"{label:<42} {seconds:>8.3f} s   target <= {target:g} s   {verdict}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
