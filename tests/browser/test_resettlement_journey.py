"""A family's resettlement in Chromium, as a resettlement officer takes it through the pages, then the report.

Set up: only the officer and the programme manager, UNHCR and HIAS in the directory and a processing trip to
Tashkent this week. The officer opens the case from the case list: the registry search finds nobody, so the
principal is registered on the open-case page (a referral by an international organisation without naming it is
refused first); the spouse and the child are registered with the case page's "Add a member". The officer plans the
flight Moscow to New York for the three on the case page's movement form, records the profile (a UNHCR
referral without its reference is refused, naming the field), prescreens, prepares the file, presents the family on
the trip, records the approval, finds the departure refused with everything missing named, records the clearances,
the orientation and the assurance, books the flight (refused first: the child's medical clearance expired, named
with its date; then the health unit's new examination), takes the travel booked step, sets the flight off and
departs. The programme manager opens the report for the quarter: three individuals departed.

The medical examinations are the one part not taken through the pages: they are inserted as the health unit's
HealthAssessment rows (the child's clearance already expired), because the health journey
(test_health_journey.py) covers the health unit's pages. The case is opened today (the open-case page takes no
earlier date), so the workflow steps are all dated today.
"""

import datetime
import importlib
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.helpers import sign_in_with_code
from waypoint.accounts.models import Programme, Role
from waypoint.cases.models import Case, CaseMember, Movement
from waypoint.health.models import AssessmentStatus, AssessmentType, Clearance, HealthAssessment
from waypoint.partners.models import Organisation, OrganisationType
from waypoint.resettlement import report, trips

pytestmark = pytest.mark.django_db(transaction=True)
RES = Programme.RESETTLEMENT
SHOTS = Path("/tmp/shots6")


def _migrations_data() -> None:
    """Rows of data migrations (the catalogue, resettlement travel in it): a transactional test before this one may
    have flushed them."""
    for name in ("waypoint.cases.migrations.0005_ct_statuses_and_catalogue",
                 "waypoint.cases.migrations.0007_resettlement_travel_service"):
        importlib.import_module(name).forwards(apps, None)


def _medical(case, person, valid_until):
    HealthAssessment.objects.create(case=case, person=person, assessment_type=AssessmentType.RESETTLEMENT,
                                    status=AssessmentStatus.DONE, requested_on=valid_until - datetime.timedelta(200),
                                    assessed_on=valid_until - datetime.timedelta(180), clearance=Clearance.CLEARED,
                                    valid_until=valid_until)


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _register(page, family: str, given: str, sex: str, born: datetime.date) -> None:
    """The person picker's "Is not registered yet": the essentials of a new record."""
    page.get_by_label("Is not registered yet").check()
    page.get_by_label("Family name").fill(family)
    page.get_by_label("Given name").fill(given)
    page.get_by_label("Sex").select_option(label=sex)
    page.get_by_label("Date of birth").fill(born.isoformat())
    page.get_by_label("Citizenship").select_option("AF")


