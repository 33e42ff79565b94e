"""The health statistics page and its CSV export: aggregates only, no person, no case, no assessment.

The period form is the shared one (`core.reports.periods`: quick periods or two dates). Exact small numbers
on screen only for managers of the migration health programme; the export always applies the small-number rule,
because it leaves the system, and every export is recorded in the audit trail.
"""

from __future__ import annotations

from collections.abc import Iterator

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
from waypoint.core.reports import exports
from waypoint.core.reports.periods import PeriodForm, period_query, quick_periods

from . import statistics as stats


def _form(request: HttpRequest) -> PeriodForm:
    return PeriodForm(request.GET, today=timezone.localdate())


def _quick_periods(current: str) -> list[tuple[str, str, bool]]:
    return quick_periods(reverse("health:statistics"), current)


def _refused(request: HttpRequest, form: PeriodForm) -> HttpResponse:
    """The page again with the filters' errors."""
    return render(request, "health/statistics.html", {"form": form, "quick_periods": _quick_periods("")}, status=400)


@login_required
@require_GET
def statistics_page(request: HttpRequest) -> HttpResponse:
    policy.require(request.user, policy.VIEW_HEALTH_STATISTICS, request=request)
    form = _form(request)
    if not form.is_valid():
        return _refused(request, form)
    data = form.cleaned_data
    statistics = stats.compute(data["start"], data["end"], protect=not stats.sees_exact_counts(request.user))
    return render(request, "health/statistics.html", {
        "form": PeriodForm(initial={"date_from": data["start"], "date_to": data["end"]}, today=form.today),
        "statistics": statistics,
        "quick_periods": _quick_periods(data["period"]),
        "export_csv": f"{reverse('health:statistics_csv')}?{period_query(data['start'], data['end'])}",
        "hidden_text": _("hidden to protect the people assessed"),
    })


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
    yield from exports.table_lines(statistics.tables)


def as_csv(statistics: stats.HealthStatistics) -> bytes:
    """Formula-safe, UTF-8 with a byte-order mark, so that spreadsheet programs read Cyrillic right."""
    return exports.csv_bytes(_rows(statistics))


@login_required
@require_GET
def statistics_csv(request: HttpRequest) -> HttpResponse:
    policy.require(request.user, policy.VIEW_HEALTH_STATISTICS, request=request)
    form = _form(request)
    if not form.is_valid():
        return _refused(request, form)
    data = form.cleaned_data
    statistics = stats.compute(data["start"], data["end"], protect=True)
    record(Action.EXPORT, actor=request.user, object_type="health.statistics", request=request,
           changes={"format": ["csv"], "from": [data["start"].isoformat()], "to": [data["end"].isoformat()]})
    name = f"health-statistics-{data['start'].isoformat()}-{data['end'].isoformat()}.csv"
    return exports.csv_download(as_csv(statistics), name)
