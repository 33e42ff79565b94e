"""Waypoint's own fields in an HSDS datapackage: attributes linked to terms of Waypoint's taxonomies.

HSDS has no column for an organisation's type or region, nor for whom a service accepts and how many
places it has free. The export writes each as an `attribute` row linking the organisation or service to a
term of one of the taxonomies below (and, where the field holds a number, a date or text, the value in
`attribute.value`); the package stays valid HSDS, another directory sees ordinary taxonomy terms, and
Waypoint's import turns the attributes back into the fields.

These taxonomies are not stored as rows: they are written from the model fields at every export (so a
datapackage never disagrees with the directory) and recognised by their ids at import. Ids are UUID 5 of
"<taxonomy>/<code>" in the namespace of `partners.taxonomy`, as the service types are: every Waypoint
gives the same term the same id. Term codes are written "<taxonomy>/<code>" so that they are unique across
taxonomies, as HSDS's data package asks.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

import pycountry
from django.utils.translation import gettext as _

from waypoint.people.codes import COUNTRY_CODES
from waypoint.people.models import Sex

from .. import taxonomy
from ..models import ExploitationType, Organisation, OrganisationType, Service

ORGANIZATION, SERVICE = "organization", "service"

ORGANISATION_TYPES = taxonomy.ORGANISATION_TYPES_KEY
ORGANISATION_PLACES = "organisation-places"
ACCEPTED_SEXES = "accepted-sexes"
ACCEPTED_NATIONALITIES = "accepted-nationalities"
ACCEPTED_EXPLOITATION = "accepted-exploitation-types"
SERVICE_AVAILABILITY = "service-availability"

# Terms whose attribute carries a value, and the model field it restores.
COUNTRY, REGION, CITY = "country", "region", "city"
ACCEPTING, CAPACITY, AVAILABLE = "accepting-referrals", "capacity", "available"
AVAILABILITY_UPDATED = "availability-updated"

SEX_NAMES = {Sex.FEMALE: ("Female", "Accepts women and girls."), Sex.MALE: ("Male", "Accepts men and boys."),
             Sex.OTHER: ("Other sex", "Accepts people of another sex.")}
EXPLOITATION_NAMES = {
    ExploitationType.SEXUAL: "Sexual exploitation", ExploitationType.LABOUR: "Forced labour",
    ExploitationType.DOMESTIC: "Domestic servitude", ExploitationType.BEGGING: "Forced begging",
    ExploitationType.CRIMINAL: "Forced criminal activity", ExploitationType.MARRIAGE: "Forced marriage",
    ExploitationType.ORGANS: "Organ removal", ExploitationType.OTHER: "Other exploitation",
}
ORGANISATION_TYPE_NAMES = {
    OrganisationType.GOVERNMENT: "Government authority", OrganisationType.LAW_ENFORCEMENT: "Law enforcement",
    OrganisationType.PROSECUTION: "Prosecutor's office or court",
    OrganisationType.HEALTH: "Public health institution", OrganisationType.SOCIAL: "Social support institution",
    OrganisationType.NGO: "Non-governmental organisation", OrganisationType.INTERNATIONAL: "International organisation",
    OrganisationType.DIPLOMATIC: "Embassy or consulate", OrganisationType.MISSION: "Mission of the organisation abroad",
    OrganisationType.RELIGIOUS: "Religious structure", OrganisationType.MEDIA: "Journalists and media",
    OrganisationType.DONOR: "Donor", OrganisationType.ACADEMIC: "Academic institution", OrganisationType.OTHER: "Other",
}


def _english(names: dict, choice) -> str:
    """The English name written for a choice; a choice added later without one is named from its code."""
    return names.get(choice) or str(choice.value).replace("_", " ").capitalize()


@dataclass(frozen=True)
class Extension:
    """One Waypoint taxonomy: which table its attributes link to and what they say."""

    key: str
    name: str
    description: str
    entity: str
    link_type: str
    # code -> (name, description); every term is written, except for nationalities (only those in use)
    terms: dict[str, tuple[str, str]]
    valued: bool = False  # the attribute carries a value (a number, a date, text)
    all_terms_written: bool = True

    @property
    def id(self) -> uuid.UUID:
        return taxonomy.taxonomy_id(self.key)

    def term_id(self, code: str) -> uuid.UUID:
        return taxonomy.term_id(self.key, code)


def _countries() -> dict[str, tuple[str, str]]:
    found = {}
    for code in sorted(COUNTRY_CODES):
        name = pycountry.countries.get(alpha_2=code).name
        found[code] = (name, f"Accepts citizens of {name}.")
    return found


EXTENSIONS: tuple[Extension, ...] = (
    Extension(
        ORGANISATION_TYPES, "Waypoint organisation types", "Kinds of partner organisations.", ORGANIZATION,
        "organization_type",
        {kind.value: (_english(ORGANISATION_TYPE_NAMES, kind), _english(ORGANISATION_TYPE_NAMES, kind))
         for kind in OrganisationType},
    ),
    Extension(
        ORGANISATION_PLACES, "Waypoint organisation places",
        "Where a partner organisation is: the attribute's value holds the country (ISO 3166-1 alpha-2 code), "
        "the region or the city.", ORGANIZATION, "place",
        {COUNTRY: ("Country", "ISO 3166-1 alpha-2 code of the country, in the attribute's value."),
         REGION: ("Region", "The region, in the attribute's value."),
         CITY: ("City", "The city, in the attribute's value.")},
        valued=True,
    ),
    Extension(
        ACCEPTED_SEXES, "Waypoint accepted sexes",
        "Whom a service accepts, by sex. A service with no such attribute accepts anyone.", SERVICE, "eligibility",
        {sex.value: SEX_NAMES.get(sex) or (_english({}, sex), f"Accepts people of sex {sex.value}.") for sex in Sex},
    ),
    Extension(
        ACCEPTED_NATIONALITIES, "Waypoint accepted nationalities",
        "Whom a service accepts, by citizenship (ISO 3166-1 alpha-2 codes). A service with no such attribute "
        "accepts anyone.", SERVICE, "eligibility", _countries(), all_terms_written=False,
    ),
    Extension(
        ACCEPTED_EXPLOITATION, "Waypoint accepted exploitation types",
        "Victims of which forms of exploitation a service accepts. A service with no such attribute accepts "
        "victims of any.", SERVICE, "eligibility",
        {kind.value: (name, f"Accepts victims of {name.lower()}.")
         for kind in ExploitationType for name in [_english(EXPLOITATION_NAMES, kind)]},
    ),
    Extension(
        SERVICE_AVAILABILITY, "Waypoint service availability",
        "Whether a service takes referrals now and how many places it has: the attribute's value holds the "
        "answer.", SERVICE, "availability",
        {ACCEPTING: ("Accepting referrals", "\"true\" or \"false\", in the attribute's value."),
         CAPACITY: ("Capacity", "How many places (for example shelter beds), a whole number in the value."),
         AVAILABLE: ("Available places", "How many places are free, a whole number in the value."),
         AVAILABILITY_UPDATED: ("Availability updated", "When the free places were last counted "
                                "(ISO 8601 date and time, in the value).")},
        valued=True,
    ),
)
BY_KEY: dict[str, Extension] = {extension.key: extension for extension in EXTENSIONS}
TAXONOMY_IDS: dict[uuid.UUID, Extension] = {extension.id: extension for extension in EXTENSIONS}
# Every Waypoint term id -> (extension, code)
TERMS: dict[uuid.UUID, tuple[Extension, str]] = {
    extension.term_id(code): (extension, code) for extension in EXTENSIONS for code in extension.terms
}


def taxonomy_row(extension: Extension) -> dict:
    return {
        "id": extension.id, "name": extension.name, "description": extension.description,
        "uri": taxonomy.TAXONOMY_URI + extension.key, "version": "1",
    }


def term_row(extension: Extension, code: str) -> dict:
    name, description = extension.terms[code]
    return {
        "id": extension.term_id(code), "code": f"{extension.key}/{code}", "name": name, "description": description,
        "parent_id": None, "taxonomy": extension.name, "language": "en", "taxonomy_id": extension.id,
        "term_uri": f"{taxonomy.TAXONOMY_URI}{extension.key}/{code}",
    }


def taxonomy_rows() -> list[dict]:
    return [taxonomy_row(extension) for extension in EXTENSIONS]


def term_rows(used: Iterable[uuid.UUID] = ()) -> list[dict]:
    """The terms of Waypoint's taxonomies: all of the short ones, and the nationalities in `used`."""
    used = set(used)
    return [
        term_row(extension, code)
        for extension in EXTENSIONS for code in extension.terms
        if extension.all_terms_written or extension.term_id(code) in used
    ]


