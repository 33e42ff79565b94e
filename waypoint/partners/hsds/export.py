"""The active partner directory as an HSDS 3.0 datapackage: CSV tables in a ZIP, or the same tables as JSON.

What goes out: every active organisation and everything that hangs off it (programmes, services and their
details, locations, contacts, phones, schedules, languages...), the taxonomies with their terms, the
attributes of what is exported, the metadata rows kept from earlier imports, and Waypoint's own fields as
attributes of Waypoint's taxonomies (`extensions`). What never goes out: agreements (internal), inactive
organisations and whatever belongs to them only.

Rows are sorted by id and every value has one spelling (dates ISO 8601, times in UTC with "Z", numbers
without trailing zeros), so that exporting the same directory twice gives the same bytes.
"""

from __future__ import annotations

import csv
import datetime
import decimal
import io
import json
import math
import uuid
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.db.models import Model, QuerySet
from django.utils import timezone

from waypoint.accounts import policy

from ..models import Organisation, Service
from . import extensions, spec

DATAPACKAGE = "datapackage.json"


@dataclass
class Package:
    """Rows per HSDS table (field name -> Python value), in the order of the tables' columns."""

    tables: dict[str, list[dict]]
    created: datetime.datetime = field(default_factory=timezone.now)

    def count(self, table: str) -> int:
        return len(self.tables.get(table, []))

    @property
    def counts(self) -> dict[str, int]:
        return {table.name: self.count(table.name) for table in spec.TABLES}


# --- Collecting the rows ---------------------------------------------------------------------------------
def _rows(user, model: type[Model]) -> QuerySet:
    queryset = model._default_manager.order_by("pk")
    return queryset if user is None else policy.scope(user, queryset)


def _row(table: spec.Table, obj: Model) -> dict:
    return {item.name: getattr(obj, item.column) for item in table.fields}


# Required links of the tabular form: a row without them cannot be written valid, and has no meaning.
REQUIRED_LINKS = {
    table.name: [item.name for item in table.fields if item.required and item.name in table.links]
    for table in spec.TABLES
}


def collect(user=None) -> Package:
    """The exportable directory. `user` scopes every table through the access policy (None: the command
    line, which sees everything)."""
    exported: dict[str, set[uuid.UUID]] = {table.name: set() for table in spec.TABLES}
    tables: dict[str, list[dict]] = {table.name: [] for table in spec.TABLES}
    waypoint_attributes: list[dict] = []
    used_terms: set[uuid.UUID] = set()
    for name in spec.SAVE_ORDER:
        table = spec.BY_NAME[name]
        if name in ("attribute", "metadata"):
            continue  # they describe the other tables' rows: written last
        queryset = _rows(user, table.model)
        if name == "organization":
            queryset = queryset.filter(is_active=True)
        for obj in queryset:
            if obj.pk in extensions.TAXONOMY_IDS or obj.pk in extensions.TERMS:
                continue  # written from the fields, below
            row = _row(table, obj)
            if not _keep(table, row, exported):
                continue
            tables[name].append(row)
            exported[name].add(obj.pk)
            if isinstance(obj, Organisation):
                waypoint_attributes.extend(extensions.organisation_attributes(obj))
            elif isinstance(obj, Service):
                waypoint_attributes.extend(extensions.service_attributes(obj))
        for column, target in table.links.items():
            if target == name:  # a parent organisation or broader term: known once the table is read
                for row in tables[name]:
                    if row[column] is not None and row[column] not in exported[name]:
                        row[column] = None
    used_terms.update(row["taxonomy_term_id"] for row in waypoint_attributes)
    tables["taxonomy"].extend(extensions.taxonomy_rows())
    tables["taxonomy_term"].extend(extensions.term_rows(used_terms))
    exported["taxonomy_term"].update(row["id"] for row in tables["taxonomy_term"])

    hidden = _hidden(user, exported)
    attributes = spec.BY_NAME["attribute"]
    for obj in _rows(user, attributes.model):
        if obj.taxonomy_term_id in extensions.TERMS or obj.taxonomy_term_id not in exported["taxonomy_term"]:
            continue
        if obj.link_id in hidden.get(obj.link_entity, ()):
            continue
        tables["attribute"].append(_row(attributes, obj))
    tables["attribute"].extend(waypoint_attributes)
    metadata = spec.BY_NAME["metadata"]
    for obj in _rows(user, metadata.model):
        if obj.resource_id is None or obj.resource_id in hidden.get(obj.resource_type, ()):
            continue
        tables["metadata"].append(_row(metadata, obj))
    for rows in tables.values():
        rows.sort(key=lambda row: str(row["id"]))
    return Package(tables)


