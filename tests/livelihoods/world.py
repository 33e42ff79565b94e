"""What the livelihoods tests share: the direct assistance programme's staff, a settlement, an enterprise with two
members, and a grant application taken through the real services to the stage a test needs."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from waypoint.accounts.models import Programme, Role, User
from waypoint.cases import casework
from waypoint.cases.models import Case
from waypoint.livelihoods import enterprises, grants, items, visits
from waypoint.livelihoods.models import Activity, Enterprise, EnterpriseRole, ItemType, Settlement
from waypoint.people.models import Person

DAP = Programme.DIRECT_ASSISTANCE
TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)
SCORES = {"viability": 4, "experience": 4, "market": 3, "jobs": 4, "contribution": 3, "sustainability": 4}


@dataclass
class Dap:
    worker: User
    manager: User
    settlement: Settlement
    enterprise: Enterprise
    founder: Person
    partner: Person


def staff(make_user) -> tuple[User, User]:
    return (make_user(Role.CASE_WORKER, "dap_worker", programmes=[DAP], first_name="Ruslan", last_name="Gadzhiev"),
            make_user(Role.PROGRAMME_MANAGER, "dap_manager", programmes=[DAP]))


def make_dap(make_user) -> Dap:
    worker, manager = staff(make_user)
    settlement = Settlement.objects.create(name="Novaya Zhizn", region="Oryol Oblast", district="Mtsensk")
    enterprise = enterprises.register_enterprise(worker, name="Sewing workshop “Zarya”", settlement=settlement,
                                                 activity=Activity.SEWING, registered_on=TODAY - 400 * DAY)
    founder = enterprises.add_member(worker, enterprise, person_data={
        "family_name": "Каримова", "given_name": "Дильбар", "sex": "F", "citizenships": ["TJ"]},
        role=EnterpriseRole.FOUNDER).person
    partner = enterprises.add_member(worker, enterprise, person_data={
        "family_name": "Каримов", "given_name": "Бахтиёр", "sex": "M", "citizenships": ["TJ"]},
        role=EnterpriseRole.MEMBER).person
    return Dap(worker, manager, settlement, enterprise, founder, partner)


def open_grant(dap: Dap, *, received: datetime.date | None = None, requested: str = "120000.00") -> Case:
    return grants.open_application(
        dap.worker, dap.enterprise, applicants=[dap.founder, dap.partner], owner=dap.worker,
        received_on=received or TODAY - 200 * DAY, plan="Tailoring school uniforms for the district's schools.",
        requested_value=requested, currency="RUB", planned_items="Two industrial sewing machines\nOverlocker",
        expected_monthly_income="45000", expected_jobs=3)


def _step(user: User, case: Case, action: str, on: datetime.date, **extra) -> Case:
    case.refresh_from_db()
    return casework.transition(user, case, action, version=case.version, on=on, **extra)


def approved_grant(dap: Dap, *, approved: str = "100000.00") -> Case:
    case = open_grant(dap)
    application = case.grant_application
    application = grants.record_assessment(dap.worker, case, version=application.version, scores=SCORES,
                                           assessed_on=TODAY - 190 * DAY, assessor=dap.worker,
                                           recommendation="approve_reduced", notes="Good plan, fewer machines.")
    case = _step(dap.worker, case, "assess", TODAY - 190 * DAY)
    grants.record_decision(dap.worker, case, version=application.version, decision="approved",
                           decided_on=TODAY - 185 * DAY, approved_value=approved)
    return _step(dap.worker, case, "approve", TODAY - 185 * DAY)


def handed_over_grant(dap: Dap) -> Case:
    case = approved_grant(dap)
    for description, value in (("Industrial sewing machine", "60000.00"), ("Overlocker", "30000.00")):
        application = case.grant_application
        application.refresh_from_db()
        items.add_item(dap.worker, case, version=application.version, item_type=ItemType.EQUIPMENT,
                       description=description, quantity=1, value=value, supplier_name="Shveymash LLC",
                       delivered_on=TODAY - 160 * DAY, handover_act_number=f"HA-{value[:2]}",
                       handover_act_date=TODAY - 158 * DAY)
    case = _step(dap.worker, case, "procure", TODAY - 160 * DAY)
    return _step(dap.worker, case, "hand_over", TODAY - 158 * DAY)


def visited_grant(dap: Dap) -> Case:
    case = handed_over_grant(dap)
    case = _step(dap.worker, case, "follow_up", TODAY - 150 * DAY)
    visits.record_visit(dap.worker, case, visited_on=TODAY - 60 * DAY, visited_by=dap.worker, operating="yes",
                        items_in_use="all", monthly_income=Decimal("52000"), jobs_created=4, jobs_women=3,
                        jobs_migrants=4)
    return case
