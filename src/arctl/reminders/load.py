"""Reading the dunning policy: the shipped `default_policy.toml`, then a user's TOML file over it.

```toml
fee_currency = "CNY"        # currency of the fixed fees written in this file
default = "standard"        # ladder of customers no rule matches
inherit_defaults = true     # false: start from nothing instead of the shipped ladders and rules

[holds]                     # each key replaces the shipped value
promise_grace_days = 2      # a promise holds its items this many days after its date
disputes_stop_interest = true
dispute_alert_days = 30     # the worklist flags disputes open longer

[exclude]                   # never reminded; each list replaces the shipped one
codes = ["C0042"]
tags = ["no-dunning"]

[[rules]]                   # the whole list replaces the shipped rules; first match wins
grades = ["A"]              # and/or tags = ["key-account"]
ladder = "gentle"

[ladders.standard]          # replaces the shipped ladder of that name, or adds a new one
description = "..."
[[ladders.standard.steps]]  # offsets strictly increasing
key = "overdue"             # what the ledger records as done
offset_days = 1             # relative to the due date
channel = "email"           # email phone visit letter lawyer legal
template = "overdue"
title = "Overdue notice / 逾期通知"
fee = "50.00"               # optional: fixed fee (decimal string or whole number, never a float)
fee_percent = "1.5"         # optional: % of the open balance, at most 2 decimals
```
Every error is `InvalidInput(file=, row=, field=)`: the file, the TOML line when it can be found, and the
key as a path (`ladders.standard.steps[3].channel`, array positions 1-based); unknown keys suggest the
nearest known one.
"""

from __future__ import annotations

import difflib
import functools
import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path as FilePath
from typing import TypeVar

from arctl.domain.errors import InvalidInput
from arctl.domain.money import normalize_currency, parse_amount
from arctl.reminders.policy import Fee, Holds, Ladder, Path, Policy, PolicyProblem, Rule, Step, format_path

DEFAULTS = "default_policy.toml"
TOP_KEYS = ("fee_currency", "default", "inherit_defaults", "holds", "exclude", "rules", "ladders")
HOLD_KEYS = ("promise_grace_days", "disputes_stop_interest", "dispute_alert_days")
EXCLUDE_KEYS = ("codes", "tags")
RULE_KEYS = ("grades", "tags", "ladder")
LADDER_KEYS = ("description", "steps")
STEP_KEYS = ("key", "offset_days", "channel", "template", "title", "fee", "fee_percent")
T = TypeVar("T")
_PERCENT = re.compile(r"^(\d{1,3})(?:\.(\d{1,2}))?$")


@dataclass
class _Doc:
    """What one file says; None where it says nothing (and the file below it holds)."""

    file: str
    text: str
    fee_currency: str = "CNY"
    default: str | None = None
    inherit: bool = True
    codes: frozenset[str] | None = None
    tags: frozenset[str] | None = None
    rules: tuple[Rule, ...] | None = None
    ladders: dict[str, Ladder] = field(default_factory=dict)
    holds: dict[str, object] = field(default_factory=dict)

    def fail(self, path: Path, reason: str) -> InvalidInput:
        return InvalidInput(reason, file=self.file, row=key_line(self.text, path), field=format_path(path))


@functools.cache
def default_policy() -> Policy:
    """The shipped policy."""
    resource = resources.files("arctl.reminders") / DEFAULTS
    doc = _parse(str(resource), resource.read_bytes())
    return _merge([doc])


def load_policy(path: str | FilePath | None = None) -> Policy:
    """The shipped policy, overridden by the TOML file at `path` when given (see the module docstring)."""
    if path is None:
        return default_policy()
    file = str(path)
    try:
        data = FilePath(path).read_bytes()
    except OSError as exc:
        raise InvalidInput(f"cannot read the policy: {exc.strerror or exc}", file=file) from None
    user = _parse(file, data)
    if not user.inherit:
        return _merge([user])
    resource = resources.files("arctl.reminders") / DEFAULTS
    return _merge([_parse(str(resource), resource.read_bytes()), user])


