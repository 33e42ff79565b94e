"""The writes behind the person page: other names, documents, photo, programmes and editing, each audited, plus
the registry of related records ("Cases")."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404

from waypoint.accounts.models import Programme
from waypoint.audit.models import Action, AuditEvent
from waypoint.people import index, related, services
from waypoint.people.models import IdentityDocument, NameKey, Person, PersonAlias, ProgrammeRegistration

pytestmark = pytest.mark.django_db

CT, AVRR = Programme.COUNTER_TRAFFICKING, Programme.RETURN
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


def events(**filters):
    return AuditEvent.objects.filter(**filters)


@pytest.fixture
def worker(users):
    return users["case_worker"]


@pytest.fixture
def person(worker):
    return services.register(worker, {"family_name": "Ковальчук", "given_name": "Юлия",
                                      "birth_date": datetime.date(1990, 4, 12)}, programme=CT)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


# --- Other names ---------------------------------------------------------------------------------
def test_an_other_name_is_indexed_audited_and_removed_with_its_keys(worker, person):
    alias = services.add_alias(worker, person, {"kind": "passport", "family_name": "Kowaltschuk",
                                                "given_name": "Julia"})
    with_alias = set(NameKey.objects.filter(person=person).values_list("key", flat=True))
    created = events(action=Action.CREATE, object_type="people.personalias", object_id=str(alias.pk)).get()
    assert created.actor_id == worker.pk
    assert created.changes["person"] == [None, str(person.pk)]

    services.remove_alias(worker, alias)

    without_alias = set(NameKey.objects.filter(person=person).values_list("key", flat=True))
    assert without_alias < with_alias
    assert without_alias == set(index.hashed_keys(index.person_records(person)))
    assert events(action=Action.DELETE, object_type="people.personalias", object_id=str(alias.pk)).exists()


def test_someone_outside_the_programme_cannot_remove_a_name(users, person):
    alias = services.add_alias(users["case_worker"], person, {"family_name": "Kowaltschuk"})

    with pytest.raises(Http404):
        services.remove_alias(users["case_worker_b"], alias)

    assert PersonAlias.objects.filter(pk=alias.pk).exists()


def test_an_other_name_without_a_name_is_refused(worker, person):
    with pytest.raises(ValidationError) as error:
        services.add_alias(worker, person, {"kind": "alias", "family_name": "", "given_name": ""})
    assert "family_name" in error.value.message_dict
    assert not PersonAlias.objects.exists()


# --- Documents -----------------------------------------------------------------------------------
def test_a_document_is_audited_without_its_number_and_removed(worker, person):
    document = services.add_document(worker, person, {"document_type": "passport", "number": "ab 123-456",
                                                      "issuing_country": "UA"})

    assert IdentityDocument.objects.get().number == "AB123456"
    assert document.masked_number == "•••••456"
    created = events(action=Action.CREATE, object_type="people.identitydocument").get()
    assert "123456" not in str(created.changes)

    services.remove_document(worker, document)

    assert not IdentityDocument.objects.exists()
    assert events(action=Action.DELETE, object_type="people.identitydocument", object_id=str(document.pk)).exists()


def test_a_document_issued_before_birth_is_refused(worker, person):
    with pytest.raises(ValidationError) as error:
        services.add_document(worker, person, {"document_type": "passport", "number": "4506123456",
                                               "issued_on": datetime.date(1985, 1, 1)})
    assert "issued_on" in error.value.message_dict
    assert not IdentityDocument.objects.exists()


# --- Photo ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(("content", "extension"), [(PNG, "png"), (JPEG, "jpg")])
def test_the_photo_type_comes_from_its_bytes_never_its_name(worker, person, media, content, extension):
    services.set_photo(worker, person, SimpleUploadedFile("Kovalchuk.gif", content))

    person.refresh_from_db()
    assert person.photo.name.endswith(f".{extension}")
    assert "Kovalchuk" not in person.photo.name
    assert person.version == 2
    event = events(action=Action.UPDATE, object_type="people.person").get()
    assert event.changes == {"photo": None}


@pytest.mark.parametrize(
    "content", [b"GIF89a" + b"\x00" * 32, b"<svg/>", b"", b"\xff\xd8\xff" + b"\x00" * services.PHOTO_MAX_BYTES],
)
def test_anything_but_a_small_jpeg_or_png_is_refused(worker, person, media, content):
    with pytest.raises(ValidationError) as error:
        services.set_photo(worker, person, SimpleUploadedFile("photo.jpg", content))
    assert "photo" in error.value.message_dict
    person.refresh_from_db()
    assert not person.photo
    assert person.version == 1


def test_replacing_the_photo_deletes_the_old_file_once_committed(
    worker, person, media, django_capture_on_commit_callbacks,
):
    services.set_photo(worker, person, SimpleUploadedFile("a.png", PNG))
    person.refresh_from_db()
    old = media / person.photo.name
    assert old.exists()

    with django_capture_on_commit_callbacks(execute=True):
        services.set_photo(worker, person, SimpleUploadedFile("b.jpg", JPEG))

    person.refresh_from_db()
    assert not old.exists()
    assert (media / person.photo.name).read_bytes() == JPEG


# --- Programmes ----------------------------------------------------------------------------------
def test_a_person_is_added_only_to_the_users_own_programmes_once(users, person):
    manager = users["programme_manager"]
    manager.programmes = [CT, AVRR]
    manager.save()

    with pytest.raises(PermissionDenied):
        services.add_to_programme(users["case_worker"], person, AVRR)
    services.add_to_programme(manager, person, AVRR)
    services.add_to_programme(manager, person, AVRR)

    assert sorted(ProgrammeRegistration.objects.values_list("programme", flat=True)) == [AVRR, CT]
    assert events(action=Action.CREATE, object_type="people.programmeregistration").count() == 1


# --- Editing -------------------------------------------------------------------------------------
def test_a_stale_version_is_a_conflict_and_writes_nothing(users, person):
    services.update(users["programme_manager"], person, {"family_name": "Коваленко"}, version=1)
    before = AuditEvent.objects.count()

    with pytest.raises(services.ConflictError):
        services.update(users["case_worker"], person, {"given_name": "Юлиана"}, version=1)

    person.refresh_from_db()
    assert (person.family_name, person.given_name, person.version) == ("Коваленко", "Юлия", 2)
    assert AuditEvent.objects.count() == before


def test_saving_without_a_change_keeps_the_version_and_records_nothing(worker, person):
    before = AuditEvent.objects.count()
    services.update(worker, person, {"family_name": "Ковальчук"}, version=1)
    person.refresh_from_db()
    assert person.version == 1
    assert AuditEvent.objects.count() == before


def test_a_changed_name_recomputes_a_computed_latin_form_but_keeps_a_typed_one(worker):
    computed = services.register(worker, {"family_name": "Иванов"}, programme=CT)
    typed = services.register(worker, {"family_name": "Иванов", "family_name_latin": "Ivanoff",
                                       "latin_is_custom": True}, programme=CT)

    services.update(worker, computed, {"family_name": "Иванова"}, version=1)
    services.update(worker, typed, {"family_name": "Иванова"}, version=1)

    assert Person.objects.get(pk=computed.pk).family_name_latin == "Ivanova"
    assert Person.objects.get(pk=typed.pk).family_name_latin == "Ivanoff"


# --- Related records -----------------------------------------------------------------------------
def test_related_records_come_from_the_registered_providers_in_order(worker, person):
    def first(user, who):
        return [related.Related("Case A", "/cases/a/")]

    def second(user, who):
        return iter([related.Related("Case B", "/cases/b/", "closed")]) if user == worker else []

    # Nothing refers to the person yet; the consent app offers an action (record a consent), not a record.
    assert related.records(related.related_to(worker, person)) == []
    related.register(first)
    related.register(second)
    related.register(first)  # registering twice is harmless
    try:
        assert [r.label for r in related.records(related.related_to(worker, person))] == ["Case A", "Case B"]
        assert related.records(related.related_to(worker, person))[1].detail == "closed"
    finally:
        related.unregister(first)
        related.unregister(second)
    assert related.records(related.related_to(worker, person)) == []
