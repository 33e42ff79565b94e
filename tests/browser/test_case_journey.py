"""The whole counter-trafficking journey in Chromium, as a new case worker would take it through the pages.

Only the directory and the users are set up in the database. The case worker then registers a woman referred by
an embassy and opens her case; records her written consents (referral to NGO X, referral to a shelter,
assistance) and starts assistance; records her airport reception and checks her in to a bed of the centre;
refers her to NGO X with only what that consent covers. NGO X's partner user sees only those fields, accepts
and reports completion. The case timeline and the dashboard show it all. Withdrawing the consent blocks the next
referral to NGO X, and a partner user of another organisation cannot reach the referral by its address, its PDF
or the API.
"""

import datetime
import importlib
import re

import pytest
from django.apps import apps
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS
from tests.browser.helpers import sign_in_with_code
from waypoint.accounts.models import Office
from waypoint.api.services import create_token
from waypoint.cases.models import Case, Referral, ReferralStatus
from waypoint.consent.models import ConsentRecord, DataCategory, Purpose
from waypoint.partners.models import Organisation, OrganisationType, Service
from waypoint.people.models import Person
from waypoint.protection.models import CentreStay, Room

pytestmark = pytest.mark.django_db(transaction=True)

FAMILY, GIVEN = "Юсупова", "Гулнора"
NAME = f"{FAMILY} {GIVEN}"
PHONE = "+998 90 123 45 67"
SUMMARY = "Met by the embassy at Sheremetyevo after two years of forced domestic work."
SITUATION = "Needs a safe place for women and counselling while her return is organised."
REASON = "Follow-up and shelter after the rehabilitation centre."
FEEDBACK = "Stayed four weeks in our shelter; counselling done; flew home to Tashkent."


def _service_catalogue() -> None:
    """The catalogue rows come from a data migration; a transactional test before this one may have flushed them."""
    migration = importlib.import_module("waypoint.cases.migrations.0005_ct_statuses_and_catalogue")
    migration.forwards(apps, None)


def _screenshot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"case-journey-{name}.png"), full_page=True)


