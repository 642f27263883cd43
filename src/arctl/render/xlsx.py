"""Reports → an xlsx workbook (xlsxwriter, constant memory), one sheet per report.

API::

    from arctl.render.xlsx import Chart, Sheet, write_workbook, write_xlsx

    write_xlsx("aging.xlsx", report)                     # one report, one sheet
    write_workbook(handle_or_path, [                      # several reports, optional charts
        Sheet("Summary", summary, chart=Chart(("current", "d1_30", "d31_60"), title="By bucket")),
        Sheet("By customer", by_customer),
        Sheet("Detail", detail),                          # rows may be a generator: streamed
    ])

Sheet layout (the same for every report)::

    row 1   the report title, with "as of YYYY-MM-DD" appended when the title lacks it (bold, larger)
            (with `Sheet.heading`: the heading lines first, then the report title in bold)
    row 2   column titles (bold, frozen: panes are frozen below this row), autofilter over the body rows
    row 3…  the body rows, in order, then the total rows in bold (outside the autofilter range, so
            sorting or filtering never moves them), then a blank row and the report's notes

Cells are typed, never text that looks like a number:

- money → a number with the currency's places as number format ("#,##0.00" CNY/USD, "#,##0" JPY,
  "#,##0.000" KWD); the currency is in the report's `currency` column, or in one added at the right end
  when the report has none (as in csv). Excel stores IEEE doubles, so this edge (and only this one)
  turns exact money into a float: the double nearest to the exact amount (the same as
  `float("1234.56")` of its exact decimal string); amounts up to 15 significant digits read back exactly.
- int → a number; number → a number shown with one decimal ("#,##0.0", full precision kept);
  percent → the fraction (12.5 → 0.125) with "0.0%"; date → a real Excel date shown "yyyy-mm-dd".
- text → always `write_string` (never a formula, a number or a link), and text starting with
  = + - @ TAB CR gets a leading `'` as in csv, so it stays inert when copied or exported again.

Column widths are estimated from the header and the first `WIDTH_SAMPLE` rows plus the totals
(CJK characters count double), clamped to 8…60 characters: rows are never held to measure them.
Cells are written row by row in constant-memory mode, so a sheet's rows are consumed once, in order,
and memory stays flat however many rows stream through.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import IO, Any, Literal

from arctl.domain.money import EXPONENTS, Money, format_amount
from arctl.domain.report import Cell, Column, Report
from arctl.render.files import (
    body_and_totals,
    display,
    file_columns,
    file_row,
    needs_currency_column,
    neutralise,
    text_width,
)

WIDTH_SAMPLE = 200
"""Rows (after the header) looked at to size the columns."""
MIN_WIDTH, MAX_WIDTH = 8, 60
TITLE_ROW, HEADER_ROW = 0, 1


@dataclass(frozen=True, slots=True)
class Chart:
    """A clustered bar chart over a sheet's total rows: one series per total row (so one per currency,
    amounts in different currencies side by side, never added), one category per chosen column."""

    columns: tuple[str, ...]
    """Keys of the columns charted, adjacent and in the report's order (e.g. the aging buckets)."""
    title: str = ""
    kind: Literal["column", "bar"] = "column"
    """column: vertical bars (Excel's "clustered column"); bar: horizontal bars."""
    series_name: str = "currency"
    """Key of the total-row cell that names each series (the currency by default)."""


@dataclass(frozen=True, slots=True)
class Sheet:
    """One report as one worksheet; `name` is cleaned up for Excel (31 characters, no []:*?/\\)."""

    name: str
    report: Report
    chart: Chart | None = None
    """Placed below the notes, at column A."""
    heading: tuple[str, ...] = ()
    """Lines above the report (a statement: customer, address, period). The first is the sheet's title
    row, the others follow it, then the report's title in bold, then its header."""


def write_xlsx(target: str | os.PathLike[str] | IO[bytes], report: Report) -> None:
    """One report as a one-sheet workbook (sheet named after the report)."""
    write_workbook(target, [Sheet(report.name, report)])


def write_workbook(target: str | os.PathLike[str] | IO[bytes], sheets: Sequence[Sheet]) -> None:
    """Write the sheets, in order, into one workbook at `target` (a path, or a seekable binary handle,
    e.g. the temp file of `render.files.write_atomic_stream`). Each report's rows are consumed once.

    Raises ValueError for a chart over unknown or non-adjacent columns (before anything is written).
    """
    from xlsxwriter import Workbook

    for sheet in sheets:
        if sheet.chart:
            _chart_span(sheet.report, sheet.chart)
    with tempfile.TemporaryDirectory(prefix="arctl-xlsx-") as tmpdir:
        workbook = Workbook(
            str(target) if isinstance(target, str | Path) else target,
            {
                "constant_memory": True,
                "tmpdir": tmpdir,
                "strings_to_formulas": False,
                "strings_to_numbers": False,
                "strings_to_urls": False,
            },
        )
        try:
            styles = _Styles(workbook)
            names: set[str] = set()
            for sheet in sheets:
                name = _sheet_name(sheet.name, names)
                _write_sheet(workbook, workbook.add_worksheet(name), name, sheet, styles)
        except BaseException:
            for worksheet in workbook.worksheets():  # release the temp row files before tmpdir goes
                worksheet._opt_close()
            workbook.fileclosed = True
            raise
        workbook.close()


