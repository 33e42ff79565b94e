"""Demo persons for `make run`: loaded once however often seed_demo runs, with duplicates the registry finds."""

import datetime
import io

import pytest
from django.core.management import call_command

from waypoint.accounts import demo as accounts_demo
from waypoint.accounts.models import User
from waypoint.audit.models import AuditEvent
from waypoint.partners import demo as partners_demo
from waypoint.people import demo, lookup
from waypoint.people.models import IdentityDocument, Person, PersonAlias, ProgrammeRegistration

pytestmark = pytest.mark.django_db


@pytest.fixture
def small():
    """Demo users, the deliberate records and a few generated persons: what finding duplicates needs, fast."""
    partners_demo.load(io.StringIO())
    accounts_demo.load(io.StringIO())
    demo.load(io.StringIO(), generated=30)


def counts() -> tuple[int, ...]:
    return (Person.objects.count(), ProgrammeRegistration.objects.count(), IdentityDocument.objects.count(),
            PersonAlias.objects.count())  # fmt: skip


def test_demo_people_load_once_over_the_programmes_by_their_users():
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    loaded = counts()
    # about 300 persons of the people demo and 480 of the counter-trafficking demo (450 cases, their families);
    # the programme demos add theirs: about 4,700 resettling family members over five quarters, 220 returnees,
    # 210 of migration health and the enterprises' members
    assert 5_800 <= loaded[0] <= 6_200
    assert loaded[2] > 50  # identity documents
    assert loaded[3] > 10  # other names
    assert "Demo people: " in out.getvalue()

    spread = {code: ProgrammeRegistration.objects.filter(programme=code).count() for code, _w in demo.PROGRAMME_WEIGHTS}
    assert all(count >= 15 for count in spread.values()), spread
    caseworker = User.objects.get(username="caseworker")
    ct = ProgrammeRegistration.objects.filter(programme="CT", registered_by=caseworker)
    assert ct.count() > 20
    assert {registration.office_id for registration in ct} == {caseworker.office_id}
    # registered through the services, so audited as a clerk's registration would be
    assert AuditEvent.objects.filter(object_type="people.person", actor_id=caseworker.pk).exists()

    again = io.StringIO()
    call_command("seed_demo", stdout=again)
    assert counts() == loaded
    assert "Demo people already loaded" in again.getvalue()


CASES = [
    # who registers, what is typed, the family names of the records that are this person
    ("manager", {"family": "Kovalchuk", "given": "Iuliia", "birth_date": "1991-03-14", "sex": "F"},
     {"Ковальчук", "Kovalchuk"}),
    ("manager", {"family": "Окафор", "given": "Чинеду", "birth_date": "1995-11-20"}, {"Okafor", "Окафор"}),
    ("manager", {"family": "Шевченко", "given": "Елена", "patronymic": "Петровна", "birth_date": "1979-05-09"},
     {"Шевченко"}),
    ("manager", {"family": "Mensah", "given": "Kwame", "birth_date": "1990-04-04"}, {"Mensah", "Kwame"}),
    ("returns", {"family": "SAFAROV", "given": "FARRUKH", "birth_date": "1993-09-12"}, {"Сафаров"}),
    ("manager", {"family": "Абдулаев", "given": "Шерзод", "birth_date": "1997-12-01"}, {"Абдуллаев", "Абдулаев"}),
]  # fmt: skip


def test_the_deliberate_duplicates_are_found_while_registering(small):
    for username, record, family_names in CASES:
        user = User.objects.get(username=username)
        visible, _hidden = lookup.duplicate_candidates(user, record)
        same = [c.person for c in visible if c.match.same_person]
        assert {p.family_name for p in same} == family_names, (record, same)
    shevchenko = [c for c in lookup.duplicate_candidates(User.objects.get(username="manager"), CASES[2][1])[0]
                  if c.match.same_person]  # fmt: skip
    assert {c.person.given_name for c in shevchenko} == {"Олена", "Елена"}


def test_a_duplicate_in_a_programme_the_user_cannot_see_is_only_announced(small):
    caseworker = User.objects.get(username="caseworker")
    visible, hidden = lookup.duplicate_candidates(
        caseworker, {"family": "Ахмади", "given": "Фатима", "birth_date": "2001-01-30", "sex": "F"}
    )
    assert not [c for c in visible if c.person.family_name in ("Ahmadi", "Ахмади")]
    assert {h.programme for h in hidden} >= {"RES"}


def test_siblings_and_namesakes_are_not_taken_for_the_same_person(small):
    manager = User.objects.get(username="manager")
    record = {"family": "Кузнецов", "given": "Дмитрий", "patronymic": "Сергеевич", "birth_date": "1985-02-17"}
    visible, _hidden = lookup.duplicate_candidates(manager, record)
    same = [c.person for c in visible if c.match.same_person]
    assert [(p.family_name, p.birth_date) for p in same] == [("Кузнецов", datetime.date(1985, 2, 17))]


def test_one_passport_number_finds_both_records(small):
    manager = User.objects.get(username="manager")
    found = {c.person.family_name for c in lookup.search(manager, "A07345126")}
    assert found == {"Okafor", "Окафор"}
