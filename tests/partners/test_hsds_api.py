"""The HSDA 3.0 read API at /api/hsda/: responses validate against HSDS's published schemas, pages add up,
filters filter, and only what the export would publish is published."""

from __future__ import annotations

import datetime
import functools
import json
import math
import uuid

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Resource
from referencing.jsonschema import DRAFT202012

from waypoint.api import services as api_services
from waypoint.audit.models import Action, AuditEvent
from waypoint.partners import models as m
from waypoint.partners import taxonomy
from waypoint.partners.hsds import extensions

from .test_hsds_schema import HSDS, build_directory, needs_schemas, registry

pytestmark = pytest.mark.django_db


@pytest.fixture
def directory(db):
    return build_directory()


@pytest.fixture
def api(client, users):
    """GET /api/hsda/<path> with a case worker's token; returns the response."""
    _token, secret = api_services.create_token(users["case_worker"], name="hsda", valid_days=30)

    def get(path: str, **params):
        return client.get(f"/api/hsda/{path}", params, HTTP_AUTHORIZATION=f"Bearer {secret}")

    return get


@functools.cache
def openapi_registry():
    openapi = json.loads((HSDS / "schema" / "openapi.json").read_text())
    return registry().with_resource("openapi.json", Resource.from_contents(openapi, default_specification=DRAFT202012))


def response_errors(path: str, instance) -> list[str]:
    """Errors of a response body against the 200 response schema the published OpenAPI gives for `path`."""
    pointer = path.replace("~", "~0").replace("/", "~1")
    schema = {"$ref": f"openapi.json#/paths/{pointer}/get/responses/200/content/application~1json/schema"}
    validator = Draft202012Validator(schema, registry=openapi_registry(), format_checker=FormatChecker())
    return [f"{'/'.join(map(str, error.absolute_path))}: {error.message}" for error in validator.iter_errors(instance)]


PAGE_KEYS = {"total_items", "total_pages", "page_number", "size", "first_page", "last_page", "empty", "contents"}


# --- Shapes ---------------------------------------------------------------------------------------------
@needs_schemas
@pytest.mark.parametrize(
    ("path", "spec_path"),
    [
        ("services", "/services"),
        ("services?full=true", "/services"),
        ("organizations", "/organizations"),
        ("service_at_locations", "/service_at_locations"),
        ("taxonomies", "/taxonomies"),
        ("taxonomy_terms", "/taxonomy_terms"),
    ],
)
def test_every_list_validates_against_the_published_api(directory, api, path, spec_path):
    name, _, query = path.partition("?")
    response = api(name, **dict(part.split("=") for part in query.split("&") if part))

    assert response.status_code == 200
    body = response.json()
    assert set(body) == PAGE_KEYS
    assert body["contents"]
    assert response_errors(spec_path, body) == []


@needs_schemas
def test_every_object_validates_against_its_compiled_schema(directory, api):
    shelter, angel, at_office = directory["shelter"], directory["angel"], directory["at_office"]
    survivors = directory["survivors"]
    shelter_type = taxonomy.term_id(taxonomy.SERVICE_TYPES_KEY, "shelter")
    cases = [
        (f"services/{shelter.pk}", "/services/{id}"),
        (f"organizations/{angel.pk}", "/organizations/{id}"),
        (f"taxonomies/{survivors.taxonomy_detail_id}", "/taxonomies/{id}"),
        (f"taxonomies/{extensions.BY_KEY[extensions.ACCEPTED_SEXES].id}", "/taxonomies/{id}"),
        (f"taxonomy_terms/{survivors.pk}", "/taxonomy_terms/{id}"),
        (f"taxonomy_terms/{shelter_type}", "/taxonomy_terms/{id}"),
    ]
    for path, spec_path in cases:
        response = api(path)
        assert response.status_code == 200, path
        assert response_errors(spec_path, response.json()) == [], path
    # The published OpenAPI names the service schema for this one; it is a service at a location.
    link = api(f"service_at_locations/{at_office.pk}").json()
    validator = Draft202012Validator(
        {"$ref": "compiled/service_at_location.json"}, registry=registry(), format_checker=FormatChecker()
    )
    assert list(validator.iter_errors(link)) == []
    assert link["location"]["addresses"][0]["postal_code"] == "109004"
    assert link["service"]["name"] == "Shelter for women"