def test_a_victim_referred_by_an_embassy_from_registration_to_a_completed_referral(
        browser, live_server, users, tmp_path):
    _service_catalogue()
    worker, ngo = users["case_worker"], users["partner_user"].partner_organisation
    embassy = Organisation.objects.create(name="Embassy of Uzbekistan", organisation_type=OrganisationType.DIPLOMATIC)
    Service.objects.create(organization=ngo, name="Crisis shelter for women", accepts_sexes=["F"], available=2)
    shelter = Organisation.objects.create(name="Safe House Shelter", organisation_type=OrganisationType.SOCIAL)
    Service.objects.create(organization=shelter, name="Long-term shelter", available=5)
    centre = Office.objects.create(code="centre", name="Rehabilitation centre", kind=Office.Kind.REHABILITATION_CENTRE,
                                   city="Moscow")
    Room.objects.create(office=centre, name="Room 3", beds=2)
    signed_form = tmp_path / "signed-consent.pdf"
    signed_form.write_bytes(b"%PDF-1.4\n%%EOF\n")
    violations: list[str] = []

    def new_page():
        context = browser.new_context(base_url=live_server.url, locale="en-GB")
        page = context.new_page()
        page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
        return page

    # 1. The case worker registers the woman and opens her case --------------------------------------------
    staff = new_page()
    sign_in_with_code(staff, worker)
    staff.get_by_role("navigation", name="Main").get_by_role("link", name="Cases", exact=True).click()
    staff.get_by_role("link", name="Open a case").click()
    staff.wait_for_url(re.compile(r"/cases/new/$"))
    staff.get_by_label("Is not registered yet").check()
    staff.get_by_label("Family name").fill(FAMILY)
    staff.get_by_label("Given name").fill(GIVEN)
    staff.get_by_label("Sex").select_option(label="Female")
    staff.get_by_label("Date of birth").fill("1995-04-12")
    staff.get_by_label("Citizenship").select_option("UZ")
    staff.get_by_label("How the case came").select_option(label="Diplomatic mission")
    staff.get_by_label("Referred by").select_option(label="Embassy of Uzbekistan")
    staff.get_by_label("Summary").fill(SUMMARY)
    _screenshot(staff, "open-case")
    staff.get_by_role("button", name="Open the case").click()
    staff.wait_for_url(re.compile(r"/cases/CT-\d{4}-\d{5}/$"))
    case = Case.objects.get()
    person = Person.objects.get()
    expect(staff.locator(".messages")).to_contain_text(f"Case {case.reference} is open.")
    facts = staff.locator("#facts")
    expect(facts).to_contain_text("Diplomatic mission")
    expect(facts).to_contain_text("Embassy of Uzbekistan")
    assert (case.owner, case.channel, case.referring_organisation, person.sex, person.citizenships) == (
        worker, "diplomatic", embassy, "F", ["UZ"])

    # Her phone: the open-case form takes only the essentials, the person's page takes the contacts.
    staff.locator("#members").get_by_role("link", name=NAME).click()
    staff.wait_for_url(re.compile(rf"/people/{person.pk}/$"))
    staff.get_by_role("link", name="Edit", exact=True).click()
    staff.get_by_label("Phone").fill(PHONE)
    staff.get_by_role("button", name="Save").click()
    expect(staff.locator("#contacts")).to_contain_text(PHONE)
    staff.goto(f"/cases/{case.reference}/")

    # 2. Her written consents, then the start of assistance ------------------------------------------------
    def record_consent(purpose: str, organisation: str | None, categories: list[str]) -> None:
        staff.locator("#consents").get_by_role("link", name="Record consent").click()
        staff.wait_for_url(re.compile(rf"/consent/person/{person.pk}/new/\?case={case.reference}$"))
        staff.get_by_label(purpose).check()
        if organisation:
            staff.get_by_label("Find an organisation").fill(organisation)
            expect(staff.get_by_label("Organisation", exact=True)).to_have_value(
                str(Organisation.objects.get(name=organisation).pk))
        for category in categories:
            staff.get_by_label(category).check()
        staff.get_by_label("Written form signed").check()
        staff.get_by_label("Scan of the signed form").set_input_files(signed_form)
        for box in staff.locator(".checklist input[type=checkbox]").all():
            box.check()
        staff.get_by_role("button", name="Record the consent").click()
        staff.wait_for_url(re.compile(rf"/cases/{case.reference}/#consents$"))
        expect(staff.locator(".messages")).to_contain_text(f"The consent of {person.reference} is recorded")

    identity, contacts = "Name, sex, date of birth, nationality", "Phone, email, address"
    situation, health = "Situation and needs", "Health"
    record_consent("Referral to another organisation", "NGO X", [identity, situation])
    record_consent("Referral to another organisation", "Safe House Shelter", [identity, contacts, situation])
    record_consent("Assistance by the office", None, [identity, contacts, situation, health])
    consents = staff.locator("#consents")
    expect(consents.locator("tbody tr")).to_have_count(3)
    ngo_row = consents.locator("tbody tr").filter(has_text="NGO X")
    expect(ngo_row).to_contain_text("Name, sex, date of birth, nationality, Situation and needs")
    expect(ngo_row).to_contain_text("Written form signed")
    scan = staff.request.get(ngo_row.get_by_role("link", name="Signed form").get_attribute("href"))
    assert (scan.status, scan.headers["content-type"]) == (200, "application/pdf")
    assert scan.body() == signed_form.read_bytes()
    assert sorted(ConsentRecord.objects.filter(person=person, purpose=Purpose.REFERRAL)
                  .values_list("recipient_organisation__name", flat=True)) == ["NGO X", "Safe House Shelter"]
    assert ConsentRecord.objects.get(recipient_organisation=ngo).data_categories == [
        DataCategory.IDENTITY, DataCategory.SITUATION]
    assert all(consent.form for consent in ConsentRecord.objects.all())

    staff.locator("#workflow").get_by_role("button", name="Start assistance").click()
    expect(staff.locator("h1 .case-status")).to_have_text("Active")

    # 3. Airport reception and a bed in the centre ---------------------------------------------------------
    staff.locator("#movements").get_by_role("link", name="Plan a movement").click()
    staff.get_by_label("Airport reception").check()
    staff.locator("input[name=travellers]").first.check()
    landed = timezone.localtime() - datetime.timedelta(hours=3)
    staff.get_by_role("textbox", name="From", exact=True).fill("Sheremetyevo airport, flight HY-601 from Tashkent")
    staff.get_by_role("textbox", name="To", exact=True).fill("Rehabilitation centre")
    staff.get_by_label("Departure").fill(landed.strftime("%Y-%m-%dT%H:%M"))
    staff.get_by_label("Arrival").fill((landed + datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    staff.get_by_role("button", name="Save").click()
    staff.wait_for_url(re.compile(rf"/cases/{case.reference}/#movements$"))
    movements = staff.locator("#movements")
    expect(movements).to_contain_text("Airport reception")
    expect(movements).to_contain_text("Planned")
    # A reception is met or not: no "departed" step of its own.
    expect(movements.get_by_role("button", name="Departed", exact=True)).to_have_count(0)
    movements.get_by_role("button", name="Met at the airport", exact=True).click()
    expect(staff.locator("#movements .status-badge")).to_have_text("Completed")

    staff.locator("#stays").get_by_role("link", name="Check in").click()
    staff.get_by_label("Guest").select_option(index=1)
    staff.get_by_label("Room and bed").select_option(label="Room 3, bed 1")
    staff.get_by_role("button", name="Check in").click()
    expect(staff.locator(".messages")).to_contain_text("The guest is checked in.")
    expect(staff.locator("#stays")).to_contain_text("Room 3, bed 1")
    assert CentreStay.objects.filter(case=case, person=person, checked_out_on__isnull=True).count() == 1

    # 4. Referral to NGO X from the case's Referrals panel -------------------------------------------------
    staff.locator("#referrals").get_by_role("link", name="Refer to a partner").click()
    staff.wait_for_url(re.compile(rf"/referrals/from-case/{case.reference}/$"))
    staff.get_by_label("Crisis shelter for women · NGO X").check()
    staff.get_by_role("button", name="Check the person's consent for this service").click()
    what = staff.locator("#what")
    expect(what).to_contain_text("Written form signed")
    expect(staff.locator('input[name="categories"]')).to_have_count(2)
    expect(staff.locator('input[name="categories"][value="contacts"]')).to_have_count(0)
    what.get_by_role("checkbox", name=identity).check()
    what.get_by_role("checkbox", name=situation).check()
    staff.get_by_role("textbox", name="Situation and needs").fill(SITUATION)
    staff.get_by_label("Reason for the referral").fill(REASON)
    staff.get_by_role("button", name="Preview what is sent").click()
    preview = staff.locator("#preview")
    expect(preview).to_contain_text(NAME)
    expect(preview).to_contain_text(SITUATION)
    expect(preview).not_to_contain_text(PHONE)
    _screenshot(staff, "referral-preview")
    staff.get_by_role("button", name="Send the referral").click()
    staff.wait_for_url(re.compile(r"/referrals/[0-9a-f-]{36}/$"))
    referral = Referral.objects.get()
    expect(staff.locator(".messages")).to_contain_text(f"Referral {referral.reference} was sent to NGO X")
    assert (referral.case, referral.organisation, referral.status) == (case, ngo, ReferralStatus.SENT)

    # 5. NGO X's partner user: only the consented fields; accepts, then completes --------------------------
    partner = new_page()
    sign_in_with_code(partner, users["partner_user"])
    partner.goto("/referrals/")
    inbox = partner.locator("#referrals")
    expect(inbox).to_contain_text(referral.reference)
    expect(inbox).to_contain_text("Crisis shelter for women")
    for secret in (NAME, case.reference):
        expect(partner.locator("main")).not_to_contain_text(secret)
    partner.get_by_role("link", name=referral.reference).click()
    partner.wait_for_url(re.compile(rf"/referrals/{referral.pk}/$"))
    shared = partner.locator("#shared")
    expect(shared).to_contain_text(NAME)
    expect(shared).to_contain_text(SITUATION)
    main = partner.locator("main")
    for secret in (PHONE, case.reference, person.reference, SUMMARY, "Sheremetyevo", "Room 3", "Embassy of Uzbekistan"):
        expect(main).not_to_contain_text(secret)
    _screenshot(partner, "partner-referral")
    partner.get_by_role("button", name="Accept").click()
    expect(partner.locator(".messages")).to_contain_text("Accepted")
    partner.get_by_label("Feedback: what was done").fill(FEEDBACK)
    partner.get_by_role("button", name="Mark as completed").click()
    expect(partner.locator(".messages")).to_contain_text("Completed")
    referral.refresh_from_db()
    assert (referral.status, referral.feedback) == (ReferralStatus.COMPLETED, FEEDBACK)
    partner.context.close()

    # 6. The case timeline and the dashboard -----------------------------------------------------------------
    staff.goto(f"/cases/{case.reference}/")
    expect(staff.locator("#referrals")).to_contain_text(FEEDBACK)
    timeline = staff.locator("#timeline")
    consent_line = f"Consent recorded for {person.reference}: "
    for line in (
        "Case opened (Diplomatic mission: Embassy of Uzbekistan); owner case_worker.",
        consent_line + "Referral to another organisation, to NGO X (Name, sex, date of birth, nationality, "
                       "Situation and needs); written form signed.",
        consent_line + "Referral to another organisation, to Safe House Shelter (",
        consent_line + "Assistance by the office, to the office (",
        "Status changed from Intake to Active (Start assistance).",
        "Movement planned: Airport reception Sheremetyevo airport",
        "Movement completed: Airport reception Sheremetyevo airport",
        f"{person.reference} checked in to room Room 3, bed 1",
        f"Referral {referral.reference} sent to NGO X (Crisis shelter for women).",
        f"Referral {referral.reference} to NGO X: accepted.",
        f"Referral {referral.reference} to NGO X: completed. {FEEDBACK}",
    ):
        expect(timeline).to_contain_text(line)
    _screenshot(staff, "case-page")
    staff.get_by_role("link", name="Waypoint", exact=True).click()
    staff.wait_for_url(re.compile(r"/$"))
    caseload = staff.locator("#caseload")
    expect(caseload.get_by_role("table", name="My open cases")).to_contain_text(case.reference)
    expect(staff.locator("#centre")).to_contain_text("1 / 2")  # her bed is taken in the occupancy figures
    _screenshot(staff, "dashboard")

    # 7. The consent to NGO X is withdrawn: the next referral to NGO X is refused ---------------------------
    staff.goto(f"/cases/{case.reference}/")
    ngo_row = staff.locator("#consents tbody tr").filter(has_text="NGO X")
    ngo_row.get_by_text("Withdraw…").click()
    ngo_row.get_by_label("How the person withdrew it (optional)").fill("She called and withdrew it.")
    ngo_row.get_by_role("button", name="Withdraw the consent").click()
    expect(staff.locator(".messages")).to_contain_text("The consent is withdrawn.")
    expect(staff.locator("#consents tbody tr").filter(has_text="NGO X")).to_contain_text("withdrawn")
    assert ConsentRecord.objects.get(recipient_organisation=ngo).withdrawn_at is not None
    staff.locator("#referrals").get_by_role("link", name="Refer to a partner").click()
    staff.get_by_label("Crisis shelter for women · NGO X").check()
    staff.get_by_role("button", name="Check the person's consent for this service").click()
    expect(staff.locator("#what")).to_contain_text(f"{NAME} has no valid consent to be referred to NGO X")
    expect(staff.locator('input[name="categories"]')).to_have_count(0)
    staff.get_by_label("Reason for the referral").fill("Again, for counselling.")
    staff.get_by_role("button", name="Send the referral").click()
    expect(staff.locator(".form-errors")).to_contain_text("has not consented")
    expect(staff.locator("#preview")).to_have_count(0)  # nothing went: no "what NGO X will receive"
    _screenshot(staff, "referral-refused")
    assert Referral.objects.count() == 1
    staff.context.close()

    # 8. A partner user of another organisation cannot reach the referral ---------------------------------
    other = new_page()
    sign_in_with_code(other, users["partner_user_y"])
    other.goto("/referrals/")
    expect(other.locator("main")).to_contain_text("No referrals yet.")
    for url in (f"/referrals/{referral.pk}/", f"/referrals/{referral.pk}/pdf/?language=en"):
        response = other.goto(url)
        assert response.status == 404, url
        expect(other.get_by_role("heading", level=1)).to_have_text("Not found")
        expect(other.locator("body")).not_to_contain_text(NAME)
    _, their_token = create_token(users["partner_user_y"], name="journey test", valid_days=1)
    _, our_token = create_token(users["partner_user"], name="journey test", valid_days=1)
    api = f"/api/v1/referrals/{referral.pk}"
    answer = other.request.get(api, headers={"Authorization": f"Bearer {their_token}"})
    assert answer.status == 404, answer.text()
    assert NAME not in answer.text()
    answer = other.request.get(api, headers={"Authorization": f"Bearer {our_token}"})  # the address itself works
    assert answer.status == 200, answer.text()
    assert answer.json()["reference"] == referral.reference
    other.context.close()
    assert violations == []
