"""Presenting a case to the receiving state's interviewing officer, and recording the decision.

Recording a presentation takes the workflow's step "presented for interview" on the day of the interview, and
recording the decision takes "approved", "denied" or "put on hold" on the day of the decision, in the same
transaction: the status and the presentation cannot disagree. A case on hold is presented again with a new
presentation (the receiving state counts it again, and so does the quarterly report).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from waypoint.accounts import policy
from waypoint.accounts.models import User
from waypoint.audit.models import Action
from waypoint.audit.services import record
from waypoint.cases import casework, timeline
from waypoint.cases.casework import refused
from waypoint.cases.locking import ConflictError, bump, locked_current
from waypoint.cases.models import Case, CaseMember
from waypoint.people.models import Person

from . import workflow
from .models import Decision, Presentation, ProcessingTrip
from .services import resettlement_case

STEP_OF = {Decision.APPROVED: workflow.APPROVE, Decision.DENIED: workflow.DENY, Decision.ON_HOLD: workflow.HOLD}
TEXT_MAX = 120


def _date(day: datetime.date) -> str:
    return formats.date_format(day, "DATE_FORMAT")


def _take_step(user: User, case: Case, action: str, on: datetime.date, date_field: str, request) -> None:
    """The workflow step, inside the caller's transaction; its refusals are put on the form's fields."""
    current = Case.objects.get(pk=case.pk)
    try:
        casework.transition(user, current, action, version=current.version, on=on, request=request)
    except ValidationError as error:
        messages = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
        raise ValidationError({(date_field if name == "on" else "__all__"): found
                               for name, found in messages.items()}) from None


def record_presentation(user: User, case: Case, *, presented_on: datetime.date | None, city: str, agency: str,
                        officer: str = "", trip: ProcessingTrip | None = None, members: Sequence[Person] = (),
                        request=None) -> Presentation:
    case = resettlement_case(user, case, "presentation_record", request)
    if trip is not None:
        trip = policy.get_for(user, ProcessingTrip, "view", pk=trip.pk, request=request)
    city, agency, officer = (" ".join((value or "").split()) for value in (city or (trip.city if trip else ""),
                                                                            agency, officer))
    members = list(dict.fromkeys(members))
    errors: dict[str, list[str]] = {}
    if presented_on is None:
        errors["presented_on"] = [_("Give the date of the interview.")]
    elif presented_on > timezone.localdate():
        errors["presented_on"] = [_("The interview cannot be in the future: record it once it took place.")]
    elif trip is not None and not trip.starts_on <= presented_on <= trip.ends_on:
        errors["presented_on"] = [_("The trip to %(city)s ran from %(start)s to %(end)s: the interview date is "
                                    "outside it.") % {"city": trip.city, "start": _date(trip.starts_on),
                                                      "end": _date(trip.ends_on)}]
    for name, value, message in (("city", city, _("Say in which city the interview took place.")),
                                 ("agency", agency, _("Name the receiving state's interviewing agency."))):
        if not value:
            errors[name] = [message]
        elif len(value) > TEXT_MAX:
            errors[name] = [_("At most %(count)d characters.") % {"count": TEXT_MAX}]
    if len(officer) > TEXT_MAX:
        errors["officer"] = [_("At most %(count)d characters.") % {"count": TEXT_MAX}]
    if not members:
        errors["members"] = [_("Choose the members who were presented.")]
    else:
        member_ids = set(CaseMember.objects.filter(case=case).values_list("person_id", flat=True))
        strangers = [person.reference for person in members if person.pk not in member_ids]
        if strangers:
            errors["members"] = [_("Not members of this case: %(people)s.") % {"people": ", ".join(strangers)}]
    waiting = Presentation.objects.filter(case=case, decision=Decision.PENDING).first()
    if waiting is not None:
        errors["__all__"] = [_("The presentation of %(date)s still awaits a decision: record it first.")
                             % {"date": _date(waiting.presented_on)}]
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            Case.objects.select_for_update(of=("self",)).get(pk=case.pk)
            presentation = Presentation.objects.create(
                case=case, presented_on=presented_on, city=city, agency=agency, officer=officer, trip=trip,
                recorded_by=user)
            presentation.members.set(members)
            if trip is not None:
                trip.cases_seen.add(case)
            record(Action.CREATE, presentation, actor=user, request=request, changes={
                "case": [None, case.reference], "presented_on": [None, presented_on.isoformat()],
                "city": [None, city], "agency": [None, agency], "trip": [None, str(trip.pk) if trip else None],
                "members": [None, ", ".join(str(person.pk) for person in members)]})
            timeline.log(case, timeline.PROFILE, _(
                "Presented to %(agency)s in %(city)s on %(date)s: %(people)s.") % {
                "agency": agency, "city": city, "date": _date(presented_on),
                "people": ", ".join(person.reference for person in members)}, actor=user, obj=presentation)
            _take_step(user, case, workflow.PRESENT, presented_on, "presented_on", request)
    except ValidationError as error:
        refused(user, case, "presentation_record", ["workflow"], request=request)
        raise error from None
    return presentation


def record_decision(user: User, presentation: Presentation, *, version: int, decision: str,
                    decided_on: datetime.date | None, decision_note: str = "", request=None) -> Presentation:
    presentation = policy.get_for(user, Presentation.objects.select_related("case"), "change", pk=presentation.pk,
                                  request=request)
    case = resettlement_case(user, presentation.case, "presentation_decision", request)
    note = (decision_note or "").strip()
    errors: dict[str, list[str]] = {}
    if decision not in STEP_OF:
        errors["decision"] = [_("Choose approved, denied or on hold.")]
    if decided_on is None:
        errors["decided_on"] = [_("Give the date of the decision.")]
    elif decided_on > timezone.localdate():
        errors["decided_on"] = [_("The decision date cannot be in the future.")]
    elif decided_on < presentation.presented_on:
        errors["decided_on"] = [_("The decision cannot come before the interview (%(date)s).")
                                % {"date": _date(presentation.presented_on)}]
    if len(note) > 2000:
        errors["decision_note"] = [_("The note is too long (at most %(count)d characters).") % {"count": 2000}]
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            current = locked_current(Presentation.objects.all(), presentation.pk, version)
            if current.decision != Decision.PENDING:
                raise ValidationError({"decision": [_("This presentation is already decided (%(decision)s): "
                                                      "present the case again for a new decision.")
                                                    % {"decision": current.get_decision_display().lower()}]})
            current.decision, current.decided_on, current.decision_note = decision, decided_on, note
            bump(current, ["decision", "decided_on", "decision_note"])
            record(Action.UPDATE, current, actor=user, request=request, changes={
                "decision": [Decision.PENDING, decision], "decided_on": [None, decided_on.isoformat()]})
            timeline.log(case, timeline.PROFILE, _("Decision on the presentation of %(date)s: %(decision)s.") % {
                "date": _date(current.presented_on), "decision": current.get_decision_display().lower()},
                actor=user, obj=current)
            _take_step(user, case, STEP_OF[decision], decided_on, "decided_on", request)
    except ConflictError:
        refused(user, case, "presentation_decision", ["stale_version"], request=request)
        raise
    except ValidationError as error:
        refused(user, case, "presentation_decision", ["workflow"], request=request)
        raise error from None
    return current
