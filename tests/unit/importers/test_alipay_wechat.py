"""Alipay (支付宝, GBK CSV) and WeChat Pay (微信支付, UTF-8 CSV and XLSX) bills: preambles, signs from 收/支,
which lines are counted, ids kept as exact text."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from arctl.domain.errors import InvalidInput
from arctl.importers.bank import alipay, wechat
from arctl.importers.bank.base import Statement

DATA = Path(__file__).resolve().parents[2] / "data" / "bank" / "cn"
HUATONG = "上海华通电子(集团)有限公司"


def only(statements: list[Statement]) -> Statement:
    assert len(statements) == 1, statements
    return statements[0]


def rows(statement: Statement) -> list[tuple[object, ...]]:
    return [
        (x.line, x.booked_on, x.amount_minor, x.payer_name, x.payer_account, x.memo, x.bank_ref, x.counted, x.kind)
        for x in statement.lines
    ]


# --- Alipay --------------------------------------------------------------------------------------------


def test_alipay_gbk_bill_with_full_preamble() -> None:
    st = only(alipay.READER.extract(DATA / "alipay_gbk.csv"))
    assert (st.format, st.account, st.currency, st.encoding) == ("alipay", "wjg***@163.com", "CNY", "gb18030")
    assert rows(st) == [
        (25, date(2026, 8, 3), 300_000, "杭州精工机械有限公司", "jggj***@163.com", "货款 INV-2026-0042",
         "2026080322001412345678901234", True, "转账红包"),
        (26, date(2026, 8, 4), -3_850, "滴滴出行", "did***@didiglobal.com", "快车 杭州",
         "2026080422001498765432109876", True, "交通出行"),
        (27, date(2026, 8, 5), 26_000, "李秀英", "138******21", "INV-2026-0060",
         "2026080522001400000000000001", False, "转账红包"),
        (28, date(2026, 8, 6), 5_000, "杭州联华超市", "lh***@hz.com", "退款-日用品 | 退款",
         "2026080622001400000000000002", False, "退款"),
        (29, date(2026, 8, 7), 45_000, "余额宝", "", "余额宝-转出到余额",
         "20260807200040011100000000000003", False, "投资理财"),
        (30, date(2026, 8, 8), 26_000, "李秀英", "138******21", "INV-2026-0060 | 补付",
         "2026080822001400000000000004", True, "转账红包"),
        (31, date(2026, 8, 9), -35_000, "杭州联华超市", "lh***@hz.com", "日用品",
         "2026080922001400000000000005", False, "日用百货"),
    ]  # fmt: skip
    assert st.notes == ("4 line(s) not counted (not cash movements, or not completed)",)


def test_alipay_only_income_with_trade_success_is_counted_money_in() -> None:
    st = only(alipay.READER.extract(DATA / "alipay_gbk.csv"))
    counted_in = [x.amount_minor for x in st.lines if x.counted and x.amount_minor > 0]
    assert counted_in == [300_000, 26_000]


def test_alipay_header_is_on_line_24_after_the_preamble() -> None:
    lines = (DATA / "alipay_gbk.csv").read_bytes().decode("gbk").splitlines()
    assert lines[23].startswith("交易时间,交易分类,交易对方") and lines[23].endswith(",")
    assert "支付宝（中国）网络技术有限公司  电子客户回单" in lines[22]


def test_alipay_unknown_direction_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "alipay.csv"
    text = (DATA / "alipay_gbk.csv").read_bytes().decode("gbk")
    path.write_bytes(re.sub(r"收入 *,3000\.00", "其他,3000.00", text, count=1).encode("gbk"))
    with pytest.raises(InvalidInput) as caught:
        alipay.READER.extract(path)
    assert str(caught.value).startswith(f"{path}:25: 收/支: '其他' is not a direction")


def test_alipay_bill_forced_as_utf8_is_refused() -> None:
    with pytest.raises(InvalidInput, match=r"alipay_gbk\.csv:2: not valid utf-8"):
        alipay.READER.extract(DATA / "alipay_gbk.csv", encoding="utf-8")


# --- WeChat --------------------------------------------------------------------------------------------

WECHAT_LINES = [
    (date(2026, 8, 4), 100_000, "王建国", "", "INV-2026-0048", "100003990126080400012345678901234", True, "二维码收款"),
    (date(2026, 8, 4), -3_500, "美团", "", "美团订单-外卖", "4200001234202608041234567890", True, "商户消费"),
    (date(2026, 8, 5), 20_000, "李秀英", "", "转账备注:INV-2026-0061", "1000050001202608051234567890123", True,
     "转账"),
    (date(2026, 8, 6), 20_000, "招商银行(1234)", "", "服务费¥0.20", "1000050001202608061234567890124", False,
     "零钱提现"),
    (date(2026, 8, 7), 2_816, HUATONG, "", "收款-HT-2026-007 | 服务费¥0.10", "100003990126080700012345678905555",
     True, "经营收款"),
    (date(2026, 8, 8), 3_500, "美团", "", "", "50300001234202608081234567890", False, "美团-退款"),
]  # fmt: skip


def test_wechat_csv_header_on_line_17_yen_amounts_and_neutral_lines() -> None:
    st = only(wechat.READER.extract(DATA / "wechat.csv"))
    assert (st.format, st.account, st.encoding) == ("wechat", "精工小店", "utf-8")
    assert rows(st) == [(18 + i, *line) for i, line in enumerate(WECHAT_LINES)]
    assert (DATA / "wechat.csv").read_text(encoding="utf-8").splitlines()[16].startswith("交易时间,交易类型")


def test_wechat_xlsx_header_on_row_18_numeric_amounts() -> None:
    st = only(wechat.READER.extract(DATA / "wechat.xlsx"))
    assert (st.format, st.account, st.encoding) == ("wechat", "精工小店", "xlsx")
    assert rows(st) == [(19 + i, *line) for i, line in enumerate(WECHAT_LINES)]


def test_wechat_transaction_ids_stored_as_numbers_are_refused(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    wb = load_workbook(DATA / "wechat.xlsx")
    ws = wb.active
    ws.cell(19, 9).value = 4.2000012342026084e27  # what Excel does to a 28-digit id typed as a number
    path = tmp_path / "wechat.xlsx"
    wb.save(path)
    with pytest.raises(InvalidInput) as caught:
        wechat.READER.extract(path)
    assert str(caught.value).startswith(f"{path}:19: 交易单号: ")
    assert "too long to be exact" in str(caught.value)


def test_wechat_negative_amount_beside_the_direction_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "wechat.csv"
    path.write_text((DATA / "wechat.csv").read_text(encoding="utf-8").replace("¥35.00", "¥-35.00", 1), "utf-8")
    with pytest.raises(InvalidInput, match=r":19: 金额\(元\): negative amount beside a direction column"):
        wechat.READER.extract(path)
