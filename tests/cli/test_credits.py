"""arctl credit-note add · arctl write-off add: non-cash reductions, always with a reason code."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from arctl.domain.ledger import CREDIT_NOTE_REASONS, WRITE_OFF_REASONS

# --- speed: build the click tree once, and seed ledgers from saved copies --------------------------

pytestmark = pytest.mark.usefixtures("_fast_cli")


@pytest.fixture
def book(ok, seeded):  # type: ignore[no-untyped-def]
    """ACME (CNY, net30) owes INV-1 1000.00 (08-01) and INV-2 500.00 (09-01: #1 150.00 on signing,
    #2 350.00 net60). BETA owes INV-B 100.00. INV-V is ACME's, voided."""

    def build() -> None:
        ok("customer", "add", "ACME", "Acme Trading Co.", "--terms", "net30")
        ok("customer", "add", "BETA", "Beta Ltd.", "--terms", "net30")
        ok("invoice", "add", "ACME", "INV-1", "1000.00", "--date", "2026-08-01")
        ok("invoice", "add", "ACME", "INV-2", "500.00", "--date", "2026-09-01",
           "--terms", "30% on signing, 70% net60")  # fmt: skip
        ok("invoice", "add", "BETA", "INV-B", "100.00", "--date", "2026-08-01")
        ok("invoice", "add", "ACME", "INV-V", "100.00", "--date", "2026-08-01")
        ok("invoice", "void", "INV-V", "--reason", "typo", "--on", "2026-08-02")

    seeded("book", build)
    return "ACME"


# --- helpers ---------------------------------------------------------------------------------------


def balance(ok, as_of: str | None = None, customer: str = "ACME") -> dict:  # type: ignore[no-untyped-def]
    return json.loads(ok("balance", customer, "--format", "json", *(["--as-of", as_of] if as_of else [])))


def open_items(doc: dict) -> dict[str, str]:
    return {f"{r['invoice']}:{r['seq']}": r["open"] for r in doc["rows"]}


def totals(doc: dict) -> dict[str, str]:
    return {r["invoice"]: r["open"] for r in doc["totals"]}


def rows(db_path: Path, sql: str) -> list[tuple]:
    with closing(sqlite3.connect(db_path)) as con:
        return con.execute(sql).fetchall()


def counts(db_path: Path) -> tuple[int, int, int]:
    return tuple(rows(db_path, f"SELECT count(*) FROM {t}")[0][0] for t in ("credit", "allocation", "audit_event"))


# --- credit notes ----------------------------------------------------------------------------------


def test_credit_note_applied_to_an_invoice(ok, book, ledger_env):
    out = ok("credit-note", "add", "ACME", "50.00", "--reason", "quality", "--to", "INV-1", "--date", "2026-10-01")
    assert out.splitlines() == ["issued credit note CN-00001 50.00 CNY on 2026-10-01", "  INV-1:1  50.00 CNY"]
    doc = balance(ok)
    assert open_items(doc)["INV-1:1"] == "950.00"
    assert "Unapplied CNY" not in totals(doc)
    assert totals(doc)["Balance CNY"] == "1450.00"
    assert rows(ledger_env, "SELECT kind, number, reason, amount_minor FROM credit") == [
        ("credit_note", "CN-00001", "quality", 5000)
    ]
    assert "applied 2026-10-01 from C1 to #1: 50.00 CNY" in ok("invoice", "show", "INV-1")


def test_credit_note_to_an_installment_with_amount(ok, book):
    out = ok("credit-note", "add", "ACME", "100", "--reason", "price", "--to", "INV-2:2=80")
    assert "INV-2:2  80.00 CNY" in out
    assert "unapplied credit: 20.00 CNY" in out
    doc = balance(ok)
    assert open_items(doc)["INV-2:2"] == "270.00" and open_items(doc)["INV-2:1"] == "150.00"
    assert totals(doc) == {"Unapplied CNY": "-20.00", "Balance CNY": "1400.00"}


def test_credit_note_larger_than_the_invoice_keeps_the_rest_as_credit(ok, book):
    out = ok("credit-note", "add", "ACME", "1500", "--reason", "return", "--to", "INV-1")
    assert "INV-1:1  1,000.00 CNY" in out
    assert "unapplied credit: 500.00 CNY" in out
    doc = balance(ok)
    assert "INV-1:1" not in open_items(doc)
    assert totals(doc)["Unapplied CNY"] == "-500.00"


def test_credit_note_without_target_is_unapplied_credit(ok, book):
    before = open_items(balance(ok))
    out = ok("credit-note", "add", "ACME", "70.00", "--reason", "discount", "--date", "2026-10-05")
    assert out.splitlines() == ["issued credit note CN-00001 70.00 CNY on 2026-10-05",
                                "  unapplied credit: 70.00 CNY"]  # fmt: skip
    doc = balance(ok)
    assert open_items(doc) == before
    assert totals(doc) == {"Unapplied CNY": "-70.00", "Balance CNY": "1430.00"}
    assert "Unapplied CNY" not in totals(balance(ok, "2026-10-04"))  # not issued yet


def test_credit_note_apply_auto_goes_oldest_due_first(ok, book):
    out = ok("credit-note", "add", "ACME", "1100", "--reason", "price", "--apply", "auto")
    assert "INV-1:1  1,000.00 CNY" in out and "INV-2:1  100.00 CNY" in out
    assert open_items(balance(ok)) == {"INV-2:1": "50.00", "INV-2:2": "350.00"}


def test_credit_notes_are_numbered_and_reason_words_normalised(ok, book, ledger_env):
    ok("credit-note", "add", "ACME", "1", "--reason", "Not Received")
    ok("credit-note", "add", "ACME", "1", "--reason", "not-received")
    ok("credit-note", "add", "ACME", "1", "--reason", "other", "--number", "CN-MANUAL-7")
    assert rows(ledger_env, "SELECT number, reason FROM credit ORDER BY id") == [
        ("CN-00001", "not_received"), ("CN-00002", "not_received"), ("CN-MANUAL-7", "other"),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--reason", "nope"], 1, "--reason: 'nope' is not one of: " + ", ".join(CREDIT_NOTE_REASONS)),
        (["--reason", ""], 1, "is not one of"),
        (["--reason", "bad_debt"], 1, "is not one of"),  # a write-off reason, not a credit-note one
        (["--reason", "price", "--to", "INV-B"], 1, "invoice INV-B belongs to BETA"),
        (["--reason", "price", "--to", "INV-V"], 1, "invoice INV-V is voided"),
        (["--reason", "price", "--to", "INV-X"], 1, "no invoice 'INV-X'"),
        (["--reason", "price", "--to", "INV-1=60"], 1, "is more than the credit note"),
        (["--reason", "price", "--to", "INV-2:1=151"], 1, "is more than it owes (150.00 CNY)"),
        (["--reason", "price", "--to", "INV-1:x"], 1, "is not a number"),
        (["--reason", "price", "--currency", "USD", "--to", "INV-1"], 1, "invoice INV-1 is in CNY"),
        (["--reason", "price", "--currency", "XYZ"], 1, "unknown currency"),
        (["--reason", "price", "--date", "31/10/2026"], 1, "is not a date"),
        ([], 2, "Missing option '--reason'"),
    ],
)
def test_refused_credit_notes_record_nothing(cli, book, ledger_env, args, code, message):
    before = counts(ledger_env)
    result = cli("credit-note", "add", "ACME", "50.00", *args)
    assert result.exit_code == code, result.stderr
    assert message in result.stderr
    if code == 1:
        assert result.stderr.startswith("error: ")
    assert counts(ledger_env) == before


