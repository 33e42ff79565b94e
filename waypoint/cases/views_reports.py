"""The referral statistics page and its CSV export.

Aggregates only: counts, shares, rates and times by source and by organisation; never a case, a referral
or a person. Who counts what: a programme manager counts the cases and referrals of their programmes
through `policy.scope`; the M&E officer, whom the policy grants these aggregates (`VIEW_REFERRAL_STATISTICS`)
but no case, counts every programme, and gets nothing on the page that points at a row.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from waypoint.accounts import policy
from waypoint.accounts.models import Programme, Role, User
from waypoint.audit.models import Action
from waypoint.audit.services import record
from waypoint.core.reports import charts, exports
from waypoint.core.reports.periods import PeriodForm, active_period, quick_periods

from . import statistics as stats
from .models import Case, Referral
from .statistics import ReferralStatistics


# --- Who counts what ------------------------------------------------------------------------------
def readable_programmes(user: User) -> list[str]:
    """The programmes whose referral statistics the user reads: M&E all of them, a manager their own."""
    if user.role == Role.ME_OFFICER:
        return list(Programme.values)
    return [code for code in Programme.values if code in (user.programmes or [])]


def counted_rows(user: User) -> tuple[QuerySet[Case], QuerySet[Referral]]:
    """The cases and referrals the user's figures are counted over."""
    if user.role == Role.ME_OFFICER:
        # Aggregates of every programme, never the rows themselves (the policy shows M&E no case).
        return Case.objects.all(), Referral.objects.all()
    return policy.scope(user, Case.objects.all()), policy.scope(user, Referral.objects.all())


