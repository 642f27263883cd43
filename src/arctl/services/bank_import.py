"""`arctl bank import`: read bank files into bank lines, all files in one transaction, nothing twice.

Every file is read completely before anything is written; any bad file, or a statement whose balances do
not add up (unless forced), leaves the ledger untouched. The same bytes again are recognised by their
hash; an overlapping statement adds only the lines the ledger does not have yet (bank id, else content
hash plus occurrence index within the file).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from arctl.db import audit
from arctl.db.audit import utc_now
from arctl.db.bank_models import BankImport, BankStatement
from arctl.db.bank_models import BankLine as LineRow
from arctl.db.bank_repo import known_keys
from arctl.db.bulk import insert_tuples
from arctl.db.engine import Database
from arctl.domain.bank import BalanceCheck, ImportSummary, dedupe_keys, line_identity
from arctl.domain.errors import InvalidInput
from arctl.domain.money import totals_by_currency
from arctl.importers.bank import all_readers, choose_reader
from arctl.importers.bank.base import BankLine, Reader, Statement
from arctl.services.imports import file_sha256
from arctl.services.settings import profiles_dir


class DryRun(Exception):
    """Raised inside the write transaction to roll it back after computing what would happen."""


@dataclass(frozen=True, slots=True)
class _Read:
    path: Path
    sha256: str
    reader: Reader
    statements: list[Statement]


def import_files(
    db: Database,
    paths: Sequence[str | Path],
    *,
    account: str | None = None,
    profile: str | None = None,
    encoding: str | None = None,
    force: bool = False,
    dry_run: bool = False,
) -> list[ImportSummary]:
    readers = all_readers(profiles_dir())
    reads = [_read(Path(p), readers, profile, encoding) for p in paths]
    for read in reads:
        if not force:
            _check_balances(read)
    summaries: list[ImportSummary] = []
    try:
        with db.write() as session:
            for read in reads:
                summaries.append(_store(session, read, account=(account or "").strip(), force=force))
            if dry_run:
                raise DryRun
    except DryRun:
        pass
    return summaries


def _read(path: Path, readers: Sequence[Reader], profile: str | None, encoding: str | None) -> _Read:
    if not path.is_file():
        raise InvalidInput("no such file", file=str(path))
    reader = choose_reader(path, readers, profile)
    return _Read(path, file_sha256(path), reader, reader.extract(path, encoding=encoding))


def _balance(statement: Statement) -> BalanceCheck | None:
    if statement.opening_minor is None or statement.closing_minor is None:
        return None
    moved = sum(line.amount_minor for line in statement.lines if line.counted)
    return BalanceCheck(statement.account, statement.currency, statement.opening_minor, moved,
                        statement.closing_minor)  # fmt: skip


def _check_balances(read: _Read) -> None:
    for statement in read.statements:
        check = _balance(statement)
        if check is not None and check.difference != 0:
            raise InvalidInput(
                f"the statement does not add up: {check.describe()}",
                file=str(read.path),
                hint="nothing was imported; ask the bank for a complete statement, or pass --force to import "
                "it anyway and record the difference",
            )


def _is_cash_in(line: BankLine) -> bool:
    return line.counted and line.amount_minor > 0


def _store(session: Session, read: _Read, *, account: str, force: bool) -> ImportSummary:
    lines_read = sum(len(s.lines) for s in read.statements)
    credits = [(s, line) for s in read.statements for line in s.lines if _is_cash_in(line)]
    encoding = next((s.encoding for s in read.statements if s.encoding), "")
    earlier = session.execute(
        select(BankImport.id).where(BankImport.sha256 == read.sha256, BankImport.undone_on.is_(None))
    ).scalar()
    if earlier is not None:
        return ImportSummary(
            path=str(read.path), format=read.reader.name, encoding=encoding, statements=len(read.statements),
            lines_read=lines_read, credits=len(credits), added=0, skipped=len(credits),
            ignored=lines_read - len(credits), import_id=None, already_imported=earlier,
        )  # fmt: skip
    keys = dedupe_keys(
        line_identity(
            account=statement.account or account, source=read.reader.name, bank_ref=line.bank_ref,
            booked_on=line.booked_on, currency=line.currency, amount_minor=line.amount_minor,
            payer_name=line.payer_name, payer_account=line.payer_account, memo=line.memo,
        )
        for statement, line in credits
    )  # fmt: skip
    known = known_keys(session, keys)
    batch = BankImport(
        filename=str(read.path), sha256=read.sha256, format=read.reader.name, encoding=encoding or None,
        lines_read=lines_read, lines_added=0, lines_skipped=0, imported_at=utc_now(),
    )  # fmt: skip
    session.add(batch)
    session.flush()
    statement_rows, forced = _statements(session, batch, read, account, force)
    added: list[dict[str, object]] = []
    for (statement, line), key in zip(credits, keys, strict=True):
        if key in known:
            continue
        known.add(key)  # the same key twice in one run (two overlapping files) is still one line
        added.append(_line_values(batch, statement_rows[id(statement)], statement, line, key, account))
    # tuples straight to the driver: a 100k-line statement must not build 100k ORM objects (nor dicts)
    insert_tuples(session.connection(), LineRow.__table__, _LINE_COLUMNS, [tuple(r.values()) for r in added])
    batch.lines_added, batch.lines_skipped = len(added), len(credits) - len(added)
    session.flush()
    audit.record(session, "bank.import", "bank_import", batch.id, after={
        "file": batch.filename, "sha256": batch.sha256, "format": batch.format, "lines_read": lines_read,
        "added": batch.lines_added, "skipped": batch.lines_skipped,
        "forced": [c.describe() for c in forced],
    })  # fmt: skip
    # once per file, not once per currency statement
    notes = tuple(dict.fromkeys(note for s in read.statements for note in s.notes))
    return ImportSummary(
        path=str(read.path), format=read.reader.name, encoding=encoding, statements=len(read.statements),
        lines_read=lines_read, credits=len(credits), added=len(added), skipped=len(credits) - len(added),
        ignored=lines_read - len(credits), import_id=batch.id, forced=tuple(forced), notes=notes,
        amounts=tuple(sorted(totals_by_currency((str(r["currency"]), int(r["amount_minor"])) for r in added).items())),
    )  # fmt: skip


def _statements(
    session: Session, batch: BankImport, read: _Read, account: str, force: bool
) -> tuple[dict[int, BankStatement], list[BalanceCheck]]:
    rows: dict[int, BankStatement] = {}
    forced: list[BalanceCheck] = []
    for statement in read.statements:
        check = _balance(statement)
        difference = None
        if check is not None and check.difference != 0 and force:
            forced.append(check)
            difference = check.difference
        row = BankStatement(
            import_id=batch.id, account=statement.account or account, currency=statement.currency,
            statement_ref=statement.statement_ref or None, opening_minor=statement.opening_minor,
            closing_minor=statement.closing_minor, difference_minor=difference,
        )  # fmt: skip
        session.add(row)
        session.flush()
        rows[id(statement)] = row
    return rows, forced


_LINE_COLUMNS = ("import_id", "statement_id", "source_line", "account", "booked_on", "value_on", "currency",
                 "amount_minor", "payer_name", "payer_account", "memo", "bank_ref", "kind", "content_key",
                 "dedupe_key", "status")  # fmt: skip
"""The keys of `_line_values`, in its order."""


def _line_values(
    batch: BankImport, statement_row: BankStatement, statement: Statement, line: BankLine, key: str, account: str
) -> dict[str, object]:
    return {
        "import_id": batch.id, "statement_id": statement_row.id, "source_line": line.line,
        "account": statement.account or account, "booked_on": _iso(line.booked_on), "value_on": _iso(line.value_on),
        "currency": line.currency, "amount_minor": line.amount_minor, "payer_name": line.payer_name[:200],
        "payer_account": line.payer_account[:64], "memo": line.memo, "bank_ref": line.bank_ref[:80],
        "kind": line.kind[:40], "content_key": key, "dedupe_key": key, "status": "unmatched",
    }  # fmt: skip


def _iso(day: date | None) -> str | None:
    """A date as the driver stores it (ISO text, as SQLAlchemy's Date type writes it on SQLite)."""
    return None if day is None else day.isoformat()
