#!/usr/bin/env python3
"""Generate a large, deterministic arctl ledger for benchmarks (seeded; same parameters, same bytes of data).

    python bench/generate.py [--invoices N] [--customers N] [--seed S] [--out FILE] [--force]

The file is created by arctl's own migrations: the schema of the first revision (0001) is created, the rows
are inserted with sqlite3 `executemany` in large transactions (secondary indexes dropped during the load
and re-created from their own SQL afterwards), and then `arctl`'s later migrations are run on it, so any
column added since (payment.settled_on, ...) is back-filled exactly as it would be on a real ledger.

What is in it (1M invoices, the default; everything scales with --invoices):
  - 10,000 customers (8 % invoicing in USD, the rest CNY; a skewed share of invoices per customer),
    tags, dates over three years ending on a fixed "today", 2026-10-31;
  - ~2.2 installments per invoice: single net30 / net60 / eom+30, and 2-4 part plans (deposit on signing,
    delivery+30d, installation+30d, acceptance+30d/60d, retention+180d) with milestones; a few milestones still pending;
  - ~1.5M payments (several installments of one customer on one pay run share a payment; some payments
    applied days after receipt, some overpaid, some left on account, a few bounced = reversed with
    their allocation), credit notes and write-offs, ~2.2M allocations (some partial, a few reversed);
  - ~5 % of installments open today; a few voided invoices;
  - installment.settled_on exactly as arctl defines it (repo.expected_settled_on): the void date, or the
    last applied_on of the allocations in force when they cover the amount, else NULL.
No audit events are written (the chain is empty, which `arctl verify` accepts).

The parameters are stored beside the file (FILE.params.json); a second run with the same parameters (and
the same generator source) reuses the file and only brings its schema to arctl's head revision.
The file is written under a temporary name and renamed at the end: an interrupted run leaves no ledger.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import os
import queue
import random
import sqlite3
import sys
import threading
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

TODAY = date(2026, 10, 31)
YEARS = 3
BASE_REVISION = "0001"  # rows are inserted against this schema, then the later migrations run
DEFAULT_DATA_DIR = Path(os.environ.get("ARCTL_BENCH_DATA", "/tmp/arctl-bench"))

# Payment terms: (weight %, terms text as a clerk types it). Parsed with arctl's own parser at start-up.
PLANS = (
    (22, "net30"),
    (9, "net60"),
    (5, "eom+30"),
    (20, "30% on signing, 70% net60"),
    (22, "30% on signing, 60% delivery+30d, 10% acceptance+30d"),
    (12, "20% on signing, 30% delivery+30d, 30% installation+30d, 20% acceptance+30d"),
    (10, "30% on signing, 40% delivery+30d, 25% acceptance+60d, 5% retention+180d"),
)
USD_PLANS = ((70, "net30"), (30, "net60"))

CITIES = [
    "杭州",
    "上海",
    "苏州",
    "宁波",
    "无锡",
    "南京",
    "深圳",
    "广州",
    "东莞",
    "佛山",
    "天津",
    "青岛",
    "成都",
    "重庆",
    "武汉",
    "合肥",
    "厦门",
    "温州",
    "绍兴",
    "嘉兴",
]
TRADES = [
    "精细机械",
    "星云科技",
    "华东电气",
    "恒通物流",
    "远航材料",
    "金桥化工",
    "新源能源",
    "明达电子",
    "鼎盛建材",
    "博远仪器",
    "瑞丰纺织",
    "天成汽配",
    "永安医疗",
    "启明软件",
    "长江钢构",
    "光华光电",
]
SUFFIXES = ("有限公司", "有限责任公司", "股份有限公司", "贸易有限公司")
EN_WORDS = [
    "Nordic",
    "Atlas",
    "Pacific",
    "Summit",
    "Harbor",
    "Vertex",
    "Orion",
    "Delta",
    "Alpine",
    "Meridian",
    "Sterling",
    "Crescent",
]
EN_TRADES = ["Instruments", "Components", "Systems", "Trading", "Industries", "Devices", "Materials", "Robotics"]
EN_SUFFIXES = ("AB", "GmbH", "Inc.", "Ltd", "LLC", "S.A.")
TAGS = ("east", "north", "south", "west", "export")
METHODS = ("bank_transfer",) * 12 + ("acceptance_bill", "acceptance_bill", "cheque", "alipay", "wechat", "other")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--invoices", type=int, default=1_000_000, help="number of invoices (default 1000000)")
    parser.add_argument("--customers", type=int, default=10_000, help="number of customers (default 10000)")
    parser.add_argument("--seed", type=int, default=20261031, help="random seed (default 20261031)")
    parser.add_argument("--out", type=Path, help=f"ledger file (default {DEFAULT_DATA_DIR}/ledger-<invoices>.db)")
    parser.add_argument("--force", action="store_true", help="regenerate even if a matching file exists")
    parser.add_argument("--checks", action="store_true",
                        help="keep SQLite's CHECK constraints on while loading (slower; to validate the generator)")  # fmt: skip
    return parser.parse_args(argv)


def default_path(invoices: int, customers: int, seed: int) -> Path:
    return DEFAULT_DATA_DIR / f"ledger-{invoices}-{customers}-s{seed}.db"


def generator_digest() -> str:
    """Changing this file's code invalidates the cache; comments and formatting do not (its syntax tree)."""
    import ast

    tree = ast.dump(ast.parse(Path(__file__).read_text(encoding="utf-8")))
    return hashlib.sha256(tree.encode()).hexdigest()[:16]


