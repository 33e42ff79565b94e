# ruff: noqa: RUF001
"""The registry pages: who may open them, registration with the duplicate warning, the person page and its
small forms, editing with conflict detection, the photo, and the one-box search."""

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import NoReverseMatch, reverse

from waypoint.accounts.models import Programme, Role
from waypoint.audit.models import Action, AuditEvent
from waypoint.people import related, services
from waypoint.people.models import IdentityDocument, NameKey, Person, PersonAlias, ProgrammeRegistration

pytestmark = pytest.mark.django_db

CT, AVRR = Programme.COUNTER_TRAFFICKING, Programme.RETURN
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
# Roles that never see persons: the pages answer them as if nothing were there.
NO_PEOPLE = ["learner", "partner_user", "administrator", "me_officer", "data_protection_officer", "trainer"]
PEOPLE_ROLES = ["case_worker", "programme_manager", "hotline_operator"]


# --- Helpers ------------------------------------------------------------------------------------
def register(user, programme=CT, **data):
    return services.register(user, data, programme=programme)


def since(event_id: int, **filters):
    return AuditEvent.objects.filter(pk__gt=event_id, **filters)


def last_event() -> int:
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def registration(**fields) -> dict:
    """The registration form as a browser posts it, with two empty other-name rows."""
    data = {
        "family_name": "", "given_name": "", "patronymic": "", "family_name_latin": "", "given_name_latin": "",
        "patronymic_latin": "", "sex": "", "birth_date_precision": "exact", "birth_date": "", "birth_year": "",
        "estimated_age": "", "age_estimated_on": "2026-01-15", "phone": "", "email": "", "address": "",
        "other_contacts": "", "programme": CT,
        "alias-TOTAL_FORMS": "2", "alias-INITIAL_FORMS": "0", "alias-MIN_NUM_FORMS": "0", "alias-MAX_NUM_FORMS": "10",
        "alias-0-kind": "spelling", "alias-1-kind": "spelling",
    }
    data.update(fields)
    return data


def edit_data(person: Person, **changes) -> dict:
    """The edit form as it is shown for `person`, with `changes` typed in."""
    data = {
        name: getattr(person, name) or ""
        for name in ("family_name", "given_name", "patronymic", "family_name_latin", "given_name_latin",
                     "patronymic_latin", "sex", "birth_date_precision", "phone", "email", "address", "other_contacts")
    }
    if not person.latin_is_custom:  # a computed Latin form is shown as a placeholder, the inputs empty
        data.update(family_name_latin="", given_name_latin="", patronymic_latin="")
    data.update({
        "birth_date": person.birth_date.isoformat() if person.birth_date else "",
        "birth_year": person.birth_date.year if person.birth_date else "",
        "estimated_age": person.estimated_age or "", "age_estimated_on": "",
        "citizenships": person.citizenships, "languages": person.languages, "version": person.version,
    })
    data.update(changes)
    return data


def field_errors(response, field: str) -> str:
    """The text of the error list shown next to `field` (empty when there is none)."""
    match = re.search(rf'<ul class="errorlist" id="id_{re.escape(field)}_error">(.*?)</ul>', response.content.decode(),
                      re.DOTALL)
    return re.sub(r"<[^>]+>", " ", match.group(1)) if match else ""


def url(name: str, *args) -> str:
    return reverse(f"people:{name}", args=args)


@pytest.fixture
def yulia(users):
    """A person of the counter-trafficking programme."""
    return register(
        users["case_worker"], family_name="Ковальчук", given_name="Юлия", sex="F",
        birth_date=datetime.date(1990, 4, 12), citizenships=["UA"], phone="+7 900 111 22 33",
    )


@pytest.fixture
def avrr_person(users):
    """A person known only to the return programme."""
    return register(users["case_worker_b"], programme=AVRR, family_name="Щербаков", given_name="Юрий",
                    birth_date=datetime.date(1985, 3, 4), sex="M")


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


# --- Access -------------------------------------------------------------------------------------
def person_pages(pk: int) -> list[tuple[str, str]]:
    return [
        ("get", url("detail", pk)), ("get", url("edit", pk)), ("get", url("photo", pk)),
        ("post", url("edit", pk)), ("post", url("alias_add", pk)), ("post", url("document_add", pk)),
        ("post", url("photo_upload", pk)), ("post", url("photo_remove", pk)), ("post", url("programme_add", pk)),
    ]


