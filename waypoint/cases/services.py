"""Referrals, escalations and trafficking-situation reports: every change to a referral.

Four doors lead to a referral: a hotline consultation (`refer_from_consultation`, `report_situation`), a
case (`refer_from_case`: to a partner's service, with the person's consent), and a partner user referring a
person to the office (`refer_to_office`, inbound; the office takes it on with `open_case_from_referral`).
Then the referral lives through `act` (sent, accepted, declined, in progress, completed, cancelled; a draft
is sent), and for an organisation without Waypoint users through `record_delivery` (how the printed form
went) and the answers staff record for it.

Access is checked before a transaction opens (a denial's audit event must not roll back with the
refused write); everything a step writes (a person registered on the way, a consent, the referral, its
history, the consultation's links, the case timeline) is one transaction: either all of it is saved, or
none. A referral refused for want of consent is recorded in the audit trail after the rollback.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from waypoint.accounts import policy
from waypoint.accounts.models import Office, Programme, Role, User
from waypoint.audit.models import Action
from waypoint.audit.services import record
from waypoint.consent import services as consent_services
from waypoint.consent.models import ConsentRecord, DataCategory, HowGiven, Purpose
from waypoint.hotline.models import AgeBand, Consultation, Outcome
from waypoint.partners.eligibility import refusal_reasons
from waypoint.partners.models import Organisation, OrganisationType, Service
from waypoint.people import services as people_services
from waypoint.people.models import Person, ProgrammeRegistration, Sex
from waypoint.people.validation import validate_birth_date, validate_country, validate_languages

from . import casework, notifications, sharing, timeline
from .locking import ConflictError, bump, locked_current
from .models import (
    Case,
    CaseMember,
    Channel,
    DeliveryMethod,
    MemberRole,
    Referral,
    ReferralDirection,
    ReferralKind,
    ReferralStatus,
    ReferralUpdate,
    RiskLevel,
)
from .references import REFERRAL_PREFIX, next_reference
from .workflow import workflow_for

# Working days a partner has to answer a referral (settings.WAYPOINT_REFERRAL_ANSWER_DAYS overrides).
ANSWER_WORKING_DAYS = 5
# Who receives a trafficking-situation report: the authorities.
AUTHORITY_TYPES = (OrganisationType.LAW_ENFORCEMENT, OrganisationType.PROSECUTION, OrganisationType.GOVERNMENT)
# Who may own a counter-trafficking case opened from the hotline.
CASE_OWNER_ROLES = (Role.CASE_WORKER, Role.PROGRAMME_MANAGER)
# Days without news after which an accepted referral not yet completed is flagged on the case
# (settings.WAYPOINT_REFERRAL_FOLLOW_UP_DAYS overrides).
FOLLOW_UP_DAYS = 30
# Working days the office has to answer an urgent inbound referral.
URGENT_ANSWER_DAYS = 1


# --- Helpers ---------------------------------------------------------------------------------
def answer_days() -> int:
    return int(getattr(settings, "WAYPOINT_REFERRAL_ANSWER_DAYS", ANSWER_WORKING_DAYS))


def follow_up_days() -> int:
    return int(getattr(settings, "WAYPOINT_REFERRAL_FOLLOW_UP_DAYS", FOLLOW_UP_DAYS))


def overdue_reason(
    referral: Referral, *, today: datetime.date | None = None, last_activity: datetime.datetime | None = None,
) -> str:
    """Why a referral needs chasing now, in words (empty: it does not).

    Two cases: a referral sent and not answered by its due date; and one accepted (or in progress) that
    has not been completed and had no news (no update) for more than `follow_up_days()`. `last_activity`
    is the time of its last update when the caller knows it (else its answer or sending time).
    """
    today = today or timezone.localdate()
    if referral.status == ReferralStatus.SENT and referral.due_on and referral.due_on < today:
        return _("Answer overdue (due %(date)s).") % {"date": referral.due_on.isoformat()}
    if referral.status in (ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS):
        last = last_activity or referral.responded_at or referral.sent_at
        if last is not None and (today - timezone.localtime(last).date()).days > follow_up_days():
            return _("Not completed and no news for more than %(days)d days.") % {"days": follow_up_days()}
    return ""


def working_days_after(start: datetime.date, days: int) -> datetime.date:
    """The date `days` working days (Monday to Friday) after `start`."""
    current, left = start, days
    while left > 0:
        current += datetime.timedelta(days=1)
        if current.weekday() < 5:
            left -= 1
    return current


def age_lower_bound(band: str) -> int | None:
    """The youngest age of an age band ("25-34" → 25, "60+" → 60); None when not known."""
    if band not in AgeBand.values or not band:
        return None
    return int(band.rstrip("+").split("-")[0])


def _consultation(user: User, consultation: Consultation, request=None) -> Consultation:
    """The consultation, if the user may change it (record referrals and links on it); 404 otherwise."""
    return policy.get_for(
        user, Consultation.objects.select_related("site", "person", "case"), "change", pk=consultation.pk,
        request=request,
    )


def _locked(consultation: Consultation, *, escalating: bool = False) -> Consultation:
    """The consultation re-read under a row lock, inside the caller's transaction: the checks made before
    it opened may be stale (a double submit, two operators on the same call). Escalating it again, or
    linking a person when another was linked meanwhile, is refused: one case, one consent, one person.

    The lock takes the consultation's row alone (no joins: PostgreSQL refuses FOR UPDATE on the nullable
    side of an outer join); its person and case are read after."""
    current = Consultation.objects.select_for_update().get(pk=consultation.pk)
    if escalating and current.case_id:
        raise ValidationError({"__all__": [_("This consultation was already escalated to %(reference)s.")
                                           % {"reference": current.case.reference}]})
    if current.person_id and current.person_id != consultation.person_id:
        raise ValidationError({"person": [_(
            "Meanwhile this consultation was linked to %(reference)s: open it again and check who the caller is."
        ) % {"reference": current.person.reference}]})
    return current


def _witness_name(user: User) -> str:
    return user.get_full_name() or user.get_username()


def _hotline_programme(user: User) -> str:
    """The programme a caller is registered in by the user: the hotline's, when the user works in it."""
    programmes = list(user.programmes or [])
    if Programme.HOTLINE in programmes:
        return Programme.HOTLINE
    if programmes:
        return programmes[0]
    raise ValidationError({"person": _("You are not assigned to a programme, so you cannot register the caller.")})


def _register_person(user: User, data: Mapping[str, Any], request=None) -> Person:
    try:
        return people_services.register(user, data, programme=_hotline_programme(user), request=request)
    except PermissionDenied as denied:
        raise ValidationError({"person": str(denied)}) from None


