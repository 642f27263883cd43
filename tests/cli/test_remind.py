"""`arctl remind ...` end to end: never twice, catch-up, grouping, holds, outbox files, real SMTP, call sheet."""

from __future__ import annotations

import email
import email.policy
import json
import socket
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from _shared import refused

pytestmark = pytest.mark.usefixtures("_fast_ledger")


COMPANY = """[company]
name = "杭州示例电子有限公司"
address = "杭州市西湖区文三路 90 号"
phone = "0571-87650000"
email = "ar@example.net"
bank = "中国工商银行杭州分行"
account = "1202 0000 0000 0000 000"
"""


@pytest.fixture(autouse=True)
def _late_today(monkeypatch: pytest.MonkeyPatch) -> None:
    """Runs are dated through October and November: "today" is after all of them (a run dated after
    today is refused; see test_bad_input_changes_nothing)."""
    monkeypatch.setenv("ARCTL_TODAY", "2026-12-31")


@pytest.fixture(autouse=True)
def company(ledger_env: Path) -> Path:
    config = ledger_env.parent / "config"
    config.mkdir(exist_ok=True)
    (config / "arctl.toml").write_text(COMPANY, encoding="utf-8")
    return config


@pytest.fixture
def book(_fast_ledger, ok, seed) -> None:  # type: ignore[no-untyped-def]
    """HZJX (zh, email) owes INV-1 and INV-4 due 10-01 and INV-2 due 10-31; ACME (en) INV-3 due 10-10;
    NOML (no contact at all) INV-5 due 10-01. Depends on `_fast_ledger` so that the empty ledger is laid
    down first and the seed over it (not the other way round)."""

    def build() -> None:
        ok("customer", "add", "HZJX", "杭州精细机械有限公司", "--contact", "王丽华", "--email", "wanglh@example.cn",
           "--phone", "0571-88880000", "--address", "杭州市滨江区江南大道 1 号")  # fmt: skip
        ok("customer", "add", "ACME", "Acme Trading Co.", "--language", "en", "--contact", "Ann Lee",
           "--email", "ann@example.com", "--phone", "+1 555 0100")  # fmt: skip
        ok("customer", "add", "NOML", "无邮箱贸易有限公司")
        ok("invoice", "add", "HZJX", "INV-1", "1000.00", "--date", "2026-09-01", "--terms", "net30")
        ok("invoice", "add", "HZJX", "INV-2", "2345.60", "--date", "2026-10-01", "--terms", "net30")
        ok("invoice", "add", "ACME", "INV-3", "500.00", "--date", "2026-09-10", "--terms", "net30")
        ok("invoice", "add", "HZJX", "INV-4", "100000000.01", "--date", "2026-09-01", "--terms", "net30")
        ok("invoice", "add", "NOML", "INV-5", "10.00", "--date", "2026-09-01", "--terms", "net30")

    seed("book", build)


def rows(ledger: Path, sql: str) -> list[tuple]:  # type: ignore[type-arg]
    con = sqlite3.connect(ledger)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def run_json(ok, *args: str) -> dict:  # type: ignore[no-untyped-def,type-arg]
    return json.loads(ok("remind", "run", *args, "--format", "json"))


def messages(doc: dict) -> list[dict]:  # type: ignore[type-arg]
    return doc["sections"][0]["rows"]


def skipped(doc: dict) -> list[dict]:  # type: ignore[type-arg]
    return doc["sections"][1]["rows"]


