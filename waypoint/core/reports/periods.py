"""The period of a statistics page: a quick choice (this month, the last 12 full months...) or two dates."""

from __future__ import annotations

import datetime
from urllib.parse import urlencode

from django import forms
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

MAX_YEARS = 10


class PeriodChoice(models.TextChoices):
    LAST_12_MONTHS = "last_12_months", gettext_lazy("Last 12 full months")
    THIS_MONTH = "this_month", gettext_lazy("This month")
    THIS_QUARTER = "this_quarter", gettext_lazy("This quarter")
    THIS_YEAR = "this_year", gettext_lazy("This year")
    LAST_YEAR = "last_year", gettext_lazy("Last year")
    CUSTOM = "custom", gettext_lazy("Dates of my choice")


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The first day of the month `months` after (or before) the month of `day`."""
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def period_dates(choice: str, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """First and last day (inclusive) of a quick choice. The "last 12 full months" end with the last
    complete month, so that a report does not change during the month it is written in."""
    month_start = today.replace(day=1)
    if choice == PeriodChoice.THIS_MONTH:
        return month_start, today
    if choice == PeriodChoice.THIS_QUARTER:
        return month_start.replace(month=(today.month - 1) // 3 * 3 + 1), today
    if choice == PeriodChoice.THIS_YEAR:
        return datetime.date(today.year, 1, 1), today
    if choice == PeriodChoice.LAST_YEAR:
        return datetime.date(today.year - 1, 1, 1), datetime.date(today.year - 1, 12, 31)
    return add_months(month_start, -12), month_start - datetime.timedelta(days=1)


class DatesForm(forms.Form):
    """Two days, the first and the last of a period (each optional here: the form that uses it says what is
    missing)."""

    date_from = forms.DateField(label=gettext_lazy("From"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    date_to = forms.DateField(label=gettext_lazy("To"), required=False,
                              widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args, today: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        for name in ("date_from", "date_to"):
            self.fields[name].error_messages["invalid"] = _("Enter a date such as 2026-03-31.")


class PeriodForm(DatesForm):
    """A quick period (links on the page) or two dates; `cleaned_data` gets `period`, `start` and `end`."""

    period = forms.ChoiceField(label=gettext_lazy("Period"), choices=PeriodChoice.choices, required=False,
                               widget=forms.HiddenInput)
    field_order = ("period", "date_from", "date_to")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].error_messages["invalid_choice"] = _("Choose one of the periods offered.")

    def clean(self):
        data = super().clean()
        period = data.get("period") or ""
        start, end = data.get("date_from"), data.get("date_to")
        if self.errors:
            return data
        if not period:
            period = PeriodChoice.CUSTOM if (start or end) else PeriodChoice.LAST_12_MONTHS
        if period != PeriodChoice.CUSTOM:
            start, end = period_dates(period, self.today)
        else:
            if start is None:
                self.add_error("date_from", _("Enter the first day of the period."))
            if end is None:
                self.add_error("date_to", _("Enter the last day of the period."))
            if start and end and end < start:
                self.add_error("date_to", _("The last day of the period cannot be before its first day."))
            if start and end and (end - start).days > MAX_YEARS * 366:
                self.add_error("date_from", _("A period can be at most %(years)d years long.") % {"years": MAX_YEARS})
        data.update(period=period, start=start, end=end)
        return data


def quick_periods(url: str, active: str, **params) -> list[tuple[str, str, bool]]:
    """The links of the quick periods: (label, address with `params` kept, whether it is the one shown)."""
    return [(str(label), f"{url}?{urlencode({'period': value, **params})}", value == active)
            for value, label in PeriodChoice.choices if value != PeriodChoice.CUSTOM]


def active_period(form: forms.Form) -> str:
    """The quick period a valid form shows ("" for an invalid one)."""
    return form.cleaned_data.get("period", "") if form.is_valid() else ""


def period_query(start: datetime.date, end: datetime.date) -> str:
    """The query string of a period given by its two days (an export's link for the period shown)."""
    return urlencode({"date_from": start.isoformat(), "date_to": end.isoformat()})
