"""The day's worklist (`arctl today`): gather candidate work items as of a date; `reports.worklist` ranks them.

A handful of set-based queries, each reading only what can be work today (plain tuples, no ORM objects in
bulk): the customers (one row each) and their primary contacts; the overdue open balance per customer and
currency (only installments still open at D: `settled_on IS NULL OR > D`, split in two index range scans);
open reminder tasks with the installments they cover; the latest contact-log entry per customer; the
customers reminded in the last 14 days; promises (`collections_repo.promises`); disputes open too long;
payments of the last 7 days with something unapplied; unmatched bank lines of the last 7 days.

Windows, all ending on D inclusive: "last 7 days" = D-6 .. D; "last 14 days" = D-13 .. D.

As of a past date everything is rebuilt from dated facts (a task closed after D was still open on D), except
bank lines: their status has no date, so a past list shows the lines still unmatched now.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import and_, case, func, or_, select, union_all
from sqlalchemy.orm import Session

from arctl.db import collections_repo
from arctl.db.bank_models import BankLine
from arctl.db.collection_models import ContactLog, Dispute, DisputeItem, ReminderMessage, ReminderStep
from arctl.db.engine import Database
from arctl.db.models import Allocation, Contact, Customer, Installment, Invoice, Payment
from arctl.db.repo import active_at
from arctl.domain.errors import InvalidInput
from arctl.domain.money import Money, exponent, format_amount
from arctl.domain.report import Report
from arctl.reports.worklist import WorkItem, rank, worklist_report

TASK_KINDS = {"phone": "call", "visit": "visit", "legal": "legal"}
"""Reminder channels that make tasks, and the work item kind of each."""
RECENT_DAYS = 7
"""New cash and broken promises: the last 7 days (D-6 .. D)."""
QUIET_DAYS = 14
"""No-action: no reminder, task or contact in the last 14 days (D-13 .. D)."""
NO_ACTION_OVERDUE = 30
"""No-action: some open item more than 30 days late."""


@dataclass(frozen=True, slots=True)
class _Cust:
    code: str
    name: str
    grade: str | None
    held: bool
    contact: str = ""
    phone: str = ""


@dataclass
class _Overdue:
    minor: int = 0
    """Open on installments past due at D (due date before D)."""
    over_30: int = 0
    """Of which more than 30 days late."""
    oldest: date | None = None


def _money(minor: int, currency: str) -> str:
    return f"{format_amount(minor, currency, grouping=True)} {currency}"


def worklist(db: Database, as_of: date, *, collector: str | None = None, limit: int | None = None) -> Report:
    """Today's ranked work as of `as_of`, for the customers of `collector` (everyone when None).

    A collector that works no customer is refused (a typo would otherwise give an empty list every day)."""
    from arctl.services.settings import collections_policy

    if limit is not None and limit < 1:
        raise InvalidInput(f"must be at least 1, not {limit}", field="--limit")
    alert_days = collections_policy().holds.dispute_alert_days
    collector = collector.strip() if collector is not None else None
    if collector == "":
        raise InvalidInput("the collector name is empty", field="--collector")
    with db.read() as session:
        customers = _customers(session, as_of, collector)
        if collector is not None and not customers:
            known = sorted(n for n in session.execute(select(Customer.collector).distinct()).scalars() if n)
            raise InvalidInput(
                f"no customer has the collector {collector!r}",
                field="--collector",
                hint=("collectors: " + ", ".join(known[:20])) if known else "no customer has a collector yet",
            )
        items = _gather(session, as_of, customers, collector, alert_days)
    notes = [f"disputes listed when open more than {alert_days} day(s) (policy holds.dispute_alert_days)"]
    return worklist_report(rank(items, limit=limit), as_of, collector=collector, extra_notes=notes)


def _gather(
    session: Session, as_of: date, customers: dict[int, _Cust], collector: str | None, alert_days: int
) -> list[WorkItem]:
    overdue = _overdue(session, as_of, collector)
    last_contact = _latest_contacts(session, as_of)
    items: list[WorkItem] = []
    items += _tasks(session, as_of, customers)
    items += _follow_ups(last_contact, as_of, customers, overdue)
    promise_items, promising = _promises(session, as_of, customers, last_contact)
    items += promise_items
    dispute_items, disputing = _disputes(session, as_of, customers, alert_days)
    items += dispute_items
    items += _unapplied(session, as_of, customers)
    items += _bank_lines(session, as_of, customers, everyone=collector is None)
    quiet_since = as_of - timedelta(days=QUIET_DAYS - 1)
    reminded = set(
        session.execute(
            select(ReminderMessage.customer_id).distinct().where(
                ReminderMessage.run_on >= quiet_since, ReminderMessage.run_on <= as_of,
                ReminderMessage.status != "failed",
            )
        ).scalars()
    )  # fmt: skip
    for cid, per_currency in overdue.items():
        cust = customers.get(cid)
        if cust is None or cid in reminded or cid in promising or cid in disputing:
            continue
        latest = last_contact.get(cid)
        if latest is not None and latest[1] >= quiet_since:
            continue
        currency, total = _main_currency(per_currency, as_of, over_30_only=True)
        if total is None:
            continue
        days = (as_of - total.oldest).days if total.oldest else 0
        when = f", last contact {latest[1]}" if latest else ", never contacted"
        items.append(WorkItem(
            "overdue", cust.code, cust.name,
            f"{_money(total.over_30, currency)} over 30 days late; nothing in {QUIET_DAYS} days{when}",
            Money(total.minor, currency), days, total.oldest, cust.grade,
            _call(cust, "call"), cust.code, cust.contact, cust.phone,
            cust.held,
        ))  # fmt: skip
    return items


def _call(cust: _Cust, verb: str) -> str:
    if cust.phone:
        return f"{verb} {cust.phone}" + (f" ({cust.contact})" if cust.contact else "")
    return f"{verb} {cust.contact} (no phone on file)" if cust.contact else f"{verb} (no contact on file)"


def _main_currency(
    per_currency: dict[str, _Overdue], as_of: date, *, over_30_only: bool = False
) -> tuple[str, _Overdue | None]:
    """The currency whose overdue balance scores highest (amount × days late); ties by currency code."""
    best: tuple[Decimal, str] | None = None
    for currency, total in per_currency.items():
        if over_30_only and not total.over_30:
            continue
        days = max((as_of - total.oldest).days, 1) if total.oldest else 1
        key = (-Decimal(total.minor * days).scaleb(-exponent(currency)), currency)
        if best is None or key < best:
            best = key
    if best is None:
        return "", None
    return best[1], per_currency[best[1]]


# --- queries -------------------------------------------------------------------------------------------


def _customers(session: Session, as_of: date, collector: str | None) -> dict[int, _Cust]:
    """Every customer in scope (one row each) with its grade, legal hold at `as_of` and primary contact."""
    c = Customer.__table__.c
    query = select(c.id, c.code, c.name, c.credit_grade)
    if collector is not None:
        query = query.where(c.collector == collector)
    rows = session.connection().execute(query).all()
    k = Contact.__table__.c
    contacts: dict[int, tuple[str, str]] = {}
    phones: dict[int, str] = {}
    contact_query = select(k.customer_id, k.name, k.phone).order_by(k.customer_id, k.is_primary.desc(), k.id)
    if collector is not None:
        contact_query = contact_query.where(k.customer_id.in_(select(c.id).where(c.collector == collector)))
    for cid, name, phone in session.connection().execute(contact_query).all():
        if cid not in contacts:  # the primary contact (else the first one)
            contacts[cid] = (name or "", phone or "")
        if phone and cid not in phones:
            phones[cid] = phone
    held = collections_repo.held_customers(session, as_of)
    out: dict[int, _Cust] = {}
    for cid, code, name, grade in rows:
        contact, phone = contacts.get(cid, ("", ""))
        out[cid] = _Cust(code, name, grade, cid in held, contact, phone or phones.get(cid, ""))
    return out


def _paid(as_of: date):  # type: ignore[no-untyped-def]
    """Allocations in force at the end of `as_of` on the installment of the enclosing query."""
    return (
        select(func.coalesce(func.sum(Allocation.amount_minor), 0))
        .where(Allocation.installment_id == Installment.id, active_at(as_of))
        .scalar_subquery()
    )


def _overdue(session: Session, as_of: date, collector: str | None) -> dict[int, dict[str, _Overdue]]:
    """Per customer and currency: what installments due before `as_of` still owed at its end, the part
    more than 30 days late, and the oldest such due date. One aggregate over the open installments only.

    An installment waiting for its event has no due date; an event-based one whose due date is before D
    had its event before D too (due = event + N days), so no pending test is needed here."""
    late_30 = as_of - timedelta(days=NO_ACTION_OVERDUE)

    def branch(settled):  # type: ignore[no-untyped-def]
        query = (
            select(Invoice.customer_id.label("cid"), Invoice.currency.label("cur"),
                   Installment.due_date.label("due"), (Installment.amount_minor - _paid(as_of)).label("open"))
            .join(Invoice, Invoice.id == Installment.invoice_id)
            .where(settled, Installment.due_date < as_of, Invoice.issue_date <= as_of,
                   or_(Invoice.voided_on.is_(None), Invoice.voided_on > as_of))
        )  # fmt: skip
        if collector is not None:
            query = query.where(
                Invoice.customer_id.in_(select(Customer.id).where(Customer.collector == collector))
            )
        return query

    # two halves of `settled_on IS NULL OR settled_on > D`: each an index range scan
    items = union_all(branch(Installment.settled_on.is_(None)), branch(Installment.settled_on > as_of)).subquery()
    query = (
        select(items.c.cid, items.c.cur, func.sum(items.c.open), func.min(items.c.due),
               func.sum(case((items.c.due < late_30, items.c.open), else_=0)))
        .where(items.c.open > 0)
        .group_by(items.c.cid, items.c.cur)
    )  # fmt: skip
    out: dict[int, dict[str, _Overdue]] = defaultdict(dict)
    for cid, cur, minor, oldest, over_30 in session.connection().execute(query).all():
        out[cid][cur] = _Overdue(int(minor), int(over_30 or 0), _as_date(oldest))
    return out


def _as_date(value: object) -> date | None:
    """min() over a union comes back as text on SQLite."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _latest_contacts(session: Session, as_of: date) -> dict[int, tuple[int, date, str, str, date | None, str]]:
    """Each customer's latest contact-log entry made by a person on or before `as_of`: (id, date, channel,
    outcome, next date, contact name). The entries `remind run` writes for what it sent are left out: an
    automatic email neither supersedes a follow-up a person planned nor answers a broken promise (the
    "quiet for 14 days" test sees reminders through reminder_message instead)."""
    log = ContactLog.__table__.c
    ordered = (
        select(log.id, log.customer_id, log.occurred_on, log.channel, log.outcome, log.next_on, log.contact_name,
               func.row_number().over(partition_by=log.customer_id,
                                       order_by=(log.occurred_on.desc(), log.id.desc())).label("n"))
        .where(log.occurred_on <= as_of, log.reminder_id.is_(None))
        .subquery()
    )  # fmt: skip
    query = select(*(c for c in ordered.c if c.name != "n")).where(ordered.c.n == 1)
    out = {}
    for lid, cid, on, channel, outcome, next_on, name in session.connection().execute(query).all():
        out[cid] = (lid, _as_date(on), channel, outcome, _as_date(next_on), name or "")
    return out  # type: ignore[return-value]


