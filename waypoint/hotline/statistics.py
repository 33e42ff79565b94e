"""Counting consultations the way the office reports them (the seeds: "888 consultations, 67.12% to
Russian nationals and 32.88% to foreigners; foreigners asked about work permits...").

Everything is counted by the database (`values().annotate(Count())`, one query per breakdown), so a year
of four sites costs about ten small queries. The result is plain data (`Statistics`, `Table`, `Row`,
`Cell`) that the page, the charts and the exports render alike.

The small-number rule (protected output). A selection of fewer than `MIN_PUBLISHED_TOTAL` consultations
is not broken down at all (`Statistics.withheld`). Otherwise counts from 1 to `SMALL_CELL_THRESHOLD - 1`
that describe callers (nationality, topic, caller type, outcome, sex and age, how they heard of us) are
replaced by "[c]" with no percentage; where parts add up to a published sum, more cells are hidden until
the hidden parts are at least two and together at least `SMALL_CELL_THRESHOLD` (zeros do not count: a
zero beside one "[c]" gives it away), or the sum itself is hidden. A nationality whose count is hidden is
never named: it is folded into "Other nationalities". Volumes (consultations per site, month and channel)
are hidden only where a hidden count could otherwise be worked out from them. The rule applies to every
export and to everyone on screen except those who may read the consultations themselves: programme
managers of the hotline programme, and operators looking at their own site.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from django.db import models
from django.db.models import Case, Count, Value, When
from django.db.models.functions import TruncMonth
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from waypoint.accounts import policy
from waypoint.accounts.models import Office, Role, User

# The shared period and small-number rule; the hotline's pages name these through this module too.
from waypoint.core.reports.periods import PeriodChoice as PeriodChoice
from waypoint.core.reports.periods import add_months
from waypoint.core.reports.periods import period_dates as period_dates
from waypoint.core.reports.tables import HIDDEN as HIDDEN
from waypoint.core.reports.tables import (
    MIN_PUBLISHED_TOTAL,
    SMALL_CELL_THRESHOLD,
    Cell,
    Column,
    Row,
    Table,
    apply_small_number_rule,
    percent,
)
from waypoint.people import codes

from .models import (
    RUSSIAN_NATIONAL,
    AgeBand,
    CallerSex,
    CallerType,
    CampaignMaterial,
    Channel,
    Consultation,
    Outcome,
    Topic,
)

# The row that takes every nationality whose count is hidden in protected output (never name them).
OTHER_NATIONALITIES = "other"

# Nationality groups, as the seeds split them.
RUSSIAN = "russian"
FOREIGN = "foreign"
UNKNOWN = "unknown"
GROUPS = (RUSSIAN, FOREIGN, UNKNOWN)


def _bounds(start: datetime.date, end: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The period as [start, end) instants in the office's time zone: the whole of the last day counts."""
    zone = timezone.get_current_timezone()
    first = datetime.datetime.combine(start, datetime.time.min, tzinfo=zone)
    after = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone)
    return first, after


# --- The data the page and the exports render (cells, rows and tables: `waypoint.core.reports.tables`) ---
@dataclass
class Statistics:
    start: datetime.date
    end: datetime.date
    site: Office | None
    total: Cell
    russian: Cell
    foreign: Cell
    not_recorded: Cell
    tables: list[Table]
    top_topics: dict[str, list[tuple[str, Cell]]]
    protected: bool
    threshold: int = SMALL_CELL_THRESHOLD
    # Protected output of a selection too small to break down: no figures, no tables (see compute()).
    withheld: bool = False
    minimum: int = MIN_PUBLISHED_TOTAL

    def table(self, key: str) -> Table:
        return next(table for table in self.tables if table.key == key)

    @property
    def withheld_text(self) -> str:
        return _(
            "Fewer than %(n)d consultations in this selection: breakdowns are not shown to protect callers."
        ) % {"n": self.minimum}



def _cell(count: int, denominator: int | None, *, sensitive: bool = True) -> Cell:
    return Cell(count, percent(count, denominator) if denominator is not None else None, sensitive)


def group_of(nationality: str) -> str:
    if not nationality:
        return UNKNOWN
    return RUSSIAN if nationality == RUSSIAN_NATIONAL else FOREIGN


def _nationality_group(field_name: str = "caller_nationality") -> Case:
    return Case(
        When(**{field_name: RUSSIAN_NATIONAL}, then=Value(RUSSIAN)),
        When(**{field_name: ""}, then=Value(UNKNOWN)),
        default=Value(FOREIGN),
        output_field=models.CharField(),
    )


