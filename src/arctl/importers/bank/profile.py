"""Declarative bank-export profiles and the one reader that runs them (after beangulp's CSV importer).

A `Profile` says, per field, which header texts a bank uses for it (the first one found in the file wins),
how the sign of an amount is told (one signed column, split in/out columns, or an unsigned column plus a
借/贷 flag), which rows count as cash, and how to find the header among the preamble. The built-in banks
(`cn.py`), Alipay and WeChat Pay are instances; a user's TOML file (`load_profile`) fills the same type.

`ProfileReader(profile)` follows the `Reader` protocol of `base.py`: CSV (UTF-8 ±BOM or GB18030, decoded by
`tabular.decode`), XLSX (openpyxl, read-only) and XLS (xlrd 2.x), told apart by their first bytes.

Rules that hold for every profile:
- the header is the first of the first `header_search_rows` rows holding a date column and an amount column;
  rows before it are the preamble (our account number may be read from it);
- after the header, a row whose first non-empty cell starts with a footer prefix (合计, 人民币合计,
  以上数据, 共N笔...) ends the data; trailing rows without a date are footer too. But a row without a
  valid date that is followed by transactions, a date cell that starts like a date but is not one, and a
  row with fewer cells than the header are errors: a truncated or garbled file fails, it never imports half;
- amounts never go through float: XLSX/XLS numbers become `Decimal(str(value))`; `-` and blank are empty;
- every error is `InvalidInput(file=, row=, field=)`: the file, its 1-based line (CSV) or sheet row, and the
  column header exactly as the file spells it.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import functools
import io
import itertools
import math
import re
import tomllib
import unicodedata
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

from arctl.domain.errors import InvalidInput
from arctl.domain.money import EXPONENTS, MAX_DIGITS, normalize_currency, parse_amount
from arctl.importers.bank.base import BankLine, Statement
from arctl.importers.tabular import MAX_XLSX_UNCOMPRESSED, decode, normalize_header

Columns = tuple[str, ...]

FOOTER_PREFIXES: tuple[str, ...] = (
    "合计", "人民币合计", "本币合计", "总计", "小计", "以上数据", "以上信息", "以上内容", "此致", "---",
)  # fmt: skip
"""First-cell prefixes that start a footer. `共 N 笔` is recognised as well (a pattern, not a prefix)."""

COLUMN_FIELDS: tuple[str, ...] = (
    "date", "time", "amount", "credit", "debit", "direction", "currency", "balance",
    "payer_name", "payer_account", "payer", "memo", "bank_ref", "kind", "status",
)  # fmt: skip
"""The Profile fields that name columns; in TOML they live under `[columns]`."""

MAX_XLS_BYTES = 100 * 1024 * 1024
_XLSX_MAGIC = b"PK\x03\x04"
_XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_COUNT_FOOTER = re.compile(r"^共\s*\d+\s*笔")
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
_CURRENCY_EXTRA = {"人民币元": "CNY", "人民币(本币)": "CNY", "本币": "CNY"}


@dataclass(frozen=True, slots=True)
class Profile:
    """How one bank (or app) lays out its export. Column fields hold candidate header texts in priority
    order; headers match after NFKC folding, case folding and removal of spaces (`交易金额（收入）` matches
    `交易金额(收入)`)."""

    name: str
    """What `--profile` selects: lower case, digits, `-` and `_`."""
    description: str = ""

    date: Columns = ()
    """Booking date (记账日期 before 交易日期 where a file has both). Required."""
    time: Columns = ()
    """Time of day, when separate; validated (a garbled time means a garbled file) but not kept."""
    amount: Columns = ()
    """One amount column: signed (positive = in), or unsigned when `direction` is given."""
    credit: Columns = ()
    """Money-in column of a split pair (收入, 贷方发生额, 存入金额, 交易金额(收入)...). Used with `debit`;
    when a file has the pair, it wins over `amount`."""
    debit: Columns = ()
    """Money-out column of a split pair (支出, 借方发生额, 取出金额...)."""
    direction: Columns = ()
    """借/贷 or 收/支 flag column telling the sign of an unsigned `amount`."""
    currency: Columns = ()
    """Per-row currency column (人民币, RMB, CNY, USD...); blank cells fall back to `default_currency`."""
    balance: Columns = ()
    """Running balance: validated as an amount (garbage there means a garbled file), not kept."""
    payer_name: Columns = ()
    payer_account: Columns = ()
    payer: Columns = ()
    """One column holding both name and account (对方账号与户名, 对手信息): split by `split_party`; a
    separate `payer_name`/`payer_account` column wins over it."""
    memo: Columns = ()
    """Every one of these found in the file goes into the memo, in this order, joined by ' | '."""
    bank_ref: Columns = ()
    """The bank's own unique id for the line (流水号, 日志号, 交易单号...). Only when the file has one."""
    kind: Columns = ()
    """The bank's transaction type text (交易类型, 交易分类...)."""
    status: Columns = ()
    """A status column deciding `counted` (Alipay 交易状态, WeChat 当前状态)."""

    direction_in: tuple[str, ...] = ()
    """`direction` values meaning money in (贷, 贷 Cr, 收入)."""
    direction_out: tuple[str, ...] = ()
    """`direction` values meaning money out (借, 借 Dr, 支出)."""
    direction_neutral: tuple[str, ...] = ()
    """`direction` values of lines that are not cash movements (不计收支, WeChat `/`): kept with the
    unsigned amount and `counted=False`. Any other value is an error."""
    status_counted: tuple[str, ...] = ()
    """When given, only lines whose status is one of these are counted (Alipay 交易成功)."""
    status_not_counted: tuple[str, ...] = ()
    """Lines with one of these statuses are not counted (WeChat 已全额退款)."""

    default_currency: str = "CNY"
    """The currency when the file has no currency column (or a blank cell): an ISO code or 人民币/RMB."""
    sign: str = "normal"
    """`normal`: the result of the amount rule is money in when positive; `inverted`: the other way round
    (credit-card exports that list spending as positive)."""
    date_formats: tuple[str, ...] = ()
    """strptime formats (`%d/%m/%Y`). Empty: the built-in unambiguous forms 2025-08-22, 2025/1/5, 2025.08.22,
    20250101, 2025年8月22日, each optionally followed by a time; workbook date cells and Excel serials
    are always accepted."""
    signature: tuple[Columns, ...] = ()
    """What `identify` needs beyond a date and an amount column: groups of header texts, one of which
    must be present in full. Empty: any file whose header has the date and amount columns."""
    header_search_rows: int = 30
    footer_prefixes: tuple[str, ...] = FOOTER_PREFIXES
    account_labels: tuple[str, ...] = ()
    """Preamble labels before our own account number (`卡号:`, `账号`, `支付宝账户：`)."""
    blank_values: tuple[str, ...] = ("-", "--", "/")
    """Text cells meaning "nothing" (for names, accounts, memos, refs)."""
    encoding: str | None = None
    """Forced text encoding; None: BOM, else strict UTF-8, else GB18030 (see `tabular.decode`)."""
    delimiter: str = ","

    def __post_init__(self) -> None:
        problem = self.problem()
        if problem:
            key, reason = problem
            raise InvalidInput(f"profile {self.name!r}: {reason}", field=key)

    def problem(self) -> tuple[str, str] | None:
        """The first inconsistency as (field, reason), or None."""
        for f in fields(self):
            value = getattr(self, f.name)
            listed = f.name in COLUMN_FIELDS or f.name in _STRING_LISTS
            if listed and not (isinstance(value, tuple) and all(isinstance(v, str) and v.strip() for v in value)):
                return f.name, "must be a list of non-empty strings"
        if not isinstance(self.name, str) or not _NAME.match(self.name):
            return "name", "must be 1-40 characters: lower-case letters, digits, '-' and '_'"
        if not self.date:
            return "date", "a date column is required"
        if bool(self.credit) != bool(self.debit):
            return ("debit" if self.credit else "credit"), "credit and debit columns go together"
        if not self.amount and not self.credit:
            return "amount", "needs an amount column, or a credit and a debit column"
        if self.direction:
            if not self.amount:
                return "direction", "a direction column needs an amount column"
            if not self.direction_in or not self.direction_out:
                return "direction_in", "a direction column needs direction_in and direction_out values"
            groups = (self.direction_in, self.direction_out, self.direction_neutral)
            flat = [_fold(v) for g in groups for v in g]
            if len(flat) != len(set(flat)):
                return "direction_in", "a value is listed under more than one direction"
        elif self.direction_in or self.direction_out or self.direction_neutral:
            return "direction", "direction values are given but no direction column"
        if (self.status_counted or self.status_not_counted) and not self.status:
            return "status", "status values are given but no status column"
        try:
            _currency(self.default_currency)
        except InvalidInput as exc:
            return "default_currency", exc.reason
        if self.sign not in ("normal", "inverted"):
            return "sign", f"must be 'normal' or 'inverted', not {self.sign!r}"
        for fmt in self.date_formats:
            sample = datetime(2031, 12, 28, 13, 45, 59)
            try:
                ok = datetime.strptime(sample.strftime(fmt), fmt).date() == sample.date()
            except ValueError:
                ok = False
            if not ok:
                return "date_formats", f"{fmt!r} does not give back year, month and day (e.g. %d/%m/%Y)"
        if not isinstance(self.signature, tuple) or not all(
            isinstance(g, tuple) and g and all(isinstance(v, str) and v for v in g) for g in self.signature
        ):
            return "signature", "must be a list of header texts, or a list of such lists"
        if not isinstance(self.header_search_rows, int) or not 1 <= self.header_search_rows <= 500:
            return "header_search_rows", "must be a whole number from 1 to 500"
        if self.encoding is not None:
            try:
                codecs.lookup(self.encoding)
            except (LookupError, TypeError):
                return "encoding", f"unknown encoding {self.encoding!r}"
        if not isinstance(self.delimiter, str) or len(self.delimiter) != 1 or self.delimiter in '"\r\n':
            return "delimiter", "must be one character (not a quote or a newline)"
        return None


