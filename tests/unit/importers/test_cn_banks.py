"""Chinese bank exports (importers/bank/cn.py): exact records from each sample, header and footer handling,
identify() choosing exactly one built-in reader, and errors located as FILE:ROW: COLUMN."""

from __future__ import annotations

import importlib.util
from datetime import date
from pathlib import Path

import pytest

from arctl.domain.errors import InvalidInput
from arctl.importers.bank import alipay, cn, wechat
from arctl.importers.bank.base import BankLine, Statement
from arctl.importers.bank.profile import ProfileReader, read_head

DATA = Path(__file__).resolve().parents[2] / "data" / "bank" / "cn"
BUILT_IN = (*cn.READERS, alipay.READER, wechat.READER)
READER = {r.name: r for r in BUILT_IN}

JINGGONG = "杭州精工机械有限公司"
HUATONG = "上海华通电子(集团)有限公司"
TENGDA = "深圳市腾达物流有限责任公司"


def rows(statement: Statement) -> list[tuple[object, ...]]:
    """(line, date, minor, payer, account, memo, bank_ref, counted) per line."""
    return [
        (x.line, x.booked_on, x.amount_minor, x.payer_name, x.payer_account, x.memo, x.bank_ref, x.counted)
        for x in statement.lines
    ]


def extract(reader: str, name: str, **kwargs: str) -> list[Statement]:
    return READER[reader].extract(DATA / name, **kwargs)


def only(statements: list[Statement]) -> Statement:
    assert len(statements) == 1, statements
    return statements[0]


def error(reader: ProfileReader, path: Path, **kwargs: str) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        reader.extract(path, **kwargs)
    return caught.value


# --- identify -----------------------------------------------------------------------------------------

SAMPLES = {
    "icbc_debit_gbk.csv": "icbc",
    "icbc_debit_v2_bom.csv": "icbc",
    "ccb_gbk.csv": "ccb",
    "ccb.xlsx": "ccb",
    "ccb_legacy.csv": "ccb",
    "boc.csv": "boc",
    "cmb.csv": "cmb",
    "abc.xls": "abc",
    "bocom.csv": "bocom",
    "spdb.csv": "spdb",
    "corporate_gbk.csv": "corporate",
    "corporate_mixed_encoding.csv": "corporate",
    "alipay_gbk.csv": "alipay",
    "wechat.csv": "wechat",
    "wechat.xlsx": "wechat",
}


@pytest.mark.parametrize(("name", "expected"), SAMPLES.items())
def test_identify_picks_exactly_one_built_in_reader(name: str, expected: str) -> None:
    path = DATA / name
    head = read_head(path)
    assert [r.name for r in BUILT_IN if r.identify(path, head)] == [expected]


def test_identify_claims_no_foreign_file(tmp_path: Path) -> None:
    hk = DATA / "hkbank.csv"
    assert [r.name for r in BUILT_IN if r.identify(hk, read_head(hk))] == []
    junk = tmp_path / "notes.csv"
    junk.write_text("交易日期,说明\n2026-08-01,你好\n", encoding="utf-8")
    assert [r.name for r in BUILT_IN if r.identify(junk, read_head(junk))] == []
    assert not READER["icbc"].identify(tmp_path / "missing.csv", "")


def test_identify_reads_the_head_itself_when_given_none_or_mojibake() -> None:
    assert READER["ccb"].identify(DATA / "ccb_gbk.csv", "")
    mixed = DATA / "corporate_mixed_encoding.csv"
    assert READER["corporate"].identify(mixed, mixed.read_bytes()[:8192].decode("latin-1"))
    assert READER["corporate"].identify(mixed, mixed.read_bytes()[:8192].decode("gb18030", errors="replace"))


def test_every_built_in_profile_has_a_unique_name_and_a_description() -> None:
    names = [r.name for r in BUILT_IN]
    assert len(names) == len(set(names))
    assert all(r.description for r in BUILT_IN)
    assert {p.name for p in cn.PROFILES} == {"icbc", "ccb", "boc", "cmb", "abc", "bocom", "spdb", "corporate"}


