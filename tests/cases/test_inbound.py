"""A partner refers a person to the office (inbound): what the partner sends and sees, who in the office is told
and sees it, declining it, and opening a case from it (with the registry's duplicate check)."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from waypoint.accounts import policy
from waypoint.accounts.models import Programme, Role
from waypoint.audit.models import Action, AuditEvent
from waypoint.cases import services, sharing
from waypoint.cases.models import Case, CaseEvent, Channel, Referral, ReferralDirection, ReferralStatus
from waypoint.partners.models import Organisation, OrganisationType
from waypoint.people import index
from waypoint.people.models import Person, ProgrammeRegistration

TODAY = timezone.localdate()
FORM = {
    "family_name": "Турсунова", "given_name": "Малика", "sex": "F", "birth_date": "2001-07-21",
    "citizenship": "KG", "language": "ky", "phone": "+7 911 203 44 18",
    "situation": "Came to our shelter after escaping a sewing workshop where she was kept for 8 months.",
    "programme": Programme.COUNTER_TRAFFICKING, "urgency": "urgent", "consent": "on",
}
PERSON = {"family_name": "Турсунова", "given_name": "Малика", "sex": "F", "birth_date": datetime.date(2001, 7, 21),
          "citizenship": "KG", "language": "ky", "phone": "+7 911 203 44 18"}


def last_event_id() -> int:
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


@pytest.fixture
def inbound(users, office):
    """NGO X's partner user refers a young woman from Kyrgyzstan to the counter-trafficking programme."""
    return services.refer_to_office(
        users["partner_user"], person=PERSON, situation=FORM["situation"], urgency=sharing.URGENT,
        consent_attested=True)


# --- The partner refers -------------------------------------------------------------------------
def test_a_partner_refers_a_person_from_the_inbox(users, client_for, office, django_capture_on_commit_callbacks):
    client = client_for(users["partner_user"])
    assert "/referrals/to-the-office/" in client.get("/referrals/").content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/referrals/to-the-office/", FORM)

    referral = Referral.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/referrals/{referral.pk}/"
    assert (referral.direction, referral.organisation, referral.status, referral.channel) == (
        ReferralDirection.INBOUND, users["partner_user"].partner_organisation, ReferralStatus.SENT, Channel.NGO)
    assert (referral.programme, referral.office, referral.created_by) == (
        Programme.COUNTER_TRAFFICKING, office, users["partner_user"])
    assert (referral.case, referral.person, referral.service) == (None, None, None)
    assert referral.due_on == services.working_days_after(TODAY, services.URGENT_ANSWER_DAYS)
    assert sharing.loads(referral.shared) == {
        "family_name": "Турсунова", "given_name": "Малика", "name": "Турсунова Малика", "sex": "F",
        "birth_date": "2001-07-21", "citizenship": "KG", "language": "ky", "phone": "+7 911 203 44 18",
        "situation": FORM["situation"], "urgency": "urgent",
    }
    event = AuditEvent.objects.get(action=Action.CREATE, object_type="cases.referral")
    assert event.changes["consent_attested"] == [None, "yes"]
    [message] = mail.outbox
    assert message.to == [users["programme_manager"].email], "the programme's managers are told"
    assert "Турсунова" not in message.body
    page = client.get(response["Location"]).content.decode()
    assert "Referral to the office" in page
    assert "Турсунова Малика" in page
    assert "Cancel the referral" in page


def test_without_the_persons_consent_nothing_is_sent(users, client_for, office):
    response = client_for(users["partner_user"]).post("/referrals/to-the-office/", {**FORM, "consent": ""})

    assert response.status_code == 200
    assert "A person is referred only with their consent" in response.content.decode()
    assert not Referral.objects.exists()


