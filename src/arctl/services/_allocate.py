"""Applying a payment or credit to installments (核销), and reversing such applications.

Rules enforced here, checked again by `arctl verify`:
- a payment or credit never allocates more than it has left; an installment never receives more than it owes;
- allocations go only to the payer's own invoices in the same currency, never to a voided invoice;
- an allocation is dated max(source date, invoice issue date) unless a later date is given;
- installment.settled_on is refreshed in the same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from arctl.db import repo
from arctl.db.audit import utc_now
from arctl.db.models import Allocation, Credit, Installment, Invoice, Payment
from arctl.domain.dates import today
from arctl.domain.errors import InvalidInput, Refused
from arctl.domain.ledger import AllocationLine, Target, check_amount, parse_target
from arctl.domain.money import Money, format_amount
from arctl.services._lookup import resolve_installment, resolve_invoice


@dataclass
class Source:
    """The payment or credit being applied."""

    row: Payment | Credit
    dated: date
    label: str

    @property
    def currency(self) -> str:
        return self.row.currency

    @property
    def customer_id(self) -> int:
        return self.row.customer_id

    def link(self) -> dict[str, int]:
        if isinstance(self.row, Payment):
            return {"payment_id": self.row.id}
        return {"credit_id": self.row.id}

    def remaining(self, session: Session) -> int:
        """What is left to apply now."""
        if isinstance(self.row, Payment):
            return repo.remaining_on_source(session, payment_id=self.row.id)
        return repo.remaining_on_source(session, credit_id=self.row.id)

    def room(self, session: Session, start: date) -> int:
        """What an allocation dated `start` may take without over-allocating the source on any day."""
        if isinstance(self.row, Payment):
            return repo.source_room(session, start, payment_id=self.row.id)
        return repo.source_room(session, start, credit_id=self.row.id)


def payment_source(payment: Payment) -> Source:
    return Source(payment, payment.received_on, f"payment P{payment.id}")


def credit_source(credit: Credit) -> Source:
    return Source(credit, credit.issued_on, f"{credit.kind.replace('_', ' ')} {credit.number or credit.id}")


def _applied_on(source: Source, invoice: Invoice, on: date | None) -> date:
    """`on` if given (never before the source or the invoice); else the later of those two dates.

    Applying at recording time dates the clearing with the payment; applying later passes today as
    `on`, so past reports keep showing the cash as unapplied until the day it really was applied.
    """
    earliest = max(source.dated, invoice.issue_date)
    if on is None:
        return earliest
    if on < earliest:
        raise InvalidInput(f"cannot apply before {earliest} (the {source.label} or invoice date)", field="--on")
    return on


def _fmt(minor: int, currency: str) -> str:
    return f"{format_amount(minor, currency, grouping=True)} {currency}"


def allocate_auto(
    session: Session, source: Source, *, on: date | None = None, limit: int | None = None
) -> list[Allocation]:
    """Oldest due first over the customer's installments that have a due date and were issued by then."""
    made: list[Allocation] = []
    budget = limit
    for installment, _ in repo.open_installments(
        session, customer_id=source.customer_id, currency=source.currency, issued_by=on or source.dated
    ):
        applied = _applied_on(source, installment.invoice, on)
        take = min(repo.installment_room(session, installment.id, applied), source.room(session, applied))
        if budget is not None:
            take = min(take, budget)
        if take <= 0:
            if source.room(session, applied) <= 0:
                break
            continue
        made.append(_add(session, source, installment, take, applied))
        if budget is not None:
            budget -= take
    repo.refresh_settled(session, [a.installment_id for a in made])
    repo.refresh_sources_settled(session, made)
    return made


