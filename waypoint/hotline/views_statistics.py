"""The hotline statistics page and its CSV and XLSX exports.

Aggregates only: no answer given, no caller, no link to a consultation. The page shows exact small
numbers only to those who may read the consultations (see `statistics.sees_exact_counts`); exports
always apply the small-number rule, because they leave the system (donor reports, newsletters).
"""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from waypoint.accounts import policy
from waypoint.accounts.models import Office, Role
from waypoint.audit.models import Action
from waypoint.audit.services import record
from waypoint.core.reports import charts, exports
from waypoint.core.reports.periods import PeriodForm, quick_periods

from . import statistics as stats
from .statistics import Statistics, Table

EXPORT_FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


# --- Filters ------------------------------------------------------------------------------------
class StatisticsFilterForm(PeriodForm):
    """The shared period (a quick choice or two dates) and one site or all of them."""

    site = forms.ModelChoiceField(label=gettext_lazy("Site"), required=False, queryset=Office.objects.none(),
                                  empty_label=gettext_lazy("All sites"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = Office.objects.filter(kind=Office.Kind.CONSULTATION_CENTRE).order_by("name")
        self.fields["site"].error_messages["invalid_choice"] = _("Choose one of the consultation centres.")


def _filters(request: HttpRequest) -> StatisticsFilterForm:
    data = request.GET.copy()
    user = request.user
    # An operator starts with their own site (where they see exact numbers); "All sites" stays a choice.
    own_site = Office.objects.filter(pk=user.office_id, kind=Office.Kind.CONSULTATION_CENTRE)
    if "site" not in data and user.role == Role.HOTLINE_OPERATOR and user.office_id and own_site.exists():
        data["site"] = str(user.office_id)
    return StatisticsFilterForm(data, today=timezone.localdate())


def _query(form: StatisticsFilterForm, **extra) -> str:
    site = form.cleaned_data.get("site")
    params = {"date_from": form.cleaned_data["start"].isoformat(), "date_to": form.cleaned_data["end"].isoformat(),
              "site": site.pk if site else "", **extra}
    return urlencode(params)


# --- The page -----------------------------------------------------------------------------------
def _hidden_text() -> str:
    return _("hidden to protect callers")


def _bar(label: str, cell: stats.Cell) -> charts.Bar:
    if cell.suppressed:
        return charts.Bar(label, None, _hidden_text())
    text = cell.shown_count + (f" · {cell.shown_percent}" if cell.shown_percent else "")
    return charts.Bar(label, cell.count, text)


def _column_bars(table: Table, index: int, *, skip_zero: bool = False, sort: bool = False) -> list[charts.Bar]:
    rows = [row for row in table.rows if not (skip_zero and row.cells[index].count == 0)]
    if sort:  # hidden counts last, in the table's order (their size must not show in their place)
        rows.sort(key=lambda row: (row.cells[index].suppressed, 0 if row.cells[index].suppressed else
                                   -row.cells[index].count))
    return [_bar(row.label, row.cells[index]) for row in rows]


def _month_bars(table: Table) -> list[charts.Bar]:
    bars = []
    for position, row in enumerate(table.rows):
        month = datetime.date.fromisoformat(f"{row.key}-01")
        year = str(month.year) if position == 0 or month.month == 1 else ""
        cell = row.cells[0]
        # A month's volume is hidden where a hidden count could be worked out from it: no bar height then.
        value = None if cell.suppressed else cell.count
        bars.append(charts.Bar(formats.date_format(month, "M"), value, cell.shown_count, sublabel=year))
    return bars


CHART_ROWS = 12  # a long list (nationalities) is charted for its largest rows; the table has them all


def _charts(statistics: Statistics) -> dict[str, list[tuple[str, str]]]:
    """The charts drawn beside each table, each with a caption where the section's title is not enough."""
    drawn: dict[str, list[tuple[str, str]]] = {}
    described = _("The same figures are in the table next to this chart.")
    for table in statistics.tables:
        key = f"chart-{table.key}"
        if table.key == "topic":
            captions = (_("Russian nationals asked about"), _("Foreign nationals asked about"))
            drawn[table.key] = [
                (charts.bar_chart(f"{key}-{index}", caption, described,
                                  _column_bars(table, index, skip_zero=True, sort=True)), caption)
                for index, caption in enumerate(captions)
            ]
        elif table.key == "month":
            monthly = charts.column_chart(key, _("Consultations by month"), described, _month_bars(table))
            drawn[table.key] = [(monthly, "")]
        elif table.key == "sex_age":
            age_rows = [row for row in table.rows if row.key != "all"]
            drawn[table.key] = [(charts.bar_chart(
                key, _("Consultations by age"), described, [_bar(row.label, row.cells[-1]) for row in age_rows]
            ), "")]
        else:
            # "Not recorded" stays in the table; the chart compares what was recorded.
            bars = [bar for row, bar in zip(table.rows, _column_bars(table, 0), strict=True)
                    if row.key or table.key in ("caller_type", "channel", "outcome")]
            if table.key == "nationality":
                bars = [bar for bar in bars if bar.value != 0]
            caption = ""
            if len(bars) > CHART_ROWS:
                caption = _("The %(n)d largest; all of them are in the table.") % {"n": CHART_ROWS}
                bars = bars[:CHART_ROWS]
            drawn[table.key] = [(charts.bar_chart(key, table.title, described, bars), caption)]
    return drawn


def _quick_periods(site_param, current: str) -> list[tuple[str, str, bool]]:
    return quick_periods("", current, site=site_param)


@login_required
@require_GET
def statistics_page(request: HttpRequest) -> HttpResponse:
    policy.require(request.user, policy.VIEW_HOTLINE_STATISTICS, request=request)
    form = _filters(request)
    if not form.is_valid():
        return render(request, "hotline/statistics/statistics.html", {
            "form": form, "quick_periods": _quick_periods(form.data.get("site", ""), ""),
        }, status=400)
    site = form.cleaned_data["site"]
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    statistics = stats.compute(start, end, site, protect=not stats.sees_exact_counts(request.user, site))
    drawn = _charts(statistics)
    return render(request, "hotline/statistics/statistics.html", {
        # The inputs show the dates actually counted, so that changing one starts from them.
        "form": StatisticsFilterForm(initial={"date_from": start, "date_to": end, "site": site}, today=form.today),
        "statistics": statistics,
        "sections": [(table, drawn[table.key]) for table in statistics.tables],
        "quick_periods": _quick_periods(site.pk if site else "", form.cleaned_data["period"]),
        "export_csv": f"{reverse('hotline:statistics_export')}?{_query(form, format='csv')}",
        "export_xlsx": f"{reverse('hotline:statistics_export')}?{_query(form, format='xlsx')}",
        "hidden_text": _hidden_text(), "hidden_mark": stats.HIDDEN,
    })


# --- Exports ------------------------------------------------------------------------------------
def _site_name(statistics: Statistics) -> str:
    return statistics.site.name if statistics.site else _("All sites")


def _about(statistics: Statistics) -> list[list]:
    about = [
        [_("Hotline statistics")],
        [_("From"), statistics.start.isoformat()],
        [_("To"), statistics.end.isoformat()],
        [_("Site"), _site_name(statistics)],
        [_("Exported"), timezone.localtime().strftime("%Y-%m-%d %H:%M")],
        [_("Small numbers"), _(
            "%(mark)s: hidden to protect callers. Counts from 1 to %(below)d that describe callers are hidden, and "
            "more counts (or their total) wherever a hidden one could otherwise be worked out from a total; "
            "nationalities with a hidden count are counted together under \"Other nationalities\". A selection of "
            "fewer than %(minimum)d consultations is not broken down."
        ) % {"mark": stats.HIDDEN, "below": stats.SMALL_CELL_THRESHOLD - 1, "minimum": stats.MIN_PUBLISHED_TOTAL}],
        [],
    ]
    if statistics.withheld:
        return [*about, [statistics.withheld_text]]
    return [
        *about,
        [_("Consultations"), statistics.total.export_count],
        [_("Russian nationals"), statistics.russian.export_count, statistics.russian.export_percent],
        [_("Foreign nationals"), statistics.foreign.export_count, statistics.foreign.export_percent],
        [_("Nationality not recorded"), statistics.not_recorded.export_count, statistics.not_recorded.export_percent],
    ]


def as_csv(statistics: Statistics) -> bytes:
    """One CSV file, the tables one under the other, each with its title, header and note (formula-safe, UTF-8
    with a byte-order mark: `core.reports.exports`)."""
    return exports.csv_bytes([*_about(statistics), *exports.table_lines(statistics.tables)])


def _sheet_title(title: str, taken: set[str]) -> str:
    cleaned = "".join(" " if ch in '[]:*?/\\' else ch for ch in title)[:31].strip()
    name, number = cleaned, 2
    while name in taken:
        name = f"{cleaned[:28]} {number}"
        number += 1
    taken.add(name)
    return name


def _cell_value(value):
    """Percentages as numbers a spreadsheet can sum (openpyxl writes Decimal as text in some readers); texts
    made safe (`exports.safe_text`)."""
    return float(value) if isinstance(value, Decimal) else exports.safe_text(value)


def _append(sheet, values: list) -> None:
    """A row of cells; every text cell typed as a string, so that no reader takes it for a formula."""
    sheet.append([_cell_value(value) for value in values])
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"


def as_xlsx(statistics: Statistics) -> bytes:
    """A workbook: the summary on the first sheet, one sheet per table (numbers as numbers)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    summary = workbook.active
    taken: set[str] = set()
    summary.title = _sheet_title(_("Summary"), taken)
    for values in _about(statistics):
        _append(summary, values)
    summary["A1"].font = Font(bold=True, size=14)
    summary.column_dimensions["A"].width = 28
    for table in statistics.tables:
        sheet = workbook.create_sheet(_sheet_title(table.title, taken))
        _append(sheet, [table.title])
        sheet["A1"].font = Font(bold=True)
        _append(sheet, exports.table_header(table))
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        for values in exports.table_rows(table):
            _append(sheet, values)
        for row in sheet.iter_rows(min_row=3):
            for cell in row[1:]:
                if isinstance(cell.value, float):
                    cell.number_format = "0.00"
        if table.note:
            sheet.append([])
            _append(sheet, [table.note])
        sheet.column_dimensions["A"].width = 36
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@login_required
@require_GET
def statistics_export(request: HttpRequest) -> HttpResponse:
    policy.require(request.user, policy.VIEW_HOTLINE_STATISTICS, request=request)
    form = _filters(request)
    kind = request.GET.get("format", "csv")
    if kind not in EXPORT_FORMATS or not form.is_valid():
        if kind not in EXPORT_FORMATS:
            form.add_error(None, _("Choose CSV or XLSX for the export."))
        return render(request, "hotline/statistics/statistics.html", {"form": form}, status=400)
    site = form.cleaned_data["site"]
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    statistics = stats.compute(start, end, site, protect=True)
    content = as_csv(statistics) if kind == "csv" else as_xlsx(statistics)
    record(
        Action.EXPORT, actor=request.user, object_type="hotline.statistics", request=request,
        changes={"format": [kind], "from": [start.isoformat()], "to": [end.isoformat()],
                 "site": [site.code if site else "all"]},
    )
    name = f"hotline-statistics-{start.isoformat()}-{end.isoformat()}-{site.code if site else 'all-sites'}.{kind}"
    response = HttpResponse(content, content_type=EXPORT_FORMATS[kind])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
