"""Payer names, account numbers and document references, normalised so that spelling noise does not matter.

`normalize_name`: NFKC (full-width → half-width), casefold, "(中国)" dropped, brackets and punctuation and
spaces dropped (bracket content kept), company-form suffixes removed so that their variants compare equal
(股份有限公司 / 有限责任公司 / 有限公司 / 公司, Co., Ltd. / Co.,Ltd / Limited / GmbH / Inc. ...). 集团 is part
of the name and stays. Idempotent.

`fuzzy_match`: all queries at once, scored in C++ by `rapidfuzz.process` (`cpdist` on the pairs that share
enough characters, or `cdist` per block of queries), never one `extractOne` per bank line.
"""

from __future__ import annotations

import math
import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

_NON_WORD = re.compile(r"[\W_]+")
_REGION = re.compile(r"[(\[{（【](?:中国|china|中國)[)\]}）】]")
_CN_SUFFIXES = ("股份有限公司", "有限责任公司", "有限公司", "公司")
_EN_SUFFIXES = frozenset(
    {"co", "ltd", "limited", "company", "corp", "corporation", "inc", "incorporated", "gmbh", "llc", "plc"}
)


def _once(text: str) -> str:
    text = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
    if "中" in text or "china" in text:
        text = _REGION.sub(" ", text)
    tokens = _NON_WORD.split(text)
    if len(tokens) > 1:
        tokens = [t for t in tokens if t]
        while len(tokens) > 1 and tokens[-1] in _EN_SUFFIXES:
            tokens.pop()
    name = "".join(tokens)
    if name.endswith("司"):
        stripped = True
        while stripped:
            stripped = False
            for suffix in _CN_SUFFIXES:
                if name.endswith(suffix) and len(name) > len(suffix):
                    name = name[: -len(suffix)]
                    stripped = True
                    break
    return name


def normalize_name(text: str) -> str:
    """A payer or customer name reduced to what identifies it: 'ＡＢＣ（中国）有限公司' → 'abc'."""
    name = _once(text)
    for _ in range(3):
        # Already stable unless case folding or composition would still change a character (punctuation
        # removal can bring two combining pieces together); then one more pass.
        if unicodedata.is_normalized("NFKC", name) and name.casefold() == name:
            break
        name = _once(name)
    return name


_ACCOUNT_NOISE = re.compile(r"[\s\-_/.]+")


def normalize_account(text: str) -> str:
    """A bank account or IBAN without spaces, hyphens or case: 'de89 3704-0044' → 'DE8937040044'."""
    if text.isascii() and text.isalnum():  # the usual case: nothing to remove or fold
        return text.upper()
    return _ACCOUNT_NOISE.sub("", unicodedata.normalize("NFKC", text)).upper()


_REF_DROP = re.compile(r"[^0-9A-Z]+")
_ATOMS = re.compile(r"[0-9A-Z]+")


def normalize_reference(text: str) -> str:
    """An invoice or contract number as compared: upper-case ASCII letters and digits only
    ('inv 2026-0042', 'ＩＮＶ２０２６００４２' → 'INV20260042')."""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    return _REF_DROP.sub("", text.upper())


_REF_DROP_LINES = re.compile(r"[^0-9A-Z\n]+")


def normalize_references(numbers: Sequence[str]) -> list[str]:
    """`normalize_reference` over many numbers at once, at C speed for the usual ASCII ones."""
    joined = "\n".join(numbers)
    if not joined.isascii() or joined.count("\n") != len(numbers) - 1:
        return [normalize_reference(n) for n in numbers]
    joined = joined.upper()
    for separator in "- /._":
        joined = joined.replace(separator, "")
    if not joined.replace("\n", "").isalnum():
        joined = _REF_DROP_LINES.sub("", joined)
    return joined.split("\n")


def reference_atoms(memo: str) -> list[str]:
    """The runs of letters and digits in a memo, in order, upper-cased ('发票inv-2026 0042' →
    ['INV', '2026', '0042']). A reference is one or several consecutive atoms joined."""
    if not memo.isascii():
        memo = unicodedata.normalize("NFKC", memo)
    return _ATOMS.findall(memo.upper())


@dataclass(frozen=True, slots=True)
class FuzzyHit:
    """The fuzzy verdict for one query name."""

    best: int
    """Index into the choice keys of the best-scoring key (a customer id in practice)."""
    score: int
    """Its similarity, 0..100."""
    close: tuple[tuple[int, int], ...]
    """Every key scoring within the ambiguity margin of the best, (key, score), best first; one entry
    means the match is unambiguous."""


