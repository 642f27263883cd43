"""Shortcuts of the engine give exactly the answers of the long way round.

`propose._quick` proposes the commonest lines directly; `names._ratio_pairs` scores only the name pairs
that share enough characters; `model._slot_init` builds the result records without `object.__setattr__`.
"""

from __future__ import annotations

import pickle
import random
from dataclasses import FrozenInstanceError, replace
from datetime import date, timedelta
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arctl.matching import (
    Credit,
    LineResult,
    OpenInstallment,
    Payer,
    PayerMatch,
    Proposal,
    Reason,
    Settings,
    match,
    names,
)
from arctl.matching import propose as engine

D = date(2026, 3, 10)
PAYERS = [
    Payer(1, "Acme Trading Co., Ltd.", "ACME", accounts=("6222 0200 1111 2222",), aliases=("ACME HK",)),
    Payer(2, "杭州精工机械制造有限公司", "HZJX", accounts=("3301-0000-9999",)),
    Payer(3, "宁波华新电子有限公司", "NBHX"),
    Payer(4, "宁波华新电子有限责任公司", "NBHX2"),  # the same normalised name as 3: ambiguous
]
NAMES = [
    "",
    "Acme Trading",
    "ACME HK",
    "杭州精工机械制造有限公司",
    "宁波华新电子有限公司",
    "Acme Tradinq",
    "陌生人",
]
ACCOUNTS = ["", "", "6222020011112222", "3301 0000 9999"]


@st.composite
def books(draw: st.DrawFn) -> tuple[list[OpenInstallment], list[Credit]]:
    """Small books whose credits mostly pay something exactly: all or one of an invoice's installments,
    one open item, a few items; some short by a fee or partial, named in the memo or not."""
    items: list[OpenInstallment] = []
    for number in range(draw(st.integers(1, 8))):
        customer = draw(st.sampled_from([1, 2, 3, 4]))
        currency = draw(st.sampled_from(["CNY", "CNY", "CNY", "USD"]))
        contract = draw(st.sampled_from(["", "", "HT-0001", f"HT-{customer:04d}"]))
        due = D + timedelta(days=draw(st.integers(-40, 40)))
        for seq in range(1, draw(st.integers(1, 3)) + 1):
            pending = seq > 1 and draw(st.booleans())
            amount = draw(st.sampled_from([5_000, 12_000, 12_000, 30_000]) | st.integers(1, 60_000))
            due_on = None if pending else due + timedelta(days=30 * seq)
            items.append(
                OpenInstallment(
                    len(items) + 1, customer, f"INV-{number:04d}", contract, seq, due_on, amount, currency
                )
            )
    if draw(st.booleans()):  # not always in invoice order
        draw(st.randoms()).shuffle(items)
    credits = []
    for line in range(draw(st.integers(1, 6))):
        picked = draw(st.lists(st.sampled_from(items), min_size=1, max_size=3, unique=True))
        amount = sum(it.open_minor for it in picked) + draw(st.sampled_from([0, 0, 0, 0, -20, -4_000, 900]))
        first, last = picked[0], picked[-1]
        memo = draw(
            st.sampled_from(
                ["", "货款", first.invoice_number, first.invoice_number.lower(), first.contract_number,
                 f"{first.invoice_number} {last.invoice_number}", "INV-9999"]
            )
        )  # fmt: skip
        booked = D + timedelta(days=draw(st.integers(-5, 5)))
        currency = draw(st.sampled_from([first.currency, "CNY"]))
        name, account = draw(st.sampled_from(NAMES)), draw(st.sampled_from(ACCOUNTS))
        credits.append(Credit(line, booked, max(1, amount), currency, name, account, memo))
    return items, credits


@settings(max_examples=300, deadline=None)
@given(books())
def test_quick_path_proposes_what_the_general_rules_do(book: tuple[list[OpenInstallment], list[Credit]]) -> None:
    items, credits = book
    quick = match(credits, items, PAYERS, Settings(fee_default_minor=5000))
    with mock.patch.object(engine, "_quick", lambda *args: None):
        general = match(credits, items, PAYERS, Settings(fee_default_minor=5000))
    assert quick == general


