# ruff: noqa: RUF001
"""Hotline statistics: exact counts and percentages on a hand-built month, the filters, the small-number
rule, what each role sees, and the CSV and XLSX exports."""

import csv
import datetime
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from waypoint.accounts.models import Office, Programme
from waypoint.audit.models import Action, AuditEvent
from waypoint.core.reports.tables import Cell, apply_small_number_rule
from waypoint.hotline import statistics as stats
from waypoint.hotline.models import CallerSex, CallerType, CampaignMaterial, Channel, Consultation, Outcome, Topic

MOSCOW = ZoneInfo("Europe/Moscow")
MARCH = (datetime.date(2026, 3, 1), datetime.date(2026, 3, 31))
SECRET_ANSWER = "Gave the address of the Sunrise shelter on Lenina street"
URL = "/hotline/statistics/"
EXPORT = "/hotline/statistics/export/"


@pytest.fixture
def sites(office):
    return {
        code: Office.objects.create(
            code=code, name=name, kind=Office.Kind.CONSULTATION_CENTRE, city=name, parent=office)
        for code, name in (("icc-a", "ICC Alpha"), ("icc-b", "ICC Beta"))
    }


@pytest.fixture
def topics(db):
    return {
        code: Topic.objects.create(code=code, name_en=english, name_ru=russian, position=position)
        for position, (code, english, russian) in enumerate([
            ("work-permits", "Work permits", "Разрешения на работу"),
            ("citizenship", "Citizenship", "Гражданство"),
            ("project", "About the project", "О проекте"),
            ("trafficking", "Human trafficking", "Торговля людьми"),
        ])
    }


@pytest.fixture
def make(users, topics):
    def consultation(site, when, nationality, codes=(), **fields):
        fields.setdefault("caller_type", CallerType.OTHER)
        fields.setdefault("outcome", Outcome.INFORMED)
        made = Consultation.objects.create(
            site=site, operator=users["hotline_operator"], started_at=when, duration_minutes=5,
            caller_nationality=nationality, answer=SECRET_ANSWER, **fields,
        )
        made.topics.set([topics[code] for code in codes])
        return made

    return consultation


def march(day, hour=11):
    return datetime.datetime(2026, 3, day, hour, tzinfo=MOSCOW)


@pytest.fixture
def month(sites, make):
    """13 consultations in March 2026 (7 to Russian nationals, 5 to foreigners, 1 not recorded), and two
    just outside it in Moscow time."""
    a, b = sites["icc-a"], sites["icc-b"]
    russians = [("project", "trafficking")] * 2 + [("trafficking",)] * 2 + [("project",), ("work-permits",)]
    for day, codes in enumerate(russians):
        make(a, march(day + 2), "RU", codes, caller_sex=CallerSex.FEMALE, caller_age_band="18-24")
    make(a, march(10), "UZ", ("work-permits", "citizenship"), caller_type=CallerType.LABOUR_MIGRANT,
         caller_sex=CallerSex.MALE, caller_age_band="25-34")
    make(a, march(11), "UZ", ("work-permits",), caller_type=CallerType.LABOUR_MIGRANT, caller_sex=CallerSex.MALE)
    make(a, march(12), "TJ", ("citizenship",), caller_type=CallerType.POSSIBLE_VICTIM, outcome=Outcome.REFERRED)
    make(b, march(16), "KG", ("work-permits",), channel=Channel.WALK_IN)
    make(b, march(17), "KG", ("work-permits",), channel=Channel.WALK_IN)
    make(b, march(18), "RU", ("trafficking",))
    make(b, march(19), "", ("project",), channel=Channel.EMAIL)
    # 23:30 on 28 February and 00:30 on 1 April in Moscow are outside March, whatever UTC says.
    make(a, datetime.datetime(2026, 2, 28, 23, 30, tzinfo=MOSCOW), "RU", ("project",))
    make(a, datetime.datetime(2026, 4, 1, 0, 30, tzinfo=MOSCOW), "UZ", ("work-permits",))
    return sites


def row(table, key):
    return next(r for r in table.rows if r.key == key)


def counts(table, column=0):
    return {r.key: r.cells[column].count for r in table.rows}


# --- Counting -------------------------------------------------------------------------------------
def test_the_split_between_russian_nationals_and_foreigners_is_given_to_two_decimals(month):
    result = stats.compute(*MARCH, protect=False)

    assert result.total.count == 13
    assert (result.russian.count, result.russian.percent) == (7, Decimal("53.85"))
    assert (result.foreign.count, result.foreign.percent) == (5, Decimal("38.46"))
    assert (result.not_recorded.count, result.not_recorded.percent) == (1, Decimal("7.69"))


