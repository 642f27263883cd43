#!/usr/bin/env python3
"""Bank reconciliation benchmark: `arctl bank import` and `arctl bank match` at scale, against plain floors.

    python bench/bank.py [--lines N] [--installments N] [--customers N] [--runs N] [--seed S] [--quick]
                         [--only import|match] [--profile] [--arctl COMMAND] [--keep]

Builds (or reuses, keyed by parameters and a digest of the generator code below) a deterministic ledger at
arctl's schema head with --customers customers and --installments open installments, and a --lines line
ICBC statement (GBK CSV, preamble, padded cells) of which half are credits meant for those installments
(the generator's truth is kept in a side JSON file) and half are payments out. Then, in one run, times:
  A) the import floor: read the file's bytes, decode GB18030, `csv.reader` over every row (this process);
  1) `arctl bank import FILE` as a subprocess on a fresh copy of the ledger (start-up included): ratio to A;
     plus, for information, `arctl.services.bank_import.import_files` in this process;
  B) the match floor: a dict hash-join of the stored credit lines on (currency, amount, memo token) against
     the open installments (currency, open amount, invoice number), both read with sqlite3 (this process);
  2) `arctl bank match` as a subprocess on a fresh copy of the imported ledger: ratio to B; plus, for
     information, the steps of `match_lines` in this process (reading lines, open installments and payers,
     then `arctl.matching.propose.match` alone);
  and the peak RSS of both subprocesses (GNU time %M), and the quality of the stored proposals against
  the truth: lines with a proposal, sure ones, sure and right, false-sure (sure but wrong).
Medians of --runs runs, floors and arctl interleaved (this machine's speed drifts). It reports; exit 0.
"""

from __future__ import annotations

import argparse
import ast
import csv
import gc
import hashlib
import io
import itertools
import json
import math
import os
import platform
import pstats
import random
import shlex
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import generate  # bench/generate.py: Plan (arctl's terms parser), schema upgrade

TODAY = date(2026, 10, 31)
PERIOD_START = date(2026, 8, 1)  # the statement covers 2026-08-01 .. 2026-10-31
DATA_DIR = Path(os.environ.get("ARCTL_BENCH_DATA", "/tmp/arctl-bench"))
GNU_TIME = "/usr/bin/time"

GOAL_IMPORT = 4.0  # arctl bank import / csv floor
GOAL_MATCH = 10.0  # arctl bank match / dict hash-join floor
GOAL_RSS_MB = 1024
FLOOR_REPEAT = 3  # floor runs beside each arctl run (they are short: a busy neighbour skews one sample a lot)

# ------------------------------------------------------------------------------------------ generator ---
# Everything from here to the end of `make_statement` is the generator: its syntax tree (and the parsed
# plans) make the cache key, so changing it regenerates the data; comments and formatting do not.

CITIES = ["杭州", "上海", "苏州", "宁波", "无锡", "南京", "深圳", "广州", "东莞", "佛山", "天津", "青岛", "成都",
          "重庆", "武汉", "合肥", "厦门", "温州", "绍兴", "嘉兴", "北京", "长沙", "济南", "郑州", "西安", "福州"]  # fmt: skip
BRAND = "华新宏达恒盛鑫源泰丰瑞金科创光明东方海天永昌兴隆德信安和中联博远利通嘉浩伟辉腾飞龙凯银峰佳宝成世豪正启航"
TRADES = ["机械", "科技", "贸易", "电子", "化工", "纺织", "建材", "物流", "医药", "食品", "汽车配件", "五金", "包装",
          "照明", "塑胶", "精密仪器", "新材料", "电气", "环保设备", "软件"]  # fmt: skip
CN_FORMS = ["有限公司"] * 12 + ["有限责任公司"] * 4 + ["股份有限公司"] * 3 + ["集团有限公司"] * 1
EN_WORDS = ["Acme", "Global", "Pacific", "Orient", "Sino", "Star", "Bright", "Golden", "Union", "Delta", "Summit",
            "Vertex", "Harbor", "Crown", "Eagle", "Lotus", "Jade", "Phoenix", "Silver", "Apex", "Nova", "Prime",
            "Royal", "United", "Zenith", "Atlas", "Boreal", "Cedar", "Dragon", "Ember", "Nordic", "Meridian"]  # fmt: skip
EN_TRADES = ["Trading", "Industries", "Electronics", "Logistics", "Machinery", "Textiles", "Chemicals",
             "Components", "Instruments", "Robotics"]  # fmt: skip
EN_FORMS = ["Co., Ltd.", "Limited", "GmbH", "Inc.", "Co.,Ltd", "LLC", "Ltd"]
PEOPLE = [
    "张伟",
    "王芳",
    "李娜",
    "刘洋",
    "陈静",
    "杨磊",
    "赵敏",
    "黄强",
    "周杰",
    "吴婷",
    "徐明",
    "孙丽",
    "马超",
    "朱琳",
]
SUPPLIER_TRADES = ["钢材", "电子元件", "物业管理", "运输", "包装材料", "办公用品", "设备租赁", "劳务派遣"]
DEBIT_MEMOS = ["货款", "工资", "电费", "水费", "税费", "社保", "手续费", "房租", "采购款", "报销", "运费"]
CREDIT_MEMOS = ["货款", "付款", "往来款", "", "转账", "采购款", "服务费", "回款", "TT REMITTANCE", "payment"]
SUMMARIES_IN = ["转账", "汇入汇款", "网银转账", "跨行汇入", "转账"]
SUMMARIES_OUT = ["转账", "代发", "网银转账", "跨行汇款", "扣费"]

PLANS = (  # (weight, terms as a clerk types them), parsed by arctl's own parser (generate.Plan)
    (30, "net30"),
    (15, "net60"),
    (10, "eom+30"),
    (20, "30% on signing, 70% net60"),
    (15, "30% on signing, 60% net60, 10% acceptance+30d"),
    (10, "50% on signing, 50% delivery+30d"),
)
# Kinds of credit, percent of the credit lines: (kind, weight). "variant" payers print the customer's name
# in a form that normalises equal (company-form suffix, full width, (中国)); "fuzzy" payers in one that does
# not (a typo, 市 added or dropped) and need the fuzzy step.
CREDIT_KINDS = (
    ("invoice ref", 26),
    ("contract ref", 4),
    ("exact amount", 20),
    ("set of 2-4", 8),
    ("partial", 8),
    ("overpayment", 4),
    ("short by fee", 6),
    ("name variant", 6),
    ("fuzzy name", 8),
    ("unknown payer", 10),
)


@dataclass
class Book:
    """The ledger's content, as rows to insert and as the indexes the statement generator needs."""

    customer_rows: list[tuple] = field(default_factory=list)
    alias_rows: list[tuple] = field(default_factory=list)
    account_rows: list[tuple] = field(default_factory=list)
    contract_rows: list[tuple] = field(default_factory=list)
    invoice_rows: list[tuple] = field(default_factory=list)
    installment_rows: list[tuple] = field(default_factory=list)
    milestone_rows: list[tuple] = field(default_factory=list)
    names: dict[int, str] = field(default_factory=dict)
    accounts: dict[int, list[str]] = field(default_factory=dict)
    aliases: dict[int, str] = field(default_factory=dict)
    items: list[tuple] = field(default_factory=list)
    """(installment id, customer id, invoice number, contract number, seq, due ordinal or None, open, currency,
    issue ordinal)."""


