"""arctl bank import|profiles|match|review|confirm|reject|assign|undo|status"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from arctl.cli._context import app_context, as_date, ledger
from arctl.cli._options import AsOf, Encoding, ExcelCsv, Format, On, OutputFormat, OutputPath, Wide
from arctl.cli._output import emit, say, warn

app = typer.Typer(
    rich_markup_mode=None,
    help="Bank statements: import, match to open installments (对账/核销), review, confirm, undo.",
    no_args_is_help=True,
)

Lines = Annotated[
    list[int], typer.Argument(metavar="LINE...", help="Bank line numbers (see `arctl bank review`).")
]


@app.command("import")
def import_(
    ctx: typer.Context,
    files: Annotated[
        list[Path], typer.Argument(metavar="FILE...", help="Bank files: CSV/XLS/XLSX, OFX, MT940, CAMT.053.")
    ],
    account: Annotated[
        str | None, typer.Option(metavar="ACCOUNT", help="Our account, for files that do not name it.")
    ] = None,
    profile: Annotated[
        str | None,
        typer.Option(metavar="PROFILE", help="Layout name (see `arctl bank profiles`) or a .toml profile file."),
    ] = None,
    encoding: Encoding = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Read and check everything, change nothing.")] = False,
    force: Annotated[
        bool,
        typer.Option("--force", help="Import a statement whose balances do not add up; record the difference."),
    ] = False,
) -> None:
    """Import bank statements: only money in is kept; nothing is imported twice.

    The layout is recognised (or named with --profile). All files go in one transaction: a bad file
    (named with its line and field) leaves the ledger untouched. The same file again, or an overlapping
    statement, adds only lines not yet in the ledger. Then run `arctl bank match`.

    \b
    Examples:
      arctl bank import ~/Downloads/icbc-2026-11.csv camt053-2026-11-20.xml
      arctl bank import statement.csv --profile icbc --encoding gbk --dry-run
    """
    from arctl.services.bank_import import import_files

    with ledger(ctx) as db:
        summaries = import_files(db, files, account=account, profile=profile, encoding=encoding, force=force,
                                 dry_run=dry_run)  # fmt: skip
    quiet = app_context(ctx).quiet
    for s in summaries:
        if s.already_imported is not None:
            say(f"{s.path}: already imported (import {s.already_imported}); {s.skipped} line(s) skipped")
            continue
        verb = "would add" if dry_run else "added"
        what = f"{s.path}: {s.format}"
        if s.encoding and s.encoding not in ("utf-8", "xlsx", "xml"):
            what += f" ({s.encoding})"
        say(f"{what}: {verb} {s.added} line(s) of money in, skipped {s.skipped} already imported, "
            f"ignored {s.ignored} (payments out, non-cash)" + ("" if dry_run else f" — import {s.import_id}"))  # fmt: skip
        for check in s.forced:
            warn(f"{s.path}: imported with --force although {check.describe()}")
        if not quiet:
            for note in s.notes:
                say(f"  {note}")
    if dry_run:
        say("dry run: nothing was changed")


@app.command("profiles")
def profiles(ctx: typer.Context, fmt: OutputFormat = Format.table, output: OutputPath = None) -> None:
    """The bank layouts arctl reads: built-in ones and your own TOML profiles."""
    from arctl.services.bank_profiles import list_profiles

    emit(list_profiles(), fmt, output, quiet=app_context(ctx).quiet)


@app.command("match")
def match(
    ctx: typer.Context,
    auto: Annotated[bool, typer.Option("--auto", help="Confirm sure, unique proposals at once.")] = False,
    threshold: Annotated[
        int | None,
        typer.Option(metavar="SCORE", min=1, max=100, help="Score a proposal needs to be sure (default 90)."),
    ] = None,
    as_of: AsOf = None,
) -> None:
    """Propose matches for unmatched bank lines (payer, invoice numbers in the memo, amounts, sets).

    Every proposal has a score and the reasons for it. With --auto, proposals that are sure (score at
    or above the threshold, and no rival close to it) are confirmed; ties never are. The rest wait for
    `arctl bank review`.
    """
    from arctl.services.bank_match import match_lines

    with ledger(ctx) as db:
        s = match_lines(db, as_of=as_date(as_of, "--as-of"), auto=auto, threshold=threshold)
    say(f"{s.lines} line(s): {s.proposed} with proposals ({s.sure} sure), {s.unmatched} without")
    if auto:
        say(
            f"auto-confirmed {len(s.applied)} line(s)"
            + (f": {', '.join(map(str, s.applied))}" if s.applied else "")
        )
        for line_id, why in s.not_applied:
            warn(f"line {line_id} not confirmed: {why}")
    if s.suggested:
        say(f"{s.suggested} line(s) wait for review: arctl bank review")


@app.command("review")
def review(
    ctx: typer.Context,
    all_: Annotated[bool, typer.Option("--all", help="Every proposal of each line, not only the best.")] = False,
    fmt: OutputFormat = Format.table,
    output: OutputPath = None,
    wide: Wide = False,
    excel_csv: ExcelCsv = False,
) -> None:
    """Bank lines waiting for a decision, with the proposed match, its score and why.

    \b
    Review outside the terminal:
      arctl bank review --format csv -o review.csv     (or --format xlsx)
      # fill the 'decision' column: confirm / reject / assign (+ customer, items)
      arctl bank confirm --from-file review.csv
    """
    from arctl.services.bank_review import review as build

    with ledger(ctx) as db:
        report = build(db, all_proposals=all_)
    emit(report, fmt, output, wide=wide, excel_csv=excel_csv, quiet=app_context(ctx).quiet)


def _print(decisions) -> None:  # type: ignore[no-untyped-def]
    for d in decisions:
        who = f" → {d.customer}" if d.customer else ""
        say(f"line {d.line_id}: {d.action}{who}: {d.detail}" if d.line_id else d.detail)


@app.command("confirm")
def confirm(
    ctx: typer.Context,
    lines: Annotated[list[int] | None, typer.Argument(metavar="[LINE...]", help="Bank lines to confirm.")] = None,
    proposal: Annotated[int, typer.Option(metavar="N", min=1, help="Which proposal (default: the best, 1).")] = 1,
    from_file: Annotated[
        Path | None, typer.Option("--from-file", metavar="FILE", help="Apply a reviewed sheet (csv or xlsx).")
    ] = None,
    encoding: Encoding = None,
) -> None:
    """Confirm proposed matches: each line becomes a payment applied as proposed. All or nothing.

    Confirming teaches arctl the payer's name and account, so their next transfer is recognised.
    """
    from arctl.services import bank_match, bank_review

    if not lines and from_file is None:
        raise typer.BadParameter("give LINE numbers or --from-file FILE", param_hint="LINE")
    with ledger(ctx) as db:
        if from_file is not None:
            decisions = bank_review.apply_review(db, from_file, encoding=encoding)
            if not decisions:
                say(f"{from_file}: no row has a decision; nothing changed")
        else:
            decisions = bank_match.confirm(db, lines or [], rank=proposal)
    _print(decisions)


@app.command("reject")
def reject(
    ctx: typer.Context,
    lines: Lines,
    proposal: Annotated[
        int | None, typer.Option(metavar="N", min=1, help="Only this proposal (default: all).")
    ] = None,
) -> None:
    """Turn down proposals; they are not proposed again for that line."""
    from arctl.services.bank_match import reject as run

    with ledger(ctx) as db:
        _print(run(db, lines, rank=proposal))


@app.command("assign")
def assign(
    ctx: typer.Context,
    line: Annotated[int, typer.Argument(metavar="LINE", help="Bank line number.")],
    customer: Annotated[str, typer.Argument(metavar="CUSTOMER", help="Customer code, prefix or name.")],
    to: Annotated[
        list[str] | None,
        typer.Option(
            "--to",
            metavar="TARGET",
            help="Apply to INVOICE[:SEQ][=AMOUNT] (repeatable; default: oldest due first).",
        ),
    ] = None,
) -> None:
    """Match a line by hand: it is this customer's money (for these items). Teaches the payer's name."""
    from arctl.services.bank_match import assign as run

    with ledger(ctx) as db:
        _print([run(db, line, customer, to or [])])


@app.command("undo")
def undo(
    ctx: typer.Context,
    line: Annotated[int | None, typer.Argument(metavar="[LINE]", help="A matched bank line.")] = None,
    import_id: Annotated[
        int | None, typer.Option("--import", metavar="ID", help="Undo a whole import (see `arctl bank status`).")
    ] = None,
    on: On = None,
    reason: Annotated[str, typer.Option(metavar="REASON", help="Why (kept in the audit trail).")] = "",
) -> None:
    """Undo a match (its payment is reversed, dated) or a whole import (its lines set aside, so the file
    can be imported again)."""
    from arctl.services import bank_match

    if (line is None) == (import_id is None):
        raise typer.BadParameter("give either a LINE or --import ID", param_hint="LINE")
    day = as_date(on, "--on")
    with ledger(ctx) as db:
        if import_id is not None:
            decisions = bank_match.undo_import(db, import_id, on=day, reason=reason)
        else:
            assert line is not None
            decisions = [bank_match.undo_line(db, line, on=day, reason=reason)]
    _print(decisions)


@app.command("status")
def status(
    ctx: typer.Context,
    unmatched_days: Annotated[
        int | None,
        typer.Option("--unmatched-days", metavar="N", min=0, help="Also list lines still unmatched after N days."),
    ] = None,
    strict: Annotated[
        bool, typer.Option("--strict", help="Exit 3 when lines are unmatched after --unmatched-days (for cron).")
    ] = False,
    as_of: AsOf = None,
    fmt: OutputFormat = Format.table,
    output: OutputPath = None,
    wide: Wide = False,
    excel_csv: ExcelCsv = False,
) -> None:
    """Per import: lines, matched, suggested, unmatched, and unapplied cash; optionally stale lines.

    \b
    For cron (exit 3 when money has waited more than 3 days for a match):
      arctl bank status --unmatched-days 3 --strict --format csv -o /srv/ar/unmatched-{date}.csv
    """
    from arctl.domain.errors import Findings
    from arctl.services.bank_review import stale_lines
    from arctl.services.bank_review import status as build

    if strict and unmatched_days is None:
        raise typer.BadParameter("--strict needs --unmatched-days N", param_hint="--strict")
    day = as_date(as_of, "--as-of")
    quiet = app_context(ctx).quiet
    with ledger(ctx) as db:
        report = (
            stale_lines(db, as_of=day, days=unmatched_days) if unmatched_days is not None else build(db, as_of=day)
        )
    emit(report, fmt, output, wide=wide, excel_csv=excel_csv, quiet=quiet)
    if strict and report.rows:
        raise Findings(f"{len(list(report.rows))} bank line(s) unmatched for more than {unmatched_days} days")
