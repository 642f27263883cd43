"""Period queries for the roll-forward and the KPIs: set-based sums per currency, never ORM objects.

A period is half-open, `(start, end]`: what took effect after the end of `start` and by the end of
`end`, so consecutive periods neither overlap nor leave a gap, and a period added to the AR at the end
of `start` gives the AR at the end of `end`.

The movement terms, and why they tie (AR at the end of D = the open amounts of `repo.open_items(D)`):

    AR(D) = Σ installments of invoices issued on/before D and not voided on/before D
          − Σ allocations in force at D (applied on/before D, not reversed on/before D)

An allocation applied on `a` and reversed on `r` (r ≥ a, or never) is in force on D when a ≤ D < r,
so the change of its contribution between D1 and D2 is [D1 < a ≤ D2] − [D1 < r ≤ D2]: "applied in the
period" minus "reversed in the period". Invoices likewise enter on their issue date and leave on their
void date (a void is refused while anything is applied to the invoice on or after its date, so a voided
invoice leaves with its whole amount). Hence, per currency and exactly:

    AR(D2) = AR(D1) + invoiced − voided − collected − credited − written off − discounted

Every sum uses the *invoice's* amount and currency, while AR reads installments: the tie also checks
that installments add up to their invoice, that `settled_on` agrees with the allocations, and that
nothing is over-allocated (an installment cannot owe less than nothing).

Unapplied cash and credits are not AR (they are what customers paid or were credited that has not
been applied yet). They roll forward on their own, with the same construction:

    U(D2) = U(D1) + cash received − payments reversed + credits issued − credits reversed − applied

where `applied` is the sum of the four allocation terms above.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from arctl.db import repo
from arctl.db.models import Allocation, Credit, Installment, Invoice, Payment

ALLOCATION_TERMS = {None: "collected", "credit_note": "credited", "write_off": "written_off",
                    "discount": "discounted"}  # fmt: skip
"""Credit kind of an allocation's source (None: a payment) → its roll-forward term."""

Balance = tuple[int, str, date | None, int]
"""(installment id, currency, due date as known at the day or None while pending, open minor units)."""


def _within(column, start: date, end: date):  # type: ignore[no-untyped-def]
    return and_(column > start, column <= end)


def _net(added, removed, amount):  # type: ignore[no-untyped-def]
    """SUM(amount where added) − SUM(amount where removed): one pass over the rows."""
    return func.coalesce(func.sum(case((added, amount), else_=0)), 0) - func.coalesce(
        func.sum(case((removed, amount), else_=0)), 0
    )


def movements(session: Session, start: date, end: date) -> dict[str, dict[str, int]]:
    """Per currency, the roll-forward terms over `(start, end]`, in minor units.

    Keys (each present, zero when nothing happened):
    - invoiced: invoice amounts issued in the period (voided or not: a void is its own term);
    - voided: amounts of invoices voided in the period;
    - collected: payment allocations applied in the period minus those reversed in the period
      (unapply, payment reversal), i.e. cash *applied to invoices*, not cash received;
    - credited, written_off, discounted: the same for credit-note, write-off and discount allocations;
    - received: payments received in the period minus payments reversed in the period (cash);
    - credits_issued: credit notes, write-offs and discounts issued minus reversed in the period.
    """
    out: dict[str, dict[str, int]] = {}

    def add(currency: str, key: str, minor: object) -> None:
        terms = out.setdefault(currency, dict.fromkeys(_KEYS, 0))
        terms[key] += int(minor)  # type: ignore[call-overload]  # PostgreSQL sums come back as Decimal

    issued = _within(Invoice.issue_date, start, end)
    voided = _within(Invoice.voided_on, start, end)
    for currency, inv, void in session.execute(
        select(Invoice.currency,
               func.coalesce(func.sum(case((issued, Invoice.amount_minor), else_=0)), 0),
               func.coalesce(func.sum(case((voided, Invoice.amount_minor), else_=0)), 0))
        .where(or_(issued, voided))
        .group_by(Invoice.currency)
    ):  # fmt: skip
        add(currency, "invoiced", inv)
        add(currency, "voided", void)

    applied = _within(Allocation.applied_on, start, end)
    reversed_ = _within(Allocation.reversed_on, start, end)
    for currency, kind, net in session.execute(
        select(Invoice.currency, Credit.kind, _net(applied, reversed_, Allocation.amount_minor))
        .select_from(Allocation)
        .join(Installment, Installment.id == Allocation.installment_id)
        .join(Invoice, Invoice.id == Installment.invoice_id)
        .outerjoin(Credit, Credit.id == Allocation.credit_id)
        .where(or_(applied, reversed_))
        .group_by(Invoice.currency, Credit.kind)
    ):
        add(currency, ALLOCATION_TERMS[kind], net)

    for source, dated, key in (
        (Payment, Payment.received_on, "received"),
        (Credit, Credit.issued_on, "credits_issued"),
    ):
        came, went = _within(dated, start, end), _within(source.reversed_on, start, end)
        for currency, net in session.execute(
            select(source.currency, _net(came, went, source.amount_minor))
            .where(or_(came, went))
            .group_by(source.currency)
        ):
            add(currency, key, net)
    return out


