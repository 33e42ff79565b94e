"""Import of an HSDS 3.0 datapackage: read, check everything, show what would change, then save all or nothing.

A package is a ZIP of CSV files (with or without its `datapackage.json`), a folder of them (the command
line), or the JSON form of the tables (`{"organization": [...], ...}`, as Waypoint's export writes it and
as HSDS's `compiled/tabular.json` describes; tables may also be keyed by their file names, as in HSDS's
`examples/tabular.json`).

`read_package` parses the files and `check` validates every value with Waypoint's own rules (required
columns and values, types, enumerations, UUIDs, dates, e-mail addresses and URLs, duplicate ids, and the
references between tables, in the package or already in the directory), then works out per table what
would be created, updated or left as it is. Problems name the table, the row as the user sees it in the
file (a CSV's header is row 1) or its position in the JSON list, the record's id and the field.

Links to records that are neither in the package nor in the directory are dropped with a warning when the
record stands on its own without them (a location of an unknown organisation, a term of an unknown
taxonomy), as HSDS's own sample package has them; a record that would be left attached to nothing (a phone
of a missing service) is an error. Nothing is ever deleted: a record missing from the package stays.

Attributes of Waypoint's taxonomies become the fields they stand for (`extensions`); other attributes are
kept as attributes. `apply` saves in one transaction, creating or updating by id, so that importing the
same package again changes nothing.
"""

from __future__ import annotations

import csv
import datetime
import decimal
import hashlib
import io
import json
import math
import re
import uuid
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from waypoint.accounts import policy
from waypoint.audit.models import Action
from waypoint.audit.services import record
from waypoint.people.codes import COUNTRY_CODES

from ..models import OrganisationType
from . import extensions, spec

MAX_BYTES = 25 * 1024 * 1024  # an upload; a directory of thousands of services is a few MB
MAX_UNPACKED_BYTES = 250 * 1024 * 1024  # a ZIP that unpacks to more is refused before it is read
MAX_ROWS = 200_000
QUERY_CHUNK = 500

# Required by HSDS but often empty in real directories, and optional in Waypoint: an empty value is kept
# empty with a warning rather than refusing the package.
RELAXED = frozenset({
    ("organization", "description"), ("program", "description"),
    ("address", "state_province"), ("address", "postal_code"),
})
UUID_PATTERN = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
DATE_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$")
TIME_PATTERN = re.compile(r"^(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")
validate_url = URLValidator(schemes=["http", "https", "ftp", "ftps"])


class Problem:
    """One thing wrong (an error) or worth knowing (a warning) in the package."""

    def __init__(self, table: str, message: str, *, row: int | None = None, record_id: str = "",
                 field_name: str = "", path: str = "") -> None:
        self.table, self.message, self.row, self.record_id, self.field = table, message, row, record_id, field_name
        self.path = path or (spec.BY_NAME[table].path if table in spec.BY_NAME else "")

    def __repr__(self) -> str:
        return f"Problem({self})"

    def __str__(self) -> str:
        where = [self.path or self.table]
        if self.row is not None:
            where.append(_("row %(row)d") % {"row": self.row})
        if self.record_id:
            where.append(_("id %(id)s") % {"id": self.record_id})
        if self.field:
            where.append(_("field “%(field)s”") % {"field": self.field})
        where = [part for part in where if part]
        return f"{', '.join(where)}: {self.message}" if where else self.message


@dataclass
class Record:
    table: str
    row: int  # CSV line (header = 1) or position in the JSON list (from 1)
    raw: dict[str, Any]  # the given fields as read: absent columns of a CSV are "not given"
    values: dict[str, Any] = field(default_factory=dict)  # HSDS field name -> Python value
    id: uuid.UUID | None = None
    valid: bool = True

    @property
    def record_id(self) -> str:
        return str(self.id) if self.id else str(self.raw.get("id") or "")[:64]


@dataclass
class TablePlan:
    create: list[dict] = field(default_factory=list)  # model field -> value
    update: list[tuple[models.Model, dict]] = field(default_factory=list)  # (row, changed fields)
    unchanged: int = 0
    waypoint: int = 0  # rows of Waypoint's own taxonomies: turned into fields, not stored

    @property
    def total(self) -> int:
        return len(self.create) + len(self.update) + self.unchanged


