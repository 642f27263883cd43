"""arctl.domain.capitals: amounts in Chinese financial capitals (大写金额).

Hand-checked vectors (domain.md §5 and the PBoC examples), then properties checked on every amount whose
digits are 0 or 1 (all zero patterns up to 15 digits, exhaustively) and on hypothesis samples:

- P1 round trip: an independent parser below (capitals → fen) gives back the amount.
- P2 alphabet: only 零壹贰叁肆伍陆柒捌玖 拾佰仟万亿 元角分 整 负.
- P3 零: never doubled, never last, always followed by a digit 壹–玖 (so never before a unit) — except the
  whole text 零元整.
- P4 整 is last and only last, present iff 角 and 分 are both zero.
- P5 元 present iff the amount is at least one 元 or zero; 角 iff the 角 digit is not 0; 分 iff the 分 digit
  is not 0.
- P6 every 拾/佰/仟 follows a digit 壹–玖 (壹拾 keeps its 壹).
- P7 the number of 零 equals a count made from the digits: a non-zero digit whose upper neighbour is 0 takes
  one 零, unless it leads its four-digit group and the group above has a non-zero digit (that group's unit
  carries its trailing zeros); plus one after 元 when 角 is 0 and 分 is not.
- P8 负 + the capitals of the absolute value, for negatives.
"""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arctl.domain.capitals import DIGITS, LIMIT_MINOR, amount_in_capitals
from arctl.domain.errors import InvalidInput

# --- an independent parser: capitals → fen ----------------------------------------------------------

_DIGIT = {char: value for value, char in enumerate(DIGITS)}
_SMALL_UNITS = {"拾": 10, "佰": 100, "仟": 1000}


def _parse_integer(text: str) -> int:
    """Classic section parser: 万 scales the section so far, 亿 scales everything so far."""
    total = section = number = 0
    for char in text:
        if char in _DIGIT:
            number = _DIGIT[char]
        elif char in _SMALL_UNITS:
            section, number = section + number * _SMALL_UNITS[char], 0
        elif char == "万":
            section, number = (section + number) * 10_000, 0
        elif char == "亿":
            total, section, number = (total + section + number) * 10**8, 0, 0
        else:
            raise ValueError(f"unexpected {char!r} in {text!r}")
    return total + section + number


def _parse_cents(text: str) -> int:
    cents, digit = 0, 0
    for char in text:
        if char in _DIGIT:
            digit = _DIGIT[char]
        elif char in ("角", "分"):
            cents, digit = cents + digit * (10 if char == "角" else 1), 0
        else:
            raise ValueError(f"unexpected {char!r} in {text!r}")
    return cents


def parse_capitals(text: str) -> int:
    """大写金额 → fen (test oracle; accepts what amount_in_capitals writes)."""
    sign = -1 if text.startswith("负") else 1
    body = text.removeprefix("负").removesuffix("整")
    yuan, _, cents = body.rpartition("元")
    return sign * (_parse_integer(yuan) * 100 + _parse_cents(cents))


# --- vectors -----------------------------------------------------------------------------------------

CHECKED = [  # domain.md §5, checked against cn2an 0.5.24 "rmb" mode
    (5, "伍分"),
    (10_00, "壹拾元整"),
    (1_001_10, "壹仟零壹元壹角"),
    (12_345_60, "壹万贰仟叁佰肆拾伍元陆角"),
    (100_000_000_01, "壹亿元零壹分"),
    (1_000_000_010_00, "壹拾亿零壹拾元整"),
]

PBOC_EXAMPLES = [  # the rules' own examples; where two forms are allowed, the one without the optional 零
    (1_409_50, "壹仟肆佰零玖元伍角"),
    (6_007_14, "陆仟零柒元壹角肆分"),
    (1_680_32, "壹仟陆佰捌拾元叁角贰分"),  # or 壹仟陆佰捌拾元零叁角贰分
    (107_000_53, "壹拾万柒仟元伍角叁分"),  # or 壹拾万柒仟元零伍角叁分
    (16_409_02, "壹万陆仟肆佰零玖元零贰分"),
    (325_04, "叁佰贰拾伍元零肆分"),
]

HAND_CHECKED = [
    (0, "零元整"),
    (1, "壹分"),
    (10, "壹角"),
    (15, "壹角伍分"),
    (1_00, "壹元整"),
    (1_01, "壹元零壹分"),
    (1_20, "壹元贰角"),
    (11_00, "壹拾壹元整"),
    (20_00, "贰拾元整"),
    (100_05, "壹佰元零伍分"),  # 0 角, 分 not 0: 元零伍分, as in 壹亿元零壹分
    (101_00, "壹佰零壹元整"),
    (110_00, "壹佰壹拾元整"),
    (1_010_00, "壹仟零壹拾元整"),
    (10_000_00, "壹万元整"),
    (10_001_00, "壹万零壹元整"),
    (10_100_00, "壹万零壹佰元整"),
    (100_010_00, "壹拾万零壹拾元整"),
    (109_000_00, "壹拾万玖仟元整"),
    (110_000_00, "壹拾壹万元整"),
    (1_000_000_00, "壹佰万元整"),
    (1_010_101_01, "壹佰零壹万零壹佰零壹元零壹分"),
    (10_001_000_00, "壹仟万壹仟元整"),  # the 万 group's trailing zeros are carried by 万
    (100_001_000_00, "壹亿零壹仟元整"),  # an all-zero 万 group is a gap
    (200_030_000_00, "贰亿零叁万元整"),
    (300_000_600_00, "叁亿零陆佰元整"),
    (1_000_000_000_00, "壹拾亿元整"),
    (20_000_000_000_00, "贰佰亿元整"),
    (1_000_000_000_000_00, "壹万亿元整"),
    (1_000_000_000_001_00, "壹万亿零壹元整"),
    (1_050_000_000_000_00, "壹万零伍佰亿元整"),
    (1_200_000_000_000_00, "壹万贰仟亿元整"),
    (1_000_010_000_000_00, "壹万亿零壹仟万元整"),  # the empty 亿 group is a gap (cn2an agrees)
    (9_999_999_999_999_99, "玖万玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"),
    (-1_234_56, "负壹仟贰佰叁拾肆元伍角陆分"),
    (-10, "负壹角"),
    (-10_00, "负壹拾元整"),
]


