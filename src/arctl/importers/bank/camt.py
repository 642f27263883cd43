"""ISO 20022 CAMT.053 (BankToCustomerStatement, versions .001.02 to .001.13) → one `Statement` per `Stmt`.

Our own ~200 lines on lxml rather than a library: the format is simple, and we need control over what the
libraries get wrong for receivables: one line per `TxDtls` of a batch booking (not per `Ntry`), the
structured creditor reference (`Strd/CdtrRefInf/Ref`, the invoice reference), and exact amounts.
Elements are matched by local name, so every version's namespace (and none) reads the same.

Security: the parser never resolves entities, never loads a DTD, never touches the network and keeps
libxml2's size limits; on top of that a document with a DOCTYPE or ENTITY declaration is refused outright
(XXE, billion laughs): statements from banks never need one.
"""

from __future__ import annotations

import codecs
import itertools
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from arctl.domain.errors import InvalidInput
from arctl.domain.money import format_amount, normalize_currency, parse_amount
from arctl.importers.bank.base import BankLine, Statement

_XML_AMOUNT = re.compile(r"^\d{1,18}(\.\d{1,5})?$")  # ISO 20022 ActiveOrHistoricCurrencyAndAmount
_DTD_MARKERS = ("<!DOCTYPE", "<!ENTITY")
_OTHER_CAMT = {
    "BkToCstmrAcctRpt": "a camt.052 account report",
    "BkToCstmrDbtCdtNtfctn": "a camt.054 debit/credit notification",
}
_COUNTED = {"BOOK": True, "PDNG": False, "INFO": False, "FUTR": False}
_NOT_PROVIDED = {"", "NOTPROVIDED", "NONREF"}


class Camt053Reader:
    name = "camt053"
    description = "ISO 20022 CAMT.053 bank-to-customer statement (XML, any version)"

    def identify(self, path: Path, head: str) -> bool:
        return "BkToCstmrStmt" in head or "camt.053" in head

    def extract(self, path: Path, *, encoding: str | None = None) -> list[Statement]:
        file = str(path)
        root = _parse(path.read_bytes(), file, encoding)
        body = _document(root, file)
        statements = _kids(body, "Stmt")
        if not statements:
            raise InvalidInput("the document contains no statement (Stmt)", file=file, row=body.sourceline)
        counter = itertools.count(1)  # BankLine.line: the line's ordinal in the file (base.py)
        used = (root.getroottree().docinfo.encoding or "utf-8").lower()
        return [_statement(stmt, file, counter, encoding or used) for stmt in statements]


READER = Camt053Reader()


# --- safe parsing -----------------------------------------------------------------------------------------


def _parse(data: bytes, file: str, encoding: str | None) -> Any:
    _refuse_dtd(data, file)
    from lxml import etree  # heavy: only when a file is read

    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        if encoding:  # the caller knows better than the declaration: decode, then drop the declaration
            text = _strict(data, encoding, file)
            root = etree.fromstring(re.sub(r"^\s*<\?xml[^>]*\?>", "", text).encode("utf-8"), parser)
        else:
            root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise InvalidInput(
            f"not well-formed XML ({exc.msg}); the file may be truncated or damaged, nothing was imported",
            file=file,
            row=exc.lineno or None,
        ) from None
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:  # e.g. UTF-16 files the byte scan cannot read
        raise InvalidInput(_DTD_REASON, file=file, row=1, field="DOCTYPE")
    return root


_DTD_REASON = "the XML declares a DOCTYPE/ENTITY, which bank statements never need; refused for safety"


def _refuse_dtd(data: bytes, file: str) -> None:
    """Refuse before parsing: a DTD is how XXE (`<!ENTITY x SYSTEM "file:///etc/passwd">`) and entity
    expansion bombs get in. Checked in the encodings a CAMT file can come in."""
    for codec in ("utf-8", "utf-16-le", "utf-16-be"):
        for marker in _DTD_MARKERS:
            index = data.find(marker.encode(codec))
            if index >= 0:
                line = data[:index].count("\n".encode(codec)) + 1
                raise InvalidInput(_DTD_REASON, file=file, row=line, field=marker[2:])


def _strict(data: bytes, encoding: str, file: str) -> str:
    try:
        return codecs.decode(data, encoding)
    except LookupError:
        raise InvalidInput(f"unknown encoding {encoding!r}", file=file) from None
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InvalidInput(
            f"is not valid {encoding} (byte 0x{data[exc.start]:02x})", file=file, row=line
        ) from None


