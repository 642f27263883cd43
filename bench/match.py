#!/usr/bin/env python3
"""Matching benchmark: arctl's proposal engine against a plain dict hash-join on (amount, reference).

    python bench/match.py [--credits N] [--installments N] [--payers N] [--seed N] [--runs N]
                          [--scorer ratio|token_sort_ratio|WRatio]

Generates, deterministically from --seed and in memory, a book of payers (Chinese and English company
names, bank accounts, learned aliases) and open installments (invoices of 1-3 installments, some under
contracts, CNY and some USD), and bank credits with a known truth:
  38 % invoice/contract number in the memo (odd spellings: lower case, no hyphens, spaces, full-width,
       发票 prefix), 24 % exact amount without a reference, 10 % one transfer for 2-4 of the customer's
       oldest items, 10 % partial (of the oldest item, half with a reference) or over-payment (with a
       reference), 5 % short by a bank charge, 10 % a payer name never seen before (typos, company-form
       variants, full-width) on top of a reference or an exact amount, 3 % noise (unknown payer, amount
       that fits nothing, made-up invoice numbers).
Then times, medians of --runs runs after one untimed warm-up:
  a) the floor: a dict hash-join on (currency, amount, invoice number) over the same installments,
     probed with each credit's whitespace-separated memo tokens (build + probe);
  b) `arctl.matching.match()` with everything on (indexes, payer identification with bulk fuzzy,
     references, subset search, scoring).
Prints both, the ratio (goal <= 10x), peak RSS (getrusage ru_maxrss) and the quality numbers against
the generator's truth: share sure (auto-applicable), share correct (the best proposal has the true
customer and installments; for noise: nothing sure), and false-sure (sure but wrong; goal 0). It
reports; it never fails (exit 0).
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import random
import resource
import statistics
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from arctl.matching import Credit, LineResult, OpenInstallment, Payer, Settings, match
from arctl.matching.names import normalize_name

GOAL_RATIO = 10.0
GOAL_FALSE_SURE = 0

# fmt: off
CITIES = ["杭州", "上海", "深圳", "北京", "广州", "苏州", "宁波", "南京", "成都", "武汉",
          "天津", "重庆", "青岛", "厦门", "无锡", "佛山", "东莞", "温州", "合肥", "长沙"]
BRAND = "华新宏达恒盛鑫源泰丰瑞金科创光明东方海天永昌兴隆德信安和中联博远利通嘉浩伟辉腾飞龙凯银峰佳宝成世豪正"
TRADES = ["机械", "科技", "贸易", "电子", "化工", "纺织", "建材", "物流", "医药", "食品", "汽车配件", "五金",
          "包装", "照明", "塑胶"]
CN_FORMS = ["有限公司"] * 12 + ["股份有限公司"] * 3 + ["有限责任公司"] * 3 + ["集团有限公司"] * 2
EN_WORDS = ["Acme", "Global", "Pacific", "Orient", "Sino", "Star", "Bright", "Golden", "Union", "Delta", "Summit",
            "Vertex", "Harbor", "Crown", "Eagle", "Lotus", "Jade", "Phoenix", "Silver", "Apex", "Nova", "Prime",
            "Royal", "United", "Zenith", "Atlas", "Boreal", "Cedar", "Dragon", "Ember"]
EN_TRADES = ["Trading", "Industries", "Electronics", "Logistics", "Machinery", "Textiles", "Chemicals", "Components"]
EN_FORMS = ["Co., Ltd.", "Limited", "GmbH", "Inc.", "Co.,Ltd"]
# fmt: on
MEMOS = ["货款", "付款", "payment", "往来款", "", "转账", "采购款", "服务费", "TT REMITTANCE"]
START = date(2025, 6, 1)


@dataclass
class Data:
    payers: list[Payer]
    items: list[OpenInstallment]
    credits: list[Credit]
    truth: dict[int, tuple[str, int | None, frozenset[int]]]
    """line_id -> (kind, customer, installment ids); customer None for noise."""
    by_customer: dict[int, list[OpenInstallment]] = field(default_factory=dict)


def full_width(text: str) -> str:
    return "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ("\u3000" if ch == " " else ch) for ch in text)


def make_payers(rng: random.Random, count: int) -> list[Payer]:
    out: list[Payer] = []
    seen: set[str] = set()
    while len(out) < count:
        cid = len(out) + 1
        if rng.random() < 0.8:
            city = rng.choice(CITIES)
            brand = "".join(rng.sample(BRAND, 2))
            name = f"{city}{'市' if rng.random() < 0.4 else ''}{brand}{rng.choice(TRADES)}{rng.choice(CN_FORMS)}"
            alias = f"{brand}{rng.choice(TRADES)}"
        else:
            words = " ".join(rng.sample(EN_WORDS, 2))
            name = f"{words} {rng.choice(EN_TRADES)} {rng.choice(EN_FORMS)}"
            alias = words.upper()
        key = normalize_name(name)
        if key in seen:
            continue
        seen.add(key)
        aliases: tuple[str, ...] = ()
        if rng.random() < 0.2 and normalize_name(alias) not in seen:
            seen.add(normalize_name(alias))
            aliases = (alias,)
        accounts = tuple(
            "".join(rng.choice("0123456789") for _ in range(rng.choice((16, 17, 19))))
            for _ in range(rng.choice((1, 1, 2)))
        )
        out.append(Payer(cid, name, f"C{cid:05d}", accounts, aliases))
    return out


def make_items(rng: random.Random, payers: list[Payer], count: int) -> list[OpenInstallment]:
    weights = [1 / (rank + 10) ** 0.7 for rank in range(len(payers))]
    customers = rng.choices([p.customer_id for p in payers], weights=weights, k=count)
    items: list[OpenInstallment] = []
    invoice_no = contract_no = 0
    k = 0
    contracts: dict[int, str] = {}
    while len(items) < count:
        cid = customers[k % len(customers)]
        k += 1
        invoice_no += 1
        number = f"INV-{2025 + invoice_no % 2}-{invoice_no:06d}"
        contract = ""
        if rng.random() < 0.3:
            if cid not in contracts or rng.random() < 0.3:
                contract_no += 1
                contracts[cid] = f"HT-2025-{contract_no:05d}"
            contract = contracts[cid]
        currency = "USD" if rng.random() < 0.05 else "CNY"
        total = rng.randrange(100_000, 50_000_000)  # 1,000.00 .. 500,000.00
        parts = rng.choice(((100,), (100,), (100,), (50, 50), (30, 70), (30, 40, 30)))
        amounts = [total * p // 100 for p in parts[:-1]]
        amounts.append(total - sum(amounts))
        due = START + timedelta(days=rng.randrange(0, 540))
        for seq, amount in enumerate(amounts, 1):
            if len(items) >= count:
                break
            open_minor = amount if rng.random() < 0.9 else rng.randrange(1, amount + 1)
            pending = seq > 1 and rng.random() < 0.1
            items.append(
                OpenInstallment(
                    len(items) + 1, cid, number, contract, seq, None if pending else due, open_minor, currency
                )
            )
            due += timedelta(days=rng.choice((30, 60, 90)))
    return items


def age(it: OpenInstallment) -> tuple[bool, date, int]:
    return (it.due_on is None, it.due_on or date.max, it.installment_id)


def spell(rng: random.Random, number: str) -> str:
    """An invoice or contract number as a payer types it."""
    style = rng.randrange(7)
    if style == 0:
        return number
    if style == 1:
        return number.lower().replace("-", "")
    if style == 2:
        return number.replace("-", " ")
    if style == 3:
        return f"发票{number}"
    if style == 4:
        return full_width(number)
    if style == 5:
        head, _, tail = number.partition("-")
        return f"付款 {head}{tail} 货款"
    return f"{number.lower()}号"


def variant(rng: random.Random, name: str) -> str:
    """A payer name as a bank prints it for a payer we never saw: typo, company-form variant, full-width."""
    kind = rng.randrange(10)
    cjk = any("\u4e00" <= ch <= "\u9fff" for ch in name)
    if kind < 4:  # typo: one character replaced
        body = [i for i, ch in enumerate(name) if ch.isalpha() and ch not in "有限公司股份责任集团"]
        i = rng.choice(body)
        pool = BRAND if cjk else "abcdefghijklmnopqrstuvwxyz"
        return name[:i] + rng.choice([c for c in pool if c != name[i]]) + name[i + 1 :]
    if kind < 7:  # company-form variant
        if cjk:
            for old, new in (
                ("股份有限公司", "有限公司"),
                ("有限责任公司", "有限公司"),
                ("有限公司", "有限责任公司"),
            ):
                if name.endswith(old):
                    base = name[: -len(old)]
                    return f"{base}（中国）{new}" if rng.random() < 0.5 else base + new
        for form in EN_FORMS:
            if name.endswith(form):
                return name[: -len(form)] + rng.choice([f for f in EN_FORMS if f != form])
        return name
    return full_width(name) if not cjk else name.replace("有限", "（有限）")


def make_credits(rng: random.Random, payers: list[Payer], items: list[OpenInstallment], count: int) -> Data:
    by_customer: dict[int, list[OpenInstallment]] = defaultdict(list)
    by_invoice: dict[str, list[OpenInstallment]] = defaultdict(list)
    by_contract: dict[str, list[OpenInstallment]] = defaultdict(list)
    for it in items:
        by_customer[it.customer_id].append(it)
        by_invoice[it.invoice_number].append(it)
        if it.contract_number:
            by_contract[it.contract_number].append(it)
    for group in (*by_customer.values(), *by_invoice.values(), *by_contract.values()):
        group.sort(key=age)
    payer_of = {p.customer_id: p for p in payers}
    sorted(by_customer)
    credits: list[Credit] = []
    truth: dict[int, tuple[str, int | None, frozenset[int]]] = {}
    kinds = ["ref"] * 38 + ["exact"] * 24 + ["subset"] * 10 + ["partial/over"] * 10 + ["fee"] * 5
    kinds += ["new name"] * 10 + ["noise"] * 3

    def oldest_equal(pool: list[OpenInstallment], it: OpenInstallment) -> OpenInstallment:
        return next(x for x in pool if x.open_minor == it.open_minor and x.currency == it.currency)

    def same_cur(cid: int, cur: str) -> list[OpenInstallment]:
        return [x for x in by_customer[cid] if x.currency == cur]

    def who(p: Payer, new_name: bool) -> tuple[str, str]:
        if new_name:
            return variant(rng, p.name), ""
        r = rng.random()
        if r < 0.35 and p.accounts:
            acct = rng.choice(p.accounts)
            return (
                ("", acct)
                if rng.random() < 0.3
                else (p.name, " ".join(acct[i : i + 4] for i in range(0, len(acct), 4)))
            )
        if r < 0.45 and p.aliases:
            return p.aliases[0], ""
        if r > 0.95:
            return "", ""  # the bank gave no name: only the memo or the amount can tell
        return (full_width(p.name) if rng.random() < 0.1 else p.name), ""

    while len(credits) < count:
        line = len(credits) + 1
        kind = rng.choice(kinds)
        base = kind
        if kind == "new name":
            base = rng.choice(("ref", "exact"))
        if kind == "noise":
            cur = "CNY"
            name = f"{rng.choice(CITIES)}{''.join(rng.sample(BRAND, 3))}实业有限公司"
            memo = rng.choice([*MEMOS, "INV-2027-999999", "合同HT-2030-1"])
            credits.append(Credit(line, START + timedelta(days=rng.randrange(540)), rng.randrange(100, 10_000_000),
                                  cur, name, "", memo))  # fmt: skip
            truth[line] = (kind, None, frozenset())
            continue
        it = rng.choice(items)
        cid, cur = it.customer_id, it.currency
        p = payer_of[cid]
        mine = same_cur(cid, cur)
        memo = rng.choice(MEMOS)
        if base == "ref":
            use_contract = it.contract_number and rng.random() < 0.2
            group = by_contract[it.contract_number] if use_contract else by_invoice[it.invoice_number]
            group = [x for x in group if x.currency == cur]
            if not use_contract and rng.random() < 0.3:
                amount, ids = sum(x.open_minor for x in group), frozenset(x.installment_id for x in group)
            else:
                target = oldest_equal(group, it)
                amount, ids = target.open_minor, frozenset({target.installment_id})
            number = it.contract_number if use_contract else it.invoice_number
            memo = spell(rng, number) + ("" if rng.random() < 0.5 else f" {rng.choice(MEMOS)}")
        elif base == "exact":
            target = oldest_equal(mine, it)
            amount, ids = target.open_minor, frozenset({target.installment_id})
        elif base == "subset":
            if len(mine) < 3:
                continue
            n = rng.randint(2, min(4, len(mine)))
            picked = sorted(rng.sample(mine[: min(len(mine), 8)], n), key=age)
            chosen = []  # equal amounts cannot be told apart: the truth is the oldest of them
            for x in picked:
                chosen.append(next(y for y in mine if y.open_minor == x.open_minor and y not in chosen))
            amount, ids = sum(x.open_minor for x in chosen), frozenset(x.installment_id for x in chosen)
        elif base == "partial/over":
            if rng.random() < 0.5:  # partial of the oldest item, with or without the invoice number
                target = mine[0]
                if target.open_minor < 200:
                    continue
                amount = rng.randrange(target.open_minor // 5, target.open_minor * 9 // 10)
                ids = frozenset({target.installment_id})
                if rng.random() < 0.5:
                    target = by_invoice[target.invoice_number][0]
                    if target.currency != cur or target.installment_id not in ids:
                        continue
                    memo = spell(rng, target.invoice_number)
            else:  # over-payment of an invoice that the memo names
                group = [x for x in by_invoice[it.invoice_number] if x.currency == cur]
                total = sum(x.open_minor for x in group)
                amount = total + rng.randrange(10_000, max(10_001, total // 5))
                ids = frozenset(x.installment_id for x in group)
                memo = spell(rng, it.invoice_number)
        else:  # fee: short by a bank charge
            target = oldest_equal(mine, it)
            fee = rng.randrange(100, 5_001)
            if target.open_minor <= fee:
                continue
            amount, ids = target.open_minor - fee, frozenset({target.installment_id})
            if rng.random() < 0.4:
                memo = spell(rng, target.invoice_number)
        name, account = who(p, kind == "new name")
        due = it.due_on or START
        booked = due + timedelta(days=rng.choice((0, 1, 2, 5, 10, 20, -3, 40)))
        credits.append(Credit(line, booked, amount, cur, name, account, memo))
        truth[line] = (kind, cid, ids)
    return Data(payers, items, credits, truth, dict(by_customer))


def baseline(items: list[OpenInstallment], credits: list[Credit]) -> int:
    """The floor: a dict hash-join on (currency, amount, invoice number), probed with the memo's tokens."""
    index: dict[tuple[str, int, str], int] = {}
    for it in items:
        index[(it.currency, it.open_minor, it.invoice_number)] = it.installment_id
    found = 0
    get = index.get
    for c in credits:
        for token in c.memo.split():
            if get((c.currency, c.amount_minor, token)) is not None:
                found += 1
                break
    return found


