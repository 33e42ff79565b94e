"""The HSDS export validates against the published HSDS 3.0 schemas.

Every exported row, in its JSON form, is validated with `jsonschema` against the object's schema
(`schema/<table>.json`, `$ref`s resolved through a `referencing` registry), the JSON document against
`schema/compiled/tabular.json`, and every CSV table against the field lists of HSDS's `datapackage.json`
(names, order, required values, uuid/email/uri/date/time formats, enumerations, unique values and foreign
keys). The official files are read from ../shared/schemas/ (never copied into the repository): where they
are missing, these tests are skipped and say why.

`build_directory` makes a directory with every HSDS table filled, Waypoint's own fields set, an agreement
and an inactive organisation: the round-trip and HSDA tests use it too.
"""

from __future__ import annotations

import csv
import datetime
import functools
import io
import json
import re
import uuid
import zipfile
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.conf import settings
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from waypoint.partners import models as m
from waypoint.partners import taxonomy
from waypoint.partners.hsds import export, extensions, spec

HSDS = Path(settings.BASE_DIR).parent / "shared" / "schemas" / "hsds-3.0"
needs_schemas = pytest.mark.skipif(
    not (HSDS / "datapackage.json").is_file(),
    reason=f"The official HSDS 3.0 schemas are not at {HSDS} (see ../shared/schemas/README.md).",
)
# openreferral/specification issue #260: "unique" on program.organization_id allows one programme per
# organisation; Waypoint's descriptor drops that constraint (see waypoint/partners/hsds/spec.py).
ERRATA = {("program", "organization_id")}
RAW = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/"


