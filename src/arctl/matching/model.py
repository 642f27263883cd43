"""What the matching engine reads and what it proposes: plain frozen records, money in int minor units."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import MISSING, dataclass, field, fields
from datetime import date
from types import MappingProxyType


def _slot_init(cls: type) -> type:
    """Give a frozen, slotted dataclass an `__init__` that stores each field straight into its slot.

    The generated one goes through `object.__setattr__` per field (the generic, slowest path: argument
    tuples, a type look-up); the engine builds hundreds of thousands of these records per run. Same
    signature, same defaults, same frozen instances, and `__post_init__` (the checks) still runs."""
    params, body, env = [], [], {}
    for f in fields(cls):
        env[f"_set_{f.name}"] = getattr(cls, f.name).__set__
        if f.default is not MISSING:
            env[f"_default_{f.name}"] = f.default
            params.append(f"{f.name}=_default_{f.name}")
        else:
            params.append(f.name)
        body.append(f"    _set_{f.name}(self, {f.name})")
    if hasattr(cls, "__post_init__"):
        body.append("    self.__post_init__()")
    exec(f"def __init__(self, {', '.join(params)}):\n" + "\n".join(body), env)
    cls.__init__ = env["__init__"]
    return cls


@_slot_init
@dataclass(frozen=True, slots=True)
class Credit:
    """One incoming bank credit to be matched (a counted `BankLine` with a positive amount)."""

    line_id: int
    """The bank line's id in the ledger; proposals and results refer to it."""
    booked_on: date
    """Booking date, compared with due dates for the date-proximity points."""
    amount_minor: int
    """Money received, in minor units of `currency`; always > 0."""
    currency: str
    """ISO 4217 code; a credit only ever settles installments in the same currency."""
    payer_name: str = ""
    """The counterparty as the bank spells it (对方户名), '' when the file has none."""
    payer_account: str = ""
    """The counterparty's account number or IBAN, '' when the file has none."""
    memo: str = ""
    """Remittance text (摘要/附言/用途), scanned for invoice and contract numbers."""

    def __post_init__(self) -> None:
        if type(self.amount_minor) is not int or self.amount_minor <= 0:
            raise ValueError(f"credit {self.line_id}: amount_minor must be a positive int")


@_slot_init
@dataclass(frozen=True, slots=True)
class OpenInstallment:
    """One installment of an issued invoice that still has an open balance."""

    installment_id: int
    """Ledger id; allocations name it."""
    customer_id: int
    """The customer who owes it."""
    invoice_number: str
    """The invoice's number as issued (e.g. `INV-2026-0042`); memos are searched for it."""
    contract_number: str
    """The contract the invoice belongs to, '' if none; memos are searched for it too."""
    seq: int
    """1-based position of the installment within its invoice."""
    due_on: date | None
    """Due date; None while a milestone is pending (sorted after every dated item)."""
    open_minor: int
    """Still owed, in minor units of `currency`; always > 0. No proposal allocates more than this."""
    currency: str
    """ISO 4217 code."""

    def __post_init__(self) -> None:
        if type(self.open_minor) is not int or self.open_minor <= 0:
            raise ValueError(f"installment {self.installment_id}: open_minor must be a positive int")


@dataclass(frozen=True, slots=True)
class Payer:
    """What we know about how a customer pays."""

    customer_id: int
    """The customer."""
    name: str
    """The customer's legal name."""
    code: str = ""
    """The customer's short code (shown to the clerk; not matched against names)."""
    accounts: tuple[str, ...] = ()
    """Bank accounts the customer has paid from before (exact match, spaces and hyphens ignored)."""
    aliases: tuple[str, ...] = ()
    """Payer names learned from confirmed matches ("this payer name is that customer")."""


def _no_fees() -> Mapping[str, int]:
    return MappingProxyType({})


