"""The generator of realistic persons (demo data and the registry benchmark): deterministic, plausible, valid,
and loaded into the registry so that search finds what it generated."""

import re
from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from waypoint.accounts.models import Programme, Role
from waypoint.core import crypto
from waypoint.people import generator, index, lookup, services
from waypoint.people.codes import COUNTRY_CODES, LANGUAGE_CODES
from waypoint.people.models import NameKey, Person, ProgrammeRegistration
from waypoint.people.validation import validate_name

CYRILLIC = re.compile("[\u0400-\u04ff]")
SAMPLE = 4000


@pytest.fixture(scope="module")
def people() -> list[dict]:
    return list(generator.generate(SAMPLE, seed=11))


def test_the_same_seed_gives_the_same_persons_and_another_seed_others(people):
    assert list(generator.generate(SAMPLE, seed=11)) == people
    assert list(generator.generate(50, seed=12)) != people[:50]


def test_every_record_would_pass_the_forms_checks(people):
    for person in people:
        for name in ("given_name", "family_name", "patronymic"):
            try:
                validate_name(person[name])
            except ValidationError as error:  # pragma: no cover - the message says which name
                pytest.fail(f"{person[name]!r}: {error.messages}")
        assert person["given_name"]
        assert person["family_name"]
        assert set(person["citizenships"]) <= COUNTRY_CODES
        assert set(person["languages"]) <= LANGUAGE_CODES
        assert person["sex"] in ("F", "M", "")
        assert (person["birth_date"] is None) == (person["birth_date_precision"] == "")


def test_names_are_in_the_script_a_clerk_in_russia_would_use(people):
    cyrillic: Counter = Counter()
    total: Counter = Counter()
    for person in people:
        if person["duplicate_of"] is not None:
            continue  # written again in another scheme on purpose
        group = {"ru": "slavic", "ua": "slavic", "tj": "central_asian", "uz": "central_asian", "kg": "central_asian",
                 "kz": "central_asian", "ng": "african", "gh": "african", "et": "african", "cd": "african",
                 "af": "afghan"}.get(person["population"], "caucasian")  # fmt: skip
        total[group] += 1
        cyrillic[group] += bool(CYRILLIC.search(person["family_name"]))
    share = {group: cyrillic[group] / total[group] for group in total}
    assert share["slavic"] > 0.85
    assert 0.6 < share["central_asian"] < 0.95  # some from a passport in Latin
    assert share["african"] < 0.15
    assert 0.2 < share["afghan"] < 0.6  # Latin from the passport, or Cyrillic from a Russian form
    assert set(total) == {"slavic", "central_asian", "african", "afghan", "caucasian"}


def test_sex_agrees_with_slavic_endings(people):
    for person in people:
        if person["population"] in ("ru", "tj", "uz") and CYRILLIC.search(person["family_name"]):
            if person["duplicate_of"] is not None:
                continue  # a re-registration may swap the names or carry a typo
            family, patronymic = person["family_name"].lower(), person["patronymic"].lower()
            sex = person["identity"].sex
            if family.endswith(("ова", "ева", "ина")):
                assert sex == "F", person
            if family.endswith(("ов", "ев", "ин")):
                assert sex == "M", person
            if patronymic:
                assert patronymic.endswith("на" if sex == "F" else "ич"), person


def test_birth_dates_are_mostly_exact_some_year_only_some_unknown(people):
    precision = Counter(person["birth_date_precision"] for person in people)
    assert 0.72 < precision["exact"] / SAMPLE < 0.9
    assert 0.07 < precision["year"] / SAMPLE < 0.18
    assert 0.03 < precision[""] / SAMPLE < 0.12
    years = [person["birth_date"] for person in people if person["birth_date_precision"] == "year"]
    assert all((d.month, d.day) == (1, 1) for d in years)