def _document(root: Any, file: str) -> Any:
    """The BkToCstmrStmt element; camt.052/054 and other XML get a clear refusal."""
    if _local(root) != "Document":
        raise InvalidInput(f"not an ISO 20022 document (root element <{_local(root)}>)", file=file, row=1)
    body = next((child for child in _elements(root)), None)
    name = _local(body) if body is not None else ""
    if name in _OTHER_CAMT:
        raise InvalidInput(
            f"this is {_OTHER_CAMT[name]}, not a camt.053 statement; only camt.053 is supported",
            file=file,
            row=body.sourceline,
            field=name,
        )
    if name != "BkToCstmrStmt":
        raise InvalidInput(f"not a camt.053 statement (found <{name or 'nothing'}>)", file=file, row=1)
    return body


# --- namespace-agnostic navigation ------------------------------------------------------------------------


def _local(el: Any) -> str:
    return str(el.tag).rpartition("}")[2]


def _elements(el: Any) -> Iterator[Any]:
    return (child for child in el if isinstance(child.tag, str))


def _kids(el: Any, name: str) -> list[Any]:
    return [child for child in _elements(el) if _local(child) == name]


def _find(el: Any, path: str) -> Any:
    """First element along `A/B/C` by local names, or None."""
    for step in path.split("/"):
        if el is None:
            return None
        el = next((child for child in _elements(el) if _local(child) == step), None)
    return el


def _findall(el: Any, path: str) -> list[Any]:
    """Every element along `A/B/C` (all branches), by local names."""
    found = [el]
    for step in path.split("/"):
        found = [child for parent in found for child in _kids(parent, step)]
    return found


def _text(el: Any, path: str) -> str:
    found = _find(el, path)
    return " ".join((found.text or "").split()) if found is not None else ""


def _first(el: Any, *paths: str) -> str:
    return next((text for path in paths if (text := _text(el, path))), "")


# --- values -----------------------------------------------------------------------------------------------


def camt_amount(text: str, currency: str) -> int:
    """An ISO 20022 amount (`1234.56`: digits, optional point, no sign, no grouping) → minor units exactly."""
    raw = (text or "").strip()
    if not _XML_AMOUNT.match(raw):
        raise InvalidInput(f"{text!r} is not an ISO 20022 amount (digits like 1234.56, no sign)")
    return parse_amount(raw, currency)


def camt_date(text: str) -> date:
    """`2026-03-02` (Dt) or `2026-03-02T09:15:00+08:00` (DtTm): the date as the bank wrote it, not shifted."""
    match = re.match(r"^(\d{4})-(\d{2})-(\d{2})(?:$|T\d{2}:\d{2})", (text or "").strip())
    if not match:
        raise InvalidInput(f"{text!r} is not an ISO date (YYYY-MM-DD)")
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise InvalidInput(f"{text!r} is not a calendar date") from None


@contextmanager
def _located(el: Any, file: str, name: str) -> Iterator[None]:
    """Any InvalidInput raised inside gets the file, the element's line and its name."""
    try:
        yield
    except InvalidInput as exc:
        raise exc.at(file=file, row=None if el is None else el.sourceline, field=name) from None


def _money(el: Any, file: str, currency: str, name: str) -> int:
    """An `Amt` element in the statement's currency → minor units (unsigned, as CAMT writes them)."""
    with _located(el, file, name):
        ccy = normalize_currency(el.get("Ccy") or currency, field=name)
        if ccy != currency:
            raise InvalidInput(f"amount in {ccy} on a {currency} statement")
        return camt_amount(el.text or "", currency)


def _sign(indicator: str, el: Any, file: str) -> int:
    if indicator not in ("CRDT", "DBIT"):
        raise InvalidInput(
            f"credit/debit indicator {indicator!r} is neither CRDT nor DBIT",
            file=file,
            row=el.sourceline,
            field="CdtDbtInd",
        )
    return 1 if indicator == "CRDT" else -1


def _dated(el: Any, path: str, file: str) -> date | None:
    node = _find(el, path)
    if node is None:
        return None
    text = _first(node, "Dt", "DtTm")
    with _located(node, file, path):
        return camt_date(text)


# --- statements and lines ---------------------------------------------------------------------------------


