"""arctl interest terms|quote|charge|reverse"""

from __future__ import annotations

from typing import Annotated

import typer

from arctl.cli._context import app_context, as_date, ledger
from arctl.cli._options import AsOf, ExcelCsv, Format, On, OutputFormat, OutputPath, Wide
from arctl.cli._output import emit, say

HELP = "Late interest (违约金): contract terms, quotes as of any date, charges and reversals."

app = typer.Typer(rich_markup_mode=None, help=HELP, no_args_is_help=True)

Target = Annotated[str, typer.Argument(metavar="INVOICE|CUSTOMER", help="An invoice number, or a customer.")]


@app.callback()
def _interest() -> None:
    """Late interest (违约金): contract terms, quotes as of any date, charges and reversals.

    Interest is simple interest on the principal outstanding each day, per the invoice's contract terms
    (a daily rate such as 0.05%/day, or an annual one on ACT/365), after the grace days, up to a cap.
    Each charge is posted as its own invoice (<INVOICE>-LI1, -LI2...), which is aged, paid and credited
    like any other.
    """


@app.command("terms")
def terms(
    ctx: typer.Context,
    contract: Annotated[str, typer.Argument(metavar="CONTRACT", help="Contract number.")],
    basis: Annotated[
        str | None, typer.Option(metavar="daily|annual", help="Is the rate per day or per year (ACT/365)?")
    ] = None,
    rate: Annotated[
        str | None,
        typer.Option(metavar="RATE", help="A percentage, with its period if you like: 0.05%, 0.05%/day, 6%/year."),
    ] = None,
    grace: Annotated[
        int | None, typer.Option(metavar="DAYS", help="Days after the due date free of interest.")
    ] = None,
    cap: Annotated[
        str | None, typer.Option(metavar="PERCENT", help="Cap on the total, as % of each installment; or none.")
    ] = None,
    clear: Annotated[bool, typer.Option("--clear", help="Remove the contract's penalty terms.")] = False,
) -> None:
    """Show or set a contract's 违约金 terms (an audited change, before and after shown).

    Rates are exact decimals with a % sign (finer than 0.0001% is refused, never rounded); a cap has at
    most 2 decimals. Without options, shows the terms.

    \b
    Examples:
      arctl interest terms HT-2026-001 --rate 0.05%/day --grace 5 --cap 10%
      arctl interest terms HT-2026-002 --basis annual --rate 6%
      arctl interest terms HT-2026-001 --clear
    """
    from arctl.services.interest import contract_terms

    with ledger(ctx) as db:
        now, before = contract_terms(db, contract, basis=basis, rate=rate, grace=grace, cap=cap, clear=clear)
    head = f"contract {now.contract} ({now.customer})"
    if before is None:
        say(f"{head}: {now.text}")
    else:
        say(f"{head}: terms changed")
        say(f"  before: {before.text}")
        say(f"  after:  {now.text}")


@app.command("quote")
def quote(
    ctx: typer.Context,
    target: Target,
    as_of: AsOf = None,
    fmt: OutputFormat = Format.table,
    output: OutputPath = None,
    wide: Wide = False,
    excel_csv: ExcelCsv = False,
) -> None:
    """Quote late interest per installment and per period, as of any date (reproducible).

    Per period: days, principal outstanding (payments lower it from the day after their date), rate,
    interest. Per installment: the total (rounded once), the cap, what was already charged and what
    `interest charge` would charge now. Disputed and on-hold items are quoted but flagged. Totals per
    currency. --wide shows the due date, rate, cap and customer.

    \b
    Examples:
      arctl interest quote INV-2026-0007 --as-of 2026-10-31
      arctl interest quote HZJX --format csv --output interest-{as_of}.csv
    """
    from arctl.services.interest import quote_report

    with ledger(ctx) as db:
        report = quote_report(db, target, as_of=as_date(as_of, "--as-of"))
    emit(report, fmt, output, wide=wide, excel_csv=excel_csv, quiet=app_context(ctx).quiet)


@app.command("charge")
def charge(
    ctx: typer.Context,
    target: Annotated[
        str | None, typer.Argument(metavar="[INVOICE|CUSTOMER]", help="An invoice number, or a customer.")
    ] = None,
    all_items: Annotated[bool, typer.Option("--all", help="Every installment with penalty terms.")] = False,
    as_of: AsOf = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would be charged; write nothing.")] = False,
    fmt: OutputFormat = Format.table,
    output: OutputPath = None,
    wide: Wide = False,
) -> None:
    """Charge the late interest accrued since the last charge, one charge invoice per installment.

    One transaction for the whole run. Re-running with the same date charges nothing; a later date
    charges only what accrued since, so the charges add up to the quote exactly. Skipped (and listed):
    customers on legal hold, disputed items (unless the policy's holds.disputes_stop_interest is false).
    Over-charged items (a payment recorded later with an earlier date) are listed: issue a credit note.

    \b
    Examples:
      arctl interest charge --all --as-of 2026-10-31 --dry-run
      arctl interest charge INV-2026-0007
    """
    from arctl.services.interest import charge_interest

    with ledger(ctx) as db:
        report = charge_interest(db, target, all_items=all_items, as_of=as_date(as_of, "--as-of"), dry_run=dry_run)
    emit(report, fmt, output, wide=wide, quiet=app_context(ctx).quiet)


@app.command("reverse")
def reverse(
    ctx: typer.Context,
    charge_ref: Annotated[str, typer.Argument(metavar="CHARGE", help="Charge id, or its invoice number.")],
    reason: Annotated[str, typer.Option(metavar="TEXT", help="Why (kept in the ledger and the audit trail).")],
    on: On = None,
) -> None:
    """Reverse a charge (fee or interest): void its invoice from a date, with a reason.

    Refused while a payment or credit is applied to the charge invoice (unapply it first). A reversed
    interest charge is still owed: the next `interest charge` charges that interest again. To waive
    interest instead, issue a credit note against the charge invoice:
    arctl credit-note add CUSTOMER AMOUNT --reason discount --to INV-2026-0007-LI1

    \b
    Example:
      arctl interest reverse INV-2026-0007-LI1 --on 2026-11-02 --reason "wrong contract rate"
    """
    from arctl.domain.money import format_amount
    from arctl.services.charges import reverse_charge

    when = as_date(on, "--on")
    with ledger(ctx) as db:
        done = reverse_charge(db, charge_ref, on=when, reason=reason, as_of=when)
    amount = format_amount(done.amount_minor, done.currency, grouping=True)
    say(
        f"reversed charge {done.id} ({done.kind} on {done.cause}): invoice {done.number} {amount} {done.currency} "
        f"voided on {done.voided_on}"
    )
