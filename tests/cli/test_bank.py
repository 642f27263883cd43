"""Bank reconciliation end to end through the CLI: import, match, review, confirm, reject, assign, undo, status.

The ledger is the demo (as of 2026-10-31); the bank files are the ones in examples/bank/, which settle
part of it: an invoice number in a memo, exact amounts, a payer under a variant of its name, one transfer
for two invoices, a partial payment, bank charges deducted in transit, an unknown private payer.
"""

from __future__ import annotations

import csv
import json
import shutil
import sqlite3
from pathlib import Path

import pytest

pytestmark = pytest.mark.usefixtures("_fast_cli")

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "bank"
ICBC = EXAMPLES / "icbc-2026-10.csv"
CAMT = EXAMPLES / "camt053-2026-10-30.xml"
MT940 = EXAMPLES / "mt940-2026-10-29.sta"
OFX = EXAMPLES / "ofx-2026-10-28.ofx"
ALL_FILES = (ICBC, CAMT, MT940, OFX)


@pytest.fixture
def demo(ok, seeded) -> None:  # type: ignore[no-untyped-def]
    seeded("demo", lambda: ok("demo"))


@pytest.fixture
def imported(ok, seeded) -> None:  # type: ignore[no-untyped-def]
    def build() -> None:
        ok("demo")
        ok("bank", "import", *map(str, ALL_FILES))

    seeded("imported", build)


def rows(ledger: Path, sql: str, *args: object) -> list[tuple]:  # type: ignore[type-arg]
    con = sqlite3.connect(ledger)
    try:
        return con.execute(sql, args).fetchall()
    finally:
        con.close()


def line_id(ledger: Path, payer_like: str) -> int:
    found = rows(ledger, "SELECT id FROM bank_line WHERE payer_name LIKE ? ORDER BY id", f"%{payer_like}%")
    assert found, payer_like
    return found[0][0]


# --- import ------------------------------------------------------------------------------------------------


def test_import_keeps_money_in_only_and_names_what_it_skipped(ok, demo, ledger_env) -> None:  # type: ignore[no-untyped-def]
    out = ok("bank", "import", str(ICBC))
    assert "added 6 line(s) of money in" in out
    assert "ignored 1" in out  # the electricity bill (支出)
    names = [r[0] for r in rows(ledger_env, "SELECT payer_name FROM bank_line ORDER BY id")]
    assert names[0] == "广州明远贸易有限公司" and "张三" in names
    amounts = rows(ledger_env, "SELECT amount_minor, currency, booked_on FROM bank_line ORDER BY id")
    assert amounts[0] == (884997, "CNY", "2026-10-26")
    assert amounts[3] == (31141955, "CNY", "2026-10-29")


def test_every_format_imports(ok, demo, ledger_env) -> None:  # type: ignore[no-untyped-def]
    out = ok("bank", "import", *map(str, ALL_FILES))
    for name in ("icbc", "camt053", "mt940", "ofx"):
        assert name in out
    by_ref = dict(rows(ledger_env, "SELECT bank_ref, amount_minor FROM bank_line WHERE bank_ref != ''"))
    assert by_ref["ICBCZJ20261030000117"] == 1486138
    assert by_ref["CMB20261028000451"] == 2623806
    assert rows(ledger_env, "SELECT count(*) FROM bank_line")[0][0] == 6 + 2 + 1 + 1


def test_the_same_file_twice_adds_nothing(ok, imported, ledger_env) -> None:  # type: ignore[no-untyped-def]
    before = rows(ledger_env, "SELECT count(*) FROM bank_line")[0][0]
    out = ok("bank", "import", str(ICBC), str(CAMT))
    assert out.count("already imported") == 2
    assert rows(ledger_env, "SELECT count(*) FROM bank_line")[0][0] == before


