"""Writing the consultation log and its follow-ups. Every write is one transaction, validated and audited.

The same rules serve the entry form and the API: a missing or wrong field raises a ValidationError that
names it, and nothing is saved. Access is checked before the transaction opens, so that the audited
record of a denial is not rolled back with the refused write.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from waypoint.accounts import policy
from waypoint.accounts.models import Office, Role, User
from waypoint.audit.models import Action
from waypoint.audit.services import changed_fields, record
from waypoint.people import codes

from .models import (
    AgeBand,
    CallerSex,
    CallerType,
    CampaignMaterial,
    Channel,
    Consultation,
    FollowUp,
    FollowUpStatus,
    Outcome,
    Topic,
)

MAX_DURATION_MINUTES = 600
# Clocks of other systems (and of the operator's computer) run a little ahead: tolerated, not more.
CLOCK_SKEW = datetime.timedelta(minutes=2)
CONSULTATION_FIELDS = (
    "site", "channel", "started_at", "duration_minutes", "caller_sex", "caller_age_band", "caller_nationality",
    "caller_language", "caller_type", "heard_from", "answer", "outcome",
)
SENSITIVE_FIELDS = ("answer",)
FOLLOW_UP_FIELDS = ("due_at", "action", "contact", "assigned_to")


class ConflictError(Exception):
    """Someone else saved the consultation since it was opened: nothing was written."""


# --- Who may do what --------------------------------------------------------------------------
def sites_for(user: User):
    """The sites a user may log consultations for: an operator's own; any consultation centre for a
    programme manager of the hotline programme."""
    if not policy.may(user, policy.RECORD_CONSULTATIONS):
        return Office.objects.none()
    if user.role == Role.PROGRAMME_MANAGER:
        return Office.objects.filter(kind=Office.Kind.CONSULTATION_CENTRE)
    if user.office_id is None:
        return Office.objects.none()
    return Office.objects.filter(pk=user.office_id)


def default_site(user: User) -> Office | None:
    return user.office if user.office_id and sites_for(user).filter(pk=user.office_id).exists() else None


def _require_recording(user: User, request=None) -> None:
    policy.require(user, policy.RECORD_CONSULTATIONS, request=request)


def may_assign(user: User, consultation: Consultation) -> bool:
    """A follow-up is given to someone who sees its consultation (an operator of the site, a manager)."""
    return user.is_active and policy.can(user, "view", consultation)


def assignees(consultation: Consultation):
    """Who a follow-up of this consultation may be given to, for the reassign menu."""
    candidates = User.objects.filter(
        is_active=True, role__in=[Role.HOTLINE_OPERATOR, Role.PROGRAMME_MANAGER],
    ).order_by("last_name", "first_name", "username")
    return [user for user in candidates if may_assign(user, consultation)]


# --- Validation -------------------------------------------------------------------------------
def _choice(errors: dict, name: str, value: Any, choices: type, required: bool, label: str) -> str:
    value = "" if value is None else str(value)
    if not value:
        if required:
            errors.setdefault(name, []).append(_("Choose the %(field)s.") % {"field": label})
        return ""
    if value not in choices.values:
        errors.setdefault(name, []).append(
            _("“%(value)s” is not a valid %(field)s.") % {"value": value, "field": label}
        )
    return value


def _topics(errors: dict, topics: Iterable[Topic] | None, allowed_inactive: Iterable[int] = ()) -> list[Topic]:
    chosen = list(dict.fromkeys(topics or []))
    if not chosen:
        errors.setdefault("topics", []).append(_("Choose at least one topic."))
    retired = [t for t in chosen if not t.is_active and t.pk not in set(allowed_inactive)]
    if retired:
        errors.setdefault("topics", []).append(
            _("These topics are no longer in use: %(names)s.") % {"names": ", ".join(t.name for t in retired)}
        )
    return chosen


def _check_site(errors: dict, user: User, site: Office | None, current: Office | None = None) -> None:
    if site is None:
        errors.setdefault("site", []).append(_("Choose the site."))
    elif site != current and not sites_for(user).filter(pk=site.pk).exists():
        errors.setdefault("site", []).append(_("You may log consultations only for your own site."))


def _check_started_at(errors: dict, started_at: datetime.datetime | None) -> None:
    if started_at is None:
        errors.setdefault("started_at", []).append(_("Enter when the consultation started."))
    elif timezone.is_naive(started_at):
        errors.setdefault("started_at", []).append(_("Give the start time with its time zone."))
    elif started_at > timezone.now() + CLOCK_SKEW:
        errors.setdefault("started_at", []).append(_("The start time is in the future."))


def _check_duration(errors: dict, minutes: Any) -> None:
    if minutes is None or minutes == "":
        errors.setdefault("duration_minutes", []).append(_("Enter the duration in minutes."))
    elif not isinstance(minutes, int) or isinstance(minutes, bool) or not 0 <= minutes <= MAX_DURATION_MINUTES:
        errors.setdefault("duration_minutes", []).append(
            _("The duration must be a whole number of minutes from 0 to %(max)d.") % {"max": MAX_DURATION_MINUTES}
        )


def _check_codes(errors: dict, nationality: str, language: str) -> None:
    if nationality and nationality not in codes.COUNTRY_CODES:
        errors.setdefault("caller_nationality", []).append(
            _("“%(value)s” is not an ISO 3166 country code.") % {"value": nationality}
        )
    if language and language not in codes.LANGUAGE_CODES:
        errors.setdefault("caller_language", []).append(
            _("“%(value)s” is not an ISO 639 language code.") % {"value": language}
        )


def _check_material(errors: dict, material: CampaignMaterial | None, current: CampaignMaterial | None) -> None:
    if material is not None and not material.is_active and material != current:
        errors.setdefault("heard_from", []).append(_("This campaign material is no longer in use."))


def clean_consultation(
    user: User, data: Mapping[str, Any], *, current: Consultation | None = None,
) -> tuple[dict[str, Any], list[Topic]]:
    """Every problem of the data at once, each under its field; or the values to save and the topics."""
    errors: dict[str, list[str]] = {}
    values = {name: data.get(name) for name in CONSULTATION_FIELDS if name in data}
    if current is not None:
        values = {name: values.get(name, getattr(current, name)) for name in CONSULTATION_FIELDS}
    _check_site(errors, user, values.get("site"), current.site if current else None)
    values["channel"] = _choice(errors, "channel", values.get("channel"), Channel, True, _("channel"))
    _check_started_at(errors, values.get("started_at"))
    _check_duration(errors, values.get("duration_minutes"))
    values["caller_sex"] = _choice(errors, "caller_sex", values.get("caller_sex"), CallerSex, False, _("sex"))
    values["caller_age_band"] = _choice(
        errors, "caller_age_band", values.get("caller_age_band"), AgeBand, False, _("age"),
    )
    values["caller_type"] = _choice(errors, "caller_type", values.get("caller_type"), CallerType, True, _("caller"))
    values["outcome"] = _choice(errors, "outcome", values.get("outcome"), Outcome, True, _("outcome"))
    values["caller_nationality"] = (values.get("caller_nationality") or "").strip().upper()
    values["caller_language"] = (values.get("caller_language") or "").strip().lower()
    _check_codes(errors, values["caller_nationality"], values["caller_language"])
    values["answer"] = (values.get("answer") or "").strip()
    _check_material(errors, values.get("heard_from"), current.heard_from if current else None)
    if "topics" in data or current is None:
        kept = [t.pk for t in current.topics.all()] if current is not None else []
        topics = _topics(errors, data.get("topics"), allowed_inactive=kept)
    else:
        topics = list(current.topics.all())
    if errors:
        raise ValidationError(errors)
    return values, topics


def clean_follow_up(data: Mapping[str, Any], *, not_before: datetime.datetime | None = None) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    due_at = data.get("due_at")
    action = (data.get("action") or "").strip()
    if due_at is None:
        errors["due_at"] = [_("Enter when the follow-up is due.")]
    elif timezone.is_naive(due_at):
        errors["due_at"] = [_("Give the due time with its time zone.")]
    elif not_before is not None and due_at < not_before:
        errors["due_at"] = [_("The follow-up cannot be due before the consultation started.")]
    if not action:
        errors["action"] = [_("Say what is to be done (for example: call back with the address of a shelter).")]
    elif len(action) > FollowUp._meta.get_field("action").max_length:
        errors["action"] = [_("Say what is to be done in at most 300 characters.")]
    if errors:
        raise ValidationError({f"follow_up_{name}": messages for name, messages in errors.items()})
    return {"due_at": due_at, "action": action, "contact": (data.get("contact") or "").strip()}


# --- Consultations ----------------------------------------------------------------------------
def _snapshot(consultation: Consultation, topics: Iterable[Topic]) -> dict[str, Any]:
    values = {name: getattr(consultation, name) for name in CONSULTATION_FIELDS}
    values["site"] = consultation.site.code
    values["heard_from"] = consultation.heard_from.code if consultation.heard_from else None
    values["started_at"] = consultation.started_at.isoformat() if consultation.started_at else None
    values["topics"] = sorted(topic.code for topic in topics)
    return values


def fingerprint(consultation: Consultation) -> str:
    """What the record held when it was opened: a later save by someone else changes it.

    A consultation is mostly written once, so it has no version counter: the edit form carries this
    hash of the saved values instead, and a save over a newer state is refused as a conflict.
    """
    values = _snapshot(consultation, consultation.topics.all())
    text = repr(sorted((name, str(value)) for name, value in values.items()))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def record_consultation(
    user: User, data: Mapping[str, Any], *, follow_up: Mapping[str, Any] | None = None, request=None,
) -> Consultation:
    """Log a consultation (and, when the caller is to be called back, its follow-up) in one save.

    `data` holds model values (`site` an Office, `topics` Topics, `heard_from` a CampaignMaterial).
    Raises ValidationError naming every wrong field (follow-up fields as `follow_up_<name>`).
    """
    _require_recording(user, request)
    values, topics = clean_consultation(user, data)
    follow_up_values = None
    problems: dict[str, list[str]] = {}
    if follow_up is not None:
        try:
            follow_up_values = clean_follow_up(follow_up, not_before=values["started_at"])
        except ValidationError as error:
            error.update_error_dict(problems)
    elif values["outcome"] == Outcome.CALL_BACK:
        problems["follow_up"] = [_("A call-back needs a follow-up: say when and what is to be done.")]
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        consultation = Consultation(operator=user, **values)
        consultation.full_clean(exclude=["topics", "referrals"])
        consultation.save()
        consultation.topics.set(topics)
        record(
            Action.CREATE, consultation, actor=user, request=request,
            changes=changed_fields({}, _snapshot(consultation, topics), sensitive=SENSITIVE_FIELDS),
        )
        if follow_up_values is not None:
            _create_follow_up(user, consultation, follow_up_values, request=request)
    return consultation


def update_consultation(
    user: User, consultation: Consultation, data: Mapping[str, Any], *, opened: str | None = None, request=None,
) -> Consultation:
    """Correct a consultation opened with fingerprint `opened` (None: no check). Only the recording
    operator of the site, or a programme manager of the hotline, may; a newer save is a conflict."""
    policy.get_for(user, Consultation, "change", pk=consultation.pk, request=request)
    with transaction.atomic():
        current = Consultation.objects.select_for_update(of=("self",)).select_related("site", "heard_from").get(
            pk=consultation.pk
        )
        if opened is not None and fingerprint(current) != opened:
            raise ConflictError
        before = _snapshot(current, current.topics.all())
        values, topics = clean_consultation(user, data, current=current)
        for name, value in values.items():
            setattr(current, name, value)
        current.full_clean(exclude=["topics", "referrals"])
        changes = changed_fields(before, _snapshot(current, topics), sensitive=SENSITIVE_FIELDS)
        if not changes:
            return current
        current.save()
        current.topics.set(topics)
        record(Action.UPDATE, current, actor=user, changes=changes, request=request)
        return current


# --- Follow-ups -------------------------------------------------------------------------------
def _create_follow_up(user: User, consultation: Consultation, values: Mapping[str, Any], *, request=None) -> FollowUp:
    follow_up = FollowUp(consultation=consultation, assigned_to=values.get("assigned_to") or user, **{
        name: values[name] for name in ("due_at", "action", "contact")
    })
    follow_up.full_clean()
    follow_up.save()
    record(
        Action.CREATE, follow_up, actor=user, request=request,
        changes={
            "consultation": [None, str(consultation.pk)], "due_at": [None, follow_up.due_at.isoformat()],
            "action": [None, follow_up.action], "assigned_to": [None, follow_up.assigned_to.get_username()],
            "contact": None,
        },
    )
    return follow_up


def add_follow_up(user: User, consultation: Consultation, data: Mapping[str, Any], *, request=None) -> FollowUp:
    """Promise the caller another contact: anyone who sees the consultation may add one (assigned to
    themselves unless `assigned_to` names a colleague who sees it too)."""
    consultation = policy.get_for(user, Consultation, "view", pk=consultation.pk, request=request)
    try:
        values = clean_follow_up(data, not_before=consultation.started_at)
    except ValidationError as error:
        raise ValidationError({k.removeprefix("follow_up_"): v for k, v in error.message_dict.items()}) from None
    assignee = data.get("assigned_to")
    if assignee is not None and not may_assign(assignee, consultation):
        raise ValidationError({"assigned_to": _("This person does not work on the consultations of this site.")})
    with transaction.atomic():
        return _create_follow_up(user, consultation, {**values, "assigned_to": assignee}, request=request)


def _open_follow_up(follow_up: FollowUp) -> FollowUp:
    """The follow-up, locked, if it is still to do (access was checked before the transaction)."""
    current = FollowUp.objects.select_for_update().select_related("consultation").get(pk=follow_up.pk)
    if current.status != FollowUpStatus.OPEN:
        raise ValidationError(
            {"status": _("This follow-up is already %(status)s.") % {"status": current.get_status_display().lower()}}
        )
    return current


def complete_follow_up(user: User, follow_up: FollowUp, result: str, *, request=None) -> FollowUp:
    """Mark a follow-up done, with what came of it (the caller reached, the information given...)."""
    policy.get_for(user, FollowUp, "change", pk=follow_up.pk, request=request)
    result = (result or "").strip()
    if not result:
        raise ValidationError({"result": _("Say what came of the follow-up.")})
    with transaction.atomic():
        current = _open_follow_up(follow_up)
        current.status, current.done_at, current.result = FollowUpStatus.DONE, timezone.now(), result
        current.save(update_fields=["status", "done_at", "result"])
        record(
            Action.UPDATE, current, actor=user, request=request,
            changes={"status": [FollowUpStatus.OPEN, FollowUpStatus.DONE], "result": None},
        )
        return current


def cancel_follow_up(user: User, follow_up: FollowUp, reason: str = "", *, request=None) -> FollowUp:
    """Drop a follow-up that is no longer needed (the caller called again, the number is wrong...)."""
    policy.get_for(user, FollowUp, "change", pk=follow_up.pk, request=request)
    with transaction.atomic():
        current = _open_follow_up(follow_up)
        current.status, current.done_at = FollowUpStatus.CANCELLED, timezone.now()
        current.result = (reason or "").strip()
        current.save(update_fields=["status", "done_at", "result"])
        record(
            Action.UPDATE, current, actor=user, request=request,
            changes={"status": [FollowUpStatus.OPEN, FollowUpStatus.CANCELLED], "result": None},
        )
        return current


def reassign_follow_up(user: User, follow_up: FollowUp, assignee: User, *, request=None) -> FollowUp:
    """Give a follow-up to a colleague who sees its consultation (e.g. the operator on the next shift)."""
    policy.get_for(user, FollowUp, "change", pk=follow_up.pk, request=request)
    with transaction.atomic():
        current = _open_follow_up(follow_up)
        if assignee is None or not may_assign(assignee, current.consultation):
            raise ValidationError({"assigned_to": _("This person does not work on the consultations of this site.")})
        if assignee.pk == current.assigned_to_id:
            return current
        before = current.assigned_to.get_username() if current.assigned_to_id else None
        current.assigned_to = assignee
        current.save(update_fields=["assigned_to"])
        record(
            Action.UPDATE, current, actor=user, request=request,
            changes={"assigned_to": [before, assignee.get_username()]},
        )
        return current
