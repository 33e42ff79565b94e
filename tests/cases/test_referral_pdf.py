"""The printed referral for an organisation without Waypoint users: a real PDF, in English or Russian, carrying
the shared fields and none of the others, the office's contact, the answer's due date and a reply section; its
download goes through the policy and is recorded."""

import datetime
import io

import pytest
from django.utils import timezone
from pypdf import PdfReader

from waypoint.accounts.models import Programme
from waypoint.audit.models import Action, AuditEvent
from waypoint.cases import printable_referral, services
from waypoint.cases.casework import open_case
from waypoint.cases.models import Channel, Referral
from waypoint.consent import services as consent_services
from waypoint.consent.models import DataCategory, HowGiven, Purpose
from waypoint.partners.models import Organisation, OrganisationType, Service
from waypoint.people import services as people_services

TODAY = timezone.localdate()
NAME, PHONE = "Каримова Дилноза", "+7 921 555 01 02"


def text_of(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


def flat(text: str) -> str:
    """pypdf may break a line anywhere: compare without line breaks and repeated spaces."""
    return " ".join(text.split())


@pytest.fixture
def clinic(db):
    organisation = Organisation.objects.create(name="City clinic No. 5", organisation_type=OrganisationType.HEALTH)
    return Service.objects.create(organization=organisation, name="Medical examination")


@pytest.fixture
def case(users):
    person = people_services.register(users["case_worker"], {
        "family_name": "Каримова", "given_name": "Дилноза", "sex": "F", "birth_date": datetime.date(1996, 5, 2),
        "citizenships": ["UZ"], "languages": ["uz"], "phone": PHONE, "address": "Moscow, Lesnaya St 20",
    }, programme=Programme.COUNTER_TRAFFICKING)
    return open_case(users["case_worker"], programme=Programme.COUNTER_TRAFFICKING, principal=person,
                     owner=users["case_worker"], channel=Channel.LAW_ENFORCEMENT)


@pytest.fixture
def consent(users, case, clinic):
    return consent_services.record_consent(
        users["case_worker"], case.principal, purpose=Purpose.REFERRAL, recipient_organisation=clinic.organization,
        data_categories=[DataCategory.IDENTITY, DataCategory.HEALTH, DataCategory.CONTACTS],
        how_given=HowGiven.WRITTEN, given_on=TODAY)


@pytest.fixture
def draft(users, case, clinic, consent):
    """Identity and health sent; contacts (phone, address) covered by the consent but not chosen."""
    return services.refer_from_case(
        users["case_worker"], case, person=case.principal, service=clinic, reason="Medical examination after "
        "three months of forced labour.", categories=[DataCategory.IDENTITY, DataCategory.HEALTH],
        typed={"health": "Back pain, suspected untreated fracture."}, due_on=TODAY + datetime.timedelta(days=7),
        as_draft=True)


def test_the_english_form_is_a_pdf_with_the_shared_fields_only(draft):
    pdf = printable_referral.referral_pdf(draft, "en")

    assert pdf.startswith(b"%PDF")
    text = flat(text_of(pdf))
    assert draft.reference in text
    assert "City clinic No. 5" in text
    assert "Medical examination" in text
    assert NAME in text
    assert "1996-05-02" in text
    assert "Back pain, suspected untreated fracture." in text
    assert "Medical examination after three months of forced labour." in text
    assert PHONE not in text, "contacts were not chosen"
    assert "Lesnaya" not in text
    assert "Please answer by" in text
    assert (TODAY + datetime.timedelta(days=7)).strftime("%Y") in text
    assert "Moscow office" in text
    assert "case_worker@example.org" in text, "who to contact at the office"
    assert "Answer of City clinic No. 5" in text
    assert "We accept the referral." in text
    assert draft.case.reference not in text, "nothing of the case beyond the referral"


def test_the_russian_form_is_in_russian(draft):
    pdf = printable_referral.referral_pdf(draft, "ru")

    assert pdf.startswith(b"%PDF")
    text = flat(text_of(pdf))
    assert f"Направление {draft.reference}" in text
    assert "Причина направления" in text
    assert "Переданные сведения" in text
    assert "Просим ответить до" in text
    assert NAME in text
    assert PHONE not in text
    assert "Reason for the referral" not in text


def test_after_the_consent_is_withdrawn_the_form_carries_no_personal_data(users, draft, consent):
    consent_services.withdraw(users["case_worker"], consent)

    text = flat(text_of(printable_referral.referral_pdf(Referral.objects.get(pk=draft.pk), "en")))

    assert NAME not in text
    assert "Back pain" not in text
    assert "The person withdrew their consent" in text
    assert "Female, 25 to 34, Uzbekistan, Uzbek" in text


def test_an_unknown_language_is_a_programming_error(draft):
    with pytest.raises(ValueError, match="printed in en or ru"):
        printable_referral.render_html(draft, "de")


# --- The download -----------------------------------------------------------------------------------
@pytest.mark.parametrize("language", ["en", "ru"])
def test_staff_download_it_and_the_download_is_recorded(users, client_for, draft, language):
    response = client_for(users["case_worker"]).get(f"/referrals/{draft.pk}/pdf/?language={language}")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f'filename="referral-{draft.reference}-{language}.pdf"' in response["Content-Disposition"]
    assert NAME not in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF")
    event = AuditEvent.objects.get(action=Action.EXPORT, object_type="cases.referral")
    assert (event.object_id, event.actor_id) == (str(draft.pk), users["case_worker"].pk)
    assert event.changes["language"] == [None, language]


def test_an_unknown_language_sends_back_to_the_referral(users, client_for, draft):
    response = client_for(users["case_worker"]).get(f"/referrals/{draft.pk}/pdf/?language=de")

    assert response.status_code == 302
    assert response["Location"] == f"/referrals/{draft.pk}/"
    assert not AuditEvent.objects.filter(action=Action.EXPORT).exists()


@pytest.mark.parametrize("persona", ["case_worker_b", "partner_user", "partner_user_y", "hotline_operator",
                                     "me_officer", "data_protection_officer"])
def test_nobody_else_downloads_it(users, client_for, draft, persona):
    response = client_for(users[persona]).get(f"/referrals/{draft.pk}/pdf/?language=en")

    assert response.status_code == 404
    denial = AuditEvent.objects.get(action=Action.DENY)
    assert (denial.object_type, denial.object_id) == ("cases.referral", str(draft.pk))
    assert not AuditEvent.objects.filter(action=Action.EXPORT).exists()


def test_the_referral_page_links_the_pdf_and_the_delivery(users, client_for, draft):
    content = client_for(users["case_worker"]).get(f"/referrals/{draft.pk}/").content.decode()

    assert f"/referrals/{draft.pk}/pdf/?language=en" in content
    assert f"/referrals/{draft.pk}/pdf/?language=ru" in content
    assert f"/referrals/{draft.pk}/delivery/" in content
