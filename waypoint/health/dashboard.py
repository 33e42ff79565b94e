"""The health unit's widget on the landing dashboard: what waits for it today.

Shown to VIEW_HEALTH_DATA holders only (the MH programme's case workers and managers): examinations requested
and waiting (and since when), clearances that end within 30 days, follow-ups still open. Counts only; each links
to the queue filtered to those rows.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from waypoint.accounts import policy
from waypoint.core import dashboard

from . import queries
from .forms import FOLLOW_UP_OPEN
from .models import AssessmentStatus, HealthAssessment
from .views import EXPIRING


def health_widget(request: HttpRequest) -> dict[str, Any] | None:
    user = request.user
    if not policy.may(user, policy.VIEW_HEALTH_DATA):
        return None
    rows = policy.scope(user, HealthAssessment.objects.all())
    today = timezone.localdate()
    waiting = queries.waiting(rows)
    oldest = waiting.order_by("requested_on").values_list("requested_on", flat=True).first()
    queue = reverse("health:queue")
    return {
        "waiting": waiting.count(),
        "waiting_days": (today - oldest).days if oldest else None,
        "expiring": queries.expiring(today, rows).count(),
        "follow_ups": queries.open_follow_ups(rows).count(),
        "queue_url": queue,
        "waiting_url": f"{queue}?{urlencode({'status': AssessmentStatus.REQUESTED})}",
        "expiring_url": f"{queue}?{urlencode({'clearance': EXPIRING})}",
        "follow_ups_url": f"{queue}?{urlencode({'follow_up': FOLLOW_UP_OPEN})}",
    }


def register_widgets() -> None:
    dashboard.register(dashboard.Widget("health", "health/_dashboard_health.html", health_widget, order=40))
