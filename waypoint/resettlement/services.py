"""Writing the resettlement profile and the clearances checklist.

Every write checks access first (outside the transaction, so an audited denial is not rolled back), refuses
cases of other programmes, validates everything as it will be saved, and writes the change, its audit event and
its timeline line in one transaction. Edits carry the version their form was opened at: a stale one raises
`ConflictError` and writes nothing.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from waypoint.accounts import policy
from waypoint.accounts.models import Programme, User
from waypoint.audit.models import Action
from waypoint.audit.services import changed_fields, record
from waypoint.cases import timeline
from waypoint.cases.casework import refused
from waypoint.cases.locking import ConflictError, bump, locked_current
from waypoint.cases.models import Case, CaseMember
from waypoint.partners.models import Organisation
from waypoint.people.models import Person

from .models import (
    PROGRAMMES_OF,
    US_ONLY_CATEGORIES,
    Category,
    Clearance,
    ClearanceKind,
    ClearanceStatus,
    Destination,
    ReferralSource,
    ResettlementProfile,
    ResettlementProgramme,
)

__all__ = ["ConflictError", "record_clearance", "update_clearance", "update_profile"]

PROFILE_FIELDS = ("destination", "resettlement_programme", "category", "referral_source", "unhcr_reference",
                  "referring_organisation", "relative_name", "relative_relationship", "relative_location",
                  "receiving_case_number")
CHOICES = {"destination": Destination, "resettlement_programme": ResettlementProgramme, "category": Category,
           "referral_source": ReferralSource}
TEXT_LIMITS = {"unhcr_reference": 40, "relative_name": 200, "relative_relationship": 40, "relative_location": 200,
               "receiving_case_number": 40}
SENSITIVE = ("relative_name", "relative_location")  # a relative's name and address never go to the trail
NOTE_MAX = 2000


def field_label(model, name: str) -> str:
    return capfirst(str(model._meta.get_field(name).verbose_name))


def _date(day: datetime.date) -> str:
    return formats.date_format(day, "DATE_FORMAT")


# --- Access ---------------------------------------------------------------------------------------
def resettlement_case(user: User, case: Case, what: str, request=None) -> Case:
    """The case if the user may change it (else 404, audited); a case of another programme is refused."""
    case = policy.get_for(user, Case, "change", pk=case.pk, request=request)
    if case.programme != Programme.RESETTLEMENT:
        refused(user, case, what, ["not_resettlement"], request=request)
        raise ValidationError(_("%(reference)s is not a resettlement case.") % {"reference": case.reference})
    if case.is_closed:
        refused(user, case, what, ["case_closed"], request=request)
        raise ValidationError(_("Case %(reference)s is closed: reopen it before recording anything new.")
                              % {"reference": case.reference})
    return case


# --- The profile ----------------------------------------------------------------------------------
def value_text(name: str, value: Any) -> str:
    if value in (None, ""):
        return ""
    if name in CHOICES:
        return str(dict(CHOICES[name].choices).get(value, value))
    if name == "referring_organisation":
        return value.name if isinstance(value, Organisation) else str(value)
    return str(value)


def snapshot(profile: ResettlementProfile) -> dict[str, Any]:
    values = {name: getattr(profile, name) for name in PROFILE_FIELDS if name != "referring_organisation"}
    values["referring_organisation"] = profile.referring_organisation
    return values


def validate_profile(values: dict[str, Any]) -> dict[str, Any]:
    """The rules between the fields, each message on its field; returns the values trimmed."""
    values = dict(values)
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    for name, limit in TEXT_LIMITS.items():
        values[name] = " ".join(str(values.get(name) or "").split())
        if len(values[name]) > limit:
            add(name, _("%(field)s: at most %(count)d characters.") % {
                "field": field_label(ResettlementProfile, name), "count": limit})
    for name, choices in CHOICES.items():
        if values.get(name) not in choices.values:
            add(name, _("%(field)s: choose one of the listed values.") % {
                "field": field_label(ResettlementProfile, name)})
    destination, programme = values.get("destination"), values.get("resettlement_programme")
    if destination in Destination.values and programme in ResettlementProgramme.values and (
            programme not in PROGRAMMES_OF[destination]):
        add("resettlement_programme", _("The programme “%(programme)s” does not resettle to the destination chosen: "
                                        "%(country)s.") % {
            "programme": ResettlementProgramme(programme).label, "country": Destination(destination).label})
    category = values.get("category")
    abroad = destination in Destination.values and destination != Destination.UNITED_STATES
    if category in US_ONLY_CATEGORIES and abroad:
        add("category", _("The category “%(category)s” is a priority of the US programme only.") % {
            "category": Category(category).label})
    source = values.get("referral_source")
    if source == ReferralSource.UNHCR and not values["unhcr_reference"]:
        add("unhcr_reference", _("A UNHCR referral needs UNHCR's reference for the case."))
    if source == ReferralSource.NGO and values.get("referring_organisation") is None:
        add("referring_organisation", _("Choose the NGO that referred the family from the partner directory."))
    organisation = values.get("referring_organisation")
    if organisation is not None and not organisation.is_active:
        add("referring_organisation", _("%(organisation)s is no longer an active partner.") % {
            "organisation": organisation.name})
    if source == ReferralSource.FAMILY or category == Category.P3:
        if not values["relative_name"]:
            add("relative_name", _("Family reunification needs the relative's name."))
        if not values["relative_relationship"]:
            add("relative_relationship", _("Say how the relative is related to the principal."))
        if not values["relative_location"]:
            add("relative_location", _("Say where the relative lives in the receiving country."))
    if errors:
        raise ValidationError(errors)
    return values


def _profile_line(before: dict[str, Any], after: dict[str, Any], created: bool) -> str:
    parts = []
    for name in PROFILE_FIELDS:
        if before.get(name) == after.get(name):
            continue
        label = field_label(ResettlementProfile, name)
        if name in SENSITIVE:
            parts.append(_("%(field)s changed") % {"field": label})
        else:
            parts.append(_("%(field)s: %(value)s") % {"field": label,
                                                       "value": value_text(name, after.get(name)) or "—"})
    head = _("Resettlement profile recorded") if created else _("Resettlement profile updated")
    return f"{head}: {'; '.join(parts)}." if parts else f"{head}."


def update_profile(user: User, case: Case, *, version: int, request=None, **fields: Any) -> ResettlementProfile:
    """Save the profile on a form opened at `version` (0: no profile yet; the first save creates it)."""
    unknown = sorted(set(fields) - set(PROFILE_FIELDS))
    if unknown:
        raise TypeError(f"Not profile fields: {', '.join(unknown)}")
    case = resettlement_case(user, case, "resettlement_profile", request)
    try:
        with transaction.atomic():
            locked = Case.objects.select_for_update().get(pk=case.pk)
            existing = ResettlementProfile.objects.filter(case=locked).values_list("pk", flat=True).first()
            created = existing is None
            if created:
                if version is None or int(version) != 0:
                    raise ConflictError(ResettlementProfile(case=locked, version=0))
                profile = ResettlementProfile(case=locked, version=0)
            else:
                profile = locked_current(ResettlementProfile.objects.select_related("referring_organisation"),
                                         existing, version)
            before = snapshot(profile) if not created else {}
            values = validate_profile({**(snapshot(profile) if not created else {}), **fields})
            after = {name: values.get(name) for name in PROFILE_FIELDS}
            if not created and after == before:
                return profile
            for name in PROFILE_FIELDS:
                setattr(profile, name, after[name])
            profile.updated_by = user
            profile.version += 1
            profile.save()
            trail = {name: (str(v.pk) if isinstance(v, Organisation) else v) for name, v in after.items()}
            old = {name: (str(v.pk) if isinstance(v, Organisation) else v) for name, v in before.items()}
            changes = changed_fields(old, trail, sensitive=SENSITIVE)
            record(Action.CREATE if created else Action.UPDATE, profile, actor=user, request=request,
                   changes=changes)
            timeline.log(locked, timeline.PROFILE, _profile_line(before, after, created), actor=user, obj=profile)
    except ConflictError:
        refused(user, case, "resettlement_profile", ["stale_version"], request=request)
        raise
    return profile


# --- Clearances -----------------------------------------------------------------------------------
CLEARANCE_FIELDS = ("status", "requested_on", "obtained_on", "valid_until", "note")


def validate_clearance(values: dict[str, Any]) -> dict[str, Any]:
    """Dates in order and none in the future but the end of validity; a cleared line says from when to when."""
    values = dict(values)
    errors: dict[str, list[str]] = {}
    today = timezone.localdate()
    status = values.get("status")
    if status not in ClearanceStatus.values:
        errors["status"] = [_("Choose the status of the clearance.")]
    requested, obtained, until = values.get("requested_on"), values.get("obtained_on"), values.get("valid_until")
    if requested and requested > today:
        errors["requested_on"] = [_("The request date cannot be in the future.")]
    if obtained and obtained > today:
        errors["obtained_on"] = [_("The date the clearance was obtained cannot be in the future.")]
    if requested and obtained and obtained < requested:
        errors["obtained_on"] = [_("The clearance cannot be obtained before it was requested (%(date)s).")
                                 % {"date": _date(requested)}]
    if status in (ClearanceStatus.CLEARED, ClearanceStatus.EXPIRED):
        if obtained is None:
            errors.setdefault("obtained_on", []).append(_("Give the day the clearance was obtained."))
        if until is None:
            errors.setdefault("valid_until", []).append(_("Give the last day the clearance is valid."))
    if obtained and until and until < obtained:
        errors.setdefault("valid_until", []).append(
            _("The clearance cannot stop being valid (%(until)s) before it was obtained (%(obtained)s).")
            % {"until": _date(until), "obtained": _date(obtained)})
    if status == ClearanceStatus.PENDING and until:
        errors.setdefault("valid_until", []).append(_("A pending clearance has no validity yet: leave it empty."))
    note = str(values.get("note") or "").strip()
    if len(note) > NOTE_MAX:
        errors["note"] = [_("The note is too long (at most %(count)d characters).") % {"count": NOTE_MAX}]
    values["note"] = note
    if errors:
        raise ValidationError(errors)
    return values


def _clearance_line(clearance: Clearance, created: bool) -> str:
    values = {"person": clearance.person.reference, "clearance": clearance.get_kind_display(),
              "status": clearance.get_status_display().lower()}
    if clearance.valid_until and clearance.status == ClearanceStatus.CLEARED:
        values["until"] = _date(clearance.valid_until)
        return _("%(clearance)s of %(person)s: %(status)s, valid until %(until)s.") % values
    return _("%(clearance)s of %(person)s: %(status)s.") % values


def _trail(values: dict[str, Any]) -> dict[str, Any]:
    return {name: (value.isoformat() if isinstance(value, datetime.date) else value)
            for name, value in values.items() if name != "note"}


def record_clearance(user: User, case: Case, *, person: Person, kind: str, status: str,
                     requested_on: datetime.date | None = None, obtained_on: datetime.date | None = None,
                     valid_until: datetime.date | None = None, note: str = "", request=None) -> Clearance:
    """Add a line to a member's checklist (one per member and kind: an existing one is edited instead)."""
    case = resettlement_case(user, case, "clearance_record", request)
    errors: dict[str, list[str]] = {}
    if kind not in ClearanceKind.values:
        errors["kind"] = [_("Choose the kind of clearance.")]
    if person is None or not CaseMember.objects.filter(case=case, person=person).exists():
        errors["person"] = [_("Choose a member of this case.")]
    elif kind in ClearanceKind.values and Clearance.objects.filter(case=case, person=person, kind=kind).exists():
        errors["kind"] = [_("%(person)s already has a line for the clearance “%(clearance)s”: edit it to renew it.")
                          % {"person": person.reference, "clearance": ClearanceKind(kind).label}]
    try:
        values = validate_clearance({"status": status, "requested_on": requested_on, "obtained_on": obtained_on,
                                     "valid_until": valid_until, "note": note})
    except ValidationError as error:
        error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        Case.objects.select_for_update(of=("self",)).get(pk=case.pk)
        clearance = Clearance.objects.create(case=case, person=person, kind=kind, recorded_by=user, **values)
        record(Action.CREATE, clearance, actor=user, request=request, changes={
            "case": [None, case.reference], "person": [None, str(person.pk)], "kind": [None, kind],
            **changed_fields({}, _trail(values))})
        timeline.log(case, timeline.PROFILE, _clearance_line(clearance, True), actor=user, obj=clearance)
    return clearance


