"""Ledger records handed out of the services (never ORM objects) and the pure rules over them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from arctl.domain.errors import InvalidInput
from arctl.domain.money import Money, parse_amount

PAYMENT_METHODS = ("bank_transfer", "cheque", "acceptance_bill", "card", "alipay", "wechat", "cash", "other")
METHOD_WORDS = {"transfer": "bank_transfer", "bank": "bank_transfer", "wire": "bank_transfer", "转账": "bank_transfer",
                "银行转账": "bank_transfer", "支票": "cheque", "承兑汇票": "acceptance_bill", "汇票": "acceptance_bill",
                "支付宝": "alipay", "微信": "wechat", "微信支付": "wechat", "现金": "cash", "check": "cheque"}  # fmt: skip
CHANNELS = ("email", "phone", "wechat", "letter", "visit", "sms")
LANGUAGES = ("zh", "en")

CREDIT_NOTE_REASONS = ("price", "quality", "quantity", "return", "discount", "duplicate", "not_received", "other")
WRITE_OFF_REASONS = ("bad_debt", "small_balance", "bank_fee", "settlement", "dispute", "other")


def normalize_method(text: str) -> str:
    """`transfer`, `支票`, `acceptance_bill` → the stored method code."""
    raw = (text or "").strip().lower().replace("-", "_").replace(" ", "_")
    method = METHOD_WORDS.get(raw, raw)
    if method not in PAYMENT_METHODS:
        raise InvalidInput(
            f"unknown payment method {text!r} (one of: {', '.join(PAYMENT_METHODS)})", field="method"
        )
    return method


# What clerks type or exports say, in Chinese or English, for the stored codes.
CODE_WORDS = {"微信": "wechat", "电话": "phone", "手机": "phone", "邮件": "email", "邮箱": "email", "e_mail": "email",
              "信函": "letter", "拜访": "visit", "上门": "visit", "短信": "sms", "中文": "zh", "英文": "en",
              "chinese": "zh", "english": "en"}  # fmt: skip


def choose(value: str, allowed: tuple[str, ...], field_name: str) -> str:
    """Normalise a code (Chinese words too) and refuse anything outside `allowed`, listing what is."""
    code = (value or "").strip().lower().replace("-", "_").replace(" ", "_")
    code = CODE_WORDS.get(code, code)
    if code not in allowed:
        raise InvalidInput(f"{value!r} is not one of: {', '.join(allowed)}", field=field_name)
    return code


@dataclass(frozen=True, slots=True)
class Target:
    """Where part of a payment or credit goes: `INV-7:2=500.00`, `INV-7=500`, or `INV-7` (all it owes)."""

    invoice: str
    seq: int | None = None
    amount: str | None = None
    """The amount as typed; parsed against the payment's currency by the service."""


def parse_target(text: str, *, field_name: str = "--to") -> Target:
    raw = (text or "").strip()
    invoice_part, equals, amount = raw.partition("=")
    invoice, sep, seq = invoice_part.strip().rpartition(":")
    if not sep:
        invoice, seq = seq, ""
    if not invoice.strip():
        raise InvalidInput(f"{raw!r}: expected INVOICE[:SEQ][=AMOUNT], e.g. INV-7:2=500.00", field=field_name)
    if seq and not seq.strip().isdigit():
        raise InvalidInput(f"{raw!r}: installment {seq!r} is not a number", field=field_name)
    if equals and not amount.strip():
        raise InvalidInput(f"{raw!r}: amount after '=' is missing", field=field_name)
    return Target(invoice.strip(), int(seq) if seq else None, amount.strip() or None)


def check_amount(text: str, currency: str, field_name: str) -> int:
    """A strictly positive amount (payments, credits, allocations)."""
    minor = parse_amount(text, currency, field=field_name)
    if minor <= 0:
        raise InvalidInput(f"{text!r} must be more than zero", field=field_name)
    return minor


@dataclass(frozen=True, slots=True)
class OpenItem:
    """An installment with something still owed as of a date."""

    invoice: str
    seq: int
    kind: str
    issue_date: date
    due_date: date | None
    """None while the milestone event is pending."""
    due_rule: str
    amount: Money
    open: Money
    customer_code: str = ""
    customer_name: str = ""

    def days_late(self, as_of: date) -> int | None:
        return None if self.due_date is None else (as_of - self.due_date).days


@dataclass(frozen=True, slots=True)
class AllocationLine:
    """One application of a payment or credit to an installment."""

    id: int
    invoice: str
    seq: int
    amount: Money
    applied_on: date
    reversed_on: date | None = None


@dataclass(frozen=True, slots=True)
class PaymentResult:
    """What `payment add` / `payment apply` did."""

    payment_id: int
    customer: str
    amount: Money
    received_on: date
    allocations: list[AllocationLine] = field(default_factory=list)
    unapplied: Money | None = None


@dataclass(frozen=True, slots=True)
class ContactInfo:
    """A person to chase at a customer."""

    name: str
    role: str | None = None
    email: str | None = None
    phone: str | None = None
    language: str = "zh"
    channel: str = "email"
    is_primary: bool = False


@dataclass(frozen=True, slots=True)
class CustomerDetail:
    """Everything `customer show` prints. `notes` are confidential."""

    code: str
    name: str
    language: str
    default_terms: str | None
    credit_limit: Money | None
    credit_grade: str | None
    address: str | None
    notes: str | None
    aliases: tuple[str, ...]
    tags: tuple[str, ...]
    contacts: tuple[ContactInfo, ...]
    open_by_currency: dict[str, int] = field(default_factory=dict)
    unapplied_by_currency: dict[str, int] = field(default_factory=dict)
    invoices: int = 0


@dataclass(frozen=True, slots=True)
class InstallmentLine:
    """An installment as `invoice show` prints it, with its state as of a date."""

    seq: int
    kind: str
    amount: Money
    due_rule: str
    due_date: date | None
    open: Money
    status: str


@dataclass(frozen=True, slots=True)
class InvoiceDetail:
    number: str
    customer_code: str
    customer_name: str
    issue_date: date
    amount: Money
    terms: str
    description: str | None
    contract: str | None
    voided_on: date | None
    void_reason: str | None
    installments: tuple[InstallmentLine, ...]
    allocations: tuple[AllocationLine, ...] = ()
    milestones: tuple[tuple[str, date], ...] = ()
    discount: str | None = None

    @property
    def open(self) -> Money:
        return Money(sum(i.open.minor for i in self.installments), self.amount.currency)


def installment_status(
    open_minor: int, amount_minor: int, due: date | None, event: str | None, as_of: date
) -> str:
    """Derived, never stored: paid / pending EVENT / current / overdue Nd, with "part-paid" when it is."""
    if open_minor <= 0:
        return "paid"
    part = " (part-paid)" if open_minor < amount_minor else ""
    if due is None:
        return f"pending {event or 'event'}{part}"
    late = (as_of - due).days
    return f"overdue {late}d{part}" if late > 0 else f"current{part}"


@dataclass(frozen=True, slots=True)
class ActivityLine:
    """One document that moved a customer's balance: debit raises what they owe, credit lowers it."""

    on: date
    kind: str
    """invoice | void | payment | payment_reversal | credit_note | write_off | discount | credit_reversal"""
    document: str
    description: str
    currency: str
    debit: int = 0
    credit: int = 0
