"""arctl statement CUSTOMER: opening balance, activity, closing balance, open items and aging, worked out
by hand on a small history; exact for past dates; zh/en; table, csv, json, xlsx and html."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

# --- speed: build the click tree once, and seed ledgers from saved copies --------------------------

pytestmark = pytest.mark.usefixtures("_fast_cli")


# --- the history -----------------------------------------------------------------------------------
#
# ZH (zh, CNY, net30), worked out by hand:
#   before September: INV-A 1000.00 (07-15), INV-U 200.00 USD (08-05), INV-B 500.00 (08-10),
#                     P1 300.00 → INV-A (08-20)          opening 08-31: CNY 1200.00, USD 200.00
#   September:        INV-C 800.00 (09-02), P2 400.00 → INV-A (09-05), P3 250.00 → INV-B (09-08),
#                     P4 50.00 USD → INV-U (09-10), P3 reversed (09-12), CN-00001 100.00 → INV-C (09-15),
#                     WO-00001 50.00 on INV-B (09-18), INV-V 60.00 (09-20) voided (09-22),
#                     P5 700.00: 300.00 → INV-A, 400.00 unapplied (09-25)
#                                                         closing 09-30: CNY 750.00, USD 150.00
#   open at 09-30: INV-U 150.00 USD (26 days late), INV-B 450.00 (21), INV-C 700.00 (not due), −400.00 cash
#
# EVIL (en): "<b>Evil & Co</b>", an address that looks like a formula, one invoice in October.

ADDRESS = "杭州市余杭区 1号"
EVIL_NAME = "<b>Evil & Co</b>"
EVIL_ADDRESS = '=HYPERLINK("http://x","y")'

SEPTEMBER = [  # date, document, description, currency, debit, credit, running balance
    ("2026-08-31", "", "期初余额", "CNY", None, None, "1200.00"),
    ("2026-08-31", "", "期初余额", "USD", None, None, "200.00"),
    ("2026-09-02", "INV-C", "发票 机床", "CNY", "800.00", None, "2000.00"),
    ("2026-09-05", "P2", "收款 bank transfer R2", "CNY", None, "400.00", "1600.00"),
    ("2026-09-08", "P3", "收款 bank transfer", "CNY", None, "250.00", "1350.00"),
    ("2026-09-10", "P4", "收款 bank transfer", "USD", None, "50.00", "150.00"),
    ("2026-09-12", "P3", "收款冲回 bounced", "CNY", "250.00", None, "1600.00"),
    ("2026-09-15", "CN-00001", "贷项通知单 price", "CNY", None, "100.00", "1500.00"),
    ("2026-09-18", "WO-00001", "核销坏账 small_balance", "CNY", None, "50.00", "1450.00"),
    ("2026-09-20", "INV-V", "发票", "CNY", "60.00", None, "1510.00"),
    ("2026-09-22", "INV-V", "发票作废 duplicate", "CNY", None, "60.00", "1450.00"),
    ("2026-09-25", "P5", "收款 bank transfer", "CNY", None, "700.00", "750.00"),
]

# After the later activity (see `later`), October worked out by hand:
OCTOBER = [
    ("2026-09-30", "", "Opening balance", "CNY", None, None, "750.00"),
    ("2026-09-30", "", "Opening balance", "USD", None, None, "150.00"),
    ("2026-10-05", "INV-D", "Invoice", "CNY", "300.00", None, "1050.00"),
    ("2026-10-09", "INV-U", "Invoice voided wrong customer", "USD", None, "200.00", "-50.00"),
    ("2026-10-10", "P5", "Payment reversed bounced", "CNY", "700.00", None, "1750.00"),
    ("2026-10-12", "WO-00002", "Write-off bad_debt", "CNY", None, "450.00", "1300.00"),
    ("2026-10-15", "CN-00002", "Credit note quality", "CNY", None, "20.00", "1280.00"),
    ("2026-10-16", "P6", "Payment bank transfer", "USD", None, "100.00", "-150.00"),
]


def build_history(ok) -> None:  # type: ignore[no-untyped-def]
    ok("customer", "add", "ZH", "杭州精细机械有限公司", "--terms", "net30", "--address", ADDRESS)
    ok("invoice", "add", "ZH", "INV-A", "1000.00", "--date", "2026-07-15")
    ok("invoice", "add", "ZH", "INV-U", "200.00", "--date", "2026-08-05", "--currency", "USD")
    ok("invoice", "add", "ZH", "INV-B", "500.00", "--date", "2026-08-10")
    ok("payment", "add", "ZH", "300.00", "--date", "2026-08-20", "--to", "INV-A=300")  # P1
    ok("invoice", "add", "ZH", "INV-C", "800.00", "--date", "2026-09-02", "--description", "机床")
    ok("payment", "add", "ZH", "400.00", "--date", "2026-09-05", "--to", "INV-A=400", "--reference", "R2")  # P2
    ok("payment", "add", "ZH", "250.00", "--date", "2026-09-08", "--to", "INV-B=250")  # P3
    ok("payment", "add", "ZH", "50.00", "--date", "2026-09-10", "--currency", "USD", "--to", "INV-U=50")  # P4
    ok("payment", "reverse", "P3", "--reason", "bounced", "--on", "2026-09-12")
    ok("credit-note", "add", "ZH", "100.00", "--reason", "price", "--to", "INV-C", "--date", "2026-09-15")
    ok("write-off", "add", "INV-B", "--amount", "50", "--reason", "small_balance", "--on", "2026-09-18")
    ok("invoice", "add", "ZH", "INV-V", "60.00", "--date", "2026-09-20")
    ok("invoice", "void", "INV-V", "--reason", "duplicate", "--on", "2026-09-22")
    ok("payment", "add", "ZH", "700.00", "--date", "2026-09-25", "--to", "INV-A=300")  # P5: 400.00 left over
    ok("customer", "add", "EVIL", EVIL_NAME, "--language", "en", "--address", EVIL_ADDRESS)
    ok("invoice", "add", "EVIL", "E-1", "10.00", "--date", "2026-10-01")


def later_activity(ok) -> None:  # type: ignore[no-untyped-def]
    """Everything dated after 2026-09-30, touching September's documents too."""
    ok("invoice", "add", "ZH", "INV-D", "300.00", "--date", "2026-10-05")
    ok("payment", "apply", "P5", "--to", "INV-B=400", "--on", "2026-10-06")
    ok("payment", "unapply", "P2", "--on", "2026-10-07")  # moves no balance: no line
    ok("payment", "unapply", "P4", "--on", "2026-10-08")
    ok("invoice", "void", "INV-U", "--reason", "wrong customer", "--on", "2026-10-09")
    ok("payment", "reverse", "P5", "--reason", "bounced", "--on", "2026-10-10")
    ok("write-off", "add", "INV-B", "--reason", "bad_debt", "--on", "2026-10-12")  # all it owes: 450.00
    ok("credit-note", "add", "ZH", "20", "--reason", "quality", "--date", "2026-10-15")  # kept as credit
    ok("payment", "add", "ZH", "100", "--currency", "USD", "--date", "2026-10-16", "--apply", "none")  # P6


