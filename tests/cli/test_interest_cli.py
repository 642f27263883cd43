"""arctl interest terms|quote|charge|reverse: 违约金 on late installments, charged as their own invoices.

Figures are worked out by hand in the comments. Business date (ARCTL_TODAY) is 2026-10-31.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from datetime import date
from pathlib import Path

import pytest
from _shared import refused

pytestmark = pytest.mark.usefixtures("_fast_ledger")


@pytest.fixture(autouse=True)
def _no_user_policy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The shipped policy (disputes stop interest), whatever the developer's ~/.config holds."""
    monkeypatch.setenv("ARCTL_CONFIG_DIR", str(tmp_path / "config"))


@pytest.fixture
def book(ok, seed):  # type: ignore[no-untyped-def]
    """ACME owes INV-1 100,000.00 due 2026-10-01 under contract C-1 (no penalty terms yet);
    INV-OLD 100,000.00 due 2026-03-01 under C-2; INV-NC 500.00 due 2026-10-01 without a contract;
    BETA owes INV-B 1,000.00 due 2026-10-01 under C-B."""

    def build() -> None:
        ok("customer", "add", "ACME", "Acme Trading Co.")
        ok("customer", "add", "BETA", "Beta Ltd.")
        ok("invoice", "add", "ACME", "INV-1", "100000.00", "--date", "2026-09-01", "--terms", "on 2026-10-01",
           "--contract", "C-1")  # fmt: skip
        ok("invoice", "add", "ACME", "INV-OLD", "100000.00", "--date", "2026-02-01", "--terms", "on 2026-03-01",
           "--contract", "C-2")  # fmt: skip
        ok("invoice", "add", "ACME", "INV-NC", "500.00", "--date", "2026-09-01", "--terms", "on 2026-10-01")
        ok("invoice", "add", "BETA", "INV-B", "1000.00", "--date", "2026-09-01", "--terms", "on 2026-10-01",
           "--contract", "C-B")  # fmt: skip

    seed("book", build)


def rows(db: Path, sql: str, *args: object) -> list[tuple]:
    with closing(sqlite3.connect(db)) as con:
        return con.execute(sql, args).fetchall()


def execute(db: Path, sql: str, *args: object) -> None:
    with closing(sqlite3.connect(db)) as con:
        con.execute(sql, args)
        con.commit()


def quote(ok, target: str = "INV-1", as_of: str | None = None) -> dict:  # type: ignore[no-untyped-def]
    doc = json.loads(ok("interest", "quote", target, "--format", "json", *(["--as-of", as_of] if as_of else [])))
    return doc


def installment(doc: dict, item: str = "INV-1:1") -> dict:
    return next(r for r in doc["rows"] if r["item"] == item and r["line"] == "installment")


def periods(doc: dict, item: str = "INV-1:1") -> list[tuple]:
    return [(r["start"], r["end"], r["days"], r["principal"], r["interest"]) for r in doc["rows"]
            if r["item"] == item and r["line"] == "period"]  # fmt: skip


def charge(ok, *args: str) -> dict:  # type: ignore[no-untyped-def]
    return json.loads(ok("interest", "charge", *args, "--format", "json"))


def charges(db: Path) -> list[tuple]:
    return rows(db, "SELECT c.kind, i.number, c.period_start, c.period_end, c.assessed_on, c.amount_minor, "
                    "i.voided_on FROM charge c JOIN invoice i ON i.id = c.invoice_id ORDER BY c.id")  # fmt: skip


# --- terms ---------------------------------------------------------------------------------------------


