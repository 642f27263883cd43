"""Invoices and their installment plans; milestones; voiding."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from arctl.db import audit, repo
from arctl.db.audit import utc_now
from arctl.db.engine import Database
from arctl.db.models import Allocation, Contract, Customer, Installment, Invoice, Milestone, Payment
from arctl.domain.errors import InvalidInput, Refused
from arctl.domain.ledger import AllocationLine, InstallmentLine, InvoiceDetail, installment_status
from arctl.domain.money import Money, format_amount, normalize_currency, parse_amount, split_by_percent
from arctl.domain.report import Column, Report
from arctl.domain.terms import EVENT_WORDS, DueKind, parse_terms
from arctl.services._allocate import refuse_future
from arctl.services._lookup import resolve_customer, resolve_invoice

DEFAULT_TERMS = "net30"


def snapshot(inv: Invoice) -> dict[str, Any]:
    return {
        "number": inv.number, "customer": inv.customer.code, "issue_date": inv.issue_date,
        "currency": inv.currency, "amount": format_amount(inv.amount_minor, inv.currency), "terms": inv.terms,
        "description": inv.description, "contract": inv.contract.number if inv.contract else None,
        "voided_on": inv.voided_on, "void_reason": inv.void_reason,
        "installments": [
            {"seq": i.seq, "kind": i.kind, "amount": format_amount(i.amount_minor, inv.currency),
             "due_rule": repo.due_rule_of(i).describe(), "due_date": i.due_date}
            for i in inv.installments
        ],
    }  # fmt: skip


def _contract(session: Session, number: str | None, customer: Customer) -> Contract | None:
    if not number or not number.strip():
        return None
    number = number.strip()
    contract = session.execute(select(Contract).where(Contract.number == number)).scalar_one_or_none()
    if contract is None:
        contract = Contract(number=number, customer_id=customer.id, grace_days=0, created_at=utc_now())
        session.add(contract)
        session.flush()
        audit.record(
            session, "contract.add", "contract", number, after={"number": number, "customer": customer.code}
        )
    elif contract.customer_id != customer.id:
        raise Refused(
            f"contract {number} belongs to another customer",
        )
    return contract


def new_invoice(
    session: Session,
    *,
    customer: str,
    number: str,
    amount: str,
    issue_date: date,
    currency: str | None = None,
    terms: str | None = None,
    description: str | None = None,
    contract: str | None = None,
) -> Invoice:
    """Validate and post an invoice with its installments inside an open write session."""
    cust = resolve_customer(session, customer)
    number = (number or "").strip()
    if not number:
        raise InvalidInput("invoice number is empty", field="number")
    if len(number) > 60:
        raise InvalidInput("invoice number is longer than 60 characters", field="number")
    if session.execute(select(Invoice.id).where(func.upper(Invoice.number) == number.upper())).first():
        raise Refused(f"invoice {number} already exists", hint="invoices are never re-issued; void and re-issue")
    currency = normalize_currency(currency or cust.credit_currency or "CNY")
    minor = parse_amount(amount, currency, field="amount")
    if minor <= 0:
        raise InvalidInput(f"{amount!r} must be more than zero", field="amount")
    terms_text = (terms or "").strip() or cust.default_terms or DEFAULT_TERMS
    plan = parse_terms(terms_text)
    parts = split_by_percent(minor, [p.percent for p in plan.parts])
    invoice = Invoice(
        number=number, customer=cust, contract=_contract(session, contract, cust), issue_date=issue_date,
        currency=currency, amount_minor=minor, terms=plan.text,
        discount_bp=None if plan.discount_percent is None else int(plan.discount_percent * 100),
        discount_days=plan.discount_days, description=(description or "").strip() or None, created_at=utc_now(),
    )  # fmt: skip
    for seq, (part, part_minor) in enumerate(zip(plan.parts, parts, strict=True), start=1):
        rule = part.rule
        invoice.installments.append(
            Installment(
                seq=seq, kind=part.kind.value, amount_minor=part_minor, due_kind=rule.kind.value,
                due_days=rule.days, due_event=rule.event, due_fixed=rule.fixed,
                due_date=rule.due_date(issue_date, {}),
                settled_on=issue_date if part_minor == 0 else None,
            )
        )  # fmt: skip
    session.add(invoice)
    session.flush()
    audit.record(session, "invoice.add", "invoice", number, after=snapshot(invoice))
    return invoice


def add_invoice(db: Database, *, as_of: date, **fields: Any) -> InvoiceDetail:
    with db.write() as session:
        invoice = new_invoice(session, **fields)
        return _detail(session, invoice, as_of)


def void_invoice(db: Database, number: str, *, reason: str, on: date, as_of: date) -> InvoiceDetail:
    """Void an issued invoice from a date on. Refused while payments or credits are applied to it."""
    if not (reason or "").strip():
        raise InvalidInput("a reason is required to void an invoice", field="--reason")
    with db.write() as session:
        invoice = resolve_invoice(session, number)
        if invoice.voided_on is not None:
            raise Refused(f"invoice {invoice.number} was already voided on {invoice.voided_on}")
        if on < invoice.issue_date:
            raise InvalidInput(f"void date {on} is before the issue date {invoice.issue_date}", field="--on")
        refuse_future(on)
        applied = session.execute(
            select(func.count(Allocation.id))
            .join(Installment, Installment.id == Allocation.installment_id)
            .where(
                Installment.invoice_id == invoice.id,
                # in force on or after the void date, even if unapplied since: a void dated before it
                # would leave past reports with cash applied to a void invoice
                or_(Allocation.reversed_on.is_(None), Allocation.reversed_on > on),
            )
        ).scalar_one()
        if applied:
            raise Refused(
                f"invoice {invoice.number} has {applied} payment/credit allocation(s)",
                hint="unapply them first (`arctl payment unapply`), then void",
            )
        before = snapshot(invoice)
        invoice.voided_on, invoice.void_reason = on, reason.strip()
        for ins in invoice.installments:
            ins.settled_on = on
        session.flush()
        audit.record(session, "invoice.void", "invoice", invoice.number, before=before, after=snapshot(invoice))
        return _detail(session, invoice, as_of)


def record_milestone(
    db: Database, number: str, event: str, *, on: date, note: str | None, correct: bool, as_of: date
) -> tuple[InvoiceDetail, bool]:
    """Record that EVENT happened ON a date; fixes the due dates of the installments waiting for it.

    Returns (detail, changed). Recording the same event with the same date again changes nothing.
    """
    with db.write() as session:
        invoice = resolve_invoice(session, number)
        changed = record_milestone_in(session, invoice, event, on=on, note=note, correct=correct)
        return _detail(session, invoice, as_of), changed


def record_milestone_in(
    session: Session, invoice: Invoice, event: str, *, on: date, note: str | None, correct: bool
) -> bool:
    """The work of `record_milestone` inside an open write session (used by the milestones import)."""
    event = EVENT_WORDS.get(event.strip(), event.strip().lower())
    waiting = [i for i in invoice.installments if i.due_kind == DueKind.EVENT and i.due_event == event]
    if not waiting:
        events = sorted({i.due_event for i in invoice.installments if i.due_event})
        listed = ", ".join(events) if events else "none: its terms have no milestones"
        raise InvalidInput(f"invoice {invoice.number} waits for no {event!r} event (it waits for: {listed})",
                           field="event")  # fmt: skip
    if invoice.voided_on is not None:
        raise Refused(f"invoice {invoice.number} is voided")
    if on < invoice.issue_date:
        raise InvalidInput(f"{event} on {on} is before the invoice date {invoice.issue_date}", field="date")
    existing = session.execute(
        select(Milestone).where(Milestone.invoice_id == invoice.id, Milestone.event == event)
    ).scalar_one_or_none()
    if existing is not None and existing.occurred_on == on:
        return False
    if existing is not None and not correct:
        raise Refused(
            f"{event} of {invoice.number} was already recorded on {existing.occurred_on}",
            hint="pass --correct to change the date (the change is audited)",
        )
    before = snapshot(invoice)
    if existing is None:
        session.add(Milestone(invoice_id=invoice.id, event=event, occurred_on=on, note=note, created_at=utc_now()))
    else:
        existing.occurred_on, existing.note = on, note or existing.note
    for ins in waiting:
        ins.due_date = repo.due_rule_of(ins).due_date(invoice.issue_date, {event: on})
    session.flush()
    action = "milestone.correct" if existing is not None else "milestone.record"
    audit.record(session, action, "invoice", invoice.number, before=before, after=snapshot(invoice))
    return True


def show_invoice(db: Database, number: str, as_of: date) -> InvoiceDetail:
    with db.read() as session:
        return _detail(session, resolve_invoice(session, number), as_of)


def _detail(session: Session, inv: Invoice, as_of: date) -> InvoiceDetail:
    session.flush()
    open_now = {(i.invoice, i.seq): i.open.minor for i in repo.open_items(session, as_of, invoice_id=inv.id)}
    milestones = session.execute(
        select(Milestone.event, Milestone.occurred_on)
        .where(Milestone.invoice_id == inv.id)
        .order_by(Milestone.occurred_on)
    ).all()
    lines = []
    for ins in inv.installments:
        due = repo.due_as_of(ins.due_kind, ins.due_days, ins.due_date, as_of)
        left = open_now.get((inv.number, ins.seq), 0)
        status = installment_status(left, ins.amount_minor, due, ins.due_event, as_of)
        if inv.voided_on is not None and inv.voided_on <= as_of:
            status = "voided"
        elif inv.issue_date > as_of:
            status = "not yet issued"
        lines.append(InstallmentLine(ins.seq, ins.kind, Money(ins.amount_minor, inv.currency),
                                     repo.due_rule_of(ins).describe(), due, Money(left, inv.currency), status))  # fmt: skip
    allocations = session.execute(
        select(Allocation, Installment.seq, Payment.id.label("pid"))
        .join(Installment, Installment.id == Allocation.installment_id)
        .outerjoin(Payment, Payment.id == Allocation.payment_id)
        .where(Installment.invoice_id == inv.id)
        .order_by(Allocation.applied_on, Allocation.id)
    ).all()
    discount = None
    if inv.discount_bp:
        discount = f"{inv.discount_bp / 100:g}% if paid within {inv.discount_days} days"
    return InvoiceDetail(
        number=inv.number, customer_code=inv.customer.code, customer_name=inv.customer.name,
        issue_date=inv.issue_date, amount=Money(inv.amount_minor, inv.currency), terms=inv.terms,
        description=inv.description, contract=inv.contract.number if inv.contract else None,
        voided_on=inv.voided_on, void_reason=inv.void_reason, installments=tuple(lines),
        allocations=tuple(
            AllocationLine(a.id, f"P{pid}" if pid else f"C{a.credit_id}", seq, Money(a.amount_minor, inv.currency),
                           a.applied_on, a.reversed_on)
            for a, seq, pid in allocations
        ),
        milestones=tuple((e, d) for e, d in milestones), discount=discount,
    )  # fmt: skip


def list_invoices(db: Database, *, as_of: date, customer: str | None = None, status: str = "all") -> Report:
    """Invoices with their open amount as of a date; `status` all | open | paid | voided."""
    if status not in ("all", "open", "paid", "voided"):
        raise InvalidInput(f"{status!r} is not one of all, open, paid, voided", field="--status")
    with db.read() as session:
        query = (
            select(Invoice.id, Invoice.number, Customer.code, Invoice.issue_date, Invoice.currency,
                   Invoice.amount_minor, Invoice.terms, Invoice.voided_on)
            .join(Customer, Customer.id == Invoice.customer_id)
            .where(Invoice.issue_date <= as_of)
            .order_by(Invoice.issue_date, Invoice.number)
        )  # fmt: skip
        cust = None
        if customer:
            cust = resolve_customer(session, customer)
            query = query.where(Invoice.customer_id == cust.id)
        open_by: dict[str, int] = {}
        next_due: dict[str, date] = {}
        for item in repo.open_items(session, as_of, customer_id=cust.id if cust else None):
            open_by[item.invoice] = open_by.get(item.invoice, 0) + item.open.minor
            if item.due_date and (item.invoice not in next_due or item.due_date < next_due[item.invoice]):
                next_due[item.invoice] = item.due_date
        rows = []
        for r in session.execute(query):
            voided = r.voided_on is not None and r.voided_on <= as_of
            left = 0 if voided else open_by.get(r.number, 0)
            state = "voided" if voided else ("open" if left else "paid")
            if status != "all" and state != status:
                continue
            rows.append({
                "number": r.number, "customer": r.code, "issued": r.issue_date,
                "amount": Money(r.amount_minor, r.currency), "open": Money(left, r.currency),
                "next_due": next_due.get(r.number), "status": state, "terms": r.terms,
            })  # fmt: skip
    totals: dict[str, list[int]] = {}
    for row in rows:
        amount, left = row["amount"], row["open"]
        assert isinstance(amount, Money) and isinstance(left, Money)
        t = totals.setdefault(amount.currency, [0, 0])
        t[0] += amount.minor
        t[1] += left.minor
    columns = (
        Column("number", "Invoice"),
        Column("customer", "Customer"),
        Column("issued", "Issued", "date"),
        Column("amount", "Amount", "money"),
        Column("open", "Open", "money"),
        Column("next_due", "Next due", "date"),
        Column("status", "Status"),
        Column("terms", "Terms", wide_only=True),
    )
    return Report(
        "invoices", "Invoices", columns, rows,
        totals=[{"number": f"Total {cur}", "amount": Money(a, cur), "open": Money(o, cur)} for cur, (a, o) in
                sorted(totals.items())],
        as_of=as_of,
    )  # fmt: skip
