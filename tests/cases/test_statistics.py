"""Referral statistics: figures worked out by hand for a small quarter of counter-trafficking work, the
period and programme filters, and who counts what on the page and in the CSV.

The quarter (1 January to 31 March 2026, times in Moscow):
* 7 CT cases opened: 3 from missions abroad, 2 from law enforcement, 1 from an NGO (NGO X), 1 opened from
  an inbound referral of NGO Y whose channel (a diplomatic mission) the case does not repeat;
  around them, cases that must not count: one on 31 December, one on 1 April, one of the AVRR programme;
* referrals sent to NGO X: completed, accepted, declined, waiting (overdue), and accepted then cancelled;
  to the police: in progress, declined, cancelled unanswered; to NGO Y: one sent at 23:30 on 31 March;
  not counted: a draft, one sent at 00:30 on 1 April, one of the AVRR programme;
* inbound: NGO Y referred two people through Waypoint (one became the case above, one waits), the police one
  (waiting).
"""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.cases._reports_factories import at, make_case, make_referral
from waypoint.accounts.models import Programme, Role
from waypoint.audit.models import Action, AuditEvent
from waypoint.cases import statistics as stats
from waypoint.cases.models import Case, Channel, Referral, ReferralDirection, ReferralStatus

START, END = datetime.date(2026, 1, 1), datetime.date(2026, 3, 31)
TODAY = datetime.date(2026, 4, 10)
CT, AVRR = [Programme.COUNTER_TRAFFICKING], [Programme.RETURN]
URL = "/reports/referrals/"
QUARTER = {"date_from": "2026-01-01", "date_to": "2026-03-31"}


def D(value: str) -> Decimal:  # noqa: N802 - reads like the literal it makes
    return Decimal(value)


@pytest.fixture
def police(db):
    from waypoint.partners.models import Organisation, OrganisationType

    return Organisation.objects.create(name="Anti-trafficking police unit",
                                       organisation_type=OrganisationType.LAW_ENFORCEMENT)


