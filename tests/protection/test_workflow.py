"""The counter-trafficking workflow: intake → Active → FollowUp → Closed / ClosedReferred, and reopening.

The guards are tested one by one on real cases, then the Workflow object as a whole, then steps taken
through `cases.casework.transition` (which runs the guards under a row lock and audits refusals).
"""

import datetime
import itertools

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from waypoint.accounts.models import Programme
from waypoint.audit.models import Action, AuditEvent
from waypoint.cases import casework, workflow
from waypoint.cases.models import (
    CaseMember,
    Channel,
    MemberRole,
    Referral,
    ReferralDirection,
    ReferralKind,
    ReferralStatus,
)
from waypoint.consent import services as consent_services
from waypoint.consent.models import DataCategory, HowGiven, Purpose
from waypoint.people import services as people_services
from waypoint.protection import htcds
from waypoint.protection.models import CentreStay, Room
from waypoint.protection.workflow import (
    CT_WORKFLOW,
    consent_to_assistance,
    handed_over,
    no_open_referrals,
    nobody_in_the_centre,
)

CT = Programme.COUNTER_TRAFFICKING
S = htcds.CaseStatus
TODAY = timezone.localdate()
_numbers = itertools.count(1)


@pytest.fixture
def victim(users):
    return people_services.register(users["case_worker"], {"family_name": "Кузнецова", "given_name": "Ольга",
                                                           "sex": "F"}, programme=CT)


@pytest.fixture
def case(users, victim):
    return casework.open_case(users["case_worker"], programme=CT, principal=victim, owner=users["case_worker"],
                              channel=Channel.MISSION_ABROAD)


def consent(user, person, *, purpose=Purpose.ASSISTANCE, given_on=None, expires_on=None, **fields):
    return consent_services.record_consent(
        user, person, purpose=purpose, data_categories=[DataCategory.IDENTITY, DataCategory.SITUATION],
        how_given=fields.pop("how_given", HowGiven.WRITTEN), given_on=given_on or TODAY - datetime.timedelta(days=3),
        expires_on=expires_on, **fields)


def refer(case, office, organisation, status, *, direction=ReferralDirection.OUTBOUND, kind=ReferralKind.PERSON):
    return Referral.objects.create(
        reference=f"R-TEST-{next(_numbers):05d}", organisation=organisation, case=case, programme=CT, office=office,
        status=status, direction=direction, kind=kind, person=case.principal)


@pytest.fixture
def room(office):
    return Room.objects.create(office=office, name="12", beds=2)


def stay(case, room, *, out=None):
    return CentreStay.objects.create(case=case, person=case.principal, room=room, bed=1,
                                     checked_in_on=TODAY - datetime.timedelta(days=10), checked_out_on=out)


def reasons(case, action: str) -> list[str]:
    """What the step's guards say about the case now."""
    return [reason for guard in CT_WORKFLOW.get(action).guards for reason in guard(case)]


# --- Guards, one by one ----------------------------------------------------------------------------
def test_assistance_needs_a_consent_of_the_principal(users, case, victim):
    assert consent_to_assistance(case) == [
        f"{victim.reference} has no valid consent to assistance: record it before assistance starts."]

    consent(users["case_worker"], victim)

    assert consent_to_assistance(case) == []


@pytest.mark.parametrize("how", [HowGiven.ORAL, HowGiven.GUARDIAN])
def test_witnessed_and_guardian_consents_count(users, case, victim, how):
    consent(users["case_worker"], victim, how_given=how, witness="Петрова Лидия")

    assert consent_to_assistance(case) == []


def test_an_expired_consent_does_not_count(users, case, victim):
    consent(users["case_worker"], victim, given_on=TODAY - datetime.timedelta(days=400),
            expires_on=TODAY - datetime.timedelta(days=1))

    assert consent_to_assistance(case) != []


def test_a_withdrawn_consent_stops_counting_at_once(users, case, victim):
    record = consent(users["case_worker"], victim)
    consent_services.withdraw(users["case_worker"], record, "Said so on the phone.")

    assert consent_to_assistance(case) != []


