"""arctl contact log|list: the contact log, and how a logged call or visit closes open reminder tasks."""

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
    def build() -> None:
        ok("customer", "add", "ACME", "Acme Trading Co.", "--terms", "net30")
        ok("customer", "add", "BETA", "Beta Ltd.", "--terms", "net30")

    seeded("book", build)
    return "ACME"


def rows(db_path: Path, sql: str, *params: object) -> list[tuple]:
    with closing(sqlite3.connect(db_path)) as con:
        return con.execute(sql, params).fetchall()


def task(db_path: Path, customer: str, channel: str, run_on: str, status: str = "task") -> int:
    """A reminder message as `remind run` leaves it (a phone/visit/legal task waits on the worklist)."""
    with closing(sqlite3.connect(db_path)) as con, con:
        (customer_id,) = con.execute("SELECT id FROM customer WHERE code = ?", (customer,)).fetchone()
        cur = con.execute(
            "INSERT INTO reminder_message (customer_id, run_on, channel, step_key, ladder, template, language, "
            "recipient, subject, body, status, created_at) VALUES (?, ?, ?, ?, 'standard', 'call', 'zh', NULL, "
            "'call', 'call the customer', ?, '2026-10-01T00:00:00+00:00')",
            (customer_id, run_on, channel, f"{channel}-step", status),
        )
        return int(cur.lastrowid or 0)


def statuses(db_path: Path) -> dict[int, tuple[str, str | None]]:
    return {i: (s, d) for i, s, d in rows(db_path, "SELECT id, status, done_on FROM reminder_message")}


def test_log_a_call_closes_the_open_phone_tasks_up_to_that_day(ok, book, ledger_env):
    old = task(ledger_env, "ACME", "phone", "2026-10-10")
    same_day = task(ledger_env, "ACME", "phone", "2026-10-20")
    later = task(ledger_env, "ACME", "phone", "2026-10-25")
    visit = task(ledger_env, "ACME", "visit", "2026-10-10")
    other = task(ledger_env, "BETA", "phone", "2026-10-10")
    out = ok("contact", "log", "ACME", "--channel", "phone", "--outcome", "promised", "--contact", "Ann Lee",
             "--next", "2026-11-05", "--on", "2026-10-20", "--note", "will pay half on the 5th")  # fmt: skip
    assert out.splitlines() == [
        "logged phone with ACME on 2026-10-20: promised (next 2026-11-05)",
        f"  closed task R{old} (phone-step, from 2026-10-10)",
        f"  closed task R{same_day} (phone-step, from 2026-10-20)",
    ]
    assert statuses(ledger_env) == {
        old: ("done", "2026-10-20"), same_day: ("done", "2026-10-20"), later: ("task", None),
        visit: ("task", None), other: ("task", None),
    }  # fmt: skip
    assert rows(
        ledger_env, "SELECT channel, outcome, note, next_on, contact_name, reminder_id FROM contact_log"
    ) == [("phone", "promised", "will pay half on the 5th", "2026-11-05", "Ann Lee", None)]
    (after,) = rows(ledger_env, "SELECT action, after FROM audit_event ORDER BY id DESC LIMIT 1")
    assert after[0] == "contact.log" and json.loads(after[1])["closed_tasks"] == [old, same_day]


def test_a_visit_closes_visit_tasks_and_an_email_closes_none(ok, book, ledger_env):
    visit = task(ledger_env, "ACME", "visit", "2026-10-10")
    legal = task(ledger_env, "ACME", "legal", "2026-10-10")
    out = ok("contact", "log", "ACME", "--channel", "email", "--outcome", "sent statement", "--on", "2026-10-20")
    assert out == "logged email with ACME on 2026-10-20: sent statement\n"
    assert statuses(ledger_env) == {visit: ("task", None), legal: ("task", None)}
    assert "closed task" in ok("contact", "log", "ACME", "--channel", "拜访", "--outcome", "reached")
    assert statuses(ledger_env)[visit] == ("done", "2026-10-31")
    ok("contact", "log", "ACME", "--channel", "legal", "--outcome", "lawyer's letter sent")
    assert statuses(ledger_env)[legal] == ("done", "2026-10-31")


