"""Case work: opening a case, editing it, its workflow steps, members, and the saved views of the case list. The
plan (goals and tasks) is in `plan`, notes and attachments in `notes`; what is said below holds for them too.

Every write checks access first, outside the transaction (a denial answers 404 and its audit event must not
be rolled back with the refused write), then runs in one transaction with its audit event and its timeline
line: nothing is half-saved. Edits carry the version their form was opened at (`locking`): when someone saved
meanwhile, `ConflictError` is raised and nothing is written. Refusals a user could try again and again (a step
the workflow forbids or a guard blocks, a stale edit, a file too big or of the wrong type) are audited too,
naming what was refused and why by code, never by content.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from waypoint.accounts import policy
from waypoint.accounts.models import Programme, Role, User
from waypoint.audit.models import Action
from waypoint.audit.services import changed_fields, record
from waypoint.partners.models import Organisation
from waypoint.people.models import Person, ProgrammeRegistration

from . import timeline
from .locking import ConflictError, bump, locked_current
from .models import (
    Case,
    CaseMember,
    Channel,
    MemberRole,
    Referral,
    RiskLevel,
    SavedView,
    StatusChange,
    Vulnerability,
)
from .references import next_reference
from .workflow import Transition, workflow_for

CASE_OWNER_ROLES = (Role.CASE_WORKER, Role.PROGRAMME_MANAGER)


def display_name(user: User) -> str:
    return user.get_full_name() or user.get_username()


def owner_choices(programme: str):
    """Staff who may own a case of the programme: its case workers and programme managers, with an office.

    Programmes are a JSON list, which SQLite cannot search inside: the few staff are filtered here."""
    staff = User.objects.filter(is_active=True, role__in=CASE_OWNER_ROLES, office__isnull=False)
    ids = [pk for pk, programmes in staff.values_list("pk", "programmes") if programme in (programmes or [])]
    return User.objects.filter(pk__in=ids).select_related("office").order_by("last_name", "first_name", "username")


def may_open_cases(user: User, programme: str) -> bool:
    return policy.may(user, policy.VIEW_CASES) and programme in (user.programmes or [])


def open_case(
    user: User,
    *,
    programme: str,
    principal: Person,
    owner: User,
    channel: str,
    referring_organisation: Organisation | None = None,
    assigned: Iterable[User] = (),
    risk_level: str = RiskLevel.MEDIUM,
    vulnerabilities: Iterable[str] = (),
    summary: str = "",
    opened_on: datetime.date | None = None,
    referral: Referral | None = None,
    request=None,
) -> Case:
    """Open a case of `programme` for a person of the registry, in the workflow's first status.

    The user is staff of the programme (or `referral` is an inbound referral they take on). The person
    is registered in the programme if not yet: that is what lets the owner see them. `referral` links
    the case to the inbound referral it was opened from.
    """
    if not may_open_cases(user, programme):
        policy.record_denial(user, "capability", f"open_case:{programme}", request)
        raise ValidationError({"programme": _("You do not work in this programme, so you cannot open its cases.")})
    principal = policy.get_for(user, Person, "view", pk=principal.pk, request=request)
    vulnerabilities = list(dict.fromkeys(vulnerabilities or []))
    errors: dict[str, list[str]] = {}
    if programme not in Programme.values:
        errors["programme"] = [_("Unknown programme.")]
    owners = owner_choices(programme)
    if owner is None or not owners.filter(pk=owner.pk).exists():
        errors["owner"] = [_("Choose a case worker or programme manager of this programme as the owner.")]
    if channel not in Channel.values:
        errors["channel"] = [_("Say how the case came to the office.")]
    if risk_level not in RiskLevel.values:
        errors["risk_level"] = [_("Unknown risk level.")]
    unknown = [code for code in vulnerabilities if code not in Vulnerability.values]
    if unknown:
        errors["vulnerabilities"] = [_("Unknown vulnerability: %(codes)s.") % {"codes": ", ".join(unknown)}]
    opened_on = opened_on or timezone.localdate()
    if opened_on > timezone.localdate():
        errors["opened_on"] = [_("A case cannot be opened in the future.")]
    if referring_organisation is not None and not referring_organisation.is_active:
        errors["referring_organisation"] = [_("%(organisation)s is no longer an active partner.")
                                            % {"organisation": referring_organisation.name}]
    assigned = list(assigned or [])
    strangers = [staff for staff in assigned if not owners.filter(pk=staff.pk).exists()]
    if strangers:
        errors["assigned"] = [_("Only staff of this programme can be assigned: %(names)s.")
                              % {"names": ", ".join(display_name(staff) for staff in strangers)}]
    if errors:
        raise ValidationError(errors)
    owner = owners.get(pk=owner.pk)
    with transaction.atomic():
        registration, created = ProgrammeRegistration.objects.get_or_create(
            person=principal, programme=programme, defaults={"office": owner.office, "registered_by": user})
        if created:
            record(Action.CREATE, registration, actor=user, request=request,
                   changes={"programme": [None, programme], "case_opened": [None, "yes"]})
        case = Case.objects.create(
            reference=next_reference(programme, opened_on.year), programme=programme, office=owner.office,
            owner=owner, status=workflow_for(programme).initial, opened_on=opened_on, channel=channel,
            referring_organisation=referring_organisation, risk_level=risk_level, vulnerabilities=vulnerabilities,
            summary=(summary or "").strip(), referral_received=referral,
        )
        CaseMember.objects.create(case=case, person=principal, role=MemberRole.PRINCIPAL)
        StatusChange.objects.create(case=case, action="open", to_status=case.status, on=opened_on, individuals=1,
                                    by=user)
        if assigned:
            case.assigned.set(assigned)
        record(Action.CREATE, case, actor=user, request=request, changes={
            "reference": [None, case.reference], "programme": [None, programme], "owner": [None, str(owner.pk)],
            "office": [None, str(owner.office_id)], "channel": [None, channel],
            "referring_organisation": [None, str(referring_organisation.pk) if referring_organisation else None],
            "principal": [None, str(principal.pk)], "risk_level": [None, risk_level],
            "referral": [None, referral.reference if referral else None],
        })
        how = str(dict(Channel.choices)[channel])
        if referring_organisation is not None:
            how = f"{how}: {referring_organisation.name}"
        timeline.log(case, timeline.OPENED, _("Case opened (%(how)s); owner %(owner)s.") % {
            "how": how, "owner": display_name(owner)}, actor=user, obj=case)
    return case


# --- Shared pieces ------------------------------------------------------------------------------
# A case that came through one of these names the organisation that referred it (the seeds' sources).
CHANNELS_WITH_ORGANISATION = (
    Channel.MISSION_ABROAD, Channel.LAW_ENFORCEMENT, Channel.JOINT_OPERATION, Channel.STATE_STRUCTURE, Channel.NGO,
    Channel.DIPLOMATIC, Channel.INTERNATIONAL,
)
NOTE_MAX = 20_000


def refused(user: User, obj: Model, what: str, reasons: Iterable[str], *, request=None) -> None:
    """Audit a refused attempt: what was tried and why, by code (never the text the user typed)."""
    record(Action.DENY, obj, actor=user, request=request, changes={"refused": what, "reasons": list(reasons)})


def _case_to_change(user: User, case: Case, request) -> Case:
    return policy.get_for(user, Case.objects.select_related("office", "owner"), "change", pk=case.pk, request=request)


def _names(users: Iterable[User]) -> str:
    return ", ".join(display_name(user) for user in users) or "—"


def _channel_text(channel: str, organisation: Organisation | None) -> str:
    how = str(dict(Channel.choices).get(channel, channel))
    return f"{how}: {organisation.name}" if organisation is not None else how


def _short(text: str, length: int = 80) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


# --- Editing the case ---------------------------------------------------------------------------
CASE_SNAPSHOT = ("summary", "risk_level", "vulnerabilities", "owner", "assigned", "channel", "referring_organisation")


def _snapshot(case: Case, assigned_ids: Iterable[int]) -> dict[str, object]:
    return {
        "summary": case.summary, "risk_level": case.risk_level, "vulnerabilities": sorted(case.vulnerabilities or []),
        "owner": case.owner_id, "assigned": sorted(assigned_ids), "channel": case.channel,
        "referring_organisation": str(case.referring_organisation_id) if case.referring_organisation_id else None,
    }


def _staff_errors(programme: str, owner: User | None, assigned: list[User]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    staff = owner_choices(programme)
    if owner is None or not staff.filter(pk=owner.pk).exists():
        errors["owner"] = [_("Choose a case worker or programme manager of this programme as the owner.")]
    strangers = [user for user in assigned if not staff.filter(pk=user.pk).exists()]
    if strangers:
        errors["assigned"] = [_("Only staff of this programme can be assigned: %(names)s.")
                              % {"names": _names(strangers)}]
    return errors


def channel_errors(channel: str, organisation: Organisation | None) -> dict[str, list[str]]:
    """How the case came: a known channel, and the referring organisation where the channel has one."""
    if channel not in Channel.values:
        return {"channel": [_("Say how the case came to the office.")]}
    if channel in CHANNELS_WITH_ORGANISATION and organisation is None:
        return {"referring_organisation": [
            _("A case that came through “%(channel)s” names the organisation that referred it: choose it from "
              "the directory.") % {"channel": dict(Channel.choices)[channel]}]}
    return {}


def edit_case(
    user: User,
    case: Case,
    *,
    version: int,
    summary: str,
    risk_level: str,
    vulnerabilities: Iterable[str],
    owner: User | None,
    assigned: Iterable[User],
    channel: str,
    referring_organisation: Organisation | None,
    request=None,
) -> Case:
    """Save the case form opened at `version`. Raises ConflictError (nothing written, the refusal audited) when
    someone saved the case meanwhile, ValidationError naming the fields otherwise."""
    case = _case_to_change(user, case, request)
    vulnerabilities = list(dict.fromkeys(vulnerabilities or []))
    assigned = list({user_.pk: user_ for user_ in assigned or []}.values())
    summary = (summary or "").strip()
    try:
        with transaction.atomic():
            current = locked_current(Case.objects.all(), case.pk, version)
            return _edit_case(user, current, summary=summary, risk_level=risk_level,
                              vulnerabilities=vulnerabilities, owner=owner, assigned=assigned, channel=channel,
                              referring_organisation=referring_organisation, request=request)
    except ConflictError:
        refused(user, case, "edit", ["stale_version"], request=request)
        raise


def _edit_case(user: User, current: Case, *, summary, risk_level, vulnerabilities, owner, assigned, channel,
               referring_organisation, request) -> Case:
    errors = _staff_errors(current.programme, owner, assigned)
    if risk_level not in RiskLevel.values:
        errors["risk_level"] = [_("Unknown risk level.")]
    unknown = [code for code in vulnerabilities if code not in Vulnerability.values]
    if unknown:
        errors["vulnerabilities"] = [_("Unknown vulnerability: %(codes)s.") % {"codes": ", ".join(unknown)}]
    organisation_changed = (referring_organisation.pk if referring_organisation else None) != \
        current.referring_organisation_id
    if channel != current.channel or organisation_changed:
        errors.update(channel_errors(channel, referring_organisation))
    if organisation_changed and referring_organisation is not None and not referring_organisation.is_active:
        errors.setdefault("referring_organisation", []).append(
            _("%(organisation)s is no longer an active partner.") % {"organisation": referring_organisation.name})
    if len(summary) > NOTE_MAX:
        errors["summary"] = [_("The summary is too long (at most %(count)d characters).") % {"count": NOTE_MAX}]
    if errors:
        raise ValidationError(errors)
    old_assigned = list(current.assigned.order_by("pk"))
    old_owner = current.owner
    before = _snapshot(current, [u.pk for u in old_assigned])
    old_risk, old_vulnerabilities = current.risk_level, list(current.vulnerabilities or [])
    current.summary, current.risk_level, current.vulnerabilities = summary, risk_level, vulnerabilities
    current.owner, current.channel, current.referring_organisation = owner, channel, referring_organisation
    after = _snapshot(current, [u.pk for u in assigned])
    changes = changed_fields(before, after, sensitive=("summary",))
    if not changes:
        return current
    bump(current, ["summary", "risk_level", "vulnerabilities", "owner", "channel", "referring_organisation",
                   "updated_at"])
    if "assigned" in changes:
        current.assigned.set(assigned)
    record(Action.UPDATE, current, actor=user, request=request, changes=changes)
    _log_edit(user, current, changes, old_owner=old_owner, old_assigned=old_assigned, new_assigned=assigned,
              old_risk=old_risk, old_vulnerabilities=old_vulnerabilities)
    return current


def _log_edit(user, case, changes, *, old_owner, old_assigned, new_assigned, old_risk, old_vulnerabilities) -> None:
    """One timeline line per change a reader of the case cares about; the summary's text is never repeated."""
    if "owner" in changes:
        timeline.log(case, timeline.ASSIGNED, _("Owner changed from %(old)s to %(new)s.") % {
            "old": display_name(old_owner), "new": display_name(case.owner)}, actor=user, obj=case)
    if "assigned" in changes:
        added = [u for u in new_assigned if u.pk not in {o.pk for o in old_assigned}]
        removed = [u for u in old_assigned if u.pk not in {n.pk for n in new_assigned}]
        parts = []
        if added:
            parts.append(_("assigned %(names)s") % {"names": _names(added)})
        if removed:
            parts.append(_("no longer assigned: %(names)s") % {"names": _names(removed)})
        timeline.log(case, timeline.ASSIGNED, _("Staff: %(changes)s.") % {"changes": "; ".join(parts)},
                     actor=user, obj=case)
    if "risk_level" in changes:
        labels = dict(RiskLevel.choices)
        timeline.log(case, timeline.EDITED, _("Risk level changed from %(old)s to %(new)s.") % {
            "old": labels.get(old_risk, old_risk), "new": labels[case.risk_level]}, actor=user, obj=case)
    if "vulnerabilities" in changes:
        labels = dict(Vulnerability.choices)
        added = [str(labels[c]) for c in case.vulnerabilities if c not in old_vulnerabilities]
        removed = [str(labels.get(c, c)) for c in old_vulnerabilities if c not in case.vulnerabilities]
        parts = []
        if added:
            parts.append(_("added %(flags)s") % {"flags": ", ".join(added)})
        if removed:
            parts.append(_("removed %(flags)s") % {"flags": ", ".join(removed)})
        timeline.log(case, timeline.EDITED, _("Vulnerabilities: %(changes)s.") % {"changes": "; ".join(parts)},
                     actor=user, obj=case)
    if "channel" in changes or "referring_organisation" in changes:
        timeline.log(case, timeline.EDITED, _("How the case came changed to: %(how)s.") % {
            "how": _channel_text(case.channel, case.referring_organisation)}, actor=user, obj=case)
    if "summary" in changes:
        timeline.log(case, timeline.EDITED, _("Summary edited."), actor=user, obj=case)


