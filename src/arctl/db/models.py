"""The ledger schema (SQLAlchemy 2.0 typed models). Changes here need an Alembic revision.

Money columns are always `*_minor` (BigInteger minor units) next to a `currency` column: never Float,
never Numeric (which goes through float on SQLite). Issued documents are never deleted: a reversal
carries its own date (`reversed_on`, `voided_on`) so any past report can be rebuilt exactly.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

Money = BigInteger  # minor units; BIGINT so PostgreSQL holds amounts above 21 million yuan


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Customer(Base):
    __tablename__ = "customer"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    address: Mapped[str | None] = mapped_column(Text)
    default_terms: Mapped[str | None] = mapped_column(String(200))
    credit_limit_minor: Mapped[int | None] = mapped_column(Money)
    credit_currency: Mapped[str | None] = mapped_column(String(3))
    credit_grade: Mapped[str | None] = mapped_column(String(8))
    language: Mapped[str] = mapped_column(String(2), default="zh")
    notes: Mapped[str | None] = mapped_column(Text)  # confidential: financial state, business situation
    collector: Mapped[str | None] = mapped_column(String(60), index=True)
    """Who works the account (`arctl today --collector`)."""
    created_at: Mapped[str] = mapped_column(String(32))

    aliases: Mapped[list[CustomerAlias]] = relationship(back_populates="customer", order_by="CustomerAlias.id")
    tags: Mapped[list[CustomerTag]] = relationship(back_populates="customer", order_by="CustomerTag.tag")
    contacts: Mapped[list[Contact]] = relationship(back_populates="customer", order_by="Contact.id")

    __table_args__ = (CheckConstraint("language IN ('zh', 'en')", name="language"),)


class CustomerAlias(Base):
    """Another name a customer pays under; `normalized` is what matching compares."""

    __tablename__ = "customer_alias"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    alias: Mapped[str] = mapped_column(String(200))
    normalized: Mapped[str] = mapped_column(String(200), unique=True)
    source: Mapped[str] = mapped_column(String(16), default="manual")  # manual | import | learned

    customer: Mapped[Customer] = relationship(back_populates="aliases")


class CustomerTag(Base):
    __tablename__ = "customer_tag"

    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), primary_key=True)
    tag: Mapped[str] = mapped_column(String(40), primary_key=True, index=True)

    customer: Mapped[Customer] = relationship(back_populates="tags")


class Contact(Base):
    __tablename__ = "contact"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str | None] = mapped_column(String(60))
    email: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(60))
    language: Mapped[str] = mapped_column(String(2), default="zh")
    channel: Mapped[str] = mapped_column(String(16), default="email")
    is_primary: Mapped[bool] = mapped_column(Boolean, default=False)

    customer: Mapped[Customer] = relationship(back_populates="contacts")

    __table_args__ = (
        CheckConstraint("language IN ('zh', 'en')", name="language"),
        CheckConstraint("channel IN ('email', 'phone', 'wechat', 'letter', 'visit', 'sms')", name="channel"),
    )


class Contract(Base):
    """A signed contract; its penalty terms (违约金) drive late interest."""

    __tablename__ = "contract"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(60), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    signed_on: Mapped[date | None] = mapped_column(Date)
    currency: Mapped[str | None] = mapped_column(String(3))
    total_minor: Mapped[int | None] = mapped_column(Money)
    terms: Mapped[str | None] = mapped_column(String(200))
    penalty_basis: Mapped[str | None] = mapped_column(String(8))  # daily | annual
    penalty_rate_ppm: Mapped[int | None] = mapped_column(Integer)  # per basis period, parts per million
    grace_days: Mapped[int] = mapped_column(Integer, default=0)
    penalty_cap_bp: Mapped[int | None] = mapped_column(Integer)  # cap, basis points of the principal
    created_at: Mapped[str] = mapped_column(String(32))

    __table_args__ = (
        CheckConstraint("penalty_basis IS NULL OR penalty_basis IN ('daily', 'annual')", name="penalty_basis"),
    )


class Invoice(Base):
    """A posted receivable. Never edited after issue except descriptive fields; voided with a date."""

    __tablename__ = "invoice"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(60), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    contract_id: Mapped[int | None] = mapped_column(ForeignKey("contract.id"), index=True)
    issue_date: Mapped[date] = mapped_column(Date, index=True)
    currency: Mapped[str] = mapped_column(String(3))
    amount_minor: Mapped[int] = mapped_column(Money)
    terms: Mapped[str] = mapped_column(String(200))
    discount_bp: Mapped[int | None] = mapped_column(Integer)  # early-payment discount, basis points
    discount_days: Mapped[int | None] = mapped_column(Integer)
    description: Mapped[str | None] = mapped_column(Text)
    voided_on: Mapped[date | None] = mapped_column(Date)
    void_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[str] = mapped_column(String(32))

    customer: Mapped[Customer] = relationship()
    contract: Mapped[Contract | None] = relationship()
    installments: Mapped[list[Installment]] = relationship(back_populates="invoice", order_by="Installment.seq")

    __table_args__ = (CheckConstraint("amount_minor > 0", name="amount_positive"),)


# Numbers compare case-insensitively (`invoice add` refuses INV-1 beside inv-1; look-ups find either): without
# this index each such check reads every invoice (a charge posted per fee on a million invoices took ~0.5 s).
Index("ix_invoice_number_upper", func.upper(Invoice.number))


class Installment(Base):
    """One due part of an invoice. `due_date` is NULL while its milestone event is pending.

    `settled_on` is the date the installment became fully settled (NULL while open); it is kept in the
    same transaction as every allocation and reversal so reports read only open items.
    """

    __tablename__ = "installment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoice.id"))
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    amount_minor: Mapped[int] = mapped_column(Money)
    due_kind: Mapped[str] = mapped_column(String(16))
    due_days: Mapped[int] = mapped_column(Integer, default=0)
    due_event: Mapped[str | None] = mapped_column(String(40))
    due_fixed: Mapped[date | None] = mapped_column(Date)
    due_date: Mapped[date | None] = mapped_column(Date, index=True)
    settled_on: Mapped[date | None] = mapped_column(Date, index=True)

    invoice: Mapped[Invoice] = relationship(back_populates="installments")

    __table_args__ = (
        UniqueConstraint("invoice_id", "seq", name="uq_installment_invoice_seq"),
        CheckConstraint("amount_minor >= 0", name="amount_not_negative"),
        CheckConstraint("kind IN ('deposit', 'progress', 'final', 'retention', 'regular')", name="kind"),
        CheckConstraint("due_kind IN ('fixed', 'after_issue', 'eom', 'event')", name="due_kind"),
    )


class Milestone(Base):
    """A contract event (delivery, acceptance, go-live) that fixes the due date of waiting installments."""

    __tablename__ = "milestone"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoice.id"))
    event: Mapped[str] = mapped_column(String(40))
    occurred_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[str] = mapped_column(String(32))

    __table_args__ = (UniqueConstraint("invoice_id", "event", name="uq_milestone_invoice_event"),)


class Payment(Base):
    """Cash received. What is not allocated is the customer's unapplied cash (预收/未核销)."""

    __tablename__ = "payment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    received_on: Mapped[date] = mapped_column(Date, index=True)
    currency: Mapped[str] = mapped_column(String(3))
    amount_minor: Mapped[int] = mapped_column(Money)
    method: Mapped[str] = mapped_column(String(20), default="bank_transfer")
    payer_name: Mapped[str | None] = mapped_column(String(200))
    payer_account: Mapped[str | None] = mapped_column(String(64))
    reference: Mapped[str | None] = mapped_column(String(80), index=True)
    note: Mapped[str | None] = mapped_column(Text)
    reversed_on: Mapped[date | None] = mapped_column(Date)
    reverse_reason: Mapped[str | None] = mapped_column(Text)
    settled_on: Mapped[date | None] = mapped_column(Date, index=True)
    """From this date on nothing is left to apply (fully applied, or reversed); NULL while some is.
    Kept with every allocation change, like installment.settled_on, so unapplied cash as of any date
    reads only the payments that still had some."""
    created_at: Mapped[str] = mapped_column(String(32))

    customer: Mapped[Customer] = relationship()

    __table_args__ = (
        CheckConstraint("amount_minor > 0", name="amount_positive"),
        CheckConstraint(
            "method IN ('bank_transfer', 'cheque', 'acceptance_bill', 'card', 'alipay', 'wechat', 'cash', 'other')",
            name="method",
        ),
    )


