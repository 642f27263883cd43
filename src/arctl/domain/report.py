"""Reports as plain data (hledger's idea): every renderer (table, csv, json, xlsx) reads only this."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal

from arctl.domain.money import Money

CellKind = Literal["text", "money", "int", "date", "number", "percent"]
"""money: Money · int: whole number (days, counts) · number: Decimal (DSO days, ratios) ·
percent: Decimal percentage points (12.5 means 12.5 %) · date · text."""
Cell = str | int | Decimal | date | Money | None
Row = dict[str, Cell]


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    """Stable machine name: the csv header and the json key."""
    title: str
    """Human heading for tables."""
    kind: CellKind = "text"
    wide_only: bool = False
    """Hidden in an 80-column table unless --wide."""


@dataclass(frozen=True, slots=True)
class Report:
    """A titled table of rows with optional total rows (one per currency: never mixed)."""

    name: str
    """Machine name, e.g. "aging", also the json `report` field."""
    title: str
    columns: tuple[Column, ...]
    rows: Iterable[Row]
    """May be a one-shot generator: file renderers stream it (constant memory on any ledger size)."""
    totals: Sequence[Row] | Callable[[], Sequence[Row]] = field(default_factory=list)
    """Total rows (one per currency), or a function giving them once `rows` has been consumed
    (a streaming report accumulates its totals while its rows go by)."""
    as_of: date | None = None
    notes: list[str] = field(default_factory=list)
    """Short lines printed under a table (and carried in json)."""

    def final_totals(self) -> list[Row]:
        """The total rows; call only after iterating `rows` when they are streamed."""
        return list(self.totals() if callable(self.totals) else self.totals)
