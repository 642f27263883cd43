"""Global options, the open ledger, and the one place that turns ArctlError into `error: ...` + exit code."""

from __future__ import annotations

import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import typer
from typer.core import TyperGroup

from arctl.domain.errors import ArctlError

if TYPE_CHECKING:
    from arctl.db.engine import Database


@dataclass(frozen=True)
class AppContext:
    """What the root callback parsed; handed to every command through ctx.obj."""

    db: str | None = None
    debug: bool = False
    quiet: bool = False


def app_context(ctx: typer.Context) -> AppContext:
    root = ctx.find_root()
    return root.obj if isinstance(root.obj, AppContext) else AppContext()


@contextmanager
def ledger(ctx: typer.Context, db: str | None = None) -> Iterator[Database]:
    """Open the ledger named by --db / ARCTL_DB / the default (creating or upgrading it when needed)."""
    from arctl.db.engine import open_db

    database = open_db(db or app_context(ctx).db)
    try:
        yield database
    finally:
        database.dispose()


def as_date(text: str | None, option: str) -> date:
    """Parse a date option; `None` means today (ARCTL_TODAY when set)."""
    from arctl.domain.dates import parse_date, today

    return today() if text is None else parse_date(text, field=option)


class ArctlGroup(TyperGroup):
    """Root group: user errors become one `error:` line on stderr and their exit code (no traceback)."""

    def invoke(self, ctx):  # type: ignore[no-untyped-def]
        try:
            return super().invoke(ctx)
        except ArctlError as exc:
            obj = ctx.obj if isinstance(ctx.obj, AppContext) else AppContext()
            if obj.debug:
                traceback.print_exc()
            print(f"error: {exc.message}", file=sys.stderr)
            if exc.hint:
                print(f"hint: {exc.hint}", file=sys.stderr)
            raise typer.Exit(exc.exit_code) from None