def params_of(invoices: int, customers: int, seed: int) -> dict[str, object]:
    return {"invoices": invoices, "customers": customers, "seed": seed, "today": TODAY.isoformat(),
            "years": YEARS, "generator": generator_digest()}  # fmt: skip


def side_file(path: Path) -> Path:
    return path.with_name(path.name + ".params.json")


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------------- schema ---


def create_schema(path: Path, revision: str) -> None:
    """An empty ledger at `revision`, made by arctl's opener and migrations."""
    from arctl.db import migrate
    from arctl.db.engine import open_db

    database = open_db(str(path), migrate=False)
    try:
        migrate.upgrade(database, revision)
    finally:
        database.dispose()


def upgrade_to_head(path: Path) -> tuple[str | None, str]:
    """Run arctl's migrations up to head (back-fills of later columns included); (before, after)."""
    from arctl.db import migrate
    from arctl.db.engine import open_db

    database = open_db(str(path), migrate=False)
    try:
        before = database.revision()
        head = migrate.head_revision()
        if before != head:
            migrate.upgrade(database, "head")
        return before, head
    finally:
        database.dispose()


def stored_revision(path: Path) -> str | None:
    con = sqlite3.connect(path)
    try:
        return con.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    finally:
        con.close()


# ------------------------------------------------------------------------------------------ generation ---


