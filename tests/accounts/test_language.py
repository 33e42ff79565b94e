"""Switching the interface language; a signed-in user keeps the choice on their account."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from waypoint.accounts.models import Role
from waypoint.audit.models import Action, AuditEvent

pytestmark = pytest.mark.django_db


def switch(client: Client, language: str, next_url: str | None = None):
    data = {"language": language}
    if next_url is not None:
        data["next"] = next_url
    return client.post(reverse("accounts:set_language"), data)


def served_in(response) -> str:
    page = response.content.decode()
    assert response.status_code == 200
    html_lang = page.split('<html lang="', 1)[1].split('"', 1)[0]
    assert response["Content-Language"] == html_lang
    return html_lang


def test_pages_are_in_english_by_default(users, client_for):
    response = client_for(users[Role.CASE_WORKER]).get(reverse("core:dashboard"))

    assert served_in(response) == "en"


def test_switching_to_russian_is_kept_on_the_account(users, client_for):
    user = users[Role.CASE_WORKER]
    client = client_for(user)

    response = switch(client, "ru", reverse("core:dashboard"))

    assert response.status_code == 302
    assert response.url == reverse("core:dashboard")
    user.refresh_from_db()
    assert user.language == "ru"
    assert served_in(client.get(reverse("core:dashboard"))) == "ru"


def test_the_chosen_language_follows_the_user_to_another_browser(users, client_for):
    user = users[Role.CASE_WORKER]
    switch(client_for(user), "ru")

    other_browser = client_for(user)
    response = other_browser.get(reverse("core:dashboard"), HTTP_ACCEPT_LANGUAGE="en")

    assert settings.LANGUAGE_COOKIE_NAME not in other_browser.cookies
    assert served_in(response) == "ru"


def test_switching_back_to_english(users, client_for):
    user = users[Role.CASE_WORKER]
    client = client_for(user)
    switch(client, "ru")

    switch(client, "en")

    user.refresh_from_db()
    assert user.language == "en"
    assert served_in(client.get(reverse("core:dashboard"))) == "en"


def test_the_language_change_is_audited(users, client_for):
    user = users[Role.CASE_WORKER]

    switch(client_for(user), "ru")

    event = AuditEvent.objects.get(action=Action.UPDATE, object_type="accounts.user", object_id=str(user.pk))
    assert event.changes == {"language": ["", "ru"]}


def test_an_unknown_language_changes_nothing(users, client_for):
    user = users[Role.CASE_WORKER]
    client = client_for(user)

    response = switch(client, "xx", reverse("partners:list"))

    assert response.status_code == 302
    assert response.url == reverse("partners:list")
    user.refresh_from_db()
    assert user.language == ""
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    assert served_in(client.get(reverse("core:dashboard"))) == "en"


@pytest.mark.parametrize(
    "off_site", ["https://evil.example/", "//evil.example/", "http://testserver.evil.example/"]
)
def test_an_off_site_next_is_not_followed(users, client_for, off_site):
    user = users[Role.CASE_WORKER]

    response = switch(client_for(user), "ru", off_site)

    assert response.status_code == 302
    assert response.url == reverse("core:dashboard")
    user.refresh_from_db()
    assert user.language == "ru"


def test_a_visitor_who_is_not_signed_in_can_switch_the_sign_in_page(users):
    client = Client()

    response = switch(client, "ru", reverse("accounts:login"))

    assert response.url == reverse("accounts:login")
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ru"
    assert served_in(client.get(reverse("accounts:login"))) == "ru"


def test_switching_language_needs_a_post(users, client_for):
    response = client_for(users[Role.CASE_WORKER]).get(reverse("accounts:set_language"), {"language": "ru"})

    assert response.status_code == 405
    users[Role.CASE_WORKER].refresh_from_db()
    assert users[Role.CASE_WORKER].language == ""


def test_an_unverified_member_of_staff_can_switch_language_on_the_code_page(users):
    """The second-factor page must be readable in the user's language too."""
    client = Client()
    client.force_login(users[Role.CASE_WORKER])

    response = switch(client, "ru", reverse("accounts:enrol"))

    assert response.url == reverse("accounts:enrol")
    assert served_in(client.get(reverse("accounts:enrol"))) == "ru"
