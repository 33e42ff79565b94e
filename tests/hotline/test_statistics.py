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
from waypoint.hotline import statistics as stats
from waypoint.hotline.models import CallerSex, CallerType, CampaignMaterial, Channel, Consultation, Outcome, Topic
from waypoint.hotline.statistics import Cell, apply_small_number_rule

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


def test_two_small_counts_hide_only_themselves_and_zero_is_shown():
    total, zero, one, two, large = Cell(23), Cell(0), Cell(1), Cell(2), Cell(20)

    apply_small_number_rule([(total, [zero, one, two, large])])

    assert [c.suppressed for c in (zero, one, two, large)] == [False, True, True, False]


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

    assert [(r.key, r.cells[0].shown_count) for r in table.rows] == [
        ("RU", "20"), ("UZ", "10"), ("KG", stats.HIDDEN), ("TJ", stats.HIDDEN)]
    assert row(table, "KG").cells[0].shown_percent == ""
    assert (protected.russian.percent, protected.foreign.percent) == (Decimal("51.28"), Decimal("48.72"))


def test_hidden_rows_are_listed_last_by_name_so_their_place_tells_nothing(sites, make):
    for code, how_many in (("RU", 20), ("UZ", 10), ("KG", 6), ("TJ", 3), ("AM", 2)):
        for n in range(how_many):
            make(sites["icc-a"], march(1 + n), code, ("work-permits",))

    protected = stats.compute(*MARCH, protect=True).table("nationality")
    exact = stats.compute(*MARCH, protect=False).table("nationality")

    assert [(r.label, r.cells[0].shown_count) for r in protected.rows] == [
        ("Russian nationals", "20"), ("Uzbekistan", "10"), ("Kyrgyzstan", "6"), ("Armenia", stats.HIDDEN),
        ("Tajikistan", stats.HIDDEN)]
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
    assert "Tajikistan" in nationalities
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
    assert ["Tajikistan", stats.HIDDEN, ""] in rows
    assert ["Uzbekistan", stats.HIDDEN, ""] in rows  # 10, hidden because 11 foreigners minus 10 would give 1
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
    assert nationality["Tajikistan"] == stats.HIDDEN


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
