"""Write the Chinese bank / Alipay / WeChat sample exports beside this script.

    python tests/data/bank/cn/make_samples.py

Every file is invented (no real customer data) but follows the layouts of real exports described in
shared/bank-formats.md: preambles, padded cells with trailing tabs, GBK, footers, split/signed/flagged
amounts. The output is deterministic (fixed workbook timestamps), so regenerating changes nothing unless
this script changes. The .xls sample is a genuine BIFF8 workbook in an OLE2 compound file, written by the
small writer at the bottom (xlwt is unmaintained and not a dependency); LibreOffice and xlrd both open it.
"""

from __future__ import annotations

import csv
import io
import math
import re
import struct
import zipfile
from datetime import date, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent

JINGGONG = "杭州精工机械有限公司"
HUATONG = "上海华通电子(集团)有限公司"
TENGDA = "深圳市腾达物流有限责任公司"


def csv_text(rows: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow(row)
    return out.getvalue()


OUT = HERE


def write(name: str, data: bytes) -> None:
    (OUT / name).write_bytes(data)


def pad(value: str, width: int = 0) -> str:
    """ICBC style: the value, spaces up to a width, then a tab."""
    return value.ljust(width) + "\t"


# --- ICBC -------------------------------------------------------------------------------------------

ICBC_HEADER_V1 = [
    "交易日期", "摘要", "交易场所", "交易国家或地区简称", "钞/汇", "交易金额(收入)", "交易金额(支出)", "交易币种",
    "记账金额(收入)", "记账金额(支出)", "记账币种", "余额", "对方户名",
]  # fmt: skip


def icbc_rows() -> list[list[str]]:
    # date, 摘要, 场所, in, out, balance, payer
    data = [
        ("2026-08-03", "汇入 货款 INV-2026-0042", "网上银行", "128,000.00", "", "1,356,200.50", JINGGONG),
        ("2026-08-05", "跨行汇款 运费", "手机银行", "", "3,500.00", "1,352,700.50", TENGDA),
        ("2026-08-12", "汇入 HT-2026-007 首付款", "网上银行", "45,600.00", "", "1,398,300.50", HUATONG),
        ("2026-08-18", "转账 INV-2026-0051", "手机银行", "2,000.00", "", "1,400,300.50", "王建国"),
        ("2026-08-18", "转账 INV-2026-0051", "手机银行", "2,000.00", "", "1,402,300.50", "王建国"),
        ("2026-08-21", "结息", "", "12.34", "", "1,402,312.84", ""),
    ]
    rows = []
    for day, memo, place, cash_in, cash_out, balance, payer in data:
        rows.append([
            pad(day, 12), pad(memo, 24), pad(place, 10), pad("CHN", 4), pad("钞", 2), pad(cash_in, 14),
            pad(cash_out, 14), pad("人民币", 6), pad(cash_in, 14), pad(cash_out, 14), pad("人民币", 6),
            pad(balance, 16), pad(payer, 24),
        ])  # fmt: skip
    return rows


def make_icbc() -> None:
    preamble = [["明细查询文件下载"], ["卡号: 6222021202001234567"], ["子账户类别: 活期"], ["子账户序号: 00000"],
                ["起始日期: 2026-08-01    终止日期: 2026-08-31"], []]  # fmt: skip
    text = csv_text([*preamble, ICBC_HEADER_V1, *icbc_rows()])
    write("icbc_debit_gbk.csv", text.encode("gbk"))

    header_v2 = [*ICBC_HEADER_V1[:2], "交易详情", *ICBC_HEADER_V1[2:], "对方账户"]
    rows = [
        ["2026-09-01", "汇入", "货款 INV-2026-0077 杭州精工", "网上银行", "CHN", "钞", "5,800.00", "", "人民币",
         "5,800.00", "", "人民币", "205,800.00", JINGGONG, "1202020309900012345"],
        ["2026-09-02", "消费", "财付通-美团", "", "CHN", "钞", "", "35.50", "人民币", "", "35.50", "人民币",
         "205,764.50", "财付通支付科技有限公司", ""],
        ["2026-09-03", "汇入", "", "手机银行", "HKG", "汇", "1,000.00", "", "港币", "1,000.00", "", "港币",
         "1,000.00", "李秀英", "6217000010012345678"],
    ]  # fmt: skip
    text = csv_text([["明细查询文件下载"], ["卡号: 6222021202007654321"], ["子账户类别: 活期"],
                     ["子账户序号: 00000"], ["起始日期: 2026-09-01    终止日期: 2026-09-30"], [], header_v2, *rows])  # fmt: skip
    write("icbc_debit_v2_bom.csv", b"\xef\xbb\xbf" + text.encode("utf-8"))


# --- CCB --------------------------------------------------------------------------------------------

CCB_HEADER = [
    "记账日",
    "交易日期",
    "交易时间",
    "支出",
    "收入",
    "账户余额",
    "币种",
    "摘要",
    "对方账号",
    "对方户名",
    "交易地点",
]
CCB_PREAMBLE = [
    ["中国建设银行个人活期账户交易明细"],
    ["账号:", "6217001230001234567"],
    ["户名:", "王建国"],
    ["开户机构:", "中国建设银行杭州西湖支行"],
    ["币种:", "人民币"],
]
CCB_DATA = [
    ("20260804", "20260803", "21:14:05", "", "18,500.00", "86,500.00", "跨行转入 INV-2026-0043", "33050161622700001234", JINGGONG, "网上银行"),
    ("20260806", "20260806", "09:01:44", "1,200.00", "", "85,300.00", "转账支出", "6222021202001234567", "李秀英", "手机银行"),
    ("20260811", "20260811", "15:30:00", "", "9,999.99", "95,299.99", "转账存入 HT-2026-007", "44201500000052501234", TENGDA, "网上银行"),
    ("20260820", "20260820", "02:00:00", "", "0.35", "95,300.34", "利息存入", "", "", ""),
]  # fmt: skip


def make_ccb() -> None:
    rows = [[a, b, c, d, e, f, "人民币", g, h, i, j] for a, b, c, d, e, f, g, h, i, j in CCB_DATA]
    footer = [["合计", "", "", "1,200.00", "28,500.34", "", "", "", "", "", ""],
              ["以上数据仅供参考，具体以账户的实际交易为准。"]]  # fmt: skip
    write("ccb_gbk.csv", csv_text([*CCB_PREAMBLE, CCB_HEADER, *rows, *footer]).encode("gbk"))

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "交易明细"
    for row in CCB_PREAMBLE:
        ws.append(row)
    ws.append(CCB_HEADER)
    for booked, day, at, out, cash_in, balance, memo, account, payer, place in CCB_DATA:
        ws.append([
            datetime.strptime(booked, "%Y%m%d"), day, at, number(out), number(cash_in), number(balance), "人民币",
            memo, account or None, payer or None, place or None,
        ])  # fmt: skip
        ws.cell(ws.max_row, 1).number_format = "yyyy-mm-dd"
    save_xlsx(wb, "ccb.xlsx")

    legacy = [
        ["序号", "摘要", "币别", "钞汇", "交易日期", "交易金额", "账户余额", "交易地点/附言", "对方账号与户名"],
        ["1", "转账存入", "人民币", "钞", "20260702", "+10000.00", "60,000.00", "货款 INV-2026-0031",
         "6217001234567890123/" + JINGGONG],
        ["2", "转账支出", "人民币", "钞", "20260703", "-1,000.00", "59,000.00", "房租", "李秀英 6222021202001112223"],
        ["3", "利息", "人民币", "钞", "20260721", "+3.21", "59,003.21", "", ""],
    ]  # fmt: skip
    write(
        "ccb_legacy.csv",
        csv_text([["中国建设银行个人活期账户全部交易明细"], ["账号:6217001230007654321"], *legacy]).encode(
            "utf-8"
        ),
    )


def number(text: str) -> float | None:
    return float(text.replace(",", "")) if text else None


def save_xlsx(wb: object, name: str) -> None:
    """openpyxl's output with fixed timestamps, so regenerating gives the same bytes."""
    fixed = datetime(2026, 9, 1, 8, 0, 0)
    wb.properties.created = fixed  # type: ignore[attr-defined]
    wb.properties.modified = fixed  # type: ignore[attr-defined]
    raw = io.BytesIO()
    wb.save(raw)  # type: ignore[attr-defined]
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps the save time here
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2026-09-01T08:00:00Z", data)
            dst.writestr(zipfile.ZipInfo(info.filename, date_time=(2026, 9, 1, 8, 0, 0)), data,
                         compress_type=zipfile.ZIP_DEFLATED)  # fmt: skip
    write(name, out.getvalue())


# --- BOC, CMB, BOCOM, SPDB ----------------------------------------------------------------------------

BOC_HEADER = ["记账日期", "记账时间", "币别", "金额", "余额", "交易名称", "渠道", "网点名称", "附言", "对方账户名",
              "对方卡号/账号", "对方开户行", "借记卡号"]  # fmt: skip
BOC_ROWS = [
    ["2026/08/06", "10:21:33", "人民币", "45,600.00", "145,600.00", "转账汇款", "网上银行", "", "HT-2026-007 第二期",
     HUATONG, "31001234500050012345", "中国建设银行上海分行", "6216610000012345678"],
    ["2026/08/09", "16:02:10", "人民币", "-800.00", "144,800.00", "网上快捷支付", "银联", "", "", "支付宝（中国）网络技术有限公司",
     "", "", "6216610000012345678"],
    ["2026/08/15", "11:45:00", "人民币", "3,260.00", "148,060.00", "转账汇款", "手机银行", "", "INV-2026-0044 货款",
     "张伟", "6228480012345678901", "中国农业银行", "6216610000012345678"],
    ["2026/08/16", "08:30:12", "人民币", "1.00", "148,061.00", "转账汇款", "手机银行", "", "", "李秀英",
     "6217000010012345678", "中国建设银行", "6216610000012345678"],
    ["2026/08/17", "08:30:12", "人民币", "2.00", "148,063.00", "转账汇款", "手机银行", "", "", "李秀英",
     "6217000010012345678", "中国建设银行", "6216610000012345678"],
]  # fmt: skip


def make_boc() -> None:
    preamble = [["中国银行交易流水明细单"], ["借记卡号：6216610000012345678"], ["客户姓名：王建国"],
                ["起止日期：2026/08/01-2026/08/31"], []]  # fmt: skip
    write("boc.csv", csv_text([*preamble, BOC_HEADER, *BOC_ROWS]).encode("gbk"))
    # the same file with an impossible date in the middle (line 9)
    bad = [list(r) for r in BOC_ROWS]
    bad[2][0] = "2026/08/32"
    write("boc_bad_date.csv", csv_text([*preamble, BOC_HEADER, *bad]).encode("gbk"))


CMB_HEADER = ["记账日期", "货币", "交易金额", "联机余额", "交易摘要", "对手信息", "客户摘要"]
CMB_ROWS = [
    ["2026-08-07", "人民币", "12,000.00", "62,000.00", "转账汇入", HUATONG + " 31001234500050012345", "HT-2026-007 尾款"],
    ["2026-08-08", "人民币", "-56.80", "61,943.20", "银联快捷支付", "财付通支付科技有限公司", ""],
    ["2026-08-10", "人民币", "7,350.00", "69,293.20", "转账汇入", JINGGONG + " 1202020309900012345", "INV-2026-0045"],
    ["2026-08-13", "人民币", "-2,000.00", "67,293.20", "转账汇款", "王建国 6222021202001234567", "借款"],
    ["2026-08-19", "人民币", "980.00", "68,273.20", "转账汇入", "李秀英 6217000010012345678", "INV-2026-0052"],
]  # fmt: skip


def make_cmb() -> None:
    preamble = [["# 招商银行交易记录"], ["# 导出时间: [2026-09-01 08:12:30]"], ["# 卡号: [6214830212345678]"],
                ["# 交易类型: [全部]"], ["# 起始日期: [20260801]    终止日期: [20260831]"]]  # fmt: skip
    write("cmb.csv", csv_text([*preamble, CMB_HEADER, *CMB_ROWS]).encode("utf-8"))
    garbled = [list(r) for r in CMB_ROWS]
    garbled[2][2] = "7,35O.00"  # a letter O: line 9 of the file
    write("cmb_garbled_amount.csv", csv_text([*preamble, CMB_HEADER, *garbled]).encode("utf-8"))


def make_bocom() -> None:
    header = [
        "序号",
        "交易日期",
        "交易时间",
        "交易类型",
        "借贷",
        "交易金额",
        "余额",
        "对方账号",
        "对方户名",
        "交易地点",
        "摘要",
    ]
    rows = [
        ["1", "2026-08-11", "10:00:01", "转账", "贷 Cr", "6,600.00", "16,600.00", "33050161622700001234", JINGGONG,
         "网上银行", "INV-2026-0046"],
        ["2", "2026-08-12", "14:22:19", "消费", "借 Dr", "128.00", "16,472.00", "", "杭州联华超市", "POS", "消费"],
    ]  # fmt: skip
    write(
        "bocom.csv",
        csv_text([["交通银行账户交易明细"], ["账号: 6222600910012345678"], [], header, *rows]).encode("gbk"),
    )


def make_spdb() -> None:
    header = [
        "顺序号",
        "交易日期",
        "交易类型",
        "存入金额",
        "取出金额",
        "余额",
        "交易对手名称",
        "交易对手账号",
        "附言",
    ]
    rows = [
        ["1", "20260814", "转账", "15,000.00", "", "115,000.00", TENGDA, "44201500000052501234", "INV-2026-0047"],
        ["2", "20260815", "代发", "", "4,200.00", "110,800.00", "张伟", "6228480012345678901", "报销"],
    ]  # fmt: skip
    write(
        "spdb.csv",
        csv_text([["上海浦东发展银行账户明细"], ["账号：6217920100012345"], header, *rows]).encode("gbk"),
    )


# --- corporate 对公 -----------------------------------------------------------------------------------

CORP_HEADER = [
    "交易日期",
    "交易时间",
    "交易流水号",
    "摘要",
    "对方户名",
    "对方账号",
    "借方发生额",
    "贷方发生额",
    "余额",
    "用途",
]
CORP_ROWS = [
    ["2026-08-03", "09:15:02", "FT2026080300012", "汇入汇款", JINGGONG, "1202020309900012345", "", "50,000.00",
     "1,250,000.00", "INV-2026-0042 货款"],
    ["2026-08-04", "14:40:51", "FT2026080400007", "转账支出", TENGDA, "44201500000052501234", "8,800.00", "",
     "1,241,200.00", "运费 8月"],
    ["2026-08-10", "10:05:33", "FT2026081000021", "汇入汇款", HUATONG, "31001234500050012345", "", "120,000.00",
     "1,361,200.00", "HT-2026-007 合同款"],
    ["2026-08-10", "10:05:34", "FT2026081000022", "汇入汇款", HUATONG, "31001234500050012345", "", "120,000.00",
     "1,481,200.00", "HT-2026-007 合同款"],
    ["2026-08-28", "16:00:00", "FT2026082800003", "手续费", "", "", "15.00", "0.00", "1,481,185.00", "汇款手续费"],
]  # fmt: skip


def corporate_text(rows: list[list[str]], footer: bool) -> str:
    preamble = [["账号：33001616270059001234"], ["户名：杭州精工机械有限公司"], ["币种：人民币"],
                ["查询期间：2026-08-01 至 2026-08-31"]]  # fmt: skip
    tail = [["合计", "", "", "", "", "", "8,815.00", "290,000.00", "", ""], ["共5笔"]] if footer else []
    return csv_text([*preamble, CORP_HEADER, *rows, *tail])


def make_corporate() -> None:
    write("corporate_gbk.csv", corporate_text(CORP_ROWS, footer=True).encode("gbk"))
    # cut in the middle of the last row, as an interrupted download leaves it
    data = corporate_text(CORP_ROWS, footer=False).encode("gbk")
    cut = data.rindex(b"FT2026082800003") + len(b"FT2026082800003,")
    write("corporate_truncated.csv", data[:cut])
    # UTF-8 up to line 7, then a row whose payer was pasted in GBK
    good = corporate_text(CORP_ROWS[:2], footer=False).encode("utf-8")
    bad = csv_text([CORP_ROWS[2]]).encode("gbk")
    write("corporate_mixed_encoding.csv", good + bad)


# --- Alipay, WeChat -----------------------------------------------------------------------------------

ALIPAY_HEADER = ["交易时间", "交易分类", "交易对方", "对方账号", "商品说明", "收/支", "金额", "收/付款方式", "交易状态",
                 "交易订单号", "商家订单号", "备注", ""]  # fmt: skip


def make_alipay() -> None:
    preamble = [
        "------------------------------------------------------------------------------------",
        "导出信息：",
        "姓名：王建国",
        "支付宝账户：wjg***@163.com",
        "起始时间：[2026-08-01 00:00:00]    终止时间：[2026-08-31 23:59:59]",
        "导出交易类型：[全部]",
        "导出时间：[2026-09-01 10:12:45]",
        "共7笔记录",
        "收入：2笔 3260.00元",
        "支出：1笔 38.50元",
        "不计收支：2笔 500.00元",
        "",
        "特别提示：",
        "1.本回单内容可表明支付宝受理了相关交易申请，不代表交易已经成功，请以交易状态为准；",
        "2.本回单不作为收款方发货依据，请收款方登录支付宝核实资金到账情况；",
        "3.本回单如经任何涂改、编造，均立即失去效力；",
        "4.部分账单如：充值提现、账户转存或者个人设置收支等不计入为收入或者支出，记为不计收支类；",
        "5.因统计逻辑不同，明细金额直接累加后，可能会和下方统计金额不一致，请以实际交易金额为准；",
        "6.禁止将本回单用于非法用途；",
        "7.本明细仅展示当前账单中的交易，不包括已删除的记录；",
        "8.本明细仅供个人对账使用。",
        "",
        "----------------------支付宝（中国）网络技术有限公司  电子客户回单----------------------",
    ]

    def row(at, cls, party, account, item, way, amount, method, status, order, merchant="", note=""):
        cells = [at, cls, party, account, item, way, amount, method, status, order + "\t", merchant + "\t", note]
        return [c.ljust(8) if i in (1, 5, 8) else c for i, c in enumerate(cells)] + [""]

    rows = [
        row("2026-08-03 10:15:22", "转账红包", JINGGONG, "jggj***@163.com", "货款 INV-2026-0042", "收入", "3000.00",
            "", "交易成功", "2026080322001412345678901234"),
        row("2026-08-04 19:40:08", "交通出行", "滴滴出行", "did***@didiglobal.com", "快车 杭州", "支出", "38.50",
            "余额宝", "交易成功", "2026080422001498765432109876", "T2026080419400800001"),
        row("2026-08-05 12:00:00", "转账红包", "李秀英", "138******21", "INV-2026-0060", "收入", "260.00", "",
            "交易关闭", "2026080522001400000000000001"),
        row("2026-08-06 08:12:44", "退款", "杭州联华超市", "lh***@hz.com", "退款-日用品", "不计收支", "50.00", "余额",
            "退款成功", "2026080622001400000000000002", "", "退款"),
        row("2026-08-07 00:05:00", "投资理财", "余额宝", "", "余额宝-转出到余额", "不计收支", "450.00", "余额宝",
            "交易成功", "20260807200040011100000000000003"),
        row("2026-08-08 16:20:31", "转账红包", "李秀英", "138******21", "INV-2026-0060", "收入", "260.00", "",
            "交易成功", "2026080822001400000000000004", "", "补付"),
        row("2026-08-09 09:00:00", "日用百货", "杭州联华超市", "lh***@hz.com", "日用品", "支出", "350.00", "花呗",
            "交易关闭", "2026080922001400000000000005"),
    ]  # fmt: skip
    text = csv_text([[line] if line else [] for line in preamble] + [ALIPAY_HEADER, *rows])
    write("alipay_gbk.csv", text.encode("gbk"))


WECHAT_HEADER = [
    "交易时间",
    "交易类型",
    "交易对方",
    "商品",
    "收/支",
    "金额(元)",
    "支付方式",
    "当前状态",
    "交易单号",
    "商户单号",
    "备注",
]
WECHAT_ROWS = [
    ("2026-08-04 09:12:45", "二维码收款", "王建国", "/", "收入", "1000.00", "/", "已收钱",
     "100003990126080400012345678901234", "/", "INV-2026-0048"),
    ("2026-08-04 12:30:02", "商户消费", "美团", "美团订单-外卖", "支出", "35.00", "零钱", "支付成功",
     "4200001234202608041234567890", "20260804123002000001", "/"),
    ("2026-08-05 18:01:10", "转账", "李秀英", "转账备注:INV-2026-0061", "收入", "200.00", "/", "已存入零钱",
     "1000050001202608051234567890123", "/", "/"),
    ("2026-08-06 10:00:00", "零钱提现", "招商银行(1234)", "/", "/", "200.00", "零钱", "提现已到账",
     "1000050001202608061234567890124", "/", "服务费¥0.20"),
    ("2026-08-07 11:11:11", "经营收款", HUATONG, "收款-HT-2026-007", "收入", "28.16", "/", "已收钱",
     "100003990126080700012345678905555", "/", "服务费¥0.10"),
    ("2026-08-08 13:00:00", "美团-退款", "美团", "/", "收入", "35.00", "零钱", "已全额退款",
     "50300001234202608081234567890", "/", "/"),
]  # fmt: skip


def make_wechat() -> None:
    preamble = [
        "微信支付账单明细", "微信昵称：[精工小店]", "起始时间：[2026-08-01 00:00:00] 终止时间：[2026-08-31 23:59:59]",
        "导出类型：[全部]", "导出时间：[2026-09-01 09:30:12]", "", "共6笔记录", "收入：4笔 1263.16元", "支出：1笔 35.00元",
        "中性交易：1笔 200.00元", "注：", "1. 充值/提现/理财通购买/零钱通存取/信用卡还款等交易，将计入中性交易",
        "2. 本明细仅展示当前账单中的交易，不包括已删除的记录", "3. 本明细仅供个人对账使用", "",
        "----------------------微信支付账单明细列表--------------------",
    ]  # fmt: skip
    assert len(preamble) == 16
    width = len(WECHAT_HEADER)
    lines = [[p] + [""] * (width - 1) for p in preamble]
    rows = [[*r[:5], "¥" + r[5], *r[6:8], r[8] + "\t", r[9] + "\t", r[10]] for r in WECHAT_ROWS]
    write("wechat.csv", csv_text([*lines, WECHAT_HEADER, *rows]).encode("utf-8"))

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "微信支付账单"
    for p in preamble[:15]:
        ws.append([p] if p else [None])
    ws.append([None])  # row 16 blank
    ws.append([preamble[15]])  # row 17
    ws.append(WECHAT_HEADER)  # row 18
    for i, r in enumerate(WECHAT_ROWS):
        at = datetime.strptime(r[0], "%Y-%m-%d %H:%M:%S") if i % 2 == 0 else r[0]
        ws.append([at, *r[1:5], float(r[5]), *r[6:8], r[8] + "\t", r[9], r[10]])
    save_xlsx(wb, "wechat.xlsx")


# --- ABC .xls (BIFF8) -----------------------------------------------------------------------------------

ABC_HEADER = [
    "交易日期",
    "交易时间",
    "交易摘要",
    "交易金额",
    "本次余额",
    "对手信息",
    "日志号",
    "交易渠道",
    "交易附言",
]
ABC_ROWS: list[list[object]] = [
    ["20260808", "091533", "转账", 5600.0, 25600.0, TENGDA + " 44201500000052501234", 512345678.0, "网上银行",
     "INV-2026-0049"],
    [date(2026, 8, 9), "140211", "消费", -88.5, 25511.5, "杭州联华超市", "A0809-0001", "POS", ""],
    ["20260812", "100000", "转账", 1234.56, 26746.06, "6228480012345678901/张伟", 512349999.0, "手机银行",
     "INV-2026-0053 尾款"],
]  # fmt: skip


def make_abc() -> None:
    rows: list[list[object]] = [["中国农业银行账户明细"], ["账户：6228480010012345678"], ["户名：张伟"], [],
                                ABC_HEADER, *ABC_ROWS]  # fmt: skip
    write("abc.xls", xls_workbook("账户明细", rows))


def _record(kind: int, data: bytes) -> bytes:
    return struct.pack("<HH", kind, len(data)) + data


def _biff_string(text: str, length_bytes: int) -> bytes:
    encoded = text.encode("utf-16-le")
    size = struct.pack("<H" if length_bytes == 2 else "<B", len(text))
    return size + b"\x01" + encoded  # flags 0x01: uncompressed UTF-16LE


def xls_workbook(sheet_name: str, rows: list[list[object]]) -> bytes:
    """A one-sheet BIFF8 workbook: strings as LABEL, numbers as NUMBER, dates as NUMBER with a date XF."""
    bof = struct.pack("<HHHHII", 0x0600, 0x0005, 0x0DBB, 0x07CC, 0, 0x06)
    xf = []
    for fmt in (0, 14, 4):  # General, the built-in date format, #,##0.00
        xf.append(_record(0x00E0, struct.pack("<HHHBBBBIIH", 0, fmt, 0x0001, 0x20, 0, 0, 0, 0, 0, 0x20C0)))
    globals_head = b"".join([
        _record(0x0809, bof), _record(0x0042, struct.pack("<H", 1200)), _record(0x0022, struct.pack("<H", 0)),
        *xf,
    ])  # fmt: skip
    name = _biff_string(sheet_name, 1)
    boundsheet_size = 4 + 6 + len(name)
    eof = _record(0x000A, b"")
    sheet_offset = len(globals_head) + boundsheet_size + len(eof)
    globals_all = globals_head + _record(0x0085, struct.pack("<IBB", sheet_offset, 0, 0) + name) + eof

    cells = []
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, str):
                if value:
                    cells.append(_record(0x0204, struct.pack("<HHH", r, c, 0) + _biff_string(value, 2)))
            elif isinstance(value, date):
                serial = float((value - date(1899, 12, 30)).days)
                cells.append(_record(0x0203, struct.pack("<HHHd", r, c, 1, serial)))
            elif isinstance(value, float):
                cells.append(_record(0x0203, struct.pack("<HHHd", r, c, 2, value)))
    columns = max(len(row) for row in rows)
    sheet = b"".join([
        _record(0x0809, struct.pack("<HHHHII", 0x0600, 0x0010, 0x0DBB, 0x07CC, 0, 0x06)),
        _record(0x0200, struct.pack("<IIHHH", 0, len(rows), 0, columns, 0)),
        *cells,
        eof,
    ])  # fmt: skip
    return compound_file(globals_all + sheet)


