"""Referral from a consultation, escalation to a case, trafficking-situation reports and the partner's
answers: what is saved, what is refused (with the field named), and that a refusal saves nothing."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from tests.cases.conftest import CALLER
from waypoint.accounts.models import Programme
from waypoint.audit.models import Action, AuditEvent
from waypoint.cases import services, sharing
from waypoint.cases.models import (
    Case,
    CaseMember,
    Channel,
    MemberRole,
    Referral,
    ReferralKind,
    ReferralStatus,
    ReferralUpdate,
)
from waypoint.consent import services as consent_services
from waypoint.consent.models import ConsentRecord, DataCategory, HowGiven, Purpose
from waypoint.hotline.models import Outcome
from waypoint.partners.models import Organisation, OrganisationType, Service, ServiceStatus
from waypoint.people.models import Person, ProgrammeRegistration

IDENTITY, CONTACTS, SITUATION = DataCategory.IDENTITY, DataCategory.CONTACTS, DataCategory.SITUATION


def nothing_saved():
    assert not Referral.objects.exists()
    assert not ReferralUpdate.objects.exists()
    assert not ConsentRecord.objects.exists()
    assert not AuditEvent.objects.filter(object_type="cases.referral").exists()


def refer(users, consultation, service, **kwargs):
    kwargs.setdefault("reason", "Needs a safe place to stay tonight.")
    return services.refer_from_consultation(users["hotline_operator"], consultation, service=service, **kwargs)


# --- Anonymous referral ----------------------------------------------------------------------
def test_an_anonymous_referral_carries_only_the_callers_profile_and_the_reason(users, consultation, shelter):
    referral = refer(users, consultation, shelter)

    assert referral.reference.startswith(f"R-{timezone.localdate().year}-")
    assert (referral.kind, referral.status, referral.organisation, referral.service) == (
        ReferralKind.PERSON, ReferralStatus.SENT, shelter.organization, shelter)
    assert sharing.loads(referral.shared) == {
        "caller_sex": "F", "caller_age_band": "25-34", "caller_nationality": "UZ", "caller_language": "uz"}
    assert referral.person is None
    assert referral.consent is None
    assert referral.reason == "Needs a safe place to stay tonight."
    assert (referral.programme, referral.office, referral.created_by) == (
        Programme.HOTLINE, consultation.site, users["hotline_operator"])
    assert referral.sent_at is not None
    assert referral.due_on == services.working_days_after(timezone.localdate(), 5)
    assert list(consultation.referrals.all()) == [referral]
    assert [u.status for u in referral.updates.all()] == [ReferralStatus.SENT]
    assert AuditEvent.objects.filter(action=Action.CREATE, object_type="cases.referral",
                                     object_id=str(referral.pk)).exists()
    assert not ConsentRecord.objects.exists()


def test_the_callers_profile_reads_in_words():
    shared = {"caller_sex": "F", "caller_age_band": "25-34", "caller_nationality": "UZ", "caller_language": "uz"}
    assert sharing.describe_caller(shared) == "Female, 25 to 34, Uzbekistan, Uzbek"


def test_the_answer_is_due_in_working_days():
    friday = datetime.date(2026, 3, 13)
    assert services.working_days_after(friday, 5) == datetime.date(2026, 3, 20)
    assert services.working_days_after(friday, 1) == datetime.date(2026, 3, 16)


def test_the_number_of_days_to_answer_is_configurable(users, consultation, shelter, settings):
    settings.WAYPOINT_REFERRAL_ANSWER_DAYS = 2
    referral = refer(users, consultation, shelter)
    assert referral.due_on == services.working_days_after(timezone.localdate(), 2)


# --- Services that would refuse --------------------------------------------------------------
def test_a_service_the_organisation_does_not_offer_is_refused(users, consultation, shelter, ngo_y):
    with pytest.raises(ValidationError) as error:
        refer(users, consultation, shelter, organisation=ngo_y)

    assert error.value.message_dict["service"] == ["NGO Y does not offer “Crisis shelter for women”."]
    nothing_saved()


def test_a_service_not_accepting_referrals_is_refused_with_a_clear_message(users, consultation, shelter):
    Service.objects.filter(pk=shelter.pk).update(accepting_referrals=False)

    with pytest.raises(ValidationError) as error:
        refer(users, consultation, shelter)

    assert error.value.message_dict["service"] == ["The service is not accepting referrals now."]
    nothing_saved()


@pytest.mark.parametrize(
    ("change", "caller", "message"),
    [
        pytest.param({}, {"caller_sex": "M"}, "Accepts only: Female.", id="a-man-to-a-womens-shelter"),
        pytest.param({"minimum_age": 18}, {"caller_age_band": "0-17"}, "Accepts only people aged 18+.", id="a-minor"),
        pytest.param({"accepts_nationalities": ["RU"]}, {}, "Accepts only citizens of: Russian Federation.",
                     id="another-nationality"),
        pytest.param({"available": 0}, {}, "No free places.", id="full"),
        pytest.param({"status": ServiceStatus.TEMPORARILY_CLOSED}, {},
                     "The service is not active (Temporarily closed).", id="closed"),
    ],
)
def test_a_service_that_would_not_take_this_caller_is_refused(
    users, make_consultation, shelter, change, caller, message,
):
    Service.objects.filter(pk=shelter.pk).update(**change)
    consultation = make_consultation(**caller)

    with pytest.raises(ValidationError) as error:
        refer(users, consultation, Service.objects.get(pk=shelter.pk))

    assert message in error.value.message_dict["service"]
    nothing_saved()


def test_a_reason_is_required(users, consultation, shelter):
    with pytest.raises(ValidationError) as error:
        refer(users, consultation, shelter, reason="  ")
    assert "reason" in error.value.message_dict
    nothing_saved()


# --- Referral with personal data ------------------------------------------------------------
def test_personal_data_needs_a_person(users, consultation, shelter):
    with pytest.raises(ValidationError) as error:
        refer(users, consultation, shelter, categories=[IDENTITY], consent_kwargs={})
    assert "person" in error.value.message_dict
    nothing_saved()


def test_personal_data_without_consent_is_refused_and_nothing_is_saved(users, consultation, shelter):
    with pytest.raises(ValidationError) as error:
        refer(users, consultation, shelter, categories=[IDENTITY, CONTACTS], new_person=CALLER, consent_kwargs=None)

    assert error.value.message_dict["consent"] == [
        "The person has not consented to “Referral to another organisation” with NGO X (or that consent expired "
        "or was withdrawn)."]
    nothing_saved()
    assert not Person.objects.exists(), "the caller registered on the way is rolled back too"
    consultation.refresh_from_db()
    assert consultation.person is None


def test_with_consent_a_new_caller_is_registered_consent_recorded_and_data_sent(users, consultation, shelter):
    operator = users["hotline_operator"]
    referral = refer(users, consultation, shelter, categories=[IDENTITY, CONTACTS, SITUATION],
                     new_person=CALLER, consent_kwargs={}, share={"situation": "Passport kept by the employer."})

    person = Person.objects.get()
    assert ProgrammeRegistration.objects.filter(person=person, programme=Programme.HOTLINE).exists()
    consultation.refresh_from_db()
    assert consultation.person == person
    consent = ConsentRecord.objects.get()
    assert (consent.person, consent.purpose, consent.recipient_organisation, consent.how_given, consent.witness) == (
        person, Purpose.REFERRAL, shelter.organization, HowGiven.ORAL, operator.get_full_name() or operator.username)
    assert consent.data_categories == [IDENTITY, CONTACTS, SITUATION]
    assert (referral.person, referral.consent) == (person, consent)
    shared = sharing.loads(referral.shared)
    assert shared["name"] == "Каримова Дилноза"
    assert shared["birth_date"] == "1996-05-02"
    assert shared["citizenship"] == "UZ"
    assert shared["phone"] == "+7 921 555 01 02"
    assert shared["situation"] == "Passport kept by the employer."
    assert "documents" not in shared
    assert "health" not in shared
    share_event = AuditEvent.objects.get(action=Action.SHARE)
    assert (share_event.object_type, share_event.object_id) == ("people.person", str(person.pk))


def test_only_the_chosen_categories_are_sent(users, consultation, shelter):
    person = Person.objects.create(family_name="Karimova", given_name="Dilnoza", phone="+7 900 000 00 00")
    ProgrammeRegistration.objects.create(person=person, programme=Programme.HOTLINE)

    referral = refer(users, consultation, shelter, categories=[IDENTITY], person=person, consent_kwargs={})

    shared = sharing.loads(referral.shared)
    assert shared["name"] == "Karimova Dilnoza"
    assert "phone" not in shared


def test_typed_text_of_a_category_not_chosen_is_refused(users, consultation, shelter):
    person = Person.objects.create(family_name="Karimova", given_name="Dilnoza")
    ProgrammeRegistration.objects.create(person=person, programme=Programme.HOTLINE)

    with pytest.raises(ValidationError) as error:
        refer(users, consultation, shelter, categories=[IDENTITY], person=person, consent_kwargs={},
              share={"health": "HIV positive"})
    assert "categories" in error.value.message_dict
    nothing_saved()


def test_an_existing_consent_is_used_and_its_withdrawal_blocks_the_next_referral(users, consultation, shelter):
    person = Person.objects.create(family_name="Karimova", given_name="Dilnoza")
    ProgrammeRegistration.objects.create(person=person, programme=Programme.HOTLINE)
    consent = consent_services.record_consent(
        users["hotline_operator"], person, purpose=Purpose.REFERRAL, recipient_type=OrganisationType.NGO,
        data_categories=[IDENTITY, CONTACTS], how_given=HowGiven.WRITTEN, given_on=timezone.localdate())

    first = refer(users, consultation, shelter, categories=[IDENTITY], person=person, consent_kwargs=None)
    assert first.consent == consent

    consent_services.withdraw(users["hotline_operator"], consent, "Withdrawn by phone.")
    with pytest.raises(ValidationError) as error:
        refer(users, consultation, shelter, categories=[IDENTITY], person=person, consent_kwargs=None)
    assert "consent" in error.value.message_dict
    assert Referral.objects.count() == 1


def test_a_person_the_operator_may_not_see_cannot_be_linked(users, consultation, shelter):
    stranger = Person.objects.create(family_name="Hidden", given_name="Person")
    ProgrammeRegistration.objects.create(person=stranger, programme=Programme.COUNTER_TRAFFICKING)

    with pytest.raises(Http404):
        refer(users, consultation, shelter, categories=[IDENTITY], person=stranger, consent_kwargs={})
    assert not Referral.objects.exists()


def test_another_sites_consultation_cannot_be_referred_from(users, make_consultation, shelter, office):
    from waypoint.accounts.models import Office

    elsewhere = Office.objects.create(code="icc-x", name="ICC X", kind=Office.Kind.CONSULTATION_CENTRE, city="X")
    consultation = make_consultation(site=elsewhere)

    with pytest.raises(Http404):
        refer(users, consultation, shelter)
    assert not Referral.objects.exists()
    assert AuditEvent.objects.filter(action=Action.DENY, object_type="hotline.consultation").exists()


# --- Email ------------------------------------------------------------------------------------
def test_the_partner_organisations_users_are_told_of_a_new_referral(
    users, consultation, shelter, django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        referral = refer(users, consultation, shelter)

    [message] = mail.outbox
    assert message.to == [users["partner_user"].email]
    assert referral.reference in message.subject
    assert f"/referrals/{referral.pk}/" in message.body
    assert "Uzbekistan" not in message.body, "no personal or profile data leaves by email"


# --- Escalation ---------------------------------------------------------------------------------
def escalate(users, consultation, **kwargs):
    kwargs.setdefault("owner", users["case_worker"])
    kwargs.setdefault("consent", {"how_given": HowGiven.ORAL})
    return services.escalate_consultation(users["hotline_operator"], consultation, **kwargs)


def test_escalation_opens_a_ct_case_for_a_new_caller_with_consent(users, consultation):
    case = escalate(users, consultation, new_person=CALLER, summary="Held in a flat, passport taken.")

    person = Person.objects.get()
    assert case.reference == f"CT-{timezone.localdate().year}-00001"
    assert (case.programme, case.channel, case.owner, case.office) == (
        Programme.COUNTER_TRAFFICKING, Channel.HOTLINE, users["case_worker"], users["case_worker"].office)
    assert case.summary == "Held in a flat, passport taken."
    assert list(CaseMember.objects.values_list("person", "role")) == [(person.pk, MemberRole.PRINCIPAL)]
    assert set(person.registrations.values_list("programme", flat=True)) == {Programme.HOTLINE,
                                                                             Programme.COUNTER_TRAFFICKING}
    consent = ConsentRecord.objects.get()
    assert (consent.purpose, consent.how_given, consent.recipient_organisation, consent.recipient_type) == (
        Purpose.ASSISTANCE, HowGiven.ORAL, None, "")
    assert consent.witness
    consultation.refresh_from_db()
    assert (consultation.person, consultation.case, consultation.outcome) == (person, case, Outcome.ESCALATED)
    assert AuditEvent.objects.filter(action=Action.CREATE, object_type="cases.case", object_id=str(case.pk)).exists()
    [registration] = AuditEvent.objects.filter(action=Action.CREATE, object_type="people.programmeregistration")
    assert registration.changes["programme"] == [None, Programme.COUNTER_TRAFFICKING]
    assert registration.actor_id == users["hotline_operator"].pk


def test_escalation_needs_consent_and_saves_nothing_without_it(users, consultation):
    with pytest.raises(ValidationError) as error:
        escalate(users, consultation, new_person=CALLER, consent=None)
    assert "consent" in error.value.message_dict
    assert not Case.objects.exists()
    assert not Person.objects.exists()


def test_oral_consent_without_a_witness_is_refused_and_the_new_person_rolled_back(users, consultation):
    with pytest.raises(ValidationError) as error:
        escalate(users, consultation, new_person=CALLER, consent={"how_given": HowGiven.GUARDIAN, "witness": ""})
    assert "witness" in error.value.message_dict
    assert not Case.objects.exists()
    assert not Person.objects.exists()
    assert not ConsentRecord.objects.exists()


@pytest.mark.parametrize("owner", ["hotline_operator", "case_worker_b", "me_officer"])
def test_the_owner_must_be_counter_trafficking_staff(users, consultation, owner):
    with pytest.raises(ValidationError) as error:
        escalate(users, consultation, new_person=CALLER, owner=users[owner])
    assert "owner" in error.value.message_dict
    assert not Case.objects.exists()


def test_a_consultation_is_escalated_once(users, consultation):
    case = escalate(users, consultation, new_person=CALLER)
    with pytest.raises(ValidationError) as error:
        escalate(users, consultation)
    assert case.reference in error.value.messages[0]
    assert Case.objects.count() == 1


def test_escalation_links_an_existing_person_and_earlier_referrals(users, consultation, shelter):
    person = Person.objects.create(family_name="Karimova", given_name="Dilnoza")
    ProgrammeRegistration.objects.create(person=person, programme=Programme.HOTLINE)
    referral = refer(users, consultation, shelter)

    case = escalate(users, consultation, person=person)

    assert case.members.get().person == person
    referral.refresh_from_db()
    assert referral.case == case


def test_after_escalation_the_operator_does_not_see_the_case(users, consultation):
    from waypoint.accounts import policy

    case = escalate(users, consultation, new_person=CALLER)

    assert not policy.can(users["hotline_operator"], "view", case)
    assert policy.can(users["case_worker"], "view", case)
    assert policy.can(users["programme_manager"], "view", case)
    assert policy.can(users["hotline_operator"], "view", case.members.get().person), "the person stays visible"


# --- Trafficking-situation report ---------------------------------------------------------------
def test_a_situation_is_reported_to_an_authority(users, consultation, police):
    referral = services.report_situation(
        users["hotline_operator"], consultation, authority=police, summary="Workers locked in a warehouse.",
        place="Industrial zone, Kolpino", details="About 20 men from Central Asia.")

    assert (referral.kind, referral.status, referral.organisation, referral.person, referral.service) == (
        ReferralKind.SITUATION, ReferralStatus.SENT, police, None, None)
    assert sharing.loads(referral.shared)["place"] == "Industrial zone, Kolpino"
    assert referral in consultation.referrals.all()


@pytest.mark.parametrize("kind", [OrganisationType.NGO, OrganisationType.DIPLOMATIC, OrganisationType.MEDIA])
def test_a_situation_goes_only_to_authorities(users, consultation, kind):
    other = Organisation.objects.create(name="Not an authority", organisation_type=kind)
    with pytest.raises(ValidationError) as error:
        services.report_situation(users["hotline_operator"], consultation, authority=other, summary="x")
    assert "Not an authority" in error.value.message_dict["authority"][0]
    assert not Referral.objects.exists()


# --- Answers --------------------------------------------------------------------------------
@pytest.fixture
def sent(users, consultation, shelter):
    return refer(users, consultation, shelter)


def test_the_partner_accepts_progresses_and_completes(users, sent, django_capture_on_commit_callbacks):
    partner = users["partner_user"]
    with django_capture_on_commit_callbacks(execute=True):
        accepted = services.accept(partner, sent, "We can take her today.", version=sent.version)
    assert accepted.status == ReferralStatus.ACCEPTED
    assert accepted.responded_at is not None
    assert [m.to for m in mail.outbox] == [[users["hotline_operator"].email]], "the creator is told"

    progressed = services.report_progress(partner, accepted, "Checked in.", version=accepted.version)
    completed = services.complete(partner, progressed, "Stayed 3 weeks, returned home.", version=progressed.version)

    assert completed.status == ReferralStatus.COMPLETED
    assert completed.completed_at is not None
    assert completed.feedback == "Stayed 3 weeks, returned home."
    assert [u.status for u in completed.updates.all()] == [
        ReferralStatus.SENT, ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS, ReferralStatus.COMPLETED]
    assert AuditEvent.objects.filter(action=Action.UPDATE, object_type="cases.referral").count() == 3


def test_declining_needs_a_reason(users, sent):
    with pytest.raises(ValidationError) as error:
        services.decline(users["partner_user"], sent, "", version=sent.version)
    assert "note" in error.value.message_dict

    declined = services.decline(users["partner_user"], sent, "No free beds after all.", version=sent.version)
    assert (declined.status, declined.decline_reason) == (ReferralStatus.DECLINED, "No free beds after all.")


@pytest.mark.parametrize(
    ("steps", "action"),
    [
        pytest.param([], services.COMPLETE, id="complete-before-accepting"),
        pytest.param([], services.PROGRESS, id="progress-before-accepting"),
        pytest.param([services.ACCEPT], services.ACCEPT, id="accept-twice"),
        pytest.param([services.DECLINE], services.ACCEPT, id="accept-after-declining"),
        pytest.param([services.ACCEPT, services.COMPLETE], services.DECLINE, id="decline-after-completing"),
    ],
)
def test_a_transition_the_workflow_forbids_is_refused(users, sent, steps, action):
    partner = users["partner_user"]
    referral = sent
    for step in steps:
        referral = services.act(partner, referral, step, version=referral.version, note="note")
    status = referral.status

    with pytest.raises(ValidationError) as error:
        services.act(partner, referral, action, version=referral.version, note="note")

    assert "action" in error.value.message_dict
    referral.refresh_from_db()
    assert referral.status == status


def test_a_stale_form_gets_a_conflict_and_changes_nothing(users, sent):
    partner = users["partner_user"]
    opened_at = sent.version
    services.accept(partner, sent, "", version=opened_at)

    with pytest.raises(services.ConflictError) as conflict:
        services.decline(partner, sent, "Too late", version=opened_at)

    assert conflict.value.current.status == ReferralStatus.ACCEPTED
    sent.refresh_from_db()
    assert sent.status == ReferralStatus.ACCEPTED
    assert sent.decline_reason == ""


def test_another_organisations_partner_user_cannot_act(users, sent):
    with pytest.raises(Http404):
        services.accept(users["partner_user_y"], sent, "", version=sent.version)
    sent.refresh_from_db()
    assert sent.status == ReferralStatus.SENT
    assert AuditEvent.objects.filter(action=Action.DENY, actor_id=users["partner_user_y"].pk,
                                     object_type="cases.referral", object_id=str(sent.pk)).exists()


def test_staff_cancel_but_do_not_answer_for_a_partner_with_users(users, sent):
    operator = users["hotline_operator"]
    assert services.allowed_actions(operator, sent) == [services.CANCEL]
    with pytest.raises(ValidationError):
        services.accept(operator, sent, "", version=sent.version)

    cancelled = services.cancel(operator, sent, "The caller found help elsewhere.", version=sent.version)
    assert cancelled.status == ReferralStatus.CANCELLED


def test_staff_record_the_answer_of_an_authority_without_users(users, consultation, police):
    report = services.report_situation(users["hotline_operator"], consultation, authority=police, summary="x")

    assert services.allowed_actions(users["hotline_operator"], report) == [
        services.CANCEL, services.ACCEPT, services.DECLINE]
    accepted = services.accept(users["hotline_operator"], report, "Police opened a check.", version=report.version)
    assert accepted.status == ReferralStatus.ACCEPTED
    event = AuditEvent.objects.filter(action=Action.UPDATE, object_type="cases.referral").get()
    assert event.changes["answered_for"] == [None, str(police.pk)]
