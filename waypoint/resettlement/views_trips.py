"""Processing trips: the list, a trip's page (the interviews it supported come from its presentations), and
the form to record or correct one. Resettlement staff only (`VIEW_PROCESSING_TRIPS`)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from waypoint.accounts import policy
from waypoint.cases.locking import ConflictError
from waypoint.cases.models import Case
from waypoint.core.forms import apply_errors, at_saved_version

from . import trips
from .forms import TripForm
from .models import Presentation, ProcessingTrip


@login_required
@require_GET
def trip_list(request: HttpRequest) -> HttpResponse:
    policy.require(request.user, policy.VIEW_PROCESSING_TRIPS, request=request)
    rows = policy.scope(request.user, ProcessingTrip.objects.all()).prefetch_related("staff").order_by(
        "-starts_on", "-id")
    city = (request.GET.get("city") or "").strip()
    if city:
        rows = rows.filter(city__iexact=city)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    found = trips.figures_for([trip.pk for trip in page])
    return render(request, "resettlement/trip_list.html", {
        "page": page, "rows": [(trip, found[trip.pk]) for trip in page], "city": city,
        "cities": sorted(trips.KNOWN_CITIES), "may_add": policy.may(request.user, policy.VIEW_PROCESSING_TRIPS)})


@login_required
@require_GET
def trip_detail(request: HttpRequest, pk: int) -> HttpResponse:
    policy.require(request.user, policy.VIEW_PROCESSING_TRIPS, request=request)
    trip = policy.get_for(request.user, ProcessingTrip.objects.prefetch_related("staff"), "view", pk=pk,
                          request=request)
    visible = policy.scope(request.user, Case.objects.all())
    presentations = (Presentation.objects.filter(trip=trip).select_related("case")
                     .prefetch_related("members").order_by("presented_on", "id"))
    seen = trip.cases_seen.order_by("reference")
    # A case the reader may not see shows its reference only: not who was presented, nor the decision.
    case_ids = {*seen.values_list("pk", flat=True), *presentations.values_list("case_id", flat=True)}
    visible_ids = set(visible.filter(pk__in=case_ids).values_list("pk", flat=True))
    return render(request, "resettlement/trip_detail.html", {
        "trip": trip, "figures": trips.figures(trip), "presentations": presentations,
        "seen": [(case, case.pk in visible_ids) for case in seen], "visible_ids": visible_ids,
        "may_change": policy.can(request.user, "change", trip)})


def _staff():
    return trips.staff_choices()


@login_required
@require_http_methods(["GET", "POST"])
def trip_new(request: HttpRequest) -> HttpResponse:
    policy.require(request.user, policy.VIEW_PROCESSING_TRIPS, request=request)
    form = TripForm(request.POST or None, staff=_staff(), initial={"staff": [request.user.pk]})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                trip = trips.create_trip(request.user, request=request, **form.trip_data())
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("The processing trip is recorded."))
                return redirect("resettlement:trip", pk=trip.pk)
    return render(request, "resettlement/trip_form.html", {
        "form": form, "trip": None, "cities": sorted(trips.KNOWN_CITIES),
        "action": reverse("resettlement:trip_new")}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def trip_edit(request: HttpRequest, pk: int) -> HttpResponse:
    policy.require(request.user, policy.VIEW_PROCESSING_TRIPS, request=request)
    trip = policy.get_for(request.user, ProcessingTrip, "change", pk=pk, request=request)
    status, conflict = 200, False
    if request.method == "POST":
        form = TripForm(request.POST, staff=_staff())
        status = 400
        if form.is_valid():
            try:
                trips.update_trip(request.user, trip, version=form.cleaned_data.get("version"), request=request,
                                  **form.trip_data())
            except ConflictError:
                status, conflict = 409, True
                form = at_saved_version(TripForm, request.POST, ProcessingTrip.objects.get(pk=trip.pk).version,
                                        staff=_staff())
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("The processing trip is saved."))
                return redirect("resettlement:trip", pk=trip.pk)
    else:
        form = TripForm(staff=_staff(), initial={
            "version": trip.version, "city": trip.city, "country": trip.country, "starts_on": trip.starts_on,
            "ends_on": trip.ends_on, "purpose": trip.purpose, "staff": list(trip.staff.values_list("pk", flat=True))})
    return render(request, "resettlement/trip_form.html", {
        "form": form, "trip": trip, "cities": sorted(trips.KNOWN_CITIES), "conflict": conflict,
        "action": reverse("resettlement:trip_edit", args=[trip.pk])}, status=status)