@pytest.fixture
def quarter(users, office, ngo_x, ngo_y, police):
    """The quarter described at the top; returns the referrals by name."""
    owner = users["case_worker"]
    for channel in [Channel.MISSION_ABROAD] * 3 + [Channel.LAW_ENFORCEMENT] * 2:
        make_case(owner, channel=channel, opened_on="2026-02-15")
    make_case(owner, channel=Channel.NGO, opened_on="2026-01-01", referring_organisation=ngo_x)
    inbound = make_referral(ngo_y, office, sent_at=at("2026-01-05"), status=ReferralStatus.ACCEPTED,
                            direction=ReferralDirection.INBOUND, channel=Channel.DIPLOMATIC)
    make_case(owner, channel="", opened_on="2026-03-31", referral_received=inbound, referring_organisation=ngo_y)
    make_referral(ngo_y, office, sent_at=at("2026-03-10"), direction=ReferralDirection.INBOUND, channel=Channel.NGO)
    make_referral(police, office, sent_at=at("2026-02-20"), direction=ReferralDirection.INBOUND,
                  channel=Channel.LAW_ENFORCEMENT)
    # Not in the quarter, or not counter-trafficking.
    make_case(owner, channel=Channel.MISSION_ABROAD, opened_on="2025-12-31")
    make_case(owner, channel=Channel.MISSION_ABROAD, opened_on="2026-04-01")
    make_case(users["case_worker_b"], programme=Programme.RETURN, channel=Channel.NGO, opened_on="2026-02-01",
              referring_organisation=ngo_x)

    r = {}
    r["completed"] = make_referral(ngo_x, office, sent_at=at("2026-02-02"), status=ReferralStatus.COMPLETED,
                                   responded_at=at("2026-02-04"), completed_at=at("2026-02-09"))  # Mon→Wed→Mon
    r["accepted"] = make_referral(ngo_x, office, sent_at=at("2026-02-06"), status=ReferralStatus.ACCEPTED,
                                  responded_at=at("2026-02-09", "16:00"))  # Friday → Monday: 3.25 days, 1 working
    r["declined"] = make_referral(ngo_x, office, sent_at=at("2026-02-10", "09:00"), status=ReferralStatus.DECLINED,
                                  responded_at=at("2026-02-10", "21:00"))
    r["overdue"] = make_referral(ngo_x, office, sent_at=at("2026-03-02"), due_on=datetime.date(2026, 3, 6))
    r["cancelled_after_accepting"] = make_referral(
        ngo_x, office, sent_at=at("2026-03-03"), status=ReferralStatus.CANCELLED, responded_at=at("2026-03-04"))
    r["in_progress"] = make_referral(police, office, sent_at=at("2026-01-15", "12:00"),
                                     status=ReferralStatus.IN_PROGRESS, responded_at=at("2026-01-16", "00:00"))
    r["police_declined"] = make_referral(police, office, sent_at=at("2026-01-20", "12:00"),
                                         status=ReferralStatus.DECLINED, responded_at=at("2026-01-21", "12:00"))
    r["cancelled"] = make_referral(police, office, sent_at=at("2026-01-22"), status=ReferralStatus.CANCELLED)
    r["last_evening"] = make_referral(ngo_y, office, sent_at=at("2026-03-31", "23:30"),
                                      due_on=datetime.date(2026, 4, 7))
    # Not counted: a draft, the first minutes of April, another programme.
    make_referral(ngo_x, office, sent_at=None, status=ReferralStatus.DRAFT)
    make_referral(ngo_x, office, sent_at=at("2026-04-01", "00:30"), due_on=datetime.date(2026, 4, 20))
    make_referral(ngo_x, office, sent_at=at("2026-02-02"), programme=Programme.RETURN,
                  due_on=datetime.date(2026, 2, 9))
    return r


def compute(programmes=CT, **options):
    return stats.compute(Case.objects.all(), Referral.objects.all(), START, END, programmes, today=TODAY, **options)


# --- Arithmetic -----------------------------------------------------------------------------------
def test_shares_have_one_decimal_as_the_seeds_write_them():
    """The rehabilitation centre's 423 victims: 162 from missions abroad, 94 from law enforcement."""
    assert stats.share(162, 423) == D("38.3")
    assert stats.share(94, 423) == D("22.2")
    assert stats.share(91, 423) == D("21.5")
    assert stats.share(1, 8) == D("12.5")
    assert stats.share(1, 16) == D("6.3")  # 6.25 rounds half up
    assert stats.share(3, 0) is None


def test_medians_and_means():
    assert stats.median([D("3.25"), D("1"), D("2")]) == D("2.0")
    assert stats.median([D("0.5"), D("3.25"), D("1"), D("2")]) == D("1.5")
    assert stats.mean([D("2"), D("3.25"), D("1")]) == D("2.1")  # 6.25 / 3 = 2.083
    assert stats.median([]) is None
    assert stats.mean([]) is None


@pytest.mark.parametrize(("start", "end", "days"), [
    ("2026-02-06", "2026-02-09", 1),  # Friday → Monday
    ("2026-02-02", "2026-02-04", 2),  # Monday → Wednesday
    ("2026-02-02", "2026-02-09", 5),  # a week
    ("2026-02-07", "2026-02-08", 0),  # Saturday → Sunday
    ("2026-02-10", "2026-02-10", 0),
    ("2026-02-02", "2026-02-23", 15),
])
def test_working_days_between(start, end, days):
    assert stats.working_days_between(datetime.date.fromisoformat(start), datetime.date.fromisoformat(end)) == days


