"""Which tool-call ids the gateway handed to which principal, what it decided, and what the
call was.

A `tool` message is only accepted as the answer to a call this gateway released to the same
principal, and an assistant turn that carries an issued id must carry the same tool name and
arguments the gateway released (`call_digest`: a digest of the name and the canonical JSON
of the arguments, so a client that re-serialises them — /v1/messages, /v1/responses — still
matches, and one that rewrites them does not). Two stores: in memory (one replica; LRU-bounded per principal and in principals)
and Redis (shared by every replica, so a conversation may hop between them; one hash per
principal with a TTL; a request's tool messages are looked up in one HMGET). With
`backend: auto` the Redis store is used whenever `general_settings.redis_url` is set.

With `on_backend_error: fallback_local` (by default whatever `guards.limits.on_backend_error`
says, so one switch sets both) the Redis store is wrapped in `FallbackToolCalls`: every id is
also kept in this replica's memory, so while Redis is down a conversation keeps working on
the replica that released its calls, and readiness says `degraded` instead of failing.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any, Literal, Protocol

from redis.exceptions import RedisError

from keepgate.connections import redis_client

log = logging.getLogger("keepgate.policy")

Status = Literal["allowed", "denied", "held"]
_STATUSES: frozenset[str] = frozenset(("allowed", "denied", "held"))


def canonical_arguments(arguments: Any) -> str:
    """Arguments as canonical JSON: parsed, keys sorted, compact, integral floats as ints.
    Unparseable text stays as it is (it can only match itself)."""
    value = arguments
    try:
        if isinstance(arguments, str):
            value = json.loads(arguments or "{}")
        return json.dumps(_ints(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    except (ValueError, TypeError, RecursionError):  # not JSON, or nested past the stack
        return arguments if isinstance(arguments, str) else repr(arguments)


def _ints(v: Any) -> Any:
    if isinstance(v, float) and v.is_integer() and abs(v) < 2**53:
        return int(v)
    if isinstance(v, dict):
        return {str(k): _ints(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_ints(x) for x in v]
    return v


def call_digest(name: str, arguments: Any) -> str:
    """What binds an issued id to the call it was issued for (24 hex digits)."""
    raw = json.dumps([name, canonical_arguments(arguments)], ensure_ascii=False)
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:24]


def encode(status: Status, digests: tuple[str, ...] = ()) -> str:
    return status + (":" + ",".join(digests) if digests else "")


def decode(value: str | None) -> tuple[Status, frozenset[str]] | None:
    """(status, digests) from a stored value; values from before digests have none."""
    if not value:
        return None
    status, _, rest = value.partition(":")
    if status not in _STATUSES:
        return None
    return status, frozenset(d for d in rest.split(",") if d)  # type: ignore[return-value]


class ToolIdsUnavailable(Exception):
    """The shared store could not be reached: the caller decides (fail closed by default)."""


class ToolCallStore(Protocol):
    async def record(
        self, principal: str, call_id: str, status: Status, digests: tuple[str, ...] = ()
    ) -> None: ...
    async def statuses(self, principal: str, call_ids: list[str]) -> dict[str, Status]: ...
    async def entries(
        self, principal: str, call_ids: list[str]
    ) -> dict[str, tuple[Status, frozenset[str]]]: ...
    async def ready(self) -> tuple[bool | str, str]: ...
    async def aclose(self) -> None: ...


class IssuedToolCalls:
    """In memory, per replica."""

    def __init__(self, max_per_principal: int = 10_000, max_principals: int = 10_000) -> None:
        self.max_per_principal = max_per_principal
        self.max_principals = max_principals
        self._by_principal: OrderedDict[str, OrderedDict[str, str]] = OrderedDict()

    async def record(
        self, principal: str, call_id: str, status: Status, digests: tuple[str, ...] = ()
    ) -> None:
        ids = self._by_principal.get(principal)
        if ids is None:
            ids = self._by_principal[principal] = OrderedDict()
            while len(self._by_principal) > self.max_principals:
                self._by_principal.popitem(last=False)
        else:
            self._by_principal.move_to_end(principal)
        ids[call_id] = encode(status, digests)
        ids.move_to_end(call_id)
        while len(ids) > self.max_per_principal:
            ids.popitem(last=False)

    async def statuses(self, principal: str, call_ids: list[str]) -> dict[str, Status]:
        """What was decided for each of `call_ids` (ids never issued are left out)."""
        return {c: e[0] for c, e in (await self.entries(principal, call_ids)).items()}

    async def entries(
        self, principal: str, call_ids: list[str]
    ) -> dict[str, tuple[Status, frozenset[str]]]:
        """(status, digests) for each of `call_ids` that was issued."""
        ids: Mapping[str, str] = self._by_principal.get(principal) or {}
        out: dict[str, tuple[Status, frozenset[str]]] = {}
        for c in call_ids:
            e = decode(ids.get(c))
            if e is not None:
                out[c] = e
        return out

    async def ready(self) -> tuple[bool, str]:
        return True, "memory"

    async def aclose(self) -> None:
        pass

    def __len__(self) -> int:
        return sum(len(v) for v in self._by_principal.values())


class RedisToolCalls:
    """Shared by replicas: `HSET prefix+principal call_id status`, expiring `ttl_s` after the
    principal's last tool call (one round trip per recorded call and per checked message)."""

    def __init__(self, url: str, *, prefix: str, ttl_s: int, timeout: float = 1.0) -> None:
        self.url, self.prefix, self.ttl_s, self.timeout = url, prefix, ttl_s, timeout
        self._redis = redis_client(url, timeout)

    async def record(
        self, principal: str, call_id: str, status: Status, digests: tuple[str, ...] = ()
    ) -> None:
        key = self.prefix + principal
        try:
            redis = await self._redis.get()
            async with redis.pipeline(transaction=False) as pipe:
                pipe.hset(key, call_id, encode(status, digests))
                pipe.expire(key, self.ttl_s)
                await pipe.execute()
        except (RedisError, OSError) as exc:
            raise ToolIdsUnavailable(type(exc).__name__) from None

    async def statuses(self, principal: str, call_ids: list[str]) -> dict[str, Status]:
        return {c: e[0] for c, e in (await self.entries(principal, call_ids)).items()}

    async def entries(
        self, principal: str, call_ids: list[str]
    ) -> dict[str, tuple[Status, frozenset[str]]]:
        """One HMGET for every id of a request, however long the conversation."""
        if not call_ids:
            return {}
        try:
            redis = await self._redis.get()
            values = await redis.hmget(self.prefix + principal, call_ids)
        except (RedisError, OSError) as exc:
            raise ToolIdsUnavailable(type(exc).__name__) from None
        out = {}
        for c, v in zip(call_ids, values):
            e = decode(v if isinstance(v, str) else None)  # decode_responses: always str
            if e is not None:
                out[c] = e
        return out

    async def ready(self) -> tuple[bool, str]:
        try:
            await (await self._redis.get()).ping()
            return True, "redis"
        except (RedisError, OSError) as exc:
            return False, f"tool-call id store (redis) unreachable: {type(exc).__name__}"

    async def aclose(self) -> None:
        await self._redis.aclose()


