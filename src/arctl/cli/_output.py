"""The one output layer of the CLI: a Report to a terminal table, csv, json, xlsx or html, on stdout or a file."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from io import StringIO
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import typer

from arctl.cli._options import Format

if TYPE_CHECKING:  # kept off the start-up path: `arctl --help` loads typer and nothing else
    from arctl.domain.report import Cell, Column, Report

TABLE_WIDTH = 80
"""Width of a table off a terminal (pipes, files, --format table --output) unless --wide."""
TEXT_FLOOR = 8
"""A text column may be cut (with …) down to this width, or its title's, whichever is wider."""
_SEPARATOR = 2
_UNLIMITED = 10**6
_SUFFIXES = {".csv": Format.csv, ".json": Format.json, ".xlsx": Format.xlsx, ".html": Format.html,
             ".htm": Format.html}  # fmt: skip


def cell_text(value: Cell, kind: str = "text") -> str:
    from arctl.render.files import display

    return display(value, kind)


def _thousands(value: Cell) -> str:
    """Money in thousands of its currency, rounded half up: 1,234,567.89 → "1,235"; zero stays "-"."""
    from arctl.domain.money import Money

    if not isinstance(value, Money) or value.minor == 0:
        return cell_text(value, "money")
    from arctl.domain.money import EXPONENTS

    unit = 1000 * 10 ** EXPONENTS[value.currency]  # integers, half up: no Decimal per cell
    q, r = divmod(abs(value.minor), unit)
    q += 2 * r >= unit
    return ("-" if value.minor < 0 else "") + f"{q:,}"


def _width(text: str) -> int:
    """Terminal cells of a text: rich's cell_len, without rich for printable ASCII (one cell a character)."""
    if text.isascii() and text.isprintable():
        return len(text)
    from rich.cells import cell_len

    return cell_len(text)


def _cut(text: str, width: int) -> str:
    """Fit text into `width` cells with an ellipsis: words keep their head, a code (no space) its tail."""
    from rich.cells import cell_len

    keep_head = " " in text.strip()
    chars = list(text if keep_head else reversed(text))
    out: list[str] = []
    used = 1  # the ellipsis
    for ch in chars:
        if used + cell_len(ch) > width:
            break
        out.append(ch)
        used += cell_len(ch)
    return "".join(out).rstrip() + "…" if keep_head else "…" + "".join(reversed(out))


def _is_empty(value: Cell) -> bool:
    from arctl.domain.money import Money

    return value is None or value == "" or (isinstance(value, Money) and value.minor == 0)


@dataclass
class _Measure:
    """One column measured once. Text, date and count cells are formatted here (their texts are kept);
    money only at its extremes: in a currency, the widest text of a column is that of its largest or of
    its most negative amount (in full digits and in thousands alike), so its cells are formatted once,
    when the layout is decided, in the chosen unit."""

    texts: list[str] | None
    """Cell texts, rows then totals (None for money: formatted by `_money_texts`)."""
    full: int
    """Widest cell, money in full digits."""
    thousands: int
    """Widest cell, money in thousands."""
    empty: bool
    """No cell carries anything (None, "" or zero): an amount column hidden first when too wide."""


def _measure(values: list[Cell], kind: str) -> _Measure:
    if kind != "money":
        from arctl.render.files import display

        texts = [display(v, kind) for v in values]
        widest = max(map(_width, texts), default=0)
        empty = kind in ("number", "percent") and all(map(_is_empty, values))
        return _Measure(texts, widest, widest, empty)
    from arctl.domain.money import EXPONENTS, Money

    money = [v for v in values if type(v) is Money]
    full = thousands = 0
    empty = True
    if len(money) < len(values):  # None, "" or anything else a money column may hold: one by one
        for v in values:
            if type(v) is not Money:
                full = max(full, _width(cell_text(v, "money")))
                thousands = max(thousands, _width(_thousands(v)))
                empty = empty and _is_empty(v)
    # A text's width depends on the currency's places only: one group when they all have the same.
    currencies = {v.currency for v in money}
    groups: dict[str, list[int]] = {}
    if len({EXPONENTS.get(c, c) for c in currencies}) == 1:
        groups[min(currencies)] = [v.minor for v in money]
    else:
        for v in money:
            groups.setdefault(v.currency, []).append(v.minor)
    for currency, minors in groups.items():
        low, high = min(minors), max(minors)
        for extreme in {low, high}:
            value = Money(extreme, currency)
            full = max(full, len(cell_text(value, "money")))
            thousands = max(thousands, len(_thousands(value)))
        empty = empty and low == high == 0
    return _Measure(None, full, thousands, empty)


