"""Building resettlement families for the tests: people, a case with members, dated steps."""

from __future__ import annotations

import datetime

from waypoint.accounts.models import Programme, Role
from waypoint.cases import casework
from waypoint.cases.models import Case, Channel
from waypoint.health.models import AssessmentStatus, AssessmentType, Clearance, HealthAssessment
from waypoint.people.models import Person, ProgrammeRegistration

RES = Programme.RESETTLEMENT


def res_staff(make_user):
    worker = make_user(Role.CASE_WORKER, "res_worker", programmes=[RES], first_name="Vera", last_name="Lebedeva")
    manager = make_user(Role.PROGRAMME_MANAGER, "res_manager", programmes=[RES])
    return worker, manager


def person(name: str, born: datetime.date | None = None) -> Person:
    found = Person.objects.create(given_name=name, family_name="Karimi", birth_date=born)
    ProgrammeRegistration.objects.create(person=found, programme=RES)
    return found


def family(user, size: int = 3, *, opened_on: datetime.date | None = None, owner=None) -> Case:
    """A case with a principal and `size - 1` members (spouse, then children)."""
    principal = person("Ahmad", datetime.date(1980, 1, 1))
    case = casework.open_case(user, programme=RES, principal=principal, owner=owner or user, channel=Channel.OTHER,
                              opened_on=opened_on)
    for number in range(size - 1):
        role = "spouse" if number == 0 else "child"
        born = datetime.date(1982, 5, 5) if number == 0 else datetime.date(2012 + number, 3, 3)
        casework.add_member(user, case, person(f"Member{number}", born), role)
    return Case.objects.get(pk=case.pk)


def medical(case: Case, people, *, valid_until: datetime.date, assessed_on: datetime.date) -> None:
    for member in people:
        HealthAssessment.objects.create(
            case=case, person=member, assessment_type=AssessmentType.RESETTLEMENT, status=AssessmentStatus.DONE,
            requested_on=assessed_on, assessed_on=assessed_on, clearance=Clearance.CLEARED, valid_until=valid_until)


def members(case: Case) -> list[Person]:
    return [m.person for m in case.members.select_related("person").order_by("id")]


def step(user, case: Case, action: str, on: datetime.date | None = None) -> Case:
    case = Case.objects.get(pk=case.pk)
    return casework.transition(user, case, action, version=case.version, on=on)
