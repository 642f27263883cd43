"""Options shared by several commands (Annotated, so each is written once)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer


class Format(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"
    xlsx = "xlsx"
    html = "html"


AsOf = Annotated[
    str | None,
    typer.Option(
        "--as-of", metavar="DATE", help="Report as of this date (YYYY-MM-DD, today, yesterday). Default: today."
    ),
]
OutputFormat = Annotated[
    Format,
    typer.Option(
        "--format",
        "-f",
        help="table (fits 80 columns; --wide for all), csv, json (versioned, decimal strings), "
        "xlsx (needs --output or a pipe) or html (a printable page).",
    ),
]
OutputPath = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        metavar="PATH",
        help="Write to this file atomically; {as_of} and {date} are filled in. Without --format, "
        "the extension (.csv .json .xlsx .html) picks the format.",
    ),
]
Wide = Annotated[bool, typer.Option("--wide", help="Show every column at full precision, however wide.")]
ExcelCsv = Annotated[
    bool,
    typer.Option("--excel-csv", help="CSV for Excel: UTF-8 BOM (Chinese names show right) and CRLF line ends."),
]
On = Annotated[str | None, typer.Option("--on", metavar="DATE", help="Date it takes effect (default: today).")]
Mapping = Annotated[
    list[str] | None,
    typer.Option(
        "--map", metavar="HEADER=FIELD", help='Map a file column to a field: --map "客户编码=code". Repeatable.'
    ),
]
Encoding = Annotated[
    str | None, typer.Option("--encoding", metavar="ENCODING", help="Force the CSV encoding (default: detected).")
]
Sheet = Annotated[
    str | None, typer.Option("--sheet", metavar="SHEET", help="XLSX sheet to read (default: the first).")
]
