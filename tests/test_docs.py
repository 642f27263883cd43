"""Documentation: every command and group explains itself, and the README covers every top-level command."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import typer
import typer.main

from arctl.cli.main import app

README = Path(__file__).resolve().parents[1] / "README.md"
TOP_LEVEL = ("customer", "invoice", "milestone", "payment", "credit-note", "write-off",
             "balance", "aging", "verify", "demo", "db", "rollforward", "statement", "report", "bank", "remind", "interest",
             "promise", "dispute", "contact", "today")  # fmt: skip


def _walk(command: Any, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    """(path, command) for the root and every group and command under it. Groups are recognised by
    `list_commands` (the root loads its subcommands lazily, so its `commands` mapping is empty)."""
    found = [(path, command)]
    if hasattr(command, "list_commands"):
        ctx = typer.Context(command)
        for name in command.list_commands(ctx):
            found += _walk(command.get_command(ctx, name), (*path, name))
    return found


ROOT = typer.main.get_command(app)
ALL = _walk(ROOT)
IDS = [" ".join(path) or "arctl" for path, _ in ALL]


def test_the_tree_is_what_the_readme_test_expects() -> None:
    assert set(ROOT.list_commands(typer.Context(ROOT))) == set(TOP_LEVEL)
    assert len(ALL) > len(TOP_LEVEL) + 1  # groups have subcommands


@pytest.mark.parametrize("name", TOP_LEVEL)
def test_root_help_line_is_the_command_s_own(name: str) -> None:
    """`arctl --help` lists commands without importing them; its lines must not drift from the real help."""
    from arctl.cli._context import ArctlGroup

    command = ROOT.get_command(typer.Context(ROOT), name)
    assert ArctlGroup.lazy[name].help == (command.help or "").strip().splitlines()[0]


def test_root_help_imports_no_command_module() -> None:
    import subprocess
    import sys

    code = (
        "import sys; from arctl.cli.main import app; import typer.main; "
        "cmd = typer.main.get_command(app); cmd.main(['--help'], standalone_mode=False); "
        "print(sorted(m for m in sys.modules if m.startswith('arctl.cli.') and m.split('.')[2][0] != '_'))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "['arctl.cli.main']"


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
