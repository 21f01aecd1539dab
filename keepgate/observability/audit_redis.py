"""Audit records to a Redis stream (XADD), as well as to the file or stdout.

The request path never waits for Redis: `write` appends to a bounded in-memory queue and a
background task ships batches with one pipelined round trip. When Redis is down the queue
fills, the oldest records are dropped and `keepgate_audit_sink_errors_total{sink="redis"}`
counts them; the file/stdout audit log is still written, so nothing is lost there.

    observability:
      audit_redis:
        url: redis://redis:6379/0       # default: general_settings.redis_url
        stream: keepgate:audit
        maxlen: 100000                  # approximate trim (XADD MAXLEN ~)

Each entry has one field, `record`, holding the same JSON as the audit log line.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from typing import Any

import orjson

log = logging.getLogger("keepgate.audit")


class RedisStreamSink:
    name = "redis"

    def __init__(
        self,
        url: str,
        stream: str = "keepgate:audit",
        maxlen: int = 100_000,
        buffer: int = 10_000,
        on_drop: Any = None,
    ) -> None:
        self.url = url
        self.stream = stream
        self.maxlen = maxlen
        self._queue: deque[str] = deque()
        self._buffer = buffer
        self._on_drop = on_drop or (lambda n: None)
        self._wake: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None
        self._client: Any = None
        self._idle: asyncio.Event | None = None
        #: Set to cut a back-off short (flush: try once more now); failed batches so far.
        self._retry: asyncio.Event | None = None
        self._failures = 0

    def write(self, record: dict[str, Any]) -> None:
        if len(self._queue) >= self._buffer:
            self._queue.popleft()
            self._on_drop(1)
        # The same encoding as the file's line (orjson: ~2 µs, on every request).
        self._queue.append(
            orjson.dumps(record, default=str, option=orjson.OPT_NON_STR_KEYS).decode()
        )
        if self._wake is not None:
            self._wake.set()

    async def start(self) -> None:
        import redis.asyncio as aioredis

        self._client = aioredis.Redis.from_url(self.url, socket_connect_timeout=2, socket_timeout=5)
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._retry = asyncio.Event()
        self._task = asyncio.create_task(self._ship(), name="keepgate-audit-redis")
        if self._queue:
            self._wake.set()

    async def _ship(self) -> None:
        assert self._wake is not None and self._idle is not None and self._retry is not None
        while True:
            if not self._queue:
                self._idle.set()
                await self._wake.wait()
                self._wake.clear()
                continue
            self._idle.clear()
            self._retry.clear()
            batch = [self._queue.popleft() for _ in range(min(500, len(self._queue)))]
            try:
                pipe = self._client.pipeline(transaction=False)
                for line in batch:
                    pipe.xadd(self.stream, {"record": line}, maxlen=self.maxlen, approximate=True)
                await pipe.execute()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - Redis down: keep the batch, back off
                log.warning("audit to Redis stream failed: %s", type(exc).__name__)
                room = self._buffer - len(self._queue)
                keep = batch[-room:] if room > 0 else []
                self._on_drop(len(batch) - len(keep))
                self._queue.extendleft(reversed(keep))
                self._failures += 1
                # Back off 1 s, unless flush() asks for one more try now.
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(1.0):
                        await self._retry.wait()

    async def flush(self, timeout: float = 5.0) -> None:
        """Wait until every queued record has been shipped (tests, shutdown), or a try made
        after this call has failed: Redis is unreachable now, and waiting out `timeout` for
        it would only hold up the shutdown (the records stay queued; the file audit has
        them)."""
        if self._idle is None or self._wake is None or self._retry is None:
            return
        failures = self._failures
        self._wake.set()
        self._retry.set()
        deadline = asyncio.get_running_loop().time() + timeout
        while self._queue or not self._idle.is_set():
            if asyncio.get_running_loop().time() > deadline or self._failures > failures:
                return
            await asyncio.sleep(0.01)

    async def ready(self) -> tuple[bool, str]:
        try:
            await self._client.ping()
            return True, f"stream {self.stream}"
        except Exception as exc:  # noqa: BLE001
            return False, f"redis unreachable ({type(exc).__name__})"

    async def aclose(self) -> None:
        with contextlib.suppress(Exception):
            await self.flush(timeout=2.0)
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        if self._client is not None:
            with contextlib.suppress(Exception):
                await self._client.aclose()
