"""Analysis use cases: the AR roll-forward with its roll-rate matrix, KPIs, monthly roll rates.

Read-only. Movements are SUM queries (db/history.py); balances at a date read only the items open then.
The workbook uses `kpis` (sheet "KPIs") and `roll_rates_by_month` (sheet "Roll rates").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import pairwise

from sqlalchemy.orm import Session

from arctl.db import history
from arctl.db.engine import Database
from arctl.domain.dates import end_of_month
from arctl.domain.errors import InvalidInput
from arctl.domain.money import normalize_currency
from arctl.domain.report import Report
from arctl.reports.aging import DEFAULT_BOUNDS
from arctl.reports.kpi import AT_RISK_DAYS, KpiInputs, kpi_report, months_back
from arctl.reports.rollforward import (
    RollForward,
    mismatches,
    monthly_roll_rates_report,
    roll_matrix_report,
    rollforward_report,
    track,
)

MAX_COUNTBACK_MONTHS = 600
"""A countback walk stops at the ledger's first invoice; this only bounds a corrupt ledger."""


@dataclass(frozen=True)
class RollForwardResult:
    rollforward: Report
    """Rows (currency, key, line, amount): see reports/rollforward.py."""
    matrix: Report
    """The roll-rate matrix D1 → D2."""
    problems: list[str] = field(default_factory=list)
    """One message per currency and figure that does not tie; empty when all tie."""


def _currency(currency: str | None) -> str | None:
    return None if currency is None else normalize_currency(currency, field="--currency")


def rollforward(
    db: Database,
    start: date,
    end: date,
    *,
    currency: str | None = None,
    bounds: Sequence[int] = DEFAULT_BOUNDS,
) -> RollForwardResult:
    """AR at the end of `start` rolled forward to the end of `end`, per currency, checked against the
    AR read directly at `end`; and the roll-rate matrix of the AR open at `start`.

    The AR at each date is read from the open installments (history.open_balances: aging's rules,
    without names; tests check both agree on random ledgers); the movements are SUM queries."""
    if start >= end:
        raise InvalidInput(f"--from {start} must be before --to {end}", field="--from")
    only = _currency(currency)
    with db.read() as session:
        # Each date is read once (only the items open then) and serves both reports.
        before = list(history.open_balances(session, start, currency=only))
        after = list(history.open_balances(session, end, currency=only))
        terms = history.movements(session, start, end)
        u_open = history.unapplied_by_currency(session, start)
        u_close = history.unapplied_by_currency(session, end)
        voided = history.voided_installments(session, start, end)
    opening, closing = _by_currency(before), _by_currency(after)
    currencies = {only} if only else set(opening) | set(closing) | set(terms) | set(u_open) | set(u_close)
    lines = [
        RollForward(cur, opening.get(cur, 0), terms.get(cur, {}), closing.get(cur, 0),
                    u_open.get(cur, 0), u_close.get(cur, 0))
        for cur in currencies
    ]  # fmt: skip
    flows = track(before, after, voided, start, end, bounds=bounds)
    return RollForwardResult(
        rollforward_report(lines, start, end),
        roll_matrix_report(flows, start, end, bounds=bounds),
        mismatches(lines),
    )


def _by_currency(balances: Sequence[history.Balance]) -> dict[str, int]:
    out: dict[str, int] = {}
    for _, currency, _, minor in balances:
        out[currency] = out.get(currency, 0) + minor
    return out


def last_month_ends(as_of: date, count: int) -> list[date]:
    """`count` + 1 month-ends, oldest first, ending at `as_of` when it is a month-end, else at the
    month-end before it (so `count` months of movement between consecutive ones)."""
    last = as_of if as_of == end_of_month(as_of) else as_of.replace(day=1) - timedelta(days=1)
    return [months_back(last, k) for k in range(count, -1, -1)]


