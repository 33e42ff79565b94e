"""Notes and attachments of a case, and the checks that tell a file's real type from its content.

Written like the rest of case work (see `casework`): access first, then one transaction with the audit event and
the timeline line; a stale edit, or a file too big or of the wrong type, is refused and the refusal audited.
"""

from __future__ import annotations

import os
import unicodedata
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from waypoint.accounts import policy
from waypoint.accounts.models import User
from waypoint.audit.models import Action
from waypoint.audit.services import record

from . import timeline
from .casework import NOTE_MAX, _case_to_change, refused
from .locking import ConflictError, bump, locked_current
from .models import Attachment, AttachmentKind, Case, CaseNote

DESCRIPTION_MAX = 2_000
ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024  # WAYPOINT_ATTACHMENT_MAX_BYTES overrides it


# --- Notes --------------------------------------------------------------------------------------
def _note_errors(text: str) -> dict[str, list[str]]:
    if not text:
        return {"text": [_("The note is empty.")]}
    if len(text) > NOTE_MAX:
        return {"text": [_("The note is too long (at most %(count)d characters).") % {"count": NOTE_MAX}]}
    return {}


def add_note(user: User, case: Case, text: str, *, request=None) -> CaseNote:
    case = _case_to_change(user, case, request)
    text = (text or "").strip()
    errors = _note_errors(text)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        note = CaseNote.objects.create(case=case, text=text, author=user)
        record(Action.CREATE, note, actor=user, request=request, changes={"case": [None, str(case.pk)], "text": None})
        timeline.log(case, timeline.NOTE, _("Note added."), actor=user, obj=note)
    return note


def edit_note(user: User, note: CaseNote, *, version: int, text: str, request=None) -> CaseNote:
    """Correct one's own note. The timeline says that it was edited; the earlier text is not repeated anywhere."""
    note = policy.get_for(user, CaseNote.objects.select_related("case"), "change", pk=note.pk, request=request)
    if note.author_id != user.pk:
        refused(user, note, "edit", ["not_the_author"], request=request)
        raise ValidationError({"text": _("Only the author of a note can correct it: add a note of your own instead.")})
    text = (text or "").strip()
    try:
        with transaction.atomic():
            current = locked_current(CaseNote.objects.select_related("case"), note.pk, version)
            errors = _note_errors(text)
            if errors:
                raise ValidationError(errors)
            if text == current.text:
                return current
            current.text, current.edited_at = text, timezone.now()
            bump(current, ["text", "edited_at"])
            record(Action.UPDATE, current, actor=user, request=request, changes={"text": None})
            timeline.log(current.case, timeline.NOTE, _("Note of %(date)s edited.") % {
                "date": timezone.localtime(current.written_at).strftime("%Y-%m-%d %H:%M")}, actor=user, obj=current)
            return current
    except ConflictError:
        refused(user, note, "edit", ["stale_version"], request=request)
        raise


# --- Attachments --------------------------------------------------------------------------------
@dataclass(frozen=True)
class FileType:
    extension: str
    content_type: str


