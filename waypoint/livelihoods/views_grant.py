"""The grant's pages (business plan, assessment, decision, items, follow-up visits) and its panels on the case page.

Every page takes the case through `policy.get_for` among DAP cases with "change": a user outside the case gets a
404, audited. A form opened at an older version answers 409 with the user's input kept and nothing saved.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from waypoint.accounts import policy
from waypoint.accounts.models import Programme
from waypoint.cases.casework import display_name
from waypoint.cases.locking import ConflictError
from waypoint.cases.models import Case
from waypoint.core.forms import apply_errors

from . import criteria, grants, items, visits
from .forms import AssessmentForm, DecisionForm, ItemEditForm, ItemForm, PlanEditForm, VisitForm
from .models import FollowUpVisit, GrantApplication, GrantItem, ItemStatus
from .money import money
from .workflow import every_item_handed_over, items_total


def _case(request: HttpRequest, reference: str) -> Case:
    cases = Case.objects.filter(programme=Programme.DIRECT_ASSISTANCE)
    return policy.get_for(request.user, cases, "change", reference=reference, request=request)


def _application(request: HttpRequest, case: Case) -> GrantApplication:
    return policy.get_for(request.user, GrantApplication.objects.select_related("enterprise__settlement"), "change",
                          case=case, request=request)


def _back(case: Case, anchor: str) -> HttpResponse:
    return redirect(f"{reverse('cases:detail', args=[case.reference])}#{anchor}")


def _handle(request: HttpRequest, *, form: Form, save: Callable[[dict], Any], done: str, template: str,
            context: dict[str, Any], back: HttpResponse) -> HttpResponse:
    """Validate, save through the service, map its errors; a stale version answers 409 keeping the input."""
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                save(form.cleaned_data)
            except ConflictError as error:
                data = request.POST.copy()
                current = error.current
                data["version"] = data["application_version"] = str(current.version)
                context["application_version"] = current.version
                form = type(form)(data, request.FILES or None, **getattr(form, "_init_kwargs", {}))
                form.is_valid()
                context["conflict"] = True
                status = 409
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, done)
                return back
    return render(request, template, {**context, "form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def plan_edit(request: HttpRequest, reference: str) -> HttpResponse:
    case = _case(request, reference)
    application = _application(request, case)
    initial = {name: getattr(application, name) for name in grants.PLAN_FIELDS} | {"version": application.version}
    form = PlanEditForm(request.POST or None, initial=initial)
    return _handle(request, form=form, done=_("The business plan is saved."), template="livelihoods/plan_form.html",
                   context={"case": case, "application": application, "heading": _("Business plan"),
                            "submit": _("Save the business plan")}, back=_back(case, "livelihoods_grant"),
                   save=lambda data: grants.update_plan(request.user, case, request=request, version=data["version"],
                                                        **{k: data[k] for k in grants.PLAN_FIELDS}))


@login_required
@require_http_methods(["GET", "POST"])
def assessment_edit(request: HttpRequest, reference: str) -> HttpResponse:
    case = _case(request, reference)
    application = _application(request, case)
    initial = {"version": application.version, "assessed_on": application.assessed_on or timezone.localdate(),
               "assessor": application.assessor_id or request.user.pk, "recommendation": application.recommendation,
               "notes": application.assessment_notes}
    initial |= {f"score_{code}": value for code, value in (application.scores or {}).items()}
    form = AssessmentForm(request.POST or None, initial=initial)
    return _handle(request, form=form, done=_("The assessment is saved."),
                   template="livelihoods/assessment_form.html", back=_back(case, "livelihoods_assessment"),
                   context={"case": case, "application": application, "total_max": criteria.TOTAL_MAX,
                            "heading": _("Assessment"), "submit": _("Save the assessment"),
                            "worth_making": criteria.WORTH_MAKING},
                   save=lambda data: grants.record_assessment(
                       request.user, case, version=data["version"], scores=form.scores(),
                       assessed_on=data["assessed_on"], assessor=data["assessor"],
                       recommendation=data["recommendation"], notes=data["notes"], request=request))


@login_required
@require_http_methods(["GET", "POST"])
def decision_edit(request: HttpRequest, reference: str) -> HttpResponse:
    case = _case(request, reference)
    application = _application(request, case)
    form = DecisionForm(request.POST or None, initial={
        "version": application.version, "decision": application.decision,
        "decided_on": application.decided_on or timezone.localdate(),
        "approved_value": application.approved_value, "rejection_reason": application.rejection_reason})
    return _handle(request, form=form, done=_("The decision is saved."), template="livelihoods/decision_form.html",
                   context={"case": case, "application": application, "heading": _("Decision"),
                            "submit": _("Save the decision"),
                            "requested": money(application.requested_value, application.currency)},
                   back=_back(case, "livelihoods_assessment"),
                   save=lambda data: grants.record_decision(
                       request.user, case, version=data["version"], decision=data["decision"],
                       decided_on=data["decided_on"], approved_value=data.get("approved_value"),
                       rejection_reason=data.get("rejection_reason") or "", request=request))


def _budget(application: GrantApplication) -> dict[str, str]:
    return {"approved": money(application.approved_value, application.currency),
            "left": money(items.remaining(application), application.currency)}


@login_required
@require_http_methods(["GET", "POST"])
def item_new(request: HttpRequest, reference: str) -> HttpResponse:
    case = _case(request, reference)
    application = _application(request, case)
    form = ItemForm(request.POST or None, request.FILES or None)
    version = request.POST.get("application_version") or application.version
    return _handle(request, form=form, done=_("The item is recorded."), template="livelihoods/item_form.html",
                   context={"case": case, "application": application, "budget": _budget(application),
                            "application_version": version, "heading": _("Add an item"),
                            "submit": _("Add the item")},
                   back=_back(case, "livelihoods_items"),
                   save=lambda data: items.add_item(request.user, case, version=int(version),
                                                    handover_act_file=data.get("handover_act_file"),
                                                    request=request, **form.item_data()))


@login_required
@require_http_methods(["GET", "POST"])
def item_edit(request: HttpRequest, reference: str, item_id: int) -> HttpResponse:
    case = _case(request, reference)
    application = _application(request, case)
    item = policy.get_for(request.user, GrantItem.objects.filter(case=case), "change", pk=item_id, request=request)
    initial = {name: getattr(item, name) for name in ("item_type", "description", "quantity", "value", "supplier",
                                                       "supplier_name", "delivered_on", "handover_act_number",
                                                       "handover_act_date")}
    initial |= {"version": item.version, "cancelled": item.status == ItemStatus.CANCELLED}
    form = ItemEditForm(request.POST or None, request.FILES or None, initial=initial)
    return _handle(request, form=form, done=_("The item is saved."), template="livelihoods/item_form.html",
                   context={"case": case, "application": application, "item": item, "budget": _budget(application),
                            "heading": _("Item granted"), "submit": _("Save the item")},
                   back=_back(case, "livelihoods_items"),
                   save=lambda data: items.update_item(request.user, item, version=data["version"],
                                                       handover_act_file=data.get("handover_act_file"),
                                                       request=request, **form.item_data()))


@login_required
@require_http_methods(["GET", "POST"])
def visit_new(request: HttpRequest, reference: str) -> HttpResponse:
    case = _case(request, reference)
    application = _application(request, case)
    form = VisitForm(request.POST or None, initial={"visited_on": timezone.localdate(), "visited_by": request.user.pk,
                                                   "currency": application.currency})
    return _handle(request, form=form, done=_("The follow-up visit is recorded."),
                   template="livelihoods/visit_form.html",
                   context={"case": case, "application": application, "heading": _("Follow-up visit"),
                            "submit": _("Record the visit")},
                   back=_back(case, "livelihoods_visits"),
                   save=lambda data: visits.record_visit(request.user, case, request=request, **data))


# --- The panels on the case page ------------------------------------------------------------------
def _visible_application(request: HttpRequest, case: Case) -> GrantApplication | None:
    if not policy.can(request.user, "view", case):
        return None
    return policy.scope(request.user, GrantApplication.objects.select_related(
        "enterprise__settlement", "assessor", "decided_by").filter(case=case)).first()


def grant_panel(request: HttpRequest, case: Case) -> dict[str, Any] | None:
    application = _visible_application(request, case)
    if application is None:
        return None
    return {"application": application, "may_edit": policy.can(request.user, "change", case),
            "decided": case.status not in grants.UNDECIDED,
            "requested": money(application.requested_value, application.currency),
            "income": money(application.expected_monthly_income, application.currency)
            if application.expected_monthly_income is not None else ""}


def assessment_panel(request: HttpRequest, case: Case) -> dict[str, Any] | None:
    application = _visible_application(request, case)
    if application is None:
        return None
    rows = [(criterion.label, (application.scores or {}).get(criterion.code)) for criterion in criteria.CRITERIA]
    return {"application": application, "rows": rows, "total_max": criteria.TOTAL_MAX,
            "may_edit": policy.can(request.user, "change", case), "decided": case.status not in grants.UNDECIDED,
            "approved": money(application.approved_value, application.currency),
            "assessor": display_name(application.assessor) if application.assessor_id else "—",
            "decided_by": display_name(application.decided_by) if application.decided_by_id else "—"}


def items_panel(request: HttpRequest, case: Case) -> dict[str, Any] | None:
    application = _visible_application(request, case)
    if application is None or application.decision != "approved":
        return None
    rows = policy.scope(request.user, GrantItem.objects.filter(case=case)).select_related("supplier", "handover_act")
    return {"application": application, "items": [(item, money(item.value, item.currency)) for item in rows],
            "total": money(items_total(case), application.currency), "budget": _budget(application),
            "may_edit": policy.can(request.user, "change", case) and case.status in items.OPEN_FOR_ITEMS,
            "missing": every_item_handed_over(case) if rows else []}


def visits_panel(request: HttpRequest, case: Case) -> dict[str, Any] | None:
    application = _visible_application(request, case)
    if application is None or visits.handover_day(case) is None:
        return None
    rows = policy.scope(request.user, FollowUpVisit.objects.filter(case=case)).select_related("visited_by")
    reminders = visits.due_reminders(Case.objects.filter(pk=case.pk))
    def income(visit: FollowUpVisit) -> str:
        return money(visit.monthly_income, visit.currency) if visit.monthly_income is not None else "—"

    return {"visits": [(visit, display_name(visit.visited_by), income(visit))
                       for visit in rows.order_by("-visited_on", "-id")],
            "handover": visits.handover_day(case), "reminders": reminders,
            "may_edit": policy.can(request.user, "change", case) and case.status in visits.VISITING}
