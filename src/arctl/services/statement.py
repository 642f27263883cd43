"""`arctl statement`: a customer's statement of account for a period, exact for any past date."""

from __future__ import annotations

from datetime import date, timedelta

from arctl.db import activity, repo
from arctl.db.engine import Database
from arctl.domain.errors import InvalidInput
from arctl.reports.statement import LABELS, Statement, build_statement
from arctl.services._lookup import resolve_customer


def statement(db: Database, customer: str, *, as_of: date, start: date | None = None,
              language: str | None = None) -> Statement:  # fmt: skip
    """Activity from `start` (default: the first day of the as-of month) to `as_of`, in the customer's
    language unless `language` says otherwise."""
    start = start or as_of.replace(day=1)
    if start > as_of:
        raise InvalidInput(f"{start} is after the statement date {as_of}", field="--from")
    if language is not None and language not in LABELS:
        raise InvalidInput(f"{language!r} is not one of: {', '.join(LABELS)}", field="--language")
    with db.read() as session:
        cust = resolve_customer(session, customer)
        items = repo.open_items(session, as_of, customer_id=cust.id)
        credit = {cur: left for (_, cur), left in repo.unapplied(session, as_of, customer_id=cust.id).items()}
        return build_statement(
            code=cust.code, name=cust.name, address=cust.address, language=language or cust.language,
            start=start, as_of=as_of,
            opening=activity.net_balance(session, cust.id, start - timedelta(days=1)),
            closing=activity.net_balance(session, cust.id, as_of),
            lines=activity.activity(session, cust.id, start, as_of), items=items, unapplied=credit,
        )  # fmt: skip