def _visible_person(user: User, person: Person, request=None) -> Person:
    return policy.get_for(user, Person, "view", pk=person.pk, request=request)


def _add_update(referral: Referral, status: str, user: User | None, note: str = "") -> ReferralUpdate:
    return ReferralUpdate.objects.create(referral=referral, status=status, note=note or "", by=user)


# --- Service checks ---------------------------------------------------------------------------
def service_refusals(
    service: Service, consultation: Consultation, organisation: Organisation | None = None,
) -> list[str]:
    """Why this service would not take this caller now (empty: it would), in words for the form."""
    reasons = []
    if organisation is not None and service.organization_id != organisation.pk:
        reasons.append(_("%(organisation)s does not offer “%(service)s”.") % {
            "organisation": organisation.name, "service": service.name})
    reasons += refusal_reasons(
        service,
        sex=consultation.caller_sex,
        age=age_lower_bound(consultation.caller_age_band),
        nationality=consultation.caller_nationality,
    )
    return reasons


# --- Referral from a consultation -------------------------------------------------------------
def refer_from_consultation(
    user: User,
    consultation: Consultation,
    *,
    service: Service,
    reason: str,
    share: Mapping[str, str] | None = None,
    categories: Iterable[str] = (),
    consent_kwargs: Mapping[str, Any] | None = None,
    person: Person | None = None,
    new_person: Mapping[str, Any] | None = None,
    organisation: Organisation | None = None,
    request=None,
) -> Referral:
    """Refer a caller to a partner service.

    Without `categories` the referral is anonymous: it carries the caller's profile from the log (sex,
    age band, nationality, language) and the reason, and needs no consent. With categories it carries
    personal data: the caller must be a person (the consultation's, `person`, or `new_person` registered
    now), and their consent must cover those categories for the organisation, either a record already
    held or one recorded now from `consent_kwargs` (oral, the operator as witness, unless told otherwise).
    `share` holds what the operator typed for the categories the registry does not hold (situation,
    exploitation, health).
    """
    consultation = _consultation(user, consultation, request)
    service = Service.objects.select_related("organization").get(pk=service.pk)
    categories = list(dict.fromkeys(categories or []))
    share = dict(share or {})
    errors: dict[str, list[str]] = {}
    refusals = service_refusals(service, consultation, organisation)
    if refusals:
        errors["service"] = refusals
    if not (reason or "").strip():
        errors.setdefault("reason", []).append(_("Say why the caller is referred: the partner reads this first."))
    unknown = [code for code in categories if code not in sharing.REFERRAL_CATEGORIES]
    if unknown:
        errors.setdefault("categories", []).append(
            _("These data cannot be sent in a referral: %(codes)s.") % {"codes": ", ".join(unknown)})
    stray = [name for name in share if name not in sharing.TYPED_FIELDS]
    stray += [name for name in share if name in sharing.TYPED_FIELDS and share[name].strip()
              and sharing.BY_NAME[name].category not in categories]
    if stray:
        errors.setdefault("categories", []).append(_(
            "Some of what you wrote is not covered by the kinds of data you chose to share: %(fields)s."
        ) % {"fields": ", ".join(str(sharing.BY_NAME[n].label) if n in sharing.BY_NAME else n for n in stray)})
    if categories:
        if person is not None:
            person = _visible_person(user, person, request)
        if consultation.person_id and person is not None and person.pk != consultation.person_id:
            errors.setdefault("person", []).append(
                _("This consultation is already linked to another person (%(reference)s).")
                % {"reference": consultation.person.reference})
        if consultation.person_id is None and person is None and not new_person:
            errors.setdefault("person", []).append(
                _("To send personal data, find the caller in the registry or register them."))
    if errors:
        raise ValidationError(errors)
    with consent_services.forms_removed_on_failure(), transaction.atomic():
        consultation = _locked(consultation)
        return _refer(
            user, consultation, service=service, reason=reason.strip(), share=share, categories=categories,
            consent_kwargs=consent_kwargs, person=person, new_person=new_person, request=request,
        )


def _refer(
    user, consultation, *, service, reason, share, categories, consent_kwargs, person, new_person, request,
) -> Referral:
    organisation = service.organization
    consent = None
    linked = consultation.person
    if categories:
        person = consultation.person or person or _register_person(user, new_person, request)
        if consultation.person_id is None:
            Consultation.objects.filter(pk=consultation.pk).update(person=person)
            record(Action.UPDATE, consultation, actor=user, request=request, changes={"person": [None, str(person.pk)]})
            linked = person
        if consent_kwargs is not None:
            consent_services.add_consent(
                user, person, purpose=Purpose.REFERRAL, recipient_organisation=organisation,
                data_categories=categories,
                how_given=consent_kwargs.get("how_given") or HowGiven.ORAL,
                witness=consent_kwargs.get("witness") or _witness_name(user),
                given_on=consent_kwargs.get("given_on") or timezone.localdate(),
                expires_on=consent_kwargs.get("expires_on"), form=consent_kwargs.get("form"), request=request,
            )
        decision = consent_services.may_share(person, organisation, Purpose.REFERRAL, categories)
        if not decision.allowed:
            raise ValidationError({"consent": [decision.reason]})
        consent = decision.consent
        facts = sharing.person_facts(person)
    else:
        facts = {}
    shared = sharing.compose(sharing.profile(consultation), categories, facts, share)
    now = timezone.now()
    referral = Referral.objects.create(
        reference=next_reference(REFERRAL_PREFIX), kind=ReferralKind.PERSON, direction=ReferralDirection.OUTBOUND,
        organisation=organisation, service=service, person=linked, case=consultation.case, consent=consent,
        programme=Programme.HOTLINE, office=consultation.site, status=ReferralStatus.SENT, reason=reason,
        shared=sharing.dumps(shared), due_on=working_days_after(timezone.localdate(), answer_days()),
        sent_at=now, created_by=user,
    )
    _add_update(referral, ReferralStatus.SENT, user)
    consultation.referrals.add(referral)
    record(
        Action.CREATE, referral, actor=user, request=request,
        changes={
            "organisation": [None, str(organisation.pk)], "service": [None, str(service.pk)],
            "status": [None, ReferralStatus.SENT], "consultation": [None, str(consultation.pk)],
            "fields": [None, ", ".join(shared)],
        },
    )
    if categories:
        record(
            Action.SHARE, person, actor=user, request=request,
            changes={"referral": [None, referral.reference], "recipient": [None, str(organisation.pk)],
                     "categories": [None, ", ".join(sorted(categories))], "consent": [None, str(consent.pk)]},
        )
    notifications.new_referral(referral)
    return referral


