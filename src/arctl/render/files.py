"""Report → csv / json (streamed), cell text shared by every renderer, and atomic file writes.

Every renderer reads only `arctl.domain.report.Report`. Rows may be a one-shot generator: csv, json,
xlsx and html consume them once, in order, and ask for the totals afterwards, so memory does not grow
with the number of rows (the terminal table is the exception: it must measure every cell first).

CSV
---
One header line of column keys, then one line per row, then the total rows. Money is a decimal string
with the currency's places ("12345.60", JPY "12346"), never a float and never grouped; dates ISO
(2026-10-31); a `currency` column is added when the report has money but no currency column. Text
cells starting with `= + - @ TAB CR` get a leading `'` (spreadsheet formula injection). `--excel-csv`
writes a UTF-8 BOM and CRLF line ends so Excel shows Chinese names correctly; otherwise plain UTF-8, LF.

JSON schema (version 1)
-----------------------
One UTF-8 JSON object per report (rows one per line, so big reports stay greppable)::

    {
      "schema": "arctl.<report>/1",   // e.g. "arctl.aging/1"; the number changes only on a breaking change
      "report": "<report>",           // machine name: aging, balance, statement, ...
      "title": "Aging as of 2026-10-31",
      "as_of": "2026-10-31",          // ISO date, or null for reports without one
      "columns": [{"key": "customer", "title": "Customer", "kind": "text"}, ...],
      "rows":   [{"customer": "ACME", "currency": "CNY", "current": "1200.00", ...}, ...],
      "totals": [{"customer": "Total", "currency": "CNY", "current": "5400.00", ...}, ...],
      "notes":  ["..."]
    }

`kind` is one of text, money, int, date, number, percent. Values by kind: money → decimal string with
the currency's number of places ("1234.50"; negative "-400.00"; never a float, never grouped); int →
JSON integer; date → "YYYY-MM-DD"; number → decimal string ("45.3"); percent → decimal string in
percentage points ("12.5" means 12.5 %); text → string. A key may be missing or null when the cell is
empty. Every money row carries its currency: in the report's own `currency` column, or in a
`currency` key added to each row when the report has none. Totals are one row per currency (amounts
in different currencies are never added). Additive changes (new columns, new top-level keys) keep the
version; removing or renaming a key or changing a value's type bumps it (arctl.aging/2).

A document of several reports (a customer statement) is one object whose sections are the envelopes
above, in order::

    {"schema": "arctl.statement/1", "report": "statement", "title": "<heading[0]>",
     "heading": ["Statement of account — HZJX ...", "<address>", "Period: ..."], "as_of": "2026-10-31",
     "sections": [{"schema": "arctl.statement-activity/1", ...}, {...}]}

Its csv is the heading lines, then per report a blank line, the report's title and its csv block.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import IO, TextIO

from arctl.domain.money import Money, format_amount
from arctl.domain.report import Cell, Column, Report, Row

JSON_SCHEMA_VERSION = 1
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


# --- cells ---------------------------------------------------------------------------------------


def needs_currency_column(report: Report) -> bool:
    """True when the report has money but no `currency` column: file renderers then add one."""
    return not any(c.key == "currency" for c in report.columns) and any(c.kind == "money" for c in report.columns)


def row_currency(report: Report, row: Row) -> str:
    """The currency of a row: that of its first money cell ("" when it has none)."""
    for column in report.columns:
        value = row.get(column.key)
        if isinstance(value, Money):
            return value.currency
    return ""


def file_columns(report: Report) -> list[Column]:
    """The columns a file shows: the report's, plus `currency` when `needs_currency_column`."""
    extra = [Column("currency", "Currency")] if needs_currency_column(report) else []
    return [*report.columns, *extra]


def file_row(report: Report, row: Row, add_currency: bool) -> Row:
    """A row with its added `currency` cell, when the file shows one."""
    return {**row, "currency": row_currency(report, row)} if add_currency else row


def plain(value: Cell) -> str | int | None:
    """A cell as stable file text: money as a decimal string, dates ISO, never floats."""
    if isinstance(value, Money):
        return format_amount(value.minor, value.currency)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return value


