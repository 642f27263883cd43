"""arctl.importers.bank.camt: CAMT.053 (any version) in, one BankLine per transaction out; hostile XML refused."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arctl.domain.errors import InvalidInput
from arctl.importers.bank.base import BankLine, Statement
from arctl.importers.bank.camt import READER, camt_amount, camt_date

DATA = Path(__file__).parents[2] / "data" / "bank" / "camt053"
NS = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.13"


def read(name: str) -> list[Statement]:
    return READER.extract(DATA / name)


def refused(path: Path) -> InvalidInput:
    with pytest.raises(InvalidInput) as info:
        READER.extract(path)
    assert info.value.file == str(path)
    return info.value


def camt(tmp_path: Path, entries: str, *, acct: str = "<Ccy>EUR</Ccy>", balances: str = "", ns: str = NS) -> Path:
    path = tmp_path / "stmt.xml"
    path.write_text(
        f'<?xml version="1.0" encoding="UTF-8"?>\n<Document xmlns="{ns}">\n<BkToCstmrStmt>\n<Stmt>\n<Id>S1</Id>\n'
        f"<Acct><Id><IBAN>DE89370400440532013000</IBAN></Id>{acct}</Acct>\n{balances}{entries}"
        "</Stmt>\n</BkToCstmrStmt>\n</Document>\n",
        encoding="utf-8",
    )
    return path


def ntry(
    amount: str = "10.00", *, ccy: str = "EUR", ind: str = "CRDT", sts: str = "<Sts>BOOK</Sts>", extra: str = ""
) -> str:
    return (
        f'<Ntry>\n<Amt Ccy="{ccy}">{amount}</Amt>\n<CdtDbtInd>{ind}</CdtDbtInd>\n{sts}\n'
        f"<BookgDt><Dt>2026-03-02</Dt></BookgDt>\n{extra}</Ntry>\n"
    )


# --- the sample files -------------------------------------------------------------------------------------


def test_v02_statement_lines_balances_and_flags():
    [stmt] = read("statement_v02.xml")
    assert (stmt.format, stmt.account, stmt.currency, stmt.statement_ref, stmt.encoding, stmt.notes) == (
        "camt053",
        "DE89370400440532013000",
        "EUR",
        "STMT-2026-03-05-001",
        "utf-8",
        (),
    )
    assert (stmt.opening_minor, stmt.closing_minor) == (5000000, 6882500)
    batch = dict(booked_on=date(2026, 3, 3), value_on=date(2026, 3, 3), currency="EUR", kind="PMNT/RCDT/ESCT")
    assert stmt.lines == (
        BankLine(
            line=1,
            booked_on=date(2026, 3, 2),
            value_on=date(2026, 3, 2),
            amount_minor=1250000,
            currency="EUR",
            payer_name="Brandt & Söhne Werkzeuge GmbH",
            payer_account="DE02120300000000202051",
            memo="INV-2026-0042 | E2E-BSW-20260302-01",
            bank_ref="2026030200012345",
            kind="PMNT/RCDT/ESCT",
        ),
        # One booked batch of 7,350.00 → three lines, one per payer, refs made unique by index.
        BankLine(
            line=2,
            amount_minor=420000,
            payer_name="杭州精工机械有限公司",
            payer_account="1202021709900123456",
            memo="货款 INV-2026-0044",  # EndToEndId NOTPROVIDED left out
            bank_ref="BATCH-20260303-77/1",
            **batch,
        ),
        BankLine(
            line=3,
            amount_minor=185000,
            payer_name="Rossi Componenti S.r.l.",
            payer_account="IT60X0542811101000000123456",
            memo="INV-2026-0051 | ROSSI-PAY-0311",  # Strd/CdtrRefInf/Ref
            bank_ref="BATCH-20260303-77/2",
            **batch,
        ),
        BankLine(
            line=4,
            amount_minor=130000,
            payer_name="Nordic Pump AB",
            payer_account="SE4550000000058398257466",
            memo="Partial payment | balance follows in April | INV-2026-0055 | NPAB-2026-0305",
            bank_ref="BATCH-20260303-77/3",
            **batch,
        ),
        BankLine(  # an entry without TxDtls: the bank's own text is the memo
            line=5,
            booked_on=date(2026, 3, 4),
            value_on=date(2026, 3, 4),
            amount_minor=-4500,
            currency="EUR",
            memo="Kontoführungsgebühr 02/2026",
            bank_ref="2026030400000001",
            kind="ACMT/MDOP/CHRG",
        ),
        BankLine(  # RvslInd: a credit taken back
            line=6,
            booked_on=date(2026, 3, 5),
            value_on=date(2026, 3, 5),
            amount_minor=-98000,
            currency="EUR",
            payer_name="Société Lyonnaise d'Outillage",
            memo="INV-2026-0038 | SLO-20260228-4",
            bank_ref="2026030500000777",
            kind="PMNT/RCDT/RRTN",
        ),
        BankLine(  # pending: listed, never counted; no booking date yet, so the value date
            line=7,
            booked_on=date(2026, 3, 6),
            value_on=date(2026, 3, 6),
            amount_minor=200000,
            currency="EUR",
            payer_name="Van der Berg Logistiek B.V.",
            memo="INV-2026-0063",
            counted=False,
            kind="PMNT/RCDT/ESCT",
        ),
    )
    counted = sum(ln.amount_minor for ln in stmt.lines if ln.counted)
    assert stmt.opening_minor + counted == stmt.closing_minor


def test_v08_multi_statement_no_account_currency_party_choice_and_debit_balance():
    cny, usd = read("multi_statement_v08.xml")
    assert (cny.account, cny.currency, cny.statement_ref, cny.opening_minor, cny.closing_minor) == (
        "1202021709900123456",
        "CNY",  # no Acct/Ccy: from the amounts
        "CN-2026-03-STMT-01",
        -100000,  # OPBD DBIT: overdrawn
        8500000,
    )
    assert cny.lines == (
        BankLine(
            line=1,
            booked_on=date(2026, 3, 11),  # BookgDt/DtTm: its date part, not shifted to UTC
            value_on=date(2026, 3, 11),
            amount_minor=8600000,
            currency="CNY",
            payer_name="杭州精工机械有限公司",  # Dbtr/Pty/Nm (v08)
            payer_account="33050161746000000123",
            memo="INV-2026-0042 | HZJG-20260310-88",
            bank_ref="CN20260311000123-01",  # the TxDtls' own AcctSvcrRef wins
            kind="PMNT/RCDT/DMCT",
        ),
    )
    assert (usd.currency, usd.opening_minor, usd.closing_minor) == ("USD", 1000000, 1449999)  # PRCD as opening
    credit, debit = usd.lines
    assert (credit.line, credit.booked_on, credit.value_on, credit.amount_minor, credit.memo) == (
        2,
        date(2026, 3, 11),
        date(2026, 3, 12),
        499999,
        "INV-2026-0061",
    )
    # On a debit the counterparty is the creditor, not ourselves (the Dbtr).
    assert (debit.amount_minor, debit.payer_name, debit.payer_account) == (
        -50000,
        "深圳顺达物流有限公司",
        "4000023409200112233",
    )


@pytest.mark.parametrize("name", ["xxe.xml", "billion_laughs.xml"])
def test_dtd_documents_are_refused(name: str):
    err = refused(DATA / name)
    assert (err.row, err.field) == (2, "DOCTYPE")
    assert "refused for safety" in err.reason


def test_truncated_xml_is_refused_with_its_line():
    err = refused(DATA / "truncated.xml")
    assert err.row == 103
    assert "truncated" in err.reason


def test_identify():
    for name in ("statement_v02.xml", "multi_statement_v08.xml"):
        assert READER.identify(DATA / name, (DATA / name).read_text("utf-8")[:8192])
    assert not READER.identify(Path("a.xml"), '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.052.001.08">')
    assert not READER.identify(Path("a.ofx"), "OFXHEADER:100\n<OFX>")


# --- versions, shapes and bad input ----------------------------------------------------------------------


def test_namespace_agnostic_including_no_namespace(tmp_path: Path):
    for ns in (NS, "urn:iso:std:iso:20022:tech:xsd:camt.053.001.04", ""):
        [stmt] = READER.extract(camt(tmp_path, ntry(), ns=ns))
        assert stmt.lines[0].amount_minor == 1000


def test_status_code_form_and_reversed_debit(tmp_path: Path):
    entries = ntry("5.00", ind="DBIT", sts="<Sts><Cd>BOOK</Cd></Sts>", extra="<RvslInd>true</RvslInd>\n")
    [stmt] = READER.extract(camt(tmp_path, entries))
    # ISO 20022: CdtDbtInd is the direction of this booking; RvslInd only says it takes an earlier one back
    assert (stmt.lines[0].amount_minor, stmt.lines[0].counted) == (-500, True)


def test_batch_with_shared_and_own_references(tmp_path: Path):
    tx = '<TxDtls><Refs>{ref}</Refs><Amt Ccy="EUR">{amt}</Amt></TxDtls>'
    details = (
        "<NtryDtls>"
        + "".join(
            tx.format(ref=ref, amt=amt)
            for ref, amt in [("<AcctSvcrRef>A-1</AcctSvcrRef>", "1.00"), ("", "2.00"), ("", "3.00")]
        )
        + "</NtryDtls>"
    )
    [stmt] = READER.extract(camt(tmp_path, ntry("6.00", extra="<AcctSvcrRef>B</AcctSvcrRef>" + details)))
    assert [(ln.bank_ref, ln.amount_minor) for ln in stmt.lines] == [("A-1", 100), ("B/2", 200), ("B/3", 300)]
    assert stmt.notes == ()


def test_batch_that_does_not_add_up_is_noted(tmp_path: Path):
    tx = '<TxDtls><Amt Ccy="EUR">{}</Amt></TxDtls>'
    details = "<NtryDtls>" + tx.format("1.00") + tx.format("2.00") + "</NtryDtls>"
    [stmt] = READER.extract(camt(tmp_path, ntry("2.50", extra=details)))
    assert [ln.amount_minor for ln in stmt.lines] == [100, 200]
    [note] = stmt.notes
    assert "add up to 3.00 EUR, the entry booked 2.50" in note


def test_batch_transaction_without_amount_is_refused(tmp_path: Path):
    details = "<NtryDtls><TxDtls><Amt Ccy='EUR'>1.00</Amt></TxDtls><TxDtls><Refs/></TxDtls></NtryDtls>"
    path = camt(tmp_path, ntry("2.00", extra=details))
    err = refused(path)
    assert (err.row, err.field) == (12, "TxDtls/Amt")  # the NtryDtls line


@pytest.mark.parametrize("amount", ["-10.00", "1,000.00", "1e3", "NaN", "", "10.001"])
def test_bad_amounts_are_refused_with_line(tmp_path: Path, amount: str):
    err = refused(camt(tmp_path, ntry(amount)))
    assert (err.row, err.field) == (8, "Ntry/Amt")


def test_amount_in_another_currency_is_refused(tmp_path: Path):
    err = refused(camt(tmp_path, ntry(ccy="USD")))
    assert (err.row, err.field) == (8, "Ntry/Amt")
    assert "USD" in err.reason


def test_yen_statement(tmp_path: Path):
    [stmt] = READER.extract(camt(tmp_path, ntry("1500", ccy="JPY"), acct="<Ccy>JPY</Ccy>"))
    assert (stmt.currency, stmt.lines[0].amount_minor) == ("JPY", 1500)
    assert refused(camt(tmp_path, ntry("1500.5", ccy="JPY"), acct="<Ccy>JPY</Ccy>")).field == "Ntry/Amt"


def test_bad_indicator_status_and_date(tmp_path: Path):
    assert refused(camt(tmp_path, ntry(ind="CR"))).field == "CdtDbtInd"
    assert refused(camt(tmp_path, ntry(sts="<Sts>DONE</Sts>"))).field == "Sts"
    bad_date = ntry().replace("2026-03-02", "2026-02-30")
    err = refused(camt(tmp_path, bad_date))
    assert (err.row, err.field) == (11, "BookgDt")


def test_entry_without_dates_or_currency(tmp_path: Path):
    undated = ntry().replace("<BookgDt><Dt>2026-03-02</Dt></BookgDt>\n", "")
    assert refused(camt(tmp_path, undated)).field == "BookgDt"
    assert refused(camt(tmp_path, "", acct="")).field == "Ccy"


def test_debit_balance_and_unknown_balance_types(tmp_path: Path):
    bal = (
        '<Bal><Tp><CdOrPrtry><Cd>{}</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">{}</Amt><CdtDbtInd>{}</CdtDbtInd></Bal>\n'
    )
    balances = (
        bal.format("ITBD", "9.99", "CRDT")
        + bal.format("PRCD", "20.00", "DBIT")
        + bal.format("CLBD", "10.00", "DBIT")
    )
    [stmt] = READER.extract(camt(tmp_path, ntry(), balances=balances))
    assert (stmt.opening_minor, stmt.closing_minor) == (-2000, -1000)


@pytest.mark.parametrize(
    ("root", "message"),
    [
        (
            '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.052.001.08"><BkToCstmrAcctRpt/></Document>',
            "camt.052",
        ),
        (
            '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08"><BkToCstmrDbtCdtNtfctn/></Document>',
            "camt.054",
        ),
        (
            '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"><CstmrCdtTrfInitn/></Document>',
            "not a camt.053",
        ),
        ("<OFX><BANKMSGSRSV1/></OFX>", "not an ISO 20022"),
        (f'<Document xmlns="{NS}"><BkToCstmrStmt><GrpHdr/></BkToCstmrStmt></Document>', "no statement"),
    ],
)
def test_other_documents_are_refused_clearly(tmp_path: Path, root: str, message: str):
    path = tmp_path / "x.xml"
    path.write_text(root)
    assert message in refused(path).reason


def test_utf16_doctype_is_refused_too(tmp_path: Path):
    path = tmp_path / "x.xml"
    text = '<?xml version="1.0" encoding="UTF-16"?>\n<!DOCTYPE Document [<!ENTITY a "b">]>\n<Document/>'
    path.write_bytes(text.encode("utf-16"))
    assert refused(path).field == "DOCTYPE"


def test_caller_encoding_overrides_the_declaration(tmp_path: Path):
    path = camt(tmp_path, ntry(extra="<AddtlNtryInf>Gebühr</AddtlNtryInf>"))
    path.write_bytes(path.read_text("utf-8").encode("latin-1"))  # declared UTF-8, really Latin-1
    assert "not well-formed" in refused(path).reason
    [stmt] = READER.extract(path, encoding="latin-1")
    assert (stmt.lines[0].memo, stmt.encoding) == ("Gebühr", "latin-1")


# --- value parsers, by property -----------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(minor=st.integers(0, 10**13 - 1), currency=st.sampled_from(["EUR", "JPY", "KWD"]))
def test_camt_amount_round_trips(minor: int, currency: str):
    places = {"EUR": 2, "JPY": 0, "KWD": 3}[currency]
    whole, frac = divmod(minor, 10**places)
    text = f"{whole}.{frac:0{places}d}" if places else str(whole)
    result = camt_amount(text, currency)
    assert type(result) is int and result == minor


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789.,-+eE n", max_size=20))
def test_camt_amount_is_exact_or_refused(text: str):
    try:
        result = camt_amount(text, "EUR")
    except InvalidInput:
        return
    whole, _, frac = text.strip().partition(".")
    assert type(result) is int and len(frac) <= 2
    assert result == int(whole) * 100 + int(frac.ljust(2, "0") or "0")


@settings(max_examples=200, deadline=None)
@given(
    day=st.dates(min_value=date(1990, 1, 1), max_value=date(2099, 12, 31)),
    tz=st.sampled_from(["", "Z", "+08:00", "-05:00"]),
)
def test_camt_date_keeps_the_written_day(day: date, tz: str):
    assert camt_date(day.isoformat()) == day
    assert camt_date(f"{day.isoformat()}T23:59:59{tz}") == day
