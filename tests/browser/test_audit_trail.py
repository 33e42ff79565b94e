"""The data protection officer filters the audit trail in place, and nothing of it is kept in
the browser's storage."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import sign_in, sign_in_with_code

pytestmark = pytest.mark.django_db(transaction=True)


def test_filtering_the_trail_by_user_updates_the_list_in_place(page, users, browser, live_server, screenshot):
    # Someone else fails to sign in first, so there is something to find.
    other = browser.new_context(base_url=live_server.url).new_page()
    sign_in(other, "mallory")
    other.context.close()

    sign_in_with_code(page, users["data_protection_officer"])
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Audit trail").click()
    page.wait_for_url(re.compile(r"/audit/"))
    page.evaluate("window.notReloaded = true")

    page.get_by_label("User").fill("mallory")
    page.get_by_role("button", name="Filter").click()

    rows = page.locator("#results tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Failed login")
    assert page.evaluate("window.notReloaded") is True, "the list was swapped in, not reloaded"
    assert "user=mallory" in page.url, "the filter is in the address, so it can be shared and reloaded"
    assert page.evaluate("Object.keys(window.localStorage).length") == 0
    screenshot("filtered")


def test_an_impossible_date_range_is_explained_next_to_the_field(page, users):
    sign_in_with_code(page, users["data_protection_officer"])
    page.goto("/audit/")
    page.get_by_label("From").fill("2026-05-02")
    page.get_by_label("To").fill("2026-05-01")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("#id_date_to_error")).to_contain_text("The end date is before the start date.")
    expect(page.locator("#results tbody tr")).to_have_count(1)
    expect(page.locator("#results tbody")).to_contain_text("No events match these filters.")
