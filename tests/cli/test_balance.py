"""arctl balance CUSTOMER --as-of D: exact for any past date, whatever happened later."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

# --- speed: build the click tree once, and seed ledgers from saved copies --------------------------

pytestmark = pytest.mark.usefixtures("_fast_cli")


@pytest.fixture
def history(ok, seeded):  # type: ignore[no-untyped-def]
    """Invoice INV-A 1000.00 in August, 400.00 paid in September, that payment unapplied in October."""

    def build() -> None:
        ok("customer", "add", "ACME", "Acme Trading Co.", "--terms", "net30")
        ok("invoice", "add", "ACME", "INV-A", "1000.00", "--date", "2026-08-05")
        ok("payment", "add", "ACME", "400.00", "--date", "2026-09-10")
        ok("invoice", "add", "ACME", "INV-M", "500.00", "--date", "2026-09-01", "--terms", "acceptance+30d")
        ok("invoice", "add", "ACME", "INV-X", "200.00", "--date", "2026-09-02")
        ok("invoice", "void", "INV-X", "--reason", "wrong customer", "--on", "2026-10-03")
        ok("payment", "unapply", "P1", "--on", "2026-10-05")
        ok("milestone", "record", "INV-M", "acceptance", "--on", "2026-10-01")

    seeded("history", build)
    return "ACME"


def balance(ok, as_of: str | None = None, *extra: str) -> dict:  # type: ignore[no-untyped-def]
    return json.loads(ok("balance", "ACME", "--format", "json", *(["--as-of", as_of] if as_of else []), *extra))


def open_items(doc: dict) -> dict[str, str]:
    return {f"{r['invoice']}:{r['seq']}": r["open"] for r in doc["rows"]}


def totals(doc: dict) -> dict[str, str]:
    return {r["invoice"]: r["open"] for r in doc["totals"]}


# --- as of a past date -----------------------------------------------------------------------------


def test_past_balance_is_byte_identical_after_later_activity(ok, history):
    args = ("balance", "ACME", "--as-of", "2026-09-30")
    saved = {fmt: ok(*args, "--format", fmt) for fmt in ("json", "csv", "table")}
    doc = json.loads(saved["json"])
    assert doc["as_of"] == "2026-09-30"
    assert open_items(doc) == {"INV-A:1": "600.00", "INV-X:1": "200.00", "INV-M:1": "500.00"}
    assert totals(doc) == {"Balance CNY": "1300.00"}
    # later activity: a payment dated 10-15 (auto-applied), an invoice dated 10-20, a credit, a write-off
    ok("payment", "add", "ACME", "300.00", "--date", "2026-10-15")
    ok("invoice", "add", "ACME", "INV-N", "250.00", "--date", "2026-10-20")
    ok("credit-note", "add", "ACME", "20", "--reason", "price", "--date", "2026-10-21", "--to", "INV-N")
    ok("write-off", "add", "INV-M", "--reason", "dispute", "--amount", "5", "--on", "2026-10-22")
    ok("payment", "reverse", "P1", "--reason", "bounced", "--on", "2026-10-25")
    for fmt, text in saved.items():
        assert ok(*args, "--format", fmt) == text, fmt
    assert ok(*args, "--format", "json") == saved["json"]  # and again: reading changes nothing
    assert ok("balance", "ACME", "--format", "json") != saved["json"]


def test_each_date_sees_its_own_state(ok, history):
    aug = balance(ok, "2026-08-31")
    assert open_items(aug) == {"INV-A:1": "1000.00"}  # nothing issued later appears
    sep = balance(ok, "2026-09-30")
    assert [r["state"] for r in sep["rows"] if r["invoice"] == "INV-M"] == ["pending"]  # acceptance on 10-01
    oct4 = balance(ok, "2026-10-04")
    assert "INV-X:1" not in open_items(oct4)  # voided on 10-03
    assert open_items(oct4)["INV-A:1"] == "600.00"
    m = next(r for r in oct4["rows"] if r["invoice"] == "INV-M")
    assert (m["state"], m["due"], m["days_late"]) == ("current", "2026-10-31", -27)
    oct5 = balance(ok, "2026-10-05")  # the 400.00 was unapplied on 10-05
    assert open_items(oct5)["INV-A:1"] == "1000.00"
    assert totals(oct5) == {"Unapplied CNY": "-400.00", "Balance CNY": "1100.00"}
    assert balance(ok, "2026-07-31")["rows"] == []


def test_invoices_issued_after_the_date_do_not_appear(ok, history):
    ok("invoice", "add", "ACME", "INV-N", "250.00", "--date", "2026-10-20")
    assert "INV-N:1" not in open_items(balance(ok, "2026-10-19"))
    assert open_items(balance(ok, "2026-10-20"))["INV-N:1"] == "250.00"


def test_balance_never_loses_money_across_dates(ok, history):
    """Balance = invoices issued - cash received (net of voids) on every date of the history."""
    expected = {"2026-08-04": "0.00", "2026-08-05": "1000.00", "2026-09-01": "1500.00", "2026-09-02": "1700.00",
                "2026-09-10": "1300.00", "2026-10-03": "1100.00", "2026-10-05": "1100.00",
                "2026-10-31": "1100.00"}  # fmt: skip
    for day, total in expected.items():
        assert totals(balance(ok, day)).get("Balance CNY", "0.00") == total, day


@pytest.mark.parametrize(
    ("unapply_on", "second_payment_on", "as_of"),
    [
        ("2026-10-10", "2026-09-20", "2026-09-30"),  # a payment entered late, dated before the unapply
        ("2026-10-10", "2026-10-20", "2026-10-31"),  # a payment after the unapply reuses the freed room
    ],
)
def test_reused_capacity_keeps_balances_whole(ok, unapply_on, second_payment_on, as_of):
    ok("customer", "add", "ACME", "Acme Trading Co.", "--terms", "net30")
    ok("invoice", "add", "ACME", "INV-1", "1000.00", "--date", "2026-08-01")
    ok("payment", "add", "ACME", "1000.00", "--date", "2026-09-15")  # pays INV-1
    ok("payment", "unapply", "P1", "--on", unapply_on)
    ok("payment", "add", "ACME", "1000.00", "--date", second_payment_on)  # auto-applied to INV-1 again
    assert totals(balance(ok, "2026-12-31"))["Balance CNY"] == "-1000.00"
    # by `as_of` the customer had been invoiced 1000.00 and had paid 2000.00: a credit of 1000.00
    assert totals(balance(ok, as_of)).get("Balance CNY") == "-1000.00"


def test_reversals_cannot_be_dated_in_the_future(cli, ok):
    """A future-dated unapply would make today's balance show money as applied that will not be."""
    ok("customer", "add", "ACME", "Acme Trading Co.", "--terms", "net30")
    ok("invoice", "add", "ACME", "INV-1", "1000.00", "--date", "2026-08-01")
    ok("payment", "add", "ACME", "1000.00", "--date", "2026-09-15")
    for args in (["payment", "unapply", "P1"], ["payment", "reverse", "P1", "--reason", "x"]):
        result = cli(*args, "--on", "2026-12-01")
        assert result.exit_code == 1
        assert "2026-12-01 is in the future" in result.stderr
    assert totals(balance(ok, "2026-12-31")).get("Balance CNY", "0.00") == "0.00"


