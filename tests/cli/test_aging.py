"""arctl aging: buckets, bases, filters, detail, exactness as of any date, and running beside a writer."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest


@pytest.fixture
def book(ok):  # type: ignore[no-untyped-def]
    """Two customers, two currencies, a milestone plan, a partial payment and an over-payment.

    As of 2026-10-31:
      ACME  INV-1  1000.00 CNY due 2026-08-31 (61 days late), 400 paid on 09-10 -> 600 open in 61-90
            INV-2   500.00 CNY due 2026-11-14 (current)
            INV-3   300.00 CNY plan: 30% on signing (due 10-01, 30 late) + 70% acceptance+30d (pending)
      BETA  INV-B   200.00 USD due 2026-05-03 (181 days late)
            over-payment: 250 USD received 2026-10-20 -> 200 applied to INV-B... see test
    """
    ok("customer", "add", "ACME", "Acme Trading Co.", "--terms", "net30", "--tag", "key-account")
    ok("customer", "add", "BETA", "Beta Ltd.", "--terms", "net30", "--currency", "USD")
    ok("invoice", "add", "ACME", "INV-1", "1000.00", "--date", "2026-08-01")
    ok("invoice", "add", "ACME", "INV-2", "500.00", "--date", "2026-10-15")
    ok("invoice", "add", "ACME", "INV-3", "300.00", "--date", "2026-10-01",
       "--terms", "30% on signing, 70% acceptance+30d")  # fmt: skip
    ok("invoice", "add", "BETA", "INV-B", "200.00", "--date", "2026-04-03")
    ok("payment", "add", "ACME", "400.00", "--date", "2026-09-10")
    ok("payment", "add", "BETA", "50.00", "--date", "2026-10-20", "--apply", "none")
    return "ACME"


def aging_json(ok, *args: str) -> dict:  # type: ignore[no-untyped-def]
    return json.loads(ok("aging", "--format", "json", *args))


def by_customer(doc: dict) -> dict[tuple[str, str], dict]:
    return {(r["customer"], r["currency"]): r for r in doc["rows"]}


def test_summary_buckets_pending_unapplied_and_totals_per_currency(ok, book):
    doc = aging_json(ok)
    acme = by_customer(doc)[("ACME", "CNY")]
    assert acme["current"] == "500.00"
    assert acme["d1_30"] == "90.00"  # INV-3 deposit, due on issue 10-01
    assert acme["d61_90"] == "600.00"
    assert acme["pending"] == "210.00"  # 70 % waiting for acceptance
    assert acme["total"] == "1400.00"
    beta = by_customer(doc)[("BETA", "USD")]
    assert beta["d181_365"] == "200.00"
    assert beta["unapplied"] == "-50.00"
    assert beta["total"] == "150.00"
    totals = {t["currency"]: t for t in doc["totals"]}
    assert set(totals) == {"CNY", "USD"}  # never mixed
    assert totals["CNY"]["total"] == "1400.00"
    assert totals["USD"]["total"] == "150.00"


def test_detail_adds_up_to_the_summary(ok, book):
    summary = {t["currency"]: t["total"] for t in aging_json(ok)["totals"]}
    detail = aging_json(ok, "--detail")
    assert {t["currency"]: t["open"] for t in detail["totals"]} == summary
    rows = detail["rows"]
    assert [r["invoice"] for r in rows[:2]] == ["INV-B", "INV-1"]  # oldest due first
    assert rows[-1]["invoice"] == "(unapplied)" and rows[-1]["open"] == "-50.00"
    pending = [r for r in rows if r["bucket"] == "Pending"]
    assert pending == [pending[0]] and pending[0]["days"] is None and pending[0]["due"] is None


def test_custom_buckets_and_invoice_basis(ok, book):
    doc = aging_json(ok, "--buckets", "45,200")
    assert [c["key"] for c in doc["columns"] if c["key"].startswith("d")] == ["d1_45", "d46_200", "d201_plus"]
    acme = by_customer(doc)[("ACME", "CNY")]
    assert acme["d1_45"] == "90.00" and acme["d46_200"] == "600.00"
    by_invoice = by_customer(aging_json(ok, "--by", "invoice"))[("ACME", "CNY")]
    assert by_invoice["d91_180"] == "600.00"  # INV-1 issued 2026-08-01: 91 days
    assert by_invoice["d1_30"] == "590.00"  # INV-2 (16 days) and INV-3's deposit (30 days)
    assert by_invoice["pending"] == "210.00"  # a milestone not reached is never aged


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--customer", "acme"), {("ACME", "CNY")}),
        (("--tag", "KEY-ACCOUNT"), {("ACME", "CNY")}),
        (("--currency", "usd"), {("BETA", "USD")}),
        (("--min-days", "100"), {("BETA", "USD")}),
        (("--currency", "CNY", "--over", "1000"), {("ACME", "CNY")}),
        (("--currency", "CNY", "--over", "1400"), set()),
    ],
)
def test_filters(ok, book, args, expected):
    assert set(by_customer(aging_json(ok, *args))) == expected


def test_min_days_drops_current_pending_and_unapplied(ok, book):
    acme = by_customer(aging_json(ok, "--min-days", "31"))[("ACME", "CNY")]
    assert acme["current"] == acme["pending"] == acme["d1_30"] == "0.00"
    assert acme["total"] == "600.00"
    detail = aging_json(ok, "--detail", "--min-days", "31")
    assert [r["invoice"] for r in detail["rows"]] == ["INV-B", "INV-1"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--buckets", "60,30"), "error: --buckets: '60,30': expected increasing day counts"),
        (("--buckets", "x"), "error: --buckets: 'x': expected increasing day counts"),
        (("--buckets", "0,30"), "error: --buckets"),
        (("--by", "issue"), "error: --by: 'issue' is not one of: due, invoice"),
        (("--over", "10"), "error: --over: --over needs --currency"),
        (("--currency", "CNY", "--over", "ten"), "error: --over: 'ten' is not an amount"),
        (("--currency", "XXX"), "error: --currency: unknown currency 'XXX'"),
        (("--tag", "nobody"), "error: --tag: no customer has the tag 'nobody'"),
        (("--customer", "ZZZ"), "error: no customer matches 'ZZZ'"),
        (("--as-of", "2026-13-01"), "error: --as-of: '2026-13-01' is not a valid date"),
    ],
)
def test_bad_options_are_refused(cli, book, args, message):
    result = cli("aging", *args)
    assert result.exit_code == 1, result.stdout
    assert result.stderr.startswith(message), result.stderr
    assert result.stdout == ""


def test_negative_min_days_is_a_usage_error(cli, book):
    assert cli("aging", "--min-days", "-1").exit_code == 2


def test_report_for_a_past_date_never_changes(ok, book):
    """Save the report for a past date, add later activity of every kind, run it again: identical."""
    before = {fmt: ok("aging", "--as-of", "2026-09-30", "--format", fmt) for fmt in ("json", "csv")}
    before_detail = ok("aging", "--as-of", "2026-09-30", "--detail", "--format", "csv")
    ok("payment", "add", "ACME", "100.00", "--date", "2026-10-05")
    ok("payment", "unapply", "P1", "--on", "2026-10-10")
    ok("invoice", "add", "ACME", "INV-4", "80.00", "--date", "2026-10-20")
    ok("credit-note", "add", "ACME", "20", "--reason", "price", "--to", "INV-2", "--date", "2026-10-21")
    ok("write-off", "add", "INV-B", "--reason", "bad_debt", "--amount", "10", "--on", "2026-10-22")
    ok("milestone", "record", "INV-3", "acceptance", "--on", "2026-10-25")
    ok("payment", "reverse", "P2", "--reason", "bounced", "--on", "2026-10-26")
    ok("invoice", "void", "INV-4", "--reason", "duplicate", "--on", "2026-10-27")
    for fmt, text in before.items():
        assert ok("aging", "--as-of", "2026-09-30", "--format", fmt) == text
    assert ok("aging", "--as-of", "2026-09-30", "--detail", "--format", "csv") == before_detail
    assert "INV-4" not in before_detail
    assert ok("aging", "--as-of", "2026-10-31", "--format", "json") != before["json"]


def test_invoices_issued_after_the_date_do_not_appear(ok, book):
    detail = aging_json(ok, "--detail", "--as-of", "2026-09-01")
    assert {r["invoice"] for r in detail["rows"]} == {"INV-B", "INV-1"}


def test_output_file_placeholders(ok, book, tmp_path: Path):
    out = tmp_path / "out"
    ok("aging", "--format", "csv", "--output", str(out / "aging-{as_of}.csv"), "--as-of", "2026-09-30")
    written = out / "aging-2026-09-30.csv"
    assert written.read_text(encoding="utf-8").startswith("customer,")
    assert [p.name for p in out.iterdir()] == [written.name]  # no temp file left behind


def test_report_runs_while_another_process_writes(ok, book, ledger_env: Path, tmp_path: Path):
    """WAL + busy timeout: a reader is never blocked by a writer, and the writer is never refused."""
    env = {**os.environ, "ARCTL_DB": str(ledger_env), "ARCTL_TODAY": "2026-10-31"}
    writer = subprocess.Popen(
        [sys.executable, "-c", (
            f"import sqlite3, time; c = sqlite3.connect({str(ledger_env)!r}, isolation_level=None); "
            "c.execute('BEGIN IMMEDIATE'); c.execute(\"UPDATE customer SET notes = 'x' WHERE code = 'ACME'\"); "
            "print('locked', flush=True); time.sleep(1.5); c.execute('COMMIT')"
        )],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert writer.stdout is not None and writer.stdout.readline().strip() == "locked"
    started = time.monotonic()
    reader = subprocess.run([sys.executable, "-m", "arctl", "aging", "--format", "csv"], env=env,
                            capture_output=True, text=True, timeout=60)  # fmt: skip
    assert reader.returncode == 0, reader.stderr
    assert "ACME" in reader.stdout
    # and a write waits for the lock instead of failing
    adder = subprocess.run([sys.executable, "-m", "arctl", "customer", "add", "GAMMA", "Gamma Co."], env=env,
                           capture_output=True, text=True, timeout=60)  # fmt: skip
    writer.wait(timeout=30)
    assert adder.returncode == 0, adder.stderr
    assert time.monotonic() - started < 30
