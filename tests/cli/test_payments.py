"""arctl payment add|apply|unapply|reverse|list|show: 收款 and 核销 through the CLI."""

from __future__ import annotations

import json
import re
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

# --- speed: build the click tree once, and seed ledgers from saved copies --------------------------

pytestmark = pytest.mark.usefixtures("_fast_cli")


@pytest.fixture
def acme(ok, seeded):  # type: ignore[no-untyped-def]
    """Same as conftest's acme (CNY, net30), restored from a saved copy."""
    seeded("acme", lambda: ok("customer", "add", "ACME", "Acme Trading Co.", "--terms", "net30", "--language",
                              "en", "--contact", "Ann Lee", "--email", "ann@example.com",
                              "--credit-limit", "100000"))  # fmt: skip
    return "ACME"


# --- helpers ---------------------------------------------------------------------------------------


def balance(ok, as_of: str | None = None, customer: str = "ACME") -> dict:  # type: ignore[no-untyped-def]
    args = ["balance", customer, "--format", "json"]
    if as_of:
        args += ["--as-of", as_of]
    return json.loads(ok(*args))


def open_items(doc: dict) -> dict[str, str]:
    """{"INV-1:1": "100.00", ...} of the balance report's rows."""
    return {f"{r['invoice']}:{r['seq']}": r["open"] for r in doc["rows"]}


def totals(doc: dict) -> dict[str, str]:
    return {r["invoice"]: r["open"] for r in doc["totals"]}


def payments(ok, *extra: str) -> list[dict]:  # type: ignore[no-untyped-def]
    return json.loads(ok("payment", "list", "--format", "json", *extra))["rows"]


def count_rows(db_path: Path, table: str) -> int:
    with closing(sqlite3.connect(db_path)) as con:
        return con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def audit_count(db_path: Path) -> int:
    return count_rows(db_path, "audit_event")


def allocation_count(db_path: Path) -> int:
    return count_rows(db_path, "allocation")


@pytest.fixture
def book(ok, acme, seeded):  # type: ignore[no-untyped-def]
    """ACME owes (due dates in brackets):
    INV-3   300.00 issued 07-01 [07-31]
    INV-1  1000.00 issued 08-01 [08-31]
    INV-2   500.00 issued 09-01: #1 150.00 on signing [09-01], #2 350.00 acceptance+30d [pending]
    INV-5   200.00 issued 10-20 [11-19]
    """

    def build() -> None:
        ok("invoice", "add", "ACME", "INV-3", "300.00", "--date", "2026-07-01")
        ok("invoice", "add", "ACME", "INV-1", "1000.00", "--date", "2026-08-01")
        ok("invoice", "add", "ACME", "INV-2", "500.00", "--date", "2026-09-01",
           "--terms", "30% on signing, 70% acceptance+30d")  # fmt: skip
        ok("invoice", "add", "ACME", "INV-5", "200.00", "--date", "2026-10-20")

    seeded("book", build)
    return "ACME"


@pytest.fixture
def others(ok, book, seeded):  # type: ignore[no-untyped-def]
    """Invoices the ACME payments must never reach: another customer's, another currency, a voided one."""

    def build() -> None:
        ok("customer", "add", "BETA", "Beta Ltd.", "--terms", "net30")
        ok("invoice", "add", "BETA", "INV-B", "100.00", "--date", "2026-07-01")
        ok("invoice", "add", "ACME", "INV-U", "100.00", "--date", "2026-07-01", "--currency", "USD")
        ok("invoice", "add", "ACME", "INV-V", "100.00", "--date", "2026-06-01")
        ok("invoice", "void", "INV-V", "--reason", "entered twice", "--on", "2026-06-02")

    seeded("others", build)


# --- auto-apply ------------------------------------------------------------------------------------


def test_auto_applies_oldest_due_first_across_invoices(ok, book):
    out = ok("payment", "add", "ACME", "1200.00", "--date", "2026-09-15")
    assert out.splitlines()[0] == "recorded P1 ACME 1,200.00 CNY received 2026-09-15"
    lines = [line.split() for line in out.splitlines()[1:]]
    assert [line[:2] for line in lines] == [["INV-3:1", "300.00"], ["INV-1:1", "900.00"]]
    assert "unapplied" not in out
    items = open_items(balance(ok))
    assert "INV-3:1" not in items
    assert items["INV-1:1"] == "100.00"
    assert items["INV-2:1"] == "150.00"
    assert "paid" in ok("invoice", "show", "INV-3")
    assert re.search(r"open +100.00  overdue 61d \(part-paid\)", ok("invoice", "show", "INV-1"))


