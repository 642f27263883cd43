"""Credit notes and write-offs: non-cash reductions of what a customer owes, each with a reason."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from arctl.db import audit, repo
from arctl.db.audit import utc_now
from arctl.db.engine import Database
from arctl.db.models import Credit
from arctl.domain.errors import InvalidInput, Refused
from arctl.domain.ledger import CREDIT_NOTE_REASONS, WRITE_OFF_REASONS, PaymentResult, choose, parse_target
from arctl.domain.money import Money, format_amount, normalize_currency, parse_amount
from arctl.services._allocate import allocate_auto, allocate_targets, audit_lines, credit_source, lines
from arctl.services._lookup import resolve_customer, resolve_installment, resolve_invoice


def snapshot(c: Credit) -> dict[str, Any]:
    return {
        "kind": c.kind, "number": c.number, "issued_on": c.issued_on, "currency": c.currency,
        "amount": format_amount(c.amount_minor, c.currency), "reason": c.reason, "note": c.note,
    }  # fmt: skip


def _unique_number(session: Session, number: str | None, prefix: str) -> str:
    if number and number.strip():
        number = number.strip()
        if session.execute(select(Credit.id).where(Credit.number == number)).first():
            raise Refused(f"{number} already exists")
        return number
    # Next free PREFIX-NNNNN after the highest one in use (hand-typed numbers may sit in between).
    taken = set(session.execute(select(Credit.number).where(Credit.number.like(f"{prefix}-%"))).scalars())
    highest = max((int(n.split("-", 1)[1]) for n in taken if n and n.split("-", 1)[1].isdigit()), default=0)
    candidate = highest + 1
    while f"{prefix}-{candidate:05d}" in taken:
        candidate += 1
    return f"{prefix}-{candidate:05d}"


def _result(session: Session, credit: Credit, made: list[Any]) -> PaymentResult:
    left = repo.remaining_on_source(session, credit_id=credit.id)
    return PaymentResult(credit.id, credit.number or "", Money(credit.amount_minor, credit.currency),
                         credit.issued_on, lines(session, made, credit.currency), Money(left, credit.currency))  # fmt: skip


def add_credit_note(
    db: Database,
    *,
    customer: str,
    amount: str,
    on: date,
    reason: str,
    currency: str | None = None,
    number: str | None = None,
    note: str | None = None,
    targets: Sequence[str] = (),
    apply: str = "none",
) -> PaymentResult:
    """Issue a credit note; apply it to --to targets, oldest due first (--apply auto), or keep it as credit."""
    reason = choose(reason, CREDIT_NOTE_REASONS, "--reason")
    with db.write() as session:
        cust = resolve_customer(session, customer)
        currency = normalize_currency(currency or cust.credit_currency or "CNY")
        minor = parse_amount(amount, currency, field="amount")
        if minor <= 0:
            raise InvalidInput(f"{amount!r} must be more than zero", field="amount")
        credit = Credit(
            kind="credit_note", number=_unique_number(session, number, "CN"), customer_id=cust.id, issued_on=on,
            currency=currency, amount_minor=minor, reason=reason, note=(note or "").strip() or None,
            created_at=utc_now(),
        )  # fmt: skip
        if targets:
            credit.invoice_id = resolve_invoice(session, parse_target(targets[0]).invoice).id
        session.add(credit)
        session.flush()
        source = credit_source(credit)
        made = allocate_targets(session, source, targets) if targets else []
        if not targets and apply == "auto":
            made = allocate_auto(session, source)
        audit.record(session, "credit_note.add", "credit", credit.number,
                     after={**snapshot(credit), "customer": cust.code,
                            "allocations": audit_lines(made, session, currency)})  # fmt: skip
        return _result(session, credit, made)


def add_write_off(
    db: Database,
    target: str,
    *,
    amount: str | None,
    on: date,
    reason: str,
    note: str | None = None,
    number: str | None = None,
) -> PaymentResult:
    """Write off what an invoice (or one installment) still owes, or part of it. A reason is required."""
    if not (reason or "").strip():
        raise InvalidInput("a reason is required for a write-off", field="--reason")
    reason = choose(reason, WRITE_OFF_REASONS, "--reason")
    with db.write() as session:
        credit, made = new_write_off(
            session, target, amount=amount, on=on, reason=reason, note=note, number=number
        )
        return _result(session, credit, made)


def new_write_off(
    session: Session,
    target: str,
    *,
    amount: str | None,
    on: date,
    reason: str,
    note: str | None = None,
    number: str | None = None,
) -> tuple[Credit, list[Any]]:
    """Write off inside an open write session (used by `write-off add` and bank fees on a confirmed match)."""
    parsed = parse_target(target, field_name="TARGET")
    if parsed.amount is not None:
        raise InvalidInput("give the amount with --amount, not in the target", field="TARGET")
    invoice = resolve_invoice(session, parsed.invoice)
    if invoice.voided_on is not None:
        raise Refused(f"invoice {invoice.number} is voided")
    if parsed.seq is not None:
        ins = resolve_installment(session, invoice, parsed.seq)
        owed = repo.remaining_on_installments(session, [ins.id])[ins.id]
    else:
        owed = sum(left for _, left in repo.open_installments(
            session, customer_id=invoice.customer_id, currency=invoice.currency, invoice_id=invoice.id,
            include_pending=True))  # fmt: skip
    if owed <= 0:
        raise Refused(f"{target}: nothing is owed on it")
    minor = owed if amount is None else parse_amount(amount, invoice.currency, field="--amount")
    if minor <= 0:
        raise InvalidInput(f"{amount!r} must be more than zero", field="--amount")
    if minor > owed:
        raise Refused(f"{target}: cannot write off {format_amount(minor, invoice.currency)}, "
                      f"it owes {format_amount(owed, invoice.currency)}")  # fmt: skip
    if on < invoice.issue_date:
        raise InvalidInput(f"write-off date {on} is before the invoice date {invoice.issue_date}", field="--on")
    credit = Credit(
        kind="write_off", number=_unique_number(session, number, "WO"), customer_id=invoice.customer_id,
        invoice_id=invoice.id, issued_on=on, currency=invoice.currency, amount_minor=minor, reason=reason,
        note=(note or "").strip() or None, created_at=utc_now(),
    )  # fmt: skip
    session.add(credit)
    session.flush()
    spec = parsed.invoice + (f":{parsed.seq}" if parsed.seq else "") + f"={format_amount(minor, invoice.currency)}"
    made = allocate_targets(session, credit_source(credit), [spec], exact=True)
    audit.record(session, "write_off.add", "credit", credit.number,
                 after={**snapshot(credit), "invoice": invoice.number,
                        "allocations": audit_lines(made, session, invoice.currency)})  # fmt: skip
    return credit, made


def new_credit(
    session: Session,
    *,
    kind: str,
    customer_id: int,
    currency: str,
    amount_minor: int,
    on: date,
    reason: str,
    targets: Sequence[str],
    note: str | None = None,
    number: str | None = None,
    invoice_id: int | None = None,
) -> tuple[Credit, list[Any]]:
    """A credit note or write-off applied in full to `targets` (`INV:SEQ=AMOUNT`), inside an open write
    session, with its audit event (used to resolve a dispute in the dispute's own transaction)."""
    if kind not in ("credit_note", "write_off"):
        raise InvalidInput(f"{kind!r} is not a credit kind", field="kind")
    if amount_minor <= 0:
        raise InvalidInput(f"{format_amount(amount_minor, currency)} must be more than zero", field="--amount")
    reason = choose(reason, CREDIT_NOTE_REASONS if kind == "credit_note" else WRITE_OFF_REASONS, "--reason")
    credit = Credit(
        kind=kind, number=_unique_number(session, number, "CN" if kind == "credit_note" else "WO"),
        customer_id=customer_id, invoice_id=invoice_id, issued_on=on, currency=currency,
        amount_minor=amount_minor, reason=reason, note=(note or "").strip() or None, created_at=utc_now(),
    )  # fmt: skip
    session.add(credit)
    session.flush()
    made = allocate_targets(session, credit_source(credit), list(targets), exact=True)
    applied = sum(a.amount_minor for a in made)
    if applied != amount_minor:
        raise Refused(f"{credit.number}: only {format_amount(applied, currency)} of "
                      f"{format_amount(amount_minor, currency)} could be applied")  # fmt: skip
    audit.record(session, f"{kind}.add", "credit", credit.number,
                 after={**snapshot(credit), "allocations": audit_lines(made, session, currency)})  # fmt: skip
    return credit, made
