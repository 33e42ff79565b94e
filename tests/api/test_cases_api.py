"""Cases, services and referrals in the REST API: each endpoint for the persona it serves and the ones it must
refuse (404, audited), refused data (422 naming the fields), stale versions (409) and paging."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from tests.cases.conftest import CALLER
from waypoint.accounts.models import Programme, Role
from waypoint.api import services as api_services
from waypoint.audit.models import Action, AuditEvent
from waypoint.cases import casework
from waypoint.cases import services as referral_services
from waypoint.cases.models import (
    Case,
    Channel,
    Referral,
    ReferralDirection,
    ReferralStatus,
    ServiceDelivery,
    ServiceType,
)
from waypoint.consent import services as consent_services
from waypoint.consent.models import DataCategory, HowGiven, Purpose
from waypoint.hotline.models import CallerType, Consultation, Outcome
from waypoint.partners.models import Organisation, OrganisationType, Service
from waypoint.people import services as people_services
from waypoint.people.models import Person

pytestmark = pytest.mark.django_db

CT = Programme.COUNTER_TRAFFICKING
ROLES_WITHOUT_CASES = [
    Role.ME_OFFICER, Role.PARTNER_USER, Role.HOTLINE_OPERATOR, Role.ADMINISTRATOR, Role.DATA_PROTECTION_OFFICER,
    Role.TRAINER,
]
ROLES_WITHOUT_REFERRALS = [Role.ME_OFFICER, Role.ADMINISTRATOR, Role.DATA_PROTECTION_OFFICER, Role.TRAINER]


# --- Personas and a small world -----------------------------------------------------------------
@pytest.fixture
def people(users, make_user):
    """The shared personas plus a second counter-trafficking case worker, whose cases are not ours."""
    return {**users, "colleague": make_user(Role.CASE_WORKER, "colleague", programmes=[CT])}


@pytest.fixture
def api_as(people):
    """A function giving a client whose every request carries the named user's API token."""

    def make(name: str) -> Client:
        _token, secret = api_services.create_token(people[name], name="tests", valid_days=30)
        return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")

    return make


def register(user, family: str, given: str, programme: str = CT) -> Person:
    return people_services.register(user, {"family_name": family, "given_name": given, "sex": "F"},
                                    programme=programme)


@pytest.fixture
def olga(people) -> Person:
    return register(people["case_worker"], "Смирнова", "Ольга")


@pytest.fixture
def marina(people) -> Person:
    return register(people["colleague"], "Петрова", "Марина")


@pytest.fixture
def returnee(people) -> Person:
    """Known only to the return programme: the CT case worker may not see her."""
    return register(people["case_worker_b"], "Сидоренко", "Анна", Programme.RETURN)


@pytest.fixture
def embassy(db):
    return Organisation.objects.create(name="Embassy of Uzbekistan", organisation_type=OrganisationType.DIPLOMATIC)


@pytest.fixture
def mine(people, olga, embassy) -> Case:
    """The case worker's case: a woman referred by an embassy, high risk."""
    return casework.open_case(
        people["case_worker"], programme=CT, principal=olga, owner=people["case_worker"], channel=Channel.DIPLOMATIC,
        referring_organisation=embassy, risk_level="high", vulnerabilities=["no_documents"],
        summary="Found at the embassy without her passport.", opened_on=datetime.date(2026, 3, 2),
    )


@pytest.fixture
def theirs(people, marina) -> Case:
    """A colleague's case, opened earlier: the case worker does not hold it."""
    return casework.open_case(
        people["colleague"], programme=CT, principal=marina, owner=people["colleague"],
        channel=Channel.HOTLINE, opened_on=datetime.date(2026, 1, 15),
    )


def post(client: Client, path: str, data: dict):
    return client.post(path, data, content_type="application/json")


def patch(client: Client, path: str, data: dict):
    return client.patch(path, data, content_type="application/json")


def denials(object_type: str, object_id: str = ""):
    events = AuditEvent.objects.filter(action=Action.DENY, object_type=object_type)
    return events.filter(object_id=object_id) if object_id else events


def views_of(obj) -> int:
    return AuditEvent.objects.filter(action=Action.VIEW, object_type=obj._meta.label_lower,
                                     object_id=str(obj.pk)).count()


def references(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["reference"] for row in response.json()["results"]]


# --- Cases: who may reach them --------------------------------------------------------------------
@pytest.mark.parametrize(("method", "path"), [
    ("get", "/api/v1/cases"), ("post", "/api/v1/cases"), ("get", "/api/v1/cases/CT-2026-00001"),
    ("get", "/api/v1/referrals"), ("get", "/api/v1/service-types"),
])
def test_cases_and_referrals_need_a_token(method, path):
    assert getattr(Client(), method)(path).status_code == 401


@pytest.mark.parametrize("role", ROLES_WITHOUT_CASES)
def test_roles_without_cases_get_404_everywhere_and_are_audited(api_as, people, mine, olga, role):
    client = api_as(role)
    path = f"/api/v1/cases/{mine.reference}"

    answers = [
        client.get("/api/v1/cases"),
        client.get(path),
        post(client, "/api/v1/cases", {"principal": olga.reference, "channel": "self"}),
        patch(client, path, {"version": 1, "risk_level": "low"}),
        post(client, f"{path}/transitions", {"action": "start_assistance", "version": 1}),
        client.get(f"{path}/services"),
        post(client, f"{path}/services", {"service_type": "medical", "delivered_on": "2026-03-03"}),
    ]

    assert [answer.status_code for answer in answers] == [404] * 7
    for answer in answers:
        assert mine.reference not in answer.content.decode()
    assert denials("capability", "view_cases").filter(actor_id=people[role].pk).count() == 7
    assert Case.objects.count() == 1
    mine.refresh_from_db()
    assert (mine.version, mine.risk_level, mine.status) == (1, "high", "intake")