def test_oldest_due_not_oldest_issued_goes_first(ok, acme):
    ok("invoice", "add", "ACME", "LATE-DUE", "100.00", "--date", "2026-08-01", "--terms", "net90")  # due 10-30
    ok("invoice", "add", "ACME", "EARLY-DUE", "100.00", "--date", "2026-09-01", "--terms", "due on receipt")
    ok("payment", "add", "ACME", "150.00", "--date", "2026-10-31")
    items = open_items(balance(ok))
    assert items == {"LATE-DUE:1": "50.00"}


def test_auto_apply_skips_pending_installments_and_invoices_issued_after_the_payment(ok, book, ledger_env):
    out = ok("payment", "add", "ACME", "5000.00", "--date", "2026-10-01")
    assert "unapplied (customer credit): 3,550.00 CNY" in out
    items = open_items(balance(ok))
    assert items == {"INV-2:2": "350.00", "INV-5:1": "200.00"}  # pending, and issued after the payment
    rows = payments(ok, "--unapplied")
    assert [(r["id"], r["unapplied"], r["status"]) for r in rows] == [("P1", "3550.00", "open")]
    assert totals(balance(ok)) == {"Unapplied CNY": "-3550.00", "Balance CNY": "-3000.00"}


def test_auto_apply_covers_every_due_installment_including_not_yet_overdue(ok, book):
    out = ok("payment", "add", "ACME", "2000.00", "--date", "2026-10-31")
    assert "INV-5:1  200.00 CNY" in out  # issued 10-20, due 11-19: has a due date, so it is paid too
    doc = balance(ok)
    assert open_items(doc) == {"INV-2:2": "350.00"}
    # over-payment stays as the customer's credit: a negative Unapplied row in the totals
    assert totals(doc) == {"Unapplied CNY": "-350.00", "Balance CNY": "0.00"}
    assert [(r["id"], r["unapplied"]) for r in payments(ok, "--unapplied")] == [("P1", "350.00")]


def test_apply_none_keeps_all_as_unapplied_cash(ok, book):
    before = open_items(balance(ok))
    out = ok("payment", "add", "ACME", "500.00", "--date", "2026-10-01", "--apply", "none")
    assert "unapplied (customer credit): 500.00 CNY" in out
    doc = balance(ok)
    assert open_items(doc) == before
    assert totals(doc)["Unapplied CNY"] == "-500.00"
    assert [r["status"] for r in payments(ok)] == ["open"]


def test_payment_list_unapplied_filter(ok, book):
    ok("payment", "add", "ACME", "300.00", "--date", "2026-09-01")  # exactly INV-3
    ok("payment", "add", "ACME", "10.00", "--date", "2026-09-02", "--apply", "none")
    assert [r["id"] for r in payments(ok)] == ["P1", "P2"]
    assert [(r["id"], r["status"]) for r in payments(ok)] == [("P1", "applied"), ("P2", "open")]
    assert [r["id"] for r in payments(ok, "--unapplied")] == ["P2"]
    assert payments(ok, "--as-of", "2026-08-31") == []


# --- explicit targets ------------------------------------------------------------------------------


def test_explicit_targets_installment_invoice_and_whole_invoice(ok, book):
    out = ok("payment", "add", "ACME", "1000.00", "--date", "2026-10-01",
             "--to", "INV-2:2=200.00", "--to", "INV-1=300", "--to", "INV-3")  # fmt: skip
    assert "INV-2:2  200.00 CNY" in out  # a pending installment can be paid when named
    assert "INV-1:1  300.00 CNY" in out
    assert "INV-3:1  300.00 CNY" in out  # INV-3 takes all it owes
    assert "unapplied (customer credit): 200.00 CNY" in out  # targets given: the rest is not auto-applied
    items = open_items(balance(ok))
    assert items == {"INV-1:1": "700.00", "INV-2:1": "150.00", "INV-2:2": "150.00", "INV-5:1": "200.00"}


def test_whole_invoice_target_takes_what_it_owes_up_to_the_payment(ok, book):
    out = ok("payment", "add", "ACME", "250.00", "--date", "2026-10-01", "--to", "INV-1")
    assert "INV-1:1  250.00 CNY" in out
    assert "unapplied" not in out
    assert open_items(balance(ok))["INV-1:1"] == "750.00"