_STRING_LISTS = (
    "direction_in", "direction_out", "direction_neutral", "status_counted", "status_not_counted",
    "date_formats", "footer_prefixes", "account_labels", "blank_values",
)  # fmt: skip
_STRINGS = ("name", "description", "default_currency", "sign", "encoding", "delimiter")


# --- cell parsers ---------------------------------------------------------------------------------


def clean_cell(text: str) -> str:
    """Trim padding: spaces, tabs (ICBC and Alipay end ids with `\\t`), ideographic spaces, a stray BOM,
    and Excel's `="..."` text wrapper."""
    out = text.strip()
    if "\ufeff" not in out and not out.startswith('="'):  # the usual cell: one test instead of three slices
        return out
    if out[:1] == "\ufeff" or out[-1:] == "\ufeff":
        out = out.strip("\ufeff").strip()
    if out[:2] == '="' and len(out) >= 3 and out[-1] == '"':
        out = out[2:-1].strip()
    return out


def _fold(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split()).casefold()


@functools.lru_cache(maxsize=64)
def _folded(values: tuple[str, ...]) -> frozenset[str]:
    """A profile's value list folded once, not once per row."""
    return frozenset(_fold(v) for v in values)


@functools.lru_cache(maxsize=512)
def _currency(text: str) -> str:
    raw = clean_cell(text)
    return _CURRENCY_EXTRA.get(unicodedata.normalize("NFKC", raw)) or normalize_currency(raw)


