"""Who sees and changes the livelihoods models, pinned as tables in the shape of tests/accounts/test_policy.py.

In this world the CT case worker and the CT programme manager also work in direct assistance; the return case
worker (`case_worker_b`) does not, and is assigned to one DAP case only. Three DAP cases: one the case worker owns,
one a colleague owns with `case_worker_b` assigned, one the colleague owns alone; and, so that the programme
manager's "every DAP case" is not everything, rows on a return case of `case_worker_b` (they follow that case).
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from tests.accounts.test_policy import ALL, LISTED, NONE, PERSONAS
from tests.conftest import signed_in_client
from tests.object_matrix import assert_matrix_covers_the_app, matrix_mismatches
from waypoint.accounts import policy
from waypoint.accounts.models import Programme, Role
from waypoint.cases.casework import open_case
from waypoint.cases.models import Case, Channel
from waypoint.livelihoods.models import (
    Activity,
    Enterprise,
    EnterpriseMember,
    EnterpriseRole,
    FollowUpVisit,
    GrantApplication,
    GrantItem,
    Settlement,
)
from waypoint.people import services as people_services

DAP = Programme.DIRECT_ASSISTANCE
TODAY = timezone.localdate()
DAP_STAFF = {"programme_manager", "case_worker"}
CASE_ROWS = {
    "programme_manager": {"DAP-owned", "DAP-assigned", "DAP-other"},
    "case_worker": {"DAP-owned"},
    "case_worker_b": {"DAP-assigned", "AVRR-own"},
}
SETTLEMENTS = {
    p: (ALL, ALL, ALL) if p == "administrator" else (ALL, NONE, NONE) if p in DAP_STAFF else (NONE, NONE, NONE)
    for p in PERSONAS
}
ENTERPRISES = {
    p: (ALL, ALL, NONE) if p == "administrator" or p in DAP_STAFF else (NONE, NONE, NONE) for p in PERSONAS
}
ENTERPRISE_MEMBERS = {
    p: (ALL, ALL, NONE) if p == "administrator" else (ALL, ALL, ALL) if p in DAP_STAFF else (NONE, NONE, NONE)
    for p in PERSONAS
}
CASE_PARTS = {p: (LISTED, LISTED, NONE) if p in CASE_ROWS else (NONE, NONE, NONE) for p in PERSONAS}
OBJECT_MATRIX: dict = {
    "livelihoods.settlement": (Settlement, SETTLEMENTS),
    "livelihoods.enterprise": (Enterprise, ENTERPRISES),
    "livelihoods.enterprisemember": (EnterpriseMember, ENTERPRISE_MEMBERS),
    "livelihoods.grantapplication": (GrantApplication, CASE_PARTS),
    "livelihoods.grantitem": (GrantItem, CASE_PARTS),
    "livelihoods.followupvisit": (FollowUpVisit, CASE_PARTS),
}


@pytest.fixture
def world(users, make_user):
    for persona in DAP_STAFF:
        users[persona].programmes = [*users[persona].programmes, DAP]
        users[persona].save()
    colleague = make_user(Role.CASE_WORKER, "dap_colleague", programmes=[DAP])
    settlements = [Settlement.objects.create(name=name, region="Oryol Oblast") for name in ("Zarya", "Mirny")]
    cases = {}
    for number, (reference, owner) in enumerate((("DAP-owned", users["case_worker"]), ("DAP-assigned", colleague),
                                                 ("DAP-other", colleague), ("AVRR-own", users["case_worker_b"]))):
        enterprise = Enterprise.objects.create(name=f"Enterprise {number}", settlement=settlements[number % 2],
                                               activity=Activity.CARPENTRY, registered_on=TODAY)
        person = people_services.register(owner, {"family_name": "Member" + "abcd"[number], "given_name": "A"},
                                          programme=owner.programmes[-1])
        EnterpriseMember.objects.create(enterprise=enterprise, person=person, role=EnterpriseRole.FOUNDER)
        case = open_case(owner, programme=owner.programmes[-1], principal=person, owner=owner, channel=Channel.SELF)
        Case.objects.filter(pk=case.pk).update(reference=reference)
        case.refresh_from_db()
        GrantApplication.objects.create(case=case, enterprise=enterprise, received_on=TODAY, plan="Plan",
                                        requested_value=Decimal("1000"), planned_items="Saw",
                                        approved_value=Decimal("900"), decision="approved")
        GrantItem.objects.create(case=case, item_type="tools", description="Saw", value=Decimal("500"),
                                 currency="RUB")
        FollowUpVisit.objects.create(case=case, visited_on=TODAY, visited_by=owner, operating="yes",
                                     items_in_use="all")
        cases[reference] = case
    cases["DAP-assigned"].assigned.add(users["case_worker_b"])
    return {"users": users, "cases": cases, "colleague": colleague}


def _expected(kind: str, model, user) -> set:
    every = set(model._default_manager.all())
    if kind == ALL:
        return every
    if kind == NONE:
        return set()
    return set(model._default_manager.filter(case__reference__in=CASE_ROWS[user.username]))


@pytest.mark.parametrize("label", list(OBJECT_MATRIX))
def test_scope_and_can_give_exactly_the_rows_the_matrix_allows(world, label):
    model, table = OBJECT_MATRIX[label]
    assert matrix_mismatches(world["users"], model, table, _expected) == {}


def test_the_matrix_covers_every_livelihoods_rule_and_every_persona():
    assert_matrix_covers_the_app("livelihoods", OBJECT_MATRIX)


def test_a_case_worker_of_another_programme_sees_no_dap_case_nor_its_items_unless_assigned(world):
    returns_worker = world["users"]["case_worker_b"]
    other, assigned = world["cases"]["DAP-other"], world["cases"]["DAP-assigned"]
    client = signed_in_client(returns_worker)
    assert client.get(f"/cases/{other.reference}/").status_code == 404
    assert not policy.scope(returns_worker, GrantItem.objects.filter(case=other)).exists()
    assert client.get(f"/livelihoods/grants/{other.reference}/items/new/").status_code == 404
    # Assigned: the case page shows the grant's panels, items included.
    page = client.get(f"/cases/{assigned.reference}/")
    assert page.status_code == 200
    assert "Saw" in page.content.decode()
    # Not a DAP staff member: no enterprise pages, even with an assigned case.
    assert client.get("/livelihoods/enterprises/").status_code == 404
    world["cases"]["DAP-assigned"].assigned.remove(returns_worker)
    assert client.get(f"/cases/{assigned.reference}/").status_code == 404
    assert not policy.scope(returns_worker, GrantItem.objects.filter(case__programme=DAP)).exists()


def test_an_enterprise_page_links_only_the_applications_the_user_may_see(world):
    worker = world["users"]["case_worker"]
    other = world["cases"]["DAP-other"]
    enterprise = other.grant_application.enterprise
    page = signed_in_client(worker).get(f"/livelihoods/enterprises/{enterprise.pk}/")
    assert page.status_code == 200
    assert other.reference not in page.content.decode()
    assert world["cases"]["DAP-other"].reference in signed_in_client(world["users"]["programme_manager"]).get(
        f"/livelihoods/enterprises/{enterprise.pk}/").content.decode()


def test_statistics_are_for_programme_managers_of_dap_and_me_only(world):
    users = world["users"]
    assert signed_in_client(users["programme_manager"]).get("/livelihoods/statistics/").status_code == 200
    assert signed_in_client(users["me_officer"]).get("/livelihoods/statistics/").status_code == 200
    for persona in ("case_worker", "case_worker_b", "hotline_operator"):
        assert signed_in_client(users[persona]).get("/livelihoods/statistics/").status_code == 404, persona


