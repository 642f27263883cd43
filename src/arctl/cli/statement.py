"""arctl statement CUSTOMER"""

from __future__ import annotations

from typing import Annotated

import typer

from arctl.cli._context import app_context, as_date, ledger
from arctl.cli._options import AsOf, Format, OutputFormat, OutputPath, Wide
from arctl.cli._output import emit_document

app = typer.Typer(rich_markup_mode=None, add_completion=False)


@app.command()
def statement(
    ctx: typer.Context,
    customer: Annotated[str, typer.Argument(metavar="CUSTOMER", help="Customer code, prefix or name.")],
    as_of: AsOf = None,
    start: Annotated[
        str | None,
        typer.Option("--from", metavar="DATE", help="First day of the activity (default: the 1st of the month)."),
    ] = None,
    language: Annotated[
        str | None, typer.Option(metavar="LANG", help="zh or en (default: the customer's language).")
    ] = None,
    fmt: OutputFormat = Format.table,
    output: OutputPath = None,
    wide: Wide = False,
) -> None:
    """A customer's statement of account (对账单), exact for any past date.

    Opening balance, activity, closing balance, open items and aging, in the customer's language.

    \b
    Examples:
      arctl statement HZJX --from 2026-07-01 --as-of 2026-09-30
      arctl statement HZJX --format html --output HZJX-{as_of}.html
    """
    from arctl.services.statement import statement as run

    when = as_date(as_of, "--as-of")
    with ledger(ctx) as db:
        doc = run(db, customer, as_of=when, start=None if start is None else as_date(start, "--from"),
                  language=language)  # fmt: skip
    label = doc.labels
    heading = [
        f"{label['title']} — {doc.customer_code} {doc.customer_name}",
        *([doc.address] if doc.address else []),
        f"{label['period']}: {doc.start} – {doc.as_of}",
    ]
    emit_document("statement", heading, list(doc.reports), fmt, output, as_of=when, wide=wide, lang=doc.language,
                  quiet=app_context(ctx).quiet)  # fmt: skip
