"""Writing the counter-trafficking profile and its trafficking events.

The profile holds the HTCDS `vic_` fields of a CT case's principal as HTCDS codes (so a CTDC export is a
down-coding, `protection.ctdc`), plus the office's own fields. Every write checks access first (outside
the transaction, so an audited denial is not rolled back), refuses cases of other programmes, validates
the whole profile as it will be saved, and writes the change, its audit event and its timeline line in
one transaction. A stale form (someone saved meanwhile) raises `ConflictError` and writes nothing.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

import pycountry
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from waypoint.accounts import policy
from waypoint.accounts.models import Programme, User
from waypoint.audit.models import Action
from waypoint.audit.services import changed_fields, record
from waypoint.cases import timeline
from waypoint.cases.locking import ConflictError, locked_current
from waypoint.cases.models import Case
from waypoint.people.codes import COUNTRY_CODES, country_name
from waypoint.people.models import BirthDatePrecision, Person

from . import htcds
from .models import IdentifiedWhere, ProceedingsStatus, TraffickingEvent, TraffickingProfile, VictimParticipation

__all__ = ["ConflictError", "add_event", "remove_event", "update_profile"]

PROFILE_FIELDS = (
    "trafficking_status", "status_decided_by", "relationship_to_trafficker", "age_when_trafficked",
    "recruitment_methods", "control_methods", "exploitation_types", "forced_labour_industry",
    "sexual_exploitation_type", "identified_where", "repatriation_needed", "proceedings", "participation",
    "reintegration_plan", "reintegration_grant", "grant_currency",
)
# Multi-valued HTCDS pick-lists, stored as JSON lists of codes.
MULTI_VALUED = {
    "recruitment_methods": htcds.MethodOfRecruitment,
    "control_methods": htcds.MethodOfControl,
    "exploitation_types": htcds.TypeOfExploitation,
}
# Single-valued pick-lists; those in OPTIONAL may be left empty ("not known").
SINGLE_VALUED = {
    "trafficking_status": htcds.TraffickingStatus,
    "status_decided_by": htcds.StatusDecidedBy,
    "relationship_to_trafficker": htcds.RelationshipToTrafficker,
    "forced_labour_industry": htcds.Industry,
    "sexual_exploitation_type": htcds.TypeOfSexualExploitation,
    "identified_where": IdentifiedWhere,
    "proceedings": ProceedingsStatus,
    "participation": VictimParticipation,
}
OPTIONAL = frozenset({"status_decided_by", "relationship_to_trafficker", "forced_labour_industry",
                      "sexual_exploitation_type", "identified_where"})
# The plan describes the person's life after exploitation: never in the audit trail or the timeline.
SENSITIVE_FIELDS = ("reintegration_plan",)
DECIDED_STATUSES = (htcds.TraffickingStatus.ACTUAL, htcds.TraffickingStatus.NOT_A_VICTIM)
LABOUR_EXPLOITATION = (htcds.TypeOfExploitation.FORCED_LABOUR, htcds.TypeOfExploitation.CHILD_LABOUR)
OLDEST_AGE_WHEN_TRAFFICKED = 100
PLAN_MAX_LENGTH = 10_000
PLACE_MAX_LENGTH = 200
GRANT_MAX = Decimal("99999999.99")  # the column: ten digits, two of them decimals


# --- Words for codes -----------------------------------------------------------------------------
def field_label(name: str) -> str:
    return capfirst(str(TraffickingProfile._meta.get_field(name).verbose_name))


def code_label(name: str, code: str) -> str:
    """The label of one code of a pick-list in the active language (the code itself if unknown)."""
    choices = MULTI_VALUED.get(name) or SINGLE_VALUED.get(name)
    return str(dict(choices.choices).get(code, code)) if choices else str(code)


def value_text(name: str, value: Any) -> str:
    """A profile value in words, as the panel, the conflict message and the timeline show it."""
    if name in MULTI_VALUED:
        return ", ".join(code_label(name, code) for code in value or [])
    if name in SINGLE_VALUED:
        return code_label(name, value) if value else ""
    if name == "repatriation_needed":
        return _("yes") if value else _("no")
    if value is None:
        return ""
    return str(value)


def snapshot(profile: TraffickingProfile) -> dict[str, Any]:
    values = {name: getattr(profile, name) for name in PROFILE_FIELDS}
    for name in MULTI_VALUED:
        values[name] = list(values[name] or [])
    return values


# --- Validation ----------------------------------------------------------------------------------
def current_age(person: Person | None, today: datetime.date | None = None) -> int | None:
    """The principal's age today as far as it is known; with only a year (or an estimate), the oldest
    they can be, so that a true age is never refused."""
    if person is None or person.birth_date is None:
        return None
    today = today or timezone.localdate()
    born = person.birth_date
    if person.birth_date_precision == BirthDatePrecision.EXACT:
        return today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    return today.year - born.year


def _is_currency(code: str) -> bool:
    return bool(code) and len(code) == 3 and pycountry.currencies.get(alpha_3=code) is not None


def validate_profile(values: dict[str, Any], principal: Person | None) -> dict[str, Any]:
    """Every rule the profile follows, as the whole profile will be saved; raises ValidationError with each
    message on the field it concerns. Returns the values normalised (currency in capitals, plan stripped)."""
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    values = dict(values)
    for name, choices in MULTI_VALUED.items():
        codes = values.get(name)
        if codes in (None, ""):
            values[name] = codes = []
        if not isinstance(codes, (list, tuple)) or not all(isinstance(code, str) for code in codes):
            add(name, _("%(field)s: give a list of codes.") % {"field": field_label(name)})
            continue
        unknown = [code for code in codes if code not in choices.values]
        if unknown:
            add(name, _("%(field)s: unknown code %(codes)s.") % {
                "field": field_label(name), "codes": ", ".join(unknown)})
        repeated = sorted({code for code in codes if codes.count(code) > 1})
        if repeated:
            add(name, _("%(field)s: %(labels)s is chosen more than once.") % {
                "field": field_label(name), "labels": ", ".join(code_label(name, code) for code in repeated)})
        values[name] = list(codes)
    for name, choices in SINGLE_VALUED.items():
        value = values.get(name)
        if value in (None, "") and name in OPTIONAL:
            values[name] = ""
        elif value not in choices.values:
            add(name, _("%(field)s: choose one of the listed values.") % {"field": field_label(name)})

    status, decided_by = values.get("trafficking_status"), values.get("status_decided_by")
    if status in DECIDED_STATUSES and not decided_by:
        add("status_decided_by", _("Say who decided the trafficking status “%(status)s”.") % {
            "status": code_label("trafficking_status", status)})

    age = values.get("age_when_trafficked")
    if age is not None:
        if isinstance(age, bool) or not isinstance(age, int):
            add("age_when_trafficked", _("Age when trafficked: give a whole number of years."))
        elif not 0 <= age <= OLDEST_AGE_WHEN_TRAFFICKED:
            add("age_when_trafficked", _("Age when trafficked must be between 0 and %(oldest)d.") % {
                "oldest": OLDEST_AGE_WHEN_TRAFFICKED})
        else:
            now = current_age(principal)
            if now is not None and age > now:
                add("age_when_trafficked", _(
                    "Age when trafficked (%(age)d) is more than %(person)s's age today (%(now)d)."
                ) % {"age": age, "person": principal.reference, "now": now})

    exploitation = values.get("exploitation_types") or []
    if values.get("forced_labour_industry") and not any(code in exploitation for code in LABOUR_EXPLOITATION):
        add("forced_labour_industry", _(
            "The forced-labour industry applies only when forced labour or child labour is among the types of "
            "exploitation."))
    if values.get("sexual_exploitation_type") and htcds.TypeOfExploitation.SEXUAL not in exploitation:
        add("sexual_exploitation_type", _(
            "The type of sexual exploitation applies only when sexual exploitation is among the types of "
            "exploitation."))

    participation = values.get("participation")
    if (participation and participation != VictimParticipation.NONE
            and values.get("proceedings") == ProceedingsStatus.NONE):
        add("participation", _(
            "The victim's participation can be recorded only when there are criminal proceedings: choose their "
            "stage first."))

    if not isinstance(values.get("repatriation_needed"), bool):
        add("repatriation_needed", _("Repatriation needed: answer yes or no."))

    plan = values.get("reintegration_plan")
    plan = "" if plan is None else str(plan).strip()
    if len(plan) > PLAN_MAX_LENGTH:
        add("reintegration_plan", _("The reintegration plan is longer than %(max)d characters.") % {
            "max": PLAN_MAX_LENGTH})
    values["reintegration_plan"] = plan

    currency = str(values.get("grant_currency") or "").strip().upper()
    values["grant_currency"] = currency
    grant = values.get("reintegration_grant")
    if grant in ("", None):
        values["reintegration_grant"] = None
    else:
        try:
            grant = Decimal(str(grant))
        except InvalidOperation:
            grant = None
        if grant is None or not grant.is_finite():
            grant = None
            add("reintegration_grant", _("Reintegration grant: give an amount, e.g. 15000.00."))
        if grant is not None:
            if grant < 0:
                add("reintegration_grant", _("The reintegration grant cannot be negative."))
            elif grant > GRANT_MAX or grant != grant.quantize(Decimal("0.01")):
                add("reintegration_grant", _(
                    "Reintegration grant: at most %(max)s, with at most two decimals.") % {"max": GRANT_MAX})
            values["reintegration_grant"] = grant
        if not currency:
            add("grant_currency", _("Give the currency of the reintegration grant."))
    if currency and not _is_currency(currency):
        add("grant_currency", _("Currency: use a three-letter ISO 4217 code, e.g. RUB, USD, EUR."))
    if not currency:
        values["grant_currency"] = "RUB" if values.get("reintegration_grant") is None else ""
    if errors:
        raise ValidationError(errors)
    return values


# --- Access --------------------------------------------------------------------------------------
def _refused(user: User, case: Case, what: str, reason: str, request=None) -> None:
    """Audit a refused attempt by code (never the values the user typed)."""
    record(Action.DENY, case, actor=user, request=request, changes={"refused": what, "reasons": [reason]})


def _case_to_change(user: User, case: Case, what: str, request=None) -> Case:
    """The case, if the user may change it (else 404, audited); a case of another programme has no
    trafficking profile (refused, audited)."""
    case = policy.get_for(user, Case, "change", pk=case.pk, request=request)
    if case.programme != Programme.COUNTER_TRAFFICKING:
        _refused(user, case, what, "not_counter_trafficking", request)
        raise ValidationError(_("%(reference)s is not a counter-trafficking case: it has no trafficking profile.")
                              % {"reference": case.reference})
    return case


# --- The profile ---------------------------------------------------------------------------------
def _summary(before: dict[str, Any], after: dict[str, Any], created: bool) -> str:
    """The timeline line: which fields changed, with their new values in words (never the plan's text)."""
    parts = []
    for name in PROFILE_FIELDS:
        if before.get(name) == after.get(name):
            continue
        if name in SENSITIVE_FIELDS:
            parts.append(_("%(field)s changed") % {"field": field_label(name)})
            continue
        text = value_text(name, after.get(name))
        if name == "reintegration_grant" and after.get(name) is not None:
            text = f"{text} {after.get('grant_currency')}"
        parts.append(_("%(field)s: %(value)s") % {"field": field_label(name), "value": text or _("not known")})
    head = _("Trafficking profile recorded") if created else _("Trafficking profile updated")
    return f"{head}: {'; '.join(parts)}." if parts else f"{head}."


def update_profile(user: User, case: Case, *, version: int, request=None, **fields: Any) -> TraffickingProfile:
    """Save the profile fields given (the others keep their saved values) on a form opened at `version`.

    A case without a profile is at version 0: the first save creates it. Raises ValidationError naming the
    fields, or ConflictError (nothing written) when someone saved since the form was opened.
    """
    unknown = sorted(set(fields) - set(PROFILE_FIELDS))
    if unknown:
        raise TypeError(f"Not profile fields: {', '.join(unknown)}")
    case = _case_to_change(user, case, "profile_update", request)
    try:
        return _update_profile(user, case, version=version, fields=fields, request=request)
    except ConflictError:
        _refused(user, case, "profile_update", "stale_version", request)
        raise


def _update_profile(user: User, case: Case, *, version: int, fields: dict[str, Any], request) -> TraffickingProfile:
    with transaction.atomic():
        # The case row serialises the first save: two people creating the profile at once is a conflict.
        locked_case = Case.objects.select_for_update().get(pk=case.pk)
        existing = TraffickingProfile.objects.filter(case=locked_case).values_list("pk", flat=True).first()
        created = existing is None
        if created:
            if version is None or int(version) != 0:
                raise ConflictError(TraffickingProfile(case=locked_case, version=0))
            profile = TraffickingProfile(case=locked_case, version=0)
        else:  # a saved profile is at version 1 or later: a form opened before it existed (0) is stale
            profile = locked_current(TraffickingProfile.objects.filter(case=locked_case), existing, version)
        before = snapshot(profile)
        values = validate_profile({**before, **fields}, locked_case.principal)
        after = {name: values[name] for name in PROFILE_FIELDS}
        if not created and after == before:
            return profile
        for name in PROFILE_FIELDS:
            setattr(profile, name, after[name])
        profile.updated_by = user
        profile.version += 1
        profile.save()
        changes = changed_fields(before, after, sensitive=SENSITIVE_FIELDS)  # a new profile: against defaults
        if created:
            changes["case"] = [None, locked_case.reference]
        record(Action.CREATE if created else Action.UPDATE, profile, actor=user, request=request, changes=changes)
        timeline.log(locked_case, timeline.PROFILE, _summary(before, after, created), actor=user, obj=profile)
    return profile


# --- Trafficking events --------------------------------------------------------------------------
def _profile_for_events(user: User, case: Case, request=None) -> TraffickingProfile:
    """The case's profile, started (with its defaults) when the first event is recorded before it."""
    profile = TraffickingProfile.objects.filter(case=case).first()
    if profile is not None:
        return profile
    profile = TraffickingProfile.objects.create(case=case, updated_by=user)
    record(Action.CREATE, profile, actor=user, request=request, changes={
        "case": [None, case.reference], "trafficking_status": [None, profile.trafficking_status]})
    return profile


def event_text(event: TraffickingEvent) -> str:
    """"Exploitation in Turkey (Antalya), 2023-03-01 to 2023-09-15", in the active language."""
    where = country_name(event.country)
    if event.place:
        where = f"{where} ({event.place})"
    text = _("%(event)s in %(where)s") % {"event": event.get_event_type_display(), "where": where}
    start, end = event.started_on, event.ended_on
    if start and end:
        dates = _("%(start)s to %(end)s") % {"start": start.isoformat(), "end": end.isoformat()}
    elif start or end:
        dates = (_("from %(date)s") if start else _("until %(date)s")) % {"date": (start or end).isoformat()}
    else:
        return text
    return f"{text}, {dates}"


def validate_event(*, event_type: str, country: str, place: str, started_on: datetime.date | None,
                   ended_on: datetime.date | None) -> None:
    errors: dict[str, list[str]] = {}
    today = timezone.localdate()
    if event_type not in htcds.EventType.values:
        errors.setdefault("event_type", []).append(_("Choose recruitment, transit or exploitation."))
    if country not in COUNTRY_CODES:
        errors.setdefault("country", []).append(
            _("Country: use an ISO 3166 two-letter code, e.g. RU, TR, AE."))
    if len(place) > PLACE_MAX_LENGTH:
        errors.setdefault("place", []).append(_("The place is longer than %(max)d characters.") % {
            "max": PLACE_MAX_LENGTH})
    if started_on is not None and started_on > today:
        errors.setdefault("started_on", []).append(_("The start of the event cannot be in the future."))
    if ended_on is not None and ended_on > today:
        errors.setdefault("ended_on", []).append(_("The end of the event cannot be in the future."))
    if started_on is not None and ended_on is not None and ended_on < started_on:
        errors.setdefault("ended_on", []).append(_("The event cannot end before it started."))
    if errors:
        raise ValidationError(errors)


def add_event(
    user: User,
    case: Case,
    *,
    event_type: str,
    country: str,
    place: str = "",
    started_on: datetime.date | None = None,
    ended_on: datetime.date | None = None,
    request=None,
) -> TraffickingEvent:
    """Record a step of the trafficking (HTCDS `hte_`): where and when the person was recruited, moved
    through or exploited."""
    case = _case_to_change(user, case, "event_add", request)
    country = (country or "").strip().upper()
    place = (place or "").strip()
    validate_event(event_type=event_type, country=country, place=place, started_on=started_on, ended_on=ended_on)
    with transaction.atomic():
        Case.objects.select_for_update().get(pk=case.pk)  # serialises starting the profile
        profile = _profile_for_events(user, case, request)
        event = TraffickingEvent.objects.create(profile=profile, event_type=event_type, country=country, place=place,
                                                started_on=started_on, ended_on=ended_on)
        record(Action.CREATE, event, actor=user, request=request, changes={
            "case": [None, case.reference], "event_type": [None, event_type], "country": [None, country],
            "place": None, "started_on": [None, started_on.isoformat() if started_on else None],
            "ended_on": [None, ended_on.isoformat() if ended_on else None],
        })
        timeline.log(case, timeline.PROFILE, _("Trafficking event recorded: %(event)s.") % {
            "event": event_text(event)}, actor=user, obj=event)
    return event


def remove_event(user: User, case: Case, event_id: int, *, request=None) -> None:
    """Remove an event recorded by mistake; the timeline keeps the line that it was removed."""
    case = _case_to_change(user, case, "event_remove", request)
    event = policy.get_for(user, TraffickingEvent.objects.filter(profile__case=case), "delete", pk=event_id,
                           request=request)
    with transaction.atomic():
        text = event_text(event)
        record(Action.DELETE, event, actor=user, request=request, changes={
            "case": [case.reference, None], "event_type": [event.event_type, None],
            "country": [event.country, None]})
        timeline.log(case, timeline.PROFILE, _("Trafficking event removed: %(event)s.") % {"event": text},
                     actor=user, obj=event)
        event.delete()


def events_in_order(events: Iterable[TraffickingEvent]) -> list[TraffickingEvent]:
    """Recruitment, then transit, then exploitation; by date within each step (undated last)."""
    rank = {code: number for number, code in enumerate(htcds.EventType.values)}
    return sorted(events, key=lambda e: (rank.get(e.event_type, 99), e.started_on is None,
                                         e.started_on or datetime.date.min, e.pk or 0))