# --- Who sees exact small numbers -------------------------------------------------------------
def sees_exact_counts(user: User, site: Office | None) -> bool:
    """Those who may read the consultations themselves see exact counts: a programme manager of the
    hotline (every site), an operator looking at their own site. Everyone else gets the rule."""
    if not policy.may(user, policy.VIEW_HOTLINE_STATISTICS):
        return False
    if user.role == Role.PROGRAMME_MANAGER:
        return True
    return user.role == Role.HOTLINE_OPERATOR and site is not None and site.pk == user.office_id


def consultation_sites() -> list[Office]:
    return list(Office.objects.filter(kind=Office.Kind.CONSULTATION_CENTRE).order_by("name"))


# --- Counting -----------------------------------------------------------------------------------
def compute(start: datetime.date, end: datetime.date, site: Office | None = None, *, protect: bool) -> Statistics:
    """Every breakdown of the consultations started from `start` to `end` (inclusive) at `site` (or all)."""
    first, after = _bounds(start, end)
    base = Consultation.objects.filter(started_at__gte=first, started_at__lt=after)
    if site is not None:
        base = base.filter(site=site)
    base = base.order_by()

    by_nationality = dict(_grouped(base, "caller_nationality"))
    sizes = dict.fromkeys(GROUPS, 0)
    for code, count in by_nationality.items():
        sizes[group_of(code)] += count
    grand = sum(sizes.values())
    total = Cell(grand, percent(grand, grand), sensitive=False)
    summary = {group: _cell(sizes[group], grand) for group in GROUPS}
    if protect and grand < MIN_PUBLISHED_TOTAL:
        # Nothing but "fewer than N": neither the exact total nor any split of it.
        for cell in (total, *summary.values()):
            cell.suppressed = True
        return Statistics(
            start=start, end=end, site=site, total=total, russian=summary[RUSSIAN], foreign=summary[FOREIGN],
            not_recorded=summary[UNKNOWN], tables=[], top_topics={}, protected=True, withheld=True,
        )

    others = [
        _topic_table(base, sizes, total),
        _simple_table(
            "caller_type", _("By caller type"), _("Caller"), _counts(base, "caller_type"),
            CallerType.choices, total,
        ),
        _simple_table(
            "channel", _("By channel"), _("Channel"), _counts(base, "channel"),
            Channel.choices, total, sensitive=False,
        ),
        _simple_table(
            "outcome", _("By outcome"), _("Outcome"), _counts(base, "outcome"),
            Outcome.choices, total,
        ),
        _site_table(base, site, summary, total),
        _month_table(base, start, end, summary, total),
        _sex_age_table(base, total),
        _heard_from_table(base, total),
    ]
    folded: set[str] = set()
    while True:
        nationality = _nationality_table(by_nationality, summary, total, folded)
        tables = [nationality, *others]
        if not protect:
            break
        groups = [(total, list(summary.values()))] + [g for t in tables for g in t.groups]
        for table in tables:  # start afresh: folding changes which cells need hiding
            for row in table.rows:
                for cell in row.cells:
                    cell.suppressed = False
        for cell in (total, *summary.values()):
            cell.suppressed = False
        apply_small_number_rule(groups)
        # Never name a nationality whose count is hidden: fold it into "Other nationalities" and redo.
        named_hidden = {row.key for row in nationality.rows if row.cells[0].suppressed
                        and group_of(row.key) == FOREIGN and row.key != OTHER_NATIONALITIES}
        if not named_hidden:
            break
        folded |= named_hidden
    statistics = Statistics(
        start=start, end=end, site=site, total=total, russian=summary[RUSSIAN], foreign=summary[FOREIGN],
        not_recorded=summary[UNKNOWN], tables=tables, top_topics={}, protected=protect,
    )
    for table in tables:
        table.rank()
    statistics.top_topics = _top_topics(statistics.table("topic"))
    return statistics


def _grouped(queryset, *fields: str) -> list[tuple]:
    """(value..., count) for each combination of `fields`: a GROUP BY in the database."""
    return list(queryset.values(*fields).annotate(n=Count("id")).order_by().values_list(*fields, "n"))


def _counts(base, field_name: str) -> dict:
    return dict(_grouped(base, field_name))


def _simple_table(
    key: str, title: str, heading: str, counts: dict, choices: Sequence[tuple[object, str]], total: Cell,
    *, sensitive: bool = True,
) -> Table:
    """One column of counts over a fixed list of values, zeros included (unexpected values are listed too)."""
    known = {value for value, _label in choices}
    entries = list(choices) + [(value, str(value) or _("Not recorded")) for value in counts if value not in known]
    rows = [Row(str(value), str(label), [_cell(counts.get(value, 0), total.count, sensitive=sensitive)])
            for value, label in entries]
    return Table(
        key, title, heading, [Column(_("Consultations"))], rows,
        note=_("Percentages are of all consultations in the period."),
        groups=[(total, [row.cells[0] for row in rows])],
    )


