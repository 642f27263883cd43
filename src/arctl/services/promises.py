"""Promises to pay (承诺付款): add, cancel, list. Their state is derived from receipts (`domain.promises`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from arctl.db import audit, collections_repo, repo
from arctl.db.audit import utc_now
from arctl.db.collection_models import Promise, PromiseItem
from arctl.db.engine import Database
from arctl.db.models import Allocation, Customer, Installment, Invoice
from arctl.domain.dates import today
from arctl.domain.errors import InvalidInput, NotFound, Refused
from arctl.domain.money import Money, format_amount, normalize_currency, parse_amount
from arctl.domain.promises import STATUSES, kept_percent
from arctl.domain.report import Column, Report, Row
from arctl.services._lookup import resolve_customer, resolve_installment

MAX_GRACE_DAYS = 366


# --- items: `INV-7/2` (or `INV-7:2`) is one installment, `INV-7` all its open installments -------------


@dataclass(frozen=True, slots=True)
class Item:
    """An installment named on the command line, with what it still owes now."""

    installment_id: int
    label: str
    """INVOICE/SEQ"""
    customer_id: int
    currency: str
    issue_date: date
    owed_minor: int


def refuse_future(on: date, field: str = "--on") -> None:
    """Facts (a promise made, a dispute opened, a call) happen today or earlier."""
    if on > today():
        raise InvalidInput(f"{on} is in the future; give today or an earlier date", field=field)


def _invoice(session: Session, number: str) -> Invoice | None:
    found = session.execute(select(Invoice).where(Invoice.number == number)).scalar_one_or_none()
    if found is None:
        found = session.execute(
            select(Invoice).where(func.upper(Invoice.number) == number.upper())
        ).scalar_one_or_none()
    return found


def _split(session: Session, raw: str, field: str) -> tuple[Invoice, int | None]:
    whole = _invoice(session, raw)
    if whole is not None:
        return whole, None
    for sep in ("/", ":"):
        head, found, tail = raw.rpartition(sep)
        if found and head.strip() and tail.strip().isdigit():
            invoice = _invoice(session, head.strip())
            if invoice is not None:
                return invoice, int(tail)
    raise NotFound(f"{field}: no invoice or installment {raw!r} (give INVOICE or INVOICE/SEQ, e.g. INV-7/2)",
                   hint="see `arctl invoice list`", field=field)  # fmt: skip


def resolve_items(session: Session, refs: Sequence[str], *, field: str) -> list[Item]:
    """Installments named as INVOICE/SEQ (or INVOICE:SEQ), or INVOICE for all its open installments; each
    once, in the order given. Voided invoices, paid installments and fully paid invoices are refused."""
    out: dict[int, Item] = {}
    for ref in refs:
        raw = (ref or "").strip()
        if not raw:
            raise InvalidInput("an item is empty (give INVOICE or INVOICE/SEQ)", field=field)
        invoice, seq = _split(session, raw, field)
        if invoice.voided_on is not None:
            raise Refused(f"{field}: invoice {invoice.number} is voided ({invoice.voided_on})")
        if seq is not None:
            try:
                installments = [resolve_installment(session, invoice, seq)]
            except NotFound as exc:
                raise NotFound(f"{field}: {exc.message}", field=field) from None
        else:
            installments = list(invoice.installments)
        owed = repo.remaining_on_installments(session, [i.id for i in installments])
        open_ones = [i for i in installments if owed[i.id] > 0]
        if not open_ones:
            what = f"{invoice.number}/{seq}" if seq is not None else f"invoice {invoice.number}"
            raise Refused(f"{field}: {what} is paid: nothing is owed on it")
        for i in open_ones:
            out.setdefault(i.id, Item(i.id, f"{invoice.number}/{i.seq}", invoice.customer_id, invoice.currency,
                                      invoice.issue_date, owed[i.id]))  # fmt: skip
    return list(out.values())


def item_labels(session: Session, installment_ids: Sequence[int]) -> dict[int, str]:
    """INVOICE/SEQ for each installment id."""
    if not installment_ids:
        return {}
    rows = session.execute(
        select(Installment.id, Invoice.number, Installment.seq)
        .join(Invoice, Invoice.id == Installment.invoice_id)
        .where(Installment.id.in_(list(installment_ids)))
    )
    return {i: f"{number}/{seq}" for i, number, seq in rows}


def open_as_of(session: Session, installment_ids: Sequence[int], as_of: date) -> dict[int, int]:
    """What each installment owed at the end of `as_of` (0 when its invoice was not issued yet or voided)."""
    ids = list(installment_ids)
    if not ids:
        return {}
    paid = (
        select(func.coalesce(func.sum(Allocation.amount_minor), 0))
        .where(Allocation.installment_id == Installment.id, repo.active_at(as_of))
        .scalar_subquery()
    )
    out = dict.fromkeys(ids, 0)
    for start in range(0, len(ids), 500):
        rows = session.execute(
            select(Installment.id, Invoice.issue_date, Invoice.voided_on, Installment.amount_minor - paid)
            .join(Invoice, Invoice.id == Installment.invoice_id)
            .where(Installment.id.in_(ids[start : start + 500]))
        )
        for ins_id, issued, voided, left in rows:
            if issued <= as_of and (voided is None or voided > as_of):
                out[ins_id] = max(int(left), 0)
    return out


def _due_by(session: Session, customer: Customer, currency: str, on: date, by: date) -> list[Item]:
    """The customer's installments open at `on` and due (as known then) on or before `by`, oldest first."""
    rows = session.execute(
        select(Installment.id, Invoice.number, Installment.seq, Installment.due_kind, Installment.due_days,
               Installment.due_date, Invoice.issue_date)
        .join(Invoice, Invoice.id == Installment.invoice_id)
        .where(Invoice.customer_id == customer.id, Invoice.currency == currency, Invoice.issue_date <= on,
               Invoice.voided_on.is_(None), Installment.due_date.is_not(None), Installment.due_date <= by)
        .order_by(Installment.due_date, Invoice.issue_date, Invoice.number, Installment.seq)
    ).all()  # fmt: skip
    known = [r for r in rows if repo.due_as_of(r.due_kind, r.due_days, r.due_date, on) is not None]
    owed = open_as_of(session, [r.id for r in known], on)
    return [Item(r.id, f"{r.number}/{r.seq}", customer.id, currency, r.issue_date, owed[r.id])
            for r in known if owed[r.id] > 0]  # fmt: skip