@needs_schemas
def test_the_validation_can_fail(directory, api):
    body = api("services").json()
    body["contents"][0]["status"] = "open"
    del body["contents"][0]["name"]
    body["total_items"] = "many"

    errors = response_errors("/services", body)

    assert any("'open' is not one of" in error for error in errors)
    assert any("'name' is a required property" in error for error in errors)
    assert any("'many' is not of type 'integer'" in error for error in errors)


def test_a_full_service_carries_everything_about_it(directory, api):
    service = api(f"services/{directory['shelter'].pk}").json()

    assert service["organization"]["name"] == "Angel Coalition"
    assert service["program"]["name"] == "Rehabilitation"
    assert [phone["number"] for phone in service["phones"]] == ["+7 495 123 45 67"]
    assert service["phones"][0]["languages"][0]["code"] == "tg"
    assert service["schedules"][0]["opens_at"] == "09:00:00"
    assert service["service_at_locations"][0]["location"]["name"] == "Angel Coalition office"
    assert service["cost_options"][0]["amount"] == 1500.5
    assert service["contacts"][0]["phones"][0]["number"] == "+7 495 123 45 67"
    assert service["metadata"][0]["field_name"] == "capacity"
    by_taxonomy = {}
    for attribute in service["attributes"]:
        term = attribute["taxonomy_term"]
        by_taxonomy.setdefault(term["taxonomy_detail"]["name"], []).append((term["name"], attribute.get("value", "")))
    assert sorted(by_taxonomy["Waypoint service types"]) == [("Psychological help", ""), ("Shelter", "")]
    assert by_taxonomy["Waypoint accepted sexes"] == [("Female", "")]
    assert ("Available places", "3") in by_taxonomy["Waypoint service availability"]
    assert by_taxonomy["Open Eligibility"] == [("Trafficking survivors", "")]


def test_an_organisation_lists_its_services(directory, api):
    organisation = api(f"organizations/{directory['angel'].pk}").json()
    full = api(f"organizations/{directory['angel'].pk}", full_service="true").json()

    assert [service["name"] for service in organisation["services"]] == ["Shelter for women"]
    assert "phones" not in organisation["services"][0]
    assert full["services"][0]["phones"][0]["number"] == "+7 495 123 45 67"
    assert organisation["parent_organization_id"] == str(directory["red_cross"].pk)
    assert organisation["organization_identifiers"][0]["identifier"] == "1027700000000"
    assert {attribute["taxonomy_term"]["code"] for attribute in organisation["attributes"]} >= {
        "organisation-types/ngo", "organisation-places/region"}


def test_the_api_info_names_the_version_and_the_openapi_document(api, directory):
    info = api("").json()

    assert info["version"] == "3.0"
    assert info["openapi_url"] == "http://testserver/api/hsda/openapi.json"
    assert info["profile"].startswith("https://")


# --- Paging -------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("per_page", "page"), [(3, 1), (3, 2), (3, 3), (3, 4), (7, 1), (10, 1), (1, 7)])
def test_pages_add_up(api, ngo_x, per_page, page):
    for number in range(7):
        m.Service.objects.create(organization=ngo_x, name=f"Service {number}")

    body = api("services", per_page=per_page, page=page).json()

    total_pages = math.ceil(7 / per_page)
    expected = [f"Service {n}" for n in range(7)][(page - 1) * per_page : page * per_page]
    assert [service["name"] for service in body["contents"]] == expected
    assert body["total_items"] == 7
    assert body["total_pages"] == total_pages
    assert body["page_number"] == page
    assert body["size"] == len(expected)
    assert body["first_page"] is (page == 1)
    assert body["last_page"] is (page >= total_pages)
    assert body["empty"] is (not expected)


