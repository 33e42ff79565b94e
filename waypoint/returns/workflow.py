"""The return case workflow (IOM's pre-departure, travel and post-arrival stages) and its guards.

requested → screened eligible → counselled → travel documents → travel booked → departed → arrived and received
→ reintegration → monitoring → closed; withdrawn possible until departure (and a withdrawn case may be resumed).
Counselling, departure, arrival and the start of reintegration are dated steps: the statistics count them by the
day they happened.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from waypoint.cases.models import Case, Movement, MovementKind, MovementStatus
from waypoint.cases.movements import day_of
from waypoint.cases.workflow import State, Transition, Workflow
from waypoint.health.clearance import clearance_problems
from waypoint.people.models import Person

from . import documents, eligibility, questionnaire
from .models import Reception, ReintegrationPlan, ReturnProfile

REQUESTED, SCREENED, COUNSELLED, DOCUMENTS = "requested", "screened", "counselled", "documents"
BOOKED, DEPARTED, ARRIVED, REINTEGRATION = "booked", "departed", "arrived", "reintegration"
MONITORING, CLOSED, WITHDRAWN = "monitoring", "closed", "withdrawn"
BEFORE_DEPARTURE = (REQUESTED, SCREENED, COUNSELLED, DOCUMENTS, BOOKED)
LIVE_JOURNEY = (MovementStatus.BOOKED, MovementStatus.IN_TRANSIT, MovementStatus.COMPLETED)


def _members(case: Case) -> list[Person]:
    return [member.person for member in case.members.select_related("person").order_by("id")]


def eligible_screening(case: Case) -> list[str]:
    screening = eligibility.latest(case)
    if screening is None:
        return [_("Screen the case for eligibility first.")]
    if not screening.eligible:
        return [_("The latest screening found the person not eligible:"), *eligibility.reasons_in_words(screening)]
    return []


def complete_questionnaire(case: Case) -> list[str]:
    if not ReturnProfile.objects.filter(case=case).exists():
        return [_("Answer the profiling questionnaire first.")]
    return [_("The questionnaire has no answer to the required question “%(question)s”.") % {"question": q.text}
            for q in questionnaire.missing_required(case)]


def return_journey(case: Case) -> Movement | None:
    """The case's international journey that is booked, under way or done (the latest)."""
    return (case.movements.filter(kind=MovementKind.INTERNATIONAL, status__in=LIVE_JOURNEY)
            .prefetch_related("travellers").order_by("-departs_at", "-id").first())


def documents_ready(case: Case) -> list[str]:
    journey = return_journey(case)
    day = day_of(journey.departs_at) if journey else timezone.localdate()
    return documents.document_problems(case, _members(case), day)


def journey_booked(case: Case) -> list[str]:
    journey = return_journey(case)
    if journey is None:
        return [_("Book the international journey home in the case's movements first.")]
    on_board = {person.pk for person in journey.travellers.all()}
    missing = [person.reference for person in _members(case) if person.pk not in on_board]
    if missing:
        return [_("Not on the booked journey: %(people)s. Every member of the case travels.") % {
            "people": ", ".join(missing)}]
    return []


def medically_cleared(case: Case) -> list[str]:
    journey = return_journey(case)
    if journey is None:
        return []  # journey_booked says what is missing
    return clearance_problems(_members(case), day_of(journey.departs_at))


def journey_under_way(case: Case) -> list[str]:
    if not case.movements.filter(kind=MovementKind.INTERNATIONAL,
                                 status__in=(MovementStatus.IN_TRANSIT, MovementStatus.COMPLETED)).exists():
        return [_("The journey home is not under way yet: mark the movement in transit or completed first.")]
    return []


def received(case: Case) -> list[str]:
    if not Reception.objects.filter(case=case).exists():
        return [_("Record the reception by a partner on arrival first.")]
    return []


def has_plan(case: Case) -> list[str]:
    if not ReintegrationPlan.objects.filter(case=case).exists():
        return [_("Make the reintegration plan first.")]
    return []


