"""A customer's documents over a period, and their net balance at a date (for statements).

Net balance at D = invoices issued by D and not voided by D − payments and credits dated by D and not
reversed by D. It equals open installments − unapplied cash, because every allocation in force links an
invoice in force to a source in force (voids and reversals take their allocations with them).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from arctl.db.models import Credit, Invoice, Payment
from arctl.domain.ledger import ActivityLine


def net_balance(session: Session, customer_id: int, as_of: date) -> dict[str, int]:
    """What the customer owes net of unapplied cash and credits, per currency, at the end of `as_of`."""
    out: dict[str, int] = {}
    queries = (
        (1, select(Invoice.currency, func.sum(Invoice.amount_minor)).where(
            Invoice.customer_id == customer_id, Invoice.issue_date <= as_of,
            or_(Invoice.voided_on.is_(None), Invoice.voided_on > as_of)).group_by(Invoice.currency)),
        (-1, select(Payment.currency, func.sum(Payment.amount_minor)).where(
            Payment.customer_id == customer_id, Payment.received_on <= as_of,
            or_(Payment.reversed_on.is_(None), Payment.reversed_on > as_of)).group_by(Payment.currency)),
        (-1, select(Credit.currency, func.sum(Credit.amount_minor)).where(
            Credit.customer_id == customer_id, Credit.issued_on <= as_of,
            or_(Credit.reversed_on.is_(None), Credit.reversed_on > as_of)).group_by(Credit.currency)),
    )  # fmt: skip
    for sign, query in queries:
        for currency, total in session.execute(query):
            out[currency] = out.get(currency, 0) + sign * int(total or 0)
    return out


def activity(session: Session, customer_id: int, start: date, end: date) -> list[ActivityLine]:
    """Every balance-moving document dated in [start, end], in date order (invoices first on a day)."""
    lines: list[ActivityLine] = []
    for inv in session.execute(
        select(Invoice).where(Invoice.customer_id == customer_id, or_(
            Invoice.issue_date.between(start, end), Invoice.voided_on.between(start, end)))
    ).scalars():  # fmt: skip
        if start <= inv.issue_date <= end:
            lines.append(ActivityLine(inv.issue_date, "invoice", inv.number, inv.description or "", inv.currency,
                                      debit=inv.amount_minor))  # fmt: skip
        if inv.voided_on is not None and start <= inv.voided_on <= end:
            lines.append(ActivityLine(inv.voided_on, "void", inv.number, inv.void_reason or "", inv.currency,
                                      credit=inv.amount_minor))  # fmt: skip
    for pay in session.execute(
        select(Payment).where(Payment.customer_id == customer_id, or_(
            Payment.received_on.between(start, end), Payment.reversed_on.between(start, end)))
    ).scalars():  # fmt: skip
        label = " ".join(p for p in (pay.method.replace("_", " "), pay.reference or "") if p)
        if start <= pay.received_on <= end:
            lines.append(ActivityLine(pay.received_on, "payment", f"P{pay.id}", label, pay.currency,
                                      credit=pay.amount_minor))  # fmt: skip
        if pay.reversed_on is not None and start <= pay.reversed_on <= end:
            lines.append(ActivityLine(pay.reversed_on, "payment_reversal", f"P{pay.id}", pay.reverse_reason or "",
                                      pay.currency, debit=pay.amount_minor))  # fmt: skip
    for cred in session.execute(
        select(Credit).where(Credit.customer_id == customer_id, or_(
            Credit.issued_on.between(start, end), Credit.reversed_on.between(start, end)))
    ).scalars():  # fmt: skip
        number = cred.number or f"C{cred.id}"
        if start <= cred.issued_on <= end:
            lines.append(ActivityLine(cred.issued_on, cred.kind, number, cred.note or cred.reason, cred.currency,
                                      credit=cred.amount_minor))  # fmt: skip
        if cred.reversed_on is not None and start <= cred.reversed_on <= end:
            lines.append(ActivityLine(cred.reversed_on, "credit_reversal", number, cred.reverse_reason or "",
                                      cred.currency, debit=cred.amount_minor))  # fmt: skip
    # on one day: what was issued or received first, then its voids and reversals
    order = {"invoice": 0, "payment": 1, "credit_note": 1, "write_off": 1, "discount": 1, "void": 2,
             "payment_reversal": 2, "credit_reversal": 2}  # fmt: skip
    lines.sort(key=lambda line: (line.on, order.get(line.kind, 1), line.document))
    return lines
