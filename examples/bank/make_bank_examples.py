#!/usr/bin/env python3
"""Write the example bank files that settle part of the demo ledger (as of 2026-10-31).

Run ``python examples/bank/make_bank_examples.py``; it rewrites the files next to it:

* ``icbc-2026-10.csv`` — an ICBC (工商银行) debit-card export, GBK, preamble, padded cells with
  trailing tabs: an invoice number in the memo, an exact amount, a payer under a variant of its name
  (有限公司 for 有限责任公司), one transfer paying two invoices, a partial payment, a payment out, and
  an unknown private payer.
* ``camt053-2026-10-30.xml`` — an ISO 20022 CAMT.053 statement of the USD account: a reference in
  structured remittance, a payment short by bank charges, balances that add up.
* ``mt940-2026-10-29.sta`` — a SWIFT MT940 statement of the CNY account with :86: sub-fields.
* ``ofx-2026-10-28.ofx`` — an OFX 1.02 (SGML) statement of a second CNY account.
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).parent

ICBC_ROWS = [
    # 交易日期, 摘要, 收入, 支出, 余额, 对方户名, 对方账户, 交易详情
    (
        "2026-10-26",
        "转账",
        "8,849.97",
        "",
        "1,208,849.97",
        "广州明远贸易有限公司",
        "6222020200112233445",
        "货款 INV-2026-0039",
    ),
    ("2026-10-27", "转账", "23,442.05", "", "1,232,292.02", "广州明远贸易有限公司", "6222020200112233445", "货款"),
    (
        "2026-10-27",
        "代发",
        "",
        "1,234.00",
        "1,231,058.02",
        "国网浙江省电力有限公司",
        "1202020209000012345",
        "电费",
    ),
    (
        "2026-10-28",
        "转账",
        "41,294.95",
        "",
        "1,272,352.97",
        "上海星云科技有限公司",
        "31001500000050012345",
        "付款",
    ),
    (
        "2026-10-29",
        "转账",
        "311,419.55",
        "",
        "1,583,772.52",
        "重庆长运汽车零部件有限公司",
        "50001083600050200001",
        "还款",
    ),
    (
        "2026-10-30",
        "转账",
        "100,000.00",
        "",
        "1,683,772.52",
        "山东齐鲁重工集团有限公司",
        "37001616808050001234",
        "INV-2025-0034 部分付款",
    ),
    ("2026-10-30", "转账", "500.00", "", "1,684,272.52", "张三", "6217000010001234567", "个人转账"),
]


def icbc() -> None:
    header = ["交易日期", "摘要", "交易场所", "交易国家或地区简称", "钞/汇", "交易金额(收入)", "交易金额(支出)",
              "交易币种", "记账金额(收入)", "记账金额(支出)", "记账币种", "余额", "对方户名", "交易详情", "对方账户"]  # fmt: skip
    lines = ["明细查询文件下载", "卡号: 1202021109000888888", "子账户类别: 活期", "币种: 人民币",
             "起始日期: 2026-10-26  终止日期: 2026-10-31", ""]  # fmt: skip
    lines.append(",".join(header))
    for day, summary, income, out, balance, name, account, detail in ICBC_ROWS:
        cells = [day, summary, "网上银行", "CHN", "钞", income, out, "人民币", income, out, "人民币", balance, name,
                 detail, account]  # fmt: skip
        lines.append(",".join(f'"{c}    \t"' if "," in c else f"{c}    \t" for c in cells))
    lines += ["", "人民币合计: 收入 485,506.52  支出 1,234.00"]
    (HERE / "icbc-2026-10.csv").write_bytes(("\r\n".join(lines) + "\r\n").encode("gbk"))


CAMT = """<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">
  <BkToCstmrStmt>
    <GrpHdr><MsgId>HZCNC-USD-20261030</MsgId><CreDtTm>2026-10-30T18:00:00+08:00</CreDtTm></GrpHdr>
    <Stmt>
      <Id>USD-2026-10-30</Id>
      <ElctrncSeqNb>210</ElctrncSeqNb>
      <CreDtTm>2026-10-30T18:00:00+08:00</CreDtTm>
      <Acct><Id><Othr><Id>571908888800011</Id></Othr></Id><Ccy>USD</Ccy></Acct>
      <Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="USD">120000.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-10-30</Dt></Dt></Bal>
      <Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="USD">163795.94</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-10-30</Dt></Dt></Bal>
      <Ntry>
        <Amt Ccy="USD">14861.38</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>
        <BookgDt><Dt>2026-10-30</Dt></BookgDt><ValDt><Dt>2026-10-30</Dt></ValDt>
        <AcctSvcrRef>ICBCZJ20261030000117</AcctSvcrRef>
        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>XBCT</SubFmlyCd></Fmly></Domn></BkTxCd>
        <NtryDtls><TxDtls>
          <Refs><AcctSvcrRef>ICBCZJ20261030000117</AcctSvcrRef><EndToEndId>NORD-PAY-88121</EndToEndId></Refs>
          <Amt Ccy="USD">14861.38</Amt><CdtDbtInd>CRDT</CdtDbtInd>
          <RltdPties><Dbtr><Pty><Nm>Nordic Polar Automation AB</Nm></Pty></Dbtr>
            <DbtrAcct><Id><IBAN>SE4550000000058398257466</IBAN></Id></DbtrAcct></RltdPties>
          <RmtInf><Strd><RfrdDocInf><Nb>INV-2026-0035</Nb></RfrdDocInf></Strd></RmtInf>
        </TxDtls></NtryDtls>
      </Ntry>
      <Ntry>
        <Amt Ccy="USD">28934.56</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>
        <BookgDt><Dt>2026-10-30</Dt></BookgDt><ValDt><Dt>2026-10-30</Dt></ValDt>
        <AcctSvcrRef>ICBCZJ20261030000152</AcctSvcrRef>
        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>XBCT</SubFmlyCd></Fmly></Domn></BkTxCd>
        <NtryDtls><TxDtls>
          <Refs><AcctSvcrRef>ICBCZJ20261030000152</AcctSvcrRef><EndToEndId>NOTPROVIDED</EndToEndId></Refs>
          <Amt Ccy="USD">28934.56</Amt><CdtDbtInd>CRDT</CdtDbtInd>
          <RltdPties><Dbtr><Nm>PACIFIC TRADE LIMITED</Nm></Dbtr></RltdPties>
          <RmtInf><Ustrd>PAYMENT INV-2025-0026 LESS CHARGES</Ustrd></RmtInf>
        </TxDtls></NtryDtls>
      </Ntry>
    </Stmt>
  </BkToCstmrStmt>
