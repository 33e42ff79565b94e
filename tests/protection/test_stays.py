"""Stays in the rehabilitation centre: checking in with every rule, a bed given away twice at once, checking
out, the occupancy figures and who sees whose bed, the pages and the back office's rooms."""

import datetime
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.urls import reverse

from tests.cases.service_world import (
    TODAY,
    TOMORROW,
    YESTERDAY,
    denied,
    errors_of,
    events_since,
    last_event_id,
    make_world,
    other_ct_case,
    render_panel,
    return_case,
    timeline_lines,
)
from waypoint.accounts.models import Office
from waypoint.audit.models import Action
from waypoint.cases import timeline
from waypoint.cases.locking import ConflictError
from waypoint.cases.models import Case, DeliveryStatus, ServiceDelivery
from waypoint.protection import stays
from waypoint.protection.models import CentreStay, Room

DAYS_AGO = [TODAY - datetime.timedelta(days=n) for n in range(40)]


@pytest.fixture
def world(users):
    return make_world(users)


def check_in(user, world, **fields) -> CentreStay:
    values = {"person": world.mother, "room": world.room_a, "bed": 1, "checked_in_on": YESTERDAY}
    values.update(fields)
    return stays.check_in(user, world.case, **values)


def check_out(user, stay, on=TODAY) -> CentreStay:
    stay.refresh_from_db()
    return stays.check_out(user, stay, checked_out_on=on, version=stay.version)


# --- Check-in -----------------------------------------------------------------------------------
def test_checking_in_records_the_stay_and_its_accommodation_service(users, world):
    worker = users["case_worker"]
    since = last_event_id()

    stay = check_in(worker, world)

    stay.refresh_from_db()
    assert (stay.person, stay.room, stay.bed, stay.checked_in_on, stay.checked_out_on) == (
        world.mother, world.room_a, 1, YESTERDAY, None)
    delivery = stay.delivery
    assert (delivery.service_type.code, delivery.status, delivery.person, delivery.delivered_on) == (
        "accommodation", DeliveryStatus.DELIVERED, world.mother, YESTERDAY)
    assert delivery.delivered_by == worker
    assert events_since(since, Action.CREATE).filter(object_type="protection.centrestay").exists()
    [line] = timeline_lines(world.case, timeline.STAY)
    assert line.startswith(f"{world.mother.reference} checked in to room A, bed 1")


def _office_room():
    office = Office.objects.create(code="hq", name="Head office", kind=Office.Kind.MISSION_OFFICE, city="Moscow")
    return Room.objects.create(office=office, name="Meeting room", beds=2)


RULES = [
    ("a stranger", lambda w: {"person": w.stranger}, "person", "is not a member of this case"),
    ("nobody", lambda w: {"person": None}, "person", "Choose who checks in"),
    ("bed zero", lambda w: {"bed": 0}, "bed", "has beds 1 to 2"),
    ("a bed the room lacks", lambda w: {"bed": 3}, "bed", "has beds 1 to 2"),
    ("no bed", lambda w: {"bed": None}, "bed", "has beds 1 to 2"),
    ("no room", lambda w: {"room": None}, "room", "Choose a room"),
    ("a room out of use", lambda w: {"room": Room.objects.create(office=w.centre, name="C", beds=2, in_use=False)},
     "room", "is not a room in use of a rehabilitation centre"),
    ("a room of the mission office", lambda w: {"room": _office_room()}, "room",
     "is not a room in use of a rehabilitation centre"),
    ("check-in tomorrow", lambda w: {"checked_in_on": TOMORROW}, "checked_in_on", "in the future"),
]


@pytest.mark.parametrize(("fields", "field", "message"), [pytest.param(*rule[1:], id=rule[0]) for rule in RULES])
def test_every_rule_names_its_field_and_nothing_is_written(users, world, fields, field, message):
    with pytest.raises(ValidationError) as excinfo:
        check_in(users["case_worker"], world, **fields(world))

    assert message in " ".join(errors_of(excinfo)[field])
    assert not CentreStay.objects.exists()
    assert not ServiceDelivery.objects.exists()
    assert not timeline_lines(world.case, timeline.STAY)


