"""The customer statement (对账单): opening balance, activity, closing balance, open items and an aging
line, in the customer's language. Pure: records in, a Statement of Reports out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

from arctl.domain.ledger import ActivityLine, OpenItem
from arctl.domain.money import Money
from arctl.domain.report import Column, Report, Row
from arctl.reports.aging import AgingOptions, aging_summary

LABELS = {
    "en": {
        "title": "Statement of account", "activity": "Activity", "open": "Open items", "aging": "Aging",
        "date": "Date", "document": "Document", "description": "Description", "currency": "Cur",
        "debit": "Charges", "credit": "Credits", "balance": "Balance", "opening": "Opening balance",
        "closing": "Closing balance", "invoice": "Invoice", "void": "Invoice voided", "payment": "Payment",
        "payment_reversal": "Payment reversed", "credit_note": "Credit note", "write_off": "Write-off",
        "discount": "Discount", "credit_reversal": "Credit reversed", "seq": "#", "due": "Due", "days": "Days late",
        "amount": "Amount", "open_amount": "Open", "unapplied": "Unapplied payments and credits",
        "period": "Period", "as_of": "as of", "customer": "Customer",
    },
    "zh": {
        "title": "对账单", "activity": "往来明细", "open": "未结清项目", "aging": "账龄",
        "date": "日期", "document": "单据", "description": "摘要", "currency": "币种",
        "debit": "应收增加", "credit": "收款及贷项", "balance": "余额", "opening": "期初余额",
        "closing": "期末余额", "invoice": "发票", "void": "发票作废", "payment": "收款",
        "payment_reversal": "收款冲回", "credit_note": "贷项通知单", "write_off": "核销坏账",
        "discount": "折扣", "credit_reversal": "贷项冲回", "seq": "期次", "due": "到期日", "days": "逾期天数",
        "amount": "金额", "open_amount": "未付金额", "unapplied": "未核销收款及贷项",
        "period": "期间", "as_of": "截至", "customer": "客户",
    },
}  # fmt: skip


AGING_TITLES = {"zh": {"currency": "币种", "current": "未到期", "pending": "待触发", "unapplied": "未核销",
                      "total": "合计"}}  # fmt: skip
"""Aging column titles in the statement's language (bucket titles such as 1-30 are the same)."""


@dataclass(frozen=True)
class Statement:
    """Everything a statement shows; `reports` render as sections (sheets in xlsx)."""

    customer_code: str
    customer_name: str
    address: str | None
    language: str
    start: date
    as_of: date
    opening: dict[str, int]
    closing: dict[str, int]
    reports: tuple[Report, ...]

    @property
    def labels(self) -> dict[str, str]:
        return LABELS[self.language]

    def ties(self) -> bool:
        """Opening + charges − payments and credits = closing, per currency (it must, by construction)."""
        activity = self.reports[0]
        moved: dict[str, int] = {}
        for row in activity.rows:
            debit, credit = row.get("debit"), row.get("credit")
            for money, sign in ((debit, 1), (credit, -1)):
                if isinstance(money, Money) and row.get("document") != "":
                    moved[money.currency] = moved.get(money.currency, 0) + sign * money.minor
        currencies = set(self.opening) | set(self.closing) | set(moved)
        return all(self.opening.get(c, 0) + moved.get(c, 0) == self.closing.get(c, 0) for c in currencies)


def build_statement(
    *,
    code: str,
    name: str,
    address: str | None,
    language: str,
    start: date,
    as_of: date,
    opening: dict[str, int],
    closing: dict[str, int],
    lines: Sequence[ActivityLine],
    items: Sequence[OpenItem],
    unapplied: dict[str, int],
) -> Statement:
    label = LABELS.get(language, LABELS["en"])
    running = dict(opening)
    rows: list[Row] = []
    for currency in sorted(set(opening) | {line.currency for line in lines}):
        rows.append({"date": start - timedelta(days=1), "document": "", "description": label["opening"],
                     "currency": currency, "balance": Money(opening.get(currency, 0), currency)})  # fmt: skip
    for line in lines:
        running[line.currency] = running.get(line.currency, 0) + line.debit - line.credit
        rows.append({
            "date": line.on, "document": line.document,
            "description": " ".join(p for p in (label.get(line.kind, line.kind), line.description) if p),
            "currency": line.currency,
            "debit": Money(line.debit, line.currency) if line.debit else None,
            "credit": Money(line.credit, line.currency) if line.credit else None,
            "balance": Money(running[line.currency], line.currency),
        })  # fmt: skip
    activity = Report(
        "statement-activity", f"{label['activity']} {start} – {as_of}",
        (Column("date", label["date"], "date"), Column("document", label["document"]),
         Column("description", label["description"]), Column("currency", label["currency"]),
         Column("debit", label["debit"], "money"), Column("credit", label["credit"], "money"),
         Column("balance", label["balance"], "money")),
        rows,
        totals=[{"description": label["closing"], "currency": c, "balance": Money(v, c)}
                for c, v in sorted(closing.items())],
        as_of=as_of,
    )  # fmt: skip
    open_rows: list[Row] = [
        {"invoice": i.invoice, "seq": i.seq, "due": i.due_date, "days": i.days_late(as_of),
         "currency": i.open.currency, "amount": i.amount, "open": i.open}
        for i in items
    ]  # fmt: skip
    open_rows += [{"invoice": label["unapplied"], "currency": c, "open": Money(-v, c)}
                  for c, v in sorted(unapplied.items()) if v]  # fmt: skip
    open_items = Report(
        "statement-open-items", f"{label['open']} {label['as_of']} {as_of}",
        (Column("invoice", label["invoice"]), Column("seq", label["seq"], "int"), Column("due", label["due"], "date"),
         Column("days", label["days"], "int"), Column("currency", label["currency"]),
         Column("amount", label["amount"], "money"), Column("open", label["open_amount"], "money")),
        open_rows, as_of=as_of,
    )  # fmt: skip
    aging = aging_summary(items, [(code, name, c, v) for c, v in sorted(unapplied.items()) if v], as_of,
                          options=AgingOptions())  # fmt: skip
    titles = AGING_TITLES.get(language, {})
    aging = Report(
        "statement-aging", f"{label['aging']} {label['as_of']} {as_of}",
        tuple(replace(c, title=titles.get(c.key, c.title)) for c in aging.columns if c.key not in ("customer", "name")),
        aging.rows, as_of=as_of,
    )  # fmt: skip
    return Statement(code, name, address, language if language in LABELS else "en", start, as_of, opening,
                     closing, (activity, open_items, aging))  # fmt: skip
