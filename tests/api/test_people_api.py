# ruff: noqa: RUF001
"""Persons in the REST API: every endpoint under the access policy, duplicates, refused data and conflicts."""

import datetime

import pytest
from django.test import Client

from waypoint.accounts.models import Programme, Role
from waypoint.api import services as api_services
from waypoint.audit.models import Action, AuditEvent
from waypoint.people import services
from waypoint.people.models import Person

pytestmark = pytest.mark.django_db

CT = Programme.COUNTER_TRAFFICKING
AVRR = Programme.RETURN
ROLES_WITHOUT_PEOPLE = [
    Role.ADMINISTRATOR, Role.ME_OFFICER, Role.PARTNER_USER, Role.DATA_PROTECTION_OFFICER, Role.TRAINER,
]


@pytest.fixture
def api_as(users):
    """A function giving a client whose every request carries the named user's API token."""

    def make(name: str) -> Client:
        _token, secret = api_services.create_token(users[name], name="tests", valid_days=30)
        return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")

    return make


@pytest.fixture
def yulia(users) -> Person:
    """A counter-trafficking client, written in Cyrillic, with contacts and a passport."""
    person = services.register(
        users["case_worker"],
        {"given_name": "Юлия", "family_name": "Ковальчук", "sex": "F", "birth_date": datetime.date(1990, 4, 12),
         "citizenships": ["UA"], "phone": "+7 900 123-45-67", "email": "yulia@example.org"},
        programme=CT, aliases=[{"given_name": "Julia", "family_name": "Kowaltschuk"}],
    )
    services.add_document(users["case_worker"], person, {"document_type": "passport", "number": "FA 123456"})
    return person


@pytest.fixture
def returnee(users) -> Person:
    """A person known only to the return programme: out of the CT case worker's scope."""
    return services.register(
        users["case_worker_b"],
        {"given_name": "Олег", "family_name": "Сидоренко", "sex": "M", "birth_date": datetime.date(1985, 2, 3),
         "phone": "+7 911 000-00-00"},
        programme=AVRR,
    )


def post(client: Client, data: dict):
    return client.post("/api/v1/people", data, content_type="application/json")


def patch(client: Client, person: Person, data: dict):
    return client.patch(f"/api/v1/people/{person.pk}", data, content_type="application/json")


def denials(object_type: str, object_id: str = ""):
    events = AuditEvent.objects.filter(action=Action.DENY, object_type=object_type)
    return events.filter(object_id=object_id) if object_id else events


# --- Authentication and roles ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("method", "path"), [("get", "/api/v1/people"), ("post", "/api/v1/people"), ("get", "/api/v1/people/1")],
)
def test_persons_need_a_token(method, path):
    assert getattr(Client(), method)(path).status_code == 401


@pytest.mark.parametrize("role", ROLES_WITHOUT_PEOPLE)
def test_roles_without_access_to_persons_get_404_everywhere(api_as, users, yulia, role):
    client = api_as(role)

    answers = [
        client.get("/api/v1/people"),
        client.get("/api/v1/people", {"q": "Kovalchuk"}),
        post(client, {"family_name": "Ivanov", "confirm_new": True}),
        client.get(f"/api/v1/people/{yulia.pk}"),
        patch(client, yulia, {"version": 1, "family_name": "Ivanova"}),
    ]

    assert [answer.status_code for answer in answers] == [404] * 5
    for answer in answers:
        assert "Ковальчук" not in answer.content.decode()
    assert denials("capability", "view_people").filter(actor_id=users[role].pk).count() == 5
    assert Person.objects.count() == 1
    assert Person.objects.get().family_name == "Ковальчук"


# --- List and search ------------------------------------------------------------------------
def test_the_list_holds_the_people_in_scope_without_contacts(api_as, yulia, returnee):
    response = api_as("case_worker").get("/api/v1/people")

    assert response.status_code == 200
    page = response.json()
    assert page["count"] == 1
    assert (page["next"], page["previous"]) == (None, None)
    [row] = page["results"]
    assert row["id"] == yulia.pk
    assert row["reference"] == yulia.reference
    assert (row["family_name"], row["family_name_latin"]) == ("Ковальчук", "Kovalchuk")
    assert row["birth_date"] == "1990-04-12"
    assert not {"phone", "email", "address", "other_contacts"} & set(row)
    assert "900 123" not in response.content.decode()


