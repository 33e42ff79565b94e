"""Organisations and services in the REST API: read for staff, write for administrators, errors that name
the field, 404 for what is unknown or forbidden."""

import uuid

import pytest
from django.test import Client

from waypoint.accounts.models import Programme, Role
from waypoint.api import services as api_services
from waypoint.audit.models import Action, AuditEvent
from waypoint.cases.models import Referral
from waypoint.partners import taxonomy
from waypoint.partners.models import Language, Organisation, OrganisationType, Service

pytestmark = pytest.mark.django_db

PERSONAS = [role.value for role in Role] + ["case_worker_b", "partner_user_y"]
READERS = set(PERSONAS) - {"learner"}


@pytest.fixture
def api_as(users):
    def make(persona: str) -> Client:
        _token, secret = api_services.create_token(users[persona], name="tests", valid_days=30)
        return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")

    return make


@pytest.fixture
def shelter(ngo_x):
    made = Service.objects.create(organization=ngo_x, name="Приют для женщин", accepts_sexes=["F"], minimum_age=18,
                                  capacity=10, available=2)
    taxonomy.set_service_types(made, ["shelter", "psychological_help"])
    Language.objects.create(service=made, code="ru")
    return made


@pytest.fixture
def lawyers(ngo_y):
    made = Service.objects.create(organization=ngo_y, name="Legal clinic")
    taxonomy.set_service_types(made, ["legal_aid"])
    return made


def last_event_id() -> int:
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def json_call(client, method: str, url: str, data=None):
    return getattr(client, method)(url, data=data, content_type="application/json")


# --- Every endpoint for every persona ---------------------------------------------------------
def endpoints(ngo_x, shelter):
    """(method, url, body) of every directory endpoint; writes are harmless no-ops or refused."""
    return [
        ("get", "/api/v1/organisations", None),
        ("get", f"/api/v1/organisations/{ngo_x.pk}", None),
        ("get", "/api/v1/services", None),
        ("get", f"/api/v1/services/{shelter.pk}", None),
    ]


@pytest.mark.parametrize("persona", PERSONAS)
def test_reading_is_open_to_every_role_that_uses_the_api(users, api_as, ngo_x, shelter, persona):
    if persona == "learner":
        _token, secret = api_services.create_token(users["learner"], name="sneaky", valid_days=30)
        client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    else:
        client = api_as(persona)
    for method, url, _body in endpoints(ngo_x, shelter):
        response = getattr(client, method)(url)
        assert response.status_code == (200 if persona in READERS else 401), (persona, url)


WRITES = [
    ("post", "/api/v1/organisations", {"name": "New NGO", "organisation_type": "ngo"}),
    ("patch", "/api/v1/organisations/{org}", {"city": "Tver"}),
    ("delete", "/api/v1/organisations/{org}", None),
    ("post", "/api/v1/services", {"organization": "{org}", "name": "New service"}),
    ("patch", "/api/v1/services/{service}", {"available": 1}),
    ("delete", "/api/v1/services/{service}", None),
]


@pytest.mark.parametrize("persona", sorted(READERS - {"administrator"}))
@pytest.mark.parametrize(("method", "url", "body"), WRITES)
def test_nobody_but_administrators_writes(users, api_as, ngo_x, shelter, persona, method, url, body):
    before_orgs, before_services = Organisation.objects.count(), Service.objects.count()
    before = last_event_id()
    url = url.format(org=ngo_x.pk, service=shelter.pk)
    if body and body.get("organization"):
        body = {**body, "organization": str(ngo_x.pk)}

    response = json_call(api_as(persona), method, url, body)

    assert response.status_code == 404
    assert (Organisation.objects.count(), Service.objects.count()) == (before_orgs, before_services)
    shelter.refresh_from_db()
    assert shelter.available == 2
    ngo_x.refresh_from_db()
    assert ngo_x.city == ""
    denial = AuditEvent.objects.filter(pk__gt=before, action=Action.DENY).get()
    assert denial.actor_id == users[persona].pk


