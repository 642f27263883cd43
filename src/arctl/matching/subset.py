"""Bounded subset sum: which few of a customer's open items add up exactly to a transfer.

Items come in preference order (oldest first). The answer is the smallest set (2..max_size items) whose
amounts sum exactly to the target; among sets of that size, the first in index order, i.e. the oldest.

Two stages per size, so that the usual case, no set at all, costs next to nothing:
1. a filter over sums of pairs (and, for sets of 5 and 6, of triples), made of set look-ups at C speed,
   that rules the size out or says a set may exist: sizes 2-4 among all `n` items (n(n-1)/2 pair sums),
   sizes 5-6 among the oldest `large_items` only (a transfer for that many invoices pays the oldest);
2. only when the filter passes, a depth-first walk in index order whose last two items are a two-sum
   look-up by amount. Every step counts; the walk stops after `node_budget` steps whatever it has found.
Both stages are bounded (the filter by n² and large_items³, the walk by the budget), never by the
number of combinations.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate, combinations


@dataclass(frozen=True, slots=True)
class SubsetResult:
    """The outcome of one search."""

    indices: tuple[int, ...] | None
    """Positions of the chosen items, ascending; None when no set was found."""
    nodes: int
    """Walk steps spent (at most the budget plus one scan of the items)."""
    exhausted: bool
    """True when the budget ran out before the walk did (a set may exist)."""


class _Budget(Exception):
    pass


class SubsetFinder:
    """One list of positive amounts, searched for many targets; tables are built on first need."""

    __slots__ = (
        "_bounds",
        "_small",
        "_sum_set",
        "_sums",
        "_total",
        "_where",
        "amounts",
        "large_items",
        "max_size",
        "n",
    )

    def __init__(self, amounts: Sequence[int], max_size: int, large_items: int = 12) -> None:
        self.amounts = tuple(amounts)
        self.n = len(self.amounts)
        self.max_size = max(0, min(max_size, self.n))
        self.large_items = max(0, min(large_items, self.n))
        self._total = sum(self.amounts)
        self._sums: list[int] | None = None
        self._sum_set: set[int] = set()
        self._where: dict[int, list[int]] | None = None
        self._bounds: tuple[list[int], list[int]] | None = None
        self._small: tuple[set[int], list[int], set[int]] | None = None

    def _pair_sums(self) -> tuple[list[int], set[int]]:
        if self._sums is None:
            self._sums = _pair_sums_of(self.amounts)
            self._sum_set = set(self._sums)
        return self._sums, self._sum_set

    def _small_sums(self) -> tuple[set[int], list[int], set[int]]:
        """(pair sums, triple sums, triple-sum set) among the oldest `large_items`."""
        if self._small is None:
            head = self.amounts[: self.large_items]
            triples = [a + b + c for a, b, c in combinations(head, 3)]
            self._small = (set(_pair_sums_of(head)), triples, set(triples))
        return self._small

    def _positions(self) -> dict[int, list[int]]:
        if self._where is None:
            where: dict[int, list[int]] = {}
            for i, amount in enumerate(self.amounts):
                where.setdefault(amount, []).append(i)
            self._where = where
        return self._where

    def _maybe(self, size: int, target: int) -> bool:
        """False when no set of `size` can reach the target; True when one may."""
        amounts = self.amounts
        if self._bounds is None:
            ordered = sorted(amounts)
            self._bounds = ([0, *accumulate(ordered)], [0, *accumulate(reversed(ordered))])
        smallest, largest = self._bounds
        if target < smallest[size] or target > largest[size]:  # the size smallest / largest amounts
            return False
        if size == 1:
            return target in amounts
        if size > 4 and size > self.large_items:
            return False
        if size == 2:  # a two-sum over the amounts: no need for the table of pair sums yet
            where = self._positions()
            hits = where.keys() & [target - a for a in amounts]
            return any(2 * h != target or len(where[h]) > 1 for h in hits)
        if size <= 4:
            sums, sum_set = self._pair_sums()
            if size == 3:
                return not sum_set.isdisjoint([target - a for a in amounts])
            return not sum_set.isdisjoint([target - s for s in sums])
        pairs, triples, triple_set = self._small_sums()
        if size == 5:
            return not pairs.isdisjoint([target - t for t in triples])
        if size == 6:
            return not triple_set.isdisjoint([target - t for t in triples])
        return True  # larger sets: no filter, the budgeted walk decides

    def find(self, target: int, *, node_budget: int, min_size: int = 2) -> SubsetResult:
        """The smallest, then oldest, set of at least `min_size` items summing exactly to `target`."""
        if target <= 0 or self.n < max(min_size, 1) or target > self._total:
            return SubsetResult(None, 0, False)
        amounts = self.amounts
        positions = self._positions()
        nodes = 0

        def first_pair(rem: int, start: int, limit: int) -> tuple[int, int] | None:
            # Two-sum over amounts[start:limit]: the pair with the smallest first index, then second. Every
            # first index looked at is a step, counted in one go after the loop. When `rem` is no sum of
            # any two amounts (the walk's inner calls, nearly all in vain) the loop is skipped, its steps
            # still counted: the same answers and counts, a set look-up instead of a scan.
            nonlocal nodes
            if start < limit - 1:
                if self._sums is None or rem in self._sum_set:
                    for i in range(start, limit - 1):
                        need = rem - amounts[i]
                        if need > 0:
                            at = positions.get(need)
                            if at is not None:
                                k = bisect_right(at, i)
                                if k < len(at) and at[k] < limit:
                                    nodes += i - start + 1
                                    return (i, at[k])
                nodes += limit - 1 - start
            if nodes > node_budget:
                raise _Budget
            return None

        def walk(start: int, r: int, rem: int, limit: int) -> tuple[int, ...] | None:
            # r >= 3 items among amounts[start:limit] summing to rem.
            nonlocal nodes
            for i in range(start, limit - r + 1):
                nodes += 1
                if nodes > node_budget:
                    raise _Budget
                rest = rem - amounts[i]
                if rest <= 0:
                    continue
                found = first_pair(rest, i + 1, limit) if r == 3 else walk(i + 1, r - 1, rest, limit)
                if found is not None:
                    return (i, *found)
            return None

        try:
            for size in range(max(min_size, 1), self.max_size + 1):
                if not self._maybe(size, target):
                    continue
                nodes += 1
                if size == 1:
                    return SubsetResult((amounts.index(target),), nodes, False)
                limit = self.n if size <= 4 else self.large_items
                found = first_pair(target, 0, limit) if size == 2 else walk(0, size, target, limit)
                if found is not None:
                    return SubsetResult(found, nodes, False)
        except _Budget:
            return SubsetResult(None, nodes, True)
        return SubsetResult(None, nodes, False)


def _pair_sums_of(amounts: Sequence[int]) -> list[int]:
    """a[i] + a[j] for i < j, in combinations order."""
    return [a + b for i, a in enumerate(amounts) for b in amounts[i + 1 :]]


def find_subset(
    amounts: Sequence[int],
    target: int,
    *,
    max_size: int = 6,
    node_budget: int = 2_000,
    min_size: int = 2,
    large_items: int = 12,
) -> SubsetResult:
    """One-shot search: see `SubsetFinder.find`."""
    return SubsetFinder(amounts, max_size, large_items).find(target, node_budget=node_budget, min_size=min_size)
