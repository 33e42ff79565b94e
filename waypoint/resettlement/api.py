"""Resettlement processing in the REST API (/api/v1/resettlement/...), under the access policy.

Case parts (profile, clearances, presentations) follow the case: 404, audited, for a case the user may not see
(or change, for writes). Trips: `VIEW_PROCESSING_TRIPS`; the report: `VIEW_RESETTLEMENT_REPORT`. Writes go
through the services the pages use: refused data answer 422 naming the fields, a stale `version` 409 with
the saved version, and nothing is half-saved.
"""

from __future__ import annotations

import datetime
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict

from waypoint.accounts import policy
from waypoint.accounts.models import Programme, User
from waypoint.api.errors import invalid
from waypoint.audit.models import Action
from waypoint.audit.services import record
from waypoint.cases.api_common import (
    ConflictOut,
    ErrorOut,
    FieldErrors,
    case_member,
    case_user,
    organisation_for,
    staff_members,
)
from waypoint.cases.locking import ConflictError
from waypoint.cases.models import Case
from waypoint.people.api import IsoDate

from . import presentations, report, services, trips
from .models import Clearance, Presentation, ProcessingTrip, ResettlementProfile

router = Router(tags=["resettlement"])


class ProfileOut(Schema):
    case: str
    destination: str
    resettlement_programme: str
    category: str
    referral_source: str
    unhcr_reference: str
    referring_organisation: UUID | None
    relative_name: str
    relative_relationship: str
    relative_location: str
    receiving_case_number: str
    version: int = Field(description="0: no profile yet (send version 0 to create it)")


class ProfilePatch(Schema):
    model_config = ConfigDict(extra="forbid")

    version: int
    destination: str | None = Field(None, description="US, CA or AU")
    resettlement_programme: str | None = Field(None, description="usrap, ca_gar, ca_psr, ca_bvor, au_refugee, au_shp")
    category: str | None = Field(None, description="p1, p2, p3, transit, sponsored")
    referral_source: str | None = Field(None, description="unhcr, embassy, ngo, family, self")
    unhcr_reference: str | None = None
    referring_organisation: UUID | None = Field(None, description="Organisation id; null: none")
    relative_name: str | None = None
    relative_relationship: str | None = None
    relative_location: str | None = None
    receiving_case_number: str | None = None


class ClearanceOut(Schema):
    id: int
    person: str
    kind: str
    status: str
    shown_status: str = Field(description="expired when a cleared line is past its validity")
    requested_on: datetime.date | None
    obtained_on: datetime.date | None
    valid_until: datetime.date | None
    version: int


class ClearanceIn(Schema):
    model_config = ConfigDict(extra="forbid")

    person: str | int = Field(description="A member: reference (P-…) or id")
    kind: str = Field(description="security, biometrics, exit_permission")
    status: str = Field("pending", description="pending, cleared, expired, refused")
    requested_on: IsoDate | None = None
    obtained_on: IsoDate | None = None
    valid_until: IsoDate | None = None
    note: str = ""


class ClearancePatch(Schema):
    model_config = ConfigDict(extra="forbid")

    version: int
    status: str | None = None
    requested_on: IsoDate | None = None
    obtained_on: IsoDate | None = None
    valid_until: IsoDate | None = None
    note: str | None = None


class PresentationOut(Schema):
    id: int
    presented_on: datetime.date
    city: str
    agency: str
    officer: str
    trip: int | None
    members: list[str]
    decision: str
    decided_on: datetime.date | None
    version: int


class PresentationIn(Schema):
    model_config = ConfigDict(extra="forbid")

    presented_on: IsoDate
    city: str = ""
    agency: str
    officer: str = ""
    trip: int | None = None
    members: list[str | int]


class DecisionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    version: int
    decision: str = Field(description="approved, denied, on_hold")
    decided_on: IsoDate
    note: str = ""


class TripOut(Schema):
    id: int
    city: str
    country: str
    starts_on: datetime.date
    ends_on: datetime.date
    staff: list[str]
    purpose: str
    cases_seen: int
    interviews_supported: int = Field(description="Presentations linked to the trip")
    individuals_presented: int
    version: int


class TripIn(Schema):
    model_config = ConfigDict(extra="forbid")

    city: str
    country: str = Field("", description="ISO 3166; may be left out for the seeds' cities")
    starts_on: IsoDate
    ends_on: IsoDate
    staff: list[str] = Field(description="Usernames of resettlement staff")
    purpose: str = ""


class ReportQuery(Schema):
    date_from: datetime.date
    date_to: datetime.date


class FigureOut(Schema):
    cases: int
    individuals: int


class LineOut(Schema):
    code: str
    label: str
    received: FigureOut
    presented: FigureOut
    departed: FigureOut


class ReportOut(Schema):
    start: datetime.date
    end: datetime.date
    total: LineOut
    by_destination: list[LineOut]
    by_category: list[LineOut]