class Plan:
    """A terms template parsed by arctl: per part (percent, kind, due_kind, due_days, due_event)."""

    def __init__(self, text: str) -> None:
        from arctl.domain.money import split_by_percent
        from arctl.domain.terms import parse_terms

        terms = parse_terms(text)
        self.text = terms.text
        self.parts = [(int(p.percent), p.kind.value, p.rule.kind.value, p.rule.days, p.rule.event)
                      for p in terms.parts]  # fmt: skip
        assert all(Decimal(pc) == p.percent for (pc, *_), p in zip(self.parts, terms.parts, strict=True))
        self.percents = [pc for pc, *_ in self.parts]
        self.events = list(terms.events)
        for total in (1, 99, 100_00, 123_456_78, 987_654_321_01):  # our integer split == arctl's split
            if total >= len(self.parts):
                assert self.split(total) == split_by_percent(total, [p.percent for p in terms.parts]), text

    def split(self, total: int) -> list[int]:
        parts = [(total * pc + 50) // 100 for pc in self.percents[:-1]]  # half-up, as money.percent_of
        return [*parts, total - sum(parts)]


class Writer:
    """Runs the INSERTs in a thread of its own, in one transaction: sqlite3 lets go of the GIL while SQLite
    works, so the generator (Python) and SQLite's B-tree work overlap on two cores."""

    BATCH = 50_000

    def __init__(self, con: sqlite3.Connection) -> None:
        self.con = con
        self.queue: queue.Queue[tuple[str, list[tuple] | None] | None] = queue.Queue(maxsize=4)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="sqlite-writer", daemon=True)
        self.thread.start()
        self.put("BEGIN")

    def _run(self) -> None:
        while (item := self.queue.get()) is not None:
            if self.error is not None:
                continue  # drain after a failure; close() raises it
            sql, rows = item
            try:
                if rows is None:
                    self.con.execute(sql)
                else:
                    self.con.executemany(sql, rows)
            except BaseException as exc:
                self.error = exc

    def put(self, sql: str, rows: list[tuple] | None = None) -> None:
        """Queue a statement (rows: executemany). The list must not be changed afterwards."""
        if self.error is not None:
            raise self.error
        self.queue.put((sql, rows))

    def put_all(self, sql: str, rows) -> None:  # type: ignore[no-untyped-def]
        """Queue an iterable of rows in batches."""
        batch: list[tuple] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= self.BATCH:
                self.put(sql, batch)
                batch = []
        if batch:
            self.put(sql, batch)

    def close(self) -> None:
        self.put("COMMIT")
        self.queue.put(None)
        self.thread.join()
        if self.error is not None:
            raise self.error


def customer_rows(rng: random.Random, n: int) -> tuple[list[tuple], list[tuple], list[tuple]]:
    """(customer rows, tag rows, per-customer behaviour (currency, profile, pay weekday or -1))."""
    rows, tags, behaviour = [], [], []
    created = "2023-10-01T08:00:00.000000+00:00"
    for cid in range(1, n + 1):
        usd = rng.random() < 0.08
        if usd:
            name = f"{rng.choice(EN_WORDS)} {rng.choice(EN_TRADES)} {rng.choice(EN_SUFFIXES)}"
            language, currency, terms = "en", "USD", "net30"
        else:
            name = f"{rng.choice(CITIES)}{rng.choice(TRADES)}{rng.choice(SUFFIXES)}"
            language, currency, terms = "zh", "CNY", rng.choice((None, "net30", "net60"))
        name = f"{name} {cid}" if rng.random() < 0.3 else name  # some names repeat, as in life
        limit = rng.choice((None, 50_000_00, 200_000_00, 800_000_00, 2_000_000_00))
        rows.append((cid, f"C{cid:05d}", name, None, terms, limit, currency if limit else None,
                     rng.choice((None, "A", "B", "C")), language, None, created))  # fmt: skip
        tags.append((cid, "export" if usd else rng.choice(TAGS[:4])))
        if rng.random() < 0.05:
            tags.append((cid, "key"))
        r = rng.random()
        profile = 0 if r < 0.55 else 1 if r < 0.9 else 2  # good, average, slow payer
        weekday = rng.randrange(5) if rng.random() < 0.6 else -1  # pays on a weekly pay run
        behaviour.append((currency, profile, weekday))
    return rows, tags, behaviour


