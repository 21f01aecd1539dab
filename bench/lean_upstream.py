"""A model upstream that costs next to nothing: one canned streamed chat answer.

    python -m bench.lean_upstream PORT

For throughput benchmarks on a small box, where the fake model (a Starlette app that
parses each request and builds its answer) would take a share of the cores the gateway is
measured on. This is raw asyncio with httptools: it answers every POST with the same
pre-built `text/event-stream` body (role, one content chunk, finish, usage, `[DONE]`) over
keep-alive connections, and every GET (readiness) with an empty model list.
"""

from __future__ import annotations

import asyncio
import json
import sys

import httptools

REPLY = "The release moves to Friday; notes summarised in three points."


def _sse() -> bytes:
    base = {"id": "chatcmpl-lean", "object": "chat.completion.chunk", "created": 1, "model": "demo"}
    chunks = [
        {
            **base,
            "choices": [
                {"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}
            ],
        },
        {**base, "choices": [{"index": 0, "delta": {"content": REPLY}, "finish_reason": None}]},
        {**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]},
        {
            **base,
            "choices": [],
            "usage": {"prompt_tokens": 40, "completion_tokens": 12, "total_tokens": 52},
        },
    ]
    return (
        b"".join(b"data: " + json.dumps(c).encode() + b"\n\n" for c in chunks) + b"data: [DONE]\n\n"
    )


def _response(content_type: str, body: bytes) -> bytes:
    return (
        f"HTTP/1.1 200 OK\r\ncontent-type: {content_type}\r\ncontent-length: {len(body)}\r\n\r\n"
    ).encode() + body


CHAT = _response("text/event-stream", _sse())
MODELS = _response("application/json", b'{"object":"list","data":[]}')


class _Conn(asyncio.Protocol):
    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpRequestParser(self)

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError:
            if self.transport is not None:
                self.transport.close()

    def on_message_complete(self) -> None:
        assert self.transport is not None
        self.transport.write(CHAT if self.parser.get_method() == b"POST" else MODELS)


async def serve(port: int) -> None:
    server = await asyncio.get_running_loop().create_server(_Conn, "127.0.0.1", port, backlog=1024)
    async with server:
        await server.serve_forever()


def main(argv: list[str]) -> None:
    try:
        import uvloop

        uvloop.run(serve(int(argv[1])))
    except ImportError:
        asyncio.run(serve(int(argv[1])))


if __name__ == "__main__":
    main(sys.argv)
