"""Movements: airport receptions, journeys within the country and abroad, with or without an escort.

Written once for every programme (counter-trafficking transport home, return travel, resettlement
departures): nothing here knows a programme beyond the case's code. A movement is its service too: planning
one records the matching delivery of the catalogue (airport reception, transport within the country,
transport to the country of origin) linked to it, plus a medical escort service when a medical escort
travels; their status, date, person and cost follow the movement, and completing the journey marks them
delivered.

The journey's steps: planned → booked → in transit → completed; any step not completed may be cancelled.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from waypoint.accounts import policy
from waypoint.accounts.models import User
from waypoint.audit.models import Action
from waypoint.audit.services import changed_fields, record
from waypoint.people.codes import COUNTRY_CODES, country_name
from waypoint.people.models import Person

from . import deliveries, timeline
from .casework import display_name, refused
from .locking import bump, locked_current
from .models import (
    Case,
    DeliveryStatus,
    EscortKind,
    Movement,
    MovementKind,
    MovementStatus,
    ServiceDelivery,
    ServiceType,
)

# The catalogue's service for each kind of movement, and for a medical escort.
SERVICE_FOR_KIND = {
    MovementKind.AIRPORT_RECEPTION: "airport_reception",
    MovementKind.DOMESTIC: "domestic_transport",
    MovementKind.INTERNATIONAL: "return_transport",
}
MEDICAL_ESCORT = "medical_escort"
NEXT_STEPS: dict[str, tuple[str, ...]] = {
    MovementStatus.PLANNED: (MovementStatus.BOOKED, MovementStatus.CANCELLED),
    MovementStatus.BOOKED: (MovementStatus.IN_TRANSIT, MovementStatus.CANCELLED),
    MovementStatus.IN_TRANSIT: (MovementStatus.COMPLETED, MovementStatus.CANCELLED),
}
# What the journey's services say while it is under way, done, or called off.
DELIVERY_STATUS = {
    MovementStatus.PLANNED: DeliveryStatus.PLANNED, MovementStatus.BOOKED: DeliveryStatus.PLANNED,
    MovementStatus.IN_TRANSIT: DeliveryStatus.PLANNED, MovementStatus.COMPLETED: DeliveryStatus.DELIVERED,
    MovementStatus.CANCELLED: DeliveryStatus.CANCELLED,
}
EDITABLE = ("kind", "travellers", "origin", "origin_country", "destination", "destination_country", "departs_at",
            "arrives_at", "carrier", "ticket_numbers", "escort", "escort_user", "escort_name", "cost", "currency",
            "note")
SENSITIVE_FIELDS = ("ticket_numbers", "note")  # a ticket number finds the person on a flight: never in the trail


# A reception at the airport has no journey of its own to be under way: the person is met, or not.
RECEPTION_STEPS: dict[str, tuple[str, ...]] = {
    MovementStatus.PLANNED: (MovementStatus.BOOKED, MovementStatus.COMPLETED, MovementStatus.CANCELLED),
    MovementStatus.BOOKED: (MovementStatus.COMPLETED, MovementStatus.CANCELLED),
    MovementStatus.IN_TRANSIT: (MovementStatus.COMPLETED, MovementStatus.CANCELLED),
}


# What a programme checks before a journey is booked or gets under way (a traveller's valid medical
# clearance, a travel document): `check(movement, travellers)` returns the reasons it may not, or an empty
# list. Programme apps register theirs in `AppConfig.ready()`; the core knows none.
BookingCheck = Callable[[Movement, Sequence[Person]], list[str]]
_BOOKING_CHECKS: dict[str, list[BookingCheck]] = {}
CHECKED_STEPS = (MovementStatus.BOOKED, MovementStatus.IN_TRANSIT)


class _BlockedError(Exception):
    def __init__(self, reasons: list[str]):
        super().__init__(reasons)
        self.reasons = reasons


def register_booking_check(programme: str, check: BookingCheck) -> None:
    checks = _BOOKING_CHECKS.setdefault(programme, [])
    if check not in checks:
        checks.append(check)


def booking_problems(movement: Movement, travellers: Sequence[Person]) -> list[str]:
    """Why this journey may not be booked (or set off) now, by the case's programme's checks."""
    return [reason for check in _BOOKING_CHECKS.get(movement.case.programme, ())
            for reason in check(movement, travellers)]


def next_steps(movement: Movement) -> tuple[str, ...]:
    steps = RECEPTION_STEPS if movement.kind == MovementKind.AIRPORT_RECEPTION else NEXT_STEPS
    return steps.get(movement.status, ())


def day_of(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment).date() if timezone.is_aware(moment) else moment.date()


# --- Validation ---------------------------------------------------------------------------------
# A programme whose journeys are another service of the catalogue (a resettlement departure is not a return to
# the country of origin) registers it: (programme, kind) -> catalogue code.
_TRAVEL_SERVICES: dict[tuple[str, str], str] = {}


def register_travel_service(programme: str, kind: str, code: str) -> None:
    _TRAVEL_SERVICES[(programme, kind)] = code


def _service_type(kind: str, programme: str) -> ServiceType | None:
    code = _TRAVEL_SERVICES.get((programme, kind)) or SERVICE_FOR_KIND.get(kind)
    return deliveries.type_by_code(code) if code else None


def _errors(case: Case, values: dict[str, Any], *, status: str, current: Movement | None = None
            ) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    kind = values["kind"]
    if kind not in MovementKind.values:
        errors["kind"] = [_("Choose the kind of movement.")]
    else:
        service_type = _service_type(kind, case.programme)
        kept = current is not None and current.kind == kind
        if service_type is None or not (kept or deliveries.is_offered(service_type, case.programme)):
            errors["kind"] = [_("%(kind)s is not in this programme's service catalogue.")
                              % {"kind": MovementKind(kind).label}]
    travellers = values["travellers"]
    if not travellers:
        errors["travellers"] = [_("Choose at least one traveller.")]
    else:
        strangers = [person.reference for person in travellers if not deliveries.is_member(case, person)]
        if strangers:
            errors["travellers"] = [_("Not members of this case: %(people)s.") % {"people": ", ".join(strangers)}]
    for name, label in (("origin", _("Say where the journey starts.")), ("destination", _("Say where it ends."))):
        if not values[name]:
            errors[name] = [label]
    for name in ("origin_country", "destination_country"):
        if values[name] and values[name] not in COUNTRY_CODES:
            errors[name] = [_("Unknown country code %(code)s: use ISO 3166 (e.g. RU, UZ).") % {"code": values[name]}]
    origin_country, destination_country = values["origin_country"], values["destination_country"]
    if kind == MovementKind.INTERNATIONAL and not errors.keys() & {"origin_country", "destination_country"}:
        if not origin_country:
            errors["origin_country"] = [_("International travel needs the country it starts from.")]
        if not destination_country:
            errors["destination_country"] = [_("International travel needs the country it goes to.")]
        if origin_country and origin_country == destination_country:
            errors["destination_country"] = [_("International travel goes to another country: for a journey "
                                               "within %(country)s choose travel within the country.")
                                             % {"country": country_name(origin_country)}]
    elif kind == MovementKind.DOMESTIC and origin_country and destination_country and (
            origin_country != destination_country):
        errors["destination_country"] = [_("A journey from %(origin)s to %(destination)s is international travel.")
                                         % {"origin": country_name(origin_country),
                                            "destination": country_name(destination_country)}]
    departs_at, arrives_at = values["departs_at"], values["arrives_at"]
    if departs_at is None:
        errors["departs_at"] = [_("Give the departure date and time.")]
    elif arrives_at is not None and arrives_at <= departs_at:
        errors["arrives_at"] = [_("The arrival must be after the departure.")]
    elif status in (MovementStatus.IN_TRANSIT, MovementStatus.COMPLETED) and day_of(departs_at) > timezone.localdate():
        errors["departs_at"] = [_("A journey under way or completed cannot depart in the future.")]
    escort, escort_user, escort_name = values["escort"], values["escort_user"], values["escort_name"]
    if escort not in EscortKind.values:
        errors["escort"] = [_("Unknown kind of escort.")]
    elif escort == EscortKind.NONE:
        if escort_user is not None or escort_name:
            errors["escort"] = [_("Choose the kind of escort, or leave who escorts empty.")]
    else:
        if escort_user is None and not escort_name:
            message = _("Say who escorts the travellers: a staff member or a name.")
            errors["escort_user"] = [message]
            errors["escort_name"] = [message]
        elif escort_user is not None and not (
                current is not None and current.escort_user_id == escort_user.pk) and not (
                deliveries.staff_choices(case.programme).filter(pk=escort_user.pk).exists()):
            errors["escort_user"] = [_("%(name)s is not staff of this programme.")
                                     % {"name": display_name(escort_user)}]
        if escort == EscortKind.MEDICAL:
            escort_type = deliveries.type_by_code(MEDICAL_ESCORT)
            had_it = current is not None and current.escort == EscortKind.MEDICAL
            if escort_type is None or not (had_it or deliveries.is_offered(escort_type, case.programme)):
                errors["escort"] = [_("Medical escort is not in this programme's service catalogue.")]
    if values["cost"] is not None and values["cost"] < 0:
        errors["cost"] = [_("The cost cannot be negative.")]
    if not deliveries.valid_currency(values["currency"] or ""):
        errors["currency"] = [_("Give the currency as its three-letter ISO 4217 code, e.g. RUB or EUR.")]
    return errors


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    values = dict(values)
    for name in ("origin", "destination", "carrier", "escort_name", "ticket_numbers", "note"):
        values[name] = (values.get(name) or "").strip()
    for name in ("origin_country", "destination_country", "currency"):
        values[name] = (values.get(name) or "").strip().upper()
    values["travellers"] = list(dict.fromkeys(values.get("travellers") or []))
    return values


def _snapshot(movement: Movement, travellers: Sequence[Person]) -> dict[str, Any]:
    snapshot = {name: getattr(movement, name) for name in EDITABLE if name not in ("travellers", "escort_user")}
    snapshot["escort_user"] = str(movement.escort_user_id) if movement.escort_user_id else None
    snapshot["travellers"] = ",".join(str(person.pk) for person in sorted(travellers, key=lambda p: p.pk))
    snapshot["status"] = movement.status
    return snapshot


def itinerary(movement: Movement) -> str:
    def place(name: str, country: str) -> str:
        return f"{name} ({country_name(country)})" if country else name

    return _("%(origin)s → %(destination)s") % {
        "origin": place(movement.origin, movement.origin_country),
        "destination": place(movement.destination, movement.destination_country)}


def _line(movement: Movement, travellers: Iterable[Person]) -> str:
    return _("%(kind)s %(itinerary)s on %(date)s for %(people)s") % {
        "kind": movement.get_kind_display(), "itinerary": itinerary(movement),
        "date": formats.date_format(day_of(movement.departs_at), "DATE_FORMAT"),
        "people": ", ".join(person.reference for person in travellers)}


# --- Planning -----------------------------------------------------------------------------------
def plan_movement(
    user: User,
    case: Case,
    *,
    kind: str,
    travellers: Sequence[Person],
    origin: str,
    destination: str,
    departs_at: datetime.datetime | None,
    origin_country: str = "",
    destination_country: str = "",
    arrives_at: datetime.datetime | None = None,
    carrier: str = "",
    ticket_numbers: str = "",
    escort: str = EscortKind.NONE,
    escort_user: User | None = None,
    escort_name: str = "",
    cost: Decimal | None = None,
    currency: str = "RUB",
    note: str = "",
    request=None,
) -> Movement:
    """Plan a journey of case members, with its service(s) recorded as planned."""
    case = policy.get_for(user, Case, "change", pk=case.pk, request=request)
    if case.is_closed:
        raise ValidationError(_("Case %(reference)s is closed: reopen it before recording anything new.")
                              % {"reference": case.reference})
    values = _clean({
        "kind": kind, "travellers": travellers, "origin": origin, "origin_country": origin_country,
        "destination": destination, "destination_country": destination_country, "departs_at": departs_at,
        "arrives_at": arrives_at, "carrier": carrier, "ticket_numbers": ticket_numbers, "escort": escort,
        "escort_user": escort_user, "escort_name": escort_name, "cost": cost, "currency": currency, "note": note,
    })
    errors = _errors(case, values, status=MovementStatus.PLANNED)
    if errors:
        raise ValidationError(errors)
    travellers = values.pop("travellers")
    with transaction.atomic():
        movement = Movement.objects.create(case=case, status=MovementStatus.PLANNED, recorded_by=user, **values)
        movement.travellers.set(travellers)
        _sync_services(user, movement, travellers, before=None, request=request)
        record(Action.CREATE, movement, actor=user, request=request, changes={
            "case": [None, case.reference],
            **changed_fields({}, _snapshot(movement, travellers), sensitive=SENSITIVE_FIELDS)})
        timeline.log(case, timeline.MOVEMENT, _("Movement planned: %(line)s.") % {
            "line": _line(movement, travellers)}, actor=user, obj=movement)
    return movement


# --- Editing and the journey's steps -----------------------------------------------------------
def update_movement(user: User, movement: Movement, *, version: int | None, request=None,
                    **changes: Any) -> Movement:
    """Save changes made on a copy opened at `version` (ConflictError when someone saved since: nothing
    is written). A cancelled movement is kept as it was."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise TypeError(f"Not editable: {', '.join(sorted(unknown))}")
    movement = policy.get_for(user, Movement, "change", pk=movement.pk, request=request)
    with transaction.atomic():
        current = locked_current(Movement.objects.select_related("case", "delivery"), movement.pk, version)
        if current.status == MovementStatus.CANCELLED:
            raise ValidationError(_("This movement was cancelled: plan a new one instead."))
        old_travellers = list(current.travellers.all())
        before = _snapshot(current, old_travellers)
        before_key = _escort_key(current, old_travellers)
        values = {name: getattr(current, name) for name in EDITABLE if name != "travellers"}
        values["travellers"] = old_travellers
        values.update(changes)
        values = _clean(values)
        errors = _errors(current.case, values, status=current.status, current=current)
        if errors:
            raise ValidationError(errors)
        travellers = values.pop("travellers")
        for name, value in values.items():
            setattr(current, name, value)
        diff = changed_fields(before, _snapshot(current, travellers), sensitive=SENSITIVE_FIELDS)
        if not diff:
            return current
        if current.status in CHECKED_STEPS and current.kind != MovementKind.AIRPORT_RECEPTION:
            problems = booking_problems(current, travellers)  # a booked journey moved past a clearance
            if problems:
                raise ValidationError({"departs_at": problems})
        bump(current, list(values))
        current.travellers.set(travellers)
        _sync_services(user, current, travellers, before=before_key, request=request)
        record(Action.UPDATE, current, actor=user, request=request, changes=diff)
        timeline.log(current.case, timeline.MOVEMENT, _("Movement changed: %(line)s.") % {
            "line": _line(current, travellers)}, actor=user, obj=current)
    return current