def _nationality_table(
    counts: dict[str, int], summary: dict[str, Cell], total: Cell, folded: Collection[str] = (),
) -> Table:
    """Russian nationals, each foreign nationality, then "Other nationalities" (the `folded` ones, whose
    counts protected output must hide, so must not name) and "Not recorded"."""
    foreign = [(code, count) for code, count in counts.items() if group_of(code) == FOREIGN and code not in folded]
    rows = [Row(RUSSIAN_NATIONAL, _("Russian nationals"), [summary[RUSSIAN]])]
    rows += [Row(code, codes.country_name(code), [_cell(count, total.count)]) for code, count in foreign]
    tail = 0
    if folded:
        other = sum(count for code, count in counts.items() if code in folded)
        rows.append(Row(OTHER_NATIONALITIES, _("Other nationalities"), [_cell(other, total.count)]))
        tail += 1
    if summary[UNKNOWN].count:
        rows.append(Row("", _("Not recorded"), [summary[UNKNOWN]]))
        tail += 1
    return Table(
        "nationality", _("By nationality"), _("Nationality"), [Column(_("Consultations"))], rows,
        note=_("Percentages are of all consultations in the period."),
        groups=[
            (total, [row.cells[0] for row in rows]),
            (summary[FOREIGN], [row.cells[0] for row in rows if group_of(row.key) == FOREIGN]),
        ],
        ranked_by=(0, 1, tail),
    )


def _topic_table(base, sizes: dict[str, int], total: Cell) -> Table:
    """Topics asked by Russian nationals and by foreigners, each column out of its own consultations."""
    through = Consultation.topics.through.objects.filter(consultation__in=base.values("pk")).order_by()
    counts: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(GROUPS, 0))
    grouped = through.annotate(group=_nationality_group("consultation__caller_nationality"))
    for topic_id, group, count in _grouped(grouped, "topic_id", "group"):
        counts[topic_id][group] = count
    topics = [t for t in Topic.objects.order_by("position", "name_en") if t.is_active or t.pk in counts]
    show_unknown = sizes[UNKNOWN] > 0
    columns = [Column(_("Russian nationals")), Column(_("Foreign nationals"))]
    if show_unknown:
        columns.append(Column(_("Nationality not recorded")))
    columns.append(Column(_("All consultations")))
    rows, groups = [], []
    for topic in topics:
        by_group = counts.get(topic.pk, dict.fromkeys(GROUPS, 0))
        cells = {group: _cell(by_group[group], sizes[group]) for group in GROUPS}
        everyone = _cell(sum(by_group.values()), total.count)
        shown = [cells[RUSSIAN], cells[FOREIGN]] + ([cells[UNKNOWN]] if show_unknown else []) + [everyone]
        rows.append(Row(topic.code, topic.name, shown))
        groups.append((everyone, [cells[group] for group in GROUPS], True))
    return Table(
        "topic", _("By topic"), _("Topic"), columns, rows,
        note=_(
            "A consultation about several topics counts once under each of them, so a column adds up to more "
            "than its number of consultations and its percentages to more than 100%%. Each percentage is of "
            "the consultations of its column: %(russian)s to Russian nationals, %(foreign)s to foreign "
            "nationals, %(total)s in all."
        ) % {
            "russian": formats.number_format(sizes[RUSSIAN], force_grouping=True),
            "foreign": formats.number_format(sizes[FOREIGN], force_grouping=True),
            "total": formats.number_format(total.count, force_grouping=True),
        },
        groups=groups,
        ranked_by=(len(columns) - 1, 0, 0),
    )


def _split_rows(
    pairs: Iterable[tuple[object, str, dict[str, int]]], summary: dict[str, Cell], total: Cell,
) -> tuple[list[Row], list[tuple[Cell, list[Cell]]]]:
    """Rows of volume with their Russian / foreign split (each row out of its own consultations)."""
    rows, groups = [], []
    column_cells: dict[str, list[Cell]] = {group: [] for group in GROUPS}
    volumes = []
    for key, label, by_group in pairs:
        size = sum(by_group.values())
        volume = _cell(size, total.count, sensitive=False)
        cells = {group: _cell(by_group.get(group, 0), size) for group in GROUPS}
        rows.append(Row(str(key), label, [volume, cells[RUSSIAN], cells[FOREIGN]]))
        groups.append((volume, [cells[group] for group in GROUPS]))
        for group in GROUPS:
            column_cells[group].append(cells[group])
        volumes.append(volume)
    groups += [(summary[group], column_cells[group]) for group in GROUPS]
    groups.append((total, volumes))
    return rows, groups


