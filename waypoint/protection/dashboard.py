"""The counter-trafficking programme's widget on the landing dashboard: the rehabilitation centre today.

Registered in `ProtectionConfig.ready()` (the case core never imports a programme). Shown to those who may
see the centre's occupancy (`VIEW_CENTRE_OCCUPANCY`: programme managers and case workers of the programme):
beds taken and free in each centre tonight, and this year's guests against the 350 a year the centre was
built for. Only counts of beds and guests: no case, no person (`stays.occupancy` is asked without a user, so
it names nobody). Stays exist only on counter-trafficking cases, all of which the programme's managers see.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from waypoint.accounts import policy
from waypoint.core import dashboard

from . import stays


def occupancy_widget(request: HttpRequest) -> dict[str, Any] | None:
    if not policy.may(request.user, policy.VIEW_CENTRE_OCCUPANCY):
        return None
    today = stays.occupancy()
    if not today.centres:
        return None
    return {"occupancy": today, "year": stays.year_figures(), "occupancy_url": reverse("centre:occupancy")}


def register_widgets() -> None:
    dashboard.register(dashboard.Widget("centre", "protection/_dashboard_occupancy.html", occupancy_widget, order=30))
