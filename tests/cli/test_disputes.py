"""arctl dispute open|list|resolve: held from reminders, still aged; resolved by credit note, write-off or
rejection in one transaction; bad input refused with nothing changed."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from datetime import date
from pathlib import Path

import pytest
from _shared import refused

pytestmark = pytest.mark.usefixtures("_fast_cli")


@pytest.fixture
def book(ok, seeded):  # type: ignore[no-untyped-def]
    """ACME (CNY): INV-1 1000.00 (issued 08-01, due 08-31); INV-2 500.00 (09-01: #1 150.00 due 09-01, #2 350.00
    due 10-31). BETA: INV-B 100.00. INV-P (ACME) is paid. Today is 2026-10-31."""

    def build() -> None:
        ok("customer", "add", "ACME", "Acme Trading Co.", "--terms", "net30")
        ok("customer", "add", "BETA", "Beta Ltd.", "--terms", "net30")
        ok("invoice", "add", "ACME", "INV-1", "1000.00", "--date", "2026-08-01")
        ok("invoice", "add", "ACME", "INV-2", "500.00", "--date", "2026-09-01",
           "--terms", "30% on signing, 70% net60")  # fmt: skip
        ok("invoice", "add", "BETA", "INV-B", "100.00", "--date", "2026-08-01")
        ok("invoice", "add", "ACME", "INV-P", "10.00", "--date", "2026-08-01")
        ok("payment", "add", "ACME", "10.00", "--date", "2026-08-02", "--to", "INV-P")

    seeded("book", build)
    return "ACME"


def rows(db_path: Path, sql: str) -> list[tuple]:
    with closing(sqlite3.connect(db_path)) as con:
        return con.execute(sql).fetchall()


def disputed(db, as_of: str) -> set[str]:  # type: ignore[no-untyped-def]
    """INVOICE/SEQ of the installments `collections_repo.disputed_installments` holds at `as_of`."""
    from arctl.db.collections_repo import disputed_installments
    from arctl.db.models import Installment

    with db.read() as session:
        ids = disputed_installments(session, date.fromisoformat(as_of))
        return {f"{session.get(Installment, i).invoice.number}/{session.get(Installment, i).seq}" for i in ids}


def open_items(ok, as_of: str | None = None) -> dict[str, str]:  # type: ignore[no-untyped-def]
    doc = json.loads(ok("balance", "ACME", "--format", "json", *(["--as-of", as_of] if as_of else [])))
    return {f"{r['invoice']}:{r['seq']}": r["open"] for r in doc["rows"]}


def listing(ok, *args: str) -> dict:  # type: ignore[no-untyped-def]
    return json.loads(ok("dispute", "list", "--format", "json", *args))


# --- open ----------------------------------------------------------------------------------------------


def test_open_holds_the_items_and_they_stay_in_aging(ok, book, db, ledger_env):
    out = ok(
        "dispute", "open", "INV-2/2", "INV-1", "--reason", "quality", "--note", "batch 7", "--on", "2026-10-15"
    )
    assert out.splitlines() == [
        "dispute 1: ACME, quality, opened 2026-10-15",
        "  INV-2/2  open 350.00 CNY",
        "  INV-1/1  open 1,000.00 CNY",
    ]
    assert disputed(db, "2026-10-14") == set()
    assert disputed(db, "2026-10-15") == disputed(db, "2026-10-31") == {"INV-1/1", "INV-2/2"}
    # still owed: aging and balance keep them
    assert open_items(ok) == {"INV-1:1": "1000.00", "INV-2:1": "150.00", "INV-2:2": "350.00"}
    aging = json.loads(ok("aging", "--format", "json"))
    assert any(r["customer"] == "ACME" for r in aging["rows"])
    assert rows(ledger_env, "SELECT reason, note, opened_on, resolved_on FROM dispute") == [
        ("quality", "batch 7", "2026-10-15", None)
    ]
    assert rows(ledger_env, "SELECT action FROM audit_event ORDER BY id DESC LIMIT 1") == [("dispute.open",)]


def test_list_shows_age_and_open_amount_as_of_a_date(ok, book):
    ok("dispute", "open", "INV-1/1", "--reason", "price", "--on", "2026-10-01")
    ok("dispute", "open", "INV-2/1", "--reason", "not-received", "--on", "2026-10-21")
    ok("payment", "add", "ACME", "100", "--date", "2026-10-25", "--to", "INV-1:1")
    doc = listing(ok)
    assert [(r["id"], r["reason"], r["age"], r["open"], r["status"]) for r in doc["rows"]] == [
        (1, "price", 30, "900.00", "open"), (2, "not-received", 10, "150.00", "open")
    ]  # fmt: skip
    assert doc["totals"] == [{"customer": "Open CNY", "open": "1050.00", "currency": "CNY"}]
    assert doc["notes"] == ["open 30 days or more: dispute 1"]
    earlier = listing(ok, "--as-of", "2026-10-10")
    assert [(r["id"], r["age"], r["open"]) for r in earlier["rows"]] == [(1, 9, "1000.00")]
    assert listing(ok, "BETA")["rows"] == []
    assert "INV-1/1" in ok("dispute", "list")


def test_item_already_in_an_open_dispute_is_refused(cli, ok, book, dump):
    ok("dispute", "open", "INV-2", "--reason", "quantity", "--on", "2026-10-15")
    before = dump()
    refused(
        cli("dispute", "open", "INV-2/2", "--reason", "price"), "error: ITEM: INV-2/2 is already in open dispute 1"
    )
    refused(
        cli("dispute", "open", "INV-1", "INV-2:1", "--reason", "price"), "INV-2/1 is already in open dispute 1"
    )
    assert dump() == before
    # once resolved, the item may be disputed again
    ok("dispute", "resolve", "1", "--rejected", "--on", "2026-10-20")
    ok("dispute", "open", "INV-2/2", "--reason", "price", "--on", "2026-10-25")


def test_items_of_two_customers_are_refused(cli, book, dump):
    before = dump()
    refused(cli("dispute", "open", "INV-1", "INV-B", "--reason", "price"),
            "error: ITEM: the items belong to ACME and BETA; a dispute is with one customer")  # fmt: skip
    assert dump() == before


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("INV-1", "--reason", "expensive"), "error: --reason: 'expensive' is not one of: price, quality"),
        (("INV-9", "--reason", "price"), "error: ITEM: no invoice or installment 'INV-9'"),
        (("INV-1/3", "--reason", "price"), "error: ITEM: invoice INV-1 has no installment 3"),
        (("INV-P", "--reason", "price"), "error: ITEM: invoice INV-P is paid"),
        (
            ("INV-1", "--reason", "price", "--on", "2026-07-01"),
            "error: --on: 2026-07-01 is before INV-1/1 was issued",
        ),
        (("INV-1", "--reason", "price", "--on", "2026-11-01"), "error: --on: 2026-11-01 is in the future"),
        (("INV-1", "--reason", "price", "--on", "31.10.2026"), "error: --on: '31.10.2026' is not a date"),
    ],
)
def test_open_refuses_bad_input(cli, book, dump, args, fragment):
    before = dump()
    refused(cli("dispute", "open", *args), fragment)
    assert dump() == before


def test_open_usage_errors(cli, book, dump):
    before = dump()
    refused(cli("dispute", "open", "--reason", "price"), "ITEM", code=2)
    refused(cli("dispute", "open", "INV-1"), "--reason", code=2)
    assert dump() == before


def test_reason_accepts_underscores_and_case(ok, book, ledger_env):
    ok("dispute", "open", "INV-1", "--reason", "Not_Received")
    assert rows(ledger_env, "SELECT reason FROM dispute") == [("not-received",)]


# --- resolve -------------------------------------------------------------------------------------------


def test_resolve_by_credit_note_for_the_whole_disputed_amount(ok, book, db, ledger_env):
    ok("dispute", "open", "INV-2/2", "INV-1/1", "--reason", "quality", "--on", "2026-10-15")
    ok("payment", "add", "ACME", "100", "--date", "2026-10-16", "--to", "INV-1:1")
    out = ok("dispute", "resolve", "1", "--credit-note", "--on", "2026-10-20", "--note", "agreed")
    assert out.splitlines() == [
        "resolved dispute 1 (ACME) on 2026-10-20: credit note CN-00001 1,250.00 CNY",
        "  INV-1/1  open 0.00 CNY",
        "  INV-2/2  open 0.00 CNY",
    ]
    assert open_items(ok) == {"INV-2:1": "150.00"}
    assert open_items(ok, "2026-10-19") == {"INV-1:1": "900.00", "INV-2:1": "150.00", "INV-2:2": "350.00"}
    assert rows(ledger_env, """SELECT d.resolution, d.resolved_on, c.number, c.kind, c.reason, c.amount_minor,
                               c.issued_on, c.note FROM dispute d JOIN credit c ON c.id = d.credit_id""") == [
        ("credit_note", "2026-10-20", "CN-00001", "credit_note", "quality", 125000, "2026-10-20",
         "dispute 1 (quality): agreed")
    ]  # fmt: skip
    assert rows(ledger_env, "SELECT action FROM audit_event ORDER BY id DESC LIMIT 2") == [
        ("dispute.resolve",),
        ("credit_note.add",),
    ]
    assert disputed(db, "2026-10-19") == {"INV-1/1", "INV-2/2"}
    assert disputed(db, "2026-10-20") == set()
    doc = listing(ok, "--all")
    assert [(r["status"], r["resolved"], r["age"]) for r in doc["rows"]] == [
        ("credit note CN-00001", "2026-10-20", 5)
    ]
    assert listing(ok)["rows"] == []


def test_resolve_by_credit_note_for_part_spreads_oldest_due_first(ok, book, ledger_env):
    ok("dispute", "open", "INV-2", "INV-1", "--reason", "price", "--on", "2026-10-15")
    out = ok("dispute", "resolve", "1", "--credit-note", "--amount", "1100", "--on", "2026-10-20")
    assert "credit note CN-00001 1,100.00 CNY" in out
    # INV-1/1 (due 08-31) first, then INV-2/1 (due 09-01); INV-2/2 untouched
    assert open_items(ok) == {"INV-2:1": "50.00", "INV-2:2": "350.00"}
    assert rows(ledger_env, "SELECT invoice_id FROM credit") == [(None,)]  # spans two invoices


def test_resolve_by_write_off(ok, book, ledger_env):
    ok("dispute", "open", "INV-1", "--reason", "duplicate", "--on", "2026-10-15")
    out = ok("dispute", "resolve", "1", "--write-off", "--amount", "250.50", "--on", "2026-10-21")
    assert out.splitlines()[0] == "resolved dispute 1 (ACME) on 2026-10-21: write off WO-00001 250.50 CNY"
    assert open_items(ok)["INV-1:1"] == "749.50"
    assert rows(
        ledger_env,
        """SELECT c.kind, c.reason, c.amount_minor, d.resolution FROM dispute d
                               JOIN credit c ON c.id = d.credit_id""",
    ) == [("write_off", "dispute", 25050, "write_off")]


def test_resolve_rejected_gives_no_credit_and_releases_the_items(ok, book, db, ledger_env):
    ok("dispute", "open", "INV-1", "--reason", "price", "--on", "2026-10-15")
    out = ok("dispute", "resolve", "1", "--rejected", "--on", "2026-10-22", "--note", "price was agreed")
    assert out.splitlines()[0] == "resolved dispute 1 (ACME) on 2026-10-22: rejected"
    assert rows(ledger_env, "SELECT resolution, credit_id, resolution_note FROM dispute") == [
        ("rejected", None, "price was agreed")
    ]
    assert rows(ledger_env, "SELECT count(*) FROM credit") == [(0,)]
    assert open_items(ok)["INV-1:1"] == "1000.00"
    assert disputed(db, "2026-10-21") == {"INV-1/1"} and disputed(db, "2026-10-22") == set()


def test_resolve_refusals_change_nothing(cli, ok, book, dump):
    ok("dispute", "open", "INV-1", "--reason", "price", "--on", "2026-10-15")
    ok("dispute", "open", "INV-2/1", "--reason", "price", "--on", "2026-10-15")
    ok("dispute", "resolve", "2", "--rejected", "--on", "2026-10-16")
    before = dump()
    cases = [
        (("1",), "error: resolution: give exactly one of --credit-note, --write-off or --rejected"),
        (("1", "--credit-note", "--rejected"), "error: resolution: give exactly one of"),
        (("1", "--rejected", "--amount", "5"), "error: --amount: --amount goes with --credit-note or --write-off"),
        (("99", "--rejected"), "error: ID: no dispute 99"),
        (("x1", "--rejected"), "error: ID: 'x1' is not a dispute id"),
        (("2", "--rejected"), "dispute 2 was already resolved on 2026-10-16 (rejected)"),
        (("1", "--rejected", "--on", "2026-10-14"), "error: --on: 2026-10-14 is before the dispute was opened"),
        (("1", "--rejected", "--on", "2026-11-01"), "error: --on: 2026-11-01 is in the future"),
        (("1", "--rejected", "--on", "bad"), "error: --on: 'bad' is not a date"),
        (("1", "--credit-note", "--amount", "abc"), "error: --amount:"),
        (("1", "--credit-note", "--amount", "NaN"), "error: --amount:"),
        (("1", "--credit-note", "--amount", "1e400"), "error: --amount:"),
        (("1", "--credit-note", "--amount", "0"), "error: --amount: '0' must be more than zero"),
        (("1", "--credit-note", "--amount=-5"), "error: --amount:"),
        (
            ("1", "--write-off", "--amount", "1000.01"),
            "error: --amount: 1000.01 CNY is more than the disputed items owe",
        ),
    ]
    for args, fragment in cases:
        refused(cli("dispute", "resolve", *args), fragment)
    assert dump() == before


def test_resolve_when_the_items_were_paid_meanwhile(cli, ok, book, dump):
    ok("dispute", "open", "INV-2/1", "--reason", "price", "--on", "2026-10-15")
    ok("payment", "add", "ACME", "150", "--date", "2026-10-16", "--to", "INV-2:1")
    before = dump()
    refused(cli("dispute", "resolve", "1", "--credit-note"), "its items owe nothing any more")
    assert dump() == before
    ok("dispute", "resolve", "1", "--rejected")


def test_list_refuses_bad_input(cli, book):
    refused(cli("dispute", "list", "--as-of", "2026-13-01"), "error: --as-of:")
    refused(cli("dispute", "list", "NOBODY"), "error: no customer matches 'NOBODY'")
    refused(cli("dispute", "list", "--format", "pdf"), code=2)


def test_disputed_items_stay_in_the_aging_and_are_flagged(ok, book):  # type: ignore[no-untyped-def]
    before = ok("aging", "--format", "json")
    assert "under open dispute" not in before
    ok("dispute", "open", "INV-1/1", "--reason", "price", "--on", "2026-10-05")
    after = json.loads(ok("aging", "--format", "json"))
    assert any("1 installment(s) of 1 customer(s) under open dispute" in n for n in after["notes"])
    assert after["totals"] == json.loads(before)["totals"]  # still aged as owed
    assert "under open dispute" not in ok("aging", "--as-of", "2026-10-04")
