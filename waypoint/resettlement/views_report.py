"""The quarterly report page and its CSV export (`VIEW_RESETTLEMENT_REPORT`: the programme's managers and M&E).
Aggregates only; the definitions are in `report` and on the page."""

from __future__ import annotations

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
from waypoint.core.reports import exports
from waypoint.core.reports.periods import DatesForm, period_query

from . import report

MAX_DAYS = 5 * 366


class PeriodForm(DatesForm):
    """The shared two dates; without either, the last full quarter."""

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        start, end = data.get("date_from"), data.get("date_to")
        if start is None and end is None:
            start, end = report.previous_quarter(self.today)  # the last full quarter
        elif start is None:
            self.add_error("date_from", _("Enter the first day of the period."))
        elif end is None:
            self.add_error("date_to", _("Enter the last day of the period."))
        if start and end and end < start:
            self.add_error("date_to", _("The last day of the period cannot be before its first day."))
        elif start and end and (end - start).days > MAX_DAYS:
            self.add_error("date_from", _("A period can be at most five years long."))
        data.update(start=start, end=end)
        return data


def _form(request: HttpRequest) -> PeriodForm:
    return PeriodForm(request.GET, today=timezone.localdate())


def _quarters(form: PeriodForm) -> list[tuple[str, str, bool]]:
    chosen = (form.cleaned_data.get("start"), form.cleaned_data.get("end")) if form.is_valid() else None
    url = reverse("resettlement:report")
    return [(report.quarter_label(start), f"{url}?{urlencode({'date_from': start, 'date_to': end})}",
             (start, end) == chosen) for start, end in report.recent_quarters(timezone.localdate())]


def _refused(request: HttpRequest, form: PeriodForm) -> HttpResponse:
    """The page again with the period's errors."""
    return render(request, "resettlement/report.html", {"form": form, "quarters": _quarters(form)}, status=400)


@login_required
@require_GET
def report_page(request: HttpRequest) -> HttpResponse:
    policy.require(request.user, policy.VIEW_RESETTLEMENT_REPORT, request=request)
    form = _form(request)
    if not form.is_valid():
        return _refused(request, form)
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    figures = report.compute(start, end)
    query = period_query(start, end)
    return render(request, "resettlement/report.html", {
        "form": form, "quarters": _quarters(form), "report": figures,
        "csv_url": f"{reverse('resettlement:report_csv')}?{query}"})


def as_csv(figures: report.Report) -> bytes:
    """Formula-safe, UTF-8 with a byte-order mark (`core.reports.exports`)."""
    rows: list[list] = [
        [_("Resettlement processing: quarterly report")],
        [_("From"), figures.start.isoformat()], [_("To"), figures.end.isoformat()], [],
        [_("Breakdown"), _("Row"),
         _("Received and processed: cases"), _("Received and processed: individuals"),
         _("Presented for status determination: presentations"),
         _("Presented for status determination: individuals"),
         _("Departed: cases"), _("Departed: individuals")],
    ]
    for heading, lines in ((_("Total"), [figures.total]), (_("Destination country"), figures.by_destination),
                           (_("Category"), figures.by_category)):
        for line in lines:
            rows.append([heading, line.label, line.received.cases, line.received.individuals, line.presented.cases,
                         line.presented.individuals, line.departed.cases, line.departed.individuals])
    return exports.csv_bytes(rows)


@login_required
@require_GET
def report_csv(request: HttpRequest) -> HttpResponse:
    policy.require(request.user, policy.VIEW_RESETTLEMENT_REPORT, request=request)
    form = _form(request)
    if not form.is_valid():
        return _refused(request, form)
    figures = report.compute(form.cleaned_data["start"], form.cleaned_data["end"])
    record(Action.EXPORT, actor=request.user, object_type="resettlement.report", request=request, changes={
        "format": ["csv"], "from": [figures.start.isoformat()], "to": [figures.end.isoformat()]})
    name = f"resettlement-report-{figures.start.isoformat()}-{figures.end.isoformat()}.csv"
    return exports.csv_download(as_csv(figures), name)
