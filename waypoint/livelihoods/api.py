"""The direct assistance programme in the REST API (`/api/v1/livelihoods/...`), under the access policy.

Enterprises: `VIEW_ENTERPRISES` (the programme's staff; 404 and an audited denial for everyone else). A grant:
the DAP case the user may see (404 otherwise), its application, assessment, items and visits; reading it is
audited. Writes go through the services the pages use: refused data answer 422 naming the fields (an item above
the approved value among them), a stale `version` 409 with the saved version; nothing is half-saved.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from waypoint.accounts import policy
from waypoint.accounts.models import Programme
from waypoint.api import paging
from waypoint.api.errors import invalid
from waypoint.audit.models import Action
from waypoint.audit.services import record
from waypoint.cases.api_common import ConflictOut, ErrorOut, FieldErrors, case_user, organisation_for, staff_member
from waypoint.cases.locking import ConflictError
from waypoint.cases.models import Case

from . import items, visits
from .models import Enterprise, FollowUpVisit, GrantApplication, GrantItem
from .workflow import DAP_WORKFLOW

router = Router(tags=["direct assistance"])


class EnterpriseMemberOut(Schema):
    person: str = Field(description="Person reference (P-…)")
    role: str


class EnterpriseOut(Schema):
    id: int
    name: str
    settlement: str
    region: str
    district: str
    activity: str
    registered_on: datetime.date
    version: int


class EnterpriseDetailOut(EnterpriseOut):
    description: str
    members: list[EnterpriseMemberOut]
    applications: list[str] = Field(description="References of the grant applications (cases) you may see")


class EnterprisePageOut(Schema):
    count: int
    next: str | None
    previous: str | None
    results: list[EnterpriseOut]


class EnterpriseQuery(Schema):
    settlement: int | None = None
    activity: str | None = None
    limit: int = Field(50, ge=1, le=100)
    offset: int = Field(0, ge=0)


class ItemOut(Schema):
    id: int
    item_type: str
    description: str
    quantity: int
    value: Decimal
    currency: str
    supplier: UUID | None
    supplier_name: str
    delivered_on: datetime.date | None
    handover_act_number: str
    handover_act_date: datetime.date | None
    status: str
    version: int


class VisitOut(Schema):
    id: int
    visited_on: datetime.date
    visited_by: str
    operating: str
    monthly_income: Decimal | None
    currency: str
    jobs_created: int
    jobs_women: int
    jobs_migrants: int
    items_in_use: str


class GrantOut(Schema):
    case: str
    status: str
    status_label: str
    enterprise: int
    received_on: datetime.date
    plan: str
    requested_value: Decimal
    currency: str
    planned_items: str
    expected_monthly_income: Decimal | None
    expected_jobs: int
    scores: dict[str, int]
    score: int | None
    assessed_on: datetime.date | None
    assessor: str | None
    recommendation: str
    decision: str
    approved_value: Decimal | None
    decided_by: str | None
    decided_on: datetime.date | None
    rejection_reason: str
    remaining: Decimal | None = Field(description="What is left of the approved value for items")
    version: int = Field(description="The application's version: send it when adding an item")
    items: list[ItemOut]
    visits: list[VisitOut]


class ItemIn(Schema):
    version: int = Field(description="The application's version you read")
    item_type: str
    description: str
    quantity: int = 1
    value: Decimal
    currency: str | None = None
    supplier: UUID | None = None
    supplier_name: str = ""
    delivered_on: datetime.date | None = None
    handover_act_number: str = ""
    handover_act_date: datetime.date | None = None


class VisitIn(Schema):
    visited_on: datetime.date
    visited_by: str | None = Field(None, description="Username; by default you")
    operating: str
    monthly_income: Decimal | None = None
    currency: str | None = None
    jobs_created: int = 0
    jobs_women: int = 0
    jobs_migrants: int = 0
    items_in_use: str
    notes: str = ""


def _enterprise_user(request: HttpRequest):
    user = request.auth
    policy.require(user, policy.VIEW_ENTERPRISES, request=request)
    return user


def _enterprise_row(enterprise: Enterprise) -> dict[str, Any]:
    return {"id": enterprise.pk, "name": enterprise.name, "settlement": enterprise.settlement.name,
            "region": enterprise.settlement.region, "district": enterprise.settlement.district,
            "activity": enterprise.activity, "registered_on": enterprise.registered_on,
            "version": enterprise.version}


@router.get("/enterprises", response={200: EnterprisePageOut}, url_name="livelihoods_enterprises",
            summary="Enterprises of the direct assistance programme")
def list_enterprises(request: HttpRequest, params: Query[EnterpriseQuery]):
    user = _enterprise_user(request)
    rows = policy.scope(user, Enterprise.objects.select_related("settlement")).order_by("name", "id")
    if params.settlement:
        rows = rows.filter(settlement_id=params.settlement)
    if params.activity:
        rows = rows.filter(activity=params.activity)
    count = rows.count()
    page = [_enterprise_row(e) for e in rows[params.offset:params.offset + params.limit]]
    return paging.page(request, count, page, params.limit, params.offset)


@router.get("/enterprises/{enterprise_id}", response=EnterpriseDetailOut, url_name="livelihoods_enterprise",
            summary="One enterprise with its members and the applications you may see")
def get_enterprise(request: HttpRequest, enterprise_id: int):
    user = _enterprise_user(request)
    enterprise = policy.get_for(user, Enterprise.objects.select_related("settlement"), pk=enterprise_id,
                                request=request)
    record(Action.VIEW, enterprise, actor=user, request=request)
    visible = policy.scope(user, Case.objects.all())
    return {
        **_enterprise_row(enterprise), "description": enterprise.description,
        "members": [{"person": m.person.reference, "role": m.role}
                    for m in enterprise.members.select_related("person").order_by("id")],
        "applications": list(enterprise.applications.filter(case__in=visible).order_by("received_on")
                             .values_list("case__reference", flat=True)),
    }


def _grant_case(user, reference: str, request: HttpRequest, action: str = "view") -> Case:
    cases = Case.objects.filter(programme=Programme.DIRECT_ASSISTANCE, grant_application__isnull=False)
    return policy.get_for(user, cases, action, reference=reference, request=request)


def _item_row(item: GrantItem) -> dict[str, Any]:
    return {name: getattr(item, name) for name in (
        "item_type", "description", "quantity", "value", "currency", "supplier_name", "delivered_on",
        "handover_act_number", "handover_act_date", "status", "version")} | {"id": item.pk,
                                                                             "supplier": item.supplier_id}


def _visit_row(visit: FollowUpVisit) -> dict[str, Any]:
    return {name: getattr(visit, name) for name in (
        "visited_on", "operating", "monthly_income", "currency", "jobs_created", "jobs_women", "jobs_migrants",
        "items_in_use")} | {"id": visit.pk, "visited_by": visit.visited_by.get_username()}


def _grant(user, case: Case) -> dict[str, Any]:
    application = policy.scope(user, GrantApplication.objects.filter(case=case)).select_related(
        "assessor", "decided_by").get()
    return {
        "case": case.reference, "status": case.status, "status_label": DAP_WORKFLOW.label(case.status),
        "enterprise": application.enterprise_id, "received_on": application.received_on,
        **{name: getattr(application, name) for name in (
            "plan", "requested_value", "currency", "planned_items", "expected_monthly_income", "expected_jobs",
            "score", "assessed_on", "recommendation", "decision", "approved_value", "decided_on",
            "rejection_reason", "version")},
        "scores": application.scores or {},
        "assessor": application.assessor.get_username() if application.assessor_id else None,
        "decided_by": application.decided_by.get_username() if application.decided_by_id else None,
        "remaining": items.remaining(application) if application.approved_value is not None else None,
        "items": [_item_row(i) for i in policy.scope(user, GrantItem.objects.filter(case=case)).order_by("id")],
        "visits": [_visit_row(v) for v in policy.scope(user, FollowUpVisit.objects.filter(case=case))
                   .select_related("visited_by").order_by("visited_on", "id")],
    }


@router.get("/grants/{reference}", response=GrantOut, url_name="livelihoods_grant",
            summary="A grant application: plan, assessment, decision, items and visits (the read is audited)")
def get_grant(request: HttpRequest, reference: str):
    user = case_user(request)
    case = _grant_case(user, reference, request)
    record(Action.VIEW, case, actor=user, request=request, changes={"shown": ["", "grant"]})
    return _grant(user, case)


@router.post("/grants/{reference}/items", response={201: ItemOut, 409: ConflictOut, 422: ErrorOut},
             url_name="livelihoods_add_item", summary="Add an item bought for the grant")
def add_item(request: HttpRequest, reference: str, payload: ItemIn):
    """422 naming the fields (an item that would take the items above the approved value says how much remains);
    409 with the application's current version when it changed since you read it."""
    user = case_user(request)
    case = _grant_case(user, reference, request, "change")
    errors = FieldErrors()
    supplier = errors.check(organisation_for, user, payload.supplier, "supplier") if payload.supplier else None
    try:
        errors.raise_any()
        item = items.add_item(
            user, case, version=payload.version, request=request, item_type=payload.item_type,
            description=payload.description, quantity=payload.quantity, value=payload.value,
            currency=payload.currency, supplier=supplier, supplier_name=payload.supplier_name,
            delivered_on=payload.delivered_on, handover_act_number=payload.handover_act_number,
            handover_act_date=payload.handover_act_date)
    except ConflictError as error:
        return Status(409, {"detail": _("Someone else changed this grant since you read it: read it again and "
                                        "repeat your change."), "version": error.current.version})
    except ValidationError as error:
        return invalid(error)
    return Status(201, _item_row(item))


@router.post("/grants/{reference}/visits", response={201: VisitOut, 422: ErrorOut},
             url_name="livelihoods_record_visit", summary="Record a follow-up visit")
def record_visit(request: HttpRequest, reference: str, payload: VisitIn):
    user = case_user(request)
    case = _grant_case(user, reference, request, "change")
    errors = FieldErrors()
    visited_by = errors.check(staff_member, payload.visited_by, "visited_by") if payload.visited_by else user
    try:
        errors.raise_any()
        visit = visits.record_visit(
            user, case, visited_on=payload.visited_on, visited_by=visited_by, operating=payload.operating,
            items_in_use=payload.items_in_use, monthly_income=payload.monthly_income,
            currency=payload.currency or "", jobs_created=payload.jobs_created, jobs_women=payload.jobs_women,
            jobs_migrants=payload.jobs_migrants, notes=payload.notes, request=request)
    except ValidationError as error:
        return invalid(error)
    return Status(201, _visit_row(visit))
