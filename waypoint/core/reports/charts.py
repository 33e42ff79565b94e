"""Charts drawn on the server as inline SVG: no script library, nothing the Content-Security-Policy
forbids (no inline script or style; colours are presentation attributes and classes of statistics.css).

Every chart has a <title> and a <desc> and is drawn next to the table of the same figures, which is
what a screen reader or a copy into a report uses.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

WIDTH = 520  # drawn at about this width beside its table, so that 14 units read as 14 pixels
ROW_HEIGHT = 42
LABEL_SIZE = 14
VALUE_SIZE = 13
VALUE_ROOM = 128  # room right of the longest bar for "1,234 · 67.12%"
BAR_COLOUR = "#0b5cab"
MUTED = "#5a6475"
INK = "#1d2430"
GRID = "#d6dbe3"


@dataclass(frozen=True)
class Bar:
    label: str
    value: int | None  # None: hidden by the small-number rule
    text: str  # written at the end of the bar
    sublabel: str = ""  # a second line under a month's label (the year)


def _open(chart_id: str, title: str, description: str, height: int, kind: str) -> str:
    return format_html(
        '<svg class="chart {kind}" role="img" aria-labelledby="{id}-title {id}-desc" viewBox="0 0 {w} {h}" '
        'width="{w}" height="{h}" xmlns="http://www.w3.org/2000/svg" font-family="system-ui, sans-serif">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>',
        kind=kind, id=chart_id, w=WIDTH, h=height, title=title, desc=description,
    )


def bar_chart(chart_id: str, title: str, description: str, bars: Sequence[Bar]) -> SafeString:
    """Horizontal bars, one per row, the label above its bar so that long names need no cutting."""
    height = max(len(bars), 1) * ROW_HEIGHT + 6
    largest = max((bar.value or 0 for bar in bars), default=0)
    span = WIDTH - 8 - VALUE_ROOM
    parts = [_open(chart_id, title, description, height, "bars")]
    if not bars:
        parts.append(format_html(
            '<text x="4" y="20" font-size="{s}" fill="{c}">{t}</text>', s=LABEL_SIZE, c=MUTED, t=_("Nothing to show")))
    for index, bar in enumerate(bars):
        top = index * ROW_HEIGHT
        parts.append(format_html(
            '<g class="chart-row"><text class="chart-label" x="4" y="{y}" font-size="{s}" fill="{c}">{label}</text>',
            y=top + 15, s=LABEL_SIZE, c=INK, label=bar.label,
        ))
        if bar.value is None:
            parts.append(format_html(
                '<text class="chart-value hidden-value" x="4" y="{y}" font-size="{s}" fill="{c}">{t}</text></g>',
                y=top + 34, s=VALUE_SIZE, c=MUTED, t=bar.text,
            ))
            continue
        length = round(span * bar.value / largest, 1) if largest else 0
        parts.append(format_html(
            '<rect class="chart-bar" x="4" y="{y}" width="{w}" height="16" rx="2" fill="{f}"></rect>'
            '<text class="chart-value" x="{tx}" y="{ty}" font-size="{s}" fill="{c}">{t}</text></g>',
            y=top + 21, w=max(length, 1 if bar.value else 0), f=BAR_COLOUR, tx=round(4 + length + 6, 1),
            ty=top + 34, s=VALUE_SIZE, c=INK, t=bar.text,
        ))
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every piece above is built with format_html


def nice_ceiling(value: int, steps: int = 4) -> tuple[int, int]:
    """A round top for the axis and its step (e.g. 347 -> (400, 100)), so gridlines fall on round numbers."""
    if value <= 0:
        return steps, 1
    raw = value / steps
    magnitude = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    for multiple in (1, 2, 2.5, 5, 10):
        step = multiple * magnitude
        if step >= raw and float(step).is_integer():
            return int(step * steps), int(step)
    return int(10 * magnitude * steps), int(10 * magnitude)


def column_chart(chart_id: str, title: str, description: str, bars: Sequence[Bar], height: int = 300) -> SafeString:
    """Vertical bars over time (one per month) on a gridded axis, the value on top of each bar."""
    left, right, top, bottom = 44, 4, 22, 44
    plot_width, plot_height = WIDTH - left - right, height - top - bottom
    largest = max((bar.value or 0 for bar in bars), default=0)
    ceiling, step = nice_ceiling(largest)
    parts = [_open(chart_id, title, description, height, "columns")]
    for tick in range(0, ceiling + 1, step):
        y = round(top + plot_height - plot_height * tick / ceiling, 1)
        parts.append(format_html(
            '<line class="chart-grid" x1="{x1}" y1="{y}" x2="{x2}" y2="{y}" stroke="{g}" stroke-width="1"></line>'
            '<text class="chart-axis" x="{tx}" y="{ty}" font-size="11" text-anchor="end" fill="{c}">{t}</text>',
            x1=left, x2=WIDTH - right, y=y, g=GRID, tx=left - 6, ty=round(y + 4, 1), c=MUTED, t=tick,
        ))
    slot = plot_width / max(len(bars), 1)
    width = round(min(slot * 0.7, 48), 1)
    for index, bar in enumerate(bars):
        centre = round(left + slot * index + slot / 2, 1)
        value = bar.value or 0
        bar_height = round(plot_height * value / ceiling, 1)
        y = round(top + plot_height - bar_height, 1)
        parts.append(format_html(
            '<g class="chart-column"><rect class="chart-bar" x="{x}" y="{y}" width="{w}" height="{h}" rx="2" '
            'fill="{f}"></rect><text class="chart-value" x="{c}" y="{vy}" font-size="11" text-anchor="middle" '
            'fill="{ink}">{t}</text><text class="chart-label" x="{c}" y="{ly}" font-size="11" text-anchor="middle" '
            'fill="{ink}">{label}</text>',
            x=round(centre - width / 2, 1), y=y, w=width, h=bar_height, f=BAR_COLOUR, c=centre,
            vy=round(y - 5, 1), ink=INK, t=bar.text, ly=top + plot_height + 16, label=bar.label,
        ))
        if bar.sublabel:
            parts.append(format_html(
                '<text class="chart-label" x="{c}" y="{y}" font-size="11" text-anchor="middle" fill="{m}">{t}</text>',
                c=centre, y=top + plot_height + 31, m=MUTED, t=bar.sublabel,
            ))
        parts.append("</g>")
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every piece above is built with format_html