def _merge(docs: list[_Doc]) -> Policy:
    ladders: dict[str, Ladder] = {}
    owner: dict[str, _Doc] = {}  # which file set each top-level key, for messages
    default: str | None = None
    rules: tuple[Rule, ...] = ()
    codes: frozenset[str] = frozenset()
    tags: frozenset[str] = frozenset()
    holds: dict[str, object] = {}
    for doc in docs:
        holds.update(doc.holds)
        if doc.holds:
            owner["holds"] = doc
        ladders.update(doc.ladders)
        if doc.ladders:
            owner["ladders"] = doc
        if doc.default is not None:
            default, owner["default"] = doc.default, doc
        if doc.rules is not None:
            rules, owner["rules"] = doc.rules, doc
        if doc.codes is not None:
            codes, owner["exclude"] = doc.codes, doc
        if doc.tags is not None:
            tags, owner["exclude"] = doc.tags, doc
    if default is None:
        last = docs[-1]
        raise InvalidInput("the policy needs a default ladder (default = ...)", file=last.file, field="default")
    try:
        return Policy(ladders, default, rules, codes, tags, Holds(**holds), sources=tuple(d.file for d in docs))  # type: ignore[arg-type]
    except PolicyProblem as exc:
        doc = owner.get(str(exc.path[0]), docs[-1])
        raise doc.fail(exc.path, exc.detail) from None


def _parse(file: str, data: bytes) -> _Doc:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        row = data[: exc.start].count(b"\n") + 1
        raise InvalidInput("a TOML file must be UTF-8", file=file, row=row) from None
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        where = re.search(r"\(at line (\d+), column \d+\)", message)
        reason = re.sub(r"\s*\(at line \d+, column \d+\)", "", message) or "syntax error"
        raise InvalidInput(f"not valid TOML: {reason}", file=file, row=int(where[1]) if where else None) from None
    doc = _Doc(file, text)
    _known(doc, document, TOP_KEYS, ())
    if "fee_currency" in document:
        value = _string(doc, document["fee_currency"], ("fee_currency",))
        try:
            doc.fee_currency = normalize_currency(value)
        except InvalidInput as exc:
            raise doc.fail(("fee_currency",), exc.reason) from None
    if "default" in document:
        doc.default = _string(doc, document["default"], ("default",))
    if "inherit_defaults" in document:
        doc.inherit = _typed(doc, document["inherit_defaults"], bool, ("inherit_defaults",), "true or false")
    if "holds" in document:
        holds = _table(doc, document["holds"], ("holds",))
        _known(doc, holds, HOLD_KEYS, ("holds",))
        for key, value in holds.items():
            kind = bool if key == "disputes_stop_interest" else int
            doc.holds[key] = _typed(
                doc, value, kind, ("holds", key), "true or false" if kind is bool else "a whole number of days"
            )
    if "exclude" in document:
        exclude = _table(doc, document["exclude"], ("exclude",))
        _known(doc, exclude, EXCLUDE_KEYS, ("exclude",))
        if "codes" in exclude:
            doc.codes = frozenset(c.strip().upper() for c in _strings(doc, exclude["codes"], ("exclude", "codes")))
        if "tags" in exclude:
            doc.tags = frozenset(t.strip().lower() for t in _strings(doc, exclude["tags"], ("exclude", "tags")))
    if "rules" in document:
        doc.rules = tuple(_rule(doc, value, ("rules", i)) for i, value in enumerate(_array(doc, document["rules"], ("rules",))))  # fmt: skip
    for name, value in _table(doc, document.get("ladders", {}), ("ladders",)).items():
        doc.ladders[name] = _ladder(doc, name, value)
    return doc


def _rule(doc: _Doc, value: object, path: Path) -> Rule:
    table = _table(doc, value, path)
    _known(doc, table, RULE_KEYS, path)
    if "ladder" not in table:
        raise doc.fail((*path, "ladder"), 'a rule needs a ladder (ladder = "...")')
    grades = frozenset(g.strip().upper() for g in _strings(doc, table.get("grades", []), (*path, "grades")))
    tags = frozenset(t.strip().lower() for t in _strings(doc, table.get("tags", []), (*path, "tags")))
    return Rule(_string(doc, table["ladder"], (*path, "ladder")), grades, tags)


def _ladder(doc: _Doc, name: str, value: object) -> Ladder:
    path: Path = ("ladders", name)
    table = _table(doc, value, path)
    _known(doc, table, LADDER_KEYS, path)
    description = _typed(doc, table.get("description", ""), str, (*path, "description"), "a string")
    steps = tuple(
        _step(doc, v, (*path, "steps", i))
        for i, v in enumerate(_array(doc, table.get("steps", []), (*path, "steps")))
    )
    try:
        return Ladder(name, steps, description)
    except PolicyProblem as exc:
        where = exc.path if exc.path[0] == "steps" else ()
        raise doc.fail((*path, *where), exc.detail) from None


