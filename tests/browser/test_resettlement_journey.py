"""A family's resettlement in Chromium, as a resettlement officer takes it through the pages, then the report.

Set up: the officer and the programme manager, a family of three (principal, spouse, a child) with its case
opened, a processing trip to Tashkent last week, HIAS in the directory, the medical examinations of the health
unit (the child's clearance already expired) and a planned flight Moscow to New York today. The officer records
the profile (a UNHCR referral without its reference is refused, naming the field), prescreens, prepares the
file, presents the family on the trip, records the approval, finds the departure refused with everything
missing named, records the clearances, the orientation and the assurance, books the flight (refused first: the
child's medical clearance expired, named with its date; then the health unit's new examination), takes the
travel booked step and departs. The programme manager opens the report for the quarter: three individuals
departed.
"""

import datetime
import importlib
import re

import pytest
from django.apps import apps
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.helpers import sign_in_with_code
from waypoint.accounts.models import Programme, Role
from waypoint.cases import casework, movements
from waypoint.cases.models import Case, Channel, MovementKind
from waypoint.health.models import AssessmentStatus, AssessmentType, Clearance, HealthAssessment
from waypoint.partners.models import Organisation, OrganisationType
from waypoint.people.models import Person, ProgrammeRegistration
from waypoint.resettlement import report, trips

pytestmark = pytest.mark.django_db(transaction=True)
RES = Programme.RESETTLEMENT


def _person(given: str, born: datetime.date) -> Person:
    person = Person.objects.create(given_name=given, family_name="Rahimi", birth_date=born, citizenships=["AF"])
    ProgrammeRegistration.objects.create(person=person, programme=RES)
    return person


def _medical(case, person, valid_until):
    HealthAssessment.objects.create(case=case, person=person, assessment_type=AssessmentType.RESETTLEMENT,
                                    status=AssessmentStatus.DONE, requested_on=valid_until - datetime.timedelta(200),
                                    assessed_on=valid_until - datetime.timedelta(180), clearance=Clearance.CLEARED,
                                    valid_until=valid_until)