def _split_columns(first: str) -> list[Column]:
    return [Column(first), Column(_("Russian nationals")), Column(_("Foreign nationals"))]


def _site_table(base, site: Office | None, summary: dict[str, Cell], total: Cell) -> Table:
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for site_id, group, count in _grouped(base.annotate(group=_nationality_group()), "site_id", "group"):
        counts[site_id][group] = count
    offices = [site] if site is not None else consultation_sites()
    offices += list(Office.objects.filter(pk__in=set(counts) - {o.pk for o in offices}).order_by("name"))
    rows, groups = _split_rows(((o.pk, o.name, counts.get(o.pk, {})) for o in offices), summary, total)
    return Table(
        "site", _("By site"), _("Site"), _split_columns(_("Consultations")), rows,
        note=_("The site's share of all consultations; then the share of the site's own consultations given to "
               "Russian and to foreign nationals."),
        groups=groups,
    )


def _month_table(base, start: datetime.date, end: datetime.date, summary: dict[str, Cell], total: Cell) -> Table:
    counts: dict[datetime.date, dict[str, int]] = defaultdict(dict)
    monthly = base.annotate(month=TruncMonth("started_at"), group=_nationality_group())
    for month, group, count in _grouped(monthly, "month", "group"):
        day = timezone.localtime(month).date() if timezone.is_aware(month) else month.date()
        counts[day.replace(day=1)][group] = count
    months, current = [], start.replace(day=1)
    while current <= end:
        months.append(current)
        current = add_months(current, 1)
    rows, groups = _split_rows(
        ((m.isoformat()[:7], formats.date_format(m, "YEAR_MONTH_FORMAT"), counts.get(m, {})) for m in months),
        summary, total,
    )
    return Table(
        "month", _("By month"), _("Month"), _split_columns(_("Consultations")), rows,
        note=_("The month's share of all consultations; then the share of the month's own consultations given to "
               "Russian and to foreign nationals."),
        groups=groups,
    )


def _sex_age_table(base, total: Cell) -> Table:
    counts = {(sex, age): count for sex, age, count in _grouped(base, "caller_sex", "caller_age_band")}
    sexes = [value for value, _label in CallerSex.choices]
    columns = [Column(str(label), percent=False) for _value, label in CallerSex.choices] + [Column(_("All"))]
    sex_totals = {sex: Cell(sum(n for (s, _a), n in counts.items() if s == sex)) for sex in sexes}
    rows, groups = [], []
    column_cells: dict[str, list[Cell]] = {sex: [] for sex in sexes}
    age_totals = []
    for age, label in AgeBand.choices:
        cells = [Cell(counts.get((sex, age), 0)) for sex in sexes]
        age_total = _cell(sum(cell.count for cell in cells), total.count)
        rows.append(Row(age, str(label), [*cells, age_total]))
        groups.append((age_total, cells))
        for sex, cell in zip(sexes, cells, strict=True):
            column_cells[sex].append(cell)
        age_totals.append(age_total)
    rows.append(Row("all", _("All ages"), [*sex_totals.values(), total]))
    groups += [(sex_totals[sex], column_cells[sex]) for sex in sexes]
    groups += [(total, age_totals), (total, list(sex_totals.values()))]
    return Table(
        "sex_age", _("By sex and age"), _("Age"), columns, rows,
        note=_("Counts of consultations by the caller's sex and age band; the last column's percentages are of "
               "all consultations in the period."),
        groups=groups,
    )


def _heard_from_table(base, total: Cell) -> Table:
    counts = _counts(base, "heard_from")
    materials = [m for m in CampaignMaterial.objects.order_by("position", "name_en") if m.is_active or m.pk in counts]
    rows = [Row(m.code, m.name, [_cell(counts.get(m.pk, 0), total.count)]) for m in materials]
    rows.append(Row("", _("Not recorded"), [_cell(counts.get(None, 0), total.count)]))
    return Table(
        "heard_from", _("How callers heard of the hotline"), _("Campaign material"), [Column(_("Consultations"))],
        rows, note=_("Percentages are of all consultations in the period."),
        groups=[(total, [row.cells[0] for row in rows])], ranked_by=(0, 0, 1),
    )


def _top_topics(table: Table, size: int = 4) -> dict[str, list[tuple[str, Cell]]]:
    """What each group asked about most (hidden counts are left out), as the seeds sum it up."""
    top = {}
    for group, index in ((RUSSIAN, 0), (FOREIGN, 1)):
        ranked = sorted(
            (row for row in table.rows if row.cells[index].count and not row.cells[index].suppressed),
            key=lambda row: -row.cells[index].count,
        )
        top[group] = [(row.label, row.cells[index]) for row in ranked[:size]]
    return top