def test_an_overlapping_statement_adds_only_new_lines(ok, imported, ledger_env, tmp_path) -> None:  # type: ignore[no-untyped-def]
    # the same ICBC export re-downloaded with one more day: different bytes, mostly the same lines
    text = ICBC.read_bytes().decode("gbk")
    extra = '2026-10-31    \t,转账    \t,网上银行    \t,CHN    \t,钞    \t,777.00    \t,    \t,人民币    \t,777.00    \t,    \t,人民币    \t,"1,685,049.52    \t",李四    \t,    \t,6217000010009999999    \t'
    marker = "\r\n\r\n人民币合计"
    wider = text.replace(marker, "\r\n" + extra + marker)
    path = tmp_path / "icbc-2026-10-wider.csv"
    path.write_bytes(wider.encode("gbk"))
    out = ok("bank", "import", str(path))
    assert "added 1 line(s)" in out and "skipped 6" in out


def test_two_identical_transfers_in_one_file_both_survive(ok, demo, ledger_env, tmp_path) -> None:  # type: ignore[no-untyped-def]
    text = ICBC.read_bytes().decode("gbk")
    lines = text.split("\r\n")
    twin = next(i for i, line in enumerate(lines) if "张三" in line)
    lines.insert(twin + 1, lines[twin])
    path = tmp_path / "twins.csv"
    path.write_bytes("\r\n".join(lines).encode("gbk"))
    ok("bank", "import", str(path))
    assert rows(ledger_env, "SELECT count(*) FROM bank_line WHERE payer_name = '张三'")[0][0] == 2
    out = ok("bank", "import", str(path))  # and the same file again still adds nothing
    assert "already imported" in out


def test_dry_run_changes_nothing(ok, demo, dump) -> None:  # type: ignore[no-untyped-def]
    before = dump()
    out = ok("bank", "import", "--dry-run", *map(str, ALL_FILES))
    assert "would add 6" in out and "dry run: nothing was changed" in out
    assert dump() == before


def test_a_bad_file_names_where_and_imports_nothing_at_all(cli, demo, dump, tmp_path) -> None:  # type: ignore[no-untyped-def]
    lines = ICBC.read_bytes().decode("gbk").split("\r\n")
    bad_row = next(i for i, line in enumerate(lines) if "张三" in line)
    lines[bad_row] = lines[bad_row].replace("500.00", "5OO.00")
    bad = tmp_path / "bad.csv"
    bad.write_bytes("\r\n".join(lines).encode("gbk"))
    before = dump()
    result = cli("bank", "import", str(CAMT), str(bad))  # a good file first: it must not land either
    assert result.exit_code == 1
    assert f"{bad}:{bad_row + 1}:" in result.stderr
    assert "收入" in result.stderr
    assert dump() == before


def test_unbalanced_statement_is_refused_unless_forced(cli, ok, demo, dump, tmp_path, ledger_env) -> None:  # type: ignore[no-untyped-def]
    broken = tmp_path / "camt-unbalanced.xml"
    broken.write_text(CAMT.read_text().replace("163795.94", "163795.00"))
    before = dump()
    result = cli("bank", "import", str(broken))
    assert result.exit_code == 1
    assert "does not add up" in result.stderr and "difference -0.94" in result.stderr
    assert dump() == before
    result = cli("bank", "import", "--force", str(broken))
    assert result.exit_code == 0, result.stderr
    assert "--force" in result.stderr
    assert rows(ledger_env, "SELECT difference_minor FROM bank_statement")[0][0] == -94


def test_xml_external_entities_are_refused(cli, demo, dump, tmp_path) -> None:  # type: ignore[no-untyped-def]
    evil = tmp_path / "evil.xml"
    evil.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
        + CAMT.read_text().split("\n", 1)[1].replace("PAYMENT INV-2025-0026", "&xxe;")
    )
    before = dump()
    result = cli("bank", "import", str(evil))
    assert result.exit_code == 1
    assert "root:" not in result.stdout + result.stderr
    assert dump() == before


def test_an_unknown_layout_points_to_profiles(cli, demo, tmp_path) -> None:  # type: ignore[no-untyped-def]
    odd = tmp_path / "odd.csv"
    odd.write_text("when,how much\n2026-10-01,5\n")
    result = cli("bank", "import", str(odd))
    assert result.exit_code == 1
    assert "odd.csv" in result.stderr and "--profile" in result.stderr


