"""Locate the Alembic scripts (packaged or in the source tree) and upgrade/downgrade programmatically."""

from __future__ import annotations

import sys
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from arctl.domain.errors import ArctlError

if TYPE_CHECKING:
    from alembic.config import Config

    from arctl.db.engine import Database


def migrations_dir() -> Path:
    """Installed wheel: arctl/migrations (force-included). Editable install: the repo's migrations/."""
    candidates = [
        Path(str(resources.files("arctl") / "migrations")),
        Path(__file__).resolve().parents[3] / "migrations",
    ]
    for candidate in candidates:
        if (candidate / "env.py").is_file():
            return candidate
    raise ArctlError("cannot find the schema migrations (arctl/migrations/env.py); reinstall arctl")


def alembic_config(database: Database) -> Config:
    from alembic.config import Config

    cfg = Config(stdout=sys.stdout)  # Alembic otherwise keeps the stdout it saw at first import
    cfg.set_main_option("script_location", str(migrations_dir()))
    cfg.set_main_option("sqlalchemy.url", database.url.replace("%", "%%"))
    cfg.attributes["engine"] = database.engine
    return cfg


def known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory(str(migrations_dir()))
    return {rev.revision for rev in script.walk_revisions()}


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(migrations_dir())).get_current_head() or ""


def upgrade(database: Database, revision: str = "head") -> None:
    from alembic import command

    command.upgrade(alembic_config(database), revision)


def downgrade(database: Database, revision: str = "base") -> None:
    from alembic import command

    command.downgrade(alembic_config(database), revision)
