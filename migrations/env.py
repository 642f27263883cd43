"""Alembic environment: used by the arctl CLI (engine passed in) and by developers (alembic.ini)."""

from __future__ import annotations

import os

from alembic import context

from arctl.db.models import Base

config = context.config
target_metadata = Base.metadata


def _engine():  # type: ignore[no-untyped-def]
    engine = config.attributes.get("engine")
    if engine is not None:
        return engine.execution_options(arctl_write=True)
    from arctl.db.engine import open_db

    url = os.environ.get("ARCTL_DB") or config.get_main_option("sqlalchemy.url")
    return open_db(url, migrate=False).engine.execution_options(arctl_write=True)


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _foreign_keys(connection, on: bool) -> None:  # type: ignore[no-untyped-def]
    """SQLite batch mode rebuilds a table (copy, drop, rename): with foreign keys enforced, dropping a
    table that others reference fails. The pragma only works outside a transaction, so it is set on the
    raw connection before Alembic begins; integrity is checked before it is switched back on."""
    if connection.dialect.name != "sqlite":
        return
    raw = connection.connection.driver_connection
    if on:
        problems = raw.execute("PRAGMA foreign_key_check").fetchall()
        if problems:
            raise RuntimeError(f"migration broke {len(problems)} foreign key(s): {problems[:5]}")
    raw.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")


def run_migrations_online() -> None:
    with _engine().connect() as connection:
        _foreign_keys(connection, on=False)
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=True,  # SQLite cannot ALTER most things: batch mode recreates tables
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        _foreign_keys(connection, on=True)


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
