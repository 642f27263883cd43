"""arctl remind policy|run|calls|list|show|mark|templates"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from arctl.cli._context import app_context, as_date, ledger
from arctl.cli._options import AsOf, Format, On, OutputFormat, OutputPath, Wide
from arctl.cli._output import emit, emit_document, say

app = typer.Typer(
    rich_markup_mode=None,
    help="Reminders (催款): the dunning ladder, emails, letters and call sheets — never twice.",
    no_args_is_help=True,
)


@app.command("policy")
def policy(
    ladder: Annotated[str | None, typer.Option(metavar="NAME", help="Show only this ladder.")] = None,
    fmt: OutputFormat = Format.table,
    output: OutputPath = None,
    wide: Wide = False,
) -> None:
    """Show the dunning policy in force: ladders, steps, who follows which, holds.

    The shipped policy, overridden by policy.toml in the config folder ($ARCTL_CONFIG_DIR, else
    ~/.config/arctl): a [ladders.NAME] table replaces or adds a ladder; default, rules, [exclude] and
    [holds] replace the shipped ones. Step offsets are days from the due date (-7 = a week before).

    \b
    Examples:
      arctl remind policy
      arctl remind policy --ladder strict --wide
    """
    from arctl.services.remind_reports import policy_report

    emit(policy_report(ladder), fmt, output, wide=wide)


@app.command("run")
def run(
    ctx: typer.Context,
    as_of: AsOf = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Plan and render everything; record, write and send nothing.")
    ] = False,
    outbox: Annotated[
        Path | None,
        typer.Option(
            metavar="DIR",
            help="Write emails (.eml) and letters (.html) under DIR/<date>/ "
            "(default: $ARCTL_OUTBOX, else outbox/ beside the per-user ledger).",
        ),
    ] = None,
    send: Annotated[
        bool, typer.Option("--send", help="Send emails over SMTP ([mail] in arctl.toml, $ARCTL_SMTP_*).")
    ] = False,
    customer: Annotated[
        list[str] | None, typer.Option(metavar="CUSTOMER", help="Only these customers (repeatable).")
    ] = None,
    fmt: OutputFormat = Format.table,
    output: OutputPath = None,
    wide: Wide = False,
) -> None:
    """Take today's dunning steps: one message per customer and channel, each step once.

    For every open installment the highest step now due is taken (after missed days: one message at the
    right step, not one per day); paid, disputed, promised and legal-hold items are skipped, and the
    summary says why. Emails go to the outbox as .eml files, or out by SMTP with --send; formal letters
    are written as printable HTML; calls and visits become tasks (`arctl remind calls`). Every step is
    recorded, so a second run on the same day does nothing. Exit 1 if the SMTP server refused a message
    (those sent are recorded; the next run sends the rest). Emails and letters are signed with the
    [company] table of arctl.toml in the config folder ($ARCTL_CONFIG_DIR, else ~/.config/arctl).

    \b
    Examples:
      arctl remind run --dry-run
      arctl remind run --outbox ~/outbox
      arctl remind run --send --format csv --output reminders-{date}.csv
    """
    from arctl.services.remind import run as run_reminders
    from arctl.services.remind_reports import run_reports

    if send and outbox is not None:
        raise typer.BadParameter("--send and --outbox are alternatives: pick one", param_hint="--send")
    mode = "dry-run" if dry_run else "send" if send else "outbox"
    when = as_date(as_of, "--as-of")
    with ledger(ctx) as db:
        result = run_reminders(db, as_of=when, mode=mode, outbox=outbox, customers=customer or ())
    reports = run_reports(result)
    if fmt == Format.table and output is None and not result.skipped:
        reports = reports[:1]  # files keep both sections, always, for programs that read them
    emit_document("remind-run", [], reports, fmt, output, as_of=when, wide=wide, quiet=app_context(ctx).quiet)
    if result.failed:
        raise typer.Exit(1)


@app.command("calls")
def calls(
    ctx: typer.Context,
    as_of: AsOf = None,
    collector: Annotated[str | None, typer.Option(metavar="NAME", help="Only this collector's customers.")] = None,
    fmt: OutputFormat = Format.table,
    output: OutputPath = None,
    wide: Wide = False,
) -> None:
    """The call sheet: open phone, visit and legal tasks, with contacts and what is still owed.

    A task closes when the call or visit is logged (`arctl contact log CUSTOMER --channel phone ...`).
    --wide or a file format adds the items and the call script.

    \b
    Examples:
      arctl remind calls
      arctl remind calls --format xlsx --output calls-{date}.xlsx
    """
    from arctl.services.remind_reports import tasks_report

    when = as_date(as_of, "--as-of")
    with ledger(ctx) as db:
        report = tasks_report(db, when, collector)
    emit(report, fmt, output, wide=wide, quiet=app_context(ctx).quiet)


@app.command("list")
def list_(
    ctx: typer.Context,
    customer: Annotated[str | None, typer.Argument(metavar="[CUSTOMER]", help="Only this customer.")] = None,
    since: Annotated[str | None, typer.Option(metavar="DATE", help="Only runs on or after DATE.")] = None,
    status: Annotated[
        str | None, typer.Option(metavar="STATUS", help="sent, written, task, done, failed or sending.")
    ] = None,
    fmt: OutputFormat = Format.table,
    output: OutputPath = None,
    wide: Wide = False,
) -> None:
    """Reminders recorded (newest first): what went to whom, on which channel, at which step.

    \b
    Examples:
      arctl remind list HZJX
      arctl remind list --status failed
    """
    from arctl.db.collection_models import MESSAGE_STATUSES
    from arctl.services.remind_reports import history_report

    if status is not None and status not in MESSAGE_STATUSES:
        raise typer.BadParameter(f"{status!r} is not one of {', '.join(MESSAGE_STATUSES)}", param_hint="--status")
    with ledger(ctx) as db:
        report = history_report(db, customer=customer, since=None if since is None else as_date(since, "--since"),
                                status=status)  # fmt: skip
    emit(report, fmt, output, wide=wide, quiet=app_context(ctx).quiet)


@app.command("show")
def show(
    ctx: typer.Context,
    message: Annotated[int, typer.Argument(metavar="ID", help="Message id (see `arctl remind list`).")],
) -> None:
    """Show one reminder as it was sent: recipient, subject, text, items, status.

    \b
    Example:
      arctl remind show 42
    """
    from arctl.services.remind_reports import message_detail

    with ledger(ctx) as db:
        d = message_detail(db, message)
    say(f"reminder {d.id} — {d.customer} — {d.run_on} — {d.channel}, step {d.step} — {d.status}")
    if d.recipient:
        say(f"to: {d.recipient}")
    if d.file:
        say(f"file: {d.file}")
    if d.error:
        say(f"error: {d.error}")
    say(f"items: {', '.join(d.items) or '(released)'}")
    say(f"subject: {d.subject}")
    say("")
    say(d.body.rstrip())


@app.command("mark")
def mark(
    ctx: typer.Context,
    message: Annotated[int, typer.Argument(metavar="ID", help="A message left 'sending' by an interrupted run.")],
    sent: Annotated[bool, typer.Option("--sent/--failed", help="What the mail server's log says happened.")],
    on: On = None,
) -> None:
    """Settle a message an interrupted run left 'sending' (never re-sent blindly).

    --sent records it as delivered; --failed releases its steps so the next run sends it again.

    \b
    Example:
      arctl remind mark 42 --failed
    """
    from arctl.services.remind import mark as settle

    with ledger(ctx) as db:
        outcome = settle(db, message, sent=sent, on=as_date(on, "--on"))
    say(f"reminder {message}: marked {outcome}")


@app.command("templates")
def templates() -> None:
    """List the message templates: shipped ones, and the user's overrides (config folder templates/).

    \b
    Example:
      arctl remind templates
    """
    from arctl.services.remind_reports import template_list

    for name, language, source in template_list():
        say(f"{name:<12} {language}  {source}")