def roll_rates_by_month(
    db: Database,
    as_of: date,
    months: int = 6,
    *,
    currency: str | None = None,
    bounds: Sequence[int] = DEFAULT_BOUNDS,
) -> Report:
    """Roll rates between consecutive month-ends, for the last `months` month-ends up to `as_of`.

    Report "rollrates_monthly": one row per (month_end, currency); columns month_end (date), currency,
    from_current, from_d1_30, from_d31_60, from_d61_90, from_d91_180, from_d181_365 (with the default
    bounds: one per bucket but the last), each a `percent` cell: the share of that bucket's amount at
    the previous month-end found in a later bucket at month_end (blank: the bucket was empty); and
    paid (`percent`): the share of all AR at the previous month-end paid in the month.
    """
    if months < 1:
        raise InvalidInput(f"{months}: at least one month", field="--months")
    only = _currency(currency)
    ends = last_month_ends(as_of, months)
    steps = []
    with db.read() as session:
        previous = list(history.open_balances(session, ends[0], currency=only))
        for d1, d2 in pairwise(ends):
            current = list(history.open_balances(session, d2, currency=only))
            voided = history.voided_installments(session, d1, d2)
            steps.append((d1, d2, track(previous, current, voided, d1, d2, bounds=bounds)))
            previous = current
    return monthly_roll_rates_report(steps, as_of, bounds=bounds)


def kpis(db: Database, as_of: date, months: int = 3, *, currency: str | None = None) -> Report:
    """Simple, countback and best-possible DSO, ADD, CEI and at-risk rate per currency, for the
    `months` months ending at `as_of` (definitions and rounding: reports/kpi.py).

    Report "kpi": one row per currency; columns currency, start, end (dates), days (int), ar_start,
    sales, ar, ar_current, ar_at_risk (money), dso, countback_dso, best_dso, add (`number`: days, one
    decimal), cei, at_risk (`percent`); blank cells where a figure is not defined (no sales, no AR).
    """
    if months < 1:
        raise InvalidInput(f"{months}: at least one month", field="--months")
    only = _currency(currency)
    start = months_back(as_of, months)
    with db.read() as session:
        ar: dict[str, list[int]] = {}  # currency -> [total, current, at risk]
        for _, cur, due, open_minor in history.open_balances(session, as_of, currency=only):
            figures = ar.setdefault(cur, [0, 0, 0])
            figures[0] += open_minor
            late = None if due is None else (as_of - due).days
            if late is None or late <= 0:
                figures[1] += open_minor
            elif late > AT_RISK_DAYS:
                figures[2] += open_minor
        ar_start: dict[str, int] = {}
        for _, cur, _, open_minor in history.open_balances(session, start, currency=only):
            ar_start[cur] = ar_start.get(cur, 0) + open_minor
        sales = history.sales(session, start, as_of, not_voided_by=as_of)
        monthly = _countback_months(session, as_of, {c: f[0] for c, f in ar.items()})
    currencies = {only} if only else set(ar) | set(ar_start) | set(sales)
    inputs = [
        KpiInputs(
            currency=cur, start=start, end=as_of, months=months, ar_start=ar_start.get(cur, 0),
            ar=ar.get(cur, [0, 0, 0])[0], ar_current=ar.get(cur, [0, 0, 0])[1],
            ar_at_risk=ar.get(cur, [0, 0, 0])[2], sales=sales.get(cur, 0), monthly_sales=monthly.get(cur, ()),
        )
        for cur in currencies
    ]  # fmt: skip
    return kpi_report(inputs, as_of, months)


def _countback_months(session: Session, as_of: date, ar: dict[str, int]) -> dict[str, list[tuple[int, int]]]:
    """(days, sales) per month walking back from `as_of`, per currency, as far as its AR needs."""
    first = history.first_issue_date(session)
    left = {cur: minor for cur, minor in ar.items() if minor > 0}
    out: dict[str, list[tuple[int, int]]] = {cur: [] for cur in left}
    k = 0
    while left and first is not None and k < MAX_COUNTBACK_MONTHS:
        high, low = months_back(as_of, k), months_back(as_of, k + 1)
        if high < first:
            break
        sold = history.sales(session, low, high, not_voided_by=as_of)
        for cur in list(left):
            out[cur].append(((high - low).days, sold.get(cur, 0)))
            left[cur] -= sold.get(cur, 0)
            if left[cur] <= 0:
                del left[cur]
        k += 1
    return out
