"""Payment terms: named templates and installment plans, parsed into due rules.

Grammar (parts separated by commas; percentages must add up to 100):

    net30 | net 30 | eom | eom+30 | 2/10 net 30 | due on receipt | on 2026-03-31
    30% on signing, 40% delivery+30d, 25% acceptance+90d, 5% retention+365d

An anchor is `on signing`/`on issue` (due on the issue date), `netN`/`N days` (issue + N), `eom+N`
(end of the issue month + N), a date, or an EVENT with `+Nd` (delivery, acceptance, go-live...): such an
installment has no due date until the event is recorded ("pending", never overdue). `retention+Nd`
releases the retention N days after the plan's previous milestone event (or after issue if none).
A kind word may precede the anchor: deposit 预付款, progress 中期款, final 尾款, retention 质保金, regular.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from arctl.domain.dates import end_of_month, parse_date
from arctl.domain.errors import InvalidInput


class InstallmentKind(StrEnum):
    """What an installment is for; drives wording in statements and letters."""

    DEPOSIT = "deposit"  # 预付款
    PROGRESS = "progress"  # 中期款
    FINAL = "final"  # 尾款
    RETENTION = "retention"  # 质保金
    REGULAR = "regular"


KIND_WORDS: dict[str, InstallmentKind] = {
    "deposit": InstallmentKind.DEPOSIT, "预付款": InstallmentKind.DEPOSIT, "首付款": InstallmentKind.DEPOSIT,
    "progress": InstallmentKind.PROGRESS, "中期款": InstallmentKind.PROGRESS, "进度款": InstallmentKind.PROGRESS,
    "final": InstallmentKind.FINAL, "尾款": InstallmentKind.FINAL,
    "retention": InstallmentKind.RETENTION, "质保金": InstallmentKind.RETENTION,
    "regular": InstallmentKind.REGULAR,
}  # fmt: skip

# Chinese event names map to the English keys stored in the ledger.
EVENT_WORDS = {"到货": "delivery", "发货": "shipment", "交付": "delivery", "验收": "acceptance", "上线": "go-live",
               "签约": "signing", "安装": "installation"}  # fmt: skip


KNOWN_EVENTS = frozenset(
    {"delivery", "shipment", "acceptance", "go-live", "installation", "commissioning", "completion", "handover",
     "inspection", "signing", "warranty-end"}
)  # fmt: skip


class DueKind(StrEnum):
    """How an installment's due date is determined."""

    FIXED = "fixed"  # a calendar date
    AFTER_ISSUE = "after_issue"  # issue date + days
    EOM = "eom"  # end of the issue month + days
    EVENT = "event"  # a milestone event's date + days; pending until the event is recorded


@dataclass(frozen=True, slots=True)
class DueRule:
    """When an installment falls due."""

    kind: DueKind
    days: int = 0
    """Days added to the anchor (issue date, month end or event date)."""
    event: str | None = None
    """Milestone event name for EVENT rules (delivery, acceptance, go-live...)."""
    fixed: date | None = None
    """The date itself for FIXED rules."""

    def due_date(self, issued: date, events: Mapping[str, date]) -> date | None:
        """The due date, or None while the rule's event has not happened."""
        match self.kind:
            case DueKind.FIXED:
                return self.fixed
            case DueKind.AFTER_ISSUE:
                return issued + timedelta(days=self.days)
            case DueKind.EOM:
                return end_of_month(issued) + timedelta(days=self.days)
            case DueKind.EVENT:
                happened = events.get(self.event or "")
                return None if happened is None else happened + timedelta(days=self.days)
        raise AssertionError(self.kind)  # pragma: no cover

    def describe(self) -> str:
        """Short human form, the inverse of the parser: `net30`, `eom+30`, `acceptance+90d`."""
        match self.kind:
            case DueKind.FIXED:
                return f"on {self.fixed}"
            case DueKind.AFTER_ISSUE:
                return "on issue" if self.days == 0 else f"net{self.days}"
            case DueKind.EOM:
                return "eom" if self.days == 0 else f"eom+{self.days}"
            case DueKind.EVENT:
                return f"{self.event}+{self.days}d"
        raise AssertionError(self.kind)  # pragma: no cover


@dataclass(frozen=True, slots=True)
class PlanPart:
    """One installment of a plan."""

    percent: Decimal
    kind: InstallmentKind
    rule: DueRule


