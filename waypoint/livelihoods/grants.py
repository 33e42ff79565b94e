"""The grant application: opening it (a DAP case for the enterprise's people who apply), its business plan, its
assessment against the documented criteria, and the decision (approved value, or rejection with the reason).

Access first (the case "change", else 404 audited; `VIEW_ENTERPRISES` for opening), then one transaction with
the write, its audit event and its timeline line. Each edit carries the version the form was opened at: the
application's version moves with the plan, the assessment, the decision and the items' total (`items`).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

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
from waypoint.cases.models import Case, CaseMember, Channel, MemberRole, StatusChange
from waypoint.people.models import Person

from . import criteria
from .models import Decision, Enterprise, GrantApplication, Recommendation
from .money import AMOUNT_MAX, is_currency, money, parse_amount
from .workflow import ASSESSED, RECEIVED

__all__ = ["ConflictError", "open_application", "record_assessment", "record_decision", "update_plan"]

DAP = Programme.DIRECT_ASSISTANCE
PLAN_MAX = 20_000
ITEMS_MAX = 4_000
NOTES_MAX = 10_000
PLAN_FIELDS = ("plan", "requested_value", "currency", "planned_items", "expected_monthly_income", "expected_jobs")
UNDECIDED = (RECEIVED, ASSESSED)  # the plan, the assessment and the decision change only before a step decides


def _day(day: datetime.date) -> str:
    return formats.date_format(day, "DATE_FORMAT")


# --- Access -------------------------------------------------------------------------------------
def grant_case_to_change(user: User, case: Case, what: str, request=None) -> Case:
    """The DAP case, if the user may change it (else 404, audited); another programme's case has no grant."""
    case = policy.get_for(user, Case, "change", pk=case.pk, request=request)
    if case.programme != DAP:
        casework.refused(user, case, what, ["not_direct_assistance"], request=request)
        raise ValidationError(_("%(reference)s is not a direct assistance case: it has no grant application.")
                              % {"reference": case.reference})
    return case


def _locked_application(case: Case, version: int) -> GrantApplication:
    """The application under a row lock at `version`, inside the caller's transaction."""
    pk = GrantApplication.objects.filter(case=case).values_list("pk", flat=True).first()
    if pk is None:
        raise ValidationError(_("%(reference)s has no grant application.") % {"reference": case.reference})
    return locked_current(GrantApplication.objects.all(), pk, version)


def _stale(user: User, case: Case, what: str, request) -> None:
    casework.refused(user, case, what, ["stale_version"], request=request)


