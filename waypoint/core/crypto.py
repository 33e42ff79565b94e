"""Encryption of sensitive text at rest, and keyed blind indexes for exact look-up.

Values are encrypted with Fernet (AES-128-CBC with HMAC-SHA256) under the first key of
FIELD_ENCRYPTION_KEYS; every listed key can decrypt, so keys rotate without downtime:
add a new key in front, run `manage.py rotate_keys`, then drop the old one.
"""

from __future__ import annotations

import hashlib
import hmac
import unicodedata
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# Stored ciphertexts start with this, so clear text written by mistake is recognisable.
PREFIX = "fernet:"


@cache
def keyring() -> MultiFernet:
    keys = settings.FIELD_ENCRYPTION_KEYS
    if not keys:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS is not set: Waypoint will not start without a key to encrypt "
            "sensitive fields. Generate one with `python -m waypoint.core.keygen` (see README)."
        )
    try:
        fernets = [Fernet(key.encode("ascii")) for key in keys]
    except (ValueError, UnicodeEncodeError) as exc:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS holds a value that is not a Fernet key (32 url-safe "
            "base64-encoded bytes)."
        ) from exc
    if len(settings.BLIND_INDEX_KEY) < 32:
        raise ImproperlyConfigured(
            "BLIND_INDEX_KEY must be set to a random secret of at least 32 characters."
        )
    return MultiFernet(fernets)


def encrypt(plaintext: str) -> str:
    return PREFIX + keyring().encrypt(plaintext.encode("utf-8")).decode("ascii")


def decrypt(stored: str) -> str:
    if not stored.startswith(PREFIX):
        raise ValueError("A value in an encrypted column is not encrypted.")
    try:
        return keyring().decrypt(stored[len(PREFIX):].encode("ascii")).decode("utf-8")
    except InvalidToken as exc:
        raise ImproperlyConfigured(
            "An encrypted value cannot be decrypted with any key in FIELD_ENCRYPTION_KEYS: "
            "a key that is still in use was removed."
        ) from exc


def reencrypt(stored: str) -> str:
    """The same plaintext under the newest key (what `rotate_keys` writes back)."""
    token = keyring().rotate(stored[len(PREFIX):].encode("ascii"))
    return PREFIX + token.decode("ascii")


def needs_rotation(stored: str) -> bool:
    """True unless the value is already encrypted under the newest key."""
    try:
        Fernet(settings.FIELD_ENCRYPTION_KEYS[0].encode("ascii")).decrypt(
            stored[len(PREFIX):].encode("ascii")
        )
    except InvalidToken:
        return True
    return False


def normalise_for_index(value: str) -> str:
    """Case, width and separators do not matter for an exact look-up of e.g. a passport number."""
    folded = unicodedata.normalize("NFKC", value).casefold()
    return "".join(ch for ch in folded if ch.isalnum())


def blind_index(value: str, *, purpose: str) -> str:
    """A keyed hash of the normalised value. `purpose` keeps indexes of different fields apart."""
    key = settings.BLIND_INDEX_KEY.encode("utf-8")
    message = f"{purpose}\x00{normalise_for_index(value)}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()