# --- output ----------------------------------------------------------------------------------------

_DECIMAL = {
    "CNY": re.compile(r"^-?\d+\.\d{2}$"),
    "JPY": re.compile(r"^-?\d+$"),
    "KWD": re.compile(r"^-?\d+\.\d{3}$"),
}


def test_csv_writes_decimal_strings(ok, history):
    ok("invoice", "add", "ACME", "INV-J", "1234567", "--date", "2026-09-05", "--currency", "JPY")
    ok("invoice", "add", "ACME", "INV-K", "1234.5", "--date", "2026-09-05", "--currency", "KWD")
    ok("invoice", "add", "ACME", "INV-P", "100000.01", "--date", "2026-09-05",
       "--terms", "30% on signing, 40% net30, 25% net60, 5% net90")  # fmt: skip
    text = ok("balance", "ACME", "--as-of", "2026-09-30", "--format", "csv")
    table = list(csv.DictReader(io.StringIO(text)))
    assert list(table[0]) == ["invoice", "seq", "kind", "issued", "due", "rule", "days_late", "state", "amount",
                              "open", "currency"]  # fmt: skip
    for row in table:
        assert _DECIMAL[row["currency"]].match(row["open"]), row
        if row["amount"]:
            assert _DECIMAL[row["currency"]].match(row["amount"]), row
        assert "e" not in row["open"].lower() and "," not in row["open"]
    by_key = {(r["invoice"], r["seq"]): r for r in table}
    assert by_key[("INV-J", "1")]["open"] == "1234567"
    assert by_key[("INV-K", "1")]["open"] == "1234.500"
    assert [by_key[("INV-P", str(i))]["amount"] for i in (1, 2, 3, 4)] == ["30000.00", "40000.00", "25000.00",
                                                                          "5000.01"]  # fmt: skip
    balances = {r["invoice"]: r["open"] for r in table if r["invoice"].startswith("Balance")}
    assert balances == {"Balance CNY": "101300.01", "Balance JPY": "1234567", "Balance KWD": "1234.500"}


