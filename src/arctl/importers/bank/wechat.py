"""微信支付账单明细 (WeChat Pay bill: CSV in UTF-8, or XLSX) as a `Profile`.

CSV: 16 preamble lines, header on line 17; XLSX: header on row 18, numeric amounts. Header
`交易时间,交易类型,交易对方,商品,收/支,金额(元),支付方式,当前状态,交易单号,商户单号,备注`; CSV amounts read
`¥28.16`. 收/支 `/` marks a neutral line (零钱 moves): kept with `counted=False`, as are fully refunded
or failed payments. 交易单号 stays text (a trailing tab is trimmed); an id stored as a number in a sheet is
refused rather than rounded. Fees stay in the memo (备注 `服务费¥0.10`).
"""

from __future__ import annotations

from arctl.importers.bank.profile import Profile, ProfileReader

WECHAT = Profile(
    name="wechat",
    description="微信支付账单明细 (CSV UTF-8 or XLSX)",
    date=("交易时间",),
    amount=("金额(元)",),
    direction=("收/支",),
    direction_in=("收入",),
    direction_out=("支出",),
    direction_neutral=("/",),
    status=("当前状态",),
    status_not_counted=("已全额退款", "对方已退还", "支付失败", "已关闭"),
    payer_name=("交易对方",),
    memo=("商品", "备注"),
    bank_ref=("交易单号",),
    kind=("交易类型",),
    signature=(("交易单号", "商户单号", "金额(元)"),),
    account_labels=("微信昵称",),
)

READER = ProfileReader(WECHAT)