@dataclass(frozen=True, slots=True)
class Settings:
    """Knobs of the engine; the defaults suit a CNY desk."""

    auto_threshold: int = 90
    """A best proposal scoring at least this, and not tied, is `sure` (may be applied without review)."""
    tie_margin: int = 5
    """Two proposals for one line whose scores differ by this or less are tied; ties are never sure."""
    fee_tolerance_minor: Mapping[str, int] = field(default_factory=_no_fees)
    """Per currency: how far short of an exact match a payment may be and still settle the items in full,
    the shortfall written off as a bank charge (手续费 deducted in transit)."""
    fee_default_minor: int = 5000
    """The fee tolerance for currencies not in `fee_tolerance_minor` (50.00 in a two-decimal currency)."""
    max_subset_items: int = 30
    """Subset search looks at this many of the customer's oldest open items at most."""
    max_subset_size: int = 6
    """A subset proposal has at most this many installments."""
    large_subset_items: int = 12
    """Sets of 5 or more installments are looked for among this many of the oldest items only."""
    subset_node_budget: int = 2_000
    """Walk steps allowed per subset search once the sum filters say a set may exist; when spent the
    search gives up (no subset proposal). Sets of 2-4 among 30 items need at most ~470."""
    fuzzy_cutoff: int = 85
    """Lowest similarity (0..100, on normalised names) for a fuzzy payer-name match."""
    fuzzy_scorer: str = "ratio"
    """rapidfuzz scorer on normalised names: ratio | token_sort_ratio | WRatio (see `names.SCORERS`)."""
    fuzzy_margin: int = 3
    """A fuzzy match is ambiguous when another customer scores within this many points of the best."""
    date_window_days: int = 3
    """Date-proximity points when the credit is booked within this many days of an allocated due date."""
    max_proposals: int = 5
    """Proposals kept per line, best first."""

    def fee_tolerance(self, currency: str) -> int:
        """The fee tolerance in minor units for `currency`."""
        return self.fee_tolerance_minor.get(currency, self.fee_default_minor)


@_slot_init
@dataclass(frozen=True, slots=True)
class Reason:
    """One labelled line of a proposal's score breakdown."""

    label: str
    """What was found, e.g. `invoice number in memo`, `amount exact`, `partial payment`."""
    points: int
    """Points it adds (negative: takes away); 0 for facts shown without points."""
    detail: str = ""
    """The specifics: the invoice number, the similarity, the unapplied amount..."""

    def __str__(self) -> str:
        sign = f" {self.points:+d}" if self.points else ""
        return f"{self.label}{sign}" + (f": {self.detail}" if self.detail else "")


@_slot_init
@dataclass(frozen=True, slots=True)
class Proposal:
    """One way a credit could settle open installments."""

    line_id: int
    """The credit this is for."""
    customer_id: int | None
    """The customer whose installments it settles (None only when it allocates nothing)."""
    allocations: tuple[tuple[int, int], ...]
    """(installment_id, amount_minor) pairs of cash applied, oldest first. Each amount is > 0 and at
    most that installment's open amount; together they are at most the credit's amount."""
    fee_minor: int
    """Shortfall written off as a bank charge (within the fee tolerance), else 0. It belongs to the last
    allocated installment: that allocation plus `fee_minor` is exactly the installment's open amount, so
    every allocated installment ends fully settled."""
    unapplied_minor: int
    """What is left of the credit after the allocations (over-payment), kept as unapplied cash."""
    score: int
    """0..100: the sum of the reasons' points, clamped."""
    reasons: tuple[Reason, ...]
    """The score breakdown shown to the clerk."""
    rule: str
    """reference | exact | subset | partial | overpayment | fee | payer-only."""
    sure: bool = False
    """Score at least the threshold and no other proposal for the line within the tie margin."""


@_slot_init
@dataclass(frozen=True, slots=True)
class PayerMatch:
    """Who we think sent the money, and how we know."""

    customer_id: int | None
    """The identified customer, None when unknown or ambiguous."""
    how: str
    """account | name | alias | fuzzy | reference | ambiguous | unknown."""
    similarity: int = 0
    """100 for exact identifications, the fuzzy score for fuzzy ones (the best one when ambiguous)."""
    candidates: tuple[int, ...] = ()
    """Customers still in the running: the identified one, or the tied ones when ambiguous."""


@_slot_init
@dataclass(frozen=True, slots=True)
class LineResult:
    """Everything the engine has to say about one credit."""

    line_id: int
    """The credit."""
    payer: PayerMatch
    """Payer identification."""
    proposals: tuple[Proposal, ...]
    """Ranked best first; empty when nothing fits (the line stays unmatched)."""

    @property
    def best(self) -> Proposal | None:
        """The top proposal, if any."""
        return self.proposals[0] if self.proposals else None