@pytest.mark.parametrize(("amount", "message"), [("0", "must be more than zero"), ("(5)", "must not be negative"),
                                                 ("1.001", "more than 2 decimal"), ("lots", "is not an amount")])  # fmt: skip
def test_credit_note_bad_amounts(cli, book, ledger_env, amount, message):
    before = counts(ledger_env)
    result = cli("credit-note", "add", "ACME", amount, "--reason", "price")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ") and message in result.stderr
    assert counts(ledger_env) == before


def test_duplicate_credit_note_number_is_refused(cli, ok, book, ledger_env):
    ok("credit-note", "add", "ACME", "1", "--reason", "price", "--number", "CN-9")
    before = counts(ledger_env)
    result = cli("credit-note", "add", "ACME", "1", "--reason", "price", "--number", "CN-9")
    assert result.exit_code == 1
    assert "CN-9 already exists" in result.stderr
    assert counts(ledger_env) == before


def test_automatic_number_skips_numbers_given_by_hand(cli, ok, book, ledger_env):
    ok("credit-note", "add", "ACME", "1", "--reason", "price")  # CN-00001
    ok("credit-note", "add", "ACME", "1", "--reason", "price", "--number", "CN-00003")
    result = cli("credit-note", "add", "ACME", "1", "--reason", "price")  # count is 2: CN-00003 again
    assert result.exit_code == 0
    numbers = [n for (n,) in rows(ledger_env, "SELECT number FROM credit ORDER BY id")]
    assert len(set(numbers)) == 3


# --- write-offs ------------------------------------------------------------------------------------