def test_a_family_from_application_to_departure_and_the_report(browser, live_server, make_user):
    importlib.import_module("waypoint.cases.migrations.0005_ct_statuses_and_catalogue").forwards(apps, None)
    today = timezone.localdate()
    officer = make_user(Role.CASE_WORKER, "res_officer", programmes=[RES], first_name="Vera", last_name="Lebedeva")
    manager = make_user(Role.PROGRAMME_MANAGER, "res_manager", programmes=[RES])
    Organisation.objects.create(name="HIAS", organisation_type=OrganisationType.NGO)
    principal = _person("Ahmad", datetime.date(1984, 2, 1))
    spouse = _person("Mariam", datetime.date(1988, 6, 9))
    child = _person("Omid", today - datetime.timedelta(days=365 * 8))
    case = casework.open_case(officer, programme=RES, principal=principal, owner=officer, channel=Channel.OTHER,
                              opened_on=today - datetime.timedelta(days=40))
    casework.add_member(officer, case, spouse, "spouse")
    casework.add_member(officer, case, child, "child")
    trips.create_trip(officer, city="Tashkent", starts_on=today - datetime.timedelta(days=9),
                             ends_on=today - datetime.timedelta(days=6), staff=[officer])
    for person in (principal, spouse):
        _medical(case, person, today + datetime.timedelta(days=150))
    _medical(case, child, today - datetime.timedelta(days=3))
    movements.plan_movement(officer, case, kind=MovementKind.INTERNATIONAL, travellers=[principal, spouse, child],
                            origin="Moscow", origin_country="RU", destination="New York", destination_country="US",
                            departs_at=timezone.now() - datetime.timedelta(minutes=20))

    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    page = context.new_page()
    sign_in_with_code(page, officer)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Cases", exact=True).click()
    page.get_by_role("link", name=case.reference).first.click()
    page.wait_for_url(re.compile(rf"/cases/{case.reference}/$"))

    # 1. The profile: a UNHCR referral needs UNHCR's reference.
    page.get_by_role("link", name="Record the resettlement profile").click()
    page.get_by_label("Destination country").select_option(label="United States")
    page.get_by_label("Resettlement programme").select_option(label="US Refugee Admissions Program (USRAP)")
    page.get_by_label("Category").select_option(label="P-1: individual referral (UNHCR, embassy or NGO)")
    page.get_by_label("Referral source").select_option(label="UNHCR")
    page.get_by_role("button", name="Save the profile").click()
    expect(page.get_by_text("A UNHCR referral needs UNHCR's reference for the case.")).to_be_visible()
    page.get_by_label("UNHCR reference").fill("275-09C01234")
    page.get_by_role("button", name="Save the profile").click()
    profile = page.locator("#resettlement-profile")
    expect(profile).to_contain_text("275-09C01234")

    # 2. Prescreening and file preparation, dated steps of the workflow.
    workflow = page.locator("#workflow")
    for step, action, ago in (("Prescreened", "prescreen", 20), ("File prepared", "prepare_file", 15)):
        workflow.get_by_text(f"{step}…").click()
        page.locator(f"#on-{action}").fill((today - datetime.timedelta(days=ago)).isoformat())
        workflow.get_by_role("button", name=step, exact=True).click()
        expect(page.locator("h1 .case-status")).to_have_text(step)

    # 3. Presented on the processing trip to Tashkent, then approved.
    page.locator("#resettlement-presentations").get_by_role("link", name="Record a presentation").click()
    page.get_by_label("Date of the interview").fill((today - datetime.timedelta(days=8)).isoformat())
    page.get_by_label("Processing trip").select_option(index=1)
    page.get_by_label("Interviewing agency").fill("USCIS (DHS)")
    page.get_by_label("Interviewing officer").fill("Officer Miller")
    page.get_by_role("button", name="Record the presentation").click()
    expect(page.locator("h1 .case-status")).to_have_text("Presented for interview")
    expect(page.locator("#resettlement-presentations")).to_contain_text("Tashkent")
    page.locator("#resettlement-presentations").get_by_role("link", name="Record the decision").click()
    page.get_by_label("Approved").check()
    page.get_by_label("Date of the decision").fill((today - datetime.timedelta(days=5)).isoformat())
    page.get_by_role("button", name="Record the decision").click()
    expect(page.locator("h1 .case-status")).to_have_text("Approved")

    # 4. Departing now is refused, naming what is missing; nothing changes.
    why = page.locator("#why-depart")
    expect(workflow.get_by_role("button", name="Departed", exact=True)).to_be_disabled()
    expect(why).to_contain_text(f"{child.reference} has no security name check recorded.")
    expect(why).to_contain_text(f"{principal.reference} has no biometrics (fingerprints) recorded.")
    expect(why).to_contain_text("No flight is booked")
    expect(why).to_contain_text("No cultural orientation is recorded")
    expect(why).to_contain_text("No assurance from a resettlement agency is recorded.")
    expect(page.locator("h1 .case-status")).to_have_text("Approved")

    # 5. Clearances: security for everyone, fingerprints for the adults; a bad date refused first.
    lines = [("Security name check", principal), ("Security name check", spouse), ("Security name check", child),
             ("Biometrics (fingerprints)", principal), ("Biometrics (fingerprints)", spouse)]
    for number, (kind, person) in enumerate(lines):
        page.locator("#resettlement-clearances").get_by_role("link", name=f"Record {kind} · {person.reference}").click()
        page.get_by_label("Status").select_option(label="Cleared")
        page.get_by_label("Obtained on").fill((today - datetime.timedelta(days=4)).isoformat())
        if number == 0:
            page.get_by_label("Valid until").fill((today - datetime.timedelta(days=10)).isoformat())
            page.get_by_role("button", name="Record the clearance").click()
            expect(page.get_by_text("The clearance cannot stop being valid")).to_be_visible()
        page.get_by_label("Valid until").fill((today + datetime.timedelta(days=365)).isoformat())
        page.get_by_role("button", name="Record the clearance").click()
        expect(page.get_by_text("The clearance is recorded.")).to_be_visible()

    # 6. Orientation and the agency's assurance.
    predeparture = page.locator("#resettlement-predeparture")
    predeparture.get_by_role("link", name="Record cultural orientation").click()
    page.get_by_label("Attended on").fill((today - datetime.timedelta(days=2)).isoformat())
    page.get_by_label("Place").fill("Moscow office")
    page.get_by_role("button", name="Record the orientation").click()
    predeparture.get_by_role("link", name="Record the assurance").click()
    page.get_by_label("Resettlement agency").select_option(label="HIAS")
    page.get_by_label("Assurance received on").fill((today - datetime.timedelta(days=1)).isoformat())
    page.get_by_label("Place of resettlement").fill("Chicago, IL")
    page.get_by_role("button", name="Save the assurance").click()
    expect(predeparture).to_contain_text("HIAS")

    # 7. Booking the flight: the child's medical clearance has expired; the health unit examines him again.
    flights = page.locator("#movements")
    flights.get_by_role("button", name="Booked").click()
    expect(page.locator(".message.error")).to_contain_text(f"{child.reference}'s medical clearance is valid until")
    assert Case.objects.get(pk=case.pk).status == "approved"
    _medical(case, child, today + datetime.timedelta(days=180))
    page.reload()
    flights.get_by_role("button", name="Booked").click()
    expect(page.get_by_text("The movement is now booked.")).to_be_visible()
    workflow.get_by_text("Travel booked…").click()
    workflow.get_by_role("button", name="Travel booked", exact=True).click()
    expect(page.locator("h1 .case-status")).to_have_text("Travel booked")
    workflow.get_by_text("Departed…").click()
    workflow.get_by_role("button", name="Departed", exact=True).click()
    expect(page.locator("h1 .case-status")).to_have_text("Departed")
    context.close()

    # 8. The programme manager's report for the quarter: the three of them departed.
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    page = context.new_page()
    sign_in_with_code(page, manager)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Resettlement report").click()
    page.get_by_role("link", name=report.quarter_label(report.quarter_of(today)[0])).click()
    expect(page.locator("#figure-departed .figure-value")).to_have_text("3")
    expect(page.locator("#figure-presented .figure-value")).to_have_text("3")
    context.close()