def _money_texts(values: list[Cell], in_thousands: bool) -> list[str]:
    """Each money cell formatted once: `cell_text(v, "money")`, or `_thousands(v)` in thousands."""
    from arctl.domain.money import EXPONENTS, Money, format_amount

    if not in_thousands:
        return [
            ("-" if not v.minor else format_amount(v.minor, v.currency, grouping=True))
            if type(v) is Money
            else cell_text(v, "money")
            for v in values
        ]
    units = {c: 1000 * 10 ** EXPONENTS[c] for c in {v.currency for v in values if type(v) is Money}}
    out: list[str] = []
    for v in values:
        if type(v) is not Money:
            out.append(_thousands(v))
        elif not (minor := v.minor):
            out.append("-")
        else:  # |minor| / unit rounded half up (a unit is even): (|minor| + unit / 2) // unit
            unit = units[v.currency]
            out.append(f"{(minor + unit // 2) // unit:,}" if minor > 0 else f"-{(unit // 2 - minor) // unit:,}")
    return out


@dataclass
class _Layout:
    columns: list[Column]
    widths: list[int]
    cells: list[list[str]]
    """Column by column: each shown column's cell texts, the body rows' then the total rows'."""
    rows: int
    """Body rows (each column's first `rows` texts); the others are total rows."""
    size: int
    """Body and total rows."""
    notes: list[str]

    @property
    def width(self) -> int:
        return sum(self.widths) + _SEPARATOR * max(len(self.widths) - 1, 0)

    def _row_major(self, start: int, stop: int) -> list[list[str]]:
        if not self.cells:
            return [[] for _ in range(start, stop)]
        return [list(r) for r in zip(*(c[start:stop] for c in self.cells), strict=True)]

    @property
    def body(self) -> list[list[str]]:
        """The body rows' cell texts, row by row."""
        return self._row_major(0, self.rows)

    @property
    def totals(self) -> list[list[str]]:
        """The total rows' cell texts, row by row."""
        return self._row_major(self.rows, self.size)


