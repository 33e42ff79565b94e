"""Pages of the HSDS exchange, for those who change the directory: download the directory as an HSDS
datapackage, and import one (upload, a preview of every change and every problem, then confirm or cancel).

Between upload and confirmation the file waits under MEDIA_ROOT/imports/hsds/ (outside the web root) under
a random name; the session remembers its token and checksum, so only the user who uploaded it can preview,
confirm or cancel it, and the file is read again and checked against its checksum at every step (as the
people import does). Files left by sessions that ended are deleted at the next upload.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods

from waypoint.accounts import policy
from waypoint.audit.models import Action
from waypoint.audit.services import record
from waypoint.core.pending_uploads import AlreadyClaimedError, PendingUploads

from ..models import Organisation, Service
from . import export, importing, spec

ERRORS_SHOWN = 500
WARNINGS_SHOWN = 200
FORMATS = {"csv": "application/zip", "json": "application/json; charset=utf-8"}


# --- Export ---------------------------------------------------------------------------------------------
@login_required
@require_GET
def export_package(request: HttpRequest) -> HttpResponse:
    """Without `format`, the page that explains the export; with `format=csv` or `json`, the download."""
    policy.require(request.user, policy.CHANGE_DIRECTORY, request=request)
    file_format = request.GET.get("format", "")
    if file_format not in FORMATS:
        return render(request, "partners/hsds/export.html", {
            "organisations": policy.scope(request.user, Organisation.objects.filter(is_active=True)).count(),
            "services": policy.scope(request.user, Service.objects.filter(organization__is_active=True)).count(),
        })
    package = export.collect(request.user)
    data = export.json_bytes(package) if file_format == "json" else export.zip_bytes(package)
    record(
        Action.EXPORT, actor=request.user, object_type="partners.hsds_export", request=request,
        changes={"format": [None, file_format],
                 **{table: [None, str(count)] for table, count in package.counts.items() if count}},
    )
    response = HttpResponse(data, content_type=FORMATS[file_format])
    response["Content-Disposition"] = f'attachment; filename="{export.filename(file_format)}"'
    return response


# --- Import: the waiting file ---------------------------------------------------------------------------
class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Datapackage"),
        help_text=gettext_lazy("A ZIP of the CSV files (with datapackage.json), or the tables as one JSON file."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = ".zip,.json,application/zip,application/json"

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > importing.MAX_BYTES:
            raise ValidationError(_("The file is larger than %(size)d MB.") % {
                "size": importing.MAX_BYTES // (1024 * 1024)})
        return upload


UPLOADS = PendingUploads(
    session_key="hsds_imports", folder_name="imports/hsds", max_pending=3,
    denial_object_type="partners.hsds_import", name=lambda token, entry: f"{token}.upload",
)


def _read(token: str, entry: dict[str, str]) -> importing.ParsedPackage | None:
    """Read the waiting file again; None when it is gone or is not the file that was uploaded."""
    data = UPLOADS.read(token, entry)
    if data is None:
        return None
    parsed = importing.read_package(data, f"upload.{entry['kind']}")
    return parsed if parsed.sha256 == entry["sha256"] else None


# --- Import: the pages ----------------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    """Choose a datapackage; a file that cannot be read at all is refused here and nothing is kept."""
    policy.require(request.user, policy.CHANGE_DIRECTORY, request=request)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        UPLOADS.purge_stale()
        upload_file = form.cleaned_data["file"]
        data = upload_file.read()
        parsed = importing.read_package(data, upload_file.name)
        if not parsed.records:
            for problem in parsed.errors or [importing.Problem("", _("The package holds no records."))]:
                form.add_error("file", str(problem))
        else:
            kind = "json" if upload_file.name.lower().endswith(".json") else "zip"
            token = UPLOADS.store(request, data, {"sha256": parsed.sha256, "kind": kind})
            return redirect("partners:hsds_import_preview", token=token)
    return render(request, "partners/hsds/import_upload.html", {
        "form": form, "max_megabytes": importing.MAX_BYTES // (1024 * 1024),
        "tables": [(table.path, ", ".join(item.name for item in table.fields if item.required))
                   for table in spec.TABLES],
    })


@login_required
@require_http_methods(["GET", "POST"])
def preview(request: HttpRequest, token: str) -> HttpResponse:
    """What the package would create and update, and every problem in it; POST confirms or cancels."""
    policy.require(request.user, policy.CHANGE_DIRECTORY, request=request)
    entry = UPLOADS.entry(request, token)
    action = request.POST.get("action") if request.method == "POST" else None
    if action == "cancel":
        UPLOADS.forget(request, token)
        messages.info(request, _("The import was cancelled and the uploaded file deleted."))
        return redirect("partners:hsds_import")
    parsed = _read(token, entry)
    if parsed is None:
        UPLOADS.forget(request, token)
        messages.error(request, _("The uploaded file is no longer available. Upload it again."))
        return redirect("partners:hsds_import")
    importing.check(parsed)
    if action == "confirm" and parsed.ok:
        return _confirm(request, token, entry, parsed)
    return render(request, "partners/hsds/import_preview.html", {
        "token": token, "parsed": parsed, "summary": parsed.summary(),
        "errors": parsed.errors[:ERRORS_SHOWN], "error_count": len(parsed.errors),
        "warnings": parsed.warnings[:WARNINGS_SHOWN], "warning_count": len(parsed.warnings),
        "organisations": importing.changed_objects(parsed, "organization"),
        "services": importing.changed_objects(parsed, "service"),
        "changes": sum(row["create"] + row["update"] for row in parsed.summary()),
    })


def _confirm(request: HttpRequest, token: str, entry: dict[str, str], parsed: importing.ParsedPackage) -> HttpResponse:
    try:
        with UPLOADS.claimed(request, token, entry):
            result = importing.apply(parsed, user=request.user, request=request)
    except AlreadyClaimedError:
        messages.error(request, _("This file is already being imported."))
        return redirect("partners:hsds_import")
    except PermissionDenied:
        policy.record_denial(request.user, "partners.hsds_import", token[:64], request)
        raise Http404 from None
    created = sum(counts["created"] for counts in result.values())
    updated = sum(counts["updated"] for counts in result.values())
    messages.success(request, _("The datapackage was imported: %(created)s and %(updated)s.") % {
        "created": ngettext("%(count)d record created", "%(count)d records created", created) % {"count": created},
        "updated": ngettext("%(count)d record updated", "%(count)d records updated", updated) % {"count": updated},
    })
    return redirect("partners:list")