# --- The quarter ----------------------------------------------------------------------------------
def test_cases_by_source(quarter):
    statistics = compute()

    assert statistics.cases == 7
    shown = {row.key: (row.count, row.share) for row in statistics.by_source}
    assert shown[Channel.MISSION_ABROAD] == (3, D("42.9"))
    assert shown[Channel.LAW_ENFORCEMENT] == (2, D("28.6"))
    assert shown[Channel.NGO] == (1, D("14.3"))
    # Opened from NGO Y's referral about a person sent by an embassy: counted under the referral's channel.
    assert shown[Channel.DIPLOMATIC] == (1, D("14.3"))
    assert shown[Channel.HOTLINE] == (0, D("0.0"))
    # Every channel, in the seeds' order.
    assert [row.key for row in statistics.by_source] == list(Channel.values)


def test_outbound_referrals_by_receiving_organisation(quarter, ngo_x, ngo_y, police):
    statistics = compute()

    ngo, police_row, last = statistics.outbound
    assert [row.organisation_id for row in statistics.outbound] == [ngo_x.pk, police.pk, ngo_y.pk]
    # NGO X: accepted = completed, accepted, accepted then cancelled; answered = those three and the declined one.
    assert (ngo.name, ngo.sent, ngo.accepted, ngo.declined, ngo.completed) == ("NGO X", 5, 3, 1, 1)
    assert ngo.acceptance_rate == D("75.0")
    assert ngo.median_days_to_accept == D("2.0")  # 2, 3.25 and 1 days
    assert ngo.mean_days_to_accept == D("2.1")
    assert ngo.median_days_to_complete == D("7.0")
    assert (ngo.waiting, ngo.overdue) == (1, 1)
    # The police: in progress (answered at midnight: half a day), declined, cancelled before any answer.
    assert (police_row.sent, police_row.accepted, police_row.declined, police_row.cancelled) == (3, 1, 1, 1)
    assert police_row.acceptance_rate == D("50.0")
    assert police_row.median_days_to_accept == police_row.mean_days_to_accept == D("0.5")
    assert police_row.median_days_to_complete is None
    # NGO Y: the referral of 23:30 on the last evening counts; it waits, overdue since 7 April.
    assert (last.sent, last.waiting, last.overdue, last.acceptance_rate) == (1, 1, 1, None)


def test_all_organisations_together(quarter):
    total = compute().outbound_total

    assert (total.sent, total.accepted, total.declined, total.completed, total.answered) == (9, 4, 2, 1, 6)
    assert total.acceptance_rate == D("66.7")
    assert total.median_days_to_accept == D("1.5")  # 0.5, 1, 2, 3.25
    assert total.mean_days_to_accept == D("1.7")  # 6.75 / 4 = 1.6875
    assert total.median_days_to_complete == D("7.0")


def test_times_in_working_days(quarter):
    statistics = compute(working_days=True)
    ngo = statistics.outbound[0]

    assert ngo.median_days_to_accept == D("1.0")  # 2, 1 and 1 working days
    assert ngo.mean_days_to_accept == D("1.3")
    assert ngo.median_days_to_complete == D("5.0")  # Monday to Monday
    assert statistics.outbound[1].median_days_to_accept == D("1.0")  # Thursday noon → Friday midnight


def test_overdue_referrals_today(quarter):
    """Overdue today, whenever sent: NGO X's (due 6 March) and NGO Y's (due 7 April); not the one of
    1 April (due 20 April), nor the AVRR one."""
    assert compute().overdue == 2
    assert set(stats.overdue_referrals(Referral.objects.filter(programme=Programme.COUNTER_TRAFFICKING), TODAY)
               .values_list("pk", flat=True)) == {quarter["overdue"].pk, quarter["last_evening"].pk}