def test_a_case_worker_lists_only_the_cases_they_hold(api_as, mine, theirs):
    response = api_as("case_worker").get("/api/v1/cases")

    assert references(response) == [mine.reference]
    row = response.json()["results"][0]
    assert row == {
        "reference": mine.reference, "programme": "CT", "status": "intake", "status_label": "Intake",
        "opened_on": "2026-03-02", "closed_on": None, "closure_reason": "", "owner": "case_worker", "assigned": [],
        "office": "moscow", "channel": "diplomatic", "referring_organisation": str(mine.referring_organisation_id),
        "risk_level": "high", "vulnerabilities": ["no_documents"], "principal": mine.principal.reference,
        "version": 1,
    }


def test_the_list_is_audited_like_the_case_list_page(api_as, people, mine, theirs):
    api_as("programme_manager").get("/api/v1/cases")

    listed = AuditEvent.objects.get(action=Action.VIEW, object_type="cases.list")
    assert listed.actor_id == people["programme_manager"].pk
    assert listed.changes["shown"] == [f"{mine.pk}, {theirs.pk}"]


def test_a_case_worker_assigned_to_a_case_sees_it(api_as, people, mine, theirs):
    theirs.assigned.add(people["case_worker"])

    assert references(api_as("case_worker").get("/api/v1/cases")) == [mine.reference, theirs.reference]
    assert api_as("case_worker").get(f"/api/v1/cases/{theirs.reference}").status_code == 200


def test_a_programme_manager_lists_every_case_of_their_programmes(api_as, mine, theirs):
    assert references(api_as("programme_manager").get("/api/v1/cases")) == [mine.reference, theirs.reference]


def test_a_case_worker_of_another_programme_sees_none(api_as, mine, theirs):
    assert references(api_as("case_worker_b").get("/api/v1/cases")) == []


def test_the_list_filters(api_as, people, mine, theirs):
    client = api_as("programme_manager")

    assert references(client.get("/api/v1/cases", {"risk": "high"})) == [mine.reference]
    assert references(client.get("/api/v1/cases", {"programme": "AVRR"})) == []
    assert references(client.get("/api/v1/cases", {"status": "intake"})) == [mine.reference, theirs.reference]
    assert references(client.get("/api/v1/cases", {"status": "Closed"})) == []
    assert references(client.get("/api/v1/cases", {"owner": "colleague"})) == [theirs.reference]
    assert references(client.get("/api/v1/cases", {"opened_after": "2026-03-02"})) == [mine.reference]
    assert references(client.get("/api/v1/cases", {"opened_before": "2026-03-01"})) == [theirs.reference]
    assert references(api_as("colleague").get("/api/v1/cases", {"owner": "me"})) == [theirs.reference]
    assert references(client.get("/api/v1/cases", {"owner": "me"})) == []


def test_wrong_filters_answer_422_naming_them(api_as, mine):
    response = api_as("programme_manager").get("/api/v1/cases", {
        "risk": "extreme", "programme": "XX", "opened_after": "2026-03-02", "opened_before": "2026-03-01"})

    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"risk", "programme", "opened_before"}


def test_the_case_list_is_paged(api_as, people, mine, theirs, olga):
    casework.open_case(people["case_worker"], programme=CT, principal=olga, owner=people["colleague"],
                       channel=Channel.SELF, opened_on=datetime.date(2025, 12, 1))
    client = api_as("programme_manager")

    first = client.get("/api/v1/cases", {"limit": 2}).json()
    second = client.get(first["next"]).json()

    assert first["count"] == 3
    assert [row["reference"] for row in first["results"]] == [mine.reference, theirs.reference]
    assert first["previous"] is None
    assert "offset=2" in first["next"]
    assert len(second["results"]) == 1
    assert second["next"] is None
    assert "offset=0" in second["previous"]
    assert client.get("/api/v1/cases", {"limit": 101}).status_code == 422


# --- One case -------------------------------------------------------------------------------------
def test_one_case_comes_whole_and_the_read_is_audited(api_as, people, mine, olga):
    response = api_as("case_worker").get(f"/api/v1/cases/{mine.reference}")

    assert response.status_code == 200
    body = response.json()
    assert body["reference"] == mine.reference
    assert body["summary"] == "Found at the embassy without her passport."
    assert body["members"] == [{"person": olga.reference, "role": "principal"}]
    assert (body["goals"], body["tasks"]) == ([], [])
    assert [step["action"] for step in body["transitions"]] == ["start_assistance", "close"]
    start = body["transitions"][0]
    assert (start["target"], start["closing"], start["needs_note"]) == ("Active", False, False)
    assert start["blocked_by"] == [f"{olga.reference} has no valid consent to assistance: record it before "
                                   "assistance starts."]
    assert "Смирнова" not in response.content.decode()
    view = AuditEvent.objects.get(action=Action.VIEW, object_type="cases.case")
    assert (view.actor_id, view.object_id) == (people["case_worker"].pk, str(mine.pk))


def test_another_workers_case_is_a_404_and_audited(api_as, people, theirs):
    response = api_as("case_worker").get(f"/api/v1/cases/{theirs.reference}")

    assert response.status_code == 404
    assert theirs.reference not in response.content.decode()
    denial = denials("cases.case", theirs.reference).get()
    assert denial.actor_id == people["case_worker"].pk
    assert views_of(theirs) == 0


