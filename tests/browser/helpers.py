"""Steps the browser tests share."""

import re

from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import PASSWORD


def current_code(device: TOTPDevice) -> str:
    device.refresh_from_db()
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def sign_in(page, username: str) -> None:
    """Password only: staff land on the second-factor pages next."""
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def sign_in_with_code(page, user) -> None:
    """Password and a code from an already enrolled authenticator, landing on the dashboard."""
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    sign_in(page, user.username)
    page.wait_for_url(re.compile(r"/accounts/verify/"))
    page.get_by_label("Code from your authenticator app").fill(current_code(device))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(re.compile(r"/$"))