def _tasks(session: Session, as_of: date, customers: dict[int, _Cust]) -> list[WorkItem]:
    """Phone, visit and legal tasks open at the end of `as_of` (made on or before it, not done by then),
    one item per task and currency: the installments it covers still open at `as_of`. A task whose
    items are all paid is left out (nothing left to collect)."""
    m = ReminderMessage
    query = (
        select(m.id, m.customer_id, m.channel, m.step_key, m.run_on, ReminderStep.currency, Installment.due_date,
               Installment.amount_minor - _paid(as_of))
        .join(ReminderStep, ReminderStep.message_id == m.id)
        .join(Installment, Installment.id == ReminderStep.installment_id)
        .join(Invoice, Invoice.id == Installment.invoice_id)
        .where(m.channel.in_(list(TASK_KINDS)), m.run_on <= as_of,
               or_(m.status == "task", and_(m.status == "done", m.done_on > as_of)),
               or_(Installment.settled_on.is_(None), Installment.settled_on > as_of),
               Invoice.issue_date <= as_of, or_(Invoice.voided_on.is_(None), Invoice.voided_on > as_of))
    )  # fmt: skip
    grouped: dict[tuple[int, str], list] = {}  # type: ignore[type-arg]
    for mid, cid, channel, step, run_on, cur, due, open_minor in session.connection().execute(query).all():
        if cid not in customers or open_minor <= 0:
            continue
        acc = grouped.setdefault((mid, cur), [cid, channel, step, _as_date(run_on), 0, 0, None, 0])
        acc[4] += int(open_minor)
        acc[7] += 1
        due = _as_date(due)
        if due is not None:
            acc[5] = max(acc[5], (as_of - due).days)
            acc[6] = due if acc[6] is None else min(acc[6], due)
    out = []
    for (mid, cur), (cid, channel, step, run_on, minor, days, oldest, count) in sorted(grouped.items()):
        cust = customers[cid]
        kind = TASK_KINDS[channel]
        if kind == "call":
            action = _call(cust, "call")
        elif kind == "visit":
            action = _call(cust, "visit; arrange by phone")
        else:
            action = "hand the file to the lawyer (legal step)"
        out.append(WorkItem(
            kind, cust.code, cust.name, f"{step}, {count} item(s), task of {run_on}", Money(minor, cur),
            max(days, 0), oldest, cust.grade, action,
            f"R{mid}", cust.contact, cust.phone, cust.held,
        ))  # fmt: skip
    return out


