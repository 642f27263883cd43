"""A run's per-message work (rendering, building .eml files) on every CPU when there are many messages.

A first run on a big ledger renders tens of thousands of messages, task sheets and letters (Jinja2 in the
sandbox: ~0.1 ms for an email, ~0.3 ms for a letter with its HTML) and builds thousands of RFC 5322 messages,
which was most of its time. That work is pure (templates and plain values in, text and bytes out), so big
batches are split into chunks done by forked worker processes: they inherit the loaded templates and the
plan (nothing is pickled on the way in, only the results on the way back) and never touch the ledger.

Where `fork` is not available (Windows; macOS starts processes differently), with one CPU, for small batches,
or with ``ARCTL_WORKERS=1``, everything runs in this process. An error is always raised from this process, by
doing the failing item again here: the same exception (a template error names its file and line) as without
workers.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from arctl.domain.errors import InvalidInput

T = TypeVar("T")

MIN_PARALLEL = 1_000
"""Below this many items forking costs more than it saves."""
CHUNK = 500
"""Items per task handed to a worker: small enough to balance letters against emails."""

_work: Callable[[int], Any] | None = None
"""Set just before forking, so the workers see it (and all it refers to) without pickling."""


def workers_wanted(env: Mapping[str, str] | None = None) -> int:
    """``$ARCTL_WORKERS`` when set (1 = no worker processes), else the CPUs this process may use."""
    env = os.environ if env is None else env
    raw = env.get("ARCTL_WORKERS", "").strip()
    if raw:
        if not raw.isdigit() or int(raw) < 1:
            raise InvalidInput(f"{raw!r} is not a number of worker processes (1 or more)", field="ARCTL_WORKERS")
        return int(raw)
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def map_all(
    count: int, work: Callable[[int], T], *, workers: int | None = None, min_parallel: int | None = None
) -> list[T]:
    """[work(0), …, work(count - 1)], in order; the first item (in order) that fails raises its exception."""
    workers = workers_wanted() if workers is None else workers
    min_parallel = MIN_PARALLEL if min_parallel is None else min_parallel
    if workers < 2 or count < min_parallel or "fork" not in multiprocessing.get_all_start_methods():
        return [work(i) for i in range(count)]
    return _in_workers(count, work, workers)


def _in_workers(count: int, work: Callable[[int], T], workers: int) -> list[T]:
    from concurrent.futures import ProcessPoolExecutor

    global _work
    bounds = [(start, min(start + CHUNK, count)) for start in range(0, count, CHUNK)]
    _work = work
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=min(workers, len(bounds)), mp_context=context) as pool:
            chunks = list(pool.map(_chunk, bounds))
    finally:
        _work = None
    out: list[T] = []
    for failed_at, done in chunks:
        out += done
        if failed_at is not None:
            work(failed_at)  # raises the error here, as it would have without workers
            raise InvalidInput(f"item {failed_at + 1} failed in a worker process but not when done again")
    return out


def _chunk(bounds: tuple[int, int]) -> tuple[int | None, list[Any]]:
    """In a worker: the results of one chunk, and the index of the first item that failed (then it stops)."""
    assert _work is not None
    start, stop = bounds
    out: list[Any] = []
    for index in range(start, stop):
        try:
            out.append(_work(index))
        except Exception:
            return index, out
    return None, out
