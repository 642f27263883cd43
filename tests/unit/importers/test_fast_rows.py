"""The per-layout row reader of CSV imports (`profile._text_row_reader`) reads every row exactly as the
general `_line` does: whenever it returns a line, `_line` returns the same line; whatever it cannot read, it
raises, and the import reads that row with `_line` (which names the row and column)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arctl.importers.bank import alipay, cn
from arctl.importers.bank.profile import Profile, _header_fields, _layout, _line, _Row, _text_row_reader

BOOKED = date(2026, 8, 1)
INVERTED_WITH_STATUS = Profile(
    name="test-inverted", date=("日期",), amount=("金额",), currency=("币种",), status=("状态",),
    status_not_counted=("已退款",), payer=("对方",), memo=("用途", "备注"),
    bank_ref=("流水号",), kind=("类型",), sign="inverted", time=("时间",),
)  # fmt: skip

PROFILES = {
    "icbc": (cn.ICBC, ["交易日期", "摘要", "交易场所", "交易国家或地区简称", "钞/汇", "交易金额(收入)", "交易金额(支出)",
                       "交易币种", "记账金额(收入)", "记账金额(支出)", "记账币种", "余额", "对方户名", "交易详情", "对方账户"]),
    "ccb": (cn.CCB, ["记账日", "交易时间", "收入", "支出", "账户余额", "币种", "摘要", "对方账号与户名", "交易地点/附言"]),
    "bocom": (cn.BOCOM, ["交易日期", "交易时间", "交易金额", "借贷", "余额", "对方户名", "对方账号", "摘要"]),
    "alipay": (alipay.READER.profile, ["交易时间", "交易分类", "交易对方", "对方账号", "商品说明", "收/支", "金额",
                                       "收/付款方式", "交易状态", "交易订单号", "商家订单号", "备注"]),
    "inverted": (INVERTED_WITH_STATUS, ["日期", "时间", "金额", "币种", "状态", "对方", "用途", "备注", "流水号", "类型"]),
}  # fmt: skip

AMOUNTS = ["", " ", "-", "--", "/", "0.00", "1,234.56", "1234.56", "-88.10", "¥28.16", "RMB 12.00", "１２.３０",
           "(1,000.00)", "12.3", "1,23.45", "abc", "10000000000000.00", "28.160", '="15.00"']  # fmt: skip
TEXTS = ["", " ", "-", "/", "人民币", "RMB", "USD", "美元", "XYZ", "贷", "借", "Cr", "收入", "支出", "不计收支", "其他",
         "成功", "已入账", "已退款", "交易成功", "交易关闭", "杭州精工机械有限公司", "6222 0200 1111 2222 杭州精工",
         "发票INV-2026-000123", "\ufeff货款\t", '="2026080112345"', "14:03:11", "25:00", "140311", "  张三  "]  # fmt: skip


AMOUNT_HEADERS = {"交易金额(收入)", "交易金额(支出)", "记账金额(收入)", "记账金额(支出)", "余额", "收入", "支出", "账户余额",
                  "交易金额", "金额"}  # fmt: skip


POOLS = [
    (AMOUNT_HEADERS, AMOUNTS),
    ({"币种", "交易币种", "记账币种"}, ["", "-", "人民币", "RMB", "USD", "美元", "XYZ"]),
    ({"时间", "交易时间"}, ["", "14:03:11", "140311", "25:00", "9:05"]),
    ({"状态", "交易状态"}, ["", "成功", "已入账", "已退款", "交易成功", "交易关闭", "其他"]),
    ({"借贷", "收/支"}, ["", "贷", "借", "Cr", "收入", "支出", "不计收支", "其他"]),
]


@st.composite
def rows(draw: st.DrawFn) -> tuple[str, list[str]]:
    """Mostly cells of the right kind for their column (amounts under amount headers), so that most rows
    are readable and the two readers are compared on what they return, not only on what they refuse."""
    which = draw(st.sampled_from(sorted(PROFILES)))
    cells = []
    for head in PROFILES[which][1]:
        pool = next((values for heads, values in POOLS if head in heads), TEXTS)
        usual = st.sampled_from(pool)
        cells.append(draw(usual | st.text(max_size=6) if draw(st.integers(0, 9)) == 0 else usual))
    cut = draw(st.integers(0, 6))
    return which, cells[: len(cells) - cut] if draw(st.integers(0, 7)) == 0 else cells


@settings(max_examples=1500, deadline=None)
@given(rows())
def test_the_fast_reader_reads_rows_as_line_does(row: tuple[str, list[str]]) -> None:
    which, cells = row
    profile, header = PROFILES[which]
    columns = _header_fields(profile, header)
    assert columns is not None
    layout = _layout(profile, "f.csv", 1, header, columns)
    try:
        fast = _text_row_reader(profile, layout)(cells, 7, BOOKED)
    except Exception:
        return  # the import reads this row with _line, which raises or reads it
    assert _line(profile, _Row("f.csv", 7, layout, list(cells)), BOOKED) == fast


@pytest.mark.parametrize("which", sorted(PROFILES))
def test_typical_rows_take_the_fast_reader(which: str) -> None:
    profile, header = PROFILES[which]
    layout = _layout(profile, "f.csv", 1, header, _header_fields(profile, header))  # type: ignore[arg-type]
    cells = ["1,234.56" if h in ("交易金额(收入)", "记账金额(收入)", "收入", "交易金额", "金额", "余额", "账户余额") else
             "交易成功" if h == "交易状态" else "成功" if h == "状态" else "收入" if h == "收/支" else "贷" if h == "借贷"
             else "" if h in ("交易金额(支出)", "记账金额(支出)", "支出", "时间", "交易时间") else "人民币" if "币" in h
             else f"{h} 值" for h in header]  # fmt: skip
    line = _text_row_reader(profile, layout)(cells, 7, BOOKED)
    assert line == _line(profile, _Row("f.csv", 7, layout, list(cells)), BOOKED)
    assert abs(line.amount_minor) == 123456
