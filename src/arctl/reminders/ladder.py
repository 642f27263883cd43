"""What a reminder run does today: pure rules over installment states, a ladder and the as-of date.

`due_steps(items, ladder, as_of)`, per installment:
- the step reached is the highest whose date (due date + offset) is on or before `as_of`;
- it is due when it ranks above every step already done for the installment (`done_steps`); steps between
  are passed over (catch-up: after missed days, one message at the right step, never one per missed day;
  `Due.passed` lists them, and their fees are not charged: a fee goes with the message that announces it);
- a step at or below one already done never comes again, so a second run on the same day, once the first
  run's steps are recorded, finds nothing;
- a broken promise (`promise_broken_on` ≤ `as_of`) escalates at once: the step after the highest done one
  becomes due whatever its offset, once: only while no step has been recorded since the break
  (`last_step_on` < `promise_broken_on`). Afterwards the ladder's offsets rule again;
- an installment that would get a step but is held yields `Skipped(reason)` instead: "paid" (nothing open),
  "on hold" (customer on legal hold), "disputed", "promised until D" (a live promise: `as_of` ≤ D; the day
  after D it no longer holds). Held installments with nothing due yield nothing. With no ladder (customer
  excluded by the policy) every installment yields `Skipped("excluded")`.

`group_messages(results)`: one `Message` per (customer, channel), listing every due installment of that
customer whose step uses that channel, each at its own step; the message is worded by the most severe of
those steps (highest offset). So one run sends a customer at most one email, one letter... and makes at most
one phone task and one visit task. Outputs are ordered by customer, then channel (`CHANNELS` order), then
due date and installment id, whatever the input order.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from arctl.reminders.policy import CHANNELS, Ladder, Step


@dataclass(frozen=True, slots=True)
class ItemState:
    """One open installment as the reminder run sees it."""

    installment_id: int
    customer_id: int
    due_on: date
    open_minor: int
    """Still owed, in minor units; 0 (or less) means paid."""
    currency: str
    done_steps: frozenset[str] = frozenset()
    """Keys of the steps already recorded for this installment (by any run, on any ladder)."""
    last_step_on: date | None = None
    """When the most recent of those steps was recorded; None when none was."""
    disputed: bool = False
    """An open dispute (客户异议) holds the installment."""
    on_hold: bool = False
    """The customer is on legal hold."""
    promised_until: date | None = None
    """An open promise to pay holds the installment through this date (the service adds any grace)."""
    promise_broken_on: date | None = None
    """When a promise covering the installment was found broken; escalation starts from that day."""

    @property
    def paid(self) -> bool:
        return self.open_minor <= 0


@dataclass(frozen=True, slots=True)
class Due:
    """A step to take now for one installment."""

    installment_id: int
    customer_id: int
    step: Step
    ladder: str
    due_on: date
    days_late: int
    """`as_of` − due date: negative before the due date."""
    open_minor: int
    currency: str
    fee_minor: int
    """The step's fee on this installment, in its currency; 0 when none."""
    passed: tuple[str, ...] = ()
    """Keys of lower steps reached but never taken (missed days, holds): skipped by the catch-up."""
    escalated: bool = False
    """True when a broken promise brought the step forward of its offset."""


@dataclass(frozen=True, slots=True)
class Skipped:
    """An installment left alone this run, and why."""

    installment_id: int
    customer_id: int
    reason: str
    """"paid", "on hold", "disputed", "promised until YYYY-MM-DD" or "excluded"."""
    step: str | None = None
    """The step it would have got; None for excluded customers (no ladder)."""


@dataclass(frozen=True, slots=True)
class Message:
    """One communication (or task) for one customer on one channel, listing all its due installments."""

    customer_id: int
    channel: str
    step: Step
    """The most severe step among the items: its template words the message."""
    ladder: str
    items: tuple[Due, ...]
    """By due date, then installment id."""
    totals: tuple[tuple[str, int], ...]
    """Open amount per currency (currency order), minor units."""
    fees: tuple[tuple[str, int], ...]
    """Fees charged with this message per currency; currencies without a fee are left out."""

    @property
    def template(self) -> str:
        return self.step.template


