"""What a referral carries: the fields that may be shared, the category of each, and how they read.

A referral keeps exactly what was sent in `Referral.shared` (field → text, encrypted). Codes (sex, age
band, countries, languages) are stored as codes and named in the reader's language when shown, so a
partner reading in Russian sees Russian names. Fields without a category describe the caller without
identifying them (woman, 25 to 34, Uzbekistan): an anonymous referral carries only those and needs no
consent. Every other field belongs to a consent category; it is sent only when the person's consent
covers that category for the receiving organisation (`consent.services.may_share`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from waypoint.consent.models import DataCategory, Purpose
from waypoint.people import codes
from waypoint.people.models import Person, Sex


@dataclass(frozen=True)
class SharedField:
    name: str
    category: str | None  # None: describes the caller without identifying them
    label: Promise
    typed: bool = False  # typed by the operator (the person record does not hold it)


FIELDS: tuple[SharedField, ...] = (
    SharedField("caller_sex", None, gettext_lazy("Sex")),
    SharedField("caller_age_band", None, gettext_lazy("Age")),
    SharedField("caller_nationality", None, gettext_lazy("Nationality")),
    SharedField("caller_language", None, gettext_lazy("Language")),
    SharedField("name", DataCategory.IDENTITY, gettext_lazy("Name")),
    SharedField("sex", DataCategory.IDENTITY, gettext_lazy("Sex")),
    SharedField("birth_date", DataCategory.IDENTITY, gettext_lazy("Date of birth")),
    SharedField("citizenship", DataCategory.IDENTITY, gettext_lazy("Citizenship")),
    SharedField("phone", DataCategory.CONTACTS, gettext_lazy("Phone")),
    SharedField("email", DataCategory.CONTACTS, gettext_lazy("Email")),
    SharedField("address", DataCategory.CONTACTS, gettext_lazy("Address")),
    SharedField("documents", DataCategory.DOCUMENTS, gettext_lazy("Identity documents")),
    SharedField("situation", DataCategory.SITUATION, gettext_lazy("Situation and needs"), typed=True),
    SharedField("exploitation", DataCategory.EXPLOITATION, gettext_lazy("Exploitation history"), typed=True),
    SharedField("health", DataCategory.HEALTH, gettext_lazy("Health"), typed=True),
)
# A trafficking situation reported to an authority: about what happened, never about the caller.
SITUATION_FIELDS: tuple[SharedField, ...] = (
    SharedField("summary", None, gettext_lazy("What happened")),
    SharedField("place", None, gettext_lazy("Where")),
    SharedField("details", None, gettext_lazy("Details")),
    SharedField("reported_by", None, gettext_lazy("Reported by")),
)
BY_NAME = {field.name: field for field in FIELDS + SITUATION_FIELDS}
TYPED_FIELDS = tuple(field.name for field in FIELDS if field.typed)
# Categories a referral can carry as text: a photo is never sent in a referral.
REFERRAL_CATEGORIES = tuple(code for code in DataCategory.values if code != DataCategory.PHOTO)
PROFILE_FIELDS = ("caller_sex", "caller_age_band", "caller_nationality", "caller_language")


def category_fields(category: str) -> list[SharedField]:
    return [field for field in FIELDS if field.category == category]


def profile(consultation) -> dict[str, str]:
    """The caller as the consultation log describes them: categories only, nothing that identifies."""
    values = {
        "caller_sex": consultation.caller_sex,
        "caller_age_band": consultation.caller_age_band,
        "caller_nationality": consultation.caller_nationality,
        "caller_language": consultation.caller_language,
    }
    return {name: value for name, value in values.items() if value}


def person_facts(person: Person | None = None, data: Mapping | None = None) -> dict[str, str]:
    """The person's identity and contacts as a referral sends them, from a record or from the data
    of a person about to be registered."""
    if person is not None:
        source = {name: getattr(person, name) for name in (
            "family_name", "given_name", "patronymic", "sex", "birth_date", "birth_date_precision",
            "citizenships", "phone", "email", "address")}
        documents = [
            f"{document.get_document_type_display()} {document.number}"
            + (f" ({codes.country_name(document.issuing_country)})" if document.issuing_country else "")
            for document in person.documents.all()
        ] if person.pk else []
    else:
        source, documents = dict(data or {}), []
    name = " ".join(str(source.get(part) or "") for part in ("family_name", "given_name", "patronymic")).split()
    birth = source.get("birth_date")
    if birth and source.get("birth_date_precision") in ("year", "estimated"):
        birth_text = str(birth.year)
    else:
        birth_text = birth.isoformat() if birth else ""
    facts = {
        "name": " ".join(name),
        "sex": source.get("sex") or "",
        "birth_date": birth_text,
        "citizenship": ",".join(source.get("citizenships") or []),
        "phone": source.get("phone") or "",
        "email": source.get("email") or "",
        "address": source.get("address") or "",
        "documents": "\n".join(documents),
    }
    return {name: str(value).strip() for name, value in facts.items() if value}


def compose(
    consultation, categories: Iterable[str], facts: Mapping[str, str], typed: Mapping[str, str],
) -> dict[str, str]:
    """Exactly what a referral sends: the caller's profile, and the fields of the chosen categories
    (from the person record, or typed by the operator for situation, exploitation and health)."""
    chosen = set(categories)
    shared = profile(consultation)
    for field in FIELDS:
        if field.category is None or field.category not in chosen:
            continue
        value = (typed.get(field.name) if field.typed else facts.get(field.name)) or ""
        if str(value).strip():
            shared[field.name] = str(value).strip()
    return shared


def dumps(shared: Mapping[str, str]) -> str:
    return json.dumps(dict(shared), ensure_ascii=False, sort_keys=False)


def loads(text: str) -> dict[str, str]:
    if not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}


def carries_personal_data(shared: Mapping[str, str]) -> bool:
    return any(BY_NAME.get(name) is not None and BY_NAME[name].category is not None for name in shared)


# --- Reading ----------------------------------------------------------------------------------
def _display(name: str, value: str) -> str:
    if name in ("caller_sex", "sex"):
        return str(Sex(value).label) if value in Sex.values else value
    if name == "caller_age_band":
        from waypoint.hotline.models import AgeBand

        return str(AgeBand(value).label) if value in AgeBand.values else value
    if name in ("caller_nationality", "citizenship"):
        return ", ".join(codes.country_name(code) for code in value.split(",") if code)
    if name == "caller_language":
        return codes.language_name(value)
    return value


def describe_caller(shared: Mapping[str, str]) -> str:
    """"Female, 25 to 34, Uzbekistan, Uzbek": the anonymous description in one line."""
    return ", ".join(_display(name, shared[name]) for name in PROFILE_FIELDS if shared.get(name))


@dataclass(frozen=True)
class Row:
    label: str
    value: str
    personal: bool


def rows(shared: Mapping[str, str]) -> list[Row]:
    """The shared fields in a fixed order, labelled and named in the reader's language."""
    result = []
    caller = describe_caller(shared)
    if caller:
        result.append(Row(_("Caller"), caller, False))
    for field in FIELDS + SITUATION_FIELDS:
        if field.name in PROFILE_FIELDS or not shared.get(field.name):
            continue
        result.append(Row(str(field.label), _display(field.name, shared[field.name]), field.category is not None))
    return result


