"""settled_on for payments and credits

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 15:49:59.263602
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


# The date from which a payment or credit has nothing left to apply: its reversal date, or the last
# applied date of its allocations in force when they use it all. Plain SQL that PostgreSQL runs too.
_BACKFILL = """
UPDATE {table} SET settled_on = CASE
    WHEN reversed_on IS NOT NULL THEN reversed_on
    WHEN (SELECT COALESCE(SUM(a.amount_minor), 0) FROM allocation a
          WHERE a.{fk} = {table}.id AND a.reversed_on IS NULL) >= amount_minor
    THEN (SELECT MAX(a.applied_on) FROM allocation a WHERE a.{fk} = {table}.id AND a.reversed_on IS NULL)
END
"""


def upgrade() -> None:
    with op.batch_alter_table("credit", schema=None) as batch_op:
        batch_op.add_column(sa.Column("settled_on", sa.Date(), nullable=True))
        batch_op.create_index(batch_op.f("ix_credit_settled_on"), ["settled_on"], unique=False)

    with op.batch_alter_table("payment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("settled_on", sa.Date(), nullable=True))
        batch_op.create_index(batch_op.f("ix_payment_settled_on"), ["settled_on"], unique=False)

    op.execute(_BACKFILL.format(table="payment", fk="payment_id"))
    op.execute(_BACKFILL.format(table="credit", fk="credit_id"))


def downgrade() -> None:
    with op.batch_alter_table("payment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payment_settled_on"))
        batch_op.drop_column("settled_on")

    with op.batch_alter_table("credit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_credit_settled_on"))
        batch_op.drop_column("settled_on")