def test_an_anonymous_visitor_is_sent_to_sign_in_from_every_page(yulia):
    pages = [("get", url("search")), ("get", url("register")), ("post", url("register_candidates")),
             *person_pages(yulia.pk)]
    for method, address in pages:
        response = getattr(Client(), method)(address)
        assert response.status_code == 302, address
        assert response["Location"].startswith(reverse("accounts:login")), address
    assert Person.objects.get().version == 1


@pytest.mark.parametrize("persona", NO_PEOPLE)
def test_roles_without_the_registry_get_404_on_the_lists_and_the_denial_is_audited(users, client_for, persona):
    client = client_for(users[persona])
    for method, address in [("post", url("search")), ("get", url("register")), ("post", url("register_candidates"))]:
        before = last_event()
        response = getattr(client, method)(address, {"q": "x", "family_name": "Ivanov"})
        assert response.status_code == 404, address
        [denial] = since(before, action=Action.DENY)
        assert (denial.actor_id, denial.object_type, denial.object_id) == (users[persona].pk, "capability",
                                                                            "view_people")


@pytest.mark.parametrize("persona", NO_PEOPLE)
def test_roles_without_the_registry_get_404_on_a_person_and_nothing_changes(users, client_for, persona, yulia):
    client = client_for(users[persona])
    for method, address in person_pages(yulia.pk):
        before = last_event()
        response = getattr(client, method)(address, {"alias-family_name": "Smith", "alias-kind": "alias"})
        assert response.status_code == 404, address
        assert "Ковальчук" not in response.content.decode()
        assert since(before, action=Action.DENY, object_type="people.person", object_id=str(yulia.pk)).exists()
    assert not PersonAlias.objects.exists()
    assert Person.objects.get().version == 1


@pytest.mark.parametrize("persona", PEOPLE_ROLES)
def test_staff_who_work_with_people_open_the_search_and_the_registration(users, client_for, persona):
    client = client_for(users[persona])
    assert client.get(url("search")).status_code == 200
    assert client.get(url("register")).status_code == 200


def test_a_case_worker_gets_404_on_a_person_of_another_programme_and_the_denial_is_audited(
    users, client_for, avrr_person, media,
):
    worker = users["case_worker"]
    client = client_for(worker)
    for method, address in person_pages(avrr_person.pk):
        before = last_event()
        response = getattr(client, method)(address, {"alias-family_name": "Smith", "alias-kind": "alias"})
        assert response.status_code == 404, address
        assert "Щербаков" not in response.content.decode()
        [denial] = since(before, action=Action.DENY)
        assert (denial.actor_id, denial.object_type, denial.object_id) == (worker.pk, "people.person",
                                                                            str(avrr_person.pk))
    assert not PersonAlias.objects.exists()
    # The programme's own worker opens it.
    assert client_for(users["case_worker_b"]).get(url("detail", avrr_person.pk)).status_code == 200


def test_removing_a_name_or_document_of_another_programmes_person_is_not_found(users, client_for, avrr_person):
    alias = services.add_alias(users["case_worker_b"], avrr_person, {"family_name": "Sherbakov"})
    document = services.add_document(users["case_worker_b"], avrr_person,
                                     {"document_type": "passport", "number": "4506123456"})
    client = client_for(users["case_worker"])

    assert client.post(url("alias_remove", avrr_person.pk, alias.pk)).status_code == 404
    assert client.post(url("document_remove", avrr_person.pk, document.pk)).status_code == 404
    assert PersonAlias.objects.filter(pk=alias.pk).exists()
    assert IdentityDocument.objects.filter(pk=document.pk).exists()


def test_a_name_is_removed_only_through_its_own_person(users, client_for, yulia):
    """The address names the person: another person's name id under it is not found."""
    other = register(users["case_worker"], family_name="Petrov")
    alias = services.add_alias(users["case_worker"], other, {"family_name": "Petroff"})

    response = client_for(users["case_worker"]).post(url("alias_remove", yulia.pk, alias.pk))

    assert response.status_code == 404
    assert PersonAlias.objects.filter(pk=alias.pk).exists()


def test_changes_are_posted_never_got(users, client_for, yulia):
    client = client_for(users["case_worker"])
    for name in ("alias_add", "document_add", "photo_upload", "photo_remove", "programme_add"):
        assert client.get(url(name, yulia.pk)).status_code == 405
    assert client.get(url("register_candidates")).status_code == 405


def test_the_main_navigation_has_people_for_those_who_work_with_people(users, client_for):
    for persona in [*PEOPLE_ROLES, *NO_PEOPLE]:
        content = client_for(users[persona]).get("/").content.decode()
        assert (f'<a href="{url("search")}"' in content) is (persona in PEOPLE_ROLES), persona


