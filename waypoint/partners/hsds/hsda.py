"""The read-only Open Referral HSDA 3.0 API at /api/hsda/, so that other directories can read ours.

Endpoints, parameters and response shapes follow HSDS 3.0's `schema/openapi.json`: lists are paged as
{total_items, total_pages, page_number, size, first_page, last_page, empty, contents} (pages from 1;
`format=ndjson` gives every result, one JSON object a line, without paging), single objects are nested
as HSDS's compiled schemas nest them. `GET /service_at_locations/{id}` answers a service-at-location
object (`compiled/service_at_location.json`; the published OpenAPI file names the service schema there,
which cannot describe it). `proximity` is not supported; `postcode` matches the postal codes of the
locations' addresses.

Callers authenticate with the same API tokens as /api/v1/ (the role must be allowed the API) and need to
be allowed the directory. What is published is what the HSDS export publishes: active organisations and
what hangs off them, Waypoint's own fields as attributes of Waypoint's taxonomies.
"""

from __future__ import annotations

import datetime
import json
import math
import uuid
from collections.abc import Callable

from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Query
from ninja.errors import ValidationError as RequestValidationError

from waypoint.accounts import policy
from waypoint.api.api import TokenAuth

from ..models import Attribute, Organisation, Service, ServiceAtLocation, Taxonomy, TaxonomyTerm
from . import extensions, objects, spec

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 500

hsda = NinjaAPI(
    title="Waypoint HSDA",
    version=spec.HSDS_VERSION,
    description="Open Referral Human Services Data API 3.0 (read only) over Waypoint's partner directory.",
    auth=TokenAuth(),
    docs_url=None,  # the interactive page needs scripts from elsewhere, which the CSP refuses
    urls_namespace="hsda",
)


class QueryError(Exception):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field, self.message = field, message


def _invalid(request: HttpRequest, errors: dict[str, list[str]]) -> HttpResponse:
    detail = _("The request is not valid: see the errors for each field.")
    return hsda.create_response(request, {"detail": detail, "errors": errors}, status=422)


@hsda.exception_handler(RequestValidationError)
def request_not_valid(request: HttpRequest, exc: RequestValidationError) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        location = [str(part) for part in error.get("loc", ())]
        errors.setdefault(".".join(location[1:]) or "__all__", []).append(str(error.get("msg", "")))
    return _invalid(request, errors)


@hsda.exception_handler(QueryError)
def bad_query(request: HttpRequest, exc: QueryError) -> HttpResponse:
    return _invalid(request, {exc.field: [exc.message]})


# --- Parameters ---------------------------------------------------------------------------------------
def _uuid(field: str, value: str | None) -> uuid.UUID | None:
    if not value:
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        raise QueryError(field, _("“%(value)s” is not a UUID.") % {"value": value[:80]}) from None


def _moment(field: str, value: str | None) -> datetime.datetime | None:
    if not value:
        return None
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        raise QueryError(field, _("“%(value)s” is not a date and time (ISO 8601).") % {"value": value[:80]}) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=datetime.UTC)


def _format(value: str | None) -> str:
    value = (value or "json").lower()
    if value not in ("json", "ndjson"):
        raise QueryError("format", _("The format is “json” or “ndjson”."))
    return value


def _paging(page: int, per_page: int) -> tuple[int, int]:
    if page < 1:
        raise QueryError("page", _("Pages are numbered from 1."))
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise QueryError("per_page", _("From 1 to %(max)d results a page.") % {"max": MAX_PER_PAGE})
    return page, per_page


def paged(items: QuerySet | list, page: int, per_page: int, serialise: Callable) -> dict:
    """HSDA's page: how many results and pages in all, this page's number, size and contents."""
    total = items.count() if isinstance(items, QuerySet) else len(items)
    total_pages = math.ceil(total / per_page)
    start = (page - 1) * per_page
    contents = [serialise(item) for item in items[start : start + per_page]]
    return {
        "total_items": total, "total_pages": total_pages, "page_number": page, "size": len(contents),
        "first_page": page == 1, "last_page": page >= total_pages, "empty": not contents, "contents": contents,
    }


