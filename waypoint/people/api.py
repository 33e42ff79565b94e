"""Persons in the REST API: list, search, register, read and update, under the access policy.

Every endpoint first asks for the VIEW_PEOPLE capability (404 and an audited denial otherwise) and then
works only on people in the user's scope (`policy.visible_people`, `policy.get_for`), so the API cannot
show more than the registry pages. Contacts are decrypted only in the answer about one person, and that
read is audited; lists and search never carry them.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import BeforeValidator, ConfigDict

from waypoint.accounts import policy
from waypoint.accounts.models import User
from waypoint.api import paging
from waypoint.api.errors import invalid
from waypoint.audit.models import Action
from waypoint.audit.services import record

from . import explain, index, lookup, services
from .matching import SAME_PERSON_THRESHOLD, Reason
from .models import AliasKind, IdentityDocument, Person, PersonAlias
from .transliteration import icao_latin

router = Router(tags=["people"])

MAX_LIMIT = 100
DEFAULT_LIMIT = 50
LATIN_FIELDS = {"given_name_latin": "given_name", "family_name_latin": "family_name", "patronymic_latin": "patronymic"}
# Fields where JSON null means "clear it": the model stores an empty text or an empty list there.
_TEXT_FIELDS = frozenset({
    "given_name", "family_name", "patronymic", *LATIN_FIELDS, "sex", "birth_date_precision",
    "phone", "email", "address", "other_contacts",
})
_LIST_FIELDS = frozenset({"citizenships", "languages"})
# What a list row shows (search's scoring query loads the same): no contacts, so nothing is decrypted.
SUMMARY_FIELDS = (
    "given_name", "family_name", "patronymic", "given_name_latin", "family_name_latin", "patronymic_latin",
    "sex", "birth_date", "birth_date_precision", "citizenships",
)


def _iso_date_only(value: Any) -> Any:
    """Dates come as ISO text ("1990-04-12"): a bare number would otherwise be read as seconds since 1970."""
    if value is None or isinstance(value, str | datetime.date):
        return value
    raise ValueError(_("Give the date as text in ISO form, e.g. 1990-04-12."))


IsoDate = Annotated[datetime.date, BeforeValidator(_iso_date_only)]


# --- Schemas ------------------------------------------------------------------------------------
class ReasonOut(Schema):
    field: str
    code: str
    text: str
    supports: bool


class PersonSummaryOut(Schema):
    """A row of a list or of search results: names and birth data, never contacts."""

    id: int
    reference: str
    given_name: str
    family_name: str
    patronymic: str
    given_name_latin: str
    family_name_latin: str
    patronymic_latin: str
    sex: str
    birth_date: datetime.date | None
    birth_date_precision: str
    citizenships: list[str]
    score: float | None = None
    reasons: list[ReasonOut] | None = None


class PersonPageOut(Schema):
    count: int
    next: str | None
    previous: str | None
    results: list[PersonSummaryOut]


class AliasOut(Schema):
    id: int
    kind: str
    given_name: str
    family_name: str
    patronymic: str
    note: str


class DocumentOut(Schema):
    """The number only masked: the API never hands out a full document number."""

    id: int
    document_type: str
    masked_number: str
    issuing_country: str
    issued_on: datetime.date | None
    expires_on: datetime.date | None


class PersonOut(Schema):
    id: int
    reference: str
    version: int
    given_name: str
    family_name: str
    patronymic: str
    given_name_latin: str
    family_name_latin: str
    patronymic_latin: str
    latin_is_custom: bool
    sex: str
    birth_date: datetime.date | None
    birth_date_precision: str
    estimated_age: int | None
    age_estimated_on: datetime.date | None
    citizenships: list[str]
    languages: list[str]
    phone: str
    email: str
    address: str
    other_contacts: str
    has_photo: bool
    aliases: list[AliasOut]
    documents: list[DocumentOut]
    programmes: list[str]
    merged_into: str | None
    created_at: datetime.datetime
    updated_at: datetime.datetime


class ErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]]


class ConflictOut(Schema):
    detail: str
    version: int


class CandidateOut(Schema):
    id: int
    reference: str
    score: float
    reasons: list[ReasonOut]


class ManagerOut(Schema):
    name: str
    email: str


class OtherProgrammeOut(Schema):
    """A programme that knows a likely match the user may not see: whom to ask, nothing about the person."""

    programme: str
    programme_name: str
    managers: list[ManagerOut]


class DuplicateOut(Schema):
    detail: str
    candidates: list[CandidateOut]
    other_programmes: list[OtherProgrammeOut]


class AliasIn(Schema):
    model_config = ConfigDict(extra="forbid")

    kind: str = AliasKind.OTHER_SPELLING.value
    given_name: str = ""
    family_name: str = ""
    patronymic: str = ""
    note: str = ""


class PersonIn(Schema):
    """A new person. Latin forms are computed unless given (then they count as typed from a document)."""

    model_config = ConfigDict(extra="forbid")

    given_name: str = ""
    family_name: str = ""
    patronymic: str = ""
    given_name_latin: str = ""
    family_name_latin: str = ""
    patronymic_latin: str = ""
    latin_is_custom: bool | None = None
    sex: str = ""
    birth_date: IsoDate | None = None
    birth_date_precision: str = ""
    estimated_age: int | None = None
    age_estimated_on: IsoDate | None = None
    citizenships: list[str] = Field(default_factory=list)
    languages: list[str] = Field(default_factory=list)
    phone: str = ""
    email: str = ""
    address: str = ""
    other_contacts: str = ""
    programme: str | None = None
    aliases: list[AliasIn] = Field(default_factory=list)
    confirm_new: bool = False


class PersonPatch(Schema):
    """Only the fields sent are changed; `version` is the one the client read (optimistic locking)."""

    model_config = ConfigDict(extra="forbid")

    version: int
    given_name: str | None = None
    family_name: str | None = None
    patronymic: str | None = None
    given_name_latin: str | None = None
    family_name_latin: str | None = None
    patronymic_latin: str | None = None
    latin_is_custom: bool | None = None
    sex: str | None = None
    birth_date: IsoDate | None = None
    birth_date_precision: str | None = None
    estimated_age: int | None = None
    age_estimated_on: IsoDate | None = None
    citizenships: list[str] | None = None
    languages: list[str] | None = None
    phone: str | None = None
    email: str | None = None
    address: str | None = None
    other_contacts: str | None = None


class PeopleQuery(Schema):
    q: str = Field("", max_length=200, description="A name in any spelling, a record number or a document number")
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0)


# --- Helpers ------------------------------------------------------------------------------------
def _reasons(reasons: Iterable[Reason]) -> list[dict[str, Any]]:
    return [
        {"field": r.field, "code": r.code, "text": explain.describe(r), "supports": explain.supports(r)}
        for r in reasons
    ]


def _summary(person: Person, candidate: lookup.Candidate | None = None) -> dict[str, Any]:
    row = {"id": person.pk, "reference": person.reference, **{name: getattr(person, name) for name in SUMMARY_FIELDS}}
    if candidate is not None:
        row.update(score=round(candidate.score, 4), reasons=_reasons(candidate.reasons))
    return row


def _detail(person: Person) -> dict[str, Any]:
    return {
        **_summary(person),
        **{name: getattr(person, name) for name in (
            "version", "latin_is_custom", "estimated_age", "age_estimated_on", "languages",
            "phone", "email", "address", "other_contacts", "created_at", "updated_at",
        )},
        "has_photo": bool(person.photo),
        "aliases": [
            {"id": a.pk, "kind": a.kind, "given_name": a.given_name, "family_name": a.family_name,
             "patronymic": a.patronymic, "note": a.note}
            for a in person.aliases.all()
        ],
        "documents": [
            {"id": d.pk, "document_type": d.document_type, "masked_number": d.masked_number,
             "issuing_country": d.issuing_country, "issued_on": d.issued_on, "expires_on": d.expires_on}
            for d in person.documents.all()
        ],
        "programmes": sorted({r.programme for r in person.registrations.all()}),
        "merged_into": person.merged_into.reference if person.merged_into_id else None,
    }


def _detail_queryset():
    return Person.objects.select_related("merged_into").prefetch_related(
        "aliases", Prefetch("documents", queryset=IdentityDocument.objects.order_by("id")), "registrations",
    )


def _normalise(data: dict[str, Any]) -> dict[str, Any]:
    """JSON null clears a field; country codes are upper case and language codes lower case, as stored."""
    for name in list(data):
        if data[name] is None and name in _TEXT_FIELDS:
            data[name] = ""
        elif data[name] is None and name in _LIST_FIELDS:
            data[name] = []
    if data.get("citizenships"):
        data["citizenships"] = [str(code).strip().upper() for code in data["citizenships"]]
    if data.get("languages"):
        data["languages"] = [str(code).strip().lower() for code in data["languages"]]
    return data


def _programme_for(user: User, requested: str | None) -> str:
    """The programme to register in: one of the user's, by default the only one they have."""
    mine = list(user.programmes or [])
    if requested:
        if requested not in mine:
            raise ValidationError({"programme": _("Choose one of your programmes: %(codes)s.") % {
                "codes": ", ".join(mine) or "-"}})
        return requested
    if len(mine) == 1:
        return mine[0]
    raise ValidationError({"programme": _("Choose the programme to register the person in: %(codes)s.") % {
        "codes": ", ".join(mine) or "-"}})


