"""The return pages, the statistics and the API as their users meet them."""

import csv
import datetime
import io

import pytest
from django.test import RequestFactory
from django.utils import timezone

from tests.conftest import signed_in_client
from tests.returns.conftest import COMPLETE, book, clear, issue_documents, step, to_counselled
from waypoint.accounts.models import Programme, Role
from waypoint.api.services import create_token
from waypoint.audit.models import Action, AuditEvent
from waypoint.cases import movements
from waypoint.cases.models import MemberRole, MovementStatus
from waypoint.returns import case_panels, reintegration
from waypoint.returns.models import Answer, ReturnProfile, TravelDocument

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def test_the_questionnaire_page_names_the_missing_question_then_shows_the_category(worker, open_return):
    case = open_return()
    client = signed_in_client(worker)
    url = f"/returns/cases/{case.reference}/questionnaire/"
    assert client.get(url).status_code == 200
    partial = {**{k: v for k, v in COMPLETE.items() if k != "entry"}, "version": "0"}
    refused = client.post(url, partial)
    assert refused.status_code == 400
    message = "Answer the question “How did you enter the Russian Federation?”: it is required."
    assert message in refused.content.decode()
    assert not Answer.objects.filter(case=case).exists()
    saved = client.post(url, {**COMPLETE, "version": "0"}, follow=True)
    assert "Category: Contract student" in saved.content.decode()
    page = client.get(f"/cases/{case.reference}/").content.decode()
    assert "Contract student" in page
    assert "Profiling questionnaire" in page


def test_the_screening_page_shows_the_reasons_of_an_ineligible_result(worker, pilot, open_return):
    case = open_return("Aibek", nationality="KG")
    client = signed_in_client(worker)
    answer = client.post(f"/returns/cases/{case.reference}/screening/", {
        "project": pilot.pk, "nationality": "KG", "migration_status": "irregular_stay", "destination_country": "KG",
        "vulnerabilities": ["no_documents"], "screened_on": TODAY().isoformat()}, follow=True)
    text = answer.content.decode()
    assert "Not eligible for AVRR pilot 2026" in text
    assert "Kyrgyzstan" in text


def test_statistics_count_individuals_by_month_nationality_category_and_stage(
        worker, pilot, open_return, embassy, users, make_user):
    family = open_return("Kofi", family=(MemberRole.SPOUSE, MemberRole.CHILD))
    to_counselled(worker, family, pilot)
    issue_documents(worker, family, embassy)
    clear(family)
    journey = book(worker, family)
    step(worker, family, "book_travel")
    movements.set_movement_status(worker, journey, MovementStatus.IN_TRANSIT, version=journey.version)
    step(worker, family, "depart")
    open_return("Yaw")  # still requested
    manager = make_user(Role.PROGRAMME_MANAGER, "avrr_manager", programmes=[Programme.RETURN])
    query = {"period": "this_year"}
    if TODAY().month == 1 and TODAY().day < 2:
        query = {"date_from": (TODAY() - datetime.timedelta(days=40)).isoformat(), "date_to": TODAY().isoformat()}
    for reader in (manager, users["me_officer"]):
        page = signed_in_client(reader).get("/returns/statistics/", query)
        assert page.status_code == 200
        statistics = page.context["statistics"]
        assert (statistics.departures.cases, statistics.departures.individuals) == (1, 3)
        ghana = statistics.by_nationality[0]
        student = next((r for r in statistics.by_category if r.key == "contract_student"), None)
        if reader == manager:
            assert (ghana.label, ghana.cases, ghana.individuals) == ("Ghana", 1, 3)
            assert student.individuals == 3
        else:  # M&E: a nationality or category of fewer than five cases is pooled, never named
            assert (ghana.key, ghana.cases, ghana.individuals) == ("other", 1, 3)
            assert student is None
            assert [(r.key, r.individuals) for r in statistics.by_category if r.individuals] == [("other", 3)]
        stages = {row.key: (row.cases, row.individuals) for row in statistics.by_stage}
        assert stages["departed"] == (1, 3)
        assert stages["requested"] == (1, 1)
        assert sum(row.individuals for row in statistics.by_month) == 3
    assert signed_in_client(worker).get("/returns/statistics/").status_code == 404
    export = signed_in_client(manager).get("/returns/statistics/export.csv", query)
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert ["Ghana", "3", "1"] in rows
    assert AuditEvent.objects.filter(action=Action.EXPORT, object_type="returns.statistics").exists()


