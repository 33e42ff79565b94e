"""A request body larger than the limit is refused before Django reads it (and writes it to disk)."""

import pytest
from django.test import override_settings
from django.urls import reverse

from waypoint.core.middleware import RequestSizeLimitMiddleware


@override_settings(WAYPOINT_MAX_REQUEST_BYTES=1024 * 1024)
def test_a_body_over_the_limit_is_refused_with_413_and_a_clear_message(client):
    big = b"x" * (1024 * 1024 + 1)
    response = client.post(reverse("accounts:login"), data=big, content_type="application/octet-stream")
    assert response.status_code == 413
    assert "at most 1 MB" in response.content.decode()


@pytest.mark.django_db
@override_settings(WAYPOINT_MAX_REQUEST_BYTES=1024 * 1024)
def test_a_body_within_the_limit_goes_through(client):
    response = client.post(reverse("accounts:login"), data={"username": "nobody", "password": "x"})
    assert response.status_code != 413


def test_the_limit_comes_from_the_settings(settings, rf):
    settings.WAYPOINT_MAX_REQUEST_BYTES = 10
    middleware = RequestSizeLimitMiddleware(lambda request: "passed")
    request = rf.post("/", data=b"0123456789A", content_type="text/plain")
    assert middleware(request).status_code == 413
    assert middleware(rf.post("/", data=b"0123456789", content_type="text/plain")) == "passed"