# --- Filters --------------------------------------------------------------------------------------
class ReferralStatisticsForm(PeriodForm):
    """The shared statistics period (quick choices or two dates), a programme (or all the reader's), and
    whether times are counted in working days."""

    programme = forms.ChoiceField(label=gettext_lazy("Programme"), required=False)
    working_days = forms.BooleanField(label=gettext_lazy("Times in working days"), required=False,
                                      help_text=gettext_lazy("Monday to Friday, whole days; otherwise calendar "
                                                             "days, hours counted as parts of a day."))

    def __init__(self, *args, programmes: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.programmes = programmes
        everything = _("All programmes") if len(programmes) > 1 else _("My programme")
        self.fields["programme"].choices = [("", everything)] + [(code, Programme(code).label) for code in programmes]
        self.fields["programme"].error_messages["invalid_choice"] = _("Choose one of your programmes.")

    def clean(self):
        data = super().clean()
        chosen = data.get("programme") or ""
        data["programmes"] = [chosen] if chosen else list(self.programmes)
        return data


def _form(request: HttpRequest, programmes: list[str]) -> ReferralStatisticsForm:
    return ReferralStatisticsForm(request.GET, today=timezone.localdate(), programmes=programmes)


def _query(form: ReferralStatisticsForm, **extra) -> str:
    data = form.cleaned_data
    params = {"date_from": data["start"].isoformat(), "date_to": data["end"].isoformat(),
              "programme": data.get("programme") or "", **extra}
    if data.get("working_days"):
        params["working_days"] = "on"
    return urlencode(params)


def _quick_periods(form: ReferralStatisticsForm) -> list[tuple[str, str, bool]]:
    data = form.cleaned_data if form.is_valid() else {}
    base = {"programme": data.get("programme") or form.data.get("programme", "")}
    if data.get("working_days"):
        base["working_days"] = "on"
    return quick_periods(reverse("case_reports:referral_statistics"), active_period(form), **base)


def _compute(user: User, form: ReferralStatisticsForm) -> ReferralStatistics:
    cases, referrals = counted_rows(user)
    data = form.cleaned_data
    return stats.compute(cases, referrals, data["start"], data["end"], data["programmes"],
                         today=timezone.localdate(), working_days=bool(data.get("working_days")))


# --- The page -------------------------------------------------------------------------------------
def _figure(value: Decimal | None) -> str:
    return "—" if value is None else formats.number_format(value, 1)


def source_chart(statistics: ReferralStatistics):
    bars = [charts.Bar(row.label, row.count, f"{row.count} · {_figure(row.share)}%" if row.count else "0")
            for row in statistics.by_source]
    return charts.bar_chart(
        "sources", _("Cases by source"),
        _("Cases opened in the period by how they came to the office; the same figures are in the table."), bars,
    )


def _programme_names(chosen: list[str]) -> list[str]:
    if set(chosen) == set(Programme.values):
        return [_("All programmes")]
    return [str(Programme(code).label) for code in chosen]


@login_required
@require_GET
def referral_statistics(request: HttpRequest) -> HttpResponse:
    user = request.user
    policy.require(user, policy.VIEW_REFERRAL_STATISTICS, request=request)
    programmes = readable_programmes(user)
    form = _form(request, programmes)
    context = {"form": form, "programmes": programmes}
    if not form.is_valid():
        return render(request, "cases/referral_statistics.html", {**context, "quick_periods": []}, status=400)
    statistics = _compute(user, form) if programmes else None
    return render(request, "cases/referral_statistics.html", {
        **context,
        "statistics": statistics,
        "chart": source_chart(statistics) if statistics else "",
        "programme_names": _programme_names(form.cleaned_data["programmes"]),
        "quick_periods": _quick_periods(form),
        "export_csv": f"{reverse('case_reports:referral_statistics_csv')}?{_query(form)}",
    })


# --- The CSV export -------------------------------------------------------------------------------
def percent_heading(label: str) -> str:
    return f"{label}, %"


def _number(value: Decimal | None) -> Decimal | str:
    return "" if value is None else value


def _rows(statistics: ReferralStatistics) -> Iterator[list]:
    unit = _("working days") if statistics.working_days else _("days")
    yield [_("Referral statistics")]
    yield [_("From"), statistics.start.isoformat()]
    yield [_("To"), statistics.end.isoformat()]
    yield [_("Programmes"), ", ".join(str(Programme(code).label) for code in statistics.programmes)]
    yield [_("Times in"), unit]
    yield [_("Exported"), timezone.localtime().strftime("%Y-%m-%d %H:%M")]
    yield [_("Outbound referrals overdue today"), statistics.overdue]
    yield []
    yield [_("Cases by source")]
    yield [_("Source"), _("Cases"), percent_heading(_("Share of cases"))]
    for row in statistics.by_source:
        yield [row.label, row.count, _number(row.share)]
    yield [_("All sources"), statistics.cases, _number(stats.share(statistics.cases, statistics.cases))]
    yield []
    yield [_("Referrals to partners, by receiving organisation")]
    yield [_("Organisation"), _("Sent"), _("Accepted"), _("Declined"), _("Completed"),
           percent_heading(_("Acceptance rate")), _("Median time to accept (%(unit)s)") % {"unit": unit},
           _("Mean time to accept (%(unit)s)") % {"unit": unit},
           _("Median time to complete (%(unit)s)") % {"unit": unit}]
    for row in [*statistics.outbound, statistics.outbound_total]:
        yield [row.name, row.sent, row.accepted, row.declined, row.completed, _number(row.acceptance_rate),
               _number(row.median_days_to_accept), _number(row.mean_days_to_accept),
               _number(row.median_days_to_complete)]
    yield []
    yield [_("Referring organisations")]
    yield [_("Organisation"), _("Cases referred"), percent_heading(_("Share of all cases")),
           _("Referrals through Waypoint"), _("Of which a case was opened"), _("Waiting")]
    for row in [*statistics.inbound, statistics.inbound_total]:
        yield [row.name, row.cases, _number(row.case_share), row.referrals, row.opened, row.waiting]


def as_csv(statistics: ReferralStatistics) -> bytes:
    """Formula-safe, UTF-8 with a byte-order mark, so that spreadsheet programs read Cyrillic names right."""
    return exports.csv_bytes(_rows(statistics))


@login_required
@require_GET
def referral_statistics_csv(request: HttpRequest) -> HttpResponse:
    user = request.user
    policy.require(user, policy.VIEW_REFERRAL_STATISTICS, request=request)
    programmes = readable_programmes(user)
    form = _form(request, programmes)
    if not form.is_valid() or not programmes:
        return render(request, "cases/referral_statistics.html", {
            "form": form, "programmes": programmes, "quick_periods": []}, status=400)
    statistics = _compute(user, form)
    record(
        Action.EXPORT, actor=user, object_type="cases.referral_statistics", request=request,
        changes={"format": ["csv"], "from": [statistics.start.isoformat()], "to": [statistics.end.isoformat()],
                 "programmes": [",".join(statistics.programmes)],
                 "days": ["working" if statistics.working_days else "calendar"]},
    )
    name = f"referral-statistics-{statistics.start.isoformat()}-{statistics.end.isoformat()}.csv"
    return exports.csv_download(as_csv(statistics), name)
