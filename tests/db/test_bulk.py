"""`db.bulk.insert_tuples`: rows straight to the driver, checked names, constraints still enforced."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from arctl.db.bulk import insert_tuples
from arctl.db.models import Customer

COLUMNS = ("code", "name", "language", "default_terms", "created_at")


def test_rows_go_in_as_given(db) -> None:  # type: ignore[no-untyped-def]
    with db.engine.begin() as conn:
        insert_tuples(conn, Customer.__table__, COLUMNS, [("BULK1", "甲公司", "zh", "net30", "2026-11-24T00:00:00Z"),
                                                          ("BULK2", "O'Brien \"Ltd\"", "en", "net60", "2026-11-24T00:00:00Z")])  # fmt: skip
        rows = conn.execute(
            text("SELECT code, name, default_terms FROM customer WHERE code LIKE 'BULK%' ORDER BY code")
        )
        assert rows.all() == [("BULK1", "甲公司", "net30"), ("BULK2", 'O\'Brien "Ltd"', "net60")]


def test_nothing_to_insert_is_fine(db) -> None:  # type: ignore[no-untyped-def]
    with db.engine.begin() as conn:
        insert_tuples(conn, Customer.__table__, COLUMNS, [])


def test_an_unknown_column_is_refused_before_anything_is_written(db) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(KeyError, match="nickname"), db.engine.begin() as conn:
        insert_tuples(conn, Customer.__table__, ("code", "nickname"), [("X", "y")])


def test_constraints_still_hold(db) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(IntegrityError), db.engine.begin() as conn:
        insert_tuples(conn, Customer.__table__, COLUMNS, [("DUP", "a", "zh", "net30", "t"),
                                                          ("DUP", "b", "zh", "net30", "t")])  # fmt: skip
    with db.engine.connect() as conn:  # the whole statement was rolled back
        assert conn.execute(text("SELECT count(*) FROM customer WHERE code = 'DUP'")).scalar() == 0


def test_columns_with_python_defaults_must_be_given(db) -> None:  # type: ignore[no-untyped-def]
    """The ORM fills in `default=` values; the driver would leave NULL (or fail): refuse to guess."""
    from arctl.db.bank_models import BankProposal

    with pytest.raises(ValueError, match="sure"), db.engine.begin() as conn:
        insert_tuples(conn, BankProposal.__table__, ("line_id", "rank", "rule", "score", "allocations",
                                                     "fee_minor", "unapplied_minor", "status", "created_at",
                                                     "reasons"), [(1, 1, "exact", 90, "[]", 0, 0, "open", "t", "[]")])  # fmt: skip
