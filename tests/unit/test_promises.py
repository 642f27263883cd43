"""Promise states derived from receipts: kept, open, partly kept, broken, cancelled; exact day boundaries."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from arctl.domain.errors import InvalidInput
from arctl.domain.promises import kept_percent, promise_state

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
