"""Workflow steps as data (`StatusChange`): the first status when a case opens, each step with the day it
happened and the individuals the case counted then; dated steps refused in the future or before the previous
step; the case page's date field and the API's `on`. And the core's booking checks for movements: a programme's
check refuses booking (audited, nothing changed) and a booked journey moved past what the check allows."""

import datetime
import json

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy

from tests.cases.service_world import denied, errors_of, last_event_id, make_world, timeline_lines
from tests.conftest import signed_in_client
from waypoint.accounts.models import Programme
from waypoint.api.services import create_token
from waypoint.cases import casework, movements, timeline, workflow
from waypoint.cases.models import CaseMember, MemberRole, MovementKind, MovementStatus, StatusChange
from waypoint.cases.workflow import State, Transition, Workflow

TODAY = timezone.localdate()
CT = Programme.COUNTER_TRAFFICKING

# A small workflow with a dated step, standing in for a programme's.
DATED = Workflow(
    states=(State("intake", gettext_lazy("Intake")), State("interviewed", gettext_lazy("Interviewed")),
            State("closed", gettext_lazy("Closed"), closed=True)),
    initial="intake",
    transitions=(
        Transition("interview", gettext_lazy("Interviewed"), ("intake",), "interviewed", dated=True),
        Transition("close", gettext_lazy("Close"), ("intake", "interviewed"), "closed", dated=True),
    ),
    closure_reasons=(("done", gettext_lazy("Done")),),
)


@pytest.fixture
def world(users, monkeypatch):
    monkeypatch.setitem(workflow._WORKFLOWS, CT, DATED)
    world = make_world(users)
    world.case.status = "intake"
    world.case.save(update_fields=["status"])
    return world


def step(user, case, action, **fields):
    case.refresh_from_db()
    return casework.transition(user, case, action, version=case.version, **fields)


def test_opening_a_case_records_its_first_status_on_the_opening_day(users, world):
    [first] = StatusChange.objects.filter(case=world.case)
    assert (first.action, first.from_status, first.on, first.individuals, first.by) == (
        "open", "", world.case.opened_on, 1, users["case_worker"])


def test_a_step_records_the_day_it_happened_and_the_individuals_of_the_case(users, world):
    worker = users["case_worker"]
    interviewed_on = TODAY - datetime.timedelta(days=3)

    step(worker, world.case, "interview", on=interviewed_on)

    change = StatusChange.objects.filter(case=world.case).last()
    assert (change.action, change.from_status, change.to_status, change.on, change.individuals, change.by) == (
        "interview", "intake", "interviewed", interviewed_on, 2, worker)  # the mother and her son
    assert "On " in timeline_lines(world.case, timeline.STATUS)[-1]


def test_a_later_member_counts_in_the_later_steps_only(users, world):
    worker = users["case_worker"]
    step(worker, world.case, "interview")
    CaseMember.objects.create(case=world.case, person=world.stranger, role=MemberRole.OTHER)
    step(worker, world.case, "close", closure_reason="done")
    assert list(StatusChange.objects.filter(case=world.case).values_list("individuals", flat=True)) == [1, 2, 3]


def test_an_undated_step_happens_today(users, world):
    worker = users["case_worker"]
    step(worker, world.case, "interview")
    assert StatusChange.objects.filter(case=world.case).last().on == TODAY


def test_a_closing_step_closes_the_case_on_the_day_it_happened(users, world):
    worker = users["case_worker"]
    step(worker, world.case, "interview", on=TODAY - datetime.timedelta(days=3))
    case = step(worker, world.case, "close", closure_reason="done", on=TODAY - datetime.timedelta(days=1))
    assert case.closed_on == TODAY - datetime.timedelta(days=1)


@pytest.mark.parametrize(("days", "message"), [(1, "cannot be in the future"), (-31, "previous step")])
def test_a_step_in_the_future_or_before_the_previous_one_is_refused_and_nothing_is_written(
        users, world, days, message):
    worker = users["case_worker"]
    before = StatusChange.objects.count()
    with pytest.raises(ValidationError) as excinfo:
        step(worker, world.case, "interview", on=TODAY + datetime.timedelta(days=days))
    assert message in errors_of(excinfo)["on"][0]
    world.case.refresh_from_db()
    assert world.case.status == "intake"
    assert StatusChange.objects.count() == before


