"""An upstream that closes a pooled keep-alive connection as a request arrives on it.

The race this stands for: the upstream's idle timeout closes a connection just as the
gateway sends a request on it (seen as a one-off 502 under load). To make it happen every
time, with no clock, the upstream here answers the first request on each connection
normally, keeps the connection open (HTTP/1.1, no `Connection: close`), and when a second
request arrives on that connection closes it without answering a byte. The gateway must
resend such a request once, on a new connection (keepgate/upstream/aiohttp_sender.py says
why that is safe for these calls), and must not resend anything else.
"""

from __future__ import annotations

import json
import socket
import threading
from collections import Counter
from collections.abc import Iterator
from typing import Any

import openai
import pytest

CHUNK = {
    "id": "chatcmpl-stale",
    "object": "chat.completion.chunk",
    "created": 0,
    "model": "demo",
}


def _sse(reply: str) -> bytes:
    events = [
        {**CHUNK, "choices": [{"index": 0, "delta": {"role": "assistant", "content": reply}}]},
        {**CHUNK, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]},
        {
            **CHUNK,
            "choices": [],
            "usage": {"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4},
        },
    ]
    return b"".join(b"data: " + json.dumps(e).encode() + b"\n\n" for e in events) + (
        b"data: [DONE]\n\n"
    )


class ClosingUpstream:
    """A real HTTP/1.1 chat-completions server on a loopback port (blocking sockets, a
    thread per connection). `answers` says which requests of a connection (1 = its
    first) are answered; any other is read whole and answered by closing the connection."""

    def __init__(self, answers: frozenset[int]) -> None:
        self.answers = answers
        self.counts: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._sock = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._sock.getsockname()[1]}/v1"
        threading.Thread(target=self._accept, daemon=True).start()

    def _count(self, what: str) -> None:
        with self._lock:
            self.counts[what] += 1

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return  # closed
            self._count("connections")
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        reader = conn.makefile("rb")
        with conn, reader:
            nth = 0
            while True:
                head = [reader.readline()]
                if not head[0]:
                    return  # the client closed the connection
                while head[-1] not in (b"\r\n", b"\n", b""):
                    head.append(reader.readline())
                length = next(
                    int(line.split(b":", 1)[1])
                    for line in head
                    if line.lower().startswith(b"content-length:")
                )
                reader.read(length)
                nth += 1
                if nth not in self.answers:
                    self._count("dropped")
                    conn.shutdown(socket.SHUT_RDWR)
                    return
                body = _sse(f"answer {nth}")
                self._count("answered")  # before the answer, which the test may act on
                conn.sendall(
                    b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n"
                    + b"content-length: %d\r\n\r\n" % len(body)
                    + body
                )

    def close(self) -> None:
        self._sock.close()


@pytest.fixture
def upstream_with(gateway_factory: Any) -> Iterator[Any]:
    servers: list[ClosingUpstream] = []

    def start(answers: frozenset[int]) -> tuple[ClosingUpstream, Any]:
        up = ClosingUpstream(answers)
        servers.append(up)
        gw = gateway_factory(
            {
                "model_list": [
                    {
                        "model_name": "demo",
                        "litellm_params": {"model": "openai/demo", "api_base": up.url},
                    }
                ]
            }
        )
        return up, gw

    yield start
    for up in servers:
        up.close()


def _ask(gw: Any) -> str | None:
    out = gw.client().chat.completions.create(
        model="demo", messages=[{"role": "user", "content": "hi"}]
    )
    content: str | None = out.choices[0].message.content
    return content


def test_a_pooled_connection_closed_by_the_upstream_is_resent_once(upstream_with: Any) -> None:
    up, gw = upstream_with(frozenset({1}))  # each connection answers its first request only
    assert _ask(gw) == "answer 1"
    # On the pooled connection: closed unanswered, then resent on a new one (its first).
    assert _ask(gw) == "answer 1"
    assert up.counts == {"connections": 2, "answered": 2, "dropped": 1}
    assert _ask(gw) == "answer 1"  # the resend's connection was not pooled: a new one again
    assert up.counts == {"connections": 3, "answered": 3, "dropped": 1}


def test_a_new_connection_closed_unanswered_is_not_resent(upstream_with: Any) -> None:
    """Not the keep-alive race: the upstream got the request and died on it (502, once;
    `num_retries` is 0 here, so nothing else resends it)."""
    up, gw = upstream_with(frozenset())
    with pytest.raises(openai.APIStatusError) as err:
        _ask(gw)
    assert err.value.status_code == 502 and err.value.body["code"] == "upstream_unreachable"
    assert up.counts == {"connections": 1, "dropped": 1}


def test_the_resend_is_made_once(upstream_with: Any) -> None:
    """A server that answers only the first request it ever gets: the stale connection's
    request is resent once, on a new connection, and that failure is the caller's 502."""
    up, gw = upstream_with(frozenset({1}))
    assert _ask(gw) == "answer 1"
    up.answers = frozenset()
    with pytest.raises(openai.APIStatusError) as err:
        _ask(gw)
    assert err.value.status_code == 502
    assert up.counts == {"connections": 2, "answered": 1, "dropped": 2}
