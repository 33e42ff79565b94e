"""Signing in with a password, and the lockout that stops password guessing."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.conftest import PASSWORD
from waypoint.accounts.models import Role
from waypoint.audit.models import Action, AuditEvent

pytestmark = pytest.mark.django_db

OFFICE_ADDRESS = "10.1.1.10"
ELSEWHERE_ADDRESS = "203.0.113.66"
WRONG_ERROR = "The username or password is not right"


def sign_in(client: Client, username: str, password: str, address: str = OFFICE_ADDRESS, **extra):
    return client.post(
        reverse("accounts:login"), {"username": username, "password": password},
        REMOTE_ADDR=address, **extra,
    )


def signed_in_as(client: Client):
    """The user id the client's session belongs to, or None."""
    return client.session.get("_auth_user_id")


def fail_until_locked(username: str, address: str = OFFICE_ADDRESS) -> None:
    client = Client()
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, username, "not-the-password", address)


def test_login_page_renders_the_form():
    response = Client().get(reverse("accounts:login"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Sign in to Waypoint" in page
    assert 'name="username"' in page
    assert 'name="password"' in page
    assert reverse("accounts:password_reset") in page


def test_right_password_signs_in(users):
    client = Client()

    response = sign_in(client, "learner", PASSWORD)

    assert response.status_code == 302
    assert response.url == reverse("core:dashboard")
    assert signed_in_as(client) == str(users[Role.LEARNER].pk)


def test_wrong_password_shows_a_clear_error_and_no_stack_trace(users):
    client = Client()

    response = sign_in(client, "case_worker", "not-the-password")

    assert response.status_code == 200
    page = response.content.decode()
    assert WRONG_ERROR in page
    assert f"After {settings.AXES_FAILURE_LIMIT} failed attempts" in page
    assert "Traceback" not in page
    assert "Exception" not in page
    assert signed_in_as(client) is None


def test_unknown_username_gets_the_same_error_as_a_wrong_password(users):
    response = sign_in(Client(), "nobody-by-this-name", "not-the-password")

    assert response.status_code == 200
    assert WRONG_ERROR in response.content.decode()


def test_failed_sign_in_is_audited_without_the_password(users):
    sign_in(Client(), "case_worker", "not-the-password")

    event = AuditEvent.objects.get(action=Action.LOGIN_FAILED)
    assert event.actor_username == "case_worker"
    assert event.ip_address == OFFICE_ADDRESS
    assert "not-the-password" not in str(event.content())


def test_attempts_below_the_limit_are_not_locked(users):
    client = Client()
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        response = sign_in(client, "case_worker", "not-the-password")
        assert response.status_code == 200
        assert WRONG_ERROR in response.content.decode()

    response = sign_in(client, "case_worker", PASSWORD)

    assert response.status_code == 302
    assert signed_in_as(client) == str(users[Role.CASE_WORKER].pk)


def test_after_the_failure_limit_even_the_right_password_is_refused_with_sign_in_paused(users):
    fail_until_locked("case_worker")
    client = Client()

    response = sign_in(client, "case_worker", PASSWORD)

    assert response.status_code == 429
    page = response.content.decode()
    assert "Sign-in paused" in page
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    assert f"Try again in {minutes} minutes" in page
    assert reverse("accounts:password_reset") in page
    assert signed_in_as(client) is None


def test_lockout_page_carries_the_security_headers(users):
    fail_until_locked("case_worker")

    response = sign_in(Client(), "case_worker", PASSWORD)

    assert response.status_code == 429
    assert response["Cache-Control"] == "no-store"
    assert "Content-Security-Policy" in response


def test_lockout_does_not_reach_the_same_username_from_another_address(users):
    """An attacker elsewhere who guesses at a colleague's username cannot lock them out."""
    fail_until_locked("case_worker", ELSEWHERE_ADDRESS)
    assert sign_in(Client(), "case_worker", PASSWORD, ELSEWHERE_ADDRESS).status_code == 429
    client = Client()

    response = sign_in(client, "case_worker", PASSWORD, OFFICE_ADDRESS)

    assert response.status_code == 302
    assert signed_in_as(client) == str(users[Role.CASE_WORKER].pk)


def test_lockout_does_not_reach_other_usernames_from_the_same_address(users):
    fail_until_locked("case_worker")
    client = Client()

    response = sign_in(client, "learner", PASSWORD)

    assert response.status_code == 302
    assert signed_in_as(client) == str(users[Role.LEARNER].pk)


def test_after_the_cool_off_time_the_user_can_sign_in_again(users):
    fail_until_locked("case_worker")
    assert sign_in(Client(), "case_worker", PASSWORD).status_code == 429
    # Move the recorded failures back beyond the cool-off time, as if the time had passed.
    long_ago = timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(seconds=1)
    assert AccessAttempt.objects.filter(username="case_worker").update(attempt_time=long_ago) == 1
    client = Client()

    response = sign_in(client, "case_worker", PASSWORD)

    assert response.status_code == 302
    assert signed_in_as(client) == str(users[Role.CASE_WORKER].pk)


def test_within_the_cool_off_time_the_lock_holds(users):
    fail_until_locked("case_worker")
    not_long_enough = timezone.now() - settings.AXES_COOLOFF_TIME + timedelta(minutes=1)
    AccessAttempt.objects.filter(username="case_worker").update(attempt_time=not_long_enough)

    response = sign_in(Client(), "case_worker", PASSWORD)

    assert response.status_code == 429


def test_a_successful_sign_in_clears_earlier_failures(users):
    client = Client()
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, "case_worker", "not-the-password")
    assert sign_in(client, "case_worker", PASSWORD).status_code == 302
    client = Client()

    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        response = sign_in(client, "case_worker", "not-the-password")

    assert response.status_code == 200
    assert WRONG_ERROR in response.content.decode()


@pytest.mark.parametrize("round_", [1, 2])
def test_lockouts_do_not_leak_between_tests(users, round_):
    """Each run locks the account; the next run must start unlocked again."""
    assert not AccessAttempt.objects.exists()
    client = Client()
    assert sign_in(client, "case_worker", PASSWORD).status_code == 302
    fail_until_locked("case_worker")
    assert sign_in(Client(), "case_worker", PASSWORD).status_code == 429
