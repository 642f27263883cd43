"""Late interest (违约金) on one installment: simple interest on the principal outstanding each day.

Conventions (domain.md §3; each one is pinned by a test):

- **Day one** is the day after the due date plus the grace days: due 2026-10-01 with no grace accrues its
  first day on 2026-10-02, so a quote as of 10-02 covers 1 day; with 5 grace days day one is 10-07. Grace
  is not retroactive: paying late after the grace ends costs the days after the grace only.
- **Interest days** are day one through the as-of date, both included. Each bears interest on the principal
  outstanding at the start of that day.
- **A payment dated P** still leaves day P bearing interest on the amount it pays; the lower base applies from
  P + 1. So an amount paid on P bears P − due − grace days, the same count as "days late" (逾期天数 =
  payment date − due date) and as aging's D − due. Read as accrual from date to date, this is "the payment
  lowers the base from its date on". Full payment stops the interest: P is the last interest day.
- **Rates**: `daily` charges rate_ppm / 10^6 of the principal per day (0.05 %/day = 500 ppm); `annual` is
  ACT/365 fixed, principal × rate_ppm / 10^6 × days / 365, also in leap years (as ERPNext computes it).
- **Cap**: cap_bp / 10^4 of the installment's original principal; the total never exceeds it.
- **Exact, then round once**: periods are exact `Fraction`s of a minor unit; the total is the exact sum
  (capped), rounded half-up to the minor unit once. Periods are shown rounded, so their rounded amounts
  may not add up to the total: the total is right, not the sum of the displayed parts.
- **Reproducible**: a quote as of D ignores payments dated after D. Such payments only change days after D,
  so the total never decreases as D advances; charging "only what accrued since the last charge" is
  `accrued_since(quote(as_of=D2), already charged)`, and the charges add up to the rounding of one total.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Literal

from arctl.domain.errors import InvalidInput
from arctl.domain.money import require_minor

Basis = Literal["daily", "annual"]
BASES: tuple[Basis, ...] = ("daily", "annual")
PPM = 1_000_000
BASIS_POINTS = 10_000
DAYS_PER_YEAR = 365  # ACT/365 fixed
_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class PenaltyTerms:
    """A contract's 违约金 terms (Contract.penalty_* columns)."""

    basis: Basis
    """`daily`: the rate is per day; `annual`: per year of 365 days."""
    rate_ppm: int
    """Rate per basis period in parts per million: 0.05 %/day = 500, 6 %/year = 60,000."""
    grace_days: int = 0
    """Days after the due date that bear no interest."""
    cap_bp: int | None = None
    """Cap on the total, in basis points of the installment's principal (10 % = 1,000); None: no cap."""

    def __post_init__(self) -> None:
        if self.basis not in BASES:
            raise InvalidInput(f"penalty basis must be daily or annual, not {self.basis!r}", field="penalty_basis")
        for name in ("rate_ppm", "grace_days", "cap_bp"):
            value = getattr(self, name)
            if value is None and name == "cap_bp":
                continue
            if type(value) is not int or value < 0:
                raise InvalidInput(f"{name} must be a whole number ≥ 0, not {value!r}", field=name)

    @property
    def rate_text(self) -> str:
        """The rate as a contract writes it: 0.05%/day, 6%/year."""
        percent = Decimal(self.rate_ppm).scaleb(-4).normalize()
        return f"{percent:f}%/{'day' if self.basis == 'daily' else 'year'}"

    def exact_interest(self, principal_minor: int, days: int) -> Fraction:
        """Interest on a constant principal for `days` days, in exact minor units."""
        per_period = PPM if self.basis == "daily" else PPM * DAYS_PER_YEAR
        return Fraction(principal_minor * self.rate_ppm * days, per_period)


@dataclass(frozen=True, slots=True)
class InterestPeriod:
    """A run of interest days on one principal; periods split where a payment changes it."""

    start: date
    """First interest day, included."""
    end: date
    """Last interest day, included."""
    principal_minor: int
    """Principal outstanding on each of these days."""
    exact_minor: Fraction
    """Interest of the period in exact minor units (not rounded)."""

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def amount_minor(self) -> int:
        """The period's interest rounded half-up, for display only (the total is rounded once, from exact)."""
        return round_fraction_half_up(self.exact_minor)


