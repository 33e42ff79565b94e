"""The pages that record a resettlement case's parts: profile, clearances, presentations and decisions,
orientation and assurance. Each takes the case through `policy.get_for` among resettlement cases with
"change" (404, audited, for anyone else) and writes through the services; a stale form answers 409 with the
input kept and nothing written.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from waypoint.accounts import policy
from waypoint.accounts.models import Programme
from waypoint.audit.models import Action
from waypoint.audit.services import record
from waypoint.cases.locking import ConflictError
from waypoint.cases.models import Case
from waypoint.core.forms import apply_errors, at_saved_version

from . import predeparture, presentations, services
from .forms import (
    AssuranceForm,
    ClearanceEditForm,
    ClearanceForm,
    DecisionForm,
    OrientationForm,
    PresentationForm,
    ProfileForm,
)
from .models import Assurance, Clearance, Presentation, ProcessingTrip, ResettlementProfile

CONFLICT = gettext_lazy(
    "Someone else saved this while you were editing it. Nothing was saved: your input is kept below. "
    "Check it against the saved values on the case page and save again.")


def res_case(request: HttpRequest, reference: str, action: str = "change") -> Case:
    cases = Case.objects.filter(programme=Programme.RESETTLEMENT)
    return policy.get_for(request.user, cases, action, reference=reference, request=request)


def _back(case: Case, anchor: str) -> str:
    return f"{reverse('cases:detail', args=[case.reference])}#{anchor}"


def _page(request: HttpRequest, case: Case, form, *, title: str, lead: str, submit: str, action: str,
          status: int = 200, conflict: bool = False, extra: dict[str, Any] | None = None) -> HttpResponse:
    return render(request, "resettlement/form.html", {
        "case": case, "form": form, "title": title, "lead": lead, "submit": submit, "action": action,
        "conflict": CONFLICT if conflict else "", **(extra or {})}, status=status)


def _save(request: HttpRequest, form, write, success: str) -> tuple[bool, int, bool]:
    """Run the service's write for a valid form: (saved, status, conflict)."""
    if not form.is_valid():
        return False, 400, False
    try:
        write()
    except ConflictError:
        return False, 409, True
    except ValidationError as error:
        apply_errors(form, error)
        return False, 400, False
    messages.success(request, success)
    return True, 200, False


def _record(request: HttpRequest, case: Case, form, write, *, success: str, anchor: str, **page) -> HttpResponse:
    """A page that records a new part of the case: a valid POST goes through `write(**cleaned_data)` and back to
    the case page's section; otherwise the form again (400 with the errors the form or the service found)."""
    status = 200
    if request.method == "POST":
        saved, status, _conflict = _save(request, form, lambda: write(**form.cleaned_data), success)
        if saved:
            return redirect(_back(case, anchor))
    return _page(request, case, form, status=status, **page)


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request: HttpRequest, reference: str) -> HttpResponse:
    case = res_case(request, reference)
    profile = ResettlementProfile.objects.filter(case=case).select_related("referring_organisation").first()
    status, conflict = 200, False
    if request.method == "POST":
        form = ProfileForm(request.POST)
        saved, status, conflict = _save(request, form, lambda: services.update_profile(
            request.user, case, version=form.cleaned_data["version"], request=request, **form.profile_data()),
            _("The resettlement profile is saved."))
        if saved:
            return redirect(_back(case, "resettlement-profile"))
        if conflict:
            saved_version = ResettlementProfile.objects.filter(case=case).values_list("version", flat=True).first()
            form = at_saved_version(ProfileForm, request.POST, saved_version or 0)
    else:
        form = ProfileForm(initial=ProfileForm.initial_for(profile))
        if profile is not None:
            record(Action.VIEW, profile, actor=request.user, request=request)
    return _page(request, case, form, title=_("Resettlement profile"), status=status, conflict=conflict,
                 lead=_("Where the family resettles, under which programme and category, who referred them."),
                 submit=_("Save the profile"), action=reverse("resettlement:profile_edit", args=[case.reference]))


@login_required
@require_http_methods(["GET", "POST"])
def clearance_add(request: HttpRequest, reference: str) -> HttpResponse:
    case = res_case(request, reference)
    form = ClearanceForm(request.POST or None, case=case, initial={"person": request.GET.get("person"),
                                                                   "kind": request.GET.get("kind")})
    return _record(request, case, form, lambda **data: services.record_clearance(
        request.user, case, request=request, **data), success=_("The clearance is recorded."),
                   anchor="resettlement-clearances", title=_("Record a clearance"),
                   lead=_("A line of a member's checklist. A cleared line says from when and until when it is valid."),
                   submit=_("Record the clearance"),
                   action=reverse("resettlement:clearance_add", args=[case.reference]))