END_OF_CHAIN, FAT_SECTOR, FREE, NO_STREAM = 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF, 0xFFFFFFFF


def compound_file(stream: bytes) -> bytes:
    """An OLE2 compound file (version 3, 512-byte sectors) holding one stream named Workbook.

    The stream is padded to 4096 bytes so that it lives in regular sectors (no mini stream needed)."""
    stream = stream.ljust(4096, b"\0")
    sectors = math.ceil(len(stream) / 512)
    body = stream.ljust(sectors * 512, b"\0")
    fat_sid, dir_sid = sectors, sectors + 1
    fat = [*range(1, sectors), END_OF_CHAIN, FAT_SECTOR, END_OF_CHAIN]
    fat += [FREE] * (128 - len(fat))
    header = (
        bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 16
        + struct.pack("<HHHHH", 0x003E, 0x0003, 0xFFFE, 9, 6) + b"\0" * 6
        + struct.pack("<IIIIIIIII", 0, 1, dir_sid, 0, 4096, END_OF_CHAIN, 0, END_OF_CHAIN, 0)
        + struct.pack("<109I", fat_sid, *([FREE] * 108))
    )  # fmt: skip

    def entry(name: str, kind: int, child: int, start: int, size: int) -> bytes:
        encoded = (name.encode("utf-16-le") + b"\0\0") if name else b""
        return (
            encoded.ljust(64, b"\0")
            + struct.pack("<HBBIII", len(encoded), kind, 1, NO_STREAM, NO_STREAM, child)
            + b"\0" * 16 + b"\0" * 4 + b"\0" * 16
            + struct.pack("<III", start, size, 0)
        )  # fmt: skip

    directory = (
        entry("Root Entry", 5, 1, END_OF_CHAIN, 0)
        + entry("Workbook", 2, NO_STREAM, 0, len(stream))
        + entry("", 0, NO_STREAM, 0, 0) * 2
    )
    return header + body + struct.pack("<128I", *fat) + directory