def test_the_csv_export_is_formula_safe(worker, pilot, open_return, users):
    pilot.name = "=HYPERLINK(1)"
    pilot.excluded_countries = ["GH"]
    pilot.save()
    from waypoint.returns import eligibility

    eligibility.screen(worker, open_return(), project=pilot, nationality="GH", migration_status="irregular_stay",
                       destination_country="GH", vulnerabilities=["no_documents"])
    export = signed_in_client(users["me_officer"]).get("/returns/statistics/export.csv", {"period": "this_year"})
    text = export.content.decode("utf-8-sig")
    assert "Excluded country" in text
    assert "\n=" not in text
    assert ",=" not in text


def test_the_api_reads_the_profile_and_refuses_missing_answers_and_instalments_above_budget(
        worker, open_return, embassy, users):
    case = open_return()
    token = create_token(worker, name="script", valid_days=5)[1]
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    client = signed_in_client(worker)
    base = f"/api/v1/returns/cases/{case.reference}"
    missing = client.put(f"{base}/questionnaire", {"version": 0, "answers": {"purpose": "work"}},
                         content_type="application/json", **headers)
    assert missing.status_code == 422
    assert {"entry", "main_difficulty", "months_in_russia"} <= set(missing.json()["errors"])
    assert not ReturnProfile.objects.filter(case=case).exists()
    done = client.put(f"{base}/questionnaire", {"version": 0, "answers": COMPLETE}, content_type="application/json",
                      **headers)
    assert done.status_code == 200
    assert done.json()["category"] == "contract_student"
    stale = client.put(f"{base}/questionnaire", {"version": 0, "answers": COMPLETE}, content_type="application/json",
                       **headers)
    assert stale.status_code == 409
    assert stale.json()["version"] == 1
    principal = case.principal.reference
    requested = client.post(f"{base}/documents", {"person": principal, "authority": str(embassy.pk),
                                                  "kind": "emergency"}, content_type="application/json", **headers)
    assert requested.status_code == 201
    document = requested.json()
    issued = client.patch(f"/api/v1/returns/documents/{document['id']}", {
        "version": document["version"], "status": "issued", "issued_on": TODAY().isoformat(),
        "valid_until": (TODAY() + datetime.timedelta(days=30)).isoformat()}, content_type="application/json",
        **headers)
    assert issued.status_code == 200
    assert TravelDocument.objects.get().status == "issued"
    reintegration.save_plan(worker, case, version=0, budget="300", currency="EUR", partner=None, economic=True,
                            social=False, psychosocial=False)
    above = client.post(f"{base}/instalments", {"amount": "301", "paid_on": TODAY().isoformat(),
                                                "purchased": "Goats"}, content_type="application/json", **headers)
    assert above.status_code == 422
    assert "300.00 EUR remains" in above.json()["errors"]["amount"][0]
    within = client.post(f"{base}/instalments", {"amount": "120.50", "paid_on": TODAY().isoformat(),
                                                 "purchased": "Goats"}, content_type="application/json", **headers)
    assert within.status_code == 201
    assert within.json()["plan"]["remaining"] == "179.50"
    profile = client.get(base, **headers).json()
    assert profile["documents"][0]["status"] == "issued"
    assert profile["individuals"] == 1
    outsider = create_token(users["case_worker"], name="other", valid_days=5)[1]
    assert client.get(base, HTTP_AUTHORIZATION=f"Bearer {outsider}").status_code == 404


def test_the_dashboard_shows_overdue_visits_to_the_return_worker(worker, open_return, partner):
    case = open_return()
    reintegration.record_reception(worker, case, organisation=partner, received_on=TODAY() - datetime.timedelta(
        days=200))
    page = signed_in_client(worker).get("/").content.decode()
    assert "Returns: follow-up due" in page
    assert '>2</span> <span class="figure-label">monitoring visits overdue' in page
    assert case.reference in page


def test_the_dashboard_lists_ten_overdue_visits_and_says_how_many_more(worker, open_return, partner):
    cases = [open_return(given=f"Kwame{n}") for n in range(6)]
    for case in cases:  # two visits overdue each: twelve in all
        reintegration.record_reception(worker, case, organisation=partner,
                                       received_on=TODAY() - datetime.timedelta(days=200))
    request = RequestFactory().get("/")
    request.user = worker
    widget = case_panels.due_widget(request)
    assert widget["overdue_count"] == 12
    assert len(widget["overdue"]) == 10
    assert widget["overdue_more"] == 2
    page = signed_in_client(worker).get("/").content.decode()
    assert '>12</span> <span class="figure-label">monitoring visits overdue' in page
    assert page.count("-month visit due") == 10
    assert "And 2 more." in page