def test_one_site_is_counted_alone(month):
    result = stats.compute(*MARCH, month["icc-a"], protect=False)

    assert result.total.count == 9
    assert (result.russian.percent, result.foreign.percent) == (Decimal("66.67"), Decimal("33.33"))
    assert result.not_recorded.count == 0


def test_the_seeds_figure_comes_out_as_the_seeds_give_it(sites, users):
    """888 consultations, 596 to Russian nationals: 67.12% and 32.88%."""
    operator = users["hotline_operator"]
    Consultation.objects.bulk_create([
        Consultation(site=sites["icc-a"], operator=operator, started_at=march(1 + n % 28), duration_minutes=5,
                     caller_nationality="RU" if n < 596 else "UZ", caller_type=CallerType.OTHER,
                     outcome=Outcome.INFORMED)
        for n in range(888)
    ])

    result = stats.compute(*MARCH, protect=True)

    assert (result.total.count, result.russian.count, result.foreign.count) == (888, 596, 292)
    assert (result.russian.percent, result.foreign.percent) == (Decimal("67.12"), Decimal("32.88"))


def test_topics_are_counted_for_russian_nationals_and_foreigners_each_out_of_their_own(month):
    table = stats.compute(*MARCH, protect=False).table("topic")

    assert [c.label for c in table.columns] == [
        "Russian nationals", "Foreign nationals", "Nationality not recorded", "All consultations"]
    trafficking, permits = row(table, "trafficking"), row(table, "work-permits")
    assert [(c.count, c.percent) for c in trafficking.cells] == [
        (5, Decimal("71.43")), (0, Decimal("0.00")), (0, Decimal("0.00")), (5, Decimal("38.46"))]
    assert [(c.count, c.percent) for c in permits.cells] == [
        (1, Decimal("14.29")), (4, Decimal("80.00")), (0, Decimal("0.00")), (5, Decimal("38.46"))]
    assert [(c.count, c.percent) for c in row(table, "project").cells] == [
        (3, Decimal("42.86")), (0, Decimal("0.00")), (1, Decimal("100.00")), (4, Decimal("30.77"))]
    assert [(c.count, c.percent) for c in row(table, "citizenship").cells] == [
        (0, Decimal("0.00")), (2, Decimal("40.00")), (0, Decimal("0.00")), (2, Decimal("15.38"))]
    # A consultation with several topics counts under each: more mentions than consultations.
    assert sum(r.cells[-1].count for r in table.rows) == 16
    assert "counts once under each" in table.note


def test_the_top_questions_of_each_group_are_named(month):
    result = stats.compute(*MARCH, protect=False)

    assert [label for label, _cell in result.top_topics["russian"]] == [
        "Human trafficking", "About the project", "Work permits"]
    assert [label for label, _cell in result.top_topics["foreign"]] == ["Work permits", "Citizenship"]


def test_every_breakdown_adds_up(month):
    result = stats.compute(*MARCH, protect=False)

    assert counts(result.table("nationality")) == {"RU": 7, "UZ": 2, "KG": 2, "TJ": 1, "": 1}
    assert counts(result.table("caller_type"))[CallerType.LABOUR_MIGRANT] == 2
    assert counts(result.table("caller_type"))[CallerType.POSSIBLE_VICTIM] == 1
    assert counts(result.table("channel")) == {"call": 10, "walk_in": 2, "email": 1, "messenger": 0}
    assert counts(result.table("outcome"))[Outcome.REFERRED] == 1
    assert counts(result.table("site")) == {str(month["icc-a"].pk): 9, str(month["icc-b"].pk): 4}
    site_a = row(result.table("site"), str(month["icc-a"].pk))
    assert [(c.count, c.percent) for c in site_a.cells] == [
        (9, Decimal("69.23")), (6, Decimal("66.67")), (3, Decimal("33.33"))]
    assert counts(result.table("month")) == {"2026-03": 13}
    sex_age = result.table("sex_age")
    assert [c.count for c in row(sex_age, "18-24").cells] == [6, 0, 0, 6]
    assert [c.count for c in row(sex_age, "all").cells] == [6, 2, 5, 13]
    for table in result.tables:
        if table.key not in ("topic", "sex_age"):
            assert sum(r.cells[0].count for r in table.rows) == 13, table.key


def test_how_callers_heard_of_the_hotline_is_counted_with_the_unrecorded(month, make):
    leaflet = CampaignMaterial.objects.create(code="leaflet-tg", name_en="Leaflet in Tajik", name_ru="Листовка")
    make(month["icc-a"], march(20), "TJ", heard_from=leaflet)

    table = stats.compute(*MARCH, protect=False).table("heard_from")

    assert (row(table, "leaflet-tg").cells[0].count, row(table, "leaflet-tg").cells[0].percent) == (1, Decimal("7.14"))
    assert row(table, "").cells[0].count == 13


