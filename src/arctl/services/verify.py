"""`arctl verify`: re-check the audit chain and the ledger's invariants; every failure is named."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, aliased

from arctl.db import audit, repo
from arctl.db.bank_models import BankImport, BankLine
from arctl.db.collection_models import Charge, CustomerHold, Dispute, Promise, ReminderMessage, ReminderStep
from arctl.db.engine import Database
from arctl.db.models import Allocation, Credit, Customer, Installment, Invoice, Payment
from arctl.domain.money import format_amount


def verify(db: Database) -> tuple[list[str], dict[str, int]]:
    """Returns (problems, counts of what was checked). Read-only."""
    problems: list[str] = []
    with db.read() as session:
        problems.extend(audit.chain_breaks(session))
        active = Allocation.reversed_on.is_(None)
        for source, fk, label in (
            (Payment, Allocation.payment_id, "payment P"),
            (Credit, Allocation.credit_id, "credit C"),
        ):
            rows = session.execute(
                select(source.id, source.amount_minor, source.currency, func.sum(Allocation.amount_minor))
                .join(Allocation, fk == source.id)
                .where(active)
                .group_by(source.id, source.amount_minor, source.currency)
                .having(func.sum(Allocation.amount_minor) > source.amount_minor)
            )
            for sid, amount, cur, used in rows:
                problems.append(f"{label}{sid}: allocations {format_amount(used, cur)} exceed its amount "
                                f"{format_amount(amount, cur)}")  # fmt: skip
            reversed_with_live = (
                session.execute(
                    select(source.id)
                    .join(Allocation, fk == source.id)
                    .where(
                        source.reversed_on.is_not(None),
                        or_(Allocation.reversed_on.is_(None), Allocation.reversed_on > source.reversed_on),
                    )
                )
                .scalars()
                .all()
            )
            for sid in sorted(set(reversed_with_live)):
                problems.append(f"{label}{sid}: reversed but still has allocations in force")
        over = session.execute(
            select(Invoice.number, Installment.seq, Installment.amount_minor, Invoice.currency,
                   func.sum(Allocation.amount_minor))
            .join(Installment, Installment.id == Allocation.installment_id)
            .join(Invoice, Invoice.id == Installment.invoice_id)
            .where(active)
            .group_by(Invoice.number, Installment.seq, Installment.amount_minor, Invoice.currency)
            .having(func.sum(Allocation.amount_minor) > Installment.amount_minor)
        )  # fmt: skip
        for number, seq, amount, cur, used in over:
            problems.append(f"{number}:{seq}: allocations {format_amount(used, cur)} exceed the installment "
                            f"{format_amount(amount, cur)}")  # fmt: skip
        sums = session.execute(
            select(Invoice.number, Invoice.amount_minor, Invoice.currency, func.coalesce(func.sum(Installment.amount_minor), 0))
            .outerjoin(Installment, Installment.invoice_id == Invoice.id)
            .group_by(Invoice.number, Invoice.amount_minor, Invoice.currency)
        )  # fmt: skip
        invoices = 0
        for number, amount, cur, parts in sums:
            invoices += 1
            if parts != amount:
                problems.append(f"{number}: installments add up to {format_amount(parts, cur)}, "
                                f"the invoice is {format_amount(amount, cur)}")  # fmt: skip
        on_void = session.execute(
            select(Invoice.number, func.count(Allocation.id))
            .join(Installment, Installment.invoice_id == Invoice.id)
            .join(Allocation, Allocation.installment_id == Installment.id)
            .where(active, Invoice.voided_on.is_not(None))
            .group_by(Invoice.number)
        )
        for number, count in on_void:
            problems.append(f"{number}: voided but {count} allocation(s) are still applied to it")
        mismatched = session.execute(
            select(Invoice.number, Allocation.id)
            .join(Installment, Installment.id == Allocation.installment_id)
            .join(Invoice, Invoice.id == Installment.invoice_id)
            .outerjoin(Payment, Payment.id == Allocation.payment_id)
            .outerjoin(Credit, Credit.id == Allocation.credit_id)
            .where(func.coalesce(Payment.currency, Credit.currency) != Invoice.currency)
        )
        for number, alloc_id in mismatched:
            problems.append(f"{number}: allocation {alloc_id} is in another currency than the invoice")
        problems.extend(_over_allocated_on_some_day(session))
        problems.extend(_bank_problems(session))
        problems.extend(_collection_problems(session))
        for model, label in ((Payment, "payment P"), (Credit, "credit C")):
            for source in session.execute(select(model)).scalars():
                expected_source = repo.expected_source_settled_on(session, source)
                if source.settled_on != expected_source:
                    problems.append(f"{label}{source.id}: settled_on is {source.settled_on}, "
                                    f"its allocations say {expected_source}")  # fmt: skip
        installments = 0
        for ins in session.execute(select(Installment)).scalars():
            installments += 1
            expected = repo.expected_settled_on(session, ins)
            if ins.settled_on != expected:
                problems.append(f"{ins.invoice.number}:{ins.seq}: settled_on is {ins.settled_on}, "
                                f"the allocations say {expected}")  # fmt: skip
        events = session.execute(select(func.count()).select_from(audit.AuditEvent)).scalar_one()
        allocations = session.execute(select(func.count(Allocation.id))).scalar_one()
        bank_lines = session.execute(select(func.count(BankLine.id))).scalar_one()
    counts = {
        "audit events": events,
        "invoices": invoices,
        "installments": installments,
        "allocations": allocations,
        "bank lines": bank_lines,
    }
    return problems, counts


def _over_allocated_on_some_day(session: Session) -> list[str]:
    """Allocations that were reversed later can overlap with newer ones: check every day, not just today.
    Only installments and sources that have a reversal need this walk; the others were checked above."""
    problems = []
    touched = select(Allocation.installment_id).where(Allocation.reversed_on.is_not(None)).distinct()
    rows = session.execute(
        select(Allocation.installment_id, Allocation.amount_minor, Allocation.applied_on, Allocation.reversed_on)
        .where(Allocation.installment_id.in_(touched))
        .order_by(Allocation.installment_id)
    ).all()
    by_installment: dict[int, list[tuple[int, date, date | None]]] = {}
    for ins_id, amount, applied, reversed_on in rows:
        by_installment.setdefault(ins_id, []).append((amount, applied, reversed_on))
    for ins_id, allocs in by_installment.items():
        ins = session.get_one(Installment, ins_id)
        found = repo.over_allocated_days(ins.amount_minor, allocs)
        if found:
            day, total = found
            cur = ins.invoice.currency
            problems.append(f"{ins.invoice.number}:{ins.seq}: on {day} allocations in force "
                            f"({format_amount(total, cur)}) exceed the installment ({format_amount(ins.amount_minor, cur)})")  # fmt: skip
    for source, fk, label in (
        (Payment, Allocation.payment_id, "payment P"),
        (Credit, Allocation.credit_id, "credit C"),
    ):
        touched_sources = select(fk).where(Allocation.reversed_on.is_not(None), fk.is_not(None)).distinct()
        grouped: dict[int, list[tuple[int, date, date | None]]] = {}
        for sid, amount, applied, reversed_on in session.execute(
            select(fk, Allocation.amount_minor, Allocation.applied_on, Allocation.reversed_on).where(
                fk.in_(touched_sources)
            )
        ):
            grouped.setdefault(sid, []).append((amount, applied, reversed_on))
        for sid, allocs in grouped.items():
            row = session.get_one(source, sid)
            found = repo.over_allocated_days(row.amount_minor, allocs)
            if found:
                day, total = found
                problems.append(f"{label}{sid}: on {day} allocations in force ({format_amount(total, row.currency)}) "
                                f"exceed its amount ({format_amount(row.amount_minor, row.currency)})")  # fmt: skip
    return problems


def _bank_problems(session: Session) -> list[str]:
    """A matched bank line is exactly one live payment of its amount, currency and customer; a line that is
    not matched keeps at most a reversed payment; only lines of an undone import lose their dedupe key."""
    problems = []
    rows = session.execute(
        select(BankLine.id, BankLine.status, BankLine.amount_minor, BankLine.currency, BankLine.customer_id,
               BankLine.dedupe_key, BankImport.undone_on, Payment.id, Payment.amount_minor, Payment.currency,
               Payment.customer_id, Payment.reversed_on)
        .join(BankImport, BankImport.id == BankLine.import_id)
        .outerjoin(Payment, Payment.id == BankLine.payment_id)
    )  # fmt: skip
    for (line, status, amount, currency, customer, key, undone, pay, pay_amount, pay_currency, pay_customer,
         pay_reversed) in rows:  # fmt: skip
        where = f"bank line {line}"
        if status == "matched":
            if pay is None:
                problems.append(f"{where}: matched but has no payment")
            elif pay_reversed is not None:
                problems.append(f"{where}: matched but its payment P{pay} was reversed on {pay_reversed}")
            elif (pay_amount, pay_currency, pay_customer) != (amount, currency, customer):
                problems.append(f"{where}: its payment P{pay} differs in amount, currency or customer")
        elif pay is not None and pay_reversed is None:
            problems.append(f"{where}: {status} but its payment P{pay} is still in force")
        if (key is None) != (status == "undone") or (status == "undone") != (undone is not None):
            problems.append(f"{where}: status {status} does not agree with its import and dedupe key")
    return problems


def _collection_problems(session: Session) -> list[str]:
    """Reminders, charges, disputes and promises hold together: a failed message keeps no steps (they were
    released for the next run); a charge is exactly its invoice (same customer's debt, amount, currency,
    one installment, no contract, so it bears no interest); nothing is resolved or due before it began."""
    problems = []
    kept = session.execute(
        select(ReminderMessage.id, func.count(ReminderStep.id))
        .join(ReminderStep, ReminderStep.message_id == ReminderMessage.id)
        .where(ReminderMessage.status == "failed")
        .group_by(ReminderMessage.id)
    )
    for message_id, steps in kept:
        problems.append(f"reminder {message_id}: failed but still holds {steps} step(s)")
    parts = (
        select(
            Installment.invoice_id,
            func.count(Installment.id).label("n"),
            func.sum(Installment.amount_minor).label("total"),
        )
        .group_by(Installment.invoice_id)
        .subquery()
    )
    cause_invoice = aliased(Invoice)
    rows = session.execute(
        select(Charge.id, Invoice.number, Charge.amount_minor, Charge.currency, Invoice.amount_minor, Invoice.currency,
               Invoice.contract_id, parts.c.n, parts.c.total, Invoice.customer_id, cause_invoice.customer_id)
        .join(Invoice, Invoice.id == Charge.invoice_id)
        .outerjoin(parts, parts.c.invoice_id == Invoice.id)
        .join(Installment, Installment.id == Charge.cause_installment_id)
        .join(cause_invoice, cause_invoice.id == Installment.invoice_id)
    )  # fmt: skip
    for charge, number, amount, currency, inv_amount, inv_currency, contract, n, total, customer, owes in rows:
        where = f"charge {charge} ({number})"
        if (amount, currency) != (inv_amount, inv_currency) or total != amount:
            problems.append(f"{where}: amount or currency differs from its invoice")
        if n != 1 or contract is not None:
            problems.append(f"{where}: its invoice must have one installment and no contract")
        if owes != customer:
            problems.append(f"{where}: billed to another customer than the installment it is for")
    for dispute_id, opened, resolved in session.execute(
        select(Dispute.id, Dispute.opened_on, Dispute.resolved_on).where(Dispute.resolved_on < Dispute.opened_on)
    ):
        problems.append(f"dispute {dispute_id}: resolved on {resolved}, before it was opened ({opened})")
    for promise_id, made, due in session.execute(
        select(Promise.id, Promise.made_on, Promise.due_on).where(Promise.due_on < Promise.made_on)
    ):
        problems.append(f"promise {promise_id}: due {due}, before it was made ({made})")
    # legal holds never overlap (the release day is not held, so a hold may begin on it)
    customer, end = None, date.min  # the last day held so far by the customer's earlier holds (max: not released)
    for code, since, released in session.execute(
        select(Customer.code, CustomerHold.since, CustomerHold.released_on)
        .join(Customer, Customer.id == CustomerHold.customer_id)
        .order_by(Customer.code, CustomerHold.since, CustomerHold.id)
    ):
        if code != customer:
            customer, end = code, date.min
        elif since <= end:
            held = "is not released" if end == date.max else f"was released on {end + timedelta(days=1)}"
            problems.append(f"customer {code}: legal hold from {since} overlaps an earlier one, which {held}")
        end = max(end, date.max if released is None else released - timedelta(days=1))
    return problems