def test_each_programme_lists_only_its_own_people(api_as, yulia, returnee):
    response = api_as("case_worker_b").get("/api/v1/people")

    assert [row["id"] for row in response.json()["results"]] == [returnee.pk]
    assert api_as(Role.HOTLINE_OPERATOR).get("/api/v1/people").json() == {
        "count": 0, "next": None, "previous": None, "results": [],
    }


def test_the_list_is_paged_by_limit_and_offset(api_as, users):
    for family in ("Abramov", "Belov", "Chernov"):
        services.register(users["case_worker"], {"given_name": "Ivan", "family_name": family}, programme=CT)
    client = api_as("case_worker")

    first = client.get("/api/v1/people", {"limit": 2}).json()
    second = client.get(first["next"]).json()

    assert first["count"] == 3
    assert [row["family_name"] for row in first["results"]] == ["Abramov", "Belov"]
    assert first["previous"] is None
    assert "offset=2" in first["next"]
    assert [row["family_name"] for row in second["results"]] == ["Chernov"]
    assert second["next"] is None
    assert "offset=0" in second["previous"]


@pytest.mark.parametrize("params", [{"limit": 101}, {"limit": 0}, {"offset": -1}])
def test_a_page_larger_than_100_or_a_negative_offset_is_refused(api_as, params):
    response = api_as("case_worker").get("/api/v1/people", params)

    assert response.status_code == 422
    assert set(response.json()["errors"]) == set(params)


@pytest.mark.parametrize("query", ["Kovalchuk Yulia", "Yuliya Kovalchuk", "KOVALCHUK IULIIA", "Kovalchuk"])
def test_search_finds_a_cyrillic_record_by_a_latin_spelling(api_as, users, yulia, query):
    services.register(users["case_worker"], {"given_name": "Иван", "family_name": "Петров"}, programme=CT)

    response = api_as("case_worker").get("/api/v1/people", {"q": query})

    assert response.status_code == 200
    best = response.json()["results"][0]
    assert best["id"] == yulia.pk
    assert 0 < best["score"] <= 1
    assert best["reasons"]
    assert {"field", "code", "text", "supports"} <= set(best["reasons"][0])
    assert any(reason["field"] == "family" and reason["text"].startswith("family name: ") for reason in best["reasons"])
    assert "phone" not in best


def test_search_by_record_number_and_document_number(api_as, yulia):
    client = api_as("case_worker")

    by_reference = client.get("/api/v1/people", {"q": yulia.reference}).json()["results"]
    by_document = client.get("/api/v1/people", {"q": "FA123456"}).json()["results"]

    assert [row["id"] for row in by_reference] == [yulia.pk]
    assert by_reference[0]["reasons"][0]["field"] == "reference"
    assert [row["id"] for row in by_document] == [yulia.pk]


def test_search_never_finds_people_out_of_scope(api_as, users, returnee):
    services.register(users["case_worker_b"], {"given_name": "Юлия", "family_name": "Ковальчук"}, programme=AVRR)
    client = api_as("case_worker")

    for query in ("Sidorenko Oleg", "Сидоренко", returnee.reference, "Kovalchuk Yulia"):
        response = client.get("/api/v1/people", {"q": query})
        assert response.status_code == 200
        assert response.json()["results"] == [], query


# --- Registration ---------------------------------------------------------------------------
def test_registering_a_person_answers_201_with_the_record(api_as, users):
    response = post(api_as("case_worker"), {
        "given_name": "Алексей", "family_name": "Кузнецов", "sex": "M", "birth_date": "1980-03-04",
        "citizenships": ["ru", "KZ"], "languages": ["RU"], "phone": "+7 900 000-11-22",
        "aliases": [{"kind": "alias", "given_name": "Lyosha", "family_name": "Kuznetsov"}],
    })

    assert response.status_code == 201, response.content
    body = response.json()
    person = Person.objects.get()
    assert body["id"] == person.pk
    assert body["reference"] == person.reference
    assert body["version"] == 1
    assert (body["given_name_latin"], body["family_name_latin"]) == ("Aleksei", "Kuznetsov")
    assert body["latin_is_custom"] is False
    assert body["birth_date"] == "1980-03-04"
    assert body["citizenships"] == ["RU", "KZ"]
    assert body["languages"] == ["ru"]
    assert body["phone"] == "+7 900 000-11-22"
    assert body["programmes"] == ["CT"]
    assert [(a["kind"], a["given_name"]) for a in body["aliases"]] == [("alias", "Lyosha")]
    assert body["merged_into"] is None
    created = AuditEvent.objects.get(action=Action.CREATE, object_type="people.person")
    assert created.actor_id == users["case_worker"].pk
    assert created.changes["phone"] is None, "contacts are named in the trail, never their values"