def test_the_period_follows_the_office_time_zone(month):
    february = stats.compute(datetime.date(2026, 2, 1), datetime.date(2026, 2, 28), protect=False)
    april = stats.compute(datetime.date(2026, 4, 1), datetime.date(2026, 4, 30), protect=False)
    spring = stats.compute(datetime.date(2026, 2, 1), datetime.date(2026, 4, 30), protect=False)

    assert (february.total.count, february.russian.count) == (1, 1)
    assert (april.total.count, april.foreign.count) == (1, 1)
    assert counts(spring.table("month")) == {"2026-02": 1, "2026-03": 13, "2026-04": 1}


def test_counting_is_done_by_the_database_in_a_fixed_number_of_queries(month, make):
    with CaptureQueriesContext(connection) as few:
        stats.compute(*MARCH, protect=True)
    for day in range(1, 28):
        make(month["icc-b"], march(day, 15), "AM", ("citizenship", "work-permits"))
    with CaptureQueriesContext(connection) as many:
        stats.compute(*MARCH, protect=True)

    assert len(many) == len(few) <= 15


@pytest.mark.parametrize(
    ("choice", "expected"),
    [
        ("this_month", ("2026-05-01", "2026-05-14")),
        ("this_quarter", ("2026-04-01", "2026-05-14")),
        ("this_year", ("2026-01-01", "2026-05-14")),
        ("last_year", ("2025-01-01", "2025-12-31")),
        ("last_12_months", ("2025-05-01", "2026-04-30")),
    ],
)
def test_quick_periods(choice, expected):
    start, end = stats.period_dates(choice, datetime.date(2026, 5, 14))

    assert (start.isoformat(), end.isoformat()) == expected


# --- The small-number rule ----------------------------------------------------------------------
def test_a_small_count_is_hidden_with_the_next_smallest_so_it_cannot_be_subtracted():
    total, small, middle, large = Cell(33), Cell(3), Cell(10), Cell(20)

    apply_small_number_rule([(total, [small, middle, large])])

    assert (small.suppressed, middle.suppressed, large.suppressed) == (True, True, False)
    assert not total.suppressed


def test_two_small_counts_hide_themselves_and_zero_is_shown():
    total, zero, three, two, large = Cell(25), Cell(0), Cell(3), Cell(2), Cell(20)

    apply_small_number_rule([(total, [zero, three, two, large])])

    assert [c.suppressed for c in (zero, three, two, large)] == [False, True, True, False]


def test_two_hidden_counts_that_add_up_to_little_hide_one_more():
    """1 + 1 hidden beside a total: zeros are shown, so each hidden count is at least 1, so each is 1."""
    total, zero, one, other_one, large = Cell(22), Cell(0), Cell(1), Cell(1), Cell(20)

    apply_small_number_rule([(total, [zero, one, other_one, large])])

    assert [c.suppressed for c in (zero, one, other_one, large)] == [False, True, True, True]
    assert not total.suppressed


def test_a_zero_is_no_cover_so_the_sum_is_hidden_when_nothing_else_is_left():
    """A month with one call: [c] beside zeros is the month's volume; the volume is hidden, then another."""
    month_a, one, zero = Cell(1, sensitive=False), Cell(1), Cell(0)
    month_b, rest, zero_b = Cell(30, sensitive=False), Cell(30), Cell(0)
    total = Cell(31, sensitive=False)

    apply_small_number_rule([(month_a, [one, zero]), (month_b, [rest, zero_b]), (total, [month_a, month_b])])

    assert (one.suppressed, zero.suppressed, month_a.suppressed) == (True, False, True)
    assert month_b.suppressed  # else 31 - 30 gives the hidden month
    assert not total.suppressed


def test_volumes_are_never_hidden_and_a_hidden_sum_protects_nothing():
    published, volume = Cell(40), Cell(2, sensitive=False)
    hidden_sum, part = Cell(4), Cell(4)

    apply_small_number_rule([(published, [volume, Cell(38, sensitive=False)]), (hidden_sum, [part, Cell(0)])])

    assert not volume.suppressed
    assert hidden_sum.suppressed
    assert part.suppressed


def test_a_topic_hides_its_total_rather_than_the_russian_count_beside_a_small_foreign_one():
    everyone, russian, foreign, unknown = Cell(93), Cell(90), Cell(3), Cell(0)

    apply_small_number_rule([(everyone, [russian, foreign, unknown], True)])

    assert (russian.suppressed, foreign.suppressed, everyone.suppressed) == (False, True, True)


def test_hiding_spreads_across_rows_and_columns_of_a_cross_table():
    """Sex by age: a hidden cell in a row makes a second one in the row, which may need a second in its column."""
    f1, m1, f2, m2 = Cell(3), Cell(30), Cell(40), Cell(50)
    row1, row2, col_f, col_m, total = Cell(33), Cell(90), Cell(43), Cell(80), Cell(123)

    apply_small_number_rule([(row1, [f1, m1]), (row2, [f2, m2]), (col_f, [f1, f2]), (col_m, [m1, m2]),
                             (total, [row1, row2]), (total, [col_f, col_m])])

    assert all(c.suppressed for c in (f1, m1, f2, m2))


