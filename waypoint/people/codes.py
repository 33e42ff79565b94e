"""ISO 3166 countries and ISO 639 languages, named in the user's language (pycountry's catalogues)."""

from __future__ import annotations

import gettext
from functools import lru_cache

import pycountry
from django.utils.translation import get_language

# Two-letter language codes only: what passports, forms and interpreters use.
COUNTRY_CODES: frozenset[str] = frozenset(c.alpha_2 for c in pycountry.countries)
LANGUAGE_CODES: frozenset[str] = frozenset(
    lang.alpha_2 for lang in pycountry.languages if hasattr(lang, "alpha_2")
)


@lru_cache(maxsize=8)
def _catalogue(domain: str, language: str) -> gettext.NullTranslations:
    return gettext.translation(domain, pycountry.LOCALES_DIR, languages=[language], fallback=True)


def _language() -> str:
    return (get_language() or "en").split("-")[0]


def country_name(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code) if code else None
    if country is None:
        return code
    return _catalogue("iso3166-1", _language()).gettext(country.name)


def language_name(code: str) -> str:
    language = pycountry.languages.get(alpha_2=code) if code else None
    if language is None:
        return code
    return _catalogue("iso639-3", _language()).gettext(language.name)


def country_choices() -> list[tuple[str, str]]:
    return sorted(((code, country_name(code)) for code in COUNTRY_CODES), key=lambda item: item[1])


def language_choices() -> list[tuple[str, str]]:
    return sorted(((code, language_name(code)) for code in LANGUAGE_CODES), key=lambda item: item[1])
