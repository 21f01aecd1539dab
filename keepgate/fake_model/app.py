"""The fake model's HTTP surface: chat completions (JSON and SSE), embeddings, models, and
the Responses and Messages APIs (fake_model/native.py).

Every case a test or benchmark needs is scripted per request with a `fake` object in the
body, so no state lives in the server.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import struct
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from keepgate.fake_model import native
from keepgate.fake_model.script import Script, count_tokens, parse_script, prompt_tokens


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse(
        {"error": {"message": message, "type": "fake_error", "code": status, "param": None}},
        status_code=status,
    )


def _split(text: str, size: int) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)] or [""]


def _usage(body: dict[str, Any], script: Script) -> dict[str, float]:
    completion = count_tokens(script.reply or "") + sum(
        count_tokens(tc["name"] + tc["arguments"]) for tc in script.tool_calls
    )
    usage: dict[str, float] = {
        "prompt_tokens": prompt_tokens(body),
        "completion_tokens": completion,
    }
    usage.update(script.usage or {})
    usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]
    return usage


def _message(body: dict[str, Any], script: Script, model: str, cid: str) -> dict[str, Any]:
    msg: dict[str, Any] = {"role": "assistant", "content": script.reply if script.reply else None}
    if script.tool_calls:
        msg["tool_calls"] = [
            {
                "id": tc["id"],
                "type": "function",
                "function": {"name": tc["name"], "arguments": tc["arguments"]},
            }
            for tc in script.tool_calls
        ]
    answer: dict[str, Any] = {
        "id": cid,
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": msg,
                "logprobs": None,
                "finish_reason": "tool_calls" if script.tool_calls else "stop",
            }
        ],
    }
    if not script.omit_usage:
        answer["usage"] = _usage(body, script)
    return answer


#: Stream counters, so tests can see that a client disconnect reached the upstream.
STATS = {"streams_started": 0, "streams_completed": 0, "streams_cancelled": 0}


async def _sse(body: dict[str, Any], script: Script, model: str, cid: str) -> AsyncIterator[bytes]:
    """The answer's SSE events; what is ready at once goes out in one write.

    A scripted `delay_ms` comes before each content or tool-call piece, so each then
    arrives on its own; without one the whole answer is ready at once and is sent in one
    write (a write per event would make this fake, not the gateway, the slow part of a
    benchmark: ~10 µs per event)."""
    STATS["streams_started"] += 1
    try:
        burst: list[bytes] = []
        for part in _sse_parts(body, script, model, cid):
            if part is _PAUSE:
                if burst:
                    yield b"".join(burst)
                    burst.clear()
                await asyncio.sleep(script.delay_ms / 1000)
            else:
                burst.append(part)  # type: ignore[arg-type]
        if burst:
            yield b"".join(burst)
        STATS["streams_completed"] += 1
    except (asyncio.CancelledError, GeneratorExit):
        STATS["streams_cancelled"] += 1
        raise


_PAUSE = object()


def _sse_parts(
    body: dict[str, Any], script: Script, model: str, cid: str
) -> Iterator[bytes | object]:
    """The events in order, with `_PAUSE` where a scripted delay goes."""
    created = int(time.time())
    pause = script.delay_ms > 0

    def chunk(delta: dict[str, Any], finish: str | None = None) -> bytes:
        c = {
            "id": cid,
            "object": "chat.completion.chunk",
            "created": created,
            "model": model,
            "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}],
        }
        return b"data: " + orjson.dumps(c) + b"\n\n"

    yield chunk({"role": "assistant", "content": ""})
    if script.malformed:
        yield b'data: {"id": "broken", "choices": [\n\n'
        return
    for piece in _split(script.reply or "", script.chunk_chars) if script.reply else ():
        if pause:
            yield _PAUSE
        yield chunk({"content": piece})
    for i, tc in enumerate(script.tool_calls):
        if pause:
            yield _PAUSE
        yield chunk(
            {
                "tool_calls": [
                    {
                        "index": i,
                        "id": tc["id"],
                        "type": "function",
                        "function": {"name": tc["name"], "arguments": ""},
                    }
                ]
            }
        )
        for piece in _split(tc["arguments"], script.chunk_chars):
            if pause:
                yield _PAUSE
            yield chunk({"tool_calls": [{"index": i, "function": {"arguments": piece}}]})
    for extra in script.extra:
        c = {
            "id": cid,
            "object": "chat.completion.chunk",
            "created": created,
            "model": model,
            "choices": [{"index": 0, "finish_reason": None, **extra}],
        }
        yield b"data: " + orjson.dumps(c) + b"\n\n"
    for event in script.raw:
        yield b"data: " + orjson.dumps(event) + b"\n\n"
    yield chunk({}, "tool_calls" if script.tool_calls else "stop")
    if (body.get("stream_options") or {}).get("include_usage") and not script.omit_usage:
        u = {
            "id": cid,
            "object": "chat.completion.chunk",
            "created": created,
            "model": model,
            "choices": [],
            "usage": _usage(body, script),
        }
        yield b"data: " + orjson.dumps(u) + b"\n\n"
    yield b"data: [DONE]\n\n"


async def chat_completions(request: Request) -> Response:
    try:
        body = json.loads(await request.body())
    except json.JSONDecodeError:
        return _error(400, "invalid JSON")
    if not isinstance(body, dict) or not isinstance(body.get("messages"), list):
        return _error(400, "messages is required")
    script = parse_script(body)
    if script.error:
        return _error(int(script.error), f"scripted error {script.error}")
    model = body.get("model", "fake")
    cid = "chatcmpl-fake-" + uuid.uuid4().hex[:12]
    if body.get("stream"):
        return StreamingResponse(_sse(body, script, model, cid), media_type="text/event-stream")
    if script.delay_ms:
        await asyncio.sleep(script.delay_ms / 1000)
    return JSONResponse(_message(body, script, model, cid))


def _vector(text: str, dims: int) -> list[float]:
    """A deterministic pseudo-embedding: same text, same vector."""
    out: list[float] = []
    seed = text.encode()
    counter = 0
    while len(out) < dims:
        digest = hashlib.sha256(seed + counter.to_bytes(4, "little")).digest()
        out.extend((v / 2**31) - 1.0 for v in struct.unpack("<8I", digest))
        counter += 1
    return out[:dims]


async def embeddings(request: Request) -> Response:
    try:
        body = json.loads(await request.body())
    except json.JSONDecodeError:
        return _error(400, "invalid JSON")
    inputs = body.get("input")
    if isinstance(inputs, str):
        inputs = [inputs]
    if not isinstance(inputs, list) or not inputs:
        return _error(400, "input is required")
    dims = int(body.get("dimensions") or 8)
    data = [
        {"object": "embedding", "index": i, "embedding": _vector(str(t), dims)}
        for i, t in enumerate(inputs)
    ]
    tokens = sum(count_tokens(str(t)) for t in inputs)
    return JSONResponse(
        {
            "object": "list",
            "data": data,
            "model": body.get("model", "fake"),
            "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
        }
    )


async def models(request: Request) -> Response:
    return JSONResponse(
        {
            "object": "list",
            "data": [{"id": "fake", "object": "model", "created": 0, "owned_by": "keepgate"}],
        }
    )


async def health(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def stats(request: Request) -> Response:
    return JSONResponse({**STATS, **native.STATS})


def create_fake_app() -> Starlette:
    return Starlette(
        routes=[
            Route("/v1/chat/completions", chat_completions, methods=["POST"]),
            Route("/chat/completions", chat_completions, methods=["POST"]),
            Route("/v1/embeddings", embeddings, methods=["POST"]),
            Route("/embeddings", embeddings, methods=["POST"]),
            Route("/v1/responses", native.responses, methods=["POST"]),
            Route("/responses", native.responses, methods=["POST"]),
            Route("/v1/messages", native.messages, methods=["POST"]),
            Route("/v1/models", models),
            Route("/healthz", health),
            Route("/_fake/stats", stats),
        ]
    )
