#!/usr/bin/env python3
"""Aging benchmark: arctl against the naive full-history SQL on a generated million-invoice ledger.

    python bench/aging.py [--invoices N] [--customers N] [--runs N] [--only summary|detail|xlsx]

Builds (or reuses, see bench/generate.py) a deterministic ledger, then, in the same run, times:
  a) the floor: a naive sqlite3 aging query over the whole history (every installment of every invoice
     issued by D minus the sum of its allocations in force at D, bucketed by days past due, grouped by
     customer and currency; installment.settled_on is not used), in this process;
  b) `arctl --db FILE aging --as-of 2026-10-31` as a subprocess (start-up included);
  c) both again as of a month-end one year back (2025-10-31);
  d) `arctl aging --detail --format csv --output FILE`: time and peak RSS;
  e) a bare xlsxwriter script (constant_memory) writing as many rows and columns as arctl's detail has
     (typed alike: text, ints, dates, money), against `arctl aging --detail --format xlsx --output FILE`:
     time and peak RSS.
Medians of --runs runs after one untimed warm-up (minimums too); the floor and arctl (and the bare script
and arctl's xlsx) run in turn, round by round, so that each ratio compares runs made under the same load;
peak RSS from GNU time (%M).
It also checks that arctl's totals per currency and bucket equal the naive query's, and prints the
ratios against the goals of issue 4. It reports; it never fails (exit 0).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import shlex
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import generate

TODAY = generate.TODAY.isoformat()  # 2026-10-31
YEAR_BACK = "2025-10-31"
BOUNDS = (30, 60, 90, 180, 365)  # arctl's default buckets
KEYS = ["current", "d1_30", "d31_60", "d61_90", "d91_180", "d181_365", "d366_plus", "pending"]

GOAL_TODAY = 0.2  # arctl aging as of today / floor
GOAL_YEAR_BACK = 1.0
GOAL_CSV_RSS_MB = 200
GOAL_XLSX_RSS_MB = 150
GOAL_XLSX_RATIO = 1.3


def naive_sql(with_customer_join: bool = True) -> str:
    """The obvious aging query over the whole history, without installment.settled_on."""
    buckets = []
    low = 1
    for high in BOUNDS:
        buckets.append(f"SUM(CASE WHEN late BETWEEN {low} AND {high} THEN open_minor ELSE 0 END)")
        low = high + 1
    buckets.append(f"SUM(CASE WHEN late >= {low} THEN open_minor ELSE 0 END)")
    return f"""
SELECT c.code, x.currency,
       SUM(CASE WHEN late <= 0 THEN open_minor ELSE 0 END),
       {", ".join(buckets)},
       SUM(CASE WHEN late IS NULL THEN open_minor ELSE 0 END),
       COUNT(*)
