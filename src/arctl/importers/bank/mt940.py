"""MT940 (SWIFT customer statement) → one `Statement` per `:20:` block.

The `mt-940` library (BSD-3, import name `mt940`) does the tag dispatch: it splits the text into tags,
reads the `:61:` fields (type code, customer and bank references, entry date) and the statement fields
(`:20:`, `:25:`, `:28C:`), and glues each `:86:` to its `:61:`. Around it we add what an accounting tool
needs and it does not give:
- where things are: we split the tags ourselves with the library's own pattern, so every error names the
  file line of the offending tag (`error: FILE:LINE: :61:: why`), and its exceptions are wrapped;
- exact amounts: its balance pattern is not anchored at the end, so `C260301EUR1.000,00` parses as 1.00;
  we match each balance and each `:61:` head against strict patterns and take amounts from those, through
  `parse_amount` (refuses extra decimals, never float);
- complete files: a statement that stops before its closing balance `:62F:` is refused (truncated file);
- `:86:` text: its `?20..?29` joining drops the space between sub-fields ("INV-2026-0042vom"), so we read
  the German sub-fields, the Dutch `/NAME/…/REMI/…` keys and free text ourselves (`parse_details`).
RC (reversal of a credit) is money out and RD money in; entry dates across New Year get the right year.
"""

from __future__ import annotations

import codecs
import re
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from arctl.domain.errors import InvalidInput
from arctl.domain.money import normalize_currency, parse_amount
from arctl.importers.bank.base import BankLine, Statement

# The library's own tag pattern (mt940.models.Transactions.parse), so our tag list matches its list.
_TAG = re.compile(r"^:\n?(?P<full_tag>(?P<tag>[0-9]{2}|NS)(?P<sub_tag>[A-Z])?):", re.MULTILINE)
_BALANCE = re.compile(r"^(?P<mark>[CD])(?P<date>\d{6})(?P<ccy>[A-Z]{3})(?P<amount>[0-9,]+)$", re.IGNORECASE)
_LINE_HEAD = re.compile(
    r"^(?P<value>\d{6})(?P<entry>\d{4}|\s{4})?(?P<mark>R?[CD])(?P<funds>[A-Z])?[\n ]?(?P<amount>[0-9,]+)"
    r"(?P<type>[A-Z][A-Z0-9 ]{3})",
    re.IGNORECASE,
)
_SWIFT_AMOUNT = re.compile(r"^(?P<int>\d{1,15}),(?P<frac>\d*)$|^(?P<whole>\d{1,15})$")
_OPENING = ("final_opening_balance", "intermediate_opening_balance", "opening_balance")
_CLOSING = ("final_closing_balance", "intermediate_closing_balance", "closing_balance")
_OPENING_TAGS, _CLOSING_TAGS = ("60F", "60M", "60"), ("62F", "62M", "62")
# German :86: sub-fields are 27 characters wide; Dutch and free :86: lines 65. A full piece was cut
# mid-word by the bank (join without a space); a shorter one ended at a word (join with one).
_GERMAN_WIDTH, _LINE_WIDTH = 27, 65
_FIRST_LINE_WIDTH = _LINE_WIDTH - len(":86:")  # banks differ on whether the tag counts: take the lower
_SEPA_KEY = re.compile(r"^(EREF|KREF|MREF|CRED|DEBT|SVWZ|ABWA|ABWE|IBAN|BIC|PURP|COAM|OAMT)\+")
_DUTCH_KEYS = (
    "TRTP", "IBAN", "BIC", "NAME", "REMI", "EREF", "ORDP", "BENM", "ADDR", "CSID", "MARF", "SVCL", "ISDT",
    "RTRN", "PURP", "CDTRREFTP", "CDTRREF", "PREF", "ULTC", "ULTD", "ULTB", "EXCH", "CHGS", "ISSR", "CNTP",
)  # fmt: skip
_DUTCH = re.compile("/(" + "|".join(sorted(_DUTCH_KEYS, key=len, reverse=True)) + ")/")
_NOT_PROVIDED = {"", "NOTPROVIDED", "NONREF"}


