"""The caseload dashboards: what each role sees on the landing page, and that nothing outside their scope
is counted.

The office today: counter-trafficking cases A (the case worker's, high risk, active), B (a colleague's, the
case worker assigned to it, intake), D (the case worker's, closed) and E (the colleague's alone, in
follow-up); AVRR case C of case worker B. Tasks, referrals and services hang off them.
"""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from tests.cases._reports_factories import make_case, make_referral
from waypoint.accounts.models import Office, Programme, Role
from waypoint.audit.models import Action, AuditEvent
from waypoint.cases import dashboards
from waypoint.cases.models import (
    CaseEvent,
    Channel,
    DeliveryStatus,
    ReferralDirection,
    ReferralStatus,
    RiskLevel,
    ServiceDelivery,
    ServiceType,
    Task,
)
from waypoint.people.models import Person
from waypoint.protection.models import CentreStay, Room

DAY = datetime.timedelta(days=1)


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def colleague(make_user):
    return make_user(Role.CASE_WORKER, "colleague", programmes=[Programme.COUNTER_TRAFFICKING])


@pytest.fixture
def office_today(users, colleague, office, ngo_x, today):
    worker, manager = users["case_worker"], users["programme_manager"]
    this_year = today.replace(month=1, day=1)
    a = make_case(worker, channel=Channel.MISSION_ABROAD, opened_on=this_year, status="Active",
                  risk_level=RiskLevel.HIGH)
    b = make_case(colleague, channel=Channel.LAW_ENFORCEMENT, opened_on=this_year, status="intake",
                  risk_level=RiskLevel.LOW)
    b.assigned.add(worker)
    c = make_case(users["case_worker_b"], programme=Programme.RETURN, channel=Channel.NGO, opened_on=this_year,
                  status="requested")
    d = make_case(worker, channel=Channel.NGO, opened_on=this_year.replace(year=this_year.year - 1), status="Closed")
    e = make_case(colleague, channel=Channel.MISSION_ABROAD, opened_on=this_year, status="FollowUp")

    def task(case, title, due_on, **fields):
        return Task.objects.create(case=case, title=title, due_on=due_on, **fields)

    task(a, "Book the medical examination", today - DAY)
    task(a, "Call the embassy", today + 3 * DAY)
    task(a, "Plan the journey home", today + 10 * DAY)
    task(a, "Meet the lawyer", today - DAY, done_at=timezone.now())
    task(b, "Collect the documents", today, assigned_to=colleague)
    task(c, "Hidden task of another programme", today + DAY)
    task(d, "Task of a closed case", today - DAY)
    task(e, "Task on a colleague's case, assigned to me", today, assigned_to=worker)

    late = make_referral(ngo_x, office, sent_at=timezone.now() - 9 * DAY, case=a, due_on=today - DAY)
    make_referral(ngo_x, office, sent_at=timezone.now(), case=a, due_on=today + DAY)
    make_referral(ngo_x, office, sent_at=timezone.now() - 9 * DAY, case=c, due_on=today - DAY,
                  programme=Programme.RETURN)
    make_referral(ngo_x, office, sent_at=timezone.now() - 9 * DAY, case=e, due_on=today - DAY)
    make_referral(ngo_x, office, sent_at=timezone.now() - 9 * DAY, case=a, due_on=today - DAY,
                  status=ReferralStatus.ACCEPTED)
    make_referral(ngo_x, office, sent_at=timezone.now(), direction=ReferralDirection.INBOUND, channel=Channel.NGO)

    reception = ServiceType.objects.create(code="test-reception", name_en="Airport reception (test)",
                                           name_ru="Встреча в аэропорту (тест)")
    counselling = ServiceType.objects.create(code="test-counselling", name_en="Psychological counselling (test)",
                                             name_ru="Консультация психолога (тест)")
    for service, case, status, day in [
        (reception, a, DeliveryStatus.DELIVERED, today), (reception, b, DeliveryStatus.DELIVERED, today),
        (counselling, a, DeliveryStatus.DELIVERED, today), (counselling, a, DeliveryStatus.CANCELLED, today),
        (reception, a, DeliveryStatus.DELIVERED, today.replace(day=1) - DAY),
        (reception, c, DeliveryStatus.DELIVERED, today),
    ]:
        ServiceDelivery.objects.create(case=case, service_type=service, status=status, delivered_on=day)

    long_ago = timezone.now() - 40 * DAY
    for case in (a, b, e):
        type(case).objects.filter(pk=case.pk).update(created_at=long_ago)
    CaseEvent.objects.create(case=a, kind="note", summary="Saw her at the centre.", actor=worker,
                             at=timezone.now() - 2 * DAY)
    CaseEvent.objects.create(case=b, kind="note", summary="Intake interview.", actor=colleague,
                             at=timezone.now() - 35 * DAY)
    CaseEvent.objects.create(case=e, kind="note", summary="Manager's note.", actor=manager,
                             at=timezone.now() - DAY)
    return {"a": a, "b": b, "c": c, "d": d, "e": e, "late": late}


