"""Disputes (客户异议): open on some items, list with age and open amount, resolve by credit note,
write-off or rejection. Disputed items are held from reminders but stay in aging: they are still owed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from arctl.db import audit, repo
from arctl.db.audit import utc_now
from arctl.db.collection_models import DISPUTE_REASONS, Dispute, DisputeItem
from arctl.db.engine import Database
from arctl.db.models import Credit, Customer, Installment, Invoice
from arctl.domain.errors import InvalidInput, NotFound, Refused
from arctl.domain.money import Money, format_amount, parse_amount
from arctl.domain.report import Column, Report, Row
from arctl.services._lookup import resolve_customer
from arctl.services.promises import item_labels, open_as_of, refuse_future, resolve_items

CREDIT_REASON = {"price": "price", "quality": "quality", "quantity": "quantity", "not-received": "not_received",
                 "duplicate": "duplicate", "other": "other"}  # fmt: skip
"""Dispute reason → the credit note's reason code."""


@dataclass(frozen=True, slots=True)
class DisputeResult:
    id: int
    customer: str
    reason: str
    opened_on: date
    items: tuple[tuple[str, Money], ...]
    """(INVOICE/SEQ, what it owes now)"""
    resolution: str | None = None
    resolved_on: date | None = None
    credit: str | None = None
    """Number of the credit note or write-off that settled it."""
    credit_amount: Money | None = None


def parse_reason(text: str) -> str:
    reason = (text or "").strip().lower().replace("_", "-").replace(" ", "-")
    if reason not in DISPUTE_REASONS:
        raise InvalidInput(f"{text!r} is not one of: {', '.join(DISPUTE_REASONS)}", field="--reason")
    return reason


def spread(amount: int, owed: Sequence[int]) -> list[int]:
    """`amount` over items owing `owed` (in order), each up to what it owes; refuses more than the total."""
    if amount <= 0:
        raise InvalidInput("the amount must be more than zero", field="--amount")
    if amount > sum(owed):
        raise Refused("the amount is more than the disputed items owe")
    out = []
    for left in owed:
        take = min(max(left, 0), amount)
        out.append(take)
        amount -= take
    return out


def _dispute_id(ref: str | int) -> int:
    raw = str(ref).strip().lstrip("#").upper().removeprefix("D")
    if not raw.isdigit() or len(raw) > 18:
        raise InvalidInput(f"{ref!r} is not a dispute id (a number, see `arctl dispute list`)", field="ID")
    return int(raw)


def _items_of(session: Session, dispute_id: int) -> list[int]:
    return list(session.execute(
        select(DisputeItem.installment_id).where(DisputeItem.dispute_id == dispute_id)
        .order_by(DisputeItem.installment_id)
    ).scalars())  # fmt: skip


def _snapshot(session: Session, d: Dispute, code: str) -> dict[str, Any]:
    credit = session.get(Credit, d.credit_id) if d.credit_id else None
    return {
        "customer": code, "reason": d.reason, "note": d.note, "opened_on": d.opened_on,
        "items": sorted(item_labels(session, _items_of(session, d.id)).values()), "resolved_on": d.resolved_on,
        "resolution": d.resolution, "credit": credit.number if credit else None, "resolution_note": d.resolution_note,
    }  # fmt: skip


def open_dispute(
    db: Database, items: Sequence[str], *, reason: str, on: date, note: str | None = None
) -> DisputeResult:
    """Open a dispute on installments (INVOICE/SEQ) or whole invoices (all their open installments), all of
    one customer; an item already in a dispute open on `on` is refused."""
    reason = parse_reason(reason)
    refuse_future(on)
    if not items:
        raise InvalidInput("name at least one item (INVOICE or INVOICE/SEQ)", field="ITEM")
    with db.write() as session:
        chosen = resolve_items(session, items, field="ITEM")
        owners = sorted({i.customer_id for i in chosen})
        if len(owners) > 1:
            codes = [session.get_one(Customer, c).code for c in owners]
            raise Refused(f"ITEM: the items belong to {' and '.join(codes)}; a dispute is with one customer")
        for item in chosen:
            if item.issue_date > on:
                raise InvalidInput(f"{on} is before {item.label} was issued ({item.issue_date})", field="--on")
        ids = [i.installment_id for i in chosen]
        taken = session.execute(
            select(DisputeItem.installment_id, Dispute.id)
            .join(Dispute, Dispute.id == DisputeItem.dispute_id)
            .where(DisputeItem.installment_id.in_(ids), or_(Dispute.resolved_on.is_(None), Dispute.resolved_on > on))
        ).first()  # fmt: skip
        if taken is not None:
            label = next(i.label for i in chosen if i.installment_id == taken[0])
            raise Refused(f"ITEM: {label} is already in open dispute {taken[1]}",
                          hint=f"see `arctl dispute list`; resolve dispute {taken[1]} first")  # fmt: skip
        customer = session.get_one(Customer, owners[0])
        dispute = Dispute(customer_id=customer.id, reason=reason, note=(note or "").strip() or None, opened_on=on,
                          created_at=utc_now())  # fmt: skip
        session.add(dispute)
        session.flush()
        session.add_all(DisputeItem(dispute_id=dispute.id, installment_id=i) for i in ids)
        session.flush()
        audit.record(
            session, "dispute.open", "dispute", dispute.id, after=_snapshot(session, dispute, customer.code)
        )
        return DisputeResult(dispute.id, customer.code, reason, on,
                             tuple((i.label, Money(i.owed_minor, i.currency)) for i in chosen))  # fmt: skip


