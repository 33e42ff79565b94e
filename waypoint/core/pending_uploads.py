"""Uploaded files that wait between a preview and its confirmation (the people import, the HSDS import).

An import is shown before anything is saved, so the file has to outlive the upload request. It waits under
MEDIA_ROOT (outside the web root) under a random name, never in the session: the session holds only its
token, its SHA-256 and what the import needs besides (a programme, a format). So only the user who uploaded
a file can preview, confirm or cancel it; the file is read again at every step and refused when it is not
the file that was uploaded (its hash differs); a second confirmation sent at the same moment finds the file
claimed and imports nothing. Files of sessions that ended without confirming are deleted at the next upload.
"""

from __future__ import annotations

import datetime
import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.http import Http404, HttpRequest
from django.utils import timezone

from waypoint.accounts import policy

Entry = dict[str, str]


class AlreadyClaimedError(Exception):
    """Another request is importing this file (or has imported it) right now."""


@dataclass(frozen=True)
class PendingUploads:
    session_key: str
    folder_name: str  # under MEDIA_ROOT
    max_pending: int  # uploads waiting in one session; older ones are deleted
    denial_object_type: str  # audited when a token is not one of the session's
    name: Callable[[str, Entry], str]  # the file's name from its token and entry

    @property
    def folder(self) -> Path:
        return Path(settings.MEDIA_ROOT) / self.folder_name

    def path(self, token: str, entry: Entry) -> Path:
        return self.folder / self.name(token, entry)

    def pending(self, request: HttpRequest) -> dict[str, Entry]:
        return dict(request.session.get(self.session_key, {}))

    def forget(self, request: HttpRequest, token: str) -> None:
        """Delete the waiting file and its entry in the session."""
        pending = self.pending(request)
        entry = pending.pop(token, None)
        if entry is not None:
            self.path(token, entry).unlink(missing_ok=True)
        request.session[self.session_key] = pending

    def purge_stale(self) -> None:
        """Files left by sessions that ended without confirming or cancelling: none outlives a session."""
        folder = self.folder
        if not folder.is_dir():
            return
        limit = (timezone.now() - datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE)).timestamp()
        for path in folder.iterdir():
            try:
                if path.is_file() and path.stat().st_mtime < limit:
                    path.unlink(missing_ok=True)
            except OSError:
                continue

    def store(self, request: HttpRequest, data: bytes, entry: Entry) -> str:
        """Keep `data` for this session (readable by the server's user only); returns its token. `entry` holds
        "sha256" and whatever the import needs later."""
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        token = uuid.uuid4().hex
        entry = {**entry, "at": timezone.now().isoformat()}
        descriptor = os.open(self.path(token, entry), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as stored:
            stored.write(data)
        pending = self.pending(request)
        while len(pending) >= self.max_pending:
            oldest = min(pending, key=lambda key: pending[key]["at"])
            self.path(oldest, pending.pop(oldest)).unlink(missing_ok=True)
        pending[token] = entry
        request.session[self.session_key] = pending
        return token

    def entry(self, request: HttpRequest, token: str) -> Entry:
        """The upload `token` of this user's session, or 404 (audited): a token is not shared."""
        entry = self.pending(request).get(token)
        if entry is None:
            policy.record_denial(request.user, self.denial_object_type, token[:64], request)
            raise Http404
        return entry

    def read(self, token: str, entry: Entry) -> bytes | None:
        """The waiting file; None when it is gone."""
        try:
            return self.path(token, entry).read_bytes()
        except OSError:
            return None

    @contextmanager
    def claimed(self, request: HttpRequest, token: str, entry: Entry) -> Iterator[None]:
        """Claim the file for the import done in the block: AlreadyClaimedError when another request has it. When the
        block fails nothing was saved, and the file waits again for another try; when it succeeds the file and
        its entry are deleted."""
        path = self.path(token, entry)
        claimed = path.with_name(path.name + ".importing")
        try:
            path.rename(claimed)
        except OSError:
            raise AlreadyClaimedError from None
        try:
            yield
        except BaseException:
            claimed.rename(path)
            raise
        claimed.unlink(missing_ok=True)
        self.forget(request, token)