def test_a_step_cannot_go_back_before_the_step_before_it(users, world):
    worker = users["case_worker"]
    step(worker, world.case, "interview", on=TODAY - datetime.timedelta(days=2))
    with pytest.raises(ValidationError) as excinfo:
        step(worker, world.case, "close", closure_reason="done", on=TODAY - datetime.timedelta(days=5))
    assert "previous step" in errors_of(excinfo)["on"][0]


def test_the_case_page_asks_the_day_of_a_dated_step_and_keeps_it(users, world):
    client = signed_in_client(users["case_worker"])
    page = client.get(f"/cases/{world.case.reference}/").content.decode()
    assert 'name="on" id="on-interview"' in page
    day = TODAY - datetime.timedelta(days=4)
    response = client.post(f"/cases/{world.case.reference}/transition/", {
        "action": "interview", "version": world.case.version, "on": day.isoformat()})
    assert response.status_code == 302
    assert StatusChange.objects.filter(case=world.case).last().on == day


def test_the_case_page_names_a_future_day_and_takes_no_step(users, world):
    client = signed_in_client(users["case_worker"])
    response = client.post(f"/cases/{world.case.reference}/transition/", {
        "action": "interview", "version": world.case.version,
        "on": (TODAY + datetime.timedelta(days=2)).isoformat()})
    assert response.status_code == 200
    assert "cannot be in the future" in response.content.decode()
    world.case.refresh_from_db()
    assert world.case.status == "intake"


