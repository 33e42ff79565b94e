"""The caseload dashboards: what a case worker and a programme manager see first when they sign in.

Two widgets of the landing dashboard (`core.dashboard`), registered in `CasesConfig.ready()`:

* a case worker's caseload: their open cases (owned or assigned) with status and risk, tasks overdue and due
  in the next seven days, referrals of their cases that a partner has not answered in time, inbound referrals
  waiting;
* a programme manager's programmes: cases by status, cases by source this year, services delivered this
  month, overdue referrals, inbound referrals waiting, open cases whose owner has done nothing for 30 days.

Every figure is counted through `policy.scope`, so nobody is told about a row they may not see. The centre's
occupancy is the counter-trafficking programme's own widget (`protection.dashboard`).
"""

from __future__ import annotations

import datetime
import functools
import operator
from typing import Any
from urllib.parse import urlencode

from django.db.models import Case as Conditional
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from waypoint.accounts import policy
from waypoint.accounts.models import Programme, Role, User
from waypoint.audit.models import Action
from waypoint.audit.services import record
from waypoint.core import dashboard

from . import statistics
from .forms_case import ANY_OPEN
from .models import (
    Case,
    CaseEvent,
    DeliveryStatus,
    Referral,
    ReferralDirection,
    ReferralStatus,
    RiskLevel,
    ServiceDelivery,
    ServiceType,
    Task,
)
from .workflow import workflow_for

SHOWN = 15  # rows of a list on the dashboard; the count says how many there are in all
DUE_SOON_DAYS = 7
QUIET_DAYS = 30  # an open case whose owner has recorded nothing for this long is "quiet"
RISK_ORDER = Conditional(
    When(risk_level=RiskLevel.HIGH, then=Value(0)), When(risk_level=RiskLevel.MEDIUM, then=Value(1)),
    default=Value(2), output_field=IntegerField())


def link(name: str, **query) -> str:
    """The address of a page with its list filters (`cases:list` takes programme, status, owner, risk,
    overdue)."""
    url = reverse(name)
    query = {key: value for key, value in query.items() if value not in (None, "")}
    return f"{url}?{urlencode(query)}" if query else url


def open_filter() -> Q:
    """Cases in a status that is not closed in their programme's workflow."""
    return functools.reduce(operator.or_, (
        Q(programme=code, status__in=workflow_for(code).open_states()) for code in Programme.values
    ))


def visible_cases(user: User) -> QuerySet[Case]:
    return policy.scope(user, Case.objects.all())


def overdue_referrals(user: User, today: datetime.date) -> QuerySet[Referral]:
    return statistics.overdue_referrals(policy.scope(user, Referral.objects.all()), today)


def inbound_waiting(user: User) -> QuerySet[Referral]:
    """Referrals partners sent to the office that nobody has taken on (no case opened, no answer yet)."""
    return policy.scope(user, Referral.objects.all()).filter(
        direction=ReferralDirection.INBOUND, status=ReferralStatus.SENT, opened_case__isnull=True)


# --- A case worker's caseload -------------------------------------------------------------------
def caseload(user: User, today: datetime.date) -> dict[str, Any]:
    """The figures and lists of a case worker's widget (through the policy: their own cases)."""
    cases = visible_cases(user)
    open_cases = cases.filter(open_filter())
    mine = list(open_cases.annotate(risk_order=RISK_ORDER).order_by("risk_order", "opened_on", "id")[:SHOWN])
    tasks = policy.scope(user, Task.objects.all()).filter(
        done_at__isnull=True, due_on__isnull=False, due_on__lte=today + datetime.timedelta(days=DUE_SOON_DAYS),
        case__in=open_cases.values("pk"),
    ).select_related("case").order_by("due_on", "id")
    overdue_tasks = tasks.filter(due_on__lt=today)
    due_tasks = tasks.filter(due_on__gte=today)
    late = overdue_referrals(user, today).filter(case__in=cases.values("pk"))
    return {
        "today": today,
        "open_count": open_cases.count(),
        "open_cases": [{
            "case": case, "status": workflow_for(case.programme).label(case.status),
            "risk": case.get_risk_level_display(), "high_risk": case.risk_level == RiskLevel.HIGH,
        } for case in mine],
        "overdue_tasks": list(overdue_tasks[:SHOWN]), "overdue_task_count": overdue_tasks.count(),
        "due_tasks": list(due_tasks[:SHOWN]), "due_task_count": due_tasks.count(),
        "overdue_referrals": list(late.select_related("organisation", "case").order_by("due_on")[:SHOWN]),
        "overdue_referral_count": late.count(),
        "inbound_waiting": inbound_waiting(user).count(),
        "list_url": link("cases:list", status=ANY_OPEN),
        "overdue_url": link("cases:list", overdue=1),
        "inbox_url": link("referrals:inbox"),
    }


