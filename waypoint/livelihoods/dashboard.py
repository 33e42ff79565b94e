"""The programme's widget on the landing dashboard: follow-up visits due (3 and 12 months after the handover) on
the grants the user may see. Shown to the staff of the direct assistance programme (`VIEW_ENTERPRISES`)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from waypoint.accounts import policy
from waypoint.cases.models import Case
from waypoint.core import dashboard

from . import visits

SHOWN = 10


def visits_due_widget(request: HttpRequest) -> dict[str, Any] | None:
    if not policy.may(request.user, policy.VIEW_ENTERPRISES):
        return None
    reminders = visits.due_reminders(policy.scope(request.user, Case.objects.all()))
    return {"reminders": reminders[:SHOWN], "more": max(len(reminders) - SHOWN, 0),
            "overdue": sum(1 for r in reminders if r.overdue), "count": len(reminders)}


def register_widgets() -> None:
    dashboard.register(dashboard.Widget("livelihoods_visits", "livelihoods/_dashboard_visits.html",
                                        visits_due_widget, order=40))
