"""The matching engine: for each bank credit, ranked proposals of which open installments it settles.

`match(credits, open_installments, payers, settings)` builds its indexes once per call (open items by
customer, by the amounts credited, by normalised invoice and contract number; payers by account and by normalised
name), identifies every payer (account → exact name/alias → fuzzy, the fuzzy step in bulk), then for each
credit scans the memo for references with dictionary lookups and fits the amount to the candidate
customers' open items. Pure: no database, no I/O; the same input always gives the same output, in the
order of `credits`.

Score table (points add up, the total is clamped to 0..100; every line shows as a `Reason`):

| evidence                                                            | label                                | points |
|---------------------------------------------------------------------|--------------------------------------|-------:|
| payer account is one of the customer's known accounts               | payer account known                  |    +50 |
| normalised payer name equals the customer's normalised name         | payer name exact                     |    +45 |
| normalised payer name equals a learned alias                        | payer alias                          |    +45 |
| fuzzy name, one customer clearly best (similarity S ≥ cutoff)       | fuzzy name S                         |    +20 |
| payer could be several customers (shared account/name, fuzzy tie)   | payer ambiguous                      |     +5 |
| invoice number found in the memo                                    | invoice number in memo               |    +45 |
| contract number found in the memo (and no invoice number)           | contract number in memo              |    +35 |
| the referenced invoice is not the identified payer's                | reference is another customer's      |    −30 |
| proposal ignores invoice numbers the memo names                     | memo names other invoices            |    −20 |
| amount equals one open item, or all the referenced items            | amount exact                         |    +45 |
| amount equals several equal items of the customer: oldest chosen    | amount exact, N equal items          |    +30 |
| amount equals one, or a set, of the referenced installments         | amount fits referenced installments  |    +35 |
| a set of n of the customer's open items sums exactly to the amount  | set of n installments sums to amount |    +20 |
| short of an exact match by at most the fee tolerance (bank charge)  | short within fee tolerance           |    +30 |
| amount below the referenced/oldest item: paid oldest first          | partial payment                      |    −10 |
| amount above the referenced items (or everything open): rest kept   | over-payment X unapplied             |    −10 |
| known payer, no amount fits: allocated oldest first                 | allocated oldest first               |      0 |
| known payer without open items in this currency: all unapplied      | no open items                        |      0 |
| booked within `date_window_days` of an allocated item's due date    | date within N days of due            |     +5 |
| payer unknown, the only open item in the whole book with the amount | only open item with this amount      |    +30 |

Reading it: a known account or name plus an exact amount is sure (95, 90); an invoice number plus the
exact amount is sure even from an unknown payer (90); a fuzzy name plus an exact amount (65), a subset
(<= 70) or a fee (<= 80) waits for the clerk unless the memo's invoice number backs it; a partial or
over-payment of the invoice the memo names reaches 90 only from a known account booked near the due
date. The unknown-payer amount-only match is never sure whatever its score; a best proposal within
`tie_margin` of the next one is never sure (two equal-amount candidates, two items a bank charge could
explain, two customers sharing a name).

Rules in order, per candidate customer: memo references first (the named installments: all of them
exactly, one or a set of them exactly, short by a fee, partial oldest first, over-payment); otherwise
exact single item, then short by a fee (every candidate, tied), then a subset (see `subset`), then
partial on the oldest, over-payment when everything open is less, else oldest first. Currencies never
mix: only items in the credit's currency are considered.
"""

from __future__ import annotations

import gc
import re
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from functools import lru_cache
from itertools import compress
from operator import attrgetter, ne

from arctl.domain.errors import InvalidInput
from arctl.domain.money import format_amount
from arctl.matching.model import (
    Credit,
    LineResult,
    OpenInstallment,
    Payer,
    PayerMatch,
    Proposal,
    Reason,
    Settings,
)
from arctl.matching.names import (
    fuzzy_match,
    normalize_account,
    normalize_name,
    normalize_references,
    reference_atoms,
)
from arctl.matching.subset import SubsetFinder

P_ACCOUNT = 50
P_NAME = 45
P_ALIAS = 45
P_FUZZY = 20
P_AMBIGUOUS = 5
P_INVOICE_REF = 45
P_CONTRACT_REF = 35
P_OTHER_CUSTOMERS_REF = -30
P_IGNORES_MEMO = -20
P_EXACT = 45
P_EXACT_DUPLICATE = 30
P_FITS_REFERENCED = 35
P_SUBSET = 20
P_FEE = 30
P_PARTIAL = -10
P_OVERPAYMENT = -10
P_DATE = 5
P_BOOK_UNIQUE = 30