def due_steps(items: Sequence[ItemState], ladder: Ladder | None, as_of: date) -> list[Due | Skipped]:
    """For each installment, the step due today or why it is skipped (see the module docstring).

    Ordered by customer, due date and installment id. `ladder` None means the customers are excluded.
    """
    out: list[Due | Skipped] = []
    for item in sorted(items, key=lambda i: (i.customer_id, i.due_on, i.installment_id)):
        if ladder is None:
            out.append(Skipped(item.installment_id, item.customer_id, "excluded"))
            continue
        found = _target(item, ladder, as_of)
        if found is None:
            continue
        index, escalated = found
        step = ladder.steps[index]
        reason = _held(item, as_of)
        if reason:
            out.append(Skipped(item.installment_id, item.customer_id, reason, step.key))
            continue
        done = ladder.level(item.done_steps)
        passed = tuple(s.key for s in ladder.steps[done + 1 : index])
        fee = step.fee.amount(item.open_minor, item.currency) if step.fee else 0
        days_late = (as_of - item.due_on).days
        out.append(
            Due(item.installment_id, item.customer_id, step, ladder.name, item.due_on, days_late,
                item.open_minor, item.currency, fee, passed, escalated)
        )  # fmt: skip
    return out


def reached(ladder: Ladder, due_on: date, as_of: date) -> int:
    """Index of the highest step whose date has come (due date + offset ≤ as_of); −1 if none.

    Offsets increase strictly along a ladder, so this is a bisection on the days since the due date."""
    return bisect_right([step.offset_days for step in ladder.steps], (as_of - due_on).days) - 1


def promise_escalates(item: ItemState, as_of: date) -> bool:
    """A broken promise not yet answered by a step: the next step is due now."""
    broken = item.promise_broken_on
    return broken is not None and broken <= as_of and (item.last_step_on is None or item.last_step_on < broken)


def _target(item: ItemState, ladder: Ladder, as_of: date) -> tuple[int, bool] | None:
    done = ladder.level(item.done_steps)
    index = reached(ladder, item.due_on, as_of)
    target = index if index > done else -1
    if promise_escalates(item, as_of) and target < done + 1 < len(ladder.steps):
        return done + 1, True
    return (target, False) if target >= 0 else None


def _held(item: ItemState, as_of: date) -> str | None:
    if item.paid:
        return "paid"
    if item.on_hold:
        return "on hold"
    if item.disputed:
        return "disputed"
    if item.promised_until is not None and as_of <= item.promised_until:
        return f"promised until {item.promised_until.isoformat()}"
    return None


def group_messages(results: Iterable[Due | Skipped]) -> list[Message]:
    """One message per (customer, channel) from `due_steps` results (Skipped ones are ignored)."""
    groups: dict[tuple[int, str], list[Due]] = {}
    for due in results:
        if isinstance(due, Due):
            groups.setdefault((due.customer_id, due.step.channel), []).append(due)
    order = {channel: i for i, channel in enumerate(CHANNELS)}
    messages = []
    for (customer, channel), dues in sorted(groups.items(), key=lambda kv: (kv[0][0], order[kv[0][1]])):
        dues.sort(key=lambda d: (d.due_on, d.installment_id))
        worst = max(dues, key=lambda d: (d.step.offset_days, d.step.key))
        totals: dict[str, int] = {}
        fees: dict[str, int] = {}
        for due in dues:
            totals[due.currency] = totals.get(due.currency, 0) + due.open_minor
            if due.fee_minor:
                fees[due.currency] = fees.get(due.currency, 0) + due.fee_minor
        messages.append(
            Message(customer, channel, worst.step, worst.ladder, tuple(dues),
                    tuple(sorted(totals.items())), tuple(sorted(fees.items())))
        )  # fmt: skip
    return messages
