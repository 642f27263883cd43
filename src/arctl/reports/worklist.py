"""The day's worklist (`arctl today`): candidate work items in, one ranked Report out. Pure: no database.

Scoring (exact, integers only)::

    score = round_half_up(amount at risk in major units × max(days late, 1) × risk weight)

- *amount at risk* is the item's open amount in its own currency, taken in major units by that currency's
  exponent (CNY 1234.56 → 1234.56, JPY 1234 → 1234). **Currencies are not converted**: a USD item and a
  CNY item are ranked by their numbers as they stand, so a list mixing currencies ranks them only roughly;
- *days late* is never below 1 in the product (an item not yet late still counts its amount once);
- *risk weight* by the customer's credit grade: A 1 · B 2 · C 3 · D 4 · no grade (or an unknown one) 2.

Example: CNY 1,000.00 open 45 days for a grade C customer scores 1000 × 45 × 3 = 135000.

Ranking: promises due today and promises broken in the last days (`BOOSTED`) get a boost that no score
can beat: they come first, in score order among themselves; then every other item by score, highest
first. Ties are broken by customer code, then kind (in `KINDS` order), then the item's reference, so the
same ledger always gives the same list.

Filters applied here:
- customers on legal hold (`held`) get no call, visit or "overdue" item (`HOLD_DROPS`): the lawyer
  speaks for the company; their other items (legal tasks, promises, disputes, cash) stay;
- "overdue" items (over 30 days late with no action) are capped at `NO_ACTION_CAP` (the highest scores): a neglected book
  must not bury the day's real tasks; a note says how many more there were;
- `limit` keeps the first N ranks (a note says how many there were in all).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from arctl.domain.money import EXPONENTS, Money, exponent
from arctl.domain.report import Column, Report, Row

KINDS = (
    "broken",
    "promise",
    "call",
    "visit",
    "legal",
    "dispute",
    "followup",
    "cash",
    "bank",
    "overdue",
)
"""Every kind of work item (stable machine names, short for the table); this order also breaks ties
(after score and customer code). `KIND_TITLES` says what each is."""
KIND_TITLES = {
    "broken": "promise broken in the last 7 days, no contact since",
    "promise": "promise to pay due today, still open",
    "call": "phone task from the dunning ladder",
    "visit": "visit task from the dunning ladder",
    "legal": "legal task from the dunning ladder",
    "dispute": "dispute open longer than the alert limit",
    "followup": "next step planned in the contact log, nothing logged since",
    "cash": "payment received in the last 7 days, not (fully) applied",
    "bank": "bank line booked in the last 7 days, payer not identified",
    "overdue": "more than 30 days overdue, no reminder, task or contact in 14 days",
}
BOOSTED = frozenset({"promise", "broken"})
"""Kinds ranked above every other item, whatever the scores."""
HOLD_DROPS = frozenset({"call", "visit", "overdue"})
"""Kinds left out for customers on legal hold."""
RISK_WEIGHTS = {"A": 1, "B": 2, "C": 3, "D": 4}
NO_GRADE_WEIGHT = 2
NO_ACTION_CAP = 10
"""At most this many "overdue" items in a list."""
_KIND_ORDER = {kind: i for i, kind in enumerate(KINDS)}


@dataclass(frozen=True, slots=True)
class WorkItem:
    """One thing to do today, before ranking."""

    kind: str
    """One of `KINDS`."""
    customer: str
    """Customer code ("" for a bank line whose payer is not identified)."""
    name: str
    """Customer name (a bank line's payer name when no customer is known)."""
    what: str
    """Short description: which record, what happened."""
    amount: Money | None
    """Amount at risk, in the item's currency; None when nothing is owed (a follow-up on a customer with
    nothing overdue, a dispute whose items are paid): it scores 0."""
    days_late: int
    """Days late (tasks, promises, disputes, overdue: of the money; cash: days waiting), never negative."""
    date: date | None
    """Due or next date: the oldest due date (tasks, overdue), the planned date (follow-up), the promised
    date, the day a dispute was opened, the day cash came in."""
    grade: str | None
    """The customer's credit grade (A-D) or None."""
    action: str
    """What to do, with the phone number where a call is the action."""
    ref: str
    """The source record: R<message id>, L<contact-log id>, P<promise id>, D<dispute id>, PAY<payment id>,
    BL<bank line id>, or the customer code for "overdue"."""
    contact: str = ""
    """The customer's primary contact."""
    phone: str = ""
    """That contact's phone number."""
    held: bool = False
    """The customer is on legal hold on the day."""


@dataclass(frozen=True, slots=True)
class Ranked:
    rank: int
    score: int
    item: WorkItem


def risk_weight(grade: str | None) -> int:
    """A 1 · B 2 · C 3 · D 4 · anything else (no grade) 2."""
    return RISK_WEIGHTS.get((grade or "").strip().upper(), NO_GRADE_WEIGHT)


def score(item: WorkItem) -> int:
    """amount (major units of its currency) × max(days late, 1) × risk weight, rounded half up."""
    if item.amount is None:
        return 0
    currency = item.amount.currency
    places = EXPONENTS.get(currency)
    unit = 10 ** (exponent(currency) if places is None else places)
    product = item.amount.minor * max(item.days_late, 1) * risk_weight(item.grade)
    if product >= 0:
        return (product + unit // 2) // unit
    return -((-product + unit // 2) // unit)


def sort_key(item: WorkItem, item_score: int) -> tuple[int, int, str, int, str]:
    """Boosted kinds first, then score (highest first), customer code, kind, reference."""
    return (0 if item.kind in BOOSTED else 1, -item_score, item.customer, _KIND_ORDER[item.kind], item.ref)


@dataclass(frozen=True, slots=True)
class Ranking:
    ranked: list[Ranked]
    total: int
    """Items before `limit` (after the hold and overdue-cap rules)."""
    held_out: int
    """Call, visit and overdue items left out for customers on legal hold."""
    capped: int
    """No-action items beyond `NO_ACTION_CAP`."""


def rank(items: Iterable[WorkItem], *, limit: int | None = None, no_action_cap: int = NO_ACTION_CAP) -> Ranking:
    """Apply the hold and cap rules, score, sort and number the items (rank 1 = do first)."""
    if limit is not None and limit < 1:
        raise ValueError(f"limit must be at least 1, not {limit}")
    kept: list[tuple[WorkItem, int]] = []
    held_out = 0
    for item in items:
        if item.kind not in _KIND_ORDER:
            raise ValueError(f"unknown work item kind {item.kind!r}")
        if item.held and item.kind in HOLD_DROPS:
            held_out += 1
            continue
        kept.append((item, score(item)))
    kept.sort(key=lambda pair: sort_key(*pair))
    out: list[tuple[WorkItem, int]] = []
    no_action = capped = 0
    for item, item_score in kept:
        if item.kind == "overdue":
            no_action += 1
            if no_action > no_action_cap:
                capped += 1
                continue
        out.append((item, item_score))
    total = len(out)
    if limit is not None:
        out = out[:limit]
    ranked = [Ranked(i, s, item) for i, (item, s) in enumerate(out, start=1)]
    return Ranking(ranked, total, held_out, capped)


COLUMNS = (
    Column("rank", "#", "int"),
    Column("kind", "Kind"),
    Column("customer", "Customer"),
    Column("name", "Name", wide_only=True),
    Column("what", "Item details"),
    Column("amount", "At risk", "money"),
    Column("currency", "Cur"),
    Column("days", "Late", "int"),
    Column("date", "Due/next", "date", wide_only=True),
    Column("score", "Score", "int", wide_only=True),
    Column("action", "Suggested action"),
    Column("contact", "Contact", wide_only=True),
    Column("phone", "Phone", wide_only=True),
    Column("grade", "Grade", wide_only=True),
    Column("ref", "Ref", wide_only=True),
)
"""Stable columns (csv header, json keys): add new ones at the end. The 80-column table shows rank,
kind, customer, what, amount, currency, days late and action (the rank order carries the score)."""


def worklist_report(
    ranking: Ranking, as_of: date, *, collector: str | None = None, extra_notes: Sequence[str] = ()
) -> Report:
    """The ranked items as a Report: one row per item, no totals (items of one customer overlap)."""
    rows: list[Row] = [
        {
            "rank": r.rank, "kind": r.item.kind, "customer": r.item.customer, "name": r.item.name,
            "what": r.item.what, "amount": r.item.amount,
            "currency": r.item.amount.currency if r.item.amount else "",
            "days": r.item.days_late, "date": r.item.date, "score": r.score, "action": r.item.action,
            "contact": r.item.contact, "phone": r.item.phone, "grade": r.item.grade or "", "ref": r.item.ref,
        }
        for r in ranking.ranked
    ]  # fmt: skip
    notes: list[str] = []
    if len(ranking.ranked) < ranking.total:
        notes.append(f"showing {len(ranking.ranked)} of {ranking.total} items (--limit)")
    if ranking.capped:
        notes.append(
            f"{ranking.capped} more customer(s) overdue over 30 days with no action in 14 days "
            f"(only the top {NO_ACTION_CAP} are listed; see arctl aging --min-days 31)"
        )
    if ranking.held_out:
        notes.append(f"{ranking.held_out} call/visit/overdue item(s) left out: customers on legal hold")
    notes.extend(extra_notes)
    if rows:
        notes.append(
            "score = amount × days late (min 1) × grade weight (A1 B2 C3 D4, none 2); promises first; "
            "currencies not converted"
        )
        if any(r.item.kind in ("call", "visit", "legal") for r in ranking.ranked):
            notes.append("a task is closed by logging the contact: arctl contact log CUSTOMER --channel phone ...")
    who = f" for {collector}" if collector else ""
    return Report("worklist", f"Worklist{who} as of {as_of}", COLUMNS, rows, as_of=as_of, notes=notes)
