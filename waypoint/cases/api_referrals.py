"""Referrals in the REST API: the inbox and one referral with only what the page shows, the partner's answers, and
staff referring a case member (see `cases.api` for the rules both follow)."""

from __future__ import annotations

import datetime
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Max, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict

from waypoint.accounts import policy
from waypoint.accounts.models import Role, User
from waypoint.api import paging
from waypoint.api.errors import invalid
from waypoint.audit.models import Action
from waypoint.audit.services import record
from waypoint.partners.models import Service
from waypoint.people.api import IsoDate

from . import services, sharing
from .api_common import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    ConflictOut,
    ErrorOut,
    FieldErrors,
    _conflict,
    case_member,
    case_user,
)
from .locking import ConflictError
from .models import (
    Case,
    Referral,
    ReferralDirection,
    ReferralStatus,
    ReferralUpdate,
)

referrals_router = Router(tags=["referrals"])
REFERRAL_ACTIONS = (services.ACCEPT, services.DECLINE, services.PROGRESS, services.COMPLETE, services.CANCEL)


class ReferralRowOut(Schema):
    """A referral in a list: where it went and where it stands; never the person, never what was shared."""

    id: UUID
    reference: str
    kind: str
    direction: str
    status: str
    status_label: str
    organisation: UUID
    organisation_name: str
    service: UUID | None
    service_name: str | None
    office: str = Field(description="Office code of the office that sent it")
    sent_at: datetime.datetime | None
    due_on: datetime.date | None
    overdue: bool = Field(description="Needs chasing: not answered by its due date, or accepted and no news for long")
    overdue_reason: str = Field(description="Why it needs chasing, in words (empty when it does not)")
    responded_at: datetime.datetime | None
    completed_at: datetime.datetime | None
    case: str | None = Field(description="Case reference (staff only; null for partner users)")
    version: int


class SharedRowOut(Schema):
    label: str
    value: str
    personal: bool


class ReferralUpdateOut(Schema):
    status: str
    note: str
    by: str | None
    at: datetime.datetime


class ReferralOut(ReferralRowOut):
    reason: str = Field(description="Why the person was referred (empty when not shown)")
    shared: dict[str, str] = Field(description="What was sent and may be read now, field → value as sent")
    shown: list[SharedRowOut] = Field(description="The same, labelled in the language of the request")
    notice: str = Field(description="Why personal data are held back, when they are")
    decline_reason: str
    feedback: str
    updates: list[ReferralUpdateOut]
    actions: list[str] = Field(description="What you may do now: accept, decline, progress, complete, cancel "
                                           "(send: a draft, sent from the referral page)")
    person: str | None = Field(description="Person reference (staff who may see the person only)")
    consent: int | None = Field(description="Consent record that covers the data sent (staff only)")
    created_by: str | None = Field(description="Username of who made it (staff only)")


class ReferralPageOut(Schema):
    count: int
    next: str | None
    previous: str | None
    results: list[ReferralRowOut]


class ReferralQuery(Schema):
    status: str = Field("", description=", ".join(ReferralStatus.values))
    direction: str = Field("", description="outbound or inbound")
    overdue: bool | None = Field(None, description="true: only those that need chasing; false: only the others")
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0)


class ReferralIn(Schema):
    """A member of a case referred to a partner's service, with the kinds of their data the consent covers."""

    model_config = ConfigDict(extra="forbid")

    case: str = Field("", description="Reference of the case (one you may change)")
    person: str | int | None = Field(None, description="Member referred: reference or id; default: the principal")
    service: UUID | None = Field(None, description="Service id (GET /api/v1/services)")
    reason: str = Field("", description="Why the person is referred: the partner reads this first")
    categories: list[str] = Field(default_factory=list, description="Kinds of data sent: identity, contacts, "
                                                                    "documents, situation, exploitation, health")
    typed: dict[str, str] = Field(default_factory=dict, description="Text for situation, exploitation, health")
    due_on: IsoDate | None = Field(None, description="Answer due by; default: five working days")


class ReferralActionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    version: int
    note: str = Field("", description="Required to decline, report progress, complete and cancel")


# --- Referrals ----------------------------------------------------------------------------------
def _referral_user(request: HttpRequest) -> User:
    user = request.auth
    policy.require(user, policy.VIEW_REFERRALS, request=request)
    return user