def _answer(items: QuerySet | list, file_format: str, page: int, per_page: int, serialise: Callable):
    if file_format == "ndjson":
        lines = (json.dumps(serialise(item), ensure_ascii=False) + "\n" for item in items)
        return HttpResponse("".join(lines), content_type="application/x-ndjson; charset=utf-8")
    return paged(items, page, per_page, serialise)


# --- What is published --------------------------------------------------------------------------------
def _require(request: HttpRequest) -> None:
    policy.require(request.auth, policy.VIEW_DIRECTORY, request=request)


def organisations(user) -> QuerySet[Organisation]:
    return policy.scope(user, Organisation.objects.filter(is_active=True)).order_by("name", "pk")


def services(user) -> QuerySet[Service]:
    return (
        policy.scope(user, Service.objects.filter(organization__in=organisations(user)))
        .select_related("organization", "program").order_by("name", "pk")
    )


def service_at_locations(user) -> QuerySet[ServiceAtLocation]:
    return (
        policy.scope(user, ServiceAtLocation.objects.filter(service__in=services(user), location__isnull=False))
        .filter(objects.PUBLISHED_LOCATION).select_related("service__organization", "service__program", "location")
        .order_by("service__name", "pk")
    )


def _waypoint_service_ids(queryset: QuerySet[Service], accept: Callable[[uuid.UUID], bool]) -> list[uuid.UUID]:
    """Services with one of Waypoint's own attributes (their fields, not rows): worked out in Python,
    as the acceptance lists are JSON."""
    return [
        service.pk for service in queryset
        if any(accept(attribute["taxonomy_term_id"]) for attribute in extensions.service_attributes(service))
    ]


def filter_services(
    queryset: QuerySet[Service], *, search: str = "", organization_id: uuid.UUID | None = None,
    taxonomy_term_id: uuid.UUID | None = None, taxonomy_id: uuid.UUID | None = None,
    modified_after: datetime.datetime | None = None, prefix: str = "",
) -> QuerySet:
    """The HSDA filters on services; `prefix` applies them to service-at-locations ("service__")."""
    if search:
        queryset = queryset.filter(
            Q(**{f"{prefix}name__icontains": search}) | Q(**{f"{prefix}alternate_name__icontains": search})
            | Q(**{f"{prefix}description__icontains": search}) | Q(**{f"{prefix}organization__name__icontains": search})
        )
    if organization_id:
        queryset = queryset.filter(**{f"{prefix}organization_id": organization_id})
    if modified_after:
        queryset = queryset.filter(**{f"{prefix}last_modified__gte": modified_after})
    service_ids = Service.objects.filter(pk__in=queryset.values(f"{prefix}pk" if prefix else "pk"))
    if taxonomy_term_id:
        if taxonomy_term_id in extensions.TERMS:
            ids = _waypoint_service_ids(service_ids, lambda term: term == taxonomy_term_id)
        else:
            ids = Attribute.objects.filter(link_entity="service", taxonomy_term_id=taxonomy_term_id).values("link_id")
        queryset = queryset.filter(**{f"{prefix}pk__in": ids})
    if taxonomy_id:
        if taxonomy_id in extensions.TAXONOMY_IDS:
            ids = _waypoint_service_ids(service_ids, lambda term: extensions.TERMS[term][0].id == taxonomy_id)
        else:
            ids = Attribute.objects.filter(
                link_entity="service", taxonomy_term__taxonomy_detail_id=taxonomy_id
            ).values("link_id")
        queryset = queryset.filter(**{f"{prefix}pk__in": ids})
    return queryset


def taxonomies(user, search: str = "") -> list[Taxonomy | dict]:
    """Stored taxonomies and Waypoint's own (which are written from fields), by name."""
    stored = policy.scope(user, Taxonomy.objects.exclude(pk__in=list(extensions.TAXONOMY_IDS)))
    own = [extensions.taxonomy_row(extension) for extension in extensions.EXTENSIONS]
    if search:
        stored = stored.filter(Q(name__icontains=search) | Q(description__icontains=search))
        own = [item for item in own if search.lower() in (item["name"] + " " + item["description"]).lower()]
    return sorted([*stored, *own], key=_name_and_id)