@pytest.fixture
def history(ok, seeded) -> str:  # type: ignore[no-untyped-def]
    seeded("history", lambda: build_history(ok))
    return "ZH"


@pytest.fixture
def later(ok, seeded) -> str:  # type: ignore[no-untyped-def]
    def build() -> None:
        build_history(ok)
        later_activity(ok)

    seeded("later", build)
    return "ZH"


# --- helpers ---------------------------------------------------------------------------------------


def statement(ok, customer: str = "ZH", *args: str) -> dict:  # type: ignore[no-untyped-def,type-arg]
    return json.loads(ok("statement", customer, "--format", "json", *args))


def september(ok, *args: str) -> dict:  # type: ignore[no-untyped-def,type-arg]
    return statement(ok, "ZH", "--from", "2026-09-01", "--as-of", "2026-09-30", *args)


def lines(section: dict) -> list[tuple]:  # type: ignore[type-arg]
    keys = ("date", "document", "description", "currency", "debit", "credit", "balance")
    return [tuple(row.get(k) for k in keys) for row in section["rows"]]


def closing_of(doc: dict) -> dict[str, Decimal]:  # type: ignore[type-arg]
    return {r["currency"]: Decimal(r["balance"]) for r in doc["sections"][0]["totals"]}


def opening_of(doc: dict) -> dict[str, Decimal]:  # type: ignore[type-arg]
    return {r["currency"]: Decimal(r["balance"]) for r in doc["sections"][0]["rows"] if r["document"] == ""}


