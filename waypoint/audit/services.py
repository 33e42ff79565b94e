"""Writing and checking the audit trail. Every audited operation calls `record`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from .context import address_of
from .models import GENESIS_HASH, HASHED_FIELDS, Action, AuditEvent, chain_hash

# An arbitrary constant naming the PostgreSQL advisory lock that serialises appends.
_CHAIN_LOCK = 7_303_001


def record(
    action: str,
    obj: Model | None = None,
    *,
    actor=None,
    object_type: str = "",
    object_id: str = "",
    changes: Mapping[str, Any] | None = None,
    request=None,
    username: str = "",
) -> AuditEvent:
    """Append one event to the chain, inside the caller's transaction if there is one.

    Appends are serialised (an advisory lock on PostgreSQL, the write lock of an IMMEDIATE
    transaction on SQLite) so that two events never claim the same predecessor.
    """
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    if actor is not None and getattr(actor, "is_authenticated", False):
        actor_id, username = actor.pk, actor.get_username()
    else:
        actor_id = None
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK])
        last = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
        event = AuditEvent(
            at=timezone.now(),
            actor_id=actor_id,
            actor_username=username[:150],
            action=action,
            object_type=object_type[:100],
            object_id=str(object_id)[:64],
            changes=dict(changes or {}),
            ip_address=address_of(request),
            prev_hash=last or GENESIS_HASH,
        )
        event.hash = event.compute_hash()
        event.save(force_insert=True)
    return event


def record_denial(*, actor, object_type: str, object_id: str, request=None) -> None:
    record(Action.DENY, actor=actor, object_type=object_type, object_id=object_id, request=request)


def changed_fields(
    before: Mapping[str, Any], after: Mapping[str, Any], sensitive: Iterable[str] = ()
) -> dict[str, Any]:
    """The fields whose values differ, as {field: [old, new]}; sensitive ones as {field: None}.

    Values are stored as text so that the hash is stable across databases.
    """
    hidden = set(sensitive)
    result: dict[str, Any] = {}
    for name in sorted(set(before) | set(after)):
        old, new = before.get(name), after.get(name)
        if old == new:
            continue
        result[name] = None if name in hidden else [_as_text(old), _as_text(new)]
    return result


def _as_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, (list, tuple, set)):
        return ", ".join(sorted(str(item) for item in value))
    return str(value)


@dataclass(frozen=True)
class Break:
    event_id: int
    reason: str


def verify(batch_size: int = 5000) -> tuple[int, Break | None]:
    """Walk the chain in order. Returns (events checked, the first broken link or None)."""
    expected_prev = GENESIS_HASH
    checked = 0
    rows = AuditEvent.objects.order_by("id").values("id", "hash", *HASHED_FIELDS)
    for row in rows.iterator(chunk_size=batch_size):
        event_id, stored_hash = row.pop("id"), row.pop("hash")
        if row["prev_hash"] != expected_prev:
            return checked, Break(
                event_id,
                "its link to the previous event is broken: an event before it was deleted, "
                "inserted or altered",
            )
        if chain_hash(row) != stored_hash:
            return checked, Break(event_id, "its content no longer matches its hash: it was edited")
        expected_prev = stored_hash
        checked += 1
    return checked, None
