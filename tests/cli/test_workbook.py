"""arctl report workbook: six typed sheets (Summary with a chart, By customer, Detail, Top 20 overdue,
Roll rates, KPIs) whose figures agree with `arctl aging`, and that LibreOffice opens without repair."""

from __future__ import annotations

import csv
import functools
import json
import os
import re
import shutil
import subprocess
import zipfile
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import typer.main
import typer.testing
from typer.testing import CliRunner

from arctl.cli.main import app

TODAY = "2026-10-31"
SHEETS = ["Summary", "By customer", "Detail", "Top 20 overdue", "Roll rates", "KPIs"]
OVERDUE = ["d1_30", "d31_60", "d61_90", "d91_180", "d181_365", "d366_plus"]
OVER_90 = ["d91_180", "d181_365", "d366_plus"]
FORMATS = {"CNY": "#,##0.00", "USD": "#,##0.00", "JPY": "#,##0"}
AGING_MONEY = {"Current", "1-30", "31-60", "61-90", "91-180", "181-365", ">365", "Pending", "Unapplied", "Total"}
MONEY_TITLES = {  # the money columns of each sheet, by header title
    "Summary": AGING_MONEY,
    "By customer": AGING_MONEY,
    "Detail": {"Amount", "Open"},
    "Top 20 overdue": {"Overdue", "Over 90 days", "Total open"},
    "Roll rates": set(),
    "KPIs": {"AR at start", "Credit sales", "AR", "Current AR", "AR 90+"},
}
NUMBER_LIKE = re.compile(r"-?[\d,]+(\.\d+)?%?")

_COMMAND = functools.cache(typer.main.get_command)


@pytest.fixture(autouse=True)
def _fast_cli(monkeypatch):  # type: ignore[no-untyped-def]
    """typer rebuilds the whole command tree on every invoke; build it once per run."""
    monkeypatch.setattr(typer.testing, "_get_command", _COMMAND)


def need_soffice() -> None:
    """Skip without LibreOffice, unless ARCTL_REQUIRE_SOFFICE is set (CI): then its absence fails."""
    if shutil.which("soffice") is None:
        if os.environ.get("ARCTL_REQUIRE_SOFFICE"):
            pytest.fail("ARCTL_REQUIRE_SOFFICE is set but soffice is not installed")
        pytest.skip("LibreOffice (soffice) is not installed")


# --- ledgers, built once per module ----------------------------------------------------------------


@dataclass
class Book:
    db: Path
    path: Path
    stdout: str
    aging: dict[str, Any]
    detail: dict[str, Any]
    wb: Any  # openpyxl Workbook


def _run(env: dict[str, str], *args: str) -> str:
    result = CliRunner().invoke(app, list(args), env=env, catch_exceptions=False)
    assert result.exit_code == 0, f"arctl {' '.join(args)}\n{result.stdout}\n{result.stderr}"
    return result.stdout + result.stderr  # the "wrote FILE" line goes to stderr, like every report's


def _book(env: dict[str, str], db: Path, path: Path, as_of: str) -> Book:
    """Write the workbook (through an {as_of} output template) and the aging it must agree with."""
    template = path.with_name(path.name.replace(as_of, "{as_of}"))
    out = _run(env, "--db", str(db), "report", "workbook", "--as-of", as_of, "--output", str(template))
    aging = json.loads(_run(env, "--db", str(db), "aging", "--as-of", as_of, "--format", "json"))
    detail = json.loads(_run(env, "--db", str(db), "aging", "--as-of", as_of, "--detail", "--format", "json"))
    return Book(db, path, out, aging, detail, openpyxl.load_workbook(path))


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Book:
    """The bundled demo ledger (CNY and USD, milestones, unapplied cash) and its workbook as of today."""
    root = tmp_path_factory.mktemp("demo")
    env = {"ARCTL_TODAY": TODAY, "ARCTL_DB": str(root / "unused.db"), "XDG_DATA_HOME": str(root)}
    _run(env, "demo", "--db", str(root / "demo.db"))
    return _book(env, root / "demo.db", root / f"ar-{TODAY}.xlsx", TODAY)


