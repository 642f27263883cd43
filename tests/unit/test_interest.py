"""arctl.domain.interest: late interest (违约金) with hand-computed figures, then properties.

Properties (hypothesis): the total never exceeds the cap; one more payment never increases the interest;
the interest never decreases as the as-of date advances; the periods add up to the same exact amount as
one-day periods (a day-by-day reference); splitting a payment in two on the same day changes nothing; the
periods tile the interest days; successive charges of `accrued_since` add up to the last total.
"""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arctl.domain.errors import InvalidInput
from arctl.domain.interest import (
    InterestQuote,
    PenaltyTerms,
    accrued_since,
    quote,
    round_fraction_half_up,
)

DUE = date(2026, 10, 1)
DAILY = PenaltyTerms("daily", 500)  # 0.05 %/day, the common Chinese contract rate
ANNUAL_6 = PenaltyTerms("annual", 60_000)
YUAN = 100  # minor units per 元


def d(month: int, day: int, year: int = 2026) -> date:
    return date(year, month, day)


def spans(q: InterestQuote) -> list[tuple[date, date, int, int]]:
    return [(p.start, p.end, p.principal_minor, p.amount_minor) for p in q.periods]


# --- day one, payment day, grace -------------------------------------------------------------------------


def test_0_05_percent_a_day_on_100000_for_30_days_is_1500():
    q = quote(100_000 * YUAN, DUE, [], DAILY, d(10, 31))
    assert spans(q) == [(d(10, 2), d(10, 31), 100_000 * YUAN, 1_500 * YUAN)]
    assert (q.days, q.total_minor, q.settled_on, q.capped, q.cap_minor) == (30, 1_500 * YUAN, None, False, None)


@pytest.mark.parametrize(("as_of", "days"), [(d(9, 15), 0), (d(10, 1), 0), (d(10, 2), 1), (d(10, 3), 2)])
def test_day_one_is_the_day_after_the_due_date(as_of: date, days: int):
    q = quote(100_000 * YUAN, DUE, [], DAILY, as_of)
    assert q.starts_on == d(10, 2)
    assert (q.days, q.total_minor) == (days, days * 50 * YUAN)


def test_a_partial_payment_lowers_the_base_the_day_after_its_date():
    # 40,000.00 paid on day 10 (10-11): 10 days on 100,000.00 (500.00), then 20 days on 60,000.00 (600.00).
    q = quote(100_000 * YUAN, DUE, [(d(10, 11), 40_000 * YUAN)], DAILY, d(10, 31))
    assert spans(q) == [
        (d(10, 2), d(10, 11), 100_000 * YUAN, 500 * YUAN),
        (d(10, 12), d(10, 31), 60_000 * YUAN, 600 * YUAN),
    ]
    assert q.total_minor == 1_100 * YUAN


def test_the_payment_day_still_bears_interest_on_the_amount_paid():
    def total(paid_on: date) -> int:
        return quote(100_000 * YUAN, DUE, [(paid_on, 40_000 * YUAN)], DAILY, d(10, 31)).total_minor

    assert total(d(10, 12)) - total(d(10, 11)) == 20 * YUAN  # one more day on 40,000.00 at 0.05 %


@pytest.mark.parametrize(("paid_on", "days"), [(d(9, 30), 0), (d(10, 1), 0), (d(10, 2), 1), (d(10, 11), 10)])
def test_full_payment_stops_interest_after_its_day(paid_on: date, days: int):
    """Paid on P: P − due days of interest, as many as the payment is late."""
    q = quote(100_000 * YUAN, DUE, [(paid_on, 100_000 * YUAN)], DAILY, d(12, 31))
    assert (q.days, q.total_minor, q.settled_on) == (days, days * 50 * YUAN, paid_on)


def test_a_payment_before_the_due_date_lowers_the_whole_base():
    q = quote(100_000 * YUAN, DUE, [(d(9, 20), 40_000 * YUAN)], DAILY, d(10, 31))
    assert spans(q) == [(d(10, 2), d(10, 31), 60_000 * YUAN, 900 * YUAN)]


GRACE_5 = PenaltyTerms("daily", 500, grace_days=5)


@pytest.mark.parametrize(("as_of", "days"), [(d(10, 6), 0), (d(10, 7), 1), (d(10, 31), 25)])
def test_grace_days_move_day_one(as_of: date, days: int):
    q = quote(100_000 * YUAN, DUE, [], GRACE_5, as_of)
    assert q.starts_on == d(10, 7)
    assert (q.days, q.total_minor) == (days, days * 50 * YUAN)


