"""The Russian interface is complete: every message translated, compiled, and the catalogue covers the code.

When a test here fails after a change to the code or templates, regenerate and translate the catalogue:

    cd waypoint && ../.venv/bin/python ../manage.py makemessages -l ru --no-location --ignore 'static/*'
    (translate the new entries in waypoint/locale/ru/LC_MESSAGES/django.po, remove any `#, fuzzy`)
    cd waypoint && ../.venv/bin/python ../manage.py compilemessages -l ru
"""

import re
import shutil
from collections import Counter
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation

import waypoint

PACKAGE_DIR = Path(waypoint.__file__).resolve().parent
CATALOGUE_DIR = PACKAGE_DIR / "locale" / "ru" / "LC_MESSAGES"
PO_PATH = CATALOGUE_DIR / "django.po"
MO_PATH = CATALOGUE_DIR / "django.mo"

RUSSIAN_PLURAL_FORMS = (
    "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : "
    "n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);"
)
# Python %-format conversions: %(name)s, %s, %d, %.2f ... ("%%" is a literal percent sign).
PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[#0 +-]*(?:\d+|\*)?(?:\.(?:\d+|\*))?[diouxXeEfFgGcrsa%]")
GETTEXT_TOOLS = ("xgettext", "msguniq", "msgmerge", "msgattrib")


def placeholders(text: str) -> Counter:
    return Counter(match for match in PLACEHOLDER.findall(text) if match != "%%")


def live_entries(catalogue) -> list:
    """The real messages: no header, no obsolete (`#~`) entries."""
    return [entry for entry in catalogue if entry.msgid and not entry.obsolete]


def translations(catalogue) -> dict:
    """(context, msgid, msgid_plural) -> the translation (a tuple of forms for plurals)."""
    mapping = {}
    for entry in live_entries(catalogue):
        key = (entry.msgctxt, entry.msgid, entry.msgid_plural or None)
        if entry.msgid_plural:
            mapping[key] = tuple(entry.msgstr_plural[index] for index in sorted(entry.msgstr_plural))
        else:
            mapping[key] = entry.msgstr
    return mapping


def describe(entry) -> str:
    return repr(entry.msgid if len(entry.msgid) <= 70 else entry.msgid[:67] + "...")


@pytest.fixture(scope="module")
def po():
    assert PO_PATH.is_file(), f"{PO_PATH} is missing: run makemessages -l ru (see this module's docstring)"
    return polib.pofile(str(PO_PATH))


def test_the_catalogue_header_is_russian(po):
    assert po.metadata.get("Language") == "ru"
    assert po.metadata.get("Project-Id-Version") == "Waypoint"
    assert "charset=UTF-8" in po.metadata.get("Content-Type", "")
    assert " ".join(po.metadata.get("Plural-Forms", "").split()) == RUSSIAN_PLURAL_FORMS
    assert not po.metadata_is_fuzzy, "the header is marked fuzzy"


def test_every_entry_is_translated_and_none_is_fuzzy(po):
    entries = live_entries(po)
    assert entries, "the catalogue is empty"
    untranslated = [describe(entry) for entry in entries if not entry.translated() and "fuzzy" not in entry.flags]
    fuzzy = [describe(entry) for entry in entries if "fuzzy" in entry.flags]
    assert not untranslated, f"{len(untranslated)} untranslated entries: " + "; ".join(untranslated)
    assert not fuzzy, f"{len(fuzzy)} fuzzy entries (check the translation, then remove the flag): " + "; ".join(fuzzy)


def test_every_plural_entry_has_the_three_russian_forms(po):
    plurals = [entry for entry in live_entries(po) if entry.msgid_plural]
    wrong = [
        describe(entry) for entry in plurals
        if sorted(entry.msgstr_plural) != [0, 1, 2] or not all(entry.msgstr_plural.values())
    ]
    assert not wrong, "plural entries without exactly three non-empty forms (one, few, many): " + "; ".join(wrong)


def test_translations_keep_the_placeholders_of_their_source(po):
    wrong = []
    for entry in live_entries(po):
        if "python-format" not in entry.flags:
            continue
        if entry.msgid_plural:
            expected = set(placeholders(entry.msgid) | placeholders(entry.msgid_plural))
            translated = entry.msgstr_plural.values()
        else:
            expected = set(placeholders(entry.msgid))
            translated = [entry.msgstr]
        for text in translated:
            found = set(placeholders(text))
            if found != expected:
                wrong.append(f"{describe(entry)}: expected {sorted(expected)}, found {sorted(found)} in {text!r}")
    assert not wrong, "placeholders differ between source and translation:\n" + "\n".join(wrong)


def test_the_compiled_catalogue_is_up_to_date(po):
    assert MO_PATH.is_file(), f"{MO_PATH} is missing: run compilemessages -l ru"
    compiled = translations(polib.mofile(str(MO_PATH)))
    source = translations(po)
    stale = sorted(repr(key[1]) for key in set(source) | set(compiled) if source.get(key) != compiled.get(key))
    assert not stale, "django.mo differs from django.po (run compilemessages -l ru) for: " + "; ".join(stale)


def test_the_catalogue_covers_every_message_in_the_code(po, tmp_path, settings, monkeypatch):
    """Run makemessages over a copy of the package and compare with the committed catalogue."""
    absent = [tool for tool in GETTEXT_TOOLS if shutil.which(tool) is None]
    if absent:
        pytest.fail(f"GNU gettext is not installed ({', '.join(absent)} not found): apt-get install gettext")
    copy = tmp_path / "waypoint"
    # The committed catalogue stays out of the copy: the fresh one holds only what the code marks.
    shutil.copytree(PACKAGE_DIR, copy, ignore=shutil.ignore_patterns("__pycache__", "locale"))
    # makemessages writes to LOCALE_PATHS[0]: point it at the copy, never at the real catalogue.
    settings.LOCALE_PATHS = [str(copy / "locale")]
    monkeypatch.chdir(copy)

    call_command("makemessages", locale=["ru"], no_location=True, ignore_patterns=["static/*"], verbosity=0)

    fresh = polib.pofile(str(copy / "locale" / "ru" / "LC_MESSAGES" / "django.po"))
    fresh_keys = {(entry.msgctxt, entry.msgid, entry.msgid_plural or None) for entry in live_entries(fresh)}
    assert fresh_keys, "makemessages found no messages: is it reading the copy?"
    committed = set(translations(po))
    missing = sorted(fresh_keys - committed, key=lambda key: key[1])
    assert not missing, (
        f"{len(missing)} messages in the code are not in {PO_PATH.relative_to(PACKAGE_DIR.parent)} "
        "(run makemessages -l ru and translate them):\n" + "\n".join(repr(key[1]) for key in missing)
    )


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (1, "1 событие"), (2, "2 события"), (4, "4 события"), (5, "5 событий"), (11, "11 событий"),
        (12, "12 событий"), (21, "21 событие"), (22, "22 события"), (25, "25 событий"), (111, "111 событий"),
    ],
)
def test_russian_plurals_choose_the_right_form(count, expected):
    with translation.override("ru"):
        text = translation.ngettext("%(counter)s event", "%(counter)s events", count) % {"counter": count}
    assert text == expected


@pytest.mark.django_db
def test_the_sign_in_page_is_served_in_russian():
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"

    response = client.get(reverse("accounts:login"))

    page = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="ru">' in page
    assert "Вход в Waypoint" in page
    assert "Войти" in page
    assert "Забыли пароль?" in page
    for english in ("Sign in to Waypoint", "Forgotten your password?", ">Sign in<"):
        assert english not in page
