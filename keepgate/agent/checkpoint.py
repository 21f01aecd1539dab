"""Where run states are saved after every step: an embedded SQLite file or Redis.

Both stores keep one JSON document per run (last write wins); a run is resumed by loading it.
A run executes in one process at a time: that process holds the run's lease (renewed while
it runs, expiring `lease_s` after a crash), so two replicas never drive one run and
overwrite each other's checkpoints. A store's `clock` (epoch seconds) decides when a lease or
a cancel request has expired: the real one by default (SQLite: `time.time`; Redis: its
`TIME`, one clock for every replica), a test's own to expire a lease without waiting.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from pathlib import Path
from collections.abc import Callable
from typing import Any, Protocol

import orjson

from keepgate.agent.state import RunState
from keepgate.connections import sqlite_file


class CheckpointStore(Protocol):
    #: Epoch seconds that lease and cancel expiries are judged on; None: the store's own.
    clock: Callable[[], float] | None

    async def save(self, state: RunState) -> None: ...
    async def load(self, run_id: str) -> RunState | None: ...
    async def ready(self) -> tuple[bool, str]: ...
    async def aclose(self) -> None: ...
    async def claim(self, run_id: str, owner: str, ttl_s: float) -> bool:
        """Take or renew the run's lease for `owner`; False if another owner holds it."""

    async def release(self, run_id: str, owner: str) -> None:
        """Give the lease back, if `owner` still holds it."""

    async def request_cancel(self, run_id: str, ttl_s: float) -> None:
        """Ask whichever process holds the run's lease to cancel it."""

    async def cancel_requested(self, run_id: str) -> bool:
        """Has another process asked for this run to be cancelled?"""


def _dump(state: RunState) -> str:
    """The whole state, once per step (orjson: ~20x the stdlib on a long conversation)."""
    return orjson.dumps(state.to_dict(), default=str, option=orjson.OPT_NON_STR_KEYS).decode()


class SQLiteStore:
    """One file, WAL mode; writes are small and run inline (a fraction of a millisecond)."""

    def __init__(self, path: str | Path, clock: Callable[[], float] | None = None) -> None:
        self.path = Path(path)
        self.clock = clock
        self._lock = threading.Lock()
        self._conn = sqlite_file(
            self.path,
            (
                "CREATE TABLE IF NOT EXISTS agent_runs (id TEXT PRIMARY KEY, "
                "key_id TEXT, status TEXT, updated_at REAL, state TEXT NOT NULL)",
                # Processes sharing the file (one host) lease runs like Redis replicas do.
                "CREATE TABLE IF NOT EXISTS agent_leases (id TEXT PRIMARY KEY, "
                "owner TEXT NOT NULL, expires REAL NOT NULL)",
                "CREATE TABLE IF NOT EXISTS agent_cancels (id TEXT PRIMARY KEY, "
                "expires REAL NOT NULL)",
            ),
        )

    async def save(self, state: RunState) -> None:
        with self._lock:
            self._conn.execute(
                "INSERT INTO agent_runs (id, key_id, status, updated_at, state) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET status=excluded.status, "
                "updated_at=excluded.updated_at, state=excluded.state",
                (state.id, state.key_id, state.status, state.updated_at, _dump(state)),
            )

    async def load(self, run_id: str) -> RunState | None:
        with self._lock:
            row = self._conn.execute(
                "SELECT state FROM agent_runs WHERE id = ?", (run_id,)
            ).fetchone()
        return RunState.from_dict(orjson.loads(row[0])) if row else None

    def _now(self) -> float:
        return time.time() if self.clock is None else self.clock()

    async def claim(self, run_id: str, owner: str, ttl_s: float) -> bool:
        now = self._now()
        with self._lock:
            cur = self._conn.execute(
                "INSERT INTO agent_leases (id, owner, expires) VALUES (?, ?, ?) "
                "ON CONFLICT(id) DO UPDATE SET owner=excluded.owner, expires=excluded.expires "
                "WHERE agent_leases.owner = excluded.owner OR agent_leases.expires < ?",
                (run_id, owner, now + ttl_s, now),
            )
            return cur.rowcount > 0

    async def release(self, run_id: str, owner: str) -> None:
        with self._lock:
            self._conn.execute(
                "DELETE FROM agent_leases WHERE id = ? AND owner = ?", (run_id, owner)
            )

    async def request_cancel(self, run_id: str, ttl_s: float) -> None:
        with self._lock:
            self._conn.execute(
                "INSERT OR REPLACE INTO agent_cancels (id, expires) VALUES (?, ?)",
                (run_id, self._now() + ttl_s),
            )

    async def cancel_requested(self, run_id: str) -> bool:
        with self._lock:
            row = self._conn.execute(
                "SELECT expires FROM agent_cancels WHERE id = ?", (run_id,)
            ).fetchone()
        return bool(row and row[0] > self._now())

    async def ready(self) -> tuple[bool, str]:
        try:
            with self._lock:
                self._conn.execute("SELECT 1")
            return True, "sqlite"
        except sqlite3.Error as exc:
            return False, f"sqlite: {type(exc).__name__}"

    async def aclose(self) -> None:
        with self._lock:
            self._conn.close()


