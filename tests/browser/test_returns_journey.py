"""An assisted voluntary return in Chromium, as a return officer takes it through the pages.

Set up: only the officer, the Embassy of Ghana and IOM Accra in the directory, and a namesake in the registry (a
Nigerian Kwame Mensah registered without a date of birth). The officer opens the case from the case list: the
registry search shows the namesake, who is another man, so the officer registers the migrant on the open-case page;
the duplicate check holds the case back until the officer confirms a different person. The officer plans the flight
Moscow to Accra on the case page's movement form (refused first without the country it goes to), screens him (a
first screening with a regular stay is refused with its reasons), confirms eligibility, submits the questionnaire
with an answer missing (named) and then complete (the category shown), records counselling, requests an emergency
travel document and records it issued, books the flight (refused first: no medical clearance), takes the travel
booked step, departs, records the reception by IOM Accra, arrives, makes a reintegration plan, pays an instalment
above the budget (refused, the remaining amount named) then within it, starts reintegration and records the 3-month
monitoring visit with its sustainability score.

The medical clearance is the one step not taken through the pages: it is inserted as the health unit's
HealthAssessment row, because the health journey (test_health_journey.py) covers the health unit's pages.
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
from waypoint.accounts.models import Programme
from waypoint.cases.models import Case, Channel, Movement
from waypoint.health.models import AssessmentStatus, AssessmentType, Clearance, HealthAssessment
from waypoint.partners.models import Organisation, OrganisationType
from waypoint.people import services as people
from waypoint.people.models import Person
from waypoint.returns.models import Instalment, MonitoringVisit

pytestmark = pytest.mark.django_db(transaction=True)
SHOTS = Path("/tmp/shots6")


def _migrations_data() -> None:
    """Rows of data migrations (the catalogue, the questionnaire, the projects): a transactional test before this
    one may have flushed them."""
    for name in ("waypoint.cases.migrations.0005_ct_statuses_and_catalogue",
                 "waypoint.returns.migrations.0002_pilot_questionnaire"):
        importlib.import_module(name).forwards(apps, None)


def test_a_return_from_screening_to_the_first_monitoring_visit(page, live_server, users):
    _migrations_data()
    officer = users["case_worker_b"]
    Organisation.objects.create(name="Embassy of Ghana", organisation_type=OrganisationType.DIPLOMATIC, country="GH")
    Organisation.objects.create(name="IOM Accra", organisation_type=OrganisationType.MISSION, country="GH")
    namesake = people.register(officer, {"given_name": "Kwame", "family_name": "Mensah", "sex": "M",
                                         "citizenships": ["NG"]}, programme=Programme.RETURN)
    today = timezone.localdate()

    sign_in_with_code(page, officer)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Cases", exact=True).click()
    page.get_by_role("link", name="Open a case").click()
    page.wait_for_url(re.compile(r"/cases/new/$"))

    # 0. Opening the case: the registry first, then the migrant registered past the duplicate check.
    page.get_by_label("Name, record number or document number").fill("Kwame Mensah")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("group", name="Choose the record")).to_contain_text(namesake.reference)
    page.get_by_label("Is not registered yet").check()
    page.get_by_label("Family name").fill("Mensah")
    page.get_by_label("Given name").fill("Kwame")
    page.get_by_label("Sex").select_option(label="Male")
    page.get_by_label("Date of birth").fill("1994-07-15")
    page.get_by_label("Citizenship").select_option("GH")
    page.get_by_label("How the case came").select_option(label="Self-referral")
    page.get_by_role("combobox", name="Owner", exact=True).select_option(label=officer.username)
    page.get_by_role("button", name="Open the case").click()
    matches = page.get_by_role("alert").filter(has_text="Possible matches")
    expect(matches).to_contain_text(namesake.reference)
    expect(page.get_by_text("This person may already be registered (see the possible matches).")).to_be_visible()
    assert (Case.objects.count(), Person.objects.count()) == (0, 1)
    page.get_by_label("I checked the possible matches: this is a different person").check()
    page.get_by_role("button", name="Open the case").click()
    page.wait_for_url(re.compile(rf"/cases/{Programme.RETURN.value}-\d{{4}}-\d{{5}}/$"))
    case = Case.objects.get()
    migrant = Person.objects.exclude(pk=namesake.pk).get()
    expect(page.locator(".messages")).to_contain_text(f"Case {case.reference} is open.")
    assert (case.programme, case.owner, case.channel, migrant.birth_date, migrant.citizenships) == (
        Programme.RETURN, officer, Channel.SELF, datetime.date(1994, 7, 15), ["GH"])
    workflow = page.locator("#workflow")

    # 0b. The flight Moscow to Accra, planned on the case page; the country it goes to is needed.
    page.locator("#movements").get_by_role("link", name="Plan a movement").click()
    page.get_by_label("International travel").check()
    page.get_by_role("checkbox", name=re.compile(migrant.reference)).check()
    page.get_by_role("textbox", name="From", exact=True).fill("Moscow, Domodedovo")
    page.get_by_label("From country").select_option("RU")
    page.get_by_role("textbox", name="To", exact=True).fill("Accra")
    departs = timezone.localtime() - datetime.timedelta(minutes=30)
    page.get_by_label("Departure").fill(departs.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Carrier and flight or train").fill("Turkish Airlines TK 414 / TK 585")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("International travel needs the country it goes to.")).to_be_visible()
    assert not Movement.objects.exists()
    page.get_by_label("To country").select_option("GH")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(rf"/cases/{case.reference}/#movements$"))
    flights = page.locator("#movements")
    expect(flights).to_contain_text("International travel")
    expect(flights.locator(".status-badge")).to_have_text("Planned")

    # 1. Screening: a regular stay is refused with its reason; an irregular stay is eligible.
    page.get_by_role("link", name="Screen for eligibility").click()
    page.get_by_label("Return project").select_option(label="AVRR pilot 2026")
    page.get_by_label("Nationality").select_option("GH")
    page.get_by_label("Migration status").select_option(label="Regular stay")
    page.get_by_label("Country of return").select_option("GH")
    page.get_by_label("No identity documents").check()
    page.get_by_role("button", name="Screen").click()
    expect(page.get_by_text("Not eligible for AVRR pilot 2026")).to_be_visible()
    expect(workflow.get_by_text("“Regular stay” is not among those the project accepts")).to_be_visible()
    page.get_by_role("link", name="Screen again").click()
    page.get_by_label("Migration status").select_option(label="Irregular stay")
    page.get_by_role("button", name="Screen").click()
    expect(page.get_by_text("Eligible for AVRR pilot 2026.")).to_be_visible()
    screening = page.locator("#returns_screening")
    expect(screening.locator("dd").first).to_have_text("Ghana")  # a country by its name, not its ISO code
    workflow.get_by_role("button", name="Confirm eligibility").click()
    expect(page.locator(".case-status")).to_have_text("Screened eligible")

    # 2. The questionnaire: one required answer missing, then complete.
    page.get_by_role("link", name="Answer the questionnaire").click()
    page.get_by_label("To study at a university or college").check()
    page.get_by_label("I cannot pay for my studies").check()
    page.locator("fieldset", has_text="Did you apply for refugee status").get_by_label("No").check()
    page.locator("fieldset", has_text="Did you plan to travel on").get_by_label("No").check()
    page.get_by_label("How many months have you been in Russia?").fill("26")
    page.locator("fieldset", has_text="Do you have a valid passport?").get_by_label("Yes").check()
    page.get_by_role("button", name="Save the questionnaire").click()
    expect(page.get_by_text("Answer the question “How did you enter the Russian Federation?”: it is required.")
           ).to_be_visible()
    page.get_by_label("With a student visa").check()
    page.get_by_role("button", name="Save the questionnaire").click()
    expect(page.get_by_text("The questionnaire is saved. Category: Contract student.")).to_be_visible()
    expect(page.locator(".return-category")).to_have_text("Contract student")

    # 3. Counselling and the travel document.
    workflow.get_by_text("Record counselling…").click()
    workflow.get_by_role("button", name="Record counselling").click()
    workflow.get_by_role("button", name="Start obtaining travel documents").click()
    page.get_by_role("link", name="Request a travel document").click()
    page.get_by_label("Embassy or consulate").select_option(label="Embassy of Ghana")
    page.get_by_label("Document").select_option(label="Emergency travel document (laissez-passer)")
    page.get_by_role("button", name="Record the request").click()
    page.get_by_role("link", name=re.compile("Record the answer")).click()
    page.get_by_label("Status").select_option(label="Issued")
    page.get_by_label("Issued on").fill(today.isoformat())
    page.get_by_label("Valid until").fill((today + datetime.timedelta(days=30)).isoformat())
    page.get_by_role("button", name="Save the answer").click()
    expect(page.locator("#returns_documents").get_by_role("cell", name="Issued")).to_be_visible()

    # 4. Booking: refused without a medical clearance, booked once the health unit has cleared him.
    flights.get_by_role("button", name="Booked").click()
    expect(page.get_by_text(f"{migrant.reference} has no medical clearance")).to_be_visible()
    # The health panel offers a return case the pre-departure examination first, not the resettlement one.
    expect(page.get_by_label("Kind of examination")).to_have_value(AssessmentType.FITNESS_TO_TRAVEL)
    HealthAssessment.objects.create(case=case, person=migrant, assessment_type=AssessmentType.FITNESS_TO_TRAVEL,
                                    status=AssessmentStatus.DONE, requested_on=today, assessed_on=today,
                                    clearance=Clearance.CLEARED, valid_until=today + datetime.timedelta(days=60))
    page.reload()
    flights.get_by_role("button", name="Booked").click()
    expect(page.get_by_text("The movement is now booked.")).to_be_visible()
    workflow.get_by_role("button", name="Mark travel booked").click()
    flights.get_by_role("button", name="Departed").click()
    workflow.get_by_text("Record the departure…").click()
    workflow.get_by_role("button", name="Record the departure").click()
    expect(page.locator(".case-status")).to_have_text("Departed")
    expect(flights.locator(".status-badge")).to_have_text("In transit")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "returns-case-after-departure.png"), full_page=True)

    # 5. Reception, arrival, plan and instalments.
    page.get_by_role("link", name="Record the reception").click()
    page.get_by_label("Received by").select_option(label="IOM Accra")
    page.get_by_label("Note").fill("Met at Kotoka airport by the IOM team.")
    page.get_by_role("button", name="Record the reception").click()
    expect(page.get_by_text("The reception is recorded and the monitoring visits are scheduled.")).to_be_visible()
    workflow.get_by_text("Record the arrival and reception…").click()
    workflow.get_by_role("button", name="Record the arrival and reception").click()
    page.get_by_role("link", name="Make the reintegration plan").click()
    page.get_by_label("Budget").fill("1000")
    page.get_by_label("Economic support").check()
    page.get_by_role("button", name="Save the plan").click()
    expect(page.get_by_text("The reintegration plan is saved.")).to_be_visible()
    page.get_by_label("Amount").fill("1500")
    page.get_by_label("Paid on").fill(today.isoformat())
    page.get_by_label("What was bought").fill("A market stall")
    page.get_by_role("button", name="Record the instalment").click()
    expect(page.get_by_role("alert").get_by_text("1,000.00 EUR remains")).to_be_visible()
    assert not Instalment.objects.exists()
    page.get_by_label("Amount").fill("400")
    page.get_by_role("button", name="Record the instalment").click()
    expect(page.get_by_text("The instalment is recorded.")).to_be_visible()
    expect(page.get_by_text("600.00 EUR remains")).to_be_visible()
    page.get_by_role("link", name="Back to the case").click()
    workflow.get_by_text("Start reintegration…").click()
    workflow.get_by_role("button", name="Start reintegration").click()
    expect(page.locator(".case-status")).to_have_text("Reintegration")

    # 6. The first monitoring visit.
    page.get_by_role("link", name="Record the 3-month visit").click()
    for label in ("Satisfaction with the household's economic situation", "Adequate housing",
                  "A network of support: family, friends, community"):
        page.get_by_label(label).select_option("4")
    page.get_by_role("button", name="Record the visit").click()
    expect(page.get_by_text("The monitoring visit is recorded.")).to_be_visible()
    visit = MonitoringVisit.objects.get(case=case, months_after=3)
    assert str(visit.composite_score) == "0.750"
    expect(page.locator("#returns_monitoring").get_by_text("0.750").first).to_be_visible()
