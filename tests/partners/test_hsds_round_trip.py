"""Import of HSDS datapackages and the round trip: nothing lost, nothing changed by importing twice.

- HSDS's own sample package (another system's, `examples/csv/`) imports, exports, and imports again into
  an empty directory to the same data; its broken links are reported and left out, as is named below.
- Waypoint's export imported into an empty directory exports again to the same bytes.
- A broken package (a required column missing, a bad UUID, a dangling reference, a bad enumeration value)
  is refused with every problem named, and nothing is saved.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import uuid
import zipfile
from decimal import Decimal

import pytest
from django.db import models

from waypoint.audit.models import AuditEvent
from waypoint.partners import models as m
from waypoint.partners.hsds import export, extensions, importing, spec

from .test_hsds_schema import HSDS, build_directory, needs_schemas

pytestmark = pytest.mark.django_db
EXAMPLE = HSDS / "examples" / "csv"
DIRECTORY_MODELS = [table.model for table in spec.TABLES]


def snapshot() -> dict[str, list[dict]]:
    """Every row of every HSDS table with every field, Waypoint's own included. The date an organisation
    was last changed in Waypoint is left out: HSDS has no such field, the import sets it."""
    result = {}
    for table in spec.TABLES:
        names = [f.attname for f in table.model._meta.concrete_fields if f.attname != "last_modified"
                 or table.model is not m.Organisation]
        result[table.name] = sorted(
            (dict(zip(names, values, strict=True)) for values in table.model.objects.values_list(*names)),
            key=lambda row: str(row["id"]),
        )
    return result


def empty_the_directory() -> None:
    for model in [m.Agreement, *reversed(DIRECTORY_MODELS)]:
        model.objects.all().delete()
    assert not any(model.objects.exists() for model in DIRECTORY_MODELS)


def import_bytes(data: bytes, name: str) -> importing.ParsedPackage:
    parsed = importing.check(importing.read_package(data, name))
    assert parsed.errors == [], parsed.errors
    importing.apply(parsed)
    return parsed


def problems(parsed: importing.ParsedPackage, kind: str = "errors") -> set[tuple]:
    return {(p.table, p.row, p.field) for p in getattr(parsed, kind)}


# --- HSDS's sample package, from another system -------------------------------------------------------
@needs_schemas
def test_hsds_sample_package_imports_with_its_broken_links_named():
    parsed = importing.check(importing.read_path(EXAMPLE))

    assert parsed.errors == []
    assert parsed.ok
    # The sample's links to records it does not hold are left out, each one named.
    assert problems(parsed, "warnings") >= {
        ("location", 2, "organization_id"), ("contact", 2, "organization_id"),
        ("contact", 2, "service_at_location_id"), ("taxonomy_term", 2, "parent_id"),
        ("taxonomy_term", 2, "taxonomy_id"),
    }
    importing.apply(parsed)

    service = m.Service.objects.get(pk="ac148810-d857-441c-9679-408f346de14b")
    assert service.name == "Community Counselling"
    assert service.organization.name == "Example Organization Inc."
    assert service.last_modified == datetime.datetime(2023, 3, 15, 10, 30, 45, 123000, tzinfo=datetime.UTC)
    assert service.description.endswith("circumstances. ")  # kept exactly, trailing space and all
    assert m.CostOption.objects.get().amount == Decimal("35")
    schedule = m.Schedule.objects.get()
    assert (schedule.opens_at, schedule.byday, schedule.timezone) == (datetime.time(10), "TH,FR", 3.0)
    assert m.Phone.objects.get().number == '"+44 1234 234567"'
    assert m.Location.objects.get().organization is None
    assert m.Attribute.objects.get().link_entity == "link_entity"  # another system's attribute, kept
    assert sum(model.objects.count() for model in DIRECTORY_MODELS) == 21


@needs_schemas
def test_hsds_sample_package_round_trips_to_the_same_data():
    importing.apply(importing.check(importing.read_path(EXAMPLE)))
    first = snapshot()

    zipped = export.zip_bytes(export.collect())
    empty_the_directory()
    import_bytes(zipped, "directory.zip")

    assert snapshot() == first
    # ...and the JSON form carries the same.
    as_json = export.json_bytes(export.collect())
    empty_the_directory()
    import_bytes(as_json, "directory.json")
    assert snapshot() == first


@needs_schemas
def test_hsds_sample_json_imports_like_its_csv():
    """HSDS's examples/tabular.json keys the tables by file name; it is the same sample as the CSV files."""
    importing.apply(importing.check(importing.read_path(EXAMPLE)))
    from_csv = snapshot()
    empty_the_directory()

    parsed = importing.check(importing.read_path(HSDS / "examples" / "tabular.json"))
    assert parsed.errors == []
    importing.apply(parsed)

    assert snapshot() == from_csv


