"""Run a call through the guard chain around an upstream stream."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence

from gateway.pipeline.call import Call, Outcome
from gateway.pipeline.guard import Chunk, Guard


async def check_request(guards: Sequence[Guard], call: Call) -> None:
    for guard in guards:
        await guard.check_request(call)


def wrap_response(guards: Sequence[Guard], call: Call,
                  upstream: AsyncIterator[Chunk]) -> AsyncIterator[Chunk]:
    """Wrap the upstream stream so it passes the guards' transformers.

    The request-side order is (limits, input, pii, policy); wrapping in reverse means the
    stream meets policy first, then pii, then limits.
    """
    stream = upstream
    for guard in reversed(guards):
        stream = guard.transform(call, stream)
    return stream


async def finish(guards: Sequence[Guard], call: Call, outcome: Outcome,
                 on_error: Callable[[Guard, BaseException], Awaitable[None] | None] | None = None
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
