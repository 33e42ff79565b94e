"""Writing health assessments: a request from any case, the health unit's results, a cancelled request, and the
migration health case opened to follow a person up.

Access first, outside the transaction (a denial answers 404 and its audit event must not be rolled back): a
request needs the right to CHANGE the case (any programme: the case worker asks, the health unit examines); the
results and a cancellation need VIEW_HEALTH_DATA (the assessment's rule). Then one transaction with the write,
its audit event and its timeline line. The timeline of the case is read by everyone who sees the case, so its
lines say that an examination was asked for or done and, for a clearance examination, the clearance: never a
result, a TB status or a follow-up. The audit trail keeps which health fields changed, not their values.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from waypoint.accounts import policy
from waypoint.accounts.models import Programme, User
from waypoint.audit.models import Action
from waypoint.audit.services import changed_fields, record
from waypoint.cases import casework, timeline
from waypoint.cases.locking import ConflictError, bump, locked_current
from waypoint.cases.models import Case, CaseMember, Channel
from waypoint.cases.workflow import workflow_for
from waypoint.partners.models import Organisation
from waypoint.people.models import Person

from .models import CLEARANCE_TYPES, CLEARED, AssessmentStatus, AssessmentType, Clearance, HealthAssessment, TBResult

__all__ = ["ConflictError", "cancel_request", "open_follow_up_case", "record_results", "request_examination"]

TEXT_MAX = 20_000
REASON_MAX = 200
# Results that cannot be left without a follow-up.
NEEDS_FOLLOW_UP = (TBResult.PRESUMPTIVE, TBResult.ACTIVE)
RESULT_FIELDS = ("assessment_type", "assessed_on", "clinic", "results", "clearance", "valid_until", "tb_result",
                 "follow_up_needed", "follow_up_note")
# Health data: the trail says they changed, never to what.
SENSITIVE = ("results", "tb_result", "follow_up_needed", "follow_up_note")


def _day(day: datetime.date) -> str:
    return formats.date_format(day, "DATE_FORMAT")


# --- A request from any case -------------------------------------------------------------------------------
def request_examination(user: User, case: Case, *, person: Person | None, assessment_type: str,
                        request=None) -> HealthAssessment:
    """Ask the health unit to examine a member of the case. Whoever may change the case may ask (health data
    are not needed for that); the person is registered in the MH programme so that the unit can find them."""
    case = policy.get_for(user, Case.objects.select_related("office"), "change", pk=case.pk, request=request)
    errors: dict[str, list[str]] = {}
    if case.is_closed:
        errors["__all__"] = [_("Case %(reference)s is closed: reopen it before asking for an examination.")
                             % {"reference": case.reference}]
    member = CaseMember.objects.filter(case=case, person_id=person.pk).select_related("person").first() \
        if person is not None else None
    if member is None:
        errors["person"] = [_("Choose a member of the case to be examined.")]
    if assessment_type not in AssessmentType.values:
        errors["assessment_type"] = [_("Choose the kind of examination.")]
    elif member is not None and HealthAssessment.objects.filter(
            person=member.person, assessment_type=assessment_type, status=AssessmentStatus.REQUESTED).exists():
        errors["assessment_type"] = [_("A “%(type)s” is already requested for %(person)s and waits for the health "
                                       "unit.") % {"type": AssessmentType(assessment_type).label,
                                                   "person": member.person.reference}]
    if errors:
        raise ValidationError(errors)
    person = member.person
    with transaction.atomic():
        casework.register_in_programme(user, person, Programme.HEALTH, case.office, request=request)
        assessment = HealthAssessment.objects.create(
            case=case, person=person, assessment_type=assessment_type, requested_on=timezone.localdate(),
            requested_by=user)
        record(Action.CREATE, assessment, actor=user, request=request, changes={
            "case": [None, str(case.pk)], "person": [None, str(person.pk)],
            "assessment_type": [None, assessment_type], "status": [None, AssessmentStatus.REQUESTED]})
        timeline.log(case, timeline.HEALTH, _("A medical examination was requested for %(person)s.")
                     % {"person": person.reference}, actor=user, obj=assessment)
    return assessment


# --- The health unit's results -----------------------------------------------------------------------------
def _assessment_to_change(user: User, assessment: HealthAssessment, request) -> HealthAssessment:
    return policy.get_for(user, HealthAssessment.objects.select_related("case", "person"), "change",
                          pk=assessment.pk, request=request)


def validate_results(values: dict, *, today: datetime.date | None = None) -> dict[str, list[str]]:
    """Every rule the results follow, each message on its field (the form and the API name them alike)."""
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    kind, day = values.get("assessment_type"), values.get("assessed_on")
    clearance, until = values.get("clearance"), values.get("valid_until")
    if kind not in AssessmentType.values:
        add("assessment_type", _("Choose the kind of examination."))
    if day is None:
        add("assessed_on", _("Enter the date of the assessment."))
    elif day > today:
        add("assessed_on", _("The date of the assessment cannot be in the future."))
    clinic = values.get("clinic")
    if clinic is not None and not clinic.is_active:
        add("clinic", _("%(clinic)s is no longer an active partner: choose another clinic.") % {"clinic": clinic.name})
    if clearance not in Clearance.values:
        add("clearance", _("Choose the clearance outcome."))
    elif kind in CLEARANCE_TYPES and clearance == Clearance.PENDING:
        add("clearance", _("A “%(type)s” ends with a clearance outcome: say whether the person is cleared to "
                           "travel.") % {"type": AssessmentType(kind).label})
    elif kind in AssessmentType.values and kind not in CLEARANCE_TYPES and clearance != Clearance.PENDING:
        add("clearance", _("Only a fitness-to-travel or immigration medical examination gives a clearance to "
                           "travel: leave the clearance pending for a “%(type)s”.")
            % {"type": AssessmentType(kind).label})
    if clearance in CLEARED:
        if until is None:
            add("valid_until", _("A clearance to travel needs the date it is valid until."))
        elif day is not None and until <= day:
            add("valid_until", _("The clearance must be valid until a day after the assessment (%(day)s).")
                % {"day": _day(day)})
    elif until is not None and clearance in Clearance.values:
        add("valid_until", _("Only a clearance to travel has a validity date: leave it empty for “%(outcome)s”.")
            % {"outcome": Clearance(clearance).label})
    tb_result = values.get("tb_result")
    if tb_result not in TBResult.values:
        add("tb_result", _("Choose the TB screening result (or “Not screened”)."))
    elif kind == AssessmentType.TB_SCREENING and tb_result == TBResult.NOT_DONE:
        add("tb_result", _("A TB screening needs its result."))
    if tb_result in NEEDS_FOLLOW_UP and not values.get("follow_up_needed"):
        add("follow_up_needed", _("The TB screening result “%(result)s” needs a follow-up: tick “follow-up needed” "
                                  "and say what is to be done.") % {"result": TBResult(tb_result).label})
    note = values.get("follow_up_note") or ""
    if values.get("follow_up_needed") and not note:
        add("follow_up_note", _("Say what follow-up is needed (treatment, diagnosis, a referral...)."))
    if len(values.get("results") or "") > TEXT_MAX:
        add("results", _("The results are too long (at most %(count)d characters).") % {"count": TEXT_MAX})
    if len(note) > TEXT_MAX:
        add("follow_up_note", _("The follow-up note is too long (at most %(count)d characters).") % {"count": TEXT_MAX})
    return errors


def _snapshot(row: HealthAssessment) -> dict:
    return {name: (row.clinic_id and str(row.clinic_id)) if name == "clinic" else getattr(row, name)
            for name in RESULT_FIELDS}


def _timeline_line(row: HealthAssessment, first: bool) -> str:
    who = row.person.reference
    if row.assessment_type in CLEARANCE_TYPES:
        if row.clearance in CLEARED:
            return _("Medical clearance of %(person)s: %(outcome)s, valid until %(until)s.") % {
                "person": who, "outcome": Clearance(row.clearance).label.lower(), "until": _day(row.valid_until)}
        return _("Medical clearance of %(person)s: %(outcome)s.") % {
            "person": who, "outcome": Clearance(row.clearance).label.lower()}
    if first:
        return _("The health unit recorded the examination of %(person)s.") % {"person": who}
    return _("The health unit corrected the examination of %(person)s.") % {"person": who}


def record_results(user: User, assessment: HealthAssessment, *, version: int, assessment_type: str,
                   assessed_on: datetime.date | None, clinic: Organisation | None, results: str, clearance: str,
                   valid_until: datetime.date | None, tb_result: str, follow_up_needed: bool, follow_up_note: str,
                   request=None) -> HealthAssessment:
    """Record (or correct) the results at the version the form was opened at: the assessment is then done.
    A stale version raises ConflictError, refused input ValidationError naming the fields; nothing is written."""
    assessment = _assessment_to_change(user, assessment, request)
    values = {"assessment_type": assessment_type, "assessed_on": assessed_on, "clinic": clinic,
              "results": (results or "").strip(), "clearance": clearance, "valid_until": valid_until,
              "tb_result": tb_result, "follow_up_needed": bool(follow_up_needed),
              "follow_up_note": (follow_up_note or "").strip() if follow_up_needed else ""}
    try:
        with transaction.atomic():
            current = locked_current(HealthAssessment.objects.select_related("person", "case"), assessment.pk,
                                     version)
            errors = validate_results(values)
            if current.status == AssessmentStatus.CANCELLED:
                errors.setdefault("__all__", []).append(
                    _("This examination was cancelled: ask for a new one instead of recording results."))
            if errors:
                raise ValidationError(errors)
            before = _snapshot(current)
            first = current.status == AssessmentStatus.REQUESTED
            for name, value in values.items():
                setattr(current, name, value)
            changes = changed_fields(before, _snapshot(current), sensitive=SENSITIVE)
            if not changes and not first:
                return current
            current.status, current.recorded_by = AssessmentStatus.DONE, user
            bump(current, [*RESULT_FIELDS, "status", "recorded_by", "updated_at"])
            if first:
                changes["status"] = [AssessmentStatus.REQUESTED, AssessmentStatus.DONE]
            record(Action.UPDATE, current, actor=user, request=request, changes=changes)
            timeline.log(current.case, timeline.HEALTH, _timeline_line(current, first), actor=user, obj=current)
            return current
    except ConflictError:
        casework.refused(user, assessment, "record_results", ["stale_version"], request=request)
        raise


def cancel_request(user: User, assessment: HealthAssessment, *, version: int, reason: str,
                   request=None) -> HealthAssessment:
    """Cancel a request made by mistake or no longer needed (never deleted: the request stays on record)."""
    assessment = _assessment_to_change(user, assessment, request)
    reason = " ".join((reason or "").split())
    try:
        with transaction.atomic():
            current = locked_current(HealthAssessment.objects.select_related("person", "case"), assessment.pk,
                                     version)
            errors: dict[str, list[str]] = {}
            if current.status != AssessmentStatus.REQUESTED:
                errors["__all__"] = [_("Only an examination that is still requested can be cancelled; the status of "
                                       "this one: %(status)s.") % {"status": current.get_status_display()}]
            if not reason:
                errors["reason"] = [_("Say why the examination is cancelled.")]
            elif len(reason) > REASON_MAX:
                errors["reason"] = [_("Keep the reason shorter (at most %(count)d characters).")
                                    % {"count": REASON_MAX}]
            if errors:
                raise ValidationError(errors)
            current.status, current.cancelled_reason = AssessmentStatus.CANCELLED, reason
            bump(current, ["status", "cancelled_reason", "updated_at"])
            record(Action.UPDATE, current, actor=user, request=request,
                   changes={"status": [AssessmentStatus.REQUESTED, AssessmentStatus.CANCELLED], "reason": None})
            timeline.log(current.case, timeline.HEALTH, _("The medical examination requested for %(person)s was "
                                                           "cancelled.") % {"person": current.person.reference},
                         actor=user, obj=current)
            return current
    except ConflictError:
        casework.refused(user, assessment, "cancel", ["stale_version"], request=request)
        raise


# --- Following a person up: the health unit's own case ---------------------------------------------------
def open_mh_case_of(person: Person) -> Case | None:
    """The person's open migration health case, if they have one (as principal or member)."""
    closed = workflow_for(Programme.HEALTH).closed_states()
    return (Case.objects.filter(programme=Programme.HEALTH, members__person=person).exclude(status__in=closed)
            .order_by("-opened_on", "-id").first())


