"""Customer records: add, edit, contacts, list, show."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from arctl.db import audit, collections_repo, repo
from arctl.db.audit import utc_now
from arctl.db.collection_models import CustomerHold
from arctl.db.engine import Database
from arctl.db.models import Contact, Customer, CustomerAlias, CustomerTag, Invoice
from arctl.domain.errors import InvalidInput, Refused
from arctl.domain.ledger import CHANNELS, LANGUAGES, ContactInfo, CustomerDetail, choose
from arctl.domain.money import Money, format_amount, normalize_currency, parse_amount
from arctl.domain.report import Column, Report
from arctl.domain.terms import parse_terms
from arctl.services._lookup import normalize_name, resolve_customer

if TYPE_CHECKING:
    from arctl.reports.timeline import Event

_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_TAG = re.compile(r"^[\w.-]{1,40}$")


def snapshot(c: Customer) -> dict[str, Any]:
    """The customer as an audit record sees it (notes included: the audit log is as private as the ledger)."""
    return {
        "code": c.code, "name": c.name, "address": c.address, "default_terms": c.default_terms,
        "credit_limit": None if c.credit_limit_minor is None
        else format_amount(c.credit_limit_minor, c.credit_currency or "CNY"),
        "credit_currency": c.credit_currency, "credit_grade": c.credit_grade, "language": c.language,
        "notes": c.notes, "collector": c.collector, "aliases": sorted(a.alias for a in c.aliases), "tags": sorted(t.tag for t in c.tags),
        "contacts": [{"name": k.name, "email": k.email, "phone": k.phone, "language": k.language,
                      "channel": k.channel, "role": k.role} for k in c.contacts],
    }  # fmt: skip


def check_code(code: str) -> str:
    code = (code or "").strip()
    if not _CODE.match(code):
        raise InvalidInput(f"{code!r}: use 1-32 letters, digits, '-', '_' or '.'", field="code")
    return code


def check_contact(contact: ContactInfo) -> ContactInfo:
    if not contact.name.strip():
        raise InvalidInput("contact name is empty", field="contact")
    if contact.email and not _EMAIL.match(contact.email.strip()):
        raise InvalidInput(f"{contact.email!r} is not an email address", field="email")
    return ContactInfo(
        name=contact.name.strip(),
        role=(contact.role or "").strip() or None,
        email=(contact.email or "").strip() or None,
        phone=(contact.phone or "").strip() or None,
        language=choose(contact.language, LANGUAGES, "language"),
        channel=choose(contact.channel, CHANNELS, "channel"),
        is_primary=contact.is_primary,
    )


def _collector(name: str | None) -> str | None:
    name = " ".join((name or "").split())
    if len(name) > 60:
        raise InvalidInput(f"{name[:20]!r}...: a collector's name has at most 60 characters", field="--collector")
    return name or None


def _check_tags(tags: Sequence[str]) -> list[str]:
    out = []
    for tag in tags:
        tag = tag.strip().lower()
        if tag and not _TAG.match(tag):
            raise InvalidInput(f"{tag!r}: tags are single words (letters, digits, - _ .)", field="tag")
        if tag and tag not in out:
            out.append(tag)
    return out


def _add_alias(session: Session, customer: Customer, alias: str, source: str) -> None:
    alias = alias.strip()
    norm = normalize_name(alias)
    if not norm or norm == normalize_name(customer.name):
        return
    owner = session.execute(select(CustomerAlias).where(CustomerAlias.normalized == norm)).scalar_one_or_none()
    if owner is not None:
        if owner.customer_id == customer.id:
            return
        raise Refused(
            f"alias {alias!r} already belongs to customer {owner.customer.code}",
        )
    customer.aliases.append(CustomerAlias(alias=alias, normalized=norm, source=source))


def _credit_limit(text: str | None, currency: str) -> int | None:
    if text is None or not str(text).strip():
        return None
    return parse_amount(text, currency, field="credit_limit")


def new_customer(
    session: Session,
    *,
    code: str,
    name: str,
    terms: str | None = None,
    credit_limit: str | None = None,
    currency: str = "CNY",
    grade: str | None = None,
    tags: Sequence[str] = (),
    aliases: Sequence[str] = (),
    notes: str | None = None,
    address: str | None = None,
    language: str = "zh",
    contacts: Sequence[ContactInfo] = (),
    alias_source: str = "manual",
    collector: str | None = None,
) -> Customer:
    """Validate and add a customer inside an open write session (used by add and import)."""
    code = check_code(code)
    name = (name or "").strip()
    if not name:
        raise InvalidInput("name is empty", field="name")
    if session.execute(select(Customer.id).where(func.upper(Customer.code) == code.upper())).first():
        raise Refused(f"customer {code} already exists", hint=f"use `arctl customer edit {code}`")
    currency = normalize_currency(currency)
    if terms:
        parse_terms(terms)
    customer = Customer(
        code=code, name=name, default_terms=(terms or "").strip() or None,
        credit_limit_minor=_credit_limit(credit_limit, currency),
        credit_currency=currency, credit_grade=(grade or "").strip().upper() or None,
        language=choose(language, LANGUAGES, "language"), notes=(notes or "").strip() or None,
        address=(address or "").strip() or None, collector=_collector(collector), created_at=utc_now(),
    )  # fmt: skip
    session.add(customer)
    customer.tags.extend(CustomerTag(tag=t) for t in _check_tags(tags))
    for alias in aliases:
        _add_alias(session, customer, alias, alias_source)
    for contact in contacts:
        c = check_contact(contact)
        customer.contacts.append(Contact(**_contact_kwargs(c)))
    if customer.contacts and not any(k.is_primary for k in customer.contacts):
        customer.contacts[0].is_primary = True
    session.flush()
    audit.record(session, "customer.add", "customer", code, after=snapshot(customer))
    return customer


def _contact_kwargs(c: ContactInfo) -> dict[str, Any]:
    return {f: getattr(c, f) for f in ContactInfo.__slots__}


def add_customer(db: Database, **fields: Any) -> CustomerDetail:
    with db.write() as session:
        customer = new_customer(session, **fields)
        return _detail(session, customer, None)


def edit_customer(
    db: Database,
    ref: str,
    *,
    name: str | None = None,
    terms: str | None = None,
    credit_limit: str | None = None,
    currency: str | None = None,
    grade: str | None = None,
    notes: str | None = None,
    address: str | None = None,
    language: str | None = None,
    add_tags: Sequence[str] = (),
    remove_tags: Sequence[str] = (),
    add_aliases: Sequence[str] = (),
    remove_aliases: Sequence[str] = (),
    add_contacts: Sequence[ContactInfo] = (),
    collector: str | None = None,
) -> CustomerDetail:
    """Change descriptive fields; every change is one audited edit with before and after."""
    with db.write() as session:
        customer = resolve_customer(session, ref)
        before = snapshot(customer)
        if name is not None:
            if not name.strip():
                raise InvalidInput("name is empty", field="name")
            customer.name = name.strip()
        if terms is not None:
            if terms.strip():
                parse_terms(terms)
            customer.default_terms = terms.strip() or None
        if currency is not None:
            new_currency = normalize_currency(currency)
            if (
                new_currency != customer.credit_currency
                and customer.credit_limit_minor is not None
                and not credit_limit
            ):
                raise InvalidInput(
                    f"changing the currency from {customer.credit_currency} to {new_currency} needs a new "
                    "--credit-limit (amounts are not converted)",
                    field="--currency",
                )
            customer.credit_currency = new_currency
        if credit_limit is not None:
            customer.credit_limit_minor = _credit_limit(credit_limit, customer.credit_currency or "CNY")
        if grade is not None:
            customer.credit_grade = grade.strip().upper() or None
        if notes is not None:
            customer.notes = notes.strip() or None
        if address is not None:
            customer.address = address.strip() or None
        if language is not None:
            customer.language = choose(language, LANGUAGES, "language")
        if collector is not None:
            customer.collector = _collector(collector)
        existing = {t.tag for t in customer.tags}
        customer.tags.extend(CustomerTag(tag=t) for t in _check_tags(add_tags) if t not in existing)
        drop = set(_check_tags(remove_tags))
        for tag in [t for t in customer.tags if t.tag in drop]:
            customer.tags.remove(tag)
            session.delete(tag)
        for alias in add_aliases:
            _add_alias(session, customer, alias, "manual")
        drop_aliases = {normalize_name(a) for a in remove_aliases}
        for alias in [a for a in customer.aliases if a.normalized in drop_aliases]:
            customer.aliases.remove(alias)
            session.delete(alias)
        for contact in add_contacts:
            customer.contacts.append(Contact(**_contact_kwargs(check_contact(contact))))
        if customer.contacts and not any(k.is_primary for k in customer.contacts):
            customer.contacts[0].is_primary = True
        session.flush()
        after = snapshot(customer)
        if after == before:
            raise Refused(f"nothing to change for customer {customer.code}", hint="give at least one option")
        audit.record(session, "customer.edit", "customer", customer.code, before=before, after=after)
        return _detail(session, customer, None)


def show_customer(db: Database, ref: str, as_of: date) -> CustomerDetail:
    with db.read() as session:
        return _detail(session, resolve_customer(session, ref), as_of)


def _detail(session: Session, c: Customer, as_of: date | None) -> CustomerDetail:
    open_by: dict[str, int] = {}
    unapplied_by: dict[str, int] = {}
    if as_of is not None:
        for item in repo.open_items(session, as_of, customer_id=c.id):
            open_by[item.open.currency] = open_by.get(item.open.currency, 0) + item.open.minor
        for (_, currency), left in repo.unapplied(session, as_of, customer_id=c.id).items():
            unapplied_by[currency] = left
    invoices = session.execute(select(func.count(Invoice.id)).where(Invoice.customer_id == c.id)).scalar_one()
    return CustomerDetail(
        code=c.code, name=c.name, language=c.language, default_terms=c.default_terms,
        credit_limit=None if c.credit_limit_minor is None else Money(c.credit_limit_minor, c.credit_currency or "CNY"),
        credit_grade=c.credit_grade, address=c.address, notes=c.notes,
        aliases=tuple(a.alias for a in c.aliases), tags=tuple(t.tag for t in c.tags),
        contacts=tuple(ContactInfo(k.name, k.role, k.email, k.phone, k.language, k.channel, k.is_primary)
                       for k in c.contacts),
        open_by_currency=open_by, unapplied_by_currency=unapplied_by, invoices=invoices,
    )  # fmt: skip


def list_customers(db: Database, *, tag: str | None = None, as_of: date) -> Report:
    """One row per customer with what it owes now (per currency) and its unapplied cash."""
    with db.read() as session:
        query = select(Customer).order_by(Customer.code)
        if tag:
            query = query.join(CustomerTag).where(CustomerTag.tag == tag.strip().lower())
        customers = session.execute(query).scalars().all()
        owed: dict[tuple[str, str], int] = {}
        for item in repo.open_items(session, as_of):
            key = (item.customer_code, item.open.currency)
            owed[key] = owed.get(key, 0) + item.open.minor
        credit = repo.unapplied(session, as_of)
        rows = []
        for c in customers:
            currencies = sorted(
                {cur for (code, cur) in owed if code == c.code} | {cur for (i, cur) in credit if i == c.id}
            )
            for currency in currencies or [c.credit_currency or "CNY"]:
                rows.append({
                    "code": c.code, "name": c.name, "terms": c.default_terms or "",
                    "grade": c.credit_grade or "", "tags": ",".join(t.tag for t in c.tags),
                    "collector": c.collector or "",
                    "open": Money(owed.get((c.code, currency), 0), currency),
                    "unapplied": Money(credit.get((c.id, currency), 0), currency),
                })  # fmt: skip
    columns = (
        Column("code", "Code"),
        Column("name", "Name"),
        Column("terms", "Terms", wide_only=True),
        Column("grade", "Grade", wide_only=True),
        Column("tags", "Tags", wide_only=True),
        Column("collector", "Collector", wide_only=True),
        Column("open", "Open", "money"),
        Column("unapplied", "Unapplied", "money"),
    )
    return Report("customers", "Customers", columns, rows, as_of=as_of)


# --- legal hold ----------------------------------------------------------------------------------------


def _open_hold(session: Session, customer_id: int) -> CustomerHold | None:
    """The customer's unreleased hold (at most one: a partial unique index)."""
    return session.execute(
        select(CustomerHold).where(CustomerHold.customer_id == customer_id, CustomerHold.released_on.is_(None))
    ).scalar_one_or_none()


