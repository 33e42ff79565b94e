"""What this programme plugs into the shared core at start-up: its workflow, case-page panels, dashboard
widgets, booking checks and access rules."""


def register() -> None:
    """Called once from `AppConfig.ready()`."""
    from waypoint.accounts import policy
    from waypoint.accounts.models import Programme
    from waypoint.cases import movements, panels
    from waypoint.cases import workflow as case_workflow
    from waypoint.core import dashboard

    from . import case_panels, workflow

    case_workflow.register(Programme.RETURN, workflow.RETURN_WORKFLOW)
    movements.register_booking_check(Programme.RETURN, workflow.booking_check)
    for key, order, context in (
        ("returns_screening", 20, case_panels.screening_panel),
        ("returns_questionnaire", 21, case_panels.questionnaire_panel),
        ("returns_documents", 22, case_panels.documents_panel),
        ("returns_reintegration", 23, case_panels.reintegration_panel),
        ("returns_monitoring", 24, case_panels.monitoring_panel),
    ):
        panels.register(panels.Panel(key=key, template=f"returns/_panel_{key.removeprefix('returns_')}.html",
                                     context=context, order=order, programmes=(Programme.RETURN,)))
    dashboard.register(dashboard.Widget("returns_due", "returns/_dashboard_due.html", case_panels.due_widget, order=35))

    for name in ("Screening", "ReturnProfile", "Answer", "TravelDocument", "Reception", "ReintegrationPlan",
                 "MonitoringVisit"):
        policy.register(f"returns.{name}", policy.case_part_scope())
    policy.register("returns.Instalment", policy.case_part_scope("plan__case"))
    for name in ("ReturnProject", "Question", "QuestionOption"):
        policy.register(f"returns.{name}", policy.programme_rule(Programme.RETURN))
