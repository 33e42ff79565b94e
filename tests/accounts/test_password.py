"""Changing a password, and resetting a forgotten one by email."""

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django_tasks import TaskResultStatus
from django_tasks.signals import task_enqueued, task_finished

from tests.conftest import PASSWORD
from waypoint.accounts.models import Role
from waypoint.audit.models import Action, AuditEvent

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "amber-lantern-quietly-folds-27"
RESET_LINK = re.compile(r"https?://testserver(/accounts/password/reset/[^/\s]+/[^/\s]+/)")


def field_errors(response, field: str) -> str:
    match = re.search(
        rf'<ul class="errorlist" id="id_{field}_error">(.*?)</ul>', response.content.decode(), re.DOTALL
    )
    assert match is not None, f"no errors shown next to {field}"
    return match.group(1)


def can_sign_in(username: str, password: str) -> bool:
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": username, "password": password})
    return response.status_code == 302 and "_auth_user_id" in client.session


@pytest.fixture
def queued_tasks():
    """The tasks enqueued and finished while the test runs, as (module path, status)."""
    enqueued: list[str] = []
    finished: list[tuple[str, str]] = []

    def on_enqueued(sender, task_result, **kwargs):
        enqueued.append(task_result.task.module_path)

    def on_finished(sender, task_result, **kwargs):
        finished.append((task_result.task.module_path, task_result.status))

    task_enqueued.connect(on_enqueued)
    task_finished.connect(on_finished)
    yield {"enqueued": enqueued, "finished": finished}
    task_enqueued.disconnect(on_enqueued)
    task_finished.disconnect(on_finished)


# --- Change ---------------------------------------------------------------------------------
def test_password_change_page_renders(users, client_for):
    response = client_for(users[Role.CASE_WORKER]).get(reverse("accounts:password_change"))

    assert response.status_code == 200
    page = response.content.decode()
    for field in ("old_password", "new_password1", "new_password2"):
        assert f'name="{field}"' in page


def test_a_weak_new_password_is_refused_next_to_the_field_and_the_old_one_keeps_working(users, client_for):
    client = client_for(users[Role.CASE_WORKER])

    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": "short", "new_password2": "short"},
    )

    assert response.status_code == 200
    assert "This password is too short" in field_errors(response, "new_password2")
    assert can_sign_in("case_worker", PASSWORD)
    assert not can_sign_in("case_worker", "short")


@pytest.mark.parametrize(
    ("weak", "reason"),
    [
        ("123456789012345", "entirely numeric"),
        ("password12345", "too common"),
        ("case_worker_2026", "too similar to the username"),
    ],
)
def test_common_numeric_and_similar_passwords_are_refused(users, client_for, weak, reason):
    response = client_for(users[Role.CASE_WORKER]).post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": weak, "new_password2": weak},
    )

    assert reason in field_errors(response, "new_password2")


