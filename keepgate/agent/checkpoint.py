"""Where run states are saved after every step: an embedded SQLite file or Redis.

Both stores keep one JSON document per run (last write wins); a run is resumed by loading it.
A run executes in one process at a time: that process holds the run's lease (renewed while
it runs, expiring `lease_s` after a crash), so two replicas never drive one run and
overwrite each other's checkpoints.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any, Protocol

import orjson

from keepgate.agent.state import RunState
from keepgate.connections import sqlite_file


class CheckpointStore(Protocol):
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

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
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

    async def claim(self, run_id: str, owner: str, ttl_s: float) -> bool:
        now = time.time()
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
                (run_id, time.time() + ttl_s),
            )

    async def cancel_requested(self, run_id: str) -> bool:
        with self._lock:
            row = self._conn.execute(
                "SELECT expires FROM agent_cancels WHERE id = ?", (run_id,)
            ).fetchone()
        return bool(row and row[0] > time.time())

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


#: Take the lease if it is free or already ours (renewing its expiry); atomic.
_CLAIM = """
local v = redis.call('GET', KEYS[1])
if v and v ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
"""
#: Delete the lease only if it is still ours.
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class RedisStore:
    """`<prefix>run:<id>` -> JSON, expiring `ttl_s` after the last write."""

    def __init__(self, url: str, prefix: str, ttl_s: int) -> None:
        import redis.asyncio as redis

        self.client: Any = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)
        self.prefix = prefix
        self.ttl_s = ttl_s

    def _key(self, run_id: str) -> str:
        return f"{self.prefix}run:{run_id}"

    async def save(self, state: RunState) -> None:
        await self.client.set(self._key(state.id), _dump(state), ex=self.ttl_s)

    async def load(self, run_id: str) -> RunState | None:
        raw = await self.client.get(self._key(run_id))
        return RunState.from_dict(orjson.loads(raw)) if raw else None

    async def claim(self, run_id: str, owner: str, ttl_s: float) -> bool:
        return bool(
            await self.client.eval(_CLAIM, 1, self._lease(run_id), owner, max(1, int(ttl_s * 1000)))
        )

    async def release(self, run_id: str, owner: str) -> None:
        await self.client.eval(_RELEASE, 1, self._lease(run_id), owner)

    def _lease(self, run_id: str) -> str:
        return f"{self.prefix}lease:{run_id}"

    async def request_cancel(self, run_id: str, ttl_s: float) -> None:
        await self.client.set(f"{self.prefix}cancel:{run_id}", 1, px=max(1, int(ttl_s * 1000)))

    async def cancel_requested(self, run_id: str) -> bool:
        return bool(await self.client.exists(f"{self.prefix}cancel:{run_id}"))

    async def ready(self) -> tuple[bool, str]:
        try:
            await asyncio.wait_for(self.client.ping(), 2)
            return True, "redis"
        except Exception as exc:  # noqa: BLE001
            return False, f"redis: {type(exc).__name__}"

    async def aclose(self) -> None:
        await self.client.aclose()