MAX_REF_ATOMS = 6
"""A reference may be written as up to this many runs of letters/digits ('INV 2026 0042' is three)."""

_RULE_ORDER = {"reference": 0, "exact": 1, "subset": 2, "fee": 3, "partial": 4, "overpayment": 5, "payer-only": 6}
_UNKNOWN = PayerMatch(None, "unknown")
_DIGIT = re.compile(r"\d")
_IDENTIFIED = frozenset({"account", "name", "alias", "fuzzy"})
_BY_DUE = attrgetter("due_on")
_BY_ID = attrgetter("installment_id")
_BY_CUSTOMER = attrgetter("customer_id")
_BY_OPEN = attrgetter("open_minor")

Allocation = tuple[OpenInstallment, int]


def _age(item: OpenInstallment) -> tuple[bool, date, int]:
    due = item.due_on
    return (False, due, item.installment_id) if due is not None else (True, date.max, item.installment_id)


def _by_age(items: list[OpenInstallment]) -> list[OpenInstallment]:
    """Oldest first: by due date, pending milestones (no due date) last; ties by installment id."""
    if len(items) <= 8:  # an invoice's few installments: one sort on a tuple key is quicker
        return sorted(items, key=_age)
    dated = [it for it in items if it.due_on is not None]
    pending = [it for it in items if it.due_on is None]
    dated.sort(key=_BY_ID)  # two stable sorts on one attribute each beat one sort on a tuple key
    dated.sort(key=_BY_DUE)
    if pending:
        pending.sort(key=_BY_ID)
        dated += pending
    return dated


def _money(minor: int, currency: str) -> str:
    try:
        return f"{format_amount(minor, currency, grouping=True)} {currency}"
    except InvalidInput:  # a currency code money.py does not know: show minor units rather than fail
        return f"{minor} {currency} (minor units)"


def _label(item: OpenInstallment) -> str:
    return f"{item.invoice_number} #{item.seq}"


class _Customer:
    """One customer's open items and the per-customer indexes, each built on first use."""

    __slots__ = ("_by_amount", "_finders", "_open", "items")

    def __init__(self, items: list[OpenInstallment]) -> None:
        self.items = items
        self._open: dict[str, list[OpenInstallment]] = {}
        self._by_amount: dict[str, tuple[list[int], list[OpenInstallment]]] = {}
        self._finders: dict[str, tuple[list[OpenInstallment], SubsetFinder]] = {}

    def open_items(self, currency: str) -> list[OpenInstallment]:
        """Open items in `currency`, oldest first."""
        found = self._open.get(currency)
        if found is None:
            found = self._open[currency] = _by_age([it for it in self.items if it.currency == currency])
        return found

    def short_by(self, amount: int, currency: str, tolerance: int) -> list[OpenInstallment]:
        """Open items that `amount` falls short of by 1..tolerance, smallest shortfall first, then oldest."""
        entry = self._by_amount.get(currency)
        if entry is None:
            ordered = sorted(self.open_items(currency), key=_BY_OPEN)  # stable: oldest first among equals
            entry = self._by_amount[currency] = ([it.open_minor for it in ordered], ordered)
        keys, ordered = entry
        return ordered[bisect_right(keys, amount) : bisect_right(keys, amount + tolerance)]

    def finder(self, currency: str, settings: Settings) -> tuple[list[OpenInstallment], SubsetFinder]:
        """Subset search over the oldest `max_subset_items` open items, built once."""
        found = self._finders.get(currency)
        if found is None:
            items = self.open_items(currency)[: settings.max_subset_items]
            finder = SubsetFinder(
                [it.open_minor for it in items], settings.max_subset_size, settings.large_subset_items
            )
            found = (items, finder)
            self._finders[currency] = found
        return found


