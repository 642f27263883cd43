"""Business dates. "Today" comes from one place so tests and replays can pin it (ARCTL_TODAY)."""

from __future__ import annotations

import calendar
import os
import re
from datetime import date, timedelta

from arctl.domain.errors import InvalidInput

_ISO = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_CHINESE = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$")


def today() -> date:
    """The business date: ARCTL_TODAY (YYYY-MM-DD) when set, else the local calendar date."""
    pinned = os.environ.get("ARCTL_TODAY")
    if pinned:
        return parse_date(pinned, field="ARCTL_TODAY")
    return date.today()


def parse_date(text: str | date, *, field: str = "date") -> date:
    """Parse an unambiguous date: 2026-01-31, 2026/1/31, 20260131, 2026年1月31日, today, yesterday.

    Day-first and month-first forms (01/02/2026) are refused: they are ambiguous between banks.
    """
    if isinstance(text, date):
        return text
    raw = (text or "").strip()
    lowered = raw.lower()
    if lowered in ("today", "今天"):
        return today()
    if lowered in ("yesterday", "昨天"):
        return today() - timedelta(days=1)
    match = _ISO.match(raw) or _COMPACT.match(raw) or _CHINESE.match(raw)
    if not match:
        raise InvalidInput(f"{raw!r} is not a date (expected YYYY-MM-DD)", field=field)
    year, month, day = (int(g) for g in match.groups())
    try:
        return date(year, month, day)
    except ValueError as exc:
        raise InvalidInput(f"{raw!r} is not a valid date ({exc})", field=field) from None


def end_of_month(day: date) -> date:
    """Last calendar day of `day`'s month."""
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])
