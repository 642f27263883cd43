#!/usr/bin/env python3
"""Reminder-run benchmark: `arctl remind run` against `arctl aging` on the same generated 1M-invoice ledger.

    python bench/remind.py [--invoices N] [--customers N] [--runs N]

Reuses (or generates, see bench/generate.py) the aging benchmark's ledger, copies it (the run writes) and
gives every customer a contact with an email address (the generated ledger has none, and a run without
addresses would skip every email). Then, in the same rounds, interleaved so that each ratio compares runs
made under the same load, times as child processes (start-up included):
  a) the baseline: `arctl aging --as-of 2026-10-31` (the summary of issue 4);
  b) `arctl remind run --as-of 2026-10-31 --dry-run` (plans and renders every message, records nothing).
Then, once each on the copy:
  c) `arctl remind run --as-of 2026-10-31 --outbox DIR`: records every step, writes every .eml and letter;
  d) the same command again: the second run of the day, which must find nothing to do;
  e) the next day's run (as of 2026-11-01): the steady state of a daily cron, only the steps newly due.
The first run is the worst case: a ledger never reminded before catches up every overdue item at once.
Peak RSS from GNU time. Goal (issue 6): the run ≤ 3× the aging summary. It reports; it never fails.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import aging
import generate

AS_OF = generate.TODAY.isoformat()
NEXT_DAY = "2026-11-01"
GOAL = 3.0


def add_contacts(path: Path) -> int:
    """One primary contact with an email per customer (language as the customer's)."""
    con = sqlite3.connect(path)
    with con:
        con.execute("DELETE FROM contact")
        con.execute(
            "INSERT INTO contact (customer_id, name, role, email, phone, language, channel, is_primary) "
            "SELECT id, 'AR contact ' || code, 'finance', lower(code) || '@example.com', '0571-' || id, "
            "language, 'email', 1 FROM customer"
        )
        n = con.execute("SELECT count(*) FROM contact").fetchone()[0]
    con.close()
    return n


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--invoices", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=20261031)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    source = generate.ensure_ledger(args.invoices, args.customers, args.seed)
    work = Path(tempfile.mkdtemp(prefix="arctl-bench-remind-"))
    copy = work / "ledger.db"
    started = time.perf_counter()
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(copy)
    src.backup(dst)  # a consistent copy, WAL included
    src.close()
    dst.close()
    os.chmod(copy, 0o600)
    contacts = add_contacts(copy)
    print(
        f"copied the ledger and added {contacts:,} contacts in {time.perf_counter() - started:.1f} s",
        file=sys.stderr,
    )

    (work / "config").mkdir()
    (work / "config" / "arctl.toml").write_text(
        '[company]\nname = "杭州示例电子有限公司"\nbank = "中国工商银行杭州文三路支行"\naccount = "1202 0212 0900 0123 456"\n',
        encoding="utf-8",
    )
    arctl = aging.arctl_command()
    env = {**os.environ, "ARCTL_TODAY": AS_OF, "XDG_DATA_HOME": str(work / "xdg"),
           "ARCTL_CONFIG_DIR": str(work / "config")}  # fmt: skip
    env.pop("ARCTL_DB", None)
    base = aging.Measure(f"arctl aging --as-of {AS_OF}")
    dry = aging.Measure(f"arctl remind run --as-of {AS_OF} --dry-run")
    print("timing aging and remind run --dry-run, interleaved ...", file=sys.stderr)
    aging.time_interleaved(
        args.runs,
        (base, aging.child_job([*arctl, "--db", str(copy), "aging", "--as-of", AS_OF], env)),
        (dry, aging.child_job([*arctl, "--db", str(copy), "remind", "run", "--as-of", AS_OF, "--dry-run"], env)),
    )
    outbox = work / "outbox"
    summary = work / "summary.json"
    record = aging.Measure(f"arctl remind run --as-of {AS_OF} --outbox DIR (records, writes files)")
    again = aging.Measure("the same run again (second run of the day)")
    nextday = aging.Measure(f"the next day's run (--as-of {NEXT_DAY}, outbox)")
    for measure, out, day in ((record, summary, AS_OF), (again, work / "again.json", AS_OF),
                              (nextday, work / "next.json", NEXT_DAY)):  # fmt: skip
        argv = [*arctl, "--db", str(copy), "remind", "run", "--as-of", day, "--outbox", str(outbox),
                "--format", "json", "--output", str(out)]  # fmt: skip
        seconds, rss, code, err = aging.run_child(argv, {**env, "ARCTL_TODAY": day})
        if code:
            measure.note = f"exit {code}: {err.strip().splitlines()[-1] if err.strip() else ''}"
        else:
            measure.samples.append(seconds)
            measure.rss_kb.append(rss)

    facts = []
    if summary.exists():
        doc = json.loads(summary.read_text())
        rows, skipped = doc["sections"][0]["rows"], doc["sections"][1]["rows"]
        by_status: dict[str, int] = {}
        for row in rows:
            by_status[f"{row['channel']} {row['status']}"] = (
                by_status.get(f"{row['channel']} {row['status']}", 0) + 1
            )
        facts.append(f"first run: {len(rows):,} message rows ({', '.join(f'{v:,} {k}' for k, v in sorted(by_status.items()))}); "
                     f"{len(skipped):,} items skipped")  # fmt: skip
        files = sum(1 for _ in outbox.rglob("*") if _.is_file())
        facts.append(f"files in the outbox: {files:,}")
    if (work / "again.json").exists():
        doc = json.loads((work / "again.json").read_text())
        facts.append(f"second run of the day: {len(doc['sections'][0]['rows'])} message rows (must be 0)")
    if (work / "next.json").exists():
        doc = json.loads((work / "next.json").read_text())
        facts.append(f"next day: {len(doc['sections'][0]['rows']):,} message rows")
    con = sqlite3.connect(copy)
    steps = con.execute("SELECT count(*) FROM reminder_step").fetchone()[0]
    con.close()
    facts.append(f"reminder_step rows recorded: {steps:,}")

    print(f"\nremind benchmark — {args.invoices:,} invoices, {args.customers:,} customers, as of {AS_OF}, "
          f"{args.runs} interleaved runs (median)")  # fmt: skip
    for m in (base, dry, record, again, nextday):
        rss = f"{m.rss_mb:6.0f} MB" if m.rss_kb else "     n/a"
        note = f"  ({m.note})" if m.note else ""
        print(f"  {m.name:<70} {m.median:7.2f} s  peak RSS {rss}{note}")
    for m in (dry, record, nextday):
        if m.samples and base.samples:
            ratio = m.median / base.median
            verdict = "met" if ratio <= GOAL else "NOT met"
            print(f"  ratio to aging: {ratio:5.2f}x (goal <= {GOAL}x: {verdict})  {m.name}")
    for fact in facts:
        print(f"  {fact}")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
