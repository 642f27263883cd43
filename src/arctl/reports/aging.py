"""Aging: bucket open items by days past due as of a date. Pure: records in, Report out."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import pairwise
from typing import TYPE_CHECKING

from arctl.domain.errors import InvalidInput
from arctl.domain.money import Money
from arctl.domain.report import Column, Report, Row

if TYPE_CHECKING:
    from arctl.domain.ledger import OpenItem

DEFAULT_BOUNDS = (30, 60, 90, 180, 365)


@dataclass(frozen=True, slots=True)
class Bucket:
    key: str
    title: str
    low: int
    """Inclusive lower bound in days past due."""
    high: int | None
    """Inclusive upper bound; None for the last, open-ended bucket."""


def parse_bounds(text: str | None) -> tuple[int, ...]:
    """`30,60,90,120` → (30, 60, 90, 120); strictly increasing positive integers."""
    if not text:
        return DEFAULT_BOUNDS
    try:
        bounds = tuple(int(p) for p in text.split(","))
    except ValueError:
        raise InvalidInput(f"{text!r}: expected increasing day counts like 30,60,90", field="--buckets") from None
    if not bounds or bounds[0] <= 0 or any(b <= a for a, b in pairwise(bounds)):
        raise InvalidInput(f"{text!r}: expected increasing day counts like 30,60,90", field="--buckets")
    return bounds


def buckets(bounds: Sequence[int]) -> list[Bucket]:
    out, low = [], 1
    for high in bounds:
        out.append(Bucket(f"d{low}_{high}", f"{low}-{high}", low, high))
        low = high + 1
    out.append(Bucket(f"d{low}_plus", f">{low - 1}", low, None))
    return out


def bucket_of(days_late: int, all_buckets: Sequence[Bucket]) -> str:
    """ "current" when not yet due (days ≤ 0), else the overdue bucket holding `days_late`."""
    if days_late <= 0:
        return "current"
    for bucket in all_buckets:
        if bucket.high is None or days_late <= bucket.high:
            return bucket.key
    raise AssertionError(days_late)  # pragma: no cover


@dataclass(frozen=True, slots=True)
class AgingOptions:
    """How to age and what to keep. Filters that need the ledger (customer, tag, currency) are applied
    in the query; these are applied to the records."""

    bounds: Sequence[int] = DEFAULT_BOUNDS
    by: str = "due"
    """"due": days past the due date (default); "invoice": days since the invoice date."""
    min_days: int | None = None
    """Keep only items at least this many days late (Current and Pending drop out)."""
    over: int | None = None
    """Summary: keep customers whose total (per currency) is over this many minor units; detail: items."""

    def days(self, item: OpenItem, as_of: date) -> int | None:
        """Days late by the chosen basis; None while pending (a milestone not reached is never aged)."""
        if item.due_date is None:
            return None
        return (as_of - (item.issue_date if self.by == "invoice" else item.due_date)).days

    def keeps(self, days: int | None) -> bool:
        return self.min_days is None or (days is not None and days >= self.min_days)


BASES = ("due", "invoice")


def check_basis(by: str) -> str:
    if by not in BASES:
        raise InvalidInput(f"{by!r} is not one of: {', '.join(BASES)}", field="--by")
    return by


def _bucket_columns(all_buckets: Sequence[Bucket]) -> tuple[Column, ...]:
    return (
        Column("current", "Current", "money"),
        *(Column(b.key, b.title, "money") for b in all_buckets),
        Column("pending", "Pending", "money"),
    )


BucketSum = tuple[str, str, str, str, int]
"""(customer code, customer name, currency, bucket key, open minor units): what a summary adds up."""


def bucket_sums(items: Iterable[OpenItem], as_of: date, options: AgingOptions) -> Iterator[BucketSum]:
    """File each open item under its bucket ("current", an overdue bucket key, or "pending")."""
    all_buckets = buckets(options.bounds)
    for item in items:
        days = options.days(item, as_of)
        if not options.keeps(days):
            continue
        key = "pending" if days is None else bucket_of(days, all_buckets)
        yield item.customer_code, item.customer_name, item.open.currency, key, item.open.minor


def aging_summary(
    items: Iterable[OpenItem],
    unapplied: Iterable[tuple[str, str, str, int]],
    as_of: date,
    *,
    bounds: Sequence[int] = DEFAULT_BOUNDS,
    options: AgingOptions | None = None,
) -> Report:
    """One row per (customer, currency): Current | overdue buckets | Pending | Unapplied (negative) | Total.

    `unapplied` yields (customer code, customer name, currency, minor) of cash and credits not yet applied.
    Memory grows with the number of customers, not of items (items are consumed as a stream).
    """
    options = options or AgingOptions(bounds=bounds)
    return summary_from_sums(bucket_sums(items, as_of, options), unapplied, as_of, options=options)


def summary_from_sums(
    sums: Iterable[BucketSum],
    unapplied: Iterable[tuple[str, str, str, int]],
    as_of: date,
    *,
    options: AgingOptions,
) -> Report:
    """The summary from amounts already filed by bucket (by `bucket_sums`, or summed in SQL).

    One pass over the sums into a list of integers per (customer, currency), then one row each; the
    zero amounts of a currency share one `Money`."""
    all_buckets = buckets(options.bounds)
    keys = ["current", *(b.key for b in all_buckets), "pending", "unapplied"]
    slot = {key: i for i, key in enumerate(keys)}
    table: dict[tuple[str, str], list[int]] = {}
    names: dict[str, str] = {}
    for code, name, currency, key, minor in sums:
        acc = table.get((code, currency))
        if acc is None:
            acc = table[code, currency] = [0] * len(keys)
            names[code] = name
        acc[slot[key]] += minor
    if options.min_days is None:  # unapplied cash is not "late": it leaves a filtered view
        for code, name, currency, minor in unapplied:
            names[code] = name
            acc = table.get((code, currency))
            if acc is None:
                acc = table[code, currency] = [0] * len(keys)
            acc[-1] -= minor
    cells = [*keys, "total"]
    rows: list[Row] = []
    by_currency: dict[str, list[list[int]]] = {}
    zeros: dict[str, Money] = {}
    for (code, currency), amounts in sorted(table.items()):
        total = sum(amounts)
        if options.over is not None and total <= options.over:
            continue
        amounts.append(total)
        zero = zeros.get(currency)
        if zero is None:
            zero = zeros[currency] = Money(0, currency)
        row: Row = {"customer": code, "name": names[code], "currency": currency}
        row.update(zip(cells, [Money(minor, currency) if minor else zero for minor in amounts], strict=True))
        rows.append(row)
        by_currency.setdefault(currency, []).append(amounts)
    columns = (
        Column("customer", "Customer"), Column("name", "Name", wide_only=True), Column("currency", "Cur"),
        *_bucket_columns(all_buckets), Column("unapplied", "Unapplied", "money"), Column("total", "Total", "money"),
    )  # fmt: skip
    total_rows: list[Row] = []
    for cur, lists in sorted(by_currency.items()):
        column_sums = [sum(column) for column in zip(*lists, strict=True)]
        total_rows.append({"customer": "Total", "currency": cur,
                           **{k: Money(v, cur) for k, v in zip(cells, column_sums, strict=True)}})  # fmt: skip
    return Report("aging", _title("Aging", as_of, options), columns, rows, totals=total_rows, as_of=as_of)


def _title(name: str, as_of: date, options: AgingOptions) -> str:
    basis = " by invoice date" if options.by == "invoice" else ""
    return f"{name} as of {as_of}{basis}"


def aging_detail(
    items: Iterable[OpenItem],
    unapplied: Iterable[tuple[str, str, str, int]],
    as_of: date,
    *,
    options: AgingOptions,
) -> Report:
    """One row per open installment, streamed in due order; unapplied cash per customer follows as
    negative rows so the detail adds up to the summary. Totals per currency come after the rows."""
    all_buckets = buckets(options.bounds)
    titles = {"current": "Current", "pending": "Pending", **{b.key: b.title for b in all_buckets}}
    totals: dict[str, int] = {}

    def rows() -> Iterator[Row]:
        for item in items:
            days = options.days(item, as_of)
            if not options.keeps(days) or (options.over is not None and item.open.minor <= options.over):
                continue
            bucket = "pending" if days is None else bucket_of(days, all_buckets)
            currency = item.open.currency
            totals[currency] = totals.get(currency, 0) + item.open.minor
            yield {
                "customer": item.customer_code, "name": item.customer_name, "invoice": item.invoice,
                "seq": item.seq, "kind": item.kind, "issued": item.issue_date, "due": item.due_date,
                "rule": item.due_rule, "days": days, "bucket": titles[bucket], "currency": currency,
                "amount": item.amount, "open": item.open,
            }  # fmt: skip
        if options.min_days is None and options.over is None:
            for code, name, currency, minor in unapplied:
                totals[currency] = totals.get(currency, 0) - minor
                yield {"customer": code, "name": name, "invoice": "(unapplied)", "bucket": "Unapplied",
                       "currency": currency, "open": Money(-minor, currency)}  # fmt: skip

    columns = (
        Column("customer", "Customer"), Column("name", "Name", wide_only=True), Column("invoice", "Invoice"),
        Column("seq", "#", "int"), Column("kind", "Kind", wide_only=True),
        Column("issued", "Issued", "date", wide_only=True), Column("due", "Due", "date"),
        Column("rule", "Rule", wide_only=True), Column("days", "Days", "int"), Column("bucket", "Bucket"),
        Column("currency", "Cur"), Column("amount", "Amount", "money", wide_only=True),
        Column("open", "Open", "money"),
    )  # fmt: skip

    def total_rows() -> list[Row]:
        return [{"customer": "Total", "currency": cur, "open": Money(v, cur)} for cur, v in sorted(totals.items())]

    return Report("aging-detail", _title("Aging detail", as_of, options), columns, rows(), totals=total_rows,
                  as_of=as_of)  # fmt: skip


def balance_report(
    code: str, name: str, items: Sequence[OpenItem], unapplied: dict[str, int], as_of: date
) -> Report:
    """A customer's open items as of a date, oldest due first, with unapplied credit and totals per currency."""
    rows = []
    for item in items:
        late = item.days_late(as_of)
        rows.append({
            "invoice": item.invoice, "seq": item.seq, "kind": item.kind, "issued": item.issue_date,
            "due": item.due_date, "rule": item.due_rule,
            "days_late": "" if late is None else late, "state": "pending" if late is None else
            ("overdue" if late > 0 else "current"),
            "amount": item.amount, "open": item.open,
        })  # fmt: skip
    totals: dict[str, int] = {}
    for item in items:
        totals[item.open.currency] = totals.get(item.open.currency, 0) + item.open.minor
    total_rows = []
    for currency in sorted(set(totals) | set(unapplied)):
        credit = unapplied.get(currency, 0)
        if credit:
            total_rows.append({"invoice": f"Unapplied {currency}", "open": Money(-credit, currency)})
        total_rows.append(
            {"invoice": f"Balance {currency}", "open": Money(totals.get(currency, 0) - credit, currency)}
        )
    columns = (
        Column("invoice", "Invoice"),
        Column("seq", "#", "int"),
        Column("kind", "Kind", wide_only=True),
        Column("issued", "Issued", "date", wide_only=True),
        Column("due", "Due", "date"),
        Column("rule", "Rule", wide_only=True),
        Column("days_late", "Late", "int"),
        Column("state", "State"),
        Column("amount", "Amount", "money", wide_only=True),
        Column("open", "Open", "money"),
    )
    return Report(
        "balance", f"{code} {name} — balance as of {as_of}", columns, rows, totals=total_rows, as_of=as_of
    )
