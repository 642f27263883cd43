"""Parsing 违约金 rates and caps (services.interest): exact decimals, never floats; no database here."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from arctl.domain.errors import InvalidInput
from arctl.domain.interest import PenaltyTerms
from arctl.services.interest import ContractTerms, parse_cap, parse_rate, percent_text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0.05%", (500, None)),
        ("0.05%/day", (500, "daily")),
        ("0.05 % / d", (500, "daily")),
        ("６%/year", (60_000, "annual")),  # full-width digit folded
        ("18%/年", (180_000, "annual")),
        ("0.03%/日", (300, "daily")),
        ("100%", (1_000_000, None)),
        ("0.0001%", (1, None)),
        (".5%", (5_000, None)),
        ("12.%", (120_000, None)),
    ],
)
def test_rates(text: str, expected: tuple[int, str | None]) -> None:
    assert parse_rate(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("abc", "is not a rate"),
        ("", "is not a rate"),
        ("-1%", "must not be negative"),
        ("−1%", "must not be negative"),
        ("NaN", "is not a rate"),
        ("nan%", "is not a rate"),
        ("inf%", "is not a rate"),
        ("1e400", "is not a rate"),
        ("1e-4%", "is not a rate"),
        ("0.0005", "with a % sign"),
        ("5", "with a % sign"),
        ("0.00005%", "finer than 1 ppm"),
        ("100.0001%", "above 100%"),
        ("0%", "more than 0%"),
        ("1%/week", "Write /day or /year"),
        ("1,5%", "is not a rate"),
        ("1" * 30 + "%", "too long"),
    ],
)
def test_bad_rates_name_the_field(text: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message) as caught:
        parse_rate(text)
    assert caught.value.field == "--rate"
    assert caught.value.message.startswith("--rate: ")


@pytest.mark.parametrize(
    ("text", "bp"), [("10%", 1000), ("0.01%", 1), ("100%", 10_000), ("none", None), ("无", None)]
)
def test_caps(text: str, bp: int | None) -> None:
    assert parse_cap(text) == bp


@pytest.mark.parametrize(
    ("text", "message"),
    [("101%", "above 100%"), ("0.005%", "finer than 0.01%"), ("10", "with a % sign"), ("10%/day", "not per day"),
     ("-5%", "must not be negative")],
)  # fmt: skip
def test_bad_caps(text: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        parse_cap(text)


@given(st.integers(min_value=1, max_value=1_000_000))
def test_rate_text_round_trips_exactly(ppm: int) -> None:
    """What the terms show parses back to the same ppm: no float anywhere on the way."""
    text = percent_text(ppm, 1_000_000)
    assert parse_rate(text) == (ppm, None)
    assert PenaltyTerms("daily", ppm).rate_text == f"{text}/day"


@given(st.decimals(min_value=Decimal("0.0001"), max_value=Decimal(100), places=4))
def test_any_four_decimal_percent_is_exact(value: Decimal) -> None:
    ppm, basis = parse_rate(f"{value}%/year")
    assert basis == "annual" and Decimal(ppm) == value * 10_000


def test_terms_text() -> None:
    assert (
        ContractTerms("C-1", "ACME", "daily", 500, 5, 1000).text
        == "0.05%/day, grace 5 day(s), cap 10% of the principal"
    )
    assert ContractTerms("C-1", "ACME", "annual", 60_000, 0, None).text == "6%/year, grace 0 day(s), no cap"
    assert ContractTerms("C-1", "ACME", None, None, 0, None).text == "no penalty terms"