# --- ICBC -----------------------------------------------------------------------------------------------


def test_icbc_gbk_with_preamble_padding_and_two_identical_transfers() -> None:
    st = only(extract("icbc", "icbc_debit_gbk.csv"))
    assert (st.format, st.account, st.currency, st.encoding) == ("icbc", "6222021202001234567", "CNY", "gb18030")
    assert rows(st) == [
        (8, date(2026, 8, 3), 12_800_000, JINGGONG, "", "汇入 货款 INV-2026-0042", "", True),
        (9, date(2026, 8, 5), -350_000, TENGDA, "", "跨行汇款 运费", "", True),
        (10, date(2026, 8, 12), 4_560_000, HUATONG, "", "汇入 HT-2026-007 首付款", "", True),
        (11, date(2026, 8, 18), 200_000, "王建国", "", "转账 INV-2026-0051", "", True),
        (12, date(2026, 8, 18), 200_000, "王建国", "", "转账 INV-2026-0051", "", True),
        (13, date(2026, 8, 21), 1_234, "", "", "结息", "", True),
    ]
    assert st.notes == ()
    assert st.opening_minor is None and st.closing_minor is None


def test_icbc_v2_utf8_bom_splits_statements_by_currency() -> None:
    cny, hkd = extract("icbc", "icbc_debit_v2_bom.csv")
    assert (cny.currency, hkd.currency, cny.encoding) == ("CNY", "HKD", "utf-8-sig")
    assert cny.account == hkd.account == "6222021202007654321"
    assert rows(cny) == [
        (
            8,
            date(2026, 9, 1),
            580_000,
            JINGGONG,
            "1202020309900012345",
            "汇入 | 货款 INV-2026-0077 杭州精工",
            "",
            True,
        ),
        (9, date(2026, 9, 2), -3_550, "财付通支付科技有限公司", "", "消费 | 财付通-美团", "", True),
    ]
    assert rows(hkd) == [(10, date(2026, 9, 3), 100_000, "李秀英", "6217000010012345678", "汇入", "", True)]


# --- CCB ------------------------------------------------------------------------------------------------

CCB_EXPECTED = [
    (
        7,
        date(2026, 8, 4),
        1_850_000,
        JINGGONG,
        "33050161622700001234",
        "跨行转入 INV-2026-0043 | 网上银行",
        "",
        True,
    ),
    (8, date(2026, 8, 6), -120_000, "李秀英", "6222021202001234567", "转账支出 | 手机银行", "", True),
    (9, date(2026, 8, 11), 999_999, TENGDA, "44201500000052501234", "转账存入 HT-2026-007 | 网上银行", "", True),
    (10, date(2026, 8, 20), 35, "", "", "利息存入", "", True),
]


def test_ccb_csv_skips_five_preamble_rows_and_the_footer() -> None:
    st = only(extract("ccb", "ccb_gbk.csv"))
    assert st.account == "6217001230001234567"
    assert rows(st) == CCB_EXPECTED
    assert st.notes == ("footer from line 11 skipped",)


def test_ccb_xlsx_gives_the_same_lines_as_the_csv() -> None:
    st = only(extract("ccb", "ccb.xlsx"))
    assert (st.encoding, st.account) == ("xlsx", "6217001230001234567")
    assert rows(st) == CCB_EXPECTED


def test_ccb_older_header_with_signed_amounts_and_combined_payer() -> None:
    st = only(extract("ccb", "ccb_legacy.csv"))
    assert st.account == "6217001230007654321"
    assert rows(st) == [
        (
            4,
            date(2026, 7, 2),
            1_000_000,
            JINGGONG,
            "6217001234567890123",
            "转账存入 | 货款 INV-2026-0031",
            "",
            True,
        ),
        (5, date(2026, 7, 3), -100_000, "李秀英", "6222021202001112223", "转账支出 | 房租", "", True),
        (6, date(2026, 7, 21), 321, "", "", "利息", "", True),
    ]


# --- BOC, CMB, ABC, BOCOM, SPDB, corporate --------------------------------------------------------------