# --- A directory with every table filled ---------------------------------------------------------------
def build_directory() -> dict:
    """Two active organisations (one the parent of the other), an inactive one, and one row at least in
    every HSDS table; returns the main objects by name."""
    now = datetime.datetime(2026, 3, 2, 9, 30, 15, tzinfo=datetime.UTC)
    taxonomy.ensure_service_types()
    red_cross = m.Organisation.objects.create(
        name="Russian Red Cross", description="National society of the Red Cross.",
        organisation_type=m.OrganisationType.NGO, country="RU", city="Moscow", website="https://www.redcross.ru",
    )
    angel = m.Organisation.objects.create(
        name="Angel Coalition", alternate_name="Ангел",
        description="Shelters and a hotline for victims of trafficking.",
        email="info@angelcoalition.example", website="https://angelcoalition.example", tax_status="non-profit",
        tax_id="7701234567", year_incorporated=2002, legal_status="Non-governmental organisation",
        logo="https://angelcoalition.example/logo.png", uri="https://angelcoalition.example/about",
        parent_organization=red_cross, organisation_type=m.OrganisationType.NGO, country="RU",
        region="Moscow region", city="Moscow",
    )
    closed = m.Organisation.objects.create(
        name="Closed shelter", description="No longer a partner.", organisation_type=m.OrganisationType.NGO,
        is_active=False,
    )
    m.Agreement.objects.create(
        organisation=angel, kind=m.AgreementKind.MOU, title="Memorandum on the referral of victims",
        signed_on=datetime.date(2024, 5, 1),
    )
    m.OrganizationIdentifier.objects.create(
        organization=angel, identifier_scheme="RU-OGRN", identifier_type="OGRN", identifier="1027700000000",
    )
    program = m.Program.objects.create(
        organization=angel, name="Rehabilitation", alternate_name="Реабилитация",
        description="Shelter, counselling and reintegration of victims of trafficking.",
    )
    shelter = m.Service.objects.create(
        organization=angel, program=program, name="Shelter for women", alternate_name="Приют",
        description="Temporary accommodation for women victims of trafficking.", url="https://angelcoalition.example/shelter",
        email="shelter@angelcoalition.example", status=m.ServiceStatus.ACTIVE,
        interpretation_services="Russian, Tajik and Uzbek interpreters.", application_process="Referral by phone.",
        fees_description="Free of charge.", fees="None", wait_time="Same day", accreditations="Licensed shelter",
        licenses="Licence 77-001", eligibility_description="Women aged 18 and over.", minimum_age=18,
        maximum_age=65, assured_date=datetime.date(2026, 1, 15), assurer_email="directory@waypoint.example",
        alert="Call before coming.", last_modified=now,
        accepts_sexes=["F"], accepts_nationalities=["UZ", "TJ"],
        accepts_exploitation_types=[m.ExploitationType.SEXUAL, m.ExploitationType.LABOUR],
        accepting_referrals=True, capacity=12, available=3, availability_updated_at=now,
    )
    taxonomy.set_service_types(shelter, ["shelter", "psychological_help"])
    hotline = m.Service.objects.create(
        organization=red_cross, name="Hotline", status=m.ServiceStatus.TEMPORARILY_CLOSED,
        accepting_referrals=False, last_modified=now,
    )
    closed_service = m.Service.objects.create(organization=closed, name="Old shelter", last_modified=now)
    m.Phone.objects.create(service=closed_service, number="+7 000 000 00 00")
    m.ServiceArea.objects.create(
        service=shelter, name="Moscow", description="Moscow and the Moscow region.", extent="Moscow",
        extent_type="text", uri="https://www.geonames.org/524901",
    )
    m.CostOption.objects.create(
        service=shelter, valid_from=datetime.date(2026, 1, 1), valid_to=datetime.date(2026, 12, 31),
        option="Medical examination", currency="RUB", amount=Decimal("1500.50"), amount_description="per visit",
    )
    m.RequiredDocument.objects.create(
        service=shelter, document="Referral letter", uri="https://angelcoalition.example/referral",
    )
    m.Funding.objects.create(organization=angel, service=shelter, source="International donors")
    office = m.Location.objects.create(
        location_type=m.LocationType.PHYSICAL, url="https://angelcoalition.example/contacts", organization=angel,
        name="Angel Coalition office", alternate_name="Офис", description="Main office.",
        transportation="Metro Taganskaya", latitude=55.7415, longitude=37.6536,
        external_identifier="77-0001", external_identifier_type="cadastre",
    )
    online = m.Location.objects.create(location_type=m.LocationType.VIRTUAL, url="https://chat.example")
    m.Address.objects.create(
        location=office, attention="Reception", address_1="Ulitsa Taganskaya 1", address_2="Office 5",
        city="Moscow", region="Central", state_province="Moscow", postal_code="109004", country="RU",
        address_type=m.LocationType.PHYSICAL,
    )
    m.Accessibility.objects.create(
        location=office, description="Step-free entrance", details="Lift to every floor",
        url="https://angelcoalition.example/access",
    )
    at_office = m.ServiceAtLocation.objects.create(service=shelter, location=office, description="Intake here.")
    m.ServiceAtLocation.objects.create(service=hotline, location=online)
    contact = m.Contact.objects.create(
        organization=angel, service=shelter, service_at_location=at_office, location=office, name="Anna Petrova",
        title="Shelter coordinator", department="Shelter", email="anna@angelcoalition.example",
    )
    phone = m.Phone.objects.create(
        location=office, service=shelter, organization=angel, contact=contact, service_at_location=at_office,
        number="+7 495 123 45 67", extension=12, type="voice", description="Intake line",
    )
    m.Phone.objects.create(service=hotline, number="8 800 333 00 16", type="voice")
    m.Schedule.objects.create(
        service=shelter, location=office, service_at_location=at_office, valid_from=datetime.date(2026, 1, 1),
        valid_to=datetime.date(2026, 12, 31), dtstart=datetime.date(2026, 1, 5), timezone=3,
        until=datetime.date(2026, 12, 31), count=52, wkst=m.Weekday.MO, freq=m.Frequency.WEEKLY, interval=1,
        byday="MO,TU,WE,TH,FR", byweekno="1,2", bymonthday="1,15", byyearday="1,100",
        description="Weekdays 9 to 18.", opens_at=datetime.time(9, 0), closes_at=datetime.time(18, 0),
        schedule_link="https://angelcoalition.example/hours", attending_type="in person", notes="Closed on holidays",
    )
    m.Language.objects.create(service=shelter, location=office, name="Russian", code="ru", note="All staff")
    m.Language.objects.create(phone=phone, name="Tajik", code="tg", note="Tuesdays")
    eligibility = m.Taxonomy.objects.create(
        name="Open Eligibility", description="Human services taxonomy.", uri="https://openeligibility.example",
        version="2",
    )
    people = m.TaxonomyTerm.objects.create(
        code="oe-1000", name="People", description="Groups of people.", taxonomy="Open Eligibility",
        taxonomy_detail=eligibility, language="en", term_uri="https://openeligibility.example/1000",
    )
    survivors = m.TaxonomyTerm.objects.create(
        code="oe-1010", name="Trafficking survivors", description="Survivors of trafficking.", parent=people,
        taxonomy="Open Eligibility", taxonomy_detail=eligibility, language="en",
    )
    m.Attribute.objects.create(
        link_id=shelter.id, link_entity="service", link_type="eligibility", taxonomy_term=survivors, value="",
    )
    m.Attribute.objects.create(link_id=closed_service.id, link_entity="service", taxonomy_term=survivors)
    m.Metadata.objects.create(
        resource_id=shelter.id, resource_type="service", last_action_date=datetime.date(2026, 2, 1),
        last_action_type="update", field_name="capacity", previous_value="10", replacement_value="12",
        updated_by="Directory team",
    )
    m.Metadata.objects.create(
        resource_id=closed.id, resource_type="organization", last_action_date=datetime.date(2026, 2, 1),
        last_action_type="update", field_name="name", previous_value="Shelter", replacement_value="Closed shelter",
        updated_by="Directory team",
    )
    m.MetaTableDescription.objects.create(name="Waypoint partner directory", language="en", character_set="UTF-8")
    return {
        "angel": angel, "red_cross": red_cross, "closed": closed, "shelter": shelter, "hotline": hotline,
        "closed_service": closed_service, "office": office, "online": online, "at_office": at_office,
        "contact": contact, "phone": phone, "survivors": survivors,
    }


