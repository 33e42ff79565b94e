"""Processing trips: staff travel to another city to process cases, interview applicants, prepare files and
assist the receiving state's officers (the seeds' Almaty, Baku, Chisinau, Dushanbe, Kyiv, Malta, Tashkent,
Tbilisi, Timisoara, Yerevan, Krasnodar).

Resettlement staff see every trip; the trip's own staff and the programme's managers change it. The interviews
supported are never typed: they are the presentations linked to the trip.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from waypoint.accounts import policy
from waypoint.accounts.models import Programme, Role, User
from waypoint.audit.models import Action
from waypoint.audit.services import changed_fields, record
from waypoint.cases.casework import owner_choices, refused
from waypoint.cases.locking import ConflictError, bump, locked_current
from waypoint.people.codes import COUNTRY_CODES

from .models import Presentation, ProcessingTrip

__all__ = ["ConflictError", "create_trip", "update_trip"]

# The cities of the seeds, with their countries (ISO 3166); others may be typed with their country.
KNOWN_CITIES = {
    "Almaty": "KZ", "Baku": "AZ", "Chisinau": "MD", "Dushanbe": "TJ", "Kyiv": "UA", "Malta": "MT",
    "Tashkent": "UZ", "Tbilisi": "GE", "Timisoara": "RO", "Yerevan": "AM", "Krasnodar": "RU", "Moscow": "RU",
}
LONGEST_TRIP_DAYS = 92
FURTHEST_PLANNING_DAYS = 366
PURPOSE_MAX = 200


def _date(day: datetime.date) -> str:
    return formats.date_format(day, "DATE_FORMAT")


def trip_scope(user: User, queryset: QuerySet, action: str) -> QuerySet:
    """Resettlement staff (case workers and managers of the programme) see every trip; a trip is changed by
    its own staff and by the programme's managers; none is deleted (the presentations point at it)."""
    if action == "delete" or user.role not in (Role.CASE_WORKER, Role.PROGRAMME_MANAGER):
        return queryset.none()
    if Programme.RESETTLEMENT not in (user.programmes or []):
        return queryset.none()
    if action == "view" or user.role == Role.PROGRAMME_MANAGER:
        return queryset
    return queryset.filter(staff=user).distinct()


def staff_choices() -> QuerySet[User]:
    return owner_choices(Programme.RESETTLEMENT)


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    values = dict(values)
    city = " ".join((values.get("city") or "").split())
    known = next((name for name in KNOWN_CITIES if name.lower() == city.lower()), None)
    values["city"] = known or city
    country = (values.get("country") or "").strip().upper()
    values["country"] = country or (KNOWN_CITIES.get(known, "") if known else "")
    values["purpose"] = " ".join((values.get("purpose") or "").split())
    values["staff"] = list(dict.fromkeys(values.get("staff") or []))
    return values


