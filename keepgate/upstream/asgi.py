"""One HTTP request to an ASGI app, served in-process: no socket, no HTTP parsing.

Why: the built-in fake model and the test harness call an ASGI app directly. The app runs
as a task on the caller's loop and its body streams back chunk by chunk, like a socket
would deliver it; closing the exchange early tells the app the client went away (as a
server does: `receive()` says `http.disconnect`, later sends are dropped) and then waits for the
app to finish, so whatever it does after the last byte (audit, spend) is done when
`aclose()` returns.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from starlette.types import ASGIApp, Message

Headers = list[tuple[bytes, bytes]]
_END = "keepgate.asgi.end"
#: An app that ignores the disconnect is cancelled after this long (a safety net only).
CLOSE_GRACE_S = 30.0


class AsgiExchange:
    """`start()` sends the request and returns the status and headers; `read()` returns the
    next body chunk (b"" at the end); `aclose()` disconnects and stops the app's task."""

    def __init__(
        self,
        app: ASGIApp,
        method: str,
        path: str,
        *,
        query: bytes = b"",
        headers: Headers = (),  # type: ignore[assignment]
        body: bytes = b"",
        host: tuple[str, int] = ("testserver", 80),
        client: tuple[str, int] = ("127.0.0.1", 50000),
    ) -> None:
        self.scope: dict[str, Any] = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": method,
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": query,
            "root_path": "",
            "headers": list(headers),
            "server": host,
            "client": client,
        }
        self._app = app
        self._body = body
        self._body_sent = False
        self._disconnected = asyncio.Event()
        # Unbounded: a send never waits, so an app told of a disconnect can always finish.
        self._queue: asyncio.Queue[Message] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self._ended = False

    async def _receive(self) -> Message:
        if not self._body_sent:
            self._body_sent = True
            return {"type": "http.request", "body": self._body, "more_body": False}
        await self._disconnected.wait()
        return {"type": "http.disconnect"}

    async def _send(self, message: Message) -> None:
        if not self._disconnected.is_set():  # after it, dropped (as uvicorn does)
            await self._queue.put(message)

    async def _run(self) -> None:
        try:
            await self._app(self.scope, self._receive, self._send)
        except Exception as exc:  # noqa: BLE001 - handed to the reader, who raises it
            await self._queue.put({"type": _END, "error": exc})
        else:
            await self._queue.put({"type": _END, "error": None})

    async def _next(self) -> Message:
        message = await self._queue.get()
        if message["type"] == _END:
            self._ended = True
            if message["error"] is not None:
                raise message["error"]
        return message

    async def start(self) -> tuple[int, Headers]:
        self._task = asyncio.create_task(self._run())
        message = await self._next()
        if message["type"] != "http.response.start":
            raise RuntimeError("the ASGI app ended without sending a response")
        return int(message["status"]), list(message.get("headers") or [])

    async def read(self) -> bytes:
        """The next non-empty body chunk, or b"" once the body is complete."""
        while not self._ended:
            message = await self._next()
            if message["type"] != "http.response.body":
                continue
            chunk = bytes(message.get("body") or b"")
            if not message.get("more_body", False):
                self._ended = True
            if chunk:
                return chunk
        return b""

    async def read_all(self) -> bytes:
        parts = []
        while chunk := await self.read():
            parts.append(chunk)
        return b"".join(parts)

    @property
    def complete(self) -> bool:
        return self._ended

    async def aclose(self) -> None:
        """Tell the app the client is gone and wait for its task to finish."""
        self._disconnected.set()
        task = self._task
        if task is None or task.done():
            return
        await asyncio.wait({task}, timeout=CLOSE_GRACE_S)
        if not task.done():
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
