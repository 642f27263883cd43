"""Bank-statement readers: which ones exist, which one reads a given file.

Built-in readers live in their own modules and are imported only when a bank file is read (the CLI must
start fast). User profiles are TOML files in the profiles folder (see `arctl bank profiles`); a profile
with the name of a built-in one replaces it.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Sequence
from pathlib import Path

from arctl.domain.errors import InvalidInput
from arctl.importers.bank.base import BankLine, Reader, Statement

__all__ = ["BankLine", "Reader", "Statement", "builtin_readers", "choose_reader", "user_readers"]

# (module, attribute): a module exposes READER (one) or READERS (several).
_BUILTIN = (
    ("arctl.importers.bank.camt", "READER"),
    ("arctl.importers.bank.ofx", "READER"),
    ("arctl.importers.bank.mt940", "READER"),
    ("arctl.importers.bank.alipay", "READER"),
    ("arctl.importers.bank.wechat", "READER"),
    ("arctl.importers.bank.cn", "READERS"),
)
HEAD_BYTES = 8192


def builtin_readers() -> list[Reader]:
    readers: list[Reader] = []
    for module_name, attr in _BUILTIN:
        found = getattr(importlib.import_module(module_name), attr)
        readers.extend(found if isinstance(found, (list, tuple)) else [found])
    return readers


def user_readers(folder: Path | None) -> list[Reader]:
    """The TOML profiles in `folder` (sorted by file name); a broken one is an error naming its file."""
    if folder is None or not folder.is_dir():
        return []
    from arctl.importers.bank.profile import ProfileReader, load_profile

    return [ProfileReader(load_profile(path)) for path in sorted(folder.glob("*.toml"))]


def all_readers(folder: Path | None) -> list[Reader]:
    """User profiles first (they may replace a built-in of the same name), then the built-in readers."""
    users = user_readers(folder)
    names = {r.name for r in users}
    return users + [r for r in builtin_readers() if r.name not in names]


def sniff(path: Path) -> str:
    """The first bytes of a file as text, for identify() only: never used as data."""
    head = path.read_bytes()[:HEAD_BYTES]
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return head.decode(encoding)
        except UnicodeDecodeError:
            continue
    return head.decode("latin-1")


def choose_reader(path: Path, readers: Sequence[Reader], profile: str | None) -> Reader:
    """The reader named by `--profile` (a name or a .toml path), else the one that recognises the file."""
    if profile:
        return _named(profile, readers)
    if not path.is_file():
        raise InvalidInput("no such file", file=str(path))
    # spreadsheets are binary: the readers that take them look inside themselves
    head = "" if path.suffix.lower() in (".xlsx", ".xlsm", ".xls") else sniff(path)
    matches = [r for r in readers if r.identify(path, head)]
    if not matches:
        raise InvalidInput(
            "not a bank statement format arctl knows",
            file=str(path),
            hint="name the layout with --profile (see `arctl bank profiles`), or write a profile for it",
        )
    return matches[0]


def _named(profile: str, readers: Iterable[Reader]) -> Reader:
    if profile.endswith(".toml"):
        from arctl.importers.bank.profile import ProfileReader, load_profile

        return ProfileReader(load_profile(Path(profile)))
    readers = list(readers)
    for reader in readers:
        if reader.name == profile:
            return reader
    known = ", ".join(sorted(r.name for r in readers))
    raise InvalidInput(f"no bank profile {profile!r} (known: {known})", field="--profile")
