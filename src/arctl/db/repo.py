"""Queries that return domain records. Reports are set-based: one SELECT, no ORM objects in bulk."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from arctl.db.models import Allocation, Credit, Customer, CustomerTag, Installment, Invoice, Payment
from arctl.domain.money import Money

if TYPE_CHECKING:  # the aging summary (SQL sums) needs neither: imported where items are built
    from arctl.domain.ledger import OpenItem
    from arctl.domain.terms import DueRule

_EVENT = "event"
"""DueKind.EVENT (a StrEnum, equal to its value)."""


def active_at(as_of: date | None):  # type: ignore[no-untyped-def]
    """Allocations in force at the end of `as_of` (None: in force now, whatever their date)."""
    if as_of is None:
        return Allocation.reversed_on.is_(None)
    return and_(
        Allocation.applied_on <= as_of,
        or_(Allocation.reversed_on.is_(None), Allocation.reversed_on > as_of),
    )


def due_rule_of(ins: Installment | object) -> DueRule:
    from arctl.domain.terms import DueKind, DueRule

    return DueRule(
        DueKind(ins.due_kind),  # type: ignore[attr-defined]
        ins.due_days,  # type: ignore[attr-defined]
        ins.due_event,  # type: ignore[attr-defined]
        ins.due_fixed,  # type: ignore[attr-defined]
    )


def due_as_of(due_kind: str, due_days: int, due_date: date | None, as_of: date) -> date | None:
    """The due date as known at `as_of`: an event recorded as happening after `as_of` was still pending."""
    if due_date is None:
        return None
    if due_kind == _EVENT and due_date - timedelta(days=due_days) > as_of:
        return None
    return due_date


def iter_open_items(
    session: Session,
    as_of: date,
    *,
    customer_id: int | None = None,
    invoice_id: int | None = None,
    currency: str | None = None,
    tag: str | None = None,
) -> Iterator[OpenItem]:
    """Installments with something owed at the end of `as_of`, streamed oldest due first (pending last).

    Reads only installments not settled by `as_of` (installment.settled_on), and sums only their own
    allocations, so the cost follows the number of open items, not the length of history.
    """
    from arctl.domain.ledger import OpenItem
    from arctl.domain.terms import DueKind, DueRule

    paid = (
        select(func.coalesce(func.sum(Allocation.amount_minor), 0))
        .where(Allocation.installment_id == Installment.id, active_at(as_of))
        .scalar_subquery()
    )
    query = (
        select(
            Invoice.number, Installment.seq, Installment.kind, Invoice.issue_date, Installment.due_date,
            Installment.due_kind, Installment.due_days, Installment.due_event, Installment.due_fixed,
            Invoice.currency, Installment.amount_minor, (Installment.amount_minor - paid).label("open_minor"),
            Customer.code, Customer.name,
        )
        .join(Invoice, Invoice.id == Installment.invoice_id)
        .join(Customer, Customer.id == Invoice.customer_id)
        .where(
            Invoice.issue_date <= as_of,
            or_(Invoice.voided_on.is_(None), Invoice.voided_on > as_of),
            or_(Installment.settled_on.is_(None), Installment.settled_on > as_of),
        )
        .order_by(Installment.due_date.is_(None), Installment.due_date, Invoice.issue_date, Invoice.number,
                  Installment.seq)
    )  # fmt: skip
    if customer_id is not None:
        query = query.where(Invoice.customer_id == customer_id)
    if invoice_id is not None:
        query = query.where(Invoice.id == invoice_id)
    if currency is not None:
        query = query.where(Invoice.currency == currency)
    if tag is not None:
        tagged = select(CustomerTag.customer_id).where(CustomerTag.tag == tag)
        query = query.where(Invoice.customer_id.in_(tagged))
    # a Core result unpacked as tuples: no ORM loading, no Row attribute access (~1 µs each, 110k rows)
    for (number, seq, kind, issue_date, due_date, due_kind, due_days, due_event, due_fixed, currency, amount_minor,
         open_minor, code, name) in session.connection().execute(query).yield_per(5000):  # fmt: skip
        if open_minor <= 0:
            continue
        rule = DueRule(DueKind(due_kind), due_days, due_event, due_fixed)
        yield OpenItem(
            invoice=number, seq=seq, kind=kind, issue_date=issue_date,
            due_date=due_as_of(due_kind, due_days, due_date, as_of), due_rule=rule.describe(),
            amount=Money(amount_minor, currency), open=Money(open_minor, currency),
            customer_code=code, customer_name=name,
        )  # fmt: skip


def open_items(
    session: Session,
    as_of: date,
    *,
    customer_id: int | None = None,
    invoice_id: int | None = None,
) -> list[OpenItem]:
    """`iter_open_items` as a list, in due order (pending last)."""
    items = list(iter_open_items(session, as_of, customer_id=customer_id, invoice_id=invoice_id))
    items.sort(key=lambda i: (i.due_date is None, i.due_date or date.max, i.issue_date, i.invoice, i.seq))
    return items


def unapplied(
    session: Session, as_of: date | None, *, customer_id: int | None = None
) -> dict[tuple[int, str], int]:
    """Unapplied cash and credits per (customer id, currency) at the end of `as_of` (None: now).

    Reads only the payments and credits that still had something left at that date (settled_on), one
    row each, and adds them up here: a GROUP BY in SQL made SQLite walk every payment by customer.
    """
    out: dict[tuple[int, str], int] = {}
    a = Allocation.__table__.c  # Core columns: no ORM compile state, no mapper set-up on this path
    in_force = (
        a.reversed_on.is_(None)
        if as_of is None
        else and_(a.applied_on <= as_of, or_(a.reversed_on.is_(None), a.reversed_on > as_of))
    )
    connection = session.connection()
    for table, fk, dated in (
        (Payment.__table__, a.payment_id, "received_on"),
        (Credit.__table__, a.credit_id, "issued_on"),
    ):
        source = table.c
        used = (
            select(func.coalesce(func.sum(a.amount_minor), 0)).where(fk == source.id, in_force).scalar_subquery()
        )
        base = select(source.customer_id, source.currency, source.amount_minor - used)
        if customer_id is not None:
            base = base.where(source.customer_id == customer_id)
        if as_of is not None:
            # the two halves of `settled_on IS NULL OR settled_on > D` as two queries: with the
            # OR and `received_on <= D` beside it SQLite (no statistics) walks ix_payment_received_on,
            # i.e. every payment ever received
            when = and_(source[dated] <= as_of, or_(source.reversed_on.is_(None), source.reversed_on > as_of))
            queries = [base.where(source.settled_on.is_(None), when), base.where(source.settled_on > as_of, when)]
        else:
            queries = [base.where(source.settled_on.is_(None))]
        for query in queries:
            for cust, currency, left in connection.execute(query).all():  # all rows at once, no fetch per row
                if left:
                    out[(cust, currency)] = out.get((cust, currency), 0) + int(left)
    return {key: value for key, value in out.items() if value}


def customer_labels(session: Session) -> dict[int, tuple[str, str]]:
    """Every customer's (code, name) by id, in one Core query."""
    c = Customer.__table__.c
    return {
        cid: (code, name) for cid, code, name in session.connection().execute(select(c.id, c.code, c.name)).all()
    }


