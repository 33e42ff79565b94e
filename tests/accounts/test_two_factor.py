"""The second factor: enrolment by QR code at first sign-in, then a code at every sign-in."""

import re
from base64 import b32encode
from io import StringIO
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import PASSWORD, enrol_device
from waypoint.accounts.models import Role
from waypoint.audit.models import Action, AuditEvent

pytestmark = pytest.mark.django_db

STAFF_PAGES = ["core:dashboard", "partners:list", "audit:trail", "api_tokens:list", "accounts:password_change"]


def current_code(device: TOTPDevice) -> str:
    code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{code:0{device.digits}d}"


def wrong_code(device: TOTPDevice) -> str:
    return f"{(int(current_code(device)) + 500_000) % 1_000_000:06d}"


def password_sign_in(username: str) -> Client:
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302, "the password sign-in itself should succeed"
    return client


def path_of(url: str) -> str:
    return urlsplit(url).path


def next_of(url: str) -> str | None:
    return parse_qs(urlsplit(url).query).get("next", [None])[0]


# --- Enrolment ------------------------------------------------------------------------------
def test_staff_without_an_authenticator_are_sent_to_enrolment_after_the_password(users):
    client = password_sign_in("case_worker")

    response = client.get(reverse("core:dashboard"), follow=True)

    assert response.redirect_chain[-1][0].startswith(reverse("accounts:enrol"))
    assert response.status_code == 200
    assert "Set up two-factor authentication" in response.content.decode()


def test_enrolment_page_shows_an_inline_qr_code_and_the_key(users):
    client = password_sign_in("case_worker")

    response = client.get(reverse("accounts:enrol"))

    assert response.status_code == 200
    page = response.content.decode()
    device = TOTPDevice.objects.get(user=users[Role.CASE_WORKER], confirmed=False)
    assert re.search(r'<div class="qr">\s*<svg[^>]*>.*</svg>\s*</div>', page, re.DOTALL)
    key = b32encode(device.bin_key).decode().rstrip("=")
    shown = re.search(r'<p class="secret-key">([A-Z2-7 ]+)</p>', page)
    assert shown is not None
    assert shown.group(1).replace(" ", "") == key


def test_reloading_the_enrolment_page_keeps_the_same_key(users):
    client = password_sign_in("case_worker")
    first = client.get(reverse("accounts:enrol")).content.decode()

    second = client.get(reverse("accounts:enrol")).content.decode()

    key = re.compile(r'<p class="secret-key">([A-Z2-7 ]+)</p>')
    assert key.search(first).group(1) == key.search(second).group(1)
    assert TOTPDevice.objects.filter(user=users[Role.CASE_WORKER]).count() == 1


def test_a_wrong_enrolment_code_shows_an_error_next_to_the_field(users):
    client = password_sign_in("case_worker")
    client.get(reverse("accounts:enrol"))
    device = TOTPDevice.objects.get(user=users[Role.CASE_WORKER])

    response = client.post(reverse("accounts:enrol"), {"otp_token": wrong_code(device)})

    assert response.status_code == 200
    page = response.content.decode()
    errors = re.search(r'<ul class="errorlist" id="id_otp_token_error">(.*?)</ul>', page, re.DOTALL)
    assert errors is not None
    assert "That code is not right" in errors.group(1)
    device.refresh_from_db()
    assert not device.confirmed
    follow_up = client.get(reverse("core:dashboard"))
    assert follow_up.status_code == 302
    assert path_of(follow_up.url) == reverse("accounts:enrol")


@pytest.mark.parametrize(
    ("code", "message"),
    [("", "Enter the six-digit code."), ("12345", "The code has six digits."), ("12a456", "only digits")],
)
def test_a_malformed_enrolment_code_is_explained(users, code, message):
    client = password_sign_in("case_worker")

    response = client.post(reverse("accounts:enrol"), {"otp_token": code})

    assert response.status_code == 200
    assert message in response.content.decode()


def test_the_right_enrolment_code_confirms_the_authenticator_and_lands_on_the_dashboard(users):
    client = password_sign_in("case_worker")
    client.get(reverse("accounts:enrol"))
    device = TOTPDevice.objects.get(user=users[Role.CASE_WORKER])

    response = client.post(reverse("accounts:enrol"), {"otp_token": current_code(device)}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("core:dashboard")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Two-factor authentication is set up." in page
    assert "Welcome, case_worker" in page
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("partners:list")).status_code == 200


def test_enrolment_is_audited(users):
    client = password_sign_in("case_worker")
    client.get(reverse("accounts:enrol"))
    device = TOTPDevice.objects.get(user=users[Role.CASE_WORKER])

    client.post(reverse("accounts:enrol"), {"otp_token": current_code(device)})

    event = AuditEvent.objects.get(action=Action.CREATE, object_type="otp_totp.totpdevice")
    assert event.object_id == str(device.pk)
    assert event.actor_id == users[Role.CASE_WORKER].pk


