"""arctl verify and the audit trail: one hash-chained event per change; tampering is found and named."""

from __future__ import annotations

import itertools
import re
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

# --- speed: build the click tree once, and seed ledgers from saved copies --------------------------

pytestmark = pytest.mark.usefixtures("_fast_cli")


@pytest.fixture
def ledger(ok, seeded):  # type: ignore[no-untyped-def]
    """A ledger with something of everything: customers, a plan, payments, a credit, a write-off, a void."""

    def build() -> None:
        ok("customer", "add", "ACME", "Acme Trading Co.", "--terms", "net30")
        ok("customer", "add", "BETA", "Beta Ltd.", "--terms", "net30")
        ok("invoice", "add", "ACME", "INV-1", "1000.00", "--date", "2026-08-01")
        ok("invoice", "add", "ACME", "INV-2", "500.00", "--date", "2026-09-01",
           "--terms", "30% on signing, 70% acceptance+30d")  # fmt: skip
        ok("invoice", "add", "BETA", "INV-B", "100.00", "--date", "2026-08-01")
        ok("invoice", "add", "ACME", "INV-V", "80.00", "--date", "2026-08-01")
        ok("invoice", "void", "INV-V", "--reason", "duplicate", "--on", "2026-08-02")
        ok("payment", "add", "ACME", "1000.00", "--date", "2026-09-10")  # INV-1 in full
        ok("payment", "add", "ACME", "100.00", "--date", "2026-09-20", "--to", "INV-2:1=100")
        ok("milestone", "record", "INV-2", "acceptance", "--on", "2026-10-01")
        ok("credit-note", "add", "ACME", "30", "--reason", "price", "--to", "INV-2:2", "--date", "2026-10-02")
        ok("write-off", "add", "INV-B", "--reason", "bad_debt", "--amount", "10", "--on", "2026-10-03")
        ok("payment", "unapply", "P2", "--on", "2026-10-04")
        ok("payment", "add", "ACME", "50.00", "--date", "2026-10-05", "--apply", "none")
        ok("payment", "reverse", "P3", "--reason", "bounced", "--on", "2026-10-06")

    seeded("ledger", build)
    return "ACME"


def query(db_path: Path, sql: str, *params: object) -> list[tuple]:
    with closing(sqlite3.connect(db_path)) as con:
        return con.execute(sql, params).fetchall()


def tamper(db_path: Path, sql: str, *params: object) -> None:
    with closing(sqlite3.connect(db_path)) as con:
        con.execute(sql, params)
        con.commit()


def audit_count(db_path: Path) -> int:
    return query(db_path, "SELECT count(*) FROM audit_event")[0][0]


def failures(cli) -> list[str]:  # type: ignore[no-untyped-def]
    result = cli("verify")
    assert result.exit_code == 3, result.stdout + result.stderr
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[-1].startswith(f"verify: {len(lines) - 1} problem(s) found (")
    assert lines[:-1] and all(line.startswith("FAIL ") for line in lines[:-1])
    return lines[:-1]


# --- a clean ledger --------------------------------------------------------------------------------


def test_empty_ledger_verifies(ok):
    assert ok("verify") == "ok: 0 audit events, 0 invoices, 0 installments, 0 allocations, 0 bank lines checked\n"


def test_clean_ledger_verifies_and_verify_changes_nothing(cli, ledger, ledger_env):
    events = audit_count(ledger_env)
    result = cli("verify")
    assert result.exit_code == 0
    assert result.stderr == ""
    assert (
        result.stdout
        == f"ok: {events} audit events, 4 invoices, 5 installments, 4 allocations, 0 bank lines checked\n"
    )
    assert audit_count(ledger_env) == events


