"""`arctl rollforward`: AR at one date rolled forward to another, checked, with the roll-rate matrix."""

from __future__ import annotations

from typing import Annotated

import typer

from arctl.cli._context import app_context, as_date, ledger
from arctl.cli._options import ExcelCsv, Format, OutputFormat, OutputPath, Wide


def rollforward(
    ctx: typer.Context,
    start: Annotated[str, typer.Option("--from", metavar="DATE", help="Opening date: AR at the end of this day.")],
    end: Annotated[
        str | None,
        typer.Option("--to", metavar="DATE", help="Closing date: AR at the end of this day (default: today)."),
    ] = None,
    currency: Annotated[str | None, typer.Option("--currency", metavar="CODE", help="Only this currency.")] = None,
    buckets: Annotated[
        str | None,
        typer.Option(metavar="DAYS,...", help="Overdue bucket bounds of the matrix, e.g. 30,60,90,120."),
    ] = None,
    matrix: Annotated[
        bool, typer.Option("--matrix", help="Only the roll-rate matrix (to write it with --format or --output).")
    ] = False,
    fmt: OutputFormat = Format.table,
    output: OutputPath = None,
    wide: Wide = False,
    excel_csv: ExcelCsv = False,
) -> None:
    """AR roll-forward between two dates, with roll rates. Exit 3 if it does not tie.

    Per currency: AR at --from, + invoiced, − voided, − collected (payments applied, net of
    unapplications and reversals), − credited, − written off, − discounts = AR at --to, compared with
    the AR read directly at --to (the open items, as `arctl aging` reads them). Unapplied cash is not
    AR: it has its own short roll-forward underneath (cash received, credits issued, applied).
    Any difference is printed and exits with 3, naming the currency.

    The roll-rate matrix follows the AR open at --from, per aging bucket, to --to: the share paid,
    voided, still in the same bucket, or moved to a later one (amount-weighted).

    Output: a table on the terminal shows both reports. A file format (--format csv|json|...) or
    --output carries one report: the roll-forward, or the matrix with --matrix.

    Example: arctl rollforward --from 2026-06-30 --to 2026-09-30
    """
    from arctl.cli._output import emit
    from arctl.domain.errors import Findings
    from arctl.reports.aging import parse_bounds
    from arctl.services.analysis import rollforward as run

    with ledger(ctx) as db:
        result = run(db, as_date(start, "--from"), as_date(end, "--to"), currency=currency,
                     bounds=parse_bounds(buckets))  # fmt: skip
    quiet = app_context(ctx).quiet
    both = not matrix and fmt == Format.table and output is None and not excel_csv
    if both:
        emit(result.rollforward, fmt, None, wide=wide, quiet=quiet)
        typer.echo("")
    emit(result.matrix if matrix or both else result.rollforward, fmt, output, wide=wide, excel_csv=excel_csv,
         quiet=quiet)  # fmt: skip
    if result.problems:
        raise Findings("roll-forward does not tie: " + "; ".join(result.problems))


app = typer.Typer(rich_markup_mode=None, add_completion=False)
app.command()(rollforward)
