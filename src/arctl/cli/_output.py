"""The one output layer of the CLI: a Report to a terminal table, csv or json, on stdout or a file."""

from __future__ import annotations

import sys
from io import StringIO
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from arctl.cli._options import Format

if TYPE_CHECKING:  # kept off the start-up path: `arctl --help` loads typer and nothing else
    from arctl.domain.report import Cell, Report


def cell_text(value: Cell, kind: str = "text") -> str:
    from arctl.domain.money import Money, format_amount

    if value is None:
        return ""
    if isinstance(value, Money):
        return "-" if value.minor == 0 else format_amount(value.minor, value.currency, grouping=True)
    if kind == "percent":
        return f"{value:.1f}%"
    if kind == "number":
        return f"{value:,.1f}"
    return str(value)


def _table(report: Report, wide: bool) -> Any:
    from rich import box
    from rich.table import Table

    columns = [c for c in report.columns if wide or not c.wide_only]
    table = Table(title=report.title, box=box.SIMPLE_HEAD, title_justify="left", pad_edge=False)
    body = [[cell_text(row.get(c.key), c.kind) for c in columns] for row in report.rows]
    totals = [[cell_text(row.get(c.key), c.kind) for c in columns] for row in report.final_totals()]
    for i, column in enumerate(columns):
        numeric = column.kind in ("money", "int")
        # Numbers are never cut or wrapped: a clipped amount is a wrong amount.
        widest = max((len(r[i]) for r in body + totals), default=0)
        table.add_column(
            column.title,
            justify="right" if numeric else "left",
            no_wrap=numeric,
            min_width=max(widest, len(column.title)) if numeric else None,
        )
    for cells in body:
        table.add_row(*cells)
    if totals:
        table.add_section()
        for cells in totals:
            table.add_row(*cells, style="bold")
    return table


def _print(report: Report, wide: bool, file: Any, width: int | None) -> None:
    from rich.console import Console

    tty = file.isatty() if hasattr(file, "isatty") else False
    # Off a terminal, render plain text and drop rich's trailing padding: stable bytes for files and diffs.
    target = file if tty else StringIO()
    console = Console(file=target, width=width, highlight=False, no_color=not tty, soft_wrap=False)
    table = _table(report, wide)
    if not table.row_count:
        console.print(f"{report.title}: nothing to show.")
    else:
        console.print(table)
    for note in report.notes:
        console.print(note)
    if not tty:
        file.write("\n".join(line.rstrip() for line in target.getvalue().splitlines()) + "\n")


def emit(
    report: Report,
    fmt: Format = Format.table,
    output: Path | None = None,
    *,
    wide: bool = False,
    excel_csv: bool = False,
    quiet: bool = False,
) -> None:
    """Render a report to stdout, or atomically to --output (its path is then printed on stderr)."""
    if fmt == Format.table and output is None:
        # On a terminal, its width; piped or redirected, wide enough never to cut a number.
        _print(report, wide, sys.stdout, None if sys.stdout.isatty() and not wide else 250)
        return
    from arctl.domain.dates import today
    from arctl.render.files import expand_path, to_csv, to_json, write_atomic

    if fmt == Format.table:
        buffer = StringIO()
        _print(report, wide, buffer, 250 if wide else 80)
        text = buffer.getvalue()
    elif fmt == Format.csv:
        text = to_csv(report, excel=excel_csv)
    else:
        text = to_json(report)
    if output is None:
        sys.stdout.write(text)
        return
    path = expand_path(str(output), as_of=report.as_of, today=today())
    write_atomic(path, text)
    if not quiet:
        typer.echo(f"wrote {path}", err=True)


def say(message: str) -> None:
    typer.echo(message)


def warn(message: str) -> None:
    typer.echo(f"warning: {message}", err=True)