def _checked_aliases(aliases: list[dict[str, Any]]) -> list[PersonAlias]:
    """Validate the other names before anything is looked up or saved; errors name alias-N-field."""
    rows = []
    for number, data in enumerate(aliases, start=1):
        alias = PersonAlias(**data)
        try:
            alias.full_clean(exclude=["person"])
        except ValidationError as error:
            raise ValidationError(
                {f"alias-{number}-{name}": messages for name, messages in error.message_dict.items()}
            ) from None
        rows.append(alias)
    return rows


def _likely_duplicates(
    user: User, person: Person, aliases: list[PersonAlias],
) -> tuple[list[lookup.Candidate], list[lookup.HiddenMatch]]:
    """Candidates for every name form of the new person (as written, Latin, other names), best first."""
    visible: dict[int, lookup.Candidate] = {}
    hidden: dict[str, lookup.HiddenMatch] = {}
    for form in index.person_records(person, aliases):
        found, others = lookup.duplicate_candidates(user, form)
        for candidate in found:
            best = visible.get(candidate.person.pk)
            if best is None or candidate.score > best.score:
                visible[candidate.person.pk] = candidate
        for match in others:
            hidden.setdefault(match.programme, match)
    ranked = sorted(visible.values(), key=lambda c: (-c.score, c.person.pk))[:5]
    return ranked, [hidden[code] for code in sorted(hidden)]


