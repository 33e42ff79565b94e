"""The health unit's pages: the queue, one assessment (each read audited), its results, a cancellation, and the
follow-up case from which a person is referred for treatment.

Only VIEW_HEALTH_DATA holders reach them: the assessment is taken through `policy.get_for` (404 and an audited
denial for everyone else), the queue through `policy.require` and `policy.scope`. Writes go through `services`.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Case as When_
from django.db.models import IntegerField, QuerySet, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from waypoint.accounts import policy
from waypoint.audit.models import Action
from waypoint.audit.services import record
from waypoint.cases.views_case import Conflict
from waypoint.core.forms import apply_errors, at_saved_version

from . import queries, services
from .forms import FOLLOW_UP_OPEN, CancelForm, QueueFilterForm, ResultsForm
from .models import AssessmentStatus, HealthAssessment

PAGE_SIZE = 50
EXPIRING = "expiring"


def _assessment(request: HttpRequest, pk: int, action: str = "view") -> HealthAssessment:
    rows = HealthAssessment.objects.select_related("case", "person", "clinic", "requested_by", "recorded_by",
                                                   "follow_up_case")
    return policy.get_for(request.user, rows, action, pk=pk, request=request)


# --- The queue ---------------------------------------------------------------------------------------------
def _filtered(form: QueueFilterForm, rows: QuerySet[HealthAssessment]) -> QuerySet[HealthAssessment]:
    data = form.cleaned_data
    if data.get("status"):
        rows = rows.filter(status=data["status"])
    if data.get("assessment_type"):
        rows = rows.filter(assessment_type=data["assessment_type"])
    if data.get("programme"):
        rows = rows.filter(case__programme=data["programme"])
    if data.get("clearance") == EXPIRING:
        rows = queries.expiring(timezone.localdate(), rows)
    elif data.get("clearance"):
        rows = rows.filter(clearance=data["clearance"])
    if data.get("follow_up") == FOLLOW_UP_OPEN:
        rows = queries.open_follow_ups(rows)
    return rows


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    """Requested examinations first (oldest request first), then the recent ones (newest first)."""
    user = request.user
    policy.require(user, policy.VIEW_HEALTH_DATA, request=request)
    form = QueueFilterForm(request.GET or None)
    form.fields["clearance"].choices += [(EXPIRING, _("Cleared, ending within 30 days"))]
    rows = policy.scope(user, HealthAssessment.objects.select_related("case", "person", "clinic"))
    waiting = queries.waiting(rows).count()
    if form.is_bound and not form.is_valid():
        return render(request, "health/queue.html", {"form": form, "page": None, "waiting": waiting}, status=400)
    if form.is_bound:
        rows = _filtered(form, rows)
    waiting_first = When_(When(status=AssessmentStatus.REQUESTED, then=Value(0)), default=Value(1),
                          output_field=IntegerField())
    rows = rows.annotate(waiting_first=waiting_first).order_by("waiting_first", "-requested_on", "-id")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    if page.object_list:
        record(Action.VIEW, actor=user, object_type="health.queue", request=request,
               changes={"shown": [", ".join(str(row.pk) for row in page.object_list)]})
    params = request.GET.copy()
    params.pop("page", None)
    return render(request, "health/queue.html", {
        "form": form, "page": page, "query": params.urlencode(),
        "waiting": waiting,
    })


# --- One assessment ----------------------------------------------------------------------------------------
def _page(request: HttpRequest, assessment: HealthAssessment, **extra) -> dict:
    case = assessment.follow_up_case or services.open_mh_case_of(assessment.person)
    return {
        "assessment": assessment,
        "follow_up_case": case,
        "may_open_follow_up": (assessment.status == AssessmentStatus.DONE and assessment.follow_up_needed),
        "may_see_follow_up_case": case is not None and policy.can(request.user, "view", case),
        "may_refer": case is not None and policy.can(request.user, "change", case) and not case.is_closed,
        "referrals": (case.referrals.filter(person=assessment.person).select_related("organisation")
                      .order_by("-created_at") if case is not None and policy.can(request.user, "view", case)
                      else []),
        "cancel_form": extra.pop("cancel_form", None) or CancelForm(initial={"version": assessment.version}),
        **extra,
    }


@login_required
@require_GET
def assessment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _assessment(request, pk)
    record(Action.VIEW, assessment, actor=request.user, request=request)
    return render(request, "health/assessment.html", _page(request, assessment))


def _differences(saved: HealthAssessment, mine: dict) -> list[tuple[str, str, str]]:
    """The saved values that differ from the user's, in words, for the conflict message."""
    rows = []
    for name, value in mine.items():
        theirs = getattr(saved, name)
        field = HealthAssessment._meta.get_field(name)
        if field.choices:
            show = dict(field.choices)
            their_text, my_text = str(show.get(theirs, theirs or "")), str(show.get(value, value or ""))
        elif name == "follow_up_needed":
            their_text, my_text = (_("yes") if theirs else _("no")), (_("yes") if value else _("no"))
        else:
            their_text = "" if theirs is None else str(theirs)
            my_text = "" if value is None else str(value)
        if their_text != my_text:
            rows.append((str(capfirst(field.verbose_name)), their_text or "—", my_text or "—"))
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def record_results(request: HttpRequest, pk: int) -> HttpResponse:
    """The results form. Refused input comes back with each problem on its field and nothing saved; if someone
    saved meanwhile, the page answers 409 with the user's input kept and the saved values beside it."""
    assessment = _assessment(request, pk, "change")
    conflict, status = None, 200
    if request.method == "POST":
        form = ResultsForm(request.POST)
        if form.is_valid():
            try:
                services.record_results(request.user, assessment, version=form.cleaned_data["version"],
                                        request=request, **form.values())
            except services.ConflictError as error:
                saved = error.current
                conflict = Conflict(_("Someone else saved these results while you were editing them: nothing was "
                                      "saved. Their version is beside yours; save again to keep yours."),
                                    _differences(saved, form.values()))
                form = at_saved_version(ResultsForm, request.POST, saved.version)
                assessment, status = saved, 409
            except ValidationError as error:
                apply_errors(form, error)
                status = 400
            else:
                messages.success(request, _("The results are saved."))
                return redirect("health:assessment", pk=assessment.pk)
        else:
            status = 400
    else:
        form = ResultsForm(initial=ResultsForm.initial_for(assessment))
        record(Action.VIEW, assessment, actor=request.user, request=request)
    return render(request, "health/results_form.html", {"assessment": assessment, "form": form,
                                                        "conflict": conflict}, status=status)