@login_required
@require_http_methods(["GET", "POST"])
def clearance_edit(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    case = res_case(request, reference)
    clearance = policy.get_for(request.user, Clearance.objects.filter(case=case).select_related("person"), "change",
                               pk=pk, request=request)
    status, conflict = 200, False
    if request.method == "POST":
        form = ClearanceEditForm(request.POST)
        saved, status, conflict = _save(request, form, lambda: services.update_clearance(
            request.user, clearance, request=request, **form.cleaned_data), _("The clearance is saved."))
        if saved:
            return redirect(_back(case, "resettlement-clearances"))
        if conflict:
            form = at_saved_version(ClearanceEditForm, request.POST, Clearance.objects.get(pk=clearance.pk).version)
    else:
        form = ClearanceEditForm(initial={name: getattr(clearance, name) for name in (
            "version", "status", "requested_on", "obtained_on", "valid_until", "note")})
    title = _("%(clearance)s of %(person)s") % {"clearance": clearance.get_kind_display(),
                                                 "person": clearance.person.reference}
    return _page(request, case, form, title=title, status=status, conflict=conflict,
                 lead=_("Renew the clearance with its new dates, or correct its status."),
                 submit=_("Save the clearance"),
                 action=reverse("resettlement:clearance_edit", args=[case.reference, clearance.pk]))


@login_required
@require_http_methods(["GET", "POST"])
def presentation_add(request: HttpRequest, reference: str) -> HttpResponse:
    case = res_case(request, reference)
    trips = policy.scope(request.user, ProcessingTrip.objects.all()).order_by("-starts_on")[:50]
    trips = ProcessingTrip.objects.filter(pk__in=[trip.pk for trip in trips]).order_by("-starts_on")
    form = PresentationForm(request.POST or None, case=case, trips=trips,
                            initial={"members": list(case.members.values_list("person_id", flat=True))})
    return _record(request, case, form, lambda **data: presentations.record_presentation(
        request.user, case, request=request, **data), success=_("The presentation is recorded."),
                   anchor="resettlement-presentations", title=_("Record a presentation"),
                   lead=_("The interview with the receiving state's officer. Recording it moves the case to "
                          "“Presented for interview” on the day of the interview."),
                   submit=_("Record the presentation"),
                   action=reverse("resettlement:presentation_add", args=[case.reference]))


@login_required
@require_http_methods(["GET", "POST"])
def decision_record(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    case = res_case(request, reference)
    presentation = policy.get_for(request.user, Presentation.objects.filter(case=case), "change", pk=pk,
                                  request=request)
    status, conflict = 200, False
    if request.method == "POST":
        form = DecisionForm(request.POST)
        saved, status, conflict = _save(request, form, lambda: presentations.record_decision(
            request.user, presentation, request=request, **form.cleaned_data), _("The decision is recorded."))
        if saved:
            return redirect(_back(case, "resettlement-presentations"))
    else:
        form = DecisionForm(initial={"version": presentation.version})
    return _page(request, case, form, title=_("Record the decision"), status=status, conflict=conflict,
                 lead=_("The receiving state's decision on the presentation of %(date)s. It moves the case to "
                        "the matching status on the day of the decision.") % {
                     "date": presentation.presented_on.isoformat()},
                 submit=_("Record the decision"),
                 action=reverse("resettlement:decision", args=[case.reference, presentation.pk]))


@login_required
@require_http_methods(["GET", "POST"])
def orientation_add(request: HttpRequest, reference: str) -> HttpResponse:
    case = res_case(request, reference)
    form = OrientationForm(request.POST or None, case=case,
                           initial={"members": list(case.members.values_list("person_id", flat=True))})
    return _record(request, case, form, lambda **data: predeparture.record_orientation(
        request.user, case, request=request, **data), success=_("The cultural orientation is recorded."),
                   anchor="resettlement-predeparture", title=_("Record cultural orientation"),
                   lead=_("The session the family's members attended before departure."),
                   submit=_("Record the orientation"),
                   action=reverse("resettlement:orientation_add", args=[case.reference]))


@login_required
@require_http_methods(["GET", "POST"])
def assurance_edit(request: HttpRequest, reference: str) -> HttpResponse:
    case = res_case(request, reference)
    assurance = Assurance.objects.filter(case=case).first()
    status, conflict = 200, False
    if request.method == "POST":
        form = AssuranceForm(request.POST)
        saved, status, conflict = _save(request, form, lambda: predeparture.save_assurance(
            request.user, case, request=request, **form.cleaned_data), _("The assurance is saved."))
        if saved:
            return redirect(_back(case, "resettlement-predeparture"))
        if conflict:
            saved_version = Assurance.objects.filter(case=case).values_list("version", flat=True).first()
            form = at_saved_version(AssuranceForm, request.POST, saved_version or 0)
    else:
        initial = {"version": 0}
        if assurance is not None:
            initial = {"version": assurance.version, "agency": assurance.agency_id,
                       "received_on": assurance.received_on, "placement": assurance.placement}
        form = AssuranceForm(initial=initial)
    return _page(request, case, form, title=_("Assurance by a resettlement agency"), status=status,
                 conflict=conflict, lead=_("The agency that receives and places the family in the receiving country."),
                 submit=_("Save the assurance"), action=reverse("resettlement:assurance_edit", args=[case.reference]))