@dataclass
class ParsedPackage:
    sha256: str
    kind: str = ""  # "csv" or "json"
    records: dict[str, list[Record]] = field(default_factory=dict)
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    plans: dict[str, TablePlan] = field(default_factory=dict)
    unreadable: set[str] = field(default_factory=set)  # tables whose file could not be read at all
    checked: bool = False

    @property
    def ok(self) -> bool:
        return self.checked and not self.errors and any(plan.total or plan.waypoint for plan in self.plans.values())

    @property
    def record_count(self) -> int:
        return sum(len(rows) for rows in self.records.values())

    def error(self, table: str, message: str, **where) -> None:
        self.errors.append(Problem(table, message, **where))

    def warn(self, table: str, message: str, **where) -> None:
        self.warnings.append(Problem(table, message, **where))

    def summary(self) -> list[dict]:
        """Per table in the package's order: how many rows were read and what would happen to them."""
        rows = []
        for table in spec.TABLES:
            plan = self.plans.get(table.name, TablePlan())
            read = len(self.records.get(table.name, []))
            if read or plan.total:
                rows.append({
                    "table": table.name, "path": table.path, "read": read, "create": len(plan.create),
                    "update": len(plan.update), "unchanged": plan.unchanged, "waypoint": plan.waypoint,
                })
        return rows


# --- Reading ------------------------------------------------------------------------------------------
def read_package(data: bytes, name: str = "") -> ParsedPackage:
    """Parse an upload: a ZIP of CSV files or the JSON form. Never raises on bad input: problems are listed."""
    parsed = ParsedPackage(sha256=hashlib.sha256(data).hexdigest())
    if data[:4] == b"PK\x03\x04" or name.lower().endswith(".zip"):
        files = _unzip(data, parsed)
        if files is not None:
            _read_csv_files(files, parsed)
    elif data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"[") or name.lower().endswith(".json"):
        _read_json(data, parsed)
    else:
        parsed.error("", _("The file is neither a ZIP of CSV files nor an HSDS JSON file."))
    return parsed


def read_path(path: Path) -> ParsedPackage:
    """A package on disk (the command line): a folder of CSV files, a ZIP or a JSON file."""
    path = Path(path)
    if not path.is_dir():
        return read_package(path.read_bytes(), path.name)
    files: dict[str, bytes] = {}
    digest = hashlib.sha256()
    for item in sorted(path.iterdir()):
        if item.is_file() and item.suffix.lower() in (".csv", ".json"):
            files[item.name] = item.read_bytes()
            digest.update(item.name.encode() + b"\0" + files[item.name])
    parsed = ParsedPackage(sha256=digest.hexdigest())
    _read_csv_files(files, parsed)
    return parsed


def _unzip(data: bytes, parsed: ParsedPackage) -> dict[str, bytes] | None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = [info for info in archive.infolist() if not info.is_dir()]
        if sum(info.file_size for info in members) > MAX_UNPACKED_BYTES:
            parsed.error("", _("The ZIP file unpacks to more than %(size)d MB.") % {
                "size": MAX_UNPACKED_BYTES // (1024 * 1024)})
            return None
        files: dict[str, bytes] = {}
        for info in members:
            base = info.filename.replace("\\", "/").rsplit("/", 1)[-1]
            if base.startswith(".") or "__MACOSX" in info.filename:
                continue
            if base in files:
                parsed.error("", _("The ZIP file holds two files named %(name)s.") % {"name": base})
                continue
            files[base] = archive.read(info)
        return files
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, RuntimeError, NotImplementedError):
        parsed.error("", _("The ZIP file cannot be opened: it is damaged, encrypted or not a ZIP file."))
        return None


def _resource_paths(files: dict[str, bytes], parsed: ParsedPackage) -> dict[str, str]:
    """{table name: file name}: HSDS's file names, or those the package's descriptor gives."""
    paths = {table.name: table.path for table in spec.TABLES}
    content = files.get("datapackage.json")
    if content is None:
        return paths
    try:
        described = json.loads(content.decode("utf-8-sig"))
        resources = described["resources"]
        for resource in resources:
            name, path = resource.get("name"), str(resource.get("path", "")).rsplit("/", 1)[-1]
            if name in paths and path in files:
                paths[name] = path
    except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError, AttributeError):
        parsed.warn("", _("The descriptor cannot be read; the tables are recognised by HSDS's file names."),
                    path="datapackage.json")
    return paths


