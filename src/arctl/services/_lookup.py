"""Resolving what the clerk typed (a code, a prefix, a name, an invoice number) to ledger rows."""

from __future__ import annotations

import unicodedata

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from arctl.db.models import Credit, Customer, CustomerAlias, Installment, Invoice, Payment
from arctl.domain.errors import Ambiguous, InvalidInput, NotFound


def normalize_name(name: str) -> str:
    """Fold width and case and drop spaces so 杭州精细（中国） equals 杭州精细(中国)."""
    return "".join(unicodedata.normalize("NFKC", name or "").casefold().split())


def resolve_customer(session: Session, ref: str) -> Customer:
    """A customer by code (any case), unique code prefix, exact name or alias; ambiguity lists candidates."""
    raw = (ref or "").strip()
    if not raw:
        raise InvalidInput("customer reference is empty", field="customer")
    exact = session.execute(select(Customer).where(func.upper(Customer.code) == raw.upper())).scalars().all()
    if len(exact) == 1:
        return exact[0]
    norm = normalize_name(raw)
    named = (
        session.execute(
            select(Customer)
            .outerjoin(CustomerAlias, CustomerAlias.customer_id == Customer.id)
            .where(or_(Customer.name == raw, CustomerAlias.normalized == norm))
            .distinct()
        )
        .scalars()
        .all()
    )
    if len(named) == 1:
        return named[0]
    if not named:
        # The name as typed with other widths, case or spacing (（中国） vs (中国)): compare normalised.
        named = [c for c in session.execute(select(Customer)).scalars() if normalize_name(c.name) == norm]
        if len(named) == 1:
            return named[0]
    prefix = raw.upper().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    candidates = (
        session.execute(
            select(Customer)
            .where(func.upper(Customer.code).like(prefix, escape="\\"))
            .order_by(Customer.code)
            .limit(11)
        )
        .scalars()
        .all()
        or named
    )
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        raise NotFound(f"no customer matches {raw!r}", hint="see `arctl customer list`", field="customer")
    listing = ", ".join(f"{c.code} ({c.name})" for c in candidates[:10])
    more = " ..." if len(candidates) > 10 else ""
    raise Ambiguous(f"{raw!r} matches several customers: {listing}{more}", field="customer")


def resolve_invoice(session: Session, number: str) -> Invoice:
    raw = (number or "").strip()
    invoice = session.execute(select(Invoice).where(Invoice.number == raw)).scalar_one_or_none()
    if invoice is None:
        invoice = session.execute(
            select(Invoice).where(func.upper(Invoice.number) == raw.upper())
        ).scalar_one_or_none()
    if invoice is None:
        raise NotFound(f"no invoice {raw!r}", hint="see `arctl invoice list`", field="invoice")
    return invoice


def resolve_installment(session: Session, invoice: Invoice, seq: int) -> Installment:
    found = session.execute(
        select(Installment).where(Installment.invoice_id == invoice.id, Installment.seq == seq)
    ).scalar_one_or_none()
    if found is None:
        count = len(invoice.installments)
        raise NotFound(f"invoice {invoice.number} has no installment {seq} (it has {count})")
    return found


def resolve_payment(session: Session, ref: str) -> Payment:
    """A payment by id (`12`, `P12`, `#12`) or by its bank reference."""
    raw = (ref or "").strip()
    digits = raw.lstrip("#").removeprefix("P").removeprefix("p")
    if digits.isdigit():
        payment = session.get(Payment, int(digits))
        if payment is not None:
            return payment
    matches = session.execute(select(Payment).where(Payment.reference == raw)).scalars().all()
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        raise Ambiguous(f"reference {raw!r} matches payments {', '.join(f'P{p.id}' for p in matches)}")
    raise NotFound(f"no payment {raw!r}", hint="see `arctl payment list`")


def resolve_credit(session: Session, ref: str) -> Credit:
    raw = (ref or "").strip()
    credit = session.execute(select(Credit).where(Credit.number == raw)).scalar_one_or_none()
    if credit is None and raw.lstrip("#").isdigit():
        credit = session.get(Credit, int(raw.lstrip("#")))
    if credit is None:
        raise NotFound(f"no credit note or write-off {raw!r}")
    return credit
