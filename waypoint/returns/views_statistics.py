"""The return statistics page and its CSV export (`VIEW_RETURN_STATISTICS`: the programme's managers and M&E).

Aggregates only: counts of cases and individuals by month, nationality, category and stage; nothing that points
at a case or a person. The period form and the charts are the hotline statistics' own, the rows counted are those
of the referral statistics (`cases.views_reports.counted_rows`: a manager's cases through the policy, M&E every
case), and the CSV is made formula-safe the same way and audited.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterator
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from waypoint.accounts import policy
from waypoint.accounts.models import Role
from waypoint.audit.models import Action
from waypoint.audit.services import record
from waypoint.cases.views_reports import _safe_text, counted_rows
from waypoint.hotline import charts
from waypoint.hotline.statistics import PeriodChoice
from waypoint.hotline.views_statistics import StatisticsFilterForm

from . import statistics as stats


def _form(request: HttpRequest) -> StatisticsFilterForm:
    form = StatisticsFilterForm(request.GET, today=timezone.localdate())
    del form.fields["site"]
    return form


def _compute(request: HttpRequest, form: StatisticsFilterForm) -> stats.ReturnStatistics:
    cases, _referrals = counted_rows(request.user)
    # Only the programme's managers read the cases themselves: everyone else (M&E) gets small groups pooled.
    protect = request.user.role != Role.PROGRAMME_MANAGER
    return stats.compute(cases, form.cleaned_data["start"], form.cleaned_data["end"], protect=protect)


def _text(row: stats.Row) -> str:
    return _("%(individuals)s individuals · %(cases)s cases") % {
        "individuals": formats.number_format(row.individuals, force_grouping=True), "cases": row.cases}


def _charts(result: stats.ReturnStatistics) -> dict[str, str]:
    months = []
    for position, row in enumerate(result.by_month):
        year = row.key[:4] if position == 0 or row.key.endswith("-01") else ""
        month = formats.date_format(datetime.date.fromisoformat(f"{row.key}-01"), "M")
        months.append(charts.Bar(month, row.individuals, str(row.individuals), sublabel=year))
    return {
        "months": charts.column_chart("departures-by-month", _("Departures by month"),
                                      _("Individuals who departed each month; the same figures are in the table."),
                                      months),
        "nationality": charts.bar_chart("departures-by-nationality", _("Departures by nationality"),
                                        _("Individuals who departed in the period by nationality."),
                                        [charts.Bar(r.label, r.individuals, _text(r)) for r in
                                         result.by_nationality[:12]]),
        "category": charts.bar_chart("departures-by-category", _("Departures by category"),
                                     _("Individuals who departed in the period by profiling category."),
                                     [charts.Bar(r.label, r.individuals, _text(r)) for r in result.by_category]),
    }


def _quick_periods(form: StatisticsFilterForm) -> list[tuple[str, str, bool]]:
    active = form.cleaned_data.get("period", "") if form.is_valid() else ""
    url = reverse("returns:statistics")
    return [(str(label), f"{url}?{urlencode({'period': value})}", value == active)
            for value, label in PeriodChoice.choices if value != PeriodChoice.CUSTOM]


@login_required
@require_GET
def statistics_page(request: HttpRequest) -> HttpResponse:
    policy.require(request.user, policy.VIEW_RETURN_STATISTICS, request=request)
    form = _form(request)
    if not form.is_valid():
        return render(request, "returns/statistics.html", {"form": form, "quick_periods": []}, status=400)
    result = _compute(request, form)
    query = urlencode({"date_from": result.start.isoformat(), "date_to": result.end.isoformat()})
    return render(request, "returns/statistics.html", {
        "form": form, "statistics": result, "charts": _charts(result), "quick_periods": _quick_periods(form),
        "export_csv": f"{reverse('returns:statistics_csv')}?{query}",
    })


def _rows(result: stats.ReturnStatistics) -> Iterator[list]:
    yield [_("Return statistics")]
    yield [_("From"), result.start.isoformat()]
    yield [_("To"), result.end.isoformat()]
    yield [_("Exported"), timezone.localtime().strftime("%Y-%m-%d %H:%M")]
    for title, heading, rows, total in (
        (_("Departures by month"), _("Month"), result.by_month, result.departures),
        (_("Departures by nationality"), _("Nationality"), result.by_nationality, result.departures),
        (_("Departures by category"), _("Category"), result.by_category, result.departures),
        (_("Caseload by stage"), _("Stage"), result.by_stage, result.caseload),
    ):
        yield []
        yield [title]
        yield [heading, _("Individuals"), _("Cases")]
        for row in [*rows, total]:
            yield [row.label, row.individuals, row.cases]
    yield []
    yield [_("Screening decisions")]
    yield [_("Screenings"), result.screened]
    yield [_("Eligible"), result.eligible]
    yield [_("Not eligible"), result.not_eligible]
    for row in result.reasons:
        yield [row.label, row.cases]


def as_csv(result: stats.ReturnStatistics) -> bytes:
    """UTF-8 with a byte-order mark; every text cell formula-safe (labels come from the back office)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for values in _rows(result):
        writer.writerow([_safe_text(value) for value in values])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


@login_required
@require_GET
def statistics_csv(request: HttpRequest) -> HttpResponse:
    policy.require(request.user, policy.VIEW_RETURN_STATISTICS, request=request)
    form = _form(request)
    if not form.is_valid():
        return render(request, "returns/statistics.html", {"form": form, "quick_periods": []}, status=400)
    result = _compute(request, form)
    record(Action.EXPORT, actor=request.user, object_type="returns.statistics", request=request, changes={
        "format": ["csv"], "from": [result.start.isoformat()], "to": [result.end.isoformat()]})
    response = HttpResponse(as_csv(result), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (f'attachment; filename="return-statistics-{result.start.isoformat()}-'
                                       f'{result.end.isoformat()}.csv"')
    return response
