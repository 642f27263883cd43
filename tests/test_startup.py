"""Start-up stays light: importing the CLI loads typer and the thin command modules, nothing heavy."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import arctl

HEAVY = (
    "sqlalchemy",
    "sqlalchemy.orm",
    "openpyxl",
    "alembic",
    "jinja2",
    "rich",
    "lxml",
    "ofxparse",
    "mt940",
    "rapidfuzz",
    "numpy",
    "xlrd",
    "charset_normalizer",
)


def _python(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=timeout,
                          env=os.environ.copy())  # fmt: skip


def _loaded_after(code: str) -> dict[str, bool]:
    script = textwrap.dedent(code) + textwrap.dedent(
        f"""
        import json, sys
        print(json.dumps({{m: m in sys.modules for m in {list(HEAVY)!r}}}))
        """
    )
    result = _python("-c", script)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_importing_the_cli_loads_nothing_heavy() -> None:
    loaded = _loaded_after("import arctl.cli.main")
    assert [m for m, present in loaded.items() if present] == []


def test_building_the_command_tree_loads_no_database_code() -> None:
    """Click's command objects (what --help needs) come without SQLAlchemy, Alembic or openpyxl."""
    loaded = _loaded_after(
        """
        import typer.main
        from arctl.cli.main import app
        typer.main.get_command(app)
        """
    )
    assert not any(loaded[m] for m in ("sqlalchemy", "sqlalchemy.orm", "alembic", "openpyxl"))


def test_help_loads_no_database_code() -> None:
    loaded = _loaded_after(
        """
        from arctl.cli.main import app
        for args in (["--help"], ["customer", "--help"], ["balance", "--help"], ["db", "upgrade", "--help"],
                     ["bank", "--help"], ["bank", "import", "--help"], ["bank", "match", "--help"],
                     ["remind", "run", "--help"], ["interest", "quote", "--help"], ["promise", "add", "--help"],
                     ["dispute", "open", "--help"], ["contact", "log", "--help"]):
            try:
                app(args, standalone_mode=False)
            except SystemExit:
                pass
        """
    )
    assert [m for m, present in loaded.items() if present and m != "rich"] == []


def test_python_dash_m_help() -> None:
    result = _python("-m", "arctl", "--help")
    assert result.returncode == 0, result.stderr
    assert "Usage:" in result.stdout
    for name in ("customer", "invoice", "balance", "aging", "db"):
        assert name in result.stdout


def test_version() -> None:
    result = _python("-m", "arctl", "--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"arctl {arctl.__version__}"


def test_console_script_version() -> None:
    script = Path(sys.executable).with_name("arctl")
    if not script.exists():
        pytest.skip("no arctl console script beside this interpreter")
    result = subprocess.run([str(script), "--version"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"arctl {arctl.__version__}"


def test_no_arguments_shows_help_not_an_error() -> None:
    result = _python("-m", "arctl")
    assert "Usage:" in result.stdout + result.stderr
    assert "Traceback" not in result.stderr