# --- Helpers --------------------------------------------------------------------------------------
def _case(user: User, reference: str, action: str, request: HttpRequest) -> Case:
    cases = Case.objects.filter(programme=Programme.RESETTLEMENT)
    return policy.get_for(user, cases, action, reference=reference, request=request)


def _profile_row(case: Case, profile: ResettlementProfile | None) -> dict[str, Any]:
    source = profile or ResettlementProfile(version=0)
    row = {name: getattr(source, name) or "" for name in services.PROFILE_FIELDS if name != "referring_organisation"}
    return {"case": case.reference, **row, "referring_organisation": source.referring_organisation_id,
            "version": source.version if profile else 0}


def _clearance_row(clearance: Clearance) -> dict[str, Any]:
    return {"id": clearance.pk, "person": clearance.person.reference, "kind": clearance.kind,
            "status": clearance.status, "shown_status": clearance.shown_status(timezone.localdate()),
            "requested_on": clearance.requested_on, "obtained_on": clearance.obtained_on,
            "valid_until": clearance.valid_until, "version": clearance.version}


def _presentation_row(row: Presentation) -> dict[str, Any]:
    return {"id": row.pk, "presented_on": row.presented_on, "city": row.city, "agency": row.agency,
            "officer": row.officer, "trip": row.trip_id, "members": [p.reference for p in row.members.all()],
            "decision": row.decision, "decided_on": row.decided_on, "version": row.version}


def _trip_row(trip: ProcessingTrip, figures: trips.TripFigures) -> dict[str, Any]:
    return {"id": trip.pk, "city": trip.city, "country": trip.country, "starts_on": trip.starts_on,
            "ends_on": trip.ends_on, "staff": sorted(user.get_username() for user in trip.staff.all()),
            "purpose": trip.purpose, "cases_seen": figures.cases_seen, "interviews_supported": figures.interviews,
            "individuals_presented": figures.individuals_presented, "version": trip.version}


def _conflict(version: int) -> Status:
    return Status(409, {"detail": _("Someone else changed this since you read it: read it again and repeat your "
                                    "change."), "version": version})


# --- Profile --------------------------------------------------------------------------------------
@router.get("/cases/{reference}/profile", response=ProfileOut, url_name="resettlement_profile",
            summary="A case's resettlement profile (the read is audited)")
def get_profile(request: HttpRequest, reference: str):
    user = case_user(request)
    case = _case(user, reference, "view", request)
    profile = ResettlementProfile.objects.filter(case=case).first()
    record(Action.VIEW, profile or case, actor=user, request=request)
    return _profile_row(case, profile)


@router.patch("/cases/{reference}/profile", response={200: ProfileOut, 409: ConflictOut, 422: ErrorOut},
              url_name="resettlement_profile_edit", summary="Record or change the profile at the version you read")
def edit_profile(request: HttpRequest, reference: str, payload: ProfilePatch):
    user = case_user(request)
    case = _case(user, reference, "change", request)
    sent = payload.dict(exclude_unset=True, exclude={"version"})
    errors = FieldErrors()
    if sent.get("referring_organisation"):
        sent["referring_organisation"] = errors.check(organisation_for, user, sent["referring_organisation"],
                                                      "referring_organisation")
    try:
        errors.raise_any()
        profile = services.update_profile(user, case, version=payload.version, request=request,
                                          **{k: ("" if v is None and k != "referring_organisation" else v)
                                             for k, v in sent.items()})
    except ConflictError as conflict:
        return _conflict(conflict.current.version)
    except ValidationError as error:
        return invalid(error)
    return Status(200, _profile_row(case, profile))


# --- Clearances -----------------------------------------------------------------------------------
@router.get("/cases/{reference}/clearances", response=list[ClearanceOut], url_name="resettlement_clearances",
            summary="A case's clearances checklist (medical clearance: migration health)")
def list_clearances(request: HttpRequest, reference: str):
    user = case_user(request)
    case = _case(user, reference, "view", request)
    rows = policy.scope(user, Clearance.objects.filter(case=case)).select_related("person").order_by("person", "kind")
    record(Action.VIEW, case, actor=user, request=request, changes={"shown": ["", "clearances"]})
    return [_clearance_row(row) for row in rows]


@router.post("/cases/{reference}/clearances", response={201: ClearanceOut, 422: ErrorOut},
             url_name="resettlement_clearance_record", summary="Record a line of a member's checklist")
def record_clearance(request: HttpRequest, reference: str, payload: ClearanceIn):
    user = case_user(request)
    case = _case(user, reference, "change", request)
    try:
        person = case_member(case, payload.person)
        clearance = services.record_clearance(
            user, case, person=person, kind=payload.kind, status=payload.status, requested_on=payload.requested_on,
            obtained_on=payload.obtained_on, valid_until=payload.valid_until, note=payload.note, request=request)
    except ValidationError as error:
        return invalid(error)
    return Status(201, _clearance_row(clearance))


