"""The dunning run (`arctl remind run`): who gets which step today, the messages, and the proof of each.

What happens, in order:
1. **Plan** (reads only): every open installment due on or before today + the ladders' longest lead; its
   steps already taken, holds (open disputes, legal hold, live promises) and broken promises; the ladder of
   its customer (`reminders.policy.ladder_for`). `reminders.ladder.due_steps` picks, per installment, the
   highest step now due (after missed days: one catch-up step, never one per missed day);
   `group_messages` makes one message per customer and channel.
2. **Render** every message with the templates (zh or en by the contact's language) before anything is
   recorded, so a broken template fails the run with nothing changed.
3. **Record**. Each message's items become `reminder_step` rows, unique per (installment, step): a step can
   never be taken twice, whatever reruns or crashes happen.
   - Tasks (phone, visit, legal) and letters (demand, lawyer) and, without `--send`, emails (.eml files in
     the outbox) are recorded in one transaction with their fees and contact-log entries; the files are
     written inside it and removed again if it fails.
   - With `--send`, each email is recorded as `sending` and committed, handed to the SMTP server, then
     marked `sent` (with its fee and contact-log entry) in a second transaction. When the server refuses
     one, that message is marked `failed` and its steps are released, the batch stops, and the next run
     sends exactly the messages that did not go out. A crash between handing over and recording leaves
     `sending`: such messages are never re-sent blindly; `arctl remind mark ID --sent|--failed` settles them.
   - `--dry-run` plans and renders, and records nothing.
A second run on the same day finds every step recorded and does nothing.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from arctl.db import audit, collections_repo, remind_repo
from arctl.db.audit import utc_now
from arctl.db.bulk import insert_returning, insert_tuples
from arctl.db.collection_models import ContactLog, ReminderMessage, ReminderStep
from arctl.db.engine import Database, default_path
from arctl.db.remind_repo import Addressee, OpenItem
from arctl.domain.errors import InvalidInput, Refused
from arctl.reminders.ladder import Due, ItemState, Message, Skipped, due_steps, group_messages
from arctl.reminders.policy import Ladder, Policy, ladder_for
from arctl.services import settings

if TYPE_CHECKING:
    from arctl.reminders.letters import Rendered, Templates
    from arctl.reminders.mail import MailSettings

Mode = Literal["dry-run", "outbox", "send"]
TASK_CHANNELS = ("phone", "visit", "legal")
LETTER_CHANNELS = ("letter", "lawyer")
_LOGGED = {"email": "email", "letter": "letter", "lawyer": "lawyer"}
"""Channels whose messages reach the customer when recorded, and their contact-log channel. Tasks are
logged by the clerk when done (`arctl contact log`)."""


@dataclass(frozen=True, slots=True)
class Planned:
    """One message ready to record: what the ladder decided, for whom, and its rendered text."""

    message: Message
    addressee: Addressee
    items: tuple[OpenItem, ...]
    """The ledger facts of `message.items`, in the same order."""
    reference: str
    rendered: Rendered
    language: str
    eml: bytes | None = None
    """The email as an .eml file's bytes, built with the rendering (outbox runs)."""


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of one planned message."""

    planned: Planned
    status: str
    """sent · written · task · failed · not sent (after a failure) · would send / would write / would task."""
    message_id: int | None = None
    file: str | None = None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class SkipNote:
    customer: str
    installment: str
    step: str
    reason: str


@dataclass
class RunResult:
    as_of: date
    mode: Mode
    outbox: Path | None
    outcomes: list[Outcome] = field(default_factory=list)
    skipped: list[SkipNote] = field(default_factory=list)
    fees: dict[str, int] = field(default_factory=dict)
    """Fees charged per currency."""
    in_doubt: list[int] = field(default_factory=list)
    """Messages left `sending` by an interrupted run (never re-sent)."""

    @property
    def failed(self) -> bool:
        return any(o.status == "failed" for o in self.outcomes)


def default_outbox() -> Path:
    """$ARCTL_OUTBOX, else `outbox/` beside the per-user ledger (~/.local/share/arctl/outbox)."""
    return Path(os.environ.get("ARCTL_OUTBOX") or default_path().parent / "outbox")


def run(
    db: Database,
    *,
    as_of: date,
    mode: Mode,
    outbox: Path | None = None,
    customers: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
) -> RunResult:
    """Plan, render and record today's reminders (see the module docstring)."""
    from arctl.domain.dates import today
    from arctl.reminders.letters import Templates

    if as_of > today():
        # Steps are taken once for good: a run dated ahead would take tomorrow's steps today and skip
        # the milder ones for ever.
        raise InvalidInput(f"{as_of} is after today ({today()}): reminders are sent on their day", field="--as-of")
    env = os.environ if env is None else env
    policy = settings.collections_policy()
    config = settings.read_settings()
    mail = _mail_settings(config, env, sending=mode == "send")
    if mode == "send":
        from arctl.reminders.mail import SmtpSender

        SmtpSender(mail)  # checks user/password/security now, before anything is recorded
    templates = Templates(settings.templates_dir())
    folder = (outbox or default_outbox()) if mode != "dry-run" else None
    result = RunResult(as_of, mode, folder)
    with db.read() as session:
        customer_ids = _customer_ids(session, customers) if customers else None
        plan, skipped = _plan(session, policy, as_of, customer_ids)
        result.skipped = skipped
        result.in_doubt = remind_repo.in_doubt(session)
        first = remind_repo.messages_on(session, as_of)
    company = settings.company(config)
    if not company["name"] and any(m.channel not in TASK_CHANNELS for m, _, _ in plan):
        # Every email and letter is signed by, and asks payment for, the company: never send one unsigned.
        raise InvalidInput(
            "emails and letters need the sender: set name (and address, bank, account) under [company]",
            file=str(settings.settings_file()), field="company.name",
        )  # fmt: skip
    planned = _render(plan, templates, company, as_of, first, mail if mode == "outbox" else None)
    if mode == "dry-run":
        result.outcomes = [Outcome(p, "would " + _verb(p.message.channel, False)) for p in planned]
        return result
    assert folder is not None
    now_sent = [p for p in planned if mode == "send" and p.message.channel == "email"]
    at_once = [p for p in planned if p not in now_sent]
    result.outcomes += _record_at_once(db, at_once, folder / as_of.isoformat(), as_of, mail, result.fees)
    if now_sent:
        result.outcomes += _send_all(db, now_sent, mail, as_of, result.fees)
    return result


