"""Opening a case. (The rest of the case work — editing, workflow steps, plan, notes, attachments —
grows here too; every write is one transaction with its audit event and its timeline line.)"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from waypoint.accounts import policy
from waypoint.accounts.models import Programme, Role, User
from waypoint.audit.models import Action
from waypoint.audit.services import record
from waypoint.partners.models import Organisation
from waypoint.people.models import Person, ProgrammeRegistration

from . import timeline
from .models import Case, CaseMember, Channel, MemberRole, Referral, RiskLevel, Vulnerability
from .references import next_reference
from .workflow import workflow_for

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