def set_movement_status(user: User, movement: Movement, status: str, *, version: int | None,
                        request=None) -> Movement:
    """Take the journey's next step (booked, in transit, completed) or cancel it; anything else is refused
    with the steps that are possible. Completing marks its services delivered. Booking and setting off ask the
    programme's booking checks first (`register_booking_check`); a refusal is audited."""
    movement = policy.get_for(user, Movement, "change", pk=movement.pk, request=request)
    try:
        with transaction.atomic():
            current = locked_current(Movement.objects.select_related("case", "delivery"), movement.pk, version)
            allowed = next_steps(current)
            if status not in allowed:
                labels = ", ".join(str(MovementStatus(step).label).lower() for step in allowed)
                raise ValidationError({"status": [
                    _("A %(status)s movement cannot become %(target)s.") % {
                        "status": current.get_status_display().lower(),
                        "target": (str(MovementStatus(status).label).lower() if status in MovementStatus.values
                                   else status)}
                    + " " + (_("Possible next steps: %(steps)s.") % {"steps": labels} if labels
                             else _("It has no further steps."))]})
            if status in (MovementStatus.IN_TRANSIT, MovementStatus.COMPLETED) and (
                    day_of(current.departs_at) > timezone.localdate()):
                raise ValidationError({"status": [_("The journey departs on %(date)s: it cannot be under way or "
                                                    "completed before then. Correct the departure first.")
                                                  % {"date": formats.date_format(day_of(current.departs_at),
                                                                                 "DATE_FORMAT")}]})
            travellers = list(current.travellers.all())
            if status in CHECKED_STEPS and current.kind != MovementKind.AIRPORT_RECEPTION:
                problems = booking_problems(current, travellers)
                if problems:
                    raise _BlockedError(problems)
            before_key = _escort_key(current, travellers)
            old_status = current.status
            current.status = status
            bump(current, ["status"])
            _sync_services(user, current, travellers, before=before_key, request=request)
            record(Action.UPDATE, current, actor=user, request=request, changes={"status": [old_status, status]})
            timeline.log(current.case, timeline.MOVEMENT, _("Movement %(status)s: %(line)s.") % {
                "status": current.get_status_display().lower(), "line": _line(current, travellers)},
                actor=user, obj=current)
    except _BlockedError as blocked:
        refused(user, movement, f"movement:{status}", ["booking_check"], request=request)
        raise ValidationError({"status": blocked.reasons}) from None
    return current