def test_terms_set_show_and_clear_are_audited(ok, book, ledger_env):
    assert ok("interest", "terms", "C-1").strip() == "contract C-1 (ACME): no penalty terms"
    out = ok("interest", "terms", "C-1", "--rate", "0.05%/day", "--grace", "5", "--cap", "10%")
    assert out.splitlines() == [
        "contract C-1 (ACME): terms changed",
        "  before: no penalty terms",
        "  after:  0.05%/day, grace 5 day(s), cap 10% of the principal",
    ]
    assert rows(ledger_env, "SELECT penalty_basis, penalty_rate_ppm, grace_days, penalty_cap_bp FROM contract "
                            "WHERE number = 'C-1'") == [("daily", 500, 5, 1000)]  # fmt: skip
    ok("interest", "terms", "c-1", "--basis", "annual", "--rate", "6%", "--cap", "none")
    assert rows(ledger_env, "SELECT penalty_basis, penalty_rate_ppm, grace_days, penalty_cap_bp FROM contract "
                            "WHERE number = 'C-1'") == [("annual", 60000, 5, None)]  # fmt: skip
    # the same terms again change nothing and write no audit event
    events = rows(ledger_env, "SELECT count(*) FROM audit_event")
    assert "terms changed" not in ok("interest", "terms", "C-1", "--rate", "6%/year")
    assert rows(ledger_env, "SELECT count(*) FROM audit_event") == events
    ok("interest", "terms", "C-1", "--clear")
    assert ok("interest", "terms", "C-1").strip().endswith("no penalty terms")
    audit = rows(ledger_env, "SELECT action, before, after FROM audit_event WHERE action = 'contract.terms'")
    assert len(audit) == 3
    first_after = json.loads(audit[0][2])
    assert (
        first_after["rate_ppm"] == 500
        and first_after["cap_bp"] == 1000
        and json.loads(audit[0][1])["rate_ppm"] is None
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--rate", "abc"], "--rate: 'abc' is not a rate"),
        (["--rate", "-1%"], "--rate: '-1%': a rate must not be negative"),
        (["--rate", "NaN"], "--rate: 'NaN' is not a rate"),
        (["--rate", "NaN%"], "--rate: 'NaN%' is not a rate"),
        (["--rate", "1e400"], "--rate: '1e400' is not a rate"),
        (["--rate", "Infinity%"], "--rate: 'Infinity%' is not a rate"),
        (["--rate", "0.0005"], "--rate: '0.0005': write the rate with a % sign"),
        (["--rate", "0.00001%"], "finer than 1 ppm"),
        (["--rate", "101%"], "above 100%"),
        (["--rate", "0%"], "must be more than 0%"),
        (["--rate", "5%/week"], "Write /day or /year"),
        (["--rate", "6%/year", "--basis", "daily"], "--rate: '6%/year' is annual but --basis says daily"),
        (["--rate", "0.05%"], "--basis: say whether the rate is per day or per year"),
        (["--basis", "weekly", "--rate", "1%"], "--basis: 'weekly' is not daily or annual"),
        (["--grace", "5"], "--rate: contract C-1 has no rate yet"),
        (["--rate", "1%/day", "--grace", "-1"], "--grace: -1 must be between 0 and"),
        (["--rate", "1%/day", "--cap", "150%"], "--cap: '150%': a cap above 100% is not allowed"),
        (["--rate", "1%/day", "--cap", "10.001%"], "--cap: '10.001%' is finer than 0.01%"),
        (["--rate", "1%/day", "--cap", "ten"], "--cap: 'ten' is not a cap"),
        (["--clear", "--rate", "1%/day"], "--clear: give either --clear or new terms"),
    ],
)
def test_bad_terms_are_refused_and_change_nothing(cli, book, dump, args, message):
    before = dump()
    refused(cli("interest", "terms", "C-1", *args), message)
    assert dump() == before


def test_unknown_contract(cli, book):
    refused(cli("interest", "terms", "C-404", "--rate", "1%/day"), "CONTRACT: no contract 'C-404'")


# --- quotes: hand-computed figures ----------------------------------------------------------------------


def test_daily_rate_no_grace(ok, book):
    ok("interest", "terms", "C-1", "--rate", "0.05%/day")
    doc = quote(ok)
    # 100,000.00 due 10-01: day one 10-02, through 10-31 = 30 days × 50.00 = 1,500.00
    assert periods(doc) == [("2026-10-02", "2026-10-31", 30, "100000.00", "1500.00")]
    row = installment(doc)
    assert (row["interest"], row["charged"], row["to_charge"], row["rate"]) == ("1500.00", "0.00", "1500.00",
                                                                                "0.05%/day")  # fmt: skip
    assert doc["totals"] == [{"line": "total", "item": "Total CNY", "interest": "1500.00", "charged": "0.00",
                              "to_charge": "1500.00", "currency": "CNY"}]  # fmt: skip


