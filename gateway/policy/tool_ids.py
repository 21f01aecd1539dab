"""Which tool-call ids the gateway handed to which principal, and what it decided.

A `tool` message is only accepted as the answer to a call this gateway released to the same
principal. Two stores: in memory (one replica; LRU-bounded per principal and in principals)
and Redis (shared by every replica, so a conversation may hop between them; one hash per
principal with a TTL; a request's tool messages are looked up in one HMGET). With
`backend: auto` the Redis store is used whenever `general_settings.redis_url` is set.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from typing import Literal, Protocol

import redis.asyncio as aioredis
from redis.exceptions import RedisError

Status = Literal["allowed", "denied", "held"]
_STATUSES: frozenset[str] = frozenset(("allowed", "denied", "held"))


class ToolIdsUnavailable(Exception):
    """The shared store could not be reached: the caller decides (fail closed by default)."""


class ToolCallStore(Protocol):
    async def record(self, principal: str, call_id: str, status: Status) -> None: ...
    async def statuses(self, principal: str, call_ids: list[str]) -> dict[str, Status]: ...
    async def ready(self) -> tuple[bool, str]: ...
    async def aclose(self) -> None: ...


class IssuedToolCalls:
    """In memory, per replica."""

    def __init__(self, max_per_principal: int = 10_000, max_principals: int = 10_000) -> None:
        self.max_per_principal = max_per_principal
        self.max_principals = max_principals
        self._by_principal: OrderedDict[str, OrderedDict[str, Status]] = OrderedDict()

    async def record(self, principal: str, call_id: str, status: Status) -> None:
        ids = self._by_principal.get(principal)
        if ids is None:
            ids = self._by_principal[principal] = OrderedDict()
            while len(self._by_principal) > self.max_principals:
                self._by_principal.popitem(last=False)
        else:
            self._by_principal.move_to_end(principal)
        ids[call_id] = status
        ids.move_to_end(call_id)
        while len(ids) > self.max_per_principal:
            ids.popitem(last=False)

    async def statuses(self, principal: str, call_ids: list[str]) -> dict[str, Status]:
        """What was decided for each of `call_ids` (ids never issued are left out)."""
        ids = self._by_principal.get(principal) or {}
        return {c: ids[c] for c in call_ids if c in ids}

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
        self._client: aioredis.Redis | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def _redis(self) -> aioredis.Redis:
        loop = asyncio.get_running_loop()
        if self._client is None or self._loop is not loop:
            self._client = aioredis.Redis.from_url(
                self.url, socket_connect_timeout=self.timeout, socket_timeout=self.timeout,
                decode_responses=True)
            self._loop = loop
        return self._client

    async def record(self, principal: str, call_id: str, status: Status) -> None:
        key = self.prefix + principal
        try:
            async with self._redis().pipeline(transaction=False) as pipe:
                await pipe.hset(key, call_id, status).expire(key, self.ttl_s).execute()
        except (RedisError, OSError) as exc:
            raise ToolIdsUnavailable(type(exc).__name__) from None

    async def statuses(self, principal: str, call_ids: list[str]) -> dict[str, Status]:
        """One HMGET for every tool message of a request, however long the conversation."""
        if not call_ids:
            return {}
        try:
            values = await self._redis().hmget(self.prefix + principal, call_ids)
        except (RedisError, OSError) as exc:
            raise ToolIdsUnavailable(type(exc).__name__) from None
        return {c: v for c, v in zip(call_ids, values) if v in _STATUSES}

    async def ready(self) -> tuple[bool, str]:
        try:
            await self._redis().ping()
            return True, "redis"
        except (RedisError, OSError) as exc:
            return False, f"tool-call id store (redis) unreachable: {type(exc).__name__}"

    async def aclose(self) -> None:
        if self._client is not None and self._loop is asyncio.get_running_loop():
            await self._client.aclose()
        self._client = None