# --- add / cancel ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PromiseResult:
    id: int
    customer: str
    amount: Money
    made_on: date
    due_on: date
    grace_days: int
    holds_until: date
    items: tuple[tuple[str, Money], ...]
    """(INVOICE/SEQ, open when promised)"""
    status: str = "open"
    cancelled_on: date | None = None


def _snapshot(session: Session, p: Promise, code: str) -> dict[str, Any]:
    ids = list(session.execute(select(PromiseItem.installment_id).where(PromiseItem.promise_id == p.id)).scalars())
    labels = item_labels(session, ids)
    return {
        "customer": code, "currency": p.currency, "amount": format_amount(p.amount_minor, p.currency),
        "made_on": p.made_on, "due_on": p.due_on, "grace_days": p.grace_days, "via": p.via, "note": p.note,
        "items": sorted(labels.values()), "cancelled_on": p.cancelled_on, "cancel_reason": p.cancel_reason,
    }  # fmt: skip


def _grace(grace: int | None) -> int:
    if grace is None:
        from arctl.services.settings import collections_policy

        return collections_policy().holds.promise_grace_days
    if not 0 <= grace <= MAX_GRACE_DAYS:
        raise InvalidInput(f"{grace} must be 0 to {MAX_GRACE_DAYS} days", field="--grace")
    return grace