def layout(report: Report, *, wide: bool, budget: int) -> _Layout:
    """Choose columns, widths and cell texts so the table fits `budget` columns (see `emit`).

    Every column is measured once (money from its extremes) and every cell formatted once, in the unit
    finally chosen (full digits or thousands)."""
    rows = list(report.rows)  # a table must measure every cell: the one renderer that holds the rows
    cells = rows + report.final_totals()
    columns = [c for c in report.columns if wide or not c.wide_only]
    values: dict[Column, list[Cell]] = {}
    measured: dict[Column, _Measure] = {}

    def measure(column: Column) -> _Measure:
        if column not in measured:
            values[column] = [r.get(column.key) for r in cells]
            measured[column] = _measure(values[column], column.kind)
        return measured[column]

    def widths_of(cols: list[Column], in_thousands: bool) -> list[int]:
        return [max(_width(c.title), measure(c).thousands if in_thousands and c.kind == "money" else measure(c).full)
                for c in cols]  # fmt: skip

    def total(widths: list[int]) -> int:
        return sum(widths) + _SEPARATOR * max(len(widths) - 1, 0)

    def shrink(cols: list[Column], widths: list[int]) -> list[int]:
        # 2. Text columns give up width down to max(title, TEXT_FLOOR): prose (cells with spaces) before
        #    codes, widest first; prose keeps its head (发票 ME…), a code its distinguishing tail (…26-0027).
        widths = list(widths)
        excess = total(widths) - budget
        texts = [i for i, c in enumerate(cols) if c.kind == "text"]
        prose = {i for i in texts if any(" " in t.strip() for t in measure(cols[i]).texts or () if " " in t)}
        for i in sorted(texts, key=lambda i: (i not in prose, -widths[i])):
            if excess <= 0:
                break
            floor = min(widths[i], max(_width(cols[i].title), TEXT_FLOOR))
            give = min(excess, widths[i] - floor)
            widths[i] -= give
            excess -= give
        return widths

    notes: list[str] = []
    in_thousands = False
    widths = widths_of(columns, False)
    if not wide and total(widths) > budget:
        # 1. Amount columns empty in every row and total carry nothing: hide them (named in a note).
        empty = [c for c in columns if c.kind in ("money", "number", "percent") and measure(c).empty]
        if empty:
            columns = [c for c in columns if c not in empty]
            notes.append("no amounts in: " + ", ".join(c.title for c in empty))
            widths = widths_of(columns, False)
        widths = shrink(columns, widths)
        if total(widths) > budget and any(c.kind == "money" for c in columns):
            # 3. Money in thousands, rounded half up (a note says so; --wide shows full amounts).
            in_thousands = True
            widths = shrink(columns, widths_of(columns, True))
            notes.append("amounts in thousands (--wide for full amounts)")
        # 4. Still too wide: printed as wide as it needs to be. Numbers are never cut.
        if total(widths) > budget:
            notes.append(f"wider than {budget} columns: --wide shows all columns, --format csv all digits")
    texts: list[list[str]] = []
    for c, width in zip(columns, widths, strict=True):
        m = measure(c)
        if m.texts is None:
            texts.append(_money_texts(values[c], in_thousands))
        elif c.kind == "text" and width < m.full:
            texts.append([_cut(t, width) if _width(t) > width else t for t in m.texts])
        else:
            texts.append(m.texts)
    return _Layout(columns, widths, texts, len(rows), len(cells), notes)


def _render(report: Report, *, wide: bool, budget: int, file: Any, tty: bool, heading: Sequence[str] = ()) -> None:
    _render_all([report], wide=wide, budget=budget, file=file, tty=tty, heading=heading)


def _fit(text: str, width: int, numeric: bool) -> str:
    size = _width(text)
    if size <= width or numeric:
        return " " * (width - size) + text if numeric else text + " " * (width - size)
    from rich.cells import cell_len

    out, used = [], 0
    for ch in text:  # cut with an ellipsis, as rich's overflow="ellipsis"
        w = cell_len(ch)
        if used + w > width - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + "…" + " " * (width - 1 - used)


def _padded(texts: list[str], width: int, numeric: bool) -> list[str]:
    """`_fit` of a whole column; printable ASCII that fits (the usual case) is padded by str methods."""
    joined = "".join(texts)
    if joined.isascii() and joined.isprintable() and (numeric or max(map(len, texts), default=0) <= width):
        return [t.rjust(width) for t in texts] if numeric else [t.ljust(width) for t in texts]
    return [_fit(t, width, numeric) for t in texts]