@dataclass(frozen=True, slots=True)
class InterestQuote:
    """Late interest on one installment as of a date, with its per-period breakdown."""

    principal_minor: int
    """The installment's original principal (the cap's base)."""
    due_on: date
    as_of: date
    terms: PenaltyTerms
    starts_on: date
    """Day one: due date + grace days + 1."""
    periods: tuple[InterestPeriod, ...]
    settled_on: date | None
    """Date of the payment that brought the principal to zero, if on or before as_of; interest stops there."""

    @property
    def days(self) -> int:
        return sum(p.days for p in self.periods)

    @property
    def accrued_exact(self) -> Fraction:
        """Exact interest before the cap."""
        return sum((p.exact_minor for p in self.periods), Fraction(0))

    @property
    def cap_exact(self) -> Fraction | None:
        if self.terms.cap_bp is None:
            return None
        return Fraction(self.principal_minor * self.terms.cap_bp, BASIS_POINTS)

    @property
    def cap_minor(self) -> int | None:
        cap = self.cap_exact
        return None if cap is None else round_fraction_half_up(cap)

    @property
    def capped(self) -> bool:
        """True when the cap cut the total (interest merely equal to the cap is not capped)."""
        cap = self.cap_exact
        return cap is not None and self.accrued_exact > cap

    @property
    def total_exact(self) -> Fraction:
        cap = self.cap_exact
        return self.accrued_exact if cap is None else min(self.accrued_exact, cap)

    @property
    def total_minor(self) -> int:
        """What is owed as of `as_of`: the exact (capped) total rounded half-up once."""
        return round_fraction_half_up(self.total_exact)


def round_fraction_half_up(value: Fraction) -> int:
    """Exact rounding of a Fraction to an integer, halves away from zero (as money.round_half_up does for Decimal)."""
    magnitude = abs(value)
    rounded = (2 * magnitude.numerator + magnitude.denominator) // (2 * magnitude.denominator)
    return -rounded if value < 0 else rounded


def quote(
    amount_minor: int,
    due_on: date,
    payments: Sequence[tuple[date, int]],
    terms: PenaltyTerms,
    as_of: date,
) -> InterestQuote:
    """Late interest on an installment of `amount_minor` due on `due_on`, as of `as_of`.

    `payments` are the allocations in force against the installment's principal: the date each one reduced
    it, and by how much. Those dated after `as_of` are ignored, so the quote is reproducible for any past date.
    """
    _check(amount_minor, payments)
    starts_on = due_on + timedelta(days=terms.grace_days + 1)
    in_force = sorted((paid_on, minor) for paid_on, minor in payments if paid_on <= as_of)
    periods, settled_on = _periods(amount_minor, starts_on, in_force, terms, as_of)
    return InterestQuote(amount_minor, due_on, as_of, terms, starts_on, tuple(periods), settled_on)


def accrued_since(current: InterestQuote, charged_minor: int) -> int:
    """What a new 违约金 charge should be: the total as of now less what earlier charges already took.

    Because the exact total never decreases with the as-of date, charging this difference at each run makes
    the charges add up to the rounding of one exact total, never to a sum of rounded pieces. A negative
    result means earlier charges exceed what is owed (a payment recorded later with an earlier date): that
    calls for a credit note, not a negative charge, so the caller must not post it as one.
    """
    return current.total_minor - require_minor(charged_minor)


def _check(amount_minor: int, payments: Iterable[tuple[date, int]]) -> None:
    if require_minor(amount_minor) < 0:
        raise InvalidInput(f"principal must not be negative ({amount_minor})", field="amount")
    paid = 0
    for paid_on, minor in payments:
        if require_minor(minor) <= 0:
            raise InvalidInput(f"payment of {minor} on {paid_on} must be positive", field="payments")
        paid += minor
    if paid > amount_minor:  # the ledger forbids over-allocation; interest must not guess around it
        raise InvalidInput(f"payments ({paid}) exceed the principal ({amount_minor})", field="payments")


def _periods(
    principal: int, starts_on: date, payments: list[tuple[date, int]], terms: PenaltyTerms, as_of: date
) -> tuple[list[InterestPeriod], date | None]:
    periods: list[InterestPeriod] = []
    start = starts_on
    for paid_on, minor in payments:
        if paid_on >= start:  # day P still bears the old base; close the period on it
            periods.append(_period(start, paid_on, principal, terms))
            start = paid_on + _ONE_DAY
        principal -= minor
        if principal == 0:
            return periods, paid_on
    if principal and as_of >= start:
        periods.append(_period(start, as_of, principal, terms))
    return periods, None


def _period(start: date, end: date, principal: int, terms: PenaltyTerms) -> InterestPeriod:
    days = (end - start).days + 1
    return InterestPeriod(start, end, principal, terms.exact_interest(principal, days))
