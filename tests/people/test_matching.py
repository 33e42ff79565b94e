# ruff: noqa: RUF001, RUF003
"""Pure-function tests of the name matcher: the traps named in issue 3, and the quality targets."""

import sys
import time
from pathlib import Path

import pytest

from waypoint.people.matching import SAME_PERSON_THRESHOLD, compare, name_keys, pair_score
from waypoint.people.transliteration import skeleton, skeletons


def person(given="", family="", patronymic="", birth_date="", sex="", citizenship=""):
    return {
        "given": given,
        "family": family,
        "patronymic": patronymic,
        "birth_date": birth_date,
        "sex": sex,
        "citizenship": citizenship,
    }


def same(a, b):
    return pair_score(a, b) >= SAME_PERSON_THRESHOLD


@pytest.mark.parametrize("spelling", ["Юлия", "Yuliya", "Yulia", "Iuliia", "Julia", "IULIIA", "Julija"])
def test_yulia_spellings_share_a_skeleton(spelling):
    assert skeletons(spelling) & skeletons("Юлия")


@pytest.mark.parametrize(
    ("given", "family"),
    [("Yulia", "Kovalchuk"), ("IULIIA", "KOVALCHUK"), ("Julia", "Kowaltschuk"), ("Юлия", "Ковальчук")],
)
def test_yulia_kovalchuk_in_every_script(given, family):
    assert same(person("Юлия", "Ковальчук"), person(given, family))


def test_shcherbakov_iurii_matches_sherbakov_yuri():
    assert same(person("Iurii", "Shcherbakov"), person("Yuri", "Sherbakov"))


@pytest.mark.parametrize("spelling", ["Kuznetcov", "Kuznetsov", "Kuznecov", "KUZNETSOV", "Kusnezow", "Кузнецов"])
def test_ts_for_tse_across_passport_years(spelling):
    assert same(person("Aleksei", "Kuznetsov", birth_date="1980-03-04"), person("Алексей", spelling))


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Aleksandr", "Alexander"),
        ("Sergei", "Sergey"),
        ("Smirnov", "Smirnoff"),
        ("Kovalskaya", "Kovalskaia"),
        ("Khasan", "Hasan"),
        ("Zhanna", "Janna"),
        ("Yelena", "Elena"),
        ("Fyodor", "Fedor"),
        ("Hryhorii", "Григорий"),
    ],
)
def test_informal_variants(a, b):
    assert same(person(a, "Petrov"), person(b, "Petrov"))


def test_order_swap():
    match = compare(person("Ivan", "Petrov", birth_date="1990-01-02"), person("PETROV", "IVAN", birth_date="1990"))
    assert match.same_person
    assert any(r.code == "order_swapped" for r in match.reasons)


def test_missing_patronymic_is_neutral():
    with_patronymic = person("Иван", "Петров", "Сергеевич", "1990-01-02", "M")
    without = person("Ivan", "Petrov", "", "1990-01-02", "M")
    assert same(with_patronymic, without)


def test_ivanov_male_and_ivanova_female_are_different():
    assert not same(person("Evgenii", "Ivanov", sex="M"), person("Evgeniia", "Ivanova", sex="F"))
    assert not same(person("Ivan", "Ivanov"), person("Ivan", "Ivanova"))  # sex implied by the ending


def test_brothers_are_different():
    a = person("Иван", "Петров", "Сергеевич", "1990-01-02", "M", "RU")
    b = person("Alexei", "Petrov", "Sergeevich", "1993-06-11", "M", "RU")
    assert not same(a, b)


def test_namesakes_with_different_birth_dates_are_different():
    assert not same(
        person("Ivan", "Petrov", birth_date="1990-01-02"), person("Иван", "Петров", birth_date="1972-11-30")
    )
    assert not same(person("Ivan", "Petrov", birth_date="1990"), person("Иван", "Петров", birth_date="1972"))


def test_same_names_different_patronymic_are_different():
    a = person("Ivan", "Petrov", "Sergeevich", "1990-01-02")
    b = person("Иван", "Петров", "Николаевич", "1975-05-06")
    assert not same(a, b)