def test_a_taken_bed_is_refused_with_a_clear_message(users, world):
    check_in(users["case_worker"], world)

    with pytest.raises(ValidationError) as excinfo:
        check_in(users["case_worker"], world, person=world.son)

    assert errors_of(excinfo)["bed"] == ["Bed 1 in room A is taken: choose a free bed."]
    assert CentreStay.objects.count() == 1


def test_a_bed_taken_since_the_check_in_day_is_refused(users, world):
    """A stay recorded late may not overlap the guest who held the bed meanwhile."""
    worker = users["case_worker"]
    stay = check_in(worker, world, checked_in_on=DAYS_AGO[10])
    check_out(worker, stay, on=DAYS_AGO[5])

    with pytest.raises(ValidationError) as excinfo:
        check_in(worker, world, person=world.son, checked_in_on=DAYS_AGO[7])
    assert "is taken" in errors_of(excinfo)["bed"][0]

    assert check_in(worker, world, person=world.son, checked_in_on=DAYS_AGO[5]).bed == 1  # free from check-out day


def test_a_guest_stays_in_one_bed_at_a_time(users, world):
    check_in(users["case_worker"], world)

    with pytest.raises(ValidationError) as excinfo:
        check_in(users["case_worker"], world, room=world.room_b, bed=2)

    assert "is staying in room A, bed 1" in errors_of(excinfo)["person"][0]


def test_the_database_refuses_a_second_open_stay_in_a_bed(users, world):
    stay = check_in(users["case_worker"], world)

    with pytest.raises(IntegrityError), transaction.atomic():
        CentreStay.objects.create(case=world.case, person=world.son, room=stay.room, bed=stay.bed,
                                  checked_in_on=TODAY)


def test_two_people_giving_away_the_same_bed_at_once_get_bed_taken(users, world):
    """The other check-in lands between our check and our insert: the constraint refuses ours, cleanly."""
    worker = users["case_worker"]
    check_in(worker, world)  # the colleague's check-in, already committed
    deliveries_before = ServiceDelivery.objects.count()

    with mock.patch.object(stays, "bed_taken", return_value=None), pytest.raises(ValidationError) as excinfo:
        check_in(worker, world, person=world.son)

    assert errors_of(excinfo)["bed"] == ["Bed 1 in room A is taken: choose a free bed."]
    assert CentreStay.objects.filter(person=world.son).count() == 0
    assert ServiceDelivery.objects.count() == deliveries_before  # the son's service was rolled back with it
    assert len(timeline_lines(world.case, timeline.STAY)) == 1


def test_stays_are_for_counter_trafficking_cases_only(users):
    case = return_case(users)
    centre = Office.objects.create(code="c", name="Centre", kind=Office.Kind.REHABILITATION_CENTRE, city="Moscow")
    room = Room.objects.create(office=centre, name="A", beds=1)

    with pytest.raises(ValidationError, match="for counter-trafficking cases"):
        stays.check_in(users["case_worker_b"], case, person=case.members.get().person, room=room, bed=1)
    assert not CentreStay.objects.exists()


def test_a_closed_case_checks_nobody_in(users, world):
    Case.objects.filter(pk=world.case.pk).update(status="Closed")

    with pytest.raises(ValidationError, match="is closed"):
        check_in(users["case_worker"], world)


@pytest.mark.parametrize("persona", ["case_worker_b", "me_officer", "partner_user", "administrator"])
def test_someone_outside_the_case_cannot_check_in_and_is_audited(users, world, persona):
    since = last_event_id()

    with pytest.raises(Http404):
        check_in(users[persona], world)

    assert not CentreStay.objects.exists()
    assert denied(since, users[persona])[0].object_type == "cases.case"


