"""Reports as plain data (hledger's idea): every renderer (table, csv, json, xlsx) reads only this."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from arctl.domain.money import Money

CellKind = Literal["text", "money", "int", "date"]
Cell = str | int | date | Money | None


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
    rows: list[dict[str, Cell]]
    totals: list[dict[str, Cell]] = field(default_factory=list)
    as_of: date | None = None
    notes: list[str] = field(default_factory=list)
    """Short lines printed under a table (and carried in json)."""