def test_invoice_target_with_amount_spreads_over_its_installments_oldest_first(ok, book):
    ok("payment", "add", "ACME", "400.00", "--date", "2026-10-01", "--to", "INV-2=400")
    items = open_items(balance(ok))
    assert "INV-2:1" not in items
    assert items["INV-2:2"] == "100.00"


def test_target_may_be_an_invoice_issued_after_the_payment(ok, book):
    ok("payment", "add", "ACME", "200.00", "--date", "2026-10-01", "--to", "INV-5")
    show = ok("invoice", "show", "INV-5")
    assert "applied 2026-10-20 from P1" in show  # dated max(payment date, invoice date)
    assert "INV-5:1" not in open_items(balance(ok))
    assert "INV-5:1" not in open_items(balance(ok, "2026-10-19"))  # not issued yet
    assert "Unapplied CNY" in totals(balance(ok, "2026-10-19"))  # the cash waited as credit until 10-20
    assert "Unapplied CNY" not in totals(balance(ok, "2026-10-20"))


# --- refused payments leave nothing behind ---------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["800.00", "--to", "INV-2:2=400.00"], "400.00 CNY is more than it owes (350.00 CNY)"),
        (["800.00", "--to", "INV-1=1000.01"], "is more than it owes"),
        (["800.00", "--to", "INV-1=600", "--to", "INV-3=300"], "is more than the payment P"),
        (["800.00", "--to", "INV-1=900"], "900.00 CNY is more than the payment"),
        (["100.00", "--to", "INV-2:2=60", "--to", "INV-2:2=50"], "is more than the payment"),
        (["100.00", "--to", "INV-B"], "invoice INV-B belongs to BETA"),
        (["100.00", "--to", "INV-U"], "invoice INV-U is in USD"),
        (["100.00", "--to", "INV-V"], "invoice INV-V is voided"),
        (["100.00", "--to", "INV-X"], "no invoice 'INV-X'"),
        (["100.00", "--to", "INV-1:x"], "installment 'x' is not a number"),
        (["100.00", "--to", "INV-1="], "amount after '=' is missing"),
        (["100.00", "--to", "=50"], "expected INVOICE[:SEQ][=AMOUNT]"),
        (["100.00", "--to", "INV-1:9"], "has no installment 9"),
        (["100.00", "--to", "INV-1=abc"], "is not an amount"),
        (["100.00", "--to", "INV-1=0"], "must be more than zero"),
        (["100.00", "--to", "INV-1=-5"], "must not be negative"),
        (["100.00", "--to", "INV-1=1.234"], "more than 2 decimal place(s)"),
        (["100.00", "--to", "INV-1", "--to", "INV-X"], "no invoice 'INV-X'"),  # all or nothing
        (["0"], "must be more than zero"),
        (["0.00"], "must be more than zero"),
        (["--", "-5"], "must not be negative"),
        (["(5.00)"], "must not be negative"),
        (["abc"], "is not an amount"),
        (["NaN"], "is not an amount"),
        (["1e3"], "is not an amount"),
        (["12.345"], "more than 2 decimal place(s) for CNY"),
        (["100", "--method", "bitcoin"], "unknown payment method 'bitcoin'"),
        (["100", "--currency", "XYZ"], "unknown currency 'XYZ'"),
        (["100", "--apply", "sometimes"], "'sometimes' is not one of: auto, none"),
        (["100", "--date", "01/02/2026"], "is not a date"),
        (["100", "--date", "2026-02-30"], "is not a valid date"),
    ],
)
def test_refused_payment_records_nothing(cli, ok, others, ledger_env, args, message):
    listed, events, allocs = payments(ok), audit_count(ledger_env), allocation_count(ledger_env)
    # "--" must come before the positional arguments, so the amount is placed after the customer there
    argv = ["payment", "add", "--date", "2026-10-01", "ACME", *args] if args[0] != "--" else [
        "payment", "add", "--date", "2026-10-01", "--", "ACME", *args[1:]]  # fmt: skip
    result = cli(*argv)
    assert result.exit_code == 1, result.stdout + result.stderr
    assert result.stderr.startswith("error: ")
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    assert payments(ok) == listed
    assert audit_count(ledger_env) == events
    assert allocation_count(ledger_env) == allocs


def test_unknown_customer_is_refused(cli, book, ok):
    result = cli("payment", "add", "NOPE", "100")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: no customer matches 'NOPE'")
    assert payments(ok) == []


