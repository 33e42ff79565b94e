"""Import of persons from a file: upload, a preview with every problem found, then confirm or cancel.

Nothing reaches the registry before the user confirms. Between upload and confirmation the file waits under
MEDIA_ROOT/imports/ (outside the web root) under a random name; the session remembers its token, checksum
and programme, so only the user who uploaded it can preview, confirm or cancel it. The file is read again
and checked against its checksum at every step: no personal data is kept in the session.
"""

from __future__ import annotations

import io
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods

from waypoint.accounts import policy
from waypoint.accounts.models import Programme
from waypoint.core.pending_uploads import AlreadyClaimedError, PendingUploads

from . import importing
from .codes import country_name
from .models import IdentityDocument, Person

PREVIEW_ROWS = 50
ERRORS_SHOWN = 500


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


UPLOADS = PendingUploads(
    session_key="people_imports", folder_name="imports", max_pending=5,
    denial_object_type="people.import", name=lambda token, entry: f"{token}.{entry['file_type']}",
)


def _read(token: str, entry: dict[str, str]) -> importing.ParsedImport | None:
    """Read the waiting file again; None when it is gone or is not the file that was uploaded."""
    data = UPLOADS.read(token, entry)
    if data is None:
        return None
    parsed = importing.read_file(io.BytesIO(data), UPLOADS.path(token, entry).name)
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
        UPLOADS.purge_stale()
        data = form.cleaned_data["file"].read()
        parsed = importing.read_file(io.BytesIO(data), form.cleaned_data["file"].name)
        if parsed.file_errors:
            for error in parsed.file_errors:
                form.add_error("file", error.message)
        else:
            token = UPLOADS.store(request, data, {
                "sha256": parsed.sha256, "programme": form.cleaned_data["programme"], "file_type": parsed.file_type,
            })
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
    entry = UPLOADS.entry(request, token)
    action = request.POST.get("action") if request.method == "POST" else None
    if action == "cancel":
        UPLOADS.forget(request, token)
        messages.info(request, _("The import was cancelled and the uploaded file deleted."))
        return redirect("people:import")
    parsed = _read(token, entry)
    if parsed is None:
        UPLOADS.forget(request, token)
        messages.error(request, _("The uploaded file is no longer available. Upload it again."))
        return redirect("people:import")
    if action == "confirm" and parsed.ok:
        return _confirm(request, token, entry, parsed)
    return render(request, "people/import/preview.html", _preview_context(token, entry, parsed))


def _confirm(request: HttpRequest, token: str, entry: dict[str, str], parsed: importing.ParsedImport) -> HttpResponse:
    try:
        with UPLOADS.claimed(request, token, entry):
            ids = importing.import_rows(request.user, parsed, programme=entry["programme"], request=request)
    except AlreadyClaimedError:
        messages.error(request, _("This file is already being imported."))
        return redirect("people:import")
    except PermissionDenied:
        policy.record_denial(request.user, "people.import", entry["programme"], request)
        raise Http404 from None
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
