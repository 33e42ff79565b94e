"""Demo referrals and cases from the hotline demo's consultations at ICC St Petersburg.

A handful of referrals to the demo NGOs' services in every state of their life (some answered by the
demo partner user of Angel Coalition), one trafficking-situation report to the police, and two calls
escalated to counter-trafficking cases owned by the demo case worker. Everything goes through the
services, as an operator and the partner would do it, so consents, histories and the audit trail are
real. Each part is made once; a part that found nothing to work on (no services in the directory yet) is
made at the next run.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from waypoint.accounts.models import Role, User
from waypoint.consent.models import ConsentRecord, DataCategory, HowGiven
from waypoint.hotline.models import Consultation, Outcome
from waypoint.partners.models import Organisation, OrganisationType, Service
from waypoint.partners.taxonomy import types_by_service

from . import services
from .models import Case, Channel, Referral, ReferralKind, ReferralUpdate

OPERATOR, PARTNER, OWNER = "operator", "partner", "caseworker"

# What each demo referral becomes: the partner's answers after it is sent (action, note).
STORIES = [
    {"reason": "Lost her job and her room; her employer keeps her passport. Needs a safe place for a few nights.",
     "types": ["shelter"],
     "answers": [(services.ACCEPT, "We can receive her tomorrow from 10:00."),
                 (services.PROGRESS, "Checked in; a lawyer will see her on Thursday.")]},
    {"reason": "Was promised work in a café, made to work 16 hours a day without pay. Wants legal advice.",
     "types": ["legal_aid"], "personal": True, "answers": []},
    {"reason": "Needs psychological support after leaving an abusive employer.",
     "types": ["psychological_help"],
     "answers": [(services.ACCEPT, ""), (services.COMPLETE, "Six sessions held; she returned home in May.")]},
    {"reason": "Asks for help to recover unpaid wages (three months).",
     "types": ["legal_aid"],
     "answers": [(services.DECLINE, "We have no lawyer free this month; please try the Red Cross legal clinic.")]},
    {"reason": "Needs medical examination and temporary accommodation.", "types": ["medical_care", "shelter"],
     "answers": [], "overdue": True},
]
PEOPLE = [
    {"family_name": "Каримова", "given_name": "Дилноза", "sex": "F", "citizenships": ["UZ"],
     "birth_date": datetime.date(1995, 3, 14), "phone": "+7 921 555 01 02"},
    {"family_name": "Рахимов", "given_name": "Фаррух", "sex": "M", "citizenships": ["TJ"],
     "birth_date": datetime.date(1989, 11, 2)},
    {"family_name": "Турсунова", "given_name": "Малика", "sex": "F", "citizenships": ["KG"],
     "birth_date": datetime.date(2001, 7, 21), "phone": "+7 911 203 44 18"},
]


def load(stdout) -> None:
    operator = User.objects.filter(username=OPERATOR, role=Role.HOTLINE_OPERATOR).first()
    partner = User.objects.filter(username=PARTNER, role=Role.PARTNER_USER).first()
    owner = User.objects.filter(username=OWNER, role=Role.CASE_WORKER).first()
    if operator is None or operator.office_id is None:
        stdout.write("Referrals: skipped (no demo hotline operator).")
        return
    consultations = Consultation.objects.filter(site=operator.office, operator=operator, case__isnull=True)
    if not consultations.exists():
        stdout.write("Referrals: skipped (no consultations: load the hotline demo first).")
        return
    # Each part is made once; a part skipped earlier (e.g. the directory had no services yet) is made later.
    made = Referral.objects.filter(created_by=operator)
    referrals = 0 if made.filter(kind=ReferralKind.PERSON).exists() else _referrals(
        stdout, operator, partner, consultations)
    situation = 0 if made.filter(kind=ReferralKind.SITUATION).exists() else _situation(operator, consultations)
    cases = 0 if Case.objects.filter(channel=Channel.HOTLINE).exists() else _cases(operator, owner, consultations)
    stdout.write(f"Referrals: {referrals} referrals from ICC consultations, {situation} situation report, "
                 f"{cases} cases escalated to counter-trafficking (owner: {OWNER}) added.")


def _ngo_services():
    """Services of NGOs that take referrals, those of the partner user's organisation first."""
    return list(
        Service.objects.select_related("organization")
        .filter(organization__is_active=True, organization__organisation_type=OrganisationType.NGO)
        .order_by("organization__name", "name")
    )


def _backdate(referral: Referral, consultation: Consultation, overdue: bool) -> None:
    """Referrals are made during the call: their dates follow the consultation's, not today's."""
    sent = consultation.started_at + datetime.timedelta(minutes=consultation.duration_minutes)
    due = services.working_days_after(timezone.localdate(sent), services.answer_days())
    Referral.objects.filter(pk=referral.pk).update(sent_at=sent, due_on=due, created_at=sent)
    if referral.consent_id:  # the oral consent was given during the same call
        ConsentRecord.objects.filter(pk=referral.consent_id).update(given_on=timezone.localdate(sent))
    updates = list(ReferralUpdate.objects.filter(referral=referral).order_by("at", "id"))
    for step, update in enumerate(updates):
        ReferralUpdate.objects.filter(pk=update.pk).update(at=sent + datetime.timedelta(days=step, hours=step * 3))
    answered = sent + datetime.timedelta(days=1, hours=3) if len(updates) > 1 else None
    Referral.objects.filter(pk=referral.pk, responded_at__isnull=False).update(responded_at=answered)
    if not overdue and due < timezone.localdate() and len(updates) == 1:
        Referral.objects.filter(pk=referral.pk).update(due_on=timezone.localdate() + datetime.timedelta(days=3))


