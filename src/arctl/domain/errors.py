"""The one error family. The CLI turns each into `error: ...` on stderr and an exit code.

Exit codes (architecture.md): 0 ok, 1 refused or failed with nothing changed, 2 usage, 3 findings.
"""

from __future__ import annotations


class ArctlError(Exception):
    """A user-facing failure: the message is complete, and nothing was changed."""

    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.field = field
        """The input field the error is about, when there is one (imports report it as the column)."""

    @property
    def reason(self) -> str:
        """The message without any location prefix."""
        return self.message


class NotFound(ArctlError):
    """A reference (customer, invoice, payment...) names nothing in the ledger."""


class Ambiguous(ArctlError):
    """A reference matches several records; the message lists them."""


class InvalidInput(ArctlError):
    """Bad input. When it came from a file, the message starts with FILE:ROW: COLUMN:."""

    def __init__(
        self,
        reason: str,
        *,
        file: str | None = None,
        row: int | None = None,
        field: str | None = None,
        hint: str | None = None,
    ) -> None:
        self._reason, self.file, self.row = reason, file, row
        where = ":".join(p for p in (file, None if row is None else str(row)) if p)
        if field:
            where = f"{where}: {field}" if where else field
        super().__init__(f"{where}: {reason}" if where else reason, hint=hint, field=field)

    @property
    def reason(self) -> str:
        return self._reason

    def at(self, *, file: str | None = None, row: int | None = None, field: str | None = None) -> InvalidInput:
        """The same complaint, located in a file; keeps what was already known."""
        return InvalidInput(
            self.reason,
            file=file or self.file,
            row=row if row is not None else self.row,
            field=field or self.field,
            hint=self.hint,
        )


class Refused(ArctlError):
    """The ledger's rules forbid the change (over-allocation, voiding a paid invoice...)."""


class Findings(ArctlError):
    """A check ran and found problems (verify failed, alerts raised)."""

    exit_code = 3
