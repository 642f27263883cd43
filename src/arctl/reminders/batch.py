"""Rendering a whole run's messages, on every CPU when there are many.

A first run on a big ledger renders tens of thousands of messages, task sheets and letters (Jinja2 in the
sandbox: ~0.1 ms for an email, ~0.3 ms for a letter with its HTML), which was most of a dry run's time.
Rendering is pure (templates + plain context in, text out), so large batches are split into chunks rendered by
forked worker processes: they inherit the loaded templates and the contexts (nothing is pickled on the way in,
only the rendered text on the way back) and never touch the ledger.

Where `fork` is not available (Windows; macOS starts processes differently), with one CPU, for small batches,
or with ``ARCTL_WORKERS=1``, everything is rendered in this process. A template error is always raised from
this process, by rendering the failing message again here: the same `InvalidInput`, naming the file and line,
as without workers.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Mapping
from typing import Any

from arctl.domain.errors import InvalidInput
from arctl.reminders.letters import Rendered, Templates

Job = tuple[str, str, Mapping[str, Any]]
"""(template, language, context), as `Templates.render` takes them."""
MakeJob = Callable[[int], Job]
"""The job of message i: called in the worker that renders it, so building contexts runs in parallel too."""

MIN_PARALLEL = 1_000
"""Below this many messages forking costs more than it saves."""
CHUNK = 500
"""Messages per task handed to a worker: small enough to balance letters against emails."""

_shared: tuple[Templates, MakeJob] | None = None
"""Set just before forking, so the workers see the templates and jobs without pickling them."""


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


def render_all(
    templates: Templates, count: int, job: MakeJob, *, workers: int | None = None, min_parallel: int = MIN_PARALLEL
) -> list[Rendered]:
    """Messages 0 … count-1 rendered, in order; the first failing one (in order) raises its `InvalidInput`."""
    workers = workers_wanted() if workers is None else workers
    if workers < 2 or count < min_parallel or "fork" not in multiprocessing.get_all_start_methods():
        return [templates.render(*job(i)) for i in range(count)]
    return _in_workers(templates, count, job, workers)


def _in_workers(templates: Templates, count: int, job: MakeJob, workers: int) -> list[Rendered]:
    from concurrent.futures import ProcessPoolExecutor

    global _shared
    bounds = [(start, min(start + CHUNK, count)) for start in range(0, count, CHUNK)]
    _shared = (templates, job)
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=min(workers, len(bounds)), mp_context=context) as pool:
            chunks = list(pool.map(_render_range, bounds))
    finally:
        _shared = None
    out: list[Rendered] = []
    for failed_at, rendered in chunks:
        out += rendered
        if failed_at is not None:
            templates.render(*job(failed_at))  # raises the error here, with its file and line
            raise InvalidInput(f"message {failed_at + 1} could not be rendered by a worker process")
    return out


def _render_range(bounds: tuple[int, int]) -> tuple[int | None, list[Rendered]]:
    """In a worker: the rendered messages of one chunk, and the index of the first that failed (then stops)."""
    assert _shared is not None
    templates, job = _shared
    start, stop = bounds
    out: list[Rendered] = []
    for index in range(start, stop):
        try:
            out.append(templates.render(*job(index)))
        except Exception:
            return index, out
    return None, out
