"""Pages for the services and movements of a case: the two case-page panels, and the forms to record a
service, plan a movement and take its steps.

The case comes through `policy.get_for(..., "change")` (a case outside the user's hands answers 404 and the
denial is audited); every write goes through `deliveries` or `movements`. An edit form carries the version
it was opened at: if someone saved meanwhile, nothing is written, the page answers 409 and shows their
values beside the user's own input, which is kept.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from waypoint.accounts import policy
from waypoint.audit.models import Action
from waypoint.audit.services import record
from waypoint.core.forms import apply_errors

from . import deliveries, movements
from .casework import display_name
from .forms_services import DeliveryForm, MovementForm, differences, person_label
from .locking import ConflictError
from .models import Case, Movement, MovementKind, MovementStatus, ServiceDelivery

STEP_LABELS = {
    MovementStatus.BOOKED: gettext_lazy("Booked"),
    MovementStatus.IN_TRANSIT: gettext_lazy("Departed"),
    MovementStatus.COMPLETED: gettext_lazy("Arrived"),
    MovementStatus.CANCELLED: gettext_lazy("Cancel"),
}
RECEPTION_STEP_LABELS = {
    **STEP_LABELS, MovementStatus.BOOKED: gettext_lazy("Arrival confirmed"),
    MovementStatus.COMPLETED: gettext_lazy("Met at the airport"),
}


def step_labels(movement: Movement) -> dict:
    return RECEPTION_STEP_LABELS if movement.kind == MovementKind.AIRPORT_RECEPTION else STEP_LABELS


def editable_case(request: HttpRequest, reference: str) -> Case:
    return policy.get_for(request.user, Case.objects.select_related("office", "owner"), "change",
                          reference=reference, request=request)


def back_to_case(case: Case, anchor: str) -> HttpResponse:
    return redirect(reverse("cases:detail", args=[case.reference]) + f"#{anchor}")


# --- The case page's panels ---------------------------------------------------------------------
def services_panel(request: HttpRequest, case: Case) -> dict[str, Any] | None:
    """The case's services, newest first, with totals of what was delivered by currency."""
    user = request.user
    rows = policy.scope(user, case.deliveries.select_related(
        "service_type", "person", "delivered_by", "partner", "referral", "movement").prefetch_related(
        "movement__travellers"))
    may_change = policy.can(user, "change", case)
    totals: dict[str, Decimal] = defaultdict(Decimal)
    items = []
    for delivery in rows:
        if delivery.status == "delivered" and delivery.cost is not None:
            totals[delivery.currency] += delivery.cost
        items.append({
            "delivery": delivery, "for": _recipients(user, delivery),
            "by": display_name(delivery.delivered_by) if delivery.delivered_by_id else (
                delivery.partner.name if delivery.partner_id else "—"),
        })
    return {"items": items, "totals": sorted(totals.items()), "may_change": may_change,
            "may_add": may_change and not case.is_closed}


def _recipients(user, delivery: ServiceDelivery) -> str:
    """Whom a service was for: its person; a journey's travellers; else the whole case."""
    if delivery.person_id:
        return person_label(user, delivery.person)
    movement = getattr(delivery, "movement", None)  # the reverse side of Movement.delivery, when there is one
    if movement is not None:
        return ", ".join(person_label(user, person) for person in movement.travellers.all())
    if delivery.service_type.is_movement:
        return _("the travellers")
    return _("the whole case")


def movements_panel(request: HttpRequest, case: Case) -> dict[str, Any] | None:
    """The case's journeys: itinerary, travellers, escort, status and its next steps; tickets only for
    those who may change the case."""
    user = request.user
    may_change = policy.can(user, "change", case)
    items = []
    for movement in policy.scope(user, case.movements.select_related("escort_user").prefetch_related("travellers")):
        escort = ""
        if movement.escort != "none":
            who = display_name(movement.escort_user) if movement.escort_user_id else movement.escort_name
            escort = f"{movement.get_escort_display()}: {who}"
        items.append({
            "movement": movement, "itinerary": movements.itinerary(movement), "escort": escort,
            "travellers": [person_label(user, person) for person in movement.travellers.all()],
            "steps": [(step, step_labels(movement)[step]) for step in movements.next_steps(movement)]
            if may_change else [],
        })
    return {"items": items, "may_change": may_change, "may_add": may_change and not case.is_closed}


