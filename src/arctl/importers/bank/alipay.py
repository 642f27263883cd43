"""支付宝交易明细 (Alipay bill, CSV in GBK) as a `Profile`.

About 24 preamble lines, then `交易时间,交易分类,交易对方,对方账号,商品说明,收/支,金额,收/付款方式,交易状态,
交易订单号,商家订单号,备注,` (trailing comma; padded cells; ids end with a tab). Signs come from 收/支;
不计收支 rows (refunds, 余额宝 moves) are kept with `counted=False`, and so is every row whose 交易状态 is
not 交易成功 (交易关闭, 退款成功, 等待确认收货): only 收入 + 交易成功 is money in. 支出 + 交易成功 is a
counted outgoing line (negative).
"""

from __future__ import annotations

from arctl.importers.bank.profile import Profile, ProfileReader

ALIPAY = Profile(
    name="alipay",
    description="支付宝交易明细 (CSV, GBK): only 收入 with 交易成功 is money in",
    date=("交易时间",),
    amount=("金额",),
    direction=("收/支",),
    direction_in=("收入",),
    direction_out=("支出",),
    direction_neutral=("不计收支",),
    status=("交易状态",),
    status_counted=("交易成功",),
    payer_name=("交易对方",),
    payer_account=("对方账号",),
    memo=("商品说明", "备注"),
    bank_ref=("交易订单号",),
    kind=("交易分类",),
    signature=(("交易订单号", "商家订单号", "收/支"),),
    account_labels=("支付宝账户",),
)

READER = ProfileReader(ALIPAY)
