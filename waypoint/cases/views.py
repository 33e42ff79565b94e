"""Pages of referrals: the inbox (partners and staff), a referral and its answers, the three doors from a
consultation (referral, escalation, situation report), the referral from a case, the printed referral and
its delivery, a partner's referral to the office and the case opened from it, and the case page's
referrals panel.

Every object comes through `policy.get_for` (another organisation's referral is a 404, and the denial
is audited); every write goes through `services`.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Max, Q
from django.forms.utils import ErrorDict
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from waypoint.accounts import policy
from waypoint.accounts.models import Programme, Role
from waypoint.audit.models import Action
from waypoint.audit.services import record
from waypoint.consent.models import ConsentRecord
from waypoint.consent.services import category_label as consent_category_label
from waypoint.core.forms import apply_errors
from waypoint.hotline.models import Consultation
from waypoint.partners.models import Service
from waypoint.partners.taxonomy import service_ids_of_type, service_type_label, types_by_service
from waypoint.people import lookup
from waypoint.people import views as people_views
from waypoint.people.models import Person

from . import casework, printable_referral, services, sharing
from .forms import (
    PERSONAL,
    ActionForm,
    CallerForm,
    CaseReferralForm,
    ConsentForm,
    DeliveryForm,
    EscalateForm,
    InboxFilterForm,
    OpenCaseForm,
    PersonChoiceForm,
    ReferralForm,
    ReferredPersonForm,
    ReferToOfficeForm,
    ServiceFilterForm,
    SituationForm,
)
from .models import Case, Referral, ReferralDirection, ReferralStatus, ReferralUpdate

SERVICES_SHOWN = 40


# --- Shared pieces ----------------------------------------------------------------------------
def consultation_url(consultation_id: int) -> str:
    try:
        return reverse("hotline:detail", args=[consultation_id])
    except NoReverseMatch:
        return ""


def _consultation(request: HttpRequest, consultation_id: int) -> Consultation:
    """A consultation the user may act on (refer, escalate, report): 404, audited, otherwise."""
    return policy.get_for(
        request.user, Consultation.objects.select_related("site", "person", "case"), "change",
        pk=consultation_id, request=request,
    )


def _back_to_consultation(consultation: Consultation) -> str:
    return consultation_url(consultation.pk) or reverse("referrals:inbox")


# --- Finding or registering the caller (referral with personal data, escalation) ---------------
class CallerChoice:
    """The person part of a form: search the registry, choose a record, or register a new person with
    the registry's duplicate warning. `linked` is a person already known (the consultation's caller): then
    there is nothing to choose."""

    def __init__(self, request: HttpRequest, *, linked: Person | None = None, initial: dict | None = None,
                 form_class: type[CallerForm] = CallerForm):
        data = request.POST if request.method == "POST" else None
        self.request = request
        self.linked = linked
        self.who = PersonChoiceForm(data, prefix="who")
        self.caller = form_class(data, prefix="person", initial=initial or {})
        self.results: list[people_views.Row] = []
        self.visible: list[people_views.Row] = []
        self.hidden: list[lookup.HiddenMatch] = []
        self.person: Person | None = None
        self.new_person: dict[str, Any] | None = None
        if data is not None:
            self.who.is_valid()
            self._search()
            # The new person's fields are checked only when they are used (see `resolve`): after "Search" or
            # with an anonymous referral, what was typed is shown again without errors.
            self.caller._errors = ErrorDict()

    @classmethod
    def for_consultation(cls, request: HttpRequest, consultation: Consultation) -> CallerChoice:
        return cls(request, linked=consultation.person, initial={
            "sex": consultation.caller_sex if consultation.caller_sex in ("F", "M") else "",
            "citizenship": consultation.caller_nationality})

    @property
    def query(self) -> str:
        return (getattr(self.who, "cleaned_data", {}) or {}).get("q", "").strip()

    def _search(self) -> None:
        if not self.query:
            return
        self.results = [people_views.row(c) for c in lookup.search(self.request.user, self.query)]
        record(Action.VIEW, actor=self.request.user, object_type="people.search", request=self.request,
               changes={"shown": [", ".join(str(r.person.pk) for r in self.results)]})

    def resolve(self) -> bool:
        """Work out who the person is from the submitted form; False (with errors shown) if it cannot."""
        if self.linked is not None:
            return True
        existing = self.who.cleaned_data.get("who") == PersonChoiceForm.EXISTING
        chosen = self.request.POST.get("who-person" if existing else "who-match", "")
        if chosen.isdigit():  # a record from the search results, or a possible match the user picked
            self.person = policy.get_for(self.request.user, Person, "view", pk=int(chosen), request=self.request)
            return True
        if existing:
            self.who.add_error("who", _("Choose the person's record in the search results, or register them."))
            return False
        self.caller._errors = None
        if not self.caller.is_valid():
            return False
        visible, self.hidden = lookup.duplicate_candidates(self.request.user, self.caller.match_record())
        self.visible = [people_views.row(candidate) for candidate in visible]
        likely = self.hidden or any(row.likely for row in self.visible)
        if likely and not self.who.cleaned_data.get("confirm_new"):
            self.who.add_error("confirm_new", _(
                "This person may already be registered (see the possible matches). Choose the existing record, "
                "or tick this box if you checked and this is a different person."
            ))
            return False
        self.new_person = self.caller.person_data()
        return True

    def facts(self) -> dict[str, str]:
        if self.linked is not None:
            return sharing.person_facts(self.linked)
        if self.person is not None:
            return sharing.person_facts(self.person)
        return sharing.person_facts(data=self.new_person or {})

    def context(self) -> dict[str, Any]:
        linked = self.linked
        return {"who": self.who, "caller": self.caller, "results": self.results, "visible": self.visible,
                "hidden": self.hidden, "query": self.query, "linked": linked,
                "caller_errors": bool(self.who.errors or self.caller.errors),
                "linked_visible": linked is not None and policy.can(self.request.user, "view", linked),
                "chosen_person": self.request.POST.get("who-person", "") if self.request.method == "POST" else ""}


# --- Referral from a consultation ---------------------------------------------------------------
def _services(user):
    return policy.scope(user, Service.objects.select_related("organization").filter(organization__is_active=True))


def _service_rows(filters: ServiceFilterForm, services_, refusals_for, selected: str) -> list[dict]:
    """The services to choose from, filtered, each with the reasons it would refuse this person
    (`refusals_for(service)`)."""
    data = filters.cleaned_data if filters.is_valid() else {}
    chosen = services_
    query = (data.get("q") or "").strip()
    if query:
        chosen = chosen.filter(Q(name__icontains=query) | Q(organization__name__icontains=query)
                               | Q(alternate_name__icontains=query) | Q(organization__alternate_name__icontains=query))
    if data.get("service_type"):
        chosen = chosen.filter(id__in=service_ids_of_type(data["service_type"]))
    chosen = list(chosen.order_by("organization__name", "name")[: SERVICES_SHOWN * 3])
    if selected and not any(str(s.pk) == selected for s in chosen):
        chosen = list(services_.filter(pk=selected)) + chosen if _is_uuid(selected) else chosen
    types = types_by_service([s.pk for s in chosen])
    rows = []
    for service in chosen:
        reasons = refusals_for(service)
        if data.get("accepting_only") and reasons and str(service.pk) != selected:
            continue
        rows.append({
            "service": service, "refusals": reasons, "selected": str(service.pk) == selected,
            "types": [service_type_label(code) for code in types.get(service.pk, [])],
        })
    return rows[:SERVICES_SHOWN]


def _is_uuid(value: str) -> bool:
    import uuid

    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


@login_required
@require_http_methods(["GET", "POST"])
def from_consultation(request: HttpRequest, consultation_id: int) -> HttpResponse:
    """Refer a caller to a partner service: choose the service, say why, choose what is sent, preview, send."""
    consultation = _consultation(request, consultation_id)
    data = request.POST if request.method == "POST" else None
    services_ = _services(request.user)
    filters = ServiceFilterForm(data if data is not None else (request.GET or None))
    form = ReferralForm(data, services=services_)
    caller = CallerChoice.for_consultation(request, consultation)
    preview = None
    if data is not None and not ("send" in data or "preview" in data):
        form._errors = ErrorDict()  # "Show services" or "Search": what was typed comes back, unjudged
    if data is not None and ("send" in data or "preview" in data):
        valid = form.is_valid()
        personal = valid and bool(form.cleaned_data["categories"])
        known = caller.resolve() if personal else True
        if valid and known:
            preview = sharing.rows(sharing.compose(
                sharing.profile(consultation), form.cleaned_data["categories"], caller.facts() if personal else {},
                form.typed()))
            if "send" in data:
                referral = _send_referral(request, consultation, form, caller, personal)
                if referral is not None:
                    messages.success(request, _("Referral %(reference)s was sent to %(organisation)s.") % {
                        "reference": referral.reference, "organisation": referral.organisation.name})
                    return redirect("referrals:detail", pk=referral.pk)
    selected = str(data.get("service", "")) if data is not None else ""
    return render(request, "cases/refer.html", {
        "consultation": consultation, "consultation_url": consultation_url(consultation.pk),
        "filters": filters, "form": form, "rows": _service_rows(
            filters, services_, lambda service: services.service_refusals(service, consultation), selected),
        "preview": preview, "personal": PERSONAL,
        "caller_profile": sharing.describe_caller(sharing.profile(consultation)),
        **caller.context(),
    })


def _send_referral(request, consultation, form: ReferralForm, caller: CallerChoice, personal: bool):
    cleaned = form.cleaned_data
    try:
        return services.refer_from_consultation(
            request.user, consultation, service=cleaned["service"], reason=cleaned["reason"], share=form.typed(),
            categories=cleaned["categories"],
            consent_kwargs={} if personal and cleaned["consent_given"] else None,
            person=caller.person, new_person=caller.new_person, request=request,
        )
    except ValidationError as error:
        apply_errors([form, caller.who, caller.caller], _consent_on_checkbox(error))
        return None


def _consent_on_checkbox(error: ValidationError) -> ValidationError:
    """The consent refusal belongs next to the consent checkbox of the form."""
    if hasattr(error, "error_dict") and "consent" in error.error_dict:
        error.error_dict["consent_given"] = error.error_dict.pop("consent")
    return error


# --- Escalation ---------------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def escalate(request: HttpRequest, consultation_id: int) -> HttpResponse:
    """Open a counter-trafficking case for the caller, with their consent."""
    consultation = _consultation(request, consultation_id)
    data = request.POST if request.method == "POST" else None
    witness = request.user.get_full_name() or request.user.get_username()
    caller = CallerChoice.for_consultation(request, consultation)
    consent = ConsentForm(data, request.FILES or None, prefix="consent", witness=witness)
    form = EscalateForm(data, owners=services.case_owner_choices())
    if consultation.case_id:
        messages.info(request, _("This consultation was already escalated to %(reference)s.") % {
            "reference": consultation.case.reference})
        return redirect(_back_to_consultation(consultation))
    if data is not None and "escalate" not in data:  # "Search": what was typed comes back, unjudged
        form._errors, consent._errors = ErrorDict(), ErrorDict()
    if data is not None and "escalate" in data:
        valid = all([form.is_valid(), consent.is_valid()])
        known = caller.resolve()
        if valid and known:
            try:
                case = services.escalate_consultation(
                    request.user, consultation, owner=form.cleaned_data["owner"], consent=consent.consent_data(),
                    person=caller.person, new_person=caller.new_person, summary=form.cleaned_data["summary"],
                    request=request,
                )
            except ValidationError as error:
                apply_errors([form, consent, caller.who, caller.caller], error)
            else:
                messages.success(request, _("Escalated to %(reference)s. The case owner is %(owner)s.") % {
                    "reference": case.reference, "owner": case.owner.get_full_name() or case.owner.username})
                return redirect(_back_to_consultation(consultation))
    return render(request, "cases/escalate.html", {
        "consultation": consultation, "consultation_url": consultation_url(consultation.pk),
        "form": form, "consent": consent, "caller_profile": sharing.describe_caller(sharing.profile(consultation)),
        "other_errors": bool(consent.errors or caller.who.errors or caller.caller.errors),
        **caller.context(),
    })


# --- Trafficking-situation report ---------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def situation(request: HttpRequest, consultation_id: int) -> HttpResponse:
    consultation = _consultation(request, consultation_id)
    form = SituationForm(request.POST or None, authorities=services.authority_choices())
    if request.method == "POST" and form.is_valid():
        cleaned = form.cleaned_data
        try:
            referral = services.report_situation(
                request.user, consultation, authority=cleaned["authority"], summary=cleaned["summary"],
                place=cleaned["place"], details=cleaned["details"], request=request,
            )
        except ValidationError as error:
            apply_errors([form], error)
        else:
            messages.success(request, _("Report %(reference)s was sent to %(organisation)s.") % {
                "reference": referral.reference, "organisation": referral.organisation.name})
            return redirect("referrals:detail", pk=referral.pk)
    return render(request, "cases/situation.html", {
        "consultation": consultation, "consultation_url": consultation_url(consultation.pk), "form": form,
    })


# --- Inbox --------------------------------------------------------------------------------------
@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    """Partner users: the referrals to their organisation. Staff: the referrals they follow."""
    user = request.user
    policy.require(user, policy.VIEW_REFERRALS, request=request)
    filters = InboxFilterForm(request.GET or None)
    referrals = policy.scope(
        user, Referral.objects.select_related("organisation", "service", "office").order_by("-sent_at", "-created_at")
    )
    cleaned = filters.cleaned_data if filters.is_valid() else {}
    status, direction = cleaned.get("status") or "", cleaned.get("direction") or ""
    if status:
        referrals = referrals.filter(status=status)
    if direction:
        referrals = referrals.filter(direction=direction)
    page = Paginator(referrals, 50).get_page(request.GET.get("page"))
    query = "&".join(f"{name}={value}" for name, value in (("status", status), ("direction", direction)) if value)
    return render(request, "cases/inbox.html", {
        "page": page, "filters": filters, "status": status, "direction": direction,
        "is_partner": user.role == Role.PARTNER_USER, "organisation": user.partner_organisation,
        "today": timezone.localdate(), "query": query,
        "may_refer_to_office": policy.may(user, policy.REFER_TO_OFFICE) and user.partner_organisation_id is not None,
    })


# --- One referral ---------------------------------------------------------------------------
def _referral(request: HttpRequest, pk, action: str = "view") -> Referral:
    return policy.get_for(
        request.user, Referral.objects.select_related("organisation", "service", "office", "case", "person",
                                                      "created_by", "consent"),
        action, pk=pk, request=request,
    )


def _audit_view(request: HttpRequest, referral: Referral, shared: dict[str, str], what: str = "") -> None:
    """Reading a referral that carries personal data is recorded, like reading the person's record."""
    if referral.person_id or sharing.carries_personal_data(shared):
        changes = {"printed": ["", "yes"]} if what == "print" else None
        record(Action.VIEW, referral, actor=request.user, request=request, changes=changes)