# --- Registration -------------------------------------------------------------------------------
def test_registering_in_cyrillic_computes_the_latin_form(users, client_for):
    client = client_for(users["case_worker"])

    response = client.post(url("register"), registration(
        family_name="Ковальчук", given_name="Юлия", patronymic="Петровна", sex="F", birth_date="1990-04-12",
        citizenships=["UA", "RU"], languages=["uk", "ru"], phone="+7 900 111 22 33", email="yulia@example.org",
        **{"alias-0-kind": "passport", "alias-0-family_name": "Kowaltschuk", "alias-0-given_name": "Julia"},
    ))

    person = Person.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("detail", person.pk)
    assert (person.family_name_latin, person.given_name_latin, person.patronymic_latin) == (
        "Kovalchuk", "Iuliia", "Petrovna")
    assert person.latin_is_custom is False
    assert (person.birth_date, person.birth_date_precision) == (datetime.date(1990, 4, 12), "exact")
    assert (person.citizenships, person.languages) == (["UA", "RU"], ["uk", "ru"])
    assert (person.phone, person.email, person.created_by) == ("+7 900 111 22 33", "yulia@example.org",
                                                              users["case_worker"])
    assert [(a.kind, str(a)) for a in person.aliases.all()] == [("passport", "Kowaltschuk Julia")]
    assert list(person.registrations.values_list("programme", flat=True)) == [CT]
    assert NameKey.objects.filter(person=person).exists()
    page = client.get(response["Location"]).content.decode()
    assert f"{person.reference} is registered." in page


def test_a_typed_latin_form_is_kept_and_marked_as_typed(users, client_for):
    client_for(users["case_worker"]).post(url("register"), registration(
        family_name="Ковальчук", given_name="Юлия", family_name_latin="KOVALCHUK", given_name_latin="YULIYA",
    ))

    person = Person.objects.get()
    assert (person.family_name_latin, person.given_name_latin, person.latin_is_custom) == ("KOVALCHUK", "YULIYA",
                                                                                           True)


def test_a_year_only_and_an_estimated_age_are_registered_as_approximate(users, client_for):
    client = client_for(users["case_worker"])
    client.post(url("register"), registration(family_name="Ivanov", birth_date_precision="year", birth_year="1980",
                                              birth_date="1999-09-09"))
    client.post(url("register"), registration(family_name="Petrov", birth_date_precision="estimated",
                                              estimated_age="30", age_estimated_on="2026-01-15", confirm_new="on"))

    ivanov, petrov = Person.objects.order_by("pk")
    assert (ivanov.birth_date, ivanov.birth_date_precision) == (datetime.date(1980, 1, 1), "year")
    assert (petrov.birth_date, petrov.birth_date_precision, petrov.estimated_age) == (
        datetime.date(1996, 1, 1), "estimated", 30)


def test_what_is_left_in_the_hidden_inputs_of_another_kind_of_date_is_ignored(users, client_for):
    response = client_for(users["case_worker"]).post(url("register"), registration(
        family_name="Ivanov", birth_date_precision="exact", birth_date="1980-02-03", birth_year="abc",
        estimated_age="-4",
    ))

    assert response.status_code == 302
    person = Person.objects.get()
    assert (person.birth_date, person.estimated_age) == (datetime.date(1980, 2, 3), None)


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({}, "family_name", "Enter a family name or a given name."),
        ({"family_name": "Ивaнов"}, "family_name", "mixes alphabets"),  # a Latin "a" among Cyrillic letters
        ({"family_name": "Ivanov", "given_name_latin": "Иван"}, "given_name_latin", "Latin letters only"),
        ({"family_name": "Ivanov", "birth_date": "2999-01-01"}, "birth_date", "in the future"),
        ({"family_name": "Ivanov", "birth_date": "1826-05-01"}, "birth_date", "older than 120"),
        ({"family_name": "Ivanov", "birth_date_precision": "year", "birth_year": "1826"}, "birth_year",
         "older than 120"),
        ({"family_name": "Ivanov", "birth_date_precision": "year"}, "birth_year", "Enter the year of birth."),
        ({"family_name": "Ivanov", "birth_date_precision": "estimated", "estimated_age": "200"}, "estimated_age",
         "120"),
        ({"family_name": "Ivanov", "email": "not an address"}, "email", "valid email"),
        ({"family_name": "Ivanov", "citizenships": ["XX"]}, "citizenships", "XX"),
        ({"family_name": "Ivanov", "alias-0-family_name": "Smith2"}, "alias-0-family_name", "only letters"),
    ],
)
def test_bad_input_is_shown_on_its_field_and_nothing_is_saved(users, client_for, fields, field, message):
    response = client_for(users["case_worker"]).post(url("register"), registration(**fields))

    assert response.status_code == 200
    assert message in field_errors(response, field)
    assert "Nothing was saved" in response.content.decode()
    assert not Person.objects.exists()
    assert not PersonAlias.objects.exists()
    assert not NameKey.objects.exists()