# --- The business plan ----------------------------------------------------------------------------
def validate_plan(values: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    values = dict(values)
    values["plan"] = str(values.get("plan") or "").strip()
    values["planned_items"] = str(values.get("planned_items") or "").strip()
    values["currency"] = str(values.get("currency") or "").strip().upper()
    if not values["plan"]:
        errors["plan"] = [_("Write the business plan: what the enterprise will do with the items and how it will "
                            "earn from them.")]
    elif len(values["plan"]) > PLAN_MAX:
        errors["plan"] = [_("The business plan is too long (at most %(count)d characters).") % {"count": PLAN_MAX}]
    if not values["planned_items"]:
        errors["planned_items"] = [_("List the tools, equipment, machinery or vehicles the enterprise asks for.")]
    elif len(values["planned_items"]) > ITEMS_MAX:
        errors["planned_items"] = [_("The list of planned items is too long (at most %(count)d characters).")
                                   % {"count": ITEMS_MAX}]
    requested = parse_amount(values.get("requested_value"))
    if requested is None or requested <= 0 or requested > AMOUNT_MAX:
        errors["requested_value"] = [_("Requested value: give an amount above zero with at most two decimals, "
                                       "e.g. 250000.00.")]
    values["requested_value"] = requested
    if not is_currency(values["currency"]):
        errors["currency"] = [_("Currency: use a three-letter ISO 4217 code, e.g. RUB, USD, EUR.")]
    income = values.get("expected_monthly_income")
    if income in (None, ""):
        values["expected_monthly_income"] = None
    else:
        income = parse_amount(income)
        if income is None or income < 0 or income > AMOUNT_MAX:
            errors["expected_monthly_income"] = [_("Expected monthly income: give an amount of zero or more with at "
                                                   "most two decimals.")]
        values["expected_monthly_income"] = income
    jobs = values.get("expected_jobs")
    if jobs in (None, ""):
        jobs = 0
    if isinstance(jobs, bool) or not isinstance(jobs, int) or not 0 <= jobs <= 1000:
        errors["expected_jobs"] = [_("Expected jobs: give a whole number from 0 to 1000.")]
    values["expected_jobs"] = jobs
    if errors:
        raise ValidationError(errors)
    return values


def open_application(user: User, enterprise: Enterprise, *, applicants: Iterable[Person], owner: User | None,
                     received_on: datetime.date | None = None, request=None, **plan: Any) -> Case:
    """Open the DAP case of a grant application: the first applicant is the principal, the others members; all are
    members of the enterprise. A refused application leaves no case behind."""
    policy.require(user, policy.VIEW_ENTERPRISES, request=request)
    enterprise = policy.get_for(user, Enterprise, "view", pk=enterprise.pk, request=request)
    applicants = list(dict.fromkeys(applicants or []))
    errors: dict[str, list[str]] = {}
    members = set(enterprise.members.values_list("person_id", flat=True))
    if not applicants:
        errors["applicants"] = [_("Choose the members of the enterprise who apply.")]
    strangers = [person.reference for person in applicants if person.pk not in members]
    if strangers:
        errors["applicants"] = [_("Only members of the enterprise can apply: %(people)s is not one.")
                                % {"people": ", ".join(strangers)}]
    received_on = received_on or timezone.localdate()
    if received_on > timezone.localdate():
        errors["received_on"] = [_("An application cannot be received in the future.")]
    try:
        values = validate_plan(plan)
    except ValidationError as error:
        error.update_error_dict(errors)
        values = {}
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        case = casework.open_case(
            user, programme=DAP, principal=applicants[0], owner=owner, channel=Channel.SELF,
            opened_on=received_on, summary=_("Grant application of %(enterprise)s.") % {"enterprise": enterprise.name},
            request=request)
        for person in applicants[1:]:
            casework.register_in_programme(user, person, DAP, case.office, request=request)
            member = CaseMember.objects.create(case=case, person=person, role=MemberRole.OTHER)
            record(Action.CREATE, member, actor=user, request=request, changes={
                "case": [None, str(case.pk)], "person": [None, str(person.pk)], "role": [None, MemberRole.OTHER]})
            timeline.log(case, timeline.MEMBER, _("%(person)s added to the case as %(role)s.") % {
                "person": person.reference, "role": member.get_role_display().lower()}, actor=user, obj=member)
        StatusChange.objects.filter(case=case, action="open").update(individuals=len(applicants))
        application = GrantApplication.objects.create(
            case=case, enterprise=enterprise, received_on=received_on,
            **{name: values[name] for name in PLAN_FIELDS})
        record(Action.CREATE, application, actor=user, request=request, changes={
            "case": [None, case.reference], "enterprise": [None, str(enterprise.pk)],
            "requested_value": [None, str(values["requested_value"])], "currency": [None, values["currency"]],
            "plan": None})
        timeline.log(case, timeline.PROFILE, _("Grant application of %(enterprise)s received: %(value)s requested.")
                     % {"enterprise": enterprise.name, "value": money(values["requested_value"], values["currency"])},
                     actor=user, obj=application)
    return case


def update_plan(user: User, case: Case, *, version: int, request=None, **fields: Any) -> GrantApplication:
    unknown = sorted(set(fields) - set(PLAN_FIELDS))
    if unknown:
        raise TypeError(f"Not plan fields: {', '.join(unknown)}")
    case = grant_case_to_change(user, case, "plan_update", request)
    try:
        with transaction.atomic():
            application = _locked_application(case, version)
            if case.status not in UNDECIDED:
                raise ValidationError({"plan": [_("The business plan cannot be changed once the application is "
                                                  "decided.")]})
            before = {name: getattr(application, name) for name in PLAN_FIELDS}
            values = validate_plan({**before, **fields})
            after = {name: values[name] for name in PLAN_FIELDS}
            changes = changed_fields(before, after, sensitive=("plan",))
            if not changes:
                return application
            for name in PLAN_FIELDS:
                setattr(application, name, after[name])
            bump(application, [*PLAN_FIELDS, "updated_at"])
            record(Action.UPDATE, application, actor=user, request=request, changes=changes)
            timeline.log(case, timeline.PROFILE, _("Business plan updated: %(value)s requested.") % {
                "value": money(application.requested_value, application.currency)}, actor=user, obj=application)
            return application
    except ConflictError:
        _stale(user, case, "plan_update", request)
        raise


# --- The assessment -------------------------------------------------------------------------------
def _score_errors(scores: dict[str, Any]) -> tuple[dict[str, int], dict[str, list[str]]]:
    clean, errors = {}, {}
    for criterion in criteria.CRITERIA:
        value = (scores or {}).get(criterion.code)
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value.strip())
        in_range = isinstance(value, int) and criteria.SCORE_MIN <= value <= criteria.SCORE_MAX
        if isinstance(value, bool) or not in_range:
            errors[f"score_{criterion.code}"] = [_("%(criterion)s: give a score from %(low)d to %(high)d.") % {
                "criterion": criterion.label, "low": criteria.SCORE_MIN, "high": criteria.SCORE_MAX}]
        else:
            clean[criterion.code] = value
    unknown = sorted(set(scores or {}) - set(criteria.CODES))
    if unknown:
        errors["scores"] = [_("Unknown criteria: %(codes)s.") % {"codes": ", ".join(unknown)}]
    return clean, errors


