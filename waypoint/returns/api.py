"""The return programme in the REST API, under /api/v1/returns/, through the same services as the pages.

A case the user may not see (or not a return case) is a 404, audited; refused input answers 422
`{detail, errors: {field: [...]}}` (a questionnaire names each missing question by its code, an instalment above
the budget names the amount that remains); a stale version answers 409 with the saved version.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from waypoint.accounts import policy
from waypoint.accounts.models import Programme, User
from waypoint.api.errors import invalid
from waypoint.audit.models import Action
from waypoint.audit.services import record
from waypoint.cases.api_common import ConflictOut, ErrorOut, case_member, case_user
from waypoint.cases.locking import ConflictError
from waypoint.cases.models import Case

from . import documents, eligibility, questionnaire, reintegration
from .models import Answer, MonitoringVisit, ReintegrationPlan, ReturnProfile, TravelDocument

router = Router(tags=["assisted voluntary return"])


class ScreeningOut(Schema):
    project: str
    screened_on: datetime.date
    nationality: str
    migration_status: str
    destination_country: str
    destination_region: str
    eligible: bool
    reasons: list[str]


class AnswerOut(Schema):
    question: str
    answer: str


class DocumentOut(Schema):
    id: int
    person: str = Field(description="Person reference (P-…)")
    authority: UUID
    kind: str
    requested_on: datetime.date
    status: str
    issued_on: datetime.date | None
    valid_until: datetime.date | None
    version: int


class InstalmentOut(Schema):
    amount: Decimal
    paid_on: datetime.date
    purchased: str


class PlanOut(Schema):
    budget: Decimal
    currency: str
    partner: UUID | None
    economic: bool
    social: bool
    psychosocial: bool
    paid: Decimal
    remaining: Decimal
    version: int
    instalments: list[InstalmentOut]


class VisitOut(Schema):
    months_after: int
    due_on: datetime.date
    done_on: datetime.date | None
    economic_score: Decimal | None
    social_score: Decimal | None
    psychosocial_score: Decimal | None
    composite_score: Decimal | None


class ProfileOut(Schema):
    reference: str
    status: str
    individuals: int
    screening: ScreeningOut | None
    category: str
    questionnaire_version: int = Field(description="0 when never answered")
    answers: list[AnswerOut]
    documents: list[DocumentOut]
    plan: PlanOut | None
    visits: list[VisitOut]


class QuestionnaireIn(Schema):
    version: int = Field(description="The questionnaire_version you read (0 the first time)")
    answers: dict[str, Any] = Field(description="Question code → option code, yes/no, a number or a text")


class InstalmentIn(Schema):
    amount: Decimal
    paid_on: datetime.date
    purchased: str


class DocumentIn(Schema):
    person: str = Field(description="Person reference (P-…) of a member of the case")
    authority: UUID = Field(description="An embassy or consulate of the directory")
    kind: str
    requested_on: datetime.date | None = None
    note: str = ""


class DocumentPatch(Schema):
    version: int
    status: str
    issued_on: datetime.date | None = None
    valid_until: datetime.date | None = None
    note: str | None = None


def _case(user: User, reference: str, request: HttpRequest, action: str = "view") -> Case:
    return policy.get_for(user, Case.objects.filter(programme=Programme.RETURN), action, reference=reference,
                          request=request)


def _document_row(document: TravelDocument) -> dict[str, Any]:
    return {"id": document.pk, "person": document.person.reference, "authority": document.authority_id,
            "kind": document.kind, "requested_on": document.requested_on, "status": document.status,
            "issued_on": document.issued_on, "valid_until": document.valid_until, "version": document.version}


def _profile(user: User, case: Case, request: HttpRequest) -> dict[str, Any]:
    """Everything the return panels show, read through the policy; the read is audited like the case page."""
    record(Action.VIEW, case, actor=user, request=request)
    screening = eligibility.latest(case)
    profile = policy.scope(user, ReturnProfile.objects.filter(case=case)).first()
    answers = policy.scope(user, Answer.objects.filter(case=case).select_related("question", "option"))
    plan = policy.scope(user, ReintegrationPlan.objects.filter(case=case)).first()
    return {
        "reference": case.reference, "status": case.status, "individuals": case.members.count(),
        "screening": None if screening is None else {
            "project": screening.project.name, "screened_on": screening.screened_on,
            "nationality": screening.nationality, "migration_status": screening.migration_status,
            "destination_country": screening.destination_country,
            "destination_region": screening.destination_region, "eligible": screening.eligible,
            "reasons": eligibility.reasons_in_words(screening)},
        "category": profile.category if profile else "",
        "questionnaire_version": profile.version if profile else 0,
        "answers": [{"question": a.question.code, "answer": questionnaire.answer_text(a)} for a in answers],
        "documents": [_document_row(d) for d in policy.scope(
            user, TravelDocument.objects.filter(case=case).select_related("person"))],
        "plan": None if plan is None else {
            "budget": plan.budget, "currency": plan.currency, "partner": plan.partner_id, "economic": plan.economic,
            "social": plan.social, "psychosocial": plan.psychosocial, "paid": reintegration.paid(plan),
            "remaining": reintegration.remaining(plan), "version": plan.version,
            "instalments": [{"amount": i.amount, "paid_on": i.paid_on, "purchased": i.purchased}
                            for i in plan.instalments.all()]},
        "visits": list(policy.scope(user, MonitoringVisit.objects.filter(case=case)).values(
            "months_after", "due_on", "done_on", "economic_score", "social_score", "psychosocial_score",
            "composite_score")),
    }


@router.get("/cases/{reference}", response=ProfileOut, url_name="return_profile",
            summary="The return profile of a case")
def return_profile(request: HttpRequest, reference: str):
    user = case_user(request)
    return _profile(user, _case(user, reference, request), request)


@router.put("/cases/{reference}/questionnaire", response={200: ProfileOut, 409: ConflictOut, 422: ErrorOut},
            url_name="return_questionnaire", summary="Record the profiling questionnaire's answers")
def record_questionnaire(request: HttpRequest, reference: str, payload: QuestionnaireIn):
    """Replaces every answer; a missing required answer is named under its question's code and nothing is saved."""
    user = case_user(request)
    case = _case(user, reference, request, "change")
    try:
        questionnaire.record_answers(user, case, payload.answers, version=payload.version, request=request)
    except ConflictError as conflict:
        return Status(409, {"detail": _("Someone else saved this questionnaire since you read it: read it again."),
                            "version": conflict.current.version})
    except ValidationError as error:
        return invalid(error, _("The questionnaire was not saved: see the errors for each question."))
    return Status(200, _profile(user, case, request))