def remaining_on_installments(session: Session, installment_ids: Iterable[int]) -> dict[int, int]:
    """What is still owed on each installment now (all non-reversed allocations count)."""
    ids = list(installment_ids)
    if not ids:
        return {}
    paid = dict(
        session.execute(
            select(Allocation.installment_id, func.sum(Allocation.amount_minor))
            .where(Allocation.installment_id.in_(ids), Allocation.reversed_on.is_(None))
            .group_by(Allocation.installment_id)
        ).all()
    )
    amounts = dict(
        session.execute(select(Installment.id, Installment.amount_minor).where(Installment.id.in_(ids))).all()
    )
    return {i: amounts[i] - int(paid.get(i, 0)) for i in ids}


def remaining_on_source(session: Session, *, payment_id: int | None = None, credit_id: int | None = None) -> int:
    """What a payment or credit has left to apply now."""
    source: Payment | Credit = (
        session.get_one(Payment, payment_id) if payment_id is not None else session.get_one(Credit, credit_id)
    )
    if source.reversed_on is not None:
        return 0  # a reversed payment or credit has nothing to give
    total = source.amount_minor
    fk, key = (Allocation.payment_id, payment_id) if payment_id is not None else (Allocation.credit_id, credit_id)
    used = session.execute(
        select(func.coalesce(func.sum(Allocation.amount_minor), 0)).where(
            fk == key, Allocation.reversed_on.is_(None)
        )
    ).scalar_one()
    return total - int(used)


