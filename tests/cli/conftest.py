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


_TEMPLATES: dict[str, Path] = {}


@pytest.fixture
def _fast_cli(monkeypatch: pytest.MonkeyPatch) -> None:
    """typer rebuilds the whole command tree on every invoke (~0.15 s); build it once per run."""
    monkeypatch.setattr(typer.testing, "_get_command", _command)


def _copy_db(src: Path, dst: Path) -> None:
    source, target = sqlite3.connect(src), sqlite3.connect(dst)
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()


@pytest.fixture
def seeded(ledger_env: Path, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    """seeded(name, build): run build() through the CLI once (per test module), then restore that ledger
    for later tests with SQLite's backup API."""
    module = request.module.__name__

    def use(name: str, build) -> None:  # type: ignore[no-untyped-def]
        key = f"{module}:{name}"
        if key in _TEMPLATES:
            _copy_db(_TEMPLATES[key], ledger_env)
            return
        build()
        saved = tmp_path_factory.mktemp(f"seed-{name}") / "ledger.db"
        _copy_db(ledger_env, saved)
        _TEMPLATES[key] = saved

    return use