def test_profiles_lists_built_in_and_user_layouts(ok, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    out = ok("bank", "profiles", "--format", "csv")
    for name in ("icbc", "ccb", "boc", "cmb", "abc", "alipay", "wechat", "ofx", "mt940", "camt053"):
        assert f"\n{name}," in out
    assert "profiles" in ok("bank", "profiles")


# --- match, review, confirm --------------------------------------------------------------------------------


def test_auto_match_applies_the_sure_ones_and_leaves_the_rest(ok, imported, ledger_env) -> None:  # type: ignore[no-untyped-def]
    out = ok("bank", "match", "--auto")
    assert "auto-confirmed" in out
    matched = dict(
        rows(
            ledger_env,
            """
        SELECT l.payer_name, c.code FROM bank_line l JOIN customer c ON c.id = l.customer_id
        WHERE l.status = 'matched'""",
        )
    )
    assert matched.get("广州明远贸易有限公司") == "GZMY"
    assert matched.get("KESTREL COMPONENTS LTD") == "KSTL"
    assert matched.get("Nordic Polar Automation AB") == "NORD"
    assert "张三" not in matched
    # the reference INV-2026-0039 paid exactly that invoice
    paid = rows(
        ledger_env,
        """
        SELECT i.number, a.amount_minor, a.applied_on FROM allocation a
        JOIN installment s ON s.id = a.installment_id JOIN invoice i ON i.id = s.invoice_id
        JOIN bank_line l ON l.payment_id = a.payment_id WHERE l.payer_name = 'KESTREL COMPONENTS LTD'""",
    )
    assert paid == [("INV-2026-0036", 2623806, "2026-10-28")]
    balance = ok("balance", "KSTL")
    assert "INV-2026-0036" not in balance
    assert rows(ledger_env, "SELECT count(*) FROM bank_line WHERE status = 'matched'")[0][0] >= 6
    ok("verify")


def test_one_transfer_paying_two_invoices_is_one_payment(ok, imported, ledger_env) -> None:  # type: ignore[no-untyped-def]
    ok("bank", "match")
    line = line_id(ledger_env, "重庆长运")
    review = ok("bank", "review", "--format", "csv")
    row = next(r for r in csv.DictReader(review.splitlines()) if r["line"] == str(line))
    assert "INV-2025-0030:1=93827.00" in row["items"] and "INV-2026-0009:1=217592.55" in row["items"]
    out = ok("bank", "confirm", str(line))
    assert "CQCY" in out
    assert rows(ledger_env, "SELECT count(*) FROM allocation WHERE payment_id = "
                "(SELECT payment_id FROM bank_line WHERE id = ?)", line)[0][0] == 2  # fmt: skip
    assert "INV-2026-0009" not in ok("balance", "CQCY")


def test_partial_payment_with_a_reference(ok, imported, ledger_env) -> None:  # type: ignore[no-untyped-def]
    ok("bank", "match")
    line = line_id(ledger_env, "山东齐鲁")
    ok("bank", "confirm", str(line))
    balance = ok("balance", "SDQL", "--format", "csv")
    row = next(r for r in csv.DictReader(balance.splitlines()) if r.get("invoice") == "INV-2025-0034")
    assert row["open"] == "77236.71"


def test_short_payment_by_bank_charges_writes_the_fee_off(ok, imported, ledger_env) -> None:  # type: ignore[no-untyped-def]
    ok("bank", "match")
    line = line_id(ledger_env, "PACIFIC")
    out = ok("bank", "confirm", str(line))
    assert "bank fee 15.00" in out
    credit = rows(ledger_env, "SELECT kind, reason, amount_minor FROM credit WHERE id = "
                  "(SELECT fee_credit_id FROM bank_line WHERE id = ?)", line)  # fmt: skip
    assert credit == [("write_off", "bank_fee", 1500)]
    assert "INV-2025-0026" not in ok("balance", "PACT")


def test_a_new_payer_name_is_learned_after_one_confirmation(ok, imported, ledger_env, tmp_path) -> None:  # type: ignore[no-untyped-def]
    ok("bank", "match")
    line = line_id(ledger_env, "张三")
    ok("bank", "assign", str(line), "GZMY")
    assert rows(ledger_env, "SELECT c.code FROM customer_alias a JOIN customer c ON c.id = a.customer_id "
                "WHERE a.alias = '张三'") == [("GZMY",)]  # fmt: skip
    assert (
        rows(ledger_env, "SELECT count(*) FROM customer_account WHERE account = '6217000010001234567'")[0][0] == 1
    )
    # next month 张三 pays again: identified at once
    nxt = tmp_path / "next.csv"
    text = (
        ICBC.read_bytes()
        .decode("gbk")
        .replace("2026-10-30    \t,转账    \t,网上银行", "2026-10-31    \t,转账    \t,网上银行")
    )
    nxt.write_bytes(text.replace("个人转账", "第二笔").encode("gbk"))
    ok("bank", "import", str(nxt))
    ok("bank", "match")
    review = ok("bank", "review", "--format", "csv")
    latest = [r for r in csv.DictReader(review.splitlines()) if r["payer"] == "张三"]
    assert latest and latest[-1]["customer"] == "GZMY"


def test_review_sheet_round_trip(ok, imported, ledger_env, tmp_path) -> None:  # type: ignore[no-untyped-def]
    ok("bank", "match")
    sheet = tmp_path / "review.csv"
    ok("bank", "review", "--format", "csv", "-o", str(sheet))
    table = list(csv.DictReader(sheet.read_text(encoding="utf-8-sig").splitlines()))
    assert {"line", "customer", "items", "score", "reasons", "decision"} <= set(table[0])
    for row in table:
        if row["payer"] == "张三":
            row["decision"], row["customer"] = "assign", "GZMY"
        elif row["customer"] == "GZMY":
            row["decision"] = "confirm"
        elif row["customer"] == "CQCY":
            row["decision"] = "reject"
    with sheet.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(table[0]))
        writer.writeheader()
        writer.writerows(table)
    out = ok("bank", "confirm", "--from-file", str(sheet))
    assert out.count("confirm") >= 2 and "assign" in out and "reject" in out
    states = dict(
        rows(
            ledger_env,
            "SELECT payer_name, status FROM bank_line WHERE payer_name IN ('张三', '重庆长运汽车零部件有限公司')",
        )
    )
    assert states == {"张三": "matched", "重庆长运汽车零部件有限公司": "unmatched"}
    # a rejected proposal does not come back
    ok("bank", "match")
    review = ok("bank", "review", "--format", "csv")
    cq = [r for r in csv.DictReader(review.splitlines()) if r["payer"] == "重庆长运汽车零部件有限公司"]
    assert all(r["items"] != "INV-2025-0030:1=93827.00, INV-2026-0009:1=217592.55" for r in cq)