def test_a_validation_error_from_the_service_lands_on_the_field_it_names(users, client_for, monkeypatch):
    """Rules only the service knows (checked inside its transaction) are shown like the form's own."""
    from django.core.exceptions import ValidationError

    def refuse(*args, **kwargs):
        raise ValidationError({"given_name": "Refused by the service.", "alias-1-family_name": "Alias refused."})

    monkeypatch.setattr(services, "register", refuse)
    response = client_for(users["case_worker"]).post(url("register"), registration(
        family_name="Ivanov", given_name="Ivan", **{"alias-0-family_name": "Ivanoff"},
    ))

    assert "Refused by the service." in field_errors(response, "given_name")
    assert "Alias refused." in field_errors(response, "alias-0-family_name")
    assert not Person.objects.exists()


def test_a_programme_is_chosen_only_among_the_users_own(users, client_for):
    manager = users["programme_manager"]
    manager.programmes = [CT, AVRR]
    manager.save()
    client = client_for(manager)

    page = client.get(url("register")).content.decode()
    assert '<select name="programme"' in page
    response = client.post(url("register"), registration(family_name="Ivanov", programme=Programme.HEALTH))
    assert "valid choice" in field_errors(response, "programme")
    client.post(url("register"), registration(family_name="Ivanov", programme=AVRR))
    assert list(ProgrammeRegistration.objects.values_list("programme", flat=True)) == [AVRR]
    # With one programme it is not asked.
    assert 'type="hidden" name="programme" value="CT"' in client_for(users["case_worker"]).get(
        url("register")).content.decode()


def test_the_candidates_partial_shows_a_visible_match_with_score_reasons_and_a_link(users, client_for, yulia):
    response = client_for(users["case_worker"]).post(url("register_candidates"), {
        "family_name": "Kovalchuk", "given_name": "Yulia", "birth_date_precision": "exact", "birth_date": "1990-04-12",
    })

    content = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in content
    assert "Ковальчук Юлия" in content
    assert yulia.reference in content
    assert re.search(r"\d+% match", content)
    assert "Likely the same person" in content
    assert "family name: same after transliteration" in content or "family name: identical" in content
    assert "date of birth: same" in content
    assert f'href="{url("detail", yulia.pk)}"' in content
    assert "Open this record instead" in content


def test_a_hidden_match_names_only_the_programme_and_whom_to_ask(users, client_for, yulia):
    users["programme_manager"].first_name, users["programme_manager"].last_name = "Olga", "Manager"
    users["programme_manager"].save()

    response = client_for(users["case_worker_b"]).post(url("register_candidates"), {
        "family_name": "Kowaltschuk", "given_name": "Julia", "birth_date_precision": "exact",
        "birth_date": "1990-04-12",
    })

    content = response.content.decode()
    assert "A possible match exists in the programme <strong>Counter-trafficking</strong>" in content
    assert "Olga Manager" in content
    assert "programme_manager@example.org" in content
    for secret in ("Ковальчук", "Юлия", "Kovalchuk", "Iuliia", "1990", yulia.reference, str(yulia.pk),
                   "+7 900", "Ukraine", url("detail", yulia.pk)):
        assert secret not in content, secret


def test_the_candidates_partial_is_empty_until_a_name_is_typed(users, client_for, yulia):
    response = client_for(users["case_worker"]).post(url("register_candidates"), {"birth_date": "1990-04-12"})
    assert "Ковальчук" not in response.content.decode()
    assert "No similar person is registered." in response.content.decode()


def test_a_likely_duplicate_must_be_acknowledged_before_a_new_record_is_made(users, client_for, yulia):
    client = client_for(users["case_worker"])
    typed = registration(family_name="Kovalchuk", given_name="Yulia", birth_date="1990-04-12", sex="F")

    refused = client.post(url("register"), typed)

    assert refused.status_code == 200
    assert "may already be registered" in field_errors(refused, "confirm_new")
    assert "Ковальчук Юлия" in refused.content.decode()  # the candidate list is shown again
    assert Person.objects.count() == 1

    accepted = client.post(url("register"), {**typed, "confirm_new": "on"})
    assert accepted.status_code == 302
    assert Person.objects.count() == 2


