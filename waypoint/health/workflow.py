"""The migration health case workflow: the health unit's own cases (a labour migrant screened for TB, a displaced
family and its hosts followed up, a person referred for treatment).

intake → under assessment (an examination is requested or done) → in treatment / follow-up (an assessment
found something to follow: presumptive or active TB, a positive test) → closed. A closed case may be reopened,
with a reason. Guards read the assessments of the case's members, never their results' text.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from waypoint.accounts.models import Programme
from waypoint.cases import workflow
from waypoint.cases.models import Case, ReferralDirection, ReferralStatus
from waypoint.cases.workflow import State, Transition, Workflow

from .models import AssessmentStatus, HealthAssessment

INTAKE, ASSESSMENT, TREATMENT, CLOSED = "intake", "assessment", "treatment", "closed"
OPEN_REFERRAL_STATUSES = (ReferralStatus.DRAFT, ReferralStatus.SENT, ReferralStatus.ACCEPTED,
                          ReferralStatus.IN_PROGRESS)


def _members_assessments(case: Case):
    """Assessments of the case's members, whichever case asked for them (a returnee examined for their return
    case is followed up on the health case)."""
    people = case.members.values("person_id")
    return HealthAssessment.objects.filter(person_id__in=people)


def an_examination(case: Case) -> list[str]:
    if not _members_assessments(case).exclude(status=AssessmentStatus.CANCELLED).exists():
        return [_("No examination is requested or done for a member of this case: request one first.")]
    return []


def a_follow_up(case: Case) -> list[str]:
    if not _members_assessments(case).filter(status=AssessmentStatus.DONE, follow_up_needed=True).exists():
        return [_("No assessment of a member of this case says a follow-up is needed.")]
    return []


def no_examination_waiting(case: Case) -> list[str]:
    waiting = case.health_assessments.filter(status=AssessmentStatus.REQUESTED).select_related("person")
    return [_("The examination of %(person)s requested on %(day)s has no results yet: record or cancel it first.")
            % {"person": row.person.reference, "day": row.requested_on.isoformat()} for row in waiting]


def no_open_referrals(case: Case) -> list[str]:
    open_ = case.referrals.filter(direction=ReferralDirection.OUTBOUND, status__in=OPEN_REFERRAL_STATUSES)
    return [_("Referral %(reference)s is still %(status)s: complete or cancel it first.")
            % {"reference": referral.reference, "status": referral.get_status_display().lower()}
            for referral in open_]


CLOSURE_REASONS = (
    ("assessed", gettext_lazy("Assessment completed, no follow-up needed")),
    ("treated", gettext_lazy("Treatment completed")),
    ("referred", gettext_lazy("Handed over to a health institution")),
    ("left", gettext_lazy("Left the region or lost contact")),
    ("declined", gettext_lazy("Declined further care")),
    ("other", gettext_lazy("Other")),
)

MH_WORKFLOW = Workflow(
    states=(
        State(INTAKE, gettext_lazy("Intake")),
        State(ASSESSMENT, gettext_lazy("Under assessment")),
        State(TREATMENT, gettext_lazy("In treatment or follow-up")),
        State(CLOSED, gettext_lazy("Closed"), closed=True),
    ),
    initial=INTAKE,
    transitions=(
        Transition("start_assessment", gettext_lazy("Start the assessment"), (INTAKE,), ASSESSMENT,
                   guards=(an_examination,), dated=True),
        Transition("start_follow_up", gettext_lazy("Start treatment or follow-up"), (INTAKE, ASSESSMENT), TREATMENT,
                   guards=(a_follow_up,), dated=True),
        Transition("close", gettext_lazy("Close the case"), (INTAKE, ASSESSMENT, TREATMENT), CLOSED,
                   guards=(no_examination_waiting, no_open_referrals), dated=True),
        Transition("reopen", gettext_lazy("Reopen the case"), (CLOSED,), ASSESSMENT, needs_note=True),
    ),
    closure_reasons=CLOSURE_REASONS,
)


def register_workflow() -> None:
    workflow.register(Programme.HEALTH, MH_WORKFLOW)