class Mt940Reader:
    name = "mt940"
    description = "SWIFT MT940 statement (any bank; several statements per file)"

    def identify(self, path: Path, head: str) -> bool:
        return bool(re.search(r"(?m)^:20:", head) and re.search(r"(?m)^:(25|28C?|60[FM]?):", head))

    def extract(self, path: Path, *, encoding: str | None = None) -> list[Statement]:
        file = str(path)
        text, used = decode_mt940(path.read_bytes(), file, encoding)
        blocks = _blocks(text)
        if not blocks:
            raise InvalidInput("no statement (:20:) found: this is not an MT940 file", file=file)
        return [_read_block(block, file, used) for block in blocks]


READER = Mt940Reader()


# --- decoding and blocks ----------------------------------------------------------------------------------


def decode_mt940(data: bytes, file: str, encoding: str | None = None) -> tuple[str, str]:
    """Bytes → (text, encoding): the caller's choice, else UTF-8 (BOM or not), else cp1252 (European banks'
    Latin text). Strict: a byte valid in neither is refused, never replaced."""
    attempts = [(encoding, encoding)] if encoding else [("utf-8-sig", "utf-8"), ("cp1252", "cp1252")]
    if not encoding and data.startswith(codecs.BOM_UTF8):
        attempts = [("utf-8-sig", "utf-8-sig")]
    errors: list[UnicodeDecodeError] = []
    for codec, label in attempts:
        try:
            return data.decode(codec), label
        except LookupError:
            raise InvalidInput(f"unknown encoding {codec!r}", file=file) from None
        except UnicodeDecodeError as exc:
            errors.append(exc)
    error = errors[-1]
    line = data[: error.start].count(b"\n") + 1
    tried = " or ".join(label for _, label in attempts)
    raise InvalidInput(
        f"is not valid {tried} (byte 0x{data[error.start]:02x})", file=file, row=line, hint="pass --encoding"
    )


@dataclass
class _Tag:
    full: str
    """`61`, `60F`, `28C`..."""
    line: int
    value: str
    """The text after the tag up to the next one, stripped, as the library sees it."""


@dataclass
class _Block:
    """One statement: the cleaned lines from its `:20:` to the next, with their file line numbers."""

    numbers: list[int] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(self.texts)

    def tags(self, keep: Callable[[list[re.Match[str]]], list[re.Match[str]]]) -> list[_Tag]:
        text = self.text
        starts = [0]
        for line in self.texts[:-1]:
            starts.append(starts[-1] + len(line) + 1)
        matches = keep(list(_TAG.finditer(text)))
        out = []
        for i, match in enumerate(matches):
            end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
            line = self.numbers[bisect_right(starts, match.start()) - 1]
            out.append(_Tag(match["full_tag"], line, text[match.end() : end].strip()))
        return out


def _blocks(text: str) -> list[_Block]:
    """Clean the lines the way the library does (no CR, no trailing blanks, no empty or `-` lines), drop the
    SWIFT envelope (`{1:…}{2:…}{4:` … `-}{5:…}`) and the bank's preamble, and cut at each `:20:`."""
    blocks: list[_Block] = []
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.replace("\r", "").replace("\ufeff", "").rstrip()
        if line.startswith(("{", "-}")):
            line = line[line.rfind("{4:") + 3 :] if "{4:" in line else ""
        if not line or line.strip() == "-":
            continue
        if line.startswith(":20:"):
            blocks.append(_Block())
        if blocks:
            blocks[-1].numbers.append(number)
            blocks[-1].texts.append(line)
    return blocks


# --- field parsers (pure; hypothesis-tested) ------------------------------------------------------------


def swift_amount(text: str, currency: str) -> int:
    """`1234,56` (SWIFT 15d: digits, one decimal comma) → minor units of `currency`, exactly."""
    match = _SWIFT_AMOUNT.match(text.strip())
    if not match:
        raise InvalidInput(f"{text!r} is not an MT940 amount (digits with one decimal comma, like 1234,56)")
    decimal_text = match["whole"] or (f"{match['int']}.{match['frac']}" if match["frac"] else match["int"])
    return parse_amount(decimal_text, currency)


def swift_date(yymmdd: str) -> date:
    """`YYMMDD` → date. SWIFT years have two digits; statements are from this century."""
    if not re.fullmatch(r"\d{6}", yymmdd):
        raise InvalidInput(f"{yymmdd!r} is not a YYMMDD date")
    try:
        return date(2000 + int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:]))
    except ValueError:
        raise InvalidInput(f"{yymmdd!r} is not a calendar date") from None


