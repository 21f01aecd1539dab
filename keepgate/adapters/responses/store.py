"""The gateway's store of Responses API answers, per API key (memory or Redis).

Why the gateway keeps them, not the upstream: a chat-only upstream keeps nothing, and a
Responses upstream's stored answer is the unguarded one (PII unscrubbed, denied calls
present). So the gateway stores the conversation it guarded: the request's input items (the
whole chain, `previous_response_id` already expanded) and the answer as the client got it.
`previous_response_id` continues from there, every guard sees the whole conversation again,
and `GET /v1/responses/{id}` returns what the client saw. A key reads only its own responses.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from typing import Protocol, TypedDict

import orjson

from keepgate.adapters.base import new_id
from keepgate.config.model import KeepgateConfig, ResponseStoreSettings
from keepgate.jsontypes import JsonObject

log = logging.getLogger("keepgate.responses")


class Stored(TypedDict):
    """What is kept of one response for `previous_response_id`."""

    #: The Responses API object the client was answered with.
    response: JsonObject
    #: The input items it answered (the continued conversation starts with them).
    input: list[JsonObject]


ID_PREFIX = {
    "message": "msg_",
    "function_call": "fc_",
    "function_call_output": "fco_",
    "reasoning": "rs_",
}


class StoreUnavailable(Exception):
    """The shared store could not be reached."""


class ResponseStore(Protocol):
    async def get(self, key_id: str, response_id: str) -> Stored | None: ...
    async def put(self, key_id: str, response_id: str, stored: Stored) -> None: ...
    async def delete(self, key_id: str, response_id: str) -> bool: ...
    async def ready(self) -> tuple[bool, str]: ...
    async def aclose(self) -> None: ...


class MemoryStore:
    """One replica's responses, least recently used evicted first (by count and bytes)."""

    def __init__(self, max_responses: int, max_bytes: int = 256 * 2**20) -> None:
        self.max = max_responses
        self.max_bytes = max_bytes
        self.bytes = 0
        self._items: OrderedDict[tuple[str, str], bytes] = OrderedDict()

    async def get(self, key_id: str, response_id: str) -> Stored | None:
        raw = self._items.get((key_id, response_id))
        if raw is None:
            return None
        self._items.move_to_end((key_id, response_id))
        stored: Stored = orjson.loads(raw)
        return stored

    async def put(self, key_id: str, response_id: str, stored: Stored) -> None:
        raw = orjson.dumps(stored, default=str)
        old = self._items.pop((key_id, response_id), None)
        self.bytes += len(raw) - (len(old) if old is not None else 0)
        self._items[(key_id, response_id)] = raw
        while self._items and (len(self._items) > self.max or self.bytes > self.max_bytes):
            _, evicted = self._items.popitem(last=False)
            self.bytes -= len(evicted)

    async def delete(self, key_id: str, response_id: str) -> bool:
        raw = self._items.pop((key_id, response_id), None)
        if raw is not None:
            self.bytes -= len(raw)
        return raw is not None

    async def ready(self) -> tuple[bool, str]:
        return True, "memory"

    async def aclose(self) -> None:
        return None


class RedisStore:
    """Shared by every replica: one key per response, expiring after `ttl_s`."""

    def __init__(self, url: str, prefix: str, ttl_s: int) -> None:
        import redis.asyncio as aioredis

        self.redis = aioredis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self.prefix = prefix
        self.ttl_s = ttl_s

    def _key(self, key_id: str, response_id: str) -> str:
        return f"{self.prefix}{key_id}:{response_id}"

    async def get(self, key_id: str, response_id: str) -> Stored | None:
        from redis.exceptions import RedisError

        try:
            raw = await self.redis.get(self._key(key_id, response_id))
        except RedisError as exc:
            raise StoreUnavailable(type(exc).__name__) from None
        return orjson.loads(raw) if raw is not None else None

    async def put(self, key_id: str, response_id: str, stored: Stored) -> None:
        from redis.exceptions import RedisError

        try:
            await self.redis.set(
                self._key(key_id, response_id), orjson.dumps(stored, default=str), ex=self.ttl_s
            )
        except RedisError as exc:
            raise StoreUnavailable(type(exc).__name__) from None

    async def delete(self, key_id: str, response_id: str) -> bool:
        from redis.exceptions import RedisError

        try:
            return bool(await self.redis.delete(self._key(key_id, response_id)))
        except RedisError as exc:
            raise StoreUnavailable(type(exc).__name__) from None

    async def ready(self) -> tuple[bool, str]:
        from redis.exceptions import RedisError

        try:
            await self.redis.ping()
        except RedisError as exc:
            return False, f"redis unreachable ({type(exc).__name__})"
        return True, "redis"

    async def aclose(self) -> None:
        await self.redis.aclose()


def build_store(config: KeepgateConfig) -> ResponseStore | None:
    s: ResponseStoreSettings = config.general_settings.response_store
    if s.backend == "off":
        return None
    url = s.redis_url or config.general_settings.redis_url
    if s.backend == "redis" or (s.backend == "auto" and url):
        if not url:
            from keepgate.config.load import config_error

            raise config_error(
                config,
                ("general_settings", "response_store", "backend"),
                "response_store.backend is redis but no redis_url is set",
            )
        return RedisStore(url, s.prefix, s.ttl_s)
    return MemoryStore(s.max_responses, s.max_memory_mb * 2**20)


def with_ids(items: list[JsonObject]) -> list[JsonObject]:
    """Input items as stored and listed by `input_items`: each with an id and a type, a
    message's text as content parts (how OpenAI lists them)."""
    out = []
    for item in items:
        if not isinstance(item, dict):
            continue
        kind = item.get("type") or "message"
        item = {**item, "type": kind}
        if not item.get("id"):
            item["id"] = new_id(ID_PREFIX.get(kind, "item_"))
        if kind == "message" and isinstance(item.get("content"), str):
            part = "output_text" if item.get("role") == "assistant" else "input_text"
            item["content"] = [{"type": part, "text": item["content"]}]
        out.append(item)
    return out


def continuation(stored: Stored) -> list[JsonObject]:
    """The items a continued conversation starts with: the stored input and the answer.

    Ids are dropped (a stateless upstream would look them up), except a reasoning item's,
    which the upstream needs with its encrypted content.
    """
    items = list(stored.get("input") or ()) + list(
        (stored.get("response") or {}).get("output") or ()
    )
    return [
        item
        if item.get("type") == "reasoning"
        else {k: v for k, v in item.items() if k not in ("id", "status")}
        for item in items
    ]
