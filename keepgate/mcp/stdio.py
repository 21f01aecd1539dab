"""A stdio MCP upstream with a bound on one line of its stdout.

The SDK's `stdio_client` joins `buffer + chunk` for every read of a line still open: a
server writing one long line without a newline cost quadratic time and unbounded memory
(red team round 6b). This is the same transport (the SDK's process spawn, shutdown and
message parsing, its `SessionMessage` streams for the SDK's session) with its own stdout
reader: bytes in pieces, each line joined once, and a line longer than `max_line` bytes
ends the connection: the server's process group is killed and reaped, and the session
sees the stream close (`BoundedStdio.over` says why, for the caller's error).
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

import anyio
import anyio.lowlevel
from mcp.client._transport import TransportStreams
from mcp.client.stdio import (  # the SDK's own steps, so shutdown stays the SDK's
    _KILL_REAP_TIMEOUT,
    _WRITER_FLUSH_TIMEOUT,
    StdioServerParameters,
    _aclose_all,
    _create_platform_compatible_process,
    _drain_stdout,
    _get_executable_command,
    _parse_line,
    _stop_server_process,
    _wait_for_process_exit,
    get_default_environment,
)
from mcp.shared.message import SessionMessage


class LineSplitter:
    """Newline-delimited lines from byte pieces, each line joined once; `feed` raises
    `LineTooLong` as soon as an open line passes `max_line` bytes (before it is joined)."""

    __slots__ = ("_open", "_size", "max_line")

    def __init__(self, max_line: int) -> None:
        self.max_line = max_line
        self._open: list[bytes] = []
        self._size = 0

    def feed(self, data: bytes) -> list[bytes]:
        lines: list[bytes] = []
        start = 0
        while True:
            nl = data.find(b"\n", start)
            if nl < 0:
                break
            if self._size + nl - start > self.max_line:
                raise LineTooLong
            if self._open:
                self._open.append(data[start:nl])
                lines.append(b"".join(self._open))
                self._open, self._size = [], 0
            else:
                lines.append(data[start:nl])
            start = nl + 1
        if start < len(data):
            self._size += len(data) - start
            if self._size > self.max_line:
                raise LineTooLong
            self._open.append(data[start:])
        return lines


class LineTooLong(Exception):
    """A stdout line longer than the bound."""


class BoundedStdio:
    """One connection's state: `over` once a line passed the bound; `bytes_read` of stdout
    (what the session was handed or refused, not the drain after a kill)."""

    def __init__(self, params: StdioServerParameters, max_line: int) -> None:
        self.params = params
        self.max_line = max_line
        self.over = False
        self.bytes_read = 0

    @asynccontextmanager
    async def __call__(self) -> AsyncIterator[TransportStreams]:
        server = self.params
        command = await _get_executable_command(server.command)
        process = await _create_platform_compatible_process(
            command=command,
            args=server.args,
            env=get_default_environment() | (server.env or {}),
            errlog=sys.stderr,
            cwd=server.cwd,
        )
        # No awaits until the task group is entered (the SDK's rule: a cancellation in the
        # gap would leak the live process).
        read_writer, read_stream = anyio.create_memory_object_stream[SessionMessage | Exception](0)
        write_stream, write_reader = anyio.create_memory_object_stream[SessionMessage](0)
        writer_done = anyio.Event()

        async def stdout_reader() -> None:
            assert process.stdout is not None
            lines = LineSplitter(self.max_line)
            try:
                async with read_writer:
                    try:
                        async for data in process.stdout:
                            self.bytes_read += len(data)
                            for line in lines.feed(data):
                                text = line.decode(server.encoding, server.encoding_error_handler)
                                try:
                                    await read_writer.send(_parse_line(text))
                                except (anyio.ClosedResourceError, anyio.BrokenResourceError):
                                    return
                    except LineTooLong:
                        self.over = True
                        await _kill(process)
                    finally:
                        await _drain_stdout(process)
            except (anyio.ClosedResourceError, anyio.BrokenResourceError, ConnectionError):
                pass  # shutdown closed stdout under the read; the session sees the close

        async def stdin_writer() -> None:
            assert process.stdin is not None
            try:
                async with write_reader:
                    async for message in write_reader:
                        json = message.message.model_dump_json(by_alias=True, exclude_unset=True)
                        data = (json + "\n").encode(
                            server.encoding, errors=server.encoding_error_handler
                        )
                        await process.stdin.send(data)
            except (anyio.ClosedResourceError, anyio.BrokenResourceError, OSError):
                await read_writer.aclose()
            finally:
                writer_done.set()

        async def shutdown() -> None:
            read_stream.close()
            write_stream.close()
            with anyio.move_on_after(_WRITER_FLUSH_TIMEOUT):
                await writer_done.wait()
            await _stop_server_process(process)
            await _aclose_all(read_stream, write_stream, read_writer, write_reader)
            await anyio.lowlevel.checkpoint()

        async with anyio.create_task_group() as tg:
            tg.start_soon(stdout_reader)
            tg.start_soon(stdin_writer)
            try:
                yield read_stream, write_stream
            finally:
                with anyio.CancelScope(shield=True):
                    await shutdown()
                tg.cancel_scope.cancel()
        await anyio.lowlevel.cancel_shielded_checkpoint()


async def _kill(process: object) -> None:
    """SIGKILL the server's process group (the SDK starts it in a new session) and wait
    until the loop has reaped the leader, so no more output is written."""
    pid = getattr(process, "pid", None)
    if sys.platform != "win32" and isinstance(pid, int):
        with suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, signal.SIGKILL)
    else:  # pragma: no cover - Windows: the SDK's Job Object ends the tree at shutdown
        with suppress(Exception):
            process.kill()  # type: ignore[attr-defined]
    await _wait_for_process_exit(process, _KILL_REAP_TIMEOUT)  # type: ignore[arg-type]
