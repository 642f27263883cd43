"""arctl dispute open|list|resolve"""

from __future__ import annotations

from typing import Annotated

import typer

from arctl.cli._context import as_date, ledger
from arctl.cli._options import AsOf, ExcelCsv, Format, On, OutputFormat, OutputPath, Wide
from arctl.cli._output import emit, say

app = typer.Typer(rich_markup_mode=None, add_completion=False, help="Disputes (客户异议): items the customer contests, held from reminders until resolved.",
                  no_args_is_help=True)  # fmt: skip


@app.callback()
def _disputes() -> None:
    """Disputes (客户异议): items the customer contests, held from reminders until resolved."""


@app.command("open")
def open_(
    ctx: typer.Context,
    items: Annotated[
        list[str],
        typer.Argument(metavar="ITEM...", help="INVOICE/SEQ (one installment) or INVOICE (all its open ones)."),
    ],
    reason: Annotated[
        str, typer.Option(metavar="REASON", help="price, quality, quantity, not-received, duplicate or other.")
    ],
    note: Annotated[str | None, typer.Option(metavar="NOTE", help="What the customer says.")] = None,
    on: Annotated[
        str | None, typer.Option("--on", metavar="DATE", help="The day it was raised (default: today).")
    ] = None,
) -> None:
    """Open a dispute on some items of one customer: held from reminders, still aged (they are owed).

    Example: arctl dispute open INV-2026-0007/2 INV-2026-0009 --reason quality --note "batch 7 rejected"
    """
    from arctl.services.disputes import open_dispute

    when = as_date(on, "--on")
    with ledger(ctx) as db:
        r = open_dispute(db, items, reason=reason, on=when, note=note)
    say(f"dispute {r.id}: {r.customer}, {r.reason}, opened {r.opened_on}")
    for label, owed in r.items:
        say(f"  {label}  open {owed}")


@app.command("list")
def list_(
    ctx: typer.Context,
    customer: Annotated[
        str | None, typer.Argument(metavar="[CUSTOMER]", help="Only this customer (code, prefix or name).")
    ] = None,
    show_all: Annotated[
        bool, typer.Option("--all/--open", help="All disputes, or only those open at --as-of (default).")
    ] = False,
    as_of: AsOf = None,
    fmt: OutputFormat = Format.table,
    output: OutputPath = None,
    wide: Wide = False,
    excel_csv: ExcelCsv = False,
) -> None:
    """List disputes with their age in days and what the disputed items owe.

    Example: arctl dispute list --all --as-of 2026-10-31
    """
    from arctl.services.disputes import list_disputes

    when = as_date(as_of, "--as-of")
    with ledger(ctx) as db:
        report = list_disputes(db, customer, show_all=show_all, as_of=when)
    emit(report, fmt, output, wide=wide, excel_csv=excel_csv)


@app.command("resolve")
def resolve(
    ctx: typer.Context,
    dispute_id: Annotated[str, typer.Argument(metavar="ID", help="Dispute id (see `arctl dispute list`).")],
    credit_note: Annotated[
        bool, typer.Option("--credit-note", help="Issue a credit note for the disputed open amount (or --amount).")
    ] = False,
    write_off: Annotated[
        bool, typer.Option("--write-off", help="Write off the disputed open amount (or --amount).")
    ] = False,
    rejected: Annotated[
        bool, typer.Option("--rejected", help="The claim is rejected: no credit, reminders resume.")
    ] = False,
    amount: Annotated[
        str | None, typer.Option(metavar="AMOUNT", help="Credit only this much (spread oldest due first).")
    ] = None,
    note: Annotated[str | None, typer.Option(metavar="NOTE", help="How it was settled.")] = None,
    on: On = None,
) -> None:
    """Resolve a dispute by credit note, write-off or rejection (one transaction, audited).

    Example: arctl dispute resolve 2 --credit-note --amount 1500 --note "agreed price reduction"
    """
    from arctl.domain.errors import InvalidInput
    from arctl.services.disputes import resolve_dispute

    chosen = [name for name, flag in (("credit_note", credit_note), ("write_off", write_off),
                                      ("rejected", rejected)) if flag]  # fmt: skip
    if len(chosen) != 1:
        raise InvalidInput("give exactly one of --credit-note, --write-off or --rejected", field="resolution")
    when = as_date(on, "--on")
    with ledger(ctx) as db:
        r = resolve_dispute(db, dispute_id, resolution=chosen[0], on=when, amount=amount, note=note)
    how = (r.resolution or "").replace("_", " ")
    if r.credit:
        how += f" {r.credit} {r.credit_amount}"
    say(f"resolved dispute {r.id} ({r.customer}) on {r.resolved_on}: {how}")
    for label, owed in r.items:
        say(f"  {label}  open {owed}")
