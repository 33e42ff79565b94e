"""What a partner still reads of a referral once the person's consent no longer covers it, once the referral
is cancelled, or once the partner organisation is deactivated (the security review of issue 4)."""

import datetime

import pytest
from django.utils import timezone
from django.utils.html import escape

from tests.cases.conftest import CALLER
from waypoint.cases import services, sharing
from waypoint.consent import services as consent_services
from waypoint.consent.models import ConsentRecord, DataCategory

NAME, PHONE = "Каримова Дилноза", "+7 921 555 01 02"
PROFILE = "Female, 25 to 34, Uzbekistan, Uzbek"
WITHDRAWN = "The person withdrew their consent: personal data are no longer shown."
EXPIRED = "The person's consent has expired or no longer covers these data: personal data are no longer shown."
CANCELLED = "This referral was cancelled: only its reference, status and the caller's anonymous description are shown."
PAGES = ["/referrals/{pk}/", "/referrals/{pk}/print/"]


@pytest.fixture
def referral(users, consultation, shelter):
    """Identity and contacts sent to NGO X (the partner user's organisation) with the caller's oral consent."""
    return services.refer_from_consultation(
        users["hotline_operator"], consultation, service=shelter, reason="Needs a safe place tonight.",
        categories=[DataCategory.IDENTITY, DataCategory.CONTACTS], new_person=CALLER, consent_kwargs={},
    )


def page(client, url, referral) -> str:
    response = client.get(url.format(pk=referral.pk))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("url", PAGES)
def test_a_partner_reads_personal_data_while_the_consent_covers_them(users, client_for, referral, url):
    content = page(client_for(users["partner_user"]), url, referral)

    assert NAME in content
    assert PHONE in content
    assert escape(WITHDRAWN) not in content


@pytest.mark.parametrize("url", PAGES)
def test_after_the_consent_is_withdrawn_the_partner_sees_only_the_anonymous_profile(users, client_for, referral, url):
    consent_services.withdraw(users["hotline_operator"], referral.consent, "Called to withdraw.")

    content = page(client_for(users["partner_user"]), url, referral)

    assert NAME not in content
    assert PHONE not in content
    assert escape(WITHDRAWN) in content
    assert PROFILE in content
    assert referral.reference in content


@pytest.mark.parametrize("url", PAGES)
def test_after_the_consent_expires_the_partner_sees_only_the_anonymous_profile(users, client_for, referral, url):
    today = timezone.localdate()
    ConsentRecord.objects.filter(pk=referral.consent_id).update(
        given_on=today - datetime.timedelta(days=30), expires_on=today - datetime.timedelta(days=1))

    content = page(client_for(users["partner_user"]), url, referral)

    assert NAME not in content
    assert PHONE not in content
    assert escape(EXPIRED) in content
    assert PROFILE in content


def test_staff_still_see_what_was_sent_after_the_withdrawal(users, client_for, referral):
    """On the referral page: the office's record of what left it. The printable page is the form handed to the
    organisation, so it carries what the organisation may read now (tests/security/test_issue5_review.py)."""
    consent_services.withdraw(users["hotline_operator"], referral.consent, "")

    content = page(client_for(users["hotline_operator"]), PAGES[0], referral)

    assert NAME in content
    assert PHONE in content
    assert escape(WITHDRAWN) not in content


def test_a_new_consent_for_the_organisation_shows_the_data_again(users, referral):
    """The gate asks `may_share` at every reading: whichever valid record covers the data counts."""
    consent_services.withdraw(users["hotline_operator"], referral.consent, "")
    assert sharing.visible_rows(referral, users["partner_user"]).withheld

    consent_services.record_consent(
        users["hotline_operator"], referral.person, purpose="referral", recipient_organisation=referral.organisation,
        data_categories=[DataCategory.IDENTITY, DataCategory.CONTACTS], how_given="oral", witness="Irina",
        given_on=timezone.localdate())

    shown = sharing.visible_rows(referral, users["partner_user"])
    assert not shown.withheld
    assert any(row.value == PHONE for row in shown.rows)


def test_an_anonymous_referral_needs_no_consent_to_be_read(users, consultation, shelter):
    anonymous = services.refer_from_consultation(users["hotline_operator"], consultation, service=shelter,
                                                 reason="Unpaid wages.")

    shown = sharing.visible_rows(anonymous, users["partner_user"])

    assert not shown.withheld
    assert [row.value for row in shown.rows] == [PROFILE]


@pytest.mark.parametrize("url", PAGES)
def test_a_cancelled_referral_shows_the_partner_only_reference_status_and_profile(users, client_for, referral, url):
    services.cancel(users["hotline_operator"], referral, "Sent by mistake.", version=referral.version)

    content = page(client_for(users["partner_user"]), url, referral)

    assert NAME not in content
    assert PHONE not in content
    assert "Needs a safe place tonight." not in content
    assert escape(CANCELLED) in content
    assert PROFILE in content
    assert referral.reference in content
    staff = page(client_for(users["hotline_operator"]), PAGES[0], referral)  # the printable page: as the partner's
    assert NAME in staff
    assert "Needs a safe place tonight." in staff


@pytest.mark.parametrize("url", [*PAGES, "/referrals/"])
def test_a_deactivated_organisations_users_lose_its_referrals(users, client_for, referral, url):
    organisation = referral.organisation
    organisation.is_active = False
    organisation.save(update_fields=["is_active"])

    response = client_for(users["partner_user"]).get(url.format(pk=referral.pk))

    content = response.content.decode()
    assert response.status_code == (200 if url == "/referrals/" else 404)
    assert referral.reference not in content
    assert PHONE not in content


def test_a_deactivated_organisation_cannot_answer(users, client_for, referral):
    referral.organisation.is_active = False
    referral.organisation.save(update_fields=["is_active"])

    response = client_for(users["partner_user"]).post(f"/referrals/{referral.pk}/answer/", {
        "action": "accept", "version": referral.version, "note": ""})

    assert response.status_code == 404
    referral.refresh_from_db()
    assert referral.status == "sent"
