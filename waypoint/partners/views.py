"""Pages of the partner directory: search and filters, an organisation's page, a service's page, and the
availability update partners keep current.

Everything is read through the access policy: organisations and services by `policy.scope`/`get_for`,
agreements by their own rule (not for partner users), referrals by the case rules. The history of
referrals with an organisation shows references, dates, statuses and services only, never a person.
"""

from __future__ import annotations

import datetime
import statistics
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from waypoint.accounts import policy
from waypoint.accounts.models import Role, User
from waypoint.people import codes

from . import display, eligibility, search, services, taxonomy
from .forms import AvailabilityForm, DirectoryFilterForm
from .models import (
    Agreement,
    Contact,
    Location,
    Organisation,
    Phone,
    Schedule,
    Service,
)

PAGE_SIZE = 20
REFERRALS_SHOWN = 50


# --- Presentation -------------------------------------------------------------------------------
@dataclass
class ServiceRow:
    """A service as the pages show it: types, who is accepted, room, languages, hours in words."""

    service: Service
    types: list[str]
    accepts: str
    closed: list[str]
    languages: list[str] = field(default_factory=list)
    hours: list[str] = field(default_factory=list)
    may_update: bool = False
    form: AvailabilityForm | None = None

    @property
    def stops(self) -> list[str]:
        """Why nobody is taken now, but "no free places", which the count of places already says."""
        return self.closed[:-1] if self.service.available == 0 else self.closed

    @property
    def type_labels(self) -> list[str]:
        return [taxonomy.service_type_label(code) for code in self.types]


def service_row(service: Service, types: list[str], *, detail: bool = False, may_update: bool = False) -> ServiceRow:
    row = ServiceRow(
        service=service, types=types, accepts=eligibility.accepts_label(service),
        closed=eligibility.closed_reasons(service), may_update=may_update,
    )
    row.languages = sorted({display.language_label(language) for language in service.languages.all()})
    if detail:
        row.hours = [display.opening_hours(schedule) for schedule in service.schedules.all()]
    if may_update:
        row.form = AvailabilityForm(service=service)
    return row


def place_text(organisation: Organisation) -> str:
    """"St Petersburg, Leningrad Oblast, Russia": city, region (unless the same) and country, as known."""
    parts = [organisation.city]
    if organisation.region and organisation.region != organisation.city:
        parts.append(organisation.region)
    if organisation.country:
        parts.append(codes.country_name(organisation.country))
    return ", ".join(part for part in parts if part)


def _admin_url(name: str, *args) -> str:
    try:
        return reverse(f"admin:{name}", args=args)
    except NoReverseMatch:
        return ""


# --- The directory ------------------------------------------------------------------------------
@login_required
@require_GET
def organisation_list(request: HttpRequest) -> HttpResponse:
    """Browse and search: words in any script, organisation filters and service filters together."""
    policy.require(request.user, policy.VIEW_DIRECTORY, request=request)
    form = DirectoryFilterForm(request.GET or None, user=request.user)
    query = form.directory_query()
    organisations = search.search(request.user, query)
    page = Paginator(organisations, PAGE_SIZE).get_page(request.GET.get("page"))
    shown = list(page.object_list)
    candidates = search.matching_services(request.user, query) if query.filters_services else policy.scope(
        request.user, Service.objects.all())
    by_org: dict = {}
    rows = candidates.filter(organization__in=shown).select_related("organization").prefetch_related("languages")
    for service in rows.order_by("name"):
        by_org.setdefault(service.organization_id, []).append(service)
    types = taxonomy.types_by_service(s.id for services_ in by_org.values() for s in services_)
    results = []
    for organisation in shown:
        listed = search.services_to_show(organisation, by_org.get(organisation.pk, []), query)
        results.append((organisation, place_text(organisation),
                        [service_row(s, types.get(s.id, [])) for s in listed]))
    params = {name: value for name, value in request.GET.items() if name != "page" and value}
    return render(request, "partners/organisation_list.html", {
        "form": form, "page": page, "results": results, "query": urlencode(params),
        "filtered": bool(params), "may_change": policy.may(request.user, policy.CHANGE_DIRECTORY),
    })


