"""The output layer without a ledger: csv, json, xlsx, html and the terminal table from hand-made Reports."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import tempfile
import tracemalloc
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arctl.cli._output import TABLE_WIDTH, _render, layout
from arctl.domain.money import EXPONENTS, Money, format_amount
from arctl.domain.report import Column, Report, Row
from arctl.render import files
from arctl.render.files import expand_path, neutralise, to_csv, to_json, write_atomic, write_atomic_stream
from arctl.render.html import to_html
from arctl.render.xlsx import Chart, Sheet, money_float, money_format, write_workbook, write_xlsx

AS_OF = date(2026, 10, 31)
COLUMNS = (
    Column("customer", "Customer"),
    Column("name", "Name", wide_only=True),
    Column("currency", "Cur"),
    Column("current", "Current", "money"),
    Column("late", "Late", "money"),
    Column("days", "Days", "int"),
    Column("due", "Due", "date"),
    Column("share", "Share", "percent"),
    Column("dso", "DSO", "number"),
)


def sample_rows() -> list[Row]:
    return [
        {"customer": "ACME", "name": "=1+2", "currency": "CNY", "current": Money(123456, "CNY"),
         "late": Money(-5, "CNY"), "days": 12, "due": date(2026, 10, 1), "share": Decimal("12.5"),
         "dso": Decimal("45.25")},
        {"customer": "HZJX", "name": "杭州精细机械有限公司", "currency": "JPY", "current": Money(1234567, "JPY"),
         "late": Money(0, "JPY"), "days": 0, "due": None, "share": Decimal("0"), "dso": None},
        {"customer": "KWT", "name": "@SUM(A1)", "currency": "KWD", "current": Money(1234567, "KWD"),
         "late": Money(1, "KWD")},
    ]  # fmt: skip


def sample_totals() -> list[Row]:
    return [{"customer": "Total", "currency": c, "current": Money(1, c), "late": Money(2, c)}
            for c in ("CNY", "JPY", "KWD")]  # fmt: skip


class Streamed:
    """A report whose rows are a one-shot generator and whose totals may only be asked for afterwards."""

    def __init__(self, rows: list[Row], totals: list[Row]) -> None:
        self.rows, self.totals, self.done, self.passes = rows, totals, False, 0

    def generate(self) -> Iterator[Row]:
        self.passes += 1
        yield from self.rows
        self.done = True

    def final(self) -> list[Row]:
        assert self.done, "totals asked for before the rows were consumed"
        return self.totals

    def report(self, columns: tuple[Column, ...] = COLUMNS, **kw: object) -> Report:
        return Report("aging", "Aging as of 2026-10-31", columns, self.generate(), totals=self.final,
                      as_of=AS_OF, **kw)  # type: ignore[arg-type]  # fmt: skip


def sample(**kw: object) -> Report:
    return Streamed(sample_rows(), sample_totals()).report(**kw)


# --- xlsx ----------------------------------------------------------------------------------------


def test_xlsx_cells_are_typed_numbers_dates_and_inert_text(tmp_path: Path) -> None:
    stream = Streamed(sample_rows(), sample_totals())
    path = tmp_path / "aging.xlsx"
    write_xlsx(path, stream.report(notes=["a note"]))
    assert stream.passes == 1
    ws = openpyxl.load_workbook(path, read_only=False).active
    assert ws.title == "aging"
    assert ws["A1"].value == "Aging as of 2026-10-31"  # the title row, with the as-of date
    assert ws["A1"].font.b
    assert [c.value for c in ws[2]] == [c.title for c in COLUMNS]
    assert ws.freeze_panes == "A3"  # the header stays in view
    assert ws.auto_filter.ref == "A2:I5"  # header + body rows, not the totals
    acme = {c.column_letter: c for c in ws[3]}
    assert acme["A"].value == "ACME"
    assert acme["B"].value == "'=1+2" and acme["B"].data_type == "s"  # never a formula
    assert (acme["D"].value, acme["D"].data_type, acme["D"].number_format) == (1234.56, "n", "#,##0.00")
    assert (acme["E"].value, acme["E"].number_format) == (-0.05, "#,##0.00")
    assert (acme["F"].value, acme["F"].data_type) == (12, "n")
    assert acme["G"].value == datetime(2026, 10, 1) and acme["G"].is_date
    assert acme["G"].number_format == "yyyy-mm-dd"
    assert (acme["H"].value, acme["H"].number_format) == (0.125, "0.0%")
    assert (acme["I"].value, acme["I"].number_format) == (45.25, "#,##0.0")
    jpy, kwd = ws[4], ws[5]
    assert (jpy[3].value, jpy[3].number_format) == (1234567, "#,##0")
    assert jpy[1].value == "杭州精细机械有限公司"
    assert (kwd[3].value, kwd[3].number_format) == (1234.567, "#,##0.000")
    assert kwd[1].value == "'@SUM(A1)"
    for r in (6, 7, 8):  # total rows, bold, typed
        assert ws.cell(r, 1).value == "Total" and ws.cell(r, 1).font.b
        assert ws.cell(r, 4).font.b and ws.cell(r, 4).data_type == "n"
    assert [ws.cell(r, 3).value for r in (6, 7, 8)] == ["CNY", "JPY", "KWD"]
    assert ws.cell(10, 1).value == "a note"
    widths = {k: d.width for k, d in ws.column_dimensions.items()}
    assert widths["B"] > widths["A"]  # the Chinese name counts double


def test_xlsx_adds_a_currency_column_and_the_as_of_to_the_title(tmp_path: Path) -> None:
    columns = (Column("invoice", "Invoice"), Column("open", "Open", "money"))
    report = Report("balance", "ACME balance", columns, [{"invoice": "-1", "open": Money(100, "USD")}],
                    totals=[{"invoice": "Balance USD", "open": Money(100, "USD")}], as_of=AS_OF)  # fmt: skip
    path = tmp_path / "b.xlsx"
    write_xlsx(path, report)
    ws = openpyxl.load_workbook(path).active
    assert ws["A1"].value == "ACME balance — as of 2026-10-31"
    assert [c.value for c in ws[2]] == ["Invoice", "Open", "Currency"]
    assert [c.value for c in ws[3]] == ["'-1", 1.0, "USD"]
    assert [c.value for c in ws[4]] == ["Balance USD", 1.0, "USD"]


@settings(max_examples=60, deadline=None)
@given(
    minor=st.integers(min_value=-(10**15) + 1, max_value=10**15 - 1),
    currency=st.sampled_from(["CNY", "JPY", "KWD", "USD"]),
)
def test_xlsx_money_is_the_double_nearest_the_exact_amount(minor: int, currency: str) -> None:
    buffer = io.BytesIO()
    report = Report("r", "R", (Column("amount", "Amount", "money"),), [{"amount": Money(minor, currency)}])
    write_xlsx(buffer, report)
    cell = openpyxl.load_workbook(io.BytesIO(buffer.getvalue())).active["A3"]
    exact = format_amount(minor, currency)
    assert cell.value == float(exact)
    assert cell.number_format == money_format(currency)
    # Up to 15 significant digits, the double reads back as the exact amount.
    assert Decimal(repr(float(cell.value))).quantize(Decimal(exact)) == Decimal(exact)


@given(minor=st.integers(min_value=-(10**24), max_value=10**24), currency=st.sampled_from(sorted(EXPONENTS)))
def test_money_float_is_the_float_of_the_exact_decimal_string(minor: int, currency: str) -> None:
    assert money_float(Money(minor, currency)) == float(format_amount(minor, currency))


def test_money_formats_follow_the_currency_exponent() -> None:
    assert money_format("CNY") == money_format("USD") == "#,##0.00"
    assert money_format("JPY") == "#,##0"
    assert money_format("KWD") == "#,##0.000"
    assert all(money_format(c).count("0") == 1 + EXPONENTS[c] for c in EXPONENTS)


def test_workbook_with_several_sheets_and_a_chart(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    write_workbook(path, [
        Sheet("Summary", sample(), chart=Chart(("current", "late"), title="By bucket")),
        Sheet("Summary", sample()),  # same name: made unique
        Sheet("By customer: [all]/*?", sample()),  # characters Excel refuses, and too long
    ])  # fmt: skip
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Summary", "Summary (2)", "By customer_ _all____"]
    chart = book["Summary"]._charts[0]
    assert chart.grouping == "clustered" and len(chart.series) == 3  # one series per total row


def test_chart_columns_must_exist_and_be_adjacent(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="adjacent"):
        write_workbook(tmp_path / "x.xlsx", [Sheet("S", sample(), chart=Chart(("current", "days")))])
    with pytest.raises(ValueError, match="unknown"):
        write_workbook(tmp_path / "x.xlsx", [Sheet("S", sample(), chart=Chart(("nope",)))])
    assert not (tmp_path / "x.xlsx").exists()


def test_xlsx_of_an_empty_report(tmp_path: Path) -> None:
    path = tmp_path / "e.xlsx"
    write_xlsx(path, Report("aging", "Aging", COLUMNS, iter(()), as_of=AS_OF))
    ws = openpyxl.load_workbook(path).active
    assert ws.auto_filter.ref == "A2:I2"
    assert ws.max_row == 2


def test_a_failing_report_leaves_no_file_and_no_temp_files(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    spool = tmp_path / "spool"
    spool.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spool))
    target = tmp_path / "out" / "aging.xlsx"
    target.parent.mkdir()
    target.write_bytes(b"previous")

    def rows() -> Iterator[Row]:
        yield sample_rows()[0]
        raise RuntimeError("database went away")

    report = Report("aging", "Aging", COLUMNS, rows(), as_of=AS_OF)
    with pytest.raises(RuntimeError):
        write_atomic_stream(target, lambda handle: write_xlsx(handle, report))
    assert target.read_bytes() == b"previous"
    assert list(target.parent.iterdir()) == [target]
    assert list(spool.iterdir()) == []  # xlsxwriter's row files are gone too


def test_libreoffice_opens_the_workbook_and_reads_the_figures(tmp_path: Path) -> None:
    """The workbook opens in LibreOffice headless without repair; its cells, as shown, are the figures."""
    need_soffice()
    path = tmp_path / "book.xlsx"
    write_workbook(path, [Sheet("Summary", sample(), chart=Chart(("current", "late"))), Sheet("Detail", sample())])
    rows = soffice_csv(path, tmp_path)
    assert set(rows) == {"Summary", "Detail"}
    summary = rows["Summary"]
    assert summary[0][0] == "Aging as of 2026-10-31"
    assert summary[1] == [c.title for c in COLUMNS]
    assert summary[2] == ["ACME", "'=1+2", "CNY", "1,234.56", "-0.05", "12", "2026-10-01", "12.5%", "45.3"]
    assert summary[3][:8] == ["HZJX", "杭州精细机械有限公司", "JPY", "1,234,567", "0", "0", "", "0.0%"]
    assert summary[4][:5] == ["KWT", "'@SUM(A1)", "KWD", "1,234.567", "0.001"]
    assert [r[:5] for r in summary[5:8]] == [["Total", "", c, v, w] for c, v, w in
                                             (("CNY", "0.01", "0.02"), ("JPY", "1", "2"), ("KWD", "0.001", "0.002"))]  # fmt: skip


def need_soffice() -> None:
    """Skip without LibreOffice, unless ARCTL_REQUIRE_SOFFICE is set (CI): then its absence fails."""
    if shutil.which("soffice") is None:
        if os.environ.get("ARCTL_REQUIRE_SOFFICE"):
            pytest.fail("ARCTL_REQUIRE_SOFFICE is set but soffice is not installed")
        pytest.skip("LibreOffice (soffice) is not installed")


def soffice_csv(path: Path, tmp_path: Path) -> dict[str, list[list[str]]]:
    """Every sheet of a workbook as LibreOffice shows it: {sheet name: rows} (UTF-8, cells as shown)."""
    out = tmp_path / "soffice-out"
    out.mkdir(exist_ok=True)
    profile = tmp_path / "soffice-profile"  # a private profile: parallel runs do not share a lock
    # Filter options: comma, double quote, UTF-8 (76), from line 1, -, en-US, ..., formatted text as
    # shown (9th = true), no formulas, no space trimming, every sheet to its own file (12th = -1).
    fmt = "csv:Text - txt - csv (StarCalc):44,34,76,1,,1033,false,false,true,false,false,-1"
    result = subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", fmt,
         "--outdir", str(out), str(path)],
        capture_output=True, text=True, timeout=180, env={**os.environ, "HOME": str(tmp_path)},
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    sheets = {}
    for file in out.glob(f"{path.stem}-*.csv"):
        with file.open(encoding="utf-8", newline="") as handle:
            sheets[file.stem.removeprefix(f"{path.stem}-")] = list(csv.reader(handle))
    assert sheets, result.stdout + result.stderr
    return sheets


# --- csv -----------------------------------------------------------------------------------------


def test_csv_streams_exact_decimals_and_neutralises_text() -> None:
    stream = Streamed(sample_rows(), sample_totals())
    text = to_csv(stream.report())
    assert stream.passes == 1
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == [c.key for c in COLUMNS]
    assert rows[1] == ["ACME", "'=1+2", "CNY", "1234.56", "-0.05", "12", "2026-10-01", "12.5", "45.25"]
    assert rows[2][3:5] == ["1234567", "0"]
    assert rows[3][1] == "'@SUM(A1)"
    assert rows[4] == ["Total", "", "CNY", "0.01", "0.02", "", "", "", ""]
    assert "\r\n" not in text and not text.startswith("\ufeff")


def test_excel_csv_has_a_bom_and_crlf() -> None:
    raw = to_csv(sample(), excel=True).encode("utf-8")
    assert raw.startswith(b"\xef\xbb\xbfcustomer,")
    assert raw.count(b"\r\n") == 1 + 3 + 3 and b"\n" not in raw.replace(b"\r\n", b"")


def test_csv_adds_a_currency_column_when_the_report_has_none() -> None:
    columns = (Column("invoice", "Invoice"), Column("open", "Open", "money"))
    report = Report("balance", "B", columns, [{"invoice": "I-1", "open": Money(-100, "JPY")}])
    assert to_csv(report) == "invoice,open,currency\nI-1,-100,JPY\n"


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_every_formula_start_is_neutralised(start: str) -> None:
    assert neutralise(f"{start}cmd|' /C calc'!A0") == f"'{start}cmd|' /C calc'!A0"
    report = Report("r", "R", (Column("t", "T"), Column("n", "N", "int")), [{"t": f"{start}1", "n": -3}])
    assert list(csv.reader(io.StringIO(to_csv(report))))[1] == [f"'{start}1", "-3"]  # numbers untouched


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30))
def test_csv_text_survives_a_round_trip(text: str) -> None:
    report = Report("r", "R", (Column("t", "T"),), [{"t": text}])
    for excel in (False, True):
        got = list(csv.reader(io.StringIO(to_csv(report, excel=excel).removeprefix("\ufeff"), newline="")))
        assert got[1] == [neutralise(text)]


def _html(report: Report, handle: io.TextIOBase) -> None:
    from arctl.render.html import write_html

    write_html(report, handle)  # type: ignore[arg-type]


WRITERS = {
    "csv": lambda report, sink: files.write_csv(report, sink),
    "json": lambda report, sink: files.write_json(report, sink),
    "html": _html,
    "xlsx": lambda report, sink: write_xlsx(sink.buffer, report),
}


@pytest.mark.parametrize("fmt", sorted(WRITERS))
def test_file_formats_stream_in_flat_memory(fmt: str, tmp_path: Path) -> None:
    """Peak Python memory while writing many rows is about that of few rows: nothing is held per row."""

    def peak(n: int) -> int:
        row = sample_rows()[0]
        report = Report("r", "R", COLUMNS, (row for _ in range(n)), totals=lambda: sample_totals(), as_of=AS_OF)
        with (tmp_path / f"out.{fmt}").open("w", encoding="utf-8", newline="") as sink:
            tracemalloc.start()
            WRITERS[fmt](report, sink)
            sink.flush()
            _, top = tracemalloc.get_traced_memory()
            tracemalloc.stop()
        return top

    few, many = (300, 4_000) if fmt == "xlsx" else (600, 12_000)  # xlsx is slow under tracemalloc
    small, big = peak(few), peak(many)
    assert big < small * 1.5 + 100_000, (small, big)


# --- json ----------------------------------------------------------------------------------------


def test_json_envelope_is_versioned_with_decimal_strings() -> None:
    stream = Streamed(sample_rows(), sample_totals())
    doc = json.loads(to_json(stream.report(notes=["n1"])))
    assert list(doc) == ["schema", "report", "title", "as_of", "columns", "rows", "totals", "notes"]
    assert doc["schema"] == "arctl.aging/1" and doc["report"] == "aging"
    assert doc["as_of"] == "2026-10-31"
    assert doc["columns"][3] == {"key": "current", "title": "Current", "kind": "money"}
    assert doc["rows"][0] == {"customer": "ACME", "name": "=1+2", "currency": "CNY", "current": "1234.56",
                              "late": "-0.05", "days": 12, "due": "2026-10-01", "share": "12.5", "dso": "45.25"}  # fmt: skip
    assert doc["rows"][1]["due"] is None
    assert doc["totals"][2] == {"customer": "Total", "currency": "KWD", "current": "0.001", "late": "0.002"}
    assert doc["notes"] == ["n1"]


def test_json_of_an_empty_report_is_valid() -> None:
    doc = json.loads(to_json(Report("aging", "A", COLUMNS, iter(()))))
    assert doc["rows"] == [] and doc["totals"] == [] and doc["as_of"] is None


@given(minor=st.integers(min_value=-(10**20), max_value=10**20), currency=st.sampled_from(sorted(EXPONENTS)))
def test_json_amounts_are_exact_strings(minor: int, currency: str) -> None:
    report = Report("r", "R", (Column("a", "A", "money"),), [{"a": Money(minor, currency)}])
    row = json.loads(to_json(report))["rows"][0]
    assert row == {"a": format_amount(minor, currency), "currency": currency}
    assert isinstance(row["a"], str) and "e" not in row["a"].lower()


# --- html ----------------------------------------------------------------------------------------


def test_html_is_escaped_self_contained_and_printable() -> None:
    rows = [{"customer": "<script>alert(1)</script>", "name": "A&B \"quoted\"", "currency": "CNY",
             "current": Money(123456, "CNY")}]  # fmt: skip
    page = to_html(Report("statement", "Statement <b>", COLUMNS, iter(rows), totals=lambda: sample_totals(),
                          as_of=AS_OF, notes=["<i>note</i>"]), lang="zh-CN")  # fmt: skip
    assert page.startswith("<!DOCTYPE html>")
    assert '<html lang="zh-CN">' in page and '<meta charset="utf-8">' in page
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "A&amp;B &quot;quoted&quot;" in page and "Statement &lt;b&gt;" in page and "&lt;i&gt;note" in page
    assert "截至" in page and '<time datetime="2026-10-31">' in page
    assert '<td class="num">1,234.56</td>' in page  # numbers right-aligned, grouped
    assert "<tfoot>" in page and "tfoot td { font-weight: bold;" in page
    assert "@media print" in page
    assert "http" not in page.replace("http-equiv", "")  # nothing fetched from anywhere


def test_html_of_an_empty_report() -> None:
    page = to_html(Report("aging", "Aging", COLUMNS, []))
    assert "Nothing to show." in page and page.count("<tbody>") == 1 and "<tfoot>" not in page


# --- files ---------------------------------------------------------------------------------------


def test_expand_path_placeholders() -> None:
    path = expand_path("out/aging-{as_of}-{date}.csv", as_of=date(2026, 6, 30), today=AS_OF)
    assert path == Path("out/aging-2026-06-30-2026-10-31.csv")
    assert expand_path("a-{as_of}.csv", as_of=None, today=AS_OF) == Path("a-2026-10-31.csv")


def test_atomic_write_replaces_whole_files_and_leaves_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "r.csv"
    write_atomic(target, "first\n")
    assert target.read_text() == "first\n" and oct(target.stat().st_mode & 0o777) == "0o644"

    def failing(handle) -> None:  # type: ignore[no-untyped-def]
        handle.write(b"half a fi")
        raise OSError("disk full")

    with pytest.raises(OSError):
        write_atomic_stream(target, failing)
    assert target.read_text() == "first\n"
    assert list(target.parent.iterdir()) == [target]


# --- terminal table ------------------------------------------------------------------------------

MANY = tuple(Column(f"b{i}", f"Bucket{i}", "money") for i in range(7))


def wide_report(amount: int = 123_456_789_01) -> Report:
    rows = [{"customer": f"C{i}", "currency": "CNY", **{c.key: Money(amount * (i + 1), "CNY") for c in MANY}}
            for i in range(3)]  # fmt: skip
    return Report("aging", "Aging", (Column("customer", "Customer"), Column("currency", "Cur"), *MANY), rows)


def rendered(report: Report, *, wide: bool = False, budget: int = TABLE_WIDTH) -> str:
    out = io.StringIO()
    _render(report, wide=wide, budget=budget, file=out, tty=False)
    return out.getvalue()


def test_table_fits_80_columns_with_amounts_in_thousands() -> None:
    text = rendered(wide_report())
    assert max(len(line) for line in text.splitlines()) <= 80, text
    assert "amounts in thousands" in text
    assert "123,457" in text  # 123,456,789.01 in thousands, rounded half up
    full = rendered(wide_report(), wide=True)
    assert "123,456,789.01" in full and "thousands" not in full


def test_table_never_cuts_a_number() -> None:
    text = rendered(wide_report(amount=10**17))  # too wide even in thousands
    assert "wider than 80 columns" in text
    assert "3,000,000,000,000" in text  # 3e15 in thousands, whole
    assert "…" not in text


def test_table_hides_empty_amount_columns_first_and_says_so() -> None:
    rows = [{"customer": "A", "currency": "CNY", **{c.key: Money(0, "CNY") for c in MANY},
             "b0": Money(12_345_678_90, "CNY"), "b1": Money(-1, "CNY")}]  # fmt: skip
    report = Report("aging", "Aging", (Column("customer", "Customer"), Column("currency", "Cur"), *MANY), rows)
    text = rendered(report)
    assert "no amounts in: Bucket2, Bucket3" in text
    assert "12,345,678.90" in text and "-0.01" in text and "thousands" not in text


def test_table_plain_off_a_terminal() -> None:
    text = rendered(sample())
    assert "\x1b[" not in text
    assert all(line == line.rstrip() for line in text.splitlines())
    assert "Name" not in text  # wide_only
    assert "Name" in rendered(sample(), wide=True)


def test_table_layout_counts_chinese_as_double_width() -> None:
    rows = [{"customer": "杭州精细机械有限公司杭州精细机械有限公司", "currency": "CNY", "b0": Money(1, "CNY")}]
    report = Report("r", "R", (Column("customer", "Customer"), Column("currency", "Cur"), MANY[0]), rows)
    plan = layout(report, wide=False, budget=TABLE_WIDTH)
    assert plan.widths[0] == 40
    text = rendered(report, budget=30)
    assert max(files.text_width(line) for line in text.splitlines()[1:]) <= 30, text


def test_cut_text_keeps_the_head_of_words_and_the_tail_of_codes() -> None:
    from arctl.cli._output import _cut

    assert _cut("INV-2026-0027", 10) == "…2026-0027"
    assert _cut("Payment bank transfer", 10) == "Payment b…"
    assert _cut("发票 MES系统实施项目", 8) == "发票 ME…"
    assert files.text_width(_cut("杭州精细机械有限公司", 9)) <= 9


# --- documents (several reports under one heading: a statement) --------------------------------------

HEADING = ["Statement of account — ACME Acme <Trading>", "1 Main St", "Period: 2026-10-01 – 2026-10-31"]


def document_reports() -> list[Report]:
    small = Report("statement-open-items", "Open items as of 2026-10-31", (Column("invoice", "Invoice"),
                   Column("open", "Open", "money")), [{"invoice": "=INV-1", "open": Money(5000, "USD")}],
                   as_of=AS_OF)  # fmt: skip
    return [Streamed(sample_rows(), sample_totals()).report(), small]


@pytest.mark.parametrize("fmt", ["table", "csv", "json", "html", "xlsx"])
def test_document_in_every_format(fmt: str, tmp_path: Path) -> None:
    from arctl.cli._options import Format
    from arctl.cli._output import emit_document

    path = tmp_path / f"statement-{{as_of}}.{'txt' if fmt == 'table' else fmt}"
    emit_document("statement", HEADING, document_reports(), Format(fmt), path, as_of=AS_OF, quiet=True)
    written = tmp_path / path.name.replace("{as_of}", "2026-10-31")
    if fmt == "xlsx":
        book = openpyxl.load_workbook(written)
        assert book.sheetnames == ["Aging", "Open items"]  # the section titles before their dates
        ws = book["Open items"]
        assert [ws.cell(r, 1).value for r in (1, 2, 3, 4)] == [*HEADING, "Open items as of 2026-10-31"]
        assert ws["A1"].font.b and ws.freeze_panes == "A6" and ws.auto_filter.ref == "A5:C6"
        assert [c.value for c in ws[6]] == ["'=INV-1", 50.0, "USD"]
        return
    text = written.read_text(encoding="utf-8")
    if fmt == "json":
        doc = json.loads(text)
        assert doc["schema"] == "arctl.statement/1" and doc["heading"] == HEADING and doc["as_of"] == "2026-10-31"
        assert [s["schema"] for s in doc["sections"]] == ["arctl.aging/1", "arctl.statement-open-items/1"]
        assert doc["sections"][1]["rows"] == [{"invoice": "=INV-1", "open": "50.00", "currency": "USD"}]
    elif fmt == "csv":
        lines = text.splitlines()
        assert lines[:3] == [HEADING[0], HEADING[1], HEADING[2]]
        assert lines[3:6] == ["", "Aging as of 2026-10-31", ",".join(c.key for c in COLUMNS)]
        assert lines[-4:] == ["", "Open items as of 2026-10-31", "invoice,open,currency", "'=INV-1,50.00,USD"]
    elif fmt == "html":
        assert "Acme &lt;Trading&gt;" in text and text.count("<h2>") == 2 and text.count("<table>") == 2
        assert '<p class="heading">1 Main St</p>' in text
    else:
        assert text.startswith(HEADING[0] + "\n1 Main St\n")
        assert "Open items as of 2026-10-31" in text
        assert max(len(line) for line in text.splitlines()) <= 80