def test_method_words_are_normalised(ok, book):
    ok("payment", "add", "ACME", "1", "--method", "支票", "--apply", "none")
    ok("payment", "add", "ACME", "1", "--method", "wire", "--apply", "none")
    assert [r["method"] for r in payments(ok)] == ["cheque", "bank_transfer"]


def test_target_on_a_paid_invoice_is_refused(cli, ok, book):
    ok("payment", "add", "ACME", "300.00", "--date", "2026-09-01", "--to", "INV-3")
    result = cli("payment", "add", "ACME", "10.00", "--to", "INV-3")
    assert result.exit_code == 1
    assert "nothing is owed on it any more" in result.stderr
    assert len(payments(ok)) == 1


# --- apply later -----------------------------------------------------------------------------------


def test_apply_later_applies_the_remainder_oldest_first(cli, ok, book):
    ok("payment", "add", "ACME", "1500.00", "--date", "2026-10-01", "--apply", "none")
    # Applied later, the clearing is dated today (2026-10-31): INV-5, issued 10-20, is eligible by then.
    out = ok("payment", "apply", "P1")
    assert out.splitlines()[0].startswith("applied P1 ACME 1,500.00 CNY")
    assert [line.split()[:2] for line in out.splitlines()[1:5]] == [
        ["INV-3:1", "300.00"], ["INV-1:1", "1,000.00"], ["INV-2:1", "150.00"], ["INV-5:1", "50.00"]
    ]  # fmt: skip
    assert all("applied 2026-10-31" in line for line in out.splitlines()[1:5])
    assert open_items(balance(ok)) == {"INV-2:2": "350.00", "INV-5:1": "150.00"}
    # until the day it was applied, the cash was unapplied and the invoices open
    assert open_items(balance(ok, "2026-10-15")) == {
        "INV-3:1": "300.00", "INV-1:1": "1000.00", "INV-2:1": "150.00", "INV-2:2": "350.00"
    }  # fmt: skip
    again = cli("payment", "apply", "P1")
    assert again.exit_code == 1
    assert "is fully applied" in again.stderr


def test_apply_later_on_a_later_date_reaches_later_invoices(ok, book):
    ok("payment", "add", "ACME", "2000.00", "--date", "2026-10-01")  # 1450 applied, 550 left
    out = ok("payment", "apply", "P1", "--on", "2026-10-25")
    assert "INV-5:1  200.00 CNY  applied 2026-10-25" in out
    assert "unapplied (customer credit): 350.00 CNY" in out


def test_apply_after_milestone_pays_the_now_due_installment(ok, book):
    ok("payment", "add", "ACME", "2000.00", "--date", "2026-10-01")
    ok("milestone", "record", "INV-2", "acceptance", "--on", "2026-09-20")
    out = ok("payment", "apply", "P1")
    assert "INV-2:2  350.00 CNY" in out
    assert "INV-5:1  200.00 CNY" in out  # applied today: INV-5 (issued 10-20) is due-dated by then
    assert open_items(balance(ok)) == {}


def test_apply_to_explicit_target_and_refusals(cli, ok, book):
    ok("payment", "add", "ACME", "100.00", "--date", "2026-10-01", "--apply", "none")
    assert "INV-1:1  40.00 CNY" in ok("payment", "apply", "P1", "--to", "INV-1:1=40")
    too_much = cli("payment", "apply", "P1", "--to", "INV-1:1=60.01")
    assert too_much.exit_code == 1
    assert "is more than the payment P1 has left (60.00 CNY)" in too_much.stderr
    early = cli("payment", "apply", "P1", "--to", "INV-1", "--on", "2026-09-30")
    assert early.exit_code == 1
    assert "cannot apply before 2026-10-01" in early.stderr
    ok("payment", "apply", "P1", "--to", "INV-1")
    full = cli("payment", "apply", "P1")
    assert full.exit_code == 1
    assert "payment P1 is fully applied" in full.stderr
    assert open_items(balance(ok))["INV-1:1"] == "900.00"


def test_apply_unknown_payment(cli, book):
    result = cli("payment", "apply", "P99")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ")


# --- unapply: dated reversal of applications -------------------------------------------------------


