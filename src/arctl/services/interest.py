"""违约金 (late interest): contract terms, quotes as of any date, and charging what accrued since last time.

The arithmetic is `domain.interest` (day one, payment day, rounding once). What this module decides:

- **Terms** come from the invoice's contract (`contract.penalty_*`, set by `arctl interest terms`). An
  installment whose invoice has no contract, or a contract without a rate, has "no penalty terms".
  Charge invoices have no contract: a charge never bears interest itself.
- **What lowers the base**: the installment's allocations (payments, credit notes, write-offs) in force at
  the end of D, i.e. applied on or before D and not reversed on or before D, each dated by its
  `applied_on`. That is the date the ledger's outstanding (and aging) dropped: cash received on the 11th
  but applied on the 20th bears interest until the 20th, so apply cash when it comes in. An allocation
  reversed on or before D is left out altogether (as if it had never been applied). Facts dated after D
  (allocations, reversals, charges, voids, disputes, holds) are ignored, so a quote for a past D is
  reproducible.
- **Due date** as known at D (a milestone recorded after D leaves the installment pending: no interest).
  Invoices issued after D, or voided on or before D, are left out.
- **Already charged**: interest charges assessed on or before D whose invoice was not voided (reversed)
  on or before D (`charges.charged_interest`). To charge now = `accrued_since(quote as of D, charged)`.
- **Charging** (`charge_interest`): one transaction for the whole run; per installment with terms and past
  day one, positive amounts are posted as one charge covering the days after the last charged period (or
  from day one) through D (or the day it was paid in full); zero posts nothing, so re-running with the same
  D changes nothing; negative posts nothing and is reported ("over-charged by X: issue a credit note").
  Skipped and reported when there is something to charge: customers on legal hold at D, items under a
  dispute open at D (when `policy.holds.disputes_stop_interest`), items with an interest charge assessed
  after D (charging as of an earlier day would count it twice). Charging ahead of today is refused.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from arctl.db import audit, repo
from arctl.db.collections_repo import disputed_installments, held_customers
from arctl.db.engine import Database
from arctl.db.models import Allocation, Contract, Customer, Installment, Invoice
from arctl.domain.dates import today
from arctl.domain.errors import Ambiguous, InvalidInput, NotFound
from arctl.domain.interest import BASIS_POINTS, PPM, InterestQuote, PenaltyTerms, accrued_since, quote
from arctl.domain.money import Money, format_amount
from arctl.domain.report import Column, Report, Row
from arctl.services import charges
from arctl.services._lookup import resolve_customer

MAX_GRACE_DAYS = 3660
_PER = {
    "day": "daily", "d": "daily", "daily": "daily", "天": "daily", "日": "daily",
    "year": "annual", "yr": "annual", "y": "annual", "a": "annual", "annum": "annual", "annual": "annual",
    "年": "annual",
}  # fmt: skip
_PERCENT = re.compile(r"^(?P<sign>[-+−]?)\s*(?P<num>\d+(?:\.\d*)?|\.\d+)\s*(?P<pct>%?)\s*(?:/\s*(?P<per>\S+))?$")


# --- parsing rates ----------------------------------------------------------------------------------------


def _percent(text: str, field: str, what: str, example: str) -> tuple[Decimal, str | None]:
    """A percentage as typed: digits, a % sign, optionally /day or /year. Exact Decimal, never float."""
    raw = unicodedata.normalize("NFKC", str(text or "")).strip()
    match = _PERCENT.match(raw)
    if not match:
        raise InvalidInput(f"{text!r} is not a {what} (expected a percentage like {example})", field=field)
    if match["sign"] in ("-", "−"):
        raise InvalidInput(f"{text!r}: a {what} must not be negative", field=field)
    if len(match["num"]) > 20:
        raise InvalidInput(f"{text!r} is too long for a {what}", field=field)
    if not match["pct"]:
        raise InvalidInput(
            f"{text!r}: write the {what} with a % sign, e.g. {example} (a bare number is ambiguous)", field=field
        )
    value = Decimal(match["num"])
    if value > 100:
        raise InvalidInput(f"{text!r}: a {what} above 100% is not allowed", field=field)
    if value == 0:
        raise InvalidInput(
            f"{text!r}: a {what} must be more than 0% (use --clear to remove the terms)", field=field
        )
    return value, match["per"]


def parse_rate(text: str, *, field: str = "--rate") -> tuple[int, str | None]:
    """'0.05%', '0.05%/day', '6%/year', '18 %/年' → (parts per million, basis or None when not said).

    The % sign is required (0.0005 and 0.05 are too easy to confuse); precision finer than 1 ppm
    (0.0001 %) is refused, never rounded.
    """
    value, per = _percent(text, field, "rate", "0.05%/day or 6%/year")
    ppm = value * (PPM // 100)
    if ppm != ppm.to_integral_value():
        raise InvalidInput(f"{text!r} is finer than 1 ppm (0.0001%): give at most 4 decimals", field=field)
    basis = None
    if per is not None:
        basis = _PER.get(per.casefold())
        if basis is None:
            raise InvalidInput(f"{text!r}: per {per!r}? Write /day or /year", field=field)
    return int(ppm), basis


def parse_cap(text: str, *, field: str = "--cap") -> int | None:
    """'10%' → 1000 basis points of the installment's principal; 'none' → no cap. Finer than 0.01 % is refused."""
    if unicodedata.normalize("NFKC", str(text or "")).strip().casefold() in ("none", "no", "off", "无"):
        return None
    value, per = _percent(text, field, "cap", "10%")
    if per is not None:
        raise InvalidInput(f"{text!r}: a cap is a share of the principal, not per {per}", field=field)
    bp = value * (BASIS_POINTS // 100)
    if bp != bp.to_integral_value():
        raise InvalidInput(f"{text!r} is finer than 0.01%: give at most 2 decimals", field=field)
    return int(bp)


def percent_text(parts: int, per_hundred: int) -> str:
    """1000 basis points → '10%'; 500 ppm → '0.05%' (exact)."""
    return f"{(Decimal(parts) * 100 / per_hundred).normalize():f}%"


# --- contract terms -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ContractTerms:
    contract: str
    customer: str
    basis: str | None
    rate_ppm: int | None
    grace_days: int
    cap_bp: int | None

    @property
    def text(self) -> str:
        if self.rate_ppm is None or self.basis is None:
            return "no penalty terms"
        rate = percent_text(self.rate_ppm, PPM) + ("/day" if self.basis == "daily" else "/year")
        cap = (
            "no cap" if self.cap_bp is None else f"cap {percent_text(self.cap_bp, BASIS_POINTS)} of the principal"
        )
        return f"{rate}, grace {self.grace_days} day(s), {cap}"

    def snapshot(self) -> dict[str, Any]:
        return {"basis": self.basis, "rate_ppm": self.rate_ppm, "grace_days": self.grace_days, "cap_bp": self.cap_bp,
                "text": self.text}  # fmt: skip


def _terms_of(contract: Contract, customer_code: str) -> ContractTerms:
    return ContractTerms(contract.number, customer_code, contract.penalty_basis, contract.penalty_rate_ppm,
                         contract.grace_days or 0, contract.penalty_cap_bp)  # fmt: skip


def _resolve_contract(session: Session, ref: str) -> Contract:
    raw = (ref or "").strip()
    found = session.execute(select(Contract).where(Contract.number == raw)).scalar_one_or_none()
    if found is None:
        matches = (
            session.execute(select(Contract).where(func.upper(Contract.number) == raw.upper())).scalars().all()
        )
        if len(matches) > 1:
            raise Ambiguous(f"{raw!r} matches several contracts: {', '.join(c.number for c in matches)}",
                            field="CONTRACT")  # fmt: skip
        found = matches[0] if matches else None
    if found is None:
        raise NotFound(f"CONTRACT: no contract {raw!r}", hint="contracts come from `arctl invoice add ... --contract NUMBER`",
                       field="CONTRACT")  # fmt: skip
    return found


def contract_terms(
    db: Database,
    contract: str,
    *,
    basis: str | None = None,
    rate: str | None = None,
    grace: int | None = None,
    cap: str | None = None,
    clear: bool = False,
) -> tuple[ContractTerms, ContractTerms | None]:
    """Show (no options) or set a contract's 违约金 terms. Returns (terms now, terms before when changed)."""
    changing = clear or any(v is not None for v in (basis, rate, grace, cap))
    if clear and any(v is not None for v in (basis, rate, grace, cap)):
        raise InvalidInput("give either --clear or new terms, not both", field="--clear")
    if basis is not None and basis not in ("daily", "annual"):
        raise InvalidInput(f"{basis!r} is not daily or annual", field="--basis")
    if grace is not None and not 0 <= grace <= MAX_GRACE_DAYS:
        raise InvalidInput(f"{grace} must be between 0 and {MAX_GRACE_DAYS} days", field="--grace")
    rate_ppm, rate_basis = parse_rate(rate) if rate is not None else (None, None)
    if basis and rate_basis and basis != rate_basis:
        raise InvalidInput(f"{rate!r} is {rate_basis} but --basis says {basis}", field="--rate")
    cap_bp = parse_cap(cap) if cap is not None else None
    if not changing:
        with db.read() as session:
            found = _resolve_contract(session, contract)
            return _terms_of(found, session.get_one(Customer, found.customer_id).code), None
    with db.write() as session:
        found = _resolve_contract(session, contract)
        code = session.get_one(Customer, found.customer_id).code
        before = _terms_of(found, code)
        if clear:
            found.penalty_basis, found.penalty_rate_ppm, found.penalty_cap_bp, found.grace_days = (
                None,
                None,
                None,
                0,
            )
        else:
            new_basis = basis or rate_basis or found.penalty_basis
            new_rate = rate_ppm if rate_ppm is not None else found.penalty_rate_ppm
            if new_rate is None:
                raise InvalidInput(f"contract {found.number} has no rate yet: give one (e.g. --rate 0.05%/day)",
                                   field="--rate")  # fmt: skip
            if new_basis is None:
                raise InvalidInput("say whether the rate is per day or per year: --basis daily|annual "
                                   "(or --rate 0.05%/day)", field="--basis")  # fmt: skip
            found.penalty_basis, found.penalty_rate_ppm = new_basis, new_rate
            if grace is not None:
                found.grace_days = grace
            if cap is not None:
                found.penalty_cap_bp = cap_bp
        after = _terms_of(found, code)
        if after == before:
            return after, None
        session.flush()
        audit.record(session, "contract.terms", "contract", found.number, before=before.snapshot(),
                     after=after.snapshot())  # fmt: skip
        return after, before


# --- items and quotes -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Item:
    """One installment as interest sees it at D."""

    installment_id: int
    invoice: str
    seq: int
    customer_id: int
    customer: str
    currency: str
    amount_minor: int
    due_on: date | None
    terms: PenaltyTerms | None
    is_charge: bool
    quote: InterestQuote | None
    charged_minor: int
    charged_through: date | None
    charged_later: date | None
    disputed: bool
    hold: str | None

    @property
    def label(self) -> str:
        return f"{self.invoice}:{self.seq}"

    @property
    def accrued(self) -> int:
        """To charge now (negative: over-charged); 0 without a quote."""
        return 0 if self.quote is None else accrued_since(self.quote, self.charged_minor)


def _target(session: Session, ref: str) -> tuple[int | None, int | None]:
    """(invoice id, customer id) for an INVOICE number or a CUSTOMER reference; an invoice number wins."""
    raw = (ref or "").strip()
    if not raw:
        raise InvalidInput("give an invoice number or a customer", field="TARGET")
    invoice_id = session.execute(select(Invoice.id).where(func.upper(Invoice.number) == raw.upper())).scalar()
    if invoice_id is not None:
        return invoice_id, None
    try:
        return None, resolve_customer(session, raw).id
    except NotFound:
        raise NotFound(f"TARGET: no invoice or customer {raw!r}", hint="see `arctl invoice list` or `arctl customer list`",
                       field="TARGET") from None  # fmt: skip


def load_items(
    session: Session,
    as_of: date,
    *,
    invoice_id: int | None = None,
    customer_id: int | None = None,
    with_terms_only: bool = False,
) -> list[Item]:
    """The installments of an invoice, of a customer, or (with_terms_only, no target) every one that may owe
    interest at D: issued by D, not voided by D, due date known at D."""
    query = (
        select(Installment.id, Invoice.id, Invoice.number, Installment.seq, Customer.id, Customer.code,
               Invoice.currency, Installment.amount_minor, Installment.due_kind, Installment.due_days,
               Installment.due_date, Contract.penalty_basis, Contract.penalty_rate_ppm, Contract.grace_days,
               Contract.penalty_cap_bp)
        .join(Invoice, Invoice.id == Installment.invoice_id)
        .join(Customer, Customer.id == Invoice.customer_id)
        .outerjoin(Contract, Contract.id == Invoice.contract_id)
        .where(Invoice.issue_date <= as_of, or_(Invoice.voided_on.is_(None), Invoice.voided_on > as_of))
        .order_by(Customer.code, Invoice.issue_date, Invoice.number, Installment.seq)
    )  # fmt: skip
    if invoice_id is not None:
        query = query.where(Invoice.id == invoice_id)
    if customer_id is not None:
        query = query.where(Invoice.customer_id == customer_id)
    if with_terms_only:
        # settled (now) on or before its due date: it never owed interest on any day (see module doc)
        query = query.where(
            Contract.penalty_rate_ppm.is_not(None), Contract.penalty_basis.is_not(None),
            Installment.due_date.is_not(None), Installment.due_date < as_of,
            or_(Installment.settled_on.is_(None), Installment.settled_on > Installment.due_date),
        )  # fmt: skip
    rows = session.execute(query).all()
    ids = [r[0] for r in rows]
    payments: dict[int, list[tuple[date, int]]] = defaultdict(list)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        for ins_id, applied_on, minor in session.execute(
            select(Allocation.installment_id, Allocation.applied_on, Allocation.amount_minor).where(
                Allocation.installment_id.in_(chunk), repo.active_at(as_of)
            )
        ):
            payments[ins_id].append((applied_on, minor))
    charged = charges.charged_interest(session, ids, as_of)
    through = charges.charged_through(session, ids, as_of)
    later = charges.charged_after(session, ids, as_of)
    disputed = disputed_installments(session, as_of, ids)
    held = held_customers(session, as_of)
    charge_invoices = charges.charge_invoice_ids(session, {r[1] for r in rows})
    items = []
    for (ins_id, inv_id, number, seq, cust_id, code, currency, amount, due_kind, due_days, due_date, basis, rate,
         grace, cap) in rows:  # fmt: skip
        due = repo.due_as_of(due_kind, due_days, due_date, as_of)
        terms = None
        if basis is not None and rate is not None:
            terms = PenaltyTerms(basis, rate, grace or 0, cap)
        q = None if terms is None or due is None else quote(amount, due, payments[ins_id], terms, as_of)
        items.append(Item(ins_id, number, seq, cust_id, code, currency, amount, due, terms, inv_id in charge_invoices,
                          q, charged.get(ins_id, 0), through.get(ins_id), later.get(ins_id), ins_id in disputed,
                          held.get(cust_id)))  # fmt: skip
    return items


def _stops_for_dispute() -> bool:
    from arctl.services.settings import collections_policy

    return collections_policy().holds.disputes_stop_interest


def _skip_reason(item: Item, disputes_stop: bool) -> str | None:
    if item.hold is not None:
        return f"skipped: on hold ({item.hold})"
    if item.disputed and disputes_stop:
        return "skipped: disputed"
    if item.charged_later is not None:
        return f"skipped: already charged on {item.charged_later}, after the as-of date"
    return None


def _money(minor: int, currency: str) -> Money:
    return Money(minor, currency)


QUOTE_COLUMNS = (
    Column("line", "Line", wide_only=True),
    Column("customer", "Customer", wide_only=True),
    Column("item", "Item"),
    Column("due", "Due", "date", wide_only=True),
    Column("start", "From", "date", wide_only=True),
    Column("end", "To", "date"),
    Column("days", "Days", "int"),
    Column("principal", "Principal", "money"),
    Column("rate", "Rate", wide_only=True),
    Column("interest", "Interest", "money"),
    Column("cap", "Cap", "money", wide_only=True),
    Column("capped", "Capped", wide_only=True),
    Column("charged", "Charged", "money", wide_only=True),
    Column("to_charge", "To charge", "money"),
    Column("currency", "Cur", wide_only=True),
    Column("note", "Note"),
)


def quote_report(db: Database, target: str, *, as_of: date) -> Report:
    """`interest quote`: per installment and per period, with totals per currency (see the module doc)."""
    disputes_stop = _stops_for_dispute()
    with db.read() as session:
        invoice_id, customer_id = _target(session, target)
        items = load_items(session, as_of, invoice_id=invoice_id, customer_id=customer_id)
    rows: list[Row] = []
    totals: dict[str, list[int]] = {}
    no_terms = charge_items = 0
    for item in items:
        cur = item.currency
        base: Row = {"customer": item.customer, "item": item.label, "due": item.due_on, "currency": cur}
        if item.is_charge:
            charge_items += 1
            if invoice_id is None:
                continue
            rows.append({**base, "line": "installment", "note": "a charge: bears no interest"})
            continue
        if item.terms is None:
            no_terms += 1
            rows.append({**base, "line": "installment", "principal": _money(item.amount_minor, cur),
                         "note": "no penalty terms"})  # fmt: skip
            continue
        q = item.quote
        rate = item.terms.rate_text
        if q is None:
            rows.append({**base, "line": "installment", "principal": _money(item.amount_minor, cur), "rate": rate,
                         "note": "pending: no due date yet"})  # fmt: skip
            continue
        for p in q.periods:
            rows.append({**base, "line": "period", "start": p.start, "end": p.end, "days": p.days,
                         "principal": _money(p.principal_minor, cur), "rate": rate,
                         "interest": _money(p.amount_minor, cur)})  # fmt: skip
        accrued = item.accrued
        skip = _skip_reason(item, disputes_stop)
        to_charge = accrued if accrued > 0 and skip is None else 0
        notes = []
        if q.capped:
            notes.append("capped")
        if item.hold is not None:
            notes.append(f"on hold ({item.hold})")
        if item.disputed:
            notes.append("disputed" + (": not charged" if disputes_stop else ""))
        if item.charged_later is not None:
            notes.append(f"charged on {item.charged_later}")
        if accrued < 0:
            notes.append(f"over-charged by {format_amount(-accrued, cur, grouping=True)}: issue a credit note")
        if not q.periods:
            notes.append("not late" if as_of < q.starts_on else "paid in time")
        if q.settled_on is not None and q.periods:
            notes.append(f"paid {q.settled_on}")
        rows.append({
            **base, "line": "installment", "start": q.starts_on if q.periods else None,
            "end": q.periods[-1].end if q.periods else None, "days": q.days,
            "principal": _money(q.principal_minor, cur), "rate": rate, "interest": _money(q.total_minor, cur),
            "cap": None if q.cap_minor is None else _money(q.cap_minor, cur), "capped": "yes" if q.capped else "",
            "charged": _money(item.charged_minor, cur), "to_charge": _money(to_charge, cur),
            "note": "; ".join(notes) or "total",
        })  # fmt: skip
        t = totals.setdefault(cur, [0, 0, 0])
        t[0] += q.total_minor
        t[1] += item.charged_minor
        t[2] += to_charge
    notes_out = []
    if no_terms:
        notes_out.append(
            f"{no_terms} installment(s) without penalty terms (set them: arctl interest terms CONTRACT)"
        )
    if charge_items and invoice_id is None:
        notes_out.append(f"{charge_items} charge installment(s) left out: charges bear no interest")
    if not items:
        notes_out.append("nothing issued by this date")
    notes_out.append(
        "Period interest is shown rounded; each installment's total is rounded once from the exact sum."
    )
    return Report(
        "interest-quote", f"违约金 quote as of {as_of}", QUOTE_COLUMNS, rows,
        totals=[{"line": "total", "item": f"Total {cur}", "interest": _money(i, cur), "charged": _money(c, cur),
                 "to_charge": _money(n, cur), "currency": cur} for cur, (i, c, n) in sorted(totals.items())],
        as_of=as_of, notes=notes_out,
    )  # fmt: skip


# --- charging -------------------------------------------------------------------------------------------

CHARGE_COLUMNS = (
    Column("customer", "Customer", wide_only=True),
    Column("item", "Item"),
    Column("start", "From", "date"),
    Column("end", "To", "date"),
    Column("amount", "Amount", "money"),
    Column("currency", "Cur", wide_only=True),
    Column("status", "Status"),
    Column("charge", "Charge invoice"),
)


def charge_interest(
    db: Database, target: str | None, *, all_items: bool, as_of: date, dry_run: bool = False
) -> Report:
    """`interest charge`: post what accrued since the last charge, one charge per installment, one transaction."""
    if bool(target) == bool(all_items):
        raise InvalidInput("give an INVOICE or CUSTOMER, or --all (one of them)", field="TARGET")
    if as_of > today():
        raise InvalidInput(f"{as_of} is after today: interest is charged as of today or earlier", field="--as-of")
    disputes_stop = _stops_for_dispute()
    rows: list[Row] = []
    totals: dict[str, int] = {}
    counts = {"nothing": 0, "no_terms": 0}
    if dry_run:
        with db.read() as session:
            _charge_run(session, target, as_of, disputes_stop, True, rows, totals, counts)
    else:
        with db.write() as session:
            _charge_run(session, target, as_of, disputes_stop, False, rows, totals, counts)
    notes = []
    if dry_run:
        notes.append("dry run: nothing was written")
    if counts["nothing"]:
        notes.append(f"{counts['nothing']} installment(s) with nothing new to charge")
    if counts["no_terms"]:
        notes.append(f"{counts['no_terms']} installment(s) without penalty terms")
    if not rows:
        notes.append("nothing to charge")
    return Report(
        "interest-charge", f"违约金 {'dry run' if dry_run else 'charged'} as of {as_of}", CHARGE_COLUMNS, rows,
        totals=[{"item": f"Total {cur}", "amount": _money(minor, cur), "currency": cur}
                for cur, minor in sorted(totals.items())],
        as_of=as_of, notes=notes,
    )  # fmt: skip


def _charge_run(
    session: Session,
    target: str | None,
    as_of: date,
    disputes_stop: bool,
    dry_run: bool,
    rows: list[Row],
    totals: dict[str, int],
    counts: dict[str, int],
) -> None:
    if target:
        invoice_id, customer_id = _target(session, target)
        items = load_items(session, as_of, invoice_id=invoice_id, customer_id=customer_id)
    else:
        items = load_items(session, as_of, with_terms_only=True)
    for item in items:
        if item.is_charge:
            continue
        if item.terms is None:
            counts["no_terms"] += 1
            continue
        q = item.quote
        if q is None or not q.periods:
            continue
        cur = item.currency
        accrued = item.accrued
        base: Row = {"customer": item.customer, "item": item.label, "currency": cur}
        if accrued == 0:
            counts["nothing"] += 1
            continue
        if accrued < 0:
            rows.append({**base, "amount": _money(accrued, cur),
                         "status": f"over-charged by {format_amount(-accrued, cur, grouping=True)}: "
                                   "issue a credit note"})  # fmt: skip
            continue
        skip = _skip_reason(item, disputes_stop)
        if skip is not None:
            rows.append({**base, "amount": _money(accrued, cur), "status": skip})
            continue
        end = q.settled_on or as_of
        start = q.starts_on if item.charged_through is None else item.charged_through + timedelta(days=1)
        if start > end:  # the base was raised for days already charged (an allocation reversed): recomputed
            start = q.starts_on
        number = ""
        if not dry_run:
            charge = charges.post_interest(session, installment_id=item.installment_id, amount_minor=accrued,
                                           currency=cur, period=(start, end), on=as_of)  # fmt: skip
            number = session.get_one(Invoice, charge.invoice_id).number
        rows.append({**base, "start": start, "end": end, "amount": _money(accrued, cur),
                     "status": "would charge" if dry_run else "charged", "charge": number})  # fmt: skip
        totals[cur] = totals.get(cur, 0) + accrued