@login_required
@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _assessment(request, pk, "change")
    form = CancelForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            services.cancel_request(request.user, assessment, version=form.cleaned_data["version"],
                                    reason=form.cleaned_data.get("reason") or "", request=request)
        except services.ConflictError:
            assessment, status = _assessment(request, pk), 409
            form = CancelForm(initial={"version": assessment.version, "reason": form.cleaned_data.get("reason")})
            form.add_error(None, _("Someone else changed this examination meanwhile: nothing was cancelled. "
                                   "Check it below and cancel again if it is still needed."))
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The examination is cancelled."))
            return redirect("health:assessment", pk=assessment.pk)
    return render(request, "health/assessment.html", _page(request, assessment, cancel_form=form), status=status)


@login_required
@require_POST
def follow_up(request: HttpRequest, pk: int) -> HttpResponse:
    """Open (or find) the person's migration health case, then go on to refer them from it."""
    assessment = _assessment(request, pk, "change")
    try:
        case, opened = services.open_follow_up_case(request.user, assessment, request=request)
    except ValidationError as error:
        return render(request, "health/assessment.html", _page(request, assessment, follow_up_errors=error.messages),
                      status=400)
    if opened:
        messages.success(request, _("Migration health case %(reference)s is opened to follow the person up. Refer "
                                    "them for treatment from it.") % {"reference": case.reference})
    else:
        messages.success(request, _("The follow-up goes on the person's open migration health case %(reference)s.")
                         % {"reference": case.reference})
    return redirect("health:assessment", pk=assessment.pk)