def test_an_empty_directory_is_one_empty_answer(api):
    body = api("services").json()

    assert body == {"total_items": 0, "total_pages": 0, "page_number": 1, "size": 0, "first_page": True,
                    "last_page": True, "empty": True, "contents": []}


@pytest.mark.parametrize(
    ("params", "field"),
    [({"page": 0}, "page"), ({"per_page": 0}, "per_page"), ({"per_page": 501}, "per_page"),
     ({"page": "two"}, "page"), ({"organization_id": "ngo"}, "organization_id"),
     ({"modified_after": "last week"}, "modified_after"), ({"format": "xml"}, "format")],
)
def test_bad_parameters_are_named(api, params, field):
    response = api("services", **params)

    assert response.status_code == 422
    assert field in response.json()["errors"]


def test_ndjson_gives_every_result_without_paging(api, ngo_x):
    for number in range(3):
        m.Service.objects.create(organization=ngo_x, name=f"Service {number}")

    response = api("services", format="ndjson", per_page=1)

    assert response["Content-Type"].startswith("application/x-ndjson")
    lines = response.content.decode().splitlines()
    assert [json.loads(line)["name"] for line in lines] == ["Service 0", "Service 1", "Service 2"]


# --- Filters ------------------------------------------------------------------------------------------
def names(response) -> list[str]:
    return sorted(item["name"] for item in response.json()["contents"])


def test_services_are_filtered(directory, api):
    shelter_type = taxonomy.term_id(taxonomy.SERVICE_TYPES_KEY, "shelter")
    women = extensions.BY_KEY[extensions.ACCEPTED_SEXES].term_id("F")
    sexes = extensions.BY_KEY[extensions.ACCEPTED_SEXES].id

    assert names(api("services")) == ["Hotline", "Shelter for women"]
    assert names(api("services", search="shelter")) == ["Shelter for women"]
    assert names(api("services", search="red cross")) == ["Hotline"]  # the organisation's name
    assert names(api("services", organization_id=str(directory["red_cross"].pk))) == ["Hotline"]
    assert names(api("services", taxonomy_term_id=str(shelter_type))) == ["Shelter for women"]
    assert names(api("services", taxonomy_term_id=str(women))) == ["Shelter for women"]
    assert names(api("services", taxonomy_term_id=str(directory["survivors"].pk))) == ["Shelter for women"]
    assert names(api("services", taxonomy_id=str(sexes))) == ["Shelter for women"]
    assert names(api("services", taxonomy_id=str(taxonomy.SERVICE_TYPES_ID))) == ["Shelter for women"]
    assert names(api("services", taxonomy_term_id=str(uuid.uuid4()))) == []
    m.Service.objects.filter(pk=directory["hotline"].pk).update(
        last_modified=datetime.datetime(2026, 4, 1, tzinfo=datetime.UTC))
    assert names(api("services", modified_after="2026-03-15T00:00:00Z")) == ["Hotline"]


def test_other_lists_are_filtered(directory, api):
    assert names(api("organizations", search="angel")) == ["Angel Coalition"]
    assert len(api("service_at_locations", postcode="109004").json()["contents"]) == 1
    assert api("service_at_locations", organization_id=str(directory["red_cross"].pk)).json()["total_items"] == 1
    assert names(api("taxonomies", search="eligibility")) == ["Open Eligibility"]
    eligibility = str(directory["survivors"].taxonomy_detail_id)
    assert names(api("taxonomy_terms", taxonomy_id=eligibility)) == ["People", "Trafficking survivors"]
    assert names(api("taxonomy_terms", taxonomy_id=eligibility, top_only="true")) == ["People"]
    assert names(api("taxonomy_terms", parent_id=str(directory["survivors"].parent_id))) == ["Trafficking survivors"]
    sexes = str(extensions.BY_KEY[extensions.ACCEPTED_SEXES].id)
    assert names(api("taxonomy_terms", taxonomy_id=sexes)) == ["Female", "Male", "Other sex"]


