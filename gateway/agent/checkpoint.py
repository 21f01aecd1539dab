"""Where run states are saved after every step: an embedded SQLite file or Redis.

Both stores keep one JSON document per run (last write wins); a run is resumed by loading it.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path
from typing import Any, Protocol

import orjson

from gateway.agent.state import RunState


class CheckpointStore(Protocol):
    async def save(self, state: RunState) -> None: ...
    async def load(self, run_id: str) -> RunState | None: ...
    async def ready(self) -> tuple[bool, str]: ...
    async def aclose(self) -> None: ...


def _dump(state: RunState) -> str:
    """The whole state, once per step (orjson: ~20x the stdlib on a long conversation)."""
    return orjson.dumps(state.to_dict(), default=str, option=orjson.OPT_NON_STR_KEYS).decode()


class SQLiteStore:
    """One file, WAL mode; writes are small and run inline (a fraction of a millisecond)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.execute("CREATE TABLE IF NOT EXISTS agent_runs (id TEXT PRIMARY KEY, "
                           "key_id TEXT, status TEXT, updated_at REAL, state TEXT NOT NULL)")

    async def save(self, state: RunState) -> None:
        with self._lock:
            self._conn.execute(
                "INSERT INTO agent_runs (id, key_id, status, updated_at, state) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET status=excluded.status, "
                "updated_at=excluded.updated_at, state=excluded.state",
                (state.id, state.key_id, state.status, state.updated_at, _dump(state)))

    async def load(self, run_id: str) -> RunState | None:
        with self._lock:
            row = self._conn.execute("SELECT state FROM agent_runs WHERE id = ?",
                                     (run_id,)).fetchone()
        return RunState.from_dict(orjson.loads(row[0])) if row else None

    async def ready(self) -> tuple[bool, str]:
        try:
            with self._lock:
                self._conn.execute("SELECT 1")
            return True, f"sqlite {self.path}"
        except sqlite3.Error as exc:
            return False, f"sqlite: {type(exc).__name__}"

    async def aclose(self) -> None:
        with self._lock:
            self._conn.close()


class RedisStore:
    """`<prefix>run:<id>` -> JSON, expiring `ttl_s` after the last write."""

    def __init__(self, url: str, prefix: str, ttl_s: int) -> None:
        import redis.asyncio as redis

        self.client: Any = redis.Redis.from_url(url, socket_connect_timeout=2,
                                                socket_timeout=5)
        self.prefix = prefix
        self.ttl_s = ttl_s

    def _key(self, run_id: str) -> str:
        return f"{self.prefix}run:{run_id}"

    async def save(self, state: RunState) -> None:
        await self.client.set(self._key(state.id), _dump(state), ex=self.ttl_s)

    async def load(self, run_id: str) -> RunState | None:
        raw = await self.client.get(self._key(run_id))
        return RunState.from_dict(orjson.loads(raw)) if raw else None

    async def ready(self) -> tuple[bool, str]:
        try:
            await asyncio.wait_for(self.client.ping(), 2)
            return True, "redis"
        except Exception as exc:  # noqa: BLE001
            return False, f"redis: {type(exc).__name__}"

    async def aclose(self) -> None:
        await self.client.aclose()
