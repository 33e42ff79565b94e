"""Services delivered on a case: what, for whom, when, by whom (a staff member or a partner), cost, outcome.

Every programme records its services here, against the editable catalogue (`ServiceType`). Two kinds of
service are not recorded directly: a stay in a centre (`is_accommodation`) is recorded by checking the
person in, a journey (`is_movement`) by planning a movement; those services create their delivery
through `create_linked` and keep it in step (its status, date and person follow the stay or movement).

Access is checked before the transaction opens, so the audited record of a refusal is not rolled back
with the refused write. Every write is one transaction with its audit event and its timeline line.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pycountry
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from waypoint.accounts import policy
from waypoint.accounts.models import User
from waypoint.audit.models import Action
from waypoint.audit.services import changed_fields, record
from waypoint.partners.models import Organisation
from waypoint.people.models import Person

from . import timeline
from .casework import display_name, owner_choices
from .locking import bump, locked_current
from .models import Case, DeliveryStatus, Referral, ServiceDelivery, ServiceType

# What the audit trail records of a delivery; the outcome may describe a person's health or situation,
# so its value is never copied there (only that it changed).
AUDITED_FIELDS = ("service_type", "person", "status", "delivered_on", "delivered_by", "partner", "cost", "currency",
                  "outcome", "referral")
SENSITIVE_FIELDS = ("outcome",)
# A delivery that belongs to a stay or a movement follows it: these are changed there, not here.
FOLLOWS_ITS_STAY_OR_MOVEMENT = ("service_type", "person", "status", "delivered_on")


# --- The catalogue ------------------------------------------------------------------------------
def is_offered(service_type: ServiceType, programme: str) -> bool:
    """In use, and offered in the programme (a type with no programmes listed is offered in all)."""
    return service_type.in_use and (not service_type.programmes or programme in service_type.programmes)


def offered_types(programme: str, *, direct_only: bool = False) -> list[ServiceType]:
    """The catalogue as a programme's forms offer it. `direct_only` leaves out stays and journeys, which are
    recorded through their own forms. (Programmes are a JSON list: filtered here, the catalogue is short.)"""
    types = ServiceType.objects.filter(in_use=True)
    if direct_only:
        types = types.filter(is_accommodation=False, is_movement=False)
    return [service_type for service_type in types if is_offered(service_type, programme)]


def staff_choices(programme: str):
    """Staff who deliver a programme's services (and escort its travellers): its case workers and managers."""
    return owner_choices(programme)


def valid_currency(code: str) -> bool:
    """An ISO 4217 alphabetic code (RUB, EUR, USD...)."""
    return bool(code) and len(code) == 3 and code.isalpha() and code.isupper() and (
        pycountry.currencies.get(alpha_3=code) is not None)


def is_member(case: Case, person: Person | None) -> bool:
    return person is not None and case.members.filter(person_id=person.pk).exists()


def managed_elsewhere(service_type: ServiceType) -> bool:
    """Stays and journeys are recorded through their own forms, which keep their delivery in step."""
    return service_type.is_accommodation or service_type.is_movement


# --- Checks shared by recording and editing ----------------------------------------------------
def _errors(
    case: Case, *, service_type: ServiceType | None, person: Person | None, delivered_on: datetime.date | None,
    status: str, delivered_by: User | None, partner: Organisation | None, cost: Decimal | None, currency: str,
    referral: Referral | None, current: ServiceDelivery | None = None,
) -> dict[str, list[str]]:
    """Every rule a delivery must satisfy, as {field: [messages]}. `current` is the saved delivery (editing):
    what it already has stays valid (a type since retired, a colleague who moved to another programme, a
    partner since deactivated), so correcting an outcome never forces rewriting history."""
    def kept(name: str, value) -> bool:
        return current is not None and value is not None and getattr(current, f"{name}_id") == value.pk

    errors: dict[str, list[str]] = {}
    if service_type is None:
        errors["service_type"] = [_("Choose the service.")]
    elif not kept("service_type", service_type) and not is_offered(service_type, case.programme):
        errors["service_type"] = [_("%(service)s is not offered in this programme.") % {"service": service_type.name}]
    if person is not None and not is_member(case, person):
        errors["person"] = [_("%(person)s is not a member of this case.") % {"person": person.reference}]
    if status not in DeliveryStatus.values:
        errors["status"] = [_("Unknown status.")]
    if delivered_on is None:
        errors["delivered_on"] = [_("Give the date of the service.")]
    elif status == DeliveryStatus.DELIVERED and delivered_on > timezone.localdate():
        errors["delivered_on"] = [_("A service cannot be delivered in the future: record it as planned.")]
    if (delivered_by is None) == (partner is None):
        message = _("Say who delivers the service: a staff member or a partner organisation, not both.")
        errors["delivered_by"] = [message]
        errors["partner"] = [message]
    elif (delivered_by is not None and not kept("delivered_by", delivered_by)
          and not staff_choices(case.programme).filter(pk=delivered_by.pk).exists()):
        errors["delivered_by"] = [_("%(name)s is not staff of this programme.") % {"name": display_name(delivered_by)}]
    elif partner is not None and not kept("partner", partner) and not partner.is_active:
        errors["partner"] = [_("%(organisation)s is no longer an active partner.") % {"organisation": partner.name}]
    if cost is not None and cost < 0:
        errors["cost"] = [_("The cost cannot be negative.")]
    if not valid_currency(currency or ""):
        errors["currency"] = [_("Give the currency as its three-letter ISO 4217 code, e.g. RUB or EUR.")]
    if referral is not None and referral.case_id != case.pk:
        errors["referral"] = [_("Referral %(reference)s is not one of this case's.")
                              % {"reference": referral.reference}]
    return errors