def test_an_unknown_case_is_a_404(api_as):
    assert api_as("case_worker").get("/api/v1/cases/CT-2026-99999").status_code == 404
    assert denials("cases.case", "CT-2026-99999").exists()


# --- Opening a case ---------------------------------------------------------------------------------
def test_a_case_worker_opens_a_case_through_the_api(api_as, people, olga, embassy):
    response = post(api_as("case_worker"), "/api/v1/cases", {
        "principal": olga.reference, "channel": "diplomatic", "referring_organisation": str(embassy.pk),
        "risk_level": "high", "vulnerabilities": ["pregnant"], "summary": "Referred by the embassy.",
    })

    assert response.status_code == 201, response.content
    body = response.json()
    case = Case.objects.get()
    assert body["reference"] == case.reference
    assert body["reference"].startswith(f"CT-{timezone.localdate().year}-")
    assert (body["programme"], body["owner"], body["status"]) == ("CT", "case_worker", "intake")
    assert body["members"] == [{"person": olga.reference, "role": "principal"}]
    assert (case.channel, case.referring_organisation_id, case.summary) == ("diplomatic", embassy.pk,
                                                                             "Referred by the embassy.")
    assert AuditEvent.objects.filter(action=Action.CREATE, object_type="cases.case").count() == 1


def test_the_principal_may_be_given_by_id_and_the_owner_by_username(api_as, people, olga):
    response = post(api_as("programme_manager"), "/api/v1/cases", {
        "principal": olga.pk, "channel": "self", "owner": "colleague", "assigned": ["case_worker"]})

    assert response.status_code == 201, response.content
    assert (response.json()["owner"], response.json()["assigned"]) == ("colleague", ["case_worker"])


def test_a_case_opened_for_a_colleague_is_theirs_afterwards(api_as, people, olga):
    client = api_as("case_worker")

    response = post(client, "/api/v1/cases", {"principal": olga.reference, "channel": "self", "owner": "colleague"})

    assert response.status_code == 201, response.content
    assert response.json()["owner"] == "colleague"
    assert client.get(f"/api/v1/cases/{response.json()['reference']}").status_code == 404
    assert api_as("colleague").get(f"/api/v1/cases/{response.json()['reference']}").status_code == 200


def test_refused_data_name_every_field_and_nothing_is_saved(api_as, olga):
    response = post(api_as("case_worker"), "/api/v1/cases", {
        "principal": "P-9999999", "channel": "self", "owner": "nobody", "assigned": ["ghost"],
        "referring_organisation": "00000000-0000-0000-0000-000000000000",
    })

    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"principal", "owner", "assigned", "referring_organisation"}
    assert not Case.objects.exists()


@pytest.mark.parametrize(("changes", "field"), [
    ({"channel": "pigeon"}, "channel"),
    ({"channel": ""}, "channel"),
    ({"risk_level": "extreme"}, "risk_level"),
    ({"vulnerabilities": ["bad_luck"]}, "vulnerabilities"),
    ({"opened_on": "2099-01-01"}, "opened_on"),
    ({"owner": "case_worker_b"}, "owner"),
    ({"programme": "AVRR"}, "programme"),
    ({"principal": None}, "principal"),
    ({"principal": "Smirnova"}, "principal"),
])
def test_a_wrong_field_answers_422_on_that_field(api_as, olga, changes, field):
    body = {"principal": olga.reference, "channel": "self", **changes}

    response = post(api_as("case_worker"), "/api/v1/cases", body)

    assert response.status_code == 422
    assert list(response.json()["errors"]) == [field]
    assert not Case.objects.exists()


def test_a_person_outside_your_programmes_is_refused_and_the_attempt_audited(api_as, people, returnee):
    response = post(api_as("case_worker"), "/api/v1/cases", {"principal": returnee.reference, "channel": "self"})

    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["principal"]
    assert "Сидоренко" not in response.content.decode()
    assert denials("people.person", str(returnee.pk)).filter(actor_id=people["case_worker"].pk).exists()
    assert not Case.objects.exists()


def test_an_unknown_field_is_refused(api_as, olga):
    response = post(api_as("case_worker"), "/api/v1/cases", {"principal": olga.reference, "channel": "self",
                                                             "status": "Closed"})

    assert response.status_code == 422
    assert "status" in response.json()["errors"]


# --- Changing a case -----------------------------------------------------------------------------
def test_a_change_at_the_version_read_is_saved(api_as, people, mine, embassy):
    response = patch(api_as("case_worker"), f"/api/v1/cases/{mine.reference}", {
        "version": 1, "risk_level": "medium", "vulnerabilities": ["no_documents", "pregnant"],
        "assigned": ["colleague"]})

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["version"], body["risk_level"], body["assigned"]) == (2, "medium", ["colleague"])
    assert body["vulnerabilities"] == ["no_documents", "pregnant"]
    assert body["summary"] == "Found at the embassy without her passport."  # not sent: kept
    assert body["channel"] == "diplomatic"
    mine.refresh_from_db()
    assert (mine.version, mine.risk_level, mine.referring_organisation_id) == (2, "medium", embassy.pk)
    assert AuditEvent.objects.filter(action=Action.UPDATE, object_type="cases.case").count() == 1


def test_handing_a_case_over_answers_with_the_saved_case_then_404(api_as, people, mine):
    client = api_as("case_worker")

    response = patch(client, f"/api/v1/cases/{mine.reference}", {"version": 1, "owner": "colleague"})

    assert response.status_code == 200, response.content
    assert (response.json()["owner"], response.json()["version"]) == ("colleague", 2)
    assert client.get(f"/api/v1/cases/{mine.reference}").status_code == 404
    assert references(api_as("colleague").get("/api/v1/cases", {"owner": "me"})) == [mine.reference]