# --- The journey's services ---------------------------------------------------------------------
@dataclass(frozen=True)
class EscortKey:
    """A medical escort is one service per day for the same travellers: the escort who takes a person
    from the plane to the train that day gives one service. (A delivery names one person, or none for a
    group.)"""

    case_id: int
    day: datetime.date
    person_id: int | None
    live: bool  # the movement has a medical escort and is not cancelled


def _sole(travellers: Sequence[Person]) -> Person | None:
    return travellers[0] if len(travellers) == 1 else None


def _escort_key(movement: Movement, travellers: Sequence[Person]) -> EscortKey:
    sole = _sole(travellers)
    return EscortKey(movement.case_id, day_of(movement.departs_at), sole.pk if sole else None,
                     movement.escort == EscortKind.MEDICAL and movement.status != MovementStatus.CANCELLED)


def escort_service(movement: Movement) -> ServiceDelivery | None:
    """The medical escort service of a movement with a medical escort (shared by that day's legs)."""
    key = _escort_key(movement, list(movement.travellers.all()))
    return _escort_for(key) if key.live else None


def _escort_for(key: EscortKey) -> ServiceDelivery | None:
    return (ServiceDelivery.objects.filter(case_id=key.case_id, service_type__code=MEDICAL_ESCORT,
                                           delivered_on=key.day, person_id=key.person_id)
            .exclude(status=DeliveryStatus.CANCELLED).order_by("id").first())


