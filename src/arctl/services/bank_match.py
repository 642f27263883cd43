"""Matching bank lines to open installments (核销): propose, auto-apply the sure ones, confirm, reject,
assign by hand, undo. Every decision is one transaction and one audit event.

A confirmed line becomes a payment (dated the booking day) allocated exactly as proposed; bank charges
deducted in transit become a `bank_fee` write-off; an over-payment's rest stays unapplied cash on that
payment. Every confirmation teaches the payer's name and account to the customer, so the next transfer
from them is identified at once.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from arctl.db import audit, bank_repo
from arctl.db.audit import utc_now
from arctl.db.bank_models import BankImport, BankLine, BankProposal, CustomerAccount
from arctl.db.bulk import insert_tuples
from arctl.db.engine import Database
from arctl.db.models import Credit, Customer, CustomerAlias, Installment, Invoice, Payment
from arctl.domain.dates import today
from arctl.domain.errors import InvalidInput, NotFound, Refused
from arctl.domain.money import format_amount, to_decimal
from arctl.matching import model as m
from arctl.matching.propose import match as propose
from arctl.services._allocate import allocate_auto, allocate_targets, payment_source, reverse_allocations
from arctl.services._lookup import normalize_name, resolve_customer
from arctl.services.credits import new_write_off
from arctl.services.payments import reverse_payment_in

OPEN_LINE_STATES = ("unmatched", "suggested")
_METHOD_BY_FORMAT = {"alipay": "alipay", "wechat": "wechat"}


@dataclass
class MatchSummary:
    """What `bank match` did."""

    lines: int = 0
    proposed: int = 0
    """Lines that got at least one proposal (before --auto confirmed any)."""
    suggested: int = 0
    unmatched: int = 0
    sure: int = 0
    applied: list[int] = field(default_factory=list)
    """Line ids auto-applied (with --auto)."""
    not_applied: list[tuple[int, str]] = field(default_factory=list)
    """Sure lines --auto could not apply, and why (another line took the room first...)."""


@dataclass(frozen=True)
class Decision:
    """One confirmed, assigned, rejected or undone line, for the clerk's screen."""

    line_id: int
    action: str
    customer: str | None
    payment_id: int | None
    detail: str


# --- propose ---------------------------------------------------------------------------------------------


def settings(threshold: int | None = None) -> m.Settings:
    return m.Settings() if threshold is None else m.Settings(auto_threshold=threshold)