def _referrals(user: User) -> QuerySet[Referral]:
    """The referrals the user may see, each with the time of its last update (for `services.overdue_reason`)."""
    return policy.scope(user, Referral.objects.all()).select_related(
        "organisation", "service", "office", "case").annotate(last_activity=Max("updates__at"))


def _overdue(today: datetime.date) -> Q:
    """`services.overdue_reason` as a filter: sent and past its due date, or accepted (or in progress) and no
    news (no update, else no answer) for more than `services.follow_up_days()` days."""
    quiet_since = timezone.make_aware(datetime.datetime.combine(
        today - datetime.timedelta(days=services.follow_up_days()), datetime.time.min))
    following = (ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS)
    return Q(status=ReferralStatus.SENT, due_on__lt=today) | Q(status__in=following, news_at__lt=quiet_since)


def _referral_row(user: User, referral: Referral, today: datetime.date) -> dict[str, Any]:
    staff = user.role != Role.PARTNER_USER
    reason = services.overdue_reason(referral, today=today, last_activity=getattr(referral, "last_activity", None))
    return {
        "id": referral.pk, "reference": referral.reference, "kind": referral.kind, "direction": referral.direction,
        "status": referral.status, "status_label": referral.get_status_display(),
        "organisation": referral.organisation_id, "organisation_name": referral.organisation.name,
        "service": referral.service_id, "service_name": referral.service.name if referral.service_id else None,
        "office": referral.office.code, "sent_at": referral.sent_at, "due_on": referral.due_on,
        "overdue": bool(reason), "overdue_reason": reason, "responded_at": referral.responded_at,
        "completed_at": referral.completed_at,
        "case": referral.case.reference if staff and referral.case_id else None, "version": referral.version,
    }


def _referral_answer(user: User, referral_id: UUID, request: HttpRequest) -> dict[str, Any]:
    """One referral as its page shows it: what was shared, through the same gate (`sharing.visible_rows`);
    reading one that carries personal data is recorded, like the page."""
    referral = policy.get_for(
        user, _referrals(user).select_related("person", "consent", "created_by"), pk=referral_id, request=request)
    raw = sharing.loads(referral.shared)
    if referral.person_id or sharing.carries_personal_data(raw):
        record(Action.VIEW, referral, actor=user, request=request)
    shown = sharing.visible_rows(referral, user)
    shared = {name: value for name, value in raw.items() if name in sharing.BY_NAME}
    if shown.withheld:
        shared = {name: value for name, value in shared.items() if sharing.BY_NAME[name].category is None}
    staff = user.role != Role.PARTNER_USER
    updates = policy.scope(user, ReferralUpdate.objects.filter(referral=referral)).select_related("by")
    return {
        **_referral_row(user, referral, timezone.localdate()),
        "reason": referral.reason if shown.reason else "",
        "shared": shared,
        "shown": [{"label": row.label, "value": row.value, "personal": row.personal} for row in shown.rows],
        "notice": shown.notice,
        "decline_reason": referral.decline_reason, "feedback": referral.feedback,
        "updates": [{"status": u.status, "note": u.note, "by": u.by.get_username() if u.by_id else None, "at": u.at}
                    for u in updates],
        "actions": services.allowed_actions(user, referral),
        "person": (referral.person.reference if staff and referral.person_id
                   and policy.can(user, "view", referral.person) else None),
        "consent": referral.consent_id if staff else None,
        "created_by": referral.created_by.get_username() if staff and referral.created_by_id else None,
    }


@referrals_router.get("", response={200: ReferralPageOut, 422: ErrorOut}, url_name="referrals",
                      summary="Referrals you follow, or your organisation's inbox")