def test_partial_payment_lowers_the_base_from_the_next_day(ok, book):
    ok("interest", "terms", "C-1", "--rate", "0.05%/day")
    ok("payment", "add", "ACME", "40000.00", "--date", "2026-10-11", "--to", "INV-1")
    doc = quote(ok)
    # 10-02..10-11: 10 days × 100,000.00 × 0.05 % = 500.00 (the payment day still bears the old base)
    # 10-12..10-31: 20 days ×  60,000.00 × 0.05 % = 600.00            total 1,100.00
    assert periods(doc) == [("2026-10-02", "2026-10-11", 10, "100000.00", "500.00"),
                            ("2026-10-12", "2026-10-31", 20, "60000.00", "600.00")]  # fmt: skip
    assert installment(doc)["interest"] == "1100.00"
    # as of 10-10 the payment had not happened: 9 days × 50.00 = 450.00 on the whole amount
    past = quote(ok, as_of="2026-10-10")
    assert periods(past) == [("2026-10-02", "2026-10-10", 9, "100000.00", "450.00")]
    assert installment(past)["interest"] == "450.00"


def test_full_payment_stops_interest(ok, book):
    ok("interest", "terms", "C-1", "--rate", "0.05%/day")
    ok("payment", "add", "ACME", "100000.00", "--date", "2026-10-11", "--to", "INV-1")
    # 10-02..10-11 = 10 days × 50.00 = 500.00, nothing after
    row = installment(quote(ok))
    assert (row["interest"], row["end"], row["note"]) == ("500.00", "2026-10-11", "paid 2026-10-11")
    assert installment(quote(ok, as_of="2026-10-05"))["interest"] == "200.00"  # 10-02..10-05: 4 days


def test_annual_rate_act_365(ok, book):
    ok("interest", "terms", "C-1", "--basis", "annual", "--rate", "6%")
    # 100,000.00 × 6 % × 30 / 365 = 493.150684... → 493.15
    row = installment(quote(ok))
    assert (row["interest"], row["rate"], row["days"]) == ("493.15", "6%/year", 30)


def test_grace_days(ok, book):
    ok("interest", "terms", "C-1", "--rate", "0.05%/day", "--grace", "5")
    # day one = 10-01 + 5 + 1 = 10-07; 10-07..10-31 = 25 days × 50.00 = 1,250.00
    assert periods(quote(ok)) == [("2026-10-07", "2026-10-31", 25, "100000.00", "1250.00")]
    row = installment(quote(ok, as_of="2026-10-06"))
    assert (row["interest"], row["note"]) == ("0.00", "not late")


def test_cap_cuts_the_total(ok, book):
    ok("interest", "terms", "C-2", "--rate", "0.05%/day", "--cap", "10%")
    # INV-OLD due 03-01: 03-02..10-31 = 30+30+31+30+31+31+30+31 = 244 days × 50.00 = 12,200.00 > cap 10,000.00
    doc = quote(ok, "INV-OLD")
    assert periods(doc, "INV-OLD:1") == [("2026-03-02", "2026-10-31", 244, "100000.00", "12200.00")]
    row = installment(doc, "INV-OLD:1")
    assert (row["interest"], row["cap"], row["capped"], row["note"]) == ("10000.00", "10000.00", "yes", "capped")
    # 06-30: 03-02..06-30 = 121 days × 50.00 = 6,050.00, under the cap
    assert installment(quote(ok, "INV-OLD", "2026-06-30"), "INV-OLD:1")["capped"] == ""


def test_customer_quote_lists_items_without_terms(ok, book):
    ok("interest", "terms", "C-1", "--rate", "0.05%/day")
    doc = quote(ok, "ACME")
    assert installment(doc, "INV-NC:1")["note"] == "no penalty terms"
    assert installment(doc, "INV-OLD:1")["note"] == "no penalty terms"
    assert any("2 installment(s) without penalty terms" in n for n in doc["notes"])
    assert doc["totals"][0]["interest"] == "1500.00"