def hold_customer(db: Database, ref: str, *, reason: str, on: date) -> tuple[str, date]:
    """Put a customer on legal hold (诉讼中, 破产...) from `on`: no reminders and no charges while held.

    Holds are a dated history (`customer_hold`): one may start on or after the day the previous one was
    released (the release day is not held), never before it, so held periods never overlap."""
    from arctl.services.promises import refuse_future

    reason = " ".join((reason or "").split())
    if not reason:
        raise InvalidInput("a reason is required for a legal hold", field="--reason")
    refuse_future(on)
    with db.write() as session:
        customer = resolve_customer(session, ref)
        current = _open_hold(session, customer.id)
        if current is not None:
            raise Refused(f"customer {customer.code} is already on hold since {current.since} "
                          f"({current.reason})", hint=f"`arctl customer release {customer.code}` first")  # fmt: skip
        last_release = session.execute(
            select(func.max(CustomerHold.released_on)).where(CustomerHold.customer_id == customer.id)
        ).scalar()
        if last_release is not None and on < last_release:
            raise InvalidInput(
                f"{on} is before customer {customer.code}'s last hold was released ({last_release}): held "
                f"periods cannot overlap; give {last_release} or later",
                field="--on",
            )
        session.add(CustomerHold(customer_id=customer.id, since=on, reason=reason))
        session.flush()
        audit.record(session, "customer.hold", "customer", customer.code, before={"hold_since": None},
                     after={"hold_since": on, "hold_reason": reason})  # fmt: skip
        return customer.code, on


