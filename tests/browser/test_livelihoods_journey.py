"""A DAP case worker's whole path in Chromium: an enterprise in a settlement, its grant application with the business
plan, the assessment and approval, items (one above the approved value refused, nothing saved), delivery and
handover acts, the workflow's steps, a follow-up visit; then the statistics show the settlement's figures."""

import re

import pytest

from tests.browser.helpers import sign_in_with_code
from waypoint.accounts.models import Programme, Role
from waypoint.livelihoods.models import GrantItem, Settlement

pytestmark = pytest.mark.browser
DAP = Programme.DIRECT_ASSISTANCE


def take_step(page, label: str) -> None:
    page.get_by_text(f"{label}…", exact=True).click()
    page.get_by_role("button", name=label, exact=True).click()
    page.wait_for_load_state()


def test_a_grant_from_the_enterprise_to_the_statistics(page, make_user, screenshot):
    worker = make_user(Role.CASE_WORKER, "dap_worker", programmes=[DAP], first_name="Ruslan", last_name="Gadzhiev")
    manager = make_user(Role.PROGRAMME_MANAGER, "dap_manager", programmes=[DAP])
    Settlement.objects.create(name="Novaya Zhizn", region="Oryol Oblast", district="Mtsensky")
    sign_in_with_code(page, worker)

    page.get_by_role("link", name="Enterprises").first.click()
    page.get_by_role("link", name="Register an enterprise").click()
    page.get_by_label("Name of the enterprise").fill("Sewing workshop Zarya")
    page.get_by_label("Compact settlement").select_option(label="Novaya Zhizn (Oryol Oblast)")
    page.get_by_label("Activity").select_option(label="Sewing")
    page.get_by_role("button", name="Register the enterprise").click()
    page.get_by_text("The enterprise is registered.").wait_for()

    page.get_by_label("Role in the enterprise").select_option(label="Founder")
    page.get_by_label("Family name").fill("Каримова")
    page.get_by_label("Given name").fill("Дильбар")
    page.get_by_role("button", name="Add the member").click()
    page.get_by_text("The member is added.").wait_for()

    page.get_by_role("link", name="Open a grant application").click()
    page.get_by_label(re.compile("Каримова")).check()
    plan = "School uniforms for the district's three schools."
    page.get_by_role("textbox", name="Business plan", exact=True).fill(plan)
    page.get_by_label("Requested value").fill("120000")
    page.get_by_label("Planned items").fill("Two industrial sewing machines")
    page.get_by_label("Expected monthly income").fill("45000")
    page.get_by_label("Expected jobs").fill("3")
    page.get_by_role("button", name="Open the application").click()
    page.get_by_text(re.compile(r"The grant application DAP-\d{4}-\d{5} is opened")).wait_for()
    reference = re.search(r"DAP-\d{4}-\d{5}", page.url).group(0)

    page.get_by_role("link", name="Record the assessment").click()
    for label in ("Viability of the business plan", "Skills and experience", "Local market",
                  "Jobs and income for migrants", "Own contribution", "Use and upkeep of the items"):
        page.get_by_label(label).select_option("4")
    page.get_by_label("Recommendation").select_option(label="Approve a reduced grant")
    page.get_by_role("button", name="Save the assessment").click()
    page.get_by_text("The assessment is saved.").wait_for()
    take_step(page, "Mark as assessed")

    page.get_by_role("link", name="Record the decision").click()
    page.get_by_label("Approved", exact=True).check()
    page.get_by_label("Approved value").fill("100000")
    page.get_by_role("button", name="Save the decision").click()
    page.get_by_text("The decision is saved.").wait_for()
    take_step(page, "Approve the grant")

    page.get_by_role("link", name="Add an item").click()
    page.get_by_label("Type").select_option(label="Equipment")
    page.get_by_label("Description").fill("Industrial sewing machine")
    page.get_by_label("Quantity").fill("2")
    page.get_by_role("spinbutton", name="Value", exact=True).fill("80000")
    page.get_by_label("Or the supplier's name").fill("Shveymash LLC")
    page.get_by_role("button", name="Add the item").click()
    page.get_by_text("The item is recorded.").wait_for()

    page.get_by_role("link", name="Add an item").click()
    page.get_by_label("Type").select_option(label="Machinery")
    page.get_by_label("Description").fill("Embroidery machine")
    page.get_by_role("spinbutton", name="Value", exact=True).fill("30000")
    page.get_by_role("button", name="Add the item").click()
    refusal = re.compile(r"would take the items above the approved grant: only 20,000\.00 RUB remain")
    page.get_by_text(refusal).wait_for()
    assert GrantItem.objects.count() == 1
    screenshot("above-the-approved-value")
    page.get_by_role("link", name="Cancel").click()

    take_step(page, "Mark the items procured")
    page.get_by_role("link", name="Industrial sewing machine").click()
    today = page.get_by_label("Delivered on").evaluate("() => new Date().toISOString().slice(0, 10)")
    page.get_by_label("Delivered on").fill(today)
    page.get_by_label("Handover act number").fill("HA-17")
    page.get_by_label("Handover act date").fill(today)
    page.get_by_role("button", name="Save the item").click()
    page.get_by_text("The item is saved.").wait_for()
    assert page.get_by_role("cell", name="Handed over").is_visible()
    take_step(page, "Record the handover of the items")
    take_step(page, "Start the follow-up")

    page.get_by_role("link", name="Record a visit").click()
    page.get_by_label("Yes").check()
    page.get_by_label("Monthly income").fill("52000")
    page.get_by_label("Jobs created").fill("4")
    page.get_by_label("Of which for women").fill("5")
    page.get_by_label("All items in use").check()
    page.get_by_role("button", name="Record the visit").click()
    page.get_by_text("cannot be more than the jobs created").wait_for()
    page.get_by_label("Of which for women").fill("3")
    page.get_by_label("Of which for migrants").fill("4")
    page.get_by_role("button", name="Record the visit").click()
    page.get_by_text("The follow-up visit is recorded.").wait_for()
    assert page.get_by_role("heading", name="Follow-up visits").is_visible()
    screenshot("case-page")
    assert reference in page.url

    page.context.clear_cookies()
    sign_in_with_code(page, manager)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Reports").click()
    page.get_by_role("link", name="Grant statistics").click()
    page.get_by_role("link", name="This month").click()
    row = page.get_by_role("row", name=re.compile("Novaya Zhizn"))
    cells = row.get_by_role("cell")
    assert cells.nth(0).inner_text() == "1"  # applications received
    assert cells.nth(1).inner_text() == "1"  # grants approved
    assert "100,000.00 RUB" in cells.nth(3).inner_text()
    assert cells.nth(6).inner_text() == "1"  # individuals
    assert cells.nth(7).inner_text() == "1"  # items handed over
    assert cells.nth(9).inner_text() == "4"  # jobs created
    assert cells.nth(12).inner_text() == "100.0%"
    screenshot("statistics")