def age_key(item: tuple) -> tuple:
    """Oldest first as arctl's engine orders open items: by due date, pending milestones last, then id."""
    return (item[5] is None, item[5] or 0, item[0])


def full_width(text: str) -> str:
    return "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ("\u3000" if ch == " " else ch) for ch in text)


def company_name(rng: random.Random, english: bool) -> str:
    if english:
        return f"{' '.join(rng.sample(EN_WORDS, 2))} {rng.choice(EN_TRADES)} {rng.choice(EN_FORMS)}"
    city = rng.choice(CITIES)
    return f"{city}{'市' if rng.random() < 0.3 else ''}{''.join(rng.sample(BRAND, 2))}{rng.choice(TRADES)}{rng.choice(CN_FORMS)}"


def name_key(name: str) -> str:
    """A rough normal form, only to keep generated names apart (arctl's own normaliser is not used here)."""
    text = "".join(ch for ch in name.casefold() if ch.isalnum())
    for suffix in (
        "集团有限公司",
        "股份有限公司",
        "有限责任公司",
        "有限公司",
        "coltd",
        "limited",
        "gmbh",
        "inc",
        "llc",
        "ltd",
    ):
        if text.endswith(suffix):
            return text[: -len(suffix)]
    return text


def account_number(rng: random.Random) -> str:
    return str(rng.choice((6222, 6217, 3100, 1202, 4420, 5000))) + "".join(
        rng.choice("0123456789") for _ in range(rng.choice((12, 13, 15)))
    )


def make_book(seed: int, customers: int, installments: int) -> Book:
    rng = random.Random(f"{seed}-ledger")
    book = Book()
    created = "2025-01-01T08:00:00.000000+00:00"
    seen: set[str] = set()
    used_accounts: set[str] = set()
    currency_of: dict[int, str] = {}
    cid = 0
    while cid < customers:
        english = rng.random() < 0.1
        name = company_name(rng, english)
        key = name_key(name)
        if cid and rng.random() < 0.005:  # the same company under two codes (a second site, a re-registration)
            name = book.names[rng.randrange(1, cid + 1)]
        elif key in seen:
            continue
        seen.add(key)
        cid += 1
        currency = "USD" if english and rng.random() < 0.6 else "CNY"
        currency_of[cid] = currency
        book.names[cid] = name
        book.customer_rows.append((cid, f"C{cid:05d}", name, None, rng.choice((None, "net30", "net60")), None, None,
                                   rng.choice((None, "A", "B", "C")), "en" if english else "zh", None, created))  # fmt: skip
        r = rng.random()
        for _ in range(2 if r < 0.15 else 1 if r < 0.5 else 0):
            acct = account_number(rng)
            if acct not in used_accounts:
                used_accounts.add(acct)
                book.accounts.setdefault(cid, []).append(acct)
                book.account_rows.append((len(book.account_rows) + 1, cid, acct, rng.choice(("learned", "manual")),
                                          created))  # fmt: skip
        if rng.random() < 0.15:  # a learned alias: the short name the bank printed on an earlier transfer
            if english:
                alias = " ".join(name.split()[:2]).upper()
            else:
                body = key[3:] if key[2:3] == "市" else key[2:]
                alias = body + rng.choice(("", "公司"))
            akey = name_key(alias)
            if akey and akey not in seen:
                seen.add(akey)
                book.aliases[cid] = alias
                normalized = "".join(alias.casefold().split())
                book.alias_rows.append((len(book.alias_rows) + 1, cid, alias, normalized, "learned"))

    plans = [generate.Plan(text) for _, text in PLANS]
    plan_cum = list(itertools.accumulate(w for w, _ in PLANS))
    cum, acc = [], 0.0
    for rank in range(customers):  # a skewed share of the invoices per customer: a few have thousands
        acc += 1 / (rank + 10) ** 0.7
        cum.append(acc)
    order = list(range(1, customers + 1))
    rng.shuffle(order)
    today = TODAY.toordinal()
    # Invoices (1-3 installments each) until the installments are there; numbered in issue order.
    drafts = []
    count = 0
    while count < installments:
        # every 64th invoice goes to anyone: small customers have a few open items too
        cust = rng.choices(order, cum_weights=cum)[0] if len(drafts) % 64 else order[int(rng.random() * customers)]
        plan = rng.choices(plans, cum_weights=plan_cum)[0]
        issue = today - int(480 * rng.random() ** 1.8)
        cur = currency_of[cust]
        low, high = (50_000, 20_000_000) if cur == "USD" else (100_000, 200_000_000)
        amount = int(math.exp(rng.uniform(math.log(low), math.log(high))))
        parts = plan.split(amount)[: installments - count]
        drafts.append((issue, cust, plan, parts))
        count += len(parts)
    drafts.sort(key=lambda d: d[0])
    per_year: Counter[int] = Counter()
    contracts: dict[int, tuple[int, str]] = {}
    ins_id = 0
    dstr: dict[int, str] = {}

    def iso(o: int) -> str:
        s = dstr.get(o)
        if s is None:
            s = dstr[o] = date.fromordinal(o).isoformat()
        return s

    for inv_id, (issue, cust, plan, parts) in enumerate(drafts, start=1):
        year = date.fromordinal(issue).year
        per_year[year] += 1
        number = f"INV-{year}-{per_year[year]:06d}"
        contract_id, contract_no = None, ""
        if rng.random() < 0.15:
            if cust not in contracts or rng.random() < 0.3:
                contract_id = len(book.contract_rows) + 1
                contract_no = f"HT-{year}-{contract_id:05d}"
                contracts[cust] = (contract_id, contract_no)
                book.contract_rows.append((contract_id, contract_no, cust, iso(issue - 10), currency_of[cust], None,
                                           None, None, None, 0, None, created))  # fmt: skip
            contract_id, contract_no = contracts[cust]
        cur = currency_of[cust]
        book.invoice_rows.append((inv_id, number, cust, contract_id, iso(issue), cur, sum(parts), plan.text, None,
                                  None, None, None, None, iso(issue) + "T09:00:00.000000+00:00"))  # fmt: skip
        events: dict[str, int | None] = {}
        for ev in plan.events:
            happened = issue + 10 + int(rng.random() * 150)
            if happened <= today and rng.random() < 0.7:
                events[ev] = happened
                book.milestone_rows.append((len(book.milestone_rows) + 1, inv_id, ev, iso(happened), None,
                                            iso(happened) + "T10:00:00.000000+00:00"))  # fmt: skip
            else:
                events[ev] = None
        for seq, ((_, kind, due_kind, due_days, due_event), part) in enumerate(
            zip(plan.parts, parts, strict=False), start=1
        ):
            ins_id += 1
            if due_kind == "after_issue":
                due: int | None = issue + due_days
            elif due_kind == "eom":
                d = date.fromordinal(issue)
                due = date(d.year + (d.month == 12), d.month % 12 + 1, 1).toordinal() - 1 + due_days
            else:
                happened = events.get(due_event)
                due = None if happened is None else happened + due_days
            book.installment_rows.append((ins_id, inv_id, seq, kind, part, due_kind, due_days, due_event, None,
                                          iso(due) if due is not None else None, None))  # fmt: skip
            book.items.append((ins_id, cust, number, contract_no, seq, due, part, cur, issue))
    return book


