"""Pages of referrals and cases: the inbox (partners and staff), a referral and its answers, the three
doors from a consultation (referral, escalation, situation report) and the first case page.

Every object comes through `policy.get_for` (another organisation's referral is a 404, and the denial
is audited); every write goes through `services`.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.forms import BaseForm
from django.forms.utils import ErrorDict
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from waypoint.accounts import policy
from waypoint.accounts.models import Role
from waypoint.audit.models import Action
from waypoint.audit.services import record
from waypoint.hotline.models import Consultation
from waypoint.partners.models import Service
from waypoint.partners.taxonomy import service_ids_of_type, service_type_label, types_by_service
from waypoint.people import lookup
from waypoint.people import views as people_views
from waypoint.people.models import Person

from . import services, sharing
from .forms import (
    PERSONAL,
    ActionForm,
    CallerForm,
    ConsentForm,
    EscalateForm,
    InboxFilterForm,
    PersonChoiceForm,
    ReferralForm,
    ServiceFilterForm,
    SituationForm,
)
from .models import Referral, ReferralUpdate

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


def apply_errors(forms_: list[BaseForm], error: ValidationError) -> None:
    """Put a service's errors on the form that has the field they name (else on the first form)."""
    if not hasattr(error, "error_dict"):
        forms_[0].add_error(None, error)
        return
    for name, messages_ in error.message_dict.items():
        target = next((form for form in forms_ if name in form.fields), None)
        if target is None:
            forms_[0].add_error(None, messages_)
        else:
            target.add_error(name, messages_)


def _back_to_consultation(consultation: Consultation) -> str:
    return consultation_url(consultation.pk) or reverse("referrals:inbox")


# --- Finding or registering the caller (referral with personal data, escalation) ---------------
class CallerChoice:
    """The person part of a form: search the registry, choose a record, or register a new person with
    the registry's duplicate warning."""

    def __init__(self, request: HttpRequest, consultation: Consultation):
        data = request.POST if request.method == "POST" else None
        self.request = request
        self.consultation = consultation
        initial = {"sex": consultation.caller_sex if consultation.caller_sex in ("F", "M") else "",
                   "citizenship": consultation.caller_nationality}
        self.who = PersonChoiceForm(data, prefix="who")
        self.caller = CallerForm(data, prefix="person", initial=initial)
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
        """Work out who the caller is from the submitted form; False (with errors shown) if it cannot."""
        if self.consultation.person_id:
            return True
        existing = self.who.cleaned_data.get("who") == PersonChoiceForm.EXISTING
        chosen = self.request.POST.get("who-person" if existing else "who-match", "")
        if chosen.isdigit():  # a record from the search results, or a possible match the user picked
            self.person = policy.get_for(self.request.user, Person, "view", pk=int(chosen), request=self.request)
            return True
        if existing:
            self.who.add_error("who", _("Choose the caller's record in the search results, or register them."))
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
        if self.consultation.person_id:
            return sharing.person_facts(self.consultation.person)
        if self.person is not None:
            return sharing.person_facts(self.person)
        return sharing.person_facts(data=self.new_person or {})

    def context(self) -> dict[str, Any]:
        linked = self.consultation.person
        return {"who": self.who, "caller": self.caller, "results": self.results, "visible": self.visible,
                "hidden": self.hidden, "query": self.query, "linked": linked,
                "caller_errors": bool(self.who.errors or self.caller.errors),
                "linked_visible": linked is not None and policy.can(self.request.user, "view", linked),
                "chosen_person": self.request.POST.get("who-person", "") if self.request.method == "POST" else ""}


# --- Referral from a consultation ---------------------------------------------------------------
def _services(user):
    return policy.scope(user, Service.objects.select_related("organization").filter(organization__is_active=True))


def _service_rows(filters: ServiceFilterForm, services_, consultation: Consultation, selected: str) -> list[dict]:
    """The services to choose from, filtered, each with the reasons it would refuse this caller."""
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
        reasons = services.service_refusals(service, consultation)
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
    caller = CallerChoice(request, consultation)
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
        "filters": filters, "form": form, "rows": _service_rows(filters, services_, consultation, selected),
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
    caller = CallerChoice(request, consultation)
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
    status = filters.cleaned_data.get("status") if filters.is_valid() else ""
    if status:
        referrals = referrals.filter(status=status)
    page = Paginator(referrals, 50).get_page(request.GET.get("page"))
    return render(request, "cases/inbox.html", {
        "page": page, "filters": filters, "status": status, "is_partner": user.role == Role.PARTNER_USER,
        "organisation": user.partner_organisation, "today": timezone.localdate(),
        "query": f"status={status}" if status else "",
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
    shown = sharing.visible_rows(referral, user)
    context = {
        "referral": referral, "rows": shown.rows, "shown": shown, "updates": updates, "actions": actions,
        "is_partner": is_partner, "conflict": conflict, "today": timezone.localdate(),
        "conflict_note": failed.data.get("note", "") if conflict is not None and failed is not None else "",
        "answered_for": not is_partner and any(a["name"] != services.CANCEL for a in actions),
    }
    if not is_partner:
        context.update(_staff_links(request, referral))
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
    """A page to print (or save as PDF) for an organisation without Waypoint users: only what was shared."""
    referral = _referral(request, pk)
    shared = sharing.loads(referral.shared)
    _audit_view(request, referral, shared, "print")
    shown = sharing.visible_rows(referral, request.user)
    return render(request, "cases/referral_print.html", {
        "referral": referral, "rows": shown.rows, "shown": shown, "printed_on": timezone.localdate(),
    })
