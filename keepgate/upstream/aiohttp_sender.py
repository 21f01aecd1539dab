"""The network `Sender`: aiohttp, one pooled session per event loop.

On this hot path aiohttp costs about half the CPU per request of httpx.

**A stale keep-alive connection is retried once, on a fresh one.** An upstream may close an
idle pooled connection at the moment we send a request on it (its keep-alive timeout and
our request cross on the wire). aiohttp drops a connection it already knows is closed, but
not one whose close is still in flight, and it retries only idempotent methods itself; our
calls are POSTs. Without a retry here that race is a 502 for a request the upstream never
answered (seen in the workers' test under load).

When is resending a POST right? RFC 9112 section 9.3.1 forbids retrying a non-idempotent
request automatically unless the client can tell the request was not applied. Go's
net/http retries exactly this case (a reused connection that ends before the first byte
of a response: `errServerClosedIdle`) when the request is replayable; urllib3 and httpcore
do not resend a POST, they only check a pooled connection before using it (as aiohttp
does). We resend when all of these hold, which is the keep-alive race's signature:

- the request went out on a **reused** connection (one that has carried a whole response),
  seen through aiohttp's tracing (`on_connection_reuseconn`);
- the connection ended **before any byte of a response**: the server closed it
  (`ServerDisconnectedError` with no partial response) or reset it (`ClientOSError`);
- it is the first attempt: the retry goes out on a new connection (a session that never
  pools), so a server that drops every request is asked at most twice, and a failure there
  is the caller's 502.

What a wrong guess costs: an upstream that read the request and then crashed without
answering is asked a second time, i.e. one more generation billed; these model calls have
no other side effect, and the gateway already resends them after any connection failure
when `general_settings.num_retries` > 0 (default 2), with backoff. The retry here is
immediate and separate from those: it is not a failure of the upstream, so it neither
waits nor uses up a retry.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable
from types import SimpleNamespace

import aiohttp

from keepgate.connections import LoopLocal
from keepgate.upstream.errors import timed_out, unreachable

#: How long to wait for an upstream to end its response after `[DONE]`.
DRAIN_TIMEOUT = 1.0
#: Bytes read after `[DONE]` (an empty chunk terminator is a few): more, and the
#: connection is dropped instead.
MAX_DRAIN = 64 * 1024

log = logging.getLogger("keepgate.upstream")


class AiohttpReply:
    def __init__(self, resp: aiohttp.ClientResponse) -> None:
        self.resp = resp
        self.status = resp.status

    async def chunks(self) -> AsyncIterator[bytes]:
        try:
            async for data in self.resp.content.iter_any():
                yield data
        except asyncio.TimeoutError:
            raise timed_out(mid_stream=True) from None
        except aiohttp.ClientError as exc:
            raise unreachable(exc, mid_stream=True) from None

    async def read(self) -> bytes:
        try:
            return await self.resp.read()
        except asyncio.TimeoutError:
            raise timed_out(mid_stream=True) from None
        except aiohttp.ClientError as exc:
            raise unreachable(exc, mid_stream=True) from None

    async def release(self, complete: bool) -> None:
        """Give the connection back to the pool, or drop it if the body was abandoned.

        After `[DONE]` the (empty) rest of the body is read first: a closed connection
        means a new TCP connection on the next call, which costs more than the call itself.
        At most `MAX_DRAIN` bytes of it (red team round 6: the rest was read whole, so an
        upstream flooding after `[DONE]` had the gateway hold all it sent in a second,
        past `max_answer_bytes`, which counts up to `[DONE]`).
        """
        resp = self.resp
        if complete and not resp.content.at_eof():
            try:
                async with asyncio.timeout(DRAIN_TIMEOUT):
                    left = MAX_DRAIN
                    while left > 0 and (data := await resp.content.readany()):
                        left -= len(data)
            except (asyncio.TimeoutError, aiohttp.ClientError):
                pass
        if resp.content.at_eof():
            resp.release()
        else:
            resp.close()  # abandoned mid-stream: dropping the connection stops the upstream


class _Attempt:
    """One request's trace context: whether aiohttp sent it on a pooled connection."""

    __slots__ = ("reused",)

    def __init__(self) -> None:
        self.reused = False


async def _on_reuse(
    session: aiohttp.ClientSession,
    ctx: SimpleNamespace,
    params: aiohttp.TraceConnectionReuseconnParams,
) -> None:
    attempt = ctx.trace_request_ctx
    if isinstance(attempt, _Attempt):
        attempt.reused = True


def _before_any_byte(exc: aiohttp.ClientError) -> bool:
    """The connection ended before any byte of a response: closed with no partial
    response head (aiohttp passes the partial head as the message), or reset."""
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        return exc.message is None or isinstance(exc.message, str)
    return type(exc) is aiohttp.ClientOSError


class AiohttpSender:
    def __init__(self, timeout: float) -> None:
        self._timeout = aiohttp.ClientTimeout(
            total=None, connect=min(10.0, timeout), sock_read=timeout
        )
        trace = aiohttp.TraceConfig()
        trace.on_connection_reuseconn.append(_on_reuse)
        self._traces = [trace]
        self._sessions = LoopLocal(self._pooled, aiohttp.ClientSession.close, _usable)
        #: For the stale-connection retry: a session whose connections are never reused.
        self._fresh = LoopLocal(self._unpooled, aiohttp.ClientSession.close, _usable)
        #: Requests resent after a stale pooled connection (tests and logs read it).
        self.stale_retries = 0

    async def _pooled(self) -> aiohttp.ClientSession:
        """One pooled session per event loop, made on first use (aiohttp needs a loop)."""
        return aiohttp.ClientSession(
            timeout=self._timeout,
            connector=aiohttp.TCPConnector(limit=1000, limit_per_host=0, ttl_dns_cache=300),
            trace_configs=self._traces,
        )

    async def _unpooled(self) -> aiohttp.ClientSession:
        return aiohttp.ClientSession(
            timeout=self._timeout,
            connector=aiohttp.TCPConnector(force_close=True, limit=0, ttl_dns_cache=300),
        )

    async def post(self, url: str, body: bytes, headers: dict[str, str]) -> AiohttpReply:
        attempt = _Attempt()
        session = await self._sessions.get()
        try:
            send = session.post(url, data=body, headers=headers, trace_request_ctx=attempt)
            return AiohttpReply(await send)
        except asyncio.TimeoutError:  # before ClientError: aiohttp's timeouts are both
            raise timed_out() from None
        except aiohttp.ClientError as exc:
            if not (attempt.reused and _before_any_byte(exc)):
                raise unreachable(exc) from None
            # The keep-alive race (see the module docstring): once more, on a new connection.
            self.stale_retries += 1
            log.info("upstream closed a pooled connection (%s): resending", type(exc).__name__)
        fresh = await self._fresh.get()
        return AiohttpReply(await _connect(fresh.post(url, data=body, headers=headers)))

    async def aclose(self) -> None:
        await self._sessions.aclose()
        await self._fresh.aclose()


def _usable(session: aiohttp.ClientSession) -> bool:
    return not session.closed


async def _connect(send: Awaitable[aiohttp.ClientResponse]) -> aiohttp.ClientResponse:
    """Await an upstream request, mapping transport failures to 504 / 502."""
    try:
        return await send
    except asyncio.TimeoutError:
        raise timed_out() from None
    except aiohttp.ClientError as exc:
        raise unreachable(exc) from None