def test_referring_organisations(quarter, ngo_x, ngo_y, police):
    statistics = compute()

    rows = {row.organisation_id: row for row in statistics.inbound}
    assert [row.organisation_id for row in statistics.inbound] == [ngo_y.pk, police.pk, ngo_x.pk]
    assert (rows[ngo_y.pk].cases, rows[ngo_y.pk].case_share, rows[ngo_y.pk].referrals, rows[ngo_y.pk].opened,
            rows[ngo_y.pk].waiting) == (1, D("14.3"), 2, 1, 1)
    assert (rows[police.pk].cases, rows[police.pk].referrals, rows[police.pk].waiting) == (0, 1, 1)
    assert (rows[ngo_x.pk].cases, rows[ngo_x.pk].referrals) == (1, 0)
    total = statistics.inbound_total
    assert (total.cases, total.case_share, total.referrals, total.opened, total.waiting) == (2, D("28.6"), 3, 1, 2)


def test_the_period_filter(quarter):
    """February only: the five cases of 15 February; NGO X's first three referrals."""
    statistics = stats.compute(Case.objects.all(), Referral.objects.all(), datetime.date(2026, 2, 1),
                               datetime.date(2026, 2, 28), CT, today=TODAY)

    assert statistics.cases == 5
    assert [(row.name, row.sent) for row in statistics.outbound] == [("NGO X", 3)]
    assert statistics.outbound_total.acceptance_rate == D("66.7")


def test_the_programme_filter(quarter):
    """The AVRR programme's quarter: its one case and its one referral; every programme: both."""
    avrr = compute(AVRR)
    assert avrr.cases == 1
    assert [(row.name, row.sent, row.overdue) for row in avrr.outbound] == [("NGO X", 1, 1)]
    assert avrr.overdue == 1

    both = compute(CT + AVRR)
    assert both.cases == 8
    assert both.outbound_total.sent == 10
    assert both.overdue == 3


def test_nothing_to_count(db):
    statistics = compute()

    assert statistics.cases == 0
    assert all(row.count == 0 and row.share is None for row in statistics.by_source)
    assert statistics.outbound == []
    assert statistics.inbound == []
    assert statistics.outbound_total.acceptance_rate is None


# --- The page and the CSV -------------------------------------------------------------------------
@pytest.fixture
def avrr_manager(make_user):
    return make_user(Role.PROGRAMME_MANAGER, "avrr_manager", programmes=[Programme.RETURN])


def page(client, **params):
    return client.get(URL, {**QUARTER, **params})


def test_a_programme_manager_sees_their_programme(users, client_for, quarter):
    response = page(client_for(users["programme_manager"]))

    assert response.status_code == 200
    content = response.content.decode()
    assert "Anti-trafficking police unit" in content
    for figure in ("42.9", "75.0", "66.7"):
        assert figure in content
    assert response.context["statistics"].cases == 7
    assert response.context["statistics"].programmes == CT
    assert '<svg class="chart bars"' in content


def test_a_programme_manager_of_another_programme_sees_nothing_of_counter_trafficking(client_for, avrr_manager,
                                                                                       quarter):
    client = client_for(avrr_manager)
    response = page(client)

    statistics = response.context["statistics"]
    assert (statistics.programmes, statistics.cases, statistics.outbound_total.sent) == (AVRR, 1, 1)
    content = response.content.decode()
    assert "Anti-trafficking police unit" not in content
    assert "NGO Y" not in content
    # Asking for counter-trafficking by name is refused, with a message naming the field.
    refused = page(client, programme=Programme.COUNTER_TRAFFICKING)
    assert refused.status_code == 400
    assert "Programme: Choose one of your programmes." in refused.content.decode()
    assert "statistics" not in refused.context


def test_a_programme_manager_counts_only_through_the_policy(users, client_for, quarter, make_user):
    """A manager who also works in AVRR counts both programmes, and nothing of a programme they are not in."""
    both = make_user(Role.PROGRAMME_MANAGER, "both", programmes=CT + AVRR)

    statistics = page(client_for(both)).context["statistics"]

    assert statistics.cases == 8
    assert page(client_for(users["programme_manager"])).context["statistics"].cases == 7


