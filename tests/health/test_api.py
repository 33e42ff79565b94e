"""The health API: the same rules as the pages (422 naming fields, 409 with the saved version, 404 outside)."""

import pytest
from django.test import Client

from tests.health.world import DAY, TODAY, make_world
from waypoint.api import services as api_services
from waypoint.health.models import AssessmentStatus, HealthAssessment


@pytest.fixture
def world(users, make_user):
    return make_world(users, make_user)


def client_of(user) -> Client:
    _token, secret = api_services.create_token(user, name="test", valid_days=30)
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def results(version: int, **changes) -> dict:
    return {"version": version, "assessment_type": "tb_screening", "assessed_on": TODAY.isoformat(),
            "results": "X-ray shadow", "clearance": "pending", "tb_result": "presumptive", "follow_up_needed": True,
            "follow_up_note": "Sputum test"} | changes


def test_the_case_owner_requests_an_examination_and_learns_no_result(world):
    client = client_of(world.users["case_worker"])
    answer = client.post("/api/v1/health/assessments", {"case": world.ct_case.reference,
                                                        "person": world.son.reference,
                                                        "assessment_type": "fitness_to_travel"},
                         content_type="application/json")
    assert answer.status_code == 201
    assert set(answer.json()) == {"id", "case", "person", "assessment_type", "status", "requested_on"}
    refused = client.post("/api/v1/health/assessments", {"case": world.ct_case.reference,
                                                         "person": world.returnee.reference,
                                                         "assessment_type": "bogus"},
                          content_type="application/json")
    assert refused.status_code == 422
    assert set(refused.json()["errors"]) == {"person"}
    assert client.get("/api/v1/health/assessments").status_code == 404


def test_results_answer_422_naming_fields_and_409_when_stale(world):
    client = client_of(world.doctor)
    url = f"/api/v1/health/assessments/{world.waiting.pk}/results"
    bad = client.put(url, results(world.waiting.version, follow_up_needed=False, follow_up_note="",
                                  assessed_on=(TODAY + DAY).isoformat()), content_type="application/json")
    assert bad.status_code == 422
    assert {"assessed_on", "follow_up_needed"} <= set(bad.json()["errors"])
    assert HealthAssessment.objects.get(pk=world.waiting.pk).status == AssessmentStatus.REQUESTED
    good = client.put(url, results(world.waiting.version), content_type="application/json")
    assert good.status_code == 200
    assert good.json()["tb_result"] == "presumptive"
    stale = client.put(url, results(world.waiting.version), content_type="application/json")
    assert stale.status_code == 409
    assert stale.json()["version"] == world.waiting.version + 1


def test_the_health_unit_lists_and_filters_assessments(world):
    client = client_of(world.mh_manager)
    every = client.get("/api/v1/health/assessments").json()
    assert every["count"] == 3
    waiting = client.get("/api/v1/health/assessments?status=requested").json()
    assert [row["id"] for row in waiting["results"]] == [world.waiting.pk]
    assert client.get("/api/v1/health/assessments?programme=XX").status_code == 422
    cancelled = client.post(f"/api/v1/health/assessments/{world.waiting.pk}/cancel",
                            {"version": world.waiting.version, "reason": "Duplicate"},
                            content_type="application/json")
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
