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
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import multiprocessing
import os
import sys
import threading
from collections import Counter
from collections.abc import Callable
from typing import Any, TypeVar

from anyio.lowlevel import RunVar
from keepgate.config.model import OffloadSettings

log = logging.getLogger("keepgate.offload")
T = TypeVar("T")

_current: RunVar["ProcPool | None"] = RunVar("keepgate_procpool", default=None)


class ProcPool:
    """The process pool of one app; `run` awaits a task without blocking the loop."""

    def __init__(self, settings: OffloadSettings, warm: tuple[Any, ...] = (None, [])) -> None:
        self.settings = settings
        #: `procwork.warm`'s arguments: what each process loads at start.
        self.warm = warm
        self.executor: concurrent.futures.ProcessPoolExecutor | None = None
        #: Tasks sent to the processes, by function name (tests and metrics read it).
        self.tasks: Counter[str] = Counter()
        self._lock = threading.Lock()
        #: Called on the event loop when a task is sent (a seam for tests that must know
        #: a request's work is in the pool before they go on).
        self.on_submit: Callable[[str], None] | None = None

    async def start(self) -> None:
        if self.settings.processes == 0:
            return
        self.executor = self._new(self.settings.prestart)
        _current.set(self)

    def _new(self, prestart: bool) -> concurrent.futures.ProcessPoolExecutor:
        executor = concurrent.futures.ProcessPoolExecutor(
            self.settings.processes,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init,
            initargs=(self.settings.nice, os.getpid()),
        )
        if prestart:
            # Start the processes now (and load the models in the background) rather than
            # on the first big request.
            for _ in range(self.settings.processes):
                executor.submit(_warm, *self.warm)
        return executor

    async def aclose(self) -> None:
        executor, self.executor = self.executor, None
        if executor is None:
            return
        # Not waiting for a scan or a warm-up still running (seconds): a worker's graceful
        # shutdown must not outlast its supervisor's patience. The executor keeps its
        # processes in a private map; there is no public way to stop them at once.
        procs = list((getattr(executor, "_processes", None) or {}).values())
        executor.shutdown(wait=False, cancel_futures=True)
        for proc in procs:
            proc.terminate()

    @property
    def running(self) -> bool:
        return self.executor is not None

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """`fn(*args)` in a worker process (`fn` and the arguments must pickle). A caller
        cancelled meanwhile returns at once; a task not yet started is dropped."""
        if self.executor is None:
            raise RuntimeError("the offload process pool is not running")
        executor = self.executor
        future = executor.submit(fn, *args)
        with self._lock:
            self.tasks[fn.__name__] += 1
        if self.on_submit is not None:
            self.on_submit(fn.__name__)
        try:
            return await asyncio.wrap_future(future)
        except concurrent.futures.process.BrokenProcessPool:
            # A process died (killed, out of memory): every task it had fails, and the
            # executor refuses new ones. The callers fail as they do on any error; the
            # next task gets fresh processes.
            if self.executor is executor:
                log.error("an offload process died; starting new ones")
                self.executor = self._new(self.settings.prestart)
                executor.shutdown(wait=False, cancel_futures=True)
            raise


def current() -> ProcPool | None:
    """The running pool of this event loop, if any."""
    pool = _current.get()
    return pool if pool is not None and pool.running else None


def _init(nice: int, parent: int) -> None:
    """In each new process: die with the gateway, even when it is killed outright and
    cannot shut the pool down; lower its priority below the event loop's."""
    if sys.platform == "linux":
        import ctypes
        import signal

        PR_SET_PDEATHSIG = 1
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:
            os._exit(0)  # the gateway died before the line above
    if nice:
        os.nice(nice)


def _warm(*args: Any) -> None:
    from keepgate.pipeline import procwork

    procwork.warm(*args)
