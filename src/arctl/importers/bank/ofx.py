"""OFX / QFX bank and card statements (1.x SGML and 2.x XML) → `Statement`s.

`ofxparse` (MIT) finds the statements, transactions and balances. It needs a pre-pass, because on real
files it:
- decodes by the header alone (`CHARSET:1252` over a UTF-8 body → mojibake or UnicodeDecodeError), reads
  2.x XML bodies as ASCII, and turns text streams back into bytes as Latin-1 (Chinese names fail);
- shifts DTPOSTED by its `[-5:EST]` offset, so a payment booked at 23:30 New York time lands on the next day;
- accepts a file cut mid-record, and closes unclosed tags by a guess that breaks on mixed closing styles;
- reports a bad field without saying where it is.

So `_prepass` decodes (strict UTF-8 first, then the header's charset, never `errors="replace"`), walks the
tags once with line numbers, refuses truncated or mis-nested files, validates and rewrites the date and
amount fields to plain canonical values, and hands ofxparse a fully closed UTF-8 document. Amounts come
back from ofxparse as Decimal and go through `parse_amount` (exact, refuses extra decimals); never float.
"""

from __future__ import annotations

import codecs
import io
import re
import warnings
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from arctl.domain.errors import InvalidInput
from arctl.domain.money import normalize_currency, parse_amount
from arctl.importers.bank.base import BankLine, Statement

_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9_.]*)\s*(/?)>")  # end tag, name, self-closing (2.x XML)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_OFX_START = re.compile(r"<OFX\s*>", re.IGNORECASE)
_DATE = re.compile(
    r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})"
    r"(?:(?P<H>\d{2})(?P<M>\d{2})(?:(?P<S>\d{2})(?:\.\d{1,6})?)?)?"
    r"\s*(?:\[\s*[+-]?\d{1,2}(?:\.\d{1,2})?(?::[A-Za-z]{0,10})?\s*\])?$"
)
_PLAIN_AMOUNT = re.compile(r"^(?P<sign>[+-]?)(?P<int>\d*)(?:[.,](?P<frac>\d*))?$")
_GROUPED_AMOUNT = re.compile(
    r"^(?P<sign>[+-]?)(?P<int>\d{1,3}(?P<sep>[.,])\d{3}(?:(?P=sep)\d{3})*)(?:(?P<dec>[.,])(?P<frac>\d+))?$"
)
# Aggregates of the bank/card statement messages. They must be closed even in 1.x SGML; a file that never
# closes one is broken, and guessing would silently drop its transactions.
_AGGREGATES = {
    "OFX", "SIGNONMSGSRSV1", "SONRS", "STATUS", "FI", "BANKMSGSRSV1", "STMTTRNRS", "STMTRS", "BANKACCTFROM",
    "BANKACCTTO", "CCACCTFROM", "CCACCTTO", "BANKTRANLIST", "STMTTRN", "PAYEE", "LEDGERBAL", "AVAILBAL",
    "CREDITCARDMSGSRSV1", "CCSTMTTRNRS", "CCSTMTRS", "CURRENCY", "ORIGCURRENCY", "BALLIST", "BAL",
}  # fmt: skip
# The fields we check and rewrite before ofxparse sees them (it parses exactly these).
_DATE_TAGS = {"DTPOSTED", "DTUSER", "DTSTART", "DTEND", "DTASOF", "DTAVAIL"}
_AMOUNT_TAGS = {"TRNAMT", "BALAMT"}
_STATEMENT_TAGS = {"STMTRS": "bank", "CCSTMTRS": "card"}
# ofxparse reads the charset from this header; our body is always UTF-8 by then.
_HEADER = "OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\nSECURITY:NONE\nENCODING:UTF-8\nCHARSET:NONE\n\n"


@dataclass
class _Txn:
    line: int
    """Text line of `<STMTTRN>` (for messages)."""
    ordinal: int
    """1-based position among all STMTTRN of the file: BankLine.line for OFX (base.py)."""
    tags: set[str] = field(default_factory=set)


@dataclass
class _Stmt:
    kind: str
    line: int
    txns: list[_Txn] = field(default_factory=list)
    curdef: tuple[str, int] | None = None
    """CURDEF as written, and its line (ofxparse lower-cases it)."""


@dataclass
class _Walk:
    """What the pre-pass learnt: the closed document for ofxparse and where every record sits."""

    body: str
    statements: list[_Stmt]
    investment_line: int | None = None
    txn_count: int = 0


