"""Registering migrant enterprises and their members (people of the registry).

The enterprises are the programme's registry beside its cases: the staff of the direct assistance programme
(`VIEW_ENTERPRISES`) see and register them. Members are people of the registry the user may see; a person
registered on the way is registered in the programme. Access first, then one transaction with the audit event.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from waypoint.accounts import policy
from waypoint.accounts.models import Programme, User
from waypoint.audit.models import Action
from waypoint.audit.services import changed_fields, record
from waypoint.cases.casework import refused
from waypoint.cases.locking import ConflictError, bump, locked_current
from waypoint.people.models import Person, ProgrammeRegistration

from .models import Activity, Enterprise, EnterpriseMember, EnterpriseRole, Settlement

__all__ = ["ConflictError", "add_member", "edit_enterprise", "register_enterprise", "remove_member"]

NAME_MAX = 200
DESCRIPTION_MAX = 4_000
DAP = Programme.DIRECT_ASSISTANCE


def _require(user: User, request) -> None:
    policy.require(user, policy.VIEW_ENTERPRISES, request=request)


def _validate(name: str, settlement: Settlement | None, activity: str, description: str,
              registered_on: datetime.date | None) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("Give the enterprise's name.")]
    elif len(name) > NAME_MAX:
        errors["name"] = [_("The name is too long (at most %(count)d characters).") % {"count": NAME_MAX}]
    if settlement is None:
        errors["settlement"] = [_("Choose the compact settlement the enterprise works in.")]
    elif not settlement.in_use:
        errors["settlement"] = [_("%(settlement)s is no longer in the list of settlements.")
                                % {"settlement": settlement.name}]
    if activity not in Activity.values:
        errors["activity"] = [_("Choose the enterprise's activity.")]
    if len(description) > DESCRIPTION_MAX:
        errors["description"] = [_("The description is too long (at most %(count)d characters).")
                                 % {"count": DESCRIPTION_MAX}]
    if registered_on is not None and registered_on > timezone.localdate():
        errors["registered_on"] = [_("The enterprise cannot be registered in the future.")]
    return errors


def register_enterprise(user: User, *, name: str, settlement: Settlement | None, activity: str,
                        description: str = "", registered_on: datetime.date | None = None,
                        request=None) -> Enterprise:
    _require(user, request)
    name, description = " ".join((name or "").split()), (description or "").strip()
    errors = _validate(name, settlement, activity, description, registered_on)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        enterprise = Enterprise.objects.create(
            name=name, settlement=settlement, activity=activity, description=description,
            registered_on=registered_on or timezone.localdate(), registered_by=user)
        record(Action.CREATE, enterprise, actor=user, request=request, changes={
            "name": [None, name], "settlement": [None, str(settlement.pk)], "activity": [None, activity]})
    return enterprise


def edit_enterprise(user: User, enterprise: Enterprise, *, version: int, name: str, settlement: Settlement | None,
                    activity: str, description: str = "", request=None) -> Enterprise:
    _require(user, request)
    enterprise = policy.get_for(user, Enterprise, "change", pk=enterprise.pk, request=request)
    name, description = " ".join((name or "").split()), (description or "").strip()
    errors = _validate(name, settlement, activity, description, None)
    if settlement is not None and settlement.pk == enterprise.settlement_id:
        errors.pop("settlement", None)  # a settlement taken out of the list stays on the enterprises in it
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            current = locked_current(Enterprise.objects.all(), enterprise.pk, version)
            before = {"name": current.name, "settlement": current.settlement_id, "activity": current.activity,
                      "description": current.description}
            current.name, current.settlement, current.activity = name, settlement, activity
            current.description = description
            after = {"name": name, "settlement": settlement.pk, "activity": activity, "description": description}
            changes = changed_fields(before, after)
            if changes:
                bump(current, ["name", "settlement", "activity", "description"])
                record(Action.UPDATE, current, actor=user, request=request, changes=changes)
            return current
    except ConflictError:
        refused(user, enterprise, "edit", ["stale_version"], request=request)
        raise


def _member_errors(enterprise: Enterprise, person: Person, role: str,
                   joined_on: datetime.date | None) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if role not in EnterpriseRole.values:
        errors["role"] = [_("Choose the person's role in the enterprise: founder, member or employee.")]
    if person.merged_into_id:
        errors["person"] = [_("This record was merged into another one: add that one instead.")]
    elif enterprise.members.filter(person=person).exists():
        errors["person"] = [_("%(person)s is already a member of this enterprise.") % {"person": person.reference}]
    if joined_on is not None and joined_on > timezone.localdate():
        errors["joined_on"] = [_("The date cannot be in the future.")]
    return errors


def add_member(user: User, enterprise: Enterprise, *, person: Person | None = None,
               person_data: dict[str, Any] | None = None, role: str, joined_on: datetime.date | None = None,
               request=None) -> EnterpriseMember:
    """Add a person of the registry the user may see, or register a new one in the programme on the way (in the
    same transaction: a refused member leaves no person record behind)."""
    _require(user, request)
    enterprise = policy.get_for(user, Enterprise, "change", pk=enterprise.pk, request=request)
    if person is not None:
        person = policy.get_for(user, Person, "view", pk=person.pk, request=request)
    elif not person_data:
        raise ValidationError({"person": [_("Give the person's record number, or register the person.")]})
    with transaction.atomic():
        Enterprise.objects.select_for_update(of=("self",)).get(pk=enterprise.pk)
        if person is None:
            from waypoint.people import services as people_services

            person = people_services.register(user, person_data, programme=DAP, request=request)
        errors = _member_errors(enterprise, person, role, joined_on)
        if errors:
            raise ValidationError(errors)
        registration, created = ProgrammeRegistration.objects.get_or_create(
            person=person, programme=DAP, defaults={"office": user.office, "registered_by": user})
        if created:
            record(Action.CREATE, registration, actor=user, request=request,
                   changes={"programme": [None, DAP], "enterprise_member": [None, "yes"]})
        member = EnterpriseMember.objects.create(enterprise=enterprise, person=person, role=role, joined_on=joined_on)
        record(Action.CREATE, member, actor=user, request=request, changes={
            "enterprise": [None, str(enterprise.pk)], "person": [None, str(person.pk)], "role": [None, role]})
    return member


def remove_member(user: User, member: EnterpriseMember, *, request=None) -> None:
    """A member who left, or one added by mistake; the grant cases keep their own members."""
    _require(user, request)
    member = policy.get_for(user, EnterpriseMember.objects.select_related("enterprise"), "delete", pk=member.pk,
                            request=request)
    with transaction.atomic():
        record(Action.DELETE, member, actor=user, request=request, changes={
            "enterprise": [str(member.enterprise_id), None], "person": [str(member.person_id), None],
            "role": [member.role, None]})
        member.delete()