def nonzero(amounts: dict[str, Decimal]) -> dict[str, Decimal]:
    return {c: v for c, v in amounts.items() if v}


def balance_totals(ok, customer: str, as_of: str) -> dict[str, Decimal]:  # type: ignore[no-untyped-def]
    doc = json.loads(ok("balance", customer, "--as-of", as_of, "--format", "json"))
    return {r["currency"]: Decimal(r["open"]) for r in doc["totals"] if r["invoice"].startswith("Balance ")}


# --- the figures -----------------------------------------------------------------------------------


def test_september_by_hand(ok, history: str) -> None:  # type: ignore[no-untyped-def]
    doc = september(ok)
    activity, open_items, aging = doc["sections"]
    assert lines(activity) == SEPTEMBER
    assert opening_of(doc) == {"CNY": Decimal("1200.00"), "USD": Decimal("200.00")}
    assert activity["totals"] == [
        {"description": "期末余额", "currency": "CNY", "balance": "750.00"},
        {"description": "期末余额", "currency": "USD", "balance": "150.00"},
    ]
    assert [(r["invoice"], r.get("seq"), r.get("due"), r.get("days"), r["currency"], r.get("amount"), r["open"])
            for r in open_items["rows"]] == [
        ("INV-U", 1, "2026-09-04", 26, "USD", "200.00", "150.00"),
        ("INV-B", 1, "2026-09-09", 21, "CNY", "500.00", "450.00"),
        ("INV-C", 1, "2026-10-02", -2, "CNY", "800.00", "700.00"),
        ("未核销收款及贷项", None, None, None, "CNY", None, "-400.00"),
    ]  # fmt: skip
    cny, usd = aging["rows"]
    assert (cny["currency"], cny["current"], cny["d1_30"], cny["unapplied"], cny["total"]) == (
        "CNY", "700.00", "450.00", "-400.00", "750.00")  # fmt: skip
    assert (usd["currency"], usd["current"], usd["d1_30"], usd["unapplied"], usd["total"]) == (
        "USD", "0.00", "150.00", "0.00", "150.00")  # fmt: skip


def test_closing_is_opening_plus_charges_minus_credits(ok, later: str) -> None:  # type: ignore[no-untyped-def]
    """Per currency, for several periods: the running balance and the closing line tie."""
    for start, end in (("2026-07-01", "2026-07-31"), ("2026-08-01", "2026-08-31"), ("2026-09-01", "2026-09-30"),
                       ("2026-10-01", "2026-10-31"), ("2026-07-01", "2026-10-31"), ("2026-09-12", "2026-09-12")):  # fmt: skip
        doc = statement(ok, "ZH", "--from", start, "--as-of", end)
        running = opening_of(doc)
        moved: dict[str, Decimal] = {}
        for row in doc["sections"][0]["rows"]:
            if row["document"] == "":
                continue
            delta = Decimal(row["debit"] or 0) - Decimal(row["credit"] or 0)
            assert (row["debit"] is None) != (row["credit"] is None), row  # one side per line
            running[row["currency"]] = running.get(row["currency"], Decimal(0)) + delta
            moved[row["currency"]] = moved.get(row["currency"], Decimal(0)) + delta
            assert Decimal(row["balance"]) == running[row["currency"]], (start, end, row)
        closing = closing_of(doc)
        opening = opening_of(doc)
        for currency in set(opening) | set(moved) | set(closing):
            assert opening.get(currency, 0) + moved.get(currency, 0) == closing.get(currency, 0), (start, end)


