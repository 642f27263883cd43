"""Set-based reads shared by reminders, interest charging and the worklist: what is held, and why.

Everything is "as of" a date, from dated facts: a dispute holds from its opening day until the day it is
resolved (exclusive); a legal hold (`customer_hold`) from its `since` until its `released_on` (exclusive, so
the release day is not held); a promise's state comes from receipts shared out among the customer's
promises (`domain.promises.promise_states`). Plain values out, never ORM objects.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session

from arctl.db.bulk import chunked
from arctl.db.collection_models import CustomerHold, Dispute, DisputeItem, Promise, PromiseItem
from arctl.db.models import Payment
from arctl.domain.promises import PromiseState, PromiseTerms, promise_states


@dataclass(frozen=True, slots=True)
class PromiseView:
    """A promise with its items and its state as of the date asked."""

    id: int
    customer_id: int
    currency: str
    amount_minor: int
    made_on: date
    due_on: date
    grace_days: int
    via: str | None
    note: str | None
    items: tuple[int, ...]
    """Installment ids it covers."""
    state: PromiseState


def disputed_installments(session: Session, as_of: date, installment_ids: Iterable[int] | None = None) -> set[int]:
    """Installments under a dispute open at the end of `as_of` (opened on or before, not resolved by then)."""
    query = (
        select(DisputeItem.installment_id)
        .join(Dispute, Dispute.id == DisputeItem.dispute_id)
        .where(Dispute.opened_on <= as_of, or_(Dispute.resolved_on.is_(None), Dispute.resolved_on > as_of))
    )
    if installment_ids is None:
        return set(session.execute(query).scalars())
    ids = list(installment_ids)
    found: set[int] = set()
    for chunk in chunked(ids):
        found.update(session.execute(query.where(DisputeItem.installment_id.in_(chunk))).scalars())
    return found


def hold_in_force(as_of: date) -> ColumnElement[bool]:
    """The condition on `customer_hold` rows for a hold in force on `as_of`: begun on or before it and not
    released by then (the release day is not held)."""
    return and_(
        CustomerHold.since <= as_of, or_(CustomerHold.released_on.is_(None), CustomerHold.released_on > as_of)
    )


def held_customers(session: Session, as_of: date) -> dict[int, str]:
    """Customers on legal hold at `as_of` → the reason given (from the dated hold history, so a hold
    released since still shows for a day it was in force)."""
    rows = session.execute(
        select(CustomerHold.customer_id, CustomerHold.reason)
        .where(hold_in_force(as_of))
        .order_by(CustomerHold.since, CustomerHold.id)
    )
    return {customer_id: reason or "legal hold" for customer_id, reason in rows}


def promises(
    session: Session, as_of: date, customer_ids: Iterable[int] | None = None, *, since: date | None = None
) -> list[PromiseView]:
    """Promises made on or before `as_of` (those whose hold ended before `since` are left out, when given),
    with their items and their state as of `as_of`; by customer, then promised date.

    A customer's receipts are shared out among all its promises made by `as_of` (`promise_states`), so the
    states are computed over every promise of each customer concerned before `since` filters the output:
    a filter never changes the answer."""
    query = (
        select(Promise).where(Promise.made_on <= as_of).order_by(Promise.customer_id, Promise.due_on, Promise.id)
    )
    if customer_ids is not None:
        query = query.where(Promise.customer_id.in_(list(customer_ids)))
    every = list(session.execute(query).scalars())

    def wanted(p: Promise) -> bool:
        return since is None or p.due_on + timedelta(days=p.grace_days) >= since

    concerned = {p.customer_id for p in every if wanted(p)}
    every = [p for p in every if p.customer_id in concerned]
    if not every:
        return []
    receipts = _receipts(session, every, as_of)
    groups: dict[tuple[int, str], list[Promise]] = defaultdict(list)
    for p in every:
        groups[p.customer_id, p.currency].append(p)
    states: dict[int, PromiseState] = {}
    for key, group in groups.items():
        terms = [PromiseTerms(p.amount_minor, p.made_on, p.due_on, p.grace_days, p.cancelled_on) for p in group]
        for p, state in zip(group, promise_states(terms, receipts.get(key, ()), as_of), strict=True):
            states[p.id] = state
    rows = [p for p in every if wanted(p)]
    items: dict[int, list[int]] = defaultdict(list)
    for chunk in chunked([p.id for p in rows]):
        for promise_id, installment_id in session.execute(
            select(PromiseItem.promise_id, PromiseItem.installment_id).where(PromiseItem.promise_id.in_(chunk))
        ):
            items[promise_id].append(installment_id)
    return [
        PromiseView(p.id, p.customer_id, p.currency, p.amount_minor, p.made_on, p.due_on, p.grace_days, p.via,
                    p.note, tuple(sorted(items[p.id])), states[p.id])
        for p in rows
    ]  # fmt: skip


def _receipts(session: Session, rows: list[Promise], as_of: date) -> dict[tuple[int, str], list[tuple[date, int]]]:
    """Payments of the promising customers received from the earliest promise on, not reversed by `as_of`."""
    first = min(p.made_on for p in rows)
    customers = sorted({p.customer_id for p in rows})
    out: dict[tuple[int, str], list[tuple[date, int]]] = defaultdict(list)
    for chunk in chunked(customers):
        query = select(Payment.customer_id, Payment.currency, Payment.received_on, Payment.amount_minor).where(
            Payment.customer_id.in_(chunk),
            Payment.received_on >= first,
            Payment.received_on <= as_of,
            or_(Payment.reversed_on.is_(None), Payment.reversed_on > as_of),
        )
        for customer_id, currency, received_on, minor in session.execute(query):
            out[customer_id, currency].append((received_on, minor))
    return out