# --- Workflow steps -----------------------------------------------------------------------------
@dataclass(frozen=True)
class ActionChoice:
    """A step the case may take from its status, with the reasons its guards give now (empty: it may)."""

    transition: Transition
    reasons: tuple[str, ...]
    closing: bool
    closure_choices: tuple = ()  # (code, label) of the reasons a closing step may give

    @property
    def action(self) -> str:
        return self.transition.action

    @property
    def label(self) -> str:
        return str(self.transition.label)

    @property
    def blocked(self) -> bool:
        return bool(self.reasons)


def _guard_reasons(step: Transition, case: Case) -> tuple[list[str], list[str]]:
    """(reasons in words, names of the guards that gave them)."""
    reasons: list[str] = []
    guards: list[str] = []
    for guard in step.guards:
        found = [str(reason) for reason in guard(case)]
        if found:
            reasons.extend(found)
            guards.append(getattr(guard, "__name__", "guard"))
    return reasons, guards


def available_actions(case: Case) -> list[ActionChoice]:
    """The steps the case's workflow offers from its status, each with what would refuse it now, so the page
    says so before anyone clicks."""
    workflow = workflow_for(case.programme)
    return [
        ActionChoice(step, tuple(_guard_reasons(step, case)[0]), workflow.is_closed(step.target),
                     workflow.reasons_for(step) if workflow.is_closed(step.target) else ())
        for step in workflow.available(case.status)
    ]


