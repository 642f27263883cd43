"""A customer's story in dated order (for `customer show`): documents, due dates, promises, disputes,
reminders, contacts and holds. Pure: events in, a Report out."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from arctl.domain.money import Money
from arctl.domain.report import Column, Report

LABELS = {
    "invoice": "invoice issued", "due": "falls due", "reminder": "reminder", "contact": "contact",
    "promise": "promise made", "dispute": "dispute opened", "hold": "legal hold", "payment": "payment",
    "credit_note": "credit note", "write_off": "write-off", "discount": "discount",
    "promise_kept": "promise kept", "promise_partly_kept": "promise partly kept",
    "promise_broken": "promise broken", "promise_cancelled": "promise cancelled",
    "dispute_resolved": "dispute resolved", "void": "invoice voided", "payment_reversal": "payment reversed",
    "credit_reversal": "credit reversed", "release": "hold released",
}  # fmt: skip
"""Event kind → what the timeline says."""

_ORDER = {"invoice": 0, "due": 1, "release": 2, "hold": 3, "reminder": 4, "contact": 5, "promise": 6,
          "dispute": 6, "payment": 7, "credit_note": 7, "write_off": 7, "discount": 7, "promise_kept": 8,
          "promise_partly_kept": 8, "promise_broken": 8, "promise_cancelled": 8, "dispute_resolved": 8,
          "void": 9, "payment_reversal": 9, "credit_reversal": 9}  # fmt: skip
"""On one day: what was issued or fell due first, then what was done about it, then what it led to. A
hold released on a day ends before that day begins (the release day is not held), so it comes before a
new hold from the same day."""


@dataclass(frozen=True, slots=True)
class Event:
    """One dated happening in a customer's history."""

    on: date
    kind: str
    """A key of LABELS."""
    document: str
    """INV-7, INV-7/2, P12, CN-00001, promise 3, dispute 2, ..."""
    details: str = ""
    amount: Money | None = None


def order_key(event: Event) -> tuple[date, int, str, str]:
    return (event.on, _ORDER.get(event.kind, 6), event.document, event.details)


def timeline(events: Iterable[Event], *, customer: str, as_of: date) -> Report:
    """Events dated on or before `as_of`, oldest first (a stable order within a day: see `_ORDER`)."""
    rows = [
        {"on": e.on, "event": LABELS.get(e.kind, e.kind.replace("_", " ")), "document": e.document,
         "details": e.details, "amount": e.amount}
        for e in sorted((e for e in events if e.on <= as_of), key=order_key)
    ]  # fmt: skip
    columns = (
        Column("on", "Date", "date"),
        Column("event", "Event"),
        Column("document", "Document"),
        Column("details", "Details"),
        Column("amount", "Amount", "money"),
    )
    return Report("timeline", f"History of {customer} to {as_of}", columns, rows, as_of=as_of)
