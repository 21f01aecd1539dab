"""A small pool of worker processes for CPU-heavy work on big request bodies.

Worker threads keep the event loop free only while the work releases the interpreter lock;
most of an input scan (normalising, the classifier's windows, rendering JSON) and litellm's
token counting are Python code that holds it, so a 4 MB request run in a thread still
delays every other request on the worker by seconds. A process of its own has its own
interpreter: the event loop keeps serving meanwhile.

The pool is started with the app (`general_settings.offload.processes`; 0 keeps the thread
path) with `spawn`ed processes: never `fork` (forking a process that runs an event loop and
threads is unsafe), and not a fork server either, whose processes outlived a gateway killed
with SIGKILL; a spawned process is the gateway's child and dies with it (`PR_SET_PDEATHSIG`).
Each process loads what it needs once (rule packs, classifier, tokenizer: cached per
process) and keeps it. The pool of the running event loop
is found with `current()`, so tests running several gateways in one process each get their
own. Only big items are sent (the callers' size thresholds): small requests never pay for
pickling and a hop. The processes run niced (`offload.nice`), so on busy cores the OS
gives the event loop its slices first: a big request waits, not the small ones.

**A task whose caller has gone is abandoned, not finished.** `ProcessPoolExecutor` cannot
cancel a task once it has moved it to its call queue (it does that ahead of time, from
its own thread: a task queued behind a busy process soon counts as running), let alone one
a process has started. So each task carries a number, and a caller cancelled while waiting
(its client disconnected, its scan budget ran out) drops the task if the executor still
holds it, else writes that number into an array of shared memory the processes can read. A process skips a task found there before starting it
(`JobAbandoned`), and a running scan stops at its next budget check (`abandoned()`), so
the process is free for the next task instead of finishing work nobody will read. The
array has `ABANDON_SLOTS` entries indexed by number modulo its size: a task is never taken
for another, and a cancellation is only missed (the task then runs to its end, as it
would without this) if thousands of tasks were sent while it waited.

**Stopping the processes at once.** `ProcessPoolExecutor` has no public way to stop its
processes without waiting for the tasks they run. Each process therefore writes its pid
into a shared array as it starts (the executor's `initializer`), and `aclose` terminates
the live children of this process (`multiprocessing.active_children()`, real handles: a pid
already reaped is never signalled) that are among them.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import ctypes
import itertools
import logging
import multiprocessing
import os
import sys
import threading
from collections import Counter
from collections.abc import Callable
from typing import Any, TypeVar, TypeVarTuple

from anyio.lowlevel import RunVar
from keepgate.config.model import OffloadSettings

log = logging.getLogger("keepgate.offload")
T = TypeVar("T")
Ts = TypeVarTuple("Ts")

_current: RunVar["ProcPool | None"] = RunVar("keepgate_procpool", default=None)

#: Entries of the shared array of abandoned task numbers.
ABANDON_SLOTS = 4096


class JobAbandoned(Exception):
    """Raised in a pool process for a task whose caller has gone (and pickled back)."""


class ProcPool:
    """The process pool of one app; `run` awaits a task without blocking the loop."""

    def __init__(self, settings: OffloadSettings, warm: Callable[[], None] | None = None) -> None:
        self.settings = settings
        #: What each process loads at start (it must pickle: `procwork.warm` with its
        #: arguments, bound by `functools.partial`).
        self.warm = warm
        self.executor: concurrent.futures.ProcessPoolExecutor | None = None
        #: Tasks sent to the processes, by function name (tests and metrics read it).
        self.tasks: Counter[str] = Counter()
        self._lock = threading.Lock()
        #: Called on the event loop when a task is sent (a seam for tests that must know
        #: a request's work is in the pool before they go on).
        self.on_submit: Callable[[str], None] | None = None
        #: Tasks whose caller went away, by function name; and of those, the ones that
        #: were dropped, skipped or stopped instead of finished.
        self.abandoned: Counter[str] = Counter()
        self.stopped: Counter[str] = Counter()
        #: Called on the event loop when a caller abandons a task (a seam for tests).
        self.on_abandon: Callable[[str], None] | None = None
        self._numbers = itertools.count(1)
        self._ctx = multiprocessing.get_context("spawn")
        #: Shared with every process (zeros: no task has number 0).
        self._gone = self._ctx.RawArray(ctypes.c_int64, ABANDON_SLOTS)
        #: The running executor's processes' pids, each written by the process as it
        #: starts (zeros: not started yet); a new one with each new executor.
        self._pids: Any = None

    async def start(self) -> None:
        if self.settings.processes == 0:
            return
        self.executor = self._new(self.settings.prestart)
        _current.set(self)

    def _new(self, prestart: bool) -> concurrent.futures.ProcessPoolExecutor:
        # The executor starts at most `processes` processes and never replaces one (a
        # process that dies breaks it, and `run` makes a new executor).
        self._pids = self._ctx.Array(ctypes.c_int64, self.settings.processes)
        executor = concurrent.futures.ProcessPoolExecutor(
            self.settings.processes,
            mp_context=self._ctx,
            initializer=_init,
            initargs=(self.settings.nice, os.getpid(), self._gone, self._pids),
        )
        if prestart and self.warm is not None:
            # Start the processes now (and load the models in the background) rather than
            # on the first big request.
            for _ in range(self.settings.processes):
                executor.submit(self.warm)
        return executor

    async def aclose(self) -> None:
        executor, self.executor = self.executor, None
        if executor is None:
            return
        # Not waiting for a scan or a warm-up still running (seconds): a worker's graceful
        # shutdown must not outlast its supervisor's patience (module docstring). A process
        # still starting (no pid yet) ends once it reads the shutdown.
        pids = set(self.worker_pids())
        procs = [p for p in multiprocessing.active_children() if p.pid in pids]
        executor.shutdown(wait=False, cancel_futures=True)
        for proc in procs:
            proc.terminate()

    def worker_pids(self) -> list[int]:
        """The pids of the running executor's processes that have started."""
        if self._pids is None:
            return []
        with self._pids.get_lock():
            return [pid for pid in self._pids if pid]

    @property
    def running(self) -> bool:
        return self.executor is not None

    async def run(self, fn: Callable[[*Ts], T], *args: *Ts) -> T:
        """`fn(*args)` in a worker process (`fn` and the arguments must pickle). A caller
        cancelled meanwhile returns at once, and the task is abandoned: skipped if it has
        not started, stopped at its next check if it has (module docstring)."""
        if self.executor is None:
            raise RuntimeError("the offload process pool is not running")
        executor = self.executor
        name = fn.__name__
        number = next(self._numbers)
        future = executor.submit(_job, number, fn, *args)
        future.add_done_callback(lambda f: self._finished(name, number, f))
        with self._lock:
            self.tasks[name] += 1
        if self.on_submit is not None:
            self.on_submit(name)
        try:
            return await asyncio.wrap_future(future)
        except asyncio.CancelledError:
            self._abandon(name, number, future)
            raise
        except concurrent.futures.process.BrokenProcessPool:
            # A process died (killed, out of memory): every task it had fails, and the
            # executor refuses new ones. The callers fail as they do on any error; the
            # next task gets fresh processes.
            if self.executor is executor:
                log.error("an offload process died; starting new ones")
                self.executor = self._new(self.settings.prestart)
                executor.shutdown(wait=False, cancel_futures=True)
            raise

    def _abandon(self, name: str, number: int, future: concurrent.futures.Future[Any]) -> None:
        """The caller of task `number` went away. A task the executor had not handed to a
        process yet was cancelled with the caller's wait (asyncio cancels the wrapped
        future): it is dropped. One it had handed over is marked for the process to skip
        or stop."""
        dropped = future.cancelled()
        if not dropped:
            self._gone[number % ABANDON_SLOTS] = number
        with self._lock:
            self.abandoned[name] += 1
            if dropped:
                self.stopped[name] += 1
        if self.on_abandon is not None:
            self.on_abandon(name)

    def _finished(self, name: str, number: int, future: concurrent.futures.Future[Any]) -> None:
        """In the executor's thread, as each task ends: count the abandoned tasks that a
        process skipped or stopped (they end in an error: `JobAbandoned`, or the task's
        own, e.g. the input scan's `ScanCancelled`) rather than finished."""
        if future.cancelled() or self._gone[number % ABANDON_SLOTS] != number:
            return  # not abandoned, or dropped before a process had it (`_abandon` counted)
        if future.exception() is not None:
            with self._lock:
                self.stopped[name] += 1