def _mail_settings(config: Mapping[str, Any], env: Mapping[str, str], *, sending: bool) -> MailSettings:
    from arctl.reminders.mail import MailSettings

    mail = MailSettings.from_sources(config.get("mail", {}), env)
    if sending and not mail.host:
        raise InvalidInput("--send needs an SMTP server: [mail] host in arctl.toml or $ARCTL_SMTP_HOST",
                           field="mail.host")  # fmt: skip
    if sending and not mail.sender:
        raise InvalidInput("--send needs a From address: [mail] from in arctl.toml or $ARCTL_MAIL_FROM",
                           field="mail.from")  # fmt: skip
    return mail


def _customer_ids(session: Session, refs: Sequence[str]) -> list[int]:
    from arctl.services._lookup import resolve_customer

    return [resolve_customer(session, ref).id for ref in refs]


# --- plan -------------------------------------------------------------------------------------------


def lead_days(policy: Policy) -> int:
    """How many days before a due date the earliest step of any ladder comes."""
    return max(0, *(-step.offset_days for ladder in policy.ladders.values() for step in ladder.steps))


def _plan(
    session: Session, policy: Policy, as_of: date, customer_ids: list[int] | None
) -> tuple[list[tuple[Message, Addressee, tuple[OpenItem, ...]]], list[SkipNote]]:
    items = remind_repo.open_items(session, as_of, lead_days(policy), customer_ids)
    if not items:
        return [], []
    customer_set = {i.customer_id for i in items}
    people = remind_repo.addressees(session, customer_set)
    done = remind_repo.steps_done(session, as_of)
    disputed = collections_repo.disputed_installments(session, as_of)
    held = collections_repo.held_customers(session, as_of)
    promised, broken = _promise_holds(session, as_of, customer_set)
    by_ladder: dict[str | None, list[ItemState]] = {}
    ladders: dict[str | None, Ladder | None] = {}
    ladder_of: dict[int, Ladder | None] = {}  # per customer, not per item
    for item in items:
        who = people[item.customer_id]
        if item.customer_id not in ladder_of:
            ladder_of[item.customer_id] = ladder_for(policy, who.grade, who.tags, who.code)
        ladder = ladder_of[item.customer_id]
        name = ladder.name if ladder else None
        ladders[name] = ladder
        steps, last = done.get(item.installment_id, (frozenset(), None))
        by_ladder.setdefault(name, []).append(
            ItemState(item.installment_id, item.customer_id, item.due_on, item.open_minor, item.currency, steps,
                      last, item.installment_id in disputed, item.customer_id in held,
                      promised.get(item.installment_id), broken.get(item.installment_id))
        )  # fmt: skip
    results: list[Due | Skipped] = []
    for name, states in by_ladder.items():
        results += due_steps(states, ladders[name], as_of)
    item_of = {i.installment_id: i for i in items}
    skipped = [
        SkipNote(people[r.customer_id].code, _label(item_of[r.installment_id]), r.step or "", r.reason)
        for r in results if isinstance(r, Skipped) and r.step is not None
    ]  # fmt: skip
    plan = []
    for message in group_messages(results):
        who = people[message.customer_id]
        facts = tuple(item_of[d.installment_id] for d in message.items)
        if message.channel == "email" and (problem := _address_problem(who.email)):
            # Not recorded: the step stays due and goes out once a usable address is on file.
            skipped += [SkipNote(who.code, _label(f), d.step.key, problem) for d, f in zip(message.items, facts, strict=True)]  # fmt: skip
            continue
        plan.append((message, who, facts))
    skipped.sort(key=lambda s: (s.customer, s.installment))
    return plan, skipped


