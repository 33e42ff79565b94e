"""The world the health tests share: a counter-trafficking case of the case worker (a mother and her son), a
return case of the second case worker, the migration health unit (a case worker and a programme manager working
in MH), an M&E officer, a TB dispensary in the directory, and assessments on both cases."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from waypoint.accounts.models import Programme, Role, User
from waypoint.cases.casework import open_case
from waypoint.cases.models import Case, CaseMember, Channel, MemberRole
from waypoint.health.models import AssessmentStatus, AssessmentType, Clearance, HealthAssessment, TBResult
from waypoint.partners.models import Organisation, OrganisationType
from waypoint.people import services as people_services
from waypoint.people.models import Person

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)
SECRET = "Chest X-ray: cavity in the upper right lobe"


@dataclass
class World:
    users: dict[str, User]
    ct_case: Case
    mother: Person
    son: Person
    return_case: Case
    returnee: Person
    doctor: User  # MH case worker
    mh_manager: User
    dispensary: Organisation
    cleared: HealthAssessment  # mother: fitness to travel, done, cleared, with results
    waiting: HealthAssessment  # son: TB screening requested
    returnee_exam: HealthAssessment  # returnee: immigration exam, done


def register(user: User, family: str, given: str, sex: str, programme: str) -> Person:
    return people_services.register(user, {"family_name": family, "given_name": given, "sex": sex,
                                           "citizenships": ["TJ"]}, programme=programme)


def make_world(users, make_user) -> World:
    worker, other = users["case_worker"], users["case_worker_b"]
    mother = register(worker, "Рахимова", "Зарина", "F", Programme.COUNTER_TRAFFICKING)
    son = register(worker, "Рахимов", "Фаррух", "M", Programme.COUNTER_TRAFFICKING)
    ct_case = open_case(worker, programme=Programme.COUNTER_TRAFFICKING, principal=mother, owner=worker,
                        channel=Channel.NGO, opened_on=TODAY - 40 * DAY)
    CaseMember.objects.create(case=ct_case, person=son, role=MemberRole.CHILD)
    returnee = register(other, "Назаров", "Алишер", "M", Programme.RETURN)
    return_case = open_case(other, programme=Programme.RETURN, principal=returnee, owner=other,
                            channel=Channel.SELF, opened_on=TODAY - 20 * DAY)
    doctor = make_user(Role.CASE_WORKER, "mh_case_worker", programmes=[Programme.HEALTH])
    mh_manager = make_user(Role.PROGRAMME_MANAGER, "mh_manager", programmes=[Programme.HEALTH])
    dispensary = Organisation.objects.create(name="City TB Dispensary", organisation_type=OrganisationType.HEALTH)
    cleared = HealthAssessment.objects.create(
        case=ct_case, person=mother, assessment_type=AssessmentType.FITNESS_TO_TRAVEL,
        status=AssessmentStatus.DONE, requested_on=TODAY - 10 * DAY, requested_by=worker,
        assessed_on=TODAY - 5 * DAY, clinic=dispensary, results=SECRET, clearance=Clearance.CLEARED,
        valid_until=TODAY + 60 * DAY, tb_result=TBResult.LATENT, recorded_by=doctor)
    waiting = HealthAssessment.objects.create(case=ct_case, person=son, assessment_type=AssessmentType.TB_SCREENING,
                                              requested_on=TODAY - 2 * DAY, requested_by=worker)
    returnee_exam = HealthAssessment.objects.create(
        case=return_case, person=returnee, assessment_type=AssessmentType.RESETTLEMENT,
        status=AssessmentStatus.DONE, requested_on=TODAY - 8 * DAY, assessed_on=TODAY - 7 * DAY,
        clearance=Clearance.DEFERRED, tb_result=TBResult.PRESUMPTIVE, follow_up_needed=True,
        follow_up_note="Sputum test at the dispensary")
    return World(users, ct_case, mother, son, return_case, returnee, doctor, mh_manager, dispensary, cleared,
                 waiting, returnee_exam)