def test_a_stale_version_answers_409_and_writes_nothing(api_as, people, mine):
    client = api_as("case_worker")
    patch(client, f"/api/v1/cases/{mine.reference}", {"version": 1, "summary": "First edit."})

    response = patch(client, f"/api/v1/cases/{mine.reference}", {"version": 1, "risk_level": "low"})

    assert response.status_code == 409
    assert response.json()["version"] == 2
    assert "Someone else changed this case" in response.json()["detail"]
    mine.refresh_from_db()
    assert (mine.version, mine.summary, mine.risk_level) == (2, "First edit.", "high")


@pytest.mark.parametrize(("changes", "fields"), [
    ({"risk_level": "extreme"}, {"risk_level"}),
    ({"owner": "case_worker_b"}, {"owner"}),
    ({"owner": "nobody", "assigned": ["ghost"]}, {"owner", "assigned"}),
    ({"referring_organisation": None}, {"referring_organisation"}),
    ({"vulnerabilities": ["bad_luck"]}, {"vulnerabilities"}),
])
def test_a_refused_change_names_the_fields_and_writes_nothing(api_as, mine, changes, fields):
    response = patch(api_as("case_worker"), f"/api/v1/cases/{mine.reference}", {"version": 1, **changes})

    assert response.status_code == 422
    assert set(response.json()["errors"]) == fields
    mine.refresh_from_db()
    assert (mine.version, mine.risk_level) == (1, "high")


def test_another_workers_case_cannot_be_changed(api_as, people, theirs):
    response = patch(api_as("case_worker"), f"/api/v1/cases/{theirs.reference}", {"version": 1, "risk_level": "low"})

    assert response.status_code == 404
    assert denials("cases.case", theirs.reference).filter(actor_id=people["case_worker"].pk).exists()
    theirs.refresh_from_db()
    assert theirs.risk_level == "medium"


# --- Workflow steps ---------------------------------------------------------------------------------
def test_a_step_the_guards_refuse_answers_422_with_the_reasons(api_as, people, mine, olga):
    response = post(api_as("case_worker"), f"/api/v1/cases/{mine.reference}/transitions",
                    {"action": "start_assistance", "version": 1})

    assert response.status_code == 422
    assert response.json()["errors"]["action"] == [
        f"{olga.reference} has no valid consent to assistance: record it before assistance starts."]
    mine.refresh_from_db()
    assert (mine.status, mine.version) == ("intake", 1)
    assert AuditEvent.objects.filter(action=Action.DENY, object_type="cases.case", object_id=str(mine.pk)).exists()


def test_with_consent_assistance_starts(api_as, people, mine, olga):
    consent_services.record_consent(
        people["case_worker"], olga, purpose=Purpose.ASSISTANCE, data_categories=[DataCategory.IDENTITY],
        how_given=HowGiven.ORAL, witness="Anna Case", given_on=timezone.localdate())

    response = post(api_as("case_worker"), f"/api/v1/cases/{mine.reference}/transitions",
                    {"action": "start_assistance", "version": 1})

    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["status_label"], response.json()["version"]) == (
        "Active", "Active", 2)
    assert "follow_up" in [step["action"] for step in response.json()["transitions"]]


def test_closing_needs_a_reason_and_then_closes(api_as, mine):
    client = api_as("case_worker")
    path = f"/api/v1/cases/{mine.reference}/transitions"

    refused = post(client, path, {"action": "close", "version": 1})
    closed = post(client, path, {"action": "close", "version": 1, "closure_reason": "LostContact"})

    assert refused.status_code == 422
    assert list(refused.json()["errors"]) == ["closure_reason"]
    assert closed.status_code == 200, closed.content
    body = closed.json()
    assert (body["status"], body["closure_reason"], body["closed_on"]) == (
        "Closed", "LostContact", timezone.localdate().isoformat())


def test_a_step_not_offered_from_the_status_is_refused(api_as, mine):
    response = post(api_as("case_worker"), f"/api/v1/cases/{mine.reference}/transitions",
                    {"action": "reopen", "version": 1, "note": "Back again."})

    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["action"]


def test_a_step_from_a_stale_version_answers_409(api_as, mine):
    client = api_as("case_worker")
    patch(client, f"/api/v1/cases/{mine.reference}", {"version": 1, "risk_level": "low"})

    response = post(client, f"/api/v1/cases/{mine.reference}/transitions",
                    {"action": "close", "version": 1, "closure_reason": "LostContact"})

    assert response.status_code == 409
    assert response.json()["version"] == 2
    mine.refresh_from_db()
    assert mine.status == "intake"


# --- Services delivered on a case ------------------------------------------------------------------
def test_a_service_is_recorded_and_listed(api_as, people, mine, olga):
    client = api_as("case_worker")

    created = post(client, f"/api/v1/cases/{mine.reference}/services", {
        "service_type": "medical", "person": olga.reference, "delivered_on": "2026-03-03",
        "delivered_by": "case_worker", "cost": "1500.00", "outcome": "Seen by a doctor; no treatment needed."})
    listed = client.get(f"/api/v1/cases/{mine.reference}/services")

    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["service_type"], body["service_name"], body["person"]) == ("medical", "Medical services",
                                                                            olga.reference)
    assert (body["delivered_on"], body["delivered_by"], body["partner"]) == ("2026-03-03", "case_worker", None)
    assert (body["cost"], body["currency"], body["status"]) == ("1500.00", "RUB", "delivered")
    assert listed.status_code == 200
    assert [row["id"] for row in listed.json()] == [body["id"]]
    assert listed.json()[0]["outcome"] == "Seen by a doctor; no treatment needed."
    assert views_of(mine) == 1  # the list was read: audited like the case page
    assert ServiceDelivery.objects.get().recorded_by == people["case_worker"]