def spell(rng: random.Random, number: str) -> str:
    """An invoice or contract number as a payer types it into the remittance text."""
    style = rng.randrange(8)
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
    if style == 6:
        return f"{number.lower()}号"
    return f"货款{number}"


def variant(rng: random.Random, name: str) -> str:
    """A name as a bank prints it, different in form only: company-form suffix, full width, (中国)."""
    cjk = any("\u4e00" <= ch <= "\u9fff" for ch in name)
    if not cjk:
        for form in EN_FORMS:
            if name.endswith(form):
                base = name[: -len(form)]
                return (
                    full_width(base.upper()) + rng.choice(EN_FORMS)
                    if rng.random() < 0.3
                    else base + rng.choice([f for f in EN_FORMS if f != form])
                )
        return full_width(name)
    for old, new in (("集团有限公司", "集团股份有限公司"), ("股份有限公司", "有限公司"), ("有限责任公司", "有限公司"),
                     ("有限公司", "有限责任公司")):  # fmt: skip
        if name.endswith(old):
            base = name[: -len(old)]
            r = rng.random()
            if r < 0.4:
                return base + new
            if r < 0.7:
                return f"{base}（中国）{old}"
            return f"{base}(中国){new}"
    return name + "（中国）"


def misspell(rng: random.Random, name: str) -> str:
    """A name as a bank prints it with a real difference: one character wrong, 市 added or dropped."""
    cjk = any("\u4e00" <= ch <= "\u9fff" for ch in name)
    if cjk:
        city = next((c for c in CITIES if name.startswith(c)), "")
        if city and rng.random() < 0.4:
            rest = name[len(city) :]
            return city + rest[1:] if rest.startswith("市") else f"{city}市{rest}"
        body = [i for i, ch in enumerate(name) if i >= len(city) and ch in BRAND]
        i = rng.choice(body) if body else len(city)
        return name[:i] + rng.choice([c for c in BRAND if c != name[i]]) + name[i + 1 :]
    words = name.split()
    w = rng.randrange(2)
    word = words[w]
    j = 1 + rng.randrange(len(word) - 1)
    words[w] = word[:j] + rng.choice([c for c in "aeiourstnl" if c != word[j]]) + word[j + 1 :]
    return " ".join(words)


