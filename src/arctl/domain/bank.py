"""Bank reconciliation records and rules that need no database: line identity, balance checks, summaries."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from arctl.domain.money import format_amount


def line_identity(
    *,
    account: str,
    source: str,
    bank_ref: str,
    booked_on: date,
    currency: str,
    amount_minor: int,
    payer_name: str,
    payer_account: str,
    memo: str,
) -> str:
    """What makes two bank lines the same line (before the occurrence index is added).

    The bank's own id when it gives one, scoped by our account (FITIDs are unique per account only);
    otherwise a hash of the content. `source` stands in for the account when the file names none (an
    Alipay bill), so ids of different systems never collide.
    """
    scope = account or f"?{source}"
    if bank_ref:
        return f"{scope}|ref|{bank_ref}"
    parts = (booked_on.isoformat(), currency, str(amount_minor), " ".join(payer_name.split()), payer_account,
             " ".join(memo.split()))  # fmt: skip
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]
    return f"{scope}|h|{digest}"


def dedupe_keys(identities: Iterable[str]) -> list[str]:
    """Add the occurrence index within the file to content-hash identities, so that two genuine identical
    transfers on one day both survive, while the same file (or an overlapping one) read again maps each
    line to the key it had the first time. Bank ids are unique already and keep no index."""
    seen: dict[str, int] = {}
    keys = []
    for identity in identities:
        if "|ref|" in identity:
            keys.append(identity)
            continue
        seen[identity] = seen.get(identity, 0) + 1
        keys.append(f"{identity}#{seen[identity]}")
    return keys


@dataclass(frozen=True, slots=True)
class BalanceCheck:
    """A statement's stated balances against its lines."""

    account: str
    currency: str
    opening_minor: int
    lines_minor: int
    closing_minor: int

    @property
    def difference(self) -> int:
        """closing − (opening + lines): zero when the statement adds up."""
        return self.closing_minor - (self.opening_minor + self.lines_minor)

    def describe(self) -> str:
        def f(minor: int) -> str:
            return format_amount(minor, self.currency, grouping=True)

        return (
            f"account {self.account or '(unnamed)'} {self.currency}: opening {f(self.opening_minor)} "
            f"+ lines {f(self.lines_minor)} = {f(self.opening_minor + self.lines_minor)}, "
            f"but the closing balance is {f(self.closing_minor)} (difference {f(self.difference)})"
        )


@dataclass(frozen=True, slots=True)
class ImportSummary:
    """What one bank file did to the ledger (or would have done, under --dry-run)."""

    path: str
    format: str
    encoding: str
    statements: int
    lines_read: int
    """Every line in the file, debits and non-cash rows included."""
    credits: int
    """Cash-in lines (what reconciliation is about)."""
    added: int
    skipped: int
    """Cash-in lines already in the ledger (same bank id, or same content at the same occurrence)."""
    ignored: int
    """Debits and rows that are not cash (Alipay 不计收支, closed trades, pending entries)."""
    import_id: int | None
    already_imported: int | None = None
    """The id of the earlier import of the very same bytes, when that is what this file is."""
    forced: tuple[BalanceCheck, ...] = field(default=())
    """Balances that did not add up and were taken anyway (--force records the difference)."""
    notes: tuple[str, ...] = field(default=())
    amounts: tuple[tuple[str, int], ...] = field(default=())
    """(currency, minor) totals of the added cash-in lines."""
