"""Where the user's configuration lives, and reading it.

One folder, `$ARCTL_CONFIG_DIR`, else `$XDG_CONFIG_HOME/arctl` (default `~/.config/arctl`), holds:
- `arctl.toml`: `[company]` (name, address, phone, email, bank, account: the sender of reminders and
  letters) and `[mail]` (SMTP host, port, security, user, from...; never the password, which comes from
  `$ARCTL_SMTP_PASSWORD` or the keyring);
- `policy.toml`: the dunning policy over the shipped one (`arctl remind policy`);
- `templates/`: reminder and letter templates that override the shipped ones, file by file;
- `profiles/`: bank-statement profiles (`arctl bank profiles`).
"""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from arctl.domain.errors import InvalidInput

if TYPE_CHECKING:
    from arctl.reminders.policy import Policy

SECTIONS = {
    "company": ("name", "address", "phone", "email", "bank", "account"),
    "mail": ("host", "port", "security", "user", "from", "from_name", "cafile", "timeout", "password"),
}
"""Known tables and keys of arctl.toml (`password` is known only to be refused with a clear message)."""


def config_dir() -> Path:
    base = os.environ.get("ARCTL_CONFIG_DIR")
    if base:
        return Path(base)
    config = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(config) / "arctl"


def settings_file() -> Path:
    return config_dir() / "arctl.toml"


def policy_file() -> Path:
    return config_dir() / "policy.toml"


def templates_dir() -> Path | None:
    """The user's template folder, when there is one."""
    folder = config_dir() / "templates"
    return folder if folder.is_dir() else None


def profiles_dir() -> Path:
    return config_dir() / "profiles"


def read_settings(path: Path | None = None) -> dict[str, dict[str, Any]]:
    """The tables of arctl.toml ({} for a missing file); unknown tables or keys are errors naming the line."""
    path = path or settings_file()
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise InvalidInput(f"cannot read the settings: {exc.strerror or exc}", file=str(path)) from None
    try:
        document = tomllib.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise InvalidInput("a TOML file must be UTF-8", file=str(path)) from None
    except tomllib.TOMLDecodeError as exc:
        where = re.search(r"\(at line (\d+), column \d+\)", str(exc))
        reason = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        raise InvalidInput(
            f"not valid TOML: {reason}", file=str(path), row=int(where[1]) if where else None
        ) from None
    out: dict[str, dict[str, Any]] = {}
    for table, values in document.items():
        if table not in SECTIONS or not isinstance(values, dict):
            raise InvalidInput(f"unknown table; known: {', '.join(SECTIONS)}", file=str(path), field=table)
        for key in values:
            if key not in SECTIONS[table]:
                known = ", ".join(k for k in SECTIONS[table] if k != "password")
                raise InvalidInput(f"unknown key; known: {known}", file=str(path), field=f"{table}.{key}")
        out[table] = dict(values)
    return out


def company(settings: dict[str, dict[str, Any]]) -> dict[str, str]:
    """The sender's details for templates: every key present, as strings ('' when not set)."""
    given = settings.get("company", {})
    return {key: str(given.get(key, "") or "") for key in SECTIONS["company"]}


def collections_policy() -> Policy:
    """The dunning policy in force: the shipped one, overridden by policy.toml when it exists."""
    from arctl.reminders.load import load_policy

    path = policy_file()
    return load_policy(path if path.is_file() else None)
