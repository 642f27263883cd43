"""Documentation: every command and group explains itself, and the README covers every top-level command."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import typer.main

from arctl.cli.main import app

README = Path(__file__).resolve().parents[1] / "README.md"
TOP_LEVEL = ("customer", "invoice", "milestone", "payment", "credit-note", "write-off",
             "balance", "aging", "verify", "demo", "db")  # fmt: skip


def _walk(command: Any, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    """(path, command) for the root and every group and command under it. Typer may vendor Click, so
    groups are recognised by their `commands` mapping rather than by class."""
    found = [(path, command)]
    if isinstance(getattr(command, "commands", None), dict):
        for name, sub in command.commands.items():
            found += _walk(sub, (*path, name))
    return found


ROOT = typer.main.get_command(app)
ALL = _walk(ROOT)
IDS = [" ".join(path) or "arctl" for path, _ in ALL]


def test_the_tree_is_what_the_readme_test_expects() -> None:
    assert set(ROOT.commands) == set(TOP_LEVEL)
    assert len(ALL) > len(TOP_LEVEL) + 1  # groups have subcommands


@pytest.mark.parametrize(("path", "command"), ALL, ids=IDS)
def test_every_command_and_group_has_help(path: tuple[str, ...], command: Any) -> None:
    text = (command.help or "").strip()
    assert text, f"arctl {' '.join(path)} has no help text"
    assert (command.get_short_help_str(limit=200) or "").strip()


@pytest.mark.parametrize(("path", "command"), ALL, ids=IDS)
def test_every_help_runs(cli, ledger_env: Path, path: tuple[str, ...], command: Any) -> None:  # type: ignore[no-untyped-def]
    result = cli(*path, "--help")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "Usage:" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    assert not ledger_env.exists(), "--help must not create or open the ledger"


@pytest.mark.parametrize("name", TOP_LEVEL)
def test_readme_mentions_every_top_level_command(name: str) -> None:
    assert README.is_file(), "README.md is missing"
    text = README.read_text(encoding="utf-8")
    assert re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text), f"README.md never mentions `{name}`"
