"""Run CPU-heavy request work off the event loop, so one big request never stalls others.

Small inputs run inline (a thread hop costs more than they do); big ones run in a small
pool of worker threads of their own (not anyio's default pool, which the app's other
blocking calls share). Work done there either releases the GIL (RE2, tiktoken, hashlib,
large numpy operations) or is Python code the interpreter switches away from every few
milliseconds, so the event loop keeps serving `/healthz` and small requests meanwhile.
Work that is mostly Python code goes to the app's process pool instead when one runs
(`procpool`, `general_settings.offload.processes`; `process=True` here): a thread would
hold the interpreter lock the event loop needs.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar, TypeVarTuple

import anyio
import anyio.to_thread
from anyio.lowlevel import RunVar

from keepgate.pipeline import procpool

T = TypeVar("T")
Ts = TypeVarTuple("Ts")

#: Worker threads for heavy request work (two cores' worth: more only queue on the GIL).
THREADS = 2
#: Characters of request text above which the limits and input guards work off the loop.
HEAVY_CHARS = 64 * 1024

#: One pool per event loop (tests run several gateways, each on its own loop).
_limiter: RunVar[anyio.CapacityLimiter] = RunVar("keepgate_offload_limiter")


def _pool() -> anyio.CapacityLimiter:
    try:
        return _limiter.get()
    except LookupError:
        limiter = anyio.CapacityLimiter(THREADS)
        _limiter.set(limiter)
        return limiter


async def run(
    fn: Callable[[*Ts], T],
    *args: *Ts,
    heavy: bool = True,
    on_cancel: Callable[[], None] | None = None,
    process: bool = False,
) -> T:
    """`fn(*args)`: inline when not `heavy`, else in the process pool when `process` and
    one runs (`fn` and the arguments must pickle), else in a worker thread. If the caller
    is cancelled meanwhile it returns at once and `on_cancel` tells a thread to stop."""
    if not heavy:
        return fn(*args)
    pool = procpool.current() if process else None
    if pool is not None:
        try:
            return await pool.run(fn, *args)
        except BrokenProcessPool:
            pass  # its process died under this task: do it here, in a thread, instead
    try:
        return await anyio.to_thread.run_sync(fn, *args, limiter=_pool(), abandon_on_cancel=True)
    except anyio.get_cancelled_exc_class():
        if on_cancel is not None:
            on_cancel()
        raise


def size_hint(value: object, cap: int) -> int:
    """Characters of string data in `value`, counting stops past `cap` (so a huge value
    costs no more than a small one to measure)."""
    total = 0
    stack = [value]
    while stack and total <= cap:
        v = stack.pop()
        if isinstance(v, str):
            total += len(v)
        elif isinstance(v, dict):
            total += len(v)
            if total <= cap:
                stack.extend(v.keys())
                stack.extend(v.values())
        elif isinstance(v, list):
            total += len(v)
            if total <= cap:
                stack.extend(v)
    return total