def release_customer(db: Database, ref: str, *, on: date, note: str | None = None) -> tuple[str, date, date]:
    """End a customer's legal hold on `on` (a day no longer held): reminders and charges resume. The hold
    keeps its dates (`released_on` = `on`), so a past day still reads as held. Returns (code, since, on)."""
    from arctl.services.promises import refuse_future

    refuse_future(on)
    note = " ".join((note or "").split()) or None
    with db.write() as session:
        customer = resolve_customer(session, ref)
        hold = _open_hold(session, customer.id)
        if hold is None:
            raise Refused(f"customer {customer.code} is not on hold")
        since = hold.since
        if on < since:
            raise InvalidInput(f"{on} is before the hold began ({since})", field="--on")
        before = {"hold_since": since, "hold_reason": hold.reason}
        hold.released_on, hold.release_note = on, note
        session.flush()
        after: dict[str, Any] = {"hold_since": None, "released_on": on}
        if note:
            after["release_note"] = note
        audit.record(session, "customer.release", "customer", customer.code, before=before, after=after)
        return customer.code, since, on


# --- show: the header and the whole story ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CustomerProfile:
    """What `customer show` prints: the details, who collects, any hold, and the dated history."""

    detail: CustomerDetail
    collector: str | None
    hold_since: date | None
    hold_reason: str | None
    timeline: Report