@pytest.mark.usefixtures("book")
def test_one_email_per_customer_lists_every_item_and_a_second_run_does_nothing(ok, ledger_env, tmp_path):
    outbox = tmp_path / "out"
    doc = run_json(ok, "--as-of", "2026-10-02", "--outbox", str(outbox))
    sent = messages(doc)
    assert [(m["customer"], m["channel"], m["step"], m["items"], m["status"]) for m in sent] == [
        ("HZJX", "email", "overdue", 2, "written"),
    ]
    assert sent[0]["amount"] == "100001000.01"
    assert [(s["customer"], s["installment"], s["reason"]) for s in skipped(doc)] == [
        ("NOML", "INV-5/1", "no email address"),
    ]
    files = sorted((outbox / "2026-10-02").glob("*.eml"))
    assert len(files) == 1
    msg = email.message_from_bytes(files[0].read_bytes(), policy=email.policy.default)
    assert msg["To"].addresses[0].addr_spec == "wanglh@example.cn"
    body = msg.get_body(preferencelist=("plain",)).get_content()
    assert "INV-1" in body and "INV-4" in body and "INV-2" not in body
    steps = rows(ledger_env, "SELECT installment_id, step_key, done_on FROM reminder_step ORDER BY installment_id")
    assert [(s[1], s[2]) for s in steps] == [("overdue", "2026-10-02"), ("overdue", "2026-10-02")]
    log = rows(ledger_env, "SELECT channel, outcome, reminder_id FROM contact_log")
    assert len(log) == 1 and log[0][0] == "email" and log[0][2] is not None

    again = run_json(ok, "--as-of", "2026-10-02", "--outbox", str(outbox))
    assert messages(again) == []
    assert len(list((outbox / "2026-10-02").glob("*.eml"))) == 1
    assert len(rows(ledger_env, "SELECT * FROM reminder_step")) == 2


@pytest.mark.usefixtures("book")
def test_after_missed_days_one_message_at_the_right_step_and_its_fee_once(ok, ledger_env, tmp_path):
    run_json(ok, "--as-of", "2026-10-02", "--outbox", str(tmp_path))
    # Nobody ran it for 17 days: the call (+7) was missed; today (+19) the fee notice (+15) is due.
    doc = run_json(ok, "--as-of", "2026-10-20", "--outbox", str(tmp_path))
    hzjx = [(m["channel"], m["step"], m["items"]) for m in messages(doc) if m["customer"] == "HZJX"]
    assert hzjx == [("email", "fee-notice", 2)]
    assert any("fees charged: CNY 100.00" in n for n in doc["sections"][0]["notes"])
    charges = rows(ledger_env, "SELECT kind, step_key, amount_minor FROM charge ORDER BY id")
    assert charges == [("fee", "fee-notice", 5000), ("fee", "fee-notice", 5000)]
    # The next days bring nothing new until the visit step (+30).
    assert [m for m in messages(run_json(ok, "--as-of", "2026-10-21", "--outbox", str(tmp_path)))
            if m["customer"] == "HZJX"] == []  # fmt: skip
    assert len(rows(ledger_env, "SELECT * FROM charge")) == 2


@pytest.mark.usefixtures("book")
def test_paid_disputed_promised_and_held_items_are_skipped_with_a_reason(ok, ledger_env, tmp_path):
    ok("payment", "add", "HZJX", "1000.00", "--date", "2026-10-01", "--to", "INV-1")
    con = sqlite3.connect(ledger_env)
    with con:
        inv4 = con.execute("SELECT i.id FROM installment i JOIN invoice v ON v.id = i.invoice_id "
                           "WHERE v.number = 'INV-4'").fetchone()[0]  # fmt: skip
        con.execute("INSERT INTO dispute (customer_id, reason, opened_on, created_at) "
                    "SELECT id, 'quality', '2026-10-01', 'now' FROM customer WHERE code = 'HZJX'")  # fmt: skip
        con.execute("INSERT INTO dispute_item VALUES (1, ?)", (inv4,))
        con.execute("INSERT INTO customer_hold (customer_id, since, reason) "
                    "SELECT id, '2026-09-30', '破产清算' FROM customer WHERE code = 'NOML'")  # fmt: skip
        con.execute("INSERT INTO promise (customer_id, currency, amount_minor, made_on, due_on, grace_days, "
                    "created_at) SELECT id, 'CNY', 50000, '2026-10-09', '2026-10-15', 2, 'now' FROM customer "
                    "WHERE code = 'ACME'")  # fmt: skip
        con.execute("INSERT INTO promise_item SELECT 1, i.id FROM installment i JOIN invoice v "
                    "ON v.id = i.invoice_id WHERE v.number = 'INV-3'")  # fmt: skip
    con.close()
    doc = run_json(ok, "--as-of", "2026-10-12", "--outbox", str(tmp_path))
    assert messages(doc) == []
    reasons = {(s["installment"], s["reason"]) for s in skipped(doc)}
    assert reasons == {("INV-4/1", "disputed"), ("INV-5/1", "on hold"), ("INV-3/1", "promised until 2026-10-17")}
    # The promise breaks the day after its grace: ACME's next step comes at once (escalation).
    doc = run_json(ok, "--as-of", "2026-10-18", "--outbox", str(tmp_path))
    # Day +8: the call (+7) is the highest step reached; the escalation only matters when the ladder's own
    # offsets have not come yet (tests/unit/test_reminder_policy.py covers that case).
    acme = [(m["customer"], m["channel"], m["step"]) for m in messages(doc) if m["customer"] == "ACME"]
    assert acme == [("ACME", "phone", "call")]


