"""Roll-forward of AR between two dates, and roll rates between aging buckets. Pure: figures in, Reports out.

Roll-forward, per currency (the definitions of each term are in db/history.py):

    AR at D1 + invoiced − voided − collected − credited − written off − discounts = AR at D2

Movements are shown signed (deductions negative), so the amount column adds up from the opening line to
the closing one. The closing AR computed from the movements is compared with the AR read directly at D2
(the open items, as aging reads them); a difference is a finding. Unapplied cash and credits are not AR:
they have their own short roll-forward below it (opening + cash received + credits issued − applied
= closing), checked the same way. "Collected" is cash *applied to invoices* in the period (net of
unapplications and reversals); "Cash received" is what came in, applied or not.

Roll rates: every installment open at the end of D1 is followed to the end of D2 (amount-weighted):
the part no longer owed is Paid (collected, credited, written off or discounted), Voided if its invoice
was voided in the period, and what is still owed sits in its D2 bucket (Current, an overdue bucket or
Pending). Each row's shares add up to 100 % (up to rounding). When an installment owes *more* at D2
than at D1 (a payment applied before D1 was unapplied), only its D1 amount is followed: the increase
is not part of the D1 balance. Items issued after D1 are not in the matrix (they were not in D1's AR).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from arctl.domain.money import Money, format_amount
from arctl.domain.report import Column, Report, Row
from arctl.reports.aging import DEFAULT_BOUNDS, Bucket, bucket_of, buckets
from arctl.reports.kpi import percent

AR_TERMS = (
    ("invoiced", "Invoiced", 1),
    ("voided", "Voided", -1),
    ("collected", "Collected (payments applied)", -1),
    ("credited", "Credited (credit notes applied)", -1),
    ("written_off", "Written off", -1),
    ("discounted", "Discounts", -1),
)
"""(key, title, sign) of each AR movement, in print order."""

Balance = tuple[int, str, date | None, int]
"""(installment id, currency, due date as known at the day or None while pending, open minor units)."""


@dataclass(frozen=True, slots=True)
class RollForward:
    """One currency's roll-forward figures (minor units, movement terms unsigned as in db/history.py)."""

    currency: str
    opening: int
    """AR at the end of D1."""
    terms: Mapping[str, int]
    """invoiced, voided, collected, credited, written_off, discounted, received, credits_issued."""
    closing_direct: int
    """AR at the end of D2, from the open items."""
    unapplied_opening: int = 0
    unapplied_direct: int = 0
    """Unapplied cash and credits at the end of D2, from the payments and credits."""

    def term(self, key: str) -> int:
        return self.terms.get(key, 0)

    @property
    def applied(self) -> int:
        return sum(self.term(k) for k in ("collected", "credited", "written_off", "discounted"))

    @property
    def closing(self) -> int:
        return self.opening + sum(sign * self.term(key) for key, _, sign in AR_TERMS)

    @property
    def difference(self) -> int:
        return self.closing - self.closing_direct

    @property
    def unapplied_closing(self) -> int:
        return self.unapplied_opening + self.term("received") + self.term("credits_issued") - self.applied

    @property
    def unapplied_difference(self) -> int:
        return self.unapplied_closing - self.unapplied_direct


