"""Consent pages: recording a person's consent, the consents panel of the case page and the consent lines of
the person page, the data protection officer's registry (with its CSV download), and the signed form.

Every object comes through the access policy (a forbidden one answers 404, and the denial is audited); every
write goes through `consent.services`, which validates and audits. Whether data may be shared is never
decided here: `services.may_share` answers that for every sharing path.
"""

from __future__ import annotations

import contextlib
import csv
import datetime
import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from waypoint.accounts import policy
from waypoint.audit.models import Action
from waypoint.audit.services import record
from waypoint.cases import timeline
from waypoint.cases.models import Case
from waypoint.core.forms import apply_errors
from waypoint.partners.models import Organisation
from waypoint.people.models import Person
from waypoint.people.related import Related

from . import services
from .forms import (
    EXPIRED,
    EXPIRING_DAYS,
    VALID,
    WITHDRAWN,
    ConsentForm,
    RegistryFilterForm,
    birth_text,
    certainly_minor,
    possibly_minor,
)
from .models import ConsentRecord, Purpose

FORM_CONTENT_TYPES = {"pdf": "application/pdf", "jpg": "image/jpeg", "png": "image/png"}
REGISTRY_PAGE_SIZE = 50
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


# --- Presentation -------------------------------------------------------------------------------
def state_of(consent: ConsentRecord, today: datetime.date) -> str:
    if consent.withdrawn_at is not None:
        return WITHDRAWN
    if consent.expires_on is not None and consent.expires_on < today:
        return EXPIRED
    return VALID


def state_filter(state: str, today: datetime.date) -> Q:
    """The records in a state today; the same three states as `state_of` (and `services.may_share`)."""
    if state == WITHDRAWN:
        return Q(withdrawn_at__isnull=False)
    if state == EXPIRED:
        return Q(withdrawn_at__isnull=True, expires_on__lt=today)
    return Q(withdrawn_at__isnull=True, given_on__lte=today) & (Q(expires_on__isnull=True) | Q(expires_on__gte=today))


def recipient_text(consent: ConsentRecord) -> str:
    if consent.recipient_organisation_id:
        return consent.recipient_organisation.name
    if consent.recipient_type:
        return _("any: %(type)s") % {"type": consent.get_recipient_type_display()}
    return _("the office")


def categories_text(consent: ConsentRecord) -> str:
    return ", ".join(services.category_label(code) for code in consent.data_categories or [])


def person_number(consent: ConsentRecord) -> str:
    """The person's record number, without loading (and decrypting) the person."""
    return Person(pk=consent.person_id).reference


@dataclass
class Row:
    """A consent as the pages show it."""

    consent: ConsentRecord
    state: str
    recipient: str
    categories: str
    expires_soon: bool = False
    form_url: str = ""
    may_withdraw: bool = False

    @property
    def state_label(self) -> str:
        return {VALID: _("valid"), EXPIRED: _("expired"), WITHDRAWN: _("withdrawn")}[self.state]

    @property
    def person_number(self) -> str:
        return person_number(self.consent)


def make_row(consent: ConsentRecord, today: datetime.date, *, may_withdraw: bool = False) -> Row:
    state = state_of(consent, today)
    soon = (state == VALID and consent.expires_on is not None
            and consent.expires_on <= today + datetime.timedelta(days=EXPIRING_DAYS))
    return Row(
        consent=consent, state=state, recipient=recipient_text(consent), categories=categories_text(consent),
        expires_soon=soon, form_url=reverse("consent:form", args=[consent.pk]) if consent.form else "",
        may_withdraw=may_withdraw and state == VALID,  # an expired consent covers nothing already
    )


def record_url(person: Person, case: Case | None = None) -> str:
    url = reverse("consent:record", args=[person.pk])
    return f"{url}?{urlencode({'case': case.reference})}" if case is not None else url


# --- Recording a consent ------------------------------------------------------------------------
def _case_from(request: HttpRequest, person: Person) -> Case | None:
    """The case the consent is recorded from (`?case=`), if the user works on it and the person is a member.
    Otherwise the page simply leads back to the person; a reference that leads nowhere is audited."""
    reference = (request.GET.get("case") or "").strip()[:20]
    if not reference:
        return None
    case = policy.scope(request.user, Case.objects.filter(reference=reference, members__person=person),
                        "change").first()
    if case is None:
        policy.record_denial(request.user, "cases.case", reference, request)
    return case


def _initial(request: HttpRequest, organisations: QuerySet) -> dict[str, Any]:
    """A link may say what the consent is for (e.g. from a referral refused for lack of consent)."""
    initial: dict[str, Any] = {}
    if request.GET.get("purpose") in Purpose.values:
        initial["purpose"] = request.GET["purpose"]
    organisation = request.GET.get("organisation", "")
    if organisation:
        with contextlib.suppress(ValueError, ValidationError):  # not an organisation's id: nothing chosen
            initial["recipient_organisation"] = organisations.filter(pk=organisation).first()
    return initial