# --- Escalation to a counter-trafficking case ----------------------------------------------------
def case_owner_choices():
    """Staff who may own a counter-trafficking case: its case workers and programme managers, with an office.

    Programmes are a JSON list, which SQLite cannot search inside: the few staff are filtered here."""
    staff = User.objects.filter(is_active=True, role__in=CASE_OWNER_ROLES, office__isnull=False)
    ids = [pk for pk, programmes in staff.values_list("pk", "programmes")
           if Programme.COUNTER_TRAFFICKING in (programmes or [])]
    return User.objects.filter(pk__in=ids).select_related("office").order_by("last_name", "first_name", "username")


def escalate_consultation(
    user: User,
    consultation: Consultation,
    *,
    owner: User,
    consent: Mapping[str, Any] | None,
    person: Person | None = None,
    new_person: Mapping[str, Any] | None = None,
    summary: str = "",
    request=None,
) -> Case:
    """Open a counter-trafficking case for the caller, with their consent.

    The caller becomes (or already is) a person in the registry; the escalation registers them in the
    counter-trafficking programme too: that is what hands them over to the case's owner, and it is the
    one registration the operator makes outside their own programmes (audited like any other). After
    this the operator sees the consultation marked "escalated" with the case's reference, not the case.
    """
    consultation = _consultation(user, consultation, request)
    errors: dict[str, list[str]] = {}
    if consultation.case_id:
        errors["__all__"] = [_("This consultation was already escalated to %(reference)s.")
                             % {"reference": consultation.case.reference}]
    if person is not None:
        person = _visible_person(user, person, request)
    if consultation.person_id and person is not None and person.pk != consultation.person_id:
        errors["person"] = [_("This consultation is already linked to another person (%(reference)s).")
                            % {"reference": consultation.person.reference}]
    if consultation.person_id is None and person is None and not new_person:
        errors["person"] = [_("Find the caller in the registry or register them.")]
    if not consent:
        errors["consent"] = [_("A case is opened only with the caller's consent: record how they gave it.")]
    owners = case_owner_choices()
    if owner is None or not owners.filter(pk=owner.pk).exists():
        errors["owner"] = [_("Choose a case worker or programme manager of the counter-trafficking programme.")]
    if errors:
        raise ValidationError(errors)
    owner = owners.get(pk=owner.pk)
    with consent_services.forms_removed_on_failure(), transaction.atomic():
        consultation = _locked(consultation, escalating=True)
        return _escalate(user, consultation, owner=owner, consent=consent, person=person, new_person=new_person,
                         summary=summary, request=request)


def _escalate(user, consultation, *, owner, consent, person, new_person, summary, request) -> Case:
    person = consultation.person or person or _register_person(user, new_person, request)
    consent_services.add_consent(
        user, person, purpose=Purpose.ASSISTANCE,
        data_categories=consent.get("data_categories") or DataCategory.values,
        how_given=consent.get("how_given") or HowGiven.ORAL,
        witness=consent.get("witness", _witness_name(user) if consent.get("how_given", HowGiven.ORAL) == HowGiven.ORAL
                            else ""),
        given_on=consent.get("given_on") or timezone.localdate(),
        expires_on=consent.get("expires_on"), form=consent.get("form"), request=request,
    )
    registration, created = ProgrammeRegistration.objects.get_or_create(
        person=person, programme=Programme.COUNTER_TRAFFICKING,
        defaults={"office": owner.office, "registered_by": user},
    )
    if created:
        record(
            Action.CREATE, registration, actor=user, request=request,
            changes={"programme": [None, Programme.COUNTER_TRAFFICKING],
                     "escalated_from": [None, str(consultation.pk)]},
        )
    case = Case.objects.create(
        reference=next_reference(Programme.COUNTER_TRAFFICKING), programme=Programme.COUNTER_TRAFFICKING,
        office=owner.office, owner=owner, status=workflow_for(Programme.COUNTER_TRAFFICKING).initial,
        opened_on=timezone.localdate(), channel=Channel.HOTLINE, summary=(summary or "").strip(),
    )
    CaseMember.objects.create(case=case, person=person, role=MemberRole.PRINCIPAL)
    timeline.log(case, timeline.OPENED, _("Case opened from hotline consultation at %(site)s; owner %(owner)s.") % {
        "site": consultation.site.name, "owner": _witness_name(owner)}, actor=user, obj=case)
    record(
        Action.CREATE, case, actor=user, request=request,
        changes={
            "reference": [None, case.reference], "programme": [None, case.programme], "owner": [None, str(owner.pk)],
            "office": [None, str(owner.office_id)], "channel": [None, Channel.HOTLINE],
            "principal": [None, str(person.pk)], "consultation": [None, str(consultation.pk)],
        },
    )
    before = {"person": consultation.person_id, "case": None, "outcome": consultation.outcome}
    Consultation.objects.filter(pk=consultation.pk).update(person=person, case=case, outcome=Outcome.ESCALATED)
    Referral.objects.filter(consultations=consultation, case__isnull=True).update(case=case)
    record(
        Action.UPDATE, consultation, actor=user, request=request,
        changes={
            "person": [str(before["person"]) if before["person"] else None, str(person.pk)],
            "case": [None, case.reference], "outcome": [before["outcome"], Outcome.ESCALATED],
        },
    )
    notifications.case_assigned(case, by=user)
    return case


# --- Trafficking-situation report ------------------------------------------------------------
def authority_choices():
    return Organisation.objects.filter(is_active=True, organisation_type__in=AUTHORITY_TYPES).order_by("name")