def references(rows) -> set[str]:
    return {row["case"].reference for row in rows}


# --- A case worker ---------------------------------------------------------------------------------
def test_a_case_worker_sees_their_open_cases_high_risk_first(users, office_today, today):
    context = dashboards.caseload(users["case_worker"], today)

    assert context["open_count"] == 2
    assert [row["case"].reference for row in context["open_cases"]] == [office_today["a"].reference,
                                                                         office_today["b"].reference]
    first = context["open_cases"][0]
    assert (first["status"], first["risk"], first["high_risk"]) == ("Active", "High", True)


def test_a_case_worker_sees_tasks_overdue_and_due_within_a_week_on_their_cases(users, office_today, today):
    context = dashboards.caseload(users["case_worker"], today)

    assert [task.title for task in context["overdue_tasks"]] == ["Book the medical examination"]
    assert [task.title for task in context["due_tasks"]] == ["Collect the documents", "Call the embassy"]
    assert (context["overdue_task_count"], context["due_task_count"]) == (1, 2)


def test_a_case_worker_sees_the_overdue_referrals_of_their_cases(users, office_today, today):
    context = dashboards.caseload(users["case_worker"], today)

    assert [referral.pk for referral in context["overdue_referrals"]] == [office_today["late"].pk]
    assert context["overdue_referral_count"] == 1
    # The queue of inbound referrals of their programme that no case has taken on yet.
    assert context["inbound_waiting"] == 1


def test_another_case_workers_caseload(users, office_today, today):
    context = dashboards.caseload(users["case_worker_b"], today)

    assert references(context["open_cases"]) == {office_today["c"].reference}
    assert [task.title for task in context["due_tasks"]] == ["Hidden task of another programme"]
    assert context["overdue_task_count"] == 0
    assert context["overdue_referral_count"] == 1
    assert context["inbound_waiting"] == 0  # the inbound referral is counter-trafficking's


def test_the_case_workers_dashboard_page(users, client_for, office_today):
    worker = users["case_worker"]
    before = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    response = client_for(worker).get("/")

    assert response.status_code == 200
    content = response.content.decode()
    assert "My caseload" in content
    assert "My programmes" not in content
    for shown in ("a", "b"):
        assert office_today[shown].reference in content
    for hidden in ("c", "d", "e"):
        assert office_today[hidden].reference not in content
    for title in ("Book the medical examination", "Call the embassy", "Collect the documents"):
        assert title in content
    for title in ("Plan the journey home", "Meet the lawyer", "Hidden task of another programme",
                  "Task of a closed case", "Task on a colleague&#x27;s case, assigned to me"):
        assert title not in content
    assert office_today["late"].reference in content
    # The figures lead to the case list, filtered.
    assert 'href="/cases/?status=%40open"' in content
    assert 'href="/cases/?overdue=1"' in content
    # The task titles shown (decrypted) are recorded in the audit trail.
    [event] = AuditEvent.objects.filter(pk__gt=before, action=Action.VIEW, object_type="cases.task")
    assert event.actor_id == worker.pk
    expected = {str(pk) for pk in Task.objects.filter(
        case__in=[office_today["a"], office_today["b"]], done_at__isnull=True,
        due_on__lte=timezone.localdate() + 7 * DAY).values_list("pk", flat=True)}
    assert set(event.changes["shown"][0].split(", ")) == expected


def test_an_empty_caseload_writes_nothing_to_the_audit_trail(users, client_for):
    before = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    content = client_for(users["case_worker"]).get("/").content.decode()

    assert "You have no open cases." in content
    assert not AuditEvent.objects.filter(pk__gt=before, object_type="cases.task").exists()


# --- A programme manager ---------------------------------------------------------------------------
def test_a_programme_manager_sees_their_programmes_cases_by_status(users, office_today, today):
    context = dashboards.programme_overview(users["programme_manager"], today)

    [ct] = context["programmes"]
    assert ct["programme"] == Programme.COUNTER_TRAFFICKING
    assert [(row["status"], row["count"]) for row in ct["rows"]] == [
        ("intake", 1), ("Active", 1), ("FollowUp", 1), ("Closed", 1), ("ClosedReferred", 0)]
    assert ct["open"] == 3
    assert ct["rows"][0]["label"] == "Intake"


