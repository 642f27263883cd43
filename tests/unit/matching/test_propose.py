"""The matching engine: payer identification, references, amount rules, scores, sureness, invariants."""

from __future__ import annotations

import gc
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arctl.matching import Credit, LineResult, OpenInstallment, Payer, Proposal, Settings, match
from arctl.matching import propose as engine

D = date(2026, 3, 10)
ACME, HZJX, NBHX, NBHX2 = 1, 2, 3, 4

PAYERS = [
    Payer(ACME, "Acme Trading Co., Ltd.", "ACME", accounts=("6222 0200 1111 2222",), aliases=("ACME HK",)),
    Payer(HZJX, "杭州精工机械制造有限公司", "HZJX", accounts=("3301-0000-9999",), aliases=("精工机械厂",)),
    Payer(NBHX, "宁波华新电子有限公司", "NBHX"),
    Payer(NBHX2, "宁波华新电子有限责任公司", "NBHX2"),  # same normalised name as NBHX: a shared name
]


def inst(iid: int, cid: int, number: str, amount: int, due: date | None = D, *, seq: int = 1,
         contract: str = "", currency: str = "CNY") -> OpenInstallment:  # fmt: skip
    return OpenInstallment(iid, cid, number, contract, seq, due, amount, currency)


def credit(amount: int, *, name: str = "", account: str = "", memo: str = "", currency: str = "CNY",
           line: int = 1, booked: date = D) -> Credit:  # fmt: skip
    return Credit(line, booked, amount, currency, name, account, memo)


def one(c: Credit, items: list[OpenInstallment], payers: list[Payer] = PAYERS, **kw: object) -> LineResult:
    (result,) = match([c], items, payers, Settings(**kw))  # type: ignore[arg-type]
    return result


def best(result: LineResult) -> Proposal:
    assert result.proposals, "expected a proposal"
    return result.proposals[0]


def labels(p: Proposal) -> list[str]:
    return [r.label for r in p.reasons]


BOOK = [
    inst(11, HZJX, "INV-2026-0011", 120_000_00, D - timedelta(days=60)),
    inst(12, HZJX, "INV-2026-0012", 35_500_00, D - timedelta(days=30), contract="HT-2025-07"),
    inst(13, HZJX, "INV-2026-0013", 80_000_00, D - timedelta(days=20), contract="HT-2025-07"),
    inst(14, HZJX, "INV-2026-0014", 4_200_00, D - timedelta(days=2)),
    inst(15, HZJX, "INV-2026-0015", 99_999_00, D + timedelta(days=30)),
    inst(21, ACME, "INV-2026-0021", 50_000_00, D - timedelta(days=10), seq=1),
    inst(22, ACME, "INV-2026-0021", 50_000_00, D + timedelta(days=20), seq=2),
    inst(23, ACME, "INV-2026-0023", 7_777_00, D),
    inst(31, NBHX, "INV-2026-0031", 10_000_00, D),
    inst(41, NBHX2, "INV-2026-0041", 10_000_00, D),
]


# -- payer identification ---------------------------------------------------------------------------


def test_account_number_identifies_the_payer() -> None:
    result = one(credit(7_777_00, account="6222-0200-1111-2222", name="someone else"), BOOK)
    assert result.payer.customer_id == ACME and result.payer.how == "account"
    p = best(result)
    assert p.allocations == ((23, 7_777_00),) and p.rule == "exact" and p.sure
    assert "payer account known" in labels(p)


def test_alias_identifies_the_payer() -> None:
    result = one(credit(4_200_00, name="精工机械厂"), BOOK)
    assert result.payer.how == "alias" and result.payer.customer_id == HZJX
    assert best(result).allocations == ((14, 4_200_00),)
    assert best(result).sure
    assert "payer alias" in labels(best(result))


def test_name_variants_identify_exactly() -> None:
    result = one(credit(7_777_00, name="ACME TRADING LIMITED"), BOOK)
    assert result.payer.how == "name" and result.payer.customer_id == ACME


def test_new_payer_name_matched_fuzzily() -> None:
    """Full-width, a typo and a company-form variant: not in the alias table, found by similarity."""
    result = one(credit(4_200_00, name="杭州精工机槭制造（中国）有限责任公司"), BOOK)
    assert result.payer.how == "fuzzy" and result.payer.customer_id == HZJX
    assert 85 <= result.payer.similarity < 100
    p = best(result)
    assert p.allocations == ((14, 4_200_00),)
    assert any(label.startswith("fuzzy name") for label in labels(p))
    assert not p.sure  # a fuzzy name plus an amount waits for the clerk