def test_unapply_is_dated(ok, book):
    ok("payment", "add", "ACME", "1300.00", "--date", "2026-09-15")  # INV-3 300, INV-1 1000
    out = ok("payment", "unapply", "P1", "--from", "INV-1", "--on", "2026-10-10")
    assert "INV-1:1  1,000.00 CNY  applied 2026-09-15 (reversed 2026-10-10)" in out
    assert "INV-3" not in out
    assert "unapplied (customer credit): 1,000.00 CNY" in out
    before = balance(ok, "2026-10-09")
    assert "INV-1:1" not in open_items(before)  # still paid the day before the reversal
    assert "Unapplied CNY" not in totals(before)
    after = balance(ok, "2026-10-10")
    assert open_items(after)["INV-1:1"] == "1000.00"
    assert totals(after)["Unapplied CNY"] == "-1000.00"
    assert "INV-3:1" not in open_items(after)
    assert "paid" in ok("invoice", "show", "INV-1", "--as-of", "2026-10-09")
    assert "overdue" in ok("invoice", "show", "INV-1", "--as-of", "2026-10-10")


def test_unapply_one_installment_and_then_all(cli, ok, book):
    ok("milestone", "record", "INV-2", "acceptance", "--on", "2026-09-05")
    ok("payment", "add", "ACME", "500.00", "--date", "2026-10-01", "--to", "INV-2")
    out = ok("payment", "unapply", "P1", "--from", "INV-2:2", "--on", "2026-10-05")
    assert "INV-2:2  350.00 CNY" in out and "INV-2:1" not in out
    items = open_items(balance(ok))
    assert items["INV-2:2"] == "350.00" and "INV-2:1" not in items
    ok("payment", "unapply", "P1", "--on", "2026-10-06")
    assert open_items(balance(ok))["INV-2:1"] == "150.00"
    nothing = cli("payment", "unapply", "P1", "--on", "2026-10-07")
    assert nothing.exit_code == 1
    assert "payment P1 has nothing applied" in nothing.stderr


def test_unapply_refusals_change_nothing(cli, ok, book, ledger_env):
    ok("payment", "add", "ACME", "300.00", "--date", "2026-09-15")  # INV-3
    events = audit_count(ledger_env)
    early = cli("payment", "unapply", "P1", "--on", "2026-09-14")
    assert early.exit_code == 1
    assert "reversal date 2026-09-14 is before allocation" in early.stderr
    elsewhere = cli("payment", "unapply", "P1", "--from", "INV-1", "--on", "2026-10-01")
    assert elsewhere.exit_code == 1
    assert "payment P1 has nothing applied to INV-1" in elsewhere.stderr
    with_amount = cli("payment", "unapply", "P1", "--from", "INV-3=100", "--on", "2026-10-01")
    assert with_amount.exit_code == 1
    assert "without an amount" in with_amount.stderr
    assert audit_count(ledger_env) == events
    assert "INV-3:1" not in open_items(balance(ok))


def test_unapplied_cash_can_be_applied_again(ok, book):
    ok("payment", "add", "ACME", "300.00", "--date", "2026-09-15", "--to", "INV-3")
    ok("payment", "unapply", "P1", "--on", "2026-10-01")
    out = ok("payment", "apply", "P1", "--to", "INV-1", "--on", "2026-10-02")
    assert "INV-1:1  300.00 CNY  applied 2026-10-02" in out
    items = open_items(balance(ok))
    assert items["INV-3:1"] == "300.00" and items["INV-1:1"] == "700.00"


# --- reverse: the payment did not happen -----------------------------------------------------------


def test_reverse_payment_and_its_allocations(cli, ok, book):
    ok("payment", "add", "ACME", "1300.00", "--date", "2026-09-15", "--reference", "HX001")
    out = ok("payment", "reverse", "P1", "--reason", "bounced", "--on", "2026-10-20")
    assert out.splitlines()[0] == "reversed P1 ACME 1,300.00 CNY received 2026-09-15"
    assert "INV-3:1  300.00 CNY  applied 2026-09-15 (reversed 2026-10-20)" in out
    assert "INV-1:1  1,000.00 CNY  applied 2026-09-15 (reversed 2026-10-20)" in out
    now = balance(ok)
    assert open_items(now)["INV-3:1"] == "300.00" and open_items(now)["INV-1:1"] == "1000.00"
    assert "Unapplied CNY" not in totals(now)  # reversed cash is nobody's credit
    past = balance(ok, "2026-10-19")
    assert "INV-3:1" not in open_items(past) and "INV-1:1" not in open_items(past)
    assert [(r["id"], r["status"], r["unapplied"]) for r in payments(ok)] == [("P1", "reversed", "0.00")]
    assert [(r["id"], r["status"]) for r in payments(ok, "--as-of", "2026-10-19")] == [("P1", "applied")]
    show = ok("payment", "show", "P1")
    assert "INV-3:1  300.00 CNY  applied 2026-09-15 (reversed 2026-10-20)" in show
    assert "reversed on: 2026-10-20" in show
    assert "reverse reason: bounced" in show
    assert "reference: HX001" in show
    # a reversed payment cannot be reversed again, nor applied
    twice = cli("payment", "reverse", "P1", "--reason", "again", "--on", "2026-10-21")
    assert twice.exit_code == 1
    assert "payment P1 was already reversed on 2026-10-20" in twice.stderr
    apply = cli("payment", "apply", "P1")
    assert apply.exit_code == 1
    assert "was reversed" in apply.stderr


