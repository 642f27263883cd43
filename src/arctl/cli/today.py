"""`arctl today`: the day's worklist, ranked."""

from __future__ import annotations

from typing import Annotated

import typer

from arctl.cli._context import app_context, as_date, ledger
from arctl.cli._options import AsOf, ExcelCsv, Format, OutputFormat, OutputPath, Wide
from arctl.cli._output import emit, say


def today(
    ctx: typer.Context,
    as_of: AsOf = None,
    collector: Annotated[
        str | None,
        typer.Option(
            metavar="NAME",
            help="Only customers this collector works (customer.collector); an unknown name is an error.",
        ),
    ] = None,
    limit: Annotated[int | None, typer.Option(metavar="N", min=1, help="Show the first N items only.")] = None,
    fmt: OutputFormat = Format.table,
    output: OutputPath = None,
    wide: Wide = False,
    excel_csv: ExcelCsv = False,
) -> None:
    """Today's worklist: what to call, check, resolve or apply, most urgent first.

    \b
    Kinds of item (customers on legal hold get no call, visit or overdue item):
      promise   promise to pay due today, still open
      broken    promise broken or partly kept in the last 7 days, no contact since
      call, visit, legal
                open tasks from the dunning ladder (arctl remind run)
      dispute   open longer than policy holds.dispute_alert_days (default 30 days)
      followup  next step planned in the contact log is due, nothing logged since
      cash      payment received in the last 7 days with money not applied
      bank      unmatched bank line of the last 7 days (with --collector: known payers only)
      overdue   over 30 days late with no reminder, task or contact in 14 days (and no open
                dispute or live promise); capped at the 10 highest scores
    \b
    Score = amount at risk (major units) x max(days late, 1) x grade weight (A 1, B 2, C 3, D 4,
    none 2), rounded; currencies are not converted. Promises (due and broken) come first; ties go
    by customer code, then kind.
    \b
    Examples:
      arctl today --collector 张敏 --limit 20
      arctl today --as-of 2026-10-31 --format csv --output /srv/work/today-{as_of}.csv
    """
    from arctl.services.worklist import worklist as run

    day = as_date(as_of, "--as-of")
    with ledger(ctx) as db:
        report = run(db, day, collector=collector, limit=limit)
    if fmt == Format.table and output is None and not excel_csv and not report.rows:
        who = f" for {collector.strip()}" if collector else ""
        say(f"nothing to do{who} on {day}: no tasks, promises, follow-ups, disputes or new cash waiting.")
        return
    emit(report, fmt, output, wide=wide, excel_csv=excel_csv, quiet=app_context(ctx).quiet)


app = typer.Typer(rich_markup_mode=None, add_completion=False)
app.command()(today)