@router.post("/cases/{reference}/instalments", response={201: ProfileOut, 422: ErrorOut},
             url_name="return_instalment", summary="Pay a grant instalment under the reintegration plan")
def add_instalment(request: HttpRequest, reference: str, payload: InstalmentIn):
    user = case_user(request)
    case = _case(user, reference, request, "change")
    try:
        reintegration.add_instalment(user, case, amount=payload.amount, paid_on=payload.paid_on,
                                     purchased=payload.purchased, request=request)
    except ValidationError as error:
        return invalid(error)
    return Status(201, _profile(user, case, request))


@router.post("/cases/{reference}/documents", response={201: DocumentOut, 422: ErrorOut},
             url_name="return_document_request", summary="Request a travel document for a traveller")
def request_document(request: HttpRequest, reference: str, payload: DocumentIn):
    user = case_user(request)
    case = _case(user, reference, request, "change")
    try:
        person = case_member(case, payload.person)
        authority = documents.authorities().filter(pk=payload.authority).first()
        document = documents.request_document(user, case, person=person, authority=authority, kind=payload.kind,
                                              requested_on=payload.requested_on, note=payload.note, request=request)
    except ValidationError as error:
        return invalid(error)
    return Status(201, _document_row(document))


@router.patch("/documents/{document_id}", response={200: DocumentOut, 409: ConflictOut, 422: ErrorOut},
              url_name="return_document", summary="Record an embassy's answer (issued with dates, or refused)")
def update_document(request: HttpRequest, document_id: int, payload: DocumentPatch):
    user = case_user(request)
    document = policy.get_for(user, TravelDocument.objects.filter(case__programme=Programme.RETURN), "change",
                              pk=document_id, request=request)
    try:
        saved = documents.update_document(user, document, version=payload.version, status=payload.status,
                                          issued_on=payload.issued_on, valid_until=payload.valid_until,
                                          note=payload.note, request=request)
    except ConflictError as conflict:
        return Status(409, {"detail": _("Someone else changed this document since you read it: read it again."),
                            "version": conflict.current.version})
    except ValidationError as error:
        return invalid(error)
    return Status(200, _document_row(saved))
