"""The audit trail: append-only events, each carrying the hash of the one before it."""

import hashlib
import json

from django.db import models
from django.utils.translation import gettext_lazy as _

GENESIS_HASH = "0" * 64


class Action(models.TextChoices):
    LOGIN = "login", _("Login")
    LOGIN_FAILED = "login_failed", _("Failed login")
    LOGOUT = "logout", _("Logout")
    SECOND_FACTOR_FAILED = "second_factor_failed", _("Failed second factor")
    VIEW = "view", _("View")
    CREATE = "create", _("Create")
    UPDATE = "update", _("Update")
    DELETE = "delete", _("Delete")
    EXPORT = "export", _("Export")
    SHARE = "share", _("Share")
    DENY = "deny", _("Access denied")


class AuditEvent(models.Model):
    """One thing that happened. Never updated or deleted (database triggers refuse it).

    The actor is kept as id and username rather than a foreign key, so that the trail
    outlives accounts and never blocks their removal. No personal data is stored here:
    objects are named by type and id, and sensitive fields by name only.
    """

    at = models.DateTimeField(_("when"), db_index=True)
    actor_id = models.BigIntegerField(_("user id"), null=True, blank=True, db_index=True)
    actor_username = models.CharField(_("user"), max_length=150, blank=True, db_index=True)
    action = models.CharField(_("action"), max_length=30, choices=Action.choices, db_index=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True, db_index=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True, db_index=True)
    changes = models.JSONField(_("changed fields"), default=dict, blank=True)
    ip_address = models.CharField(_("from address"), max_length=45, blank=True)
    prev_hash = models.CharField(max_length=64, unique=True)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.action} {self.object_type}:{self.object_id}"

    def content(self) -> dict:
        """The hashed fields of this event, by name."""
        return {name: getattr(self, name) for name in HASHED_FIELDS}

    def compute_hash(self) -> str:
        return chain_hash(self.content())


# What the hash covers: every column except the id and the hash itself.
HASHED_FIELDS = (
    "at", "actor_id", "actor_username", "action", "object_type", "object_id", "changes",
    "ip_address", "prev_hash",
)


def chain_hash(values: dict) -> str:
    """SHA-256 of the canonical JSON of an event's hashed fields (`values` keyed by field)."""
    content = dict(values, at=values["at"].isoformat(timespec="microseconds"))
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