def test_a_bad_review_sheet_changes_nothing(cli, ok, imported, dump, tmp_path) -> None:  # type: ignore[no-untyped-def]
    ok("bank", "match")
    sheet = tmp_path / "review.csv"
    ok("bank", "review", "--format", "csv", "-o", str(sheet))
    table = list(csv.DictReader(sheet.read_text(encoding="utf-8-sig").splitlines()))
    table[0]["decision"] = "confirm"
    table[1]["decision"] = "maybe"
    with sheet.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(table[0]))
        writer.writeheader()
        writer.writerows(table)
    before = dump()
    result = cli("bank", "confirm", "--from-file", str(sheet))
    assert result.exit_code == 1
    assert f"{sheet}:3: decision:" in result.stderr
    assert dump() == before


def test_confirming_twice_is_refused(cli, ok, imported, ledger_env) -> None:  # type: ignore[no-untyped-def]
    ok("bank", "match")
    line = line_id(ledger_env, "KESTREL")
    ok("bank", "confirm", str(line))
    result = cli("bank", "confirm", str(line))
    assert result.exit_code == 1 and "already matched" in result.stderr


# --- undo --------------------------------------------------------------------------------------------------


def test_undo_a_match_reverses_its_payment_dated(ok, imported, ledger_env) -> None:  # type: ignore[no-untyped-def]
    before = ok("aging", "--format", "csv")
    ok("bank", "match")
    line = line_id(ledger_env, "KESTREL")
    ok("bank", "confirm", str(line))
    assert ok("aging", "--format", "csv") != before
    out = ok("bank", "undo", str(line), "--reason", "wrong customer")
    assert "reversed" in out
    assert ok("aging", "--format", "csv") == before
    assert rows(ledger_env, "SELECT status, customer_id FROM bank_line WHERE id = ?", line) == [
        ("unmatched", None)
    ]
    assert rows(ledger_env, "SELECT reversed_on, reverse_reason FROM payment WHERE id = "
                "(SELECT payment_id FROM bank_line WHERE id = ?)", line) == [("2026-10-31", "wrong customer")]  # fmt: skip
    ok("verify")


