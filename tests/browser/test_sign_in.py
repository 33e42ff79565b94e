"""A member of staff signs in for the first time, enrols an authenticator, and works in
English and Russian; every role sees its own navigation."""

import re

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.browser.helpers import current_code, sign_in, sign_in_with_code

pytestmark = pytest.mark.django_db(transaction=True)


def test_first_sign_in_enrols_an_authenticator_by_qr_code(page, users, screenshot):
    worker = users["case_worker"]
    sign_in(page, worker.username)

    page.wait_for_url(re.compile(r"/accounts/two-factor/"))
    assert page.locator(".qr svg").is_visible()
    key_on_page = page.locator(".secret-key").inner_text().replace(" ", "")
    device = TOTPDevice.objects.get(user=worker, confirmed=False)
    screenshot("enrol")

    wrong = "000000" if current_code(device) != "000000" else "111111"
    page.get_by_label("Code from your authenticator app").fill(wrong)
    page.get_by_role("button", name="Confirm").click()
    expect(page.locator(".errorlist").first).to_be_visible()

    page.wait_for_timeout(1100)  # after a wrong code the next try is allowed one second later
    page.get_by_label("Code from your authenticator app").fill(current_code(device))
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url(re.compile(r"/$"))
    assert page.get_by_role("heading", level=1).inner_text().startswith("Welcome")
    assert len(key_on_page) >= 16
    screenshot("dashboard")


def test_returning_staff_member_is_asked_for_a_code(page, users):
    sign_in_with_code(page, users["data_protection_officer"])
    nav = page.get_by_role("navigation", name="Main")
    assert nav.get_by_role("link", name="Audit trail").is_visible()
    assert nav.get_by_role("link", name="Users and offices").count() == 0


def test_interface_switches_to_russian_and_stays(page, users, screenshot):
    learner = users["learner"]  # learners have no second factor
    sign_in(page, learner.username)
    page.wait_for_url(re.compile(r"/$"))
    page.get_by_role("button", name="Русский").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "ru"
    assert "Welcome" not in page.get_by_role("heading", level=1).inner_text()
    screenshot("dashboard-ru")
    page.reload()
    assert page.locator("html").get_attribute("lang") == "ru"
    learner.refresh_from_db()
    assert learner.language == "ru"


def test_page_runs_without_content_security_policy_violations(page, users):
    violations = []

    def collect(message):
        if "Content Security Policy" in message.text:
            violations.append(message.text)

    page.on("console", collect)
    sign_in(page, users["learner"].username)
    page.wait_for_url(re.compile(r"/$"))
    assert page.evaluate("typeof window.htmx") == "object", "htmx did not load"
    assert violations == []
