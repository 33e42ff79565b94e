"""Referrals, escalations and trafficking-situation reports: every change to a case or a referral.

Access is checked before a transaction opens (a denial's audit event must not roll back with the
refused write); everything a step writes (a person registered on the way, a consent, the referral, its
history, the consultation's links) is one transaction: either all of it is saved, or none.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from waypoint.accounts import policy
from waypoint.accounts.models import Programme, Role, User
from waypoint.audit.models import Action
from waypoint.audit.services import record
from waypoint.consent import services as consent_services
from waypoint.consent.models import DataCategory, HowGiven, Purpose
from waypoint.hotline.models import AgeBand, Consultation, Outcome
from waypoint.partners.eligibility import refusal_reasons
from waypoint.partners.models import Organisation, OrganisationType, Service
from waypoint.people import services as people_services
from waypoint.people.models import Person, ProgrammeRegistration

from . import notifications, sharing, timeline
from .locking import ConflictError
from .models import (
    Case,
    CaseMember,
    Channel,
    MemberRole,
    Referral,
    ReferralDirection,
    ReferralKind,
    ReferralStatus,
    ReferralUpdate,
)
from .references import REFERRAL_PREFIX, next_reference
from .workflow import workflow_for

# Working days a partner has to answer a referral (settings.WAYPOINT_REFERRAL_ANSWER_DAYS overrides).
ANSWER_WORKING_DAYS = 5
# Who receives a trafficking-situation report: the authorities.
AUTHORITY_TYPES = (OrganisationType.LAW_ENFORCEMENT, OrganisationType.PROSECUTION, OrganisationType.GOVERNMENT)
# Who may own a counter-trafficking case opened from the hotline.
CASE_OWNER_ROLES = (Role.CASE_WORKER, Role.PROGRAMME_MANAGER)


# --- Helpers ---------------------------------------------------------------------------------
def answer_days() -> int:
    return int(getattr(settings, "WAYPOINT_REFERRAL_ANSWER_DAYS", ANSWER_WORKING_DAYS))


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
    shared = sharing.compose(consultation, categories, facts, share)
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
ACCEPT, DECLINE, PROGRESS, COMPLETE, CANCEL = "accept", "decline", "progress", "complete", "cancel"
PARTNER_ACTIONS = (ACCEPT, DECLINE, PROGRESS, COMPLETE)
# (status now, action) -> status after. Anything not listed is refused.
TRANSITIONS: dict[tuple[str, str], str] = {
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
    COMPLETE: gettext_lazy("complete"), CANCEL: gettext_lazy("cancel"),
}
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

    Partner users answer for their organisation. When the organisation has no Waypoint users (an
    authority that gets a printed report), staff who follow the referral record its answer for it.
    Staff cancel a referral that is still open.
    """
    if not policy.can(user, "change", referral):
        return []
    if user.role == Role.PARTNER_USER:
        actions = PARTNER_ACTIONS if user.partner_organisation_id == referral.organisation_id else ()
    else:
        actions = (CANCEL,) + (PARTNER_ACTIONS if not organisation_has_users(referral.organisation) else ())
    return [action for action in actions if (referral.status, action) in TRANSITIONS]


def act(user: User, referral: Referral, action: str, *, version: int, note: str = "", request=None) -> Referral:
    """Take one step in a referral's life, from a form opened at `version`.

    A stale form (someone answered meanwhile) raises ConflictError and writes nothing; a step the
    workflow does not allow from the current status raises ValidationError.
    """
    referral = policy.get_for(user, Referral.objects.select_related("organisation"), "change", pk=referral.pk,
                              request=request)
    note = (note or "").strip()
    if action not in ACTION_LABELS:
        raise ValidationError({"action": _("Unknown action.")})
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
        if user.role != Role.PARTNER_USER and action != CANCEL:
            changes["answered_for"] = [None, str(current.organisation_id)]  # staff recording a partner's answer
        record(Action.UPDATE, current, actor=user, request=request, changes=changes)
        if current.case_id:
            timeline.log(current.case, timeline.REFERRAL, _("Referral %(reference)s to %(organisation)s: %(status)s.")
                         % {"reference": current.reference, "organisation": current.organisation.name,
                            "status": current.get_status_display().lower()}, actor=user, obj=current)
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