def test_full_width_english_name_with_a_typo() -> None:
    result = one(credit(7_777_00, name="ＡＣＭＥ　ＴＲＡＤＩＮＧＳ　ＬＩＭＩＴＥＤ"), BOOK)
    assert result.payer.how == "fuzzy" and result.payer.customer_id == ACME


def test_ambiguous_fuzzy_name_keeps_both_candidates() -> None:
    payers = [Payer(5, "宁波华新电器有限公司"), Payer(6, "宁波华新电机有限公司")]
    items = [inst(51, 5, "INV-5", 1_000_00), inst(61, 6, "INV-6", 1_000_00)]
    result = one(credit(1_000_00, name="宁波华新电x有限公司"), items, payers, fuzzy_cutoff=80)
    assert result.payer.customer_id is None and result.payer.how == "ambiguous"
    assert set(result.payer.candidates) == {5, 6}
    assert {p.customer_id for p in result.proposals} == {5, 6}
    assert not any(p.sure for p in result.proposals)


def test_unknown_payer_stays_unknown() -> None:
    result = one(credit(123_45, name="完全陌生的公司"), BOOK)
    assert result.payer.how == "unknown" and result.proposals == ()


# -- references -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "memo",
    [
        "INV-2026-0013",
        "inv2026-0013",
        "inv 2026 0013",
        "发票INV-2026-0013货款",
        "ＩＮＶ－２０２６－００１３",
        "付款 INV2026 0013号",
    ],
)
def test_reference_in_memo_with_odd_spelling(memo: str) -> None:
    result = one(credit(80_000_00, memo=memo), BOOK)
    assert result.payer.how == "reference" and result.payer.customer_id == HZJX
    p = best(result)
    assert p.allocations == ((13, 80_000_00),) and p.rule == "reference"
    assert p.sure and p.score >= 90
    assert labels(p)[:2] == ["invoice number in memo", "amount exact"]


def test_several_invoice_numbers_settle_them_as_a_set() -> None:
    result = one(
        credit(120_000_00 + 4_200_00, name="杭州精工机械制造有限公司", memo="INV-2026-0014, INV-2026-0011"), BOOK
    )
    p = best(result)
    assert p.allocations == ((11, 120_000_00), (14, 4_200_00))  # oldest first
    assert p.sure and p.unapplied_minor == 0


def test_contract_number_and_one_installment() -> None:
    result = one(credit(35_500_00, name="杭州精工机械制造有限公司", memo="合同HT-2025-07"), BOOK)
    p = best(result)
    assert p.allocations == ((12, 35_500_00),)
    assert "contract number in memo" in labels(p) and p.sure


def test_reference_of_another_customer_is_never_sure() -> None:
    result = one(credit(7_777_00, account="3301 0000 9999", memo="INV-2026-0023"), BOOK)  # HZJX pays ACME's
    assert result.payer.customer_id == HZJX
    assert all(not p.sure for p in result.proposals)
    acme = next(p for p in result.proposals if p.customer_id == ACME)
    assert "reference is another customer's" in labels(acme)


def test_unknown_numbers_are_ignored() -> None:
    result = one(credit(7_777_00, name="Acme Trading Co., Ltd.", memo="INV-2099-9999 12 3"), BOOK)
    assert best(result).allocations == ((23, 7_777_00),)


# -- amount rules -----------------------------------------------------------------------------------


def test_one_transfer_paying_three_invoices() -> None:
    amount = 120_000_00 + 80_000_00 + 4_200_00
    result = one(credit(amount, name="杭州精工机械制造有限公司"), BOOK)
    p = best(result)
    assert p.rule == "subset"
    assert p.allocations == ((11, 120_000_00), (13, 80_000_00), (14, 4_200_00))
    assert p.unapplied_minor == 0 and p.fee_minor == 0
    assert "set of 3 installments sums to amount" in labels(p)
    assert not p.sure  # a coincidental subset is possible: the clerk confirms


def test_partial_payment_with_reference() -> None:
    result = one(credit(30_000_00, name="杭州精工机械制造有限公司", memo="INV-2026-0011"), BOOK)
    p = best(result)
    assert p.rule == "partial" and p.allocations == ((11, 30_000_00),)
    assert p.unapplied_minor == 0 and not p.sure


def test_partial_payment_without_reference_goes_to_the_oldest() -> None:
    result = one(credit(1_000_00, name="杭州精工机械制造有限公司"), BOOK)
    p = best(result)
    assert p.rule == "partial" and p.allocations == ((11, 1_000_00),)