class Credit(Base):
    """A non-cash reduction of what is owed: credit note, write-off (坏账) or discount. Reason required."""

    __tablename__ = "credit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    number: Mapped[str | None] = mapped_column(String(60), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoice.id"), index=True)
    issued_on: Mapped[date] = mapped_column(Date)
    currency: Mapped[str] = mapped_column(String(3))
    amount_minor: Mapped[int] = mapped_column(Money)
    reason: Mapped[str] = mapped_column(String(40))
    note: Mapped[str | None] = mapped_column(Text)
    reversed_on: Mapped[date | None] = mapped_column(Date)
    reverse_reason: Mapped[str | None] = mapped_column(Text)
    settled_on: Mapped[date | None] = mapped_column(Date, index=True)
    """As payment.settled_on: from this date on nothing is left to apply."""
    created_at: Mapped[str] = mapped_column(String(32))

    __table_args__ = (
        CheckConstraint("amount_minor > 0", name="amount_positive"),
        CheckConstraint("kind IN ('credit_note', 'write_off', 'discount')", name="kind"),
    )


class Allocation(Base):
    """Clearing (核销): part of a payment or credit applied to an installment; reversed, never deleted."""

    __tablename__ = "allocation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payment.id"), index=True)
    credit_id: Mapped[int | None] = mapped_column(ForeignKey("credit.id"), index=True)
    installment_id: Mapped[int] = mapped_column(ForeignKey("installment.id"), index=True)
    amount_minor: Mapped[int] = mapped_column(Money)
    applied_on: Mapped[date] = mapped_column(Date)
    reversed_on: Mapped[date | None] = mapped_column(Date)
    reverse_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[str] = mapped_column(String(32))

    __table_args__ = (
        CheckConstraint("amount_minor > 0", name="amount_positive"),
        CheckConstraint("(payment_id IS NULL) <> (credit_id IS NULL)", name="one_source"),
        CheckConstraint("reversed_on IS NULL OR reversed_on >= applied_on", name="reversal_after_apply"),
    )


class ImportBatch(Base):
    """A file imported once; the same bytes again are recognised and skipped."""

    __tablename__ = "import_batch"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    filename: Mapped[str] = mapped_column(String(400))
    sha256: Mapped[str] = mapped_column(String(64))
    rows: Mapped[int] = mapped_column(Integer)
    added: Mapped[int] = mapped_column(Integer)
    imported_at: Mapped[str] = mapped_column(String(32))

    __table_args__ = (UniqueConstraint("kind", "sha256", name="uq_import_batch_kind_sha256"),)


class AuditEvent(Base):
    """One row per change, hash-chained: `hash` covers this row's fields and `prev_hash`."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[str] = mapped_column(String(32))  # UTC ISO-8601, stored as text so the hash is stable
    actor: Mapped[str] = mapped_column(String(64))
    command: Mapped[str] = mapped_column(Text)
    action: Mapped[str] = mapped_column(String(40))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(80))
    before: Mapped[str | None] = mapped_column(Text)
    after: Mapped[str | None] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


# The bank-reconciliation tables share this metadata (kept in their own module for size).
from arctl.db import bank_models as _bank_models  # noqa: E402, F401
from arctl.db import collection_models as _collection_models  # noqa: E402, F401
