"""Organisations and services of the partner directory in the REST API.

Reading needs VIEW_DIRECTORY (every role that uses the API, learners have no token); writing needs
CHANGE_DIRECTORY (administrators). A refused capability or an unknown or forbidden object answers 404 and
is audited, as on the pages. Readers see active organisations and their services; administrators see
inactive ones too, so that they can reactivate them. Writes go through `services`, which validates
everything before saving anything; refused data answer 422 as {detail, errors: {field: [...]}}.

Agreements, partner users and referral history are not served here: they are internal to the office.
Other directories read ours in HSDS form through the HSDA endpoints (`/api/hsda/`).
"""

from __future__ import annotations

import datetime
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict

from waypoint.accounts import policy
from waypoint.accounts.models import User
from waypoint.api import paging
from waypoint.api.errors import invalid

from . import eligibility, search, services, taxonomy
from .models import Organisation, Service

organisations_router = Router(tags=["organisations"])
services_router = Router(tags=["services"])

MAX_LIMIT = 100
DEFAULT_LIMIT = 50
ORGANISATION_TEXT_FIELDS = frozenset({
    "alternate_name", "description", "email", "website", "tax_status", "tax_id", "legal_status", "logo", "uri",
    "country", "region", "city",
})
SERVICE_TEXT_FIELDS = frozenset({
    "alternate_name", "description", "url", "email", "interpretation_services", "application_process",
    "fees_description", "wait_time", "accreditations", "licenses", "eligibility_description", "alert",
})
SERVICE_LIST_FIELDS = frozenset({"accepts_sexes", "accepts_nationalities", "accepts_exploitation_types"})


# --- Schemas ------------------------------------------------------------------------------------
class ErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]]


class DetailOut(Schema):
    detail: str


class ServiceSummaryOut(Schema):
    id: UUID
    name: str
    status: str
    service_types: list[str]
    accepts: str
    accepting_referrals: bool
    capacity: int | None
    available: int | None


class OrganisationOut(Schema):
    id: UUID
    name: str
    alternate_name: str
    organisation_type: str
    description: str
    email: str
    website: str
    country: str
    region: str
    city: str
    legal_status: str
    tax_status: str
    tax_id: str
    year_incorporated: int | None
    logo: str
    uri: str
    parent_organization: UUID | None
    is_active: bool
    last_modified: datetime.datetime


class OrganisationDetailOut(OrganisationOut):
    services: list[ServiceSummaryOut]


class OrganisationPageOut(Schema):
    count: int
    next: str | None
    previous: str | None
    results: list[OrganisationOut]


class ServiceOut(Schema):
    id: UUID
    organization: UUID
    organization_name: str
    name: str
    alternate_name: str
    description: str
    url: str
    email: str
    status: str
    service_types: list[str]
    accepts: str = Field(description="Who the service accepts, in words (in the language of the request)")
    accepts_sexes: list[str]
    accepts_nationalities: list[str]
    accepts_exploitation_types: list[str]
    minimum_age: int | None
    maximum_age: int | None
    eligibility_description: str
    accepting_referrals: bool
    capacity: int | None
    available: int | None
    availability_updated_at: datetime.datetime | None
    languages: list[str]
    interpretation_services: str
    application_process: str
    fees_description: str
    wait_time: str
    alert: str
    last_modified: datetime.datetime


class ServicePageOut(Schema):
    count: int
    next: str | None
    previous: str | None
    results: list[ServiceOut]


class OrganisationIn(Schema):
    """A new organisation. Required: name, organisation_type."""

    model_config = ConfigDict(extra="forbid")

    name: str = ""
    alternate_name: str | None = ""
    organisation_type: str = Field("", description="government, law_enforcement, prosecution, health, social, ngo, "
                                                    "international, diplomatic, mission, religious, media, donor, "
                                                    "academic, other")
    description: str | None = ""
    email: str | None = ""
    website: str | None = ""
    country: str | None = Field("", description="ISO 3166-1 alpha-2")
    region: str | None = ""
    city: str | None = ""
    legal_status: str | None = ""
    tax_status: str | None = ""
    tax_id: str | None = ""
    year_incorporated: int | None = None
    logo: str | None = ""
    uri: str | None = ""
    is_active: bool = True


