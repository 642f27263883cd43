"""Global options, the open ledger, and the one place that turns ArctlError into `error: ...` + exit code."""

from __future__ import annotations

import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar

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


@dataclass(frozen=True)
class LazyCommand:
    """A top-level command whose module is imported only when it runs (or its own --help is asked)."""

    module: str
    attribute: str
    help: str
    """Short help for `arctl --help`; a test keeps it equal to the command's own first help line."""


class ArctlGroup(TyperGroup):
    """Root group.

    - Subcommands load lazily from `lazy`: `arctl balance` builds only the balance command, and
      `arctl --help` builds none (Typer's conversion of ~60 signatures costs more than typer's import).
    - User errors become one `error:` line on stderr and their exit code (no traceback).
    """

    lazy: ClassVar[dict[str, LazyCommand]] = {}

    def list_commands(self, ctx: Any) -> list[str]:
        return [*super().list_commands(ctx), *self.lazy]

    def get_command(self, ctx: Any, name: str) -> Any:
        entry = self.lazy.get(name)
        if entry is None:
            return super().get_command(ctx, name)
        import importlib

        from typer.main import get_command

        command = get_command(getattr(importlib.import_module(entry.module), entry.attribute))
        command.name = name
        return command

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        rows = [(name, entry.help) for name, entry in self.lazy.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

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
