"""The one database opener: file modes, pragmas, URL resolution, clean errors, locking, `arctl db`."""

from __future__ import annotations

import os
import re
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from arctl.db import engine as engine_mod
from arctl.db.engine import default_path, open_db, resolve_url, sqlite_path
from arctl.db.schema import SCHEMA_HEAD

ARCTL = [sys.executable, "-m", "arctl"]


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _arctl(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """arctl in its own process (the environment carries ARCTL_DB/ARCTL_TODAY from the fixtures)."""
    return subprocess.run([*ARCTL, *args], capture_output=True, text=True, timeout=timeout, env=os.environ.copy())


# --- file mode and location -------------------------------------------------------------------------


@pytest.mark.parametrize("umask", [0o022, 0o000], ids=["umask022", "umask000"])
def test_new_ledger_and_wal_files_are_private(tmp_path: Path, umask: int) -> None:
    path = tmp_path / "deep" / "er" / "ledger.db"
    old = os.umask(umask)
    try:
        database = open_db(str(path))
        try:
            # The pooled connection stays open: the WAL companions exist now.
            with database.write() as session:
                session.execute(text("SELECT 1"))
            companions = [Path(f"{path}{suffix}") for suffix in ("-wal", "-shm")]
            assert path.is_file()
            assert all(p.exists() for p in companions), "expected -wal/-shm while the ledger is open"
            for p in (path, *companions):
                assert _mode(p) == 0o600, f"{p.name} is {oct(_mode(p))}"
        finally:
            database.dispose()
    finally:
        os.umask(old)
    assert _mode(path) == 0o600
    assert path.parent.is_dir()


def test_cli_creates_parent_directories(cli, tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "c" / "ledger.db"
    result = cli("--db", str(path), "customer", "list")
    assert result.exit_code == 0, result.stderr
    assert path.is_file()
    assert _mode(path) == 0o600


def test_existing_file_mode_is_not_loosened(tmp_path: Path) -> None:
    path = tmp_path / "ledger.db"
    open_db(str(path)).dispose()
    os.chmod(path, 0o640)  # the owner chose this; arctl never adds bits
    open_db(str(path)).dispose()
    assert _mode(path) == 0o640


def test_pragmas_in_force(db) -> None:  # type: ignore[no-untyped-def]
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar().lower() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() > 0
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL


def test_foreign_keys_are_enforced(db) -> None:  # type: ignore[no-untyped-def]
    """Not only set: a dangling reference is refused by SQLite itself."""
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError, match="FOREIGN KEY"), db.engine.begin() as conn:
        conn.execute(text("INSERT INTO contact (customer_id, name, language, channel, is_primary) "
                          "VALUES (987654, 'Nobody', 'en', 'email', 0)"))  # fmt: skip


# --- URL resolution --------------------------------------------------------------------------------


def test_resolve_url_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    explicit, env = tmp_path / "explicit.db", tmp_path / "env.db"
    monkeypatch.setenv("ARCTL_DB", str(env))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert resolve_url(str(explicit)) == f"sqlite:///{explicit}"
    assert resolve_url(None) == f"sqlite:///{env}"
    monkeypatch.delenv("ARCTL_DB")
    assert default_path() == tmp_path / "xdg" / "arctl" / "ledger.db"
    assert resolve_url(None) == f"sqlite:///{tmp_path / 'xdg' / 'arctl' / 'ledger.db'}"


def test_default_path_without_xdg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert default_path() == tmp_path / ".local" / "share" / "arctl" / "ledger.db"


def test_relative_and_home_paths_become_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert resolve_url("rel.db") == f"sqlite:///{tmp_path / 'rel.db'}"
    assert resolve_url("~/x.db") == f"sqlite:///{tmp_path / 'home' / 'x.db'}"
    assert sqlite_path(resolve_url("rel.db")) == tmp_path / "rel.db"


@pytest.mark.parametrize(
    "url",
    ["sqlite:////var/tmp/ledger.db", "sqlite://", "postgresql+psycopg://ar:secret@db.example/ar"],
)
def test_urls_pass_through(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARCTL_DB", "/elsewhere.db")
    assert resolve_url(url) == url


def test_cli_precedence_option_over_env_over_default(cli, ledger_env: Path, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    explicit = tmp_path / "explicit.db"
    assert cli("--db", str(explicit), "customer", "add", "OPT", "Option Ltd").exit_code == 0
    assert explicit.exists() and not ledger_env.exists()

    assert cli("customer", "add", "ENV", "Env Ltd").exit_code == 0
    assert ledger_env.exists()

    monkeypatch.delenv("ARCTL_DB")
    default = tmp_path / "xdg" / "arctl" / "ledger.db"
    assert cli("customer", "add", "DEF", "Default Ltd").exit_code == 0
    assert default.exists()
    codes = {explicit: "OPT", ledger_env: "ENV", default: "DEF"}
    for path, code in codes.items():
        out = cli("--db", str(path), "customer", "list").stdout
        assert [c for c in codes.values() if c in out] == [code], (path, out)


# --- clean errors --------------------------------------------------------------------------------


def test_directory_as_db_is_a_clean_error(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("--db", str(tmp_path), "customer", "list")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ")
    assert "is a directory" in result.stderr
    assert "Traceback" not in result.stderr


GARBAGE = {
    "binary": bytes(range(256)) * 20,
    "text": b"code,name\nACME,Acme Trading\n" * 200,
}


@pytest.mark.parametrize("kind", sorted(GARBAGE))
@pytest.mark.parametrize("command", [("customer", "list"), ("db", "info")], ids=" ".join)
def test_not_a_sqlite_file_is_a_clean_error(cli, tmp_path: Path, kind: str, command: tuple[str, ...]) -> None:  # type: ignore[no-untyped-def]
    """Regression: a DatabaseError ('file is not a database') from the connect hook used to escape."""
    path = tmp_path / "junk.db"
    path.write_bytes(GARBAGE[kind])
    result = cli("--db", str(path), *command)
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ")
    assert "Traceback" not in result.stderr
    assert path.read_bytes() == GARBAGE[kind], "the file must be left untouched"


def test_db_upgrade_on_a_non_sqlite_file_is_a_clean_error(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Regression: `db upgrade` opens with migrate=False and used to skip the opener's checks."""
    path = tmp_path / "junk.db"
    path.write_bytes(GARBAGE["binary"])
    result = cli("--db", str(path), "db", "upgrade")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ")


# --- transactions and concurrency ----------------------------------------------------------------


def _try_write_lock(path: Path) -> bool:
    """Can another connection take the write lock right now (no waiting)?"""
    other = sqlite3.connect(path, isolation_level=None, timeout=0)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError as exc:
        assert "locked" in str(exc)
        return False
    finally:
        other.close()


def test_write_session_takes_the_write_lock_up_front(db, ledger_env: Path) -> None:  # type: ignore[no-untyped-def]
    """BEGIN IMMEDIATE: after a mere SELECT inside write(), no one else can write."""
    with db.write() as session:
        session.execute(text("SELECT count(*) FROM customer"))
        assert not _try_write_lock(ledger_env)
    assert _try_write_lock(ledger_env)


def test_read_session_takes_no_write_lock(db, ledger_env: Path) -> None:  # type: ignore[no-untyped-def]
    with db.read() as session:
        session.execute(text("SELECT count(*) FROM customer"))
        assert _try_write_lock(ledger_env)


def _hold_write_lock(path: Path) -> sqlite3.Connection:
    holder = sqlite3.connect(path, isolation_level=None, timeout=0)
    holder.execute("BEGIN IMMEDIATE")
    return holder


def test_cli_write_waits_then_fails_while_reads_go_on(cli, acme: str, ledger_env: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(engine_mod, "BUSY_TIMEOUT_MS", 300)
    holder = _hold_write_lock(ledger_env)
    try:
        started = time.perf_counter()
        result = cli("customer", "add", "ZED", "Zed Ltd")
        waited = time.perf_counter() - started
        assert result.exit_code != 0, "a second writer must not get in while the write lock is held"
        assert waited >= 0.25, f"it should wait for the busy timeout first, waited {waited:.3f}s"

        listing = cli("customer", "list")
        assert listing.exit_code == 0
        assert "ACME" in listing.stdout
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert cli("customer", "add", "ZED", "Zed Ltd").exit_code == 0
    assert "ZED" in cli("customer", "list").stdout


def test_locked_ledger_is_a_clean_error(cli, acme: str, ledger_env: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Regression: 'database is locked' used to escape as a SQLAlchemy traceback."""
    monkeypatch.setattr(engine_mod, "BUSY_TIMEOUT_MS", 100)
    holder = _hold_write_lock(ledger_env)
    try:
        result = cli("customer", "add", "ZED", "Zed Ltd")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ")
    assert "busy" in result.stderr or "locked" in result.stderr
    assert "Traceback" not in result.stderr
    assert "ZED" not in cli("customer", "list").stdout


def test_reader_process_not_blocked_by_a_writer(acme: str, ledger_env: Path) -> None:
    holder = _hold_write_lock(ledger_env)
    try:
        holder.execute("UPDATE customer SET name = 'Uncommitted Name' WHERE code = 'ACME'")
        reader = _arctl("customer", "list", timeout=30)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert reader.returncode == 0, reader.stderr
    assert "ACME" in reader.stdout
    assert "Uncommitted" not in reader.stdout


def test_reader_process_and_writer_both_succeed(cli, acme: str, ledger_env: Path) -> None:  # type: ignore[no-untyped-def]
    """A reading arctl process runs while this process keeps writing: neither fails."""
    reader = subprocess.Popen([*ARCTL, "customer", "list"], env=os.environ.copy(),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    written = []
    while reader.poll() is None and len(written) < 200:
        code = f"W{len(written)}"
        result = cli("customer", "add", code, f"Writer {code}")
        assert result.exit_code == 0, result.stderr
        written.append(code)
    out, err = reader.communicate(timeout=60)
    assert reader.returncode == 0, err
    assert "ACME" in out
    assert written
    listing = cli("customer", "list").stdout
    assert all(code in listing for code in written)


# --- arctl db info / upgrade ---------------------------------------------------------------------


def test_db_info(ok, acme: str, ledger_env: Path) -> None:  # type: ignore[no-untyped-def]
    out = ok("db", "info")
    assert f"ledger    {ledger_env}" in out
    assert f"revision  {SCHEMA_HEAD} (head {SCHEMA_HEAD})" in out
    assert "-rw-------" in out
    rows = dict(re.findall(r"^([a-z ]+?)\s+(\d+)$", out, re.M))
    assert rows["customers"] == "1"
    assert rows["contacts"] == "1"
    assert rows["invoices"] == "0"
    assert int(rows["audit events"]) >= 1


def test_db_upgrade_fresh_then_up_to_date(ok, ledger_env: Path) -> None:  # type: ignore[no-untyped-def]
    assert not ledger_env.exists()
    first = ok("db", "upgrade")
    assert f"upgraded from empty to {SCHEMA_HEAD}" in first
    assert _mode(ledger_env) == 0o600
    second = ok("db", "upgrade")
    assert "up to date" in second and SCHEMA_HEAD in second


def _set_revision(path: Path, revision: str) -> None:
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("UPDATE alembic_version SET version_num = ?", (revision,))
    conn.close()


def test_newer_ledger_is_refused(cli, acme: str, ledger_env: Path) -> None:  # type: ignore[no-untyped-def]
    _set_revision(ledger_env, "9999")
    for command in (("customer", "list"), ("customer", "add", "NEW", "New Ltd"), ("db", "info")):
        result = cli(*command)
        assert result.exit_code == 1, command
        assert result.stderr.startswith("error: ")
        assert "newer" in result.stderr
        assert "9999" in result.stderr
    conn = sqlite3.connect(ledger_env)
    assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == ("9999",)
    assert conn.execute("SELECT count(*) FROM customer").fetchone() == (1,)
    conn.close()


def test_db_upgrade_refuses_a_newer_ledger(cli, acme: str, ledger_env: Path) -> None:  # type: ignore[no-untyped-def]
    """Regression: `db upgrade` used to hand an unknown revision to Alembic (CommandError traceback)."""
    _set_revision(ledger_env, "9999")
    result = cli("db", "upgrade")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ")
    assert "newer" in result.stderr