def generate(path: Path, invoices: int, customers: int, seed: int, *, checks: bool = False) -> dict[str, int]:
    """Insert the whole ledger into `path` (schema at BASE_REVISION already there). Returns counts."""
    rng = random.Random(seed)
    rand = rng.random
    base = date(2023, 1, 1).toordinal()
    span_end = date(2031, 1, 1).toordinal()
    dstr = [date.fromordinal(o).isoformat() for o in range(base, span_end)]  # day offset -> 'YYYY-MM-DD'
    eom = []  # day offset -> offset of the month's last day
    for o in range(base, span_end):
        d = date.fromordinal(o)
        nxt = date(d.year + (d.month == 12), d.month % 12 + 1, 1)
        eom.append(nxt.toordinal() - 1 - base)
    weekday0 = date.fromordinal(base).weekday()
    today = TODAY.toordinal() - base
    first = (TODAY - timedelta(days=365 * YEARS)).toordinal() - base + 1  # 2023-11-01

    plans = [(w, Plan(t)) for w, t in PLANS]
    usd_plans = [(w, Plan(t)) for w, t in USD_PLANS]

    def chooser(weighted: list[tuple[int, Plan]]):  # type: ignore[no-untyped-def]
        total, acc, table = sum(w for w, _ in weighted), 0, []
        for w, p in weighted:
            acc += w
            table.append((acc / total, p))
        return table

    cny_table, usd_table = chooser(plans), chooser(usd_plans)

    con = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    con.execute("PRAGMA journal_mode=OFF")
    con.execute("PRAGMA synchronous=OFF")
    con.execute("PRAGMA cache_size=-400000")  # 400 MB while loading
    con.execute("PRAGMA temp_store=MEMORY")
    con.execute("PRAGMA threads=2")  # CREATE INDEX may sort with a helper thread
    # CHECK constraints (IN lists) cost ~30 % of the insert time; the rows are valid by construction, and
    # `--checks` (used on small scales with `arctl verify`) keeps them on to prove it.
    con.execute(f"PRAGMA ignore_check_constraints={'OFF' if checks else 'ON'}")
    indexes = drop_secondary_indexes(con)
    writer = Writer(con)

    t0 = time.perf_counter()
    cust_rows, tag_rows, behaviour = customer_rows(rng, customers)
    writer.put("INSERT INTO customer (id, code, name, address, default_terms, credit_limit_minor, credit_currency,"
               " credit_grade, language, notes, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)", cust_rows)  # fmt: skip
    writer.put("INSERT INTO customer_tag (customer_id, tag) VALUES (?,?)", tag_rows)
    perm = list(range(1, customers + 1))
    rng.shuffle(perm)  # the biggest accounts are not simply the first ids

    # Issue dates, oldest first (ids follow time, as in a real ledger); weekends mostly moved to Friday.
    days = []
    for _ in range(invoices):
        d = first + int(rand() * (today - first + 1))
        if (weekday0 + d) % 7 >= 5 and rand() < 0.9:
            d -= (weekday0 + d) % 7 - 4
        days.append(max(d, first))
    days.sort()

    inv_sql = ("INSERT INTO invoice (id, number, customer_id, contract_id, issue_date, currency, amount_minor, terms,"
               " discount_bp, discount_days, description, voided_on, void_reason, created_at)"
               " VALUES (?,?,?,NULL,?,?,?,?,NULL,NULL,NULL,?,?,?)")  # fmt: skip
    ins_sql = ("INSERT INTO installment (id, invoice_id, seq, kind, amount_minor, due_kind, due_days, due_event,"
               " due_fixed, due_date, settled_on) VALUES (?,?,?,?,?,?,?,?,NULL,?,?)")  # fmt: skip
    ms_sql = "INSERT INTO milestone (id, invoice_id, event, occurred_on, note, created_at) VALUES (?,?,?,?,NULL,?)"

    # Allocations are collected (payments are formed from them afterwards):
    # (group key, applied day, amount, installment id, reversed day or -1, source: 0 payment / 1 bounce / 2 credit,
    #  credit kind/reason index, invoice id, customer id, currency)
    allocs: list[tuple] = []
    inv_rows: list[tuple] = []
    ins_rows: list[tuple] = []
    ms_rows: list[tuple] = []
    counts = {"customers": customers, "invoices": invoices, "installments": 0, "milestones": 0, "voided": 0,
              "open_today": 0, "pending_today": 0}  # fmt: skip
    ins_id = ms_id = 0
    year_seq: dict[int, int] = {}
    for inv_id, issue in enumerate(days, start=1):
        cust = perm[int(customers * rand() ** 2.5)]
        currency, profile, weekday = behaviour[cust - 1]
        if currency == "USD":
            amount = int(rng.lognormvariate(8.6, 1.0) * 100) + 100
            table = usd_table
        else:
            amount = int(rng.lognormvariate(9.9, 1.2) * 100) + 1000
            table = cny_table
        r = rand()
        for limit, plan in table:  # noqa: B007 - `plan` is read after the loop
            if r < limit:
                break
        year = int(dstr[issue][:4])
        seq_no = year_seq[year] = year_seq.get(year, 0) + 1
        number = f"INV-{year}-{seq_no:07d}"
        created = dstr[issue] + "T09:00:00.000000+00:00"
        voided = -1
        if rand() < 0.002:
            v = issue + 1 + int(rand() * 20)
            if v <= today:
                voided = v
                counts["voided"] += 1
        inv_rows.append((inv_id, number, cust, dstr[issue], currency, amount, plan.text,
                         dstr[voided] if voided >= 0 else None, "issued in error" if voided >= 0 else None,
                         created))  # fmt: skip
        # Milestones: delivery 2-21 days after issue, installation 2-11 days later, acceptance 3-22 days after that;
        # 0.3 % never accepted.
        event_day: dict[str, int] = {}
        if plan.events:
            delivery = issue + 2 + int(rand() * 20)
            installation = delivery + 2 + int(rand() * 10)
            acceptance = installation + 3 + int(rand() * 20) if rand() >= 0.003 else 10**6
            for ev, d in (("delivery", delivery), ("installation", installation), ("acceptance", acceptance)):
                if ev in plan.events and d <= today and voided < 0:
                    ms_id += 1
                    event_day[ev] = d
                    ms_rows.append((ms_id, inv_id, ev, dstr[d], dstr[d] + "T10:00:00.000000+00:00"))
        for seq, ((_, kind, due_kind, due_days, due_event), part) in enumerate(
            zip(plan.parts, plan.split(amount), strict=True), start=1
        ):
            ins_id += 1
            if due_kind == "after_issue":
                due = issue + due_days
            elif due_kind == "eom":
                due = eom[issue] + due_days
            else:
                ev = event_day.get(due_event)
                due = -1 if ev is None else ev + due_days
            if voided >= 0:
                settled = voided
            else:
                settled = settle(rand, allocs, ins_id, inv_id, cust, currency, profile, weekday, weekday0,
                                 issue, due, due - due_days if due_kind == "event" else issue, part, kind,
                                 today)  # fmt: skip
                if settled < 0:
                    counts["open_today"] += 1
                    if due < 0:
                        counts["pending_today"] += 1
            ins_rows.append((ins_id, inv_id, seq, kind, part, due_kind, due_days, due_event,
                             dstr[due] if due >= 0 else None, dstr[settled] if settled >= 0 else None))  # fmt: skip
        if len(inv_rows) >= 20_000:
            writer.put(inv_sql, inv_rows)
            writer.put(ins_sql, ins_rows)
            writer.put(ms_sql, ms_rows)
            inv_rows, ins_rows, ms_rows = [], [], []
    writer.put(inv_sql, inv_rows)
    writer.put(ins_sql, ins_rows)
    writer.put(ms_sql, ms_rows)
    counts["installments"], counts["milestones"] = ins_id, ms_id
    log(f"  invoices, installments, milestones generated: {time.perf_counter() - t0:.1f} s")

    t1 = time.perf_counter()
    counts.update(insert_sources(writer, rng, allocs, behaviour, cust_rows, dstr, today, customers))
    log(f"  payments, credits, allocations generated: {time.perf_counter() - t1:.1f} s")
    writer.close()
    log(f"  all rows inserted: {time.perf_counter() - t0:.1f} s")
    t2 = time.perf_counter()
    for sql in indexes:
        con.execute(sql)
    con.execute("PRAGMA ignore_check_constraints=OFF")
    log(f"  {len(indexes)} indexes re-created: {time.perf_counter() - t2:.1f} s")
    con.close()
    return counts