class _RefusedError(Exception):
    def __init__(self, error: ValidationError, codes: list[str]):
        super().__init__(codes)
        self.error, self.codes = error, codes


def transition(
    user: User,
    case: Case,
    action: str,
    *,
    version: int,
    note: str = "",
    closure_reason: str = "",
    on: datetime.date | None = None,
    request=None,
) -> Case:
    """Take a step of the case's workflow, under a row lock: the step must start from the case's status, its
    guards must agree, a closing step names a reason of the workflow and a step that asks for it says why.
    Closing sets the closing date and reason; leaving a closed status clears them and counts the reopening.
    `on` is the day the step happened (a dated step: an interview, a departure); by default today. It may not
    be in the future, nor before the case was opened or its previous step."""
    case = _case_to_change(user, case, request)
    workflow = workflow_for(case.programme)
    note = (note or "").strip()
    try:
        with transaction.atomic():
            current = locked_current(Case.objects.all(), case.pk, version)
            step = workflow.get(action)
            if step is None or current.status not in step.sources:
                raise _RefusedError(ValidationError({"action": [
                    _("“%(action)s” cannot be done while the case is %(status)s.") % {
                        "action": step.label if step else action, "status": workflow.label(current.status)}]}),
                    [f"not_available_from:{current.status}"])
            errors: dict[str, list[str]] = {}
            closing = workflow.is_closed(step.target)
            reasons = dict(workflow.reasons_for(step))
            if closing and (closure_reason not in reasons if reasons else not closure_reason):
                errors["closure_reason"] = [_("Choose the reason for closing the case.")]
            if step.needs_note and not note:
                errors["note"] = [_("Say why: “%(action)s” needs a note.") % {"action": step.label}]
            if len(note) > NOTE_MAX:
                errors["note"] = [_("The note is too long (at most %(count)d characters).") % {"count": NOTE_MAX}]
            on = on or timezone.localdate()
            errors.update(_date_errors(current, on))
            said, guards = _guard_reasons(step, current)
            if said:
                errors.setdefault("action", []).extend(said)
                raise _RefusedError(ValidationError(errors), [f"guard:{name}" for name in guards])
            if errors:
                raise ValidationError(errors)
            return _take(user, current, step, note=note, closure_reason=closure_reason if closing else "",
                         on=on, request=request)
    except _RefusedError as refusal:
        refused(user, case, f"transition:{action}", refusal.codes, request=request)
        raise refusal.error from None
    except ConflictError:
        refused(user, case, f"transition:{action}", ["stale_version"], request=request)
        raise


