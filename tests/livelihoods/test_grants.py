"""A grant from application to follow-up: the workflow's guards, the approved value as the items' ceiling, stale
edits, the API, the reminders and the statistics."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from tests.conftest import signed_in_client
from tests.livelihoods.world import (
    DAY,
    SCORES,
    TODAY,
    approved_grant,
    handed_over_grant,
    make_dap,
    open_grant,
    visited_grant,
)
from waypoint.accounts.models import Role
from waypoint.api import services as api_services
from waypoint.audit.models import Action, AuditEvent
from waypoint.cases import casework
from waypoint.cases.locking import ConflictError
from waypoint.cases.models import Case, StatusChange
from waypoint.livelihoods import grants, items, visits
from waypoint.livelihoods.models import GrantItem, ItemStatus, Settlement


@pytest.fixture
def dap(make_user):
    return make_dap(make_user)


def _step(dap, case, action, **extra):
    case.refresh_from_db()
    return casework.transition(dap.worker, case, action, version=case.version, **extra)


def test_the_application_is_a_dap_case_of_the_applicants_counted_as_individuals(dap):
    case = open_grant(dap)
    assert case.programme == "DAP"
    assert case.status == "received"
    assert {m.person for m in case.members.all()} == {dap.founder, dap.partner}
    assert StatusChange.objects.get(case=case, action="open").individuals == 2
    assert case.grant_application.enterprise == dap.enterprise


def test_no_approval_without_an_assessment_and_no_decision_before_it(dap):
    case = open_grant(dap)
    with pytest.raises(ValidationError) as refused:
        _step(dap, case, "assess")
    assert "record the assessment first" in str(refused.value)
    application = case.grant_application
    with pytest.raises(ValidationError) as refused:
        grants.record_decision(dap.worker, case, version=application.version, decision="approved",
                               decided_on=TODAY, approved_value="1000")
    assert "Record the assessment before the decision." in str(refused.value)
    assert AuditEvent.objects.filter(action=Action.DENY, changes__refused="decision").exists()


def test_an_assessment_scores_every_documented_criterion(dap):
    case = open_grant(dap)
    application = case.grant_application
    with pytest.raises(ValidationError) as refused:
        grants.record_assessment(dap.worker, case, version=application.version, scores={**SCORES, "market": 9},
                                 assessed_on=TODAY, assessor=dap.worker, recommendation="approve")
    assert "score_market" in refused.value.message_dict
    application.refresh_from_db()
    assert not application.assessed


def test_the_approved_value_cannot_exceed_the_request(dap):
    case = approved_grant(dap, approved="100000.00")
    assert case.status == "approved"
    assert case.grant_application.approved_value == Decimal("100000.00")
    case2 = open_grant(dap, requested="5000")
    application = case2.grant_application
    application = grants.record_assessment(dap.worker, case2, version=application.version, scores=SCORES,
                                           assessed_on=TODAY, assessor=dap.worker, recommendation="approve")
    with pytest.raises(ValidationError) as refused:
        grants.record_decision(dap.worker, case2, version=application.version, decision="approved",
                               decided_on=TODAY, approved_value="6000")
    assert "cannot be more than the requested value" in refused.value.message_dict["approved_value"][0]


def test_an_item_above_the_approved_value_is_refused_naming_what_remains_and_nothing_is_saved(dap):
    case = approved_grant(dap, approved="100000.00")
    application = case.grant_application
    items.add_item(dap.worker, case, version=application.version, item_type="machinery", description="Press",
                   quantity=1, value="70000")
    application.refresh_from_db()
    before = (GrantItem.objects.count(), application.version)
    with pytest.raises(ValidationError) as refused:
        items.add_item(dap.worker, case, version=application.version, item_type="vehicle", description="Van",
                       quantity=1, value="40000")
    message = refused.value.message_dict["value"][0]
    assert "30,000.00 RUB remain" in message
    assert "100,000.00 RUB approved" in message
    application.refresh_from_db()
    assert (GrantItem.objects.count(), application.version) == before
    assert AuditEvent.objects.filter(action=Action.DENY, changes__reasons=["above_approved_value"]).exists()


def test_procurement_and_handover_guards(dap):
    case = approved_grant(dap)
    with pytest.raises(ValidationError, match="No item is recorded"):
        _step(dap, case, "procure")
    application = case.grant_application
    item = items.add_item(dap.worker, case, version=application.version, item_type="tools", description="Drill",
                          quantity=2, value="8000")
    case = _step(dap, case, "procure")
    with pytest.raises(ValidationError) as refused:
        _step(dap, case, "hand_over")
    assert "“Drill” has not been handed over" in str(refused.value)
    with pytest.raises(ValidationError) as refused:
        items.update_item(dap.worker, item, version=item.version, handover_act_number="A-1",
                          handover_act_date=TODAY)
    assert "delivered_on" in refused.value.message_dict
    item = items.update_item(dap.worker, item, version=item.version, delivered_on=TODAY - DAY,
                             handover_act_number="A-1", handover_act_date=TODAY)
    assert item.status == ItemStatus.HANDED_OVER
    case = _step(dap, case, "hand_over")
    assert case.status == "handed_over"


def test_a_stale_item_edit_is_refused_and_changes_nothing(dap):
    case = approved_grant(dap)
    item = items.add_item(dap.worker, case, version=case.grant_application.version, item_type="tools",
                          description="Drill", quantity=1, value="8000")
    old = item.version
    items.update_item(dap.worker, item, version=old, delivered_on=TODAY)
    with pytest.raises(ConflictError):
        items.update_item(dap.worker, item, version=old, description="Another drill")
    item.refresh_from_db()
    assert item.description == "Drill"
    page = signed_in_client(dap.worker).post(f"/livelihoods/grants/{case.reference}/items/{item.pk}/", {
        "version": old, "item_type": "tools", "description": "Hammer drill", "quantity": 1, "value": "8000"})
    assert page.status_code == 409
    assert "Nothing was saved" in page.content.decode()


def test_closing_as_completed_needs_a_follow_up_visit(dap):
    case = handed_over_grant(dap)
    case = _step(dap, case, "follow_up", on=TODAY - 150 * DAY)
    with pytest.raises(ValidationError, match="No follow-up visit is recorded"):
        _step(dap, case, "close", closure_reason="completed")
    with pytest.raises(ValidationError) as refused:
        visits.record_visit(dap.worker, case, visited_on=TODAY, visited_by=dap.worker, operating="yes",
                            items_in_use="all", jobs_created=2, jobs_women=3)
    assert "jobs_women" in refused.value.message_dict
    visits.record_visit(dap.worker, case, visited_on=TODAY, visited_by=dap.worker, operating="partly",
                        items_in_use="some", jobs_created=2, jobs_women=1, jobs_migrants=2)
    case = _step(dap, case, "close", closure_reason="completed")
    assert case.status == "closed"


def test_reminders_of_visits_due_show_on_the_dashboard_of_dap_case_workers(dap):
    case = handed_over_grant(dap)  # handed over 158 days ago: the 3-month visit is overdue
    reminders = visits.due_reminders(case.__class__.objects.filter(pk=case.pk))
    assert [(r.months, r.overdue) for r in reminders] == [(3, True)]
    page = signed_in_client(dap.worker).get("/").content.decode()
    assert "Follow-up visits due" in page
    assert case.reference in page


def test_the_dashboard_lists_ten_visits_due_and_says_how_many_more(dap):
    case = handed_over_grant(dap)
    others = [Case(reference=f"DAP-2000-{n:05d}", programme=case.programme, office=case.office, owner=case.owner,
                   status="handed_over", opened_on=case.opened_on, channel=case.channel) for n in range(11)]
    Case.objects.bulk_create(others)
    StatusChange.objects.bulk_create([StatusChange(case=other, action="hand_over", from_status="procured",
                                                   to_status="handed_over", on=TODAY - 158 * DAY, individuals=1)
                                      for other in others])
    page = signed_in_client(dap.worker).get("/").content.decode()
    assert '>12</span> <span class="figure-label">visits due within a month' in page
    assert page.count("-month visit due") == 10
    assert "And 2 more." in page


def test_the_statistics_count_the_settlement_and_item_types(dap, make_user):
    visited_grant(dap)
    other = Settlement.objects.create(name="Mirny", region="Tver Oblast")
    me = make_user(Role.ME_OFFICER, "me")
    query = f"?date_from={(TODAY - 365 * DAY).isoformat()}&date_to={TODAY.isoformat()}"
    page = signed_in_client(me).get(f"/livelihoods/statistics/{query}")
    assert page.status_code == 200
    statistics = page.context["statistics"]
    row = next(r for r in statistics.by_settlement if r.label.startswith("Novaya Zhizn"))
    assert (row.applications, row.approved, row.handed_over, row.individuals, row.items) == (1, 1, 1, 2, 2)
    assert row.value == {"RUB": Decimal("90000.00")}
    assert row.enterprise_count == 1
    assert (row.jobs, row.jobs_women, row.jobs_migrants, row.operating_rate) == (4, 3, 4, Decimal("100.0"))
    assert next(r for r in statistics.by_settlement if r.label.startswith(other.name)).items == 0
    equipment = next(r for r in statistics.by_item_type if r.label == "Equipment")
    assert (equipment.items, equipment.grant_count) == (2, 1)
    Settlement.objects.filter(pk=other.pk).update(name="=HYPERLINK(1)")
    export = signed_in_client(me).get(f"/livelihoods/statistics/export.csv{query}")
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert any(cells and cells[0].startswith("'=HYPERLINK") for cells in rows)
    assert AuditEvent.objects.filter(action=Action.EXPORT, object_type="livelihoods.grant_statistics").exists()


def test_the_api_adds_items_refusing_overspending_and_stale_versions(dap):
    case = approved_grant(dap, approved="100000.00")
    token = api_services.create_token(dap.worker, name="script", valid_days=5)[1]
    client = signed_in_client(dap.worker)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    grant = client.get(f"/api/v1/livelihoods/grants/{case.reference}", **headers).json()
    assert grant["approved_value"] == "100000.00"
    assert grant["remaining"] == "100000.00"
    body = {"version": grant["version"], "item_type": "vehicle", "description": "Van", "value": "150000"}
    answer = client.post(f"/api/v1/livelihoods/grants/{case.reference}/items", body,
                         content_type="application/json", **headers)
    assert answer.status_code == 422
    assert "100,000.00 RUB remain" in answer.json()["errors"]["value"][0]
    body["value"] = "90000"
    assert client.post(f"/api/v1/livelihoods/grants/{case.reference}/items", body,
                       content_type="application/json", **headers).status_code == 201
    stale = client.post(f"/api/v1/livelihoods/grants/{case.reference}/items", {**body, "value": "1000"},
                        content_type="application/json", **headers)
    assert stale.status_code == 409
    assert stale.json()["version"] == grant["version"] + 1
    enterprises = client.get("/api/v1/livelihoods/enterprises", **headers).json()
    assert enterprises["count"] == 1
    detail = client.get(f"/api/v1/livelihoods/enterprises/{dap.enterprise.pk}", **headers).json()
    assert detail["applications"] == [case.reference]
    assert len(detail["members"]) == 2
