"""arctl promise add|list|cancel"""

from __future__ import annotations

from typing import Annotated

import typer

from arctl.cli._context import as_date, ledger
from arctl.cli._options import AsOf, ExcelCsv, Format, On, OutputFormat, OutputPath, Wide
from arctl.cli._output import emit, say

app = typer.Typer(rich_markup_mode=None, add_completion=False, help="Promises to pay (承诺付款): record, follow (kept, partly kept, broken), cancel.",
                  no_args_is_help=True)  # fmt: skip


@app.callback()
def _promises() -> None:
    """Promises to pay (承诺付款): record, follow (kept, partly kept, broken), cancel."""


@app.command("add")
def add(
    ctx: typer.Context,
    customer: Annotated[str, typer.Argument(metavar="CUSTOMER", help="Customer code, prefix or name.")],
    amount: Annotated[str, typer.Argument(metavar="AMOUNT", help="Amount promised, e.g. 20000.00.")],
    by: Annotated[str, typer.Option("--by", metavar="DATE", help="The date the customer promised to pay by.")],
    items: Annotated[
        list[str] | None,
        typer.Option(
            "--items",
            metavar="ITEM",
            help="What it covers: INVOICE/SEQ or INVOICE (all its open installments); repeatable. "
            "Default: every installment open and due on or before --by.",
        ),
    ] = None,
    via: Annotated[str | None, typer.Option(metavar="NAME", help="Who promised (the customer's contact).")] = None,
    grace: Annotated[
        int | None, typer.Option(metavar="DAYS", help="Days after --by it still holds (default: the policy's).")
    ] = None,
    on: Annotated[
        str | None, typer.Option("--on", metavar="DATE", help="The day it was made (default: today).")
    ] = None,
    currency: Annotated[
        str | None, typer.Option(metavar="CODE", help="Currency (default: the items', else the customer's).")
    ] = None,
    note: Annotated[str | None, typer.Option(metavar="NOTE", help="A note.")] = None,
) -> None:
    """Record a promise to pay; its items are held from reminders until it is kept or broken.

    Example: arctl promise add HZJX 20000 --by 2026-11-15 --items INV-2026-0007/2 --via 王丽华
    """
    from arctl.services.promises import add_promise

    when = as_date(on, "--on")
    promised_by = as_date(by, "--by")
    with ledger(ctx) as db:
        r = add_promise(db, customer, amount, by=promised_by, on=when, items=items or [], via=via, grace=grace,
                        currency=currency, note=note)  # fmt: skip
    say(f"promise {r.id}: {r.customer} to pay {r.amount} by {r.due_on} (made {r.made_on}, "
        f"holds until {r.holds_until}: {r.grace_days} days' grace)")  # fmt: skip
    for label, owed in r.items:
        say(f"  {label}  open {owed}")


@app.command("list")
def list_(
    ctx: typer.Context,
    customer: Annotated[
        str | None, typer.Argument(metavar="[CUSTOMER]", help="Only this customer (code, prefix or name).")
    ] = None,
    status: Annotated[
        str | None,
        typer.Option(
            metavar="STATUS", help="Only promises in this state: open, kept, partly-kept, broken, cancelled."
        ),
    ] = None,
    as_of: AsOf = None,
    fmt: OutputFormat = Format.table,
    output: OutputPath = None,
    wide: Wide = False,
    excel_csv: ExcelCsv = False,
) -> None:
    """List promises with what was paid toward each, their state as of a date, and each customer's kept %.

    Example: arctl promise list HZJX --status broken --as-of 2026-11-30
    """
    from arctl.services.promises import list_promises, parse_status

    parse_status(status)
    when = as_date(as_of, "--as-of")
    with ledger(ctx) as db:
        report = list_promises(db, customer, status=status, as_of=when)
    emit(report, fmt, output, wide=wide, excel_csv=excel_csv)


@app.command("cancel")
def cancel(
    ctx: typer.Context,
    promise_id: Annotated[str, typer.Argument(metavar="ID", help="Promise id (see `arctl promise list`).")],
    reason: Annotated[str, typer.Option(metavar="TEXT", help="Why it is cancelled (required).")],
    on: On = None,
) -> None:
    """Cancel an open promise (dated and audited); a kept or broken promise cannot be cancelled.

    Example: arctl promise cancel 3 --reason "replaced by the payment plan of 11-02"
    """
    from arctl.services.promises import cancel_promise

    when = as_date(on, "--on")
    with ledger(ctx) as db:
        r = cancel_promise(db, promise_id, on=when, reason=reason)
    say(f"cancelled promise {r.id} ({r.customer} {r.amount} by {r.due_on}) on {r.cancelled_on}")