def allocate_targets(
    session: Session, source: Source, targets: Sequence[str], *, on: date | None = None, exact: bool = False
) -> list[Allocation]:
    """Explicit targets `INV-7:2=500.00`, `INV-7=500`, `INV-7`. All or nothing.

    `exact`: every target must be satisfied in full (write-offs); otherwise an invoice-level target
    without an amount takes what the invoice owes, up to what the source has left.
    """
    made: list[Allocation] = []
    for text in targets:
        target = parse_target(text)
        invoice = _target_invoice(session, source, target)
        applied = _applied_on(source, invoice, on)
        wanted = None if target.amount is None else check_amount(target.amount, source.currency, f"--to {text}")
        if target.seq is not None:
            installments = [resolve_installment(session, invoice, target.seq)]
        else:
            installments = [i for i, _ in repo.open_installments(
                session, customer_id=source.customer_id, currency=source.currency,
                invoice_id=invoice.id, include_pending=True,
            )]  # fmt: skip
        rooms = [(i, repo.installment_room(session, i.id, applied)) for i in installments]
        owed = sum(max(room, 0) for _, room in rooms)
        if owed <= 0:
            raise Refused(f"{text}: nothing is owed on it any more")
        if wanted is not None and wanted > owed:
            raise Refused(
                f"{text}: {_fmt(wanted, source.currency)} is more than it owes ({_fmt(owed, source.currency)})"
            )
        available = source.room(session, applied)
        amount = owed if wanted is None else wanted
        if wanted is None and not exact:
            amount = min(owed, available)
        if amount > available or amount <= 0:
            raise Refused(
                f"{text}: {_fmt(amount, source.currency)} is more than the {source.label} has left "
                f"({_fmt(max(available, 0), source.currency)})"
            )
        for installment, room in rooms:
            take = min(room, amount)
            if take > 0:
                made.append(_add(session, source, installment, take, applied))
                amount -= take
    repo.refresh_settled(session, [a.installment_id for a in made])
    repo.refresh_sources_settled(session, made)
    return made


def _target_invoice(session: Session, source: Source, target: Target) -> Invoice:
    invoice = resolve_invoice(session, target.invoice)
    if invoice.customer_id != source.customer_id:
        raise Refused(
            f"invoice {invoice.number} belongs to {invoice.customer.code}, not to this {source.label}'s customer"
        )
    if invoice.currency != source.currency:
        raise Refused(
            f"invoice {invoice.number} is in {invoice.currency}, the {source.label} in {source.currency}"
        )
    if invoice.voided_on is not None:
        raise Refused(f"invoice {invoice.number} is voided")
    return invoice


def _add(session: Session, source: Source, installment: Installment, amount: int, applied: date) -> Allocation:
    allocation = Allocation(
        installment_id=installment.id,
        amount_minor=amount,
        applied_on=applied,
        created_at=utc_now(),
        **source.link(),
    )
    session.add(allocation)
    session.flush()
    return allocation


def reverse_allocations(session: Session, allocations: Sequence[Allocation], *, on: date, reason: str) -> None:
    """Dated reversal: the allocations stay, marked reversed from `on`; past reports keep them."""
    refuse_future(on)
    for allocation in allocations:
        if on < allocation.applied_on:
            raise InvalidInput(
                f"reversal date {on} is before allocation {allocation.id} was applied ({allocation.applied_on})",
                field="--on",
            )
        allocation.reversed_on, allocation.reverse_reason = on, reason
    repo.refresh_settled(session, [a.installment_id for a in allocations])
    repo.refresh_sources_settled(session, allocations)


def refuse_future(on: date) -> None:
    """Reversals take effect on a past or present date: a future one would make today's figures lie."""
    if on > today():
        raise InvalidInput(f"{on} is in the future; a reversal is dated today or earlier", field="--on")


def active_allocations(session: Session, source: Source, target: str | None = None) -> list[Allocation]:
    """The source's allocations in force now, optionally only those to INVOICE[:SEQ]."""
    link_column = Allocation.payment_id if isinstance(source.row, Payment) else Allocation.credit_id
    query = (
        select(Allocation)
        .join(Installment, Installment.id == Allocation.installment_id)
        .where(link_column == source.row.id, Allocation.reversed_on.is_(None))
        .order_by(Allocation.id)
    )
    if target:
        parsed = parse_target(target, field_name="--from")
        if parsed.amount is not None:
            raise InvalidInput("unapply takes INVOICE[:SEQ] without an amount", field="--from")
        invoice = resolve_invoice(session, parsed.invoice)
        query = query.where(Installment.invoice_id == invoice.id)
        if parsed.seq is not None:
            query = query.where(Installment.seq == parsed.seq)
    return list(session.execute(query).scalars())


def lines(session: Session, allocations: Sequence[Allocation], currency: str) -> list[AllocationLine]:
    out = []
    for a in allocations:
        installment = session.get_one(Installment, a.installment_id)
        out.append(AllocationLine(a.id, installment.invoice.number, installment.seq, Money(a.amount_minor, currency),
                                  a.applied_on, a.reversed_on))  # fmt: skip
    return out


def audit_lines(allocations: Sequence[Allocation], session: Session, currency: str) -> list[dict[str, object]]:
    return [
        {"allocation": line.id, "invoice": line.invoice, "seq": line.seq,
         "amount": format_amount(line.amount.minor, currency), "applied_on": line.applied_on,
         "reversed_on": line.reversed_on}
        for line in lines(session, allocations, currency)
    ]  # fmt: skip