def test_a_latin_form_typed_from_a_passport_is_kept(api_as):
    response = post(api_as("case_worker"), {
        "given_name": "Юлия", "family_name": "Ковальчук", "given_name_latin": "Yuliya",
    })

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["latin_is_custom"] is True
    assert (body["given_name_latin"], body["family_name_latin"]) == ("Yuliya", "Kovalchuk")


def test_a_latin_form_equal_to_the_computed_one_is_not_custom(api_as):
    response = post(api_as("case_worker"), {
        "given_name": "Юлия", "family_name": "Ковальчук", "given_name_latin": "Iuliia",
    })

    assert response.json()["latin_is_custom"] is False


def test_every_refused_field_is_named_at_once(api_as):
    response = post(api_as("case_worker"), {
        "family_name": "Ивaнов", "citizenships": ["XX"], "programme": "AVRR",
        "aliases": [{"given_name": "", "family_name": ""}],
    })

    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"family_name", "citizenships", "programme", "alias-1-family_name"}


def test_the_programme_must_be_one_of_the_users(api_as, users):
    response = post(api_as("case_worker"), {"family_name": "Ivanov", "programme": "AVRR"})

    assert response.status_code == 422
    assert "programme" in response.json()["errors"]
    assert not Person.objects.exists()


def test_a_user_of_several_programmes_chooses_one(api_as, users):
    users["case_worker"].programmes = [CT, AVRR]
    users["case_worker"].save()
    client = api_as("case_worker")

    refused = post(client, {"family_name": "Ivanov"})
    accepted = post(client, {"family_name": "Ivanov", "programme": "AVRR"})

    assert refused.status_code == 422
    assert "programme" in refused.json()["errors"]
    assert accepted.status_code == 201
    assert accepted.json()["programmes"] == ["AVRR"]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"family_name": "Ивaнов"}, "family_name"),  # a Latin "a" among Cyrillic letters
        ({"family_name": "Ivanov", "birth_date": (datetime.date.today() + datetime.timedelta(days=2)).isoformat()},
         "birth_date"),
        ({"family_name": "Ivanov", "citizenships": ["XX"]}, "citizenships"),
        ({"family_name": "Ivanov", "languages": ["zz"]}, "languages"),
        ({"family_name": "Ivanov", "sex": "Q"}, "sex"),
        ({"given_name": "", "family_name": ""}, "family_name"),
        ({"family_name": "Ivanov", "aliases": [{"family_name": "Iv4nov"}]}, "alias-1-family_name"),
    ],
)
def test_refused_data_answer_422_naming_the_field_and_save_nothing(api_as, data, field):
    response = post(api_as("case_worker"), {**data, "confirm_new": True})

    assert response.status_code == 422, response.content
    body = response.json()
    assert field in body["errors"]
    assert all(isinstance(message, str) and message for message in body["errors"][field])
    assert body["detail"]
    assert not Person.objects.exists()


def test_the_mixed_alphabet_message_names_the_alphabets(api_as):
    response = post(api_as("case_worker"), {"family_name": "Ивaнов"})

    [message] = response.json()["errors"]["family_name"]
    assert "Cyrillic" in message
    assert "Latin" in message


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"family_name": "Ivanov", "birth_date": "12.04.1990"}, "birth_date"),
        ({"family_name": "Ivanov", "birth_date": 640000000}, "birth_date"),
        ({"family_name": "Ivanov", "id": 5}, "id"),
        ({"family_name": "Ivanov", "aliases": [{"family_name": 5}]}, "aliases.0.family_name"),
    ],
)
def test_a_malformed_body_answers_422_naming_the_field(api_as, data, field):
    response = post(api_as("case_worker"), data)

    assert response.status_code == 422
    assert field in response.json()["errors"]
    assert not Person.objects.exists()


def test_a_likely_duplicate_in_scope_answers_409_until_confirmed(api_as, yulia):
    client = api_as("case_worker")
    data = {"given_name": "Yulia", "family_name": "Kovalchuk", "sex": "F", "birth_date": "1990-04-12"}

    warned = post(client, data)

    assert warned.status_code == 409
    body = warned.json()
    assert body["detail"]
    assert body["candidates"][0]["id"] == yulia.pk
    assert body["candidates"][0]["reference"] == yulia.reference
    assert body["candidates"][0]["score"] >= 0.5
    assert body["candidates"][0]["reasons"]
    assert body["other_programmes"] == []
    assert Person.objects.count() == 1

    confirmed = post(client, {**data, "confirm_new": True})

    assert confirmed.status_code == 201
    assert Person.objects.count() == 2