def _staff_links(request: HttpRequest, referral: Referral) -> dict[str, Any]:
    user = request.user
    consultations = policy.scope(user, referral.consultations.all(), "view")
    return {
        "consultations": [(c, consultation_url(c.pk)) for c in consultations],
        "case_link": referral.case if referral.case_id and policy.can(user, "view", referral.case) else None,
        "case_reference": referral.case.reference if referral.case_id else "",
        "person_link": referral.person if referral.person_id and policy.can(user, "view", referral.person) else None,
    }


def render_detail(request: HttpRequest, referral: Referral, *, failed: ActionForm | None = None,
                  conflict: Referral | None = None, status: int = 200) -> HttpResponse:
    user = request.user
    shared = sharing.loads(referral.shared)
    _audit_view(request, referral, shared)
    actions = []
    for action in services.allowed_actions(user, referral):
        mine = failed is not None and failed.data.get("action") == action
        if mine and conflict is None:
            form = failed  # with its errors
        else:  # after a conflict: a fresh form at the saved version, keeping what the user wrote
            form = ActionForm(initial={"action": action, "version": referral.version,
                                       "note": failed.data.get("note", "") if mine else ""})
        actions.append({"name": action, "form": form, "note_required": action in services.NOTE_REQUIRED})
    updates = policy.scope(user, ReferralUpdate.objects.filter(referral=referral).select_related("by"))
    is_partner = user.role == Role.PARTNER_USER
    inbound = referral.direction == ReferralDirection.INBOUND
    shown = sharing.visible_rows(referral, user)
    context = {
        "referral": referral, "rows": shown.rows, "shown": shown, "updates": updates, "actions": actions,
        "is_partner": is_partner, "conflict": conflict, "today": timezone.localdate(), "inbound": inbound,
        "conflict_note": failed.data.get("note", "") if conflict is not None and failed is not None else "",
        "answered_for": not is_partner and not inbound and any(
            a["name"] not in (services.CANCEL, services.SEND) for a in actions),
        "overdue": services.overdue_reason(referral),
    }
    if not is_partner:
        context.update(_staff_links(request, referral))
        context.update({
            "pdf_languages": printable_referral.LANGUAGES if not inbound else (),
            "may_record_delivery": services.may_record_delivery(user, referral),
            "may_open_case": inbound and referral.status == ReferralStatus.SENT and referral.case_id is None
            and casework.may_open_cases(user, referral.programme),
        })
    return render(request, "cases/referral_detail.html", context, status=status)


