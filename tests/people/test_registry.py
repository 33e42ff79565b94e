"""The registry core: validation, the ICAO Latin form, the matching index, candidates and search."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from waypoint.accounts.models import Programme
from waypoint.people import index, lookup, services
from waypoint.people.models import BirthDatePrecision, IdentityDocument, NameKey, Person
from waypoint.people.transliteration import icao_latin

pytestmark = pytest.mark.django_db

CT = Programme.COUNTER_TRAFFICKING


def register(user, programme=CT, **data):
    return services.register(user, data, programme=programme)


@pytest.mark.parametrize(
    ("written", "latin"),
    [
        ("Юлия", "Iuliia"),
        ("КОВАЛЬЧУК", "KOVALCHUK"),
        ("Щербаков", "Shcherbakov"),
        ("Олексій", "Oleksii"),
        ("Римский-Корсаков", "Rimskii-Korsakov"),
        ("Kowaltschuk", "Kowaltschuk"),
    ],
)
def test_the_latin_form_follows_icao_9303_and_keeps_latin_names(written, latin):
    assert icao_latin(written) == latin


def test_registration_computes_the_latin_form_and_keeps_a_typed_one(users):
    computed = register(users["case_worker"], given_name="Юлия", family_name="Ковальчук")
    typed = register(
        users["case_worker"], given_name="Юлия", family_name="Ковальчук",
        given_name_latin="Yuliya", family_name_latin="Kovalchuk", latin_is_custom=True,
    )
    assert (computed.given_name_latin, computed.family_name_latin) == ("Iuliia", "Kovalchuk")
    assert (typed.given_name_latin, typed.family_name_latin) == ("Yuliya", "Kovalchuk")


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"given_name": "", "family_name": ""}, "family_name"),
        ({"family_name": "\u0418\u0432a\u043d\u043e\u0432"}, "family_name"),  # Cyrillic with a Latin "a"
        ({"family_name": "Ivanov2"}, "family_name"),
        ({"family_name": "Ivanov", "birth_date": datetime.date.today() + datetime.timedelta(days=1)}, "birth_date"),
        ({"family_name": "Ivanov", "birth_date": datetime.date(1826, 5, 1)}, "birth_date"),
        ({"family_name": "Ivanov", "citizenships": ["XX"]}, "citizenships"),
        ({"family_name": "Ivanov", "languages": ["zz"]}, "languages"),
        ({"family_name": "Ivanov", "birth_date_precision": BirthDatePrecision.ESTIMATED}, "estimated_age"),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(users, data, field):
    with pytest.raises(ValidationError) as error:
        register(users["case_worker"], **data)
    assert field in error.value.message_dict
    assert not Person.objects.exists()
    assert not NameKey.objects.exists()


@pytest.mark.parametrize("name", ["O\u02bbg\u02bbiloy", "G\u2019ulomov", "O'Brien", "Anne-Marie", "Жўраев"])
def test_apostrophes_and_hyphens_of_real_names_are_accepted(users, name):
    assert register(users["case_worker"], family_name=name).family_name == name


def test_an_estimated_age_gives_an_approximate_year_of_birth(users):
    person = register(
        users["case_worker"], family_name="Ivanov", birth_date_precision=BirthDatePrecision.ESTIMATED,
        estimated_age=30, age_estimated_on=datetime.date(2026, 5, 1),
    )
    assert person.birth_date == datetime.date(1996, 1, 1)
    assert person.birth_date_text() == "1996"


@pytest.mark.parametrize("number", ["12", "45 06 12345!", "A" * 21])
def test_a_malformed_document_number_is_refused(users, number):
    person = register(users["case_worker"], family_name="Ivanov")
    with pytest.raises(ValidationError) as error:
        services.add_document(users["case_worker"], person, {"document_type": "passport", "number": number})
    assert "number" in error.value.message_dict
    assert not IdentityDocument.objects.exists()


def test_a_document_number_is_stored_encrypted_and_found_exactly(users):
    person = register(users["case_worker"], family_name="Ivanov")
    services.add_document(users["case_worker"], person, {"document_type": "passport", "number": "45 06-123456"})

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT number FROM {IdentityDocument._meta.db_table}")
        [(raw,)] = cursor.fetchall()
    assert raw.startswith("fernet:")
    assert "123456" not in raw
    assert [c.person for c in lookup.search(users["case_worker"], "4506123456")] == [person]
    assert [c.person for c in lookup.search(users["case_worker"], "45-06 123456")] == [person]
    assert lookup.search(users["case_worker"], "4506123457") == []


def test_every_name_form_is_indexed_and_keys_are_rebuilt_on_change(users):
    person = register(users["case_worker"], given_name="Юлия", family_name="Ковальчук")
    before = set(NameKey.objects.filter(person=person).values_list("key", flat=True))
    services.add_alias(users["case_worker"], person, {"given_name": "Julia", "family_name": "Kowaltschuk"})
    after = set(NameKey.objects.filter(person=person).values_list("key", flat=True))

    assert before < after
    assert set(index.hashed_keys(index.person_records(person))) == after


@pytest.mark.parametrize(
    "query", ["Ковальчук Юлия", "ковальчук", "KOVALCHUK IULIIA", "Kovalchuk Yulia", "Yuliya Kovalchuk", "Kowaltschuk"]
)
def test_search_finds_a_person_by_any_spelling_in_either_script(users, query):
    person = register(users["case_worker"], given_name="Юлия", family_name="Ковальчук")
    register(users["case_worker"], given_name="Иван", family_name="Петров")

    assert lookup.search(users["case_worker"], query)[0].person == person


def test_search_folds_cyrillic_case(users):
    person = register(users["case_worker"], given_name="Юрий", family_name="Щербак")
    assert [c.person for c in lookup.search(users["case_worker"], "щербак")] == [person]
    assert [c.person for c in lookup.search(users["case_worker"], "ЩЕРБАК")] == [person]


def test_search_by_reference(users):
    person = register(users["case_worker"], family_name="Ivanov")
    assert lookup.search(users["case_worker"], person.reference)[0].person == person
    assert lookup.search(users["case_worker"], f"p{person.pk}")[0].person == person


def test_search_is_limited_to_the_users_programmes(users):
    register(users["case_worker_b"], programme=Programme.RETURN, given_name="Юлия", family_name="Ковальчук")

    assert lookup.search(users["case_worker"], "Kovalchuk Yulia") == []
    assert lookup.search(users["me_officer"], "Kovalchuk Yulia") == []
    assert len(lookup.search(users["case_worker_b"], "Kovalchuk Yulia")) == 1


def test_duplicate_candidates_rank_the_same_person_first_with_reasons(users):
    same = register(
        users["case_worker"], given_name="Юрий", family_name="Щербаков", birth_date=datetime.date(1985, 3, 4), sex="M"
    )
    register(users["case_worker"], given_name="Сергей", family_name="Щербаков", birth_date=datetime.date(1988, 1, 1))

    visible, hidden = lookup.duplicate_candidates(
        users["case_worker"], {"given": "Yuri", "family": "Sherbakov", "birth_date": "1985-03-04", "sex": "M"}
    )

    assert visible[0].person == same
    assert visible[0].score >= 0.5
    assert {r.field for r in visible[0].reasons} >= {"family", "given", "birth_date"}
    assert all(c.score < 0.5 for c in visible[1:])
    assert hidden == []


def test_a_likely_match_in_another_programme_names_only_the_programme_and_its_manager(users):
    register(users["case_worker"], given_name="Юлия", family_name="Ковальчук", birth_date=datetime.date(1990, 1, 2))

    visible, hidden = lookup.duplicate_candidates(
        users["case_worker_b"], {"given": "Julia", "family": "Kowaltschuk", "birth_date": "1990-01-02"}
    )

    assert visible == []
    assert [(h.programme, h.managers) for h in hidden] == [(CT, [users["programme_manager"]])]


def test_a_typo_in_the_given_name_without_birth_date_is_still_a_candidate(users):
    person = register(users["case_worker"], given_name="Gulnora", family_name="Rakhimova")
    visible, _hidden = lookup.duplicate_candidates(users["case_worker"], {"given": "Gulnara", "family": "Rahimova"})
    assert visible
    assert visible[0].person == person


def test_a_merged_away_record_is_not_a_candidate(users):
    survivor = register(users["case_worker"], given_name="Юлия", family_name="Ковальчук")
    absorbed = register(users["case_worker"], given_name="Julia", family_name="Kovalchuk")
    Person.objects.filter(pk=absorbed.pk).update(merged_into=survivor)

    found = [c.person for c in lookup.search(users["case_worker"], "Kovalchuk Julia")]
    assert found == [survivor]


def test_a_denial_inside_a_service_stays_in_the_audit_trail(users):
    from django.http import Http404

    from waypoint.audit.models import Action, AuditEvent

    person = register(users["case_worker_b"], programme=Programme.RETURN, family_name="Ivanov")
    with pytest.raises(Http404):
        services.update(users["case_worker"], person, {"family_name": "Petrov"}, version=person.version)
    with pytest.raises(Http404):
        services.add_alias(users["case_worker"], person, {"family_name": "Petrov"})

    denials = AuditEvent.objects.filter(action=Action.DENY, actor_id=users["case_worker"].pk)
    assert list(denials.values_list("object_type", "object_id")) == [("people.person", str(person.pk))] * 2
    assert Person.objects.get(pk=person.pk).family_name == "Ivanov"
