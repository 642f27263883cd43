"""Promises to pay (承诺付款): their state as of any date, derived from the cash that actually came in.

A promise is never marked kept or broken by hand; `promise_states` reads it from receipts, so the state as
of any past date can be rebuilt:
- a promise's window runs from the day it was made through its date plus the grace days (`holds_until`),
  and never past `as_of`; only the customer's payments in the promise's currency count;
- one payment keeps one promise, not two: the customer's receipts are **shared out** among its promises.
  The promises are served in promised-date order (then the day made, then id); each receipt, in date
  order, goes to the first promise whose window contains it and that still needs money, and what it brings
  beyond that promise's remaining amount flows on to the next such promise (what is left when none needs
  more stays with the last promise it reached, so a promise can show more paid than promised);
- **kept** on the day its share of the receipts reaches the promised amount (on or before `holds_until`);
- while `as_of` ≤ `holds_until` and not yet kept it is **open**: it holds its items from reminders;
- the day after `holds_until` (`broken_on`) an unmet promise is **broken** (nothing came) or **partly
  kept** (some came): both release the items and escalate the ladder (a partial payment is not the promise);
- a promise cancelled on or before `as_of` holds nothing, takes no receipts (they go to the customer's
  other promises) and counts in no statistic.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
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


@dataclass(frozen=True, slots=True)
class PromiseTerms:
    """What a promise says: `amount_minor` by `due_on` (+ `grace_days`), made on `made_on`; checked when made."""

    amount_minor: int
    """The promised amount, in minor units (more than zero)."""
    made_on: date
    """The day the promise was made: its window opens."""
    due_on: date
    """The promised date (not before `made_on`)."""
    grace_days: int
    """Days after `due_on` it still holds (not negative)."""
    cancelled_on: date | None = None
    """The day it was cancelled; None if never."""

    def __post_init__(self) -> None:
        if self.amount_minor <= 0:
            raise InvalidInput(f"a promise must be for more than zero, not {self.amount_minor}", field="amount")
        if self.due_on < self.made_on:
            raise InvalidInput(f"promised date {self.due_on} is before the day it was made ({self.made_on})",
                               field="by")  # fmt: skip
        if self.grace_days < 0:
            raise InvalidInput("grace days must not be negative", field="grace")

    @property
    def holds_until(self) -> date:
        """The promise date plus the grace days: the last day it holds."""
        return self.due_on + timedelta(days=self.grace_days)

    def cancelled_by(self, as_of: date) -> bool:
        """Cancelled on or before `as_of`."""
        return self.cancelled_on is not None and self.cancelled_on <= as_of


def promise_states(
    promises: Sequence[PromiseTerms], receipts: Iterable[tuple[date, int]], as_of: date
) -> list[PromiseState]:
    """The states as of `as_of` of one customer's promises in one currency, in the order given.

    `receipts` are (received_on, minor) of the customer's payments in that currency not reversed as of
    `as_of` (later ones and those in no promise's window are ignored). They are shared out so that no
    money counts twice (see the module's docstring): promises in promised-date order, then by the day made,
    then in the order given (pass them by id); receipts by date, then amount. So the sum of `paid_minor`
    over the promises never exceeds the receipts that fell in their windows.
    """
    n = len(promises)
    live = sorted(
        (i for i in range(n) if not promises[i].cancelled_by(as_of)),
        key=lambda i: (promises[i].due_on, promises[i].made_on, i),
    )
    until = [min(t.holds_until, as_of) for t in promises]
    paid = [0] * n
    kept_on: list[date | None] = [None] * n
    for received_on, minor in sorted(receipts):
        left, last = minor, None
        for i in live:
            if left <= 0:
                break
            t = promises[i]
            if kept_on[i] is not None or not t.made_on <= received_on <= until[i]:
                continue
            take = min(left, t.amount_minor - paid[i])
            paid[i] += take
            left -= take
            last = i
            if paid[i] >= t.amount_minor:
                kept_on[i] = received_on
        if last is not None and left > 0:
            paid[last] += left  # nobody else needed it: it stays where it last went (that promise is kept)
    out = []
    for i, t in enumerate(promises):
        holds_until = t.holds_until
        if t.cancelled_by(as_of):
            out.append(PromiseState("cancelled", 0, holds_until))
        elif kept_on[i] is not None:
            out.append(PromiseState("kept", paid[i], holds_until, kept_on=kept_on[i]))
        elif as_of <= holds_until:
            out.append(PromiseState("open", paid[i], holds_until))
        else:
            status: Status = "partly kept" if paid[i] else "broken"
            out.append(PromiseState(status, paid[i], holds_until, broken_on=holds_until + timedelta(days=1)))
    return out


def promise_state(
    amount_minor: int,
    made_on: date,
    due_on: date,
    grace_days: int,
    receipts: Iterable[tuple[date, int]],
    as_of: date,
    cancelled_on: date | None = None,
) -> PromiseState:
    """The state of a promise of `amount_minor` made on `made_on` to pay by `due_on`, as of `as_of`, when it
    is the customer's only promise in its currency (else use `promise_states`, which shares the receipts).

    `receipts` are (received_on, minor) of the customer's payments in the promise's currency that were
    not reversed as of `as_of`; those outside the promise's window are ignored here.
    """
    terms = PromiseTerms(amount_minor, made_on, due_on, grace_days, cancelled_on)
    return promise_states([terms], receipts, as_of)[0]


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
