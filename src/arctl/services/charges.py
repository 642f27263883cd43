"""Late fees and 违约金 posted as their own receivables, and reversing them.

A charge is an invoice of its own: for the cause installment's customer and currency, issued on the day it
is assessed, one `regular` installment due that same day ("due on receipt"), with no contract, so a charge
never bears interest itself. Aging, statements, payments, matching and credit notes treat it like any
debt. The `charge` row links it to the late installment it is for.

Numbering (derived from the cause invoice, so a clerk sees at once what a charge is for):

- interest: `<INVOICE>-LI<n>`, n = 1, 2, ... counting every interest charge ever posted on that invoice
  (any installment, reversed ones included, so a number is never reused);
- a fee: `<INVOICE>-FEE-<step>` for installment 1, `<INVOICE>-FEE-<step>-<seq>` for installment seq > 1
  (a fee is charged at most once per installment and step, so the number is unique by construction).

Invoice numbers hold 60 characters: when `<INVOICE>` plus the suffix is longer, the invoice part is cut on
the right to make room. If the number is taken anyway (by an invoice typed by hand, or by the cut), `.2`,
`.3`, ... is appended to the suffix until it is free. Numbers compare case-insensitively, as invoices do.

Reversing a charge voids its invoice with a date and a reason (`invoices.void_invoice`, refused while a
payment or credit is applied to it). A reversed interest charge no longer counts as charged from its void
date on, so the next `interest charge` charges that interest again: it is owed. To waive interest, issue
a credit note against the charge invoice instead (`arctl credit-note add CUSTOMER AMOUNT --reason
discount --to <INVOICE>-LI1`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from arctl.db import audit
from arctl.db.audit import utc_now
from arctl.db.bulk import chunked
from arctl.db.collection_models import Charge
from arctl.db.engine import Database
from arctl.db.models import Installment, Invoice
from arctl.domain.errors import InvalidInput, NotFound, Refused
from arctl.domain.money import format_amount, normalize_currency, require_minor

NUMBER_LENGTH = 60
"""invoice.number is String(60)."""
STEP_LENGTH = 40
"""charge.step_key is String(40)."""
CHARGE_TERMS = "due on receipt"


@dataclass(frozen=True, slots=True)
class ChargeView:
    """A charge as the CLI shows it (no ORM object leaves the services)."""

    id: int
    kind: str
    number: str
    """The charge invoice's number."""
    cause: str
    """INVOICE:SEQ of the late installment."""
    customer: str
    assessed_on: date
    period_start: date | None
    period_end: date | None
    currency: str
    amount_minor: int
    voided_on: date | None
    void_reason: str | None


def snapshot(charge: Charge, invoice: Invoice, cause: Installment) -> dict[str, Any]:
    return {
        "id": charge.id, "kind": charge.kind, "invoice": invoice.number,
        "cause": f"{cause.invoice.number}:{cause.seq}", "step": charge.step_key,
        "period_start": charge.period_start, "period_end": charge.period_end, "assessed_on": charge.assessed_on,
        "currency": charge.currency, "amount": format_amount(charge.amount_minor, charge.currency),
    }  # fmt: skip


def post_fee(
    session: Session, *, installment_id: int, step_key: str, amount_minor: int, currency: str, on: date
) -> Charge | None:
    """Charge the fee of ladder step `step_key` on an installment, inside an open write session.

    Returns None when this (installment, step) fee exists already: a step's fee is charged at most once,
    even when that charge was reversed since (the unique constraint on charge holds it too). Also None when
    the installment belongs to a charge invoice: charges bear no fees (a reminder run over every open item
    must not stop on one).
    """
    step = (step_key or "").strip()
    if not step:
        raise InvalidInput("a fee needs its reminder step", field="step")
    if len(step) > STEP_LENGTH:
        raise InvalidInput(f"step {step!r} is longer than {STEP_LENGTH} characters", field="step")
    existing = session.execute(
        select(Charge.id).where(
            Charge.cause_installment_id == installment_id, Charge.kind == "fee", Charge.step_key == step
        )
    ).first()
    if existing is not None or _is_charge_installment(session, installment_id):
        return None
    cause = _cause(session, installment_id, amount_minor, currency, on)
    suffix = f"-FEE-{step}" + ("" if cause.seq == 1 else f"-{cause.seq}")
    number = _free_number(session, cause.invoice.number, suffix)
    description = f"Late fee ({step}) on {cause.invoice.number}:{cause.seq}"
    return _post(session, cause, "fee", number, amount_minor, on, description, step=step)