@pytest.mark.parametrize(("change", "field"), [
    pytest.param({"family_name": "", "given_name": ""}, "family_name", id="no-name"),
    pytest.param({"situation": " "}, "situation", id="no-situation"),
    pytest.param({"age": "30"}, "age", id="birth-date-and-age"),
    pytest.param({"programme": Programme.HOTLINE}, "programme", id="hotline"),
])
def test_bad_input_names_the_field_and_saves_nothing(users, client_for, office, change, field):
    response = client_for(users["partner_user"]).post("/referrals/to-the-office/", {**FORM, **change})

    assert response.status_code == 200
    assert f'id="id_{field}_error"' in response.content.decode()
    assert not Referral.objects.exists()


def test_the_service_refuses_what_the_form_would(users, office):
    with pytest.raises(ValidationError) as error:
        services.refer_to_office(users["partner_user"], person={**PERSON, "age": 30}, situation="x",
                                 consent_attested=False)
    assert {"age", "consent"} <= set(error.value.message_dict)
    assert not Referral.objects.exists()


@pytest.mark.parametrize(("kind", "channel"), [
    (OrganisationType.NGO, Channel.NGO),
    (OrganisationType.LAW_ENFORCEMENT, Channel.LAW_ENFORCEMENT),
    (OrganisationType.DIPLOMATIC, Channel.DIPLOMATIC),
    (OrganisationType.MISSION, Channel.MISSION_ABROAD),
    (OrganisationType.GOVERNMENT, Channel.STATE_STRUCTURE),
    (OrganisationType.SOCIAL, Channel.STATE_STRUCTURE),
    (OrganisationType.HEALTH, Channel.STATE_STRUCTURE),
    (OrganisationType.MEDIA, Channel.OTHER),
])
def test_the_channel_follows_the_type_of_the_referring_organisation(make_user, office, kind, channel):
    organisation = Organisation.objects.create(name=f"Partner {kind}", organisation_type=kind)
    partner = make_user(Role.PARTNER_USER, f"partner-{kind}", partner_organisation=organisation)

    referral = services.refer_to_office(partner, person={"given_name": "Anna"}, situation="Needs help.",
                                        consent_attested=True)

    assert referral.channel == channel


@pytest.mark.parametrize("persona", ["case_worker", "hotline_operator", "me_officer", "administrator"])
def test_only_partner_users_refer_to_the_office(users, client_for, persona):
    before = last_event_id()
    response = client_for(users[persona]).get("/referrals/to-the-office/")
    assert response.status_code == 404
    [denial] = AuditEvent.objects.filter(pk__gt=before, action=Action.DENY)
    assert (denial.object_type, denial.object_id) == ("capability", policy.REFER_TO_OFFICE)


# --- Who sees it -------------------------------------------------------------------------------
def test_the_partner_sees_it_in_the_inbox_with_its_status_the_other_partner_does_not(users, client_for, inbound):
    mine = client_for(users["partner_user"]).get("/referrals/").content.decode()
    theirs = client_for(users["partner_user_y"])

    assert inbound.reference in mine
    assert "You → the office" in mine
    assert "Sent" in mine
    assert inbound.reference not in theirs.get("/referrals/").content.decode()
    assert theirs.get(f"/referrals/{inbound.pk}/").status_code == 404


@pytest.mark.parametrize(("persona", "sees"), [
    ("programme_manager", True), ("case_worker", True), ("case_worker_b", False), ("hotline_operator", False)])
def test_staff_of_the_programme_see_it_in_their_inbox(users, client_for, inbound, persona, sees):
    content = client_for(users[persona]).get("/referrals/?direction=inbound").content.decode()
    assert (inbound.reference in content) is sees
    if sees:
        page = client_for(users[persona]).get(f"/referrals/{inbound.pk}/").content.decode()
        assert "Турсунова Малика" in page
        assert "Accept and open a case" in page
        assert "Why you decline" in page