def _referrals(stdout, operator: User, partner: User | None, consultations) -> int:
    available = _ngo_services()
    if not available:
        stdout.write("Referrals: no NGO services in the directory: no referrals made.")
        return 0
    mine = [s for s in available if partner and s.organization_id == partner.partner_organisation_id]
    ordered = mine + [s for s in available if s not in mine]
    candidates = list(consultations.filter(outcome=Outcome.REFERRED).order_by("-started_at")[:60])
    made, used = 0, set()
    for number, story in enumerate(STORIES):
        callers = [c for c in candidates if c.caller_sex == PEOPLE[0]["sex"]] if story.get("personal") else candidates
        others = [s for s in available if s not in mine]
        # The declined one is the partner user's organisation's; the overdue one goes to an organisation
        # without Waypoint users (staff record its answer).
        choice = {3: mine or ordered, 4: others + mine}.get(number, ordered)
        pick = _pair(callers, _by_type(choice, story["types"]), used)
        if pick is None:
            continue
        consultation, service = pick
        used.add(consultation.pk)
        kwargs = {}
        if story.get("personal"):
            kwargs = {"categories": [DataCategory.IDENTITY, DataCategory.CONTACTS, DataCategory.SITUATION],
                      "new_person": _person_like(consultation, PEOPLE[0]), "consent_kwargs": {},
                      "share": {"situation": "Works in a café in the centre; the owner holds her passport."}}
        referral = services.refer_from_consultation(operator, consultation, service=service, reason=story["reason"],
                                                    **kwargs)
        answerer = partner if partner and service.organization_id == partner.partner_organisation_id else None
        for action, note in story["answers"] if answerer else []:
            referral = services.act(answerer, referral, action, version=referral.version, note=note)
        _backdate(referral, consultation, story.get("overdue", False))
        made += 1
    return made


def _by_type(services_: list[Service], codes: list[str]) -> list[Service]:
    """The services of the wanted types first (in the order given), then the others."""
    types = types_by_service([service.pk for service in services_])
    rank = {service.pk: min([codes.index(c) for c in types.get(service.pk, []) if c in codes] or [len(codes)])
            for service in services_}
    return sorted(services_, key=lambda service: rank[service.pk])


def _pair(consultations, services_, used):
    """The first consultation and service where the service would take the caller."""
    for consultation in consultations:
        if consultation.pk in used:
            continue
        for service in services_:
            if not services.service_refusals(service, consultation):
                return consultation, service
    return None


def _person_like(consultation: Consultation, person: dict) -> dict:
    """A demo person whose sex and citizenship agree with what the operator logged."""
    data = dict(person)
    if consultation.caller_sex in ("F", "M"):
        data["sex"] = consultation.caller_sex
    if consultation.caller_nationality:
        data["citizenships"] = [consultation.caller_nationality]
    youngest = services.age_lower_bound(consultation.caller_age_band)
    if youngest is not None:  # born so that the age agrees with the age band logged
        age = youngest + 2 if youngest >= 18 else 16
        data["birth_date"] = data["birth_date"].replace(year=timezone.localdate().year - age)
    return data


def _situation(operator: User, consultations) -> int:
    authorities = Organisation.objects.filter(is_active=True, organisation_type=OrganisationType.LAW_ENFORCEMENT)
    authority = (authorities.filter(city=operator.office.city).order_by("name").first()
                 or authorities.order_by("name").first())
    consultation = consultations.filter(outcome=Outcome.SITUATION_REPORTED).order_by("-started_at").first()
    if authority is None or consultation is None:
        return 0
    report = services.report_situation(
        operator, consultation, authority=authority,
        summary="A caller describes about twenty men from Central Asia living and working locked in a warehouse.",
        place="Industrial zone, Kolpino district, St Petersburg",
        details="Passports taken on arrival; wages withheld for four months; guards at the gate at night.",
    )
    report = services.accept(operator, report, "The unit confirmed receipt by phone and opened a check.",
                             version=report.version)
    _backdate(report, consultation, False)
    return 1


def _cases(operator: User, owner: User | None, consultations) -> int:
    if owner is None or not services.case_owner_choices().filter(pk=owner.pk).exists():
        return 0
    made = 0
    escalated = list(consultations.filter(outcome=Outcome.ESCALATED, case__isnull=True).order_by("-started_at")[:40])
    for person in PEOPLE[1:]:
        consultation = next((c for c in escalated if c.caller_sex == person["sex"]), None)
        if consultation is None:
            continue
        escalated.remove(consultation)
        case = services.escalate_consultation(
            operator, consultation, owner=owner, new_person=_person_like(consultation, person),
            consent={"how_given": HowGiven.ORAL, "data_categories": DataCategory.values},
            summary="Escalated from the hotline: the caller describes forced labour and wants help to leave.",
        )
        called_on = timezone.localdate(consultation.started_at)
        Case.objects.filter(pk=case.pk).update(opened_on=called_on)
        ConsentRecord.objects.filter(person__case_memberships__case=case).update(given_on=called_on)
        made += 1
    return made