def test_a_hidden_likely_duplicate_must_also_be_acknowledged(users, client_for, yulia):
    client = client_for(users["case_worker_b"])
    typed = registration(family_name="Kovalchuk", given_name="Yulia", birth_date="1990-04-12", programme=AVRR)

    refused = client.post(url("register"), typed)

    assert "may already be registered" in field_errors(refused, "confirm_new")
    assert "Ковальчук" not in refused.content.decode()
    assert Person.objects.count() == 1
    assert client.post(url("register"), {**typed, "confirm_new": "on"}).status_code == 302
    assert Person.objects.count() == 2


def test_an_unlikely_candidate_needs_no_acknowledgement(users, client_for, yulia):
    response = client_for(users["case_worker"]).post(url("register"), registration(
        family_name="Kovalenko", given_name="Anna", birth_date="1971-01-01", sex="F",
    ))
    assert response.status_code == 302
    assert Person.objects.count() == 2


def test_a_user_without_a_programme_is_told_so(users, client_for):
    worker = users["case_worker"]
    worker.programmes = []
    worker.save()

    response = client_for(worker).post(url("register"), registration(family_name="Ivanov"))

    assert "You are not assigned to a programme" in response.content.decode()
    assert not Person.objects.exists()


# --- The person page ----------------------------------------------------------------------------
def test_the_person_page_shows_the_record_and_is_an_audited_view(users, client_for, yulia):
    services.add_alias(users["case_worker"], yulia, {"family_name": "Kowaltschuk", "given_name": "Julia"})
    services.add_document(users["case_worker"], yulia, {"document_type": "passport", "number": "45 06 123456",
                                                        "issuing_country": "UA"})
    worker = users["case_worker"]
    before = last_event()

    response = client_for(worker).get(url("detail", yulia.pk))

    content = response.content.decode()
    assert response.status_code == 200
    assert since(before, action=Action.VIEW, object_type="people.person", object_id=str(yulia.pk),
                 actor_id=worker.pk).exists()
    for shown in ("Ковальчук Юлия", "Kovalchuk Iuliia", yulia.reference, "Kowaltschuk Julia", "1990-04-12",
                  "+7 900 111 22 33", "Ukraine", "Counter-trafficking", "•••••••456",
                  "No cases refer to this person yet."):
        assert shown in content, shown
    assert "4506123456" not in content
    assert "No photo." in content
    assert "Merge with another record" not in content


def test_the_cases_section_lists_what_providers_return(users, client_for, yulia):
    def cases(user, person):
        if user.role == Role.CASE_WORKER:
            return [related.Related("Case CT-2026-0001", "/cases/1/", "open")]
        return []

    related.register(cases)
    try:
        worker_page = client_for(users["case_worker"]).get(url("detail", yulia.pk)).content.decode()
        manager_page = client_for(users["programme_manager"]).get(url("detail", yulia.pk)).content.decode()
    finally:
        related.unregister(cases)

    assert '<a href="/cases/1/">Case CT-2026-0001</a>' in worker_page
    assert "No cases refer to this person yet." not in worker_page
    assert "No cases refer to this person yet." in manager_page


def test_only_managers_get_the_merge_link(users, client_for, yulia):
    try:
        merge_url = reverse("people:merge_start", args=[yulia.pk])
    except NoReverseMatch:
        merge_url = None
    manager_page = client_for(users["programme_manager"]).get(url("detail", yulia.pk)).content.decode()
    worker_page = client_for(users["case_worker"]).get(url("detail", yulia.pk)).content.decode()

    assert "Merge with another record" not in worker_page
    assert ("Merge with another record" in manager_page) is bool(merge_url)
    if merge_url:
        assert f'href="{merge_url}"' in manager_page


def test_a_merged_record_points_to_its_survivor_and_cannot_be_changed(users, client_for, yulia):
    absorbed = register(users["case_worker"], family_name="Kovalchuk", given_name="Julia")
    Person.objects.filter(pk=absorbed.pk).update(merged_into=yulia)
    client = client_for(users["case_worker"])

    content = client.get(url("detail", absorbed.pk)).content.decode()

    assert "This record was merged into" in content
    assert f'<a href="{url("detail", yulia.pk)}">{yulia.reference}</a>' in content
    assert url("edit", absorbed.pk) not in content
    assert client.get(url("edit", absorbed.pk)).status_code == 404
    assert client.post(url("alias_add", absorbed.pk), {"alias-kind": "alias", "alias-family_name": "X"}
                       ).status_code == 404
    assert not PersonAlias.objects.exists()


