"""Statistics exports a spreadsheet program opens safely: UTF-8 with a byte-order mark (Cyrillic reads right) and
no cell run as a formula (row labels are names typed by people: topics, offices, organisations, settlements)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from django.http import HttpResponse

from .tables import Table

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value):
    """A text a spreadsheet program will not run: one starting like a formula (`=`, `+`, `-`, `@`, tab,
    carriage return) gets a leading apostrophe. Anything else is returned as it is."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_bytes(rows: Iterable[list]) -> bytes:
    """The rows as CSV, every text cell made safe (`safe_text`), UTF-8 with a byte-order mark."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for values in rows:
        writer.writerow([safe_text(value) for value in values])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def csv_download(content: bytes, filename: str) -> HttpResponse:
    """A CSV file the browser saves as `filename`."""
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def table_header(table: Table) -> list[str]:
    """The heading row of a table: its row heading, then each column (and its percentage where it has one)."""
    header = [table.row_heading]
    for column in table.columns:
        header.append(column.label)
        if column.percent:
            header.append(f"{column.label} (%)")
    return header


def table_rows(table: Table) -> Iterator[list]:
    """A table's rows as exported: counts and percentages as they may leave the system (`Cell.export_count`)."""
    for row in table.rows:
        values: list = [row.label]
        for column, cell in zip(table.columns, row.cells, strict=True):
            values.append(cell.export_count)
            if column.percent:
                values.append(cell.export_percent)
        yield values


def table_lines(tables: Iterable[Table]) -> Iterator[list]:
    """Tables one under the other, each after an empty line, with its title, header, rows and note."""
    for table in tables:
        yield []
        yield [table.title]
        yield table_header(table)
        yield from table_rows(table)
        if table.note:
            yield [table.note]
