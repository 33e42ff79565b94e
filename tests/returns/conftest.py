"""A return case worker's world: a project, a return case (a family when asked), embassies and a reception partner,
and helpers to take a case to each stage through the services."""

import datetime

import pytest
from django.utils import timezone

from waypoint.accounts.models import Programme
from waypoint.cases import casework, movements
from waypoint.cases.models import Channel, MovementKind, MovementStatus
from waypoint.health.models import AssessmentStatus, AssessmentType, Clearance, HealthAssessment
from waypoint.partners.models import Organisation, OrganisationType
from waypoint.people.models import Person, ProgrammeRegistration
from waypoint.returns import documents, eligibility, questionnaire
from waypoint.returns.models import DocumentKind, ReturnProject

COMPLETE = {"purpose": "study", "entry": "student_visa", "main_difficulty": "tuition", "asylum_applied": "no",
            "onward_plan": "no", "months_in_russia": "26", "has_passport": "yes"}


def person(given: str, family: str = "Mensah", nationality: str = "GH") -> Person:
    someone = Person.objects.create(given_name=given, family_name=family, sex="M", citizenships=[nationality])
    ProgrammeRegistration.objects.create(person=someone, programme=Programme.RETURN)
    return someone


@pytest.fixture
def worker(users):
    return users["case_worker_b"]


@pytest.fixture
def pilot(db):
    return ReturnProject.objects.get(name="AVRR pilot 2026")


@pytest.fixture
def embassy(db):
    return Organisation.objects.create(name="Embassy of Ghana", organisation_type=OrganisationType.DIPLOMATIC,
                                       country="GH")


@pytest.fixture
def partner(db):
    return Organisation.objects.create(name="IOM Accra", organisation_type=OrganisationType.MISSION, country="GH")


@pytest.fixture
def open_return(worker):
    def make(given: str = "Kwame", nationality: str = "GH", family: tuple[str, ...] = ()):
        principal = person(given, nationality=nationality)
        case = casework.open_case(worker, programme=Programme.RETURN, principal=principal, owner=worker,
                                  channel=Channel.SELF, opened_on=timezone.localdate() - datetime.timedelta(days=30))
        for number, role in enumerate(family):
            casework.add_member(worker, case, person(f"{given}{number}", nationality=nationality), role)
        case.refresh_from_db()
        return case

    return make


def step(user, case, action, **kwargs):
    case.refresh_from_db()
    return casework.transition(user, case, action, version=case.version, **kwargs)


def members(case):
    return [m.person for m in case.members.select_related("person").order_by("id")]


def clear(case, until=None):
    today = timezone.localdate()
    for someone in members(case):
        HealthAssessment.objects.create(
            case=case, person=someone, assessment_type=AssessmentType.FITNESS_TO_TRAVEL, status=AssessmentStatus.DONE,
            requested_on=today, assessed_on=today, clearance=Clearance.CLEARED,
            valid_until=until or today + datetime.timedelta(days=90))


def issue_documents(user, case, embassy, until=None):
    today = timezone.localdate()
    for someone in members(case):
        document = documents.request_document(user, case, person=someone, authority=embassy,
                                              kind=DocumentKind.EMERGENCY, requested_on=today)
        documents.update_document(user, document, version=document.version, status="issued", issued_on=today,
                                  valid_until=until or today + datetime.timedelta(days=60))


def to_counselled(user, case, project):
    eligibility.screen(user, case, project=project, nationality="GH", migration_status="irregular_stay",
                       destination_country="GH", vulnerabilities=["no_documents"])
    step(user, case, "confirm_eligible")
    case.refresh_from_db()
    questionnaire.record_answers(user, case, COMPLETE, version=0)
    step(user, case, "counsel")
    step(user, case, "obtain_documents")


def book(user, case):
    journey = movements.plan_movement(
        user, case, kind=MovementKind.INTERNATIONAL, travellers=members(case), origin="Moscow",
        origin_country="RU", destination="Accra", destination_country="GH",
        departs_at=timezone.now() - datetime.timedelta(minutes=5), currency="RUB")
    return movements.set_movement_status(user, journey, MovementStatus.BOOKED, version=journey.version)
