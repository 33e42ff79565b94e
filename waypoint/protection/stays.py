"""Stays in the rehabilitation centre: checking a person in to a room and bed, checking out, and occupancy.

A stay is the counter-trafficking programme's "temporary accommodation" service: checking in records that
service on the case (`cases.deliveries.create_linked`) and links it to the stay. One guest per bed at a
time: checked here with a clear message, and guarded by the database (`one_open_stay_per_bed`) for the
moment two people give away the same bed at once.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from waypoint.accounts import policy
from waypoint.accounts.models import Office, Programme, User
from waypoint.audit.models import Action
from waypoint.audit.services import record
from waypoint.cases import deliveries, timeline
from waypoint.cases.locking import bump, locked_current
from waypoint.cases.models import Case, DeliveryStatus
from waypoint.people.models import Person

from .models import CentreStay, Room

ACCOMMODATION = "accommodation"  # the catalogue's code for temporary accommodation
# "Once the new centre opens its doors in December, it will provide essential services to 350 trafficking
# victims a year" (the office's announcement of the rehabilitation centre, in the seeds).
ANNUAL_CAPACITY = 350
OCCUPIED = gettext_lazy("occupied")


# --- Rooms and beds -----------------------------------------------------------------------------
def centre_rooms(office: Office | None = None) -> QuerySet[Room]:
    """Rooms in use of the rehabilitation centres (or of one centre)."""
    rooms = Room.objects.filter(in_use=True, office__kind=Office.Kind.REHABILITATION_CENTRE).select_related("office")
    if office is not None:
        rooms = rooms.filter(office=office)
    return rooms.order_by("office__name", "name")


def stays_on(on: datetime.date) -> QuerySet[CentreStay]:
    """Stays that hold a bed on the night of `on`: checked in that day or before, not yet checked out.
    The day of check-out the bed is free again."""
    return CentreStay.objects.filter(Q(checked_out_on__isnull=True) | Q(checked_out_on__gt=on), checked_in_on__lte=on)


def _overlapping(since: datetime.date) -> QuerySet[CentreStay]:
    """Stays that still held a bed on or after `since` (an open one holds it until today)."""
    return CentreStay.objects.filter(Q(checked_out_on__isnull=True) | Q(checked_out_on__gt=since))


def bed_taken(room: Room, bed: int, since: datetime.date) -> CentreStay | None:
    return _overlapping(since).filter(room=room, bed=bed).first()


def free_beds(office: Office | None = None, on: datetime.date | None = None) -> list[tuple[Room, int]]:
    """(room, bed number) of every bed free on `on` (today by default) and since: the beds a guest may be
    checked in to today."""
    on = on or timezone.localdate()
    rooms = list(centre_rooms(office))
    taken = set(_overlapping(on).filter(room__in=rooms).values_list("room_id", "bed"))
    return [(room, bed) for room in rooms for bed in range(1, room.beds + 1) if (room.pk, bed) not in taken]


# --- Check-in and check-out ---------------------------------------------------------------------
def check_in(
    user: User,
    case: Case,
    *,
    person: Person | None,
    room: Room | None,
    bed: int | None,
    checked_in_on: datetime.date | None = None,
    request=None,
) -> CentreStay:
    """Give a case member a bed in the centre, from `checked_in_on` (today by default) until checked out.

    Refused with a message naming the field when the room is not a centre's room in use, the bed does not
    exist or is taken (since that day), or the person is not a member of this case or is staying already.
    """
    case = policy.get_for(user, Case, "change", pk=case.pk, request=request)
    if case.programme != Programme.COUNTER_TRAFFICKING:
        raise ValidationError(_("Stays in the rehabilitation centre are for counter-trafficking cases."))
    if case.is_closed:
        raise ValidationError(_("Case %(reference)s is closed: reopen it before recording anything new.")
                              % {"reference": case.reference})
    checked_in_on = checked_in_on or timezone.localdate()
    errors = _check_in_errors(case, person=person, room=room, bed=bed, checked_in_on=checked_in_on)
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            stay = _check_in(user, case, person=person, room=room, bed=bed, checked_in_on=checked_in_on,
                             request=request)
    except IntegrityError:
        # Someone gave the same bed away between our check and our insert: the database refused the second.
        if CentreStay.objects.filter(room=room, bed=bed, checked_out_on__isnull=True).exists():
            raise ValidationError({"bed": [_taken_message(room, bed)]}) from None
        raise
    return stay


def _taken_message(room: Room, bed: int) -> str:
    return _("Bed %(bed)s in room %(room)s is taken: choose a free bed.") % {"bed": bed, "room": room.name}


def _check_in_errors(case: Case, *, person: Person | None, room: Room | None, bed: int | None,
                     checked_in_on: datetime.date) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if person is None:
        errors["person"] = [_("Choose who checks in.")]
    elif not deliveries.is_member(case, person):
        errors["person"] = [_("%(person)s is not a member of this case.") % {"person": person.reference}]
    else:
        staying = _overlapping(checked_in_on).filter(person=person).select_related("room").first()
        if staying is not None:
            errors["person"] = [_("%(person)s is staying in room %(room)s, bed %(bed)s: check them out first.")
                                % {"person": person.reference, "room": staying.room.name, "bed": staying.bed}]
    if checked_in_on > timezone.localdate():
        errors["checked_in_on"] = [_("A guest cannot check in in the future.")]
    if room is None:
        errors["room"] = [_("Choose a room.")]
    elif not room.in_use or room.office.kind != Office.Kind.REHABILITATION_CENTRE:
        errors["room"] = [_("Room %(room)s is not a room in use of a rehabilitation centre.") % {"room": room.name}]
    elif bed is None or not 1 <= bed <= room.beds:
        errors["bed"] = [_("Room %(room)s has beds 1 to %(beds)s.") % {"room": room.name, "beds": room.beds}]
    elif bed_taken(room, bed, checked_in_on) is not None:
        errors["bed"] = [_taken_message(room, bed)]
    return errors


def _check_in(user: User, case: Case, *, person: Person, room: Room, bed: int, checked_in_on: datetime.date,
              request=None) -> CentreStay:
    service_type = deliveries.type_by_code(ACCOMMODATION)
    if service_type is None:
        raise ValidationError(_("Temporary accommodation is missing from the service catalogue: ask an "
                                "administrator to restore it."))
    try:
        delivery = deliveries.create_linked(
            user, case, service_type=service_type, person=person, delivered_on=checked_in_on,
            status=DeliveryStatus.DELIVERED, delivered_by=user if _is_staff(case, user) else case.owner,
            partner=None, request=request)
    except ValidationError as error:
        raise ValidationError(_service_errors(error)) from None
    stay = CentreStay.objects.create(case=case, person=person, room=room, bed=bed, checked_in_on=checked_in_on,
                                     delivery=delivery, recorded_by=user)
    record(Action.CREATE, stay, actor=user, request=request, changes={
        "case": [None, case.reference], "person": [None, str(person.pk)], "room": [None, str(room.pk)],
        "bed": [None, str(bed)], "checked_in_on": [None, checked_in_on.isoformat()],
        "delivery": [None, str(delivery.pk)]})
    timeline.log(case, timeline.STAY, _("%(person)s checked in to room %(room)s, bed %(bed)s, on %(date)s.") % {
        "person": person.reference, "room": room.name, "bed": bed,
        "date": formats.date_format(checked_in_on, "DATE_FORMAT")}, actor=user, obj=stay)
    return stay


def _is_staff(case: Case, user: User) -> bool:
    return deliveries.staff_choices(case.programme).filter(pk=user.pk).exists()


def _service_errors(error: ValidationError) -> list[str]:
    """The accommodation service's own refusals, as messages of the check-in form as a whole."""
    if hasattr(error, "error_dict"):
        return [message for messages in error.message_dict.values() for message in messages]
    return list(error.messages)