def record_assessment(user: User, case: Case, *, version: int, scores: dict[str, Any],
                      assessed_on: datetime.date | None, assessor: User | None, recommendation: str, notes: str = "",
                      request=None) -> GrantApplication:
    """Score the application against every documented criterion, with the assessor's recommendation."""
    case = grant_case_to_change(user, case, "assessment", request)
    notes = (notes or "").strip()
    try:
        with transaction.atomic():
            application = _locked_application(case, version)
            clean, errors = _score_errors(scores)
            if case.status not in UNDECIDED:
                errors["__all__"] = [_("The assessment cannot be changed once the application is decided.")]
            if assessed_on is None:
                errors["assessed_on"] = [_("Give the day of the assessment.")]
            elif assessed_on > timezone.localdate():
                errors["assessed_on"] = [_("The assessment cannot be in the future.")]
            elif assessed_on < application.received_on:
                errors["assessed_on"] = [_("The assessment cannot be before the application was received (%(date)s).")
                                         % {"date": _day(application.received_on)}]
            if assessor is None or not casework.owner_choices(DAP).filter(pk=assessor.pk).exists():
                errors["assessor"] = [_("Choose the assessor among the staff of the direct assistance programme.")]
            if recommendation not in Recommendation.values:
                errors["recommendation"] = [_("Give the assessor's recommendation.")]
            if len(notes) > NOTES_MAX:
                errors["notes"] = [_("The notes are too long (at most %(count)d characters).") % {"count": NOTES_MAX}]
            if errors:
                raise ValidationError(errors)
            before = {"scores": application.scores, "assessed_on": application.assessed_on,
                      "assessor": application.assessor_id, "recommendation": application.recommendation,
                      "assessment_notes": application.assessment_notes}
            application.scores, application.assessed_on, application.assessor = clean, assessed_on, assessor
            application.recommendation, application.assessment_notes = recommendation, notes
            after = {"scores": clean, "assessed_on": assessed_on, "assessor": assessor.pk,
                     "recommendation": recommendation, "assessment_notes": notes}
            changes = changed_fields(before, after, sensitive=("assessment_notes",))
            if not changes:
                return application
            bump(application, ["scores", "assessed_on", "assessor", "recommendation", "assessment_notes",
                               "updated_at"])
            record(Action.UPDATE, application, actor=user, request=request, changes=changes)
            timeline.log(case, timeline.PROFILE, _(
                "Assessment recorded: %(score)d of %(max)d points, recommendation: %(recommendation)s.") % {
                "score": application.score, "max": criteria.TOTAL_MAX,
                "recommendation": application.get_recommendation_display().lower()}, actor=user, obj=application)
            return application
    except ConflictError:
        _stale(user, case, "assessment", request)
        raise