def test_the_nationality_table_hides_a_small_nationality_and_its_neighbour(sites, make):
    for n in range(20):
        make(sites["icc-a"], march(1 + n), "RU", ("project",))
    for n in range(10):
        make(sites["icc-a"], march(1 + n, 12), "UZ", ("work-permits",))
    for n in range(6):
        make(sites["icc-a"], march(1 + n, 13), "KG", ("work-permits",))
    for n in range(3):
        make(sites["icc-a"], march(1 + n, 14), "TJ", ("work-permits",))

    protected = stats.compute(*MARCH, protect=True)
    table = protected.table("nationality")

    # 3 Tajiks are hidden, and the 6 Kyrgyz with them; neither is named: both are "other nationalities".
    assert [(r.key, r.cells[0].shown_count) for r in table.rows] == [("RU", "20"), ("UZ", "10"), ("other", "9")]
    assert row(table, "other").label == "Other nationalities"
    assert (protected.russian.percent, protected.foreign.percent) == (Decimal("51.28"), Decimal("48.72"))


def test_nationalities_with_hidden_counts_are_folded_and_the_exact_view_names_them_all(sites, make):
    for code, how_many in (("RU", 20), ("UZ", 10), ("KG", 6), ("TJ", 3), ("AM", 2)):
        for n in range(how_many):
            make(sites["icc-a"], march(1 + n), code, ("work-permits",))

    protected = stats.compute(*MARCH, protect=True).table("nationality")
    exact = stats.compute(*MARCH, protect=False).table("nationality")

    assert [(r.label, r.cells[0].shown_count) for r in protected.rows] == [
        ("Russian nationals", "20"), ("Uzbekistan", "10"), ("Kyrgyzstan", "6"), ("Other nationalities", "5")]
    assert [r.label for r in exact.rows] == ["Russian nationals", "Uzbekistan", "Kyrgyzstan", "Tajikistan", "Armenia"]


# --- The page -------------------------------------------------------------------------------------
@pytest.fixture
def icc_manager(users):
    manager = users["programme_manager"]
    manager.programmes = [Programme.COUNTER_TRAFFICKING, Programme.HOTLINE]
    manager.save()
    return manager


def page(client, **params):
    query = {"date_from": "2026-03-01", "date_to": "2026-03-31", **params}
    return client.get(URL, query)


def test_the_page_shows_the_seeds_kind_of_breakdown(month, icc_manager, client_for):
    response = page(client_for(icc_manager), site=month["icc-a"].pk)
    content = response.content.decode()

    assert response.status_code == 200
    assert "66.67%" in content
    assert "33.33%" in content
    assert "to Russian nationals (6)" in content
    assert "Foreign nationals asked most about" in content
    for title in ("By topic", "By nationality", "By caller type", "By channel", "By outcome", "By site", "By month",
                  "By sex and age", "How callers heard of the hotline"):
        assert f">{title}</h2>" in content, title
    assert content.count("<svg") >= 10
    for accessible in ('role="img"', "<title id=", "<desc id="):
        assert accessible in content
    assert "counts once under each" in content
    assert "<script" not in content.split("<main", 1)[1]
    assert ' style="' not in content


def test_the_me_officer_sees_aggregates_without_small_numbers_or_personal_data(month, users, client_for):
    consultation = Consultation.objects.first()
    content = page(client_for(users["me_officer"])).content.decode()

    nationalities = content.split('id="nationality"', 1)[1].split("</section>", 1)[0]

    assert "53.85%" in content
    assert "Tajikistan" not in nationalities  # one Tajik: hidden, so not named
    assert "Other nationalities" in nationalities
    assert '<td class="num">1</td>' not in nationalities  # one Tajik, one caller of unknown nationality
    assert stats.HIDDEN in nationalities
    assert SECRET_ANSWER not in content
    assert users["hotline_operator"].username not in content
    assert f"/hotline/{consultation.pk}/" not in content


def test_an_icc_programme_manager_sees_exact_small_numbers(month, icc_manager, client_for):
    content = page(client_for(icc_manager)).content.decode()

    assert "You see exact numbers" in content
    assert stats.HIDDEN not in content.split('class="stats-section"', 1)[1]