def test_a_service_by_a_partner_organisation(api_as, mine, ngo_x):
    response = post(api_as("case_worker"), f"/api/v1/cases/{mine.reference}/services", {
        "service_type": "psychological", "delivered_on": "2026-03-04", "partner": str(ngo_x.pk)})

    assert response.status_code == 201, response.content
    assert (response.json()["partner"], response.json()["partner_name"], response.json()["person"]) == (
        str(ngo_x.pk), "NGO X", None)


@pytest.mark.parametrize(("changes", "fields"), [
    ({"service_type": "massage"}, {"service_type"}),
    ({"service_type": "accommodation"}, {"service_type"}),
    ({"person": "P-9999999"}, {"person"}),
    ({"delivered_by": None}, {"delivered_by", "partner"}),
    ({"delivered_on": None}, {"delivered_on"}),
    ({"cost": "-5"}, {"cost"}),
    ({"cost": "123456789012.5"}, {"cost"}),
    ({"currency": "rubles"}, {"currency"}),
    ({"status": "maybe"}, {"status"}),
    ({"referral": "R-2026-99999"}, {"referral"}),
])
def test_a_refused_service_names_the_fields_and_saves_nothing(api_as, mine, changes, fields):
    body = {"service_type": "medical", "delivered_on": "2026-03-03", "delivered_by": "case_worker", **changes}

    response = post(api_as("case_worker"), f"/api/v1/cases/{mine.reference}/services", body)

    assert response.status_code == 422
    assert set(response.json()["errors"]) == fields
    assert not ServiceDelivery.objects.exists()


def test_services_of_another_workers_case_are_a_404(api_as, people, theirs):
    client = api_as("case_worker")

    answers = [
        client.get(f"/api/v1/cases/{theirs.reference}/services"),
        post(client, f"/api/v1/cases/{theirs.reference}/services",
             {"service_type": "medical", "delivered_on": "2026-03-03", "delivered_by": "case_worker"}),
    ]

    assert [answer.status_code for answer in answers] == [404, 404]
    assert denials("cases.case", theirs.reference).filter(actor_id=people["case_worker"].pk).count() == 2
    assert not ServiceDelivery.objects.exists()


# --- The service catalogue ------------------------------------------------------------------------
def test_staff_read_the_catalogue_in_their_language(api_as):
    ServiceType.objects.filter(code="reintegration_training").update(in_use=False)
    client = api_as("me_officer")

    english = client.get("/api/v1/service-types").json()
    russian = client.get("/api/v1/service-types", HTTP_ACCEPT_LANGUAGE="ru").json()
    everything = client.get("/api/v1/service-types", {"include_retired": True}).json()

    assert [row["code"] for row in english][:2] == ["airport_reception", "accommodation"]
    assert english[1]["name"] == "Temporary accommodation"
    assert english[1]["is_accommodation"] is True
    assert russian[1]["name"] == "Временное размещение"
    assert "reintegration_training" not in {row["code"] for row in english}
    assert "reintegration_training" in {row["code"] for row in everything}


def test_the_catalogue_filters_by_programme(api_as):
    ServiceType.objects.create(code="travel_documents", name_en="Travel documents", name_ru="Проездные документы",
                               programmes=["AVRR"])
    client = api_as("case_worker")

    assert "travel_documents" not in {row["code"] for row in client.get("/api/v1/service-types",
                                                                        {"programme": "CT"}).json()}
    assert "travel_documents" in {row["code"] for row in client.get("/api/v1/service-types",
                                                                    {"programme": "AVRR"}).json()}


def test_partner_users_get_no_catalogue(api_as):
    assert api_as("partner_user").get("/api/v1/service-types").json() == []


# --- Referrals: a referral with personal data to NGO X, an anonymous one to NGO Y ---------------------
@pytest.fixture
def shelter(ngo_x):
    return Service.objects.create(organization=ngo_x, name="Crisis shelter for women", accepts_sexes=["F"])


@pytest.fixture
def legal_aid(ngo_y):
    return Service.objects.create(organization=ngo_y, name="Legal aid")


@pytest.fixture
def make_consultation(people, office):
    def make() -> Consultation:
        return Consultation.objects.create(
            site=office, operator=people["hotline_operator"], started_at=timezone.now() - datetime.timedelta(hours=1),
            duration_minutes=12, caller_sex="F", caller_age_band="25-34", caller_nationality="UZ",
            caller_language="uz", caller_type=CallerType.POSSIBLE_VICTIM, outcome=Outcome.INFORMED,
        )

    return make


@pytest.fixture
def consultation(make_consultation):
    """A woman of 25 to 34 from Uzbekistan, logged by the operator at their own site."""
    return make_consultation()


@pytest.fixture
def referral_x(people, consultation, shelter) -> Referral:
    """A referral to NGO X (the partner user's organisation) carrying the caller's name and phone."""
    return referral_services.refer_from_consultation(
        people["hotline_operator"], consultation, service=shelter, reason="Needs a safe place tonight.",
        categories=[DataCategory.IDENTITY, DataCategory.CONTACTS], new_person=CALLER, consent_kwargs={},
    )


@pytest.fixture
def referral_y(people, make_consultation, legal_aid) -> Referral:
    return referral_services.refer_from_consultation(
        people["hotline_operator"], make_consultation(), service=legal_aid, reason="Unpaid wages for 4 months.")


