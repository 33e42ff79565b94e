"""Optimistic locking: every edit form carries the version it was opened at.

`locked_current` re-reads the row under a lock inside the caller's transaction; when someone saved
meanwhile it raises ConflictError and nothing is written. The view then shows the saved values beside
the user's own input, so the second person loses nothing and overwrites nothing.
"""

from __future__ import annotations

from typing import TypeVar

from django.db.models import Model, QuerySet

M = TypeVar("M", bound=Model)


class ConflictError(Exception):
    """The object changed since the form was opened: nothing was written. `current` is the saved one."""

    def __init__(self, current: Model):
        super().__init__(str(current))
        self.current = current


def locked_current(queryset: QuerySet[M], pk, version: int | None) -> M:
    """The row, locked (`SELECT ... FOR UPDATE` on its own table: no joins), or ConflictError when its
    version is not the one the form was opened at. Call inside `transaction.atomic()`."""
    current = queryset.select_for_update(of=("self",)).get(pk=pk)
    if version is None or int(version) != current.version:
        raise ConflictError(current)
    return current


def bump(obj: Model, fields: list[str]) -> None:
    """Save `fields` and the next version in one UPDATE."""
    obj.version += 1
    obj.save(update_fields=[*fields, "version"])