def check_out(user: User, stay: CentreStay, *, checked_out_on: datetime.date | None = None, version: int | None,
              request=None) -> CentreStay:
    """Record that the guest left (today by default): the bed is free from that day."""
    stay = policy.get_for(user, CentreStay, "change", pk=stay.pk, request=request)
    checked_out_on = checked_out_on or timezone.localdate()
    with transaction.atomic():
        current = locked_current(CentreStay.objects.select_related("room", "person", "case"), stay.pk, version)
        if current.checked_out_on is not None:
            raise ValidationError(_("%(person)s already checked out on %(date)s.") % {
                "person": current.person.reference, "date": formats.date_format(current.checked_out_on,
                                                                                "DATE_FORMAT")})
        errors = {}
        if checked_out_on < current.checked_in_on:
            errors["checked_out_on"] = [_("The check-out cannot be before the check-in (%(date)s).")
                                        % {"date": formats.date_format(current.checked_in_on, "DATE_FORMAT")}]
        elif checked_out_on > timezone.localdate():
            errors["checked_out_on"] = [_("A guest cannot check out in the future.")]
        if errors:
            raise ValidationError(errors)
        current.checked_out_on = checked_out_on
        bump(current, ["checked_out_on"])
        record(Action.UPDATE, current, actor=user, request=request,
               changes={"checked_out_on": [None, checked_out_on.isoformat()]})
        nights = (checked_out_on - current.checked_in_on).days
        timeline.log(current.case, timeline.STAY, _(
            "%(person)s checked out of room %(room)s on %(date)s after %(nights)s night(s).") % {
            "person": current.person.reference, "room": current.room.name, "nights": nights,
            "date": formats.date_format(checked_out_on, "DATE_FORMAT")}, actor=user, obj=current)
    return current


# --- Occupancy ----------------------------------------------------------------------------------
@dataclass
class Bed:
    number: int
    stay: CentreStay | None = None
    case_reference: str = ""  # only when the viewer may see the case

    @property
    def occupied(self) -> bool:
        return self.stay is not None

    @property
    def who(self) -> str:
        if self.stay is None:
            return ""
        return self.case_reference or str(OCCUPIED)


