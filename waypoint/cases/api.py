"""Cases and their services in the REST API (referrals: `cases.api_referrals`), under the access policy.

The API shows no more than the pages. Cases: VIEW_CASES (case workers and programme managers; 404 and an
audited denial for everyone else), rows from `policy.scope` (a case worker sees the cases they own or are
assigned to, a programme manager those of their programmes); reading one case, or its services, is audited
like the case page. Referrals: VIEW_REFERRALS; a partner user sees the referrals to their organisation and,
of each, only what was shared and what the person's consent still covers (`cases.sharing.visible_rows`, the
gate of the referral page), never the person record; another organisation's referral is a 404, audited.
Every write goes through the service the pages use (`casework`, `deliveries`, `services`), so a request
meets exactly the rules of the form: refused data answer 422 naming the fields, a stale `version` 409 with
the saved version, and nothing is half-saved.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict

from waypoint.accounts import policy
from waypoint.accounts.models import Programme, User
from waypoint.api import paging
from waypoint.api.errors import invalid
from waypoint.audit.models import Action
from waypoint.audit.services import record
from waypoint.people.api import IsoDate

from . import casework, deliveries
from .api_common import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    ConflictOut,
    ErrorOut,
    FieldErrors,
    _conflict,
    _person_reference,
    _visible_person,
    case_member,
    case_user,
    organisation_for,
    staff_member,
    staff_members,
)
from .locking import ConflictError
from .models import (
    Case,
    CaseMember,
    Channel,
    DeliveryStatus,
    Goal,
    Referral,
    RiskLevel,
    ServiceDelivery,
    ServiceType,
    Task,
)

cases_router = Router(tags=["cases"])
service_types_router = Router(tags=["services delivered"])


class CaseRowOut(Schema):
    """A case in a list: who holds it, where it stands, how it came; the principal by reference only."""

    reference: str
    programme: str
    status: str
    status_label: str
    opened_on: datetime.date
    closed_on: datetime.date | None
    closure_reason: str
    owner: str = Field(description="Username of the owner")
    assigned: list[str] = Field(description="Usernames of the assigned staff")
    office: str = Field(description="Office code")
    channel: str
    referring_organisation: UUID | None
    risk_level: str
    vulnerabilities: list[str]
    principal: str | None = Field(description="Person reference (P-…) of the principal")
    version: int


class CaseMemberOut(Schema):
    person: str = Field(description="Person reference (P-…)")
    role: str


class GoalOut(Schema):
    id: int
    title: str
    plan_type: str
    status: str
    target_on: datetime.date | None
    achieved_on: datetime.date | None


class TaskOut(Schema):
    id: int
    goal: int | None
    title: str
    due_on: datetime.date | None
    assigned_to: str | None
    done_at: datetime.datetime | None


class TransitionOut(Schema):
    """A workflow step offered from the case's status, with what would refuse it now (checked again when taken)."""

    action: str
    label: str
    target: str
    closing: bool = Field(description="The step closes the case: it needs a closure_reason")
    needs_note: bool
    dated: bool = Field(description="The step takes the day it happened (`on`)")
    closure_reasons: list[str] = Field(description="For a closing step, the closure_reason codes it accepts")
    blocked_by: list[str] = Field(description="Reasons the workflow's guards give now; empty: it may be taken")


class CaseOut(CaseRowOut):
    summary: str
    members: list[CaseMemberOut]
    goals: list[GoalOut]
    tasks: list[TaskOut]
    transitions: list[TransitionOut]


class CasePageOut(Schema):
    count: int
    next: str | None
    previous: str | None
    results: list[CaseRowOut]


class CaseQuery(Schema):
    programme: str = Field("", description="Programme code, e.g. CT")
    status: str = Field("", description="A status of the programme's workflow")
    owner: str = Field("", description="`me`, or a username")
    risk: str = Field("", description="low, medium or high")
    opened_after: datetime.date | None = Field(None, description="Opened on or after this day")
    opened_before: datetime.date | None = Field(None, description="Opened on or before this day")
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0)


class CaseIn(Schema):
    """A new case. Required: principal and channel; programme when you work in more than one."""

    model_config = ConfigDict(extra="forbid")

    programme: str | None = Field(None, description="One of your programmes; may be left out when you have one")
    principal: str | int | None = Field(None, description="The person assisted: reference (P-0000042) or id")
    owner: str | None = Field(None, description="Username of a case worker or programme manager; default: you")
    assigned: list[str] = Field(default_factory=list, description="Usernames of staff of the programme")
    channel: str = Field("", description=", ".join(Channel.values))
    referring_organisation: UUID | None = Field(None, description="Id of the organisation that referred the case")
    risk_level: str = Field(RiskLevel.MEDIUM.value, description="low, medium or high")
    vulnerabilities: list[str] = Field(default_factory=list)
    summary: str = ""
    opened_on: IsoDate | None = Field(None, description="Default: today")