def test_audit_chain_links_every_event_to_the_one_before(ledger, ledger_env):
    rows = query(ledger_env, "SELECT id, prev_hash, hash, action FROM audit_event ORDER BY id")
    assert rows[0][1] == "0" * 64
    for (_, _, previous, _), (_, prev_hash, digest, _) in itertools.pairwise(rows):
        assert prev_hash == previous
        assert re.fullmatch(r"[0-9a-f]{64}", digest)
    assert len({r[2] for r in rows}) == len(rows)
    assert [r[3] for r in rows] == [
        "customer.add", "customer.add", "invoice.add", "invoice.add", "invoice.add", "invoice.add",
        "invoice.void", "payment.add", "payment.add", "milestone.record", "credit_note.add", "write_off.add",
        "payment.unapply", "payment.add", "payment.reverse",
    ]  # fmt: skip


# --- one audit event per change, none for reads or refusals -----------------------------------------


@pytest.mark.parametrize(
    ("args", "action"),
    [
        (["customer", "add", "GAMMA", "Gamma Co."], "customer.add"),
        (["invoice", "add", "ACME", "INV-9", "10.00", "--date", "2026-10-10"], "invoice.add"),
        (["payment", "add", "ACME", "2000.00"], "payment.add"),  # several allocations, still one event
        (["payment", "add", "ACME", "10", "--apply", "none"], "payment.add"),
        (["payment", "apply", "P2"], "payment.apply"),
        (["payment", "unapply", "P1", "--on", "2026-10-20"], "payment.unapply"),
        (["payment", "reverse", "P1", "--reason", "bounced", "--on", "2026-10-20"], "payment.reverse"),
        (["credit-note", "add", "ACME", "5", "--reason", "quality"], "credit_note.add"),
        (["credit-note", "add", "ACME", "5", "--reason", "quality", "--to", "INV-2"], "credit_note.add"),
        (["write-off", "add", "INV-2", "--reason", "small_balance"], "write_off.add"),
        (["write-off", "add", "INV-B", "--reason", "bad_debt", "--amount", "1"], "write_off.add"),
    ],
)
def test_every_change_writes_exactly_one_audit_event(cli, ledger, ledger_env, args, action):
    before = audit_count(ledger_env)
    result = cli(*args)
    assert result.exit_code == 0, result.stderr
    assert audit_count(ledger_env) == before + 1
    last = query(ledger_env, "SELECT action, actor, command FROM audit_event ORDER BY id DESC LIMIT 1")[0]
    assert last[0] == action
    assert last[1] and last[2]
    assert cli("verify").exit_code == 0


@pytest.mark.parametrize(
    "args",
    [
        ["balance", "ACME"],
        ["balance", "ACME", "--as-of", "2026-09-15", "--format", "json"],
        ["aging"],
        ["payment", "list"],
        ["payment", "show", "P1"],
        ["invoice", "show", "INV-2"],
        ["invoice", "list"],
        ["verify"],
    ],
)
def test_reads_write_no_audit_event(cli, ledger, ledger_env, args):
    before = audit_count(ledger_env)
    assert cli(*args).exit_code == 0
    assert audit_count(ledger_env) == before


@pytest.mark.parametrize(
    "args",
    [
        ["payment", "add", "ACME", "10", "--to", "INV-B"],
        ["payment", "add", "ACME", "0"],
        ["payment", "reverse", "P3", "--reason", "again"],
        ["payment", "unapply", "P2", "--on", "2026-10-20"],
        ["credit-note", "add", "ACME", "5", "--reason", "nope"],
        ["write-off", "add", "INV-1", "--reason", "bad_debt"],
        ["invoice", "add", "ACME", "INV-1", "10.00"],
        ["customer", "add", "ACME", "Again"],
        ["invoice", "void", "INV-B", "--reason", "typo"],  # it has a write-off applied
    ],
)
def test_refused_changes_write_no_audit_event(cli, ledger, ledger_env, args):
    before = audit_count(ledger_env)
    result = cli(*args)
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ")
    assert audit_count(ledger_env) == before


# --- tampering is found and named ------------------------------------------------------------------