# --- internals -----------------------------------------------------------------------------------


class _Styles:
    """xlsxwriter formats, made once per workbook; `None` (no style at all) for plain body cells."""

    def __init__(self, workbook: Any) -> None:
        self.workbook = workbook
        self.cache: dict[tuple[str, bool], Any] = {}
        self.money: dict[tuple[str, bool], tuple[int, Any]] = {}
        self.title = workbook.add_format({"bold": True, "font_size": 14})
        self.header = workbook.add_format({"bold": True, "bottom": 1})
        self.header_num = workbook.add_format({"bold": True, "bottom": 1, "align": "right"})
        self.note = workbook.add_format({"italic": True})
        self.section = workbook.add_format({"bold": True, "font_size": 12})

    def get(self, num_format: str, bold: bool) -> Any:
        key = (num_format, bold)
        if key not in self.cache:
            spec: dict[str, Any] = {"bold": True} if bold else {}
            if num_format:
                spec["num_format"] = num_format
            self.cache[key] = self.workbook.add_format(spec) if spec else None
        return self.cache[key]

    def for_money(self, currency: str, bold: bool) -> tuple[int, Any]:
        """(10 ** exponent, number format) of a currency."""
        key = (currency, bold)
        if key not in self.money:
            self.money[key] = (10 ** EXPONENTS.get(currency, 2), self.get(money_format(currency), bold))
        return self.money[key]


def money_format(currency: str) -> str:
    """'#,##0.00' for CNY and USD, '#,##0' for JPY, '#,##0.000' for KWD."""
    places = EXPONENTS.get(currency, 2)
    return "#,##0." + "0" * places if places else "#,##0"


def money_float(value: Money) -> float:
    """The double nearest the exact amount: Python's int / int is correctly rounded, so this equals
    `float("1234.56")` (the exact decimal string) without building the string."""
    return value.minor / 10 ** EXPONENTS.get(value.currency, 2)


def _write_cell(ws: Any, r: int, c: int, value: Cell, kind: str, bold: bool, styles: _Styles) -> None:
    if value is None or value == "":
        if bold:
            ws.write_blank(r, c, None, styles.get("", True))
        return
    if isinstance(value, Money):
        scale, style = styles.for_money(value.currency, bold)
        ws.write_number(r, c, value.minor / scale, style)  # = money_float(value): the nearest double
    elif isinstance(value, str):
        ws.write_string(r, c, neutralise(value), styles.get("", bold))
    elif isinstance(value, date):
        ws.write_datetime(r, c, value, styles.get("yyyy-mm-dd", bold))
    elif isinstance(value, bool):  # pragma: no cover - not a Cell kind; never let it pass as an int
        ws.write_string(r, c, str(value), styles.get("", bold))
    elif isinstance(value, int | Decimal) and kind == "percent":
        ws.write_number(r, c, float(format(Decimal(value).scaleb(-2), "f")), styles.get("0.0%", bold))
    elif isinstance(value, Decimal):
        ws.write_number(r, c, float(format(value, "f")), styles.get("#,##0.0", bold))
    elif isinstance(value, int):
        ws.write_number(r, c, value, styles.get("", bold))
    else:  # pragma: no cover - outside the Cell union
        ws.write_string(r, c, neutralise(str(value)), styles.get("", bold))


_EXCEL_EPOCH = date(1899, 12, 30).toordinal()


def _fast_body_writer(ws: Any, styles: _Styles):  # type: ignore[no-untyped-def]
    """A body cell by exact type, past the width sample: the same cells as `_write_cell` without its chain
    (a date as its serial number with the date format, which is what write_datetime writes for a date)."""
    write_number, write_string = ws.write_number, ws.write_string
    date_style = styles.get("yyyy-mm-dd", False)
    plain_style = styles.get("", False)

    def write(r: int, c: int, value: Any, kind: str) -> None:
        t = type(value)
        if t is str:
            if value:
                write_string(r, c, neutralise(value), plain_style)
        elif t is Money:
            scale, style = styles.for_money(value.currency, False)
            write_number(r, c, value.minor / scale, style)
        elif t is int and kind != "percent":
            write_number(r, c, value, plain_style)
        elif t is date:
            write_number(r, c, value.toordinal() - _EXCEL_EPOCH, date_style)
        elif value is not None:
            _write_cell(ws, r, c, value, kind, False, styles)

    return write