def add_promise(
    db: Database,
    customer: str,
    amount: str,
    *,
    by: date,
    on: date,
    items: Sequence[str] = (),
    via: str | None = None,
    grace: int | None = None,
    currency: str | None = None,
    note: str | None = None,
) -> PromiseResult:
    """Record a promise to pay `amount` by `by`. Without `items` it covers every installment open on `on`
    and due on or before `by` (recorded one by one, so the promise reads the same later)."""
    refuse_future(on)
    if by < on:
        raise InvalidInput(f"promised date {by} is before the day the promise was made ({on})", field="--by")
    grace_days = _grace(grace)
    with db.write() as session:
        cust = resolve_customer(session, customer)
        wanted = normalize_currency(currency, field="--currency") if currency else None
        if items:
            chosen = resolve_items(session, items, field="--items")
            for item in chosen:
                if item.customer_id != cust.id:
                    owner = session.get_one(Customer, item.customer_id).code
                    raise Refused(f"--items: {item.label} belongs to {owner}, not {cust.code}")
                if item.issue_date > on:
                    raise Refused(
                        f"--items: {item.label} was issued on {item.issue_date}, after the promise ({on})"
                    )
            currencies = sorted({i.currency for i in chosen})
            if len(currencies) > 1:
                raise Refused(f"--items: the items are in {' and '.join(currencies)}; one promise, one currency")
            if wanted and wanted != currencies[0]:
                raise Refused(f"--currency: {wanted}, but the items are in {currencies[0]}")
            cur = currencies[0]
        else:
            cur = wanted or cust.credit_currency or "CNY"
            chosen = _due_by(session, cust, cur, on, by)
            if not chosen:
                raise Refused(f"{cust.code} has nothing open in {cur} due on or before {by}",
                              hint="name what the promise covers with --items INVOICE[/SEQ]")  # fmt: skip
        minor = parse_amount(amount, cur, field="AMOUNT")
        if minor <= 0:
            raise InvalidInput(f"{amount!r} must be more than zero", field="AMOUNT")
        promise = Promise(
            customer_id=cust.id, currency=cur, amount_minor=minor, made_on=on, due_on=by, grace_days=grace_days,
            via=(via or "").strip() or None, note=(note or "").strip() or None, created_at=utc_now(),
        )  # fmt: skip
        session.add(promise)
        session.flush()
        session.add_all(PromiseItem(promise_id=promise.id, installment_id=i.installment_id) for i in chosen)
        session.flush()
        audit.record(session, "promise.add", "promise", promise.id, after=_snapshot(session, promise, cust.code))
        return PromiseResult(promise.id, cust.code, Money(minor, cur), on, by, grace_days,
                             by + timedelta(days=grace_days),
                             tuple((i.label, Money(i.owed_minor, cur)) for i in chosen))  # fmt: skip


def _promise_id(ref: str | int) -> int:
    raw = str(ref).strip().lstrip("#")
    digits = raw.upper().removeprefix("PR").removeprefix("P")
    if not digits.isdigit() or len(digits) > 18:
        raise InvalidInput(f"{ref!r} is not a promise id (a number, see `arctl promise list`)", field="ID")
    return int(digits)


def cancel_promise(db: Database, ref: str | int, *, on: date, reason: str) -> PromiseResult:
    """Cancel a promise that has not been decided (kept, partly kept or broken) by `on`."""
    if not (reason or "").strip():
        raise InvalidInput("a reason is required to cancel a promise", field="--reason")
    refuse_future(on)
    promise_id = _promise_id(ref)
    with db.write() as session:
        promise = session.get(Promise, promise_id)
        if promise is None:
            raise NotFound(f"ID: no promise {promise_id}", hint="see `arctl promise list`", field="ID")
        code = session.get_one(Customer, promise.customer_id).code
        if promise.cancelled_on is not None:
            raise Refused(f"promise {promise_id} was already cancelled on {promise.cancelled_on}")
        if on < promise.made_on:
            raise InvalidInput(f"{on} is before the promise was made ({promise.made_on})", field="--on")
        view = next(v for v in collections_repo.promises(session, on, [promise.customer_id]) if v.id == promise_id)
        state = view.state
        if state.status != "open":
            when = state.kept_on or state.broken_on
            raise Refused(
                f"promise {promise_id} was {state.status} on {when}: only an open promise can be cancelled"
            )
        before = _snapshot(session, promise, code)
        promise.cancelled_on, promise.cancel_reason = on, reason.strip()
        session.flush()
        audit.record(session, "promise.cancel", "promise", promise_id, before=before,
                     after=_snapshot(session, promise, code))  # fmt: skip
        labels = item_labels(session, view.items)
        return PromiseResult(promise_id, code, Money(promise.amount_minor, promise.currency), promise.made_on,
                             promise.due_on, promise.grace_days, state.holds_until,
                             tuple((labels[i], Money(0, promise.currency)) for i in view.items),
                             status="cancelled", cancelled_on=on)  # fmt: skip