def _timeline_line(person: Person, consent: ConsentRecord) -> str:
    return _("Consent recorded for %(person)s: %(purpose)s, to %(recipient)s (%(categories)s); %(how)s.") % {
        "person": person.reference, "purpose": consent.get_purpose_display(),
        "recipient": recipient_text(consent), "categories": categories_text(consent),
        "how": consent.get_how_given_display().lower(),
    }


def _save(request: HttpRequest, form: ConsentForm, person: Person, case: Case | None) -> ConsentRecord | None:
    """The record, its audit event and (from a case) its timeline line, in one transaction; a signed form
    written before a failure is deleted again."""
    try:
        with services.forms_removed_on_failure(), transaction.atomic():
            consent = services.record_consent(request.user, person, **form.consent_data(), request=request)
            if case is not None:
                timeline.log(case, timeline.CONSENT, _timeline_line(person, consent), actor=request.user,
                             obj=consent)
    except ValidationError as error:
        apply_errors(form, error)
        return None
    return consent


@login_required
@require_http_methods(["GET", "POST"])
def record_consent(request: HttpRequest, person_pk: int) -> HttpResponse:
    """Record a person's consent after explaining it; back to the case (from a case) or the person page."""
    user = request.user
    person = policy.get_for(user, Person, "change", pk=person_pk, request=request)
    if person.merged_into_id:
        raise Http404  # a merged-away record is read-only: consent is recorded on the surviving record
    case = _case_from(request, person)
    organisations = policy.scope(user, Organisation.objects.filter(is_active=True)).order_by("name")
    data = request.POST if request.method == "POST" else None
    form = ConsentForm(data, request.FILES or None, person=person, organisations=organisations,
                       initial=_initial(request, organisations))
    if data is not None and form.is_valid():
        consent = _save(request, form, person, case)
        if consent is not None:
            messages.success(request, _("The consent of %(person)s is recorded: %(purpose)s, to %(recipient)s.") % {
                "person": person.reference, "purpose": consent.get_purpose_display(),
                "recipient": recipient_text(consent)})
            if case is not None:
                return redirect(reverse("cases:detail", args=[case.reference]) + "#consents")
            return redirect(reverse("people:detail", args=[person.pk]) + "#cases")
    if data is None:
        record(Action.VIEW, person, actor=user, request=request)  # the page shows the person's name and consents
    today = timezone.localdate()
    withdrawable = set(policy.scope(user, ConsentRecord.objects.filter(person=person), "change")
                       .values_list("pk", flat=True))
    existing = [make_row(consent, today, may_withdraw=consent.pk in withdrawable) for consent in policy.scope(
        user, ConsentRecord.objects.filter(person=person).select_related("recipient_organisation"))]
    return render(request, "consent/record.html", {
        "person": person, "case": case, "form": form, "existing": existing, "birth": birth_text(person),
        "minor": possibly_minor(person, today), "certainly_minor": certainly_minor(person, today),
        "back_url": (reverse("cases:detail", args=[case.reference]) + "#consents" if case is not None
                     else reverse("people:detail", args=[person.pk]) + "#cases"),
    })


def withdraw_on_cases(request: HttpRequest, consent: ConsentRecord) -> ConsentRecord:
    """Withdraw the consent (ValidationError if it already was) and write it on the timeline of each of the
    person's cases in the user's hands, in one transaction. Both withdraw buttons (the person's consents and the
    case page's consents panel) come here."""
    user = request.user
    person = consent.person
    cases = list(policy.scope(user, Case.objects.filter(members__person=person), "change").distinct())
    with transaction.atomic():
        withdrawn = services.withdraw(user, consent, request.POST.get("note", "")[:2000], request=request)
        for case in cases:
            timeline.log(case, timeline.CONSENT, _(
                "Consent withdrawn for %(person)s: %(purpose)s, to %(recipient)s. It no longer covers any sharing."
            ) % {"person": person.reference, "purpose": consent.get_purpose_display(),
                 "recipient": recipient_text(consent)}, actor=user, obj=withdrawn)
    return withdrawn


@login_required
@require_POST
def withdraw_consent(request: HttpRequest, pk: int) -> HttpResponse:
    """Withdraw a consent from the person's consents (also for a person without a case, e.g. a hotline caller
    referred with consent). It stops covering anything at once; each of the person's cases in the user's
    hands gets a timeline line, in the same transaction."""
    user = request.user
    consent = policy.get_for(user, ConsentRecord.objects.select_related("person", "recipient_organisation"),
                             "change", pk=pk, request=request)
    person = consent.person
    try:
        withdraw_on_cases(request, consent)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The consent is withdrawn. It no longer covers any sharing."))
    if person.merged_into_id:
        return redirect(reverse("people:detail", args=[person.pk]))
    return redirect(f"{record_url(person)}#consent-{consent.pk}")


