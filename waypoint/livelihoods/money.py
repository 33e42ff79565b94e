"""Amounts in words a reader checks at a glance: "48,500.00 RUB" (grouped as the active language groups)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

import pycountry
from django.utils import formats

AMOUNT_MAX = Decimal("9999999999.99")  # the columns: twelve digits, two of them decimals


def money(value: Decimal | None, currency: str) -> str:
    if value is None:
        return "—"
    return f"{formats.number_format(value, 2, use_l10n=True, force_grouping=True)} {currency}"


def is_currency(code: str) -> bool:
    return bool(code) and len(code) == 3 and pycountry.currencies.get(alpha_3=code) is not None


def parse_amount(value) -> Decimal | None:
    """A Decimal with at most two decimals, or None when the value is no such amount."""
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value).replace(" ", "").replace("\u00a0", ""))
    except InvalidOperation:
        return None
    if not amount.is_finite() or amount != amount.quantize(Decimal("0.01")):
        return None
    return amount


def totals_text(totals: dict[str, Decimal]) -> str:
    """Several currencies, one after the other: "48,500.00 RUB · 1,200.00 USD"."""
    return " · ".join(money(value, currency) for currency, value in sorted(totals.items())) or "—"
