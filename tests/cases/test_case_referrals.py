"""A case worker refers a member of a counter-trafficking case to a partner service: the form offers only what
the person's consent for that organisation covers, a referral without a covering consent is refused (and the
refusal audited), a withdrawal blocks the next one at once, a draft is sent only if the consent still covers
it, and every step is written on the case timeline; printed referrals to organisations without Waypoint users
are delivered and answered by staff. Partner users of other organisations reach none of it."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.http import Http404
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import timezone

from waypoint.accounts.models import Programme
from waypoint.audit.models import Action, AuditEvent
from waypoint.cases import panels, services, sharing, views
from waypoint.cases.casework import open_case
from waypoint.cases.models import (
    CaseEvent,
    Channel,
    DeliveryMethod,
    Referral,
    ReferralStatus,
    ReferralUpdate,
)
from waypoint.consent import services as consent_services
from waypoint.consent.models import DataCategory, HowGiven, Purpose
from waypoint.partners.models import Organisation, OrganisationType, Service
from waypoint.people import services as people_services

IDENTITY, CONTACTS, SITUATION, HEALTH = (DataCategory.IDENTITY, DataCategory.CONTACTS, DataCategory.SITUATION,
                                         DataCategory.HEALTH)
TODAY = timezone.localdate()


def last_event_id() -> int:
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


@pytest.fixture
def embassy(db):
    return Organisation.objects.create(name="Embassy of Uzbekistan", organisation_type=OrganisationType.DIPLOMATIC)


@pytest.fixture
def victim(users):
    """A woman from Uzbekistan, 29, speaking Uzbek, registered in the counter-trafficking programme."""
    return people_services.register(users["case_worker"], {
        "family_name": "Каримова", "given_name": "Дилноза", "sex": "F", "birth_date": datetime.date(1996, 5, 2),
        "citizenships": ["UZ"], "languages": ["uz"], "phone": "+7 921 555 01 02",
    }, programme=Programme.COUNTER_TRAFFICKING)


@pytest.fixture
def case(users, victim, embassy):
    return open_case(users["case_worker"], programme=Programme.COUNTER_TRAFFICKING, principal=victim,
                     owner=users["case_worker"], channel=Channel.DIPLOMATIC, referring_organisation=embassy)


@pytest.fixture
def shelter(ngo_x):
    """A shelter for women at NGO X, whose partner user answers in Waypoint."""
    return Service.objects.create(organization=ngo_x, name="Crisis shelter for women", accepts_sexes=["F"],
                                  capacity=12, available=3)


@pytest.fixture
def clinic(db):
    """A clinic of an organisation without Waypoint users: it gets a printed referral."""
    organisation = Organisation.objects.create(name="City clinic No. 5", organisation_type=OrganisationType.HEALTH)
    return Service.objects.create(organization=organisation, name="Medical examination")


def consent_for(users, person, organisation, categories, **kwargs):
    kwargs.setdefault("how_given", HowGiven.WRITTEN)
    return consent_services.record_consent(
        users["case_worker"], person, purpose=Purpose.REFERRAL, recipient_organisation=organisation,
        data_categories=categories, given_on=kwargs.pop("given_on", TODAY), **kwargs)


def refer(users, case, service, **kwargs):
    kwargs.setdefault("person", case.principal)
    kwargs.setdefault("reason", "Needs a safe place to stay while her return is organised.")
    return services.refer_from_case(users["case_worker"], case, service=service, **kwargs)


def referral_events(case):
    return list(CaseEvent.objects.filter(case=case, kind="referral").order_by("at", "id").values_list(
        "summary", flat=True))


def url(case):
    return f"/referrals/from-case/{case.reference}/"


# --- The form offers only what the consent covers ----------------------------------------------
def test_the_form_offers_only_the_kinds_of_data_the_consent_covers_and_names_the_consent(
    users, client_for, case, shelter, ngo_x,
):
    consent_for(users, case.principal, ngo_x, [IDENTITY, SITUATION], given_on=TODAY - datetime.timedelta(days=3))

    content = client_for(users["case_worker"]).get(f"{url(case)}?service={shelter.pk}").content.decode()

    assert 'name="categories" value="identity"' in content
    assert 'name="categories" value="situation"' in content
    assert 'name="categories" value="contacts"' not in content
    assert 'name="categories" value="health"' not in content
    assert "Written form signed" in content
    assert "has no valid consent" not in content


def test_without_any_consent_the_form_says_so_and_offers_nothing(users, client_for, case, shelter):
    content = client_for(users["case_worker"]).get(f"{url(case)}?service={shelter.pk}").content.decode()

    assert "has no valid consent to be referred to NGO X" in content
    assert f"/consent/person/{case.principal.pk}/new/?case={case.reference}" in content
    assert 'name="categories"' not in content


def test_a_consent_for_another_organisation_offers_nothing_here(users, client_for, case, shelter, ngo_y):
    consent_for(users, case.principal, ngo_y, [IDENTITY, CONTACTS])

    content = client_for(users["case_worker"]).get(f"{url(case)}?service={shelter.pk}").content.decode()

    assert 'name="categories"' not in content


def test_a_kind_of_data_the_consent_does_not_cover_cannot_be_posted(users, client_for, case, shelter, ngo_x):
    consent_for(users, case.principal, ngo_x, [IDENTITY])

    response = client_for(users["case_worker"]).post(url(case), {
        "person": case.principal.pk, "service": str(shelter.pk), "reason": "Needs shelter.",
        "categories": ["identity", "contacts"], "send": "1"})

    assert response.status_code == 200
    assert "does not cover “contacts”" in response.content.decode()
    assert not Referral.objects.exists()


def test_the_preview_shows_exactly_what_will_be_sent(users, client_for, case, shelter, ngo_x):
    consent_for(users, case.principal, ngo_x, [IDENTITY, SITUATION])

    response = client_for(users["case_worker"]).post(url(case), {
        "person": case.principal.pk, "service": str(shelter.pk), "reason": "Needs shelter.",
        "categories": ["identity", "situation"], "situation": "Identified at the airport.", "preview": "1"})

    preview = response.content.decode().split('id="preview"', 1)[1].split("</section>", 1)[0]
    assert "Каримова Дилноза" in preview
    assert "Identified at the airport." in preview
    assert "Female, 25 to 34, Uzbekistan, Uzbek" in preview
    assert "+7 921 555 01 02" not in preview, "contacts are not covered"
    assert not Referral.objects.exists()


# --- Sending -----------------------------------------------------------------------------------
def test_a_covered_referral_is_sent_with_exactly_the_chosen_data(
    users, case, shelter, ngo_x, django_capture_on_commit_callbacks,
):
    consent = consent_for(users, case.principal, ngo_x, [IDENTITY, SITUATION])

    with django_capture_on_commit_callbacks(execute=True):
        referral = refer(users, case, shelter, categories=[IDENTITY, SITUATION],
                         typed={"situation": "Identified at Sheremetyevo; passport kept by the employer."})

    assert (referral.status, referral.case, referral.person, referral.consent) == (
        ReferralStatus.SENT, case, case.principal, consent)
    assert (referral.programme, referral.office, referral.organisation) == (case.programme, case.office, ngo_x)
    assert referral.due_on == services.working_days_after(TODAY, services.answer_days())
    assert referral.delivered_at is not None, "delivered through the portal when sent"
    assert sharing.loads(referral.shared) == {
        "caller_sex": "F", "caller_age_band": "25-34", "caller_nationality": "UZ", "caller_language": "uz",
        "name": "Каримова Дилноза", "sex": "F", "birth_date": "1996-05-02", "citizenship": "UZ",
        "situation": "Identified at Sheremetyevo; passport kept by the employer.",
    }
    assert AuditEvent.objects.filter(action=Action.CREATE, object_type="cases.referral",
                                     object_id=str(referral.pk)).exists()
    share = AuditEvent.objects.get(action=Action.SHARE)
    assert (share.object_type, share.object_id) == ("people.person", str(case.principal.pk))
    assert share.changes["categories"] == [None, "identity, situation"]
    assert referral_events(case) == [
        f"Referral {referral.reference} sent to NGO X (Crisis shelter for women)."]
    [message] = mail.outbox
    assert message.to == [users["partner_user"].email]
    assert "Каримова" not in message.body


def test_without_a_consent_the_referral_is_refused_audited_and_nothing_is_saved(users, case, shelter, ngo_x):
    before = last_event_id()

    with pytest.raises(ValidationError) as error:
        refer(users, case, shelter, categories=[IDENTITY])

    assert error.value.message_dict["consent"] == [
        "The person has not consented to “Referral to another organisation” with NGO X (or that consent expired "
        "or was withdrawn)."]
    assert not Referral.objects.exists()
    assert not ReferralUpdate.objects.exists()
    assert not AuditEvent.objects.filter(pk__gt=before, object_type="cases.referral").exists()
    assert referral_events(case) == []
    [refusal] = AuditEvent.objects.filter(pk__gt=before, action=Action.DENY)
    assert (refusal.object_type, refusal.object_id, refusal.actor_id) == (
        "people.person", str(case.principal.pk), users["case_worker"].pk)
    assert refusal.changes["recipient"] == [None, str(ngo_x.pk)]
    assert refusal.changes["case"] == [None, case.reference]


def test_even_without_personal_fields_a_referral_needs_a_consent_for_the_organisation(users, case, shelter):
    with pytest.raises(ValidationError) as error:
        refer(users, case, shelter, categories=[])
    assert "consent" in error.value.message_dict
    assert not Referral.objects.exists()


def test_a_consent_that_covers_only_part_of_the_data_is_refused_with_what_it_lacks(users, case, shelter, ngo_x):
    consent_for(users, case.principal, ngo_x, [IDENTITY])

    with pytest.raises(ValidationError) as error:
        refer(users, case, shelter, categories=[IDENTITY, CONTACTS])

    assert error.value.message_dict["consent"] == [
        "The person's consent for NGO X does not cover: Phone, email, address."]
    assert not Referral.objects.exists()


def test_a_consent_for_the_organisations_type_covers_it(users, case, shelter):
    consent_services.record_consent(
        users["case_worker"], case.principal, purpose=Purpose.REFERRAL, recipient_type=OrganisationType.NGO,
        data_categories=[IDENTITY, CONTACTS], how_given=HowGiven.ORAL, witness="Irina Petrova", given_on=TODAY)

    referral = refer(users, case, shelter, categories=[IDENTITY, CONTACTS])

    assert sharing.loads(referral.shared)["phone"] == "+7 921 555 01 02"


def test_withdrawing_the_consent_blocks_the_next_referral_at_once(users, client_for, case, shelter, ngo_x):
    consent = consent_for(users, case.principal, ngo_x, [IDENTITY])
    first = refer(users, case, shelter, categories=[IDENTITY])

    consent_services.withdraw(users["case_worker"], consent, "Changed her mind on the phone.")

    with pytest.raises(ValidationError) as error:
        refer(users, case, shelter, categories=[IDENTITY])
    assert "withdrawn" in error.value.message_dict["consent"][0]
    assert list(Referral.objects.all()) == [first]
    content = client_for(users["case_worker"]).get(f"{url(case)}?service={shelter.pk}").content.decode()
    assert "has no valid consent" in content


def test_sending_without_consent_from_the_page_says_why_and_saves_nothing(users, client_for, case, shelter):
    before = last_event_id()

    response = client_for(users["case_worker"]).post(url(case), {
        "person": case.principal.pk, "service": str(shelter.pk), "reason": "Needs shelter.", "send": "1"})

    content = response.content.decode()
    assert response.status_code == 200
    assert "has not consented to “Referral to another organisation” with NGO X" in content
    assert not Referral.objects.exists()
    assert AuditEvent.objects.filter(pk__gt=before, action=Action.DENY, object_type="people.person").exists()


def test_sending_from_the_page_goes_to_the_referral(users, client_for, case, shelter, ngo_x):
    consent_for(users, case.principal, ngo_x, [IDENTITY, HEALTH])

    response = client_for(users["case_worker"]).post(url(case), {
        "person": case.principal.pk, "service": str(shelter.pk), "reason": "Needs shelter.",
        "categories": ["identity", "health"], "health": "Pregnant, 5 months.", "send": "1"})

    referral = Referral.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/referrals/{referral.pk}/"
    assert sharing.loads(referral.shared)["health"] == "Pregnant, 5 months."


# --- Eligibility ---------------------------------------------------------------------------------
def test_a_service_that_would_not_take_the_person_is_refused(users, case, shelter, ngo_x):
    consent_for(users, case.principal, ngo_x, [IDENTITY])
    Service.objects.filter(pk=shelter.pk).update(minimum_age=35)

    with pytest.raises(ValidationError) as error:
        refer(users, case, Service.objects.get(pk=shelter.pk), categories=[IDENTITY])

    assert error.value.message_dict["service"] == ["Accepts only people aged 35+."]
    assert not Referral.objects.exists()


def test_eligibility_reads_sex_and_nationality_from_the_registry(users, case, victim):
    men_only = Service.objects.create(organization=Organisation.objects.create(
        name="Men's hostel", organisation_type=OrganisationType.NGO), name="Hostel", accepts_sexes=["M"],
        accepts_nationalities=["TJ"])

    assert services.case_service_refusals(men_only, victim) == [
        "Accepts only: Male.", "Accepts only citizens of: Tajikistan."]
    victim.citizenships = ["UZ", "TJ"]
    assert services.case_service_refusals(men_only, victim) == ["Accepts only: Male."], "one accepted citizenship"


def test_the_form_lists_the_reasons_a_service_would_refuse_the_person(users, client_for, case, ngo_y):
    Service.objects.create(organization=ngo_y, name="Men's hostel", accepts_sexes=["M"])

    content = client_for(users["case_worker"]).get(url(case)).content.decode()

    assert "Accepts only: Male." in content


def test_only_a_member_of_the_case_is_referred(users, case, shelter, ngo_x):
    stranger = people_services.register(users["case_worker"], {"family_name": "Other", "given_name": "Person"},
                                        programme=Programme.COUNTER_TRAFFICKING)
    consent_for(users, stranger, ngo_x, [IDENTITY])

    with pytest.raises(ValidationError) as error:
        refer(users, case, shelter, person=stranger, categories=[IDENTITY])

    assert "person" in error.value.message_dict
    assert not Referral.objects.exists()


# --- Drafts ----------------------------------------------------------------------------------------
def test_a_draft_is_not_sent_and_sending_it_asks_the_consent_again(users, client_for, case, shelter, ngo_x):
    consent = consent_for(users, case.principal, ngo_x, [IDENTITY])
    draft = refer(users, case, shelter, categories=[IDENTITY], as_draft=True)

    assert (draft.status, draft.sent_at, draft.due_on, draft.delivered_at) == (ReferralStatus.DRAFT, None, None, None)
    assert not AuditEvent.objects.filter(action=Action.SHARE).exists()
    assert client_for(users["partner_user"]).get(f"/referrals/{draft.pk}/").status_code == 404
    assert services.allowed_actions(users["case_worker"], draft) == [services.SEND, services.CANCEL]

    consent_services.withdraw(users["case_worker"], consent)
    with pytest.raises(ValidationError) as error:
        services.act(users["case_worker"], draft, services.SEND, version=draft.version)
    assert "consent" in error.value.message_dict
    draft.refresh_from_db()
    assert draft.status == ReferralStatus.DRAFT
    assert AuditEvent.objects.filter(action=Action.DENY, object_type="people.person").get().changes["referral"] == [
        None, draft.reference]

    renewed = consent_for(users, case.principal, ngo_x, [IDENTITY, CONTACTS])
    sent = services.act(users["case_worker"], draft, services.SEND, version=draft.version)

    assert (sent.status, sent.consent) == (ReferralStatus.SENT, renewed)
    assert sent.sent_at is not None
    assert sent.due_on == services.working_days_after(TODAY, services.answer_days())
    assert AuditEvent.objects.filter(action=Action.SHARE, object_id=str(case.principal.pk)).count() == 1
    assert referral_events(case) == [
        f"Referral {draft.reference} to NGO X (Crisis shelter for women) saved as a draft.",
        f"Referral {draft.reference} to NGO X: sent.",
    ]


def test_a_draft_is_sent_from_its_page(users, client_for, case, shelter, ngo_x):
    consent_for(users, case.principal, ngo_x, [IDENTITY])
    draft = refer(users, case, shelter, categories=[IDENTITY], as_draft=True)
    client = client_for(users["case_worker"])

    assert "Send the referral" in client.get(f"/referrals/{draft.pk}/").content.decode()
    response = client.post(f"/referrals/{draft.pk}/answer/", {"action": "send", "version": draft.version})

    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == ReferralStatus.SENT


def test_a_stale_send_changes_nothing(users, case, shelter, ngo_x):
    consent_for(users, case.principal, ngo_x, [IDENTITY])
    draft = refer(users, case, shelter, categories=[IDENTITY], as_draft=True)
    services.act(users["case_worker"], draft, services.SEND, version=draft.version)

    with pytest.raises(services.ConflictError):
        services.act(users["case_worker"], draft, services.SEND, version=draft.version)
    assert AuditEvent.objects.filter(action=Action.SHARE).count() == 1


# --- The partner's answers on the case ------------------------------------------------------------
def panel_html(user, case) -> str:
    request = RequestFactory().get(f"/cases/{case.reference}/")
    request.user = user
    user.is_verified = lambda: True  # past the second factor, as on the case page
    [panel] = [panel for panel in panels.panels_for(case) if panel.key == "referrals"]
    assert (panel.order, panel.template, panel.context) == (60, "cases/_panel_referrals.html", views.referrals_panel)
    context = views.referrals_panel(request, case)
    return render_to_string("cases/_panel_referrals.html", {"case": case, **context}, request=request)


def test_every_answer_of_the_partner_is_on_the_timeline_and_the_feedback_on_the_panel(
    users, case, shelter, ngo_x, django_capture_on_commit_callbacks,
):
    consent_for(users, case.principal, ngo_x, [IDENTITY])
    referral = refer(users, case, shelter, categories=[IDENTITY])
    partner = users["partner_user"]

    with django_capture_on_commit_callbacks(execute=True):
        referral = services.accept(partner, referral, "We will meet her at 18:00.", version=referral.version)
    referral = services.report_progress(partner, referral, "Checked in, room 4.", version=referral.version)
    referral = services.complete(partner, referral, "Stayed three weeks; flew home on 12 May.",
                                 version=referral.version)

    reference = referral.reference
    assert referral_events(case) == [
        f"Referral {reference} sent to NGO X (Crisis shelter for women).",
        f"Referral {reference} to NGO X: accepted.",
        f"Referral {reference} to NGO X: in progress. Checked in, room 4.",
        f"Referral {reference} to NGO X: completed. Stayed three weeks; flew home on 12 May.",
    ]
    assert [m.to for m in mail.outbox] == [[users["case_worker"].email]], "the case worker is told"
    html = panel_html(users["case_worker"], case)
    assert reference in html
    assert "Stayed three weeks; flew home on 12 May." in html
    assert "Completed" in html


def test_a_decline_reason_shows_on_the_panel(users, case, shelter, ngo_x):
    consent_for(users, case.principal, ngo_x, [IDENTITY])
    referral = refer(users, case, shelter, categories=[IDENTITY])

    services.decline(users["partner_user"], referral, "No free beds this week.", version=referral.version)

    assert "No free beds this week." in panel_html(users["case_worker"], case)
    assert referral_events(case)[-1] == f"Referral {referral.reference} to NGO X: declined. No free beds this week."


def test_the_panel_flags_overdue_referrals(users, case, shelter, ngo_x):
    consent_for(users, case.principal, ngo_x, [IDENTITY])
    late = refer(users, case, shelter, categories=[IDENTITY])
    Referral.objects.filter(pk=late.pk).update(due_on=TODAY - datetime.timedelta(days=1))

    html = panel_html(users["case_worker"], case)

    assert "Answer overdue" in html
    assert "Refer to a partner" in html


def test_overdue_means_unanswered_past_due_or_accepted_without_news_for_long(users, case, shelter, ngo_x):
    consent_for(users, case.principal, ngo_x, [IDENTITY])
    referral = refer(users, case, shelter, categories=[IDENTITY])
    due = referral.due_on

    assert services.overdue_reason(referral, today=due) == ""
    assert services.overdue_reason(referral, today=due + datetime.timedelta(days=1)).startswith("Answer overdue")
    accepted = services.accept(users["partner_user"], referral, version=referral.version)
    answered = timezone.localtime(accepted.responded_at).date()
    quiet = answered + datetime.timedelta(days=services.follow_up_days())
    assert services.overdue_reason(accepted, today=quiet) == ""
    assert "no news" in services.overdue_reason(accepted, today=quiet + datetime.timedelta(days=1))
    news = timezone.now() + datetime.timedelta(days=services.follow_up_days())
    assert services.overdue_reason(accepted, today=quiet + datetime.timedelta(days=1), last_activity=news) == ""


# --- Organisations without Waypoint users: printed, delivered, answered by staff --------------------
def test_a_printed_referral_is_sent_when_its_delivery_is_recorded(users, client_for, case, clinic):
    consent_for(users, case.principal, clinic.organization, [IDENTITY, HEALTH])
    draft = refer(users, case, clinic, categories=[IDENTITY], as_draft=True)
    client = client_for(users["case_worker"])
    assert "to be printed and delivered" in panel_html(users["case_worker"], case)

    response = client.post(f"/referrals/{draft.pk}/delivery/", {
        "method": DeliveryMethod.FAX, "delivered_on": TODAY.isoformat(), "version": draft.version})

    assert response.status_code == 302
    assert response["Location"] == f"/cases/{case.reference}/#referrals"
    draft.refresh_from_db()
    assert (draft.status, draft.delivery_method) == (ReferralStatus.SENT, DeliveryMethod.FAX)
    assert draft.sent_at is not None
    assert draft.delivered_at is not None
    assert draft.due_on == services.working_days_after(TODAY, services.answer_days())
    assert AuditEvent.objects.filter(action=Action.SHARE).exists()
    assert referral_events(case)[-1] == (
        f"Referral {draft.reference} to City clinic No. 5: sent. Delivered: fax, {TODAY}.")
    assert "Delivered: Fax" in panel_html(users["case_worker"], case)


def test_a_delivery_in_the_past_dates_the_sending(users, case, clinic):
    consent_for(users, case.principal, clinic.organization, [IDENTITY])
    referral = refer(users, case, clinic, categories=[IDENTITY])
    Referral.objects.filter(pk=referral.pk).update(created_at=timezone.now() - datetime.timedelta(days=5))
    referral.refresh_from_db()
    assert referral.delivered_at is None, "sent, but not delivered: the clinic has no Waypoint users"

    delivered = services.record_delivery(users["case_worker"], referral, method=DeliveryMethod.POST,
                                         delivered_on=TODAY - datetime.timedelta(days=2), version=referral.version)

    assert timezone.localtime(delivered.delivered_at).date() == TODAY - datetime.timedelta(days=2)
    assert delivered.status == ReferralStatus.SENT


@pytest.mark.parametrize(("method", "on", "field"), [
    pytest.param("waypoint", TODAY, "method", id="not-a-printed-way"),
    pytest.param("fax", TODAY + datetime.timedelta(days=1), "delivered_on", id="in-the-future"),
    pytest.param("fax", TODAY - datetime.timedelta(days=30), "delivered_on", id="before-it-was-made"),
    pytest.param("fax", None, "delivered_on", id="no-date"),
])
def test_a_wrong_delivery_is_refused_and_changes_nothing(users, case, clinic, method, on, field):
    consent_for(users, case.principal, clinic.organization, [IDENTITY])
    draft = refer(users, case, clinic, categories=[IDENTITY], as_draft=True)

    with pytest.raises(ValidationError) as error:
        services.record_delivery(users["case_worker"], draft, method=method, delivered_on=on, version=draft.version)

    assert field in error.value.message_dict
    draft.refresh_from_db()
    assert draft.status == ReferralStatus.DRAFT


def test_delivering_a_draft_after_the_consent_was_withdrawn_is_refused(users, case, clinic):
    consent = consent_for(users, case.principal, clinic.organization, [IDENTITY])
    draft = refer(users, case, clinic, categories=[IDENTITY], as_draft=True)
    consent_services.withdraw(users["case_worker"], consent)

    with pytest.raises(ValidationError) as error:
        services.record_delivery(users["case_worker"], draft, method="post", delivered_on=TODAY,
                                 version=draft.version)

    assert "consent" in error.value.message_dict
    draft.refresh_from_db()
    assert (draft.status, draft.delivered_at) == (ReferralStatus.DRAFT, None)


def test_an_organisation_with_users_gets_no_recorded_delivery(users, case, shelter, ngo_x):
    consent_for(users, case.principal, ngo_x, [IDENTITY])
    referral = refer(users, case, shelter, categories=[IDENTITY])

    assert not services.may_record_delivery(users["case_worker"], referral)
    with pytest.raises(ValidationError) as error:
        services.record_delivery(users["case_worker"], referral, method="fax", delivered_on=TODAY,
                                 version=referral.version)
    assert "NGO X has Waypoint users" in error.value.messages[0]


def test_staff_record_the_answer_of_an_organisation_without_users_on_the_case(users, case, clinic):
    consent_for(users, case.principal, clinic.organization, [IDENTITY])
    referral = refer(users, case, clinic, categories=[IDENTITY])

    assert services.allowed_actions(users["case_worker"], referral) == [
        services.CANCEL, services.ACCEPT, services.DECLINE]
    services.decline(users["case_worker"], referral, "Answered by phone: no doctor until June.",
                     version=referral.version)

    assert referral_events(case)[-1].endswith("declined. Answered by phone: no doctor until June.")
    event = AuditEvent.objects.filter(action=Action.UPDATE, object_type="cases.referral").get()
    assert event.changes["answered_for"] == [None, str(clinic.organization_id)]


# --- Who reaches what ------------------------------------------------------------------------------
@pytest.fixture
def sent(users, case, shelter, ngo_x):
    consent_for(users, case.principal, ngo_x, [IDENTITY])
    return refer(users, case, shelter, categories=[IDENTITY])


def test_the_partners_inbox_lists_the_referral_without_any_shared_field(users, client_for, sent):
    content = client_for(users["partner_user"]).get("/referrals/").content.decode()

    assert sent.reference in content
    assert "Crisis shelter for women" in content
    assert "Каримова" not in content
    assert "Needs a safe place" not in content
    assert sent.case.reference not in content


@pytest.mark.parametrize(("method", "address"), [
    ("get", "/referrals/{pk}/"), ("get", "/referrals/{pk}/pdf/?language=en"), ("post", "/referrals/{pk}/answer/"),
    ("get", "/referrals/{pk}/delivery/"), ("post", "/referrals/{pk}/delivery/"), ("get", "/referrals/{pk}/print/"),
])
def test_a_partner_user_of_another_organisation_gets_not_found_everywhere(
    users, client_for, sent, method, address,
):
    before = last_event_id()
    client = client_for(users["partner_user_y"])

    response = getattr(client, method)(address.format(pk=sent.pk), {"action": "accept", "version": sent.version}
                                       if method == "post" else None)

    assert response.status_code == 404
    assert "Каримова" not in response.content.decode()
    [denial] = AuditEvent.objects.filter(pk__gt=before, action=Action.DENY)
    assert (denial.actor_id, denial.object_type, denial.object_id) == (
        users["partner_user_y"].pk, "cases.referral", str(sent.pk))
    sent.refresh_from_db()
    assert sent.status == ReferralStatus.SENT


def test_the_partner_of_the_organisation_cannot_record_a_delivery(users, client_for, sent):
    before = last_event_id()
    response = client_for(users["partner_user"]).get(f"/referrals/{sent.pk}/delivery/")
    assert response.status_code == 404
    assert AuditEvent.objects.filter(pk__gt=before, action=Action.DENY).exists()


@pytest.mark.parametrize("persona", ["case_worker_b", "hotline_operator", "partner_user", "me_officer",
                                     "data_protection_officer", "administrator"])
def test_only_staff_of_the_case_open_its_referral_form(users, client_for, case, persona):
    before = last_event_id()

    response = client_for(users[persona]).get(url(case))

    assert response.status_code == 404
    [denial] = AuditEvent.objects.filter(pk__gt=before, action=Action.DENY)
    assert (denial.object_type, denial.object_id) == ("cases.case", case.reference)


@pytest.mark.parametrize("persona", ["case_worker", "programme_manager"])
def test_the_owner_and_the_programme_manager_open_the_referral_form(users, client_for, case, persona):
    assert client_for(users[persona]).get(url(case)).status_code == 200


def test_another_case_worker_cannot_refer_from_the_case(users, case, shelter):
    with pytest.raises(Http404):
        services.refer_from_case(users["case_worker_b"], case, person=case.principal, service=shelter, reason="x")
    assert not Referral.objects.exists()


@pytest.mark.parametrize("url_", [
    "/referrals/from-case/CT-2026-00001/", "/referrals/{pk}/pdf/", "/referrals/{pk}/delivery/",
    "/referrals/{pk}/open-case/", "/referrals/to-the-office/",
])
def test_an_anonymous_visitor_is_sent_to_sign_in(client, sent, url_):
    response = client.get(url_.format(pk=sent.pk))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