@needs_schemas
def test_importing_the_same_package_again_changes_nothing():
    importing.apply(importing.check(importing.read_path(EXAMPLE)))
    before = snapshot()
    events = AuditEvent.objects.count()

    again = importing.check(importing.read_path(EXAMPLE))

    assert all(not row["create"] and not row["update"] for row in again.summary())
    importing.apply(again)
    assert snapshot() == before
    assert AuditEvent.objects.count() == events + 1  # the import itself is recorded, nothing else


# --- Waypoint's own export ----------------------------------------------------------------------------
def test_waypoints_export_imported_into_an_empty_directory_exports_the_same_bytes():
    build_directory()
    first = export.files(export.collect())
    before = snapshot()

    empty_the_directory()
    parsed = import_bytes(_zip(first), "directory.zip")
    second = export.files(export.collect())

    assert parsed.warnings == []
    for name in first:
        if name != "datapackage.json":
            assert second[name] == first[name], name
    after = snapshot()
    # Everything but what is never exported (the agreement, the inactive organisation and its service).
    assert after["organization"] == [row for row in before["organization"] if row["is_active"]]
    exported = export.collect().tables
    for table in ("service", "location", "phone", "schedule", "language", "contact", "cost_option"):
        assert len(after[table]) == len(exported[table]), table
    # Waypoint's own taxonomies are written from the fields, not stored.
    stored_terms = [row for row in exported["taxonomy_term"] if row["id"] not in extensions.TERMS]
    assert len(after["taxonomy_term"]) == len(stored_terms) > 0
    assert not m.Agreement.objects.exists()


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(f"export/{name}", content)  # a folder inside the ZIP is fine
    return buffer.getvalue()


def test_waypoint_fields_are_restored_exactly():
    directory = build_directory()
    exported = export.json_bytes(export.collect())
    shelter, angel = directory["shelter"], directory["angel"]
    m.Service.objects.filter(pk=shelter.pk).update(
        accepts_sexes=[], accepts_nationalities=[], accepts_exploitation_types=[], capacity=None, available=None,
        availability_updated_at=None, accepting_referrals=False,
    )
    m.Organisation.objects.filter(pk=angel.pk).update(organisation_type=m.OrganisationType.DONOR, region="", city="")

    parsed = import_bytes(exported, "directory.json")

    shelter.refresh_from_db()
    angel.refresh_from_db()
    assert (shelter.accepts_sexes, shelter.accepts_nationalities) == (["F"], ["TJ", "UZ"])
    assert sorted(shelter.accepts_exploitation_types) == ["labour", "sexual"]
    assert (shelter.capacity, shelter.available, shelter.accepting_referrals) == (12, 3, True)
    assert shelter.availability_updated_at == datetime.datetime(2026, 3, 2, 9, 30, 15, tzinfo=datetime.UTC)
    assert (angel.organisation_type, angel.region, angel.city, angel.country) == ("ngo", "Moscow region", "Moscow",
                                                                                  "RU")
    summary = {row["table"]: row for row in parsed.summary()}
    assert summary["service"]["update"] == 1
    assert summary["organization"]["update"] == 1
    assert summary["attribute"]["waypoint"] > 0
    # Waypoint's taxonomies are not stored: they are written from the fields at every export.
    assert not m.Taxonomy.objects.filter(name__startswith="Waypoint accepted").exists()


