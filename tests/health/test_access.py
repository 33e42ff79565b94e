"""Who sees and changes health assessments, pinned as a table in the shape of `tests/accounts/test_policy.py`.

Health data follow VIEW_HEALTH_DATA alone: none of the shared personas works in migration health, so none of them
reads an assessment, not even on a case they own; the MH case worker and programme manager read and record every
assessment, whichever programme's case asked for it. Nobody deletes one (it is cancelled). Reads are audited.
"""

import pytest
from django.http import Http404

from tests.accounts.test_policy import ACTIONS, NONE, PERSONAS
from tests.conftest import signed_in_client
from tests.health.world import SECRET, make_world
from waypoint.accounts import policy
from waypoint.api import services as api_services
from waypoint.audit.models import Action, AuditEvent
from waypoint.health.models import HealthAssessment
from waypoint.people.models import ProgrammeRegistration

ALL = "all"
ASSESSMENTS = dict.fromkeys(PERSONAS, (NONE, NONE, NONE))
# The migration health unit, tested beside the table (no persona of the shared table works in MH).
HEALTH_UNIT = {"mh_case_worker": (ALL, ALL, NONE), "mh_manager": (ALL, ALL, NONE)}

OBJECT_MATRIX = {"health.healthassessment": (HealthAssessment, ASSESSMENTS)}


@pytest.fixture
def world(users, make_user):
    return make_world(users, make_user)


def _expected(kind: str) -> set:
    return set(HealthAssessment.objects.all()) if kind == ALL else set()


def _check(user, table_row) -> dict:
    wrong = {}
    every_row = set(HealthAssessment.objects.all())
    for index, action in enumerate(ACTIONS):
        expected = _expected(table_row[index])
        scoped = set(policy.scope(user, HealthAssessment.objects.all(), action))
        allowed = {obj for obj in every_row if policy.can(user, action, obj)}
        if scoped != expected:
            wrong[f"{user.username}: scope {action}"] = (scoped, expected)
        if allowed != expected:
            wrong[f"{user.username}: can {action}"] = (allowed, expected)
    return wrong


def test_scope_and_can_give_exactly_the_rows_the_matrix_allows(world):
    assert HealthAssessment.objects.count() == 3
    wrong = {}
    for persona in PERSONAS:
        wrong |= _check(world.users[persona], ASSESSMENTS[persona])
    assert wrong == {}


def test_the_health_unit_sees_and_changes_every_assessment_and_deletes_none(world):
    wrong = {}
    for user in (world.doctor, world.mh_manager):
        wrong |= _check(user, HEALTH_UNIT[user.username])
    assert wrong == {}


def test_a_health_unit_member_of_another_role_or_programme_sees_nothing(world, make_user):
    from waypoint.accounts.models import Programme, Role

    outsider = make_user(Role.ME_OFFICER, "me_health", programmes=[Programme.HEALTH])
    assert not policy.scope(outsider, HealthAssessment.objects.all()).exists()


def test_the_owner_of_a_case_sees_the_clearance_on_the_case_page_but_never_the_results(world):
    client = signed_in_client(world.users["case_worker"])
    page = client.get(f"/cases/{world.ct_case.reference}/")
    html = page.content.decode()

    assert page.status_code == 200
    assert 'id="health"' in html
    assert "Cleared to travel" in html  # the mother's clearance
    assert world.cleared.valid_until.strftime("%Y") in html
    # The son's TB screening waits: that it is a TB screening is health data, the timeline's words are used.
    assert "Medical examination, requested" in html
    assert "TB screening, requested" not in html  # (the request form still lists the kinds one may ask for)
    assert SECRET not in html
    assert "Latent TB" not in html
    assert f"/health/{world.cleared.pk}/" not in html  # no link to the assessment
    assert "Request a medical examination" in html  # the owner may ask


