"""After arrival: the reception by a partner, the reintegration plan and its grant instalments.

Recording the reception (the day the returnee arrived and was met) schedules the monitoring visits
(`monitoring.schedule`). The plan carries a budget; an instalment that would take the instalments' total above it
is refused with the amount that remains, and the refusal is audited. The plan is edited on the version its form
was opened at; instalments are added under a lock on the plan, so two at once never pass the budget together.
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from waypoint.accounts import policy
from waypoint.accounts.models import Programme, User
from waypoint.audit.models import Action
from waypoint.audit.services import changed_fields, record
from waypoint.cases import timeline
from waypoint.cases.casework import refused
from waypoint.cases.deliveries import valid_currency
from waypoint.cases.locking import ConflictError, bump, locked_current
from waypoint.cases.models import Attachment, Case
from waypoint.partners.models import Organisation

from . import monitoring
from .models import Instalment, Reception, ReintegrationPlan

__all__ = ["ConflictError", "add_instalment", "record_reception", "remaining", "save_plan"]
TEXT_MAX = 4000
AMOUNT_MAX = Decimal("99999999.99")


def _case(user: User, case: Case, request) -> Case:
    case = policy.get_for(user, Case.objects.filter(programme=Programme.RETURN), "change", pk=case.pk,
                          request=request)
    if case.is_closed:
        raise ValidationError(_("Case %(reference)s is closed: reopen it before recording anything new.")
                              % {"reference": case.reference})
    return case


def _amount(value: Any, field: str, label: str, errors: dict[str, list[str]]) -> Decimal | None:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, TypeError):
        amount = None
    if amount is None or not amount.is_finite():
        errors[field] = [_("%(field)s: give an amount, e.g. 1500.00.") % {"field": label}]
        return None
    if amount <= 0 or amount > AMOUNT_MAX or amount != amount.quantize(Decimal("0.01")):
        errors[field] = [_("%(field)s: more than zero, at most %(max)s, with at most two decimals.")
                         % {"field": label, "max": AMOUNT_MAX}]
        return None
    return amount


def _money(amount: Decimal, currency: str) -> str:
    return f"{formats.number_format(amount, 2, use_l10n=True, force_grouping=True)} {currency}"


# --- Reception ------------------------------------------------------------------------------------------------
def record_reception(user: User, case: Case, *, organisation: Organisation | None, received_on: datetime.date | None,
                     note: str = "", request=None) -> Reception:
    """The returnee was met by a partner on arrival: recorded once per case; the monitoring visits are scheduled
    from this day."""
    case = _case(user, case, request)
    note = (note or "").strip()
    errors: dict[str, list[str]] = {}
    if organisation is None or not organisation.is_active:
        errors["organisation"] = [_("Choose the partner organisation that received the returnee.")]
    if received_on is None:
        errors["received_on"] = [_("Give the day of arrival and reception.")]
    elif received_on > timezone.localdate():
        errors["received_on"] = [_("A reception cannot be recorded in the future.")]
    if len(note) > TEXT_MAX:
        errors["note"] = [_("The note is longer than %(max)d characters.") % {"max": TEXT_MAX}]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        Case.objects.select_for_update(of=("self",)).get(pk=case.pk)
        if Reception.objects.filter(case=case).exists():
            raise ValidationError({"organisation": [_("The reception of this case is already recorded.")]})
        reception = Reception.objects.create(case=case, organisation=organisation, received_on=received_on,
                                             note=note, recorded_by=user)
        record(Action.CREATE, reception, actor=user, request=request, changes={
            "case": [None, case.reference], "organisation": [None, str(organisation.pk)],
            "received_on": [None, received_on.isoformat()], "note": None})
        timeline.log(case, timeline.PROFILE, _("Received on arrival by %(organisation)s on %(date)s.") % {
            "organisation": organisation.name, "date": formats.date_format(received_on, "DATE_FORMAT")},
            actor=user, obj=reception)
        monitoring.schedule(user, case, received_on, request=request)
    return reception


# --- The plan -------------------------------------------------------------------------------------------------
PLAN_FIELDS = ("budget", "currency", "partner", "economic", "social", "psychosocial", "description")


def _plan_snapshot(plan: ReintegrationPlan) -> dict[str, Any]:
    return {"budget": str(plan.budget) if plan.budget is not None else None, "currency": plan.currency,
            "partner": str(plan.partner_id) if plan.partner_id else None, "economic": plan.economic,
            "social": plan.social, "psychosocial": plan.psychosocial, "description": plan.description}


def paid(plan: ReintegrationPlan) -> Decimal:
    return plan.instalments.aggregate(total=Sum("amount"))["total"] or Decimal("0")


def remaining(plan: ReintegrationPlan) -> Decimal:
    return plan.budget - paid(plan)


def save_plan(user: User, case: Case, *, version: int, budget: Any, currency: str, partner: Organisation | None,
              economic: bool, social: bool, psychosocial: bool, description: str = "",
              request=None) -> ReintegrationPlan:
    """Create (version 0) or change the plan. The budget may not fall below what was already paid."""
    case = _case(user, case, request)
    errors: dict[str, list[str]] = {}
    budget = _amount(budget, "budget", _("Budget"), errors)
    currency = (currency or "").strip().upper()
    description = (description or "").strip()
    if not valid_currency(currency):
        errors["currency"] = [_("Give the currency as its three-letter ISO 4217 code, e.g. EUR or RUB.")]
    if partner is not None and not partner.is_active:
        errors["partner"] = [_("%(organisation)s is no longer an active partner.") % {"organisation": partner.name}]
    if not (economic or social or psychosocial):
        errors["economic"] = [_("Choose at least one kind of support: economic, social or psychosocial.")]
    if len(description) > TEXT_MAX:
        errors["description"] = [_("The description is longer than %(max)d characters.") % {"max": TEXT_MAX}]
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            Case.objects.select_for_update(of=("self",)).get(pk=case.pk)
            existing = ReintegrationPlan.objects.filter(case=case).values_list("pk", flat=True).first()
            if existing is None:
                if version is None or int(version) != 0:
                    raise ConflictError(ReintegrationPlan(case=case, version=0, budget=Decimal("0")))
                plan, before = ReintegrationPlan(case=case, version=0), {}
            else:
                plan = locked_current(ReintegrationPlan.objects.all(), existing, version)
                before = _plan_snapshot(plan)
                already = paid(plan)
                if budget < already:
                    raise ValidationError({"budget": [_("%(paid)s is already paid: the budget cannot be lower.")
                                                      % {"paid": _money(already, plan.currency)}]})
            plan.budget, plan.currency, plan.partner = budget, currency, partner
            plan.economic, plan.social, plan.psychosocial = economic, social, psychosocial
            plan.description, plan.updated_by = description, user
            after = _plan_snapshot(plan)
            if existing is not None and after == before:
                return plan
            if existing is None:
                plan.version = 1
                plan.save()
            else:
                bump(plan, [*PLAN_FIELDS, "updated_by"])
            record(Action.CREATE if existing is None else Action.UPDATE, plan, actor=user, request=request,
                   changes={"case": [None, case.reference],
                            **changed_fields(before, after, sensitive=("description",))})
            line = (_("Reintegration plan made: budget %(budget)s.") if existing is None
                    else _("Reintegration plan changed: budget %(budget)s.")) % {"budget": _money(budget, currency)}
            timeline.log(case, timeline.PLAN, line, actor=user, obj=plan)
    except ConflictError:
        refused(user, case, "reintegration_plan", ["stale_version"], request=request)
        raise
    return plan


# --- Instalments ----------------------------------------------------------------------------------------------
def add_instalment(user: User, case: Case, *, amount: Any, paid_on: datetime.date | None, purchased: str,
                   receipt: Attachment | None = None, request=None) -> Instalment:
    """Pay a grant instalment under the plan; refused (and audited) when the total would pass the budget."""
    case = _case(user, case, request)
    errors: dict[str, list[str]] = {}
    amount = _amount(amount, "amount", _("Amount"), errors)
    purchased = (purchased or "").strip()
    if paid_on is None:
        errors["paid_on"] = [_("Give the day the instalment was paid.")]
    elif paid_on > timezone.localdate():
        errors["paid_on"] = [_("An instalment cannot be paid in the future.")]
    if not purchased:
        errors["purchased"] = [_("Say what was bought with the instalment.")]
    elif len(purchased) > TEXT_MAX:
        errors["purchased"] = [_("The text is longer than %(max)d characters.") % {"max": TEXT_MAX}]
    if receipt is not None and (receipt.case_id != case.pk or receipt.removed_at is not None):
        errors["receipt"] = [_("Choose a receipt among this case's attachments.")]
    plan = ReintegrationPlan.objects.filter(case=case).first()
    if plan is None:
        errors["amount"] = [_("Make the reintegration plan with its budget before paying instalments.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        plan = ReintegrationPlan.objects.select_for_update(of=("self",)).get(pk=plan.pk)
        left = remaining(plan)
        if amount > left:
            error = ValidationError({"amount": [_(
                "%(amount)s would take the instalments above the budget of %(budget)s: %(left)s remains.") % {
                "amount": _money(amount, plan.currency), "budget": _money(plan.budget, plan.currency),
                "left": _money(left, plan.currency)}]})
            over = True
        else:
            over = False
            instalment = Instalment.objects.create(plan=plan, amount=amount, paid_on=paid_on, purchased=purchased,
                                                   receipt=receipt, recorded_by=user)
            record(Action.CREATE, instalment, actor=user, request=request, changes={
                "case": [None, case.reference], "amount": [None, str(amount)], "paid_on": [None, paid_on.isoformat()],
                "purchased": None, "receipt": [None, str(receipt.pk) if receipt else None]})
            timeline.log(case, timeline.SERVICE, _("Grant instalment of %(amount)s paid on %(date)s.") % {
                "amount": _money(amount, plan.currency), "date": formats.date_format(paid_on, "DATE_FORMAT")},
                actor=user, obj=instalment)
    if over:
        refused(user, case, "instalment", ["above_budget"], request=request)
        raise error
    return instalment