@login_required
@require_GET
def detail(request: HttpRequest, pk) -> HttpResponse:
    return render_detail(request, _referral(request, pk))


@login_required
@require_POST
def act(request: HttpRequest, pk) -> HttpResponse:
    """Accept, decline, report progress, complete or cancel, from a form opened at a version."""
    referral = _referral(request, pk, "change")
    form = ActionForm(request.POST)
    if not form.is_valid():
        return render_detail(request, referral, failed=form, status=400)
    cleaned = form.cleaned_data
    try:
        services.act(request.user, referral, cleaned["action"], version=cleaned["version"], note=cleaned["note"],
                     request=request)
    except services.ConflictError as conflict:
        return render_detail(request, _referral(request, pk), failed=form, conflict=conflict.current, status=409)
    except ValidationError as error:
        apply_errors([form], error)
        return render_detail(request, _referral(request, pk), failed=form, status=400)
    messages.success(request, _("The referral is now “%(status)s”.") % {
        "status": Referral.objects.get(pk=referral.pk).get_status_display()})
    return redirect("referrals:detail", pk=referral.pk)


@login_required
@require_GET
def printable(request: HttpRequest, pk) -> HttpResponse:
    """A page to print (or save as PDF) for an organisation without Waypoint users: only what was shared, and of
    it what the organisation may read now (as the PDF: after a withdrawal, staff print no personal data either;
    the referral page keeps the office's record of what was sent)."""
    referral = _referral(request, pk)
    shared = sharing.loads(referral.shared)
    _audit_view(request, referral, shared, "print")
    shown = sharing.organisation_view(referral)
    return render(request, "cases/referral_print.html", {
        "referral": referral, "rows": shown.rows, "shown": shown, "printed_on": timezone.localdate(),
    })


