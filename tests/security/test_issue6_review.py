"""The security review of issue 6 (return, resettlement, migration health, direct assistance).

Each problem found has a test here that failed before its fix; the sweeps at the end guard what was checked and
found right: a partner user and a learner reach no page of the four apps, and every object URL of the four apps,
given an object of a case (or a list) the user may not see, answers 404 and records an audited denial.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.resettlement.helpers import family, res_staff
from tests.resettlement.helpers import members as res_members
from waypoint.accounts.models import Programme, Role
from waypoint.api import services as api_services
from waypoint.audit.models import Action, AuditEvent
from waypoint.cases import casework
from waypoint.cases.models import Case, Channel, StatusChange
from waypoint.health.models import AssessmentStatus, AssessmentType, Clearance, HealthAssessment
from waypoint.livelihoods import enterprises, grants, items
from waypoint.livelihoods.models import Activity, EnterpriseRole, ItemType, Settlement
from waypoint.partners.models import Organisation, OrganisationType
from waypoint.people.models import Person, ProgrammeRegistration
from waypoint.resettlement import presentations, trips
from waypoint.resettlement import services as res_services
from waypoint.resettlement.models import Decision
from waypoint.returns import documents, eligibility, reintegration
from waypoint.returns.models import DocumentKind, MonitoringVisit, ReturnProject
from waypoint.returns.statistics import compute as return_statistics

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)
RETURN, RES, DAP = Programme.RETURN, Programme.RESETTLEMENT, Programme.DIRECT_ASSISTANCE


def last_event_id() -> int:
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def denials_since(since: int, user) -> int:
    return AuditEvent.objects.filter(pk__gt=since, action=Action.DENY, actor_id=user.pk).count()


def returnee(given: str, nationality: str = "GH") -> Person:
    someone = Person.objects.create(given_name=given, family_name="Mensah", sex="M", citizenships=[nationality])
    ProgrammeRegistration.objects.create(person=someone, programme=RETURN)
    return someone


def return_case(worker, given: str = "Kwame", nationality: str = "GH") -> Case:
    return casework.open_case(worker, programme=RETURN, principal=returnee(given, nationality), owner=worker,
                              channel=Channel.SELF, opened_on=TODAY - 30 * DAY)


# --- 1. Return statistics: M&E never reads a nationality or category of fewer than five individuals -------------
def _departed(worker, case: Case, on: datetime.date) -> None:
    """Screened (the nationality counted), then the departure step as the workflow writes it (its guards are the
    workflow tests' business)."""
    nationality = case.principal.citizenships[0]
    eligibility.screen(worker, case, project=ReturnProject.objects.get(name="AVRR pilot 2026"),
                       nationality=nationality, migration_status="irregular_stay", destination_country=nationality,
                       vulnerabilities=["no_documents"])
    StatusChange.objects.create(case=case, action="depart", from_status="booked", to_status="departed", on=on,
                                individuals=case.members.count(), by=worker)


def test_return_statistics_pool_nationalities_of_fewer_than_five_individuals_for_me(users, make_user, client_for):
    worker = users["case_worker_b"]
    manager = make_user(Role.PROGRAMME_MANAGER, "avrr_manager", programmes=[RETURN])
    for number in range(6):
        _departed(worker, return_case(worker, f"Kofi{number}", "GH"), TODAY - 3 * DAY)
    _departed(worker, return_case(worker, "Pierre", "BI"), TODAY - 2 * DAY)  # the only Burundian
    query = f"?date_from={(TODAY - 10 * DAY).isoformat()}&date_to={TODAY.isoformat()}"

    me_page = client_for(users["me_officer"]).get(f"/returns/statistics/{query}").content.decode()
    me_csv = client_for(users["me_officer"]).get(f"/returns/statistics/export.csv{query}").content.decode()
    manager_page = client_for(manager).get(f"/returns/statistics/{query}").content.decode()

    assert "Burundi" not in me_page
    assert "Burundi" not in me_csv
    assert "Ghana" in me_page
    assert "Ghana" in me_csv
    assert "Burundi" in manager_page  # the programme's manager reads the cases themselves
    # The figures still add up: the pooled row carries the hidden individuals.
    pooled = return_statistics(Case.objects.all(), TODAY - 10 * DAY, TODAY, protect=True)
    assert sum(row.individuals for row in pooled.by_nationality) == 7
    assert [(row.key, row.cases) for row in pooled.by_nationality] == [("GH", 6), ("other", 1)]


# --- 2. A processing trip shows staff of the programme only what they may see of other cases ------------------
def test_a_trip_page_does_not_show_the_decision_on_a_case_the_reader_may_not_see(make_user, client_for):
    worker, _manager = res_staff(make_user)
    colleague = make_user(Role.CASE_WORKER, "res_colleague", programmes=[RES])
    case = family(worker, 2, opened_on=TODAY - 60 * DAY)
    trip = trips.create_trip(worker, city="Baku", starts_on=TODAY - 20 * DAY, ends_on=TODAY - 15 * DAY,
                             staff=[worker])
    for action in ("prescreen", "prepare_file"):
        case = Case.objects.get(pk=case.pk)
        casework.transition(worker, case, action, version=case.version, on=TODAY - 30 * DAY)
    shown = presentations.record_presentation(worker, case, presented_on=TODAY - 18 * DAY, city="", agency="USCIS",
                                              trip=trip, members=res_members(case))
    presentations.record_decision(worker, shown, version=shown.version, decision=Decision.DENIED,
                                  decided_on=TODAY - 10 * DAY)

    own = client_for(worker).get(f"/resettlement/trips/{trip.pk}/").content.decode()
    other = client_for(colleague).get(f"/resettlement/trips/{trip.pk}/")

    assert "Denied" in own
    assert other.status_code == 200  # the trip is the programme's: every one of its staff reads it
    assert "Denied" not in other.content.decode()


# --- Sweeps -------------------------------------------------------------------------------------------------------
@pytest.fixture
def world(users, make_user):
    """One object of every kind the four apps' URLs take, on cases of their owners, and a second user of each
    programme (with a case of their own) who may not see them."""
    today = TODAY
    # Return: the owner is case_worker_b (RETURN); the other a second return case worker.
    ret = users["case_worker_b"]
    ret_other = make_user(Role.CASE_WORKER, "returns_other", programmes=[RETURN])
    ret_case = return_case(ret)
    ret_other_case = return_case(ret_other, "Yaw")
    embassy = Organisation.objects.create(name="Embassy of Ghana", organisation_type=OrganisationType.DIPLOMATIC)
    partner = Organisation.objects.create(name="IOM Accra", organisation_type=OrganisationType.MISSION)
    document = documents.request_document(ret, ret_case, person=ret_case.principal, authority=embassy,
                                          kind=DocumentKind.EMERGENCY, requested_on=today)
    reintegration.record_reception(ret, ret_case, organisation=partner, received_on=today)
    reintegration.save_plan(ret, ret_case, version=0, budget="1500.00", currency="EUR", partner=None,
                            economic=True, social=False, psychosocial=False)
    visit = MonitoringVisit.objects.filter(case=ret_case).first()
    # Resettlement.
    res, _res_manager = res_staff(make_user)
    res_other = make_user(Role.CASE_WORKER, "res_other", programmes=[RES])
    res_case = family(res, 2, opened_on=today - 60 * DAY)
    res_other_case = family(res_other, 1, opened_on=today - 60 * DAY)
    clearance = res_services.record_clearance(res, res_case, person=res_case.principal, kind="security",
                                              status="cleared", obtained_on=today - 30 * DAY,
                                              valid_until=today + 30 * DAY)
    trip = trips.create_trip(res, city="Baku", starts_on=today - 20 * DAY, ends_on=today - 15 * DAY, staff=[res])
    for action in ("prescreen", "prepare_file"):
        res_case = Case.objects.get(pk=res_case.pk)
        casework.transition(res, res_case, action, version=res_case.version, on=today - 30 * DAY)
    presentation = presentations.record_presentation(res, res_case, presented_on=today - 18 * DAY, city="",
                                                     agency="USCIS", trip=trip, members=res_members(res_case))
    # Direct assistance.
    dap = make_user(Role.CASE_WORKER, "dap_worker", programmes=[DAP])
    dap_other = make_user(Role.CASE_WORKER, "dap_other", programmes=[DAP])
    settlement = Settlement.objects.create(name="Novaya Zhizn", region="Oryol Oblast", district="Mtsensk")
    enterprise = enterprises.register_enterprise(dap, name="Sewing workshop", settlement=settlement,
                                                 activity=Activity.SEWING, registered_on=today - 400 * DAY)
    founder = enterprises.add_member(dap, enterprise, person_data={
        "family_name": "Каримова", "given_name": "Дильбар", "sex": "F", "citizenships": ["TJ"]},
        role=EnterpriseRole.FOUNDER)

    def grant(owner):
        return grants.open_application(
            owner, enterprise, applicants=[founder.person], owner=owner, received_on=today - 200 * DAY,
            plan="Tailoring school uniforms.", requested_value="120000.00", currency="RUB",
            planned_items="Sewing machine", expected_monthly_income="45000", expected_jobs=3)

    dap_case, dap_other_case = grant(dap), grant(dap_other)
    application = dap_case.grant_application
    grants.record_assessment(dap, dap_case, version=application.version, assessor=dap, assessed_on=today - 190 * DAY,
                             scores={"viability": 4, "experience": 4, "market": 3, "jobs": 4, "contribution": 3,
                                     "sustainability": 4}, recommendation="approve", notes="")
    dap_case = Case.objects.get(pk=dap_case.pk)
    casework.transition(dap, dap_case, "assess", version=dap_case.version, on=today - 190 * DAY)
    application.refresh_from_db()
    grants.record_decision(dap, dap_case, version=application.version, decision="approved",
                           decided_on=today - 185 * DAY, approved_value="100000.00")
    dap_case = Case.objects.get(pk=dap_case.pk)
    casework.transition(dap, dap_case, "approve", version=dap_case.version, on=today - 185 * DAY)
    application.refresh_from_db()
    item = items.add_item(dap, dap_case, version=application.version, item_type=ItemType.EQUIPMENT,
                          description="Sewing machine", quantity=1, value=Decimal("60000.00"),
                          supplier_name="Shveymash LLC")
    # Migration health: an examination on the return case, with results.
    assessment = HealthAssessment.objects.create(
        case=ret_case, person=ret_case.principal, assessment_type=AssessmentType.FITNESS_TO_TRAVEL,
        status=AssessmentStatus.DONE, requested_on=today - 3 * DAY, assessed_on=today - 2 * DAY,
        results="Chest X-ray: cavity", clearance=Clearance.CLEARED, valid_until=today + 60 * DAY)
    return {
        "ret": ret, "ret_other": ret_other, "res": res, "res_other": res_other, "dap": dap, "dap_other": dap_other,
        "r": ret_case.reference, "r2": ret_other_case.reference, "s": res_case.reference,
        "s2": res_other_case.reference, "g": dap_case.reference, "g2": dap_other_case.reference,
        "document": document.pk, "visit": visit.pk, "clearance": clearance.pk, "presentation": presentation.pk,
        "trip": trip.pk, "enterprise": enterprise.pk, "member": founder.pk, "item": item.pk,
        "assessment": assessment.pk,
    }


# Every GET page of the four apps (from their urls.py), with real objects in the kwargs.
GET_PAGES = [
    "/returns/statistics/", "/returns/statistics/export.csv", "/returns/cases/{r}/screening/",
    "/returns/cases/{r}/questionnaire/", "/returns/cases/{r}/documents/new/",
    "/returns/cases/{r}/documents/{document}/", "/returns/cases/{r}/reception/", "/returns/cases/{r}/plan/",
    "/returns/cases/{r}/visits/{visit}/",
    "/resettlement/trips/", "/resettlement/trips/new/", "/resettlement/trips/{trip}/",
    "/resettlement/trips/{trip}/edit/", "/resettlement/report/", "/resettlement/report/export.csv",
    "/resettlement/cases/{s}/profile/", "/resettlement/cases/{s}/clearances/new/",
    "/resettlement/cases/{s}/clearances/{clearance}/", "/resettlement/cases/{s}/presentations/new/",
    "/resettlement/cases/{s}/presentations/{presentation}/decision/", "/resettlement/cases/{s}/orientation/new/",
    "/resettlement/cases/{s}/assurance/",
    "/health/", "/health/statistics/", "/health/statistics/export.csv", "/health/request/{r}/",
    "/health/{assessment}/", "/health/{assessment}/results/",
    "/livelihoods/enterprises/", "/livelihoods/enterprises/new/", "/livelihoods/enterprises/{enterprise}/",
    "/livelihoods/enterprises/{enterprise}/edit/", "/livelihoods/enterprises/{enterprise}/apply/",
    "/livelihoods/statistics/", "/livelihoods/statistics/export.csv", "/livelihoods/grants/{g}/plan/",
    "/livelihoods/grants/{g}/assessment/", "/livelihoods/grants/{g}/decision/", "/livelihoods/grants/{g}/items/new/",
    "/livelihoods/grants/{g}/items/{item}/", "/livelihoods/grants/{g}/visits/new/",
]


@pytest.mark.parametrize("persona", ["partner_user", "learner"])
def test_a_partner_user_or_a_learner_reaches_no_page_of_the_four_programmes(users, client_for, world, persona):
    user = users[persona]
    client = client_for(user)
    for pattern in GET_PAGES:
        url = pattern.format(**world)
        since = last_event_id()

        response = client.get(url)

        assert response.status_code == 404, url
        assert denials_since(since, user) == 1, url


# (user, method, url): objects of a case (or a list) the user may not see, under that case's reference and under
# the reference of the user's own case.
def _cross(user: str, method: str, pattern: str, own: str, theirs: str) -> list[tuple[str, str, str]]:
    return [(user, method, pattern.replace("{case}", "{" + theirs + "}")),
            (user, method, pattern.replace("{case}", "{" + own + "}"))]


CROSS_CASE = [
    *_cross("ret_other", "get", "/returns/cases/{case}/documents/{document}/", "r2", "r"),
    *_cross("ret_other", "post", "/returns/cases/{case}/documents/{document}/", "r2", "r"),
    *_cross("ret_other", "get", "/returns/cases/{case}/visits/{visit}/", "r2", "r"),
    *_cross("ret_other", "post", "/returns/cases/{case}/visits/{visit}/", "r2", "r"),
    *[("ret_other", method, f"/returns/cases/{{r}}/{page}/") for method in ("get", "post")
      for page in ("screening", "questionnaire", "documents/new", "reception", "plan")],
    ("ret_other", "post", "/returns/cases/{r}/plan/instalments/"),
    *_cross("res_other", "get", "/resettlement/cases/{case}/clearances/{clearance}/", "s2", "s"),
    *_cross("res_other", "post", "/resettlement/cases/{case}/clearances/{clearance}/", "s2", "s"),
    *_cross("res_other", "get", "/resettlement/cases/{case}/presentations/{presentation}/decision/", "s2", "s"),
    *_cross("res_other", "post", "/resettlement/cases/{case}/presentations/{presentation}/decision/", "s2", "s"),
    *[("res_other", method, f"/resettlement/cases/{{s}}/{page}/") for method in ("get", "post")
      for page in ("profile", "clearances/new", "presentations/new", "orientation/new", "assurance")],
    ("res_other", "get", "/resettlement/trips/{trip}/edit/"),  # not on the trip: reads it, does not change it
    ("res_other", "post", "/resettlement/trips/{trip}/edit/"),
    ("ret", "get", "/health/{assessment}/"),  # the case's own worker: the clearance only, never the results
    ("ret", "get", "/health/{assessment}/results/"),
    ("ret", "post", "/health/{assessment}/results/"),
    ("ret", "post", "/health/{assessment}/cancel/"),
    ("ret", "post", "/health/{assessment}/follow-up/"),
    ("ret_other", "get", "/health/request/{r}/"),
    ("ret_other", "post", "/health/request/{r}/"),
    *_cross("dap_other", "get", "/livelihoods/grants/{case}/items/{item}/", "g2", "g"),
    *_cross("dap_other", "post", "/livelihoods/grants/{case}/items/{item}/", "g2", "g"),
    *[("dap_other", method, f"/livelihoods/grants/{{g}}/{page}/") for method in ("get", "post")
      for page in ("plan", "assessment", "decision", "items/new", "visits/new")],
    ("ret", "get", "/livelihoods/enterprises/{enterprise}/"),  # the programme's registry: its staff only
    ("ret", "get", "/livelihoods/enterprises/{enterprise}/edit/"),
    ("ret", "post", "/livelihoods/enterprises/{enterprise}/members/"),
    ("ret", "post", "/livelihoods/enterprises/{enterprise}/members/{member}/remove/"),
    ("ret", "get", "/livelihoods/enterprises/{enterprise}/apply/"),
]


def test_every_object_of_the_four_programmes_out_of_the_users_reach_is_not_found(client_for, world):
    for persona, method, pattern in CROSS_CASE:
        user = world[persona]
        url = pattern.format(**world)
        since = last_event_id()

        response = getattr(client_for(user), method)(url, {"version": 1})

        assert response.status_code == 404, (persona, method, url)
        assert denials_since(since, user) == 1, (persona, method, url)


# (user, method, url, body): every API endpoint of the four apps that names an object, asked by someone who may not
# reach it (another team's case, another programme's unit), with a body the endpoint accepts, so that only the
# access check can refuse it.
def _api_out_of_reach(today: str) -> list[tuple[str, str, str, dict | None]]:
    return [
        ("ret_other", "get", "/api/v1/returns/cases/{r}", None),
        ("ret_other", "put", "/api/v1/returns/cases/{r}/questionnaire", {"version": 0, "answers": {}}),
        ("ret_other", "post", "/api/v1/returns/cases/{r}/instalments",
         {"amount": "10", "paid_on": today, "purchased": "Tools"}),
        ("ret_other", "post", "/api/v1/returns/cases/{r}/documents",
         {"person": "P-0000001", "authority": "00000000-0000-0000-0000-000000000001", "kind": "passport"}),
        ("ret_other", "patch", "/api/v1/returns/documents/{document}", {"version": 1, "status": "refused"}),
        ("res_other", "get", "/api/v1/resettlement/cases/{s}/profile", None),
        ("res_other", "patch", "/api/v1/resettlement/cases/{s}/profile", {"version": 0}),
        ("res_other", "get", "/api/v1/resettlement/cases/{s}/clearances", None),
        ("res_other", "post", "/api/v1/resettlement/cases/{s}/clearances", {"person": "P-0000001", "kind": "security"}),
        ("res_other", "patch", "/api/v1/resettlement/clearances/{clearance}", {"version": 1}),
        ("res_other", "get", "/api/v1/resettlement/cases/{s}/presentations", None),
        ("res_other", "post", "/api/v1/resettlement/cases/{s}/presentations",
         {"presented_on": today, "agency": "USCIS", "members": []}),
        ("res_other", "post", "/api/v1/resettlement/presentations/{presentation}/decision",
         {"version": 1, "decision": "approved", "decided_on": today}),
        ("ret", "get", "/api/v1/health/assessments/{assessment}", None),  # the health unit's only
        ("ret", "put", "/api/v1/health/assessments/{assessment}/results", {"version": 1, "assessment_type": "general"}),
        ("ret", "post", "/api/v1/health/assessments/{assessment}/cancel", {"version": 1, "reason": "Moved"}),
        ("ret_other", "post", "/api/v1/health/assessments",
         {"case": "{r}", "person": "P-0000001", "assessment_type": "general"}),
        ("ret_other", "get", "/api/v1/health/cases/{r}/clearances", None),
        ("dap_other", "get", "/api/v1/livelihoods/grants/{g}", None),
        ("dap_other", "post", "/api/v1/livelihoods/grants/{g}/items",
         {"version": 1, "item_type": "equipment", "description": "Oven", "value": "100"}),
        ("dap_other", "post", "/api/v1/livelihoods/grants/{g}/visits",
         {"visited_on": today, "operating": "yes", "items_in_use": "all"}),
        ("ret", "get", "/api/v1/livelihoods/enterprises/{enterprise}", None),  # the programme's registry
    ]


def test_every_api_object_of_the_four_programmes_out_of_the_users_reach_is_not_found(client_for, world):
    for persona, method, pattern, body in _api_out_of_reach(TODAY.isoformat()):
        user = world[persona]
        _token, secret = api_services.create_token(user, name="sweep", valid_days=1)
        url = pattern.format(**world)
        data = {key: value.format(**world) if isinstance(value, str) else value for key, value in (body or {}).items()}
        since = last_event_id()

        response = getattr(client_for(user), method)(url, data if body is not None else None,
                                                     content_type="application/json",
                                                     HTTP_AUTHORIZATION=f"Bearer {secret}")

        assert response.status_code == 404, (persona, method, url, response.content[:200])
        assert denials_since(since, user) == 1, (persona, method, url)