def ids(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_a_partner_user_lists_only_their_organisations_referrals(api_as, referral_x, referral_y):
    response = api_as("partner_user").get("/api/v1/referrals")

    assert ids(response) == [str(referral_x.pk)]
    [row] = response.json()["results"]
    assert row["reference"] == referral_x.reference
    assert (row["status"], row["organisation_name"], row["service_name"]) == ("sent", "NGO X",
                                                                             "Crisis shelter for women")
    assert row["case"] is None
    assert not {"shared", "reason", "person", "created_by"} & set(row)
    assert "Каримова" not in response.content.decode()
    assert ids(api_as("partner_user_y").get("/api/v1/referrals")) == [str(referral_y.pk)]


def test_staff_list_the_referrals_they_follow(api_as, referral_x, referral_y):
    assert set(ids(api_as("hotline_operator").get("/api/v1/referrals"))) == {str(referral_x.pk), str(referral_y.pk)}
    assert ids(api_as("case_worker").get("/api/v1/referrals")) == []


@pytest.mark.parametrize("role", ROLES_WITHOUT_REFERRALS)
def test_roles_without_referrals_get_404_and_are_audited(api_as, people, referral_x, role):
    client = api_as(role)

    answers = [
        client.get("/api/v1/referrals"),
        client.get(f"/api/v1/referrals/{referral_x.pk}"),
        post(client, f"/api/v1/referrals/{referral_x.pk}/accept", {"version": referral_x.version}),
    ]

    assert [answer.status_code for answer in answers] == [404] * 3
    assert denials("capability", "view_referrals").filter(actor_id=people[role].pk).count() == 3
    referral_x.refresh_from_db()
    assert referral_x.status == ReferralStatus.SENT


def test_the_referral_list_filters(api_as, people, referral_x, referral_y, consultation, shelter):
    other = referral_services.refer_from_consultation(people["hotline_operator"], consultation, service=shelter,
                                                      reason="Needs a lawyer.")
    referral_services.accept(people["partner_user"], other, "", version=other.version)
    Referral.objects.filter(pk=referral_x.pk).update(due_on=timezone.localdate() - datetime.timedelta(days=1))
    client = api_as("partner_user")

    assert ids(client.get("/api/v1/referrals", {"status": "accepted"})) == [str(other.pk)]
    assert ids(client.get("/api/v1/referrals", {"status": "sent"})) == [str(referral_x.pk)]
    assert ids(client.get("/api/v1/referrals", {"overdue": True})) == [str(referral_x.pk)]
    assert ids(client.get("/api/v1/referrals", {"overdue": False})) == [str(other.pk)]
    assert ids(client.get("/api/v1/referrals", {"direction": "inbound"})) == []
    assert len(ids(client.get("/api/v1/referrals", {"direction": "outbound"}))) == 2
    overdue_row = client.get("/api/v1/referrals", {"overdue": True}).json()["results"][0]
    assert overdue_row["overdue"] is True
    assert overdue_row["overdue_reason"].startswith("Answer overdue")


def test_an_accepted_referral_without_news_for_long_is_overdue_too(api_as, people, referral_x, referral_y):
    referral_services.accept(people["partner_user"], referral_x, "", version=1)
    long_ago = timezone.now() - datetime.timedelta(days=referral_services.follow_up_days() + 2)
    Referral.objects.filter(pk=referral_x.pk).update(responded_at=long_ago, sent_at=long_ago)
    referral_x.updates.update(at=long_ago)
    client = api_as("hotline_operator")

    overdue = client.get("/api/v1/referrals", {"overdue": True}).json()["results"]
    others = client.get("/api/v1/referrals", {"overdue": False}).json()["results"]

    assert [row["id"] for row in overdue] == [str(referral_x.pk)]
    assert overdue[0]["overdue_reason"].startswith("Not completed and no news")
    assert [row["id"] for row in others] == [str(referral_y.pk)]
    assert others[0]["overdue_reason"] == ""


def test_wrong_referral_filters_answer_422(api_as, referral_x):
    response = api_as("partner_user").get("/api/v1/referrals", {"status": "lost", "direction": "sideways"})

    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"status", "direction"}


def test_the_referral_list_is_paged(api_as, people, consultation, shelter):
    made = [referral_services.refer_from_consultation(people["hotline_operator"], consultation, service=shelter,
                                                      reason=f"Reason {n}") for n in range(3)]
    client = api_as("partner_user")

    first = client.get("/api/v1/referrals", {"limit": 2}).json()
    second = client.get(first["next"]).json()

    assert first["count"] == 3
    assert len(first["results"]) == 2
    assert second["next"] is None
    assert {row["id"] for row in first["results"] + second["results"]} == {str(r.pk) for r in made}


# --- Referring a member of a case ---------------------------------------------------------------------
def consent_to_refer(people, person, organisation, categories=(DataCategory.IDENTITY, DataCategory.CONTACTS)):
    return consent_services.record_consent(
        people["case_worker"], person, purpose=Purpose.REFERRAL, recipient_organisation=organisation,
        data_categories=list(categories), how_given=HowGiven.ORAL, witness="Anna Case", given_on=timezone.localdate())


def a_referral(case, service, /, **changes) -> dict:
    return {"case": case.reference, "service": str(service.pk), "reason": "Needs a safe place and a lawyer.",
            "categories": ["identity"], **changes}


def test_without_a_covering_consent_a_referral_is_refused_and_nothing_saved(api_as, people, mine, olga, shelter):
    response = post(api_as("case_worker"), "/api/v1/referrals", a_referral(mine, shelter))

    assert response.status_code == 422
    [reason] = response.json()["errors"]["consent"]
    assert "NGO X" in reason
    assert not Referral.objects.exists()
    refusal = AuditEvent.objects.get(action=Action.DENY, object_type="people.person", object_id=str(olga.pk))
    assert refusal.changes["sharing"] == [None, "refused"]


