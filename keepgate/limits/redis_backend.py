"""Redis buckets shared by every replica: each reserve and each settle is one EVALSHA.

Keys, per subject (`kind` is key or team):
  {prefix}:{kind}:{id}:bucket    hash: ts + use per refilling dimension; expires once full
  {prefix}:{kind}:{id}:usage     hash: totals, budget use, per-model spend; expires after
                                 `usage_ttl` seconds without traffic (refreshed on each call)
  {prefix}:{kind}:{id}:override  hash: caps set through the admin API (no expiry: it is config)
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from importlib.resources import files
from typing import Any

import redis.asyncio as aioredis
from redis.backoff import NoBackoff
from redis.asyncio.retry import Retry
from redis.exceptions import NoScriptError, RedisError
from redis.typing import EncodableT, FieldT

from keepgate.limits.backend import (
    Actual,
    Amounts,
    BackendUnavailable,
    BucketView,
    ReserveResult,
    SubjectUsage,
    parse_totals,
)
from keepgate.limits.local import drained, view
from keepgate.limits.spec import PERIODS, Caps, Subject


class Script:
    """A Lua script run by EVALSHA; reloaded once when the server answers NOSCRIPT
    (after a restart or SCRIPT FLUSH)."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.sha = hashlib.sha1(source.encode()).hexdigest()

    async def __call__(self, client: aioredis.Redis, keys: list[str], args: list[Any]) -> Any:
        try:
            return await client.evalsha(self.sha, len(keys), *keys, *args)
        except NoScriptError:
            await client.script_load(self.source)
            return await client.evalsha(self.sha, len(keys), *keys, *args)


def _load(name: str) -> Script:
    """A script with buckets.lua (what reserve and settle share) in front of it: Redis
    runs one source per script, with no way to import another."""
    here = files("keepgate.limits")
    shared = here.joinpath("buckets.lua").read_text(encoding="utf-8")
    return Script(shared + "\n" + here.joinpath(name).read_text(encoding="utf-8"))


RESERVE = _load("reserve.lua")
SETTLE = _load("settle.lua")


def _f(x: float) -> str:
    return repr(float(x))