def test_csv_is_stable_decimal_strings(ok, book):
    ok("interest", "terms", "C-1", "--rate", "0.05%/day")
    ok("payment", "add", "ACME", "40000.00", "--date", "2026-10-11", "--to", "INV-1")
    out = ok("interest", "quote", "INV-1", "--format", "csv")
    assert out.splitlines() == [
        "line,customer,item,due,start,end,days,principal,rate,interest,cap,capped,charged,to_charge,currency,note",
        "period,ACME,INV-1:1,2026-10-01,2026-10-02,2026-10-11,10,100000.00,0.05%/day,500.00,,,,,CNY,",
        "period,ACME,INV-1:1,2026-10-01,2026-10-12,2026-10-31,20,60000.00,0.05%/day,600.00,,,,,CNY,",
        "installment,ACME,INV-1:1,2026-10-01,2026-10-02,2026-10-31,30,100000.00,0.05%/day,1100.00,,,0.00,1100.00,CNY,"
        "total",
        "total,,Total CNY,,,,,,,1100.00,,,0.00,1100.00,CNY,",
    ]
    assert out == ok("interest", "quote", "INV-1", "--format", "csv")


def test_quote_is_readable_as_a_table(ok, book):
    ok("interest", "terms", "C-1", "--rate", "0.05%/day")
    out = ok("interest", "quote", "INV-1")
    assert "违约金 quote as of 2026-10-31" in out and "1,500.00" in out


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["INV-404"], 1, "TARGET: no invoice or customer 'INV-404'"),
        (["INV-1", "--as-of", "31/10/2026"], 1, "--as-of: '31/10/2026' is not a date"),
        (["INV-1", "--as-of", "soon"], 1, "--as-of: 'soon' is not a date"),
        (["INV-1", "--format", "yaml"], 2, "yaml"),
    ],
)
def test_bad_quote_input(cli, book, dump, args, code, message):
    before = dump()
    refused(cli("interest", "quote", *args), message, code=code)
    assert dump() == before


# --- charging -------------------------------------------------------------------------------------------


def test_charge_posts_an_invoice_and_twice_posts_nothing(ok, book, ledger_env, dump):
    ok("interest", "terms", "C-1", "--rate", "0.05%/day")
    doc = charge(ok, "INV-1")
    assert [(r["item"], r["start"], r["end"], r["amount"], r["status"], r["charge"]) for r in doc["rows"]] == [
        ("INV-1:1", "2026-10-02", "2026-10-31", "1500.00", "charged", "INV-1-LI1")
    ]
    assert charges(ledger_env) == [
        ("interest", "INV-1-LI1", "2026-10-02", "2026-10-31", "2026-10-31", 150000, None)
    ]
    # the charge is an ordinary receivable: one installment due on the day it was assessed, no contract
    assert rows(ledger_env, "SELECT i.amount_minor, i.issue_date, i.contract_id, s.kind, s.due_date, s.amount_minor "
                            "FROM invoice i JOIN installment s ON s.invoice_id = i.id "
                            "WHERE i.number = 'INV-1-LI1'") == [(150000, "2026-10-31", None, "regular",
                                                                 "2026-10-31", 150000)]  # fmt: skip
    assert "INV-1-LI1" in ok("balance", "ACME")
    actions = [a for (a,) in rows(ledger_env, "SELECT action FROM audit_event ORDER BY id")]
    assert actions[-2:] == ["invoice.add", "charge.interest"]
    before = dump()
    again = charge(ok, "INV-1")
    assert again["rows"] == [] and "1 installment(s) with nothing new to charge" in again["notes"]
    assert dump() == before
    assert installment(quote(ok))["charged"] == "1500.00" and installment(quote(ok))["to_charge"] == "0.00"
    # the charge itself bears no interest, and a quote of it says so
    assert installment(quote(ok, "INV-1-LI1"), "INV-1-LI1:1")["note"] == "a charge: bears no interest"
    ok("verify")  # exit 0: the chain and the invariants hold with charge invoices in the ledger