def _date_errors(case: Case, on: datetime.date) -> dict[str, list[str]]:
    if on > timezone.localdate():
        return {"on": [_("The date of the step cannot be in the future.")]}
    last = case.status_changes.order_by("-on").values_list("on", flat=True).first() or case.opened_on
    if on < last:
        return {"on": [_("The date of the step cannot be before %(date)s, the case's previous step.")
                       % {"date": formats.date_format(last, "DATE_FORMAT")}]}
    return {}


def _take(user: User, case: Case, step: Transition, *, note: str, closure_reason: str, on: datetime.date,
          request) -> Case:
    workflow = workflow_for(case.programme)
    old_status, was_closed = case.status, workflow.is_closed(case.status)
    closing = workflow.is_closed(step.target)
    case.status = step.target
    fields = ["status", "updated_at"]
    changes: dict[str, object] = {"status": [old_status, step.target], "transition": [None, step.action]}
    if closing:
        case.closed_on, case.closure_reason, case.closure_note = on, closure_reason, note
        fields += ["closed_on", "closure_reason", "closure_note"]
        changes["closure_reason"] = [None, closure_reason]
    elif was_closed:
        changes["closure_reason"] = [case.closure_reason or None, None]
        case.closed_on, case.closure_reason, case.closure_note = None, "", ""
        case.reopened_count += 1
        fields += ["closed_on", "closure_reason", "closure_note", "reopened_count"]
    if note:
        changes["note"] = None  # said, not repeated in the trail
    if on != timezone.localdate():
        changes["on"] = [None, on.isoformat()]
    bump(case, fields)
    StatusChange.objects.create(case=case, action=step.action, from_status=old_status, to_status=step.target, on=on,
                                individuals=case.members.count(), by=user)
    record(Action.UPDATE, case, actor=user, request=request, changes=changes)
    line = _("Status changed from %(old)s to %(new)s (%(action)s).") % {
        "old": workflow.label(old_status), "new": workflow.label(step.target), "action": step.label}
    if on != timezone.localdate():
        line += " " + _("On %(date)s.") % {"date": formats.date_format(on, "DATE_FORMAT")}
    if closing:
        line += " " + _("Reason: %(reason)s.") % {"reason": workflow.closure_label(closure_reason)}
    if note:
        line += " " + _("Note: %(note)s") % {"note": note}
    timeline.log(case, timeline.STATUS, line, actor=user, obj=case)
    return case


