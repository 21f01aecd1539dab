"""Red team round 5 (2026-12-07): an upstream whose answer has no end. The gateway read
every byte of it: a non-streaming client's answer is assembled before it is sent, so an
upstream streaming content (or tool-call arguments) without end filled the gateway's
memory; an embeddings body or an error page was read whole. Now one answer has
`general_settings.max_answer_bytes` (a 502 `upstream_too_large` past it; mid-stream a final
error event), and an error body is read only up to 64 KiB.

A hostile upstream (a real uvicorn server) answers by the request's last user message;
the official SDKs are the clients, over real HTTP. It sends a bounded flood (4 MiB), so
before the fix each call ended as a 200 carrying it all, and the tests fail rather than
hang."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import anthropic
import openai
import pytest
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from tests.conftest import Gateway
from tests.apis.hostile_upstream import chunk as sse_chunk
from tests.apis.hostile_upstream import deployments, last_user, serving

KEY = "sk-redteam5-upstream"
LIMIT = 1024 * 1024
FLOOD = 4 * LIMIT
PIECE = 32 * 1024


def _chunk(delta: dict[str, Any]) -> bytes:
    return sse_chunk(delta, "chatcmpl-flood")


async def _tiny(args: str) -> AsyncIterator[bytes]:
    """A tool call whose arguments come a character a delta."""
    yield _chunk({"role": "assistant"})
    first = {"index": 0, "id": "call_1", "type": "function"}
    yield _chunk({"tool_calls": [{**first, "function": {"name": "search", "arguments": ""}}]})
    for ch in args:
        yield _chunk({"tool_calls": [{"index": 0, "function": {"arguments": ch}}]})
    body = {"id": "chatcmpl-flood", "object": "chat.completion.chunk", "created": 1}
    body |= {"model": "m", "choices": [{"index": 0, "delta": {}, "finish_reason": "tool_calls"}]}
    yield b"data: " + json.dumps(body).encode() + b"\n\n"
    yield b"data: [DONE]\n\n"


async def _flood(kind: str) -> AsyncIterator[bytes]:
    sent = 0
    yield _chunk({"role": "assistant"})
    if kind == "args":
        first = {"index": 0, "id": "call_1", "type": "function"}
        yield _chunk({"tool_calls": [{**first, "function": {"name": "search", "arguments": ""}}]})
    while sent < FLOOD:
        text = "a" * PIECE
        if kind == "args":
            yield _chunk({"tool_calls": [{"index": 0, "function": {"arguments": text}}]})
        else:
            yield _chunk({"content": text})
        sent += PIECE
    yield b"data: [DONE]\n\n"


_last_user = last_user


async def _events(kind: str) -> AsyncIterator[bytes]:
    """Anthropic Messages events: one text block that never ends (4 MiB)."""
    start = {"type": "message_start", "message": {"id": "msg_1", "usage": {"input_tokens": 1}}}
    yield b"event: message_start\ndata: " + json.dumps(start).encode() + b"\n\n"
    block = {"type": "content_block_start", "index": 0, "content_block": {"type": "text"}}
    yield b"event: content_block_start\ndata: " + json.dumps(block).encode() + b"\n\n"
    sent = 0
    while sent < FLOOD:
        delta = {"type": "content_block_delta", "index": 0}
        delta["delta"] = {"type": "text_delta", "text": "a" * PIECE}  # type: ignore[assignment]
        yield b"event: content_block_delta\ndata: " + json.dumps(delta).encode() + b"\n\n"
        sent += PIECE
    yield b'event: message_stop\ndata: {"type": "message_stop"}\n\n'


async def chat(request: Request) -> Response:
    body = await request.json()
    kind = _last_user(body)
    if kind == "error-page":
        page = (b"<html>" + b"x" * PIECE) * (FLOOD // PIECE)
        return Response(page, status_code=500, media_type="text/html")
    if kind.startswith("tiny:"):
        return StreamingResponse(_tiny(kind[5:]), media_type="text/event-stream")
    return StreamingResponse(_flood(kind), media_type="text/event-stream")


async def messages(request: Request) -> Response:
    return StreamingResponse(_events("text"), media_type="text/event-stream")


async def embeddings(request: Request) -> Response:
    if (await request.json()).get("input") == "not-json":
        return Response(b"<html>busy</html>", media_type="application/json")
    vector = [0.5] * (FLOOD // 4)
    return JSONResponse({"object": "list", "data": [{"index": 0, "embedding": vector}]})


@pytest.fixture(scope="module")
def upstream() -> Iterator[str]:
    with serving(chat, messages, embeddings) as url:
        yield url


@pytest.fixture(scope="module")
def gw(module_gateway_factory: Any, upstream: str) -> Gateway:
    on = {"enabled": True}
    overrides = {
        "model_list": deployments("flood", upstream),
        "general_settings": {"max_answer_bytes": LIMIT, "num_retries": 0},
        "guards": {"pii": on, "policy": on, "limits": on},
        "keys": [{"key_id": "rt5", "key": KEY, "role": "user"}],
    }
    return module_gateway_factory(overrides, real_http=True)


TOOLS: Any = [{"type": "function", "function": {"name": "search", "parameters": {}}}]


@pytest.mark.parametrize("kind", ["content", "args"])
def test_an_endless_answer_to_a_non_streaming_client_is_a_502(gw: Gateway, kind: str) -> None:
    client = gw.client(KEY)
    with pytest.raises(openai.APIStatusError) as info:
        client.chat.completions.create(
            model="flood", messages=[{"role": "user", "content": kind}], tools=TOOLS
        )
    assert info.value.status_code == 502
    assert info.value.body["code"] == "upstream_too_large"  # type: ignore[index]


def test_an_endless_streamed_answer_ends_with_an_error_event(gw: Gateway) -> None:
    client = gw.client(KEY)
    got = 0
    with pytest.raises(openai.APIError) as info:
        for chunk in client.chat.completions.create(
            model="flood", messages=[{"role": "user", "content": "content"}], stream=True
        ):
            for choice in chunk.choices:
                got += len(choice.delta.content or "")
    assert "upstream answer larger than" in str(info.value)
    assert got <= LIMIT


def test_an_endless_messages_answer_is_a_502(gw: Gateway) -> None:
    client = anthropic.Anthropic(base_url=gw.url, api_key=KEY, max_retries=0)
    with pytest.raises(anthropic.APIStatusError) as info:
        client.messages.create(
            model="flood-claude", max_tokens=100, messages=[{"role": "user", "content": "hi"}]
        )
    assert info.value.status_code == 502
    assert "upstream_too_large" in json.dumps(info.value.body)


def test_a_huge_embeddings_body_is_a_502(gw: Gateway) -> None:
    client = gw.client(KEY)
    with pytest.raises(openai.APIStatusError) as info:
        client.embeddings.create(model="flood-embedding", input="hello")
    assert info.value.status_code == 502
    assert info.value.body["code"] == "upstream_too_large"  # type: ignore[index]


def test_a_huge_error_page_is_the_upstream_status_not_read_whole(gw: Gateway) -> None:
    """The status is what the client learns; the page is dropped, connection and all."""
    client = gw.client(KEY)
    with pytest.raises(openai.APIStatusError) as info:
        client.chat.completions.create(
            model="flood", messages=[{"role": "user", "content": "error-page"}]
        )
    assert info.value.status_code == 502
    assert info.value.body["code"] == "upstream_http_error"  # type: ignore[index]
    # The gateway still answers the next call on the same upstream.
    with pytest.raises(openai.APIStatusError) as again:
        client.chat.completions.create(
            model="flood", messages=[{"role": "user", "content": "content"}]
        )
    assert again.value.body["code"] == "upstream_too_large"  # type: ignore[index]


def test_an_embeddings_body_that_is_not_json_is_a_502_not_a_500(gw: Gateway) -> None:
    client = gw.client(KEY)
    with pytest.raises(openai.APIStatusError) as info:
        client.embeddings.create(model="flood-embedding", input="not-json")
    assert info.value.status_code == 502
    assert info.value.body["code"] == "upstream_malformed"  # type: ignore[index]


def test_assembling_reasoning_does_not_copy_the_text_at_every_delta() -> None:
    """A non-streaming client's answer is assembled delta by delta; reasoning arrives a
    token a delta (merge_deltas folds only content and arguments). `text = text + piece`
    held the old and the new text at once for every delta (quadratic copying on the event
    loop); pieces in a list, joined once, peak at the one final text."""
    import asyncio
    import tracemalloc

    from keepgate.pipeline.chunks import assemble

    piece = "r" * 1024
    count = 4096  # 4 MiB of reasoning

    async def chunks() -> AsyncIterator[dict[str, Any]]:
        for _ in range(count):
            yield {"id": "c", "choices": [{"index": 0, "delta": {"reasoning_content": piece}}]}

    tracemalloc.start()
    try:
        done = asyncio.run(assemble(chunks()))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    text = done["choices"][0]["message"]["reasoning_content"]
    assert len(text) == count * len(piece)
    assert peak < 1.5 * len(text)


def _peak_while(run: Any) -> tuple[Any, int]:
    import tracemalloc

    tracemalloc.start()
    try:
        out = run()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return out, peak


def test_assembling_tool_call_arguments_does_not_copy_them_at_every_delta() -> None:
    """Red team round 5b: tool-call arguments were assembled with `+=` (a subscript, so no
    in-place growth): an upstream sending one argument delta a read (merge_deltas folds only
    what one read holds) had every delta copy the arguments so far. Pieces in a list,
    joined once, peak at the one final text."""
    import asyncio

    from keepgate.pipeline.chunks import assemble

    piece = "a" * 1024
    count = 4096  # 4 MiB of arguments

    async def chunks() -> AsyncIterator[dict[str, Any]]:
        first = {"index": 0, "id": "call_1", "type": "function", "function": {"name": "f"}}
        yield {"id": "c", "choices": [{"index": 0, "delta": {"tool_calls": [first]}}]}
        for _ in range(count):
            tc = {"index": 0, "function": {"arguments": piece}}
            yield {"id": "c", "choices": [{"index": 0, "delta": {"tool_calls": [tc]}}]}

    done, peak = _peak_while(lambda: asyncio.run(assemble(chunks())))
    text = done["choices"][0]["message"]["tool_calls"][0]["function"]["arguments"]
    assert len(text) == count * len(piece)
    assert peak < 1.5 * len(text)


def test_the_held_call_check_joins_arguments_only_when_they_may_be_complete() -> None:
    """The PII guard holds a streamed call until its arguments are whole JSON, asking after
    every delta: it joined the arguments so far each time (quadratic). It joins them now
    only when they end in a closing bracket, and a read with nothing new joins nothing."""
    from keepgate.pipeline.chunks import ToolCallBuffer

    buf = ToolCallBuffer()
    key = (0, 0)
    piece = '{"q": "' + "a" * 1017
    count = 4096

    def feed() -> str:
        buf.add(0, {"index": 0, "id": "call_1", "function": {"name": "f"}})
        for n in range(count):
            buf.add(0, {"index": 0, "function": {"arguments": piece if n == 0 else "a" * 1024}})
            assert not buf.may_be_complete(key)
        buf.add(0, {"index": 0, "function": {"arguments": '"}  '}})
        assert buf.may_be_complete(key)
        first = buf.arguments(key)
        assert buf.arguments(key) is first  # nothing new: the same string, no copy
        return str(buf.pop(key)["function"]["arguments"])

    text, peak = _peak_while(feed)
    assert json.loads(text)["q"] == "a" * (1017 + 1024 * (count - 1))
    assert peak < 2.5 * len(text)  # the 4096 distinct pieces and their one join
    assert buf.calls == {} and buf.keys_for_choice(0) == []


def test_tool_call_arguments_in_tiny_deltas_pass_the_guards_whole(gw: Gateway) -> None:
    """The guards (PII, policy) and the assembly read the arguments whole: a call sent a
    character a delta reaches a streaming and a non-streaming client intact."""
    client = gw.client(KEY)
    args = json.dumps({"query": "weather in Paris " * 40})
    done = client.chat.completions.create(
        model="flood", messages=[{"role": "user", "content": "tiny:" + args}], tools=TOOLS
    )
    calls = done.choices[0].message.tool_calls or []
    assert [c.function.arguments for c in calls] == [args]  # type: ignore[union-attr]
    got = ""
    for chunk in client.chat.completions.create(
        model="flood",
        messages=[{"role": "user", "content": "tiny:" + args}],
        tools=TOOLS,
        stream=True,
    ):
        for choice in chunk.choices:
            for tc in choice.delta.tool_calls or ():
                got += (tc.function and tc.function.arguments) or ""
    assert got == args