@pytest.mark.parametrize(
    ("cyrillic", "latin"),
    [
        (("Ҷамшед", "Раҳмонов"), ("Jamshed", "Rahmonov")),  # Tajik ҷ ҳ
        (("Ғайрат", "Қодиров"), ("Gayrat", "Kodirov")),  # Tajik ғ қ
        (("Фирӯз", "Ҳакимов"), ("Firuz", "Khakimov")),  # Tajik ӯ
        (("Ўктам", "Ғуломов"), ("Oʻktam", "Gʻulomov")),  # Uzbek Cyrillic vs Uzbek Latin
        (("Хуршид", "Тошматов"), ("Xurshid", "Toshmatov")),  # Uzbek Latin x
        (("Олексій", "Гнатюк"), ("Oleksii", "Hnatiuk")),  # Ukrainian і, г = h
        (("Євген", "Ґудзь"), ("Yevhen", "Gudz")),  # Ukrainian є ґ
    ],
)
def test_tajik_uzbek_ukrainian_letters(cyrillic, latin):
    assert same(person(*cyrillic), person(*latin))


def test_hyphenated_surname_matches_one_part():
    match = compare(person("Anna", "Smirnova-Kuznetsova", sex="F"), person("Анна", "Кузнецова", sex="F"))
    assert match.same_person
    assert any(r.code == "double_surname_part" for r in match.reasons)


def test_sex_disagreement_is_strong():
    assert not same(person("Sasha", "Petrenko", sex="M"), person("Sasha", "Petrenko", sex="F"))


def test_reasons_are_machine_readable():
    match = compare(person("Юлия", "Ковальчук", birth_date="1990-01-02"), person("Julia", "Kowaltschuk", "", "1990"))
    codes = {(r.field, r.code) for r in match.reasons}
    assert ("family", "same_after_transliteration") in codes
    assert ("birth_date", "same_year") in codes


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (
            person("Ivan", "Petrov", "Sergeevich", "1990-01-02", "M", "RU"),
            person("Ivan", "Petrova", "", "1990", "F", "UA"),
        ),
        (person("Иван", "Петров"), person("PETROV", "IVAN")),
        (person("Anna", "Kuznetsova-Smirnova"), person("Anna", "Smirnova")),
        ({}, {}),
        ({"given": None}, {"family": "Petrov"}),
        (person("Ivan", birth_date="garbage", sex="X"), person("Ivan", birth_date="1990-01-02")),
    ],
)
def test_bounds_symmetry_and_empty_records(a, b):
    score = pair_score(a, b)
    assert 0.0 <= score <= 1.0
    assert score == pair_score(b, a)


def test_name_keys_find_variants_and_gender_forms():
    keys = name_keys(person("Юлия", "Ковальчук", birth_date="1990-01-02"))
    assert keys & name_keys(person("Julia", "Kowaltschuk"))
    assert name_keys(person("Ivan", "Ivanov")) & name_keys(person("Maria", "Ivanova"))
    assert name_keys(person("Aleksandr", "X")) & name_keys(person("Oleksandr", "Y"))
    assert name_keys({}) == set()


def test_skeleton_is_stable():
    assert skeleton("Kuznetcov") == skeleton("Кузнецов") == skeleton("KUZNETSOV")


def test_generated_set_meets_quality_targets():
    bench = Path(__file__).resolve().parents[2] / "bench"
    sys.path.insert(0, str(bench))
    try:
        from matching_quality import TARGET_PRECISION, TARGET_RECALL, evaluate
        from name_pairs import generate
    finally:
        sys.path.remove(str(bench))
    pairs = generate()
    assert len(pairs) >= 2000
    assert sum(p.kind.startswith("hard:") for p in pairs) >= 0.3 * len(pairs)
    started = time.perf_counter()
    result = evaluate(pairs)
    assert time.perf_counter() - started < 5
    assert result["precision"] >= TARGET_PRECISION
    assert result["recall"] >= TARGET_RECALL
