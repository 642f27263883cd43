"""`arctl db info` and `arctl db upgrade`."""

from __future__ import annotations

import os
import stat

from sqlalchemy import func, select

from arctl.db import models
from arctl.db.engine import Database, current_revision, ensure_schema
from arctl.db.schema import SCHEMA_HEAD

COUNTED = (
    ("customers", models.Customer), ("contacts", models.Contact), ("contracts", models.Contract),
    ("invoices", models.Invoice), ("installments", models.Installment), ("milestones", models.Milestone),
    ("payments", models.Payment), ("credits", models.Credit), ("allocations", models.Allocation),
    ("imports", models.ImportBatch), ("audit events", models.AuditEvent),
)  # fmt: skip


def info(db: Database) -> dict[str, object]:
    """Where the ledger is, its schema revision, its file mode and how many rows each table holds."""
    out: dict[str, object] = {"url": _safe_url(db.url), "path": str(db.path) if db.path else None}
    out["revision"] = db.revision()
    out["head"] = SCHEMA_HEAD
    if db.path is not None and db.path.exists():
        st = os.stat(db.path)
        out["mode"] = stat.filemode(st.st_mode)
        out["size"] = st.st_size
    with db.read() as session:
        out["rows"] = {name: session.execute(select(func.count()).select_from(model)).scalar_one()
                       for name, model in COUNTED}  # fmt: skip
    return out


def upgrade(db: Database) -> tuple[str | None, str | None]:
    """Bring the schema to the head revision; returns (before, after). A newer ledger is refused."""
    before = current_revision(db)
    ensure_schema(db)
    return before, db.revision()


def _safe_url(url: str) -> str:
    """Hide a password in a server URL."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        creds, host = rest.rsplit("@", 1)
        user = creds.split(":", 1)[0]
        return f"{scheme}://{user}:***@{host}"
    return url