# --- The office declines ------------------------------------------------------------------------
def test_the_office_declines_with_a_reason_and_the_partner_is_told(
    users, client_for, inbound, django_capture_on_commit_callbacks,
):
    assert services.allowed_actions(users["case_worker"], inbound) == [services.DECLINE]
    assert services.allowed_actions(users["partner_user"], inbound) == [services.CANCEL]
    with pytest.raises(ValidationError):
        services.accept(users["case_worker"], inbound, "", version=inbound.version)

    with django_capture_on_commit_callbacks(execute=True):
        declined = services.decline(users["case_worker"], inbound, "She is an adult Russian citizen: please refer "
                                    "her to the city social services.", version=inbound.version)

    assert declined.status == ReferralStatus.DECLINED
    assert [m.to for m in mail.outbox] == [[users["partner_user"].email]]
    page = client_for(users["partner_user"]).get(f"/referrals/{inbound.pk}/").content.decode()
    assert "please refer her to the city social services" in page


def test_the_partner_withdraws_its_referral_before_the_office_answers(users, inbound):
    cancelled = services.cancel(users["partner_user"], inbound, "She went home.", version=inbound.version)
    assert cancelled.status == ReferralStatus.CANCELLED
    assert services.allowed_actions(users["case_worker"], cancelled) == []


# --- The office opens a case ----------------------------------------------------------------------
def open_url(referral):
    return f"/referrals/{referral.pk}/open-case/"


def test_the_case_form_is_pre_filled_from_the_referral(users, client_for, inbound):
    content = client_for(users["case_worker"]).get(open_url(inbound)).content.decode()

    assert 'value="Турсунова"' in content
    assert 'value="Малика"' in content
    assert 'value="2001-07-21"' in content
    assert 'value="KG" selected' in content
    assert "Came to our shelter after escaping a sewing workshop" in content