_KEYS = ("invoiced", "voided", "collected", "credited", "written_off", "discounted", "received", "credits_issued")


def sales(session: Session, start: date, end: date, *, not_voided_by: date) -> dict[str, int]:
    """Credit sales per currency: invoices issued in `(start, end]` and not voided on/before `not_voided_by`."""
    rows = session.execute(
        select(Invoice.currency, func.sum(Invoice.amount_minor))
        .where(
            _within(Invoice.issue_date, start, end),
            or_(Invoice.voided_on.is_(None), Invoice.voided_on > not_voided_by),
        )
        .group_by(Invoice.currency)
    )
    return {currency: int(total) for currency, total in rows if total}


def first_issue_date(session: Session) -> date | None:
    """The oldest invoice date in the ledger (where a countback walk must stop)."""
    return session.execute(select(func.min(Invoice.issue_date))).scalar_one()


def open_balances(session: Session, as_of: date, *, currency: str | None = None) -> Iterator[Balance]:
    """What each installment owes at the end of `as_of`, lean: the same rules as `repo.open_items`
    (issued by then, not voided by then, allocations in force then, milestone dates known by then)
    without customer names or due-rule texts. Reads only installments not settled by `as_of`."""
    paid = (
        select(func.coalesce(func.sum(Allocation.amount_minor), 0))
        .where(Allocation.installment_id == Installment.id, repo.active_at(as_of))
        .scalar_subquery()
    )
    query = (
        select(Installment.id, Invoice.currency, Installment.due_kind, Installment.due_days, Installment.due_date,
               (Installment.amount_minor - paid).label("open_minor"))
        .join(Invoice, Invoice.id == Installment.invoice_id)
        .where(
            Invoice.issue_date <= as_of,
            or_(Invoice.voided_on.is_(None), Invoice.voided_on > as_of),
            or_(Installment.settled_on.is_(None), Installment.settled_on > as_of),
        )
    )  # fmt: skip
    if currency is not None:
        query = query.where(Invoice.currency == currency)
    for ins_id, cur, due_kind, due_days, due_date, open_minor in session.execute(
        query.execution_options(yield_per=10_000)
    ):
        if open_minor > 0:
            yield ins_id, cur, repo.due_as_of(due_kind, due_days, due_date, as_of), int(open_minor)


def voided_installments(session: Session, start: date, end: date) -> set[int]:
    """Ids of the installments whose invoice was voided in `(start, end]` (voids are rare: a small set)."""
    return set(
        session.execute(
            select(Installment.id)
            .join(Invoice, Invoice.id == Installment.invoice_id)
            .where(_within(Invoice.voided_on, start, end))
        ).scalars()
    )


def unapplied_by_currency(session: Session, as_of: date) -> dict[str, int]:
    """Unapplied cash and credits per currency at the end of `as_of`: `repo.unapplied`'s rules (dated
    by then, not reversed by then, less the allocations in force then), summed per currency only, and
    reading only the sources not yet used up by then (`settled_on`), not every payment ever received."""
    out: dict[str, int] = {}
    for source, fk, dated in (
        (Payment, Allocation.payment_id, Payment.received_on),
        (Credit, Allocation.credit_id, Credit.issued_on),
    ):
        used = (
            select(func.coalesce(func.sum(Allocation.amount_minor), 0))
            .where(fk == source.id, repo.active_at(as_of))
            .scalar_subquery()
        )
        rows = session.execute(
            select(source.currency, func.sum(source.amount_minor - used))
            .where(
                or_(source.settled_on.is_(None), source.settled_on > as_of),
                dated <= as_of,
                or_(source.reversed_on.is_(None), source.reversed_on > as_of),
            )
            .group_by(source.currency)
        )
        for currency, left in rows:
            if left:
                out[currency] = out.get(currency, 0) + int(left)
    return out


def open_by_currency(session: Session, as_of: date) -> dict[str, int]:
    """AR per currency at the end of `as_of`, read the way aging reads it (`repo.open_items`)."""
    out: dict[str, int] = {}
    for item in repo.open_items(session, as_of):
        out[item.open.currency] = out.get(item.open.currency, 0) + item.open.minor
    return out