def _address_problem(address: str) -> str | None:
    """Why an email cannot go to this address, or None (one bad address must not stop everyone's run)."""
    from arctl.reminders.mail import check_address

    if not address:
        return "no email address"
    try:
        check_address(address)
    except InvalidInput:
        return f"bad email address {address!r}"
    return None


def _label(item: OpenItem) -> str:
    return f"{item.invoice}/{item.seq}"


def _promise_holds(
    session: Session, as_of: date, customer_ids: set[int]
) -> tuple[dict[int, date], dict[int, date]]:
    """Per installment: the last day a live promise holds it, and the latest day a promise on it broke."""
    holds: dict[int, date] = {}
    broken: dict[int, date] = {}
    for view in collections_repo.promises(session, as_of, customer_ids):
        state = view.state
        for installment_id in view.items:
            if state.holds:
                holds[installment_id] = max(holds.get(installment_id, state.holds_until), state.holds_until)
            elif state.failed and state.broken_on is not None:
                broken[installment_id] = max(broken.get(installment_id, state.broken_on), state.broken_on)
    return holds, broken


# --- render -----------------------------------------------------------------------------------------


def _render(
    plan: list[tuple[Message, Addressee, tuple[OpenItem, ...]]],
    templates: Templates,
    company: dict[str, str],
    as_of: date,
    first: int,
    mail: MailSettings | None,
) -> list[Planned]:
    """Every message rendered and, given `mail` (outbox runs), each email built as .eml bytes: per message,
    in worker processes when there are many (`reminders.batch`)."""
    from arctl.reminders.batch import map_all

    numbered = [(f"R-{as_of:%Y%m%d}-{n:04d}", who.language if who.language in ("zh", "en") else "zh")
                for n, (_, who, _) in enumerate(plan, first + 1)]  # fmt: skip

    def work(i: int) -> tuple[Rendered, bytes | None]:
        # Only the results travel back from a worker, not the plan: pickling it cost more than rendering.
        (message, who, facts), (reference, language) = plan[i], numbered[i]
        context = _context(message, who, facts, company, as_of, reference, language)
        rendered = templates.render(message.template, language, context)
        if mail is None or message.channel != "email":
            return rendered, None
        from arctl.reminders.mail import message_bytes

        planned = Planned(message, who, facts, reference, rendered, language)
        return rendered, message_bytes(_email(planned, mail, None))

    return [
        Planned(message, who, facts, reference, rendered, language, eml)
        for (message, who, facts), (reference, language), (rendered, eml)
        in zip(plan, numbered, map_all(len(plan), work), strict=True)
    ]  # fmt: skip