def current() -> ProcPool | None:
    """The running pool of this event loop, if any."""
    pool = _current.get()
    return pool if pool is not None and pool.running else None


#: In a pool process: the shared array of abandoned task numbers, and the running task's.
_gone: Any = None
_number = 0


def abandoned() -> bool:
    """In a pool process: whether the caller of the running task has gone (False
    elsewhere). Long tasks check it between slices of their work."""
    return _gone is not None and _number != 0 and _gone[_number % ABANDON_SLOTS] == _number


def _job(number: int, fn: Callable[..., T], *args: Any) -> T:
    """Run one task in a pool process, unless its caller has already gone."""
    global _number
    _number = number
    try:
        if abandoned():
            raise JobAbandoned(fn.__name__)
        return fn(*args)
    finally:
        _number = 0


def _init(nice: int, parent: int, gone: Any, pids: Any) -> None:
    """In each new process: say its pid (so the pool can stop it), die with the gateway,
    even when it is killed outright and cannot shut the pool down; lower its priority
    below the event loop's."""
    global _gone
    _gone = gone
    with pids.get_lock():
        free = next((i for i, pid in enumerate(pids) if pid == 0), None)
        if free is not None:
            pids[free] = os.getpid()
    if sys.platform == "linux":
        import ctypes
        import signal

        PR_SET_PDEATHSIG = 1
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:
            os._exit(0)  # the gateway died before the line above
    if nice:
        os.nice(nice)