FROM (
    SELECT inv.customer_id, inv.currency,
           ins.amount_minor - COALESCE((
               SELECT SUM(a.amount_minor) FROM allocation a
               WHERE a.installment_id = ins.id AND a.applied_on <= :d
                 AND (a.reversed_on IS NULL OR a.reversed_on > :d)), 0) AS open_minor,
           CASE WHEN ins.due_date IS NULL
                  OR (ins.due_kind = 'event' AND date(ins.due_date, '-' || ins.due_days || ' days') > :d)
                THEN NULL  -- milestone not reached by :d: pending
                ELSE CAST(julianday(:d) - julianday(ins.due_date) AS INTEGER) END AS late
    FROM installment ins JOIN invoice inv ON inv.id = ins.invoice_id
    WHERE inv.issue_date <= :d AND (inv.voided_on IS NULL OR inv.voided_on > :d)
) x JOIN customer c ON c.id = x.customer_id
WHERE x.open_minor > 0
GROUP BY c.code, x.currency
"""


# Unapplied cash and credits as of :d, the same obvious way (informational: the floor above is the brief's).
NAIVE_UNAPPLIED = """
SELECT c.code, s.currency, SUM(s.left_minor) FROM (
    SELECT p.customer_id, p.currency, p.amount_minor - COALESCE((
        SELECT SUM(a.amount_minor) FROM allocation a WHERE a.payment_id = p.id AND a.applied_on <= :d
           AND (a.reversed_on IS NULL OR a.reversed_on > :d)), 0) AS left_minor
    FROM payment p WHERE p.received_on <= :d AND (p.reversed_on IS NULL OR p.reversed_on > :d)
    UNION ALL
    SELECT k.customer_id, k.currency, k.amount_minor - COALESCE((
        SELECT SUM(a.amount_minor) FROM allocation a WHERE a.credit_id = k.id AND a.applied_on <= :d
           AND (a.reversed_on IS NULL OR a.reversed_on > :d)), 0)
    FROM credit k WHERE k.issued_on <= :d AND (k.reversed_on IS NULL OR k.reversed_on > :d)
) s JOIN customer c ON c.id = s.customer_id
WHERE s.left_minor <> 0
GROUP BY c.code, s.currency
"""

# A bare xlsxwriter script: the same number of rows and columns as arctl's detail (the columns of its csv
# header; 13 today), typed like arctl's cells (text, int, date, money with a number format), constant memory.
BARE_XLSX = r"""
import sys, datetime, xlsxwriter
rows, cols, path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
KINDS = "s s s i s d d s i s s m m".split()  # customer name invoice seq kind issued due rule days bucket cur amount open
kinds = [KINDS[c % len(KINDS)] for c in range(cols)]
wb = xlsxwriter.Workbook(path, {"constant_memory": True})
ws = wb.add_worksheet("Detail")
money = wb.add_format({"num_format": "#,##0.00"})
day = wb.add_format({"num_format": "yyyy-mm-dd"})
head = wb.add_format({"bold": True})
ws.write_string(0, 0, "Aging detail as of 2026-10-31", head)
ws.write_row(1, 0, [f"Column {c + 1}" for c in range(cols)], head)
ws.freeze_panes(2, 0)
base = datetime.date(2026, 10, 31)
names = ["杭州精细机械有限公司", "Nordic Instruments AB", "上海星云科技有限责任公司"]
for r in range(2, rows + 2):
    for c, k in enumerate(kinds):
        if k == "s":
            ws.write_string(r, c, names[r % 3] if c == 1 else f"INV-2026-{r:07d}")
        elif k == "i":
            ws.write_number(r, c, r % 400)
        elif k == "d":
            ws.write_datetime(r, c, base - datetime.timedelta(days=r % 400), day)
        else:
            ws.write_number(r, c, (r * 7919 % 10_000_000) / 100, money)
