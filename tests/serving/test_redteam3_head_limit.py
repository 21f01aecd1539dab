"""Red team round 3 (2026-12-07): uvicorn's httptools protocol buffered a header line of
any length (a 60 MB header from an unauthenticated client took 60 MB of the gateway's
memory, and was then answered 200). `keepgate serve` runs it with a cap on the request
head (`keepgate.serving.http`): past 64 KB, a 431 and the connection closed.

The gateway app on a real uvicorn server with the options `keepgate serve` uses, reached
over a raw socket (no HTTP client sends such a head)."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
import uvicorn

from keepgate.app import create_app
from keepgate.config.load import validate_config
from keepgate.serving.http import MAX_HEAD_BYTES, uvicorn_options
from keepgate.serving.prompt_stop import PromptServer
from tests.conftest import base_config
from tests.servers import ThreadServer


@pytest.fixture(scope="module")
def port(fake_model_url: str) -> Iterator[int]:
    server = ThreadServer(create_app(validate_config(base_config(fake_model_url))))
    # The options `keepgate serve` passes to uvicorn, on the test server's own config.
    config = server.server.config
    server.server = PromptServer(
        uvicorn.Config(
            config.app,
            host=config.host,
            port=config.port,
            log_level="warning",
            lifespan="on",
            timeout_keep_alive=3600,
            **uvicorn_options(),
        )
    )
    server.server.install_signal_handlers = lambda: None  # type: ignore[method-assign]
    server.start()
    yield server.port
    server.stop()


def _exchange(port: int, *requests: bytes) -> bytes:
    """Send the requests on one connection; everything the server answers until it closes
    or has answered every request."""
    with socket.create_connection(("127.0.0.1", port), timeout=60) as s:
        for r in requests:
            s.sendall(r)
        out = b""
        while out.count(b"HTTP/1.1 ") < len(requests):
            try:
                data = s.recv(65536)
            except ConnectionResetError:
                break
            if not data:
                break
            out += data
        return out


def _get(extra: bytes = b"", close: bool = True) -> bytes:
    conn = b"connection: close\r\n" if close else b""
    return b"GET /healthz HTTP/1.1\r\nhost: x\r\n" + extra + conn + b"\r\n"


def test_a_head_past_the_cap_is_a_431_and_the_connection_closes(port: int) -> None:
    big = b"x-big: " + b"a" * (MAX_HEAD_BYTES + 1) + b"\r\n"
    answer = _exchange(port, _get(big))
    assert answer.startswith(b"HTTP/1.1 431 ")
    many = b"".join(b"x-h%d: %s\r\n" % (i, b"b" * 60) for i in range(2000))
    assert _exchange(port, _get(many)).startswith(b"HTTP/1.1 431 ")
    assert _exchange(port, _get()).startswith(b"HTTP/1.1 200 ")  # the server is fine


def test_heads_under_the_cap_and_big_bodies_pass(port: int) -> None:
    header = b"x-big: " + b"a" * (MAX_HEAD_BYTES - 2048) + b"\r\n"
    assert _exchange(port, _get(header)).startswith(b"HTTP/1.1 200 ")
    # A body is not part of the head, sent in one write with it, or after it.
    body = (
        b'{"model": "demo", "messages": [{"role": "user", "content": "' + b"z" * 300_000 + b'"}]}'
    )
    post = (
        b"POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n"
        b"content-length: %d\r\nconnection: close\r\n\r\n" % len(body)
    ) + body
    answer = _exchange(port, post)
    assert answer.startswith(b"HTTP/1.1 401 ")  # read whole, then refused for its missing key
    # Keep-alive: the second request's head is counted on its own.
    answers = _exchange(port, _get(header, close=False), _get(header))
    assert answers.count(b"HTTP/1.1 200 ") == 2


def test_keepgate_serve_runs_the_bounded_protocol() -> None:
    assert uvicorn_options()["http"].__name__ == "BoundedHttpToolsProtocol"