def _snapshot(delivery: ServiceDelivery) -> dict[str, Any]:
    return {
        "service_type": delivery.service_type.code if delivery.service_type_id else None,
        "person": str(delivery.person_id) if delivery.person_id else None, "status": delivery.status,
        "delivered_on": delivery.delivered_on, "cost": delivery.cost, "currency": delivery.currency,
        "delivered_by": str(delivery.delivered_by_id) if delivery.delivered_by_id else None,
        "partner": str(delivery.partner_id) if delivery.partner_id else None, "outcome": delivery.outcome,
        "referral": str(delivery.referral_id) if delivery.referral_id else None,
    }


def describe(delivery: ServiceDelivery) -> str:
    """The service in one line for the timeline: what, for whom, when, by whom."""
    values = {
        "service": delivery.service_type.name, "date": formats.date_format(delivery.delivered_on, "DATE_FORMAT"),
        "by": display_name(delivery.delivered_by) if delivery.delivered_by_id else delivery.partner.name,
        "status": delivery.get_status_display().lower(),
    }
    if delivery.person_id:
        return _("%(service)s for %(person)s on %(date)s by %(by)s (%(status)s)") % {
            **values, "person": delivery.person.reference}
    return _("%(service)s on %(date)s by %(by)s (%(status)s)") % values


def _editable_case(user: User, case: Case, request=None) -> Case:
    return policy.get_for(user, Case, "change", pk=case.pk, request=request)


def _require_open(case: Case) -> None:
    if case.is_closed:
        raise ValidationError(_("Case %(reference)s is closed: reopen it before recording anything new.")
                              % {"reference": case.reference})


# --- Recording ----------------------------------------------------------------------------------
def record_delivery(
    user: User,
    case: Case,
    *,
    service_type: ServiceType | None,
    person: Person | None,
    delivered_on: datetime.date | None,
    status: str = DeliveryStatus.DELIVERED,
    delivered_by: User | None = None,
    partner: Organisation | None = None,
    cost: Decimal | None = None,
    currency: str = "RUB",
    outcome: str = "",
    referral: Referral | None = None,
    request=None,
) -> ServiceDelivery:
    """Record a service given (or planned) on a case. `person` None: the service was for the whole case.

    Stays and journeys are refused here: checking in and planning a movement record them, so that a bed
    or a ticket is never counted without its service, nor the other way round.
    """
    case = _editable_case(user, case, request)
    _require_open(case)
    if service_type is not None and managed_elsewhere(service_type):
        where = _("check the person in to a room") if service_type.is_accommodation else _("plan a movement")
        raise ValidationError({"service_type": [_("%(service)s is recorded when you %(where)s.")
                                                % {"service": service_type.name, "where": where}]})
    with transaction.atomic():
        delivery = create_linked(
            user, case, service_type=service_type, person=person, delivered_on=delivered_on, status=status,
            delivered_by=delivered_by, partner=partner, cost=cost, currency=currency, outcome=outcome,
            referral=referral, request=request)
        timeline.log(case, timeline.SERVICE, _("Service recorded: %(service)s.") % {"service": describe(delivery)},
                     actor=user, obj=delivery)
    return delivery