def _statement(stmt: Any, file: str, counter: Iterator[int], used: str) -> Statement:
    currency = _currency(stmt, file)
    opening, closing = _balances(stmt, file, currency)
    lines: list[BankLine] = []
    notes: list[str] = []
    for ntry in _kids(stmt, "Ntry"):
        lines += _entry_lines(ntry, file, currency, counter, notes)
    return Statement(
        notes=tuple(notes),
        path=file,
        format=READER.name,
        account=_first(stmt, "Acct/Id/IBAN", "Acct/Id/Othr/Id"),
        currency=currency,
        lines=tuple(lines),
        opening_minor=opening,
        closing_minor=closing,
        statement_ref=_text(stmt, "Id"),
        encoding=used,
    )


def _currency(stmt: Any, file: str) -> str:
    """Acct/Ccy when the bank states it, else the currency of the first balance or entry amount."""
    code = _text(stmt, "Acct/Ccy")
    where = _find(stmt, "Acct/Ccy")
    if not code:
        where = next(iter(_findall(stmt, "Bal/Amt") + _findall(stmt, "Ntry/Amt")), None)
        code = where.get("Ccy", "") if where is not None else ""
    if not code:
        raise InvalidInput(
            "the statement states no currency (no Acct/Ccy, no amounts)",
            file=file,
            row=stmt.sourceline,
            field="Ccy",
        )
    with _located(where, file, "Ccy"):
        return normalize_currency(code, field="Ccy")


def _balances(stmt: Any, file: str, currency: str) -> tuple[int | None, int | None]:
    """Opening: OPBD, else PRCD (the previous closing); closing: CLBD. DBIT balances are negative."""
    found: dict[str, int] = {}
    for bal in _kids(stmt, "Bal"):
        code = _first(bal, "Tp/CdOrPrtry/Cd", "Tp/CdOrPrtry/Prtry")
        amount = _find(bal, "Amt")
        if code not in ("OPBD", "PRCD", "CLBD") or code in found:
            continue
        if amount is None:
            raise InvalidInput(f"balance {code} has no amount", file=file, row=bal.sourceline, field="Amt")
        found[code] = _sign(_text(bal, "CdtDbtInd"), bal, file) * _money(amount, file, currency, "Bal/Amt")
    return found.get("OPBD", found.get("PRCD")), found.get("CLBD")


@dataclass(frozen=True, slots=True)
class _Entry:
    """What a Ntry says for all its transactions."""

    indicator: str
    reversal: bool
    counted: bool
    booked_on: date
    value_on: date | None
    ref: str
    kind: str


def _entry(ntry: Any, file: str) -> _Entry:
    status = _first(ntry, "Sts/Cd", "Sts")
    if status not in _COUNTED:
        raise InvalidInput(
            f"unknown entry status {status!r} (expected BOOK or PDNG)", file=file, row=ntry.sourceline, field="Sts"
        )
    value_on = _dated(ntry, "ValDt", file)
    booked_on = _dated(ntry, "BookgDt", file) or value_on  # pending entries may have no booking date yet
    if booked_on is None:
        raise InvalidInput(
            "entry has neither a booking nor a value date", file=file, row=ntry.sourceline, field="BookgDt"
        )
    domain = [
        _text(ntry, "BkTxCd/Domn/Cd"),
        _text(ntry, "BkTxCd/Domn/Fmly/Cd"),
        _text(ntry, "BkTxCd/Domn/Fmly/SubFmlyCd"),
    ]
    return _Entry(
        indicator=_text(ntry, "CdtDbtInd"),
        reversal=_text(ntry, "RvslInd").lower() in ("true", "1"),
        counted=_COUNTED[status],
        booked_on=booked_on,
        value_on=value_on,
        ref=_text(ntry, "AcctSvcrRef"),
        kind="/".join(part for part in domain if part) or _text(ntry, "BkTxCd/Prtry/Cd"),
    )