@dataclass(frozen=True, slots=True)
class Terms:
    """Parsed terms: the plan parts plus an optional early-payment discount (2/10 net 30)."""

    text: str
    parts: tuple[PlanPart, ...]
    discount_percent: Decimal | None = None
    discount_days: int | None = None

    @property
    def events(self) -> tuple[str, ...]:
        """Milestone events the plan waits for, in plan order."""
        seen: list[str] = []
        for part in self.parts:
            if part.rule.event and part.rule.event not in seen:
                seen.append(part.rule.event)
        return tuple(seen)


_NAMED = {"cod": 0, "due on receipt": 0, "on receipt": 0, "immediate": 0, "upon receipt": 0, "现结": 0}
_DISCOUNT = re.compile(r"^(?P<pct>\d+(?:\.\d+)?)\s*/\s*(?P<days>\d+)\s+(?P<rest>.+)$")
_PERCENT = re.compile(r"^(?P<pct>\d+(?:\.\d+)?)\s*%\s*(?P<rest>.*)$")
_NET = re.compile(
    r"^(?:net\s*|n)(?P<days>\d+)$|^(?P<days2>\d+)\s*(?:d|days?|天)$|^issue\s*\+\s*(?P<days3>\d+)\s*d?$"
)
_EOM = re.compile(r"^eom(?:\s*\+\s*(?P<days>\d+)\s*d?)?$")
_EVENT = re.compile(r"^(?P<event>[a-z][a-z_-]*|[\u4e00-\u9fff]+)(?:\s*\+\s*(?P<days>\d+)\s*(?:d|days?|天)?)?$")
_ISSUE_ANCHORS = {"on signing", "signing", "on issue", "issue", "upfront", "on order", "签约", "签约时"}
MAX_DAYS = 3660  # ten years: anything longer is a typo, and would overflow date arithmetic


def parse_terms(text: str, *, field: str = "terms") -> Terms:
    """Parse a terms string into a plan; raises InvalidInput naming what is wrong."""
    raw = " ".join((text or "").strip().split())
    if not raw:
        raise InvalidInput("terms are empty", field=field)
    pieces = [p.strip() for p in re.split(r"[,，;；]", raw) if p.strip()]
    if len(pieces) == 1:
        return _single(raw, pieces[0], field)
    parts: list[PlanPart] = []
    last_event: str | None = None
    explicit_kinds: list[InstallmentKind | None] = []
    for index, piece in enumerate(pieces, start=1):
        match = _PERCENT.match(piece)
        if not match:
            raise InvalidInput(f"part {index} ({piece!r}) must start with a percentage like 30%", field=field)
        percent = _decimal(match["pct"], field)
        if percent <= 0:
            raise InvalidInput(
                f"part {index} ({piece!r}): every part of a plan must be a positive percentage", field=field
            )
        kind, anchor = _split_kind(match["rest"])
        if anchor.startswith("retention") and anchor != "retention":
            kind = kind or InstallmentKind.RETENTION
            rule = _retention_rule(anchor, last_event, piece, field)
        else:
            rule = _anchor(anchor, piece, field)
        if rule.event:
            last_event = rule.event
        explicit_kinds.append(kind)
        parts.append(PlanPart(percent, kind or InstallmentKind.REGULAR, rule))
    total = sum((p.percent for p in parts), Decimal(0))
    if total != 100:
        raise InvalidInput(f"plan percentages add up to {total}%, not 100%", field=field)
    return Terms(raw, tuple(_infer_kinds(parts, explicit_kinds)))


def _single(raw: str, piece: str, field: str) -> Terms:
    discount = _DISCOUNT.match(piece.lower())
    body = discount["rest"] if discount else piece
    percent_match = _PERCENT.match(body)
    if percent_match:
        if _decimal(percent_match["pct"], field) != 100:
            raise InvalidInput("a one-part plan must be 100%", field=field)
        body = percent_match["rest"]
    kind, anchor = _split_kind(body)
    rule = _anchor(anchor, piece, field)
    part = PlanPart(Decimal(100), kind or InstallmentKind.REGULAR, rule)
    if not discount:
        return Terms(raw, (part,))
    pct, days = _decimal(discount["pct"], field), int(discount["days"])
    if not 0 < pct < 100:
        raise InvalidInput(f"discount {pct}% must be between 0 and 100", field=field)
    return Terms(raw, (part,), discount_percent=pct, discount_days=days)