def test_boc_title_line_slash_dates_and_signed_amounts() -> None:
    st = only(extract("boc", "boc.csv"))
    assert st.account == "6216610000012345678"
    assert rows(st) == [
        (7, date(2026, 8, 6), 4_560_000, HUATONG, "31001234500050012345", "HT-2026-007 第二期", "", True),
        (8, date(2026, 8, 9), -80_000, "支付宝（中国）网络技术有限公司", "", "", "", True),
        (9, date(2026, 8, 15), 326_000, "张伟", "6228480012345678901", "INV-2026-0044 货款", "", True),
        (10, date(2026, 8, 16), 100, "李秀英", "6217000010012345678", "", "", True),
        (11, date(2026, 8, 17), 200, "李秀英", "6217000010012345678", "", "", True),
    ]
    assert [x.kind for x in st.lines][:2] == ["转账汇款", "网上快捷支付"]


def test_cmb_counterparty_cell_is_split_into_name_and_account() -> None:
    st = only(extract("cmb", "cmb.csv"))
    assert st.account == "6214830212345678"
    assert rows(st) == [
        (7, date(2026, 8, 7), 1_200_000, HUATONG, "31001234500050012345", "转账汇入 | HT-2026-007 尾款", "", True),
        (8, date(2026, 8, 8), -5_680, "财付通支付科技有限公司", "", "银联快捷支付", "", True),
        (9, date(2026, 8, 10), 735_000, JINGGONG, "1202020309900012345", "转账汇入 | INV-2026-0045", "", True),
        (10, date(2026, 8, 13), -200_000, "王建国", "6222021202001234567", "转账汇款 | 借款", "", True),
        (11, date(2026, 8, 19), 98_000, "李秀英", "6217000010012345678", "转账汇入 | INV-2026-0052", "", True),
    ]


def test_abc_xls_biff8_with_date_cells_numbers_and_log_numbers() -> None:
    st = only(extract("abc", "abc.xls"))
    assert (st.encoding, st.account) == ("xls", "6228480010012345678")
    assert rows(st) == [
        (6, date(2026, 8, 8), 560_000, TENGDA, "44201500000052501234", "转账 | INV-2026-0049", "512345678", True),
        (7, date(2026, 8, 9), -8_850, "杭州联华超市", "", "消费", "A0809-0001", True),
        (
            8,
            date(2026, 8, 12),
            123_456,
            "张伟",
            "6228480012345678901",
            "转账 | INV-2026-0053 尾款",
            "512349999",
            True,
        ),
    ]


def test_bocom_direction_flag() -> None:
    st = only(extract("bocom", "bocom.csv"))
    assert rows(st) == [
        (5, date(2026, 8, 11), 660_000, JINGGONG, "33050161622700001234", "INV-2026-0046", "", True),
        (6, date(2026, 8, 12), -12_800, "杭州联华超市", "", "消费", "", True),
    ]


def test_spdb_split_columns() -> None:
    st = only(extract("spdb", "spdb.csv"))
    assert rows(st) == [
        (4, date(2026, 8, 14), 1_500_000, TENGDA, "44201500000052501234", "INV-2026-0047", "", True),
        (5, date(2026, 8, 15), -420_000, "张伟", "6228480012345678901", "报销", "", True),
    ]
    assert [x.kind for x in st.lines] == ["转账", "代发"]


def test_corporate_credit_column_is_money_in_and_footer_is_skipped() -> None:
    st = only(extract("corporate", "corporate_gbk.csv"))
    assert st.account == "33001616270059001234"
    assert rows(st) == [
        (6, date(2026, 8, 3), 5_000_000, JINGGONG, "1202020309900012345", "汇入汇款 | INV-2026-0042 货款",
         "FT2026080300012", True),
        (7, date(2026, 8, 4), -880_000, TENGDA, "44201500000052501234", "转账支出 | 运费 8月", "FT2026080400007", True),
        (8, date(2026, 8, 10), 12_000_000, HUATONG, "31001234500050012345", "汇入汇款 | HT-2026-007 合同款",
         "FT2026081000021", True),
        (9, date(2026, 8, 10), 12_000_000, HUATONG, "31001234500050012345", "汇入汇款 | HT-2026-007 合同款",
         "FT2026081000022", True),
        (10, date(2026, 8, 28), -1_500, "", "", "手续费 | 汇款手续费", "FT2026082800003", True),
    ]  # fmt: skip
    assert st.notes == ("footer from line 11 skipped",)


