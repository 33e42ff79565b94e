"""Reference numbers: per prefix and year, consecutive, five digits, never repeated."""

import threading

import pytest
from django.db import connection

from waypoint.cases.models import ReferenceSequence
from waypoint.cases.references import next_reference


def test_numbers_follow_each_other_per_prefix_and_year(db):
    assert next_reference("CT", 2026) == "CT-2026-00001"
    assert next_reference("CT", 2026) == "CT-2026-00002"
    assert next_reference("R", 2026) == "R-2026-00001"
    assert next_reference("CT", 2027) == "CT-2027-00001"
    assert next_reference("CT", 2026) == "CT-2026-00003"
    assert ReferenceSequence.objects.get(prefix="CT", year=2026).last == 3


def test_the_current_year_by_default(db):
    from django.utils import timezone

    assert next_reference("AVRR") == f"AVRR-{timezone.localdate().year}-00001"


def test_numbers_go_past_five_digits_without_breaking(db):
    ReferenceSequence.objects.create(prefix="R", year=2026, last=99999)
    assert next_reference("R", 2026) == "R-2026-100000"


@pytest.mark.parametrize("prefix", ["", "MUCH-TOO-LONG"])
def test_a_bad_prefix_is_refused(db, prefix):
    with pytest.raises(ValueError, match="A reference prefix has 1 to 10 characters"):
        next_reference(prefix, 2026)


@pytest.mark.django_db(transaction=True)
def test_concurrent_callers_never_get_the_same_number():
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith("file:memorydb"):
        pytest.skip("an in-memory SQLite database is one connection: nothing runs concurrently")
    numbers: list[str] = []
    errors: list[BaseException] = []

    def take():
        try:
            for _ in range(5):
                numbers.append(next_reference("CT", 2030))
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=take) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not errors
    assert sorted(numbers) == [f"CT-2030-{n:05d}" for n in range(1, 21)]
