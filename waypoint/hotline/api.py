"""Consultations in the REST API, for hotline systems that log calls elsewhere: create and list.

Both endpoints need RECORD_CONSULTATIONS (404 and an audited denial otherwise); the list holds only what
`policy.scope` lets the token's owner see. Creating goes through `services.record_consultation`, so that a
call logged through the API meets exactly the rules of the entry form. Encrypted text (the answer given, the
caller's contact) is accepted but never returned.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict

from waypoint.accounts import policy
from waypoint.accounts.models import Office
from waypoint.api import paging
from waypoint.api.errors import invalid

from . import services
from .models import CampaignMaterial, Consultation, FollowUp, Topic

router = Router(tags=["consultations"])

MAX_LIMIT = 100
DEFAULT_LIMIT = 50


# --- Schemas ------------------------------------------------------------------------------------
class FollowUpIn(Schema):
    model_config = ConfigDict(extra="forbid")

    due_at: datetime.datetime | None = None
    action: str = ""
    contact: str = Field("", description="How to reach the caller; stored encrypted, never returned.")


class ConsultationIn(Schema):
    """A consultation. Required: site, started_at, duration_minutes, caller_type, topics, outcome."""

    model_config = ConfigDict(extra="forbid")

    site: str | None = Field(None, description="Office code of the site, e.g. icc-spb: the token owner's own site")
    channel: str = Field("call", description="call, walk_in, email or messenger")
    started_at: datetime.datetime | None = Field(None, description="ISO 8601 with a time zone")
    duration_minutes: int | None = Field(None, description="0 to 600")
    caller_sex: str = Field("", description="F, M or empty (not known)")
    caller_age_band: str = Field("", description="0-17, 18-24, 25-34, 35-44, 45-59, 60+ or empty")
    caller_nationality: str = Field("", description="ISO 3166-1 alpha-2; RU for Russian nationals; empty")
    caller_language: str = Field("", description="ISO 639-1 code or empty")
    caller_type: str | None = Field(
        None, description="potential_migrant, labour_migrant, possible_victim, relative, professional, other",
    )
    topics: list[str] = Field(default_factory=list, description="Topic codes, at least one")
    heard_from: str | None = Field(None, description="Campaign material code")
    answer: str = Field("", description="The answer given; stored encrypted, never returned")
    outcome: str | None = Field(
        None, description="informed, referred, escalated, situation_reported, call_back, other",
    )
    follow_up: FollowUpIn | None = Field(None, description="Required when the outcome is call_back")


class FollowUpOut(Schema):
    id: int
    due_at: datetime.datetime
    action: str
    status: str
    assigned_to: str | None


class ConsultationOut(Schema):
    id: int
    site: str
    operator: str
    channel: str
    started_at: datetime.datetime
    duration_minutes: int
    caller_sex: str
    caller_age_band: str
    caller_nationality: str
    caller_language: str
    caller_type: str
    topics: list[str]
    heard_from: str | None
    outcome: str
    follow_ups: list[FollowUpOut]
    case: str | None
    referrals: list[str]
    created_at: datetime.datetime


class ConsultationPageOut(Schema):
    count: int
    next: str | None
    previous: str | None
    results: list[ConsultationOut]


class ErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]]


class ConsultationQuery(Schema):
    site: str = Field("", description="Office code")
    date_from: datetime.date | None = Field(None, description="Started on or after this day (site time)")
    date_to: datetime.date | None = Field(None, description="Started on or before this day (site time)")
    topic: str = Field("", description="Topic code")
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0)


# --- Helpers ------------------------------------------------------------------------------------
def _resolve(payload: ConsultationIn) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """Codes to objects; an unknown code is an error on its field (all of them at once)."""
    errors: dict[str, list[str]] = {}
    data: dict[str, Any] = payload.dict(exclude={"site", "topics", "heard_from", "follow_up"})
    data["site"] = None
    if payload.site:
        data["site"] = Office.objects.filter(code=payload.site).first()
        if data["site"] is None:
            errors["site"] = [_("There is no site with the code “%(code)s”.") % {"code": payload.site}]
    else:
        errors["site"] = [_("Choose the site.")]
    codes = list(dict.fromkeys(payload.topics))
    topics = {topic.code: topic for topic in Topic.objects.filter(code__in=codes)}
    unknown = [code for code in codes if code not in topics]
    if unknown:
        errors["topics"] = [_("Unknown topic codes: %(codes)s.") % {"codes": ", ".join(unknown)}]
    data["topics"] = [topics[code] for code in codes if code in topics]
    data["heard_from"] = None
    if payload.heard_from:
        data["heard_from"] = CampaignMaterial.objects.filter(code=payload.heard_from).first()
        if data["heard_from"] is None:
            errors["heard_from"] = [
                _("There is no campaign material with the code “%(code)s”.") % {"code": payload.heard_from}
            ]
    if data["started_at"] is not None and timezone.is_naive(data["started_at"]):
        errors["started_at"] = [_("Give the start time with its time zone, e.g. 2026-05-04T14:05:00+03:00.")]
    follow_up = payload.follow_up.dict() if payload.follow_up is not None else None
    if errors:
        raise ValidationError(errors)
    return data, follow_up


def _row(c: Consultation) -> dict[str, Any]:
    return {
        "id": c.pk, "site": c.site.code, "operator": c.operator.get_username(), "channel": c.channel,
        "started_at": c.started_at, "duration_minutes": c.duration_minutes, "caller_sex": c.caller_sex,
        "caller_age_band": c.caller_age_band, "caller_nationality": c.caller_nationality,
        "caller_language": c.caller_language, "caller_type": c.caller_type,
        "topics": [t.code for t in c.topics.all()], "heard_from": c.heard_from.code if c.heard_from else None,
        "outcome": c.outcome,
        "follow_ups": [
            {"id": f.pk, "due_at": f.due_at, "action": f.action, "status": f.status,
             "assigned_to": f.assigned_to.get_username() if f.assigned_to else None}
            for f in c.follow_ups.all()
        ],
        "case": c.case.reference if c.case_id else None,
        "referrals": [r.reference for r in c.referrals.all()],
        "created_at": c.created_at,
    }


def _queryset(user):
    return policy.scope(user, Consultation.objects.all()).select_related(
        "site", "operator", "heard_from", "case",
    ).prefetch_related(
        Prefetch("topics", queryset=Topic.objects.order_by("code")),
        Prefetch("follow_ups", queryset=FollowUp.objects.select_related("assigned_to").order_by("due_at", "pk")),
        "referrals",
    )


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


# --- Endpoints ----------------------------------------------------------------------------------
@router.post("", response={201: ConsultationOut, 422: ErrorOut}, summary="Log a consultation")
def create_consultation(request: HttpRequest, payload: ConsultationIn):
    """Same rules as the entry form: a wrong field answers 422 naming it, and nothing is saved."""
    user = request.auth
    policy.require(user, policy.RECORD_CONSULTATIONS, request=request)
    try:
        data, follow_up = _resolve(payload)
        consultation = services.record_consultation(user, data, follow_up=follow_up, request=request)
    except ValidationError as error:
        return invalid(error)
    return Status(201, _row(_queryset(user).get(pk=consultation.pk)))


@router.get("", response={200: ConsultationPageOut, 422: ErrorOut}, summary="Consultations you may see")
def list_consultations(request: HttpRequest, params: Query[ConsultationQuery]):
    """Newest first; an operator's own site, every site for a programme manager of the hotline."""
    user = request.auth
    policy.require(user, policy.RECORD_CONSULTATIONS, request=request)
    if params.date_from and params.date_to and params.date_from > params.date_to:
        return invalid(ValidationError({"date_to": [_("The end date is before the start date.")]}))
    rows = _queryset(user)
    if params.site:
        rows = rows.filter(site__code=params.site)
    if params.date_from:
        rows = rows.filter(started_at__gte=_day_start(params.date_from))
    if params.date_to:
        rows = rows.filter(started_at__lt=_day_start(params.date_to + datetime.timedelta(days=1)))
    if params.topic:
        rows = rows.filter(topics__code=params.topic)
    rows = rows.distinct().order_by("-started_at", "-pk")
    count = rows.count()
    limit, offset = params.limit, params.offset
    return paging.page(request, count, [_row(c) for c in rows[offset:offset + limit]], limit, offset)