@pytest.mark.usefixtures("book")
def test_dry_run_renders_everything_and_changes_nothing(ok, dump, tmp_path):
    before = dump()
    doc = run_json(ok, "--as-of", "2026-10-02", "--dry-run")
    assert [m["status"] for m in messages(doc)] == ["would send"]
    assert any("dry run" in n for n in doc["sections"][0]["notes"])
    assert dump() == before
    assert not (tmp_path / "xdg" / "arctl" / "outbox").exists()


@pytest.mark.usefixtures("book")
def test_letters_are_printable_html_with_the_amount_in_chinese_capitals(ok, tmp_path):
    doc = run_json(ok, "--as-of", "2026-11-16", "--outbox", str(tmp_path))  # INV-1/INV-4 at +46: demand letter
    letters = [m for m in messages(doc) if m["channel"] == "letter"]
    assert [(m["customer"], m["step"]) for m in letters] == [("HZJX", "demand"), ("NOML", "demand")]
    html = next((tmp_path / "2026-11-16").glob("*HZJX-demand.html")).read_text(encoding="utf-8")
    assert "<html" in html.lower()
    assert "壹亿零壹仟元零壹分" in html  # 100,001,000.01 = INV-1 + INV-4


@pytest.mark.usefixtures("book")
def test_phone_steps_become_tasks_on_the_call_sheet_until_logged(ok, ledger_env, tmp_path):
    run_json(ok, "--as-of", "2026-10-02", "--outbox", str(tmp_path))
    doc = run_json(ok, "--as-of", "2026-10-08", "--outbox", str(tmp_path))
    # HZJX's call (+7); ACME's courtesy call before its due date (-3); NOML has no email but can be phoned.
    assert [(m["customer"], m["step"], m["status"]) for m in messages(doc)] == [
        ("HZJX", "call", "task"),
        ("ACME", "pre-call", "task"),
        ("NOML", "call", "task"),
    ]
    sheet = ok("remind", "calls", "--as-of", "2026-10-08", "--format", "csv")
    lines = sheet.splitlines()
    assert lines[0].startswith("id,made,customer,name,channel,step,contact,phone,amount")
    hzjx = next(line for line in lines if ",HZJX," in line)
    assert ",call," in hzjx and "0571-88880000" in hzjx and "100001000.01" in hzjx and "INV-1/1 INV-4/1" in hzjx
    con = sqlite3.connect(ledger_env)
    with con:
        con.execute("UPDATE reminder_message SET status = 'done', done_on = '2026-10-09' WHERE status = 'task'")
    con.close()
    assert "no open calls" in ok("remind", "calls", "--as-of", "2026-10-09")


@pytest.mark.usefixtures("book")
def test_english_customer_gets_english(ok, tmp_path):
    run_json(ok, "--as-of", "2026-10-03", "--outbox", str(tmp_path))
    eml = next((tmp_path / "2026-10-03").glob("*ACME-friendly.eml"))
    msg = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    text = msg.get_body(preferencelist=("plain",)).get_content()
    assert "INV-3" in text and "500.00" in text
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in msg["Subject"])