def _follow_ups(
    last_contact: dict[int, tuple[int, date, str, str, date | None, str]],
    as_of: date,
    customers: dict[int, _Cust],
    overdue: dict[int, dict[str, _Overdue]],
) -> list[WorkItem]:
    """The latest contact of a customer planned a next step on or before `as_of`: nothing was logged since.
    Amount at risk: the customer's overdue balance (in its highest-scoring currency)."""
    out = []
    for cid, (lid, on, channel, outcome, next_on, name) in last_contact.items():
        cust = customers.get(cid)
        if cust is None or next_on is None or next_on > as_of:
            continue
        currency, total = _main_currency(overdue.get(cid, {}), as_of)
        amount = Money(total.minor, currency) if total else None
        days = (as_of - total.oldest).days if total and total.oldest else 0
        with_ = f" with {name}" if name else ""
        out.append(WorkItem(
            "followup", cust.code, cust.name, f"planned {next_on} after {channel} {on}{with_}: {outcome}", amount,
            days, next_on, cust.grade, _call(cust, "call"), f"L{lid}", cust.contact, cust.phone,
            cust.held,
        ))  # fmt: skip
    return out


def _promises(
    session: Session,
    as_of: date,
    customers: dict[int, _Cust],
    last_contact: dict[int, tuple[int, date, str, str, date | None, str]],
) -> tuple[list[WorkItem], set[int]]:
    """Promises due today still open, and promises broken (or partly kept) in the last 7 days with no
    contact logged on or after the day they broke. Also returns the customers with a live promise."""
    since = as_of - timedelta(days=RECENT_DAYS - 1)
    out = []
    live: set[int] = set()
    for p in collections_repo.promises(session, as_of, since=since - timedelta(days=1)):
        cust = customers.get(p.customer_id)
        if cust is None:
            continue
        state = p.state
        left = Money(max(p.amount_minor - state.paid_minor, 0), p.currency)
        via = f" via {p.via}" if p.via else ""
        if state.status == "open":
            live.add(p.customer_id)
        if state.status == "open" and p.due_on == as_of:
            paid = f", {_money(state.paid_minor, p.currency)} in so far" if state.paid_minor else ""
            out.append(WorkItem(
                "promise", cust.code, cust.name,
                f"due today: {_money(p.amount_minor, p.currency)} promised{via}{paid}", left, 0, p.due_on,
                cust.grade, "if no receipt today, " + _call(cust, "call"),
                f"P{p.id}", cust.contact, cust.phone, cust.held,
            ))  # fmt: skip
        elif state.failed and state.broken_on is not None and since <= state.broken_on <= as_of:
            latest = last_contact.get(p.customer_id)
            if latest is not None and latest[1] >= state.broken_on:
                continue
            paid = f" ({_money(state.paid_minor, p.currency)} paid)" if state.paid_minor else ""
            out.append(WorkItem(
                "broken", cust.code, cust.name,
                f"{state.status}: {_money(p.amount_minor, p.currency)} promised by {p.due_on}{paid}", left,
                max((as_of - p.due_on).days, 0), p.due_on, cust.grade,
                _call(cust, "call") + ": ask why, agree a new date",
                f"P{p.id}", cust.contact, cust.phone, cust.held,
            ))  # fmt: skip
    return out, live


