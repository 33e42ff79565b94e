"""The REST API: its OpenAPI description, and answers that go through the access policy."""

import uuid

import pytest
from django.test import Client

from waypoint.accounts.models import Role
from waypoint.api import services
from waypoint.audit.models import Action, AuditEvent
from waypoint.partners.models import Organisation, OrganisationType

pytestmark = pytest.mark.django_db

ENDPOINTS = {
    "/api/v1/me",
    "/api/v1/offices",
    "/api/v1/organisations",
    "/api/v1/organisations/{organisation_id}",
    "/api/v1/services",
    "/api/v1/services/{service_id}",
    "/api/v1/people",
    "/api/v1/people/{person_id}",
    "/api/v1/consultations",
    "/api/v1/cases",
    "/api/v1/cases/{reference}",
    "/api/v1/cases/{reference}/transitions",
    "/api/v1/cases/{reference}/services",
    "/api/v1/service-types",
    "/api/v1/referrals",
    "/api/v1/referrals/{referral_id}",
    "/api/v1/referrals/{referral_id}/accept",
    "/api/v1/referrals/{referral_id}/decline",
    "/api/v1/referrals/{referral_id}/progress",
    "/api/v1/referrals/{referral_id}/complete",
    "/api/v1/referrals/{referral_id}/cancel",
    "/api/v1/health/assessments",
    "/api/v1/health/assessments/{assessment_id}",
    "/api/v1/health/assessments/{assessment_id}/results",
    "/api/v1/health/assessments/{assessment_id}/cancel",
    "/api/v1/health/cases/{reference}/clearances",
    "/api/v1/returns/cases/{reference}",
    "/api/v1/returns/cases/{reference}/questionnaire",
    "/api/v1/returns/cases/{reference}/instalments",
    "/api/v1/returns/cases/{reference}/documents",
    "/api/v1/returns/documents/{document_id}",
    "/api/v1/resettlement/cases/{reference}/profile",
    "/api/v1/resettlement/cases/{reference}/clearances",
    "/api/v1/resettlement/clearances/{clearance_id}",
    "/api/v1/resettlement/cases/{reference}/presentations",
    "/api/v1/resettlement/presentations/{presentation_id}/decision",
    "/api/v1/resettlement/trips",
    "/api/v1/resettlement/report",
    "/api/v1/livelihoods/enterprises",
    "/api/v1/livelihoods/enterprises/{enterprise_id}",
    "/api/v1/livelihoods/grants/{reference}",
    "/api/v1/livelihoods/grants/{reference}/items",
    "/api/v1/livelihoods/grants/{reference}/visits",
}
# POSTs that take a step on something that exists (a workflow step, an answer to a referral, the cancelling of a
# requested examination, the decision on a presentation) answer 200.
STEPS = ("/transitions", "/accept", "/decline", "/progress", "/complete", "/cancel", "/decision")


@pytest.fixture
def api_as(users):
    """A function giving a client whose every request carries the user's API token."""

    def make(role: str) -> Client:
        _token, secret = services.create_token(users[role], name="tests", valid_days=30)
        return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")

    return make


# --- OpenAPI --------------------------------------------------------------------------------
def test_the_openapi_document_is_served_as_json():
    response = Client().get("/api/v1/openapi.json")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")


def test_the_openapi_document_lists_every_endpoint():
    document = Client().get("/api/v1/openapi.json").json()

    assert set(document["paths"]) == ENDPOINTS


