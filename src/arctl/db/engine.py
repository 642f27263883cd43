"""The one database opener: URL resolution, file mode, SQLite pragmas, transactions, schema check."""

from __future__ import annotations

import getpass
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import DatabaseError, OperationalError
from sqlalchemy.orm import Session

from arctl.db.schema import SCHEMA_HEAD
from arctl.domain.errors import ArctlError

BUSY_TIMEOUT_MS = 10_000


@dataclass(frozen=True)
class Invocation:
    """Who changes the ledger and with which command line; written into every audit event."""

    actor: str = field(default_factory=lambda: _os_user())
    command: str = field(default_factory=lambda: " ".join(["arctl", *sys.argv[1:]]))


def _os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no passwd entry in some containers
        return str(os.getuid()) if hasattr(os, "getuid") else "unknown"


def default_path() -> Path:
    """The per-user ledger: $XDG_DATA_HOME/arctl/ledger.db (~/.local/share/arctl/ledger.db)."""
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return Path(base) / "arctl" / "ledger.db"


def resolve_url(db: str | None) -> str:
    """--db PATH|URL, else $ARCTL_DB, else the per-user data file; paths become sqlite URLs."""
    target = db or os.environ.get("ARCTL_DB") or str(default_path())
    if "://" in target:
        return target
    return "sqlite:///" + str(Path(target).expanduser().absolute())


def sqlite_path(url: str) -> Path | None:
    """The file behind a sqlite URL (None for other databases and in-memory ones)."""
    if not url.startswith("sqlite:///"):
        return None
    raw = url.removeprefix("sqlite:///").split("?", 1)[0]
    return None if raw in ("", ":memory:") else Path(raw)


def _create_private_file(path: Path) -> None:
    """Create an empty ledger file readable by its owner only (customer notes are confidential)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return
    os.close(fd)
    os.chmod(path, 0o600)  # the umask may have removed bits; never added any


def _tighten_companions(path: Path) -> None:
    for suffix in ("-wal", "-shm"):
        companion = Path(str(path) + suffix)
        if companion.exists() and companion.stat().st_mode & 0o077:
            companion.chmod(0o600)


class Database:
    """An open ledger. `read()` and `write()` hand out sessions; a write is one transaction."""

    def __init__(self, url: str, engine: Engine, invocation: Invocation) -> None:
        self.url = url
        self.engine = engine
        self.invocation = invocation
        self.path = sqlite_path(url)

    @contextmanager
    def read(self) -> Iterator[Session]:
        with Session(self.engine) as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One transaction: BEGIN IMMEDIATE on SQLite (takes the write lock up front, so a read-then-write
        never fails half way with "database is locked"); commit on success, roll back on any error."""
        engine = self.engine.execution_options(arctl_write=True)
        with Session(engine) as session:
            session.info["invocation"] = self.invocation
            try:
                yield session
                session.commit()
            except OperationalError as exc:
                session.rollback()
                raise self._explain(exc) from None
            except BaseException:
                session.rollback()
                raise
        if self.path is not None:
            _tighten_companions(self.path)

    def _explain(self, exc: OperationalError) -> ArctlError:
        """Turn the database's own failures into one clear line (nothing was changed)."""
        text = str(exc.orig)
        where = self.path or self.url
        if "locked" in text or "busy" in text:
            return ArctlError(
                f"{where}: the ledger is busy (another arctl is writing); waited {BUSY_TIMEOUT_MS / 1000:g} s",
                hint="try again in a moment",
            )
        if "disk I/O" in text or "full" in text or "readonly" in text:
            return ArctlError(f"{where}: cannot write the ledger ({text}); nothing was changed")
        return ArctlError(f"{where}: database error: {text}")

    def revision(self) -> str | None:
        """The schema revision stored in the ledger, or None for an empty database."""
        with self.engine.connect() as conn:
            try:
                return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
            except OperationalError:
                return None
            except Exception as exc:  # PostgreSQL: undefined table
                if "alembic_version" in str(exc):
                    return None
                raise

    def dispose(self) -> None:
        self.engine.dispose()


def _sqlite_engine(url: str) -> Engine:
    engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves (below)
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:  # type: ignore[no-untyped-def]
        write = conn.get_execution_options().get("arctl_write")
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


def open_db(db: str | None = None, *, invocation: Invocation | None = None, migrate: bool = True) -> Database:
    """Open (and create or upgrade when needed) the ledger named by --db / $ARCTL_DB / the default."""
    url = resolve_url(db)
    path = sqlite_path(url)
    if path is not None:
        if path.is_dir():
            raise ArctlError(f"{path}: is a directory, not a ledger file")
        try:
            _create_private_file(path)
        except OSError as exc:
            raise ArctlError(f"{path}: cannot create the ledger ({exc.strerror})") from None
        engine = _sqlite_engine(url)
    else:
        engine = create_engine(url, pool_pre_ping=True)
    database = Database(url, engine, invocation or Invocation())
    if migrate:
        ensure_schema(database)
    return database


def current_revision(database: Database) -> str | None:
    """The stored revision; a file that is not a ledger (or not SQLite at all) is a clean error."""
    try:
        return database.revision()
    except DatabaseError as exc:
        raise ArctlError(f"{database.path or database.url}: not an arctl ledger ({exc.orig})") from None


def ensure_schema(database: Database) -> None:
    """Upgrade an empty or older ledger; refuse one written by a newer arctl."""
    current = current_revision(database)
    if current == SCHEMA_HEAD:
        return
    from arctl.db.migrate import known_revisions, upgrade  # alembic: only when really needed

    if current is not None and current not in known_revisions():
        raise ArctlError(
            f"{database.path or database.url}: schema revision {current!r} is newer than this arctl knows",
            hint="upgrade arctl",
        )
    upgrade(database)