# --- The official schemas ---------------------------------------------------------------------------------
@functools.cache
def official_datapackage() -> dict:
    return json.loads((HSDS / "datapackage.json").read_text())


@functools.cache
def registry() -> Registry:
    """Every schema of HSDS by its file name (the `$ref`s are relative) and by its published address."""
    resources = []
    for path in [*sorted((HSDS / "schema").glob("*.json")), *sorted((HSDS / "schema" / "compiled").glob("*.json"))]:
        if path.name == "openapi.json":
            continue
        resource = Resource.from_contents(json.loads(path.read_text()), default_specification=DRAFT202012)
        relative = path.relative_to(HSDS / "schema").as_posix()
        resources += [(relative, resource), (RAW + relative, resource)]
    return Registry().with_resources(resources)


@functools.cache
def validator(schema_name: str) -> Draft202012Validator:
    schema = json.loads((HSDS / "schema" / schema_name).read_text())
    return Draft202012Validator(schema, registry=registry(), format_checker=FormatChecker())


def schema_errors(schema_name: str, instance) -> list[str]:
    return [f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
            for error in validator(schema_name).iter_errors(instance)]


# --- A datapackage validator, as the Frictionless table schema reads the field lists ---------------------
def is_uri(text: str) -> bool:
    parsed = urlparse(text)
    return bool(parsed.scheme and (parsed.netloc or parsed.path))


def value_problem(field: dict, value: str) -> str | None:
    kind, fmt = field.get("type"), field.get("format")
    try:
        if kind == "number":
            float(value)
        elif kind == "date":
            assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", value)
            datetime.date.fromisoformat(value)
        elif kind == "datetime":
            assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})", value)
            datetime.datetime.fromisoformat(value)
        elif kind == "time":
            assert re.fullmatch(r"\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})?", value)
        if fmt == "uuid":
            assert str(uuid.UUID(value)) == value
        elif fmt == "email":
            assert re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value)
        elif fmt == "uri":
            assert is_uri(value)
    except (AssertionError, ValueError):
        return f"{value!r} is not a valid {fmt or kind}"
    enum = field.get("constraints", {}).get("enum")
    if enum and value not in enum:
        return f"{value!r} is not one of {enum}"
    return None


