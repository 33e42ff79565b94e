"""The case page's panels, the trips pages, the dashboard widget (English and Russian) and the API."""

from __future__ import annotations

import datetime

import pytest
from django.test import RequestFactory
from django.utils import timezone

from tests.conftest import signed_in_client
from waypoint.api import services as api_services
from waypoint.cases.models import Case
from waypoint.resettlement import panels, services, trips
from waypoint.resettlement.models import Clearance, ProcessingTrip, ResettlementProfile

from .helpers import family, members, res_staff

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def world(make_user):
    worker, manager = res_staff(make_user)
    case = family(worker, 3, opened_on=TODAY - datetime.timedelta(days=30))
    who = members(case)[0]
    services.record_clearance(worker, case, person=who, kind="security", status="cleared",
                              obtained_on=TODAY - datetime.timedelta(days=300),
                              valid_until=TODAY + datetime.timedelta(days=10))
    trip = trips.create_trip(worker, city="Yerevan", starts_on=TODAY - datetime.timedelta(days=5), ends_on=TODAY,
                             staff=[worker])
    token = api_services.create_token(worker, name="script", valid_days=5)[1]
    return {"worker": worker, "manager": manager, "case": case, "trip": trip,
            "auth": {"HTTP_AUTHORIZATION": f"Bearer {token}"}}


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_case_page_shows_the_panels_and_the_dashboard_the_expiring_clearance(world, language):
    client = signed_in_client(world["worker"])
    client.cookies["django_language"] = language
    case = world["case"]
    page = client.get(f"/cases/{case.reference}/", HTTP_ACCEPT_LANGUAGE=language)
    assert page.status_code == 200
    text = page.content.decode()
    for key in ("resettlement-profile", "resettlement-clearances", "resettlement-presentations",
                "resettlement-predeparture"):
        assert f'id="{key}"' in text
    dashboard = client.get("/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert 'id="resettlement-checklist"' in dashboard
    assert case.reference in dashboard
    assert client.get("/resettlement/trips/", HTTP_ACCEPT_LANGUAGE=language).status_code == 200
    detail = client.get(f"/resettlement/trips/{world['trip'].pk}/", HTTP_ACCEPT_LANGUAGE=language)
    assert detail.status_code == 200
    assert "Yerevan" in detail.content.decode()


def test_the_trip_form_refuses_bad_dates_and_saves_nothing(world):
    client = signed_in_client(world["worker"])
    answer = client.post("/resettlement/trips/new/", {
        "city": "Dushanbe", "starts_on": TODAY.isoformat(), "ends_on": (TODAY - datetime.timedelta(days=2)).isoformat(),
        "staff": [world["worker"].pk]})
    assert answer.status_code == 400
    assert "cannot end" in answer.content.decode()
    assert not ProcessingTrip.objects.filter(city="Dushanbe").exists()


def test_the_profile_through_the_api_with_versions(world):
    client, case, auth = signed_in_client(world["worker"]), world["case"], world["auth"]
    url = f"/api/v1/resettlement/cases/{case.reference}/profile"
    assert client.get(url, **auth).json()["version"] == 0
    body = {"version": 0, "destination": "US", "resettlement_programme": "usrap", "category": "p1",
            "referral_source": "unhcr"}
    refused = client.patch(url, body, content_type="application/json", **auth)
    assert refused.status_code == 422
    assert "unhcr_reference" in refused.json()["errors"]
    saved = client.patch(url, {**body, "unhcr_reference": "UN-7"}, content_type="application/json", **auth)
    assert saved.status_code == 200
    assert saved.json()["version"] == 1
    stale = client.patch(url, {"version": 0, "receiving_case_number": "MS1"}, content_type="application/json", **auth)
    assert stale.status_code == 409
    assert stale.json()["version"] == 1
    assert ResettlementProfile.objects.get(case=case).receiving_case_number == ""


def test_clearances_and_trips_through_the_api(world):
    client, case, auth = signed_in_client(world["worker"]), world["case"], world["auth"]
    spouse = members(case)[1]
    url = f"/api/v1/resettlement/cases/{case.reference}/clearances"
    bad = client.post(url, {"person": spouse.reference, "kind": "security", "status": "cleared",
                            "obtained_on": TODAY.isoformat(),
                            "valid_until": (TODAY - datetime.timedelta(days=1)).isoformat()},
                      content_type="application/json", **auth)
    assert bad.status_code == 422
    assert "valid_until" in bad.json()["errors"]
    assert not Clearance.objects.filter(person=spouse).exists()
    rows = client.get(url, **auth).json()
    assert [row["kind"] for row in rows] == ["security"]
    line = Clearance.objects.get()
    renewed = client.patch(f"/api/v1/resettlement/clearances/{line.pk}",
                           {"version": line.version, "valid_until": (TODAY + datetime.timedelta(days=200)).isoformat()},
                           content_type="application/json", **auth)
    assert renewed.status_code == 200
    assert renewed.json()["version"] == 2
    created = client.post("/api/v1/resettlement/trips", {
        "city": "Malta", "starts_on": TODAY.isoformat(), "ends_on": TODAY.isoformat(),
        "staff": [world["worker"].username]}, content_type="application/json", **auth)
    assert created.status_code == 201
    assert created.json()["country"] == "MT"
    listed = client.get("/api/v1/resettlement/trips", **auth).json()
    assert {row["city"] for row in listed} == {"Malta", "Yerevan"}
    assert client.get(f"/api/v1/resettlement/cases/{case.reference}/presentations", **auth).json() == []


def test_the_dashboard_lists_ten_cases_on_hold_says_how_many_more_and_links_to_the_filtered_list(world):
    held = [family(world["worker"], 1) for _n in range(12)]
    Case.objects.filter(pk__in=[case.pk for case in held]).update(status="on_hold")
    request = RequestFactory().get("/")
    request.user = world["manager"]
    widget = panels.dashboard_widget(request)
    assert widget["on_hold_count"] == 12
    assert len(widget["on_hold"]) == 10
    assert widget["on_hold_more"] == 2
    client = signed_in_client(world["manager"])
    text = client.get("/").content.decode()
    assert "12 cases on hold" in text
    assert "And 2 more." in text
    assert sum(case.reference in text for case in held) == 10
    url = widget["on_hold_url"]
    assert url == "/cases/?programme=RES&status=on_hold"
    assert f'href="{url.replace("&", "&amp;")}"' in text
    listed = client.get(url).content.decode()
    assert all(case.reference in listed for case in held)
    assert world["case"].reference not in listed  # the list is the cases on hold only
