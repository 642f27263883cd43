"""The `arctl` root command. Imports only typer and the thin command modules: nothing heavy at start-up."""

from __future__ import annotations

import contextlib
import gc
import os
import sys
from typing import Annotated

import typer

from arctl import __version__
from arctl.cli._context import AppContext, ArctlGroup, LazyCommand

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
        str | None,
        typer.Option("--db", metavar="PATH|URL", help="Ledger file or SQLAlchemy URL.", envvar="ARCTL_DB"),
    ] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks for errors.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only what was asked for.")] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    ctx.obj = AppContext(db=db, debug=debug, quiet=quiet)


ArctlGroup.lazy = {
    # name: where the command lives, and its first help line (tests/test_docs.py keeps them equal)
    "customer": LazyCommand("arctl.cli.customer", "app",
                            "Customers: codes, names, contacts, terms, credit limits, confidential notes."),
    "invoice": LazyCommand("arctl.cli.invoice", "app", "Invoices and their installment plans (分期/回款计划)."),
    "milestone": LazyCommand("arctl.cli.invoice", "milestones",
                             "Contract milestones (delivery, acceptance 验收...) that start payment clocks."),
    "payment": LazyCommand("arctl.cli.payment", "app",
                           "Payments received (收款) and how they clear installments (核销)."),
    "credit-note": LazyCommand("arctl.cli.credit", "credit_notes",
                               "Credit notes: reduce what a customer owes (price, quality, returns...)."),
    "write-off": LazyCommand("arctl.cli.credit", "write_offs",
                             "Write-offs (坏账, small balances, bank fees): always with a reason."),
    "balance": LazyCommand("arctl.cli.ledger", "balance_app",
                           "A customer's open items and balance as of a date (exact for any past date)."),
    "aging": LazyCommand("arctl.cli.ledger", "aging_app", "Aging summary per customer and currency, as of any date."),
    "verify": LazyCommand("arctl.cli.ledger", "verify_app",
                          "Re-check the audit hash chain and the ledger's invariants. Exit 3 when anything is wrong."),
    "demo": LazyCommand("arctl.cli.ledger", "demo_app",
                        "Build a demo ledger from the bundled examples and print its aging as of 2026-10-31."),
    "rollforward": LazyCommand("arctl.cli.rollforward", "app",
                               "AR roll-forward between two dates, with roll rates. Exit 3 if it does not tie."),
    "statement": LazyCommand("arctl.cli.statement", "app",
                             "A customer's statement of account (对账单), exact for any past date."),
    "report": LazyCommand("arctl.cli.report", "app", "Reports for management: the Excel workbook."),
    "bank": LazyCommand("arctl.cli.bank", "app",
                        "Bank statements: import, match to open installments (对账/核销), review, confirm, undo."),
    "interest": LazyCommand("arctl.cli.interest", "app",
                            "Late interest (违约金): contract terms, quotes as of any date, charges and reversals."),
    "remind": LazyCommand("arctl.cli.remind", "app",
                          "Reminders (催款): the dunning ladder, emails, letters and call sheets — never twice."),
    "promise": LazyCommand("arctl.cli.promise", "app",
                           "Promises to pay (承诺付款): record, follow (kept, partly kept, broken), cancel."),
    "dispute": LazyCommand("arctl.cli.dispute", "app",
                           "Disputes (客户异议): items the customer contests, held from reminders until resolved."),
    "contact": LazyCommand("arctl.cli.contact", "app",
                           "The contact log (沟通记录): calls, visits, letters and the reminders sent."),
    "today": LazyCommand("arctl.cli.today", "app",
                         "Today's worklist: what to call, check, resolve or apply, most urgent first."),
    "db": LazyCommand("arctl.cli.db", "app", "The ledger database: where it is, its schema revision, upgrades."),
}  # fmt: skip


def run() -> None:
    """Console-script entry point, with two start-up measures checked by bench/startup.py:

    - a higher GC threshold: importing SQLAlchemy allocates some 10^5 objects, and the default
      threshold runs hundreds of pointless collections on the way (~15 % of `arctl balance`);
    - no interpreter teardown once the command has finished: by then every transaction is committed
      and every file closed, and tearing down SQLAlchemy's module graph costs ~0.1 s.
    """
    gc.set_threshold(100_000, 50, 1000)
    code: int = 0
    try:
        app()
    except SystemExit as exc:
        if isinstance(exc.code, str):
            print(exc.code, file=sys.stderr)
            code = 1
        else:
            code = exc.code or 0
    except KeyboardInterrupt:
        print("interrupted; nothing was changed", file=sys.stderr)
        code = 130
    except BrokenPipeError:  # `arctl aging | head`: the reader has what it wanted
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - nothing more may reach the closed pipe
        code = 141
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(BrokenPipeError, ValueError):  # the reader went away (| head)
            stream.flush()
    os._exit(code)
