"""The dunning policy: ladders of steps relative to the due date, and which customer follows which ladder.

A `Ladder` is a list of `Step`s ordered by strictly increasing `offset_days` (−7 = a week before the due
date, +30 = a month late). A `Policy` holds the ladders by name, the default ladder, assignment `Rule`s
(credit grade and/or customer tag → ladder; the first matching rule wins) and the excluded customer codes
and tags. `ladder_for` applies them. The objects check themselves on construction (`problem()`), so a
policy built in code is held to the same rules as one read from TOML (`load.load_policy`).

Step keys name what was done for an installment ("overdue", "demand"...); they are what the ledger records,
and ladders share them so that a customer moved to another ladder is not reminded again of a step already
taken. Template names become file names (`reminder_<template>.<lang>...`), hence the strict pattern.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from arctl.domain.errors import InvalidInput
from arctl.domain.money import EXPONENTS

CHANNELS: tuple[str, ...] = ("email", "phone", "visit", "letter", "lawyer", "legal")
"""How a step reaches the customer, mildest first: email (an .eml or SMTP), phone and visit (tasks for the
worklist), letter (a printable formal demand), lawyer (a lawyer's letter 律师函), legal (a legal-action
task: 诉讼)."""

MAX_OFFSET_DAYS = 3660
"""Steps lie within ten years either side of the due date."""

NAME = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")
"""Ladder names, step keys and template names: lower case, digits, '-' and '_' (safe in file names)."""
GRADE = re.compile(r"^[A-Z][A-Z0-9+-]{0,7}$")
"""A credit grade as stored on the customer (upper case): A, B, C, D, AA, B+..."""
TAG = re.compile(r"^[\w.-]{1,40}$")
"""A customer tag as stored (lower case, single word)."""

Path = tuple[str | int, ...]
"""Where a problem is, as TOML keys and 0-based array indexes: ("steps", 2, "offset_days")."""

_FEE_KEYS = {"fixed_minor": "fee", "currency": "fee", "percent_bp": "fee_percent"}
"""Fee fields → the step's TOML keys."""


class PolicyProblem(InvalidInput):
    """A policy object that does not hold together; `path` says where (relative to the object)."""

    def __init__(self, what: str, path: Path, detail: str) -> None:
        super().__init__(f"{what}: {detail}", field=format_path(path))
        self.path = path
        self.detail = detail


def format_path(path: Path) -> str:
    """("ladders", "std", "steps", 2, "fee") → "ladders.std.steps[3].fee" (array positions 1-based)."""
    out = ""
    for part in path:
        out += f"[{part + 1}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


@dataclass(frozen=True, slots=True)
class Fee:
    """A dunning fee charged with a step, at most once per (installment, step)."""

    fixed_minor: int = 0
    """A fixed amount in minor units of `currency`; only charged on installments in that currency."""
    currency: str = "CNY"
    """The currency of `fixed_minor` (ISO 4217)."""
    percent_bp: int = 0
    """A share of the installment's open balance, in basis points (150 = 1.5 %), rounded half up."""

    def amount(self, open_minor: int, currency: str) -> int:
        """The fee, in minor units of `currency`, on an installment with `open_minor` still open."""
        base = max(open_minor, 0)
        fee = (base * self.percent_bp + 5_000) // 10_000
        return fee + (self.fixed_minor if currency == self.currency else 0)

    def problem(self) -> tuple[Path, str] | None:
        for name in ("fixed_minor", "percent_bp"):
            value = getattr(self, name)
            if type(value) is not int or value < 0:
                return (name,), "must be a whole number, not negative"
        if self.percent_bp > 10_000:
            return ("percent_bp",), "must be at most 100 %"
        if self.currency not in EXPONENTS:
            return ("currency",), f"unknown currency {self.currency!r}"
        return None