def update_clearance(user: User, clearance: Clearance, *, version: int, request=None, **fields: Any) -> Clearance:
    """Renew or correct a line of the checklist at the version the form was opened at."""
    unknown = sorted(set(fields) - set(CLEARANCE_FIELDS))
    if unknown:
        raise TypeError(f"Not clearance fields: {', '.join(unknown)}")
    clearance = policy.get_for(user, Clearance.objects.select_related("case", "person"), "change", pk=clearance.pk,
                               request=request)
    case = resettlement_case(user, clearance.case, "clearance_update", request)
    try:
        with transaction.atomic():
            current = locked_current(Clearance.objects.select_related("person"), clearance.pk, version)
            before = {name: getattr(current, name) for name in CLEARANCE_FIELDS}
            values = validate_clearance({**before, **fields})
            if values == before:
                return current
            for name in CLEARANCE_FIELDS:
                setattr(current, name, values[name])
            current.recorded_by = user
            bump(current, [*CLEARANCE_FIELDS, "recorded_by", "updated_at"])
            record(Action.UPDATE, current, actor=user, request=request,
                   changes=changed_fields(_trail(before), _trail(values)))
            timeline.log(case, timeline.PROFILE, _clearance_line(current, False), actor=user, obj=current)
    except ConflictError:
        refused(user, case, "clearance_update", ["stale_version"], request=request)
        raise
    return current