# --- Members ------------------------------------------------------------------------------------
def register_in_programme(user: User, person: Person, programme: str, office, *, request=None) -> None:
    """Make the person known to the case's programme (inside the caller's transaction): its staff then see them."""
    registration, created = ProgrammeRegistration.objects.get_or_create(
        person=person, programme=programme, defaults={"office": office, "registered_by": user})
    if created:
        record(Action.CREATE, registration, actor=user, request=request,
               changes={"programme": [None, programme], "case_member": [None, "yes"]})


def add_member(user: User, case: Case, person: Person, role: str, *, request=None) -> CaseMember:
    """Add a person of the registry (one the user may see) to the case: a spouse, a child, someone else; the
    principal only when the case has none."""
    case = _case_to_change(user, case, request)
    person = policy.get_for(user, Person, "view", pk=person.pk, request=request)
    with transaction.atomic():
        Case.objects.select_for_update(of=("self",)).get(pk=case.pk)  # members of one case change one at a time
        errors: dict[str, list[str]] = {}
        if role not in MemberRole.values:
            errors["role"] = [_("Choose the person's role in the case.")]
        elif role == MemberRole.PRINCIPAL and case.members.filter(role=MemberRole.PRINCIPAL).exists():
            errors["role"] = [_("The case already has a principal: add this person as a spouse, child or other.")]
        if person.merged_into_id:
            errors["person"] = [_("This record was merged into another one: add that one instead.")]
        elif case.members.filter(person=person).exists():
            errors["person"] = [_("%(person)s is already a member of this case.") % {"person": person.reference}]
        if errors:
            raise ValidationError(errors)
        register_in_programme(user, person, case.programme, case.office, request=request)
        member = CaseMember.objects.create(case=case, person=person, role=role)
        record(Action.CREATE, member, actor=user, request=request,
               changes={"case": [None, str(case.pk)], "person": [None, str(person.pk)], "role": [None, role]})
        timeline.log(case, timeline.MEMBER, _("%(person)s added to the case as %(role)s.") % {
            "person": person.reference, "role": member.get_role_display().lower()}, actor=user, obj=member)
    return member


