"""An SSE response that notices a client disconnect at once and cancels the upstream."""

from __future__ import annotations

from collections.abc import AsyncIterator

import anyio
import orjson
from starlette.types import Receive, Scope, Send

from keepgate.jsontypes import JsonObject


def encode(obj: JsonObject) -> bytes:
    """One SSE event. orjson: this runs once per streamed chunk (~6x faster than json)."""
    return b"data: " + orjson.dumps(obj, default=str) + b"\n\n"


class SSEResponse:
    """Streams `body` (bytes) while watching `receive` for `http.disconnect`.

    Starlette's StreamingResponse on ASGI 2.4 servers only learns of a disconnect when a write
    fails, i.e. at the next upstream chunk; an agent stuck on a slow model would keep
    spending until then. Here the watcher cancels the stream (and so the upstream) at once.
    """

    def __init__(self, body: AsyncIterator[bytes], headers: dict[str, str]) -> None:
        self.body = body
        self.headers = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
        self.headers += [
            (b"content-type", b"text/event-stream; charset=utf-8"),
            (b"cache-control", b"no-cache"),
            (b"x-accel-buffering", b"no"),
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": self.headers})
        async with anyio.create_task_group() as tg:

            async def watch() -> None:
                while (await receive())["type"] != "http.disconnect":
                    pass
                tg.cancel_scope.cancel()

            tg.start_soon(watch)
            try:
                async for data in self.body:
                    await send({"type": "http.response.body", "body": data, "more_body": True})
                await send({"type": "http.response.body", "body": b"", "more_body": False})
            except OSError:
                pass
            finally:
                tg.cancel_scope.cancel()
                with anyio.CancelScope(shield=True):
                    aclose = getattr(self.body, "aclose", None)
                    if aclose:
                        await aclose()
