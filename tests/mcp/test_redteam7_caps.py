"""Red team 7: `max_answer_bytes` on the SDK client's HTTP answers bounds memory.

* A legacy-SSE event that ended inside a read was not counted up to its end: only what
  followed the read's last blank line was, so an event passed the cap by up to one read
  (here a 1.5x-the-cap event in two reads passed).
* The cap counted the wire: httpx2 asks for gzip and decodes after the hook's count, so a
  gzip body of zeros within the cap held ~1000x the cap in memory. Now the clients ask for
  `identity`, a gzip/deflate answer is decoded inside the cap, and one in an encoding not
  asked for is refused.

A real HTTP server (uvicorn) sends the bodies; the real hooks (`capped`, `event_capped`)
sit on real httpx2 clients as `Upstream` builds them.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import AsyncIterator, Iterator

import httpx2
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from keepgate.mcp.upstream import IDENTITY, TOO_LARGE, capped, event_capped
from tests.servers import ThreadServer

LIMIT = 64 * 1024
#: One event of 1.5x the cap in two reads; the second also starts a small next event.
EVENT = [b"data: " + b"a" * (LIMIT - 100), b"a" * (LIMIT // 2) + b"\n\ndata: x"]
SEEN: list[str] = []


async def event(request: Request) -> Response:
    async def body() -> AsyncIterator[bytes]:
        for part in EVENT:
            yield part

    return StreamingResponse(body(), media_type="text/event-stream")


async def events_under(request: Request) -> Response:
    """Many events under the cap that add up past it, ends split across reads."""

    async def body() -> AsyncIterator[bytes]:
        one = b"data: " + b"b" * (LIMIT - 64)
        for _ in range(4):
            yield one + b"\r\n"
            yield b"\r\n"

    return StreamingResponse(body(), media_type="text/event-stream")


def bomb(coding: str) -> Response:
    raw = b"0" * (LIMIT * 200)
    body = gzip.compress(raw) if coding == "gzip" else zlib.compress(raw)
    assert len(body) < LIMIT  # within the cap on the wire
    return Response(body, media_type="application/json", headers={"content-encoding": coding})


async def gzipped(request: Request) -> Response:
    SEEN.append(request.headers.get("accept-encoding", ""))
    return bomb("gzip")


async def deflated(request: Request) -> Response:
    return bomb("deflate")


async def small_gzip(request: Request) -> Response:
    return Response(
        gzip.compress(b'{"ok": true}'),
        media_type="application/json",
        headers={"content-encoding": "gzip"},
    )


async def brotli(request: Request) -> Response:
    return Response(b"xx", media_type="application/json", headers={"content-encoding": "br"})


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    routes = [
        Route("/event", event),
        Route("/events", events_under),
        Route("/gzip", gzipped),
        Route("/deflate", deflated),
        Route("/small", small_gzip),
        Route("/br", brotli),
    ]
    server = ThreadServer(Starlette(routes=routes)).start()
    yield server.url
    server.stop()


def client(hook) -> httpx2.AsyncClient:  # type: ignore[no-untyped-def]
    return httpx2.AsyncClient(headers=IDENTITY, event_hooks={"response": [hook(LIMIT)]})


async def read(c: httpx2.AsyncClient, url: str) -> bytes:
    async with c.stream("GET", url) as r:
        return b"".join([b async for b in r.aiter_bytes()])


async def test_an_event_past_the_cap_is_cut_even_when_a_read_ends_it(url: str) -> None:
    async with client(event_capped) as c:
        with pytest.raises(httpx2.StreamError, match=TOO_LARGE):
            await read(c, url + "/event")


async def test_events_under_the_cap_pass_whatever_their_sum(url: str) -> None:
    async with client(event_capped) as c:
        assert len(await read(c, url + "/events")) > 3 * LIMIT


@pytest.mark.parametrize("hook", [capped, event_capped])
@pytest.mark.parametrize("path", ["/gzip", "/deflate"])
async def test_a_compressed_answer_is_capped_decoded(url: str, hook, path: str) -> None:  # type: ignore[no-untyped-def]
    async with client(hook) as c:
        with pytest.raises(httpx2.StreamError, match=TOO_LARGE):
            await read(c, url + path)
    assert SEEN == [] or set(SEEN) == {"identity"}


async def test_a_small_compressed_answer_is_read(url: str) -> None:
    async with client(capped) as c:
        assert await read(c, url + "/small") == b'{"ok": true}'


async def test_an_encoding_not_asked_for_is_refused(url: str) -> None:
    async with client(capped) as c:
        with pytest.raises(httpx2.DecodingError, match="not asked for"):
            await read(c, url + "/br")