def test_charges_on_two_dates_add_up_to_the_quote_exactly(ok, book, ledger_env):
    ok("interest", "terms", "C-1", "--basis", "annual", "--rate", "6%")
    # daily interest is 100,000.00 × 6 % / 365 = 16.438356...; as of 10-04 (3 days) 49.315... → 49.32
    first = charge(ok, "INV-1", "--as-of", "2026-10-04")
    assert [(r["start"], r["end"], r["amount"]) for r in first["rows"]] == [("2026-10-02", "2026-10-04", "49.32")]
    # as of 10-31 the total is 493.15 (30 days); rounding the 27 new days alone would give 443.84
    second = charge(ok, "INV-1", "--as-of", "2026-10-31")
    assert [(r["start"], r["end"], r["amount"], r["charge"]) for r in second["rows"]] == [
        ("2026-10-05", "2026-10-31", "443.83", "INV-1-LI2")
    ]
    assert sum(c[5] for c in charges(ledger_env)) == 49315
    assert installment(quote(ok))["interest"] == "493.15"
    # as of 10-04 the quote shows the first charge only (the second was assessed later)
    past = installment(quote(ok, as_of="2026-10-04"))
    assert (past["charged"], past["to_charge"]) == ("49.32", "0.00")
    # charging as of an earlier day again would count the later charge twice: skipped
    rerun = charge(ok, "INV-1", "--as-of", "2026-10-10")
    assert [r["status"] for r in rerun["rows"]] == ["skipped: already charged on 2026-10-31, after the as-of date"]
    assert len(charges(ledger_env)) == 2


def test_dry_run_writes_nothing(ok, book, dump):
    ok("interest", "terms", "C-1", "--rate", "0.05%/day")
    before = dump()
    doc = charge(ok, "--all", "--dry-run")
    assert [(r["item"], r["amount"], r["status"]) for r in doc["rows"]] == [("INV-1:1", "1500.00", "would charge")]
    assert "dry run: nothing was written" in doc["notes"]
    assert dump() == before


def test_charge_all_covers_every_contract_with_terms(ok, book, ledger_env):
    ok("interest", "terms", "C-1", "--rate", "0.05%/day")
    ok("interest", "terms", "C-B", "--rate", "0.1%/day")
    doc = charge(ok, "--all")
    # INV-B: 1,000.00 × 0.1 % × 30 days = 30.00
    assert [(r["customer"], r["item"], r["amount"]) for r in doc["rows"]] == [
        ("ACME", "INV-1:1", "1500.00"), ("BETA", "INV-B:1", "30.00")
    ]  # fmt: skip
    assert doc["totals"] == [{"item": "Total CNY", "amount": "1530.00", "currency": "CNY"}]
    assert [c[1] for c in charges(ledger_env)] == ["INV-1-LI1", "INV-B-LI1"]


def test_reverse_then_charge_again(ok, cli, book, ledger_env):
    ok("interest", "terms", "C-1", "--rate", "0.05%/day")
    ok("interest", "charge", "INV-1", "--as-of", "2026-10-20")  # 10-02..10-20: 19 days × 50.00 = 950.00
    out = ok("interest", "reverse", "INV-1-LI1", "--on", "2026-10-25", "--reason", "wrong rate")
    assert out.strip() == ("reversed charge 1 (interest on INV-1:1): invoice INV-1-LI1 950.00 CNY "
                           "voided on 2026-10-25")  # fmt: skip
    assert rows(ledger_env, "SELECT void_reason FROM invoice WHERE number = 'INV-1-LI1'") == [
        ("charge 1 reversed: wrong rate",)
    ]
    # reversed: it no longer counts, so the whole 1,500.00 is charged again, from day one
    assert installment(quote(ok))["charged"] == "0.00"
    assert installment(quote(ok, as_of="2026-10-24"))["charged"] == "950.00"  # still in force then
    doc = charge(ok, "INV-1")
    assert [(r["start"], r["end"], r["amount"], r["charge"]) for r in doc["rows"]] == [
        ("2026-10-02", "2026-10-31", "1500.00", "INV-1-LI2")
    ]
    refused(cli("interest", "reverse", "INV-1-LI1", "--reason", "again"), "INV-1-LI1 was already voided")


def test_reverse_is_refused_while_the_charge_is_paid(ok, cli, book, dump):
    ok("interest", "terms", "C-1", "--rate", "0.05%/day")
    ok("interest", "charge", "INV-1")
    ok("payment", "add", "ACME", "1500.00", "--date", "2026-10-31", "--to", "INV-1-LI1")
    before = dump()
    refused(cli("interest", "reverse", "1", "--reason", "x"), "invoice INV-1-LI1 has 1 payment/credit allocation")
    refused(cli("interest", "reverse", "99", "--reason", "x"), "CHARGE: no charge '99'")
    refused(cli("interest", "reverse", "1", "--reason", " "), "--reason: a reason is required")
    assert dump() == before


