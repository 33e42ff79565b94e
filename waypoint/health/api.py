"""Migration health in the REST API (`/api/v1/health/...`), under the same rules as the pages.

Assessments (list, one, results, cancellation): VIEW_HEALTH_DATA only (the MH programme's case workers and
managers); anyone else gets 404 and an audited denial. Reading one assessment is audited like its page. A request
for an examination needs the right to change the case (any programme), and answers only what the requester may
know (no results). The clearances of a case's members go to whoever sees the case. Refused input answers 422
naming the fields, a stale `version` 409 with the saved version; nothing is half-saved.
"""

from __future__ import annotations

import datetime
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict

from waypoint.accounts import policy
from waypoint.accounts.models import Programme
from waypoint.api import paging
from waypoint.api.errors import invalid
from waypoint.audit.models import Action
from waypoint.audit.services import record
from waypoint.cases.api_common import DEFAULT_LIMIT, MAX_LIMIT, ConflictOut, ErrorOut, case_member, case_user
from waypoint.cases.models import Case
from waypoint.partners.models import Organisation
from waypoint.people.api import IsoDate

from . import services
from .clearance import clearance_of
from .models import AssessmentStatus, AssessmentType, Clearance, HealthAssessment

router = Router(tags=["migration health"])


class AssessmentRowOut(Schema):
    id: int
    case: str = Field(description="Reference of the case that asked for it")
    programme: str = Field(description="Programme of that case")
    person: str = Field(description="Person reference (P-…)")
    assessment_type: str
    status: str
    requested_on: datetime.date
    assessed_on: datetime.date | None
    clearance: str
    valid_until: datetime.date | None
    follow_up_needed: bool
    version: int


class AssessmentOut(AssessmentRowOut):
    clinic: UUID | None
    clinic_name: str | None
    results: str
    tb_result: str
    follow_up_note: str
    follow_up_case: str | None = Field(description="Reference of the migration health case that follows it up")
    cancelled_reason: str


class AssessmentPageOut(Schema):
    count: int
    next: str | None
    previous: str | None
    results: list[AssessmentRowOut]


class AssessmentQuery(Schema):
    status: str = Field("", description=", ".join(AssessmentStatus.values))
    assessment_type: str = Field("", description=", ".join(AssessmentType.values))
    programme: str = Field("", description="Programme of the case, e.g. RES")
    clearance: str = Field("", description=", ".join(Clearance.values))
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0)


class RequestIn(Schema):
    model_config = ConfigDict(extra="forbid")

    case: str = Field(description="Reference of the case")
    person: str | int = Field(description="A member of the case: reference (P-0000042) or id")
    assessment_type: str = Field(description=", ".join(AssessmentType.values))


class RequestOut(Schema):
    """What the requester may know: the request, never a result."""

    id: int
    case: str
    person: str
    assessment_type: str
    status: str
    requested_on: datetime.date


class ResultsIn(Schema):
    model_config = ConfigDict(extra="forbid")

    version: int
    assessment_type: str
    assessed_on: IsoDate | None = None
    clinic: UUID | None = Field(None, description="Id of an active organisation of the directory; null: the office")
    results: str = ""
    clearance: str = Field(Clearance.PENDING.value, description=", ".join(Clearance.values))
    valid_until: IsoDate | None = Field(None, description="Required when cleared; after assessed_on")
    tb_result: str = Field("not_done")
    follow_up_needed: bool = False
    follow_up_note: str = ""


class CancelIn(Schema):
    model_config = ConfigDict(extra="forbid")

    version: int
    reason: str = ""


class ClearanceOut(Schema):
    person: str
    role: str
    status: str = Field(description="A clearance code, or empty when never examined")
    label: str
    valid_until: datetime.date | None
    assessed_on: datetime.date | None
    requested: bool = Field(description="A clearance examination is requested and not done yet")


def _row(a: HealthAssessment) -> dict[str, Any]:
    return {"id": a.pk, "case": a.case.reference, "programme": a.case.programme, "person": a.person.reference,
            "assessment_type": a.assessment_type, "status": a.status, "requested_on": a.requested_on,
            "assessed_on": a.assessed_on, "clearance": a.clearance, "valid_until": a.valid_until,
            "follow_up_needed": a.follow_up_needed, "version": a.version}


def _detail(a: HealthAssessment) -> dict[str, Any]:
    return {**_row(a), "clinic": a.clinic_id, "clinic_name": a.clinic.name if a.clinic_id else None,
            "results": a.results, "tb_result": a.tb_result, "follow_up_note": a.follow_up_note,
            "follow_up_case": a.follow_up_case.reference if a.follow_up_case_id else None,
            "cancelled_reason": a.cancelled_reason}


def _rows(request: HttpRequest):
    user = request.auth
    policy.require(user, policy.VIEW_HEALTH_DATA, request=request)
    return user, policy.scope(user, HealthAssessment.objects.select_related("case", "person", "clinic",
                                                                            "follow_up_case"))