# --- The consents panel of the case page (registered in `apps.py`) --------------------------------
def consents_panel(request: HttpRequest, case: Case) -> dict[str, Any]:
    """Each member with their consents, a "Record consent" link where the user may record one, the
    withdrawal form where they may withdraw, and the signed form."""
    user = request.user
    today = timezone.localdate()
    members = list(case.members.select_related("person").order_by("id"))
    ids = [member.person_id for member in members]
    people = Person.objects.filter(pk__in=ids)
    visible = set(policy.scope(user, people, "view").values_list("pk", flat=True))
    changeable = set(policy.scope(user, people, "change").values_list("pk", flat=True))
    consents = policy.scope(user, ConsentRecord.objects.filter(person_id__in=ids)
                            .select_related("recipient_organisation"))
    withdrawable = set(policy.scope(user, ConsentRecord.objects.filter(person_id__in=ids), "change")
                       .values_list("pk", flat=True))
    by_person: dict[int, list[Row]] = {}
    for consent in consents:
        by_person.setdefault(consent.person_id, []).append(
            make_row(consent, today, may_withdraw=consent.pk in withdrawable))
    groups = [{
        "member": member,
        "name": member.person.full_name if member.person_id in visible else "",
        "record_url": (record_url(member.person, case)
                       if member.person_id in changeable and not member.person.merged_into_id else ""),
        "rows": by_person.get(member.person_id, []),
    } for member in members]
    return {"groups": groups}


# --- The consent lines of the person page (registered in `apps.py`) -------------------------------
def consents_for_person(user, person: Person) -> Iterable[Related]:
    """The person's consents the user may see, and a "Record consent" link for those who may record one."""
    today = timezone.localdate()
    may_record = not person.merged_into_id and policy.can(user, "change", person)
    url = record_url(person)
    consents = policy.scope(user, ConsentRecord.objects.filter(person=person).select_related("recipient_organisation"))
    for consent in consents:
        row = make_row(consent, today)
        if row.state == WITHDRAWN:
            state = _("withdrawn on %(date)s") % {"date": timezone.localtime(consent.withdrawn_at).date().isoformat()}
        elif row.state == EXPIRED:
            state = _("expired on %(date)s") % {"date": consent.expires_on.isoformat()}
        elif consent.expires_on:
            state = _("valid until %(date)s") % {"date": consent.expires_on.isoformat()}
        else:
            state = _("valid until withdrawn")
        yield Related(
            label=_("Consent: %(purpose)s, to %(recipient)s") % {
                "purpose": consent.get_purpose_display(), "recipient": row.recipient},
            url=f"{url}#consent-{consent.pk}" if may_record else (row.form_url or f"#consent-{consent.pk}"),
            detail=_("%(categories)s · given on %(date)s, %(how)s · %(state)s") % {
                "categories": row.categories, "date": consent.given_on.isoformat(),
                "how": consent.get_how_given_display().lower(), "state": state},
        )
    if may_record:
        yield Related(label=_("Record consent"), url=url, action=True)


# --- The registry of the data protection officer -------------------------------------------------
def _filtered(consents: QuerySet, cleaned: dict[str, Any], today: datetime.date) -> QuerySet:
    if cleaned.get("purpose"):
        consents = consents.filter(purpose=cleaned["purpose"])
    if cleaned.get("state"):
        consents = consents.filter(state_filter(cleaned["state"], today))
    if cleaned.get("expiring"):
        consents = consents.filter(state_filter(VALID, today)).filter(
            expires_on__lte=today + datetime.timedelta(days=EXPIRING_DAYS))
    if cleaned.get("how_given"):
        consents = consents.filter(how_given=cleaned["how_given"])
    if cleaned.get("organisation"):
        consents = consents.filter(recipient_organisation=cleaned["organisation"])
    if cleaned.get("given_from"):
        consents = consents.filter(given_on__gte=cleaned["given_from"])
    if cleaned.get("given_to"):
        consents = consents.filter(given_on__lte=cleaned["given_to"])
    return consents


def _counts(consents: QuerySet, today: datetime.date) -> list[dict[str, Any]]:
    """Per purpose: how many records, and how many valid, expired and withdrawn today."""
    found = {
        row["purpose"]: row for row in consents.order_by().values("purpose").annotate(
            total=Count("id"), valid=Count("id", filter=state_filter(VALID, today)),
            expired=Count("id", filter=state_filter(EXPIRED, today)),
            withdrawn=Count("id", filter=state_filter(WITHDRAWN, today)),
        )
    }
    empty = {"total": 0, "valid": 0, "expired": 0, "withdrawn": 0}
    return [{"purpose": code, "label": label, **{k: found.get(code, empty)[k] for k in empty}}
            for code, label in Purpose.choices]


