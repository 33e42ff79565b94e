"""The case timeline: one line per thing that happened, written by the service that did it.

Services call `log()` inside their transaction, so a change and its line are saved together or not at
all. The page reads `CaseEvent` only; it never reassembles history from other tables.
"""

from __future__ import annotations

import datetime

from django.db.models import Model
from django.utils import timezone

from waypoint.accounts.models import User

from .models import Case, CaseEvent

# The kinds of line, for the timeline's filter and icons.
OPENED, STATUS, EDITED, MEMBER, ASSIGNED = "opened", "status", "edited", "member", "assigned"
PLAN, NOTE, ATTACHMENT, CONSENT, SERVICE = "plan", "note", "attachment", "consent", "service"
STAY, MOVEMENT, REFERRAL, PROFILE, HEALTH = "stay", "movement", "referral", "profile", "health"
KINDS = (OPENED, STATUS, EDITED, MEMBER, ASSIGNED, PLAN, NOTE, ATTACHMENT, CONSENT, SERVICE, STAY, MOVEMENT,
         REFERRAL, PROFILE, HEALTH)


def log(
    case: Case,
    kind: str,
    summary: str,
    *,
    actor: User | None = None,
    obj: Model | None = None,
    at: datetime.datetime | None = None,
) -> CaseEvent:
    """Add a line to the case's timeline. `summary` is what a reader of the case sees (it is encrypted
    at rest); `obj` is what changed, so the line can point to it."""
    if kind not in KINDS:
        raise ValueError(f"Unknown timeline kind {kind!r}")
    return CaseEvent.objects.create(
        case=case, kind=kind, summary=str(summary), actor=actor if actor and actor.pk else None,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "", at=at or timezone.now(),
    )
