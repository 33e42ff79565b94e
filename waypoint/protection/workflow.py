"""The counter-trafficking case workflow: HTCDS case statuses with an intake step before them.

intake → Active (assistance starts, only with the victim's written or witnessed consent to assistance)
→ FollowUp (after leaving the centre) → Closed, or ClosedReferred (handed over to a partner that
accepted). A closed case may be reopened, with a reason.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from waypoint.accounts.models import Programme
from waypoint.cases import workflow
from waypoint.cases.models import Case, ReferralDirection, ReferralKind, ReferralStatus
from waypoint.cases.workflow import State, Transition, Workflow
from waypoint.consent.models import Purpose

from .htcds import CaseStatus, ClosureReason, SupportPlanType

OPEN_REFERRAL_STATUSES = (ReferralStatus.DRAFT, ReferralStatus.SENT, ReferralStatus.ACCEPTED,
                          ReferralStatus.IN_PROGRESS)


def consent_to_assistance(case: Case) -> list[str]:
    """Assistance is given "on a strictly voluntary basis, subject to the victim's informed consent"."""
    from waypoint.consent.services import covering_records

    principal = case.principal
    if principal is None:
        return [_("The case has no principal: add the person assisted first.")]
    if not covering_records(principal, None, Purpose.ASSISTANCE, timezone.localdate()).exists():
        return [_("%(person)s has no valid consent to assistance: record it before assistance starts.")
                % {"person": principal.reference}]
    return []


def nobody_in_the_centre(case: Case) -> list[str]:
    stays = case.centre_stays.filter(checked_out_on__isnull=True).select_related("room", "person")
    return [_("%(person)s is still staying in room %(room)s: record the check-out first.")
            % {"person": stay.person.reference, "room": stay.room.name} for stay in stays]


def no_open_referrals(case: Case) -> list[str]:
    open_ = case.referrals.filter(direction=ReferralDirection.OUTBOUND, status__in=OPEN_REFERRAL_STATUSES)
    return [_("Referral %(reference)s is still %(status)s: complete or cancel it first.")
            % {"reference": referral.reference, "status": referral.get_status_display().lower()}
            for referral in open_]


def handed_over(case: Case) -> list[str]:
    """Closed and referred: a partner has taken the person on (a report of a situation to an authority,
    even accepted, hands nobody over)."""
    taken = case.referrals.filter(
        Q(status__in=(ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS, ReferralStatus.COMPLETED)),
        direction=ReferralDirection.OUTBOUND, kind=ReferralKind.PERSON,
    )
    if not taken.exists():
        return [_("No partner has accepted a referral of this case: it cannot be closed as referred.")]
    return []


OPEN_STATES = (CaseStatus.INTAKE, CaseStatus.ACTIVE, CaseStatus.FOLLOW_UP)
CT_WORKFLOW = Workflow(
    states=(
        State(CaseStatus.INTAKE, CaseStatus.INTAKE.label),
        State(CaseStatus.ACTIVE, CaseStatus.ACTIVE.label),
        State(CaseStatus.FOLLOW_UP, CaseStatus.FOLLOW_UP.label),
        State(CaseStatus.CLOSED, CaseStatus.CLOSED.label, closed=True),
        State(CaseStatus.CLOSED_REFERRED, CaseStatus.CLOSED_REFERRED.label, closed=True),
    ),
    initial=CaseStatus.INTAKE,
    transitions=(
        Transition("start_assistance", gettext_lazy("Start assistance"), (CaseStatus.INTAKE,), CaseStatus.ACTIVE,
                   guards=(consent_to_assistance,)),
        Transition("follow_up", gettext_lazy("Move to follow-up"), (CaseStatus.ACTIVE,), CaseStatus.FOLLOW_UP,
                   guards=(nobody_in_the_centre,)),
        Transition("resume", gettext_lazy("Resume assistance"), (CaseStatus.FOLLOW_UP,), CaseStatus.ACTIVE,
                   guards=(consent_to_assistance,), needs_note=True),
        Transition("close", gettext_lazy("Close the case"), OPEN_STATES, CaseStatus.CLOSED,
                   guards=(nobody_in_the_centre, no_open_referrals)),
        Transition("close_referred", gettext_lazy("Close as referred"), (CaseStatus.ACTIVE, CaseStatus.FOLLOW_UP),
                   CaseStatus.CLOSED_REFERRED, guards=(nobody_in_the_centre, handed_over)),
        Transition("reopen", gettext_lazy("Reopen the case"), (CaseStatus.CLOSED, CaseStatus.CLOSED_REFERRED),
                   CaseStatus.ACTIVE, guards=(consent_to_assistance,), needs_note=True),
    ),
    closure_reasons=tuple(ClosureReason.choices),
    plan_types=tuple(SupportPlanType.choices),
)


def register_ct_workflow() -> None:
    workflow.register(Programme.COUNTER_TRAFFICKING, CT_WORKFLOW)