def test_opening_a_case_registers_the_person_and_accepts_the_referral(
    users, client_for, inbound, django_capture_on_commit_callbacks,
):
    client = client_for(users["programme_manager"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(open_url(inbound), {
            "who-who": "new", "person-family_name": "Турсунова", "person-given_name": "Малика", "person-sex": "F",
            "person-birth_date": "2001-07-21", "person-citizenship": "KG", "person-language": "ky",
            "person-phone": "+7 911 203 44 18", "owner": str(users["case_worker"].pk), "risk_level": "high",
            "vulnerabilities": ["security_risk"], "summary": "Referred by NGO X.", "version": inbound.version,
            "open": "1",
        })

    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/cases/{case.reference}/"
    person = Person.objects.get()
    assert (person.full_name, person.languages, person.citizenships) == ("Турсунова Малика", ["ky"], ["KG"])
    assert ProgrammeRegistration.objects.filter(person=person, programme=Programme.COUNTER_TRAFFICKING).exists()
    assert (case.programme, case.channel, case.referring_organisation, case.referral_received) == (
        Programme.COUNTER_TRAFFICKING, Channel.NGO, inbound.organisation, inbound)
    assert (case.owner, case.risk_level, case.vulnerabilities) == (users["case_worker"], "high", ["security_risk"])
    assert case.principal == person
    inbound.refresh_from_db()
    assert (inbound.status, inbound.case, inbound.person) == (ReferralStatus.ACCEPTED, case, person)
    assert inbound.responded_at is not None
    assert set(CaseEvent.objects.filter(case=case).values_list("kind", flat=True)) == {"opened", "referral"}
    assert f"Opened from referral {inbound.reference} of NGO X." in CaseEvent.objects.filter(
        case=case, kind="referral").values_list("summary", flat=True)
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == sorted([users["partner_user"].email, users["case_worker"].email]), \
        "the partner (accepted) and the case owner (assigned)"
    assert AuditEvent.objects.filter(action=Action.UPDATE, object_type="cases.referral",
                                     object_id=str(inbound.pk)).get().changes["case"] == [None, case.reference]


def test_the_partner_then_sees_accepted_but_nothing_of_the_case(users, client_for, inbound):
    case = services.open_case_from_referral(users["case_worker"], inbound, owner=users["case_worker"],
                                            version=inbound.version, new_person=PERSON | {"citizenships": ["KG"]})
    content = client_for(users["partner_user"]).get(f"/referrals/{inbound.pk}/").content.decode()

    assert "Accepted" in content
    assert "Турсунова Малика" in content, "the partner still reads what it sent"
    assert case.reference not in content
    assert case.principal.reference not in content
    assert client_for(users["partner_user"]).get(f"/cases/{case.reference}/").status_code == 404


def test_a_person_already_in_the_registry_is_offered_and_chosen(users, client_for, inbound):
    existing = Person.objects.create(family_name="Турсунова", given_name="Малика", sex="F",
                                     birth_date=datetime.date(2001, 7, 21), citizenships=["KG"])
    ProgrammeRegistration.objects.create(person=existing, programme=Programme.COUNTER_TRAFFICKING)
    index.reindex(existing)
    client = client_for(users["case_worker"])

    page = client.get(open_url(inbound)).content.decode()
    assert existing.reference in page
    assert "Is the person one of these people?" in page

    new = {"who-who": "new", "person-family_name": "Турсунова", "person-given_name": "Малика", "person-sex": "F",
           "person-birth_date": "2001-07-21", "person-citizenship": "KG", "owner": str(users["case_worker"].pk),
           "risk_level": "medium", "version": inbound.version, "open": "1"}
    refused = client.post(open_url(inbound), new)
    assert "This person may already be registered" in refused.content.decode()
    assert not Case.objects.exists()

    response = client.post(open_url(inbound), {**new, "who-match": str(existing.pk)})
    assert response.status_code == 302
    assert Case.objects.get().principal == existing
    assert Person.objects.count() == 1


def test_a_case_is_opened_once(users, client_for, inbound):
    services.open_case_from_referral(users["case_worker"], inbound, owner=users["case_worker"],
                                     version=inbound.version, new_person={"family_name": "Турсунова"})

    with pytest.raises(ValidationError):
        services.open_case_from_referral(users["programme_manager"], inbound, owner=users["case_worker"],
                                         version=inbound.version + 1, new_person={"family_name": "Турсунова"})
    response = client_for(users["programme_manager"]).get(open_url(inbound))
    assert response.status_code == 302
    assert Case.objects.count() == 1
    assert Person.objects.count() == 1


def test_a_refused_case_registers_nobody(users, inbound):
    with pytest.raises(ValidationError) as error:
        services.open_case_from_referral(users["case_worker"], inbound, owner=users["hotline_operator"],
                                         version=inbound.version, new_person={"family_name": "Турсунова"})
    assert "owner" in error.value.message_dict
    assert not Person.objects.exists()
    inbound.refresh_from_db()
    assert inbound.status == ReferralStatus.SENT


def test_a_stale_form_opens_no_case(users, inbound):
    services.decline(users["programme_manager"], inbound, "Not for us.", version=inbound.version)
    with pytest.raises(ValidationError):
        services.open_case_from_referral(users["case_worker"], inbound, owner=users["case_worker"],
                                         version=inbound.version, new_person={"family_name": "Турсунова"})
    assert not Case.objects.exists()
    assert not Person.objects.exists()


@pytest.mark.parametrize("persona", ["partner_user", "partner_user_y", "case_worker_b", "hotline_operator",
                                     "me_officer"])
def test_nobody_else_opens_a_case_from_it(users, client_for, inbound, persona):
    before = last_event_id()

    response = client_for(users[persona]).get(open_url(inbound))

    assert response.status_code == 404
    assert AuditEvent.objects.filter(pk__gt=before, action=Action.DENY).exists()


def test_a_case_worker_no_longer_sees_a_referral_another_took_on(users, inbound):
    services.open_case_from_referral(users["programme_manager"], inbound, owner=users["programme_manager"],
                                     version=inbound.version, new_person={"family_name": "Турсунова"})
    assert not policy.can(users["case_worker"], "view", inbound)
    assert policy.can(users["programme_manager"], "view", inbound)
    assert policy.can(users["partner_user"], "view", inbound)
