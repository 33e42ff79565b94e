"""The migration health demo: about 150 cases of the doctor, loaded once, consistent with the workflow and the
rules of the results, with follow-ups referred to a TB institution and ten examinations waiting."""

import io

import pytest
from django.db import transaction
from django.utils import timezone

from waypoint.accounts import demo as accounts_demo
from waypoint.cases.models import Case, CaseMember, Referral, StatusChange
from waypoint.consent.services import may_share
from waypoint.health import demo
from waypoint.health.models import AssessmentStatus, HealthAssessment, TBResult
from waypoint.health.services import validate_results
from waypoint.health.workflow import MH_WORKFLOW
from waypoint.partners import demo as partners_demo
from waypoint.partners.models import OrganisationType


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        partners_demo.load(io.StringIO())
        accounts_demo.load(io.StringIO())
        out = io.StringIO()
        demo.load(out)
        again = io.StringIO()
        demo.load(again)
        yield out.getvalue(), again.getvalue()
        transaction.set_rollback(True)


@pytest.fixture
def db_loaded(loaded, db):
    return loaded


def test_the_demo_loads_about_150_cases_once(db_loaded):
    first, second = db_loaded
    cases = Case.objects.filter(programme="MH", owner__username="doctor")
    assert cases.count() == demo.CASES
    assert "already loaded" in second
    assert CaseMember.objects.filter(case__in=cases).count() > demo.CASES  # households count as individuals
    assert "150 cases" in first


def test_assessments_follow_the_rules_and_ten_wait(db_loaded):
    rows = HealthAssessment.objects.filter(case__programme="MH")
    assert rows.filter(status=AssessmentStatus.REQUESTED).count() == demo.WAITING
    today = timezone.localdate()
    for row in rows.filter(status=AssessmentStatus.DONE).select_related("clinic"):
        values = {name: getattr(row, name) for name in (
            "assessment_type", "assessed_on", "clinic", "results", "clearance", "valid_until", "tb_result",
            "follow_up_needed", "follow_up_note")}
        assert validate_results(values, today=today) == {}, row.pk
    found = rows.filter(tb_result__in=(TBResult.PRESUMPTIVE, TBResult.ACTIVE))
    assert found.count() == demo.FOLLOW_UPS
    assert rows.filter(tb_result=TBResult.NEGATIVE).count() > 10 * found.count()


def test_follow_ups_are_in_treatment_and_referred_to_a_health_institution_with_consent(db_loaded):
    followed = HealthAssessment.objects.filter(case__programme="MH", follow_up_needed=True).select_related(
        "follow_up_case", "person")
    assert followed.count() == demo.FOLLOW_UPS
    for row in followed:
        assert row.follow_up_case.status == "treatment"
        referral = Referral.objects.get(case=row.follow_up_case, person=row.person)
        assert referral.organisation.organisation_type == OrganisationType.HEALTH
        assert may_share(row.person, referral.organisation, "referral", ["identity", "health"],
                         referral.sent_at.date()).allowed


def test_status_changes_follow_the_workflow(db_loaded):
    for change in StatusChange.objects.filter(case__programme="MH").exclude(action="open"):
        step = MH_WORKFLOW.get(change.action)
        assert change.from_status in step.sources
        assert change.to_status == step.target
    closed = Case.objects.filter(programme="MH", status="closed")
    assert closed.exists()
    assert not closed.filter(closed_on__isnull=True).exists()