def test_the_owner_of_a_case_cannot_open_an_assessment_and_the_denial_is_audited(world):
    client = signed_in_client(world.users["case_worker"])
    before = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()

    response = client.get(f"/health/{world.cleared.pk}/")

    assert response.status_code == 404
    assert SECRET not in response.content.decode()
    denial = AuditEvent.objects.filter(pk__gt=before, action=Action.DENY).get()
    assert (denial.object_type, denial.object_id) == ("health.healthassessment", str(world.cleared.pk))


def test_the_health_unit_reads_the_results_and_each_read_is_audited(world):
    client = signed_in_client(world.doctor)
    before = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()

    page = client.get(f"/health/{world.cleared.pk}/")

    assert page.status_code == 200
    assert SECRET in page.content.decode()
    read = AuditEvent.objects.filter(pk__gt=before, action=Action.VIEW).get()
    assert (read.actor_id, read.object_type, read.object_id) == (
        world.doctor.pk, "health.healthassessment", str(world.cleared.pk))


def test_the_health_unit_sees_links_to_the_assessments_on_any_case_page(world):
    world.ct_case.assigned.add(world.doctor)  # to open the CT case page at all
    html = signed_in_client(world.doctor).get(f"/cases/{world.ct_case.reference}/").content.decode()
    assert f"/health/{world.cleared.pk}/" in html
    assert "TB screening, requested" in html  # the unit knows what it was asked for
    assert SECRET not in html  # results stay on the assessment's own page


def test_an_api_read_of_an_assessment_is_audited_and_refused_to_the_case_owner(world):
    _token, doctor_key = api_services.create_token(world.doctor, name="test", valid_days=30)
    _token, owner_key = api_services.create_token(world.users["case_worker"], name="test", valid_days=30)
    before = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()

    answer = signed_in_client(world.doctor).get(f"/api/v1/health/assessments/{world.cleared.pk}",
                                                HTTP_AUTHORIZATION=f"Bearer {doctor_key}")
    refused = signed_in_client(world.doctor).get(f"/api/v1/health/assessments/{world.cleared.pk}",
                                                 HTTP_AUTHORIZATION=f"Bearer {owner_key}")

    assert answer.status_code == 200
    assert answer.json()["results"] == SECRET
    assert refused.status_code == 404
    assert AuditEvent.objects.filter(pk__gt=before, action=Action.VIEW, object_type="health.healthassessment",
                                     actor_id=world.doctor.pk).count() == 1


def test_a_request_checks_the_case_policy_not_health_data_and_registers_the_person_in_mh(world):
    from waypoint.health import services

    worker = world.users["case_worker"]
    assert not ProgrammeRegistration.objects.filter(person=world.son, programme="MH").exists()
    services.request_examination(worker, world.ct_case, person=world.son, assessment_type="fitness_to_travel")
    assert ProgrammeRegistration.objects.filter(person=world.son, programme="MH").exists()
    # The manager of another programme's case may not ask on it: 404, whatever health data they hold.
    with pytest.raises(Http404):
        services.request_examination(world.doctor, world.ct_case, person=world.son, assessment_type="general")
    with pytest.raises(Http404):
        services.request_examination(world.users["case_worker_b"], world.ct_case, person=world.son,
                                     assessment_type="general")


def test_the_clearances_endpoint_answers_whoever_sees_the_case_without_results(world):
    _token, key = api_services.create_token(world.users["case_worker"], name="test", valid_days=30)
    client = signed_in_client(world.users["case_worker"])
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    answer = client.get(f"/api/v1/health/cases/{world.ct_case.reference}/clearances", **bearer)
    other = client.get(f"/api/v1/health/cases/{world.return_case.reference}/clearances", **bearer)

    assert answer.status_code == 200
    rows = {row["person"]: row for row in answer.json()}
    assert rows[world.mother.reference]["status"] == "cleared"
    assert rows[world.mother.reference]["valid_until"] == world.cleared.valid_until.isoformat()
    assert rows[world.son.reference]["status"] == ""
    assert "results" not in answer.content.decode()
    assert SECRET not in answer.content.decode()
    assert other.status_code == 404
