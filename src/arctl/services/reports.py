"""Report use cases: balance of one customer, aging summary of the ledger."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from arctl.db import repo
from arctl.db.engine import Database
from arctl.db.models import Customer, CustomerTag
from arctl.domain.errors import InvalidInput
from arctl.domain.money import normalize_currency, parse_amount
from arctl.domain.report import Report
from arctl.reports.aging import (
    AgingOptions,
    aging_detail,
    aging_summary,
    balance_report,
    buckets,
    summary_from_sums,
)
from arctl.services._lookup import resolve_customer

if TYPE_CHECKING:
    from arctl.domain.ledger import OpenItem


def balance(db: Database, customer: str, as_of: date) -> Report:
    """Open items and total of one customer as of a date (exact for any past date)."""
    with db.read() as session:
        cust = resolve_customer(session, customer)
        items = repo.open_items(session, as_of, customer_id=cust.id)
        credit = {cur: left for (_, cur), left in repo.unapplied(session, as_of, customer_id=cust.id).items()}
        return balance_report(cust.code, cust.name, items, credit, as_of)


def aging(
    db: Database,
    as_of: date,
    *,
    options: AgingOptions | None = None,
    customer: str | None = None,
    tag: str | None = None,
    currency: str | None = None,
    over: str | None = None,
    detail: bool = False,
) -> Report:
    """The aging summary (or `detail`) as of a date. The detail's rows stream from the database: render
    the report while `db` is open."""
    options = options or AgingOptions()
    tag = tag.strip().lower() if tag else None
    if currency is not None:
        currency = normalize_currency(currency, field="--currency")
    if over is not None:
        if currency is None:
            raise InvalidInput("--over needs --currency (amounts in different currencies do not compare)",
                               field="--over")  # fmt: skip
        options = replace(options, over=parse_amount(over, currency, field="--over"))
    filters: dict[str, object] = {"currency": currency, "tag": tag}
    summed: list[tuple[str, str, str, int, int]] | None = None
    with db.read() as session:  # one snapshot: the unapplied cash and the sums agree
        cust = resolve_customer(session, customer) if customer else None
        if tag and not session.execute(select(CustomerTag.tag).where(CustomerTag.tag == tag).limit(1)).first():
            raise InvalidInput(f"no customer has the tag {tag!r}", field="--tag")
        filters["customer_id"] = cust.id if cust else None
        credit = repo.unapplied(session, as_of, customer_id=cust.id if cust else None)
        wanted = _customer_filter(session, cust, tag)
        labels = repo.customer_labels(session) if credit else {}
        if not detail and options.by == "due" and options.min_days is None:
            summed = repo.aging_sums(session, as_of, options.bounds, **filters)  # type: ignore[arg-type]
        disputed = _dispute_note(session, as_of, wanted)
    unapplied = [
        (*labels[cid], cur, left)
        for (cid, cur), left in sorted(credit.items())
        if left and (wanted is None or cid in wanted) and (currency is None or cur == currency)
    ]
    if summed is not None:  # one row per customer, currency and bucket, added up by the database
        keys = ["current", *(b.key for b in buckets(options.bounds))]
        sums = ((code, name, cur, "pending" if bucket < 0 else keys[bucket], total)
                for code, name, cur, bucket, total in summed)  # fmt: skip
        report = summary_from_sums(sums, unapplied, as_of, options=options)
    elif detail:
        report = aging_detail(_stream(db, as_of, filters), unapplied, as_of, options=options)
    else:
        report = aging_summary(_stream(db, as_of, filters), unapplied, as_of, options=options)
    if disputed:
        report.notes.append(disputed)
    return report


def _dispute_note(session: Session, as_of: date, wanted: set[int] | None) -> str | None:
    """Disputed items stay in the aging (they are owed) but are flagged: how many, for whom."""
    from arctl.db.collection_models import Dispute, DisputeItem

    rows = session.execute(
        select(Dispute.customer_id, DisputeItem.installment_id)
        .join(DisputeItem, DisputeItem.dispute_id == Dispute.id)
        .where(Dispute.opened_on <= as_of, or_(Dispute.resolved_on.is_(None), Dispute.resolved_on > as_of))
    ).all()
    rows = [r for r in rows if wanted is None or r[0] in wanted]
    if not rows:
        return None
    customers = len({r[0] for r in rows})
    return (f"{len(rows)} installment(s) of {customers} customer(s) under open dispute, aged as owed: "
            "see `arctl dispute list`")  # fmt: skip


def _stream(db: Database, as_of: date, filters: dict[str, object]) -> Iterator[OpenItem]:
    """Open items read lazily in their own read transaction (one consistent snapshot in WAL mode)."""
    with db.read() as session:
        yield from repo.iter_open_items(session, as_of, **filters)  # type: ignore[arg-type]


def _customer_filter(session: Session, cust: Customer | None, tag: str | None) -> set[int] | None:
    if cust is not None:
        return {cust.id}
    if tag:
        return set(session.execute(select(CustomerTag.customer_id).where(CustomerTag.tag == tag)).scalars())
    return None