def test_a_family_from_application_to_departure_and_the_report(browser, live_server, make_user):
    _migrations_data()
    today = timezone.localdate()
    officer = make_user(Role.CASE_WORKER, "res_officer", programmes=[RES], first_name="Vera", last_name="Lebedeva")
    manager = make_user(Role.PROGRAMME_MANAGER, "res_manager", programmes=[RES])
    Organisation.objects.create(name="HIAS", organisation_type=OrganisationType.NGO)
    unhcr = Organisation.objects.create(name="UNHCR Moscow", organisation_type=OrganisationType.INTERNATIONAL)
    trips.create_trip(officer, city="Tashkent", starts_on=today - datetime.timedelta(days=2),
                      ends_on=today + datetime.timedelta(days=1), staff=[officer])

    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    page = context.new_page()
    sign_in_with_code(page, officer)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Cases", exact=True).click()
    page.get_by_role("link", name="Open a case").click()
    page.wait_for_url(re.compile(r"/cases/new/$"))

    # 0. The case for the principal: nobody in the registry, so registered here.
    page.get_by_label("Name, record number or document number").fill("Rahimi Ahmad")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("Nobody you may see matches this search.")).to_be_visible()
    _register(page, "Rahimi", "Ahmad", "Male", datetime.date(1984, 2, 1))
    page.get_by_label("How the case came").select_option(label="International organisation")
    page.get_by_role("combobox", name="Owner", exact=True).select_option(label="Vera Lebedeva")
    page.get_by_role("button", name="Open the case").click()
    expect(page.get_by_text("A case that came through “International organisation” names the organisation that "
                            "referred it: choose it from the directory.")).to_be_visible()
    assert not Case.objects.exists()
    page.get_by_label("Referred by").select_option(label="UNHCR Moscow")
    page.get_by_role("button", name="Open the case").click()
    page.wait_for_url(re.compile(rf"/cases/{RES.value}-\d{{4}}-\d{{5}}/$"))
    case = Case.objects.get()
    expect(page.locator(".messages")).to_contain_text(f"Case {case.reference} is open.")
    assert (case.owner, case.channel, case.referring_organisation) == (officer, "international", unhcr)

    # 0b. The spouse and the child, registered with "Add a member".
    for given, sex, born, role in (("Mariam", "Female", datetime.date(1988, 6, 9), "Spouse"),
                                   ("Omid", "Male", today - datetime.timedelta(days=365 * 8), "Child")):
        page.locator("#members").get_by_role("link", name="Add a member").click()
        page.wait_for_url(re.compile(rf"/cases/{case.reference}/members/"))
        _register(page, "Rahimi", given, sex, born)
        page.get_by_label("Role in the case").select_option(label=role)
        page.get_by_role("button", name="Add to the case").click()
        page.wait_for_url(re.compile(rf"/cases/{case.reference}/#members$"))
        expect(page.locator(".messages")).to_contain_text("is added to the case.")
    members = {m.person.given_name: m for m in CaseMember.objects.filter(case=case).select_related("person")}
    assert {name: m.role for name, m in members.items()} == {"Ahmad": "principal", "Mariam": "spouse",
                                                            "Omid": "child"}
    principal, spouse, child = (members[name].person for name in ("Ahmad", "Mariam", "Omid"))
    expect(page.locator("#members")).to_contain_text(child.reference)
    # The health unit's examinations (its own pages are the health journey's): the child's clearance expired.
    for person in (principal, spouse):
        _medical(case, person, today + datetime.timedelta(days=150))
    _medical(case, child, today - datetime.timedelta(days=3))

    # 0c. The flight Moscow to New York for the three of them, planned on the case page.
    page.locator("#movements").get_by_role("link", name="Plan a movement").click()
    page.get_by_label("International travel").check()
    for person in (principal, spouse, child):
        page.get_by_role("checkbox", name=re.compile(person.reference)).check()
    page.get_by_role("textbox", name="From", exact=True).fill("Moscow, Sheremetyevo")
    page.get_by_label("From country").select_option("RU")
    page.get_by_role("textbox", name="To", exact=True).fill("New York, JFK")
    page.get_by_label("To country").select_option("US")
    departs = timezone.localtime() - datetime.timedelta(minutes=20)
    page.get_by_label("Departure").fill(departs.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(rf"/cases/{case.reference}/#movements$"))
    assert Movement.objects.get(case=case).travellers.count() == 3
    expect(page.locator("#movements .status-badge")).to_have_text("Planned")

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
    for step, action, status, ago in (("Record the prescreening", "prescreen", "Prescreened", 0),
                                      ("Mark the file prepared", "prepare_file", "File prepared", 0)):
        workflow.get_by_text(f"{step}…").click()
        page.locator(f"#on-{action}").fill((today - datetime.timedelta(days=ago)).isoformat())
        workflow.get_by_role("button", name=step, exact=True).click()
        expect(page.locator("h1 .case-status")).to_have_text(status)

    # 3. Presented on the processing trip to Tashkent, then approved.
    page.locator("#resettlement-presentations").get_by_role("link", name="Record a presentation").click()
    page.get_by_label("Date of the interview").fill(today.isoformat())
    page.get_by_label("Processing trip").select_option(index=1)
    page.get_by_label("Interviewing agency").fill("USCIS (DHS)")
    page.get_by_label("Interviewing officer").fill("Officer Miller")
    page.get_by_role("button", name="Record the presentation").click()
    expect(page.locator("h1 .case-status")).to_have_text("Presented for interview")
    expect(page.locator("#resettlement-presentations")).to_contain_text("Tashkent")
    page.locator("#resettlement-presentations").get_by_role("link", name="Record the decision").click()
    page.get_by_label("Approved").check()
    page.get_by_label("Date of the decision").fill(today.isoformat())
    page.get_by_role("button", name="Record the decision").click()
    expect(page.locator("h1 .case-status")).to_have_text("Approved")

    # 4. Departing now is refused, naming what is missing; nothing changes.
    why = page.locator("#why-depart")
    expect(workflow.get_by_role("button", name="Record the departure", exact=True)).to_be_disabled()
    expect(why).to_contain_text(f"{child.reference}: the clearance “Security name check” is not recorded.")
    expect(why).to_contain_text(f"{principal.reference}: the clearance “Biometrics (fingerprints)” is not recorded.")
    expect(why).to_contain_text("No flight is booked")
    expect(why).to_contain_text("No cultural orientation is recorded")
    expect(why).to_contain_text("No assurance from a resettlement agency is recorded.")
    expect(page.locator("h1 .case-status")).to_have_text("Approved")

    # 5. Clearances: security for everyone, fingerprints for the adults; a bad date refused first.
    lines = [("Security name check", principal), ("Security name check", spouse), ("Security name check", child),
             ("Biometrics (fingerprints)", principal), ("Biometrics (fingerprints)", spouse)]
    for number, (kind, person) in enumerate(lines):
        page.locator("#resettlement-clearances").get_by_role(
            "link", name=f"Record {kind} · {person.full_name} ({person.reference})").click()
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
    workflow.get_by_text("Mark travel booked…").click()
    workflow.get_by_role("button", name="Mark travel booked", exact=True).click()
    expect(page.locator("h1 .case-status")).to_have_text("Travel booked")
    flights.get_by_role("button", name="Departed").click()
    expect(flights.locator(".status-badge")).to_have_text("In transit")
    workflow.get_by_text("Record the departure…").click()
    workflow.get_by_role("button", name="Record the departure", exact=True).click()
    expect(page.locator("h1 .case-status")).to_have_text("Departed")
    _shot(page, "resettlement-case-after-departure")
    context.close()

    # 8. The programme manager's report for the quarter: the three of them departed.
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    page = context.new_page()
    sign_in_with_code(page, manager)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Reports").click()
    page.get_by_role("link", name="Resettlement report").click()
    page.get_by_role("link", name=report.quarter_label(report.quarter_of(today)[0])).click()
    expect(page.locator("#figure-departed .figure-value")).to_have_text("3")
    expect(page.locator("#figure-presented .figure-value")).to_have_text("3")
    _shot(page, "resettlement-report")
    context.close()