class RedisBackend:
    name = "redis"

    def __init__(
        self,
        url: str,
        *,
        prefix: str = "keepgate:limits",
        usage_ttl_s: int = 400 * 86400,
        timeout_s: float = 0.25,
        max_connections: int = 32,
        client: aioredis.Redis | None = None,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self.prefix = prefix
        #: None: the buckets run on Redis's TIME, one clock for every replica. A test
        #: passes its own to move time by hand (the scripts take it as their last ARGV).
        self.clock = clock
        self.usage_ttl_s = int(usage_ttl_s)
        # A bounded pool that queues callers: 200 concurrent calls share 32 connections
        # instead of failing once the pool is full.
        pool = aioredis.BlockingConnectionPool.from_url(
            url,
            decode_responses=True,
            socket_timeout=timeout_s,
            socket_connect_timeout=timeout_s,
            retry_on_timeout=False,
            retry=Retry(NoBackoff(), 1),  # one retry for a stale connection, no backoff
            max_connections=max_connections,
            # The wait for a free connection is part of the operation's hang bound: a burst
            # of 200 calls on a loaded box waited past a fixed 2 s and got 503s while Redis
            # was fine. Never under 2 s, and as long as the configured timeout above it.
            timeout=max(2.0, timeout_s),
        )
        self.client = client or aioredis.Redis(connection_pool=pool)

    def keys_of(self, subject: Subject) -> list[str]:
        base = f"{self.prefix}:{subject.kind}:{subject.id}"
        return [f"{base}:bucket", f"{base}:usage", f"{base}:override"]

    def _now(self) -> str:
        return "" if self.clock is None else _f(self.clock())

    def _frame(self, subjects: Sequence[Subject]) -> tuple[list[str], list[Any]]:
        keys: list[str] = []
        caps: list[Any] = []
        for s in subjects:
            keys += self.keys_of(s)
            caps.append(len(s.caps))
            for dim, cap in s.caps:
                caps += [dim, _f(cap)]
        caps.append(self._now())  # last, as buckets.lua reads it
        return keys, caps

    async def _run(self, script: Script, keys: list[str], args: list[Any]) -> Any:
        try:
            return await script(self.client, keys, args)
        except (RedisError, OSError) as exc:
            raise BackendUnavailable(f"redis: {type(exc).__name__}") from exc

    async def reserve(self, subjects: Sequence[Subject], need: Amounts) -> ReserveResult:
        keys, caps = self._frame(subjects)
        out = await self._run(
            RESERVE,
            keys,
            [len(subjects), need.requests, need.tokens, _f(need.usd), self.usage_ttl_s, *caps],
        )
        allowed = out[0] == "1"
        buckets: list[BucketView] = []
        pos = 4
        for s in subjects:
            n = int(out[pos])
            pos += 1
            for _ in range(n):
                dim, cap, rem, reset = out[pos : pos + 4]
                pos += 4
                r = float(reset)
                buckets.append(
                    BucketView(s.label, dim, float(cap), float(rem), r if r >= 0 else None)
                )
        if allowed:
            return ReserveResult(True, buckets)
        retry = float(out[3])
        return ReserveResult(
            False, buckets, subjects[int(out[1]) - 1].label, out[2], retry if retry >= 0 else None
        )

    async def settle(self, subjects: Sequence[Subject], delta: Amounts, actual: Actual) -> None:
        keys, caps = self._frame(subjects)
        await self._run(
            SETTLE,
            keys,
            [
                len(subjects),
                delta.tokens,
                _f(delta.usd),
                self.usage_ttl_s,
                actual.prompt_tokens,
                actual.completion_tokens,
                _f(actual.usd),
                actual.model,
                int(actual.blocked),
                *caps,
            ],
        )

    async def usage(self, subject: Subject) -> SubjectUsage:
        bkey, ukey, okey = self.keys_of(subject)
        try:
            async with self.client.pipeline(transaction=True) as pipe:
                pipe.hgetall(bkey)
                pipe.hgetall(ukey)
                pipe.hgetall(okey)
                pipe.time()
                state, raw, over, (sec, usec) = await pipe.execute()
        except (RedisError, OSError) as exc:
            raise BackendUnavailable(f"redis: {type(exc).__name__}") from exc
        caps = {k: float(v) for k, v in over.items() if k != "_set"} if over else dict(subject.caps)
        now = sec + usec / 1e6 if self.clock is None else self.clock()
        elapsed = max(0.0, now - float(state.get("ts") or 0.0)) if state else 0.0
        budget_used = float(raw.get("budget_used") or 0.0)
        buckets = []
        for dim, cap in caps.items():
            used = (
                drained(dim, cap, float(state.get(dim) or 0.0), elapsed)
                if PERIODS[dim]
                else budget_used
            )
            buckets.append(view(subject.label, dim, cap, used))
        totals, by_model = parse_totals(raw)
        return SubjectUsage(subject.label, caps, bool(over), buckets, totals, by_model)

    async def set_override(self, subject: Subject, caps: Caps | None) -> None:
        okey = self.keys_of(subject)[2]
        try:
            async with self.client.pipeline(transaction=True) as pipe:
                pipe.delete(okey)
                if caps is not None:
                    mapping: dict[FieldT, EncodableT] = {"_set": "1"}
                    mapping.update({d: _f(c) for d, c in caps.items()})
                    pipe.hset(okey, mapping=mapping)
                await pipe.execute()
        except (RedisError, OSError) as exc:
            raise BackendUnavailable(f"redis: {type(exc).__name__}") from exc

    async def reset(self, subject: Subject) -> None:
        bkey, ukey, _ = self.keys_of(subject)
        try:
            async with self.client.pipeline(transaction=True) as pipe:
                pipe.delete(bkey)
                pipe.hdel(ukey, "budget_used")
                await pipe.execute()
        except (RedisError, OSError) as exc:
            raise BackendUnavailable(f"redis: {type(exc).__name__}") from exc

    async def ping(self) -> None:
        try:
            await self.client.ping()
        except (RedisError, OSError) as exc:
            raise BackendUnavailable(f"redis: {type(exc).__name__}") from exc

    async def aclose(self) -> None:
        await self.client.aclose()
        await self.client.connection_pool.disconnect()
