"""arctl payment add|apply|unapply|reverse|list|show|import"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from arctl.cli._context import as_date, ledger
from arctl.cli._imports import run_import
from arctl.cli._options import AsOf, Encoding, ExcelCsv, Format, Mapping, On, OutputFormat, OutputPath, Sheet, Wide
from arctl.cli._output import emit, say

app = typer.Typer(
    rich_markup_mode=None,
    help="Payments received (收款) and how they clear installments (核销).",
    no_args_is_help=True,
)

PaymentRef = Annotated[str, typer.Argument(help="Payment id (12 or P12) or its bank reference.")]
To = Annotated[
    list[str] | None,
    typer.Option(
        "--to", metavar="TARGET", help="Apply to INVOICE[:SEQ][=AMOUNT], e.g. INV-7:2=500.00 (repeatable)."
    ),
]


def print_result(verb: str, r) -> None:  # type: ignore[no-untyped-def]
    say(f"{verb} P{r.payment_id} {r.customer} {r.amount} received {r.received_on}")
    for a in r.allocations:
        state = f" (reversed {a.reversed_on})" if a.reversed_on else ""
        say(f"  {a.invoice}:{a.seq}  {a.amount}  applied {a.applied_on}{state}")
    if r.unapplied and r.unapplied.minor:
        say(f"  unapplied (customer credit): {r.unapplied}")


@app.command("add")
def add(
    ctx: typer.Context,
    customer: Annotated[str, typer.Argument(metavar="CUSTOMER", help="Customer code, prefix or name.")],
    amount: Annotated[str, typer.Argument(metavar="AMOUNT", help="Amount received, e.g. 50000.00.")],
    date: Annotated[
        str | None, typer.Option("--date", metavar="DATE", help="Date received (default: today).")
    ] = None,
    currency: Annotated[
        str | None, typer.Option(metavar="CODE", help="ISO currency (default: the customer's).")
    ] = None,
    method: Annotated[
        str,
        typer.Option(metavar="METHOD", help="bank_transfer, cheque, acceptance_bill, card, alipay, wechat, cash."),
    ] = "bank_transfer",
    payer: Annotated[str | None, typer.Option(metavar="PAYER", help="Payer name as the bank shows it.")] = None,
    account: Annotated[str | None, typer.Option(metavar="ACCOUNT", help="Payer's bank account.")] = None,
    reference: Annotated[str | None, typer.Option(metavar="REFERENCE", help="Bank reference / 流水号.")] = None,
    note: Annotated[str | None, typer.Option(metavar="NOTE", help="A note.")] = None,
    apply: Annotated[
        str, typer.Option(metavar="MODE", help="auto: oldest due first; none: keep as unapplied cash.")
    ] = "auto",
    to: To = None,
) -> None:
    """Record a payment and apply it. What is not applied stays as the customer's credit.

    \b
    Examples:
      arctl payment add HZJX 80000 --date 2026-10-12 --reference HX2026101200123
      arctl payment add HZJX 1500 --to INV-2026-0007:2=1000 --to INV-2026-0009=500
    """
    from arctl.services.payments import add_payment

    with ledger(ctx) as db:
        result = add_payment(
            db, customer=customer, amount=amount, received_on=as_date(date, "--date"), currency=currency,
            method=method, payer_name=payer, payer_account=account, reference=reference, note=note,
            apply=apply, targets=to or [],
        )  # fmt: skip
    print_result("recorded", result)


@app.command("apply")
def apply_(ctx: typer.Context, payment: PaymentRef, to: To = None, on: On = None) -> None:
    """Apply what is left of a payment: to --to targets, or oldest due first."""
    from arctl.services.payments import apply_payment

    with ledger(ctx) as db:
        result = apply_payment(db, payment, targets=to or [], on=None if on is None else as_date(on, "--on"))
    print_result("applied", result)


@app.command("unapply")
def unapply(
    ctx: typer.Context,
    payment: PaymentRef,
    from_: Annotated[
        str | None, typer.Option("--from", metavar="TARGET", help="Only what went to INVOICE[:SEQ].")
    ] = None,
    on: On = None,
    reason: Annotated[str, typer.Option(metavar="REASON", help="Why (kept in the audit trail).")] = "unapplied",
) -> None:
    """Undo applications of a payment from a date on (dated reversal; the cash becomes unapplied)."""
    from arctl.services.payments import unapply_payment

    with ledger(ctx) as db:
        result = unapply_payment(db, payment, target=from_, on=as_date(on, "--on"), reason=reason)
    print_result("unapplied", result)


@app.command("reverse")
def reverse(
    ctx: typer.Context,
    payment: PaymentRef,
    reason: Annotated[str, typer.Option(metavar="REASON", help="Why, e.g. 'cheque bounced' (required).")],
    on: On = None,
) -> None:
    """Reverse a payment that did not happen (bounced, entered twice): it and all it paid, from a date on."""
    from arctl.services.payments import reverse_payment

    with ledger(ctx) as db:
        result = reverse_payment(db, payment, on=as_date(on, "--on"), reason=reason)
    print_result("reversed", result)


@app.command("list")
def list_(
    ctx: typer.Context,
    customer: Annotated[
        str | None, typer.Option(metavar="CUSTOMER", help="Only this customer's payments.")
    ] = None,
    unapplied: Annotated[bool, typer.Option("--unapplied", help="Only payments with cash left to apply.")] = False,
    as_of: AsOf = None,
    fmt: OutputFormat = Format.table,
    output: OutputPath = None,
    wide: Wide = False,
    excel_csv: ExcelCsv = False,
) -> None:
    """List payments with what is still unapplied as of a date."""
    from arctl.services.payments import list_payments

    with ledger(ctx) as db:
        report = list_payments(db, as_of=as_date(as_of, "--as-of"), customer=customer, unapplied_only=unapplied)
    emit(report, fmt, output, wide=wide, excel_csv=excel_csv)


@app.command("show")
def show(ctx: typer.Context, payment: PaymentRef) -> None:
    """Show a payment and every allocation it made (reversed ones included)."""
    from arctl.services.payments import show_payment

    with ledger(ctx) as db:
        info, result = show_payment(db, payment)
    print_result("payment", result)
    for key in ("method", "payer_name", "payer_account", "reference", "note", "reversed_on", "reverse_reason"):
        if info.get(key):
            say(f"  {key.replace('_', ' ')}: {info[key]}")


@app.command("import")
def import_(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(metavar="FILE", help="CSV (UTF-8 or GBK) or XLSX with a header row.")],
    map_: Mapping = None,
    encoding: Encoding = None,
    sheet: Sheet = None,
) -> None:
    """Import payments; all rows or none. Columns: date, customer, amount, currency, method, payer_name,
    payer_account, reference, apply ('auto', 'none' or 'INV-7:2=500.00;INV-8')."""
    run_import(ctx, "payments", file, map_, encoding, sheet)