def _duplicate_answer(candidates: list[lookup.Candidate], hidden: list[lookup.HiddenMatch]) -> dict[str, Any]:
    return {
        "detail": _(
            "This person may already be registered. Check the candidates; if this is someone else, "
            "send the request again with confirm_new set to true."
        ),
        "candidates": [
            {"id": c.person.pk, "reference": c.person.reference, "score": round(c.score, 4),
             "reasons": _reasons(c.reasons)}
            for c in candidates
        ],
        "other_programmes": [
            {"programme": match.programme, "programme_name": match.programme_label,
             "managers": [{"name": m.get_full_name() or m.username, "email": m.email} for m in match.managers]}
            for match in hidden
        ],
    }


def _custom_latin(data: dict[str, Any], current: Mapping[str, Any] | None = None) -> None:
    """Decide `latin_is_custom` as the registration form does, unless the client sends it.

    A Latin form typed by the client (e.g. copied from a passport) is kept when it differs from the computed
    ICAO form; parts left empty are computed, so that a record never has a half-typed Latin form. `current`
    holds the record's names, Latin forms and flag when changing it; None when registering.
    """
    explicit = data.pop("latin_is_custom", None)
    before = current or {}
    sent = {name: data[name] for name in LATIN_FIELDS if name in data}
    if explicit is None and not any(value != before.get(name, "") for name, value in sent.items()):
        return  # nothing typed: computed on registration, the record's own choice on a change
    names = {written: data.get(written, before.get(written, "")) for written in LATIN_FIELDS.values()}
    computed = {latin: icao_latin(names[written]) for latin, written in LATIN_FIELDS.items()}
    kept = before if before.get("latin_is_custom") else computed
    typed = {latin: (sent[latin] if latin in sent else kept[latin]) or computed[latin] for latin in LATIN_FIELDS}
    custom = explicit if explicit is not None else typed != computed
    data["latin_is_custom"] = custom
    if custom:
        data.update(typed)