def test_a_credit_note_waives_interest(ok, book):
    ok("interest", "terms", "C-1", "--rate", "0.05%/day")
    ok("interest", "charge", "INV-1", "--as-of", "2026-10-20")
    ok("credit-note", "add", "ACME", "950.00", "--reason", "discount", "--to", "INV-1-LI1", "--date", "2026-10-21")
    # the waived charge still counts as charged: only the days since are charged (11 × 50.00)
    doc = charge(ok, "INV-1")
    assert [(r["start"], r["end"], r["amount"]) for r in doc["rows"]] == [("2026-10-21", "2026-10-31", "550.00")]


def test_disputed_item_is_skipped_until_resolved(ok, book, ledger_env):
    ok("interest", "terms", "C-1", "--rate", "0.05%/day")
    execute(ledger_env, "INSERT INTO dispute (customer_id, reason, opened_on, created_at) "
                        "SELECT id, 'quality', '2026-10-15', 'now' FROM customer WHERE code = 'ACME'")  # fmt: skip
    execute(ledger_env, "INSERT INTO dispute_item (dispute_id, installment_id) SELECT 1, s.id FROM installment s "
                        "JOIN invoice i ON i.id = s.invoice_id WHERE i.number = 'INV-1'")  # fmt: skip
    doc = charge(ok, "INV-1", "--as-of", "2026-10-20")
    assert [(r["amount"], r["status"]) for r in doc["rows"]] == [("950.00", "skipped: disputed")]
    assert charges(ledger_env) == []
    row = installment(quote(ok, as_of="2026-10-20"))
    assert (row["interest"], row["to_charge"], row["note"]) == ("950.00", "0.00", "disputed: not charged")
    # before the dispute was opened the item could be charged; and once resolved it is charged in full
    execute(ledger_env, "UPDATE dispute SET resolved_on = '2026-10-25', resolution = 'rejected'")
    doc = charge(ok, "INV-1")
    assert [(r["amount"], r["status"]) for r in doc["rows"]] == [("1500.00", "charged")]


def test_disputes_charged_when_the_policy_says_so(ok, book, ledger_env, tmp_path):
    config = tmp_path / "config"
    config.mkdir()
    (config / "policy.toml").write_text("[holds]\ndisputes_stop_interest = false\n", encoding="utf-8")
    ok("interest", "terms", "C-1", "--rate", "0.05%/day")
    execute(ledger_env, "INSERT INTO dispute (customer_id, reason, opened_on, created_at) "
                        "SELECT id, 'price', '2026-10-15', 'now' FROM customer WHERE code = 'ACME'")  # fmt: skip
    execute(ledger_env, "INSERT INTO dispute_item (dispute_id, installment_id) SELECT 1, id FROM installment "
                        "WHERE invoice_id = (SELECT id FROM invoice WHERE number = 'INV-1')")  # fmt: skip
    assert [r["status"] for r in charge(ok, "INV-1")["rows"]] == ["charged"]


def test_legal_hold_is_skipped(ok, book, ledger_env):
    ok("interest", "terms", "C-1", "--rate", "0.05%/day")
    ok("customer", "hold", "ACME", "--reason", "诉讼中", "--on", "2026-10-20")
    doc = charge(ok, "--all")
    assert [(r["item"], r["status"]) for r in doc["rows"]] == [("INV-1:1", "skipped: on hold (诉讼中)")]
    assert charges(ledger_env) == []
    assert "on hold (诉讼中)" in installment(quote(ok))["note"]
    # before the hold started the interest could be charged
    assert [r["status"] for r in charge(ok, "ACME", "--as-of", "2026-10-19")["rows"]] == ["charged"]