# --- a user profile (Hong Kong bank, DD/MM/YYYY, HKD) ----------------------------------------------------

HK_PROFILE = """\
# A user profile: a Hong Kong bank's business account CSV (dates day first, amounts in HKD).
name = "hkbank"
description = "Hong Kong business account CSV (DD/MM/YYYY, HKD)"
default_currency = "HKD"
date_formats = ["%d/%m/%Y"]
signature = ["Deposit", "Withdrawal", "Transaction Ref"]
account_labels = ["Account Number"]

[columns]
date = ["Transaction Date", "Date"]
credit = "Deposit"
debit = "Withdrawal"
balance = "Balance"
payer_name = "Counterparty"
memo = ["Description", "Remarks"]
bank_ref = "Transaction Ref"
"""

BROKEN_PROFILE = """\
name = "brokenbank"
default_currency = "HKD"

[columns]
date = "Date"
ammount = "Amount"
"""


def make_user_profile() -> None:
    write("hkbank.toml", HK_PROFILE.encode("utf-8"))
    rows = [
        ["Account Number: 024-123456-001"],
        ["Statement Period: 01/08/2026 - 31/08/2026"],
        [],
        ["Transaction Date", "Description", "Deposit", "Withdrawal", "Balance", "Counterparty", "Remarks",
         "Transaction Ref"],
        ["05/08/2026", "FPS credit", "8,800.00", "", "108,800.00", "KOWLOON TRADING LTD", "INV-2026-0050",
         "FPS2026080500011"],
        ["13/08/2026", "Cheque", "", "1,500.50", "107,299.50", "", "CHQ 000123", "CHQ2026081300002"],
        ["31/08/2026", "Interest", "3.10", "", "107,302.60", "", "", "INT2026083100001"],
    ]  # fmt: skip
    write("hkbank.csv", csv_text(rows).encode("utf-8"))
    write("broken_profile.toml", BROKEN_PROFILE.encode("utf-8"))


def main(out: Path = HERE) -> None:
    """Write every sample into `out` (the tests regenerate them into a temp dir and compare)."""
    global OUT
    OUT = out
    make_icbc()
    make_ccb()
    make_boc()
    make_cmb()
    make_bocom()
    make_spdb()
    make_corporate()
    make_alipay()
    make_wechat()
    make_abc()
    make_user_profile()


if __name__ == "__main__":
    main()