# --- Later sign-ins -------------------------------------------------------------------------
def test_an_enrolled_user_is_asked_for_a_code_not_sent_to_enrolment(users):
    enrol_device(users[Role.CASE_WORKER])
    client = Client()

    response = client.post(
        reverse("accounts:login"), {"username": "case_worker", "password": PASSWORD}, follow=True
    )

    assert path_of(response.redirect_chain[-1][0]) == reverse("accounts:verify")
    assert "Enter your code" in response.content.decode()


def test_an_enrolled_user_cannot_enrol_again(users):
    """A stolen password must not be enough to replace the real second factor."""
    enrol_device(users[Role.CASE_WORKER])
    client = password_sign_in("case_worker")

    get = client.get(reverse("accounts:enrol"))
    post = client.post(reverse("accounts:enrol"), {"otp_token": "123456"})

    assert get.status_code == 302
    assert path_of(get.url) == reverse("accounts:verify")
    assert post.status_code == 302
    assert path_of(post.url) == reverse("accounts:verify")
    assert not TOTPDevice.objects.filter(user=users[Role.CASE_WORKER], confirmed=False).exists()


def test_the_right_code_at_sign_in_opens_the_dashboard(users):
    device = enrol_device(users[Role.CASE_WORKER])
    client = password_sign_in("case_worker")

    response = client.post(reverse("accounts:verify"), {"otp_token": current_code(device)}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("core:dashboard")
    assert "Welcome, case_worker" in response.content.decode()


def test_a_wrong_code_at_sign_in_is_refused_with_an_error_next_to_the_field(users):
    device = enrol_device(users[Role.CASE_WORKER])
    client = password_sign_in("case_worker")

    response = client.post(reverse("accounts:verify"), {"otp_token": wrong_code(device)})

    assert response.status_code == 200
    errors = re.search(
        r'<ul class="errorlist" id="id_otp_token_error">(.*?)</ul>', response.content.decode(), re.DOTALL
    )
    assert errors is not None
    assert "That code is not right or has expired" in errors.group(1)
    follow_up = client.get(reverse("core:dashboard"))
    assert follow_up.status_code == 302
    assert path_of(follow_up.url) == reverse("accounts:verify")


def test_a_failed_code_is_audited(users):
    user = users[Role.CASE_WORKER]
    device = enrol_device(user)
    client = password_sign_in("case_worker")

    client.post(reverse("accounts:verify"), {"otp_token": wrong_code(device)}, REMOTE_ADDR="10.9.8.7")

    event = AuditEvent.objects.get(action=Action.SECOND_FACTOR_FAILED)
    assert event.actor_id == user.pk
    assert event.actor_username == "case_worker"
    assert event.ip_address == "10.9.8.7"


def test_repeated_wrong_codes_are_throttled(users, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 60  # a long pause, so that the test cannot outrun it
    device = enrol_device(users[Role.CASE_WORKER])
    client = password_sign_in("case_worker")
    client.post(reverse("accounts:verify"), {"otp_token": wrong_code(device)})

    # Even the right code is refused while the authenticator is throttled.
    response = client.post(reverse("accounts:verify"), {"otp_token": current_code(device)})

    assert response.status_code == 200
    assert "Too many wrong codes" in response.content.decode()


@pytest.mark.parametrize("url_name", STAFF_PAGES)
def test_every_staff_page_sends_an_unverified_session_to_the_code(users, url_name):
    user = users[Role.DATA_PROTECTION_OFFICER]
    enrol_device(user)
    client = Client()
    client.force_login(user)
    page = reverse(url_name)

    response = client.get(page)

    assert response.status_code == 302
    assert path_of(response.url) == reverse("accounts:verify")
    assert next_of(response.url) == page


@pytest.mark.parametrize("url_name", STAFF_PAGES)
def test_every_staff_page_sends_an_unenrolled_session_to_enrolment(users, url_name):
    client = Client()
    client.force_login(users[Role.DATA_PROTECTION_OFFICER])
    page = reverse(url_name)

    response = client.get(page)

    assert response.status_code == 302
    assert path_of(response.url) == reverse("accounts:enrol")
    assert next_of(response.url) == page


def test_the_back_office_is_closed_to_an_unverified_administrator(users):
    enrol_device(users[Role.ADMINISTRATOR])
    client = Client()
    client.force_login(users[Role.ADMINISTRATOR])

    response = client.get(reverse("admin:index"))

    assert response.status_code == 302
    assert path_of(response.url) == reverse("accounts:verify")


def test_unverified_staff_see_no_navigation(users):
    enrol_device(users[Role.DATA_PROTECTION_OFFICER])
    client = Client()
    client.force_login(users[Role.DATA_PROTECTION_OFFICER])

    page = client.get(reverse("accounts:verify")).content.decode()

    assert reverse("audit:trail") not in page
    assert reverse("api_tokens:list") not in page


def test_the_code_page_honours_next_after_the_code(users):
    device = enrol_device(users[Role.CASE_WORKER])
    client = password_sign_in("case_worker")
    redirect_to_code = client.get(reverse("partners:list") + "?type=ngo")
    # Only the path travels on: a query string may hold what someone searched for.
    target = reverse("partners:list")
    assert next_of(redirect_to_code.url) == target

    response = client.post(redirect_to_code.url, {"otp_token": current_code(device), "next": target})

    assert response.status_code == 302
    assert response.url == target


@pytest.mark.parametrize(
    "off_site", ["https://evil.example/phish", "//evil.example/phish", "http://evil.example", "javascript:alert(1)"]
)
def test_the_code_page_ignores_an_off_site_next(users, off_site):
    device = enrol_device(users[Role.CASE_WORKER])
    client = password_sign_in("case_worker")

    response = client.post(
        reverse("accounts:verify") + "?next=" + off_site, {"otp_token": current_code(device), "next": off_site}
    )

    assert response.status_code == 302
    assert response.url == reverse("core:dashboard")


def test_the_code_page_does_not_echo_an_off_site_next_into_its_form(users):
    enrol_device(users[Role.CASE_WORKER])
    client = password_sign_in("case_worker")

    page = client.get(reverse("accounts:verify"), {"next": "https://evil.example/"}).content.decode()

    carried = re.findall(r'<input type="hidden" name="next" value="([^"]*)">', page)
    assert "" in carried, "the code form carries an empty next instead"
    assert not [value for value in carried if value.startswith(("http", "//"))]


def test_enrolment_honours_only_a_same_host_next(users):
    client = password_sign_in("case_worker")
    client.get(reverse("accounts:enrol"))
    device = TOTPDevice.objects.get(user=users[Role.CASE_WORKER])

    response = client.post(
        reverse("accounts:enrol"), {"otp_token": current_code(device), "next": "https://evil.example/"}
    )

    assert response.status_code == 302
    assert response.url == reverse("core:dashboard")


def test_enrolment_follows_a_same_host_next(users):
    client = password_sign_in("case_worker")
    client.get(reverse("accounts:enrol"))
    device = TOTPDevice.objects.get(user=users[Role.CASE_WORKER])

    response = client.post(
        reverse("accounts:enrol"), {"otp_token": current_code(device), "next": reverse("partners:list")}
    )

    assert response.status_code == 302
    assert response.url == reverse("partners:list")


# --- Learners -------------------------------------------------------------------------------
def test_a_learner_is_never_asked_for_a_second_factor(users):
    client = Client()

    response = client.post(
        reverse("accounts:login"), {"username": "learner", "password": PASSWORD}, follow=True
    )

    assert response.redirect_chain == [(reverse("core:dashboard"), 302)]
    assert response.status_code == 200
    assert "Welcome, learner" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=users[Role.LEARNER]).exists()


def test_a_learner_opening_the_code_page_goes_to_the_dashboard(users):
    client = password_sign_in("learner")

    response = client.get(reverse("accounts:verify"))

    assert response.status_code == 302
    assert response.url == reverse("core:dashboard")


# --- The demo_totp command ------------------------------------------------------------------
def test_demo_totp_prints_a_code_the_authenticator_accepts(users, settings):
    settings.WAYPOINT_DEMO = True
    device = enrol_device(users[Role.CASE_WORKER])
    out = StringIO()

    call_command("demo_totp", "case_worker", stdout=out)

    code = out.getvalue().strip()
    assert re.fullmatch(r"\d{6}", code)
    assert device.verify_token(code)


def test_demo_totp_refuses_outside_demo_mode(users, settings):
    settings.WAYPOINT_DEMO = False
    enrol_device(users[Role.CASE_WORKER])
    out = StringIO()

    with pytest.raises(CommandError, match="WAYPOINT_DEMO"):
        call_command("demo_totp", "case_worker", stdout=out)

    assert out.getvalue() == ""


def test_demo_totp_explains_when_the_user_has_no_authenticator(users, settings):
    settings.WAYPOINT_DEMO = True

    with pytest.raises(CommandError, match="no authenticator yet"):
        call_command("demo_totp", "case_worker", stdout=StringIO())


def test_a_wrong_enrolment_code_is_audited(users):
    worker = users[Role.CASE_WORKER]
    client = password_sign_in(worker.username)
    client.get(reverse("accounts:enrol"))
    device = TOTPDevice.objects.get(user=worker, confirmed=False)

    client.post(reverse("accounts:enrol"), {"otp_token": wrong_code(device)})

    event = AuditEvent.objects.filter(action=Action.SECOND_FACTOR_FAILED).latest("id")
    assert (event.actor_username, event.object_id) == (worker.username, str(worker.pk))


def test_a_screen_reader_hears_the_error_of_the_code_field(users):
    client = password_sign_in("case_worker")
    client.get(reverse("accounts:enrol"))
    device = TOTPDevice.objects.get(user=users[Role.CASE_WORKER])

    page = client.post(reverse("accounts:enrol"), {"otp_token": wrong_code(device)}).content.decode()

    field = re.search(r'<input[^>]*name="otp_token"[^>]*>', page).group(0)
    assert 'aria-invalid="true"' in field
    assert 'aria-describedby="id_otp_token_error"' in field
    assert 'id="id_otp_token_error"' in page
