"""The shared body of every `... import FILE` command: map headers, run the importer, say what happened."""

from __future__ import annotations

from pathlib import Path

import typer

from arctl.cli._context import ledger
from arctl.cli._output import say


def run_import(
    ctx: typer.Context, kind: str, file: Path, mapping: list[str] | None, encoding: str | None, sheet: str | None
) -> None:
    """kind: customers | invoices | payments | milestones (the importer in arctl.services.imports)."""
    from arctl.services import imports

    importer = getattr(imports, f"import_{kind}")
    with ledger(ctx) as db:
        result = importer(db, file, mapping=imports.parse_mapping(mapping or []), encoding=encoding, sheet=sheet)
    if result.already_imported_on:
        say(f"{result.path}: already imported on {result.already_imported_on} UTC; nothing added")
        return
    say(f"{result.path}: {result.rows} rows, {result.added} {result.kind} added, {result.skipped} already present")
    if result.ignored_columns:
        say(f"  ignored columns: {', '.join(result.ignored_columns)}")