# --- Referral from a case -------------------------------------------------------------------------
def _chosen_id(data, name: str) -> str:
    return str(data.get(name, "")).strip() if data is not None else ""


def consent_record_url(person: Person, case: Case) -> str:
    """Where a consent is recorded for the person (the consent pages), or empty while they do not exist."""
    try:
        return reverse("consent:record", args=[person.pk]) + f"?case={case.reference}"
    except NoReverseMatch:
        return ""


def _consent_rows(consents: list[ConsentRecord]) -> list[dict[str, Any]]:
    return [
        {"consent": consent,
         "recipient": consent.recipient_organisation.name if consent.recipient_organisation_id
         else _("any: %(type)s") % {"type": consent.get_recipient_type_display()},
         "categories": ", ".join(consent_category_label(code) for code in consent.data_categories or [])}
        for consent in consents
    ]


def _category_rows(form: CaseReferralForm, consents: list[ConsentRecord]) -> list[dict[str, Any]]:
    """Each kind of data offered, with the consents that cover it (date, how given)."""
    rows = []
    for choice in form["categories"]:
        code = choice.data["value"]
        basis = [_("consent of %(date)s, %(how)s") % {
            "date": formats.date_format(consent.given_on, "SHORT_DATE_FORMAT"),
            "how": consent.get_how_given_display().lower()}
            for consent in consents if code in (consent.data_categories or [])]
        rows.append({"choice": choice, "code": code, "basis": "; ".join(basis)})
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def refer_case(request: HttpRequest, reference: str) -> HttpResponse:
    """Refer a member of a case to a partner service: who, which service, why, which of their data (only
    what their consent for that organisation covers), preview, then save as a draft or send."""
    user = request.user
    case = policy.get_for(user, Case.objects.select_related("office"), "change", reference=reference,
                          request=request)
    members = [member for member in case.members.select_related("person").order_by("id")
               if policy.can(user, "view", member.person)]
    data = request.POST if request.method == "POST" else None
    services_ = _services(user)
    filters = ServiceFilterForm(data if data is not None else (request.GET or None))
    filters.fields["accepting_only"].label = _("Only services that would take this person")
    by_id = {str(member.person_id): member.person for member in members}
    principal = case.principal
    default = principal if principal is not None and str(principal.pk) in by_id else (
        members[0].person if members else None)
    person = by_id.get(_chosen_id(data, "person")) or default
    chosen_service = _chosen_id(data, "service") or request.GET.get("service", "")
    service = services_.filter(pk=chosen_service).first() if _is_uuid(chosen_service) else None
    consents = services.referral_consents(person, service.organization) if person and service else []
    form = CaseReferralForm(data, members=members, services=services_, covered=services.covered_categories(consents),
                            initial={"person": person.pk if person else None, "service": service})
    preview = None
    acting = data is not None and any(name in data for name in ("preview", "draft", "send"))
    if data is not None and not acting:
        form._errors = ErrorDict()  # "Show services" or "Check the consent": what was typed comes back, unjudged
    if acting and form.is_valid():
        cleaned = form.cleaned_data
        chosen = by_id[str(cleaned["person"])]
        preview = sharing.rows(sharing.compose(sharing.person_profile(chosen), cleaned["categories"],
                                               sharing.person_facts(chosen), form.typed()))
        if "draft" in data or "send" in data:
            try:
                referral = services.refer_from_case(
                    user, case, person=chosen, service=cleaned["service"], reason=cleaned["reason"],
                    categories=cleaned["categories"], typed=form.typed(), due_on=cleaned["due_on"],
                    as_draft="draft" in data, request=request,
                )
            except ValidationError as error:
                apply_errors([form], error)
                preview = None  # nothing was sent: no "exactly what … will receive" under the refusal
            else:
                if referral.status == ReferralStatus.DRAFT:
                    messages.success(request, _("Referral %(reference)s was saved as a draft.") % {
                        "reference": referral.reference})
                else:
                    messages.success(request, _("Referral %(reference)s was sent to %(organisation)s.") % {
                        "reference": referral.reference, "organisation": referral.organisation.name})
                return redirect("referrals:detail", pk=referral.pk)
    rows = _service_rows(
        filters, services_, lambda s: services.case_service_refusals(s, person) if person else [],
        str(service.pk) if service else "")
    return render(request, "cases/refer_case.html", {
        "case": case, "members": members, "person": person, "service": service, "filters": filters, "form": form,
        "rows": rows, "consents": _consent_rows(consents), "categories": _category_rows(form, consents),
        "no_consent": person is not None and service is not None and not consents,
        "consent_url": consent_record_url(person, case) if person else "",
        "organisation_has_users": services.organisation_has_users(service.organization) if service else True,
        "preview": preview,
        "profile": sharing.describe_caller(sharing.person_profile(person)) if person else "",
    })


