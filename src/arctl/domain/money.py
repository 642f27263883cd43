"""Exact money: integer minor units plus an ISO 4217 currency; Decimal only at the edges.

There is exactly one parser (`parse_amount`) and one formatter (`format_amount`). Floats are never
accepted: `Decimal(float)` would carry binary noise into the ledger.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from arctl.domain.errors import InvalidInput

# ISO 4217 minor-unit exponents for the currencies a Chinese receivables desk meets. Unknown codes are
# refused rather than guessed: a wrong exponent would scale every amount by 10 or 100.
EXPONENTS: dict[str, int] = {
    "CNY": 2, "CNH": 2, "HKD": 2, "MOP": 2, "TWD": 2, "USD": 2, "EUR": 2, "GBP": 2, "CHF": 2,
    "AUD": 2, "NZD": 2, "CAD": 2, "SGD": 2, "MYR": 2, "THB": 2, "PHP": 2, "INR": 2, "RUB": 2,
    "AED": 2, "SAR": 2, "SEK": 2, "NOK": 2, "DKK": 2, "PLN": 2, "CZK": 2, "HUF": 2, "MXN": 2,
    "BRL": 2, "ZAR": 2, "TRY": 2, "ILS": 2, "IDR": 2, "PKR": 2, "BDT": 2, "LKR": 2, "EGP": 2,
    "KZT": 2, "MNT": 2,
    "JPY": 0, "KRW": 0, "VND": 0, "CLP": 0, "ISK": 0, "UGX": 0, "XOF": 0, "XAF": 0, "PYG": 0,
    "BHD": 3, "KWD": 3, "OMR": 3, "JOD": 3, "TND": 3, "LYD": 3, "IQD": 3,
}  # fmt: skip

# Names clerks type or banks print for the renminbi.
_CURRENCY_ALIASES = {"RMB": "CNY", "¥": "CNY", "￥": "CNY", "人民币": "CNY", "元": "CNY", "美元": "USD", "$": "USD",
                     "US$": "USD", "欧元": "EUR", "€": "EUR", "港币": "HKD", "港元": "HKD", "日元": "JPY"}  # fmt: skip

MAX_DIGITS = 13
"""Whole digits an amount may have: ten trillion units. Sums of many such amounts still fit the
64-bit integers that SQLite and PostgreSQL (BIGINT) add up exactly."""
_SYMBOLS = ("RMB", "CNY", "USD", "¥", "￥", "$", "€", "元")
_PLAIN = re.compile(r"^(?P<sign>[+-]?)(?P<int>\d+)(?:\.(?P<frac>\d*))?$")
_GROUPED = re.compile(r"^(?P<sign>[+-]?)(?P<int>\d{1,3}(?:,\d{3})+)(?:\.(?P<frac>\d*))?$")


def normalize_currency(text: str, *, field: str = "currency") -> str:
    """`cny`, `RMB`, `￥` → `CNY`; refuses codes whose minor unit we do not know."""
    if text in EXPONENTS:  # already a code: the usual case, and hot (every amount a letter prints)
        return text
    raw = unicodedata.normalize("NFKC", (text or "").strip())
    code = _CURRENCY_ALIASES.get(raw, _CURRENCY_ALIASES.get(raw.upper(), raw.upper()))
    if code not in EXPONENTS:
        raise InvalidInput(f"unknown currency {text!r} (use an ISO 4217 code such as CNY or USD)", field=field)
    return code


def exponent(currency: str) -> int:
    """Number of decimals of the currency's minor unit (CNY 2, JPY 0, KWD 3)."""
    return EXPONENTS[normalize_currency(currency)]


def parse_amount(text: str, currency: str, *, field: str = "amount", allow_negative: bool = False) -> int:
    """Parse a decimal amount as typed or exported ("1,234.50", "￥1234.5", "RMB 12") into minor units.

    Refuses what an accounting tool must never guess: NaN/Infinity/exponents, more decimals than the
    currency has (no silent rounding), mangled thousands separators, and negatives unless allowed.
    Full-width digits and symbols (common in Chinese exports) are folded to ASCII first.
    """
    if isinstance(text, float):  # pragma: no cover - defensive: floats must never reach the ledger
        raise TypeError("amounts must be strings or Decimal, never float")
    if isinstance(text, Decimal):
        text = format(text, "f")
    raw = unicodedata.normalize("NFKC", str(text)).strip()
    for symbol in _SYMBOLS:
        raw = raw.replace(unicodedata.normalize("NFKC", symbol), "")
    raw = raw.strip()  # the space between a symbol and the number; spaces inside a number are refused
    if raw.startswith("(") and raw.endswith(")"):  # accounting negative: (1,234.00)
        raw = "-" + raw[1:-1]
    match = _PLAIN.match(raw) or _GROUPED.match(raw)
    if not match:
        raise InvalidInput(f"{text!r} is not an amount (expected digits like 1234.56)", field=field)
    places = exponent(currency)
    frac = match["frac"] or ""
    if len(frac) > places:
        raise InvalidInput(
            f"{text!r} has more than {places} decimal place(s) for {normalize_currency(currency)}", field=field
        )
    digits = match["int"].replace(",", "").lstrip("0")
    if len(digits) > MAX_DIGITS:
        raise InvalidInput(f"{text!r} is too large (more than {MAX_DIGITS} digits before the point)", field=field)
    minor = int(match["int"].replace(",", "")) * 10**places + int((frac or "0").ljust(places, "0") or "0")
    if match["sign"] == "-":
        minor = -minor
    if minor < 0 and not allow_negative:
        raise InvalidInput(f"{text!r} must not be negative", field=field)
    return minor


