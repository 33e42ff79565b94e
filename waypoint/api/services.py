"""Creating, checking and revoking API tokens."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from waypoint.accounts import policy
from waypoint.accounts.models import User
from waypoint.audit.models import Action
from waypoint.audit.services import record

from .models import ApiToken, hash_token

TOKEN_PREFIX = "wpt_"
# Writing `last_used_at` on every call would serialise all API traffic on one row.
LAST_USED_PRECISION = timedelta(minutes=5)


def create_token(user: User, *, name: str, valid_days: int) -> tuple[ApiToken, str]:
    """Returns the token row and the secret, which is shown once and never stored."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user, name=name, prefix=secret[:12], token_hash=hash_token(secret),
            expires_at=timezone.now() + timedelta(days=valid_days),
        )
        record(Action.CREATE, token, actor=user)
    return token, secret


def revoke_token(token: ApiToken, *, by: User) -> None:
    with transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record(Action.UPDATE, token, actor=by, changes={"revoked_at": [None, str(token.revoked_at)]})


def authenticate_token(secret: str) -> User | None:
    """The active user behind a usable token, or None."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=hash_token(secret), revoked_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )
    if token is None or not policy.may(token.user, policy.USE_API):
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
