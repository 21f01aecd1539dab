"""The load generator: closed-loop HTTP/1.1 clients in their own process.

Run as `python -m bench.load '<json spec>'`; prints one JSON result line. It is a separate
process so its CPU is not charged to the server under test, and it speaks raw HTTP/1.1
over keep-alive connections (httptools parses the answers) so the client costs little next
to what it measures. For streamed answers it notes when the first content byte arrived.
"""

from __future__ import annotations

import asyncio
import json
import re
import sys
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httptools

from bench.stats import pct

#: The first generated text: a non-empty "content" string (the role-only chunk is skipped),
#: a Responses `output_text.delta` or a Messages `text_delta`.
_TOKEN = re.compile(rb'"(?:content|delta|text)":\s?"[^"]')


@dataclass
class Spec:
    url: str  # full URL of the chat completions route
    key: str
    body: dict[str, Any]
    concurrency: int
    duration: float
    warmup: float = 0.3


@dataclass
class _Reply:
    status: int = 0
    first_body: float = 0.0
    nbytes: int = 0
    done: asyncio.Future[None] | None = None


class _Conn(asyncio.Protocol):
    """One keep-alive connection; one request in flight at a time."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpResponseParser(self)
        self.reply = _Reply()
        self.lost: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    # asyncio.Protocol
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.parser.feed_data(data)

    def connection_lost(self, exc: Exception | None) -> None:
        if self.reply.done and not self.reply.done.done():
            self.reply.done.set_exception(ConnectionError("connection lost"))
        if not self.lost.done():
            self.lost.set_result(None)

    # httptools callbacks
    def on_status(self, status: bytes) -> None:
        self.reply.status = self.parser.get_status_code()

    def on_body(self, body: bytes) -> None:
        if not self.reply.first_body and _TOKEN.search(body):
            self.reply.first_body = time.perf_counter()
        self.reply.nbytes += len(body)

    def on_message_complete(self) -> None:
        if self.reply.done and not self.reply.done.done():
            self.reply.done.set_result(None)

    async def request(self, raw: bytes) -> _Reply:
        self.reply = _Reply(done=asyncio.get_running_loop().create_future())
        assert self.transport is not None
        self.transport.write(raw)
        await self.reply.done  # type: ignore[misc]
        return self.reply


def _raw_request(spec: Spec) -> tuple[str, int, bytes]:
    u = urlsplit(spec.url)
    payload = json.dumps(spec.body).encode()
    head = (
        f"POST {u.path} HTTP/1.1\r\nHost: {u.hostname}:{u.port}\r\n"
        f"Authorization: Bearer {spec.key}\r\nContent-Type: application/json\r\n"
        f"Accept: application/json, text/event-stream\r\n"
        f"Content-Length: {len(payload)}\r\n\r\n"
    )
    return u.hostname or "127.0.0.1", int(u.port or 80), head.encode() + payload


async def _worker(
    spec: Spec,
    host: str,
    port: int,
    raw: bytes,
    t_start: float,
    t_end: float,
    out: dict[str, list[float]],
) -> None:
    loop = asyncio.get_running_loop()
    conn: _Conn | None = None
    while True:
        t0 = time.perf_counter()
        if t0 >= t_end:
            break
        try:
            if conn is None or conn.lost.done():
                _, conn = await loop.create_connection(_Conn, host, port)
            reply = await conn.request(raw)
        except (ConnectionError, OSError):
            conn = None
            out["errors"].append(t0)
            await asyncio.sleep(0.01)
            continue
        t1 = time.perf_counter()
        if t1 < t_start:
            out["warm"].append(t0)  # warm-up: connections open, caches hot; only counted
            continue
        if reply.status != 200:
            out["errors"].append(t0)
            continue
        out["latency"].append(t1 - t0)
        if reply.first_body:
            out["ttft"].append(reply.first_body - t0)
        out["bytes"].append(reply.nbytes)
    if conn and conn.transport:
        conn.transport.close()


async def run(spec: Spec) -> dict[str, Any]:
    host, port, raw = _raw_request(spec)
    out: dict[str, list[float]] = {"latency": [], "ttft": [], "errors": [], "bytes": [], "warm": []}
    t_start = time.perf_counter() + spec.warmup
    t_end = t_start + spec.duration
    await asyncio.gather(
        *(_worker(spec, host, port, raw, t_start, t_end, out) for _ in range(spec.concurrency))
    )
    elapsed = max(1e-9, time.perf_counter() - t_start)
    lat, ttft = out["latency"], out["ttft"]
    return {
        "n": len(lat),
        "errors": len(out["errors"]),
        "rps": len(lat) / elapsed,
        # every request the target answered in this run, warm-up included (CPU per request)
        "served": len(lat) + len(out["errors"]) + len(out["warm"]),
        "p50": pct(lat, 50, None),
        "p99": pct(lat, 99, None),
        "ttft_p50": pct(ttft, 50, None),
        "ttft_p99": pct(ttft, 99, None),
        "mean_bytes": (sum(out["bytes"]) / len(lat)) if lat else 0,
    }


def main(argv: list[str]) -> None:
    spec = Spec(**json.loads(argv[1]))
    try:
        import uvloop

        result = uvloop.run(run(spec))
    except ImportError:
        result = asyncio.run(run(spec))
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main(sys.argv)