def test_an_operator_sees_exact_numbers_for_their_own_site_only(month, users, client_for):
    operator = users["hotline_operator"]
    operator.office = month["icc-a"]
    operator.save()
    client = client_for(operator)

    own = client.get(URL, {"date_from": "2026-03-01", "date_to": "2026-03-31"}).content.decode()
    everywhere = page(client, site="").content.decode()

    assert "ICC Alpha, 1 March 2026 to 31 March 2026" in own  # their site is the default
    assert "You see exact numbers" in own
    assert "All sites, 1 March 2026 to 31 March 2026" in everywhere
    assert stats.HIDDEN in everywhere


def test_a_programme_manager_of_another_programme_gets_no_statistics(month, users, client_for):
    response = page(client_for(users["programme_manager"]))

    assert response.status_code == 404
    assert AuditEvent.objects.filter(action=Action.DENY, object_id="view_hotline_statistics").exists()


def test_quick_periods_are_offered_and_the_dates_shown_are_those_counted(month, icc_manager, client_for):
    content = client_for(icc_manager).get(URL, {"period": "last_year"}).content.decode()

    assert 'href="?period=this_month&amp;site="' in content
    assert 'aria-current="true">Last year</a>' in content
    assert 'value="2025-01-01"' in content  # the From input holds the period's first day


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"date_from": "2026-03-31", "date_to": "2026-03-01"}, "date_to",
         "The last day of the period cannot be before its first day."),
        ({"date_from": "2026-13-45", "date_to": "2026-04-01"}, "date_from", "Enter a date such as 2026-03-31."),
        ({"date_from": "2026-03-01"}, "date_to", "Enter the last day of the period."),
        ({"period": "forever"}, "period", "Choose one of the periods offered."),
        ({"site": "999999"}, "site", "Choose one of the consultation centres."),
    ],
)
def test_a_wrong_filter_is_named_and_nothing_is_counted(month, icc_manager, client_for, params, field, message):
    response = client_for(icc_manager).get(URL, params)
    content = response.content.decode()

    assert response.status_code == 400
    assert message in content
    assert "stats-section" not in content


# --- Exports --------------------------------------------------------------------------------------
@pytest.fixture
def bigger(sites, make):
    """Enough callers for exact figures to survive the small-number rule."""
    for n in range(20):
        make(sites["icc-a"], march(1 + n), "RU", ("trafficking",), caller_sex=CallerSex.FEMALE)
    for n in range(10):
        make(sites["icc-a"], march(1 + n, 12), "UZ", ("work-permits",), caller_sex=CallerSex.MALE)
    make(sites["icc-b"], march(25), "TJ", ("work-permits",), caller_sex=CallerSex.MALE)
    return sites


def export(client, kind):
    return client.get(EXPORT, {"date_from": "2026-03-01", "date_to": "2026-03-31", "site": "", "format": kind})


def test_the_csv_export_has_the_tables_with_small_numbers_hidden_even_for_a_manager(bigger, icc_manager, client_for):
    response = export(client_for(icc_manager), "csv")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="hotline-statistics-2026-03-01-2026-03-31-all-sites.csv"' in response["Content-Disposition"]
    raw = response.content.decode("utf-8")
    assert raw.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(raw.lstrip("\ufeff"))))
    assert ["Consultations", "31"] in rows
    assert ["Russian nationals", "20", "64.52"] in rows
    assert ["Foreign nationals", "11", "35.48"] in rows
    assert ["By topic"] in rows
    assert ["Human trafficking", "20", "100.00", "0", "0.00", "20", "64.52"] in rows
    # 1 Tajik hidden, and the 10 Uzbeks with them (11 foreigners minus 10 would give 1): neither is named.
    assert ["Other nationalities", "11", "35.48"] in rows
    assert not any(r and r[0] in ("Tajikistan", "Uzbekistan") for r in rows)
    assert SECRET_ANSWER not in raw


def test_the_xlsx_export_has_a_sheet_per_table_with_numbers_as_numbers(bigger, users, client_for):
    response = export(client_for(users["me_officer"]), "xlsx")

    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames[:3] == ["Summary", "By nationality", "By topic"]
    summary = {r[0]: r[1:] for r in workbook["Summary"].iter_rows(values_only=True) if r and r[0]}
    assert summary["Russian nationals"][:2] == (20, 64.52)
    topics = {r[0]: r[1:] for r in workbook["By topic"].iter_rows(min_row=3, values_only=True) if r and r[0]}
    assert topics["Work permits"][:4] == (0, 0.0, 11, 100.0)
    nationality = {r[0]: r[1] for r in workbook["By nationality"].iter_rows(min_row=3, values_only=True) if r[0]}
    assert nationality["Other nationalities"] == 11
    assert "Tajikistan" not in nationality


def test_an_export_is_audited_with_its_filters(bigger, users, client_for):
    officer = users["me_officer"]
    export(client_for(officer), "csv")

    event = AuditEvent.objects.filter(action=Action.EXPORT).get()
    assert (event.actor_id, event.object_type) == (officer.pk, "hotline.statistics")
    assert event.changes == {"format": ["csv"], "from": ["2026-03-01"], "to": ["2026-03-31"], "site": ["all"]}