def test_paid_in_full_before_the_grace_ends_costs_nothing():
    q = quote(100_000 * YUAN, DUE, [(d(10, 5), 100_000 * YUAN)], GRACE_5, d(12, 31))
    assert (q.periods, q.total_minor, q.settled_on) == ((), 0, d(10, 5))


def test_grace_is_not_retroactive():
    q = quote(100_000 * YUAN, DUE, [(d(10, 8), 100_000 * YUAN)], GRACE_5, d(12, 31))
    assert spans(q) == [(d(10, 7), d(10, 8), 100_000 * YUAN, 100 * YUAN)]


def test_a_payment_during_the_grace_lowers_the_base():
    q = quote(100_000 * YUAN, DUE, [(d(10, 3), 40_000 * YUAN)], GRACE_5, d(10, 31))
    assert spans(q) == [(d(10, 7), d(10, 31), 60_000 * YUAN, 750 * YUAN)]


# --- annual basis, cap, rounding ----------------------------------------------------------------------


def test_6_percent_a_year_on_1000000_for_73_days_is_12000():
    # 2026-01-02 .. 2026-03-15: 30 + 28 + 15 = 73 days; 1,000,000 × 6 % × 73/365 = 12,000.00.
    q = quote(1_000_000 * YUAN, d(1, 1), [], ANNUAL_6, d(3, 15))
    assert (q.days, q.total_minor) == (73, 12_000 * YUAN)


def test_annual_basis_is_act_365_fixed_even_in_a_leap_year():
    # 366 days of 2028 = 366/365 of a year: 60,000 × 366/365 = 60,164.3835… → 60,164.38.
    q = quote(1_000_000 * YUAN, date(2027, 12, 31), [], ANNUAL_6, date(2028, 12, 31))
    assert q.days == 366
    assert q.accrued_exact == Fraction(6_000_000 * 366, 365)
    assert q.total_minor == 6_016_438


CAPPED = PenaltyTerms("daily", 500, cap_bp=1_000)  # 10 % of the principal: reached after 200 days


@pytest.mark.parametrize(
    ("days", "accrued", "capped"), [(199, 9_950, False), (200, 10_000, False), (201, 10_050, True)]
)
def test_the_cap_limits_the_total(days: int, accrued: int, capped: bool):
    q = quote(100_000 * YUAN, DUE, [], CAPPED, DUE + timedelta(days=days))
    assert round_fraction_half_up(q.accrued_exact) == accrued * YUAN
    assert q.cap_minor == 10_000 * YUAN
    assert (q.total_minor, q.capped) == (min(accrued, 10_000) * YUAN, capped)


def test_the_cap_is_on_the_original_principal_not_what_is_left():
    q = quote(100_000 * YUAN, DUE, [(d(10, 2), 90_000 * YUAN)], CAPPED, DUE + timedelta(days=1000))
    assert q.cap_minor == 10_000 * YUAN
    assert q.total_minor == (50 + 5 * 999) * YUAN  # 1 day on 100,000.00, then 999 days on 10,000.00
    assert not q.capped


def test_rounded_once_not_period_by_period():
    # 30.00 at 0.05 %/day: 1 day on 30.00 = 1.5 fen, then 1 day on 10.00 = 0.5 fen. Exact total 2.0 fen;
    # the displayed periods round to 2 + 1 = 3 fen, the total is 2.
    q = quote(30 * YUAN, DUE, [(d(10, 2), 20 * YUAN)], DAILY, d(10, 3))
    assert [p.exact_minor for p in q.periods] == [Fraction(3, 2), Fraction(1, 2)]
    assert [p.amount_minor for p in q.periods] == [2, 1]
    assert q.total_minor == 2


@pytest.mark.parametrize(
    ("value", "rounded"),
    [(Fraction(1, 2), 1), (Fraction(3, 2), 2), (Fraction(5, 2), 3), (Fraction(49, 100), 0), (Fraction(-1, 2), -1),
     (Fraction(-3, 2), -2), (Fraction(0), 0), (Fraction(7), 7), (Fraction(2, 3), 1), (Fraction(-2, 3), -1)],
)  # fmt: skip
def test_round_fraction_half_up(value: Fraction, rounded: int):
    assert round_fraction_half_up(value) == rounded