def caseload_widget(request: HttpRequest) -> dict[str, Any] | None:
    user = request.user
    if user.role != Role.CASE_WORKER or not policy.may(user, policy.VIEW_CASES):
        return None
    context = caseload(user, timezone.localdate())
    shown = [task.pk for task in context["overdue_tasks"] + context["due_tasks"]]
    if shown:  # task titles are decrypted here: which ones were shown is kept, as for the hotline's queue
        record(Action.VIEW, actor=user, object_type="cases.task", object_id="dashboard",
               changes={"shown": [", ".join(str(pk) for pk in shown)]}, request=request)
    return context


# --- A programme manager's programmes -----------------------------------------------------------
def by_status(cases: QuerySet[Case], programmes: list[str]) -> list[dict[str, Any]]:
    """For each programme: every status of its workflow with its count (zeros too) and a link to the list."""
    counts: dict[tuple[str, str], int] = {
        (row["programme"], row["status"]): row["n"]
        for row in cases.order_by().values("programme", "status").annotate(n=Count("id"))
    }
    result = []
    for code in programmes:
        workflow = workflow_for(code)
        known = [state.code for state in workflow.states]
        extra = sorted(status for programme, status in counts if programme == code and status not in known)
        rows = [{
            "status": status, "label": workflow.label(status), "count": counts.get((code, status), 0),
            "closed": workflow.is_closed(status), "url": link("cases:list", programme=code, status=status),
        } for status in known + extra]
        result.append({
            "programme": code, "label": Programme(code).label, "rows": rows,
            "open": sum(row["count"] for row in rows if not row["closed"]),
            "url": link("cases:list", programme=code, status=ANY_OPEN),
        })
    return result


def services_delivered(deliveries: QuerySet[ServiceDelivery], start: datetime.date,
                       end: datetime.date) -> list[tuple[str, int]]:
    """(service, deliveries) from `start` to `end`, most delivered first."""
    counts = dict(deliveries.filter(status=DeliveryStatus.DELIVERED, delivered_on__gte=start, delivered_on__lte=end)
                  .order_by().values("service_type").annotate(n=Count("id")).values_list("service_type", "n"))
    types = ServiceType.objects.in_bulk(list(counts))
    rows = [(types[pk].name, count) for pk, count in counts.items()]
    return sorted(rows, key=lambda row: (-row[1], row[0].casefold()))


def quiet_cases(open_cases: QuerySet[Case], now: datetime.datetime) -> QuerySet[Case]:
    """Open cases whose owner has put nothing on the timeline for `QUIET_DAYS` days (nor since opening)."""
    cutoff = now - datetime.timedelta(days=QUIET_DAYS)
    last = CaseEvent.objects.filter(case=OuterRef("pk"), actor=OuterRef("owner")).order_by("-at").values("at")[:1]
    return open_cases.annotate(last_owner_action=Subquery(last)).filter(
        Q(last_owner_action__lt=cutoff) | Q(last_owner_action__isnull=True, created_at__lt=cutoff))


def programme_overview(user: User, today: datetime.date, now: datetime.datetime | None = None) -> dict[str, Any]:
    """The figures of a programme manager's widget (through the policy: their programmes' cases)."""
    now = now or timezone.now()
    programmes = [code for code in Programme.values if code in (user.programmes or [])]
    cases = visible_cases(user)
    year_start = today.replace(month=1, day=1)
    year_cases, sources = statistics.cases_by_source(cases, year_start, today, zeros=False)
    month_start = today.replace(day=1)
    services = services_delivered(policy.scope(user, ServiceDelivery.objects.all()), month_start, today)
    quiet = quiet_cases(cases.filter(open_filter()), now)
    return {
        "today": today,
        "programmes": by_status(cases, programmes),
        "year_start": year_start, "year_cases": year_cases, "sources": sources,
        "month_start": month_start, "services": services, "services_total": sum(n for _label, n in services),
        "overdue_referral_count": overdue_referrals(user, today).count(),
        "inbound_waiting": inbound_waiting(user).count(),
        "quiet_count": quiet.count(),
        "quiet_cases": list(quiet.select_related("owner").order_by("opened_on", "id")[:SHOWN]),
        "quiet_days": QUIET_DAYS,
        "overdue_url": link("cases:list", overdue=1),
        "inbox_url": link("referrals:inbox"),
        "statistics_url": link("case_reports:referral_statistics") if policy.may(
            user, policy.VIEW_REFERRAL_STATISTICS) else "",
    }


def programme_widget(request: HttpRequest) -> dict[str, Any] | None:
    user = request.user
    if user.role != Role.PROGRAMME_MANAGER or not policy.may(user, policy.VIEW_CASES) or not user.programmes:
        return None
    return programme_overview(user, timezone.localdate())


def register_widgets() -> None:
    dashboard.register(dashboard.Widget("caseload", "cases/_dashboard_caseload.html", caseload_widget, order=10))
    dashboard.register(dashboard.Widget("programmes", "cases/_dashboard_programmes.html", programme_widget,
                                        order=20))
