"""One upstream MCP server, reached with the official SDK's `Client` (HTTP, SSE or stdio).

A connection is opened on first use and kept by a background task that owns the SDK's
task groups; callers share it (JSON-RPC multiplexes requests). A transport failure drops
the connection, and the next request opens a new one, so a server that restarts is
picked up again. Every request has a deadline (`timeout_s`): a server that stops
answering is an `UpstreamError`, never a hang.

`tools/call` on a Streamable HTTP connection that negotiated the per-request protocol
(2026-07-28) takes the fast lane (`keepgate.mcp.wire`: one pooled keep-alive POST, no SDK
client machinery); everything else, and every call when `fast_calls: false`, goes
through the SDK client. A lane failure drops the connection like an SDK one.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import re
import ssl
import time
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

import anyio
import httpx2
import mcp_types as types
from mcp_types.jsonrpc import CONNECTION_CLOSED
from mcp import Client, MCPError
from mcp.client.sse import sse_client
from mcp.client.stdio import StdioServerParameters
from mcp.client.streamable_http import streamable_http_client

from keepgate.mcp.settings import McpServerSettings
from keepgate.mcp.stdio import BoundedStdio
from keepgate.mcp.wire import HttpLane, LaneError
from keepgate.pipeline.verdict import Verdict

log = logging.getLogger("keepgate.mcp")
#: Pages of tools/list read from one upstream before it counts as misbehaving.
MAX_PAGES = 50


class UpstreamError(Exception):
    """The upstream could not answer: `kind` is unreachable | timeout | closed | protocol."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message

    def verdict(self, server: str) -> Verdict:
        """How the audit records this failure (`mcp.upstream_<kind>`)."""
        return Verdict(
            "mcp",
            "error",
            rule=f"mcp.upstream_{self.kind}",
            reason=self.message[:300],
            detail={"server": server},
        )


@functools.cache
def tls_context() -> ssl.SSLContext:
    """The default TLS context (certifi's CAs), made once per process: building one costs
    ~28 ms of CPU, which every (re)connect paid. Contexts are safe to share between clients,
    and nothing changes this one after it is made."""
    return httpx2.create_ssl_context()


#: What `capped` says when it cuts an answer (the SDK client reports it inside a
#: JSON-RPC parse error, where `_request` finds it).
TOO_LARGE = "keepgate: answer larger than max_answer_bytes"


class AnswerTooLarge(httpx2.StreamError):
    def __init__(self) -> None:
        super().__init__(TOO_LARGE)


class _CappedStream(httpx2.AsyncByteStream):
    """A body cut once it passes `limit` bytes, counted as the SDK will read them: after
    the upstream's `Content-Encoding` is undone (`_Inflated`), so the cap bounds memory,
    not the wire (a 64 MiB gzip body of zeros is 64 GiB read)."""

    def __init__(self, inner: httpx2.AsyncByteStream, limit: int) -> None:
        self.inner = inner
        self.limit = limit

    async def __aiter__(self) -> AsyncIterator[bytes]:
        size = 0
        async for chunk in self.inner:
            size += len(chunk)
            if size > self.limit:
                raise AnswerTooLarge()
            yield chunk

    async def aclose(self) -> None:
        await self.inner.aclose()


#: Blank lines that end an event of a `text/event-stream` (the SSE spec's line ends).
_EVENT_END = re.compile(rb"\r\n\r\n|\n\n|\r\r|\n\r\n|\r\n\n")


class _EventCappedStream(_CappedStream):
    """A held-open event stream (legacy SSE: one response carries every answer of the
    session) cut once one event passes `limit` bytes: each event is counted, from the end
    of the one before to its blank line, whichever reads it spans (a read that ended an
    event and began the next counted only the next: an event could pass the cap by a
    whole read). A stream that never sends one is cut at `limit` in all, like a body."""

    async def __aiter__(self) -> AsyncIterator[bytes]:
        run = 0  # bytes of the event still open
        tail = b""  # the last bytes of the previous read: a blank line may straddle reads
        async for chunk in self.inner:
            probe = tail + chunk
            done = len(tail)  # probe[:done] was counted already
            for m in _EVENT_END.finditer(probe):
                if m.end() <= done:
                    continue  # found and counted with the previous read
                run += m.end() - done
                if run > self.limit:
                    raise AnswerTooLarge()
                run, done = 0, m.end()
            run += len(probe) - done
            if run > self.limit:
                raise AnswerTooLarge()
            tail = chunk[-3:]
            yield chunk


