"""arctl report workbook"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from arctl.cli._context import app_context, as_date, ledger
from arctl.cli._options import AsOf

app = typer.Typer(rich_markup_mode=None, add_completion=False, no_args_is_help=True,
                  help="Reports for management: the Excel workbook.")  # fmt: skip


@app.callback()
def _report() -> None:
    """Reports for management: the Excel workbook."""


@app.command("workbook")
def workbook(
    ctx: typer.Context,
    output: Annotated[
        Path,
        typer.Option(
            "--output", "-o", metavar="PATH", help="The .xlsx to write; {as_of} and {date} are filled in."
        ),
    ],
    as_of: AsOf = None,
) -> None:
    """The management workbook: Summary (with a chart), By customer, Detail, Top 20 overdue, Roll rates
    (last 6 month-ends) and KPIs (DSO, countback DSO, best-possible DSO, ADD, CEI, at-risk rate).

    \b
    Example (cron, 06:00):
      arctl report workbook --output /srv/reports/ar-{as_of}.xlsx
    """
    from arctl.domain.dates import today
    from arctl.domain.errors import ArctlError, InvalidInput
    from arctl.render.files import expand_path
    from arctl.services.workbook import write_management_workbook

    when = as_date(as_of, "--as-of")
    path = expand_path(str(output), as_of=when, today=today())
    if path.suffix.lower() != ".xlsx":
        raise InvalidInput(f"{path}: the workbook is an .xlsx file", field="--output")
    with ledger(ctx) as db:
        try:
            sheets = write_management_workbook(db, when, path)
        except OSError as exc:
            raise ArctlError(f"cannot write {path}: {exc.strerror or exc}") from None
    if not app_context(ctx).quiet:
        typer.echo(f"wrote {path} ({', '.join(sheets)})", err=True)  # stderr, like every report's "wrote"