# --- An organisation ----------------------------------------------------------------------------
@dataclass
class ReferralHistory:
    """Referrals with one organisation, as counts and answer times; `rows` are those the user may see."""

    by_status: list[tuple[str, int]]
    total: int
    acceptance_rate: int | None
    median_hours: float | None
    answered: int
    rows: list


def _duration_text(hours: float | None) -> str:
    if hours is None:
        return ""
    if hours < 1:
        return _("%(minutes)d min") % {"minutes": round(hours * 60)}
    if hours < 48:
        return _("%(hours).1f h") % {"hours": hours}
    return _("%(days).1f days") % {"days": hours / 24}


def referral_history(user: User, organisation: Organisation) -> ReferralHistory | None:
    """The office's experience with a partner: how many referrals, how many accepted, how fast answered.

    Counts hold no personal data and cover all referrals with the organisation; the list shows only those
    the user may see, by reference, date, status and service.
    """
    try:
        from waypoint.cases.models import Referral, ReferralStatus
    except ImportError:  # pragma: no cover - the cases app is part of the project
        return None
    referrals = Referral.objects.filter(organisation=organisation)
    counts: dict[str, int] = {}
    durations = []
    for status, sent_at, responded_at in referrals.values_list("status", "sent_at", "responded_at"):
        counts[status] = counts.get(status, 0) + 1
        if sent_at and responded_at and responded_at >= sent_at:
            durations.append((responded_at - sent_at).total_seconds() / 3600)
    accepted = sum(counts.get(s, 0) for s in (ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS,
                                               ReferralStatus.COMPLETED))
    declined = counts.get(ReferralStatus.DECLINED, 0)
    labels = dict(ReferralStatus.choices)
    visible = policy.scope(user, referrals).select_related("service").only(
        "id", "reference", "status", "created_at", "sent_at", "responded_at", "service__name",
    ).order_by("-created_at")[:REFERRALS_SHOWN]
    return ReferralHistory(
        by_status=[(labels[s], counts[s]) for s in labels if counts.get(s)],
        total=sum(counts.values()),
        acceptance_rate=round(100 * accepted / (accepted + declined)) if accepted + declined else None,
        median_hours=statistics.median(durations) if durations else None,
        answered=len(durations),
        rows=list(visible),
    )


def _organisation_queryset():
    services_ = Service.objects.prefetch_related(
        "languages", "phones", "service_areas", "required_documents",
        Prefetch("schedules", queryset=Schedule.objects.order_by("byday", "opens_at")),
        Prefetch("contacts", queryset=Contact.objects.prefetch_related("phones")),
    ).order_by("name")
    locations = Location.objects.prefetch_related(
        "addresses", "phones", "accessibility", "languages",
        Prefetch("schedules", queryset=Schedule.objects.order_by("byday", "opens_at")),
    )
    return Organisation.objects.select_related("parent_organization").prefetch_related(
        Prefetch("services", queryset=services_),
        Prefetch("locations", queryset=locations),
        Prefetch("contacts", queryset=Contact.objects.filter(service__isnull=True).prefetch_related("phones")),
        Prefetch("phones", queryset=Phone.objects.filter(contact__isnull=True, service__isnull=True,
                                                          location__isnull=True)),
        "identifiers", "branches",
    )


def _agreement_state(agreement: Agreement, today: datetime.date) -> str:
    if agreement.valid_until and agreement.valid_until < today:
        return "expired"
    if agreement.valid_from and agreement.valid_from > today:
        return "future"
    return "valid"