# --- What is not published ----------------------------------------------------------------------------
def test_inactive_organisations_and_their_services_are_not_published(directory, api, users):
    closed, closed_service = directory["closed"], directory["closed_service"]
    before = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()

    assert api(f"organizations/{closed.pk}").status_code == 404
    assert api(f"services/{closed_service.pk}").status_code == 404
    everything = "".join(api(path).content.decode() for path in ("services", "organizations", "service_at_locations"))
    assert str(closed.pk) not in everything
    assert "Old shelter" not in everything
    denials = AuditEvent.objects.filter(pk__gt=before, action=Action.DENY, actor_id=users["case_worker"].pk)
    assert {event.object_id for event in denials} == {str(closed.pk), str(closed_service.pk)}


@pytest.mark.parametrize("path", ["services/not-a-uuid", "organizations/00000000-0000-0000-0000-000000000000",
                                  "taxonomies/nope", "taxonomy_terms/nope", "service_at_locations/nope"])
def test_unknown_objects_are_not_found(api, path):
    assert api(path).status_code == 404


def test_agreements_are_never_published(directory, api):
    body = api(f"organizations/{directory['angel'].pk}").content.decode()

    assert "Memorandum" not in body


HSDA_PATHS = ["", "services", "services/{service}", "organizations", "organizations/{organisation}",
              "service_at_locations", "service_at_locations/{link}", "taxonomies", "taxonomies/{taxonomy}",
              "taxonomy_terms", "taxonomy_terms/{term}"]


def hsda_url(template: str, directory) -> str:
    return "/api/hsda/" + template.format(
        service=directory["shelter"].pk, organisation=directory["angel"].pk, link=directory["at_office"].pk,
        taxonomy=directory["survivors"].taxonomy_detail_id, term=directory["survivors"].pk,
    )


@pytest.mark.parametrize("path", HSDA_PATHS)
def test_every_endpoint_refuses_an_anonymous_caller_and_a_browser_session(client, users, client_for, directory, path):
    url = hsda_url(path, directory)

    assert client.get(url).status_code == 401
    assert client_for(users["administrator"]).get(url).status_code == 401


@pytest.mark.parametrize("persona", ["administrator", "case_worker", "partner_user", "data_protection_officer",
                                     "learner", "me_officer", "trainer"])
@pytest.mark.parametrize("path", HSDA_PATHS)
def test_every_endpoint_answers_only_to_roles_that_read_the_directory(client, users, directory, persona, path):
    _token, secret = api_services.create_token(users[persona], name="hsda", valid_days=30)

    response = client.get(hsda_url(path, directory), HTTP_AUTHORIZATION=f"Bearer {secret}")

    if persona == "learner":
        assert response.status_code == 401
        assert "Angel" not in response.content.decode()
    else:
        assert response.status_code == 200


def test_the_openapi_document_describes_the_endpoints_and_holds_no_data(client, directory):
    """Served without a token, as /api/v1/'s is: it must describe, never list."""
    response = client.get("/api/hsda/openapi.json")

    assert response.status_code == 200
    document = response.json()
    assert {"/api/hsda/services", "/api/hsda/services/{service_id}", "/api/hsda/taxonomy_terms"} <= set(
        document["paths"])
    assert "Angel Coalition" not in response.content.decode()


def test_the_api_root_without_a_token_is_refused(client):
    assert client.get("/api/hsda/").status_code == 401


def test_a_service_does_not_publish_a_location_of_an_inactive_organisation(api):
    # The list of services at locations already left it out; the service's own page showed it.
    active = m.Organisation.objects.create(name="Active NGO", organisation_type="ngo")
    closed = m.Organisation.objects.create(name="Closed NGO", organisation_type="ngo", is_active=False)
    service = m.Service.objects.create(organization=active, name="Outreach")
    place = m.Location.objects.create(organization=closed, name="Safe house of the closed NGO",
                                      location_type="physical")
    m.ServiceAtLocation.objects.create(service=service, location=place)

    one = api(f"services/{service.pk}")
    listed = api("service_at_locations")

    assert "Safe house" not in one.content.decode()
    assert "Safe house" not in listed.content.decode()
