"""Keep-alive HTTP/1.1 POSTs to one origin: asyncio transports and the `httptools` parser.

Why: the MCP lane sends one small JSON POST per `tools/call` and reads one answer. An
aiohttp request builds a request object, header multidicts, timers and a payload writer
and reads through a stream reader — about 0.3 ms of CPU per call on the development box,
a third of what the gateway adds to a call. Here a request is one `write` (head and body
together: the upstream wakes once) and the answer is parsed by the C parser uvicorn uses
(chunked bodies, keep-alive rules). Only what the lane needs: POST, a fixed origin (no
redirects, no cookies, no proxy — with a proxy configured the lane keeps aiohttp), a
body limit, and a streaming hook for event-stream answers.

Connections are reused last-in first-out and closed after `idle_s` unused, before common
servers close theirs (uvicorn, Node: 5 s), so a POST never goes out on a connection the
server is closing at that moment: a POST is never retried (a tool call may have effects).
"""

from __future__ import annotations

import asyncio
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httptools


#: Headers the client writes itself (a configured one would contradict them).
_OWN = frozenset(("host", "content-length", "transfer-encoding", "connection"))


class H1Error(Exception):
    """The exchange failed below HTTP semantics: `kind` is unreachable | closed | protocol."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


@dataclass
class Answer:
    status: int
    #: Lower-cased names; the last value of a repeated header.
    headers: dict[str, str]
    body: bytes
    #: What `on_body` returned when it ended the read early (event streams).
    early: Any = None


#: Given an answer's status and headers, a function to read its body chunk by chunk (a
#: non-None return ends the read), or None to collect the body whole.
Stream = Callable[[int, dict[str, str]], Callable[[bytes], Any] | None]


@dataclass
class _Exchange:
    limit: int
    stream: Stream | None
    done: asyncio.Future[Answer]
    on_body: Callable[[bytes], Any] | None = None
    status: int = 0
    headers: dict[str, str] = field(default_factory=dict)
    chunks: list[bytes] = field(default_factory=list)
    size: int = 0
    name: bytes = b""


class _Conn(asyncio.Protocol):
    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpResponseParser(self)
        self.x: _Exchange | None = None
        self.usable = True
        self.idle_since = 0.0

    # -- transport events ----------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment] # uvloop's is not a subclass

    def connection_lost(self, exc: Exception | None) -> None:
        self.usable = False
        x = self.x
        if (
            x is not None
            and x.status
            and not x.done.done()
            and "content-length" not in x.headers
            and "transfer-encoding" not in x.headers
        ):
            # An answer without a length ends where the connection does.
            self.x = None
            x.done.set_result(Answer(x.status, x.headers, b"".join(x.chunks)))
            return
        self._fail(H1Error("closed", "the server closed the connection"))

    def data_received(self, data: bytes) -> None:
        if self.x is None:  # bytes nobody asked for: the connection is out of step
            self.close()
            return
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError as exc:
            self.close()
            self._fail(H1Error("protocol", f"malformed HTTP answer ({type(exc).__name__})"))

    # -- parser callbacks ----------------------------------------------------------------

    def on_header(self, name: bytes, value: bytes) -> None:
        if self.x is not None:
            self.x.headers[name.decode("latin-1").lower()] = value.decode("latin-1")

    def on_headers_complete(self) -> None:
        x = self.x
        if x is not None:
            x.status = self.parser.get_status_code()
            if x.stream is not None:
                x.on_body = x.stream(x.status, x.headers)

    def on_body(self, body: bytes) -> None:
        x = self.x
        if x is None or x.done.done():
            return
        x.size += len(body)
        if x.size > x.limit:
            self.close()
            self._fail(H1Error("protocol", f"answer larger than {x.limit >> 20} MiB"))
            return
        if x.on_body is not None:
            try:
                early = x.on_body(body)
            except Exception as exc:  # noqa: BLE001 - the hook refused the stream
                self.close()
                self._fail(exc)
                return
            if early is not None:  # the rest of the stream is not read: not reusable
                self.usable = False
                x.done.set_result(Answer(x.status, x.headers, b"", early))
                self.close()
            return
        x.chunks.append(body)

    def on_message_complete(self) -> None:
        x = self.x
        if x is not None and 100 <= x.status < 200 and x.status != 101:
            # An interim answer (100 Continue, 103 Early Hints): the real one follows.
            x.status, x.headers, x.chunks, x.size, x.on_body = 0, {}, [], 0, None
            return
        self.x = None
        if x is None or x.done.done():
            return
        if not self.parser.should_keep_alive():
            self.usable = False
            self.close()
        x.done.set_result(Answer(x.status, x.headers, b"".join(x.chunks)))

    # -- helpers -------------------------------------------------------------------------

    def _fail(self, exc: BaseException) -> None:
        x, self.x = self.x, None
        if x is not None and not x.done.done():
            x.done.set_exception(exc)

    def close(self) -> None:
        self.usable = False
        if self.transport is not None and not self.transport.is_closing():
            self.transport.close()


class H1Origin:
    """POSTs to one `http://` or `https://` origin over reused connections."""

    def __init__(self, url: str, limit: int = 100, idle_s: float = 4.0) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http(s) URL: {url!r}")
        self.tls = parts.scheme == "https"
        self.host = parts.hostname
        self.port = parts.port or (443 if self.tls else 80)
        default = (self.tls and self.port == 443) or (not self.tls and self.port == 80)
        host = f"[{self.host}]" if ":" in self.host else self.host
        self.authority = host if default else f"{host}:{self.port}"
        self.target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        self.limit = limit
        self.idle_s = idle_s
        self._idle: list[_Conn] = []
        self._slots = asyncio.Semaphore(limit)
        self._closed = False
        self._ssl: ssl.SSLContext | None = None
        self._start = (
            f"POST {self.target} HTTP/1.1\r\nHost: {self.authority}\r\nContent-Length: ".encode(
                "latin-1"
            )
        )
        #: id(headers) -> (headers, the head's bytes after Content-Length's value).
        self._heads: dict[int, tuple[dict[str, str], bytes]] = {}

    def head(self, headers: dict[str, str], length: int) -> bytes:
        """The request head for a POST of `length` bytes with these headers. The part after
        Content-Length is kept per headers object (the lane reuses one per tool): only the
        length is written per request. Callers never change a headers dict they passed."""
        hit = self._heads.get(id(headers))
        if hit is None or hit[0] is not headers:
            lines = [""]
            for k, v in headers.items():
                if k.lower() in _OWN:
                    continue
                if "\r" in k or "\n" in k or "\r" in v or "\n" in v:
                    raise ValueError(f"header {k!r} has a line break")
                lines.append(f"{k}: {v}")
            if len(self._heads) > 1024:
                self._heads.clear()
            hit = self._heads[id(headers)] = (
                headers,
                ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"),
            )
        return self._start + str(length).encode() + hit[1]

    async def _acquire(self) -> _Conn:
        now = time.monotonic()
        while self._idle:
            conn = self._idle.pop()
            if conn.usable and now - conn.idle_since < self.idle_s:
                return conn
            conn.close()
        loop = asyncio.get_running_loop()
        if self.tls and self._ssl is None:
            self._ssl = ssl.create_default_context()
        try:
            _, conn = await loop.create_connection(
                _Conn,
                self.host,
                self.port,
                ssl=self._ssl if self.tls else None,
                server_hostname=self.host if self.tls else None,
            )
        except (OSError, ssl.SSLError) as exc:
            raise H1Error("unreachable", type(exc).__name__) from None
        return conn

    async def post(
        self, head: bytes, body: bytes, limit: int, stream: Stream | None = None
    ) -> Answer:
        """One exchange (`stream`: see `Stream`; what ended the read is the answer's
        `early`). Cancelling it closes the connection."""
        conn: _Conn | None = None
        await self._slots.acquire()  # at most `limit` connections: the rest wait their turn
        try:
            conn = await self._acquire()
            done: asyncio.Future[Answer] = asyncio.get_running_loop().create_future()
            conn.x = _Exchange(limit, stream, done)
            assert conn.transport is not None
            conn.transport.write(head + body)
            answer = await done
        except BaseException:
            if conn is not None:
                conn.close()
            raise
        finally:
            self._slots.release()
        if conn.usable and not self._closed:
            conn.idle_since = time.monotonic()
            self._idle.append(conn)
        else:
            conn.close()
        return answer

    def close(self) -> None:
        self._closed = True
        for conn in self._idle:
            conn.close()
        self._idle.clear()