def parse_amount_cell(value: object, currency: str = "CNY") -> int | None:
    """A cell → signed minor units, or None for an empty cell (blank, `-`, `--`).

    Accepts `1,234.50`, `"-1,000.00"`, `+10000.00`, `¥28.16`, `￥1,000`, `RMB 12.00`, full-width digits,
    the row's own ISO code (`HKD 1,000.00`), trailing zeros past the currency's places (`28.160`) and
    workbook numbers. Refuses everything else (InvalidInput without location: the caller adds it).
    """
    if value is None:
        return None
    if type(value) is str:
        stripped = value.strip()
        if not stripped:  # the other column of a split pair: every row has one
            return None
        fast = _plain_amount(stripped, currency)
        if fast is not None:
            return fast
    if isinstance(value, bool):
        raise InvalidInput(f"{value!r} is not an amount")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise InvalidInput(f"{value!r} is not an amount")
        value = Decimal(str(value))  # the shortest text giving back this float: what the sheet shows
    if isinstance(value, int):
        value = Decimal(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise InvalidInput(f"{value!r} is not an amount")
        text = format(value, "f")
    else:
        text = clean_cell(str(value))
    if text in ("", "-", "--", "—", "——"):
        return None
    raw = unicodedata.normalize("NFKC", text).strip()
    code = currency.upper()
    if raw.startswith(code) or raw.endswith(code):
        raw = (raw[len(code) :] if raw.startswith(code) else raw[: -len(code)]).strip()
    shape = _AMOUNT_SHAPE.fullmatch(raw.replace(code, "¤"))
    if not shape or (shape["s1"] and shape["s2"]) or bool(shape["open"]) != bool(shape["close"]):
        raise InvalidInput(f"{text!r} is not an amount (expected digits like 1,234.56)")
    sign = shape["s1"] or shape["s2"]
    if shape["open"]:
        if sign:
            raise InvalidInput(f"{text!r} is not an amount (a sign inside brackets)")
        sign = "-"  # accounting style: (1,234.00)
    raw = sign + shape["num"]
    places = EXPONENTS.get(code, 2)
    trimmed = re.fullmatch(rf"(.*\.\d{{{places}}})0+", raw)
    if trimmed:
        raw = trimmed[1]
    try:
        return parse_amount(raw, code, allow_negative=True)
    except InvalidInput as exc:
        raise InvalidInput(exc.reason.replace(repr(raw), repr(text), 1)) from None


_PLAIN_AMOUNT = re.compile(r"(-?)([0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)\.([0-9]{2})")


def _plain_amount(text: str, currency: str) -> int | None:
    """The common cell (`1,234.56`, `-1234.56`) in a two-decimal currency, without the general parser's
    folding and checks (parsing dominated a 100k-line import); None means: take the general path."""
    fast = _PLAIN_AMOUNT.fullmatch(text)
    if fast is None or EXPONENTS.get(currency.upper(), 2) != 2:
        return None
    whole = fast[2].replace(",", "")
    if len(whole.lstrip("0")) > MAX_DIGITS:
        return None  # let the general parser refuse it with its message
    minor = int(whole) * 100 + int(fast[3])
    return -minor if fast[1] else minor


_SYMBOL = r"(?:RMB|CNY|USD|¥|\$|€|元|¤)"
_AMOUNT_SHAPE = re.compile(
    rf"(?P<open>\()?(?P<s1>[+-]?)(?:{_SYMBOL}\s*)?(?P<s2>[+-]?)(?P<num>[0-9][0-9,]*(?:\.[0-9]*)?)(?:\s*{_SYMBOL})?(?P<close>\))?"
)
_DATE = re.compile(
    r"(?P<y>\d{4})(?:(?P<sep>[-/.])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})"
    r"|年(?P<m2>\d{1,2})月(?P<d2>\d{1,2})日?"
    r"|(?P<m3>\d{2})(?P<d3>\d{2}))"
    r"(?:(?:\s+|T)(?P<time>\d{1,2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?))?"
)
_TIME = re.compile(
    r"(?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2})(?:\.\d{1,6})?)?|(?P<h2>\d{2})(?P<m2>\d{2})(?P<s2>\d{2})"
)
_EXCEL_EPOCH = date(1899, 12, 30)


def parse_date_cell(value: object, formats: Sequence[str] = ()) -> date:
    """A cell → its date. Workbook date cells and Excel serial numbers (1900 system) always work; text must
    match `formats` (strptime) or, when there are none, one of the built-in unambiguous forms. A time after
    the date is checked and dropped (Beijing time as printed, never shifted)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
        if number.is_finite():
            if number == number.to_integral_value() and 19000101 <= number <= 21991231:
                return parse_date_cell(str(int(number)))
            if 1 <= number < 109575:  # Excel serials (1900 system) up to 2199-12-31
                return _EXCEL_EPOCH + timedelta(days=int(number))
        raise InvalidInput(f"{value!r} is not a date")
    return _date_text(clean_cell(str(value or "")), tuple(formats))


@functools.lru_cache(maxsize=4096)  # a statement has a few hundred distinct date texts in 100k rows
def _date_text(text: str, formats: tuple[str, ...]) -> date:
    if not text:
        raise InvalidInput("the date is missing")
    if formats:
        for fmt in formats:
            try:
                return datetime.strptime(text, fmt).date()
            except ValueError:
                continue
        raise InvalidInput(f"{text!r} is not a date in the format {' or '.join(formats)}")
    match = _DATE.fullmatch(text)
    if not match:
        raise InvalidInput(f"{text!r} is not a date (expected e.g. 2025-08-22, 2025/01/05 or 20250101)")
    month = match["m"] or match["m2"] or match["m3"]
    day = match["d"] or match["d2"] or match["d3"]
    try:
        if match["time"]:
            _check_time(match["time"])
        return date(int(match["y"]), int(month), int(day))
    except (ValueError, InvalidInput):
        raise InvalidInput(f"{text!r} is not a valid date") from None


def _check_time(text: str) -> None:
    match = _TIME.fullmatch(text)
    if not match:
        raise InvalidInput(f"{text!r} is not a time of day (expected HH:MM:SS)")
    hour, minute, second = (match["h"] or match["h2"]), (match["m"] or match["m2"]), (match["s"] or match["s2"])
    try:
        time(int(hour), int(minute), int(second or 0))
    except ValueError:
        raise InvalidInput(f"{text!r} is not a valid time of day") from None


def parse_time_cell(value: object) -> None:
    """Checks a separate time cell (`14:03:11`, `140311`, a workbook time or fraction of a day)."""
    if value is None or isinstance(value, (time, datetime)):
        return
    if isinstance(value, float) and 0 <= value < 1:
        return
    text = clean_cell(str(value))
    if text:
        _check_time(text)


_ACCOUNT = r"[0-9*][0-9*-]{4,}[0-9*]"
_PARTY_ACCOUNT_FIRST = re.compile(rf"(?P<account>{_ACCOUNT})[\s/|,;:：，]+(?P<name>.+)")
_PARTY_NAME_FIRST = re.compile(rf"(?P<name>.+?)[\s/|,;:：，]+(?P<account>{_ACCOUNT})")


def split_party(text: str) -> tuple[str, str]:
    """A combined counterparty cell (CCB 对方账号与户名, CMB/ABC 对手信息) → (name, account).

    The account is a run of at least 6 digits (masks `*` and `-` allowed) at either end, separated from the
    name by spaces, `/`, `|`, a comma or a colon. Without such a run the whole text is the name; a cell that
    is only such a run is the account."""
    raw = clean_cell(text)
    if re.fullmatch(_ACCOUNT, raw):
        return "", raw
    match = _PARTY_ACCOUNT_FIRST.fullmatch(raw) or _PARTY_NAME_FIRST.fullmatch(raw)
    if match:
        return match["name"].strip(), match["account"]
    return raw, ""


# --- reading files into rows of cells -------------------------------------------------------------


def file_kind(path: Path) -> str:
    """`xlsx`, `xls` or `text`, from the first bytes (Chinese banks name HTML and CSV files .xls)."""
    with path.open("rb") as handle:
        magic = handle.read(8)
    if magic.startswith(_XLSX_MAGIC):
        return "xlsx"
    if magic == _XLS_MAGIC:
        return "xls"
    return "text"


def read_head(path: str | Path, size: int = 8192) -> str:
    """The first `size` bytes decoded leniently, for `identify` only (never used as data)."""
    data = Path(path).read_bytes()[:size]
    if data.startswith(codecs.BOM_UTF8):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start >= len(data) - 3:  # a character cut by the size limit
            return data[: exc.start].decode("utf-8", errors="replace")
        if any(byte >= 0x80 for byte in data[: exc.start]):  # UTF-8 text first: a file mixing encodings
            return data.decode("utf-8", errors="replace")
    return data.decode("gb18030", errors="replace")


Records = Iterator[tuple[int, list[object]]]


def _decode_text(profile: Profile, data: bytes, file: str, encoding: str | None) -> tuple[str, str]:
    if encoding:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise InvalidInput(f"unknown encoding {encoding!r}", file=file) from None
        if codecs.lookup(encoding).name == "utf-8" and data.startswith(codecs.BOM_UTF8):
            encoding = "utf-8-sig"
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError as exc:
            row, column = _locate_byte(profile, data, exc.start, encoding)
            raise InvalidInput(
                f"not valid {encoding} at byte {exc.start} ({exc.reason})",
                file=file, row=row, field=column, hint="check --encoding (Chinese exports are often GBK)",
            ) from None  # fmt: skip
    try:
        return decode(data, file)
    except InvalidInput as exc:
        try:
            data.decode("utf-8")
            bad = None
        except UnicodeDecodeError as utf8_error:
            bad = utf8_error.start
        if bad is None:
            raise
        row, column = _locate_byte(profile, data, bad, "utf-8")
        raise InvalidInput(exc.reason, file=file, row=row, field=column, hint=exc.hint) from None


def _locate_byte(profile: Profile, data: bytes, offset: int, encoding: str) -> tuple[int, str | None]:
    """The line of a byte that would not decode, and the column it falls in when the header is known."""
    row = data[:offset].count(b"\n") + 1
    prefix = data[:offset].decode(encoding, errors="replace")
    rows = list(csv.reader(io.StringIO(prefix, newline=""), delimiter=profile.delimiter))
    at_line_start = not prefix or prefix.endswith("\n")
    before, position = (rows, 0) if at_line_start else (rows[:-1], len(rows[-1]) - 1 if rows else 0)
    for cells in before[: profile.header_search_rows]:
        texts = [clean_cell(c) for c in cells]
        if _header_fields(profile, texts) is not None:
            if 0 <= position < len(texts) and texts[position]:
                return row, texts[position]
            break
    return row, None


def _csv_records(profile: Profile, path: Path, encoding: str | None) -> tuple[str, Records]:
    file = str(path)
    text, used = _decode_text(profile, path.read_bytes(), file, encoding)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=profile.delimiter, strict=True)

    def rows() -> Records:
        last = 0
        try:
            for cells in reader:
                start, last = last + 1, reader.line_num
                yield start, list(cells)
        except csv.Error as exc:
            raise InvalidInput(
                f"malformed CSV ({exc}): the file looks truncated or damaged", file=file, row=last + 1
            ) from None

    return used, rows()


def _xlsx_records(path: Path) -> Records:
    file = str(path)
    try:
        with zipfile.ZipFile(path) as archive:
            size = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise InvalidInput("not an XLSX workbook (bad zip: truncated or damaged?)", file=file) from None
    if size > MAX_XLSX_UNCOMPRESSED:
        raise InvalidInput(
            f"workbook unpacks to {size // 2**20} MiB, over the {MAX_XLSX_UNCOMPRESSED // 2**20} MiB limit",
            file=file,
        )
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        raise InvalidInput(f"cannot open workbook: {exc}", file=file) from None
    try:
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # read-only mode trusts the dimension tag, which can lie
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, list(values)
    finally:
        workbook.close()


def _xls_records(path: Path, encoding: str | None) -> Records:
    file = str(path)
    if path.stat().st_size > MAX_XLS_BYTES:
        raise InvalidInput(f"workbook is over {MAX_XLS_BYTES // 2**20} MiB", file=file)
    import xlrd

    try:
        book = xlrd.open_workbook(str(path), encoding_override=encoding, on_demand=True)
    except Exception as exc:
        raise InvalidInput(f"cannot open .xls workbook: {exc}", file=file) from None
    try:
        sheet = book.sheet_by_index(0)
        for rowx in range(sheet.nrows):
            values: list[object] = []
            for cell in sheet.row(rowx):
                if cell.ctype == xlrd.XL_CELL_DATE:
                    try:
                        values.append(xlrd.xldate.xldate_as_datetime(cell.value, book.datemode))
                    except Exception:
                        raise InvalidInput(f"bad date cell {cell.value!r}", file=file, row=rowx + 1) from None
                elif cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                    values.append(None)
                elif cell.ctype == xlrd.XL_CELL_ERROR:
                    values.append(xlrd.error_text_from_code.get(cell.value, "#ERROR"))
                elif cell.ctype == xlrd.XL_CELL_BOOLEAN:
                    values.append(bool(cell.value))
                else:
                    values.append(cell.value)
            yield rowx + 1, values
    finally:
        book.release_resources()


def _records(profile: Profile, path: Path, encoding: str | None) -> tuple[str, str, Records]:
    kind = file_kind(path)
    if kind == "xlsx":
        return kind, "xlsx", _xlsx_records(path)
    if kind == "xls":
        return kind, "xls", _xls_records(path, encoding or profile.encoding)
    used, rows = _csv_records(profile, path, encoding or profile.encoding)
    return kind, used, rows


def cell_text(value: object) -> str:
    """A cell as trimmed text. Workbook numbers too long to be exact (ids stored as numbers) are refused."""
    if value is None:
        return ""
    if isinstance(value, str):
        return clean_cell(value)
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise InvalidInput(f"{value!r} is not a value")
        if abs(value) >= 1e15:
            raise InvalidInput(
                f"{value!r} is a number too long to be exact (the sheet stores this id as a number: "
                "digits are lost; export it as text)"
            )
        if value.is_integer():
            return str(int(value))
        return format(Decimal(str(value)), "f")
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    if isinstance(value, (date, time)):
        return value.isoformat()
    return clean_cell(str(value))


def _safe_text(value: object) -> str:
    try:
        return cell_text(value)
    except InvalidInput:
        return ""


# --- the reader -------------------------------------------------------------------------------------


def _find(folded: Sequence[str], candidates: Sequence[str]) -> int | None:
    for candidate in candidates:
        key = normalize_header(candidate)
        if key in folded:
            return folded.index(key)
    return None


def _header_fields(profile: Profile, texts: Sequence[str]) -> dict[str, int] | None:
    """Field → column index when `texts` is a header for this profile (a date and an amount column)."""
    folded = [normalize_header(t) for t in texts]
    if _find(folded, profile.date) is None:
        return None
    if all(_find(folded, getattr(profile, f)) is None for f in ("amount", "credit", "debit")):
        return None
    found = {}
    for name in COLUMN_FIELDS:
        if name != "memo":
            index = _find(folded, getattr(profile, name))
            if index is not None:
                found[name] = index
    return found


def _matches_signature(profile: Profile, texts: Sequence[str]) -> bool:
    if not profile.signature:
        return True
    folded = {normalize_header(t) for t in texts}
    return any(all(normalize_header(name) in folded for name in group) for group in profile.signature)


@dataclass(frozen=True, slots=True)
class _Layout:
    line: int
    header: tuple[str, ...]
    columns: dict[str, int]
    memo: tuple[int, ...]
    mode: str
    """split | signed | flag"""
    width: int
    """Cells a CSV row must have: up to the header's last non-empty cell."""


def _layout(profile: Profile, file: str, line: int, texts: list[str], columns: dict[str, int]) -> _Layout:
    folded = [normalize_header(t) for t in texts]
    memo: list[int] = []
    for candidate in profile.memo:
        key = normalize_header(candidate)
        if key in folded and folded.index(key) not in memo:
            memo.append(folded.index(key))

    def missing(name: str) -> InvalidInput:
        return InvalidInput(
            f"missing column {name!r} (header: {', '.join(t for t in texts if t)})",
            file=file, row=line, field=name, hint=f"is this file from {profile.name}?",
        )  # fmt: skip

    if "credit" in columns or "debit" in columns:
        if "credit" not in columns:
            raise missing(profile.credit[0])
        if "debit" not in columns:
            raise missing(profile.debit[0])
        mode = "split"
    elif profile.direction:
        if "direction" not in columns:
            raise missing(profile.direction[0])
        mode = "flag"
    else:
        mode = "signed"
    if (profile.status_counted or profile.status_not_counted) and "status" not in columns:
        raise missing(profile.status[0])
    width = max((i + 1 for i, t in enumerate(texts) if t), default=0)
    return _Layout(line, tuple(texts), columns, tuple(memo), mode, width)


def _account(profile: Profile, preamble: list[list[str]]) -> str:
    """Our account number from a preamble cell `卡号: 6222...`, `# 卡号: [6214...]` or `账号` + next cell."""
    for cells in preamble:
        for index, cell in enumerate(cells):
            text = cell.lstrip("# ")
            for label in profile.account_labels:
                rest = text[len(label) :]
                if not text.startswith(label) or (rest and rest[0] not in " :：\t"):
                    continue
                rest = rest.lstrip(" :：\t").strip()
                if not rest and index + 1 < len(cells):
                    rest = cells[index + 1]
                rest = rest.strip().strip("[]【】").strip()
                if rest:
                    return rest
    return ""


def _is_footer(profile: Profile, cells: list[object]) -> bool:
    first = next((t for t in (_safe_text(c) for c in cells) if t), "")
    return first.startswith(tuple(profile.footer_prefixes)) or bool(_COUNT_FOOTER.match(first))


def _looks_like_date(value: object) -> bool:
    """Whether a cell that failed to parse as a date was meant as one (garbled), not footer text."""
    if isinstance(value, (int, float, Decimal, date)) and not isinstance(value, bool):
        return True
    text = _safe_text(value)
    return bool(text) and text[0].isdigit()


class _Row:
    """One data row with its location, so every complaint names FILE:ROW: COLUMN."""

    __slots__ = ("cells", "file", "layout", "number")

    def __init__(self, file: str, number: int, layout: _Layout, cells: list[object]) -> None:
        self.file, self.number, self.layout, self.cells = file, number, layout, cells

    def has(self, name: str) -> bool:
        return name in self.layout.columns

    def raw(self, index: int) -> object:
        return self.cells[index] if index < len(self.cells) else None

    def header(self, index: int) -> str:
        return self.layout.header[index]

    def fail(self, index: int, reason: str) -> InvalidInput:
        return InvalidInput(reason, file=self.file, row=self.number, field=self.header(index))

    def text(self, name: str, blanks: Sequence[str] = ()) -> str:
        if name not in self.layout.columns:
            return ""
        return self.text_at(self.layout.columns[name], blanks)

    def text_at(self, index: int, blanks: Sequence[str] = ()) -> str:
        try:
            text = cell_text(self.raw(index))
        except InvalidInput as exc:
            raise self.fail(index, exc.reason) from None
        return "" if text in blanks else text

    def amount(self, name: str, currency: str) -> int | None:
        index = self.layout.columns[name]
        try:
            return parse_amount_cell(self.raw(index), currency)
        except InvalidInput as exc:
            raise self.fail(index, exc.reason) from None


def _line(profile: Profile, row: _Row, booked_on: date) -> BankLine:
    columns = row.layout.columns
    currency = profile.default_currency
    if row.has("currency"):
        code = row.text("currency", profile.blank_values)
        if code:
            try:
                currency = _currency(code)
            except InvalidInput as exc:
                raise row.fail(columns["currency"], exc.reason) from None
    currency = _currency(currency)
    if row.has("time"):
        try:
            parse_time_cell(row.raw(columns["time"]))
        except InvalidInput as exc:
            raise row.fail(columns["time"], exc.reason) from None
    if row.has("balance"):
        row.amount("balance", currency)
    counted = True
    if row.layout.mode == "split":
        credit, debit = row.amount("credit", currency), row.amount("debit", currency)
        if credit is None and debit is None:
            raise row.fail(columns["credit"], f"no amount in {row.header(columns['credit'])!r} nor in "
                                              f"{row.header(columns['debit'])!r}")  # fmt: skip
        if credit and debit:
            raise row.fail(columns["credit"], f"amounts both in {row.header(columns['credit'])!r} and in "
                                              f"{row.header(columns['debit'])!r}")  # fmt: skip
        amount = (credit or 0) - (debit or 0)
    else:
        value = row.amount("amount", currency)
        if value is None:
            raise row.fail(columns["amount"], "the amount is missing")
        amount = value
        if row.layout.mode == "flag":
            index = columns["direction"]
            flag = _fold(row.text_at(index))
            if amount < 0:
                raise row.fail(columns["amount"], "negative amount beside a direction column")
            if flag in _folded(profile.direction_out):
                amount = -amount
            elif flag in _folded(profile.direction_neutral):
                counted = False
            elif flag not in _folded(profile.direction_in):
                allowed = ", ".join(profile.direction_in + profile.direction_out + profile.direction_neutral)
                raise row.fail(index, f"{row.text_at(index)!r} is not a direction (expected one of {allowed})")
    if profile.sign == "inverted":
        amount = -amount
    if row.has("status"):
        status = _fold(row.text("status"))
        if profile.status_counted and status not in _folded(profile.status_counted):
            counted = False
        if status in _folded(profile.status_not_counted):
            counted = False
    blanks = profile.blank_values
    name, account = row.text("payer_name", blanks), row.text("payer_account", blanks)
    if row.has("payer"):
        combined_name, combined_account = split_party(row.text("payer", blanks))
        name, account = name or combined_name, account or combined_account
    memo: list[str] = []
    for index in row.layout.memo:
        part = row.text_at(index, blanks)
        if part and part not in memo:
            memo.append(part)
    return BankLine(
        line=row.number,
        booked_on=booked_on,
        amount_minor=amount,
        currency=currency,
        payer_name=name,
        payer_account=account,
        memo=" | ".join(memo),
        bank_ref=row.text("bank_ref", blanks),
        counted=counted,
        kind=row.text("kind", blanks),
    )


def _text_row_reader(profile: Profile, layout: _Layout) -> Callable[[list[str], int, date], BankLine]:
    """`_line` for the text cells of one CSV layout, with every column look-up done once instead of per row
    (most of a 100k-line import's parsing time went into `_Row`'s indirections). Same helpers, same
    decisions in the same order; it may raise anything on a bad row, and the caller then reads that row
    again with `_line`, which raises the located error. `tests/unit/importers` compares the two."""
    get = layout.columns.get
    currency_i, time_i, balance_i = get("currency"), get("time"), get("balance")
    credit_i, debit_i, amount_i, direction_i = get("credit"), get("debit"), get("amount"), get("direction")
    status_i, name_i, account_i, payer_i = get("status"), get("payer_name"), get("payer_account"), get("payer")
    ref_i, kind_i, memo_is = get("bank_ref"), get("kind"), layout.memo
    blanks, mode, inverted = profile.blank_values, layout.mode, profile.sign == "inverted"
    default_currency = _currency(profile.default_currency)
    outs, neutrals, ins = (_folded(profile.direction_out), _folded(profile.direction_neutral),
                           _folded(profile.direction_in))  # fmt: skip
    counted_only = _folded(profile.status_counted) if profile.status_counted else None
    not_counted = _folded(profile.status_not_counted)

    def text(cells: list[str], index: int | None, blank: Sequence[str] = blanks) -> str:
        if index is None or index >= len(cells):
            return ""
        value = clean_cell(cells[index])
        return "" if value in blank else value

    def amount(cells: list[str], index: int, currency: str) -> int | None:
        return parse_amount_cell(cells[index] if index < len(cells) else None, currency)

    def read(cells: list[str], number: int, booked_on: date) -> BankLine:
        currency = default_currency
        if currency_i is not None and (code := text(cells, currency_i)):
            currency = _currency(code)
        if time_i is not None:
            parse_time_cell(cells[time_i] if time_i < len(cells) else None)
        if balance_i is not None:
            amount(cells, balance_i, currency)
        counted = True
        if mode == "split":
            credit, debit = amount(cells, credit_i, currency), amount(cells, debit_i, currency)  # type: ignore[arg-type]
            if (credit is None and debit is None) or (credit and debit):
                raise InvalidInput("let _line say it")
            value = (credit or 0) - (debit or 0)
        else:
            found = amount(cells, amount_i, currency)  # type: ignore[arg-type]
            if found is None:
                raise InvalidInput("let _line say it")
            value = found
            if mode == "flag":
                flag = _fold(text(cells, direction_i, ()))
                if value < 0:
                    raise InvalidInput("let _line say it")
                if flag in outs:
                    value = -value
                elif flag in neutrals:
                    counted = False
                elif flag not in ins:
                    raise InvalidInput("let _line say it")
        if inverted:
            value = -value
        if status_i is not None:
            status = _fold(text(cells, status_i, ()))
            if counted_only is not None and status not in counted_only:
                counted = False
            if status in not_counted:
                counted = False
        name, account = text(cells, name_i), text(cells, account_i)
        if payer_i is not None:
            combined_name, combined_account = split_party(text(cells, payer_i))
            name, account = name or combined_name, account or combined_account
        memo: list[str] = []
        for index in memo_is:
            part = text(cells, index)
            if part and part not in memo:
                memo.append(part)
        return BankLine(line=number, booked_on=booked_on, amount_minor=value, currency=currency, payer_name=name,
                        payer_account=account, memo=" | ".join(memo), bank_ref=text(cells, ref_i), counted=counted,
                        kind=text(cells, kind_i))  # fmt: skip

    return read


def _short_row(file: str, number: int, layout: _Layout, cells: list[object]) -> InvalidInput:
    missing = layout.header[len(cells)] or layout.header[layout.width - 1]
    return InvalidInput(
        f"the row has {len(cells)} of {layout.width} columns: cut short (truncated file?)",
        file=file, row=number, field=missing,
    )  # fmt: skip


def _parse(profile: Profile, file: str, kind: str, used: str, records: Records) -> list[Statement]:
    preamble: list[list[str]] = []
    layout: _Layout | None = None
    lines: list[BankLine] = []
    pending: list[tuple[int, InvalidInput]] = []  # dateless rows: footer if nothing follows, else an error
    footer_at: int | None = None
    fast: Callable[[list[str], int, date], BankLine] | None = None
    for number, cells in records:
        if layout is None:
            if number > profile.header_search_rows:
                break
            texts = [_safe_text(c) for c in cells]
            columns = _header_fields(profile, texts)
            if columns is None:
                preamble.append(texts)
            else:
                layout = _layout(profile, file, number, texts, columns)
                fast = _text_row_reader(profile, layout) if kind == "text" else None
            continue
        if not any(_safe_text(c) for c in cells):
            continue
        row = _Row(file, number, layout, cells)
        date_index = layout.columns["date"]
        if footer_at is None and _is_footer(profile, cells):
            footer_at = number
            continue
        short = kind == "text" and footer_at is None and len(cells) < layout.width
        if short and (len(cells) > 1 or _looks_like_date(cells[0])):
            raise _short_row(file, number, layout, cells)
        try:
            booked_on = parse_date_cell(row.raw(date_index), profile.date_formats)
        except InvalidInput as exc:
            located = row.fail(date_index, exc.reason)
            if footer_at is None and _looks_like_date(row.raw(date_index)):
                raise located from None
            if footer_at is None:
                pending.append((number, located))
            continue
        if footer_at is not None:
            raise InvalidInput(
                f"a transaction after the footer that starts at line {footer_at}",
                file=file, row=number, field=row.header(date_index),
            )  # fmt: skip
        if pending:
            raise pending[0][1]
        if kind == "text":
            if len(cells) < layout.width:
                raise _short_row(file, number, layout, cells)
            extra = [c for c in cells[len(layout.header) :] if _safe_text(c)]
            if extra:
                raise InvalidInput(
                    f"the row has {len(cells)} cells but the header has {len(layout.header)} columns",
                    file=file, row=number,
                )  # fmt: skip
        if fast is None:
            lines.append(_line(profile, row, booked_on))
        else:
            try:
                lines.append(fast(cells, number, booked_on))  # type: ignore[arg-type]
            except Exception:
                lines.append(_line(profile, row, booked_on))  # raises the error with its row and column
    if layout is None:
        wanted = f"a date column ({' / '.join(profile.date)}) and an amount column " + (
            f"({' / '.join(profile.amount + profile.credit)})"
        )
        raise InvalidInput(
            f"no header row with {wanted} in the first {profile.header_search_rows} rows",
            file=file, hint=f"is this file from {profile.name}? (or is --encoding wrong?)",
        )  # fmt: skip
    notes: list[str] = []
    skipped = ([footer_at] if footer_at is not None else []) + [n for n, _ in pending]
    if skipped:
        notes.append(f"footer from line {min(skipped)} skipped")
    uncounted = sum(1 for line in lines if not line.counted)
    if uncounted:
        notes.append(f"{uncounted} line(s) not counted (not cash movements, or not completed)")
    account = _account(profile, preamble)
    by_currency: dict[str, list[BankLine]] = {}
    for line in lines:
        by_currency.setdefault(line.currency, []).append(line)
    if not by_currency:
        by_currency[_currency(profile.default_currency)] = []
    return [
        Statement(
            path=file,
            format=profile.name,
            account=account,
            currency=currency,
            lines=tuple(group),
            encoding=used,
            notes=tuple(notes),
        )
        for currency, group in by_currency.items()
    ]


def _head_rows(text: str, profile: Profile) -> list[list[object]]:
    rows: list[list[object]] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=profile.delimiter)
    try:
        for cells in itertools.islice(reader, profile.header_search_rows):
            rows.append(list(cells))
    except csv.Error:
        pass
    return rows


