"""`arctl customer|invoice|payment|milestone import`: encodings, XLSX, headers, all-or-nothing, idempotence."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

# Speed (the suite must stay fast): Typer rebuilds its click command tree on every CliRunner.invoke, and
# a new ledger runs the schema migrations. Build the command once, and start each test from a copy of an
# already-migrated empty ledger (or of a seeded one, see `seed`). What runs is still the real command.
from _shared import refused

pytestmark = pytest.mark.usefixtures("_fast_ledger")


def counts(ok: Callable[..., str]) -> dict[str, int]:
    """Row counts per table from `arctl db info`."""
    out = {}
    for line in ok("db", "info").splitlines():
        if m := re.fullmatch(r"([a-z ]+?)\s+(\d+)", line):
            out[m[1]] = int(m[2])
    return out


def write_csv(path: Path, text: str, encoding: str = "utf-8") -> str:
    path.write_bytes(text.encode(encoding))
    return str(path)


def write_xlsx(path: Path, rows: Sequence[Sequence[object]], sheet: str = "Sheet1") -> str:
    from openpyxl import Workbook

    workbook = Workbook()
    ws = workbook.active
    ws.title = sheet
    for row in rows:
        ws.append(list(row))
    workbook.save(path)
    return str(path)


def rows_of(ok: Callable[..., str], *args: str) -> list[dict]:  # type: ignore[type-arg]
    return json.loads(ok(*args, "--format", "json"))["rows"]  # type: ignore[no-any-return]


def invoice_list(ok: Callable[..., str]) -> dict[str, tuple[str, str, str, str]]:
    """number → (customer, issued, amount, terms)."""
    rows = csv.DictReader(io.StringIO(ok("invoice", "list", "--format", "csv", "--wide")))
    return {r["number"]: (r["customer"], r["issued"], r["amount"], r["terms"]) for r in rows
            if not r["number"].startswith("Total")}  # fmt: skip


CUSTOMERS = (
    "客户编码,客户名称,别名,付款条件,信用额度,币种,信用等级,标签,联系人,职务,邮箱,电话,语言,渠道,地址,备注\n"
    'HZJX,杭州精细机械有限公司,杭州精细；精细机械,net45,"800,000.00",人民币,a,key;east,王丽华,财务,'
    "wanglh@example.cn,0571-88880000,zh,wechat,杭州市余杭区,资金紧张\n"
    "ACME,Acme Trading Co.,,eom+30,5000,USD,,,Ann Lee,,ann@example.com,,en,,,\n"
)


def assert_customers_imported(ok: Callable[..., str]) -> None:
    shown = ok("customer", "show", "HZJX")
    assert shown == (
        "HZJX  杭州精细机械有限公司\n"
        "  language     zh\n"
        "  terms        net45\n"
        "  credit limit 800,000.00 CNY\n"
        "  grade        A\n"
        "  tags         east, key\n"
        "  aliases      杭州精细; 精细机械\n"
        "  address      杭州市余杭区\n"
        "  contact      王丽华 · 财务 · wanglh@example.cn · 0571-88880000 · wechat/zh · primary\n"
        "  notes        资金紧张  (confidential)\n"
        "  invoices     0\n"
    )
    acme = ok("customer", "show", "acme")
    assert "  credit limit 5,000.00 USD\n" in acme
    assert "  contact      Ann Lee · ann@example.com · email/en · primary\n" in acme
    assert ok("customer", "show", "精细机械").startswith("HZJX  ")


@pytest.fixture
def base(ok: Callable[..., str], seed) -> None:  # type: ignore[no-untyped-def]
    def build() -> None:
        ok("customer", "add", "HZJX", "杭州精细机械有限公司", "--terms", "net45")
        ok("customer", "add", "SHXY", "上海新远贸易有限公司")

    seed("base", build)


# ---------------------------------------------------------------- encodings and formats


def test_customers_csv_utf8_with_chinese_headers(ok, tmp_path):
    path = write_csv(tmp_path / "客户.csv", CUSTOMERS)
    assert ok("customer", "import", path) == f"{path}: 2 rows, 2 customers added, 0 already present\n"
    assert_customers_imported(ok)


def test_customers_csv_utf8_with_bom(ok, tmp_path):
    path = write_csv(tmp_path / "bom.csv", CUSTOMERS, "utf-8-sig")
    assert ok("customer", "import", path) == f"{path}: 2 rows, 2 customers added, 0 already present\n"
    assert_customers_imported(ok)


def test_customers_csv_gbk(ok, tmp_path):
    path = write_csv(tmp_path / "gbk.csv", CUSTOMERS, "gbk")
    assert ok("customer", "import", path) == f"{path}: 2 rows, 2 customers added, 0 already present\n"
    assert_customers_imported(ok)


SHORT_GBK_INVOICES = "发票号,客户,开票日期,金额\nINV-1,HZJX,2026-09-01,100.00\n"


def test_short_gbk_file_is_read_as_chinese(ok, base, tmp_path):
    path = write_csv(tmp_path / "gbk.csv", SHORT_GBK_INVOICES, "gbk")
    assert ok("invoice", "import", path) == f"{path}: 1 rows, 1 invoices added, 0 already present\n"


def test_forced_encoding_reads_a_short_gbk_file(ok, cli, base, tmp_path, dump):
    path = write_csv(tmp_path / "gbk.csv", SHORT_GBK_INVOICES, "gbk")
    before = dump()
    refused(cli("invoice", "import", path, "--encoding", "utf-8"), f"error: {path}: cannot decode as utf-8")
    refused(cli("invoice", "import", path, "--encoding", "klingon"), f"error: {path}: cannot decode as klingon")
    assert dump() == before
    assert (
        ok("invoice", "import", path, "--encoding", "gbk")
        == f"{path}: 1 rows, 1 invoices added, 0 already present\n"
    )
    assert invoice_list(ok) == {"INV-1": ("HZJX", "2026-09-01", "100.00", "net45")}


def test_customers_xlsx(ok, tmp_path):
    rows = list(csv.reader(io.StringIO(CUSTOMERS)))
    path = write_xlsx(tmp_path / "customers.xlsx", rows, sheet="客户")
    assert (
        ok("customer", "import", path, "--sheet", "客户")
        == f"{path}: 2 rows, 2 customers added, 0 already present\n"
    )
    assert_customers_imported(ok)


def test_invoices_xlsx_with_real_numbers_and_dates(ok, base, tmp_path):
    plan = "30% on signing, 40% delivery+30d, 25% acceptance+90d, 5% retention+365d"
    path = write_xlsx(tmp_path / "应收.xlsx", [
        ["发票号", "客户", "开票日期", "金额", "付款条件", "摘要", "合同号"],
        ["X-1", "HZJX", dt.datetime(2026, 8, 1), 100000.01, plan, "数控机床", "HT-2026-01"],
        ["X-2", "上海新远贸易有限公司", dt.date(2026, 9, 10), 1234.5, None, None, None],
        [20260003, "shxy", "2026/09/11", 7, "eom+30", None, None],
    ])  # fmt: skip
    assert ok("invoice", "import", path) == f"{path}: 3 rows, 3 invoices added, 0 already present\n"
    assert invoice_list(ok) == {
        "X-1": ("HZJX", "2026-08-01", "100000.01", plan),
        "X-2": ("SHXY", "2026-09-10", "1234.50", "net30"),
        "20260003": ("SHXY", "2026-09-11", "7.00", "eom+30"),
    }
    assert [r["amount"] for r in rows_of(ok, "balance", "HZJX")] == ["30000.00", "40000.00", "25000.00", "5000.01"]
    shown = ok("invoice", "show", "X-1")
    assert "  contract HT-2026-01\n" in shown and "  数控机床\n" in shown


def test_tab_separated_file(ok, base, tmp_path):
    path = write_csv(tmp_path / "inv.tsv", "number\tcustomer\tdate\ttotal\nT-1\tHZJX\t2026-09-01\t1,000.50\n")
    ok("invoice", "import", path)
    assert invoice_list(ok) == {"T-1": ("HZJX", "2026-09-01", "1000.50", "net45")}


# ---------------------------------------------------------------- --map


def test_map_assigns_unknown_headers_and_reports_ignored_columns(ok, tmp_path):
    path = write_csv(tmp_path / "erp.csv", "My Header,Company Name,Sales Rep\nK1,甲公司,老王\nK2,乙公司,老李\n")
    out = ok("customer", "import", path, "--map", "My Header=code", "--map", "company name=name")
    assert out == f"{path}: 2 rows, 2 customers added, 0 already present\n  ignored columns: Sales Rep\n"
    assert ok("customer", "show", "K2").startswith("K2  乙公司\n")


def test_map_overrides_a_recognised_header(ok, base, tmp_path):
    # 日期 would be the issue date; here it is the posting date and 开票日 is the invoice date.
    path = write_csv(tmp_path / "m.csv", "发票号,客户,日期,开票日,金额\nM-1,HZJX,2026-10-05,2026-09-30,10\n")
    ok("invoice", "import", path, "--map", "开票日=issue_date", "--map", "日期=description")
    assert invoice_list(ok)["M-1"][1] == "2026-09-30"


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        (
            "My Header=kode",
            "error: --map: My Header=kode: 'kode' is not a customers field (fields: address, aliases",
        ),
        ("My Header", "error: --map: 'My Header': expected \"Column header=field\""),
        ("=code", "error: --map: '=code': expected"),
        ("My Header=", "error: --map: 'My Header=': expected"),
    ],
)
def test_bad_map_is_refused(cli, ok, tmp_path, dump, mapping, message):
    path = write_csv(tmp_path / "erp.csv", "My Header,name\nK1,甲公司\n")
    before = dump()
    refused(cli("customer", "import", path, "--map", mapping), message)
    assert dump() == before


def test_two_columns_for_one_field_are_refused(cli, tmp_path, dump):
    path = write_csv(tmp_path / "dup.csv", "code,客户编码,name\nA,B,甲\n")
    before = dump()
    refused(cli("customer", "import", path), f"error: {path}:1: several columns map to code")
    assert dump() == before


# ---------------------------------------------------------------- all or nothing


BAD_THIRD_ROW = (
    "发票号,客户,开票日期,金额\n"
    "B-1,HZJX,2026-09-01,100.00\n"
    "B-2,SHXY,2026-09-02,200.00\n"
    "B-3,HZJX,2026-09-03,1.234\n"
    "B-4,HZJX,2026-09-04,400.00\n"
)


def test_a_bad_row_refuses_the_whole_csv(cli, ok, base, tmp_path, dump):
    path = write_csv(tmp_path / "bad.csv", BAD_THIRD_ROW)
    before = dump()
    result = cli("invoice", "import", path)
    refused(result)
    assert result.stderr.splitlines()[0] == (
        f"error: {path}:4: 金额: '1.234' has more than 2 decimal place(s) for CNY"
    )
    assert dump() == before
    assert counts(ok)["invoices"] == 0 and counts(ok)["imports"] == 0


def test_a_bad_row_refuses_the_whole_xlsx(cli, ok, base, tmp_path, dump):
    rows = list(csv.reader(io.StringIO(BAD_THIRD_ROW)))
    path = write_xlsx(tmp_path / "bad.xlsx", rows)
    before = dump()
    refused(cli("invoice", "import", path), f"error: {path}:4: 金额: '1.234' has more than 2 decimal place(s)")
    assert dump() == before


def test_a_bad_customer_row_refuses_the_earlier_good_ones(cli, ok, tmp_path, dump):
    path = write_csv(
        tmp_path / "c.csv", "code,name,email,contact\nA1,甲,a@example.com,张\nA2,乙,,\nA3,丙,broken,李\n"
    )
    before = dump()
    refused(cli("customer", "import", path), f"error: {path}:4: email: 'broken' is not an email address")
    assert dump() == before
    assert counts(ok)["customers"] == 0


def test_the_row_number_is_the_file_line_number(cli, base, tmp_path):
    text = "\n发票号,客户,开票日期,金额\nB-1,HZJX,2026-09-01,100\n\nB-2,HZJX,2026-09-02,abc\n"
    path = write_csv(tmp_path / "gaps.csv", text)
    refused(cli("invoice", "import", path), f"error: {path}:5: 金额: 'abc' is not an amount")


def test_a_quoted_multiline_cell_keeps_line_numbers_right(cli, base, tmp_path):
    text = 'number,customer,issue_date,amount,description\nQ-1,HZJX,2026-09-01,1,"two\nlines"\nQ-2,HZJX,2026-09-01,x,\n'
    path = write_csv(tmp_path / "q.csv", text)
    refused(cli("invoice", "import", path), f"error: {path}:4: amount: 'x' is not an amount")


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("B-9,HZJX,2026-09-31,10", ":2: 开票日期: '2026-09-31' is not a valid date"),
        ("B-9,HZJX,09/01/2026,10", ":2: 开票日期: '09/01/2026' is not a date"),
        ("B-9,HZJX,2026-09-01,", ":2: 金额: is empty"),
        (",HZJX,2026-09-01,10", ":2: 发票号: is empty"),
        ("B-9,NOPE,2026-09-01,10", ":2: 客户: no customer matches 'NOPE'"),
        ("B-9,杭州,2026-09-01,10", ":2: 客户: no customer matches '杭州'"),
        ("B-9,HZJX,2026-09-01,0", ":2: 金额: '0' must be more than zero"),
        ("B-9,HZJX,2026-09-01,-10", ":2: 金额: '-10' must not be negative"),
        ("B-9,HZJX,2026-09-01,10,50% net30; 40% eom", ":2: 付款条件: plan percentages add up to 90%, not 100%"),
        ("B-9,HZJX,2026-09-01,10,,XYZ", ":2: 币种: unknown currency 'XYZ'"),
        ("B-9,HZJX,2026-09-01,10,,,extra", ":2: 7 cells but the header has 6 columns"),
    ],
)
def test_invoice_row_errors_name_file_row_and_column(cli, base, tmp_path, dump, row, message):
    path = write_csv(tmp_path / "one.csv", f"发票号,客户,开票日期,金额,付款条件,币种\n{row}\n")
    before = dump()
    refused(cli("invoice", "import", path), f"error: {path}{message}")
    assert dump() == before


def test_missing_required_column_is_named(cli, base, tmp_path, dump):
    path = write_csv(tmp_path / "miss.csv", "发票号,客户,金额\nB-1,HZJX,100\n")
    before = dump()
    result = cli("invoice", "import", path)
    refused(result, f"error: {path}: missing column(s) issue_date (header: 发票号, 客户, 金额)",
            'hint: map them with --map "Your header=field"')  # fmt: skip
    assert dump() == before
    path = write_csv(tmp_path / "miss2.csv", "name\n甲\n")
    refused(cli("customer", "import", path), f"error: {path}: missing column(s) code (header: name)")


# ---------------------------------------------------------------- idempotence and overlap


def test_a_refused_file_is_not_remembered_and_imports_once_fixed(cli, ok, base, tmp_path):
    path = write_csv(
        tmp_path / "inv.csv", "发票号,客户,开票日期,金额\nA-1,HZJX,2026-09-01,100\nA-2,BJHX,2026-09-02,200\n"
    )
    refused(cli("invoice", "import", path), f"error: {path}:3: 客户: no customer matches 'BJHX'")
    ok("customer", "add", "BJHX", "北京华信科技股份有限公司")
    assert ok("invoice", "import", path) == f"{path}: 2 rows, 2 invoices added, 0 already present\n"


def test_the_same_file_twice_adds_nothing(ok, base, tmp_path, dump):
    path = write_csv(
        tmp_path / "inv.csv", "发票号,客户,开票日期,金额\nA-1,HZJX,2026-09-01,100\nA-2,SHXY,2026-09-02,200\n"
    )
    assert ok("invoice", "import", path) == f"{path}: 2 rows, 2 invoices added, 0 already present\n"
    before, rows = dump(), counts(ok)
    again = ok("invoice", "import", path)
    assert re.fullmatch(
        rf"{re.escape(path)}: already imported on \d{{4}}-\d\d-\d\d \d\d:\d\d:\d\d UTC; nothing added\n", again
    )
    assert dump() == before
    assert counts(ok) == rows and rows["invoices"] == 2 and rows["imports"] == 1


def test_a_copy_under_another_name_is_recognised(ok, base, tmp_path):
    text = "发票号,客户,开票日期,金额\nA-1,HZJX,2026-09-01,100\n"
    ok("invoice", "import", write_csv(tmp_path / "one.csv", text))
    assert "already imported" in ok("invoice", "import", write_csv(tmp_path / "copy.csv", text))


def test_an_overlapping_file_adds_only_the_new_rows(ok, base, tmp_path):
    head = "发票号,客户,开票日期,金额\n"
    old = "A-1,HZJX,2026-09-01,100\nA-2,SHXY,2026-09-02,200\n"
    ok("invoice", "import", write_csv(tmp_path / "sep.csv", head + old))
    # The next export repeats September (the amount spelled differently) and adds one row.
    path = write_csv(tmp_path / "oct.csv", head + old.replace(",100\n", ",100.00\n") + "A-3,HZJX,2026-10-01,300\n")
    assert ok("invoice", "import", path) == f"{path}: 3 rows, 1 invoices added, 2 already present\n"
    assert sorted(invoice_list(ok)) == ["A-1", "A-2", "A-3"]
    assert counts(ok)["imports"] == 2


@pytest.mark.parametrize(
    "row",
    [
        "A-1,HZJX,2026-09-01,150",  # other amount
        "A-1,HZJX,2026-09-02,100",  # other date
        "A-1,SHXY,2026-09-01,100",  # other customer
        "a-1,HZJX,2026-09-01,150",  # number in another case is the same invoice
    ],
)
def test_a_row_contradicting_the_ledger_refuses_the_file(cli, ok, base, tmp_path, dump, row):
    ok(
        "invoice",
        "import",
        write_csv(tmp_path / "first.csv", "发票号,客户,开票日期,金额\nA-1,HZJX,2026-09-01,100\n"),
    )
    before = dump()
    path = write_csv(tmp_path / "second.csv", f"发票号,客户,开票日期,金额\nA-0,HZJX,2026-08-01,5\n{row}\n")
    refused(
        cli("invoice", "import", path),
        f"error: {path}:3: 发票号: invoice A-1 is already in the ledger with other content",
    )
    assert dump() == before


def test_a_duplicate_row_inside_one_file_is_skipped_or_refused(cli, ok, base, tmp_path, dump):
    head = "number,customer,issue_date,amount\n"
    same = write_csv(tmp_path / "same.csv", head + "D-1,HZJX,2026-09-01,1\nD-1,HZJX,2026-09-01,1\n")
    assert ok("invoice", "import", same) == f"{same}: 2 rows, 1 invoices added, 1 already present\n"
    before = dump()
    other = write_csv(tmp_path / "other.csv", head + "D-2,HZJX,2026-09-01,1\nD-2,HZJX,2026-09-01,2\n")
    refused(cli("invoice", "import", other), f"error: {other}:3: number: invoice D-2 is already in the ledger")
    assert dump() == before


def test_customer_rows_already_present_are_skipped_and_contradictions_refused(cli, ok, base, tmp_path, dump):
    path = write_csv(tmp_path / "c.csv", "客户编码,客户名称\nhzjx,杭州精细机械有限公司\nNEW1,新客户\n")
    assert ok("customer", "import", path) == f"{path}: 2 rows, 1 customers added, 1 already present\n"
    before = dump()
    bad = write_csv(tmp_path / "c2.csv", "客户编码,客户名称\nSHXY,上海新远\n")
    refused(
        cli("customer", "import", bad), f"error: {bad}:2: 客户名称: customer SHXY exists as '上海新远贸易有限公司'"
    )
    assert dump() == before


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("C1,甲,abc,,", ":2: 信用额度: 'abc' is not an amount"),
        ("C1,甲,12.345,,", ":2: 信用额度: '12.345' has more than 2 decimal"),
        ("C1,甲,,fr,", ":2: 语言: 'fr' is not one of: zh, en"),
        ("C1,甲,,,net thirty", ":2: 账期: cannot read 'net thirty'"),
        ("C 1,甲,,,", ":2: 客户编码: 'C 1': use 1-32 letters"),
    ],
)
def test_customer_row_errors_name_the_column(cli, tmp_path, dump, row, message):
    path = write_csv(tmp_path / "c.csv", f"客户编码,客户名称,信用额度,语言,账期\n{row}\n")
    before = dump()
    refused(cli("customer", "import", path), f"error: {path}{message}")
    assert dump() == before


def test_an_alias_owned_by_another_customer_refuses_the_import(cli, ok, base, tmp_path, dump):
    ok("customer", "edit", "HZJX", "--add-alias", "杭州精细")
    before = dump()
    path = write_csv(tmp_path / "c.csv", "code,name,aliases\nX1,某公司,杭州精细\n")
    refused(cli("customer", "import", path), f"error: {path}:2: alias '杭州精细' already belongs to customer HZJX")
    assert dump() == before


# ---------------------------------------------------------------- unreadable files


def test_bytes_in_no_known_encoding_are_refused(cli, base, tmp_path, dump):
    path = tmp_path / "junk.csv"
    path.write_bytes(bytes([0x80, 0xFF, 0xFE, 0x81, 0xFF, 0x00, 0x00, 0xFF]) * 10)
    before = dump()
    refused(cli("invoice", "import", str(path)), f"error: {path}:1: cannot tell the character encoding",
            "hint: pass --encoding")  # fmt: skip
    assert dump() == before


def test_bytes_after_a_utf16_bom_that_do_not_decode_are_refused(cli, base, tmp_path, dump):
    path = tmp_path / "junk.csv"
    path.write_bytes(b"\xff\xfe\x00\x81\x30\xff\xff\x00\xfe")
    before = dump()
    refused(cli("invoice", "import", str(path)), f"error: {path}")
    assert dump() == before


def test_a_file_mixing_utf8_and_gbk_is_refused_not_garbled(cli, ok, tmp_path, dump):
    path = tmp_path / "mixed.csv"
    path.write_bytes("code,name\nHZJX,杭州精细机械有限公司\n".encode() + "BJHX,北京华信\n".encode("gbk"))
    before = dump()
    result = cli("customer", "import", str(path))
    if result.exit_code == 0:  # accepting it is only fine if no name was garbled
        assert ok("customer", "show", "HZJX").startswith("HZJX  杭州精细机械有限公司\n")
    else:
        refused(result, f"error: {path}")
        assert dump() == before


def test_a_real_utf16_file_is_read(ok, base, tmp_path):
    path = write_csv(tmp_path / "u16.csv", "发票号,客户,开票日期,金额\nW-1,HZJX,2026-09-01,9\n", "utf-16")
    ok("invoice", "import", path)
    assert invoice_list(ok) == {"W-1": ("HZJX", "2026-09-01", "9.00", "net45")}


@pytest.mark.parametrize("content", [b"", b"\n\n  \n", b"\xef\xbb\xbf", b",,,\n,,\n"])
def test_an_empty_file_is_refused(cli, tmp_path, dump, content):
    path = tmp_path / "empty.csv"
    path.write_bytes(content)
    before = dump()
    refused(cli("customer", "import", str(path)), f"error: {path}: the file is empty (no header row)")
    assert dump() == before


def test_a_header_only_file_imports_zero_rows(ok, tmp_path):
    path = write_csv(tmp_path / "h.csv", "code,name\n")
    assert ok("customer", "import", path) == f"{path}: 0 rows, 0 customers added, 0 already present\n"
    assert counts(ok)["customers"] == 0


def test_a_missing_file_is_refused(cli, tmp_path, dump):
    before = dump()
    missing = tmp_path / "nope.csv"
    for kind in ("customer", "invoice", "payment", "milestone"):
        refused(cli(kind, "import", str(missing)), f"error: {missing}: no such file")
    refused(cli("customer", "import", str(tmp_path)), f"error: {tmp_path}: no such file")
    assert dump() == before


def test_bad_workbooks_are_refused(cli, tmp_path, dump):
    before = dump()
    fake = tmp_path / "fake.xlsx"
    fake.write_text("code,name\nA,B\n")
    refused(cli("customer", "import", str(fake)), f"error: {fake}: not an XLSX workbook (bad zip)")
    real = write_xlsx(tmp_path / "real.xlsx", [["code", "name"], ["A", "甲"]], sheet="客户")
    refused(
        cli("customer", "import", real, "--sheet", "Sheet9"), f"error: {real}: no sheet 'Sheet9' (sheets: 客户)"
    )
    assert dump() == before


# ---------------------------------------------------------------- payments


@pytest.fixture
def owed(ok: Callable[..., str], base: None, seed) -> None:  # type: ignore[no-untyped-def]
    def build() -> None:
        ok("invoice", "add", "HZJX", "INV-1", "1000", "--date", "2026-08-01")
        ok("invoice", "add", "HZJX", "INV-2", "500", "--date", "2026-09-01")
        ok("invoice", "add", "SHXY", "INV-3", "300", "--date", "2026-09-01")

    seed("owed", build)


PAYMENTS = (
    "收款日期,客户,金额,流水号,对方户名,收款方式,核销\n"
    '2026-10-10,HZJX,"1,200.00",HX001,杭州精细机械有限公司,转账,\n'
    "2026-10-11,SHXY,100,HX002,,支票,INV-3\n"
    "2026-10-12,HZJX,50,HX003,,,none\n"
)


def test_payments_import_applies_and_reimport_of_overlap_skips(ok, owed, tmp_path):
    path = write_csv(tmp_path / "bank.csv", PAYMENTS)
    assert ok("payment", "import", path) == f"{path}: 3 rows, 3 payments added, 0 already present\n"
    balance = {(r["invoice"], r["seq"]): r["open"] for r in rows_of(ok, "balance", "HZJX")}
    assert balance == {("INV-2", 1): "300.00"}  # oldest first: INV-1 in full, 200 of INV-2
    assert [r["open"] for r in rows_of(ok, "balance", "SHXY")] == ["200.00"]
    payments = {r["reference"]: (r["amount"], r["unapplied"], r["method"]) for r in rows_of(ok, "payment", "list")}
    assert payments == {"HX001": ("1200.00", "0.00", "bank_transfer"), "HX002": ("100.00", "0.00", "cheque"),
                        "HX003": ("50.00", "50.00", "bank_transfer")}  # fmt: skip
    more = write_csv(tmp_path / "bank2.csv", PAYMENTS + "2026-10-13,SHXY,200,HX004,,,\n")
    assert ok("payment", "import", more) == f"{more}: 4 rows, 1 payments added, 3 already present\n"
    assert rows_of(ok, "balance", "SHXY") == []


def test_overlapping_payments_without_reference_are_not_added_twice(ok, owed, tmp_path):
    rows = "date,customer,amount\n2026-10-10,SHXY,100\n2026-10-11,SHXY,50\n"
    ok("payment", "import", write_csv(tmp_path / "p1.csv", rows))
    path = write_csv(tmp_path / "p2.csv", rows + "2026-10-12,SHXY,25\n")
    assert ok("payment", "import", path) == f"{path}: 3 rows, 1 payments added, 2 already present\n"
    assert counts(ok)["payments"] == 3


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("2026-10-10,HZJX,abc,R1", ":3: 金额: 'abc' is not an amount"),
        ("2026-10-10,NOPE,10,R1", ":3: 客户: no customer matches 'NOPE'"),
        ("10/10/2026,HZJX,10,R1", ":3: 收款日期: '10/10/2026' is not a date"),
        ("2026-10-10,HZJX,,R1", ":3: 金额: is empty"),
    ],
)
def test_a_bad_payment_row_refuses_the_file(cli, ok, owed, tmp_path, dump, row, message):
    path = write_csv(tmp_path / "bank.csv", f"收款日期,客户,金额,流水号\n2026-10-09,SHXY,10,R0\n{row}\n")
    before = dump()
    refused(cli("payment", "import", path), f"error: {path}{message}")
    assert dump() == before


# ---------------------------------------------------------------- milestones


@pytest.fixture
def project(ok: Callable[..., str], base: None, seed) -> None:  # type: ignore[no-untyped-def]
    seed(
        "project",
        lambda: ok(
            "invoice",
            "add",
            "HZJX",
            "P-1",
            "100000.01",
            "--date",
            "2026-08-01",
            "--terms",
            "30% on signing, 40% delivery+30d, 25% acceptance+90d, 5% retention+365d",
        ),
    )


def test_milestones_import_fixes_due_dates(ok, project, tmp_path):
    path = write_xlsx(tmp_path / "节点.xlsx", [["发票号", "事件", "日期"], ["P-1", "delivery", dt.datetime(2026, 9, 1)],
                                              ["p-1", "验收", "2026-10-15"]])  # fmt: skip
    assert ok("milestone", "import", path) == f"{path}: 2 rows, 2 milestones added, 0 already present\n"
    assert [(r["seq"], r["due"]) for r in rows_of(ok, "balance", "HZJX")] == [
        (1, "2026-08-01"), (2, "2026-10-01"), (3, "2027-01-13"), (4, "2027-10-15"),
    ]  # fmt: skip
    assert "already imported" in ok("milestone", "import", path)


def test_milestones_overlap_is_skipped(ok, project, tmp_path):
    ok("milestone", "import", write_csv(tmp_path / "m1.csv", "invoice,event,date\nP-1,delivery,2026-09-01\n"))
    path = write_csv(
        tmp_path / "m2.csv", "invoice,event,date\nP-1,delivery,2026-09-01\nP-1,acceptance,2026-10-15\n"
    )
    assert ok("milestone", "import", path) == f"{path}: 2 rows, 1 milestones added, 1 already present\n"


def test_milestones_overlap_with_chinese_event_names_is_counted_as_present(ok, project, tmp_path):
    ok("milestone", "import", write_csv(tmp_path / "m1.csv", "发票号,事件,日期\nP-1,验收,2026-10-15\n"))
    path = write_csv(tmp_path / "m2.csv", "发票号,节点,日期\nP-1,验收,2026-10-15\n")
    assert ok("milestone", "import", path) == f"{path}: 1 rows, 0 milestones added, 1 already present\n"


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("P-1,delivery,2026-09-05", ":3: 日期: delivery of P-1 is recorded on 2026-09-01"),
        (
            "P-1,go-live,2026-09-05",
            ":3: 事件: invoice P-1 waits for no 'go-live' event (it waits for: acceptance, delivery)",
        ),
        ("P-1,acceptance,2026-07-01", ":3: 日期: acceptance on 2026-07-01 is before the invoice date 2026-08-01"),
        ("P-9,acceptance,2026-10-01", ":3: 发票号: no invoice 'P-9'"),
        ("P-1,acceptance,", ":3: 日期: is empty"),
    ],
)
def test_a_bad_milestone_row_refuses_the_file(cli, ok, project, tmp_path, dump, row, message):
    ok("milestone", "record", "P-1", "delivery", "--on", "2026-09-01")
    before = dump()
    path = write_csv(tmp_path / "m.csv", f"发票号,事件,日期\nP-1,delivery,2026-09-01\n{row}\n")
    refused(cli("milestone", "import", path), f"error: {path}{message}")
    assert dump() == before
