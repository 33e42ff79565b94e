"""The items granted: tools, equipment, machinery and vehicles bought for an approved grant, their delivery and the
handover act signed by the enterprise.

The items' total never goes above the approved value: an item that would take it above is refused naming the
amount that remains, nothing is saved, and the refusal is audited (a user may try again with a smaller value).
The application row is locked while the total is checked, so two people adding items at once cannot together
overspend; adding an item (or changing an item's value) moves the application's version. An item's status
follows what is recorded: ordered, delivered (a delivery date), handed over (a handover act number and date),
or cancelled (its value no longer counts).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Sum
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from waypoint.accounts import policy
from waypoint.accounts.models import User
from waypoint.audit.models import Action
from waypoint.audit.services import changed_fields, record
from waypoint.cases import casework, notes, timeline
from waypoint.cases.locking import ConflictError, bump, locked_current
from waypoint.cases.models import AttachmentKind, Case
from waypoint.partners.models import Organisation

from .grants import grant_case_to_change
from .models import GrantApplication, GrantItem, ItemStatus, ItemType
from .money import AMOUNT_MAX, money, parse_amount
from .workflow import APPROVED, PROCURED

__all__ = ["ConflictError", "add_item", "remaining", "update_item"]

DESCRIPTION_MAX = 300
SUPPLIER_MAX = 200
ACT_NUMBER_MAX = 40
QUANTITY_MAX = 10_000
OPEN_FOR_ITEMS = (APPROVED, PROCURED)
ITEM_FIELDS = ("item_type", "description", "quantity", "value", "supplier", "supplier_name", "delivered_on",
               "handover_act_number", "handover_act_date", "cancelled")


NEW_ITEM = {"quantity": 1, "supplier": None, "supplier_name": "", "delivered_on": None, "handover_act_number": "",
            "handover_act_date": None, "cancelled": False}


class _RefusedError(Exception):
    """A refusal to audit once the transaction is rolled back."""

    def __init__(self, error: ValidationError, code: str):
        super().__init__(code)
        self.error, self.code = error, code


def remaining(application: GrantApplication, *, without: GrantItem | None = None) -> Decimal:
    """What is left of the approved value for items (cancelled ones do not count)."""
    items = GrantItem.objects.filter(case_id=application.case_id).exclude(status=ItemStatus.CANCELLED)
    if without is not None:
        items = items.exclude(pk=without.pk)
    spent = items.aggregate(total=Sum("value"))["total"] or Decimal("0")
    return (application.approved_value or Decimal("0")) - spent


def _day(day: datetime.date) -> str:
    return formats.date_format(day, "DATE_FORMAT")


def derived_status(values: dict[str, Any]) -> str:
    if values.get("cancelled"):
        return ItemStatus.CANCELLED
    if values.get("handover_act_number") and values.get("handover_act_date"):
        return ItemStatus.HANDED_OVER
    if values.get("delivered_on"):
        return ItemStatus.DELIVERED
    return ItemStatus.ORDERED


def validate_item(values: dict[str, Any], application: GrantApplication) -> dict[str, Any]:
    """Every rule of one item as it will be saved (not the budget: that needs the lock); returns it normalised."""
    errors: dict[str, list[str]] = {}
    values = dict(values)
    today = timezone.localdate()
    for name in ("description", "supplier_name", "handover_act_number"):
        values[name] = " ".join(str(values.get(name) or "").split())
    if values.get("item_type") not in ItemType.values:
        errors["item_type"] = [_("Choose the type: tools, equipment, machinery or vehicle.")]
    if not values["description"]:
        errors["description"] = [_("Describe the item, e.g. “Sewing machine Juki DDL-8700”.")]
    elif len(values["description"]) > DESCRIPTION_MAX:
        errors["description"] = [_("The description is too long (at most %(count)d characters).")
                                 % {"count": DESCRIPTION_MAX}]
    quantity = values.get("quantity")
    if isinstance(quantity, bool) or not isinstance(quantity, int) or not 1 <= quantity <= QUANTITY_MAX:
        errors["quantity"] = [_("Quantity: give a whole number from 1 to %(max)d.") % {"max": QUANTITY_MAX}]
    value = parse_amount(values.get("value"))
    if value is None or value <= 0 or value > AMOUNT_MAX:
        errors["value"] = [_("Value: give the amount paid for the item(s), above zero, with at most two decimals.")]
    values["value"] = value
    currency = str(values.get("currency") or application.currency).strip().upper()
    if currency != application.currency:
        errors["currency"] = [_("Items are counted against the grant in %(currency)s: give the value in "
                                "%(currency)s.") % {"currency": application.currency}]
    values["currency"] = application.currency
    supplier = values.get("supplier")
    if supplier is not None and values["supplier_name"]:
        errors["supplier_name"] = [_("Give the supplier either from the directory or by name, not both.")]
    if supplier is not None and not supplier.is_active:
        errors["supplier"] = [_("%(organisation)s is no longer active in the directory.")
                              % {"organisation": supplier.name}]
    if len(values["supplier_name"]) > SUPPLIER_MAX:
        errors["supplier_name"] = [_("The supplier's name is too long (at most %(count)d characters).")
                                   % {"count": SUPPLIER_MAX}]
    delivered, act_date, act_number = values.get("delivered_on"), values.get("handover_act_date"), \
        values["handover_act_number"]
    if delivered is not None:
        if delivered > today:
            errors["delivered_on"] = [_("The delivery cannot be in the future.")]
        elif application.decided_on and delivered < application.decided_on:
            errors["delivered_on"] = [_("The delivery cannot be before the grant was approved (%(date)s).")
                                      % {"date": _day(application.decided_on)}]
    if len(act_number) > ACT_NUMBER_MAX:
        errors["handover_act_number"] = [_("The act number is too long (at most %(count)d characters).")
                                         % {"count": ACT_NUMBER_MAX}]
    if act_number and act_date is None:
        errors["handover_act_date"] = [_("Give the date of handover act %(number)s.") % {"number": act_number}]
    if act_date is not None and not act_number:
        errors["handover_act_number"] = [_("Give the number of the handover act.")]
    if act_date is not None:
        if delivered is None:
            errors["delivered_on"] = [_("An item is handed over after it is delivered: give the delivery date.")]
        elif act_date < delivered:
            errors["handover_act_date"] = [_("The handover act cannot be dated before the delivery (%(date)s).")
                                           % {"date": _day(delivered)}]
        if act_date > today:
            errors["handover_act_date"] = [_("The handover act cannot be dated in the future.")]
    if errors:
        raise ValidationError(errors)
    values["status"] = derived_status(values)
    return values


def _over_budget(application: GrantApplication, value: Decimal, left: Decimal) -> ValidationError:
    return ValidationError({"value": [_(
        "This item (%(value)s) would take the items above the approved grant: only %(left)s remain of the "
        "%(approved)s approved. Nothing was saved.") % {
        "value": money(value, application.currency), "left": money(max(left, Decimal("0")), application.currency),
        "approved": money(application.approved_value, application.currency)}]})


def _check_file(user: User, case: Case, upload: UploadedFile | None, request) -> None:
    if upload is None:
        return
    try:
        notes.check_attachment(upload)
    except ValidationError as error:
        casework.refused(user, case, "handover_act", [error.error_dict["file"][0].code or "invalid"], request=request)
        raise ValidationError({"handover_act_file": error.message_dict["file"]}) from None


def _attach_act(user: User, case: Case, item: GrantItem, upload: UploadedFile, written: list[str], request) -> None:
    """Keep the signed act with the case's attachments; its file is deleted again if the item is not saved."""
    attachment = notes.upload_attachment(
        user, case, upload=upload, kind=AttachmentKind.OTHER, request=request,
        description=_("Signed handover act %(number)s: %(item)s") % {
            "number": item.handover_act_number or "—", "item": item.description})
    written.append(attachment.file.name)
    item.handover_act = attachment