def customer_profile(db: Database, ref: str, as_of: date) -> CustomerProfile:
    """One customer as of `as_of`: details and balance, and its timeline (oldest first) in one read."""
    from arctl.reports.timeline import timeline

    with db.read() as session:
        c = resolve_customer(session, ref)
        detail = _detail(session, c, as_of)
        events = list(_events(session, c, as_of))
        held = session.execute(
            select(CustomerHold.since, CustomerHold.reason)
            .where(CustomerHold.customer_id == c.id, collections_repo.hold_in_force(as_of))
            .order_by(CustomerHold.since.desc(), CustomerHold.id.desc())
            .limit(1)
        ).first()
        return CustomerProfile(detail, c.collector, held[0] if held else None, held[1] if held else None,
                               timeline(events, customer=c.code, as_of=as_of))  # fmt: skip


def _money(minor: int, currency: str) -> Money:
    return Money(minor, currency)


def _events(session: Session, c: Customer, as_of: date) -> Iterator[Event]:
    """Every dated happening of the customer on or before `as_of` (unordered: the report sorts them)."""
    from arctl.db.collection_models import ContactLog, Dispute, DisputeItem, Promise, ReminderMessage
    from arctl.db.models import Credit, Installment, Payment
    from arctl.reports.timeline import Event

    for inv in session.execute(
        select(Invoice).where(Invoice.customer_id == c.id, Invoice.issue_date <= as_of)
    ).scalars():
        yield Event(
            inv.issue_date, "invoice", inv.number, inv.description or "", _money(inv.amount_minor, inv.currency)
        )
        if inv.voided_on is not None and inv.voided_on <= as_of:
            yield Event(
                inv.voided_on, "void", inv.number, inv.void_reason or "", _money(inv.amount_minor, inv.currency)
            )
    for number, currency, voided, seq, amount, due_kind, due_days, due_date in session.execute(
        select(Invoice.number, Invoice.currency, Invoice.voided_on, Installment.seq, Installment.amount_minor,
               Installment.due_kind, Installment.due_days, Installment.due_date)
        .join(Invoice, Invoice.id == Installment.invoice_id)
        .where(Invoice.customer_id == c.id, Installment.due_date.is_not(None), Installment.due_date <= as_of,
               Installment.amount_minor > 0)
    ):  # fmt: skip
        due = repo.due_as_of(due_kind, due_days, due_date, as_of)
        if due is not None and (voided is None or voided > due):
            yield Event(due, "due", f"{number}/{seq}", "", _money(amount, currency))
    for pay in session.execute(
        select(Payment).where(Payment.customer_id == c.id, Payment.received_on <= as_of)
    ).scalars():
        label = " ".join(p for p in (pay.method.replace("_", " "), pay.reference or "") if p)
        yield Event(pay.received_on, "payment", f"P{pay.id}", label, _money(pay.amount_minor, pay.currency))
        if pay.reversed_on is not None and pay.reversed_on <= as_of:
            yield Event(pay.reversed_on, "payment_reversal", f"P{pay.id}", pay.reverse_reason or "",
                        _money(pay.amount_minor, pay.currency))  # fmt: skip
    for cred in session.execute(
        select(Credit).where(Credit.customer_id == c.id, Credit.issued_on <= as_of)
    ).scalars():
        number = cred.number or f"C{cred.id}"
        yield Event(
            cred.issued_on, cred.kind, number, cred.note or cred.reason, _money(cred.amount_minor, cred.currency)
        )
        if cred.reversed_on is not None and cred.reversed_on <= as_of:
            yield Event(cred.reversed_on, "credit_reversal", number, cred.reverse_reason or "",
                        _money(cred.amount_minor, cred.currency))  # fmt: skip
    cancelled = dict(session.execute(
        select(Promise.id, Promise.cancelled_on).where(Promise.customer_id == c.id, Promise.cancelled_on.is_not(None))
    ).all())  # fmt: skip
    for p in collections_repo.promises(session, as_of, [c.id]):
        amount = _money(p.amount_minor, p.currency)
        via = f" via {p.via}" if p.via else ""
        yield Event(p.made_on, "promise", f"promise {p.id}", f"to pay by {p.due_on}{via}", amount)
        s = p.state
        paid = f"paid {format_amount(s.paid_minor, p.currency, grouping=True)}"
        if s.status == "kept" and s.kept_on:
            yield Event(s.kept_on, "promise_kept", f"promise {p.id}", paid, amount)
        elif s.status in ("broken", "partly kept") and s.broken_on:
            kind = "promise_broken" if s.status == "broken" else "promise_partly_kept"
            yield Event(s.broken_on, kind, f"promise {p.id}", f"{paid} by {s.holds_until}", amount)
        elif s.status == "cancelled" and cancelled.get(p.id):
            yield Event(cancelled[p.id], "promise_cancelled", f"promise {p.id}", "", amount)
    disputes = list(session.execute(
        select(Dispute).where(Dispute.customer_id == c.id, Dispute.opened_on <= as_of)
    ).scalars())  # fmt: skip
    for d in disputes:
        ids = list(
            session.execute(select(DisputeItem.installment_id).where(DisputeItem.dispute_id == d.id)).scalars()
        )
        items = " ".join(sorted(
            f"{n}/{s}" for n, s in session.execute(
                select(Invoice.number, Installment.seq).join(Invoice, Invoice.id == Installment.invoice_id)
                .where(Installment.id.in_(ids)))
        ))  # fmt: skip
        yield Event(d.opened_on, "dispute", f"dispute {d.id}", f"{d.reason}: {items}")
        if d.resolved_on is not None and d.resolved_on <= as_of:
            how = (d.resolution or "").replace("_", " ")
            credit = session.get(Credit, d.credit_id) if d.credit_id else None
            if credit is not None:
                how += f" {credit.number}"
            yield Event(d.resolved_on, "dispute_resolved", f"dispute {d.id}", how,
                        _money(credit.amount_minor, credit.currency) if credit else None)  # fmt: skip
    for m in session.execute(
        select(ReminderMessage).where(ReminderMessage.customer_id == c.id, ReminderMessage.run_on <= as_of,
                                      ReminderMessage.status != "failed")
    ).scalars():  # fmt: skip
        state = {"task": " (task)", "done": " (task done)", "sending": " (in doubt)"}.get(m.status, "")
        if m.status == "done" and (m.done_on is None or m.done_on > as_of):
            state = " (task)"
        yield Event(m.run_on, "reminder", f"R{m.id}", f"{m.step_key} by {m.channel}{state}")
    for e in session.execute(
        select(ContactLog).where(ContactLog.customer_id == c.id, ContactLog.occurred_on <= as_of,
                                 ContactLog.reminder_id.is_(None))
    ).scalars():  # fmt: skip
        who = f" ({e.contact_name})" if e.contact_name else ""
        nxt = f"; next {e.next_on}" if e.next_on else ""
        yield Event(e.occurred_on, "contact", e.channel, f"{e.outcome}{who}{nxt}")
    for h in session.execute(
        select(CustomerHold).where(CustomerHold.customer_id == c.id, CustomerHold.since <= as_of)
    ).scalars():  # fmt: skip
        yield Event(h.since, "hold", c.code, h.reason)
        if h.released_on is not None and h.released_on <= as_of:
            yield Event(h.released_on, "release", c.code, h.release_note or "")
