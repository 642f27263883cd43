"""Fixtures for the CLI tests. `_fast_ledger` is opt-in (pytestmark = usefixtures) for modules that want it.

Speed (the suite must stay fast): Typer rebuilds its click command tree on every CliRunner.invoke, and a
new ledger runs the schema migrations. Build the command once, and start each test from a copy of an
already-migrated empty ledger (or of a seeded one, see `seed`). What runs is still the real command.
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
import typer.main
import typer.testing

from arctl.cli.main import app

_command = functools.cache(typer.main.get_command)
_SEEDS: dict[str, bytes] = {}


def _save_or_restore(path: Path, key: str, build: Callable[[], object]) -> None:
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    if key in _SEEDS:
        path.write_bytes(_SEEDS[key])
        path.chmod(0o600)
        return
    build()
    con = sqlite3.connect(path)
    try:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        con.close()
    _SEEDS[key] = path.read_bytes()


@pytest.fixture
def _fast_ledger(monkeypatch: pytest.MonkeyPatch, ledger_env: Path) -> None:
    monkeypatch.setattr(typer.testing, "_get_command", _command)
    runner = typer.testing.CliRunner()
    _save_or_restore(ledger_env, "empty", lambda: runner.invoke(app, ["db", "upgrade"], catch_exceptions=False))


@pytest.fixture
def seed(ledger_env: Path, request: pytest.FixtureRequest) -> Callable[[str, Callable[[], object]], None]:
    """seed(key, build): the first test builds the ledger with `build`; later ones get a copy of it."""
    module = request.module.__name__
    return lambda key, build: _save_or_restore(ledger_env, f"{module}:{key}", build)


@pytest.fixture
def dump(ledger_env: Path) -> Callable[[], list[str]]:
    """Every row of the ledger as SQL text: equal before and after means nothing was written."""

    def run() -> list[str]:
        con = sqlite3.connect(ledger_env)
        try:
            return list(con.iterdump())
        finally:
            con.close()

    return run
