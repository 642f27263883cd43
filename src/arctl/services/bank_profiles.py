"""`arctl bank profiles`: the layouts arctl reads, and where user profiles go."""

from __future__ import annotations

from arctl.domain.report import Column, Report
from arctl.importers.bank import builtin_readers, user_readers
from arctl.services.settings import profiles_dir


def list_profiles() -> Report:
    folder = profiles_dir()
    users = user_readers(folder)
    user_names = {r.name for r in users}
    rows = [{"name": r.name, "source": "user", "description": r.description} for r in users]
    rows += [
        {"name": r.name, "source": "built-in (replaced)" if r.name in user_names else "built-in",
         "description": r.description}
        for r in builtin_readers()
    ]  # fmt: skip
    columns = (Column("name", "Profile"), Column("source", "Source"), Column("description", "Reads"))
    notes = [f"your profiles: {folder}/*.toml (ARCTL_CONFIG_DIR or XDG_CONFIG_HOME moves it)",
             "use one with --profile NAME, or --profile path/to/profile.toml"]  # fmt: skip
    return Report("bank-profiles", "Bank statement layouts", columns, rows, notes=notes)