def _read_csv_files(files: dict[str, bytes], parsed: ParsedPackage) -> None:
    parsed.kind = "csv"
    paths = _resource_paths(files, parsed)
    used = set()
    for table in spec.TABLES:
        path = paths[table.name]
        if path in files:
            used.add(path)
            _read_csv(table, path, files[path], parsed)
    for name in sorted(set(files) - used - {"datapackage.json"}):
        parsed.warn("", _("This file is not a table of HSDS 3.0 and is ignored."), path=name)
    if not used and not parsed.errors:
        parsed.error("", _("No table of HSDS 3.0 was found (organizations.csv, services.csv, ...)."))


def _read_csv(table: spec.Table, path: str, content: bytes, parsed: ParsedPackage) -> None:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        parsed.error(table.name, _("The file is not in UTF-8: save it as “CSV UTF-8”."), path=path)
        parsed.unreadable.add(table.name)
        return
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [column.strip() for column in next(reader)]
    except StopIteration:
        parsed.warn(table.name, _("The file is empty."), path=path)
        return
    except csv.Error as exc:
        parsed.error(table.name, _("The file is not a readable CSV file (%(reason)s).") % {"reason": exc}, path=path)
        parsed.unreadable.add(table.name)
        return
    known = set(table.field_names)
    seen: set[str] = set()
    for column in header:
        if column in seen:
            parsed.error(table.name, _("The column appears twice."), field_name=column, path=path)
        seen.add(column)
    for column in header:
        if column and column not in known:
            parsed.warn(table.name, _("HSDS has no such column in this table: it is ignored."), field_name=column,
                        path=path)
    for item in table.fields:
        if item.required and item.name not in seen:
            parsed.error(table.name, _("A required column is missing."), field_name=item.name, path=path)
    if len(seen) != len(header) or any(item.required and item.name not in seen for item in table.fields):
        parsed.unreadable.add(table.name)
        return
    rows = parsed.records.setdefault(table.name, [])
    try:
        for line, values in enumerate(reader, start=2):
            if not any(value.strip() for value in values):
                continue
            if len(values) != len(header):
                parsed.error(table.name, _("The row has %(found)d values for %(expected)d columns.") % {
                    "found": len(values), "expected": len(header)}, row=line, path=path)
                continue
            rows.append(Record(table.name, line, {
                column: value for column, value in zip(header, values, strict=True) if column in known
            }))
            if parsed.record_count > MAX_ROWS:
                parsed.error(table.name, _("The package has more than %(max)d rows.") % {"max": MAX_ROWS}, path=path)
                return
    except csv.Error as exc:
        parsed.error(table.name, _("The file is not a readable CSV file (%(reason)s).") % {"reason": exc}, path=path)
        parsed.unreadable.add(table.name)


def _read_json(data: bytes, parsed: ParsedPackage) -> None:
    parsed.kind = "json"
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        parsed.error("", _("The file is not valid JSON (%(reason)s).") % {"reason": exc})
        return
    if not isinstance(document, dict):
        parsed.error("", _("The JSON file must hold an object with one list of records per HSDS table."))
        return
    found = False
    for key, items in document.items():
        table = spec.BY_NAME.get(key) or spec.BY_PATH.get(key)
        if table is None:
            parsed.warn("", _("“%(key)s” is not a table of HSDS 3.0 and is ignored.") % {"key": key})
            continue
        found = True
        if not isinstance(items, list):
            parsed.error(table.name, _("The table must be a list of records."))
            parsed.unreadable.add(table.name)
            continue
        rows = parsed.records.setdefault(table.name, [])
        known = set(table.field_names)
        for position, item in enumerate(items, start=1):
            if not isinstance(item, dict):
                parsed.error(table.name, _("The record is not an object."), row=position)
                continue
            extra = sorted(set(item) - known)
            if extra:
                parsed.warn(table.name, _("Fields that are not columns of the table are ignored: %(fields)s.") % {
                    "fields": ", ".join(extra)}, row=position, record_id=str(item.get("id", ""))[:64])
            # In JSON an absent field is an empty one: every column is given.
            rows.append(Record(table.name, position, {name: item.get(name) for name in table.field_names}))
            if parsed.record_count > MAX_ROWS:
                parsed.error(table.name, _("The package has more than %(max)d rows.") % {"max": MAX_ROWS})
                return
    if not found and not parsed.errors:
        parsed.error("", _("No table of HSDS 3.0 was found in the JSON file."))