# --- The decision ---------------------------------------------------------------------------------
def record_decision(user: User, case: Case, *, version: int, decision: str, decided_on: datetime.date | None,
                    approved_value: Decimal | str | None = None, rejection_reason: str = "",
                    request=None) -> GrantApplication:
    """Approve a value (at most the requested one) or reject with the reason; only after the assessment."""
    case = grant_case_to_change(user, case, "decision", request)
    rejection_reason = (rejection_reason or "").strip()
    saved = GrantApplication.objects.filter(case=case).first()
    if saved is not None and not saved.assessed:  # audited outside the transaction, so the refusal stays recorded
        casework.refused(user, case, "decision", ["not_assessed"], request=request)
        raise ValidationError({"decision": [_("Record the assessment before the decision.")]})
    try:
        with transaction.atomic():
            application = _locked_application(case, version)
            errors: dict[str, list[str]] = {}
            if not application.assessed:
                raise ValidationError({"decision": [_("Record the assessment before the decision.")]})
            if case.status not in UNDECIDED:
                errors["decision"] = [_("The decision is already taken: the case has moved on.")]
            if decision not in Decision.values:
                errors["decision"] = [_("Choose: approved or rejected.")]
            if decided_on is None:
                errors["decided_on"] = [_("Give the day of the decision.")]
            elif decided_on > timezone.localdate():
                errors["decided_on"] = [_("The decision cannot be in the future.")]
            elif decided_on < application.assessed_on:
                errors["decided_on"] = [_("The decision cannot be before the assessment (%(date)s).")
                                        % {"date": _day(application.assessed_on)}]
            value = None
            if decision == Decision.APPROVED:
                value = parse_amount(approved_value)
                if value is None or value <= 0:
                    errors["approved_value"] = [_("Approved value: give an amount above zero with at most two "
                                                  "decimals.")]
                elif value > application.requested_value:
                    errors["approved_value"] = [_("The approved value (%(approved)s) cannot be more than the "
                                                  "requested value (%(requested)s).") % {
                        "approved": money(value, application.currency),
                        "requested": money(application.requested_value, application.currency)}]
                rejection_reason = ""
            elif decision == Decision.REJECTED:
                if not rejection_reason:
                    errors["rejection_reason"] = [_("Give the reason for rejecting the application.")]
                elif len(rejection_reason) > NOTES_MAX:
                    errors["rejection_reason"] = [_("The reason is too long (at most %(count)d characters).")
                                                  % {"count": NOTES_MAX}]
            if errors:
                raise ValidationError(errors)
            before = {"decision": application.decision, "approved_value": application.approved_value,
                      "decided_on": application.decided_on, "rejection_reason": application.rejection_reason}
            application.decision, application.approved_value = decision, value
            application.decided_on, application.rejection_reason = decided_on, rejection_reason
            application.decided_by = user
            after = {"decision": decision, "approved_value": value, "decided_on": decided_on,
                     "rejection_reason": rejection_reason}
            changes = changed_fields(before, after, sensitive=("rejection_reason",))
            if not changes:
                return application
            bump(application, ["decision", "approved_value", "decided_on", "rejection_reason", "decided_by",
                               "updated_at"])
            record(Action.UPDATE, application, actor=user, request=request, changes=changes)
            if decision == Decision.APPROVED:
                line = _("Decision recorded: grant of %(value)s approved on %(date)s.") % {
                    "value": money(value, application.currency), "date": _day(decided_on)}
            else:
                line = _("Decision recorded: application rejected on %(date)s.") % {"date": _day(decided_on)}
            timeline.log(case, timeline.PROFILE, line, actor=user, obj=application)
            return application
    except ConflictError:
        _stale(user, case, "decision", request)
        raise
