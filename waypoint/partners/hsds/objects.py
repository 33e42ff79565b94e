"""The directory as HSDS 3.0 objects, nested as HSDS's compiled schemas nest them (for the HSDA API).

Each object is the table row in its JSON form (`export.json_row`) with its details in arrays: a service
with its phones, schedules, locations...; attributes carry their taxonomy term, which carries its
taxonomy. Waypoint's own fields appear as attributes of Waypoint's taxonomies, as in the export.
Only what the export would publish is shown: active organisations and what hangs off them.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.db.models import Model, Q, QuerySet

from ..models import (
    Attribute,
    Contact,
    Location,
    Metadata,
    Organisation,
    Phone,
    Service,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)
from . import export, extensions, spec


def row(obj: Model) -> dict:
    table = spec.BY_MODEL[type(obj)]
    values = export._row(table, obj)
    if isinstance(obj, Organisation) and obj.parent_organization_id is not None and not Organisation.objects.filter(
        pk=obj.parent_organization_id, is_active=True
    ).exists():
        values["parent_organization_id"] = None  # as in the export: an inactive organisation is not named
    return export.json_row(table, values)


def _rows(objects: Iterable[Model]) -> list[dict]:
    return [row(obj) for obj in sorted(objects, key=lambda obj: str(obj.pk))]


# --- Taxonomies ---------------------------------------------------------------------------------------
def taxonomy_object(taxonomy: Taxonomy | dict) -> dict:
    if isinstance(taxonomy, dict):
        return export.json_row(spec.BY_NAME["taxonomy"], taxonomy)
    return row(taxonomy)


def term_object(term: TaxonomyTerm | dict) -> dict:
    """A term with its taxonomy (`taxonomy_detail`), as an attribute carries it."""
    if isinstance(term, dict):
        result = export.json_row(spec.BY_NAME["taxonomy_term"], term)
        extension = extensions.TAXONOMY_IDS[term["taxonomy_id"]]
        result["taxonomy_detail"] = taxonomy_object(extensions.taxonomy_row(extension))
        return result
    result = row(term)
    if term.taxonomy_detail_id is not None:
        result["taxonomy_detail"] = taxonomy_object(term.taxonomy_detail)
    return result


def waypoint_term(term_id: uuid.UUID) -> dict:
    extension, code = extensions.TERMS[term_id]
    return extensions.term_row(extension, code)


def _attribute_object(values: dict, term: TaxonomyTerm | dict) -> dict:
    result = export.json_row(spec.BY_NAME["attribute"], values)
    result["taxonomy_term"] = term_object(term)
    return result


def attributes(entity: str, obj: Model) -> list[dict]:
    """The attributes of a row: those stored, then Waypoint's own fields of organisations and services."""
    table = spec.BY_NAME["attribute"]
    stored = (
        Attribute.objects.filter(link_entity=entity, link_id=obj.pk)
        .exclude(taxonomy_term_id__in=list(extensions.TERMS))
        .select_related("taxonomy_term__taxonomy_detail")
        .order_by("pk")
    )
    found = [_attribute_object(export._row(table, attribute), attribute.taxonomy_term) for attribute in stored]
    own: list[dict] = []
    if isinstance(obj, Organisation):
        own = extensions.organisation_attributes(obj)
    elif isinstance(obj, Service):
        own = extensions.service_attributes(obj)
    found += [_attribute_object(values, waypoint_term(values["taxonomy_term_id"])) for values in own]
    return found


def metadata(entity: str, obj: Model) -> list[dict]:
    return _rows(Metadata.objects.filter(resource_type=entity, resource_id=obj.pk))


def _with_details(entity: str, obj: Model, result: dict) -> dict:
    result["attributes"] = attributes(entity, obj)
    result["metadata"] = metadata(entity, obj)
    return result


def _detail_rows(entity: str, objects: Iterable[Model]) -> list[dict]:
    return [_with_details(entity, obj, row(obj)) for obj in sorted(objects, key=lambda obj: str(obj.pk))]


# --- Locations, contacts, phones ------------------------------------------------------------------------
def phone_object(phone: Phone) -> dict:
    result = row(phone)
    result["languages"] = _detail_rows("language", phone.languages.all())
    return _with_details("phone", phone, result)


