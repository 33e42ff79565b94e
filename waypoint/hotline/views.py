"""Pages of the consultation log: the entry form for a live call, the list of calls, one consultation, its
correction, and the follow-up queue of the site.

Every page asks the policy first (RECORD_CONSULTATIONS; one consultation through `policy.get_for`, which
answers 404 and audits a denial); every write goes through `services`.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from waypoint.accounts import policy
from waypoint.audit.models import Action
from waypoint.audit.services import record
from waypoint.people import codes

from . import services
from .forms import (
    CancelForm,
    ConsultationForm,
    EditConsultationForm,
    FilterForm,
    FollowUpForm,
    ReassignForm,
    ResultForm,
)
from .models import Consultation, FollowUp, FollowUpStatus, Topic

PAGE_SIZE = 25
RECENT_COUNT = 15


# --- Presentation -------------------------------------------------------------------------------
def _consultations(user) -> QuerySet[Consultation]:
    topics = Prefetch("topics", queryset=Topic.objects.order_by("position", "name_en"))
    return policy.scope(user, Consultation.objects.all()).select_related("site", "operator", "heard_from") \
        .prefetch_related(topics)


def _label(consultation: Consultation) -> Consultation:
    """Names in the reader's language for what the log stores as codes."""
    code = consultation.caller_nationality
    if not code:
        consultation.nationality_label = _("Not known")
    elif consultation.is_russian_national:
        consultation.nationality_label = _("Russian national")
    else:
        consultation.nationality_label = codes.country_name(code)
    consultation.language_label = codes.language_name(consultation.caller_language)
    consultation.topic_names = ", ".join(topic.name for topic in consultation.topics.all())
    consultation.is_today = timezone.localtime(consultation.started_at).date() == timezone.localdate()
    return consultation


def _summary(consultation: Consultation) -> str:
    return _("%(time)s, %(caller)s, %(topics)s") % {
        "time": timezone.localtime(consultation.started_at).strftime("%H:%M"),
        "caller": consultation.get_caller_type_display().lower(),
        "topics": ", ".join(topic.name for topic in consultation.topics.all()),
    }


# --- The entry form -----------------------------------------------------------------------------
def _entry_page(request: HttpRequest, form: ConsultationForm, *, with_list: bool) -> HttpResponse:
    user = request.user
    context: dict[str, Any] = {
        "form": form, "no_site": not services.sites_for(user).exists(), "with_list": with_list,
        "show_site": services.sites_for(user).count() > 1,
    }
    if with_list:
        recent = [_label(c) for c in _consultations(user)[:RECENT_COUNT]]
        saved_pk = request.GET.get("saved", "")
        saved = next((c for c in recent if str(c.pk) == saved_pk), None) if saved_pk.isdigit() else None
        context.update({"recent": recent, "saved": saved, "saved_summary": _summary(saved) if saved else ""})
        today = timezone.localdate()
        context["today_count"] = sum(1 for c in recent if timezone.localtime(c.started_at).date() == today)
        context["open_follow_ups"] = policy.scope(
            user, FollowUp.objects.filter(status=FollowUpStatus.OPEN)
        ).count()
    return render(request, "hotline/log.html", context)


@login_required
@require_GET
def log(request: HttpRequest) -> HttpResponse:
    """The operator's home: the entry form, ready for the next call, and the calls logged lately."""
    policy.require(request.user, policy.RECORD_CONSULTATIONS, request=request)
    return _entry_page(request, ConsultationForm(user=request.user), with_list=True)


@login_required
@require_http_methods(["GET", "POST"])
def new(request: HttpRequest) -> HttpResponse:
    """Log a call. "Save and next call" comes back to a fresh form; "Save and open" to the record."""
    user = request.user
    policy.require(user, policy.RECORD_CONSULTATIONS, request=request)
    if request.method == "GET":
        return _entry_page(request, ConsultationForm(user=user), with_list=False)
    form = ConsultationForm(request.POST, user=user)
    if form.is_valid():
        try:
            consultation = services.record_consultation(
                user, form.consultation_data(), follow_up=form.follow_up_data(), request=request,
            )
        except ValidationError as error:
            form.apply_errors(error)
        else:
            if "save_and_open" in request.POST:
                messages.success(request, _("The consultation is saved."))
                return redirect("hotline:detail", pk=consultation.pk)
            return redirect(f"{reverse('hotline:log')}?{urlencode({'saved': consultation.pk})}")
    return _entry_page(request, form, with_list=False)


# --- The list -----------------------------------------------------------------------------------
def filtered(user, form: FilterForm) -> QuerySet[Consultation]:
    rows = _consultations(user)
    if not form.is_valid():
        return rows
    data = form.cleaned_data
    if data.get("date_from"):
        rows = rows.filter(started_at__gte=_day_start(data["date_from"]))
    if data.get("date_to"):
        rows = rows.filter(started_at__lt=_day_start(data["date_to"] + datetime.timedelta(days=1)))
    for name in ("channel", "outcome"):
        if data.get(name):
            rows = rows.filter(**{name: data[name]})
    if data.get("topic"):
        rows = rows.filter(topics=data["topic"])
    if data.get("site"):
        rows = rows.filter(site=data["site"])
    return rows.distinct()


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


