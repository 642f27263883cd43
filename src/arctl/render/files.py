"""Report → csv / json text, and writing files atomically (temp name, then rename)."""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

from arctl.domain.money import Money, format_amount
from arctl.domain.report import Cell, Report, Row

JSON_SCHEMA_VERSION = 1
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _needs_currency_column(report: Report) -> bool:
    return not any(c.key == "currency" for c in report.columns) and any(c.kind == "money" for c in report.columns)


def _row_currency(report: Report, row: dict[str, Cell]) -> str:
    for column in report.columns:
        value = row.get(column.key)
        if isinstance(value, Money):
            return value.currency
    return ""


def plain(value: Cell) -> str | int | None:
    """A cell as stable file text: money as a decimal string, dates ISO, never floats."""
    if isinstance(value, Money):
        return format_amount(value.minor, value.currency)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return value


def neutralise(text: str) -> str:
    """Stop spreadsheet formula injection: a text cell starting with = + - @ TAB CR gets a leading quote.
    Numbers written by us (money, counts) are not text cells and are left alone."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def _rows_then_totals(report: Report) -> Iterator[Row]:
    yield from report.rows
    yield from report.final_totals()


def to_csv(report: Report, *, excel: bool = False) -> str:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n" if excel else "\n")
    add_currency = _needs_currency_column(report)
    keys = [c.key for c in report.columns]
    writer.writerow(keys + (["currency"] if add_currency else []))
    for row in _rows_then_totals(report):
        cells = []
        for column in report.columns:
            value = plain(row.get(column.key))
            if isinstance(value, str) and column.kind == "text":
                value = neutralise(value)
            cells.append("" if value is None else value)
        if add_currency:
            cells.append(_row_currency(report, row))
        writer.writerow(cells)
    return ("\ufeff" if excel else "") + buffer.getvalue()


def to_json(report: Report) -> str:
    add_currency = _needs_currency_column(report)

    def convert(row: dict[str, Cell]) -> dict[str, object]:
        out: dict[str, object] = {c.key: plain(row.get(c.key)) for c in report.columns if c.key in row}
        if add_currency:
            out["currency"] = _row_currency(report, row)
        return out

    document = {
        "schema": f"arctl.{report.name}/{JSON_SCHEMA_VERSION}",
        "report": report.name,
        "title": report.title,
        "as_of": report.as_of.isoformat() if report.as_of else None,
        "columns": [{"key": c.key, "title": c.title, "kind": c.kind} for c in report.columns],
        "rows": [convert(r) for r in report.rows],
        "totals": [convert(r) for r in report.final_totals()],
        "notes": report.notes,
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def expand_path(template: str, *, as_of: date | None, today: date) -> Path:
    """`aging-{as_of}.csv` → `aging-2026-10-31.csv`; `{date}` is today's date (for cron)."""
    return Path(template.replace("{as_of}", (as_of or today).isoformat()).replace("{date}", today.isoformat()))


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write to a temp file in the same folder, fsync, then rename: readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data.encode("utf-8") if isinstance(data, str) else data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
