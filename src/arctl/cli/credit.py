"""arctl credit-note add  ·  arctl write-off add"""

from __future__ import annotations

from typing import Annotated

import typer

from arctl.cli._context import as_date, ledger
from arctl.cli._options import On
from arctl.cli._output import say

credit_notes = typer.Typer(rich_markup_mode=None, help="Credit notes: reduce what a customer owes (price, quality, returns...).",
                           no_args_is_help=True)  # fmt: skip
write_offs = typer.Typer(
    rich_markup_mode=None,
    help="Write-offs (坏账, small balances, bank fees): always with a reason.",
    no_args_is_help=True,
)


@credit_notes.callback()
def _credit_notes() -> None:
    """Credit notes: reduce what a customer owes (price, quality, returns...)."""


@write_offs.callback()
def _write_offs() -> None:
    """Write-offs (坏账, small balances, bank fees): always with a reason."""


def _print(verb: str, r) -> None:  # type: ignore[no-untyped-def]
    say(f"{verb} {r.customer} {r.amount} on {r.received_on}")
    for a in r.allocations:
        say(f"  {a.invoice}:{a.seq}  {a.amount}")
    if r.unapplied and r.unapplied.minor:
        say(f"  unapplied credit: {r.unapplied}")


@credit_notes.command("add")
def add_credit_note(
    ctx: typer.Context,
    customer: Annotated[str, typer.Argument(metavar="CUSTOMER", help="Customer code, prefix or name.")],
    amount: Annotated[str, typer.Argument(metavar="AMOUNT", help="Credit amount.")],
    reason: Annotated[
        str,
        typer.Option(
            metavar="CODE", help="price, quality, quantity, return, discount, duplicate, not_received, other."
        ),
    ],
    to: Annotated[
        list[str] | None,
        typer.Option("--to", metavar="TARGET", help="Apply to INVOICE[:SEQ][=AMOUNT] (repeatable)."),
    ] = None,
    apply: Annotated[
        str, typer.Option(metavar="MODE", help="none: keep as credit; auto: oldest due first.")
    ] = "none",
    number: Annotated[
        str | None, typer.Option(metavar="NUMBER", help="Credit note number (default CN-00001...).")
    ] = None,
    currency: Annotated[
        str | None, typer.Option(metavar="CODE", help="ISO currency (default: the customer's).")
    ] = None,
    note: Annotated[str | None, typer.Option(metavar="NOTE", help="A note.")] = None,
    date: Annotated[
        str | None, typer.Option("--date", metavar="DATE", help="Issue date (default: today).")
    ] = None,
) -> None:
    """Issue a credit note, applied to an invoice or kept as the customer's credit.

    Example: arctl credit-note add HZJX 2000 --reason quality --to INV-2026-0007
    """
    from arctl.services.credits import add_credit_note as run

    with ledger(ctx) as db:
        result = run(db, customer=customer, amount=amount, on=as_date(date, "--date"), reason=reason,
                     currency=currency, number=number, note=note, targets=to or [], apply=apply)  # fmt: skip
    _print("issued credit note", result)


@write_offs.command("add")
def add_write_off(
    ctx: typer.Context,
    target: Annotated[str, typer.Argument(metavar="TARGET", help="INVOICE or INVOICE:SEQ to write off.")],
    reason: Annotated[
        str, typer.Option(metavar="REASON", help="bad_debt, small_balance, bank_fee, settlement, dispute, other.")
    ],
    amount: Annotated[
        str | None, typer.Option(metavar="AMOUNT", help="Amount (default: all it still owes).")
    ] = None,
    note: Annotated[str | None, typer.Option(metavar="NOTE", help="Explanation for the auditor.")] = None,
    on: On = None,
) -> None:
    """Write off what an invoice still owes (or part of it). A reason is required.

    Example: arctl write-off add INV-2025-0031 --reason bad_debt --note "customer liquidated"
    """
    from arctl.services.credits import add_write_off as run

    with ledger(ctx) as db:
        result = run(db, target, amount=amount, on=as_date(on, "--on"), reason=reason, note=note)
    _print("wrote off", result)
