from pathlib import Path


def test_invoice_payment_balance_round_trip(ok, acme):
    ok("invoice", "add", "ACME", "INV-1", "1000.00", "--date", "2026-09-01")
    ok("payment", "add", "ACME", "400.00", "--date", "2026-09-20")
    out = ok("balance", "ACME", "--format", "json")
    assert '"open": "600.00"' in out


def test_user_error_is_one_line_exit_1(cli, ledger_env: Path):
    result = cli("balance", "NOPE")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: no customer matches 'NOPE'")
    assert "Traceback" not in result.stderr