def test_json_amounts_are_strings_never_numbers(ok, history):
    doc = balance(ok, "2026-10-05")
    assert doc["schema"] == "arctl.balance/1" and doc["report"] == "balance"
    for row in doc["rows"] + doc["totals"]:
        assert isinstance(row["open"], str)
        assert row["currency"] == "CNY"
    assert totals(doc)["Unapplied CNY"] == "-400.00"


def test_output_file_with_as_of_placeholder_is_written_atomically(cli, ok, history, tmp_path):
    expected = ok("balance", "ACME", "--as-of", "2026-09-30", "--format", "json")
    out_dir = tmp_path / "reports"
    out_dir.mkdir()
    target = out_dir / "path-2026-09-30.json"
    target.write_text("x" * 100000)  # an older, longer file is replaced whole, never partly overwritten
    result = cli("balance", "ACME", "--as-of", "2026-09-30", "--format", "json",
                 "--output", str(out_dir / "path-{as_of}.json"))  # fmt: skip
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr.strip() == f"wrote {target}"
    assert target.read_text(encoding="utf-8") == expected
    assert sorted(p.name for p in out_dir.iterdir()) == ["path-2026-09-30.json"]  # no temp file left behind


def test_output_defaults_to_today_and_quiet_says_nothing(cli, history, tmp_path):
    result = cli("--quiet", "balance", "ACME", "--format", "csv", "--output", str(tmp_path / "b-{as_of}.csv"))
    assert result.exit_code == 0
    assert result.stderr == "" and result.stdout == ""
    text = (tmp_path / "b-2026-10-31.csv").read_text(encoding="utf-8")
    assert text.startswith("invoice,seq,kind,")
    assert "Balance CNY,,,,,,,,,1100.00,CNY" in text


def test_table_output_shows_unapplied_as_negative(ok, history):
    table = ok("balance", "ACME", "--as-of", "2026-10-05")
    assert "balance as of 2026-10-05" in table
    assert re.search(r"Unapplied CNY\s+-400\.00", table)
    assert re.search(r"Balance CNY\s+1,100\.00", table)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["NOPE"], "no customer matches 'NOPE'"),
        (["ACME", "--as-of", "31/10/2026"], "is not a date"),
        (["ACME", "--as-of", "2026-02-30"], "is not a valid date"),
    ],
)
def test_balance_errors(cli, history, args, message):
    result = cli("balance", *args)
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ") and message in result.stderr


def test_bad_format_is_a_usage_error(cli, history):
    assert cli("balance", "ACME", "--format", "xml").exit_code == 2
