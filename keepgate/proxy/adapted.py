"""One call on a translated route (Responses, Messages): the chat pipeline, another wire format.

The same life as a chat completion (chat.py): request guards, upstream, response guards as
stream transformers, settle. Only the edges differ, and a route adapter owns them: its
`Builder` turns the guarded chunks into its SSE events or its answer object, its error shape
wraps failures, and for an upstream that speaks the route's API natively its opener passes
the request through and reads the events back into chunks.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import anyio
import orjson
from starlette.responses import Response

from keepgate.adapters.base import Builder, Opener
from keepgate.errors import APIError
from keepgate.jsontypes import Chunk
from keepgate.pipeline.call import Call, Outcome
from keepgate.pipeline.guard import GuardBlocked
from keepgate.proxy.sse import SSEResponse
from keepgate.runtime import Runtime, blocked_error

ErrorResponse = Callable[[APIError, dict[str, str]], Response]
OnResult = Callable[[dict[str, Any]], Awaitable[None]]


def as_error(exc: GuardBlocked | APIError, call: Call) -> tuple[APIError, Outcome]:
    if isinstance(exc, GuardBlocked):
        err = blocked_error(exc, call)
        return err, Outcome("blocked", http_status=err.status)
    return exc, Outcome("upstream_error", http_status=exc.status)


async def run(
    rt: Runtime,
    call: Call,
    builder: Builder,
    *,
    opener: Opener | None,
    error_response: ErrorResponse,
    on_result: OnResult | None = None,
) -> Response | SSEResponse:
    rt.metrics.in_flight.inc()
    try:
        stream = await rt.open_chat(call, upstream=opener)
        # Prime a stream's first chunk so an early failure is still a proper HTTP error.
        first = await anext(stream, None) if call.stream else None
    except (GuardBlocked, APIError) as exc:
        err, outcome = as_error(exc, call)
        await rt.settle(call, outcome)
        return error_response(err, rt.response_headers(call))
    except BaseException as exc:
        await rt.settle(call, Outcome.ended_by(exc))
        raise
    if call.stream:
        return SSEResponse(
            _events(rt, call, builder, first, stream, on_result), rt.response_headers(call)
        )
    return await _complete(rt, call, builder, stream, error_response, on_result)


async def _complete(
    rt: Runtime,
    call: Call,
    builder: Builder,
    stream: AsyncIterator[Chunk],
    error_response: ErrorResponse,
    on_result: OnResult | None,
) -> Response | SSEResponse:
    """Build the answer and settle before answering, so the headers carry the settled cost
    and budget (as chat.py does)."""
    try:
        async for chunk in stream:
            builder.feed(chunk)
        result = builder.result()
        if on_result is not None:
            await on_result(result)
    except (GuardBlocked, APIError) as exc:
        err, outcome = as_error(exc, call)
        await rt.settle(call, outcome)
        return error_response(err, rt.response_headers(call))
    except BaseException:
        await rt.settle(call, Outcome("cancelled", http_status=499))
        raise
    await rt.settle(call, Outcome("ok"))
    return Response(
        orjson.dumps(result, default=str),
        media_type="application/json",
        headers=rt.response_headers(call),
    )


async def _events(
    rt: Runtime,
    call: Call,
    builder: Builder,
    first: Chunk | None,
    stream: AsyncIterator[Chunk],
    on_result: OnResult | None,
) -> AsyncIterator[bytes]:
    outcome = Outcome("ok")
    try:
        head = builder.start()
        if first is not None:
            head += builder.feed(first)
        yield head
        m = rt.metrics
        m.child(m.ttfb_seconds, call.route).observe(time.perf_counter() - call.started)
        async for chunk in stream:
            data = builder.feed(chunk)
            if data:
                yield data
        tail = builder.end()
        if on_result is not None:
            await on_result(builder.result())
        yield tail
    except GuardBlocked as exc:
        err = blocked_error(exc, call)
        outcome = Outcome("blocked", http_status=err.status)
        yield builder.fail(err)
    except APIError as exc:
        outcome = Outcome("upstream_error", http_status=exc.status)
        yield builder.fail(exc)
    except BaseException:
        outcome = Outcome("cancelled", http_status=499)
        raise
    finally:
        with anyio.CancelScope(shield=True):
            aclose = getattr(stream, "aclose", None)
            if aclose:
                try:
                    await aclose()
                except Exception:  # noqa: BLE001
                    pass
        await rt.settle(call, outcome)
