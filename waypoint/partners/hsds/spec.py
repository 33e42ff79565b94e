"""The tables of HSDS 3.0 as its tabular data package declares them, and where each lives in Waypoint.

This is the contract of the exchange: the CSV files' names, their columns in order, which columns are
required, unique, of which type and format, and which refer to which table. It follows the published
`datapackage.json` (openreferral/specification, branch 3.0) field for field; a test compares the two
whenever the official file is at hand, so that a drift is noticed.

One declared constraint is an erratum of the standard and is not carried over: `program.organization_id`
is marked unique there, which would allow one programme per organisation (openreferral/specification
issue #260). Waypoint's descriptor says "not unique".
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import models

from .. import models as directory

HSDS_VERSION = "3.0"
HSDS_PROFILE = "https://github.com/openreferral/specification/tree/3.0/schema"

STRING, NUMBER, DATE, DATETIME, TIME = "string", "number", "date", "datetime", "time"
UUID, EMAIL, URI = "uuid", "email", "uri"


@dataclass(frozen=True)
class Field:
    name: str
    type: str = STRING
    format: str = ""
    required: bool = False
    unique: bool = False
    enum: tuple[str, ...] = ()
    # Waypoint's column for it, when its name differs from HSDS's (taxonomy_term.taxonomy_id).
    attname: str = ""

    @property
    def column(self) -> str:
        return self.attname or self.name


@dataclass(frozen=True)
class Table:
    name: str
    path: str
    model: type[models.Model]
    fields: tuple[Field, ...]
    # Every column that holds the id of a row of another table: {column: table}.
    links: dict[str, str] = field(default_factory=dict)
    # The links the standard declares as foreign keys (a subset of `links`).
    foreign_keys: tuple[str, ...] = ()
    # A row of this table means nothing without one of its links (a phone of nothing).
    dependent: bool = False

    @property
    def field_names(self) -> list[str]:
        return [item.name for item in self.fields]

    def get(self, name: str) -> Field:
        for item in self.fields:
            if item.name == name:
                return item
        raise KeyError(name)

    def model_field(self, name: str) -> models.Field:
        return self.model._meta.get_field(self.get(name).column)


def _id() -> Field:
    return Field("id", format=UUID, required=True, unique=True)


def _ref(name: str, *, required: bool = False, unique: bool = False, attname: str = "") -> Field:
    return Field(name, format=UUID, required=required, unique=unique, attname=attname)


def _text(name: str, *, required: bool = False, fmt: str = "", unique: bool = False) -> Field:
    return Field(name, format=fmt, required=required, unique=unique)


def _number(name: str) -> Field:
    return Field(name, type=NUMBER)


def _date(name: str, *, required: bool = False) -> Field:
    return Field(name, type=DATE, required=required)


LOCATION_TYPES = ("physical", "postal", "virtual")

TABLES: tuple[Table, ...] = (
    Table(
        "organization", "organizations.csv", directory.Organisation,
        (
            _id(), _text("name", required=True), _text("alternate_name"), _text("description", required=True),
            _text("email", fmt=EMAIL), _text("website", fmt=URI), _text("tax_status"), _text("tax_id"),
            _number("year_incorporated"), _text("legal_status"), _text("logo"), _text("uri", fmt=URI),
            _ref("parent_organization_id"),
        ),
        links={"parent_organization_id": "organization"},
    ),
    Table(
        "program", "programs.csv", directory.Program,
        (
            _id(), _ref("organization_id", required=True), _text("name", required=True), _text("alternate_name"),
            _text("description", required=True),
        ),
        links={"organization_id": "organization"}, foreign_keys=("organization_id",),
    ),
    Table(
        "service", "services.csv", directory.Service,
        (
            _id(), _ref("organization_id", required=True), _ref("program_id"), _text("name", required=True),
            _text("alternate_name"), _text("description"), _text("url", fmt=URI), _text("email", fmt=EMAIL),
            Field("status", required=True, enum=tuple(directory.ServiceStatus.values)),
            _text("interpretation_services"), _text("application_process"), _text("fees_description"),
            _text("wait_time"), _text("fees"), _text("accreditations"), _text("eligibility_description"),
            _number("minimum_age"), _number("maximum_age"), _date("assured_date"),
            _text("assurer_email", fmt=EMAIL), _text("licenses"), _text("alert"), Field("last_modified", DATETIME),
        ),
        links={"organization_id": "organization", "program_id": "program"},
        foreign_keys=("organization_id", "program_id"),
    ),
    Table(
        "attribute", "attributes.csv", directory.Attribute,
        (
            _id(), _ref("link_id", required=True), _ref("taxonomy_term_id", required=True), _text("link_type"),
            _text("link_entity", required=True), _text("value"),
        ),
        links={"taxonomy_term_id": "taxonomy_term"}, foreign_keys=("taxonomy_term_id",),
    ),
    Table(
        "service_at_location", "service_at_location.csv", directory.ServiceAtLocation,
        (_id(), _ref("service_id", required=True), _ref("location_id", required=True), _text("description")),
        links={"service_id": "service", "location_id": "location"}, foreign_keys=("service_id", "location_id"),
    ),
    Table(
        "location", "locations.csv", directory.Location,
        (
            _id(), Field("location_type", required=True, enum=LOCATION_TYPES), _text("url", fmt=URI),
            _ref("organization_id"), _text("name"), _text("alternate_name"), _text("description"),
            _text("transportation"), _number("latitude"), _number("longitude"), _text("external_identifier"),
            _text("external_identifier_type"),
        ),
        links={"organization_id": "organization"}, foreign_keys=("organization_id",),
    ),
    Table(
        "phone", "phones.csv", directory.Phone,
        (
            _id(), _ref("location_id"), _ref("service_id"), _ref("organization_id"), _ref("contact_id"),
            _ref("service_at_location_id"), _text("number", required=True), _number("extension"), _text("type"),
            _text("description"),
        ),
        links={
            "location_id": "location", "service_id": "service", "organization_id": "organization",
            "contact_id": "contact", "service_at_location_id": "service_at_location",
        },
        foreign_keys=("contact_id", "location_id", "organization_id", "service_id", "service_at_location_id"),
        dependent=True,
    ),
    Table(
        "contact", "contacts.csv", directory.Contact,
        (
            _id(), _ref("organization_id"), _ref("service_id"), _ref("service_at_location_id"), _ref("location_id"),
            _text("name"), _text("title"), _text("department"), _text("email", fmt=EMAIL),
        ),
        links={
            "organization_id": "organization", "service_id": "service",
            "service_at_location_id": "service_at_location", "location_id": "location",
        },
        foreign_keys=("location_id", "organization_id", "service_id", "service_at_location_id"),
        dependent=True,
    ),
    Table(
        "address", "addresses.csv", directory.Address,
        (
            _id(), _ref("location_id"), _text("attention"), _text("address_1", required=True), _text("address_2"),
            _text("city", required=True), _text("region"), _text("state_province", required=True),
            _text("postal_code", required=True), _text("country", required=True),
            Field("address_type", required=True, enum=LOCATION_TYPES),
        ),
        links={"location_id": "location"}, foreign_keys=("location_id",), dependent=True,
    ),
    Table(
        "schedule", "schedules.csv", directory.Schedule,
        (
            _id(), _ref("service_id"), _ref("location_id"), _ref("service_at_location_id"), _date("valid_from"),
            _date("valid_to"), _date("dtstart"), _number("timezone"), _date("until"), _number("count"),
            Field("wkst", enum=tuple(directory.Weekday.values)), Field("freq", enum=tuple(directory.Frequency.values)),
            _number("interval"), _text("byday"), _text("byweekno"), _text("bymonthday"), _text("byyearday"),
            _text("description"), Field("opens_at", TIME), Field("closes_at", TIME), _text("schedule_link", fmt=URI),
            _text("attending_type"), _text("notes"),
        ),
        links={"service_id": "service", "location_id": "location", "service_at_location_id": "service_at_location"},
        foreign_keys=("location_id", "service_id", "service_at_location_id"),
        dependent=True,
    ),
    Table(
        "funding", "funding.csv", directory.Funding,
        (_id(), _ref("organization_id"), _ref("service_id"), _text("source")),
        links={"organization_id": "organization", "service_id": "service"},
        foreign_keys=("organization_id", "service_id"), dependent=True,
    ),
    Table(
        "service_area", "service_areas.csv", directory.ServiceArea,
        (
            _id(), _ref("service_id"), _text("name"), _text("description"), _text("extent"), _text("extent_type"),
            _text("uri"),
        ),
        links={"service_id": "service"}, foreign_keys=("service_id",), dependent=True,
    ),
    Table(
        "required_document", "required_documents.csv", directory.RequiredDocument,
        (_id(), _ref("service_id"), _text("document"), _text("uri", fmt=URI)),
        links={"service_id": "service"}, foreign_keys=("service_id",), dependent=True,
    ),
    Table(
        "language", "languages.csv", directory.Language,
        (_id(), _ref("service_id"), _ref("location_id"), _ref("phone_id"), _text("name"), _text("code"), _text("note")),
        links={"service_id": "service", "location_id": "location", "phone_id": "phone"},
        foreign_keys=("location_id", "phone_id", "service_id"), dependent=True,
    ),
    Table(
        "accessibility", "accessibility.csv", directory.Accessibility,
        (_id(), _ref("location_id"), _text("description"), _text("details"), _text("url", fmt=URI)),
        links={"location_id": "location"}, foreign_keys=("location_id",), dependent=True,
    ),
    Table(
        "taxonomy_term", "taxonomy_terms.csv", directory.TaxonomyTerm,
        (
            _id(), _text("code", unique=True), _text("name", required=True), _text("description", required=True),
            _ref("parent_id"), _text("taxonomy"), _text("language"), _ref("taxonomy_id", attname="taxonomy_detail_id"),
            _text("term_uri", fmt=URI),
        ),
        links={"parent_id": "taxonomy_term", "taxonomy_id": "taxonomy"}, foreign_keys=("taxonomy_id",),
    ),
    Table(
        "metadata", "metadata.csv", directory.Metadata,
        (
            _id(), _ref("resource_id", required=True), _text("resource_type", required=True),
            _date("last_action_date", required=True), _text("last_action_type", required=True),
            _text("field_name", required=True), _text("previous_value", required=True),
            _text("replacement_value", required=True), _text("updated_by", required=True),
        ),
    ),
    Table(
        "meta_table_description", "meta_table_descriptions.csv", directory.MetaTableDescription,
        (_id(), _text("name"), _text("language"), _text("character_set")),
    ),
    Table(
        "cost_option", "cost_options.csv", directory.CostOption,
        (
            _id(), _ref("service_id", required=True), _date("valid_from"), _date("valid_to"), _text("option"),
            _text("currency"), _number("amount"), _text("amount_description"),
        ),
        links={"service_id": "service"}, foreign_keys=("service_id",), dependent=True,
    ),
    Table(
        "organization_identifier", "organization_identifiers.csv", directory.OrganizationIdentifier,
        (
            _id(), _ref("organization_id", required=True), _text("identifier_scheme"),
            _text("identifier_type", required=True), _text("identifier", required=True),
        ),
        links={"organization_id": "organization"}, foreign_keys=("organization_id",), dependent=True,
    ),
    Table(
        "taxonomy", "taxonomies.csv", directory.Taxonomy,
        (_id(), _text("name", required=True), _text("description", required=True), _text("uri", fmt=URI),
         _text("version")),
    ),
)

BY_NAME: dict[str, Table] = {table.name: table for table in TABLES}
BY_PATH: dict[str, Table] = {table.path: table for table in TABLES}
BY_MODEL: dict[type[models.Model], Table] = {table.model: table for table in TABLES}

# Tables in an order where every row's parents come first (self-references aside).
SAVE_ORDER: tuple[str, ...] = (
    "taxonomy", "taxonomy_term", "organization", "program", "service", "location", "service_at_location",
    "contact", "phone", "schedule", "language", "address", "accessibility", "funding", "service_area",
    "required_document", "cost_option", "organization_identifier", "attribute", "metadata",
    "meta_table_description",
)

# Links that only point somewhere else (not an owner): when their target is not exported the export blanks
# them rather than leaving the row out.
POINTERS: frozenset[tuple[str, str]] = frozenset({
    ("organization", "parent_organization_id"), ("service", "program_id"), ("taxonomy_term", "parent_id"),
    ("taxonomy_term", "taxonomy_id"),
})


def descriptor_field(item: Field) -> dict:
    """One field as the data package declares it."""
    described: dict = {"name": item.name, "type": item.type}
    if item.format:
        described["format"] = item.format
    constraints: dict = {"required": item.required, "unique": item.unique}
    if item.enum:
        constraints["enum"] = list(item.enum)
    described["constraints"] = constraints
    return described


def descriptor_resource(table: Table) -> dict:
    schema: dict = {"fields": [descriptor_field(item) for item in table.fields], "primaryKey": "id"}
    if table.foreign_keys:
        schema["foreignKeys"] = [
            {"fields": name, "reference": {"resource": table.links[name], "fields": "id"}}
            for name in table.foreign_keys
        ]
    return {
        "name": table.name, "path": table.path, "profile": "tabular-data-resource", "format": "csv",
        "mediatype": "text/csv", "encoding": "utf-8", "schema": schema,
    }
