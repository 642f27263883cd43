"""The one output layer end to end, through `arctl aging` and `arctl balance`: every format, files with
{as_of} written atomically, xlsx refused on a terminal, tables that fit 80 columns."""

from __future__ import annotations

import csv
import functools
import io
import json
import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
import typer.main
import typer.testing
from typer.testing import CliRunner

from arctl.cli.main import app

# Invoices (net30) landing in every default bucket as of 2026-10-31, with amounts too long for 80 columns.
BOOK = [
    ("INV-CUR", "12345678.90", "2026-10-15"),  # due 11-14: current
    ("INV-1", "23456789.01", "2026-09-15"),  # 16 days late
    ("INV-31", "3456789.12", "2026-08-20"),  # 42
    ("INV-61", "4567891.23", "2026-08-01"),  # 61
    ("INV-91", "5678912.34", "2026-05-01"),  # 153
    ("INV-181", "6789123.45", "2025-12-01"),  # 304
    ("INV-366", "7891234.56", "2025-01-01"),  # > 365
]


def need_soffice() -> None:
    """Skip without LibreOffice, unless ARCTL_REQUIRE_SOFFICE is set (CI): then its absence fails."""
    if shutil.which("soffice") is None:
        if os.environ.get("ARCTL_REQUIRE_SOFFICE"):
            pytest.fail("ARCTL_REQUIRE_SOFFICE is set but soffice is not installed")
        pytest.skip("LibreOffice (soffice) is not installed")


_SAVED: dict[str, Path] = {}
_COMMAND = functools.cache(typer.main.get_command)


@pytest.fixture(autouse=True)
def _fast_cli(monkeypatch):  # type: ignore[no-untyped-def]
    """typer rebuilds the whole command tree on every invoke; build it once per run."""
    monkeypatch.setattr(typer.testing, "_get_command", _COMMAND)


def _copy_db(src: Path, dst: Path) -> None:
    with closing(sqlite3.connect(src)) as source, closing(sqlite3.connect(dst)) as target:
        source.backup(target)


@pytest.fixture
def book(ok, ledger_env: Path, tmp_path_factory) -> str:  # type: ignore[no-untyped-def]
    """ACME (CNY) with an invoice in every aging bucket, HZJX (USD) with a Chinese name; built once."""
    if "book" in _SAVED:
        _copy_db(_SAVED["book"], ledger_env)
        return "ACME"
    ok("customer", "add", "ACME", "Acme Trading Co.", "--terms", "net30")
    for number, amount, issued in BOOK:
        ok("invoice", "add", "ACME", number, amount, "--date", issued)
    ok("customer", "add", "HZJX", "杭州精细机械有限公司 <script>", "--currency", "USD")
    ok("invoice", "add", "HZJX", "=HYPERLINK(1)", "1000.01", "--date", "2026-10-01")
    _SAVED["book"] = tmp_path_factory.mktemp("book") / "ledger.db"
    _copy_db(ledger_env, _SAVED["book"])
    return "ACME"


def aging_json(ok) -> dict:  # type: ignore[no-untyped-def,type-arg]
    return json.loads(ok("aging", "--format", "json"))


def test_aging_xlsx_to_a_file_named_by_as_of(cli, ok, book: str, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    result = cli("aging", "--format", "xlsx", "--output", "x-{as_of}.xlsx")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert result.stderr.strip() == "wrote x-2026-10-31.xlsx"
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".xlsx") == ["x-2026-10-31.xlsx"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".x-")]  # no temp file left

    doc = aging_json(ok)
    ws = openpyxl.load_workbook(tmp_path / "x-2026-10-31.xlsx").active
    assert ws["A1"].value == "Aging as of 2026-10-31"
    assert [c.value for c in ws[2]] == [c["title"] for c in doc["columns"]]
    assert ws.freeze_panes == "A3"
    assert ws.auto_filter.ref is not None and ws.auto_filter.ref.startswith("A2:")
    keys = [c["key"] for c in doc["columns"]]
    rows = [
        [c.value for c in r] for r in ws.iter_rows(min_row=3, max_row=2 + len(doc["rows"]) + len(doc["totals"]))
    ]
    for want, got in zip(doc["rows"] + doc["totals"], rows, strict=True):
        for key, value in zip(keys, got, strict=True):
            kind = next(c["kind"] for c in doc["columns"] if c["key"] == key)
            if kind == "money" and key in want:
                assert isinstance(value, int | float) and value == float(want[key]), (key, value, want[key])
    hzjx = next(r for r in rows if r[0] == "HZJX")
    assert hzjx[2] == "USD"
    cny = ws.cell(3, keys.index("d1_30") + 1)
    assert cny.number_format == "#,##0.00" and cny.value == 23456789.01


