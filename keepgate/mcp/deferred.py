"""A session's writes done after the answer, behind a per-session barrier.

Why: of an MCP `tools/call`'s own work, the session's bookkeeping — the call and the
result appended to the history, a taint source, the history index following them
(`keepgate.policy.sliding`) — decides nothing about *this* call's answer; only the
session's next reader needs it. `SessionWork.later` queues such a job; the queue runs
once the running task's step ends (after the answer's bytes are written, as
`AuditLog.later` does) and, before that, inline at the start of anything that reads or
writes the session (`settle`, called by every `Sessions` method). So every reader sees
exactly the writes queued before it, in order, as if they had run where they were
queued: no decision can differ from running them in place.

Only for a store every reader of which is in this process (`Store.local`: the memory
store, or SQLite held by one process, `mcp.store.exclusive`): its jobs never suspend, so
`settle` runs them at once, atomically between two steps of the event loop. With shared
SQLite or Redis another worker or replica may read the session next — a barrier in one
process does not order another's reads — so the gateway keeps its writes before the
answer there.

A job that fails is logged and kept at the head of its session's queue, and the jobs
queued after it wait behind it (a writer's own write too: `Sessions` queues it rather
than dropping it): the next reader tries it again, and if it fails again that reader
fails closed (`StoreUnavailable`), so a lost taint or call record can never let a later
call through (a capped tool once more, a side effect after an injection). As soon as the
store takes the write again, the session goes on with nothing lost and in order. A write
that can never land refuses its session until the session would have expired anyway
(`ttl_s` after the failure, which is after the last write the session's lists took):
then its queue is dropped, which no reader can tell from the writes landing and expiring
— and so is the queue of a failed session nobody reads again (checked after each step
that ran writes), so it cannot hold memory for ever. `aclose` runs what still waits
(shutdown).
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections import deque
from collections.abc import Callable, Coroutine, Hashable
from typing import Any

from keepgate.mcp.store import StoreUnavailable

log = logging.getLogger("keepgate.mcp")

#: A deferred write: a coroutine function that does not suspend (a local store's).
Job = Callable[[], Coroutine[Any, Any, None]]


class SessionWork:
    """Per-session FIFO queues of jobs (see the module docstring)."""

    def __init__(
        self, ttl_s: float = math.inf, clock: Callable[[], float] = time.monotonic
    ) -> None:
        #: session key -> its jobs, oldest first (a key is here only while it has some).
        self.queues: dict[Hashable, deque[Job]] = {}
        #: Sessions whose head job failed (retried, and refused, by the next reader) ->
        #: when it failed or a job was last queued behind it (`clock`).
        self.failed: dict[Hashable, float] = {}
        #: A session's lifetime after its last write (see the module docstring).
        self.ttl_s = ttl_s
        self.clock = clock
        self._soon = False

    def later(self, key: Hashable, job: Job) -> None:
        """Queue `job` for session `key`: run after this task step, or by its next reader."""
        queue = self.queues.get(key)
        if queue is None:
            queue = self.queues[key] = deque()
        queue.append(job)
        if key in self.failed:  # the session lives on from this write, had it landed
            self.failed[key] = self.clock()
        if not self._soon:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:  # no loop: nothing can run after the step, so now
                self.settle_now(key, fail=False)
                return
            self._soon = True
            loop.call_soon(self._after_step)

    def _after_step(self) -> None:
        self._soon = False
        failed = self.failed
        for key in [k for k in self.queues if k not in failed]:
            self.settle_now(key, fail=False)
        if failed:
            for key in [k for k in failed if self._expired(k)]:
                self._drop(key)

    def _expired(self, key: Hashable) -> bool:
        return self.clock() - self.failed[key] >= self.ttl_s

    def _drop(self, key: Hashable) -> None:
        jobs = len(self.queues.pop(key, ()))
        del self.failed[key]
        log.warning(
            "mcp: %d session write(s) that could not be stored were dropped: the session "
            "expired meanwhile",
            jobs,
        )

    def settle_now(self, key: Hashable, *, fail: bool = True) -> None:
        """Run session `key`'s queued jobs in order. A failing job stays queued and is
        logged; with `fail` (a reader) it raises `StoreUnavailable` (fail closed)."""
        queue = self.queues.get(key)
        if queue is None:
            return
        if key in self.failed and self._expired(key):
            self._drop(key)
            return
        while queue:
            job = queue[0]
            try:
                _run(job())
            except Exception as exc:
                retry = key in self.failed
                if not retry:  # a retry does not lengthen the session's life
                    self.failed[key] = self.clock()
                log.error(
                    "mcp: a deferred session write failed%s (%s); the session's next "
                    "call is refused until it succeeds",
                    " again" if retry else "",
                    type(exc).__name__,
                    exc_info=not retry,
                )
                if fail:
                    raise StoreUnavailable(
                        f"a deferred session write failed ({type(exc).__name__})"
                    ) from None
                return
            queue.popleft()
        del self.queues[key]
        self.failed.pop(key, None)

    def pending(self, key: Hashable) -> int:
        queue = self.queues.get(key)
        return len(queue) if queue else 0

    def aclose(self) -> None:
        """Run every queued job (shutdown); failures are logged, none raises."""
        for key in list(self.queues):
            self.settle_now(key, fail=False)


def _run(coro: Coroutine[Any, Any, None]) -> None:
    """Run a coroutine that never suspends (a local store's job) to its end."""
    try:
        coro.send(None)
    except StopIteration:
        return
    coro.close()
    raise RuntimeError("a deferred session job suspended (only local stores defer)")