class CasePatch(Schema):
    """Only the fields sent change; `version` is the one the client read (optimistic locking)."""

    model_config = ConfigDict(extra="forbid")

    version: int
    summary: str | None = None
    risk_level: str | None = None
    vulnerabilities: list[str] | None = None
    owner: str | None = Field(None, description="Username")
    assigned: list[str] | None = Field(None, description="Usernames; replaces the list")
    channel: str | None = None
    referring_organisation: UUID | None = Field(None, description="null: referred by no organisation")


class TransitionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    action: str = Field(description="A workflow action, e.g. start_assistance, close, reopen")
    version: int
    note: str = Field("", description="Required for the steps that need a reason (reopening...)")
    closure_reason: str = Field("", description="Required when the step closes the case")
    on: datetime.date | None = Field(None, description="The day the step happened (not in the future); default today")


class ServiceTypeOut(Schema):
    code: str
    name: str = Field(description="In the language of the request")
    name_en: str
    name_ru: str
    programmes: list[str] = Field(description="Where it is offered; empty: every programme")
    is_accommodation: bool
    is_movement: bool
    default_cost: Decimal | None
    in_use: bool


class ServiceTypeQuery(Schema):
    programme: str = Field("", description="Only the types offered in this programme")
    include_retired: bool = Field(False, description="Also the types no longer in use")


class DeliveryOut(Schema):
    id: int
    service_type: str = Field(description="Code in the catalogue")
    service_name: str
    person: str | None = Field(description="Person reference of the member served")
    status: str
    delivered_on: datetime.date
    delivered_by: str | None = Field(description="Username of the staff member who delivered it")
    partner: UUID | None = Field(description="Organisation that delivered it")
    partner_name: str | None
    cost: Decimal | None
    currency: str
    outcome: str
    referral: str | None = Field(description="Reference of the referral it came through")
    recorded_by: str | None
    recorded_at: datetime.datetime
    version: int


class DeliveryIn(Schema):
    """A service given on the case: by a staff member (`delivered_by`) or a partner (`partner`)."""

    model_config = ConfigDict(extra="forbid")

    service_type: str = Field("", description="Code in the catalogue (GET /api/v1/service-types)")
    person: str | int | None = Field(None, description="Member served: reference or id; null: the whole case")
    delivered_on: IsoDate | None = None
    status: str = Field(DeliveryStatus.DELIVERED.value, description=", ".join(DeliveryStatus.values))
    delivered_by: str | None = Field(None, description="Username of staff")
    partner: UUID | None = Field(None, description="Organisation id")
    cost: Decimal | None = Field(None, max_digits=10, decimal_places=2, description="e.g. 1500.00")
    currency: str = "RUB"
    outcome: str = ""
    referral: str | None = Field(None, description="Reference of the case's referral the service came through")


# --- Cases --------------------------------------------------------------------------------------
def _with_people(cases: QuerySet[Case]) -> QuerySet[Case]:
    return cases.select_related("office", "owner").prefetch_related(
        Prefetch("assigned", queryset=User.objects.order_by("username")),
        Prefetch("members", queryset=CaseMember.objects.order_by("id")),
    )


def _cases(user: User) -> QuerySet[Case]:
    return _with_people(policy.scope(user, Case.objects.all()))


def _case_row(case: Case) -> dict[str, Any]:
    principal = next((m.person_id for m in case.members.all() if m.role == "principal"), None)
    return {
        "reference": case.reference, "programme": case.programme, "status": case.status,
        "status_label": case.get_status_display(), "opened_on": case.opened_on, "closed_on": case.closed_on,
        "closure_reason": case.closure_reason, "owner": case.owner.get_username(),
        "assigned": [staff.get_username() for staff in case.assigned.all()], "office": case.office.code,
        "channel": case.channel, "referring_organisation": case.referring_organisation_id,
        "risk_level": case.risk_level, "vulnerabilities": list(case.vulnerabilities or []),
        "principal": _person_reference(principal), "version": case.version,
    }