def test_a_consent_for_another_purpose_or_another_person_does_not_count(users, case, victim, ngo_x):
    consent(users["case_worker"], victim, purpose=Purpose.REFERRAL, recipient_organisation=ngo_x)
    sister = people_services.register(users["case_worker"], {"family_name": "Кузнецова", "given_name": "Анна"},
                                      programme=CT)
    CaseMember.objects.create(case=case, person=sister, role=MemberRole.OTHER)
    consent(users["case_worker"], sister)

    assert consent_to_assistance(case) != []


def test_a_case_without_a_principal_cannot_start(case):
    case.members.all().delete()

    assert consent_to_assistance(case) == ["The case has no principal: add the person assisted first."]


def test_nobody_may_still_be_in_the_centre(case, room):
    guest = stay(case, room)

    assert nobody_in_the_centre(case) == [
        f"{case.principal.reference} is still staying in room 12: record the check-out first."]

    guest.checked_out_on = TODAY
    guest.save()

    assert nobody_in_the_centre(case) == []


@pytest.mark.parametrize("status", [ReferralStatus.DRAFT, ReferralStatus.SENT, ReferralStatus.ACCEPTED,
                                    ReferralStatus.IN_PROGRESS])
def test_an_open_outbound_referral_holds_the_closing(case, office, ngo_x, status):
    referral = refer(case, office, ngo_x, status)

    said = no_open_referrals(case)

    assert len(said) == 1
    assert referral.reference in said[0]


@pytest.mark.parametrize("status", [ReferralStatus.DECLINED, ReferralStatus.COMPLETED, ReferralStatus.CANCELLED])
def test_finished_referrals_do_not(case, office, ngo_x, status):
    refer(case, office, ngo_x, status)

    assert no_open_referrals(case) == []


def test_the_inbound_referral_a_case_came_from_does_not_hold_the_closing(case, office, ngo_x):
    refer(case, office, ngo_x, ReferralStatus.ACCEPTED, direction=ReferralDirection.INBOUND)

    assert no_open_referrals(case) == []


@pytest.mark.parametrize("status", [ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS, ReferralStatus.COMPLETED])
def test_handed_over_to_a_partner_that_took_the_person_on(case, office, ngo_x, status):
    refer(case, office, ngo_x, status)

    assert handed_over(case) == []


@pytest.mark.parametrize("status", [ReferralStatus.DRAFT, ReferralStatus.SENT, ReferralStatus.DECLINED,
                                    ReferralStatus.CANCELLED])
def test_not_handed_over_without_an_accepted_referral(case, office, ngo_x, status):
    refer(case, office, ngo_x, status)

    assert handed_over(case) == [
        "No partner has accepted a referral of this case: it cannot be closed as referred."]


def test_a_reported_situation_or_an_inbound_referral_hands_nobody_over(case, office, ngo_x):
    refer(case, office, ngo_x, ReferralStatus.ACCEPTED, kind=ReferralKind.SITUATION)
    refer(case, office, ngo_x, ReferralStatus.ACCEPTED, direction=ReferralDirection.INBOUND)

    assert handed_over(case) != []


# --- The Workflow object ------------------------------------------------------------------------
def test_ct_cases_follow_the_ct_workflow_from_intake(case):
    assert workflow.workflow_for(CT) is CT_WORKFLOW
    assert case.status == S.INTAKE
    assert workflow.workflow_for(Programme.RETURN) is not CT_WORKFLOW


def test_the_states_are_htcds_case_statuses_after_intake():
    assert [code for code, _label in CT_WORKFLOW.choices] == ["intake", "Active", "FollowUp", "Closed",
                                                              "ClosedReferred"]
    assert CT_WORKFLOW.open_states() == ["intake", "Active", "FollowUp"]
    assert CT_WORKFLOW.closed_states() == ["Closed", "ClosedReferred"]


@pytest.mark.parametrize(("status", "actions"), [
    (S.INTAKE, ["start_assistance", "close"]),
    (S.ACTIVE, ["follow_up", "close", "close_referred"]),
    (S.FOLLOW_UP, ["resume", "close", "close_referred"]),
    (S.CLOSED, ["reopen"]),
    (S.CLOSED_REFERRED, ["reopen"]),
])
def test_the_steps_offered_from_each_status(status, actions):
    assert [t.action for t in CT_WORKFLOW.available(status)] == actions


