"""arctl.domain.money: the one parser, the one formatter, percentage splits and the Money type."""

from __future__ import annotations

import itertools
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from arctl.domain.errors import InvalidInput
from arctl.domain.money import (
    Money,
    exponent,
    format_amount,
    normalize_currency,
    parse_amount,
    percent_of,
    round_half_up,
    split_by_percent,
    to_decimal,
    totals_by_currency,
)

CURRENCIES = ("JPY", "CNY", "KWD")  # exponents 0, 2, 3
minor_units = st.integers(min_value=-(10**13) + 1, max_value=10**13 - 1)  # 13 digits at most (MAX_DIGITS)


# --- parse_amount ∘ format_amount ------------------------------------------------------------------


def test_exponents_of_the_three_sample_currencies():
    assert [exponent(c) for c in CURRENCIES] == [0, 2, 3]


@settings(max_examples=200, deadline=None)
@given(minor=minor_units, currency=st.sampled_from(CURRENCIES), grouping=st.booleans())
def test_format_then_parse_round_trips(minor: int, currency: str, grouping: bool):
    text = format_amount(minor, currency, grouping=grouping)
    assert "e" not in text.lower()  # never scientific notation
    places = exponent(currency)
    if places:
        assert len(text.rsplit(".", 1)[1]) == places  # always exactly the currency's decimals
    else:
        assert "." not in text
    assert parse_amount(text, currency, allow_negative=True) == minor


@settings(max_examples=100, deadline=None)
@given(minor=st.integers(min_value=1, max_value=10**13 - 1), currency=st.sampled_from(CURRENCIES))
def test_negative_formatted_amounts_are_refused_unless_allowed(minor: int, currency: str):
    text = format_amount(-minor, currency)
    with pytest.raises(InvalidInput, match="negative"):
        parse_amount(text, currency)
    assert parse_amount(text, currency, allow_negative=True) == -minor


@pytest.mark.parametrize(
    ("minor", "currency", "plain", "grouped"),
    [
        (123456, "CNY", "1234.56", "1,234.56"),
        (0, "CNY", "0.00", "0.00"),
        (5, "CNY", "0.05", "0.05"),
        (-5, "CNY", "-0.05", "-0.05"),
        (1234567, "JPY", "1234567", "1,234,567"),
        (1234567, "KWD", "1234.567", "1,234.567"),
        (1, "KWD", "0.001", "0.001"),
        (10**17, "CNY", "1000000000000000.00", "1,000,000,000,000,000.00"),
    ],
)
def test_format_amount_vectors(minor: int, currency: str, plain: str, grouped: str):
    assert format_amount(minor, currency) == plain
    assert format_amount(minor, currency, grouping=True) == grouped


def test_to_decimal_has_exactly_the_currency_places():
    assert to_decimal(123456, "CNY") == Decimal("1234.56")
    assert str(to_decimal(100, "CNY")) == "1.00"
    assert str(to_decimal(7, "JPY")) == "7"
    assert str(to_decimal(7, "KWD")) == "0.007"


@pytest.mark.parametrize(
    ("text", "currency", "minor"),
    [
        ("1234.56", "CNY", 123456),
        ("1,234.56", "CNY", 123456),
        ("1,234,567.8", "CNY", 123456780),
        ("12", "CNY", 1200),
        ("12.", "CNY", 1200),
        ("12.5", "CNY", 1250),
        ("+5", "CNY", 500),
        ("  42.10 ", "CNY", 4210),
        ("１２３", "CNY", 12300),  # full-width digits
        ("１２３．４５", "CNY", 12345),  # full-width digits and full stop
        ("￥1,234.50", "CNY", 123450),
        ("¥1234.5", "CNY", 123450),
        ("RMB 12", "CNY", 1200),
        ("1234.5元", "CNY", 123450),
        ("USD 10.01", "USD", 1001),
        ("1,234", "JPY", 1234),
        ("12.", "JPY", 12),
        ("1.234", "KWD", 1234),
        ("0.001", "KWD", 1),
        ("1,234.567", "KWD", 1234567),
    ],
)
def test_parse_amount_accepts(text: str, currency: str, minor: int):
    assert parse_amount(text, currency) == minor


