"""Account operations: the only code that changes users and their second factors."""

from __future__ import annotations

from base64 import b32encode

import segno
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from waypoint.audit.models import Action
from waypoint.audit.services import changed_fields, record

from .models import User


def pending_totp_device(user: User) -> TOTPDevice:
    """The unconfirmed authenticator being enrolled (one per user, kept across page reloads)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    return device


def confirm_totp_device(device: TOTPDevice, token: str) -> bool:
    """Confirm enrolment once the user proves the app shows the right codes."""
    with transaction.atomic():
        if not device.verify_token(token):
            return False
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        record(Action.CREATE, device, actor=device.user)
    return True


def reset_second_factor(user: User, *, by: User) -> int:
    """Remove a user's authenticators (lost phone); they enrol again at next sign-in."""
    with transaction.atomic():
        count, _ = TOTPDevice.objects.filter(user=user).delete()
        record(Action.UPDATE, user, actor=by, changes={"second_factor": None})
    return count


def qr_code_svg(device: TOTPDevice) -> str:
    return segno.make(device.config_url, error="m").svg_inline(scale=5, border=2)


def readable_secret(device: TOTPDevice) -> str:
    """The key in the base32 form authenticator apps accept, in groups of four."""
    secret = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def set_language(user: User, language: str) -> None:
    with transaction.atomic():
        before = {"language": user.language}
        user.language = language
        user.save(update_fields=["language"])
        record(Action.UPDATE, user, actor=user, changes=changed_fields(before, {"language": language}))