def test_importing_our_export_into_the_same_directory_changes_nothing():
    build_directory()
    before = snapshot()

    parsed = import_bytes(export.zip_bytes(export.collect()), "directory.zip")

    assert [row for row in parsed.summary() if row["create"] or row["update"]] == []
    assert snapshot() == before


def test_an_update_changes_only_what_differs_and_deletes_nothing():
    directory = build_directory()
    document = json.loads(export.json_bytes(export.collect()))
    service = next(row for row in document["service"] if row["id"] == str(directory["shelter"].id))
    service["alert"] = "Closed for repairs until Monday."
    document["phone"] = []  # a package without phones removes none
    phones = m.Phone.objects.count()

    parsed = importing.check(importing.read_package(json.dumps(document).encode(), "x.json"))
    summary = {row["table"]: row for row in parsed.summary()}
    assert summary["service"]["update"] == 1
    assert summary["service"]["unchanged"] == 1
    importing.apply(parsed)

    directory["shelter"].refresh_from_db()
    assert directory["shelter"].alert == "Closed for repairs until Monday."
    assert m.Phone.objects.count() == phones == 3


# --- Broken packages ------------------------------------------------------------------------------------
LOCATION_ROW: dict[str, int] = {}


def broken_package() -> bytes:
    """Waypoint's export with four faults: services.csv without its `status` column, a location whose id
    is not a UUID, a language of a phone that exists nowhere, an address of an unknown kind."""
    directory = build_directory()
    files = export.files(export.collect())
    rows = list(csv.reader(io.StringIO(files["services.csv"].decode())))
    status = rows[0].index("status")
    rewritten = io.StringIO()
    writer = csv.writer(rewritten)
    for row in rows:
        writer.writerow(row[:status] + row[status + 1 :])
    files["services.csv"] = rewritten.getvalue().encode()
    office = str(directory["office"].id)
    files["locations.csv"] = files["locations.csv"].decode().replace(office, "office-1").encode()
    lines = files["locations.csv"].decode().splitlines()
    LOCATION_ROW["office-1"] = next(number for number, line in enumerate(lines, start=1) if "office-1" in line)
    missing = str(uuid.UUID(int=7))
    phone = str(directory["phone"].id)
    languages = files["languages.csv"].decode().splitlines()
    files["languages.csv"] = "\r\n".join(
        [languages[0]] + [line.replace(phone, missing) if phone in line else line for line in languages[1:]]
    ).encode()
    files["addresses.csv"] = files["addresses.csv"].decode().replace(",physical", ",street").encode()
    return _zip(files)


def test_a_broken_package_names_every_problem_and_saves_nothing():
    data = broken_package()
    empty_the_directory()
    events = AuditEvent.objects.count()

    parsed = importing.check(importing.read_package(data, "broken.zip"))

    assert not parsed.ok
    found = {(p.table, p.field): p for p in parsed.errors}
    assert ("service", "status") in found
    assert found[("service", "status")].row is None
    assert "required column is missing" in found[("service", "status")].message
    assert "“office-1” is not a UUID" in found[("location", "id")].message
    assert found[("location", "id")].row == LOCATION_ROW["office-1"]
    dangling = found[("language", "phone_id")]
    assert dangling.record_id
    assert "No record of phones.csv has this id" in dangling.message
    assert "“street” is not one of: physical, postal, virtual" in found[("address", "address_type")].message
    assert "addresses.csv, row 2" in str(found[("address", "address_type")])
    with pytest.raises(Exception, match="nothing was imported"):
        importing.apply(parsed)
    assert not any(model.objects.exists() for model in DIRECTORY_MODELS)
    assert AuditEvent.objects.count() == events


def test_a_dangling_reference_alone_is_refused(ngo_x):
    """A phone of a missing service: the phone would belong to nothing."""
    missing = uuid.uuid4()
    document = {"phone": [{"id": str(uuid.uuid4()), "service_id": str(missing), "number": "+7 495 000 00 00"}]}

    parsed = importing.check(importing.read_package(json.dumps(document).encode(), "phones.json"))

    [error] = parsed.errors
    assert (error.table, error.row, error.field) == ("phone", 1, "service_id")
    assert "No record of services.csv has this id" in error.message
    with pytest.raises(Exception, match="nothing was imported"):
        importing.apply(parsed)
    assert not m.Phone.objects.exists()