def test_parse_amount_accepts_decimal_exactly():
    assert parse_amount(Decimal("1234.50"), "CNY") == 123450
    with pytest.raises(InvalidInput):
        parse_amount(Decimal("0.005"), "CNY")


@pytest.mark.parametrize(
    ("text", "minor"),
    [("(1,234.00)", -123400), ("-12.30", -1230), ("(5)", -500), ("￥(1,234.00)", -123400)],
)
def test_accounting_negatives_only_with_allow_negative(text: str, minor: int):
    assert parse_amount(text, "CNY", allow_negative=True) == minor
    with pytest.raises(InvalidInput, match="must not be negative") as info:
        parse_amount(text, "CNY")
    assert info.value.field == "amount"


@pytest.mark.parametrize(
    ("text", "currency"),
    [
        ("NaN", "CNY"),
        ("nan", "CNY"),
        ("Infinity", "CNY"),
        ("inf", "CNY"),
        ("-Infinity", "CNY"),
        ("1e5", "CNY"),
        ("1E5", "CNY"),
        ("1,23", "CNY"),
        ("1,2345.00", "CNY"),
        (",123", "CNY"),
        ("1,,234", "CNY"),
        ("1.234", "CNY"),  # three decimals for a two-decimal currency: never rounded silently
        ("0.005", "CNY"),
        ("12.5", "JPY"),
        ("1.0001", "KWD"),
        ("", "CNY"),
        ("   ", "CNY"),
        ("--1", "CNY"),
        ("+-1", "CNY"),
        (".5", "CNY"),
        ("1.2.3", "CNY"),
        ("0x10", "CNY"),
        ("12abc", "CNY"),
        ("abc", "CNY"),
        ("1_000", "CNY"),
        ("((5))", "CNY"),
    ],
)
def test_parse_amount_refuses(text: str, currency: str):
    with pytest.raises(InvalidInput) as info:
        parse_amount(text, currency, allow_negative=True)
    assert info.value.field == "amount"


def test_parse_amount_names_the_field_it_was_given():
    with pytest.raises(InvalidInput) as info:
        parse_amount("1.234", "CNY", field="--amount")
    assert info.value.field == "--amount"
    assert "more than 2 decimal place(s) for CNY" in info.value.message


def test_unknown_currency_is_refused_not_guessed():
    with pytest.raises(InvalidInput) as info:
        parse_amount("12", "XYZ")
    assert info.value.field == "currency"
    with pytest.raises(InvalidInput):
        normalize_currency("")


@pytest.mark.parametrize(("text", "code"), [("cny", "CNY"), ("RMB", "CNY"), ("￥", "CNY"), ("人民币", "CNY"),
                                            ("美元", "USD"), ("jpy", "JPY"), (" kwd ", "KWD")])  # fmt: skip
def test_normalize_currency(text: str, code: str):
    assert normalize_currency(text) == code


@pytest.mark.parametrize("value", [1.5, 0.1, 100.0, float("nan"), float("inf")])
def test_parse_amount_refuses_floats_with_type_error(value: float):
    with pytest.raises(TypeError, match="never float"):
        parse_amount(value, "CNY")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda: format_amount(1.5, "CNY"), id="format_amount"),  # type: ignore[arg-type]
        pytest.param(lambda: to_decimal(1.5, "CNY"), id="to_decimal"),  # type: ignore[arg-type]
        pytest.param(lambda: Money(1.5, "CNY"), id="Money"),  # type: ignore[arg-type]
        pytest.param(lambda: totals_by_currency([("CNY", 1.5)]), id="totals_by_currency"),  # type: ignore[list-item]
        pytest.param(lambda: split_by_percent(1.5, [Decimal(100)]), id="split_by_percent-total"),  # type: ignore[arg-type]
        pytest.param(lambda: percent_of(150, 1.5), id="percent_of-percent"),  # type: ignore[arg-type]
        pytest.param(lambda: split_by_percent(100, [50.0, 50.0]), id="split_by_percent-percents"),  # type: ignore[list-item]
    ],
)  # fmt: skip
def test_nothing_in_money_accepts_a_float(call):
    with pytest.raises((TypeError, InvalidInput)):
        call()