def test_write_off_all_it_owes(ok, book, ledger_env):
    ok("payment", "add", "ACME", "400.00", "--date", "2026-09-10", "--to", "INV-1")
    out = ok("write-off", "add", "INV-1", "--reason", "bad_debt", "--note", "customer liquidated",
             "--on", "2026-10-15")  # fmt: skip
    assert out.splitlines() == ["wrote off WO-00001 600.00 CNY on 2026-10-15", "  INV-1:1  600.00 CNY"]
    assert "INV-1:1" not in open_items(balance(ok))
    assert "INV-1:1" in open_items(balance(ok, "2026-10-14"))
    assert "paid" in ok("invoice", "show", "INV-1")
    assert rows(ledger_env, "SELECT kind, number, reason, note, amount_minor FROM credit") == [
        ("write_off", "WO-00001", "bad_debt", "customer liquidated", 60000)
    ]
    # a write-off is exact: it never leaves unapplied credit behind
    assert "Unapplied CNY" not in totals(balance(ok))


def test_write_off_whole_plan_and_one_installment(ok, book):
    ok("write-off", "add", "INV-2:1", "--reason", "small_balance")
    assert open_items(balance(ok))["INV-2:2"] == "350.00" and "INV-2:1" not in open_items(balance(ok))
    ok("write-off", "add", "INV-2", "--reason", "dispute")
    assert not any(k.startswith("INV-2") for k in open_items(balance(ok)))


def test_write_off_partial_amount(ok, book):
    out = ok("write-off", "add", "INV-1", "--reason", "Bank Fee", "--amount", "15.50")
    assert "INV-1:1  15.50 CNY" in out
    assert open_items(balance(ok))["INV-1:1"] == "984.50"


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["INV-1", "--reason", "bad_debt", "--amount", "1000.01"], 1, "cannot write off 1000.01, it owes 1000.00"),
        (["INV-2:1", "--reason", "bad_debt", "--amount", "151"], 1, "it owes 150.00"),
        (["INV-1", "--reason", "bad_debt", "--amount", "0"], 1, "must be more than zero"),
        (["INV-1", "--reason", "bad_debt", "--amount", "-1"], 1, "must not be negative"),
        (["INV-1", "--reason", "bad_debt", "--amount", "(1)"], 1, "must not be negative"),
        (["INV-1", "--reason", "bad_debt", "--amount", "1.001"], 1, "more than 2 decimal"),
        (["INV-1", "--reason", "nope"], 1, "--reason: 'nope' is not one of: " + ", ".join(WRITE_OFF_REASONS)),
        (["INV-1", "--reason", "quality"], 1, "is not one of"),  # a credit-note reason
        (["INV-1", "--reason", "   "], 1, "a reason is required"),
        (["INV-1"], 2, "Missing option '--reason'"),
        (["INV-1=5", "--reason", "bad_debt"], 1, "give the amount with --amount"),
        (["INV-1:x", "--reason", "bad_debt"], 1, "is not a number"),
        (["INV-1:3", "--reason", "bad_debt"], 1, "has no installment 3"),
        (["INV-X", "--reason", "bad_debt"], 1, "no invoice 'INV-X'"),
        (["INV-V", "--reason", "bad_debt"], 1, "invoice INV-V is voided"),
        (["INV-1", "--reason", "bad_debt", "--on", "2026-07-31"], 1, "before the invoice date 2026-08-01"),
    ],
)
def test_refused_write_offs_record_nothing(cli, book, ledger_env, args, code, message):
    before = counts(ledger_env)
    result = cli("write-off", "add", *args)
    assert result.exit_code == code, result.stderr
    assert message in result.stderr
    if code == 1:
        assert result.stderr.startswith("error: ")
        assert "Traceback" not in result.stderr
    assert counts(ledger_env) == before


def test_write_off_of_a_paid_invoice_is_refused(cli, ok, book, ledger_env):
    ok("payment", "add", "ACME", "1000.00", "--date", "2026-09-10", "--to", "INV-1")
    before = counts(ledger_env)
    result = cli("write-off", "add", "INV-1", "--reason", "bad_debt")
    assert result.exit_code == 1
    assert "INV-1: nothing is owed on it" in result.stderr
    with_amount = cli("write-off", "add", "INV-1", "--reason", "bad_debt", "--amount", "1")
    assert with_amount.exit_code == 1
    assert counts(ledger_env) == before


def test_write_off_twice_refused_the_second_time(cli, ok, book):
    ok("write-off", "add", "INV-B", "--reason", "bad_debt")
    again = cli("write-off", "add", "INV-B", "--reason", "bad_debt")
    assert again.exit_code == 1
    assert "nothing is owed on it" in again.stderr
    doc = balance(ok, customer="BETA")
    assert open_items(doc) == {}
    assert "Unapplied CNY" not in totals(doc)