# --- Reading --------------------------------------------------------------------------------
def test_the_organisation_list_is_paged_and_filtered(api_as, ngo_x, ngo_y, shelter, lawyers):
    Organisation.objects.create(name="Embassy of Uzbekistan", organisation_type=OrganisationType.DIPLOMATIC)
    client = api_as("case_worker")

    everything = client.get("/api/v1/organisations", {"limit": 2}).json()
    by_type = client.get("/api/v1/organisations", {"type": "diplomatic"}).json()
    by_words = client.get("/api/v1/organisations", {"q": "ПРИЮТ"}).json()
    by_service = client.get("/api/v1/organisations", {"service_type": "legal_aid"}).json()

    assert everything["count"] == 3
    assert [o["name"] for o in everything["results"]] == ["Embassy of Uzbekistan", "NGO X"]
    assert "offset=2" in everything["next"]
    assert everything["previous"] is None
    assert [o["name"] for o in by_type["results"]] == ["Embassy of Uzbekistan"]
    assert [o["name"] for o in by_words["results"]] == ["NGO X"]
    assert [o["name"] for o in by_service["results"]] == ["NGO Y"]


def test_one_organisation_comes_with_its_services(api_as, ngo_x, shelter):
    body = api_as("partner_user_y").get(f"/api/v1/organisations/{ngo_x.pk}").json()

    assert body["name"] == "NGO X"
    [summary] = body["services"]
    assert summary["id"] == str(shelter.pk)
    assert summary["service_types"] == ["shelter", "psychological_help"]
    assert summary["accepts"] == "Women, 18+"
    assert (summary["capacity"], summary["available"]) == (10, 2)
    assert "agreements" not in body


def test_one_service_in_full(api_as, shelter):
    body = api_as("hotline_operator").get(f"/api/v1/services/{shelter.pk}").json()

    assert body["organization_name"] == "NGO X"
    assert body["accepts_sexes"] == ["F"]
    assert body["minimum_age"] == 18
    assert body["languages"] == ["ru"]
    assert body["service_types"] == ["shelter", "psychological_help"]


def test_services_are_filtered(api_as, ngo_x, shelter, lawyers):
    client = api_as("case_worker")
    Service.objects.filter(pk=shelter.pk).update(available=0)

    assert client.get("/api/v1/services").json()["count"] == 2
    assert [s["name"] for s in client.get("/api/v1/services", {"service_type": "shelter"}).json()["results"]] == [
        "Приют для женщин"]
    assert [s["name"] for s in client.get("/api/v1/services", {"accepting_now": True}).json()["results"]] == [
        "Legal clinic"]
    assert [s["name"] for s in client.get("/api/v1/services", {"q": "ngo y"}).json()["results"]] == ["Legal clinic"]
    assert [s["name"] for s in client.get("/api/v1/services", {"organization": str(ngo_x.pk)}).json()[
        "results"]] == ["Приют для женщин"]
    assert [s["name"] for s in client.get("/api/v1/services", {"language": "ru"}).json()["results"]] == [
        "Приют для женщин"]


@pytest.mark.parametrize("url", ["/api/v1/organisations/{id}", "/api/v1/services/{id}"])
def test_unknown_objects_are_not_found_and_audited(api_as, users, url):
    missing = uuid.uuid4()
    before = last_event_id()

    response = api_as("case_worker").get(url.format(id=missing))

    assert response.status_code == 404
    assert AuditEvent.objects.get(pk__gt=before, action=Action.DENY).object_id == str(missing)


def test_administrators_see_inactive_organisations_others_do_not(api_as, ngo_x, shelter):
    Organisation.objects.filter(pk=ngo_x.pk).update(is_active=False)

    assert api_as("administrator").get(f"/api/v1/organisations/{ngo_x.pk}").status_code == 200
    assert api_as("administrator").get(f"/api/v1/services/{shelter.pk}").status_code == 200
    assert api_as("case_worker").get(f"/api/v1/services/{shelter.pk}").status_code == 404
    listed = api_as("administrator").get("/api/v1/organisations", {"include_inactive": True}).json()
    assert "NGO X" in [o["name"] for o in listed["results"]]
    ignored = api_as("case_worker").get("/api/v1/organisations", {"include_inactive": True}).json()
    assert "NGO X" not in [o["name"] for o in ignored["results"]]