@settings(max_examples=200, deadline=None)
@given(books(), st.randoms())
def test_answers_do_not_depend_on_the_order_of_the_open_items(
    book: tuple[list[OpenInstallment], list[Credit]], rng: random.Random
) -> None:
    """The ledger hands the open items over in no particular order (no ORDER BY: sorting 300k rows cost a
    fifth of reading them); two numbers that normalise alike ('INV-1-23', 'INV-12-3') included."""
    items, credits = book
    items = items + [replace(it, installment_id=it.installment_id + 1000, invoice_number=it.invoice_number[:5]
                             + "-" + it.invoice_number[5:]) for it in items[:2]]  # fmt: skip
    shuffled = list(items)
    rng.shuffle(shuffled)
    ordered = sorted(items, key=lambda it: (it.due_on is None, it.due_on or D, it.invoice_number, it.seq))
    assert match(credits, shuffled, PAYERS) == match(credits, ordered, PAYERS)


def test_quick_path_is_taken_for_the_common_shapes() -> None:
    items = [
        OpenInstallment(1, 1, "INV-0001", "", 1, D, 12_000, "CNY"),
        OpenInstallment(2, 1, "INV-0001", "", 2, D + timedelta(days=30), 8_000, "CNY"),
        OpenInstallment(3, 2, "INV-0002", "", 1, D, 7_000, "CNY"),
    ]
    credits = [
        Credit(1, D, 20_000, "CNY", memo="inv-0001"),  # unknown payer, the invoice paid in full
        Credit(2, D, 8_000, "CNY", "Acme Trading Co., Ltd.", memo="INV-0001"),  # one of its installments
        Credit(3, D, 7_000, "CNY", payer_account="3301-0000-9999"),  # identified, one open item
    ]
    taken = []
    real = engine._quick

    def spy(*args: object) -> object:
        found = real(*args)  # type: ignore[arg-type]
        taken.append(found is not None)
        return found

    with mock.patch.object(engine, "_quick", spy):
        results = match(credits, items, PAYERS)
    assert taken == [True, True, True]
    assert [r.best.rule for r in results if r.best] == ["reference", "reference", "exact"]


# -- names: only pairs sharing enough characters are scored -------------------------------------------

name_text = st.text(alphabet="abcab华新机械电子宁波 aa", min_size=0, max_size=14)


@settings(max_examples=200, deadline=None)
@given(st.lists(name_text, min_size=1, max_size=8), st.lists(name_text, min_size=1, max_size=10),
       st.integers(2, 100), st.integers(0, 5))  # fmt: skip
def test_ratio_pairs_find_every_pair_scoring_every_pair_finds(
    queries: list[str], choices: list[str], cutoff: int, margin: int
) -> None:
    keys = [i % 4 for i in range(len(choices))]
    fast = names.fuzzy_match(queries, choices, keys, cutoff=cutoff, margin=margin)
    every: list[names.FuzzyHit | None] = [None] * len(queries)
    names._collect(
        every, list(range(len(queries))), queries, choices, keys, cutoff, margin, names.SCORERS["ratio"]
    )
    assert fast == every


def test_repeated_characters_count_as_often_as_both_names_have_them() -> None:
    assert sorted(names._occurrences("abca")) == ["a", "aa", "b", "c"]
    assert names._occurrences("abc") == "abc"
    hits = names.fuzzy_match(["aaab"], ["aab", "abbb"], [1, 2], cutoff=80, margin=0)
    assert hits[0] is not None and hits[0].best == 1  # 'aab': 3 of 4 shared; 'abbb' only 2


# -- model: records built straight into their slots ---------------------------------------------------


def test_records_keep_their_dataclass_behaviour() -> None:
    reason = Reason("amount exact", 45)
    assert reason.detail == "" and reason == Reason(label="amount exact", points=45, detail="")
    proposal = Proposal(7, 1, ((3, 100),), 0, 0, 90, (reason,), "exact")
    assert proposal.sure is False and hash(proposal) == hash(
        Proposal(7, 1, ((3, 100),), 0, 0, 90, (reason,), "exact")
    )
    assert replace(proposal, sure=True).sure
    assert pickle.loads(pickle.dumps(proposal)) == proposal
    assert PayerMatch(None, "unknown") == PayerMatch(None, "unknown", 0, ())
    assert LineResult(7, PayerMatch(None, "unknown"), (proposal,)).best == proposal
    with pytest.raises(FrozenInstanceError):
        proposal.score = 100  # type: ignore[misc]
    with pytest.raises(TypeError):
        Reason("too few")  # type: ignore[call-arg]