def test_a_released_hold_still_holds_the_days_it_was_in_force(ok, book, ledger_env):
    """Hold on 10-10, released on 10-20: a quote for a day in between still sees it (the hold is history,
    not a flag cleared by the release); the release day and later are not held."""
    ok("interest", "terms", "C-1", "--rate", "0.05%/day")
    ok("customer", "hold", "ACME", "--reason", "诉讼中", "--on", "2026-10-10")
    ok("customer", "release", "ACME", "--on", "2026-10-20")
    assert "on hold" not in installment(quote(ok, as_of="2026-10-09"))["note"]
    assert "on hold (诉讼中)" in installment(quote(ok, as_of="2026-10-10"))["note"]
    assert "on hold (诉讼中)" in installment(quote(ok, as_of="2026-10-15"))["note"]
    assert "on hold (诉讼中)" in installment(quote(ok, as_of="2026-10-19"))["note"]
    assert "on hold" not in installment(quote(ok, as_of="2026-10-20"))["note"]
    assert "on hold" not in installment(quote(ok, as_of="2026-10-25"))["note"]
    # charging for a day inside the hold skips it; after the release it charges
    doc = charge(ok, "ACME", "--as-of", "2026-10-15")
    assert [(r["item"], r["status"]) for r in doc["rows"]] == [("INV-1:1", "skipped: on hold (诉讼中)")]
    assert charges(ledger_env) == []
    assert [r["status"] for r in charge(ok, "ACME", "--as-of", "2026-10-25")["rows"]] == ["charged"]
    # held again later: a new period, the first one unchanged
    ok("customer", "hold", "ACME", "--reason", "破产", "--on", "2026-10-28")
    assert "on hold (诉讼中)" in installment(quote(ok, as_of="2026-10-15"))["note"]
    assert "on hold (破产)" in installment(quote(ok))["note"]
    assert rows(ledger_env, "SELECT since, reason, released_on FROM customer_hold ORDER BY id") == [
        ("2026-10-10", "诉讼中", "2026-10-20"), ("2026-10-28", "破产", None)
    ]  # fmt: skip


def test_overcharged_item_is_reported_not_reversed(ok, book, ledger_env):
    ok("interest", "terms", "C-1", "--rate", "0.05%/day")
    ok("interest", "charge", "INV-1", "--as-of", "2026-10-20")  # 950.00
    # a payment recorded later, applied as of 10-05: interest as of 10-20 is really 4 days × 50.00 = 200.00
    ok("payment", "add", "ACME", "100000.00", "--date", "2026-10-05", "--to", "INV-1")
    doc = charge(ok, "INV-1")
    assert [(r["amount"], r["status"]) for r in doc["rows"]] == [
        ("-750.00", "over-charged by 750.00: issue a credit note")
    ]
    assert len(charges(ledger_env)) == 1
    assert "over-charged by 750.00" in installment(quote(ok))["note"]


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["INV-404"], 1, "TARGET: no invoice or customer 'INV-404'"),
        ([], 1, "TARGET: give an INVOICE or CUSTOMER, or --all"),
        (["INV-1", "--all"], 1, "TARGET: give an INVOICE or CUSTOMER, or --all"),
        (["INV-1", "--as-of", "2026-11-01"], 1, "--as-of: 2026-11-01 is after today"),
        (["INV-1", "--as-of", "yesterday-ish"], 1, "--as-of: 'yesterday-ish' is not a date"),
    ],
)
def test_bad_charge_input_changes_nothing(cli, ok, book, dump, args, code, message):
    ok("interest", "terms", "C-1", "--rate", "0.05%/day")
    before = dump()
    refused(cli("interest", "charge", *args), message, code=code)
    assert dump() == before


# --- the service API (the reminder service posts fees inside its own transaction) ----------------------


def _db():  # type: ignore[no-untyped-def]
    from arctl.db.engine import open_db

    return open_db()


def _installment(session, number: str) -> int:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from arctl.db.models import Installment, Invoice

    return session.execute(
        select(Installment.id).join(Invoice).where(Invoice.number == number, Installment.seq == 1)
    ).scalar_one()


