"""Import customers, invoices, payments and milestones from CSV/XLSX: all or nothing, and idempotent.

A file whose bytes were imported before is recognised (sha256) and skipped. Rows already in the ledger
with the same content (an overlapping export) are skipped; a row that contradicts the ledger, or any bad
row, refuses the whole file with `FILE:ROW: COLUMN: why` and leaves the ledger untouched.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from arctl.db import audit
from arctl.db.audit import utc_now
from arctl.db.engine import Database
from arctl.db.models import Customer, ImportBatch, Invoice, Milestone, Payment
from arctl.domain.dates import parse_date
from arctl.domain.errors import ArctlError, InvalidInput
from arctl.domain.ledger import ContactInfo
from arctl.domain.money import normalize_currency, parse_amount
from arctl.domain.terms import EVENT_WORDS
from arctl.importers.tabular import Row, Table, normalize_header, read_table
from arctl.services import customers as customer_service
from arctl.services import invoices as invoice_service
from arctl.services import payments as payment_service
from arctl.services._lookup import resolve_customer, resolve_invoice


def _aliases(spec: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {normalize_header(text): name for name, texts in spec.items() for text in (name, *texts)}


CUSTOMER_FIELDS = _aliases({
    "code": ("customer code", "客户编码", "客户代码", "编码", "代码"),
    "name": ("customer name", "legal name", "客户名称", "名称", "公司名称", "客户"),
    "aliases": ("alias", "别名"), "terms": ("payment terms", "付款条件", "账期", "结算方式"),
    "credit_limit": ("credit limit", "信用额度"), "currency": ("币种", "币别"), "grade": ("credit grade", "信用等级"),
    "tags": ("tag", "标签"), "contact_name": ("contact", "联系人"), "contact_role": ("role", "职务", "角色"),
    "email": ("e-mail", "邮箱", "电子邮件"), "phone": ("tel", "telephone", "电话", "手机"),
    "language": ("lang", "语言"), "channel": ("渠道", "联系方式"), "address": ("地址",),
    "notes": ("note", "备注"),
})  # fmt: skip
INVOICE_FIELDS = _aliases({
    "number": ("invoice", "invoice number", "invoice no", "发票号", "发票号码", "单号", "应收单号"),
    "customer": ("customer code", "客户", "客户编码"), "issue_date": ("date", "issued", "invoice date", "开票日期", "日期"),
    "currency": ("币种", "币别"), "amount": ("total", "金额", "含税金额", "价税合计"),
    "terms": ("payment terms", "付款条件", "账期"), "description": ("memo", "摘要", "说明", "描述"),
    "contract": ("contract number", "合同号", "合同编号"),
})  # fmt: skip
PAYMENT_FIELDS = _aliases({
    "date": ("received", "received on", "收款日期", "日期"), "customer": ("客户", "客户编码"),
    "amount": ("金额", "收款金额"), "currency": ("币种",), "method": ("收款方式", "方式"),
    "payer_name": ("payer", "付款人", "对方户名"), "payer_account": ("account", "对方账号"),
    "reference": ("ref", "流水号", "交易流水号"), "apply": ("核销", "applied to"), "note": ("备注",),
})  # fmt: skip
MILESTONE_FIELDS = _aliases({
    "invoice": ("invoice number", "发票号", "单号"), "event": ("milestone", "事件", "节点"), "date": ("on", "日期"),
})  # fmt: skip


@dataclass
class ImportResult:
    kind: str
    path: str
    rows: int = 0
    added: int = 0
    skipped: int = 0
    already_imported_on: str | None = None
    encoding: str = ""
    ignored_columns: tuple[str, ...] = ()
    notes: list[str] = field(default_factory=list)


def file_sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _located(table: Table, row: Row, exc: ArctlError) -> InvalidInput:
    column = table.columns.get(exc.field or "", exc.field)
    return InvalidInput(exc.reason, file=table.path, row=row.number, field=column, hint=exc.hint)


def _run(
    db: Database,
    kind: str,
    path: str | Path,
    fields: dict[str, str],
    required: tuple[str, ...],
    handle: Callable[[Session, Row], bool],
    *,
    mapping: Mapping[str, str] | None,
    encoding: str | None,
    sheet: str | None,
) -> ImportResult:
    known = set(fields.values())
    for header, name in (mapping or {}).items():
        if name not in known:
            raise InvalidInput(f"{header}={name}: {name!r} is not a {kind} field (fields: {', '.join(sorted(known))})",
                               field="--map")  # fmt: skip
    table = read_table(path, fields, required, mapping=mapping, encoding=encoding, sheet=sheet)
    digest = file_sha256(path)
    result = ImportResult(
        kind, str(path), rows=len(table.rows), encoding=table.encoding, ignored_columns=table.ignored
    )
    with db.write() as session:
        seen = session.execute(
            select(ImportBatch).where(ImportBatch.kind == kind, ImportBatch.sha256 == digest)
        ).scalar_one_or_none()
        if seen is not None:
            result.already_imported_on = seen.imported_at[:19].replace("T", " ")
            return result
        for row in table.rows:
            for name in required:
                if not row.values.get(name, "").strip():
                    raise InvalidInput("is empty", file=table.path, row=row.number, field=table.columns[name])
            try:
                added = handle(session, row)
            except ArctlError as exc:
                raise _located(table, row, exc) from None
            if added:
                result.added += 1
            else:
                result.skipped += 1
        session.add(ImportBatch(kind=kind, filename=Path(path).name, sha256=digest, rows=result.rows,
                                added=result.added, imported_at=utc_now()))  # fmt: skip
        audit.record(
            session,
            f"{kind}.import",
            "import",
            Path(path).name,
            after={"sha256": digest, "rows": result.rows, "added": result.added, "skipped": result.skipped},
        )
    return result


def _split(text: str) -> list[str]:
    return [p.strip() for p in text.replace("；", ";").split(";") if p.strip()]


def import_customers(db: Database, path: str | Path, *, mapping=None, encoding=None, sheet=None) -> ImportResult:  # type: ignore[no-untyped-def]
    def handle(session: Session, row: Row) -> bool:
        v = row.values
        existing = session.execute(
            select(Customer).where(func.upper(Customer.code) == v["code"].strip().upper())
        ).scalar_one_or_none()
        if existing is not None:
            if existing.name != v["name"].strip():
                raise InvalidInput(f"customer {existing.code} exists as {existing.name!r}", field="name")
            return False
        contact = []
        if v.get("contact_name") or v.get("email") or v.get("phone"):
            contact.append(ContactInfo(
                name=v.get("contact_name") or v["name"], role=v.get("contact_role"), email=v.get("email"),
                phone=v.get("phone"), language=v.get("language") or "zh", channel=v.get("channel") or "email",
                is_primary=True,
            ))  # fmt: skip
        customer_service.new_customer(
            session, code=v["code"], name=v["name"], terms=v.get("terms") or None,
            credit_limit=v.get("credit_limit") or None, currency=v.get("currency") or "CNY",
            grade=v.get("grade"), tags=_split(v.get("tags", "")), aliases=_split(v.get("aliases", "")),
            notes=v.get("notes"), address=v.get("address"), language=v.get("language") or "zh",
            contacts=contact, alias_source="import",
        )  # fmt: skip
        return True

    return _run(db, "customers", path, CUSTOMER_FIELDS, ("code", "name"), handle,
                mapping=mapping, encoding=encoding, sheet=sheet)  # fmt: skip


def import_invoices(db: Database, path: str | Path, *, mapping=None, encoding=None, sheet=None) -> ImportResult:  # type: ignore[no-untyped-def]
    def handle(session: Session, row: Row) -> bool:
        v = row.values
        issued = parse_date(v["issue_date"], field="issue_date")
        existing = session.execute(
            select(Invoice).where(func.upper(Invoice.number) == v["number"].strip().upper())
        ).scalar_one_or_none()
        if existing is not None:
            currency = normalize_currency(v.get("currency") or existing.currency)
            same = (
                existing.issue_date == issued
                and existing.amount_minor == parse_amount(v["amount"], currency)
                and existing.customer.code.upper() == resolve_customer(session, v["customer"]).code.upper()
            )
            if not same:
                raise InvalidInput(f"invoice {existing.number} is already in the ledger with other content",
                                   field="number")  # fmt: skip
            return False
        invoice_service.new_invoice(
            session, customer=v["customer"], number=v["number"], amount=v["amount"], issue_date=issued,
            currency=v.get("currency") or None, terms=v.get("terms") or None,
            description=v.get("description") or None, contract=v.get("contract") or None,
        )  # fmt: skip
        return True

    return _run(db, "invoices", path, INVOICE_FIELDS, ("number", "customer", "issue_date", "amount"), handle,
                mapping=mapping, encoding=encoding, sheet=sheet)  # fmt: skip


def import_payments(db: Database, path: str | Path, *, mapping=None, encoding=None, sheet=None) -> ImportResult:  # type: ignore[no-untyped-def]
    seen_in_file: dict[tuple[object, ...], int] = {}

    def handle(session: Session, row: Row) -> bool:
        v = row.values
        received = parse_date(v["date"], field="date")
        reference = v.get("reference", "").strip()
        cust = resolve_customer(session, v["customer"])
        currency = normalize_currency(v.get("currency") or cust.credit_currency or "CNY")
        amount = parse_amount(v["amount"], currency)
        payer, account = v.get("payer_name") or None, v.get("payer_account") or None
        # A row is already in the ledger when a payment with the same content exists. Without a bank
        # reference, two genuine identical transfers on one day must both survive: the n-th identical
        # row of this file is a duplicate only if the ledger already holds at least n such payments.
        same = [
            Payment.customer_id == cust.id,
            Payment.received_on == received,
            Payment.amount_minor == amount,
            Payment.currency == currency,
        ]
        if reference:
            same.append(Payment.reference == reference)
        else:
            same += [
                Payment.reference.is_(None),
                Payment.payer_name.is_not_distinct_from(payer),
                Payment.payer_account.is_not_distinct_from(account),
            ]
        key = (cust.id, received, amount, currency, reference, payer, account)
        occurrence = seen_in_file.get(key, 0)
        seen_in_file[key] = occurrence + 1
        if occurrence < session.execute(select(func.count(Payment.id)).where(*same)).scalar_one():
            return False
        apply_spec = v.get("apply", "").strip()
        targets = [] if apply_spec.lower() in ("", "auto") else _split(apply_spec)
        apply = "none" if apply_spec.lower() == "none" else "auto"
        if apply == "none":
            targets = []
        payment_service.new_payment(
            session, customer=v["customer"], amount=v["amount"], received_on=received,
            currency=v.get("currency") or None, method=v.get("method") or "bank_transfer",
            payer_name=v.get("payer_name"), payer_account=v.get("payer_account"), reference=reference or None,
            note=v.get("note"), apply=apply, targets=targets,
        )  # fmt: skip
        return True

    return _run(db, "payments", path, PAYMENT_FIELDS, ("date", "customer", "amount"), handle,
                mapping=mapping, encoding=encoding, sheet=sheet)  # fmt: skip


def import_milestones(db: Database, path: str | Path, *, mapping=None, encoding=None, sheet=None) -> ImportResult:  # type: ignore[no-untyped-def]
    def handle(session: Session, row: Row) -> bool:
        v = row.values
        on = parse_date(v["date"], field="date")
        invoice = resolve_invoice(session, v["invoice"])
        event = EVENT_WORDS.get(v["event"].strip(), v["event"].strip().lower())
        existing = session.execute(
            select(Milestone).where(Milestone.invoice_id == invoice.id, Milestone.event == event)
        ).scalar_one_or_none()
        if existing is not None and existing.occurred_on != on:
            raise InvalidInput(f"{event} of {invoice.number} is recorded on {existing.occurred_on}", field="date")
        return invoice_service.record_milestone_in(session, invoice, event, on=on, note=None, correct=False)

    return _run(db, "milestones", path, MILESTONE_FIELDS, ("invoice", "event", "date"), handle,
                mapping=mapping, encoding=encoding, sheet=sheet)  # fmt: skip


def parse_mapping(pairs: list[str]) -> dict[str, str]:
    """--map "Header=field" options → {header: field}."""
    out = {}
    for pair in pairs:
        header, sep, name = pair.rpartition("=")
        if not sep or not header.strip() or not name.strip():
            raise InvalidInput(f'{pair!r}: expected "Column header=field"', field="--map")
        out[header.strip()] = name.strip()
    return out
