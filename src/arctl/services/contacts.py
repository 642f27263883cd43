"""The contact log (沟通记录): calls, visits, letters, and the reminders `remind run` sent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select, update

from arctl.db import audit, repo
from arctl.db.audit import utc_now
from arctl.db.collection_models import LOG_CHANNELS, ContactLog, ReminderMessage
from arctl.db.engine import Database
from arctl.domain.errors import InvalidInput
from arctl.domain.ledger import choose
from arctl.domain.report import Column, Report, Row
from arctl.services._lookup import resolve_customer
from arctl.services.promises import refuse_future

TASK_CHANNELS = ("phone", "visit", "legal")
"""Channels whose reminder steps wait on the worklist as tasks until a contact on that channel is logged."""
OUTCOMES = ("reached", "no-answer", "left-message", "promised", "disputed", "refused", "paid")
"""Common outcomes (the outcome is free text)."""


@dataclass(frozen=True, slots=True)
class ContactResult:
    id: int
    customer: str
    on: date
    channel: str
    outcome: str
    next_on: date | None
    closed: tuple[tuple[int, str, date], ...] = ()
    """Reminder tasks closed by this contact: (message id, step, run date)."""


def log_contact(
    db: Database,
    customer: str,
    *,
    channel: str,
    outcome: str,
    on: date,
    note: str | None = None,
    contact: str | None = None,
    next_on: date | None = None,
) -> ContactResult:
    """Log a contact. A phone call, visit or legal step on `on` closes the customer's open reminder tasks
    of that channel made on or before `on` (status task → done, done on `on`)."""
    channel = choose(channel, LOG_CHANNELS, "--channel")
    outcome = " ".join((outcome or "").split())
    if not outcome:
        raise InvalidInput("the outcome is empty (e.g. reached, no-answer, promised)", field="--outcome")
    if len(outcome) > 200:
        raise InvalidInput(
            f"the outcome is {len(outcome)} characters; keep it to 200 (use --note)", field="--outcome"
        )
    contact = (contact or "").strip() or None
    if contact and len(contact) > 120:
        raise InvalidInput("the contact name is longer than 120 characters", field="--contact")
    refuse_future(on)
    if next_on is not None and next_on < on:
        raise InvalidInput(f"the next step {next_on} is before the contact ({on})", field="--next")
    with db.write() as session:
        cust = resolve_customer(session, customer)
        entry = ContactLog(
            customer_id=cust.id, occurred_on=on, channel=channel, outcome=outcome, note=(note or "").strip() or None,
            next_on=next_on, contact_name=contact, user=session.info["invocation"].actor, created_at=utc_now(),
        )  # fmt: skip
        session.add(entry)
        session.flush()
        closed: list[tuple[int, str, date]] = []
        if channel in TASK_CHANNELS:
            tasks = session.execute(
                select(ReminderMessage.id, ReminderMessage.step_key, ReminderMessage.run_on)
                .where(ReminderMessage.customer_id == cust.id, ReminderMessage.status == "task",
                       ReminderMessage.channel == channel, ReminderMessage.run_on <= on)
                .order_by(ReminderMessage.run_on, ReminderMessage.id)
            ).all()  # fmt: skip
            closed = [(t.id, t.step_key, t.run_on) for t in tasks]
            if closed:
                session.execute(
                    update(ReminderMessage)
                    .where(ReminderMessage.id.in_([t[0] for t in closed]))
                    .values(status="done", done_on=on)
                )
        audit.record(session, "contact.log", "contact_log", entry.id, after={
            "customer": cust.code, "on": on, "channel": channel, "outcome": outcome, "note": entry.note,
            "contact": contact, "next_on": next_on, "closed_tasks": [t[0] for t in closed],
        })  # fmt: skip
        return ContactResult(entry.id, cust.code, on, channel, outcome, next_on, tuple(closed))


def list_contacts(db: Database, customer: str | None = None, *, since: date | None = None, as_of: date) -> Report:
    """Contact-log entries dated from `since` (default: all) to `as_of`, oldest first; reminders sent by
    `remind run` show their message id."""
    if since is not None and since > as_of:
        raise InvalidInput(f"{since} is after --as-of {as_of}", field="--since")
    with db.read() as session:
        query = select(ContactLog).where(ContactLog.occurred_on <= as_of)
        if since is not None:
            query = query.where(ContactLog.occurred_on >= since)
        if customer is not None:
            query = query.where(ContactLog.customer_id == resolve_customer(session, customer).id)
        entries = list(session.execute(query.order_by(ContactLog.occurred_on, ContactLog.id)).scalars())
        codes = repo.customer_labels(session)
        rows: list[Row] = [
            {"id": e.id, "on": e.occurred_on, "customer": codes[e.customer_id][0], "channel": e.channel,
             "outcome": e.outcome, "contact": e.contact_name or "", "next": e.next_on, "note": e.note or "",
             "reminder": f"R{e.reminder_id}" if e.reminder_id else "", "user": e.user}
            for e in entries
        ]  # fmt: skip
    columns = (
        Column("id", "ID", "int", wide_only=True),
        Column("on", "Date", "date"),
        Column("customer", "Customer"),
        Column("channel", "Channel"),
        Column("outcome", "Outcome"),
        Column("contact", "Contact"),
        Column("next", "Next", "date"),
        Column("note", "Note", wide_only=True),
        Column("reminder", "Reminder", wide_only=True),
        Column("user", "User", wide_only=True),
    )
    title = f"Contact log {since} – {as_of}" if since else f"Contact log to {as_of}"
    return Report("contacts", title, columns, rows, as_of=as_of)
