"""Index invoice numbers case-insensitively (upper(number)): the uniqueness check and look-ups use it

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 21:27:18.706066

Written by hand: Alembic cannot reflect expression indexes on SQLite, so autogenerate skips them (and
`alembic check` warns that it does).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_invoice_number_upper", "invoice", [sa.text("upper(number)")], unique=False)


def downgrade() -> None:
    op.drop_index("ix_invoice_number_upper", table_name="invoice")
