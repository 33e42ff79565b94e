"""An operator refers a caller to an NGO shelter from the consultation; the NGO's partner user signs in,
finds the referral in the inbox with only what was shared, and accepts it. The other NGO's user cannot
reach it."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.helpers import sign_in_with_code
from waypoint.cases.models import Referral, ReferralStatus
from waypoint.hotline.models import CallerType, Consultation, Outcome
from waypoint.partners.models import Service

pytestmark = pytest.mark.django_db(transaction=True)


def test_operator_refers_a_caller_to_a_shelter_and_the_ngo_accepts(browser, live_server, users, office):
    Service.objects.create(organization=users["partner_user"].partner_organisation, name="Crisis shelter for women",
                           accepts_sexes=["F"], available=2)
    Service.objects.create(organization=users["partner_user_y"].partner_organisation, name="Men's hostel",
                           accepts_sexes=["M"])
    consultation = Consultation.objects.create(
        site=office, operator=users["hotline_operator"], started_at=timezone.now() - datetime.timedelta(minutes=15),
        duration_minutes=10, caller_sex="F", caller_age_band="25-34", caller_nationality="UZ", caller_language="uz",
        caller_type=CallerType.POSSIBLE_VICTIM, outcome=Outcome.REFERRED,
    )
    violations = []

    def new_page():
        context = browser.new_context(base_url=live_server.url, locale="en-GB")
        page = context.new_page()
        page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
        return page

    # The operator, from the consultation
    operator = new_page()
    sign_in_with_code(operator, users["hotline_operator"])
    operator.goto(f"/hotline/{consultation.pk}/")
    operator.get_by_role("link", name="Refer to a partner").click()
    operator.wait_for_url(re.compile(rf"/referrals/from-consultation/{consultation.pk}/$"))
    hostel = operator.locator(".service-choice", has_text="Men's hostel")
    expect(hostel).to_contain_text("Accepts only: Male.")
    operator.get_by_label("Crisis shelter for women · NGO X").check()
    operator.get_by_label("Reason for the referral").fill(
        "Left an employer who kept her passport; needs a bed tonight.")
    expect(operator.locator(".personal-only")).to_be_hidden()
    operator.get_by_role("button", name="Preview what is sent").click()
    preview = operator.locator("#preview")
    expect(preview).to_contain_text("Female, 25 to 34, Uzbekistan, Uzbek")
    expect(preview).to_contain_text("needs a bed tonight")
    screenshot(operator, "operator-preview")
    operator.get_by_role("button", name="Send the referral").click()
    operator.wait_for_url(re.compile(r"/referrals/[0-9a-f-]{36}/$"))
    referral = Referral.objects.get()
    expect(operator.locator(".messages")).to_contain_text(f"Referral {referral.reference} was sent to NGO X")
    operator.context.close()

    # The NGO's partner user
    partner = new_page()
    sign_in_with_code(partner, users["partner_user"])
    partner.get_by_role("navigation", name="Main").get_by_role("link", name="Referrals").click()
    partner.wait_for_url(re.compile(r"/referrals/$"))
    expect(partner.get_by_role("heading", level=1)).to_have_text("Referrals to NGO X")
    partner.get_by_role("link", name=referral.reference).click()
    expect(partner.locator("#shared")).to_contain_text("Female, 25 to 34, Uzbekistan, Uzbek")
    expect(partner.get_by_role("link", name="Person")).to_have_count(0)
    partner.get_by_label("Note (optional)").fill("We will meet her at the metro at 19:00.")
    screenshot(partner, "partner-referral")
    partner.get_by_role("button", name="Accept").click()
    expect(partner.locator(".messages")).to_contain_text("The referral is now “Accepted”.")
    expect(partner.locator("#history")).to_contain_text("We will meet her at the metro at 19:00.")
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED
    partner.context.close()

    # The other NGO's user finds nothing, not even by the address
    other = new_page()
    sign_in_with_code(other, users["partner_user_y"])
    other.goto("/referrals/")
    expect(other.get_by_role("link", name=referral.reference)).to_have_count(0)
    response = other.goto(f"/referrals/{referral.pk}/")
    assert response.status == 404
    other.context.close()
    assert violations == []


def screenshot(page, name):
    """Like the shared `screenshot` fixture, for the pages of the two signed-in contexts."""
    from tests.browser.conftest import ARTIFACTS

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"test_referrals-{name}.png"), full_page=True)