def settle(rand, allocs, ins_id, inv_id, cust, currency, profile, weekday, weekday0, issue, due, anchor,  # type: ignore[no-untyped-def]
           amount, kind, today) -> int:  # fmt: skip
    """Decide how one installment gets paid; append its allocations; return its settled_on day (-1: open).

    `due` is -1 while a milestone is pending (nothing is paid on those). Allocations dated after today
    are not made (they have not happened yet).
    """
    if due < 0:
        return -1
    key_base = (cust * 2 + (currency == "USD")) * 8192
    r = rand()
    if r < 0.004:  # bad debt: never paid; half written off 200-500 days after due
        if rand() < 0.5:
            wo = due + 200 + int(rand() * 300)
            if wo <= today:
                allocs.append((key_base + wo, wo, amount, ins_id, -1, 2, 1, inv_id, cust, currency))
                return wo
        return -1
    if kind == "deposit":
        delay = int(rand() * 10)
    elif profile == 0:
        delay = -10 + int(rand() * 12)
    elif profile == 1:
        delay = -3 + int(rand() * 25)
    else:
        delay = int(rand() * 60)
    if rand() < 0.015:
        delay += 60 + int(rand() * 300)
    pay = max(due + delay, anchor, issue)
    if weekday >= 0:
        pay += (weekday - (weekday0 + pay) % 7) % 7
    r = rand()
    if r < 0.05 and amount >= 200:  # paid in two parts
        first = max(issue, pay - 7 - int(rand() * 38))
        part = max(1, min(amount - 1, int(amount * (0.2 + 0.6 * rand()))))
        if first <= today:
            allocs.append((key_base + first, first, part, ins_id, -1, 0, 0, inv_id, cust, currency))
        if pay <= today:
            allocs.append((key_base + pay, pay, amount - part, ins_id, -1, 0, 0, inv_id, cust, currency))
            return pay
        return -1
    if r < 0.06 and amount >= 200:  # a credit note for 5-20 %, the rest paid
        cday = max(issue, pay - int(rand() * 20))
        credit = max(1, int(amount * (0.05 + 0.15 * rand())))
        if cday <= today:
            allocs.append((key_base + cday, cday, credit, ins_id, -1, 2, 0, inv_id, cust, currency))
        if pay <= today:
            allocs.append((key_base + pay, pay, amount - credit, ins_id, -1, 0, 0, inv_id, cust, currency))
            return max(pay, cday)
        return -1
    if r < 0.065 and amount >= 10_000:  # short-paid by a small balance, written off the same day
        small = 100 + int(rand() * 4900)
        if pay <= today:
            allocs.append((key_base + pay, pay, amount - small, ins_id, -1, 0, 0, inv_id, cust, currency))
            allocs.append((key_base + pay, pay, small, ins_id, -1, 2, 2, inv_id, cust, currency))
            return pay
        return -1
    if r < 0.069:  # a payment that bounced: applied, reversed with its payment, then paid again
        p0 = max(issue, pay - 10 - int(rand() * 30))
        rev = p0 + 1 + int(rand() * 9)
        if rev <= today and rev <= pay:
            allocs.append((key_base + p0, p0, amount, ins_id, rev, 1, 0, inv_id, cust, currency))
    if pay <= today:
        allocs.append((key_base + pay, pay, amount, ins_id, -1, 0, 0, inv_id, cust, currency))
        return pay
    return -1


