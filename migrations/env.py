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


def run_migrations_online() -> None:
    with _engine().connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=True,  # SQLite cannot ALTER most things: batch mode recreates tables
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
