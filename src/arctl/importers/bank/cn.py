"""Built-in profiles of Chinese bank exports: each bank is one declarative `Profile` (see profile.py).

Headers are those seen in real exports (shared/bank-formats.md). Where a bank has had two header versions
the profile lists both spellings; the first candidate found in the file wins (记账日期 before 交易日期,
记账金额 before 交易金额). `signature` is what tells the banks apart in `identify`.

Combined counterparty columns (CCB 对方账号与户名, CMB and ABC 对手信息) are split by
`profile.split_party`: a run of 6+ digits (masks allowed) at either end is the account, the rest the name;
without such a run the whole cell is the name. No bank documents the layout, so nothing else is guessed.
"""

from __future__ import annotations

from arctl.importers.bank.profile import Profile, ProfileReader

ICBC = Profile(
    name="icbc",
    description="中国工商银行 借记卡账户明细 (CSV/XLS; v1 and v2 headers)",
    date=("交易日期",),
    credit=("记账金额(收入)", "交易金额(收入)"),
    debit=("记账金额(支出)", "交易金额(支出)"),
    currency=("记账币种", "交易币种"),
    balance=("余额",),
    payer_name=("对方户名",),
    payer_account=("对方账户", "对方账号"),
    memo=("摘要", "交易详情"),
    signature=(("交易场所", "交易国家或地区简称"),),
    account_labels=("卡号", "账号"),
)

CCB = Profile(
    name="ccb",
    description="中国建设银行 活期账户交易明细 (CSV/XLS/XLSX; current header, and the older one with 对方账号与户名)",
    date=("记账日", "交易日期"),
    time=("交易时间",),
    credit=("收入",),
    debit=("支出",),
    amount=("交易金额",),
    currency=("币种", "币别"),
    balance=("账户余额",),
    payer_name=("对方户名",),
    payer_account=("对方账号",),
    payer=("对方账号与户名",),
    memo=("摘要", "交易地点/附言", "交易地点"),
    signature=(("记账日", "账户余额"), ("对方账号与户名", "账户余额")),
    account_labels=("账号", "卡号"),
)

BOC = Profile(
    name="boc",
    description="中国银行 交易流水明细单 (CSV/XLS)",
    date=("记账日期",),
    time=("记账时间",),
    amount=("金额",),
    currency=("币别",),
    balance=("余额",),
    payer_name=("对方账户名",),
    payer_account=("对方卡号/账号",),
    memo=("附言",),
    kind=("交易名称",),
    signature=(("记账日期", "记账时间", "交易名称", "对方账户名"),),
    account_labels=("借记卡号", "卡号", "账号"),
)

CMB = Profile(
    name="cmb",
    description="招商银行 交易流水 (CSV/XLSX; 对手信息 = name and account)",
    date=("记账日期",),
    amount=("交易金额",),
    currency=("货币",),
    balance=("联机余额",),
    payer=("对手信息",),
    memo=("交易摘要", "客户摘要"),
    signature=(("联机余额", "对手信息"),),
    account_labels=("账号", "卡号"),
)

ABC = Profile(
    name="abc",
    description="中国农业银行 账户明细 (XLS/CSV; 日志号 is the bank's line id)",
    date=("交易日期",),
    time=("交易时间",),
    amount=("交易金额",),
    balance=("本次余额",),
    payer=("对手信息",),
    memo=("交易摘要", "交易附言"),
    bank_ref=("日志号",),
    signature=(("本次余额", "日志号"),),
    account_labels=("账户", "账号", "卡号"),
)

BOCOM = Profile(
    name="bocom",
    description="交通银行 交易明细 (CSV/XLS; unsigned amount with a 借贷 flag)",
    date=("交易日期",),
    time=("交易时间",),
    amount=("交易金额",),
    direction=("借贷",),
    direction_in=("贷", "贷 Cr", "Cr"),
    direction_out=("借", "借 Dr", "Dr"),
    balance=("余额",),
    payer_name=("对方户名",),
    payer_account=("对方账号",),
    memo=("摘要",),
    signature=(("借贷", "对方户名"),),
    account_labels=("账号", "卡号"),
)

SPDB = Profile(
    name="spdb",
    description="上海浦东发展银行 账户明细 (CSV/XLS)",
    date=("交易日期",),
    credit=("存入金额",),
    debit=("取出金额",),
    balance=("余额",),
    payer_name=("交易对手名称",),
    payer_account=("交易对手账号",),
    memo=("附言",),
    kind=("交易类型",),
    signature=(("存入金额", "取出金额", "交易对手名称"),),
    account_labels=("账号", "卡号"),
)

CORPORATE = Profile(
    name="corporate",
    description="对公账户明细, any bank (借方发生额/贷方发生额: 贷方 = money in)",
    date=("交易日期", "记账日期"),
    time=("交易时间",),
    credit=("贷方发生额", "贷方金额"),
    debit=("借方发生额", "借方金额"),
    currency=("币种",),
    balance=("余额", "账户余额"),
    payer_name=("对方户名", "对方账户名称", "对方单位名称"),
    payer_account=("对方账号",),
    memo=("摘要", "用途", "附言"),
    bank_ref=("交易流水号", "流水号"),
    signature=(("借方发生额", "贷方发生额"), ("借方金额", "贷方金额")),
    account_labels=("账号", "账户"),
)

PROFILES: tuple[Profile, ...] = (ICBC, CCB, BOC, CMB, ABC, BOCOM, SPDB, CORPORATE)
READERS: tuple[ProfileReader, ...] = tuple(ProfileReader(p) for p in PROFILES)