def test_list_is_oldest_first_with_since_and_customer(ok, book, ledger_env):
    ok("contact", "log", "ACME", "--channel", "phone", "--outcome", "no-answer", "--on", "2026-10-02")
    ok("contact", "log", "BETA", "--channel", "wechat", "--outcome", "reached", "--on", "2026-10-05")
    ok("contact", "log", "ACME", "--channel", "visit", "--outcome", "paid", "--on", "2026-10-09")
    message = task(ledger_env, "ACME", "email", "2026-10-04", status="written")
    with closing(sqlite3.connect(ledger_env)) as con, con:  # what `remind run` writes beside a message it sends
        con.execute("INSERT INTO contact_log (customer_id, occurred_on, channel, outcome, reminder_id, user, "
                    "created_at) VALUES (1, '2026-10-04', 'email', 'written: first reminder', ?, 'cron', 'x')",
                    (message,))  # fmt: skip
    doc = json.loads(ok("contact", "list", "--format", "json"))
    assert [(r["on"], r["customer"], r["channel"], r["outcome"]) for r in doc["rows"]] == [
        ("2026-10-02", "ACME", "phone", "no-answer"),
        ("2026-10-04", "ACME", "email", "written: first reminder"),
        ("2026-10-05", "BETA", "wechat", "reached"),
        ("2026-10-09", "ACME", "visit", "paid"),
    ]
    assert doc["rows"][1]["reminder"] == f"R{message}" and doc["rows"][1]["user"] == "cron"
    since = json.loads(ok("contact", "list", "ACME", "--since", "2026-10-03", "--format", "json"))
    assert [r["on"] for r in since["rows"]] == ["2026-10-04", "2026-10-09"]
    as_of = json.loads(ok("contact", "list", "--as-of", "2026-10-04", "--format", "json"))
    assert len(as_of["rows"]) == 2
    assert "no-answer" in ok("contact", "list")


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("NOBODY", "--channel", "phone", "--outcome", "x"), "error: no customer matches 'NOBODY'"),
        (("ACME", "--channel", "fax", "--outcome", "x"), "error: --channel: 'fax' is not one of: email, phone"),
        (("ACME", "--channel", "phone", "--outcome", "  "), "error: --outcome: the outcome is empty"),
        (("ACME", "--channel", "phone", "--outcome", "x" * 201), "error: --outcome: the outcome is 201 characters"),
        (("ACME", "--channel", "phone", "--outcome", "x", "--on", "2026-11-01"), "error: --on: 2026-11-01 is in the future"),
        (("ACME", "--channel", "phone", "--outcome", "x", "--on", "1/2/2026"), "error: --on: '1/2/2026' is not a date"),
        (("ACME", "--channel", "phone", "--outcome", "x", "--next", "soon"), "error: --next: 'soon' is not a date"),
        (("ACME", "--channel", "phone", "--outcome", "x", "--on", "2026-10-20", "--next", "2026-10-19"),
         "error: --next: the next step 2026-10-19 is before the contact (2026-10-20)"),
    ],
)  # fmt: skip
def test_log_refuses_bad_input_and_closes_nothing(cli, book, ledger_env, dump, args, fragment):
    task(ledger_env, "ACME", "phone", "2026-10-10")
    before = dump()
    refused(cli("contact", "log", *args), fragment)
    assert dump() == before


def test_log_usage_errors_and_list_refusals(cli, book, dump):
    before = dump()
    refused(cli("contact", "log", "ACME", "--outcome", "x"), "--channel", code=2)
    refused(cli("contact", "log", "ACME", "--channel", "phone"), "--outcome", code=2)
    refused(
        cli("contact", "list", "--since", "2026-11-01"), "error: --since: 2026-11-01 is after --as-of 2026-10-31"
    )
    refused(cli("contact", "list", "--since", "x"), "error: --since: 'x' is not a date")
    refused(cli("contact", "list", "NOBODY"), "error: no customer matches 'NOBODY'")
    assert dump() == before