def test_an_unknown_export_format_is_refused(bigger, users, client_for):
    response = client_for(users["me_officer"]).get(EXPORT, {"format": "pdf"})

    assert response.status_code == 400
    assert "Choose CSV or XLSX" in response.content.decode()
    assert not AuditEvent.objects.filter(action=Action.EXPORT).exists()


def test_no_export_for_a_role_without_statistics(bigger, users, client_for):
    response = export(client_for(users["case_worker"]), "csv")

    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action=Action.EXPORT).exists()


# --- Small selections and groups that give nothing away (protected output) ----------------------
MARCH_5 = {"date_from": "2026-03-05", "date_to": "2026-03-05"}


def the_one_woman(site, make, *, day=5, hour=12):
    """The reviewer's case: one Uzbek woman of 18 to 24, a possible victim, escalated to a case."""
    return make(site, march(day, hour), "UZ", ("trafficking",), caller_sex=CallerSex.FEMALE, caller_age_band="18-24",
                caller_type=CallerType.POSSIBLE_VICTIM, outcome=Outcome.ESCALATED)


def protected_csv(client, **params):
    response = client.get(EXPORT, {**MARCH_5, "format": "csv", **params})
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode("utf-8").lstrip("\ufeff"))))


def protected_xlsx(client, **params):
    response = client.get(EXPORT, {**MARCH_5, "format": "xlsx", **params})
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content))


def every_group(result):
    return [(result.total, [result.russian, result.foreign, result.not_recorded])] + [
        group[:2] for table in result.tables for group in table.groups]


def assert_nothing_can_be_worked_out(result):
    """For every published sum that is shown: no hidden part, or at least two hidden parts that together make
    at least the threshold, none of them equal to the sum minus the visible parts; and no nationality whose
    count is hidden is named."""
    for published, parts in every_group(result):
        if published.suppressed:
            continue
        hidden = [cell for cell in parts if cell.suppressed]
        if not hidden:
            continue
        remainder = published.count - sum(cell.count for cell in parts if not cell.suppressed)
        assert len(hidden) >= 2, (published.count, [c.count for c in parts])
        assert remainder >= stats.SMALL_CELL_THRESHOLD, (published.count, [c.count for c in parts])
        assert all(cell.count != remainder for cell in hidden), (published.count, [c.count for c in parts])
    for table_row in result.table("nationality").rows:
        if table_row.cells[0].suppressed:
            assert table_row.key in ("RU", "", stats.OTHER_NATIONALITIES), table_row.label


@pytest.mark.parametrize("how_many", [1, 2, 9])
def test_a_selection_of_fewer_than_ten_consultations_is_not_broken_down(sites, make, how_many):
    site = sites["icc-a"]
    the_one_woman(site, make)
    for n in range(how_many - 1):
        make(site, march(5, 13 + n % 10), "RU", ("project",))

    result = stats.compute(datetime.date(2026, 3, 5), datetime.date(2026, 3, 5), site, protect=True)
    exact = stats.compute(datetime.date(2026, 3, 5), datetime.date(2026, 3, 5), site, protect=False)

    assert result.withheld
    assert result.tables == []
    assert [c.shown_count for c in (result.total, result.russian, result.foreign)] == [stats.HIDDEN] * 3
    assert not exact.withheld
    assert exact.total.count == how_many
    assert row(exact.table("nationality"), "UZ").cells[0].count == 1


def test_the_page_and_both_exports_of_one_call_on_one_day_say_only_fewer_than_ten(sites, make, users, client_for):
    site = sites["icc-a"]
    the_one_woman(site, make)
    client = client_for(users["me_officer"])
    message = "Fewer than 10 consultations in this selection: breakdowns are not shown to protect callers."
    revealing = ("Uzbekistan", "Escalated to a case", "18 to 24", "Possible victim", "Human trafficking")

    content = client.get(URL, {**MARCH_5, "site": site.pk}).content.decode()
    rows = protected_csv(client, site=site.pk)
    workbook = protected_xlsx(client, site=site.pk)
    texts = [str(v) for sheet in workbook for r in sheet.iter_rows(values_only=True) for v in r if v is not None]

    assert message in content
    assert "stats-section" not in content
    assert [message] in rows
    assert not any(r and r[0] in ("Consultations", "Russian nationals", "By nationality") for r in rows)
    assert workbook.sheetnames == ["Summary"]
    assert message in texts
    for text in revealing:
        assert text not in content, text
        assert not any(text in value for r in rows for value in r), text
        assert not any(text in value for value in texts), text


