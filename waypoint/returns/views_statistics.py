"""The return statistics page and its CSV export (`VIEW_RETURN_STATISTICS`: the programme's managers and M&E).

Aggregates only: counts of cases and individuals by month, nationality, category and stage; nothing that points
at a case or a person. The period form, the charts and the formula-safe CSV are the shared ones (`core.reports`);
the rows counted are those of the referral statistics (`cases.views_reports.counted_rows`: a manager's cases
through the policy, M&E every case), and the CSV export is audited.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET

from waypoint.accounts import policy
from waypoint.accounts.models import Role
from waypoint.audit.models import Action
from waypoint.audit.services import record
from waypoint.cases.views_reports import counted_rows
from waypoint.core.reports import charts, exports
from waypoint.core.reports.periods import PeriodForm, active_period, period_query, quick_periods

from . import statistics as stats


def _form(request: HttpRequest) -> PeriodForm:
    return PeriodForm(request.GET, today=timezone.localdate())


def _compute(request: HttpRequest, form: PeriodForm) -> stats.ReturnStatistics:
    cases, _referrals = counted_rows(request.user)
    # Only the programme's managers read the cases themselves: everyone else (M&E) gets small groups pooled.
    protect = request.user.role != Role.PROGRAMME_MANAGER
    return stats.compute(cases, form.cleaned_data["start"], form.cleaned_data["end"], protect=protect)


def _text(row: stats.Row) -> str:
    # Two counts, each with its own plural form; the separator is punctuation, not grammar.
    individuals = ngettext("%(count)s individual", "%(count)s individuals", row.individuals) % {
        "count": formats.number_format(row.individuals, force_grouping=True)}
    cases = ngettext("%(count)s case", "%(count)s cases", row.cases) % {"count": row.cases}
    return f"{individuals} · {cases}"


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


def _quick_periods(form: PeriodForm) -> list[tuple[str, str, bool]]:
    return quick_periods(reverse("returns:statistics"), active_period(form))


def _refused(request: HttpRequest, form: PeriodForm) -> HttpResponse:
    """The page again with the filters' errors."""
    return render(request, "returns/statistics.html", {"form": form, "quick_periods": []}, status=400)


@login_required
@require_GET
def statistics_page(request: HttpRequest) -> HttpResponse:
    policy.require(request.user, policy.VIEW_RETURN_STATISTICS, request=request)
    form = _form(request)
    if not form.is_valid():
        return _refused(request, form)
    result = _compute(request, form)
    query = period_query(result.start, result.end)
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
    return exports.csv_bytes(_rows(result))


@login_required
@require_GET
def statistics_csv(request: HttpRequest) -> HttpResponse:
    policy.require(request.user, policy.VIEW_RETURN_STATISTICS, request=request)
    form = _form(request)
    if not form.is_valid():
        return _refused(request, form)
    result = _compute(request, form)
    record(Action.EXPORT, actor=request.user, object_type="returns.statistics", request=request, changes={
        "format": ["csv"], "from": [result.start.isoformat()], "to": [result.end.isoformat()]})
    return exports.csv_download(as_csv(result),
                                f"return-statistics-{result.start.isoformat()}-{result.end.isoformat()}.csv")