def _disputes(
    session: Session, as_of: date, customers: dict[int, _Cust], alert_days: int
) -> tuple[list[WorkItem], set[int]]:
    """Disputes open at the end of `as_of` for more than `alert_days` days, with what their items still owe.
    Also returns the customers with any dispute open at `as_of` (no "overdue" item for them)."""
    open_at = and_(Dispute.opened_on <= as_of, or_(Dispute.resolved_on.is_(None), Dispute.resolved_on > as_of))
    disputes = session.execute(
        select(Dispute.id, Dispute.customer_id, Dispute.reason, Dispute.opened_on).where(open_at)
    ).all()
    disputing = {cid for _, cid, _, _ in disputes}
    old = [d for d in disputes if (as_of - d[3]).days > alert_days and d[1] in customers]
    if not old:
        return [], disputing
    ids = [d[0] for d in old]
    owed: dict[int, dict[str, list]] = defaultdict(dict)  # type: ignore[type-arg]
    for start in range(0, len(ids), 500):
        query = (
            select(DisputeItem.dispute_id, Invoice.currency, Installment.due_date,
                   Installment.amount_minor - _paid(as_of))
            .join(Installment, Installment.id == DisputeItem.installment_id)
            .join(Invoice, Invoice.id == Installment.invoice_id)
            .where(DisputeItem.dispute_id.in_(ids[start : start + 500]),
                   or_(Installment.settled_on.is_(None), Installment.settled_on > as_of),
                   Invoice.issue_date <= as_of, or_(Invoice.voided_on.is_(None), Invoice.voided_on > as_of))
        )  # fmt: skip
        for did, cur, due, left in session.connection().execute(query).all():
            if left <= 0:
                continue
            acc = owed[did].setdefault(cur, [0, 0])
            acc[0] += int(left)
            due = _as_date(due)
            if due is not None:
                acc[1] = max(acc[1], (as_of - due).days)
    out = []
    for did, cid, reason, opened in old:
        cust = customers[cid]
        per_currency: dict[str | None, list[int]] = owed.get(did) or {None: [0, 0]}  # type: ignore[assignment]
        age = (as_of - opened).days
        for cur, (minor, days) in sorted(per_currency.items(), key=lambda kv: kv[0] or ""):
            out.append(WorkItem(
                "dispute", cust.code, cust.name, f"D{did} {reason}, open {age} days (limit {alert_days})",
                Money(minor, cur) if cur else None, max(days, 0), opened, cust.grade,
                f"resolve: arctl dispute resolve {did} --credit-note|--write-off|--rejected", f"D{did}",
                cust.contact, cust.phone, cust.held,
            ))  # fmt: skip
    return out, disputing