def test_a_likely_duplicate_out_of_scope_reveals_only_whom_to_ask(api_as, users, make_user):
    make_user(Role.PROGRAMME_MANAGER, "avrr_manager", programmes=[AVRR], first_name="Anna", last_name="Return")
    hidden = services.register(
        users["case_worker_b"],
        {"given_name": "Юлия", "family_name": "Ковальчук", "sex": "F", "birth_date": datetime.date(1990, 4, 12),
         "phone": "+7 999 555-44-33", "address": "ул. Тайная, 7"},
        programme=AVRR,
    )
    client = api_as("case_worker")
    data = {"given_name": "Yuliya", "family_name": "Kovalchuk", "sex": "F", "birth_date": "1990-04-12"}

    warned = post(client, data)

    assert warned.status_code == 409
    body = warned.json()
    assert body["candidates"] == []
    assert body["other_programmes"] == [{
        "programme": "AVRR",
        "programme_name": "Assisted voluntary return and reintegration",
        "managers": [{"name": "Anna Return", "email": "avrr_manager@example.org"}],
    }]
    text = warned.content.decode()
    for secret in ("Ковальчук", "Юлия", "Iuliia", hidden.reference, "555-44", "Тайная", "1990"):
        assert secret not in text
    assert Person.objects.count() == 1

    confirmed = post(client, {**data, "confirm_new": True})

    assert confirmed.status_code == 201
    assert confirmed.json()["id"] != hidden.pk


def test_a_different_person_with_a_similar_name_is_registered_at_once(api_as, yulia):
    response = post(api_as("case_worker"), {"given_name": "Иван", "family_name": "Ковальчук", "sex": "M",
                                            "birth_date": "1971-09-30"})

    assert response.status_code == 201


# --- One person -----------------------------------------------------------------------------
def test_one_person_is_served_with_contacts_and_the_read_is_audited(api_as, users, yulia):
    response = api_as("case_worker").get(f"/api/v1/people/{yulia.pk}")

    assert response.status_code == 200
    body = response.json()
    assert body["reference"] == yulia.reference
    assert body["version"] == 1
    assert body["phone"] == "+7 900 123-45-67"
    assert body["email"] == "yulia@example.org"
    assert body["programmes"] == ["CT"]
    assert [(a["given_name"], a["family_name"]) for a in body["aliases"]] == [("Julia", "Kowaltschuk")]
    [document] = body["documents"]
    assert document["document_type"] == "passport"
    assert document["masked_number"].endswith("456")
    assert "FA123456" not in response.content.decode()
    assert "123456" not in response.content.decode()
    assert body["merged_into"] is None
    view = AuditEvent.objects.get(action=Action.VIEW)
    assert (view.actor_id, view.object_type) == (users["case_worker"].pk, "people.person")
    assert view.object_id == str(yulia.pk)
    assert "900" not in str(view.content())


def test_a_merged_record_names_its_survivor(api_as, users, yulia):
    old = services.register(users["case_worker"], {"given_name": "Yulia", "family_name": "Kovalchuk"}, programme=CT)
    Person.objects.filter(pk=old.pk).update(merged_into=yulia)

    response = api_as("case_worker").get(f"/api/v1/people/{old.pk}")

    assert response.json()["merged_into"] == yulia.reference
    listed = api_as("case_worker").get("/api/v1/people").json()["results"]
    assert [row["id"] for row in listed] == [yulia.pk], "records merged away are not listed"


def test_a_person_out_of_scope_answers_404_and_the_denial_is_audited(api_as, users, returnee):
    response = api_as("case_worker").get(f"/api/v1/people/{returnee.pk}")

    assert response.status_code == 404
    assert "Сидоренко" not in response.content.decode()
    denial = denials("people.person", str(returnee.pk)).get()
    assert denial.actor_id == users["case_worker"].pk
    assert not AuditEvent.objects.filter(action=Action.VIEW).exists()


