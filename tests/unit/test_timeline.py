"""Pure pieces of the collections commands: the customer timeline's order, and a dispute credit's spread."""

from __future__ import annotations

from datetime import date

import pytest

from arctl.domain.errors import InvalidInput, Refused
from arctl.domain.money import Money
from arctl.reports.timeline import LABELS, Event, timeline
from arctl.services.disputes import parse_reason, spread

D = date.fromisoformat


def test_oldest_first_and_a_stable_order_within_a_day():
    events = [
        Event(D("2026-10-14"), "dispute_resolved", "dispute 1", "credit note CN-00001"),
        Event(D("2026-10-14"), "credit_note", "CN-00001", "", Money(5000, "CNY")),
        Event(D("2026-09-01"), "due", "INV-2/1", "", Money(15000, "CNY")),
        Event(D("2026-09-01"), "invoice", "INV-2", "", Money(50000, "CNY")),
        Event(D("2026-10-08"), "promise_kept", "promise 1"),
        Event(D("2026-10-08"), "payment", "P3", "", Money(70000, "CNY")),
        Event(D("2026-10-08"), "void", "INV-9"),
        Event(D("2026-10-08"), "reminder", "R1"),
    ]
    report = timeline(events, customer="ACME", as_of=D("2026-10-31"))
    assert [(r["on"].isoformat(), r["event"]) for r in report.rows] == [
        ("2026-09-01", "invoice issued"), ("2026-09-01", "falls due"),
        ("2026-10-08", "reminder"), ("2026-10-08", "payment"), ("2026-10-08", "promise kept"),
        ("2026-10-08", "invoice voided"),
        ("2026-10-14", "credit note"), ("2026-10-14", "dispute resolved"),
    ]  # fmt: skip
    assert report.title == "History of ACME to 2026-10-31"
    assert [c.key for c in report.columns] == ["on", "event", "document", "details", "amount"]


def test_events_after_the_as_of_date_are_left_out():
    events = [Event(D("2026-10-01"), "invoice", "INV-1"), Event(D("2026-10-02"), "payment", "P1")]
    assert [r["document"] for r in timeline(events, customer="X", as_of=D("2026-10-01")).rows] == ["INV-1"]
    assert timeline([], customer="X", as_of=D("2026-10-01")).rows == []


def test_unknown_kinds_still_read():
    rows = timeline([Event(D("2026-10-01"), "new_thing", "X1")], customer="X", as_of=D("2026-10-01")).rows
    assert rows[0]["event"] == "new thing"
    assert all(label and label == label.lower() for label in LABELS.values())


@pytest.mark.parametrize(
    ("amount", "owed", "parts"),
    [(100, [30, 50, 40], [30, 50, 20]), (120, [30, 50, 40], [30, 50, 40]), (1, [0, 5], [0, 1]),
     (7, [7], [7])],
)  # fmt: skip
def test_spread_fills_items_in_order(amount, owed, parts):
    assert spread(amount, owed) == parts
    assert sum(parts) == amount


def test_spread_refuses_too_much_or_nothing():
    with pytest.raises(Refused):
        spread(121, [30, 50, 40])
    with pytest.raises(InvalidInput, match="--amount"):
        spread(0, [30])


@pytest.mark.parametrize(
    ("text", "code"),
    [("price", "price"), ("Not_Received", "not-received"), ("not received", "not-received"), (" OTHER ", "other")],
)
def test_dispute_reasons(text, code):
    assert parse_reason(text) == code


def test_bad_dispute_reason():
    with pytest.raises(InvalidInput, match="--reason"):
        parse_reason("too expensive")
