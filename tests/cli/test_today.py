"""arctl today: the ranked worklist — every kind appears when it should and leaves when done, the
collector filter, past dates, legal hold, stable csv/json, bad input, read-only."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from _shared import refused

pytestmark = pytest.mark.usefixtures("_fast_cli")

STAMP = "2026-10-01T00:00:00+00:00"


def execute(db_path: Path, sql: str, *params: object) -> int:
    with closing(sqlite3.connect(db_path)) as con, con:
        return int(con.execute(sql, params).lastrowid or 0)


def task(db_path: Path, customer: str, channel: str, run_on: str, step: str, *items: str) -> int:
    """A reminder task as `remind run` leaves it, covering installments INVOICE/SEQ."""
    with closing(sqlite3.connect(db_path)) as con, con:
        (cid,) = con.execute("SELECT id FROM customer WHERE code = ?", (customer,)).fetchone()
        mid = con.execute(
            "INSERT INTO reminder_message (customer_id, run_on, channel, step_key, ladder, template, language, "
            "recipient, subject, body, status, created_at) VALUES (?, ?, ?, ?, 'standard', 'call', 'en', NULL, "
            "'Collection call', 'call the customer', 'task', ?)",
            (cid, run_on, channel, step, STAMP),
        ).lastrowid
        for ref in items:
            number, seq = ref.split("/")
            ins_id, amount, currency = con.execute(
                "SELECT s.id, s.amount_minor, i.currency FROM installment s JOIN invoice i ON i.id = s.invoice_id "
                "WHERE i.number = ? AND s.seq = ?",
                (number, int(seq)),
            ).fetchone()
            con.execute(
                "INSERT INTO reminder_step (message_id, installment_id, step_key, done_on, open_minor, currency, "
                "escalated) VALUES (?, ?, ?, ?, ?, ?, 0)",
                (mid, ins_id, step, run_on, amount, currency),
            )
        return int(mid or 0)


def bank_line(db_path: Path, booked_on: str, minor: int, payer: str, status: str = "unmatched") -> int:
    with closing(sqlite3.connect(db_path)) as con, con:
        imp = con.execute(
            "INSERT INTO bank_import (filename, sha256, format, lines_read, lines_added, lines_skipped, "
            "imported_at) VALUES ('b.csv', ?, 'csv', 1, 1, 0, ?)",
            (f"{booked_on}{minor}{payer}", STAMP),
        ).lastrowid
        st = con.execute(
            "INSERT INTO bank_statement (import_id, account, currency) VALUES (?, '6222', 'CNY')", (imp,)
        ).lastrowid
        key = f"6222:{booked_on}:{minor}:{payer}"
        return int(
            con.execute(
                "INSERT INTO bank_line (import_id, statement_id, source_line, account, booked_on, currency, "
                "amount_minor, payer_name, payer_account, memo, bank_ref, kind, content_key, dedupe_key, status) "
                "VALUES (?, ?, 2, '6222', ?, 'CNY', ?, ?, '', 'goods', '', '', ?, ?, ?)",
                (imp, st, booked_on, minor, payer, key, key, status),
            ).lastrowid
            or 0
        )


@pytest.fixture
def book(ok, seeded, ledger_env):  # type: ignore[no-untyped-def]
    """As of 2026-10-31 (today):

    ACME  grade C, collector ann: INV-A1 1000.00 due 08-31 (61 late); phone task R of 10-25 on it;
          50.00 received 10-29 not applied
    BETA  grade A, collector bob: INV-B1 500.00 due 10-01 (30 late) in a dispute opened 09-15 (46 days);
          INV-B2 250.00 due 10-10 with a promise of 200.00 by today; INV-B3 60.00 in a dispute of 10-15
    GAMA  no grade, collector ann, legal hold since 10-01: INV-G1 2000.00 due 07-31 (92 late); a phone
          task (left out: hold) and a legal task
    DELT  grade D, collector bob: INV-D1 300.00 due 07-01 (122 late); promise of 100.00 by 10-25 (no
          grace) broken on 10-26; phone call on 10-20 planning the next step for 10-28
    EPSI  grade B, no collector: INV-E1 400.00 due 09-14 (47 late), nothing done
    an unidentified bank line of 888.00 booked 10-30
    """

    def build() -> None:
        ok("customer", "add", "ACME", "Acme Trading Co.", "--terms", "net30", "--grade", "C", "--collector",
           "ann", "--contact", "Ann Lee", "--phone", "021-5550001")  # fmt: skip
        ok("customer", "add", "BETA", "Beta Ltd.", "--terms", "net30", "--grade", "A", "--collector", "bob",
           "--contact", "Bo Li", "--phone", "010-1234")  # fmt: skip
        ok("customer", "add", "GAMA", "Gamma Holdings", "--terms", "net30", "--collector", "ann",
           "--contact", "Gus", "--phone", "0571-999")  # fmt: skip
        ok("customer", "add", "DELT", "Delta Works", "--terms", "net30", "--grade", "D", "--collector", "bob",
           "--contact", "Dan Wu", "--phone", "139-0000")  # fmt: skip
        ok("customer", "add", "EPSI", "Epsilon Co", "--terms", "net30", "--grade", "B")
        ok("invoice", "add", "ACME", "INV-A1", "1000.00", "--date", "2026-08-01")
        ok("invoice", "add", "BETA", "INV-B1", "500.00", "--date", "2026-09-01")
        ok("invoice", "add", "BETA", "INV-B2", "250.00", "--date", "2026-09-10")
        ok("invoice", "add", "BETA", "INV-B3", "60.00", "--date", "2026-10-01")
        ok("invoice", "add", "GAMA", "INV-G1", "2000.00", "--date", "2026-07-01")
        ok("invoice", "add", "DELT", "INV-D1", "300.00", "--date", "2026-06-01")
        ok("invoice", "add", "EPSI", "INV-E1", "400.00", "--date", "2026-08-15")
        ok("customer", "hold", "GAMA", "--reason", "lawsuit filed", "--on", "2026-10-01")
        ok("dispute", "open", "INV-B1", "--reason", "quality", "--on", "2026-09-15")
        ok("dispute", "open", "INV-B3", "--reason", "price", "--on", "2026-10-15")
        ok("promise", "add", "BETA", "200.00", "--by", "2026-10-31", "--on", "2026-10-20", "--items", "INV-B2")
        ok("promise", "add", "DELT", "100.00", "--by", "2026-10-25", "--on", "2026-10-20", "--grace", "0",
           "--via", "Dan Wu")  # fmt: skip
        ok("contact", "log", "DELT", "--channel", "phone", "--outcome", "promised", "--on", "2026-10-20",
           "--next", "2026-10-28")  # fmt: skip
        ok("payment", "add", "ACME", "50.00", "--date", "2026-10-29", "--apply", "none")
        task(ledger_env, "ACME", "phone", "2026-10-25", "first-call", "INV-A1/1")
        task(ledger_env, "GAMA", "phone", "2026-10-25", "first-call", "INV-G1/1")
        task(ledger_env, "GAMA", "legal", "2026-10-26", "legal", "INV-G1/1")
        bank_line(ledger_env, "2026-10-30", 88800, "上海某某贸易")

    seeded("book", build)
    return "ACME"


def today_json(ok, *args: str) -> dict:  # type: ignore[no-untyped-def]
    return json.loads(ok("today", "--format", "json", *args))


def ranked(ok, *args: str) -> list[tuple[str, str, str, int]]:  # type: ignore[no-untyped-def]
    """(kind, customer, amount, score) in rank order."""
    doc = today_json(ok, *args)
    assert [r["rank"] for r in doc["rows"]] == list(range(1, len(doc["rows"]) + 1))
    return [(r["kind"], r["customer"], r["amount"], r["score"]) for r in doc["rows"]]


EXPECTED = [
    ("broken", "DELT", "100.00", 2400),  # promises first: 100 x 6 days since 10-25 x D4
    ("promise", "BETA", "200.00", 200),  # 200 x 1 (due today) x A1
    ("legal", "GAMA", "2000.00", 368000),  # 2000 x 92 x no grade 2
    ("call", "ACME", "1000.00", 183000),  # 1000 x 61 x C3
    ("followup", "DELT", "300.00", 146400),  # DELT's overdue 300 x 122 x 4
    ("overdue", "EPSI", "400.00", 37600),  # 400 x 47 x B2
    ("dispute", "BETA", "500.00", 15000),  # 500 x 30 x 1
    ("bank", "", "888.00", 1776),  # 888 x 1 day x (no customer) 2
    ("cash", "ACME", "50.00", 300),  # 50 x 2 days x 3
]


def test_every_kind_ranked_by_hand_computed_score_promises_first(ok, book):
    assert ranked(ok) == EXPECTED


def test_table_for_people(ok, book):
    out = ok("today")
    lines = out.splitlines()
    assert lines[0] == "Worklist as of 2026-10-31"
    assert lines[1].split()[:3] == ["#", "Kind", "Customer"]
    assert lines[3].split()[:3] == ["1", "broken", "DELT"]
    assert "1 call/visit/overdue item(s) left out: customers on legal hold" in out
    assert "score = amount × days late (min 1)" in out
    assert all(len(line) <= 80 for line in lines[:13])


def test_rows_carry_what_to_do_and_whom_to_call(ok, book):
    rows = {(r["kind"], r["customer"]): r for r in today_json(ok)["rows"]}
    call = rows["call", "ACME"]
    assert call["phone"] == "021-5550001" and call["contact"] == "Ann Lee"
    assert call["action"] == "call 021-5550001 (Ann Lee)"
    assert call["days"] == 61 and call["date"] == "2026-08-31" and call["grade"] == "C"
    assert call["ref"].startswith("R") and call["what"] == "first-call, 1 item(s), task of 2026-10-25"
    broken = rows["broken", "DELT"]
    assert broken["what"] == "broken: 100.00 CNY promised by 2026-10-25"
    assert broken["action"] == "call 139-0000 (Dan Wu): ask why, agree a new date"
    assert rows["promise", "BETA"]["what"] == "due today: 200.00 CNY promised"
    assert rows["promise", "BETA"]["action"] == "if no receipt today, call 010-1234 (Bo Li)"
    dispute = rows["dispute", "BETA"]
    assert dispute["what"] == f"{dispute['ref']} quality, open 46 days (limit 30)"
    assert dispute["action"].startswith(f"resolve: arctl dispute resolve {dispute['ref'][1:]} ")
    assert rows["followup", "DELT"]["date"] == "2026-10-28"
    assert rows["followup", "DELT"]["what"] == "planned 2026-10-28 after phone 2026-10-20: promised"
    bank = rows["bank", ""]
    assert bank["name"] == "上海某某贸易" and bank["grade"] == "" and bank["date"] == "2026-10-30"
    cash = rows["cash", "ACME"]
    assert cash["what"] == f"P{cash['ref'][3:]} of 2026-10-29: 50.00 CNY of 50.00 CNY unapplied"
    assert cash["days"] == 2 and cash["action"] == f"apply: arctl payment apply P{cash['ref'][3:]} --to INVOICE"
    assert bank["what"] == f"line {bank['ref'][2:]} from 上海某某贸易 “goods”"
    assert rows["overdue", "EPSI"]["action"] == "call (no contact on file)"
    assert rows["overdue", "EPSI"]["what"] == "400.00 CNY over 30 days late; nothing in 14 days, never contacted"


def test_legal_hold_keeps_the_legal_task_but_no_call(ok, book):
    kinds = {(k, c) for k, c, _, _ in ranked(ok)}
    assert ("legal", "GAMA") in kinds and ("call", "GAMA") not in kinds and ("overdue", "GAMA") not in kinds
    ok("customer", "release", "GAMA", "--on", "2026-10-31")
    kinds = {(k, c) for k, c, _, _ in ranked(ok)}
    assert ("call", "GAMA") in kinds


def test_closed_task_and_superseded_follow_up_leave_the_list(ok, book):
    ok("contact", "log", "ACME", "--channel", "phone", "--outcome", "reached", "--on", "2026-10-30")
    ok("contact", "log", "DELT", "--channel", "email", "--outcome", "sent statement", "--on", "2026-10-29")
    kinds = {(k, c) for k, c, _, _ in ranked(ok)}
    assert ("call", "ACME") not in kinds  # the call closed the task
    assert ("followup", "DELT") not in kinds  # a later contact supersedes the planned step
    assert ("broken", "DELT") not in kinds  # and follows up the broken promise
    # the day before those contacts, all three were still to do (a task done later was open then)
    kinds = {(k, c) for k, c, _, _ in ranked(ok, "--as-of", "2026-10-28")}
    assert {("call", "ACME"), ("followup", "DELT"), ("broken", "DELT")} <= kinds


def test_an_automatic_reminder_does_not_supersede_a_follow_up(ok, book, ledger_env):
    message = task(ledger_env, "DELT", "email", "2026-10-30", "overdue", "INV-D1/1")
    execute(ledger_env, "UPDATE reminder_message SET status = 'written' WHERE id = ?", message)
    execute(ledger_env, "INSERT INTO contact_log (customer_id, occurred_on, channel, outcome, reminder_id, user, "
            "created_at) SELECT id, '2026-10-30', 'email', 'written to the outbox', ?, 'arctl', ? FROM customer "
            "WHERE code = 'DELT'", message, STAMP)  # fmt: skip
    kinds = {(k, c) for k, c, _, _ in ranked(ok)}
    assert ("followup", "DELT") in kinds and ("broken", "DELT") in kinds


def test_a_follow_up_with_a_new_next_date_moves(ok, book):
    ok("contact", "log", "DELT", "--channel", "phone", "--outcome", "no-answer", "--on", "2026-10-31",
       "--next", "2026-11-03")  # fmt: skip
    assert "followup" not in {k for k, _, _, _ in ranked(ok)}
    later = {r["kind"]: r for r in today_json(ok, "--as-of", "2026-11-03")["rows"] if r["customer"] == "DELT"}
    assert later["followup"]["date"] == "2026-11-03"
    assert later["followup"]["what"] == "planned 2026-11-03 after phone 2026-10-31: no-answer"


def test_kept_promise_is_not_broken_and_paid_task_items_drop(ok, book):
    ok("payment", "add", "DELT", "100.00", "--date", "2026-10-24")
    ok("payment", "add", "ACME", "950.00", "--date", "2026-10-30", "--to", "INV-A1")
    rows = {(k, c): (a, s) for k, c, a, s in ranked(ok)}
    assert ("broken", "DELT") not in rows
    assert rows["followup", "DELT"] == ("200.00", 200 * 122 * 4)  # 100 of 300 paid
    # ACME: 950 of INV-A1 paid, 50 left on the task's item
    assert rows["call", "ACME"] == ("50.00", 50 * 61 * 3)
    ok("payment", "apply", _payment_id(ok, "ACME", "50.00"), "--to", "INV-A1")
    rows = {(k, c) for k, c, _, _ in ranked(ok)}
    assert ("call", "ACME") not in rows  # nothing left to collect on the task's items
    assert ("cash", "ACME") not in rows  # applied


def _payment_id(ok, customer: str, amount: str) -> str:  # type: ignore[no-untyped-def]
    doc = json.loads(ok("payment", "list", "--customer", customer, "--format", "json"))
    return str(next(r["id"] for r in doc["rows"] if r["amount"] == amount))


def test_disputes_only_when_open_longer_than_the_limit(ok, book):
    kinds = [(k, c) for k, c, _, _ in ranked(ok)]
    assert kinds.count(("dispute", "BETA")) == 1  # the 16-day one is not listed
    # on 10-15 the first dispute was 30 days old: not longer than 30
    assert ("dispute", "BETA") not in {(k, c) for k, c, _, _ in ranked(ok, "--as-of", "2026-10-15")}
    assert ("dispute", "BETA") in {(k, c) for k, c, _, _ in ranked(ok, "--as-of", "2026-10-16")}


def test_as_of_a_past_date(ok, book):
    got = ranked(ok, "--as-of", "2026-10-25")
    kinds = {(k, c) for k, c, _, _ in got}
    assert ("promise", "DELT") in kinds  # due that day, still open
    assert ("broken", "DELT") not in kinds
    assert ("cash", "ACME") not in kinds and ("bank", "") not in kinds  # not received yet
    assert ("followup", "DELT") not in kinds  # planned for 10-28
    assert ("legal", "GAMA") not in kinds  # made on 10-26
    call = next(s for k, c, _, s in got if (k, c) == ("call", "ACME"))
    assert call == 1000 * 55 * 3  # 55 days late on 10-25
    assert today_json(ok, "--as-of", "2026-10-25")["title"] == "Worklist as of 2026-10-25"


def test_collector_filter(ok, book):
    bob = ranked(ok, "--collector", "bob")
    assert {c for _, c, _, _ in bob} == {"BETA", "DELT"}
    assert [k for k, _, _, _ in bob] == ["broken", "promise", "followup", "dispute"]
    ann = ranked(ok, "--collector", "ann")
    assert {(k, c) for k, c, _, _ in ann} == {("legal", "GAMA"), ("call", "ACME"), ("cash", "ACME")}
    assert today_json(ok, "--collector", "ann")["title"] == "Worklist for ann as of 2026-10-31"


def test_unknown_collector_is_an_error_naming_the_known_ones(cli, book):
    refused(cli("today", "--collector", "zoe"), "no customer has the collector 'zoe'", "collectors: ann, bob")
    refused(cli("today", "--collector", " "), "--collector", "empty")


def test_limit(ok, cli, book):
    doc = today_json(ok, "--limit", "3")
    assert [(r["kind"], r["customer"]) for r in doc["rows"]] == [("broken", "DELT"), ("promise", "BETA"),
                                                                  ("legal", "GAMA")]  # fmt: skip
    assert "showing 3 of 9 items (--limit)" in doc["notes"]
    for bad in ("0", "-1", "x"):
        result = cli("today", "--limit", bad)
        assert result.exit_code == 2, result.stdout + result.stderr
        assert "Traceback" not in result.stderr


def test_csv_columns_and_values_are_stable(ok, book):
    text = ok("today", "--format", "csv")
    reader = csv.reader(io.StringIO(text))
    header = next(reader)
    assert header == ["rank", "kind", "customer", "name", "what", "amount", "currency", "days", "date", "score",
                      "action", "contact", "phone", "grade", "ref"]  # fmt: skip
    rows = list(reader)
    assert len(rows) == len(EXPECTED)
    call = dict(zip(header, rows[3], strict=True))
    assert call | {"ref": "R"} == {
        "rank": "4", "kind": "call", "customer": "ACME", "name": "Acme Trading Co.",
        "what": "first-call, 1 item(s), task of 2026-10-25", "amount": "1000.00", "currency": "CNY", "days": "61",
        "date": "2026-08-31", "score": "183000", "action": "call 021-5550001 (Ann Lee)", "contact": "Ann Lee",
        "phone": "021-5550001", "grade": "C", "ref": "R",
    }  # fmt: skip


def test_json_envelope(ok, book):
    doc = today_json(ok)
    assert doc["schema"] == "arctl.worklist/1" and doc["as_of"] == "2026-10-31"
    assert [c["key"] for c in doc["columns"]][:3] == ["rank", "kind", "customer"]
    first = doc["rows"][0]
    assert first["amount"] == "100.00" and first["score"] == 2400 and first["days"] == 6
    assert first["date"] == "2026-10-25" and isinstance(first["rank"], int)
    assert doc["totals"] == []


def test_output_file_like_aging(ok, cli, book, tmp_path):
    target = tmp_path / "work-{as_of}.csv"
    result = cli("today", "--output", str(target))
    assert result.exit_code == 0, result.stderr
    written = tmp_path / "work-2026-10-31.csv"
    assert f"wrote {written}" in result.stderr and result.stdout == ""
    assert written.read_text(encoding="utf-8") == ok("today", "--format", "csv")
    xlsx = tmp_path / "w.xlsx"
    assert cli("today", "--format", "xlsx", "--output", str(xlsx)).exit_code == 0
    assert xlsx.read_bytes()[:2] == b"PK"


def test_read_only(ok, book, dump):
    before = dump()
    ok("today")
    ok("today", "--as-of", "2026-10-01", "--format", "json")
    assert dump() == before


def test_empty_ledger_nothing_to_do(ok, cli):
    assert (
        ok("today")
        == "nothing to do on 2026-10-31: no tasks, promises, follow-ups, disputes or new cash waiting.\n"
    )
    assert ok("today", "--format", "csv").splitlines() == [
        "rank,kind,customer,name,what,amount,currency,days,date,score,action,contact,phone,grade,ref"
    ]
    assert json.loads(ok("today", "--format", "json"))["rows"] == []


def test_nothing_to_do_for_a_collector(ok, book):
    ok("customer", "edit", "EPSI", "--collector", "eve")
    ok("contact", "log", "EPSI", "--channel", "email", "--outcome", "sent statement", "--on", "2026-10-30")
    assert ok("today", "--collector", "eve").startswith("nothing to do for eve on 2026-10-31")


def test_bad_input(cli, book):
    refused(cli("today", "--as-of", "31/10/2026"), "--as-of")
    result = cli("today", "--format", "pdf")
    assert result.exit_code == 2 and "Traceback" not in result.stderr
    result = cli("today", "--as-of", "2026-02-30")
    refused(result, "--as-of")