@login_required
@require_GET
def consultations(request: HttpRequest) -> HttpResponse:
    """Calls of the site (every site for a programme manager), newest first, filtered and paged."""
    policy.require(request.user, policy.RECORD_CONSULTATIONS, request=request)
    form = FilterForm(request.GET or None, user=request.user)
    page = Paginator(filtered(request.user, form), PAGE_SIZE).get_page(request.GET.get("page"))
    for consultation in page.object_list:
        _label(consultation)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "hotline/consultations.html", {
        "form": form, "page": page, "query": query.urlencode(), "filtered": bool(request.GET.dict().keys() - {"page"}),
    })


# --- One consultation ---------------------------------------------------------------------------
@dataclass
class Linked:
    """A referral or case of the consultation: its reference and status, and its page if the reader may open
    it (the case and referral pages belong to the case work; until they exist there is no link)."""

    reference: str
    status: str
    kind: str
    url: str


def _url_if(allowed: bool, name: str, arg: Any) -> str:
    if not allowed:
        return ""
    try:
        return reverse(name, args=[arg])
    except NoReverseMatch:
        return ""


def _linked(user, consultation: Consultation) -> tuple[Linked | None, list[Linked]]:
    case = None
    if consultation.case_id:
        c = consultation.case
        case = Linked(c.reference, c.get_status_display(), c.get_programme_display(),
                      _url_if(policy.can(user, "view", c), "cases:detail", c.reference))
    referrals = [
        Linked(r.reference, r.get_status_display(), r.get_kind_display(),
               _url_if(policy.can(user, "view", r), "referrals:detail", r.pk))
        for r in consultation.referrals.order_by("created_at")
    ]
    return case, referrals


def render_detail(request: HttpRequest, consultation: Consultation, **forms: Any) -> HttpResponse:
    """The consultation page; every rendering is an audited view (the answer and contacts are decrypted)."""
    user = request.user
    record(Action.VIEW, consultation, actor=user, request=request)
    case, referrals = _linked(user, consultation)
    follow_ups = list(consultation.follow_ups.select_related("assigned_to").order_by("due_at"))
    return render(request, "hotline/detail.html", {
        "c": _label(consultation),
        "follow_ups": follow_ups,
        "case": case,
        "referrals": referrals,
        "may_change": policy.can(user, "change", consultation),
        "follow_up_form": forms.get("follow_up_form") or FollowUpForm(prefix="fu"),
        "now": timezone.now(),
    })


def _visible(request: HttpRequest, pk: int, action: str = "view") -> Consultation:
    queryset = Consultation.objects.select_related("site", "operator", "heard_from", "case")
    return policy.get_for(request.user, queryset, action, pk=pk, request=request)


@login_required
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    policy.require(request.user, policy.RECORD_CONSULTATIONS, request=request)
    return render_detail(request, _visible(request, pk))


@login_required
@require_http_methods(["GET", "POST"])
def follow_up_add(request: HttpRequest, pk: int) -> HttpResponse:
    policy.require(request.user, policy.RECORD_CONSULTATIONS, request=request)
    consultation = _visible(request, pk)
    if request.method == "GET":
        return redirect(reverse("hotline:detail", args=[pk]) + "#follow-ups")
    form = FollowUpForm(request.POST, prefix="fu")
    if form.is_valid():
        try:
            services.add_follow_up(request.user, consultation, form.cleaned_data, request=request)
        except ValidationError as error:
            for name, errors in error.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            messages.success(request, _("The follow-up is added to the queue."))
            return redirect(reverse("hotline:detail", args=[pk]) + "#follow-ups")
    return render_detail(request, consultation, follow_up_form=form)


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct a consultation; if someone else saved it meanwhile, nothing is written and the page says so."""
    policy.require(request.user, policy.RECORD_CONSULTATIONS, request=request)
    consultation = _visible(request, pk, "change")
    form = EditConsultationForm(request.POST or None, user=request.user, instance=consultation)
    conflict = False
    if request.method == "POST" and form.is_valid():
        try:
            services.update_consultation(
                request.user, consultation, form.consultation_data(), opened=form.cleaned_data["opened"],
                request=request,
            )
        except services.ConflictError:
            conflict = True
            saved = _visible(request, pk, "change")
            form = EditConsultationForm(None, user=request.user, instance=saved)
        except ValidationError as error:
            form.apply_errors(error)
        else:
            messages.success(request, _("The changes are saved."))
            return redirect("hotline:detail", pk=pk)
    return render(request, "hotline/edit.html", {"form": form, "c": consultation, "conflict": conflict})


# --- The follow-up queue ------------------------------------------------------------------------
@dataclass
class QueueRow:
    follow_up: FollowUp
    overdue: bool
    result_form: ResultForm
    cancel_form: CancelForm
    reassign_form: ReassignForm


def _queue(request: HttpRequest, bound: dict[int, dict[str, Any]] | None = None) -> HttpResponse:
    user = request.user
    mine_only = request.GET.get("mine") == "1"
    open_ = policy.scope(user, FollowUp.objects.filter(status=FollowUpStatus.OPEN))
    if mine_only:
        open_ = open_.filter(assigned_to=user)
    open_ = open_.select_related("consultation__site", "assigned_to").prefetch_related("consultation__topics") \
        .order_by("due_at", "pk")
    now = timezone.now()
    today_end = _day_start(timezone.localdate() + datetime.timedelta(days=1))
    groups: dict[str, list[QueueRow]] = {"overdue": [], "today": [], "later": []}
    assignee_cache: dict[int, list] = {}
    for follow_up in open_:
        site_id = follow_up.consultation.site_id
        if site_id not in assignee_cache:
            assignee_cache[site_id] = services.assignees(follow_up.consultation)
        forms = (bound or {}).get(follow_up.pk, {})
        row = QueueRow(
            follow_up, follow_up.due_at < now,
            forms.get("result") or ResultForm(prefix=f"done-{follow_up.pk}"),
            forms.get("cancel") or CancelForm(prefix=f"cancel-{follow_up.pk}"),
            forms.get("reassign") or ReassignForm(
                prefix=f"reassign-{follow_up.pk}", choices=assignee_cache[site_id],
                initial={"assigned_to": follow_up.assigned_to_id},
            ),
        )
        key = "overdue" if row.overdue else "today" if follow_up.due_at < today_end else "later"
        groups[key].append(row)
    shown = [row.follow_up.pk for rows in groups.values() for row in rows]
    if shown:  # the contacts of callers are decrypted on this page: which follow-ups were shown is kept
        record(Action.VIEW, actor=user, object_type="hotline.followup", object_id="queue",
               changes={"shown": [", ".join(str(pk) for pk in shown)]}, request=request)
    return render(request, "hotline/follow_ups.html", {
        "groups": groups, "count": len(shown), "mine_only": mine_only, "now": now,
    }, status=400 if bound else 200)


@login_required
@require_GET
def follow_ups(request: HttpRequest) -> HttpResponse:
    """Open follow-ups of the site: overdue first, then today's, then later ones."""
    policy.require(request.user, policy.RECORD_CONSULTATIONS, request=request)
    return _queue(request)