def test_a_wrong_current_password_is_refused_next_to_that_field(users, client_for):
    response = client_for(users[Role.CASE_WORKER]).post(
        reverse("accounts:password_change"),
        {"old_password": "not-the-password", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 200
    assert "old password was entered incorrectly" in field_errors(response, "old_password")
    assert can_sign_in("case_worker", PASSWORD)


def test_a_successful_change_keeps_the_user_signed_in_and_says_so(users, client_for):
    client = client_for(users[Role.CASE_WORKER])

    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )

    assert response.redirect_chain == [(reverse("core:dashboard"), 302)]
    assert "Your password has been changed." in response.content.decode()
    assert can_sign_in("case_worker", NEW_PASSWORD)
    assert not can_sign_in("case_worker", PASSWORD)


def test_a_password_change_signs_out_the_users_other_sessions(users, client_for):
    elsewhere = client_for(users[Role.CASE_WORKER])
    assert elsewhere.get(reverse("core:dashboard")).status_code == 200

    client_for(users[Role.CASE_WORKER]).post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    response = elsewhere.get(reverse("core:dashboard"))
    assert response.status_code == 302
    assert urlsplit(response.url).path == reverse("accounts:login")


def test_a_password_change_is_audited_without_the_password(users, client_for):
    user = users[Role.CASE_WORKER]

    client_for(user).post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    event = AuditEvent.objects.get(action=Action.UPDATE, object_type="accounts.user", object_id=str(user.pk))
    assert event.actor_id == user.pk
    assert event.changes == {"password": None}
    every_event = str([event.content() for event in AuditEvent.objects.all()])
    assert NEW_PASSWORD not in every_event
    assert PASSWORD not in every_event
    user.refresh_from_db()
    assert user.password not in every_event


# --- Reset by email -------------------------------------------------------------------------
def request_reset(client: Client, email: str, capture) -> tuple:
    with capture(execute=True) as callbacks:
        response = client.post(reverse("accounts:password_reset"), {"email": email})
    return response, callbacks


def test_reset_mail_is_sent_through_the_task_queue_after_the_commit(
    users, django_capture_on_commit_callbacks, queued_tasks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = Client().post(reverse("accounts:password_reset"), {"email": "case_worker@example.org"})

    assert response.status_code == 302
    assert mail.outbox == [], "nothing may be sent before the transaction commits"
    assert queued_tasks["enqueued"] == []
    assert len(callbacks) == 1

    callbacks[0]()  # the commit

    assert queued_tasks["enqueued"] == ["waypoint.core.tasks.send_email"]
    assert queued_tasks["finished"] == [("waypoint.core.tasks.send_email", TaskResultStatus.SUCCESSFUL)]
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["case_worker@example.org"]


def test_reset_mail_contains_a_link_that_sets_a_new_password(users, django_capture_on_commit_callbacks):
    client = Client()
    response, _callbacks = request_reset(client, "case_worker@example.org", django_capture_on_commit_callbacks)
    assert response.url == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "Waypoint: choose a new password"
    assert "case_worker" in message.body
    link = RESET_LINK.search(message.body)
    assert link is not None, message.body

    form_page = client.get(link.group(1), follow=True)
    assert form_page.status_code == 200
    assert "Choose a new password" in form_page.content.decode()
    set_password_url = form_page.redirect_chain[-1][0]
    done = client.post(set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}, follow=True)

    assert done.redirect_chain[-1][0] == reverse("accounts:password_reset_complete")
    assert "Your new password is set." in done.content.decode()
    assert can_sign_in("case_worker", NEW_PASSWORD)
    assert not can_sign_in("case_worker", PASSWORD)


def test_a_reset_is_audited_without_the_password(users, django_capture_on_commit_callbacks):
    client = Client()
    request_reset(client, "case_worker@example.org", django_capture_on_commit_callbacks)
    link = RESET_LINK.search(mail.outbox[0].body).group(1)
    set_password_url = client.get(link, follow=True).redirect_chain[-1][0]

    client.post(set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    user = users[Role.CASE_WORKER]
    event = AuditEvent.objects.get(action=Action.UPDATE, object_type="accounts.user", object_id=str(user.pk))
    assert event.changes == {"password": None}
    assert NEW_PASSWORD not in str(event.content())


def test_a_reset_link_works_only_once(users, django_capture_on_commit_callbacks):
    client = Client()
    request_reset(client, "case_worker@example.org", django_capture_on_commit_callbacks)
    link = RESET_LINK.search(mail.outbox[0].body).group(1)
    set_password_url = client.get(link, follow=True).redirect_chain[-1][0]
    client.post(set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    again = Client().get(link, follow=True)

    assert "This link no longer works" in again.content.decode()
    assert 'name="new_password1"' not in again.content.decode()


def test_a_reset_refuses_a_weak_password_next_to_the_field(users, django_capture_on_commit_callbacks):
    client = Client()
    request_reset(client, "case_worker@example.org", django_capture_on_commit_callbacks)
    link = RESET_LINK.search(mail.outbox[0].body).group(1)
    set_password_url = client.get(link, follow=True).redirect_chain[-1][0]

    response = client.post(set_password_url, {"new_password1": "short", "new_password2": "short"})

    assert response.status_code == 200
    assert "This password is too short" in field_errors(response, "new_password2")
    assert can_sign_in("case_worker", PASSWORD)


def test_a_reset_signs_out_existing_sessions(users, client_for, django_capture_on_commit_callbacks):
    stolen = client_for(users[Role.CASE_WORKER])
    assert stolen.get(reverse("core:dashboard")).status_code == 200
    client = Client()
    request_reset(client, "case_worker@example.org", django_capture_on_commit_callbacks)
    link = RESET_LINK.search(mail.outbox[0].body).group(1)
    set_password_url = client.get(link, follow=True).redirect_chain[-1][0]

    client.post(set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    response = stolen.get(reverse("core:dashboard"))
    assert response.status_code == 302
    assert urlsplit(response.url).path == reverse("accounts:login")


def test_an_unknown_email_sends_nothing_and_shows_the_same_page(
    users, django_capture_on_commit_callbacks, queued_tasks
):
    known, _ = request_reset(Client(), "case_worker@example.org", django_capture_on_commit_callbacks)
    mail.outbox.clear()
    queued_tasks["enqueued"].clear()

    unknown, callbacks = request_reset(Client(), "nobody@example.org", django_capture_on_commit_callbacks)

    assert callbacks == []
    assert queued_tasks["enqueued"] == []
    assert mail.outbox == []
    assert unknown.status_code == known.status_code == 302
    assert unknown.url == known.url
    unknown_page = Client().get(unknown.url)
    assert unknown_page.status_code == 200
    assert "Check your email" in unknown_page.content.decode()


def test_a_deactivated_account_gets_no_reset_mail(users, django_capture_on_commit_callbacks):
    user = users[Role.CASE_WORKER]
    user.is_active = False
    user.save()

    response, _callbacks = request_reset(Client(), "case_worker@example.org", django_capture_on_commit_callbacks)

    assert response.url == reverse("accounts:password_reset_done")
    assert mail.outbox == []