def entry_date(value_on: date, mmdd: str) -> date:
    """The `:61:` entry (booking) date has no year: take the one nearest the value date, so value 31 Dec
    2026 + entry `0102` is 2 Jan 2027 and value 2 Jan 2027 + entry `1231` is 31 Dec 2026."""
    if not re.fullmatch(r"\d{4}", mmdd):
        raise InvalidInput(f"{mmdd!r} is not an MMDD entry date")
    candidates = []
    for year in (value_on.year - 1, value_on.year, value_on.year + 1):
        try:
            candidates.append(date(year, int(mmdd[:2]), int(mmdd[2:])))
        except ValueError:
            continue
    if not candidates:
        raise InvalidInput(f"{mmdd!r} is not a calendar date")
    return min(candidates, key=lambda day: abs((day - value_on).days))


@dataclass(frozen=True, slots=True)
class Details:
    """What a `:86:` says about the counterparty and the purpose."""

    payer_name: str = ""
    payer_account: str = ""
    memo: str = ""
    kind: str = ""
    """The bank's own booking text (German `?00`, Dutch `/TRTP/`), when it gives one."""


def parse_details(text: str) -> Details:
    """`:86:` → Details: German `GVC?00…?20…?32…` sub-fields (with SEPA `EREF+`/`SVWZ+` keys), Dutch
    `/NAME/…/REMI/…` keys, or free text as the memo."""
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    if not lines:
        return Details()
    joined = "".join(lines)  # German sub-fields carry their own boundaries; lines are cut at 65 columns
    if re.match(r"^\d{3}\?\d{2}", joined):
        return _german(joined)
    wrapped = _join_wrapped(
        [line.rstrip() for line in text.split("\n") if line.strip()], _LINE_WIDTH, _FIRST_LINE_WIDTH
    )
    if wrapped.startswith("/") and _DUTCH.match(wrapped):
        return _dutch(wrapped)
    return Details(memo=" ".join(" ".join(lines).split()))


def _join_wrapped(parts: list[str], width: int, first_width: int | None = None) -> str:
    out = ""
    for i, part in enumerate(parts):
        full = i > 0 and len(parts[i - 1]) >= (first_width if i == 1 and first_width else width)
        out += ("" if i == 0 or full else " ") + part
    return out


def _german(text: str) -> Details:
    pieces = re.split(r"\?(\d{2})", text)
    subfields = list(zip(pieces[1::2], pieces[2::2], strict=True))
    purpose = [v for k, v in subfields if "20" <= k <= "29" or "60" <= k <= "63"]
    keyed: list[list[Any]] = []  # [SEPA key, text, length of the last piece]
    for piece in purpose:
        key = _SEPA_KEY.match(piece)
        if key or not keyed:
            keyed.append([key[1] if key else "", piece[key.end() :] if key else piece, len(piece)])
        else:
            keyed[-1][1] += ("" if keyed[-1][2] >= _GERMAN_WIDTH else " ") + piece
            keyed[-1][2] = len(piece)
    found = {k: " ".join(t.split()) for k, t, _ in reversed(keyed)}  # first occurrence wins
    values = dict(subfields)
    memo = [found.get("SVWZ", ""), found.get("", ""), found.get("EREF", ""), found.get("KREF", "")]
    name = _join_wrapped([v for k, v in subfields if k in ("32", "33")], _GERMAN_WIDTH)
    return Details(
        payer_name=" ".join(name.split()),
        payer_account=(values.get("31") or values.get("38") or found.get("IBAN", "")).strip(),
        memo=" | ".join(part for part in memo if part.strip().upper() not in _NOT_PROVIDED),
        kind=values.get("00", "").strip(),
    )


def _dutch(text: str) -> Details:
    matches = list(_DUTCH.finditer(text))
    values: dict[str, str] = {}
    for i, match in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        values.setdefault(match[1], text[match.end() : end].strip().strip("/").strip())
    remi = re.sub(r"^(USTD//?|STRD/CUR/|STRD/ISO/)", "", values.get("REMI", "")).strip("/ ")
    memo = [remi, values.get("EREF", "")]
    return Details(
        payer_name=" ".join(values.get("NAME", "").split()),
        payer_account=values.get("IBAN", ""),
        memo=" | ".join(part for part in memo if part.upper() not in _NOT_PROVIDED),
        kind=values.get("TRTP", ""),
    )


# --- one statement ----------------------------------------------------------------------------------------