class FallbackToolCalls:
    """Redis, written through to a local LRU; reads fall back to it while Redis is down.

    Reads ask Redis first (ids other replicas released) and this replica's memory for ids
    Redis does not know (released here while it was down). After a Redis error, Redis is
    skipped for `retry_after_s` so an outage costs no time per request. Never raises
    `ToolIdsUnavailable`: a `tool` message answering a call another replica released during
    the outage is refused as unknown (fail closed per message, never a forged pass).
    """

    def __init__(
        self, shared: RedisToolCalls, local: IssuedToolCalls, *, retry_after_s: float = 1.0
    ) -> None:
        self.shared, self.local, self.retry_after_s = shared, local, retry_after_s
        self._down_until = 0.0
        self._last_warning = 0.0

    def _failed(self, exc: ToolIdsUnavailable) -> None:
        now = time.monotonic()
        self._down_until = now + self.retry_after_s
        if now - self._last_warning > 10:
            self._last_warning = now
            log.warning(
                "tool-call id store (redis) unavailable (%s); using this replica's memory", exc
            )

    def _shared_up(self) -> bool:
        return time.monotonic() >= self._down_until

    async def record(
        self, principal: str, call_id: str, status: Status, digests: tuple[str, ...] = ()
    ) -> None:
        await self.local.record(principal, call_id, status, digests)
        if self._shared_up():
            try:
                await self.shared.record(principal, call_id, status, digests)
            except ToolIdsUnavailable as exc:
                self._failed(exc)

    async def statuses(self, principal: str, call_ids: list[str]) -> dict[str, Status]:
        return {c: e[0] for c, e in (await self.entries(principal, call_ids)).items()}

    async def entries(
        self, principal: str, call_ids: list[str]
    ) -> dict[str, tuple[Status, frozenset[str]]]:
        found: dict[str, tuple[Status, frozenset[str]]] = {}
        if self._shared_up():
            try:
                found = await self.shared.entries(principal, call_ids)
            except ToolIdsUnavailable as exc:
                self._failed(exc)
        missing = [c for c in call_ids if c not in found]
        if missing:
            found.update(await self.local.entries(principal, missing))
        return found

    async def ready(self) -> tuple[bool | str, str]:
        ok, detail = await self.shared.ready()
        if ok:
            return True, "redis (local fallback)"
        return "degraded", f"{detail}; using this replica's memory"

    async def aclose(self) -> None:
        await self.shared.aclose()