class _RefIndex:
    """Normalised invoice (or contract) number → the numbers as issued → their open installments.

    Invoice and contract numbers are unique in the ledger (database constraint), so each number as
    issued has one customer. Two numbers that normalise alike ('INV-1-23', 'INV-12-3') are both kept.
    The installments of one number usually sit side by side in the input (ordered by invoice): then
    they are read backwards from the last position of the number; otherwise from a grouping of every
    number's positions, built on the first look-up."""

    __slots__ = ("_positions", "contiguous", "extra", "index", "items", "last", "of")

    def __init__(self, attribute: str, items: Sequence[OpenInstallment]) -> None:
        self.items = items
        self.of = numbers = list(map(attrgetter(attribute), items))
        """The number of each item, by position."""
        self.last = dict(zip(numbers, range(len(numbers)), strict=True))
        runs = 1 + sum(map(ne, numbers, numbers[1:])) if numbers else 0
        self.contiguous = runs == len(self.last)
        """Every number in one run (the usual order, by invoice): its installments end at `last`."""
        self._positions: dict[str, list[int]] | None = None
        self.last.pop("", None)
        raws = list(self.last)
        keys = normalize_references(raws)
        self.index = dict(zip(keys, raws, strict=True))
        self.extra: dict[str, list[str]] = {}
        if len(self.index) != len(raws):
            groups: dict[str, list[str]] = {}
            for key, raw in zip(keys, raws, strict=True):
                groups.setdefault(key, []).append(raw)
            # sorted: the answer must not depend on the order the installments came in
            self.extra = {key: sorted(group) for key, group in groups.items() if len(group) > 1}

    def numbers(self, key: str) -> Sequence[str]:
        """The numbers as issued that normalise to `key`."""
        raw = self.index.get(key)
        if raw is None:
            return ()
        return self.extra.get(key) or (raw,)

    def installments(self, number: str) -> list[OpenInstallment]:
        """The number's open installments (any customer, any currency), oldest first."""
        items, hi, numbers = self.items, self.last[number], self.of
        if self.contiguous:
            lo = hi
            while lo > 0 and numbers[lo - 1] == number:
                lo -= 1
            return [items[hi]] if lo == hi else _by_age(list(items[lo : hi + 1]))
        if self._positions is None:
            positions: dict[str, list[int]] = {}
            for pos in compress(range(len(numbers)), numbers):  # skips the '' of items without a number
                positions.setdefault(numbers[pos], []).append(pos)
            self._positions = positions
        found = [items[pos] for pos in self._positions[number]]
        return _by_age(found) if len(found) > 1 else found


class _Book:
    """Indexes over the open installments, built once per `match` call."""

    def __init__(self, items: Sequence[OpenInstallment], amounts: set[int]) -> None:
        """`amounts`: the credits' amounts; only items of those amounts can ever match exactly, so only
        they are indexed by amount (one pass over the items at C speed, a small dict after)."""
        self.items = items
        by_amount: dict[int, list[OpenInstallment]] = {}
        for item in [it for it in items if it.open_minor in amounts]:
            by_amount.setdefault(item.open_minor, []).append(item)
        self.by_amount = by_amount
        by_customer: defaultdict[int, list[OpenInstallment]] = defaultdict(list)
        for item in items:
            by_customer[item.customer_id].append(item)
        self.customers = {cid: _Customer(group) for cid, group in by_customer.items()}
        self.invoices = _RefIndex("invoice_number", items)
        self.contracts = _RefIndex("contract_number", items)
        self._scanned: dict[str, list[tuple[bool, str]]] = {}
        self._referenced: dict[int, PayerMatch] = {}

    def customer(self, customer_id: int) -> _Customer:
        found = self.customers.get(customer_id)
        if found is None:
            found = self.customers[customer_id] = _Customer([])
        return found

    def only_item_with(self, amount: int, currency: str) -> OpenInstallment | None:
        """The one open item in the whole book with this amount and currency, if exactly one exists."""
        same = [it for it in self.by_amount.get(amount, ()) if it.currency == currency]
        return same[0] if len(same) == 1 else None

    def equal(self, customer_id: int, amount: int, currency: str) -> list[OpenInstallment]:
        """The customer's open items of exactly `amount`, oldest first."""
        found = [
            it
            for it in self.by_amount.get(amount, ())
            if it.customer_id == customer_id and it.currency == currency
        ]
        return _by_age(found) if len(found) > 1 else found

    def referenced(self, customer_id: int) -> PayerMatch:
        """The payer of a line whose memo names only this customer's numbers (one object per customer)."""
        found = self._referenced.get(customer_id)
        if found is None:
            found = self._referenced[customer_id] = PayerMatch(customer_id, "reference", 100, (customer_id,))
        return found

    def scan(self, memo: str) -> list[tuple[bool, str]]:
        """(is invoice, number as issued) for each reference in the memo, in order, without repeats. At
        each position the longest run of atoms that is a known number wins; the scan goes on after it.
        Remembered per memo text: a customer paying by instalments writes the same memo every month."""
        hits = self._scanned.get(memo)
        if hits is None:
            hits = self._scan(memo)
            if len(hits) > 1:
                hits = list(dict.fromkeys(hits))
            self._scanned[memo] = hits
        return hits

    def _scan(self, memo: str) -> list[tuple[bool, str]]:
        atoms = reference_atoms(memo)
        invoices, contracts = self.invoices.index, self.contracts.index
        hits: list[tuple[bool, str]] = []
        i, n = 0, len(atoms)
        while i < n:
            best_end, best_key, best_invoice = -1, "", True
            acc = ""
            for j in range(i, min(n, i + MAX_REF_ATOMS)):
                acc += atoms[j]
                if acc in invoices:
                    best_end, best_key, best_invoice = j, acc, True
                elif acc in contracts:
                    best_end, best_key, best_invoice = j, acc, False
            # Short or letter-only 'numbers' would match ordinary words in memos.
            if best_end < 0 or len(best_key) < 4 or best_key.isalpha():
                i += 1
                continue
            index = self.invoices if best_invoice else self.contracts
            for raw in index.numbers(best_key):
                hits.append((best_invoice, raw))
            i = best_end + 1
        return hits