def test_over_payment_leaves_the_rest_unapplied() -> None:
    result = one(credit(80_000_00 + 1_000_00, name="杭州精工机械制造有限公司", memo="INV-2026-0013"), BOOK)
    p = best(result)
    assert p.rule == "overpayment"
    assert p.allocations == ((13, 80_000_00),) and p.unapplied_minor == 1_000_00
    assert any(label.startswith("over-payment 1,000.00 CNY unapplied") for label in labels(p))


def test_fee_short_payment_is_settled_with_a_charge() -> None:
    result = one(credit(7_777_00 - 25_00, name="Acme Trading Co., Ltd."), BOOK)
    p = best(result)
    assert p.rule == "fee" and p.fee_minor == 25_00
    assert p.allocations == ((23, 7_752_00),)  # cash; the fee settles the rest of the installment
    assert p.allocations[-1][1] + p.fee_minor == 7_777_00


def test_fee_short_with_reference_is_sure() -> None:
    result = one(credit(80_000_00 - 15_00, name="杭州精工机械制造有限公司", memo="INV-2026-0013"), BOOK)
    p = best(result)
    assert p.rule == "fee" and p.fee_minor == 15_00 and p.sure


def test_fee_tolerance_per_currency() -> None:
    short = credit(7_777_00 - 25_00, name="Acme Trading Co., Ltd.")
    assert best(one(short, BOOK, fee_tolerance_minor={"CNY": 10_00})).rule != "fee"
    assert best(one(short, BOOK, fee_default_minor=0)).rule != "fee"


def test_equal_installments_of_one_customer_oldest_first_lower_confidence() -> None:
    result = one(credit(50_000_00, name="Acme Trading Co., Ltd."), BOOK)
    p = best(result)
    assert p.allocations == ((21, 50_000_00),)
    assert any(label.startswith("amount exact, 2 equal items") for label in labels(p))
    assert not p.sure


def test_two_customers_with_the_same_amount_tie() -> None:
    """NBHX and NBHX2 share a normalised name and each has a 10,000.00 invoice: a tie, never sure."""
    result = one(credit(10_000_00, name="宁波华新电子有限公司"), BOOK)
    assert result.payer.how == "ambiguous"
    assert [p.customer_id for p in result.proposals] == [NBHX, NBHX2]
    assert result.proposals[0].score == result.proposals[1].score
    assert not any(p.sure for p in result.proposals)


def test_unknown_payer_amount_only_when_unique_in_the_book_and_never_sure() -> None:
    unique = one(credit(99_999_00, name="陌生人"), BOOK)
    p = best(unique)
    assert p.allocations == ((15, 99_999_00),) and p.customer_id == HZJX
    assert not p.sure and p.score < 90
    assert one(credit(10_000_00, name="陌生人"), BOOK).proposals == ()  # two items have it: nothing


def test_currency_mismatch_is_never_matched() -> None:
    usd = [inst(91, ACME, "INV-USD-0091", 7_777_00, currency="USD")]
    result = one(credit(7_777_00, name="Acme Trading Co., Ltd.", currency="USD"), BOOK + usd)
    assert best(result).allocations == ((91, 7_777_00),)
    result = one(credit(80_000_00, memo="INV-2026-0013", currency="USD"), BOOK)
    assert all(iid != 13 for p in result.proposals for iid, _ in p.allocations)
    result = one(credit(4_200_00, name="杭州精工机械制造有限公司", currency="EUR"), BOOK)
    assert all(not p.allocations for p in result.proposals)
    assert best(result).unapplied_minor == 4_200_00


def test_known_payer_without_fit_allocates_oldest_first() -> None:
    amount = 120_000_00 + 10_000_00  # more than the oldest, no exact set
    p = best(one(credit(amount, name="杭州精工机械制造有限公司"), BOOK))
    assert p.rule == "payer-only"
    assert p.allocations == ((11, 120_000_00), (12, 10_000_00))


def test_subset_search_is_bounded_in_the_engine() -> None:
    items = [inst(1000 + i, ACME, f"INV-B-{i:04d}", 2 * (10_000 + 37 * i), D) for i in range(60)]
    result = one(credit(1_234_567, name="Acme Trading Co., Ltd."), items, max_subset_items=60,
                 subset_node_budget=500)  # fmt: skip
    p = best(result)
    assert p.rule in ("partial", "payer-only")


