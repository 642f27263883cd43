"""The profile spec (importers/bank/profile.py): user TOML profiles, validation naming FILE:LINE: KEY, the cell
parsers (hypothesis round trips; garbage never parses) and the generic reader rules."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arctl.domain.errors import InvalidInput
from arctl.importers.bank.profile import (
    COLUMN_FIELDS,
    Profile,
    ProfileReader,
    cell_text,
    clean_cell,
    load_profile,
    parse_amount_cell,
    parse_date_cell,
    read_head,
    split_party,
)

DATA = Path(__file__).resolve().parents[2] / "data" / "bank" / "cn"


def toml(tmp_path: Path, text: str, name: str = "bank.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def load_error(path: Path) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        load_profile(path)
    return caught.value


# --- user profiles in TOML -------------------------------------------------------------------------------


def test_hong_kong_profile_loads_into_the_same_spec() -> None:
    profile = load_profile(DATA / "hkbank.toml")
    assert profile.name == "hkbank"
    assert profile.default_currency == "HKD"
    assert profile.date_formats == ("%d/%m/%Y",)
    assert profile.date == ("Transaction Date", "Date")
    assert (profile.credit, profile.debit) == (("Deposit",), ("Withdrawal",))
    assert profile.memo == ("Description", "Remarks")
    assert profile.signature == (("Deposit", "Withdrawal", "Transaction Ref"),)


def test_hong_kong_csv_reads_with_day_first_dates_and_hkd() -> None:
    reader = ProfileReader(load_profile(DATA / "hkbank.toml"))
    path = DATA / "hkbank.csv"
    assert reader.identify(path, read_head(path))
    [st_] = reader.extract(path)
    assert (st_.format, st_.account, st_.currency) == ("hkbank", "024-123456-001", "HKD")
    assert [
        (x.line, x.booked_on, x.amount_minor, x.currency, x.payer_name, x.memo, x.bank_ref) for x in st_.lines
    ] == [
        (
            5,
            date(2026, 8, 5),
            880_000,
            "HKD",
            "KOWLOON TRADING LTD",
            "FPS credit | INV-2026-0050",
            "FPS2026080500011",
        ),
        (6, date(2026, 8, 13), -150_050, "HKD", "", "Cheque | CHQ 000123", "CHQ2026081300002"),
        (7, date(2026, 8, 31), 310, "HKD", "", "Interest", "INT2026083100001"),
    ]


def test_day_first_profile_refuses_a_month_first_date(tmp_path: Path) -> None:
    path = tmp_path / "hk.csv"
    path.write_text((DATA / "hkbank.csv").read_text("utf-8").replace("13/08/2026", "08/13/2026"), "utf-8")
    with pytest.raises(InvalidInput) as caught:
        ProfileReader(load_profile(DATA / "hkbank.toml")).extract(path)
    assert str(caught.value) == f"{path}:6: Transaction Date: '08/13/2026' is not a date in the format %d/%m/%Y"


def test_broken_profile_names_file_line_and_key() -> None:
    path = DATA / "broken_profile.toml"
    exc = load_error(path)
    assert str(exc).startswith(f"{path}:6: columns.ammount: unknown column field (did you mean 'amount'?)")


@pytest.mark.parametrize(
    ("text", "where", "reason"),
    [
        ('name = "x"\nsing = "inverted"\n[columns]\ndate="D"\namount="A"\n', ":2: sing", "unknown key (did you mean 'sign'?)"),
        ('name = "x"\ndate = "D"\n', ":2: date", "column fields go under [columns]"),
        ('name = "x"\n[columns]\ndate = "D"\n', ":2: columns.amount", "needs an amount column"),
        ('name = "x"\n[columns]\ndate = "D"\ncredit = "C"\n', ":2: columns.debit", "credit and debit columns go together"),
        ('name = "x"\n[columns]\ndate = "D"\namount = 5\n', ":4: columns.amount", "must be a string or a list of strings"),
        ('name = "X Bank"\n[columns]\ndate="D"\namount="A"\n', ":1: name", "must be 1-40 characters"),
        ('name = "x"\ndefault_currency = "XYZ"\n[columns]\ndate="D"\namount="A"\n', ":2: default_currency",
         "unknown currency 'XYZ'"),
        ('name = "x"\nsign = "backwards"\n[columns]\ndate="D"\namount="A"\n', ":2: sign", "must be 'normal' or"),
        ('name = "x"\ndate_formats = ["%H:%M"]\n[columns]\ndate="D"\namount="A"\n', ":2: date_formats",
         "does not give back year, month and day"),
        ('name = "x"\nencoding = "klingon"\n[columns]\ndate="D"\namount="A"\n', ":2: encoding", "unknown encoding"),
        ('name = "x"\ndirection_in = ["C"]\n[columns]\ndate="D"\namount="A"\n', ":3: columns.direction",
         "direction values are given but no direction column"),
        ('name = "x"\n[columns]\ndate="D"\namount="A"\ndirection="F"\n', ": direction_in",
         "needs direction_in and direction_out"),
        ('name = "x"\nheader_search_rows = "ten"\n[columns]\ndate="D"\namount="A"\n', ":2: header_search_rows",
         "must be a whole number"),
        ('description = "no name"\n[columns]\ndate="D"\namount="A"\n', ": name", "the profile needs a name"),
        ('name = "x"\ncolumns = "D"\n', ":2: columns", "must be a table"),
    ],
)  # fmt: skip
def test_profile_validation_errors(tmp_path: Path, text: str, where: str, reason: str) -> None:
    path = toml(tmp_path, text)
    exc = load_error(path)
    assert str(exc).startswith(f"{path}{where}: "), str(exc)
    assert reason in str(exc)


def test_toml_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = toml(tmp_path, 'name = "x"\n[columns]\ndate = "D\namount = "A"\n')
    exc = load_error(path)
    assert str(exc).startswith(f"{path}:3: not valid TOML")


def test_unreadable_and_non_utf8_profiles(tmp_path: Path) -> None:
    assert str(load_error(tmp_path / "none.toml")).startswith(f"{tmp_path / 'none.toml'}: cannot read the profile")
    path = tmp_path / "gbk.toml"
    path.write_bytes('name = "x"\n# 工商银行\n'.encode("gbk"))
    assert str(load_error(path)) == f"{path}:2: a TOML file must be UTF-8"


def test_signature_as_list_of_groups_and_every_column_field(tmp_path: Path) -> None:
    columns = "\n".join(f'{f} = ["{f.upper()}"]' for f in COLUMN_FIELDS if f not in ("credit", "debit"))
    text = (
        'name = "full"\nsignature = [["A", "B"], ["C"]]\ndirection_in = ["+"]\ndirection_out = ["-x"]\n'
        'status_counted = ["OK"]\nheader_search_rows = 10\n'
        f"[columns]\n{columns}\n"
    )
    profile = load_profile(toml(tmp_path, text))
    assert profile.signature == (("A", "B"), ("C",))
    assert profile.payer == ("PAYER",) and profile.status == ("STATUS",)
    assert profile.header_search_rows == 10


def test_built_in_profiles_are_checked_too() -> None:
    with pytest.raises(InvalidInput, match="a date column is required"):
        Profile(name="nodate", amount=("A",))
    with pytest.raises(InvalidInput, match="list of non-empty strings"):
        Profile(name="bad", date="交易日期", amount=("A",))  # type: ignore[arg-type]


# --- generic reader rules ---------------------------------------------------------------------------------


def write(tmp_path: Path, text: str, name: str = "f.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_inverted_sign_and_status_rules(tmp_path: Path) -> None:
    profile = Profile(
        name="card", date=("Date",), amount=("Amount",), status=("Status",), status_counted=("Posted",),
        status_not_counted=("Reversed",), sign="inverted", payer_name=("Merchant",),
    )  # fmt: skip
    path = write(tmp_path, "Card statement\nDate,Merchant,Amount,Status\n2026-08-01,Shop,12.50,Posted\n"
                           "2026-08-02,Shop,-12.50,Pending\n2026-08-03,Shop,1.00,Reversed\n")  # fmt: skip
    [st_] = ProfileReader(profile).extract(path)
    assert [(x.line, x.amount_minor, x.counted) for x in st_.lines] == [(3, -1250, True), (4, 1250, False),
                                                                      (5, -100, False)]  # fmt: skip


def test_header_beyond_the_search_window_is_not_found(tmp_path: Path) -> None:
    profile = Profile(name="late", date=("Date",), amount=("Amount",), header_search_rows=3)
    path = write(tmp_path, "a\nb\nc\nDate,Amount\n2026-08-01,1.00\n")
    with pytest.raises(InvalidInput, match=r"no header row .* in the first 3 rows"):
        ProfileReader(profile).extract(path)


def test_footer_variants_and_trailing_dateless_rows(tmp_path: Path) -> None:
    profile = Profile(name="f", date=("日期",), amount=("金额",), memo=("摘要",))
    text = "日期,金额,摘要\n2026-08-01,1.00,a\n\n2026-08-02,2.00,b\n导出时间：2026-09-01\n"
    [st_] = ProfileReader(profile).extract(write(tmp_path, text))
    assert [x.line for x in st_.lines] == [2, 4]
    assert st_.notes == ("footer from line 5 skipped",)
    text = "日期,金额,摘要\n2026-08-01,1.00,a\n共1笔,,\n人民币合计,1.00,\n"
    [st_] = ProfileReader(profile).extract(write(tmp_path, text, "g.csv"))
    assert [x.line for x in st_.lines] == [2]


def test_extra_cells_beyond_the_header_are_an_error(tmp_path: Path) -> None:
    profile = Profile(name="f", date=("日期",), amount=("金额",))
    path = write(tmp_path, "日期,金额\n2026-08-01,1.00,surprise\n")
    with pytest.raises(InvalidInput, match=r"f\.csv:2: the row has 3 cells but the header has 2 columns"):
        ProfileReader(profile).extract(path)


def test_unknown_currency_cell_is_an_error(tmp_path: Path) -> None:
    profile = Profile(name="f", date=("日期",), amount=("金额",), currency=("币种",))
    path = write(tmp_path, "日期,金额,币种\n2026-08-01,1.00,人民币\n2026-08-02,1.00,贝壳\n")
    with pytest.raises(InvalidInput, match=r"f\.csv:3: 币种: unknown currency '贝壳'"):
        ProfileReader(profile).extract(path)


def test_empty_statement_keeps_the_default_currency(tmp_path: Path) -> None:
    profile = Profile(name="f", date=("日期",), amount=("金额",), default_currency="人民币")
    [st_] = ProfileReader(profile).extract(write(tmp_path, "日期,金额\n"))
    assert (st_.currency, st_.lines) == ("CNY", ())


def test_forced_profile_encoding_and_tab_delimiter(tmp_path: Path) -> None:
    profile = Profile(name="tsv", date=("日期",), amount=("金额",), payer_name=("户名",), encoding="gbk",
                      delimiter="\t")  # fmt: skip
    path = write(tmp_path, "日期\t金额\t户名\n20260801\t1,000.00\t张伟\n", encoding="gbk")
    [st_] = ProfileReader(profile).extract(path)
    assert (st_.encoding, st_.lines[0].amount_minor, st_.lines[0].payer_name) == ("gbk", 100_000, "张伟")


# --- cell parsers ---------------------------------------------------------------------------------------

two_places = st.decimals(min_value=Decimal("-9999999999999.99"), max_value=Decimal("9999999999999.99"), places=2)


def grouped(whole: int) -> str:
    return f"{whole:,}"


@settings(max_examples=300, deadline=None)
@given(
    value=two_places,
    thousands=st.booleans(),
    symbol=st.sampled_from(["", "¥", "￥", "RMB", "RMB ", "CNY ", "元"]),
    plus=st.booleans(),
    decimals=st.sampled_from([0, 1, 2, 3]),
    padding=st.sampled_from(["", " ", "\t", "  \t"]),
    full_width=st.booleans(),
)
def test_amount_cells_round_trip_exactly(
    value: Decimal, thousands: bool, symbol: str, plus: bool, decimals: int, padding: str, full_width: bool
) -> None:
    minor = int(value * 100)
    if decimals < 2 and minor % 10 ** (2 - decimals):
        decimals = 2
    whole, frac = divmod(abs(minor), 100)
    number = grouped(whole) if thousands else str(whole)
    if decimals:
        number += "." + f"{frac:02d}"[:decimals].ljust(decimals, "0")
    if full_width:
        number = number.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"})
    sign = "-" if minor < 0 else ("+" if plus else "")
    text = f"{sign}{symbol}{number}" if symbol != "元" else f"{sign}{number}{symbol}"
    assert parse_amount_cell(padding + text + padding, "CNY") == minor


@settings(max_examples=200, deadline=None)
@given(value=two_places)
def test_workbook_numbers_round_trip_exactly(value: Decimal) -> None:
    assert parse_amount_cell(value, "CNY") == int(value * 100)
    if abs(value) < 10**11:  # where a float still holds every cent
        assert parse_amount_cell(float(value), "CNY") == int(value * 100)


GARBAGE_CHARS = "abcdefghijklmnopqstvwxzGHIJKLOPQ#@!?&%_=;:|~^'\"[]{}<>汉O"


@settings(max_examples=300, deadline=None)
@given(
    value=two_places,
    junk=st.text(alphabet=GARBAGE_CHARS, min_size=1, max_size=3),
    where=st.floats(min_value=0, max_value=1),
)
def test_garbage_in_an_amount_never_parses(value: Decimal, junk: str, where: float) -> None:
    text = f"{value:,.2f}"
    cut = int(len(text) * where)
    with pytest.raises(InvalidInput):
        parse_amount_cell(text[:cut] + junk + text[cut:], "CNY")


@pytest.mark.parametrize(
    "text",
    ["NaN", "Infinity", "1e5", "1E+3", "--5", "1..2", "1,00", "12,34.00", "1 000.00", "0x10", "1/2", "¥¥5", "5-",
     "1.2.3", "(5", "1.234", "RMB", "¥", "+-1"],
)  # fmt: skip
def test_known_garbage_is_refused(text: str) -> None:
    with pytest.raises(InvalidInput):
        parse_amount_cell(text, "CNY")


@pytest.mark.parametrize(("text", "minor"), [("", None), ("-", None), ("--", None), ("  \t", None),
                                             ('="-1,000.00"', -100_000), ("28.160", 2_816), ("HKD 12.5", 1_250)])  # fmt: skip
def test_empty_and_special_amount_cells(text: str, minor: int | None) -> None:
    currency = "HKD" if "HKD" in text else "CNY"
    assert parse_amount_cell(text, currency) == minor


def test_amount_cells_refuse_floats_that_are_not_numbers_and_booleans() -> None:
    for value in (float("nan"), float("inf"), True, Decimal("NaN")):
        with pytest.raises(InvalidInput):
            parse_amount_cell(value, "CNY")


DATE_FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M",
                "%Y年%m月%d日", "%Y-%m-%dT%H:%M:%S", "%Y%m%d %H:%M:%S"]  # fmt: skip
days = st.dates(min_value=date(1990, 1, 1), max_value=date(2099, 12, 31))
moments = st.times().map(lambda t: t.replace(microsecond=0))


@settings(max_examples=300, deadline=None)
@given(day=days, moment=moments, fmt=st.sampled_from(DATE_FORMATS), padding=st.sampled_from(["", " ", "\t"]))
def test_dates_round_trip_in_every_built_in_format(day: date, moment: time, fmt: str, padding: str) -> None:
    text = datetime.combine(day, moment).strftime(fmt)
    assert parse_date_cell(text + padding) == day


@settings(max_examples=200, deadline=None)
@given(day=days)
def test_unpadded_dates_workbook_dates_and_serials_round_trip(day: date) -> None:
    assert parse_date_cell(f"{day.year}/{day.month}/{day.day}") == day
    assert parse_date_cell(f"{day.year}-{day.month}-{day.day} 9:05") == day
    assert parse_date_cell(day) == day
    assert parse_date_cell(datetime.combine(day, time(14, 3, 11))) == day
    serial = (day - date(1899, 12, 30)).days
    assert parse_date_cell(serial) == day
    assert parse_date_cell(float(serial) + 0.5833) == day
    assert parse_date_cell(int(day.strftime("%Y%m%d"))) == day


@settings(max_examples=200, deadline=None)
@given(day=days, fmt=st.sampled_from(["%d/%m/%Y", "%d.%m.%Y", "%d-%b-%Y"]))
def test_user_formats_round_trip(day: date, fmt: str) -> None:
    assert parse_date_cell(day.strftime(fmt), (fmt,)) == day


@pytest.mark.parametrize(
    "text",
    ["", "2026-13-01", "2026-02-30", "2026/08/32", "26-08-01", "01/08/2026", "2026-08", "20261301", "2026-08-01 25:00",
     "2026-08-01 12:60:00", "2026-08-01x", "today", "昨天", "2026/08-01", "Aug 1 2026"],
)  # fmt: skip
def test_bad_dates_are_refused(text: str) -> None:
    with pytest.raises(InvalidInput):
        parse_date_cell(text)


def test_bad_numeric_dates_are_refused() -> None:
    for value in (0, -5, 10**7, float("nan"), Decimal("Infinity")):
        with pytest.raises(InvalidInput):
            parse_date_cell(value)


# --- small helpers --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "上海华通电子(集团)有限公司 31001234500050012345",
            ("上海华通电子(集团)有限公司", "31001234500050012345"),
        ),
        ("6217001234567890123/杭州精工机械有限公司", ("杭州精工机械有限公司", "6217001234567890123")),
        ("李秀英  6222****1234", ("李秀英", "6222****1234")),
        ("财付通支付科技有限公司", ("财付通支付科技有限公司", "")),
        ("12306 中国铁路", ("12306 中国铁路", "")),
        ("6228480012345678901", ("", "6228480012345678901")),
        ("  ", ("", "")),
    ],
)
def test_split_party(text: str, expected: tuple[str, str]) -> None:
    assert split_party(text) == expected


def test_clean_cell_and_cell_text() -> None:
    assert clean_cell("  2026080322001412345678901234\t") == "2026080322001412345678901234"
    assert clean_cell("\ufeff交易日期") == "交易日期"
    assert clean_cell('="0042"') == "0042"
    assert cell_text(512345678.0) == "512345678"
    assert cell_text(None) == ""
    assert cell_text(datetime(2026, 8, 1)) == "2026-08-01"
    assert cell_text(datetime(2026, 8, 1, 9, 5)) == "2026-08-01 09:05:00"
    with pytest.raises(InvalidInput, match="too long to be exact"):
        cell_text(4.2e27)


def test_profile_module_imports_nothing_heavy() -> None:
    import subprocess
    import sys

    code = (
        "import sys, arctl.importers.bank.cn, arctl.importers.bank.alipay, arctl.importers.bank.wechat\n"
        "print(sorted(m for m in ('openpyxl', 'xlrd', 'charset_normalizer', 'sqlalchemy', 'typer', 'rich') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_error_messages_have_the_documented_shape(tmp_path: Path) -> None:
    profile = Profile(name="f", date=("日期",), amount=("金额",))
    path = write(tmp_path, "日期,金额\n2026-08-01,abc\n")
    with pytest.raises(InvalidInput) as caught:
        ProfileReader(profile).extract(path)
    assert re.fullmatch(rf"{re.escape(str(path))}:2: 金额: 'abc' is not an amount .*", str(caught.value))
    assert (caught.value.file, caught.value.row, caught.value.field) == (str(path), 2, "金额")


@given(st.integers(min_value=-(10**15) + 1, max_value=10**15 - 1), st.booleans())
def test_the_plain_amount_fast_path_agrees_with_the_general_parser(minor: int, grouped: bool) -> None:
    from arctl.domain.money import format_amount, parse_amount
    from arctl.importers.bank.profile import _plain_amount

    text = format_amount(minor, "CNY", grouping=grouped)
    assert _plain_amount(text, "CNY") == parse_amount(text, "CNY", allow_negative=True)
    assert _plain_amount(text, "JPY") is None  # other exponents take the general path
