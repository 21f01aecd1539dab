"""Red team round 6 (2026-12-07): what of a client's request head reaches the upstream.

The native Messages path forwards `anthropic-version` and `anthropic-beta` (and nothing
else of the client's head); the gateway key, hop-by-hop headers and Keepgate's own never
go upstream. The hostile upstream (a real uvicorn server) records every head it gets;
the official Anthropic SDK is the client, and for heads no SDK would send (control
characters, a duplicate content-length, repeated headers) a raw socket."""

from __future__ import annotations

import json
import socket
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urlsplit

import anthropic
import pytest
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from tests.apis.hostile_upstream import deployments, serving
from tests.conftest import Gateway

KEY = "sk-redteam6-headers"
HEADS: list[list[tuple[bytes, bytes]]] = []


def _event(kind: str, data: dict[str, Any]) -> bytes:
    return f"event: {kind}\ndata: ".encode() + json.dumps(data).encode() + b"\n\n"


async def _answer() -> AsyncIterator[bytes]:
    usage = {"input_tokens": 1, "output_tokens": 1}
    message = {"id": "msg_1", "type": "message", "role": "assistant", "model": "m"}
    message |= {"content": [], "stop_reason": None, "usage": usage}
    yield _event("message_start", {"type": "message_start", "message": message})
    block = {"type": "content_block_start", "index": 0}
    yield _event("content_block_start", block | {"content_block": {"type": "text", "text": ""}})
    delta = {"type": "content_block_delta", "index": 0}
    yield _event("content_block_delta", delta | {"delta": {"type": "text_delta", "text": "ok"}})
    yield _event("content_block_stop", {"type": "content_block_stop", "index": 0})
    stop = {"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": usage}
    yield _event("message_delta", stop)
    yield _event("message_stop", {"type": "message_stop"})


async def messages(request: Request) -> Response:
    HEADS.append(list(request.scope["headers"]))
    return StreamingResponse(_answer(), media_type="text/event-stream")


async def unused(request: Request) -> Response:
    return Response(status_code=404)


@pytest.fixture(scope="module")
def upstream() -> Iterator[str]:
    with serving(unused, messages, unused) as url:
        yield url


@pytest.fixture(scope="module")
def gw(module_gateway_factory: Any, upstream: str) -> Gateway:
    overrides = {
        "model_list": deployments("hd", upstream),
        "general_settings": {"num_retries": 0},
        "keys": [{"key_id": "rt6h", "key": KEY, "role": "user"}],
    }
    return module_gateway_factory(overrides, real_http=True)


@pytest.fixture(autouse=True)
def fresh() -> None:
    HEADS.clear()


def _names(head: list[tuple[bytes, bytes]]) -> set[bytes]:
    return {n.lower() for n, _ in head}


def test_only_the_anthropic_headers_reach_the_upstream(gw: Gateway) -> None:
    client = anthropic.Anthropic(base_url=gw.url, api_key=KEY, max_retries=0)
    done = client.messages.create(
        model="hd-claude",
        max_tokens=10,
        messages=[{"role": "user", "content": "hi"}],
        extra_headers={
            "anthropic-beta": "tools-2024-04-04",
            "authorization": f"Bearer {KEY}",
            "x-keepgate-session": "s1",
            "te": "trailers",
            "x-forwarded-for": "10.0.0.1",
            "cookie": "session=secret",
            "openai-organization": "org-1",
        },
    )
    assert done.content[0].text == "ok"  # type: ignore[union-attr]
    (head,) = HEADS
    values = dict(head)
    assert values[b"anthropic-beta"] == b"tools-2024-04-04"
    assert b"anthropic-version" in values
    assert not any(KEY.encode() in v for _, v in head)  # the gateway key, in any header
    for name in (b"authorization", b"x-keepgate-session", b"te", b"x-forwarded-for", b"cookie"):
        assert name not in _names(head), name
    assert b"openai-organization" not in _names(head)


def _raw(gw: Gateway, head: bytes, body: bytes) -> bytes:
    """Send `head` + `body` on a new connection to the gateway; its whole answer."""
    url = urlsplit(gw.url)
    with socket.create_connection((url.hostname or "", url.port or 80), timeout=60) as s:
        s.sendall(head + body)
        out = b""
        while chunk := s.recv(65536):
            out += chunk
    return out


BODY = json.dumps(
    {"model": "hd-claude", "max_tokens": 10, "messages": [{"role": "user", "content": "hi"}]}
).encode()


def _head(extra: bytes, length: int = len(BODY)) -> bytes:
    return (
        b"POST /v1/messages HTTP/1.1\r\nhost: gw\r\ncontent-type: application/json\r\n"
        + f"x-api-key: {KEY}\r\ncontent-length: {length}\r\nconnection: close\r\n".encode()
        + extra
        + b"\r\n"
    )


def _status(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1])


@pytest.mark.parametrize("value", [b"a\x01b", b"a\x7fb", b"a\x0bb", b"caf\xe9", b"\xc3\xa9"])
def test_a_forwarded_header_outside_printable_ascii_is_a_400(gw: Gateway, value: bytes) -> None:
    """A control character or a non-ASCII byte in `anthropic-beta` is a 400 (the parser's
    or the gateway's), never a 500, and reaches no upstream: a Latin-1 byte was re-encoded
    as UTF-8 on the way out (`caf\\xe9` arrived as `caf\\xc3\\xa9`)."""
    answer = _raw(gw, _head(b"anthropic-beta: " + value + b"\r\n"), BODY)
    assert _status(answer) == 400, answer[:300]
    assert HEADS == []


def test_a_tab_in_a_forwarded_header_is_forwarded_as_sent(gw: Gateway) -> None:
    answer = _raw(gw, _head(b"anthropic-beta: tools\tx\r\n"), BODY)
    assert _status(answer) == 200, answer[:300]
    (head,) = HEADS
    assert dict(head)[b"anthropic-beta"] == b"tools\tx"


def test_repeated_anthropic_beta_headers_are_all_forwarded(gw: Gateway) -> None:
    """Two `anthropic-beta` lines are one comma-separated list (RFC 9110 5.3): the second
    was dropped."""
    answer = _raw(gw, _head(b"anthropic-beta: a-1\r\nanthropic-beta: b-2\r\n"), BODY)
    assert _status(answer) == 200, answer[:300]
    (head,) = HEADS
    betas = b",".join(v for n, v in head if n == b"anthropic-beta")
    assert {p.strip() for p in betas.split(b",")} == {b"a-1", b"b-2"}


@pytest.mark.parametrize(
    "extra",
    [
        b"content-length: 5\r\n",  # a second, different content-length
        b"transfer-encoding: chunked\r\n",  # both framings at once
        b"anthropic-beta: a\r\n b\r\n",  # an obsolete folded line
    ],
)
def test_a_smuggling_head_is_a_400_and_reaches_no_upstream(gw: Gateway, extra: bytes) -> None:
    answer = _raw(gw, _head(extra), BODY)
    assert 400 <= _status(answer) < 500, answer[:300]
    assert HEADS == []