def datapackage_errors(files: dict[str, bytes], descriptor: dict) -> list[str]:
    """Every way the CSV files break the descriptor's resources (an empty list: valid)."""
    errors: list[str] = []
    tables: dict[str, list[dict]] = {}
    for resource in descriptor["resources"]:
        name, path = resource["name"], resource["path"]
        if path not in files:
            errors.append(f"{path}: missing")
            continue
        reader = csv.reader(io.StringIO(files[path].decode("utf-8"), newline=""))
        header = next(reader)
        fields = resource["schema"]["fields"]
        if header != [field["name"] for field in fields]:
            errors.append(f"{path}: header {header} is not {[field['name'] for field in fields]}")
            continue
        rows = [dict(zip(header, row, strict=True)) for row in reader]
        tables[name] = rows
        for number, row in enumerate(rows, start=2):
            for field in fields:
                value = row[field["name"]]
                if value == "":
                    if field.get("constraints", {}).get("required"):
                        errors.append(f"{path} row {number} {field['name']}: required")
                    continue
                problem = value_problem(field, value)
                if problem:
                    errors.append(f"{path} row {number} {field['name']}: {problem}")
        for field in fields:
            if field.get("constraints", {}).get("unique") and (name, field["name"]) not in ERRATA:
                values = [row[field["name"]] for row in rows if row[field["name"]]]
                if len(values) != len(set(values)):
                    errors.append(f"{path} {field['name']}: values are not unique")
    for resource in descriptor["resources"]:
        for key in resource["schema"].get("foreignKeys", []):
            target = {row["id"] for row in tables.get(key["reference"]["resource"], [])}
            for number, row in enumerate(tables.get(resource["name"], []), start=2):
                value = row[key["fields"]]
                if value and value not in target:
                    errors.append(f"{resource['path']} row {number} {key['fields']}: {value} not in "
                                  f"{key['reference']['resource']}")
    return errors


# --- Tests ------------------------------------------------------------------------------------------------
@needs_schemas
def test_waypoints_table_definitions_are_hsds_own():
    """Table names, files, columns in order, types, formats, constraints and foreign keys, as published."""
    official = {resource["name"]: resource for resource in official_datapackage()["resources"]}

    assert [table.name for table in spec.TABLES] == list(official)
    for table in spec.TABLES:
        resource = official[table.name]
        assert table.path == resource["path"]
        ours = [spec.descriptor_field(item) for item in table.fields]
        theirs = [
            {key: field[key] for key in ("name", "type", "format", "constraints") if key in field}
            for field in resource["schema"]["fields"]
        ]
        for mine, published in zip(ours, theirs, strict=True):
            if (table.name, mine["name"]) in ERRATA:
                published = {**published, "constraints": {**published["constraints"], "unique": False}}
            assert mine == published, (table.name, mine["name"])
        declared = [key["fields"] for key in resource["schema"].get("foreignKeys") or []]
        assert sorted(table.foreign_keys) == sorted(declared), table.name
        for name in declared:
            assert table.links[name] == next(
                key["reference"]["resource"] for key in resource["schema"]["foreignKeys"] if key["fields"] == name
            )


@pytest.mark.django_db
def test_the_export_fills_every_table_and_leaves_out_what_is_internal():
    directory = build_directory()

    package = export.collect()

    assert all(package.count(table.name) for table in spec.TABLES), package.counts
    organisations = {row["name"] for row in package.tables["organization"]}
    assert organisations == {"Angel Coalition", "Russian Red Cross"}
    text = json.dumps(export.json_document(package))
    for internal in ("Memorandum on the referral", "Closed shelter", "Old shelter", str(directory["closed"].id),
                     str(directory["closed_service"].id), "+7 000 000 00 00"):
        assert internal not in text
    assert set(export.files(package)) == {"datapackage.json", *(table.path for table in spec.TABLES)}


