"""Amounts in Chinese financial capitals (大写金额), as Chinese letters and payment documents write them.

Rules (the People's Bank of China rules for filling in payment documents, domain.md §5):

- Digits 零壹贰叁肆伍陆柒捌玖, units 拾佰仟 inside a four-digit group, 万 and 亿 between groups (万亿 above
  10^12), then 元角分. 壹拾 keeps its 壹 (a bare 拾 at the front could be extended by a forger).
- 整 follows 元 when there are no 角 and no 分. It is never written after 角 or 分 (PBoC leaves it optional
  after 角; the checked vector 1,001.10 → 壹仟零壹元壹角 has none, and one rule is easier to verify).
- One 零 for any run of zeros inside the number, however long and across 万/亿 boundaries. Zeros at the end of
  a four-digit group are carried by the group's unit (107,000 → 壹拾万柒仟, PBoC's own example); a group that
  is all zeros, or starts with a zero, after a written group is a gap and takes one 零 (壹亿零壹仟).
- 元 followed by 0 角 and a non-zero 分 takes 零 (100,000,000.01 → 壹亿元零壹分). The optional 零 when only the
  units digit of 元 is zero is not written (1,680.32 → 壹仟陆佰捌拾元叁角贰分; cn2an does the same).
- Under one 元 nothing is written for the 元 (0.05 → 伍分); zero is 零元整; negatives are prefixed 负.

Only the renminbi has 元角分, so other currencies are refused. The range is what `money` allows: 13 whole
digits, i.e. below 10^15 fen (玖万玖仟…亿…元玖角玖分).
"""

from __future__ import annotations

from arctl.domain.errors import InvalidInput
from arctl.domain.money import MAX_DIGITS, normalize_currency, require_minor

DIGITS = "零壹贰叁肆伍陆柒捌玖"
_IN_GROUP_UNITS = ("", "拾", "佰", "仟")  # units digit first
_RENMINBI = frozenset({"CNY", "CNH"})  # CNH: the offshore renminbi, same 元角分
LIMIT_MINOR = 10 ** (MAX_DIGITS + 2)
"""Exclusive bound on |minor|: 13 whole digits plus 角 and 分."""


def amount_in_capitals(minor: int, currency: str = "CNY") -> str:
    """Fen → 大写金额: 12345_60 → 壹万贰仟叁佰肆拾伍元陆角, 0 → 零元整, -10 → 负壹角."""
    require_minor(minor)
    if normalize_currency(currency) not in _RENMINBI:
        raise InvalidInput(
            f"amounts in Chinese capitals (大写金额) exist only for the renminbi (CNY), not {currency}",
            field="currency",
        )
    if abs(minor) >= LIMIT_MINOR:
        raise InvalidInput(
            f"{minor} fen is too large for Chinese capitals (max {MAX_DIGITS} digits)", field="amount"
        )
    sign = "负" if minor < 0 else ""
    yuan, cents = divmod(abs(minor), 100)
    return sign + _yuan_part(yuan, cents) + _cents_part(yuan, *divmod(cents, 10))


def _yuan_part(yuan: int, cents: int) -> str:
    if yuan:
        return _integer(yuan) + "元"
    return "" if cents else "零元"  # "零元整" is the only place a leading 零 appears


def _cents_part(yuan: int, jiao: int, fen: int) -> str:
    if not jiao and not fen:
        return "整"
    text = DIGITS[jiao] + "角" if jiao else ("零" if yuan else "")  # 元 then 0 角 then 分: 元零伍分
    return text + (DIGITS[fen] + "分" if fen else "")


def _integer(number: int) -> str:
    """A positive integer below 10^16 in capitals, group by group from the top."""
    groups = [(number // 10 ** (4 * i)) % 10_000 for i in (3, 2, 1, 0)]  # 万亿, 亿, 万, units
    units = ["万", "亿", "万", ""]
    if groups[0] and not groups[1]:
        units[0] = "万亿"  # 壹万亿: the empty 亿 group still needs its 亿
    text, gap = "", False
    for group, unit in zip(groups, units, strict=True):
        if not group:
            gap = bool(text)  # an all-zero group between written ones is a run of zeros
            continue
        if text and (gap or group < 1000):
            text += "零"
        text += _group(group) + unit
        gap = False
    return text


def _group(group: int) -> str:
    """1..9999 in capitals; inner zero runs become one 零, trailing zeros are left to the unit."""
    digits = [(group // 10**p) % 10 for p in (3, 2, 1, 0)]
    text, pending_zero = "", False
    for position, digit in zip((3, 2, 1, 0), digits, strict=True):
        if not digit:
            pending_zero = bool(text)
            continue
        text += ("零" if pending_zero else "") + DIGITS[digit] + _IN_GROUP_UNITS[position]
        pending_zero = False
    return text