def test_those_who_may_read_the_consultations_still_see_one_call_exactly(sites, make, icc_manager, client_for):
    site = sites["icc-a"]
    the_one_woman(site, make)

    content = client_for(icc_manager).get(URL, {**MARCH_5, "site": site.pk}).content.decode()

    assert "Fewer than 10" not in content
    assert "Uzbekistan" in content
    assert "You see exact numbers" in content


@pytest.fixture
def twelve(sites, make):
    """One site, one day: eleven Russian women of 25 to 34 informed, and the one Uzbek woman escalated."""
    site = sites["icc-a"]
    for n in range(11):
        make(site, march(5, 9 + n), "RU", ("project",), caller_sex=CallerSex.FEMALE, caller_age_band="25-34")
    the_one_woman(site, make, hour=21)
    return site


@pytest.fixture
def mixed(sites, make):
    """Two sites, two months, small groups everywhere: 1 Tajik, 1 + 1 of two other nationalities, one walk-in,
    one caller of unknown nationality, sex and age known for some."""
    a, b = sites["icc-a"], sites["icc-b"]
    for n in range(14):
        make(a, march(1 + n), "RU", ("project", "trafficking") if n % 3 else ("project",),
             caller_sex=CallerSex.FEMALE if n % 2 else CallerSex.MALE, caller_age_band="25-34")
    for n in range(6):
        make(a, march(1 + n, 14), "UZ", ("work-permits",), caller_type=CallerType.LABOUR_MIGRANT,
             caller_sex=CallerSex.MALE, caller_age_band="35-44")
    make(b, march(20), "TJ", ("citizenship",), caller_type=CallerType.POSSIBLE_VICTIM, outcome=Outcome.ESCALATED,
         caller_sex=CallerSex.FEMALE, caller_age_band="0-17")
    make(b, march(21), "AM", ("work-permits",), channel=Channel.WALK_IN)
    make(b, march(22), "MD", ("trafficking",), outcome=Outcome.REFERRED)
    make(b, march(23), "", ("project",))
    make(a, datetime.datetime(2026, 4, 2, 12, tzinfo=MOSCOW), "RU", ("project",))
    return sites


@pytest.mark.parametrize(("data", "start", "end", "site"), [
    ("twelve", "2026-03-05", "2026-03-05", "icc-a"),
    ("twelve", "2026-03-01", "2026-03-31", None),
    ("mixed", "2026-03-01", "2026-04-30", None),
    ("mixed", "2026-03-01", "2026-03-31", None),
])
def test_in_protected_output_no_hidden_count_can_be_worked_out(request, data, start, end, site):
    sites = request.getfixturevalue(data)
    office = (sites if data == "twelve" else sites[site]) if site else None
    period = datetime.date.fromisoformat(start), datetime.date.fromisoformat(end)

    result = stats.compute(*period, office, protect=True)

    assert not result.withheld
    assert_nothing_can_be_worked_out(result)
    assert any(cell.suppressed for published, parts in every_group(result) for cell in parts)


def test_the_one_woman_among_twelve_cannot_be_picked_out_on_the_page_or_in_the_exports(twelve, users, client_for):
    client = client_for(users["me_officer"])
    result = stats.compute(datetime.date(2026, 3, 5), datetime.date(2026, 3, 5), twelve, protect=True)
    outcome = {r.key: r.cells[0] for r in result.table("outcome").rows}
    ages = {r.key: r.cells for r in result.table("sex_age").rows}

    # Eleven informed, one escalated: both hidden, as are the 1 and the 11 of the sex-by-age table.
    assert (outcome["informed"].suppressed, outcome["escalated"].suppressed) == (True, True)
    assert (ages["18-24"][0].suppressed, ages["25-34"][0].suppressed, ages["25-34"][-1].suppressed) == (True,) * 3
    assert (result.russian.suppressed, result.foreign.suppressed) == (True, True)  # 12 = 11 + 1: both or neither
    nationality = [(r.label, r.cells[0].shown_count) for r in result.table("nationality").rows]
    assert nationality == [("Russian nationals", stats.HIDDEN), ("Other nationalities", stats.HIDDEN)]

    content = client.get(URL, {**MARCH_5, "site": twelve.pk}).content.decode()
    rows = protected_csv(client, site=twelve.pk)
    workbook = protected_xlsx(client, site=twelve.pk)
    by_nationality = [r for r in workbook["By nationality"].iter_rows(min_row=3, values_only=True) if r[1]]
    by_outcome = {r[0]: r[1] for r in workbook["By outcome"].iter_rows(min_row=3, values_only=True) if r[0]}

    assert "Uzbekistan" not in content
    assert '<td class="num">1</td>' not in content.split('id="outcome"', 1)[1].split("</section>", 1)[0]
    assert not any("Uzbekistan" in value for r in rows for value in r)
    assert ["Escalated to a case", stats.HIDDEN, ""] in rows
    assert ["Information given", stats.HIDDEN, ""] in rows
    assert ["Consultations", "12"] in rows
    assert [r[:2] for r in by_nationality] == [("Russian nationals", stats.HIDDEN),
                                              ("Other nationalities", stats.HIDDEN)]
    assert (by_outcome["Escalated to a case"], by_outcome["Information given"]) == (stats.HIDDEN, stats.HIDDEN)