@pytest.mark.django_db
def test_waypoints_own_fields_are_attributes_of_waypoint_taxonomies():
    directory = build_directory()
    package = export.collect()
    terms = {row["id"]: row for row in package.tables["taxonomy_term"]}
    taxonomies = {row["id"]: row["name"] for row in package.tables["taxonomy"]}

    def said(link_id):
        return sorted(
            (taxonomies[terms[row["taxonomy_term_id"]]["taxonomy_id"]], terms[row["taxonomy_term_id"]]["name"],
             row["value"])
            for row in package.tables["attribute"] if row["link_id"] == link_id and
            terms[row["taxonomy_term_id"]]["taxonomy_id"] in extensions.TAXONOMY_IDS
        )

    assert said(directory["angel"].id) == [
        ("Waypoint organisation places", "City", "Moscow"),
        ("Waypoint organisation places", "Country", "RU"),
        ("Waypoint organisation places", "Region", "Moscow region"),
        ("Waypoint organisation types", "Non-governmental organisation", ""),
    ]
    assert said(directory["shelter"].id) == [
        ("Waypoint accepted exploitation types", "Forced labour", ""),
        ("Waypoint accepted exploitation types", "Sexual exploitation", ""),
        ("Waypoint accepted nationalities", "Tajikistan", ""),
        ("Waypoint accepted nationalities", "Uzbekistan", ""),
        ("Waypoint accepted sexes", "Female", ""),
        ("Waypoint service availability", "Accepting referrals", "true"),
        ("Waypoint service availability", "Availability updated", "2026-03-02T09:30:15Z"),
        ("Waypoint service availability", "Available places", "3"),
        ("Waypoint service availability", "Capacity", "12"),
    ]
    assert said(directory["hotline"].id) == [("Waypoint service availability", "Accepting referrals", "false")]
    # H1's service types are ordinary stored attributes, exported as they are.
    shelter_type = taxonomy.term_id(taxonomy.SERVICE_TYPES_KEY, "shelter")
    assert any(row["link_id"] == directory["shelter"].id and row["taxonomy_term_id"] == shelter_type
               for row in package.tables["attribute"])
    codes = [row["code"] for row in package.tables["taxonomy_term"]]
    assert "organisation-types/ngo" in codes
    assert len(codes) == len(set(codes))


@needs_schemas
@pytest.mark.django_db
def test_every_exported_object_validates_against_its_hsds_schema():
    build_directory()
    document = export.json_document(export.collect())

    assert schema_errors("compiled/tabular.json", document) == []
    checked = 0
    for table in spec.TABLES:
        for row in document[table.name]:
            assert schema_errors(f"{table.name}.json", row) == [], (table.name, row)
            checked += 1
    assert checked > len(spec.TABLES)


@needs_schemas
@pytest.mark.django_db
def test_the_csv_tables_validate_against_hsds_datapackage():
    build_directory()
    archive = zipfile.ZipFile(io.BytesIO(export.zip_bytes(export.collect())))
    files = {name: archive.read(name) for name in archive.namelist()}

    assert datapackage_errors(files, official_datapackage()) == []
    # ...and against the descriptor the package carries, which names the same tables and columns.
    ours = json.loads(files["datapackage.json"])
    assert datapackage_errors(files, ours) == []
    assert [resource["path"] for resource in ours["resources"]] == [
        resource["path"] for resource in official_datapackage()["resources"]
    ]
    assert ours["profile"] == "tabular-data-package"


@needs_schemas
@pytest.mark.django_db
def test_the_schema_validator_catches_a_broken_object():
    """The checks above can fail: a service with an unknown status and no name, a phone whose id is not a UUID."""
    directory = build_directory()
    document = export.json_document(export.collect())
    service = next(row for row in document["service"] if row["id"] == str(directory["shelter"].id))
    broken = {key: value for key, value in service.items() if key != "name"} | {"status": "open"}
    phone = dict(document["phone"][0], id="phone-1")

    service_errors = schema_errors("service.json", broken)
    assert any("'name' is a required property" in error for error in service_errors)
    assert any("'open' is not one of" in error for error in service_errors)
    assert any("is not a 'uuid'" in error for error in schema_errors("phone.json", phone))
    assert schema_errors("compiled/tabular.json", {**document, "service": [broken]}) != []
    # Nested objects are checked through the resolved `$ref`s too.
    nested = dict(document["organization"][0], attributes=[{"id": "not-a-uuid"}])
    assert any("attributes/0/id" in error for error in schema_errors("organization.json", nested))


@needs_schemas
@pytest.mark.django_db
def test_the_datapackage_check_catches_broken_tables():
    directory = build_directory()
    files = export.files(export.collect())
    services = files["services.csv"].decode().replace(str(directory["shelter"].id), "not-a-uuid")
    services = services.replace(",temporarily closed,", ",closed for now,")
    phones = files["phones.csv"].decode().replace(str(directory["hotline"].id), str(uuid.uuid4()))

    errors = datapackage_errors(
        {**files, "services.csv": services.encode(), "phones.csv": phones.encode()}, official_datapackage()
    )

    assert any("services.csv" in error and "id: 'not-a-uuid' is not a valid uuid" in error for error in errors)
    assert any("status: 'closed for now' is not one of" in error for error in errors)
    assert any("phones.csv" in error and "service_id" in error and "not in service" in error for error in errors)