class _Payers:
    """Payer indexes: normalised account → customers, normalised name/alias → customers.

    Bank lines repeat a few thousand payers: each distinct account and name as spelled is looked up (and
    normalised) once, and its `PayerMatch` shared by every line that carries it."""

    def __init__(self, payers: Iterable[Payer]) -> None:
        accounts: dict[str, set[int]] = {}
        names: dict[str, dict[int, str]] = {}
        normalised: dict[str, str] = {}
        for payer in payers:
            for account in payer.accounts:
                key = normalize_account(account)
                if key:
                    accounts.setdefault(key, set()).add(payer.customer_id)
            key = self._normalise(payer.name, normalised)
            if key:
                names.setdefault(key, {})[payer.customer_id] = "name"
            for alias in payer.aliases:
                key = self._normalise(alias, normalised)
                if key:
                    names.setdefault(key, {}).setdefault(payer.customer_id, "alias")
        self.accounts = accounts
        self.names = names
        self.choices = sorted((key, cid) for key, per in names.items() for cid in per)
        self._normalised = normalised  # most lines spell the payer as the ledger does: normalised already
        self._by_account: dict[str, PayerMatch | None] = {}
        self._by_name: dict[str, tuple[str, PayerMatch | None]] = {}

    @staticmethod
    def _normalise(name: str, seen: dict[str, str]) -> str:
        key = seen.get(name)
        if key is None:
            key = seen[name] = normalize_name(name)
        return key

    def account(self, account: str) -> PayerMatch | None:
        """Who pays from this account (as the bank spells it); None when no customer is known by it."""
        try:
            return self._by_account[account]
        except KeyError:
            pass
        cids = self.accounts.get(normalize_account(account))
        found = _exact(cids, "account") if cids else None
        self._by_account[account] = found
        return found

    def name(self, name: str) -> tuple[str, PayerMatch | None]:
        """The normalised name, and who has it as name or alias; None when nobody has it exactly."""
        try:
            return self._by_name[name]
        except KeyError:
            pass
        key = self._normalise(name, self._normalised)
        per = self.names.get(key)
        if not per:
            found = None
        elif len(per) == 1:
            ((cid, kind),) = per.items()
            found = PayerMatch(cid, kind, 100, (cid,))
        else:
            found = PayerMatch(None, "ambiguous", 100, tuple(sorted(per)))
        self._by_name[name] = (key, found)
        return key, found


def _exact(cids: set[int], how: str) -> PayerMatch:
    if len(cids) == 1:
        (cid,) = cids
        return PayerMatch(cid, how, 100, (cid,))
    return PayerMatch(None, "ambiguous", 100, tuple(sorted(cids)))


def _identify(credits: Sequence[Credit], payers: _Payers, settings: Settings) -> list[PayerMatch]:
    """Account, then exact normalised name or alias, then (for the rest, all at once) fuzzy name."""
    out: list[PayerMatch] = [_UNKNOWN] * len(credits)
    fuzzy_wanted: dict[str, list[int]] = {}
    for pos, credit in enumerate(credits):
        if credit.payer_account:
            found = payers.account(credit.payer_account)
            if found is not None:
                out[pos] = found
                continue
        if credit.payer_name:
            key, found = payers.name(credit.payer_name)
            if found is not None:
                out[pos] = found
            elif len(key) >= 2:
                fuzzy_wanted.setdefault(key, []).append(pos)
    if fuzzy_wanted and payers.choices:
        queries = list(fuzzy_wanted)
        hits = fuzzy_match(
            queries,
            [c[0] for c in payers.choices],
            [c[1] for c in payers.choices],
            cutoff=settings.fuzzy_cutoff,
            margin=settings.fuzzy_margin,
            scorer=settings.fuzzy_scorer,
        )
        for query, hit in zip(queries, hits, strict=True):
            if hit is None:
                continue
            if len(hit.close) == 1:
                found = PayerMatch(hit.best, "fuzzy", hit.score, (hit.best,))
            else:
                found = PayerMatch(None, "ambiguous", hit.score, tuple(sorted(k for k, _ in hit.close)))
            for pos in fuzzy_wanted[query]:
                out[pos] = found
    return out