def make_statement(book: Book, lines: int, seed: int) -> tuple[list[tuple], dict[int, list]]:
    """(rows, truth): rows sorted by date, (day ordinal, summary, amount (+ in / - out), currency, payer name,
    payer account, memo); truth: row index -> [kind, customer id or None, sorted installment ids]."""
    rng = random.Random(f"{seed}-statement-{lines}")
    start, end = PERIOD_START.toordinal(), TODAY.toordinal()
    items = book.items
    by_cust: dict[tuple[int, str], list[tuple]] = defaultdict(list)
    by_invoice: dict[str, list[tuple]] = defaultdict(list)
    by_contract: dict[str, list[tuple]] = defaultdict(list)
    for it in items:
        by_cust[(it[1], it[7])].append(it)
        by_invoice[it[2]].append(it)
        if it[3]:
            by_contract[it[3]].append(it)
    for group in (*by_cust.values(), *by_invoice.values(), *by_contract.values()):
        group.sort(key=age_key)
    under_contract = [it for it in items if it[3]]
    known_keys = {name_key(n) for n in book.names.values()} | {name_key(a) for a in book.aliases.values()}
    kinds = [k for k, w in CREDIT_KINDS for _ in range(w)]
    credits_wanted = lines // 2
    rows: list[tuple] = []
    truth_of: list[list | None] = []

    def oldest_equal(pool: list[tuple], amount: int) -> tuple:
        return next(x for x in pool if x[6] == amount)

    def booked(it: tuple) -> int:
        due = it[5] if it[5] is not None else it[8] + 60
        day = due + rng.choice((0, 0, 1, 2, 3, 5, 7, 10, 15, 20, -2, -5))
        if day < start or day > end:
            day = start + int(rng.random() * (end - start + 1))
        return max(day, min(it[8], end))

    def payer(cid: int) -> tuple[str, str]:
        """(name, account) of a transfer from a known customer."""
        r = rng.random()
        accounts = book.accounts.get(cid)
        if r < 0.35 and accounts:
            return book.names[cid], rng.choice(accounts)
        if r < 0.5 and cid in book.aliases:
            return book.aliases[cid], account_number(rng)
        return book.names[cid], account_number(rng)

    def unknown_company() -> str:
        while True:
            name = f"{rng.choice(CITIES)}{''.join(rng.sample(BRAND, 3))}实业有限公司"
            if name_key(name) not in known_keys:
                return name

    while len(rows) < credits_wanted:
        kind = rng.choice(kinds)
        memo = rng.choice(CREDIT_MEMOS)
        if kind == "unknown payer":
            r = rng.random()
            if r < 0.4:
                name, memo = rng.choice(PEOPLE), rng.choice(["个人转账", "还款", "", "转账"])
            elif r < 0.5:
                name, memo = "中国工商银行股份有限公司", "结息"
            elif r < 0.6:
                name, memo = (
                    unknown_company(),
                    f"退款 {rng.choice(['INV-2030-000001', 'PO20260815', '合同HT-2031-9'])}",
                )
            else:
                name = unknown_company()
            amount = int(math.exp(rng.uniform(math.log(100), math.log(20_000_000))))
            rows.append((start + int(rng.random() * (end - start + 1)), rng.choice(SUMMARIES_IN), amount, "CNY", name,
                         account_number(rng), memo))  # fmt: skip
            truth_of.append([kind, None, []])
            continue
        it = rng.choice(under_contract if kind == "contract ref" and under_contract else items)
        cid, cur = it[1], it[7]
        mine = by_cust[(cid, cur)]
        name, account = payer(cid)
        if kind in ("name variant", "fuzzy name"):
            name = variant(rng, book.names[cid]) if kind == "name variant" else misspell(rng, book.names[cid])
            account = account_number(rng)
            if rng.random() < 0.4:  # the invoice number and the exact amount of one installment
                target = oldest_equal(by_invoice[it[2]], it[6])
                memo = spell(rng, it[2])
            else:
                target = oldest_equal(mine, it[6])
            amount, ids = target[6], [target[0]]
        elif kind == "invoice ref":
            group = [x for x in by_invoice[it[2]] if x[7] == cur]
            if len(group) > 1 and rng.random() < 0.3:
                amount, ids = sum(x[6] for x in group), [x[0] for x in group]
            else:
                target = oldest_equal(group, it[6])
                amount, ids = target[6], [target[0]]
            memo = spell(rng, it[2]) + ("" if rng.random() < 0.5 else f" {rng.choice(CREDIT_MEMOS)}")
            if rng.random() < 0.15:  # a third party pays on the customer's behalf
                name, account = unknown_company(), account_number(rng)
        elif kind == "contract ref":
            if not it[3]:
                continue
            group = [x for x in by_contract[it[3]] if x[7] == cur]
            target = oldest_equal(group, it[6])
            amount, ids = target[6], [target[0]]
            memo = f"合同{spell(rng, it[3])}" if rng.random() < 0.5 else spell(rng, it[3])
        elif kind == "exact amount":
            target = oldest_equal(mine, it[6])
            amount, ids = target[6], [target[0]]
        elif kind == "set of 2-4":
            considered = mine[:30]
            counts = Counter(x[6] for x in considered)
            pool = [x for x in considered[:8] if counts[x[6]] == 1]
            if len(pool) < 2:
                continue
            chosen = sorted(rng.sample(pool, rng.randint(2, min(4, len(pool)))), key=age_key)
            amount, ids = sum(x[6] for x in chosen), [x[0] for x in chosen]
            if any(0 <= x[6] - amount <= 5_000 for x in mine):
                continue  # one item of that amount (or short of it by a fee) would be a better answer
        elif kind == "partial":
            with_ref = rng.random() < 0.5
            group = [x for x in by_invoice[it[2]] if x[7] == cur] if with_ref else mine
            target = group[0]
            if target[6] < 100_000:
                continue
            amount = rng.randrange(target[6] // 5, target[6] * 9 // 10)
            if any(0 <= x[6] - amount <= 10_000 for x in (*mine, *group)):
                continue  # no item the amount could be an exact or a fee-short payment of
            ids = [target[0]]
            if with_ref:
                memo = f"{spell(rng, it[2])} 部分付款" if rng.random() < 0.5 else spell(rng, it[2])
        elif kind == "overpayment":
            group = [x for x in by_invoice[it[2]] if x[7] == cur]
            total = sum(x[6] for x in group)
            amount = total + rng.randrange(10_000, max(10_001, total // 10))
            ids = [x[0] for x in group]
            memo = spell(rng, it[2])
        else:  # short by fee: a bank charge of 1.00-50.00 deducted in transit
            target = oldest_equal(mine, it[6])
            fee = rng.randrange(100, 5_001)
            if target[6] <= fee * 4:
                continue
            amount, ids = target[6] - fee, [target[0]]
            if rng.random() < 0.4:
                memo = spell(rng, target[2])
        rows.append((booked(it), rng.choice(SUMMARIES_IN), amount, cur, name, account, memo))
        truth_of.append([kind, cid, sorted(ids)])
    while len(rows) < lines:  # money out: suppliers, salaries, taxes, fees
        r = rng.random()
        if r < 0.6:
            name = f"{rng.choice(CITIES)}{''.join(rng.sample(BRAND, 2))}{rng.choice(SUPPLIER_TRADES)}有限公司"
        elif r < 0.8:
            name = rng.choice(PEOPLE)
        else:
            name = rng.choice(["国家税务总局杭州市税务局", "国网浙江省电力有限公司", "杭州市社会保险管理服务局"])
        amount = -int(math.exp(rng.uniform(math.log(1_000), math.log(50_000_000))))
        cur = "USD" if rng.random() < 0.03 else "CNY"
        rows.append((start + int(rng.random() * (end - start + 1)), rng.choice(SUMMARIES_OUT), amount, cur, name,
                     account_number(rng), rng.choice(DEBIT_MEMOS)))  # fmt: skip
        truth_of.append(None)
    order = sorted(range(len(rows)), key=lambda i: (rows[i][0], rng.random()))
    truth = {pos: truth_of[i] for pos, i in enumerate(order) if truth_of[i] is not None}
    return [rows[i] for i in order], truth


GENERATOR = frozenset({
    "CITIES", "BRAND", "TRADES", "CN_FORMS", "EN_WORDS", "EN_TRADES", "EN_FORMS", "PEOPLE", "SUPPLIER_TRADES",
    "DEBIT_MEMOS", "CREDIT_MEMOS", "SUMMARIES_IN", "SUMMARIES_OUT", "PLANS", "CREDIT_KINDS", "Book", "age_key",
    "full_width", "company_name", "name_key", "account_number", "make_book", "spell", "variant", "misspell",
    "make_statement", "money_text", "write_statement", "write_ledger", "TODAY", "PERIOD_START",
})  # fmt: skip


def generator_digest() -> str:
    """The cache key's code part: the syntax trees of the generator's definitions and arctl's reading of the
    payment plans (so a change to either regenerates the data; comments and formatting do not)."""
    tree = ast.parse(Path(__file__).read_text(encoding="utf-8"))
    parts = []
    for node in tree.body:
        names = []
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names = [node.name]
        elif isinstance(node, ast.Assign):
            names = [t.id for t in node.targets if isinstance(t, ast.Name)]
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names = [node.target.id]
        if any(n in GENERATOR for n in names):
            parts.append(ast.dump(node))
    parts.append(repr([generate.Plan(text).parts for _, text in PLANS]))
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


# ------------------------------------------------------------------------------------------- writing ---


def money_text(minor: int) -> str:
    sign = "-" if minor < 0 else ""
    minor = abs(minor)
    return f"{sign}{minor // 100:,}.{minor % 100:02d}"


def write_statement(path: Path, rows: list[tuple]) -> int:
    """An ICBC 借记卡账户明细 export: GBK, a preamble, padded cells ending in a tab, amounts with thousands
    separators (quoted), a footer with totals. Returns the 1-based file line of the first data row."""
    header = ["交易日期", "摘要", "交易场所", "交易国家或地区简称", "钞/汇", "交易金额(收入)", "交易金额(支出)",
              "交易币种", "记账金额(收入)", "记账金额(支出)", "记账币种", "余额", "对方户名", "交易详情", "对方账户"]  # fmt: skip
    out = ["明细查询文件下载", "卡号: 1202021109000888888", "子账户类别: 活期", "币种: 人民币",
           f"起始日期: {PERIOD_START}  终止日期: {TODAY}", ""]  # fmt: skip
    out.append(",".join(header))
    first = len(out) + 1
    balance = {"CNY": 12_000_000_00, "USD": 800_000_00}
    totals = {"CNY": [0, 0], "USD": [0, 0]}
    cur_text = {"CNY": "人民币", "USD": "美元"}
    for day, summary, amount, cur, name, account, memo in rows:
        balance[cur] += amount
        income = money_text(amount) if amount > 0 else ""
        spent = money_text(-amount) if amount < 0 else ""
        totals[cur][amount < 0] += abs(amount)
        cells = [date.fromordinal(day).isoformat(), summary, "网上银行", "CHN", "钞", income, spent, cur_text[cur],
                 income, spent, cur_text[cur], money_text(balance[cur]), name, memo, account]  # fmt: skip
        out.append(",".join(f'"{c}    \t"' if "," in c else f"{c}    \t" for c in cells))
    out.append("")
    out.append(f"人民币合计: 收入 {money_text(totals['CNY'][0])}  支出 {money_text(totals['CNY'][1])}")
    data = ("\r\n".join(out) + "\r\n").encode("gbk")
    path.write_bytes(data)
    return first


def write_ledger(path: Path, book: Book, arctl: list[str], env: dict[str, str]) -> None:
    """Schema by `arctl db upgrade` on an empty file (head revision), rows by sqlite3 executemany in one
    transaction. No allocations: every installment is open (settled_on NULL). No audit events."""
    result = subprocess.run([*arctl, "--db", str(path), "db", "upgrade"], env=env, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"arctl db upgrade failed: {result.stderr.strip()}")
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("BEGIN")
    con.executemany("INSERT INTO customer (id, code, name, address, default_terms, credit_limit_minor, credit_currency,"
                    " credit_grade, language, notes, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)", book.customer_rows)  # fmt: skip
    con.executemany("INSERT INTO customer_alias (id, customer_id, alias, normalized, source) VALUES (?,?,?,?,?)",
                    book.alias_rows)  # fmt: skip
    con.executemany("INSERT INTO customer_account (id, customer_id, account, source, created_at) VALUES (?,?,?,?,?)",
                    book.account_rows)  # fmt: skip
    con.executemany("INSERT INTO contract (id, number, customer_id, signed_on, currency, total_minor, terms,"
                    " penalty_basis, penalty_rate_ppm, grace_days, penalty_cap_bp, created_at)"
                    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", book.contract_rows)  # fmt: skip
    con.executemany("INSERT INTO invoice (id, number, customer_id, contract_id, issue_date, currency, amount_minor,"
                    " terms, discount_bp, discount_days, description, voided_on, void_reason, created_at)"
                    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", book.invoice_rows)  # fmt: skip
    con.executemany("INSERT INTO milestone (id, invoice_id, event, occurred_on, note, created_at) VALUES (?,?,?,?,?,?)",
                    book.milestone_rows)  # fmt: skip
    con.executemany("INSERT INTO installment (id, invoice_id, seq, kind, amount_minor, due_kind, due_days, due_event,"
                    " due_fixed, due_date, settled_on) VALUES (?,?,?,?,?,?,?,?,?,?,?)", book.installment_rows)  # fmt: skip
    con.execute("COMMIT")
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()


# --------------------------------------------------------------------------------------------- cache ---


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass
class Data:
    ledger: Path
    statement: Path
    truth: dict[int, list]
    """file line -> [kind, customer id or None, installment ids]"""
    meta: dict


def _stored(side: Path) -> dict:
    try:
        return json.loads(side.read_text())
    except (OSError, ValueError):
        return {}


def ensure_data(
    lines: int, installments: int, customers: int, seed: int, arctl: list[str], env: dict[str, str]
) -> Data:
    digest = generator_digest()
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    ledger = DATA_DIR / f"bank-ledger-{installments}-{customers}-s{seed}.db"
    statement = DATA_DIR / f"bank-icbc-{lines}-{installments}-{customers}-s{seed}.csv"
    ledger_side = ledger.with_name(ledger.name + ".params.json")
    truth_side = statement.with_name(statement.name + ".truth.json")
    lparams = {"installments": installments, "customers": customers, "seed": seed, "generator": digest}
    sparams = {**lparams, "lines": lines}
    lmeta, smeta = _stored(ledger_side), _stored(truth_side)
    ledger_ok = ledger.exists() and {k: lmeta.get(k) for k in lparams} == lparams
    statement_ok = statement.exists() and {k: smeta.get(k) for k in sparams} == sparams
    book = None
    if not ledger_ok or not statement_ok:
        started = time.perf_counter()
        gc.disable()
        try:
            book = make_book(seed, customers, installments)
        finally:
            gc.enable()
        log(f"book generated: {time.perf_counter() - started:.1f} s")
    if ledger_ok:
        before, head = generate.upgrade_to_head(ledger)
        checkpoint(ledger)
        log(f"reusing {ledger}" + ("" if before == head else f" (schema upgraded {before} -> {head})"))
    else:
        assert book is not None
        started = time.perf_counter()
        tmp = ledger.with_name(ledger.name + ".partial")
        for stale in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm"), ledger_side, ledger):
            stale.unlink(missing_ok=True)
        write_ledger(tmp, book, arctl, env)
        os.replace(tmp, ledger)
        counts = {"customers": len(book.customer_rows), "aliases": len(book.alias_rows),
                  "accounts": len(book.account_rows), "contracts": len(book.contract_rows),
                  "invoices": len(book.invoice_rows), "installments": len(book.installment_rows),
                  "milestones": len(book.milestone_rows),
                  "pending installments": sum(1 for it in book.items if it[5] is None),
                  "USD installments": sum(1 for it in book.items if it[7] == "USD")}  # fmt: skip
        lmeta = {**lparams, "seconds": round(time.perf_counter() - started, 1), "counts": counts,
                 "revision": generate.stored_revision(ledger)}  # fmt: skip
        ledger_side.write_text(json.dumps(lmeta, indent=2) + "\n")
        log(f"ledger written in {lmeta['seconds']} s: {ledger} ({ledger.stat().st_size / 1e6:.0f} MB)")
    if statement_ok:
        log(f"reusing {statement}")
    else:
        assert book is not None
        started = time.perf_counter()
        rows, truth = make_statement(book, lines, seed)
        tmp = statement.with_name(statement.name + ".partial")
        first = write_statement(tmp, rows)
        by_line = {first + pos: t for pos, t in truth.items()}
        kinds = Counter(t[0] for t in truth.values())
        smeta = {**sparams, "seconds": round(time.perf_counter() - started, 1), "rows": len(rows),
                 "credits": len(truth), "debits": len(rows) - len(truth), "kinds": dict(sorted(kinds.items())),
                 "truth": {str(k): v for k, v in by_line.items()}}  # fmt: skip
        truth_side.write_text(json.dumps(smeta, ensure_ascii=False) + "\n")
        os.replace(tmp, statement)
        log(f"statement written in {smeta['seconds']} s: {statement} ({statement.stat().st_size / 1e6:.1f} MB)")
    truth_map = {int(k): v for k, v in smeta["truth"].items()}
    meta = {"ledger": lmeta, "statement": {k: v for k, v in smeta.items() if k != "truth"}}
    return Data(ledger, statement, truth_map, meta)


# ------------------------------------------------------------------------------------------- measure ---


@dataclass
class Measure:
    name: str
    samples: list[float] = field(default_factory=list)
    rss_kb: list[int] = field(default_factory=list)
    note: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.samples) if self.samples else float("nan")

    @property
    def minimum(self) -> float:
        return min(self.samples) if self.samples else float("nan")

    @property
    def rss_mb(self) -> float:
        return max(self.rss_kb) / 1024 if self.rss_kb else float("nan")


ARCTL: list[str] = []


def arctl_command() -> list[str]:
    if ARCTL:
        return ARCTL
    script = Path(sys.executable).with_name("arctl")
    return [str(script)] if script.exists() else [sys.executable, "-m", "arctl"]


def run_child(argv: list[str], env: dict[str, str]) -> tuple[float, int, int, str, str]:
    """(seconds, peak RSS kB, exit code, stdout, stderr). Peak RSS from GNU time, which forks the command
    itself (a child forked from this big process would report this process's high-water mark too)."""
    gnu_time = os.path.exists(GNU_TIME)
    with tempfile.NamedTemporaryFile(prefix="arctl-rss-", delete=False) as tmp:
        rss_file = Path(tmp.name)
    full = [GNU_TIME, "-f", "%M", "-o", str(rss_file), *argv] if gnu_time else argv
    try:
        started = time.perf_counter()
        proc = subprocess.run(full, env=env, capture_output=True)
        elapsed = time.perf_counter() - started
        code, rss = proc.returncode, 0
        if gnu_time:
            words = rss_file.read_text().split()
            rss = int(words[-1]) if words and words[-1].isdigit() else 0
    finally:
        rss_file.unlink(missing_ok=True)
    return elapsed, rss, code, proc.stdout.decode(errors="replace"), proc.stderr.decode(errors="replace")


def floor_csv(path: Path) -> int:
    """Floor A: the file's bytes, decoded, through csv.reader, every row visited."""
    text = path.read_bytes().decode("gb18030")
    n = 0
    for _row in csv.reader(io.StringIO(text, newline="")):
        n += 1
    return n


OPEN_SQL = """
SELECT ins.id, inv.number, inv.currency,
       ins.amount_minor - COALESCE((SELECT SUM(a.amount_minor) FROM allocation a
                                    WHERE a.installment_id = ins.id AND a.reversed_on IS NULL), 0)
FROM installment ins JOIN invoice inv ON inv.id = ins.invoice_id
WHERE ins.settled_on IS NULL AND inv.voided_on IS NULL
"""


def floor_join(path: Path) -> tuple[int, int, int]:
    """Floor B: open installments and stored credit lines read with sqlite3, a dict on (currency, open amount,
    invoice number), probed with each line's whitespace-separated memo tokens. (items, lines, hits)."""
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    index = {}
    n_items = 0
    for ins_id, number, currency, open_minor in con.execute(OPEN_SQL):
        if open_minor > 0:
            index[(currency, open_minor, number)] = ins_id
            n_items += 1
    get = index.get
    hits = n_lines = 0
    for _id, currency, amount, memo in con.execute(
        "SELECT id, currency, amount_minor, memo FROM bank_line WHERE status IN ('unmatched', 'suggested')"
    ):
        n_lines += 1
        for token in memo.upper().split():
            if get((currency, amount, token)) is not None:
                hits += 1
                break
    con.close()
    return n_items, n_lines, hits


def timed(fn, *args):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    result = fn(*args)
    return time.perf_counter() - started, result


def copy_ledger(src: Path, dst: Path) -> Path:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{dst}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(src, dst)
    return dst


def checkpoint(path: Path) -> None:
    """Fold a WAL file left beside the ledger into it, so that the file alone can be moved or copied."""
    con = sqlite3.connect(path)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()


def drop(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def inprocess_import(ledger: Path, statement: Path) -> tuple[float, int]:
    from arctl.db.engine import open_db
    from arctl.services.bank_import import import_files

    db = open_db(str(ledger), migrate=False)
    try:
        seconds, summaries = timed(import_files, db, [statement])
    finally:
        db.dispose()
    return seconds, sum(s.added for s in summaries)


def inprocess_match(ledger: Path) -> list[tuple[str, float, str]]:
    """The read steps of `match_lines` and `propose.match` alone, each timed; the ledger is not changed."""
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from arctl.db import bank_repo
    from arctl.db.bank_models import BankLine
    from arctl.db.engine import open_db
    from arctl.matching import model as m
    from arctl.matching.propose import match
    from arctl.services.bank_match import OPEN_LINE_STATES, settings

    db = open_db(str(ledger), migrate=False)
    out = []
    try:
        with Session(db.engine) as session:
            columns = (
                BankLine.id,
                BankLine.booked_on,
                BankLine.amount_minor,
                BankLine.currency,
                BankLine.payer_name,
                BankLine.payer_account,
                BankLine.memo,
            )  # as match_lines reads them
            t, credits = timed(lambda: [m.Credit(*row) for row in session.execute(
                select(*columns).where(BankLine.status.in_(OPEN_LINE_STATES)).order_by(BankLine.id))])  # fmt: skip
            out.append(("read bank lines -> matching.Credit", t, f"{len(credits):,}"))
            t, items = timed(lambda: [m.OpenInstallment(*r) for r in bank_repo.open_installments(session, TODAY)])
            out.append(("read open installments -> OpenInstallment", t, f"{len(items):,}"))
            t, payers = timed(lambda: [m.Payer(*r) for r in bank_repo.payers(session)])
            out.append(("read payers -> Payer", t, f"{len(payers):,}"))
            t, results = timed(match, credits, items, payers, settings(None))
            n_prop = sum(len(r.proposals) for r in results)
            out.append(("propose.match() alone", t, f"{n_prop:,} proposals"))
    finally:
        db.dispose()
    return out


PROFILE_DRIVER = r"""
import cProfile, gc, sys
gc.set_threshold(100_000, 50, 1000)  # as arctl.cli.main.run
out = sys.argv[1]
sys.argv = ["arctl", *sys.argv[2:]]
from arctl.cli.main import app
prof = cProfile.Profile()
prof.enable()
try:
    app()
except SystemExit:
    pass
prof.disable()
prof.dump_stats(out)
"""


def profile_child(tmpdir: Path, args: list[str], env: dict[str, str], top: int) -> list[str]:
    """cProfile of one arctl command, run in a child through Typer's app (arctl's own entry point ends with
    os._exit, which would lose the profile): total, then arctl's own functions by cumulative time, then
    every function by own time."""
    out = tmpdir / "profile.out"
    driver = tmpdir / "profile_driver.py"
    driver.write_text(PROFILE_DRIVER)
    proc = subprocess.run([sys.executable, str(driver), str(out), *args], env=env, capture_output=True, text=True)
    if not out.exists():
        return [f"  (profile failed: {proc.stderr.strip()[-300:]})"]
    stats = pstats.Stats(str(out)).stats  # type: ignore[attr-defined]
    out.unlink()

    def where(key: tuple[str, int, str]) -> str:
        file, line, func = key
        parts = Path(file).parts
        short = "/".join(parts[parts.index("arctl") :]) if "arctl" in parts else Path(file).name
        return f"{short}:{line}({func})" if line else func

    total = max((ct for _cc, _nc, _tt, ct, _callers in stats.values()), default=0.0)
    lines = [f"  profiled run: {total:.2f} s"]
    own = [(ct, tt, nc, key) for key, (_cc, nc, tt, ct, _c) in stats.items() if "/arctl/" in key[0]]
    own.sort(reverse=True)
    lines.append(f"  {'cum s':>7} {'own s':>7} {'calls':>9}  arctl function (by cumulative time)")
    lines += [f"  {ct:7.2f} {tt:7.2f} {nc:9,}  {where(key)}" for ct, tt, nc, key in own[:top]]
    by_own = sorted(((tt, ct, nc, key) for key, (_cc, nc, tt, ct, _c) in stats.items()), reverse=True)
    lines.append(f"  {'own s':>7} {'cum s':>7} {'calls':>9}  any function (by own time)")
    lines += [f"  {tt:7.2f} {ct:7.2f} {nc:9,}  {where(key)}" for tt, ct, nc, key in by_own[:top]]
    return lines


def quality(path: Path, truth: dict[int, list]) -> tuple[list[str], dict[str, int]]:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    rows = con.execute(
        "SELECT l.source_line, p.customer_id, p.sure, p.allocations, p.rule, p.score, p.reasons"
        " FROM bank_line l LEFT JOIN bank_proposal p ON p.line_id = l.id AND p.rank = 1 AND p.status = 'open'"
    ).fetchall()
    con.close()
    per: dict[str, Counter[str]] = defaultdict(Counter)
    examples: list[str] = []
    missing = 0
    for source_line, cust, sure, allocations, rule, score, reasons in rows:
        t = truth.get(source_line)
        if t is None:
            missing += 1
            continue
        kind, want_cust, want_ids = t
        c = per[kind]
        c["lines"] += 1
        has = cust is not None or allocations is not None
        c["proposal"] += has
        sure = bool(sure)
        right = (
            has
            and want_cust is not None
            and cust == want_cust
            and (sorted(i for i, _ in json.loads(allocations)) == want_ids)
        )
        c["sure"] += sure
        c["best right"] += right if want_cust is not None else not sure
        c["sure right"] += sure and right
        wrong = sure and not right
        c["false sure"] += wrong
        if wrong and len(examples) < 4:
            why = "; ".join(f"{label} {points:+d}" for label, points, _ in json.loads(reasons))
            examples.append(f"  line {source_line} ({kind}): truth {want_cust} {want_ids}; proposed {cust} "
                            f"{allocations} {rule} {score} [{why}]")  # fmt: skip
    total: Counter[str] = Counter()
    for c in per.values():
        total.update(c)
    out = [f"{'credit lines by kind':<22} {'lines':>7} {'proposal':>9} {'sure':>7} {'sure right':>11} "
           f"{'false sure':>11} {'best right %':>13}"]  # fmt: skip
    for kind in [*(k for k, _ in CREDIT_KINDS if k in per), "all"]:
        c = total if kind == "all" else per[kind]
        out.append(f"{kind:<22} {c['lines']:>7,} {c['proposal']:>9,} {c['sure']:>7,} {c['sure right']:>11,} "
                   f"{c['false sure']:>11,} {100 * c['best right'] / max(1, c['lines']):>12.1f}%")  # fmt: skip
    if missing:
        out.append(f"({missing} stored lines have no truth: the file's line numbers and the truth disagree)")
    if examples:
        out.append("false-sure examples:")
        out += examples
    return out, dict(total)


# ---------------------------------------------------------------------------------------------- main ---


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--lines", type=int, default=100_000, help="statement lines, half of them credits (100000)"
    )
    parser.add_argument("--installments", type=int, default=300_000, help="open installments (default 300000)")
    parser.add_argument("--customers", type=int, default=10_000, help="customers (default 10000)")
    parser.add_argument("--seed", type=int, default=20261031)
    parser.add_argument("--runs", type=int, default=3, help="timed runs of each command (default 3)")
    parser.add_argument("--quick", action="store_true",
                        help="smoke test: --lines 5000 --installments 20000 --customers 1000 --runs 1")  # fmt: skip
    parser.add_argument(
        "--only", choices=("import", "match"), help="time only one half (match still imports once)"
    )
    parser.add_argument("--profile", action="store_true", help="also cProfile one run of each arctl command")
    parser.add_argument("--top", type=int, default=18, help="profile lines shown per ordering (default 18)")
    parser.add_argument("--arctl", metavar="COMMAND",
                        help="how to run arctl, e.g. 'env PYTHONPATH=/tmp/proto/src .venv/bin/python -m arctl'")  # fmt: skip
    parser.add_argument("--keep", action="store_true", help="keep the working directory (ledger copies)")
    args = parser.parse_args()
    if args.quick:
        args.lines, args.installments, args.customers, args.runs = 5_000, 20_000, 1_000, 1
    if args.arctl:
        ARCTL[:] = shlex.split(args.arctl)
    arctl = arctl_command()
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    tmpdir = Path(tempfile.mkdtemp(prefix="bank-run-", dir=DATA_DIR))
    (tmpdir / "config").mkdir()
    env = {**os.environ, "ARCTL_TODAY": TODAY.isoformat(), "XDG_DATA_HOME": str(tmpdir / "xdg"),
           "ARCTL_CONFIG_DIR": str(tmpdir / "config")}  # fmt: skip
    env.pop("ARCTL_DB", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ.update({k: env[k] for k in ("ARCTL_TODAY", "ARCTL_CONFIG_DIR")})

    load_start = os.getloadavg()[0]
    data = ensure_data(args.lines, args.installments, args.customers, args.seed, arctl, env)
    rows: list[Measure] = []
    info: list[tuple[str, float, str]] = []
    ratios: list[tuple[str, float, str, bool | None]] = []
    facts: list[str] = []
    profiles: list[str] = []
    imported = tmpdir / "imported.db"
    expected = len(data.truth)
    try:
        # ---- import
        floor_a, mine_i = (
            Measure("A  floor: bytes -> gb18030 -> csv.reader, every row"),
            Measure("1  arctl bank import FILE (subprocess)"),
        )
        runs_i = args.runs if args.only != "match" else 1
        floor_csv(data.statement)  # warm-up: the file in the page cache
        for i in range(runs_i):
            log(f"import run {i + 1}/{runs_i}: floor, then arctl bank import ...")
            for _ in range(FLOOR_REPEAT):
                t, n_rows = timed(floor_csv, data.statement)
                floor_a.samples.append(t)
            target = copy_ledger(data.ledger, tmpdir / "import.db")
            seconds, rss, code, out, err = run_child([*arctl, "--db", str(target), "bank", "import",
                                                      str(data.statement)], env)  # fmt: skip
            if code != 0:
                mine_i.note = f"exit {code}: {err.strip()[-300:]}"
                break
            mine_i.samples.append(seconds)
            mine_i.rss_kb.append(rss)
            if i == 0:
                facts.append(f"import: {out.strip()}")
                checkpoint(target)
                os.replace(target, imported)
            drop(target)
        if mine_i.note:
            print(f"arctl bank import failed: {mine_i.note}")
            return 0
        con = sqlite3.connect(f"file:{imported}?mode=ro", uri=True)
        stored = con.execute("SELECT count(*) FROM bank_line").fetchone()[0]
        con.close()
        facts.append(f"file: {n_rows:,} csv rows, {data.statement.stat().st_size / 1e6:.1f} MB; credit lines stored: "
                     f"{stored:,} (generator: {expected:,})")  # fmt: skip
        if args.only != "match":
            rows += [floor_a, mine_i]
            ratios.append(("bank import / csv floor", mine_i.median / floor_a.median, f"<= {GOAL_IMPORT:g}",
                           mine_i.median / floor_a.median <= GOAL_IMPORT))  # fmt: skip
            ratios.append(("  (min / min)", mine_i.minimum / floor_a.minimum, "", None))
            log("in-process import_files (information) ...")
            target = copy_ledger(data.ledger, tmpdir / "inproc.db")
            gc.set_threshold(100_000, 50, 1000)
            try:
                t, added = inprocess_import(target, data.statement)
                info.append(("import_files() in this process", t, f"{added:,} lines added"))
            except Exception as exc:  # arctl's internals moved: report, do not fail
                info.append(("import_files() in this process", float("nan"), f"failed: {exc!r}"[:120]))
            drop(target)

        # ---- match
        if args.only != "import":
            floor_b, mine_m = (
                Measure("B  floor: dict hash-join (currency, amount, memo token)"),
                Measure("2  arctl bank match (subprocess)"),
            )
            floor_join(imported)  # warm-up
            last = tmpdir / "match.db"
            for i in range(args.runs):
                log(f"match run {i + 1}/{args.runs}: floor, then arctl bank match ...")
                for _ in range(FLOOR_REPEAT):
                    t, (n_items, n_lines, hits) = timed(floor_join, imported)
                    floor_b.samples.append(t)
                target = copy_ledger(imported, last)
                seconds, rss, code, out, err = run_child([*arctl, "--db", str(target), "bank", "match"], env)
                if code != 0:
                    mine_m.note = f"exit {code}: {err.strip()[-300:]}"
                    break
                mine_m.samples.append(seconds)
                mine_m.rss_kb.append(rss)
                if i == 0:
                    facts.append(f"match: {out.strip()}")
            rows += [floor_b, mine_m]
            facts.append(f"floor B: {n_items:,} open installments, {n_lines:,} lines, {hits:,} found by "
                         f"(amount, memo token)")  # fmt: skip
            if mine_m.samples:
                ratios.append(("bank match / hash-join floor", mine_m.median / floor_b.median, f"<= {GOAL_MATCH:g}",
                               mine_m.median / floor_b.median <= GOAL_MATCH))  # fmt: skip
                ratios.append(("  (min / min)", mine_m.minimum / floor_b.minimum, "", None))
                checkpoint(last)
                quality_lines, total = quality(last, data.truth)
            else:
                quality_lines, total = [f"arctl bank match failed: {mine_m.note}"], {}
            log("in-process match steps (information) ...")
            gc.set_threshold(100_000, 50, 1000)
            try:
                info += inprocess_match(imported)
            except Exception as exc:  # arctl's internals moved: report, do not fail
                info.append(("match steps in this process", float("nan"), f"failed: {exc!r}"[:120]))
        for m in rows:
            if m.rss_kb and m.name.startswith(("1", "2")):
                ratios.append((f"{m.name.split('(')[0].strip()[3:]} peak RSS (MB)", m.rss_mb, f"< {GOAL_RSS_MB}",
                               m.rss_mb < GOAL_RSS_MB))  # fmt: skip
        if args.profile:
            if args.only != "match":
                log("profiling arctl bank import ...")
                target = copy_ledger(data.ledger, tmpdir / "prof.db")
                profiles.append("cProfile: arctl bank import")
                profiles += profile_child(tmpdir, ["--db", str(target), "bank", "import", str(data.statement)], env,
                                          args.top)  # fmt: skip
                drop(target)
            if args.only != "import":
                log("profiling arctl bank match ...")
                target = copy_ledger(imported, tmpdir / "prof.db")
                profiles.append("cProfile: arctl bank match")
                profiles += profile_child(tmpdir, ["--db", str(target), "bank", "match"], env, args.top)
                drop(target)
    finally:
        if not args.keep:
            shutil.rmtree(tmpdir, ignore_errors=True)

    lm, sm = data.meta["ledger"], data.meta["statement"]
    print(f"arctl bank benchmark — {date.today()} — python {platform.python_version()}, SQLite "
          f"{sqlite3.sqlite_version}, {platform.system()} {platform.machine()}, {os.cpu_count()} CPUs")  # fmt: skip
    print(f"ledger {data.ledger} ({data.ledger.stat().st_size / 1e6:,.0f} MB, schema {lm.get('revision')}, "
          f"generated in {lm.get('seconds')} s): " + ", ".join(f"{v:,} {k}" for k, v in lm.get("counts", {}).items()))  # fmt: skip
    print(f"statement {data.statement} (generated in {sm.get('seconds')} s): {sm.get('rows'):,} lines, "
          f"{sm.get('credits'):,} credits (" + ", ".join(f"{k} {v:,}" for k, v in sm.get("kinds", {}).items())
          + f"), {sm.get('debits'):,} payments out")  # fmt: skip
    print(f"arctl: {shlex.join(arctl)}; ARCTL_TODAY={TODAY}")
    print(f"{args.runs} timed runs, interleaved with {FLOOR_REPEAT} floor runs each; arctl as a subprocess (start-up "
          "included), each run on a fresh copy of the ledger; floors in this process")  # fmt: skip
    print(f"load average (1 min) at start {load_start:.2f}, at end {os.getloadavg()[0]:.2f}")
    print()
    print(f"{'measure':<58} {'median s':>9} {'min s':>8} {'peak RSS MB':>12}")
    for m in rows:
        rss = f"{m.rss_mb:12.0f}" if m.rss_kb else f"{'':>12}"
        if m.samples:
            print(f"{m.name:<58} {m.median:9.2f} {m.minimum:8.2f} {rss}")
        else:
            print(f"{m.name:<58} {'—':>9} {'—':>8} {'':>12}  {m.note}")
    print()
    print(f"{'(information, in this process, one run)':<58} {'s':>9}")
    for name, seconds, note in info:
        print(f"{name:<58} {seconds:9.2f}  {note}")
    print()
    print(f"{'ratio':<40} {'measured':>9}  goal")
    for label, value, goal, ok in ratios:
        verdict = "" if ok is None else ("met" if ok else "NOT met")
        print(f"{label:<40} {value:9.2f}  {goal:<8} {verdict}")
    print()
    for line in facts:
        print(line)
    if args.only != "import":
        print()
        for line in quality_lines:
            print(line)
        if total:
            print(f"false-sure: {total.get('false sure', 0):,} of {total.get('sure', 0):,} sure "
                  f"({total.get('sure right', 0):,} sure and right)")  # fmt: skip
    if profiles:
        print()
        for line in profiles:
            print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