# --- real SMTP -------------------------------------------------------------------------------------


class _Inbox:
    def __init__(self, fail_on: int | None = None) -> None:
        self.fail_on = fail_on
        self.seen = 0
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        self.seen += 1
        if self.fail_on is not None and self.seen == self.fail_on:
            return "451 4.3.0 try again later"
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"


@pytest.fixture
def smtp(monkeypatch) -> Iterator[_Inbox]:  # type: ignore[no-untyped-def]
    from aiosmtpd.controller import Controller

    with socket.socket() as probe:  # aiosmtpd checks its server by connecting to the port it was given
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        monkeypatch.setenv("ARCTL_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("ARCTL_SMTP_PORT", str(port))
        monkeypatch.setenv("ARCTL_SMTP_SECURITY", "none")
        monkeypatch.setenv("ARCTL_MAIL_FROM", "应收组 <ar@example.net>")
        yield inbox
    finally:
        controller.stop()


@pytest.mark.usefixtures("book")
def test_send_over_smtp_records_exactly_what_went_out_and_the_next_run_sends_the_rest(cli, ok, smtp, ledger_env):
    ok(
        "customer",
        "add",
        "BETA",
        "Beta GmbH",
        "--language",
        "en",
        "--contact",
        "Bo Beta",
        "--email",
        "bo@beta.example",
    )
    ok("invoice", "add", "BETA", "INV-7", "70.00", "--date", "2026-09-01", "--terms", "net30")  # due 10-01
    smtp.fail_on = 2
    first = cli("remind", "run", "--as-of", "2026-10-03", "--send", "--format", "json")
    assert first.exit_code == 1, first.stdout + first.stderr
    emails = [(m["customer"], m["status"]) for m in json.loads(first.stdout)["sections"][0]["rows"]
              if m["channel"] == "email"]  # fmt: skip
    assert emails == [("HZJX", "sent"), ("ACME", "failed"), ("BETA", "not sent")]
    assert len(smtp.messages) == 1
    recorded = rows(ledger_env, "SELECT channel, status FROM reminder_message WHERE channel = 'email' ORDER BY id")
    assert recorded == [("email", "sent"), ("email", "failed")]
    failed_steps = rows(ledger_env, "SELECT count(*) FROM reminder_step rs JOIN reminder_message m "
                                    "ON m.id = rs.message_id WHERE m.status = 'failed'")  # fmt: skip
    assert failed_steps == [(0,)]

    smtp.fail_on = None
    second = run_json(ok, "--as-of", "2026-10-03", "--send")
    assert [(m["customer"], m["status"]) for m in messages(second)] == [("ACME", "sent"), ("BETA", "sent")]
    assert len(smtp.messages) == 3
    subjects = [m["Subject"] for m in smtp.messages]
    assert len(set(subjects)) == len(subjects)
    assert str(smtp.messages[0]["From"]).endswith("<ar@example.net>")
    assert messages(run_json(ok, "--as-of", "2026-10-03", "--send")) == []


# --- policy and bad input ----------------------------------------------------------------------------


def test_policy_shows_the_shipped_ladders(ok):
    out = ok("remind", "policy", "--format", "csv")
    assert "standard,lawyer,60" in out and "gentle,legal,120" in out
    assert "standard,fee-notice,15" in out


def test_a_bad_user_policy_is_named_with_its_line(cli, ledger_env):
    config = ledger_env.parent / "config"
    (config / "policy.toml").write_text('default = "standard"\n[holds]\npromise_grace = 3\n', encoding="utf-8")
    refused(cli("remind", "policy"), "policy.toml:3", "holds.promise_grace", "promise_grace_days")


@pytest.mark.usefixtures("book")
def test_bad_input_changes_nothing(cli, dump, ledger_env):
    before = dump()
    refused(cli("remind", "run", "--as-of", "2026-13-01"), "--as-of")
    refused(cli("remind", "run", "--as-of", "2027-01-01"), "--as-of", "after today")
    refused(cli("remind", "run", "--customer", "NOBODY"), "NOBODY")
    assert cli("remind", "run", "--send", "--outbox", "x").exit_code == 2
    refused(cli("remind", "run", "--send"), "SMTP")
    (ledger_env.parent / "config" / "arctl.toml").write_text("[company]\n", encoding="utf-8")
    refused(cli("remind", "run", "--as-of", "2026-10-02"), "arctl.toml", "company.name")
    (ledger_env.parent / "config" / "arctl.toml").write_text(
        "[company]\nname = 1\n[mail]\npassword = 'x'\n", encoding="utf-8"
    )
    refused(cli("remind", "run", "--as-of", "2026-10-02"), "password")
    refused(cli("remind", "show", "999"), "999")
    assert cli("remind", "list", "--status", "bogus").exit_code == 2
    assert dump() == before


@pytest.mark.usefixtures("book")
def test_verify_checks_reminders_and_charges(cli, ok, ledger_env, tmp_path):
    run_json(ok, "--as-of", "2026-10-02", "--outbox", str(tmp_path))
    run_json(ok, "--as-of", "2026-10-20", "--outbox", str(tmp_path))  # charges the fee-notice fees
    assert cli("verify").exit_code == 0
    con = sqlite3.connect(ledger_env)
    with con:
        con.execute("UPDATE reminder_message SET status = 'failed' WHERE id = 1")
        con.execute("UPDATE charge SET amount_minor = 4999 WHERE id = 1")
    con.close()
    result = cli("verify")
    assert result.exit_code == 3
    assert "reminder 1: failed but still holds 2 step(s)" in result.stdout + result.stderr
    assert (
        "charge 1 (INV-1-FEE-fee-notice): amount or currency differs from its invoice"
        in result.stdout + result.stderr
    )


@pytest.mark.usefixtures("book")
def test_the_collections_commands_drive_the_run(ok, tmp_path):
    """Real commands, not rows: a dispute and a promise hold items, a logged call closes the task."""
    ok("dispute", "open", "INV-4/1", "--reason", "quality", "--on", "2026-10-01")
    ok("promise", "add", "ACME", "500", "--by", "2026-10-15", "--items", "INV-3/1", "--on", "2026-10-02")
    doc = run_json(ok, "--as-of", "2026-10-08", "--outbox", str(tmp_path))
    assert {(s["installment"], s["reason"]) for s in skipped(doc)} >= {
        ("INV-4/1", "disputed"),
        ("INV-3/1", "promised until 2026-10-17"),
    }
    assert [(m["customer"], m["step"], m["items"]) for m in messages(doc) if m["customer"] == "HZJX"] == [
        ("HZJX", "call", 1),  # INV-1 only: INV-4 is disputed
    ]
    assert "HZJX" in ok("remind", "calls", "--as-of", "2026-10-08")
    out = ok("contact", "log", "HZJX", "--channel", "phone", "--outcome", "promised", "--on", "2026-10-09")
    assert "closed" in out or "task" in out
    assert "HZJX" not in ok("remind", "calls", "--as-of", "2026-10-09")
    ok("dispute", "resolve", "1", "--rejected", "--on", "2026-10-10")
    doc = run_json(ok, "--as-of", "2026-10-10", "--outbox", str(tmp_path))
    assert [(m["customer"], m["step"]) for m in messages(doc) if m["customer"] == "HZJX"] == [("HZJX", "call")]
    story = ok("customer", "show", "HZJX", "--as-of", "2026-10-10")
    assert "dispute" in story and "reminder" in story.lower()


@pytest.mark.usefixtures("book")
def test_fees_posted_in_bulk_are_the_records_post_fee_makes(ledger_env, tmp_path):
    """fee_batch.post_fees (the run's path) and charges.post_fee (one at a time) leave the same rows."""
    import shutil
    from datetime import date

    from arctl.db.engine import open_db
    from arctl.services.charges import post_fee
    from arctl.services.fee_batch import FeeRequest, post_fees

    other = tmp_path / "other.db"
    shutil.copy(ledger_env, other)
    ids = [r[0] for r in rows(ledger_env, "SELECT id FROM installment ORDER BY id")][:3]
    requests = [FeeRequest(i, "fee-notice", 5000, "CNY") for i in ids] + [FeeRequest(ids[0], "demand", 123, "CNY")]
    one = open_db(str(ledger_env))
    with one.write() as session:
        for r in requests:
            post_fee(session, installment_id=r.installment_id, step_key=r.step_key, amount_minor=r.amount_minor,
                     currency=r.currency, on=date(2026, 10, 20))  # fmt: skip
    one.dispose()
    bulk = open_db(str(other))
    with bulk.write() as session:
        assert len(post_fees(session, requests, on=date(2026, 10, 20))) == 4
        assert post_fees(session, requests, on=date(2026, 10, 21)) == []  # once per (installment, step)
    bulk.dispose()
    queries = (
        "SELECT number, customer_id, contract_id, issue_date, currency, amount_minor, terms, description, "
        "voided_on FROM invoice ORDER BY id",
        "SELECT invoice_id, seq, kind, amount_minor, due_kind, due_days, due_event, due_fixed, due_date, "
        "settled_on FROM installment ORDER BY id",
        "SELECT kind, cause_installment_id, invoice_id, step_key, period_start, period_end, assessed_on, "
        "currency, amount_minor FROM charge ORDER BY id",
        "SELECT action, entity, entity_id, before, after FROM audit_event ORDER BY id",
    )
    for sql in queries:
        assert rows(ledger_env, sql) == rows(other, sql), sql
    assert rows(other, "SELECT count(*) FROM charge") == [(4,)]


@pytest.mark.usefixtures("book")
def test_a_message_left_sending_is_never_resent_and_mark_settles_it(cli, ok, smtp, ledger_env):
    """A crash between handing a message to SMTP and recording the outcome leaves it 'sending': the next run
    does not send it again (its steps stay taken) and says so; `remind mark` settles it either way."""
    ok("remind", "run", "--as-of", "2026-10-02", "--send")
    assert len(smtp.messages) == 1
    con = sqlite3.connect(ledger_env)
    with con:  # as if the run had died right after the server took the message
        con.execute("UPDATE reminder_message SET status = 'sending', sent_at = NULL WHERE channel = 'email'")
    con.close()
    doc = run_json(ok, "--as-of", "2026-10-02", "--send")
    assert messages(doc) == [] and len(smtp.messages) == 1
    assert any("in doubt" in n and "remind mark" in n for n in doc["sections"][0]["notes"])
    refused(cli("remind", "mark", "999", "--sent"), "999")
    assert "marked failed" in ok("remind", "mark", "1", "--failed")
    refused(cli("remind", "mark", "1", "--sent"), "not in doubt")
    assert rows(ledger_env, "SELECT count(*) FROM reminder_step WHERE message_id = 1") == [(0,)]
    doc = run_json(ok, "--as-of", "2026-10-02", "--send")  # released: sent again, once
    assert [(m["customer"], m["status"]) for m in messages(doc)] == [("HZJX", "sent")]
    assert len(smtp.messages) == 2


@pytest.mark.usefixtures("book")
def test_mark_sent_charges_the_fee_the_email_announced(cli, ok, smtp, ledger_env, tmp_path, monkeypatch):
    import arctl.services.remind as remind

    run_json(ok, "--as-of", "2026-10-02", "--outbox", str(tmp_path))

    def crash(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise KeyboardInterrupt  # the process dies after the server took the fee notice

    with monkeypatch.context() as patched:
        patched.setattr(remind, "_charge_fees", crash)
        assert cli("remind", "run", "--as-of", "2026-10-20", "--send", "--customer", "HZJX").exit_code != 0
    assert len(smtp.messages) == 1 and "滞纳" in smtp.messages[0].get_body(("plain",)).get_content()
    assert rows(ledger_env, "SELECT id, status FROM reminder_message WHERE id = 2") == [(2, "sending")]
    assert rows(ledger_env, "SELECT count(*) FROM charge") == [(0,)]
    ok("remind", "mark", "2", "--sent")
    assert rows(ledger_env, "SELECT step_key, amount_minor, assessed_on FROM charge ORDER BY id") == [
        ("fee-notice", 5000, "2026-10-20"),
        ("fee-notice", 5000, "2026-10-20"),
    ]


@pytest.mark.usefixtures("book")
def test_backdated_runs_plan_nothing_already_taken_and_a_bad_address_stops_no_one(ok, ledger_env, tmp_path):
    run_json(ok, "--as-of", "2026-10-20", "--outbox", str(tmp_path))
    assert messages(run_json(ok, "--as-of", "2026-10-02", "--outbox", str(tmp_path))) == []
    ok("customer", "add", "BADM", "坏邮箱有限公司", "--contact", "李", "--email", "li.@xin.example.cn")
    ok("invoice", "add", "BADM", "INV-8", "10.00", "--date", "2026-09-01", "--terms", "net30")
    ok("invoice", "add", "HZJX", "INV-9", "10.00", "--date", "2026-09-20", "--terms", "net30")  # due 10-20
    doc = run_json(ok, "--as-of", "2026-10-21", "--outbox", str(tmp_path))
    assert ("HZJX", "email", "overdue") in {(m["customer"], m["channel"], m["step"]) for m in messages(doc)}
    assert ("BADM", "INV-8/1", "bad email address 'li.@xin.example.cn'") in {
        (s["customer"], s["installment"], s["reason"]) for s in skipped(doc)
    }


@pytest.mark.usefixtures("book")
def test_smtp_settings_are_checked_before_anything_is_recorded(cli, dump, monkeypatch):
    monkeypatch.setenv("ARCTL_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("ARCTL_SMTP_USER", "ar")
    monkeypatch.setenv("ARCTL_MAIL_FROM", "ar@example.net")
    before = dump()
    refused(cli("remind", "run", "--as-of", "2026-10-20", "--send"), "password")
    assert dump() == before


@pytest.mark.usefixtures("book")
def test_worker_processes_write_the_same_messages(ok, ledger_env, tmp_path, monkeypatch):
    """A big run renders and builds its emails in forked workers: the ledger and the outbox get exactly what
    one process gives (here forced on a small book; compared on a copy of the ledger run without workers)."""
    import shutil

    from arctl.reminders import batch

    alone_db = tmp_path / "alone.db"
    shutil.copy(ledger_env, alone_db)
    monkeypatch.setenv("ARCTL_WORKERS", "1")
    ok("--db", str(alone_db), "remind", "run", "--as-of", "2026-11-20", "--outbox", str(tmp_path / "alone"))
    monkeypatch.setattr(batch, "MIN_PARALLEL", 1)
    monkeypatch.setattr(batch, "CHUNK", 1)
    monkeypatch.setenv("ARCTL_WORKERS", "2")
    forked = []
    real = batch._in_workers
    monkeypatch.setattr(batch, "_in_workers", lambda *args: forked.append(args[0]) or real(*args))
    ok("remind", "run", "--as-of", "2026-11-20", "--outbox", str(tmp_path / "workers"))
    assert forked  # the workers did the rendering
    query = (
        "SELECT customer_id, channel, step_key, language, subject, body, status FROM reminder_message ORDER BY id"
    )
    assert rows(ledger_env, query) == rows(alone_db, query) and len(rows(ledger_env, query)) >= 3

    def files(folder: Path) -> dict[str, tuple]:  # type: ignore[type-arg]
        out = {}
        for path in sorted((folder / "2026-11-20").iterdir()):
            if path.suffix == ".eml":
                msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
                out[path.name] = (msg["Subject"], str(msg["To"]), msg.get_body(("plain",)).get_content())
            else:
                out[path.name] = path.read_text(encoding="utf-8")
        return out

    assert files(tmp_path / "workers") == files(tmp_path / "alone")