def _case_detail(user: User, case: Case, *, handed_over: bool = False) -> dict[str, Any]:
    """`handed_over`: the user's own write just took the case out of their hands (a new owner): the answer
    is the case as they saved it, the last they see of it."""
    goals = Goal.objects.filter(case=case).order_by("id")
    tasks = Task.objects.filter(case=case).select_related("assigned_to")
    if not handed_over:
        goals, tasks = policy.scope(user, goals), policy.scope(user, tasks)
    return {
        **_case_row(case),
        "summary": case.summary,
        "members": [{"person": _person_reference(m.person_id), "role": m.role} for m in case.members.all()],
        "goals": [{"id": g.pk, "title": g.title, "plan_type": g.plan_type, "status": g.status,
                   "target_on": g.target_on, "achieved_on": g.achieved_on} for g in goals],
        "tasks": [{"id": t.pk, "goal": t.goal_id, "title": t.title, "due_on": t.due_on,
                   "assigned_to": t.assigned_to.get_username() if t.assigned_to_id else None,
                   "done_at": t.done_at} for t in tasks],
        "transitions": [
            {"action": choice.action, "label": choice.label, "target": choice.transition.target,
             "closing": choice.closing, "needs_note": choice.transition.needs_note,
             "dated": choice.transition.dated, "closure_reasons": [code for code, _label in choice.closure_choices],
             "blocked_by": list(choice.reasons)}
            for choice in casework.available_actions(case)
        ],
    }


def _one_case(user: User, reference: str, request: HttpRequest) -> Case:
    return policy.get_for(user, _cases(user), reference=reference, request=request)


def _case_answer(user: User, reference: str, request: HttpRequest) -> dict[str, Any]:
    """The whole case, as the case page shows it: reading it is recorded, like opening the page."""
    case = _one_case(user, reference, request)
    record(Action.VIEW, case, actor=user, request=request)
    return _case_detail(user, case)


def _saved_answer(user: User, case: Case, request: HttpRequest) -> dict[str, Any]:
    """The case after the user's change, recorded as a read. A change may hand the case over (a new owner,
    the user no longer assigned): the answer is still the case as saved, and later reads answer 404."""
    visible = _cases(user).filter(pk=case.pk).first()
    current = visible or _with_people(Case.objects.filter(pk=case.pk)).get()
    record(Action.VIEW, current, actor=user, request=request)
    return _case_detail(user, current, handed_over=visible is None)


@cases_router.get("", response={200: CasePageOut, 422: ErrorOut}, url_name="cases", summary="Cases you may see")
def list_cases(request: HttpRequest, params: Query[CaseQuery]):
    """Newest first. A case worker sees the cases they own or are assigned to; a programme manager every case
    of their programmes."""
    user = case_user(request)
    problems: dict[str, list[str]] = {}
    if params.programme and params.programme not in Programme.values:
        problems["programme"] = [_("Unknown programme: %(code)s.") % {"code": params.programme}]
    if params.risk and params.risk not in RiskLevel.values:
        problems["risk"] = [_("Unknown risk level: %(code)s.") % {"code": params.risk}]
    if params.opened_after and params.opened_before and params.opened_after > params.opened_before:
        problems["opened_before"] = [_("The end date is before the start date.")]
    if problems:
        return invalid(ValidationError(problems))
    rows = _cases(user)
    if params.programme:
        rows = rows.filter(programme=params.programme)
    if params.status:
        rows = rows.filter(status=params.status)
    if params.owner:
        rows = rows.filter(owner=user) if params.owner == "me" else rows.filter(owner__username=params.owner)
    if params.risk:
        rows = rows.filter(risk_level=params.risk)
    if params.opened_after:
        rows = rows.filter(opened_on__gte=params.opened_after)
    if params.opened_before:
        rows = rows.filter(opened_on__lte=params.opened_before)
    rows = rows.order_by("-opened_on", "-id")
    count = rows.count()
    limit, offset = params.limit, params.offset
    shown = list(rows[offset:offset + limit])
    if shown:  # which cases were listed, like the case list page
        record(Action.VIEW, actor=user, object_type="cases.list", request=request,
               changes={"shown": [", ".join(str(case.pk) for case in shown)]})
    return paging.page(request, count, [_case_row(c) for c in shown], limit, offset)


