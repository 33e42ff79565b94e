"""Input rules for persons, shared by the forms, the import and the API (errors name the field)."""

from __future__ import annotations

import datetime
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .codes import COUNTRY_CODES, LANGUAGE_CODES

OLDEST_AGE = 120
_NAME_MARKS = frozenset(" -'.\u2019\u02bc\u02bb")  # apostrophes as typed for Uzbek and Ukrainian
_DOCUMENT_SEPARATORS = re.compile("[\\s\\-\u2013/\u2116#.]+")  # spaces, dashes, slash, numero sign
_DOCUMENT_NUMBER = re.compile("^[0-9A-Z\u0410-\u042f\u0401]{4,20}$")  # digits, Latin and Cyrillic capitals


def _script(ch: str) -> str:
    return unicodedata.name(ch, "UNKNOWN").split()[0]


def validate_name(value: str) -> None:
    """Letters of one script, with spaces, hyphens and apostrophes: a Cyrillic name with one Latin look-alike
    letter is a typo that would defeat both search and matching, so it is refused with the letters named."""
    if not value:
        return
    if any(not (ch.isalpha() or ch in _NAME_MARKS or unicodedata.combining(ch)) for ch in value):
        raise ValidationError(
            _("A name may contain only letters, spaces, hyphens and apostrophes."), code="characters"
        )
    scripts = {_script(ch) for ch in value if ch.isalpha() and ch not in _NAME_MARKS}  # the okina is a "letter"
    if len(scripts) > 1:
        raise ValidationError(
            _("This name mixes alphabets (%(scripts)s): type it in one alphabet, e.g. all Cyrillic or all Latin."),
            code="mixed_scripts",
            params={"scripts": ", ".join(sorted(s.title() for s in scripts))},
        )


def normalise_document_number(value: str) -> str:
    return _DOCUMENT_SEPARATORS.sub("", unicodedata.normalize("NFKC", value or "")).upper()


def validate_document_number(value: str) -> None:
    if not _DOCUMENT_NUMBER.match(normalise_document_number(value)):
        raise ValidationError(
            _("A document number has 4 to 20 letters and digits (spaces and hyphens are ignored)."),
            code="document_number",
        )


def validate_countries(value: list) -> None:
    unknown = [code for code in value or [] if code not in COUNTRY_CODES]
    if unknown:
        raise ValidationError(
            _("Unknown country code: %(codes)s. Use ISO 3166 two-letter codes, e.g. RU, TJ, UZ."),
            code="country", params={"codes": ", ".join(map(str, unknown))},
        )


def validate_country(value: str) -> None:
    if value:
        validate_countries([value])


def validate_languages(value: list) -> None:
    unknown = [code for code in value or [] if code not in LANGUAGE_CODES]
    if unknown:
        raise ValidationError(
            _("Unknown language code: %(codes)s. Use ISO 639-1 two-letter codes, e.g. ru, tg, uz."),
            code="language", params={"codes": ", ".join(map(str, unknown))},
        )


def validate_birth_date(value: datetime.date | None) -> None:
    if value is None:
        return
    today = timezone.localdate()
    if value > today:
        raise ValidationError(_("The date of birth is in the future."), code="future")
    if value.year < today.year - OLDEST_AGE:
        raise ValidationError(
            _("The date of birth makes the person older than %(age)d years."),
            code="too_old", params={"age": OLDEST_AGE},
        )


def validate_not_future(value: datetime.date | None) -> None:
    if value is not None and value > timezone.localdate():
        raise ValidationError(_("This date is in the future."), code="future")