def test_amounts_at_the_13_digit_limit_stay_exact():
    largest = 10**15 - 1  # 9,999,999,999,999.99
    one_day = quote(largest, DUE, [], DAILY, d(10, 2))
    assert one_day.accrued_exact == Fraction(4_999_999_999_999_995, 10_000)  # float: …9.99951171875
    assert one_day.total_minor == 500_000_000_000
    ten_years = quote(largest, DUE, [], PenaltyTerms("annual", 240_000), DUE + timedelta(days=3650))
    assert ten_years.accrued_exact == Fraction(largest * 24, 10)  # …997.6 fen; float: …997.5
    assert ten_years.total_minor == 2_399_999_999_999_998


# --- reproducibility and charging ---------------------------------------------------------------------


def test_payments_after_the_as_of_date_are_ignored():
    later = [(d(11, 15), 100_000 * YUAN)]
    assert quote(100_000 * YUAN, DUE, later, DAILY, d(10, 31)) == quote(100_000 * YUAN, DUE, [], DAILY, d(10, 31))


def test_charging_what_accrued_since_adds_up_to_one_rounding():
    # 1.5 fen a day: totals 2, 3, 5 fen (1.5, 3.0, 4.5 rounded); charges 2, 1, 2.
    charged, charges = 0, []
    for as_of in (d(10, 2), d(10, 3), d(10, 4)):
        charge = accrued_since(quote(30 * YUAN, DUE, [], DAILY, as_of), charged)
        charges.append(charge)
        charged += charge
    assert charges == [2, 1, 2]
    assert charged == round_fraction_half_up(Fraction(9, 2)) == 5


def test_a_backdated_payment_shows_as_an_overcharge():
    q = quote(100_000 * YUAN, DUE, [(d(10, 2), 100_000 * YUAN)], DAILY, d(10, 31))
    assert accrued_since(q, 1_500 * YUAN) == -1_450 * YUAN  # a credit note, not a negative charge


def test_zero_principal_or_rate_accrues_nothing():
    assert quote(0, DUE, [], DAILY, d(12, 31)).periods == ()
    q = quote(100 * YUAN, DUE, [], PenaltyTerms("annual", 0), d(12, 31))
    assert (q.days, q.total_minor) == (91, 0)


@pytest.mark.parametrize(
    ("terms", "text"),
    [(DAILY, "0.05%/day"), (ANNUAL_6, "6%/year"), (PenaltyTerms("annual", 100_000), "10%/year"),
     (PenaltyTerms("daily", 0), "0%/day"), (PenaltyTerms("annual", 43_500), "4.35%/year")],
)  # fmt: skip
def test_rate_text(terms: PenaltyTerms, text: str):
    assert terms.rate_text == text


# --- refusals -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [({"basis": "monthly"}, "penalty_basis"), ({"rate_ppm": -1}, "rate_ppm"), ({"grace_days": -1}, "grace_days"),
     ({"cap_bp": -5}, "cap_bp"), ({"rate_ppm": 0.5}, "rate_ppm"), ({"grace_days": None}, "grace_days")],
)  # fmt: skip
def test_bad_terms_are_refused(kwargs: dict, field: str):
    with pytest.raises(InvalidInput) as info:
        PenaltyTerms(**{"basis": "daily", "rate_ppm": 500, **kwargs})
    assert info.value.field == field


@pytest.mark.parametrize(
    ("amount", "payments", "match"),
    [(-1, [], "negative"), (100, [(DUE, 0)], "positive"), (100, [(DUE, -5)], "positive"),
     (100, [(DUE, 60), (d(12, 1), 41)], "exceed")],
)  # fmt: skip
def test_bad_amounts_are_refused(amount: int, payments: list, match: str):
    with pytest.raises(InvalidInput, match=match):
        quote(amount, DUE, payments, DAILY, d(10, 31))


def test_float_amounts_are_refused():
    with pytest.raises(TypeError):
        quote(100.0, DUE, [], DAILY, d(10, 31))  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        quote(100, DUE, [(DUE, 1.0)], DAILY, d(10, 31))  # type: ignore[list-item]


# --- properties ---------------------------------------------------------------------------------------

terms_strategy = st.builds(
    PenaltyTerms,
    basis=st.sampled_from(["daily", "annual"]),
    rate_ppm=st.integers(0, 300_000),
    grace_days=st.integers(0, 30),
    cap_bp=st.none() | st.integers(0, 20_000),
)


@st.composite
def installments(draw: st.DrawFn) -> tuple[int, list[tuple[date, int]]]:
    """A principal and payments that never exceed it, dated around the due date."""
    amount = draw(st.integers(1, 10**6) | st.integers(1, 10**15 - 1))
    payments, left = [], amount
    for offset in draw(st.lists(st.integers(-20, 200), max_size=6)):
        if not left:
            break
        minor = draw(st.integers(1, left))
        payments.append((DUE + timedelta(days=offset), minor))
        left -= minor
    return amount, payments