def test_october_by_hand_after_later_activity(ok, later: str) -> None:  # type: ignore[no-untyped-def]
    doc = statement(ok, "ZH", "--language", "en")  # default period: the as-of month
    assert doc["heading"][-1] == "Period: 2026-10-01 – 2026-10-31" and doc["as_of"] == "2026-10-31"
    assert lines(doc["sections"][0]) == OCTOBER
    assert closing_of(doc) == {"CNY": Decimal("1280.00"), "USD": Decimal("-150.00")}
    # open items 700 + 700 + 300 − 420 unapplied (P2's 400 after its unapply, CN-00002's 20); USD all cash
    rows = doc["sections"][1]["rows"]
    assert [(r["invoice"], r["currency"], r["open"]) for r in rows] == [
        ("INV-A", "CNY", "700.00"), ("INV-C", "CNY", "700.00"), ("INV-D", "CNY", "300.00"),
        ("Unapplied payments and credits", "CNY", "-420.00"), ("Unapplied payments and credits", "USD", "-150.00"),
    ]  # fmt: skip


def test_opening_is_the_previous_closing(ok, later: str) -> None:  # type: ignore[no-untyped-def]
    for end, start in (("2026-07-31", "2026-08-01"), ("2026-08-31", "2026-09-01"), ("2026-09-30", "2026-10-01"),
                       ("2026-09-11", "2026-09-12")):  # fmt: skip
        before = statement(ok, "ZH", "--from", "2026-07-01", "--as-of", end)
        after = statement(ok, "ZH", "--from", start, "--as-of", "2026-10-31")
        assert nonzero(closing_of(before)) == nonzero(opening_of(after)), (end, start)


@pytest.mark.parametrize("fixture", ["history", "later"])
@pytest.mark.parametrize("as_of", ["2026-08-31", "2026-09-12", "2026-09-30", "2026-10-09", "2026-10-31"])
def test_closing_equals_open_items_less_unapplied(ok, request, fixture: str, as_of: str) -> None:  # type: ignore[no-untyped-def]
    """The closing balance is the balance command's total (open items − unapplied) at the same date."""
    request.getfixturevalue(fixture)
    doc = statement(ok, "ZH", "--from", "2026-07-01", "--as-of", as_of)
    assert nonzero(closing_of(doc)) == nonzero(balance_totals(ok, "ZH", as_of))
    open_sum: dict[str, Decimal] = {}
    for row in doc["sections"][1]["rows"]:
        open_sum[row["currency"]] = open_sum.get(row["currency"], Decimal(0)) + Decimal(row["open"])
    assert nonzero(open_sum) == nonzero(closing_of(doc))


@pytest.mark.parametrize("as_of", ["2026-09-30", "2026-10-31"])
def test_open_items_and_aging_match_balance_and_aging(ok, later: str, as_of: str) -> None:  # type: ignore[no-untyped-def]
    doc = statement(ok, "ZH", "--as-of", as_of)
    balance = json.loads(ok("balance", "ZH", "--as-of", as_of, "--format", "json"))
    items = [r for r in doc["sections"][1]["rows"] if "seq" in r]
    keys = ("invoice", "seq", "due", "days", "currency", "amount", "open")
    assert [tuple(r[k] for k in keys) for r in items] == [
        tuple(r["days_late" if k == "days" else k] for k in keys) for r in balance["rows"]
    ]
    unapplied = {r["currency"]: r["open"] for r in doc["sections"][1]["rows"] if "seq" not in r}
    wanted = {r["currency"]: r["open"] for r in balance["totals"] if r["invoice"].startswith("Unapplied")}
    assert unapplied == wanted
    aging = json.loads(ok("aging", "--customer", "ZH", "--as-of", as_of, "--format", "json"))
    assert doc["sections"][2]["rows"] == [
        {k: v for k, v in r.items() if k not in ("customer", "name")} for r in aging["rows"]
    ]
    assert [c["key"] for c in doc["sections"][2]["columns"]] == [
        c["key"] for c in aging["columns"] if c["key"] not in ("customer", "name")
    ]


# --- exact for past dates --------------------------------------------------------------------------


