"""Two browsers edit the same case: the case worker saves first; the programme manager, who opened the form
at the same time, gets the conflict message with their own input still in the form and the saved values
beside it. Nothing is overwritten until they choose to save theirs knowingly."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS
from tests.browser.helpers import sign_in_with_code
from waypoint.accounts.models import Programme
from waypoint.cases import casework, panels
from waypoint.cases.models import Case, CaseEvent, Channel
from waypoint.people import services as people_services

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_browsers_editing_one_case_produce_a_conflict_not_a_lost_update(browser, live_server, users,
                                                                           monkeypatch):
    monkeypatch.setattr(panels, "_PANELS", {})  # the other apps' sections are tested by their owners
    worker, manager = users["case_worker"], users["programme_manager"]
    person = people_services.register(worker, {"family_name": "Ковальчук", "given_name": "Юлия", "sex": "F"},
                                      programme=Programme.COUNTER_TRAFFICKING)
    case = casework.open_case(worker, programme=Programme.COUNTER_TRAFFICKING, principal=person, owner=worker,
                              channel=Channel.HOTLINE, summary="Referred by the hotline.")
    violations = []

    def signed_in(user):
        context = browser.new_context(base_url=live_server.url, locale="en-GB")
        page = context.new_page()
        page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
        sign_in_with_code(page, user)
        return page

    def screenshot(page, name):
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"case-conflict-{name}.png"), full_page=True)

    first, second = signed_in(worker), signed_in(manager)
    for page in (first, second):  # both open the form before either saves
        page.goto(f"/cases/{case.reference}/")
        page.get_by_role("link", name="Edit the case").click()
        page.wait_for_url(re.compile(rf"/cases/{case.reference}/edit/$"))

    first.get_by_label("Risk level").select_option(label="High")
    first.get_by_label("Summary").fill("Met at Sheremetyevo by the embassy; staying at the centre.")
    first.get_by_role("button", name="Save").click()
    first.wait_for_url(re.compile(rf"/cases/{case.reference}/$"))
    expect(first.locator(".messages")).to_contain_text("The changes are saved.")

    second.get_by_label("Pregnant").check()
    second.get_by_label("Summary").fill("She moved to her aunt in Tver.")
    second.get_by_role("button", name="Save").click()

    alert = second.get_by_role("alert")
    expect(alert).to_contain_text(re.compile(r"Someone else saved this case at \d\d:\d\d: your changes were not saved"))
    expect(alert.locator("td.theirs")).to_contain_text(["High", "Met at Sheremetyevo by the embassy"])
    expect(second.get_by_label("Summary")).to_have_value("She moved to her aunt in Tver.")
    expect(second.get_by_label("Pregnant")).to_be_checked()
    screenshot(second, "conflict")
    case.refresh_from_db()
    assert (case.risk_level, case.summary, case.vulnerabilities, case.version) == (
        "high", "Met at Sheremetyevo by the embassy; staying at the centre.", [], 2)

    # Knowing what the other saved, the manager keeps the risk and saves their own summary.
    second.get_by_label("Risk level").select_option(label="High")
    second.get_by_role("button", name="Save mine anyway").click()
    second.wait_for_url(re.compile(rf"/cases/{case.reference}/$"))
    case = Case.objects.get(pk=case.pk)
    assert (case.risk_level, case.summary, case.vulnerabilities, case.version) == (
        "high", "She moved to her aunt in Tver.", ["pregnant"], 3)
    timeline = second.locator("#timeline")
    expect(timeline).to_contain_text("Risk level changed from Medium to High.")
    expect(timeline).to_contain_text("Vulnerabilities: added Pregnant.")
    assert [event.summary for event in CaseEvent.objects.filter(case=case)].count("Summary edited.") == 2
    screenshot(second, "case-page")
    for page in (first, second):  # before the live server stops: no request may outlive it
        page.context.close()
    assert violations == []
