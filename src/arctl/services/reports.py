"""Report use cases: balance of one customer, aging summary of the ledger."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select

from arctl.db import repo
from arctl.db.engine import Database
from arctl.db.models import Customer
from arctl.domain.report import Report
from arctl.reports.aging import DEFAULT_BOUNDS, aging_summary, balance_report
from arctl.services._lookup import resolve_customer


def balance(db: Database, customer: str, as_of: date) -> Report:
    """Open items and total of one customer as of a date (exact for any past date)."""
    with db.read() as session:
        cust = resolve_customer(session, customer)
        items = repo.open_items(session, as_of, customer_id=cust.id)
        credit = {cur: left for (_, cur), left in repo.unapplied(session, as_of, customer_id=cust.id).items()}
        return balance_report(cust.code, cust.name, items, credit, as_of)


def aging(db: Database, as_of: date, *, bounds: Sequence[int] = DEFAULT_BOUNDS) -> Report:
    with db.read() as session:
        items = repo.open_items(session, as_of)
        credit = repo.unapplied(session, as_of)
        customers = {c.id: (c.code, c.name) for c in session.execute(select(Customer)).scalars()}
        unapplied = [(*customers[cid], cur, left) for (cid, cur), left in credit.items() if left]
        return aging_summary(items, unapplied, as_of, bounds=bounds)