# --- The printed referral and its delivery ---------------------------------------------------------
def _pdf_language(request: HttpRequest) -> str:
    language = request.GET.get("language", "").strip().lower()
    if language:
        return language
    current = (translation.get_language() or "en").split("-")[0]
    return current if current in printable_referral.LANGUAGES else "en"


@login_required
@require_GET
def referral_pdf(request: HttpRequest, pk) -> HttpResponse:
    """GET ?language=ru|en: the referral as a PDF form to send to an organisation without Waypoint users,
    with only what the organisation may read now. Every download is recorded."""
    referral = _referral(request, pk)
    if referral.direction != ReferralDirection.OUTBOUND:
        policy.record_denial(request.user, "cases.referral", str(referral.pk), request)
        raise Http404
    language = _pdf_language(request)
    if language not in printable_referral.LANGUAGES:
        messages.error(request, _("A referral is printed in English (en) or Russian (ru) only."))
        return redirect("referrals:detail", pk=referral.pk)
    pdf = printable_referral.referral_pdf(referral, language)
    shown = sharing.organisation_view(referral)
    record(Action.EXPORT, referral, actor=request.user, request=request, changes={
        "format": [None, "pdf"], "language": [None, language], "personal_data_withheld": [None, str(shown.withheld)],
    })
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{printable_referral.filename(referral, language)}"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def delivery(request: HttpRequest, pk) -> HttpResponse:
    """Staff record how the printed referral reached an organisation without Waypoint users, and when."""
    user = request.user
    if user.role == Role.PARTNER_USER:
        policy.record_denial(user, "cases.referral", str(pk), request)
        raise Http404
    referral = _referral(request, pk, "change")
    if not services.may_record_delivery(user, referral):
        messages.info(request, _("The delivery of this referral is not recorded here: %(organisation)s reads it in "
                                 "Waypoint, or it is no longer a draft or sent.") % {
            "organisation": referral.organisation.name})
        return redirect("referrals:detail", pk=referral.pk)
    form = DeliveryForm(request.POST or None, initial={"version": referral.version})
    status = 200
    if request.method == "POST" and form.is_valid():
        cleaned = form.cleaned_data
        try:
            saved = services.record_delivery(user, referral, method=cleaned["method"],
                                             delivered_on=cleaned["delivered_on"], version=cleaned["version"],
                                             request=request)
        except services.ConflictError:
            form.add_error(None, _("Someone changed this referral while you had the page open: nothing was saved. "
                                   "Check it below and record the delivery again."))
            referral = _referral(request, pk, "change")
            form.data = form.data.copy()
            form.data["version"] = str(referral.version)
            status = 409
        except ValidationError as error:
            apply_errors([form], error)
        else:
            messages.success(request, _("Recorded: %(reference)s delivered to %(organisation)s (%(method)s).") % {
                "reference": saved.reference, "organisation": saved.organisation.name,
                "method": saved.get_delivery_method_display().lower()})
            if saved.case_id and policy.can(user, "view", saved.case):
                return redirect(reverse("cases:detail", args=[saved.case.reference]) + "#referrals")
            return redirect("referrals:detail", pk=saved.pk)
    return render(request, "cases/referral_delivery.html", {
        "referral": referral, "form": form, "languages": printable_referral.LANGUAGES,
    }, status=status)