def test_a_programme_manager_sees_sources_services_and_overdue_referrals(users, office_today, today):
    context = dashboards.programme_overview(users["programme_manager"], today)

    assert context["year_cases"] == 3  # A, B and E; D was opened last year, C is AVRR
    assert [(row.key, row.count, str(row.share)) for row in context["sources"]] == [
        (Channel.MISSION_ABROAD, 2, "66.7"), (Channel.LAW_ENFORCEMENT, 1, "33.3")]
    assert context["services"] == [("Airport reception (test)", 2), ("Psychological counselling (test)", 1)]
    assert context["services_total"] == 3
    assert context["overdue_referral_count"] == 2  # A's and E's; not the AVRR case's
    assert context["inbound_waiting"] == 1


def test_a_programme_manager_sees_cases_whose_owner_has_been_quiet(users, office_today, today):
    context = dashboards.programme_overview(users["programme_manager"], today)

    assert context["quiet_count"] == 2
    assert {case.reference for case in context["quiet_cases"]} == {office_today["b"].reference,
                                                                   office_today["e"].reference}


def test_a_programme_manager_of_another_programme_counts_nothing_of_counter_trafficking(make_user, office_today,
                                                                                        today):
    manager = make_user(Role.PROGRAMME_MANAGER, "avrr_manager", programmes=[Programme.RETURN])

    context = dashboards.programme_overview(manager, today)

    [avrr] = context["programmes"]
    assert avrr["programme"] == Programme.RETURN
    counts = {row["status"]: row["count"] for row in avrr["rows"]}
    assert counts["requested"] == 1  # the return workflow's first status
    assert sum(counts.values()) == 1
    assert [(row.key, row.count) for row in context["sources"]] == [(Channel.NGO, 1)]
    assert context["services"] == [("Airport reception (test)", 1)]
    assert context["overdue_referral_count"] == 1
    assert context["inbound_waiting"] == 0
    assert context["quiet_count"] == 0


def test_the_programme_managers_dashboard_page(users, client_for, office_today):
    content = client_for(users["programme_manager"]).get("/").content.decode()

    assert "My programmes" in content
    assert "My caseload" not in content
    assert "Airport reception (test)" in content
    assert 'href="/reports/referrals/"' in content
    assert 'href="/cases/?programme=CT&amp;status=FollowUp"' in content
    assert 'href="/cases/?programme=CT&amp;status=%40open"' in content
    assert office_today["c"].reference not in content  # AVRR


@pytest.mark.parametrize("persona", ["me_officer", "partner_user", "hotline_operator", "administrator",
                                     "data_protection_officer"])
def test_other_roles_get_no_caseload_figures(users, client_for, office_today, persona):
    content = client_for(users[persona]).get("/").content.decode()

    assert "My caseload" not in content
    assert "My programmes" not in content
    assert "Rehabilitation centre tonight" not in content
    for case in office_today.values():
        assert case.reference not in content


# --- The rehabilitation centre ---------------------------------------------------------------------
@pytest.fixture
def centre(office_today, today):
    place = Office.objects.create(code="centre", name="Rehabilitation centre", kind=Office.Kind.REHABILITATION_CENTRE,
                                  city="Moscow")
    room = Room.objects.create(office=place, name="101", beds=4)
    Room.objects.create(office=place, name="102", beds=2, in_use=False)
    guest = Person.objects.create(family_name="Guest", given_name="Anna")
    CentreStay.objects.create(case=office_today["a"], person=guest, room=room, bed=1, checked_in_on=today - DAY)
    left = Person.objects.create(family_name="Guest", given_name="Olga")
    CentreStay.objects.create(case=office_today["e"], person=left, room=room, bed=2, checked_in_on=today - 5 * DAY,
                              checked_out_on=today)
    return place


@pytest.mark.parametrize("persona", ["programme_manager", "case_worker"])
def test_the_counter_trafficking_staff_see_the_centre_tonight(users, client_for, centre, persona):
    content = client_for(users[persona]).get("/").content.decode()

    assert '<a href="/centre/">Rehabilitation centre tonight</a>' in content
    assert "1 / 4" in content  # Olga left today: her bed is free again; room 102 is not in use
    assert "3</span> <span class=\"figure-label\">beds free" in content
    assert "Anna" not in content
    assert "Guest" not in content


def test_staff_of_another_programme_do_not_see_the_centre(users, client_for, centre):
    content = client_for(users["case_worker_b"]).get("/").content.decode()

    assert "Rehabilitation centre tonight" not in content
