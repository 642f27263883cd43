"""Read a CSV (UTF-8 or GBK/GB18030, detected) or XLSX sheet into header-mapped rows.

Decoding order (architecture.md pitfalls): a BOM wins; then strict UTF-8; then the charset detector's guess,
decoded strictly (Chinese guesses widen to GB18030, the superset of GB2312 and GBK). Nothing is ever decoded
with errors="replace": mojibake in a customer name is worse than a refusal.
"""

from __future__ import annotations

import codecs
import csv
import io
import unicodedata
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from arctl.domain.errors import InvalidInput

MAX_XLSX_UNCOMPRESSED = 200 * 1024 * 1024  # openpyxl has no zip-bomb guard of its own
_CHINESE_CHARSETS = {"gb2312", "gbk", "gb18030", "hz", "big5", "cp936", "euc_cn"}


@dataclass(frozen=True, slots=True)
class Row:
    """One data row: its 1-based line (CSV) or row number (XLSX) and values by field name."""

    number: int
    values: dict[str, str]


@dataclass(frozen=True, slots=True)
class Table:
    path: str
    encoding: str
    """How the file was decoded ("xlsx" for workbooks)."""
    fields: tuple[str, ...]
    """The fields the header mapped to, in file order."""
    columns: dict[str, str]
    """field → the header text it came from (so errors name the user's column)."""
    ignored: tuple[str, ...]
    rows: tuple[Row, ...]


def decode(data: bytes, path: str, encoding: str | None = None) -> tuple[str, str]:
    """Bytes → (text, encoding used)."""
    if encoding:
        try:
            return data.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError) as exc:
            raise InvalidInput(f"cannot decode as {encoding}: {exc}", file=path) from None
    boms = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
    for bom, name in boms:
        if data.startswith(bom):
            try:
                return data.decode(name), name
            except UnicodeDecodeError as exc:
                line = data[: exc.start].count(b"\n") + 1
                raise InvalidInput(
                    f"starts with a {name} byte-order mark but is not valid {name}", file=path, row=line
                ) from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        utf8_error = exc
    line = data[: utf8_error.start].count(b"\n") + 1
    if any(byte >= 0x80 for byte in data[: utf8_error.start]):
        # Valid non-ASCII UTF-8 first, then something else: a file glued from two encodings. Decoding it
        # all as GB18030 would turn the UTF-8 part into mojibake without any error.
        raise InvalidInput(
            "mixes UTF-8 with another encoding (UTF-8 up to here)",
            file=path, row=line, hint="re-export the file in one encoding",
        )  # fmt: skip
    # Chinese bank and ERP exports are GB18030/GBK (a superset of GB2312): try that first, strictly. Only
    # then ask the detector, whose guesses on short Chinese files are often Korean or Japanese.
    try:  # the detector reads the whole file (0.8 s on 100k lines): ask it only when GB18030 fails
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError:
        pass
    candidates: list[str] = []
    from charset_normalizer import from_bytes

    guess = from_bytes(data).best()
    if guess is not None and guess.encoding.replace("-", "_").lower() not in _CHINESE_CHARSETS:
        candidates.append(guess.encoding)
    for name in candidates:
        try:
            return data.decode(name), name
        except UnicodeDecodeError:
            continue
    raise InvalidInput(
        f"cannot tell the character encoding (not UTF-8, not GB18030 at byte {utf8_error.start})",
        file=path, row=line, hint="pass --encoding",
    )  # fmt: skip


def normalize_header(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text or "").strip().lower().replace("_", " ").split())


def _csv_rows(path: Path, encoding: str | None) -> tuple[str, Iterator[tuple[int, list[str]]]]:
    text, used = decode(path.read_bytes(), str(path), encoding)
    sample = text[:4096]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)

    def rows() -> Iterator[tuple[int, list[str]]]:
        try:
            for record in reader:
                yield reader.line_num, record
        except csv.Error as exc:
            raise InvalidInput(f"malformed CSV: {exc}", file=str(path), row=reader.line_num) from None

    return used, rows()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        # Excel stores numbers as binary floats; str() is the shortest text that reads back to the same
        # float, i.e. what the sheet displays. It becomes a Decimal string here and never a float again.
        return format(Decimal(str(value)), "f")
    return str(value).strip()