def match_lines(db: Database, *, as_of: date, auto: bool = False, threshold: int | None = None) -> MatchSummary:
    """Propose matches for every line still open; with `auto`, confirm the sure, unique ones.

    Set-based: lines are read as tuples, proposals written with one multi-row INSERT and statuses with one
    executemany, so 50k lines cost what the engine costs (no ORM object per line)."""
    summary = MatchSummary()
    with db.write() as session:
        lines = BankLine.__table__
        credits = [m.Credit(*row) for row in session.connection().execute(
            select(lines.c.id, lines.c.booked_on, lines.c.amount_minor, lines.c.currency, lines.c.payer_name,
                   lines.c.payer_account, lines.c.memo)
            .where(lines.c.status.in_(OPEN_LINE_STATES)).order_by(lines.c.id)
        )]  # fmt: skip
        summary.lines = len(credits)
        if not credits:
            return summary
        results = propose(
            credits,
            [m.OpenInstallment(*row) for row in bank_repo.open_installments(session, as_of)],
            [m.Payer(cid, name, code, accounts, aliases) for cid, name, code, accounts, aliases in bank_repo.payers(session)],
            settings(threshold),
        )  # fmt: skip
        open_lines = select(BankLine.id).where(BankLine.status.in_(OPEN_LINE_STATES)).scalar_subquery()
        rejected = {
            (line_id, allocations)
            for line_id, allocations in session.execute(
                select(BankProposal.line_id, BankProposal.allocations).where(
                    BankProposal.status == "rejected", BankProposal.line_id.in_(open_lines)
                )
            )
        }
        session.execute(
            delete(BankProposal).where(BankProposal.status == "open", BankProposal.line_id.in_(open_lines))
        )
        rows: list[tuple[object, ...]] = []
        sure_lines: list[int] = []
        now = utc_now()
        for result in results:
            kept = [(p, text) for p in result.proposals
                    if (result.line_id, text := _alloc_json(p.allocations)) not in rejected]  # fmt: skip
            rows.extend(
                _proposal_values(result.line_id, rank, p, text, now) for rank, (p, text) in enumerate(kept, 1)
            )
            summary.proposed += bool(kept)
            if kept and kept[0][0].sure:
                sure_lines.append(result.line_id)
        connection = session.connection()
        insert_tuples(connection, BankProposal.__table__, _PROPOSAL_COLUMNS, rows)
        # Every open line was just proposed for: those with an open proposal are suggested, the rest
        # unmatched. Two set-based updates, each touching only the lines whose status changes.
        with_proposal = select(BankProposal.line_id).where(BankProposal.status == "open")
        connection.execute(update(lines).where(lines.c.status == "unmatched", lines.c.id.in_(with_proposal))
                           .values(status="suggested"))  # fmt: skip
        connection.execute(update(lines).where(lines.c.status == "suggested", lines.c.id.not_in(with_proposal))
                           .values(status="unmatched"))  # fmt: skip
        summary.unmatched = summary.lines - summary.proposed
        summary.sure = len(sure_lines)
        audit.record(session, "bank.match", "bank_line", None, after={
            "lines": summary.lines, "proposed": summary.proposed, "sure": summary.sure, "as_of": as_of,
        })  # fmt: skip
        if auto:
            _auto_confirm(session, sure_lines, summary)
        summary.suggested = session.execute(
            select(func.count()).select_from(BankLine).where(BankLine.status == "suggested")
        ).scalar_one()
    return summary


def _auto_confirm(session: Session, line_ids: list[int], summary: MatchSummary) -> None:
    """Confirm each sure line in its own savepoint: one that no longer fits (an earlier line took the room)
    stays for review instead of stopping the rest."""
    for line_id in line_ids:
        line = session.get(BankLine, line_id)
        assert line is not None
        try:
            with session.begin_nested():
                _confirm(session, line, _proposal(session, line, 1), how="auto")
            summary.applied.append(line_id)
        except (Refused, InvalidInput) as exc:
            summary.not_applied.append((line_id, exc.message))


def _alloc_json(allocations: Iterable[tuple[int, int]]) -> str:
    """The JSON text `json.dumps` gives for [[id, amount], ...] (a rejected proposal is recognised by it),
    written directly: 50k lines' proposals went through the encoder twice each."""
    return "[" + ", ".join(f"[{int(i)}, {int(a)}]" for i, a in allocations) + "]"


_PROPOSAL_COLUMNS = ("line_id", "rank", "customer_id", "rule", "score", "sure", "allocations", "fee_minor",
                     "unapplied_minor", "status", "created_at", "reasons")  # fmt: skip


def _proposal_values(line_id: int, rank: int, p: m.Proposal, allocations: str, now: str) -> tuple[object, ...]:
    """A bank_proposal row in `_PROPOSAL_COLUMNS` order."""
    return (line_id, rank, p.customer_id, p.rule, p.score, int(p.sure), allocations, p.fee_minor,
            p.unapplied_minor, "open", now,
            json.dumps([[r.label, r.points, r.detail] for r in p.reasons], ensure_ascii=False))  # fmt: skip


# --- decide ----------------------------------------------------------------------------------------------


def _line(session: Session, line_id: int) -> BankLine:
    line = session.get(BankLine, line_id)
    if line is None:
        raise NotFound(f"no bank line {line_id}", hint="see `arctl bank review` or `arctl bank status`")
    return line