def test_edited_audit_event_is_named(cli, ledger, ledger_env):
    event_id, after = query(ledger_env, "SELECT id, after FROM audit_event WHERE action = 'payment.add' "
                                        "ORDER BY id LIMIT 1")[0]  # fmt: skip
    assert '"amount":"1000.00"' in after
    tamper(ledger_env, "UPDATE audit_event SET after = ? WHERE id = ?",
           after.replace('"amount":"1000.00"', '"amount":"100.00"', 1), event_id)  # fmt: skip
    assert failures(cli) == [
        f"FAIL audit event {event_id}: content does not match its hash (edited after the fact)"
    ]


def test_edited_audit_actor_is_named(cli, ledger, ledger_env):
    tamper(ledger_env, "UPDATE audit_event SET actor = 'mallory' WHERE id = 3")
    assert failures(cli) == ["FAIL audit event 3: content does not match its hash (edited after the fact)"]


def test_deleted_audit_event_breaks_the_chain(cli, ledger, ledger_env):
    tamper(ledger_env, "DELETE FROM audit_event WHERE id = 5")
    problems = failures(cli)
    assert len(problems) == 1
    assert problems[0].startswith("FAIL audit event 6: links to ")


def test_rehashed_audit_event_still_breaks_the_link(cli, ledger, ledger_env):
    # editing an event and fixing its own hash is not enough: the next event links to the old hash
    import json

    from arctl.db.audit import event_hash

    cols = ("at", "actor", "command", "action", "entity", "entity_id", "before", "after", "prev_hash")
    row = query(ledger_env, f"SELECT {', '.join(cols)} FROM audit_event WHERE id = 8")[0]
    fields = dict(zip(cols, row, strict=True))
    after = json.loads(fields["after"])
    after["amount"] = "1.00"
    fields["after"] = json.dumps(after, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    tamper(ledger_env, "UPDATE audit_event SET after = ?, hash = ? WHERE id = 8", fields["after"],
           event_hash(fields))  # fmt: skip
    problems = failures(cli)
    assert len(problems) == 1
    assert problems[0].startswith("FAIL audit event 9: links to ")


def _installment_id(db_path: Path, number: str, seq: int) -> int:
    return query(db_path, "SELECT installment.id FROM installment JOIN invoice ON invoice.id = installment.invoice_id "
                          "WHERE invoice.number = ? AND installment.seq = ?", number, seq)[0][0]  # fmt: skip


def test_allocation_exceeding_the_installment_is_named(cli, ledger, ledger_env):
    ins = _installment_id(ledger_env, "INV-2", 1)  # 150.00, 100.00 of it unapplied again: open 150.00
    tamper(ledger_env, "INSERT INTO allocation (payment_id, installment_id, amount_minor, applied_on, created_at) "
                       "VALUES (2, ?, 20000, '2026-10-05', '2026-10-05T00:00:00')", ins)  # fmt: skip
    problems = failures(cli)
    assert "FAIL INV-2:1: allocations 200.00 exceed the installment 150.00" in problems
    assert any(p == "FAIL payment P2: allocations 200.00 exceed its amount 100.00" for p in problems)


def test_installments_not_adding_up_to_the_invoice(cli, ledger, ledger_env):
    tamper(ledger_env, "UPDATE installment SET amount_minor = amount_minor + 1 WHERE id = ?",
           _installment_id(ledger_env, "INV-2", 2))  # fmt: skip
    assert failures(cli) == ["FAIL INV-2: installments add up to 500.01, the invoice is 500.00"]


def test_invoice_amount_edited(cli, ledger, ledger_env):
    tamper(ledger_env, "UPDATE invoice SET amount_minor = 90000 WHERE number = 'INV-1'")
    problems = failures(cli)
    assert "FAIL INV-1: installments add up to 1000.00, the invoice is 900.00" in problems


@pytest.mark.parametrize(
    ("number", "seq", "value", "expected"),
    [
        ("INV-1", 1, "2026-01-01", "FAIL INV-1:1: settled_on is 2026-01-01, the allocations say 2026-09-10"),
        ("INV-1", 1, None, "FAIL INV-1:1: settled_on is None, the allocations say 2026-09-10"),
        ("INV-2", 2, "2026-10-02", "FAIL INV-2:2: settled_on is 2026-10-02, the allocations say None"),
        ("INV-V", 1, None, "FAIL INV-V:1: settled_on is None, the allocations say 2026-08-02"),
    ],
)
def test_wrong_settled_on_is_named(cli, ledger, ledger_env, number, seq, value, expected):
    tamper(ledger_env, "UPDATE installment SET settled_on = ? WHERE id = ?", value,
           _installment_id(ledger_env, number, seq))  # fmt: skip
    assert failures(cli) == [expected]


def test_reversed_payment_with_live_allocations(cli, ledger, ledger_env):
    tamper(ledger_env, "UPDATE payment SET reversed_on = '2026-10-30' WHERE id = 1")
    assert failures(cli) == [
        "FAIL payment P1: reversed but still has allocations in force",
        "FAIL payment P1: settled_on is 2026-09-10, its allocations say 2026-10-30",
    ]


def test_wrong_payment_settled_on(cli, ledger, ledger_env):
    tamper(ledger_env, "UPDATE payment SET settled_on = NULL WHERE id = 1")
    assert failures(cli) == ["FAIL payment P1: settled_on is None, its allocations say 2026-09-10"]


def test_allocation_on_a_voided_invoice(cli, ledger, ledger_env):
    tamper(ledger_env, "UPDATE invoice SET voided_on = '2026-10-30' WHERE number = 'INV-1'")
    problems = failures(cli)
    assert "FAIL INV-1: voided but 1 allocation(s) are still applied to it" in problems


def test_allocation_in_another_currency(cli, ledger, ledger_env):
    tamper(ledger_env, "UPDATE payment SET currency = 'USD' WHERE id = 1")
    alloc = query(ledger_env, "SELECT id FROM allocation WHERE payment_id = 1")[0][0]
    assert failures(cli) == [f"FAIL INV-1: allocation {alloc} is in another currency than the invoice"]


def test_every_problem_is_reported_not_just_the_first(cli, ledger, ledger_env):
    tamper(ledger_env, "UPDATE audit_event SET command = 'rm -rf' WHERE id = 2")
    tamper(ledger_env, "UPDATE installment SET amount_minor = amount_minor + 5 WHERE id = ?",
           _installment_id(ledger_env, "INV-2", 2))  # fmt: skip
    tamper(ledger_env, "UPDATE payment SET reversed_on = '2026-10-30' WHERE id = 1")
    problems = failures(cli)
    assert len(problems) == 4  # the reversal also contradicts the payment's settled_on
    assert problems[0].startswith("FAIL audit event 2: content does not match its hash")


def test_overlapping_legal_holds_are_named(cli, ok, ledger, ledger_env):
    ok("customer", "hold", "ACME", "--reason", "lawsuit", "--on", "2026-10-01")
    ok("customer", "release", "ACME", "--on", "2026-10-10")
    ok("customer", "hold", "ACME", "--reason", "appeal", "--on", "2026-10-10")  # the release day: no overlap
    assert cli("verify").exit_code == 0
    tamper(ledger_env, "INSERT INTO customer_hold (customer_id, since, reason, released_on) "
                       "VALUES (1, '2026-10-05', 'typed in', '2026-10-06')")  # fmt: skip
    tamper(ledger_env, "INSERT INTO customer_hold (customer_id, since, reason, released_on) "
                       "VALUES (1, '2026-10-20', 'typed in', '2026-10-21')")  # fmt: skip
    assert failures(cli) == [
        "FAIL customer ACME: legal hold from 2026-10-05 overlaps an earlier one, which was released on 2026-10-10",
        "FAIL customer ACME: legal hold from 2026-10-20 overlaps an earlier one, which is not released",
    ]