# --- list --------------------------------------------------------------------------------------------


def parse_status(text: str | None) -> str | None:
    """open | kept | partly-kept | broken | cancelled (also partly_kept, "partly kept")."""
    if text is None:
        return None
    status = text.strip().lower().replace("-", " ").replace("_", " ")
    if status not in STATUSES:
        raise InvalidInput(f"{text!r} is not one of: open, kept, partly-kept, broken, cancelled", field="--status")
    return status


def list_promises(db: Database, customer: str | None = None, *, status: str | None = None, as_of: date) -> Report:
    """Promises made on or before `as_of` with what was paid toward each and their state then; one total
    row per customer and currency with the customer's promises-kept % (kept / decided, as of `as_of`)."""
    wanted = parse_status(status)
    with db.read() as session:
        ids = None if customer is None else [resolve_customer(session, customer).id]
        views = collections_repo.promises(session, as_of, ids)
        labels = repo.customer_labels(session)
        names = item_labels(session, sorted({i for v in views for i in v.items}))
        cancelled = dict(session.execute(select(Promise.id, Promise.cancelled_on).where(
            Promise.cancelled_on.is_not(None), Promise.cancelled_on <= as_of)).all())  # fmt: skip
    views.sort(key=lambda v: (labels[v.customer_id][0], v.due_on, v.id))
    rows: list[Row] = []
    totals: dict[tuple[str, str], list[int]] = {}
    for v in views:
        if wanted is not None and v.state.status != wanted:
            continue
        code = labels[v.customer_id][0]
        s = v.state
        rows.append({
            "id": v.id, "customer": code, "made": v.made_on, "by": v.due_on, "holds_until": s.holds_until,
            "amount": Money(v.amount_minor, v.currency), "paid": Money(s.paid_minor, v.currency),
            "status": s.status, "decided": s.kept_on or s.broken_on or cancelled.get(v.id),
            "via": v.via or "", "items": " ".join(names[i] for i in v.items),
        })  # fmt: skip
        total = totals.setdefault((code, v.currency), [0, 0])
        total[0] += v.amount_minor if s.status != "cancelled" else 0
    by_customer: dict[str, list[Any]] = {}
    for v in views:
        by_customer.setdefault(labels[v.customer_id][0], []).append(v.state)
    total_rows: list[Row] = []
    for (code, currency), (amount, _) in sorted(totals.items()):
        pct = kept_percent(by_customer.get(code, []))
        total_rows.append({"customer": code, "status": "kept %", "amount": Money(amount, currency),
                           "kept_pct": None if pct is None else Decimal(pct)})  # fmt: skip
    columns = (
        Column("id", "ID", "int"),
        Column("customer", "Customer"),
        Column("made", "Made", "date", wide_only=True),
        Column("by", "By", "date"),
        Column("holds_until", "Holds until", "date", wide_only=True),
        Column("amount", "Amount", "money"),
        Column("paid", "Paid", "money"),
        Column("status", "Status"),
        Column("decided", "Decided", "date"),
        Column("kept_pct", "Kept %", "percent"),
        Column("via", "Via", wide_only=True),
        Column("items", "Items", wide_only=True),
    )
    notes = ["Kept %: kept / (kept + partly kept + broken) of the customer's promises as of the date."]
    return Report("promises", f"Promises to pay as of {as_of}", columns, rows, totals=total_rows, as_of=as_of,
                  notes=notes if total_rows else [])  # fmt: skip
