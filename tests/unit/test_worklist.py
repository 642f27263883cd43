"""The worklist's scoring and ranking (pure): hand-computed scores, the promise boost, holds, caps, ties."""

from __future__ import annotations

from datetime import date

import pytest

from arctl.domain.money import Money
from arctl.reports.worklist import (
    COLUMNS,
    KINDS,
    NO_ACTION_CAP,
    WorkItem,
    rank,
    risk_weight,
    score,
    worklist_report,
)

D = date(2026, 10, 31)


def item(kind: str = "call", customer: str = "ACME", minor: int | None = 100_000, currency: str = "CNY",
         days: int = 10, grade: str | None = "B", ref: str = "R1", held: bool = False) -> WorkItem:  # fmt: skip
    amount = None if minor is None else Money(minor, currency)
    return WorkItem(kind, customer, f"{customer} Ltd", "what", amount, days, D, grade, "call", ref, held=held)


@pytest.mark.parametrize(
    ("grade", "weight"),
    [("A", 1), ("B", 2), ("C", 3), ("D", 4), (None, 2), ("", 2), ("c", 3), (" d ", 4), ("E", 2), ("AA", 2)],
)
def test_risk_weight_by_grade(grade: str | None, weight: int) -> None:
    assert risk_weight(grade) == weight


def test_score_is_major_units_times_days_times_weight() -> None:
    # CNY 1,000.00 open 45 days, grade C: 1000 x 45 x 3
    assert score(item(minor=100_000, days=45, grade="C")) == 135_000
    # not yet late: days count as 1
    assert score(item(minor=100_000, days=0, grade="A")) == 1_000
    # cents count, rounded half up: 0.50 x 1 x 1 = 0.5 -> 1; 0.49 -> 0
    assert score(item(minor=50, days=0, grade="A")) == 1
    assert score(item(minor=49, days=0, grade="A")) == 0
    # 12.34 x 3 days x 4 = 148.08 -> 148
    assert score(item(minor=1234, days=3, grade="D")) == 148


def test_score_respects_the_currency_exponent_and_converts_nothing() -> None:
    assert score(item(minor=1000, currency="JPY", days=2, grade="A")) == 2000  # JPY has no minor unit
    assert score(item(minor=1000, currency="USD", days=2, grade="A")) == 20  # 10.00 USD
    assert score(item(minor=1000, currency="KWD", days=2, grade="A")) == 2  # 1.000 KWD (3 places)


def test_no_amount_scores_zero() -> None:
    assert score(item(minor=None, days=99, grade="D")) == 0


def test_ranking_by_score_then_customer_then_kind() -> None:
    items = [
        item("cash", "ZED", minor=30_000, days=1, grade="A", ref="PAY1"),  # 300
        item("call", "BETA", minor=10_000, days=6, grade="B", ref="R2"),  # 100 x 6 x 2 = 1200
        item("overdue", "ACME", minor=20_000, days=3, grade="B", ref="ACME"),  # 200 x 3 x 2 = 1200
        item("dispute", "ACME", minor=40_000, days=1, grade="C", ref="D1"),  # 400 x 1 x 3 = 1200
        item("followup", "CARL", minor=500_000, days=40, grade=None, ref="L3"),  # 5000 x 40 x 2 = 400000
    ]
    ranking = rank(items)
    got = [(r.rank, r.item.kind, r.item.customer, r.score) for r in ranking.ranked]
    assert got == [
        (1, "followup", "CARL", 400_000),
        (2, "dispute", "ACME", 1200),  # ties at 1200: ACME before BETA; dispute before overdue (KINDS order)
        (3, "overdue", "ACME", 1200),
        (4, "call", "BETA", 1200),
        (5, "cash", "ZED", 300),
    ]
    assert ranking.total == 5 and ranking.held_out == 0 and ranking.capped == 0


def test_promises_are_boosted_above_any_score() -> None:
    huge = item("call", "AAA", minor=10**12, days=365, grade="D", ref="R9")
    due = item("promise", "ZZZ", minor=100, days=0, grade="A", ref="P1")  # scores 1
    broken = item("broken", "YYY", minor=10_000, days=5, grade="B", ref="P2")  # 100 x 5 x 2 = 1000
    ranking = rank([huge, due, broken])
    assert [(r.item.kind, r.score) for r in ranking.ranked] == [
        ("broken", 1000),  # boosted kinds first, by score among themselves
        ("promise", 1),
        ("call", 10**10 * 365 * 4),
    ]