def open_follow_up_case(user: User, assessment: HealthAssessment, *, request=None) -> tuple[Case, bool]:
    """The migration health case that follows the person up after this assessment: their open MH case if they
    have one, otherwise a new one owned by the user (in treatment / follow-up from today). Referrals to
    treatment are then made from that case with the shared referral pages (consent rules apply there).
    Returns (case, opened now)."""
    assessment = _assessment_to_change(user, assessment, request)
    if assessment.status != AssessmentStatus.DONE or not assessment.follow_up_needed:
        raise ValidationError({"__all__": [_("Only an assessment whose results say a follow-up is needed opens a "
                                             "follow-up case.")]})
    if not casework.may_open_cases(user, Programme.HEALTH):
        raise ValidationError({"__all__": [_("Only staff of the migration health programme open its cases.")]})
    person = assessment.person
    with transaction.atomic():
        case = open_mh_case_of(person)
        opened = case is None
        if opened:
            casework.register_in_programme(user, person, Programme.HEALTH, user.office, request=request)
            case = casework.open_case(
                user, programme=Programme.HEALTH, principal=person, owner=user, channel=Channel.OTHER,
                summary=_("Follow-up of a health assessment made on case %(reference)s.")
                % {"reference": assessment.case.reference}, request=request)
        if assessment.follow_up_case_id != case.pk:
            HealthAssessment.objects.filter(pk=assessment.pk).update(follow_up_case=case)
            record(Action.UPDATE, assessment, actor=user, request=request,
                   changes={"follow_up_case": [None, case.reference]})
            timeline.log(case, timeline.HEALTH, _("Follow-up of an assessment of %(person)s (%(type)s, %(day)s).") % {
                "type": assessment.get_assessment_type_display(), "person": person.reference,
                "day": _day(assessment.assessed_on)}, actor=user, obj=assessment)
        if case.status in ("intake", "assessment") and policy.can(user, "change", case):
            case = casework.transition(user, case, "start_follow_up", version=case.version, request=request)
    return case, opened