def test_a_past_statement_is_byte_identical_after_later_activity(ok, history: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    args = ("statement", "ZH", "--from", "2026-09-01", "--as-of", "2026-09-30")
    before = {fmt: ok(*args, "--format", fmt) for fmt in ("json", "html", "csv", "table")}
    later_activity(ok)
    after = {fmt: ok(*args, "--format", fmt) for fmt in ("json", "html", "csv", "table")}
    for fmt in before:
        assert after[fmt] == before[fmt], fmt
    assert lines(json.loads(after["json"])["sections"][0]) == SEPTEMBER
    # ...while today's statement did change
    assert closing_of(statement(ok, "ZH")) == {"CNY": Decimal("1280.00"), "USD": Decimal("-150.00")}


# --- language --------------------------------------------------------------------------------------


def test_a_zh_customer_gets_chinese_labels(ok, history: str) -> None:  # type: ignore[no-untyped-def]
    doc = september(ok)
    assert doc["schema"] == "arctl.statement/1" and doc["report"] == "statement"
    assert doc["heading"] == ["对账单 — ZH 杭州精细机械有限公司", ADDRESS, "期间: 2026-09-01 – 2026-09-30"]
    assert doc["title"] == doc["heading"][0] and doc["as_of"] == "2026-09-30"
    activity, open_items, aging = doc["sections"]
    assert activity["title"] == "往来明细 2026-09-01 – 2026-09-30"
    titles = [c["title"] for c in activity["columns"]]
    assert titles == ["日期", "单据", "摘要", "币种", "应收增加", "收款及贷项", "余额"]  # fmt: skip
    assert activity["rows"][0]["description"] == "期初余额" and activity["totals"][0]["description"] == "期末余额"
    assert open_items["title"] == "未结清项目 截至 2026-09-30"
    assert [c["title"] for c in open_items["columns"]][:4] == ["发票", "期次", "到期日", "逾期天数"]
    assert aging["title"] == "账龄 截至 2026-09-30"
    aging_titles = {c["key"]: c["title"] for c in aging["columns"]}
    wanted = ["未到期", "未核销", "合计", "1-30"]
    assert [aging_titles[k] for k in ("current", "unapplied", "total", "d1_30")] == wanted
    table = ok("statement", "ZH", "--from", "2026-09-01", "--as-of", "2026-09-30")
    for label in ("对账单", "期初余额", "期末余额", "往来明细", "未结清项目", "账龄", "期间"):
        assert label in table, label
    assert "Opening balance" not in table


def test_language_en_overrides_the_customer_language(ok, history: str) -> None:  # type: ignore[no-untyped-def]
    doc = september(ok, "--language", "en")
    assert doc["heading"] == ["Statement of account — ZH 杭州精细机械有限公司", ADDRESS,
                              "Period: 2026-09-01 – 2026-09-30"]  # fmt: skip
    activity, open_items, aging = doc["sections"]
    assert activity["title"] == "Activity 2026-09-01 – 2026-09-30"
    assert activity["rows"][0]["description"] == "Opening balance"
    assert activity["totals"][0]["description"] == "Closing balance"
    assert [r["description"] for r in activity["rows"][2:5]] == [
        "Invoice 机床", "Payment bank transfer R2", "Payment bank transfer"]  # fmt: skip
    assert open_items["rows"][-1]["invoice"] == "Unapplied payments and credits"
    assert {c["key"]: c["title"] for c in aging["columns"]}["unapplied"] == "Unapplied"
    # the same figures in either language
    zh = september(ok)
    for en_section, zh_section in zip(doc["sections"], zh["sections"], strict=True):
        money = [c["key"] for c in en_section["columns"] if c["kind"] in ("money", "int", "date")]
        assert [[r.get(k) for k in money] for r in en_section["rows"]] == [
            [r.get(k) for k in money] for r in zh_section["rows"]
        ]
    table = ok("statement", "ZH", "--language", "en")
    assert "Statement of account" in table and "对账单" not in table and "期初余额" not in table


def test_an_en_customer_gets_english_and_zh_overrides(ok, history: str) -> None:  # type: ignore[no-untyped-def]
    assert statement(ok, "EVIL")["heading"][0] == f"Statement of account — EVIL {EVIL_NAME}"
    assert statement(ok, "EVIL", "--language", "zh")["heading"][0] == f"对账单 — EVIL {EVIL_NAME}"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ZH", "--language", "fr"], "--language"),
        (["ZH", "--from", "2026-10-05", "--as-of", "2026-10-01"], "--from"),
        (["ZH", "--from", "2026-11-01"], "--from"),  # after the default as-of (today)
        (["NOPE"], "NOPE"),
        (["ZH", "--as-of", "2026-13-01"], "--as-of"),
        (["ZH", "--from", "yesterday-ish"], "--from"),
    ],
)
def test_bad_input_is_one_error_line(cli, history: str, args: list[str], message: str) -> None:  # type: ignore[no-untyped-def]
    result = cli("statement", *args, "--format", "json")
    assert result.exit_code == 1, (result.stdout, result.stderr)
    assert result.stderr.startswith("error:") and message in result.stderr.splitlines()[0]
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_one_day_period_is_allowed(ok, history: str) -> None:  # type: ignore[no-untyped-def]
    doc = statement(ok, "ZH", "--from", "2026-09-12", "--as-of", "2026-09-12")
    assert [r["document"] for r in doc["sections"][0]["rows"]] == ["", "", "P3"]
    assert closing_of(doc) == {"CNY": Decimal("1600.00"), "USD": Decimal("150.00")}