def test_ties_are_deterministic_whatever_the_input_order() -> None:
    items = [item("call", "ACME", ref=f"R{n}") for n in (3, 1, 2)] + [item("visit", "ACME", ref="R0")]
    first = [r.item.ref for r in rank(items).ranked]
    assert first == ["R1", "R2", "R3", "R0"]  # same score and customer: call before visit, then by ref
    assert [r.item.ref for r in rank(reversed(items)).ranked] == first


def test_legal_hold_drops_calls_visits_and_overdue_only() -> None:
    kinds = ["call", "visit", "overdue", "legal", "promise", "broken", "dispute", "followup", "cash"]
    ranking = rank([item(k, "HELD", held=True, ref=k) for k in kinds] + [item("call", "FREE", ref="x")])
    kept = sorted((r.item.customer, r.item.kind) for r in ranking.ranked)
    assert ("HELD", "call") not in kept and ("HELD", "visit") not in kept and ("HELD", "overdue") not in kept
    assert {k for c, k in kept if c == "HELD"} == {"legal", "promise", "broken", "dispute", "followup", "cash"}
    assert ("FREE", "call") in kept
    assert ranking.held_out == 3


def test_overdue_items_are_capped_keeping_the_highest() -> None:
    many = [item("overdue", f"C{n:03d}", minor=1000 * (n + 1), ref=f"C{n:03d}") for n in range(NO_ACTION_CAP + 5)]
    ranking = rank([*many, item("call", "ZZZ", minor=1)])
    overdue = [r for r in ranking.ranked if r.item.kind == "overdue"]
    assert len(overdue) == NO_ACTION_CAP
    assert overdue[0].item.customer == f"C{NO_ACTION_CAP + 4:03d}"  # the largest
    assert ranking.capped == 5
    assert ranking.ranked[-1].item.kind == "call"  # the cap never removes other kinds
    assert ranking.total == NO_ACTION_CAP + 1


def test_limit_keeps_the_first_ranks_and_counts_all() -> None:
    ranking = rank([item(ref=f"R{n}", minor=1000 * n) for n in range(1, 6)], limit=2)
    assert [r.rank for r in ranking.ranked] == [1, 2]
    assert [r.item.ref for r in ranking.ranked] == ["R5", "R4"]
    assert ranking.total == 5
    with pytest.raises(ValueError, match="at least 1"):
        rank([], limit=0)


def test_unknown_kind_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown work item kind"):
        rank([item("phone")])


def test_report_rows_columns_and_notes() -> None:
    ranking = rank([item("call", "ACME", minor=123_456, days=7, grade="C", ref="R7"),
                    item("followup", "BETA", minor=None, ref="L1")], limit=1)  # fmt: skip
    report = worklist_report(ranking, D, collector="ann")
    assert report.name == "worklist" and report.title == "Worklist for ann as of 2026-10-31"
    assert [c.key for c in report.columns] == [
        "rank", "kind", "customer", "name", "what", "amount", "currency", "days", "date", "score", "action",
        "contact", "phone", "grade", "ref",
    ]  # fmt: skip
    assert [c.key for c in COLUMNS if not c.wide_only] == [
        "rank", "kind", "customer", "what", "amount", "currency", "days", "action"
    ]  # fmt: skip
    (row,) = list(report.rows)
    assert row["rank"] == 1 and row["amount"] == Money(123_456, "CNY") and row["currency"] == "CNY"
    assert row["score"] == 25926  # 1234.56 x 7 x 3 = 25925.76, rounded half up
    assert row["grade"] == "C" and row["ref"] == "R7"
    assert any("showing 1 of 2" in n for n in report.notes)
    assert any(n.startswith("score = amount") for n in report.notes)


def test_empty_report_has_no_rows_and_no_score_note() -> None:
    report = worklist_report(rank([]), D)
    assert list(report.rows) == [] and report.title == "Worklist as of 2026-10-31"
    assert not any(n.startswith("score") for n in report.notes)


def test_kinds_are_short_enough_for_the_table() -> None:
    assert all(len(k) <= 8 for k in KINDS)