SCORERS = {"ratio": fuzz.ratio, "token_sort_ratio": fuzz.token_sort_ratio, "WRatio": fuzz.WRatio}
"""Scorers `Settings.fuzzy_scorer` may name. On normalised names (no spaces left) token_sort_ratio is the
plain Indel similarity `ratio` plus its tokenising overhead; WRatio adds partial matching, which scores a
short name inside a longer one (华新 in 杭州华新机械) at 90. Measured on bench/match.py's 3,507 unknown
names against 11,922 names and aliases: ratio 0.5 s and 5 wrong customers among 1,093 fuzzy matches;
WRatio 53 s and 50 wrong among 1,108. Hence the default `ratio`."""

_BLOCK = 2048


def fuzzy_match(
    queries: Sequence[str],
    choices: Sequence[str],
    keys: Sequence[int],
    *,
    cutoff: int,
    margin: int,
    scorer: str = "ratio",
) -> list[FuzzyHit | None]:
    """For each query the best key by similarity of its choices (several choices may share a key, e.g. a
    customer's name and its aliases), with every other key within `margin` points. None below `cutoff`.

    Queries and choices must already be normalised (`normalize_name`). With `ratio` only the pairs that
    share enough characters to reach the cutoff are scored (`_ratio_pairs`). With the other Indel scorer
    (token_sort_ratio) a similarity of c needs the shorter string to be at least c/(2-c) of the longer
    one's length, so queries are grouped by length and scored only against choices of compatible
    lengths and scripts (one `cdist` per group). Both shortcuts give the answers of scoring every pair."""
    out: list[FuzzyHit | None] = [None] * len(queries)
    if not queries or not choices:
        return out
    fn = SCORERS[scorer]
    if scorer == "ratio" and cutoff > 1:
        try:
            found = _ratio_pairs(queries, choices, cutoff)
        except ModuleNotFoundError:  # numpy missing: the grouped path below still works
            pass
        else:
            for pos, hits in found.items():
                out[pos] = _verdict(hits, keys, margin)
            return out
    if scorer == "WRatio" or cutoff <= 0:
        _collect(out, list(range(len(queries))), queries, choices, keys, cutoff, margin, fn)
        return out
    # A query without ASCII letters shares nothing with a choice made only of them, and vice versa.
    pools: dict[str, tuple[list[int], list[int]]] = {}
    for kind in ("ascii", "other", "mixed"):
        keep = [
            i
            for i, choice in enumerate(choices)
            if kind == "mixed" or (kind == "ascii") != (not any(ch.isascii() for ch in choice))
        ]
        keep.sort(key=lambda i: len(choices[i]))
        pools[kind] = (keep, [len(choices[i]) for i in keep])
    groups: dict[tuple[str, int], list[int]] = {}
    for pos, query in enumerate(queries):
        if query.isascii():
            kind = "ascii"
        elif not any(ch.isascii() for ch in query):
            kind = "other"
        else:
            kind = "mixed"
        groups.setdefault((kind, len(query)), []).append(pos)
    c = cutoff / 100
    for (kind, length), positions in sorted(groups.items()):
        order, lengths = pools[kind]
        lo = bisect_left(lengths, math.floor(length * c / (2 - c)))
        hi = bisect_right(lengths, math.ceil(length * (2 - c) / c))
        if lo < hi:
            window = order[lo:hi]
            _collect(out, positions, queries, [choices[i] for i in window], [keys[i] for i in window],
                     cutoff, margin, fn)  # fmt: skip
    return out