@router.patch("/clearances/{clearance_id}", response={200: ClearanceOut, 409: ConflictOut, 422: ErrorOut},
              url_name="resettlement_clearance_update", summary="Renew or correct a clearance at its version")
def update_clearance(request: HttpRequest, clearance_id: int, payload: ClearancePatch):
    user = case_user(request)
    clearance = policy.get_for(user, Clearance.objects.select_related("person"), "change", pk=clearance_id,
                               request=request)
    fields = payload.dict(exclude_unset=True, exclude={"version"})
    if "note" in fields and fields["note"] is None:
        fields["note"] = ""
    try:
        saved = services.update_clearance(user, clearance, version=payload.version, request=request, **fields)
    except ConflictError as conflict:
        return _conflict(conflict.current.version)
    except ValidationError as error:
        return invalid(error)
    return Status(200, _clearance_row(saved))


# --- Presentations --------------------------------------------------------------------------------
@router.get("/cases/{reference}/presentations", response=list[PresentationOut],
            url_name="resettlement_presentations", summary="A case's presentations and decisions")
def list_presentations(request: HttpRequest, reference: str):
    user = case_user(request)
    case = _case(user, reference, "view", request)
    rows = policy.scope(user, Presentation.objects.filter(case=case)).prefetch_related("members")
    return [_presentation_row(row) for row in rows.order_by("presented_on", "id")]


@router.post("/cases/{reference}/presentations", response={201: PresentationOut, 422: ErrorOut},
             url_name="resettlement_presentation_record",
             summary="Record a presentation (takes the step “presented for interview”)")
def record_presentation(request: HttpRequest, reference: str, payload: PresentationIn):
    user = case_user(request)
    case = _case(user, reference, "change", request)
    errors = FieldErrors()
    members = [errors.check(case_member, case, value) for value in payload.members]
    trip = None
    if payload.trip is not None:
        trip = policy.scope(user, ProcessingTrip.objects.all()).filter(pk=payload.trip).first()
        if trip is None:
            errors.found["trip"] = [_("There is no processing trip with this id.")]
    try:
        errors.raise_any()
        row = presentations.record_presentation(
            user, case, presented_on=payload.presented_on, city=payload.city, agency=payload.agency,
            officer=payload.officer, trip=trip, members=members, request=request)
    except ValidationError as error:
        return invalid(error)
    return Status(201, _presentation_row(row))


@router.post("/presentations/{presentation_id}/decision",
             response={200: PresentationOut, 409: ConflictOut, 422: ErrorOut}, url_name="resettlement_decision",
             summary="Record the decision (takes the matching step)")
def record_decision(request: HttpRequest, presentation_id: int, payload: DecisionIn):
    user = case_user(request)
    presentation = policy.get_for(user, Presentation.objects.all(), "change", pk=presentation_id,
                                  request=request)
    try:
        row = presentations.record_decision(user, presentation, version=payload.version, decision=payload.decision,
                                            decided_on=payload.decided_on, decision_note=payload.note,
                                            request=request)
    except ConflictError as conflict:
        return _conflict(conflict.current.version)
    except ValidationError as error:
        return invalid(error)
    return Status(200, _presentation_row(row))


# --- Trips and the report -------------------------------------------------------------------------
@router.get("/trips", response=list[TripOut], url_name="resettlement_trips",
            summary="Processing trips (resettlement staff)")
def list_trips(request: HttpRequest):
    user = request.auth
    policy.require(user, policy.VIEW_PROCESSING_TRIPS, request=request)
    rows = list(policy.scope(user, ProcessingTrip.objects.prefetch_related("staff")).order_by("-starts_on", "-id"))
    found = trips.figures_for([trip.pk for trip in rows])
    return [_trip_row(trip, found[trip.pk]) for trip in rows]


@router.post("/trips", response={201: TripOut, 422: ErrorOut}, url_name="resettlement_trip_create",
             summary="Record a processing trip")
def create_trip(request: HttpRequest, payload: TripIn):
    user = request.auth
    policy.require(user, policy.VIEW_PROCESSING_TRIPS, request=request)
    try:
        staff = staff_members(payload.staff, "staff")
        trip = trips.create_trip(user, city=payload.city, country=payload.country, starts_on=payload.starts_on,
                                 ends_on=payload.ends_on, staff=staff, purpose=payload.purpose, request=request)
    except ValidationError as error:
        return invalid(error)
    return Status(201, _trip_row(trip, trips.figures(trip)))


@router.get("/report", response={200: ReportOut, 422: ErrorOut}, url_name="resettlement_report",
            summary="The report's figures for a period (programme managers of resettlement, M&E)")
def report_figures(request: HttpRequest, params: Query[ReportQuery]):
    user = request.auth
    policy.require(user, policy.VIEW_RESETTLEMENT_REPORT, request=request)
    if params.date_to < params.date_from:
        return invalid(ValidationError({"date_to": [_("The last day of the period cannot be before its first "
                                                      "day.")]}))
    return report.compute(params.date_from, params.date_to).as_dict()
