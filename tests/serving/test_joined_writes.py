"""`keepgate serve`'s HTTP protocol joins a response's writes until the loop's next step
(`keepgate.serving.joined`): the head and body of an answer sent in one step go out in one
`write`, and the bytes on the wire stay uvicorn's own.

The parity tests run stock uvicorn (`http="httptools"`) and `keepgate serve`'s protocol
on real sockets, under the loop `keepgate serve` uses (uvloop), with the same ASGI app
answering generated responses (status, headers, body chunks, steps between the sends,
HEAD, pipelined requests, a close), and compare every byte the client reads."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Awaitable, Callable
from typing import Any

import orjson
import uvicorn
import uvloop
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from uvicorn.server import ServerState

from keepgate.serving import joined
from keepgate.serving.http import BoundedHttpToolsProtocol
from keepgate.serving.joined import JoiningTransport
from keepgate.serving.prompt_stop import PromptServer

# -- one protocol on a recording transport --------------------------------------------------


class _Recording(asyncio.Transport):
    def __init__(self) -> None:
        super().__init__()
        self.writes: list[bytes] = []
        self.closed = False

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"peername": ("127.0.0.1", 5), "sockname": ("127.0.0.1", 4000)}.get(name, default)

    def write(self, data: Any) -> None:
        self.writes.append(bytes(data))

    def close(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass


_JSON = b'{"jsonrpc":"2.0","id":1,"result":{}}'
_LEN = str(len(_JSON)).encode()


async def _json_answer(scope: Any, receive: Any, send: Any) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"application/json"), (b"content-length", _LEN)],
        }
    )
    await send({"type": "http.response.body", "body": _JSON})


async def _served(app: Any, request: bytes) -> _Recording:
    config = uvicorn.Config(app, log_level="warning", lifespan="off", proxy_headers=False)
    proto = BoundedHttpToolsProtocol(config=config, server_state=ServerState(), app_state={})
    transport = _Recording()
    proto.connection_made(transport)
    proto.data_received(request)
    for _ in range(5):  # the request's task, then the held writes' flush
        await asyncio.sleep(0)
    proto.connection_lost(None)
    return transport


def test_head_and_body_sent_in_one_step_are_one_write() -> None:
    request = b"POST /mcp HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\n{}"
    transport = asyncio.run(_served(_json_answer, request))
    assert len(transport.writes) == 1
    head, _, body = transport.writes[0].partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 OK\r\n")
    assert body == _JSON


def test_a_body_sent_in_a_later_step_is_not_held_back_with_the_head() -> None:
    """The head goes out when its step ends, not when the body comes."""
    seen: list[int] = []

    async def slow(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        for _ in range(3):
            await asyncio.sleep(0)
        seen.append(len(transport.writes))
        await send({"type": "http.response.body", "body": b"late"})

    async def run() -> None:
        nonlocal transport
        config = uvicorn.Config(slow, log_level="warning", lifespan="off", proxy_headers=False)
        proto = BoundedHttpToolsProtocol(config=config, server_state=ServerState(), app_state={})
        proto.connection_made(transport)
        proto.data_received(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n")
        for _ in range(8):
            await asyncio.sleep(0)
        proto.connection_lost(None)

    transport = _Recording()
    asyncio.run(run())
    assert seen == [1]  # the head alone, before the body was sent
    assert transport.writes[0].startswith(b"HTTP/1.1 200 OK\r\n")
    assert transport.writes[1:] == [b"4\r\nlate\r\n0\r\n\r\n"]


def test_held_bytes_go_out_before_a_close_and_are_dropped_by_an_abort() -> None:
    async def run() -> tuple[list[bytes], list[bytes]]:
        loop = asyncio.get_running_loop()
        inner = _Recording()
        t = JoiningTransport(inner, loop)
        t.write(b"a")
        t.write(bytearray(b"b"))
        t.close()
        aborted = _Recording()
        aborted.abort = lambda: None  # type: ignore[method-assign]
        u = JoiningTransport(aborted, loop)
        u.write(b"c")
        u.abort()
        await asyncio.sleep(0)
        return inner.writes, aborted.writes

    closed, aborted = asyncio.run(run())
    assert closed == [b"ab"]
    assert aborted == []


def test_a_large_answer_is_not_held() -> None:
    """Past `JOIN_LIMIT` the held bytes go out at once: the transport's own write-buffer
    limits (uvicorn's back-pressure) see them as before."""

    async def run() -> list[bytes]:
        inner = _Recording()
        t = JoiningTransport(inner, asyncio.get_running_loop())
        t.write(b"h" * 10)
        t.write(b"x" * joined.JOIN_LIMIT)
        written = list(inner.writes)
        t.write(b"y" * (joined.JOIN_LIMIT + 1))
        written += inner.writes[len(written) :]
        await asyncio.sleep(0)
        return written

    written = asyncio.run(run())
    assert written == [b"h" * 10 + b"x" * joined.JOIN_LIMIT, b"y" * (joined.JOIN_LIMIT + 1)]


# -- stock uvicorn against keepgate serve's protocol, real sockets, uvloop ------------------

#: One response plan: (status, headers, body chunks, steps to yield before each send).
Plan = tuple[int, list[tuple[bytes, bytes]], list[bytes], list[int]]


def _app(plans: list[Plan]) -> Callable[[Any, Any, Any], Awaitable[None]]:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        while True:  # read the request body whole
            message = await receive()
            if not message.get("more_body"):
                break
        status, headers, chunks, pauses = plans[int(scope["path"].strip("/") or 0)]
        for _ in range(pauses[0]):
            await asyncio.sleep(0)
        await send({"type": "http.response.start", "status": status, "headers": headers})
        for i, chunk in enumerate(chunks):
            for _ in range(pauses[i + 1]):
                await asyncio.sleep(0)
            await send(
                {"type": "http.response.body", "body": chunk, "more_body": i < len(chunks) - 1}
            )

    return app


async def _exchange(http: Any, app: Any, requests: bytes) -> bytes:
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=0,
        http=http,
        loop="none",
        lifespan="off",
        log_level="critical",
        proxy_headers=False,
        date_header=False,
        server_header=False,
    )
    config.load()
    server = PromptServer(config)  # stops without uvicorn's fixed 0.1 s sleeps
    server.lifespan = config.lifespan_class(config)  # as `Server.serve` makes it
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    await server.startup(sockets=[sock])
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(requests)
        await writer.drain()
        got = await asyncio.wait_for(reader.read(-1), 30)  # the server closes at the end
        writer.close()
    finally:
        await server.shutdown()
        sock.close()
    return got