def phase_times(data: Data, items: list[OpenInstallment], payers: list[Payer], settings: Settings) -> list:  # type: ignore[type-arg]
    """One more run of match()'s steps, timed one by one (wall clock, the GC paused as match() does)."""
    from arctl.matching import propose

    out = []
    gc.disable()
    try:
        started = time.perf_counter()
        book = propose._Book(items, {c.amount_minor for c in data.credits})
        out.append(("indexes over the open items", time.perf_counter() - started))
        started = time.perf_counter()
        known = propose._Payers(payers)
        found = propose._identify(data.credits, known, settings)
        out.append(("payer identification (bulk fuzzy)", time.perf_counter() - started))
        started = time.perf_counter()
        for c, p in zip(data.credits, found, strict=True):
            propose._line(c, p, book, settings)
        out.append(("proposals, line by line", time.perf_counter() - started))
    finally:
        gc.enable()
    return out


def rss_mb() -> float:
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb / 1024 if sys.platform != "darwin" else kb / 1024 / 1024


def timed(fn, runs: int) -> tuple[list[float], object]:  # type: ignore[no-untyped-def]
    result = fn()  # warm-up
    samples = []
    for _ in range(runs):
        result = None  # free the previous run's output before the clock starts, not inside the next run
        started = time.perf_counter()
        result = fn()
        samples.append(time.perf_counter() - started)
    return samples, result