class OrganisationPatch(Schema):
    """Only the fields sent change; JSON null clears a text field."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = None
    alternate_name: str | None = None
    organisation_type: str | None = None
    description: str | None = None
    email: str | None = None
    website: str | None = None
    country: str | None = None
    region: str | None = None
    city: str | None = None
    legal_status: str | None = None
    tax_status: str | None = None
    tax_id: str | None = None
    year_incorporated: int | None = None
    logo: str | None = None
    uri: str | None = None
    is_active: bool | None = None


class ServiceFields(Schema):
    model_config = ConfigDict(extra="forbid")

    alternate_name: str | None = None
    description: str | None = None
    url: str | None = None
    email: str | None = None
    status: str | None = Field(None, description="active, inactive, defunct, temporarily closed")
    service_types: list[str] | None = Field(None, description=", ".join(taxonomy.SERVICE_TYPES))
    accepts_sexes: list[str] | None = Field(None, description="F, M, X; empty: anyone")
    accepts_nationalities: list[str] | None = Field(None, description="ISO 3166-1 alpha-2 codes; empty: any")
    accepts_exploitation_types: list[str] | None = Field(None, description="sexual, labour, domestic, begging, "
                                                                           "criminal, marriage, organs, other")
    minimum_age: int | None = None
    maximum_age: int | None = None
    eligibility_description: str | None = None
    accepting_referrals: bool | None = None
    capacity: int | None = None
    available: int | None = None
    interpretation_services: str | None = None
    application_process: str | None = None
    fees_description: str | None = None
    wait_time: str | None = None
    accreditations: str | None = None
    licenses: str | None = None
    alert: str | None = None


class ServiceIn(ServiceFields):
    """A new service of an organisation. Required: organization, name."""

    organization: UUID
    name: str = ""


class ServicePatch(ServiceFields):
    name: str | None = None


class OrganisationQuery(Schema):
    q: str = Field("", max_length=200, description="Words in names and descriptions (organisations and services)")
    type: str = Field("", description="Organisation type")
    service_type: str = Field("", description="Only organisations offering a service of this type")
    include_inactive: bool = Field(False, description="Administrators only: list inactive organisations too")
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0)


class ServiceQuery(Schema):
    q: str = Field("", max_length=200, description="Words in the service's or its organisation's names")
    organization: UUID | None = Field(None, description="Only this organisation's services")
    service_type: str = ""
    language: str = Field("", description="ISO 639-1 code of a language served")
    accepting_now: bool = Field(False, description="Only services active, taking referrals and not full")
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0)


# --- Helpers ------------------------------------------------------------------------------------
def _reader(request: HttpRequest) -> User:
    user = request.auth
    policy.require(user, policy.VIEW_DIRECTORY, request=request)
    return user


def _editor(request: HttpRequest) -> User:
    user = _reader(request)
    policy.require(user, policy.CHANGE_DIRECTORY, request=request)
    return user


def _organisations(user: User) -> QuerySet[Organisation]:
    """Readers see active organisations; those who change the directory see all."""
    everything = Organisation.objects.all()
    return everything if policy.may(user, policy.CHANGE_DIRECTORY) else everything.filter(is_active=True)


def _services(user: User) -> QuerySet[Service]:
    return policy.scope(user, Service.objects.filter(organization__in=policy.scope(user, _organisations(user))))


def _organisation_row(organisation: Organisation) -> dict[str, Any]:
    row = {name: getattr(organisation, name) for name in OrganisationOut.model_fields if name != "parent_organization"}
    row["parent_organization"] = organisation.parent_organization_id
    return row


def _service_summary(service: Service, types: list[str]) -> dict[str, Any]:
    return {
        "id": service.id, "name": service.name, "status": service.status, "service_types": types,
        "accepts": eligibility.accepts_label(service), "accepting_referrals": service.accepting_referrals,
        "capacity": service.capacity, "available": service.available,
    }


def _service_row(service: Service, types: list[str]) -> dict[str, Any]:
    plain = set(ServiceOut.model_fields) - {"organization", "organization_name", "service_types", "accepts",
                                            "languages"}
    row = {name: getattr(service, name) for name in plain}
    row.update(
        organization=service.organization_id, organization_name=service.organization.name, service_types=types,
        accepts=eligibility.accepts_label(service),
        languages=sorted({language.code or language.name for language in service.languages.all()}),
    )
    for name in SERVICE_LIST_FIELDS:
        row[name] = row[name] if isinstance(row[name], list) else []
    return row


def _organisation_detail(user: User, organisation: Organisation) -> dict[str, Any]:
    listed = list(policy.scope(user, organisation.services.select_related("organization")).order_by("name"))
    types = taxonomy.types_by_service(s.id for s in listed)
    return {**_organisation_row(organisation),
            "services": [_service_summary(s, types.get(s.id, [])) for s in listed]}


def _cleared(data: dict[str, Any], text_fields: frozenset[str], list_fields: frozenset[str] = frozenset()) -> dict:
    """JSON null clears a text field (stored empty) or a list (stored as [])."""
    for name in list(data):
        if data[name] is None and name in text_fields:
            data[name] = ""
        elif data[name] is None and name in list_fields:
            data[name] = []
    return data


def _one_service(user: User, service_id: UUID, request: HttpRequest) -> Service:
    queryset = _services(user).select_related("organization").prefetch_related("languages")
    return policy.get_for(user, queryset, pk=service_id, request=request)


def _service_answer(user: User, service_id: UUID, request: HttpRequest) -> dict[str, Any]:
    service = _one_service(user, service_id, request)
    return _service_row(service, taxonomy.service_types_of(service))


def _service_types_of(data: dict[str, Any]) -> list[str] | None:
    types = data.pop("service_types", None)
    return None if types is None else list(types)


# --- Organisations ------------------------------------------------------------------------------
@organisations_router.get("", response=OrganisationPageOut, url_name="organisations",
                          summary="Partner organisations, searched and filtered")
def list_organisations(request: HttpRequest, params: Query[OrganisationQuery]):
    user = _reader(request)
    query = search.DirectoryQuery(q=params.q, organisation_type=params.type, service_type=params.service_type)
    including = params.include_inactive and policy.may(user, policy.CHANGE_DIRECTORY)
    found = search.search(user, query, include_inactive=including)
    count = found.count()
    rows = [_organisation_row(o) for o in found[params.offset:params.offset + params.limit]]
    return paging.page(request, count, rows, params.limit, params.offset)


@organisations_router.get("/{organisation_id}", response=OrganisationDetailOut, url_name="organisation",
                          summary="One organisation, with its services")
def get_organisation(request: HttpRequest, organisation_id: UUID):
    user = _reader(request)
    organisation = policy.get_for(user, _organisations(user), pk=organisation_id, request=request)
    return _organisation_detail(user, organisation)


@organisations_router.post("", response={201: OrganisationDetailOut, 422: ErrorOut}, url_name="create_organisation",
                           summary="Add an organisation (administrators)")
def create_organisation(request: HttpRequest, payload: OrganisationIn):
    user = _editor(request)
    data = _cleared(payload.dict(), ORGANISATION_TEXT_FIELDS)
    try:
        organisation = services.create_organisation(user, data, request=request)
    except ValidationError as error:
        return invalid(error)
    return Status(201, _organisation_detail(user, organisation))


@organisations_router.patch("/{organisation_id}", response={200: OrganisationDetailOut, 422: ErrorOut},
                            url_name="update_organisation", summary="Change an organisation (administrators)")
def update_organisation(request: HttpRequest, organisation_id: UUID, payload: OrganisationPatch):
    user = _editor(request)
    organisation = policy.get_for(user, Organisation, "change", pk=organisation_id, request=request)
    data = _cleared(payload.dict(exclude_unset=True), ORGANISATION_TEXT_FIELDS)
    for name in ("name", "organisation_type", "is_active"):
        if name in data and data[name] is None:
            data[name] = "" if name != "is_active" else organisation.is_active
    try:
        organisation = services.update_organisation(user, organisation, data, request=request)
    except ValidationError as error:
        return invalid(error)
    return Status(200, _organisation_detail(user, organisation))


@organisations_router.delete("/{organisation_id}", response={200: DetailOut, 409: DetailOut},
                             url_name="delete_organisation", summary="Delete an organisation (administrators)")
def delete_organisation(request: HttpRequest, organisation_id: UUID):
    """Deletes the organisation with its services, places and contacts; refused (409) while referrals or
    partner users refer to it: mark it inactive instead."""
    user = _editor(request)
    organisation = policy.get_for(user, Organisation, "delete", pk=organisation_id, request=request)
    try:
        services.delete_organisation(user, organisation, request=request)
    except services.InUseError as error:
        return Status(409, {"detail": str(error)})
    return Status(200, {"detail": _("The organisation is deleted.")})


# --- Services -----------------------------------------------------------------------------------
@services_router.get("", response=ServicePageOut, url_name="services", summary="Services of partner organisations")
def list_services(request: HttpRequest, params: Query[ServiceQuery]):
    user = _reader(request)
    query = search.DirectoryQuery(q=params.q, service_type=params.service_type, language=params.language,
                                  accepting_now=params.accepting_now)
    found = search.matching_services(user, query).filter(pk__in=_services(user).values("pk"))
    if params.organization:
        found = found.filter(organization_id=params.organization)
    found = search.filter_services_by_words(found, query.words)
    found = found.select_related("organization").prefetch_related("languages").order_by(
        "organization__name", "name", "id")
    count = found.count()
    page = list(found[params.offset:params.offset + params.limit])
    types = taxonomy.types_by_service(s.id for s in page)
    rows = [_service_row(s, types.get(s.id, [])) for s in page]
    return paging.page(request, count, rows, params.limit, params.offset)


@services_router.get("/{service_id}", response=ServiceOut, url_name="service", summary="One service")
def get_service(request: HttpRequest, service_id: UUID):
    user = _reader(request)
    return _service_answer(user, service_id, request)


@services_router.post("", response={201: ServiceOut, 422: ErrorOut}, url_name="create_service",
                      summary="Add a service to an organisation (administrators)")
def create_service(request: HttpRequest, payload: ServiceIn):
    user = _editor(request)
    data = _cleared(payload.dict(exclude_unset=True, exclude={"organization"}), SERVICE_TEXT_FIELDS,
                    SERVICE_LIST_FIELDS)
    data = {name: value for name, value in data.items() if value is not None}
    types = _service_types_of(data) or []
    organisation = Organisation.objects.filter(pk=payload.organization).first()
    if organisation is None or not policy.can(user, "change", organisation):
        return invalid(ValidationError({"organization": _("No such organisation.")}))
    try:
        service = services.create_service(user, organisation, data, service_types=types, request=request)
    except ValidationError as error:
        return invalid(error)
    return Status(201, _service_answer(user, service.pk, request))


@services_router.patch("/{service_id}", response={200: ServiceOut, 422: ErrorOut}, url_name="update_service",
                       summary="Change a service (administrators)")
def update_service(request: HttpRequest, service_id: UUID, payload: ServicePatch):
    user = _editor(request)
    service = policy.get_for(user, Service, "change", pk=service_id, request=request)
    data = _cleared(payload.dict(exclude_unset=True), SERVICE_TEXT_FIELDS, SERVICE_LIST_FIELDS)
    types = _service_types_of(data)
    if data.get("name", "") is None:
        data["name"] = ""
    if "status" in data and data["status"] is None:
        data["status"] = ""
    if "accepting_referrals" in data and data["accepting_referrals"] is None:
        data.pop("accepting_referrals")
    try:
        services.update_service(user, service, data, service_types=types, request=request)
    except ValidationError as error:
        return invalid(error)
    return Status(200, _service_answer(user, service_id, request))


@services_router.delete("/{service_id}", response={200: DetailOut, 409: DetailOut}, url_name="delete_service",
                        summary="Delete a service (administrators)")
def delete_service(request: HttpRequest, service_id: UUID):
    user = _editor(request)
    service = policy.get_for(user, Service, "delete", pk=service_id, request=request)
    try:
        services.delete_service(user, service, request=request)
    except services.InUseError as error:
        return Status(409, {"detail": str(error)})
    return Status(200, {"detail": _("The service is deleted.")})