# --- Services -----------------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def delivery_add(request: HttpRequest, reference: str) -> HttpResponse:
    case = editable_case(request, reference)
    form = DeliveryForm(request.POST or None, case=case, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            deliveries.record_delivery(request.user, case, **form.values(), request=request)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The service is recorded."))
            return back_to_case(case, "services")
    return render(request, "cases/delivery_form.html", {"case": case, "form": form, "delivery": None})


@login_required
@require_http_methods(["GET", "POST"])
def delivery_edit(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    user = request.user
    case = editable_case(request, reference)
    queryset = ServiceDelivery.objects.filter(case=case).select_related("service_type", "person")
    delivery = policy.get_for(user, queryset, "change", pk=pk, request=request)
    if request.method == "GET":
        record(Action.VIEW, delivery, actor=user, request=request)
    form = DeliveryForm(request.POST or None, case=case, user=user, delivery=delivery)
    conflict, status = None, 200
    if request.method == "POST" and form.is_valid():
        try:
            deliveries.update_delivery(user, delivery, version=form.cleaned_data["version"], **form.values(),
                                       request=request)
        except ConflictError:
            saved = queryset.get(pk=pk)
            conflict, status = differences(form, saved, DeliveryForm.FIELDS), 409
            data = request.POST.copy()
            data["version"] = str(saved.version)  # saving again, knowingly, keeps this user's input
            form = DeliveryForm(data, case=case, user=user, delivery=saved)
            form.is_valid()
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The service is saved."))
            return back_to_case(case, "services")
    return render(request, "cases/delivery_form.html",
                  {"case": case, "form": form, "delivery": delivery, "conflict": conflict}, status=status)


# --- Movements ----------------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def movement_add(request: HttpRequest, reference: str) -> HttpResponse:
    case = editable_case(request, reference)
    form = MovementForm(request.POST or None, case=case, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            movements.plan_movement(request.user, case, **form.values(), request=request)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The movement is planned."))
            return back_to_case(case, "movements")
    return render(request, "cases/movement_form.html", {"case": case, "form": form, "movement": None})


@login_required
@require_http_methods(["GET", "POST"])
def movement_edit(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    user = request.user
    case = editable_case(request, reference)
    queryset = Movement.objects.filter(case=case).select_related("escort_user")
    movement = policy.get_for(user, queryset, "change", pk=pk, request=request)
    if request.method == "GET":
        record(Action.VIEW, movement, actor=user, request=request)
    form = MovementForm(request.POST or None, case=case, user=user, movement=movement)
    conflict, status = None, 200
    if request.method == "POST" and form.is_valid():
        try:
            movements.update_movement(user, movement, version=form.cleaned_data["version"], **form.values(),
                                      request=request)
        except ConflictError:
            saved = queryset.get(pk=pk)
            conflict, status = differences(form, saved, MovementForm.FIELDS), 409
            data = request.POST.copy()
            data["version"] = str(saved.version)
            form = MovementForm(data, case=case, user=user, movement=saved)
            form.is_valid()
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The movement is saved."))
            return back_to_case(case, "movements")
    return render(request, "cases/movement_form.html",
                  {"case": case, "form": form, "movement": movement, "conflict": conflict}, status=status)


@login_required
@require_POST
def movement_status(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    """A step of the journey from the case page's button (booked, departed, arrived, cancelled)."""
    case = editable_case(request, reference)
    movement = policy.get_for(request.user, Movement.objects.filter(case=case), "change", pk=pk, request=request)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = None
    try:
        movements.set_movement_status(request.user, movement, request.POST.get("status", ""), version=version,
                                      request=request)
    except ConflictError:
        messages.error(request, _("Someone changed this movement while you were looking at it: nothing was saved. "
                                  "Check its status below and try again."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The movement is now %(status)s.")
                         % {"status": Movement.objects.get(pk=pk).get_status_display().lower()})
    return back_to_case(case, "movements")