@dataclass(frozen=True, slots=True)
class Step:
    """One rung of a ladder: on due date + `offset_days`, do `channel` with `template`."""

    key: str
    """What the ledger records as done for the installment ("friendly", "overdue", "demand", "lawyer"...)."""
    offset_days: int
    """Days relative to the due date: −7 a week before, 0 on the day, +30 a month late."""
    channel: str
    """One of `CHANNELS`."""
    template: str
    """The message or task template (`reminder_<template>.<lang>.*` in the templates folder)."""
    title: str = ""
    """A human label for `arctl remind policy` and the worklist ("律师函 lawyer's letter")."""
    fee: Fee | None = None
    """A fee charged with this step, or None."""

    def problem(self) -> tuple[Path, str] | None:
        """The first thing wrong with the step as (path, reason), or None."""
        if not isinstance(self.key, str) or not NAME.match(self.key):
            return ("key",), "must be 1-40 characters: lower-case letters, digits, '-' and '_'"
        if type(self.offset_days) is not int or abs(self.offset_days) > MAX_OFFSET_DAYS:
            limit = MAX_OFFSET_DAYS
            return ("offset_days",), f"must be a whole number of days between -{limit} and {limit}"
        if self.channel not in CHANNELS:
            return ("channel",), f"{self.channel!r} is not a channel; use one of {', '.join(CHANNELS)}"
        if not isinstance(self.template, str) or not NAME.match(self.template):
            return ("template",), "must be a template name: lower-case letters, digits, '-' and '_'"
        if not isinstance(self.title, str):
            return ("title",), "must be a string"
        if self.fee is not None:
            problem = self.fee.problem()
            if problem:
                return (_FEE_KEYS[str(problem[0][0])],), problem[1]
        return None

    def __post_init__(self) -> None:
        _raise(self.problem(), f"step {self.key!r}")


@dataclass(frozen=True, slots=True)
class Ladder:
    """An escalation ladder: steps in order of strictly increasing offset, keys unique."""

    name: str
    steps: tuple[Step, ...]
    """Mildest first; a later step is always more severe than an earlier one."""
    description: str = ""

    def problem(self) -> tuple[Path, str] | None:
        if not isinstance(self.name, str) or not NAME.match(self.name):
            return ("name",), "a ladder name is 1-40 characters: lower-case letters, digits, '-' and '_'"
        if not self.steps:
            return ("steps",), "a ladder needs at least one step"
        seen: set[str] = set()
        for i, step in enumerate(self.steps):
            problem = step.problem()
            if problem:
                return ("steps", i, *problem[0]), problem[1]
            if step.key in seen:
                return ("steps", i, "key"), f"step key {step.key!r} appears twice in the ladder"
            seen.add(step.key)
            if i and step.offset_days <= self.steps[i - 1].offset_days:
                before = self.steps[i - 1]
                return ("steps", i, "offset_days"), (
                    f"offsets must increase: {step.offset_days} comes after {before.offset_days} ({before.key!r})"
                )
        return None

    def __post_init__(self) -> None:
        object.__setattr__(self, "steps", tuple(self.steps))
        _raise(self.problem(), f"ladder {self.name!r}")

    def level(self, done: Iterable[str]) -> int:
        """Index of the highest step among `done` keys (keys of other ladders count for nothing); −1 if none."""
        if not done:  # the usual case on a run: nothing done yet for the installment
            return -1
        done = set(done)
        return max((i for i, s in enumerate(self.steps) if s.key in done), default=-1)


@dataclass(frozen=True, slots=True)
class Rule:
    """Customers with one of `grades` (when given) and one of `tags` (when given) follow `ladder`."""

    ladder: str
    grades: frozenset[str] = frozenset()
    """Credit grades, upper case (A, B, C, D...). Empty: any grade."""
    tags: frozenset[str] = frozenset()
    """Customer tags, lower case. Empty: any tags. A rule has grades, tags or both."""

    def matches(self, grade: str | None, tags: frozenset[str]) -> bool:
        if self.grades and (grade or "").strip().upper() not in self.grades:
            return False
        return not self.tags or not self.tags.isdisjoint(tags)

    def problem(self) -> tuple[Path, str] | None:
        if not self.grades and not self.tags:
            return ("grades",), "a rule needs grades, tags or both (the default ladder covers everyone else)"
        for grade in sorted(self.grades):
            if not GRADE.match(grade):
                return ("grades",), f"{grade!r} is not a credit grade (upper-case letter: A, B, C, D)"
        for tag in sorted(self.tags):
            if not TAG.match(tag) or tag != tag.lower():
                return ("tags",), f"{tag!r} is not a tag (one lower-case word: letters, digits, - _ .)"
        return None


