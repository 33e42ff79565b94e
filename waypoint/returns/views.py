"""The return programme's pages on a case: screening, questionnaire, travel documents, reception, the
reintegration plan with its instalments, and monitoring visits.

Every page takes the case through `policy.get_for` among return cases with "change" (404, audited, for anyone
else); every write goes through the services, whose errors land on the form's fields. A stale form answers 409
with the saved state and the user's input kept.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from waypoint.accounts import policy
from waypoint.accounts.models import Programme
from waypoint.cases.locking import ConflictError
from waypoint.cases.models import Case
from waypoint.core.forms import apply_errors, at_saved_version

from . import documents, eligibility, monitoring, questionnaire, reintegration
from .forms import (
    DocumentRequestForm,
    DocumentUpdateForm,
    InstalmentForm,
    PlanForm,
    QuestionnaireForm,
    ReceptionForm,
    ScreeningForm,
    VisitForm,
)
from .models import Category, MonitoringVisit, ReintegrationPlan, ReturnProfile, TravelDocument


def _case(request: HttpRequest, reference: str) -> Case:
    return policy.get_for(request.user, Case.objects.filter(programme=Programme.RETURN), "change",
                          reference=reference, request=request)


def _back(case: Case, anchor: str) -> HttpResponse:
    return redirect(f"{reverse('cases:detail', args=[case.reference])}#{anchor}")


def _page(request: HttpRequest, case: Case, form, *, title: str, lead: str, action: str, submit: str,
          anchor: str, conflict: str = "", status: int = 200, extra: dict[str, Any] | None = None) -> HttpResponse:
    return render(request, "returns/form_page.html", {
        "case": case, "form": form, "title": title, "lead": lead, "action": action, "submit": submit,
        "anchor": anchor, "conflict": {"message": conflict} if conflict else None, **(extra or {})}, status=status)


# --- Screening ------------------------------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def screening(request: HttpRequest, reference: str) -> HttpResponse:
    case = _case(request, reference)
    last = eligibility.latest(case)
    initial = {"screened_on": timezone.localdate()}
    if last is not None:
        initial |= {"project": last.project_id, "nationality": last.nationality,
                    "migration_status": last.migration_status, "destination_country": last.destination_country,
                    "destination_region": last.destination_region, "vulnerabilities": last.vulnerabilities}
    elif case.principal is not None and case.principal.citizenships:
        initial |= {"nationality": case.principal.citizenships[0], "vulnerabilities": case.vulnerabilities,
                    "destination_country": case.principal.citizenships[0]}
    form = ScreeningForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            result = eligibility.screen(request.user, case, **form.cleaned_data, request=request)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            if result.eligible:
                messages.success(request, _("Eligible for %(project)s.") % {"project": result.project.name})
            else:
                messages.warning(request, _("Not eligible for %(project)s: %(reasons)s") % {
                    "project": result.project.name, "reasons": " ".join(eligibility.reasons_in_words(result))})
            return _back(case, "returns_screening")
    return _page(request, case, form, title=_("Eligibility screening"), anchor="returns_screening",
                 lead=_("Screen the person against a return project's rules: nationality, migration status and "
                        "vulnerability. The result and its reasons are kept."),
                 action=reverse("returns:screening", args=[case.reference]), submit=_("Screen"),
                 status=400 if form.errors else 200)


# --- Questionnaire --------------------------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def questionnaire_page(request: HttpRequest, reference: str) -> HttpResponse:
    case = _case(request, reference)
    questions = questionnaire.active_questions()
    profile = ReturnProfile.objects.filter(case=case).first()
    initial: dict[str, Any] = {"version": profile.version if profile else 0}
    for answer in case.return_answers.select_related("question", "option"):
        code = answer.question.code
        initial[code] = answer.option.code if answer.option_id else (
            f"{answer.number.normalize():f}" if answer.number is not None else answer.text)
    form = QuestionnaireForm(request.POST or None, questions=questions, initial=initial)
    conflict, status = "", 200
    if request.method == "POST" and form.is_valid():
        try:
            saved = questionnaire.record_answers(request.user, case, form.answers(),
                                                 version=form.cleaned_data["version"], request=request)
        except ConflictError:
            current = ReturnProfile.objects.filter(case=case).first()
            form = at_saved_version(QuestionnaireForm, request.POST, current.version if current else 0,
                                    questions=questions)
            conflict, status = _("Someone else saved this questionnaire while you were answering it. Nothing was "
                                 "saved; your answers are kept below: save again to keep them."), 409
        except ValidationError as error:
            apply_errors(form, error)
            status = 400
        else:
            label = dict(Category.choices).get(saved.category) if saved.category else _("not determined")
            messages.success(request, _("The questionnaire is saved. Category: %(category)s.") % {"category": label})
            return _back(case, "returns_questionnaire")
    return _page(request, case, form, title=_("Profiling questionnaire"), anchor="returns_questionnaire",
                 lead=_("The answers sort the person into one of the four categories of the profiling study."),
                 action=reverse("returns:questionnaire", args=[case.reference]),
                 submit=_("Save the questionnaire"), conflict=conflict, status=status)


# --- Travel documents -----------------------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def document_add(request: HttpRequest, reference: str) -> HttpResponse:
    case = _case(request, reference)
    form = DocumentRequestForm(request.POST or None, case=case, initial={"requested_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            documents.request_document(request.user, case, **form.values(), request=request)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The travel document request is recorded."))
            return _back(case, "returns_documents")
    return _page(request, case, form, title=_("Request a travel document"), anchor="returns_documents",
                 lead=_("A request to an embassy or consulate of the partner directory, for one traveller."),
                 action=reverse("returns:document_add", args=[case.reference]), submit=_("Record the request"),
                 status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def document_edit(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    case = _case(request, reference)
    document = policy.get_for(request.user, TravelDocument.objects.filter(case=case), "change", pk=pk,
                              request=request)
    form = DocumentUpdateForm(request.POST or None, initial={
        "version": document.version, "status": document.status, "issued_on": document.issued_on,
        "valid_until": document.valid_until, "note": document.note})
    conflict, status = "", 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            documents.update_document(request.user, document, version=data["version"], status=data["status"],
                                      issued_on=data.get("issued_on"), valid_until=data.get("valid_until"),
                                      note=data.get("note") or "", request=request)
        except ConflictError as error:
            form = at_saved_version(DocumentUpdateForm, request.POST, error.current.version)
            conflict, status = _("Someone else recorded an answer for this document meanwhile (now %(status)s). "
                                 "Nothing was saved; save again to keep yours.") % {
                "status": error.current.get_status_display().lower()}, 409
        except ValidationError as error:
            apply_errors(form, error)
            status = 400
        else:
            messages.success(request, _("The travel document is updated."))
            return _back(case, "returns_documents")
    title = _("%(document)s for %(person)s") % {"document": document.get_kind_display(),
                                                "person": document.person.reference}
    return _page(request, case, form, title=title, anchor="returns_documents",
                 lead=_("Requested from %(authority)s. Record the embassy's answer.") % {
                     "authority": document.authority.name},
                 action=reverse("returns:document_edit", args=[case.reference, document.pk]),
                 submit=_("Save the answer"), conflict=conflict, status=status)


# --- Reception ------------------------------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def reception(request: HttpRequest, reference: str) -> HttpResponse:
    case = _case(request, reference)
    form = ReceptionForm(request.POST or None, initial={"received_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            reintegration.record_reception(request.user, case, **form.cleaned_data, request=request)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The reception is recorded and the monitoring visits are scheduled."))
            return _back(case, "returns_reintegration")
    return _page(request, case, form, title=_("Reception on arrival"), anchor="returns_reintegration",
                 lead=_("Which partner met the returnee, and on which day they arrived."),
                 action=reverse("returns:reception", args=[case.reference]), submit=_("Record the reception"),
                 status=400 if form.errors else 200)


# --- The plan and its instalments -----------------------------------------------------------------------------
def _plan_page(request, case, form, instalment_form, *, conflict="", status=200) -> HttpResponse:
    plan = ReintegrationPlan.objects.filter(case=case).first()
    return render(request, "returns/plan.html", {
        "case": case, "form": form, "instalment_form": instalment_form, "plan": plan,
        "instalments": list(plan.instalments.all()) if plan else [],
        "remaining": reintegration.remaining(plan) if plan else None,
        "conflict": {"message": conflict} if conflict else None}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def plan(request: HttpRequest, reference: str) -> HttpResponse:
    case = _case(request, reference)
    saved = ReintegrationPlan.objects.filter(case=case).first()
    initial = {"version": 0, "currency": "EUR"}
    if saved is not None:
        initial = {"version": saved.version, "budget": saved.budget, "currency": saved.currency,
                   "partner": saved.partner_id, "economic": saved.economic, "social": saved.social,
                   "psychosocial": saved.psychosocial, "description": saved.description}
    form = PlanForm(request.POST or None, initial=initial)
    conflict, status = "", 200
    if request.method == "POST" and form.is_valid():
        try:
            reintegration.save_plan(request.user, case, version=form.cleaned_data["version"], **form.values(),
                                    request=request)
        except ConflictError as error:
            form = at_saved_version(PlanForm, request.POST, error.current.version)
            conflict, status = _("Someone else saved this plan while you were editing it. Nothing was saved; your "
                                 "input is kept below: save again to keep it."), 409
        except ValidationError as error:
            apply_errors(form, error)
            status = 400
        else:
            messages.success(request, _("The reintegration plan is saved."))
            return redirect(reverse("returns:plan", args=[case.reference]))
    return _plan_page(request, case, form, InstalmentForm(case=case), conflict=conflict, status=status)


@login_required
@require_POST
def instalment_add(request: HttpRequest, reference: str) -> HttpResponse:
    case = _case(request, reference)
    form = InstalmentForm(request.POST, case=case)
    if form.is_valid():
        try:
            reintegration.add_instalment(request.user, case, **form.cleaned_data, request=request)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The instalment is recorded."))
            return redirect(f"{reverse('returns:plan', args=[case.reference])}#instalments")
    saved = ReintegrationPlan.objects.filter(case=case).first()
    plan_form = PlanForm(initial={"version": saved.version if saved else 0, "currency": "EUR"} if saved is None else {
        "version": saved.version, "budget": saved.budget, "currency": saved.currency, "partner": saved.partner_id,
        "economic": saved.economic, "social": saved.social, "psychosocial": saved.psychosocial,
        "description": saved.description})
    return _plan_page(request, case, plan_form, form, status=400)


# --- Monitoring visits ----------------------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def visit(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    case = _case(request, reference)
    current = policy.get_for(request.user, MonitoringVisit.objects.filter(case=case), "change", pk=pk,
                             request=request)
    initial = {"version": current.version, "done_on": current.done_on or timezone.localdate(), "note": current.note,
               **{code: str(value) for code, value in (current.answers or {}).items()}}
    form = VisitForm(request.POST or None, initial=initial)
    conflict, status = "", 200
    if request.method == "POST" and form.is_valid():
        try:
            monitoring.record_visit(request.user, current, version=form.cleaned_data["version"],
                                    done_on=form.cleaned_data["done_on"], answers=form.answers(),
                                    note=form.cleaned_data.get("note") or "", request=request)
        except ConflictError as error:
            form = at_saved_version(VisitForm, request.POST, error.current.version)
            conflict, status = _("Someone else recorded this visit meanwhile. Nothing was saved; save again to keep "
                                 "yours."), 409
        except ValidationError as error:
            apply_errors(form, error)
            status = 400
        else:
            messages.success(request, _("The monitoring visit is recorded."))
            return _back(case, "returns_monitoring")
    return render(request, "returns/visit.html", {
        "case": case, "visit": current, "form": form, "conflict": {"message": conflict} if conflict else None},
        status=status)