def test_reverse_with_unapplied_remainder_removes_the_credit(ok, book):
    ok("payment", "add", "ACME", "500.00", "--date", "2026-10-01", "--apply", "none")
    assert totals(balance(ok))["Unapplied CNY"] == "-500.00"
    ok("payment", "reverse", "P1", "--reason", "entered twice", "--on", "2026-10-02")
    assert "Unapplied CNY" not in totals(balance(ok))
    assert totals(balance(ok, "2026-10-01"))["Unapplied CNY"] == "-500.00"
    assert payments(ok, "--unapplied") == []


def test_reverse_refusals(cli, ok, book, ledger_env):
    ok("payment", "add", "ACME", "300.00", "--date", "2026-09-15")
    events = audit_count(ledger_env)
    early = cli("payment", "reverse", "P1", "--reason", "bounced", "--on", "2026-09-14")
    assert early.exit_code == 1
    assert "reversal date 2026-09-14 is before the payment date 2026-09-15" in early.stderr
    blank = cli("payment", "reverse", "P1", "--reason", "   ")
    assert blank.exit_code == 1
    assert "a reason is required" in blank.stderr
    missing = cli("payment", "reverse", "P1")
    assert missing.exit_code == 2  # usage error: --reason is a required option
    unknown = cli("payment", "reverse", "P7", "--reason", "x")
    assert unknown.exit_code == 1
    assert audit_count(ledger_env) == events
    assert [r["status"] for r in payments(ok)] == ["applied"]


def test_reverse_on_the_payment_date_is_allowed(ok, book):
    ok("payment", "add", "ACME", "300.00", "--date", "2026-09-15")
    ok("payment", "reverse", "P1", "--reason", "wrong customer", "--on", "2026-09-15")
    assert open_items(balance(ok, "2026-09-15"))["INV-3:1"] == "300.00"


def test_reversed_payment_is_not_shown_as_customer_credit(ok, book):
    # (was a bug: payment show/reverse printed a reversed payment's amount as customer credit)
    ok("payment", "add", "ACME", "300.00", "--date", "2026-09-15")
    out = ok("payment", "reverse", "P1", "--reason", "bounced", "--on", "2026-10-01")
    assert "Unapplied CNY" not in totals(balance(ok))
    assert "customer credit" not in out
    assert "customer credit" not in ok("payment", "show", "P1")


def test_payment_show_lists_every_allocation(ok, book):
    ok("payment", "add", "ACME", "1300.00", "--date", "2026-09-15", "--payer", "ACME TRADING", "--note", "Sept")
    ok("payment", "unapply", "P1", "--from", "INV-3", "--on", "2026-10-01")
    show = ok("payment", "show", "P1")
    assert show.splitlines()[0] == "payment P1 ACME 1,300.00 CNY received 2026-09-15"
    assert "INV-3:1  300.00 CNY  applied 2026-09-15 (reversed 2026-10-01)" in show
    assert "INV-1:1  1,000.00 CNY  applied 2026-09-15\n" in show
    assert "unapplied (customer credit): 300.00 CNY" in show
    assert "payer name: ACME TRADING" in show
    assert "note: Sept" in show


def test_auto_apply_stays_in_the_payment_currency(ok, others):
    out = ok("payment", "add", "ACME", "500", "--currency", "USD", "--date", "2026-10-01")
    assert out.splitlines()[1:] == [
        "  INV-U:1  100.00 USD  applied 2026-10-01",
        "  unapplied (customer credit): 400.00 USD",
    ]
    doc = balance(ok)
    assert "INV-U:1" not in open_items(doc)
    assert totals(doc) == {"Balance CNY": "2000.00", "Unapplied USD": "-400.00", "Balance USD": "-400.00"}
    assert [(r["id"], r["currency"], r["unapplied"]) for r in payments(ok, "--customer", "ACME")] == [
        ("P1", "USD", "400.00")
    ]
    assert payments(ok, "--customer", "BETA") == []
