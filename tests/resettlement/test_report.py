"""The quarterly report: its figures recomputed by hand from the raw rows, on a world with families, a
re-presentation and steps just outside the period; the page, its CSV and the API answer the same."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.utils import timezone

from tests.conftest import signed_in_client
from waypoint.accounts.models import Role
from waypoint.api import services as api_services
from waypoint.audit.models import AuditEvent
from waypoint.cases.models import Case, CaseMember, StatusChange
from waypoint.resettlement import presentations, report, services
from waypoint.resettlement.models import Presentation, ResettlementProfile

from .helpers import family, members, res_staff, step

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
START, END = TODAY - datetime.timedelta(days=80), TODAY - datetime.timedelta(days=20)


def day(offset: int) -> datetime.date:
    return START + datetime.timedelta(days=offset)


def _profile(user, case, destination, category, source="unhcr"):
    programme = {"US": "usrap", "CA": "ca_gar", "AU": "au_refugee"}[destination]
    services.update_profile(user, case, version=0, destination=destination, resettlement_programme=programme,
                            category=category, referral_source=source, unhcr_reference="U-1",
                            relative_name="Sami", relative_relationship="brother", relative_location="Boise")


def _present(user, case, on, people, decision, decided):
    row = presentations.record_presentation(user, case, presented_on=on, city="Baku", agency="USCIS", members=people)
    presentations.record_decision(user, row, version=row.version, decision=decision, decided_on=decided)


@pytest.fixture
def world(make_user):
    worker, manager = res_staff(make_user)
    # A family of 4 received in the period, presented, put on hold, presented again (3 members), approved.
    a = family(worker, 4, opened_on=day(0))
    _profile(worker, a, "US", "p1")
    step(worker, a, "prescreen", day(2))
    step(worker, a, "prepare_file", day(3))
    _present(worker, a, day(5), members(a), "on_hold", day(6))
    _present(worker, a, day(20), members(a)[:3], "approved", day(21))
    # A family of 2 received the day before the period, presented on its last day, denied the day after.
    b = family(worker, 2, opened_on=START - datetime.timedelta(days=1))
    _profile(worker, b, "CA", "transit")
    step(worker, b, "prescreen", START - datetime.timedelta(days=1))
    step(worker, b, "prepare_file", day(1))
    _present(worker, b, END, members(b), "denied", END + datetime.timedelta(days=1))
    # A single person received on the last day; another received the day after (outside), without a profile.
    c = family(worker, 1, opened_on=END)
    _profile(worker, c, "AU", "p1")
    family(worker, 3, opened_on=END + datetime.timedelta(days=1))
    # Departures as the workflow records them: one on the first day, one the day after the period.
    for size, on in ((3, START), (5, END + datetime.timedelta(days=1)), (2, START - datetime.timedelta(days=1))):
        d = family(worker, size, opened_on=START - datetime.timedelta(days=200))
        _profile(worker, d, "US", "p2", source="family")
        StatusChange.objects.create(case=d, action="depart", from_status="travel_booked", to_status="departed",
                                    on=on, individuals=size, by=worker)
    return {"worker": worker, "manager": manager}


def recount(start: datetime.date, end: datetime.date) -> dict:
    """docs/resettlement.md, by hand: plain loops over the raw rows."""
    res = {pk for pk, programme in Case.objects.values_list("pk", "programme") if programme == "RES"}
    where = dict(ResettlementProfile.objects.values_list("case_id", "destination"))
    result = {}

    def add(measure, case_id, individuals):
        for key in ((measure, "all"), (measure, where.get(case_id, ""))):
            cases, people = result.get(key, (0, 0))
            result[key] = (cases + 1, people + individuals)

    rows = list(CaseMember.objects.values_list("case_id", flat=True))
    for pk, opened_on in Case.objects.values_list("pk", "opened_on"):
        if pk in res and start <= opened_on <= end:
            add("received", pk, rows.count(pk))
    presented = list(Presentation.members.through.objects.values_list("presentation_id", flat=True))
    for pk, case_id, on in Presentation.objects.values_list("pk", "case_id", "presented_on"):
        if case_id in res and start <= on <= end:
            add("presented", case_id, presented.count(pk))
    for case_id, action, on, individuals in StatusChange.objects.values_list("case_id", "action", "on", "individuals"):
        if case_id in res and action == "depart" and start <= on <= end:
            add("departed", case_id, individuals)
    return result


def computed_pairs(found: report.Report) -> dict:
    pairs = {}
    for measure in report.MEASURES:
        total = getattr(found.total, measure)
        if total.cases:
            pairs[(measure, "all")] = (total.cases, total.individuals)
        for line in found.by_destination:
            figure = getattr(line, measure)
            if figure.cases:
                pairs[(measure, line.code)] = (figure.cases, figure.individuals)
    return pairs


def test_the_figures_match_a_recount_by_hand(world):
    found = report.compute(START, END)
    assert computed_pairs(found) == recount(START, END)
    # And what the recount says, in the seeds' words.
    assert (found.total.received.cases, found.total.received.individuals) == (2, 5)
    assert (found.total.presented.cases, found.total.presented.individuals) == (3, 9)  # re-presentation counts
    assert (found.total.departed.cases, found.total.departed.individuals) == (1, 3)
    categories = {line.code: line for line in found.by_category}
    assert categories["p1"].received.individuals == 5
    assert categories["transit"].presented.individuals == 2
    wider = (START - datetime.timedelta(days=1), END + datetime.timedelta(days=1))
    assert computed_pairs(report.compute(*wider)) == recount(*wider)


def test_the_page_the_csv_and_the_api_say_the_same(world, make_user):
    manager = world["manager"]
    client = signed_in_client(manager)
    query = f"date_from={START.isoformat()}&date_to={END.isoformat()}"
    page = client.get(f"/resettlement/report/?{query}")
    assert page.status_code == 200
    text = page.content.decode()
    assert "individuals departed" in text
    assert 'id="figure-presented"><span class="figure-value">9<' in text
    answer = client.get(f"/resettlement/report/export.csv?{query}")
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    total = next(row for row in rows if row[:1] == ["Total"])
    assert total[2:] == ["2", "5", "3", "9", "1", "3"]
    assert AuditEvent.objects.filter(action="export", object_type="resettlement.report").count() == 1
    bad = client.get(f"/resettlement/report/?date_from={END.isoformat()}&date_to={START.isoformat()}")
    assert bad.status_code == 400
    assert "cannot be before its first day" in bad.content.decode()

    token = api_services.create_token(manager, name="script", valid_days=5)[1]
    api = client.get(f"/api/v1/resettlement/report?{query}", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api.status_code == 200
    assert api.json()["total"]["presented"] == {"cases": 3, "individuals": 9}
    worker_token = api_services.create_token(world["worker"], name="script", valid_days=5)[1]
    denied = client.get(f"/api/v1/resettlement/report?{query}", HTTP_AUTHORIZATION=f"Bearer {worker_token}")
    assert denied.status_code == 404
    me = make_user(Role.ME_OFFICER, "me_officer")
    assert signed_in_client(me).get(f"/resettlement/report/?{query}").status_code == 200
    assert signed_in_client(world["worker"]).get(f"/resettlement/report/?{query}").status_code == 404


def test_a_formula_in_a_label_is_not_run_by_a_spreadsheet():
    from waypoint.resettlement import views_report

    line = report.Line("x", "=HYPERLINK(1)")
    data = report.Report(START, END, line, [line], [])
    assert "'=HYPERLINK(1)" in views_report.as_csv(data).decode("utf-8-sig")