@lru_cache(maxsize=4096)
def _shared(label: str, points: int, detail: str) -> Reason:
    """A reason that many lines show alike (the same payer, the same due date): built once, shared."""
    return Reason(label, points, detail)


def _payer_reason(payer: PayerMatch, credit: Credit) -> Reason | None:
    """Why the line's candidate customers are candidates; None when nobody is (unknown, by reference)."""
    how = payer.how
    if how == "account":
        return _shared("payer account known", P_ACCOUNT, credit.payer_account)
    if how == "name":
        return _shared("payer name exact", P_NAME, credit.payer_name)
    if how == "alias":
        return _shared("payer alias", P_ALIAS, credit.payer_name)
    if how == "fuzzy":
        return _shared(f"fuzzy name {payer.similarity}", P_FUZZY, credit.payer_name)
    if how == "ambiguous":
        return _shared("payer ambiguous", P_AMBIGUOUS, f"one of {len(payer.candidates)} customers")
    return None


@lru_cache(maxsize=4096)
def _date_reason(window: int, due: date) -> Reason:
    return Reason(f"date within {window} days of due", P_DATE, due.isoformat())


def _with_fee(items: Sequence[OpenInstallment], short: int) -> list[Allocation]:
    """Cash allocations settling `items` in full but `short`, which the fee write-off on the last covers."""
    out = [(it, it.open_minor) for it in items]
    last, amount = out[-1]
    out[-1] = (last, amount - short)
    return out


def _oldest_first(items: Sequence[OpenInstallment], amount: int) -> list[Allocation]:
    """Allocate `amount` over `items` in order, each at most its open amount."""
    out = []
    left = amount
    for it in items:
        if left <= 0:
            break
        take = left if left < it.open_minor else it.open_minor
        out.append((it, take))
        left -= take
    return out


def _full(items: Iterable[OpenInstallment]) -> list[Allocation]:
    return [(it, it.open_minor) for it in items]


def _scored(
    credit: Credit, allocations: Sequence[Allocation], reasons: list[Reason], window: int
) -> tuple[tuple[tuple[int, int], ...], int, int]:
    """(installment, amount) pairs, unapplied rest and score of one candidate; adds the date reason.
    (Plain loops: a comprehension is a function call of its own, dearer than these few steps.)"""
    booked = credit.booked_on
    for item, _ in allocations:
        due = item.due_on
        if due is not None and abs((booked - due).days) <= window:
            reasons.append(_date_reason(window, due))
            break
    pairs = []
    unapplied = credit.amount_minor
    for item, amount in allocations:
        pairs.append((item.installment_id, amount))
        unapplied -= amount
    score = 0
    for reason in reasons:
        score += reason.points
    return tuple(pairs), unapplied, 0 if score < 0 else 100 if score > 100 else score


def _only(
    credit: Credit, customer_id: int, allocations: Sequence[Allocation], rule: str, reasons: list[Reason],
    settings: Settings,
) -> tuple[Proposal]:  # fmt: skip
    """The proposals of a line with a single candidate: that one, sure from the threshold alone (nothing
    else within the tie margin). What `_Line.add` then `_Line.ranked` give, without their bookkeeping."""
    pairs, unapplied, score = _scored(credit, allocations, reasons, settings.date_window_days)
    sure = score >= settings.auto_threshold
    return (Proposal(credit.line_id, customer_id, pairs, 0, unapplied, score, tuple(reasons), rule, sure),)


def _quick(
    credit: Credit, payer: PayerMatch, refs: dict[int, tuple[list[OpenInstallment], Reason]], book: _Book,
    settings: Settings,
) -> tuple[Proposal] | None:  # fmt: skip
    """The commonest lines, proposed directly: one customer, identified or named by the memo, and the
    amount paying exactly the installments the memo names (all, or one of them), or without a reference
    one open item of the customer. None for any other line; `_Line`'s rules give the same proposal for
    these, with the bookkeeping of several candidates."""
    if len(payer.candidates) != 1:
        return None
    (cid,) = payer.candidates
    who = _payer_reason(payer, credit)
    if refs:
        found = refs.get(cid)
        if found is None or len(refs) > 1:
            return None
        items, ref_reason = found
        fit = _fits_referenced(items, credit.amount_minor)
        if fit is None:
            return None
        allocations, reason = fit
        reasons = [who, ref_reason, reason] if who is not None else [ref_reason, reason]
        return _only(credit, cid, allocations, "reference", reasons, settings)
    equal = book.equal(cid, credit.amount_minor, credit.currency)
    if not equal or who is None:
        return None
    return _only(credit, cid, [(equal[0], credit.amount_minor)], "exact", [who, _exact_reason(equal)], settings)