class _Inflated(httpx2.AsyncByteStream):
    """A `gzip`/`deflate` body decoded here, at most `limit + 1` bytes out at a time and in
    all, so the caps above count what the SDK will hold. Other encodings (asked for by no
    request: the clients send `Accept-Encoding: identity`) are refused."""

    def __init__(self, inner: httpx2.AsyncByteStream, encoding: str, limit: int) -> None:
        self.inner = inner
        self.limit = limit
        # gzip, or zlib-wrapped deflate (a raw deflate stream is refused as corrupt)
        self.codec = zlib.decompressobj(
            16 + zlib.MAX_WBITS if encoding == "gzip" else zlib.MAX_WBITS
        )

    async def __aiter__(self) -> AsyncIterator[bytes]:
        out = 0
        async for chunk in self.inner:
            data = chunk
            while data:
                try:
                    piece = self.codec.decompress(data, self.limit + 1 - out)
                except zlib.error as exc:
                    raise httpx2.DecodingError(f"keepgate: undecodable answer ({exc})") from exc
                out += len(piece)
                if out > self.limit:
                    raise AnswerTooLarge()
                data = self.codec.unconsumed_tail
                if piece:
                    yield piece

    async def aclose(self) -> None:
        await self.inner.aclose()


def _decoded(response: httpx2.Response, limit: int) -> httpx2.AsyncByteStream:
    """The response's byte stream with its content coding undone here (`_Inflated`), the
    header dropped so httpx2 does not decode it again."""
    stream = response.stream
    assert isinstance(stream, httpx2.AsyncByteStream)
    codings = [
        c.strip().lower()
        for c in response.headers.get("content-encoding", "").split(",")
        if c.strip() and c.strip().lower() != "identity"
    ]
    if not codings:
        return stream
    if len(codings) > 1 or codings[0] not in ("gzip", "x-gzip", "deflate"):
        raise httpx2.DecodingError(
            f"keepgate: answer in Content-Encoding {codings!r}, which was not asked for"
        )
    del response.headers["content-encoding"]
    return _Inflated(stream, "gzip" if "gzip" in codings[0] else "deflate", limit)


#: Asked of every upstream (the SDK clients' default asks for gzip): a body is read as sent.
IDENTITY = {"Accept-Encoding": "identity"}


def event_capped(limit: int) -> Callable[[httpx2.Response], Awaitable[None]]:
    """`capped` for the legacy SSE transport: its GET stream is cut per event
    (`_EventCappedStream`), every other body (a POST's `Accepted`) whole (red team round
    6: the SDK's SSE client had no cap, so one event of any size was held in memory)."""

    async def hook(response: httpx2.Response) -> None:
        if isinstance(response.stream, httpx2.AsyncByteStream):
            kind = response.headers.get("content-type", "")
            wrap = _EventCappedStream if kind.startswith("text/event-stream") else _CappedStream
            response.stream = wrap(_decoded(response, limit), limit)

    return hook


def capped(limit: int) -> Callable[[httpx2.Response], Awaitable[None]]:
    """A response hook for the SDK client's HTTP client that cuts every body at `limit`
    bytes: the SDK reads a JSON answer whole (its event streams are capped per event only),
    so a tools/list or tools/call answer of any size was held in memory (red team round
    5). A hook, not a transport: a client given a transport ignores the proxy variables."""

    async def hook(response: httpx2.Response) -> None:
        if isinstance(response.stream, httpx2.AsyncByteStream):
            response.stream = _CappedStream(_decoded(response, limit), limit)

    return hook