def taxonomy_terms(user, *, search: str = "", taxonomy_id: uuid.UUID | None = None,
                   parent_id: uuid.UUID | None = None, top_only: bool = False) -> list[TaxonomyTerm | dict]:
    stored = policy.scope(user, TaxonomyTerm.objects.exclude(pk__in=list(extensions.TERMS))).select_related(
        "taxonomy_detail")
    own = [objects.waypoint_term(term) for term in extensions.TERMS]
    if search:
        stored = stored.filter(Q(name__icontains=search) | Q(code__icontains=search) | Q(description__icontains=search))
        needle = search.lower()
        own = [item for item in own if needle in f"{item['name']} {item['code']} {item['description']}".lower()]
    if taxonomy_id:
        stored = stored.filter(taxonomy_detail_id=taxonomy_id)
        own = [item for item in own if item["taxonomy_id"] == taxonomy_id]
    if parent_id:
        stored = stored.filter(parent_id=parent_id)
        own = []  # Waypoint's taxonomies are flat
    if top_only:
        stored = stored.filter(parent__isnull=True)
    return sorted([*stored, *own], key=_name_and_id)


def _name_and_id(item) -> tuple[str, str]:
    if isinstance(item, dict):
        return item["name"].lower(), str(item["id"])
    return item.name.lower(), str(item.pk)


# --- Endpoints ----------------------------------------------------------------------------------------
@hsda.get("/", url_name="api_info", summary="About this API")
def api_info(request: HttpRequest):
    _require(request)
    return {
        "version": spec.HSDS_VERSION,
        "profile": spec.HSDS_PROFILE,
        "openapi_url": request.build_absolute_uri(reverse("hsda:openapi-json")),
    }


@hsda.get("/services", url_name="services", summary="Services, paged")
def list_services(
    request: HttpRequest, search: str = "", page: int = 1, per_page: int = DEFAULT_PER_PAGE,
    format: str = Query("json"), taxonomy_term_id: str | None = None, taxonomy_id: str | None = None,
    organization_id: str | None = None, modified_after: str | None = None, full: bool = False,
):
    _require(request)
    page, per_page = _paging(page, per_page)
    queryset = filter_services(
        services(request.auth), search=search.strip(), organization_id=_uuid("organization_id", organization_id),
        taxonomy_term_id=_uuid("taxonomy_term_id", taxonomy_term_id), taxonomy_id=_uuid("taxonomy_id", taxonomy_id),
        modified_after=_moment("modified_after", modified_after),
    )
    return _answer(queryset, _format(format), page, per_page,
                   objects.service_object if full else objects.service_list_object)


@hsda.get("/services/{service_id}", url_name="service", summary="One service with everything about it")
def get_service(request: HttpRequest, service_id: str):
    _require(request)
    service = policy.get_for(request.auth, services(request.auth), pk=service_id, request=request)
    return objects.service_object(service)


@hsda.get("/organizations", url_name="organizations", summary="Organisations, paged")
def list_organizations(
    request: HttpRequest, search: str = "", page: int = 1, per_page: int = DEFAULT_PER_PAGE,
    format: str = Query("json"), full: bool = False, full_service: bool = False,
):
    _require(request)
    page, per_page = _paging(page, per_page)
    queryset = organisations(request.auth)
    if search.strip():
        term = search.strip()
        queryset = queryset.filter(
            Q(name__icontains=term) | Q(alternate_name__icontains=term) | Q(description__icontains=term)
        )
    visible = services(request.auth)

    def serialise(organisation: Organisation) -> dict:
        if full or full_service:
            return objects.organization_object(
                organisation, visible.filter(organization=organisation), full_service=full_service
            )
        return objects.row(organisation)

    return _answer(queryset, _format(format), page, per_page, serialise)


@hsda.get("/organizations/{organization_id}", url_name="organization", summary="One organisation")
def get_organization(request: HttpRequest, organization_id: str, full_service: bool = False):
    _require(request)
    organisation = policy.get_for(request.auth, organisations(request.auth), pk=organization_id, request=request)
    return objects.organization_object(
        organisation, services(request.auth).filter(organization=organisation), full_service=full_service
    )


