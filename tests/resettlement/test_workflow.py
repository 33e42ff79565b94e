"""A family's path through resettlement processing, through the services: each guard names what is missing and
nothing is half-saved."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from waypoint.audit.models import AuditEvent
from waypoint.cases import movements
from waypoint.cases.models import Case, Movement, MovementKind, MovementStatus, StatusChange
from waypoint.partners.models import Organisation, OrganisationType
from waypoint.resettlement import checks, predeparture, presentations, services, trips
from waypoint.resettlement.models import Clearance, ClearanceStatus, Decision, Presentation, ResettlementProfile

from .helpers import family, medical, members, res_staff, step

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def days(n: int) -> datetime.date:
    return TODAY - datetime.timedelta(days=n)


@pytest.fixture
def world(make_user):
    worker, manager = res_staff(make_user)
    case = family(worker, 3, opened_on=days(60))
    trip = trips.create_trip(worker, city="tashkent", starts_on=days(45), ends_on=days(40), staff=[worker])
    agency = Organisation.objects.create(name="HIAS", organisation_type=OrganisationType.NGO)
    return {"worker": worker, "manager": manager, "case": case, "trip": trip, "agency": agency}


def _to_file_prepared(worker, case):
    step(worker, case, "prescreen", days(55))
    return step(worker, case, "prepare_file", days(50))


def test_the_profile_refuses_a_unhcr_referral_without_its_reference_and_keeps_versions(world):
    worker, case = world["worker"], world["case"]
    values = {"destination": "US", "resettlement_programme": "usrap", "category": "p1", "referral_source": "unhcr"}
    with pytest.raises(ValidationError) as refused:
        services.update_profile(worker, case, version=0, **values)
    assert "unhcr_reference" in refused.value.message_dict
    assert not ResettlementProfile.objects.exists()
    with pytest.raises(ValidationError) as wrong_country:
        services.update_profile(worker, case, version=0, **{**values, "resettlement_programme": "ca_gar",
                                                             "unhcr_reference": "UNHCR-123"})
    assert "resettlement_programme" in wrong_country.value.message_dict
    profile = services.update_profile(worker, case, version=0, **values, unhcr_reference="UNHCR-123")
    assert profile.version == 1
    with pytest.raises(services.ConflictError):
        services.update_profile(worker, case, version=0, **values, unhcr_reference="UNHCR-999")
    assert ResettlementProfile.objects.get().unhcr_reference == "UNHCR-123"


def test_presenting_on_a_trip_then_hold_and_present_again(world):
    worker, case, trip = world["worker"], world["case"], world["trip"]
    _to_file_prepared(worker, case)
    people = members(case)
    with pytest.raises(ValidationError) as outside:
        presentations.record_presentation(worker, case, presented_on=days(30), city="", agency="USCIS",
                                          trip=trip, members=people)
    assert "presented_on" in outside.value.message_dict
    assert not Presentation.objects.exists()
    first = presentations.record_presentation(worker, case, presented_on=days(42), city="", agency="USCIS",
                                              officer="Officer Smith", trip=trip, members=people)
    assert first.city == "Tashkent"
    assert Case.objects.get(pk=case.pk).status == "presented"
    assert list(trip.cases_seen.all()) == [case]
    presentations.record_decision(worker, first, version=first.version, decision=Decision.ON_HOLD, decided_on=days(41))
    assert Case.objects.get(pk=case.pk).status == "on_hold"
    second = presentations.record_presentation(worker, case, presented_on=days(20), city="Moscow", agency="USCIS",
                                               members=people[:2])
    presentations.record_decision(worker, second, version=second.version, decision=Decision.APPROVED,
                                  decided_on=days(18))
    assert Case.objects.get(pk=case.pk).status == "approved"
    assert trips.figures(trip) == trips.TripFigures(interviews=1, individuals_presented=3, cases_seen=1)
    steps = list(StatusChange.objects.filter(case=case).values_list("action", "on"))
    assert ("present", days(42)) in steps
    assert ("present", days(20)) in steps
    assert ("approve", days(18)) in steps


def test_the_generic_step_says_the_presentation_is_recorded_in_the_panel(world):
    worker, case = world["worker"], world["case"]
    case = _to_file_prepared(worker, case)
    with pytest.raises(ValidationError) as refused:
        step(worker, case, "present")
    assert "Presentations and decisions" in " ".join(refused.value.message_dict["action"])
    assert AuditEvent.objects.filter(action="deny", object_id=str(case.pk)).exists()


def test_a_decision_before_the_interview_is_refused_and_nothing_changes(world):
    worker, case = world["worker"], world["case"]
    _to_file_prepared(worker, case)
    presentation = presentations.record_presentation(worker, case, presented_on=days(30), city="Moscow",
                                                     agency="USCIS", members=members(case))
    with pytest.raises(ValidationError) as refused:
        presentations.record_decision(worker, presentation, version=presentation.version, decision="approved",
                                      decided_on=days(31))
    assert "decided_on" in refused.value.message_dict
    presentation.refresh_from_db()
    assert presentation.decision == Decision.PENDING
    assert Case.objects.get(pk=case.pk).status == "presented"


def _approved(world) -> Case:
    worker, case = world["worker"], world["case"]
    _to_file_prepared(worker, case)
    presentation = presentations.record_presentation(worker, case, presented_on=days(30), city="Moscow",
                                                     agency="USCIS", members=members(case))
    presentations.record_decision(worker, presentation, version=1, decision="approved", decided_on=days(25))
    return Case.objects.get(pk=case.pk)


def _journey(worker, case, people, departs_in: int = 10) -> Movement:
    departs = timezone.now() + datetime.timedelta(days=departs_in)
    return movements.plan_movement(worker, case, kind=MovementKind.INTERNATIONAL, travellers=people, origin="Moscow",
                                   origin_country="RU", destination="New York", destination_country="US",
                                   departs_at=departs)


def test_departing_before_clearances_names_every_missing_thing_and_changes_nothing(world):
    worker = world["worker"]
    case = _approved(world)
    with pytest.raises(ValidationError) as refused:
        step(worker, case, "depart")
    reasons = " ".join(refused.value.message_dict["action"])
    principal, spouse, child = members(case)
    for who in (principal, spouse, child):
        assert f"{who.reference}: the clearance “Security name check” is not recorded" in reasons
        assert f"{who.reference} has no medical clearance" in reasons
    assert f"{principal.reference}: the clearance “Biometrics (fingerprints)” is not recorded" in reasons
    assert f"{child.reference}: the clearance “Biometrics" not in reasons  # under 14: no fingerprints
    assert "No flight is booked" in reasons
    assert "cultural orientation" in reasons
    assert "assurance" in reasons
    assert Case.objects.get(pk=case.pk).status == "approved"


def test_booking_refuses_an_expired_clearance_naming_the_person_and_the_date_then_the_family_departs(world):
    worker, agency = world["worker"], world["agency"]
    case = _approved(world)
    people = members(case)
    for who in people:
        for kind in checks.required_kinds(who, TODAY):
            services.record_clearance(worker, case, person=who, kind=kind, status=ClearanceStatus.CLEARED,
                                      obtained_on=days(20), valid_until=TODAY + datetime.timedelta(days=200))
    medical(case, people[:2], valid_until=TODAY + datetime.timedelta(days=100), assessed_on=days(10))
    medical(case, people[2:], valid_until=TODAY + datetime.timedelta(days=5), assessed_on=days(10))
    journey = _journey(worker, case, people)
    with pytest.raises(ValidationError) as refused:
        movements.set_movement_status(worker, journey, MovementStatus.BOOKED, version=journey.version)
    message = " ".join(refused.value.message_dict["status"])
    assert people[2].reference in message
    assert "medical clearance is valid until" in message
    assert Movement.objects.get(pk=journey.pk).status == MovementStatus.PLANNED

    security = Clearance.objects.get(person=people[0], kind="security")
    services.update_clearance(worker, security, version=security.version,
                              valid_until=TODAY + datetime.timedelta(days=3))
    medical(case, people[2:], valid_until=TODAY + datetime.timedelta(days=100), assessed_on=days(1))
    with pytest.raises(ValidationError) as expired:
        movements.set_movement_status(worker, journey, MovementStatus.BOOKED, version=journey.version)
    text = " ".join(expired.value.message_dict["status"])
    assert f"{people[0].reference}: the clearance “Security name check” is valid until" in text
    services.update_clearance(worker, security, version=security.version + 1,
                              valid_until=TODAY + datetime.timedelta(days=300))
    journey = movements.set_movement_status(worker, journey, MovementStatus.BOOKED, version=journey.version)
    step(worker, case, "book_travel")
    with pytest.raises(ValidationError):
        step(worker, case, "depart")  # no orientation, no assurance yet
    predeparture.record_orientation(worker, case, attended_on=days(2), place="Moscow office", members=people)
    predeparture.save_assurance(worker, case, version=0, agency=agency, received_on=days(2), placement="Chicago, IL")
    assert checks.clearances_valid(case) == []
    with pytest.raises(ValidationError) as still_booked:
        step(worker, case, "depart")  # the case departs with its flight, not before
    assert "still booked" in " ".join(still_booked.value.message_dict["action"])
    journey = movements.update_movement(worker, journey, version=journey.version, departs_at=timezone.now())
    movements.set_movement_status(worker, journey, MovementStatus.IN_TRANSIT, version=journey.version)
    step(worker, case, "depart")
    change = StatusChange.objects.get(case=case, action="depart")
    assert change.individuals == 3


def test_clearance_dates_are_checked(world):
    worker = world["worker"]
    case = world["case"]
    who = members(case)[0]
    with pytest.raises(ValidationError) as refused:
        services.record_clearance(worker, case, person=who, kind="security", status="cleared", obtained_on=days(1),
                                  valid_until=days(5))
    assert "valid_until" in refused.value.message_dict
    with pytest.raises(ValidationError) as future:
        services.record_clearance(worker, case, person=who, kind="security", status="cleared",
                                  obtained_on=TODAY + datetime.timedelta(days=1), valid_until=days(-30))
    assert "obtained_on" in future.value.message_dict
    assert not Clearance.objects.exists()


def test_trip_dates_are_checked(world):
    worker = world["worker"]
    with pytest.raises(ValidationError) as refused:
        trips.create_trip(worker, city="Baku", starts_on=days(1), ends_on=days(5), staff=[worker])
    assert "ends_on" in refused.value.message_dict
    with pytest.raises(ValidationError) as unknown:
        trips.create_trip(worker, city="Gotham", starts_on=days(5), ends_on=days(1), staff=[worker])
    assert set(unknown.value.message_dict) == {"country"}
    trip = trips.create_trip(worker, city="Baku", starts_on=days(5), ends_on=days(1), staff=[worker])
    assert trip.country == "AZ"