CUSTOMERS = [
    ("N01", "=SUM(A1)", "CNY"),
    ("J01", "日本精工株式会社", "JPY"),
    ("U01", "Union Parts Inc.", "USD"),
] + [(f"C{n:02d}", f"Customer {n}", "CNY") for n in range(1, 23)]
INVOICES = (
    [(f"I-C{n:02d}", f"C{n:02d}", "2026-08-01", f"{n}000.25", "CNY") for n in range(1, 23)]  # 61 days late
    + [
        ("I-C01B", "C01", "2026-10-15", "500.00", "CNY"),  # current
        ("I-N01", "N01", "2026-10-20", "70.00", "CNY"),  # current
        ("I-J01", "J01", "2026-05-01", "123456", "JPY"),  # 153 days late
        ("I-U01", "U01", "2026-09-15", "500.50", "USD"),  # 16 days late
    ]
)


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """22 CNY customers owing n × 1000 + 0.25 overdue, a JPY and a USD customer (with unapplied cash),
    and a name that looks like a formula; its ledger and its workbooks as of 2026-10-31 and 2026-09-30."""
    root = tmp_path_factory.mktemp("small")
    db = root / "ledger.db"
    env = {"ARCTL_TODAY": TODAY, "ARCTL_DB": str(db), "XDG_DATA_HOME": str(root)}
    with (root / "customers.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["code", "name", "terms", "currency", "language"])
        writer.writerows([(code, name, "net30", cur, "en") for code, name, cur in CUSTOMERS])
    with (root / "invoices.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["number", "customer", "issue_date", "amount", "currency", "terms"])
        writer.writerows([(*row, "net30") for row in INVOICES])
    _run(env, "customer", "import", str(root / "customers.csv"))
    _run(env, "invoice", "import", str(root / "invoices.csv"))
    _run(env, "payment", "add", "U01", "100.00", "--currency", "USD", "--date", "2026-10-20", "--apply", "none")
    _run(env, "payment", "add", "C05", "1000.00", "--date", "2026-10-10", "--to", "I-C05=1000")
    return {
        "db": db,
        "env": env,
        "now": _book(env, db, root / f"now-{TODAY}.xlsx", TODAY),
        "past": _book(env, db, root / "past-2026-09-30.xlsx", "2026-09-30"),
    }


# --- reading sheets ----------------------------------------------------------------------------------


def header(ws: Any) -> list[str]:
    return [c.value for c in ws[2] if c.value is not None]


def body(ws: Any) -> list[dict[str, Any]]:
    """Rows 3… up to the first blank row, as {header title: cell}."""
    titles = header(ws)
    rows = []
    for cells in ws.iter_rows(min_row=3, max_col=len(titles)):
        if all(c.value is None for c in cells):
            break
        rows.append(dict(zip(titles, cells, strict=True)))
    return rows


def dec(value: float | int | None) -> Decimal:
    """A money cell back to its exact amount (2 places are enough for CNY/USD; JPY is whole)."""
    return Decimal(repr(value or 0)).quantize(Decimal("0.01"))


def amounts(row: dict[str, Any], keys: list[str]) -> dict[str, Decimal]:
    return {k: Decimal(row[k]).quantize(Decimal("0.01")) for k in keys if k in row}


def money_keys(doc: dict[str, Any]) -> dict[str, str]:
    """Aging json: {column title: key} of the money columns."""
    return {c["title"]: c["key"] for c in doc["columns"] if c["kind"] == "money"}


# --- layout ----------------------------------------------------------------------------------------


def test_six_sheets_and_the_wrote_line(demo: Book) -> None:
    assert demo.wb.sheetnames == SHEETS
    assert demo.stdout == f"wrote {demo.path} ({', '.join(SHEETS)})\n"


@pytest.mark.parametrize("sheet", SHEETS)
def test_title_frozen_header_autofilter_and_widths(demo: Book, sheet: str) -> None:
    ws = demo.wb[sheet]
    assert TODAY in ws["A1"].value and ws["A1"].font.b
    assert ws.freeze_panes == "A3"
    titles = header(ws)
    assert titles and all(ws.cell(2, i).font.b for i in range(1, len(titles) + 1))
    last_col = openpyxl.utils.get_column_letter(len(titles))
    rows = body(ws)
    last_body = 2 + sum(1 for r in rows if not r[titles[0]].font.b)  # the bold total rows stay outside
    assert ws.auto_filter.ref == f"A2:{last_col}{last_body}"
    for i in range(1, len(titles) + 1):
        width = ws.column_dimensions[openpyxl.utils.get_column_letter(i)].width
        assert 8 <= width <= 60, (sheet, i, width)


@pytest.mark.parametrize("sheet", SHEETS)
def test_money_cells_are_numbers_with_currency_formats(demo: Book, small: dict[str, Any], sheet: str) -> None:
    for book in (demo, small["now"]):
        ws = book.wb[sheet]
        rows = body(ws)
        assert rows or sheet == "Top 20 overdue", sheet
        money = MONEY_TITLES[sheet]
        assert money <= set(header(ws))
        for row in rows:
            currency = row["Cur"].value
            assert currency in FORMATS, row
            for title, cell in row.items():
                if title in money and cell.value is not None:
                    assert isinstance(cell.value, int | float), (sheet, title, cell.value)
                    assert cell.number_format == FORMATS[currency], (sheet, title, cell.number_format)
                elif isinstance(cell.value, str):
                    assert not NUMBER_LIKE.fullmatch(cell.value), (sheet, title, cell.value)  # no numbers as text


def test_summary_has_a_bar_chart_per_currency(demo: Book) -> None:
    assert len(demo.wb["Summary"]._charts) == 1
    assert all(not demo.wb[name]._charts for name in SHEETS[1:])
    with zipfile.ZipFile(demo.path) as archive:
        names = archive.namelist()
        assert [n for n in names if n.startswith("xl/charts/chart")] == ["xl/charts/chart1.xml"]
        chart = archive.read("xl/charts/chart1.xml").decode("utf-8")
    assert "<c:barChart>" in chart
    assert chart.count("<c:ser>") == len(demo.aging["totals"]) == 2  # CNY and USD side by side
    assert "Summary!$B$2:$I$2" in chart  # categories: Current … Pending


# --- figures ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["demo", "now", "past"])
def test_summary_totals_equal_aging_totals(demo: Book, small: dict[str, Any], which: str) -> None:
    book = demo if which == "demo" else small[which]
    ws = book.wb["Summary"]
    keys = money_keys(book.aging)
    assert header(ws) == [c["title"] for c in book.aging["columns"] if c["key"] not in ("customer", "name")]
    rows = body(ws)
    assert [r["Cur"].value for r in rows] == [t["currency"] for t in book.aging["totals"]]
    for row, total in zip(rows, book.aging["totals"], strict=True):
        assert {keys[t]: dec(row[t].value) for t in keys} == amounts(total, list(keys.values()))
        assert all(row[t].font.b for t in keys)
    assert book.aging["as_of"] in ws["A1"].value


@pytest.mark.parametrize("which", ["demo", "now", "past"])
def test_by_customer_equals_the_aging_summary(demo: Book, small: dict[str, Any], which: str) -> None:
    book = demo if which == "demo" else small[which]
    ws = book.wb["By customer"]
    assert header(ws) == [c["title"] for c in book.aging["columns"]]
    keys = money_keys(book.aging)
    rows = body(ws)
    want = book.aging["rows"] + book.aging["totals"]
    assert len(rows) == len(want)
    for row, expected in zip(rows, want, strict=True):
        assert row["Customer"].value == expected["customer"] and row["Cur"].value == expected["currency"]
        assert {keys[t]: dec(row[t].value) for t in keys} == amounts(expected, list(keys.values()))


@pytest.mark.parametrize("which", ["demo", "now", "past"])
def test_detail_open_sums_to_the_aging_totals(demo: Book, small: dict[str, Any], which: str) -> None:
    book = demo if which == "demo" else small[which]
    rows = body(book.wb["Detail"])
    items = [r for r in rows if r["Customer"].value != "Total"]
    assert len(items) == len(book.detail["rows"])
    sums: dict[str, Decimal] = defaultdict(Decimal)
    for row in items:
        sums[row["Cur"].value] += dec(row["Open"].value)
    assert dict(sums) == {t["currency"]: Decimal(t["total"]) for t in book.aging["totals"]}
    totals = [r for r in rows if r["Customer"].value == "Total"]
    assert {r["Cur"].value: dec(r["Open"].value) for r in totals} == dict(sums)
    for row, want in zip(items, book.detail["rows"], strict=True):
        assert (row["Customer"].value, dec(row["Open"].value)) == (want["customer"], Decimal(want["open"]))


@pytest.mark.parametrize("which", ["demo", "now", "past"])
def test_top_20_sorted_by_overdue_per_currency(demo: Book, small: dict[str, Any], which: str) -> None:
    book = demo if which == "demo" else small[which]
    rows = body(book.wb["Top 20 overdue"])
    by_customer = {(r["customer"], r["currency"]): r for r in book.aging["rows"]}
    expected: dict[str, list[tuple[Decimal, str]]] = defaultdict(list)
    for (code, currency), r in by_customer.items():
        overdue = sum((Decimal(r[k]) for k in OVERDUE), Decimal(0))
        if overdue > 0:
            expected[currency].append((overdue, code))
    seen: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        seen[row["Cur"].value].append(row)
    assert list(seen) == sorted(seen)  # currencies in order, never mixed
    assert set(seen) == set(expected)
    for currency, ranked in seen.items():
        assert [r["#"].value for r in ranked] == list(range(1, len(ranked) + 1))
        overdue = [dec(r["Overdue"].value) for r in ranked]
        assert overdue == sorted(overdue, reverse=True)
        want = sorted(expected[currency], key=lambda e: (-e[0], e[1]))[:20]
        assert [(dec(r["Overdue"].value), r["Customer"].value) for r in ranked] == want
        for r in ranked:
            aging = by_customer[(r["Customer"].value, currency)]
            assert dec(r["Over 90 days"].value) == sum((Decimal(aging[k]) for k in OVER_90), Decimal(0))
            assert dec(r["Total open"].value) == Decimal(aging["total"]) - Decimal(aging["unapplied"])


def test_top_20_keeps_the_twenty_largest(small: dict[str, Any]) -> None:
    rows = body(small["now"].wb["Top 20 overdue"])
    cny = [r["Customer"].value for r in rows if r["Cur"].value == "CNY"]
    # C05 paid 1000.00 of its 5000.25 (4000.25 left, level with C04): the code breaks the tie
    assert cny[:3] == ["C22", "C21", "C20"] and len(cny) == 20
    assert cny[-3:] == ["C04", "C05", "C03"]
    assert "C01" not in cny and "C02" not in cny
    assert [r["Customer"].value for r in rows if r["Cur"].value != "CNY"] == ["J01", "U01"]
    jpy = next(r for r in rows if r["Cur"].value == "JPY")
    assert jpy["Overdue"].value == 123456 and jpy["Overdue"].number_format == "#,##0"
    assert jpy["Oldest (days late)"].value == 153


def test_neutralised_names_and_jpy_in_by_customer(small: dict[str, Any]) -> None:
    rows = {r["Customer"].value: r for r in body(small["now"].wb["By customer"]) if r["Customer"].value != "Total"}
    assert rows["N01"]["Name"].value == "'=SUM(A1)" and rows["N01"]["Name"].data_type == "s"
    assert rows["J01"]["91-180"].value == 123456 and rows["J01"]["91-180"].number_format == "#,##0"
    assert rows["U01"]["Unapplied"].value == -100 and rows["U01"]["Total"].value == 400.5


def test_roll_rates_cover_the_last_six_month_ends(demo: Book) -> None:
    ws = demo.wb["Roll rates"]
    rows = body(ws)
    ends = sorted({r["Month end"].value for r in rows})
    assert [d.date() for d in ends] == [date(2026, m, d) for m, d in ((5, 31), (6, 30), (7, 31), (8, 31),
                                                                        (9, 30), (10, 31))]  # fmt: skip
    assert all(isinstance(r["Month end"].value, datetime) for r in rows)
    for row in rows:
        for title in header(ws)[2:]:
            cell = row[title]
            if cell.value is not None:
                assert isinstance(cell.value, int | float) and 0 <= cell.value <= 1, (title, cell.value)
                assert cell.number_format == "0.0%"


@pytest.mark.parametrize("which", ["demo", "now"])
def test_kpis_agree_with_the_aging(demo: Book, small: dict[str, Any], which: str) -> None:
    book = demo if which == "demo" else small["now"]
    ws = book.wb["KPIs"]
    assert {"DSO", "Countback", "Best DSO", "ADD", "CEI", "At risk"} <= set(header(ws))
    rows = {r["Cur"].value: r for r in body(ws)}
    totals = {t["currency"]: t for t in book.aging["totals"]}
    assert set(rows) == set(totals)
    for currency, row in rows.items():
        total = totals[currency]
        ar = Decimal(total["total"]) - Decimal(total["unapplied"])  # open items, gross of unapplied cash
        at_90 = sum((Decimal(total[k]) for k in OVER_90), Decimal(0))
        assert dec(row["AR"].value) == ar and dec(row["AR 90+"].value) == at_90
        assert row["To"].value.date() == date(2026, 10, 31)
        if ar:
            assert abs(Decimal(repr(row["At risk"].value)) - at_90 / ar) <= Decimal("0.0005")
        assert row["At risk"].number_format == "0.0%" and row["CEI"].number_format == "0.0%"
        for title in ("DSO", "Countback", "Best DSO", "ADD"):  # days, one decimal; blank when not defined
            assert row[title].value is None or row[title].number_format == "#,##0.0", (currency, title)


# --- LibreOffice -----------------------------------------------------------------------------------


def test_libreoffice_opens_the_workbook_and_shows_the_aging_totals(demo: Book, tmp_path: Path) -> None:
    need_soffice()
    out = tmp_path / "converted"
    profile = tmp_path / "soffice-profile"
    fmt = "csv:Text - txt - csv (StarCalc):44,34,76,1,,1033,false,false,true,false,false,-1"
    result = subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", fmt,
         "--outdir", str(out), str(demo.path)],
        capture_output=True, text=True, timeout=180, env={**os.environ, "HOME": str(tmp_path)},
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "error" not in result.stdout.lower(), result.stdout
    sheets = {}
    for name in SHEETS:
        with (out / f"{demo.path.stem}-{name}.csv").open(encoding="utf-8", newline="") as handle:
            sheets[name] = list(csv.reader(handle))
    for name, rows in sheets.items():
        assert TODAY in rows[0][0], name
        assert [c for c in rows[1] if c] == header(demo.wb[name]), name
    summary = sheets["Summary"]
    keys = [money_keys(demo.aging).get(title) for title in summary[1]]
    shown = [r for r in summary[2:] if r and r[0] in {t["currency"] for t in demo.aging["totals"]}]
    assert len(shown) == len(demo.aging["totals"]) == 2
    for row, total in zip(shown, demo.aging["totals"], strict=True):
        assert row[0] == total["currency"]
        for key, text in zip(keys, row, strict=True):
            if key:
                assert Decimal(text.replace(",", "")) == Decimal(total[key]), (key, text, total[key])
    by_customer = sheets["By customer"]
    titles = by_customer[1]
    for row, want in zip(by_customer[2:], demo.aging["rows"], strict=False):
        for title, text in zip(titles, row, strict=True):
            key = money_keys(demo.aging).get(title)
            if key:
                assert Decimal(text.replace(",", "")) == Decimal(want[key]), (title, text, want[key])


# --- the command -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["out.csv", "out", "out.xls", "out.xlsx.txt"])
def test_output_must_be_xlsx(cli, small: dict[str, Any], tmp_path: Path, name: str) -> None:  # type: ignore[no-untyped-def]
    result = cli("--db", str(small["db"]), "report", "workbook", "--output", str(tmp_path / name))
    assert result.exit_code == 1
    assert result.stderr.startswith("error: --output:") and ".xlsx" in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert list(tmp_path.iterdir()) == []


def test_output_is_required(cli, small: dict[str, Any]) -> None:  # type: ignore[no-untyped-def]
    result = cli("--db", str(small["db"]), "report", "workbook")
    assert result.exit_code == 2 and "--output" in result.stderr


def test_placeholders_and_a_missing_directory(cli, small: dict[str, Any], tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "new" / "dir" / "ar-{as_of}-run-{date}.XLSX"
    result = cli("--db", str(small["db"]), "report", "workbook", "--as-of", "2026-09-30", "-o", str(target))
    assert result.exit_code == 0, result.stderr
    written = tmp_path / "new" / "dir" / "ar-2026-09-30-run-2026-10-31.XLSX"
    assert result.stderr.startswith(f"wrote {written} (Summary, ")
    assert openpyxl.load_workbook(written).sheetnames == SHEETS
    assert [p.name for p in written.parent.iterdir()] == [written.name]  # no temp file left behind
    assert small["past"].path.name == "past-2026-09-30.xlsx" and small["past"].path.exists()
    assert "2026-09-30" in small["past"].wb["Summary"]["A1"].value


def test_quiet_prints_nothing(cli, small: dict[str, Any], tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "q.xlsx"
    result = cli("--db", str(small["db"]), "-q", "report", "workbook", "--output", str(path))
    assert result.exit_code == 0 and result.stdout == "" and result.stderr == ""
    assert path.exists()


def test_the_same_ledger_and_date_give_the_same_figures(cli, small: dict[str, Any], tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A later run for the same past date: every cell value equal (the file's zip timestamps may differ)."""
    path = tmp_path / "again.xlsx"
    result = cli("--db", str(small["db"]), "report", "workbook", "--as-of", "2026-09-30", "-o", str(path))
    assert result.exit_code == 0, result.stderr
    again = openpyxl.load_workbook(path)
    for name in SHEETS:
        first = [[c.value for c in r] for r in small["past"].wb[name].iter_rows()]
        assert [[c.value for c in r] for r in again[name].iter_rows()] == first, name


def test_an_unwritable_output_is_a_clean_error(cli, small: dict[str, Any], tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "file").write_text("x")
    result = cli("--db", str(small["db"]), "report", "workbook", "--output", str(tmp_path / "file" / "a.xlsx"))
    assert result.exit_code == 1
    assert result.stderr.startswith("error: cannot write ") and "Traceback" not in result.stderr
