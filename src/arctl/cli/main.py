"""The `arctl` root command. Imports only typer and the thin command modules: nothing heavy at start-up."""

from __future__ import annotations

from typing import Annotated

import typer

from arctl import __version__
from arctl.cli import credit, customer, db, invoice, ledger, payment
from arctl.cli._context import AppContext, ArctlGroup

app = typer.Typer(
    rich_markup_mode=None,
    cls=ArctlGroup,
    name="arctl",
    help="Accounts-receivable collections: who owes what, how late, and what came in.\n\n"
    "The ledger is --db PATH|URL, else $ARCTL_DB, else a per-user file (see `arctl db info`).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,  # never print locals (customer data) in a traceback
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"arctl {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    db: Annotated[
        str | None, typer.Option("--db", help="Ledger file or SQLAlchemy URL.", envvar="ARCTL_DB")
    ] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks for errors.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only what was asked for.")] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    ctx.obj = AppContext(db=db, debug=debug, quiet=quiet)


app.add_typer(customer.app, name="customer")
app.add_typer(invoice.app, name="invoice")
app.add_typer(invoice.milestones, name="milestone")
app.add_typer(payment.app, name="payment")
app.add_typer(credit.credit_notes, name="credit-note")
app.add_typer(credit.write_offs, name="write-off")
app.command("balance")(ledger.balance)
app.command("aging")(ledger.aging)
app.command("verify")(ledger.verify)
app.command("demo")(ledger.demo)
app.add_typer(db.app, name="db")


def run() -> None:
    """Console-script entry point."""
    app()
