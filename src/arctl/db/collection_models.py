"""Collections: reminders sent (催款记录), charges (滞纳金, 违约金), promises to pay, disputes, the contact log.

Kept apart from models.py only for size; the tables share `Base.metadata` (models.py imports this module at
its end). Same rules as the ledger: money in minor units beside a currency; facts carry the date they took
effect so any past day can be replayed; nothing issued is deleted.

Legal holds (`customer_hold`) are dated periods, never deleted: a question about a past day still sees a
hold released since. A customer is held on day D iff `since <= D` and (`released_on` is NULL or
`released_on > D`): the release day itself is not held. At most one hold per customer is unreleased (a
partial unique index), and the service refuses a hold that would begin before an earlier release.

Two constraints carry the "never twice" promises by construction rather than by care:
- `reminder_step` is unique on (installment, step): a step recorded for an installment can never be taken
  again, whatever runs, crashes or retries happen;
- `charge` is unique on (installment, kind, step): a ladder step's fee is charged once. Interest charges have
  no step (NULL, which unique constraints let repeat); each covers the interest accrued since the last one.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from arctl.db.models import Base, Money

MESSAGE_STATUSES = ("sending", "sent", "written", "task", "done", "failed")
"""sending: recorded, handed to SMTP, not yet confirmed (a crash leaves it so: never re-sent blindly) ·
sent: accepted by the SMTP server · written: an .eml or letter written to the outbox · task: a phone call,
visit or legal step waiting on the worklist · done: a task closed by a contact-log entry · failed: SMTP
refused it; its steps were released so the next run tries again."""

LOG_CHANNELS = ("email", "phone", "visit", "letter", "lawyer", "legal", "wechat", "sms")
DISPUTE_REASONS = ("price", "quality", "quantity", "not-received", "duplicate", "other")
RESOLUTIONS = ("credit_note", "write_off", "rejected")
CHARGE_KINDS = ("fee", "interest")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class ReminderMessage(Base):
    """One message, letter or task for one customer on one channel, from one `remind run`."""

    __tablename__ = "reminder_message"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    run_on: Mapped[date] = mapped_column(Date, index=True)
    """The as-of date of the run that made it."""
    channel: Mapped[str] = mapped_column(String(16))
    step_key: Mapped[str] = mapped_column(String(40))
    """The most severe step among its items: it chose the template."""
    ladder: Mapped[str] = mapped_column(String(40))
    template: Mapped[str] = mapped_column(String(40))
    language: Mapped[str] = mapped_column(String(2))
    recipient: Mapped[str | None] = mapped_column(String(400))
    """The To address (emails) or the contact called/visited; None when the customer has none."""
    subject: Mapped[str] = mapped_column(String(400))
    body: Mapped[str] = mapped_column(Text)
    """The rendered text as sent (proof of what the customer was told)."""
    status: Mapped[str] = mapped_column(String(12), index=True)
    error: Mapped[str | None] = mapped_column(Text)
    message_id: Mapped[str | None] = mapped_column(String(200))
    """RFC 5322 Message-ID of an email."""
    file: Mapped[str | None] = mapped_column(String(400))
    """Where the .eml or letter was written."""
    done_on: Mapped[date | None] = mapped_column(Date)
    """A task's completion date (a contact-log entry on the same channel)."""
    created_at: Mapped[str] = mapped_column(String(32))
    sent_at: Mapped[str | None] = mapped_column(String(32))

    __table_args__ = (CheckConstraint(_in("status", MESSAGE_STATUSES), name="status"),)


class ReminderStep(Base):
    """The proof that step `step_key` was taken for one installment (by the message `message_id`)."""

    __tablename__ = "reminder_step"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("reminder_message.id"), index=True)
    installment_id: Mapped[int] = mapped_column(ForeignKey("installment.id"))
    step_key: Mapped[str] = mapped_column(String(40))
    done_on: Mapped[date] = mapped_column(Date)
    open_minor: Mapped[int] = mapped_column(Money)
    """What the installment still owed when reminded."""
    currency: Mapped[str] = mapped_column(String(3))
    escalated: Mapped[bool] = mapped_column(Boolean, default=False)
    """True when a broken promise brought the step forward."""

    __table_args__ = (UniqueConstraint("installment_id", "step_key", name="uq_reminder_step_installment_step"),)


