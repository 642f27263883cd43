"""`arctl invoice add|list|show|void` and `arctl milestone record` end to end: terms, plans, milestones, voids."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal

import pytest

# Speed (the suite must stay fast): Typer rebuilds its click command tree on every CliRunner.invoke, and
# a new ledger runs the schema migrations. Build the command once, and start each test from a copy of an
# already-migrated empty ledger (or of a seeded one, see `seed`). What runs is still the real command.
from _shared import refused

pytestmark = pytest.mark.usefixtures("_fast_ledger")


def rows_of(ok: Callable[..., str], *args: str) -> list[dict]:  # type: ignore[type-arg]
    """The rows of a report command run with --format json."""
    return json.loads(ok(*args, "--format", "json"))["rows"]  # type: ignore[no-any-return]


def items(ok: Callable[..., str], customer: str, as_of: str | None = None) -> list[tuple]:  # type: ignore[type-arg]
    """(invoice, seq, kind, due, rule, state, amount, open) of each open item in `balance`."""
    extra = ("--as-of", as_of) if as_of else ()
    return [
        (r["invoice"], r["seq"], r["kind"], r["due"], r["rule"], r["state"], r["amount"], r["open"])
        for r in rows_of(ok, "balance", customer, *extra)
    ]


def invoices(ok: Callable[..., str], *args: str) -> dict[str, dict[str, str]]:
    rows = csv.DictReader(io.StringIO(ok("invoice", "list", "--format", "csv", *args)))
    return {r["number"]: r for r in rows if not r["number"].startswith("Total")}


@pytest.fixture
def customers(ok: Callable[..., str], seed) -> None:  # type: ignore[no-untyped-def]
    def build() -> None:
        ok("customer", "add", "HZAB", "杭州安邦电气有限公司")
        ok("customer", "add", "HZJX", "杭州精细机械有限公司", "--terms", "net45")
        ok("customer", "add", "PROJ", "北京项目工程有限公司", "--terms", "30% 预付款 on signing, 70% 验收+30d")
        ok("customer", "add", "USCO", "US Co", "--currency", "USD", "--language", "en")
        ok("invoice", "add", "HZAB", "INV-EXIST", "500", "--date", "2026-09-01", "--contract", "HT-1")

    seed("customers", build)


PLAN = "30% on signing, 40% delivery+30d, 25% acceptance+90d, 5% retention+365d"


def split(total: str, percents: list[str]) -> list[str]:
    """The documented rule, computed independently: half-up to the cent, the last part takes the rest."""
    cents = int(Decimal(total) * 100)
    parts = [
        int((Decimal(cents) * Decimal(p) / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
        for p in percents[:-1]
    ]
    parts.append(cents - sum(parts))
    return [f"{Decimal(p) / 100:.2f}" for p in parts]


# ---------------------------------------------------------------- terms and due dates


@pytest.mark.parametrize(
    ("issued", "terms", "rule", "due"),
    [
        ("2026-09-15", "net30", "net30", "2026-10-15"),
        ("2026-09-15", "Net 30", "net30", "2026-10-15"),
        ("2026-09-15", "45天", "net45", "2026-10-30"),
        ("2026-09-15", "eom+30", "eom+30", "2026-10-30"),
        ("2026-02-10", "eom+30", "eom+30", "2026-03-30"),
        ("2026-09-15", "eom", "eom", "2026-09-30"),
        ("2026-09-15", "2/10 net 30", "net30", "2026-10-15"),
        ("2026-09-15", "due on receipt", "on issue", "2026-09-15"),
        ("2026-09-15", "on 2026-12-31", "on 2026-12-31", "2026-12-31"),
    ],
)
def test_single_part_terms_set_the_due_date(ok, customers, issued, terms, rule, due):
    out = ok("invoice", "add", "HZAB", "INV-1", "1000", "--date", issued, "--terms", terms)
    assert out.startswith(f"INV-1  HZAB 杭州安邦电气有限公司\n  issued {issued}  amount 1,000.00 CNY  terms ")
    [item] = [i for i in items(ok, "HZAB") if i[0] == "INV-1"]
    assert item[:5] == ("INV-1", 1, "regular", due, rule)
    assert item[6:] == ("1000.00", "1000.00")
    assert invoices(ok)["INV-1"]["next_due"] == due


def test_early_payment_discount_is_shown(ok, customers):
    out = ok("invoice", "add", "HZAB", "INV-1", "1000", "--date", "2026-10-20", "--terms", "2/10 net 30")
    assert "  early-payment discount: 2% if paid within 10 days\n" in out
    assert "terms 2/10 net 30" in out
    assert "early-payment discount: 2% if paid within 10 days" in ok("invoice", "show", "INV-1")
    assert "discount" not in ok("invoice", "show", "INV-EXIST")


def test_installment_plan_splits_half_up_with_the_remainder_last(ok, customers):
    assert split("100000.01", ["30", "40", "25", "5"]) == ["30000.00", "40000.00", "25000.00", "5000.01"]
    out = ok("invoice", "add", "HZAB", "INV-P", "100000.01", "--date", "2026-08-01", "--terms", PLAN)
    assert "1. deposit          30,000.00  on issue           due 2026-08-01" in out
    assert "2. progress         40,000.00  delivery+30d       due —" in out
    assert "pending delivery" in out
    assert "4. retention         5,000.01  acceptance+365d    due —" in out
    assert [i for i in items(ok, "HZAB") if i[0] == "INV-P"] == [
        ("INV-P", 1, "deposit", "2026-08-01", "on issue", "overdue", "30000.00", "30000.00"),
        ("INV-P", 2, "progress", None, "delivery+30d", "pending", "40000.00", "40000.00"),
        ("INV-P", 3, "final", None, "acceptance+90d", "pending", "25000.00", "25000.00"),
        ("INV-P", 4, "retention", None, "acceptance+365d", "pending", "5000.01", "5000.01"),
    ]


@pytest.mark.parametrize(
    ("amount", "terms", "percents"),
    [
        ("0.05", "50% on signing, 50% net30", ["50", "50"]),  # 2.5 fen rounds up to 3, not to even 2
        ("12345.67", "10% on signing, 90% acceptance+30d", ["10", "90"]),
        ("100.00", "33.33% on signing, 33.33% net30, 33.34% net60", ["33.33", "33.33", "33.34"]),
        ("1000.01", "30% 预付款 on signing, 60% 中期款 net30, 10% 质保金 net365", ["30", "60", "10"]),
        ("999999999.99", PLAN, ["30", "40", "25", "5"]),
    ],
)
def test_plan_amounts_add_up_exactly(ok, customers, amount, terms, percents):
    ok("invoice", "add", "HZAB", "INV-S", amount, "--terms", terms)
    parts = [r["amount"] for r in rows_of(ok, "balance", "HZAB") if r["invoice"] == "INV-S"]
    expected = split(amount, percents)
    if "0.00" in expected:  # a zero part is settled at once and never open
        expected.remove("0.00")
    assert parts == expected
    assert sum(Decimal(p) for p in parts) == Decimal(amount)


def test_plan_with_chinese_kind_words(ok, customers):
    ok("invoice", "add", "HZAB", "INV-K", "1000.01", "--date", "2026-10-01",
       "--terms", "30% 预付款 on signing, 60% 中期款 net30, 10% 质保金 net365")  # fmt: skip
    assert [(i[1], i[2], i[3], i[6]) for i in items(ok, "HZAB") if i[0] == "INV-K"] == [
        (1, "deposit", "2026-10-01", "300.00"),
        (2, "progress", "2026-10-31", "600.01"),
        (3, "retention", "2027-10-01", "100.00"),
    ]


def test_default_terms_come_from_the_customer(ok, customers):
    ok("invoice", "add", "HZJX", "INV-D", "100", "--date", "2026-09-01")
    ok("invoice", "add", "HZJX", "INV-O", "100", "--date", "2026-09-01", "--terms", "eom+10")
    ok("invoice", "add", "HZAB", "INV-N", "100", "--date", "2026-09-01")  # no customer terms: net30
    ok("invoice", "add", "PROJ", "INV-PL", "100", "--date", "2026-09-01")
    listed = invoices(ok, "--wide")
    assert (listed["INV-D"]["terms"], listed["INV-D"]["next_due"]) == ("net45", "2026-10-16")
    assert (listed["INV-O"]["terms"], listed["INV-O"]["next_due"]) == ("eom+10", "2026-10-10")
    assert (listed["INV-N"]["terms"], listed["INV-N"]["next_due"]) == ("net30", "2026-10-01")
    assert [i[1:7] for i in items(ok, "PROJ")] == [
        (1, "deposit", "2026-09-01", "on issue", "overdue", "30.00"),
        (2, "final", None, "acceptance+30d", "pending", "70.00"),
    ]


def test_currency_defaults_to_the_customers(ok, customers):
    ok("invoice", "add", "USCO", "INV-U", "99.99", "--date", "2026-10-01")
    ok("invoice", "add", "HZAB", "INV-J", "1000", "--currency", "jpy", "--date", "2026-10-01")
    listed = invoices(ok)
    assert (listed["INV-U"]["amount"], listed["INV-U"]["currency"]) == ("99.99", "USD")
    assert (listed["INV-J"]["amount"], listed["INV-J"]["currency"]) == ("1000", "JPY")


# ---------------------------------------------------------------- invoice add: refusals


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("HZAB", "INV-9", "abc"), "error: amount: 'abc' is not an amount"),
        (("HZAB", "INV-9", "0"), "error: amount: '0' must be more than zero"),
        (("HZAB", "INV-9", "0.00"), "error: amount: '0.00' must be more than zero"),
        (("HZAB", "INV-9", "1.234"), "error: amount: '1.234' has more than 2 decimal place(s) for CNY"),
        (("HZAB", "INV-9", "--", "-5"), "error: amount: '-5' must not be negative"),
        (("HZAB", "INV-9", "1e5"), "error: amount: '1e5' is not an amount"),
        (("HZAB", "INV-9", "NaN"), "error: amount: 'NaN' is not an amount"),
        (("HZAB", "INV-9", "1,23.00"), "error: amount: '1,23.00' is not an amount"),
        (("HZAB", "INV-9", "10.5", "--currency", "JPY"), "has more than 0 decimal place(s) for JPY"),
        (("HZAB", "INV-9", "10", "--currency", "XYZ"), "error: currency: unknown currency 'XYZ'"),
        (("NOPE", "INV-9", "10"), "error: no customer matches 'NOPE'"),
        (("HZ", "INV-9", "10"), "error: 'HZ' matches several customers: HZAB"),
        (("HZAB", "INV-EXIST", "10"), "error: invoice INV-EXIST already exists"),
        (("HZJX", "inv-exist", "500"), "error: invoice inv-exist already exists"),
        (("HZAB", "  ", "10"), "error: number: invoice number is empty"),
        (("HZAB", "N" * 61, "10"), "error: number: invoice number is longer than 60 characters"),
        (
            ("HZAB", "INV-9", "10", "--terms", "50% net30, 40% eom"),
            "error: terms: plan percentages add up to 90%, not 100%",
        ),
        (("HZAB", "INV-9", "10", "--terms", "110% net30"), "error: terms: a one-part plan must be 100%"),
        (
            ("HZAB", "INV-9", "10", "--terms", "0% on signing, 100% net30"),
            "every part of a plan must be a positive",
        ),
        (("HZAB", "INV-9", "10", "--terms", "net thirty"), "error: terms: cannot read 'net thirty'"),
        (("HZAB", "INV-9", "10", "--terms", "2/10"), "error: terms: "),
        (
            ("HZAB", "INV-9", "0.02", "--terms", "25% on signing, 25% net30, 25% net60, 25% net90"),
            "error: amount: amount is too small to split into this plan's parts",
        ),
        (("HZAB", "INV-9", "10", "--date", "2026-02-30"), "error: --date: '2026-02-30' is not a valid date"),
        (("HZAB", "INV-9", "10", "--date", "31/10/2026"), "error: --date: '31/10/2026' is not a date"),
        (("HZJX", "INV-9", "10", "--contract", "HT-1"), "error: contract HT-1 belongs to another customer"),
    ],
)
def test_add_refuses_bad_input_and_writes_nothing(cli, customers, dump, args, message):
    before = dump()
    refused(cli("invoice", "add", *args), message)
    assert dump() == before


def test_negative_amount_without_separator_is_a_usage_error(cli, customers, dump):
    before = dump()
    refused(cli("invoice", "add", "HZAB", "INV-9", "-5"), "No such option", code=2)
    assert dump() == before


# ---------------------------------------------------------------- milestones


@pytest.fixture
def plan(ok: Callable[..., str], customers: None, seed) -> str:  # type: ignore[no-untyped-def]
    seed(
        "plan", lambda: ok("invoice", "add", "HZAB", "INV-P", "100000.01", "--date", "2026-08-01", "--terms", PLAN)
    )
    return "INV-P"


def test_milestone_fixes_due_dates_of_what_waits_for_it(ok, plan):
    before = items(ok, "HZAB")
    assert [(i[1], i[3], i[5]) for i in before if i[0] == "INV-P"] == [
        (1, "2026-08-01", "overdue"), (2, None, "pending"), (3, None, "pending"), (4, None, "pending"),
    ]  # fmt: skip
    out = ok("milestone", "record", "INV-P", "delivery", "--on", "2026-09-01", "--note", "签收单 123")
    assert "  milestone delivery on 2026-09-01\n" in out
    after = [(i[1], i[3], i[5]) for i in items(ok, "HZAB") if i[0] == "INV-P"]
    assert after == [(1, "2026-08-01", "overdue"), (2, "2026-10-01", "overdue"), (3, None, "pending"),
                     (4, None, "pending")]  # fmt: skip
    # As of a day when the progress payment was not yet due it is current, not overdue.
    assert [(i[1], i[5]) for i in items(ok, "HZAB", "2026-09-30") if i[0] == "INV-P"][1] == (2, "current")

    ok("milestone", "record", "INV-P", "验收", "--on", "2026-10-15")  # Chinese event word
    final = [(i[1], i[3], i[5]) for i in items(ok, "HZAB") if i[0] == "INV-P"]
    assert final[2:] == [(3, "2027-01-13", "current"), (4, "2027-10-15", "current")]
    assert "milestone acceptance on 2026-10-15" in ok("invoice", "show", "INV-P")


def test_pending_items_are_never_overdue_however_old(ok, plan):
    far = [(i[1], i[5]) for i in items(ok, "HZAB", "2030-01-01") if i[0] == "INV-P"]
    assert far == [(1, "overdue"), (2, "pending"), (3, "pending"), (4, "pending")]


def test_recording_the_same_milestone_again_changes_nothing(ok, plan, dump):
    ok("milestone", "record", "INV-P", "delivery", "--on", "2026-09-01")
    before = dump()
    out = ok("milestone", "record", "inv-p", "Delivery", "--on", "2026-09-01")
    assert out == "Delivery of INV-P was already recorded on that date; nothing changed\n"
    assert dump() == before


def test_a_different_date_needs_correct(cli, ok, plan, dump):
    ok("milestone", "record", "INV-P", "delivery", "--on", "2026-09-01")
    before = dump()
    refused(cli("milestone", "record", "INV-P", "delivery", "--on", "2026-09-05"),
            "error: delivery of INV-P was already recorded on 2026-09-01", "hint: pass --correct")  # fmt: skip
    assert dump() == before
    out = ok("milestone", "record", "INV-P", "delivery", "--on", "2026-09-05", "--correct")
    assert "due 2026-10-05" in out
    assert "milestone delivery on 2026-09-05" in out
    assert [i[3] for i in items(ok, "HZAB") if i[0] == "INV-P"][1] == "2026-10-05"


@pytest.mark.parametrize(
    ("number", "event", "on", "message"),
    [
        (
            "INV-P",
            "go-live",
            "2026-09-01",
            "error: event: invoice INV-P waits for no 'go-live' event (it waits for: acceptance, delivery)",
        ),
        ("INV-P", "retention", "2026-09-01", "(it waits for: acceptance, delivery)"),
        ("INV-EXIST", "delivery", "2026-09-01", "(it waits for: none: its terms have no milestones)"),
        (
            "INV-P",
            "delivery",
            "2026-07-31",
            "error: date: delivery on 2026-07-31 is before the invoice date 2026-08-01",
        ),
        ("INV-P", "delivery", "2026-09-31", "error: --on: '2026-09-31' is not a valid date"),
        ("NOPE", "delivery", "2026-09-01", "error: no invoice 'NOPE'"),
    ],
)
def test_milestone_refusals(cli, plan, dump, number, event, on, message):
    before = dump()
    refused(cli("milestone", "record", number, event, "--on", on), message)
    assert dump() == before


def test_milestone_needs_a_date(cli, plan):
    refused(cli("milestone", "record", "INV-P", "delivery"), "Missing option '--on'", code=2)


def test_milestone_on_a_voided_invoice_is_refused(cli, ok, plan, dump):
    ok("invoice", "void", "INV-P", "--reason", "contract cancelled", "--on", "2026-08-15")
    before = dump()
    refused(cli("milestone", "record", "INV-P", "delivery", "--on", "2026-09-01"), "INV-P is voided")
    assert dump() == before


# ---------------------------------------------------------------- void


@pytest.fixture
def paid_one(ok: Callable[..., str], customers: None, seed) -> None:  # type: ignore[no-untyped-def]
    def build() -> None:
        ok("invoice", "add", "HZAB", "INV-A", "1000", "--date", "2026-09-15", "--description", "电机 20 台")
        ok("payment", "add", "HZAB", "400", "--date", "2026-10-10", "--to", "INV-A", "--reference", "HX001")

    seed("paid_one", build)


def test_void_requires_a_reason(cli, ok, customers, dump):
    before = dump()
    refused(cli("invoice", "void", "INV-EXIST"), "Missing option '--reason'", code=2)
    refused(cli("invoice", "void", "INV-EXIST", "--reason", "  "), "error: --reason: a reason is required")
    assert dump() == before


def test_void_is_refused_while_a_payment_is_applied_then_works_after_unapply(cli, ok, paid_one, dump):
    before = dump()
    refused(cli("invoice", "void", "INV-A", "--reason", "wrong price"),
            "error: invoice INV-A has 1 payment/credit allocation(s)", "hint: unapply them first")  # fmt: skip
    assert dump() == before
    ok("payment", "unapply", "HX001", "--on", "2026-10-12")
    assert ok("invoice", "void", "INV-A", "--reason", "wrong price", "--on", "2026-10-20") == (
        "voided INV-A on 2026-10-20\n"
    )
    shown = ok("invoice", "show", "INV-A")
    assert "  VOIDED on 2026-10-20: wrong price\n" in shown
    assert "  电机 20 台\n" in shown
    assert "  applied 2026-10-10 from P1 to #1: 400.00 CNY  reversed 2026-10-12\n" in shown
    # The cash it had is the customer's credit again.
    assert rows_of(ok, "payment", "list")[0]["unapplied"] == "400.00"


def test_void_cannot_be_dated_before_a_reversed_allocation(cli, ok, paid_one):
    ok("payment", "unapply", "HX001", "--on", "2026-10-12")  # applied 10-10, reversed 10-12
    result = cli("invoice", "void", "INV-A", "--reason", "wrong price", "--on", "2026-10-05")
    if result.exit_code == 0:
        # Accepting it is only consistent if, as of 10-11, the cash is not applied to the voided invoice.
        [payment] = rows_of(ok, "payment", "list", "--as-of", "2026-10-11")
        assert payment["unapplied"] == "400.00"
    else:
        refused(result, "INV-A")


def test_voided_invoice_leaves_balance_from_the_void_date_on_only(ok, customers):
    ok("invoice", "add", "HZAB", "INV-V", "250.50", "--date", "2026-09-15")
    ok("invoice", "void", "INV-V", "--reason", "duplicate", "--on", "2026-10-20")
    assert [i[0] for i in items(ok, "HZAB", "2026-10-19")] == ["INV-EXIST", "INV-V"]
    assert [i[0] for i in items(ok, "HZAB", "2026-10-20")] == ["INV-EXIST"]
    assert [i[0] for i in items(ok, "HZAB")] == ["INV-EXIST"]
    assert invoices(ok, "--as-of", "2026-10-19")["INV-V"]["status"] == "open"
    assert invoices(ok, "--as-of", "2026-10-19")["INV-V"]["open"] == "250.50"
    assert invoices(ok)["INV-V"]["status"] == "voided"
    assert invoices(ok)["INV-V"]["open"] == "0.00"


def test_void_defaults_to_today(ok, customers):
    assert ok("invoice", "void", "INV-EXIST", "--reason", "test") == "voided INV-EXIST on 2026-10-31\n"
    assert [i[0] for i in items(ok, "HZAB", "2026-10-30")] == ["INV-EXIST"]
    assert items(ok, "HZAB") == []


def test_voiding_twice_is_refused(cli, ok, customers, dump):
    ok("invoice", "void", "INV-EXIST", "--reason", "test", "--on", "2026-10-01")
    before = dump()
    refused(cli("invoice", "void", "INV-EXIST", "--reason", "again"),
            "error: invoice INV-EXIST was already voided on 2026-10-01")  # fmt: skip
    assert dump() == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("INV-EXIST", "--reason", "x", "--on", "2026-08-31"),
            "error: --on: void date 2026-08-31 is before the issue date 2026-09-01",
        ),
        (("INV-EXIST", "--reason", "x", "--on", "someday"), "error: --on: 'someday' is not a date"),
        (("NOPE", "--reason", "x"), "error: no invoice 'NOPE'"),
    ],
)
def test_void_refusals(cli, customers, dump, args, message):
    before = dump()
    refused(cli("invoice", "void", *args), message)
    assert dump() == before


# ---------------------------------------------------------------- list / show


def test_list_filters_by_status(cli, ok, paid_one):
    ok("invoice", "add", "HZAB", "INV-B", "300", "--date", "2026-09-20")
    ok("invoice", "add", "HZAB", "INV-C", "50", "--date", "2026-09-25")
    ok("payment", "add", "HZAB", "300", "--date", "2026-10-01", "--to", "INV-B")
    ok("invoice", "void", "INV-C", "--reason", "entered twice", "--on", "2026-10-02")
    assert {n: r["status"] for n, r in invoices(ok).items()} == {
        "INV-EXIST": "open", "INV-A": "open", "INV-B": "paid", "INV-C": "voided",
    }  # fmt: skip
    assert list(invoices(ok, "--status", "open")) == ["INV-EXIST", "INV-A"]
    assert invoices(ok, "--status", "open")["INV-A"]["open"] == "600.00"
    assert list(invoices(ok, "--status", "paid")) == ["INV-B"]
    assert list(invoices(ok, "--status", "voided")) == ["INV-C"]
    # As of before the payment and the void, both were open.
    assert list(invoices(ok, "--status", "open", "--as-of", "2026-09-30")) == [
        "INV-EXIST",
        "INV-A",
        "INV-B",
        "INV-C",
    ]
    assert list(invoices(ok, "--customer", "hzab", "--status", "paid")) == ["INV-B"]
    assert invoices(ok, "--customer", "HZJX") == {}
    refused(
        cli("invoice", "list", "--status", "late"), "error: --status: 'late' is not one of all, open, paid, voided"
    )


def test_list_totals_per_currency(ok, customers):
    ok("invoice", "add", "USCO", "INV-U", "10.01", "--date", "2026-10-01")
    rows = list(csv.DictReader(io.StringIO(ok("invoice", "list", "--format", "csv"))))
    totals = {r["number"]: (r["amount"], r["open"]) for r in rows if r["number"].startswith("Total")}
    assert totals == {"Total CNY": ("500.00", "500.00"), "Total USD": ("10.01", "10.01")}


def test_list_hides_invoices_issued_after_the_as_of_date(ok, customers):
    assert invoices(ok, "--as-of", "2026-08-31") == {}


def test_show_prints_the_whole_invoice(ok, plan):
    ok("milestone", "record", "INV-P", "delivery", "--on", "2026-09-01")
    ok("payment", "add", "HZAB", "30000", "--date", "2026-09-10", "--to", "INV-P:1")
    out = ok("invoice", "show", "INV-P")
    lines = out.splitlines()
    assert lines[0] == "INV-P  HZAB 杭州安邦电气有限公司"
    assert lines[1] == f"  issued 2026-08-01  amount 100,000.01 CNY  terms {PLAN}"
    assert lines[2].split() == [
        "1.",
        "deposit",
        "30,000.00",
        "on",
        "issue",
        "due",
        "2026-08-01",
        "open",
        "0.00",
        "paid",
    ]
    assert lines[3].split()[:7] == ["2.", "progress", "40,000.00", "delivery+30d", "due", "2026-10-01", "open"]
    assert lines[3].endswith("overdue 30d")
    assert lines[5].split()[:5] == ["4.", "retention", "5,000.01", "acceptance+365d", "due"]
    assert "  milestone delivery on 2026-09-01" in lines
    assert "  applied 2026-09-10 from P1 to #1: 30,000.00 CNY" in lines
    # As of an earlier date the payment had not happened yet.
    earlier = ok("invoice", "show", "inv-p", "--as-of", "2026-09-05")
    assert earlier.splitlines()[2].split()[-3:] == ["30,000.00", "overdue", "35d"]


def test_show_unknown_invoice(cli, customers):
    refused(cli("invoice", "show", "INV-404"), "error: no invoice 'INV-404'", "hint: see `arctl invoice list`")