def test_round_half_up_does_not_round_a_float():
    # Refused, though only by accident (a float has no .quantize); it must never return a number.
    with pytest.raises((TypeError, InvalidInput, AttributeError)):
        round_half_up(1.5)  # type: ignore[arg-type]


@pytest.mark.parametrize("text", ["12 34", "1 23", "1 2 3 4.5"])
def test_spaces_inside_digits_are_not_a_number(text: str):
    with pytest.raises(InvalidInput):
        parse_amount(text, "CNY")


# --- rounding and percentage splits ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "rounded"),
    [("2.5", 3), ("3.5", 4), ("2.4999", 2), ("-2.5", -3), ("-2.4", -2), ("0.5", 1), ("0", 0)],
)
def test_round_half_up_rounds_halves_away_from_zero(value: str, rounded: int):
    assert round_half_up(Decimal(value)) == rounded


def test_percent_of_rounds_half_up():
    assert percent_of(5, Decimal(50)) == 3  # 0.05 * 50% = 0.025 -> 0.03
    assert percent_of(15, Decimal(50)) == 8  # 7.5 -> 8 (banker's rounding would give 8 too)
    assert percent_of(25, Decimal(50)) == 13  # 12.5 -> 13 (banker's rounding would give 12)
    assert percent_of(10000, Decimal("33.33")) == 3333


def test_split_concrete_vector():
    total = parse_amount("100000.01", "CNY")
    parts = split_by_percent(total, [Decimal(30), Decimal(40), Decimal(25), Decimal(5)])
    assert parts == [3000000, 4000000, 2500000, 500001]
    assert [format_amount(p, "CNY") for p in parts] == ["30000.00", "40000.00", "25000.00", "5000.01"]


def test_split_of_five_fen_rounds_half_up_and_last_takes_remainder():
    assert split_by_percent(5, [Decimal(50), Decimal(50)]) == [3, 2]
    assert split_by_percent(25, [Decimal(50), Decimal(50)]) == [13, 12]


def test_split_into_thirds_adds_up():
    parts = split_by_percent(10000, [Decimal("33.33"), Decimal("33.33"), Decimal("33.34")])
    assert parts == [3333, 3333, 3334]


def test_split_zero_total():
    assert split_by_percent(0, [Decimal(30), Decimal(70)]) == [0, 0]


def test_split_too_small_for_the_plan_is_refused():
    # five parts of 16.7% of 0.03: each rounds up to 0.01, leaving -0.02 for the last part
    with pytest.raises(InvalidInput, match="too small"):
        split_by_percent(3, [Decimal("16.7")] * 5 + [Decimal("16.5")])


@pytest.mark.parametrize(
    "percents",
    [
        [Decimal(30), Decimal(60)],
        [Decimal(50), Decimal(51)],
        [Decimal("33.33"), Decimal("33.33"), Decimal("33.33")],
        [Decimal(100), Decimal(0)],
        [Decimal(110), Decimal(-10)],
        [],
    ],
)
def test_split_refuses_bad_percentages(percents: list[Decimal]):
    with pytest.raises(InvalidInput) as info:
        split_by_percent(10000, percents)
    assert info.value.field == "terms"


def test_split_refuses_negative_total():
    with pytest.raises(InvalidInput):
        split_by_percent(-100, [Decimal(100)])