def report_situation(
    user: User,
    consultation: Consultation,
    *,
    authority: Organisation,
    summary: str,
    place: str = "",
    details: str = "",
    request=None,
) -> Referral:
    """Report a trafficking situation heard on the hotline to an authority. It names no caller: it is
    about what happened and where, so it needs no consent."""
    consultation = _consultation(user, consultation, request)
    errors: dict[str, list[str]] = {}
    if authority is None or authority.organisation_type not in AUTHORITY_TYPES:
        errors["authority"] = [_(
            "A trafficking situation is reported to law enforcement, a prosecutor's office or a government "
            "authority, not to %(organisation)s."
        ) % {"organisation": authority.name if authority else "—"}]
    elif not authority.is_active:
        errors["authority"] = [_("%(organisation)s is no longer an active partner.") % {"organisation": authority.name}]
    if not (summary or "").strip():
        errors["summary"] = [_("Say what happened.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        shared = {
            "summary": summary.strip(), "place": (place or "").strip(), "details": (details or "").strip(),
            "reported_by": consultation.site.name,
        }
        now = timezone.now()
        referral = Referral.objects.create(
            reference=next_reference(REFERRAL_PREFIX), kind=ReferralKind.SITUATION,
            direction=ReferralDirection.OUTBOUND, organisation=authority, programme=Programme.HOTLINE,
            office=consultation.site, status=ReferralStatus.SENT, reason=summary.strip(),
            shared=sharing.dumps({k: v for k, v in shared.items() if v}), sent_at=now, created_by=user,
            due_on=working_days_after(timezone.localdate(), answer_days()),
        )
        _add_update(referral, ReferralStatus.SENT, user)
        consultation.referrals.add(referral)
        record(
            Action.CREATE, referral, actor=user, request=request,
            changes={"kind": [None, ReferralKind.SITUATION], "organisation": [None, str(authority.pk)],
                     "status": [None, ReferralStatus.SENT], "consultation": [None, str(consultation.pk)]},
        )
        notifications.new_referral(referral)
    return referral


# --- Answering a referral ---------------------------------------------------------------------
ACCEPT, DECLINE, PROGRESS, COMPLETE, CANCEL, SEND = "accept", "decline", "progress", "complete", "cancel", "send"
PARTNER_ACTIONS = (ACCEPT, DECLINE, PROGRESS, COMPLETE)
# (status now, action) -> status after. Anything not listed is refused.
TRANSITIONS: dict[tuple[str, str], str] = {
    (ReferralStatus.DRAFT, SEND): ReferralStatus.SENT,
    (ReferralStatus.SENT, ACCEPT): ReferralStatus.ACCEPTED,
    (ReferralStatus.SENT, DECLINE): ReferralStatus.DECLINED,
    (ReferralStatus.ACCEPTED, PROGRESS): ReferralStatus.IN_PROGRESS,
    (ReferralStatus.IN_PROGRESS, PROGRESS): ReferralStatus.IN_PROGRESS,
    (ReferralStatus.ACCEPTED, COMPLETE): ReferralStatus.COMPLETED,
    (ReferralStatus.IN_PROGRESS, COMPLETE): ReferralStatus.COMPLETED,
    (ReferralStatus.DRAFT, CANCEL): ReferralStatus.CANCELLED,
    (ReferralStatus.SENT, CANCEL): ReferralStatus.CANCELLED,
    (ReferralStatus.ACCEPTED, CANCEL): ReferralStatus.CANCELLED,
    (ReferralStatus.IN_PROGRESS, CANCEL): ReferralStatus.CANCELLED,
}
ACTION_LABELS = {
    ACCEPT: gettext_lazy("accept"), DECLINE: gettext_lazy("decline"), PROGRESS: gettext_lazy("report progress on"),
    COMPLETE: gettext_lazy("complete"), CANCEL: gettext_lazy("cancel"), SEND: gettext_lazy("send"),
}
NOTE_MAX_LENGTH = 4000
# What the note of each action must say, when one is required.
NOTE_REQUIRED = {
    DECLINE: gettext_lazy("Say why the referral is declined: the office needs it to refer the person elsewhere."),
    PROGRESS: gettext_lazy("Describe the progress."),
    COMPLETE: gettext_lazy("Give your feedback: what was done for the person."),
    CANCEL: gettext_lazy("Say why the referral is cancelled."),
}


def organisation_has_users(organisation: Organisation) -> bool:
    return organisation.users.filter(is_active=True, role=Role.PARTNER_USER).exists()


def allowed_actions(user: User, referral: Referral) -> list[str]:
    """The actions this user may take on the referral now (an empty list: none).

    Outbound: partner users answer for their organisation. When the organisation has no Waypoint users
    (an authority that gets a printed report), staff who follow the referral record its answer for it.
    Staff send a draft and cancel a referral that is still open.

    Inbound (a partner referred a person to the office): staff of the programme decline it here, or take
    it on by opening a case (`open_case_from_referral`, its own page); the partner who sent it may cancel
    it while the office has not answered.
    """
    if not policy.can(user, "change", referral):
        return []
    own_organisation = user.role == Role.PARTNER_USER and user.partner_organisation_id == referral.organisation_id
    if referral.direction == ReferralDirection.INBOUND:
        # The partner withdraws its referral only while the office has not answered (accepted or declined it).
        partner_actions = (CANCEL,) if own_organisation and referral.status == ReferralStatus.SENT else ()
        actions = partner_actions if user.role == Role.PARTNER_USER else (DECLINE,)
    elif user.role == Role.PARTNER_USER:
        actions = PARTNER_ACTIONS if own_organisation else ()
    else:
        actions = (SEND, CANCEL) + (PARTNER_ACTIONS if not organisation_has_users(referral.organisation) else ())
    return [action for action in actions if (referral.status, action) in TRANSITIONS]


def _timeline_line(referral: Referral, note: str = "") -> str:
    line = _("Referral %(reference)s to %(organisation)s: %(status)s.") % {
        "reference": referral.reference, "organisation": referral.organisation.name,
        "status": referral.get_status_display().lower()}
    if referral.direction == ReferralDirection.INBOUND:
        line = _("Referral %(reference)s from %(organisation)s: %(status)s.") % {
            "reference": referral.reference, "organisation": referral.organisation.name,
            "status": referral.get_status_display().lower()}
    return f"{line} {note}" if note else line


def act(user: User, referral: Referral, action: str, *, version: int, note: str = "", request=None) -> Referral:
    """Take one step in a referral's life, from a form opened at `version`.

    A stale form (someone answered meanwhile) raises ConflictError and writes nothing; a step the
    workflow does not allow from the current status raises ValidationError. Sending a draft is `send`.
    """
    if action == SEND:
        return send(user, referral, version=version, request=request)
    referral = policy.get_for(user, Referral.objects.select_related("organisation"), "change", pk=referral.pk,
                              request=request)
    note = (note or "").strip()
    if action not in ACTION_LABELS:
        raise ValidationError({"action": _("Unknown action.")})
    if len(note) > NOTE_MAX_LENGTH:  # the form's limit, for every way in (the API too)
        raise ValidationError({"note": _("Keep the note under %(count)d characters.") % {"count": NOTE_MAX_LENGTH}})
    if action in NOTE_REQUIRED and not note:
        raise ValidationError({"note": str(NOTE_REQUIRED[action])})
    with transaction.atomic():
        current = Referral.objects.select_for_update().select_related("organisation").get(pk=referral.pk)
        if current.version != version:
            raise ConflictError(current)
        if action not in allowed_actions(user, current):
            raise ValidationError({"action": _(
                "You cannot %(action)s this referral: it is %(status)s."
            ) % {"action": ACTION_LABELS[action], "status": current.get_status_display().lower()}})
        before = current.status
        current.status = TRANSITIONS[(before, action)]
        now = timezone.now()
        fields = ["status", "version"]
        if action in (ACCEPT, DECLINE) and current.responded_at is None:
            current.responded_at = now
            fields.append("responded_at")
        if action == DECLINE:
            current.decline_reason = note
            fields.append("decline_reason")
        if action == COMPLETE:
            current.completed_at = now
            current.feedback = note
            fields += ["completed_at", "feedback"]
        current.version += 1
        current.save(update_fields=fields)
        _add_update(current, current.status, user, note)
        changes = {"status": [before, current.status], "action": [None, action]}
        answering = action != CANCEL and current.direction == ReferralDirection.OUTBOUND
        if user.role != Role.PARTNER_USER and answering:
            changes["answered_for"] = [None, str(current.organisation_id)]  # staff recording a partner's answer
        record(Action.UPDATE, current, actor=user, request=request, changes=changes)
        if current.case_id:
            # The partner's answer in its own words (a reason for declining, progress, feedback) belongs on
            # the case: the case worker reads it there.
            timeline.log(current.case, timeline.REFERRAL, _timeline_line(current, note if action != ACCEPT else ""),
                         actor=user, obj=current)
        notifications.status_changed(current, by=user)
    return current


def accept(user: User, referral: Referral, note: str = "", *, version: int, request=None) -> Referral:
    return act(user, referral, ACCEPT, version=version, note=note, request=request)


def decline(user: User, referral: Referral, reason: str, *, version: int, request=None) -> Referral:
    return act(user, referral, DECLINE, version=version, note=reason, request=request)


def report_progress(user: User, referral: Referral, note: str, *, version: int, request=None) -> Referral:
    return act(user, referral, PROGRESS, version=version, note=note, request=request)


def complete(user: User, referral: Referral, feedback: str, *, version: int, request=None) -> Referral:
    return act(user, referral, COMPLETE, version=version, note=feedback, request=request)


def cancel(user: User, referral: Referral, note: str, *, version: int, request=None) -> Referral:
    return act(user, referral, CANCEL, version=version, note=note, request=request)


# --- Consent for a referral from a case ------------------------------------------------------------
class _RefusedError(Exception):
    """Raised inside a transaction when no consent covers what would be sent: the transaction rolls
    back, then the refusal is recorded (outside it) and turned into a ValidationError."""

    def __init__(self, decision: consent_services.SharingDecision):
        super().__init__(decision.reason)
        self.decision = decision


def referral_consents(person: Person, organisation: Organisation) -> list[ConsentRecord]:
    """The person's consents valid today for a referral to this organisation (named, or its type), newest
    first: what the case referral form offers, and shows as the basis."""
    return list(consent_services.covering_records(person, organisation, Purpose.REFERRAL))


def covered_categories(consents: Iterable[ConsentRecord]) -> list[str]:
    """The kinds of data some of these consents cover, in the form's order (a photo is never sent)."""
    covered = {code for consent in consents for code in (consent.data_categories or [])}
    return [code for code in sharing.REFERRAL_CATEGORIES if code in covered]


def _consent_for(person: Person, organisation: Organisation, categories: Iterable[str]):
    """The consent that covers sending these categories to the organisation now, or _RefusedError.

    A referral of a case member always needs one: even without personal fields it tells the organisation
    that a person the office assists is coming to it."""
    decision = consent_services.may_share(person, organisation, Purpose.REFERRAL, categories)
    if not decision.allowed:
        raise _RefusedError(decision)
    return decision.consent


def _record_refusal(
    user: User, person: Person, organisation: Organisation, categories: Iterable[str], refused: _RefusedError, *,
    case: Case | None, referral: Referral | None = None, request=None,
) -> None:
    """A refused sharing is itself an event of the person's record (after the rollback, so it stays)."""
    record(
        Action.DENY, person, actor=user, request=request,
        changes={
            "sharing": [None, "refused"], "purpose": [None, Purpose.REFERRAL],
            "recipient": [None, str(organisation.pk)], "categories": [None, ", ".join(sorted(categories))],
            "missing": [None, ", ".join(refused.decision.missing)],
            "case": [None, case.reference if case else None],
            "referral": [None, referral.reference if referral else None],
        },
    )


def _shared_with(user: User, referral: Referral, request=None) -> None:
    """What happens once a referral leaves the office: the person's record says what went where, and the
    organisation's users are told (by email, without personal data)."""
    shared = sharing.loads(referral.shared)
    if referral.person_id:
        record(
            Action.SHARE, referral.person, actor=user, request=request,
            changes={"referral": [None, referral.reference], "recipient": [None, str(referral.organisation_id)],
                     "categories": [None, ", ".join(sorted(sharing.shared_categories(shared)))],
                     "consent": [None, str(referral.consent_id) if referral.consent_id else None]},
        )
    notifications.new_referral(referral)


# --- Referral from a case --------------------------------------------------------------------------
def case_service_refusals(service: Service, person: Person, organisation: Organisation | None = None) -> list[str]:
    """Why this service would not take this member of a case now (empty: it would): the directory's
    eligibility with the person's sex, age and nationality from the registry. Of several citizenships,
    one the service accepts counts."""
    reasons = []
    if organisation is not None and service.organization_id != organisation.pk:
        reasons.append(_("%(organisation)s does not offer “%(service)s”.") % {
            "organisation": organisation.name, "service": service.name})
    citizenships = [code.upper() for code in person.citizenships or []]
    listed = service.accepts_nationalities if isinstance(service.accepts_nationalities, list | tuple) else []
    accepted = {str(code).strip().upper() for code in listed if str(code).strip()}
    nationality = next((code for code in citizenships if code in accepted), citizenships[0] if citizenships else "")
    reasons += refusal_reasons(service, sex=person.sex, age=sharing.age_on(person), nationality=nationality)
    return reasons


def refer_from_case(
    user: User,
    case: Case,
    *,
    person: Person,
    service: Service,
    reason: str,
    categories: Iterable[str] = (),
    typed: Mapping[str, str] | None = None,
    due_on: datetime.date | None = None,
    as_draft: bool = False,
    request=None,
) -> Referral:
    """Refer a member of a case to a partner's service, sending the chosen kinds of their data.

    The person's consent for referral to the service's organisation (named, or its type) must cover every
    chosen category, on the day: otherwise the referral is refused with the consent's reason (field
    "consent"), nothing is saved, and the refusal is recorded in the audit trail. What is sent is the
    anonymous description (sex, age band, nationality, language) and the fields of the chosen categories:
    from the registry, or typed (`typed`: situation, exploitation, health). `as_draft` saves it without
    sending (to print it for an organisation without Waypoint users, or to send later: the consent is asked
    again then).
    """
    case = policy.get_for(user, Case.objects.select_related("office"), "change", pk=case.pk, request=request)
    service = Service.objects.select_related("organization").get(pk=service.pk)
    organisation = service.organization
    categories = list(dict.fromkeys(categories or []))
    typed = {name: str(value or "").strip() for name, value in (typed or {}).items()}
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if case.is_closed:
        add("__all__", _("Case %(reference)s is closed: reopen it before referring anyone.") % {
            "reference": case.reference})
    member = person is not None and case.members.filter(person_id=person.pk).exists()
    if not member:
        add("person", _("Choose a member of the case."))
    else:
        person = policy.get_for(user, Person, "view", pk=person.pk, request=request)
        for message in case_service_refusals(service, person):
            add("service", message)
    if not (reason or "").strip():
        add("reason", _("Say why the person is referred: the partner reads this first."))
    unknown = [code for code in categories if code not in sharing.REFERRAL_CATEGORIES]
    if unknown:
        add("categories", _("These data cannot be sent in a referral: %(codes)s.") % {"codes": ", ".join(unknown)})
    stray = [name for name, value in typed.items() if value and (
        name not in sharing.TYPED_FIELDS or sharing.BY_NAME[name].category not in categories)]
    if stray:
        add("categories", _("Some of what you wrote is not covered by the kinds of data you chose to send: "
                            "%(fields)s.") % {"fields": ", ".join(
                                str(sharing.BY_NAME[n].label) if n in sharing.BY_NAME else n for n in stray)})
    if due_on is not None and due_on < timezone.localdate():
        add("due_on", _("The answer cannot be due in the past."))
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            consent = _consent_for(person, organisation, categories)
            return _create_case_referral(
                user, case, person=person, service=service, consent=consent, reason=reason.strip(),
                categories=categories, typed=typed, due_on=due_on, as_draft=as_draft, request=request,
            )
    except _RefusedError as refused:
        _record_refusal(user, person, organisation, categories, refused, case=case, request=request)
        raise ValidationError({"consent": [refused.decision.reason]}) from None


def _create_case_referral(user, case, *, person, service, consent, reason, categories, typed, due_on, as_draft,
                          request) -> Referral:
    organisation = service.organization
    shared = sharing.compose(sharing.person_profile(person), categories, sharing.person_facts(person), typed)
    now = timezone.now()
    status = ReferralStatus.DRAFT if as_draft else ReferralStatus.SENT
    if due_on is None and not as_draft:
        due_on = working_days_after(timezone.localdate(), answer_days())
    referral = Referral.objects.create(
        reference=next_reference(REFERRAL_PREFIX), kind=ReferralKind.PERSON, direction=ReferralDirection.OUTBOUND,
        organisation=organisation, service=service, person=person, case=case, consent=consent,
        programme=case.programme, office=case.office, status=status, reason=reason, shared=sharing.dumps(shared),
        due_on=due_on, sent_at=None if as_draft else now, created_by=user,
        # Through the portal it is delivered when sent; a printed form is delivered when staff say so.
        delivered_at=now if not as_draft and organisation_has_users(organisation) else None,
    )
    _add_update(referral, status, user)
    record(
        Action.CREATE, referral, actor=user, request=request,
        changes={
            "organisation": [None, str(organisation.pk)], "service": [None, str(service.pk)],
            "status": [None, status], "case": [None, case.reference], "person": [None, str(person.pk)],
            "fields": [None, ", ".join(shared)], "consent": [None, str(consent.pk)],
        },
    )
    if as_draft:
        line = _("Referral %(reference)s to %(organisation)s (%(service)s) saved as a draft.")
    else:
        line = _("Referral %(reference)s sent to %(organisation)s (%(service)s).")
    timeline.log(case, timeline.REFERRAL, line % {
        "reference": referral.reference, "organisation": organisation.name, "service": service.name},
        actor=user, obj=referral)
    if not as_draft:
        _shared_with(user, referral, request)
    return referral


def send(user: User, referral: Referral, *, version: int, request=None) -> Referral:
    """Send a draft: the person's consent is asked again now (it may have been withdrawn since the draft),
    and what the draft holds (what was previewed) is what goes."""
    referral = policy.get_for(user, Referral.objects.select_related("organisation", "case", "person"), "change",
                              pk=referral.pk, request=request)
    try:
        with transaction.atomic():
            current = locked_current(Referral.objects.select_related("organisation", "service"), referral.pk,
                                     version)
            if SEND not in allowed_actions(user, current):
                raise ValidationError({"action": _("You cannot send this referral: it is %(status)s.") % {
                    "status": current.get_status_display().lower()}})
            _send_now(user, current, at=timezone.now(), request=request)
            return current
    except _RefusedError as refused:
        categories = sharing.shared_categories(sharing.loads(referral.shared))
        _record_refusal(user, referral.person, referral.organisation, categories, refused, case=referral.case,
                        referral=referral, request=request)
        raise ValidationError({"consent": [refused.decision.reason]}) from None


def _send_now(user: User, current: Referral, *, at: datetime.datetime, note: str = "", request=None,
              extra_fields: tuple[str, ...] = (), changes: Mapping[str, Any] | None = None) -> None:
    """A locked draft becomes sent at `at` (inside the caller's transaction): consent asked again, answer
    due counted from then unless staff set a date, history, audit, the case's timeline, the partner told."""
    if current.person_id:
        categories = sharing.shared_categories(sharing.loads(current.shared))
        current.consent = _consent_for(current.person, current.organisation, categories)
    current.status = ReferralStatus.SENT
    current.sent_at = at
    if current.due_on is None:
        current.due_on = working_days_after(timezone.localtime(at).date(), answer_days())
    fields = ["status", "sent_at", "due_on", "consent", *extra_fields]
    if current.delivery_method == DeliveryMethod.WAYPOINT and organisation_has_users(current.organisation):
        current.delivered_at = at
        fields.append("delivered_at")
    bump(current, list(dict.fromkeys(fields)))
    _add_update(current, ReferralStatus.SENT, user, note)
    record(Action.UPDATE, current, actor=user, request=request, changes={
        "status": [ReferralStatus.DRAFT, ReferralStatus.SENT], "action": [None, SEND], **(changes or {})})
    if current.case_id:
        timeline.log(current.case, timeline.REFERRAL, _timeline_line(current, note), actor=user, obj=current)
    _shared_with(user, current, request)


# --- Organisations without Waypoint users: the printed form's delivery --------------------------
PRINTED_DELIVERY = tuple(method for method in DeliveryMethod.values if method != DeliveryMethod.WAYPOINT)


def may_record_delivery(user: User, referral: Referral) -> bool:
    """Staff who may change the referral record how its printed form reached an organisation without
    Waypoint users, while it is a draft or sent (sent: to correct the method or the date)."""
    return (
        user.role != Role.PARTNER_USER and referral.direction == ReferralDirection.OUTBOUND
        and referral.status in (ReferralStatus.DRAFT, ReferralStatus.SENT)
        and not organisation_has_users(referral.organisation) and policy.can(user, "change", referral)
    )


def record_delivery(
    user: User, referral: Referral, *, method: str, delivered_on: datetime.date | None, version: int, request=None,
) -> Referral:
    """Record that the printed referral went to its organisation by email, fax, post or by hand, on a date.

    A draft becomes sent then (the consent is asked again: the data leave now); the answer is due counted
    from the delivery unless a date was set. A date before today is recorded at noon of that day.
    """
    if user.role == Role.PARTNER_USER:
        policy.record_denial(user, "cases.referral", str(referral.pk), request)
        raise Http404
    referral = policy.get_for(user, Referral.objects.select_related("organisation", "case", "person"), "change",
                              pk=referral.pk, request=request)
    errors: dict[str, list[str]] = {}
    today = timezone.localdate()
    if method not in PRINTED_DELIVERY:
        errors["method"] = [_("Say how the referral was delivered: email, fax, post or by hand.")]
    if delivered_on is None:
        errors["delivered_on"] = [_("Give the date it was delivered.")]
    elif delivered_on > today:
        errors["delivered_on"] = [_("A delivery cannot be recorded in the future.")]
    elif delivered_on < timezone.localtime(referral.created_at).date():
        errors["delivered_on"] = [_("The referral was made on %(date)s: it cannot have been delivered before.") % {
            "date": timezone.localtime(referral.created_at).date().isoformat()}]
    if referral.direction != ReferralDirection.OUTBOUND:
        errors["__all__"] = [_("Only a referral the office sends is delivered.")]
    elif organisation_has_users(referral.organisation):
        errors["__all__"] = [_("%(organisation)s has Waypoint users: it reads the referral in its inbox.") % {
            "organisation": referral.organisation.name}]
    if errors:
        raise ValidationError(errors)
    at = timezone.now() if delivered_on == today else timezone.make_aware(
        datetime.datetime.combine(delivered_on, datetime.time(12)))
    label = str(dict(DeliveryMethod.choices)[method])
    try:
        with transaction.atomic():
            current = locked_current(Referral.objects.select_related("organisation", "service"), referral.pk,
                                     version)
            if current.status not in (ReferralStatus.DRAFT, ReferralStatus.SENT):
                raise ValidationError({"__all__": [_(
                    "The delivery of a referral that is %(status)s cannot be recorded.") % {
                    "status": current.get_status_display().lower()}]})
            before = {"delivery_method": current.delivery_method,
                      "delivered_at": current.delivered_at.isoformat() if current.delivered_at else None}
            current.delivery_method = method
            current.delivered_at = at
            changes = {"delivery_method": [before["delivery_method"], method],
                       "delivered_at": [before["delivered_at"], at.isoformat()]}
            note = _("Delivered: %(method)s, %(date)s.") % {"method": label.lower(), "date": delivered_on.isoformat()}
            if current.status == ReferralStatus.DRAFT:
                _send_now(user, current, at=at, note=note, request=request,
                          extra_fields=("delivery_method", "delivered_at"), changes=changes)
            else:
                bump(current, ["delivery_method", "delivered_at"])
                record(Action.UPDATE, current, actor=user, request=request, changes=changes)
                if current.case_id:
                    timeline.log(current.case, timeline.REFERRAL, _timeline_line(current, note), actor=user,
                                 obj=current)
            return current
    except _RefusedError as refused:
        categories = sharing.shared_categories(sharing.loads(referral.shared))
        _record_refusal(user, referral.person, referral.organisation, categories, refused, case=referral.case,
                        referral=referral, request=request)
        raise ValidationError({"consent": [refused.decision.reason]}) from None


# --- Inbound: a partner refers a person to the office ---------------------------------------------
CHANNEL_BY_ORGANISATION_TYPE = {
    OrganisationType.NGO: Channel.NGO,
    OrganisationType.LAW_ENFORCEMENT: Channel.LAW_ENFORCEMENT,
    OrganisationType.PROSECUTION: Channel.LAW_ENFORCEMENT,
    OrganisationType.DIPLOMATIC: Channel.DIPLOMATIC,
    OrganisationType.INTERNATIONAL: Channel.INTERNATIONAL,
    OrganisationType.MISSION: Channel.MISSION_ABROAD,
    OrganisationType.GOVERNMENT: Channel.STATE_STRUCTURE,
    OrganisationType.SOCIAL: Channel.STATE_STRUCTURE,
    OrganisationType.HEALTH: Channel.STATE_STRUCTURE,
}
# A partner refers people to the office's programmes that take cases (the hotline takes calls, not referrals).
INBOUND_PROGRAMMES = tuple(code for code in Programme.values if code != Programme.HOTLINE)
OLDEST_AGE = 120


def channel_of(organisation: Organisation) -> str:
    """How a case referred by this organisation came, for the statistics by source."""
    return CHANNEL_BY_ORGANISATION_TYPE.get(organisation.organisation_type, Channel.OTHER)


def receiving_office() -> Office | None:
    """Where partners' referrals arrive: the mission office (the one not part of another)."""
    return Office.objects.filter(kind=Office.Kind.MISSION_OFFICE, parent__isnull=True).order_by("name").first()


def _validated(check, value, errors: dict[str, list[str]], name: str) -> None:
    try:
        check(value)
    except ValidationError as error:
        errors.setdefault(name, []).extend(error.messages)


def refer_to_office(
    user: User,
    *,
    person: Mapping[str, Any],
    situation: str,
    programme: str = Programme.COUNTER_TRAFFICKING,
    urgency: str = sharing.NORMAL,
    consent_attested: bool = False,
    request=None,
) -> Referral:
    """A partner user refers a person to the office: the person's details they share and why.

    `person` holds family_name, given_name, patronymic, sex, birth_date (a date) or age (years),
    citizenship, language and phone. The partner attests that the person consented to be referred and to
    these details being passed on; without that nothing is sent. The referral arrives sent, from the
    partner's organisation, at the mission office; the programme's managers are told.
    """
    policy.require(user, policy.REFER_TO_OFFICE, request=request)
    organisation = user.partner_organisation
    if organisation is None or not organisation.is_active:
        policy.record_denial(user, "capability", policy.REFER_TO_OFFICE, request)
        raise Http404
    data = dict(person or {})
    text = {name: str(data.get(name) or "").strip() for name in (
        "family_name", "given_name", "patronymic", "sex", "citizenship", "language", "phone")}
    birth_date, age = data.get("birth_date"), data.get("age")
    errors: dict[str, list[str]] = {}
    if not (text["family_name"] or text["given_name"]):
        errors["family_name"] = [_("Enter a family name or a given name.")]
    if text["sex"] and text["sex"] not in Sex.values:
        errors["sex"] = [_("Unknown sex.")]
    if birth_date is not None and age is not None:
        errors["age"] = [_("Give the date of birth or the age, not both.")]
    elif birth_date is not None:
        _validated(validate_birth_date, birth_date, errors, "birth_date")
    elif age is not None and not (0 <= int(age) <= OLDEST_AGE):
        errors["age"] = [_("Give an age between 0 and %(oldest)d.") % {"oldest": OLDEST_AGE}]
    _validated(validate_country, text["citizenship"].upper(), errors, "citizenship")
    if text["language"]:
        _validated(validate_languages, [text["language"].lower()], errors, "language")
    if not (situation or "").strip():
        errors["situation"] = [_("Describe the person's situation and what they need from the office.")]
    if programme not in INBOUND_PROGRAMMES:
        errors["programme"] = [_("Choose the programme the person is referred to.")]
    if urgency not in sharing.URGENCY_LABELS:
        errors["urgency"] = [_("Say how urgent the referral is.")]
    if not consent_attested:
        errors["consent"] = [_(
            "A person is referred only with their consent: confirm that they agreed to be referred to the office "
            "and to these details being passed on.")]
    office = receiving_office()
    if office is None:
        errors.setdefault("__all__", []).append(
            _("The office cannot receive referrals yet: no mission office is set up."))
    if errors:
        raise ValidationError(errors)
    names = [text[part] for part in sharing.NAME_PARTS]
    shared = {
        **{part: text[part] for part in sharing.NAME_PARTS if text[part]},
        "name": " ".join(part for part in names if part),
        "sex": text["sex"],
        "birth_date": birth_date.isoformat() if birth_date is not None else "",
        "age": str(int(age)) if age is not None and birth_date is None else "",
        "citizenship": text["citizenship"].upper(),
        "language": text["language"].lower(),
        "phone": text["phone"],
        "situation": situation.strip(),
        "urgency": urgency,
    }
    shared = {name: value for name, value in shared.items() if value}
    days = URGENT_ANSWER_DAYS if urgency == sharing.URGENT else answer_days()
    with transaction.atomic():
        now = timezone.now()
        referral = Referral.objects.create(
            reference=next_reference(REFERRAL_PREFIX), kind=ReferralKind.PERSON,
            direction=ReferralDirection.INBOUND, organisation=organisation, programme=programme, office=office,
            status=ReferralStatus.SENT, reason=situation.strip(), shared=sharing.dumps(shared),
            due_on=working_days_after(timezone.localdate(), days), channel=channel_of(organisation),
            delivery_method=DeliveryMethod.WAYPOINT, sent_at=now, delivered_at=now, created_by=user,
        )
        _add_update(referral, ReferralStatus.SENT, user)
        record(
            Action.CREATE, referral, actor=user, request=request,
            changes={
                "direction": [None, ReferralDirection.INBOUND], "organisation": [None, str(organisation.pk)],
                "programme": [None, programme], "status": [None, ReferralStatus.SENT], "urgency": [None, urgency],
                "consent_attested": [None, "yes"], "fields": [None, ", ".join(shared)],
            },
        )
        notifications.inbound_referral(referral)
    return referral


def open_case_from_referral(
    user: User,
    referral: Referral,
    *,
    owner: User,
    version: int,
    person: Person | None = None,
    new_person: Mapping[str, Any] | None = None,
    risk_level: str = RiskLevel.MEDIUM,
    vulnerabilities: Iterable[str] = (),
    summary: str = "",
    request=None,
) -> Case:
    """Take an inbound referral on: the person becomes (or already is) a person of the registry, a case
    of the referral's programme is opened for them (channel and referring organisation from the referral),
    and the referral is accepted and linked to the case; the partner who sent it is told.

    `person` is a record found in the registry (the view ran the duplicate check), `new_person` the data of
    one to register now. Everything is one transaction: a refused case registers nobody.
    """
    referral = policy.get_for(user, Referral.objects.select_related("organisation"), "change", pk=referral.pk,
                              request=request)
    if not casework.may_open_cases(user, referral.programme):
        policy.record_denial(user, "capability", f"open_case:{referral.programme}", request)
        raise ValidationError({"__all__": [_("You do not work in this programme, so you cannot open its cases.")]})
    errors: dict[str, list[str]] = {}
    if referral.direction != ReferralDirection.INBOUND:
        errors["__all__"] = [_("A case is opened from a referral a partner sent to the office.")]
    elif referral.status != ReferralStatus.SENT or referral.case_id:
        errors["__all__"] = [_("This referral is %(status)s: a case can no longer be opened from it.") % {
            "status": referral.get_status_display().lower()}]
    if person is not None:
        person = policy.get_for(user, Person, "view", pk=person.pk, request=request)
    elif not new_person:
        errors["person"] = [_("Find the person in the registry or register them.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        current = locked_current(Referral.objects.select_related("organisation"), referral.pk, version)
        if current.status != ReferralStatus.SENT or current.case_id:
            raise ValidationError({"__all__": [_(
                "This referral is %(status)s: a case can no longer be opened from it.") % {
                "status": current.get_status_display().lower()}]})
        if person is None:
            try:
                person = people_services.register(user, new_person, programme=current.programme, request=request)
            except PermissionDenied as denied:
                raise ValidationError({"person": str(denied)}) from None
        case = casework.open_case(
            user, programme=current.programme, principal=person, owner=owner,
            channel=current.channel or channel_of(current.organisation), referring_organisation=current.organisation,
            risk_level=risk_level, vulnerabilities=vulnerabilities, summary=summary, referral=current,
            request=request,
        )
        current.status = ReferralStatus.ACCEPTED
        current.responded_at = timezone.now()
        current.case = case
        current.person = person
        bump(current, ["status", "responded_at", "case", "person"])
        _add_update(current, ReferralStatus.ACCEPTED, user)
        record(Action.UPDATE, current, actor=user, request=request, changes={
            "status": [ReferralStatus.SENT, ReferralStatus.ACCEPTED], "action": [None, ACCEPT],
            "case": [None, case.reference], "person": [None, str(person.pk)]})
        timeline.log(case, timeline.REFERRAL, _("Opened from referral %(reference)s of %(organisation)s.") % {
            "reference": current.reference, "organisation": current.organisation.name}, actor=user, obj=current)
        notifications.status_changed(current, by=user)
        notifications.case_assigned(case, by=user)
    return case