def _unapplied(session: Session, as_of: date, customers: dict[int, _Cust]) -> list[WorkItem]:
    """Payments received in the last 7 days with something not applied at the end of `as_of`."""
    since = as_of - timedelta(days=RECENT_DAYS - 1)
    p = Payment.__table__.c
    a = Allocation.__table__.c
    used = (
        select(func.coalesce(func.sum(a.amount_minor), 0))
        .where(a.payment_id == p.id, a.applied_on <= as_of, or_(a.reversed_on.is_(None), a.reversed_on > as_of))
        .scalar_subquery()
    )
    query = (
        select(p.id, p.customer_id, p.currency, p.received_on, p.amount_minor, p.amount_minor - used, p.reference)
        .where(p.received_on >= since, p.received_on <= as_of,
               or_(p.settled_on.is_(None), p.settled_on > as_of),
               or_(p.reversed_on.is_(None), p.reversed_on > as_of))
        .order_by(p.id)
    )  # fmt: skip
    out = []
    for pid, cid, cur, received, amount, left, reference in session.connection().execute(query).all():
        cust = customers.get(cid)
        if cust is None or left <= 0:
            continue
        received = _as_date(received)
        ref = f" ref {reference}" if reference else ""
        out.append(WorkItem(
            "cash", cust.code, cust.name,
            f"P{pid} of {received}: {_money(int(left), cur)} of {_money(amount, cur)} unapplied{ref}",
            Money(int(left), cur), (as_of - received).days, received, cust.grade,  # type: ignore[operator]
            f"apply: arctl payment apply P{pid} --to INVOICE", f"PAY{pid}", cust.contact, cust.phone, cust.held,
        ))  # fmt: skip
    return out