@st.composite
def percents_summing_to_100(draw) -> list[Decimal]:  # type: ignore[no-untyped-def]
    """Positive percentages with up to two decimals that add up to exactly 100."""
    count = draw(st.integers(min_value=1, max_value=8))
    cuts = sorted(draw(st.sets(st.integers(min_value=1, max_value=9999), min_size=count - 1, max_size=count - 1)))
    bounds = [0, *cuts, 10000]
    return [Decimal(b - a) / 100 for a, b in itertools.pairwise(bounds)]


@settings(max_examples=200, deadline=None)
@given(total=st.one_of(st.integers(min_value=0, max_value=20), st.integers(min_value=0, max_value=10**13)),
       percents=percents_summing_to_100())  # fmt: skip
def test_split_by_percent_property(total: int, percents: list[Decimal]):
    assert sum(percents, Decimal(0)) == 100 and all(p > 0 for p in percents)
    try:
        parts = split_by_percent(total, percents)
    except InvalidInput:
        # Refused only when the half-up parts overshoot the total: possible only for tiny totals,
        # where the last part's share is below the accumulated half-minor-unit roundings.
        head = [
            int((Decimal(total) * p / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)) for p in percents[:-1]
        ]
        assert sum(head) > total
        assert total * percents[-1] < 50 * (len(percents) - 1)
        return
    assert len(parts) == len(percents)
    assert sum(parts) == total
    assert all(isinstance(p, int) and p >= 0 for p in parts)
    for part, pct in zip(parts[:-1], percents[:-1], strict=True):
        assert part == int((Decimal(total) * pct / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@settings(max_examples=100, deadline=None)
@given(total=st.integers(min_value=10**4, max_value=10**13), percents=percents_summing_to_100())
def test_split_by_percent_never_refuses_ordinary_totals(total: int, percents: list[Decimal]):
    # at least 100.00 in minor units: each part can be off by half a unit at most, never overshooting
    assume(total * percents[-1] >= 50 * len(percents))
    assert sum(split_by_percent(total, percents)) == total


# --- Money and totals ------------------------------------------------------------------------------


def test_money_adds_and_subtracts_in_one_currency():
    assert Money(150, "CNY") + Money(250, "CNY") == Money(400, "CNY")
    assert Money(150, "CNY") - Money(250, "CNY") == Money(-100, "CNY")


def test_money_refuses_to_mix_currencies():
    with pytest.raises(ValueError, match="cannot add USD to CNY"):
        Money(100, "CNY") + Money(100, "USD")
    with pytest.raises(ValueError, match="cannot subtract"):
        Money(100, "CNY") - Money(100, "JPY")


def test_money_str_is_grouped_with_code():
    assert str(Money(123456789, "CNY")) == "1,234,567.89 CNY"
    assert str(Money(1234, "JPY")) == "1,234 JPY"


def test_money_is_immutable():
    m = Money(1, "CNY")
    with pytest.raises(AttributeError):
        m.minor = 2  # type: ignore[misc]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(("CNY", "USD", "JPY", "KWD")), minor_units), max_size=30))
def test_totals_by_currency_never_mixes(items: list[tuple[str, int]]):
    totals = totals_by_currency(items)
    assert list(totals) == sorted({c for c, _ in items})
    for currency, total in totals.items():
        assert total == sum(m for c, m in items if c == currency)


def test_totals_by_currency_vector():
    assert totals_by_currency([("USD", 5), ("CNY", 100), ("USD", -2), ("CNY", 1)]) == {"CNY": 101, "USD": 3}
    assert totals_by_currency([]) == {}


@pytest.mark.parametrize(
    ("text", "currency"), [("10000000000000", "CNY"), ("99,999,999,999,999.00", "USD"), ("1" + "0" * 30, "JPY")]
)
def test_amounts_beyond_ten_trillion_units_are_refused(text: str, currency: str):
    """Sums of amounts must stay exact in the database's 64-bit integers (SQLite, PostgreSQL BIGINT)."""
    with pytest.raises(InvalidInput, match="too large"):
        parse_amount(text, currency)
    assert parse_amount("9999999999999.99", "CNY") == 999999999999999