def _fits_referenced(items: list[OpenInstallment], amount: int) -> tuple[list[Allocation], Reason] | None:
    """The installments the memo names (oldest first) paid exactly: all of them, or one of them (the
    oldest of equal ones). None when the amount fits neither way."""
    total = 0
    for it in items:
        total += it.open_minor
    if amount == total:
        detail = _label(items[0]) if len(items) == 1 else f"{len(items)} installments"
        return _full(items), Reason("amount exact", P_EXACT, detail)
    if len(items) > 1:
        equal = [it for it in items if it.open_minor == amount]
        if equal:
            detail = _label(equal[0]) + (f" (oldest of {len(equal)} equal)" if len(equal) > 1 else "")
            return [(equal[0], amount)], Reason("amount fits referenced installments", P_FITS_REFERENCED, detail)
    return None


def _exact_reason(equal: list[OpenInstallment]) -> Reason:
    """For an amount equal to these open items (oldest first): the oldest is chosen."""
    if len(equal) == 1:
        return Reason("amount exact", P_EXACT, _label(equal[0]))
    return Reason(
        f"amount exact, {len(equal)} equal items", P_EXACT_DUPLICATE, f"oldest chosen: {_label(equal[0])}"
    )


class _Line:
    """Collects the candidate proposals for one credit."""

    __slots__ = ("amount", "book", "booked", "candidates", "credit", "currency", "settings", "window")

    def __init__(self, credit: Credit, book: _Book, settings: Settings) -> None:
        self.credit = credit
        self.amount = credit.amount_minor
        self.currency = credit.currency
        self.booked = credit.booked_on
        self.window = settings.date_window_days
        self.book = book
        self.settings = settings
        self.candidates: dict[tuple[int, tuple[tuple[int, int], ...], int], tuple] = {}

    def add(
        self,
        customer_id: int,
        allocations: Sequence[Allocation],
        rule: str,
        reasons: list[Reason],
        *,
        fee: int = 0,
        never_sure: bool = False,
    ) -> None:
        pairs, unapplied, score = _scored(self.credit, allocations, reasons, self.window)
        key = (customer_id, pairs, fee)
        old = self.candidates.get(key)
        if old is None or old[0] < score:
            self.candidates[key] = (score, _RULE_ORDER[rule], len(pairs), customer_id, pairs, fee, unapplied,
                                    tuple(reasons), rule, never_sure)  # fmt: skip

    def fee_reason(self, short: int) -> Reason:
        return Reason("short within fee tolerance", P_FEE, f"bank charge {_money(short, self.currency)}")

    def fit_referenced(self, customer_id: int, items: list[OpenInstallment], base: list[Reason]) -> bool:
        """Fit the amount to the installments the memo names (oldest first). True when it fits exactly."""
        amount, cur = self.amount, self.currency
        fit = _fits_referenced(items, amount)
        if fit is not None:
            allocations, reason = fit
            self.add(customer_id, allocations, "reference", [*base, reason])
            return True
        total = 0
        for it in items:
            total += it.open_minor
        tolerance = self.settings.fee_tolerance(cur)
        short = total - amount
        if 0 < short <= tolerance and items[-1].open_minor > short:
            self.add(customer_id, _with_fee(items, short), "fee", [*base, self.fee_reason(short)], fee=short)
            return False
        if len(items) > 1:
            fee_found = False
            for it in items:
                short = it.open_minor - amount
                if 0 < short <= tolerance:
                    self.add(customer_id, [(it, amount)], "fee", [*base, self.fee_reason(short)], fee=short)
                    fee_found = True
            if fee_found:
                return False
            considered = items[: self.settings.max_subset_items]
            finder = SubsetFinder([it.open_minor for it in considered], self.settings.max_subset_size,
                                  self.settings.large_subset_items)  # fmt: skip
            found = finder.find(amount, node_budget=self.settings.subset_node_budget)
            if found.indices is not None:
                chosen = [considered[i] for i in found.indices]
                self.add(customer_id, _full(chosen), "reference",
                         [*base, Reason("amount fits referenced installments", P_FITS_REFERENCED,
                                        f"set of {len(chosen)}: " + ", ".join(map(_label, chosen)))])  # fmt: skip
                return True
        if amount < total:
            self.add(customer_id, _oldest_first(items, amount), "partial",
                     [*base, Reason("partial payment", P_PARTIAL, f"{_money(amount, cur)} of {_money(total, cur)}")])  # fmt: skip
        else:
            self.add(customer_id, _full(items), "overpayment",
                     [*base, Reason(f"over-payment {_money(amount - total, cur)} unapplied", P_OVERPAYMENT)])  # fmt: skip
        return False

    def fit_exact(self, customer_id: int, base: list[Reason], exclude: frozenset[int] = frozenset()) -> bool:
        equal = self.book.equal(customer_id, self.amount, self.currency)
        if exclude:
            equal = [it for it in equal if it.installment_id not in exclude]
        if not equal:
            return False
        self.add(customer_id, [(equal[0], self.amount)], "exact", [*base, _exact_reason(equal)])
        return True

    def fit_customer(self, customer_id: int, base: list[Reason]) -> None:
        """Fit the amount to the customer's open items when the memo names none of them."""
        if self.fit_exact(customer_id, base):
            return
        customer = self.book.customer(customer_id)
        amount, cur, settings = self.amount, self.currency, self.settings
        items = customer.open_items(cur)
        if not items:
            self.add(customer_id, [], "payer-only",
                     [*base, Reason("no open items", 0, f"{_money(amount, cur)} stays unapplied")])  # fmt: skip
            return
        short_of = customer.short_by(amount, cur, settings.fee_tolerance(cur))
        if short_of:  # a bank charge explains it; several candidates tie and wait for the clerk
            for it in short_of:
                short = it.open_minor - amount
                self.add(customer_id, [(it, amount)], "fee", [*base, self.fee_reason(short)], fee=short)
            return
        considered, finder = customer.finder(cur, settings)
        found = finder.find(amount, node_budget=settings.subset_node_budget)
        if found.indices is not None:
            chosen = [considered[i] for i in found.indices]
            self.add(customer_id, _full(chosen), "subset",
                     [*base, Reason(f"set of {len(chosen)} installments sums to amount", P_SUBSET,
                                    ", ".join(map(_label, chosen)))])  # fmt: skip
            return
        oldest = items[0]
        if amount < oldest.open_minor:
            self.add(customer_id, [(oldest, amount)], "partial",
                     [*base, Reason("partial payment", P_PARTIAL,
                                    f"{_money(amount, cur)} of {_money(oldest.open_minor, cur)}")])  # fmt: skip
            return
        allocations = _oldest_first(items, amount)
        applied = sum([a for _, a in allocations])
        if applied < amount:
            self.add(customer_id, allocations, "overpayment",
                     [*base, Reason(f"over-payment {_money(amount - applied, cur)} unapplied", P_OVERPAYMENT)])  # fmt: skip
        else:
            self.add(customer_id, allocations, "payer-only",
                     [*base, Reason("allocated oldest first", 0, "no amount fits exactly")])  # fmt: skip

    def fit_book_unique(self) -> None:
        """Unknown payer, no reference: only when exactly one open item in the whole book has the amount."""
        it = self.book.only_item_with(self.amount, self.currency)
        if it is not None:
            self.add(it.customer_id, [(it, it.open_minor)], "exact",
                     [_shared("payer unknown", 0, self.credit.payer_name),
                      Reason("only open item with this amount", P_BOOK_UNIQUE, _label(it))],
                     never_sure=True)  # fmt: skip

    def ranked(self) -> tuple[Proposal, ...]:
        settings = self.settings
        ordered = list(self.candidates.values())
        if len(ordered) > 1:
            ordered.sort(key=lambda c: (-c[0], c[1], c[2], c[3], c[4]))
            del ordered[settings.max_proposals :]
        out = []
        line_id = self.credit.line_id
        for pos, (score, _o, _n, cid, pairs, fee, unapplied, reasons, rule, never_sure) in enumerate(ordered):
            sure = (
                pos == 0
                and not never_sure
                and score >= settings.auto_threshold
                and (len(ordered) == 1 or score - ordered[1][0] > settings.tie_margin)
            )
            out.append(Proposal(line_id, cid, pairs, fee, unapplied, score, reasons, rule, sure))
        return tuple(out)


