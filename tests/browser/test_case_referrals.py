"""The victim referral system in Chromium: a case worker refers a woman from her case to an NGO shelter with only
the data her written consent covers; the NGO's partner user reads exactly that, accepts and reports completion;
the feedback shows on the case; after the consent is withdrawn the next referral is refused. Then the NGO refers
another person to the office, and the programme manager opens a case from it."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.helpers import sign_in_with_code
from waypoint.accounts.models import Programme
from waypoint.cases.casework import open_case
from waypoint.cases.models import Case, Channel, Referral, ReferralStatus
from waypoint.consent import services as consent_services
from waypoint.consent.models import ConsentRecord, DataCategory, HowGiven, Purpose
from waypoint.partners.models import Organisation, OrganisationType, Service
from waypoint.people import services as people_services

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_case_worker_refers_from_the_case_and_the_ngo_answers(browser, live_server, users):
    ngo = users["partner_user"].partner_organisation
    Service.objects.create(organization=ngo, name="Crisis shelter for women", accepts_sexes=["F"], available=2)
    embassy = Organisation.objects.create(name="Embassy of Uzbekistan", organisation_type=OrganisationType.DIPLOMATIC)
    worker = users["case_worker"]
    victim = people_services.register(worker, {
        "family_name": "Каримова", "given_name": "Дилноза", "sex": "F", "birth_date": datetime.date(1996, 5, 2),
        "citizenships": ["UZ"], "languages": ["uz"], "phone": "+7 921 555 01 02",
    }, programme=Programme.COUNTER_TRAFFICKING)
    case = open_case(worker, programme=Programme.COUNTER_TRAFFICKING, principal=victim, owner=worker,
                     channel=Channel.DIPLOMATIC, referring_organisation=embassy)
    consent = consent_services.record_consent(
        worker, victim, purpose=Purpose.REFERRAL, recipient_organisation=ngo,
        data_categories=[DataCategory.IDENTITY, DataCategory.SITUATION], how_given=HowGiven.WRITTEN,
        given_on=timezone.localdate())
    violations = []

    def new_page():
        context = browser.new_context(base_url=live_server.url, locale="en-GB")
        page = context.new_page()
        page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
        return page

    # The case worker, from the case page
    staff = new_page()
    sign_in_with_code(staff, worker)
    staff.goto(f"/cases/{case.reference}/")
    staff.locator("#referrals").get_by_role("link", name="Refer to a partner").click()
    staff.wait_for_url(re.compile(rf"/referrals/from-case/{case.reference}/$"))
    staff.get_by_label("Crisis shelter for women · NGO X").check()
    staff.get_by_role("button", name="Check the person's consent for this service").click()
    expect(staff.locator("#what")).to_contain_text("Written form signed")
    expect(staff.locator('input[name="categories"][value="contacts"]')).to_have_count(0)
    staff.locator('input[name="categories"][value="identity"]').check()
    staff.locator('input[name="categories"][value="situation"]').check()
    staff.get_by_role("textbox", name="Situation and needs").fill("Identified at Sheremetyevo; needs a safe place.")
    staff.get_by_label("Reason for the referral").fill("Needs shelter while her return is organised.")
    staff.get_by_role("button", name="Preview what is sent").click()
    preview = staff.locator("#preview")
    expect(preview).to_contain_text("Каримова Дилноза")
    expect(preview).not_to_contain_text("+7 921 555 01 02")
    screenshot(staff, "refer-preview")
    staff.get_by_role("button", name="Send the referral").click()
    staff.wait_for_url(re.compile(r"/referrals/[0-9a-f-]{36}/$"))
    referral = Referral.objects.get()
    expect(staff.locator(".messages")).to_contain_text(f"Referral {referral.reference} was sent to NGO X")

    # The NGO's partner user sees only what was shared, accepts and completes
    partner = new_page()
    sign_in_with_code(partner, users["partner_user"])
    partner.goto("/referrals/")
    partner.get_by_role("link", name=referral.reference).click()
    shared = partner.locator("#shared")
    expect(shared).to_contain_text("Каримова Дилноза")
    expect(shared).to_contain_text("Identified at Sheremetyevo")
    expect(partner.locator("main")).not_to_contain_text("+7 921 555 01 02")
    expect(partner.locator("main")).not_to_contain_text(case.reference)
    partner.get_by_role("button", name="Accept").click()
    expect(partner.locator(".messages")).to_contain_text("Accepted")
    partner.get_by_label("Feedback: what was done").fill("Stayed three weeks; flew home with an escort.")
    partner.get_by_role("button", name="Mark as completed").click()
    expect(partner.locator(".messages")).to_contain_text("Completed")
    screenshot(partner, "partner-completed")
    partner.context.close()

    # The feedback on the case
    staff.goto(f"/cases/{case.reference}/")
    panel = staff.locator("#referrals")
    expect(panel).to_contain_text("Stayed three weeks; flew home with an escort.")
    expect(panel).to_contain_text("Completed")
    screenshot(staff, "case-referrals-panel")

    # The consent is withdrawn: the next referral is refused
    consent_services.withdraw(worker, ConsentRecord.objects.get(pk=consent.pk), "Changed her mind.")
    staff.goto(f"/referrals/from-case/{case.reference}/")
    staff.get_by_label("Crisis shelter for women · NGO X").check()
    staff.get_by_label("Reason for the referral").fill("Again.")
    staff.get_by_role("button", name="Send the referral").click()
    expect(staff.locator(".form-errors")).to_contain_text("has not consented")
    expect(staff.locator("#what")).to_contain_text("has no valid consent to be referred to NGO X")
    assert Referral.objects.count() == 1
    staff.context.close()
    assert violations == []


def test_an_ngo_refers_a_person_and_the_manager_opens_a_case(browser, live_server, users, office):
    violations = []

    def new_page():
        context = browser.new_context(base_url=live_server.url, locale="en-GB")
        page = context.new_page()
        page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
        return page

    partner = new_page()
    sign_in_with_code(partner, users["partner_user"])
    partner.goto("/referrals/")
    partner.get_by_role("link", name="Refer a person to the office").click()
    partner.get_by_label("Family name").fill("Турсунова")
    partner.get_by_label("Given name").fill("Малика")
    partner.get_by_label("Or age, if the date is not known").fill("24")
    partner.get_by_label("Citizenship").select_option("KG")
    partner.get_by_label("Situation and needs").fill("Escaped a sewing workshop where she was kept for 8 months.")
    partner.get_by_label("Urgent").check()
    partner.get_by_label("The person consented to being referred to the office").check()
    screenshot(partner, "refer-to-office")
    partner.get_by_role("button", name="Send to the office").click()
    partner.wait_for_url(re.compile(r"/referrals/[0-9a-f-]{36}/$"))
    referral = Referral.objects.get()
    partner.goto("/referrals/")
    expect(partner.locator("#referrals")).to_contain_text(referral.reference)
    expect(partner.locator("#referrals")).to_contain_text("Sent")
    partner.context.close()

    manager = new_page()
    sign_in_with_code(manager, users["programme_manager"])
    manager.goto(f"/referrals/{referral.pk}/")
    manager.get_by_role("link", name="Accept and open a case").click()
    expect(manager.get_by_label("Family name")).to_have_value("Турсунова")
    manager.get_by_label("Case owner").select_option(str(users["case_worker"].pk))
    screenshot(manager, "open-case")
    manager.get_by_role("button", name="Accept and open the case").click()
    case = Case.objects.get()
    manager.wait_for_url(re.compile(rf"/cases/{case.reference}/$"))
    expect(manager.locator("#referrals")).to_contain_text(referral.reference)
    referral.refresh_from_db()
    assert (referral.status, referral.case, case.referring_organisation) == (
        ReferralStatus.ACCEPTED, case, users["partner_user"].partner_organisation)
    manager.context.close()
    assert violations == []


def screenshot(page, name):
    from tests.browser.conftest import ARTIFACTS

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"test_case_referrals-{name}.png"), full_page=True)