def _open_line(session: Session, line_id: int) -> BankLine:
    line = _line(session, line_id)
    if line.status == "matched":
        raise Refused(f"bank line {line_id} is already matched (payment P{line.payment_id})",
                      hint=f"undo it first: arctl bank undo {line_id}")  # fmt: skip
    if line.status == "undone":
        raise Refused(f"bank line {line_id} belongs to an import that was undone")
    return line


def _proposal(session: Session, line: BankLine, rank: int) -> BankProposal:
    row = session.execute(
        select(BankProposal).where(
            BankProposal.line_id == line.id, BankProposal.status == "open", BankProposal.rank == rank
        )
    ).scalar()
    if row is None:
        raise NotFound(f"bank line {line.id} has no open proposal {rank}",
                       hint="run `arctl bank match`, or give the customer with `arctl bank assign`")  # fmt: skip
    return row


def confirm(db: Database, line_ids: Sequence[int], *, rank: int = 1) -> list[Decision]:
    """Apply each line's proposal (the best one unless `rank` says otherwise). All lines or none."""
    with db.write() as session:
        return [_confirm(session, _open_line(session, i), _proposal(session, _line(session, i), rank), how="confirm")
                for i in line_ids]  # fmt: skip


def _confirm(session: Session, line: BankLine, proposal: BankProposal, *, how: str) -> Decision:
    if proposal.customer_id is None:
        raise Refused(f"bank line {line.id}: the proposal names no customer",
                      hint=f"give one: arctl bank assign {line.id} CUSTOMER")  # fmt: skip
    targets = [
        _target(session, ins_id, amount, line.currency) for ins_id, amount in json.loads(proposal.allocations)
    ]
    payment = _payment(session, line, proposal.customer_id)
    allocate_targets(session, payment_source(payment), targets)
    fee = _fee(session, line, json.loads(proposal.allocations), proposal.fee_minor) if proposal.fee_minor else None
    learned = _learn(session, line, proposal.customer_id)
    proposal.status = "confirmed"
    session.execute(delete(BankProposal).where(BankProposal.line_id == line.id, BankProposal.status == "open"))
    return _matched(session, line, payment, fee, how=how, learned=learned, proposal=proposal)


def assign(db: Database, line_id: int, customer: str, targets: Sequence[str] = ()) -> Decision:
    """The clerk knows better: this line is this customer's, for these items (or oldest due first)."""
    with db.write() as session:
        return _assign(session, _open_line(session, line_id), customer, targets)


def _assign(session: Session, line: BankLine, customer: str, targets: Sequence[str]) -> Decision:
    cust = resolve_customer(session, customer)
    payment = _payment(session, line, cust.id)
    source = payment_source(payment)
    made = allocate_targets(session, source, targets) if targets else allocate_auto(session, source)
    learned = _learn(session, line, cust.id)
    session.execute(delete(BankProposal).where(BankProposal.line_id == line.id, BankProposal.status == "open"))
    decision = _matched(session, line, payment, None, how="assign", learned=learned, proposal=None)
    if not made:
        return Decision(line.id, "assign", cust.code, payment.id, decision.detail + "; all of it unapplied")
    return decision


def reject(db: Database, line_ids: Sequence[int], *, rank: int | None = None) -> list[Decision]:
    """Turn down a line's proposals (all, or one rank): they will not be proposed again for that line."""
    decisions = []
    with db.write() as session:
        for line_id in line_ids:
            line = _open_line(session, line_id)
            query = select(BankProposal).where(BankProposal.line_id == line.id, BankProposal.status == "open")
            if rank is not None:
                query = query.where(BankProposal.rank == rank)
            rows = session.execute(query).scalars().all()
            if not rows:
                raise NotFound(f"bank line {line_id} has no open proposal" + (f" {rank}" if rank else ""))
            for row in rows:
                row.status = "rejected"
            left = session.execute(
                select(BankProposal.id).where(BankProposal.line_id == line.id, BankProposal.status == "open")
            ).first()
            line.status = "suggested" if left else "unmatched"
            audit.record(session, "bank.reject", "bank_line", line.id,
                         after={"rejected": [r.id for r in rows]})  # fmt: skip
            decisions.append(Decision(line.id, "reject", None, None, f"{len(rows)} proposal(s) rejected"))
    return decisions


