"""Shared fixtures: a fresh temp ledger per test, a pinned business date, and a CLI runner."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from arctl.cli.main import app

TODAY = "2026-10-31"


@pytest.fixture(autouse=True)
def ledger_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own ledger file and the same 'today'."""
    db = tmp_path / "ledger.db"
    monkeypatch.setenv("ARCTL_DB", str(db))
    monkeypatch.setenv("ARCTL_TODAY", TODAY)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    # The user's own settings, policy, templates and mail server never leak into a test.
    monkeypatch.setenv("ARCTL_CONFIG_DIR", str(tmp_path / "config"))
    for name in ("ARCTL_OUTBOX", "ARCTL_MAIL_FROM", "ARCTL_SMTP_HOST", "ARCTL_SMTP_PORT", "ARCTL_SMTP_USER",
                 "ARCTL_SMTP_PASSWORD", "ARCTL_SMTP_SECURITY", "ARCTL_SMTP_CAFILE"):  # fmt: skip
        monkeypatch.delenv(name, raising=False)
    return db


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str
    exception: BaseException | None


@pytest.fixture
def cli() -> Callable[..., Result]:
    """cli("customer", "add", ...) runs arctl in-process; returns exit code, stdout and stderr."""
    runner = CliRunner()

    def run(*args: str, input: str | None = None) -> Result:
        result = runner.invoke(app, list(args), input=input, catch_exceptions=True)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        return Result(result.exit_code, result.stdout, result.stderr, result.exception)

    return run


@pytest.fixture
def ok(cli: Callable[..., Result]) -> Callable[..., str]:
    """Run a command that must succeed; returns its stdout."""

    def run(*args: str) -> str:
        result = cli(*args)
        assert result.exit_code == 0, (
            f"arctl {' '.join(args)} -> {result.exit_code}\n{result.stdout}\n{result.stderr}"
        )
        return result.stdout

    return run


@pytest.fixture
def db(ledger_env: Path):  # type: ignore[no-untyped-def]
    """The test's ledger opened through the one opener (for domain-level service tests)."""
    from arctl.db.engine import Invocation, open_db

    database = open_db(str(ledger_env), invocation=Invocation(actor="tester", command="pytest"))
    yield database
    database.dispose()


@pytest.fixture
def acme(ok: Callable[..., str]) -> str:
    """A customer ACME (CNY, net30) with a contact."""
    ok("customer", "add", "ACME", "Acme Trading Co.", "--terms", "net30", "--language", "en",
       "--contact", "Ann Lee", "--email", "ann@example.com", "--credit-limit", "100000")  # fmt: skip
    return "ACME"