def test_the_api_takes_the_day_of_a_step(users, world):
    worker = users["case_worker"]
    token = create_token(worker, name="test", valid_days=1)[1]
    day = TODAY - datetime.timedelta(days=6)
    response = signed_in_client(worker).post(
        f"/api/v1/cases/{world.case.reference}/transitions", json.dumps({
            "action": "interview", "version": world.case.version, "on": day.isoformat()}),
        content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200, response.content
    assert StatusChange.objects.filter(case=world.case).last().on == day


def test_status_changes_are_never_changed_through_the_policy(users, world):
    from waypoint.accounts import policy

    rows = StatusChange.objects.filter(case=world.case)
    assert policy.scope(users["case_worker"], rows, "view").count() == 1
    assert not policy.scope(users["case_worker"], rows, "change").exists()
    assert not policy.scope(users["case_worker_b"], rows, "view").exists()


# --- Booking checks ------------------------------------------------------------------------------
@pytest.fixture
def flight(users, world, monkeypatch):
    monkeypatch.setattr(movements, "_BOOKING_CHECKS", {})
    departs = timezone.now() + datetime.timedelta(days=10)
    return movements.plan_movement(
        users["case_worker"], world.case, kind=MovementKind.INTERNATIONAL, travellers=[world.mother, world.son],
        origin="Moscow", origin_country="RU", destination="Tashkent", destination_country="UZ", departs_at=departs)


def no_travel_after(limit: datetime.date):
    def check(movement, travellers):
        day = movements.day_of(movement.departs_at)
        return [f"{person.reference} may not travel on {day}" for person in travellers] if day > limit else []
    return check


def test_a_programme_check_refuses_booking_audits_it_and_changes_nothing(users, world, flight):
    movements.register_booking_check(CT, no_travel_after(TODAY))
    worker = users["case_worker"]
    since = last_event_id()
    with pytest.raises(ValidationError) as excinfo:
        movements.set_movement_status(worker, flight, MovementStatus.BOOKED, version=flight.version)
    assert errors_of(excinfo)["status"] == [f"{p.reference} may not travel on {movements.day_of(flight.departs_at)}"
                                            for p in (world.mother, world.son)]
    flight.refresh_from_db()
    assert flight.status == MovementStatus.PLANNED
    [event] = denied(since, worker)
    assert event.changes["refused"] == "movement:booked"


def test_a_check_of_another_programme_does_not_apply(users, world, flight):
    movements.register_booking_check(Programme.RESETTLEMENT, no_travel_after(TODAY))
    booked = movements.set_movement_status(users["case_worker"], flight, MovementStatus.BOOKED,
                                           version=flight.version)
    assert booked.status == MovementStatus.BOOKED


def test_a_booked_journey_cannot_be_moved_past_what_the_check_allows(users, world, flight):
    worker = users["case_worker"]
    movements.register_booking_check(CT, no_travel_after(TODAY + datetime.timedelta(days=20)))
    booked = movements.set_movement_status(worker, flight, MovementStatus.BOOKED, version=flight.version)
    with pytest.raises(ValidationError) as excinfo:
        movements.update_movement(worker, booked, version=booked.version,
                                  departs_at=timezone.now() + datetime.timedelta(days=40))
    assert "may not travel" in errors_of(excinfo)["departs_at"][0]
    flight.refresh_from_db()
    assert movements.day_of(flight.departs_at) == movements.day_of(booked.departs_at)
    # Registering the same check twice runs it once.
    movements.register_booking_check(CT, movements._BOOKING_CHECKS[CT][0])
    assert len(movements._BOOKING_CHECKS[CT]) == 1


def test_a_programme_may_name_its_own_travel_service(users, world, monkeypatch):
    monkeypatch.setattr(movements, "_TRAVEL_SERVICES", {})
    movements.register_travel_service(CT, MovementKind.INTERNATIONAL, "resettlement_travel")
    from waypoint.cases.models import ServiceType

    ServiceType.objects.filter(code="resettlement_travel").update(programmes=[])  # offered here for the test
    movement = movements.plan_movement(
        users["case_worker"], world.case, kind=MovementKind.INTERNATIONAL, travellers=[world.mother],
        origin="Moscow", origin_country="RU", destination="New York", destination_country="US",
        departs_at=timezone.now() + datetime.timedelta(days=5))
    assert movement.delivery.service_type.code == "resettlement_travel"


# --- Closure reasons per step ----------------------------------------------------------------------
WITHDRAWABLE = Workflow(
    states=(State("intake", gettext_lazy("Intake")), State("closed", gettext_lazy("Closed"), closed=True),
            State("withdrawn", gettext_lazy("Withdrawn"), closed=True)),
    initial="intake",
    transitions=(
        Transition("close", gettext_lazy("Close"), ("intake",), "closed"),
        Transition("withdraw", gettext_lazy("Withdraw"), ("intake",), "withdrawn", closure_reasons=("changed_mind",)),
    ),
    closure_reasons=(("done", gettext_lazy("Done")), ("changed_mind", gettext_lazy("Changed their mind"))),
)


def test_a_closing_step_offers_and_accepts_only_its_own_reasons(users, world, monkeypatch):
    monkeypatch.setitem(workflow._WORKFLOWS, CT, WITHDRAWABLE)
    worker = users["case_worker"]
    offered = {choice.action: [code for code, _label in choice.closure_choices]
               for choice in casework.available_actions(world.case)}
    assert offered == {"close": ["done", "changed_mind"], "withdraw": ["changed_mind"]}
    with pytest.raises(ValidationError) as excinfo:
        step(worker, world.case, "withdraw", closure_reason="done")
    assert "closure_reason" in errors_of(excinfo)
    case = step(worker, world.case, "withdraw", closure_reason="changed_mind")
    assert (case.status, case.closure_reason) == ("withdrawn", "changed_mind")


def test_a_workflow_cannot_name_a_closure_reason_it_does_not_have():
    with pytest.raises(ValueError, match="unknown closure reasons"):
        Workflow(states=(State("a", gettext_lazy("A")), State("b", gettext_lazy("B"), closed=True)), initial="a",
                 transitions=(Transition("close", gettext_lazy("Close"), ("a",), "b", closure_reasons=("x",)),),
                 closure_reasons=(("done", gettext_lazy("Done")),))