def test_with_consent_the_case_worker_refers_and_the_partner_answers(api_as, people, mine, olga, shelter):
    consent_to_refer(people, olga, shelter.organization)

    created = post(api_as("case_worker"), "/api/v1/referrals", a_referral(
        mine, shelter, categories=["identity", "situation"], typed={"situation": "Sleeping at the station."}))

    assert created.status_code == 422  # the consent covers identity and contacts, not the situation
    assert list(created.json()["errors"]) == ["consent"]
    created = post(api_as("case_worker"), "/api/v1/referrals", a_referral(mine, shelter))
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["status"], body["case"], body["person"]) == ("sent", mine.reference, olga.reference)
    assert body["shared"]["name"] == "Смирнова Ольга"
    partner = api_as("partner_user")
    assert [row["id"] for row in partner.get("/api/v1/referrals").json()["results"]] == [body["id"]]
    seen = partner.get(f"/api/v1/referrals/{body['id']}").json()
    assert seen["shared"]["name"] == "Смирнова Ольга"
    assert (seen["case"], seen["person"]) == (None, None)
    accepted = post(partner, f"/api/v1/referrals/{body['id']}/accept", {"version": seen["version"]})
    assert accepted.status_code == 200
    assert mine.events.filter(kind="referral").count() == 2  # sent, then accepted
    assert api_as("partner_user_y").get(f"/api/v1/referrals/{body['id']}").status_code == 404


def test_a_withdrawn_consent_blocks_the_next_referral(api_as, people, mine, olga, shelter):
    consent = consent_to_refer(people, olga, shelter.organization)
    client = api_as("case_worker")
    assert post(client, "/api/v1/referrals", a_referral(mine, shelter)).status_code == 201

    consent_services.withdraw(people["case_worker"], consent, "She asked us to stop.")
    response = post(client, "/api/v1/referrals", a_referral(mine, shelter, reason="Second try."))

    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["consent"]
    assert Referral.objects.count() == 1


@pytest.mark.parametrize(("changes", "fields"), [
    ({"case": "CT-2026-99999"}, {"case"}),
    ({"case": ""}, {"case"}),
    ({"service": "00000000-0000-0000-0000-000000000000"}, {"service"}),
    ({"service": None}, {"service"}),
    ({"person": "P-9999999"}, {"person"}),
    ({"reason": " "}, {"reason"}),
    ({"categories": ["photo"]}, {"categories"}),
    ({"due_on": "2020-01-01"}, {"due_on"}),
])
def test_a_refused_referral_names_the_fields(api_as, people, mine, olga, shelter, changes, fields):
    consent_to_refer(people, olga, shelter.organization)

    response = post(api_as("case_worker"), "/api/v1/referrals", a_referral(mine, shelter, **changes))

    assert response.status_code == 422
    assert set(response.json()["errors"]) == fields
    assert not Referral.objects.exists()


def test_a_service_the_person_does_not_qualify_for_is_refused(api_as, people, mine, olga, ngo_x):
    men_only = Service.objects.create(organization=ngo_x, name="Shelter for men", accepts_sexes=["M"])
    consent_to_refer(people, olga, ngo_x)

    response = post(api_as("case_worker"), "/api/v1/referrals", a_referral(mine, men_only))

    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["service"]


def test_only_case_staff_refer_and_only_from_their_cases(api_as, people, theirs, mine, shelter):
    partner = post(api_as("partner_user"), "/api/v1/referrals", a_referral(mine, shelter))
    stranger = post(api_as("case_worker"), "/api/v1/referrals", a_referral(theirs, shelter))

    assert partner.status_code == 404
    assert denials("capability", "view_cases").filter(actor_id=people["partner_user"].pk).exists()
    assert stranger.status_code == 422
    assert list(stranger.json()["errors"]) == ["case"]
    assert denials("cases.case", theirs.reference).filter(actor_id=people["case_worker"].pk).exists()
    assert not Referral.objects.exists()


# --- One referral ---------------------------------------------------------------------------------
def test_the_partner_reads_what_was_shared_and_the_read_is_audited(api_as, people, referral_x):
    response = api_as("partner_user").get(f"/api/v1/referrals/{referral_x.pk}")

    assert response.status_code == 200
    body = response.json()
    assert body["shared"]["name"] == "Каримова Дилноза"
    assert body["shared"]["phone"] == "+7 921 555 01 02"
    assert body["shared"]["caller_nationality"] == "UZ"
    assert {"label": "Name", "value": "Каримова Дилноза", "personal": True} in body["shown"]
    assert body["reason"] == "Needs a safe place tonight."
    assert body["notice"] == ""
    assert body["actions"] == ["accept", "decline"]
    assert (body["person"], body["consent"], body["created_by"], body["case"]) == (None, None, None, None)
    assert [update["status"] for update in body["updates"]] == ["sent"]
    view = AuditEvent.objects.get(action=Action.VIEW, object_type="cases.referral")
    assert (view.actor_id, view.object_id) == (people["partner_user"].pk, str(referral_x.pk))