def quality(data: Data, results: list[LineResult]) -> tuple[list[str], int]:
    per: dict[str, Counter[str]] = defaultdict(Counter)
    false_sure_examples: list[str] = []
    for res in results:
        kind, cid, ids = data.truth[res.line_id]
        best = res.best
        got = best is not None and best.customer_id == cid and frozenset(i for i, _ in best.allocations) == ids
        sure = best is not None and best.sure
        c = per[kind]
        c["n"] += 1
        c["sure"] += sure
        c["unmatched"] += best is None
        if cid is None:
            c["correct"] += not sure
            c["false sure"] += sure
        else:
            c["correct"] += got
            c["false sure"] += sure and not got
        if sure and (cid is None or not got) and len(false_sure_examples) < 3:
            false_sure_examples.append(f"  line {res.line_id} ({kind}): truth {cid} {sorted(ids)}; "
                                       f"proposed {best.customer_id} {best.allocations} {best.score} "
                                       f"[{'; '.join(map(str, best.reasons))}]")  # fmt: skip
    total: Counter[str] = Counter()
    for c in per.values():
        total.update(c)
    lines = [
        f"{'credits by kind':<16} {'count':>7} {'sure %':>7} {'correct %':>10} {'unmatched %':>12} {'false sure':>11}"
    ]
    for kind in [*sorted(per, key=lambda k: -per[k]["n"]), "all"]:
        c = total if kind == "all" else per[kind]
        n = c["n"] or 1
        lines.append(f"{kind:<16} {c['n']:>7,} {100 * c['sure'] / n:>7.1f} {100 * c['correct'] / n:>10.1f} "
                     f"{100 * c['unmatched'] / n:>12.1f} {c['false sure']:>11,}")  # fmt: skip
    if false_sure_examples:
        lines.append("false-sure examples:")
        lines += false_sure_examples
    return lines, total["false sure"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--credits", type=int, default=50_000, help="bank credits (default 50000)")
    parser.add_argument("--installments", type=int, default=300_000, help="open installments (default 300000)")
    parser.add_argument("--payers", type=int, default=10_000, help="customers (default 10000)")
    parser.add_argument("--seed", type=int, default=20261031)
    parser.add_argument("--runs", type=int, default=3, help="timed runs after one warm-up (default 3)")
    parser.add_argument("--scorer", default="ratio", help="Settings.fuzzy_scorer (ratio|token_sort_ratio|WRatio)")
    args = parser.parse_args()

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    log("generating ...")
    started = time.perf_counter()
    rng = random.Random(args.seed)
    payers = make_payers(rng, args.payers)
    items = make_items(rng, payers, args.installments)
    data = make_credits(rng, payers, items, args.credits)
    gen_seconds = time.perf_counter() - started
    rss_data = rss_mb()
    settings = Settings(fuzzy_scorer=args.scorer)

    log(f"timing the dict hash-join floor ({args.runs} runs) ...")
    base_samples, base_found = timed(lambda: baseline(items, data.credits), args.runs)
    gc.disable()
    floor_paused, _ = timed(lambda: baseline(items, data.credits), args.runs)
    gc.enable()
    log(f"timing match() ({args.runs} runs) ...")
    match_samples, results = timed(lambda: match(data.credits, items, payers, settings), args.runs)
    rss_peak = rss_mb()
    phases = phase_times(data, items, payers, settings)
    lines, false_sure = quality(data, results)  # type: ignore[arg-type]

    sizes = Counter(len(v) for v in data.by_customer.values())
    biggest = max(len(v) for v in data.by_customer.values())
    print(f"arctl matching benchmark — {date.today()} — python {platform.python_version()}, "
          f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs")  # fmt: skip
    print(f"data (seed {args.seed}, generated in {gen_seconds:.1f} s): {len(data.credits):,} credits, "
          f"{len(items):,} open installments, {len(payers):,} payers "
          f"({sum(len(p.aliases) for p in payers):,} aliases); open items per customer: median "
          f"{statistics.median(len(v) for v in data.by_customer.values()):.0f}, max {biggest:,}, "
          f"{sum(n for s, n in sizes.items() if s > 30):,} customers with more than 30")  # fmt: skip
    print(f"settings: {settings}")
    print(f"{args.runs} timed runs after 1 warm-up, in this process")
    print()
    print(f"{'measure':<58} {'median s':>9} {'min s':>8}")
    for name, samples in (
        ("floor: dict hash-join on (currency, amount, invoice)", base_samples),
        ("match(): payers + fuzzy + references + subsets + scores", match_samples),
    ):
        print(f"{name:<58} {statistics.median(samples):9.3f} {min(samples):8.3f}")
    print(f"{'  (info) floor with the cyclic GC paused, as match() runs':<58} {statistics.median(floor_paused):9.3f} "
          f"{min(floor_paused):8.3f}")  # fmt: skip
    for name, seconds in phases:
        print(f"{'  (info) match() phase: ' + name:<58} {seconds:9.3f}")
    print()
    ratio = statistics.median(match_samples) / max(statistics.median(base_samples), 1e-9)
    print(f"{'ratio':<40} {'measured':>9}  goal")
    print(
        f"{'match() / floor':<40} {ratio:9.2f}  {'<= ' + str(GOAL_RATIO):<8} {'met' if ratio <= GOAL_RATIO else 'NOT met'}"
    )
    print(f"{'false-sure proposals':<40} {false_sure:9d}  {'= ' + str(GOAL_FALSE_SURE):<8} "
          f"{'met' if false_sure <= GOAL_FALSE_SURE else 'NOT met'}")  # fmt: skip
    print()
    print(f"peak RSS: {rss_peak:,.0f} MB (data alone {rss_data:,.0f} MB)")
    print(f"floor found {base_found:,} of {len(data.credits):,} credits by (amount, invoice token)")
    print()
    for line in lines:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