# --- Check-out ----------------------------------------------------------------------------------
def test_checking_out_frees_the_bed_and_is_on_the_timeline(users, world):
    worker = users["case_worker"]
    stay = check_in(worker, world, checked_in_on=DAYS_AGO[3])

    check_out(worker, stay)

    stay.refresh_from_db()
    assert (stay.checked_out_on, stay.version) == (TODAY, 2)
    assert (world.room_a, 1) in stays.free_beds()
    assert timeline_lines(world.case, timeline.STAY)[-1].endswith("after 3 night(s).")
    assert check_in(worker, world, person=world.son, checked_in_on=TODAY).bed == 1


@pytest.mark.parametrize(("on", "message"), [
    (DAYS_AGO[4], "cannot be before the check-in"),
    (TOMORROW, "cannot check out in the future"),
])
def test_a_check_out_out_of_time_is_refused(users, world, on, message):
    stay = check_in(users["case_worker"], world, checked_in_on=DAYS_AGO[3])

    with pytest.raises(ValidationError) as excinfo:
        check_out(users["case_worker"], stay, on=on)

    assert message in errors_of(excinfo)["checked_out_on"][0]
    stay.refresh_from_db()
    assert stay.checked_out_on is None


def test_a_guest_checks_out_once(users, world):
    stay = check_in(users["case_worker"], world)
    check_out(users["case_worker"], stay)

    with pytest.raises(ValidationError, match="already checked out"):
        check_out(users["case_worker"], stay)


def test_a_stale_check_out_is_a_conflict_and_nothing_is_written(users, world):
    stay = check_in(users["case_worker"], world, checked_in_on=DAYS_AGO[3])
    check_out(users["programme_manager"], stay, on=YESTERDAY)

    with pytest.raises(ConflictError):
        stays.check_out(users["case_worker"], stay, checked_out_on=TODAY, version=1)

    stay.refresh_from_db()
    assert (stay.checked_out_on, stay.version) == (YESTERDAY, 2)


# --- Occupancy ----------------------------------------------------------------------------------
def test_occupancy_counts_beds_taken_and_free_per_room_and_centre(users, world):
    worker = users["case_worker"]
    check_in(worker, world, checked_in_on=DAYS_AGO[2])
    check_in(worker, world, person=world.son, room=world.room_b, bed=3, checked_in_on=DAYS_AGO[2])

    today = stays.occupancy()

    [centre] = today.centres
    assert [(room.room.name, room.capacity, room.occupied, room.free) for room in centre.rooms] == [
        ("A", 2, 1, 1), ("B", 3, 1, 2)]
    assert (today.capacity, today.occupied, today.free, today.rate) == (5, 2, 3, 40.0)
    assert [(room.name, bed) for room, bed in today.free_beds] == [("A", 2), ("B", 1), ("B", 2)]


def test_occupancy_on_a_past_date_and_the_day_of_check_out(users, world):
    worker = users["case_worker"]
    stay = check_in(worker, world, checked_in_on=DAYS_AGO[10])
    check_out(worker, stay, on=DAYS_AGO[4])

    assert stays.occupancy(on=DAYS_AGO[11]).occupied == 0
    assert stays.occupancy(on=DAYS_AGO[10]).occupied == 1
    assert stays.occupancy(on=DAYS_AGO[5]).occupied == 1
    assert stays.occupancy(on=DAYS_AGO[4]).occupied == 0  # she left that day: the bed is free that night
    assert stays.occupancy().occupied == 0


def test_a_guest_is_shown_by_case_reference_only_to_those_who_may_see_the_case(users, world):
    worker, manager = users["case_worker"], users["programme_manager"]
    check_in(worker, world)
    other = other_ct_case(users)
    stays.check_in(manager, other, person=other.principal, room=world.room_b, bed=1)

    def who(user):
        return {(room.room.name, bed.number): bed.who for centre in stays.occupancy(user=user).centres
                for room in centre.rooms for bed in room.beds if bed.occupied}

    assert who(worker) == {("A", 1): world.case.reference, ("B", 1): "occupied"}
    assert who(manager) == {("A", 1): world.case.reference, ("B", 1): other.reference}
    assert who(None) == {("A", 1): "occupied", ("B", 1): "occupied"}


