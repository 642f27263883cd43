#!/usr/bin/env python3
"""Start-up benchmark: how much does arctl add on top of the libraries it cannot avoid?

    python bench/startup.py [--runs N] [--warmup N] [--no-hyperfine]

Compares medians of
    arctl --help        vs  python -c "import typer"            (the CLI's floor)
    arctl balance HZJX  vs  python -c "import sqlalchemy.orm"   (a ledger command's floor)
on a small ledger built in a temporary directory with the CLI itself. Goal: both ratios <= 1.3.

Uses hyperfine (https://github.com/sharkdp/hyperfine) when it is on PATH, else a plain subprocess loop
timed with time.perf_counter. Runs the python and arctl of the interpreter that runs this script
(sys.executable and the `arctl` script beside it). It reports; it never fails (exit 0).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

GOAL = 1.3
TODAY = "2026-10-31"


@dataclass
class Timing:
    name: str
    median: float  # seconds
    minimum: float
    runs: int


def arctl_command() -> list[str]:
    """The arctl console script beside this interpreter, else `python -m arctl`."""
    script = Path(sys.executable).with_name("arctl")
    return [str(script)] if script.exists() else [sys.executable, "-m", "arctl"]


def build_ledger(env: dict[str, str]) -> None:
    """A few customers, invoices and payments, entered through the CLI like a user would."""
    arctl = arctl_command()
    steps = [
        ["customer", "add", "HZJX", "杭州精细机械有限公司", "--terms", "net45", "--credit-limit", "800000"],
        ["customer", "add", "SHXY", "上海星云科技有限责任公司", "--terms", "net30"],
        ["customer", "add", "NORD", "Nordic Instruments AB", "--currency", "USD", "--language", "en"],
        ["invoice", "add", "HZJX", "INV-2026-0001", "128456.70", "--date", "2026-06-15"],
        ["invoice", "add", "HZJX", "INV-2026-0002", "500000", "--date", "2026-08-01",
         "--terms", "30% on signing, 70% net60"],
        ["invoice", "add", "HZJX", "INV-2026-0003", "43210.00", "--date", "2026-10-02"],
        ["invoice", "add", "SHXY", "INV-2026-0004", "88000.00", "--date", "2026-07-20"],
        ["invoice", "add", "NORD", "INV-2026-0005", "15400.00", "--date", "2026-09-05"],
        ["payment", "add", "HZJX", "200000", "--date", "2026-09-20", "--reference", "HX2026092000001"],
        ["payment", "add", "SHXY", "30000", "--date", "2026-09-01"],
        ["payment", "add", "NORD", "5400", "--date", "2026-10-10"],
    ]  # fmt: skip
    for args in steps:
        result = subprocess.run([*arctl, *args], env=env, capture_output=True, text=True)
        if result.returncode != 0:
            sys.exit(f"setup failed: arctl {' '.join(args)}\n{result.stderr}")


def time_loop(name: str, argv: list[str], env: dict[str, str], runs: int, warmup: int) -> Timing:
    for _ in range(warmup):
        subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        samples.append(time.perf_counter() - started)
    return Timing(name, statistics.median(samples), min(samples), runs)


def time_hyperfine(
    hyperfine: str, cases: list[tuple[str, list[str]]], env: dict[str, str], runs: int, warmup: int, folder: Path
) -> list[Timing]:
    export = folder / "hyperfine.json"
    argv = [hyperfine, "--shell=none", "--runs", str(runs), "--warmup", str(warmup), "--style", "none",
            "--export-json", str(export)]  # fmt: skip
    for name, command in cases:
        argv += ["--command-name", name, shlex.join(command)]
    subprocess.run(argv, env=env, check=True, stdout=subprocess.DEVNULL)
    results = json.loads(export.read_text())["results"]
    return [Timing(r["command"], r["median"], r["min"], len(r["times"])) for r in results]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20, help="timed runs per command (default 20)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed runs first (default 3)")
    parser.add_argument("--no-hyperfine", action="store_true",
                        help="use the subprocess loop even if hyperfine is installed")  # fmt: skip
    args = parser.parse_args()

    python, arctl = sys.executable, arctl_command()
    hyperfine = None if args.no_hyperfine else shutil.which("hyperfine")
    with tempfile.TemporaryDirectory(prefix="arctl-bench-") as tmp:
        folder = Path(tmp)
        env = {**os.environ, "ARCTL_DB": str(folder / "ledger.db"), "ARCTL_TODAY": TODAY,
               "XDG_DATA_HOME": str(folder / "xdg")}  # fmt: skip
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        print(f"building a small ledger in {folder} ...", file=sys.stderr)
        build_ledger(env)

        cases = [
            ("python -c pass", [python, "-c", "pass"]),
            ("python -c 'import typer'", [python, "-c", "import typer"]),
            ("arctl --help", [*arctl, "--help"]),
            ("python -c 'import sqlalchemy.orm'", [python, "-c", "import sqlalchemy.orm"]),
            ("arctl balance HZJX", [*arctl, "balance", "HZJX"]),
        ]
        print(f"timing {len(cases)} commands x {args.runs} runs with "
              f"{'hyperfine' if hyperfine else 'a subprocess loop'} ...", file=sys.stderr)  # fmt: skip
        if hyperfine:
            timings = time_hyperfine(hyperfine, cases, env, args.runs, args.warmup, folder)
        else:
            timings = [time_loop(name, argv, env, args.runs, args.warmup) for name, argv in cases]

    by_name = {t.name: t for t in timings}
    tool = "hyperfine" if hyperfine else "subprocess loop (time.perf_counter)"
    print(f"arctl start-up benchmark — {tool}, {args.runs} runs, {args.warmup} warm-up")
    print(f"python {platform.python_version()} ({sys.executable}), {platform.system()} {platform.machine()}, "
          f"{os.cpu_count()} CPUs")  # fmt: skip
    print()
    print(f"{'command':<36} {'median ms':>10} {'min ms':>8}")
    for t in timings:
        print(f"{t.name:<36} {t.median * 1000:>10.1f} {t.minimum * 1000:>8.1f}")
    print()
    for label, mine, floor in (
        ("arctl --help / import typer", "arctl --help", "python -c 'import typer'"),
        ("arctl balance / import sqlalchemy.orm", "arctl balance HZJX", "python -c 'import sqlalchemy.orm'"),
    ):
        ratio = by_name[mine].median / by_name[floor].median
        print(f"{label:<40} {ratio:5.2f}  (goal <= {GOAL}: {'met' if ratio <= GOAL else 'NOT met'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