def _follow_up(request: HttpRequest, pk: int) -> FollowUp:
    policy.require(request.user, policy.RECORD_CONSULTATIONS, request=request)
    queryset = FollowUp.objects.select_related("consultation", "assigned_to")
    return policy.get_for(request.user, queryset, "change", pk=pk, request=request)


def _after_queue_action(request: HttpRequest, message: str) -> HttpResponse:
    messages.success(request, message)
    back = request.POST.get("next", "")
    if back.startswith("/hotline/") and "//" not in back:
        return redirect(back)
    return redirect("hotline:follow_ups")


def _queue_error(request: HttpRequest, follow_up: FollowUp, kind: str, form, error: ValidationError) -> HttpResponse:
    if "status" in error.message_dict:  # done or cancelled meanwhile (by a colleague): it left the queue
        for message in error.message_dict["status"]:
            messages.error(request, message)
        return redirect("hotline:follow_ups")
    for name, errors in error.message_dict.items():
        form.add_error(name if name in form.fields else None, errors)
    return _queue(request, {follow_up.pk: {kind: form}})


@login_required
@require_POST
def follow_up_done(request: HttpRequest, pk: int) -> HttpResponse:
    follow_up = _follow_up(request, pk)
    form = ResultForm(request.POST, prefix=f"done-{pk}")
    if not form.is_valid():
        return _queue(request, {pk: {"result": form}})
    try:
        services.complete_follow_up(request.user, follow_up, form.cleaned_data["result"], request=request)
    except ValidationError as error:
        return _queue_error(request, follow_up, "result", form, error)
    return _after_queue_action(request, _("The follow-up is done: %(action)s") % {"action": follow_up.action})


@login_required
@require_POST
def follow_up_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    follow_up = _follow_up(request, pk)
    form = CancelForm(request.POST, prefix=f"cancel-{pk}")
    if not form.is_valid():
        return _queue(request, {pk: {"cancel": form}})
    try:
        services.cancel_follow_up(request.user, follow_up, form.cleaned_data["reason"], request=request)
    except ValidationError as error:
        return _queue_error(request, follow_up, "cancel", form, error)
    return _after_queue_action(request, _("The follow-up is cancelled: %(action)s") % {"action": follow_up.action})


@login_required
@require_POST
def follow_up_reassign(request: HttpRequest, pk: int) -> HttpResponse:
    follow_up = _follow_up(request, pk)
    form = ReassignForm(request.POST, prefix=f"reassign-{pk}", choices=services.assignees(follow_up.consultation))
    if not form.is_valid():
        return _queue(request, {pk: {"reassign": form}})
    assignee = form.cleaned_data["assigned_to"]
    try:
        services.reassign_follow_up(request.user, follow_up, assignee, request=request)
    except ValidationError as error:
        return _queue_error(request, follow_up, "reassign", form, error)
    return _after_queue_action(request, _("The follow-up is given to %(name)s.") % {
        "name": assignee.get_full_name() or assignee.get_username(),
    })