def test_quiet_suppresses_the_wrote_line(cli, book: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("--quiet", "aging", "--format", "csv", "--output", str(tmp_path / "a.csv"))
    assert result.exit_code == 0 and result.stderr == "" and result.stdout == ""
    assert (tmp_path / "a.csv").read_text(encoding="utf-8").startswith("customer,name,currency,")


def test_xlsx_is_refused_on_a_terminal(cli, book: str, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr("arctl.cli._output._stdout_is_terminal", lambda: True)
    result = cli("aging", "--format", "xlsx")
    assert result.exit_code == 1
    assert "error: --format xlsx needs --output FILE.xlsx" in result.stderr
    assert result.stdout == ""
    assert "Traceback" not in result.stderr


def test_xlsx_to_a_pipe_is_a_workbook(book: str) -> None:
    result = CliRunner().invoke(app, ["aging", "--format", "xlsx"], catch_exceptions=False)
    assert result.exit_code == 0
    assert result.stdout_bytes.startswith(b"PK\x03\x04")
    ws = openpyxl.load_workbook(io.BytesIO(result.stdout_bytes)).active
    assert ws["A1"].value == "Aging as of 2026-10-31"


def test_format_follows_the_output_extension(cli, book: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    for name in ("a.json", "a.csv", "a.html", "a.xlsx"):
        assert cli("aging", "-o", str(tmp_path / name)).exit_code == 0
    assert json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))["schema"] == "arctl.aging/1"
    assert (tmp_path / "a.csv").read_text(encoding="utf-8").startswith("customer,")
    assert (tmp_path / "a.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert (tmp_path / "a.xlsx").read_bytes().startswith(b"PK")
    # An explicit --format wins over the extension.
    assert cli("aging", "--format", "csv", "-o", str(tmp_path / "b.json")).exit_code == 0
    assert (tmp_path / "b.json").read_text(encoding="utf-8").startswith("customer,")


def test_excel_csv_file_and_stdout(cli, book: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert cli("aging", "--excel-csv", "-o", str(tmp_path / "a.csv")).exit_code == 0
    raw = (tmp_path / "a.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfcustomer,") and raw.endswith(b"\r\n")
    assert b"\n" not in raw.replace(b"\r\n", b"")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    hzjx = next(r for r in rows if r[0] == "HZJX")
    assert hzjx[1] == "杭州精细机械有限公司 <script>"
    piped = CliRunner().invoke(app, ["aging", "--format", "csv", "--excel-csv"], catch_exceptions=False)
    assert piped.stdout_bytes == raw


def test_csv_neutralises_text_and_keeps_decimal_strings(ok, book: str) -> None:  # type: ignore[no-untyped-def]
    rows = list(csv.DictReader(io.StringIO(ok("balance", "HZJX", "--format", "csv"))))
    assert rows[0]["invoice"] == "'=HYPERLINK(1)"
    assert rows[0]["open"] == "1000.01" and rows[0]["currency"] == "USD"
    aging = list(csv.DictReader(io.StringIO(ok("aging", "--format", "csv"))))
    acme = next(r for r in aging if r["customer"] == "ACME")
    assert acme["d1_30"] == "23456789.01" and acme["total"] == "64186418.61"


def test_balance_html_is_escaped(ok, book: str) -> None:  # type: ignore[no-untyped-def]
    page = ok("balance", "HZJX", "--format", "html")
    assert '<html lang="en">' in page and "&lt;script&gt;" in page and "<script>" not in page
    assert '<td class="num">1,000.01</td>' in page


def test_json_envelope_through_the_cli(ok, book: str) -> None:  # type: ignore[no-untyped-def]
    doc = aging_json(ok)
    assert doc["schema"] == "arctl.aging/1" and doc["as_of"] == "2026-10-31"
    assert {r["currency"]: r["total"] for r in doc["totals"]} == {"CNY": "64186418.61", "USD": "1000.01"}
    balance = json.loads(ok("balance", "ACME", "--format", "json", "--output", "-"))
    assert balance["schema"] == "arctl.balance/1"


def test_table_fits_80_columns_and_wide_shows_everything(ok, book: str) -> None:  # type: ignore[no-untyped-def]
    table = ok("aging")
    lines = table.splitlines()
    assert max(len(line) for line in lines) <= 80, table
    assert all(line == line.rstrip() for line in lines)
    assert "\x1b[" not in table
    assert "amounts in thousands" in table
    assert "23,457" in table  # 23,456,789.01 in thousands
    wide = ok("aging", "--wide")
    assert "23,456,789.01" in wide and "杭州精细机械有限公司" in wide and "thousands" not in wide


def test_table_to_a_file_fits_80_columns(ok, book: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ok("aging", "--format", "table", "-o", str(tmp_path / "aging.txt"))
    text = (tmp_path / "aging.txt").read_text(encoding="utf-8")
    assert max(len(line) for line in text.splitlines()) <= 80, text


def test_unwritable_output_is_a_clean_error(cli, book: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "file").write_text("x")
    result = cli("aging", "--format", "csv", "--output", str(tmp_path / "file" / "a.csv"))
    assert result.exit_code == 1
    assert result.stderr.startswith("error: cannot write ") and "Traceback" not in result.stderr


def test_libreoffice_reads_the_aging_workbook(cli, ok, book: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The workbook opens in LibreOffice headless and shows the same figures as the csv."""
    need_soffice()
    assert cli("aging", "--output", str(tmp_path / "aging.xlsx")).exit_code == 0
    out = tmp_path / "converted"
    fmt = "csv:Text - txt - csv (StarCalc):44,34,76,1,,1033,false,false,true,false,false"
    result = subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless", "--convert-to", fmt,
         "--outdir", str(out), str(tmp_path / "aging.xlsx")],
        capture_output=True, text=True, timeout=180, env={**os.environ, "HOME": str(tmp_path)},
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    shown = list(csv.reader((out / "aging.csv").open(encoding="utf-8", newline="")))
    assert shown[0][0] == "Aging as of 2026-10-31"
    expected = list(csv.reader(io.StringIO(ok("aging", "--format", "csv"))))
    money = {c["key"] for c in aging_json(ok)["columns"] if c["kind"] == "money"}
    keys = expected[0]
    assert len(shown) == 2 + len(expected) - 1
    for want, got in zip(expected[1:], shown[2:], strict=True):
        for key, w, g in zip(keys, want, got, strict=True):
            if key in money:
                assert Decimal(g.replace(",", "")) == Decimal(w), (key, g, w)
            else:
                assert g == w, (key, g, w)
