"""Personal API tokens: created on a page, shown once, stored as a hash, refused once revoked."""

import hashlib
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from waypoint.accounts.models import Role
from waypoint.api import services
from waypoint.api.models import ApiToken
from waypoint.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

SECRET = re.compile(r'<p class="token-once" id="new-token">(wpt_[A-Za-z0-9_-]+)</p>')


def create_on_page(client: Client, name: str = "monthly statistics", valid_days: int = 90) -> str:
    response = client.post(reverse("api_tokens:list"), {"name": name, "valid_days": valid_days})
    assert response.status_code == 302, "post/redirect/get: a reload cannot create a second token"
    response = client.get(response["Location"])
    assert response.status_code == 200
    match = SECRET.search(response.content.decode())
    assert match is not None, "the new token is shown on the page"
    return match.group(1)


def call_me(secret: str | None):
    headers = {} if secret is None else {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    return Client().get("/api/v1/me", **headers)


def test_the_tokens_page_opens_for_staff(users, client_for):
    response = client_for(users[Role.CASE_WORKER]).get(reverse("api_tokens:list"))

    assert response.status_code == 200
    assert "You have no tokens." in response.content.decode()


def test_a_created_token_is_shown_once_and_not_on_reload(users, client_for):
    client = client_for(users[Role.CASE_WORKER])

    secret = create_on_page(client, "monthly statistics")

    reload = client.get(reverse("api_tokens:list")).content.decode()
    assert secret not in reload
    assert secret[:12] in reload, "the list names the token by its first characters"
    assert "monthly statistics" in reload


def test_only_the_sha256_hash_of_a_token_is_stored(users, client_for):
    secret = create_on_page(client_for(users[Role.CASE_WORKER]))

    token = ApiToken.objects.get()
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    stored = [str(value) for value in ApiToken.objects.values().get().values()]
    assert not [value for value in stored if secret in value]
    assert not [event for event in AuditEvent.objects.all() if secret in str(event.content())]


def test_a_token_is_valid_for_the_chosen_time(users, client_for):
    create_on_page(client_for(users[Role.CASE_WORKER]), valid_days=30)

    token = ApiToken.objects.get()
    assert abs(token.expires_at - (timezone.now() + timedelta(days=30))) < timedelta(minutes=1)


def test_the_token_authenticates_api_calls_as_its_owner(users, client_for):
    secret = create_on_page(client_for(users[Role.CASE_WORKER]))

    response = call_me(secret)

    assert response.status_code == 200
    assert response.json() == {
        "username": "case_worker",
        "role": "case_worker",
        "office": "moscow",
        "programmes": ["CT"],
        "partner_organisation": None,
    }
    assert ApiToken.objects.get().last_used_at is not None


def test_the_api_refuses_calls_without_a_token_or_with_a_made_up_one(users):
    assert call_me(None).status_code == 401
    assert call_me("wpt_" + "x" * 43).status_code == 401
    assert call_me("not-even-the-prefix").status_code == 401


def test_a_token_revoked_on_the_page_is_refused(users, client_for):
    client = client_for(users[Role.CASE_WORKER])
    secret = create_on_page(client)
    assert call_me(secret).status_code == 200
    token = ApiToken.objects.get()

    response = client.post(reverse("api_tokens:revoke", args=[token.pk]), follow=True)

    assert "is revoked" in response.content.decode()
    assert "Revoked" in response.content.decode()
    assert call_me(secret).status_code == 401


def test_an_expired_token_is_refused(users, client_for):
    secret = create_on_page(client_for(users[Role.CASE_WORKER]))
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    assert call_me(secret).status_code == 401


def test_someone_else_cannot_revoke_my_token(users, client_for):
    secret = create_on_page(client_for(users[Role.CASE_WORKER]))
    token = ApiToken.objects.get()

    response = client_for(users["case_worker_b"]).post(reverse("api_tokens:revoke", args=[token.pk]))

    assert response.status_code == 404
    assert call_me(secret).status_code == 200


def test_the_tokens_page_lists_only_my_tokens(users, client_for):
    create_on_page(client_for(users[Role.CASE_WORKER]), "my colleague's script")

    page = client_for(users["case_worker_b"]).get(reverse("api_tokens:list")).content.decode()

    assert "my colleague" not in page
    assert "You have no tokens." in page


def test_a_learner_cannot_open_the_tokens_page(users, client_for):
    client = client_for(users[Role.LEARNER])

    assert client.get(reverse("api_tokens:list")).status_code == 404
    assert client.post(reverse("api_tokens:list"), {"name": "sneaky", "valid_days": 90}).status_code == 404
    assert not ApiToken.objects.exists()


def test_a_learners_token_is_refused(users):
    _token, secret = services.create_token(users[Role.LEARNER], name="sneaky", valid_days=30)

    assert call_me(secret).status_code == 401


def test_a_deactivated_users_token_is_refused(users):
    user = users[Role.CASE_WORKER]
    _token, secret = services.create_token(user, name="script", valid_days=30)
    user.is_active = False
    user.save()

    assert call_me(secret).status_code == 401


def test_creating_a_token_without_a_name_shows_the_error_by_the_field(users, client_for):
    response = client_for(users[Role.CASE_WORKER]).post(reverse("api_tokens:list"), {"name": "", "valid_days": 90})

    assert response.status_code == 200
    page = response.content.decode()
    errors = re.search(r'<ul class="errorlist" id="id_name_error">(.*?)</ul>', page, re.DOTALL)
    assert errors is not None
    assert "Give the token a name" in errors.group(1)
    assert 'id="new-token"' not in page
    assert not ApiToken.objects.exists()