@dataclass(frozen=True, slots=True)
class Holds:
    """What holds items back from reminders and charges, and for how long (the `[holds]` table)."""

    promise_grace_days: int = 2
    """A promise to pay still holds its items this many days after its date; kept if paid by then, broken
    the day after."""
    disputes_stop_interest: bool = True
    """Items under an open dispute get no 违约金 charges while it is open (they are still aged and quoted)."""
    dispute_alert_days: int = 30
    """The worklist flags disputes open longer than this."""

    def problem(self) -> tuple[Path, str] | None:
        for name in ("promise_grace_days", "dispute_alert_days"):
            value = getattr(self, name)
            if type(value) is not int or not 0 <= value <= MAX_OFFSET_DAYS:
                return (name,), f"must be a whole number of days from 0 to {MAX_OFFSET_DAYS}"
        if type(self.disputes_stop_interest) is not bool:
            return ("disputes_stop_interest",), "must be true or false"
        return None


@dataclass(frozen=True, slots=True)
class Policy:
    """All ladders, who follows which, and who is never reminded."""

    ladders: Mapping[str, Ladder]
    """Ladders by name (read-only)."""
    default: str
    """The ladder of customers no rule matches."""
    rules: tuple[Rule, ...] = ()
    """Tried in order; the first match wins."""
    exclude_codes: frozenset[str] = frozenset()
    """Customer codes never reminded, upper case (codes compare case-insensitively)."""
    exclude_tags: frozenset[str] = frozenset()
    """Customers with any of these tags are never reminded (lower case)."""
    holds: Holds = Holds()
    """Promise grace, disputes and interest, dispute alerts."""
    sources: tuple[str, ...] = field(default=(), compare=False)
    """The files the policy was read from, defaults first."""

    def problem(self) -> tuple[Path, str] | None:
        problem = self.holds.problem()
        if problem:
            return ("holds", *problem[0]), problem[1]
        for name, ladder in self.ladders.items():
            if name != ladder.name:
                return ("ladders", name), f"holds ladder {ladder.name!r} under another name"
        if self.default not in self.ladders:
            return ("default",), _unknown_ladder(self.default, self.ladders)
        for i, rule in enumerate(self.rules):
            problem = rule.problem()
            if problem:
                return ("rules", i, *problem[0]), problem[1]
            if rule.ladder not in self.ladders:
                return ("rules", i, "ladder"), _unknown_ladder(rule.ladder, self.ladders)
        for code in sorted(self.exclude_codes):
            if code != code.upper():
                return ("exclude", "codes"), f"{code!r}: excluded codes are stored upper case"
        for tag in sorted(self.exclude_tags):
            if not TAG.match(tag) or tag != tag.lower():
                return ("exclude", "tags"), f"{tag!r} is not a tag (one lower-case word: letters, digits, - _ .)"
        return None

    def __post_init__(self) -> None:
        object.__setattr__(self, "ladders", MappingProxyType(dict(self.ladders)))
        object.__setattr__(self, "rules", tuple(self.rules))
        _raise(self.problem(), "policy")


def ladder_for(policy: Policy, grade: str | None, tags: Iterable[str], code: str) -> Ladder | None:
    """The ladder a customer follows, or None when the customer is excluded (by code or by tag)."""
    tagset = frozenset(t.strip().lower() for t in tags)
    if code.strip().upper() in policy.exclude_codes or not policy.exclude_tags.isdisjoint(tagset):
        return None
    for rule in policy.rules:
        if rule.matches(grade, tagset):
            return policy.ladders[rule.ladder]
    return policy.ladders[policy.default]


def _unknown_ladder(name: str, ladders: Mapping[str, Ladder]) -> str:
    return f"no ladder named {name!r}; ladders: {', '.join(sorted(ladders)) or '(none)'}"


def _raise(problem: tuple[Path, str] | None, what: str) -> None:
    if problem:
        raise PolicyProblem(what, *problem)
