"""`POST /v1/chat/completions`: one code path for streamed and non-streamed answers.

The upstream is always streamed; a non-streaming client gets the guarded chunks assembled.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator

import anyio
import orjson
from starlette.requests import Request
from starlette.responses import Response

from keepgate.auth.request import require_principal
from keepgate.errors import APIError
from keepgate.jsontypes import Chunk
from keepgate.pipeline.call import Call, Outcome
from keepgate.pipeline.chunks import assemble
from keepgate.pipeline.guard import GuardBlocked
from keepgate.proxy.body import read_json
from keepgate.proxy.counts import check_counts
from keepgate.proxy.shapes import acheck
from keepgate.proxy.sse import SSEResponse, encode
from keepgate.runtime import Runtime, blocked_error

log = logging.getLogger("keepgate.proxy")


def _as_error(exc: GuardBlocked | APIError, call: Call) -> tuple[APIError, Outcome]:
    """A guard's block or an upstream failure, as the error to send and the call's outcome."""
    if isinstance(exc, GuardBlocked):
        err = blocked_error(exc, call)
        return err, Outcome("blocked", http_status=err.status)
    return exc, Outcome("upstream_error", http_status=exc.status)


async def chat_completions(request: Request) -> Response | SSEResponse:
    rt: Runtime = request.app.state.keepgate
    principal = require_principal(request)
    body = await read_json(request, rt.config.general_settings.max_body_bytes)
    check_counts(body, rt.config.general_settings)
    await acheck(body)
    deployment = rt.deployment(principal, body.get("model"))
    call = Call(
        principal=principal,
        route="chat.completions",
        model=body["model"],
        body=body,
        stream=bool(body.get("stream")),
    )
    call.deployment = deployment
    call.session = request.headers.get("x-keepgate-session")
    rt.metrics.in_flight.inc()
    try:
        stream = await rt.open_chat(call)
        # Prime a stream's first chunk so an early failure is still a proper HTTP error.
        first = await anext(stream, None) if call.stream else None
    except (GuardBlocked, APIError) as exc:
        err, outcome = _as_error(exc, call)
        await rt.settle(call, outcome)
        return err.response(rt.response_headers(call))
    except BaseException as exc:
        await rt.settle(call, Outcome.ended_by(exc))
        raise
    if call.stream:
        return _stream(rt, call, first, stream)
    return await _complete(rt, call, stream)


async def _complete(rt: Runtime, call: Call, stream: AsyncIterator[Chunk]) -> Response:
    """Assemble the answer, settle, then answer: so the headers carry the settled cost and
    budget (`x-keepgate-cost-usd`, `x-keepgate-budget-remaining-usd`)."""
    try:
        completion = await assemble(stream)
    except (GuardBlocked, APIError) as exc:
        err, outcome = _as_error(exc, call)
        await rt.settle(call, outcome)
        return err.response(rt.response_headers(call))
    except BaseException:
        await rt.settle(call, Outcome("cancelled", http_status=499))
        raise
    completion["model"] = call.model
    await rt.settle(call, Outcome("ok"))
    return Response(
        orjson.dumps(completion, default=str),
        media_type="application/json",
        headers=rt.response_headers(call),
    )


def _stream(
    rt: Runtime, call: Call, first: Chunk | None, stream: AsyncIterator[Chunk]
) -> Response | SSEResponse:
    include_usage = bool((call.body.get("stream_options") or {}).get("include_usage"))

    def shape(chunk: Chunk) -> Chunk | None:
        chunk["model"] = call.model
        if chunk.get("usage") and not include_usage:
            if not chunk.get("choices"):
                return None
            chunk = {k: v for k, v in chunk.items() if k != "usage"}
        elif include_usage and "usage" not in chunk:
            chunk["usage"] = None
        return chunk

    async def body() -> AsyncIterator[bytes]:
        outcome = Outcome("ok")
        try:
            if first is not None:
                shaped = shape(first)
                if shaped is not None:
                    yield encode(shaped)
            m = rt.metrics
            m.child(m.ttfb_seconds, call.route).observe(time.perf_counter() - call.started)
            async for chunk in stream:
                shaped = shape(chunk)
                if shaped is not None:
                    yield encode(shaped)
            yield b"data: [DONE]\n\n"
        except GuardBlocked as exc:
            err = blocked_error(exc, call)
            outcome = Outcome("blocked", http_status=err.status)
            yield encode(err.body())
            yield b"data: [DONE]\n\n"
        except APIError as exc:
            outcome = Outcome("upstream_error", http_status=exc.status)
            yield encode(exc.body())
            yield b"data: [DONE]\n\n"
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

    return SSEResponse(body(), rt.response_headers(call))
