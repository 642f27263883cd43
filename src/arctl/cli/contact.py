"""arctl contact log|list"""

from __future__ import annotations

from typing import Annotated

import typer

from arctl.cli._context import as_date, ledger
from arctl.cli._options import AsOf, ExcelCsv, Format, OutputFormat, OutputPath, Wide
from arctl.cli._output import emit, say

app = typer.Typer(rich_markup_mode=None, add_completion=False, help="The contact log (沟通记录): calls, visits, letters and the reminders sent.",
                  no_args_is_help=True)  # fmt: skip


@app.callback()
def _contacts() -> None:
    """The contact log (沟通记录): calls, visits, letters and the reminders sent."""


@app.command("log")
def log(
    ctx: typer.Context,
    customer: Annotated[str, typer.Argument(metavar="CUSTOMER", help="Customer code, prefix or name.")],
    channel: Annotated[
        str, typer.Option(metavar="CHANNEL", help="phone, email, visit, letter, lawyer, legal, wechat or sms.")
    ],
    outcome: Annotated[
        str,
        typer.Option(
            metavar="TEXT",
            help="What came of it, e.g. reached, no-answer, left-message, promised, "
            "disputed, refused, paid (free text).",
        ),
    ],
    note: Annotated[str | None, typer.Option(metavar="NOTE", help="What was said.")] = None,
    contact: Annotated[str | None, typer.Option("--contact", metavar="NAME", help="Who was reached.")] = None,
    next_on: Annotated[
        str | None, typer.Option("--next", metavar="DATE", help="The next step's date (shown on the worklist).")
    ] = None,
    on: Annotated[
        str | None, typer.Option("--on", metavar="DATE", help="When it happened (default: today).")
    ] = None,
) -> None:
    """Log a contact; a phone call, visit or legal step closes that channel's open reminder tasks.

    Example: arctl contact log HZJX --channel phone --outcome promised --contact 王丽华 --next 2026-11-15
    """
    from arctl.services.contacts import log_contact

    when = as_date(on, "--on")
    following = None if next_on is None else as_date(next_on, "--next")
    with ledger(ctx) as db:
        r = log_contact(db, customer, channel=channel, outcome=outcome, on=when, note=note, contact=contact,
                        next_on=following)  # fmt: skip
    line = f"logged {r.channel} with {r.customer} on {r.on}: {r.outcome}"
    if r.next_on:
        line += f" (next {r.next_on})"
    say(line)
    for message_id, step, run_on in r.closed:
        say(f"  closed task R{message_id} ({step}, from {run_on})")


@app.command("list")
def list_(
    ctx: typer.Context,
    customer: Annotated[
        str | None, typer.Argument(metavar="[CUSTOMER]", help="Only this customer (code, prefix or name).")
    ] = None,
    since: Annotated[str | None, typer.Option(metavar="DATE", help="Only entries from this date on.")] = None,
    as_of: AsOf = None,
    fmt: OutputFormat = Format.table,
    output: OutputPath = None,
    wide: Wide = False,
    excel_csv: ExcelCsv = False,
) -> None:
    """List contact-log entries, oldest first (reminders sent by `remind run` included).

    Example: arctl contact list HZJX --since 2026-10-01
    """
    from arctl.services.contacts import list_contacts

    start = None if since is None else as_date(since, "--since")
    when = as_date(as_of, "--as-of")
    with ledger(ctx) as db:
        report = list_contacts(db, customer, since=start, as_of=when)
    emit(report, fmt, output, wide=wide, excel_csv=excel_csv)
