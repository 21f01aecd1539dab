"""The HTTP/1.1 protocol `keepgate serve` runs: uvicorn's, with a cap on a request's head.

uvicorn's httptools protocol buffers a header line until it ends, however long: one
unauthenticated connection sending a 60 MB header held 60 MB of the gateway's memory and
was answered 200 (red team round 3). uvicorn's h11 protocol has a cap
(`h11_max_incomplete_event_size`); this gives the httptools one a cap too. A head (request line and headers) past `MAX_HEAD_BYTES` is answered 431 and
the connection closed, before any of it reaches the app.
"""

from __future__ import annotations

import asyncio
from typing import Any, TypedDict

import httptools

from keepgate.serving.joined import JoiningTransport

#: Bytes of a request line and headers together; nginx allows 4 × 8 KB by default, h11 16 KB.
MAX_HEAD_BYTES = 64 * 1024

_431_BODY = b"Request line and headers exceed 65536 bytes."
_431 = (
    b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
    b"content-type: text/plain; charset=utf-8\r\n"
    b"connection: close\r\n"
    b"content-length: " + str(len(_431_BODY)).encode() + b"\r\n\r\n" + _431_BODY
)


class UvicornOptions(TypedDict):
    """Options of `uvicorn.run` / `uvicorn.Config` that `keepgate serve` sets."""

    #: The HTTP protocol class: httptools (a direct dependency) with the head capped.
    http: type[asyncio.Protocol]


def uvicorn_options() -> UvicornOptions:
    """The `http` option of `uvicorn.run` / `uvicorn.Config` for `keepgate serve`."""
    return {"http": BoundedHttpToolsProtocol}


def _protocol_base() -> Any:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    return HttpToolsProtocol


class _HeadTooLarge(Exception):
    pass


class BoundedHttpToolsProtocol(_protocol_base()):  # type: ignore[misc]
    """uvicorn's httptools protocol with the head measured twice: the request line and
    header fields as the parser hands them over (exact, checked when the head is complete),
    and the bytes read while a head is still incomplete (what the parser is buffering; a
    read that also starts the head is not counted, so the buffer is bounded by the cap
    plus one read)."""

    _in_head = False
    _head_bytes = 0
    _fields = 0
    _refused = False
    transport: asyncio.Transport

    def connection_made(self, transport: asyncio.Transport) -> None:
        super().connection_made(transport)
        # A response's head and body in one write (`keepgate.serving.joined`); uvicorn's
        # flow control keeps the real transport (it only pauses and resumes reading).
        self.transport = JoiningTransport(transport, self.loop)

    def eof_received(self) -> None:
        # The transport closes itself after this: what is held goes out first.
        self._flush_held()
        super().eof_received()

    def connection_lost(self, exc: Exception | None) -> None:
        self._flush_held()
        super().connection_lost(exc)

    def handle_websocket_upgrade(self) -> None:
        # The WebSocket protocol gets the real transport (nothing is held past this).
        self._flush_held()
        if isinstance(self.transport, JoiningTransport):
            self.transport = self.transport.inner
        super().handle_websocket_upgrade()

    def _flush_held(self) -> None:
        if isinstance(self.transport, JoiningTransport):
            self.transport.flush()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._in_head = True
        self._head_bytes = self._fields = 0

    def on_url(self, url: bytes) -> None:
        self._fields += len(url)
        self.url += url  # uvicorn's on_url, inline (a dozen parser callbacks per request)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._fields += len(name) + len(value) + 4  # ": " and CRLF
        # uvicorn's on_header, inline (test_serving_http checks it still matches uvicorn's).
        name = name.lower()
        value = value.rstrip(b" \t")
        if name == b"expect" and value.lower() == b"100-continue":
            self.expect_100_continue = True
        self.headers.append((name, value))

    def on_headers_complete(self) -> None:
        self._in_head = False
        if self._fields > MAX_HEAD_BYTES:
            raise _HeadTooLarge
        super().on_headers_complete()

    def data_received(self, data: bytes) -> None:
        # uvicorn's `data_received`, with the head checks.
        if self._refused:
            return
        self._unset_keepalive_if_required()
        in_head = self._in_head
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            if self._should_upgrade():
                self.handle_websocket_upgrade()
            else:
                self._unsupported_upgrade_warning()
            return
        except httptools.HttpParserError as exc:
            if isinstance(exc.__context__, _HeadTooLarge) or isinstance(exc, _HeadTooLarge):
                self._refuse()
            else:
                self.logger.warning("Invalid HTTP request received.")
                self.send_400_response("Invalid HTTP request received.")
            return
        except _HeadTooLarge:
            self._refuse()
            return
        if in_head and self._in_head:
            self._head_bytes += len(data)
            if self._head_bytes > MAX_HEAD_BYTES:
                self._refuse()

    def _refuse(self) -> None:
        self._refused = True
        self.transport.write(_431)
        self.transport.close()
