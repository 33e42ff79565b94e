"""Personas and helpers shared by every test.

One user per role, plus the pairs that ownership tests need: two case workers in different
programmes, two partner users of different organisations.
"""

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.utils import translation
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from waypoint.accounts.models import Office, Programme, Role, User
from waypoint.audit import triggers
from waypoint.partners.models import Organisation, OrganisationType

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture
def office(db):
    return Office.objects.create(code="moscow", name="Moscow office", kind="mission_office", city="Moscow")


@pytest.fixture
def ngo_x(db):
    return Organisation.objects.create(name="NGO X", organisation_type=OrganisationType.NGO)


@pytest.fixture
def ngo_y(db):
    return Organisation.objects.create(name="NGO Y", organisation_type=OrganisationType.NGO)


@pytest.fixture
def make_user(db, office, ngo_x):
    def make(role: str, username: str | None = None, **fields) -> User:
        if role == Role.PARTNER_USER:
            fields.setdefault("partner_organisation", ngo_x)
        else:
            fields.setdefault("office", office)
        user = User(username=username or role, role=role, email=f"{username or role}@example.org", **fields)
        user.set_password(PASSWORD)
        user.full_clean()
        user.save()
        return user

    return make


@pytest.fixture
def users(make_user, ngo_y) -> dict[str, User]:
    """One user per role, keyed by role value, plus `case_worker_b` and `partner_user_y`."""
    people = {role.value: make_user(role) for role in Role}
    for role, programmes in (
        (Role.CASE_WORKER, [Programme.COUNTER_TRAFFICKING]),
        (Role.PROGRAMME_MANAGER, [Programme.COUNTER_TRAFFICKING]),
        (Role.HOTLINE_OPERATOR, [Programme.HOTLINE]),
    ):
        people[role].programmes = programmes
        people[role].save()
    people["case_worker_b"] = make_user(Role.CASE_WORKER, "case_worker_b", programmes=[Programme.RETURN])
    people["partner_user_y"] = make_user(Role.PARTNER_USER, "partner_user_y", partner_organisation=ngo_y)
    return people


def enrol_device(user: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="test", confirmed=True)


def signed_in_client(user: User, *, verified: bool = True) -> Client:
    """A client signed in as `user`, past the second factor unless `verified=False`."""
    client = Client()
    client.force_login(user)
    if verified and user.needs_second_factor:
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or enrol_device(user)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


@pytest.fixture
def client_for():
    return signed_in_client


DB_FIXTURES = ("db", "transactional_db", "live_server")


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the default language: a page served in Russian leaves Russian active in
    the thread, and the next test that renders text outside a request would read it in Russian."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _audit_trail_triggers(request):
    """Every test starts with the audit trail's append-only triggers in place.

    Transactional tests end by emptying every table, which those triggers refuse: they are
    lifted for that flush, and the next test puts them back.
    """
    marker = request.node.get_closest_marker("django_db")
    if marker is None and not any(name in request.fixturenames for name in DB_FIXTURES):
        yield
        return
    transactional = (marker is not None and marker.kwargs.get("transaction")) or any(
        name in request.fixturenames for name in ("transactional_db", "live_server")
    )
    request.getfixturevalue("_django_db_helper")
    triggers.execute(triggers.REMOVE, connection)
    triggers.execute(triggers.INSTALL, connection)
    yield
    if transactional:
        triggers.execute(triggers.REMOVE, connection)
