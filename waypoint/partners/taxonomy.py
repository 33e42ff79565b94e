"""Waypoint's own taxonomies in the directory, the HSDS way: terms attached to objects by `Attribute`.

Service types ("shelter", "legal_aid"...) are terms of the taxonomy "Waypoint service types"; a
service has a type when an attribute links its id to the term (``link_entity="service"``).
Organisation types are kept as a taxonomy too, so that an HSDS export can carry them as attributes of
organisations.

The codes below are stable: the HSDS export writes them, the demo and other directories read them.
Taxonomy and term ids are derived from the codes (UUID 5), so that every Waypoint installation gives
the same term the same id, and a datapackage exported by one is understood by another.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Attribute, OrganisationType, Service, Taxonomy, TaxonomyTerm

# A fixed namespace: the ids of Waypoint's taxonomies and terms are uuid5(NAMESPACE, "<taxonomy>/<code>").
NAMESPACE = uuid.UUID("6f1c2a8e-4b9d-5e37-9a0c-2d5b7e3f1a64")
TAXONOMY_URI = "https://waypoint.example/taxonomies/"

SERVICE_ENTITY = "service"
ORGANISATION_ENTITY = "organization"

SERVICE_TYPES_KEY = "service-types"
ORGANISATION_TYPES_KEY = "organisation-types"

# code -> (English name as stored and exported, translated label, description)
SERVICE_TYPES: dict[str, tuple[str, object, str]] = {
    "shelter": ("Shelter", gettext_lazy("Shelter"),
                "Temporary accommodation: shelters, crisis centres, safe houses."),
    "legal_aid": ("Legal aid", gettext_lazy("Legal aid"),
                  "Legal counselling and representation, including in criminal proceedings."),
    "psychological_help": ("Psychological help", gettext_lazy("Psychological help"),
                           "Psychological counselling, crisis intervention, therapy."),
    "medical_care": ("Medical care", gettext_lazy("Medical care"),
                     "Medical examination and treatment, including TB and HIV care."),
    "hotline": ("Hotline", gettext_lazy("Hotline"),
                "Telephone hotlines and information-consultation lines."),
    "social_support": ("Social support", gettext_lazy("Social support"),
                       "Social counselling, material assistance, case management."),
    "return_assistance": ("Return assistance", gettext_lazy("Return assistance"),
                          "Assisted voluntary return: travel, escorts, reception in the home country."),
    "documents_migration": ("Documents and migration status", gettext_lazy("Documents and migration status"),
                            "Travel and identity documents, residence and work permits, citizenship."),
    "employment": ("Employment", gettext_lazy("Employment"), "Job placement and labour rights."),
    "education_training": ("Education and training", gettext_lazy("Education and training"),
                           "Schooling, vocational training, courses."),
    "interpretation": ("Interpretation", gettext_lazy("Interpretation"), "Interpreting and translation."),
    "reintegration": ("Reintegration", gettext_lazy("Reintegration"),
                      "Reintegration grants, small business support, follow-up after return."),
    "other": ("Other", gettext_lazy("Other service"), "Any other kind of service."),
}


def taxonomy_id(key: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, key)


def term_id(key: str, code: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"{key}/{code}")


SERVICE_TYPES_ID = taxonomy_id(SERVICE_TYPES_KEY)
ORGANISATION_TYPES_ID = taxonomy_id(ORGANISATION_TYPES_KEY)


def _ensure(key: str, name: str, description: str, terms: Iterable[tuple[str, str, str]]) -> Taxonomy:
    """Create the taxonomy and its terms where missing; what an administrator edited is left alone."""
    taxonomy, _created = Taxonomy.objects.get_or_create(
        id=taxonomy_id(key),
        defaults={"name": name, "description": description, "uri": TAXONOMY_URI + key, "version": "1"},
    )
    existing = set(TaxonomyTerm.objects.filter(taxonomy_detail=taxonomy).values_list("code", flat=True))
    TaxonomyTerm.objects.bulk_create([
        TaxonomyTerm(
            id=term_id(key, code), code=code, name=term_name, description=term_description,
            taxonomy=name, taxonomy_detail=taxonomy, language="en", term_uri=f"{TAXONOMY_URI}{key}/{code}",
        )
        for code, term_name, term_description in terms
        if code not in existing
    ])
    return taxonomy


@transaction.atomic
def ensure_service_types() -> Taxonomy:
    """The service types taxonomy with all its terms; safe to call any number of times."""
    return _ensure(
        SERVICE_TYPES_KEY, "Waypoint service types", "Kinds of services offered by partner organisations.",
        ((code, name, description) for code, (name, _label, description) in SERVICE_TYPES.items()),
    )


@transaction.atomic
def ensure_organisation_types() -> Taxonomy:
    """The organisation types (`OrganisationType`) as a taxonomy, for exporting them as attributes."""
    return _ensure(
        ORGANISATION_TYPES_KEY, "Waypoint organisation types", "Kinds of partner organisations.",
        ((choice.value, str(choice.label), str(choice.label)) for choice in OrganisationType),
    )


def service_type_label(code: str) -> str:
    """The translated name of a service type; an unknown code is shown as it is."""
    entry = SERVICE_TYPES.get(code)
    return str(entry[1]) if entry else code


def service_type_choices() -> list[tuple[str, str]]:
    """(code, translated label) in the order above, for filters and forms."""
    return [(code, str(label)) for code, (_name, label, _description) in SERVICE_TYPES.items()]


def _type_attributes() -> QuerySet[Attribute]:
    return Attribute.objects.filter(link_entity=SERVICE_ENTITY, taxonomy_term__taxonomy_detail_id=SERVICE_TYPES_ID)


def service_types_of(service: Service) -> list[str]:
    """The codes of the service's types, in the taxonomy's order."""
    found = set(_type_attributes().filter(link_id=service.id).values_list("taxonomy_term__code", flat=True))
    return [code for code in SERVICE_TYPES if code in found]


def types_by_service(service_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, list[str]]:
    """The type codes of many services in one query: {service id: [codes]}, for lists and pages."""
    found: dict[uuid.UUID, set[str]] = {}
    rows = _type_attributes().filter(link_id__in=list(service_ids)).values_list("link_id", "taxonomy_term__code")
    for link_id, code in rows:
        found.setdefault(link_id, set()).add(code)
    return {service_id: [code for code in SERVICE_TYPES if code in codes] for service_id, codes in found.items()}


def service_ids_of_type(code: str) -> QuerySet:
    """A subquery of the ids of services of one type, to filter services or organisations with."""
    return _type_attributes().filter(taxonomy_term__code=code).values("link_id")


def services_of_type(code: str) -> QuerySet[Service]:
    return Service.objects.filter(id__in=service_ids_of_type(code))


@transaction.atomic
def set_service_types(service: Service, codes: Iterable[str]) -> list[str]:
    """Make the service's types exactly `codes`; unknown codes are refused and nothing changes.

    Returns the codes the service had before, for the audit trail.
    """
    wanted = list(dict.fromkeys(str(code) for code in codes))
    unknown = [code for code in wanted if code not in SERVICE_TYPES]
    if unknown:
        raise ValidationError({"service_types": _("Unknown service type: %(codes)s.") % {"codes": ", ".join(unknown)}})
    ensure_service_types()
    before = service_types_of(service)
    _type_attributes().filter(link_id=service.id).exclude(taxonomy_term__code__in=wanted).delete()
    terms = TaxonomyTerm.objects.filter(taxonomy_detail_id=SERVICE_TYPES_ID, code__in=set(wanted) - set(before))
    Attribute.objects.bulk_create([
        Attribute(link_id=service.id, link_entity=SERVICE_ENTITY, taxonomy_term=term) for term in terms
    ])
    return before