class OfxReader:
    name = "ofx"
    description = "OFX/QFX statement (1.x SGML or 2.x XML, bank or card)"

    def identify(self, path: Path, head: str) -> bool:
        return bool(re.search(r"OFXHEADER\s*[:=]|<OFX\s*>", head, re.IGNORECASE))

    def extract(self, path: Path, *, encoding: str | None = None) -> list[Statement]:
        file = str(path)
        text, used = decode_ofx(path.read_bytes(), file, encoding)
        walk = _prepass(text, file)
        accounts = _run_ofxparse(walk, file)
        return [_statement(kind_stmt, account, file, used) for kind_stmt, account in accounts]


READER = OfxReader()


# --- decoding ---------------------------------------------------------------------------------------------


def decode_ofx(data: bytes, file: str, encoding: str | None = None) -> tuple[str, str]:
    """Bytes → (text, encoding). Order: the caller's choice; a BOM; strict UTF-8 (headers lie: banks write
    `CHARSET:1252` over UTF-8 bodies); then the header's own charset, strictly. Never `errors="replace"`."""
    if encoding:
        return _strict(data, encoding, file, hint=None), encoding
    if data.startswith(codecs.BOM_UTF8):
        return _strict(data[3:], "utf-8", file, hint=None), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    charset = _header_charset(data)
    return _strict(data, charset, file, hint="pass --encoding"), charset


def _header_charset(data: bytes) -> str:
    """The codec the OFX header names: `CHARSET:1252` (1.x) or `<?xml encoding=...?>` (2.x); cp1252 if none."""
    head = data[:2048].decode("latin-1")
    xml = re.search(r"<\?xml[^>]*encoding\s*=\s*[\"']([A-Za-z0-9_.:-]+)", head)
    sgml = re.search(r"^\s*CHARSET\s*:\s*([A-Za-z0-9_.-]+)", head, re.MULTILINE)
    name = (xml.group(1) if xml else sgml.group(1) if sgml else "NONE").upper()
    if name in ("NONE", "", "USASCII"):
        return "cp1252"  # what banks mean by "no charset"; ofxparse assumes the same
    if name in ("8859-1", "ISO-8859-1", "LATIN-1", "LATIN1"):
        return "latin-1"
    if name in ("936", "GBK", "GB2312"):
        return "gb18030"  # the superset: GBK files decode identically
    return f"cp{name}" if name.isdigit() else name.lower()


def _strict(data: bytes, codec: str, file: str, hint: str | None) -> str:
    try:
        return data.decode(codec)
    except LookupError:
        raise InvalidInput(f"unknown character set {codec!r}", file=file, field="CHARSET") from None
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InvalidInput(
            f"is neither UTF-8 nor valid {codec} (byte 0x{data[exc.start]:02x})", file=file, row=line, hint=hint
        ) from None


# --- field parsers (pure; hypothesis-tested) ------------------------------------------------------------


def parse_ofx_date(text: str) -> date:
    """`YYYYMMDD[HHMM[SS[.XXX]]][ [gmt offset[:tz]]]` → the date as the bank wrote it.

    The offset is deliberately ignored: the bank's own calendar day is the booking date (base.py), and
    shifting 23:30 EST to UTC would move the payment to the next day.
    """
    match = _DATE.match(text.strip())
    if not match or match["y"] == "0000":
        raise InvalidInput(f"{text!r} is not an OFX date (expected YYYYMMDD or YYYYMMDDHHMMSS.XXX[-5:EST])")
    hour, minute, second = (int(match[k] or 0) for k in ("H", "M", "S"))
    if hour > 23 or minute > 59 or second > 60:
        raise InvalidInput(f"{text!r} has an impossible time of day")
    try:
        return date(int(match["y"]), int(match["m"]), int(match["d"]))
    except ValueError:
        raise InvalidInput(f"{text!r} is not a calendar date") from None


def parse_ofx_amount(text: str) -> Decimal:
    """An OFX amount → exact Decimal. The spec allows `.` or `,` as the decimal mark; some banks also group
    thousands (`1,234.56`, `1.234,56`): accepted only when the groups are exactly three digits wide. A lone
    separator is always the decimal mark, so `1,234` is 1.234 and is then refused for a 2-decimal currency
    rather than misread as 1234. `null` (interest-rate notices) is zero, as ofxparse does."""
    raw = text.strip()
    if raw.lower() in ("null", "-null", "+null"):
        return Decimal(0)
    grouped = _GROUPED_AMOUNT.match(raw)
    if (
        grouped
        and grouped["sep"] != grouped["dec"]
        and (grouped["dec"] or grouped["int"].count(grouped["sep"]) > 1)
    ):
        whole, frac, sign = grouped["int"].replace(grouped["sep"], ""), grouped["frac"] or "", grouped["sign"]
    else:
        plain = _PLAIN_AMOUNT.match(raw)
        if not plain or not (plain["int"] or plain["frac"]):
            raise InvalidInput(f"{text!r} is not an amount (expected digits like -1234.56)")
        whole, frac, sign = plain["int"] or "0", plain["frac"] or "", plain["sign"]
    return Decimal(f"{'-' if sign == '-' else ''}{whole}{'.' + frac if frac else ''}")


