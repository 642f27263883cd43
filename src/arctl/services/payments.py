"""Payments received: record, apply (auto or explicit), unapply, reverse, list, show."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from arctl.db import audit, repo
from arctl.db.audit import utc_now
from arctl.db.engine import Database
from arctl.db.models import Allocation, Customer, Payment
from arctl.domain.dates import today
from arctl.domain.errors import InvalidInput, Refused
from arctl.domain.ledger import PaymentResult, check_amount, normalize_method
from arctl.domain.money import Money, format_amount, normalize_currency
from arctl.domain.report import Column, Report
from arctl.services._allocate import (
    active_allocations,
    allocate_auto,
    allocate_targets,
    audit_lines,
    lines,
    payment_source,
    refuse_future,
    reverse_allocations,
)
from arctl.services._lookup import resolve_customer, resolve_payment

APPLY_MODES = ("auto", "none")


def snapshot(p: Payment) -> dict[str, Any]:
    return {
        "payment": p.id, "customer": p.customer.code, "received_on": p.received_on, "currency": p.currency,
        "amount": format_amount(p.amount_minor, p.currency), "method": p.method, "payer_name": p.payer_name,
        "payer_account": p.payer_account, "reference": p.reference, "note": p.note,
        "reversed_on": p.reversed_on, "reverse_reason": p.reverse_reason,
    }  # fmt: skip


def new_payment(
    session: Session,
    *,
    customer: str,
    amount: str,
    received_on: date,
    currency: str | None = None,
    method: str = "bank_transfer",
    payer_name: str | None = None,
    payer_account: str | None = None,
    reference: str | None = None,
    note: str | None = None,
    apply: str = "auto",
    targets: Sequence[str] = (),
) -> tuple[Payment, list[Allocation]]:
    """Record a payment and apply it, inside an open write session (used by add and import)."""
    cust = resolve_customer(session, customer)
    currency = normalize_currency(currency or cust.credit_currency or "CNY")
    if apply not in APPLY_MODES:
        raise InvalidInput(f"{apply!r} is not one of: {', '.join(APPLY_MODES)}", field="--apply")
    payment = Payment(
        customer=cust, received_on=received_on, currency=currency,
        amount_minor=check_amount(amount, currency, "amount"), method=normalize_method(method),
        payer_name=(payer_name or "").strip() or None, payer_account=(payer_account or "").strip() or None,
        reference=(reference or "").strip() or None, note=(note or "").strip() or None, created_at=utc_now(),
    )  # fmt: skip
    session.add(payment)
    session.flush()
    source = payment_source(payment)
    if targets:
        made = allocate_targets(session, source, targets)
    elif apply == "auto":
        made = allocate_auto(session, source)
    else:
        made = []
    audit.record(session, "payment.add", "payment", payment.id,
                 after={**snapshot(payment), "allocations": audit_lines(made, session, currency)})  # fmt: skip
    return payment, made


def _result(session: Session, payment: Payment, made: Sequence[Allocation]) -> PaymentResult:
    left = repo.remaining_on_source(session, payment_id=payment.id)
    return PaymentResult(
        payment_id=payment.id, customer=payment.customer.code, amount=Money(payment.amount_minor, payment.currency),
        received_on=payment.received_on, allocations=lines(session, made, payment.currency),
        unapplied=Money(left, payment.currency),
    )  # fmt: skip


def add_payment(db: Database, **fields: Any) -> PaymentResult:
    with db.write() as session:
        payment, made = new_payment(session, **fields)
        return _result(session, payment, made)


def apply_payment(db: Database, ref: str, *, targets: Sequence[str], on: date | None) -> PaymentResult:
    """Apply a payment's unapplied remainder: to explicit targets, or oldest due first.

    Dated `on`, by default today (or the payment date if that is later): until then the cash was unapplied.
    """
    with db.write() as session:
        payment = resolve_payment(session, ref)
        if on is None:
            on = max(today(), payment.received_on)
        if payment.reversed_on is not None:
            raise Refused(f"payment P{payment.id} was reversed on {payment.reversed_on}")
        source = payment_source(payment)
        if source.remaining(session) <= 0:
            raise Refused(f"payment P{payment.id} is fully applied", hint="unapply part of it first")
        made = (
            allocate_targets(session, source, targets, on=on) if targets else allocate_auto(session, source, on=on)
        )
        if not made:
            raise Refused(f"nothing to apply payment P{payment.id} to: {payment.customer.code} owes nothing due")
        audit.record(session, "payment.apply", "payment", payment.id,
                     after={"allocations": audit_lines(made, session, payment.currency)})  # fmt: skip
        return _result(session, payment, made)


def unapply_payment(db: Database, ref: str, *, target: str | None, on: date, reason: str) -> PaymentResult:
    """Reverse a payment's allocations (all, or those to INVOICE[:SEQ]) from a date on; the cash stays unapplied."""
    with db.write() as session:
        payment = resolve_payment(session, ref)
        allocations = active_allocations(session, payment_source(payment), target)
        if not allocations:
            where = f" to {target}" if target else ""
            raise Refused(f"payment P{payment.id} has nothing applied{where}")
        before = audit_lines(allocations, session, payment.currency)
        reverse_allocations(session, allocations, on=on, reason=reason or "unapplied")
        audit.record(session, "payment.unapply", "payment", payment.id, before={"allocations": before},
                     after={"allocations": audit_lines(allocations, session, payment.currency)})  # fmt: skip
        return _result(session, payment, allocations)