ws.autofilter(1, 0, rows + 1, cols - 1)
wb.close()
"""


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


ARCTL: list[str] = []  # set by --arctl


def arctl_command() -> list[str]:
    if ARCTL:
        return ARCTL
    script = Path(sys.executable).with_name("arctl")
    return [str(script)] if script.exists() else [sys.executable, "-m", "arctl"]


GNU_TIME = "/usr/bin/time"


def run_child(argv: list[str], env: dict[str, str], stdout=subprocess.DEVNULL) -> tuple[float, int, int, str]:  # type: ignore[no-untyped-def]
    """(seconds, peak RSS in kB, exit code, stderr) of one run of `argv`.

    Peak RSS comes from GNU time (/usr/bin/time -f %M), which forks the command itself: a child forked
    straight from this Python process would report this process's own high-water mark too (Linux keeps
    the larger of the pre-exec and post-exec figures in ru_maxrss). Without GNU time, wait4's ru_maxrss
    is used and is an upper bound.
    """
    gnu_time = os.path.exists(GNU_TIME)
    with tempfile.NamedTemporaryFile(prefix="arctl-rss-", delete=False) as tmp:
        rss_file = Path(tmp.name)
    full = [GNU_TIME, "-f", "%M", "-o", str(rss_file), *argv] if gnu_time else argv
    try:
        started = time.perf_counter()
        proc = subprocess.Popen(full, env=env, stdout=stdout, stderr=subprocess.PIPE)
        assert proc.stderr is not None
        err = proc.stderr.read()  # read before waiting so a chatty child never blocks
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - started
        proc.returncode = code = os.waitstatus_to_exitcode(status)
        rss = usage.ru_maxrss
        if gnu_time:
            lines = rss_file.read_text().split()
            rss = int(lines[-1]) if lines and lines[-1].isdigit() else 0
            if lines and lines[0] == "Command":  # "Command exited with non-zero status N"
                code = code or 1
    finally:
        rss_file.unlink(missing_ok=True)
    return elapsed, rss, code, err.decode(errors="replace")


def time_child(name: str, argv: list[str], env: dict[str, str], runs: int, warmup: int = 1) -> Measure:
    measure = Measure(name)
    for i in range(warmup + runs):
        seconds, rss, code, err = run_child(argv, env)
        if code != 0:
            measure.note = f"exit {code}: {err.strip().splitlines()[-1] if err.strip() else ''}"
            return measure
        if i >= warmup:
            measure.samples.append(seconds)
            measure.rss_kb.append(rss)
    return measure


def time_interleaved(
    runs: int, *jobs: tuple[Measure, Callable[[], tuple[float, int | None]]], warmup: int = 1
) -> None:
    """Run each job once per round, in turn, for `warmup` untimed rounds then `runs` timed ones. This
    machine's speed drifts by tens of percent within minutes: measures taken in the same rounds compare,
    measures taken one after the other (all the floor's runs, then all of arctl's) need not. A job returns
    (seconds, peak RSS in kB or None); one that raises RuntimeError stops its measure (noted)."""
    live = list(jobs)
    for i in range(warmup + runs):
        for measure, job in list(live):
            try:
                seconds, rss = job()
            except RuntimeError as exc:
                measure.note = str(exc)
                live.remove((measure, job))
                continue
            if i >= warmup:
                measure.samples.append(seconds)
                if rss is not None:
                    measure.rss_kb.append(rss)


def child_job(argv: list[str], env: dict[str, str]) -> Callable[[], tuple[float, int | None]]:
    def job() -> tuple[float, int | None]:
        seconds, rss, code, err = run_child(argv, env)
        if code != 0:
            raise RuntimeError(f"exit {code}: {err.strip().splitlines()[-1] if err.strip() else ''}")
        return seconds, rss

    return job


def naive_job(path: Path, sql: str, as_of: str, out: list) -> Callable[[], tuple[float, int | None]]:
    """The naive query on a fresh connection, as a new process has; its rows are kept in `out`."""

    def job() -> tuple[float, int | None]:
        started = time.perf_counter()
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        out[:] = con.execute(sql, {"d": as_of}).fetchall()
        con.close()
        return time.perf_counter() - started, None

    return job


def time_naive(name: str, path: Path, sql: str, as_of: str, runs: int, warmup: int = 1) -> tuple[Measure, list]:
    measure, rows = Measure(name), []
    for i in range(warmup + runs):
        started = time.perf_counter()
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)  # a fresh connection, as a new process has
        rows = con.execute(sql, {"d": as_of}).fetchall()
        con.close()
        if i >= warmup:
            measure.samples.append(time.perf_counter() - started)
    return measure, rows


def naive_totals(rows: list) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for _code, currency, *values in rows:
        acc = out.setdefault(currency, dict.fromkeys(KEYS, 0))
        for key, value in zip(KEYS, values[: len(KEYS)], strict=True):
            acc[key] += value
    return out


def minor(text: str | None) -> int:
    if not text:
        return 0
    negative = text.startswith("-")
    whole, _, frac = text.lstrip("-").partition(".")
    value = int(whole) * 100 + int((frac + "00")[:2])
    return -value if negative else value


def arctl_totals(report: dict) -> tuple[dict[str, dict[str, int]], dict[str, int]]:
    """(per currency: bucket totals, per currency: unapplied) from `arctl aging --format json`."""
    buckets: dict[str, dict[str, int]] = {}
    unapplied: dict[str, int] = {}
    for row in report.get("totals", []):
        cur = row["currency"]
        buckets[cur] = {k: minor(row.get(k)) for k in KEYS}
        unapplied[cur] = minor(row.get("unapplied"))
    return buckets, unapplied


def check_totals(path: Path, as_of: str, naive_rows: list, env: dict[str, str]) -> str:
    """Compare arctl's totals with the naive query's; a one-line verdict."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as tmp:
        out = Path(tmp.name)
    try:
        _seconds, _, code, err = run_child(
            [
                *arctl_command(),
                "--db",
                str(path),
                "aging",
                "--as-of",
                as_of,
                "--format",
                "json",
                "--output",
                str(out),
            ],
            env,
        )
        if code != 0:
            return f"could not run arctl aging --format json ({err.strip()[-200:]})"
        report = json.loads(out.read_text())
    finally:
        out.unlink(missing_ok=True)
    got, got_unapplied = arctl_totals(report)
    want = naive_totals(naive_rows)
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    want_unapplied: dict[str, int] = {}
    for _, cur, left in con.execute(NAIVE_UNAPPLIED, {"d": as_of}):
        want_unapplied[cur] = want_unapplied.get(cur, 0) - left
    con.close()
    problems = []
    for cur in sorted(set(got) | set(want)):
        g, w = got.get(cur, dict.fromkeys(KEYS, 0)), want.get(cur, dict.fromkeys(KEYS, 0))
        problems += [f"{cur} {k}: arctl {g[k]} naive {w[k]}" for k in KEYS if g[k] != w[k]]
        if got_unapplied.get(cur, 0) != want_unapplied.get(cur, 0):
            problems.append(
                f"{cur} unapplied: arctl {got_unapplied.get(cur, 0)} naive {want_unapplied.get(cur, 0)}"
            )
    if problems:
        return "MISMATCH: " + "; ".join(problems[:6])
    return (
        "equal (" + ", ".join(f"{cur} {sum(v.values()) / 100:,.2f} open" for cur, v in sorted(want.items())) + ")"
    )


