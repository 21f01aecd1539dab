"""A transport that holds a write until the next one or the end of the loop's step.

Why: uvicorn's request cycle writes a response's head at `http.response.start` and its
body at `http.response.body`. On uvloop each `write` is a `send` syscall and, with
TCP_NODELAY, a TCP segment of its own, so an app that sends both messages in one step
(every JSON answer: Keepgate's MCP `tools/call`, its errors, `/v1` non-streaming
answers) paid two sends and two segments for one answer, and the client could wake for
the head alone. Here a write is held; the next write goes out with it in one `writelines`
(one `writev`, nothing copied), and if none comes in the same step, a `call_soon` sends
it alone when the step ends. Later writes of a streamed body go out as they come.

The bytes and their order are unchanged: every write of the connection goes through
here, and whatever would end or turn the connection (close, `write_eof`, the protocol
being swapped) writes what is held first. Only a write under `JOIN_LIMIT` is held, so
the real transport's write-buffer limits (uvicorn's back-pressure, `pause_writing`) see
a large answer as before. `abort` drops what is held, as it drops the real transport's
buffer.
"""

from __future__ import annotations

import asyncio
from typing import Any

#: A write this large or larger is not held.
JOIN_LIMIT = 64 * 1024


class JoiningTransport(asyncio.Transport):
    """`transport`, with a write held until the next one or the end of the loop's step.
    Every other method is the transport's, delegated one by one (a `__getattr__` would
    slow every attribute read of the class: CPython then skips its attribute caches)."""

    __slots__ = ("_transport", "_loop", "_held", "_flush")

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__()
        self._transport = transport
        self._loop = loop
        #: A write not yet handed to the transport (a flush is scheduled while it is set).
        self._held: bytes | None = None
        self._flush = self.flush  # bound once: one `call_soon` per held write

    @property
    def inner(self) -> asyncio.Transport:
        """The real transport."""
        return self._transport

    def write(self, data: bytes | bytearray | memoryview) -> None:
        held = self._held
        if held is not None:
            self._held = None
            self._transport.writelines((held, data))
            return
        if len(data) >= JOIN_LIMIT or not data:
            self._transport.write(data)
            return
        # A copy of anything mutable: the caller may reuse its buffer after `write`.
        self._held = data if type(data) is bytes else bytes(data)
        self._loop.call_soon(self._flush)

    def writelines(self, chunks: Any) -> None:
        for chunk in chunks:
            self.write(chunk)

    def flush(self) -> None:
        """Hand what is held to the transport now (dropped if the transport is closing:
        the connection is going away and nothing more can be sent on it)."""
        held = self._held
        if held is not None:
            self._held = None
            if not self._transport.is_closing():
                self._transport.write(held)

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def write_eof(self) -> None:
        self.flush()
        self._transport.write_eof()

    def abort(self) -> None:
        self._held = None
        self._transport.abort()

    def set_protocol(self, protocol: asyncio.BaseProtocol) -> None:
        self.flush()
        self._transport.set_protocol(protocol)

    def is_closing(self) -> bool:
        return self._transport.is_closing()

    def get_write_buffer_size(self) -> int:
        held = self._held
        return self._transport.get_write_buffer_size() + (len(held) if held else 0)

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return self._transport.get_extra_info(name, default)

    def can_write_eof(self) -> bool:
        return self._transport.can_write_eof()

    def get_protocol(self) -> asyncio.BaseProtocol:
        return self._transport.get_protocol()

    def is_reading(self) -> bool:
        return self._transport.is_reading()

    def pause_reading(self) -> None:
        self._transport.pause_reading()

    def resume_reading(self) -> None:
        self._transport.resume_reading()

    def set_write_buffer_limits(self, high: int | None = None, low: int | None = None) -> None:
        self._transport.set_write_buffer_limits(high, low)

    def get_write_buffer_limits(self) -> tuple[int, int]:
        return self._transport.get_write_buffer_limits()
