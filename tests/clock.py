"""A clock the test moves by hand, for the clock seams in the product (a component's
`clock` / `now`, defaulting to `time.monotonic`): time passes when the test says so, never
because the box is slow or a sleep ran long."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable


class ManualClock:
    """A monotonic clock that stands still until `advance` moves it."""

    def __init__(self, start: float = 1000.0) -> None:
        self.t = start

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds


class CuedDeadline:
    """A `deadline(seconds)` seam (an async context manager, like `asyncio.timeout`) whose
    first use expires when the test calls `cue()` — from any thread, e.g. a test server that
    has just received the request — instead of when its seconds run out; later uses are a
    plain `asyncio.timeout`. `seen` holds the seconds each use was given."""

    def __init__(self) -> None:
        self.seen: list[float] = []
        self._expire: Callable[[], None] | None = None

    def cue(self) -> None:
        if self._expire is not None:
            self._expire()

    @contextlib.asynccontextmanager
    async def __call__(self, seconds: float) -> AsyncIterator[None]:
        self.seen.append(seconds)
        async with asyncio.timeout(seconds) as cm:
            if len(self.seen) == 1:
                loop = asyncio.get_running_loop()
                self._expire = lambda: loop.call_soon_threadsafe(cm.reschedule, loop.time())
            yield