# --- Endpoints ----------------------------------------------------------------------------------
@router.get("", response=PersonPageOut, summary="People in your programmes, or search them")
def list_people(request: HttpRequest, params: Query[PeopleQuery]):
    """Without `q`: the people in the user's scope by Latin name. With `q`: ranked matches, each with reasons."""
    user = request.auth
    policy.require(user, policy.VIEW_PEOPLE, request=request)
    limit, offset = params.limit, params.offset
    if params.q.strip():
        # The matcher ranks a bounded candidate set; the best MAX_LIMIT matches are paged through.
        found = lookup.search(user, params.q, limit=MAX_LIMIT)
        rows = [_summary(c.person, c) for c in found[offset:offset + limit]]
        return paging.page(request, len(found), rows, limit, offset)
    people = policy.visible_people(user).filter(merged_into__isnull=True)
    count = people.count()
    ordered = people.only("id", *SUMMARY_FIELDS).order_by(
        "family_name_latin", "given_name_latin", "patronymic_latin", "pk",
    )
    return paging.page(request, count, [_summary(p) for p in ordered[offset:offset + limit]], limit, offset)


@router.post(
    "", response={201: PersonOut, 409: DuplicateOut, 422: ErrorOut}, summary="Register a person",
)
def create_person(request: HttpRequest, payload: PersonIn):
    """Register after a duplicate check: a likely match answers 409 unless the client confirms a new person."""
    user = request.auth
    policy.require(user, policy.VIEW_PEOPLE, request=request)
    data = _normalise(payload.dict(exclude={"programme", "aliases", "confirm_new"}))
    _custom_latin(data)
    aliases = [alias.dict() for alias in payload.aliases]
    # Refuse bad input, naming every field at once, before looking for duplicates with it.
    problems: dict[str, list] = {}
    programme, alias_rows = "", []
    probe = Person(**{k: v for k, v in data.items() if k in services.PERSON_FIELDS})
    services.fill_latin(probe)
    try:
        programme = _programme_for(user, payload.programme)
    except ValidationError as error:
        error.update_error_dict(problems)
    try:
        probe.full_clean()
    except ValidationError as error:
        error.update_error_dict(problems)
    try:
        alias_rows = _checked_aliases(aliases)
    except ValidationError as error:
        error.update_error_dict(problems)
    if problems:
        return invalid(ValidationError(problems))
    candidates, hidden = _likely_duplicates(user, probe, alias_rows)
    strong = any(c.score >= SAME_PERSON_THRESHOLD for c in candidates) or bool(hidden)
    if strong and not payload.confirm_new:
        return Status(409, _duplicate_answer(candidates, hidden))
    try:
        person = services.register(user, data, programme=programme, aliases=aliases, request=request)
    except ValidationError as error:
        return invalid(error)
    return Status(201, _detail(policy.get_for(user, _detail_queryset(), pk=person.pk, request=request)))


@router.get("/{person_id}", response=PersonOut, summary="One person, with contacts (the read is audited)")
def get_person(request: HttpRequest, person_id: int):
    """The full record; decrypting contacts is a read of personal data, so it is recorded."""
    user = request.auth
    policy.require(user, policy.VIEW_PEOPLE, request=request)
    person = policy.get_for(user, _detail_queryset(), pk=person_id, request=request)
    record(Action.VIEW, person, actor=user, request=request)
    return _detail(person)


@router.patch(
    "/{person_id}", response={200: PersonOut, 409: ConflictOut, 422: ErrorOut}, summary="Change a person",
)
def update_person(request: HttpRequest, person_id: int, payload: PersonPatch):
    """Partial update at the version the client read: a newer save by someone else answers 409."""
    user = request.auth
    policy.require(user, policy.VIEW_PEOPLE, request=request)
    person = policy.get_for(user, Person, "change", pk=person_id, request=request)
    data = _normalise(payload.dict(exclude_unset=True, exclude={"version"}))
    current = {name: getattr(person, name) for name in (*LATIN_FIELDS, *LATIN_FIELDS.values(), "latin_is_custom")}
    _custom_latin(data, current)
    try:
        person = services.update(user, person, data, version=payload.version, request=request)
    except services.ConflictError:
        latest = Person.objects.filter(pk=person.pk).values_list("version", flat=True).first()
        return Status(409, {
            "detail": _("Someone else changed this person since you read it: read it again and repeat your change."),
            "version": latest,
        })
    except ValidationError as error:
        return invalid(error)
    person = policy.get_for(user, _detail_queryset(), pk=person.pk, request=request)
    # The answer carries the decrypted contacts even when nothing changed: audited like a read.
    record(Action.VIEW, person, actor=user, request=request)
    return Status(200, _detail(person))