def _safe_text(value: str) -> str:
    """A cell a spreadsheet program will not run as a formula (organisation names are typed by people)."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _csv(consents: QuerySet, today: datetime.date) -> bytes:
    """The registry without names: the person by record number only. UTF-8 with a byte-order mark, so that
    spreadsheet programs read Cyrillic right."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_("Consent"), _("Person (record number)"), _("Purpose"), _("Recipient organisation"),
                     _("Recipient type"), _("Data"), _("How given"), _("Witness or guardian named"),
                     _("Signed form"), _("Given on"), _("Expires on"), _("Withdrawn on"), _("State")])
    states = {VALID: _("valid"), EXPIRED: _("expired"), WITHDRAWN: _("withdrawn")}
    for consent in consents.iterator(chunk_size=500):
        withdrawn = timezone.localtime(consent.withdrawn_at).date().isoformat() if consent.withdrawn_at else ""
        writer.writerow([_safe_text(str(value)) for value in (
            consent.pk, person_number(consent), consent.get_purpose_display(),
            consent.recipient_organisation.name if consent.recipient_organisation_id else "",
            consent.get_recipient_type_display() if consent.recipient_type else "",
            categories_text(consent), consent.get_how_given_display(),
            _("yes") if consent.witness else _("no"), _("yes") if consent.form else _("no"),
            consent.given_on.isoformat(), consent.expires_on.isoformat() if consent.expires_on else "",
            withdrawn, states[state_of(consent, today)],
        )])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _filters_for_audit(form: RegistryFilterForm) -> str:
    """The filters as a query string: codes, dates and an organisation id, never a person."""
    cleaned = getattr(form, "cleaned_data", {}) or {}
    values = {name: (value.pk if isinstance(value, Organisation) else value)
              for name, value in cleaned.items() if value not in (None, "", False)}
    return urlencode(values)


@login_required
@require_GET
def registry(request: HttpRequest) -> HttpResponse:
    """Every consent record, filtered; the person by record number only (the officer is not case staff)."""
    user = request.user
    policy.require(user, policy.VIEW_CONSENT_REGISTRY, request=request)
    today = timezone.localdate()
    consents = policy.scope(user, ConsentRecord.objects.select_related("recipient_organisation"))
    organisations = Organisation.objects.filter(consents__isnull=False).distinct().order_by("name")
    filters = {key: value for key, value in request.GET.items() if key not in ("page", "format")}
    form = RegistryFilterForm(filters or None, organisations=organisations)
    if form.is_bound and form.is_valid():
        consents = _filtered(consents, form.cleaned_data, today)
    elif form.is_bound:
        consents = consents.none()
    consents = consents.order_by("-given_on", "-id")
    if request.GET.get("format") == "csv":
        content = _csv(consents, today)
        record(Action.EXPORT, actor=user, object_type="consent.registry", request=request,
               changes={"format": ["csv"], "filters": [_filters_for_audit(form)], "rows": [str(consents.count())]})
        response = HttpResponse(content, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="consent-registry-{today.isoformat()}.csv"'
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "no-store"
        return response
    page = Paginator(consents, REGISTRY_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [make_row(consent, today) for consent in page.object_list]
    record(Action.VIEW, actor=user, object_type="consent.registry", request=request,
           changes={"shown": [", ".join(str(row.consent.pk) for row in rows)]})
    query = urlencode(filters)
    return render(request, "consent/registry.html", {
        "form": form, "page": page, "rows": rows, "counts": _counts(consents, today), "query": query,
        "csv_url": reverse("consent:registry") + "?" + urlencode({**filters, "format": "csv"}),
        "expiring_days": EXPIRING_DAYS,
    })


# --- The signed form ----------------------------------------------------------------------------
@login_required
@require_GET
def signed_form(request: HttpRequest, pk: int) -> HttpResponse:
    """The scan of a signed consent form, for the data protection officer and staff who may see the consent.

    Always a download (never shown inline), read whole (at most 10 MB) so no file handle outlives the request.
    """
    user = request.user
    consent = policy.get_for(user, ConsentRecord, "view", pk=pk, request=request)
    extension = consent.form.name.rsplit(".", 1)[-1].lower() if consent.form else ""
    if extension not in FORM_CONTENT_TYPES:
        raise Http404
    try:
        with consent.form.open("rb") as handle:
            content = handle.read()
    except FileNotFoundError:
        raise Http404 from None
    record(Action.VIEW, consent, actor=user, request=request, changes={"read": ["signed form"]})
    response = HttpResponse(content, content_type=FORM_CONTENT_TYPES[extension])
    response["Content-Disposition"] = f'attachment; filename="consent-{consent.pk}.{extension}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response