def booking_check(movement: Movement, travellers) -> list[str]:
    """Before an international journey of a return case is booked or sets off: each traveller holds an issued
    travel document and a medical clearance, both valid on the day of departure."""
    if movement.kind != MovementKind.INTERNATIONAL:
        return []
    day = day_of(movement.departs_at)
    return [*documents.document_problems(movement.case, travellers, day), *clearance_problems(travellers, day)]


class ClosureReason:
    COMPLETED = "completed"
    NOT_ELIGIBLE = "not_eligible"
    CHANGED_MIND = "changed_mind"
    REGULARISED = "regularised"
    LOST_CONTACT = "lost_contact"
    OTHER = "other"


RETURN_WORKFLOW = Workflow(
    states=(
        State(REQUESTED, gettext_lazy("Requested, first counselling")),
        State(SCREENED, gettext_lazy("Screened eligible")),
        State(COUNSELLED, gettext_lazy("Counselled")),
        State(DOCUMENTS, gettext_lazy("Travel documents")),
        State(BOOKED, gettext_lazy("Travel booked")),
        State(DEPARTED, gettext_lazy("Departed")),
        State(ARRIVED, gettext_lazy("Arrived and received")),
        State(REINTEGRATION, gettext_lazy("Reintegration")),
        State(MONITORING, gettext_lazy("Monitoring")),
        State(CLOSED, gettext_lazy("Closed"), closed=True),
        State(WITHDRAWN, gettext_lazy("Withdrawn"), closed=True),
    ),
    initial=REQUESTED,
    transitions=(
        Transition("confirm_eligible", gettext_lazy("Confirm eligibility"), (REQUESTED,), SCREENED,
                   guards=(eligible_screening,)),
        Transition("counsel", gettext_lazy("Record counselling"), (SCREENED,), COUNSELLED,
                   guards=(eligible_screening, complete_questionnaire), dated=True),
        Transition("obtain_documents", gettext_lazy("Start obtaining travel documents"), (COUNSELLED,), DOCUMENTS),
        Transition("book_travel", gettext_lazy("Mark travel booked"), (DOCUMENTS,), BOOKED,
                   guards=(documents_ready, journey_booked, medically_cleared)),
        Transition("depart", gettext_lazy("Record the departure"), (BOOKED,), DEPARTED, guards=(journey_under_way,),
                   dated=True),
        Transition("arrive", gettext_lazy("Record the arrival and reception"), (DEPARTED,), ARRIVED, guards=(received,),
                   dated=True),
        Transition("start_reintegration", gettext_lazy("Start reintegration"), (ARRIVED,), REINTEGRATION,
                   guards=(has_plan,), dated=True),
        Transition("start_monitoring", gettext_lazy("Move to monitoring"), (REINTEGRATION,), MONITORING),
        Transition("close", gettext_lazy("Close the case"), (ARRIVED, REINTEGRATION, MONITORING), CLOSED,
                   closure_reasons=(ClosureReason.COMPLETED, ClosureReason.LOST_CONTACT, ClosureReason.OTHER)),
        Transition("withdraw", gettext_lazy("Withdraw"), BEFORE_DEPARTURE, WITHDRAWN,
                   closure_reasons=(ClosureReason.NOT_ELIGIBLE, ClosureReason.CHANGED_MIND, ClosureReason.REGULARISED,
                                    ClosureReason.LOST_CONTACT, ClosureReason.OTHER)),
        Transition("resume", gettext_lazy("Resume the return"), (WITHDRAWN,), REQUESTED, needs_note=True),
    ),
    closure_reasons=(
        (ClosureReason.COMPLETED, gettext_lazy("Return and reintegration completed")),
        (ClosureReason.NOT_ELIGIBLE, gettext_lazy("Not eligible")),
        (ClosureReason.CHANGED_MIND, gettext_lazy("The migrant decided not to return")),
        (ClosureReason.REGULARISED, gettext_lazy("Stay regularised")),
        (ClosureReason.LOST_CONTACT, gettext_lazy("Contact lost")),
        (ClosureReason.OTHER, gettext_lazy("Other")),
    ),
)