def reverse_payment(db: Database, ref: str, *, on: date, reason: str) -> PaymentResult:
    """The payment did not happen (bounced cheque, wrong entry): reverse it and all it paid, from a date on."""
    if not (reason or "").strip():
        raise InvalidInput("a reason is required to reverse a payment", field="--reason")
    with db.write() as session:
        payment = resolve_payment(session, ref)
        allocations = reverse_payment_in(session, payment, on=on, reason=reason)
        return _result(session, payment, allocations)


def reverse_payment_in(session: Session, payment: Payment, *, on: date, reason: str) -> list[Allocation]:
    """Reverse inside an open write session (used by `payment reverse` and `bank undo`)."""
    if payment.reversed_on is not None:
        raise Refused(f"payment P{payment.id} was already reversed on {payment.reversed_on}")
    refuse_future(on)
    if on < payment.received_on:
        raise InvalidInput(f"reversal date {on} is before the payment date {payment.received_on}", field="--on")
    later = session.execute(
        select(func.max(Allocation.reversed_on)).where(Allocation.payment_id == payment.id)
    ).scalar()
    if later is not None and later > on:
        # an allocation unapplied on `later` was in force until then: a reversal dated earlier would
        # leave the books showing an invoice paid by money that never arrived
        raise InvalidInput(
            f"payment P{payment.id} had allocations in force until {later}; date the reversal on or after it",
            field="--on",
        )
    before = snapshot(payment)
    allocations = active_allocations(session, payment_source(payment))
    reverse_allocations(session, allocations, on=on, reason=reason.strip())
    payment.reversed_on, payment.reverse_reason = on, reason.strip()
    payment.settled_on = on  # nothing left to apply from the reversal on
    session.flush()
    audit.record(
        session,
        "payment.reverse",
        "payment",
        payment.id,
        before=before,
        after={**snapshot(payment), "allocations": audit_lines(allocations, session, payment.currency)},
    )
    return allocations


def show_payment(db: Database, ref: str) -> tuple[dict[str, Any], PaymentResult]:
    with db.read() as session:
        payment = resolve_payment(session, ref)
        every = list(session.execute(
            select(Allocation).where(Allocation.payment_id == payment.id).order_by(Allocation.id)
        ).scalars())  # fmt: skip
        return snapshot(payment), _result(session, payment, every)


def list_payments(
    db: Database, *, as_of: date, customer: str | None = None, unapplied_only: bool = False
) -> Report:
    with db.read() as session:
        used = (
            select(func.coalesce(func.sum(Allocation.amount_minor), 0))
            .where(Allocation.payment_id == Payment.id, repo.active_at(as_of))
            .scalar_subquery()
        )
        query = (
            select(Payment, Customer.code, used.label("used"))
            .join(Customer, Customer.id == Payment.customer_id)
            .where(Payment.received_on <= as_of)
            .order_by(Payment.received_on, Payment.id)
        )
        if customer:
            query = query.where(Payment.customer_id == resolve_customer(session, customer).id)
        rows = []
        for p, code, used_minor in session.execute(query):
            reversed_ = p.reversed_on is not None and p.reversed_on <= as_of
            left = 0 if reversed_ else p.amount_minor - int(used_minor)
            if unapplied_only and left <= 0:
                continue
            rows.append({
                "id": f"P{p.id}", "date": p.received_on, "customer": code, "amount": Money(p.amount_minor, p.currency),
                "unapplied": Money(left, p.currency), "method": p.method, "payer": p.payer_name or "",
                "reference": p.reference or "", "status": "reversed" if reversed_ else ("open" if left else "applied"),
            })  # fmt: skip
    columns = (
        Column("id", "Payment"),
        Column("date", "Date", "date"),
        Column("customer", "Customer"),
        Column("amount", "Amount", "money"),
        Column("unapplied", "Unapplied", "money"),
        Column("method", "Method", wide_only=True),
        Column("payer", "Payer", wide_only=True),
        Column("reference", "Reference", wide_only=True),
        Column("status", "Status"),
    )
    return Report("payments", "Payments", columns, rows, as_of=as_of)