def test_undo_a_fee_match_reverses_the_write_off_too(ok, imported, ledger_env) -> None:  # type: ignore[no-untyped-def]
    before = ok("balance", "PACT", "--format", "csv")
    ok("bank", "match")
    line = line_id(ledger_env, "PACIFIC")
    ok("bank", "confirm", str(line))
    ok("bank", "undo", str(line))
    assert ok("balance", "PACT", "--format", "csv") == before
    ok("verify")


def test_undo_a_whole_import_then_import_it_again(ok, imported, ledger_env) -> None:  # type: ignore[no-untyped-def]
    ok("bank", "match", "--auto")
    import_id = rows(ledger_env, "SELECT import_id FROM bank_line WHERE payer_name LIKE '广州%' LIMIT 1")[0][0]
    out = ok("bank", "undo", "--import", str(import_id))
    assert "set aside" in out
    assert rows(ledger_env, "SELECT DISTINCT status FROM bank_line WHERE import_id = ?", import_id) == [
        ("undone",)
    ]
    assert "INV-2026-0039" in ok("balance", "GZMY")
    out = ok("bank", "import", str(ICBC))
    assert "added 6" in out
    ok("verify")


def test_undo_needs_a_line_or_an_import(cli, imported) -> None:  # type: ignore[no-untyped-def]
    assert cli("bank", "undo").exit_code == 2
    assert cli("bank", "undo", "1", "--import", "1").exit_code == 2
    result = cli("bank", "undo", "1")
    assert result.exit_code == 1 and "not matched" in result.stderr


# --- status ------------------------------------------------------------------------------------------------


def test_status_per_import(ok, imported) -> None:  # type: ignore[no-untyped-def]
    ok("bank", "match", "--auto")
    out = ok("bank", "status", "--format", "json")
    data = json.loads(out)
    by_file = {r["file"]: r for r in data["rows"]}
    icbc = by_file["icbc-2026-10.csv"]
    assert icbc["lines"] == 6 and icbc["matched"] + icbc["suggested"] + icbc["unmatched"] == 6
    assert icbc["unmatched_amount"] != "0.00"


def test_stale_unmatched_lines_alert_for_cron(cli, ok, imported) -> None:  # type: ignore[no-untyped-def]
    result = cli("bank", "status", "--unmatched-days", "0", "--strict", "--format", "csv")
    assert result.exit_code == 3
    assert "张三" in result.stdout
    quiet = cli("bank", "status", "--unmatched-days", "30", "--strict")
    assert quiet.exit_code == 0
    assert cli("bank", "status", "--strict").exit_code == 2


def test_examples_are_what_the_generator_writes(tmp_path) -> None:
    copy = tmp_path / "bank"
    shutil.copytree(EXAMPLES, copy)
    import runpy

    runpy.run_path(str(copy / "make_bank_examples.py"), run_name="__main__")
    for path in EXAMPLES.iterdir():
        if path.suffix != ".py":
            assert (copy / path.name).read_bytes() == path.read_bytes(), path.name


# --- a small ledger of our own: three invoices in one transfer, an over-payment -----------------------------

ICBC_HEADER = (
    "交易日期,摘要,交易场所,交易国家或地区简称,钞/汇,交易金额(收入),交易金额(支出),交易币种,"
    "记账金额(收入),记账金额(支出),记账币种,余额,对方户名,交易详情,对方账户"
)


def icbc_file(path: Path, credits: list[tuple[str, str, str, str]]) -> Path:
    """An ICBC export (GBK) with these credits: (date, amount, payer, memo)."""
    lines = ["明细查询文件下载", "卡号: 1202021109000999999", "子账户类别: 活期", "", ICBC_HEADER]
    for day, amount, payer, memo in credits:
        cells = [day, "转账", "网上银行", "CHN", "钞", amount, "", "人民币", amount, "", "人民币", "", payer, memo,
                 "6222000011112222"]  # fmt: skip
        lines.append(",".join(f'"{c}"' if "," in c else c for c in cells))
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("gbk"))
    return path


