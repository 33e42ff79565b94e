# ruff: noqa: RUF001
"""Import of persons from a CSV or XLSX file: everything is read and checked first, then saved all or nothing.

`read_file` turns the file into plain dicts, checking every value with the rules of the model
(`people.validation`). It calls the validators directly, with caches for values that repeat (names, dates,
codes), instead of `full_clean` per row: 100,000 rows check in seconds. Every problem becomes a `RowError`
naming the row as the user sees it in the file (the header is row 1) and the column as written in the header.

`import_rows` saves the checked rows in one transaction: persons in bulk, then their programme registrations,
identity documents (encrypted, with their blind index), other names and matching keys, and one audit event
for the whole import. Any failure rolls everything back.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from waypoint.accounts import policy
from waypoint.accounts.models import User
from waypoint.audit.models import Action
from waypoint.audit.services import record

from . import index
from .bulk import BulkWriter
from .codes import COUNTRY_CODES
from .models import (
    AliasKind,
    BirthDatePrecision,
    DocumentType,
    IdentityDocument,
    NameKey,
    Person,
    PersonAlias,
    ProgrammeRegistration,
    Sex,
)
from .transliteration import icao_latin, latinise
from .validation import (
    normalise_document_number,
    validate_birth_date,
    validate_countries,
    validate_document_number,
    validate_languages,
    validate_name,
    validate_not_future,
)

MAX_BYTES = 50 * 1024 * 1024  # ~170,000 rows with every column filled
MAX_ROWS = 200_000
MAX_XLSX_EXPANDED_BYTES = 1024 * 1024 * 1024  # a workbook is a zip: refuse one that unpacks to more than 1 GB
BATCH_SIZE = 2000  # rows saved per round of bulk inserts: bounds memory whatever the file's size
NAME_MAX_LENGTH = Person._meta.get_field("given_name").max_length

COLUMNS: tuple[str, ...] = (
    "family_name", "given_name", "patronymic", "family_name_latin", "given_name_latin", "patronymic_latin",
    "sex", "birth_date", "citizenships", "languages", "phone", "email", "address",
    "document_type", "document_number", "document_country", "document_issued_on", "document_expires_on",
    "other_names",
)
NAME_COLUMNS = ("family_name", "given_name", "patronymic")
LATIN_COLUMNS = ("family_name_latin", "given_name_latin", "patronymic_latin")
DOCUMENT_COLUMNS = (
    "document_type", "document_number", "document_country", "document_issued_on", "document_expires_on",
)

# What each column holds: shown on the upload page.
COLUMN_HELP: dict[str, Any] = {
    "family_name": gettext_lazy("Family name in any alphabet. Each row needs a family name or a given name."),
    "given_name": gettext_lazy("Given name."),
    "patronymic": gettext_lazy("Patronymic or middle name."),
    "family_name_latin": gettext_lazy("Latin form as printed in a passport. Left empty, it is computed (ICAO)."),
    "given_name_latin": gettext_lazy("Latin form of the given name, as above."),
    "patronymic_latin": gettext_lazy("Latin form of the patronymic, as above."),
    "sex": gettext_lazy("F, M or X (also Ж or М), or empty."),
    "birth_date": gettext_lazy("YYYY-MM-DD or DD.MM.YYYY, or the year alone (YYYY)."),
    "citizenships": gettext_lazy("ISO two-letter country codes separated by ; or , (e.g. TJ; RU)."),
    "languages": gettext_lazy("ISO two-letter language codes separated by ; or , (e.g. tg; ru)."),
    "phone": gettext_lazy("Phone number."),
    "email": gettext_lazy("Email address."),
    "address": gettext_lazy("Address."),
    "document_type": gettext_lazy("One identity document: passport, internal_passport, national_id, "
                                  "travel_document, birth_certificate, residence_permit, migration_card, "
                                  "refugee_document or other."),
    "document_number": gettext_lazy("Document number: 4 to 20 letters and digits (spaces and hyphens ignored)."),
    "document_country": gettext_lazy("ISO two-letter code of the issuing country."),
    "document_issued_on": gettext_lazy("Date of issue: YYYY-MM-DD or DD.MM.YYYY."),
    "document_expires_on": gettext_lazy("Date of expiry: YYYY-MM-DD or DD.MM.YYYY."),
    "other_names": gettext_lazy("Other spellings separated by ;, each “Family Given” "
                                "(or “Family, Given” when the family name has several words)."),
}

# Other spellings of the column names, compared after `_header_key` (case, punctuation and ё do not matter).
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "family_name": ("surname", "last name", "фамилия"),
    "given_name": ("first name", "имя"),
    "patronymic": ("middle name", "patronymic or middle name", "отчество"),
    "family_name_latin": ("surname latin", "фамилия лат", "фамилия латиницей"),
    "given_name_latin": ("first name latin", "имя лат", "имя латиницей"),
    "patronymic_latin": ("middle name latin", "отчество лат", "отчество латиницей"),
    "sex": ("gender", "пол"),
    "birth_date": ("date of birth", "дата рождения"),
    "citizenships": ("citizenship", "гражданство"),
    "languages": ("language", "языки", "язык"),
    "phone": ("telephone", "телефон"),
    "email": ("e mail", "эл почта", "электронная почта", "e mail адрес"),
    "address": ("адрес",),
    "document_type": ("тип документа", "вид документа"),
    "document_number": ("номер документа",),
    "document_country": ("issuing country", "страна выдачи", "страна выдачи документа"),
    "document_issued_on": ("issued on", "дата выдачи", "дата выдачи документа"),
    "document_expires_on": ("expires on", "действителен до", "срок действия", "документ действителен до"),
    "other_names": ("other spellings", "aliases", "другие имена", "другие написания"),
}

# Document types as Russian forms name them, besides the codes and the labels of the site's languages.
DOCUMENT_TYPE_ALIASES = {
    "паспорт": DocumentType.PASSPORT, "заграничный паспорт": DocumentType.PASSPORT,
    "загранпаспорт": DocumentType.PASSPORT, "внутренний паспорт": DocumentType.INTERNAL_PASSPORT,
    "удостоверение личности": DocumentType.NATIONAL_ID, "id": DocumentType.NATIONAL_ID,
    "проездной документ": DocumentType.TRAVEL_DOCUMENT, "свидетельство о рождении": DocumentType.BIRTH_CERTIFICATE,
    "вид на жительство": DocumentType.RESIDENCE_PERMIT, "внж": DocumentType.RESIDENCE_PERMIT,
    "миграционная карта": DocumentType.MIGRATION_CARD, "удостоверение беженца": DocumentType.REFUGEE_DOCUMENT,
    "другой": DocumentType.OTHER, "иной": DocumentType.OTHER,
}

SEXES = {
    "f": Sex.FEMALE, "female": Sex.FEMALE, "ж": Sex.FEMALE, "жен": Sex.FEMALE, "женский": Sex.FEMALE,
    "m": Sex.MALE, "male": Sex.MALE, "м": Sex.MALE, "муж": Sex.MALE, "мужской": Sex.MALE,
    "x": Sex.OTHER,
}

_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?$")
_DOTTED_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_YEAR = re.compile(r"^\d{4}$")
_CODE_SEPARATORS = re.compile(r"[;,\s]+")
_XLSX_MAGIC = b"PK\x03\x04"
_OLD_EXCEL_MAGIC = b"\xd0\xcf\x11\xe0"
_UTF8_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class RowError:
    """One problem: the row as numbered in the file (None for the whole file), the column as headed there."""

    row: int | None
    column: str
    message: str


@dataclass
class ParsedImport:
    """A read file: the rows ready to save (only meaningful without errors), and every problem found."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    row_count: int = 0
    file_type: str = ""
    sha256: str = ""
    columns: list[str] = field(default_factory=list)
    header_row: int = 1
    rows_with_errors: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)

    @property
    def file_errors(self) -> list[RowError]:
        """Problems with the file as a whole (format, encoding, header): then no row was read."""
        return [error for error in self.errors if error.row is None or error.row == self.header_row]