def remove_member(user: User, member: CaseMember, *, request=None) -> None:
    """Remove a person added by mistake or who left the household; the principal stays."""
    member = policy.get_for(user, CaseMember.objects.select_related("case", "person"), "delete", pk=member.pk,
                            request=request)
    if member.role == MemberRole.PRINCIPAL:
        raise ValidationError({"member": _("The principal cannot be removed from their own case.")})
    case = member.case
    with transaction.atomic():
        Case.objects.select_for_update(of=("self",)).get(pk=case.pk)
        record(Action.DELETE, member, actor=user, request=request,
               changes={"case": [str(case.pk), None], "person": [str(member.person_id), None],
                        "role": [member.role, None]})
        timeline.log(case, timeline.MEMBER, _("%(person)s removed from the case (was %(role)s).") % {
            "person": member.person.reference, "role": member.get_role_display().lower()}, actor=user, obj=case)
        member.delete()


# --- Saved views of the case list ---------------------------------------------------------------
SAVED_VIEW_KEYS = ("programme", "status", "owner", "risk", "vulnerability", "overdue", "q")


def clean_query(pairs: Iterable[tuple[str, str]]) -> str:
    """Only the list's own filters, with a value, in a fixed order (what a saved view keeps)."""
    kept = [(key, value.strip()) for key, value in pairs if key in SAVED_VIEW_KEYS and (value or "").strip()]
    kept.sort(key=lambda pair: SAVED_VIEW_KEYS.index(pair[0]))
    return urlencode(kept)


