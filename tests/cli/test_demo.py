"""`arctl demo`: builds the bundled example ledger once, is idempotent, refuses real ledgers, and its
aging agrees with the per-customer balances."""

from __future__ import annotations

import json
import re
import shutil
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from arctl.cli.main import app

TODAY = "2026-10-31"
EXPECTED = {"customers": 16, "invoices": 79, "payments": 102, "milestones": 16, "imports": 4}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """One demo ledger for the module (building it takes seconds); tests that change it use a copy."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    env = {"ARCTL_TODAY": TODAY, "ARCTL_DB": str(path.with_name("unused.db")), "XDG_DATA_HOME": str(path.parent)}
    result = CliRunner().invoke(app, ["demo", "--db", str(path)], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.stdout + result.stderr
    return path, result.stdout


def _counts(ok, path: Path) -> dict[str, int]:  # type: ignore[no-untyped-def]
    out = ok("--db", str(path), "db", "info")
    return {name: int(n) for name, n in re.findall(r"^([a-z][a-z ]*?)\s+(\d+)$", out, re.M)}


def _json(ok, *args: str) -> dict:  # type: ignore[no-untyped-def,type-arg]
    return json.loads(ok(*args, "--format", "json"))


def test_demo_builds_the_example_ledger(ok, demo: tuple[Path, str]) -> None:  # type: ignore[no-untyped-def]
    path, out = demo
    counts = _counts(ok, path)
    for name, n in EXPECTED.items():
        assert counts[name] == n, (name, counts)
    assert "customers.csv: 16 customers added" in out
    assert "payments.csv: 102 payments added" in out
    assert f"demo ledger: {path}" in out
    assert "Aging as of 2026-10-31" in out
    assert re.search(r"^\s*Total\s+CNY\s", out, re.M), out
    assert re.search(r"^\s*Total\s+USD\s", out, re.M), out
    assert not path.with_name("unused.db").exists(), "demo --db must not touch $ARCTL_DB"


def test_demo_again_changes_nothing(cli, ok, demo: tuple[Path, str], tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "again.db"
    shutil.copy(demo[0], path)
    before = _counts(ok, path)
    result = cli("demo", "--db", str(path))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.count("already imported") == 4, result.stdout
    assert "added" not in result.stdout.replace("nothing added", "")
    assert re.search(r"^\s*Total\s+CNY\s", result.stdout, re.M)
    after = _counts(ok, path)
    assert after == before


def test_demo_refuses_a_ledger_with_other_data(cli, ok, acme: str, ledger_env: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("demo", "--db", str(ledger_env))
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ")
    assert "already holds a ledger" in result.stderr
    counts = _counts(ok, ledger_env)
    assert counts["customers"] == 1
    assert counts["imports"] == 0


def test_demo_via_root_db_option_refuses_too(cli, acme: str, ledger_env: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("--db", str(ledger_env), "demo")
    assert result.exit_code == 1
    assert "already holds a ledger" in result.stderr


def test_demo_refuses_a_ledger_filled_by_imports(cli, ok, ledger_env: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Regression: only 'customers and no imports' was refused, so an imported real ledger got the demo."""
    mine = tmp_path / "mine.csv"
    mine.write_text("code,name\nMINE,My Real Customer Ltd\n", encoding="utf-8")
    ok("customer", "import", str(mine))
    result = cli("demo", "--db", str(ledger_env))
    counts = _counts(ok, ledger_env)
    assert counts["customers"] == 1, "the demo data was merged into a real ledger"
    assert counts["invoices"] == 0
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ")


def test_verify_passes_on_the_demo(ok, demo: tuple[Path, str]) -> None:  # type: ignore[no-untyped-def]
    out = ok("--db", str(demo[0]), "verify")
    assert out.startswith("ok:")


def _money(value: str) -> Decimal:
    return Decimal(value)


def test_aging_agrees_with_the_balances(ok, demo: tuple[Path, str]) -> None:  # type: ignore[no-untyped-def]
    path = str(demo[0])
    aging = _json(ok, "--db", path, "aging", "--as-of", TODAY)
    assert aging["as_of"] == TODAY
    buckets = [c["key"] for c in aging["columns"] if c["kind"] == "money" and c["key"] != "total"]
    assert {"current", "pending", "unapplied"} <= set(buckets)

    # Each row: its buckets add up to its total. The Total rows: the sum of the rows, per currency.
    row_totals: dict[tuple[str, str], Decimal] = {}
    column_sums: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for row in aging["rows"]:
        assert sum(_money(row[b]) for b in buckets) == _money(row["total"]), row
        row_totals[row["customer"], row["currency"]] = _money(row["total"])
        for key in [*buckets, "total"]:
            column_sums[row["currency"]][key] += _money(row[key])
    totals = {t["currency"]: t for t in aging["totals"]}
    assert set(totals) == {"CNY", "USD"}
    for currency, total in totals.items():
        for key in [*buckets, "total"]:
            assert _money(total[key]) == column_sums[currency][key], (currency, key)

    # Every customer's balance (a separate report, per customer) matches its aging row.
    customers = [row["code"] for row in _json(ok, "--db", path, "customer", "list")["rows"]]
    assert len(customers) == EXPECTED["customers"]
    balance_sums: dict[str, Decimal] = defaultdict(Decimal)
    balances: dict[tuple[str, str], Decimal] = {}
    for code in customers:
        report = _json(ok, "--db", path, "balance", code, "--as-of", TODAY)
        for total in report["totals"]:
            if total["invoice"].startswith("Balance "):
                currency = total["invoice"].removeprefix("Balance ")
                assert total["currency"] == currency
                balances[code, currency] = _money(total["open"])
                balance_sums[currency] += _money(total["open"])
    nonzero_aging = {k: v for k, v in row_totals.items() if v}
    nonzero_balances = {k: v for k, v in balances.items() if v}
    assert nonzero_balances == nonzero_aging
    for currency, total in totals.items():
        assert balance_sums[currency] == _money(total["total"]), currency