def contact_object(contact: Contact) -> dict:
    result = row(contact)
    result["phones"] = [phone_object(phone) for phone in _sorted(contact.phones.all())]
    return _with_details("contact", contact, result)


def location_object(location: Location) -> dict:
    result = row(location)
    result["languages"] = _detail_rows("language", location.languages.all())
    result["addresses"] = _detail_rows("address", location.addresses.all())
    result["contacts"] = [contact_object(contact) for contact in _sorted(location.contacts.all())]
    result["accessibility"] = _detail_rows("accessibility", location.accessibility.all())
    result["phones"] = [phone_object(phone) for phone in _sorted(location.phones.all())]
    result["schedules"] = _detail_rows("schedule", location.schedules.all())
    return _with_details("location", location, result)


def _sorted(queryset: QuerySet) -> list[Model]:
    return sorted(queryset, key=lambda obj: str(obj.pk))


# --- Services -------------------------------------------------------------------------------------------
def service_at_location_object(link: ServiceAtLocation, *, with_service: bool = True) -> dict:
    result = row(link)
    result["contacts"] = [contact_object(contact) for contact in _sorted(link.contacts.all())]
    result["phones"] = [phone_object(phone) for phone in _sorted(link.phones.all())]
    result["schedules"] = _detail_rows("schedule", link.schedules.all())
    if link.location is not None:
        result["location"] = location_object(link.location)
    result = _with_details("service_at_location", link, result)
    if with_service and link.service is not None:
        result["service"] = service_list_object(link.service)
    return result


def service_at_location_list_object(link: ServiceAtLocation) -> dict:
    result = row(link)
    if link.location is not None:
        result["location"] = row(link.location)
    if link.service is not None:
        result["service"] = service_list_object(link.service)
    return result


def service_list_object(service: Service) -> dict:
    """The one-to-one fields of a service, with its organisation and programme (`compiled/service_list`)."""
    result = row(service)
    result["organization"] = row(service.organization)
    if service.program is not None:
        result["program"] = row(service.program)
    return result


# A location is published with a service only while its organisation (if any) is an active partner: the
# address of a closed NGO's shelter must not stay readable through the services that used it.
PUBLISHED_LOCATION = Q(location__organization__isnull=True) | Q(location__organization__is_active=True)


def service_object(service: Service, *, with_organization: bool = True) -> dict:
    """A service with everything about it (`compiled/service.json`)."""
    result = row(service)
    result["phones"] = [phone_object(phone) for phone in _sorted(service.phones.all())]
    result["schedules"] = _detail_rows("schedule", service.schedules.all())
    result["service_areas"] = _detail_rows("service_area", service.service_areas.all())
    result["service_at_locations"] = [
        service_at_location_object(link, with_service=False)
        for link in _sorted(service.service_at_locations.filter(PUBLISHED_LOCATION))
    ]
    result["languages"] = _detail_rows("language", service.languages.all())
    if with_organization:
        result["organization"] = _with_details("organization", service.organization, row(service.organization))
    result["funding"] = _detail_rows("funding", service.funding.all())
    result["cost_options"] = _detail_rows("cost_option", service.cost_options.all())
    if service.program is not None:
        result["program"] = _with_details("program", service.program, row(service.program))
    result["required_documents"] = _detail_rows("required_document", service.required_documents.all())
    result["contacts"] = [contact_object(contact) for contact in _sorted(service.contacts.all())]
    return _with_details("service", service, result)


# --- Organisations --------------------------------------------------------------------------------------
def organization_object(organisation: Organisation, services: Iterable[Service], *, full_service: bool = False) -> dict:
    """An organisation with its details and services (`compiled/organization.json`); the services are
    given by their one-to-one fields unless `full_service`."""
    result = row(organisation)
    result["funding"] = _detail_rows("funding", organisation.funding.all())
    result["contacts"] = [contact_object(contact) for contact in _sorted(organisation.contacts.all())]
    result["phones"] = [phone_object(phone) for phone in _sorted(organisation.phones.all())]
    result["locations"] = [location_object(location) for location in _sorted(organisation.locations.all())]
    result["programs"] = _detail_rows("program", organisation.programs.all())
    result["organization_identifiers"] = _detail_rows("organization_identifier", organisation.identifiers.all())
    result = _with_details("organization", organisation, result)
    result["services"] = [
        service_object(service, with_organization=False) if full_service else row(service)
        for service in _sorted(services)
    ]
    return result