def expected_settled_on(session: Session, installment: Installment) -> date | None:
    """The date the installment became fully settled, from its allocations (voided: the void date)."""
    if installment.invoice.voided_on is not None:
        return installment.invoice.voided_on
    paid, last = session.execute(
        select(func.coalesce(func.sum(Allocation.amount_minor), 0), func.max(Allocation.applied_on)).where(
            Allocation.installment_id == installment.id, Allocation.reversed_on.is_(None)
        )
    ).one()
    if installment.amount_minor == 0:
        return installment.invoice.issue_date
    return last if int(paid) >= installment.amount_minor else None


def expected_source_settled_on(session: Session, source: Payment | Credit) -> date | None:
    """The date from which a payment or credit has nothing left to apply (its reversal date if reversed)."""
    if source.reversed_on is not None:
        return source.reversed_on
    fk = Allocation.payment_id if isinstance(source, Payment) else Allocation.credit_id
    used, last = session.execute(
        select(func.coalesce(func.sum(Allocation.amount_minor), 0), func.max(Allocation.applied_on)).where(
            fk == source.id, Allocation.reversed_on.is_(None)
        )
    ).one()
    return last if int(used) >= source.amount_minor else None


def refresh_sources_settled(session: Session, allocations: Iterable[Allocation]) -> None:
    """Keep payment/credit.settled_on true after their allocations changed; same transaction."""
    session.flush()
    payments = {a.payment_id for a in allocations if a.payment_id is not None}
    credits = {a.credit_id for a in allocations if a.credit_id is not None}
    for model, ids in ((Payment, payments), (Credit, credits)):
        for source_id in ids:
            source = session.get_one(model, source_id)
            source.settled_on = expected_source_settled_on(session, source)


def refresh_settled(session: Session, installment_ids: Iterable[int]) -> None:
    """Keep installment.settled_on true after allocations changed; same transaction as the change."""
    session.flush()
    for ins_id in set(installment_ids):
        installment = session.get_one(Installment, ins_id)
        installment.settled_on = expected_settled_on(session, installment)


def open_installments(
    session: Session,
    *,
    customer_id: int,
    currency: str,
    issued_by: date | None = None,
    invoice_id: int | None = None,
    include_pending: bool = False,
) -> list[tuple[Installment, int]]:
    """The customer's installments with something owed now, oldest due first, with what is left on each.

    Used to allocate: every non-reversed allocation counts, whatever its date.
    """
    query = (
        select(Installment)
        .join(Invoice, Invoice.id == Installment.invoice_id)
        .where(
            Invoice.customer_id == customer_id,
            Invoice.currency == currency,
            Invoice.voided_on.is_(None),
            Installment.settled_on.is_(None),
        )
    )
    if issued_by is not None:
        query = query.where(Invoice.issue_date <= issued_by)
    if invoice_id is not None:
        query = query.where(Invoice.id == invoice_id)
    if not include_pending:
        query = query.where(Installment.due_date.is_not(None))
    installments = list(session.execute(query).scalars())
    left = remaining_on_installments(session, [i.id for i in installments])
    pairs = [(i, left[i.id]) for i in installments if left[i.id] > 0]
    pairs.sort(key=lambda p: (p[0].due_date is None, p[0].due_date or date.max, p[0].invoice.issue_date,
                              p[0].invoice.number, p[0].seq))  # fmt: skip
    return pairs


def _peak_active(rows: Sequence[tuple[int, date, date | None]], start: date) -> int:
    """The highest total of allocations in force on any day from `start` on.

    Totals only rise on an allocation's applied date, so checking `start` and every later applied date
    covers every day.
    """
    checkpoints = {start} | {applied for _, applied, _ in rows if applied > start}
    return max(
        sum(amount for amount, applied, reversed_on in rows
            if applied <= day and (reversed_on is None or reversed_on > day))
        for day in checkpoints
    )  # fmt: skip


def installment_room(session: Session, installment_id: int, start: date) -> int:
    """What an installment can still take by an allocation dated `start`, so that it is never
    over-allocated on any day (a reversal dated later than `start` does not free room before it)."""
    amount = session.get_one(Installment, installment_id).amount_minor
    rows = session.execute(
        select(Allocation.amount_minor, Allocation.applied_on, Allocation.reversed_on).where(
            Allocation.installment_id == installment_id
        )
    ).all()
    return amount - _peak_active([tuple(r) for r in rows], start)


