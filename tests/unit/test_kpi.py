"""KPIs and roll rates as pure functions: formulas worked by hand, zero sales, rounding half up."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from arctl.domain.money import Money
from arctl.reports.kpi import (
    KpiInputs,
    cei,
    countback_dso,
    dso,
    kpi_report,
    kpi_row,
    months_back,
    one_decimal,
    percent,
)
from arctl.reports.rollforward import (
    RollForward,
    mismatches,
    monthly_roll_rates_report,
    roll_matrix_report,
    rollforward_report,
    track,
)

D = Decimal


# --- rounding and month arithmetic -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [("0.25", "0.3"), ("0.35", "0.4"), ("12.249", "12.2"), ("-0.25", "-0.3"), ("235.75", "235.8"), ("7", "7.0")],
)
def test_one_decimal_rounds_half_up_not_to_even(value: str, expected: str) -> None:
    assert one_decimal(D(value)) == D(expected)
    assert str(one_decimal(D(value))) == expected


def test_percent_is_blank_for_nothing_and_exact_otherwise() -> None:
    assert percent(1, 0) is None
    assert percent(0, 5) == D("0.0")
    assert percent(1, 8) == D("12.5")
    assert percent(1, 3) == D("33.3")
    assert percent(2, 3) == D("66.7")
    assert percent(1, 800) == D("0.1")  # 0.125 → 0.1; 0.15 would be 0.2
    assert percent(3, 2000) == D("0.2")  # 0.15 half up


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 10, 31), 3, date(2026, 7, 31)),
        (date(2026, 9, 30), 1, date(2026, 8, 31)),  # a month-end stays a month-end
        (date(2026, 5, 31), 1, date(2026, 4, 30)),
        (date(2026, 3, 30), 1, date(2026, 2, 28)),  # not a month-end: clamped
        (date(2024, 3, 31), 1, date(2024, 2, 29)),
        (date(2026, 2, 28), 1, date(2026, 1, 31)),  # Feb 28 is February's end
        (date(2026, 1, 15), 2, date(2025, 11, 15)),
        (date(2026, 1, 15), 0, date(2026, 1, 15)),
    ],
)
def test_months_back(day: date, months: int, expected: date) -> None:
    assert months_back(day, months) == expected


# --- DSO family ---------------------------------------------------------------------------------------


def test_simple_and_best_possible_dso_by_hand() -> None:
    # AR 2,050.00, sales 800.00 over 92 days: 2050 / 800 × 92 = 235.75 → 235.8 (half up)
    assert dso(205000, 80000, 92) == D("235.8")
    assert dso(70000, 80000, 92) == D("80.5")
    assert dso(0, 80000, 92) == D("0.0")


@pytest.mark.parametrize("sales", [0, -100])
def test_dso_without_sales_is_blank_not_an_error(sales: int) -> None:
    assert dso(100, sales, 90) is None


def test_countback_walks_months_back_and_prorates_the_last() -> None:
    # AR 2050: month 1 (30 days) sold 0, month 2 (31) 0, month 3 (31) 800, month 4 (30) 1600 of which 1250 needed
    assert countback_dso(2050, [(30, 0), (31, 0), (31, 800), (30, 1600)]) == D("115.4")  # 92 + 23.4375
    assert countback_dso(750, [(30, 1000)]) == D("22.5")
    assert countback_dso(1000, [(30, 1000), (31, 5)]) == D("30.0")  # used up exactly by the first month


def test_countback_edges() -> None:
    assert countback_dso(0, []) == D("0.0")
    assert countback_dso(-5, [(30, 10)]) == D("0.0")
    assert countback_dso(100, [(30, 0), (31, 0)]) is None  # history explains no AR: blank
    assert countback_dso(100, []) is None


def test_countback_reads_the_months_lazily() -> None:
    """It stops at the month that uses AR up (the service may hand it a generator)."""
    read = []

    def months():  # type: ignore[no-untyped-def]
        for m in [(30, 60), (31, 60), (30, 60)]:
            read.append(m)
            yield m

    assert countback_dso(100, months()) == D("50.7")  # 30 + 40/60 × 31 = 50.666…
    assert len(read) == 2


def test_cei_by_hand() -> None:
    # (2200 + 800/3 − 2050) / (2200 + 800/3 − 700) × 100 = 416.67 / 1766.67 = 23.58…
    assert cei(2200, 800, 3, 2050, 700) == D("23.6")
    # everything collected: 100
    assert cei(1000, 0, 1, 0, 0) == D("100.0")
    # one month, nothing collected of what was due
    assert cei(1000, 300, 1, 1300, 300) == D("0.0")


@pytest.mark.parametrize(("ar_start", "sales", "end_current"), [(0, 0, 0), (0, 300, 100), (0, 0, 50)])
def test_cei_blank_when_nothing_was_collectible(ar_start: int, sales: int, end_current: int) -> None:
    assert cei(ar_start, sales, 3, 500, end_current) is None


def _inputs(**changes: object) -> KpiInputs:
    base: dict[str, object] = dict(
        currency="CNY", start=date(2026, 6, 30), end=date(2026, 9, 30), months=3, ar_start=220000,
        ar=205000, ar_current=70000, ar_at_risk=110000, sales=80000,
        monthly_sales=((30, 0), (31, 0), (31, 80000), (30, 160000)),
    )  # fmt: skip
    base.update(changes)
    return KpiInputs(**base)  # type: ignore[arg-type]


def test_kpi_row_worked_by_hand() -> None:
    row = kpi_row(_inputs())
    assert row["days"] == 92
    assert row["dso"] == D("235.8")
    assert row["best_dso"] == D("80.5")
    assert row["add"] == D("155.3")  # from the rounded figures: the sheet adds up
    assert row["countback_dso"] == D("115.4")
    assert row["cei"] == D("23.6")
    assert row["at_risk"] == D("53.7")  # 1100 / 2050
    assert row["ar"] == Money(205000, "CNY")
    assert row["sales"] == Money(80000, "CNY")


def test_kpis_with_zero_sales_are_blank_not_errors() -> None:
    row = kpi_row(_inputs(sales=0, monthly_sales=((30, 0), (31, 0))))
    assert row["dso"] is None and row["best_dso"] is None and row["add"] is None
    assert row["countback_dso"] is None
    assert row["cei"] == D("10.0")  # (2200 − 2050) / (2200 − 700): collections still measured
    assert row["at_risk"] == D("53.7")


def test_kpis_of_an_empty_currency() -> None:
    row = kpi_row(_inputs(ar_start=0, ar=0, ar_current=0, ar_at_risk=0, sales=0, monthly_sales=()))
    assert [row[k] for k in ("dso", "best_dso", "add", "cei", "at_risk")] == [None] * 5
    assert row["countback_dso"] == D("0.0")


def test_kpi_report_shape() -> None:
    report = kpi_report([_inputs(currency="USD"), _inputs()], date(2026, 9, 30), 3)
    rows = list(report.rows)
    assert [r["currency"] for r in rows] == ["CNY", "USD"]
    kinds = {c.key: c.kind for c in report.columns}
    assert kinds["dso"] == kinds["countback_dso"] == kinds["best_dso"] == kinds["add"] == "number"
    assert kinds["cei"] == kinds["at_risk"] == "percent"
    assert kinds["sales"] == kinds["ar"] == "money"
    assert report.name == "kpi" and report.as_of == date(2026, 9, 30)
    assert any("half up" in n for n in report.notes)


@given(
    ar=st.integers(0, 10**12),
    sales=st.integers(0, 10**12),
    days=st.integers(1, 400),
)
def test_dso_is_exact_decimal_and_one_decimal(ar: int, sales: int, days: int) -> None:
    value = dso(ar, sales, days)
    if sales == 0:
        assert value is None
    else:
        assert isinstance(value, Decimal)
        assert value.as_tuple().exponent == -1
        assert abs(value - D(ar) * days / D(sales)) <= D("0.05")


# --- roll-forward -------------------------------------------------------------------------------------

TERMS = {"invoiced": 105000, "voided": 25000, "collected": 70000, "credited": 15000, "written_off": 10000,
         "discounted": 0, "received": 75000, "credits_issued": 25000}  # fmt: skip


def test_rollforward_ties_and_lines_add_up() -> None:
    rf = RollForward("CNY", 220000, TERMS, 205000, 0, 5000)
    assert rf.closing == 205000 and rf.difference == 0
    assert rf.applied == 95000
    assert rf.unapplied_closing == 5000 and rf.unapplied_difference == 0
    assert mismatches([rf]) == []
    report = rollforward_report([rf], date(2026, 6, 30), date(2026, 9, 30))
    rows = {r["key"]: r["amount"] for r in report.rows}
    movement_keys = ["invoiced", "voided", "collected", "credited", "written_off", "discounted"]
    assert rows["opening"].minor + sum(rows[k].minor for k in movement_keys) == rows["closing"].minor  # type: ignore[union-attr]
    assert rows["collected"] == Money(-70000, "CNY")
    assert rows["applied"] == Money(-95000, "CNY")


def test_rollforward_names_the_currency_and_difference() -> None:
    good = RollForward("USD", 0, {"invoiced": 100}, 100)
    bad = RollForward("CNY", 220000, TERMS, 205100, 0, 5000)
    problems = mismatches([good, bad])
    assert len(problems) == 1
    assert problems[0].startswith("CNY: AR") and "difference -1.00 CNY" in problems[0]
    unapplied = RollForward("JPY", 0, {"received": 500}, 0, 0, 400)
    assert mismatches([unapplied]) == ["JPY: unapplied cash and credits from the movements is 500, "
                                       "read directly 400: difference 100 JPY"]  # fmt: skip


# --- roll rates ---------------------------------------------------------------------------------------

D1, D2 = date(2026, 6, 30), date(2026, 9, 30)


def test_track_follows_each_installment() -> None:
    before = [
        (1, "CNY", date(2026, 6, 9), 60000),  # 1-30 at D1; owes more at D2 (unapplied): only 600 followed
        (2, "CNY", date(2026, 6, 1), 30000),  # 1-30; 100 paid, 200 to 91-180
        (3, "CNY", None, 70000),  # pending → current
        (4, "CNY", date(2026, 7, 15), 60000),  # current → paid
        (5, "CNY", date(2026, 7, 1), 1000),  # current → voided
        (6, "USD", date(2026, 6, 29), 500),  # 1-30 → 91-180
    ]
    after = [
        (1, "CNY", date(2026, 6, 9), 90000),
        (2, "CNY", date(2026, 6, 1), 20000),
        (3, "CNY", date(2026, 9, 30), 70000),
        (6, "USD", date(2026, 6, 29), 500),
        (7, "CNY", date(2026, 8, 1), 99999),  # issued after D1: not followed
    ]
    flows = track(before, after, {5}, D1, D2)
    cny = flows["CNY"]
    assert cny.opening == {"d1_30": 90000, "pending": 70000, "current": 61000}
    assert cny.moved["d1_30"] == {"d91_180": 80000, "paid": 10000}
    assert cny.moved["pending"] == {"current": 70000}
    assert cny.moved["current"] == {"paid": 60000, "voided": 1000}
    report = roll_matrix_report(flows, D1, D2)
    rows = {(r["currency"], r["from"]): r for r in report.rows}
    assert rows[("CNY", "1-30")]["paid"] == D("11.1")
    assert rows[("CNY", "1-30")]["to_d91_180"] == D("88.9")
    assert rows[("CNY", "1-30")]["to_current"] is None  # blank: nothing went there
    assert rows[("CNY", "Current")]["voided"] == D("1.6")
    assert rows[("USD", "1-30")]["to_d91_180"] == D("100.0")
    totals = {t["currency"]: t for t in report.final_totals()}
    assert totals["CNY"]["open"] == Money(221000, "CNY")
    assert totals["CNY"]["paid"] == D("31.7")  # 70000 / 221000
    assert [r["from"] for r in report.rows if r["currency"] == "CNY"] == ["Current", "1-30", "Pending"]


def test_matrix_rows_add_up_to_a_hundred() -> None:
    before = [(i, "CNY", date(2026, 6, 30 - i), 1000 + i) for i in range(1, 20)]
    after = [(i, "CNY", date(2026, 6, 30 - i), 500) for i in range(1, 20, 2)]
    report = roll_matrix_report(track(before, after, set(), D1, D2), D1, D2)
    for row in [*report.rows, *report.final_totals()]:
        shares = [v for k, v in row.items() if isinstance(v, Decimal)]
        assert abs(sum(shares) - 100) <= D("0.05") * len(shares)


def test_monthly_roll_rates() -> None:
    steps = []
    m0, m1, m2 = date(2026, 7, 31), date(2026, 8, 31), date(2026, 9, 30)
    first = track([(1, "CNY", date(2026, 8, 4), 80000), (2, "CNY", date(2026, 7, 1), 10000)],
                  [(1, "CNY", date(2026, 8, 4), 40000), (2, "CNY", date(2026, 7, 1), 10000)], set(), m0, m1)  # fmt: skip
    steps.append((m0, m1, first))
    steps.append((m1, m2, {}))
    report = monthly_roll_rates_report(steps, m2)
    rows = list(report.rows)
    assert len(rows) == 1
    row = rows[0]
    assert row["month_end"] == m1
    assert row["from_current"] == D("50.0")  # 400 of 800 to 1-30, 400 paid
    assert row["from_d1_30"] == D("100.0")  # 30 days late → 61 days late: rolled on (to 61-90)
    assert row["from_d31_60"] is None
    assert row["paid"] == D("44.4")  # 400 / 900
    assert [c.key for c in report.columns][-2:] == ["from_d181_365", "paid"]