class ProfileReader:
    """Runs one `Profile`; implements the `Reader` protocol of `base.py`."""

    def __init__(self, profile: Profile) -> None:
        self.profile = profile
        self.name = profile.name
        self.description = profile.description

    def __repr__(self) -> str:
        return f"ProfileReader({self.name!r})"

    def identify(self, path: Path, head: str) -> bool:
        """True when one of the first rows is this profile's header (date, amount and signature columns)."""
        profile = self.profile
        try:
            path = Path(path)
            kind = file_kind(path)
            if kind == "text":
                # The caller's head first; then our own lenient reading of it (a caller that decoded a
                # mixed or cut file as GB18030 or latin-1 hands us mojibake headers).
                heads = [head] if head else []
                heads.append(read_head(path))
                return any(self._identify_rows(_head_rows(text, profile)) for text in heads)
            records = _xlsx_records(path) if kind == "xlsx" else _xls_records(path, profile.encoding)
            try:
                rows = [cells for _, cells in itertools.islice(records, profile.header_search_rows)]
            finally:
                records.close()
            return self._identify_rows(rows)
        except (InvalidInput, OSError, ValueError):
            return False

    def _identify_rows(self, rows: list[list[object]]) -> bool:
        for cells in rows:
            texts = [_safe_text(c) for c in cells]
            if _header_fields(self.profile, texts) is not None:
                return _matches_signature(self.profile, texts)
        return False

    def extract(self, path: Path, *, encoding: str | None = None) -> list[Statement]:
        path = Path(path)
        file = str(path)
        if not path.is_file():
            raise InvalidInput("no such file", file=file)
        kind, used, records = _records(self.profile, path, encoding)
        try:
            return _parse(self.profile, file, kind, used, records)
        finally:
            records.close()