def _context(
    message: Message,
    who: Addressee,
    facts: tuple[OpenItem, ...],
    company: dict[str, str],
    as_of: date,
    reference: str,
    language: str,
) -> dict[str, Any]:
    """The template context (documented for template writers in reminders/letters.py)."""
    return {
        "customer": {"code": who.code, "name": who.name, "address": who.address},
        "contact": {"name": who.contact_name, "email": who.email, "phone": who.phone}
        if who.contact_name or who.email or who.phone else None,
        "company": company,
        "step": {"key": message.step.key, "title": message.step.title, "channel": message.step.channel,
                 "offset_days": message.step.offset_days},
        "as_of": as_of,
        "language": language,
        "reference": reference,
        "items": [_item(d, f) for d, f in zip(message.items, facts, strict=True)],
        "totals": [{"currency": c, "minor": m} for c, m in message.totals],
        "fees": [{"currency": c, "minor": m} for c, m in message.fees],
    }  # fmt: skip


def _item(due: Due, fact: OpenItem) -> dict[str, Any]:
    return {
        "installment_id": due.installment_id, "invoice": fact.invoice, "seq": fact.seq, "kind": fact.kind,
        "contract": fact.contract, "due_on": due.due_on, "days_late": due.days_late,
        "open_minor": due.open_minor, "currency": due.currency, "fee_minor": due.fee_minor,
        "step_key": due.step.key,
    }  # fmt: skip


def _verb(channel: str, done: bool) -> str:
    if channel in TASK_CHANNELS:
        return "task"
    if channel in LETTER_CHANNELS:
        return "written" if done else "write"
    return "written" if done else "send"


# --- record -----------------------------------------------------------------------------------------


def _record_at_once(
    db: Database, planned: list[Planned], folder: Path, as_of: date, mail: MailSettings, fees: dict[str, int]
) -> list[Outcome]:
    """Tasks, letters and outbox emails, in one transaction. The files are written first (synced to disk
    once, not file by file) and removed again if the transaction fails; rows go in as a few bulk inserts."""
    if not planned:
        return []
    written: list[Path] = []
    try:
        statuses = ["task" if p.message.channel in TASK_CHANNELS else "written" for p in planned]
        files: list[Path | None] = []
        for p, status in zip(planned, statuses, strict=True):
            files.append(None if status == "task" else _write_file(p, folder, mail))
            if files[-1] is not None:
                written.append(files[-1])  # type: ignore[arg-type]
        if written:
            os.sync()  # the files are on disk before the ledger says they were written
        with db.write() as session:
            ids = _insert_messages(session, planned, as_of, statuses, files, [None] * len(planned))
            _charge_fees(session, planned, as_of, fees)
            _log_contacts(session, list(zip(planned, ids, strict=True)), as_of, "written to the outbox")
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return [
        Outcome(p, status, message_id, str(file) if file else None)
        for p, status, message_id, file in zip(planned, statuses, ids, files, strict=True)
    ]


def _send_all(
    db: Database, planned: list[Planned], mail: MailSettings, as_of: date, fees: dict[str, int]
) -> list[Outcome]:
    from arctl.reminders.mail import SendError, SmtpSender

    outcomes: list[Outcome] = []
    pending = list(planned)
    try:
        sender = SmtpSender(mail)
        sender.__enter__()
    except SendError as exc:
        return [Outcome(p, "failed" if i == 0 else "not sent", error=str(exc)) for i, p in enumerate(pending)]
    try:
        while pending:
            p = pending.pop(0)
            email = _email(p, mail, as_of)
            with db.write() as session:
                [message_id] = _insert_messages(
                    session, [p], as_of, ["sending"], [None], [str(email["Message-ID"])]
                )
            try:
                sender.send(email)
            except SendError as exc:
                _mark_failed(db, message_id, str(exc))
                outcomes.append(Outcome(p, "failed", message_id, error=str(exc)))
                outcomes += [Outcome(q, "not sent") for q in pending]
                break
            with db.write() as session:
                _mark_sent(session, message_id)
                _charge_fees(session, [p], as_of, fees)
                _log_contacts(session, [(p, message_id)], as_of, "sent by email")
            outcomes.append(Outcome(p, "sent", message_id))
    finally:
        sender.__exit__(None, None, None)
    return outcomes