def test_rooms_out_of_use_and_other_offices_are_not_counted(users, world, office):
    Room.objects.create(office=world.centre, name="Storage", beds=4, in_use=False)
    Room.objects.create(office=office, name="Guest room", beds=2)

    assert stays.occupancy().capacity == 5


def test_the_year_is_set_against_the_350_victims_the_centre_was_built_for(users, world):
    worker = users["case_worker"]
    start = max(DAYS_AGO[6], datetime.date(TODAY.year, 1, 1))
    stay = check_in(worker, world, checked_in_on=start)
    check_out(worker, stay, on=start + datetime.timedelta(days=min(2, (TODAY - start).days)))
    check_in(worker, world, person=world.son, room=world.room_b, bed=2, checked_in_on=start)

    year = stays.year_figures()

    assert (year.year, year.guests, year.check_ins, year.annual_capacity) == (TODAY.year, 2, 2, 350)
    assert year.share_of_capacity == round(100 * 2 / 350, 1)
    days_so_far = (TODAY - datetime.date(TODAY.year, 1, 1)).days + 1
    assert year.bed_nights_available == 5 * days_so_far
    expected_nights = min(2, (TODAY - start).days) + (TODAY - start).days + 1
    assert year.bed_nights == expected_nights


# --- Pages --------------------------------------------------------------------------------------
def test_the_occupancy_page_links_the_users_own_cases_only(users, client_for, world):
    check_in(users["case_worker"], world)
    other = other_ct_case(users)
    stays.check_in(users["programme_manager"], other, person=other.principal, room=world.room_b, bed=1)
    since = last_event_id()

    response = client_for(users["case_worker"]).get(reverse("centre:occupancy"))

    content = response.content.decode()
    assert response.status_code == 200
    assert f'href="{reverse("cases:detail", args=[world.case.reference])}"' in content
    assert other.reference not in content
    assert "occupied" in content
    assert "40.0 %" in content  # two of five beds
    assert "The centre was built to serve 350 victims a year" in content
    assert events_since(since, Action.VIEW).filter(object_type="protection.occupancy").exists()


def test_the_occupancy_page_shows_a_chosen_date(users, client_for, world):
    worker = users["case_worker"]
    stay = check_in(worker, world, checked_in_on=DAYS_AGO[10])
    check_out(worker, stay, on=DAYS_AGO[4])

    content = client_for(worker).get(reverse("centre:occupancy"), {"on": DAYS_AGO[6].isoformat()}).content.decode()

    assert 'id="rate-today">0.0 %' in content
    assert 'id="rate-on">20.0 %' in content


def test_the_check_in_form_offers_free_beds_only_and_saves(users, client_for, world):
    check_in(users["case_worker"], world)
    client = client_for(users["case_worker"])
    url = reverse("centre:check_in", args=[world.case.reference])

    page = client.get(url).content.decode()
    response = client.post(url, {"person": world.son.pk, "place": f"{world.room_b.pk}-2",
                                 "checked_in_on": TODAY.isoformat()})

    assert f'value="{world.room_a.pk}-1"' not in page
    assert f'value="{world.room_a.pk}-2"' in page
    assert response.status_code == 302
    assert response["Location"].endswith("#stays")
    assert CentreStay.objects.get(person=world.son).bed == 2


def test_the_check_in_form_names_the_problem(users, client_for, world):
    check_in(users["case_worker"], world)

    response = client_for(users["case_worker"]).post(
        reverse("centre:check_in", args=[world.case.reference]),
        {"person": world.mother.pk, "place": f"{world.room_b.pk}-1", "checked_in_on": TODAY.isoformat()})

    assert response.status_code == 200
    assert "is staying in room A, bed 1: check them out first." in response.content.decode()


def test_the_check_out_form_saves_and_a_stale_one_answers_409(users, client_for, world):
    stay = check_in(users["case_worker"], world, checked_in_on=DAYS_AGO[3])
    url = reverse("centre:check_out", args=[world.case.reference, stay.pk])
    check_out(users["programme_manager"], stay, on=YESTERDAY)

    stale = client_for(users["case_worker"]).post(url, {"checked_out_on": TODAY.isoformat(), "version": 1})

    assert stale.status_code == 409
    assert "Someone else changed this stay" in stale.content.decode()
    stay.refresh_from_db()
    assert stay.checked_out_on == YESTERDAY


