"""The referral pages as their users meet them: the partner inbox and its walls between organisations,
answering a referral, the three doors from a consultation, and the first case page."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from tests.cases.conftest import CALLER
from waypoint.accounts.models import Programme
from waypoint.audit.models import Action, AuditEvent
from waypoint.cases import services, sharing
from waypoint.cases.models import Case, Referral, ReferralKind, ReferralStatus
from waypoint.consent.models import ConsentRecord, DataCategory, HowGiven
from waypoint.hotline.models import Outcome
from waypoint.partners.models import Service
from waypoint.people.models import Person, ProgrammeRegistration


def last_event_id() -> int:
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def denials_since(since: int):
    return AuditEvent.objects.filter(pk__gt=since, action=Action.DENY)


@pytest.fixture
def referral_x(users, consultation, shelter):
    """A referral with personal data to NGO X (the partner user's organisation)."""
    return services.refer_from_consultation(
        users["hotline_operator"], consultation, service=shelter, reason="Needs a safe place tonight.",
        categories=[DataCategory.IDENTITY, DataCategory.CONTACTS], new_person=CALLER, consent_kwargs={},
    )


@pytest.fixture
def referral_y(users, make_consultation, legal_aid):
    return services.refer_from_consultation(
        users["hotline_operator"], make_consultation(), service=legal_aid, reason="Unpaid wages for 4 months.")


# --- The inbox --------------------------------------------------------------------------------
def test_a_partner_user_sees_only_their_organisations_referrals(users, client_for, referral_x, referral_y):
    content = client_for(users["partner_user"]).get("/referrals/").content.decode()

    assert "Referrals to NGO X" in content
    assert referral_x.reference in content
    assert referral_y.reference not in content


def test_the_other_partner_user_sees_only_theirs(users, client_for, referral_x, referral_y):
    content = client_for(users["partner_user_y"]).get("/referrals/").content.decode()

    assert referral_y.reference in content
    assert referral_x.reference not in content


def test_drafts_never_reach_the_partner(users, client_for, referral_x):
    Referral.objects.filter(pk=referral_x.pk).update(status=ReferralStatus.DRAFT)
    client = client_for(users["partner_user"])

    assert referral_x.reference not in client.get("/referrals/").content.decode()
    assert client.get(f"/referrals/{referral_x.pk}/").status_code == 404


def test_the_inbox_filters_by_status(users, client_for, referral_x, consultation, shelter):
    other = services.refer_from_consultation(users["hotline_operator"], consultation, service=shelter, reason="x")
    services.accept(users["partner_user"], other, "", version=other.version)
    client = client_for(users["partner_user"])

    accepted = client.get("/referrals/?status=accepted").content.decode()
    sent = client.get("/referrals/?status=sent").content.decode()

    assert other.reference in accepted
    assert referral_x.reference not in accepted
    assert referral_x.reference in sent
    assert other.reference not in sent


def test_staff_see_the_referrals_in_their_scope(users, client_for, referral_x):
    assert referral_x.reference in client_for(users["hotline_operator"]).get("/referrals/").content.decode()
    assert referral_x.reference not in client_for(users["case_worker"]).get("/referrals/").content.decode()


# --- One referral -----------------------------------------------------------------------------
def test_the_partner_sees_what_was_shared_and_nothing_else(users, client_for, referral_x):
    before = last_event_id()
    response = client_for(users["partner_user"]).get(f"/referrals/{referral_x.pk}/")
    content = response.content.decode()

    assert response.status_code == 200
    assert "Каримова Дилноза" in content
    assert "+7 921 555 01 02" in content
    assert "Needs a safe place tonight." in content
    assert "Female, 25 to 34, Uzbekistan, Uzbek" in content
    assert reverse("people:detail", args=[referral_x.person_id]) not in content, "no link into the registry"
    assert referral_x.person.reference not in content
    assert "Accept" in content
    assert "Decline" in content
    assert AuditEvent.objects.filter(pk__gt=before, action=Action.VIEW, object_type="cases.referral",
                                     object_id=str(referral_x.pk), actor_id=users["partner_user"].pk).exists()


def test_staff_see_links_to_the_consultation_and_the_person(users, client_for, referral_x, consultation):
    content = client_for(users["hotline_operator"]).get(f"/referrals/{referral_x.pk}/").content.decode()

    assert reverse("people:detail", args=[referral_x.person_id]) in content
    assert reverse("hotline:detail", args=[consultation.pk]) in content
    assert "Cancel the referral" in content
    assert "Accept" not in content.split('id="answer"', 1)[1], "staff do not answer for a partner with users"


@pytest.mark.parametrize("url", ["/referrals/{pk}/", "/referrals/{pk}/print/"])
@pytest.mark.parametrize("persona", ["partner_user_y", "case_worker", "case_worker_b", "me_officer", "learner",
                                     "data_protection_officer", "administrator"])
def test_nobody_else_reaches_a_referral_by_its_address(users, client_for, referral_x, url, persona):
    before = last_event_id()

    response = client_for(users[persona]).get(url.format(pk=referral_x.pk))

    assert response.status_code == 404
    assert "Каримова" not in response.content.decode()
    [denial] = denials_since(before)
    assert (denial.actor_id, denial.object_type, denial.object_id) == (
        users[persona].pk, "cases.referral", str(referral_x.pk))


def test_a_referral_that_does_not_exist_is_not_found(users, client_for):
    response = client_for(users["partner_user"]).get("/referrals/00000000-0000-0000-0000-000000000000/")
    assert response.status_code == 404


@pytest.mark.parametrize("url", ["/referrals/{pk}/", "/referrals/{pk}/print/", "/referrals/{pk}/answer/"])
def test_an_anonymous_visitor_is_sent_to_sign_in(client, referral_x, url):
    response = client.get(url.format(pk=referral_x.pk))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_printable_page_shows_only_what_was_shared_and_is_audited(users, client_for, referral_x):
    before = last_event_id()
    content = client_for(users["hotline_operator"]).get(f"/referrals/{referral_x.pk}/print/").content.decode()

    assert referral_x.reference in content
    assert "Каримова Дилноза" in content
    assert 'class="site-header"' not in content
    assert "cases/print.js" in content
    event = AuditEvent.objects.get(pk__gt=before, action=Action.VIEW)
    assert event.changes == {"printed": ["", "yes"]}


# --- Answering --------------------------------------------------------------------------------
def answer(client, referral, action, note="", version=None):
    return client.post(f"/referrals/{referral.pk}/answer/", {
        "action": action, "version": referral.version if version is None else version, "note": note})


def test_the_partner_accepts_from_the_page(users, client_for, referral_x):
    client = client_for(users["partner_user"])

    response = answer(client, referral_x, "accept", "We expect her at 18:00.")

    assert response.status_code == 302
    assert response["Location"] == f"/referrals/{referral_x.pk}/"
    referral_x.refresh_from_db()
    assert referral_x.status == ReferralStatus.ACCEPTED
    page = client.get(response["Location"]).content.decode()
    assert "We expect her at 18:00." in page
    assert "Report progress" in page
    assert "Mark as completed" in page


def test_declining_without_a_reason_says_so_and_changes_nothing(users, client_for, referral_x):
    response = answer(client_for(users["partner_user"]), referral_x, "decline", "")

    assert response.status_code == 400
    assert "Say why the referral is declined" in response.content.decode()
    referral_x.refresh_from_db()
    assert referral_x.status == ReferralStatus.SENT


def test_a_stale_page_gets_a_conflict_message_and_keeps_the_note(users, client_for, referral_x):
    opened_at = referral_x.version
    services.accept(users["partner_user"], referral_x, "", version=opened_at)

    response = answer(client_for(users["partner_user"]), referral_x, "decline", "No beds left.", version=opened_at)

    assert response.status_code == 409
    content = response.content.decode()
    assert "Someone answered this referral while you had it open" in content
    assert "No beds left." in content.split('role="alert"', 1)[1].split("</div>", 1)[0], "what the user wrote is kept"
    referral_x.refresh_from_db()
    assert (referral_x.status, referral_x.decline_reason) == (ReferralStatus.ACCEPTED, "")


@pytest.mark.parametrize("persona", ["partner_user_y", "case_worker", "me_officer"])
def test_nobody_else_can_answer_a_referral(users, client_for, referral_x, persona):
    before = last_event_id()

    response = answer(client_for(users[persona]), referral_x, "accept")

    assert response.status_code == 404
    assert denials_since(before).get().object_id == str(referral_x.pk)
    referral_x.refresh_from_db()
    assert referral_x.status == ReferralStatus.SENT


def test_answering_by_get_is_refused(users, client_for, referral_x):
    assert client_for(users["partner_user"]).get(f"/referrals/{referral_x.pk}/answer/").status_code == 405


# --- Referral from a consultation ---------------------------------------------------------------
def from_consultation(consultation):
    return f"/referrals/from-consultation/{consultation.pk}/"


def test_the_form_lists_services_with_the_reasons_they_would_refuse(users, client_for, consultation, shelter, ngo_y):
    Service.objects.create(organization=ngo_y, name="Men's hostel", accepts_sexes=["M"])

    content = client_for(users["hotline_operator"]).get(from_consultation(consultation)).content.decode()

    assert "Crisis shelter for women" in content
    assert "Men&#x27;s hostel" in content or "Men's hostel" in content
    assert "Accepts only: Male." in content
    assert "Female, 25 to 34, Uzbekistan, Uzbek" in content


def test_an_anonymous_referral_is_sent_from_the_form(users, client_for, consultation, shelter):
    response = client_for(users["hotline_operator"]).post(from_consultation(consultation), {
        "service": str(shelter.pk), "reason": "Needs shelter tonight.", "share_mode": "anonymous", "send": "1",
        # leftovers of a personal choice the operator switched away from are ignored, never sent
        "categories": ["health"], "health": "typed by mistake",
    })

    referral = Referral.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/referrals/{referral.pk}/"
    assert set(sharing.loads(referral.shared)) == set(sharing.PROFILE_FIELDS)
    assert referral.consent is None


def test_a_service_not_accepting_is_refused_with_a_message_and_nothing_saved(users, client_for, consultation, shelter):
    Service.objects.filter(pk=shelter.pk).update(accepting_referrals=False)

    response = client_for(users["hotline_operator"]).post(from_consultation(consultation), {
        "service": str(shelter.pk), "reason": "Needs shelter.", "share_mode": "anonymous", "send": "1"})

    assert response.status_code == 200
    content = response.content.decode()
    assert "The service is not accepting referrals now." in content
    assert "Nothing was saved" in content
    assert not Referral.objects.exists()


def test_the_preview_shows_exactly_what_will_be_sent(users, client_for, consultation, shelter):
    response = client_for(users["hotline_operator"]).post(from_consultation(consultation), {
        "service": str(shelter.pk), "reason": "Needs shelter.", "share_mode": "personal",
        "categories": ["identity", "situation"], "situation": "Employer took her passport.",
        "who-who": "new", "person-family_name": "Каримова", "person-given_name": "Дилноза",
        "person-phone": "+7 921 555 01 02", "consent_given": "on", "preview": "1",
    })

    content = response.content.decode()
    preview = content.split('id="preview"', 1)[1].split("</section>", 1)[0]
    assert "Каримова Дилноза" in preview
    assert "Employer took her passport." in preview
    assert "+7 921 555 01 02" not in preview, "contacts were not chosen"
    assert not Referral.objects.exists()
    assert not Person.objects.exists()


def test_personal_data_without_the_callers_consent_is_refused(users, client_for, consultation, shelter):
    response = client_for(users["hotline_operator"]).post(from_consultation(consultation), {
        "service": str(shelter.pk), "reason": "Needs shelter.", "share_mode": "personal",
        "categories": ["identity"], "who-who": "new", "person-family_name": "Каримова",
        "person-given_name": "Дилноза", "send": "1",
    })

    assert response.status_code == 200
    assert "has not consented" in response.content.decode()
    assert not Referral.objects.exists()
    assert not Person.objects.exists()
    assert not ConsentRecord.objects.exists()


def test_personal_data_with_consent_registers_the_caller_and_sends(users, client_for, consultation, shelter):
    response = client_for(users["hotline_operator"]).post(from_consultation(consultation), {
        "service": str(shelter.pk), "reason": "Needs shelter.", "share_mode": "personal",
        "categories": ["identity", "contacts"], "who-who": "new", "person-family_name": "Каримова",
        "person-given_name": "Дилноза", "person-phone": "+7 921 555 01 02", "person-citizenship": "UZ",
        "consent_given": "on", "send": "1",
    })

    referral = Referral.objects.get()
    assert response.status_code == 302
    shared = sharing.loads(referral.shared)
    assert (shared["name"], shared["phone"], shared["citizenship"]) == ("Каримова Дилноза", "+7 921 555 01 02", "UZ")
    assert ConsentRecord.objects.get().how_given == HowGiven.ORAL
    consultation.refresh_from_db()
    assert consultation.person == referral.person


def test_a_likely_duplicate_must_be_acknowledged(users, client_for, consultation, shelter):
    existing = Person.objects.create(family_name="Каримова", given_name="Дилноза", sex="F")
    ProgrammeRegistration.objects.create(person=existing, programme=Programme.HOTLINE)
    from waypoint.people import index

    index.reindex(existing)
    data = {
        "service": str(shelter.pk), "reason": "Needs shelter.", "share_mode": "personal", "categories": ["identity"],
        "who-who": "new", "person-family_name": "Каримова", "person-given_name": "Дилноза", "person-sex": "F",
        "consent_given": "on", "send": "1",
    }
    client = client_for(users["hotline_operator"])

    response = client.post(from_consultation(consultation), data)
    assert "This person may already be registered" in response.content.decode()
    assert existing.reference in response.content.decode()
    assert not Referral.objects.exists()

    response = client.post(from_consultation(consultation), {**data, "who-match": str(existing.pk)})
    assert response.status_code == 302
    assert Referral.objects.get().person == existing
    assert Person.objects.count() == 1


@pytest.mark.parametrize("page", ["from-consultation", "escalate", "situation"])
@pytest.mark.parametrize("persona", ["case_worker", "partner_user", "me_officer", "programme_manager"])
def test_only_those_who_may_change_the_consultation_open_its_doors(users, client_for, consultation, page, persona):
    before = last_event_id()

    response = client_for(users[persona]).get(f"/referrals/{page}/{consultation.pk}/")

    assert response.status_code == 404
    [denial] = denials_since(before)
    assert (denial.object_type, denial.object_id) == ("hotline.consultation", str(consultation.pk))


@pytest.mark.parametrize("page", ["from-consultation", "escalate", "situation"])
def test_the_operator_opens_the_doors_of_their_consultation(users, client_for, consultation, page):
    assert client_for(users["hotline_operator"]).get(f"/referrals/{page}/{consultation.pk}/").status_code == 200


# --- Escalation ---------------------------------------------------------------------------------
def test_escalating_a_call_opens_a_case_and_returns_to_the_consultation(users, client_for, consultation):
    client = client_for(users["hotline_operator"])
    response = client.post(f"/referrals/escalate/{consultation.pk}/", {
        "who-who": "new", "person-family_name": "Каримова", "person-given_name": "Дилноза", "person-sex": "F",
        "consent-how_given": "oral", "consent-witness": "Irina Petrova", "consent-given_on": str(timezone.localdate()),
        "consent-data_categories": ["identity", "contacts", "situation"],
        "owner": str(users["case_worker"].pk), "summary": "Held in a flat.", "escalate": "1",
    })

    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("hotline:detail", args=[consultation.pk])
    consultation.refresh_from_db()
    assert (consultation.case, consultation.outcome) == (case, Outcome.ESCALATED)
    assert ConsentRecord.objects.get().data_categories == ["identity", "contacts", "situation"]
    followed = client.get(response["Location"]).content.decode()
    assert case.reference in followed


def test_escalating_without_an_owner_or_a_witness_saves_nothing(users, client_for, consultation):
    response = client_for(users["hotline_operator"]).post(f"/referrals/escalate/{consultation.pk}/", {
        "who-who": "new", "person-family_name": "Каримова", "person-given_name": "Дилноза",
        "consent-how_given": "guardian", "consent-witness": "", "consent-given_on": str(timezone.localdate()),
        "consent-data_categories": ["identity"], "owner": "", "escalate": "1",
    })

    content = response.content.decode()
    assert response.status_code == 200
    assert "Choose who will own the case." in content
    assert not Case.objects.exists()
    assert not Person.objects.exists()


def test_an_escalated_consultation_is_not_escalated_again(users, client_for, consultation):
    services.escalate_consultation(users["hotline_operator"], consultation, owner=users["case_worker"],
                                   consent={"how_given": "oral"}, new_person=CALLER)

    response = client_for(users["hotline_operator"]).get(f"/referrals/escalate/{consultation.pk}/")

    assert response.status_code == 302
    assert Case.objects.count() == 1


# --- Situation report -----------------------------------------------------------------------------
def test_a_situation_report_goes_to_the_chosen_authority(users, client_for, consultation, police):
    response = client_for(users["hotline_operator"]).post(f"/referrals/situation/{consultation.pk}/", {
        "authority": str(police.pk), "summary": "Workers locked in a warehouse.", "place": "Kolpino",
        "details": "About 20 men."})

    referral = Referral.objects.get()
    assert response.status_code == 302
    assert (referral.kind, referral.organisation) == (ReferralKind.SITUATION, police)
    printable = client_for(users["hotline_operator"]).get(f"/referrals/{referral.pk}/print/").content.decode()
    assert "Report of a trafficking situation" in printable
    assert "Kolpino" in printable


def test_an_ngo_is_not_offered_as_an_authority(users, client_for, consultation, ngo_x):
    page = client_for(users["hotline_operator"]).get(f"/referrals/situation/{consultation.pk}/").content.decode()
    assert "NGO X" not in page

    response = client_for(users["hotline_operator"]).post(f"/referrals/situation/{consultation.pk}/", {
        "authority": str(ngo_x.pk), "summary": "x"})
    assert response.status_code == 200
    assert not Referral.objects.exists()


# --- The case page ---------------------------------------------------------------------------------
@pytest.fixture
def case(users, consultation):
    return services.escalate_consultation(users["hotline_operator"], consultation, owner=users["case_worker"],
                                          consent={"how_given": "oral"}, new_person=CALLER)


@pytest.mark.parametrize("persona", ["case_worker", "programme_manager"])
def test_the_owner_and_the_programme_manager_open_the_case(users, client_for, case, persona):
    before = last_event_id()
    response = client_for(users[persona]).get(f"/cases/{case.reference}/")

    content = response.content.decode()
    assert response.status_code == 200
    assert case.reference in content
    assert "Каримова Дилноза" in content
    assert "Hotline" in content
    assert AuditEvent.objects.filter(pk__gt=before, action=Action.VIEW, object_type="cases.case").exists()


@pytest.mark.parametrize("persona", ["hotline_operator", "case_worker_b", "partner_user", "me_officer",
                                     "data_protection_officer", "administrator"])
def test_nobody_else_opens_the_case_not_even_the_operator_who_escalated_it(users, client_for, case, persona):
    before = last_event_id()

    response = client_for(users[persona]).get(f"/cases/{case.reference}/")

    assert response.status_code == 404
    [denial] = denials_since(before)
    assert (denial.object_type, denial.object_id) == ("cases.case", case.reference)


def test_the_person_page_lists_the_case_for_its_owner_not_for_the_operator(users, client_for, case):
    person = case.members.get().person

    owner_page = client_for(users["case_worker"]).get(f"/people/{person.pk}/").content.decode()
    operator_page = client_for(users["hotline_operator"]).get(f"/people/{person.pk}/").content.decode()

    assert f"/cases/{case.reference}/" in owner_page
    assert f"/cases/{case.reference}/" not in operator_page


def test_an_anonymous_referral_with_a_mistake_does_not_ask_about_the_caller(users, client_for, consultation, shelter):
    response = client_for(users["hotline_operator"]).post(from_consultation(consultation), {
        "service": str(shelter.pk), "reason": "", "share_mode": "anonymous", "send": "1"})

    content = response.content.decode()
    assert "Say why the caller is referred" in content or "This field is required." in content
    assert "Enter a family name or a given name." not in content
    assert not Referral.objects.exists()


def test_filtering_services_keeps_what_was_typed(users, client_for, consultation, shelter, legal_aid):
    response = client_for(users["hotline_operator"]).post(from_consultation(consultation), {
        "q": "legal", "reason": "Unpaid wages.", "share_mode": "anonymous", "filter": "1"})

    content = response.content.decode()
    assert "Legal aid" in content
    assert "Crisis shelter for women" not in content
    assert "Unpaid wages." in content
    assert "Nothing was saved" not in content


def test_searching_the_registry_while_escalating_finds_the_caller_and_judges_nothing(users, client_for, consultation):
    person = Person.objects.create(family_name="Каримова", given_name="Дилноза", sex="F")
    ProgrammeRegistration.objects.create(person=person, programme=Programme.HOTLINE)
    from waypoint.people import index

    index.reindex(person)
    client = client_for(users["hotline_operator"])

    found = client.post(f"/referrals/escalate/{consultation.pk}/", {
        "who-who": "existing", "who-q": "Каримова", "search": "1", "summary": "Held in a flat."}).content.decode()

    assert f'value="{person.pk}"' in found
    assert "Held in a flat." in found
    assert "Choose who will own the case." not in found
    assert AuditEvent.objects.filter(action=Action.VIEW, object_type="people.search").exists()

    response = client.post(f"/referrals/escalate/{consultation.pk}/", {
        "who-who": "existing", "who-q": "Каримова", "who-person": str(person.pk),
        "consent-how_given": "written", "consent-given_on": str(timezone.localdate()),
        "consent-data_categories": ["identity"], "owner": str(users["case_worker"].pk), "escalate": "1"})

    assert response.status_code == 302
    assert Case.objects.get().members.get().person == person
    assert Person.objects.count() == 1


# --- Consents on the case page ---------------------------------------------------------------------
def test_the_case_owner_sees_and_withdraws_a_consent_which_blocks_the_next_referral(
    users, client_for, case, make_consultation, shelter,
):
    person = case.members.get().person
    referral_consent = services.refer_from_consultation(
        users["hotline_operator"], make_consultation(person=person), service=shelter, reason="x",
        categories=[DataCategory.IDENTITY], consent_kwargs={}).consent
    client = client_for(users["case_worker"])
    page = client.get(f"/cases/{case.reference}/").content.decode()
    assert "Referral to another organisation" in page
    assert "NGO X" in page

    response = client.post(f"/cases/{case.reference}/consents/{referral_consent.pk}/withdraw/",
                           {"note": "Said so on the phone."})

    assert response.status_code == 302
    assert response["Location"] == f"/cases/{case.reference}/#consents"
    referral_consent.refresh_from_db()
    assert referral_consent.withdrawn_at is not None
    with pytest.raises(ValidationError) as refused:
        services.refer_from_consultation(
            users["hotline_operator"], make_consultation(person=person), service=shelter, reason="again",
            categories=[DataCategory.IDENTITY])
    assert "consent" in refused.value.message_dict


@pytest.mark.parametrize("persona", ["hotline_operator", "case_worker_b", "partner_user", "data_protection_officer"])
def test_nobody_else_withdraws_a_consent_from_the_case_page(users, client_for, case, persona):
    consent = ConsentRecord.objects.get()
    before = last_event_id()

    response = client_for(users[persona]).post(f"/cases/{case.reference}/consents/{consent.pk}/withdraw/")

    assert response.status_code == 404
    assert denials_since(before).exists()
    consent.refresh_from_db()
    assert consent.withdrawn_at is None


def test_withdrawing_needs_a_post(users, client_for, case):
    consent = ConsentRecord.objects.get()
    assert client_for(users["case_worker"]).get(
        f"/cases/{case.reference}/consents/{consent.pk}/withdraw/").status_code == 405
