"""What this programme plugs into the shared core at start-up: its workflow, case-page panels, dashboard
widgets, booking checks and access rules."""

from __future__ import annotations

from django.db.models import QuerySet

from waypoint.accounts import policy
from waypoint.accounts.models import Programme, Role, User


def _enterprise_rule(*, deletable: bool):
    """The programme's registry of enterprises: its staff (`VIEW_ENTERPRISES`) see and register them, an
    administrator corrects them in the back office; an enterprise is never deleted (a member who left is)."""

    def rule(user: User, queryset: QuerySet, action: str) -> QuerySet:
        if action == "delete" and not deletable:
            return queryset.none()
        if user.role == Role.ADMINISTRATOR:
            return queryset if action != "delete" else queryset.none()
        return queryset if policy.may(user, policy.VIEW_ENTERPRISES) else queryset.none()

    return rule


def register_rules() -> None:
    policy.register("livelihoods.Settlement", policy.programme_rule(Programme.DIRECT_ASSISTANCE))
    policy.register("livelihoods.Enterprise", _enterprise_rule(deletable=False))
    policy.register("livelihoods.EnterpriseMember", _enterprise_rule(deletable=True))
    for name in ("GrantApplication", "GrantItem", "FollowUpVisit"):
        policy.register(f"livelihoods.{name}", policy.case_part_scope())


def register_panels() -> None:
    from waypoint.cases import panels

    from . import views_grant

    dap = (Programme.DIRECT_ASSISTANCE,)
    for key, template, context, order in (
        ("grant", "livelihoods/_panel_grant.html", views_grant.grant_panel, 20),
        ("assessment", "livelihoods/_panel_assessment.html", views_grant.assessment_panel, 22),
        ("items", "livelihoods/_panel_items.html", views_grant.items_panel, 24),
        ("visits", "livelihoods/_panel_visits.html", views_grant.visits_panel, 26),
    ):
        panels.register(panels.Panel(key=f"livelihoods_{key}", template=template, context=context, order=order,
                                     programmes=dap))


def register() -> None:
    """Called once from `AppConfig.ready()`."""
    from . import dashboard, workflow

    workflow.register_dap_workflow()
    register_rules()
    register_panels()
    dashboard.register_widgets()
