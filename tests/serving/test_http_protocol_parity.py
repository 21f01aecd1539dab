"""`BoundedHttpToolsProtocol` writes uvicorn's `on_url`/`on_header` inline (a dozen parser
callbacks per request, each a `super()` call before): what reaches the app must stay what
uvicorn's own protocol hands it. Both protocols parse the same requests — fed whole and a
byte at a time, so the parser splits URLs and header fields across callbacks — and the
scopes (and the `Expect: 100-continue` flag) are compared. Fails when a uvicorn upgrade
changes its callbacks and the inline copy is not updated."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

from keepgate.serving.http import BoundedHttpToolsProtocol

REQUESTS = [
    b"GET /mcp/demo?x=1&y=%20 HTTP/1.1\r\nHost: a\r\n\r\n",
    b"POST /v1/chat/completions HTTP/1.1\r\nHost: a\r\nContent-Type:  application/json \t\r\n"
    b"X-Mixed-CASE: Value\r\nAuthorization: Bearer sk-1\r\nContent-Length: 2\r\n\r\n{}",
    b"POST /mcp HTTP/1.1\r\nHost: a\r\nEXPECT: 100-Continue  \r\nContent-Length: 2\r\n\r\n{}",
    b"POST /mcp HTTP/1.1\r\nHost: a\r\nExpect: 100-continue-not\r\nContent-Length: 0\r\n\r\n",
    b"GET /%7Euser/p%61th HTTP/1.1\r\nHost: a\r\nX-Empty:\r\nX-Dup: 1\r\nX-Dup: 2\r\n\r\n",
]


class _Transport(asyncio.Transport):
    def __init__(self) -> None:
        super().__init__()
        self.out = bytearray()
        self.closed = False

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"peername": ("127.0.0.1", 5), "sockname": ("127.0.0.1", 4000)}.get(name, default)

    def write(self, data: Any) -> None:
        self.out += data

    def close(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass


async def _parse(cls: type[Any], raw: bytes, step: int) -> tuple[dict[str, Any], bool]:
    got: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()

    async def app(scope: Any, receive: Any, send: Any) -> None:
        if not got.done():
            got.set_result(dict(scope))
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    config = uvicorn.Config(app, log_level="warning", lifespan="off", proxy_headers=False)
    proto = cls(config=config, server_state=ServerState(), app_state={})
    proto.connection_made(_Transport())
    for i in range(0, len(raw), step):
        proto.data_received(raw[i : i + step])
    scope = await got
    expect = proto.expect_100_continue
    proto.connection_lost(None)
    return scope, expect


def _seen(scope: dict[str, Any]) -> dict[str, Any]:
    keys = ("method", "path", "raw_path", "query_string", "headers", "http_version")
    return {k: scope.get(k) for k in keys}


@pytest.mark.parametrize("raw", REQUESTS)
@pytest.mark.parametrize("step", [1, 7, 10_000])
def test_the_app_sees_what_uvicorns_protocol_hands_it(raw: bytes, step: int) -> None:
    async def both() -> None:
        theirs, their_expect = await _parse(HttpToolsProtocol, raw, step)
        ours, our_expect = await _parse(BoundedHttpToolsProtocol, raw, step)
        assert _seen(ours) == _seen(theirs)
        assert our_expect == their_expect

    asyncio.run(both())


def test_the_requests_exercise_what_the_inline_copy_does() -> None:
    """The cases above reach every branch of the copied callbacks."""

    async def check() -> None:
        scope, expect = await _parse(BoundedHttpToolsProtocol, REQUESTS[2], 1)
        assert expect is True
        assert (b"expect", b"100-Continue") in scope["headers"]
        scope, _ = await _parse(BoundedHttpToolsProtocol, REQUESTS[1], 1)
        assert (b"content-type", b"application/json") in scope["headers"]
        assert (b"x-mixed-case", b"Value") in scope["headers"]

    asyncio.run(check())