PDF = FileType("pdf", "application/pdf")
JPEG = FileType("jpg", "image/jpeg")
PNG = FileType("png", "image/png")
DOCX = FileType("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
XLSX = FileType("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
ODT = FileType("odt", "application/vnd.oasis.opendocument.text")
ODS = FileType("ods", "application/vnd.oasis.opendocument.spreadsheet")
TEXT = FileType("txt", "text/plain; charset=utf-8")
CSV = FileType("csv", "text/csv; charset=utf-8")
TEXT_EXTENSIONS = {"txt": TEXT, "csv": CSV}
OPENDOCUMENT = {ODT.content_type.encode(): ODT, ODS.content_type.encode(): ODS}
TEXT_SNIFF_BYTES = 64 * 1024
OPENDOCUMENT_MIMETYPE_MAX_BYTES = 256


def attachment_max_bytes() -> int:
    return int(getattr(settings, "WAYPOINT_ATTACHMENT_MAX_BYTES", ATTACHMENT_MAX_BYTES))


def _zip_type(upload: UploadedFile) -> FileType | None:
    """Office documents are ZIP containers: the type is told by what is inside, not by the name."""
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                # Its declared size bounds what is inflated: a real one is a line of text, never a zip bomb.
                if archive.getinfo("mimetype").file_size > OPENDOCUMENT_MIMETYPE_MAX_BYTES:
                    return None
                return OPENDOCUMENT.get(archive.read("mimetype").strip())
            if "[Content_Types].xml" in names:
                if any(name.startswith("word/") for name in names):
                    return DOCX
                if any(name.startswith("xl/") for name in names):
                    return XLSX
    except (zipfile.BadZipFile, OSError, KeyError, ValueError):
        return None
    finally:
        upload.seek(0)
    return None


def _text_type(upload: UploadedFile, name: str) -> FileType | None:
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in TEXT_EXTENSIONS:
        return None
    head = upload.read(TEXT_SNIFF_BYTES)
    upload.seek(0)
    if b"\x00" in head:
        return None
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.start < len(head) - 3:  # not merely a character cut at the end of the sample
            return None
    return TEXT_EXTENSIONS[extension]


def check_attachment(upload: UploadedFile) -> FileType:
    """The file's real type from its content (never its name alone) and its size; raises ValidationError."""
    limit = attachment_max_bytes()
    if upload.size is not None and upload.size > limit:
        raise ValidationError({"file": ValidationError(
            _("The file is larger than %(size)s MB: it was not saved.") % {"size": f"{limit / (1024 * 1024):g}"},
            code="too_big")})
    if not upload.size:
        raise ValidationError({"file": ValidationError(_("The file is empty."), code="empty")})
    head = upload.read(8)
    upload.seek(0)
    found = None
    if head.startswith(b"%PDF-"):
        found = PDF
    elif head.startswith(b"\xff\xd8\xff"):
        found = JPEG
    elif head.startswith(b"\x89PNG\r\n\x1a\n"):
        found = PNG
    elif head.startswith(b"PK\x03\x04"):
        found = _zip_type(upload)
    else:
        found = _text_type(upload, upload.name or "")
    if found is None:
        raise ValidationError({"file": ValidationError(_(
            "This kind of file cannot be kept with a case: choose a PDF, a JPEG or PNG image, a Word, Excel or "
            "OpenDocument file, or plain text (.txt, .csv)."), code="wrong_type")})
    return found


def clean_file_name(name: str) -> str:
    """The name the file is downloaded under: its last part, printable characters only, not too long."""
    name = os.path.basename((name or "").replace("\\", "/"))
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip() or "file"
    if len(name) > 200:
        stem, dot, extension = name.rpartition(".")
        name = (stem[: 190] + dot + extension[:9]) if dot else name[:200]
    return name


@contextmanager
def files_removed_on_failure() -> Iterator[list[str]]:
    """Wrap `transaction.atomic()`: names of files written inside are deleted if it fails, so that a rolled-back
    attachment never leaves a document on disk that no record points to."""
    names: list[str] = []
    try:
        yield names
    except BaseException:
        storage = Attachment._meta.get_field("file").storage
        for name in names:
            storage.delete(name)
        raise


def upload_attachment(user: User, case: Case, *, upload: UploadedFile, kind: str, description: str = "",
                      request=None) -> Attachment:
    """Keep a file with the case, under a random name below MEDIA_ROOT (outside the web root); a file that is too
    big or not of a kind the office keeps is refused and the refusal audited."""
    case = _case_to_change(user, case, request)
    description = (description or "").strip()
    errors: dict[str, list[str]] = {}
    if kind not in AttachmentKind.values:
        errors["kind"] = [_("Say what kind of document this is.")]
    if len(description) > DESCRIPTION_MAX:
        errors["description"] = [_("The description is too long (at most %(count)d characters).") % {
            "count": DESCRIPTION_MAX}]
    if upload is None:
        errors["file"] = [_("Choose a file.")]
    else:
        try:
            file_type = check_attachment(upload)
        except ValidationError as error:
            refused(user, case, "attachment", [error.error_dict["file"][0].code or "invalid"], request=request)
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    original_name = clean_file_name(upload.name)
    with files_removed_on_failure() as written, transaction.atomic():
        attachment = Attachment(case=case, kind=kind, original_name=original_name,
                                content_type=file_type.content_type, size=upload.size, description=description,
                                uploaded_by=user)
        attachment.file.save(f"attachment.{file_type.extension}", upload, save=False)
        written.append(attachment.file.name)
        attachment.save()
        record(Action.CREATE, attachment, actor=user, request=request, changes={
            "case": [None, str(case.pk)], "kind": [None, kind], "content_type": [None, file_type.content_type],
            "size": [None, str(upload.size)], "file_name": None})
        timeline.log(case, timeline.ATTACHMENT, _("File added: %(name)s (%(kind)s).") % {
            "name": original_name, "kind": attachment.get_kind_display()}, actor=user, obj=attachment)
    return attachment


def remove_attachment(user: User, attachment: Attachment, *, request=None) -> Attachment:
    """Mark the attachment removed and delete its file once that is saved; the record of it stays."""
    attachment = policy.get_for(user, Attachment.objects.select_related("case").filter(removed_at__isnull=True),
                                "change", pk=attachment.pk, request=request)
    with transaction.atomic():
        current = Attachment.objects.select_for_update(of=("self",)).get(pk=attachment.pk)
        if current.removed_at is not None:
            return current
        current.removed_at = timezone.now()
        current.save(update_fields=["removed_at"])
        name, storage = current.file.name, current.file.storage
        transaction.on_commit(lambda: storage.delete(name))
        record(Action.UPDATE, current, actor=user, request=request,
               changes={"removed_at": [None, current.removed_at.isoformat()]})
        timeline.log(attachment.case, timeline.ATTACHMENT, _("File removed: %(name)s.") % {
            "name": current.original_name}, actor=user, obj=current)
    return current