def _application(case: Case) -> GrantApplication:
    application = GrantApplication.objects.filter(case=case).first()
    if application is None:
        raise ValidationError(_("%(reference)s has no grant application.") % {"reference": case.reference})
    return application


def add_item(user: User, case: Case, *, version: int, handover_act_file: UploadedFile | None = None, request=None,
             **fields: Any) -> GrantItem:
    """Record an item bought for the grant, on a page (or request) showing the application at `version`."""
    unknown = sorted(set(fields) - set(ITEM_FIELDS) - {"currency"})
    if unknown:
        raise TypeError(f"Not item fields: {', '.join(unknown)}")
    case = grant_case_to_change(user, case, "item_add", request)
    if fields.get("supplier") is not None:
        fields["supplier"] = policy.get_for(user, Organisation, "view", pk=fields["supplier"].pk, request=request)
    _check_file(user, case, handover_act_file, request)
    try:
        with notes.files_removed_on_failure() as written, transaction.atomic():
            application = locked_current(GrantApplication.objects.all(), _application(case).pk, version)
            if case.status not in OPEN_FOR_ITEMS:
                raise _RefusedError(ValidationError({"__all__": [_(
                    "Items are recorded once the grant is approved, until they are handed over.")]}),
                    f"status:{case.status}")
            values = validate_item({**NEW_ITEM, **fields}, application)
            if values["status"] == ItemStatus.CANCELLED:
                raise ValidationError({"cancelled": [_("A new item cannot be cancelled.")]})
            left = remaining(application)
            if values["value"] > left:
                raise _RefusedError(_over_budget(application, values["value"], left), "above_approved_value")
            item = GrantItem(case=case, recorded_by=user, currency=application.currency, status=values["status"],
                             **{name: values[name] for name in ITEM_FIELDS if name != "cancelled"})
            item.save()
            if handover_act_file is not None:
                _attach_act(user, case, item, handover_act_file, written, request)
                item.save(update_fields=["handover_act"])
            bump(application, ["updated_at"])
            record(Action.CREATE, item, actor=user, request=request, changes={
                "case": [None, case.reference], "item_type": [None, item.item_type], "value": [None, str(item.value)],
                "currency": [None, item.currency], "status": [None, item.status]})
            timeline.log(case, timeline.SERVICE, _(
                "Item recorded: %(item)s, quantity %(quantity)d, %(value)s (%(status)s).")
                         % {"item": item.description, "quantity": item.quantity,
                            "value": money(item.value, item.currency), "status": item.get_status_display().lower()},
                         actor=user, obj=item)
            return item
    except _RefusedError as refusal:
        casework.refused(user, case, "item_add", [refusal.code], request=request)
        raise refusal.error from None
    except ConflictError:
        casework.refused(user, case, "item_add", ["stale_version"], request=request)
        raise


