"""Report → one printable, self-contained HTML page (inline CSS, no scripts, no external files).

`write_html` puts one report on a page; `write_html_document` several under one heading (a customer
statement: activity, open items, aging). For anything printed or mailed as a file: UTF-8, a `lang`
attribute (so browsers pick Chinese fonts right), every cell escaped with `html.escape`, numbers
right-aligned in tabular figures, total rows bold, the header repeated on every printed page.
Rows stream: they are written as they come, and the totals are asked for afterwards.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date
from html import escape
from typing import TextIO

from arctl.domain.report import Report
from arctl.render.files import body_and_totals, display, file_columns, file_row, needs_currency_column

_LABELS = {
    "en": {"as_of": "As of", "empty": "Nothing to show."},
    "zh": {"as_of": "截至", "empty": "无记录。"},
}

_CSS = """
  :root { color-scheme: light; }
  body { font-family: "Helvetica Neue", Arial, "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei",
         "Source Han Sans SC", sans-serif; font-size: 11pt; color: #111; margin: 2em; }
  h1 { font-size: 15pt; margin: 0 0 .2em; }
  h2 { font-size: 12pt; margin: 1.6em 0 .4em; break-after: avoid; page-break-after: avoid; }
  p.heading { margin: 0 0 .2em; }
  p.as-of { margin: 0 0 1em; color: #444; }
  table + h2, ul.notes + h2 { margin-top: 1.6em; }
  table { border-collapse: collapse; width: 100%; }
  th, td { padding: .25em .6em; border-bottom: 1px solid #ddd; vertical-align: top; text-align: left; }
  thead th { border-bottom: 2px solid #333; white-space: nowrap; }
  .num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
  tfoot td { font-weight: bold; border-top: 2px solid #333; border-bottom: none; }
  ul.notes { margin-top: 1em; padding-left: 1.2em; color: #444; }
  @page { size: A4; margin: 15mm; }
  @media print {
    body { margin: 0; font-size: 10pt; }
    thead { display: table-header-group; }
    tfoot { display: table-row-group; }
    tr { break-inside: avoid; page-break-inside: avoid; }
  }
"""


def _labels(lang: str) -> dict[str, str]:
    return _LABELS.get(lang.split("-")[0].lower(), _LABELS["en"])


def write_html(report: Report, handle: TextIO, *, lang: str = "en") -> None:
    """Stream the page into a text handle. `lang`: "en", "zh", "zh-CN"… (labels fall back to English)."""
    _page(handle, report.title, (), [report], lang=lang, as_of=report.as_of, section_titles=False)


def write_html_document(
    heading: Sequence[str],
    reports: Sequence[Report],
    handle: TextIO,
    *,
    lang: str = "en",
    as_of: date | None = None,
) -> None:
    """Several reports on one page (a statement): heading[0] is the page title, the other heading lines
    (address, period) follow it, then each report under its own title."""
    title = heading[0] if heading else (reports[0].title if reports else "")
    _page(handle, title, heading[1:], reports, lang=lang, as_of=as_of, section_titles=True)


def _page(
    handle: TextIO, title: str, lines: Sequence[str], reports: Sequence[Report], *, lang: str,
    as_of: date | None, section_titles: bool,
) -> None:  # fmt: skip
    labels = _labels(lang)
    handle.write(
        f'<!DOCTYPE html>\n<html lang="{escape(lang)}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        f"<h1>{escape(title)}</h1>\n"
    )
    for line in lines:
        handle.write(f'<p class="heading">{escape(line)}</p>\n')
    if as_of and not any(as_of.isoformat() in text for text in (title, *lines)):
        handle.write(
            f'<p class="as-of">{escape(labels["as_of"])} '
            f'<time datetime="{as_of.isoformat()}">{as_of.isoformat()}</time></p>\n'
        )
    for report in reports:
        if section_titles:
            handle.write(f"<h2>{escape(report.title)}</h2>\n")
        _table(report, handle, labels)
    handle.write("</body>\n</html>\n")


def _table(report: Report, handle: TextIO, labels: dict[str, str]) -> None:
    columns = file_columns(report)
    add_currency = needs_currency_column(report)
    numeric = [c.kind not in ("text", "date") for c in columns]

    def cells(row: dict, tag: str) -> str:  # type: ignore[type-arg]
        out = []
        for column, num in zip(columns, numeric, strict=True):
            text = escape(display(row.get(column.key), column.kind))
            out.append(f'<{tag} class="num">{text}</{tag}>' if num else f"<{tag}>{text}</{tag}>")
        return "".join(out)

    head = "".join(
        f'<th scope="col" class="num">{escape(c.title)}</th>' if num else f'<th scope="col">{escape(c.title)}</th>'
        for c, num in zip(columns, numeric, strict=True)
    )
    empty = f'<tr><td colspan="{len(columns)}">{escape(labels["empty"])}</td></tr>\n'
    handle.write(f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n")
    body_rows = 0
    in_totals = False
    for row, is_total in body_and_totals(report):
        row = file_row(report, row, add_currency)
        if is_total and not in_totals:
            handle.write(("" if body_rows else empty) + "</tbody>\n<tfoot>\n")
            in_totals = True
        if not is_total:
            body_rows += 1
        handle.write(f"<tr>{cells(row, 'td')}</tr>\n")
    if in_totals:
        handle.write("</tfoot>\n")
    else:
        handle.write(("" if body_rows else empty) + "</tbody>\n")
    handle.write("</table>\n")
    if report.notes:
        handle.write('<ul class="notes">' + "".join(f"<li>{escape(n)}</li>" for n in report.notes) + "</ul>\n")


def to_html(report: Report, *, lang: str = "en") -> str:
    buffer = io.StringIO()
    write_html(report, buffer, lang=lang)
    return buffer.getvalue()