# --- bad input ------------------------------------------------------------------------------------------


def test_garbled_amount_in_row_9_names_file_row_and_column() -> None:
    path = DATA / "cmb_garbled_amount.csv"
    exc = error(READER["cmb"], path)
    assert str(exc).startswith(f"{path}:9: 交易金额: '7,35O.00' is not an amount")
    assert (exc.row, exc.field) == (9, "交易金额")


def test_bad_date_in_the_middle_is_an_error_not_a_footer() -> None:
    path = DATA / "boc_bad_date.csv"
    exc = error(READER["boc"], path)
    assert str(exc) == f"{path}:9: 记账日期: '2026/08/32' is not a valid date"


def test_dateless_row_followed_by_transactions_is_an_error(tmp_path: Path) -> None:
    text = (DATA / "cmb.csv").read_text(encoding="utf-8").splitlines()
    text.insert(8, "待定,人民币,5.00,0.00,转账汇入,张伟 6228480012345678901,")
    path = tmp_path / "cmb.csv"
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    exc = error(READER["cmb"], path)
    assert str(exc).startswith(f"{path}:9: 记账日期: '待定' is not a date")


def test_transaction_after_the_footer_is_an_error(tmp_path: Path) -> None:
    data = (DATA / "corporate_gbk.csv").read_bytes()
    data += "2026-08-30,09:00:00,FT2026083000001,汇入汇款,张伟,6228480012345678901,,1.00,1.00,补\r\n".encode("gbk")
    path = tmp_path / "corp.csv"
    path.write_bytes(data)
    exc = error(READER["corporate"], path)
    assert str(exc) == f"{path}:13: 交易日期: a transaction after the footer that starts at line 11"


def test_truncated_file_fails_at_the_cut_row() -> None:
    path = DATA / "corporate_truncated.csv"
    exc = error(READER["corporate"], path)
    assert str(exc) == f"{path}:10: 对方户名: the row has 4 of 10 columns: cut short (truncated file?)"


def test_file_cut_inside_a_quoted_cell_fails(tmp_path: Path) -> None:
    data = (DATA / "cmb.csv").read_bytes()
    cut = data.index(b'"12,000.00') + 4
    path = tmp_path / "cut.csv"
    path.write_bytes(data[:cut])
    exc = error(READER["cmb"], path)
    assert str(exc).startswith(f"{path}:7: malformed CSV")


@pytest.mark.parametrize(
    ("keep", "message"), [(1, ":6: 摘要: the row has 1 of 9"), (2, ":6: 币别: the row has 2 of 9")]
)
def test_file_cut_after_the_first_cells_of_the_last_row_fails(tmp_path: Path, keep: int, message: str) -> None:
    data = (DATA / "ccb_legacy.csv").read_bytes()
    path = tmp_path / "cut.csv"
    path.write_bytes(data[: data.rindex(b"3,") + keep])  # the last line is now "3" or "3,"
    with pytest.raises(InvalidInput, match=message):
        READER["ccb"].extract(path)


def test_gbk_file_forced_as_utf8_fails_at_the_first_bad_line() -> None:
    path = DATA / "icbc_debit_gbk.csv"
    exc = error(READER["icbc"], path, encoding="utf-8")
    assert str(exc).startswith(f"{path}:1: not valid utf-8")
    assert "--encoding" in (exc.hint or "")


def test_file_mixing_utf8_and_gbk_names_row_and_column() -> None:
    path = DATA / "corporate_mixed_encoding.csv"
    exc = error(READER["corporate"], path)
    assert str(exc) == f"{path}:8: 摘要: mixes UTF-8 with another encoding (UTF-8 up to here)"