def _run(http: Any, app: Any, requests: bytes) -> bytes:
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(_exchange(http, app, requests))


_HEADER_NAMES = st.sampled_from([b"content-type", b"x-a", b"cache-control", b"x-b"])
_HEADER_VALUES = st.binary(min_size=0, max_size=12).map(
    lambda b: bytes(c for c in b if 0x20 <= c < 0x7F)
)


@st.composite
def _plans(draw: Any) -> Plan:
    status = draw(st.sampled_from([200, 201, 204, 304, 400, 404, 500]))
    headers = draw(st.lists(st.tuples(_HEADER_NAMES, _HEADER_VALUES), max_size=3))
    chunks = draw(st.lists(st.binary(max_size=40), min_size=1, max_size=4))
    if status in (204, 304):
        chunks = [b""]
    if draw(st.booleans()):  # a declared length (else uvicorn chunks the body)
        # Sometimes a wrong one: uvicorn refuses the body and closes the connection.
        wrong = draw(st.sampled_from([0, 0, 0, 1, -1]))
        headers.append((b"content-length", str(max(0, sum(map(len, chunks)) + wrong)).encode()))
    pauses = draw(st.lists(st.integers(0, 2), min_size=len(chunks) + 1, max_size=len(chunks) + 1))
    return status, headers, chunks, pauses


def _requests(methods: list[str], bodies: list[bytes]) -> bytes:
    out = b""
    for i, (method, body) in enumerate(zip(methods, bodies, strict=True)):
        last = i == len(methods) - 1
        out += (
            f"{method} /{i} HTTP/1.1\r\nHost: a\r\nContent-Length: {len(body)}\r\n".encode()
            + (b"Connection: close\r\n" if last else b"")
            + b"\r\n"
            + body
        )
    return out


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    plans=st.lists(_plans(), min_size=1, max_size=3),
    data=st.data(),
)
def test_the_wire_bytes_are_stock_uvicorns(plans: list[Plan], data: Any) -> None:
    methods = data.draw(
        st.lists(st.sampled_from(["GET", "POST", "HEAD"]), min_size=len(plans), max_size=len(plans))
    )
    bodies = [orjson.dumps({"n": i}) if m == "POST" else b"" for i, m in enumerate(methods)]
    requests = _requests(methods, bodies)
    app = _app(plans)
    theirs = _run("httptools", app, requests)
    ours = _run(BoundedHttpToolsProtocol, app, requests)
    assert ours == theirs
    assert theirs.startswith(b"HTTP/1.1 ")


async def _one_by_one(http: Any, app: Any, request: bytes, answer_size: int, n: int) -> bytes:
    """`n` requests on one kept-alive connection, each sent once the last answer is read."""
    config = uvicorn.Config(
        app,
        http=http,
        loop="none",
        lifespan="off",
        log_level="critical",
        proxy_headers=False,
        date_header=False,
        server_header=False,
    )
    config.load()
    server = PromptServer(config)  # stops without uvicorn's fixed 0.1 s sleeps
    server.lifespan = config.lifespan_class(config)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    await server.startup(sockets=[sock])
    got = b""
    try:
        reader, writer = await asyncio.open_connection(*sock.getsockname())
        for _ in range(n):
            writer.write(request)
            got += await asyncio.wait_for(reader.readexactly(answer_size), 30)
        writer.close()
    finally:
        await server.shutdown()
        sock.close()
    return got


def test_the_wire_bytes_of_json_answers_on_a_kept_connection_are_stock_uvicorns() -> None:
    """The MCP fast path's shape (a JSON head and body in one step), one answer after another."""
    plan: Plan = (
        200,
        [(b"content-type", b"application/json"), (b"content-length", _LEN)],
        [_JSON],
        [0, 0],
    )
    request = b"POST /0 HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\n{}"
    answer = (
        b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: "
        + _LEN
        + b"\r\n\r\n"
        + _JSON
    )
    size = len(answer)
    answers = {}
    for http in ("httptools", BoundedHttpToolsProtocol):
        with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
            answers[str(http)] = runner.run(_one_by_one(http, _app([plan]), request, size, 5))
    theirs, ours = answers.values()
    assert ours == theirs == answer * 5