def save_view(user: User, name: str, pairs: Iterable[tuple[str, str]], *, request=None) -> SavedView:
    """Keep the list's current filters under a name; saving under a name already used replaces that view."""
    policy.require(user, policy.VIEW_CASES, request=request)
    name = " ".join((name or "").split())
    query = clean_query(pairs)
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("Give the view a name.")]
    elif len(name) > SavedView._meta.get_field("name").max_length:
        errors["name"] = [_("Keep the name shorter (at most 80 characters).")]
    if len(query) > SavedView._meta.get_field("query").max_length:
        errors["name"] = [_("These filters are too long to be saved.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        view, created = SavedView.objects.update_or_create(user=user, name=name, defaults={"query": query})
        record(Action.CREATE if created else Action.UPDATE, view, actor=user, request=request,
               changes={"name": [None, name], "query": [None, query]})
    return view


def delete_view(user: User, view: SavedView, *, request=None) -> None:
    view = policy.get_for(user, SavedView, "delete", pk=view.pk, request=request)
    with transaction.atomic():
        record(Action.DELETE, view, actor=user, request=request, changes={"name": [view.name, None]})
        view.delete()


# --- Registering a person on the way ------------------------------------------------------------
def _register(user: User, person_data: dict, programme: str, request) -> Person:
    from django.core.exceptions import PermissionDenied

    from waypoint.people import services as people_services

    try:
        return people_services.register(user, person_data, programme=programme, request=request)
    except PermissionDenied:
        raise ValidationError({"programme": _("You may register people only in your own programmes.")}) from None


def open_case_for_new_person(user: User, person_data: dict, *, programme: str, request=None, **case_fields) -> Case:
    """Register the person and open their case in one transaction: a case that cannot be opened leaves no
    person record behind."""
    if not may_open_cases(user, programme):
        policy.record_denial(user, "capability", f"open_case:{programme}", request)
        raise ValidationError({"programme": _("You do not work in this programme, so you cannot open its cases.")})
    with transaction.atomic():
        person = _register(user, person_data, programme, request)
        return open_case(user, programme=programme, principal=person, request=request, **case_fields)


def add_new_member(user: User, case: Case, person_data: dict, role: str, *, request=None) -> CaseMember:
    """Register a person (in the case's programme) and add them to the case, in one transaction."""
    case = _case_to_change(user, case, request)
    with transaction.atomic():
        person = _register(user, person_data, case.programme, request)
        return add_member(user, case, person, role, request=request)