# --- user profiles in TOML ------------------------------------------------------------------------


def _key_line(text: str, key: str) -> int | None:
    """The line where `key` (`columns.amount` or `sign`) is set, for messages; None when not found."""
    *table, leaf = key.split(".")
    lines = text.splitlines()
    start = 0
    if table:
        for number, line in enumerate(lines):
            if re.match(rf"\s*\[\s*{re.escape('.'.join(table))}\s*\]", line):
                start = number + 1
                break
    pattern = re.compile(rf"\s*[\"']?{re.escape(leaf)}[\"']?\s*=")
    for number in range(start, len(lines)):
        if pattern.match(lines[number]):
            return number + 1
    if table and start:
        return start  # the key is the table itself
    return None


def _strings(value: object, problem: type[Exception]) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise problem("must be a string or a list of strings")


class _TomlProblem(Exception):
    pass


def load_profile(path: str | Path) -> Profile:
    """A user profile from a TOML file. Errors name the file, the line when known and the key.

    ```toml
    name = "hsbc-hk"
    description = "HSBC Hong Kong business account, CSV"
    default_currency = "HKD"
    date_formats = ["%d/%m/%Y"]
    signature = ["Deposit", "Withdrawal"]

    [columns]
    date = "Transaction Date"
    credit = "Deposit"
    debit = "Withdrawal"
    payer_name = "Counterparty"
    memo = ["Description", "Reference"]
    bank_ref = "Transaction ID"
    ```
    Top-level keys are the Profile fields (`name`, `description`, `default_currency`, `sign`,
    `date_formats`, `signature`, `direction_in`/`_out`/`_neutral`, `status_counted`/`status_not_counted`,
    `header_search_rows`, `footer_prefixes`, `account_labels`, `blank_values`, `encoding`, `delimiter`);
    `[columns]` holds the column fields (`date`, `time`, `amount`, `credit`, `debit`, `direction`,
    `currency`, `balance`, `payer_name`, `payer_account`, `payer`, `memo`, `bank_ref`, `kind`, `status`),
    each a header text or a list of them.
    """
    p = Path(path)
    file = str(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise InvalidInput(f"cannot read the profile: {exc.strerror or exc}", file=file) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput(
            "a TOML file must be UTF-8", file=file, row=data[: exc.start].count(b"\n") + 1
        ) from None
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        where = re.search(r"\(at line (\d+), column \d+\)", message)
        reason = re.sub(r"\s*\(at line \d+, column \d+\)", "", message) or "syntax error"
        raise InvalidInput(f"not valid TOML: {reason}", file=file, row=int(where[1]) if where else None) from None

    def fail(key: str, reason: str) -> InvalidInput:
        return InvalidInput(reason, file=file, row=_key_line(text, key), field=key)

    known = {f.name for f in fields(Profile)} - set(COLUMN_FIELDS)
    values: dict[str, object] = {}
    for key, value in document.items():
        try:
            if key == "columns":
                if not isinstance(value, dict):
                    raise fail(key, "must be a table: [columns]")
                for column, candidates in value.items():
                    if column not in COLUMN_FIELDS:
                        close = difflib.get_close_matches(column, COLUMN_FIELDS, n=1)
                        hint = f" (did you mean {close[0]!r}?)" if close else ""
                        raise fail(
                            f"columns.{column}",
                            f"unknown column field{hint}; known: {', '.join(COLUMN_FIELDS)}",
                        )
                    try:
                        values[column] = _strings(candidates, _TomlProblem)
                    except _TomlProblem as exc:
                        raise fail(f"columns.{column}", str(exc)) from None
            elif key in COLUMN_FIELDS:
                raise fail(key, f"column fields go under [columns]: columns.{key}")
            elif key not in known:
                close = difflib.get_close_matches(key, sorted(known | {"columns"}), n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                raise fail(key, f"unknown key{hint}")
            elif key in _STRINGS:
                if not isinstance(value, str):
                    raise fail(key, "must be a string")
                values[key] = value
            elif key == "header_search_rows":
                if not isinstance(value, int) or isinstance(value, bool):
                    raise fail(key, "must be a whole number")
                values[key] = value
            elif key == "signature":
                if isinstance(value, list) and value and all(isinstance(v, list) for v in value):
                    values[key] = tuple(_strings(v, _TomlProblem) for v in value)
                else:
                    values[key] = (_strings(value, _TomlProblem),)
            else:
                values[key] = _strings(value, _TomlProblem)
        except _TomlProblem as exc:
            raise fail(key, str(exc)) from None
    if "name" not in values:
        raise InvalidInput('the profile needs a name (name = "my-bank")', file=file, field="name")
    try:
        return Profile(**values)  # type: ignore[arg-type]
    except InvalidInput as exc:
        key = exc.field or ""
        key = f"columns.{key}" if key in COLUMN_FIELDS else key
        reason = exc.reason.split(": ", 1)[1] if exc.reason.startswith("profile ") else exc.reason
        raise fail(key, reason) from None
