"""Collection KPIs (domain.md §6), pure: per-currency figures in, a Report out.

Definitions, per currency, for a period of N months ending at D (default N = 3), i.e. `(start, D]`
with start = D − N months (a month-end maps to the month-end: 2026-10-31 − 3 months = 2026-07-31),
and `days` = D − start:

- AR: what open installments owe at the end of a date (aging's buckets + Pending), unapplied cash
  and credits not deducted;
- credit sales: invoices issued in the period and not voided by D;
- simple DSO = AR(D) / sales × days;
- countback DSO: walk back one month at a time from D, subtracting each month's sales from AR(D) and
  adding that month's days, until AR is used up (the last month counts pro rata);
- best-possible DSO = current AR(D) / sales × days, current = not overdue at D (not yet due, and
  Pending installments whose milestone has not happened);
- ADD (average days delinquent) = DSO − best-possible DSO, from the two rounded figures so the sheet adds up;
- CEI = (AR(start) + sales/N − AR(D)) / (AR(start) + sales/N − current AR(D)) × 100;
- at-risk rate = AR more than 90 days past due at D / AR(D) × 100.

Blank, never an error: DSO, best-possible DSO and ADD when there were no sales; CEI when its
denominator is zero or negative (nothing was collectible); the at-risk rate when there is no AR.

Rounding: days and percentages to one decimal, half up (12.25 → 12.3), once, at the end.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from arctl.domain.money import Money
from arctl.domain.report import Column, Report

ONE_DECIMAL = Decimal("0.1")
AT_RISK_DAYS = 90


def one_decimal(value: Decimal) -> Decimal:
    """Round to one decimal, half up (away from zero): the rule for every day count and percentage."""
    return value.quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


def percent(part: int, whole: int) -> Decimal | None:
    """`part` as a percentage of `whole`, one decimal half up; None when `whole` is zero."""
    if whole == 0:
        return None
    return one_decimal(Decimal(part) * 100 / Decimal(whole))


def months_back(day: date, months: int) -> date:
    """`day` moved `months` calendar months back. A month-end stays a month-end (05-31 − 1 → 04-30,
    04-30 − 1 → 03-31); other days are clamped to the shorter month (03-30 − 1 → 02-28)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    if day.day == calendar.monthrange(day.year, day.month)[1]:
        return date(year, month, last)
    return date(year, month, min(day.day, last))


@dataclass(frozen=True, slots=True)
class KpiInputs:
    """What the KPIs of one currency are computed from (minor units)."""

    currency: str
    start: date
    """The period is (start, end]."""
    end: date
    months: int
    ar_start: int
    """AR at the end of `start`."""
    ar: int
    """AR at the end of `end`."""
    ar_current: int
    """Of `ar`, not past due at `end` (not yet due, or Pending)."""
    ar_at_risk: int
    """Of `ar`, more than 90 days past due at `end`."""
    sales: int
    """Credit sales in the period."""
    monthly_sales: Sequence[tuple[int, int]] = field(default_factory=tuple)
    """For countback: (days, sales) of each month walking back from `end`, newest first."""

    @property
    def days(self) -> int:
        return (self.end - self.start).days


def dso(ar: int, sales: int, days: int) -> Decimal | None:
    """AR / sales × days, one decimal; None without sales."""
    if sales <= 0:
        return None
    return one_decimal(Decimal(ar) * days / Decimal(sales))


def countback_dso(ar: int, months: Iterable[tuple[int, int]]) -> Decimal | None:
    """Walk back month by month (newest first: (days, sales)) subtracting sales from AR.

    A month whose sales do not exceed what is left counts in full; the month that uses AR up counts
    pro rata. None when AR is left over after every month given (the walk reached the start of the
    ledger without explaining the AR: only a broken ledger does that).
    """
    if ar <= 0:
        return Decimal("0.0")
    left, total = Decimal(ar), Decimal(0)
    for days, sold in months:
        if sold >= left:
            return one_decimal(total + left / Decimal(sold) * days)
        total += days
        left -= sold
    return None


def cei(ar_start: int, sales: int, months: int, ar_end: int, ar_end_current: int) -> Decimal | None:
    """Collection effectiveness index in percent; None when nothing was collectible."""
    average = Decimal(sales) / months
    denominator = Decimal(ar_start) + average - ar_end_current
    if denominator <= 0:
        return None
    return one_decimal((Decimal(ar_start) + average - ar_end) / denominator * 100)


def kpi_row(k: KpiInputs) -> dict[str, object]:
    simple = dso(k.ar, k.sales, k.days)
    best = dso(k.ar_current, k.sales, k.days)
    cur = k.currency
    return {
        "currency": cur, "start": k.start, "end": k.end, "days": k.days,
        "ar_start": Money(k.ar_start, cur), "sales": Money(k.sales, cur), "ar": Money(k.ar, cur),
        "ar_current": Money(k.ar_current, cur), "ar_at_risk": Money(k.ar_at_risk, cur),
        "dso": simple, "countback_dso": countback_dso(k.ar, k.monthly_sales), "best_dso": best,
        "add": None if simple is None or best is None else simple - best,
        "cei": cei(k.ar_start, k.sales, k.months, k.ar, k.ar_current),
        "at_risk": percent(k.ar_at_risk, k.ar),
    }  # fmt: skip


KPI_COLUMNS = (
    Column("currency", "Cur"),
    Column("start", "From (excl.)", "date", wide_only=True),
    Column("end", "To", "date", wide_only=True),
    Column("days", "Days", "int", wide_only=True),
    Column("ar_start", "AR at start", "money", wide_only=True),
    Column("sales", "Credit sales", "money"),
    Column("ar", "AR", "money"),
    Column("ar_current", "Current AR", "money", wide_only=True),
    Column("ar_at_risk", "AR 90+", "money", wide_only=True),
    Column("dso", "DSO", "number"),
    Column("countback_dso", "Countback", "number"),
    Column("best_dso", "Best DSO", "number"),
    Column("add", "ADD", "number"),
    Column("cei", "CEI", "percent"),
    Column("at_risk", "At risk", "percent"),
)


def kpi_report(inputs: Sequence[KpiInputs], as_of: date, months: int) -> Report:
    """One row per currency (never mixed). Columns: see KPI_COLUMNS; days and DSOs are `number` cells
    (Decimal, one decimal), CEI and at-risk `percent` cells (12.5 = 12.5 %), blank when undefined."""
    start = months_back(as_of, months)
    rows = [kpi_row(k) for k in sorted(inputs, key=lambda k: k.currency)]
    notes = [
        f"Period {start} (excl.) to {as_of}: {months} month(s), {(as_of - start).days} days. "
        "DSO = AR / credit sales × days; Best DSO uses AR not yet overdue; ADD = DSO − Best DSO;",
        "CEI = (AR at start + sales/months − AR) / (AR at start + sales/months − current AR) × 100; "
        f"At risk = AR over {AT_RISK_DAYS} days late / AR. Blank: not defined (no sales, no AR).",
        "Days and percentages rounded to one decimal, half up.",
    ]
    return Report("kpi", f"Collection KPIs, {months} month(s) to {as_of}", KPI_COLUMNS, rows,  # type: ignore[arg-type]
                  as_of=as_of, notes=notes)  # fmt: skip
