"""The enterprises' pages: the list, registering and editing an enterprise, its members, and opening a grant
application from it. Pages need `VIEW_ENTERPRISES` (staff of the direct assistance programme, else 404 audited);
an enterprise page links only the applications (cases) the user may see."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from waypoint.accounts import policy
from waypoint.accounts.models import Programme
from waypoint.audit.models import Action
from waypoint.audit.services import record
from waypoint.cases import notes
from waypoint.cases.api_common import person_pk
from waypoint.cases.models import AttachmentKind, Case
from waypoint.core.forms import apply_errors, at_saved_version
from waypoint.people.models import Person

from . import enterprises, grants
from .forms import ApplicationForm, EnterpriseEditForm, EnterpriseFilterForm, EnterpriseForm, MemberForm, NewMemberForm
from .models import Enterprise, EnterpriseMember
from .workflow import DAP_WORKFLOW

PAGE_SIZE = 50


def _user(request: HttpRequest):
    policy.require(request.user, policy.VIEW_ENTERPRISES, request=request)
    return request.user


def _enterprise(request: HttpRequest, pk: int, action: str = "view") -> Enterprise:
    return policy.get_for(request.user, Enterprise.objects.select_related("settlement"), action, pk=pk,
                          request=request)


@login_required
def enterprise_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = EnterpriseFilterForm(request.GET)
    rows = policy.scope(user, Enterprise.objects.select_related("settlement"))
    if form.is_valid():
        data = form.cleaned_data
        if data.get("q"):
            rows = rows.filter(name__icontains=data["q"])
        if data.get("settlement"):
            rows = rows.filter(settlement=data["settlement"])
        if data.get("activity"):
            rows = rows.filter(activity=data["activity"])
    page = Paginator(rows.order_by("name", "id"), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "livelihoods/enterprise_list.html", {
        "form": form, "page": page, "query": query.urlencode(),
        "may_register": True})  # every holder of VIEW_ENTERPRISES registers enterprises


@login_required
@require_http_methods(["GET", "POST"])
def enterprise_new(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = EnterpriseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            enterprise = enterprises.register_enterprise(user, request=request, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The enterprise is registered. Add its members next."))
            return redirect("livelihoods:enterprise", pk=enterprise.pk)
    return render(request, "livelihoods/enterprise_form.html", {"form": form},
                  status=400 if request.method == "POST" else 200)


@login_required
@require_http_methods(["GET", "POST"])
def enterprise_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    enterprise = _enterprise(request, pk, "change")
    status, conflict = 200, False
    if request.method == "POST":
        form = EnterpriseEditForm(request.POST, current=enterprise.settlement)
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                enterprises.edit_enterprise(user, enterprise, request=request, **data)
            except enterprises.ConflictError as error:
                conflict, status = True, 409
                form = at_saved_version(EnterpriseEditForm, request.POST, error.current.version,
                                        current=enterprise.settlement)
                enterprise = error.current
            except ValidationError as error:
                apply_errors(form, error)
                status = 400
            else:
                messages.success(request, _("The enterprise is saved."))
                return redirect("livelihoods:enterprise", pk=enterprise.pk)
        else:
            status = 400
    else:
        form = EnterpriseEditForm(current=enterprise.settlement, initial={
            "name": enterprise.name, "settlement": enterprise.settlement, "activity": enterprise.activity,
            "description": enterprise.description, "version": enterprise.version})
    return render(request, "livelihoods/enterprise_form.html", {"form": form, "enterprise": enterprise,
                                                                "conflict": conflict}, status=status)


def _detail(request: HttpRequest, enterprise: Enterprise, *, member_form=None, new_form=None, status: int = 200):
    user = request.user
    members = enterprise.members.select_related("person").order_by("id")
    visible_cases = policy.scope(user, Case.objects.all())
    applications = enterprise.applications.filter(case__in=visible_cases).select_related("case").order_by(
        "-received_on", "-id")
    hidden = enterprise.applications.exclude(case__in=visible_cases).count()
    record(Action.VIEW, enterprise, actor=user, request=request)
    return render(request, "livelihoods/enterprise_detail.html", {
        "enterprise": enterprise, "members": members, "hidden_applications": hidden,
        "applications": [(a, DAP_WORKFLOW.label(a.case.status)) for a in applications],
        "member_form": member_form or MemberForm(), "new_form": new_form or NewMemberForm(prefix="person"),
        "may_change": policy.can(user, "change", enterprise),
        "may_apply": Programme.DIRECT_ASSISTANCE in (user.programmes or []) and members.exists(),
    }, status=status)


@login_required
def enterprise_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _user(request)
    return _detail(request, _enterprise(request, pk))


@login_required
@require_POST
def member_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    enterprise = _enterprise(request, pk, "change")
    form, new = MemberForm(request.POST), NewMemberForm(request.POST, prefix="person")
    if form.is_valid() and new.is_valid():
        person = None
        reference = form.cleaned_data.get("reference")
        try:
            if reference:
                given = person_pk(reference)
                person = policy.scope(user, Person.objects.all()).filter(pk=given).first() if given else None
                if person is None:
                    raise ValidationError({"reference": [_("There is no person %(reference)s among the people you "
                                                           "may see.") % {"reference": reference}]})
            elif new.is_empty():
                raise ValidationError({"reference": [_("Give the person's record number, or register the person "
                                                       "below.")]})
            elif not (new.cleaned_data.get("family_name") or new.cleaned_data.get("given_name")):
                raise ValidationError({"family_name": [_("Enter a family name or a given name.")]})
            enterprises.add_member(user, enterprise, person=person,
                                   person_data=None if person else new.person_data(),
                                   role=form.cleaned_data["role"], joined_on=form.cleaned_data.get("joined_on"),
                                   request=request)
        except ValidationError as error:
            apply_errors([form, new], error)
        else:
            messages.success(request, _("The member is added."))
            return redirect(f"{reverse('livelihoods:enterprise', args=[enterprise.pk])}#members")
    return _detail(request, enterprise, member_form=form, new_form=new, status=400)


@login_required
@require_POST
def member_remove(request: HttpRequest, pk: int, member_id: int) -> HttpResponse:
    user = _user(request)
    enterprise = _enterprise(request, pk, "change")
    member = policy.get_for(user, EnterpriseMember.objects.filter(enterprise=enterprise), "delete", pk=member_id,
                            request=request)
    enterprises.remove_member(user, member, request=request)
    messages.success(request, _("The member is removed from the enterprise."))
    return redirect(f"{reverse('livelihoods:enterprise', args=[enterprise.pk])}#members")


@login_required
@require_http_methods(["GET", "POST"])
def application_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Open a grant application (a DAP case) for members of the enterprise, with its business plan."""
    user = _user(request)
    enterprise = _enterprise(request, pk)
    members = list(enterprise.members.select_related("person").order_by("id"))
    choices = [(str(m.person_id), f"{m.person.full_name or m.person.reference} · {m.get_role_display()}")
               for m in members]
    form = ApplicationForm(request.POST or None, request.FILES or None, members=choices, initial={
        "owner": user.pk, "received_on": timezone.localdate(), "currency": "RUB", "expected_jobs": 0})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        by_pk = {str(m.person_id): m.person for m in members}
        applicants = [by_pk[value] for value in data["applicants"] if value in by_pk]
        document = data.get("plan_document")
        try:
            if document is not None:
                notes.check_attachment(document)
            with transaction.atomic():
                case = grants.open_application(
                    user, enterprise, applicants=applicants, owner=data["owner"], received_on=data["received_on"],
                    request=request, **form.plan_data())
                if document is not None:
                    notes.upload_attachment(user, case, upload=document, kind=AttachmentKind.OTHER, request=request,
                                            description=_("Business plan"))
        except ValidationError as error:
            if hasattr(error, "error_dict") and "file" in error.error_dict:
                error = ValidationError({"plan_document": error.error_dict["file"]})
            apply_errors(form, error)
        else:
            messages.success(request, _("The grant application %(reference)s is opened.") % {
                "reference": case.reference})
            return redirect("cases:detail", reference=case.reference)
    return render(request, "livelihoods/application_form.html", {"form": form, "enterprise": enterprise},
                  status=400 if request.method == "POST" else 200)