def test_links_to_records_already_in_the_directory_are_good(ngo_x):
    """A package may add a phone to an organisation the directory already has."""
    document = {"phone": [{"id": str(uuid.uuid4()), "organization_id": str(ngo_x.id), "number": "+7 495 000"}]}

    parsed = importing.check(importing.read_package(json.dumps(document).encode(), "phones.json"))
    importing.apply(parsed)

    assert m.Phone.objects.get().organization == ngo_x


@pytest.mark.parametrize(
    ("table", "row", "field", "message"),
    [
        ("organization", {"id": "X", "name": "A", "description": ""}, "id", "is not a UUID"),
        ("organization", {"id": None, "name": "A"}, "id", "A value is required"),
        ("organization", {"name": "A", "email": "no-at-sign"}, "email", "is not an e-mail address"),
        ("organization", {"name": "A", "website": "www.example.org"}, "website", "is not a web address"),
        ("organization", {"name": "A", "year_incorporated": "nineteen"}, "year_incorporated", "is not a number"),
        ("organization", {"name": "A", "year_incorporated": 1999.5}, "year_incorporated", "whole number"),
        ("organization", {"name": ["A"]}, "name", "must be text"),
        ("organization", {"name": "A" * 301}, "name", "longer than 300"),
        ("service", {"name": "S", "status": "open", "organization_id": "ORG"}, "status", "is not one of"),
        ("service", {"name": "S", "status": "active", "organization_id": "ORG", "assured_date": "15/01/2026"},
         "assured_date", "is not a date"),
        ("service", {"name": "S", "status": "active", "organization_id": "ORG", "last_modified": "yesterday"},
         "last_modified", "is not a date and time"),
        ("service", {"name": "S", "status": "active", "organization_id": "ORG", "minimum_age": -1},
         "minimum_age", "from 0"),
        ("schedule", {"service_id": "SERVICE", "opens_at": "9am"}, "opens_at", "is not a time"),
        ("address", {"location_id": "LOCATION", "address_1": "1 Main St", "city": "Moscow", "country": "Russia",
                     "address_type": "physical", "state_province": "", "postal_code": ""}, "country", "ISO 3166-1"),
        ("cost_option", {"service_id": "SERVICE", "amount": "10.123"}, "amount", "decimal places"),
    ],
)
def test_a_bad_value_is_named(table, row, field, message):
    organisation, service, location = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    replace = {"ORG": str(organisation), "SERVICE": str(service), "LOCATION": str(location)}
    row = {key: replace.get(value, value) if isinstance(value, str) else value for key, value in row.items()}
    row.setdefault("id", str(uuid.uuid4()))
    document = {
        "organization": [{"id": str(organisation), "name": "Org", "description": "d"}],
        "service": [{"id": str(service), "organization_id": str(organisation), "name": "S", "status": "active"}],
        "location": [{"id": str(location), "location_type": "physical"}],
    }
    document.setdefault(table, [])
    document[table] = [*document[table], row]

    parsed = importing.check(importing.read_package(json.dumps(document).encode(), "x.json"))

    assert [(p.table, p.field) for p in parsed.errors] == [(table, field)], parsed.errors
    assert message in parsed.errors[0].message
    assert parsed.errors[0].row == len(document[table])


def test_duplicate_ids_are_refused():
    same = str(uuid.uuid4())
    document = {"organization": [{"id": same, "name": "A", "description": "a"},
                                 {"id": same, "name": "B", "description": "b"}]}

    parsed = importing.check(importing.read_package(json.dumps(document).encode(), "x.json"))

    [error] = parsed.errors
    assert (error.table, error.row, error.field) == ("organization", 2, "id")
    assert "first in row 1" in error.message


