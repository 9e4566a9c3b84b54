"""Part of a model's reading done by a forked copy of this process, on another core.

Once `ifcopenshell.open` has parsed a file, a child made by `os.fork` shares the
parsed model page by page (copy-on-write) without parsing it again, so one part of
the reading can run there while this process reads the rest. `Deferred(work, fork)`
starts `work` in such a child and `result()` collects what it returns, pickled
through a pipe. The child does pure computation: no logging and no I/O but its pipe
(another thread of this process may have held a lock at the fork, e.g. a progress
bar's), no garbage collection (it would write to every object's header and copy the
shared pages), and it ends with `os._exit`. Where fork is not available, not asked
for, `work` runs here at once; if the child fails, `result()` runs `work` here: the
result is the same either way.

    >>> Deferred(lambda: sum(range(10)), fork=True).result()
    45

What the child costs in memory is logged (logger `bim_import.forked`, DEBUG) with
the record attributes `forked_peak_growth_bytes`, the memory it added at its fullest
(the pages it alone holds once its answer is pickled, copied on write or new, plus how
far its peak rose above that), and `resident_at_join_bytes`, this process's resident
size when the answer arrived, so that a benchmark can add the two: both processes at
their fullest at once.
"""

from __future__ import annotations

import gc
import io
import logging
import os
import pickle
import signal
import sys
import time
from collections.abc import Callable
from typing import Generic, TypeVar

__all__ = ["Deferred", "can_fork", "spare_core"]

log = logging.getLogger(__name__)
T = TypeVar("T")
_LOAD_MARGIN = 0.5  # the load of this process's own start-up and of short jobs


def can_fork() -> bool:
    """True where a child can share this process's memory by `os.fork` (Linux)."""
    return sys.platform.startswith("linux") and hasattr(os, "fork")


def spare_core() -> bool:
    """True where a second process would have a core to itself: this process may fork,
    it may run on two cores or more, and the load over the last minute leaves one idle.

    On a busy machine a second process only adds its own work to what the cores share.
    """
    if not can_fork():
        return False
    cores = len(os.sched_getaffinity(0))
    return cores >= 2 and os.getloadavg()[0] <= cores - 1 + _LOAD_MARGIN


class Deferred(Generic[T]):
    """`work()`, computed in a forked child when `fork` is true, else here at once.

    Use it in a `with` block: leaving the block before `result()` (an error in this
    process's part) stops the child and reaps it.
    """

    def __init__(self, work: Callable[[], T], fork: bool) -> None:
        self._work = work
        self._pid: int | None = None
        self._read_fd: int | None = None
        self._done: tuple[T] | None = None
        if fork and can_fork():
            self._start()
        else:
            self._done = (work(),)

    def _start(self) -> None:
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: compute, send, leave without running any cleanup
            os.close(read_fd)
            gc.disable()
            status = 1
            try:
                _reset_peak()
                result = self._work()
                payload = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
                head = len(payload).to_bytes(8, "little") + _own_growth().to_bytes(8, "little")
                for part in (head, payload):
                    view = memoryview(part)
                    while view:
                        view = view[os.write(write_fd, view) :]
                status = 0
            finally:
                os._exit(status)
        os.close(write_fd)
        self._pid, self._read_fd = pid, read_fd

    def __enter__(self) -> Deferred[T]:
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._pid is not None:
            os.kill(self._pid, signal.SIGKILL)
            os.waitpid(self._pid, 0)
            self._pid = None
        if self._read_fd is not None:
            os.close(self._read_fd)
            self._read_fd = None

    def result(self) -> T:
        """What `work()` returns: the child's answer, or computed here if there is none."""
        if self._done is not None:
            return self._done[0]
        if self._pid is None or self._read_fd is None:
            return self._work()
        started = time.perf_counter()
        # the length first, then the pickle read into one buffer of that size
        with os.fdopen(self._read_fd, "rb", buffering=0) as pipe:
            self._read_fd = None
            head = _read_into(pipe, bytearray(16))
            size = int.from_bytes(head[:8], "little") if head else 0
            payload = _read_into(pipe, bytearray(size)) if head else None
        _, status = os.waitpid(self._pid, 0)
        self._pid = None
        if status != 0 or not payload:
            log.warning("the forked reader failed (status %s); reading here instead", status)
            return self._work()
        growth = int.from_bytes(head[8:], "little") if head else 0
        result = pickle.loads(payload)
        del payload
        resident = _status_bytes("VmRSS")
        log.debug(
            "forked reader: peak %.1f MiB over the fork; this process %.1f MiB when it "
            "ended, after waiting %.3f s for it",
            growth / 2**20,
            resident / 2**20,
            time.perf_counter() - started,
            extra={"forked_peak_growth_bytes": growth, "resident_at_join_bytes": resident},
        )
        return result


def _read_into(pipe: io.RawIOBase, buffer: bytearray) -> bytearray | None:
    """`buffer` filled from `pipe`, or None if the pipe ends first."""
    view = memoryview(buffer)
    filled = 0
    while filled < len(buffer):
        count = pipe.readinto(view[filled:])
        if not count:
            return None
        filled += count
    return buffer


def _reset_peak() -> None:
    """Start the child's VmHWM afresh (it may begin at the parent's; Linux >= 4.0)."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as clear_refs:
            clear_refs.write("5")
    except OSError:
        pass


def _own_growth() -> int:
    """The memory the child added, at its fullest: the pages it owns alone now (copied
    from the parent on write, or new) and how far its peak rose above its size now.

    A page copied on write replaces a shared one without changing the child's RSS, so
    RSS alone would miss it; `Private_Dirty` counts it.
    """
    private = 0
    try:
        with open("/proc/self/smaps_rollup", encoding="ascii") as rollup:
            for line in rollup:
                if line.startswith(("Private_Dirty:", "Private_Clean:")):
                    private += int(line.split()[1]) * 1024
    except OSError:
        pass
    return private + max(0, _status_bytes("VmHWM") - _status_bytes("VmRSS"))


def _status_bytes(name: str) -> int:
    """A `VmRSS`/`VmHWM` line of /proc/self/status, in bytes."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(f"{name}:"):
                return int(line.split()[1]) * 1024
    return 0