def test_date_proximity_points() -> None:
    near = best(one(credit(4_200_00, name="精工机械厂", booked=D), BOOK))
    far = best(one(credit(4_200_00, name="精工机械厂", booked=D + timedelta(days=40)), BOOK))
    assert near.score == far.score + engine.P_DATE
    assert any(label.startswith("date within 3 days of due") for label in labels(near))


# -- scores, ranking, determinism ---------------------------------------------------------------------


def test_scores_are_clamped_sums_of_reasons() -> None:
    for c in [credit(80_000_00, account="3301 0000 9999", memo="INV-2026-0013"), credit(1, name="陌生人")]:
        for p in one(c, BOOK).proposals:
            assert p.score == max(0, min(100, sum(r.points for r in p.reasons)))


def test_results_follow_input_order_and_are_deterministic() -> None:
    credits = [
        credit(7_777_00, name="Acme Trading Co., Ltd.", line=9),
        credit(4_200_00, name="精工机械厂", line=3),
    ]
    first = match(credits, BOOK, PAYERS)
    assert [r.line_id for r in first] == [9, 3]
    assert match(credits, list(reversed(BOOK)), PAYERS) == first


def test_gc_state_is_restored() -> None:
    assert gc.isenabled()
    match([credit(1)], BOOK, PAYERS)
    assert gc.isenabled()
    gc.disable()
    try:
        match([credit(1)], BOOK, PAYERS)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_credit_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        credit(0)


# -- invariants -------------------------------------------------------------------------------------

amounts = st.integers(min_value=1, max_value=50_000)


@st.composite
def books(draw: st.DrawFn) -> tuple[list[OpenInstallment], list[Credit]]:
    count = draw(st.integers(min_value=0, max_value=25))
    items = []
    for i in range(count):
        items.append(
            OpenInstallment(
                installment_id=i + 1,
                customer_id=draw(st.sampled_from([ACME, HZJX, NBHX])),
                invoice_number=f"INV-{draw(st.integers(1, 12)):04d}",  # may even be shared across customers
                contract_number=draw(st.sampled_from(["", "HT-0001"])),
                seq=draw(st.integers(1, 3)),
                due_on=draw(st.none() | st.dates(date(2026, 1, 1), date(2026, 6, 30))),
                open_minor=draw(amounts),
                currency=draw(st.sampled_from(["CNY", "CNY", "USD"])),
            )
        )
    credits = []
    for line in range(draw(st.integers(min_value=1, max_value=6))):
        picked = draw(st.lists(st.sampled_from(items), max_size=4)) if items else []
        base = sum(it.open_minor for it in picked) or draw(amounts)
        credits.append(
            Credit(
                line_id=line,
                booked_on=date(2026, 3, 1),
                amount_minor=max(1, base + draw(st.integers(-6000, 3000))),
                currency=draw(st.sampled_from(["CNY", "USD"])),
                payer_name=draw(st.sampled_from(["", "Acme Trading", "杭州精工机械", "Acme Tradinq", "x"])),
                payer_account=draw(st.sampled_from(["", "6222020011112222"])),
                memo=draw(st.sampled_from(["", "INV-0003", "inv 0001 INV-0002", "HT-0001", "货款"])),
            )
        )
    return items, credits


@settings(max_examples=150, deadline=None)
@given(books())
def test_never_over_allocate(book: tuple[list[OpenInstallment], list[Credit]]) -> None:
    items, credits = book
    by_id = {it.installment_id: it for it in items}
    results = match(credits, items, PAYERS, Settings(fee_default_minor=5000))
    assert [r.line_id for r in results] == [c.line_id for c in credits]
    for c, result in zip(credits, results, strict=True):
        assert sum(p.sure for p in result.proposals) <= 1
        for pos, p in enumerate(result.proposals):
            ids = [iid for iid, _ in p.allocations]
            assert len(ids) == len(set(ids)), "an installment twice in one proposal"
            applied = sum(a for _, a in p.allocations)
            assert applied <= c.amount_minor
            assert p.unapplied_minor == c.amount_minor - applied >= 0
            assert 0 <= p.score <= 100
            assert p.fee_minor >= 0
            for iid, a in p.allocations:
                it = by_id[iid]
                assert 0 < a <= it.open_minor
                assert it.currency == c.currency
                assert it.customer_id == p.customer_id
            if p.fee_minor:
                last_id, last_amount = p.allocations[-1]
                assert last_amount + p.fee_minor == by_id[last_id].open_minor
                assert p.unapplied_minor == 0
            if p.sure:
                assert pos == 0 and p.score >= 90
                assert len(result.proposals) == 1 or p.score - result.proposals[1].score > 5