@cases_router.post("", response={201: CaseOut, 422: ErrorOut}, url_name="open_case", summary="Open a case")
def open_case(request: HttpRequest, payload: CaseIn):
    """The rules of the page that opens a case: a person of the registry you may see as principal, a
    programme of yours, its staff as owner and assigned; 422 naming every refused field, nothing saved."""
    user = case_user(request)
    errors = FieldErrors()
    programme = payload.programme
    mine = list(user.programmes or [])
    if not programme:
        if len(mine) == 1:
            programme = mine[0]
        else:
            errors.found["programme"] = [_("Choose the programme of the case: %(codes)s.") % {
                "codes": ", ".join(mine) or "-"}]
    principal = errors.check(_visible_person, user, payload.principal, "principal", request)
    owner = errors.check(staff_member, payload.owner, "owner") if payload.owner else user
    assigned = errors.check(staff_members, payload.assigned, "assigned") or []
    referring = None
    if payload.referring_organisation is not None:
        referring = errors.check(organisation_for, user, payload.referring_organisation, "referring_organisation")
    try:
        errors.raise_any()
        case = casework.open_case(
            user, programme=programme, principal=principal, owner=owner, channel=payload.channel,
            referring_organisation=referring, assigned=assigned, risk_level=payload.risk_level,
            vulnerabilities=payload.vulnerabilities, summary=payload.summary, opened_on=payload.opened_on,
            request=request,
        )
    except ValidationError as error:
        return invalid(error)
    # Opened for a colleague, the case may be out of the user's hands already: the answer still shows what
    # they have just opened.
    visible = _cases(user).filter(pk=case.pk).first()
    opened = visible or _with_people(Case.objects.filter(pk=case.pk)).get()
    return Status(201, _case_detail(user, opened, handed_over=visible is None))


@cases_router.get("/{reference}", response=CaseOut, url_name="case", summary="One case (the read is audited)")
def get_case(request: HttpRequest, reference: str):
    user = case_user(request)
    return _case_answer(user, reference, request)


@cases_router.patch("/{reference}", response={200: CaseOut, 409: ConflictOut, 422: ErrorOut}, url_name="edit_case",
                    summary="Change a case at the version you read")
def edit_case(request: HttpRequest, reference: str, payload: CasePatch):
    """Partial change: fields not sent keep their saved values. A newer save by someone else answers 409 and
    nothing is written."""
    user = case_user(request)
    case = policy.get_for(user, Case.objects.select_related("owner", "referring_organisation"), "change",
                          reference=reference, request=request)
    sent = payload.dict(exclude_unset=True, exclude={"version"})
    errors = FieldErrors()
    values: dict[str, Any] = {
        "summary": case.summary, "risk_level": case.risk_level, "vulnerabilities": list(case.vulnerabilities or []),
        "owner": case.owner, "assigned": list(case.assigned.all()), "channel": case.channel,
        "referring_organisation": case.referring_organisation,
    }
    for name in ("summary", "risk_level", "channel"):
        if name in sent:
            values[name] = sent[name] if sent[name] is not None else ("" if name == "summary" else None)
    if "vulnerabilities" in sent:
        values["vulnerabilities"] = sent["vulnerabilities"] or []
    if "owner" in sent:
        if sent["owner"]:
            values["owner"] = errors.check(staff_member, sent["owner"], "owner")
        else:
            errors.found["owner"] = [_("A case always has an owner: give a username.")]
    if "assigned" in sent:
        values["assigned"] = errors.check(staff_members, sent["assigned"] or [], "assigned") or []
    if "referring_organisation" in sent:
        organisation = sent["referring_organisation"]
        values["referring_organisation"] = (
            errors.check(organisation_for, user, organisation, "referring_organisation") if organisation else None)
    try:
        errors.raise_any()
        casework.edit_case(user, case, version=payload.version, request=request, **values)
    except ConflictError as conflict:
        return _conflict(conflict.current, "case")
    except ValidationError as error:
        return invalid(error)
    return Status(200, _saved_answer(user, case, request))


@cases_router.post("/{reference}/transitions", response={200: CaseOut, 409: ConflictOut, 422: ErrorOut},
                   url_name="case_transition", summary="Take a workflow step (close, reopen...)")
def transition(request: HttpRequest, reference: str, payload: TransitionIn):
    """A step the workflow forbids now (its guards: consent, open referrals, people still in the centre)
    answers 422 with the reasons; a stale version 409; each step, taken or refused, is audited."""
    user = case_user(request)
    case = policy.get_for(user, Case.objects.all(), "change", reference=reference, request=request)
    try:
        casework.transition(user, case, payload.action, version=payload.version, note=payload.note,
                            closure_reason=payload.closure_reason, on=payload.on, request=request)
    except ConflictError as conflict:
        return _conflict(conflict.current, "case")
    except ValidationError as error:
        return invalid(error, _("This step cannot be taken now: see the reasons."))
    return Status(200, _saved_answer(user, case, request))