def test_another_organisations_partner_gets_404_audited_by_id(api_as, people, referral_x):
    client = api_as("partner_user_y")

    answers = [
        client.get(f"/api/v1/referrals/{referral_x.pk}"),
        post(client, f"/api/v1/referrals/{referral_x.pk}/accept", {"version": referral_x.version}),
        post(client, f"/api/v1/referrals/{referral_x.pk}/decline", {"version": referral_x.version, "note": "No"}),
    ]

    assert [answer.status_code for answer in answers] == [404] * 3
    for answer in answers:
        assert "Каримова" not in answer.content.decode()
    assert denials("cases.referral", str(referral_x.pk)).filter(actor_id=people["partner_user_y"].pk).count() == 3
    assert views_of(referral_x) == 0
    referral_x.refresh_from_db()
    assert (referral_x.status, referral_x.version) == (ReferralStatus.SENT, 1)


def test_a_withdrawn_consent_hides_the_personal_fields_at_once(api_as, people, referral_x):
    consent_services.withdraw(people["hotline_operator"], referral_x.consent, "Called to withdraw.")

    body = api_as("partner_user").get(f"/api/v1/referrals/{referral_x.pk}").json()

    assert "name" not in body["shared"]
    assert "phone" not in body["shared"]
    assert body["shared"]["caller_nationality"] == "UZ"
    assert not any(row["personal"] for row in body["shown"])
    assert "withdrew" in body["notice"]
    assert "Каримова" not in str(body)


def test_staff_read_the_whole_record_of_what_left_the_office(api_as, people, referral_x):
    body = api_as("hotline_operator").get(f"/api/v1/referrals/{referral_x.pk}").json()

    assert body["shared"]["name"] == "Каримова Дилноза"
    assert body["person"] == referral_x.person.reference
    assert body["consent"] == referral_x.consent_id
    assert body["created_by"] == "hotline_operator"
    assert body["actions"] == ["cancel"]


def test_an_unknown_referral_is_a_404(api_as):
    missing = "00000000-0000-0000-0000-000000000001"

    assert api_as("partner_user").get(f"/api/v1/referrals/{missing}").status_code == 404
    assert denials("cases.referral", missing).exists()


# --- Answering a referral ---------------------------------------------------------------------------
def test_the_partner_accepts_then_completes(api_as, people, referral_x):
    client = api_as("partner_user")

    accepted = post(client, f"/api/v1/referrals/{referral_x.pk}/accept", {"version": 1, "note": "We have a bed."})
    completed = post(client, f"/api/v1/referrals/{referral_x.pk}/complete",
                     {"version": accepted.json()["version"], "note": "Stayed three weeks, then went home."})

    assert accepted.status_code == 200, accepted.content
    assert (accepted.json()["status"], accepted.json()["version"]) == ("accepted", 2)
    assert accepted.json()["actions"] == ["progress", "complete"]
    assert completed.status_code == 200, completed.content
    assert completed.json()["status"] == "completed"
    assert completed.json()["feedback"] == "Stayed three weeks, then went home."
    referral_x.refresh_from_db()
    assert (referral_x.status, referral_x.version) == (ReferralStatus.COMPLETED, 3)
    assert [u["status"] for u in completed.json()["updates"]] == ["sent", "accepted", "completed"]
    assert AuditEvent.objects.filter(action=Action.UPDATE, object_type="cases.referral").count() == 2


def test_a_stale_version_answers_409_with_the_saved_version(api_as, people, referral_x):
    referral_services.accept(people["partner_user"], referral_x, "", version=1)

    response = post(api_as("partner_user"), f"/api/v1/referrals/{referral_x.pk}/decline",
                    {"version": 1, "note": "No beds left."})

    assert response.status_code == 409
    assert response.json()["version"] == 2
    assert response.json()["detail"]
    referral_x.refresh_from_db()
    assert (referral_x.status, referral_x.decline_reason) == (ReferralStatus.ACCEPTED, "")


def test_declining_needs_a_note(api_as, referral_x):
    response = post(api_as("partner_user"), f"/api/v1/referrals/{referral_x.pk}/decline", {"version": 1})

    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["note"]
    referral_x.refresh_from_db()
    assert referral_x.status == ReferralStatus.SENT


def test_a_step_the_referral_cannot_take_answers_422_with_the_reason(api_as, referral_x):
    response = post(api_as("partner_user"), f"/api/v1/referrals/{referral_x.pk}/complete",
                    {"version": 1, "note": "Done."})

    assert response.status_code == 422
    assert response.json()["errors"]["action"] == ["You cannot complete this referral: it is sent."]
    referral_x.refresh_from_db()
    assert referral_x.status == ReferralStatus.SENT


def test_the_partner_cannot_cancel_and_staff_can(api_as, referral_x):
    refused = post(api_as("partner_user"), f"/api/v1/referrals/{referral_x.pk}/cancel",
                   {"version": 1, "note": "Not ours."})
    cancelled = post(api_as("hotline_operator"), f"/api/v1/referrals/{referral_x.pk}/cancel",
                     {"version": 1, "note": "The caller found a place with relatives."})

    assert refused.status_code == 422
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"


def test_a_malformed_referral_id_is_not_a_server_error(api_as):
    response = api_as("partner_user").get("/api/v1/referrals/not-a-uuid")

    assert 400 <= response.status_code < 500


def test_inbound_direction_is_listed_for_staff(api_as, people, referral_x):
    Referral.objects.filter(pk=referral_x.pk).update(direction=ReferralDirection.INBOUND)

    assert ids(api_as("hotline_operator").get("/api/v1/referrals", {"direction": "inbound"})) == [str(referral_x.pk)]



def test_an_answer_note_longer_than_the_form_allows_is_refused_naming_the_note(api_as, referral_x):
    response = post(api_as("partner_user"), f"/api/v1/referrals/{referral_x.pk}/decline",
                    {"version": 1, "note": "x" * 4001})

    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["note"]
    referral_x.refresh_from_db()
    assert referral_x.status == ReferralStatus.SENT
