"""The lane's HTTP/1.1 client (keepgate.mcp.h1) against a real socket server that answers
each request with a scripted byte string: the framings a server may use (Content-Length,
chunked, close-delimited), keep-alive and `Connection: close`, an event stream read up
to the answer, and the failures (garbage, a body over the limit, a server that hangs up)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from keepgate.mcp.h1 import H1Error, H1Origin
from keepgate.mcp.wire import SseReader


class Scripted:
    """A TCP server: each request it reads (head + Content-Length body) gets the next
    scripted answer; `None` in the script closes the connection instead."""

    def __init__(self, answers: list[bytes | None]) -> None:
        self.answers = answers
        self.requests: list[bytes] = []
        self.connections = 0
        self.server: asyncio.Server | None = None

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while self.answers:
                head = await reader.readuntil(b"\r\n\r\n")
                length = next(
                    int(line.split(b":")[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length:")
                )
                self.requests.append(head + await reader.readexactly(length))
                answer = self.answers.pop(0)
                if answer is None:
                    break
                writer.write(answer)
                await writer.drain()
                if (
                    b"connection: close" in answer.lower()
                    or b"content-length" not in answer.lower()
                    and b"chunked" not in answer
                ):
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    @property
    def url(self) -> str:
        assert self.server is not None
        port = self.server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}/mcp?x=1"


@pytest.fixture
async def scripted() -> AsyncIterator[Any]:
    made: list[Scripted] = []

    async def make(answers: list[bytes | None]) -> Scripted:
        s = Scripted(answers)
        s.server = await asyncio.start_server(s.handle, "127.0.0.1", 0)
        made.append(s)
        return s

    yield make
    for s in made:
        assert s.server is not None
        s.server.close()
        await s.server.wait_closed()


def ok(body: bytes, extra: str = "") -> bytes:
    return (
        f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n{extra}"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body


async def post(
    origin: H1Origin, body: bytes = b'{"a":1}', limit: int = 1 << 20, stream: Any = None
) -> Any:
    return await origin.post(origin.head({"X-Test": "yes"}, len(body)), body, limit, stream)


async def test_keep_alive_reuses_one_connection_and_sends_head_and_body(scripted) -> None:
    s = await scripted([ok(b'{"n":1}'), ok(b'{"n":2}')])
    origin = H1Origin(s.url)
    first, second = await post(origin), await post(origin, b'{"b":22}')
    assert (first.status, first.body, second.body) == (200, b'{"n":1}', b'{"n":2}')
    assert first.headers["content-type"] == "application/json"
    assert s.connections == 1
    head, _, body = s.requests[1].partition(b"\r\n\r\n")
    assert head.startswith(b"POST /mcp?x=1 HTTP/1.1\r\n") and body == b'{"b":22}'
    assert b"\r\nHost: 127.0.0.1:" in head and b"\r\nX-Test: yes" in head
    origin.close()


async def test_an_interim_answer_is_skipped_for_the_real_one(scripted) -> None:
    s = await scripted([b"HTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\n" + ok(b'{"n":5}')])
    origin = H1Origin(s.url)
    got = await post(origin)
    assert (got.status, got.body) == (200, b'{"n":5}')


async def test_chunked_and_close_delimited_answers_are_read_whole(scripted) -> None:
    chunked = (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        b'Transfer-Encoding: chunked\r\n\r\n4\r\n{"n"\r\n3\r\n:3}\r\n0\r\n\r\n'
    )
    s = await scripted(
        [
            chunked,
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            b'Connection: close\r\n\r\n{"n":4}',
        ]
    )
    origin = H1Origin(s.url)
    assert (await post(origin)).body == b'{"n":3}'
    assert (await post(origin)).body == b'{"n":4}'  # ends where the connection does
    assert s.connections == 1


async def test_connection_close_is_not_reused(scripted) -> None:
    s = await scripted([ok(b"{}", "Connection: close\r\n"), ok(b'{"again":1}')])
    origin = H1Origin(s.url)
    await post(origin)
    assert (await post(origin)).body == b'{"again":1}'
    assert s.connections == 2


async def test_an_idle_connection_past_its_time_is_not_reused(scripted) -> None:
    s = await scripted([ok(b"{}"), ok(b"{}")])
    origin = H1Origin(s.url, idle_s=0.0)  # every idle connection counts as too old
    await post(origin)
    await post(origin)
    assert s.connections == 2


async def test_failures_are_h1_errors_of_the_right_kind(scripted) -> None:
    s = await scripted([None, b"NOT HTTP AT ALL\r\n\r\n", ok(b"x" * 5000)])
    origin = H1Origin(s.url)
    with pytest.raises(H1Error) as hung_up:
        await post(origin)
    assert hung_up.value.kind == "closed"
    with pytest.raises(H1Error) as garbage:
        await post(origin)
    assert garbage.value.kind == "protocol"
    with pytest.raises(H1Error) as large:
        await post(origin, limit=1000)
    assert large.value.kind == "protocol" and "larger" in large.value.message
    url = s.url
    s.server.close()
    await s.server.wait_closed()
    with pytest.raises(H1Error) as refused:
        await post(H1Origin(url))
    assert refused.value.kind == "unreachable"


async def test_an_event_stream_is_read_up_to_the_answer(scripted) -> None:
    note = json.dumps(
        {
            "jsonrpc": "2.0",
            "method": "notifications/message",
            "params": {"level": "info", "data": "x"},
        }
    )
    answer = json.dumps({"jsonrpc": "2.0", "id": 7, "result": {"content": []}})
    events = (
        f": comment\r\nevent: message\r\ndata: {note}\r\n\r\n"
        f"data: {answer[:10]}\ndata: {answer[10:]}\n\n"
    ).encode()
    # Sent in small chunks, and the stream stays open after the answer.
    head = (
        b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    body = b"".join(
        b"%x\r\n%s\r\n" % (len(events[i : i + 17]), events[i : i + 17])
        for i in range(0, len(events), 17)
    )
    s = await scripted([head + body, ok(b"{}")])
    origin = H1Origin(s.url)
    got = await post(origin, stream=lambda status, headers: SseReader(7))
    assert got.early == json.loads(answer)
    await post(origin)  # the stream's connection was not reused: a fresh one
    assert s.connections == 2


async def test_requests_beyond_the_connection_limit_wait_their_turn(scripted) -> None:
    s = await scripted([ok(b'{"n":%d}' % i) for i in range(3)])
    origin = H1Origin(s.url, limit=1)
    got = await asyncio.gather(*(post(origin) for _ in range(3)))
    assert sorted(a.body for a in got) == [b'{"n":0}', b'{"n":1}', b'{"n":2}']
    assert s.connections == 1  # one at a time, on the one connection


def test_the_head_keeps_its_own_framing_headers_and_refuses_line_breaks() -> None:
    origin = H1Origin("http://example.test:8080/mcp")
    head = origin.head({"Content-Length": "999", "host": "evil", "X-A": "1"}, 3).decode()
    assert head == (
        "POST /mcp HTTP/1.1\r\nHost: example.test:8080\r\nContent-Length: 3\r\nX-A: 1\r\n\r\n"
    )
    with pytest.raises(ValueError):
        origin.head({"X-B": "a\r\nInjected: yes"}, 0)
