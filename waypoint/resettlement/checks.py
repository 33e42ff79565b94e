"""What must hold before a family travels: every traveller's clearances valid on the day of departure, the
medical one from migration health; cultural orientation attended; a resettlement agency's assurance.

The same sentences serve the workflow's guards (shown on the case page before anyone clicks), the booking check
of movements (an international journey is not booked, nor set off, while a traveller lacks a valid clearance),
and the panels. Each names the person by registry reference and the date concerned, never health detail.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from waypoint.cases.models import Case, Movement, MovementKind, MovementStatus
from waypoint.cases.movements import day_of
from waypoint.health.clearance import clearance_problems as medical_problems
from waypoint.people.models import BirthDatePrecision, Person

from .models import Assurance, Clearance, ClearanceKind, ClearanceStatus, Decision, Orientation, Presentation

BIOMETRICS_FROM_AGE = 14  # fingerprints are taken from the age of 14
LIVE_JOURNEY = (MovementStatus.BOOKED, MovementStatus.IN_TRANSIT, MovementStatus.COMPLETED)


def _date(day: datetime.date) -> str:
    return formats.date_format(day, "DATE_FORMAT")


def age_on(person: Person, day: datetime.date) -> int | None:
    born = person.birth_date
    if born is None:
        return None
    if person.birth_date_precision == BirthDatePrecision.EXACT:
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))
    return day.year - born.year


def required_kinds(person: Person, day: datetime.date) -> list[str]:
    """Every traveller needs a security name check; biometrics from the age of 14 (unknown age: needed)."""
    kinds = [ClearanceKind.SECURITY]
    age = age_on(person, day)
    if age is None or age >= BIOMETRICS_FROM_AGE:
        kinds.append(ClearanceKind.BIOMETRICS)
    return kinds


def _line_problem(person: Person, clearance: Clearance | None, kind: str, day: datetime.date) -> str | None:
    # The clearance's name is quoted whole (not lowercased into the sentence) so that each language's grammar holds.
    label = str(ClearanceKind(kind).label)
    who = person.reference
    if clearance is None:
        return _("%(person)s: the clearance “%(clearance)s” is not recorded.") % {"person": who, "clearance": label}
    if clearance.valid_on(day):
        return None
    if clearance.status == ClearanceStatus.PENDING:
        return _("%(person)s: the clearance “%(clearance)s” is still pending.") % {"person": who, "clearance": label}
    if clearance.status == ClearanceStatus.REFUSED:
        return _("%(person)s: the clearance “%(clearance)s” was refused.") % {"person": who, "clearance": label}
    if clearance.status == ClearanceStatus.EXPIRED or clearance.valid_until is None:
        return _("%(person)s: the clearance “%(clearance)s” has expired and must be renewed.") % {
            "person": who, "clearance": label}
    if clearance.obtained_on and clearance.obtained_on > day:
        return _("%(person)s: the clearance “%(clearance)s” is valid only from %(since)s, after %(day)s.") % {
            "person": who, "clearance": label, "since": _date(clearance.obtained_on), "day": _date(day)}
    return _("%(person)s: the clearance “%(clearance)s” is valid until %(until)s, before %(day)s, and must be "
             "renewed.") % {"person": who, "clearance": label, "until": _date(clearance.valid_until), "day": _date(day)}


def clearance_problems(case: Case, people: Iterable[Person], day: datetime.date) -> list[str]:
    """Why these members may not travel on `day`: each required clearance, every other clearance recorded
    for them (an exit permission) and the medical clearance, all valid that day. Empty: they may."""
    people = list(people)
    lines: dict[tuple[int, str], Clearance] = {
        (c.person_id, c.kind): c for c in Clearance.objects.filter(case=case, person__in=people)}
    problems: list[str] = []
    for person in people:
        kinds = required_kinds(person, day)
        kinds += [kind for (pk, kind) in lines if pk == person.pk and kind not in kinds]
        for kind in ClearanceKind.values:
            if kind in kinds:
                problem = _line_problem(person, lines.get((person.pk, kind)), kind, day)
                if problem:
                    problems.append(problem)
    problems.extend(medical_problems(people, day))
    return problems


def departure_journey(case: Case) -> Movement | None:
    """The journey the family leaves on: the latest international movement booked, under way or completed."""
    return (Movement.objects.filter(case=case, kind=MovementKind.INTERNATIONAL, status__in=LIVE_JOURNEY)
            .order_by("-departs_at", "-id").first())


def _travellers_and_day(case: Case) -> tuple[list[Person], datetime.date]:
    journey = departure_journey(case)
    if journey is None:
        return [member.person for member in case.members.select_related("person")], timezone.localdate()
    return list(journey.travellers.all()), day_of(journey.departs_at)


# --- Guards of the workflow ----------------------------------------------------------------------
def journey_booked(case: Case) -> list[str]:
    if departure_journey(case) is None:
        return [_("No flight is booked: plan the international journey under Movements and mark it booked.")]
    return []


def journey_set_off(case: Case) -> list[str]:
    """The case departs with its flight: the journey must be under way (or over) first, so the two agree."""
    journey = departure_journey(case)
    if journey is None:
        return journey_booked(case)
    if journey.status == MovementStatus.BOOKED:
        return [_("The flight is still booked: mark it departed under Movements first.")]
    return []


def clearances_valid(case: Case) -> list[str]:
    """Every traveller's clearances on the day the booked journey departs (no journey yet: every member,
    today)."""
    travellers, day = _travellers_and_day(case)
    return clearance_problems(case, travellers, day)


def orientation_attended(case: Case) -> list[str]:
    if not Orientation.objects.filter(case=case).exists():
        return [_("No cultural orientation is recorded: record the session the family attended.")]
    return []


def assurance_received(case: Case) -> list[str]:
    if not Assurance.objects.filter(case=case).exists():
        return [_("No assurance from a resettlement agency is recorded.")]
    return []


def _latest_presentation(case: Case):
    return Presentation.objects.filter(case=case).order_by("-presented_on", "-id").first()


def presentation_recorded(case: Case) -> list[str]:
    latest = _latest_presentation(case)
    if latest is None or latest.decision != Decision.PENDING:
        return [_("Record the presentation (date, city, interviewing officer, members presented) under "
                  "Presentations and decisions: the step is taken with it.")]
    return []


def _decided(decision: str):
    def guard(case: Case) -> list[str]:
        latest = _latest_presentation(case)
        if latest is None or latest.decision != decision:
            return [_("Record the decision on the presentation under Presentations and decisions: the step is "
                      "taken with it.")]
        return []

    guard.__name__ = f"decision_{decision}"
    return guard


decided_approved = _decided(Decision.APPROVED)
decided_denied = _decided(Decision.DENIED)
decided_on_hold = _decided(Decision.ON_HOLD)


# --- The booking check of movements ---------------------------------------------------------------
def booking_check(movement: Movement, travellers: Sequence[Person]) -> list[str]:
    """An international journey of a resettlement case is booked (or set off) only when every traveller's
    clearances are valid on the day it departs."""
    if movement.kind != MovementKind.INTERNATIONAL:
        return []
    return clearance_problems(movement.case, travellers, day_of(movement.departs_at))
