"""Bounded subset sum."""

from __future__ import annotations

import itertools
import random

from hypothesis import given
from hypothesis import strategies as st

from arctl.matching.subset import SubsetFinder, find_subset


def brute(amounts: list[int], target: int, max_size: int = 6, large_items: int = 12) -> tuple[int, ...] | None:
    """Smallest set, then first in index order; sets above 4 only among the first `large_items`."""
    for size in range(2, min(max_size, len(amounts)) + 1):
        limit = len(amounts) if size <= 4 else min(large_items, len(amounts))
        for combo in itertools.combinations(range(limit), size):
            if sum(amounts[i] for i in combo) == target:
                return combo
    return None


def test_three_invoices_in_one_transfer() -> None:
    amounts = [120_000, 35_500, 80_000, 4_200, 99_999]
    result = find_subset(amounts, 120_000 + 80_000 + 4_200)
    assert result.indices == (0, 2, 3)


def test_prefers_fewer_items_then_oldest() -> None:
    amounts = [10, 20, 30, 5, 25, 30]
    assert find_subset(amounts, 30).indices == (0, 1)  # 10+20 before 5+25; the single 30 is not a set
    assert find_subset(amounts, 60).indices == (2, 5)  # 30+30: two items beat 10+20+30
    assert find_subset(amounts, 65).indices == (0, 2, 4)  # no pair: the oldest of the triples
    assert find_subset([1, 2, 3, 4, 100, 50, 50], 100).indices == (5, 6)  # two items beat four


def test_nothing_found() -> None:
    assert find_subset([100, 200, 300], 50).indices is None
    assert find_subset([100, 200, 300], 601).indices is None
    assert find_subset([], 10).indices is None
    assert find_subset([10], 10).indices is None  # a single item is not a set...
    assert find_subset([10], 10, min_size=1).indices == (0,)  # ...unless asked for


def test_size_limit() -> None:
    amounts = [1, 2, 4, 8, 16, 32, 64]
    assert find_subset(amounts, 127, max_size=7).indices == (0, 1, 2, 3, 4, 5, 6)
    assert find_subset(amounts, 127, max_size=6).indices is None


def test_large_sets_only_among_the_oldest() -> None:
    amounts = [1000 * 2**i for i in range(14)]
    target = sum(amounts[9:14])  # five items, all beyond the first 8
    assert find_subset(amounts, target, large_items=8).indices is None
    assert find_subset(amounts, target, large_items=14).indices == (9, 10, 11, 12, 13)


def test_bounded_search_on_sixty_items_with_an_impossible_target() -> None:
    """60 items and sets of up to 6 are ~50 million combinations; the filters and the budget keep it small."""
    rng = random.Random(7)
    amounts = [rng.randrange(10_000, 1_000_000) * 2 for _ in range(60)]  # all even
    finder = SubsetFinder(amounts, max_size=6, large_items=60)
    result = finder.find(1_234_567, node_budget=5_000)  # odd: no set of even amounts reaches it
    assert result.indices is None
    assert result.nodes <= 5_000 + 60
    # an adversarial list where every sum filter says "maybe": the walk gives up at the budget
    ones = [1] * 59 + [1000]
    result = SubsetFinder(ones, max_size=6, large_items=60).find(1006, node_budget=500)
    assert result.indices is None or sum(ones[i] for i in result.indices) == 1006
    assert result.nodes <= 500 + 60


def test_budget_exhaustion_is_reported() -> None:
    amounts = [5, 19, 3, 9, 4, 16, 15, 16, 13, 7, 4, 16, 1, 13, 14, 1, 15, 9, 8, 19,
               4, 11, 1, 1, 1, 18, 1, 13, 7, 14, 1, 17, 8, 15, 16, 18, 8, 12, 8, 8]  # fmt: skip
    result = SubsetFinder(amounts, max_size=6, large_items=40).find(98, node_budget=50)
    assert result.indices is None
    assert result.exhausted
    assert result.nodes <= 50 + len(amounts)


def test_finder_answers_many_targets() -> None:
    finder = SubsetFinder([5, 3, 7, 2, 9], max_size=6)
    assert finder.find(12, node_budget=100).indices == (0, 2)
    assert finder.find(23, node_budget=100).indices == (0, 2, 3, 4)
    assert finder.find(1, node_budget=100).indices is None


@given(
    st.lists(st.integers(min_value=1, max_value=60), max_size=14),
    st.integers(min_value=1, max_value=250),
    st.sampled_from([4, 8, 12]),
)
def test_matches_brute_force(amounts: list[int], target: int, large_items: int) -> None:
    result = find_subset(amounts, target, node_budget=10**9, large_items=large_items)
    assert result.indices == brute(amounts, target, large_items=large_items)


@given(
    st.lists(st.integers(min_value=1, max_value=10**9), min_size=2, max_size=30),
    st.data(),
)
def test_found_sets_sum_exactly_and_use_each_item_once(amounts: list[int], data: st.DataObject) -> None:
    chosen = data.draw(st.sets(st.integers(0, len(amounts) - 1), min_size=2, max_size=min(4, len(amounts))))
    target = sum(amounts[i] for i in chosen)
    result = find_subset(amounts, target, node_budget=100_000)
    assert result.indices is not None  # sets of 2-4 among 30 are always searched to the end
    assert len(set(result.indices)) == len(result.indices)
    assert list(result.indices) == sorted(result.indices)
    assert sum(amounts[i] for i in result.indices) == target
    assert len(result.indices) <= len(chosen)