def rollforward_report(lines: Iterable[RollForward], start: date, end: date) -> Report:
    """Rows (currency, key, line, amount), one block per currency. `key` is stable for programs:
    opening, invoiced, voided, collected, credited, written_off, discounted, closing, closing_direct,
    difference, unapplied_opening, received, credits_issued, applied, unapplied_closing,
    unapplied_direct, unapplied_difference."""
    rows: list[Row] = []
    for rf in sorted(lines, key=lambda r: r.currency):
        cur = rf.currency

        def row(key: str, title: str, minor: int, cur: str = cur) -> None:
            rows.append({"currency": cur, "key": key, "line": title, "amount": Money(minor, cur)})

        row("opening", f"AR at {start}", rf.opening)
        for key, title, sign in AR_TERMS:
            row(key, title, sign * rf.term(key))
        row("closing", f"AR at {end} (opening + movements)", rf.closing)
        row("closing_direct", f"AR at {end} (open items, as aging)", rf.closing_direct)
        row("difference", "Difference (must be zero)", rf.difference)
        row("unapplied_opening", f"Unapplied cash and credits at {start}", rf.unapplied_opening)
        row("received", "Cash received (net of reversed payments)", rf.term("received"))
        row("credits_issued", "Credits issued (net of reversed credits)", rf.term("credits_issued"))
        row("applied", "Applied to invoices (collected + credited + ...)", -rf.applied)
        row("unapplied_closing", f"Unapplied at {end} (opening + movements)", rf.unapplied_closing)
        row("unapplied_direct", f"Unapplied at {end} (payments and credits)", rf.unapplied_direct)
        row("unapplied_difference", "Difference (must be zero)", rf.unapplied_difference)
    columns = (
        Column("currency", "Cur"),
        Column("key", "Key", wide_only=True),
        Column("line", "Line"),
        Column("amount", "Amount", "money"),
    )
    notes = ["AR = what open installments owe (aging's buckets + Pending); unapplied cash is not deducted.",
             "Collected = payments applied to invoices in the period, net of unapplications and reversals."]  # fmt: skip
    return Report(
        "rollforward", f"AR roll-forward {start} (excl.) to {end}", columns, rows, as_of=end, notes=notes
    )


def mismatches(lines: Iterable[RollForward]) -> list[str]:
    """One message per currency and figure that does not tie (empty when everything ties)."""
    out = []
    for rf in sorted(lines, key=lambda r: r.currency):
        cur = rf.currency
        for what, computed, direct, diff in (
            ("AR", rf.closing, rf.closing_direct, rf.difference),
            ("unapplied cash and credits", rf.unapplied_closing, rf.unapplied_direct, rf.unapplied_difference),
        ):
            if diff:
                out.append(
                    f"{cur}: {what} from the movements is {format_amount(computed, cur, grouping=True)}, "
                    f"read directly {format_amount(direct, cur, grouping=True)}: "
                    f"difference {format_amount(diff, cur, grouping=True)} {cur}"
                )
    return out


# --- roll rates --------------------------------------------------------------------------------------

PAID, VOIDED, PENDING, CURRENT = "paid", "voided", "pending", "current"


def _aged(due: date | None, day: date, all_buckets: Sequence[Bucket]) -> str:
    return PENDING if due is None else bucket_of((day - due).days, all_buckets)


@dataclass
class Flow:
    """Where one currency's AR at D1 went by D2: opening[from] and moved[from][to], minor units.

    `from` is current, an overdue bucket key or pending; `to` is one of those or paid / voided."""

    opening: dict[str, int] = field(default_factory=dict)
    moved: dict[str, dict[str, int]] = field(default_factory=dict)

    def add(self, frm: str, to: str, minor: int) -> None:
        if minor:
            target = self.moved.setdefault(frm, {})
            target[to] = target.get(to, 0) + minor


def track(
    before: Iterable[Balance],
    after: Iterable[Balance],
    voided: set[int],
    start: date,
    end: date,
    *,
    bounds: Sequence[int] = DEFAULT_BOUNDS,
) -> dict[str, Flow]:
    """Follow each installment open at the end of `start` (`before`) to the end of `end` (`after`).

    `voided`: ids of the installments whose invoice was voided in (start, end]."""
    all_buckets = buckets(bounds)
    later = {ins_id: (due, open_minor) for ins_id, _, due, open_minor in after}
    flows: dict[str, Flow] = {}
    for ins_id, currency, due, open_minor in before:
        flow = flows.setdefault(currency, Flow())
        frm = _aged(due, start, all_buckets)
        flow.opening[frm] = flow.opening.get(frm, 0) + open_minor
        if ins_id in later:
            due2, open2 = later[ins_id]
            kept = min(open2, open_minor)
            flow.add(frm, _aged(due2, end, all_buckets), kept)
            flow.add(frm, PAID, open_minor - kept)
        elif ins_id in voided:
            flow.add(frm, VOIDED, open_minor)
        else:
            flow.add(frm, PAID, open_minor)
    return flows


def _order(bounds: Sequence[int]) -> list[tuple[str, str]]:
    """(key, title) of the aging states in order: Current, the overdue buckets, Pending."""
    return [(CURRENT, "Current"), *((b.key, b.title) for b in buckets(bounds)), (PENDING, "Pending")]


