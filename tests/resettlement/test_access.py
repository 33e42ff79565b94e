"""Who sees and changes the resettlement models, in the shape of `tests/accounts/test_policy.py`.

Case parts (profile, clearances, presentations, orientation, assurance) follow the case: the owner and assigned
staff and the programme's managers; none is deleted. Processing trips: resettlement staff see them all, a case
worker changes the trips they travel on, the programme's managers every trip; none is deleted.
"""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from tests.accounts.test_policy import PERSONAS
from tests.conftest import signed_in_client
from tests.object_matrix import assert_matrix_covers_the_app, matrix_mismatches
from waypoint.accounts import policy
from waypoint.accounts.models import Programme, Role
from waypoint.cases.models import Case, CaseMember, Channel, MemberRole
from waypoint.people.models import Person, ProgrammeRegistration
from waypoint.resettlement.models import (
    Assurance,
    Clearance,
    Orientation,
    Presentation,
    ProcessingTrip,
    ResettlementProfile,
)

ALL, NONE, LISTED, OWN = "all", "none", "listed", "own"
NOTHING = (NONE, NONE, NONE)
CASE_ROWS = {
    "programme_manager": {"RES-owned", "RES-assigned", "RES-other"},
    "case_worker": {"RES-owned"},
    "case_worker_b": {"RES-assigned"},  # the return officer, assigned to one resettlement case
}
CASE_PARTS = {p: (LISTED, LISTED, NONE) if p in CASE_ROWS else NOTHING for p in PERSONAS}
TRIPS = {p: {"programme_manager": (ALL, ALL, NONE), "case_worker": (ALL, OWN, NONE)}.get(p, NOTHING)
         for p in PERSONAS}
OBJECT_MATRIX = {
    model._meta.label_lower: (model, CASE_PARTS)
    for model in (ResettlementProfile, Clearance, Presentation, Orientation, Assurance)
}
OBJECT_MATRIX["resettlement.processingtrip"] = (ProcessingTrip, TRIPS)


@pytest.fixture
def world(users, make_user, office, ngo_x):
    """The CT manager and case worker also work in resettlement; a resettlement colleague owns the other cases
    (one of them in direct assistance, which nobody here manages)."""
    for persona in ("programme_manager", "case_worker"):
        users[persona].programmes = [Programme.COUNTER_TRAFFICKING, Programme.RESETTLEMENT]
        users[persona].save()
    colleague = make_user(Role.CASE_WORKER, "res_colleague", programmes=[Programme.RESETTLEMENT])
    today = timezone.localdate()
    for reference, owner, assigned in (("RES-owned", users["case_worker"], None),
                                       ("RES-assigned", colleague, users["case_worker_b"]),
                                       ("RES-other", colleague, None),
                                       ("DAP-other", colleague, None)):  # another programme: its manager only
        programme = Programme.DIRECT_ASSISTANCE if reference.startswith("DAP") else Programme.RESETTLEMENT
        case = Case.objects.create(reference=reference, programme=programme, office=office, owner=owner,
                                   opened_on=today, channel=Channel.OTHER, status="approved")
        if assigned:
            case.assigned.add(assigned)
        person = Person.objects.create(given_name="Ahmad", family_name=reference)
        ProgrammeRegistration.objects.create(person=person, programme=Programme.RESETTLEMENT)
        CaseMember.objects.create(case=case, person=person, role=MemberRole.PRINCIPAL)
        ResettlementProfile.objects.create(case=case, destination="US", resettlement_programme="usrap",
                                           category="p1", referral_source="unhcr", unhcr_reference="X-1")
        Clearance.objects.create(case=case, person=person, kind="security", status="pending")
        trip = ProcessingTrip.objects.create(city="Baku", country="AZ", starts_on=today, ends_on=today)
        trip.staff.add(owner)
        presentation = Presentation.objects.create(case=case, presented_on=today, city="Baku", agency="USCIS",
                                                   trip=trip, decision="approved", decided_on=today)
        presentation.members.add(person)
        orientation = Orientation.objects.create(case=case, attended_on=today, place="Moscow")
        orientation.members.add(person)
        Assurance.objects.create(case=case, agency=ngo_x, received_on=today - datetime.timedelta(days=1))
    return users


def expected_rows(kind: str, model, user) -> set:
    everything = set(model._default_manager.all())
    if kind == ALL:
        return everything
    if kind == NONE:
        return set()
    if kind == OWN:
        return {trip for trip in everything if trip.staff.filter(pk=user.pk).exists()}
    return set(model._default_manager.filter(case__reference__in=CASE_ROWS[user.username]))


@pytest.mark.django_db
@pytest.mark.parametrize("label", list(OBJECT_MATRIX))
def test_scope_and_can_give_exactly_the_rows_the_matrix_allows(world, label):
    model, table = OBJECT_MATRIX[label]
    assert matrix_mismatches(world, model, table, expected_rows) == {}


def test_the_matrix_covers_every_resettlement_rule():
    assert_matrix_covers_the_app("resettlement", OBJECT_MATRIX)


@pytest.mark.django_db
def test_a_return_officer_sees_a_resettlement_case_only_once_assigned(users, make_user, office):
    officer = users["case_worker_b"]
    assert officer.programmes == [Programme.RETURN]
    colleague = make_user(Role.CASE_WORKER, "res_colleague", programmes=[Programme.RESETTLEMENT])
    case = Case.objects.create(reference="RES-2026-00099", programme=Programme.RESETTLEMENT, office=office,
                               owner=colleague, opened_on=timezone.localdate(), channel=Channel.OTHER)
    profile = ResettlementProfile.objects.create(case=case, destination="US", resettlement_programme="usrap",
                                                 category="p2", referral_source="family")
    client = signed_in_client(officer)
    assert not policy.can(officer, "view", case)
    assert not policy.scope(officer, ResettlementProfile.objects.all()).exists()
    assert client.get(f"/cases/{case.reference}/").status_code == 404
    assert client.get(f"/resettlement/cases/{case.reference}/profile/").status_code == 404
    assert client.get("/resettlement/trips/").status_code == 404  # not resettlement staff

    case.assigned.add(officer)
    assert policy.can(officer, "view", case)
    assert policy.can(officer, "change", profile)
    page = client.get(f"/cases/{case.reference}/")
    assert page.status_code == 200
    assert "Resettlement profile" in page.content.decode()
    assert client.get(f"/resettlement/cases/{case.reference}/profile/").status_code == 200
