"""Writing to the registry. Every write is one transaction, validated, indexed and audited.

Access is checked before the transaction opens, so that the audited record of a denial is not rolled
back with the refused write.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from waypoint.accounts import policy
from waypoint.accounts.models import User
from waypoint.audit.models import Action
from waypoint.audit.services import changed_fields, record

from . import index
from .models import IdentityDocument, Person, PersonAlias, ProgrammeRegistration
from .transliteration import icao_latin

PERSON_FIELDS = (
    "given_name", "family_name", "patronymic", "given_name_latin", "family_name_latin", "patronymic_latin",
    "latin_is_custom", "sex", "birth_date", "birth_date_precision", "estimated_age", "age_estimated_on",
    "citizenships", "languages", "phone", "email", "address", "other_contacts",
)
PHOTO_TYPES = {b"\xff\xd8\xff": "jpg", b"\x89PNG\r\n\x1a\n": "png"}
PHOTO_MAX_BYTES = 5 * 1024 * 1024


class ConflictError(Exception):
    """Someone else saved the record since it was opened: nothing was written."""


def fill_latin(person: Person) -> None:
    """Compute the ICAO Doc 9303 Latin form unless it was typed in (e.g. copied from a passport)."""
    if person.latin_is_custom:
        return
    person.given_name_latin = icao_latin(person.given_name)
    person.family_name_latin = icao_latin(person.family_name)
    person.patronymic_latin = icao_latin(person.patronymic)


def snapshot(obj, fields) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in fields}


def _require_programme(user: User, programme: str) -> None:
    if not policy.may(user, policy.VIEW_PEOPLE) or programme not in (user.programmes or []):
        raise PermissionDenied(_("You may register people only in your own programmes."))


@transaction.atomic
def register(
    user: User, data: Mapping[str, Any], *, programme: str, aliases: list[Mapping[str, str]] = (), request=None,
) -> Person:
    """Create a person known to `programme` (one of the user's). Raises ValidationError naming fields."""
    _require_programme(user, programme)
    person = Person(created_by=user, **{k: v for k, v in data.items() if k in PERSON_FIELDS})
    fill_latin(person)
    person.full_clean()
    person.save()
    alias_rows = []
    for number, alias_data in enumerate(aliases, start=1):
        alias = PersonAlias(person=person, **alias_data)
        try:
            alias.full_clean(exclude=["person"])
        except ValidationError as error:
            raise ValidationError(
                {f"alias-{number}-{name}": messages for name, messages in error.message_dict.items()}
            ) from None
        alias_rows.append(alias)
    PersonAlias.objects.bulk_create(alias_rows)
    ProgrammeRegistration.objects.create(person=person, programme=programme, office=user.office, registered_by=user)
    index.reindex(person)
    record(
        Action.CREATE, person, actor=user, request=request,
        changes={
            **changed_fields({}, snapshot(person, PERSON_FIELDS), sensitive=Person.SENSITIVE_FIELDS),
            "programme": [None, programme], "aliases": [None, str(len(alias_rows))],
        },
    )
    return person


def update(user: User, person: Person, data: Mapping[str, Any], *, version: int, request=None) -> Person:
    """Save changes made on a copy opened at `version`; a newer save by someone else is a conflict."""
    policy.get_for(user, Person, "change", pk=person.pk, request=request)  # outside: a denial stays audited
    with transaction.atomic():
        return _update(user, person, data, version=version, request=request)


def _update(user: User, person: Person, data: Mapping[str, Any], *, version: int, request=None) -> Person:
    current = Person.objects.select_for_update().get(pk=person.pk)
    if current.version != version:
        raise ConflictError
    before = snapshot(current, PERSON_FIELDS)
    for name, value in data.items():
        if name in PERSON_FIELDS:
            setattr(current, name, value)
    fill_latin(current)
    current.full_clean()
    changes = changed_fields(before, snapshot(current, PERSON_FIELDS), sensitive=Person.SENSITIVE_FIELDS)
    if not changes:
        return current
    current.version += 1
    current.save()
    index.reindex(current)
    record(Action.UPDATE, current, actor=user, changes=changes, request=request)
    return current


def add_alias(user: User, person: Person, data: Mapping[str, str], *, request=None) -> PersonAlias:
    policy.get_for(user, Person, "change", pk=person.pk, request=request)
    with transaction.atomic():
        return _add_alias(user, person, data, request=request)


def _add_alias(user: User, person: Person, data: Mapping[str, str], *, request=None) -> PersonAlias:
    alias = PersonAlias(person=person, **data)
    alias.full_clean()
    alias.save()
    index.reindex(person)
    record(
        Action.CREATE, alias, actor=user, request=request,
        changes={"person": [None, str(person.pk)], "name": [None, str(alias)], "kind": [None, alias.kind]},
    )
    return alias


def remove_alias(user: User, alias: PersonAlias, *, request=None) -> None:
    alias = policy.get_for(user, PersonAlias, "delete", pk=alias.pk, request=request)
    person = alias.person
    with transaction.atomic():
        record(Action.DELETE, alias, actor=user, request=request, changes={"name": [str(alias), None]})
        alias.delete()
        index.reindex(person)


def add_document(user: User, person: Person, data: Mapping[str, Any], *, request=None) -> IdentityDocument:
    person = policy.get_for(user, Person, "change", pk=person.pk, request=request)
    document = IdentityDocument(person=person, **data)
    document.full_clean()
    if person.birth_date and document.issued_on and document.issued_on < person.birth_date:
        raise ValidationError({"issued_on": _("The document is dated before the person was born.")})
    with transaction.atomic():
        document.save()
        record(
            Action.CREATE, document, actor=user, request=request,
            changes={"person": [None, str(person.pk)], "document_type": [None, document.document_type], "number": None},
        )
    return document


def remove_document(user: User, document: IdentityDocument, *, request=None) -> None:
    document = policy.get_for(user, IdentityDocument, "delete", pk=document.pk, request=request)
    with transaction.atomic():
        record(
            Action.DELETE, document, actor=user, request=request,
            changes={"person": [str(document.person_id), None], "document_type": [document.document_type, None]},
        )
        document.delete()


def check_photo(upload: UploadedFile) -> str:
    """The file's real type from its first bytes (never its name); raises ValidationError."""
    if upload.size > PHOTO_MAX_BYTES:
        raise ValidationError({"photo": _("The photo is larger than 5 MB.")})
    head = upload.read(8)
    upload.seek(0)
    for magic, extension in PHOTO_TYPES.items():
        if head.startswith(magic):
            return extension
    raise ValidationError({"photo": _("The photo must be a JPEG or PNG image.")})


def set_photo(user: User, person: Person, upload: UploadedFile | None, *, request=None) -> None:
    """Store (or, with None, remove) the photo; files live under MEDIA_ROOT, never served directly."""
    policy.get_for(user, Person, "change", pk=person.pk, request=request)
    with transaction.atomic():
        _set_photo(user, Person.objects.select_for_update().get(pk=person.pk), upload, request=request)


def _set_photo(user: User, person: Person, upload: UploadedFile | None, *, request=None) -> None:
    old = person.photo.name if person.photo else ""
    if upload is not None:
        extension = check_photo(upload)
        upload.name = f"photo.{extension}"
        person.photo.save(upload.name, upload, save=False)
    else:
        person.photo = ""
    person.version += 1
    person.save(update_fields=["photo", "version", "updated_at"])
    if old:
        transaction.on_commit(lambda: person.photo.storage.delete(old))
    record(Action.UPDATE, person, actor=user, request=request, changes={"photo": None})


def add_to_programme(user: User, person: Person, programme: str, *, request=None) -> ProgrammeRegistration:
    """Make a person the user can already see known to another of the user's programmes."""
    _require_programme(user, programme)
    person = policy.get_for(user, Person, "view", pk=person.pk, request=request)
    with transaction.atomic():
        registration, created = ProgrammeRegistration.objects.get_or_create(
            person=person, programme=programme, defaults={"office": user.office, "registered_by": user}
        )
        if created:
            record(Action.CREATE, registration, actor=user, request=request, changes={"programme": [None, programme]})
    return registration