# --- Writing: organisations -----------------------------------------------------------------
def test_an_administrator_adds_an_organisation(api_as, users):
    client = api_as("administrator")
    before = last_event_id()

    response = json_call(client, "post", "/api/v1/organisations", {
        "name": "Кризисный центр", "organisation_type": "social", "country": "ru", "city": "Petrozavodsk",
        "website": "https://crisis.example",
    })

    assert response.status_code == 201
    body = response.json()
    organisation = Organisation.objects.get(pk=body["id"])
    assert (organisation.name, organisation.country, organisation.city) == ("Кризисный центр", "RU", "Petrozavodsk")
    event = AuditEvent.objects.get(pk__gt=before, action=Action.CREATE)
    assert (event.actor_id, event.object_id) == (users["administrator"].pk, str(organisation.pk))


def test_a_refused_organisation_names_every_field_and_saves_nothing(api_as):
    response = json_call(api_as("administrator"), "post", "/api/v1/organisations", {
        "name": "", "organisation_type": "aliens", "country": "XX", "email": "not-an-address",
    })

    assert response.status_code == 422
    body = response.json()
    assert body["detail"]
    assert {"name", "organisation_type", "country", "email"} <= set(body["errors"])
    assert not Organisation.objects.filter(organisation_type="aliens").exists()
    assert Organisation.objects.count() == 2  # NGO X and NGO Y of the personas


def test_unknown_fields_and_wrong_types_are_422_naming_the_field(api_as, ngo_x):
    client = api_as("administrator")

    extra = json_call(client, "post", "/api/v1/organisations", {"name": "A", "organisation_type": "ngo",
                                                                 "colour": "red"})
    wrong = json_call(client, "patch", f"/api/v1/organisations/{ngo_x.pk}", {"year_incorporated": "long ago"})

    assert extra.status_code == 422
    assert "colour" in extra.json()["errors"]
    assert wrong.status_code == 422
    assert "year_incorporated" in wrong.json()["errors"]


def test_an_administrator_changes_only_the_fields_sent(api_as, ngo_x):
    Organisation.objects.filter(pk=ngo_x.pk).update(description="Shelters", city="Moscow")

    response = json_call(api_as("administrator"), "patch", f"/api/v1/organisations/{ngo_x.pk}",
                         {"city": "Tver", "description": None})

    assert response.status_code == 200
    ngo_x.refresh_from_db()
    assert (ngo_x.city, ngo_x.description, ngo_x.name) == ("Tver", "", "NGO X")
    assert response.json()["city"] == "Tver"


def test_a_refused_change_leaves_the_organisation_as_it_was(api_as, ngo_x):
    response = json_call(api_as("administrator"), "patch", f"/api/v1/organisations/{ngo_x.pk}",
                         {"city": "Tver", "organisation_type": "aliens"})

    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["organisation_type"]
    ngo_x.refresh_from_db()
    assert ngo_x.city == ""


def test_an_administrator_deletes_an_organisation_with_its_services(api_as, ngo_y, lawyers):
    response = api_as("administrator").delete(f"/api/v1/organisations/{ngo_y.pk}")

    assert response.status_code == 409  # the persona partner_user_y belongs to it
    assert Organisation.objects.filter(pk=ngo_y.pk).exists()

    lonely = Organisation.objects.create(name="Lonely", organisation_type=OrganisationType.NGO)
    Service.objects.create(organization=lonely, name="Something")
    assert api_as("administrator").delete(f"/api/v1/organisations/{lonely.pk}").status_code == 200
    assert not Organisation.objects.filter(pk=lonely.pk).exists()
    assert not Service.objects.filter(name="Something").exists()