@dataclass
class RoomOccupancy:
    room: Room
    beds: list[Bed]

    @property
    def capacity(self) -> int:
        return len(self.beds)

    @property
    def occupied(self) -> int:
        return sum(bed.occupied for bed in self.beds)

    @property
    def free(self) -> int:
        return self.capacity - self.occupied


def _rate(occupied: int, capacity: int) -> float | None:
    return round(100 * occupied / capacity, 1) if capacity else None


class _BedTotals:
    """The beds of a centre (summed over its rooms) or of every centre (summed over the centres)."""

    def _parts(self) -> list[RoomOccupancy] | list[CentreOccupancy]:
        raise NotImplementedError

    @property
    def capacity(self) -> int:
        return sum(part.capacity for part in self._parts())

    @property
    def occupied(self) -> int:
        return sum(part.occupied for part in self._parts())

    @property
    def free(self) -> int:
        return self.capacity - self.occupied

    @property
    def rate(self) -> float | None:
        """Occupied beds in percent of the beds (None without beds)."""
        return _rate(self.occupied, self.capacity)


@dataclass
class CentreOccupancy(_BedTotals):
    office: Office
    rooms: list[RoomOccupancy]

    def _parts(self) -> list[RoomOccupancy]:
        return self.rooms


@dataclass
class Occupancy(_BedTotals):
    on: datetime.date
    centres: list[CentreOccupancy] = field(default_factory=list)

    def _parts(self) -> list[CentreOccupancy]:
        return self.centres

    @property
    def free_beds(self) -> list[tuple[Room, int]]:
        return [(room.room, bed.number) for centre in self.centres for room in centre.rooms for bed in room.beds
                if not bed.occupied]


def occupancy(office: Office | None = None, on: datetime.date | None = None, *, user: User | None = None) -> Occupancy:
    """Each centre's rooms and beds on the night of `on` (today by default): who holds each bed, as the case
    reference for a `user` who may see that case and as "occupied" for anyone else."""
    on = on or timezone.localdate()
    rooms = list(centre_rooms(office))
    stays = {(stay.room_id, stay.bed): stay
             for stay in stays_on(on).filter(room__in=rooms).select_related("case").order_by("checked_in_on")}
    visible = set()
    if user is not None and stays:
        case_ids = {stay.case_id for stay in stays.values()}
        visible = set(policy.scope(user, Case.objects.filter(pk__in=case_ids)).values_list("pk", flat=True))
    result = Occupancy(on=on)
    by_office: dict[int, CentreOccupancy] = {}
    for room in rooms:
        beds = []
        for number in range(1, room.beds + 1):
            stay = stays.get((room.pk, number))
            reference = stay.case.reference if stay is not None and stay.case_id in visible else ""
            beds.append(Bed(number, stay, reference))
        centre = by_office.get(room.office_id)
        if centre is None:
            centre = by_office[room.office_id] = CentreOccupancy(room.office, [])
            result.centres.append(centre)
        centre.rooms.append(RoomOccupancy(room, beds))
    return result


@dataclass
class YearFigures:
    """The centre's year against what it was built for (`ANNUAL_CAPACITY` victims a year)."""

    year: int
    guests: int  # different people who stayed at some point of the year
    check_ins: int
    bed_nights: int
    bed_nights_available: int
    annual_capacity: int = ANNUAL_CAPACITY

    @property
    def share_of_capacity(self) -> float:
        return round(100 * self.guests / self.annual_capacity, 1) if self.annual_capacity else 0.0

    @property
    def average_rate(self) -> float | None:
        return _rate(self.bed_nights, self.bed_nights_available)


def year_figures(office: Office | None = None, year: int | None = None) -> YearFigures:
    """Guests, check-ins and bed-nights of a year up to today (or its end), against today's beds."""
    today = timezone.localdate()
    year = year or today.year
    start = datetime.date(year, 1, 1)
    end = min(datetime.date(year, 12, 31), today)
    stays = CentreStay.objects.filter(Q(checked_out_on__isnull=True) | Q(checked_out_on__gt=start),
                                      checked_in_on__lte=end, room__office__kind=Office.Kind.REHABILITATION_CENTRE)
    if office is not None:
        stays = stays.filter(room__office=office)
    guests, check_ins, nights = set(), 0, 0
    for person_id, checked_in_on, checked_out_on in stays.values_list("person_id", "checked_in_on", "checked_out_on"):
        guests.add(person_id)
        check_ins += checked_in_on >= start
        first, last = max(checked_in_on, start), min(checked_out_on or end + datetime.timedelta(days=1),
                                                     end + datetime.timedelta(days=1))
        nights += max((last - first).days, 0)
    days = (end - start).days + 1 if end >= start else 0
    beds = sum(room.beds for room in centre_rooms(office))
    return YearFigures(year=year, guests=len(guests), check_ins=check_ins, bed_nights=nights,
                       bed_nights_available=beds * days)