def aging_options() -> str:
    result = subprocess.run([*arctl_command(), "aging", "--help"], capture_output=True, text=True)
    return result.stdout


def count_csv_rows(path: Path) -> tuple[int, int]:
    """(body rows, columns) of arctl's detail csv: every line after the header but the total lines."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        header = next(reader, [])
        rows = sum(1 for line in reader if line and line[0] != "Total")
    return rows, len(header)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--invoices", type=int, default=1_000_000, help="ledger size (default 1000000)")
    parser.add_argument("--customers", type=int, default=10_000, help="customers (default 10000)")
    parser.add_argument("--seed", type=int, default=20261031)
    parser.add_argument("--db", type=Path, help="ledger file (default: generated under $ARCTL_BENCH_DATA)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per command (default 5)")
    parser.add_argument("--arctl", metavar="COMMAND",
                        help="how to run arctl, e.g. 'env PYTHONPATH=/tmp/proto/src .venv/bin/python -m arctl' to "
                             "measure a prototype (default: the arctl script beside this python)")  # fmt: skip
    parser.add_argument("--only", choices=("summary", "detail", "xlsx"), action="append",
                        help="run only these parts (repeatable); default all")  # fmt: skip
    args = parser.parse_args()
    parts = set(args.only or ("summary", "detail", "xlsx"))
    if args.arctl:
        ARCTL[:] = shlex.split(args.arctl)

    started = time.perf_counter()
    path = generate.ensure_ledger(args.invoices, args.customers, args.seed, args.db)
    side = generate.side_file(path)
    meta = json.loads(side.read_text()) if side.exists() else {}
    gen_seconds = meta.get("seconds")
    build = time.perf_counter() - started

    arctl = arctl_command()
    options = aging_options()
    has_detail = "--detail" in options
    has_xlsx = "xlsx" in options
    tmpdir = Path(tempfile.mkdtemp(prefix="arctl-bench-aging-"))
    env = {**os.environ, "ARCTL_TODAY": TODAY, "XDG_DATA_HOME": str(tmpdir / "xdg")}
    env.pop("ARCTL_DB", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    rows: list[Measure] = []
    ratios: list[tuple[str, float, str, bool | None]] = []
    checks: list[str] = []
    facts: list[str] = []

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    if "summary" in parts:
        for as_of, goal in ((TODAY, GOAL_TODAY), (YEAR_BACK, GOAL_YEAR_BACK)):
            log(f"timing the naive floor and arctl aging --as-of {as_of}, interleaved ...")
            floor, mine = Measure(f"naive floor SQL, as of {as_of}"), Measure(f"arctl aging --as-of {as_of}")
            naive_rows: list = []
            time_interleaved(args.runs, (floor, naive_job(path, naive_sql(), as_of, naive_rows)),
                             (mine, child_job([*arctl, "--db", str(path), "aging", "--as-of", as_of], env)))  # fmt: skip
            rows += [floor, mine]
            un, _ = time_naive(f"  (info) naive unapplied SQL, as of {as_of}", path, NAIVE_UNAPPLIED, as_of, 1, 0)
            rows.append(un)
            items = sum(r[-1] for r in naive_rows)
            facts.append(f"open items as of {as_of}: {items:,} (naive query), {len(naive_rows):,} customer rows")
            ratio = mine.median / floor.median if mine.samples else float("nan")
            ratios.append(
                (f"aging as of {as_of} / floor", ratio, f"<= {goal}", ratio <= goal if mine.samples else None)
            )
            log(f"checking arctl's totals as of {as_of} against the naive query ...")
            checks.append(f"totals as of {as_of}: {check_totals(path, as_of, naive_rows, env)}")

    detail_rows, detail_cols = 0, 13
    if ("detail" in parts or "xlsx" in parts) and not has_detail:
        facts.append("arctl aging has no --detail yet: detail csv and xlsx lines skipped")
    if "detail" in parts and has_detail:
        out = tmpdir / "detail.csv"
        log("timing arctl aging --detail --format csv ...")
        m = time_child(f"arctl aging --detail --format csv (as of {TODAY})",
                       [*arctl, "--db", str(path), "aging", "--as-of", TODAY, "--detail", "--format", "csv",
                        "--output", str(out)], env, max(1, args.runs // 2))  # fmt: skip
        rows.append(m)
        if out.exists():
            detail_rows, detail_cols = count_csv_rows(out)
            facts.append(
                f"detail csv: {detail_rows:,} rows x {detail_cols} columns (+ header and totals), "
                f"{out.stat().st_size / 1e6:.1f} MB"
            )
        if m.rss_kb:
            ratios.append(
                ("detail csv peak RSS (MB)", m.rss_mb, f"< {GOAL_CSV_RSS_MB}", m.rss_mb < GOAL_CSV_RSS_MB)
            )
    if "xlsx" in parts and has_detail:
        if not has_xlsx:
            facts.append("arctl aging has no --format xlsx yet: xlsx lines skipped")
        else:
            if not detail_rows:
                con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
                detail_rows = sum(r[-1] for r in con.execute(naive_sql(), {"d": TODAY}))
                # + the detail's unapplied rows (one per customer and currency with cash left)
                detail_rows += sum(1 for *_, left in con.execute(NAIVE_UNAPPLIED, {"d": TODAY}) if left)
                con.close()
            script = tmpdir / "bare_xlsx.py"
            script.write_text(BARE_XLSX)
            log(
                f"timing a bare xlsxwriter script ({detail_rows:,} rows x {detail_cols} columns) and arctl aging "
                "--detail --format xlsx, interleaved ..."
            )
            bare = Measure(f"bare xlsxwriter, {detail_rows:,} rows x {detail_cols} columns")
            mine = Measure(f"arctl aging --detail --format xlsx (as of {TODAY})")
            time_interleaved(max(1, args.runs // 2),
                             (bare, child_job([sys.executable, str(script), str(detail_rows), str(detail_cols),
                                               str(tmpdir / "bare.xlsx")], env)),
                             (mine, child_job([*arctl, "--db", str(path), "aging", "--as-of", TODAY, "--detail",
                                               "--format", "xlsx", "--output", str(tmpdir / "detail.xlsx")], env)))  # fmt: skip
            rows += [bare, mine]
            if mine.samples and bare.samples:
                ratio = mine.median / bare.median
                ratios.append(
                    ("detail xlsx / bare xlsxwriter", ratio, f"<= {GOAL_XLSX_RATIO}", ratio <= GOAL_XLSX_RATIO)
                )
                ratios.append(("detail xlsx peak RSS (MB)", mine.rss_mb, f"< {GOAL_XLSX_RSS_MB}",
                               mine.rss_mb < GOAL_XLSX_RSS_MB))  # fmt: skip

    counts = meta.get("counts", {})
    print(f"arctl aging benchmark — {date.today()} — python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
          f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs")  # fmt: skip
    print(
        f"ledger {path} ({path.stat().st_size / 1e6:,.0f} MB, schema {generate.stored_revision(path)}): "
        + ", ".join(f"{v:,} {k}" for k, v in counts.items())
    )
    print(f"arctl: {shlex.join(arctl)}")
    print(
        f"generated in {gen_seconds} s"
        + (f" (this run reused it: {build:.1f} s)" if build < (gen_seconds or 0) / 2 else "")
    )
    print(f"{args.runs} timed runs after 1 warm-up (detail/xlsx: {max(1, args.runs // 2)}); arctl runs as a subprocess,"
          " start-up included; the floor runs in this process on a fresh sqlite3 connection; floor and arctl"
          " (bare xlsxwriter and arctl's xlsx) interleaved run by run")  # fmt: skip
    print()
    print(f"{'measure':<58} {'median s':>9} {'min s':>8} {'peak RSS MB':>12}")
    for m in rows:
        rss = f"{m.rss_mb:12.0f}" if m.rss_kb else f"{'':>12}"
        if m.samples:
            print(f"{m.name:<58} {m.median:9.2f} {m.minimum:8.2f} {rss}")
        else:
            print(f"{m.name:<58} {'—':>9} {'—':>8} {'':>12}  {m.note}")
    print()
    print(f"{'ratio':<40} {'measured':>9}  goal")
    for label, value, goal, ok in ratios:
        verdict = "" if ok is None else ("met" if ok else "NOT met")
        print(f"{label:<40} {value:9.2f}  {goal:<8} {verdict}")
    print()
    for line in facts + checks:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
