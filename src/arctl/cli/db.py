"""arctl db info|upgrade"""

from __future__ import annotations

import typer

from arctl.cli._context import app_context
from arctl.cli._output import say

app = typer.Typer(
    rich_markup_mode=None,
    help="The ledger database: where it is, its schema revision, upgrades.",
    no_args_is_help=True,
)


@app.command("info")
def info(ctx: typer.Context) -> None:
    """Show the ledger's location, schema revision, file mode and row counts."""
    from arctl.db.engine import open_db
    from arctl.services.database import info as run

    database = open_db(app_context(ctx).db)
    try:
        facts = run(database)
    finally:
        database.dispose()
    say(f"ledger    {facts['path'] or facts['url']}")
    say(f"revision  {facts['revision']} (head {facts['head']})")
    if "mode" in facts:
        say(f"file      {facts['mode']}  {facts['size']} bytes")
    rows = facts["rows"]
    assert isinstance(rows, dict)
    for name, count in rows.items():
        say(f"{name:<13} {count}")


@app.command("upgrade")
def upgrade(ctx: typer.Context) -> None:
    """Create the schema or bring it to the newest revision (also done automatically on first use)."""
    from arctl.db.engine import open_db
    from arctl.services.database import upgrade as run

    database = open_db(app_context(ctx).db, migrate=False)
    try:
        before, after = run(database)
    finally:
        database.dispose()
    if before == after:
        say(f"schema is up to date (revision {after})")
    else:
        say(f"schema upgraded from {before or 'empty'} to {after}")