@pytest.mark.parametrize(("action", "target", "guards", "needs_note"), [
    ("start_assistance", S.ACTIVE, (consent_to_assistance,), False),
    ("follow_up", S.FOLLOW_UP, (nobody_in_the_centre,), False),
    ("resume", S.ACTIVE, (consent_to_assistance,), True),
    ("close", S.CLOSED, (nobody_in_the_centre, no_open_referrals), False),
    ("close_referred", S.CLOSED_REFERRED, (nobody_in_the_centre, handed_over), False),
    ("reopen", S.ACTIVE, (consent_to_assistance,), True),
])
def test_each_step_has_its_target_guards_and_note(action, target, guards, needs_note):
    step = CT_WORKFLOW.get(action)

    assert (step.target, step.guards, step.needs_note) == (target, guards, needs_note)


def test_closure_reasons_and_plan_types_are_htcds():
    assert [code for code, _label in CT_WORKFLOW.closure_reasons] == htcds.ClosureReason.values
    assert CT_WORKFLOW.closure_label("ReferredToAnotherOrganisation") == "Referred to another organisation"
    assert [code for code, _label in CT_WORKFLOW.plan_types] == htcds.SupportPlanType.values


def test_closing_needs_no_open_referrals_and_nobody_in_the_centre(case, office, ngo_x, room):
    guest = stay(case, room)
    referral = refer(case, office, ngo_x, ReferralStatus.SENT)

    said = reasons(case, "close")

    assert len(said) == 2
    assert "room 12" in said[0]
    assert referral.reference in said[1]
    guest.checked_out_on = TODAY
    guest.save()
    Referral.objects.filter(pk=referral.pk).update(status=ReferralStatus.CANCELLED)
    assert reasons(case, "close") == []


def test_closing_as_referred_needs_an_accepted_referral(case, office, ngo_x):
    assert reasons(case, "close_referred") != []

    refer(case, office, ngo_x, ReferralStatus.ACCEPTED)

    assert reasons(case, "close_referred") == []


# --- Through the transition service -------------------------------------------------------------
def take(user, case, action, **kwargs):
    case.refresh_from_db()
    return casework.transition(user, case, action, version=case.version, **kwargs)


def test_assistance_cannot_start_without_consent_and_the_refusal_is_audited(users, case):
    since = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()

    with pytest.raises(ValidationError) as excinfo:
        take(users["case_worker"], case, "start_assistance")

    assert "no valid consent to assistance" in excinfo.value.message_dict["action"][0]
    case.refresh_from_db()
    assert case.status == S.INTAKE
    denial = AuditEvent.objects.filter(pk__gt=since, action=Action.DENY).get()
    assert denial.changes["reasons"] == ["guard:consent_to_assistance"]


def test_a_case_runs_its_course(users, case, victim, office, ngo_x, room):
    worker = users["case_worker"]
    consent(worker, victim)
    assert take(worker, case, "start_assistance").status == S.ACTIVE

    guest = stay(case, room)
    with pytest.raises(ValidationError):
        take(worker, case, "follow_up")
    guest.checked_out_on = TODAY
    guest.save()
    assert take(worker, case, "follow_up").status == S.FOLLOW_UP

    with pytest.raises(ValidationError):
        take(worker, case, "close_referred", closure_reason="ReferredToAnotherOrganisation")
    refer(case, office, ngo_x, ReferralStatus.ACCEPTED)
    closed = take(worker, case, "close_referred", closure_reason="ReferredToAnotherOrganisation")
    assert (closed.status, closed.closed_on, closed.closure_reason) == (S.CLOSED_REFERRED, TODAY,
                                                                        "ReferredToAnotherOrganisation")

    with pytest.raises(ValidationError) as excinfo:
        take(worker, case, "reopen")
    assert "note" in excinfo.value.message_dict
    reopened = take(worker, case, "reopen", note="She came back: the employer found her again.")
    assert (reopened.status, reopened.closed_on, reopened.reopened_count) == (S.ACTIVE, None, 1)


def test_reopening_needs_a_consent_still_valid(users, case, victim):
    worker = users["case_worker"]
    record = consent(worker, victim)
    take(worker, case, "start_assistance")
    take(worker, case, "close", closure_reason="AssistanceCompleted")
    consent_services.withdraw(worker, record, "")

    with pytest.raises(ValidationError) as excinfo:
        take(worker, case, "reopen", note="Asked for help again.")

    assert "no valid consent to assistance" in " ".join(excinfo.value.message_dict["action"])
    case.refresh_from_db()
    assert case.status == S.CLOSED