def test_a_hotline_operator_reads_only_hotline_people(api_as, users, yulia):
    callee = services.register(users[Role.HOTLINE_OPERATOR], {"family_name": "Rahimov"}, programme="ICC")
    client = api_as(Role.HOTLINE_OPERATOR)

    assert client.get(f"/api/v1/people/{callee.pk}").status_code == 200
    assert client.get(f"/api/v1/people/{yulia.pk}").status_code == 404


def test_an_unknown_person_answers_404_and_is_audited(api_as):
    response = api_as("case_worker").get("/api/v1/people/987654")

    assert response.status_code == 404
    assert denials("people.person", "987654").exists()


# --- Changes --------------------------------------------------------------------------------
def test_a_change_at_the_current_version_is_saved(api_as, users, yulia):
    response = patch(api_as("case_worker"), yulia, {"version": 1, "family_name": "Ковальчук-Петренко",
                                                     "phone": None})

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["version"] == 2
    assert body["family_name"] == "Ковальчук-Петренко"
    assert body["family_name_latin"] == "Kovalchuk-Petrenko", "the computed Latin form follows the name"
    assert body["phone"] == ""
    assert body["email"] == "yulia@example.org", "fields not sent are kept"
    yulia.refresh_from_db()
    assert (yulia.version, yulia.phone) == (2, "")
    update = AuditEvent.objects.get(action=Action.UPDATE, object_type="people.person")
    assert update.actor_id == users["case_worker"].pk
    assert update.changes["phone"] is None


def test_a_typed_latin_form_is_kept_on_change(api_as, yulia):
    response = patch(api_as("case_worker"), yulia, {"version": 1, "given_name_latin": "Yuliya"})

    assert response.json()["latin_is_custom"] is True
    assert response.json()["given_name_latin"] == "Yuliya"


def test_a_typed_latin_part_keeps_the_other_parts_computed_from_the_new_names(api_as, yulia):
    response = patch(api_as("case_worker"), yulia, {
        "version": 1, "family_name": "Петренко", "given_name_latin": "Yuliya",
    })

    body = response.json()
    assert (body["given_name_latin"], body["family_name_latin"]) == ("Yuliya", "Petrenko")
    assert body["latin_is_custom"] is True


def test_the_latin_form_can_be_computed_again(api_as, yulia):
    client = api_as("case_worker")
    patch(client, yulia, {"version": 1, "given_name_latin": "Yuliya"})

    response = patch(client, yulia, {"version": 2, "latin_is_custom": False})

    assert response.json()["given_name_latin"] == "Iuliia"
    assert response.json()["latin_is_custom"] is False


def test_a_change_at_an_old_version_answers_409_with_the_current_one(api_as, yulia):
    client = api_as("case_worker")
    assert patch(client, yulia, {"version": 1, "sex": "F", "languages": ["uk"]}).status_code == 200

    response = patch(client, yulia, {"version": 1, "family_name": "Petrenko"})

    assert response.status_code == 409
    assert response.json()["version"] == 2
    assert response.json()["detail"]
    yulia.refresh_from_db()
    assert (yulia.family_name, yulia.version) == ("Ковальчук", 2)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"given_name": "Юлиa"}, "given_name"),
        ({"birth_date": "2999-01-01"}, "birth_date"),
        ({"citizenships": ["UA", "QQ"]}, "citizenships"),
    ],
)
def test_a_refused_change_answers_422_naming_the_field(api_as, yulia, data, field):
    response = patch(api_as("case_worker"), yulia, {"version": 1, **data})

    assert response.status_code == 422
    assert field in response.json()["errors"]
    yulia.refresh_from_db()
    assert yulia.version == 1
    assert yulia.given_name == "Юлия"
    assert not AuditEvent.objects.filter(action=Action.UPDATE).exists()


@pytest.mark.parametrize(
    ("data", "field"), [({"family_name": "X"}, "version"), ({"version": 1, "photo": "x"}, "photo")],
)
def test_a_change_needs_the_version_and_known_fields(api_as, yulia, data, field):
    response = patch(api_as("case_worker"), yulia, data)

    assert response.status_code == 422
    assert field in response.json()["errors"]


def test_a_person_out_of_scope_cannot_be_changed(api_as, users, returnee):
    response = patch(api_as("case_worker"), returnee, {"version": 1, "family_name": "Hacked"})

    assert response.status_code == 404
    assert denials("people.person", str(returnee.pk)).get().actor_id == users["case_worker"].pk
    returnee.refresh_from_db()
    assert (returnee.family_name, returnee.version) == ("Сидоренко", 1)
