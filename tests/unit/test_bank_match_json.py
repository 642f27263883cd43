"""The allocations of a proposal are stored as JSON text, and a rejected proposal is recognised by that text:
the hand-written form must be exactly what `json.dumps` writes (older ledgers hold json.dumps output)."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from arctl.services.bank_match import _alloc_json

pairs = st.lists(st.tuples(st.integers(1, 2**62), st.integers(1, 10**15)), max_size=8)


@given(pairs)
def test_allocations_text_is_what_json_dumps_writes(allocations: list[tuple[int, int]]) -> None:
    text = _alloc_json(allocations)
    assert text == json.dumps([[i, a] for i, a in allocations])
    assert [tuple(p) for p in json.loads(text)] == allocations