def attribute_id(entity: str, link_id: uuid.UUID, term: uuid.UUID) -> uuid.UUID:
    """Stable: the same field of the same object is the same attribute in every export."""
    return uuid.uuid5(taxonomy.NAMESPACE, f"attribute/{entity}/{link_id}/{term}")


def _attribute(extension: Extension, code: str, link_id: uuid.UUID, value: str = "") -> dict:
    term = extension.term_id(code)
    return {
        "id": attribute_id(extension.entity, link_id, term), "link_id": link_id, "taxonomy_term_id": term,
        "link_type": extension.link_type, "link_entity": extension.entity, "value": value,
    }


def datetime_text(value: datetime.datetime) -> str:
    """ISO 8601 in UTC with a "Z": one spelling for one instant, so that exports compare byte for byte."""
    value = value.astimezone(datetime.UTC)
    if not value.microsecond:
        spec = "seconds"
    elif value.microsecond % 1000 == 0:
        spec = "milliseconds"
    else:
        spec = "microseconds"
    return value.replace(tzinfo=None).isoformat(timespec=spec) + "Z"


def _codes(values) -> list[str]:
    if not isinstance(values, list | tuple):
        return []
    return sorted({str(value).strip() for value in values if str(value).strip()})


def organisation_attributes(organisation: Organisation) -> list[dict]:
    rows = []
    if organisation.organisation_type in BY_KEY[ORGANISATION_TYPES].terms:
        rows.append(_attribute(BY_KEY[ORGANISATION_TYPES], organisation.organisation_type, organisation.id))
    places = BY_KEY[ORGANISATION_PLACES]
    for code, value in ((COUNTRY, organisation.country), (REGION, organisation.region), (CITY, organisation.city)):
        if value:
            rows.append(_attribute(places, code, organisation.id, value))
    return rows


