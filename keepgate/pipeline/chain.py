"""Run a call through the guard chain around an upstream stream."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from time import perf_counter

from keepgate.jsontypes import Chunk
from keepgate.pipeline.call import Call, Outcome, ResponseMeter
from keepgate.pipeline.guard import Guard


def wrap_response(
    guards: Sequence[Guard],
    call: Call,
    upstream: AsyncIterator[Chunk],
    meter: ResponseMeter | None = None,
) -> AsyncIterator[Chunk]:
    """Wrap the upstream stream so it passes the guards' transformers.

    The request-side order is (limits, input, pii, policy); wrapping in reverse means the
    stream meets policy first, then pii, then limits. With `meter` (len(guards) + 1 zeros),
    a timing layer sits on each side of every transformer, and `guard_self_times` turns
    the totals into each guard's own time. Each layer costs about 0.5 µs a chunk, so the
    runtime meters a sample of calls, not all of them.
    """
    stream = upstream
    for k, guard in enumerate(reversed(guards)):
        if meter is not None:
            stream = _metered(stream, meter, k)
        stream = guard.transform(call, stream)
    return _metered(stream, meter, len(guards)) if meter is not None else stream


def new_meter(guards: Sequence[Guard], clock: Callable[[], float] = perf_counter) -> ResponseMeter:
    """A zeroed meter for `wrap_response` over `guards`, reading `clock`."""
    names = tuple(g.name for g in reversed(guards))
    return ResponseMeter(names, [0.0] * (len(guards) + 1), clock)


def guard_self_times(meter: ResponseMeter) -> dict[str, float]:
    """Seconds each guard's transformer spent on its own work (upstream waits cancel out)."""
    s = meter.seconds
    return {name: max(0.0, s[k + 1] - s[k]) for k, name in enumerate(meter.names)}


async def _metered(
    stream: AsyncIterator[Chunk], meter: ResponseMeter, slot: int
) -> AsyncIterator[Chunk]:
    """Add the time spent waiting on `stream` (everything upstream of here) to
    meter.seconds[slot]."""
    it = stream.__aiter__()
    clock, seconds = meter.clock, meter.seconds
    try:
        while True:
            t0 = clock()
            try:
                chunk = await it.__anext__()
            except StopAsyncIteration:
                return
            finally:
                seconds[slot] += clock() - t0
            yield chunk
    finally:
        aclose = getattr(it, "aclose", None)
        if aclose is not None:
            await aclose()


async def finish(
    guards: Sequence[Guard],
    call: Call,
    outcome: Outcome,
    on_error: Callable[[Guard, BaseException], Awaitable[None] | None] | None = None,
) -> None:
    """Every guard settles, even if one of them fails."""
    for guard in reversed(guards):
        try:
            await guard.finish(call, outcome)
        except Exception as exc:  # noqa: BLE001 - one guard's failure must not skip the rest
            if on_error:
                res = on_error(guard, exc)
                if res is not None:
                    await res