# --- Inbound: a partner refers a person to the office --------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def refer_to_office(request: HttpRequest) -> HttpResponse:
    """A partner user refers a person to the office: who, their situation, the programme, how urgent."""
    user = request.user
    policy.require(user, policy.REFER_TO_OFFICE, request=request)
    organisation = user.partner_organisation
    if organisation is None or not organisation.is_active:
        policy.record_denial(user, "capability", policy.REFER_TO_OFFICE, request)
        raise Http404
    programmes = [(code, label) for code, label in Programme.choices if code in services.INBOUND_PROGRAMMES]
    form = ReferToOfficeForm(request.POST or None, programmes=programmes)
    if request.method == "POST" and form.is_valid():
        cleaned = form.cleaned_data
        try:
            referral = services.refer_to_office(
                user, person=form.person_data(), situation=cleaned["situation"], programme=cleaned["programme"],
                urgency=cleaned["urgency"], consent_attested=cleaned["consent"], request=request,
            )
        except ValidationError as error:
            apply_errors([form], error)
        else:
            messages.success(request, _("Referral %(reference)s was sent to the office.") % {
                "reference": referral.reference})
            return redirect("referrals:detail", pk=referral.pk)
    return render(request, "cases/refer_to_office.html", {"form": form, "organisation": organisation})


