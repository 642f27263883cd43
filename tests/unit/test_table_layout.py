"""The terminal table's layout: money widths from each column's extremes, every cell formatted once.

`layout()` measures a money column from its largest and most negative amount per currency instead of
formatting every cell in full digits first (and again in thousands). These tests pin that down against
the two-pass layout it replaced (kept below as the reference), on hand-picked edge cases and on random
reports: same columns, widths, cell texts and notes, same bytes off a terminal.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len

from arctl.cli._output import (
    _UNLIMITED,
    TABLE_WIDTH,
    TEXT_FLOOR,
    _cut,
    _is_empty,
    _render,
    _thousands,
    cell_text,
    layout,
)
from arctl.domain.money import Money
from arctl.domain.report import Cell, Column, Report, Row

# --- the reference: the two-pass layout of commit e283e7d, verbatim but for names -------------------


@dataclass
class _Plan:
    columns: list[Column]
    widths: list[int]
    body: list[list[str]]
    totals: list[list[str]]
    notes: list[str]

    @property
    def width(self) -> int:
        return sum(self.widths) + 2 * max(len(self.widths) - 1, 0)


def reference_layout(report: Report, *, wide: bool, budget: int) -> _Plan:
    rows = list(report.rows)
    totals = report.final_totals()
    columns = [c for c in report.columns if wide or not c.wide_only]
    notes: list[str] = []

    def build(cols: list[Column], in_thousands: bool) -> _Plan:
        def text(row: dict[str, Cell], column: Column) -> str:
            value = row.get(column.key)
            return _thousands(value) if in_thousands and column.kind == "money" else cell_text(value, column.kind)

        body = [[text(r, c) for c in cols] for r in rows]
        tots = [[text(r, c) for c in cols] for r in totals]
        widths = [max([cell_len(c.title)] + [cell_len(r[i]) for r in body + tots]) for i, c in enumerate(cols)]
        return _Plan(cols, widths, body, tots, [])

    table = build(columns, False)
    if wide or table.width <= budget:
        return table
    empty = [c for c in columns if c.kind in ("money", "number", "percent")
             and all(_is_empty(r.get(c.key)) for r in [*rows, *totals])]  # fmt: skip
    if empty:
        columns = [c for c in columns if c not in empty]
        notes.append("no amounts in: " + ", ".join(c.title for c in empty))
        table = build(columns, False)

    def shrink(t: _Plan) -> _Plan:
        excess = t.width - budget
        texts = [i for i, c in enumerate(t.columns) if c.kind == "text"]
        prose = {i for i in texts if any(" " in r[i].strip() for r in t.body + t.totals)}
        for i in sorted(texts, key=lambda i: (i not in prose, -t.widths[i])):
            if excess <= 0:
                break
            floor = min(t.widths[i], max(cell_len(t.columns[i].title), TEXT_FLOOR))
            give = min(excess, t.widths[i] - floor)
            t.widths[i] -= give
            excess -= give
        for cells in t.body + t.totals:
            for i in texts:
                if cell_len(cells[i]) > t.widths[i]:
                    cells[i] = _cut(cells[i], t.widths[i])
        return t

    table = shrink(table)
    if table.width > budget and any(c.kind == "money" for c in columns):
        table = shrink(build(columns, True))
        notes.append("amounts in thousands (--wide for full amounts)")
    if table.width > budget:
        notes.append(f"wider than {budget} columns: --wide shows all columns, --format csv all digits")
    table.notes = notes
    return table


def _reference_fit(text: str, width: int, numeric: bool) -> str:
    size = cell_len(text)
    if size <= width or numeric:
        return " " * (width - size) + text if numeric else text + " " * (width - size)
    out, used = [], 0
    for ch in text:
        w = cell_len(ch)
        if used + w > width - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + "…" + " " * (width - 1 - used)


def reference_plain(report: Report, *, wide: bool, budget: int) -> str:
    plan = reference_layout(report, wide=wide, budget=budget)
    lines = [report.title]
    if not plan.body and not plan.totals:
        lines.append("nothing to show.")
    else:
        spec = [(w, c.kind not in ("text", "date")) for w, c in zip(plan.widths, plan.columns, strict=True)]

        def line(cells: list[str]) -> str:
            return "  ".join(_reference_fit(cell, w, n) for cell, (w, n) in zip(cells, spec, strict=True)).rstrip()

        lines.append(line([c.title for c in plan.columns]))
        lines.append("─" * plan.width)
        lines.extend(line(cells) for cells in plan.body)
        if plan.totals:
            if plan.body:
                lines.append("")
            lines.extend(line(cells) for cells in plan.totals)
    lines.extend([*report.notes, *plan.notes])
    return "\n".join(lines) + "\n"


# --- helpers -------------------------------------------------------------------------------------

BUCKETS = tuple(Column(f"b{i}", f"Bucket{i}", "money") for i in range(6))
HEAD = (Column("customer", "Customer"), Column("name", "Name", wide_only=True), Column("currency", "Cur"))
MEMO = Column("memo", "Memo")


def plain(report: Report, *, wide: bool = False, budget: int = TABLE_WIDTH) -> str:
    out = io.StringIO()
    _render(report, wide=wide, budget=budget, file=out, tty=False)
    return out.getvalue()


def assert_same(
    rows: list[Row], totals: list[Row], columns: tuple[Column, ...], *, wide: bool, budget: int
) -> None:
    def report() -> Report:
        return Report("r", "R", columns, iter([dict(r) for r in rows]), totals=[dict(t) for t in totals])

    new, old = layout(report(), wide=wide, budget=budget), reference_layout(report(), wide=wide, budget=budget)
    assert (new.columns, new.widths, new.notes) == (old.columns, old.widths, old.notes)
    assert (new.body, new.totals) == (old.body, old.totals)
    assert plain(report(), wide=wide, budget=budget) == reference_plain(report(), wide=wide, budget=budget)


# --- hand-picked cases ---------------------------------------------------------------------------


def test_a_money_column_is_as_wide_as_its_most_negative_or_largest_amount() -> None:
    rows = [{"customer": "A", "currency": "CNY", "b0": Money(99_999_999, "CNY")},  # 999,999.99: 10
            {"customer": "B", "currency": "CNY", "b0": Money(-100_000_000, "CNY")},  # -1,000,000.00: 13
            {"customer": "C", "currency": "CNY", "b0": Money(0, "CNY")}]  # fmt: skip
    plan = layout(Report("r", "R", (*HEAD, BUCKETS[0]), rows), wide=True, budget=_UNLIMITED)
    assert plan.widths[-1] == len("-1,000,000.00")
    assert plan.cells[-1] == ["999,999.99", "-1,000,000.00", "-"]


def test_widths_follow_each_currencys_places() -> None:
    rows = [
        {"customer": "J", "currency": "JPY", "b0": Money(-12_345_678, "JPY")},  # -12,345,678: 11 cells
        {"customer": "K", "currency": "KWD", "b0": Money(1_234_567, "KWD")},  # 1,234.567: 9 cells
    ]
    plan = layout(Report("r", "R", (*HEAD, BUCKETS[0]), rows), wide=True, budget=_UNLIMITED)
    assert plan.widths[-1] == 11 and plan.cells[-1] == ["-12,345,678", "1,234.567"]
    assert_same(rows, [], (*HEAD, BUCKETS[0]), wide=False, budget=20)


def test_huge_and_negative_amounts_in_thousands_match_the_two_pass_layout() -> None:
    # 499.99 / 500.00 CNY: in thousands 0 and 1 (half up), negatives alike; ±1e15 CNY; one fen; zero
    amounts = [10**17, -(10**17), 49_999, 50_000, -50_000, -49_999, 1, -1, 0, 123_456_789_01]
    rows = [{"customer": f"C{i:04d}", "name": "杭州精细机械有限公司", "currency": "CNY",
             **{c.key: Money(a * (j + 1), "CNY") for j, c in enumerate(BUCKETS)}} for i, a in enumerate(amounts)]  # fmt: skip
    totals = [{"customer": "Total", "currency": "CNY", "b0": Money(sum(amounts), "CNY")}]
    for wide, budget in ((False, TABLE_WIDTH), (False, 40), (True, _UNLIMITED), (False, _UNLIMITED)):
        assert_same(rows, totals, (*HEAD, *BUCKETS), wide=wide, budget=budget)
    text = plain(Report("r", "R", (*HEAD, *BUCKETS), rows, totals=totals))
    assert "amounts in thousands" in text and "-1,000,000,000,000" in text  # -1e17 fen: -1e15 CNY, -1e12 thousands
    cells = [line.split()[2] for line in text.splitlines()[3:13]]  # Bucket0, one line per amount
    assert cells[2:9] == ["0", "1", "-1", "-0", "0", "-0", "-"]  # half up, away from zero; only zero is "-"


def test_empty_columns_text_cuts_and_odd_cells_match_the_two_pass_layout() -> None:
    rows = [{"customer": "INV-2026-0000027", "name": "Payment by bank transfer 发票", "currency": "CNY",
             "memo": "ACME-PAYMENT-REF-00042",
             "b0": Money(0, "CNY"), "b1": None, "b2": "", "b3": Money(-1, "CNY"), "b4": "n/a",
             "b5": Money(12_345_678_901_234, "CNY")},
            {"customer": "  spaced  ", "currency": "USD", "b0": Money(0, "USD"), "b3": Money(7, "USD")}]  # fmt: skip
    for budget in (TABLE_WIDTH, 50, 30, 10):
        assert_same(rows, [], (*HEAD, *BUCKETS), wide=False, budget=budget)
        assert_same(rows, [], (*HEAD, MEMO, *BUCKETS), wide=False, budget=budget)
        assert_same(
            [{**r, "memo": r.get("name")} for r in rows], [], (*HEAD, MEMO, *BUCKETS), wide=False, budget=budget
        )


def test_prose_gives_up_width_before_wider_codes() -> None:
    rows = [{"customer": "INV-2026-0000027-ABCDEFGH", "memo": "Paid by bank transfer", "currency": "CNY",
             "b0": Money(123_456_789_01, "CNY")}]  # fmt: skip
    for budget in (60, 55, 50, 45, 40):
        assert_same(rows, [], (*HEAD, MEMO, BUCKETS[0]), wide=False, budget=budget)
    text = plain(Report("r", "R", (*HEAD, MEMO, BUCKETS[0]), rows), budget=56)  # 13 over: all from the prose
    assert "INV-2026-0000027-ABCDEFGH" in text and "Paid by…" in text


def test_an_empty_report_and_a_report_without_columns() -> None:
    assert_same([], [], (*HEAD, *BUCKETS), wide=False, budget=TABLE_WIDTH)
    assert_same([{"x": 1}, {"x": 2}], [], (), wide=False, budget=TABLE_WIDTH)
    assert plain(Report("r", "R", (*HEAD, *BUCKETS), [])) == "R\nnothing to show.\n"


# --- random reports ------------------------------------------------------------------------------

CURRENCIES = ["CNY", "USD", "JPY", "KWD"]
# k * half: exact halves of a thousand JPY, CNY, KWD (the rounding edge in thousands)
halves = st.builds(lambda k, half: k * half, st.integers(-9, 9), st.sampled_from([500, 50_000, 500_000]))
minors = st.integers(-(10**17), 10**17) | st.integers(-2_000_000, 2_000_000) | halves
money = st.builds(Money, minors, st.sampled_from(CURRENCIES))
money_cell = st.one_of(
    money, money, money, st.none(), st.just(""), st.builds(Money, st.just(0), st.sampled_from(CURRENCIES))
)
text_cell = st.one_of(st.none(), st.text(alphabet="AZaz09- .发票杭州\t", max_size=30))
COLUMNS = (
    Column("customer", "Customer"), Column("name", "Name", wide_only=True), Column("currency", "Cur"),
    Column("memo", "Memo"), Column("days", "Days", "int"), Column("due", "Due", "date"), Column("share", "Share", "percent"),
    Column("dso", "DSO", "number"), *BUCKETS[:4],
)  # fmt: skip
row = st.fixed_dictionaries({
    "customer": text_cell, "name": text_cell, "currency": st.sampled_from(CURRENCIES), "memo": text_cell,
    "days": st.none() | st.integers(-400, 10**6), "due": st.none() | st.dates(date(2020, 1, 1), date(2030, 1, 1)),
    "share": st.none() | st.decimals(-1000, 1000, places=1), "dso": st.none() | st.just(Decimal(0)) | st.decimals(0, 10**6, places=2),
    **{c.key: money_cell for c in BUCKETS[:4]},
})  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(row, max_size=12), st.lists(row, max_size=3), st.booleans(),
       st.sampled_from([TABLE_WIDTH, 20, 45, 120, _UNLIMITED]))  # fmt: skip
def test_random_reports_lay_out_as_the_two_pass_layout_did(
    rows: list[Row], totals: list[Row], wide: bool, budget: int
) -> None:
    assert_same(rows, totals, COLUMNS, wide=wide, budget=budget)
