"""The fake model's Responses (`/v1/responses`) and Messages (`/v1/messages`) endpoints.

Scripted exactly like chat completions, by the request's `fake` object (reply, tool_calls,
chunk_chars, delay_ms, error, malformed, usage, turns): the request is read into the
chat-like message list the script counts turns on, and the answer is written in the route's
own events. Written independently of the gateway's adapters, so a test through a native
upstream checks the gateway's reading of these formats against a second implementation.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from keepgate.fake_model.script import Script, count_tokens, parse_script, prompt_tokens

_PAUSE = object()
STATS = {"responses": 0, "messages": 0, "native_streams_cancelled": 0}


def _text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    out = []
    for block in content or ():
        if isinstance(block, dict):
            for key in ("text", "output", "content"):
                if isinstance(block.get(key), str):
                    out.append(block[key])
                    break
    return "".join(out)


def _split(text: str, size: int) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)] or [""]


def _event(name: str, payload: dict[str, Any]) -> bytes:
    payload["type"] = name
    return b"event: " + name.encode() + b"\ndata: " + orjson.dumps(payload) + b"\n\n"


async def _paced(parts: Iterator[bytes | object], delay_ms: float) -> AsyncIterator[bytes]:
    """What is ready goes out in one write; a scripted delay comes before each piece."""
    burst: list[bytes] = []
    try:
        for part in parts:
            if part is _PAUSE:
                if burst:
                    yield b"".join(burst)
                    burst.clear()
                await asyncio.sleep(delay_ms / 1000)
            else:
                burst.append(part)  # type: ignore[arg-type]
        if burst:
            yield b"".join(burst)
    except (asyncio.CancelledError, GeneratorExit):
        STATS["native_streams_cancelled"] += 1
        raise


async def _body(request: Request) -> dict[str, Any] | None:
    try:
        body = json.loads(await request.body())
    except json.JSONDecodeError:
        return None
    return body if isinstance(body, dict) else None


def _usage(script: Script, msgs: list[dict[str, Any]]) -> tuple[int, int]:
    """(prompt, completion) tokens; a script's `usage` uses chat's names, as on chat. A
    scripted count past 64 bits stays a float (orjson writes no bigger integer)."""
    scripted = script.usage or {}
    prompt = scripted.get("prompt_tokens", prompt_tokens({"messages": msgs}))
    completion = scripted.get(
        "completion_tokens",
        count_tokens(script.reply or "")
        + sum(count_tokens(tc["name"] + tc["arguments"]) for tc in script.tool_calls),
    )
    return _int(prompt), _int(completion)


def _int(value: float) -> int:
    return int(value) if abs(value) < 2**63 else value  # type: ignore[return-value]


# -- Responses ---------------------------------------------------------------------------------


def responses_messages(body: dict[str, Any]) -> list[dict[str, Any]]:
    msgs: list[dict[str, Any]] = []
    if isinstance(body.get("instructions"), str):
        msgs.append({"role": "system", "content": body["instructions"]})
    inp = body.get("input")
    if isinstance(inp, str):
        return msgs + [{"role": "user", "content": inp}]
    for item in inp or ():
        kind = item.get("type") or "message"
        if kind == "message":
            msgs.append({"role": item.get("role"), "content": _text_of(item.get("content"))})
        elif kind == "function_call":
            if not (msgs and msgs[-1].get("calls")):
                msgs.append({"role": "assistant", "content": "", "calls": True})
        elif kind == "function_call_output":
            msgs.append({"role": "tool", "content": _text_of(item.get("output"))})
    return msgs


def _response(
    model: str,
    rid: str,
    output: list[dict[str, Any]],
    usage: dict[str, int],
    status: str = "completed",
) -> dict[str, Any]:
    return {
        "id": rid,
        "object": "response",
        "created_at": int(time.time()),
        "status": status,
        "model": model,
        "output": output,
        "error": None,
        "incomplete_details": None,
        "usage": usage,
        "parallel_tool_calls": True,
        "tool_choice": "auto",
        "tools": [],
    }


def _responses_output(script: Script) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if script.reply:
        out.append(
            {
                "id": "msg_fake",
                "type": "message",
                "role": "assistant",
                "status": "completed",
                "content": [{"type": "output_text", "text": script.reply, "annotations": []}],
            }
        )
    for i, tc in enumerate(script.tool_calls):
        out.append(
            {
                "id": f"fc_fake_{i}",
                "type": "function_call",
                "status": "completed",
                "call_id": tc["id"],
                "name": tc["name"],
                "arguments": tc["arguments"],
            }
        )
    return out


def _responses_events(
    model: str, rid: str, script: Script, usage: dict[str, int]
) -> Iterator[bytes | object]:
    pause = script.delay_ms > 0
    yield _event(
        "response.created",
        {"sequence_number": 0, "response": _response(model, rid, [], None, "in_progress")},  # type: ignore[arg-type]
    )
    if script.malformed:
        yield b'event: response.output_text.delta\ndata: {"type": "response.out\n\n'
        return
    index = 0
    if script.reply:
        yield _event(
            "response.output_item.added",
            {
                "output_index": 0,
                "item": {
                    "id": "msg_fake",
                    "type": "message",
                    "role": "assistant",
                    "status": "in_progress",
                    "content": [],
                },
            },
        )
        yield _event(
            "response.content_part.added",
            {
                "item_id": "msg_fake",
                "output_index": 0,
                "content_index": 0,
                "part": {"type": "output_text", "text": ""},
            },
        )
        for piece in _split(script.reply, script.chunk_chars):
            if pause:
                yield _PAUSE
            yield _event(
                "response.output_text.delta",
                {"item_id": "msg_fake", "output_index": 0, "content_index": 0, "delta": piece},
            )
        yield _event(
            "response.output_item.done", {"output_index": 0, "item": _responses_output(script)[0]}
        )
        index = 1
    for i, tc in enumerate(script.tool_calls):
        item = {
            "id": f"fc_fake_{i}",
            "type": "function_call",
            "status": "in_progress",
            "call_id": tc["id"],
            "name": tc["name"],
            "arguments": "",
        }
        if pause:
            yield _PAUSE
        yield _event("response.output_item.added", {"output_index": index + i, "item": item})
        for piece in _split(tc["arguments"], script.chunk_chars):
            if pause:
                yield _PAUSE
            yield _event(
                "response.function_call_arguments.delta",
                {"item_id": item["id"], "output_index": index + i, "delta": piece},
            )
        yield _event(
            "response.output_item.done",
            {
                "output_index": index + i,
                "item": {**item, "status": "completed", "arguments": tc["arguments"]},
            },
        )
    yield _event(
        "response.completed", {"response": _response(model, rid, _responses_output(script), usage)}
    )


async def responses(request: Request) -> Response:
    body = await _body(request)
    if body is None or "input" not in body:
        return JSONResponse(
            {"error": {"message": "input is required", "type": "fake_error"}}, status_code=400
        )
    STATS["responses"] += 1
    msgs = responses_messages(body)
    script = parse_script({"fake": body.get("fake"), "messages": msgs})
    if script.error:
        return JSONResponse(
            {"error": {"message": f"scripted error {script.error}", "type": "fake_error"}},
            status_code=int(script.error),
        )
    prompt, completion = _usage(script, msgs)
    usage = {
        "input_tokens": prompt,
        "output_tokens": completion,
        "total_tokens": prompt + completion,
    }
    rid = "resp_fake_" + uuid.uuid4().hex[:12]
    model = body.get("model", "fake")
    if body.get("stream"):
        return StreamingResponse(
            _paced(_responses_events(model, rid, script, usage), script.delay_ms),
            media_type="text/event-stream",
        )
    return JSONResponse(_response(model, rid, _responses_output(script), usage))


# -- Messages ----------------------------------------------------------------------------------


def anthropic_messages(body: dict[str, Any]) -> list[dict[str, Any]]:
    msgs: list[dict[str, Any]] = []
    system = body.get("system")
    if system:
        msgs.append({"role": "system", "content": _text_of(system)})
    for m in body.get("messages") or ():
        content = m.get("content")
        if isinstance(content, list) and any(
            isinstance(b, dict) and b.get("type") == "tool_result" for b in content
        ):
            msgs.append(
                {
                    "role": "tool",
                    "content": _text_of([b.get("content") for b in content if isinstance(b, dict)]),
                }
            )
            continue
        msgs.append({"role": m.get("role"), "content": _text_of(content)})
    return msgs


def _anthropic_message(
    model: str, mid: str, script: Script, usage: dict[str, int]
) -> dict[str, Any]:
    content: list[dict[str, Any]] = []
    if script.reply:
        content.append({"type": "text", "text": script.reply})
    for tc in script.tool_calls:
        content.append(
            {
                "type": "tool_use",
                "id": tc["id"],
                "name": tc["name"],
                "input": json.loads(tc["arguments"] or "{}"),
            }
        )
    return {
        "id": mid,
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": content,
        "stop_reason": "tool_use" if script.tool_calls else "end_turn",
        "stop_sequence": None,
        "usage": usage,
    }


def _messages_events(
    model: str, mid: str, script: Script, usage: dict[str, int]
) -> Iterator[bytes | object]:
    pause = script.delay_ms > 0
    start = _anthropic_message(
        model, mid, script, {"input_tokens": usage["input_tokens"], "output_tokens": 1}
    )
    start["content"], start["stop_reason"] = [], None
    yield _event("message_start", {"message": start})
    if script.malformed:
        yield b'event: content_block_start\ndata: {"type": "content_bl\n\n'
        return
    index = 0
    if script.reply:
        yield _event(
            "content_block_start", {"index": 0, "content_block": {"type": "text", "text": ""}}
        )
        yield _event("ping", {})
        for piece in _split(script.reply, script.chunk_chars):
            if pause:
                yield _PAUSE
            yield _event(
                "content_block_delta", {"index": 0, "delta": {"type": "text_delta", "text": piece}}
            )
        yield _event("content_block_stop", {"index": 0})
        index = 1
    for i, tc in enumerate(script.tool_calls):
        if pause:
            yield _PAUSE
        yield _event(
            "content_block_start",
            {
                "index": index + i,
                "content_block": {
                    "type": "tool_use",
                    "id": tc["id"],
                    "name": tc["name"],
                    "input": {},
                },
            },
        )
        for piece in _split(tc["arguments"], script.chunk_chars):
            if pause:
                yield _PAUSE
            yield _event(
                "content_block_delta",
                {"index": index + i, "delta": {"type": "input_json_delta", "partial_json": piece}},
            )
        yield _event("content_block_stop", {"index": index + i})
    yield _event(
        "message_delta",
        {
            "delta": {
                "stop_reason": "tool_use" if script.tool_calls else "end_turn",
                "stop_sequence": None,
            },
            "usage": {"output_tokens": usage["output_tokens"]},
        },
    )
    yield _event("message_stop", {})


async def messages(request: Request) -> Response:
    body = await _body(request)
    if body is None or not isinstance(body.get("messages"), list) or "max_tokens" not in body:
        return JSONResponse(
            {
                "type": "error",
                "error": {
                    "type": "invalid_request_error",
                    "message": "messages and max_tokens are required",
                },
            },
            status_code=400,
        )
    STATS["messages"] += 1
    msgs = anthropic_messages(body)
    script = parse_script({"fake": body.get("fake"), "messages": msgs})
    if script.error:
        return JSONResponse(
            {
                "type": "error",
                "error": {"type": "api_error", "message": f"scripted error {script.error}"},
            },
            status_code=int(script.error),
        )
    prompt, completion = _usage(script, msgs)
    usage = {"input_tokens": prompt, "output_tokens": completion}
    mid = "msg_fake_" + uuid.uuid4().hex[:12]
    model = body.get("model", "fake")
    if body.get("stream"):
        return StreamingResponse(
            _paced(_messages_events(model, mid, script, usage), script.delay_ms),
            media_type="text/event-stream",
        )
    return JSONResponse(_anthropic_message(model, mid, script, usage))