class _CellError(Exception):
    """A value that does not pass: the column it belongs to and why."""

    def __init__(self, column: str, message: str) -> None:
        super().__init__(message)
        self.column = column
        self.message = message


# --- Reading the file ------------------------------------------------------------------------------


def read_file(fileobj: io.BufferedIOBase | Any, filename: str = "") -> ParsedImport:
    """Read and check a whole CSV or XLSX file. Never raises for bad input: problems come back as errors.

    The type is taken from the file's content (an XLSX workbook is a zip archive), not from its name.
    """
    data = fileobj.read(MAX_BYTES + 1)
    parsed = ParsedImport(sha256=hashlib.sha256(data).hexdigest())
    if len(data) > MAX_BYTES:
        return _fail(parsed, _("The file is larger than %(size)d MB: split it into smaller files.")
                     % {"size": MAX_BYTES // (1024 * 1024)})
    if not data.strip():
        return _fail(parsed, _("The file is empty."))
    if data.startswith(_OLD_EXCEL_MAGIC):
        return _fail(parsed, _("This is an old Excel workbook (.xls). Save it as “Excel Workbook (.xlsx)” "
                               "or as “CSV UTF-8” and upload that file."))
    if data.startswith(_XLSX_MAGIC):
        parsed.file_type = "xlsx"
        rows = _xlsx_rows(data, parsed)
    else:
        if filename.lower().endswith((".xlsx", ".xlsm")):
            return _fail(parsed, _("The file is named like an Excel workbook but is not one. "
                                   "Save it again from Excel as .xlsx or as “CSV UTF-8”."))
        parsed.file_type = "csv"
        rows = _csv_rows(data, parsed)
    if rows is None:
        return parsed
    try:
        _read_rows(rows, parsed)
    except _FileError as problem:
        parsed.rows = []
        parsed.errors.append(RowError(None, "", problem.message))
    if not parsed.errors and not parsed.rows:
        parsed.errors.append(RowError(None, "", _("The file has a header row but no persons below it.")))
    return parsed


class _FileError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _fail(parsed: ParsedImport, message: str) -> ParsedImport:
    parsed.errors.append(RowError(None, "", message))
    return parsed


def _csv_rows(data: bytes, parsed: ParsedImport) -> Iterator[Sequence[Any]] | None:
    """Rows of a UTF-8 CSV file; the delimiter (comma, semicolon or tab) is chosen from the header row."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        _fail(parsed, _("The file is saved as “Unicode text” (UTF-16), not as CSV UTF-8. In Excel choose "
                        "File › Save as › “CSV UTF-8 (comma delimited)” and upload that file."))
        return None
    try:
        text = data.removeprefix(_UTF8_BOM).decode("utf-8")
    except UnicodeDecodeError:
        _fail(parsed, _encoding_message(data))
        return None
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=lambda d: _delimiter_score(first_line, d))

    def rows() -> Iterator[Sequence[Any]]:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        try:
            yield from reader
        except csv.Error as error:
            raise _FileError(
                _("The file cannot be read as CSV near line %(line)d (%(reason)s). Save it again from Excel "
                  "as “CSV UTF-8”.") % {"line": reader.line_num, "reason": error}
            ) from None

    return rows()


def _delimiter_score(line: str, delimiter: str) -> tuple[int, int]:
    cells = next(csv.reader([line], delimiter=delimiter), [])
    return sum(1 for cell in cells if _column_for(cell)), len(cells)


def _encoding_message(data: bytes) -> str:
    try:
        decoded = data.decode("cp1251")
    except UnicodeDecodeError:
        decoded = ""
    cyrillic = sum(1 for ch in decoded[:20000] if "\u0400" <= ch <= "\u04ff")
    if cyrillic >= 3:
        return _("The file is not in UTF-8 encoding: it looks like Windows-1251 (Cyrillic). In Excel choose "
                 "File › Save as and the type “CSV UTF-8 (comma delimited)”, then upload that file.")
    return _("The file is not in UTF-8 encoding. In Excel choose File › Save as and the type "
             "“CSV UTF-8 (comma delimited)”, then upload that file.")


def _xlsx_rows(data: bytes, parsed: ParsedImport) -> Iterator[Sequence[Any]] | None:
    """Rows of the first sheet of a workbook, read as a stream (openpyxl read-only mode)."""
    import openpyxl  # only imports need it: keep it out of every other request

    unreadable = _("The file cannot be read as an Excel workbook. Save it again from Excel as .xlsx or as "
                   "“CSV UTF-8”.")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_XLSX_EXPANDED_BYTES:
                _fail(parsed, unreadable)
                return None
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # an untrusted file: whatever breaks the reader, the answer is the same
        _fail(parsed, unreadable)
        return None

    def rows() -> Iterator[Sequence[Any]]:
        try:
            if not workbook.worksheets:
                return
            yield from workbook.worksheets[0].iter_rows(values_only=True)
        except Exception as error:
            raise _FileError(unreadable) from error
        finally:
            workbook.close()

    return rows()


def _header_key(text: Any) -> str:
    """Column names compare without case, punctuation or ё: «Фамилия (лат.)» = «фамилия лат»."""
    folded = unicodedata.normalize("NFKC", str(text or "")).casefold().replace("ё", "е").replace("_", " ")
    return " ".join(re.sub(r"[^\w\s]", " ", folded).split())


_HEADERS: dict[str, str] = {}
for _column in COLUMNS:
    _HEADERS[_header_key(_column)] = _column
    for _alias in HEADER_ALIASES.get(_column, ()):
        _HEADERS[_header_key(_alias)] = _column


def _column_for(heading: Any) -> str | None:
    return _HEADERS.get(_header_key(heading))


def _is_empty(row: Sequence[Any]) -> bool:
    return all(value is None or (isinstance(value, str) and not value.strip()) for value in row)


def _read_header(row: Sequence[Any], number: int, parsed: ParsedImport) -> list[tuple[int, str, str]] | None:
    """[(position, column, heading)], or None after one error naming every unknown, repeated or missing column."""
    columns: list[tuple[int, str, str]] = []
    unknown, seen, repeated = [], {}, []
    for position, value in enumerate(row):
        heading = "" if value is None else " ".join(str(value).replace("\ufeff", "").split())
        if not heading:
            continue
        column = _column_for(heading)
        if column is None:
            unknown.append(heading)
        elif column in seen:
            repeated.append(heading)
        else:
            seen[column] = heading
            columns.append((position, column, heading))
    problems = []
    if not seen:
        problems.append(_("The first row must name the columns."))
    if unknown:
        problems.append(_("Unknown columns: %(columns)s.") % {"columns": ", ".join(f"«{h}»" for h in unknown)})
    if repeated:
        problems.append(_("Columns given twice: %(columns)s.") % {"columns": ", ".join(f"«{h}»" for h in repeated)})
    if not ({"family_name", "given_name"} & set(seen)):
        problems.append(_("A column family_name or given_name is required."))
    if problems:
        problems.append(_("The columns you can use are: %(columns)s.") % {"columns": ", ".join(COLUMNS)})
        named = ", ".join(unknown + repeated) or "family_name, given_name"
        parsed.errors.append(RowError(number, named, " ".join(problems)))
        return None
    parsed.columns = [column for _position, column, _heading in columns]
    return columns


def _read_rows(rows: Iterable[Sequence[Any]], parsed: ParsedImport) -> None:
    header: list[tuple[int, str, str]] | None = None
    checker: _RowChecker | None = None
    for number, row in enumerate(rows, start=1):
        if _is_empty(row):
            continue
        if header is None:
            parsed.header_row = number
            header = _read_header(row, number, parsed)
            if header is None:
                return
            checker = _RowChecker(header)
            continue
        parsed.row_count += 1
        if parsed.row_count > MAX_ROWS:
            raise _FileError(
                _("The file has more than %(count)d rows: split it into smaller files.") % {"count": MAX_ROWS}
            )
        value, errors = checker.check(row, number)
        if errors:
            parsed.errors.extend(errors)
            parsed.rows_with_errors += 1
        else:
            parsed.rows.append(value)
    if header is None:
        parsed.errors.append(RowError(None, "", _("The file has no header row.")))


# --- Checking values -------------------------------------------------------------------------------


def _message(error: ValidationError) -> str:
    return " ".join(error.messages)


def _parse_date(text: str, year_allowed: bool) -> tuple[datetime.date, str]:
    """(date, precision) from YYYY-MM-DD, DD.MM.YYYY or, where allowed, YYYY; raises ValueError."""
    match = _ISO_DATE.match(text)
    if match:
        year, month, day = match.groups()
    else:
        match = _DOTTED_DATE.match(text)
        if match:
            day, month, year = match.groups()
        elif year_allowed and _YEAR.match(text):
            return datetime.date(int(text), 1, 1), BirthDatePrecision.YEAR
        else:
            raise ValueError(text)
    return datetime.date(int(year), int(month), int(day)), BirthDatePrecision.EXACT


def _document_types() -> dict[str, str]:
    """Document types by code and by label in every language of the site (a file may use either)."""
    from django.conf import settings

    types = {code.casefold(): code for code in DocumentType.values}
    types.update({alias: str(code) for alias, code in DOCUMENT_TYPE_ALIASES.items()})
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            types.update({str(label).casefold(): code for code, label in DocumentType.choices})
    return types


class _Cache(dict):
    """Results of a check by value, for one file only: messages are in the reader's language, and names
    must not outlive the request in the process's memory."""

    def __init__(self, compute) -> None:
        super().__init__()
        self.compute = compute

    def __missing__(self, key):
        self[key] = value = self.compute(key)
        return value


class _RowChecker:
    """Checks the rows of one file against its header, with the same rules as the model.

    Values repeat a lot in a large file (names, dates, codes): each distinct value is checked once.
    """

    def __init__(self, header: list[tuple[int, str, str]]) -> None:
        self.header = header
        self.headings = {column: heading for _position, column, heading in header}
        self.named_positions = frozenset(position for position, _column, _heading in header)
        self.document_types = _document_types()
        self.name_problems = _Cache(self._name_problem)
        self.latin_problems = _Cache(self._latin_problem)
        self.icao = _Cache(icao_latin)  # what services.fill_latin computes
        self.birth_dates = _Cache(self._birth_date)
        self.issue_dates = _Cache(self._issue_date)
        self.expiry_dates = _Cache(self._document_date)
        self.codes = _Cache(self._codes)
        self.emails = _Cache(self._email_problem)

    def heading(self, column: str) -> str:
        return self.headings.get(column, column)

    def check(self, row: Sequence[Any], number: int) -> tuple[dict[str, Any] | None, list[RowError]]:
        """The row ready to save, or None and every problem found in it."""
        size = len(row)
        values = {column: row[position] if position < size else None for position, column, _h in self.header}
        errors: list[RowError] = []
        if size > len(self.named_positions):
            extra = [p for p in range(size) if p not in self.named_positions and _has_value(row[p])]
            if extra:
                errors.append(RowError(number, _column_letter(extra[0]), _(
                    "This row has a value in a column without a name in the header row."
                )))
        person: dict[str, Any] = {}
        for column in NAME_COLUMNS:
            person[column] = text = _name_text(values.get(column))
            if text and (problem := self.name_problems[text]):
                errors.append(RowError(number, self.heading(column), problem))
        for column in LATIN_COLUMNS:
            person[column] = text = _name_text(values.get(column))
            if text and (problem := self.latin_problems[text]):
                errors.append(RowError(number, self.heading(column), problem))
        if not (person["family_name"] or person["given_name"]):
            column = "family_name" if "family_name" in self.headings else "given_name"
            errors.append(RowError(number, self.heading(column), _("Enter a family name or a given name.")))
        document, aliases = None, []
        for step in (self._sex, self._birth, self._countries, self._languages, self._contacts):
            try:
                step(values, person)
            except _CellError as problem:
                errors.append(RowError(number, self.heading(problem.column), problem.message))
        try:
            document = self._document(values, person)
        except _CellError as problem:
            errors.append(RowError(number, self.heading(problem.column), problem.message))
        try:
            aliases = self._aliases(values)
        except _CellError as problem:
            errors.append(RowError(number, self.heading(problem.column), problem.message))
        if errors:
            return None, errors
        self._fill_latin(person)
        return {"row": number, "person": person, "document": document, "aliases": aliases}, []

    # Checks of one value, cached by value (see __init__).

    @staticmethod
    def _name_problem(value: str) -> str | None:
        if len(value) > NAME_MAX_LENGTH:
            return _("A name has at most %(count)d characters.") % {"count": NAME_MAX_LENGTH}
        try:
            validate_name(value)
        except ValidationError as error:
            return _message(error)
        return None

    def _latin_problem(self, value: str) -> str | None:
        problem = self.name_problems[value]
        if problem is None and not all(unicodedata.name(ch, "").startswith("LATIN") for ch in value if ch.isalpha()):
            problem = _("The Latin form must be written in Latin letters.")
        return problem

    @staticmethod
    def _birth_date(text: str) -> tuple[datetime.date, str] | str:
        try:
            date, precision = _parse_date(text, True)
        except ValueError:
            return _("Write the date as YYYY-MM-DD or DD.MM.YYYY, or the year alone (YYYY).")
        try:
            validate_birth_date(date)
        except ValidationError as error:
            return _message(error)
        return date, str(precision)

    @staticmethod
    def _document_date(text: str) -> datetime.date | str:
        try:
            date, _precision = _parse_date(text, False)
        except ValueError:
            return _("Write the date as YYYY-MM-DD or DD.MM.YYYY.")
        return date

    def _issue_date(self, text: str) -> datetime.date | str:
        date = self._document_date(text)
        if isinstance(date, datetime.date):
            try:
                validate_not_future(date)
            except ValidationError as error:
                return _message(error)
        return date

    @staticmethod
    def _codes(key: tuple[str, str]) -> list[str] | str:
        column, text = key
        upper = column != "languages"
        codes = list(dict.fromkeys(code.upper() if upper else code.lower() for code in _CODE_SEPARATORS.split(text)
                                   if code))
        try:
            (validate_languages if column == "languages" else validate_countries)(codes)
        except ValidationError as error:
            return _message(error)
        return codes

    @staticmethod
    def _email_problem(value: str) -> str | None:
        try:
            validate_email(value)
        except ValidationError as error:
            return _message(error)
        return None

    # Checks of the columns of one row: each fills `person` or raises _CellError.

    def _fill_latin(self, person: dict[str, Any]) -> None:
        """The ICAO form of every name part whose Latin form was not typed; typed ones make the form custom."""
        typed = any(person[column] for column in LATIN_COLUMNS)
        for name, latin in zip(NAME_COLUMNS, LATIN_COLUMNS, strict=True):
            if not person[latin]:
                person[latin] = self.icao[person[name]]
        person["latin_is_custom"] = typed

    def _sex(self, values: dict[str, Any], person: dict[str, Any]) -> None:
        text = _text(values.get("sex"))
        person["sex"] = ""
        if text:
            sex = SEXES.get(text.casefold())
            if sex is None:
                raise _CellError("sex", _("Write F, M or X, or leave it empty."))
            person["sex"] = str(sex)

    def _birth(self, values: dict[str, Any], person: dict[str, Any]) -> None:
        person["birth_date"], person["birth_date_precision"] = None, ""
        value = values.get("birth_date")
        if not _has_value(value):
            return
        if isinstance(value, datetime.date):  # an Excel date cell
            value = value.date() if isinstance(value, datetime.datetime) else value
            result = self.birth_dates[value.isoformat()]
        elif isinstance(value, int | float) and not isinstance(value, bool) and value == int(value):
            result = self.birth_dates[str(int(value))]  # a year typed into Excel is a number
        else:
            result = self.birth_dates[_text(value)]
        if isinstance(result, str):
            raise _CellError("birth_date", result)
        person["birth_date"], person["birth_date_precision"] = result

    def _date(self, column: str, value: Any, dates: _Cache) -> datetime.date:
        if isinstance(value, datetime.date):  # an Excel date cell
            value = (value.date() if isinstance(value, datetime.datetime) else value).isoformat()
        result = dates[_text(value)]
        if isinstance(result, str):
            raise _CellError(column, result)
        return result

    def _countries(self, values: dict[str, Any], person: dict[str, Any]) -> None:
        self._code_list("citizenships", values, person)

    def _languages(self, values: dict[str, Any], person: dict[str, Any]) -> None:
        self._code_list("languages", values, person)

    def _code_list(self, column: str, values: dict[str, Any], person: dict[str, Any]) -> None:
        result = self.codes[column, _text(values.get(column))]
        if isinstance(result, str):
            raise _CellError(column, result)
        person[column] = list(result)

    def _contacts(self, values: dict[str, Any], person: dict[str, Any]) -> None:
        person["phone"] = _text(values.get("phone"))
        person["address"] = _text(values.get("address"), keep_lines=True)
        person["email"] = email = _text(values.get("email"))
        if email and (problem := self.emails[email]):
            raise _CellError("email", problem)

    def _document(self, values: dict[str, Any], person: dict[str, Any]) -> dict[str, Any] | None:
        if not any(_has_value(values.get(column)) for column in DOCUMENT_COLUMNS):
            return None
        number = normalise_document_number(_text(values.get("document_number")))
        if not number:
            raise _CellError(
                "document_number", _("Give the document number, or leave all the document columns empty.")
            )
        kind_text = _text(values.get("document_type"))
        kind = self.document_types.get(kind_text.casefold())
        if kind is None:
            message = _("Give the document type: one of %(types)s.") if not kind_text else _(
                "Unknown document type. Use one of %(types)s."
            )
            raise _CellError("document_type", message % {"types": ", ".join(DocumentType.values)})
        try:
            validate_document_number(number)
        except ValidationError as error:
            raise _CellError("document_number", _message(error)) from None
        country = _text(values.get("document_country")).upper()
        if country and country not in COUNTRY_CODES:
            try:
                validate_countries([country])
            except ValidationError as error:
                raise _CellError("document_country", _message(error)) from None
        issued_on = expires_on = None
        if _has_value(values.get("document_issued_on")):
            issued_on = self._date("document_issued_on", values["document_issued_on"], self.issue_dates)
            if person.get("birth_date") and issued_on < person["birth_date"]:
                raise _CellError("document_issued_on", _("The document is dated before the person was born."))
        if _has_value(values.get("document_expires_on")):
            expires_on = self._date("document_expires_on", values["document_expires_on"], self.expiry_dates)
            if issued_on and expires_on <= issued_on:
                raise _CellError("document_expires_on", _("A document expires after it is issued."))
        return {
            "document_type": kind, "number": number, "issuing_country": country,
            "issued_on": issued_on, "expires_on": expires_on,
        }

    def _aliases(self, values: dict[str, Any]) -> list[dict[str, str]]:
        """Other spellings, separated by ";": "Family Given Patronymic", or "Family, Given Patronymic"
        when the family name has several words."""
        text = _text(values.get("other_names"))
        if not text:
            return []
        aliases = []
        for item in text.split(";"):
            item = unicodedata.normalize("NFC", " ".join(item.split()))
            if not item:
                continue
            if "," in item:
                family, rest = (part.strip() for part in item.split(",", 1))
                words = rest.split()
            else:
                family, *words = item.split()
            alias = {"family_name": family, "given_name": " ".join(words[:1]), "patronymic": " ".join(words[1:])}
            for part in alias.values():
                if part and (problem := self.name_problems[part]):
                    raise _CellError("other_names", _("«%(name)s»: %(problem)s") % {"name": item, "problem": problem})
            if alias["family_name"] or alias["given_name"]:
                aliases.append(alias)
        return aliases


def _has_value(value: Any) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def _text(value: Any, *, keep_lines: bool = False) -> str:
    """A cell as text: numbers typed into Excel (phones, document numbers) without a trailing ".0"."""
    if value is None:
        return ""
    if isinstance(value, str):
        if keep_lines:
            return "\n".join(" ".join(line.split()) for line in value.strip().splitlines() if line.strip())
        return " ".join(value.split())
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    return str(value)


def _name_text(value: Any) -> str:
    return unicodedata.normalize("NFC", _text(value)) if value is not None else ""


def _column_letter(position: int) -> str:
    """The spreadsheet name of a column (0 → A, 26 → AA): how the user finds an unnamed column."""
    letters = ""
    position += 1
    while position:
        position, remainder = divmod(position - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


# --- Saving ---------------------------------------------------------------------------------------


def import_rows(user: User, parsed: ParsedImport, *, programme: str, request=None) -> list[int]:
    """Save every row of a checked file into `programme` (one of the user's): all of them, or none.

    Returns the ids of the new persons, in file order. One audit event records the import: how many, the
    range of ids, the programme and the file's SHA-256 (never the file's name, which may name a person).
    """
    if not policy.may(user, policy.IMPORT_PEOPLE) or programme not in (user.programmes or []):
        raise PermissionDenied(_("You may import people only into your own programmes."))
    if not parsed.ok:
        raise ValidationError(_("The file has errors or no persons: nothing was imported."), code="invalid")
    ids: list[int] = []
    writers = _Writers()
    with transaction.atomic():
        for start in range(0, len(parsed.rows), BATCH_SIZE):
            ids.extend(_save_batch(user, parsed.rows[start : start + BATCH_SIZE], programme, writers))
        record(
            Action.CREATE, actor=user, object_type="people.import", request=request,
            changes={
                "count": [None, str(len(ids))],
                "first_person": [None, str(ids[0])],
                "last_person": [None, str(ids[-1])],
                "programme": [None, programme],
                "sha256": [None, parsed.sha256],
                "file_type": [None, parsed.file_type],
            },
        )
    return ids


def _save_batch(user: User, rows: list[dict[str, Any]], programme: str, writers: _Writers) -> list[int]:
    """One batch of persons with everything that hangs off them; the caller holds the transaction."""
    people = [writers.person.build(row["person"], created_by_id=user.pk) for row in rows]
    writers.person.insert(people, returning=True)
    registered_at = writers.registration.prepared("registered_at", writers.registration.now)
    writers.registration.insert_values(
        ("person_id", "programme", "office_id", "registered_by_id", "registered_at"),
        [(person.pk, programme, user.office_id, user.pk, registered_at) for person in people],
    )
    writers.document.insert([
        writers.document.build(row["document"], person_id=person.pk)
        for person, row in zip(people, rows, strict=True) if row["document"]
    ])
    keys: list[tuple[int, int, int]] = []
    aliases: list[PersonAlias] = []
    for person, row in zip(people, rows, strict=True):
        own = [
            writers.alias.build(alias, person_id=person.pk, kind=AliasKind.OTHER_SPELLING) for alias in row["aliases"]
        ]
        aliases.extend(own)
        # What index.key_rows builds, as plain tuples: ~7 keys per person, 700,000 rows for 100,000 persons.
        hashed = index.hashed_keys(_distinct_spellings(index.person_records(person, own)))
        keys.extend((person.pk, key, kind) for key, kind in hashed.items())
    writers.alias.insert(aliases)
    # In key order, the (key, person) index grows at few places at a time: half the time of random order.
    keys.sort(key=itemgetter(1))
    writers.name_key.insert_values(("person_id", "key", "kind"), keys)
    return [person.pk for person in people]


def _distinct_spellings(records: list[dict[str, str]]) -> list[dict[str, str]]:
    """The name records of a person, without those that differ from an earlier one only by alphabet.

    The matching keys are computed from the Latin reading of each name word (`transliteration.latinise`),
    so «Ковальчук Юлия» and its computed Latin form "Kovalchuk Iuliia" give the same keys: computing them
    once halves the indexing time. tests/people/test_import.py checks the result against `index.key_rows`.
    """
    distinct, seen = [], set()
    for name_record in records:
        reading = tuple(
            tuple(latinise(word) for word in str(value).split()) if name in ("given", "family", "patronymic")
            else value
            for name, value in sorted(name_record.items())
        )
        if reading not in seen:
            seen.add(reading)
            distinct.append(name_record)
    return distinct


class _Writers:
    """One writer per model for the whole import, so that their caches of prepared values last."""

    def __init__(self) -> None:
        self.person = BulkWriter(Person)
        self.registration = BulkWriter(ProgrammeRegistration)
        self.document = BulkWriter(IdentityDocument)
        self.alias = BulkWriter(PersonAlias)
        self.name_key = BulkWriter(NameKey)
