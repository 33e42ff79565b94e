"""Movements: planning a journey with its services, every rule of the itinerary and the escort, the steps
of the journey allowed and refused, stale edits, the panel, the forms, and reuse by the return programme."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from tests.cases.service_world import (
    denied,
    errors_of,
    events_since,
    last_event_id,
    make_world,
    render_panel,
    return_case,
    timeline_lines,
)
from waypoint.audit.models import Action
from waypoint.cases import movements, timeline
from waypoint.cases.locking import ConflictError
from waypoint.cases.models import (
    DeliveryStatus,
    EscortKind,
    Movement,
    MovementKind,
    MovementStatus,
    ServiceDelivery,
    ServiceType,
)

NOW = timezone.now()
SOON = NOW + datetime.timedelta(days=3)
EARLIER = NOW - datetime.timedelta(hours=6)


@pytest.fixture
def world(users):
    return make_world(users)


def journey(world, **fields) -> dict:
    """Mother and son flown home from Moscow to Tashkent."""
    values = {"kind": MovementKind.INTERNATIONAL, "travellers": [world.mother, world.son],
              "origin": "Moscow, Sheremetyevo", "origin_country": "RU", "destination": "Tashkent",
              "destination_country": "UZ", "departs_at": SOON, "arrives_at": SOON + datetime.timedelta(hours=4),
              "carrier": "HY 602", "ticket_numbers": "250-1234567890, 250-1234567891", "escort": EscortKind.NONE,
              "escort_user": None, "escort_name": "", "cost": Decimal("41000"), "currency": "RUB", "note": ""}
    values.update(fields)
    return values


def plan(user, world, **fields) -> Movement:
    return movements.plan_movement(user, world.case, **journey(world, **fields))


def escort_services(case):
    return ServiceDelivery.objects.filter(case=case, service_type__code="medical_escort")


# --- Planning -----------------------------------------------------------------------------------
def test_planning_records_the_journey_and_its_service_with_audit_and_timeline(users, world):
    worker = users["case_worker"]
    since = last_event_id()

    movement = plan(worker, world)

    movement.refresh_from_db()
    assert movement.status == MovementStatus.PLANNED
    assert set(movement.travellers.all()) == {world.mother, world.son}
    delivery = movement.delivery
    assert (delivery.service_type.code, delivery.status, delivery.person) == (
        "return_transport", DeliveryStatus.PLANNED, None)
    assert (delivery.delivered_on, delivery.cost) == (timezone.localtime(SOON).date(), Decimal("41000.00"))
    [created] = events_since(since, Action.CREATE).filter(object_type="cases.movement")
    assert created.changes["ticket_numbers"] is None  # a ticket number finds a person on a flight
    assert "250-1234567890" not in str(created.changes)
    [line] = timeline_lines(world.case, timeline.MOVEMENT)
    assert line.startswith("Movement planned: International travel Moscow, Sheremetyevo (Russian Federation)")
    assert world.son.reference in line


@pytest.mark.parametrize(("kind", "code", "countries"), [
    (MovementKind.AIRPORT_RECEPTION, "airport_reception", ("", "RU")),
    (MovementKind.DOMESTIC, "domestic_transport", ("RU", "RU")),
    (MovementKind.INTERNATIONAL, "return_transport", ("RU", "UZ")),
])
def test_each_kind_records_its_catalogue_service(users, world, kind, code, countries):
    movement = plan(users["case_worker"], world, kind=kind, origin_country=countries[0],
                    destination_country=countries[1], travellers=[world.mother])

    assert movement.delivery.service_type.code == code
    assert movement.delivery.person == world.mother  # one traveller: the service is hers


def test_a_medical_escort_adds_its_own_service(users, world):
    movement = plan(users["case_worker"], world, escort=EscortKind.MEDICAL, escort_name="Dr. Irina Volkova")

    [escort] = escort_services(world.case)
    assert (escort.status, escort.delivered_on) == (DeliveryStatus.PLANNED, movement.delivery.delivered_on)
    assert movements.escort_service(movement) == escort


def test_an_escort_who_is_not_medical_adds_no_service(users, world):
    plan(users["case_worker"], world, escort=EscortKind.ESCORT, escort_user=users["case_worker"])

    assert not escort_services(world.case).exists()


RULES = [
    ("no traveller", lambda w, u: {"travellers": []}, "travellers", "at least one traveller"),
    ("a stranger travels", lambda w, u: {"travellers": [w.mother, w.stranger]}, "travellers",
     "Not members of this case"),
    ("no origin", lambda w, u: {"origin": "  "}, "origin", "where the journey starts"),
    ("no destination", lambda w, u: {"destination": ""}, "destination", "where it ends"),
    ("arrival before departure", lambda w, u: {"arrives_at": SOON - datetime.timedelta(hours=1)}, "arrives_at",
     "after the departure"),
    ("arrival at departure", lambda w, u: {"arrives_at": SOON}, "arrives_at", "after the departure"),
    ("no departure", lambda w, u: {"departs_at": None}, "departs_at", "departure date"),
    ("unknown country", lambda w, u: {"destination_country": "XX"}, "destination_country", "ISO 3166"),
    ("international within one country", lambda w, u: {"destination_country": "RU"}, "destination_country",
     "another country"),
    ("international without origin country", lambda w, u: {"origin_country": ""}, "origin_country",
     "country it starts from"),
    ("international without destination country", lambda w, u: {"destination_country": ""},
     "destination_country", "country it goes to"),
    ("domestic across a border", lambda w, u: {"kind": MovementKind.DOMESTIC}, "destination_country",
     "is international travel"),
    ("escort without anyone", lambda w, u: {"escort": EscortKind.MEDICAL}, "escort_user", "Say who escorts"),
    ("plain escort without anyone", lambda w, u: {"escort": EscortKind.ESCORT}, "escort_name", "Say who escorts"),
    ("an escort named without an escort", lambda w, u: {"escort_name": "Dr. Volkova"}, "escort",
     "Choose the kind of escort"),
    ("escort of another programme", lambda w, u: {"escort": EscortKind.ESCORT, "escort_user": u["case_worker_b"]},
     "escort_user", "is not staff of this programme"),
    ("negative cost", lambda w, u: {"cost": Decimal("-100")}, "cost", "cannot be negative"),
    ("unknown currency", lambda w, u: {"currency": "RUR"}, "currency", "ISO 4217"),
    ("unknown kind", lambda w, u: {"kind": "teleport"}, "kind", "Choose the kind"),
]


@pytest.mark.parametrize(("fields", "field", "message"), [pytest.param(*rule[1:], id=rule[0]) for rule in RULES])
def test_every_rule_names_its_field_and_nothing_is_written(users, world, fields, field, message):
    since = last_event_id()

    with pytest.raises(ValidationError) as excinfo:
        plan(users["case_worker"], world, **fields(world, users))

    assert message in " ".join(errors_of(excinfo)[field])
    assert not Movement.objects.exists()
    assert not ServiceDelivery.objects.exists()
    assert not timeline_lines(world.case, timeline.MOVEMENT)
    assert not events_since(since, Action.CREATE).exists()


def test_a_retired_kind_of_travel_cannot_be_planned(users, world):
    ServiceType.objects.filter(code="return_transport").update(in_use=False)

    with pytest.raises(ValidationError) as excinfo:
        plan(users["case_worker"], world)

    assert "not in this programme's service catalogue" in errors_of(excinfo)["kind"][0]


def test_lower_case_country_codes_are_read_as_iso(users, world):
    movement = plan(users["case_worker"], world, origin_country="ru", destination_country="uz", currency="eur")

    assert (movement.origin_country, movement.destination_country, movement.currency) == ("RU", "UZ", "EUR")


@pytest.mark.parametrize("persona", ["case_worker_b", "partner_user", "me_officer"])
def test_someone_outside_the_case_cannot_plan_and_is_audited(users, world, persona):
    since = last_event_id()

    with pytest.raises(Http404):
        plan(users[persona], world)

    assert not Movement.objects.exists()
    assert denied(since, users[persona])[0].object_type == "cases.case"


# --- The journey's steps ------------------------------------------------------------------------
def step(user, movement, status):
    movement.refresh_from_db()
    return movements.set_movement_status(user, movement, status, version=movement.version)


def test_the_journey_goes_planned_booked_in_transit_completed(users, world):
    worker = users["case_worker"]
    movement = plan(worker, world, departs_at=EARLIER, arrives_at=NOW - datetime.timedelta(hours=1),
                    escort=EscortKind.MEDICAL, escort_user=users["case_worker"])

    for status in (MovementStatus.BOOKED, MovementStatus.IN_TRANSIT):
        step(worker, movement, status)
        movement.refresh_from_db()
        assert movement.delivery.status == DeliveryStatus.PLANNED
    step(worker, movement, MovementStatus.COMPLETED)

    movement.refresh_from_db()
    assert movement.status == MovementStatus.COMPLETED
    assert movement.delivery.status == DeliveryStatus.DELIVERED
    [escort] = escort_services(world.case)
    assert (escort.status, escort.delivered_by) == (DeliveryStatus.DELIVERED, users["case_worker"])
    lines = timeline_lines(world.case, timeline.MOVEMENT)
    assert [line.split(":")[0] for line in lines] == [
        "Movement planned", "Movement booked", "Movement in transit", "Movement completed"]


@pytest.mark.parametrize(("path", "target"), [
    ((), MovementStatus.COMPLETED),
    ((), MovementStatus.IN_TRANSIT),
    ((), MovementStatus.PLANNED),
    ((MovementStatus.BOOKED,), MovementStatus.COMPLETED),
    ((MovementStatus.BOOKED,), MovementStatus.PLANNED),
    ((MovementStatus.BOOKED, MovementStatus.IN_TRANSIT), MovementStatus.BOOKED),
    ((MovementStatus.BOOKED, MovementStatus.IN_TRANSIT, MovementStatus.COMPLETED), MovementStatus.CANCELLED),
    ((MovementStatus.CANCELLED,), MovementStatus.PLANNED),
    ((MovementStatus.CANCELLED,), MovementStatus.BOOKED),
    ((), "lost"),
])
def test_a_step_out_of_order_is_refused_and_nothing_changes(users, world, path, target):
    worker = users["case_worker"]
    movement = plan(worker, world, departs_at=EARLIER, arrives_at=None)
    for status in path:
        step(worker, movement, status)
    movement.refresh_from_db()
    before = (movement.status, movement.version, movement.delivery.status)

    with pytest.raises(ValidationError) as excinfo:
        step(worker, movement, target)

    assert "cannot become" in errors_of(excinfo)["status"][0]
    movement.refresh_from_db()
    assert (movement.status, movement.version, movement.delivery.status) == before


@pytest.mark.parametrize("path", [(), (MovementStatus.BOOKED,), (MovementStatus.BOOKED, MovementStatus.IN_TRANSIT)])
def test_any_step_not_completed_may_be_cancelled_with_its_services(users, world, path):
    worker = users["case_worker"]
    movement = plan(worker, world, departs_at=EARLIER, arrives_at=None, escort=EscortKind.MEDICAL,
                    escort_name="Dr. Irina Volkova")
    for status in path:
        step(worker, movement, status)

    step(worker, movement, MovementStatus.CANCELLED)

    movement.refresh_from_db()
    assert movement.delivery.status == DeliveryStatus.CANCELLED
    assert escort_services(world.case).get().status == DeliveryStatus.CANCELLED
    assert movements.next_steps(movement) == ()


def test_a_journey_cannot_depart_before_its_departure_day(users, world):
    worker = users["case_worker"]
    movement = plan(worker, world)  # departs in three days
    step(worker, movement, MovementStatus.BOOKED)

    with pytest.raises(ValidationError) as excinfo:
        step(worker, movement, MovementStatus.IN_TRANSIT)

    assert "cannot be under way or completed before then" in errors_of(excinfo)["status"][0]
    movement.refresh_from_db()
    assert movement.status == MovementStatus.BOOKED


def test_a_step_taken_on_a_stale_version_is_a_conflict(users, world):
    worker = users["case_worker"]
    movement = plan(worker, world)
    step(users["programme_manager"], movement, MovementStatus.BOOKED)

    with pytest.raises(ConflictError):
        movements.set_movement_status(worker, movement, MovementStatus.CANCELLED, version=1)

    movement.refresh_from_db()
    assert (movement.status, movement.version) == (MovementStatus.BOOKED, 2)


# --- Editing ------------------------------------------------------------------------------------
def test_an_edit_keeps_the_services_in_step(users, world):
    worker = users["case_worker"]
    movement = plan(worker, world, escort=EscortKind.MEDICAL, escort_name="Dr. Irina Volkova")
    later = SOON + datetime.timedelta(days=2)

    saved = movements.update_movement(worker, movement, version=1, kind=MovementKind.DOMESTIC,
                                      destination="Kazan", destination_country="RU", departs_at=later,
                                      arrives_at=later + datetime.timedelta(hours=14), travellers=[world.mother],
                                      cost=Decimal("8000"))

    assert saved.version == 2
    delivery = ServiceDelivery.objects.get(pk=movement.delivery_id)
    assert (delivery.service_type.code, delivery.person, delivery.delivered_on, delivery.cost) == (
        "domestic_transport", world.mother, timezone.localtime(later).date(), Decimal("8000.00"))
    [escort] = escort_services(world.case)  # moved with the journey, not duplicated
    assert (escort.person, escort.delivered_on, escort.status) == (
        world.mother, timezone.localtime(later).date(), DeliveryStatus.PLANNED)
    assert timeline_lines(world.case, timeline.MOVEMENT)[-1].startswith("Movement changed: Travel within the country")


def test_dropping_the_medical_escort_cancels_its_service(users, world):
    worker = users["case_worker"]
    movement = plan(worker, world, escort=EscortKind.MEDICAL, escort_name="Dr. Irina Volkova")

    movements.update_movement(worker, movement, version=1, escort=EscortKind.NONE, escort_name="")

    assert escort_services(world.case).get().status == DeliveryStatus.CANCELLED


def test_two_legs_of_one_day_share_one_medical_escort(users, world):
    """Flight to Moscow, then the train home the same day: one escort, one service; cancelling one leg keeps it."""
    worker = users["case_worker"]
    flight = plan(worker, world, escort=EscortKind.MEDICAL, escort_name="Dr. Irina Volkova")
    train = plan(worker, world, kind=MovementKind.DOMESTIC, origin="Moscow", origin_country="RU",
                 destination="Kazan", destination_country="RU", departs_at=SOON + datetime.timedelta(hours=6),
                 arrives_at=SOON + datetime.timedelta(hours=20), escort=EscortKind.MEDICAL,
                 escort_name="Dr. Irina Volkova")
    assert escort_services(world.case).count() == 1

    step(worker, flight, MovementStatus.CANCELLED)

    assert escort_services(world.case).get().status == DeliveryStatus.PLANNED
    assert movements.escort_service(train) is not None


def test_a_stale_edit_is_a_conflict_and_nothing_is_written(users, world):
    worker = users["case_worker"]
    movement = plan(worker, world)
    movements.update_movement(users["programme_manager"], movement, version=1, carrier="SU 1870")

    with pytest.raises(ConflictError) as excinfo:
        movements.update_movement(worker, movement, version=1, carrier="HY 604", cost=Decimal("1"))

    assert excinfo.value.current.carrier == "SU 1870"
    movement.refresh_from_db()
    assert (movement.carrier, movement.cost, movement.version) == ("SU 1870", Decimal("41000.00"), 2)
    assert movement.delivery.cost == Decimal("41000.00")


def test_a_cancelled_movement_is_not_edited(users, world):
    worker = users["case_worker"]
    movement = plan(worker, world)
    step(worker, movement, MovementStatus.CANCELLED)

    with pytest.raises(ValidationError, match="cancelled"):
        movements.update_movement(worker, movement, version=2, carrier="HY 604")


def test_an_edit_is_checked_by_the_same_rules(users, world):
    worker = users["case_worker"]
    movement = plan(worker, world)

    with pytest.raises(ValidationError) as excinfo:
        movements.update_movement(worker, movement, version=1, destination_country="RU")

    assert "another country" in errors_of(excinfo)["destination_country"][0]
    movement.refresh_from_db()
    assert (movement.destination_country, movement.version) == ("UZ", 1)


# --- Reuse by the return programme --------------------------------------------------------------
def test_the_return_programme_books_its_departures_as_movements(users):
    case = return_case(users)
    worker = users["case_worker_b"]
    person = case.members.get().person

    movement = movements.plan_movement(
        worker, case, kind=MovementKind.INTERNATIONAL, travellers=[person], origin="Moscow", origin_country="RU",
        destination="Dushanbe", destination_country="TJ", departs_at=SOON)

    assert movement.delivery.service_type.code == "return_transport"
    assert movement.delivery.delivered_by == worker
    html = render_panel(worker, case, "movements")
    assert "Dushanbe (Tajikistan)" in html


# --- The panel ----------------------------------------------------------------------------------
def test_the_movements_panel_shows_itinerary_travellers_escort_steps_and_tickets(users, world):
    worker = users["case_worker"]
    movement = plan(worker, world, escort=EscortKind.MEDICAL, escort_name="Dr. Irina Volkova")

    html = render_panel(worker, world.case, "movements")

    for shown in ("Moscow, Sheremetyevo (Russian Federation) → Tashkent (Uzbekistan)", world.mother.reference,
                  "Medical escort: Dr. Irina Volkova", "250-1234567890", "HY 602", ">Booked</button>",
                  ">Cancel</button>",
                  reverse("case_services:movement_status", args=[world.case.reference, movement.pk]),
                  reverse("case_services:movement_add", args=[world.case.reference])):
        assert shown in html
    assert ">Departed</button>" not in html  # not the next step yet


def test_tickets_are_shown_only_to_those_who_may_change_the_case(users, world, monkeypatch):
    from waypoint.accounts import policy

    plan(users["case_worker"], world)
    may = policy.can
    monkeypatch.setattr(policy, "can", lambda user, action, obj: action != "change" and may(user, action, obj))

    html = render_panel(users["case_worker"], world.case, "movements")

    assert "Tashkent" in html
    assert "250-1234567890" not in html
    assert ">Booked</button>" not in html


# --- The forms ----------------------------------------------------------------------------------
def form_data(world, **fields) -> dict:
    data = {"kind": "international", "travellers": [world.mother.pk, world.son.pk], "origin": "Moscow",
            "origin_country": "RU", "destination": "Tashkent", "destination_country": "UZ",
            "departs_at": timezone.localtime(SOON).strftime("%Y-%m-%dT%H:%M"), "arrives_at": "",
            "carrier": "HY 602", "ticket_numbers": "", "escort": "none", "escort_user": "", "escort_name": "",
            "cost": "", "currency": "RUB", "note": ""}
    data.update(fields)
    return data


def test_the_plan_form_saves_and_returns_to_the_case(users, client_for, world):
    client = client_for(users["case_worker"])
    url = reverse("case_services:movement_add", args=[world.case.reference])

    assert client.get(url).status_code == 200
    response = client.post(url, form_data(world))

    assert response.status_code == 302
    assert response["Location"].endswith("#movements")
    assert Movement.objects.get().delivery.service_type.code == "return_transport"


def test_the_plan_form_names_the_field_of_a_broken_rule(users, client_for, world):
    response = client_for(users["case_worker"]).post(
        reverse("case_services:movement_add", args=[world.case.reference]),
        form_data(world, escort="medical"))

    assert response.status_code == 200
    assert "Say who escorts the travellers" in response.content.decode()
    assert not Movement.objects.exists()


def test_the_edit_form_answers_a_stale_save_with_409_and_keeps_the_input(users, client_for, world):
    movement = plan(users["case_worker"], world)
    movements.update_movement(users["programme_manager"], movement, version=1, carrier="SU 1870")
    url = reverse("case_services:movement_edit", args=[world.case.reference, movement.pk])

    response = client_for(users["case_worker"]).post(url, form_data(world, carrier="HY 604", version=1))

    content = response.content.decode()
    assert response.status_code == 409
    assert "Nothing was saved" in content
    assert 'value="HY 604"' in content
    assert "SU 1870" in content
    movement.refresh_from_db()
    assert movement.carrier == "SU 1870"


def test_the_status_button_takes_the_next_step(users, client_for, world):
    movement = plan(users["case_worker"], world)

    response = client_for(users["case_worker"]).post(
        reverse("case_services:movement_status", args=[world.case.reference, movement.pk]),
        {"status": "booked", "version": 1})

    assert response.status_code == 302
    movement.refresh_from_db()
    assert movement.status == MovementStatus.BOOKED


def test_a_stale_status_button_changes_nothing(users, client_for, world):
    movement = plan(users["case_worker"], world)
    step(users["programme_manager"], movement, MovementStatus.CANCELLED)
    client = client_for(users["case_worker"])

    response = client.post(reverse("case_services:movement_status", args=[world.case.reference, movement.pk]),
                           {"status": "booked", "version": 1}, follow=True)

    assert "Someone changed this movement" in response.content.decode()
    movement.refresh_from_db()
    assert movement.status == MovementStatus.CANCELLED


@pytest.mark.parametrize("persona", ["case_worker_b", "partner_user_y", "data_protection_officer"])
def test_the_movement_pages_are_not_found_outside_the_case(users, client_for, world, persona):
    movement = plan(users["case_worker"], world)
    client = client_for(users[persona])
    since = last_event_id()

    responses = [
        client.get(reverse("case_services:movement_add", args=[world.case.reference])),
        client.get(reverse("case_services:movement_edit", args=[world.case.reference, movement.pk])),
        client.post(reverse("case_services:movement_status", args=[world.case.reference, movement.pk]),
                    {"status": "cancelled", "version": 1}),
    ]

    assert [response.status_code for response in responses] == [404, 404, 404]
    assert len(denied(since, users[persona])) == 3
    movement.refresh_from_db()
    assert movement.status == MovementStatus.PLANNED


def test_an_airport_reception_is_met_in_one_step_and_has_no_journey_steps():
    """A reception has nothing "in transit": from planned it is met (completed), confirmed or cancelled."""
    reception = Movement(kind=MovementKind.AIRPORT_RECEPTION, status=MovementStatus.PLANNED)
    journey = Movement(kind=MovementKind.DOMESTIC, status=MovementStatus.PLANNED)
    assert movements.next_steps(reception) == (MovementStatus.BOOKED, MovementStatus.COMPLETED,
                                               MovementStatus.CANCELLED)
    assert MovementStatus.COMPLETED not in movements.next_steps(journey)
    reception.status = MovementStatus.BOOKED
    assert movements.next_steps(reception) == (MovementStatus.COMPLETED, MovementStatus.CANCELLED)
