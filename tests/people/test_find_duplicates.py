"""The batch duplicate scan (`manage.py find_duplicates`): what it pairs, what it must not, and that it
can run again without undoing anyone's decisions."""

import datetime
import itertools
import random
from io import StringIO

import pytest
from django.core.management import call_command

from waypoint.accounts.models import Programme
from waypoint.people import duplicates, merging, services
from waypoint.people.matching import SAME_PERSON_THRESHOLD, _birth_date, compare
from waypoint.people.models import BirthDatePrecision, DuplicatePair, ReviewStatus

pytestmark = pytest.mark.django_db


def register(user, given, family, born=None, sex="", patronymic="", precision="", **fields):
    data = {
        "given_name": given, "family_name": family, "patronymic": patronymic, "sex": sex, "birth_date": born,
        "birth_date_precision": precision, **fields,
    }
    return services.register(user, data, programme=Programme.COUNTER_TRAFFICKING)


@pytest.fixture
def worker(users):
    return users["case_worker"]


def pairs():
    return {(p.first_id, p.second_id): p for p in DuplicatePair.objects.all()}


def key(a, b):
    return (min(a.pk, b.pk), max(a.pk, b.pk))


def test_a_cross_script_duplicate_is_queued_with_its_reasons(worker):
    cyrillic = register(worker, "Юлия", "Ковальчук", datetime.date(1990, 1, 2), "F")
    latin = register(worker, "Iuliia", "Kovalchuk", datetime.date(1990, 1, 2), "F")
    register(worker, "Olga", "Sidorova", datetime.date(1975, 6, 7), "F")

    result = duplicates.scan()

    found = pairs()
    assert list(found) == [key(cyrillic, latin)]
    pair = found[key(cyrillic, latin)]
    assert pair.status == ReviewStatus.OPEN
    assert pair.score >= SAME_PERSON_THRESHOLD
    assert {"field": "birth_date", "code": "same", "weight": 4.5} in pair.reasons
    assert all(set(reason) == {"field", "code", "weight"} for reason in pair.reasons)
    assert (result.persons, result.pairs_written) == (3, 1)
    assert result.pairs_scored >= 1
    assert result.blocks >= 1
    assert result.seconds >= 0


def test_brothers_and_a_brother_and_sister_are_not_paired(worker):
    register(worker, "Сергей", "Иванов", datetime.date(1985, 3, 4), "M", "Петрович", citizenships=["RU"])
    register(worker, "Алексей", "Иванов", datetime.date(1985, 12, 9), "M", "Петрович", citizenships=["RU"])
    # Ivanov and Ivanova, born the same day: twins, not one person.
    register(worker, "Евгений", "Иванов", datetime.date(1990, 5, 5), "M", citizenships=["RU"])
    register(worker, "Евгения", "Иванова", datetime.date(1990, 5, 5), "F", citizenships=["RU"])

    result = duplicates.scan()

    assert pairs() == {}
    assert result.blocks == 4  # y and p keys (family name, birth year) are shared: dates and sexes tell them apart


def test_a_second_run_writes_nothing_new_and_keeps_decisions(worker, users):
    a = register(worker, "Юлия", "Ковальчук", datetime.date(1990, 1, 2), "F")
    b = register(worker, "Iuliia", "Kovalchuk", datetime.date(1990, 1, 2), "F")
    c = register(worker, "Тимур", "Рахимов", datetime.date(1979, 11, 30), "M")
    d = register(worker, "Timur", "Rakhimov", datetime.date(1979, 11, 30), "M")
    assert duplicates.scan().pairs_written == 2
    DuplicatePair.objects.filter(first_id=min(a.pk, b.pk)).update(
        status=ReviewStatus.NOT_SAME, reviewed_by=users["programme_manager"]
    )
    DuplicatePair.objects.filter(first_id=min(c.pk, d.pk)).update(score=0.01, reasons=[])

    again = duplicates.scan()

    assert (again.pairs_written, again.pairs_updated) == (0, 1)
    found = pairs()
    assert found[key(a, b)].status == ReviewStatus.NOT_SAME
    assert found[key(c, d)].score >= SAME_PERSON_THRESHOLD
    assert found[key(c, d)].reasons
    assert duplicates.scan().pairs_updated == 0