class Upstream:
    def __init__(
        self, name: str, settings: McpServerSettings, list_timer: Any = None, call_timer: Any = None
    ) -> None:
        self.name = name
        self.settings = settings
        #: Histogram children (`.observe(seconds)`) for the requests really sent upstream.
        self._timers = {"tools/list": list_timer, "tools/call": call_timer}
        #: Set at start-up for the built-in demo server (its port is picked then).
        self.url = settings.url
        self._client: Client | None = None
        self._task: asyncio.Task[None] | None = None
        self._closing: asyncio.Event | None = None
        self._lock: asyncio.Lock | None = None
        self._tools: list[types.Tool] | None = None
        self._tools_at = 0.0
        self._lane: HttpLane | None = None
        #: The lane is bound to the current connection's protocol version.
        self._lane_on = False
        #: The current stdio connection (its `over` says a line passed `max_answer_bytes`).
        self.stdio: BoundedStdio | None = None
        #: The deadline of a call on the lane, given `timeout_s` (a seam: a test expires a
        #: call when it chooses instead of waiting the timeout out).
        self.lane_deadline: Callable[[float], AbstractAsyncContextManager[object]] = asyncio.timeout

    def _client_info(self) -> types.Implementation:
        from keepgate import __version__

        return types.Implementation(name="keepgate", version=__version__)

    # -- the connection ------------------------------------------------------------------

    def _transport(self) -> Any:
        s = self.settings
        if s.kind == "stdio":
            params = StdioServerParameters(
                command=s.command or "", args=list(s.args), env=s.resolved_env() or None, cwd=s.cwd
            )
            self.stdio = BoundedStdio(params, s.max_answer_bytes)
            return self.stdio()
        headers = s.resolved_headers()
        timeout = s.timeout_s
        if s.kind == "sse":

            def client_factory(
                headers: dict[str, str] | None = None,
                timeout: httpx2.Timeout | None = None,
                auth: httpx2.Auth | None = None,
            ) -> httpx2.AsyncClient:
                # mcp's create_mcp_http_client, with the answer cap as a response hook.
                return httpx2.AsyncClient(
                    headers={**(headers or {}), **IDENTITY},
                    timeout=timeout,
                    auth=auth,
                    verify=tls_context(),
                    event_hooks={"response": [event_capped(s.max_answer_bytes)]},
                )

            return sse_client(
                self.url or "",
                headers=headers or None,
                timeout=timeout,
                sse_read_timeout=max(timeout, 300.0),
                httpx_client_factory=client_factory,
            )

        # What mcp's own (private) client factory builds: redirects off (the transport follows
        # them within the origin itself), a long read timeout for held-open streams.
        http = httpx2.AsyncClient(
            headers={**(headers or {}), **IDENTITY},
            timeout=httpx2.Timeout(timeout, read=max(timeout, 300.0)),
            verify=tls_context(),
            event_hooks={"response": [capped(s.max_answer_bytes)]},
        )
        return streamable_http_client(self.url or "", http_client=http)

    async def _connect(self) -> Client:
        if self._client is not None and self._task is not None and not self._task.done():
            return self._client
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            if self._client is not None and self._task is not None and not self._task.done():
                return self._client
            ready: asyncio.Future[Client] = asyncio.get_running_loop().create_future()
            self._closing = asyncio.Event()
            self._task = asyncio.get_running_loop().create_task(
                self._hold(ready, self._closing), name=f"mcp-upstream:{self.name}"
            )
            try:
                async with asyncio.timeout(self.settings.timeout_s):
                    self._client = await asyncio.shield(ready)
            except TimeoutError:
                self._drop()
                raise UpstreamError(
                    "timeout",
                    f"MCP server '{self.name}' did not complete the "
                    f"connection within {self.settings.timeout_s:g}s",
                ) from None
            return self._client

    async def _hold(self, ready: asyncio.Future[Client], closing: asyncio.Event) -> None:
        """Own the SDK client's context (its task groups live in this task) until closed."""
        try:
            async with Client(
                self._transport(),
                cache=None,
                client_info=self._client_info(),
                read_timeout_seconds=self.settings.timeout_s,
            ) as client:
                self._bind_lane(client.protocol_version)
                if not ready.done():
                    ready.set_result(client)
                await closing.wait()
        except BaseException as exc:  # reported to whoever waits
            if not ready.done():
                ready.set_exception(_as_upstream_error(self.name, exc))
            if not isinstance(exc, (Exception, asyncio.CancelledError)):
                raise
        finally:
            self._client = None

    def _bind_lane(self, version: str | None) -> None:
        if self.settings.kind != "streamable_http" or not self.settings.fast_calls:
            return
        if self._lane is None:
            self._lane = HttpLane(
                self.url or "",
                self.settings.resolved_headers(),
                self._client_info().model_dump(by_alias=True, mode="json", exclude_none=True),
            )
        self._lane.url = self.url or ""
        self._lane.max_bytes = self.settings.max_answer_bytes
        self._lane_on = self._lane.bind(version)

    def _drop(self) -> None:
        """Forget the connection; its task ends in the background."""
        self._client = None
        self._lane_on = False
        if self._closing is not None:
            self._closing.set()
        task, self._task = self._task, None
        if task is not None and not task.done():
            task.cancel()

    async def aclose(self) -> None:
        task = self._task
        self._drop()
        if task is not None:
            with contextlib.suppress(BaseException):
                await asyncio.wait_for(task, 5)
        if self._lane is not None:
            await self._lane.aclose()

    # -- requests ------------------------------------------------------------------------

    async def _request(self, what: str, fn: Any) -> Any:
        client = await self._connect()
        stdio = self.stdio
        t0 = time.perf_counter()
        try:
            if what == "tools/call" and self._lane_on:
                # The lane's POST is plain asyncio: a loop timer is its deadline (anyio's
                # cancel scope, which the SDK client's task groups need, costs more).
                async with self.lane_deadline(self.settings.timeout_s):
                    return await fn(client)
            with anyio.fail_after(self.settings.timeout_s):
                return await fn(client)
        except MCPError as exc:
            # `capped` cut the answer, or the stdio reader a line (and ended the connection)
            if TOO_LARGE in exc.message or (stdio is not None and stdio.over):
                self._drop()
                raise UpstreamError(
                    "protocol",
                    f"MCP server '{self.name}' answered {what} with more than "
                    f"{self.settings.max_answer_bytes} bytes",
                ) from None
            if exc.code == CONNECTION_CLOSED:  # the transport ended under the request
                self._drop()
                raise UpstreamError(
                    "closed", f"MCP server '{self.name}' closed the connection during {what}"
                ) from None
            raise  # the server answered with a JSON-RPC error: the connection is fine
        except TimeoutError:
            self._drop()
            raise UpstreamError(
                "timeout",
                f"MCP server '{self.name}' did not answer {what} "
                f"within {self.settings.timeout_s:g}s",
            ) from None
        except Exception as exc:  # noqa: BLE001 - transport failure: reconnect next time
            self._drop()
            raise _as_upstream_error(self.name, exc) from None
        finally:
            timer = self._timers.get(what)
            if timer is not None:
                timer.observe(time.perf_counter() - t0)

    @property
    def cached_tools(self) -> list[types.Tool]:
        """The last listing (empty before the first), without a request."""
        return self._tools or []

    async def list_tools(self, *, refresh: bool = False) -> list[types.Tool]:
        """Every tool of the upstream (all pages), reused for `list_ttl_s` seconds."""
        ttl = self.settings.list_ttl_s
        if not refresh and self._tools is not None and time.monotonic() - self._tools_at < ttl:
            return self._tools

        async def walk(client: Client) -> list[types.Tool]:
            tools: list[types.Tool] = []
            cursor: str | None = None
            for _ in range(MAX_PAGES):
                page = await client.session.list_tools(
                    params=types.PaginatedRequestParams(cursor=cursor)
                )
                tools.extend(page.tools)
                if len(tools) > self.settings.max_tools:
                    raise UpstreamError(
                        "protocol",
                        f"MCP server '{self.name}' listed more than "
                        f"{self.settings.max_tools} tools (mcp_servers.{self.name}.max_tools)",
                    )
                cursor = page.next_cursor
                if not cursor:
                    return tools
            raise UpstreamError(
                "protocol", f"MCP server '{self.name}' paginated tools/list past {MAX_PAGES} pages"
            )

        self._tools = await self._request("tools/list", walk)
        self._tools_at = time.monotonic()
        return self._tools

    async def call_tool(
        self, name: str, arguments: dict[str, Any], schema: Any = None
    ) -> types.CallToolResult:
        """One call; `schema` (the tool's listed input schema) names its `Mcp-Param-*`
        headers on the fast lane."""

        async def call(client: Client) -> types.CallToolResult:
            lane = self._lane
            if lane is not None and self._lane_on:
                result: Any = await lane.call_tool(name, arguments, schema)
            else:
                result = await client.session.call_tool(name, arguments, allow_input_required=True)
            if isinstance(result, types.InputRequiredResult):
                raise UpstreamError(
                    "protocol",
                    f"MCP server '{self.name}' asked the client for "
                    "input (elicitation/sampling), which Keepgate does not "
                    "relay",
                )
            assert isinstance(result, types.CallToolResult)
            return result

        result: types.CallToolResult = await self._request("tools/call", call)
        return result


def _as_upstream_error(name: str, exc: BaseException) -> UpstreamError:
    if isinstance(exc, UpstreamError):
        return exc
    if isinstance(exc, LaneError):
        return UpstreamError(
            exc.kind,
            f"MCP server '{name}' is unavailable ({exc.message})"
            if exc.kind != "protocol"
            else f"MCP server '{name}' answered outside the protocol ({exc.message})",
        )
    if isinstance(exc, BaseExceptionGroup):
        inner = exc.exceptions[0] if exc.exceptions else exc
        return _as_upstream_error(name, inner)
    kind = (
        "closed"
        if isinstance(
            exc, (anyio.ClosedResourceError, anyio.BrokenResourceError, anyio.EndOfStream, EOFError)
        )
        else "unreachable"
    )
    return UpstreamError(kind, f"MCP server '{name}' is unavailable ({type(exc).__name__})")