def test_fee_is_posted_once_per_step(ok, book, ledger_env):
    from arctl.services.charges import charged_interest, post_fee

    db = _db()
    try:
        with db.write() as session:
            ins = _installment(session, "INV-1")
            fee = post_fee(session, installment_id=ins, step_key="second", amount_minor=5000, currency="cny",
                           on=date(2026, 10, 20))  # fmt: skip
            assert fee is not None and fee.kind == "fee"
            again = post_fee(session, installment_id=ins, step_key="second", amount_minor=5000, currency="CNY",
                             on=date(2026, 10, 21))  # fmt: skip
            assert again is None
            assert post_fee(session, installment_id=ins, step_key="final", amount_minor=100, currency="CNY",
                            on=date(2026, 10, 21)) is not None  # fmt: skip
            assert charged_interest(session, [ins], date(2026, 10, 31)) == {}  # fees are not interest
            fee_ins = _installment(session, "INV-1-FEE-second")
            assert (
                post_fee(
                    session,
                    installment_id=fee_ins,
                    step_key="second",
                    amount_minor=5000,
                    currency="CNY",
                    on=date(2026, 10, 31),
                )
                is None
            )  # charges bear no fees
    finally:
        db.dispose()
    assert [c[:2] + c[5:] for c in charges(ledger_env)] == [("fee", "INV-1-FEE-second", 5000, None),
                                                            ("fee", "INV-1-FEE-final", 100, None)]  # fmt: skip
    # reversed, the step is still taken: never charged twice
    ok("interest", "reverse", "INV-1-FEE-second", "--reason", "goodwill")
    db = _db()
    try:
        with db.write() as session:
            ins = _installment(session, "INV-1")
            assert post_fee(session, installment_id=ins, step_key="second", amount_minor=5000, currency="CNY",
                            on=date(2026, 10, 31)) is None  # fmt: skip
    finally:
        db.dispose()


def test_post_interest_checks_and_numbers(ok, book, ledger_env):
    from arctl.domain.errors import ArctlError
    from arctl.services.charges import charged_interest, post_interest

    long_number = "L" * 60
    ok("invoice", "add", "ACME", long_number, "10.00", "--date", "2026-09-01")
    ok("invoice", "add", "ACME", "INV-1-LI2", "10.00", "--date", "2026-09-01")  # typed by hand: taken
    db = _db()
    try:
        with db.write() as session:
            ins = _installment(session, "INV-1")
            period = (date(2026, 10, 2), date(2026, 10, 10))
            post_interest(session, installment_id=ins, amount_minor=100, currency="CNY", period=period,
                          on=date(2026, 10, 10))  # fmt: skip
            post_interest(session, installment_id=ins, amount_minor=200, currency="CNY",
                          period=(date(2026, 10, 11), date(2026, 10, 12)), on=date(2026, 10, 12))  # fmt: skip
            post_interest(session, installment_id=_installment(session, long_number), amount_minor=1,
                          currency="CNY", period=period, on=date(2026, 10, 10))  # fmt: skip
            assert charged_interest(session, [ins], date(2026, 10, 11)) == {ins: 100}
            assert charged_interest(session, [ins], date(2026, 10, 12)) == {ins: 300}
            for kwargs, message in [
                ({"amount_minor": 0}, "more than zero"),
                ({"currency": "USD"}, "is in CNY"),
                (
                    {"on": date(2026, 8, 1), "period": (date(2026, 7, 1), date(2026, 7, 2))},
                    "before the invoice date",
                ),
                ({"period": (date(2026, 10, 5), date(2026, 10, 1))}, "ends before it starts"),
            ]:
                args = {"installment_id": ins, "amount_minor": 5, "currency": "CNY", "period": period,
                        "on": date(2026, 10, 20), **kwargs}  # fmt: skip
                with pytest.raises(ArctlError, match=message):
                    post_interest(session, **args)
            charge_ins = _installment(session, "INV-1-LI1")
            with pytest.raises(ArctlError, match="is itself a charge"):
                post_interest(session, installment_id=charge_ins, amount_minor=5, currency="CNY", period=period,
                              on=date(2026, 10, 20))  # fmt: skip
    finally:
        db.dispose()
    numbers = [c[1] for c in charges(ledger_env)]
    # INV-1-LI2 was taken by hand: the second charge gets INV-1-LI2.2; the 60-character number is cut
    assert numbers == ["INV-1-LI1", "INV-1-LI2.2", "L" * 56 + "-LI1"]
    assert all(len(n) <= 60 for n in numbers)