# --- formats ---------------------------------------------------------------------------------------


def test_json_document_schema(ok, history: str) -> None:  # type: ignore[no-untyped-def]
    doc = september(ok)
    assert list(doc) == ["schema", "report", "title", "heading", "as_of", "sections"]
    assert [s["schema"] for s in doc["sections"]] == [
        "arctl.statement-activity/1", "arctl.statement-open-items/1", "arctl.statement-aging/1"]  # fmt: skip
    for section in doc["sections"]:
        assert section["as_of"] == "2026-09-30"
        money = {c["key"] for c in section["columns"] if c["kind"] == "money"}
        for row in section["rows"] + section["totals"]:
            for key in money & set(row):
                assert row[key] is None or (isinstance(row[key], str) and Decimal(row[key]) == Decimal(row[key]))


def test_html_is_one_escaped_page_in_the_customer_language(ok, history: str) -> None:  # type: ignore[no-untyped-def]
    page = ok("statement", "EVIL", "--format", "html")
    assert page.startswith("<!DOCTYPE html>") and page.count("<html") == 1 and page.count("</html>") == 1
    assert '<html lang="en">' in page
    assert "&lt;b&gt;Evil &amp; Co&lt;/b&gt;" in page
    assert "<b>" not in page and "Evil & Co" not in page
    assert page.count("<h2>") == 3 and page.count("<table>") == 3 and page.count("<h1>") == 1
    assert "Statement of account" in page and "Opening balance" in page
    zh = ok("statement", "EVIL", "--format", "html", "--language", "zh")
    assert '<html lang="zh">' in zh and "对账单" in zh and "&lt;b&gt;Evil &amp; Co&lt;/b&gt;" in zh
    chinese = ok("statement", "ZH", "--from", "2026-09-01", "--as-of", "2026-09-30", "--format", "html")
    assert '<html lang="zh">' in chinese and "期初余额" in chinese and "期末余额" in chinese
    assert '<td class="num">1,200.00</td>' in chinese and '<td class="num">750.00</td>' in chinese


