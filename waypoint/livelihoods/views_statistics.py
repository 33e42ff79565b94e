"""The grant statistics page and its CSV export (`VIEW_LIVELIHOOD_STATISTICS`: programme managers of direct
assistance and M&E). Aggregates only. The period form, the charts and the formula-safe CSV are the shared ones
(`core.reports`)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from waypoint.accounts import policy
from waypoint.audit.models import Action
from waypoint.audit.services import record
from waypoint.core.reports import charts, exports
from waypoint.core.reports.periods import PeriodForm, active_period, period_query, quick_periods

from . import statistics as stats
from .money import totals_text


def _form(request: HttpRequest) -> PeriodForm:
    return PeriodForm(request.GET, today=timezone.localdate())


def _quick_periods(form: PeriodForm) -> list[tuple[str, str, bool]]:
    return quick_periods(reverse("livelihoods:statistics"), active_period(form))


def _refused(request: HttpRequest, form: PeriodForm) -> HttpResponse:
    """The page again with the filters' errors."""
    return render(request, "livelihoods/statistics.html", {"form": form, "quick_periods": []}, status=400)


def _percent(value: Decimal | None) -> str:
    return "—" if value is None else f"{formats.number_format(value, 1)}%"


def _charts(statistics: stats.LivelihoodStatistics):
    settlements = [charts.Bar(row.label, row.handed_over, str(row.handed_over)) for row in statistics.by_settlement]
    types = [charts.Bar(row.label, row.items, str(row.items)) for row in statistics.by_item_type]
    return (
        charts.bar_chart("settlements-chart", _("Grants handed over by settlement"),
                         _("Grants whose items were handed over in the period, by compact settlement; the same "
                           "figures are in the table."), settlements),
        charts.bar_chart("types-chart", _("Items handed over by type"),
                         _("Items handed over in the period by type; the same figures are in the table."), types),
    )


@login_required
@require_GET
def statistics_page(request: HttpRequest) -> HttpResponse:
    policy.require(request.user, policy.VIEW_LIVELIHOOD_STATISTICS, request=request)
    form = _form(request)
    if not form.is_valid():
        return _refused(request, form)
    data = form.cleaned_data
    statistics = stats.compute(data["start"], data["end"])
    settlement_chart, type_chart = _charts(statistics)
    query = period_query(data["start"], data["end"])
    return render(request, "livelihoods/statistics.html", {
        "form": form, "statistics": statistics, "quick_periods": _quick_periods(form),
        "settlement_chart": settlement_chart, "type_chart": type_chart,
        "settlement_rows": [_page_row(row) for row in statistics.by_settlement],
        "type_rows": [_page_row(row) for row in statistics.by_item_type],
        "total_row": _page_row(statistics.total),
        "export_csv": f"{reverse('livelihoods:statistics_csv')}?{query}",
    })


def _page_row(row: stats.Row) -> dict:
    return {"row": row, "approved_value": totals_text(row.approved_value), "value": totals_text(row.value),
            "operating_rate": _percent(row.operating_rate), "partly_rate": _percent(row.partly_rate)}


# --- The CSV export -------------------------------------------------------------------------------
def _csv_rows(statistics: stats.LivelihoodStatistics) -> Iterator[list]:
    currencies = statistics.currencies
    yield [_("Direct assistance grant statistics")]
    yield [_("From"), statistics.start.isoformat()]
    yield [_("To"), statistics.end.isoformat()]
    yield [_("Exported"), timezone.localtime().strftime("%Y-%m-%d %H:%M")]
    yield []
    yield [_("By settlement")]
    yield [_("Settlement"), _("Applications received"), _("Grants approved"), _("Applications rejected"),
           *[_("Approved value (%(currency)s)") % {"currency": c} for c in currencies],
           _("Grants handed over"), _("Enterprises"), _("Individuals"), _("Items handed over"),
           *[_("Value handed over (%(currency)s)") % {"currency": c} for c in currencies],
           _("Grants visited"), _("Jobs created"), _("Of which for women"), _("Of which for migrants"),
           _("Operating at the latest visit, %"), _("Partly operating at the latest visit, %")]
    for row in [*statistics.by_settlement, statistics.total]:
        label = row.label or _("All settlements")
        yield [label, row.applications, row.approved, row.rejected,
               *[row.approved_value.get(c, Decimal("0")) for c in currencies],
               row.handed_over, row.enterprise_count, row.individuals, row.items,
               *[row.value.get(c, Decimal("0")) for c in currencies],
               row.visited, row.jobs, row.jobs_women, row.jobs_migrants,
               "" if row.operating_rate is None else row.operating_rate,
               "" if row.partly_rate is None else row.partly_rate]
    yield []
    yield [_("By item type")]
    yield [_("Type"), _("Items handed over"), _("Quantity"), _("Grants"), _("Enterprises"),
           *[_("Value handed over (%(currency)s)") % {"currency": c} for c in currencies]]
    for row in statistics.by_item_type:
        yield [row.label, row.items, row.quantity, row.grant_count, row.enterprise_count,
               *[row.value.get(c, Decimal("0")) for c in currencies]]


def as_csv(statistics: stats.LivelihoodStatistics) -> bytes:
    """UTF-8 with a byte-order mark; every text cell formula-safe (settlement names are typed by people)."""
    return exports.csv_bytes(_csv_rows(statistics))


@login_required
@require_GET
def statistics_csv(request: HttpRequest) -> HttpResponse:
    user = request.user
    policy.require(user, policy.VIEW_LIVELIHOOD_STATISTICS, request=request)
    form = _form(request)
    if not form.is_valid():
        return _refused(request, form)
    statistics = stats.compute(form.cleaned_data["start"], form.cleaned_data["end"])
    record(Action.EXPORT, actor=user, object_type="livelihoods.grant_statistics", request=request,
           changes={"format": ["csv"], "from": [statistics.start.isoformat()], "to": [statistics.end.isoformat()]})
    name = f"grant-statistics-{statistics.start.isoformat()}-{statistics.end.isoformat()}.csv"
    return exports.csv_download(as_csv(statistics), name)
