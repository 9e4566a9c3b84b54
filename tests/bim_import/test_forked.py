"""Work done by a forked child: its result, its memory reported, and every way it can end."""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path

import pytest

from bim_import.forked import Deferred, can_fork, spare_core

pytestmark = pytest.mark.skipif(not can_fork(), reason="needs os.fork (Linux)")


def test_the_work_runs_in_another_process_and_its_result_comes_back() -> None:
    with Deferred(lambda: (os.getpid(), list(range(100_000))), fork=True) as deferred:
        pid, numbers = deferred.result()
    assert pid != os.getpid()
    assert numbers == list(range(100_000))


def test_without_fork_the_work_runs_here_at_once() -> None:
    calls: list[int] = []

    def work() -> int:
        calls.append(os.getpid())
        return 7

    with Deferred(work, fork=False) as deferred:
        assert calls == [os.getpid()]
        assert deferred.result() == 7
    assert calls == [os.getpid()]


def test_a_child_that_fails_is_replaced_by_the_work_done_here(
    caplog: pytest.LogCaptureFixture,
) -> None:
    parent = os.getpid()

    def work() -> int:
        if os.getpid() != parent:
            raise RuntimeError("only in the child")
        return parent

    with caplog.at_level(logging.WARNING, "bim_import.forked"), Deferred(work, True) as deferred:
        assert deferred.result() == parent
    assert "the forked reader failed" in caplog.text


def test_the_childs_memory_and_this_process_size_are_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def work() -> int:
        block = bytearray(40 * 2**20)  # written to: resident in the child
        block[::4096] = b"x" * len(block[::4096])
        return len(block)

    with caplog.at_level(logging.DEBUG, "bim_import.forked"), Deferred(work, True) as deferred:
        assert deferred.result() == 40 * 2**20
    (record,) = [r for r in caplog.records if hasattr(r, "forked_peak_growth_bytes")]
    assert getattr(record, "forked_peak_growth_bytes") >= 40 * 2**20  # noqa: B009
    assert getattr(record, "resident_at_join_bytes") > 0  # noqa: B009


def test_leaving_the_block_early_stops_the_child(tmp_path: Path) -> None:
    started = tmp_path / "pid"

    def work() -> None:
        started.write_text(str(os.getpid()))
        time.sleep(60)

    with Deferred(work, fork=True):
        deadline = time.monotonic() + 10
        while not started.exists() or not started.read_text():
            assert time.monotonic() < deadline, "the child never started"
            time.sleep(0.01)
    with pytest.raises(ProcessLookupError):
        os.kill(int(started.read_text()), 0)


def test_no_spare_core_on_one_core() -> None:
    cores = os.sched_getaffinity(0)
    try:
        os.sched_setaffinity(0, {min(cores)})
        assert not spare_core()
    finally:
        os.sched_setaffinity(0, cores)