def _referred_person_initial(shared: dict[str, str]) -> dict[str, Any]:
    """The registration form pre-filled from what the partner sent."""
    initial: dict[str, Any] = {part: shared.get(part, "") for part in sharing.NAME_PARTS}
    if not any(initial.values()) and shared.get("name"):
        initial["family_name"] = shared["name"]
    initial.update(sex=shared.get("sex", ""), citizenship=shared.get("citizenship", ""),
                   language=shared.get("language", ""), phone=shared.get("phone", ""))
    birth = shared.get("birth_date", "")
    if len(birth) == 10 and birth[4] == "-":  # a full date (a year alone is not pre-filled)
        initial["birth_date"] = datetime.date.fromisoformat(birth)
    if shared.get("age", "").isdigit():
        initial["estimated_age"] = int(shared["age"])
    return initial


def _initial_matches(caller: CallerChoice, initial: dict[str, Any]) -> None:
    """Before anything is submitted, the registry's possible matches for what the partner sent."""
    birth = initial.get("birth_date")
    record_ = {
        "family": initial.get("family_name", ""), "given": initial.get("given_name", ""),
        "patronymic": initial.get("patronymic", ""), "birth_date": birth.isoformat() if birth else "",
        "sex": initial.get("sex", "") if initial.get("sex") in ("F", "M") else "",
        "citizenship": initial.get("citizenship", ""),
    }
    if record_["family"] or record_["given"]:
        visible, caller.hidden = lookup.duplicate_candidates(caller.request.user, record_)
        caller.visible = [people_views.row(candidate) for candidate in visible]