_NO_REFERENCES: dict[int, tuple[list[OpenInstallment], Reason]] = {}


def _references(credit: Credit, book: _Book) -> dict[int, tuple[list[OpenInstallment], Reason]]:
    """customer → (the installments the memo names, oldest first, in the credit's currency; the reference
    reason). Invoice numbers win over contract numbers for the same customer. Installments are grouped
    by their own customer, so a number shared by two customers (which the ledger forbids) could never
    settle one customer's item against another's. Read-only: the empty answer is shared."""
    memo = credit.memo
    if not memo or _DIGIT.search(memo) is None:  # every known number has a digit
        return _NO_REFERENCES
    hits = book.scan(memo)
    if not hits:
        return _NO_REFERENCES
    cur = credit.currency
    if len(hits) == 1:  # the usual memo: one number, one customer's installments
        is_invoice, raw = hits[0]
        group = (book.invoices if is_invoice else book.contracts).installments(raw)
        cid = group[0].customer_id
        for it in group:
            if it.currency != cur or it.customer_id != cid:
                break
        else:
            if is_invoice:
                return {cid: (group, Reason("invoice number in memo", P_INVOICE_REF, raw))}
            return {cid: (group, Reason("contract number in memo", P_CONTRACT_REF, raw))}
    found: dict[int, tuple[dict[str, list[OpenInstallment]], dict[str, list[OpenInstallment]]]] = {}
    for is_invoice, raw in hits:
        index = book.invoices if is_invoice else book.contracts
        for it in index.installments(raw):
            if it.currency == cur:
                per = found.get(it.customer_id)
                if per is None:
                    per = found[it.customer_id] = ({}, {})
                per[0 if is_invoice else 1].setdefault(raw, []).append(it)
    refs: dict[int, tuple[list[OpenInstallment], Reason]] = {}
    for cid, (invoices, contracts) in found.items():
        if invoices:
            chosen, label, points = invoices, "invoice number in memo", P_INVOICE_REF
        else:
            chosen, label, points = contracts, "contract number in memo", P_CONTRACT_REF
        if len(chosen) == 1:
            ((number, items),) = chosen.items()
        else:
            number = ", ".join(chosen)
            items = _by_age(list({it.installment_id: it for group in chosen.values() for it in group}.values()))
        refs[cid] = (items, Reason(label, points, number))
    return refs