</Document>
"""

MT940 = """{1:F01ICBKCNBJAXXX0000000000}{2:O9401700261029ICBKCNBJAXXX00000000002610291700N}{4:
:20:STMT20261029
:25:1202021109000777777
:28C:301/1
:60F:C261028CNY2000000,00
:61:2610291029C219121,45NTRFICBC20261029A881//HX2026102900881
:86:166?00TRANSFER?20INV-2026-0044?30ICBKCNBJ?31320506661018010012345
?32Bright Star Electronics (Suzh?33ou) Co., Ltd.
:61:2610291029D3000,00NCHGNONREF
:86:805?00CHARGES?20ACCOUNT MAINTENANCE FEE
:62F:C261029CNY2216121,45
-}
"""

OFX = """OFXHEADER:100
DATA:OFXSGML
VERSION:102
SECURITY:NONE
ENCODING:USASCII
CHARSET:1252
COMPRESSION:NONE
OLDFILEUID:NONE
NEWFILEUID:NONE

<OFX>
<SIGNONMSGSRSV1><SONRS><STATUS><CODE>0<SEVERITY>INFO</STATUS><DTSERVER>20261028180000<LANGUAGE>ENG</SONRS></SIGNONMSGSRSV1>
<BANKMSGSRSV1><STMTTRNRS><TRNUID>1<STATUS><CODE>0<SEVERITY>INFO</STATUS>
<STMTRS><CURDEF>CNY
<BANKACCTFROM><BANKID>308331012345<ACCTID>571900000000333<ACCTTYPE>CHECKING</BANKACCTFROM>
<BANKTRANLIST><DTSTART>20261028<DTEND>20261028
<STMTTRN><TRNTYPE>CREDIT<DTPOSTED>20261028103000<TRNAMT>26238.06<FITID>CMB20261028000451<NAME>KESTREL COMPONENTS LTD<MEMO>INV-2026-0036</STMTTRN>
<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20261028150000<TRNAMT>-88.00<FITID>CMB20261028000452<NAME>BANK CHARGE<MEMO>SMS FEE</STMTTRN>
</BANKTRANLIST>
<LEDGERBAL><BALAMT>526150.06<DTASOF>20261028180000</LEDGERBAL>
</STMTRS></STMTTRNRS></BANKMSGSRSV1>
</OFX>
"""


def main() -> None:
    icbc()
    (HERE / "camt053-2026-10-30.xml").write_text(CAMT, encoding="utf-8")
    (HERE / "mt940-2026-10-29.sta").write_text(MT940.replace("\n", "\r\n"), encoding="ascii")
    (HERE / "ofx-2026-10-28.ofx").write_text(OFX.replace("\n", "\r\n"), encoding="ascii")


if __name__ == "__main__":
    main()