CREDIT_KINDS = (("credit_note", "price"), ("write_off", "bad_debt"), ("write_off", "small_balance"))


def insert_sources(writer, rng, allocs, behaviour, cust_rows, dstr, today, customers) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Form payments (one pay run of a customer pays several installments) and credits; insert them all."""
    rand = rng.random
    allocs.sort(key=lambda a: a[0])  # by customer, currency, day
    payments: list[list] = []  # [received day, customer, currency, amount, reversed day, allocation indexes]
    credits: list[list] = []  # [day, customer, currency, amount, kind index, invoice id, allocation index]
    current: list | None = None
    current_key, cap = None, 0
    for i, a in enumerate(allocs):
        source = a[5]
        if source == 2:
            credits.append([a[1], a[8], a[9], a[2], a[6], a[7], i])
            continue
        if source == 1:  # bounced: a payment of its own, reversed with its allocation
            payments.append([a[1], a[8], a[9], a[2], a[4], [i]])
            continue
        if current is not None and a[0] == current_key and len(current[5]) < cap:
            current[3] += a[2]
            current[5].append(i)
            continue
        current = [a[1], a[8], a[9], a[2], -1, [i]]
        current_key, cap = a[0], (1 if rand() < 0.3 else 2 + int(rand() * 7))
        payments.append(current)
    # Payments nobody could apply yet (on account), about one per 50 invoices; overpayments.
    on_account = len(allocs) // 110
    for _ in range(on_account):
        cust = 1 + int(rand() * customers)
        day = today - int(rand() * 1095)
        currency = behaviour[cust - 1][0]
        payments.append([day, cust, currency, 100_00 + int(rand() * 50_000_00), -1, []])
    n_over = n_late = 0
    applied_day: dict[int, int] = {}
    for p in payments:
        if p[5] and p[4] < 0:
            if rand() < 0.01:  # overpaid: the rest stays unapplied
                p[3] += 1_00 + int(rand() * 2_000_00)
                n_over += 1
            if rand() < 0.03:  # received some days before it was applied
                received = p[0] - 1 - int(rand() * 10)
                for i in p[5]:
                    applied_day[i] = p[0]
                p[0] = received
                n_late += 1
    payments.sort(key=lambda p: (p[0], p[1]))
    credits.sort(key=lambda c: (c[0], c[1]))

    # allocation rows: (applied day, source order, payment id, credit id, installment id, amount, reversed day)
    alloc_rows: list[tuple] = []
    pay_rows: list[tuple] = []
    n_payments = len(payments)
    pay_sql = ("INSERT INTO payment (id, customer_id, received_on, currency, amount_minor, method, payer_name,"
               " payer_account, reference, note, reversed_on, reverse_reason, created_at)"
               " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)")  # fmt: skip
    names = {row[0]: row[2] for row in cust_rows}
    n_reversed = 0
    for pid, (day, cust, currency, amount, rev, members) in enumerate(payments, start=1):
        method = METHODS[int(rand() * len(METHODS))] if rev < 0 else "cheque"
        ds = dstr[day]
        pay_rows.append((pid, cust, ds, currency, amount, method, names[cust], None,
                         f"{ds.replace('-', '')}{pid:09d}", None, dstr[rev] if rev >= 0 else None,
                         "returned unpaid" if rev >= 0 else None, ds + "T11:00:00.000000+00:00"))  # fmt: skip
        if len(pay_rows) >= Writer.BATCH:
            writer.put(pay_sql, pay_rows)
            pay_rows = []
        for i in members:
            a = allocs[i]
            applied = applied_day.get(i, a[1])
            alloc_rows.append((applied, pid, a[3], a[2], a[4]))
            n_reversed += a[4] >= 0
    credit_rows: list[tuple] = []
    seq = {"credit_note": 0, "write_off": 0}
    for cid, (day, cust, currency, amount, kind_index, inv_id, i) in enumerate(credits, start=1):
        kind, reason = CREDIT_KINDS[kind_index]
        seq[kind] += 1
        number = f"{'CN' if kind == 'credit_note' else 'WO'}-{dstr[day][:4]}-{seq[kind]:07d}"
        ds = dstr[day]
        credit_rows.append((cid, kind, number, cust, inv_id, ds, currency, amount, reason, None, None, None,
                            ds + "T12:00:00.000000+00:00"))  # fmt: skip
        a = allocs[i]
        alloc_rows.append((day, -cid, a[3], a[2], -1))
    allocs.clear()
    alloc_rows.sort(key=lambda r: (r[0], r[1] > 0, abs(r[1])))  # ids follow the applied date
    writer.put(pay_sql, pay_rows)
    writer.put("INSERT INTO credit (id, kind, number, customer_id, invoice_id, issued_on, currency, amount_minor,"
               " reason, note, reversed_on, reverse_reason, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
               credit_rows)  # fmt: skip
    writer.put_all(
        "INSERT INTO allocation (id, payment_id, credit_id, installment_id, amount_minor, applied_on, reversed_on,"
        " reverse_reason, created_at) VALUES (?,?,?,?,?,?,?,?,?)",
        (
            (aid, src if src > 0 else None, -src if src < 0 else None, ins, amount, dstr[day],
             dstr[rev] if rev >= 0 else None, "payment returned" if rev >= 0 else None,
             dstr[day] + "T11:00:00.000000+00:00")
            for aid, (day, src, ins, amount, rev) in enumerate(alloc_rows, start=1)
        ),
    )  # fmt: skip
    return {"payments": n_payments, "payments_on_account": on_account, "payments_overpaid": n_over,
            "payments_applied_later": n_late, "credits": len(credit_rows), "allocations": len(alloc_rows),
            "allocations_reversed": n_reversed}  # fmt: skip


def drop_secondary_indexes(con: sqlite3.Connection) -> list[str]:
    """Drop the named indexes of the ledger tables (faster bulk load); return their CREATE statements."""
    rows = con.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN "
        "('customer', 'customer_tag', 'invoice', 'installment', 'milestone', 'payment', 'credit', 'allocation')"
    ).fetchall()
    for name, _ in rows:
        con.execute(f'DROP INDEX "{name}"')
    return [sql for _, sql in rows]


# -------------------------------------------------------------------------------------------------- main ---


def ensure_ledger(
    invoices: int, customers: int, seed: int, out: Path | None = None, force: bool = False, checks: bool = False
) -> Path:
    """The ledger file for these parameters: reused when its side file matches, else generated."""
    path = (out or default_path(invoices, customers, seed)).absolute()
    params = params_of(invoices, customers, seed)
    side = side_file(path)
    if not force and path.exists() and side.exists():
        try:
            stored = json.loads(side.read_text())
        except ValueError:
            stored = {}
        if {k: stored.get(k) for k in params} == params:
            before, head = upgrade_to_head(path)
            note = "" if before == head else f", schema upgraded {before} -> {head}"
            log(f"reusing {path} (generated in {stored.get('seconds', '?')} s{note})")
            return path
    df = os.statvfs(path.parent if path.parent.exists() else Path("/"))
    need = 1100 * invoices  # ~1.1 kB per invoice, indexes included
    if df.f_bavail * df.f_frsize < need * 1.5:
        sys.exit(f"not enough disk space for {path} (about {need / 1e9:.1f} GB needed)")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".partial")
    for stale in (
        tmp,
        Path(f"{tmp}-wal"),
        Path(f"{tmp}-shm"),
        side,
        path,
        Path(f"{path}-wal"),
        Path(f"{path}-shm"),
    ):
        stale.unlink(missing_ok=True)
    log(f"generating {invoices} invoices for {customers} customers (seed {seed}) into {path} ...")
    started = time.perf_counter()
    create_schema(tmp, BASE_REVISION)
    gc.disable()  # millions of live tuples: the cyclic GC would rescan them over and over (~40 s at 1M)
    try:
        counts = generate(tmp, invoices, customers, seed, checks=checks)
    finally:
        gc.enable()
    t = time.perf_counter()
    before, head = upgrade_to_head(tmp)
    log(f"  migrations {before} -> {head}: {time.perf_counter() - t:.1f} s")
    con = sqlite3.connect(tmp)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)
    seconds = round(time.perf_counter() - started, 1)
    side.write_text(
        json.dumps({**params, "seconds": seconds, "revision": head, "counts": counts}, indent=2) + "\n"
    )
    log(f"generated in {seconds} s: " + ", ".join(f"{v} {k}" for k, v in counts.items()))
    log(f"file size {path.stat().st_size / 1e6:.0f} MB")
    return path


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    path = ensure_ledger(args.invoices, args.customers, args.seed, args.out, args.force, args.checks)
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