def post_interest(
    session: Session, *, installment_id: int, amount_minor: int, currency: str, period: tuple[date, date], on: date
) -> Charge:
    """Charge 违约金 (late interest) for the interest days `period` (both included) of an installment,
    inside an open write session. The amount is the caller's (`domain.interest.accrued_since`)."""
    start, end = period
    if start > end:
        raise InvalidInput(f"interest period {start} – {end} ends before it starts", field="period")
    if end > on:
        raise InvalidInput(f"interest period ends on {end}, after the charge date {on}", field="period")
    cause = _cause(session, installment_id, amount_minor, currency, on)
    ever = session.execute(
        select(func.count(Charge.id))
        .join(Installment, Installment.id == Charge.cause_installment_id)
        .where(Installment.invoice_id == cause.invoice_id, Charge.kind == "interest")
    ).scalar_one()
    number = _free_number(session, cause.invoice.number, f"-LI{ever + 1}")
    description = f"违约金 / late interest on {cause.invoice.number}:{cause.seq}, {start} – {end}"
    return _post(session, cause, "interest", number, amount_minor, on, description, period=(start, end))


def charged_interest(session: Session, installment_ids: Iterable[int], as_of: date) -> dict[int, int]:
    """Interest charged on each installment and in force at the end of `as_of`: assessed on or before it,
    its invoice not voided on or before it. Installments with none are left out."""
    out: dict[int, int] = {}
    for chunk in chunked(list(installment_ids)):
        rows = session.execute(
            select(Charge.cause_installment_id, func.sum(Charge.amount_minor))
            .join(Invoice, Invoice.id == Charge.invoice_id)
            .where(Charge.cause_installment_id.in_(chunk), *_interest_in_force(as_of))
            .group_by(Charge.cause_installment_id)
        )
        out.update((ins_id, int(total)) for ins_id, total in rows)
    return out


def charged_through(session: Session, installment_ids: Iterable[int], as_of: date) -> dict[int, date]:
    """The last interest day covered by the interest charges in force at `as_of`, per installment."""
    out: dict[int, date] = {}
    for chunk in chunked(list(installment_ids)):
        rows = session.execute(
            select(Charge.cause_installment_id, func.max(Charge.period_end))
            .join(Invoice, Invoice.id == Charge.invoice_id)
            .where(Charge.cause_installment_id.in_(chunk), *_interest_in_force(as_of))
            .group_by(Charge.cause_installment_id)
        )
        out.update((ins_id, end) for ins_id, end in rows if end is not None)
    return out


def charged_after(session: Session, installment_ids: Iterable[int], as_of: date) -> dict[int, date]:
    """Installments with an interest charge assessed after `as_of` and not reversed: the first such date.
    Charging as of `as_of` again would count that interest twice."""
    out: dict[int, date] = {}
    for chunk in chunked(list(installment_ids)):
        rows = session.execute(
            select(Charge.cause_installment_id, func.min(Charge.assessed_on))
            .join(Invoice, Invoice.id == Charge.invoice_id)
            .where(
                Charge.cause_installment_id.in_(chunk),
                Charge.kind == "interest",
                Charge.assessed_on > as_of,
                Invoice.voided_on.is_(None),
            )
            .group_by(Charge.cause_installment_id)
        )
        out.update((ins_id, first) for ins_id, first in rows)
    return out


def charge_invoice_ids(session: Session, invoice_ids: Iterable[int]) -> set[int]:
    """Which of these invoices are charges (fees or interest) themselves."""
    found: set[int] = set()
    for chunk in chunked(list(invoice_ids)):
        found.update(session.execute(select(Charge.invoice_id).where(Charge.invoice_id.in_(chunk))).scalars())
    return found


def reverse_charge(db: Database, ref: str, *, on: date, reason: str, as_of: date) -> ChargeView:
    """Reverse a charge: void its invoice from `on` with `reason` (one transaction, audited as invoice.void).

    Refused while a payment or credit is applied to the charge invoice (unapply it first). A reversed
    interest charge is charged again by the next `interest charge` (it is owed): to waive interest, issue
    a credit note against the charge invoice instead.
    """
    from arctl.services.invoices import void_invoice

    if not (reason or "").strip():
        raise InvalidInput("a reason is required to reverse a charge", field="--reason")
    with db.read() as session:
        charge = resolve_charge(session, ref)
        number = session.get_one(Invoice, charge.invoice_id).number
        charge_id = charge.id
    void_invoice(db, number, reason=f"charge {charge_id} reversed: {reason.strip()}", on=on, as_of=as_of)
    with db.read() as session:
        return view(session, session.get_one(Charge, charge_id))


def show_charges(db: Database, ref: str) -> list[ChargeView]:
    """The charges of an invoice (as the cause, or the charge invoice itself), oldest first."""
    from arctl.services._lookup import resolve_invoice

    with db.read() as session:
        invoice = resolve_invoice(session, ref)
        rows = session.execute(
            select(Charge)
            .join(Installment, Installment.id == Charge.cause_installment_id)
            .where(or_(Installment.invoice_id == invoice.id, Charge.invoice_id == invoice.id))
            .order_by(Charge.assessed_on, Charge.id)
        ).scalars()
        return [view(session, c) for c in rows]


