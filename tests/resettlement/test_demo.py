"""The resettlement demo at the seeds' scale: its last full quarter, computed by the report, matches a plain
recount of the rows, and every departure it holds passed the departure's guards."""

import datetime
import io
import time
from collections import defaultdict

import pytest
from django.db import transaction
from django.utils import timezone

from waypoint.accounts import demo as accounts_demo
from waypoint.cases.models import Case, CaseMember, Movement, StatusChange
from waypoint.partners import demo as partners_demo
from waypoint.resettlement import checks, demo, report
from waypoint.resettlement.models import Presentation, ProcessingTrip, ResettlementProfile


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        partners_demo.load(io.StringIO())
        accounts_demo.load(io.StringIO())
        started = time.monotonic()
        out = io.StringIO()
        demo.load(out)
        seconds = time.monotonic() - started
        yield {"out": out.getvalue(), "seconds": seconds}
        transaction.set_rollback(True)


def recount(start: datetime.date, end: datetime.date) -> dict:
    """The report's definitions, by hand from the raw rows (docs/resettlement.md)."""
    inside = lambda day: start <= day <= end  # noqa: E731
    destination = dict(ResettlementProfile.objects.values_list("case_id", "destination"))
    programme = dict(Case.objects.values_list("pk", "programme"))
    figures = defaultdict(lambda: [0, 0])

    def add(measure, case_id, individuals):
        for key in ((measure, "all"), (measure, destination.get(case_id, ""))):
            figures[key][0] += 1
            figures[key][1] += individuals

    members = defaultdict(int)
    for case_id in CaseMember.objects.values_list("case_id", flat=True):
        members[case_id] += 1
    for case_id, opened_on in Case.objects.values_list("pk", "opened_on"):
        if programme[case_id] == "RES" and inside(opened_on):
            add("received", case_id, members[case_id])
    presented = defaultdict(int)
    for presentation_id in Presentation.members.through.objects.values_list("presentation_id", flat=True):
        presented[presentation_id] += 1
    for pk, case_id, presented_on in Presentation.objects.values_list("pk", "case_id", "presented_on"):
        if programme[case_id] == "RES" and inside(presented_on):
            add("presented", case_id, presented[pk])
    for case_id, action, on, individuals in StatusChange.objects.values_list("case_id", "action", "on", "individuals"):
        if programme[case_id] == "RES" and action == "depart" and inside(on):
            add("departed", case_id, individuals)
    return {key: tuple(value) for key, value in figures.items()}


def as_pairs(computed: report.Report) -> dict:
    found = {}
    for measure in report.MEASURES:
        found[(measure, "all")] = (getattr(computed.total, measure).cases, getattr(computed.total, measure).individuals)
        for line in computed.by_destination:
            figure = getattr(line, measure)
            if figure.cases:
                found[(measure, line.code)] = (figure.cases, figure.individuals)
    return found


@pytest.mark.django_db
def test_the_last_full_quarter_matches_a_recount_and_the_seeds_scale(loaded):
    start, end = report.previous_quarter(timezone.localdate())
    computed = report.compute(start, end)
    assert as_pairs(computed) == recount(start, end)
    total = computed.total
    print(f"\nDemo {start}..{end}: received {total.received.individuals} individuals ({total.received.cases} cases), "
          f"presented {total.presented.individuals} ({total.presented.cases} presentations), departed "
          f"{total.departed.individuals} ({total.departed.cases} cases); loaded in {loaded['seconds']:.1f} s")
    assert 690 <= total.received.individuals <= 890
    assert 820 <= total.presented.individuals <= 1050
    assert 510 <= total.departed.individuals <= 700
    assert 2.3 <= total.received.individuals / total.received.cases <= 2.9
    us = next(line for line in computed.by_destination if line.code == "US")
    assert us.received.cases > total.received.cases / 2
    assert all(line.received.cases for line in computed.by_destination)  # Canada and Australia too
    for quarter in (report.previous_quarter(start), report.quarter_of(timezone.localdate())):
        other = report.compute(*quarter)
        assert as_pairs(other) == recount(*quarter)
        assert other.total.received.cases > 0
        assert other.total.presented.cases > 0


@pytest.mark.django_db
def test_the_demo_is_quick_idempotent_and_its_departures_passed_the_guards(loaded):
    assert loaded["seconds"] < 60
    before = Case.objects.filter(programme="RES").count()
    demo.load(io.StringIO())
    assert Case.objects.filter(programme="RES").count() == before
    departed = list(Case.objects.filter(programme="RES", status_changes__action="depart").distinct()[:150])
    assert departed
    for case in departed:
        journey = checks.departure_journey(case)
        assert journey is not None
        assert journey.status == "completed"
        day = StatusChange.objects.get(case=case, action="depart").on
        assert checks.clearance_problems(case, list(journey.travellers.all()), day) == [], case.reference
        assert checks.orientation_attended(case) == []
        assert checks.assurance_received(case) == []
    assert Movement.objects.filter(case__programme="RES", status="booked").exists()
    trips = ProcessingTrip.objects.all()
    assert {trip.city for trip in trips} >= {"Almaty", "Tashkent", "Malta", "Yerevan", "Krasnodar"}
    assert Presentation.objects.filter(trip__isnull=False).count() > Presentation.objects.count() / 2
    waiting = Case.objects.filter(programme="RES", status__in=("approved", "travel_booked"))
    soon = timezone.localdate() + datetime.timedelta(days=30)
    assert waiting.filter(resettlement_clearances__valid_until__lte=soon).exists()
    assert Case.objects.filter(programme="RES", status="on_hold").exists()
