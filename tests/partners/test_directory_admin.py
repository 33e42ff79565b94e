"""The directory in the back office: every table reachable, acceptance lists as choices, types from the
taxonomy, inline rows audited."""

import pytest
from django.urls import reverse

from waypoint.accounts.models import Role
from waypoint.audit.models import Action, AuditEvent
from waypoint.partners import taxonomy
from waypoint.partners.models import Location, Organisation, Phone, Schedule, Service

pytestmark = pytest.mark.django_db

DIRECTORY_TABLES = [
    "organisation", "service", "location", "contact", "phone", "agreement", "taxonomy", "taxonomyterm", "attribute",
    "schedule", "language", "serviceatlocation", "program", "organizationidentifier", "servicearea", "costoption",
    "requireddocument", "funding", "address", "accessibility", "metadata", "metatabledescription",
]


@pytest.fixture
def admin_client(users, client_for):
    return client_for(users[Role.ADMINISTRATOR])


@pytest.fixture
def shelter(ngo_x):
    return Service.objects.create(organization=ngo_x, name="Shelter", accepts_sexes=["F"], capacity=10, available=3)


def last_event_id() -> int:
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


@pytest.mark.parametrize("table", DIRECTORY_TABLES)
def test_every_directory_table_has_a_list_and_an_add_page(admin_client, table):
    assert admin_client.get(f"/admin/partners/{table}/").status_code == 200
    assert admin_client.get(f"/admin/partners/{table}/add/").status_code == 200


@pytest.mark.parametrize("table", ["service", "location", "agreement"])
def test_directory_tables_stay_closed_to_everyone_else(users, client_for, table):
    for persona in ("case_worker", "partner_user", "programme_manager"):
        response = client_for(users[persona]).get(f"/admin/partners/{table}/")
        assert response.status_code == 302


def test_the_organisation_page_edits_its_details_inline(admin_client, ngo_x, shelter):
    content = admin_client.get(reverse("admin:partners_organisation_change", args=[ngo_x.pk])).content.decode()

    for inline in ("services-TOTAL_FORMS", "locations-TOTAL_FORMS", "contacts-TOTAL_FORMS", "phones-TOTAL_FORMS",
                   "agreements-TOTAL_FORMS", "identifiers-TOTAL_FORMS"):
        assert inline in content, inline
    assert "Shelter" in content


def test_who_a_service_accepts_is_ticked_not_typed_as_json(admin_client, shelter):
    content = admin_client.get(reverse("admin:partners_service_change", args=[shelter.pk])).content.decode()

    assert 'type="checkbox" name="accepts_sexes" value="F"' in content
    assert 'name="accepts_sexes" value="F" id="id_accepts_sexes_0" checked' in content
    assert 'type="checkbox" name="accepts_exploitation_types" value="labour"' in content
    assert '<select name="accepts_nationalities"' in content
    assert 'type="checkbox" name="service_types" value="shelter"' in content
    assert "schedules-TOTAL_FORMS" in content
    assert "languages-TOTAL_FORMS" in content


def _service_form(shelter, **changes):
    data = {
        "organization": str(shelter.organization_id), "name": shelter.name, "status": "active",
        "accepting_referrals": "on", "capacity": "10", "available": "3", "accepts_sexes": ["F"],
        "service_types": ["shelter"],
    }
    for prefix in ("schedules", "languages", "phones", "contacts", "service_areas", "service_at_locations",
                   "required_documents", "cost_options"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    data.update(changes)
    return data


def test_saving_a_service_in_the_back_office_sets_its_types_and_acceptance(admin_client, shelter):
    data = _service_form(shelter, accepts_sexes=["F", "X"], accepts_exploitation_types=["sexual", "labour"],
                         accepts_nationalities=["UZ", "TJ"], service_types=["shelter", "medical_care"], available="1")
    data.update({"languages-TOTAL_FORMS": "1", "languages-0-code": "uz", "languages-0-name": "Uzbek"})
    before = last_event_id()

    response = admin_client.post(reverse("admin:partners_service_change", args=[shelter.pk]), data)

    assert response.status_code == 302, response.content.decode()[:3000]
    shelter.refresh_from_db()
    assert shelter.accepts_sexes == ["F", "X"]
    assert shelter.accepts_exploitation_types == ["sexual", "labour"]
    assert shelter.accepts_nationalities == ["UZ", "TJ"]
    assert shelter.available == 1
    assert shelter.availability_updated_at is not None
    assert taxonomy.service_types_of(shelter) == ["shelter", "medical_care"]
    assert list(shelter.languages.values_list("code", flat=True)) == ["uz"]
    events = AuditEvent.objects.filter(pk__gt=before)
    assert events.filter(action=Action.CREATE, object_type="partners.language").exists()
    assert events.filter(
        action=Action.UPDATE, object_type="partners.service", changes__has_key="service_types").exists()


def test_the_back_office_refuses_more_free_places_than_capacity(admin_client, shelter):
    response = admin_client.post(reverse("admin:partners_service_change", args=[shelter.pk]),
                                 _service_form(shelter, available="11"))

    assert response.status_code == 200
    assert "cannot exceed the capacity" in response.content.decode()
    shelter.refresh_from_db()
    assert shelter.available == 3


def test_removing_an_inline_row_is_audited(admin_client, ngo_x):
    location = Location.objects.create(organization=ngo_x, location_type="physical", name="Office")
    phone = Phone.objects.create(location=location, number="+7 495 000-00-00")
    Schedule.objects.create(location=location, byday="MO")
    data = {"location_type": "physical", "organization": str(ngo_x.pk), "name": "Office"}
    for prefix in ("addresses", "phones", "schedules", "languages", "accessibility"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    data.update({"phones-TOTAL_FORMS": "1", "phones-INITIAL_FORMS": "1", "phones-0-id": str(phone.pk),
                 "phones-0-location": str(location.pk), "phones-0-number": phone.number, "phones-0-DELETE": "on"})
    before = last_event_id()

    response = admin_client.post(reverse("admin:partners_location_change", args=[location.pk]), data)

    assert response.status_code == 302, response.content.decode()[:3000]
    assert not Phone.objects.filter(pk=phone.pk).exists()
    assert AuditEvent.objects.filter(pk__gt=before, action=Action.DELETE, object_type="partners.phone",
                                     object_id=str(phone.pk)).exists()


def test_an_organisations_country_is_chosen_from_a_list(admin_client, ngo_x):
    content = admin_client.get(reverse("admin:partners_organisation_change", args=[ngo_x.pk])).content.decode()

    assert '<select name="country"' in content
    assert Organisation.objects.get(pk=ngo_x.pk).country == ""