@dataclass(frozen=True)
class Shown:
    """What one reader may see of a referral now: the rows of `shared`, whether the free-text reason is
    shown, and (when something is held back) a line that says why."""

    rows: list[Row]
    notice: str = ""
    reason: bool = True

    @property
    def withheld(self) -> bool:
        return bool(self.notice)


def shared_categories(shared: Mapping[str, str]) -> list[str]:
    """The consent categories of the fields a referral carries, in a fixed order."""
    present = {BY_NAME[name].category for name in shared if name in BY_NAME and BY_NAME[name].category}
    return [code for code in DataCategory.values if code in present]


def visible_rows(referral, user) -> Shown:
    """What `user` may read of what `referral` carried: the one gate for every page that shows `shared`.

    Staff see everything that was sent: it is the office's record of what left it. A partner user sees
    the personal rows only while the person's consent still covers them for this organisation (asked
    again at every reading: a withdrawn or expired consent hides them at once). A cancelled referral
    keeps, for the partner, only its reference, status and the caller's anonymous description.
    """
    from waypoint.accounts.models import Role
    from waypoint.cases.models import ReferralStatus
    from waypoint.consent.services import may_share

    shared = loads(referral.shared)
    everything = rows(shared)
    if getattr(user, "role", None) != Role.PARTNER_USER:
        return Shown(everything)
    anonymous = [row for row in everything if not row.personal]
    if referral.status == ReferralStatus.CANCELLED:
        return Shown(anonymous, _("This referral was cancelled: only its reference, status and the caller's "
                                  "anonymous description are shown."), reason=False)
    if not carries_personal_data(shared):
        return Shown(everything)
    if may_share(referral.person, referral.organisation, Purpose.REFERRAL, shared_categories(shared)).allowed:
        return Shown(everything)
    consent = referral.consent
    if consent is not None and consent.withdrawn_at is not None:
        notice = _("The person withdrew their consent: personal data are no longer shown.")
    else:
        notice = _("The person's consent has expired or no longer covers these data: personal data are no "
                   "longer shown.")
    return Shown(anonymous, notice)