def test_records_merged_away_are_not_paired_again(worker, users):
    a = register(worker, "Юлия", "Ковальчук", datetime.date(1990, 1, 2), "F")
    b = register(worker, "Iuliia", "Kovalchuk", datetime.date(1990, 1, 2), "F")
    c = register(worker, "Yulia", "Kovalchuk", datetime.date(1990, 1, 2), "F")
    merging.merge(users["programme_manager"], a, b)
    duplicates.scan()
    assert set(pairs()) == {key(a, c)}


def test_a_duplicate_known_only_by_another_name_is_found(worker):
    person = services.register(
        worker, {"given_name": "Анна", "family_name": "Петренко", "birth_date": datetime.date(1992, 4, 5)},
        programme=Programme.COUNTER_TRAFFICKING,
        aliases=[{"given_name": "Анна", "family_name": "Коваль", "kind": "previous"}],
    )
    other = register(worker, "Anna", "Koval", datetime.date(1992, 4, 5))
    duplicates.scan()
    assert set(pairs()) == {key(person, other)}


def test_large_blocks_are_split_by_birth_year_then_date_and_the_rest_reported(worker, monkeypatch):
    monkeypatch.setattr(duplicates, "BLOCK_CAP", 2)
    same_day = [register(worker, "Айбек", "Осмонов", datetime.date(1991, 2, 3), "M") for _ in range(3)]
    twin_a = register(worker, "Айбек", "Осмонов", datetime.date(1993, 8, 9), "M")
    twin_b = register(worker, "Aibek", "Osmonov", datetime.date(1993, 8, 9), "M")
    register(worker, "Айбек", "Осмонов", datetime.date(1993, 1, 9), "M")
    register(worker, "Айбек", "Осмонов", datetime.date(1996, 1, 9), "M")

    result = duplicates.scan()

    assert result.oversized_blocks >= 1
    assert result.skipped_blocks >= 1
    assert result.skipped_persons >= 3
    assert result.largest_skipped[0][1] == 3
    found = set(pairs())
    assert key(twin_a, twin_b) in found
    assert not any(key(x, y) in found for x, y in itertools.combinations(same_day, 2))


def test_the_stream_resumes_after_each_batch_of_candidates(worker, monkeypatch):
    people = [register(worker, "Юлия", family, datetime.date(1990, 1, 2), "F") for family in ("Ковальчук", "Kovalchuk")]
    people += [register(worker, "Тимур", family, datetime.date(1979, 1, 2), "M") for family in ("Рахимов", "Rakhimov")]
    people += [register(worker, "Ольга", family, datetime.date(1969, 3, 2), "F") for family in ("Сидорова", "Sidorova")]
    expected = duplicates.scan()
    DuplicatePair.objects.all().delete()
    monkeypatch.setattr(duplicates, "PENDING_LIMIT", 1)

    resumed = duplicates.scan()

    assert resumed.pairs_written == expected.pairs_written == 3
    assert resumed.blocks == expected.blocks
    assert set(pairs()) == {key(people[0], people[1]), key(people[2], people[3]), key(people[4], people[5])}


def test_the_command_prints_a_summary(worker):
    register(worker, "Юлия", "Ковальчук", datetime.date(1990, 1, 2), "F")
    register(worker, "Iuliia", "Kovalchuk", datetime.date(1990, 1, 2), "F")
    out = StringIO()
    call_command("find_duplicates", stdout=out)
    assert "2 persons" in out.getvalue()
    assert "1 new pairs to review" in out.getvalue()
    assert DuplicatePair.objects.count() == 1


# --- The pre-filter never drops a pair the matcher would keep ---------------------------------------
DATES = [
    ("", ""), ("1990-01-02", "exact"), ("1990-02-01", "exact"), ("1991-01-02", "exact"), ("1990-01-03", "exact"),
    ("1990-05-06", "exact"), ("1990", "year"), ("1991", "year"), ("1985-01-02", "exact"), ("1990", "estimated"),
]


def code(date: str, precision: str, sex: str = "") -> int:
    value = None
    if date:
        parts = [int(x) for x in date.split("-")] + [1, 1]
        value = datetime.date(parts[0], parts[1], parts[2])
    return duplicates._encode(value, precision, sex)


