"""Service types as an HSDS taxonomy: terms attached to services by attributes."""

import pytest
from django.core.exceptions import ValidationError

from waypoint.partners import taxonomy
from waypoint.partners.models import Attribute, OrganisationType, Service, Taxonomy, TaxonomyTerm

pytestmark = pytest.mark.django_db


@pytest.fixture
def service(ngo_x):
    return Service.objects.create(organization=ngo_x, name="Shelter")


def test_the_service_types_are_created_once_however_often_asked():
    taxonomy.ensure_service_types()
    taxonomy.ensure_service_types()

    assert Taxonomy.objects.filter(name="Waypoint service types").count() == 1
    terms = TaxonomyTerm.objects.filter(taxonomy_detail_id=taxonomy.SERVICE_TYPES_ID)
    codes = set(terms.values_list("code", flat=True))
    assert codes == set(taxonomy.SERVICE_TYPES)
    assert {"shelter", "legal_aid", "psychological_help", "medical_care", "hotline", "return_assistance"} <= codes


def test_term_ids_are_the_same_on_every_installation():
    """Derived from the codes: another Waypoint's export names the same term with the same id."""
    taxonomy.ensure_service_types()

    shelter = TaxonomyTerm.objects.get(taxonomy_detail_id=taxonomy.SERVICE_TYPES_ID, code="shelter")
    assert shelter.id == taxonomy.term_id("service-types", "shelter")
    assert str(shelter.id) == "96546133-26f6-51a9-8db2-bee279c7c910"  # pinned: changing it breaks exchanges


def test_an_administrators_edit_of_a_term_survives_ensuring_again():
    taxonomy.ensure_service_types()
    TaxonomyTerm.objects.filter(code="shelter").update(description="Beds for victims, edited")

    taxonomy.ensure_service_types()

    assert TaxonomyTerm.objects.get(code="shelter").description == "Beds for victims, edited"


def test_a_service_gets_exactly_the_types_it_is_given(service):
    taxonomy.set_service_types(service, ["shelter", "medical_care"])
    assert taxonomy.service_types_of(service) == ["shelter", "medical_care"]

    before = taxonomy.set_service_types(service, ["medical_care", "legal_aid"])

    assert before == ["shelter", "medical_care"]
    assert taxonomy.service_types_of(service) == ["legal_aid", "medical_care"]
    assert Attribute.objects.filter(link_id=service.id, link_entity="service").count() == 2


def test_unknown_types_are_refused_and_nothing_changes(service):
    taxonomy.set_service_types(service, ["shelter"])

    with pytest.raises(ValidationError) as refused:
        taxonomy.set_service_types(service, ["legal_aid", "teleportation"])

    assert "teleportation" in str(refused.value.message_dict["service_types"])
    assert taxonomy.service_types_of(service) == ["shelter"]


def test_services_of_a_type_are_found(ngo_x, service):
    lawyers = Service.objects.create(organization=ngo_x, name="Lawyers")
    taxonomy.set_service_types(service, ["shelter"])
    taxonomy.set_service_types(lawyers, ["legal_aid", "shelter"])

    assert set(taxonomy.services_of_type("shelter")) == {service, lawyers}
    assert list(taxonomy.services_of_type("legal_aid")) == [lawyers]
    assert not taxonomy.services_of_type("hotline").exists()


def test_types_of_many_services_come_in_one_query(ngo_x, service, django_assert_num_queries):
    other = Service.objects.create(organization=ngo_x, name="Other")
    taxonomy.set_service_types(service, ["hotline", "shelter"])

    with django_assert_num_queries(1):
        found = taxonomy.types_by_service([service.id, other.id])

    assert found == {service.id: ["shelter", "hotline"]}


def test_attributes_of_another_taxonomy_are_not_service_types(service):
    other = Taxonomy.objects.create(name="Someone else's", description="x")
    term = TaxonomyTerm.objects.create(name="Shelter", code="shelter", description="x", taxonomy_detail=other)
    Attribute.objects.create(link_id=service.id, link_entity="service", taxonomy_term=term)

    assert taxonomy.service_types_of(service) == []
    assert not taxonomy.services_of_type("shelter").exists()


def test_organisation_types_are_a_taxonomy_too():
    taxonomy.ensure_organisation_types()
    taxonomy.ensure_organisation_types()

    terms = TaxonomyTerm.objects.filter(taxonomy_detail_id=taxonomy.ORGANISATION_TYPES_ID)
    assert terms.count() == len(OrganisationType)
    assert terms.filter(code="ngo").exists()


def test_labels_are_translated_and_unknown_codes_shown_as_they_are():
    from django.utils import translation

    with translation.override("en"):
        assert taxonomy.service_type_label("legal_aid") == "Legal aid"
    assert taxonomy.service_type_label("made_up") == "made_up"
    assert [code for code, _label in taxonomy.service_type_choices()] == list(taxonomy.SERVICE_TYPES)