def roll_matrix_report(
    flows: Mapping[str, Flow], start: date, end: date, *, bounds: Sequence[int] = DEFAULT_BOUNDS
) -> Report:
    """One row per currency and D1 bucket holding something; a total row ("All") per currency.

    Columns: currency, from, open (money at D1), paid, voided, then to_<state> for Current, each
    overdue bucket and Pending: `percent` cells, the share of the row's open amount (blank: none)."""
    states = _order(bounds)
    targets = [(PAID, "Paid"), (VOIDED, "Voided"), *states]
    rows: list[Row] = []
    totals: list[Row] = []
    for currency, flow in sorted(flows.items()):
        sums: dict[str, int] = {}
        for frm, title in states:
            opening = flow.opening.get(frm, 0)
            if not opening:
                continue
            moved = flow.moved.get(frm, {})
            rows.append(_matrix_row(currency, title, opening, moved, targets))
            for to, minor in moved.items():
                sums[to] = sums.get(to, 0) + minor
        totals.append(_matrix_row(currency, "All", sum(flow.opening.values()), sums, targets))
    columns = (
        Column("currency", "Cur"),
        Column("from", "From"),
        Column("open", f"Open {start}", "money", wide_only=True),
        *(Column(_target_key(key), title, "percent", wide_only=key in (VOIDED, PENDING))
          for key, title in targets),
    )  # fmt: skip
    notes = [f"Share of the AR open at {start} (by bucket) that at {end} is paid, voided, or still owed in each "
             "bucket; amount-weighted, rounded to one decimal half up. Blank: none."]  # fmt: skip
    return Report("rollrates", f"Roll rates {start} → {end}", columns, rows, totals=totals, as_of=end, notes=notes)


def _target_key(key: str) -> str:
    return key if key in (PAID, VOIDED) else f"to_{key}"


def _matrix_row(
    currency: str, title: str, opening: int, moved: Mapping[str, int], targets: Sequence[tuple[str, str]]
) -> Row:
    row: Row = {"currency": currency, "from": title, "open": Money(opening, currency)}
    for key, _ in targets:
        minor = moved.get(key, 0)
        row[_target_key(key)] = percent(minor, opening) if minor else None
    return row


def monthly_roll_rates_report(
    steps: Sequence[tuple[date, date, Mapping[str, Flow]]],
    as_of: date,
    *,
    bounds: Sequence[int] = DEFAULT_BOUNDS,
) -> Report:
    """Roll rates month by month: for each step (previous month-end, month-end, flows), per currency,
    the share of each bucket at the previous month-end that was in a *later* bucket at the month-end
    (in a month that is the next bucket, but for items a day from its edge). Pending and the last
    bucket have no later bucket and no column. Columns: month_end, currency, from_<bucket>
    (`percent`, blank when the bucket was empty), plus `paid` (share of all AR paid in the month)."""
    states = [(k, t) for k, t in _order(bounds) if k != PENDING][:-1]
    rank = {key: i for i, (key, _) in enumerate(_order(bounds)[:-1])}
    rows: list[Row] = []
    for _, month_end, flows in steps:
        for currency, flow in sorted(flows.items()):
            row: Row = {"month_end": month_end, "currency": currency}
            for key, _ in states:
                opening = flow.opening.get(key, 0)
                rolled = sum(m for to, m in flow.moved.get(key, {}).items() if rank.get(to, -1) > rank[key])
                row[f"from_{key}"] = percent(rolled, opening) if opening else None
            paid = sum(m.get(PAID, 0) for m in flow.moved.values())
            row["paid"] = percent(paid, sum(flow.opening.values()))
            rows.append(row)
    columns = (
        Column("month_end", "Month end", "date"),
        Column("currency", "Cur"),
        *(Column(f"from_{key}", title, "percent") for key, title in states),
        Column("paid", "Paid", "percent"),
    )
    notes = ["Each bucket: share of its amount at the previous month-end that rolled into a later bucket. "
             "Paid: share of all AR at the previous month-end paid in the month. One decimal, half up."]  # fmt: skip
    return Report("rollrates_monthly", "Roll rates by month (bucket to the next)", columns, rows,
                  as_of=as_of, notes=notes)  # fmt: skip