def test_adding_and_removing_another_name_is_audited(users, client_for, yulia):
    client = client_for(users["case_worker"])
    before = last_event()

    response = client.post(url("alias_add", yulia.pk), {"alias-kind": "passport", "alias-family_name": "Kowaltschuk",
                                                        "alias-given_name": "Julia"})

    alias = PersonAlias.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("detail", yulia.pk) + "#names"
    assert since(before, action=Action.CREATE, object_type="people.personalias", object_id=str(alias.pk)).exists()
    assert "Kowaltschuk Julia" in client.get(url("detail", yulia.pk)).content.decode()

    response = client.post(url("alias_remove", yulia.pk, alias.pk))
    assert response.status_code == 302
    assert not PersonAlias.objects.exists()
    assert since(before, action=Action.DELETE, object_type="people.personalias", object_id=str(alias.pk)).exists()


def test_a_bad_other_name_is_shown_on_its_field(users, client_for, yulia):
    response = client_for(users["case_worker"]).post(url("alias_add", yulia.pk),
                                                     {"alias-kind": "alias", "alias-family_name": "Kowalчук"})
    assert response.status_code == 200
    assert "mixes alphabets" in field_errors(response, "alias-family_name")
    assert not PersonAlias.objects.exists()


def test_adding_and_removing_a_document_is_audited_and_the_number_never_shown(users, client_for, yulia):
    client = client_for(users["case_worker"])
    before = last_event()

    response = client.post(url("document_add", yulia.pk), {
        "document-document_type": "passport", "document-number": "45 06-123456", "document-issuing_country": "UA",
        "document-issued_on": "2015-06-01", "document-expires_on": "2025-06-01",
    })

    document = IdentityDocument.objects.get()
    assert response.status_code == 302
    assert document.number == "4506123456"
    event = since(before, action=Action.CREATE, object_type="people.identitydocument").get()
    assert "123456" not in str(event.changes)
    page = client.get(url("detail", yulia.pk)).content.decode()
    assert "•••••••456" in page
    assert "4506123456" not in page
    assert "45 06-123456" not in page

    client.post(url("document_remove", yulia.pk, document.pk))
    assert not IdentityDocument.objects.exists()
    assert since(before, action=Action.DELETE, object_type="people.identitydocument",
                 object_id=str(document.pk)).exists()


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"document-number": "12"}, "document-number", "4 to 20 letters and digits"),
        ({"document-number": "45 06 12345!"}, "document-number", "4 to 20 letters and digits"),
        ({"document-number": "4506123456", "document-issued_on": "1980-01-01"}, "document-issued_on",
         "before the person was born"),
        ({"document-number": "4506123456", "document-issued_on": "2020-01-01", "document-expires_on": "2019-01-01"},
         "document-expires_on", "expires after it is issued"),
        ({"document-number": "4506123456", "document-document_type": ""}, "document-document_type", "required"),
    ],
)
def test_a_bad_document_is_shown_on_its_field_and_nothing_is_saved(users, client_for, yulia, fields, field, message):
    data = {"document-document_type": "passport", **fields}

    response = client_for(users["case_worker"]).post(url("document_add", yulia.pk), data)

    assert response.status_code == 200
    assert message in field_errors(response, field)
    assert not IdentityDocument.objects.exists()


def test_a_person_is_added_to_another_of_the_users_programmes(users, client_for, yulia):
    manager = users["programme_manager"]
    manager.programmes = [CT, AVRR]
    manager.save()
    client = client_for(manager)
    assert "Add to my programme" in client.get(url("detail", yulia.pk)).content.decode()
    assert "Add to my programme" not in client_for(users["case_worker"]).get(url("detail", yulia.pk)).content.decode()
    assert client_for(users["case_worker_b"]).get(url("detail", yulia.pk)).status_code == 404

    response = client.post(url("programme_add", yulia.pk), {"programme": AVRR})

    assert response.status_code == 302
    assert set(yulia.registrations.values_list("programme", flat=True)) == {CT, AVRR}
    assert client_for(users["case_worker_b"]).get(url("detail", yulia.pk)).status_code == 200
    assert "Add to my programme" not in client.get(url("detail", yulia.pk)).content.decode()


def test_a_programme_the_user_does_not_work_in_cannot_be_added(users, client_for, yulia):
    response = client_for(users["case_worker"]).post(url("programme_add", yulia.pk), {"programme": AVRR})
    assert response.status_code == 200
    assert list(yulia.registrations.values_list("programme", flat=True)) == [CT]