def _split_kind(text: str) -> tuple[InstallmentKind | None, str]:
    words = text.strip().split(None, 1)
    if len(words) == 2 and words[1].lstrip().startswith("+"):
        return None, text.strip()  # "retention + 180 days": the word is the anchor, not a kind prefix
    if words and words[0].lower().rstrip(":：") in KIND_WORDS and len(words) == 2:
        return KIND_WORDS[words[0].lower().rstrip(":：")], words[1].strip()
    return None, text.strip()


def _anchor(text: str, piece: str, field: str) -> DueRule:
    rule = _parse_anchor(text, piece, field)
    if not 0 <= rule.days <= MAX_DAYS:
        raise InvalidInput(f"{piece!r}: {rule.days} days is more than {MAX_DAYS}", field=field)
    return rule


def _parse_anchor(text: str, piece: str, field: str) -> DueRule:
    anchor = text.strip().lower()
    if anchor in _ISSUE_ANCHORS or anchor in _NAMED:
        return DueRule(DueKind.AFTER_ISSUE, 0)
    if match := _NET.match(anchor):
        return DueRule(DueKind.AFTER_ISSUE, int(match["days"] or match["days2"] or match["days3"]))
    if match := _EOM.match(anchor):
        return DueRule(DueKind.EOM, int(match["days"] or 0))
    if anchor.startswith("on ") or anchor[:1].isdigit():
        try:
            return DueRule(DueKind.FIXED, fixed=parse_date(anchor.removeprefix("on ").strip(), field=field))
        except InvalidInput:
            pass
    if match := _EVENT.match(anchor):
        event = EVENT_WORDS.get(match["event"], match["event"])
        if event in KIND_WORDS or event in ("net", "eom", "on"):
            raise InvalidInput(f"{piece!r}: {event!r} is not a milestone event", field=field)
        if match["days"] is None and event not in KNOWN_EVENTS:
            # A typo ("delivry") would leave the installment pending forever, never overdue: an unknown
            # event name is accepted only with an explicit +Nd, which shows it is meant.
            raise InvalidInput(
                f"{piece!r}: unknown event {event!r} (known: {', '.join(sorted(KNOWN_EVENTS))}; "
                f"write {event}+0d for a custom one)",
                field=field,
            )
        return DueRule(DueKind.EVENT, int(match["days"] or 0), event=event)
    raise InvalidInput(
        f"cannot read {piece!r} (expected net30, eom+30, on signing, on 2026-03-31 or EVENT+Nd)", field=field
    )


def _retention_rule(anchor: str, last_event: str | None, piece: str, field: str) -> DueRule:
    match = re.match(r"^retention\s*\+\s*(\d+)\s*(?:d|days?|天)?$", anchor.lower())
    if not match:
        raise InvalidInput(f"cannot read {piece!r} (expected retention+365d)", field=field)
    days = int(match[1])
    if days > MAX_DAYS:
        raise InvalidInput(f"{piece!r}: {days} days is more than {MAX_DAYS}", field=field)
    if last_event is None:
        return DueRule(DueKind.AFTER_ISSUE, days)
    return DueRule(DueKind.EVENT, days, event=last_event)


def _infer_kinds(parts: list[PlanPart], explicit: list[InstallmentKind | None]) -> list[PlanPart]:
    """Deposit for an up-front first part, final for the last non-retention part, progress between."""
    last_main = max((i for i, p in enumerate(parts) if p.kind != InstallmentKind.RETENTION), default=-1)
    out = []
    for i, (part, kind) in enumerate(zip(parts, explicit, strict=True)):
        if kind is None:
            upfront = part.rule.kind == DueKind.AFTER_ISSUE and part.rule.days == 0
            if i == 0 and upfront:
                kind = InstallmentKind.DEPOSIT
            elif i == last_main:
                kind = InstallmentKind.FINAL
            else:
                kind = InstallmentKind.PROGRESS
        out.append(PlanPart(part.percent, kind, part.rule))
    return out


def _decimal(text: str, field: str) -> Decimal:
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the regexes only pass digits
        raise InvalidInput(f"{text!r} is not a number", field=field) from None