def display(value: Cell, kind: str = "text") -> str:
    """A cell as people read it (terminal table, html): grouped money with "-" for zero, 12.5%."""
    if value is None:
        return ""
    if isinstance(value, Money):
        return "-" if value.minor == 0 else format_amount(value.minor, value.currency, grouping=True)
    if isinstance(value, Decimal) and kind == "percent":
        return f"{value:.1f}%"
    if isinstance(value, Decimal):
        return f"{value:,.1f}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def text_width(text: str) -> int:
    """Display width in a fixed-width font: CJK (wide and full-width) characters count double."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def neutralise(text: str) -> str:
    """Stop spreadsheet formula injection: a text cell starting with = + - @ TAB CR gets a leading quote.
    Numbers written by us (money, counts) are not text cells and are left alone."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def body_and_totals(report: Report) -> Iterator[tuple[Row, bool]]:
    """(row, is_total) for every row, then every total row: the one pass a streaming renderer makes."""
    for row in report.rows:
        yield row, False
    for row in report.final_totals():
        yield row, True


# --- csv -----------------------------------------------------------------------------------------


def write_csv(report: Report, handle: TextIO, *, excel: bool = False, bom: bool = True) -> None:
    """Stream a report as CSV into a text handle (open it with newline=""). Memory: one row at a time."""
    if excel and bom:
        handle.write("\ufeff")
    # The csv module quotes a field only for the characters of its line terminator: with "\n" alone,
    # a CR inside a text cell would go out bare and end the record early for every reader. So each
    # record is written with CRLF (CR and LF both force quotes) into a small buffer, and the line end
    # is swapped for LF unless --excel-csv.
    line = io.StringIO(newline="")
    writer = csv.writer(line, lineterminator="\r\n")

    def writerow(cells: list[str] | list[str | int]) -> None:
        writer.writerow(cells)
        record = line.getvalue()
        handle.write(record if excel else record[:-2] + "\n")
        line.seek(0)
        line.truncate()

    add_currency = needs_currency_column(report)
    columns = file_columns(report)
    writerow([c.key for c in columns])
    for row, _ in body_and_totals(report):
        row = file_row(report, row, add_currency)
        cells: list[str | int] = []
        for column in columns:
            value = plain(row.get(column.key))
            if isinstance(value, str) and column.kind == "text":
                value = neutralise(value)
            cells.append("" if value is None else value)
        writerow(cells)


def to_csv(report: Report, *, excel: bool = False) -> str:
    buffer = io.StringIO(newline="")
    write_csv(report, buffer, excel=excel)
    return buffer.getvalue()


# --- json ----------------------------------------------------------------------------------------


def write_json(report: Report, handle: TextIO, *, pad: str = "") -> None:
    """Stream the versioned json envelope (module docstring) into a text handle, one row per line.
    `pad` indents every line but the first (for an envelope nested in a document's sections)."""
    add_currency = needs_currency_column(report)
    keys = [c.key for c in report.columns]

    def convert(row: Row) -> str:
        out: dict[str, object] = {k: plain(row.get(k)) for k in keys if k in row}
        if add_currency:
            out["currency"] = row_currency(report, row)
        return json.dumps(out, ensure_ascii=False)

    def dump(value: object) -> str:
        return json.dumps(value, ensure_ascii=False)

    handle.write("{\n")
    handle.write(f'{pad}  "schema": {dump(f"arctl.{report.name}/{JSON_SCHEMA_VERSION}")},\n')
    handle.write(f'{pad}  "report": {dump(report.name)},\n')
    handle.write(f'{pad}  "title": {dump(report.title)},\n')
    handle.write(f'{pad}  "as_of": {dump(report.as_of.isoformat() if report.as_of else None)},\n')
    columns = [{"key": c.key, "title": c.title, "kind": c.kind} for c in report.columns]
    handle.write(f'{pad}  "columns": [' + ",".join(f"\n{pad}    {dump(c)}" for c in columns) + f"\n{pad}  ],\n")
    for name, rows in (("rows", report.rows), ("totals", None)):
        handle.write(f'{pad}  "{name}": [')
        first = True
        for row in rows if rows is not None else report.final_totals():
            handle.write((f"\n{pad}    " if first else f",\n{pad}    ") + convert(row))
            first = False
        handle.write("]" if first else f"\n{pad}  ]")
        handle.write(",\n")
    # Notes last: a streaming report may add a note while its rows go by.
    handle.write(f'{pad}  "notes": {dump(list(report.notes))}\n')
    handle.write(f"{pad}}}" if pad else "}\n")