@login_required
@require_GET
def organisation_detail(request: HttpRequest, pk) -> HttpResponse:
    """An organisation with its services, places and contacts; for staff its agreements and our history."""
    user = request.user
    policy.require(user, policy.VIEW_DIRECTORY, request=request)
    organisation = policy.get_for(user, _organisation_queryset(), pk=pk, request=request)
    updatable = set(policy.availability_scope(user, organisation.services.all()).values_list("id", flat=True))
    visible_services = set(policy.scope(user, organisation.services.all()).values_list("id", flat=True))
    listed = [s for s in organisation.services.all() if s.id in visible_services]
    types = taxonomy.types_by_service(s.id for s in listed)
    rows = [service_row(s, types.get(s.id, []), detail=True, may_update=s.id in updatable) for s in listed]
    is_staff = user.role in policy.STAFF_ROLES
    today = timezone.localdate()
    agreements = [
        (agreement, _agreement_state(agreement, today))
        for agreement in policy.scope(user, organisation.agreements.all())
    ] if is_staff else []
    context = {
        "organisation": organisation, "services": rows,
        "locations": [
            (location, [display.address_lines(address) for address in location.addresses.all()],
             [display.opening_hours(s) for s in location.schedules.all()],
             sorted({display.language_label(language) for language in location.languages.all()}))
            for location in organisation.locations.all()
        ],
        "country": codes.country_name(organisation.country) if organisation.country else "",
        "place": place_text(organisation),
        "is_staff": is_staff, "agreements": agreements,
        "history": referral_history(user, organisation) if is_staff else None,
        "may_change": policy.may(user, policy.CHANGE_DIRECTORY),
        "edit_url": _admin_url("partners_organisation_change", organisation.pk)
        if policy.can(user, "change", organisation) else "",
        "add_service_url": _admin_url("partners_service_add") + f"?organization={organisation.pk}"
        if policy.may(user, policy.CHANGE_DIRECTORY) else "",
        "partner_users": (
            policy.scope(user, User.objects.filter(partner_organisation=organisation, role=Role.PARTNER_USER))
            .order_by("last_name", "first_name", "username")
            if policy.may(user, policy.MANAGE_USERS) else None
        ),
    }
    if context["history"] is not None:
        context["median_text"] = _duration_text(context["history"].median_hours)
    return render(request, "partners/organisation_detail.html", context)


# --- A service ----------------------------------------------------------------------------------
def _service_queryset():
    return Service.objects.select_related("organization", "program").prefetch_related(
        "languages", "phones", "service_areas", "required_documents", "cost_options",
        Prefetch("schedules", queryset=Schedule.objects.order_by("byday", "opens_at")),
        Prefetch("contacts", queryset=Contact.objects.prefetch_related("phones")),
        Prefetch("service_at_locations__location", queryset=Location.objects.prefetch_related("addresses")),
    )


def _render_service(request: HttpRequest, service: Service, form: AvailabilityForm | None = None,
                    status: int = 200) -> HttpResponse:
    user = request.user
    may_update = policy.availability_scope(user, Service.objects.filter(pk=service.pk)).exists()
    row = service_row(service, taxonomy.service_types_of(service), detail=True, may_update=may_update)
    if form is not None:
        row.form = form
    return render(request, "partners/service_detail.html", {
        "organisation": service.organization, "row": row, "service": service,
        "organisation_url": reverse("partners:organisation", args=[service.organization_id]),
        "locations": [sal.location for sal in service.service_at_locations.all() if sal.location_id],
        "edit_url": _admin_url("partners_service_change", service.pk) if policy.can(user, "change", service) else "",
    }, status=status)


@login_required
@require_GET
def service_detail(request: HttpRequest, pk) -> HttpResponse:
    policy.require(request.user, policy.VIEW_DIRECTORY, request=request)
    visible = _service_queryset().filter(organization__in=policy.scope(request.user, Organisation.objects.all()))
    service = policy.get_for(request.user, visible, pk=pk, request=request)
    return _render_service(request, service)


@login_required
@require_POST
def availability_update(request: HttpRequest, pk) -> HttpResponse:
    """A partner (or an administrator) sets the free places and whether referrals are taken now."""
    user = request.user
    policy.require(user, policy.VIEW_DIRECTORY, request=request)
    service = policy.get_for(user, policy.availability_scope(user, _service_queryset()), pk=pk, request=request)
    form = AvailabilityForm(request.POST, service=service)
    if form.is_valid():
        try:
            services.update_availability(
                user, service, available=form.cleaned_data["available"],
                accepting_referrals=form.cleaned_data["accepting_referrals"], request=request,
            )
        except ValidationError as error:
            for name, problems in error.message_dict.items():
                form.add_error(name if name in form.fields else None, problems)
        else:
            messages.success(request, _("Availability of “%(service)s” is updated.") % {"service": service.name})
            target = request.POST.get("next", "")
            if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                   require_https=request.is_secure()):
                target = reverse("partners:service", args=[service.pk])
            return redirect(target)
    return _render_service(request, service, form, status=400)