def test_forced_encoding_error_names_the_column_when_the_header_is_known(tmp_path: Path) -> None:
    text = (DATA / "corporate_gbk.csv").read_text(encoding="gbk")
    path = tmp_path / "corp.csv"
    path.write_bytes(text.encode("utf-8").replace("上海华通".encode(), "上海华通".encode("gbk"), 1))
    exc = error(READER["corporate"], path, encoding="utf-8")
    assert (exc.row, exc.field) == (8, "对方户名")


def test_missing_direction_column_is_reported_with_the_header_row(tmp_path: Path) -> None:
    lines = (DATA / "bocom.csv").read_text(encoding="gbk").splitlines()
    path = tmp_path / "bocom.csv"
    path.write_text(
        "\n".join(line.replace(",借贷", "").replace(",贷 Cr", "").replace(",借 Dr", "") for line in lines),
        encoding="gbk",
    )
    exc = error(READER["bocom"], path)
    assert str(exc).startswith(f"{path}:4: 借贷: missing column '借贷'")


def test_wrong_reader_finds_no_header() -> None:
    path = DATA / "ccb_gbk.csv"
    exc = error(READER["icbc"], path)
    assert str(exc).startswith(f"{path}: no header row with a date column (交易日期)")


def test_amounts_on_both_sides_and_on_neither_side_are_errors(tmp_path: Path) -> None:
    base = (DATA / "spdb.csv").read_text(encoding="gbk")
    both = tmp_path / "both.csv"
    both.write_text(base.replace('"15,000.00",,', '"15,000.00",1.00,'), encoding="gbk")
    assert "amounts both in '存入金额' and in '取出金额'" in str(error(READER["spdb"], both))
    neither = tmp_path / "neither.csv"
    neither.write_text(base.replace('"15,000.00",,', ",,"), encoding="gbk")
    assert str(error(READER["spdb"], neither)).startswith(f"{neither}:4: 存入金额: no amount in")


def test_unknown_direction_value_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "bocom.csv"
    path.write_text((DATA / "bocom.csv").read_text(encoding="gbk").replace("贷 Cr", "存入"), encoding="gbk")
    exc = error(READER["bocom"], path)
    assert str(exc).startswith(f"{path}:5: 借贷: '存入' is not a direction")


def test_garbled_balance_is_an_error_too(tmp_path: Path) -> None:
    path = tmp_path / "spdb.csv"
    path.write_text(
        (DATA / "spdb.csv").read_text(encoding="gbk").replace("115,000.00", "115,0#0.00"), encoding="gbk"
    )
    assert str(error(READER["spdb"], path)).startswith(f"{path}:4: 余额: ")


def test_missing_file() -> None:
    assert str(error(READER["icbc"], DATA / "nope.csv")).endswith("nope.csv: no such file")


def test_damaged_workbooks_fail_cleanly(tmp_path: Path) -> None:
    xlsx = tmp_path / "cut.xlsx"
    xlsx.write_bytes((DATA / "ccb.xlsx").read_bytes()[:2000])
    assert "not an XLSX workbook" in str(error(READER["ccb"], xlsx))
    xls = tmp_path / "cut.xls"
    xls.write_bytes((DATA / "abc.xls").read_bytes()[:1500])
    assert "cannot open .xls workbook" in str(error(READER["abc"], xls))


# --- samples stay in sync with their generator ----------------------------------------------------------


def test_samples_regenerate_byte_for_byte(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("make_samples", DATA / "make_samples.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main(tmp_path)
    made = sorted(p.name for p in tmp_path.iterdir())
    assert made == sorted(p.name for p in DATA.iterdir() if p.name != "make_samples.py" and p.is_file())
    for name in made:
        assert (tmp_path / name).read_bytes() == (DATA / name).read_bytes(), name


def test_bank_lines_are_plain_records() -> None:
    line = only(extract("icbc", "icbc_debit_gbk.csv")).lines[0]
    assert isinstance(line, BankLine) and isinstance(line.amount_minor, int)