def _legs(movement: Movement, key: EscortKey) -> list[Movement]:
    """The case's other live movements with a medical escort that share the escort service of `key`."""
    others = (Movement.objects.filter(case_id=key.case_id, escort=EscortKind.MEDICAL)
              .exclude(status=MovementStatus.CANCELLED).exclude(pk=movement.pk).prefetch_related("travellers"))
    return [other for other in others if _escort_key(other, list(other.travellers.all())) == key]


def _staff(movement: Movement, user: User) -> User:
    staff = deliveries.staff_choices(movement.case.programme)
    return user if staff.filter(pk=user.pk).exists() else movement.case.owner


def _sync_services(user: User, movement: Movement, travellers: Sequence[Person], *, before: EscortKey | None,
                   request=None) -> None:
    """Bring the journey's services in line with it: the travel service (created if missing) and the medical
    escort's (created, moved, or cancelled when no other leg shares it)."""
    case, sole, day = movement.case, _sole(travellers), day_of(movement.departs_at)
    status = DELIVERY_STATUS[movement.status]
    service_type = _service_type(movement.kind, case.programme)
    travel = {"service_type": service_type, "person": sole, "delivered_on": day, "status": status,
              "cost": movement.cost, "currency": movement.currency}
    if movement.delivery_id is None:
        movement.delivery = deliveries.create_linked(user, case, delivered_by=_staff(movement, user), request=request,
                                                     **travel)
        movement.save(update_fields=["delivery"])
    else:
        deliveries.follow(movement.delivery, user=user, request=request, **travel)

    key = _escort_key(movement, travellers)
    vacated = None  # the escort service this movement leaves, when no other leg shares it
    if before is not None and before.live and before != key:
        previous = _escort_for(before)
        if previous is not None and not _legs(movement, before):
            vacated = previous
    if key.live:
        legs = _legs(movement, key)
        done = status == DeliveryStatus.DELIVERED or any(leg.status == MovementStatus.COMPLETED for leg in legs)
        escort = {"status": DeliveryStatus.DELIVERED if done else DeliveryStatus.PLANNED,
                  "delivered_by": movement.escort_user or _staff(movement, user)}
        existing = _escort_for(key)
        if existing is not None:
            deliveries.follow(existing, user=user, request=request, **escort)
        elif vacated is not None:
            deliveries.follow(vacated, user=user, request=request, delivered_on=day, person=sole, **escort)
            vacated = None
        else:
            deliveries.create_linked(user, case, service_type=deliveries.type_by_code(MEDICAL_ESCORT), person=sole,
                                     delivered_on=day, partner=None, request=request, **escort)
    if vacated is not None:
        deliveries.follow(vacated, user=user, request=request, status=DeliveryStatus.CANCELLED)
