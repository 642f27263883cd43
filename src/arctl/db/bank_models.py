"""Bank statements and their reconciliation: imports, lines, match proposals, known payer accounts.

Kept apart from models.py only for size; the tables live on the same `Base.metadata` (models.py imports
this module at its end, so Alembic and `create_all` see them). Same rules: money in minor units beside a
currency, nothing issued is deleted, every undo is a dated record.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from arctl.db.models import Base, Customer, Money, Payment

LINE_STATUSES = ("unmatched", "suggested", "matched", "undone")


class BankImport(Base):
    """One bank file read into the ledger. The same bytes again are recognised and skipped."""

    __tablename__ = "bank_import"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    filename: Mapped[str] = mapped_column(String(400))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    format: Mapped[str] = mapped_column(String(40))
    encoding: Mapped[str | None] = mapped_column(String(20))
    lines_read: Mapped[int] = mapped_column(Integer)
    """Every line the file held (debits and non-cash rows included)."""
    lines_added: Mapped[int] = mapped_column(Integer)
    """Cash-in lines stored; the rest of the credits were already in the ledger."""
    lines_skipped: Mapped[int] = mapped_column(Integer)
    imported_at: Mapped[str] = mapped_column(String(32))
    undone_on: Mapped[date | None] = mapped_column(Date)
    undo_reason: Mapped[str | None] = mapped_column(Text)


class BankStatement(Base):
    """One account's part of an import, with the balances the file stated and whether they tied."""

    __tablename__ = "bank_statement"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("bank_import.id"), index=True)
    account: Mapped[str] = mapped_column(String(64))
    currency: Mapped[str] = mapped_column(String(3))
    statement_ref: Mapped[str | None] = mapped_column(String(80))
    opening_minor: Mapped[int | None] = mapped_column(Money)
    closing_minor: Mapped[int | None] = mapped_column(Money)
    difference_minor: Mapped[int | None] = mapped_column(Money)
    """closing − (opening + lines) when the file's balances did not add up and `--force` took it anyway."""


class BankLine(Base):
    """A credit (money in) from a bank file, waiting to be matched or matched to a payment."""

    __tablename__ = "bank_line"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("bank_import.id"), index=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("bank_statement.id"))
    source_line: Mapped[int] = mapped_column(Integer)
    """Line, row or record number in the file (what the clerk can look up)."""
    account: Mapped[str] = mapped_column(String(64))
    booked_on: Mapped[date] = mapped_column(Date, index=True)
    value_on: Mapped[date | None] = mapped_column(Date)
    currency: Mapped[str] = mapped_column(String(3))
    amount_minor: Mapped[int] = mapped_column(Money)
    payer_name: Mapped[str] = mapped_column(String(200), default="")
    payer_account: Mapped[str] = mapped_column(String(64), default="")
    memo: Mapped[str] = mapped_column(Text, default="")
    bank_ref: Mapped[str] = mapped_column(String(80), default="")
    kind: Mapped[str] = mapped_column(String(40), default="")
    content_key: Mapped[str] = mapped_column(String(200))
    """account + bank id, or account + content hash + occurrence within the file: what makes it the same line."""
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    """`content_key` while the line counts; NULL once its import is undone, so the file can come back."""
    status: Mapped[str] = mapped_column(String(12), default="unmatched", index=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id"))
    """The payer, once identified (by a confirmed match or an assignment)."""
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payment.id"))
    """The payment a confirmed match recorded; it stays on the line after an undo (reversed, audited)."""
    fee_credit_id: Mapped[int | None] = mapped_column(ForeignKey("credit.id"))
    """The write-off of bank charges deducted in transit (手续费), when the match took one."""

    customer: Mapped[Customer | None] = relationship()
    payment: Mapped[Payment | None] = relationship()

    __table_args__ = (
        CheckConstraint("amount_minor > 0", name="amount_positive"),
        CheckConstraint("status IN ('unmatched', 'suggested', 'matched', 'undone')", name="status"),
    )


class BankProposal(Base):
    """A suggested match for a line, with its score breakdown. Rejected ones are kept so they do not return."""

    __tablename__ = "bank_proposal"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("bank_line.id"), index=True)
    rank: Mapped[int] = mapped_column(Integer)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id"))
    rule: Mapped[str] = mapped_column(String(20))
    score: Mapped[int] = mapped_column(Integer)
    sure: Mapped[int] = mapped_column(Integer, default=0)
    allocations: Mapped[str] = mapped_column(Text)
    """JSON [[installment_id, amount_minor], ...]."""
    fee_minor: Mapped[int] = mapped_column(Money, default=0)
    unapplied_minor: Mapped[int] = mapped_column(Money, default=0)
    reasons: Mapped[str] = mapped_column(Text)
    """JSON [[label, points, detail], ...]: the breakdown shown in review."""
    status: Mapped[str] = mapped_column(String(12), default="open")
    created_at: Mapped[str] = mapped_column(String(32))

    customer: Mapped[Customer | None] = relationship()

    __table_args__ = (
        CheckConstraint("status IN ('open', 'confirmed', 'rejected')", name="status"),
        CheckConstraint("fee_minor >= 0 AND unapplied_minor >= 0", name="amounts_not_negative"),
    )


class CustomerAccount(Base):
    """A bank account a customer pays from; learned from confirmed matches or entered by hand."""

    __tablename__ = "customer_account"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    account: Mapped[str] = mapped_column(String(64), unique=True)
    """Digits and letters only (spaces and dashes removed), so the same account always compares equal."""
    source: Mapped[str] = mapped_column(String(16), default="learned")
    created_at: Mapped[str] = mapped_column(String(32))