@dataclass
class _Entry:
    line: int
    booked_on: date
    value_on: date
    amount_minor: int
    kind: str


@dataclass
class _State:
    """What our hooks learn while the library walks one block, in its order (it calls a hook per tag)."""

    file: str
    tags: list[_Tag]
    seen: int = 0
    currency: str | None = None
    balances: dict[str, tuple[int, str, int]] = field(default_factory=dict)
    """slug → (signed minor units, currency, line)."""

    @property
    def tag(self) -> _Tag:
        return self.tags[self.seen - 1]

    def where(self, exc: InvalidInput, name: str | None = None) -> InvalidInput:
        return exc.at(file=self.file, row=self.tag.line, field=f":{name or self.tag.full}:")


def _read_block(block: _Block, file: str, used: str) -> Statement:
    import mt940  # heavy-ish and only needed when a file is read

    options = mt940.Options.all()  # RC signs, IBAN sub-field, no 9x65 cap, BOM... (the next major's default)
    probe = mt940.models.Transactions(options=options)
    state = _State(file=file, tags=block.tags(probe.sanitize_tag_id_matches))
    _check_structure(state)
    parsed = mt940.models.Transactions(processors=_hooks(state, mt940), options=options)
    try:
        parsed.parse(block.text)
    except InvalidInput:
        raise
    except Exception as exc:  # library boundary: locate it, say it in one line, never a traceback
        raise _library_error(exc, state, mt940) from None
    return _statement(parsed, state, file, used)


def _check_structure(state: _State) -> None:
    """SWIFT requires :25:, an opening and a closing balance; a statement cut before its :62F: is a
    truncated download, and importing its first half would be worse than refusing it."""
    names = [tag.full.upper() for tag in state.tags]
    first = state.tags[0]
    if "25" not in names:
        raise InvalidInput("statement has no account (:25:)", file=state.file, row=first.line, field=":25:")
    if not any(name in names for name in _OPENING_TAGS):
        raise InvalidInput(
            "statement has no opening balance (:60F:)", file=state.file, row=first.line, field=":60F:"
        )
    last_61 = max((i for i, name in enumerate(names) if name == "61"), default=-1)
    if not any(name in _CLOSING_TAGS for name in names[last_61 + 1 :]):
        raise InvalidInput(
            f"the statement starting at line {first.line} ends without a closing balance (:62F:): "
            "the file looks truncated, nothing was imported",
            file=state.file,
            row=state.tags[-1].line,
            field=":62F:",
        )


def _hooks(state: _State, mt940: Any) -> dict[str, list[Any]]:
    """Pre-processors: a counter on every tag (so errors know where they are), then our readers."""

    def count(transactions: Any, tag: Any, tag_dict: dict[str, Any], *args: Any) -> dict[str, Any]:
        state.seen += 1
        return tag_dict

    def balance(transactions: Any, tag: Any, tag_dict: dict[str, Any], *args: Any) -> dict[str, Any]:
        minor, currency = _balance(state)
        if tag.slug in _OPENING and state.currency is None:
            state.currency = currency
        state.balances.setdefault(tag.slug, (minor, currency, state.tag.line))
        return tag_dict

    def line(transactions: Any, tag: Any, tag_dict: dict[str, Any], *args: Any) -> dict[str, Any]:
        tag_dict["arctl"] = _entry(state, tag_dict)
        return tag_dict

    def details(transactions: Any, tag: Any, tag_dict: dict[str, Any], *args: Any) -> dict[str, Any]:
        # A :86: after :62F: describes the statement, not the last line: the library would glue it on.
        if state.seen < 2 or state.tags[state.seen - 2].full != "61":
            tag_dict["transaction_details"] = ""
        return tag_dict

    hooks: dict[str, list[Any]] = {f"pre_{t.slug}": [count] for t in mt940.tags.TAG_BY_ID.values()}
    for slug in (*_OPENING, *_CLOSING):
        hooks[f"pre_{slug}"] = [count, balance]
    hooks["pre_statement"] = [count, line]
    hooks["pre_transaction_details"] = [count, details]
    hooks["post_transaction_details"] = []  # we read :86: ourselves (parse_details)
    return hooks


