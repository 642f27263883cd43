"""Payer-name, account and reference normalisation; bulk fuzzy matching."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from arctl.matching import names
from arctl.matching.names import (
    fuzzy_match,
    normalize_account,
    normalize_name,
    normalize_reference,
    normalize_references,
    reference_atoms,
)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("杭州精工机械有限公司", "杭州精工机械有限责任公司"),
        ("杭州精工机械有限公司", "杭州精工机械股份有限公司"),
        ("华为技术(中国)有限公司", "华为技术有限公司"),
        ("华为技术（中国）有限公司", "华为技术有限公司"),
        ("Acme Trading Co., Ltd.", "ACME TRADING LIMITED"),
        ("Acme Trading Co.,Ltd", "acme trading"),
        ("ＡＣＭＥ　Ｔｒａｄｉｎｇ　Ｃｏ．，Ｌｔｄ．", "Acme Trading Co., Ltd."),
        ("Müller GmbH", "MÜLLER"),
        ("Globex Inc.", "globex"),
        ("上海（浦东）新星贸易有限公司", "上海浦东新星贸易公司"),
    ],
)
def test_variants_normalise_alike(a: str, b: str) -> None:
    assert normalize_name(a) == normalize_name(b)


def test_group_is_part_of_the_name() -> None:
    assert normalize_name("万达集团股份有限公司") == "万达集团"
    assert normalize_name("万达集团") != normalize_name("万达")


def test_a_name_that_is_only_a_company_form_is_kept() -> None:
    assert normalize_name("有限公司")
    assert normalize_name("Ltd.") == "ltd"


@given(st.text(max_size=40))
def test_name_normalisation_is_idempotent(text: str) -> None:
    once = normalize_name(text)
    assert normalize_name(once) == once


@given(st.text(alphabet="有限责任股份公司集团中国()（）Co.,Ltd GmbH Inc华新机械 abc", max_size=30))
def test_name_normalisation_is_idempotent_on_company_words(text: str) -> None:
    once = normalize_name(text)
    assert normalize_name(once) == once


def test_accounts() -> None:
    assert normalize_account("6222 0200-1234 5678") == "6222020012345678"
    assert normalize_account("de89 3704 0044 0532 0130 00") == "DE89370400440532013000"
    assert normalize_account("６２２２") == "6222"


@pytest.mark.parametrize(
    "spelling", ["INV-2026-0042", "inv2026-0042", "INV 2026 0042", "ＩＮＶ－２０２６－００４２"]
)
def test_references(spelling: str) -> None:
    assert normalize_reference(spelling) == "INV20260042"


def test_bulk_references_equal_one_by_one() -> None:
    numbers = ["INV-2026-0042", "inv 7/8", "", "ＩＮＶ－１", "HT_2025.07", "a\tb"]
    assert normalize_references(numbers) == [normalize_reference(n) for n in numbers]
    assert normalize_references([]) == []


@given(st.lists(st.text(max_size=12), max_size=8))
def test_bulk_references_property(numbers: list[str]) -> None:
    assert normalize_references(numbers) == [normalize_reference(n) for n in numbers]


def test_reference_atoms() -> None:
    assert reference_atoms("发票inv-2026 0042号, 货款") == ["INV", "2026", "0042"]
    assert reference_atoms("ＩＮＶ２０２６") == ["INV2026"]


def test_fuzzy_best_and_ambiguity() -> None:
    choices = [
        normalize_name(n) for n in ("杭州精工机械有限公司", "精工", "宁波华新电子有限公司", "宁波华新电器有限公司")
    ]
    keys = [1, 1, 2, 3]
    queries = [normalize_name("杭州精エ机械有限公司"), normalize_name("宁波华新电x有限公司"), "完全不同的名字"]
    hits = fuzzy_match(queries, choices, keys, cutoff=80, margin=3)
    assert hits[0] is not None and hits[0].best == 1 and len(hits[0].close) == 1
    assert hits[1] is not None and {k for k, _ in hits[1].close} == {2, 3}  # one character off from both
    assert hits[2] is None


@pytest.mark.parametrize("scorer", ["ratio", "token_sort_ratio", "WRatio"])
def test_fuzzy_scorers_find_a_typo(scorer: str) -> None:
    choices = ["acmeglobaltrading", "zenithapexlogistics"]
    hits = fuzzy_match(["acmeglobaltradimg"], choices, [7, 8], cutoff=85, margin=3, scorer=scorer)
    assert hits[0] is not None and hits[0].best == 7


def test_length_and_script_filters_change_nothing() -> None:
    """Grouping by length and script is only a shortcut: same answers as scoring every pair."""
    choices = ["abcdefgh", "abcdefghij", "abcdefg", "华新机械", "华新机械电子", "mixed华新", "x"]
    keys = list(range(len(choices)))
    queries = ["abcdefgx", "华新机槭", "mixed华新x", "abcdefghijkl", "y"]
    fast = fuzzy_match(queries, choices, keys, cutoff=70, margin=2)
    every: list[names.FuzzyHit | None] = [None] * len(queries)
    names._collect(every, list(range(len(queries))), queries, choices, keys, 70, 2, names.SCORERS["ratio"])
    assert fast == every
    assert fast[0] is not None and fast[1] is not None and fast[4] is None


def test_fuzzy_without_numpy(monkeypatch: pytest.MonkeyPatch) -> None:
    """cdist needs numpy; without it the same answers come from process.extract."""
    choices = ["acmeglobaltrading", "zenithapexlogistics"]
    with_numpy = fuzzy_match(["acmeglobaltradimg"], choices, [7, 8], cutoff=85, margin=3)

    def no_numpy(*args: object, **kwargs: object) -> None:
        raise ModuleNotFoundError("numpy")

    monkeypatch.setattr(names.process, "cdist", no_numpy)
    assert fuzzy_match(["acmeglobaltradimg"], choices, [7, 8], cutoff=85, margin=3) == with_numpy
