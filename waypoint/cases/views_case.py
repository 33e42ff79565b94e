"""Pages of the case core: the case list and its saved views, opening a case, the case page (status and
workflow steps, members, plan, the panels of other apps, notes, attachments, timeline), editing with conflict
detection, and the small forms of the case page.

Every case comes through `policy.get_for` (a case outside the user's hands answers 404 and the denial is
audited); every write goes through `casework`, `plan` or `notes`. A form opened on a version someone else has
since saved is answered with 409: nothing is written, the user's input stays in the form and the saved values are
shown beside it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Min, Prefetch, Q
from django.forms import BaseForm
from django.forms.utils import ErrorDict
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from waypoint.accounts import policy
from waypoint.audit.models import Action
from waypoint.audit.services import record
from waypoint.consent import views as consent_views
from waypoint.consent.models import ConsentRecord
from waypoint.core.forms import apply_errors
from waypoint.people import lookup
from waypoint.people import views as people_views
from waypoint.people.models import Person

from . import casework, notes, plan, timeline
from .forms_case import (
    AttachmentForm,
    CaseEditForm,
    CaseFilterForm,
    GoalEditForm,
    GoalForm,
    MemberForm,
    NewPersonForm,
    NoteEditForm,
    NoteForm,
    OpenCaseForm,
    PersonPickForm,
    SavedViewForm,
    TaskDoneForm,
    TaskForm,
    TransitionForm,
)
from .models import (
    Attachment,
    Case,
    CaseEvent,
    CaseMember,
    CaseNote,
    Channel,
    Goal,
    MemberRole,
    RiskLevel,
    SavedView,
    Task,
    Vulnerability,
)
from .panels import render_panels
from .workflow import workflow_for

PAGE_SIZE = 25
TIMELINE_SHOWN = 200
KIND_LABELS = {
    timeline.OPENED: gettext_lazy("Opening"), timeline.STATUS: gettext_lazy("Status"),
    timeline.EDITED: gettext_lazy("Edits"), timeline.MEMBER: gettext_lazy("Members"),
    timeline.ASSIGNED: gettext_lazy("Owner and staff"), timeline.PLAN: gettext_lazy("Plan"),
    timeline.NOTE: gettext_lazy("Notes"), timeline.ATTACHMENT: gettext_lazy("Files"),
    timeline.CONSENT: gettext_lazy("Consent"), timeline.SERVICE: gettext_lazy("Services"),
    timeline.STAY: gettext_lazy("Centre stays"), timeline.MOVEMENT: gettext_lazy("Movements"),
    # A programme's own details (the trafficking profile, a resettlement profile, a return screening...).
    timeline.REFERRAL: gettext_lazy("Referrals"), timeline.PROFILE: gettext_lazy("Programme details"),
    # Requests and clearances of migration health (never results: everyone on the case reads the timeline).
    timeline.HEALTH: gettext_lazy("Health"),
}


# --- Shared pieces ----------------------------------------------------------------------------
def _case(request: HttpRequest, reference: str, action: str = "view") -> Case:
    return policy.get_for(request.user, Case.objects.select_related("office", "owner", "referring_organisation"),
                          action, reference=reference, request=request)


def _to_case(case: Case, anchor: str = "") -> HttpResponse:
    return redirect(reverse("cases:detail", args=[case.reference]) + (f"#{anchor}" if anchor else ""))


def _consultation_url(consultation_id: int) -> str:
    try:
        return reverse("hotline:detail", args=[consultation_id])
    except NoReverseMatch:
        return ""


def _labels(codes, choices) -> str:
    labels = dict(choices)
    return ", ".join(str(labels.get(code, code)) for code in codes or [])


# --- Conflicts ------------------------------------------------------------------------------------
@dataclass
class Conflict:
    """What the user is told when someone saved first: when, and each field where the saved value differs from
    theirs (label, saved, theirs)."""

    message: str
    rows: list[tuple[str, str, str]] = field(default_factory=list)


def _saved_at(obj, name: str = "updated_at") -> str:
    moment = getattr(obj, name, None)
    return timezone.localtime(moment).strftime("%H:%M") if moment else "—"


def _value(value: Any) -> str:
    if value in (None, "", []):
        return "—"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _rows(pairs: list[tuple[str, Any, Any]]) -> list[tuple[str, str, str]]:
    return [(str(capfirst(label)), _value(saved), _value(mine)) for label, saved, mine in pairs
            if _value(saved) != _value(mine)]


def case_conflict(saved: Case, data: dict[str, Any]) -> Conflict:
    staff = casework.display_name
    assigned_saved = ", ".join(sorted(staff(u) for u in saved.assigned.all()))
    assigned_mine = ", ".join(sorted(staff(u) for u in data.get("assigned") or []))
    organisation = data.get("referring_organisation")
    field_label = lambda name: Case._meta.get_field(name).verbose_name  # noqa: E731
    rows = _rows([
        (field_label("owner"), staff(saved.owner), staff(data["owner"]) if data.get("owner") else ""),
        (_("Also assigned"), assigned_saved, assigned_mine),
        (field_label("channel"), saved.get_channel_display(), dict(Channel.choices).get(data.get("channel"), "")),
        (field_label("referring_organisation"), saved.referring_organisation.name if saved.referring_organisation
         else "", organisation.name if organisation else ""),
        (field_label("risk_level"), saved.get_risk_level_display(),
         dict(RiskLevel.choices).get(data.get("risk_level"))),
        (field_label("vulnerabilities"), _labels(sorted(saved.vulnerabilities or []), Vulnerability.choices),
         _labels(sorted(data.get("vulnerabilities") or []), Vulnerability.choices)),
        (field_label("summary"), saved.summary, (data.get("summary") or "").strip()),
    ])
    return Conflict(_("Someone else saved this case at %(time)s: your changes were not saved. Their version is "
                      "shown beside yours; check it, then save again to keep yours, or cancel to keep theirs.")
                    % {"time": _saved_at(saved)}, rows)


# --- The case list ---------------------------------------------------------------------------------
@dataclass
class CaseRow:
    case: Case
    principal: str
    principal_url: str
    next_due: Any
    overdue: bool


def _list_rows(user, cases: list[Case], today) -> list[CaseRow]:
    principals = {
        member.case_id: member.person
        for member in CaseMember.objects.filter(case__in=cases, role=MemberRole.PRINCIPAL).select_related("person")
    }
    visible = set(policy.visible_people(user).filter(pk__in=[p.pk for p in principals.values()])
                  .values_list("pk", flat=True))
    rows = []
    for case in cases:
        person = principals.get(case.pk)
        shown = person is not None and person.pk in visible
        rows.append(CaseRow(
            case=case,
            principal=(person.full_name if shown else person.reference) if person is not None else "—",
            principal_url=reverse("people:detail", args=[person.pk]) if shown else "",
            next_due=case.next_due, overdue=bool(case.next_due and case.next_due < today),
        ))
    return rows


@login_required
@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    """The cases in the user's hands, filtered by GET (a reference at most: never a name in the address)."""
    user = request.user
    policy.require(user, policy.VIEW_CASES, request=request)
    today = timezone.localdate()
    filters = CaseFilterForm(request.GET or None, user=user)
    cases = filters.apply(policy.scope(user, Case.objects.select_related("owner")), today)
    cases = cases.annotate(next_due=Min("tasks__due_on", filter=Q(tasks__done_at__isnull=True)))
    page = Paginator(cases.order_by("-opened_on", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = _list_rows(user, list(page.object_list), today)
    if rows:
        record(Action.VIEW, actor=user, object_type="cases.list", request=request,
               changes={"shown": [", ".join(str(row.case.pk) for row in rows)]})
    query = casework.clean_query(request.GET.items())
    return render(request, "cases/case_list.html", {
        "filters": filters, "rows": rows, "page": page, "query": query, "today": today,
        "saved_views": policy.scope(user, SavedView.objects.all()),
        "save_form": SavedViewForm(initial={"query": query}),
        "may_open": any(casework.may_open_cases(user, code) for code in user.programmes or []),
    })


@login_required
@require_POST
def saved_view_add(request: HttpRequest) -> HttpResponse:
    form = SavedViewForm(request.POST)
    query = casework.clean_query(QueryDict(request.POST.get("query", "")).items())
    if not form.is_valid():
        policy.require(request.user, policy.VIEW_CASES, request=request)
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    else:
        try:
            view = casework.save_view(request.user, form.cleaned_data["name"],
                                      QueryDict(form.cleaned_data["query"]).items(), request=request)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The view “%(name)s” is saved.") % {"name": view.name})
            query = view.query
    return redirect(reverse("cases:list") + (f"?{query}" if query else ""))


@login_required
@require_POST
def saved_view_delete(request: HttpRequest, pk: int) -> HttpResponse:
    view = policy.get_for(request.user, SavedView, "delete", pk=pk, request=request)
    casework.delete_view(request.user, view, request=request)
    messages.success(request, _("The view “%(name)s” is deleted.") % {"name": view.name})
    return redirect("cases:list")


# --- Choosing a person: the principal of a new case, a new member -----------------------------------
class PersonPicker:
    """Find a person in the registry and choose them, or register a new one with the registry's duplicate
    warning. The search is sent by POST: a name never goes in an address."""

    def __init__(self, request: HttpRequest):
        self.request = request
        data = request.POST.copy() if request.method == "POST" else None
        use = data.get("who-use", "") if data is not None else ""
        if use.isdigit():  # "use this record instead" on a possible match
            data["who-who"], data["who-person"] = PersonPickForm.EXISTING, use
        self.data = data
        self.choice = PersonPickForm(data, prefix="who")
        self.new = NewPersonForm(data, prefix="person")
        self.results: list[people_views.Row] = []
        self.visible: list[people_views.Row] = []
        self.hidden: list[lookup.HiddenMatch] = []
        self.chosen: Person | None = None
        self.new_data: dict[str, Any] | None = None
        chosen = (data.get("who-person", "") if data is not None else request.GET.get("person", "")).strip()
        if chosen.isdigit():
            self.chosen = policy.get_for(request.user, Person, "view", pk=int(chosen), request=request)
        if data is not None:
            self.choice.is_valid()
            self._search()
            self.new._errors = ErrorDict()  # judged only when the new person is used (see `resolve`)

    @property
    def switched(self) -> bool:
        return bool(self.data is not None and self.data.get("who-use", "").isdigit())

    @property
    def query(self) -> str:
        return (getattr(self.choice, "cleaned_data", {}) or {}).get("q", "").strip()

    def _search(self) -> None:
        if not self.query:
            return
        self.results = [people_views.row(c) for c in lookup.search(self.request.user, self.query)
                        if self.chosen is None or c.person.pk != self.chosen.pk]
        record(Action.VIEW, actor=self.request.user, object_type="people.search", request=self.request,
               changes={"shown": [", ".join(str(r.person.pk) for r in self.results)]})

    def resolve(self) -> bool:
        """Work out who the person is from the submitted form; False (with errors shown) if it cannot."""
        if self.choice.cleaned_data.get("who") != PersonPickForm.NEW:
            if self.chosen is None:
                self.choice.add_error("q", _("Find the person's record and choose it, or register them."))
                return False
            if self.chosen.merged_into_id:
                self.choice.add_error("q", _("This record was merged into another one: choose that one."))
                return False
            return True
        self.chosen = None
        self.new._errors = None
        if not self.new.is_valid():
            return False
        visible, self.hidden = lookup.duplicate_candidates(self.request.user, self.new.match_record())
        self.visible = [people_views.row(candidate) for candidate in visible]
        likely = self.hidden or any(row.likely for row in self.visible)
        if likely and not self.choice.cleaned_data.get("confirm_new"):
            self.choice.add_error("confirm_new", _(
                "This person may already be registered (see the possible matches). Use the existing record, "
                "or tick this box if you checked and this is a different person."))
            return False
        self.new_data = self.new.person_data()
        return True

    @property
    def has_errors(self) -> bool:
        return bool(self.choice.errors or self.new.errors)

    def context(self) -> dict[str, Any]:
        return {"picker": self, "choice": self.choice, "new": self.new}


# --- Opening a case ----------------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def case_open(request: HttpRequest) -> HttpResponse:
    """Open a case for a person of the registry (found, or registered here), in one of the user's programmes."""
    user = request.user
    policy.require(user, policy.VIEW_CASES, request=request)
    if not user.programmes:
        return render(request, "cases/case_open.html", {"no_programme": True})
    data = request.POST if request.method == "POST" else None
    form = OpenCaseForm(data, user=user)
    picker = PersonPicker(request)
    if data is not None and ("open" not in data or picker.switched):
        form._errors = ErrorDict()  # "Search": what was typed comes back, unjudged
    elif data is not None:
        valid = form.is_valid()
        known = picker.resolve()
        if valid and known:
            case = _open(request, form, picker)
            if case is not None:
                messages.success(request, _("Case %(reference)s is open.") % {"reference": case.reference})
                return redirect("cases:detail", reference=case.reference)
    return render(request, "cases/case_open.html", {
        "form": form, **picker.context(), "other_errors": picker.has_errors,
    })


def _open(request: HttpRequest, form: OpenCaseForm, picker: PersonPicker) -> Case | None:
    cleaned = form.cleaned_data
    fields = {
        "owner": cleaned["owner"], "channel": cleaned["channel"],
        "referring_organisation": cleaned.get("referring_organisation"), "assigned": cleaned.get("assigned") or [],
        "risk_level": cleaned["risk_level"], "vulnerabilities": cleaned.get("vulnerabilities") or [],
        "summary": cleaned.get("summary") or "", "opened_on": cleaned.get("opened_on"), "request": request,
    }
    try:
        if picker.chosen is not None:
            return casework.open_case(request.user, programme=cleaned["programme"], principal=picker.chosen, **fields)
        return casework.open_case_for_new_person(request.user, picker.new_data, programme=cleaned["programme"],
                                                 **fields)
    except ValidationError as error:
        apply_errors([form, picker.choice, picker.new], error)
        return None


# --- The case page -------------------------------------------------------------------------------
def _timeline(request: HttpRequest, case: Case) -> tuple[list[CaseEvent], str, bool]:
    kind = request.GET.get("kind", "")
    events = policy.scope(request.user, case.events.select_related("actor"))
    if kind in KIND_LABELS:
        events = events.filter(kind=kind)
    else:
        kind = ""
    shown = list(events[: TIMELINE_SHOWN + 1])
    return shown[:TIMELINE_SHOWN], kind, len(shown) > TIMELINE_SHOWN


def render_detail(request: HttpRequest, case: Case, *, status: int = 200, conflict: Conflict | None = None,
                  transition_form: TransitionForm | None = None, **forms: BaseForm) -> HttpResponse:
    """The case page, with any bound form that failed; every rendering is an audited view."""
    user = request.user
    record(Action.VIEW, case, actor=user, request=request)
    today = timezone.localdate()
    workflow = workflow_for(case.programme)
    may_change = policy.can(user, "change", case)
    members = [
        {"member": member, "may_open": policy.can(user, "view", member.person)}
        for member in case.members.select_related("person").order_by("id")
    ]
    tasks = Task.objects.select_related("assigned_to", "done_by")
    goals = list(policy.scope(user, case.goals.all()).prefetch_related(Prefetch("tasks", queryset=tasks)))
    loose_tasks = list(policy.scope(user, tasks.filter(case=case, goal__isnull=True)))
    consultations = [
        (consultation, _consultation_url(consultation.pk) if policy.can(user, "view", consultation) else "")
        for consultation in case.consultations.select_related("site").order_by("-started_at")
    ]
    attachments = policy.scope(user, case.attachments.select_related("uploaded_by"))
    events, kind, more = _timeline(request, case)
    return render(request, "cases/case_detail.html", {
        "case": case, "workflow": workflow, "may_change": may_change, "today": today,
        "closure_label": workflow.closure_label(case.closure_reason) if case.closure_reason else "",
        "vulnerabilities": _labels(case.vulnerabilities, Vulnerability.choices),
        "assigned": case.assigned.all(), "members": members, "consultations": consultations,
        "actions": casework.available_actions(case) if may_change else [],
        "transition_form": transition_form,
        "goals": goals, "loose_tasks": loose_tasks, "plan_types": dict(workflow.plan_types),
        "notes": policy.scope(user, case.notes.select_related("author")),
        "attachments": attachments.filter(removed_at__isnull=True),
        "removed_attachments": attachments.filter(removed_at__isnull=False).count(),
        "panels": render_panels(request, case),
        "events": events, "kind": kind, "kinds": list(KIND_LABELS.items()), "more_events": more,
        "conflict": conflict,
        "goal_form": forms.get("goal_form") or GoalForm(case=case, prefix="goal"),
        "task_form": forms.get("task_form") or TaskForm(case=case, prefix="task"),
        "note_form": forms.get("note_form") or NoteForm(prefix="note"),
        "attachment_form": forms.get("attachment_form") or AttachmentForm(prefix="attachment"),
    }, status=status)


@login_required
@require_GET
def case_detail(request: HttpRequest, reference: str) -> HttpResponse:
    return render_detail(request, _case(request, reference))


# --- Editing the case ------------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def case_edit(request: HttpRequest, reference: str) -> HttpResponse:
    """Edit the case; when someone else saved meanwhile nothing is written, the page answers 409 with the
    user's input kept and the saved values beside it."""
    case = _case(request, reference, "change")
    form = CaseEditForm(request.POST or None, case=case)
    conflict, status = None, 200
    if request.method == "POST" and form.is_valid():
        cleaned = form.cleaned_data
        try:
            casework.edit_case(
                request.user, case, version=cleaned["version"], summary=cleaned.get("summary") or "",
                risk_level=cleaned["risk_level"], vulnerabilities=cleaned.get("vulnerabilities") or [],
                owner=cleaned["owner"], assigned=cleaned.get("assigned") or [], channel=cleaned["channel"],
                referring_organisation=cleaned.get("referring_organisation"), request=request,
            )
        except casework.ConflictError:
            case = _case(request, reference, "change")
            conflict, status = case_conflict(case, cleaned), 409
            data = request.POST.copy()
            data["version"] = str(case.version)  # saving again, knowingly, keeps the user's version
            form = CaseEditForm(data, case=case)
            form.is_valid()
        except ValidationError as error:
            apply_errors([form], error)
        else:
            messages.success(request, _("The changes are saved."))
            return _to_case(case)
    return render(request, "cases/case_form.html", {"case": case, "form": form, "conflict": conflict},
                  status=status)


@login_required
@require_POST
def case_transition(request: HttpRequest, reference: str) -> HttpResponse:
    """Take a workflow step; a refused step is shown on the case page with its reasons (and audited)."""
    case = _case(request, reference, "change")
    form = TransitionForm(request.POST, case=case)
    if not form.is_valid():
        return render_detail(request, case, transition_form=form)
    cleaned = form.cleaned_data
    try:
        case = casework.transition(request.user, case, cleaned["action"], version=cleaned["version"],
                                   note=cleaned.get("note") or "", closure_reason=cleaned.get("closure_reason") or "",
                                   on=cleaned.get("on"), request=request)
    except casework.ConflictError:
        case = _case(request, reference)
        return render_detail(request, case, status=409, conflict=Conflict(_(
            "Someone else saved this case at %(time)s: nothing was changed. The page now shows the case as saved; "
            "take the step again if it is still needed.") % {"time": _saved_at(case)}))
    except ValidationError as error:
        apply_errors([form], error)
        return render_detail(request, case, transition_form=form)
    messages.success(request, _("The case is now “%(status)s”.") % {"status": case.get_status_display()})
    return _to_case(case)


# --- Members -------------------------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def member_add(request: HttpRequest, reference: str) -> HttpResponse:
    """Add a spouse, a child or another person to the case: found in the registry, or registered here."""
    case = _case(request, reference, "change")
    data = request.POST if request.method == "POST" else None
    form = MemberForm(data)
    picker = PersonPicker(request)
    if data is not None and ("add" not in data or picker.switched):
        form._errors = ErrorDict()
    elif data is not None:
        valid, known = form.is_valid(), picker.resolve()
        if valid and known:
            try:
                if picker.chosen is not None:
                    member = casework.add_member(request.user, case, picker.chosen, form.cleaned_data["role"],
                                                 request=request)
                else:
                    member = casework.add_new_member(request.user, case, picker.new_data, form.cleaned_data["role"],
                                                     request=request)
            except ValidationError as error:
                apply_errors([form, picker.choice, picker.new], error)
            else:
                messages.success(request, _("%(person)s is added to the case.") % {"person": member.person.reference})
                return _to_case(case, "members")
    return render(request, "cases/member_form.html", {
        "case": case, "form": form, **picker.context(), "other_errors": picker.has_errors,
    })


@login_required
@require_POST
def member_remove(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    case = _case(request, reference, "change")
    member = policy.get_for(request.user, CaseMember.objects.filter(case=case), "delete", pk=pk, request=request)
    try:
        casework.remove_member(request.user, member, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(person)s is no longer a member of the case.") % {
            "person": member.person.reference})
    return _to_case(case, "members")


# --- The plan ------------------------------------------------------------------------------------------
@login_required
@require_POST
def goal_add(request: HttpRequest, reference: str) -> HttpResponse:
    case = _case(request, reference, "change")
    form = GoalForm(request.POST, case=case, prefix="goal")
    if form.is_valid():
        try:
            plan.add_goal(request.user, case, title=form.cleaned_data["title"],
                              plan_type=form.cleaned_data.get("plan_type") or "",
                              target_on=form.cleaned_data.get("target_on"), request=request)
        except ValidationError as error:
            apply_errors([form], error)
        else:
            messages.success(request, _("The goal is added to the plan."))
            return _to_case(case, "plan")
    return render_detail(request, case, goal_form=form)


@login_required
@require_http_methods(["GET", "POST"])
def goal_edit(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    case = _case(request, reference, "change")
    goal = policy.get_for(request.user, Goal.objects.filter(case=case), "change", pk=pk, request=request)
    initial = {"title": goal.title, "plan_type": goal.plan_type, "status": goal.status, "target_on": goal.target_on,
               "version": goal.version}
    form = GoalEditForm(request.POST or None, case=case, initial=initial)
    conflict, status = None, 200
    if request.method == "POST" and form.is_valid():
        cleaned = form.cleaned_data
        try:
            plan.edit_goal(request.user, goal, version=cleaned["version"], title=cleaned["title"],
                               plan_type=cleaned.get("plan_type") or "", status=cleaned["status"],
                               target_on=cleaned.get("target_on"), request=request)
        except casework.ConflictError as error:
            saved = error.current
            plan_types = dict(workflow_for(case.programme).plan_types)
            conflict, status = Conflict(_(
                "Someone else saved this goal since you opened it: your changes were not saved. Their version is "
                "shown beside yours; check it, then save again to keep yours, or cancel to keep theirs."), _rows([
                    (_("Goal"), saved.title, cleaned["title"]),
                    (_("Type of support"), plan_types.get(saved.plan_type, saved.plan_type),
                     plan_types.get(cleaned.get("plan_type"), cleaned.get("plan_type"))),
                    (_("Status"), saved.get_status_display(), dict(form.fields["status"].choices)[cleaned["status"]]),
                    (_("Planned end"), saved.target_on, cleaned.get("target_on")),
                ])), 409
            data = request.POST.copy()
            data["version"] = str(saved.version)
            form = GoalEditForm(data, case=case)
            form.is_valid()
        except ValidationError as error:
            apply_errors([form], error)
        else:
            messages.success(request, _("The goal is saved."))
            return _to_case(case, "plan")
    return render(request, "cases/goal_form.html", {"case": case, "goal": goal, "form": form, "conflict": conflict},
                  status=status)


@login_required
@require_POST
def task_add(request: HttpRequest, reference: str) -> HttpResponse:
    case = _case(request, reference, "change")
    form = TaskForm(request.POST, case=case, prefix="task")
    if form.is_valid():
        cleaned = form.cleaned_data
        try:
            plan.add_task(request.user, case, title=cleaned["title"], due_on=cleaned.get("due_on"),
                              assigned_to=cleaned.get("assigned_to"), goal=cleaned.get("goal"), request=request)
        except ValidationError as error:
            apply_errors([form], error)
        else:
            messages.success(request, _("The task is added to the plan."))
            return _to_case(case, "plan")
    return render_detail(request, case, task_form=form)


@login_required
@require_POST
def task_done(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    case = _case(request, reference, "change")
    task = policy.get_for(request.user, Task.objects.filter(case=case), "change", pk=pk, request=request)
    form = TaskDoneForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The page was out of date: try again."))
        return _to_case(case, "plan")
    done = form.cleaned_data["done"]
    try:
        plan.set_task_done(request.user, task, version=form.cleaned_data["version"], done=done, request=request)
    except casework.ConflictError as error:
        saved = error.current
        yes, no = _("done"), _("not done")
        return render_detail(request, case, status=409, conflict=Conflict(_(
            "Someone else changed the task “%(task)s” since this page was opened: nothing was changed. The page now "
            "shows it as saved.") % {"task": casework._short(saved.title, 60)},
            _rows([(_("Task"), yes if saved.done_at else no, yes if done else no)])))
    messages.success(request, _("The task is marked done.") if done else _("The task is marked not done."))
    return _to_case(case, "plan")


# --- Notes -------------------------------------------------------------------------------------------
@login_required
@require_POST
def note_add(request: HttpRequest, reference: str) -> HttpResponse:
    case = _case(request, reference, "change")
    form = NoteForm(request.POST, prefix="note")
    if form.is_valid():
        try:
            notes.add_note(request.user, case, form.cleaned_data["text"], request=request)
        except ValidationError as error:
            apply_errors([form], error)
        else:
            messages.success(request, _("The note is added."))
            return _to_case(case, "notes")
    return render_detail(request, case, note_form=form)


@login_required
@require_http_methods(["GET", "POST"])
def note_edit(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    case = _case(request, reference, "change")
    note = policy.get_for(request.user, CaseNote.objects.filter(case=case).select_related("author"), "change",
                          pk=pk, request=request)
    if note.author_id != request.user.pk:
        policy.record_denial(request.user, "cases.casenote", str(note.pk), request)
        raise Http404
    form = NoteEditForm(request.POST or None, initial={"text": note.text, "version": note.version})
    conflict, status = None, 200
    if request.method == "POST" and form.is_valid():
        try:
            notes.edit_note(request.user, note, version=form.cleaned_data["version"],
                               text=form.cleaned_data["text"], request=request)
        except casework.ConflictError as error:
            saved = error.current
            message = _("This note was saved again at %(time)s (in another window?) since you opened it: your "
                        "changes were not saved. The saved text is shown beside yours; save again to keep yours, or "
                        "cancel to keep it.") % {"time": _saved_at(saved, "edited_at")}
            conflict = Conflict(message, _rows([(_("Note"), saved.text, form.cleaned_data["text"])]))
            status = 409
            data = request.POST.copy()
            data["version"] = str(saved.version)
            form = NoteEditForm(data)
            form.is_valid()
        except ValidationError as error:
            apply_errors([form], error)
        else:
            messages.success(request, _("The note is saved."))
            return _to_case(case, "notes")
    return render(request, "cases/note_form.html", {"case": case, "note": note, "form": form, "conflict": conflict},
                  status=status)


# --- Attachments ---------------------------------------------------------------------------------------
@login_required
@require_POST
def attachment_upload(request: HttpRequest, reference: str) -> HttpResponse:
    case = _case(request, reference, "change")
    form = AttachmentForm(request.POST, request.FILES, prefix="attachment")
    if form.is_valid():
        try:
            notes.upload_attachment(request.user, case, upload=form.cleaned_data["file"],
                                       kind=form.cleaned_data["kind"],
                                       description=form.cleaned_data.get("description") or "", request=request)
        except ValidationError as error:
            apply_errors([form], error)
        else:
            messages.success(request, _("The file is kept with the case."))
            return _to_case(case, "attachments")
    return render_detail(request, case, attachment_form=form)


@login_required
@require_GET
def attachment(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    """The file, only through the policy, as a download under its original name; the reading is audited."""
    case = _case(request, reference)
    kept = policy.get_for(request.user, Attachment.objects.filter(case=case, removed_at__isnull=True), "view",
                          pk=pk, request=request)
    try:
        handle = kept.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    record(Action.VIEW, kept, actor=request.user, request=request)
    response = FileResponse(handle, as_attachment=True, filename=kept.original_name,
                            content_type=kept.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def attachment_remove(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    case = _case(request, reference, "change")
    kept = policy.get_for(request.user, Attachment.objects.filter(case=case, removed_at__isnull=True), "change",
                          pk=pk, request=request)
    notes.remove_attachment(request.user, kept, request=request)
    messages.success(request, _("The file is removed from the case."))
    return _to_case(case, "attachments")


# --- Consent (the consents panel's withdraw button posts here) -----------------------------------------
@login_required
@require_POST
def consent_withdraw(request: HttpRequest, reference: str, consent_id: int) -> HttpResponse:
    """Withdraw a member's consent from the case page: it stops covering anything at once."""
    case = policy.get_for(request.user, Case, "view", reference=reference, request=request)
    consent = policy.get_for(request.user, ConsentRecord.objects.filter(person__case_memberships__case=case)
                             .select_related("person", "recipient_organisation"),
                             "change", pk=consent_id, request=request)
    try:
        consent_views.withdraw_on_cases(request, consent)  # with its line on the timeline of the person's cases
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The consent is withdrawn. It no longer covers any sharing."))
    return redirect(reverse("cases:detail", args=[case.reference]) + "#consents")