def test_every_named_nationality_in_an_export_has_a_shown_count(mixed, users, client_for):
    client = client_for(users["me_officer"])
    params = {"date_from": "2026-03-01", "date_to": "2026-04-30", "site": ""}
    rows = protected_csv(client, **params)
    workbook = protected_xlsx(client, **params)
    start = rows.index(["By nationality"]) + 2
    csv_nationality = [r for r in rows[start: rows.index([], start)] if len(r) > 1]
    xlsx_nationality = [r for r in workbook["By nationality"].iter_rows(min_row=3, values_only=True) if r[1]]

    for name in ("Tajikistan", "Armenia", "Moldova"):
        assert not any(r and r[0].startswith(name) for r in csv_nationality), name
        assert not any(str(r[0]).startswith(name) for r in xlsx_nationality), name
    for label, count, *_rest in csv_nationality:
        assert count != stats.HIDDEN or label in ("Russian nationals", "Other nationalities", "Not recorded"), label
    # 6 Uzbeks are hidden too: 3 others and 1 not recorded hidden beside them would add up to only 4.
    assert [r[:2] for r in csv_nationality] == [
        ["Russian nationals", "15"], ["Other nationalities", stats.HIDDEN], ["Not recorded", stats.HIDDEN]]
    assert any(r[0] == "Other nationalities" for r in xlsx_nationality)


def test_ten_consultations_are_broken_down(sites, make):
    for n in range(10):
        make(sites["icc-a"], march(5, 9 + n), "RU", ("project",))

    result = stats.compute(datetime.date(2026, 3, 5), datetime.date(2026, 3, 5), sites["icc-a"], protect=True)

    assert not result.withheld
    assert result.russian.shown_count == "10"


# --- Exports cannot carry a formula ---------------------------------------------------------------
EVIL = '=HYPERLINK("http://evil/","x")'


def test_a_name_that_looks_like_a_formula_is_written_as_inert_text(bigger, users, client_for):
    Topic.objects.create(code="evil", name_en=EVIL, name_ru=EVIL, position=99)
    CampaignMaterial.objects.create(code="at", name_en="@SUM(1+1)", name_ru="@SUM(1+1)", position=99)
    Office.objects.filter(pk=bigger["icc-b"].pk).update(name="+cmd|' /C calc'!A0")
    client = client_for(users["me_officer"])
    params = {"date_from": "2026-03-01", "date_to": "2026-03-31"}

    rows = protected_csv(client, **params, site="")
    site_rows = protected_csv(client, **params, site=bigger["icc-b"].pk)
    workbook = protected_xlsx(client, **params, site="")
    cells = [cell for sheet in workbook for r in sheet.iter_rows() for cell in r if cell.value is not None]

    assert ["'" + EVIL, "0", "0.00", "0", "0.00", "0", "0.00"] in rows
    assert any(r and r[0] == "'@SUM(1+1)" for r in rows)
    assert any(r and r[0] == "'+cmd|' /C calc'!A0" for r in rows)  # the site, in the table by site
    assert ["Site", "'+cmd|' /C calc'!A0"] in site_rows  # and in the heading of an export of that site
    assert not any(value.startswith(("=", "+", "-", "@")) for r in rows + site_rows for value in r)
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    evil = [cell for cell in cells if cell.value == "'" + EVIL]
    assert evil
    assert all(cell.data_type == "s" for cell in evil)
    assert not any(isinstance(c.value, str) and c.value.startswith(("=", "+", "-", "@")) for c in cells)


@pytest.mark.parametrize(("value", "safe"), [
    ("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@A1", "'@A1"), ("\tx", "'\tx"), ("\rx", "'\rx"),
    ("Work permits", "Work permits"), ("[c]", "[c]"), (12, 12), ("", ""),
])
def test_safe_text(value, safe):
    from waypoint.core.reports.exports import safe_text

    assert safe_text(value) == safe


def test_a_hidden_monthly_volume_draws_no_bar(mixed):
    from waypoint.hotline.views_statistics import _month_bars

    result = stats.compute(datetime.date(2026, 3, 1), datetime.date(2026, 4, 30), protect=True)
    table = result.table("month")
    bars = _month_bars(table)

    assert [r.cells[0].suppressed for r in table.rows] == [True, True]  # April: 1 call, 1 Russian
    assert [(bar.value, bar.text) for bar in bars] == [(None, stats.HIDDEN), (None, stats.HIDDEN)]