def _line(credit: Credit, payer: PayerMatch, book: _Book, settings: Settings) -> LineResult:
    refs = _references(credit, book)
    if payer.how == "unknown" and len(refs) == 1:
        payer = book.referenced(next(iter(refs)))
    quick = _quick(credit, payer, refs, book, settings)
    if quick is not None:
        return LineResult(credit.line_id, payer, quick)
    line = _Line(credit, book, settings)
    who = _payer_reason(payer, credit)  # the same for every candidate customer
    candidates = payer.candidates
    if refs:
        identified = payer.how in _IDENTIFIED
        for cid in sorted(refs):
            items, ref_reason = refs[cid]
            mine = who if cid in candidates else None
            if mine is not None:
                base = [mine, ref_reason]
            elif identified:
                base = [
                    ref_reason,
                    Reason("reference is another customer's", P_OTHER_CUSTOMERS_REF, f"customer {cid}"),
                ]
            else:
                base = [ref_reason]
            if not line.fit_referenced(cid, items, base):
                # The memo may be wrong: an exact amount among the customer's other items, marked down.
                others = [mine] if mine is not None else []
                others.append(Reason("memo names other invoices", P_IGNORES_MEMO, ref_reason.detail))
                line.fit_exact(cid, others, frozenset(it.installment_id for it in items))
        rest = [cid for cid in candidates if cid not in refs]
        if rest:
            named = ", ".join(refs[cid][1].detail for cid in sorted(refs))
            ignores = Reason("memo names other invoices", P_IGNORES_MEMO, named)
            for cid in rest:
                line.fit_customer(cid, [who, ignores] if who is not None else [ignores])
    elif candidates:
        for cid in candidates:
            line.fit_customer(cid, [who] if who is not None else [])
    else:
        line.fit_book_unique()
    return LineResult(credit.line_id, payer, line.ranked())


def match(
    credits: Sequence[Credit],
    open_installments: Sequence[OpenInstallment],
    payers: Iterable[Payer],
    settings: Settings | None = None,
) -> list[LineResult]:
    """Proposals for every credit, in the order given.

    Installments are not consumed: two credits may be proposed against the same installment (the
    clerk's confirmations decide), but no single proposal allocates more than an installment's open
    amount, nor more than the credit's amount. The cyclic garbage collector is paused while the indexes
    are built (it would rescan every open item again and again, for nothing: they hold no cycles)."""
    settings = settings or Settings()
    paused = gc.isenabled()
    gc.disable()
    try:
        book = _Book(open_installments, {credit.amount_minor for credit in credits})
        identified = _identify(credits, _Payers(payers), settings)
        return [_line(credit, payer, book, settings) for credit, payer in zip(credits, identified, strict=True)]
    finally:
        if paused:
            gc.enable()