def validate_trip(values: dict[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
    if not values["city"]:
        errors["city"] = [_("Say which city the staff travel to.")]
    elif len(values["city"]) > 80:
        errors["city"] = [_("At most %(count)d characters.") % {"count": 80}]
    if not values["country"]:
        errors["country"] = [_("Give the country of %(city)s.") % {"city": values["city"] or "—"}]
    elif values["country"] not in COUNTRY_CODES:
        errors["country"] = [_("Unknown country code %(code)s: use ISO 3166 (e.g. UZ, MT).")
                             % {"code": values["country"]}]
    start, end = values.get("starts_on"), values.get("ends_on")
    today = timezone.localdate()
    if start is None:
        errors["starts_on"] = [_("Give the first day of the trip.")]
    elif start > today + datetime.timedelta(days=FURTHEST_PLANNING_DAYS):
        errors["starts_on"] = [_("A trip is planned at most a year ahead.")]
    if end is None:
        errors["ends_on"] = [_("Give the last day of the trip.")]
    elif start is not None and end < start:
        errors["ends_on"] = [_("The trip cannot end (%(end)s) before it starts (%(start)s).")
                             % {"end": _date(end), "start": _date(start)}]
    elif start is not None and (end - start).days + 1 > LONGEST_TRIP_DAYS:
        errors["ends_on"] = [ngettext("A processing trip lasts at most %(days)d day: split a longer stay.",
                                      "A processing trip lasts at most %(days)d days: split a longer stay.",
                                      LONGEST_TRIP_DAYS) % {"days": LONGEST_TRIP_DAYS}]
    if not values["staff"]:
        errors["staff"] = [_("Choose the staff who travel.")]
    else:
        allowed = set(staff_choices().values_list("pk", flat=True))
        strangers = [user.get_username() for user in values["staff"] if user.pk not in allowed]
        if strangers:
            errors["staff"] = [_("Only resettlement staff travel on processing trips: %(names)s.")
                               % {"names": ", ".join(strangers)}]
    if len(values["purpose"]) > PURPOSE_MAX:
        errors["purpose"] = [_("At most %(count)d characters.") % {"count": PURPOSE_MAX}]
    if errors:
        raise ValidationError(errors)


def _snapshot(trip: ProcessingTrip, staff: Iterable[User]) -> dict[str, Any]:
    return {"city": trip.city, "country": trip.country, "starts_on": trip.starts_on.isoformat(),
            "ends_on": trip.ends_on.isoformat(), "purpose": trip.purpose,
            "staff": sorted(str(user.pk) for user in staff)}


def create_trip(user: User, *, city: str, country: str = "", starts_on: datetime.date | None,
                ends_on: datetime.date | None, staff: Sequence[User], purpose: str = "",
                request=None) -> ProcessingTrip:
    policy.require(user, policy.VIEW_PROCESSING_TRIPS, request=request)
    values = _clean({"city": city, "country": country, "starts_on": starts_on, "ends_on": ends_on, "staff": staff,
                     "purpose": purpose})
    validate_trip(values)
    if user.role != Role.PROGRAMME_MANAGER and user not in values["staff"]:
        raise ValidationError({"staff": [_("You can record only a trip you travel on yourself.")]})
    staff = values.pop("staff")
    with transaction.atomic():
        trip = ProcessingTrip.objects.create(created_by=user, **values)
        trip.staff.set(staff)
        record(Action.CREATE, trip, actor=user, request=request, changes=changed_fields({}, _snapshot(trip, staff)))
    return trip


def update_trip(user: User, trip: ProcessingTrip, *, version: int, request=None, **fields: Any) -> ProcessingTrip:
    trip = policy.get_for(user, ProcessingTrip, "change", pk=trip.pk, request=request)
    try:
        with transaction.atomic():
            current = locked_current(ProcessingTrip.objects.all(), trip.pk, version)
            staff_before = list(current.staff.all())
            before = _snapshot(current, staff_before)
            values = _clean({"city": current.city, "country": current.country, "starts_on": current.starts_on,
                             "ends_on": current.ends_on, "purpose": current.purpose, "staff": staff_before,
                             **fields})
            validate_trip(values)
            outside = current.presentations.filter(
                Q(presented_on__lt=values["starts_on"]) | Q(presented_on__gt=values["ends_on"])).first()
            if outside is not None:
                message = _("An interview of %(date)s is linked to this trip: its dates must include that day.")
                raise ValidationError({"starts_on": [message % {"date": _date(outside.presented_on)}]})
            staff = values.pop("staff")
            for name, value in values.items():
                setattr(current, name, value)
            bump(current, list(values))
            current.staff.set(staff)
            record(Action.UPDATE, current, actor=user, request=request,
                   changes=changed_fields(before, _snapshot(current, staff)))
    except ConflictError:
        refused(user, trip, "trip_update", ["stale_version"], request=request)
        raise
    return current


# --- What a trip did ------------------------------------------------------------------------------
@dataclass(frozen=True)
class TripFigures:
    interviews: int  # presentations linked to the trip
    individuals_presented: int
    cases_seen: int


def figures_for(trip_ids: Iterable[int]) -> dict[int, TripFigures]:
    """The figures of many trips in three queries (a join of both lists would multiply the counts)."""
    ids = list(trip_ids)
    interviews = dict(Presentation.objects.filter(trip_id__in=ids).values("trip_id").annotate(n=Count("id"))
                      .values_list("trip_id", "n"))
    presented = dict(Presentation.members.through.objects.filter(presentation__trip_id__in=ids)
                     .values("presentation__trip_id").annotate(n=Count("id"))
                     .values_list("presentation__trip_id", "n"))
    seen = dict(ProcessingTrip.cases_seen.through.objects.filter(processingtrip_id__in=ids)
                .values("processingtrip_id").annotate(n=Count("id")).values_list("processingtrip_id", "n"))
    return {pk: TripFigures(interviews.get(pk, 0), presented.get(pk, 0), seen.get(pk, 0)) for pk in ids}


def figures(trip: ProcessingTrip) -> TripFigures:
    return figures_for([trip.pk])[trip.pk]