# --- pre-pass ---------------------------------------------------------------------------------------------


class _LineIndex:
    """Offset → 1-based line number, by bisecting the newline offsets once."""

    def __init__(self, text: str, base: int) -> None:
        self._starts = [m.end() for m in re.finditer("\n", text)]
        self._base = base

    def __call__(self, offset: int) -> int:
        return self._base + bisect_right(self._starts, offset)


def _prepass(text: str, file: str) -> _Walk:
    """Walk the tags once: check nesting, note where statements and transactions are, rewrite dates and
    amounts to canonical text, and close every element so ofxparse has nothing to guess."""
    start = _OFX_START.search(text)
    if start is None:
        raise InvalidInput("no <OFX> element: this is not an OFX or QFX file", file=file)
    # Comments go, but their newlines stay so that line numbers still match the file.
    body = _COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), text[start.start() :])
    line_of = _LineIndex(body, text.count("\n", 0, start.start()) + 1)
    closed = {name.upper() for name in re.findall(r"</([A-Za-z][A-Za-z0-9_.]*)\s*>", body)} | _AGGREGATES
    tokens = list(_TAG.finditer(body))
    stack: list[tuple[str, int]] = []
    out: list[str] = []
    walk = _Walk(body="", statements=[])
    skip_next = False
    for i, tok in enumerate(tokens):
        if skip_next:  # the explicit end tag of a leaf we already closed
            skip_next = False
            continue
        name, line = tok.group(2).upper(), line_of(tok.start())
        if tok.group(3):  # <MEMO/>: an empty element says nothing
            continue
        if tok.group(1):
            _close(name, line, stack, file)
            out.append(f"</{name}>")
            _on_close(name, walk, file)
            continue
        end = tokens[i + 1].start() if i + 1 < len(tokens) else len(body)
        value = body[tok.end() : end].strip()
        next_is_own_end = i + 1 < len(tokens) and tokens[i + 1].group(1) and tokens[i + 1].group(2).upper() == name
        is_leaf = value or name not in closed or next_is_own_end
        if name not in _AGGREGATES and is_leaf:  # a leaf (SGML leaves need no end tag)
            skip_next = bool(next_is_own_end)
            if value:  # an empty leaf is left out: ofxparse would choke on it ("Empty transaction name")
                out.append(f"<{name}>{_canonical(name, value, line, file)}</{name}>")
                if any(open_name in _STATEMENT_TAGS for open_name, _ in stack):
                    _on_leaf(name, value, line, walk)
        else:  # an aggregate: must be closed explicitly
            _on_open(name, line, walk, in_statement=any(open_name in _STATEMENT_TAGS for open_name, _ in stack))
            stack.append((name, line))
            out.append(f"<{name}>")
    if stack:
        name, line = stack[-1]
        raise InvalidInput(
            f"the file ends inside <{name}> opened at line {line}: it looks truncated (nothing was imported)",
            file=file,
            row=line,
            field=name,
        )
    walk.body = "".join(out)
    return walk


def _close(name: str, line: int, stack: list[tuple[str, int]], file: str) -> None:
    if not stack or name not in (open_name for open_name, _ in stack):
        raise InvalidInput(f"</{name}> closes nothing that is open", file=file, row=line, field=name)
    open_name, open_line = stack[-1]
    if open_name != name:
        raise InvalidInput(
            f"<{open_name}> opened at line {open_line} is not closed before </{name}>",
            file=file,
            row=line,
            field=open_name,
        )
    stack.pop()


def _on_open(name: str, line: int, walk: _Walk, *, in_statement: bool) -> None:
    if name in _STATEMENT_TAGS:
        walk.statements.append(_Stmt(kind=_STATEMENT_TAGS[name], line=line))
    elif name == "STMTTRN" and in_statement:  # not the STMTTRN of an investment account's INVBANKTRAN
        walk.txn_count += 1
        walk.statements[-1].txns.append(_Txn(line=line, ordinal=walk.txn_count))
    elif name == "INVSTMTRS" and walk.investment_line is None:
        walk.investment_line = line


def _on_leaf(name: str, value: str, line: int, walk: _Walk) -> None:
    """Inside a bank/card statement: note its CURDEF as written and the fields of its current STMTTRN."""
    stmt = walk.statements[-1]
    if name == "CURDEF" and stmt.curdef is None:
        stmt.curdef = (value, line)
    elif stmt.txns:
        stmt.txns[-1].tags.add(name)


