"""Collections: reminders sent, charges, promises to pay, disputes, the contact log; customer hold/collector

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 20:52:29.196692
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "promise",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("made_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("grace_days", sa.Integer(), nullable=False),
        sa.Column("via", sa.String(length=120), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("cancelled_on", sa.Date(), nullable=True),
        sa.Column("cancel_reason", sa.Text(), nullable=True),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.CheckConstraint("amount_minor > 0", name=op.f("ck_promise_amount_positive")),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"], name=op.f("fk_promise_customer_id_customer")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_promise")),
    )
    with op.batch_alter_table("promise", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_promise_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_promise_due_on"), ["due_on"], unique=False)

    op.create_table(
        "reminder_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("run_on", sa.Date(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("step_key", sa.String(length=40), nullable=False),
        sa.Column("ladder", sa.String(length=40), nullable=False),
        sa.Column("template", sa.String(length=40), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("recipient", sa.String(length=400), nullable=True),
        sa.Column("subject", sa.String(length=400), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("message_id", sa.String(length=200), nullable=True),
        sa.Column("file", sa.String(length=400), nullable=True),
        sa.Column("done_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("sent_at", sa.String(length=32), nullable=True),
        sa.CheckConstraint(
            "status IN ('sending', 'sent', 'written', 'task', 'done', 'failed')",
            name=op.f("ck_reminder_message_status"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customer.id"], name=op.f("fk_reminder_message_customer_id_customer")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminder_message")),
    )
    with op.batch_alter_table("reminder_message", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reminder_message_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_reminder_message_run_on"), ["run_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_reminder_message_status"), ["status"], unique=False)

    op.create_table(
        "contact_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("channel", sa.String(length=12), nullable=False),
        sa.Column("outcome", sa.String(length=200), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("next_on", sa.Date(), nullable=True),
        sa.Column("contact_name", sa.String(length=120), nullable=True),
        sa.Column("reminder_id", sa.Integer(), nullable=True),
        sa.Column("user", sa.String(length=60), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.CheckConstraint(
            "channel IN ('email', 'phone', 'visit', 'letter', 'lawyer', 'legal', 'wechat', 'sms')",
            name=op.f("ck_contact_log_channel"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customer.id"], name=op.f("fk_contact_log_customer_id_customer")
        ),
        sa.ForeignKeyConstraint(
            ["reminder_id"], ["reminder_message.id"], name=op.f("fk_contact_log_reminder_id_reminder_message")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_log")),
    )
    with op.batch_alter_table("contact_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contact_log_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_contact_log_next_on"), ["next_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_contact_log_occurred_on"), ["occurred_on"], unique=False)

    op.create_table(
        "charge",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("cause_installment_id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("step_key", sa.String(length=40), nullable=True),
        sa.Column("period_start", sa.Date(), nullable=True),
        sa.Column("period_end", sa.Date(), nullable=True),
        sa.Column("assessed_on", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.CheckConstraint("kind IN ('fee', 'interest')", name=op.f("ck_charge_kind")),
        sa.CheckConstraint("amount_minor > 0", name=op.f("ck_charge_amount_positive")),
        sa.ForeignKeyConstraint(
            ["cause_installment_id"], ["installment.id"], name=op.f("fk_charge_cause_installment_id_installment")
        ),
        sa.ForeignKeyConstraint(["invoice_id"], ["invoice.id"], name=op.f("fk_charge_invoice_id_invoice")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_charge")),
        sa.UniqueConstraint("cause_installment_id", "kind", "step_key", name="uq_charge_installment_kind_step"),
        sa.UniqueConstraint("invoice_id", name=op.f("uq_charge_invoice_id")),
    )
    with op.batch_alter_table("charge", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_charge_assessed_on"), ["assessed_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_charge_cause_installment_id"), ["cause_installment_id"], unique=False)

    op.create_table(
        "dispute",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("resolved_on", sa.Date(), nullable=True),
        sa.Column("resolution", sa.String(length=16), nullable=True),
        sa.Column("credit_id", sa.Integer(), nullable=True),
        sa.Column("resolution_note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.CheckConstraint(
            "reason IN ('price', 'quality', 'quantity', 'not-received', 'duplicate', 'other')",
            name=op.f("ck_dispute_reason"),
        ),
        sa.CheckConstraint(
            "resolution IS NULL OR resolution IN ('credit_note', 'write_off', 'rejected')",
            name=op.f("ck_dispute_resolution"),
        ),
        sa.CheckConstraint(
            "(resolved_on IS NULL) = (resolution IS NULL)", name=op.f("ck_dispute_resolved_with_resolution")
        ),
        sa.ForeignKeyConstraint(["credit_id"], ["credit.id"], name=op.f("fk_dispute_credit_id_credit")),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"], name=op.f("fk_dispute_customer_id_customer")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dispute")),
    )
    with op.batch_alter_table("dispute", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dispute_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_dispute_resolved_on"), ["resolved_on"], unique=False)

    op.create_table(
        "promise_item",
        sa.Column("promise_id", sa.Integer(), nullable=False),
        sa.Column("installment_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["installment_id"], ["installment.id"], name=op.f("fk_promise_item_installment_id_installment")
        ),
        sa.ForeignKeyConstraint(["promise_id"], ["promise.id"], name=op.f("fk_promise_item_promise_id_promise")),
        sa.PrimaryKeyConstraint("promise_id", "installment_id", name=op.f("pk_promise_item")),
    )
    with op.batch_alter_table("promise_item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_promise_item_installment_id"), ["installment_id"], unique=False)

    op.create_table(
        "reminder_step",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("installment_id", sa.Integer(), nullable=False),
        sa.Column("step_key", sa.String(length=40), nullable=False),
        sa.Column("done_on", sa.Date(), nullable=False),
        sa.Column("open_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("escalated", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["installment_id"], ["installment.id"], name=op.f("fk_reminder_step_installment_id_installment")
        ),
        sa.ForeignKeyConstraint(
            ["message_id"], ["reminder_message.id"], name=op.f("fk_reminder_step_message_id_reminder_message")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminder_step")),
        sa.UniqueConstraint("installment_id", "step_key", name="uq_reminder_step_installment_step"),
    )
    with op.batch_alter_table("reminder_step", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reminder_step_message_id"), ["message_id"], unique=False)

    op.create_table(
        "dispute_item",
        sa.Column("dispute_id", sa.Integer(), nullable=False),
        sa.Column("installment_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["dispute_id"], ["dispute.id"], name=op.f("fk_dispute_item_dispute_id_dispute")),
        sa.ForeignKeyConstraint(
            ["installment_id"], ["installment.id"], name=op.f("fk_dispute_item_installment_id_installment")
        ),
        sa.PrimaryKeyConstraint("dispute_id", "installment_id", name=op.f("pk_dispute_item")),
    )
    with op.batch_alter_table("dispute_item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dispute_item_installment_id"), ["installment_id"], unique=False)

    with op.batch_alter_table("customer", schema=None) as batch_op:
        batch_op.add_column(sa.Column("collector", sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column("hold_since", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("hold_reason", sa.Text(), nullable=True))
        batch_op.create_index(batch_op.f("ix_customer_collector"), ["collector"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("customer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customer_collector"))
        batch_op.drop_column("hold_reason")
        batch_op.drop_column("hold_since")
        batch_op.drop_column("collector")

    with op.batch_alter_table("dispute_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dispute_item_installment_id"))

    op.drop_table("dispute_item")
    with op.batch_alter_table("reminder_step", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reminder_step_message_id"))

    op.drop_table("reminder_step")
    with op.batch_alter_table("promise_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_promise_item_installment_id"))

    op.drop_table("promise_item")
    with op.batch_alter_table("dispute", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dispute_resolved_on"))
        batch_op.drop_index(batch_op.f("ix_dispute_customer_id"))

    op.drop_table("dispute")
    with op.batch_alter_table("charge", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_charge_cause_installment_id"))
        batch_op.drop_index(batch_op.f("ix_charge_assessed_on"))

    op.drop_table("charge")
    with op.batch_alter_table("contact_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contact_log_occurred_on"))
        batch_op.drop_index(batch_op.f("ix_contact_log_next_on"))
        batch_op.drop_index(batch_op.f("ix_contact_log_customer_id"))

    op.drop_table("contact_log")
    with op.batch_alter_table("reminder_message", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reminder_message_status"))
        batch_op.drop_index(batch_op.f("ix_reminder_message_run_on"))
        batch_op.drop_index(batch_op.f("ix_reminder_message_customer_id"))

    op.drop_table("reminder_message")
    with op.batch_alter_table("promise", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_promise_due_on"))
        batch_op.drop_index(batch_op.f("ix_promise_customer_id"))

    op.drop_table("promise")
