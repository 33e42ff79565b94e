"""Counts, shares and the small-number rule shared by every statistics page (see `waypoint.core.reports`).

A `Table` of `Row`s of `Cell`s is what a page, its charts and its exports render alike. The small-number rule
(protected output): counts from 1 to `SMALL_CELL_THRESHOLD - 1` that describe people are shown as `HIDDEN`, and
more cells are hidden wherever a hidden one could otherwise be worked out from a published sum
(`apply_small_number_rule`). A selection of fewer than `MIN_PUBLISHED_TOTAL` is not broken down at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils import formats

SMALL_CELL_THRESHOLD = 5
# Below this many records in a selection (say one site on one day), protected output gives no breakdown at all:
# with so few people, any split (nationality, outcome, sex and age) points at a person.
MIN_PUBLISHED_TOTAL = 10
# The mark of a hidden count, as the UK Office for National Statistics writes it ("[c]": confidential). The
# same mark for a small count and for the one hidden with it, so neither can be told from the other.
HIDDEN = "[c]"
HUNDRED = Decimal(100)
CENT = Decimal("0.01")


@dataclass(eq=False)
class Cell:
    """One count, its percentage (of the denominator its table names) and whether it is hidden."""

    count: int
    percent: Decimal | None = None
    sensitive: bool = True  # describes callers (False: a volume, never hidden)
    suppressed: bool = False

    @property
    def shown_count(self) -> str:
        return HIDDEN if self.suppressed else formats.number_format(self.count, force_grouping=True)

    @property
    def shown_percent(self) -> str:
        if self.suppressed or self.percent is None:
            return ""
        return f"{formats.number_format(self.percent, 2)}%"

    @property
    def export_count(self) -> int | str:
        return HIDDEN if self.suppressed else self.count

    @property
    def export_percent(self) -> Decimal | str:
        return "" if self.suppressed or self.percent is None else self.percent


@dataclass
class Row:
    key: str
    label: str
    cells: list[Cell]


@dataclass
class Column:
    label: str
    percent: bool = True  # whether its cells carry a percentage


@dataclass
class Table:
    key: str
    title: str
    row_heading: str
    columns: list[Column]
    rows: list[Row]
    note: str = ""
    # Sets of cells whose sum is published: (the published sum, the cells that add up to it[, hide the sum]).
    groups: list[tuple] = field(default_factory=list, repr=False)
    # Rows ranked by a column's count, except `fixed` rows at the start and the end: (column, head, tail).
    ranked_by: tuple[int, int, int] | None = None

    def rank(self) -> None:
        """Largest first, hidden counts last in alphabetical order: a hidden count's place among the
        others would tell its size."""
        if self.ranked_by is None:
            return
        column, head, tail = self.ranked_by
        middle = self.rows[head: len(self.rows) - tail]

        def key(row: Row) -> tuple:
            cell = row.cells[column]
            return cell.suppressed, 0 if cell.suppressed else -cell.count, row.label.casefold()

        self.rows[head: len(self.rows) - tail] = sorted(middle, key=key)

    @property
    def lines(self) -> list[tuple[Row, list[tuple[Cell, bool]]]]:
        """Each row with its cells, and for each cell whether its column shows a percentage."""
        flags = [column.percent for column in self.columns]
        return [(row, list(zip(row.cells, flags, strict=True))) for row in self.rows]


def percent(count: int, denominator: int) -> Decimal | None:
    """A share in percent, to two decimals, rounded half up (596 of 888 is 67.12)."""
    if not denominator:
        return None
    return (Decimal(count) * HUNDRED / Decimal(denominator)).quantize(CENT, rounding=ROUND_HALF_UP)


# --- The small-number rule ----------------------------------------------------------------------
# --- The small-number rule ----------------------------------------------------------------------
def group_is_safe(published: Cell, parts: Sequence[Cell], threshold: int = SMALL_CELL_THRESHOLD) -> bool:
    """Whether no hidden part of a published sum can be worked out from it. Zeros are always shown, so a
    hidden count is known to be at least 1: one hidden part is its sum minus the visible ones, and two or
    more hidden parts adding up to little (1 + 1) are each known too. Safe: the sum is hidden, or nothing
    is, or at least two parts are hidden and together make at least `threshold`."""
    if published.suppressed:
        return True
    hidden = [cell for cell in parts if cell.suppressed]
    return not hidden or (len(hidden) >= 2 and sum(cell.count for cell in hidden) >= threshold)


def apply_small_number_rule(groups: Sequence[tuple], threshold: int = SMALL_CELL_THRESHOLD) -> None:
    """Hide small counts (primary), then, while a published sum is not safe (`group_is_safe`), hide its
    smallest visible non-zero part too (secondary: a zero hides nothing, zero + [c] is the sum); where no
    such part is left, hide the sum itself.

    A group is (published sum, parts) or (published sum, parts, True): the third form hides the sum itself
    rather than another part, for sums that matter less than their parts (a topic's "all consultations",
    beside its Russian and foreign counts)."""
    for cell in {id(c): c for published, parts, *_flag in groups for c in (published, *parts)}.values():
        if cell.sensitive and 0 < cell.count < threshold:
            cell.suppressed = True
    changed = True
    while changed:
        changed = False
        for published, parts, *flag in groups:
            if group_is_safe(published, parts, threshold):
                continue
            changed = True
            if flag and flag[0] and published.sensitive:
                published.suppressed = True
                continue
            visible = sorted(
                (c for c in parts if not c.suppressed and c.count > 0), key=lambda c: (not c.sensitive, c.count),
            )
            if visible:
                visible[0].suppressed = True
            else:
                published.suppressed = True