# --- Photo --------------------------------------------------------------------------------------
@pytest.mark.parametrize(("content", "content_type"), [(PNG, "image/png"), (JPEG, "image/jpeg")])
def test_a_photo_is_uploaded_and_served_only_through_the_policy(users, client_for, yulia, media, content,
                                                                content_type):
    client = client_for(users["case_worker"])
    upload = SimpleUploadedFile("Kovalchuk Yulia.gif", content, content_type="image/gif")

    response = client.post(url("photo_upload", yulia.pk), {"photo": upload})

    assert response.status_code == 302
    yulia.refresh_from_db()
    assert "Kovalchuk" not in yulia.photo.name
    assert f'src="{url("photo", yulia.pk)}"' in client.get(url("detail", yulia.pk)).content.decode()
    served = client.get(url("photo", yulia.pk))
    assert served.status_code == 200
    assert served["Content-Type"] == content_type
    assert served["Cache-Control"] == "no-store"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert served.content == content
    assert client_for(users["case_worker_b"]).get(url("photo", yulia.pk)).status_code == 404
    assert Client().get(url("photo", yulia.pk)).status_code == 302


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("photo.jpg", b"GIF89a" + b"\x00" * 64, "must be a JPEG or PNG"),
        ("photo.png", b"<svg xmlns='http://www.w3.org/2000/svg'></svg>", "must be a JPEG or PNG"),
        ("photo.jpg", b"\xff\xd8\xff" + b"\x00" * (5 * 1024 * 1024), "larger than 5 MB"),
    ],
)
def test_a_photo_that_is_not_a_small_jpeg_or_png_is_refused(users, client_for, yulia, media, name, content, message):
    response = client_for(users["case_worker"]).post(url("photo_upload", yulia.pk),
                                                     {"photo": SimpleUploadedFile(name, content)})

    assert response.status_code == 200
    assert message in field_errors(response, "photo")
    yulia.refresh_from_db()
    assert not yulia.photo
    assert not any(media.rglob("*.*"))


def test_the_photo_is_removed_and_then_not_found(users, client_for, yulia, media):
    client = client_for(users["case_worker"])
    client.post(url("photo_upload", yulia.pk), {"photo": SimpleUploadedFile("p.png", PNG)})
    before = last_event()

    client.post(url("photo_remove", yulia.pk))

    yulia.refresh_from_db()
    assert not yulia.photo
    assert since(before, action=Action.UPDATE, object_type="people.person").exists()
    assert client.get(url("photo", yulia.pk)).status_code == 404


def test_no_photo_is_not_found(users, client_for, yulia):
    assert client_for(users["case_worker"]).get(url("photo", yulia.pk)).status_code == 404


# --- Editing ------------------------------------------------------------------------------------
def test_editing_saves_the_changes_and_recomputes_a_computed_latin_form(users, client_for, yulia):
    client = client_for(users["case_worker"])
    assert 'name="version" value="1"' in client.get(url("edit", yulia.pk)).content.decode()
    before = last_event()

    response = client.post(url("edit", yulia.pk), edit_data(yulia, family_name="Ковальчукова",
                                                            phone="+7 900 999 88 77"))

    assert response.status_code == 302
    yulia.refresh_from_db()
    assert (yulia.family_name, yulia.family_name_latin, yulia.phone, yulia.version) == (
        "Ковальчукова", "Kovalchukova", "+7 900 999 88 77", 2)
    event = since(before, action=Action.UPDATE, object_type="people.person").get()
    assert event.changes["phone"] is None  # sensitive: named, never its value


def test_a_concurrent_save_is_never_overwritten_silently(users, client_for, yulia):
    client = client_for(users["case_worker"])
    opened = edit_data(yulia)  # the form as the case worker opened it, at version 1
    services.update(users["programme_manager"], yulia, {"family_name": "Коваленко", "phone": "+7 911 000 00 00"},
                    version=1)

    response = client.post(url("edit", yulia.pk), {**opened, "given_name": "Юлиана"})

    content = response.content.decode()
    assert response.status_code == 200
    assert "Someone else saved this record while you were editing it. Nothing was saved." in content
    conflict = content[content.index("Their saved values"):content.index("Your input is kept below")]
    assert "Коваленко" in conflict
    assert "+7 911 000 00 00" in conflict
    assert "Юлиана" in content  # the user's input is kept
    assert 'name="version" value="2"' in content
    assert re.search(r'<input type="text" name="given_name_latin" [^>]*placeholder="Iuliia"', content)
    yulia.refresh_from_db()
    assert (yulia.family_name, yulia.given_name, yulia.version) == ("Коваленко", "Юлия", 2)

    # Saving again, having seen their values, is a deliberate choice and goes through.
    again = client.post(url("edit", yulia.pk), {**opened, "given_name": "Юлиана", "version": 2})
    assert again.status_code == 302
    yulia.refresh_from_db()
    assert (yulia.family_name, yulia.given_name, yulia.version) == ("Ковальчук", "Юлиана", 3)
    assert (yulia.family_name_latin, yulia.given_name_latin, yulia.latin_is_custom) == ("Kovalchuk", "Iuliana",
                                                                                        False)


