"""Who sees and changes the returns models, pinned as tables in the shape of `tests/accounts/test_policy.py`.

Parts of a case follow the case: its owner and assigned staff, and the managers of its programme. The
programme's configuration (projects, questions, options) is read by the return programme's staff and changed by
administrators. A resettlement case worker does not see a return case until assigned to it.
"""

import datetime

import pytest
from django.utils import timezone

from tests.accounts.test_policy import ALL, NONE, PERSONAS
from tests.conftest import signed_in_client
from tests.object_matrix import assert_matrix_covers_the_app, matrix_mismatches
from waypoint.accounts import policy
from waypoint.accounts.models import Programme, Role
from waypoint.cases.models import Case, CaseMember, Channel, MemberRole
from waypoint.partners.models import Organisation, OrganisationType
from waypoint.people.models import Person
from waypoint.returns.models import (
    Answer,
    Instalment,
    MonitoringVisit,
    Question,
    QuestionOption,
    Reception,
    ReintegrationPlan,
    ReturnProfile,
    ReturnProject,
    Screening,
    TravelDocument,
)

LISTED = "listed"
# Which cases' rows each persona reaches: the CT persona and CT manager their CT case, the return worker theirs.
CASE_ROWS = {
    "programme_manager": {"CT-owned"},
    "case_worker": {"CT-owned"},
    "case_worker_b": {"AVRR-owned"},
}
CASE_PARTS = {p: (LISTED, LISTED, NONE) if p in CASE_ROWS else (NONE, NONE, NONE) for p in PERSONAS}
# Read by staff working in the return programme, changed (in the back office) by administrators.
CONFIGURATION = {
    p: (ALL, ALL, ALL) if p == "administrator" else (ALL, NONE, NONE) if p == "case_worker_b" else (NONE, NONE, NONE)
    for p in PERSONAS
}
PART_MODELS = (Screening, ReturnProfile, Answer, TravelDocument, Reception, ReintegrationPlan, Instalment,
               MonitoringVisit)
OBJECT_MATRIX = {model._meta.label_lower: (model, CASE_PARTS) for model in PART_MODELS}
OBJECT_MATRIX.update({model._meta.label_lower: (model, CONFIGURATION)
                      for model in (ReturnProject, Question, QuestionOption)})


@pytest.fixture
def world(users, office, make_user):
    """A CT case of the CT case worker, the return worker's case and a colleague's return case, each with one of
    every part."""
    colleague = make_user(Role.CASE_WORKER, "returns_colleague", programmes=[Programme.RETURN])
    embassy = Organisation.objects.create(name="Embassy", organisation_type=OrganisationType.DIPLOMATIC)
    project = ReturnProject.objects.get(name="AVRR pilot 2026")
    question = Question.objects.get(code="purpose")
    today = timezone.localdate()
    cases = {}
    for reference, programme, owner in (("CT-owned", Programme.COUNTER_TRAFFICKING, users["case_worker"]),
                                        ("AVRR-owned", Programme.RETURN, users["case_worker_b"]),
                                        ("AVRR-other", Programme.RETURN, colleague)):
        case = Case.objects.create(reference=reference, programme=programme, office=office, owner=owner,
                                   opened_on=today, channel=Channel.SELF, status="requested")
        someone = Person.objects.create(given_name="Kofi", family_name=reference)
        CaseMember.objects.create(case=case, person=someone, role=MemberRole.PRINCIPAL)
        Screening.objects.create(case=case, project=project, nationality="GH", migration_status="irregular_stay",
                                 destination_country="GH", eligible=True, screened_on=today)
        ReturnProfile.objects.create(case=case, category="labour_migrant", answered_on=today)
        Answer.objects.create(case=case, question=question, option=question.options.first())
        TravelDocument.objects.create(case=case, person=someone, authority=embassy, kind="passport",
                                      requested_on=today)
        Reception.objects.create(case=case, organisation=embassy, received_on=today)
        plan = ReintegrationPlan.objects.create(case=case, budget=1000, currency="EUR", economic=True)
        Instalment.objects.create(plan=plan, amount=100, paid_on=today, purchased="Tools")
        MonitoringVisit.objects.create(case=case, months_after=3, due_on=today + datetime.timedelta(days=90))
        cases[reference] = case
    return {"users": users, "cases": cases}


def expected_rows(kind: str, model, user) -> set:
    everything = set(model._default_manager.all())
    if kind == ALL:
        return everything
    if kind == NONE:
        return set()
    field = "plan__case__reference" if model is Instalment else "case__reference"
    return set(model._default_manager.filter(**{f"{field}__in": CASE_ROWS[user.username]}))


@pytest.mark.parametrize("label", list(OBJECT_MATRIX))
def test_scope_and_can_give_exactly_the_rows_the_matrix_allows(world, label):
    model, table = OBJECT_MATRIX[label]
    assert matrix_mismatches(world["users"], model, table, expected_rows) == {}


def test_the_matrix_covers_every_rule_of_the_app_and_every_persona():
    assert_matrix_covers_the_app("returns", OBJECT_MATRIX)


def test_a_resettlement_case_worker_sees_a_return_case_only_once_assigned(world, make_user):
    officer = make_user(Role.CASE_WORKER, "resettlement_officer", programmes=[Programme.RESETTLEMENT])
    case = world["cases"]["AVRR-owned"]
    client = signed_in_client(officer)
    assert not policy.can(officer, "view", case)
    assert not policy.scope(officer, Screening.objects.filter(case=case)).exists()
    assert client.get(f"/cases/{case.reference}/").status_code == 404
    assert client.get(f"/returns/cases/{case.reference}/questionnaire/").status_code == 404
    case.assigned.add(officer)
    assert policy.can(officer, "view", case)
    assert policy.scope(officer, Screening.objects.filter(case=case)).exists()
    page = client.get(f"/cases/{case.reference}/")
    assert page.status_code == 200
    assert "Eligibility screening" in page.content.decode()