def _balance(state: _State) -> tuple[int, str]:
    match = _BALANCE.match(state.tag.value.split("\n")[0].strip())
    if not match:
        raise InvalidInput(
            f"{state.tag.value!r} is not a balance (expected C or D, YYMMDD, currency, amount like 1234,56)",
            file=state.file,
            row=state.tag.line,
            field=f":{state.tag.full}:",
        )
    try:
        swift_date(match["date"])
        currency = normalize_currency(match["ccy"])
        minor = swift_amount(match["amount"], currency)
    except InvalidInput as exc:
        raise state.where(exc) from None
    return (-minor if match["mark"].upper() == "D" else minor), currency


def _entry(state: _State, tag_dict: dict[str, Any]) -> _Entry:
    """One `:61:`: our strict reading of its head, cross-checked with the library's split."""
    head = _LINE_HEAD.match(state.tag.value)
    if not head or head["amount"] != tag_dict.get("amount"):
        raise InvalidInput(
            f"{state.tag.value.splitlines()[0]!r} is not a statement line "
            "(expected YYMMDD[MMDD], C/D/RC/RD, amount like 1234,56, type code like NTRF)",
            file=state.file,
            row=state.tag.line,
            field=":61:",
        )
    if state.currency is None:  # pragma: no cover - _check_structure and SWIFT order put :60F: first
        raise InvalidInput("statement line before the opening balance", file=state.file, row=state.tag.line)
    try:
        value_on = swift_date(head["value"])
        booked_on = entry_date(value_on, head["entry"]) if (head["entry"] or "").strip() else value_on
        minor = swift_amount(head["amount"], state.currency)
    except InvalidInput as exc:
        raise state.where(exc) from None
    # C and RD (a debit reversed) put money in; D and RC (a credit reversed) take it out.
    sign = 1 if head["mark"].upper() in ("C", "RD") else -1
    return _Entry(state.tag.line, booked_on, value_on, sign * minor, head["type"].strip().upper())


def _library_error(exc: Exception, state: _State, mt940: Any) -> InvalidInput:
    """A tag the library could not match failed before our counter saw it; any other failure happened
    while it built the tag our counter saw last."""
    unmatched = isinstance(exc, RuntimeError) and any(isinstance(a, mt940.tags.Tag) for a in exc.args)
    index = min(max(state.seen if unmatched else state.seen - 1, 0), len(state.tags) - 1)
    tag = state.tags[index]
    why = "it does not match the MT940 layout of this field" if unmatched else f"{type(exc).__name__}: {exc}"
    return InvalidInput(f"cannot read :{tag.full}: ({why})", file=state.file, row=tag.line, field=f":{tag.full}:")


def _statement(parsed: Any, state: _State, file: str, used: str) -> Statement:
    opening = next((state.balances[s] for s in _OPENING if s in state.balances), None)
    closing = next((state.balances[s] for s in _CLOSING if s in state.balances), None)
    if opening is None or closing is None:  # _check_structure saw the tags; the library skipped one
        raise InvalidInput("statement balances could not be read", file=file, row=state.tags[0].line)
    currency = opening[1]
    if closing[1] != currency:
        raise InvalidInput(
            f"closing balance is in {closing[1]} but the statement opened in {currency}",
            file=file,
            row=closing[2],
            field=":62F:",
        )
    data = parsed.data
    number = "/".join(str(data[k]) for k in ("statement_number", "sequence_number") if data.get(k))
    reference = "/".join(part for part in (str(data.get("transaction_reference") or "").strip(), number) if part)
    return Statement(
        path=file,
        format=READER.name,
        account=str(data.get("account_identification") or "").strip(),
        currency=currency,
        lines=tuple(_bank_line(txn.data, currency) for txn in parsed.transactions),
        opening_minor=opening[0],
        closing_minor=closing[0],
        statement_ref=reference,
        encoding=used,
    )


def _bank_line(data: dict[str, Any], currency: str) -> BankLine:
    entry: _Entry = data["arctl"]
    details = parse_details(str(data.get("transaction_details") or ""))
    return BankLine(
        line=entry.line,
        booked_on=entry.booked_on,
        amount_minor=entry.amount_minor,
        currency=currency,
        payer_name=details.payer_name,
        payer_account=details.payer_account,
        memo=details.memo,
        # Only the bank's own reference (after //) identifies the line; the customer reference before it
        # is usually NONREF or the payer's text.
        bank_ref=str(data.get("bank_reference") or "").strip(),
        value_on=entry.value_on,
        kind=details.kind or entry.kind,
    )
