"""What this programme plugs into the shared core at start-up: its workflow, case-page panels, dashboard
widgets, booking checks and access rules."""


def register() -> None:
    """Called once from `AppConfig.ready()`."""
    from waypoint.accounts import policy
    from waypoint.cases import panels

    from . import access, dashboard, panel, workflow

    policy.register("health.HealthAssessment", access.assessment_scope)
    workflow.register_workflow()
    # Every programme's case page: members' clearances, requests, and links for the health unit.
    panels.register(panels.Panel(key="health", template="health/_panel_health.html", context=panel.health_panel,
                                 order=40))
    dashboard.register_widgets()
