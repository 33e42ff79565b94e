"""Health statistics: counts by kind, month, programme, clearance, TB result and follow-up; individuals beside
assessments; small numbers hidden for M&E and in every export; the export formula-safe and audited."""

import csv
import io

import pytest

from tests.conftest import signed_in_client
from tests.health.world import DAY, TODAY, make_world
from waypoint.accounts.models import Programme, Role
from waypoint.audit.models import Action, AuditEvent
from waypoint.health import services
from waypoint.health import statistics as stats
from waypoint.health.models import AssessmentStatus, HealthAssessment


@pytest.fixture
def world(users, make_user):
    world = make_world(users, make_user)
    # Twelve more TB screenings of the mother and the returnee (two individuals), all negative.
    for number in range(12):
        person, case = (world.mother, world.ct_case) if number % 2 else (world.returnee, world.return_case)
        HealthAssessment.objects.create(case=case, person=person, assessment_type="tb_screening",
                                        status=AssessmentStatus.DONE, requested_on=TODAY - 3 * DAY,
                                        assessed_on=TODAY - 2 * DAY, tb_result="negative")
    return world


def cell(table, key, column=0):
    return next(row for row in table.rows if row.key == key).cells[column]


def test_counts_assessments_and_individuals_exactly_for_the_programme_manager(world):
    result = stats.compute(TODAY - 30 * DAY, TODAY, protect=False)
    tables = {table.key: table for table in result.tables}
    summary = dict(result.summary)
    assert summary["Assessments done"].count == 14  # 12 screenings, the mother's clearance, the returnee's exam
    assert summary["Individuals assessed"].count == 2
    assert summary["Examinations waiting today"].count == 1
    assert (cell(tables["type"], "tb_screening").count, cell(tables["type"], "tb_screening", 1).count) == (12, 2)
    assert cell(tables["programme"], "CT").count == 7
    assert cell(tables["programme"], "AVRR").count == 7
    assert cell(tables["clearance"], "cleared").count == 1
    assert cell(tables["clearance"], "deferred").count == 1
    assert cell(tables["tb"], "negative").count == 12
    assert cell(tables["tb"], "presumptive").count == 1
    assert cell(tables["follow_up"], "needed").count == 1
    assert cell(tables["follow_up"], "open").count == 1
    assert sum(row.cells[0].count for row in tables["month"].rows) == 14


def test_a_follow_up_case_and_its_referral_are_counted(world):
    from waypoint.cases.models import Referral, ReferralStatus

    case, _opened = services.open_follow_up_case(world.doctor, world.returnee_exam)
    Referral.objects.create(reference="R-TB-1", organisation=world.dispensary, programme=Programme.HEALTH,
                            office=case.office, status=ReferralStatus.SENT, case=case, person=world.returnee,
                            sent_at=world.returnee_exam.updated_at)
    tables = {t.key: t for t in stats.compute(TODAY - 30 * DAY, TODAY, protect=False).tables}
    assert cell(tables["follow_up"], "case").count == 1
    assert cell(tables["follow_up"], "referred").count == 1


def test_small_numbers_are_hidden_for_m_and_e(world, users):
    assert not stats.sees_exact_counts(users["me_officer"])
    assert stats.sees_exact_counts(world.mh_manager)
    page = signed_in_client(users["me_officer"]).get("/health/statistics/?period=this_year")
    assert page.status_code == 200
    result = page.context["statistics"]
    tables = {t.key: t for t in result.tables}
    assert result.protected
    assert cell(tables["clearance"], "cleared").suppressed  # one person
    # The twelve screenings are hidden too: the total (14) less them would give away the two single exams.
    assert cell(tables["type"], "tb_screening").suppressed
    assert dict(result.summary)["Assessments done"].shown_count == "14"
    assert "[c]" in page.content.decode()


def test_a_period_with_few_assessments_is_not_broken_down_when_protected(db):
    result = stats.compute(TODAY - 30 * DAY, TODAY, protect=True)
    assert result.withheld
    assert result.tables == []


def test_the_export_is_protected_formula_safe_and_audited(world, users):
    client = signed_in_client(world.mh_manager)
    response = client.get("/health/statistics/export.csv?period=this_year")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert ["Assessments done", "14"] in rows
    assert any(row[:1] == ["Cleared to travel"] and row[1] == "[c]" for row in rows)
    assert not any(value.startswith(("=", "+", "-", "@")) for row in rows for value in row if value)
    event = AuditEvent.objects.filter(action=Action.EXPORT, object_type="health.statistics").get()
    assert event.actor_id == world.mh_manager.pk


@pytest.mark.parametrize(("persona", "status"), [("me_officer", 200), ("case_worker", 404),
                                                 ("programme_manager", 404)])
def test_only_health_managers_and_m_and_e_open_the_statistics(world, users, persona, status):
    assert signed_in_client(users[persona]).get("/health/statistics/").status_code == status


def test_a_bad_period_names_the_field(world):
    response = signed_in_client(world.mh_manager).get("/health/statistics/?period=custom&date_from=2026-02-01")
    assert response.status_code == 400
    assert "Enter the last day of the period." in response.content.decode()


def test_the_dashboard_and_the_navigation_show_the_health_unit_its_work(world, make_user):
    services.open_follow_up_case(world.doctor, world.returnee_exam)
    HealthAssessment.objects.filter(pk=world.cleared.pk).update(valid_until=TODAY + 10 * DAY)
    html = signed_in_client(world.doctor).get("/").content.decode()
    assert 'id="health"' in html
    assert "1</span> <span class=\"figure-label\">examination requested and waiting" in html
    assert "1</span> <span class=\"figure-label\">clearance ending within 30 days" in html
    assert "1</span> <span class=\"figure-label\">follow-up open" in html
    assert 'href="/health/"' in html
    other = signed_in_client(make_user(Role.CASE_WORKER, "ct2", programmes=["CT"])).get("/").content.decode()
    assert 'id="health"' not in other
    assert 'href="/health/"' not in other


def test_the_queue_filters_by_status_kind_programme_and_clearance(world):
    client = signed_in_client(world.doctor)
    rows = lambda query: {a.pk for a in client.get(f"/health/?{query}").context["page"].object_list}  # noqa: E731
    assert rows("status=requested") == {world.waiting.pk}
    assert rows("assessment_type=resettlement") == {world.returnee_exam.pk}
    assert world.returnee_exam.pk in rows("programme=AVRR")
    assert world.cleared.pk not in rows("programme=AVRR")
    assert rows("clearance=deferred") == {world.returnee_exam.pk}
    assert rows("follow_up=open") == {world.returnee_exam.pk}
    assert client.get("/health/?status=nonsense").status_code == 400
