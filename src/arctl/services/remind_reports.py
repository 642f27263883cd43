"""Reports around the dunning run: the policy in force, a run's summary, the call sheet, the history."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, func, or_, select

from arctl.db.bulk import chunked
from arctl.db.collection_models import ReminderMessage, ReminderStep
from arctl.db.engine import Database
from arctl.db.models import Customer, Installment, Invoice
from arctl.domain.errors import InvalidInput
from arctl.domain.money import Money, format_amount
from arctl.domain.report import Column, Report, Row
from arctl.reminders.policy import Policy
from arctl.services import settings
from arctl.services.promises import open_as_of
from arctl.services.remind import TASK_CHANNELS, RunResult, SkipNote


def policy_report(ladder: str | None = None) -> Report:
    """Every ladder's steps, with who follows which ladder and what holds items back, in the notes."""
    policy = settings.collections_policy()
    if ladder is not None and ladder not in policy.ladders:
        raise InvalidInput(f"no ladder {ladder!r}; ladders: {', '.join(sorted(policy.ladders))}", field="--ladder")
    rows: list[Row] = []
    for name, lad in sorted(policy.ladders.items(), key=lambda kv: (kv[0] != policy.default, kv[0])):
        if ladder is not None and name != ladder:
            continue
        for step in lad.steps:
            fee = ""
            if step.fee is not None:
                parts = []
                if step.fee.fixed_minor:
                    parts.append(f"{step.fee.currency} {format_amount(step.fee.fixed_minor, step.fee.currency)}")
                if step.fee.percent_bp:
                    parts.append(f"{step.fee.percent_bp / 100:g}% of the open balance")
                fee = " + ".join(parts)
            rows.append({"ladder": name, "step": step.key, "offset": step.offset_days, "when": _when(step.offset_days),
                         "channel": step.channel, "template": step.template, "title": step.title, "fee": fee})  # fmt: skip
    columns = (
        Column("ladder", "Ladder"), Column("step", "Step"), Column("offset", "Offset", "int"),
        Column("when", "When", wide_only=True), Column("channel", "Channel"), Column("template", "Template", wide_only=True),
        Column("title", "Title"), Column("fee", "Fee"),
    )  # fmt: skip
    return Report("remind-policy", "Dunning policy", columns, rows, notes=_policy_notes(policy))


def _when(offset: int) -> str:
    if offset < 0:
        return f"{-offset} day(s) before the due date"
    return "on the due date" if offset == 0 else f"{offset} day(s) after the due date"


def _policy_notes(policy: Policy) -> list[str]:
    notes = [f"default ladder: {policy.default}"]
    for rule in policy.rules:
        who = " and ".join(
            part for part in (
                f"grade {'/'.join(sorted(rule.grades))}" if rule.grades else "",
                f"tag {'/'.join(sorted(rule.tags))}" if rule.tags else "",
            ) if part
        )  # fmt: skip
        notes.append(f"rule: {who} → {rule.ladder}")
    excluded = [
        *(f"code {c}" for c in sorted(policy.exclude_codes)),
        *(f"tag {t}" for t in sorted(policy.exclude_tags)),
    ]
    notes.append("never reminded: " + (", ".join(excluded) or "nobody"))
    h = policy.holds
    notes.append(f"holds: promises +{h.promise_grace_days} grace day(s); disputes "
                 f"{'stop' if h.disputes_stop_interest else 'do not stop'} interest; disputes flagged after "
                 f"{h.dispute_alert_days} day(s)")  # fmt: skip
    user = settings.policy_file()
    notes.append(f"read from: {', '.join(policy.sources)}" + ("" if user.is_file() else f" (override: {user})"))
    return notes


RUN_COLUMNS = (
    Column("reference", "Ref"), Column("customer", "Customer"), Column("name", "Name", wide_only=True),
    Column("channel", "Channel"), Column("step", "Step"), Column("items", "Items", "int"),
    Column("amount", "Amount", "money"), Column("status", "Status"), Column("to", "To", wide_only=True),
    Column("file", "File", wide_only=True), Column("error", "Error", wide_only=True),
)  # fmt: skip
SKIP_COLUMNS = (Column("customer", "Customer"), Column("installment", "Installment"), Column("step", "Step"),
                Column("reason", "Why skipped"))  # fmt: skip