# --- Services delivered -------------------------------------------------------------------------
def _service_type_row(service_type: ServiceType) -> dict[str, Any]:
    return {
        "code": service_type.code, "name": service_type.name, "name_en": service_type.name_en,
        "name_ru": service_type.name_ru, "programmes": list(service_type.programmes or []),
        "is_accommodation": service_type.is_accommodation, "is_movement": service_type.is_movement,
        "default_cost": service_type.default_cost, "in_use": service_type.in_use,
    }


@service_types_router.get("", response=list[ServiceTypeOut], url_name="service_types",
                          summary="The catalogue of services the office delivers")
def list_service_types(request: HttpRequest, params: Query[ServiceTypeQuery]):
    """Staff read the catalogue (administrators edit it on the admin pages); partner users get an empty list."""
    rows = policy.scope(request.auth, ServiceType.objects.all()).order_by("order", "code")
    if not params.include_retired:
        rows = rows.filter(in_use=True)
    found = [_service_type_row(s) for s in rows]
    if params.programme:
        found = [row for row in found if not row["programmes"] or params.programme in row["programmes"]]
    return found


def _delivery_row(delivery: ServiceDelivery) -> dict[str, Any]:
    return {
        "id": delivery.pk, "service_type": delivery.service_type.code, "service_name": delivery.service_type.name,
        "person": _person_reference(delivery.person_id), "status": delivery.status,
        "delivered_on": delivery.delivered_on,
        "delivered_by": delivery.delivered_by.get_username() if delivery.delivered_by_id else None,
        "partner": delivery.partner_id, "partner_name": delivery.partner.name if delivery.partner_id else None,
        "cost": delivery.cost, "currency": delivery.currency, "outcome": delivery.outcome,
        "referral": delivery.referral.reference if delivery.referral_id else None,
        "recorded_by": delivery.recorded_by.get_username() if delivery.recorded_by_id else None,
        "recorded_at": delivery.recorded_at, "version": delivery.version,
    }


def _deliveries(user: User, case: Case) -> QuerySet[ServiceDelivery]:
    return policy.scope(user, ServiceDelivery.objects.filter(case=case)).select_related(
        "service_type", "delivered_by", "partner", "referral", "recorded_by",
    ).order_by("-delivered_on", "-id")


@cases_router.get("/{reference}/services", response=list[DeliveryOut], url_name="case_services",
                  summary="Services delivered on a case (the read is audited)")
def list_case_services(request: HttpRequest, reference: str):
    user = case_user(request)
    case = _one_case(user, reference, request)
    rows = [_delivery_row(d) for d in _deliveries(user, case)]
    record(Action.VIEW, case, actor=user, request=request, changes={"shown": ["", "services"]})
    return rows


@cases_router.post("/{reference}/services", response={201: DeliveryOut, 422: ErrorOut},
                   url_name="record_delivery", summary="Record a service delivered on a case")
def record_delivery(request: HttpRequest, reference: str, payload: DeliveryIn):
    """The rules of the delivery form: a service of the catalogue offered in the case's programme (stays and
    journeys are recorded by checking in and planning a movement), a member of the case, delivered by staff
    or by a partner; 422 naming every refused field, nothing saved."""
    user = case_user(request)
    case = policy.get_for(user, Case.objects.all(), "change", reference=reference, request=request)
    errors = FieldErrors()
    service_type = ServiceType.objects.filter(code=payload.service_type).first() if payload.service_type else None
    if service_type is None:
        errors.found["service_type"] = [
            _("There is no service “%(code)s” in the catalogue.") % {"code": payload.service_type}
            if payload.service_type else _("Choose the service.")]
    person = errors.check(case_member, case, payload.person)
    delivered_by = errors.check(staff_member, payload.delivered_by, "delivered_by") if payload.delivered_by else None
    partner = errors.check(organisation_for, user, payload.partner, "partner") if payload.partner else None
    referral = None
    if payload.referral:
        referral = Referral.objects.filter(case=case, reference=payload.referral).first()
        if referral is None:
            errors.found["referral"] = [_("Referral %(reference)s is not one of this case's.")
                                        % {"reference": payload.referral}]
    try:
        errors.raise_any()
        delivery = deliveries.record_delivery(
            user, case, service_type=service_type, person=person, delivered_on=payload.delivered_on,
            status=payload.status, delivered_by=delivered_by, partner=partner, cost=payload.cost,
            currency=payload.currency, outcome=payload.outcome, referral=referral, request=request,
        )
    except ValidationError as error:
        return invalid(error)
    return Status(201, _delivery_row(_deliveries(user, case).get(pk=delivery.pk)))


