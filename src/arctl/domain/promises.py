"""Promises to pay (承诺付款): their state as of any date, derived from the cash that actually came in.

A promise is never marked kept or broken by hand; `promise_state` reads it from receipts, so the state as
of any past date can be rebuilt:
- the receipts that count are the customer's payments in the promise's currency received from the day the
  promise was made through its date plus the grace days (`holds_until`), and on or before `as_of`;
- **kept** on the day those receipts reach the promised amount (on or before `holds_until`);
- while `as_of` ≤ `holds_until` and not yet kept it is **open**: it holds its items from reminders;
- the day after `holds_until` (`broken_on`) an unmet promise is **broken** (nothing came) or **partly
  kept** (some came): both release the items and escalate the ladder (a partial payment is not the promise);
- a promise cancelled on or before `as_of` holds nothing and counts in no statistic.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from arctl.domain.errors import InvalidInput

Status = Literal["open", "kept", "partly kept", "broken", "cancelled"]
STATUSES: tuple[Status, ...] = ("open", "kept", "partly kept", "broken", "cancelled")


@dataclass(frozen=True, slots=True)
class PromiseState:
    status: Status
    paid_minor: int
    """Receipts counted toward the promise as of the date asked (may exceed the amount)."""
    holds_until: date
    """The promise date plus the grace days: the last day it holds."""
    kept_on: date | None = None
    """The day the receipts reached the amount."""
    broken_on: date | None = None
    """The day after `holds_until`, for broken and partly kept promises."""

    @property
    def holds(self) -> bool:
        """Whether the promise still holds its items back from reminders."""
        return self.status == "open"

    @property
    def failed(self) -> bool:
        """Broken or only partly kept: the ladder escalates."""
        return self.status in ("broken", "partly kept")


def promise_state(
    amount_minor: int,
    made_on: date,
    due_on: date,
    grace_days: int,
    receipts: Iterable[tuple[date, int]],
    as_of: date,
    cancelled_on: date | None = None,
) -> PromiseState:
    """The state of a promise of `amount_minor` made on `made_on` to pay by `due_on`, as of `as_of`.

    `receipts` are (received_on, minor) of the customer's payments in the promise's currency that were
    not reversed as of `as_of`; those outside the promise's window are ignored here.
    """
    if amount_minor <= 0:
        raise InvalidInput(f"a promise must be for more than zero, not {amount_minor}", field="amount")
    if due_on < made_on:
        raise InvalidInput(f"promised date {due_on} is before the day it was made ({made_on})", field="by")
    if grace_days < 0:
        raise InvalidInput("grace days must not be negative", field="grace")
    holds_until = due_on + timedelta(days=grace_days)
    if cancelled_on is not None and cancelled_on <= as_of:
        return PromiseState("cancelled", 0, holds_until)
    last = min(as_of, holds_until)
    paid = 0
    for received_on, minor in sorted(r for r in receipts if made_on <= r[0] <= last):
        paid += minor
        if paid >= amount_minor:
            return PromiseState("kept", paid, holds_until, kept_on=received_on)
    if as_of <= holds_until:
        return PromiseState("open", paid, holds_until)
    broken_on = holds_until + timedelta(days=1)
    return PromiseState("partly kept" if paid else "broken", paid, holds_until, broken_on=broken_on)


def kept_percent(states: Iterable[PromiseState]) -> int | None:
    """Share of decided promises (kept, partly kept, broken) that were kept, in whole percent rounded half
    up; None when none is decided yet. Open and cancelled promises do not count."""
    kept = decided = 0
    for state in states:
        if state.status in ("kept", "partly kept", "broken"):
            decided += 1
            kept += state.status == "kept"
    if not decided:
        return None
    return (200 * kept + decided) // (2 * decided)