def test_a_bad_edit_is_shown_on_its_field_and_nothing_is_saved(users, client_for, yulia):
    response = client_for(users["case_worker"]).post(url("edit", yulia.pk),
                                                     edit_data(yulia, given_name="Юлiя", birth_date="2999-01-01"))

    assert "mixes alphabets" in field_errors(response, "given_name")
    assert "in the future" in field_errors(response, "birth_date")
    yulia.refresh_from_db()
    assert (yulia.given_name, yulia.version) == ("Юлия", 1)


# --- Search -------------------------------------------------------------------------------------
@pytest.mark.parametrize("query", ["щербак", "ЩЕРБАК", "Shcherbak", "Sherbak Yurii", "Щербак Юрий"])
def test_search_finds_a_cyrillic_record_in_either_script_and_any_case(users, client_for, query):
    person = register(users["case_worker"], family_name="Щербак", given_name="Юрий",
                      birth_date=datetime.date(1979, 2, 3), citizenships=["UA"])
    register(users["case_worker"], family_name="Петров", given_name="Иван")

    content = client_for(users["case_worker"]).post(url("search"), {"q": query}).content.decode()

    assert person.reference in content
    assert "Щербак Юрий" in content
    assert "Shcherbak Iurii" in content
    assert "1979-02-03" in content
    assert "Ukraine" in content
    assert re.search(r'<span class="score">\d+%</span>', content)
    assert "family name:" in content
    assert "Петров" not in content


def test_search_finds_a_latin_record_by_its_cyrillic_spelling(users, client_for):
    person = register(users["case_worker"], family_name="Kovalchuk", given_name="Yulia")
    content = client_for(users["case_worker"]).post(url("search"), {"q": "Ковальчук Юлия"}).content.decode()
    assert person.reference in content


def test_a_search_puts_no_name_in_the_address(users, client_for, yulia):
    response = client_for(users["case_worker"]).post(url("search"), {"q": "Ковальчук"})
    assert response.status_code == 200
    assert 'method="post"' in response.content.decode()
    assert "hx-push-url" not in response.content.decode()


def test_search_by_document_number_is_exact_and_by_reference(users, client_for, yulia):
    services.add_document(users["case_worker"], yulia, {"document_type": "passport", "number": "45 06 123456"})
    client = client_for(users["case_worker"])

    assert yulia.reference in client.post(url("search"), {"q": "4506-123456"}).content.decode()
    assert yulia.reference not in client.post(url("search"), {"q": "4506123457"}).content.decode()
    assert "Ковальчук" in client.post(url("search"), {"q": yulia.reference}).content.decode()


def test_search_shows_only_the_users_programmes_and_is_audited_without_the_query(users, client_for, yulia,
                                                                                avrr_person):
    worker = users["case_worker"]
    before = last_event()

    content = client_for(worker).post(url("search"), {"q": "Щербаков Юрий"}).content.decode()

    assert avrr_person.reference not in content
    assert "0 people found" in content
    event = since(before, action=Action.VIEW, object_type="people.search").get()
    assert event.actor_id == worker.pk
    assert "Щербаков" not in str(event.changes)
    client_for(worker).post(url("search"), {"q": "Ковальчук"})
    latest = since(before, action=Action.VIEW, object_type="people.search").order_by("pk").last()
    assert latest.changes == {"shown": [str(yulia.pk)]}


def test_the_search_page_without_a_query_invites_to_search_and_to_register(users, client_for):
    content = client_for(users["case_worker"]).get(url("search")).content.decode()
    assert f'href="{url("register")}"' in content
    assert "Register a person" in content
    assert not AuditEvent.objects.filter(object_type="people.search").exists()


def test_managers_find_the_review_and_import_pages_from_the_people_page(users, client_for):
    manager_page = client_for(users["programme_manager"]).get(url("search")).content.decode()
    worker_page = client_for(users["case_worker"]).get(url("search")).content.decode()
    for address in (reverse("people:duplicates"), reverse("people:merges"), reverse("people:import")):
        assert f'href="{address}"' in manager_page
        assert f'href="{address}"' not in worker_page