def _target(session: Session, installment_id: int, amount: int, currency: str) -> str:
    ins = session.get(Installment, installment_id)
    if ins is None:  # pragma: no cover - proposals are made from existing installments
        raise NotFound(f"installment {installment_id} no longer exists")
    return f"{ins.invoice.number}:{ins.seq}={format_amount(amount, currency)}"


def _payment(session: Session, line: BankLine, customer_id: int) -> Payment:
    imported = session.get(BankImport, line.import_id)
    fmt = imported.format if imported else ""
    payment = Payment(
        customer_id=customer_id, received_on=line.booked_on, currency=line.currency,
        amount_minor=line.amount_minor, method=_METHOD_BY_FORMAT.get(fmt, "bank_transfer"),
        payer_name=line.payer_name or None, payer_account=line.payer_account or None,
        reference=(line.bank_ref or None), note=f"bank line {line.id}" + (f": {line.memo}" if line.memo else ""),
        created_at=utc_now(),
    )  # fmt: skip
    session.add(payment)
    session.flush()
    return payment


def _fee(session: Session, line: BankLine, allocations: list[list[int]], fee_minor: int) -> Credit:
    """Write off the bank charge on the proposal's last installment that still owes it."""
    for ins_id, _ in reversed(allocations):
        ins = session.get(Installment, ins_id)
        assert ins is not None
        invoice: Invoice = ins.invoice
        on = max(line.booked_on, invoice.issue_date)
        credit, _ = new_write_off(
            session, f"{invoice.number}:{ins.seq}", amount=str(to_decimal(fee_minor, line.currency)), on=on,
            reason="bank_fee", note=f"bank charges deducted in transit, bank line {line.id}",
        )  # fmt: skip
        return credit
    raise Refused(f"bank line {line.id}: a bank fee needs an installment to write it off against")


def _learn(session: Session, line: BankLine, customer_id: int) -> list[str]:
    """Teach the payer's name and account to the customer (never taking one from another customer)."""
    learned = []
    norm = normalize_name(line.payer_name)
    customer = session.get(Customer, customer_id)
    if norm and customer is not None and norm != normalize_name(customer.name):
        owner = session.execute(select(CustomerAlias.customer_id).where(CustomerAlias.normalized == norm)).scalar()
        if owner is None:
            session.add(CustomerAlias(customer_id=customer_id, alias=line.payer_name.strip()[:200], normalized=norm,
                                      source="learned"))  # fmt: skip
            learned.append(f"name {line.payer_name.strip()}")
    account = "".join(ch for ch in line.payer_account if ch.isalnum()).upper()
    if account:
        owner = session.execute(
            select(CustomerAccount.customer_id).where(CustomerAccount.account == account)
        ).scalar()
        if owner is None:
            session.add(CustomerAccount(customer_id=customer_id, account=account, source="learned",
                                        created_at=utc_now()))  # fmt: skip
            learned.append(f"account {account}")
    session.flush()
    return learned


def _matched(
    session: Session,
    line: BankLine,
    payment: Payment,
    fee: Credit | None,
    *,
    how: str,
    learned: list[str],
    proposal: BankProposal | None,
) -> Decision:
    line.status, line.customer_id, line.payment_id = "matched", payment.customer_id, payment.id
    line.fee_credit_id = fee.id if fee is not None else None
    session.flush()
    code = payment.customer.code
    audit.record(session, f"bank.{how}", "bank_line", line.id, after={
        "customer": code, "payment": payment.id, "proposal": proposal.id if proposal else None,
        "fee_credit": fee.number if fee else None, "learned": learned,
    })  # fmt: skip
    detail = (
        f"payment P{payment.id} {format_amount(line.amount_minor, line.currency, grouping=True)} {line.currency}"
    )
    if fee is not None:
        detail += (
            f"; bank fee {format_amount(fee.amount_minor, fee.currency, grouping=True)} written off ({fee.number})"
        )
    if learned:
        detail += "; learned " + ", ".join(learned)
    return Decision(line.id, how, code, payment.id, detail)