def run_reports(result: RunResult) -> list[Report]:
    """A run's summary: one row per message and currency, then what was skipped and why."""
    rows: list[Row] = []
    for o in result.outcomes:
        p = o.planned
        to = p.addressee.email if p.message.channel == "email" else p.addressee.contact_name
        for currency, minor in p.message.totals:
            rows.append({"reference": p.reference, "customer": p.addressee.code, "name": p.addressee.name,
                         "channel": p.message.channel, "step": p.message.step.key, "items": len(p.message.items),
                         "amount": Money(minor, currency), "status": o.status, "to": to, "file": o.file or "",
                         "error": o.error or ""})  # fmt: skip
    counts: dict[str, int] = defaultdict(int)
    for o in result.outcomes:
        counts[o.status] += 1
    notes = [f"{n} {status}" for status, n in sorted(counts.items())] or ["nothing due today"]
    notes += [f"fees charged: {c} {format_amount(m, c)}" for c, m in sorted(result.fees.items())]
    if result.outbox is not None and any(o.file for o in result.outcomes):
        notes.append(f"outbox: {result.outbox / result.as_of.isoformat()}")
    if result.in_doubt:
        notes.append(f"in doubt (interrupted while sending, never re-sent): messages {', '.join(map(str, result.in_doubt))}"
                     " — check the mail server, then `arctl remind mark ID --sent|--failed`")  # fmt: skip
    if result.mode == "dry-run":
        notes.append("dry run: nothing was recorded or sent")
    title = f"Reminders as of {result.as_of.isoformat()}"
    messages = Report("remind-run", title, RUN_COLUMNS, rows, as_of=result.as_of, notes=notes)
    skipped = Report("remind-skipped", "Skipped (held or unreachable)", SKIP_COLUMNS,
                     [_skip_row(s) for s in result.skipped],
                     as_of=result.as_of)  # fmt: skip
    return [messages, skipped]


def _skip_row(s: SkipNote) -> Row:
    return {"customer": s.customer, "installment": s.installment, "step": s.step, "reason": s.reason}


@dataclass(frozen=True, slots=True)
class MessageDetail:
    id: int
    customer: str
    run_on: date
    channel: str
    step: str
    status: str
    recipient: str | None
    subject: str
    body: str
    file: str | None
    error: str | None
    items: list[str]


TASK_COLUMNS = (
    Column("id", "Task", "int"), Column("made", "Made", "date"), Column("customer", "Customer"),
    Column("name", "Name", wide_only=True), Column("channel", "Do"), Column("step", "Step"),
    Column("contact", "Contact"), Column("phone", "Phone"), Column("amount", "Open", "money"),
    Column("days_late", "Days late", "int"), Column("items", "Items", wide_only=True),
    Column("script", "Call sheet", wide_only=True),
)  # fmt: skip


def tasks_report(db: Database, as_of: date, collector: str | None = None) -> Report:
    """Open phone, visit and legal tasks made on or before `as_of` (the call sheet), with what is still open."""
    from arctl.db.remind_repo import addressees

    with db.read() as session:
        query = (
            select(ReminderMessage.id, ReminderMessage.run_on, ReminderMessage.customer_id, ReminderMessage.channel,
                   ReminderMessage.step_key, ReminderMessage.body)
            .join(Customer, Customer.id == ReminderMessage.customer_id)
            .where(ReminderMessage.run_on <= as_of, ReminderMessage.channel.in_(TASK_CHANNELS),
                   # open at the end of as_of: still a task, or done only later
                   or_(ReminderMessage.status == "task",
                       and_(ReminderMessage.status == "done", ReminderMessage.done_on > as_of)))
            .order_by(ReminderMessage.run_on, Customer.code, ReminderMessage.id)
        )  # fmt: skip
        if collector:
            query = query.where(Customer.collector == collector)
        tasks = list(session.execute(query))
        steps: dict[int, list[tuple[int, str, date | None]]] = defaultdict(list)
        ids = [t[0] for t in tasks]
        for chunk in chunked(ids):
            for message_id, installment_id, number, seq, due in session.execute(
                select(ReminderStep.message_id, ReminderStep.installment_id, Invoice.number, Installment.seq,
                       Installment.due_date)
                .join(Installment, Installment.id == ReminderStep.installment_id)
                .join(Invoice, Invoice.id == Installment.invoice_id)
                .where(ReminderStep.message_id.in_(chunk))
            ):  # fmt: skip
                steps[message_id].append((installment_id, f"{number}/{seq}", due))
        open_now = open_as_of(session, [s[0] for v in steps.values() for s in v], as_of)
        people = addressees(session, {t[2] for t in tasks})
        currencies = _currencies(session, [s[0] for v in steps.values() for s in v])
    rows: list[Row] = []
    for message_id, run_on, customer_id, channel, step, body in tasks:
        who = people[customer_id]
        items = steps[message_id]
        per_currency: dict[str, int] = defaultdict(int)
        for installment_id, _, _ in items:
            per_currency[currencies[installment_id]] += max(open_now.get(installment_id, 0), 0)
        late = max(((as_of - due).days for _, _, due in items if due), default=0)
        for cur, minor in sorted(per_currency.items()) or [("CNY", 0)]:
            rows.append({"id": message_id, "made": run_on, "customer": who.code, "name": who.name, "channel": channel,
                         "step": step, "contact": who.contact_name, "phone": who.phone, "amount": Money(minor, cur),
                         "days_late": late, "items": " ".join(label for _, label, _ in items), "script": body})  # fmt: skip
    notes = [] if rows else ["no open calls or visits"]
    return Report("remind-calls", f"Calls and visits as of {as_of.isoformat()}", TASK_COLUMNS, rows, as_of=as_of,
                  notes=notes)  # fmt: skip