def _entry_lines(ntry: Any, file: str, currency: str, counter: Iterator[int], notes: list[str]) -> list[BankLine]:
    """One line per TxDtls of a batch booking; the Ntry itself when it has one or no TxDtls."""
    entry = _entry(ntry, file)
    txs = _findall(ntry, "NtryDtls/TxDtls")
    amount_el = _find(ntry, "Amt")
    if amount_el is None:
        raise InvalidInput("entry has no amount", file=file, row=ntry.sourceline, field="Amt")
    if len(txs) <= 1:
        tx = txs[0] if txs else None
        ref = (_text(tx, "Refs/AcctSvcrRef") if tx is not None else "") or entry.ref
        amount = _money(amount_el, file, currency, "Ntry/Amt")
        return [_line(entry, tx, ntry, amount, _sign(entry.indicator, ntry, file), ref, file, currency, counter)]
    refs = [_text(tx, "Refs/AcctSvcrRef") or entry.ref for tx in txs]
    lines = []
    for index, (tx, ref) in enumerate(zip(txs, refs, strict=True), start=1):
        tx_amount = _find(tx, "AmtDtls/TxAmt/Amt")
        if tx_amount is None:  # (never `a or b` on lxml elements: one without children is falsy)
            tx_amount = _find(tx, "Amt")
        if tx_amount is None:
            raise InvalidInput(
                f"transaction {index} of a batch entry has no amount of its own",
                file=file,
                row=tx.sourceline,
                field="TxDtls/Amt",
            )
        sign = _sign(_text(tx, "CdtDbtInd") or entry.indicator, tx, file)
        shared = ref and refs.count(ref) > 1  # the batch's one reference: make it unique per transaction
        unique = f"{ref}/{index}" if shared else ref
        amount = _money(tx_amount, file, currency, "TxDtls/Amt")
        lines.append(_line(entry, tx, ntry, amount, sign, unique, file, currency, counter))
    booked = _sign(entry.indicator, ntry, file) * _money(amount_el, file, currency, "Ntry/Amt")
    parts = sum(line.amount_minor for line in lines)
    if parts != booked:  # e.g. charges deducted from a batch: the balance check will need to know
        notes.append(
            f"line {ntry.sourceline}: the {len(txs)} transactions of a batch entry add up to "
            f"{format_amount(parts, currency)} {currency}, the entry booked {format_amount(booked, currency)}"
        )
    return lines


def _line(
    entry: _Entry,
    tx: Any,
    ntry: Any,
    amount: int,
    sign: int,
    ref: str,
    file: str,
    currency: str,
    counter: Iterator[int],
) -> BankLine:
    # RvslInd (ISO 20022): the entry takes back an earlier one, and CdtDbtInd already gives the direction of
    # this booking (a returned credit is DBIT + RvslInd), so the sign is CdtDbtInd's, as the balances are.
    signed = sign * amount
    # The counterparty: who paid us on a credit (Dbtr), whom we paid on a debit (Cdtr), as indicated.
    # A reversal keeps the parties of the entry it takes back (a returned credit still names its Dbtr).
    side = "Dbtr" if (sign > 0) != entry.reversal else "Cdtr"
    return BankLine(
        line=next(counter),
        booked_on=entry.booked_on,
        amount_minor=signed,
        currency=currency,
        payer_name=_first(tx, f"RltdPties/{side}/Nm", f"RltdPties/{side}/Pty/Nm") if tx is not None else "",
        payer_account=_first(tx, f"RltdPties/{side}Acct/Id/IBAN", f"RltdPties/{side}Acct/Id/Othr/Id")
        if tx is not None
        else "",
        memo=_memo(tx, ntry),
        bank_ref=ref,
        value_on=entry.value_on,
        counted=entry.counted,
        kind=entry.kind,
    )


def _memo(tx: Any, ntry: Any) -> str:
    """Remittance text for matching: every Ustrd, the structured creditor reference and referred document
    numbers (invoice numbers), the end-to-end id unless NOTPROVIDED; else the bank's free text."""
    parts: list[str] = []
    if tx is not None:
        parts += [" ".join((u.text or "").split()) for u in _findall(tx, "RmtInf/Ustrd")]
        parts += [" ".join((r.text or "").split()) for r in _findall(tx, "RmtInf/Strd/CdtrRefInf/Ref")]
        parts += [" ".join((n.text or "").split()) for n in _findall(tx, "RmtInf/Strd/RfrdDocInf/Nb")]
        parts.append(_text(tx, "Refs/EndToEndId"))
    parts = [p for p in parts if p.upper() not in _NOT_PROVIDED]
    if not parts:
        parts = [_text(tx, "AddtlTxInf") if tx is not None else "", _text(ntry, "AddtlNtryInf")]
    unique = list(dict.fromkeys(p for p in parts if p))
    return " | ".join(unique)
