"""Legal holds get a dated history (customer_hold) instead of customer.hold_since/hold_reason

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24 10:12:40.118204

A customer is held on day D iff since <= D and (released_on is NULL or released_on > D): the release day
is not held. At most one hold per customer is unreleased (a partial unique index).

Back-fill: every `customer.release` audit event becomes a released hold (its `before` holds the period's
start and reason, its `after` the release day and any note), and a current hold (customer.hold_since set)
an open one.
Downgrade puts the open holds back on the customer; the released ones are dropped with the table (the
audit trail still has them, so upgrading again rebuilds them).

Written by hand: the back-fill reads the audit trail.
"""

from __future__ import annotations

import json
from datetime import date

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_customer = sa.table(
    "customer",
    sa.column("id", sa.Integer()),
    sa.column("code", sa.String()),
    sa.column("hold_since", sa.Date()),
    sa.column("hold_reason", sa.Text()),
)
_hold = sa.table(
    "customer_hold",
    sa.column("id", sa.Integer()),
    sa.column("customer_id", sa.Integer()),
    sa.column("since", sa.Date()),
    sa.column("reason", sa.Text()),
    sa.column("released_on", sa.Date()),
    sa.column("release_note", sa.Text()),
)
_audit = sa.table(
    "audit_event",
    sa.column("id", sa.Integer()),
    sa.column("action", sa.String()),
    sa.column("entity", sa.String()),
    sa.column("entity_id", sa.String()),
    sa.column("before", sa.Text()),
    sa.column("after", sa.Text()),
)


def _day(value: object) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) and value else None


def upgrade() -> None:
    op.create_table(
        "customer_hold",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("since", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("released_on", sa.Date(), nullable=True),
        sa.Column("release_note", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "released_on IS NULL OR released_on >= since", name=op.f("ck_customer_hold_released_after_since")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customer.id"], name=op.f("fk_customer_hold_customer_id_customer")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_hold")),
    )
    with op.batch_alter_table("customer_hold", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_customer_hold_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index(
            "uq_customer_hold_open",
            ["customer_id"],
            unique=True,
            sqlite_where=sa.text("released_on IS NULL"),
            postgresql_where=sa.text("released_on IS NULL"),
        )

    bind = op.get_bind()
    customers = {
        code: (cid, since, reason)
        for cid, code, since, reason in bind.execute(
            sa.select(_customer.c.id, _customer.c.code, _customer.c.hold_since, _customer.c.hold_reason)
        )
    }
    rows = []
    releases = bind.execute(
        sa.select(_audit.c.entity_id, _audit.c.before, _audit.c.after)
        .where(_audit.c.entity == "customer", _audit.c.action == "customer.release")
        .order_by(_audit.c.id)
    )
    for code, before, after in releases:
        found = customers.get(code)
        old, new = json.loads(before or "{}"), json.loads(after or "{}")
        since, released_on = _day(old.get("hold_since")), _day(new.get("released_on"))
        if found is None or since is None or released_on is None or released_on < since:
            continue  # not a period this code wrote: nothing to rebuild from
        rows.append({"customer_id": found[0], "since": since, "reason": old.get("hold_reason") or "legal hold",
                     "released_on": released_on, "release_note": new.get("release_note")})  # fmt: skip
    for cid, since, reason in customers.values():
        if since is not None:
            rows.append({"customer_id": cid, "since": since, "reason": reason or "legal hold",
                         "released_on": None, "release_note": None})  # fmt: skip
    if rows:
        rows.sort(key=lambda r: (r["customer_id"], r["since"]))
        op.bulk_insert(_hold, rows)

    with op.batch_alter_table("customer", schema=None) as batch_op:
        batch_op.drop_column("hold_reason")
        batch_op.drop_column("hold_since")


def downgrade() -> None:
    with op.batch_alter_table("customer", schema=None) as batch_op:
        batch_op.add_column(sa.Column("hold_since", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("hold_reason", sa.Text(), nullable=True))

    bind = op.get_bind()
    current = bind.execute(
        sa.select(_hold.c.customer_id, _hold.c.since, _hold.c.reason).where(_hold.c.released_on.is_(None))
    ).all()
    for cid, since, reason in current:
        bind.execute(
            sa.update(_customer).where(_customer.c.id == cid).values(hold_since=since, hold_reason=reason)
        )

    with op.batch_alter_table("customer_hold", schema=None) as batch_op:
        batch_op.drop_index("uq_customer_hold_open")
        batch_op.drop_index(batch_op.f("ix_customer_hold_customer_id"))

    op.drop_table("customer_hold")
