"""Set-based reads for the dunning run: the installments a ladder could act on, what was done for them,
and who the customers are. Plain values out (no ORM objects): the run reads every open installment."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, or_, select, union_all
from sqlalchemy.orm import Session

from arctl.db.bulk import chunked
from arctl.db.collection_models import Charge, ReminderMessage, ReminderStep
from arctl.db.models import Allocation, Contact, Contract, Customer, CustomerTag, Installment, Invoice
from arctl.db.repo import active_at, due_as_of


@dataclass(frozen=True, slots=True)
class OpenItem:
    """An installment with money owed at the end of the run's day and a known due date."""

    installment_id: int
    customer_id: int
    invoice: str
    seq: int
    kind: str
    contract: str | None
    due_on: date
    open_minor: int
    currency: str


@dataclass(frozen=True, slots=True)
class Addressee:
    """A customer as a message needs it: who, where, in which language, which ladder rules apply."""

    id: int
    code: str
    name: str
    address: str
    grade: str | None
    tags: frozenset[str]
    language: str
    """The contact's language when there is a contact, else the customer's."""
    contact_name: str
    email: str
    phone: str


def open_items(
    session: Session, as_of: date, lead_days: int, customer_ids: Iterable[int] | None = None
) -> list[OpenItem]:
    """Open installments due on or before `as_of + lead_days` (a ladder's earliest step comes `lead_days`
    before the due date), oldest due first. Pending milestones (no due date yet) are left out, and so are
    the invoices that post fees and 违约金 (`charge`): they are collected with the debt that caused them
    (aging and statements show them), not dunned on a ladder of their own — a fee charged with a
    reminder would otherwise bring an "overdue" notice of its own the next day."""
    paid = (
        select(func.coalesce(func.sum(Allocation.amount_minor), 0))
        .where(Allocation.installment_id == Installment.id, active_at(as_of))
        .scalar_subquery()
    )
    horizon = as_of + timedelta(days=lead_days)

    def branch(settled):  # type: ignore[no-untyped-def]
        query = (
            select(
                Installment.id, Invoice.customer_id, Invoice.number, Installment.seq, Installment.kind,
                Contract.number.label("contract"), Installment.due_kind, Installment.due_days, Installment.due_date,
                (Installment.amount_minor - paid).label("open_minor"), Invoice.currency,
            )
            .join(Invoice, Invoice.id == Installment.invoice_id)
            .outerjoin(Contract, Contract.id == Invoice.contract_id)
            .where(
                settled,
                Installment.due_date <= horizon,
                Invoice.id.not_in(select(Charge.invoice_id)),
                Invoice.issue_date <= as_of,
                or_(Invoice.voided_on.is_(None), Invoice.voided_on > as_of),
            )
        )  # fmt: skip
        if customer_ids is not None:
            query = query.where(Invoice.customer_id.in_(list(customer_ids)))
        return query

    # Two range scans of the settled_on index glued together (as aging does): an OR of the two, or the
    # due-date test, makes SQLite walk every installment ever due instead of the open ones (3.5 s vs 0.3 s
    # on a million invoices).
    query = union_all(branch(Installment.settled_on.is_(None)), branch(Installment.settled_on > as_of))
    out = []
    for ins_id, customer_id, number, seq, kind, contract, due_kind, due_days, due_date, open_minor, currency in (
        session.connection().execute(query).yield_per(5000)
    ):
        due = due_as_of(due_kind, due_days, due_date, as_of)
        if open_minor > 0 and due is not None:
            out.append(OpenItem(ins_id, customer_id, number, seq, kind, contract, due, open_minor, currency))
    out.sort(key=lambda i: (i.customer_id, i.due_on, i.installment_id))
    return out


def steps_done(session: Session, as_of: date) -> dict[int, tuple[frozenset[str], date]]:
    """For installments still open at `as_of`: every step key recorded for them, whatever its date (a step
    is taken once for good: a run for an earlier day must not plan it again), and the date of the latest.
    Steps of settled installments are not read (the ledger's history grows, the open items do not)."""
    query = (
        select(ReminderStep.installment_id, ReminderStep.step_key, ReminderStep.done_on)
        .join(Installment, Installment.id == ReminderStep.installment_id)
        .where(or_(Installment.settled_on.is_(None), Installment.settled_on > as_of))
    )
    keys: dict[int, set[str]] = defaultdict(set)
    last: dict[int, date] = {}
    for installment_id, key, done_on in session.execute(query):
        keys[installment_id].add(key)
        if installment_id not in last or done_on > last[installment_id]:
            last[installment_id] = done_on
    return {i: (frozenset(k), last[i]) for i, k in keys.items()}


def addressees(session: Session, customer_ids: Iterable[int]) -> dict[int, Addressee]:
    """Customers by id, each with one contact: the primary one with an email, else any with an email (lowest
    id), else the primary one, else the first."""
    ids = sorted(set(customer_ids))
    out: dict[int, Addressee] = {}
    for chunk in chunked(ids):
        tags: dict[int, set[str]] = defaultdict(set)
        for customer_id, tag in session.execute(
            select(CustomerTag.customer_id, CustomerTag.tag).where(CustomerTag.customer_id.in_(chunk))
        ):
            tags[customer_id].add(tag)
        contacts: dict[int, list[tuple[bool, bool, int, str, str, str, str]]] = defaultdict(list)
        for cid, contact_id, name, email, phone, language, primary in session.execute(
            select(Contact.customer_id, Contact.id, Contact.name, Contact.email, Contact.phone, Contact.language,
                   Contact.is_primary).where(Contact.customer_id.in_(chunk))
        ):  # fmt: skip
            contacts[cid].append((not email, not primary, contact_id, name, email or "", phone or "", language))
        for cid, code, name, address, grade, language in session.execute(
            select(Customer.id, Customer.code, Customer.name, Customer.address, Customer.credit_grade,
                   Customer.language).where(Customer.id.in_(chunk))
        ):  # fmt: skip
            best = min(contacts[cid]) if contacts[cid] else None
            out[cid] = Addressee(
                cid, code, name, address or "", grade, frozenset(tags[cid]),
                best[6] if best else language, best[3] if best else "", best[4] if best else "",
                best[5] if best else "",
            )  # fmt: skip
    return out


def messages_on(session: Session, run_on: date) -> int:
    """How many messages runs on `run_on` already made (numbers the day's references)."""
    return session.execute(
        select(func.count(ReminderMessage.id)).where(ReminderMessage.run_on == run_on)
    ).scalar_one()


def in_doubt(session: Session) -> list[int]:
    """Messages handed to SMTP whose outcome was never recorded (a run interrupted mid-send)."""
    return list(session.execute(select(ReminderMessage.id).where(ReminderMessage.status == "sending")).scalars())