# --- Checking values ------------------------------------------------------------------------------------
class FieldError(ValueError):
    pass


def _is_empty(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def _text(raw: Any) -> str:
    if isinstance(raw, bool) or not isinstance(raw, str | int | float):
        raise FieldError(_("must be text."))
    return raw if isinstance(raw, str) else str(raw)


def _number(raw: Any) -> decimal.Decimal:
    if isinstance(raw, bool):
        raise FieldError(_("must be a number."))
    if isinstance(raw, int | float):
        if isinstance(raw, float) and not math.isfinite(raw):
            raise FieldError(_("must be a number."))
        return decimal.Decimal(str(raw))
    if not isinstance(raw, str):
        raise FieldError(_("must be a number."))
    try:
        number = decimal.Decimal(raw.strip())
    except decimal.InvalidOperation:
        raise FieldError(_("“%(value)s” is not a number.") % {"value": raw}) from None
    if not number.is_finite():
        raise FieldError(_("“%(value)s” is not a number.") % {"value": raw})
    return number


def _integer(raw: Any, model_field: models.Field) -> int:
    number = _number(raw)
    if number != number.to_integral_value():
        raise FieldError(_("must be a whole number."))
    value = int(number)
    low, high = 0, 2_147_483_647
    if isinstance(model_field, models.PositiveSmallIntegerField):
        high = 32_767
    if not low <= value <= high:
        raise FieldError(_("must be a whole number from %(low)d to %(high)d.") % {"low": low, "high": high})
    return value


def _decimal(raw: Any, model_field: models.DecimalField) -> decimal.Decimal:
    number = _number(raw)
    places = -number.as_tuple().exponent if number.as_tuple().exponent < 0 else 0
    if places > model_field.decimal_places:
        raise FieldError(_("has more than %(places)d decimal places.") % {"places": model_field.decimal_places})
    if abs(number) >= 10 ** (model_field.max_digits - model_field.decimal_places):
        raise FieldError(_("is too large."))
    return number


def _date(raw: Any) -> datetime.date:
    text = _text(raw).strip()
    try:
        if not DATE_PATTERN.match(text):
            raise ValueError
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise FieldError(_("“%(value)s” is not a date (YYYY-MM-DD).") % {"value": text}) from None


def _datetime(raw: Any) -> datetime.datetime:
    text = _text(raw).strip()
    try:
        if not DATE_PATTERN.match(text[:10]) or len(text) < 16:
            raise ValueError
        value = datetime.datetime.fromisoformat(text)
    except ValueError:
        raise FieldError(
            _("“%(value)s” is not a date and time (ISO 8601, for example 2026-03-15T10:30:00Z).") % {"value": text}
        ) from None
    return value if value.tzinfo else value.replace(tzinfo=datetime.UTC)


def _time(raw: Any) -> datetime.time:
    """HH:MM or HH:MM:SS, with a "Z" or an offset where the package gives one (HSDS asks for it)."""
    text = _text(raw).strip()
    match = TIME_PATTERN.match(text)
    try:
        if not match:
            raise ValueError
        hours, minutes, seconds = int(match[1]), int(match[2]), int(match[3] or 0)
        zone = None
        if match[4]:
            if match[4] == "Z":
                zone = datetime.UTC
            else:
                sign = -1 if match[4][0] == "-" else 1
                digits = match[4][1:].replace(":", "")
                zone = datetime.timezone(sign * datetime.timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
        return datetime.time(hours, minutes, seconds, tzinfo=zone)
    except ValueError:
        raise FieldError(_("“%(value)s” is not a time (HH:MM or HH:MM:SS).") % {"value": text}) from None


def convert(table: spec.Table, item: spec.Field, raw: Any) -> Any:
    """The Python value of one non-empty field, or FieldError saying what is wrong with it."""
    model_field = table.model_field(item.name)
    if item.format == spec.UUID:
        text = _text(raw).strip()
        if not UUID_PATTERN.match(text):
            raise FieldError(_("“%(value)s” is not a UUID.") % {"value": text[:80]})
        return uuid.UUID(text)
    if item.enum:
        text = _text(raw).strip()
        if text not in item.enum:
            raise FieldError(_("“%(value)s” is not one of: %(choices)s.") % {
                "value": text[:80], "choices": ", ".join(item.enum)})
        return text
    if isinstance(model_field, models.DateTimeField):
        return _datetime(raw)
    if isinstance(model_field, models.DateField):
        return _date(raw)
    if isinstance(model_field, models.TimeField):
        return _time(raw)
    if isinstance(model_field, models.DecimalField):
        return _decimal(raw, model_field)
    if isinstance(model_field, models.FloatField):
        return float(_number(raw))
    if isinstance(model_field, models.IntegerField):
        return _integer(raw, model_field)
    text = _text(raw)
    if (table.name, item.name) == ("address", "country"):
        if text.strip().upper() not in COUNTRY_CODES:
            raise FieldError(_("“%(value)s” is not an ISO 3166-1 two-letter country code.") % {"value": text[:80]})
        return text.strip().upper()
    if model_field.max_length and len(text) > model_field.max_length:
        raise FieldError(_("is longer than %(max)d characters.") % {"max": model_field.max_length})
    if item.format == spec.EMAIL:
        try:
            validate_email(text.strip())
        except ValidationError:
            raise FieldError(_("“%(value)s” is not an e-mail address.") % {"value": text[:80]}) from None
        return text.strip()
    if item.format == spec.URI:
        try:
            validate_url(text.strip())
        except ValidationError:
            raise FieldError(_("“%(value)s” is not a web address (http:// or https://).") % {
                "value": text[:80]}) from None
        return text.strip()
    return text


def _check_values(parsed: ParsedPackage) -> None:
    for table in spec.TABLES:
        for entry in parsed.records.get(table.name, []):
            for item in table.fields:
                if item.name not in entry.raw:
                    continue  # a column the CSV does not have: left as it is
                raw = entry.raw[item.name]
                where = {"row": entry.row, "record_id": entry.record_id, "field_name": item.name}
                if _is_empty(raw):
                    entry.values[item.name] = None
                    if item.required and (table.name, item.name) in RELAXED:
                        parsed.warn(table.name, _("HSDS requires a value here; it is left empty."), **where)
                    elif item.required:
                        parsed.error(table.name, _("A value is required."), **where)
                        entry.valid = False
                    continue
                try:
                    entry.values[item.name] = convert(table, item, raw)
                except FieldError as exc:
                    parsed.error(table.name, str(exc), **where)
                    entry.valid = False
            entry.id = entry.values.get("id") if isinstance(entry.values.get("id"), uuid.UUID) else None
            if table.name == "schedule":
                _schedule_times(entry)


def _schedule_times(entry: Record) -> None:
    """Times with an offset are stored in the schedule's own time zone (`timezone`, hours from UTC)."""
    for name in ("opens_at", "closes_at"):
        value = entry.values.get(name)
        if not isinstance(value, datetime.time) or value.tzinfo is None:
            continue
        offset = value.utcoffset().total_seconds() / 3600
        zone = entry.values.get("timezone")
        if zone is None:
            entry.values["timezone"] = zone = offset
        moment = datetime.datetime.combine(datetime.date(2000, 1, 3), value.replace(tzinfo=None))
        moment += datetime.timedelta(hours=zone - offset)
        entry.values[name] = moment.time()


def _check_duplicates(parsed: ParsedPackage) -> None:
    for table in spec.TABLES:
        first: dict[uuid.UUID, int] = {}
        codes: dict[str, int] = {}
        for entry in parsed.records.get(table.name, []):
            if entry.id is None:
                continue
            if entry.id in first:
                parsed.error(table.name, _("The id is used twice in this table (first in row %(row)d).") % {
                    "row": first[entry.id]}, row=entry.row, record_id=entry.record_id, field_name="id")
                entry.valid = False
            else:
                first[entry.id] = entry.row
            code = entry.values.get("code") if table.name == "taxonomy_term" else None
            if code:
                if code in codes:
                    parsed.warn(table.name, _("The code is used by another term too (row %(row)d).") % {
                        "row": codes[code]}, row=entry.row, record_id=entry.record_id, field_name="code")
                codes.setdefault(code, entry.row)


# --- Checking references --------------------------------------------------------------------------------
def _existing_ids(model: type[models.Model], ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
    ids = list(set(ids))
    found: set[uuid.UUID] = set()
    for start in range(0, len(ids), QUERY_CHUNK):
        chunk = ids[start : start + QUERY_CHUNK]
        found.update(model._default_manager.filter(pk__in=chunk).values_list("pk", flat=True))
    return found


def _is_waypoint_row(table: str, entry: Record) -> bool:
    return (table == "taxonomy" and entry.id in extensions.TAXONOMY_IDS) or (
        table == "taxonomy_term" and entry.id in extensions.TERMS
    )


def _known_ids(parsed: ParsedPackage) -> dict[str, set[uuid.UUID]]:
    """Per table, the ids a link may point to: the package's own rows (not Waypoint's taxonomies, which are
    not stored) and the rows of the directory that the package's links name."""
    known = {
        table.name: {
            entry.id for entry in parsed.records.get(table.name, [])
            if entry.id is not None and not _is_waypoint_row(table.name, entry)
        }
        for table in spec.TABLES
    }
    wanted: dict[str, set[uuid.UUID]] = {table.name: set() for table in spec.TABLES}
    for table in spec.TABLES:
        for entry in parsed.records.get(table.name, []):
            for column, target in table.links.items():
                value = entry.values.get(column)
                if isinstance(value, uuid.UUID) and value not in known[target]:
                    wanted[target].add(value)
    for name, ids in wanted.items():
        known[name] |= _existing_ids(spec.BY_NAME[name].model, ids)
    return known


def _check_links(parsed: ParsedPackage, known: dict[str, set[uuid.UUID]]) -> None:
    for table in spec.TABLES:
        for entry in parsed.records.get(table.name, []):
            if _is_waypoint_row(table.name, entry):
                continue
            given = [column for column in table.links if entry.values.get(column) is not None]
            dangling = []
            for column in given:
                target = table.links[column]
                value = entry.values[column]
                if value in known[target] or target in parsed.unreadable:
                    continue
                if table.name == "attribute" and value in extensions.TERMS:
                    continue  # a term of Waypoint's own taxonomies: the attribute becomes a field
                dangling.append(column)
            if not dangling:
                continue
            orphan = table.dependent and len(dangling) == len(given)
            for column in dangling:
                target = spec.BY_NAME[table.links[column]]
                where = {"row": entry.row, "record_id": entry.record_id, "field_name": column}
                required = table.get(column).required or not table.model_field(column).null
                if required or orphan:
                    parsed.error(table.name, _(
                        "No record of %(table)s has this id, in the package or in the directory."
                    ) % {"table": target.path}, **where)
                    entry.valid = False
                else:
                    parsed.warn(table.name, _(
                        "No record of %(table)s has this id, in the package or in the directory: the link is left out."
                    ) % {"table": target.path}, **where)
                    entry.values[column] = None


def _check_attributes(parsed: ParsedPackage, known: dict[str, set[uuid.UUID]]) -> dict:
    """Waypoint's attributes, checked and gathered per object: {(entity, id): [(extension, code, value)]}."""
    entries = [entry for entry in parsed.records.get("attribute", []) if entry.valid]
    linked: dict[str, set[uuid.UUID]] = {}
    for entry in entries:
        entity, link_id = entry.values.get("link_entity"), entry.values.get("link_id")
        if entity in spec.BY_NAME and isinstance(link_id, uuid.UUID) and link_id not in known[entity]:
            linked.setdefault(entity, set()).add(link_id)
    for entity, ids in linked.items():
        known[entity] |= _existing_ids(spec.BY_NAME[entity].model, ids)
    gathered: dict[tuple[str, uuid.UUID], list[tuple[extensions.Extension, str, str]]] = {}
    for entry in entries:
        where = {"row": entry.row, "record_id": entry.record_id}
        entity, link_id = entry.values.get("link_entity"), entry.values.get("link_id")
        term = entry.values.get("taxonomy_term_id")
        if term not in extensions.TERMS:
            if entity in spec.BY_NAME and link_id not in known[entity]:
                parsed.warn("attribute", _("It links to no record of %(table)s, in the package or in the directory; "
                                           "it is kept as it is.") % {"table": spec.BY_NAME[entity].path},
                            field_name="link_id", **where)
            continue
        extension, code = extensions.TERMS[term]
        if entity != extension.entity:
            parsed.error("attribute", _("A term of “%(taxonomy)s” describes a record of %(table)s.") % {
                "taxonomy": extension.name, "table": spec.BY_NAME[extension.entity].path},
                field_name="link_entity", **where)
            entry.valid = False
            continue
        if link_id not in known[entity]:
            parsed.error("attribute", _("No record of %(table)s has this id, in the package or in the directory.") % {
                "table": spec.BY_NAME[entity].path}, field_name="link_id", **where)
            entry.valid = False
            continue
        value = entry.values.get("value") or ""
        if extension.valued:
            try:
                extensions.field_value(extension, code, value)
            except extensions.AttributeValueError as exc:
                parsed.error("attribute", str(exc), field_name="value", **where)
                entry.valid = False
                continue
        found = gathered.setdefault((entity, link_id), [])
        for other, other_code, other_value in found:
            if other is extension and (
                (extension.key == extensions.ORGANISATION_TYPES and other_code != code)
                or (extension.valued and other_code == code and other_value != value)
            ):
                parsed.error("attribute", _(
                    "The record has another attribute of “%(taxonomy)s” that says otherwise."
                ) % {"taxonomy": extension.name}, field_name="taxonomy_term_id", **where)
                entry.valid = False
                break
        else:
            found.append((extension, code, value))
    return gathered


# --- Working out what changes ---------------------------------------------------------------------------
def _model_values(table: spec.Table, entry: Record) -> dict:
    """The record's given fields as model field values (empty text is "", empty anything else None)."""
    result = {}
    for item in table.fields:
        if item.name == "id" or item.name not in entry.values:
            continue
        value = entry.values[item.name]
        model_field = table.model_field(item.name)
        if value is None and not model_field.null and isinstance(model_field, models.CharField | models.TextField):
            value = ""
        result[model_field.attname] = value
    return result


def _same(old: Any, new: Any) -> bool:
    if isinstance(old, list) or isinstance(new, list):
        return sorted(map(str, old or [])) == sorted(map(str, new or []))
    if isinstance(old, float) and isinstance(new, float):
        return old == new or (math.isnan(old) and math.isnan(new))
    return old == new


def _plan(parsed: ParsedPackage, gathered: dict) -> None:
    now = timezone.now()
    for name in spec.SAVE_ORDER:
        table = spec.BY_NAME[name]
        plan = parsed.plans.setdefault(name, TablePlan())
        entries = [entry for entry in parsed.records.get(name, []) if entry.valid and entry.id is not None]
        existing = {
            obj.pk: obj for start in range(0, len(entries), QUERY_CHUNK)
            for obj in table.model._default_manager.filter(pk__in=[e.id for e in entries[start : start + QUERY_CHUNK]])
        }
        targets: dict[uuid.UUID, dict] = {}
        for entry in entries:
            if _is_waypoint_row(name, entry) or (name == "attribute" and entry.values.get("taxonomy_term_id")
                                                 in extensions.TERMS):
                plan.waypoint += 1
                continue
            targets[entry.id] = _model_values(table, entry)
        if name in ("organization", "service"):
            _add_waypoint_fields(name, table, targets, existing, gathered)
        for pk, values in targets.items():
            obj = existing.get(pk)
            if obj is None:
                if name == "organization":
                    values.setdefault("organisation_type", OrganisationType.OTHER)
                    values["last_modified"] = now
                if name == "service" and values.get("last_modified") is None:
                    values["last_modified"] = now
                plan.create.append({"id": pk, **values})
                continue
            if name == "service" and values.get("last_modified") is None:
                values.pop("last_modified", None)  # not given: it becomes "now" if anything changes
            changed = {key: value for key, value in values.items() if not _same(getattr(obj, key), value)}
            if not changed:
                plan.unchanged += 1
                continue
            if name == "organization" or (name == "service" and "last_modified" not in values):
                changed["last_modified"] = now
            plan.update.append((obj, changed))


def _add_waypoint_fields(name: str, table: spec.Table, targets: dict, existing: dict, gathered: dict) -> None:
    """Organisations and services with Waypoint attributes get every Waypoint field from them (those without
    an attribute at their default); those without any keep theirs. An object of the directory that is not in
    the package but has Waypoint attributes in it is updated too."""
    for (entity, link_id), found in gathered.items():
        if entity != name:
            continue
        if link_id not in targets:
            obj = existing.get(link_id) or table.model._default_manager.filter(pk=link_id).first()
            if obj is None:
                continue
            existing[link_id] = obj
            targets[link_id] = {}
        fields = extensions.restore(entity, found)
        if name == "service":
            fields["accepts_nationalities"] = sorted(code.upper() for code in fields["accepts_nationalities"])
        targets[link_id].update(fields)


def check(parsed: ParsedPackage) -> ParsedPackage:
    """Validate everything and work out what would change; `parsed.ok` says whether it may be saved."""
    if parsed.checked:
        return parsed
    if parsed.records:  # every table that could be read is checked, so that every problem is named at once
        _check_values(parsed)
        _check_duplicates(parsed)
        known = _known_ids(parsed)
        _check_links(parsed, known)
        gathered = _check_attributes(parsed, known)
        if not parsed.errors:
            _plan(parsed, gathered)
    if not parsed.errors and not any(plan.total or plan.waypoint for plan in parsed.plans.values()):
        parsed.error("", _("The package holds no records."))
    parsed.checked = True
    return parsed


# --- Saving --------------------------------------------------------------------------------------------
def apply(parsed: ParsedPackage, *, user=None, request=None) -> dict[str, dict[str, int]]:
    """Save a checked package: every change or none. Returns {table: {"created": n, "updated": n}}.

    `user` None is the command line; a user must be allowed to change the directory.
    """
    if user is not None and not policy.may(user, policy.CHANGE_DIRECTORY):
        raise PermissionDenied(_("You may not change the partner directory."))
    check(parsed)
    if not parsed.ok:
        raise ValidationError(_("The package has errors: nothing was imported."), code="invalid")
    result: dict[str, dict[str, int]] = {}
    with transaction.atomic():
        for name in spec.SAVE_ORDER:
            table = spec.BY_NAME[name]
            plan = parsed.plans.get(name, TablePlan())
            if plan.create:
                table.model._default_manager.bulk_create(
                    [table.model(**values) for values in plan.create], batch_size=QUERY_CHUNK
                )
            if plan.update:
                changed_fields = sorted({key for _obj, changed in plan.update for key in changed})
                objects = []
                for obj, changed in plan.update:
                    for key, value in changed.items():
                        setattr(obj, key, value)
                    objects.append(obj)
                table.model._default_manager.bulk_update(objects, changed_fields, batch_size=QUERY_CHUNK)
            if plan.create or plan.update:
                result[name] = {"created": len(plan.create), "updated": len(plan.update)}
        record(
            Action.UPDATE, actor=user, object_type="partners.hsds_import", request=request,
            username="" if user is not None else "manage.py",
            changes={
                "sha256": [None, parsed.sha256], "format": [None, parsed.kind],
                **{f"{name}.created": [None, str(counts["created"])] for name, counts in result.items()},
                **{f"{name}.updated": [None, str(counts["updated"])] for name, counts in result.items()},
            },
        )
    return result


def changed_objects(parsed: ParsedPackage, name: str, limit: int = 50) -> list[dict]:
    """Names of organisations or services that would be created or updated, for the preview."""
    plan = parsed.plans.get(name, TablePlan())
    rows = [{"name": values.get("name", ""), "action": "create"} for values in plan.create]
    rows += [{"name": obj.name, "action": "update", "fields": sorted(changed)} for obj, changed in plan.update]
    return rows[:limit]
