"""Import of persons from a file: upload, a preview with every problem found, then confirm or cancel.

Nothing reaches the registry before the user confirms. Between upload and confirmation the file waits under
MEDIA_ROOT/imports/ (outside the web root) under a random name; the session remembers its token, checksum
and programme, so only the user who uploaded it can preview, confirm or cancel it. The file is read again
and checked against its checksum at every step: no personal data is kept in the session.
"""

from __future__ import annotations

import datetime
import io
import os
import uuid
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods

from waypoint.accounts import policy
from waypoint.accounts.models import Programme

from . import importing
from .codes import country_name
from .models import IdentityDocument, Person

SESSION_KEY = "people_imports"
MAX_PENDING = 5  # uploads waiting in one session; older ones are deleted
PREVIEW_ROWS = 50
ERRORS_SHOWN = 500
STALE_AFTER = datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE)  # no session lives longer


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy("A CSV file saved as “CSV UTF-8”, or an Excel workbook (.xlsx)."),
    )
    programme = forms.ChoiceField(
        label=gettext_lazy("Programme"),
        help_text=gettext_lazy("Every imported person is registered in this programme."),
    )

    def __init__(self, *args: Any, user, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(Programme.choices)
        self.fields["programme"].choices = [(code, labels.get(code, code)) for code in user.programmes or []]
        self.fields["file"].widget.attrs["accept"] = (
            ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > importing.MAX_BYTES:
            raise ValidationError(
                _("The file is larger than %(size)d MB: split it into smaller files.")
                % {"size": importing.MAX_BYTES // (1024 * 1024)}
            )
        return upload


def _imports_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "imports"


def _path(token: str, entry: dict[str, str]) -> Path:
    return _imports_dir() / f"{token}.{entry['file_type']}"


def _pending(request: HttpRequest) -> dict[str, dict[str, str]]:
    return dict(request.session.get(SESSION_KEY, {}))


def _forget(request: HttpRequest, token: str) -> None:
    """Delete the waiting file and its entry in the session."""
    pending = _pending(request)
    entry = pending.pop(token, None)
    if entry is not None:
        _path(token, entry).unlink(missing_ok=True)
    request.session[SESSION_KEY] = pending


def _purge_stale() -> None:
    """Files left by sessions that ended without confirming or cancelling: none outlives a session."""
    folder = _imports_dir()
    if not folder.is_dir():
        return
    limit = (timezone.now() - STALE_AFTER).timestamp()
    for path in folder.iterdir():
        try:
            if path.is_file() and path.stat().st_mtime < limit:
                path.unlink(missing_ok=True)
        except OSError:
            continue


def _store(request: HttpRequest, data: bytes, parsed: importing.ParsedImport, programme: str) -> str:
    folder = _imports_dir()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    token = uuid.uuid4().hex
    descriptor = os.open(folder / f"{token}.{parsed.file_type}", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as stored:
        stored.write(data)
    pending = _pending(request)
    while len(pending) >= MAX_PENDING:
        oldest = min(pending, key=lambda key: pending[key]["at"])
        _path(oldest, pending.pop(oldest)).unlink(missing_ok=True)
    pending[token] = {
        "sha256": parsed.sha256, "programme": programme, "file_type": parsed.file_type,
        "at": timezone.now().isoformat(),
    }
    request.session[SESSION_KEY] = pending
    return token


def _entry(request: HttpRequest, token: str) -> dict[str, str]:
    """The upload `token` of this user's session, or 404 (audited): a token is not shared."""
    entry = _pending(request).get(token)
    if entry is None:
        policy.record_denial(request.user, "people.import", token[:64], request)
        raise Http404
    return entry


def _read(path: Path, entry: dict[str, str]) -> importing.ParsedImport | None:
    """Read the waiting file again; None when it is gone or is not the file that was uploaded."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    parsed = importing.read_file(io.BytesIO(data), path.name)
    return parsed if parsed.sha256 == entry["sha256"] else None


def _registry_url() -> str:
    """The registry's first page (/people/), where the imported persons can be searched."""
    try:
        return reverse("people:search")
    except NoReverseMatch:  # the import's routes are mounted under the registry's
        return reverse("people:import").removesuffix("import/")


@login_required
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    """Choose a file and a programme; a file that cannot be read at all is refused here, nothing is kept."""
    policy.require(request.user, policy.IMPORT_PEOPLE, request=request)
    form = ImportForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        _purge_stale()
        data = form.cleaned_data["file"].read()
        parsed = importing.read_file(io.BytesIO(data), form.cleaned_data["file"].name)
        if parsed.file_errors:
            for error in parsed.file_errors:
                form.add_error("file", error.message)
        else:
            token = _store(request, data, parsed, form.cleaned_data["programme"])
            return redirect("people:import_preview", token=token)
    return render(request, "people/import/upload.html", {
        "form": form,
        "columns": [(column, importing.COLUMN_HELP[column]) for column in importing.COLUMNS],
        "max_megabytes": importing.MAX_BYTES // (1024 * 1024),
    })


@login_required
@require_http_methods(["GET", "POST"])
def preview(request: HttpRequest, token: str) -> HttpResponse:
    """The file as it will be saved, and every problem in it; POST confirms (all or nothing) or cancels."""
    policy.require(request.user, policy.IMPORT_PEOPLE, request=request)
    entry = _entry(request, token)
    action = request.POST.get("action") if request.method == "POST" else None
    if action == "cancel":
        _forget(request, token)
        messages.info(request, _("The import was cancelled and the uploaded file deleted."))
        return redirect("people:import")
    path = _path(token, entry)
    parsed = _read(path, entry)
    if parsed is None:
        _forget(request, token)
        messages.error(request, _("The uploaded file is no longer available. Upload it again."))
        return redirect("people:import")
    if action == "confirm" and parsed.ok:
        return _confirm(request, token, entry, parsed)
    return render(request, "people/import/preview.html", _preview_context(token, entry, parsed))


def _confirm(request: HttpRequest, token: str, entry: dict[str, str], parsed: importing.ParsedImport) -> HttpResponse:
    # Claim the file first: a second confirmation sent at the same moment finds it gone and imports nothing.
    path = _path(token, entry)
    claimed = path.with_suffix(path.suffix + ".importing")
    try:
        path.rename(claimed)
    except OSError:
        messages.error(request, _("This file is already being imported."))
        return redirect("people:import")
    try:
        ids = importing.import_rows(request.user, parsed, programme=entry["programme"], request=request)
    except PermissionDenied:
        claimed.rename(path)
        policy.record_denial(request.user, "people.import", entry["programme"], request)
        raise Http404 from None
    except Exception:
        claimed.rename(path)  # nothing was saved: the user may try again
        raise
    claimed.unlink(missing_ok=True)
    _forget(request, token)
    messages.success(request, ngettext(
        "%(count)d person imported.", "%(count)d persons imported.", len(ids)
    ) % {"count": len(ids)})
    return redirect(_registry_url())


def _preview_context(token: str, entry: dict[str, str], parsed: importing.ParsedImport) -> dict[str, Any]:
    rows = []
    for row in parsed.rows[:PREVIEW_ROWS]:
        document = row["document"]
        rows.append({
            "number": row["row"],
            "person": Person(**row["person"]),
            "countries": ", ".join(country_name(code) for code in row["person"]["citizenships"]),
            "document": IdentityDocument(**document) if document else None,
            "aliases": "; ".join(
                " ".join(part for part in (alias["family_name"], alias["given_name"], alias["patronymic"]) if part)
                for alias in row["aliases"]
            ),
        })
    labels = dict(Programme.choices)
    return {
        "token": token,
        "parsed": parsed,
        "programme": labels.get(entry["programme"], entry["programme"]),
        "rows": rows,
        "more_rows": max(len(parsed.rows) - PREVIEW_ROWS, 0),
        "errors": parsed.errors[:ERRORS_SHOWN],
        "error_count": len(parsed.errors),
        "documents": sum(1 for row in parsed.rows if row["document"]),
        "other_names": sum(len(row["aliases"]) for row in parsed.rows),
    }


@login_required
def template(request: HttpRequest) -> HttpResponse:
    """An empty file with the header row, in UTF-8 with a byte order mark so that Excel reads it right."""
    policy.require(request.user, policy.IMPORT_PEOPLE, request=request)
    response = HttpResponse(
        "\ufeff" + ",".join(importing.COLUMNS) + "\r\n", content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="people-import.csv"'
    return response