def source_room(
    session: Session, start: date, *, payment_id: int | None = None, credit_id: int | None = None
) -> int:
    """What a payment or credit can still give by an allocation dated `start` (same rule as above)."""
    source: Payment | Credit = (
        session.get_one(Payment, payment_id) if payment_id is not None else session.get_one(Credit, credit_id)
    )
    if source.reversed_on is not None:
        return 0
    fk, key = (Allocation.payment_id, payment_id) if payment_id is not None else (Allocation.credit_id, credit_id)
    rows = session.execute(
        select(Allocation.amount_minor, Allocation.applied_on, Allocation.reversed_on).where(fk == key)
    ).all()
    return source.amount_minor - _peak_active([tuple(r) for r in rows], start)


def over_allocated_days(amount: int, rows: Sequence[tuple[int, date, date | None]]) -> tuple[date, int] | None:
    """The first day on which allocations in force exceed `amount`, with their total (None if never)."""
    for day in sorted({applied for _, applied, _ in rows}):
        total = sum(a for a, applied, rev in rows if applied <= day and (rev is None or rev > day))
        if total > amount:
            return day, total
    return None


# ---- the aging summary summed in SQL (SQLite) -------------------------------------------------------

_OPEN_BRANCH = """
SELECT inv.customer_id AS customer_id, inv.currency AS currency, ins.due_date AS due_date,
       ins.due_kind AS due_kind, ins.due_days AS due_days,
       ins.amount_minor - coalesce((SELECT sum(a.amount_minor) FROM allocation a
            WHERE a.installment_id = ins.id AND a.applied_on <= :d
              AND (a.reversed_on IS NULL OR a.reversed_on > :d)), 0) AS open_minor
FROM installment ins JOIN invoice inv ON inv.id = ins.invoice_id
WHERE {settled} AND inv.issue_date <= :d AND (inv.voided_on IS NULL OR inv.voided_on > :d) {extra}
"""


def aging_sums(
    session: Session,
    as_of: date,
    bounds: Sequence[int],
    *,
    customer_id: int | None = None,
    currency: str | None = None,
    tag: str | None = None,
) -> list[tuple[str, str, str, int, int]] | None:
    """(customer code, customer name, currency, bucket, open minor) by due date: bucket -1 pending, 0 current,
    k the k-th overdue bucket (1-based). None where this database has no such query (the caller streams items).

    Same rules as `iter_open_items` (a milestone recorded as happening after D is still pending), but only
    one row per customer, currency and bucket comes back. The open amount of each installment is
    computed once (MATERIALIZED: otherwise SQLite copies the correlated subquery into every CASE), and
    the two halves of `settled_on IS NULL OR settled_on > :d` are two index range scans glued with UNION
    ALL; the customer's code and name are joined to the sums. The event-date test uses SQLite's date();
    other databases take the streaming path. Rows come back as plain tuples (no Row objects).
    """
    if session.get_bind().dialect.name != "sqlite":
        return None
    params: dict[str, object] = {"d": as_of.isoformat()}
    extra = ""
    if customer_id is not None:
        extra += " AND inv.customer_id = :cust"
        params["cust"] = customer_id
    if currency is not None:
        extra += " AND inv.currency = :cur"
        params["cur"] = currency
    if tag is not None:
        extra += " AND inv.customer_id IN (SELECT customer_id FROM customer_tag WHERE tag = :tag)"
        params["tag"] = tag
    cases = [
        "WHEN o.due_date IS NULL OR (o.due_kind = 'event' AND date(o.due_date, '-' || o.due_days || ' days') > :d) "
        "THEN -1",
        "WHEN o.due_date >= :d THEN 0",
    ]
    for k, high in enumerate(bounds, start=1):
        params[f"t{k}"] = (as_of - timedelta(days=high)).isoformat()
        cases.append(f"WHEN o.due_date >= :t{k} THEN {k}")
    sql = (
        "WITH o AS MATERIALIZED ("
        + _OPEN_BRANCH.format(settled="ins.settled_on IS NULL", extra=extra)
        + " UNION ALL "
        + _OPEN_BRANCH.format(settled="ins.settled_on > :d", extra=extra)
        + f"), s AS (SELECT o.customer_id, o.currency, CASE {' '.join(cases)} ELSE {len(bounds) + 1} END AS bucket,"
        " sum(o.open_minor) AS open_minor FROM o WHERE o.open_minor > 0 GROUP BY 1, 2, 3)"
        " SELECT c.code, c.name, s.currency, s.bucket, s.open_minor FROM s JOIN customer c ON c.id = s.customer_id"
    )
    cursor = session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        return cursor.execute(sql, params).fetchall()
    finally:
        cursor.close()