def _step(doc: _Doc, value: object, path: Path) -> Step:
    table = _table(doc, value, path)
    _known(doc, table, STEP_KEYS, path)
    for key in ("key", "offset_days", "channel", "template"):
        if key not in table:
            raise doc.fail((*path, key), f"a step needs {key} = ...")
    fixed = _fee(doc, table["fee"], (*path, "fee")) if "fee" in table else 0
    percent = _percent(doc, table["fee_percent"], (*path, "fee_percent")) if "fee_percent" in table else 0
    fee = Fee(fixed, doc.fee_currency, percent) if fixed or percent else None
    try:
        return Step(
            key=_string(doc, table["key"], (*path, "key")),
            offset_days=_typed(doc, table["offset_days"], int, (*path, "offset_days"), "a whole number of days"),
            channel=_string(doc, table["channel"], (*path, "channel")),
            template=_string(doc, table["template"], (*path, "template")),
            title=_typed(doc, table.get("title", ""), str, (*path, "title"), "a string"),
            fee=fee,
        )
    except PolicyProblem as exc:
        raise doc.fail((*path, *exc.path), exc.detail) from None


def _fee(doc: _Doc, value: object, path: Path) -> int:
    if isinstance(value, float):
        raise doc.fail(path, 'write amounts as strings ("50.00") or whole numbers, never floats')
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise doc.fail(path, 'must be an amount such as "50.00"')
    if isinstance(value, int) and value < 0:
        raise doc.fail(path, "must not be negative")
    try:
        return parse_amount(str(value), doc.fee_currency)
    except InvalidInput as exc:
        raise doc.fail(path, exc.reason) from None


def _percent(doc: _Doc, value: object, path: Path) -> int:
    """A percentage ("1.5") → 150 basis points; 0 to 100 with at most 2 decimals, floats refused."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise doc.fail(path, 'must be a percentage written as a string ("1.5") or a whole number')
    text = str(value).strip()
    if text.startswith("-"):
        raise doc.fail(path, "must not be negative")
    match = _PERCENT.match(text)
    if not match or int(match[1]) * 100 + int((match[2] or "0").ljust(2, "0")) > 10_000:
        raise doc.fail(path, f"{value!r} is not a percentage from 0 to 100 with at most 2 decimals")
    return int(match[1]) * 100 + int((match[2] or "0").ljust(2, "0"))


# --- shape checks ----------------------------------------------------------------------------------


def _known(doc: _Doc, table: dict[str, object], known: tuple[str, ...], path: Path) -> None:
    for key in table:
        if key not in known:
            close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise doc.fail((*path, key), f"unknown key{hint}; known: {', '.join(known)}")


def _typed(doc: _Doc, value: object, kind: type[T], path: Path, what: str) -> T:
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise doc.fail(path, f"must be {what}")
    return value


def _string(doc: _Doc, value: object, path: Path) -> str:
    text = _typed(doc, value, str, path, "a string").strip()
    if not text:
        raise doc.fail(path, "must not be empty")
    return text


def _strings(doc: _Doc, value: object, path: Path) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(v, str) and v.strip() for v in items):
        raise doc.fail(path, "must be a list of non-empty strings")
    return tuple(items)


def _table(doc: _Doc, value: object, path: Path) -> dict[str, object]:
    return _typed(doc, value, dict, path, f"a table: [{format_path(path)}]")


def _array(doc: _Doc, value: object, path: Path) -> list[object]:
    return _typed(doc, value, list, path, f"an array of tables: [[{format_path(path)}]]")


# --- locating a key in the text --------------------------------------------------------------------

_BARE = r"[A-Za-z0-9_-]+|\"(?:[^\"\\]|\\.)*\"|'[^']*'"
_DOTTED = rf"(?:{_BARE})(?:\s*\.\s*(?:{_BARE}))*"
_HEADER = re.compile(rf"^\s*(\[\[?)\s*({_DOTTED})\s*\]\]?\s*(?:#.*)?$")
_ASSIGN = re.compile(rf"^\s*({_DOTTED})\s*=")
_PART = re.compile(_BARE)


def _keys(dotted: str) -> tuple[str, ...]:
    return tuple(p[1:-1] if p[:1] in "\"'" else p for p in _PART.findall(dotted))


def key_line(text: str, target: Path) -> int | None:
    """The 1-based line that sets `target` (or the nearest enclosing table or key that does); None if none.

    A heuristic over table headers and `key =` lines; enough for messages, not a TOML parser.
    """
    best, best_depth = None, 0
    current: Path = ()
    counts: dict[tuple[str, ...], int] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if header := _HEADER.match(line):
            keys = _keys(header[2])
            if header[1] == "[[":
                counts[keys] = counts.get(keys, -1) + 1
                current = (*keys, counts[keys])
            else:
                current = keys
            path = current
        elif assign := _ASSIGN.match(line):
            path = (*current, *_keys(assign[1]))
        else:
            continue
        if target[: len(path)] == path:
            depth = len(path)  # this line sets the target or a table holding it
        elif path[: len(target)] == target:
            depth = len(target)  # the target is a table set only through its children
        else:
            continue
        if depth > best_depth:
            best, best_depth = number, depth
    return best