def _one(request: HttpRequest, pk: int, action: str = "view") -> HealthAssessment:
    user, rows = _rows(request)
    return policy.get_for(user, rows, action, pk=pk, request=request)


@router.get("/assessments", response={200: AssessmentPageOut, 422: ErrorOut}, url_name="health_assessments",
            summary="Assessments (the migration health unit only)")
def list_assessments(request: HttpRequest, params: Query[AssessmentQuery]):
    user, rows = _rows(request)
    problems: dict[str, list[str]] = {}
    for name, choices in (("status", AssessmentStatus), ("assessment_type", AssessmentType),
                          ("programme", Programme), ("clearance", Clearance)):
        value = getattr(params, name)
        if value and value not in choices.values:
            problems[name] = [_("Unknown value: %(code)s.") % {"code": value}]
    if problems:
        return invalid(ValidationError(problems))
    for name, lookup in (("status", "status"), ("assessment_type", "assessment_type"),
                         ("programme", "case__programme"), ("clearance", "clearance")):
        if getattr(params, name):
            rows = rows.filter(**{lookup: getattr(params, name)})
    rows = rows.order_by("-requested_on", "-id")
    count = rows.count()
    shown = list(rows[params.offset:params.offset + params.limit])
    if shown:
        record(Action.VIEW, actor=user, object_type="health.queue", request=request,
               changes={"shown": [", ".join(str(a.pk) for a in shown)]})
    return paging.page(request, count, [_row(a) for a in shown], params.limit, params.offset)


@router.get("/assessments/{int:assessment_id}", response=AssessmentOut, url_name="health_assessment",
            summary="One assessment with its results (the read is audited)")
def get_assessment(request: HttpRequest, assessment_id: int):
    assessment = _one(request, assessment_id)
    record(Action.VIEW, assessment, actor=request.auth, request=request)
    return _detail(assessment)


@router.post("/assessments", response={201: RequestOut, 422: ErrorOut}, url_name="health_request",
             summary="Request an examination for a member of a case you may change")
def request_examination(request: HttpRequest, payload: RequestIn):
    user = case_user(request)
    case = policy.get_for(user, Case, "change", reference=payload.case, request=request)
    try:
        person = case_member(case, payload.person)
        assessment = services.request_examination(user, case, person=person,
                                                  assessment_type=payload.assessment_type, request=request)
    except ValidationError as error:
        return invalid(error)
    return Status(201, {"id": assessment.pk, "case": case.reference, "person": assessment.person.reference,
                        "assessment_type": assessment.assessment_type, "status": assessment.status,
                        "requested_on": assessment.requested_on})


@router.put("/assessments/{int:assessment_id}/results", response={200: AssessmentOut, 409: ConflictOut, 422: ErrorOut},
            url_name="health_results", summary="Record or correct the results at the version you read")
def record_results(request: HttpRequest, assessment_id: int, payload: ResultsIn):
    assessment = _one(request, assessment_id, "change")
    clinic = None
    if payload.clinic is not None:
        clinic = Organisation.objects.filter(pk=payload.clinic).first()
        if clinic is None:
            return invalid(ValidationError({"clinic": _("There is no organisation with this id.")}))
    data = payload.dict(exclude={"version", "clinic"})
    try:
        saved = services.record_results(request.auth, assessment, version=payload.version, clinic=clinic,
                                        request=request, **data)
    except services.ConflictError as error:
        return Status(409, {"detail": _("Someone else changed these results since you read them: read them again "
                                        "and repeat your change."), "version": error.current.version})
    except ValidationError as error:
        return invalid(error)
    return _detail(_one(request, saved.pk))


@router.post("/assessments/{int:assessment_id}/cancel", response={200: AssessmentOut, 409: ConflictOut, 422: ErrorOut},
             url_name="health_cancel", summary="Cancel a requested examination")
def cancel_request(request: HttpRequest, assessment_id: int, payload: CancelIn):
    assessment = _one(request, assessment_id, "change")
    try:
        saved = services.cancel_request(request.auth, assessment, version=payload.version, reason=payload.reason,
                                        request=request)
    except services.ConflictError as error:
        return Status(409, {"detail": _("Someone else changed this examination since you read it: read it again."),
                            "version": error.current.version})
    except ValidationError as error:
        return invalid(error)
    return _detail(_one(request, saved.pk))


@router.get("/cases/{reference}/clearances", response=list[ClearanceOut], url_name="health_clearances",
            summary="Each member's medical clearance (whoever sees the case; no results)")
def case_clearances(request: HttpRequest, reference: str):
    user = case_user(request)
    case = policy.get_for(user, Case, "view", reference=reference, request=request)
    answer = []
    for member in case.members.select_related("person").order_by("id"):
        clearance = clearance_of(member.person)
        answer.append({"person": member.person.reference, "role": member.role, "status": clearance.status,
                       "label": clearance.label, "valid_until": clearance.valid_until,
                       "assessed_on": clearance.assessed_on, "requested": clearance.requested})
    return answer