def to_json(report: Report) -> str:
    buffer = io.StringIO()
    write_json(report, buffer)
    return buffer.getvalue()


def write_json_document(
    name: str, heading: Sequence[str], reports: Sequence[Report], handle: TextIO, *, as_of: date | None = None
) -> None:
    """Several reports as one document (a statement): the sections are report envelopes, in order."""

    def dump(value: object) -> str:
        return json.dumps(value, ensure_ascii=False)

    handle.write("{\n")
    handle.write(f'  "schema": {dump(f"arctl.{name}/{JSON_SCHEMA_VERSION}")},\n')
    handle.write(f'  "report": {dump(name)},\n')
    handle.write(f'  "title": {dump(heading[0] if heading else name)},\n')
    handle.write(f'  "heading": {dump(list(heading))},\n')
    handle.write(f'  "as_of": {dump(as_of.isoformat() if as_of else None)},\n')
    handle.write('  "sections": [')
    for i, report in enumerate(reports):
        handle.write(",\n    " if i else "\n    ")
        write_json(report, handle, pad="    ")
    handle.write("\n  ]\n}\n" if reports else "]\n}\n")


def write_csv_document(
    heading: Sequence[str], reports: Sequence[Report], handle: TextIO, *, excel: bool = False
) -> None:
    """Several reports in one csv (a statement, as banks export them): the heading lines, then per
    report a blank line, its title, and its own csv block (header, rows, totals)."""
    if excel:
        handle.write("\ufeff")
    end = "\r\n" if excel else "\n"
    line = io.StringIO(newline="")
    writer = csv.writer(line, lineterminator="\r\n")

    def one_cell(text: str) -> None:
        writer.writerow([neutralise(text)])
        handle.write(line.getvalue()[:-2] + end)
        line.seek(0)
        line.truncate()

    for text in heading:
        one_cell(text)
    for i, report in enumerate(reports):
        if heading or i:
            handle.write(end)
        one_cell(report.title)
        write_csv(report, handle, excel=excel, bom=False)


# --- files ---------------------------------------------------------------------------------------


def expand_path(template: str, *, as_of: date | None, today: date) -> Path:
    """`aging-{as_of}.csv` → `aging-2026-10-31.csv`; `{date}` is today's date (for cron)."""
    return Path(template.replace("{as_of}", (as_of or today).isoformat()).replace("{date}", today.isoformat()))


def write_atomic_stream(path: Path, writer: Callable[[IO[bytes]], None]) -> None:
    """Call `writer` with a binary handle on a temp file in the target's folder; fsync, then rename.

    Readers never see half a file, and if `writer` (or the disk) fails, the temp file is removed and
    any existing file at `path` is left as it was. `writer` may stream: nothing is held in memory here.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            writer(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write text (as UTF-8) or bytes atomically (see `write_atomic_stream`)."""
    write_atomic_stream(path, lambda handle: handle.write(data.encode("utf-8") if isinstance(data, str) else data))


def text_writer(write: Callable[[TextIO], None]) -> Callable[[IO[bytes]], None]:
    """Adapt a text renderer (write_csv, write_json, ...) to a binary handle: UTF-8, no newline translation."""

    def run(binary: IO[bytes]) -> None:
        text = io.TextIOWrapper(binary, encoding="utf-8", newline="")  # type: ignore[arg-type]
        try:
            write(text)
            text.flush()
        finally:
            text.detach()  # leave the binary handle open for its owner

    return run