def _on_close(name: str, walk: _Walk, file: str) -> None:
    """ofxparse drops a transaction without TRNAMT/DTPOSTED/FITID with a vague message: say where."""
    if name != "STMTTRN" or not walk.statements or not walk.statements[-1].txns:
        return
    txn = walk.statements[-1].txns[-1]
    for required in ("DTPOSTED", "TRNAMT", "FITID"):
        if required not in txn.tags:
            raise InvalidInput(
                f"the transaction starting at line {txn.line} has no {required}",
                file=file,
                row=txn.line,
                field=required,
            )


def _canonical(name: str, value: str, line: int, file: str) -> str:
    """Rewrite what ofxparse would misread: dates lose their time zone, amounts get a '.' decimal mark."""
    try:
        if name in _DATE_TAGS:
            return parse_ofx_date(value).strftime("%Y%m%d000000")
        if name in _AMOUNT_TAGS:
            return format(parse_ofx_amount(value), "f")
    except InvalidInput as exc:
        raise exc.at(file=file, row=line, field=name) from None
    # A stray '<' in a name ("A<B Trading") would open a tag in the HTML parser; entities already in the
    # file (`&amp;`) are left alone, the parser unescapes them.
    return value.replace("<", "&lt;").replace(">", "&gt;")


# --- ofxparse and the records ---------------------------------------------------------------------------


def _run_ofxparse(walk: _Walk, file: str) -> list[tuple[_Stmt, Any]]:
    """Parse the closed document; pair ofxparse's accounts with our statements (it lists bank statements
    first, then card statements, each in file order)."""
    if not walk.statements:
        if walk.investment_line is not None:
            raise InvalidInput(
                "investment statements are not supported", file=file, row=walk.investment_line, field="INVSTMTRS"
            )
        raise InvalidInput("the file contains no bank or card statement (STMTRS/CCSTMTRS)", file=file)
    from ofxparse import OfxParser  # heavy (BeautifulSoup): only when a file is read

    try:
        with warnings.catch_warnings():  # ofxparse calls bs4's deprecated findAll: noise, not the user's
            warnings.simplefilter("ignore", DeprecationWarning)
            ofx = OfxParser.parse(io.BytesIO((_HEADER + walk.body).encode("utf-8")), fail_fast=True)
    except Exception as exc:  # library boundary: anything it raises is a bad file, never a traceback
        raise InvalidInput(f"unreadable OFX ({type(exc).__name__}: {exc})", file=file) from None
    ordered = [s for s in walk.statements if s.kind == "bank"] + [s for s in walk.statements if s.kind == "card"]
    accounts = list(ofx.accounts)[: len(ordered)]
    if len(accounts) != len(ordered) or any(
        len(a.statement.transactions) != len(s.txns) for s, a in zip(ordered, accounts, strict=True)
    ):
        raise InvalidInput("the OFX parser and the file disagree on its statements", file=file)
    return sorted(zip(ordered, accounts, strict=True), key=lambda pair: pair[0].line)


def _statement(stmt: _Stmt, account: Any, file: str, used: str) -> Statement:
    ostmt = account.statement
    if stmt.curdef is None:
        raise InvalidInput("the statement has no currency", file=file, row=stmt.line, field="CURDEF")
    try:
        currency = normalize_currency(stmt.curdef[0], field="CURDEF")
    except InvalidInput as exc:
        raise exc.at(file=file, row=stmt.curdef[1]) from None
    closing = getattr(ostmt, "balance", None)
    return Statement(
        path=file,
        format=READER.name,
        account=(account.account_id or "").strip(),
        currency=currency,
        lines=tuple(
            _line(txn, where, currency, file) for txn, where in zip(ostmt.transactions, stmt.txns, strict=True)
        ),
        closing_minor=None if closing is None else _minor(closing, currency, file, stmt.line, "BALAMT"),
        encoding=used,
    )


def _line(txn: Any, where: _Txn, currency: str, file: str) -> BankLine:
    return BankLine(
        line=where.ordinal,
        booked_on=txn.date.date(),
        amount_minor=_minor(txn.amount, currency, file, where.line, "TRNAMT"),
        currency=currency,
        payer_name=(txn.payee or "").strip(),
        memo=(txn.memo or "").strip(),
        bank_ref=(txn.id or "").strip(),
        kind=(txn.type or "").strip().upper(),
    )


def _minor(value: Decimal | int, currency: str, file: str, row: int, tag: str) -> int:
    """ofxparse's Decimal → minor units, exactly: refuses more decimals than the currency has."""
    if not isinstance(value, Decimal | int) or isinstance(value, bool):
        raise InvalidInput(f"{value!r} is not an amount", file=file, row=row, field=tag)
    try:
        return parse_amount(Decimal(value), currency, allow_negative=True)
    except InvalidInput as exc:
        raise exc.at(file=file, row=row, field=tag) from None
