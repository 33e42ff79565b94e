"""The demo directory: the seeds' kinds of partners, loaded twice without doubling anything."""

import io

import pytest

from waypoint.accounts import demo as accounts_demo
from waypoint.partners import demo, taxonomy
from waypoint.partners.eligibility import refusal_reasons
from waypoint.partners.models import (
    Agreement,
    Contact,
    Language,
    Organisation,
    OrganisationType,
    Phone,
    Schedule,
    Service,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded():
    demo.load(io.StringIO())


def counts():
    return {model.__name__: model.objects.count() for model in (Organisation, Service, Agreement, Phone, Schedule,
                                                                   Language)}


def test_the_demo_has_every_kind_of_partner_the_seeds_name(loaded):
    assert 40 <= Organisation.objects.count() <= 60
    kinds = set(Organisation.objects.values_list("organisation_type", flat=True))
    assert kinds == set(OrganisationType.values) - {OrganisationType.OTHER}
    cities = set(Organisation.objects.values_list("city", flat=True))
    assert {"Moscow", "St Petersburg", "Astrakhan", "Petrozavodsk", "Tirana", "Vienna", "Chisinau"} <= cities


def test_loading_again_changes_nothing(loaded):
    before = counts()

    demo.load(io.StringIO())

    assert counts() == before


def test_a_partners_own_availability_survives_a_reload(loaded):
    shelter = Service.objects.get(name="Shelter for women victims of trafficking")
    Service.objects.filter(pk=shelter.pk).update(available=7)

    demo.load(io.StringIO())

    shelter.refresh_from_db()
    assert shelter.available == 7


def test_the_organisations_other_demo_data_name_are_there(loaded):
    """The demo partner user belongs to an organisation found by name."""
    for *_fields, organisation in accounts_demo.USERS:
        if organisation:
            assert Organisation.objects.filter(name=organisation).exists()
    for name in ["Federal Migration Service", "General Prosecutor's Office", "St Petersburg Red Cross",
                 "World Health Organization, Moscow office", "IOM Tirana", "Embassy of Tajikistan", "Caritas Austria"]:
        assert Organisation.objects.filter(name=name).exists(), name


def test_shelters_accept_as_a_shelter_would(loaded):
    women = Service.objects.get(name="Shelter for women victims of trafficking")
    children = Service.objects.get(name="Shelter for children")

    assert refusal_reasons(women, sex="F", age=25, exploitation_type="sexual") == []
    assert refusal_reasons(women, sex="M")
    assert refusal_reasons(women, age=16)
    assert refusal_reasons(children, age=10) == []
    assert refusal_reasons(children, age=19)
    assert women.capacity
    assert women.available is not None
    assert women.availability_updated_at


def test_every_service_has_types_languages_hours_and_a_phone(loaded):
    types = taxonomy.types_by_service(Service.objects.values_list("id", flat=True))
    for service in Service.objects.all():
        assert types.get(service.id), service.name
        assert service.languages.exists(), service.name
        assert service.schedules.exists(), service.name
        assert service.phones.exists(), service.name


def test_ngos_offer_services_men_can_be_referred_to(loaded):
    """The referral demo pairs callers of both sexes with NGO services that would take them."""
    ngo_services = Service.objects.filter(organization__organisation_type=OrganisationType.NGO)
    assert any(not refusal_reasons(s, sex="M", age=30, nationality="UZ") for s in ngo_services)
    assert any(not refusal_reasons(s, sex="F", age=30, nationality="UZ") for s in ngo_services)


def test_agreements_are_in_force_expired_or_ending(loaded):
    from django.utils import timezone

    today = timezone.localdate()
    agreements = list(Agreement.objects.all())
    assert any(a.valid_until < today for a in agreements)
    assert any(a.valid_until >= today for a in agreements)


def test_the_hours_notation_is_read_as_weekdays_and_times():
    byday, opens, closes = demo.parse_hours("MO-FR 09:00-18:00")
    assert byday == "MO,TU,WE,TH,FR"
    assert (opens.hour, closes.hour) == (9, 18)
    assert demo.parse_hours("TU,TH-SA 10:00-17:00")[0] == "TU,TH,FR,SA"
    with pytest.raises(ValueError, match="not understood"):
        demo.parse_hours("weekdays 9-6")


def test_every_demo_row_passes_the_validation_an_import_applies(loaded):
    # The demo directory is exported as HSDS and must import again: an e-mail such as
    # "info@centre-.example" would stop that round trip.
    for model in (Organisation, Service, Contact):
        for row in model.objects.all():
            row.full_clean(validate_unique=False, validate_constraints=False)
