"""arctl promise add|list|cancel: states derived from real payments as of any date; bad input refused."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from _shared import refused

pytestmark = pytest.mark.usefixtures("_fast_cli")


@pytest.fixture
def book(ok, seeded):  # type: ignore[no-untyped-def]
    """ACME (CNY, net30): INV-1 1000.00 issued 08-01 (due 08-31); INV-2 500.00 issued 09-01: #1 150.00 due
    09-01, #2 350.00 due 10-31. BETA: INV-B 100.00. USCO (USD): INV-U 80.00. INV-V is ACME's, voided.
    INV-P is ACME's, paid. Today is 2026-10-31; the policy's promise grace is 2 days."""

    def build() -> None:
        ok("customer", "add", "ACME", "Acme Trading Co.", "--terms", "net30")
        ok("customer", "add", "BETA", "Beta Ltd.", "--terms", "net30")
        ok("customer", "add", "USCO", "US Co", "--currency", "USD")
        ok("invoice", "add", "ACME", "INV-1", "1000.00", "--date", "2026-08-01")
        ok("invoice", "add", "ACME", "INV-2", "500.00", "--date", "2026-09-01",
           "--terms", "30% on signing, 70% net60")  # fmt: skip
        ok("invoice", "add", "BETA", "INV-B", "100.00", "--date", "2026-08-01")
        ok("invoice", "add", "USCO", "INV-U", "80.00", "--date", "2026-08-01", "--currency", "USD")
        ok("invoice", "add", "ACME", "INV-V", "100.00", "--date", "2026-08-01")
        ok("invoice", "void", "INV-V", "--reason", "typo", "--on", "2026-08-02")
        ok("invoice", "add", "ACME", "INV-P", "10.00", "--date", "2026-08-01")
        ok("payment", "add", "ACME", "10.00", "--date", "2026-08-02", "--to", "INV-P")

    seeded("book", build)
    return "ACME"


def rows(db_path: Path, sql: str) -> list[tuple]:
    with closing(sqlite3.connect(db_path)) as con:
        return con.execute(sql).fetchall()


def listing(ok, *args: str) -> dict:  # type: ignore[no-untyped-def]
    return json.loads(ok("promise", "list", "--format", "json", *args))


def state(ok, promise_id: int, as_of: str) -> tuple[str, str, str | None]:  # type: ignore[no-untyped-def]
    """(status, paid, decided) of one promise as of a date."""
    row = next(r for r in listing(ok, "--as-of", as_of)["rows"] if r["id"] == promise_id)
    return row["status"], row["paid"], row.get("decided")


def items_of(db_path: Path, promise_id: int) -> list[str]:
    return [
        f"{n}/{s}"
        for n, s in rows(
            db_path,
            f"""
        SELECT i.number, s.seq FROM promise_item p JOIN installment s ON s.id = p.installment_id
        JOIN invoice i ON i.id = s.invoice_id WHERE p.promise_id = {promise_id} ORDER BY i.number, s.seq""",
        )
    ]


# --- items ---------------------------------------------------------------------------------------------


def test_default_items_are_those_open_and_due_by_the_promised_date(ok, book, ledger_env):
    out = ok("promise", "add", "ACME", "600", "--by", "2026-10-10", "--on", "2026-10-01", "--via", "Ann Lee")
    assert out.splitlines() == [
        "promise 1: ACME to pay 600.00 CNY by 2026-10-10 (made 2026-10-01, holds until 2026-10-12: 2 days' grace)",
        "  INV-1/1  open 1,000.00 CNY",
        "  INV-2/1  open 150.00 CNY",
    ]
    # recorded explicitly (INV-2/2 is due 10-31, after the promise; INV-P is paid; INV-V voided)
    assert items_of(ledger_env, 1) == ["INV-1/1", "INV-2/1"]
    assert rows(ledger_env, "SELECT currency, amount_minor, made_on, due_on, grace_days, via FROM promise") == [
        ("CNY", 60000, "2026-10-01", "2026-10-10", 2, "Ann Lee")
    ]
    assert rows(ledger_env, "SELECT action, entity_id FROM audit_event ORDER BY id DESC LIMIT 1") == [
        ("promise.add", "1")
    ]
    # a later promised date takes in the later installment
    ok("promise", "add", "ACME", "350", "--by", "2026-11-05", "--on", "2026-10-20")
    assert items_of(ledger_env, 2) == ["INV-1/1", "INV-2/1", "INV-2/2"]


def test_explicit_items_installments_and_whole_invoices(ok, book, ledger_env):
    out = ok("promise", "add", "ACME", "350", "--by", "2026-11-15", "--items", "INV-2/2", "--grace", "0")
    assert "holds until 2026-11-15: 0 days' grace" in out
    assert items_of(ledger_env, 1) == ["INV-2/2"]
    ok("promise", "add", "ACME", "500", "--by", "2026-11-15", "--items", "INV-2", "--items", "inv-1:1")
    assert items_of(ledger_env, 2) == ["INV-1/1", "INV-2/1", "INV-2/2"]


def test_items_refused_other_customer_paid_voided_unknown_and_currency(cli, book, dump):
    before = dump()
    base = ("promise", "add", "ACME", "100", "--by", "2026-11-15")
    refused(cli(*base, "--items", "INV-B"), "error: --items: INV-B/1 belongs to BETA, not ACME")
    refused(cli(*base, "--items", "INV-P"), "error: --items: invoice INV-P is paid")
    refused(cli(*base, "--items", "INV-P/1"), "error: --items: INV-P/1 is paid")
    refused(cli(*base, "--items", "INV-V"), "error: --items: invoice INV-V is voided")
    refused(cli(*base, "--items", "INV-9"), "error: --items: no invoice or installment 'INV-9'")
    refused(cli(*base, "--items", "INV-1/7"), "error: --items: invoice INV-1 has no installment 7")
    refused(
        cli(*base, "--items", "INV-1", "--currency", "USD"), "error: --currency: USD, but the items are in CNY"
    )
    refused(cli(*base, "--items", " "), "error: --items: an item is empty")
    refused(cli("promise", "add", "USCO", "10", "--by", "2026-11-15", "--items", "INV-U", "--currency", "EUR"),
            "--currency: EUR, but the items are in USD")  # fmt: skip
    refused(cli("promise", "add", "BETA", "10", "--by", "2026-08-15", "--on", "2026-08-10"),
            "error: BETA has nothing open in CNY due on or before 2026-08-15", "hint: name what")  # fmt: skip
    assert dump() == before


def test_foreign_currency_promise_takes_the_items_currency(ok, book, ledger_env):
    ok("promise", "add", "USCO", "80", "--by", "2026-11-15", "--items", "INV-U")
    assert rows(ledger_env, "SELECT currency, amount_minor FROM promise") == [("USD", 8000)]


# --- states from real payments -------------------------------------------------------------------------


def test_partly_kept_then_reproducible_for_a_past_date(ok, book):
    ok("promise", "add", "ACME", "500", "--by", "2026-10-10", "--on", "2026-10-01")  # grace 2: holds to 10-12
    assert state(ok, 1, "2026-10-01") == ("open", "0.00", None)
    ok("payment", "add", "ACME", "200", "--date", "2026-10-05")
    past = listing(ok, "--as-of", "2026-10-06")
    assert state(ok, 1, "2026-10-06") == ("open", "200.00", None)
    assert state(ok, 1, "2026-10-12") == ("open", "200.00", None)  # last day of grace: still holds
    assert state(ok, 1, "2026-10-13") == ("partly kept", "200.00", "2026-10-13")
    # a payment after the grace does not count, and the past reads the same after it
    ok("payment", "add", "ACME", "300", "--date", "2026-10-20")
    assert state(ok, 1, "2026-10-31") == ("partly kept", "200.00", "2026-10-13")
    assert listing(ok, "--as-of", "2026-10-06") == past


def test_kept_on_the_last_grace_day(ok, book):
    ok("promise", "add", "ACME", "500", "--by", "2026-10-10", "--on", "2026-10-01")
    ok("payment", "add", "ACME", "300", "--date", "2026-10-04")
    ok("payment", "add", "ACME", "200", "--date", "2026-10-12")
    assert state(ok, 1, "2026-10-11") == ("open", "300.00", None)
    assert state(ok, 1, "2026-10-12") == ("kept", "500.00", "2026-10-12")
    assert state(ok, 1, "2026-10-31") == ("kept", "500.00", "2026-10-12")


def test_broken_when_the_money_comes_the_day_after_the_grace(ok, book):
    ok("promise", "add", "ACME", "500", "--by", "2026-10-10", "--on", "2026-10-01")
    ok("payment", "add", "ACME", "500", "--date", "2026-10-13")
    assert state(ok, 1, "2026-10-12") == ("open", "0.00", None)
    assert state(ok, 1, "2026-10-13") == ("broken", "0.00", "2026-10-13")


def test_status_filter_and_kept_percent_per_customer(ok, book):
    ok("promise", "add", "ACME", "100", "--by", "2026-10-05", "--on", "2026-10-01", "--grace", "0")
    ok("promise", "add", "ACME", "900", "--by", "2026-10-10", "--on", "2026-10-06", "--grace", "0")
    ok("promise", "add", "ACME", "50", "--by", "2026-11-20", "--items", "INV-2/2")
    ok("payment", "add", "ACME", "100", "--date", "2026-10-03")
    doc = listing(ok)
    assert [(r["id"], r["status"]) for r in doc["rows"]] == [(1, "kept"), (2, "broken"), (3, "open")]
    assert doc["totals"] == [
        {"customer": "ACME", "amount": "1050.00", "status": "kept %", "kept_pct": "50", "currency": "CNY"}
    ]
    assert [r["id"] for r in listing(ok, "--status", "broken")["rows"]] == [2]
    assert [r["id"] for r in listing(ok, "ACME", "--status", "OPEN")["rows"]] == [3]
    assert listing(ok, "BETA")["rows"] == []
    table = ok("promise", "list")
    assert "50.0%" in table and "broken" in table
    # before anything was decided there is no percentage
    assert listing(ok, "--as-of", "2026-10-02")["totals"][0].get("kept_pct") is None


def test_partly_kept_counts_as_not_kept(ok, book):
    ok("promise", "add", "ACME", "500", "--by", "2026-10-10", "--on", "2026-10-01")
    ok("payment", "add", "ACME", "100", "--date", "2026-10-02")
    assert listing(ok)["totals"][0]["kept_pct"] == "0"


def test_one_payment_keeps_one_of_two_overlapping_promises(ok, book):
    """Two promises of 300.00 whose windows overlap (10-01..10-12 and 10-05..10-17) and one payment of 300.00
    on 10-08, inside both: it keeps the earlier promise only; the second breaks."""
    ok("promise", "add", "ACME", "300", "--by", "2026-10-10", "--on", "2026-10-01")
    ok("promise", "add", "ACME", "300", "--by", "2026-10-15", "--on", "2026-10-05")
    ok("payment", "add", "ACME", "300", "--date", "2026-10-08")
    assert state(ok, 1, "2026-10-31") == ("kept", "300.00", "2026-10-08")
    assert state(ok, 2, "2026-10-31") == ("broken", "0.00", "2026-10-18")
    assert state(ok, 2, "2026-10-17") == ("open", "0.00", None)
    doc = listing(ok)
    assert [(r["id"], r["status"], r["paid"]) for r in doc["rows"]] == [
        (1, "kept", "300.00"),
        (2, "broken", "0.00"),
    ]
    assert doc["totals"][0]["kept_pct"] == "50"
    assert [r["id"] for r in listing(ok, "--status", "broken")["rows"]] == [2]
    # the next payment inside the second window only goes to the second promise
    ok("payment", "add", "ACME", "100", "--date", "2026-10-16")
    assert state(ok, 2, "2026-10-31") == ("partly kept", "100.00", "2026-10-18")
    assert state(ok, 1, "2026-10-31") == ("kept", "300.00", "2026-10-08")


def test_one_payment_large_enough_keeps_both_promises(ok, book):
    ok("promise", "add", "ACME", "300", "--by", "2026-10-10", "--on", "2026-10-01")
    ok("promise", "add", "ACME", "300", "--by", "2026-10-15", "--on", "2026-10-05")
    ok("payment", "add", "ACME", "650", "--date", "2026-10-08")
    rows_ = listing(ok)["rows"]
    assert [(r["id"], r["status"], r["paid"], r["decided"]) for r in rows_] == [
        (1, "kept", "300.00", "2026-10-08"), (2, "kept", "350.00", "2026-10-08"),
    ]  # fmt: skip


def test_a_cancelled_promise_leaves_the_payment_to_the_other(ok, book):
    ok("promise", "add", "ACME", "300", "--by", "2026-10-10", "--on", "2026-10-01")
    ok("promise", "add", "ACME", "300", "--by", "2026-10-15", "--on", "2026-10-05")
    ok("promise", "cancel", "1", "--on", "2026-10-06", "--reason", "replaced by promise 2")
    ok("payment", "add", "ACME", "300", "--date", "2026-10-08")
    assert state(ok, 1, "2026-10-31") == ("cancelled", "0.00", "2026-10-06")
    assert state(ok, 2, "2026-10-31") == ("kept", "300.00", "2026-10-08")


def test_the_since_filter_does_not_change_a_promise_s_state(ok, book, db):
    """The worklist asks only for promises still holding after a date; the earlier promise it leaves out
    still takes its share of the payment, so the later one reads broken there as everywhere."""
    from datetime import date

    from arctl.db import collections_repo

    ok("promise", "add", "ACME", "300", "--by", "2026-10-10", "--on", "2026-10-01")
    ok("promise", "add", "ACME", "300", "--by", "2026-10-15", "--on", "2026-10-05")
    ok("payment", "add", "ACME", "300", "--date", "2026-10-08")
    as_of = date(2026, 10, 31)
    with db.read() as session:
        every = {v.id: v.state for v in collections_repo.promises(session, as_of)}
        recent = {v.id: v.state for v in collections_repo.promises(session, as_of, since=date(2026, 10, 15))}
        acme = {v.id: v.state for v in collections_repo.promises(session, as_of, [1], since=date(2026, 10, 15))}
    assert set(every) == {1, 2} and set(recent) == set(acme) == {2}
    assert recent[2] == acme[2] == every[2]
    assert (every[2].status, every[2].paid_minor) == ("broken", 0)


# --- cancel --------------------------------------------------------------------------------------------


def test_cancel_an_open_promise_is_dated_and_audited(ok, book, ledger_env):
    ok("promise", "add", "ACME", "500", "--by", "2026-11-10", "--on", "2026-10-20")
    out = ok("promise", "cancel", "1", "--on", "2026-10-25", "--reason", "replaced by a payment plan")
    assert out == "cancelled promise 1 (ACME 500.00 CNY by 2026-11-10) on 2026-10-25\n"
    assert rows(ledger_env, "SELECT cancelled_on, cancel_reason FROM promise") == [
        ("2026-10-25", "replaced by a payment plan")
    ]
    assert rows(ledger_env, "SELECT action FROM audit_event ORDER BY id DESC LIMIT 1") == [("promise.cancel",)]
    assert state(ok, 1, "2026-10-24") == ("open", "0.00", None)
    assert state(ok, 1, "2026-10-31") == ("cancelled", "0.00", "2026-10-25")
    assert listing(ok)["totals"][0].get("kept_pct") is None  # cancelled promises count in no statistic


def test_cancel_refusals(cli, ok, book, dump):
    ok("promise", "add", "ACME", "100", "--by", "2026-10-05", "--on", "2026-10-01")
    ok("payment", "add", "ACME", "100", "--date", "2026-10-02")
    ok("promise", "add", "ACME", "500", "--by", "2026-10-10", "--on", "2026-10-06", "--grace", "0")
    ok("promise", "add", "ACME", "50", "--by", "2026-11-20", "--items", "INV-2/2")
    ok("promise", "cancel", "3", "--reason", "oops")
    before = dump()
    refused(cli("promise", "cancel", "1", "--reason", "x"), "promise 1 was kept on 2026-10-02")
    refused(cli("promise", "cancel", "2", "--reason", "x"), "promise 2 was broken on 2026-10-11")
    refused(cli("promise", "cancel", "3", "--reason", "x"), "promise 3 was already cancelled on 2026-10-31")
    refused(cli("promise", "cancel", "99", "--reason", "x"), "error: ID: no promise 99")
    refused(cli("promise", "cancel", "abc", "--reason", "x"), "error: ID: 'abc' is not a promise id")
    refused(cli("promise", "cancel", "2", "--reason", " "), "error: --reason: a reason is required")
    refused(cli("promise", "cancel", "2", "--reason", "x", "--on", "2026-10-01"),
            "error: --on: 2026-10-01 is before the promise was made (2026-10-06)")  # fmt: skip
    refused(
        cli("promise", "cancel", "2", "--reason", "x", "--on", "2026-11-01"),
        "error: --on: 2026-11-01 is in the future",
    )
    refused(cli("promise", "cancel", "2", "--reason", "x", "--on", "soon"), "error: --on: 'soon' is not a date")
    refused(cli("promise", "cancel", "2"), "--reason", code=2)
    assert dump() == before


# --- bad input -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("NOBODY", "100", "--by", "2026-11-15"), "error: no customer matches 'NOBODY'"),
        (("ACME", "abc", "--by", "2026-11-15"), "error: AMOUNT:"),
        (("--by", "2026-11-15", "--", "ACME", "-5"), "error: AMOUNT:"),
        (("ACME", "NaN", "--by", "2026-11-15"), "error: AMOUNT:"),
        (("ACME", "1e400", "--by", "2026-11-15"), "error: AMOUNT:"),
        (("ACME", "0", "--by", "2026-11-15"), "error: AMOUNT: '0' must be more than zero"),
        (("ACME", "1.001", "--by", "2026-11-15"), "error: AMOUNT:"),
        (("ACME", "100", "--by", "15/11/2026"), "error: --by: '15/11/2026' is not a date"),
        (("ACME", "100", "--by", "2026-02-30"), "error: --by: '2026-02-30' is not a valid date"),
        (("ACME", "100", "--by", "2026-11-15", "--on", "x"), "error: --on: 'x' is not a date"),
        (
            ("ACME", "100", "--by", "2026-10-01", "--on", "2026-10-05"),
            "error: --by: promised date 2026-10-01 is before",
        ),
        (("ACME", "100", "--by", "2026-11-15", "--on", "2026-11-01"), "error: --on: 2026-11-01 is in the future"),
        (("ACME", "100", "--by", "2026-11-15", "--grace", "-1"), "error: --grace: -1 must be 0 to 366 days"),
        (("ACME", "100", "--by", "2026-11-15", "--currency", "XX"), "error: --currency:"),
    ],
)
def test_add_refuses_bad_input_and_changes_nothing(cli, book, dump, args, fragment):
    before = dump()
    refused(cli("promise", "add", *args), fragment)
    assert dump() == before


def test_usage_errors_exit_2(cli, book, dump):
    before = dump()
    refused(cli("promise", "add", "ACME", "100"), "--by", code=2)
    refused(cli("promise", "add", "ACME", "100", "--by", "2026-11-15", "--grace", "abc"), "--grace", code=2)
    refused(cli("promise", "add", "ACME", "-5", "--by", "2026-11-15"), "No such option", code=2)
    assert dump() == before


def test_list_refuses_bad_status_date_and_customer(cli, book):
    refused(cli("promise", "list", "--status", "late"), "error: --status: 'late' is not one of: open, kept")
    refused(cli("promise", "list", "--as-of", "yesterday-ish"), "error: --as-of:")
    refused(cli("promise", "list", "NOBODY"), "error: no customer matches 'NOBODY'")
    refused(cli("promise", "list", "--format", "xml"), code=2)
