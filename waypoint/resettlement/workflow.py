"""The resettlement case's workflow (USRAP's stages, STANDARDS section 6), as dated steps.

application received → prescreened → file prepared → presented for interview → approved / denied / on hold
(on hold: presented again, a new presentation) → travel booked → departed → arrival confirmed → closed.
Withdrawal is possible until departure.

Clearances, cultural orientation and the agency's assurance run in parallel after the decision, so they are
not statuses: they are the checklist under the case's panels, and the steps that need them (booking travel,
departing) have guards that name what is missing. Presenting and deciding are taken by recording the
presentation and its decision (`presentations`), which take the step in the same transaction; the guards of
those steps say so to whoever clicks the step on its own.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from waypoint.accounts.models import Programme
from waypoint.cases import workflow
from waypoint.cases.workflow import State, Transition, Workflow

from . import checks

RECEIVED, PRESCREENED, FILE_PREPARED, PRESENTED = "received", "prescreened", "file_prepared", "presented"
APPROVED, DENIED, ON_HOLD, TRAVEL_BOOKED = "approved", "denied", "on_hold", "travel_booked"
DEPARTED, ARRIVED, CLOSED, WITHDRAWN = "departed", "arrived", "closed", "withdrawn"
BEFORE_DEPARTURE = (RECEIVED, PRESCREENED, FILE_PREPARED, PRESENTED, APPROVED, ON_HOLD, TRAVEL_BOOKED)
# Where the checklist of clearances, orientation and assurance matters (dashboard, panels).
PRE_DEPARTURE = (APPROVED, TRAVEL_BOOKED)

PRESENT, APPROVE, DENY, HOLD, DEPART = "present", "approve", "deny", "hold", "depart"

RES_WORKFLOW = Workflow(
    states=(
        State(RECEIVED, _("Application received")),
        State(PRESCREENED, _("Prescreened")),
        State(FILE_PREPARED, _("File prepared")),
        State(PRESENTED, _("Presented for interview")),
        State(APPROVED, _("Approved")),
        State(ON_HOLD, _("On hold")),
        State(DENIED, _("Denied")),
        State(TRAVEL_BOOKED, _("Travel booked")),
        State(DEPARTED, _("Departed")),
        State(ARRIVED, _("Arrival confirmed")),
        State(CLOSED, _("Closed"), closed=True),
        State(WITHDRAWN, _("Withdrawn"), closed=True),
    ),
    initial=RECEIVED,
    transitions=(
        Transition("prescreen", _("Record the prescreening"), (RECEIVED,), PRESCREENED, dated=True),
        Transition("prepare_file", _("Mark the file prepared"), (PRESCREENED,), FILE_PREPARED, dated=True),
        Transition(PRESENT, _("Record the presentation for interview"), (FILE_PREPARED, ON_HOLD), PRESENTED,
                   guards=(checks.presentation_recorded,), dated=True),
        Transition(APPROVE, _("Record the approval"), (PRESENTED,), APPROVED, guards=(checks.decided_approved,),
                   dated=True),
        Transition(DENY, _("Record the denial"), (PRESENTED,), DENIED, guards=(checks.decided_denied,), dated=True),
        Transition(HOLD, _("Put on hold"), (PRESENTED,), ON_HOLD, guards=(checks.decided_on_hold,), dated=True),
        Transition("book_travel", _("Mark travel booked"), (APPROVED,), TRAVEL_BOOKED,
                   guards=(checks.journey_booked, checks.clearances_valid), dated=True),
        # Offered from approved too, so that the page lists everything still missing before a departure.
        Transition(DEPART, _("Record the departure"), (APPROVED, TRAVEL_BOOKED), DEPARTED,
                   guards=(checks.journey_set_off, checks.clearances_valid, checks.orientation_attended,
                           checks.assurance_received), dated=True),
        Transition("confirm_arrival", _("Confirm the arrival"), (DEPARTED,), ARRIVED, dated=True),
        Transition("close", _("Close the case"), (ARRIVED, DENIED), CLOSED,
                   closure_reasons=("resettled", "denied", "no_contact", "other")),
        Transition("withdraw", _("Withdraw the application"), BEFORE_DEPARTURE, WITHDRAWN, needs_note=True,
                   dated=True, closure_reasons=("withdrawn", "no_contact", "other")),
        Transition("reopen", _("Reopen the application"), (WITHDRAWN,), RECEIVED, needs_note=True),
    ),
    closure_reasons=(
        ("resettled", _("Resettled: arrival confirmed")),
        ("denied", _("Denied by the receiving state")),
        ("withdrawn", _("Withdrawn by the applicant")),
        ("no_contact", _("Lost contact with the applicant")),
        ("other", _("Other")),
    ),
)


def register_workflow() -> None:
    workflow.register(Programme.RESETTLEMENT, RES_WORKFLOW)