def _ratio_pairs(queries: Sequence[str], choices: Sequence[str], cutoff: int) -> dict[int, list[tuple[int, int]]]:
    """query position → [(choice position, score)...] of every pair with `fuzz.ratio` >= cutoff.

    ratio is 200·LCS/(len a + len b), and a common subsequence is made of characters both strings have:
    LCS <= the size of the multiset intersection of their characters. One `bincount` over the postings
    of the query's characters gives that bound for every choice at once; only the pairs whose bound
    reaches cutoff - 1 (a point of slack for float rounding) are scored, in one `cpdist` call. A name
    shares enough characters with one or two others, not with the thousands `cdist` would score."""
    import numpy as np

    holders: dict[str, list[int]] = {}
    for col, choice in enumerate(choices):
        for token in _occurrences(choice):
            holders.setdefault(token, []).append(col)
    postings = {token: np.array(cols, dtype=np.intp) for token, cols in holders.items()}
    lengths = np.fromiter(map(len, choices), dtype=np.int64, count=len(choices))
    needs: dict[int, object] = {}  # query length → the least intersection that can reach the cutoff, per choice
    rows: list[int] = []
    cols: list[int] = []
    for row, query in enumerate(queries):
        need = needs.get(len(query))
        if need is None:
            need = needs[len(query)] = -(-(cutoff - 1) * (len(query) + lengths) // 200)
        shared = [postings[token] for token in _occurrences(query) if token in postings]
        bound = np.bincount(np.concatenate(shared), minlength=len(choices)) if shared else np.zeros_like(lengths)
        near = np.flatnonzero(bound >= need).tolist()
        rows += [row] * len(near)
        cols += near
    found: dict[int, list[tuple[int, int]]] = {}
    if not rows:
        return found
    scores = process.cpdist([queries[r] for r in rows], [choices[c] for c in cols], scorer=fuzz.ratio,
                            score_cutoff=cutoff, dtype="uint8", workers=-1).tolist()  # fmt: skip
    for row, col, score in zip(rows, cols, scores, strict=True):
        if score:  # below the cutoff a score is 0
            found.setdefault(row, []).append((col, score))
    return found


def _occurrences(text: str) -> Iterable[str]:
    """The characters of `text` as a set of tokens, the n-th occurrence of a character spelled n times
    ('aba' → a, b, aa): two texts share as many tokens as their multisets of characters share."""
    if len(set(text)) == len(text):
        return text
    seen: dict[str, int] = {}
    out = []
    for ch in text:
        n = seen[ch] = seen.get(ch, 0) + 1
        out.append(ch * n)
    return out


def _verdict(hits: list[tuple[int, int]], keys: Sequence[int], margin: int) -> FuzzyHit:
    """The best key among one query's (choice position, score) hits, and every key within the margin."""
    per_key: dict[int, int] = {}
    for col, score in hits:
        key = keys[col]
        if score > per_key.get(key, -1):
            per_key[key] = score
    ranked = sorted(per_key.items(), key=lambda kv: (-kv[1], kv[0]))
    best_key, best_score = ranked[0]
    return FuzzyHit(best_key, best_score, tuple((k, s) for k, s in ranked if s >= best_score - margin))


def _collect(
    out: list[FuzzyHit | None],
    positions: list[int],
    queries: Sequence[str],
    choices: Sequence[str],
    keys: Sequence[int],
    cutoff: int,
    margin: int,
    scorer: Callable[..., float],
) -> None:
    for start in range(0, len(positions), _BLOCK):
        block = positions[start : start + _BLOCK]
        for row, hits in _scores([queries[p] for p in block], choices, cutoff, scorer):
            out[block[row]] = _verdict(hits, keys, margin)


def _scores(
    block: Sequence[str], choices: Sequence[str], cutoff: int, scorer: Callable[..., float]
) -> list[tuple[int, list[tuple[int, int]]]]:
    """(row, [(column, score)...]) for every row of the block with at least one score >= cutoff."""
    try:
        matrix = process.cdist(block, choices, scorer=scorer, score_cutoff=cutoff, dtype="uint8", workers=-1)
    except ModuleNotFoundError:  # cdist needs numpy
        return _scores_without_numpy(block, choices, cutoff, scorer)
    hit_rows = matrix.max(axis=1).nonzero()[0]  # below the cutoff a cell is 0
    if not len(hit_rows):
        return []
    sub = matrix[hit_rows]
    rows, cols = sub.nonzero()
    scores = sub[rows, cols].tolist()
    rows = hit_rows[rows]
    found: dict[int, list[tuple[int, int]]] = {}
    for r, c, score in zip(rows.tolist(), cols.tolist(), scores, strict=True):
        found.setdefault(r, []).append((c, score))
    return sorted(found.items())


def _scores_without_numpy(
    block: Sequence[str], choices: Sequence[str], cutoff: int, scorer: Callable[..., float]
) -> list[tuple[int, list[tuple[int, int]]]]:
    """The same, one `process.extract` per unique query: slower, used only when numpy is missing."""
    out = []
    for row, query in enumerate(block):
        hits = process.extract(query, choices, scorer=scorer, score_cutoff=cutoff, limit=None)
        if hits:
            out.append((row, [(col, round(score)) for _choice, score, col in hits]))
    return out
