"""What the clerk reads and hands back: open proposals to review, a reviewed sheet to apply, import status.

The review sheet is the same report in every format: `arctl bank review --format csv -o r.csv`, fill in
the `decision` column (confirm / reject / assign, with `customer` and `items` for assign), then
`arctl bank confirm --from-file r.csv` applies every decided row in one transaction.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from arctl.db.bank_models import BankImport, BankLine, BankProposal
from arctl.db.engine import Database
from arctl.db.models import Allocation, Customer, Installment, Invoice, Payment
from arctl.domain.errors import ArctlError, InvalidInput
from arctl.domain.money import Money, format_amount
from arctl.domain.report import Column, Report, Row
from arctl.importers.tabular import Table, read_table
from arctl.services import bank_match
from arctl.services.bank_match import Decision

DECISIONS = ("confirm", "reject", "assign")

REVIEW_COLUMNS = (
    Column("line", "Line", "int"),
    Column("booked_on", "Booked", "date"),
    Column("amount", "Amount", "money"),
    Column("payer", "Payer"),
    Column("customer", "Customer"),
    Column("invoices", "Invoices"),
    Column("score", "Score", "int"),
    Column("sure", "Sure"),
    Column("proposal", "#", "int", wide_only=True),
    Column("items", "Items", wide_only=True),
    Column("rule", "Rule", wide_only=True),
    Column("fee", "Fee", "money", wide_only=True),
    Column("unapplied", "Unapplied", "money", wide_only=True),
    Column("reasons", "Why", wide_only=True),
    Column("memo", "Memo", wide_only=True),
    Column("decision", "Decision", wide_only=True),
)


def review(db: Database, *, all_proposals: bool = False, include_unmatched: bool = True) -> Report:
    """Open proposals, best first per line (every rank with `all_proposals`), then lines with none."""
    with db.read() as session:
        query = (
            select(BankProposal, BankLine)
            .join(BankLine, BankLine.id == BankProposal.line_id)
            .where(BankProposal.status == "open", BankLine.status.in_(bank_match.OPEN_LINE_STATES))
            .order_by(BankLine.booked_on, BankLine.id, BankProposal.rank)
        )
        if not all_proposals:
            query = query.where(BankProposal.rank == 1)
        pairs = session.execute(query).all()
        labels = _item_labels(session, [p for p, _ in pairs])
        codes = dict(session.execute(select(Customer.id, Customer.code)).all())
        rows = [_review_row(line, p, labels, codes) for p, line in pairs]
        if include_unmatched:
            bare = session.execute(
                select(BankLine).where(BankLine.status == "unmatched").order_by(BankLine.booked_on, BankLine.id)
            ).scalars()  # fmt: skip
            rows.extend(_line_cells(line) | {"reasons": "no proposal", "decision": ""} for line in bare)
    sure = sum(1 for r in rows if r.get("sure") == "yes")
    notes = [f"{len(rows)} line(s) to review, {sure} sure",
             "apply decisions: fill the decision column (confirm/reject/assign) and run "
             "`arctl bank confirm --from-file FILE`"]  # fmt: skip
    return Report("bank-review", "Bank lines to review", REVIEW_COLUMNS, rows, notes=notes)


def _line_cells(line: BankLine) -> Row:
    return {
        "line": line.id, "booked_on": line.booked_on, "amount": Money(line.amount_minor, line.currency),
        "payer": line.payer_name or line.payer_account, "memo": line.memo,
    }  # fmt: skip


def _review_row(line: BankLine, p: BankProposal, labels: dict[int, str], codes: dict[int, str]) -> Row:
    allocations = json.loads(p.allocations)
    items = ", ".join(f"{labels[i]}={format_amount(a, line.currency)}" for i, a in allocations)
    invoices = ", ".join(dict.fromkeys(labels[i].rsplit(":", 1)[0] for i, _ in allocations))
    reasons = "; ".join(f"{label} {points:+d}" + (f" ({detail})" if detail else "")
                        for label, points, detail in json.loads(p.reasons))  # fmt: skip
    return _line_cells(line) | {
        "proposal": p.rank, "customer": codes.get(p.customer_id, "") if p.customer_id else "",
        "invoices": invoices, "items": items, "score": p.score, "sure": "yes" if p.sure else "", "rule": p.rule,
        "fee": Money(p.fee_minor, line.currency) if p.fee_minor else None,
        "unapplied": Money(p.unapplied_minor, line.currency) if p.unapplied_minor else None,
        "reasons": reasons, "decision": "",
    }  # fmt: skip


def _item_labels(session: Session, proposals: list[BankProposal]) -> dict[int, str]:
    """installment id → INVOICE:SEQ, in one query."""
    ids = {i for p in proposals for i, _ in json.loads(p.allocations)}
    labels: dict[int, str] = {}
    id_list = sorted(ids)
    for start in range(0, len(id_list), 500):
        chunk = id_list[start : start + 500]
        query = (
            select(Installment.id, Invoice.number, Installment.seq).join(Invoice).where(Installment.id.in_(chunk))
        )
        labels.update({i: f"{number}:{seq}" for i, number, seq in session.execute(query)})
    return labels


# --- a reviewed sheet ------------------------------------------------------------------------------------

_SHEET_ALIASES = {
    "line": "line", "行": "line", "decision": "decision", "决定": "decision", "操作": "decision",
    "#": "proposal", "proposal": "proposal", "customer": "customer", "客户": "customer", "items": "items",
}  # fmt: skip


def apply_review(db: Database, path: str | Path, *, encoding: str | None = None) -> list[Decision]:
    """Apply every row of a reviewed sheet that carries a decision, all in one transaction."""
    table = read_table(path, _SHEET_ALIASES, ("line", "decision"), encoding=encoding, title_rows=5)
    decisions: list[Decision] = []
    with db.write() as session:
        for row in table.rows:
            decision = row.values.get("decision", "").strip().lower()
            if not decision:
                continue
            try:
                decisions.append(_apply_row(session, row.values, decision))
            except ArctlError as exc:
                raise _located(table, row.number, exc) from None
    return decisions


def _located(table: Table, number: int, exc: ArctlError) -> InvalidInput:
    column = table.columns.get(exc.field or "", exc.field) if exc.field else None
    return InvalidInput(exc.reason, file=table.path, row=number, field=column, hint=exc.hint)


def _apply_row(session: Session, values: dict[str, str], decision: str) -> Decision:
    if decision not in DECISIONS:
        raise InvalidInput(
            f"{decision!r} is not one of: {', '.join(DECISIONS)} (or empty to skip)", field="decision"
        )
    text = values.get("line", "").strip()
    if not text.isdigit():
        raise InvalidInput(f"{text!r} is not a bank line number", field="line")
    line_id = int(text)
    rank_text = values.get("proposal", "").strip() or "1"
    if not rank_text.isdigit():
        raise InvalidInput(f"{rank_text!r} is not a proposal number", field="proposal")
    line = bank_match._open_line(session, line_id)
    if decision == "confirm":
        return bank_match._confirm(
            session, line, bank_match._proposal(session, line, int(rank_text)), how="confirm"
        )
    if decision == "assign":
        customer = values.get("customer", "").strip()
        if not customer:
            raise InvalidInput("assign needs a customer", field="customer")
        items = [t.strip() for t in values.get("items", "").replace(";", ",").split(",") if t.strip()]
        return bank_match._assign(session, line, customer, items)
    return _reject_in(session, line)


def _reject_in(session: Session, line: BankLine) -> Decision:
    rows = session.execute(
        select(BankProposal).where(BankProposal.line_id == line.id, BankProposal.status == "open")
    ).scalars().all()  # fmt: skip
    for row in rows:
        row.status = "rejected"
    line.status = "unmatched"
    from arctl.db import audit

    audit.record(session, "bank.reject", "bank_line", line.id, after={"rejected": [r.id for r in rows]})
    return Decision(line.id, "reject", None, None, f"{len(rows)} proposal(s) rejected")


# --- status ----------------------------------------------------------------------------------------------

STATUS_COLUMNS = (
    Column("import", "Import", "int"),
    Column("file", "File"),
    Column("lines", "Lines", "int"),
    Column("matched", "Matched", "int"),
    Column("suggested", "Suggested", "int"),
    Column("unmatched", "Unmatched", "int"),
    Column("unmatched_amount", "Unmatched amount", "money"),
    Column("unapplied", "Unapplied cash", "money"),
    Column("imported", "Imported", wide_only=True),
    Column("format", "Format", wide_only=True),
    Column("state", "State", wide_only=True),
)

ALERT_COLUMNS = (
    Column("line", "Line", "int"),
    Column("booked_on", "Booked", "date"),
    Column("days", "Days", "int"),
    Column("amount", "Amount", "money"),
    Column("payer", "Payer"),
    Column("memo", "Memo"),
)


def status(db: Database, *, as_of: date) -> Report:
    """Per import (and currency): lines added, matched, suggested, unmatched, unapplied cash left on them."""
    with db.read() as session:
        counts: dict[tuple[int, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for import_id, currency, state, n, total in session.execute(
            select(BankLine.import_id, BankLine.currency, BankLine.status, func.count(), func.sum(BankLine.amount_minor))
            .group_by(BankLine.import_id, BankLine.currency, BankLine.status)
        ):  # fmt: skip
            counts[(import_id, currency)][state] += n
            if state in bank_match.OPEN_LINE_STATES:
                counts[(import_id, currency)]["open_amount"] += total
        unapplied = _unapplied_by_import(session)
        imports = {b.id: b for b in session.execute(select(BankImport).order_by(BankImport.id)).scalars()}
        rows: list[Row] = []
        for batch in imports.values():
            currencies = sorted(c for i, c in counts if i == batch.id) or [""]
            for currency in currencies:
                c = counts.get((batch.id, currency), {})
                rows.append({
                    "import": batch.id, "imported": batch.imported_at[:10], "file": Path(batch.filename).name,
                    "format": batch.format, "lines": sum(c.get(s, 0) for s in ("matched", "suggested", "unmatched", "undone")),
                    "matched": c.get("matched", 0), "suggested": c.get("suggested", 0), "unmatched": c.get("unmatched", 0),
                    "unmatched_amount": Money(c.get("open_amount", 0), currency) if currency else None,
                    "unapplied": Money(unapplied.get((batch.id, currency), 0), currency) if currency else None,
                    "state": f"undone {batch.undone_on}" if batch.undone_on else "",
                })  # fmt: skip
    return Report("bank-status", "Bank imports", STATUS_COLUMNS, rows, as_of=as_of)


def _unapplied_by_import(session: Session) -> dict[tuple[int, str], int]:
    """Cash from matched lines that is still not applied to any installment (over-payments)."""
    applied = (
        select(func.coalesce(func.sum(Allocation.amount_minor), 0))
        .where(Allocation.payment_id == Payment.id, Allocation.reversed_on.is_(None))
        .scalar_subquery()
    )
    query = (
        select(BankLine.import_id, Payment.currency, func.sum(Payment.amount_minor - applied))
        .join(Payment, Payment.id == BankLine.payment_id)
        .where(BankLine.status == "matched", Payment.reversed_on.is_(None))
        .group_by(BankLine.import_id, Payment.currency)
    )
    return {(i, c): int(total or 0) for i, c, total in session.execute(query)}


def stale_lines(db: Database, *, as_of: date, days: int) -> Report:
    """Lines still not matched `days` after they were booked: the cron alert."""
    cutoff = as_of - timedelta(days=days)
    with db.read() as session:
        lines = session.execute(
            select(BankLine)
            .where(BankLine.status.in_(bank_match.OPEN_LINE_STATES), BankLine.booked_on < cutoff)
            .order_by(BankLine.booked_on, BankLine.id)
        ).scalars().all()  # fmt: skip
        rows: list[Row] = [
            {
                "line": line.id,
                "booked_on": line.booked_on,
                "days": (as_of - line.booked_on).days,
                "amount": Money(line.amount_minor, line.currency),
                "payer": line.payer_name or line.payer_account,
                "memo": line.memo,
            }
            for line in lines
        ]
    return Report("bank-unmatched", f"Bank lines unmatched for more than {days} days", ALERT_COLUMNS, rows,
                  as_of=as_of)  # fmt: skip
