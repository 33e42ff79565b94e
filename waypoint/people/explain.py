"""The matcher's reasons in words a case worker reads: "family name: same after transliteration"."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .matching import Reason

FIELD_LABELS = {
    "family": _("family name"),
    "given": _("given name"),
    "name": pgettext_lazy("person", "name"),
    "patronymic": _("patronymic"),
    "birth_date": _("date of birth"),
    "sex": _("sex"),
    "citizenship": _("citizenship"),
    "reference": _("record number"),
    "document": _("document number"),
}

CODE_LABELS = {
    "identical": _("identical"),
    "same_after_transliteration": _("same after transliteration"),
    "equivalent_form": _("another form of the same name"),
    "similar_spelling": _("similar spelling"),
    "different": _("different"),
    "gender_form": _("male and female forms of one name"),
    "double_surname_part": _("part of a double name"),
    "order_swapped": _("given and family names swapped"),
    "missing": _("missing on one record"),
    "same": _("same"),
    "day_month_swapped": _("day and month swapped"),
    "one_digit_differs": _("one digit differs"),
    "same_year": _("same year"),
    "different_year": _("different year"),
    "implied_by_name_differs": _("name endings imply a different sex"),
}


def describe(reason: Reason) -> str:
    """"<field>: <how it matched>", translated; unknown codes fall back to the code itself."""
    field = FIELD_LABELS.get(reason.field, reason.field)
    code = CODE_LABELS.get(reason.code, reason.code.replace("_", " "))
    return f"{field}: {code}"


def supports(reason: Reason) -> bool:
    """True when the reason speaks for the same person (shown in green), False when against."""
    return reason.weight > 0
