"""arctl invoice add|list|show|void|import  ·  arctl milestone record"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from arctl.cli._context import as_date, ledger
from arctl.cli._imports import run_import
from arctl.cli._options import AsOf, Encoding, ExcelCsv, Format, Mapping, On, OutputFormat, OutputPath, Sheet, Wide
from arctl.cli._output import emit, say

app = typer.Typer(
    rich_markup_mode=None, help="Invoices and their installment plans (分期/回款计划).", no_args_is_help=True
)
milestones = typer.Typer(rich_markup_mode=None, help="Contract milestones (delivery, acceptance 验收...) that start payment clocks.",
                         no_args_is_help=True)  # fmt: skip

Number = Annotated[str, typer.Argument(help="Invoice number, e.g. INV-2026-0007.")]


def print_detail(d) -> None:  # type: ignore[no-untyped-def]
    say(f"{d.number}  {d.customer_code} {d.customer_name}")
    say(f"  issued {d.issue_date}  amount {d.amount}  terms {d.terms}")
    if d.contract:
        say(f"  contract {d.contract}")
    if d.description:
        say(f"  {d.description}")
    if d.discount:
        say(f"  early-payment discount: {d.discount}")
    if d.voided_on:
        say(f"  VOIDED on {d.voided_on}: {d.void_reason}")
    for line in d.installments:
        due = str(line.due_date) if line.due_date else "—"
        say(
            f"  {line.seq}. {line.kind:<9} {_money(line.amount):>16}  {line.due_rule:<18} due {due:<10}  "
            f"open {_money(line.open):>14}  {line.status}"
        )
    for event, on in d.milestones:
        say(f"  milestone {event} on {on}")
    for a in d.allocations:
        state = f"  reversed {a.reversed_on}" if a.reversed_on else ""
        say(f"  applied {a.applied_on} from {a.invoice} to #{a.seq}: {a.amount}{state}")


def _money(m) -> str:  # type: ignore[no-untyped-def]
    from arctl.domain.money import format_amount

    return format_amount(m.minor, m.currency, grouping=True)


@app.command("add")
def add(
    ctx: typer.Context,
    customer: Annotated[str, typer.Argument(metavar="CUSTOMER", help="Customer code, prefix or name.")],
    number: Number,
    amount: Annotated[str, typer.Argument(metavar="AMOUNT", help="Invoice total, e.g. 128456.70.")],
    date: Annotated[
        str | None, typer.Option("--date", metavar="DATE", help="Issue date (default: today).")
    ] = None,
    currency: Annotated[
        str | None, typer.Option(metavar="CODE", help="ISO currency (default: the customer's).")
    ] = None,
    terms: Annotated[
        str | None,
        typer.Option(
            metavar="TERMS",
            help="net30, eom+30, '2/10 net 30', or a plan: "
            "'30% on signing, 40% delivery+30d, 25% acceptance+90d, 5% retention+365d'.",
        ),
    ] = None,
    description: Annotated[str | None, typer.Option(metavar="DESCRIPTION", help="What was sold.")] = None,
    contract: Annotated[
        str | None, typer.Option(metavar="CONTRACT", help="Contract number (created if new).")
    ] = None,
) -> None:
    """Post an invoice and split it into installments by its terms.

    Percent splits round half-up to the cent; the last part takes the remainder, so parts always add up.

    Example: arctl invoice add HZJX INV-2026-0101 500000 --terms "30% on signing, 70% acceptance+30d"
    """
    from arctl.services.invoices import add_invoice

    with ledger(ctx) as db:
        detail = add_invoice(
            db, as_of=as_date(None, "--as-of"), customer=customer, number=number, amount=amount,
            issue_date=as_date(date, "--date"), currency=currency, terms=terms, description=description,
            contract=contract,
        )  # fmt: skip
    print_detail(detail)


@app.command("list")
def list_(
    ctx: typer.Context,
    customer: Annotated[
        str | None, typer.Option(metavar="CUSTOMER", help="Only this customer's invoices.")
    ] = None,
    status: Annotated[str, typer.Option(metavar="STATUS", help="all, open, paid or voided.")] = "all",
    as_of: AsOf = None,
    fmt: OutputFormat = Format.table,
    output: OutputPath = None,
    wide: Wide = False,
    excel_csv: ExcelCsv = False,
) -> None:
    """List invoices with their open amount as of a date."""
    from arctl.services.invoices import list_invoices

    with ledger(ctx) as db:
        report = list_invoices(db, as_of=as_date(as_of, "--as-of"), customer=customer, status=status)
    emit(report, fmt, output, wide=wide, excel_csv=excel_csv)


@app.command("show")
def show(ctx: typer.Context, number: Number, as_of: AsOf = None) -> None:
    """Show an invoice: installments, due dates, what is open, milestones and allocations."""
    from arctl.services.invoices import show_invoice

    with ledger(ctx) as db:
        print_detail(show_invoice(db, number, as_of=as_date(as_of, "--as-of")))


@app.command("void")
def void(
    ctx: typer.Context,
    number: Number,
    reason: Annotated[str, typer.Option(metavar="REASON", help="Why (required; kept in the audit trail).")],
    on: On = None,
) -> None:
    """Void an invoice from a date on (it stays in past reports). Refused while anything is applied to it."""
    from arctl.services.invoices import void_invoice

    with ledger(ctx) as db:
        d = void_invoice(db, number, reason=reason, on=as_date(on, "--on"), as_of=as_date(None, "--as-of"))
    say(f"voided {d.number} on {d.voided_on}")


@app.command("import")
def import_(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(metavar="FILE", help="CSV (UTF-8 or GBK) or XLSX with a header row.")],
    map_: Mapping = None,
    encoding: Encoding = None,
    sheet: Sheet = None,
) -> None:
    """Import invoices from CSV/XLSX; all rows or none. Re-importing the same file adds nothing.

    Columns: number, customer, issue_date, amount, currency, terms, description, contract
    (Chinese headers such as 发票号, 客户, 开票日期, 金额 are recognised).
    """
    run_import(ctx, "invoices", file, map_, encoding, sheet)


@milestones.command("record")
def record(
    ctx: typer.Context,
    invoice: Number,
    event: Annotated[
        str, typer.Argument(metavar="EVENT", help="The event its installments wait for: delivery, acceptance...")
    ],
    on: Annotated[str, typer.Option("--on", metavar="DATE", help="Date the event happened.")],
    note: Annotated[
        str | None, typer.Option(metavar="NOTE", help="A note, e.g. the acceptance certificate number.")
    ] = None,
    correct: Annotated[
        bool, typer.Option("--correct", help="Change the date of an event already recorded.")
    ] = False,
) -> None:
    """Record a milestone; installments waiting for it get their due date.

    Example: arctl milestone record INV-2026-0101 acceptance --on 2026-09-30
    """
    from arctl.services.invoices import record_milestone

    with ledger(ctx) as db:
        detail, changed = record_milestone(db, invoice, event, on=as_date(on, "--on"), note=note, correct=correct,
                                           as_of=as_date(None, "--as-of"))  # fmt: skip
    if not changed:
        say(f"{event} of {detail.number} was already recorded on that date; nothing changed")
        return
    print_detail(detail)


@milestones.command("import")
def import_milestones(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(metavar="FILE", help="CSV/XLSX with columns invoice, event, date.")],
    map_: Mapping = None,
    encoding: Encoding = None,
    sheet: Sheet = None,
) -> None:
    """Import milestone events; all rows or none."""
    run_import(ctx, "milestones", file, map_, encoding, sheet)
