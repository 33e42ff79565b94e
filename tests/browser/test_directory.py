"""The partner directory in Chromium: a case worker looks for a shelter for a woman, filtering by who is
accepted; a partner user updates the free places of their own shelter."""

import io
import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import sign_in_with_code
from waypoint.partners import demo
from waypoint.partners.models import Organisation, Service

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def directory():
    demo.load(io.StringIO())


def csp_watch(page) -> list[str]:
    violations = []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text else None)
    return violations


def test_a_case_worker_finds_a_shelter_that_takes_a_woman(page, users, screenshot, directory):
    violations = csp_watch(page)
    sign_in_with_code(page, users["case_worker"])
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Partner directory").click()
    page.wait_for_url(re.compile(r"/partners/$"))
    expect(page.locator(".results-count")).to_contain_text("organisations")
    screenshot("directory")

    page.get_by_label("Type of service").select_option("shelter")
    page.get_by_label("Sex", exact=True).select_option("F")
    page.get_by_label("Age", exact=True).fill("24")
    page.get_by_label("Victim of").select_option("labour")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r"service_type=shelter"))
    names = page.locator(".directory-entry h3 a")
    expect(names.filter(has_text="Angel Coalition")).to_have_count(1)
    expect(names.filter(has_text="Rainbow")).to_have_count(0)  # a children's shelter
    screenshot("directory-filtered")

    page.get_by_role("link", name="Angel Coalition").click()
    page.wait_for_url(re.compile(r"/partners/[0-9a-f-]+/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Angel Coalition")
    expect(page.get_by_role("heading", name="Agreements")).to_be_visible()
    expect(page.locator("#service-" + str(Service.objects.get(name="Shelter for women victims of trafficking").pk))
           ).to_contain_text("Women, 18+")
    screenshot("organisation")
    assert violations == []


def test_a_partner_user_updates_the_free_places_of_their_shelter(page, users, screenshot, directory):
    violations = csp_watch(page)
    partner = users["partner_user"]
    angel = Organisation.objects.get(name="Angel Coalition")
    partner.partner_organisation = angel
    partner.save()
    shelter = Service.objects.get(name="Shelter for women victims of trafficking")

    sign_in_with_code(page, partner)
    page.goto(f"/partners/{angel.pk}/")
    expect(page.get_by_role("heading", name="Agreements")).to_have_count(0)
    card = page.locator(f"#service-{shelter.pk}")
    card.get_by_label("Free places now").fill("0")
    card.get_by_role("button", name="Update availability").click()
    expect(page.locator(".messages")).to_contain_text("is updated")
    expect(page.locator(f"#service-{shelter.pk}")).to_contain_text("0 of 12 places free")
    screenshot("availability-updated")
    shelter.refresh_from_db()
    assert shelter.available == 0
    assert violations == []