def test_me_sees_aggregates_of_every_programme_but_no_reference(users, client_for, quarter):
    response = page(client_for(users["me_officer"]))

    assert response.status_code == 200
    statistics = response.context["statistics"]
    assert statistics.programmes == sorted(Programme.values)
    assert statistics.cases == 8
    content = response.content.decode()
    for case in Case.objects.all():
        assert case.reference not in content
    for referral in Referral.objects.all():
        assert referral.reference not in content
        assert str(referral.pk) not in content
    assert 'href="/cases/' not in content


def test_the_quick_periods_and_bad_dates(users, client_for, quarter):
    client = client_for(users["programme_manager"])

    default = client.get(URL)
    assert default.status_code == 200  # the last 12 full months
    assert default.context["statistics"].end == timezone.localdate().replace(day=1) - datetime.timedelta(days=1)

    bad = client.get(URL, {"date_from": "2026-03-31", "date_to": "2026-01-01"})
    assert bad.status_code == 400
    assert "The last day of the period cannot be before its first day." in bad.content.decode()

    unreadable = client.get(URL, {"date_from": "31/03", "date_to": "2026-01-01"})
    assert unreadable.status_code == 400
    assert "Enter a date such as 2026-03-31." in unreadable.content.decode()


def test_working_days_on_the_page(users, client_for, quarter):
    response = page(client_for(users["programme_manager"]), working_days="on")

    assert response.context["statistics"].working_days is True
    assert "working days to accept (median)" in response.content.decode()


def read_csv(response) -> list[list[str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_the_csv_is_the_same_figures_and_is_audited(users, client_for, quarter):
    manager = users["programme_manager"]
    before = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    response = client_for(manager).get(reverse("case_reports:referral_statistics_csv"), QUARTER)

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="referral-statistics-2026-01-01-2026-03-31.csv"'
    rows = read_csv(response)
    assert ["Mission of the organisation abroad", "3", "42.9"] in rows
    assert ["Diplomatic mission", "1", "14.3"] in rows
    assert ["NGO X", "5", "3", "1", "1", "75.0", "2.0", "2.1", "7.0"] in rows
    assert ["Anti-trafficking police unit", "3", "1", "1", "0", "50.0", "0.5", "0.5", ""] in rows
    assert ["All organisations", "9", "4", "2", "1", "66.7", "1.5", "1.7", "7.0"] in rows
    # Overdue is counted on the day of the export (after 20 April): NGO X's, NGO Y's and the one of 1 April.
    assert ["Outbound referrals overdue today", "3"] in rows
    [event] = AuditEvent.objects.filter(pk__gt=before, action=Action.EXPORT)
    assert (event.actor_id, event.object_type) == (manager.pk, "cases.referral_statistics")
    assert event.changes["programmes"] == ["CT"]
    assert event.changes["from"] == ["2026-01-01"]


def test_a_formula_in_an_organisation_name_is_not_run(users, client_for, office):
    from waypoint.partners.models import Organisation, OrganisationType

    evil = Organisation.objects.create(name="=HYPERLINK(\"http://evil\")", organisation_type=OrganisationType.NGO)
    make_referral(evil, office, sent_at=at("2026-02-02"))

    rows = read_csv(client_for(users["programme_manager"]).get(reverse("case_reports:referral_statistics_csv"),
                                                               QUARTER))

    assert any(row and row[0] == "'=HYPERLINK(\"http://evil\")" for row in rows)


@pytest.mark.parametrize("persona", ["case_worker", "partner_user", "data_protection_officer"])
def test_the_csv_is_refused_to_those_without_the_capability(users, client_for, quarter, persona):
    before = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    response = client_for(users[persona]).get(reverse("case_reports:referral_statistics_csv"), QUARTER)

    assert response.status_code == 404
    assert not AuditEvent.objects.filter(pk__gt=before, action=Action.EXPORT).exists()