def test_the_check_out_form_checks_a_guest_out(users, client_for, world):
    stay = check_in(users["case_worker"], world, checked_in_on=DAYS_AGO[3])
    url = reverse("centre:check_out", args=[world.case.reference, stay.pk])

    response = client_for(users["case_worker"]).post(url, {"checked_out_on": TODAY.isoformat(), "version": 1})

    assert response.status_code == 302
    stay.refresh_from_db()
    assert stay.checked_out_on == TODAY


@pytest.mark.parametrize("persona", ["case_worker_b", "partner_user", "me_officer"])
def test_the_stay_pages_are_not_found_outside_the_case(users, client_for, world, persona):
    stay = check_in(users["case_worker"], world)
    client = client_for(users[persona])
    since = last_event_id()

    responses = [
        client.get(reverse("centre:check_in", args=[world.case.reference])),
        client.post(reverse("centre:check_out", args=[world.case.reference, stay.pk]),
                    {"checked_out_on": TODAY.isoformat(), "version": 1}),
    ]

    assert [response.status_code for response in responses] == [404, 404]
    assert len(denied(since, users[persona])) == 2
    stay.refresh_from_db()
    assert stay.checked_out_on is None


def test_the_check_in_page_does_not_exist_for_other_programmes(users, client_for):
    case = return_case(users)
    since = last_event_id()

    response = client_for(users["case_worker_b"]).get(reverse("centre:check_in", args=[case.reference]))

    assert response.status_code == 404
    assert denied(since, users["case_worker_b"])


# --- The panel ----------------------------------------------------------------------------------
def test_the_stays_panel_shows_current_and_past_stays_with_check_out(users, world):
    worker = users["case_worker"]
    stay = check_in(worker, world, checked_in_on=DAYS_AGO[9])
    check_out(worker, stay, on=DAYS_AGO[2])
    current = check_in(worker, world, person=world.son, room=world.room_b, bed=3)

    html = render_panel(worker, world.case, "stays")

    assert "Staying now" in html
    assert "Past stays" in html
    assert reverse("centre:check_out", args=[world.case.reference, current.pk]) in html
    assert reverse("centre:check_out", args=[world.case.reference, stay.pk]) not in html
    assert reverse("centre:check_in", args=[world.case.reference]) in html
    assert "<td>7</td>" in html  # nights of the past stay


def test_the_stays_panel_is_only_on_counter_trafficking_cases(users):
    case = return_case(users)

    assert render_panel(users["case_worker_b"], case, "stays") is None


# --- The back office ----------------------------------------------------------------------------
def test_the_administrator_manages_rooms_and_the_catalogue(users, client_for, world):
    client = client_for(users["administrator"])

    rooms = client.get("/admin/protection/room/")
    catalogue = client.get("/admin/cases/servicetype/")

    assert rooms.status_code == 200
    assert "Moscow rehabilitation centre" in rooms.content.decode()
    assert catalogue.status_code == 200
    assert "Temporary accommodation" in catalogue.content.decode()


def test_a_room_cannot_lose_a_bed_someone_sleeps_in(users, client_for, world):
    check_in(users["case_worker"], world, room=world.room_b, bed=3)

    response = client_for(users["administrator"]).post(
        f"/admin/protection/room/{world.room_b.pk}/change/",
        {"office": world.centre.pk, "name": "B", "beds": 2, "in_use": "on"})

    assert response.status_code == 200
    assert "Bed 3 is taken" in response.content.decode()
    world.room_b.refresh_from_db()
    assert world.room_b.beds == 3


def test_a_used_service_is_retired_not_deleted(users, client_for, world):
    check_in(users["case_worker"], world)
    accommodation = ServiceDelivery.objects.get().service_type

    response = client_for(users["administrator"]).get(f"/admin/cases/servicetype/{accommodation.pk}/delete/")

    assert response.status_code == 403