# --- undo ------------------------------------------------------------------------------------------------


def undo_line(db: Database, line_id: int, *, on: date | None = None, reason: str = "") -> Decision:
    with db.write() as session:
        return _undo_line(session, _line(session, line_id), on=on or today(), reason=reason or "bank match undone")


def _undo_line(session: Session, line: BankLine, *, on: date, reason: str) -> Decision:
    if line.status != "matched" or line.payment_id is None:
        raise Refused(f"bank line {line.id} is not matched ({line.status}); nothing to undo")
    payment = session.get(Payment, line.payment_id)
    assert payment is not None
    on = max(on, payment.received_on)
    reverse_payment_in(session, payment, on=on, reason=reason)
    if line.fee_credit_id is not None:
        _reverse_fee(session, session.get(Credit, line.fee_credit_id), on=on, reason=reason)
    line.status, line.customer_id, line.fee_credit_id = "unmatched", None, None
    session.flush()
    audit.record(session, "bank.undo", "bank_line", line.id, after={"payment_reversed": payment.id, "on": on})
    return Decision(line.id, "undo", payment.customer.code, payment.id, f"payment P{payment.id} reversed on {on}")


def _reverse_fee(session: Session, credit: Credit | None, *, on: date, reason: str) -> None:
    if credit is None or credit.reversed_on is not None:
        return
    from arctl.db.models import Allocation

    active = session.execute(
        select(Allocation).where(Allocation.credit_id == credit.id, Allocation.reversed_on.is_(None))
    ).scalars().all()  # fmt: skip
    on = max(on, credit.issued_on)
    reverse_allocations(session, active, on=on, reason=reason)
    credit.reversed_on, credit.reverse_reason, credit.settled_on = on, reason, on
    audit.record(session, "write_off.reverse", "credit", credit.number, after={"on": on, "reason": reason})


def undo_import(db: Database, import_id: int, *, on: date | None = None, reason: str = "") -> list[Decision]:
    """Take a whole bank file back out: its matches reversed (dated), its lines set aside, so that the file
    (or a corrected one) can be imported again."""
    on = on or today()
    reason = reason or f"bank import {import_id} undone"
    with db.write() as session:
        batch = session.get(BankImport, import_id)
        if batch is None:
            raise NotFound(f"no bank import {import_id}", hint="see `arctl bank status`")
        if batch.undone_on is not None:
            raise Refused(f"bank import {import_id} was already undone on {batch.undone_on}")
        matched = session.execute(
            select(BankLine).where(BankLine.import_id == import_id, BankLine.status == "matched")
        ).scalars().all()  # fmt: skip
        decisions = [_undo_line(session, line, on=on, reason=reason) for line in matched]
        of_import = select(BankLine.id).where(BankLine.import_id == import_id).scalar_subquery()
        session.execute(
            delete(BankProposal).where(BankProposal.status == "open", BankProposal.line_id.in_(of_import))
        )
        count = session.execute(
            update(BankLine).where(BankLine.import_id == import_id).values(status="undone", dedupe_key=None)
        ).rowcount
        batch.undone_on, batch.undo_reason = on, reason
        audit.record(session, "bank.undo_import", "bank_import", import_id,
                     after={"lines": count, "matches_reversed": len(decisions), "on": on})  # fmt: skip
        decisions.append(Decision(0, "undo-import", None, None,
                                  f"import {import_id}: {count} line(s) set aside, {len(decisions)} match(es) reversed"))  # fmt: skip
        return decisions
