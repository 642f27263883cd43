"""`arctl demo`: a fresh ledger built from the bundled examples, ready to explore."""

from __future__ import annotations

from datetime import date
from importlib import resources
from pathlib import Path

from sqlalchemy import func, select

from arctl.db.engine import Database
from arctl.db.models import Customer, ImportBatch
from arctl.domain.errors import ArctlError, Refused
from arctl.services.imports import (
    ImportResult,
    file_sha256,
    import_customers,
    import_invoices,
    import_milestones,
    import_payments,
)

DEMO_AS_OF = date(2026, 10, 31)
FILES = ("customers.csv", "invoices.csv", "milestones.csv", "payments.csv")


def examples_dir() -> Path:
    """Installed wheel: arctl/examples (force-included). Source tree: the repo's examples/."""
    for candidate in (
        Path(str(resources.files("arctl") / "examples")),
        Path(__file__).resolve().parents[3] / "examples",
    ):
        if all((candidate / name).is_file() for name in FILES):
            return candidate
    raise ArctlError("cannot find the bundled examples (arctl/examples); reinstall arctl")


def build_demo(db: Database) -> list[ImportResult]:
    """Import the examples in order. A ledger holding other data is refused; a demo ledger is left as is."""
    folder = examples_dir()
    demo_hashes = {file_sha256(folder / name) for name in FILES}
    with db.read() as session:
        customers = session.execute(select(func.count(Customer.id))).scalar_one()
        hashes = set(session.execute(select(ImportBatch.sha256)).scalars())
    if not hashes <= demo_hashes or (customers and not hashes):
        raise Refused(
            f"{db.path or db.url} already holds a ledger that is not the demo; the demo needs its own file",
            hint="arctl demo --db demo.db",
        )
    steps = (import_customers, import_invoices, import_milestones, import_payments)
    return [step(db, folder / name) for step, name in zip(steps, FILES, strict=True)]