@hsda.get("/service_at_locations", url_name="service_at_locations", summary="Services at locations, paged")
def list_service_at_locations(
    request: HttpRequest, search: str = "", page: int = 1, per_page: int = DEFAULT_PER_PAGE,
    format: str = Query("json"), taxonomy_term_id: str | None = None, taxonomy_id: str | None = None,
    organization_id: str | None = None, modified_after: str | None = None, full: bool = False, postcode: str = "",
):
    _require(request)
    page, per_page = _paging(page, per_page)
    queryset = filter_services(
        service_at_locations(request.auth), organization_id=_uuid("organization_id", organization_id),
        taxonomy_term_id=_uuid("taxonomy_term_id", taxonomy_term_id), taxonomy_id=_uuid("taxonomy_id", taxonomy_id),
        modified_after=_moment("modified_after", modified_after), prefix="service__",
    )
    if search.strip():
        term = search.strip()
        queryset = queryset.filter(
            Q(service__name__icontains=term) | Q(service__description__icontains=term)
            | Q(location__name__icontains=term) | Q(description__icontains=term)
        )
    if postcode.strip():
        queryset = queryset.filter(location__addresses__postal_code__iexact=postcode.strip()).distinct()
    return _answer(queryset, _format(format), page, per_page,
                   objects.service_at_location_object if full else objects.service_at_location_list_object)


@hsda.get("/service_at_locations/{service_at_location_id}", url_name="service_at_location",
          summary="One service at a location with everything about it")
def get_service_at_location(request: HttpRequest, service_at_location_id: str):
    _require(request)
    link = policy.get_for(request.auth, service_at_locations(request.auth), pk=service_at_location_id, request=request)
    return objects.service_at_location_object(link)


@hsda.get("/taxonomies", url_name="taxonomies", summary="Taxonomies, paged")
def list_taxonomies(
    request: HttpRequest, search: str = "", page: int = 1, per_page: int = DEFAULT_PER_PAGE,
    format: str = Query("json"),
):
    _require(request)
    page, per_page = _paging(page, per_page)
    return _answer(taxonomies(request.auth, search.strip()), _format(format), page, per_page, objects.taxonomy_object)


@hsda.get("/taxonomies/{taxonomy_id}", url_name="taxonomy", summary="One taxonomy")
def get_taxonomy(request: HttpRequest, taxonomy_id: str):
    _require(request)
    own = _own(taxonomy_id, extensions.TAXONOMY_IDS)
    if own is not None:
        return objects.taxonomy_object(extensions.taxonomy_row(own))
    stored = Taxonomy.objects.exclude(pk__in=list(extensions.TAXONOMY_IDS))
    return objects.taxonomy_object(policy.get_for(request.auth, stored, pk=taxonomy_id, request=request))


@hsda.get("/taxonomy_terms", url_name="taxonomy_terms", summary="Taxonomy terms, paged")
def list_taxonomy_terms(
    request: HttpRequest, search: str = "", page: int = 1, per_page: int = DEFAULT_PER_PAGE,
    format: str = Query("json"), taxonomy_id: str | None = None, parent_id: str | None = None, top_only: bool = False,
):
    _require(request)
    page, per_page = _paging(page, per_page)
    found = taxonomy_terms(
        request.auth, search=search.strip(), taxonomy_id=_uuid("taxonomy_id", taxonomy_id),
        parent_id=_uuid("parent_id", parent_id), top_only=top_only,
    )
    return _answer(found, _format(format), page, per_page, objects.term_object)


@hsda.get("/taxonomy_terms/{taxonomy_term_id}", url_name="taxonomy_term", summary="One taxonomy term")
def get_taxonomy_term(request: HttpRequest, taxonomy_term_id: str):
    _require(request)
    if _own(taxonomy_term_id, extensions.TERMS) is not None:
        return objects.term_object(objects.waypoint_term(uuid.UUID(taxonomy_term_id)))
    stored = TaxonomyTerm.objects.exclude(pk__in=list(extensions.TERMS)).select_related("taxonomy_detail")
    return objects.term_object(policy.get_for(request.auth, stored, pk=taxonomy_term_id, request=request))


def _own(value: str, known: dict):
    try:
        return known.get(uuid.UUID(value))
    except ValueError:
        return None
