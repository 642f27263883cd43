"""arctl.importers.bank.ofx: real-shaped OFX/QFX files in, exact BankLines out; bad files refused with a place."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arctl.domain.errors import InvalidInput
from arctl.importers.bank.base import BankLine, Statement
from arctl.importers.bank.ofx import READER, parse_ofx_amount, parse_ofx_date

DATA = Path(__file__).parents[2] / "data" / "bank" / "ofx"
HEADER = (
    "OFXHEADER:100\r\nDATA:OFXSGML\r\nVERSION:102\r\nSECURITY:NONE\r\nENCODING:USASCII\r\nCHARSET:1252\r\n"
    "COMPRESSION:NONE\r\nOLDFILEUID:NONE\r\nNEWFILEUID:NONE\r\n\r\n"
)


def read(name: str, **kwargs: str) -> list[Statement]:
    return READER.extract(DATA / name, **kwargs)


def line_of(path: Path, needle: str, *, last: bool = False, encoding: str = "utf-8") -> int:
    text = path.read_bytes().decode(encoding)
    index = text.rindex(needle) if last else text.index(needle)
    return text.count("\n", 0, index) + 1


def sgml(tmp_path: Path, trns: str, *, curdef: str = "USD", tail: str = "") -> Path:
    """A one-account OFX 1.02 file around the given STMTTRN records."""
    body = (
        "<OFX>\r\n<BANKMSGSRSV1>\r\n<STMTTRNRS>\r\n<TRNUID>1\r\n<STMTRS>\r\n"
        + (f"<CURDEF>{curdef}\r\n" if curdef else "")
        + "<BANKACCTFROM>\r\n<BANKID>1\r\n<ACCTID>42\r\n<ACCTTYPE>CHECKING\r\n</BANKACCTFROM>\r\n"
        + "<BANKTRANLIST>\r\n"
        + trns.replace("\n", "\r\n")
        + "</BANKTRANLIST>\r\n</STMTRS>\r\n</STMTTRNRS>\r\n</BANKMSGSRSV1>\r\n"
        + tail
        + "</OFX>\r\n"
    )
    path = tmp_path / "bank.ofx"
    path.write_bytes((HEADER + body).encode("cp1252"))
    return path


def trn(amount: str = "10.00", posted: str = "20260302", fitid: str = "F1", name: str = "ACME") -> str:
    return (
        f"<STMTTRN>\n<TRNTYPE>CREDIT\n<DTPOSTED>{posted}\n<TRNAMT>{amount}\n<FITID>{fitid}\n<NAME>{name}\n"
        "</STMTTRN>\n"
    )


def refused(path: Path) -> InvalidInput:
    with pytest.raises(InvalidInput) as info:
        READER.extract(path)
    assert info.value.file == str(path)
    return info.value


# --- the sample files -------------------------------------------------------------------------------------


def test_sgml_102_cp1252_checking_account():
    [stmt] = read("checking_102_cp1252.ofx")
    assert (stmt.format, stmt.account, stmt.currency, stmt.encoding) == ("ofx", "4417829035", "USD", "cp1252")
    assert stmt.opening_minor is None  # OFX states no opening balance
    assert stmt.closing_minor == 4821033  # LEDGERBAL, not AVAILBAL
    assert stmt.lines == (
        BankLine(
            line=1,
            # 23:30 New York time: the bank's day is 2 March, whatever UTC says.
            booked_on=date(2026, 3, 2),
            amount_minor=1250000,
            currency="USD",
            payer_name="Société Lyonnaise d'Outillage",
            memo="WIRE IN INV-2026-0042 THANK YOU",
            bank_ref="2026030200000417",
            kind="CREDIT",
        ),
        BankLine(
            line=2,
            booked_on=date(2026, 3, 3),
            amount_minor=-238045,
            currency="USD",
            payer_name="Pacific Freight & Logistics",
            memo="ACH DEBIT FREIGHT FEB 2026",
            bank_ref="2026030300000588",
            kind="DEBIT",
        ),
        BankLine(
            line=3,
            booked_on=date(2026, 3, 4),
            amount_minor=-1500,  # written "-15,00": a decimal comma
            currency="USD",
            payer_name="SERVICE CHARGE",
            memo="INCOMING WIRE FEE",
            bank_ref="2026030400000012",
            kind="FEE",
        ),
    )


def test_ofx_211_xml_with_payee_aggregate_and_entities():
    [stmt] = read("statement_211.ofx")
    assert (stmt.account, stmt.currency, stmt.closing_minor, stmt.encoding) == (
        "DE89370400440532013000",
        "EUR",
        3187005,
        "utf-8",
    )
    first, second = stmt.lines
    assert (first.payer_name, first.amount_minor, first.memo) == (
        "Brandt & Söhne Werkzeuge GmbH",
        842050,
        "Rechnung INV-2026-0057",
    )
    assert first.booked_on == date(2026, 3, 6)
    assert (second.payer_name, second.amount_minor, second.kind, second.bank_ref) == (
        "Rossi Componenti S.r.l.",  # PAYEE/NAME
        -125000,
        "XFER",
        "DE-20260308-0002",
    )


def test_qfx_credit_card_with_intuit_bank_id():
    [stmt] = read("card.qfx")
    assert (stmt.account, stmt.currency, stmt.closing_minor) == ("4111111111111111", "USD", -9615)
    assert [(ln.booked_on, ln.amount_minor, ln.payer_name, ln.memo) for ln in stmt.lines] == [
        (date(2026, 3, 12), -41280, "ALIBABA.COM SINGAPORE", "Sample parts order"),
        (date(2026, 3, 20), 41280, "PAYMENT THANK YOU", ""),
    ]


def test_lying_header_utf8_body_is_read_as_utf8():
    [stmt] = read("lying_header_utf8.ofx")
    assert stmt.encoding == "utf-8"
    assert [(ln.payer_name, ln.memo, ln.amount_minor, ln.booked_on) for ln in stmt.lines] == [
        ("杭州精工机械有限公司", "货款 INV-2026-0042", 8600000, date(2026, 3, 11)),
        ("Müller Präzisionstechnik AG", "INV-2026-0049 Zahlung", 1523000, date(2026, 3, 13)),
    ]
    assert (stmt.currency, stmt.closing_minor) == ("CNY", 35211860)


def test_multi_account_file_gives_one_statement_per_account_in_file_order():
    stmts = read("multi_account.ofx")
    assert [(s.account, s.currency, s.closing_minor, len(s.lines)) for s in stmts] == [
        ("000123456789", "USD", 10499999, 1),
        ("000987654321", "EUR", None, 2),
        ("5500000000000004", "USD", None, 1),
    ]
    # FITIDs repeat across accounts; the record ordinal does not.
    assert [(ln.line, ln.bank_ref, ln.amount_minor) for s in stmts for ln in s.lines] == [
        (1, "1", 499999),
        (2, "1", 210000),
        (3, "2", 312),
        (4, "1", -5900),
    ]


def test_empty_transaction_list_is_a_statement_without_lines():
    [stmt] = read("empty_tranlist.ofx")
    assert (stmt.lines, stmt.closing_minor, stmt.account) == ((), 4821033, "4417829035")


def test_truncated_file_is_refused_not_half_imported():
    path = DATA / "truncated.ofx"
    err = refused(path)
    assert err.row == line_of(path, "<STMTTRN>", last=True, encoding="cp1252")
    assert err.field == "STMTTRN"
    assert "truncated" in err.reason


def test_explicit_encoding_wins():
    [stmt] = read("checking_102_cp1252.ofx", encoding="cp1252")
    assert stmt.encoding == "cp1252"
    assert stmt.lines[0].payer_name == "Société Lyonnaise d'Outillage"


def test_identify_sniffs_ofx_heads_only():
    for name in ("checking_102_cp1252.ofx", "statement_211.ofx", "card.qfx", "empty_tranlist.ofx"):
        head = (DATA / name).read_bytes()[:8192].decode("latin-1")
        assert READER.identify(DATA / name, head), name
    assert not READER.identify(Path("x.sta"), ":20:STARTUMSE\n:25:10020030/0123456789\n")
    assert not READER.identify(Path("x.csv"), "交易日期,摘要,对方户名,借方发生额,贷方发生额,余额\n")
    assert (READER.name, READER.description) == ("ofx", READER.description.strip())


# --- bad input --------------------------------------------------------------------------------------------


def test_bad_posting_date_names_line_and_tag(tmp_path: Path):
    path = sgml(tmp_path, trn() + trn(posted="2026-03-05", fitid="F2"))
    err = refused(path)
    assert (err.row, err.field) == (line_of(path, "2026-03-05"), "DTPOSTED")
    assert "not an OFX date" in err.reason
    assert str(err).startswith(f"{path}:{err.row}: DTPOSTED: ")


def test_impossible_calendar_date_is_refused(tmp_path: Path):
    err = refused(sgml(tmp_path, trn(posted="20260230")))
    assert err.field == "DTPOSTED"
    assert "calendar date" in err.reason


@pytest.mark.parametrize("amount", ["12.34.56", "1e5", "NaN", "12 345.00", "--5", "", "USD 5"])
def test_garbage_amount_is_refused(tmp_path: Path, amount: str):
    path = sgml(tmp_path, trn(amount=amount or "\n"))
    err = refused(path)
    assert err.field == "TRNAMT"


def test_more_decimals_than_the_currency_has_is_refused_not_rounded(tmp_path: Path):
    path = sgml(tmp_path, trn(amount="1500.5"), curdef="JPY")
    err = refused(path)
    assert (err.row, err.field) == (line_of(path, "<STMTTRN>"), "TRNAMT")
    assert "decimal" in err.reason
    path = sgml(tmp_path, trn(amount="10.005"))
    assert refused(path).field == "TRNAMT"


def test_yen_and_grouped_amounts_are_exact(tmp_path: Path):
    [stmt] = READER.extract(
        sgml(tmp_path, trn(amount="1500") + trn(amount="-1,234,567", fitid="F2"), curdef="JPY")
    )
    assert [ln.amount_minor for ln in stmt.lines] == [1500, -1234567]  # a JPY "1,234,567" has 3 groups
    [stmt] = READER.extract(sgml(tmp_path, trn(amount="1.234.567,89") + trn(amount="+0.01", fitid="F2")))
    assert [ln.amount_minor for ln in stmt.lines] == [123456789, 1]


def test_missing_fitid_is_located(tmp_path: Path):
    record = "<STMTTRN>\n<TRNTYPE>CREDIT\n<DTPOSTED>20260302\n<TRNAMT>5.00\n<NAME>X\n</STMTTRN>\n"
    path = sgml(tmp_path, trn() + record)
    err = refused(path)
    assert (err.row, err.field) == (line_of(path, "<STMTTRN>", last=True), "FITID")


def test_missing_currency_is_refused(tmp_path: Path):
    err = refused(sgml(tmp_path, trn(), curdef=""))
    assert err.field == "CURDEF"


def test_unknown_currency_is_refused(tmp_path: Path):
    err = refused(sgml(tmp_path, trn(), curdef="XYZ"))
    assert err.field == "CURDEF"
    assert "XYZ" in err.reason


def test_misnested_aggregates_are_refused(tmp_path: Path):
    path = sgml(tmp_path, "<STMTTRN>\n<TRNTYPE>CREDIT\n<DTPOSTED>20260302\n<TRNAMT>5.00\n<FITID>1\n")
    err = refused(path)
    assert err.field == "STMTTRN"
    assert "not closed before </BANKTRANLIST>" in err.reason


def test_stray_end_tag_is_refused(tmp_path: Path):
    path = sgml(tmp_path, trn() + "</STMTTRN>\n")
    err = refused(path)
    assert (err.field, err.row) == ("STMTTRN", line_of(path, "</STMTTRN>", last=True))


def test_not_an_ofx_file(tmp_path: Path):
    path = tmp_path / "x.ofx"
    path.write_text(":20:STARTUMSE\n:25:10020030/0123456789\n")
    assert "not an OFX" in refused(path).reason


def test_investment_statements_are_refused_clearly(tmp_path: Path):
    path = tmp_path / "inv.ofx"
    path.write_text(HEADER + "<OFX><INVSTMTMSGSRSV1><INVSTMTTRNRS><INVSTMTRS><CURDEF>USD</INVSTMTRS>"
                    "</INVSTMTTRNRS></INVSTMTMSGSRSV1></OFX>")  # fmt: skip
    err = refused(path)
    assert err.field == "INVSTMTRS"
    assert "not supported" in err.reason


def test_bytes_valid_in_no_charset_are_refused_never_replaced(tmp_path: Path):
    path = tmp_path / "bad.ofx"
    path.write_bytes(HEADER.encode() + b"<OFX>\r\n<NAME>Caf\x81\r\n</OFX>\r\n")  # 0x81: undefined in cp1252
    err = refused(path)
    assert err.row == 12
    assert "cp1252" in err.reason


def test_unknown_header_charset_is_refused(tmp_path: Path):
    path = tmp_path / "bad.ofx"
    path.write_bytes(HEADER.replace("1252", "KLINGON").encode() + b"<OFX><NAME>\xff</OFX>")
    assert refused(path).field == "CHARSET"


def test_xml_self_closing_elements_and_comments_are_ignored(tmp_path: Path):
    record = (
        "<STMTTRN><TRNTYPE>CREDIT</TRNTYPE><DTPOSTED>20260302</DTPOSTED><TRNAMT>5.00</TRNAMT>"
        "<FITID>X1</FITID><NAME>Rossi Componenti S.r.l.</NAME><MEMO/><!-- bank note\nspanning lines --></STMTTRN>\n"
    )
    path = sgml(tmp_path, record + trn(posted="bad", fitid="X2"))
    assert refused(path).row == line_of(path, "<DTPOSTED>bad")  # line numbers survive the comment
    [stmt] = READER.extract(sgml(tmp_path, record))
    assert (stmt.lines[0].payer_name, stmt.lines[0].memo) == ("Rossi Componenti S.r.l.", "")


def test_investment_block_after_a_bank_statement_is_not_mixed_in(tmp_path: Path):
    invest = (
        "<INVSTMTMSGSRSV1><INVSTMTTRNRS><INVSTMTRS><CURDEF>USD<INVTRANLIST><INVBANKTRAN><STMTTRN>"
        "<TRNTYPE>CREDIT<DTPOSTED>20260303<TRNAMT>1.00<FITID>I1</STMTTRN></INVBANKTRAN></INVTRANLIST>"
        "</INVSTMTRS></INVSTMTTRNRS></INVSTMTMSGSRSV1>\r\n"
    )
    [stmt] = READER.extract(sgml(tmp_path, trn(), tail=invest))
    assert [ln.bank_ref for ln in stmt.lines] == ["F1"]


def test_library_failure_is_wrapped(tmp_path: Path):
    # A SONRS without CODE makes ofxparse call int(None): the user sees one line, not a traceback.
    path = sgml(tmp_path, trn(), tail="")
    text = path.read_bytes().decode("cp1252").replace("<OFX>", "<OFX>\r\n<SIGNONMSGSRSV1><SONRS><STATUS>"
                                                     "<SEVERITY>INFO</STATUS></SONRS></SIGNONMSGSRSV1>")  # fmt: skip
    path.write_bytes(text.encode("cp1252"))
    err = refused(path)
    assert "unreadable OFX" in err.reason


# --- the field parsers, by property ---------------------------------------------------------------------

dates = st.dates(min_value=date(1990, 1, 1), max_value=date(2099, 12, 31))


@settings(max_examples=300, deadline=None)
@given(
    day=dates,
    seconds=st.integers(0, 86399),
    style=st.sampled_from(["d", "dt", "dtm", "dtmz", "dtz", "dthm"]),
    offset=st.sampled_from(["-5:EST", "+8:CST", "0:GMT", "+5.30:IST", "-3.30", "+9"]),
)
def test_ofx_date_keeps_the_written_day_whatever_the_time_and_zone(
    day: date, seconds: int, style: str, offset: str
):
    moment = datetime.combine(day, datetime.min.time()) + timedelta(seconds=seconds)
    text = {
        "d": f"{moment:%Y%m%d}",
        "dt": f"{moment:%Y%m%d%H%M%S}",
        "dtm": f"{moment:%Y%m%d%H%M%S}.123",
        "dtmz": f"{moment:%Y%m%d%H%M%S}.000[{offset}]",
        "dtz": f"{moment:%Y%m%d%H%M%S}[{offset}]",
        "dthm": f"{moment:%Y%m%d%H%M}",
    }[style]
    assert parse_ofx_date(text) == day


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=30))
def test_ofx_date_refuses_garbage_with_invalid_input_only(text: str):
    try:
        result = parse_ofx_date(text)
    except InvalidInput:
        return
    assert isinstance(result, date)
    assert text.strip()[:8] == f"{result:%Y%m%d}"


minor_units = st.integers(min_value=-(10**13) + 1, max_value=10**13 - 1)


def written(minor: int, places: int, decimal_mark: str, group: str | None) -> str:
    sign, value = ("-" if minor < 0 else ""), abs(minor)
    whole, frac = divmod(value, 10**places)
    head = f"{whole:,}".replace(",", group) if group else str(whole)
    return f"{sign}{head}{decimal_mark}{frac:0{places}d}" if places else f"{sign}{head}"


@settings(max_examples=300, deadline=None)
@given(minor=minor_units, places=st.sampled_from([0, 2, 3]), style=st.sampled_from([".", ",", ".g", ",g"]))
def test_ofx_amount_round_trips_exactly(minor: int, places: int, style: str):
    mark = style[0]
    group = ("," if mark == "." else ".") if style.endswith("g") else None
    if places == 0 and group:
        group = None  # "1,234" without decimals means 1.234 in OFX: not a grouping we write
    text = written(minor, places, mark, group)
    value = parse_ofx_amount(text)
    assert isinstance(value, Decimal)
    assert value == Decimal(minor).scaleb(-places)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789.,+- eEnNaAIf", max_size=20))
def test_ofx_amount_is_exact_or_refused(text: str):
    try:
        value = parse_ofx_amount(text)
    except InvalidInput:
        return
    assert isinstance(value, Decimal) and value.is_finite()
    # Nothing dropped, nothing invented: the same significant digits as written.
    written_digits = "".join(ch for ch in text if ch.isdigit()).strip("0")
    assert "".join(map(str, value.normalize().as_tuple().digits)).strip("0") == written_digits