def service_attributes(service: Service) -> list[dict]:
    rows = []
    for key, values in (
        (ACCEPTED_SEXES, service.accepts_sexes),
        (ACCEPTED_NATIONALITIES, [str(code).upper() for code in _codes(service.accepts_nationalities)]),
        (ACCEPTED_EXPLOITATION, service.accepts_exploitation_types),
    ):
        extension = BY_KEY[key]
        rows.extend(_attribute(extension, code, service.id) for code in _codes(values) if code in extension.terms)
    availability = BY_KEY[SERVICE_AVAILABILITY]
    rows.append(_attribute(availability, ACCEPTING, service.id, "true" if service.accepting_referrals else "false"))
    if service.capacity is not None:
        rows.append(_attribute(availability, CAPACITY, service.id, str(service.capacity)))
    if service.available is not None:
        rows.append(_attribute(availability, AVAILABLE, service.id, str(service.available)))
    if service.availability_updated_at is not None:
        rows.append(_attribute(availability, AVAILABILITY_UPDATED, service.id,
                               datetime_text(service.availability_updated_at)))
    return rows


# --- Import: attributes back into fields -------------------------------------------------------------
ORGANISATION_DEFAULTS = {"organisation_type": OrganisationType.OTHER, "country": "", "region": "", "city": ""}
SERVICE_DEFAULTS = {
    "accepts_sexes": [], "accepts_nationalities": [], "accepts_exploitation_types": [], "accepting_referrals": True,
    "capacity": None, "available": None, "availability_updated_at": None,
}
LIST_FIELDS = {ACCEPTED_SEXES: "accepts_sexes", ACCEPTED_NATIONALITIES: "accepts_nationalities",
               ACCEPTED_EXPLOITATION: "accepts_exploitation_types"}
MAX_LENGTHS = {REGION: Organisation._meta.get_field("region").max_length,
               CITY: Organisation._meta.get_field("city").max_length}


class AttributeValueError(ValueError):
    """A Waypoint attribute whose value cannot be a value of its field; the message says why."""


def _whole_number(value: str) -> int:
    text = value.strip()
    if not text.isdigit():
        raise AttributeValueError(_("“%(value)s” is not a whole number of places.") % {"value": value})
    return int(text)


def parse_datetime_text(value: str) -> datetime.datetime:
    text = value.strip()
    try:
        parsed = datetime.datetime.fromisoformat(text)
    except ValueError:
        raise AttributeValueError(
            _("“%(value)s” is not a date and time (ISO 8601, for example 2026-03-01T09:30:00Z).") % {"value": value}
        ) from None
    if "T" not in text and " " not in text:
        raise AttributeValueError(_("“%(value)s” has a date but no time.") % {"value": value})
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=datetime.UTC)


def field_value(extension: Extension, code: str, value: str) -> tuple[str, object]:
    """(model field, value) for one valued attribute; raises AttributeValueError."""
    if extension.key == ORGANISATION_PLACES:
        text = value.strip()
        if code == COUNTRY:
            if text.upper() not in COUNTRY_CODES:
                raise AttributeValueError(_("“%(value)s” is not an ISO 3166-1 two-letter country code.") % {
                    "value": value})
            return "country", text.upper()
        if len(text) > MAX_LENGTHS[code]:
            raise AttributeValueError(_("The value is longer than %(max)d characters.") % {"max": MAX_LENGTHS[code]})
        return code, text
    if code == ACCEPTING:
        text = value.strip().lower()
        if text not in ("true", "false"):
            raise AttributeValueError(_("“%(value)s” is neither “true” nor “false”.") % {"value": value})
        return "accepting_referrals", text == "true"
    if code == AVAILABILITY_UPDATED:
        return "availability_updated_at", parse_datetime_text(value)
    return code, _whole_number(value)


def restore(entity: str, found: list[tuple[Extension, str, str]]) -> dict:
    """The Waypoint fields of one organisation or service from its Waypoint attributes (already checked):
    every field of the entity, those without an attribute at their default ("accepts anyone", no type)."""
    fields = dict(ORGANISATION_DEFAULTS if entity == ORGANIZATION else SERVICE_DEFAULTS)
    lists: dict[str, set[str]] = {}
    for extension, code, value in found:
        if extension.key == ORGANISATION_TYPES:
            fields["organisation_type"] = code
        elif extension.key in LIST_FIELDS:
            lists.setdefault(LIST_FIELDS[extension.key], set()).add(code)
        else:
            name, parsed = field_value(extension, code, value)
            fields[name] = parsed
    for name, codes in lists.items():
        fields[name] = sorted(codes)
    return fields
