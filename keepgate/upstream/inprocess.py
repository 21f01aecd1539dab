"""An ASGI app as the upstream, served in-process (the built-in fake model, the tests).

The OpenAI wire protocol still runs in full (`HttpTransport`); only the socket is gone.
The URL's path picks the route; its scheme and host are ignored. A read that waits longer
than `timeout` fails as a network read would (504). With `only`, just the URLs under that
prefix go to the app and the rest to `fallback` (the network).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from urllib.parse import urlsplit

from starlette.types import ASGIApp

from keepgate.upstream.asgi import AsgiExchange
from keepgate.upstream.errors import UpstreamError, timed_out, unreachable
from keepgate.upstream.http import HttpTransport
from keepgate.upstream.protocol import Reply, Sender


class AsgiReply:
    def __init__(self, exchange: AsgiExchange, status: int, timeout: float | None) -> None:
        self.exchange = exchange
        self.status = status
        self._timeout = timeout

    async def _read(self) -> bytes:
        try:
            return await asyncio.wait_for(self.exchange.read(), self._timeout)
        except asyncio.TimeoutError:
            raise timed_out(mid_stream=True) from None

    async def chunks(self) -> AsyncIterator[bytes]:
        try:
            while chunk := await self._read():
                yield chunk
        except UpstreamError:
            raise
        except Exception as exc:  # the app crashed mid-body: a broken stream
            raise unreachable(exc, mid_stream=True) from exc

    async def read(self) -> bytes:
        parts = [chunk async for chunk in self.chunks()]
        return b"".join(parts)

    async def release(self, complete: bool) -> None:
        await self.exchange.aclose()


class AsgiSender:
    """Sends each request to `app` on the caller's event loop."""

    def __init__(
        self,
        app: ASGIApp,
        timeout: float | None = None,
        *,
        only: str | None = None,
        fallback: Sender | None = None,
    ) -> None:
        self.app = app
        self.timeout = timeout
        self.only = only.rstrip("/") if only else None
        self.fallback = fallback

    async def post(self, url: str, body: bytes, headers: dict[str, str]) -> Reply:
        if self.only and not (url == self.only or url.startswith(self.only + "/")):
            if self.fallback is None:
                raise unreachable(LookupError(url))
            return await self.fallback.post(url, body, headers)
        parts = urlsplit(url)
        host = parts.hostname or "upstream"
        exchange = AsgiExchange(
            self.app,
            "POST",
            parts.path or "/",
            query=parts.query.encode(),
            body=body,
            headers=[
                (b"host", host.encode()),
                (b"content-length", str(len(body)).encode()),
                *((k.lower().encode(), v.encode()) for k, v in headers.items()),
            ],
            host=(host, parts.port or 80),
        )
        try:
            status, _ = await asyncio.wait_for(exchange.start(), self.timeout)
        except asyncio.TimeoutError:
            await exchange.aclose()
            raise timed_out() from None
        return AsgiReply(exchange, status, self.timeout)

    async def aclose(self) -> None:
        if self.fallback is not None:
            await self.fallback.aclose()


def in_process(
    app: ASGIApp,
    timeout: float | None = None,
    *,
    only: str | None = None,
    fallback: Sender | None = None,
) -> HttpTransport:
    """The OpenAI wire protocol to `app`, without a socket (see `AsgiSender`)."""
    return HttpTransport(AsgiSender(app, timeout, only=only, fallback=fallback))
