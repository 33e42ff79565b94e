"""Services delivered on a case: every rule a delivery follows, who may record one, stale edits, cancelling,
the services panel, and the forms as a case worker uses them."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse

from tests.cases.service_world import (
    CT,
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
from waypoint.audit.models import Action
from waypoint.cases import deliveries, timeline
from waypoint.cases.locking import ConflictError
from waypoint.cases.models import Case, DeliveryStatus, ServiceDelivery, ServiceType
from waypoint.partners.models import Organisation, OrganisationType
from waypoint.protection import stays


@pytest.fixture
def world(users):
    return make_world(users)


@pytest.fixture
def medical():
    return ServiceType.objects.get(code="medical")


def record(user, case, **fields):
    values = {"service_type": ServiceType.objects.get(code="psychological"), "person": None,
              "delivered_on": YESTERDAY, "status": DeliveryStatus.DELIVERED, "delivered_by": user, "cost": None,
              "currency": "RUB", "outcome": ""}
    values.update(fields)
    return deliveries.record_delivery(user, case, **values)


# --- Recording ----------------------------------------------------------------------------------
def test_a_case_worker_records_a_service_with_its_audit_event_and_timeline_line(users, world, medical):
    worker = users["case_worker"]
    since = last_event_id()

    delivery = record(worker, world.case, service_type=medical, person=world.mother, cost=Decimal("2500.00"),
                      outcome="Examined; antibiotics prescribed.")

    delivery.refresh_from_db()
    assert (delivery.case, delivery.person, delivery.service_type, delivery.status) == (
        world.case, world.mother, medical, DeliveryStatus.DELIVERED)
    assert (delivery.delivered_by, delivery.cost, delivery.currency, delivery.recorded_by) == (
        worker, Decimal("2500.00"), "RUB", worker)
    [created] = events_since(since, Action.CREATE).filter(object_type="cases.servicedelivery")
    assert created.changes["outcome"] is None  # what a doctor found never goes to the trail
    assert created.changes["cost"] == [None, "2500.00"]
    [line] = timeline_lines(world.case, timeline.SERVICE)
    assert "Medical services" in line
    assert world.mother.reference in line
    assert "delivered" in line


def test_a_partner_may_deliver_a_service_and_the_whole_case_may_receive_it(users, world, ngo_x):
    delivery = record(users["case_worker"], world.case, delivered_by=None, partner=ngo_x)

    assert (delivery.partner, delivery.delivered_by, delivery.person) == (ngo_x, None, None)
    assert "NGO X" in timeline_lines(world.case, timeline.SERVICE)[0]


def test_a_planned_service_may_lie_in_the_future(users, world):
    delivery = record(users["case_worker"], world.case, status=DeliveryStatus.PLANNED, delivered_on=TOMORROW)

    assert delivery.status == DeliveryStatus.PLANNED


def _inactive_partner():
    return Organisation.objects.create(name="Closed shelter", organisation_type=OrganisationType.NGO, is_active=False)


RULES = [
    ("person is not a member", lambda w, u: {"person": w.stranger}, "person", "is not a member of this case"),
    ("retired service", lambda w, u: {"service_type": _retired("legal_counselling")}, "service_type",
     "is not offered in this programme"),
    ("service of another programme", lambda w, u: {"service_type": _only_for("social_counselling", "AVRR")},
     "service_type", "is not offered in this programme"),
    ("delivered tomorrow", lambda w, u: {"delivered_on": TOMORROW}, "delivered_on",
     "cannot be delivered in the future"),
    ("no date", lambda w, u: {"delivered_on": None}, "delivered_on", "Give the date"),
    ("negative cost", lambda w, u: {"cost": Decimal("-1")}, "cost", "cannot be negative"),
    ("nobody delivers", lambda w, u: {"delivered_by": None}, "delivered_by", "a staff member or a partner"),
    ("staff and partner", lambda w, u: {"partner": Organisation.objects.create(name="P", organisation_type="ngo")},
     "partner", "not both"),
    ("staff of another programme", lambda w, u: {"delivered_by": u["case_worker_b"]}, "delivered_by",
     "is not staff of this programme"),
    ("inactive partner", lambda w, u: {"delivered_by": None, "partner": _inactive_partner()}, "partner",
     "no longer an active partner"),
    ("lower-case currency", lambda w, u: {"currency": "rub"}, "currency", "ISO 4217"),
    ("unknown currency", lambda w, u: {"currency": "XYZ"}, "currency", "ISO 4217"),
    ("two-letter currency", lambda w, u: {"currency": "RU"}, "currency", "ISO 4217"),
    ("unknown status", lambda w, u: {"status": "done"}, "status", "Unknown status"),
    ("accommodation", lambda w, u: {"service_type": ServiceType.objects.get(code="accommodation")}, "service_type",
     "check the person in"),
    ("airport reception", lambda w, u: {"service_type": ServiceType.objects.get(code="airport_reception")},
     "service_type", "plan a movement"),
]


def _retired(code: str) -> ServiceType:
    ServiceType.objects.filter(code=code).update(in_use=False)
    return ServiceType.objects.get(code=code)


def _only_for(code: str, programme: str) -> ServiceType:
    ServiceType.objects.filter(code=code).update(programmes=[programme])
    return ServiceType.objects.get(code=code)


@pytest.mark.parametrize(("fields", "field", "message"), [pytest.param(*rule[1:], id=rule[0]) for rule in RULES])
def test_every_rule_names_its_field_and_nothing_is_written(users, world, fields, field, message):
    since = last_event_id()

    with pytest.raises(ValidationError) as excinfo:
        record(users["case_worker"], world.case, **fields(world, users))

    assert message in " ".join(errors_of(excinfo)[field])
    assert not ServiceDelivery.objects.exists()
    assert not timeline_lines(world.case, timeline.SERVICE)
    assert not events_since(since, Action.CREATE).filter(object_type="cases.servicedelivery").exists()


def test_a_referral_of_another_case_is_refused(users, world, shelter):
    from waypoint.cases.models import Referral

    other = other_ct_case(users)
    referral = Referral.objects.create(reference="R-2026-09999", organisation=shelter.organization, case=other,
                                       programme=CT, office=other.office)

    with pytest.raises(ValidationError) as excinfo:
        record(users["case_worker"], world.case, referral=referral)

    assert "is not one of this case's" in errors_of(excinfo)["referral"][0]


def test_a_service_offered_only_in_this_programme_is_accepted(users, world):
    delivery = record(users["case_worker"], world.case, service_type=_only_for("social_counselling", CT))

    assert delivery.service_type.code == "social_counselling"


def test_a_closed_case_takes_no_new_service(users, world):
    Case.objects.filter(pk=world.case.pk).update(status="Closed")

    with pytest.raises(ValidationError, match="is closed"):
        record(users["case_worker"], world.case)
    assert not ServiceDelivery.objects.exists()


@pytest.mark.parametrize("persona", ["case_worker_b", "me_officer", "partner_user", "hotline_operator"])
def test_someone_outside_the_case_gets_not_found_and_the_refusal_is_audited(users, world, persona):
    since = last_event_id()

    with pytest.raises(Http404):
        record(users[persona], world.case, delivered_by=users["case_worker"])

    assert not ServiceDelivery.objects.exists()
    [denial] = denied(since, users[persona])
    assert denial.object_type == "cases.case"


def test_the_programme_manager_records_on_any_case_of_the_programme(users, world):
    delivery = record(users["programme_manager"], world.case, delivered_by=users["case_worker"])

    assert delivery.recorded_by == users["programme_manager"]


def test_the_catalogue_offers_direct_services_only_on_the_service_form(db):
    codes = {service_type.code for service_type in deliveries.offered_types(CT, direct_only=True)}

    assert {"medical", "psychological", "legal_counselling", "reintegration_grant"} <= codes
    assert not codes & {"accommodation", "airport_reception", "domestic_transport", "medical_escort"}


# --- Editing and cancelling --------------------------------------------------------------------
def test_an_edit_at_the_current_version_is_saved_audited_and_on_the_timeline(users, world):
    worker = users["case_worker"]
    delivery = record(worker, world.case)
    since = last_event_id()

    saved = deliveries.update_delivery(worker, delivery, version=delivery.version, outcome="Three sessions so far.",
                                       cost=Decimal("1200"))

    assert saved.version == delivery.version + 1
    saved.refresh_from_db()
    assert (saved.outcome, saved.cost) == ("Three sessions so far.", Decimal("1200.00"))
    [update] = events_since(since, Action.UPDATE).filter(object_type="cases.servicedelivery")
    assert update.changes["outcome"] is None
    assert update.changes["cost"] == [None, "1200"]
    assert timeline_lines(world.case, timeline.SERVICE)[-1].startswith("Service changed")


def test_a_stale_edit_is_a_conflict_and_nothing_is_written(users, world):
    worker = users["case_worker"]
    delivery = record(worker, world.case)
    deliveries.update_delivery(users["programme_manager"], delivery, version=1, outcome="Manager's note.")
    lines = len(timeline_lines(world.case, timeline.SERVICE))

    with pytest.raises(ConflictError) as excinfo:
        deliveries.update_delivery(worker, delivery, version=1, outcome="Case worker's note.")

    assert excinfo.value.current.outcome == "Manager's note."
    delivery.refresh_from_db()
    assert (delivery.outcome, delivery.version) == ("Manager's note.", 2)
    assert len(timeline_lines(world.case, timeline.SERVICE)) == lines


def test_an_edit_is_checked_by_the_same_rules(users, world):
    delivery = record(users["case_worker"], world.case)

    with pytest.raises(ValidationError) as excinfo:
        deliveries.update_delivery(users["case_worker"], delivery, version=1, delivered_on=TOMORROW)

    assert "future" in errors_of(excinfo)["delivered_on"][0]
    delivery.refresh_from_db()
    assert (delivery.delivered_on, delivery.version) == (YESTERDAY, 1)


def test_a_service_since_retired_keeps_its_deliveries_editable(users, world):
    delivery = record(users["case_worker"], world.case)
    ServiceType.objects.filter(pk=delivery.service_type_id).update(in_use=False)

    saved = deliveries.update_delivery(users["case_worker"], delivery, version=1, outcome="Follow-up done.")

    assert saved.outcome == "Follow-up done."


def test_cancelling_keeps_the_service_with_its_status(users, world):
    delivery = record(users["case_worker"], world.case, status=DeliveryStatus.PLANNED, delivered_on=TOMORROW)

    deliveries.cancel_delivery(users["case_worker"], delivery, version=1)

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.CANCELLED
    assert timeline_lines(world.case, timeline.SERVICE)[-1].startswith("Service cancelled")


def test_a_stays_service_follows_its_stay(users, world):
    stay = stays.check_in(users["case_worker"], world.case, person=world.mother, room=world.room_a, bed=1)

    with pytest.raises(ValidationError) as excinfo:
        deliveries.cancel_delivery(users["case_worker"], stay.delivery, version=1)

    assert "follows its stay" in errors_of(excinfo)["status"][0]
    saved = deliveries.update_delivery(users["case_worker"], stay.delivery, version=1, outcome="Room with the son.")
    assert (saved.status, saved.outcome) == (DeliveryStatus.DELIVERED, "Room with the son.")


def test_an_edit_cannot_turn_a_service_into_a_stay(users, world):
    delivery = record(users["case_worker"], world.case)

    with pytest.raises(ValidationError) as excinfo:
        deliveries.update_delivery(users["case_worker"], delivery, version=1,
                                   service_type=ServiceType.objects.get(code="accommodation"))

    assert "its own form" in errors_of(excinfo)["service_type"][0]


def test_an_outsider_cannot_edit_and_is_audited(users, world):
    delivery = record(users["case_worker"], world.case)
    since = last_event_id()

    with pytest.raises(Http404):
        deliveries.update_delivery(users["case_worker_b"], delivery, version=1, outcome="x")

    assert denied(since, users["case_worker_b"])[0].object_type == "cases.servicedelivery"
    delivery.refresh_from_db()
    assert delivery.outcome == ""


# --- The panel ----------------------------------------------------------------------------------
def test_the_services_panel_lists_the_case_services_for_those_who_may_change_it(users, world, medical, ngo_x):
    record(users["case_worker"], world.case, service_type=medical, person=world.son, cost=Decimal("900"),
           outcome="Vaccinated.")
    record(users["case_worker"], world.case, delivered_by=None, partner=ngo_x, status=DeliveryStatus.CANCELLED)

    html = render_panel(users["case_worker"], world.case, "services")

    for shown in ("Medical services", "Psychological counselling", world.son.reference, "NGO X", "Vaccinated."):
        assert shown in html
    assert "900.00 RUB" in html
    assert "Delivered services cost" in html
    assert reverse("case_services:delivery_add", args=[world.case.reference]) in html
    assert "Cancelled" in html


def test_a_closed_case_offers_no_record_link(users, world):
    Case.objects.filter(pk=world.case.pk).update(status="Closed")
    case = Case.objects.get(pk=world.case.pk)

    html = render_panel(users["case_worker"], case, "services")

    assert reverse("case_services:delivery_add", args=[case.reference]) not in html


def test_the_services_panel_is_on_every_programmes_case(users):
    case = return_case(users)

    html = render_panel(users["case_worker_b"], case, "services")

    assert "No services recorded." in html


# --- The forms ----------------------------------------------------------------------------------
def form_data(world, **fields) -> dict:
    data = {"service_type": ServiceType.objects.get(code="legal_counselling").pk, "person": world.mother.pk,
            "status": "delivered", "delivered_on": YESTERDAY.isoformat(), "delivered_by": "", "partner": "",
            "cost": "", "currency": "RUB", "outcome": "Explained her rights as a victim.", "referral": ""}
    data.update(fields)
    return data


def test_the_record_form_saves_and_returns_to_the_case(users, client_for, world):
    client = client_for(users["case_worker"])
    url = reverse("case_services:delivery_add", args=[world.case.reference])

    page = client.get(url)
    response = client.post(url, form_data(world, delivered_by=users["case_worker"].pk))

    assert page.status_code == 200
    assert ">Psychological counselling</option>" in page.content.decode()
    assert ">Airport reception</option>" not in page.content.decode()  # recorded through a movement
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:detail", args=[world.case.reference]) + "#services"
    assert ServiceDelivery.objects.get().outcome == "Explained her rights as a victim."


def test_the_record_form_keeps_the_input_and_names_the_field(users, client_for, world):
    client = client_for(users["case_worker"])

    response = client.post(reverse("case_services:delivery_add", args=[world.case.reference]),
                           form_data(world, delivered_by=users["case_worker"].pk, cost="-5", currency="EUR"))

    content = response.content.decode()
    assert response.status_code == 200
    assert "The cost cannot be negative." in content
    assert "Explained her rights as a victim." in content
    assert not ServiceDelivery.objects.exists()


def test_the_edit_form_answers_a_stale_save_with_409_and_keeps_the_input(users, client_for, world):
    delivery = record(users["case_worker"], world.case, outcome="First note.")
    deliveries.update_delivery(users["programme_manager"], delivery, version=1, outcome="Manager's correction.")
    url = reverse("case_services:delivery_edit", args=[world.case.reference, delivery.pk])
    data = form_data(world, service_type=delivery.service_type_id, person="", delivered_by=users["case_worker"].pk,
                     outcome="My own correction.", version=1)

    response = client_for(users["case_worker"]).post(url, data)

    content = response.content.decode()
    assert response.status_code == 409
    assert "Someone else saved this while you were editing it. Nothing was saved." in content
    assert "My own correction." in content
    assert "Manager&#x27;s correction." in content
    assert 'name="version" value="2"' in content
    delivery.refresh_from_db()
    assert (delivery.outcome, delivery.version) == ("Manager's correction.", 2)


def test_the_edit_form_saves_at_the_current_version(users, client_for, world):
    delivery = record(users["case_worker"], world.case)
    url = reverse("case_services:delivery_edit", args=[world.case.reference, delivery.pk])
    client = client_for(users["case_worker"])
    assert 'name="version" value="1"' in client.get(url).content.decode()

    response = client.post(url, form_data(world, service_type=delivery.service_type_id, person="",
                                          delivered_by=users["case_worker"].pk, status="cancelled", version=1))

    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.CANCELLED


@pytest.mark.parametrize("persona", ["case_worker_b", "partner_user", "me_officer", "administrator"])
def test_the_forms_are_not_found_for_someone_outside_the_case(users, client_for, world, persona):
    delivery = record(users["case_worker"], world.case)
    client = client_for(users[persona])
    since = last_event_id()

    add = client.get(reverse("case_services:delivery_add", args=[world.case.reference]))
    edit = client.post(reverse("case_services:delivery_edit", args=[world.case.reference, delivery.pk]),
                       form_data(world, version=1, outcome="Tampered."))

    assert (add.status_code, edit.status_code) == (404, 404)
    assert len(denied(since, users[persona])) == 2
    delivery.refresh_from_db()
    assert delivery.outcome == ""


def test_a_service_is_reached_only_through_its_own_case(users, client_for, world):
    """A delivery of another case (one the user may also change) is not found under this case's address."""
    manager = users["programme_manager"]
    other = other_ct_case(users)
    foreign = record(manager, other, delivered_by=manager)
    since = last_event_id()

    response = client_for(manager).get(
        reverse("case_services:delivery_edit", args=[world.case.reference, foreign.pk]))

    assert response.status_code == 404
    assert denied(since, manager)[0].object_id == str(foreign.pk)


def test_the_edit_page_is_audited_as_a_read(users, client_for, world):
    delivery = record(users["case_worker"], world.case)
    since = last_event_id()

    client_for(users["case_worker"]).get(reverse("case_services:delivery_edit",
                                                 args=[world.case.reference, delivery.pk]))

    assert events_since(since, Action.VIEW).filter(object_type="cases.servicedelivery",
                                                   object_id=str(delivery.pk)).exists()