def resolve_charge(session: Session, ref: str) -> Charge:
    """A charge by id (`12`, `#12`) or by its invoice number (`INV-7-LI1`)."""
    raw = (ref or "").strip()
    digits = raw.lstrip("#")
    if digits.isdigit():
        charge = session.get(Charge, int(digits))
        if charge is not None:
            return charge
    charge = session.execute(
        select(Charge)
        .join(Invoice, Invoice.id == Charge.invoice_id)
        .where(func.upper(Invoice.number) == raw.upper())
    ).scalar_one_or_none()
    if charge is None:
        raise NotFound(
            f"CHARGE: no charge {raw!r}", hint="give the charge id or its invoice number", field="CHARGE"
        )
    return charge


def view(session: Session, charge: Charge) -> ChargeView:
    invoice = session.get_one(Invoice, charge.invoice_id)
    cause = session.get_one(Installment, charge.cause_installment_id)
    return ChargeView(
        charge.id, charge.kind, invoice.number, f"{cause.invoice.number}:{cause.seq}", invoice.customer.code,
        charge.assessed_on, charge.period_start, charge.period_end, charge.currency, charge.amount_minor,
        invoice.voided_on, invoice.void_reason,
    )  # fmt: skip


# --- internals ------------------------------------------------------------------------------------------


def _interest_in_force(as_of: date) -> tuple[Any, ...]:
    return (
        Charge.kind == "interest",
        Charge.assessed_on <= as_of,
        or_(Invoice.voided_on.is_(None), Invoice.voided_on > as_of),
    )


def _cause(session: Session, installment_id: int, amount_minor: int, currency: str, on: date) -> Installment:
    """The late installment, checked: a charge is positive, in its currency, on a live non-charge invoice."""
    if require_minor(amount_minor) <= 0:
        raise InvalidInput(f"a charge must be more than zero, not {amount_minor}", field="amount")
    cause = session.get(Installment, installment_id)
    if cause is None:
        raise NotFound(f"no installment {installment_id}", field="installment")
    invoice = cause.invoice
    if normalize_currency(currency) != invoice.currency:
        raise InvalidInput(f"invoice {invoice.number} is in {invoice.currency}, not {currency}", field="currency")
    if invoice.voided_on is not None and invoice.voided_on <= on:
        raise Refused(f"invoice {invoice.number} is voided")
    if on < invoice.issue_date:
        raise InvalidInput(f"charge date {on} is before the invoice date {invoice.issue_date}", field="on")
    if session.execute(select(Charge.id).where(Charge.invoice_id == invoice.id)).first():
        raise Refused(f"invoice {invoice.number} is itself a charge: charges bear no fees or interest")
    return cause


def _is_charge_installment(session: Session, installment_id: int) -> bool:
    return (
        session.execute(
            select(Charge.id)
            .join(Installment, Installment.invoice_id == Charge.invoice_id)
            .where(Installment.id == installment_id)
        ).first()
        is not None
    )


def _free_number(session: Session, base: str, suffix: str) -> str:
    """`base + suffix` cut to 60 characters, made unique with .2, .3 ... on the suffix (see the module doc)."""
    attempt = 1
    while True:
        tail = suffix if attempt == 1 else f"{suffix}.{attempt}"
        number = base[: NUMBER_LENGTH - len(tail)] + tail
        taken = session.execute(select(Invoice.id).where(func.upper(Invoice.number) == number.upper())).first()
        if taken is None:
            return number
        attempt += 1


def _post(
    session: Session,
    cause: Installment,
    kind: str,
    number: str,
    amount_minor: int,
    on: date,
    description: str,
    *,
    step: str | None = None,
    period: tuple[date, date] | None = None,
) -> Charge:
    from arctl.services.invoices import new_invoice

    invoice = cause.invoice
    charge_invoice = new_invoice(
        session, customer=invoice.customer.code, number=number,
        amount=format_amount(amount_minor, invoice.currency), issue_date=on, currency=invoice.currency,
        terms=CHARGE_TERMS, description=description,
    )  # fmt: skip
    charge = Charge(
        kind=kind, cause_installment_id=cause.id, invoice_id=charge_invoice.id, step_key=step,
        period_start=period[0] if period else None, period_end=period[1] if period else None, assessed_on=on,
        currency=invoice.currency, amount_minor=amount_minor, created_at=utc_now(),
    )  # fmt: skip
    session.add(charge)
    session.flush()
    audit.record(session, f"charge.{kind}", "charge", charge.id, after=snapshot(charge, charge_invoice, cause))
    return charge
