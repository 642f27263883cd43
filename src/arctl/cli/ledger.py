"""Ledger-wide commands: balance, aging, verify, demo."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from arctl.cli._context import app_context, as_date, ledger
from arctl.cli._options import AsOf, ExcelCsv, Format, OutputFormat, OutputPath, Wide
from arctl.cli._output import emit, say


def balance(
    ctx: typer.Context,
    customer: Annotated[str, typer.Argument(metavar="CUSTOMER", help="Customer code, prefix or name.")],
    as_of: AsOf = None,
    fmt: OutputFormat = Format.table,
    output: OutputPath = None,
    wide: Wide = False,
    excel_csv: ExcelCsv = False,
) -> None:
    """A customer's open items and balance as of a date (exact for any past date).

    Example: arctl balance HZJX --as-of 2026-06-30
    """
    from arctl.services.reports import balance as run

    with ledger(ctx) as db:
        report = run(db, customer, as_of_date := as_date(as_of, "--as-of"))
    del as_of_date
    emit(report, fmt, output, wide=wide, excel_csv=excel_csv, quiet=app_context(ctx).quiet)


def aging(
    ctx: typer.Context,
    as_of: AsOf = None,
    by: Annotated[
        str, typer.Option(metavar="BASIS", help="Age by 'due' date (default) or 'invoice' date.")
    ] = "due",
    buckets: Annotated[
        str | None, typer.Option(metavar="DAYS,...", help="Overdue bucket bounds in days, e.g. 30,60,90,120.")
    ] = None,
    customer: Annotated[str | None, typer.Option(metavar="CUSTOMER", help="Only this customer.")] = None,
    tag: Annotated[str | None, typer.Option(metavar="TAG", help="Only customers with this tag.")] = None,
    currency: Annotated[str | None, typer.Option(metavar="CODE", help="Only this currency.")] = None,
    min_days: Annotated[
        int | None,
        typer.Option(metavar="N", min=0, help="Only items at least N days late (drops Current, Pending)."),
    ] = None,
    over: Annotated[
        str | None,
        typer.Option(metavar="AMOUNT", help="Only customers (items with --detail) owing more; needs --currency."),
    ] = None,
    detail: Annotated[
        bool, typer.Option("--detail", help="One row per open installment instead of per customer.")
    ] = False,
    fmt: OutputFormat = Format.table,
    output: OutputPath = None,
    wide: Wide = False,
    excel_csv: ExcelCsv = False,
) -> None:
    """Aging summary per customer and currency, as of any date.

    Columns: Current (not yet due) | overdue buckets | Pending (milestone not reached) | Unapplied cash and
    credits (negative) | Total. Totals per currency, never mixed. Activity dated after --as-of does not count.

    \b
    Examples:
      arctl aging --as-of 2026-09-30 --buckets 30,60,90,120
      arctl aging --detail --min-days 60 --currency CNY --over 10000
      arctl aging --format csv --output /srv/reports/aging-{as_of}.csv
    """
    from arctl.reports.aging import AgingOptions, check_basis, parse_bounds
    from arctl.services.reports import aging as run

    options = AgingOptions(bounds=parse_bounds(buckets), by=check_basis(by), min_days=min_days)
    with ledger(ctx) as db:
        report = run(db, as_date(as_of, "--as-of"), options=options, customer=customer, tag=tag,
                     currency=currency, over=over, detail=detail)  # fmt: skip
        emit(report, fmt, output, wide=wide, excel_csv=excel_csv, quiet=app_context(ctx).quiet)


def verify(ctx: typer.Context) -> None:
    """Re-check the audit hash chain and the ledger's invariants. Exit 3 when anything is wrong.

    Checks: allocations never exceed their payment/credit or installment; installments add up to their
    invoice; nothing applied to a voided invoice or a reversed payment; currencies match; every
    installment's settled date agrees with its allocations; every audit event links to the one before.
    """
    from arctl.services.verify import verify as run

    with ledger(ctx) as db:
        problems, counts = run(db)
    checked = ", ".join(f"{n} {what}" for what, n in counts.items())
    if problems:
        for problem in problems:
            typer.echo(f"FAIL {problem}", err=True)
        typer.echo(f"verify: {len(problems)} problem(s) found ({checked})", err=True)
        raise typer.Exit(3)
    say(f"ok: {checked} checked")


def demo(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db", metavar="PATH|URL", help="Ledger file for the demo (default: demo.db in the data dir)."
        ),
    ] = None,
    fmt: OutputFormat = Format.table,
    wide: Wide = False,
) -> None:
    """Build a demo ledger from the bundled examples and print its aging as of 2026-10-31.

    Running it again changes nothing. Then explore, e.g.: arctl --db demo.db balance SHXY
    """
    from arctl.db.engine import default_path
    from arctl.services.demo import DEMO_AS_OF, build_demo
    from arctl.services.reports import aging as run

    target = db or app_context(ctx).db or str(default_path().with_name("demo.db"))
    with ledger(ctx, target) as database:
        results = build_demo(database)
        report = run(database, DEMO_AS_OF)
    for r in results:
        name = Path(r.path).name
        if r.already_imported_on:
            say(f"{name}: already imported, nothing added")
        else:
            say(f"{name}: {r.added} {r.kind} added")
    say(f"demo ledger: {target}")
    emit(report, fmt, None, wide=wide)


def _single(function) -> typer.Typer:  # type: ignore[no-untyped-def]
    """A one-command Typer: Typer turns it into a plain command (no sub-level), loaded lazily by main."""
    single = typer.Typer(rich_markup_mode=None, add_completion=False)
    single.command()(function)
    return single


balance_app = _single(balance)
aging_app = _single(aging)
verify_app = _single(verify)
demo_app = _single(demo)
