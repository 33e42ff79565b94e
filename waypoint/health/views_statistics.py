"""The health statistics page and its CSV export: aggregates only, no person, no case, no assessment.

The period form is the hotline statistics' (quick periods or two dates), without its site. Exact small numbers
on screen only for managers of the migration health programme; the export always applies the small-number rule,
because it leaves the system, and every export is recorded in the audit trail.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from waypoint.accounts import policy
from waypoint.audit.models import Action
from waypoint.audit.services import record
from waypoint.hotline.statistics import PeriodChoice
from waypoint.hotline.views_statistics import FORMULA_STARTS, StatisticsFilterForm

from . import statistics as stats


class HealthStatisticsForm(StatisticsFilterForm):
    """The hotline statistics' period: a quick choice or two dates (the site does not apply here)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["site"]


def _form(request: HttpRequest) -> HealthStatisticsForm:
    return HealthStatisticsForm(request.GET, today=timezone.localdate())


def _query(form: HealthStatisticsForm) -> str:
    data = form.cleaned_data
    return urlencode({"date_from": data["start"].isoformat(), "date_to": data["end"].isoformat()})


def _quick_periods(current: str) -> list[tuple[str, str, bool]]:
    url = reverse("health:statistics")
    return [(str(label), f"{url}?{urlencode({'period': value})}", value == current)
            for value, label in PeriodChoice.choices if value != PeriodChoice.CUSTOM]


@login_required
@require_GET
def statistics_page(request: HttpRequest) -> HttpResponse:
    policy.require(request.user, policy.VIEW_HEALTH_STATISTICS, request=request)
    form = _form(request)
    if not form.is_valid():
        return render(request, "health/statistics.html", {"form": form, "quick_periods": _quick_periods("")},
                      status=400)
    data = form.cleaned_data
    statistics = stats.compute(data["start"], data["end"], protect=not stats.sees_exact_counts(request.user))
    return render(request, "health/statistics.html", {
        "form": HealthStatisticsForm(initial={"date_from": data["start"], "date_to": data["end"]}, today=form.today),
        "statistics": statistics,
        "quick_periods": _quick_periods(data["period"]),
        "export_csv": f"{reverse('health:statistics_csv')}?{_query(form)}",
        "hidden_text": _("hidden to protect the people assessed"),
    })


def _safe_text(value):
    """A text a spreadsheet will not run as a formula (as the hotline and referral exports do)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _rows(statistics: stats.HealthStatistics) -> Iterator[list]:
    yield [_("Health statistics")]
    yield [_("From"), statistics.start.isoformat()]
    yield [_("To"), statistics.end.isoformat()]
    yield [_("Exported"), timezone.localtime().strftime("%Y-%m-%d %H:%M")]
    yield [_("Small numbers"), _(
        "%(mark)s: hidden to protect the people assessed. Counts from 1 to %(below)d are hidden, and more counts "
        "(or their total) wherever a hidden one could otherwise be worked out from a total. A period with fewer "
        "than %(minimum)d assessments is not broken down.") % {
        "mark": stats.HIDDEN, "below": stats.SMALL_CELL_THRESHOLD - 1, "minimum": statistics.minimum}]
    yield []
    for label, cell in statistics.summary:
        yield [label, cell.export_count]
    if statistics.withheld:
        yield []
        yield [statistics.withheld_text]
        return
    for table in statistics.tables:
        yield []
        yield [table.title]
        header = [table.row_heading]
        for column in table.columns:
            header += [column.label, f"{column.label} (%)"] if column.percent else [column.label]
        yield header
        for row in table.rows:
            values: list = [row.label]
            for column, cell in zip(table.columns, row.cells, strict=True):
                values.append(cell.export_count)
                if column.percent:
                    values.append(cell.export_percent)
            yield values
        if table.note:
            yield [table.note]


def as_csv(statistics: stats.HealthStatistics) -> bytes:
    """UTF-8 with a byte-order mark, so that spreadsheet programs read Cyrillic right."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for values in _rows(statistics):
        writer.writerow([_safe_text(value) for value in values])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


@login_required
@require_GET
def statistics_csv(request: HttpRequest) -> HttpResponse:
    policy.require(request.user, policy.VIEW_HEALTH_STATISTICS, request=request)
    form = _form(request)
    if not form.is_valid():
        return render(request, "health/statistics.html", {"form": form, "quick_periods": _quick_periods("")},
                      status=400)
    data = form.cleaned_data
    statistics = stats.compute(data["start"], data["end"], protect=True)
    record(Action.EXPORT, actor=request.user, object_type="health.statistics", request=request,
           changes={"format": ["csv"], "from": [data["start"].isoformat()], "to": [data["end"].isoformat()]})
    name = f"health-statistics-{data['start'].isoformat()}-{data['end'].isoformat()}.csv"
    response = HttpResponse(as_csv(statistics), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