class Charge(Base):
    """A late fee or 违约金 charged on an installment. It is posted as its own invoice (`invoice_id`, one
    installment due on `assessed_on`), so aging, statements, payments and matching treat it like any debt;
    reversing it voids that invoice with a date."""

    __tablename__ = "charge"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))
    cause_installment_id: Mapped[int] = mapped_column(ForeignKey("installment.id"), index=True)
    """The late installment the charge is for."""
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoice.id"), unique=True)
    step_key: Mapped[str | None] = mapped_column(String(40))
    """The ladder step of a fee; None for interest."""
    period_start: Mapped[date | None] = mapped_column(Date)
    period_end: Mapped[date | None] = mapped_column(Date)
    """Interest: the interest days this charge covers (both included)."""
    assessed_on: Mapped[date] = mapped_column(Date, index=True)
    currency: Mapped[str] = mapped_column(String(3))
    amount_minor: Mapped[int] = mapped_column(Money)
    created_at: Mapped[str] = mapped_column(String(32))

    __table_args__ = (
        CheckConstraint(_in("kind", CHARGE_KINDS), name="kind"),
        CheckConstraint("amount_minor > 0", name="amount_positive"),
        UniqueConstraint("cause_installment_id", "kind", "step_key", name="uq_charge_installment_kind_step"),
    )


class Promise(Base):
    """A promise to pay (承诺付款). Its state (open, kept, partly kept, broken) is derived from payments as
    of any date, never stored: see `domain.promises`."""

    __tablename__ = "promise"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    currency: Mapped[str] = mapped_column(String(3))
    amount_minor: Mapped[int] = mapped_column(Money)
    made_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date, index=True)
    grace_days: Mapped[int] = mapped_column(Integer, default=0)
    via: Mapped[str | None] = mapped_column(String(120))
    """Who promised (the customer's contact)."""
    note: Mapped[str | None] = mapped_column(Text)
    cancelled_on: Mapped[date | None] = mapped_column(Date)
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[str] = mapped_column(String(32))

    __table_args__ = (CheckConstraint("amount_minor > 0", name="amount_positive"),)


class PromiseItem(Base):
    """An installment a promise covers (and holds from reminders while the promise lives)."""

    __tablename__ = "promise_item"

    promise_id: Mapped[int] = mapped_column(ForeignKey("promise.id"), primary_key=True)
    installment_id: Mapped[int] = mapped_column(ForeignKey("installment.id"), primary_key=True, index=True)


class Dispute(Base):
    """A customer's objection (客户异议) to some items; open until resolved with a date."""

    __tablename__ = "dispute"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    reason: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    opened_on: Mapped[date] = mapped_column(Date)
    resolved_on: Mapped[date | None] = mapped_column(Date, index=True)
    resolution: Mapped[str | None] = mapped_column(String(16))
    credit_id: Mapped[int | None] = mapped_column(ForeignKey("credit.id"))
    """The credit note or write-off that settled it."""
    resolution_note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[str] = mapped_column(String(32))

    __table_args__ = (
        CheckConstraint(_in("reason", DISPUTE_REASONS), name="reason"),
        CheckConstraint(f"resolution IS NULL OR {_in('resolution', RESOLUTIONS)}", name="resolution"),
        CheckConstraint("(resolved_on IS NULL) = (resolution IS NULL)", name="resolved_with_resolution"),
    )


class DisputeItem(Base):
    __tablename__ = "dispute_item"

    dispute_id: Mapped[int] = mapped_column(ForeignKey("dispute.id"), primary_key=True)
    installment_id: Mapped[int] = mapped_column(ForeignKey("installment.id"), primary_key=True, index=True)


class CustomerHold(Base):
    """A legal hold (诉讼中, 破产...) on a customer: no reminders and no charges from `since` until
    `released_on`. Held on day D iff since <= D and (released_on is NULL or released_on > D)."""

    __tablename__ = "customer_hold"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    since: Mapped[date] = mapped_column(Date)
    """The first day held."""
    reason: Mapped[str] = mapped_column(Text)
    released_on: Mapped[date | None] = mapped_column(Date)
    """The day the hold ended (not itself held); None while it lasts. Set once, never deleted."""
    release_note: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        CheckConstraint("released_on IS NULL OR released_on >= since", name="released_after_since"),
        Index(
            "uq_customer_hold_open",
            "customer_id",
            unique=True,
            sqlite_where=text("released_on IS NULL"),
            postgresql_where=text("released_on IS NULL"),
        ),
    )


class ContactLog(Base):
    """One contact with a customer (沟通记录): calls, visits, letters, and every reminder sent."""

    __tablename__ = "contact_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    occurred_on: Mapped[date] = mapped_column(Date, index=True)
    channel: Mapped[str] = mapped_column(String(12))
    outcome: Mapped[str] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    next_on: Mapped[date | None] = mapped_column(Date, index=True)
    """The next step agreed or planned; the worklist shows it on that day."""
    contact_name: Mapped[str | None] = mapped_column(String(120))
    reminder_id: Mapped[int | None] = mapped_column(ForeignKey("reminder_message.id"))
    """Set on the entries `remind run` writes for what it sent."""
    user: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[str] = mapped_column(String(32))

    __table_args__ = (CheckConstraint(_in("channel", LOG_CHANNELS), name="channel"),)