def _bank_lines(session: Session, as_of: date, customers: dict[int, _Cust], *, everyone: bool) -> list[WorkItem]:
    """Unmatched bank lines booked in the last 7 days. A line whose payer is not known yet belongs to no
    collector: it is listed only when the worklist is for everyone."""
    since = as_of - timedelta(days=RECENT_DAYS - 1)
    b = BankLine.__table__.c
    query = (
        select(b.id, b.customer_id, b.booked_on, b.currency, b.amount_minor, b.payer_name, b.memo)
        .where(b.status == "unmatched", b.booked_on >= since, b.booked_on <= as_of, b.amount_minor > 0)
        .order_by(b.id)
    )
    out = []
    for lid, cid, booked, cur, minor, payer, memo in session.connection().execute(query).all():
        cust = customers.get(cid) if cid is not None else None
        if cust is None and (cid is not None or not everyone):
            continue
        booked = _as_date(booked)
        memo_text = f" “{memo.strip()}”" if memo and memo.strip() else ""
        out.append(WorkItem(
            "bank", cust.code if cust else "", cust.name if cust else (payer or "(unknown payer)"),
            f"line {lid} from {payer or '(no payer name)'}{memo_text}", Money(minor, cur),
            (as_of - booked).days, booked, cust.grade if cust else None,  # type: ignore[operator]
            f"identify: arctl bank review, or arctl bank assign {lid} CUSTOMER", f"BL{lid}",
            cust.contact if cust else "", cust.phone if cust else "", cust.held if cust else False,
        ))  # fmt: skip
    return out
