"""Plain helpers shared by CLI tests (fixtures live in conftest.py)."""

from __future__ import annotations


def refused(result, *fragments: str, code: int = 1) -> None:  # type: ignore[no-untyped-def]
    """A user error: the exit code, one `error:` line first on stderr, no traceback, and the fragments."""
    assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout
    if code == 1:
        assert result.stderr.startswith("error: "), result.stderr
    for fragment in fragments:
        assert fragment in result.stderr, (fragment, result.stderr)