def create_linked(
    user: User,
    case: Case,
    *,
    service_type: ServiceType | None,
    person: Person | None,
    delivered_on: datetime.date | None,
    status: str,
    delivered_by: User | None = None,
    partner: Organisation | None = None,
    cost: Decimal | None = None,
    currency: str = "RUB",
    outcome: str = "",
    referral: Referral | None = None,
    request=None,
) -> ServiceDelivery:
    """Create and audit a delivery, for a caller that has checked access and holds the transaction (a stay
    or a movement creates its own service through here, then writes its own timeline line)."""
    errors = _errors(case, service_type=service_type, person=person, delivered_on=delivered_on, status=status,
                     delivered_by=delivered_by, partner=partner, cost=cost, currency=currency, referral=referral)
    if errors:
        raise ValidationError(errors)
    delivery = ServiceDelivery.objects.create(
        case=case, service_type=service_type, person=person, delivered_on=delivered_on, status=status,
        delivered_by=delivered_by, partner=partner, cost=cost, currency=currency, outcome=(outcome or "").strip(),
        referral=referral, recorded_by=user,
    )
    record(Action.CREATE, delivery, actor=user, request=request,
           changes={"case": [None, case.reference],
                    **changed_fields({}, _snapshot(delivery), sensitive=SENSITIVE_FIELDS)})
    return delivery


def type_by_code(code: str) -> ServiceType | None:
    return ServiceType.objects.filter(code=code).first()


# --- Editing and cancelling --------------------------------------------------------------------
EDITABLE = ("service_type", "person", "status", "delivered_on", "delivered_by", "partner", "cost", "currency",
            "outcome", "referral")


def update_delivery(user: User, delivery: ServiceDelivery, *, version: int | None, request=None,
                    **changes: Any) -> ServiceDelivery:
    """Save changes made on a copy opened at `version` (ConflictError when someone saved since: nothing is
    written). A stay's or a journey's service keeps its type, person, status and date: those follow the
    stay or movement."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise TypeError(f"Not editable: {', '.join(sorted(unknown))}")
    delivery = policy.get_for(user, ServiceDelivery, "change", pk=delivery.pk, request=request)
    with transaction.atomic():
        current = locked_current(ServiceDelivery.objects.select_related("service_type", "case"), delivery.pk, version)
        return _apply(user, current, changes, request=request)


def cancel_delivery(user: User, delivery: ServiceDelivery, *, version: int | None, request=None) -> ServiceDelivery:
    """A service that did not happen is cancelled, never deleted: costs and counts keep their history."""
    return update_delivery(user, delivery, version=version, status=DeliveryStatus.CANCELLED, request=request)


def _apply(user: User, current: ServiceDelivery, changes: dict[str, Any], *, request=None) -> ServiceDelivery:
    case = current.case
    before = _snapshot(current)
    old_type, old_status = current.service_type, current.status
    values = {name: getattr(current, name) for name in EDITABLE}
    values.update(changes)
    if managed_elsewhere(old_type):
        errors = {
            name: [_("This service follows its stay or journey: change it there.")]
            for name in FOLLOWS_ITS_STAY_OR_MOVEMENT
            if name in changes and _key(changes[name]) != _key(getattr(current, name))
        }
        if errors:
            raise ValidationError(errors)
    elif values["service_type"] is not None and managed_elsewhere(values["service_type"]):
        raise ValidationError({"service_type": [_("%(service)s is recorded through its own form.")
                                                % {"service": values["service_type"].name}]})
    errors = _errors(case, service_type=values["service_type"], person=values["person"],
                     delivered_on=values["delivered_on"], status=values["status"],
                     delivered_by=values["delivered_by"], partner=values["partner"], cost=values["cost"],
                     currency=values["currency"], referral=values["referral"], current=current)
    if errors:
        raise ValidationError(errors)
    values["outcome"] = (values["outcome"] or "").strip()
    for name, value in values.items():
        setattr(current, name, value)
    diff = changed_fields(before, _snapshot(current), sensitive=SENSITIVE_FIELDS)
    if not diff:
        return current
    bump(current, list(EDITABLE))
    record(Action.UPDATE, current, actor=user, request=request, changes=diff)
    if current.status != old_status and current.status == DeliveryStatus.CANCELLED:
        summary = _("Service cancelled: %(service)s.") % {"service": describe(current)}
    else:
        summary = _("Service changed: %(service)s.") % {"service": describe(current)}
    timeline.log(case, timeline.SERVICE, summary, actor=user, obj=current)
    return current


def _key(value: Any) -> Any:
    return value.pk if hasattr(value, "pk") else value


def follow(delivery: ServiceDelivery, *, user: User, request=None, **values: Any) -> None:
    """Keep a stay's or journey's service in step with it (inside the caller's transaction), audited."""
    before = _snapshot(delivery)
    for name, value in values.items():
        setattr(delivery, name, value)
    diff = changed_fields(before, _snapshot(delivery), sensitive=SENSITIVE_FIELDS)
    if diff:
        bump(delivery, list(values))
        record(Action.UPDATE, delivery, actor=user, request=request, changes=diff)