@pytest.fixture
def three_invoices(ok, acme) -> None:  # type: ignore[no-untyped-def]
    for number, amount, day in (("AC-2026-001", "1000.00", "2026-08-01"), ("AC-2026-002", "2500.50", "2026-08-15"),
                                ("AC-2026-003", "730.25", "2026-09-01"), ("AC-2026-004", "9999.99", "2026-09-20")):  # fmt: skip
        ok("invoice", "add", "ACME", number, amount, "--date", day)


def test_one_transfer_paying_three_invoices(ok, three_invoices, ledger_env, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = icbc_file(tmp_path / "three.csv", [("2026-10-20", "4,230.75", "Acme Trading Co.", "货款")])
    ok("bank", "import", str(path))
    out = ok("bank", "match", "--auto")
    review = ok("bank", "review", "--all", "--format", "csv")
    assert "auto-confirmed 0" in out, review  # a set found by sum alone waits for the clerk
    row = next(csv.DictReader(review.splitlines()))
    assert row["items"] == "AC-2026-001:1=1000.00, AC-2026-002:1=2500.50, AC-2026-003:1=730.25"
    ok("bank", "confirm", row["line"])
    balance = ok("balance", "ACME", "--format", "csv")
    assert (
        "AC-2026-001" not in balance
        and "AC-2026-002" not in balance
        and "AC-2026-003" not in balance
        and "AC-2026-004" in balance
    )
    ok("verify")


def test_over_payment_leaves_the_rest_as_unapplied_cash(ok, three_invoices, ledger_env, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = icbc_file(tmp_path / "over.csv", [("2026-10-20", "1,200.00", "Acme Trading Co.", "INV AC-2026-001")])
    ok("bank", "import", str(path))
    ok("bank", "match")
    review = next(csv.DictReader(ok("bank", "review", "--format", "csv").splitlines()))
    assert review["items"] == "AC-2026-001:1=1000.00" and review["unapplied"] == "200.00", review["reasons"]
    ok("bank", "confirm", review["line"])
    status = json.loads(ok("bank", "status", "--format", "json"))["rows"][0]
    assert status["unapplied"] == "200.00" and status["matched"] == 1
    assert "AC-2026-001" not in ok("balance", "ACME", "--format", "csv")
    assert "200.00" in ok("payment", "list", "--unapplied", "--format", "csv")


def test_review_as_xlsx_applies_from_the_workbook(ok, three_invoices, ledger_env, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from openpyxl import load_workbook

    path = icbc_file(tmp_path / "x.csv", [("2026-10-20", "1,000.00", "Acme Trading Co.", "AC-2026-001")])
    ok("bank", "import", str(path))
    ok("bank", "match")
    sheet = tmp_path / "review.xlsx"
    ok("bank", "review", "-o", str(sheet))
    book = load_workbook(sheet)
    ws = book.active
    header_row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "Line")
    titles = [c.value for c in ws[header_row]]
    assert ws.cell(header_row + 1, titles.index("Amount") + 1).value == 1000  # a number, not text
    ws.cell(header_row + 1, titles.index("Decision") + 1, "confirm")
    book.save(sheet)
    out = ok("bank", "confirm", "--from-file", str(sheet))
    assert "confirm → ACME" in out


def test_verify_names_a_bank_line_whose_payment_was_tampered_with(cli, ok, imported, ledger_env) -> None:  # type: ignore[no-untyped-def]
    ok("bank", "match", "--auto")
    line = line_id(ledger_env, "KESTREL")
    con = sqlite3.connect(ledger_env)
    with con:
        con.execute("UPDATE payment SET amount_minor = amount_minor + 1 WHERE id = "
                    "(SELECT payment_id FROM bank_line WHERE id = ?)", (line,))  # fmt: skip
        con.execute("UPDATE bank_line SET dedupe_key = NULL WHERE payer_name = '张三'")
    con.close()
    result = cli("verify")
    assert result.exit_code == 3
    assert f"bank line {line}: its payment" in result.stderr
    assert "does not agree with its import and dedupe key" in result.stderr
