"""Bank statements and reconciliation: imports, statements, lines, proposals, customer accounts

Revision ID: 0004
Revises: 0002
Create Date: 2026-11-23 17:47:26.682069
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "bank_import",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=400), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("format", sa.String(length=40), nullable=False),
        sa.Column("encoding", sa.String(length=20), nullable=True),
        sa.Column("lines_read", sa.Integer(), nullable=False),
        sa.Column("lines_added", sa.Integer(), nullable=False),
        sa.Column("lines_skipped", sa.Integer(), nullable=False),
        sa.Column("imported_at", sa.String(length=32), nullable=False),
        sa.Column("undone_on", sa.Date(), nullable=True),
        sa.Column("undo_reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_import")),
    )
    with op.batch_alter_table("bank_import", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_bank_import_sha256"), ["sha256"], unique=False)

    op.create_table(
        "bank_statement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("account", sa.String(length=64), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("statement_ref", sa.String(length=80), nullable=True),
        sa.Column("opening_minor", sa.BigInteger(), nullable=True),
        sa.Column("closing_minor", sa.BigInteger(), nullable=True),
        sa.Column("difference_minor", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["import_id"], ["bank_import.id"], name=op.f("fk_bank_statement_import_id_bank_import")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_statement")),
    )
    with op.batch_alter_table("bank_statement", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_bank_statement_import_id"), ["import_id"], unique=False)

    op.create_table(
        "customer_account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("account", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customer.id"], name=op.f("fk_customer_account_customer_id_customer")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_account")),
        sa.UniqueConstraint("account", name=op.f("uq_customer_account_account")),
    )
    with op.batch_alter_table("customer_account", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_customer_account_customer_id"), ["customer_id"], unique=False)

    op.create_table(
        "bank_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("statement_id", sa.Integer(), nullable=False),
        sa.Column("source_line", sa.Integer(), nullable=False),
        sa.Column("account", sa.String(length=64), nullable=False),
        sa.Column("booked_on", sa.Date(), nullable=False),
        sa.Column("value_on", sa.Date(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("payer_name", sa.String(length=200), nullable=False),
        sa.Column("payer_account", sa.String(length=64), nullable=False),
        sa.Column("memo", sa.Text(), nullable=False),
        sa.Column("bank_ref", sa.String(length=80), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("content_key", sa.String(length=200), nullable=False),
        sa.Column("dedupe_key", sa.String(length=200), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("payment_id", sa.Integer(), nullable=True),
        sa.Column("fee_credit_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "status IN ('unmatched', 'suggested', 'matched', 'undone')", name=op.f("ck_bank_line_status")
        ),
        sa.CheckConstraint("amount_minor > 0", name=op.f("ck_bank_line_amount_positive")),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"], name=op.f("fk_bank_line_customer_id_customer")),
        sa.ForeignKeyConstraint(["fee_credit_id"], ["credit.id"], name=op.f("fk_bank_line_fee_credit_id_credit")),
        sa.ForeignKeyConstraint(
            ["import_id"], ["bank_import.id"], name=op.f("fk_bank_line_import_id_bank_import")
        ),
        sa.ForeignKeyConstraint(["payment_id"], ["payment.id"], name=op.f("fk_bank_line_payment_id_payment")),
        sa.ForeignKeyConstraint(
            ["statement_id"], ["bank_statement.id"], name=op.f("fk_bank_line_statement_id_bank_statement")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_line")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_bank_line_dedupe_key")),
    )
    with op.batch_alter_table("bank_line", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_bank_line_booked_on"), ["booked_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_bank_line_import_id"), ["import_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_bank_line_status"), ["status"], unique=False)

    op.create_table(
        "bank_proposal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("line_id", sa.Integer(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("rule", sa.String(length=20), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("sure", sa.Integer(), nullable=False),
        sa.Column("allocations", sa.Text(), nullable=False),
        sa.Column("fee_minor", sa.BigInteger(), nullable=False),
        sa.Column("unapplied_minor", sa.BigInteger(), nullable=False),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.CheckConstraint("status IN ('open', 'confirmed', 'rejected')", name=op.f("ck_bank_proposal_status")),
        sa.CheckConstraint(
            "fee_minor >= 0 AND unapplied_minor >= 0", name=op.f("ck_bank_proposal_amounts_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customer.id"], name=op.f("fk_bank_proposal_customer_id_customer")
        ),
        sa.ForeignKeyConstraint(["line_id"], ["bank_line.id"], name=op.f("fk_bank_proposal_line_id_bank_line")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_proposal")),
    )
    with op.batch_alter_table("bank_proposal", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_bank_proposal_line_id"), ["line_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("bank_proposal", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bank_proposal_line_id"))

    op.drop_table("bank_proposal")
    with op.batch_alter_table("bank_line", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bank_line_status"))
        batch_op.drop_index(batch_op.f("ix_bank_line_import_id"))
        batch_op.drop_index(batch_op.f("ix_bank_line_booked_on"))

    op.drop_table("bank_line")
    with op.batch_alter_table("customer_account", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customer_account_customer_id"))

    op.drop_table("customer_account")
    with op.batch_alter_table("bank_statement", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bank_statement_import_id"))

    op.drop_table("bank_statement")
    with op.batch_alter_table("bank_import", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bank_import_sha256"))

    op.drop_table("bank_import")