def text(date: str, precision: str) -> str:
    return date if precision == BirthDatePrecision.EXACT else date[:4]


@pytest.mark.parametrize(("a", "b"), list(itertools.product(DATES, repeat=2)))
def test_the_coded_date_weight_is_the_matchers(a, b):
    expected = sum(reason.weight for reason in _birth_date(text(*a), text(*b)))
    assert duplicates._date_weight(code(*a), code(*b)) == expected


def test_the_pre_filter_is_an_upper_bound_of_the_score():
    rng = random.Random(7)
    names = [("Юлия", "Ковальчук", "Ивановна"), ("Iuliia", "Kovalchuk", ""), ("Юлия", "Ковальчук", ""),
             ("Yulia", "Kovalchuk", "Ivanovna"), ("Сергей", "Иванов", "Петрович"), ("Алексей", "Иванов", "")]
    needed = duplicates._logit(SAME_PERSON_THRESHOLD)
    for _ in range(3000):
        (given_a, family_a, pat_a), (given_b, family_b, pat_b) = rng.choice(names), rng.choice(names)
        date_a, date_b = rng.choice(DATES), rng.choice(DATES)
        sex_a, sex_b = rng.choice("FM "), rng.choice("FM ")
        score = compare(
            {"given": given_a, "family": family_a, "patronymic": pat_a, "birth_date": text(*date_a),
             "sex": sex_a.strip(), "citizenship": "UA"},
            {"given": given_b, "family": family_b, "patronymic": pat_b, "birth_date": text(*date_b),
             "sex": sex_b.strip(), "citizenship": "UA"},
        ).score
        if score >= SAME_PERSON_THRESHOLD:
            assert duplicates.may_reach(code(*date_a, sex_a.strip()), code(*date_b, sex_b.strip()), needed)


def test_namesakes_of_a_common_name_are_paired_only_on_exact_dates(worker, monkeypatch):
    dated = register(worker, "Иван", "Петров", datetime.date(1990, 1, 2), "M")
    respelt = register(worker, "Ivan", "Petrov", datetime.date(1990, 1, 2), "M")
    undated = register(worker, "Иван", "Петров", None, "M")
    year_only = register(worker, "Иван", "Петров", datetime.date(1990, 1, 1), "M", precision=BirthDatePrecision.YEAR)
    duplicates.scan()
    assert len(pairs()) == 6  # a rare name: the matcher's word is taken for every pair
    DuplicatePair.objects.all().delete()
    monkeypatch.setattr(duplicates, "COMMON_NAME", 2)

    result = duplicates.scan()

    assert set(pairs()) == {key(dated, respelt)}
    assert result.vague_pairs_left_out >= 5
    assert undated.pk
    assert year_only.pk


TRICKY = [
    {"given": "Юлия Ивановна", "family": "Ковальчук-Петренко", "birth_date": "1990-01-02", "sex": "F"},
    {"given": "Iuliia", "family": "Kovalchuk", "patronymic": "Ivanovna", "birth_date": "1990", "citizenship": "UA"},
    {"given": "Гусейн", "family": "Алиев", "patronymic": "Рашид оглы", "birth_date": "1979-12-01", "sex": "M"},
    {"given": "Huseyn", "family": "Aliyev", "patronymic": "Rashid o'g'li", "birth_date": "", "sex": "M"},
    {"given": "Jean-Pierre", "family": "Mukendi Kabila", "birth_date": "1988-02-01"},
    {"given": "Жан Пьер", "family": "Мукенди", "birth_date": "1988-01-02", "citizenship": "CD"},
    {"given": "Ёлкин", "family": "Фёдор", "patronymic": "Ильич", "sex": "M"},
    {"given": "Fedor", "family": "Elkin", "patronymic": "Ilich", "birth_date": "1970-01-01", "sex": "M"},
]


@pytest.mark.parametrize(("a", "b"), list(itertools.combinations(TRICKY, 2)))
def test_memoised_comparison_on_latinised_names_is_the_matchers(a, b):
    direct = compare(a, b)
    memoised = duplicates.best_match([a], [b])
    assert memoised.score == pytest.approx(direct.score)
    assert memoised.reasons == direct.reasons