def test_a_waypoint_attribute_with_a_bad_value_is_named():
    directory = build_directory()
    document = json.loads(export.json_bytes(export.collect()))
    shelter = str(directory["shelter"].id)
    capacity = next(row for row in document["attribute"] if row["link_id"] == shelter and row.get("value") == "12")
    capacity["value"] = "a dozen"

    parsed = importing.check(importing.read_package(json.dumps(document).encode(), "x.json"))

    [error] = parsed.errors
    assert (error.table, error.field) == ("attribute", "value")
    assert "“a dozen” is not a whole number" in error.message


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"name,city\nA,B\n", "neither a ZIP"),
        (b"PK\x03\x04broken", "cannot be opened"),
        (b"{not json", "not valid JSON"),
        (b"[1, 2]", "must hold an object"),
        (b'{"people": []}', "No table of HSDS 3.0"),
    ],
)
def test_a_file_that_is_no_package_is_refused(data, message):
    parsed = importing.check(importing.read_package(data, "upload"))

    assert not parsed.ok
    assert message in str(parsed.errors[0])


def test_a_csv_that_is_not_utf8_is_refused():
    content = f"id,name,description\r\n{uuid.uuid4()},Société,d\r\n".encode("cp1252")

    parsed = importing.check(importing.read_package(_zip({"organizations.csv": content}), "x.zip"))

    [error] = parsed.errors
    assert error.table == "organization"
    assert "UTF-8" in error.message


def test_times_with_an_offset_are_kept_in_the_schedules_time_zone():
    service, organisation = uuid.uuid4(), uuid.uuid4()
    document = {
        "organization": [{"id": str(organisation), "name": "Org", "description": "d"}],
        "service": [{"id": str(service), "organization_id": str(organisation), "name": "S", "status": "active"}],
        "schedule": [
            {"id": str(uuid.uuid4()), "service_id": str(service), "opens_at": "09:00-05:00", "closes_at": "17:00Z",
             "timezone": 3},
            {"id": str(uuid.uuid4()), "service_id": str(service), "opens_at": "09:00+03:00"},
        ],
    }

    importing.apply(importing.check(importing.read_package(json.dumps(document).encode(), "x.json")))

    times = {(schedule.opens_at, schedule.closes_at, schedule.timezone) for schedule in m.Schedule.objects.all()}
    assert times == {(datetime.time(17), datetime.time(20), 3.0), (datetime.time(9), None, 3.0)}


def test_importing_leaves_a_single_audit_event_naming_the_package_not_its_content(users):
    directory = build_directory()
    data = export.zip_bytes(export.collect())
    m.Service.objects.filter(pk=directory["shelter"].pk).update(name="Renamed")
    parsed = importing.check(importing.read_package(data, "x.zip"))
    before = AuditEvent.objects.count()

    importing.apply(parsed, user=users["administrator"])

    [event] = AuditEvent.objects.filter(pk__gt=0).order_by("-pk")[:1]
    assert AuditEvent.objects.count() == before + 1
    assert event.object_type == "partners.hsds_import"
    assert event.actor_id == users["administrator"].pk
    assert event.changes["service.updated"] == [None, "1"]
    assert event.changes["sha256"] == [None, parsed.sha256]


def test_only_administrators_may_import(users):
    build_directory()
    parsed = importing.check(importing.read_package(export.zip_bytes(export.collect()), "x.zip"))

    with pytest.raises(Exception, match="may not change the partner directory"):
        importing.apply(parsed, user=users["programme_manager"])


def test_every_model_field_of_hsds_is_exchanged():
    """A field added to a directory model without an HSDS column would be lost: it must be one of Waypoint's
    own, carried as an attribute (or internal)."""
    waypoint_own = {
        "organization": {"organisation_type", "country", "region", "city", "is_active", "last_modified"},
        "service": {"accepts_sexes", "accepts_nationalities", "accepts_exploitation_types", "accepting_referrals",
                    "capacity", "available", "availability_updated_at"},
    }
    for table in spec.TABLES:
        columns = {item.column for item in table.fields}
        for model_field in table.model._meta.concrete_fields:
            if isinstance(model_field, models.Field) and model_field.attname not in columns:
                assert model_field.attname in waypoint_own.get(table.name, set()), (table.name, model_field.attname)