def update_item(user: User, item: GrantItem, *, version: int, handover_act_file: UploadedFile | None = None,
                request=None, **fields: Any) -> GrantItem:
    """Record the delivery and the handover act of an item, correct it, or cancel it; fields not given keep their
    saved values. A value that would take the total above the approved grant is refused like a new item's."""
    unknown = sorted(set(fields) - set(ITEM_FIELDS))
    if unknown:
        raise TypeError(f"Not item fields: {', '.join(unknown)}")
    item = policy.get_for(user, GrantItem.objects.select_related("case"), "change", pk=item.pk, request=request)
    case = grant_case_to_change(user, item.case, "item_update", request)
    if fields.get("supplier") is not None:
        fields["supplier"] = policy.get_for(user, Organisation, "view", pk=fields["supplier"].pk, request=request)
    _check_file(user, case, handover_act_file, request)
    try:
        with notes.files_removed_on_failure() as written, transaction.atomic():
            application = GrantApplication.objects.select_for_update(of=("self",)).get(case=case)
            current = locked_current(GrantItem.objects.all(), item.pk, version)
            if case.status not in OPEN_FOR_ITEMS:
                raise _RefusedError(ValidationError({"__all__": [_(
                    "Items are changed once the grant is approved, until they are handed over.")]}),
                    f"status:{case.status}")
            before = {name: getattr(current, name) for name in ITEM_FIELDS if name != "cancelled"}
            before["cancelled"] = current.status == ItemStatus.CANCELLED
            values = validate_item({**before, **fields, "currency": current.currency}, application)
            counts = values["status"] != ItemStatus.CANCELLED
            left = remaining(application, without=current)
            if counts and values["value"] > left:
                raise _RefusedError(_over_budget(application, values["value"], left), "above_approved_value")
            after = {name: values[name] for name in ITEM_FIELDS}
            snapshot = {**before, "supplier": before["supplier"].pk if before["supplier"] else None}
            supplier = after["supplier"].pk if after["supplier"] else None
            changes = changed_fields(snapshot, {**after, "supplier": supplier})
            if not changes and handover_act_file is None:
                return current
            old_status = current.status
            for name in ITEM_FIELDS:
                if name != "cancelled":
                    setattr(current, name, after[name])
            current.status = values["status"]
            if handover_act_file is not None:
                _attach_act(user, case, current, handover_act_file, written, request)
                changes["handover_act"] = [None, "attached"]
            bump(current, [*(name for name in ITEM_FIELDS if name != "cancelled"), "status", "handover_act"])
            if "value" in changes or "cancelled" in changes:
                bump(application, ["updated_at"])  # the items' total moved
            record(Action.UPDATE, current, actor=user, request=request, changes=changes)
            timeline.log(case, timeline.SERVICE, _line(current, old_status), actor=user, obj=current)
            return current
    except _RefusedError as refusal:
        casework.refused(user, case, "item_update", [refusal.code], request=request)
        raise refusal.error from None
    except ConflictError:
        casework.refused(user, case, "item_update", ["stale_version"], request=request)
        raise


def _line(item: GrantItem, old_status: str) -> str:
    if item.status == ItemStatus.HANDED_OVER and old_status != ItemStatus.HANDED_OVER:
        return _("Item handed over: %(item)s, act %(number)s of %(date)s.") % {
            "item": item.description, "number": item.handover_act_number, "date": _day(item.handover_act_date)}
    if item.status == ItemStatus.DELIVERED and old_status != ItemStatus.DELIVERED:
        return _("Item delivered: %(item)s on %(date)s.") % {"item": item.description,
                                                            "date": _day(item.delivered_on)}
    if item.status == ItemStatus.CANCELLED and old_status != ItemStatus.CANCELLED:
        return _("Item cancelled: %(item)s.") % {"item": item.description}
    return _("Item updated: %(item)s, %(value)s.") % {"item": item.description,
                                                      "value": money(item.value, item.currency)}