def _email(p: Planned, mail: MailSettings, as_of: date | None):  # type: ignore[no-untyped-def]
    """The RFC 5322 message. In the outbox without a From address configured, a placeholder the clerk's
    mail client replaces (`.invalid` never resolves, so it cannot reach anyone by mistake)."""
    from arctl.reminders.mail import build_email, new_message_id

    sender = mail.sender or "collections@arctl.invalid"
    return build_email(
        sender=(mail.sender_name, sender), to=[(p.addressee.contact_name or p.addressee.name, p.addressee.email)],
        subject=p.rendered.subject, text=p.rendered.text, html=p.rendered.html, when=datetime.now(UTC),
        message_id=new_message_id(sender.rpartition("@")[2]),
    )  # fmt: skip


def _write_file(p: Planned, folder: Path, mail: MailSettings) -> Path:
    """The .eml of an email, the printable .html of a letter (atomic; the caller syncs the batch)."""
    name = f"{p.reference}-{p.addressee.code}-{p.message.step.key}"
    if p.message.channel in LETTER_CHANNELS:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}.html"
        tmp = folder / f".{name}.html.tmp"
        tmp.write_text(p.rendered.html or p.rendered.text, encoding="utf-8")
        os.replace(tmp, path)
        return path
    from arctl.reminders.mail import write_eml

    return write_eml(folder, name, p.eml if p.eml is not None else _email(p, mail, None), sync=False)


def _insert_messages(
    session: Session,
    planned: Sequence[Planned],
    as_of: date,
    statuses: Sequence[str],
    files: Sequence[Path | None],
    headers: Sequence[str | None],
) -> list[int]:
    """The messages, their steps and one audit event each: three bulk inserts, whatever the count."""
    now = utc_now()
    rows = []
    for p, status, file, header in zip(planned, statuses, files, headers, strict=True):
        m = p.message
        rows.append({
            "customer_id": m.customer_id, "run_on": as_of, "channel": m.channel, "step_key": m.step.key,
            "ladder": m.ladder, "template": m.template, "language": p.language,
            "recipient": p.addressee.email if m.channel == "email" else (p.addressee.contact_name or None),
            "subject": p.rendered.subject[:400], "body": p.rendered.text, "status": status,
            "message_id": header, "file": str(file) if file else None, "created_at": now, "sent_at": None,
        })  # fmt: skip
    ids = insert_returning(session, ReminderMessage, rows)
    day = as_of.isoformat()
    insert_tuples(session.connection(), ReminderStep.__table__, _STEP_COLUMNS, [
        (message_id, d.installment_id, d.step.key, day, d.open_minor, d.currency, bool(d.escalated))
        for p, message_id in zip(planned, ids, strict=True) for d in p.message.items
    ])  # fmt: skip
    audit.record_many(session, [
        ("create", "reminder_message", message_id, None, {
            "customer": p.addressee.code, "channel": p.message.channel, "step": p.message.step.key,
            "status": status, "reference": p.reference,
            "items": [f"{d.installment_id}:{d.step.key}" for d in p.message.items],
        })
        for p, message_id, status in zip(planned, ids, statuses, strict=True)
    ])  # fmt: skip
    return ids


_STEP_COLUMNS = ("message_id", "installment_id", "step_key", "done_on", "open_minor", "currency", "escalated")


def _charge_fees(session: Session, planned: Sequence[Planned], as_of: date, fees: dict[str, int]) -> None:
    """The steps' fees, once per (installment, step): a fee already charged is not charged again."""
    from arctl.services.fee_batch import FeeRequest, post_fees

    wanted = [
        FeeRequest(due.installment_id, due.step.key, due.fee_minor, due.currency)
        for p in planned for due in p.message.items if due.fee_minor > 0
    ]  # fmt: skip
    for charged in post_fees(session, wanted, on=as_of):
        fees[charged.currency] = fees.get(charged.currency, 0) + charged.amount_minor