as_of_offsets = st.integers(-10, 260)


def reference_exact(amount: int, payments: list[tuple[date, int]], terms: PenaltyTerms, as_of: date) -> Fraction:
    """Day by day: each interest day bears the principal left after the payments dated before it."""
    total, day = Fraction(0), DUE + timedelta(days=terms.grace_days + 1)
    while day <= as_of:
        left = amount - sum(minor for paid_on, minor in payments if paid_on < day)
        total += terms.exact_interest(left, 1)
        day += timedelta(days=1)
    return total


@settings(max_examples=150, deadline=None)
@given(installment=installments(), terms=terms_strategy, offset=as_of_offsets)
def test_periods_add_up_like_one_day_periods(installment, terms: PenaltyTerms, offset: int):
    amount, payments = installment
    as_of = DUE + timedelta(days=offset)
    q = quote(amount, DUE, payments, terms, as_of)
    assert q.accrued_exact == reference_exact(amount, payments, terms, as_of)
    assert q.total_minor == round_fraction_half_up(q.total_exact)
    # The periods tile the interest days: contiguous from day one, on a falling positive principal.
    starts = [q.starts_on] + [p.end + timedelta(days=1) for p in q.periods[:-1]]
    assert [p.start for p in q.periods] == starts[: len(q.periods)]
    assert all(p.principal_minor > 0 and p.days > 0 for p in q.periods)
    assert all(a.principal_minor > b.principal_minor for a, b in pairwise(q.periods))
    if q.periods:
        assert q.periods[-1].end == (q.settled_on or as_of)


@settings(max_examples=200, deadline=None)
@given(installment=installments(), terms=terms_strategy, offset=as_of_offsets)
def test_the_total_never_exceeds_the_cap(installment, terms: PenaltyTerms, offset: int):
    amount, payments = installment
    q = quote(amount, DUE, payments, terms, DUE + timedelta(days=offset))
    if terms.cap_bp is not None:
        assert q.total_exact <= q.cap_exact
        assert q.total_minor <= q.cap_minor
        assert q.capped == (q.accrued_exact > q.cap_exact)
    else:
        assert q.total_exact == q.accrued_exact and not q.capped


@settings(max_examples=200, deadline=None)
@given(installment=installments(), terms=terms_strategy, offset=as_of_offsets, data=st.data())
def test_one_more_payment_never_increases_the_interest(installment, terms: PenaltyTerms, offset: int, data):
    amount, payments = installment
    left = amount - sum(minor for _, minor in payments)
    if not left:
        payments, left = payments[:-1], left + payments[-1][1]
    extra = (DUE + timedelta(days=data.draw(st.integers(-20, 260))), data.draw(st.integers(1, left)))
    as_of = DUE + timedelta(days=offset)
    before = quote(amount, DUE, payments, terms, as_of)
    after = quote(amount, DUE, [*payments, extra], terms, as_of)
    assert after.accrued_exact <= before.accrued_exact
    assert after.total_minor <= before.total_minor


@settings(max_examples=200, deadline=None)
@given(installment=installments(), terms=terms_strategy, offsets=st.lists(as_of_offsets, min_size=2, max_size=5))
def test_interest_never_decreases_as_the_date_advances(installment, terms: PenaltyTerms, offsets: list[int]):
    amount, payments = installment
    quotes = [quote(amount, DUE, payments, terms, DUE + timedelta(days=o)) for o in sorted(offsets)]
    assert all(a.total_exact <= b.total_exact for a, b in pairwise(quotes))
    # So charging what accrued since the last run is never negative and adds up to the last total.
    charged = 0
    for q in quotes:
        charge = accrued_since(q, charged)
        assert charge >= 0
        charged += charge
    assert charged == quotes[-1].total_minor


@settings(max_examples=200, deadline=None)
@given(installment=installments(), terms=terms_strategy, offset=as_of_offsets, data=st.data())
def test_splitting_a_payment_on_its_day_changes_nothing(installment, terms: PenaltyTerms, offset: int, data):
    amount, payments = installment
    as_of = DUE + timedelta(days=offset)
    whole = next(((i, p) for i, p in enumerate(payments) if p[1] > 1), None)
    if whole is None:
        return
    i, (paid_on, minor) = whole
    part = data.draw(st.integers(1, minor - 1))
    split = [*payments[:i], (paid_on, part), (paid_on, minor - part), *payments[i + 1 :]]
    assert quote(amount, DUE, split, terms, as_of) == quote(amount, DUE, payments, terms, as_of)
