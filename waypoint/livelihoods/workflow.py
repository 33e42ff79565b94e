"""The grant application's workflow: application received → assessed → approved or rejected → items procured →
handed over → follow-up → closed (or withdrawn on the way). Every step is dated: the statistics count grants
approved and handed over by the day the step happened (`cases.StatusChange`).

Guards say, before the click and again when the step is taken, what is missing: an assessment before the decision,
items within the approved value before procurement, every item handed over with an act before "handed over", and
a follow-up visit before closing as completed.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from waypoint.accounts.models import Programme
from waypoint.cases import workflow
from waypoint.cases.models import Case
from waypoint.cases.workflow import State, Transition, Workflow

from .models import Decision, GrantApplication, ItemStatus
from .money import money

RECEIVED, ASSESSED, APPROVED, REJECTED = "received", "assessed", "approved", "rejected"
PROCURED, HANDED_OVER, FOLLOW_UP, CLOSED, WITHDRAWN = "procured", "handed_over", "follow_up", "closed", "withdrawn"


def application_of(case: Case) -> GrantApplication | None:
    return GrantApplication.objects.filter(case=case).first()


def assessment_recorded(case: Case) -> list[str]:
    application = application_of(case)
    if application is None:
        return [_("The case has no grant application: record the business plan first.")]
    if not application.assessed:
        return [_("The application has not been assessed: record the assessment first.")]
    return []


def approval_recorded(case: Case) -> list[str]:
    reasons = assessment_recorded(case)
    if reasons:
        return reasons
    application = application_of(case)
    if application.decision != Decision.APPROVED or application.approved_value is None:
        return [_("No approval is recorded: record the decision with the approved value first.")]
    return []


def rejection_recorded(case: Case) -> list[str]:
    reasons = assessment_recorded(case)
    if reasons:
        return reasons
    application = application_of(case)
    if application.decision != Decision.REJECTED or not application.rejection_reason:
        return [_("No rejection is recorded: record the decision with the reason for rejection first.")]
    return []


def items_total(case: Case) -> Decimal:
    total = case.grant_items.exclude(status=ItemStatus.CANCELLED).aggregate(total=Sum("value"))["total"]
    return total or Decimal("0")


def items_within_grant(case: Case) -> list[str]:
    application = application_of(case)
    if application is None or application.approved_value is None:
        return [_("No approval is recorded: record the decision with the approved value first.")]
    if not case.grant_items.exclude(status=ItemStatus.CANCELLED).exists():
        return [_("No item is recorded: add the items bought for the grant first.")]
    total = items_total(case)
    if total > application.approved_value:
        return [_("The items total more than the approved grant: %(total)s against %(approved)s approved.") % {
            "total": money(total, application.currency), "approved": money(application.approved_value,
                                                                             application.currency)}]
    return []


def every_item_handed_over(case: Case) -> list[str]:
    items = list(case.grant_items.exclude(status=ItemStatus.CANCELLED))
    if not items:
        return [_("No item is recorded: add the items bought for the grant first.")]
    return [_("“%(item)s” has not been handed over: record its delivery and the handover act first.")
            % {"item": item.description} for item in items if item.status != ItemStatus.HANDED_OVER]


def followed_up(case: Case) -> list[str]:
    if not case.follow_up_visits.exists():
        return [_("No follow-up visit is recorded: record at least one visit before closing the grant as completed.")]
    return []


OPEN_BEFORE_HANDOVER = (RECEIVED, ASSESSED, APPROVED, PROCURED)
CLOSURE_REASONS = (
    ("completed", gettext_lazy("Grant completed")),
    ("rejected", gettext_lazy("Application rejected")),
    ("withdrawn", gettext_lazy("Withdrawn by the enterprise")),
    ("ceased", gettext_lazy("Enterprise ceased operating")),
    ("other", gettext_lazy("Other")),
)
DAP_WORKFLOW = Workflow(
    states=(
        State(RECEIVED, gettext_lazy("Application received")),
        State(ASSESSED, gettext_lazy("Assessed")),
        State(APPROVED, gettext_lazy("Approved")),
        State(REJECTED, gettext_lazy("Rejected"), closed=True),
        State(PROCURED, gettext_lazy("Items procured")),
        State(HANDED_OVER, gettext_lazy("Handed over")),
        State(FOLLOW_UP, gettext_lazy("Follow-up")),
        State(CLOSED, gettext_lazy("Closed"), closed=True),
        State(WITHDRAWN, gettext_lazy("Withdrawn"), closed=True),
    ),
    initial=RECEIVED,
    transitions=(
        Transition("assess", gettext_lazy("Mark as assessed"), (RECEIVED,), ASSESSED,
                   guards=(assessment_recorded,), dated=True),
        Transition("approve", gettext_lazy("Approve the grant"), (ASSESSED,), APPROVED,
                   guards=(approval_recorded,), dated=True),
        Transition("reject", gettext_lazy("Reject the application"), (ASSESSED,), REJECTED,
                   guards=(rejection_recorded,), dated=True, closure_reasons=("rejected",)),
        Transition("procure", gettext_lazy("Mark the items procured"), (APPROVED,), PROCURED,
                   guards=(items_within_grant,), dated=True),
        Transition("hand_over", gettext_lazy("Record the handover of the items"), (PROCURED,), HANDED_OVER,
                   guards=(items_within_grant, every_item_handed_over), dated=True),
        Transition("follow_up", gettext_lazy("Start the follow-up"), (HANDED_OVER,), FOLLOW_UP, dated=True),
        Transition("close", gettext_lazy("Close as completed"), (FOLLOW_UP,), CLOSED,
                   guards=(followed_up,), dated=True, closure_reasons=("completed", "ceased", "other")),
        Transition("withdraw", gettext_lazy("Withdraw the application"), OPEN_BEFORE_HANDOVER, WITHDRAWN,
                   needs_note=True, dated=True, closure_reasons=("withdrawn", "ceased", "other")),
        Transition("reopen", gettext_lazy("Reopen the case"), (REJECTED, WITHDRAWN), RECEIVED, needs_note=True),
    ),
    closure_reasons=CLOSURE_REASONS,
)


def register_dap_workflow() -> None:
    workflow.register(Programme.DIRECT_ASSISTANCE, DAP_WORKFLOW)
