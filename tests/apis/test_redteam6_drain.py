"""Red team round 6 (2026-12-07): after `[DONE]` the gateway read the rest of an upstream's
body whole (for up to a second) so the connection could be pooled. An upstream that kept
sending after `[DONE]` had the gateway hold everything it sent in that second, past
`max_answer_bytes` (which counts the answer up to `[DONE]`). Now at most 64 KiB are read
after it; past that the connection is dropped.

The upstream is a real uvicorn server; the gateway's own network sender reads it. What the
gateway took off the socket is read from aiohttp's stream counter (bytes fed to it), not
from time: without the bound it took the whole flood."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from keepgate.upstream.aiohttp_sender import MAX_DRAIN, AiohttpSender
from keepgate.upstream.sse import iter_sse_batches
from tests.apis.hostile_upstream import chunk, serving

pytestmark = pytest.mark.asyncio(loop_scope="session")

FLOOD = 16 * 1024 * 1024
PIECE = 64 * 1024


async def _answer(after: int) -> AsyncIterator[bytes]:
    yield chunk({"role": "assistant", "content": "ok"}, "chatcmpl-drain")
    yield b"data: [DONE]\n\n"
    for _ in range(after // PIECE):
        yield b": " + b"x" * (PIECE - 3) + b"\n"


async def chat(request: Request) -> Response:
    after = FLOOD if (await request.body()) == b"flood" else 0
    return StreamingResponse(_answer(after), media_type="text/event-stream")


async def unused(request: Request) -> Response:
    return Response(status_code=404)


@pytest.fixture(scope="module")
def upstream() -> Iterator[str]:
    with serving(chat, unused, unused) as url:
        yield url


async def _read_to_done(sender: AiohttpSender, url: str, body: bytes) -> int:
    """One answer read to `[DONE]` and released as complete; the bytes aiohttp took."""
    reply = await sender.post(url + "/chat/completions", body, {})
    events = [e async for batch in iter_sse_batches(reply.chunks()) for e in batch]
    assert events[0]["choices"][0]["delta"]["content"] == "ok"
    await reply.release(True)
    return int(reply.resp.content.total_bytes)


async def test_a_flood_after_done_is_not_read_whole(upstream: str) -> None:
    sender = AiohttpSender(60)
    try:
        took = await _read_to_done(sender, upstream, b"flood")
    finally:
        await sender.aclose()
    # The answer, what aiohttp reads ahead (its buffer's high-water mark) and MAX_DRAIN.
    assert took < 4 * MAX_DRAIN + 1024 * 1024, took
    assert took < FLOOD // 4


async def test_a_clean_end_after_done_still_pools_the_connection(upstream: str) -> None:
    sender = AiohttpSender(60)
    try:
        for _ in range(3):
            await _read_to_done(sender, upstream, b"clean")
        session = await sender._sessions.get()
        assert session.connector is not None
        # One connection served all three answers (a dropped one would be a new each time).
        assert sum(len(v) for v in session.connector._conns.values()) == 1
    finally:
        await sender.aclose()
