"""Serve an ASGI app to httpx clients in-process: no uvicorn, no socket, no HTTP parsing.

`AppHost(app)` runs the app (and its lifespan) on an event loop in a background thread,
as uvicorn in a thread would, and hands out httpx transports for it: `sync_transport()`
for `httpx.Client` (the sync SDK clients) and `async_transport()` for `httpx.AsyncClient`
(the async ones, on any other loop). Bodies stream chunk by chunk, and closing a response
early disconnects the app's request, like a client closing its socket.

Why not `httpx.ASGITransport`: it is async only, buffers the whole body and runs no
lifespan. Tests that need real sockets (keep-alive, workers, disconnect timing) use the
`real_http` marker instead (tests/conftest.py).
"""

from __future__ import annotations

import asyncio
import functools
import threading
from collections.abc import AsyncIterator, Coroutine, Iterator
from concurrent.futures import Future
from typing import Any, TypeVar

import httpx
from starlette.types import ASGIApp

from keepgate.upstream.asgi import AsgiExchange

T = TypeVar("T")
BASE_URL = "http://testserver"


class AppHost:
    """An ASGI app with its lifespan started, on a loop of its own in a daemon thread."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True, name="asgi-host")
        self._lifespan: _Lifespan | None = None

    def start(self) -> AppHost:
        self._thread.start()
        self._lifespan = _Lifespan(self.app)
        self.run(self._lifespan.startup())
        return self

    def stop(self) -> None:
        if self._lifespan is not None:
            self.run(self._lifespan.shutdown())
            self._lifespan = None
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=30)
        if not self._thread.is_alive():
            self.loop.close()

    def submit(self, coro: Coroutine[Any, Any, T]) -> Future[T]:
        return asyncio.run_coroutine_threadsafe(coro, self.loop)

    def run(self, coro: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        """Run `coro` on the app's loop and wait for it (from any other thread); after
        `timeout` s it is cancelled and `TimeoutError` raised."""
        future = self.submit(coro)
        try:
            return future.result(timeout)
        except TimeoutError:
            future.cancel()
            raise

    async def arun(self, coro: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        """Run `coro` on the app's loop and await it from another loop (at most `timeout` s)."""
        future = self.submit(coro)
        try:
            return await asyncio.wait_for(asyncio.wrap_future(future), timeout)
        except TimeoutError:
            future.cancel()
            raise

    def sync_transport(self, lib: Any = httpx) -> Any:
        """A transport for `lib.Client`; `lib` is `httpx`, or `httpx2` (the anthropic SDK's)."""
        return _bridges(lib)[0](self)

    def async_transport(self, lib: Any = httpx) -> Any:
        return _bridges(lib)[1](self)


def _exchange(host: AppHost, request: Any, body: bytes) -> AsgiExchange:
    url = request.url
    return AsgiExchange(
        host.app,
        request.method,
        url.path,
        query=url.query,
        headers=[(k.lower(), v) for k, v in request.headers.raw],
        body=body,
        host=(url.host, url.port or 80),
    )


def _read_timeout(request: Any) -> float | None:
    """The client's read timeout for `request` (httpx puts it in the extensions): an app
    that never answers fails the test with the client's `ReadTimeout`, as over a socket,
    instead of stalling the worker for good."""
    return (request.extensions.get("timeout") or {}).get("read")


@functools.cache
def _bridges(lib: Any) -> tuple[type, type]:
    """The sync and async transport classes for an httpx-like library (made once each)."""

    class SyncStream(lib.SyncByteStream):  # type: ignore[misc, name-defined]
        def __init__(self, host: AppHost, exchange: AsgiExchange, timeout: float | None) -> None:
            self.host, self.exchange, self.timeout = host, exchange, timeout

        def __iter__(self) -> Iterator[bytes]:
            while chunk := self._read():
                yield chunk

        def _read(self) -> bytes:
            try:
                return self.host.run(self.exchange.read(), self.timeout)
            except TimeoutError:
                raise lib.ReadTimeout("the in-process app sent nothing in time") from None

        def close(self) -> None:
            self.host.run(self.exchange.aclose())

    class SyncTransport(lib.BaseTransport):  # type: ignore[misc, name-defined]
        def __init__(self, host: AppHost) -> None:
            self.host = host

        def handle_request(self, request: Any) -> Any:
            exchange = _exchange(self.host, request, request.read())
            timeout = _read_timeout(request)
            try:
                status, headers = self.host.run(exchange.start(), timeout)
            except TimeoutError:
                self.host.submit(exchange.aclose())  # the client is gone (not waited for)
                raise lib.ReadTimeout("the in-process app did not answer in time") from None
            stream = SyncStream(self.host, exchange, timeout)
            return lib.Response(status, headers=headers, stream=stream)

    class AsyncStream(lib.AsyncByteStream):  # type: ignore[misc, name-defined]
        def __init__(self, host: AppHost, exchange: AsgiExchange, timeout: float | None) -> None:
            self.host, self.exchange, self.timeout = host, exchange, timeout

        async def __aiter__(self) -> AsyncIterator[bytes]:
            while chunk := await self._read():
                yield chunk

        async def _read(self) -> bytes:
            try:
                return await self.host.arun(self.exchange.read(), self.timeout)
            except TimeoutError:
                raise lib.ReadTimeout("the in-process app sent nothing in time") from None

        async def aclose(self) -> None:
            await self.host.arun(self.exchange.aclose())

    class AsyncTransport(lib.AsyncBaseTransport):  # type: ignore[misc, name-defined]
        def __init__(self, host: AppHost) -> None:
            self.host = host

        async def handle_async_request(self, request: Any) -> Any:
            exchange = _exchange(self.host, request, await request.aread())
            timeout = _read_timeout(request)
            try:
                status, headers = await self.host.arun(exchange.start(), timeout)
            except TimeoutError:
                self.host.submit(exchange.aclose())
                raise lib.ReadTimeout("the in-process app did not answer in time") from None
            stream = AsyncStream(self.host, exchange, timeout)
            return lib.Response(status, headers=headers, stream=stream)

    return SyncTransport, AsyncTransport


class _Lifespan:
    """The ASGI lifespan protocol: startup before the first request, shutdown at stop."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._outbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        try:
            await self.app(
                {"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}},
                self._inbox.get,
                self._outbox.put,
            )
        except BaseException as exc:
            await self._outbox.put({"type": "lifespan.crashed", "message": repr(exc)})
            raise

    async def _step(self, message: str) -> None:
        await self._inbox.put({"type": f"lifespan.{message}"})
        reply = await self._outbox.get()
        if reply["type"] != f"lifespan.{message}.complete":
            raise RuntimeError(f"lifespan {message} failed: {reply.get('message')}")

    async def startup(self) -> None:
        self._task = asyncio.create_task(self._run())
        await self._step("startup")

    async def shutdown(self) -> None:
        await self._step("shutdown")
        if self._task is not None:
            await self._task
