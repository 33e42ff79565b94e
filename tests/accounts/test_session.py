"""Idle sessions end, and the user is told why."""

import time
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.urls import reverse

from waypoint.accounts.middleware import LAST_ACTIVITY
from waypoint.accounts.models import Role

pytestmark = pytest.mark.django_db


def idle_for(client, seconds: int) -> None:
    session = client.session
    session[LAST_ACTIVITY] = int(time.time()) - seconds
    session.save()


def test_an_idle_session_is_signed_out_with_a_reason_and_sent_to_sign_in(users, client_for):
    client = client_for(users[Role.CASE_WORKER])
    client.get(reverse("core:dashboard"))
    idle_for(client, settings.SESSION_IDLE_MINUTES * 60 + 5)
    page = reverse("partners:list") + "?type=ngo"

    response = client.get(page)

    assert response.status_code == 302
    target = urlsplit(response.url)
    assert target.path == reverse("accounts:login")
    assert parse_qs(target.query)["next"] == [reverse("partners:list")]
    assert "_auth_user_id" not in client.session
    login = client.get(response.url)
    assert login.status_code == 200
    text = login.content.decode()
    assert f"You were signed out after {settings.SESSION_IDLE_MINUTES} minutes without activity" in text
    assert "Sign in to Waypoint" in text


def test_after_an_idle_sign_out_the_old_page_stays_closed(users, client_for):
    client = client_for(users[Role.CASE_WORKER])
    client.get(reverse("core:dashboard"))
    idle_for(client, settings.SESSION_IDLE_MINUTES * 60 + 5)
    client.get(reverse("core:dashboard"))

    response = client.get(reverse("core:dashboard"))

    assert response.status_code == 302
    assert urlsplit(response.url).path == reverse("accounts:login")


def test_an_active_session_stays_signed_in(users, client_for):
    client = client_for(users[Role.CASE_WORKER])
    client.get(reverse("core:dashboard"))
    idle_for(client, settings.SESSION_IDLE_MINUTES * 60 - 60)

    response = client.get(reverse("partners:list"))

    assert response.status_code == 200
    assert "_auth_user_id" in client.session


def test_each_request_restarts_the_idle_clock(users, client_for, monkeypatch):
    clock = SimpleNamespace(now=time.time())
    monkeypatch.setattr("waypoint.accounts.middleware.time", SimpleNamespace(time=lambda: clock.now))
    almost_idle = settings.SESSION_IDLE_MINUTES * 60 - 60
    client = client_for(users[Role.CASE_WORKER])
    assert client.get(reverse("core:dashboard")).status_code == 200

    # Two almost-idle stretches, longer than the limit together: activity in between counts.
    clock.now += almost_idle
    assert client.get(reverse("core:dashboard")).status_code == 200
    clock.now += almost_idle
    assert client.get(reverse("core:dashboard")).status_code == 200
    clock.now += settings.SESSION_IDLE_MINUTES * 60 + 1
    response = client.get(reverse("core:dashboard"))

    assert response.status_code == 302
    assert urlsplit(response.url).path == reverse("accounts:login")


def test_the_idle_limit_follows_the_setting(users, client_for, settings):
    settings.SESSION_IDLE_MINUTES = 5
    client = client_for(users[Role.LEARNER])
    client.get(reverse("core:dashboard"))
    idle_for(client, 6 * 60)

    response = client.get(reverse("core:dashboard"), follow=True)

    assert "You were signed out after 5 minutes without activity" in response.content.decode()


def test_an_idle_htmx_request_asks_the_page_to_go_to_sign_in(users, client_for):
    client = client_for(users[Role.CASE_WORKER])
    client.get(reverse("core:dashboard"))
    idle_for(client, settings.SESSION_IDLE_MINUTES * 60 + 5)

    response = client.get(reverse("partners:list"), HTTP_HX_REQUEST="true")

    assert response.status_code == 204
    assert urlsplit(response["HX-Redirect"]).path == reverse("accounts:login")
    assert "_auth_user_id" not in client.session


def test_the_idle_clock_is_written_at_most_once_a_minute(users, client_for):
    client = client_for(users[Role.CASE_WORKER])
    idle_for(client, 10)
    stamped = client.session[LAST_ACTIVITY]

    client.get(reverse("core:dashboard"))
    assert client.session[LAST_ACTIVITY] == stamped, "no session write for a request 10 s later"

    idle_for(client, 90)
    client.get(reverse("core:dashboard"))
    assert client.session[LAST_ACTIVITY] >= int(time.time()) - 1
