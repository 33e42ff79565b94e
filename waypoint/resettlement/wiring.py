"""What this programme plugs into the shared core at start-up: its workflow, case-page panels, dashboard
widgets, booking checks and access rules."""

from waypoint.accounts import policy
from waypoint.accounts.models import Programme
from waypoint.cases import movements
from waypoint.cases import panels as case_panels
from waypoint.cases.models import MovementKind
from waypoint.core import dashboard

RES = (Programme.RESETTLEMENT,)


def register() -> None:
    """Called once from `AppConfig.ready()`."""
    from . import checks, panels, trips, workflow

    workflow.register_workflow()
    movements.register_booking_check(Programme.RESETTLEMENT, checks.booking_check)
    movements.register_travel_service(Programme.RESETTLEMENT, MovementKind.INTERNATIONAL, "resettlement_travel")
    for key, template, context, order in (
        ("resettlement-profile", "resettlement/_panel_profile.html", panels.profile_panel, 20),
        ("resettlement-clearances", "resettlement/_panel_clearances.html", panels.clearances_panel, 21),
        ("resettlement-presentations", "resettlement/_panel_presentations.html", panels.presentations_panel, 22),
        ("resettlement-predeparture", "resettlement/_panel_predeparture.html", panels.predeparture_panel, 23),
    ):
        case_panels.register(case_panels.Panel(key=key, template=template, context=context, order=order,
                                               programmes=RES))
    dashboard.register(dashboard.Widget("resettlement-checklist", "resettlement/_dashboard.html",
                                        panels.dashboard_widget, order=40))
    # What hangs off a case follows the case; none is deleted (a wrong line is corrected, a trip kept).
    for name in ("ResettlementProfile", "Clearance", "Presentation", "Orientation", "Assurance"):
        policy.register(f"resettlement.{name}", policy.case_part_scope())
    policy.register("resettlement.ProcessingTrip", trips.trip_scope)
