"""The management workbook: where the money is, how late, who is at risk, how collection goes."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from arctl.db import repo
from arctl.db.engine import Database
from arctl.domain.ledger import OpenItem
from arctl.domain.money import Money
from arctl.domain.report import Column, Report, Row
from arctl.reports.aging import AgingOptions, buckets
from arctl.services import analysis
from arctl.services.reports import aging

TOP = 20


@dataclass
class _Exposure:
    code: str
    name: str
    currency: str
    overdue: int = 0
    over_90: int = 0
    total: int = 0
    oldest: int = 0


def _watch(items: Iterator[OpenItem], as_of: date, seen: dict[tuple[str, str], _Exposure]) -> Iterator[OpenItem]:
    """Pass the open items through while noting each customer's overdue amount and oldest item."""
    for item in items:
        key = (item.customer_code, item.open.currency)
        exposure = seen.get(key) or seen.setdefault(key, _Exposure(item.customer_code, item.customer_name, key[1]))
        exposure.total += item.open.minor
        late = item.days_late(as_of)
        if late is not None and late > 0:
            exposure.overdue += item.open.minor
            exposure.oldest = max(exposure.oldest, late)
            if late > 90:
                exposure.over_90 += item.open.minor
        yield item


def top_overdue(seen: dict[tuple[str, str], _Exposure], as_of: date, count: int = TOP) -> Report:
    """The customers owing the most overdue money, per currency (amounts in two currencies never compare)."""
    rows: list[Row] = []
    for currency in sorted({c for _, c in seen}):
        ranked = sorted((e for e in seen.values() if e.currency == currency and e.overdue > 0),
                        key=lambda e: (-e.overdue, e.code))[:count]  # fmt: skip
        rows += [{"rank": n, "customer": e.code, "name": e.name, "currency": currency,
                  "overdue": Money(e.overdue, currency), "over_90": Money(e.over_90, currency),
                  "oldest": e.oldest, "total": Money(e.total, currency)} for n, e in enumerate(ranked, 1)]  # fmt: skip
    columns = (
        Column("rank", "#", "int"), Column("customer", "Customer"), Column("name", "Name"),
        Column("currency", "Cur"), Column("overdue", "Overdue", "money"), Column("over_90", "Over 90 days", "money"),
        Column("oldest", "Oldest (days late)", "int"), Column("total", "Total open", "money"),
    )  # fmt: skip
    return Report("top-overdue", f"Top {count} overdue customers as of {as_of}", columns, rows, as_of=as_of)


def summary_of(by_customer: Report, as_of: date) -> Report:
    """Totals by bucket and currency: the By-customer sheet's total rows, charted."""
    columns = tuple(c for c in by_customer.columns if c.key not in ("customer", "name"))
    return Report("summary", f"Receivables by age as of {as_of}", columns, [], totals=by_customer.final_totals(),
                  as_of=as_of, notes=["Current: not yet due. Pending: waiting for a milestone (not aged). "
                                      "Unapplied: cash and credits received but not yet cleared."])  # fmt: skip


def write_management_workbook(db: Database, as_of: date, path: Path) -> list[str]:
    """Write Summary, By customer, Detail, Top 20 overdue, Roll rates and KPIs; returns the sheet names."""
    from arctl.render.xlsx import Chart, Sheet, write_workbook

    seen: dict[tuple[str, str], _Exposure] = {}
    by_customer = aging(db, as_of, options=AgingOptions())
    # the summary consumed the items already: recompute the exposure from one more (cheap) pass
    with db.read() as session:
        for _ in _watch(repo.iter_open_items(session, as_of), as_of, seen):
            pass
    summary = summary_of(by_customer, as_of)
    chart_columns = ("current", *(b.key for b in buckets(AgingOptions().bounds)), "pending")
    sheets = [
        Sheet("Summary", summary, chart=Chart(chart_columns, title=f"Receivables by age, {as_of}")),
        Sheet("By customer", by_customer),
        Sheet("Detail", aging(db, as_of, options=AgingOptions(), detail=True)),
        Sheet(f"Top {TOP} overdue", top_overdue(seen, as_of)),
        Sheet("Roll rates", analysis.roll_rates_by_month(db, as_of, months=6)),
        Sheet("KPIs", analysis.kpis(db, as_of)),
    ]
    from arctl.render.files import write_atomic_stream

    write_atomic_stream(path, lambda handle: write_workbook(handle, sheets))
    return [s.name for s in sheets]