@login_required
@require_http_methods(["GET", "POST"])
def open_case(request: HttpRequest, pk) -> HttpResponse:
    """Take an inbound referral on: find or register the person (with the registry's duplicate check) and
    open a case of the referral's programme, pre-filled from what the partner sent."""
    user = request.user
    if user.role == Role.PARTNER_USER:
        policy.record_denial(user, "cases.referral", str(pk), request)
        raise Http404
    referral = _referral(request, pk, "change")
    if referral.direction != ReferralDirection.INBOUND:
        policy.record_denial(user, "cases.referral", str(referral.pk), request)
        raise Http404
    if not casework.may_open_cases(user, referral.programme):
        policy.record_denial(user, "capability", f"open_case:{referral.programme}", request)
        raise Http404
    if referral.status != ReferralStatus.SENT or referral.case_id:
        messages.info(request, _("This referral is %(status)s: a case can no longer be opened from it.") % {
            "status": referral.get_status_display().lower()})
        return redirect("referrals:detail", pk=referral.pk)
    shared = sharing.loads(referral.shared)
    initial = _referred_person_initial(shared)
    data = request.POST if request.method == "POST" else None
    caller = CallerChoice(request, initial=initial, form_class=ReferredPersonForm)
    caller.who.fields["who"].label = _("The person")
    owners = casework.owner_choices(referral.programme)
    form = OpenCaseForm(data, owners=owners, initial={
        "version": referral.version, "summary": shared.get("situation", ""),
        "owner": user if owners.filter(pk=user.pk).exists() else None})
    status = 200
    if data is None:
        _initial_matches(caller, initial)
    elif "open" not in data:  # "Search": what was typed comes back, unjudged
        form._errors = ErrorDict()
    else:
        valid = form.is_valid()
        known = caller.resolve()
        if valid and known:
            cleaned = form.cleaned_data
            try:
                case = services.open_case_from_referral(
                    user, referral, owner=cleaned["owner"], version=cleaned["version"], person=caller.person,
                    new_person=caller.new_person, risk_level=cleaned["risk_level"],
                    vulnerabilities=cleaned["vulnerabilities"], summary=cleaned["summary"], request=request,
                )
            except services.ConflictError:
                form.add_error(None, _("Someone answered this referral while you had the page open: nothing was "
                                       "saved."))
                status = 409
            except ValidationError as error:
                apply_errors([form, caller.who, caller.caller], error)
            else:
                messages.success(request, _("Case %(reference)s was opened from referral %(referral)s.") % {
                    "reference": case.reference, "referral": referral.reference})
                if policy.can(user, "view", case):
                    return redirect("cases:detail", reference=case.reference)
                return redirect("referrals:detail", pk=referral.pk)
    return render(request, "cases/referral_open_case.html", {
        "referral": referral, "form": form, "rows": sharing.rows(shared),
        "other_errors": bool(caller.who.errors or caller.caller.errors), **caller.context(),
    }, status=status)


# --- The referrals panel of the case page -----------------------------------------------------------
def referrals_panel(request: HttpRequest, case: Case) -> dict[str, Any] | None:
    """The case's referrals, both ways: where they stand, what is overdue, the partner's answer, and what
    staff do next (refer, print, record the delivery). Hidden from whoever may not see the case."""
    user = request.user
    if not policy.can(user, "view", case):
        return None
    today = timezone.localdate()
    referrals = policy.scope(user, case.referrals.select_related("organisation", "service")
                             .annotate(last_update=Max("updates__at")).order_by("-created_at"))
    with_users: dict[int, bool] = {}
    rows = []
    for referral in referrals:
        if referral.organisation_id not in with_users:
            with_users[referral.organisation_id] = services.organisation_has_users(referral.organisation)
        printed = referral.direction == ReferralDirection.OUTBOUND and not with_users[referral.organisation_id]
        rows.append({
            "referral": referral, "inbound": referral.direction == ReferralDirection.INBOUND,
            "overdue": services.overdue_reason(referral, today=today, last_activity=referral.last_update),
            "printed": printed,
            "awaiting_delivery": printed and referral.delivered_at is None
            and referral.status in (ReferralStatus.DRAFT, ReferralStatus.SENT),
            "may_record_delivery": printed and services.may_record_delivery(user, referral),
        })
    return {
        "rows": rows, "today": today, "languages": printable_referral.LANGUAGES,
        "follow_up_days": services.follow_up_days(),
        "may_refer": policy.can(user, "change", case) and not case.is_closed and case.members.exists(),
    }