def test_an_organisation_with_referrals_is_kept(api_as, users, office, shelter, ngo_x):
    lonely = Organisation.objects.create(name="Referred to", organisation_type=OrganisationType.NGO)
    Referral.objects.create(reference="CT-2026-00001", organisation=lonely, programme=Programme.COUNTER_TRAFFICKING,
                            office=office)
    before = last_event_id()

    response = api_as("administrator").delete(f"/api/v1/organisations/{lonely.pk}")

    assert response.status_code == 409
    assert "inactive" in response.json()["detail"]
    assert Organisation.objects.filter(pk=lonely.pk).exists()
    assert not AuditEvent.objects.filter(pk__gt=before, action=Action.DELETE).exists()


# --- Writing: services ----------------------------------------------------------------------
def test_an_administrator_adds_a_service_with_its_types(api_as, ngo_x):
    response = json_call(api_as("administrator"), "post", "/api/v1/services", {
        "organization": str(ngo_x.pk), "name": "Children's shelter", "service_types": ["shelter"],
        "minimum_age": 0, "maximum_age": 17, "capacity": 8, "available": 8, "accepts_nationalities": ["uz", "TJ"],
    })

    assert response.status_code == 201
    body = response.json()
    assert body["service_types"] == ["shelter"]
    assert body["accepts"] == "Children, 0\N{EN DASH}17, citizens of Uzbekistan, Tajikistan"
    service = Service.objects.get(pk=body["id"])
    assert service.accepts_nationalities == ["UZ", "TJ"]
    assert service.availability_updated_at is not None


def test_a_refused_service_names_every_field_and_saves_nothing(api_as, ngo_x):
    response = json_call(api_as("administrator"), "post", "/api/v1/services", {
        "organization": str(ngo_x.pk), "name": "", "service_types": ["teleportation"], "minimum_age": 18,
        "maximum_age": 10, "capacity": 5, "available": 6, "accepts_sexes": ["Q"], "status": "sleeping",
    })

    assert response.status_code == 422
    errors = response.json()["errors"]
    assert {"name", "maximum_age", "available", "accepts_sexes", "status"} <= set(errors)
    assert not Service.objects.exists()


def test_a_service_for_an_unknown_organisation_is_refused(api_as):
    response = json_call(api_as("administrator"), "post", "/api/v1/services",
                         {"organization": str(uuid.uuid4()), "name": "Orphan"})

    assert response.status_code == 422
    assert "organization" in response.json()["errors"]


def test_unknown_service_types_are_refused_on_change(api_as, shelter):
    response = json_call(api_as("administrator"), "patch", f"/api/v1/services/{shelter.pk}",
                         {"service_types": ["teleportation"], "name": "Renamed"})

    assert response.status_code == 422
    assert "service_types" in response.json()["errors"]
    shelter.refresh_from_db()
    assert shelter.name == "Приют для женщин"
    assert taxonomy.service_types_of(shelter) == ["shelter", "psychological_help"]


def test_an_administrator_changes_a_service(api_as, shelter):
    before = last_event_id()

    response = json_call(api_as("administrator"), "patch", f"/api/v1/services/{shelter.pk}",
                         {"available": 0, "service_types": ["shelter"], "accepts_sexes": None})

    assert response.status_code == 200
    body = response.json()
    assert (body["available"], body["service_types"], body["accepts_sexes"]) == (0, ["shelter"], [])
    event = AuditEvent.objects.get(pk__gt=before, action=Action.UPDATE)
    assert set(event.changes) == {"available", "service_types", "accepts_sexes"}


def test_an_administrator_deletes_a_service(api_as, shelter):
    response = api_as("administrator").delete(f"/api/v1/services/{shelter.pk}")

    assert response.status_code == 200
    assert not Service.objects.filter(pk=shelter.pk).exists()
    assert not taxonomy.services_of_type("shelter").exists()