def resolve_dispute(
    db: Database,
    ref: str | int,
    *,
    resolution: str,
    on: date,
    amount: str | None = None,
    note: str | None = None,
) -> DisputeResult:
    """Resolve a dispute: `credit_note` or `write_off` for what the disputed items owe (or `amount`, spread
    over them oldest due first), issued and applied in this transaction and linked to the dispute; or
    `rejected` (no credit: the items are owed as they are, and reminders resume)."""
    if resolution not in ("credit_note", "write_off", "rejected"):
        raise InvalidInput("give one of --credit-note, --write-off or --rejected", field="resolution")
    if resolution == "rejected" and amount is not None:
        raise InvalidInput("--amount goes with --credit-note or --write-off, not --rejected", field="--amount")
    refuse_future(on)
    dispute_id = _dispute_id(ref)
    with db.write() as session:
        dispute = session.get(Dispute, dispute_id)
        if dispute is None:
            raise NotFound(f"ID: no dispute {dispute_id}", hint="see `arctl dispute list --all`", field="ID")
        customer = session.get_one(Customer, dispute.customer_id)
        if dispute.resolved_on is not None:
            raise Refused(f"dispute {dispute_id} was already resolved on {dispute.resolved_on} "
                          f"({dispute.resolution.replace('_', ' ') if dispute.resolution else ''})")  # fmt: skip
        if on < dispute.opened_on:
            raise InvalidInput(f"{on} is before the dispute was opened ({dispute.opened_on})", field="--on")
        before = _snapshot(session, dispute, customer.code)
        ids = _items_of(session, dispute_id)
        rows = session.execute(
            select(Installment.id, Invoice.number, Installment.seq, Invoice.currency, Invoice.voided_on)
            .join(Invoice, Invoice.id == Installment.invoice_id)
            .where(Installment.id.in_(ids))
            .order_by(Installment.due_date.is_(None), Installment.due_date, Invoice.issue_date, Invoice.number,
                      Installment.seq)
        ).all()  # fmt: skip
        owed = repo.remaining_on_installments(session, ids)
        live = [r for r in rows if r.voided_on is None]
        currency = rows[0].currency
        credit: Credit | None = None
        if resolution != "rejected":
            total = sum(max(owed[r.id], 0) for r in live)
            if total <= 0:
                raise Refused(f"dispute {dispute_id}: its items owe nothing any more; resolve it with --rejected")
            minor = total if amount is None else parse_amount(amount, currency, field="--amount")
            if minor <= 0:
                raise InvalidInput(f"{amount!r} must be more than zero", field="--amount")
            if minor > total:
                raise Refused(f"--amount: {format_amount(minor, currency)} {currency} is more than the disputed "
                              f"items owe ({format_amount(total, currency)} {currency})")  # fmt: skip
            parts = spread(minor, [max(owed[r.id], 0) for r in live])
            targets = [f"{r.number}:{r.seq}={format_amount(p, currency)}" for r, p in zip(live, parts, strict=True)
                       if p > 0]  # fmt: skip
            invoices = {r.number for r, p in zip(live, parts, strict=True) if p > 0}
            invoice_id = None
            if len(invoices) == 1:
                invoice_id = session.execute(
                    select(Invoice.id).where(Invoice.number == invoices.pop())
                ).scalar_one()
            from arctl.services.credits import new_credit

            text = f"dispute {dispute_id} ({dispute.reason})" + (
                f": {note.strip()}" if (note or "").strip() else ""
            )
            credit, _ = new_credit(
                session, kind=resolution, customer_id=customer.id, currency=currency, amount_minor=minor, on=on,
                reason=CREDIT_REASON[dispute.reason] if resolution == "credit_note" else "dispute",
                targets=targets, note=text,
                invoice_id=invoice_id,
            )  # fmt: skip
        dispute.resolved_on, dispute.resolution = on, resolution
        dispute.credit_id = credit.id if credit else None
        dispute.resolution_note = (note or "").strip() or None
        session.flush()
        audit.record(session, "dispute.resolve", "dispute", dispute_id, before=before,
                     after=_snapshot(session, dispute, customer.code))  # fmt: skip
        left = repo.remaining_on_installments(session, ids)
        return DisputeResult(
            dispute_id, customer.code, dispute.reason, dispute.opened_on,
            tuple((f"{r.number}/{r.seq}", Money(left[r.id], currency)) for r in rows), resolution, on,
            credit.number if credit else None, Money(credit.amount_minor, currency) if credit else None,
        )  # fmt: skip