def _keep(table: spec.Table, row: dict, exported: dict[str, set[uuid.UUID]]) -> bool:
    """Whether the row belongs to the exported directory; pointers to what is not exported are blanked."""
    if any(row[name] is None for name in REQUIRED_LINKS[table.name]):
        return False
    for name, target in table.links.items():
        value = row[name]
        if value is None or value in exported[target] or target == table.name:
            continue
        if (table.name, name) in spec.POINTERS:
            row[name] = None
        else:
            return False  # a detail of something that is not exported (an inactive organisation's phone)
    return True


def _hidden(user, exported: dict[str, set[uuid.UUID]]) -> dict[str, set[uuid.UUID]]:
    """Per table, the ids of rows that exist but are not exported: attributes and metadata about them
    stay home. (Links to rows that exist nowhere, kept from an import, are written as they came.)"""
    hidden: dict[str, set[uuid.UUID]] = {}
    for table in spec.TABLES:
        if table.name in ("attribute", "metadata"):
            continue
        every = set(table.model._default_manager.values_list("pk", flat=True))
        hidden[table.name] = every - exported[table.name]
    return hidden


# --- Writing -------------------------------------------------------------------------------------------
def _number_text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    normalised = value.normalize()
    return format(normalised, "f")


def cell(value) -> str:
    """One value as the CSV writes it."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime.datetime):
        return extensions.datetime_text(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, datetime.time):
        return value.isoformat(timespec="seconds")
    if isinstance(value, (int, float, decimal.Decimal)):
        return _number_text(value)
    raise TypeError(f"No CSV form for {type(value).__name__}")


def json_value(value):
    """One value as the JSON form writes it: numbers stay numbers, everything else is text."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("not a finite number")
        return int(value) if value.is_integer() else value
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return cell(value)


def json_row(table: spec.Table, row: dict) -> dict:
    """A row as an HSDS object: empty optional fields are left out, empty required ones are ""."""
    result = {}
    for item in table.fields:
        value = row.get(item.name)
        if value is None or value == "":
            if item.required:
                result[item.name] = ""
            continue
        result[item.name] = json_value(value)
    return result


def csv_bytes(table: spec.Table, rows: Iterable[dict]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(table.field_names)
    for row in rows:
        writer.writerow([cell(row.get(name)) for name in table.field_names])
    return buffer.getvalue().encode("utf-8")


def descriptor(package: Package) -> dict:
    """The data package descriptor: HSDS's tables, columns and constraints, with when it was made."""
    return {
        "profile": "tabular-data-package",
        "name": "waypoint-partner-directory",
        "title": "Waypoint partner directory",
        "description": (
            "Partner organisations, their services, locations and contacts, in the Human Services Data "
            "Specification (HSDS) 3.0. Waypoint's own fields are attributes of the \"Waypoint ...\" taxonomies."
        ),
        "hsds_version": spec.HSDS_VERSION,
        "created": extensions.datetime_text(package.created.replace(microsecond=0)),
        "resources": [spec.descriptor_resource(table) for table in spec.TABLES],
    }


def files(package: Package) -> dict[str, bytes]:
    """The package's files by name: the descriptor and one CSV per table, every table written."""
    written = {DATAPACKAGE: (json.dumps(descriptor(package), indent=2, ensure_ascii=False) + "\n").encode("utf-8")}
    for table in spec.TABLES:
        written[table.path] = csv_bytes(table, package.tables.get(table.name, []))
    return written


def zip_bytes(package: Package) -> bytes:
    buffer = io.BytesIO()
    stamp = timezone.localtime(package.created).timetuple()[:6]
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in files(package).items():
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, content)
    return buffer.getvalue()


def json_document(package: Package) -> dict:
    """The tables as JSON, shaped as HSDS's `compiled/tabular.json`: {table name: [rows]}."""
    return {
        table.name: [json_row(table, row) for row in package.tables.get(table.name, [])] for table in spec.TABLES
    }


def json_bytes(package: Package) -> bytes:
    return (json.dumps(json_document(package), indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def write(package: Package, target: Path, file_format: str = "csv") -> Path:
    """Write to `target`: a .zip or .json file, or a folder of CSV files with their descriptor."""
    target = Path(target)
    if file_format == "json":
        target.write_bytes(json_bytes(package))
    elif target.suffix.lower() == ".zip":
        target.write_bytes(zip_bytes(package))
    else:
        target.mkdir(parents=True, exist_ok=True)
        for name, content in files(package).items():
            (target / name).write_bytes(content)
    return target


def filename(file_format: str, day: datetime.date | None = None) -> str:
    day = day or timezone.localdate()
    return f"waypoint-directory-hsds-{day.isoformat()}.{'json' if file_format == 'json' else 'zip'}"
