"""Recording results, cancelling a request, and following a person up: the rules a user meets, each refusal
naming its field with nothing saved, a stale form answering 409, and the path to a referral to treatment."""

import pytest
from django.core.exceptions import ValidationError

from tests.conftest import signed_in_client
from tests.health.world import DAY, SECRET, TODAY, make_world
from waypoint.audit.models import Action, AuditEvent
from waypoint.cases.models import Case, CaseEvent
from waypoint.health import services
from waypoint.health.clearance import clearance_of, clearance_problems
from waypoint.health.models import AssessmentStatus, HealthAssessment


@pytest.fixture
def world(users, make_user):
    return make_world(users, make_user)


def results(**changes) -> dict:
    values = {"assessment_type": "fitness_to_travel", "assessed_on": TODAY, "clinic": None, "results": "Fit.",
              "clearance": "cleared", "valid_until": TODAY + 90 * DAY, "tb_result": "negative",
              "follow_up_needed": False, "follow_up_note": ""}
    return values | changes


def post_data(**changes) -> dict:
    data = {key: ("" if value is None else value.isoformat() if hasattr(value, "isoformat") else value)
            for key, value in results(**changes).items()}
    if not data["follow_up_needed"]:
        data.pop("follow_up_needed")
    return data


@pytest.mark.parametrize(("changes", "field"), [
    ({"valid_until": None}, "valid_until"),
    ({"valid_until": TODAY}, "valid_until"),
    ({"assessed_on": TODAY + DAY}, "assessed_on"),
    ({"assessed_on": None}, "assessed_on"),
    ({"clearance": "pending"}, "clearance"),
    ({"clearance": "not_cleared"}, "valid_until"),
    ({"tb_result": "presumptive"}, "follow_up_needed"),
    ({"follow_up_needed": True}, "follow_up_note"),
    ({"assessment_type": "tb_screening", "clearance": "pending", "valid_until": None, "tb_result": "not_done"},
     "tb_result"),
    ({"assessment_type": "hiv_testing"}, "clearance"),
])
def test_refused_results_name_the_field_and_change_nothing(world, changes, field):
    before = HealthAssessment.objects.get(pk=world.waiting.pk)
    events = CaseEvent.objects.count()
    with pytest.raises(ValidationError) as refused:
        services.record_results(world.doctor, world.waiting, version=before.version, **results(**changes))
    assert field in refused.value.message_dict
    after = HealthAssessment.objects.get(pk=world.waiting.pk)
    assert (after.status, after.version, after.results) == (AssessmentStatus.REQUESTED, before.version, "")
    assert CaseEvent.objects.count() == events


def test_recorded_results_give_the_clearance_other_programmes_read(world):
    saved = services.record_results(world.doctor, world.waiting, version=world.waiting.version,
                                    **results(results=SECRET))
    assert saved.status == AssessmentStatus.DONE
    assert saved.version == world.waiting.version + 1
    clearance = clearance_of(world.son)
    assert clearance.status == "cleared"
    assert clearance.valid_until == TODAY + 90 * DAY
    assert clearance_problems([world.son], TODAY + 30 * DAY) == []
    assert clearance_problems([world.son], TODAY + 91 * DAY)
    line = CaseEvent.objects.filter(case=world.ct_case).order_by("-pk").first()
    assert "cleared to travel" in line.summary
    assert SECRET not in line.summary
    event = AuditEvent.objects.filter(object_type="health.healthassessment", action=Action.UPDATE).last()
    assert event.changes["results"] is None  # the trail says the results changed, not what they say


def test_a_stale_results_form_answers_409_keeps_the_input_and_writes_nothing(world):
    client = signed_in_client(world.doctor)
    url = f"/health/{world.waiting.pk}/results/"
    first = client.post(url, post_data(version=world.waiting.version))
    assert first.status_code == 302
    second = client.post(url, post_data(version=world.waiting.version, results="Something else"))
    assert second.status_code == 409
    html = second.content.decode()
    assert "Someone else saved these results" in html
    assert "Something else" in html
    assert HealthAssessment.objects.get(pk=world.waiting.pk).results == "Fit."


def test_the_results_page_names_the_bad_field(world):
    client = signed_in_client(world.doctor)
    response = client.post(f"/health/{world.waiting.pk}/results/",
                           post_data(version=world.waiting.version, valid_until=None))
    assert response.status_code == 400
    assert "A clearance to travel needs the date it is valid until." in response.content.decode()
    assert HealthAssessment.objects.get(pk=world.waiting.pk).status == AssessmentStatus.REQUESTED


def test_a_request_is_cancelled_with_a_reason_and_only_while_requested(world):
    with pytest.raises(ValidationError) as refused:
        services.cancel_request(world.doctor, world.waiting, version=world.waiting.version, reason=" ")
    assert "reason" in refused.value.message_dict
    cancelled = services.cancel_request(world.doctor, world.waiting, version=world.waiting.version,
                                        reason="Examined elsewhere")
    assert cancelled.status == AssessmentStatus.CANCELLED
    with pytest.raises(ValidationError):
        services.cancel_request(world.doctor, cancelled, version=cancelled.version, reason="Again")
    with pytest.raises(ValidationError):
        services.record_results(world.doctor, cancelled, version=cancelled.version, **results())


def test_a_second_request_of_the_same_kind_waits_on_the_first(world):
    with pytest.raises(ValidationError) as refused:
        services.request_examination(world.users["case_worker"], world.ct_case, person=world.son,
                                     assessment_type="tb_screening")
    assert "assessment_type" in refused.value.message_dict


def test_a_follow_up_opens_one_health_case_and_the_assessment_page_leads_to_the_referral(world):
    case, opened = services.open_follow_up_case(world.doctor, world.returnee_exam)
    assert opened
    assert case.programme == "MH"
    assert case.owner == world.doctor
    assert case.status == "treatment"
    assert case.principal == world.returnee
    again, opened_again = services.open_follow_up_case(world.doctor, world.returnee_exam)
    assert (again.pk, opened_again) == (case.pk, False)
    assert Case.objects.filter(programme="MH").count() == 1
    html = signed_in_client(world.doctor).get(f"/health/{world.returnee_exam.pk}/").content.decode()
    assert f"/referrals/from-case/{case.reference}/" in html
    assert signed_in_client(world.doctor).get(f"/referrals/from-case/{case.reference}/").status_code == 200


def test_no_follow_up_case_without_a_follow_up(world):
    with pytest.raises(ValidationError):
        services.open_follow_up_case(world.doctor, world.cleared)


def test_the_health_workflow_guards_closing_while_an_examination_waits(world):
    from waypoint.cases import casework
    from waypoint.health.workflow import no_examination_waiting

    case, _opened = services.open_follow_up_case(world.doctor, world.returnee_exam)
    services.request_examination(world.doctor, case, person=world.returnee, assessment_type="tb_screening")
    assert no_examination_waiting(case)
    with pytest.raises(ValidationError) as refused:
        casework.transition(world.doctor, case, "close", version=Case.objects.get(pk=case.pk).version,
                            closure_reason="treated")
    assert "action" in refused.value.message_dict
    assert Case.objects.get(pk=case.pk).status == "treatment"
