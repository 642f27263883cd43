"""A run's messages rendered in worker processes are exactly what rendering them here gives, errors too."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_letters import context, shipped, write

from arctl.domain.errors import InvalidInput
from arctl.reminders import batch
from arctl.reminders.batch import map_all, workers_wanted
from arctl.reminders.letters import Rendered, Templates

pytestmark = pytest.mark.skipif("fork" not in batch.multiprocessing.get_all_start_methods(), reason="no fork")


def jobs() -> list[tuple[str, str, dict]]:
    out = []
    for n, (name, language) in enumerate(shipped() * 3):
        ctx = context(language, reference=f"R-20261123-{n:04d}")
        out.append((name, language, ctx))
    return out


def test_workers_render_exactly_what_one_process_renders(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(batch, "CHUNK", 7)  # several chunks per worker, a short last one
    todo = jobs()
    templates = Templates()

    def work(i: int) -> Rendered:
        return templates.render(*todo[i])

    alone = map_all(len(todo), work, workers=1)
    together = map_all(len(todo), work, workers=2, min_parallel=1)
    assert together == alone
    assert [r.subject for r in together] == [templates.render(*j).subject for j in todo]


def test_an_error_in_a_worker_is_raised_here_naming_the_file_and_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(batch, "CHUNK", 4)
    write(tmp_path, "reminder_x.en.txt.j2", "Subject: x\n\n{{ customer.nickname }}\n")
    todo = (
        [("friendly", "en", context("en"))] * 9
        + [("x", "en", context("en"))]
        + [("friendly", "en", context("en"))]
    )
    templates = Templates(tmp_path)

    def work(i: int) -> Rendered:
        return templates.render(*todo[i])

    with pytest.raises(InvalidInput) as alone:
        map_all(len(todo), work, workers=1)
    with pytest.raises(InvalidInput) as together:
        map_all(len(todo), work, workers=2, min_parallel=1)
    assert str(together.value) == str(alone.value)
    assert "reminder_x.en.txt.j2:3" in str(together.value)


def test_small_batches_stay_in_this_process(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_workers(*args: object) -> None:
        raise AssertionError("forked for a small batch")

    monkeypatch.setattr(batch, "_in_workers", no_workers)
    todo = jobs()[:3]
    assert map_all(len(todo), lambda i: Templates().render(*todo[i]).subject, workers=8) == [
        Templates().render(*j).subject for j in todo
    ]


@pytest.mark.parametrize(("raw", "expected"), [("1", 1), ("3", 3), (" 2 ", 2)])
def test_workers_from_the_environment(raw: str, expected: int) -> None:
    assert workers_wanted({"ARCTL_WORKERS": raw}) == expected


@pytest.mark.parametrize("raw", ["0", "-1", "two", "1.5"])
def test_bad_workers_setting_is_refused(raw: str) -> None:
    with pytest.raises(InvalidInput, match="ARCTL_WORKERS"):
        workers_wanted({"ARCTL_WORKERS": raw})


def test_workers_default_to_the_usable_cpus() -> None:
    assert workers_wanted({}) >= 1
