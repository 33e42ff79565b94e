"""Travel documents: requests to embassies and consulates (the directory's diplomatic organisations), one per
traveller and document, followed to issued (with its validity) or refused.

`document_problems(case, people, day)` is what the workflow and the booking check ask: each traveller needs an
issued document valid on the day of departure.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from waypoint.accounts import policy
from waypoint.accounts.models import Programme, User
from waypoint.audit.models import Action
from waypoint.audit.services import changed_fields, record
from waypoint.cases import timeline
from waypoint.cases.casework import refused
from waypoint.cases.locking import ConflictError, bump, locked_current
from waypoint.cases.models import Case, CaseMember
from waypoint.partners.models import Organisation, OrganisationType
from waypoint.people.models import Person

from .models import DocumentKind, DocumentStatus, TravelDocument

__all__ = ["ConflictError", "document_problems", "request_document", "update_document"]
NOTE_MAX = 2000


def authorities():
    """Embassies and consulates of the directory that are active."""
    return Organisation.objects.filter(organisation_type=OrganisationType.DIPLOMATIC, is_active=True).order_by("name")


def _date(day: datetime.date) -> str:
    return formats.date_format(day, "DATE_FORMAT")


def valid_document(person: Person, case: Case, day: datetime.date) -> TravelDocument | None:
    return (TravelDocument.objects.filter(case=case, person=person, status=DocumentStatus.ISSUED,
                                          valid_until__gte=day).order_by("-valid_until").first())


def document_problems(case: Case, people: Iterable[Person], day: datetime.date) -> list[str]:
    """One sentence per traveller without an issued travel document valid on `day`."""
    problems = []
    for person in people:
        if valid_document(person, case, day) is not None:
            continue
        issued = (TravelDocument.objects.filter(case=case, person=person, status=DocumentStatus.ISSUED)
                  .order_by("-valid_until").first())
        if issued is not None and issued.valid_until is not None:
            problems.append(_("%(person)s's travel document is valid until %(until)s, before %(day)s: request a new "
                              "one.") % {"person": person.reference, "until": _date(issued.valid_until),
                                         "day": _date(day)})
        else:
            problems.append(_("%(person)s has no issued travel document: request one from the embassy and record it "
                              "issued.") % {"person": person.reference})
    return problems


def _case(user: User, case: Case, request) -> Case:
    case = policy.get_for(user, Case.objects.filter(programme=Programme.RETURN), "change", pk=case.pk,
                          request=request)
    if case.is_closed:
        raise ValidationError(_("Case %(reference)s is closed: reopen it before recording anything new.")
                              % {"reference": case.reference})
    return case


def _issue_errors(status: str, issued_on: datetime.date | None, valid_until: datetime.date | None,
                  requested_on: datetime.date) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if status not in DocumentStatus.values:
        errors["status"] = [_("Choose requested, issued or refused.")]
    elif status == DocumentStatus.ISSUED:
        if issued_on is None:
            errors["issued_on"] = [_("Give the day the document was issued.")]
        if valid_until is None:
            errors["valid_until"] = [_("Give the last day the document is valid.")]
    if issued_on is not None:
        if issued_on > timezone.localdate():
            errors["issued_on"] = [_("A document cannot be issued in the future.")]
        elif issued_on < requested_on:
            errors["issued_on"] = [_("A document cannot be issued before it was requested (%(date)s).")
                                   % {"date": _date(requested_on)}]
    if issued_on is not None and valid_until is not None and valid_until < issued_on:
        errors["valid_until"] = [_("The document cannot expire before it was issued.")]
    return errors


def request_document(user: User, case: Case, *, person: Person | None, authority: Organisation | None, kind: str,
                     requested_on: datetime.date | None = None, note: str = "", request=None) -> TravelDocument:
    """Record a request for a travel document for one traveller of the case, to an embassy or consulate."""
    case = _case(user, case, request)
    requested_on = requested_on or timezone.localdate()
    note = (note or "").strip()
    errors: dict[str, list[str]] = {}
    if person is None or not CaseMember.objects.filter(case=case, person=person).exists():
        errors["person"] = [_("Choose a member of this case.")]
    if authority is None or not authorities().filter(pk=authority.pk).exists():
        errors["authority"] = [_("Choose an embassy or consulate from the partner directory.")]
    if kind not in DocumentKind.values:
        errors["kind"] = [_("Choose the kind of travel document.")]
    if requested_on > timezone.localdate():
        errors["requested_on"] = [_("A request cannot be dated in the future.")]
    if len(note) > NOTE_MAX:
        errors["note"] = [_("The note is longer than %(max)d characters.") % {"max": NOTE_MAX}]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        document = TravelDocument.objects.create(case=case, person=person, authority=authority, kind=kind,
                                                 requested_on=requested_on, note=note, recorded_by=user)
        record(Action.CREATE, document, actor=user, request=request, changes={
            "case": [None, case.reference], "person": [None, str(person.pk)], "authority": [None, str(authority.pk)],
            "kind": [None, kind], "requested_on": [None, requested_on.isoformat()]})
        timeline.log(case, timeline.PROFILE, _("%(document)s requested from %(authority)s for %(person)s.") % {
            "document": document.get_kind_display(), "authority": authority.name, "person": person.reference},
            actor=user, obj=document)
    return document


def _snapshot(document: TravelDocument) -> dict[str, Any]:
    return {"status": document.status,
            "issued_on": document.issued_on.isoformat() if document.issued_on else None,
            "valid_until": document.valid_until.isoformat() if document.valid_until else None,
            "note": document.note}


def update_document(user: User, document: TravelDocument, *, version: int | None, status: str,
                    issued_on: datetime.date | None = None, valid_until: datetime.date | None = None,
                    note: str | None = None, request=None) -> TravelDocument:
    """Record the embassy's answer: issued (with dates) or refused; a stale form raises ConflictError."""
    document = policy.get_for(user, TravelDocument.objects.filter(case__programme=Programme.RETURN), "change",
                              pk=document.pk, request=request)
    _case(user, document.case, request)
    if status != DocumentStatus.ISSUED:
        issued_on = valid_until = None
    try:
        with transaction.atomic():
            current = locked_current(TravelDocument.objects.select_related("case", "person"), document.pk, version)
            errors = _issue_errors(status, issued_on, valid_until, current.requested_on)
            if note is not None and len(note.strip()) > NOTE_MAX:
                errors["note"] = [_("The note is longer than %(max)d characters.") % {"max": NOTE_MAX}]
            if errors:
                raise ValidationError(errors)
            before = _snapshot(current)
            current.status, current.issued_on, current.valid_until = status, issued_on, valid_until
            if note is not None:
                current.note = note.strip()
            diff = changed_fields(before, _snapshot(current), sensitive=("note",))
            if not diff:
                return current
            bump(current, ["status", "issued_on", "valid_until", "note"])
            record(Action.UPDATE, current, actor=user, request=request, changes=diff)
            if status == DocumentStatus.ISSUED:
                line = _("%(document)s issued for %(person)s, valid until %(until)s.") % {
                    "document": current.get_kind_display(), "person": current.person.reference,
                    "until": _date(valid_until)}
            else:
                line = _("%(document)s for %(person)s: %(status)s.") % {
                    "document": current.get_kind_display(), "person": current.person.reference,
                    "status": current.get_status_display().lower()}
            timeline.log(current.case, timeline.PROFILE, line, actor=user, obj=current)
    except ConflictError:
        refused(user, document, "document_update", ["stale_version"], request=request)
        raise
    return current