def require_minor(minor: object) -> int:
    """Minor units are ints, full stop: a float here would already have lost cents."""
    if type(minor) is not int:
        raise TypeError(f"minor units must be int, not {type(minor).__name__}")
    return minor


def to_decimal(minor: int, currency: str) -> Decimal:
    """Minor units → Decimal with exactly the currency's number of places."""
    require_minor(minor)
    places = exponent(currency)
    return Decimal(minor).scaleb(-places).quantize(Decimal(1).scaleb(-places))


def format_amount(minor: int, currency: str, *, grouping: bool = False) -> str:
    """Minor units → "1234.50" (files, JSON) or "1,234.50" (tables). Never scientific notation."""
    require_minor(minor)
    places = EXPONENTS.get(currency)
    if places is None:
        places = exponent(currency)
    whole, frac = divmod(-minor if minor < 0 else minor, 10**places)  # integers only: hot in big reports
    text = f"{whole:,}" if grouping else str(whole)
    if places:
        text = f"{text}.{frac:0{places}d}"
    return "-" + text if minor < 0 else text


def round_half_up(value: Decimal) -> int:
    """Round a Decimal number of minor units to an integer, halves away from zero."""
    try:
        return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    except InvalidOperation as exc:  # pragma: no cover - only reachable with NaN/inf, refused earlier
        raise InvalidInput(f"cannot round {value}") from exc


def percent_of(minor: int, percent: Decimal) -> int:
    """`percent` % of an amount, rounded half-up to the minor unit."""
    return round_half_up(Decimal(minor) * percent / 100)


def split_by_percent(total: int, percents: Sequence[Decimal]) -> list[int]:
    """Split `total` minor units into parts by percentage.

    Rule (documented and tested): every part but the last is rounded half-up to the minor unit; the last
    part takes the remainder, so the parts always add up to the total exactly. Percentages must be
    positive and add up to exactly 100. A total too small for the plan (the remainder would go negative)
    is refused instead of producing a negative installment.
    """
    if not percents:
        raise InvalidInput("a plan needs at least one part", field="terms")
    if any(p <= 0 for p in percents):
        raise InvalidInput("every part of a plan must be a positive percentage", field="terms")
    if sum(percents, Decimal(0)) != 100:
        raise InvalidInput(f"plan percentages add up to {sum(percents, Decimal(0))}%, not 100%", field="terms")
    require_minor(total)
    if total < 0:
        raise InvalidInput("cannot split a negative amount", field="amount")
    parts = [percent_of(total, p) for p in percents[:-1]]
    last = total - sum(parts)
    if last < 0:
        raise InvalidInput("amount is too small to split into this plan's parts", field="amount")
    return [*parts, last]


@dataclass(frozen=True, slots=True)
class Money:
    """An amount in one currency. Adding two currencies is a bug, so it raises."""

    minor: int
    """Amount in the currency's minor unit (fen for CNY, cents for USD, yen for JPY)."""
    currency: str
    """ISO 4217 code."""

    def __post_init__(self) -> None:
        require_minor(self.minor)

    def __add__(self, other: Money) -> Money:
        if other.currency != self.currency:
            raise ValueError(f"cannot add {other.currency} to {self.currency}")
        return Money(self.minor + other.minor, self.currency)

    def __sub__(self, other: Money) -> Money:
        if other.currency != self.currency:
            raise ValueError(f"cannot subtract {other.currency} from {self.currency}")
        return Money(self.minor - other.minor, self.currency)

    def __str__(self) -> str:
        return f"{format_amount(self.minor, self.currency, grouping=True)} {self.currency}"


def totals_by_currency(items: Iterable[tuple[str, int]]) -> dict[str, int]:
    """Sum (currency, minor) pairs per currency; never mixes currencies."""
    out: dict[str, int] = {}
    for currency, minor in items:
        require_minor(minor)
        out[currency] = out.get(currency, 0) + minor
    return dict(sorted(out.items()))