#: The scripts' clock: the caller's epoch milliseconds as ARGV[n], or Redis's TIME when ''.
_NOW = """
local function now_ms(arg)
  local now = tonumber(arg)
  if now == nil then
    local t = redis.call('TIME')
    now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  end
  return now
end
"""
#: Take the lease if it is free, expired or already ours (renewing its expiry); atomic.
#: The value is "<owner> <expires ms>"; the key's own expiry only collects crashed leases.
#: ARGV: owner, ttl ms, now ms, key expiry ms.
_CLAIM = (
    _NOW
    + """
local now = now_ms(ARGV[3])
local v = redis.call('GET', KEYS[1])
if v then
  local owner, expires = string.match(v, '^(%S+) (%d+)$')
  if owner ~= ARGV[1] and not (expires and tonumber(expires) <= now) then return 0 end
end
redis.call('SET', KEYS[1], ARGV[1] .. ' ' .. string.format('%d', now + tonumber(ARGV[2])),
           'PX', ARGV[4])
return 1
"""
)
#: Delete the lease only if it is still ours.
_RELEASE = """
local v = redis.call('GET', KEYS[1])
if v and string.match(v, '^(%S+)') == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""
#: Ask for a cancel: the value is its expiry in ms. ARGV: now ms, ttl ms, key expiry ms.
_CANCEL = (
    _NOW
    + """
local expires = string.format('%d', now_ms(ARGV[1]) + tonumber(ARGV[2]))
redis.call('SET', KEYS[1], expires, 'PX', ARGV[3])
"""
)
#: Is the cancel request still standing? ARGV: now ms.
_CANCELLED = (
    _NOW
    + """
local v = tonumber(redis.call('GET', KEYS[1]))
if v and v > now_ms(ARGV[1]) then return 1 end
return 0
"""
)


class RedisStore:
    """`<prefix>run:<id>` -> JSON, expiring `ttl_s` after the last write."""

    def __init__(
        self, url: str, prefix: str, ttl_s: int, clock: Callable[[], float] | None = None
    ) -> None:
        import redis.asyncio as redis

        self.client: Any = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)
        self.prefix = prefix
        self.ttl_s = ttl_s
        self.clock = clock

    def _now_ms(self) -> str:
        """'' lets the scripts read Redis's TIME."""
        return "" if self.clock is None else str(int(self.clock() * 1000))

    def _gc_ms(self, ttl_s: float) -> int:
        """How long Redis keeps a lease or cancel key: as long as the run's checkpoint (the
        value's expiry, on the store's clock, decides whether it still holds)."""
        return max(1, int(ttl_s * 1000), self.ttl_s * 1000)

    def _key(self, run_id: str) -> str:
        return f"{self.prefix}run:{run_id}"

    async def save(self, state: RunState) -> None:
        await self.client.set(self._key(state.id), _dump(state), ex=self.ttl_s)

    async def load(self, run_id: str) -> RunState | None:
        raw = await self.client.get(self._key(run_id))
        return RunState.from_dict(orjson.loads(raw)) if raw else None

    async def claim(self, run_id: str, owner: str, ttl_s: float) -> bool:
        ttl_ms, key = max(1, int(ttl_s * 1000)), self._lease(run_id)
        return bool(
            await self.client.eval(
                _CLAIM, 1, key, owner, ttl_ms, self._now_ms(), self._gc_ms(ttl_s)
            )
        )

    async def release(self, run_id: str, owner: str) -> None:
        await self.client.eval(_RELEASE, 1, self._lease(run_id), owner)

    def _lease(self, run_id: str) -> str:
        return f"{self.prefix}lease:{run_id}"

    async def request_cancel(self, run_id: str, ttl_s: float) -> None:
        key, ttl_ms = f"{self.prefix}cancel:{run_id}", max(1, int(ttl_s * 1000))
        await self.client.eval(_CANCEL, 1, key, self._now_ms(), ttl_ms, self._gc_ms(ttl_s))

    async def cancel_requested(self, run_id: str) -> bool:
        key = f"{self.prefix}cancel:{run_id}"
        return bool(await self.client.eval(_CANCELLED, 1, key, self._now_ms()))

    async def ready(self) -> tuple[bool, str]:
        try:
            await asyncio.wait_for(self.client.ping(), 2)
            return True, "redis"
        except Exception as exc:  # noqa: BLE001
            return False, f"redis: {type(exc).__name__}"

    async def aclose(self) -> None:
        await self.client.aclose()