def _xlsx_rows(path: Path, sheet: str | None) -> Iterator[tuple[int, list[str]]]:
    try:
        with zipfile.ZipFile(path) as archive:
            size = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise InvalidInput("not an XLSX workbook (bad zip)", file=str(path)) from None
    if size > MAX_XLSX_UNCOMPRESSED:
        raise InvalidInput(f"workbook unpacks to {size // 2**20} MiB, over the {MAX_XLSX_UNCOMPRESSED // 2**20} MiB limit",
                           file=str(path))  # fmt: skip
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        raise InvalidInput(f"cannot open workbook: {exc}", file=str(path)) from None
    try:
        if sheet is not None and sheet not in workbook.sheetnames:
            raise InvalidInput(f"no sheet {sheet!r} (sheets: {', '.join(workbook.sheetnames)})", file=str(path))
        ws = workbook[sheet] if sheet else workbook.worksheets[0]
        ws.reset_dimensions()  # read_only trusts the dimension tag, which can lie
        for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
            yield number, [_cell_text(v) for v in values]
    finally:
        workbook.close()


def read_table(
    path: str | Path,
    aliases: Mapping[str, str],
    required: Sequence[str],
    *,
    mapping: Mapping[str, str] | None = None,
    encoding: str | None = None,
    sheet: str | None = None,
    title_rows: int = 0,
) -> Table:
    """Read a CSV/XLSX file whose first non-empty row is the header (or, with `title_rows`, the first of
    that many non-empty rows that holds every required field: title lines above it are skipped).

    `aliases` maps normalised header texts to field names (English and Chinese spellings); `mapping`
    (from --map "Header=field") overrides them. Missing required fields are an error naming the file.
    """
    p = Path(path)
    if not p.is_file():
        raise InvalidInput("no such file", file=str(path))
    if p.suffix.lower() in (".xlsx", ".xlsm"):
        used, raw = "xlsx", _xlsx_rows(p, sheet)
    else:
        used, raw = _csv_rows(p, encoding)
    overrides = {normalize_header(k): v for k, v in (mapping or {}).items()}
    header: list[str] | None = None
    fields: list[str | None] = []
    rows: list[Row] = []
    titles_skipped = 0
    for number, record in raw:
        if not any(cell.strip() for cell in record):
            continue
        if header is None:
            candidate = [c.strip() for c in record]
            mapped = [overrides.get(normalize_header(h)) or aliases.get(normalize_header(h)) for h in candidate]
            if titles_skipped < title_rows and not set(required) <= set(mapped):
                titles_skipped += 1  # a title line above the header (arctl's own xlsx reports have one)
                continue
            header, fields = candidate, mapped
            continue
        if len(record) > len(header) and any(c.strip() for c in record[len(header) :]):
            raise InvalidInput(f"{len(record)} cells but the header has {len(header)} columns", file=str(path),
                               row=number)  # fmt: skip
        values = {f: record[i].strip() for i, f in enumerate(fields) if f and i < len(record)}
        rows.append(Row(number, values))
    if header is None:
        raise InvalidInput("the file is empty (no header row)", file=str(path))
    found = [f for f in fields if f]
    duplicated = sorted({f for f in found if found.count(f) > 1})
    if duplicated:
        raise InvalidInput(f"several columns map to {', '.join(duplicated)}", file=str(path), row=1)
    missing = [f for f in required if f not in found]
    if missing:
        raise InvalidInput(
            f"missing column(s) {', '.join(missing)} (header: {', '.join(header)})",
            file=str(path), hint='map them with --map "Your header=field"',
        )  # fmt: skip
    columns = {f: h for h, f in zip(header, fields, strict=True) if f}
    ignored = tuple(h for h, f in zip(header, fields, strict=True) if not f and h)
    return Table(str(path), used, tuple(found), columns, ignored, tuple(rows))