def _plain_all(
    reports: Sequence[Report], *, wide: bool, budget: int, file: Any, heading: Sequence[str] = ()
) -> None:
    """Off a terminal: the same bytes rich would print (SIMPLE_HEAD, no edge, one space of padding), laid out
    here because rich spends about a millisecond per row (10 s for 10,000 customers)."""
    lines = list(heading)
    for i, report in enumerate(reports):
        if heading or i:
            lines.append("")
        plan = layout(report, wide=wide, budget=budget)
        lines.append(report.title)
        if not plan.size:
            lines.append("nothing to show.")
        else:
            numeric = [c.kind not in ("text", "date") for c in plan.columns]
            spec = list(zip(plan.widths, numeric, strict=True))
            lines.append(
                "  ".join(_fit(c.title, w, n) for c, (w, n) in zip(plan.columns, spec, strict=True)).rstrip()
            )
            lines.append("─" * plan.width)
            padded = [_padded(texts, w, n) for texts, (w, n) in zip(plan.cells, spec, strict=True)]
            table = (
                ["  ".join(cells).rstrip() for cells in zip(*padded, strict=True)] if padded else [""] * plan.size
            )
            lines.extend(table[: plan.rows])
            if plan.size > plan.rows:
                if plan.rows:
                    lines.append("")
                lines.extend(table[plan.rows :])
        lines.extend([*report.notes, *plan.notes])
    file.write("\n".join(lines) + "\n")


def _render_all(
    reports: Sequence[Report], *, wide: bool, budget: int, file: Any, tty: bool, heading: Sequence[str] = ()
) -> None:
    """Heading lines, then each report (title, table, notes), a blank line between them."""
    if not tty:  # plain text, laid out here: same bytes, far faster than rich on big reports
        _plain_all(reports, wide=wide, budget=budget, file=file, heading=heading)
        return
    from rich import box
    from rich.console import Console
    from rich.table import Table

    # Off a terminal: plain text, no colour, no trailing spaces (stable bytes for files and diffs).
    target = file if tty else StringIO()
    for line in heading:
        target.write(line + "\n")
    for i, report in enumerate(reports):
        if heading or i:
            target.write("\n")
        plan = layout(report, wide=wide, budget=budget)
        width = plan.width if budget >= _UNLIMITED else max(budget, plan.width)
        console = Console(file=target, width=max(width, 20), highlight=False, no_color=not tty, emoji=False,
                          markup=False)  # fmt: skip
        console.print(report.title, soft_wrap=True)  # titles and notes are never wrapped or cut
        if not plan.body and not plan.totals:
            console.print("nothing to show.", soft_wrap=True)
        else:
            table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, padding=(0, 1, 0, 0))
            for column, col_width in zip(plan.columns, plan.widths, strict=True):
                numeric = column.kind not in ("text", "date")
                table.add_column(column.title, justify="right" if numeric else "left", width=col_width,
                                 no_wrap=True, overflow="fold" if numeric else "ellipsis")  # fmt: skip
            for cells in plan.body:
                table.add_row(*cells)
            if plan.totals:
                if plan.body:
                    table.add_section()
                for cells in plan.totals:
                    table.add_row(*cells, style="bold")
            console.print(table)
        for note in [*report.notes, *plan.notes]:
            console.print(note, soft_wrap=True)
    if not tty:
        file.write("\n".join(line.rstrip() for line in target.getvalue().splitlines()) + "\n")


@dataclass(frozen=True)
class _Document:
    """What is being output: one report, or several under heading lines (a statement)."""

    name: str
    reports: Sequence[Report]
    heading: Sequence[str] | None = None
    """None: a single report, rendered as itself. A sequence: a document (see emit_document)."""
    as_of: date | None = None
    sheet_names: Sequence[str] | None = None


