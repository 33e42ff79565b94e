"""Opening hours and addresses in words, as the directory pages show them."""

import datetime

import pytest
from django.utils import translation

from waypoint.partners.display import address_lines, days_text, opening_hours
from waypoint.partners.models import Address, Schedule


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.mark.parametrize(("byday", "text"), [
    ("MO,TU,WE,TH,FR", "Mon\N{EN DASH}Fri"),
    ("MO,WE,FR", "Mon, Wed, Fri"),
    ("TU,TH", "Tue, Thu"),
    ("MO,TU,WE,TH,FR,SA,SU", "Every day"),
    ("SA,SU", "Sat, Sun"),
    ("MO,TU,WE,FR,SA", "Mon\N{EN DASH}Wed, Fri, Sat"),
    ("fr,mo,tu,we,th", "Mon\N{EN DASH}Fri"),
    ("1MO,-1FR", "Mon, Fri"),
    ("", ""),
])
def test_days_are_written_as_people_write_them(byday, text):
    assert days_text(byday) == text


def test_a_schedule_reads_as_opening_hours():
    schedule = Schedule(byday="MO,TU,WE,TH,FR", opens_at=datetime.time(9), closes_at=datetime.time(18, 30))

    assert opening_hours(schedule) == "Mon\N{EN DASH}Fri 09:00\N{EN DASH}18:30"


def test_round_the_clock_every_day():
    schedule = Schedule(byday="MO,TU,WE,TH,FR,SA,SU", opens_at=datetime.time(0), closes_at=datetime.time(23, 59))

    assert opening_hours(schedule) == "Round the clock, every day"


def test_a_description_is_kept_and_used_alone_when_there_are_no_hours():
    with_hours = Schedule(byday="SA", opens_at=datetime.time(10), closes_at=datetime.time(14),
                          description="by appointment")

    assert opening_hours(with_hours) == "Sat 10:00\N{EN DASH}14:00 (by appointment)"
    assert opening_hours(Schedule(description="Call first")) == "Call first"
    assert opening_hours(Schedule()) == "Hours not given"


def test_an_address_is_written_as_on_an_envelope():
    address = Address(address_1="Ul. Kirova 42", city="Astrakhan", region="Astrakhan Oblast", postal_code="414000",
                      country="RU")

    assert address_lines(address) == ["Ul. Kirova 42", "414000 Astrakhan, Astrakhan Oblast", "Russian Federation"]


def test_a_region_equal_to_the_city_is_not_repeated():
    address = Address(address_1="Tverskaya 1", city="Moscow", region="Moscow", country="RU")

    assert address_lines(address) == ["Tverskaya 1", "Moscow", "Russian Federation"]
