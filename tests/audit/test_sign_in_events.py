"""Sign-ins, failed sign-ins, sign-outs and refused access each leave an event in the trail."""

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD
from waypoint.api.services import create_token
from waypoint.audit.models import Action, AuditEvent
from waypoint.audit.services import verify

ADDRESS = "203.0.113.7"
WRONG_PASSWORD = "Zebra-Wrong-Passphrase-7319"


def stored_trail() -> str:
    """Every column of every stored event, as the database holds them."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM audit_auditevent ORDER BY id")
        return repr(cursor.fetchall())


@pytest.mark.django_db
def test_signing_in_through_the_form_records_a_login_with_user_and_address(users):
    worker = users["case_worker"]

    response = Client().post(
        reverse("accounts:login"), {"username": worker.username, "password": PASSWORD},
        REMOTE_ADDR=ADDRESS,
    )

    assert response.status_code == 302
    event = AuditEvent.objects.get(action=Action.LOGIN)
    assert event.actor_id == worker.pk
    assert event.actor_username == worker.username
    assert event.ip_address == ADDRESS
    assert (event.object_type, event.object_id) == ("accounts.user", str(worker.pk))
    assert not AuditEvent.objects.filter(action=Action.LOGIN_FAILED).exists()
    assert PASSWORD not in stored_trail()
    assert verify()[1] is None


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["case_worker", "nobody-by-this-name"], ids=["known", "unknown"])
def test_a_failed_sign_in_records_the_typed_username_and_never_the_password(users, username):
    response = Client().post(
        reverse("accounts:login"), {"username": username, "password": WRONG_PASSWORD},
        REMOTE_ADDR=ADDRESS,
    )

    assert response.status_code == 200
    assert "The username or password is not right" in response.content.decode()
    event = AuditEvent.objects.get(action=Action.LOGIN_FAILED)
    assert event.actor_username == username
    assert event.actor_id is None
    assert event.ip_address == ADDRESS
    assert not AuditEvent.objects.filter(action=Action.LOGIN).exists()
    trail = stored_trail()
    assert username in trail
    assert WRONG_PASSWORD not in trail
    assert WRONG_PASSWORD.lower() not in trail.lower()
    assert WRONG_PASSWORD not in repr(event.content())


@pytest.mark.django_db
def test_signing_out_records_a_logout(users, client_for):
    worker = users["case_worker"]
    client = client_for(worker)

    response = client.post(reverse("accounts:logout"), REMOTE_ADDR=ADDRESS)

    assert response.status_code == 302
    event = AuditEvent.objects.get(action=Action.LOGOUT)
    assert event.actor_id == worker.pk
    assert event.actor_username == worker.username
    assert event.ip_address == ADDRESS
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_a_refused_object_access_records_a_deny_with_who_and_what(users, client_for):
    token, _secret = create_token(users["case_worker"], name="Laptop", valid_days=30)
    intruder = users["case_worker_b"]

    response = client_for(intruder).post(
        reverse("api_tokens:revoke", args=[token.pk]), REMOTE_ADDR=ADDRESS
    )

    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    event = AuditEvent.objects.get(action=Action.DENY)
    assert event.actor_id == intruder.pk
    assert event.actor_username == intruder.username
    assert (event.object_type, event.object_id) == ("api.apitoken", str(token.pk))
    assert event.ip_address == ADDRESS