def _currencies(session, installment_ids: list[int]) -> dict[int, str]:  # type: ignore[no-untyped-def]
    out: dict[int, str] = {}
    for chunk in chunked(installment_ids):
        out.update(session.execute(
            select(Installment.id, Invoice.currency).join(Invoice, Invoice.id == Installment.invoice_id)
            .where(Installment.id.in_(chunk))
        ).all())  # fmt: skip
    return out


HISTORY_COLUMNS = (
    Column("id", "Id", "int"), Column("run_on", "Date", "date"), Column("customer", "Customer"),
    Column("channel", "Channel"), Column("step", "Step"), Column("status", "Status"),
    Column("items", "Items", "int"), Column("recipient", "To", wide_only=True), Column("subject", "Subject"),
)  # fmt: skip


def history_report(db: Database, *, customer: str | None, since: date | None, status: str | None) -> Report:
    """Reminders recorded, newest first."""
    from arctl.services._lookup import resolve_customer

    with db.read() as session:
        count = (select(func.count(ReminderStep.id)).where(ReminderStep.message_id == ReminderMessage.id)
                 .scalar_subquery())  # fmt: skip
        query = (
            select(ReminderMessage.id, ReminderMessage.run_on, Customer.code, ReminderMessage.channel,
                   ReminderMessage.step_key, ReminderMessage.status, count, ReminderMessage.recipient,
                   ReminderMessage.subject)
            .join(Customer, Customer.id == ReminderMessage.customer_id)
            .order_by(ReminderMessage.run_on.desc(), ReminderMessage.id.desc())
        )  # fmt: skip
        if customer:
            query = query.where(ReminderMessage.customer_id == resolve_customer(session, customer).id)
        if since:
            query = query.where(ReminderMessage.run_on >= since)
        if status:
            query = query.where(ReminderMessage.status == status)
        keys = ("id", "run_on", "customer", "channel", "step", "status", "items", "recipient", "subject")
        rows = [dict(zip(keys, r, strict=True)) for r in session.execute(query)]
    return Report("remind-list", "Reminders", HISTORY_COLUMNS, rows, notes=[] if rows else ["no reminders yet"])


def message_detail(db: Database, message_id: int) -> MessageDetail:
    with db.read() as session:
        row = session.get(ReminderMessage, message_id)
        if row is None:
            raise InvalidInput(f"no reminder message {message_id}", field="ID")
        code = session.execute(select(Customer.code).where(Customer.id == row.customer_id)).scalar_one()
        items = [
            f"{number}/{seq} ({key})"
            for number, seq, key in session.execute(
                select(Invoice.number, Installment.seq, ReminderStep.step_key)
                .join(Installment, Installment.id == ReminderStep.installment_id)
                .join(Invoice, Invoice.id == Installment.invoice_id)
                .where(ReminderStep.message_id == message_id)
                .order_by(Installment.due_date, Installment.id)
            )
        ]
        return MessageDetail(row.id, code, row.run_on, row.channel, row.step_key, row.status, row.recipient,
                             row.subject, row.body, row.file, row.error, items)  # fmt: skip


def template_list() -> list[tuple[str, str, str]]:
    """(template, language, where from): the user's folder first, then the shipped templates."""
    from arctl.reminders.letters import Templates

    return Templates(settings.templates_dir()).available()
