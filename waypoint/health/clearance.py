"""A member's medical clearance, as other programmes may know it: cleared or not, and until when.

This is the one question return and resettlement ask of migration health (before booking travel, before a
departure step); the answer carries no result, no diagnosis, no TB status. It reads the assessments directly,
not through the user's scope: a case worker who may not read health data still learns whether the person
may travel.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import formats
from django.utils.translation import gettext as _

from waypoint.people.models import Person

from .models import CLEARANCE_TYPES, CLEARED, AssessmentStatus, Clearance, HealthAssessment


@dataclass(frozen=True)
class MedicalClearance:
    status: str  # a `Clearance` code, or "" when no examination was ever done or requested
    valid_until: datetime.date | None
    assessed_on: datetime.date | None
    requested: bool  # an examination is requested and not yet done

    def valid_on(self, day: datetime.date) -> bool:
        return self.status in CLEARED and self.valid_until is not None and self.valid_until >= day

    @property
    def label(self) -> str:
        if not self.status:
            return str(_("Examination requested")) if self.requested else str(_("No medical examination"))
        return str(Clearance(self.status).label)


def clearance_of(person: Person) -> MedicalClearance:
    """The outcome of the person's latest clearance examination (fitness to travel or immigration exam)."""
    done = (HealthAssessment.objects.filter(person=person, assessment_type__in=CLEARANCE_TYPES,
                                            status=AssessmentStatus.DONE)
            .order_by("-assessed_on", "-id").values_list("clearance", "valid_until", "assessed_on").first())
    requested = HealthAssessment.objects.filter(person=person, assessment_type__in=CLEARANCE_TYPES,
                                                status=AssessmentStatus.REQUESTED).exists()
    if done is None:
        return MedicalClearance("", None, None, requested)
    status, valid_until, assessed_on = done
    return MedicalClearance(status, valid_until, assessed_on, requested)


def _date(day: datetime.date) -> str:
    return formats.date_format(day, "DATE_FORMAT")


def clearance_problems(people: Iterable[Person], on: datetime.date) -> list[str]:
    """Why these people may not travel on `on` for medical reasons: one sentence per person, naming them by
    registry reference (no health detail). Empty: every one holds a clearance valid that day."""
    problems = []
    for person in people:
        clearance = clearance_of(person)
        if clearance.valid_on(on):
            continue
        who = person.reference
        if not clearance.status:
            problems.append(_("%(person)s has no medical clearance: a fitness-to-travel examination is needed "
                              "first.") % {"person": who})
        elif clearance.status == Clearance.PENDING:
            problems.append(_("%(person)s's medical examination has no outcome yet.") % {"person": who})
        elif clearance.status not in CLEARED:
            problems.append(_("%(person)s is not cleared to travel; the outcome of the examination: %(status)s.")
                            % {"person": who, "status": clearance.label})
        elif clearance.valid_until is None:
            problems.append(_("%(person)s's medical clearance has no validity date: the health unit must "
                              "record it.") % {"person": who})
        else:
            problems.append(_("%(person)s's medical clearance is valid until %(until)s, before %(day)s: a new "
                              "examination is needed.")
                            % {"person": who, "until": _date(clearance.valid_until), "day": _date(on)})
    return problems