def _renderer(
    doc: _Document, fmt: Format, *, wide: bool, excel_csv: bool, lang: str
) -> Callable[[IO[bytes]], None]:
    """A function writing the output in `fmt` into a binary handle, streaming rows where it can."""
    from arctl.render import files

    single = doc.reports[0] if doc.heading is None else None
    heading = list(doc.heading or ())
    if fmt == Format.xlsx:
        from arctl.render.xlsx import Sheet, write_workbook, write_xlsx

        if single is not None:
            return lambda handle: write_xlsx(handle, single)
        names = doc.sheet_names or [_sheet_name(r) for r in doc.reports]
        sheets = [Sheet(n, r, heading=tuple(heading)) for n, r in zip(names, doc.reports, strict=True)]
        return lambda handle: write_workbook(handle, sheets)
    if fmt == Format.csv:
        if single is not None:
            return files.text_writer(lambda text: files.write_csv(single, text, excel=excel_csv))
        return files.text_writer(
            lambda text: files.write_csv_document(heading, doc.reports, text, excel=excel_csv)
        )
    if fmt == Format.json:
        if single is not None:
            return files.text_writer(lambda text: files.write_json(single, text))
        return files.text_writer(
            lambda text: files.write_json_document(doc.name, heading, doc.reports, text, as_of=doc.as_of)
        )
    if fmt == Format.html:
        from arctl.render.html import write_html, write_html_document

        if single is not None:
            return files.text_writer(lambda text: write_html(single, text, lang=lang))
        return files.text_writer(
            lambda text: write_html_document(heading, doc.reports, text, lang=lang, as_of=doc.as_of)
        )
    budget = _UNLIMITED if wide else TABLE_WIDTH
    return files.text_writer(
        lambda text: _render_all(doc.reports, wide=wide, budget=budget, file=text, tty=False, heading=heading)
    )


def _sheet_name(report: Report) -> str:
    """A sheet tab from a section title: the words before its first date ("Activity 2026-10-01 – …" →
    "Activity"; "账龄 截至 2026-10-31" → "账龄"), else the report's machine name."""
    import re

    words = re.split(r"\s*\d", report.title, maxsplit=1)[0].split()
    while words and words[-1].lower() in ("as", "of", "at", "截至", "截止", "—", "-", "–"):
        words.pop()
    return " ".join(words) or report.name


def _to_stdout(doc: _Document, fmt: Format, write: Callable[[IO[bytes]], None]) -> None:
    from arctl.domain.errors import InvalidInput

    binary = getattr(sys.stdout, "buffer", None)
    if fmt == Format.xlsx:
        if _stdout_is_terminal():
            raise InvalidInput(
                "--format xlsx needs --output FILE.xlsx (a workbook is not for the terminal)",
                hint=f"arctl ... --format xlsx --output {doc.name}-{{as_of}}.xlsx, or redirect: > file.xlsx",
            )
        if binary is None:  # pragma: no cover - every real stdout has a binary buffer
            raise InvalidInput("--format xlsx needs --output FILE.xlsx")
        import shutil
        import tempfile

        # A zip is written with seeks: build it in a temp file (constant memory), then copy it out.
        with tempfile.TemporaryFile() as spool:
            write(spool)
            spool.seek(0)
            sys.stdout.flush()
            shutil.copyfileobj(spool, binary)
            binary.flush()
        return
    sys.stdout.flush()
    if binary is None:  # pragma: no cover - a text-only stdout (some embedding hosts): render, then write
        import io

        buffer = io.BytesIO()
        write(buffer)
        sys.stdout.write(buffer.getvalue().decode("utf-8"))
        return
    write(binary)  # UTF-8 whatever the locale, and --excel-csv's CRLF untouched
    binary.flush()


def emit(
    report: Report,
    fmt: Format = Format.table,
    output: Path | None = None,
    *,
    wide: bool = False,
    excel_csv: bool = False,
    quiet: bool = False,
    lang: str = "en",
) -> None:
    """Render a report to stdout, or atomically to --output (its path is then printed on stderr unless --quiet).

    Formats: table (for people), csv and json (for programs: exact decimal strings, streamed row by row),
    xlsx (typed cells, frozen header, autofilter; streamed, constant memory), html (a printable page;
    `lang` sets its language). Files carry every column (wide_only is a table matter) at full precision.
    With --output and the default table format, the format follows the file's extension (.csv .json
    .xlsx .html); --excel-csv alone means csv. `{as_of}` and `{date}` in the path are filled in; `-`
    means stdout. Files are written to a temp name beside the target and renamed, so a reader (or a
    failed run) never sees half a file. xlsx goes to a file or a pipe, never to a terminal (refused,
    exit 1).

    Table width rule. On a terminal the table fits the terminal's width, elsewhere (pipes, files)
    80 columns; --wide shows every column at full precision, however wide. To fit, in order:
      0. columns marked wide_only are hidden;
      1. money/number/percent columns that are empty or zero in every row and total are hidden
         (a note names them);
      2. text columns are cut with … down to their title's width or 8 characters: prose (cells
         with spaces) before codes, the widest first; prose keeps its head, a code its tail
         (INV-2026-0027 → …2026-0027), which is what tells two codes apart;
      3. money is shown in thousands of its currency, rounded half up (note: "amounts in thousands");
      4. if still too wide, the table is printed as wide as it needs (with a note): numbers are
         never cut, wrapped or rounded further.
    Off a terminal there is no colour and no trailing space. The table is the one format that holds
    all rows in memory (it measures them); the file formats stream.
    """
    _emit(_Document(report.name, [report], None, report.as_of), fmt, output, wide=wide, excel_csv=excel_csv,
          quiet=quiet, lang=lang)  # fmt: skip