def _cell_width(value: Cell, kind: str) -> int:
    if isinstance(value, Money):
        return len(format_amount(value.minor, value.currency, grouping=True))
    return text_width(display(value, kind))


def _chart_span(report: Report, chart: Chart) -> tuple[int, int]:
    keys = [c.key for c in file_columns(report)]
    missing = [k for k in chart.columns if k not in keys]
    if not chart.columns or missing:
        raise ValueError(f"chart over unknown columns of {report.name!r}: {missing or 'none given'}")
    first, last = keys.index(chart.columns[0]), keys.index(chart.columns[-1])
    if keys[first : last + 1] != list(chart.columns):
        raise ValueError(f"chart columns must be adjacent and in report order: {chart.columns}")
    return first, last


def _sheet_name(wanted: str, taken: set[str]) -> str:
    name = re.sub(r"[\[\]:*?/\\]", "_", wanted).strip("'").strip() or "Sheet"
    name, candidate, n = name[:31], name[:31], 1
    while candidate.lower() in taken:
        n += 1
        suffix = f" ({n})"
        candidate = name[: 31 - len(suffix)] + suffix
    taken.add(candidate.lower())
    return candidate


def _write_sheet(workbook: Any, ws: Any, name: str, sheet: Sheet, styles: _Styles) -> None:
    report = sheet.report
    columns: list[Column] = file_columns(report)
    add_currency = needs_currency_column(report)
    last_col = len(columns) - 1

    title = report.title
    if report.as_of and not any(report.as_of.isoformat() in t for t in (title, *sheet.heading)):
        title = f"{title} — as of {report.as_of.isoformat()}"
    header_row = HEADER_ROW
    if sheet.heading:
        ws.write_string(TITLE_ROW, 0, neutralise(sheet.heading[0]), styles.title)
        for i, line in enumerate(sheet.heading[1:], start=TITLE_ROW + 1):
            ws.write_string(i, 0, neutralise(line))  # an address like =HYPERLINK(...) stays inert
        header_row = len(sheet.heading) + 1
        ws.write_string(header_row - 1, 0, neutralise(title), styles.section)
    else:
        ws.write_string(TITLE_ROW, 0, neutralise(title), styles.title)

    widths = [text_width(c.title) + 3 for c in columns]  # + the autofilter button
    for c, column in enumerate(columns):
        numeric = column.kind not in ("text", "date")
        ws.write_string(header_row, c, column.title, styles.header_num if numeric else styles.header)

    r = header_row
    last_body = header_row
    total_rows: list[int] = []
    fast = _fast_body_writer(ws, styles)
    keyed = [(c, column.key, column.kind) for c, column in enumerate(columns)]
    for n, (row, is_total) in enumerate(body_and_totals(report)):
        r += 1
        row = file_row(report, row, add_currency)
        if n >= WIDTH_SAMPLE and not is_total:  # past the width sample: the fast body path
            get = row.get
            for c, key, kind in keyed:
                fast(r, c, get(key), kind)
            last_body = r
            continue
        for c, column in enumerate(columns):
            value = row.get(column.key)
            _write_cell(ws, r, c, value, column.kind, is_total, styles)
            if (n < WIDTH_SAMPLE or is_total) and value is not None:
                widths[c] = max(widths[c], _cell_width(value, column.kind) + 1)
        if is_total:
            total_rows.append(r)
        else:
            last_body = r

    if report.notes:
        r += 1
        for note in report.notes:
            r += 1
            ws.write_string(r, 0, note, styles.note)

    for c, width in enumerate(widths):
        ws.set_column(c, c, min(max(width, MIN_WIDTH), MAX_WIDTH))
    ws.freeze_panes(header_row + 1, 0)
    ws.autofilter(header_row, 0, last_body, last_col)

    if sheet.chart and total_rows:
        _insert_chart(workbook, ws, name, sheet.chart, columns, report, header_row, total_rows, r + 2)


def _insert_chart(
    workbook: Any, ws: Any, name: str, spec: Chart, columns: list[Column], report: Report, header_row: int,
    total_rows: list[int], at_row: int,
) -> None:  # fmt: skip
    first, last = _chart_span(report, spec)
    keys = [c.key for c in columns]
    label_col = keys.index(spec.series_name) if spec.series_name in keys else None
    chart = workbook.add_chart({"type": spec.kind})
    for i, row in enumerate(total_rows, start=1):
        chart.add_series({
            "name": [name, row, label_col] if label_col is not None else f"Total {i}",
            "categories": [name, header_row, first, header_row, last],
            "values": [name, row, first, row, last],
        })  # fmt: skip
    if spec.title:
        chart.set_title({"name": spec.title, "name_font": {"size": 12}})
    value_axis = {"num_format": "#,##0", "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}}
    (chart.set_y_axis if spec.kind == "column" else chart.set_x_axis)(value_axis)
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": 720, "height": 360})
    ws.insert_chart(at_row, 0, chart)