def list_disputes(db: Database, customer: str | None = None, *, show_all: bool = False, as_of: date) -> Report:
    """Disputes opened on or before `as_of`: those still open then (default) or all, with their age in days
    and what the disputed items owed at `as_of`."""
    from arctl.services.settings import collections_policy

    alert = collections_policy().holds.dispute_alert_days
    with db.read() as session:
        query = select(Dispute).where(Dispute.opened_on <= as_of).order_by(Dispute.opened_on, Dispute.id)
        if customer is not None:
            query = query.where(Dispute.customer_id == resolve_customer(session, customer).id)
        if not show_all:
            query = query.where(or_(Dispute.resolved_on.is_(None), Dispute.resolved_on > as_of))
        disputes = list(session.execute(query).scalars())
        items = {d.id: _items_of(session, d.id) for d in disputes}
        all_ids = sorted({i for ids in items.values() for i in ids})
        labels = item_labels(session, all_ids)
        owed = open_as_of(session, all_ids, as_of)
        currency_of = dict(session.execute(
            select(Installment.id, Invoice.currency).join(Invoice, Invoice.id == Installment.invoice_id)
            .where(Installment.id.in_(all_ids))).all())  # fmt: skip
        codes = repo.customer_labels(session)
        credits = {c.id: c.number for c in session.execute(
            select(Credit).where(Credit.id.in_([d.credit_id for d in disputes if d.credit_id]))).scalars()}  # fmt: skip
        rows: list[Row] = []
        totals: dict[str, int] = {}
        late: list[str] = []
        for d in disputes:
            resolved = d.resolved_on is not None and d.resolved_on <= as_of
            ids = items[d.id]
            currency = currency_of[ids[0]] if ids else "CNY"
            open_minor = sum(owed[i] for i in ids)
            age = ((d.resolved_on if resolved else as_of) - d.opened_on).days  # type: ignore[operator]
            if resolved:
                status = (d.resolution or "").replace("_", " ")
                if d.credit_id:
                    status += f" {credits.get(d.credit_id, '')}"
            else:
                status = "open"
                totals[currency] = totals.get(currency, 0) + open_minor
                if age >= alert:
                    late.append(str(d.id))
            rows.append({
                "id": d.id, "customer": codes[d.customer_id][0], "opened": d.opened_on, "reason": d.reason,
                "age": age, "open": Money(open_minor, currency), "status": status,
                "resolved": d.resolved_on if resolved else None,
                "items": " ".join(labels[i] for i in ids), "note": d.note or "",
            })  # fmt: skip
    columns = (
        Column("id", "ID", "int"),
        Column("customer", "Customer"),
        Column("opened", "Opened", "date"),
        Column("reason", "Reason"),
        Column("age", "Days", "int"),
        Column("open", "Open", "money"),
        Column("status", "Status"),
        Column("resolved", "Resolved", "date", wide_only=True),
        Column("items", "Items"),
        Column("note", "Note", wide_only=True),
    )
    total_rows: list[Row] = [{"customer": f"Open {c}", "open": Money(m, c)} for c, m in sorted(totals.items())]
    notes = [f"open {alert} days or more: dispute {', '.join(late)}"] if late else []
    title = f"Disputes {'(all) ' if show_all else ''}as of {as_of}"
    return Report("disputes", title, columns, rows, totals=total_rows, as_of=as_of, notes=notes)
