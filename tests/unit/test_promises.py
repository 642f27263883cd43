"""Promise states derived from receipts: kept, open, partly kept, broken, cancelled; exact day boundaries."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from arctl.domain.errors import InvalidInput
from arctl.domain.promises import PromiseTerms, kept_percent, promise_state, promise_states

MADE, BY = date(2026, 11, 2), date(2026, 11, 10)


def state(receipts, as_of, grace=2, amount=100_000, cancelled_on=None):  # type: ignore[no-untyped-def]
    return promise_state(amount, MADE, BY, grace, receipts, as_of, cancelled_on)


def test_open_until_the_grace_ends_then_broken_the_day_after() -> None:
    assert state([], BY).status == "open"
    last = state([], date(2026, 11, 12))
    assert (last.status, last.holds) == ("open", True)
    broken = state([], date(2026, 11, 13))
    assert (broken.status, broken.broken_on, broken.holds, broken.failed) == (
        "broken",
        date(2026, 11, 13),
        False,
        True,
    )


def test_kept_on_the_day_receipts_reach_the_amount() -> None:
    s = state([(date(2026, 11, 5), 40_000), (date(2026, 11, 11), 60_000)], date(2026, 12, 31))
    assert (s.status, s.kept_on, s.paid_minor) == ("kept", date(2026, 11, 11), 100_000)
    assert state([(date(2026, 11, 5), 40_000), (date(2026, 11, 11), 60_000)], date(2026, 11, 10)).status == "open"


def test_partly_kept_when_some_came_in_time() -> None:
    s = state([(date(2026, 11, 5), 40_000), (date(2026, 11, 13), 60_000)], date(2026, 11, 20))
    assert (s.status, s.paid_minor, s.broken_on) == ("partly kept", 40_000, date(2026, 11, 13))
    assert s.failed and not s.holds


def test_receipts_before_the_promise_was_made_do_not_count() -> None:
    assert state([(date(2026, 11, 1), 100_000)], date(2026, 11, 20)).status == "broken"
    assert state([(MADE, 100_000)], date(2026, 11, 20)).status == "kept"


def test_reproducible_for_a_past_date() -> None:
    receipts = [(date(2026, 11, 9), 100_000)]
    assert state(receipts, date(2026, 11, 8)).status == "open"
    assert state(receipts, date(2026, 11, 9)).status == "kept"


def test_cancelled_holds_nothing_and_is_not_counted() -> None:
    s = state([], date(2026, 11, 5), cancelled_on=date(2026, 11, 4))
    assert (s.status, s.holds, s.failed) == ("cancelled", False, False)
    assert state([], date(2026, 11, 3), cancelled_on=date(2026, 11, 4)).status == "open"


def test_bad_promises_are_refused() -> None:
    with pytest.raises(InvalidInput):
        promise_state(0, MADE, BY, 0, [], BY)
    with pytest.raises(InvalidInput):
        promise_state(1, BY, MADE, 0, [], BY)
    with pytest.raises(InvalidInput):
        promise_state(1, MADE, BY, -1, [], BY)


def test_kept_percent() -> None:
    kept = state([(BY, 100_000)], date(2026, 12, 1))
    broken = state([], date(2026, 12, 1))
    partly = state([(BY, 1)], date(2026, 12, 1))
    opened = state([], BY)
    assert kept_percent([]) is None
    assert kept_percent([opened]) is None
    assert kept_percent([kept, broken, opened]) == 50
    assert kept_percent([kept, broken, partly]) == 33
    assert kept_percent([kept, kept, broken]) == 67


@given(
    st.lists(st.tuples(st.integers(0, 30), st.integers(1, 80_000)), max_size=6),
    st.integers(0, 40),
    st.integers(0, 5),
)
def test_status_is_monotone_in_time(receipts: list[tuple[int, int]], day: int, grace: int) -> None:
    """Once decided (kept / partly kept / broken) a promise stays so on every later day."""
    dated = [(MADE + timedelta(days=d), m) for d, m in receipts]
    now = state(dated, MADE + timedelta(days=day), grace)
    later = state(dated, MADE + timedelta(days=day + 7), grace)
    if now.status != "open":
        assert later.status == now.status
        assert later.paid_minor == now.paid_minor


# --- several promises of one customer share the receipts -------------------------------------------


def shared(receipts: list[tuple[date, int]], as_of: date, *terms: PromiseTerms) -> list[tuple[str, int]]:
    return [(s.status, s.paid_minor) for s in promise_states(list(terms), receipts, as_of)]


A = PromiseTerms(10_000, MADE, BY, 0)
B = PromiseTerms(10_000, MADE, BY + timedelta(days=3), 0)


def test_one_payment_keeps_one_of_two_overlapping_promises() -> None:
    paid = [(BY, 10_000)]
    assert shared(paid, BY, A, B) == [("kept", 10_000), ("open", 0)]
    assert shared(paid, BY + timedelta(days=10), A, B) == [("kept", 10_000), ("broken", 0)]
    assert shared(paid, BY + timedelta(days=10), B, A) == [("broken", 0), ("kept", 10_000)]  # by date, not order


def test_a_payment_for_both_keeps_both_and_the_rest_goes_on() -> None:
    assert shared([(BY, 25_000)], BY, A, B) == [("kept", 10_000), ("kept", 15_000)]
    assert shared([(BY - timedelta(days=1), 4_000), (BY, 8_000)], BY + timedelta(days=9), A, B) == [
        ("kept", 10_000), ("partly kept", 2_000),
    ]  # fmt: skip
    # a payment after A's window can only serve B
    assert shared([(BY, 4_000), (BY + timedelta(days=1), 8_000)], BY + timedelta(days=9), A, B) == [
        ("partly kept", 4_000), ("partly kept", 8_000),
    ]  # fmt: skip


def test_a_cancelled_promise_takes_nothing() -> None:
    cancelled = PromiseTerms(10_000, MADE, BY, 0, cancelled_on=MADE + timedelta(days=1))
    assert shared([(BY, 10_000)], BY, cancelled, B) == [("cancelled", 0), ("kept", 10_000)]


def test_receipts_outside_a_window_go_to_the_promise_whose_window_holds_them() -> None:
    late = PromiseTerms(10_000, BY + timedelta(days=5), BY + timedelta(days=20), 0)
    assert shared([(BY + timedelta(days=6), 10_000)], BY + timedelta(days=30), A, late) == [
        ("broken", 0), ("kept", 10_000),
    ]  # fmt: skip


terms_strategy = st.builds(
    lambda amount, made, length, grace: PromiseTerms(amount, MADE + timedelta(days=made),
                                                     MADE + timedelta(days=made + length), grace),
    st.integers(1, 50_000), st.integers(0, 20), st.integers(0, 20), st.integers(0, 4),
)  # fmt: skip


@given(
    st.lists(terms_strategy, min_size=1, max_size=4),
    st.lists(st.tuples(st.integers(-3, 50), st.integers(1, 60_000)), max_size=6),
    st.integers(0, 60),
)
def test_no_receipt_is_counted_twice(terms: list[PromiseTerms], receipts: list[tuple[int, int]], day: int) -> None:
    dated = [(MADE + timedelta(days=d), m) for d, m in receipts]
    as_of = MADE + timedelta(days=day)
    states = promise_states(terms, dated, as_of)
    in_some_window = sum(m for d, m in dated if d <= as_of and any(t.made_on <= d <= t.holds_until for t in terms))
    assert sum(s.paid_minor for s in states) <= in_some_window
    for t, s in zip(terms, states, strict=True):
        own = sum(m for d, m in dated if t.made_on <= d <= min(as_of, t.holds_until))
        assert s.paid_minor <= own
        assert (s.status == "kept") == (s.kept_on is not None)
        if s.status == "kept":
            assert s.paid_minor >= t.amount_minor
    if len(terms) == 1:  # alone, a promise counts every receipt of its window up to the day it was kept
        assert states[0] == promise_state(terms[0].amount_minor, terms[0].made_on, terms[0].due_on,
                                          terms[0].grace_days, dated, as_of)  # fmt: skip


def test_a_receipt_no_open_promise_needs_is_not_counted() -> None:
    # A is kept by the first receipt; the second, in A's window only, counts nowhere
    assert shared([(BY - timedelta(days=2), 10_000), (BY - timedelta(days=1), 5_000)], BY, A) == [("kept", 10_000)]
    # a surplus stays with the promise it kept, as a single promise shows what came
    assert shared([(BY, 12_000)], BY + timedelta(days=10), A) == [("kept", 12_000)]


def test_ties_on_the_promised_date_go_by_the_day_made_then_the_order_given() -> None:
    early = PromiseTerms(10_000, MADE, BY, 0)
    later = PromiseTerms(10_000, MADE + timedelta(days=1), BY, 0)
    after = BY + timedelta(days=1)
    assert shared([(BY, 10_000)], after, later, early) == [("broken", 0), ("kept", 10_000)]
    assert shared([(BY, 10_000)], after, early, early) == [("kept", 10_000), ("broken", 0)]


@given(
    st.lists(terms_strategy, min_size=1, max_size=4),
    st.lists(st.tuples(st.integers(-3, 50), st.integers(1, 60_000)), max_size=6),
    st.integers(0, 60),
    st.randoms(use_true_random=False),
)
def test_shared_states_do_not_depend_on_the_order_of_the_receipts(
    terms: list[PromiseTerms],
    receipts: list[tuple[int, int]],
    day: int,
    rnd,  # type: ignore[no-untyped-def]
) -> None:
    dated = [(MADE + timedelta(days=d), m) for d, m in receipts]
    shuffled = list(dated)
    rnd.shuffle(shuffled)
    as_of = MADE + timedelta(days=day)
    assert promise_states(terms, dated, as_of) == promise_states(terms, shuffled, as_of)


@given(
    st.lists(terms_strategy, min_size=1, max_size=4),
    st.lists(st.tuples(st.integers(-3, 50), st.integers(1, 60_000)), max_size=6),
    st.integers(0, 60),
    st.integers(1, 30),
)
def test_shared_states_once_decided_stay_so(
    terms: list[PromiseTerms], receipts: list[tuple[int, int]], day: int, more: int
) -> None:
    """Receipts are shared in date order, so what a later day brings never changes an earlier decision."""
    dated = [(MADE + timedelta(days=d), m) for d, m in receipts]
    now = promise_states(terms, dated, MADE + timedelta(days=day))
    later = promise_states(terms, dated, MADE + timedelta(days=day + more))
    for a, b in zip(now, later, strict=True):
        if a.status != "open":
            assert b == a