def test_the_openapi_document_has_a_valid_basic_structure():
    document = Client().get("/api/v1/openapi.json").json()

    assert document["openapi"].startswith("3.")
    assert document["info"]["title"] == "Waypoint API"
    assert document["info"]["version"] == "1"
    schemes = document["components"]["securitySchemes"]
    assert schemes, "the token authentication is described"
    assert {scheme["type"] for scheme in schemes.values()} == {"http"}
    assert {scheme["scheme"].lower() for scheme in schemes.values()} == {"bearer"}
    schemas = document["components"]["schemas"]
    for path, item in document["paths"].items():
        assert path.startswith("/api/v1/")
        for method, operation in item.items():
            assert method in {"get", "post", "put", "patch", "delete"}
            assert operation["operationId"]
            assert operation["summary"]
            # Success is 200, or 201 for an operation that creates.
            ok = "201" if method == "post" and not path.endswith(STEPS) else "200"
            assert ok in operation["responses"]
            # Every operation needs a token: none is open to anyone.
            assert operation["security"]
            assert {name for requirement in operation["security"] for name in requirement} <= set(schemes)
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path":
                    assert parameter["required"] is True
                    assert "{" + parameter["name"] + "}" in path
            schema = operation["responses"][ok]["content"]["application/json"]["schema"]
            ref = schema.get("$ref") or schema["items"]["$ref"]
            assert ref.removeprefix("#/components/schemas/") in schemas


def test_no_interactive_docs_page_is_served():
    """The docs page would need scripts from elsewhere, which the CSP refuses."""
    assert Client().get("/api/v1/docs").status_code == 404


# --- Organisations --------------------------------------------------------------------------
def test_organisations_need_a_token():
    assert Client().get("/api/v1/organisations").status_code == 401


def test_one_organisation_needs_a_token(ngo_x):
    response = Client().get(f"/api/v1/organisations/{ngo_x.pk}")

    assert response.status_code == 401
    assert "NGO X" not in response.content.decode()


def test_staff_list_the_active_organisations(api_as, ngo_x, ngo_y):
    Organisation.objects.create(name="Closed NGO", organisation_type=OrganisationType.NGO, is_active=False)

    response = api_as(Role.CASE_WORKER).get("/api/v1/organisations")

    assert response.status_code == 200
    assert response.json()["count"] == 2
    assert [organisation["name"] for organisation in response.json()["results"]] == ["NGO X", "NGO Y"]
    first = response.json()["results"][0]
    assert first["id"] == str(ngo_x.pk)
    assert first["organisation_type"] == "ngo"


def test_one_organisation_is_served_by_its_id(api_as, ngo_x):
    response = api_as(Role.PARTNER_USER).get(f"/api/v1/organisations/{ngo_x.pk}")

    assert response.status_code == 200
    assert response.json()["name"] == "NGO X"
    assert response.json()["id"] == str(ngo_x.pk)


def test_an_unknown_organisation_answers_404_and_is_audited(api_as, users):
    unknown = uuid.uuid4()

    response = api_as(Role.CASE_WORKER).get(f"/api/v1/organisations/{unknown}")

    assert response.status_code == 404
    denial = AuditEvent.objects.get(action=Action.DENY)
    assert denial.actor_id == users[Role.CASE_WORKER].pk
    assert denial.object_type == "partners.organisation"
    assert denial.object_id == str(unknown)


def test_a_malformed_organisation_id_is_not_a_server_error(api_as):
    response = api_as(Role.CASE_WORKER).get("/api/v1/organisations/not-a-uuid")

    assert 400 <= response.status_code < 500


def test_a_learners_token_reaches_no_organisation(users, ngo_x):
    _token, secret = services.create_token(users[Role.LEARNER], name="sneaky", valid_days=30)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")

    assert client.get("/api/v1/organisations").status_code == 401
    assert client.get(f"/api/v1/organisations/{ngo_x.pk}").status_code == 401


def test_offices_are_listed_for_staff(api_as):
    response = api_as(Role.HOTLINE_OPERATOR).get("/api/v1/offices")

    assert response.status_code == 200
    assert response.json() == [{"code": "moscow", "name": "Moscow office", "kind": "mission_office", "city": "Moscow"}]


def test_api_answers_do_not_need_a_second_factor_session(api_as):
    """Tokens are the API's credentials; a browser session and its second factor play no part."""
    response = api_as(Role.DATA_PROTECTION_OFFICER).get("/api/v1/me")

    assert response.status_code == 200
    assert response.json()["role"] == "data_protection_officer"


def test_a_browser_session_alone_does_not_open_the_api(users, client_for):
    response = client_for(users[Role.CASE_WORKER]).get("/api/v1/organisations")

    assert response.status_code == 401