def list_referrals(request: HttpRequest, params: Query[ReferralQuery]):
    """A partner user: the referrals sent to their organisation. Staff: those they made, those of their cases,
    programmes or site. Newest first."""
    user = _referral_user(request)
    problems: dict[str, list[str]] = {}
    if params.status and params.status not in ReferralStatus.values:
        problems["status"] = [_("Unknown status: %(code)s.") % {"code": params.status}]
    if params.direction and params.direction not in ReferralDirection.values:
        problems["direction"] = [_("Unknown direction: %(code)s.") % {"code": params.direction}]
    if problems:
        return invalid(ValidationError(problems))
    today = timezone.localdate()
    rows = _referrals(user)
    if params.status:
        rows = rows.filter(status=params.status)
    if params.direction:
        rows = rows.filter(direction=params.direction)
    if params.overdue is not None:
        rows = rows.annotate(news_at=Coalesce("last_activity", "responded_at", "sent_at")).annotate(
            late=models.Case(models.When(_overdue(today), then=Value(True)), default=Value(False),
                             output_field=models.BooleanField()),
        ).filter(late=params.overdue)
    rows = rows.order_by("-sent_at", "-created_at", "-pk")
    count = rows.count()
    limit, offset = params.limit, params.offset
    return paging.page(request, count, [_referral_row(user, r, today) for r in rows[offset:offset + limit]],
                       limit, offset)


@referrals_router.post("", response={201: ReferralOut, 422: ErrorOut}, url_name="refer_case_member",
                       summary="Refer a member of a case to a partner service (staff)")
def refer(request: HttpRequest, payload: ReferralIn):
    """Case staff only (404 for anyone else). The person's consent for referral to the service's organisation
    must cover every kind of data sent, today: otherwise 422 with the consent's reason under `consent`,
    nothing is saved and the refusal is audited. Sent at once; the partner's users are told by email."""
    user = case_user(request)
    errors = FieldErrors()
    case = policy.scope(user, Case.objects.all(), "change").filter(reference=payload.case).first() \
        if payload.case else None
    if case is None:
        if payload.case:
            policy.record_denial(user, "cases.case", payload.case, request)
        errors.found["case"] = [_("There is no case %(reference)s among the cases you may change.")
                                % {"reference": payload.case} if payload.case else _("Give the case's reference.")]
    service = None
    if payload.service is None:
        errors.found["service"] = [_("Choose the service.")]
    else:
        service = policy.scope(user, Service.objects.filter(organization__is_active=True)).filter(
            pk=payload.service).first()
        if service is None:
            errors.found["service"] = [_("There is no service with this id in the directory.")]
    person = None
    if case is not None:
        person = errors.check(case_member, case, payload.person) if payload.person is not None else case.principal
    try:
        errors.raise_any()
        referral = services.refer_from_case(
            user, case, person=person, service=service, reason=payload.reason, categories=payload.categories,
            typed=payload.typed, due_on=payload.due_on, request=request,
        )
    except ValidationError as error:
        return invalid(error)
    return Status(201, _referral_answer(user, referral.pk, request))


@referrals_router.get("/{referral_id}", response=ReferralOut, url_name="referral",
                      summary="One referral: what was shared (the read is audited)")
def get_referral(request: HttpRequest, referral_id: UUID):
    user = _referral_user(request)
    return _referral_answer(user, referral_id, request)


def _referral_action(action: str):
    def answer(request: HttpRequest, referral_id: UUID, payload: ReferralActionIn):
        user = _referral_user(request)
        referral = policy.get_for(user, Referral.objects.all(), "change", pk=referral_id, request=request)
        try:
            services.act(user, referral, action, version=payload.version, note=payload.note, request=request)
        except ConflictError as conflict:
            return _conflict(conflict.current, "referral")
        except ValidationError as error:
            return invalid(error)
        return Status(200, _referral_answer(user, referral_id, request))

    answer.__doc__ = {
        services.ACCEPT: "Accept a referral sent to your organisation.",
        services.DECLINE: "Decline it; the note says why (required).",
        services.PROGRESS: "Report progress on an accepted referral (note required).",
        services.COMPLETE: "Report it completed; the note is your feedback (required).",
        services.CANCEL: "Staff: cancel an open referral (note required).",
    }[action]
    return answer


_ACTION_SUMMARIES = {
    services.ACCEPT: "Accept a referral", services.DECLINE: "Decline a referral",
    services.PROGRESS: "Report progress on a referral", services.COMPLETE: "Complete a referral",
    services.CANCEL: "Cancel a referral",
}
for _action in REFERRAL_ACTIONS:
    referrals_router.post(
        f"/{{referral_id}}/{_action}", response={200: ReferralOut, 409: ConflictOut, 422: ErrorOut},
        url_name=f"referral_{_action}", operation_id=f"waypoint_cases_api_referral_{_action}",
        summary=_ACTION_SUMMARIES[_action],
    )(_referral_action(_action))