def _log_contacts(session: Session, done: list[tuple[Planned, int]], as_of: date, how: str) -> None:
    """A contact-log entry for every message that reached the customer (tasks are logged when done)."""
    now, actor, day = utc_now(), session.info["invocation"].actor, as_of.isoformat()
    rows = [
        (p.message.customer_id, day, _LOGGED[p.message.channel],
         f"{how}: {p.message.step.title or p.message.step.key}"[:200], f"{p.reference}: {p.rendered.subject}",
         p.addressee.contact_name or None, message_id, actor, now)
        for p, message_id in done if p.message.channel in _LOGGED
    ]  # fmt: skip
    insert_tuples(session.connection(), ContactLog.__table__, _LOG_COLUMNS, rows)


_LOG_COLUMNS = ("customer_id", "occurred_on", "channel", "outcome", "note", "contact_name", "reminder_id", "user",
                "created_at")  # fmt: skip


def _mark_sent(session: Session, message_id: int) -> None:
    session.execute(update(ReminderMessage).where(ReminderMessage.id == message_id)
                    .values(status="sent", sent_at=utc_now()))  # fmt: skip
    audit.record(session, "send", "reminder_message", message_id, after={"status": "sent"})


def _mark_failed(db: Database, message_id: int, error: str) -> None:
    """The server refused it: the message is kept as failed and its steps are released for the next run."""
    with db.write() as session:
        session.execute(update(ReminderMessage).where(ReminderMessage.id == message_id)
                        .values(status="failed", error=error[:2000]))  # fmt: skip
        released = session.execute(delete(ReminderStep).where(ReminderStep.message_id == message_id)).rowcount
        audit.record(session, "fail", "reminder_message", message_id,
                     after={"status": "failed", "error": error, "steps_released": released})  # fmt: skip


def mark(db: Database, message_id: int, *, sent: bool, on: date) -> str:
    """Settle a message left `sending` by an interrupted run, once the mail server's log has been checked."""
    with db.write() as session:
        row = session.get(ReminderMessage, message_id)
        if row is None:
            raise InvalidInput(f"no reminder message {message_id}", field="ID")
        if row.status != "sending":
            raise Refused(f"message {message_id} is {row.status}, not in doubt: nothing to settle")
        if sent:
            _mark_sent(session, message_id)
            _charge_marked_fees(session, row)
            session.add(ContactLog(
                customer_id=row.customer_id, occurred_on=on, channel="email", outcome=f"sent by email: {row.step_key}",
                note=row.subject, reminder_id=message_id, user=session.info["invocation"].actor, created_at=utc_now(),
            ))  # fmt: skip
            return "sent"
    _mark_failed(db, message_id, "marked failed by hand after an interrupted run")
    return "failed"


def _charge_marked_fees(session: Session, row: ReminderMessage) -> None:
    """The fees the message announced, charged as a confirmed send would have: dated the run's day, the
    step's fee on the open amount recorded with each step."""
    from arctl.services.fee_batch import FeeRequest, post_fees

    ladder = settings.collections_policy().ladders.get(row.ladder)
    fees = {s.key: s.fee for s in ladder.steps if s.fee is not None} if ladder else {}
    wanted = [
        FeeRequest(installment_id, key, fees[key].amount(open_minor, currency), currency)
        for installment_id, key, open_minor, currency in session.execute(
            select(ReminderStep.installment_id, ReminderStep.step_key, ReminderStep.open_minor, ReminderStep.currency)
            .where(ReminderStep.message_id == row.id)
        )
        if key in fees and fees[key].amount(open_minor, currency) > 0
    ]  # fmt: skip
    post_fees(session, wanted, on=row.run_on)


def steps_of(session: Session, message_id: int) -> list[tuple[int, str]]:
    return [tuple(r) for r in session.execute(  # type: ignore[misc]
        select(ReminderStep.installment_id, ReminderStep.step_key).where(ReminderStep.message_id == message_id)
    )]  # fmt: skip
