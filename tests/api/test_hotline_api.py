"""Consultations in the REST API: create with the entry form's rules, list under the access policy."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from tests.hotline.log_world import call_data, make_world
from waypoint.api import services as api_services
from waypoint.audit.models import Action, AuditEvent
from waypoint.hotline import services
from waypoint.hotline.models import Consultation, FollowUp

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(users, make_user, office):
    return make_world(users, make_user, office)


@pytest.fixture
def api_as(users, world):
    def make(user) -> Client:
        user = users[user] if isinstance(user, str) else user
        _token, secret = api_services.create_token(user, name="hotline system", valid_days=30)
        return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")

    return make


def a_call(**changes) -> dict:
    body = {
        "site": "icc-spb", "channel": "call",
        "started_at": (timezone.now() - datetime.timedelta(minutes=5)).isoformat(),
        "duration_minutes": 4, "caller_sex": "F", "caller_age_band": "18-24", "caller_nationality": "TJ",
        "caller_language": "tg", "caller_type": "potential_migrant", "topics": ["employment-abroad", "trafficking"],
        "heard_from": "leaflet-tg", "answer": "Warned about offers of work abroad without a contract.",
        "outcome": "informed",
    }
    body.update(changes)
    return body


def post(client: Client, body: dict):
    return client.post("/api/v1/consultations", body, content_type="application/json")


# --- Creating -----------------------------------------------------------------------------------
def test_an_operator_logs_a_call_through_the_api(api_as, world):
    response = post(api_as(world["operator"]), a_call())

    assert response.status_code == 201
    body = response.json()
    consultation = Consultation.objects.get()
    assert body["id"] == consultation.pk
    assert body["site"] == "icc-spb"
    assert body["operator"] == "hotline_operator"
    assert body["topics"] == ["employment-abroad", "trafficking"]
    assert body["caller_nationality"] == "TJ"
    assert body["heard_from"] == "leaflet-tg"
    assert "answer" not in body
    assert consultation.answer == "Warned about offers of work abroad without a contract."
    assert AuditEvent.objects.filter(action=Action.CREATE, object_type="hotline.consultation").count() == 1


def test_a_call_back_comes_with_its_follow_up(api_as, world):
    due = (timezone.now() + datetime.timedelta(days=1)).isoformat()

    response = post(api_as(world["operator"]), a_call(
        outcome="call_back", follow_up={"due_at": due, "action": "Send the list of shelters", "contact": "+7 900"},
    ))

    assert response.status_code == 201
    [follow_up] = response.json()["follow_ups"]
    assert (follow_up["action"], follow_up["status"], follow_up["assigned_to"]) == (
        "Send the list of shelters", "open", "hotline_operator")
    assert "contact" not in follow_up
    assert FollowUp.objects.get().contact == "+7 900"


def test_missing_fields_answer_422_naming_each_and_nothing_is_saved(api_as, world):
    response = post(api_as(world["operator"]), {"site": "icc-spb"})

    assert response.status_code == 422
    body = response.json()
    assert set(body) == {"detail", "errors"}
    assert body["errors"] == {
        "started_at": ["Enter when the consultation started."],
        "duration_minutes": ["Enter the duration in minutes."],
        "caller_type": ["Choose the caller."],
        "topics": ["Choose at least one topic."],
        "outcome": ["Choose the outcome."],
    }
    assert not Consultation.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"topics": ["work-permits", "no-such-topic"]}, "topics"),
        ({"topics": ["retired"]}, "topics"),
        ({"heard_from": "no-such-leaflet"}, "heard_from"),
        ({"site": "icc-moscow"}, "site"),
        ({"site": "atlantis"}, "site"),
        ({"site": None}, "site"),
        ({"caller_nationality": "Uzbekistan"}, "caller_nationality"),
        ({"caller_language": "uzbek"}, "caller_language"),
        ({"duration_minutes": 601}, "duration_minutes"),
        ({"caller_type": "tourist"}, "caller_type"),
        ({"started_at": (timezone.now() + datetime.timedelta(hours=2)).isoformat()}, "started_at"),
        ({"started_at": "2026-01-05T10:00:00"}, "started_at"),
        ({"outcome": "call_back"}, "follow_up"),
    ],
)
def test_wrong_data_answers_422_on_its_field(api_as, world, changes, field):
    response = post(api_as(world["operator"]), a_call(**changes))

    assert response.status_code == 422
    assert list(response.json()["errors"]) == [field]
    assert not Consultation.objects.exists()


def test_an_unknown_field_is_refused(api_as, world):
    response = post(api_as(world["operator"]), a_call(caller_name="Ivan"))

    assert response.status_code == 422
    assert "caller_name" in response.json()["errors"]


def test_the_hotline_manager_logs_for_any_site(api_as, world):
    response = post(api_as(world["manager"]), a_call(site="icc-moscow"))

    assert response.status_code == 201
    assert response.json()["site"] == "icc-moscow"


@pytest.mark.parametrize("role", ["programme_manager", "me_officer", "case_worker", "administrator", "partner_user"])
def test_roles_without_the_hotline_get_404_and_are_audited(api_as, users, world, role):
    client = api_as(role)

    answers = [post(client, a_call()), client.get("/api/v1/consultations")]

    assert [answer.status_code for answer in answers] == [404, 404]
    assert AuditEvent.objects.filter(
        action=Action.DENY, actor_id=users[role].pk, object_id="record_consultations",
    ).count() == 2
    assert not Consultation.objects.exists()


def test_no_token_no_consultations():
    assert Client().get("/api/v1/consultations").status_code == 401
    assert Client().post("/api/v1/consultations", {}, content_type="application/json").status_code == 401


# --- Listing ------------------------------------------------------------------------------------
@pytest.fixture
def calls(world):
    now = timezone.now()
    return {
        "spb_today": services.record_consultation(world["operator"], call_data(world)),
        "spb_police": services.record_consultation(world["colleague"], call_data(
            world, topics=[world["topics"]["police"]], started_at=now - datetime.timedelta(days=3))),
        "moscow": services.record_consultation(world["other_site"], call_data(world, site=world["moscow"])),
    }


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_an_operator_lists_the_calls_of_the_site_newest_first(api_as, world, calls):
    response = api_as(world["operator"]).get("/api/v1/consultations")

    assert ids(response) == [calls["spb_today"].pk, calls["spb_police"].pk]
    assert response.json()["count"] == 2
    assert "answer" not in response.json()["results"][0]


def test_the_list_filters_by_site_dates_and_topic(api_as, world, calls):
    manager = api_as(world["manager"])
    today = timezone.localdate()

    assert ids(manager.get("/api/v1/consultations", {"site": "icc-moscow"})) == [calls["moscow"].pk]
    assert set(ids(manager.get("/api/v1/consultations", {"date_from": today.isoformat()}))) == {
        calls["spb_today"].pk, calls["moscow"].pk}
    assert ids(manager.get("/api/v1/consultations", {
        "date_to": (today - datetime.timedelta(days=1)).isoformat()})) == [calls["spb_police"].pk]
    assert ids(manager.get("/api/v1/consultations", {"topic": "police"})) == [calls["spb_police"].pk]


def test_asking_for_another_site_gives_an_operator_nothing(api_as, world, calls):
    assert ids(api_as(world["operator"]).get("/api/v1/consultations", {"site": "icc-moscow"})) == []


def test_the_list_is_paged(api_as, world, calls):
    client = api_as(world["manager"])

    first = client.get("/api/v1/consultations", {"limit": 2}).json()
    second = client.get("/api/v1/consultations", {"limit": 2, "offset": 2}).json()

    assert first["count"] == 3
    assert len(first["results"]) == 2
    assert first["next"].endswith("limit=2&offset=2")
    assert first["previous"] is None
    assert len(second["results"]) == 1
    assert second["next"] is None


def test_reversed_dates_answer_422(api_as, world):
    reversed_dates = {"date_from": "2026-05-02", "date_to": "2026-05-01"}
    response = api_as(world["operator"]).get("/api/v1/consultations", reversed_dates)

    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["date_to"]