def test_some_persons_are_registered_again_in_another_spelling_and_some_are_siblings(people):
    duplicates = [p for p in people if p["duplicate_of"] is not None]
    siblings = [p for p in people if p["relative_of"] is not None]
    assert 0.03 < len(duplicates) / SAMPLE < 0.07
    assert 0.015 < len(siblings) / SAMPLE < 0.045
    respelled = 0
    for person in duplicates:
        first = people[person["duplicate_of"]]
        assert first["identity"] is person["identity"]
        assert first["duplicate_of"] is None
        respelled += (first["family_name"], first["given_name"]) != (person["family_name"], person["given_name"])
    assert respelled / len(duplicates) > 0.8
    for person in siblings:
        brother = people[person["relative_of"]]["identity"]
        assert person["identity"].family == brother.family
        assert person["identity"].given != brother.given
        assert person["identity"].father == brother.father


def test_a_respelling_is_the_same_person_for_the_matcher_most_of_the_time(people):
    import random

    from waypoint.people.matching import pair_score

    rng = random.Random(5)
    firsts = [p for p in people if p["duplicate_of"] is None][:300]
    same = 0
    for person in firsts:
        other = generator.respell(person["identity"], rng, typos=False)
        record = {"given": other["given_name"], "family": other["family_name"], "patronymic": other["patronymic"]}
        same += pair_score(record, {"given": person["given_name"], "family": person["family_name"],
                                    "patronymic": person["patronymic"]}) >= 0.5  # fmt: skip
    assert same / len(firsts) > 0.9


@pytest.mark.django_db
def test_bulk_load_writes_what_register_would_and_search_finds_it(make_user):
    manager = make_user(Role.PROGRAMME_MANAGER, "bulk-manager",
                        programmes=[Programme.COUNTER_TRAFFICKING, Programme.HOTLINE])  # fmt: skip
    generated = list(generator.generate(300, seed=4))
    ids = generator.bulk_load(300, programmes={"CT": manager, "ICC": None}, people=generated, batch_size=120)

    assert len(ids) == len(set(ids)) == 300 == Person.objects.count()
    assert ProgrammeRegistration.objects.count() == 300
    assert ProgrammeRegistration.objects.filter(programme="CT", registered_by=manager, office=manager.office).exists()
    assert ProgrammeRegistration.objects.filter(programme="ICC", registered_by=None).exists()
    for pk, person in list(zip(ids, generated, strict=True))[::29]:
        stored = Person.objects.get(pk=pk)
        assert generator.person_fields(person) == {name: getattr(stored, name) for name in generator.PERSON_FIELDS}
        expected = Person(**generator.person_fields(person))
        services.fill_latin(expected)
        assert (stored.given_name_latin, stored.family_name_latin, stored.patronymic_latin) == (
            expected.given_name_latin, expected.family_name_latin, expected.patronymic_latin)  # fmt: skip
        keys = set(NameKey.objects.filter(person=stored).values_list("key", "kind"))
        assert keys == {(row.key, row.kind) for row in index.key_rows(stored)}
    with_phone = next(pk for pk, person in zip(ids, generated, strict=True) if person["phone"])
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM people_person WHERE id = %s", [with_phone])
        assert cursor.fetchone()[0].startswith(crypto.PREFIX)  # encrypted at rest, like any other write

    person = generated[17]
    results = lookup.search(manager, f"{person['family_name']} {person['given_name']}")
    assert ids[17] in [candidate.person.pk for candidate in results]


@pytest.mark.django_db
def test_bulk_load_continues_the_ids_after_existing_persons(make_user):
    worker = make_user(Role.CASE_WORKER, "bulk-worker", programmes=[Programme.COUNTER_TRAFFICKING])
    existing = services.register(worker, {"family_name": "Ковальчук", "given_name": "Юлия"}, programme="CT")
    ids = generator.bulk_load(20, programmes=["CT"], seed=9)
    assert min(ids) > existing.pk
    later = services.register(worker, {"family_name": "Ковальчук", "given_name": "Юлия"}, programme="CT")
    assert later.pk > max(ids)
