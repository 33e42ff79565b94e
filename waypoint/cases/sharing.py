"""What a referral carries: the fields that may be shared, the category of each, and how they read.

A referral keeps exactly what was sent in `Referral.shared` (field → text, encrypted). Codes (sex, age
band, countries, languages) are stored as codes and named in the reader's language when shown, so a
partner reading in Russian sees Russian names. Fields without a category describe the person without
identifying them (woman, 25 to 34, Uzbekistan): from the hotline's log for a caller (`profile`), from the
registry for a member of a case (`person_profile`). An anonymous referral from the hotline carries only
those and needs no consent. Every other field belongs to a consent category; it is sent only when the
person's consent covers that category for the receiving organisation (`consent.services.may_share`).

One code path composes what is sent (`compose`), whether the referral comes from a consultation or a case;
an inbound referral (a partner referring a person to the office) is stored in the same shape, with the
name also kept in its parts (`NAME_PARTS`) so that the office can register the person from it.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from waypoint.consent.models import DataCategory, Purpose
from waypoint.people import codes
from waypoint.people.models import BirthDatePrecision, Person, Sex


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
    SharedField("name", DataCategory.IDENTITY, pgettext_lazy("a person's", "Name")),
    SharedField("sex", DataCategory.IDENTITY, gettext_lazy("Sex")),
    SharedField("birth_date", DataCategory.IDENTITY, gettext_lazy("Date of birth")),
    SharedField("age", DataCategory.IDENTITY, gettext_lazy("Age (as told)")),
    SharedField("citizenship", DataCategory.IDENTITY, gettext_lazy("Citizenship")),
    SharedField("phone", DataCategory.CONTACTS, gettext_lazy("Phone")),
    SharedField("email", DataCategory.CONTACTS, gettext_lazy("Email")),
    SharedField("address", DataCategory.CONTACTS, gettext_lazy("Address")),
    SharedField("documents", DataCategory.DOCUMENTS, gettext_lazy("Identity documents")),
    SharedField("situation", DataCategory.SITUATION, gettext_lazy("Situation and needs"), typed=True),
    SharedField("exploitation", DataCategory.EXPLOITATION, gettext_lazy("Exploitation history"), typed=True),
    SharedField("health", DataCategory.HEALTH, gettext_lazy("Health"), typed=True),
    # Inbound referrals (a partner to the office): the person's language and how urgent it is.
    SharedField("language", None, gettext_lazy("Language")),
    SharedField("urgency", None, gettext_lazy("Urgency")),
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
# The name as typed in parts (inbound referrals): shown as `name`, kept to register the person.
NAME_PARTS = ("family_name", "given_name", "patronymic")
URGENT, NORMAL = "urgent", "normal"
URGENCY_LABELS = {NORMAL: gettext_lazy("Normal"), URGENT: gettext_lazy("Urgent")}


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


def age_on(person: Person, on: datetime.date | None = None) -> int | None:
    """The person's age in whole years on the date (today), from the registry's date of birth; None when
    unknown. An estimated or year-only date gives an approximate age, which is all eligibility needs."""
    born = person.birth_date
    if born is None:
        return None
    on = on or timezone.localdate()
    if person.birth_date_precision in (BirthDatePrecision.YEAR, BirthDatePrecision.ESTIMATED):
        return max(on.year - born.year, 0)
    return max(on.year - born.year - ((on.month, on.day) < (born.month, born.day)), 0)


def age_band(age: int | None) -> str:
    """The hotline's age band of an age ("25-34"); empty when the age is not known."""
    from waypoint.hotline.models import AgeBand

    if age is None:
        return ""
    for band in AgeBand.values:
        if band.endswith("+") and age >= int(band[:-1]):
            return band
        if "-" in band:
            low, high = (int(part) for part in band.split("-"))
            if low <= age <= high:
                return band
    return ""


def person_profile(person: Person) -> dict[str, str]:
    """A member of a case described as the hotline describes a caller: sex, age band, first citizenship
    and first language from the registry. Nothing that identifies them."""
    values = {
        "caller_sex": person.sex or "",
        "caller_age_band": age_band(age_on(person)),
        "caller_nationality": (person.citizenships or [""])[0],
        "caller_language": (person.languages or [""])[0],
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
    described: Mapping[str, str], categories: Iterable[str], facts: Mapping[str, str], typed: Mapping[str, str],
) -> dict[str, str]:
    """Exactly what a referral sends: the anonymous description (`profile` of a consultation or
    `person_profile` of a case member), and the fields of the chosen categories (from the person record,
    or typed by staff for situation, exploitation and health)."""
    chosen = set(categories)
    shared = {name: str(described[name]) for name in PROFILE_FIELDS if described.get(name)}
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
    if name in ("caller_language", "language"):
        return codes.language_name(value)
    if name == "urgency":
        return str(URGENCY_LABELS.get(value, value))
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
        result.append(Row(_("Person"), caller, False))
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

    Staff see everything that was sent: it is the office's record of what left it. A partner user reads
    what the organisation may read now (`organisation_view`).
    """
    from waypoint.accounts.models import Role

    if getattr(user, "role", None) != Role.PARTNER_USER:
        return Shown(rows(loads(referral.shared)))
    return organisation_view(referral)


def organisation_view(referral) -> Shown:
    """What the referral's organisation may read of it now: its users' pages and the printed form.

    The personal rows are shown only while the person's consent still covers them for this organisation
    (asked again at every reading: a withdrawn or expired consent hides them at once). A cancelled referral
    keeps only its reference, status and the anonymous description. An inbound referral is the
    organisation's own words about the person: it reads them as it sent them.
    """
    from waypoint.cases.models import ReferralDirection, ReferralStatus
    from waypoint.consent.services import may_share

    shared = loads(referral.shared)
    everything = rows(shared)
    if referral.direction == ReferralDirection.INBOUND:
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