@pytest.mark.parametrize(("minor", "text"), CHECKED + PBOC_EXAMPLES + HAND_CHECKED)
def test_vectors(minor: int, text: str):
    assert amount_in_capitals(minor) == text
    assert parse_capitals(text) == minor


@pytest.mark.parametrize("currency", ["CNY", "cny", "RMB", "￥", "人民币", "CNH"])
def test_renminbi_spellings_are_accepted(currency: str):
    assert amount_in_capitals(12_345_60, currency) == "壹万贰仟叁佰肆拾伍元陆角"


@pytest.mark.parametrize("currency", ["USD", "HKD", "JPY", "KWD"])
def test_other_currencies_are_refused(currency: str):
    with pytest.raises(InvalidInput, match="only for the renminbi") as info:
        amount_in_capitals(100, currency)
    assert info.value.field == "currency"


def test_unknown_currency_is_refused():
    with pytest.raises(InvalidInput, match="unknown currency"):
        amount_in_capitals(100, "XYZ")


def test_the_largest_amount_money_allows_is_the_limit():
    assert LIMIT_MINOR == 10**15
    amount_in_capitals(LIMIT_MINOR - 1)
    amount_in_capitals(-(LIMIT_MINOR - 1))
    for too_big in (LIMIT_MINOR, -LIMIT_MINOR):
        with pytest.raises(InvalidInput, match="too large"):
            amount_in_capitals(too_big)


@pytest.mark.parametrize("bad", [1.0, "100", None])
def test_minor_units_must_be_int(bad: object):
    with pytest.raises(TypeError):
        amount_in_capitals(bad)  # type: ignore[arg-type]


# --- properties ---------------------------------------------------------------------------------------

_ALPHABET = set(DIGITS) | set("拾佰仟万亿元角分整负")
_NON_ZERO_DIGITS = set(DIGITS[1:])


def _expected_zeros(minor: int) -> int:
    """P7: the number of 零, counted from the digits alone."""
    yuan, cents = divmod(abs(minor), 100)
    digits = [int(d) for d in reversed(str(yuan))] if yuan else []  # digits[p] is 10^p
    zeros = 0
    for p in range(len(digits) - 1):
        if not digits[p] or digits[p + 1]:
            continue
        leads_group = p % 4 == 3
        group_above_written = any(digits[p + 1 : p + 5])
        zeros += not (leads_group and group_above_written)
    jiao, fen = divmod(cents, 10)
    return zeros + (1 if yuan and not jiao and fen else 0)


def check_properties(minor: int) -> None:
    text = amount_in_capitals(minor)
    yuan, cents = divmod(abs(minor), 100)
    jiao, fen = divmod(cents, 10)
    assert parse_capitals(text) == minor, text  # P1
    assert set(text) <= _ALPHABET, text  # P2
    if text != "零元整":  # P3
        assert "零零" not in text and not text.endswith("零"), text
        assert all(text[i + 1] in _NON_ZERO_DIGITS for i, c in enumerate(text) if c == "零"), text
    assert text.count("整") == (cents == 0) and (cents != 0 or text.endswith("元整")), text  # P4
    assert ("元" in text) == (yuan > 0 or minor == 0), text  # P5
    assert ("角" in text) == (jiao != 0) and ("分" in text) == (fen != 0), text
    assert all(text[i - 1] in _NON_ZERO_DIGITS for i, c in enumerate(text) if c in "拾佰仟"), text  # P6
    assert text.count("零") == _expected_zeros(minor) + (minor == 0), text  # P7
    if minor < 0:  # P8
        assert text == "负" + amount_in_capitals(-minor)
    else:
        assert "负" not in text


def test_properties_on_every_zero_pattern():
    """All amounts up to 15 digits whose digits are 0 or 1: every placement of zero runs, 32,768 amounts."""
    for length in range(1, 16):
        for tail in itertools.product("01", repeat=length - 1):
            check_properties(int("1" + "".join(tail)))
    check_properties(0)


def test_properties_on_every_amount_below_200_yuan():
    for minor in range(20_000):
        check_properties(minor)


sparse_amounts = st.lists(st.sampled_from("0000000000123456789"), min_size=1, max_size=15).map(
    lambda digits: int("".join(digits))
)
amounts = st.one_of(st.integers(min_value=0, max_value=LIMIT_MINOR - 1), sparse_amounts)


@settings(max_examples=500, deadline=None)
@given(minor=amounts, negative=st.booleans())
def test_properties_hold_for_any_amount(minor: int, negative: bool):
    check_properties(-minor if negative else minor)