def test_html_and_json_to_files_with_as_of(cli, history: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    for suffix in ("html", "json"):
        target = tmp_path / f"ZH-{{as_of}}.{suffix}"
        result = cli("statement", "ZH", "--as-of", "2026-09-30", "--output", str(target))
        assert result.exit_code == 0, result.stderr
        written = tmp_path / f"ZH-2026-09-30.{suffix}"
        assert result.stdout == "" and result.stderr.strip() == f"wrote {written}"
        assert written.exists()
    assert json.loads((tmp_path / "ZH-2026-09-30.json").read_text("utf-8"))["schema"] == "arctl.statement/1"
    quiet = cli("-q", "statement", "ZH", "--output", str(tmp_path / "q.html"))
    assert quiet.exit_code == 0 and quiet.stdout == "" and quiet.stderr == ""


def test_xlsx_has_three_sheets_with_numbers(cli, ok, history: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "zh.xlsx"
    result = cli("statement", "ZH", "--from", "2026-09-01", "--as-of", "2026-09-30", "--output", str(path))
    assert result.exit_code == 0, result.stderr
    doc = september(ok)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["往来明细", "未结清项目", "账龄"]
    for ws, section in zip(book.worksheets, doc["sections"], strict=True):
        assert [ws.cell(r, 1).value for r in (1, 2, 3, 4)] == [*doc["heading"], section["title"]]
        assert ws["A1"].font.b
        assert [c.value for c in ws[5]] == [c["title"] for c in section["columns"]]
        assert ws.freeze_panes == "A6"
        assert ws.auto_filter.ref is not None and ws.auto_filter.ref.startswith("A5:")
        keys = [c["key"] for c in section["columns"]]
        kinds = {c["key"]: c["kind"] for c in section["columns"]}
        body = list(ws.iter_rows(min_row=6, max_row=5 + len(section["rows"]) + len(section["totals"])))
        assert len(body) == len(section["rows"]) + len(section["totals"])
        for want, cells in zip(section["rows"] + section["totals"], body, strict=True):
            for key, cell in zip(keys, cells, strict=False):
                value = want.get(key)
                if kinds[key] == "money" and value is not None:
                    assert isinstance(cell.value, int | float) and not isinstance(cell.value, bool), (key, cell)
                    assert Decimal(str(cell.value)) == Decimal(value), (key, cell.value, value)
                    assert cell.number_format == "#,##0.00", (key, cell.number_format)
                elif kinds[key] == "int" and value is not None:
                    assert cell.value == value
                elif kinds[key] == "date" and value is not None:
                    assert cell.value.date().isoformat() == value and cell.number_format == "yyyy-mm-dd"
    assert book["往来明细"]["G6"].value == 1200  # the opening balance, a number
    en = tmp_path / "en.xlsx"
    assert cli("statement", "EVIL", "--format", "xlsx", "--output", str(en)).exit_code == 0
    assert openpyxl.load_workbook(en).sheetnames == ["Activity", "Open items", "Aging"]


def test_csv_has_the_heading_then_each_section(ok, history: str) -> None:  # type: ignore[no-untyped-def]
    text = ok("statement", "ZH", "--from", "2026-09-01", "--as-of", "2026-09-30", "--format", "csv")
    doc = september(ok)
    blocks = text.split("\n\n")
    assert len(blocks) == 4
    assert list(csv.reader(io.StringIO(blocks[0]))) == [[line] for line in doc["heading"]]
    for block, section in zip(blocks[1:], doc["sections"], strict=True):
        rows = list(csv.reader(io.StringIO(block)))
        assert rows[0] == [section["title"]]
        assert rows[1] == [c["key"] for c in section["columns"]]
        assert len(rows) == 2 + len(section["rows"]) + len(section["totals"])
    activity = list(csv.DictReader(io.StringIO(blocks[1].split("\n", 1)[1])))
    assert [(r["document"], r["debit"], r["credit"], r["balance"]) for r in activity[2:4]] == [
        ("INV-C", "800.00", "", "2000.00"), ("P2", "", "400.00", "1600.00")]  # fmt: skip
    assert activity[-1]["description"] == "期末余额" and activity[-1]["balance"] == "150.00"


def test_csv_neutralises_an_address_that_looks_like_a_formula(ok, history: str) -> None:  # type: ignore[no-untyped-def]
    heading = list(csv.reader(io.StringIO(ok("statement", "EVIL", "--format", "csv"))))[:3]
    assert heading[1] == ["'" + EVIL_ADDRESS]
    assert heading[0] == [f"Statement of account — EVIL {EVIL_NAME}"]


def test_xlsx_neutralises_an_address_that_looks_like_a_formula(cli, history: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "evil.xlsx"
    assert cli("statement", "EVIL", "--output", str(path)).exit_code == 0
    for ws in openpyxl.load_workbook(path).worksheets:
        assert ws["A2"].value == "'" + EVIL_ADDRESS


def test_table_fits_80_columns(ok, later: str) -> None:  # type: ignore[no-untyped-def]
    from arctl.render.files import text_width

    text = ok("statement", "ZH", "--from", "2026-07-01")
    assert max(text_width(line) for line in text.splitlines()) <= 80, text
    assert text.startswith("对账单 — ZH 杭州精细机械有限公司\n")
    assert "\x1b[" not in text
