"""Before departure, beside the clearances: cultural orientation attended and the resettlement agency's assurance.

Both run in parallel with the clearances once a case is approved, so they are records with dates, not
statuses; the departure step's guards ask for them (`checks`).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from waypoint.accounts.models import User
from waypoint.audit.models import Action
from waypoint.audit.services import changed_fields, record
from waypoint.cases import timeline
from waypoint.cases.casework import refused
from waypoint.cases.locking import ConflictError, locked_current
from waypoint.cases.models import Case, CaseMember
from waypoint.partners.models import Organisation
from waypoint.people.models import Person

from .models import Assurance, Decision, Orientation, Presentation
from .services import resettlement_case

__all__ = ["ConflictError", "record_orientation", "save_assurance"]
TEXT_MAX = 120


def _date(day: datetime.date) -> str:
    return formats.date_format(day, "DATE_FORMAT")


def _approved(case: Case) -> bool:
    return Presentation.objects.filter(case=case, decision=Decision.APPROVED).exists()


def record_orientation(user: User, case: Case, *, attended_on: datetime.date | None, place: str,
                       members: Sequence[Person], request=None) -> Orientation:
    case = resettlement_case(user, case, "orientation_record", request)
    place = " ".join((place or "").split())
    members = list(dict.fromkeys(members))
    errors: dict[str, list[str]] = {}
    if attended_on is None:
        errors["attended_on"] = [_("Give the day of the session.")]
    elif attended_on > timezone.localdate():
        errors["attended_on"] = [_("Record the session once it took place: the date cannot be in the future.")]
    if not place:
        errors["place"] = [_("Say where the session took place.")]
    elif len(place) > TEXT_MAX:
        errors["place"] = [_("At most %(count)d characters.") % {"count": TEXT_MAX}]
    if not members:
        errors["members"] = [_("Choose the members who attended.")]
    else:
        member_ids = set(CaseMember.objects.filter(case=case).values_list("person_id", flat=True))
        strangers = [person.reference for person in members if person.pk not in member_ids]
        if strangers:
            errors["members"] = [_("Not members of this case: %(people)s.") % {"people": ", ".join(strangers)}]
    if not _approved(case):
        errors["__all__"] = [_("Cultural orientation comes after the receiving state approves the case.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        orientation = Orientation.objects.create(case=case, attended_on=attended_on, place=place, recorded_by=user)
        orientation.members.set(members)
        record(Action.CREATE, orientation, actor=user, request=request, changes={
            "case": [None, case.reference], "attended_on": [None, attended_on.isoformat()], "place": [None, place],
            "members": [None, ", ".join(str(person.pk) for person in members)]})
        timeline.log(case, timeline.PROFILE, _("Cultural orientation attended on %(date)s in %(place)s: %(people)s.")
                     % {"date": _date(attended_on), "place": place,
                        "people": ", ".join(person.reference for person in members)}, actor=user, obj=orientation)
    return orientation


def save_assurance(user: User, case: Case, *, version: int, agency: Organisation | None,
                   received_on: datetime.date | None, placement: str = "", request=None) -> Assurance:
    """Record (version 0) or correct the agency's assurance at the version the form was opened at."""
    case = resettlement_case(user, case, "assurance_save", request)
    placement = " ".join((placement or "").split())
    errors: dict[str, list[str]] = {}
    if agency is None:
        errors["agency"] = [_("Choose the resettlement agency from the partner directory.")]
    elif not agency.is_active:
        errors["agency"] = [_("%(organisation)s is no longer an active partner.") % {"organisation": agency.name}]
    if received_on is None:
        errors["received_on"] = [_("Give the day the assurance was received.")]
    elif received_on > timezone.localdate():
        errors["received_on"] = [_("The assurance cannot be received in the future.")]
    if len(placement) > TEXT_MAX:
        errors["placement"] = [_("At most %(count)d characters.") % {"count": TEXT_MAX}]
    if not _approved(case):
        errors["__all__"] = [_("An agency gives its assurance after the receiving state approves the case.")]
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            Case.objects.select_for_update(of=("self",)).get(pk=case.pk)
            existing = Assurance.objects.filter(case=case).values_list("pk", flat=True).first()
            if existing is None:
                if int(version or 0) != 0:
                    raise ConflictError(Assurance(case=case, version=0))
                assurance, before = Assurance(case=case, version=0), {}
            else:
                assurance = locked_current(Assurance.objects.all(), existing, version)
                before = {"agency": str(assurance.agency_id), "received_on": assurance.received_on.isoformat(),
                          "placement": assurance.placement}
            assurance.agency, assurance.received_on, assurance.placement = agency, received_on, placement
            assurance.recorded_by = user
            assurance.version += 1
            assurance.save()
            after = {"agency": str(agency.pk), "received_on": received_on.isoformat(), "placement": placement}
            record(Action.CREATE if not before else Action.UPDATE, assurance, actor=user, request=request,
                   changes=changed_fields(before, after))
            timeline.log(case, timeline.PROFILE, _("Assurance from %(agency)s received on %(date)s.") % {
                "agency": agency.name, "date": _date(received_on)}, actor=user, obj=assurance)
    except ConflictError:
        refused(user, case, "assurance_save", ["stale_version"], request=request)
        raise
    return assurance
