"""arctl.importers.bank.mt940: MT940 files from several banks' dialects in, exact BankLines out."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arctl.domain.errors import InvalidInput
from arctl.importers.bank.base import BankLine, Statement
from arctl.importers.bank.mt940 import READER, Details, entry_date, parse_details, swift_amount, swift_date

DATA = Path(__file__).parents[2] / "data" / "bank" / "mt940"


def read(name: str) -> list[Statement]:
    return READER.extract(DATA / name)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "bank.sta"
    path.write_text(text, encoding="ascii")
    return path


def statement(*body: str, opening: str = ":60F:C260301EUR1000,00", closing: str = ":62F:C260301EUR1000,00") -> str:
    return "\n".join([":20:TEST", ":25:NL91RABO0315273637", ":28C:00001", opening, *body, closing, ""])


def refused(path: Path) -> InvalidInput:
    with pytest.raises(InvalidInput) as info:
        READER.extract(path)
    assert info.value.file == str(path)
    return info.value


# --- the sample files -------------------------------------------------------------------------------------


def test_abn_amro_free_text_details_and_credit_reversal():
    [stmt] = read("abn_amro_free.sta")
    assert (stmt.format, stmt.account, stmt.currency, stmt.statement_ref, stmt.encoding) == (
        "mt940",
        "417164300",
        "EUR",
        "ABN AMRO BANK NV/12001/1",
        "utf-8",
    )
    assert (stmt.opening_minor, stmt.closing_minor) == (2543017, 2531177)
    assert stmt.lines == (
        BankLine(
            line=8,  # the :61: line, after the bank's 3-line preamble
            booked_on=date(2026, 3, 3),
            value_on=date(2026, 3, 3),
            amount_minor=425000,
            currency="EUR",
            memo="GIRO 7153225 ROSSI COMPONENTI SRL MILANO INV-2026-0042 INV-2026-0051",
            kind="N654",
        ),
        BankLine(
            line=11,
            booked_on=date(2026, 3, 4),
            value_on=date(2026, 3, 4),
            amount_minor=-11840,
            currency="EUR",
            memo="BEA NR:XXX1234 04.03.26/10.12 SHELL ROTTERDAM,PAS123",
            kind="N422",
        ),
        BankLine(
            line=13,
            booked_on=date(2026, 3, 5),
            value_on=date(2026, 3, 5),
            amount_minor=-425000,  # RC: the credit of 3 March taken back
            currency="EUR",
            memo="TERUGBOEKING GIRO 7153225 ROSSI COMPONENTI SRL INV-2026-0042 REDEN: ONJUISTE BEGUNSTIGDE",
            bank_ref="R26030500001",
            kind="N654",
        ),
    )
    assert stmt.opening_minor + sum(ln.amount_minor for ln in stmt.lines) == stmt.closing_minor


def test_german_structured_subfields_cp1252():
    [stmt] = read("german_structured_cp1252.sta")
    assert (stmt.account, stmt.statement_ref, stmt.encoding) == (
        "37040044/0532013000",
        "STARTUMSE/00042/001",
        "cp1252",
    )
    assert (stmt.opening_minor, stmt.closing_minor) == (1825000, 2172010)
    assert stmt.lines == (
        BankLine(
            line=5,
            booked_on=date(2026, 3, 2),  # entry date 0302: booked on Monday
            value_on=date(2026, 2, 27),
            amount_minor=356000,
            currency="EUR",
            # ?32 is full (27 characters), so ?33 continues the word; ?21 is not, so ?22 is a new word.
            payer_name="Brandt und Söhne Werkzeugbau GmbH",
            payer_account="DE89370400440532013000",
            memo="INV-2026-0042 Lieferung 02/2026 | E2E-BSW-20260227-01",
            kind="SEPA-GUTSCHRIFT",
        ),
        BankLine(
            line=9,
            booked_on=date(2026, 2, 28),
            value_on=date(2026, 2, 28),
            amount_minor=-8990,
            currency="EUR",
            payer_name="Telekom Deutschland GmbH",
            payer_account="DE02120300000000202051",
            memo="Telekom Rechnung 02/2026 Kd-Nr 4711",  # EREF+NOTPROVIDED left out
            bank_ref="B5C28HM4LX0002",
            kind="SEPA-BASISLASTSCHRIFT",
        ),
    )


def test_dutch_structured_keys():
    [stmt] = read("rabobank_structured.sta")
    assert [(ln.payer_name, ln.payer_account, ln.memo, ln.kind, ln.amount_minor) for ln in stmt.lines] == [
        ("VAN DER BERG LOGISTIEK B.V.", "NL44RABO0123456789", "INV-2026-0042 INV-2026-0047", "SEPA OVERBOEKING", 181500),
        ("Nordic Pump AB", "", "INV-2026-0061 | E2E-NPAB-7781", "N541", 499999),
        ("KPN B.V.", "NL13INGB0000000001", "Factuur 02-2026 | KPN-F-20260301", "SEPA INCASSO ALGEMEEN DOORLOPEND", -4537),
    ]  # fmt: skip
    assert (stmt.opening_minor, stmt.closing_minor, stmt.statement_ref) == (1050000, 1726962, "940S260305/00065")


def test_swift_envelope_two_statements_two_currencies_across_new_year():
    eur, usd = read("envelope_two_statements.sta")
    assert (eur.currency, eur.account, eur.opening_minor, eur.closing_minor) == (
        "EUR",
        "DE89370400440532013000",
        500000,
        1298750,
    )
    assert (usd.currency, usd.account, usd.opening_minor, usd.closing_minor) == (
        "USD",
        "DE89370400440532013001",
        200000,
        320000,
    )
    credit, fee = eur.lines
    # Value date 31 Dec 2026, entry 0102: booked on 2 Jan 2027, not 2 Jan 2026.
    assert (credit.value_on, credit.booked_on, credit.amount_minor) == (
        date(2026, 12, 31),
        date(2027, 1, 2),
        800000,
    )
    assert (credit.payer_name, credit.memo, credit.bank_ref) == (
        "Rossi Componenti S.r.l.",
        "INV-2026-0099",
        "DB261231000001",
    )
    assert (fee.booked_on, fee.amount_minor, fee.kind, fee.memo) == (
        date(2026, 12, 31),
        -1250,
        "ENTGELT",
        "Kontofuehrung 12/2026",
    )
    debit, reversal, wire = usd.lines
    # Value date 2 Jan 2027, entry 1231: booked on 31 Dec 2026.
    assert (debit.value_on, debit.booked_on, debit.amount_minor) == (date(2027, 1, 2), date(2026, 12, 31), -25000)
    assert (reversal.amount_minor, reversal.bank_ref) == (25000, "DB270102000008")  # RD: the debit comes back
    assert (wire.line, wire.amount_minor, wire.bank_ref, wire.memo) == (
        21,
        120000,
        "",  # no //bank reference: nothing invented
        "INV-2026-0101 WIRE FROM NINGBO HAITIAN TRADING CO LTD",
    )  # fmt: skip


def test_unbalanced_statement_reports_both_balances_as_written():
    [stmt] = read("unbalanced.sta")
    assert (stmt.opening_minor, stmt.closing_minor) == (100000, 140000)
    assert [ln.amount_minor for ln in stmt.lines] == [50000, -20000]
    # The reader does not balance-check (that is done elsewhere); it must report the numbers exactly.
    assert stmt.opening_minor + sum(ln.amount_minor for ln in stmt.lines) == 130000 != stmt.closing_minor


def test_truncated_file_is_refused():
    path = DATA / "truncated.sta"
    err = refused(path)
    assert (err.row, err.field) == (10, ":62F:")  # the last :86: it got to; nothing imported
    assert "truncated" in err.reason


def test_identify():
    for name in ("abn_amro_free.sta", "german_structured_cp1252.sta", "envelope_two_statements.sta"):
        head = (DATA / name).read_bytes()[:8192].decode("latin-1")
        assert READER.identify(DATA / name, head), name
    assert not READER.identify(Path("a.ofx"), "OFXHEADER:100\nDATA:OFXSGML\n<OFX>")
    assert not READER.identify(Path("a.csv"), "date,amount\n:20: in a cell\n")


# --- bad input --------------------------------------------------------------------------------------------


def test_thousands_dot_in_a_balance_is_refused_not_read_as_one_euro(tmp_path: Path):
    # mt-940 alone parses this balance as 1.00 EUR (its pattern stops at the dot).
    path = write(tmp_path, statement(opening=":60F:C260301EUR1.000,00"))
    err = refused(path)
    assert (err.row, err.field) == (4, ":60F:")


def test_bad_statement_line_amount_is_located(tmp_path: Path):
    path = write(tmp_path, statement(":61:2603010301C1.000,00NTRFNONREF", ":86:x"))
    err = refused(path)
    assert (err.row, err.field) == (5, ":61:")
    assert str(err).startswith(f"{path}:5: :61:: ")


def test_bad_value_date_is_refused(tmp_path: Path):
    err = refused(write(tmp_path, statement(":61:2613010301C10,00NTRFNONREF")))
    assert (err.row, err.field) == (5, ":61:")
    assert "calendar date" in err.reason


def test_bad_entry_date_is_refused(tmp_path: Path):
    err = refused(write(tmp_path, statement(":61:2603011340C10,00NTRFNONREF")))
    assert (err.row, err.field) == (5, ":61:")


def test_more_decimals_than_the_currency_has(tmp_path: Path):
    err = refused(write(tmp_path, statement(":61:2603010301C10,001NTRFNONREF")))
    assert (err.row, err.field) == (5, ":61:")
    assert "decimal" in err.reason
    yen = statement(opening=":60F:C260301JPY1000,5", closing=":62F:C260301JPY1000,")
    assert refused(write(tmp_path, yen)).field == ":60F:"


def test_yen_statement_without_decimals(tmp_path: Path):
    text = statement(
        ":61:2603010301C1500,NTRFNONREF", opening=":60F:C260301JPY1000,", closing=":62F:C260301JPY2500,"
    )
    [stmt] = READER.extract(write(tmp_path, text))
    assert (stmt.opening_minor, stmt.lines[0].amount_minor, stmt.closing_minor) == (1000, 1500, 2500)


def test_debit_balances_are_negative(tmp_path: Path):
    text = statement(
        ":61:2603010301D50,00NTRFNONREF", opening=":60F:D260301EUR100,00", closing=":62F:D260301EUR150,00"
    )
    [stmt] = READER.extract(write(tmp_path, text))
    assert (stmt.opening_minor, stmt.lines[0].amount_minor, stmt.closing_minor) == (-10000, -5000, -15000)


def test_unknown_currency(tmp_path: Path):
    err = refused(write(tmp_path, statement(opening=":60F:C260301XYZ1000,00")))
    assert (err.row, err.field) == (4, ":60F:")
    assert "XYZ" in err.reason


def test_closing_in_another_currency(tmp_path: Path):
    err = refused(write(tmp_path, statement(closing=":62F:C260301USD1000,00")))
    assert (err.row, err.field) == (5, ":62F:")


def test_missing_account_or_opening_balance(tmp_path: Path):
    assert refused(write(tmp_path, statement().replace(":25:NL91RABO0315273637\n", ""))).field == ":25:"
    assert refused(write(tmp_path, statement(opening=":NS:22x"))).field == ":60F:"


def test_library_failure_is_wrapped_and_located(tmp_path: Path):
    err = refused(write(tmp_path, statement().replace(":28C:00001", ":28C:ABC")))
    assert (err.row, err.field) == (3, ":28C:")
    assert "does not match" in err.reason


def test_not_an_mt940_file(tmp_path: Path):
    assert "not an MT940" in refused(write(tmp_path, "date,amount\n2026-03-01,5\n")).reason


def test_bytes_valid_in_no_expected_encoding(tmp_path: Path):
    path = tmp_path / "bank.sta"
    path.write_bytes(statement(":61:2603010301C10,00NTRFNONREF", ":86:Caf\x81").encode("latin-1"))
    err = refused(path)
    assert err.row == 6
    assert "cp1252" in err.reason


def test_statement_level_86_is_not_glued_to_the_last_line(tmp_path: Path):
    text = statement(":61:2603010301C10,00NTRFNONREF", ":86:/REMI/INV-2026-0042") + ":86:/SUM/1/0/10,00/0,00/\n"
    [stmt] = READER.extract(write(tmp_path, text.replace(":62F:C260301EUR1000,00", ":62F:C260301EUR1010,00")))
    assert stmt.lines[0].memo == "INV-2026-0042"


def test_caller_encoding_is_used(tmp_path: Path):
    path = tmp_path / "bank.sta"
    path.write_bytes(statement(":61:2603010301C10,00NTRFNONREF", ":86:/NAME/Müller AG").encode("latin-1"))
    [stmt] = READER.extract(path, encoding="latin-1")
    assert (stmt.encoding, stmt.lines[0].payer_name) == ("latin-1", "Müller AG")


# --- :86: details -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", Details()),
        ("Payment INV-2026-0042\n  thank   you", Details(memo="Payment INV-2026-0042 thank you")),
        (
            "166?00GUTSCHRIFT?20INV-2026-0042?32杭州精工机械有限公司",
            Details(payer_name="杭州精工机械有限公司", memo="INV-2026-0042", kind="GUTSCHRIFT"),
        ),
        (
            "166?00SEPA-GUTSCHRIFT?20EREF+NOTPROVIDED?21KREF+INV-2026-0042?22SVWZ+Zahlung?30BYLADEM1001?31DE02"
            "120300000000202051?32Hangzhou Jinggong Machinery?33 Co Ltd",
            Details(
                payer_name="Hangzhou Jinggong Machinery Co Ltd",
                payer_account="DE02120300000000202051",
                memo="Zahlung | INV-2026-0042",
                kind="SEPA-GUTSCHRIFT",
            ),
        ),
        (
            "/TRTP/SEPA OVERBOEKING/IBAN/NL44RABO0123456789/BIC/RABONL2U/NAME/Rossi Componenti S.r.l./REMI/STRD/"
            "CUR/RF18INV20260042/EREF/NOTPROVIDED",
            Details(
                payer_name="Rossi Componenti S.r.l.",
                payer_account="NL44RABO0123456789",
                memo="RF18INV20260042",
                kind="SEPA OVERBOEKING",
            ),
        ),
    ],
)
def test_parse_details(text: str, expected: Details):
    assert parse_details(text) == expected


# --- field parsers, by property ---------------------------------------------------------------------------

minor_units = st.integers(min_value=0, max_value=10**13 - 1)


@settings(max_examples=300, deadline=None)
@given(minor=minor_units, currency=st.sampled_from(["EUR", "JPY", "KWD"]), trailing_comma=st.booleans())
def test_swift_amount_round_trips(minor: int, currency: str, trailing_comma: bool):
    places = {"EUR": 2, "JPY": 0, "KWD": 3}[currency]
    whole, frac = divmod(minor, 10**places)
    text = f"{whole},{frac:0{places}d}" if places else (f"{whole}," if trailing_comma else str(whole))
    result = swift_amount(text, currency)
    assert type(result) is int and result == minor


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789,.-+ eE", max_size=18))
def test_swift_amount_is_exact_or_refused(text: str):
    try:
        result = swift_amount(text, "EUR")
    except InvalidInput:
        return
    assert type(result) is int
    whole, _, frac = text.strip().partition(",")
    assert result == int(whole) * 100 + int((frac or "0").ljust(2, "0"))  # never rounded, never float
    assert len(frac) <= 2


@settings(max_examples=300, deadline=None)
@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)))
def test_swift_date_round_trips(day: date):
    assert swift_date(f"{day:%y%m%d}") == day


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=8))
def test_swift_date_refuses_garbage(text: str):
    try:
        result = swift_date(text)
    except InvalidInput:
        return
    assert f"{result:%y%m%d}" == text


@settings(max_examples=300, deadline=None)
@given(value_on=st.dates(min_value=date(2001, 1, 1), max_value=date(2098, 12, 31)), days=st.integers(-150, 150))
def test_entry_date_takes_the_year_nearest_the_value_date(value_on: date, days: int):
    booked = value_on + timedelta(days=days)
    assert entry_date(value_on, f"{booked:%m%d}") == booked


def test_entry_date_refuses_impossible_days():
    for bad in ("1340", "0230", "02", "ab12"):
        with pytest.raises(InvalidInput):
            entry_date(date(2026, 3, 1), bad)
    assert entry_date(date(2028, 3, 1), "0229") == date(2028, 2, 29)