def emit_document(
    name: str,
    heading: Sequence[str],
    reports: Sequence[Report],
    fmt: Format = Format.table,
    output: Path | None = None,
    *,
    as_of: date | None = None,
    wide: bool = False,
    excel_csv: bool = False,
    quiet: bool = False,
    lang: str = "en",
    sheet_names: Sequence[str] | None = None,
) -> None:
    """Several reports as one document (a customer statement): `heading` lines (title, address,
    period), then each report as a section. Same options and rules as `emit`; per format:

    table: the heading lines, then each report's table under its title · csv: the heading lines, then
    per report a blank line, its title and its own csv block · json: {"schema": "arctl.<name>/1",
    "report", "title" (heading[0]), "heading": [...], "as_of", "sections": [report envelopes]} ·
    xlsx: one sheet per report (tabs from `sheet_names`, else the section title's words before its
    first date), each with the heading lines above it · html: one page, heading, then a <h2> per report.
    """
    doc = _Document(name, list(reports), list(heading), as_of, sheet_names)
    _emit(doc, fmt, output, wide=wide, excel_csv=excel_csv, quiet=quiet, lang=lang)


def _emit(
    doc: _Document, fmt: Format, output: Path | None, *, wide: bool, excel_csv: bool, quiet: bool, lang: str
) -> None:
    if output is not None and str(output) == "-":
        output = None
    if output is not None and fmt == Format.table:
        fmt = _SUFFIXES.get(Path(str(output)).suffix.lower(), Format.csv if excel_csv else Format.table)
    elif fmt == Format.table and excel_csv:
        fmt = Format.csv
    if fmt == Format.table and output is None:
        tty = _stdout_is_terminal()
        budget = _UNLIMITED if wide else _terminal_width() if tty else TABLE_WIDTH
        _render_all(doc.reports, wide=wide, budget=budget, file=sys.stdout, tty=tty, heading=doc.heading or ())
        return
    write = _renderer(doc, fmt, wide=wide, excel_csv=excel_csv, lang=lang)
    if output is None:
        _to_stdout(doc, fmt, write)
        return
    from arctl.domain.dates import today
    from arctl.domain.errors import ArctlError
    from arctl.render.files import expand_path, write_atomic_stream

    path = expand_path(str(output), as_of=doc.as_of, today=today())
    try:
        write_atomic_stream(path, write)
    except OSError as exc:
        raise ArctlError(f"cannot write {path}: {exc.strerror or exc}") from exc
    if not quiet:
        typer.echo(f"wrote {path}", err=True)


def _stdout_is_terminal() -> bool:
    isatty = getattr(sys.stdout, "isatty", None)
    return bool(isatty and isatty())


def _terminal_width() -> int:
    import shutil

    return shutil.get_terminal_size((TABLE_WIDTH, 24)).columns


def say(message: str) -> None:
    typer.echo(message)


def warn(message: str) -> None:
    typer.echo(f"warning: {message}", err=True)
