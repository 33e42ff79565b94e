"""The migration health journey in Chromium, as new users take it through the pages.

A counter-trafficking case worker asks, from her case page, for a TB screening of a member. The MH case worker
finds it in the health unit's queue and records the results: first "cleared" without a validity date on a
fitness-to-travel exam (refused, the field named, nothing saved), then a TB screening with presumptive TB and a
follow-up. From the assessment she opens a migration health case for the person and refers them for treatment
to the TB dispensary through the shared referral pages. The CT case worker then sees the member's clearance on
her case page, never the results.
"""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.helpers import sign_in_with_code
from waypoint.accounts.models import Programme, Role
from waypoint.cases.casework import open_case
from waypoint.cases.models import Case, Channel, Referral, ReferralStatus
from waypoint.consent.models import ConsentRecord, DataCategory, HowGiven, Purpose
from waypoint.health.models import AssessmentStatus, HealthAssessment
from waypoint.partners.models import Organisation, OrganisationType, Service
from waypoint.people import services as people_services

pytestmark = pytest.mark.django_db(transaction=True)

RESULTS = "Chest X-ray: infiltrate in the upper right lobe."
FOLLOW_UP = "Sputum test and treatment at the TB dispensary."


def test_a_tb_screening_from_request_to_a_referral_for_treatment(browser, live_server, users, make_user):
    worker = users["case_worker"]
    doctor = make_user(Role.CASE_WORKER, "doctor", programmes=[Programme.HEALTH], first_name="Natalia",
                       last_name="Popova")
    person = people_services.register(worker, {"family_name": "Рахимов", "given_name": "Фаррух", "sex": "M",
                                               "citizenships": ["TJ"]}, programme=Programme.COUNTER_TRAFFICKING)
    case = open_case(worker, programme=Programme.COUNTER_TRAFFICKING, principal=person, owner=worker,
                     channel=Channel.SELF)
    dispensary = Organisation.objects.create(name="City TB Dispensary", organisation_type=OrganisationType.HEALTH)
    Service.objects.create(organization=dispensary, name="TB diagnosis and treatment", available=10)
    ConsentRecord.objects.create(person=person, purpose=Purpose.REFERRAL, recipient_organisation=dispensary,
                                 data_categories=[DataCategory.IDENTITY, DataCategory.HEALTH],
                                 how_given=HowGiven.WRITTEN, given_on=timezone.localdate())

    def new_page():
        return browser.new_context(base_url=live_server.url, locale="en-GB").new_page()

    # 1. The CT case worker asks for an examination from her case page -------------------------------------
    staff = new_page()
    sign_in_with_code(staff, worker)
    staff.goto(f"/cases/{case.reference}/")
    panel = staff.locator("#health")
    expect(panel).to_contain_text("No medical examination")
    panel.get_by_label("Member to examine").select_option(label=f"{person.reference} · Principal")
    panel.get_by_label("Kind of examination").select_option(label="Fitness to travel (pre-departure)")
    panel.get_by_role("button", name="Request the examination").click()
    staff.wait_for_url(re.compile(rf"/cases/{case.reference}/#health$"))
    expect(staff.locator(".messages")).to_contain_text("The examination is requested")
    expect(staff.locator("#health")).to_contain_text("Examination requested")
    assessment = HealthAssessment.objects.get()

    # 2. The MH case worker finds it in the queue ------------------------------------------------------------
    unit = new_page()
    sign_in_with_code(unit, doctor)
    unit.get_by_role("navigation", name="Main").get_by_role("link", name="Migration health").click()
    unit.wait_for_url(re.compile(r"/health/$"))
    unit.get_by_label("Status").select_option(label="Requested")
    unit.get_by_role("button", name="Show").click()
    unit.get_by_role("link", name=f"Fitness to travel (pre-departure) · {person.reference}").click()
    unit.wait_for_url(re.compile(rf"/health/{assessment.pk}/$"))
    unit.get_by_role("link", name="Record the results").click()

    # 3. Bad input first: cleared without a validity date --------------------------------------------------
    unit.get_by_label("Date of the assessment").fill(timezone.localdate().isoformat())
    unit.get_by_label("Clinic").select_option(label="City TB Dispensary")
    unit.get_by_role("combobox", name="Clearance", exact=True).select_option(label="Cleared to travel")
    unit.get_by_role("button", name="Save the results").click()
    expect(unit.get_by_role("alert")).to_contain_text("Nothing was saved")
    expect(unit.locator(".has-error")).to_contain_text("A clearance to travel needs the date it is valid until.")
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.REQUESTED

    # 4. Valid results: a TB screening, presumptive TB, follow-up needed -----------------------------------
    unit.get_by_label("Kind of examination").select_option(label="TB screening")
    unit.get_by_role("combobox", name="Clearance", exact=True).select_option(label="Pending")
    unit.get_by_label("Results", exact=True).fill(RESULTS)
    unit.get_by_label("TB screening result").select_option(label="Presumptive TB (referred for diagnosis)")
    unit.get_by_label("Follow-up needed").check()
    unit.get_by_label("Follow-up", exact=True).fill(FOLLOW_UP)
    unit.get_by_role("button", name="Save the results").click()
    unit.wait_for_url(re.compile(rf"/health/{assessment.pk}/$"))
    expect(unit.locator(".messages")).to_contain_text("The results are saved.")
    expect(unit.get_by_role("main")).to_contain_text(RESULTS)

    # 5. A health case for the follow-up, and the referral for treatment from it ---------------------------
    unit.get_by_role("button", name="Open a health case for the follow-up").click()
    health_case = Case.objects.get(programme=Programme.HEALTH)
    expect(unit.locator(".messages")).to_contain_text(f"Migration health case {health_case.reference} is opened")
    unit.get_by_role("link", name="Refer for treatment").click()
    unit.wait_for_url(re.compile(rf"/referrals/from-case/{health_case.reference}/$"))
    unit.get_by_label("TB diagnosis and treatment · City TB Dispensary").check()
    unit.get_by_role("button", name="Check the person's consent for this service").click()
    unit.locator("#what").get_by_role("checkbox", name="Name, sex, date of birth, nationality").check()
    unit.get_by_label("Reason for the referral").fill("Presumptive TB: diagnosis and treatment.")
    unit.get_by_role("button", name="Send the referral").click()
    unit.wait_for_url(re.compile(r"/referrals/[0-9a-f-]{36}/$"))
    referral = Referral.objects.get()
    assert (referral.case, referral.organisation, referral.status) == (health_case, dispensary, ReferralStatus.SENT)
    unit.goto(f"/health/{assessment.pk}/")
    expect(unit.locator("#follow-up")).to_contain_text(referral.reference)

    # 6. The CT case worker sees the clearance summary only -------------------------------------------------
    staff.goto(f"/cases/{case.reference}/")
    panel = staff.locator("#health")
    expect(panel).to_contain_text("No medical examination")  # a TB screening gives no clearance to travel
    page_text = staff.get_by_role("main").inner_text()
    assert RESULTS not in page_text
    assert "Presumptive" not in page_text
    assert FOLLOW_UP not in page_text
    assert staff.request.get(f"/health/{assessment.pk}/").status == 404
