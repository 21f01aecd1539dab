"""The one small store behind pins, sessions and approvals: memory, SQLite or Redis.

Two shapes only, so every backend stays a few lines: JSON documents under a key (`get`,
`put`, `put_new` — set-if-absent, the primitive that makes "pin at first sight" and
"execute an approved call once" hold across replicas — `delete`, `scan`) and append-only
lists (`append`, `items`), which keep a session's taint monotonic: concurrent writers add
entries, none can overwrite another's.
"""

from __future__ import annotations

import bisect
import sqlite3
import threading
import time
from collections import OrderedDict
from pathlib import Path
from typing import Any, Protocol

import orjson
import redis.asyncio as aioredis
from redis.exceptions import RedisError

from keepgate.connections import redis_client, sqlite_file


class StoreUnavailable(Exception):
    """The backend cannot be reached; callers fail closed."""


class Store(Protocol):
    name: str
    #: Every reader of it is in this process (the memory store): writes may wait for the
    #: session's next reader here (keepgate.mcp.deferred).
    local: bool

    async def get(self, key: str) -> Any | None: ...
    async def put(self, key: str, value: Any, ttl_s: float | None = None) -> None: ...
    async def put_new(self, key: str, value: Any, ttl_s: float | None = None) -> bool: ...
    async def delete(self, key: str) -> None: ...
    async def scan(self, prefix: str) -> list[tuple[str, Any]]: ...
    async def append(self, key: str, item: Any, *, max_len: int, ttl_s: float) -> Any: ...
    async def items(self, key: str) -> list[Any]: ...
    async def items_many(self, keys: list[str]) -> list[list[Any]]: ...
    async def ready(self) -> tuple[bool, str]: ...
    async def aclose(self) -> None: ...


def _dumps(value: Any) -> str:
    return orjson.dumps(value, default=str).decode()


class MemoryStore:
    """One process; bounded (LRU over keys) so a flood of sessions cannot grow it forever."""

    name = "memory"
    local = True

    def __init__(self, max_keys: int = 100_000) -> None:
        self.max_keys = max_keys
        self._data: OrderedDict[str, tuple[float | None, Any]] = OrderedDict()

    def _live(self, key: str) -> Any | None:
        hit = self._data.get(key)
        if hit is None:
            return None
        expires, value = hit
        if expires is not None and expires < time.monotonic():
            del self._data[key]
            return None
        self._data.move_to_end(key)
        return value

    def _set(self, key: str, value: Any, ttl_s: float | None) -> None:
        self._data[key] = (time.monotonic() + ttl_s if ttl_s else None, value)
        self._data.move_to_end(key)
        while len(self._data) > self.max_keys:
            self._data.popitem(last=False)

    async def get(self, key: str) -> Any | None:
        value = self._live(key)
        return orjson.loads(value) if isinstance(value, str) else None

    async def put(self, key: str, value: Any, ttl_s: float | None = None) -> None:
        self._set(key, _dumps(value), ttl_s)

    async def put_new(self, key: str, value: Any, ttl_s: float | None = None) -> bool:
        if self._live(key) is not None:
            return False
        self._set(key, _dumps(value), ttl_s)
        return True

    async def delete(self, key: str) -> None:
        self._data.pop(key, None)

    async def scan(self, prefix: str) -> list[tuple[str, Any]]:
        return [
            (k, orjson.loads(v))
            for k in list(self._data)
            if k.startswith(prefix)
            if isinstance(v := self._live(k), str)
        ]

    async def append(self, key: str, item: Any, *, max_len: int, ttl_s: float) -> Any:
        """The item as kept, which reads hand back (the other stores return None): a
        caller that indexes it holds the same object, so comparing is by identity."""
        # Lists keep the items themselves (callers treat them as read-only): a session's
        # history is read on every call, and decoding it each time would cost more than
        # the rest of the call's bookkeeping.
        items = self._live(key)
        items = items if isinstance(items, list) else []
        kept = orjson.loads(_dumps(item))
        items.append(kept)
        del items[:-max_len]
        self._set(key, items, ttl_s)
        return kept

    async def items(self, key: str) -> list[Any]:
        items = self._live(key)
        return list(items) if isinstance(items, list) else []

    async def items_many(self, keys: list[str]) -> list[list[Any]]:
        return [await self.items(k) for k in keys]

    async def ready(self) -> tuple[bool, str]:
        return True, "memory"

    async def aclose(self) -> None:
        pass


class SQLiteStore:
    """One file in WAL mode, shared by the processes of one host; writes are small and run
    inline (a fraction of a millisecond), as the agent's checkpoints do.

    Each list has a head row (`mcp_list_heads`: its length and expiry), kept by triggers
    in the same transaction as any insert or delete of its rows, whoever runs it: an
    append trims only the rows past `max_len` (one seek at the front), and a read learns
    the length without counting the rows (both walked the whole list per call before).
    A list from a file written before the heads gets its head at its next append.

    Reading a list again: its rows are never changed once written, ids only grow
    (AUTOINCREMENT: a row committed later has a larger id than any row committed before)
    and rows leave only from the front (the trim), so each process keeps the items it last
    read per list (`_known`, bounded) and, in one read snapshot, fetches only the rows
    above the newest it has plus the list's first id and its head; when the length does
    not add up (anything but a trim removed rows) it reads the whole list as before. Items
    come back shared, as from the memory store (callers treat them as read-only).

    `exclusive`: this process holds the file alone for its life (SQLite's
    `locking_mode=EXCLUSIVE`, taken at open): every other connection to it — another
    worker, replica or tool — gets SQLITE_BUSY, so fails closed (`StoreUnavailable`) and
    can never read a session behind this process's back. Then, and only then, the store
    is `local` (keepgate.mcp.deferred may run session writes after the answer), as the
    memory store is; WAL needs no shared-memory index (each transaction is cheaper); and
    the lists it holds in `_known` are the file's (nobody else writes it): its own appends
    extend them, and a read of a held list touches no file. The file stays on disk
    across restarts; what a crash loses is what `synchronous=NORMAL` loses, plus the
    session writes still queued (as with the memory store, whose sessions a restart
    loses whole)."""

    name = "sqlite"
    #: Lists whose items a process keeps for the next read (LRU).
    KNOWN_LISTS = 1024

    def __init__(self, path: str | Path, exclusive: bool = False) -> None:
        self.path = Path(path)
        #: Shared by the workers of one host, unless `exclusive` (see the class docstring).
        self.local = exclusive
        self._lock = threading.Lock()
        #: list key -> [(row id, item)] in id order, as last read (or, held alone, as the
        #: file has it)
        self._known: OrderedDict[str, list[tuple[int, Any]]] = OrderedDict()
        #: held alone: list key -> its expiry, for the lists in `_known`
        self._expires: dict[str, float] = {}
        self._conn = sqlite_file(
            self.path,
            (
                "CREATE TABLE IF NOT EXISTS mcp_docs (key TEXT PRIMARY KEY, "
                "value TEXT NOT NULL, expires REAL)",
                "CREATE TABLE IF NOT EXISTS mcp_lists (id INTEGER PRIMARY KEY "
                "AUTOINCREMENT, key TEXT NOT NULL, value TEXT NOT NULL, "
                "expires REAL NOT NULL)",
                "CREATE INDEX IF NOT EXISTS mcp_lists_key ON mcp_lists (key, id)",
                # A list's expiry (its rows' latest) without reading its rows.
                "CREATE INDEX IF NOT EXISTS mcp_lists_expiry ON mcp_lists (key, expires)",
                "CREATE TABLE IF NOT EXISTS mcp_list_heads (key TEXT PRIMARY KEY, "
                "length INTEGER NOT NULL, expires REAL NOT NULL) WITHOUT ROWID",
                "CREATE TRIGGER IF NOT EXISTS mcp_lists_added AFTER INSERT ON mcp_lists "
                "BEGIN UPDATE mcp_list_heads SET length = length + 1, "
                "expires = MAX(expires, new.expires) WHERE key = new.key; END",
                "CREATE TRIGGER IF NOT EXISTS mcp_lists_removed AFTER DELETE ON mcp_lists "
                "BEGIN UPDATE mcp_list_heads SET length = length - 1 "
                "WHERE key = old.key; END",
            ),
            exclusive=exclusive,
        )

    def _run(self, sql: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        try:
            with self._lock:
                return self._conn.execute(sql, args).fetchall()
        except sqlite3.Error as exc:
            raise StoreUnavailable(f"sqlite: {type(exc).__name__}") from None

    async def get(self, key: str) -> Any | None:
        rows = self._run(
            "SELECT value FROM mcp_docs WHERE key = ? AND (expires IS NULL OR expires > ?)",
            (key, time.time()),
        )
        return orjson.loads(rows[0][0]) if rows else None

    async def put(self, key: str, value: Any, ttl_s: float | None = None) -> None:
        self._run(
            "INSERT INTO mcp_docs (key, value, expires) VALUES (?, ?, ?) ON CONFLICT(key) "
            "DO UPDATE SET value = excluded.value, expires = excluded.expires",
            (key, _dumps(value), time.time() + ttl_s if ttl_s else None),
        )

    async def put_new(self, key: str, value: Any, ttl_s: float | None = None) -> bool:
        now = time.time()
        self._run(
            "DELETE FROM mcp_docs WHERE key = ? AND expires IS NOT NULL AND expires <= ?",
            (key, now),
        )
        rows = self._run(
            "INSERT INTO mcp_docs (key, value, expires) VALUES (?, ?, ?) "
            "ON CONFLICT(key) DO NOTHING RETURNING key",
            (key, _dumps(value), now + ttl_s if ttl_s else None),
        )
        return bool(rows)

    async def delete(self, key: str) -> None:
        self._run("DELETE FROM mcp_docs WHERE key = ?", (key,))

    async def scan(self, prefix: str) -> list[tuple[str, Any]]:
        rows = self._run(
            "SELECT key, value FROM mcp_docs WHERE substr(key, 1, ?) = ? AND "
            "(expires IS NULL OR expires > ?) ORDER BY key",
            (len(prefix), prefix, time.time()),
        )
        return [(k, orjson.loads(v)) for k, v in rows]

    async def append(self, key: str, item: Any, *, max_len: int, ttl_s: float) -> Any:
        """Add, then trim to the newest `max_len`, as one transaction (one WAL commit, all
        or nothing). A list lives until `ttl_s` after its last append (its head's
        `expires`), so no append rewrites the rows before it. An append to an expired list
        starts it afresh, as with the memory store and Redis (its old rows came back with
        the new one: an expired session's history and taint revived). Held alone, the
        item as kept (reads hand back the same object, as the memory store's); else None."""
        now = time.time()
        text = _dumps(item)
        try:
            with self._lock:
                conn = self._conn
                conn.execute("BEGIN IMMEDIATE")
                try:
                    row_id = self._append(conn, key, text, now, max_len, ttl_s)
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
                conn.execute("COMMIT")
                if not self.local:
                    return None
                kept = orjson.loads(text)
                held = self._known.get(key)
                if held is not None:  # the file's list, one row longer
                    if self._expires[key] <= now:
                        held.clear()
                    held.append((row_id, kept))
                    del held[:-max_len]
                    self._expires[key] = now + ttl_s
                return kept
        except sqlite3.Error as exc:
            raise StoreUnavailable(f"sqlite: {type(exc).__name__}") from None

    @staticmethod
    def _append(
        conn: sqlite3.Connection, key: str, text: str, now: float, max_len: int, ttl_s: float
    ) -> int:
        head = conn.execute(
            "SELECT length, expires FROM mcp_list_heads WHERE key = ?", (key,)
        ).fetchone()
        if head is None:  # no list, or one from before the heads: count it once
            head = conn.execute(
                "SELECT COUNT(*), COALESCE(MAX(expires), 0) FROM mcp_lists WHERE key = ?",
                (key,),
            ).fetchone()
            conn.execute(
                "INSERT INTO mcp_list_heads (key, length, expires) VALUES (?, ?, ?)",
                (key, *head),
            )
        length, expires = head
        if length and expires <= now:  # expired: start afresh
            conn.execute("DELETE FROM mcp_lists WHERE key = ?", (key,))
            length = 0
        cur = conn.execute(
            "INSERT INTO mcp_lists (key, value, expires) VALUES (?, ?, ?)",
            (key, text, now + ttl_s),
        )
        row_id = cur.lastrowid or 0
        if length + 1 > max_len:
            # Up to the first row kept: one seek at the front (at the cap, its second row).
            conn.execute(
                "DELETE FROM mcp_lists WHERE key = ? AND id < (SELECT id FROM mcp_lists "
                "WHERE key = ? ORDER BY id LIMIT 1 OFFSET ?)",
                (key, key, length + 1 - max_len),
            )
        return row_id

    async def items(self, key: str) -> list[Any]:
        """The whole list while its expiry is ahead, else nothing."""
        return (await self.items_many([key]))[0]

    async def items_many(self, keys: list[str]) -> list[list[Any]]:
        """`items` of several lists in one read snapshot (see the class docstring)."""
        asked = list(dict.fromkeys(keys))
        now = time.time()
        try:
            with self._lock:
                found: dict[str, list[tuple[int, Any]]] = {}
                if self.local:  # held alone: what it holds is the file's
                    for k in asked:
                        held = self._known.get(k)
                        if held is not None:
                            found[k] = held if self._expires[k] > now else []
                            self._known.move_to_end(k)
                missing = [k for k in asked if k not in found]
                if missing:
                    self._read(missing, now, found)
        except sqlite3.Error as exc:
            raise StoreUnavailable(f"sqlite: {type(exc).__name__}") from None
        return [[item for _, item in found[k]] for k in keys]

    def _read(self, keys: list[str], now: float, found: dict[str, list[tuple[int, Any]]]) -> None:
        conn = self._conn
        conn.execute("BEGIN")
        try:
            for k in keys:
                found[k], expires = self._read_list(conn, k, now)
                if found[k]:
                    self._known[k] = found[k]
                    self._known.move_to_end(k)
                    self._expires[k] = expires
                else:
                    self._known.pop(k, None)
                    self._expires.pop(k, None)
        finally:
            conn.execute("COMMIT")
        while len(self._known) > self.KNOWN_LISTS:
            gone, _ = self._known.popitem(last=False)
            self._expires.pop(gone, None)

    def _read_list(
        self, conn: sqlite3.Connection, key: str, now: float
    ) -> tuple[list[tuple[int, Any]], float]:
        head = conn.execute(
            "SELECT length, expires FROM mcp_list_heads WHERE key = ?", (key,)
        ).fetchone()
        if head is None:  # a list from before the heads (none has been appended since)
            (expires,) = conn.execute(
                "SELECT MAX(expires) FROM mcp_lists WHERE key = ?", (key,)
            ).fetchone()
            length = None
        else:
            length, expires = head
        if expires is None or expires <= now or length == 0:
            return [], 0.0
        known = self._known.get(key)
        if known and length is not None:
            (first,) = conn.execute(
                "SELECT MIN(id) FROM mcp_lists WHERE key = ?", (key,)
            ).fetchone()
            newer = conn.execute(
                "SELECT id, value FROM mcp_lists WHERE key = ? AND id > ? ORDER BY id",
                (key, known[-1][0]),
            ).fetchall()
            kept = known[bisect.bisect_left(known, (first,)) :] if first is not None else []
            if len(kept) + len(newer) == length:
                return kept + [(rid, orjson.loads(v)) for rid, v in newer], expires
        rows = conn.execute(
            "SELECT id, value FROM mcp_lists WHERE key = ? ORDER BY id", (key,)
        ).fetchall()
        return [(rid, orjson.loads(v)) for rid, v in rows], expires

    async def ready(self) -> tuple[bool, str]:
        try:
            self._run("SELECT 1")
        except StoreUnavailable as exc:
            return False, str(exc)
        return True, "sqlite"

    async def aclose(self) -> None:
        with self._lock:
            self._conn.close()


class RedisStore:
    """Shared by every replica: documents are strings, lists are Redis lists (RPUSH+LTRIM)."""

    name = "redis"
    local = False

    def __init__(self, url: str, prefix: str, timeout: float = 1.0) -> None:
        self.url, self.prefix, self.timeout = url, prefix, timeout
        self._redis = redis_client(url, timeout)

    async def _do(self, fn: Any) -> Any:
        try:
            return await fn(await self._redis.get())
        except (RedisError, OSError) as exc:
            raise StoreUnavailable(f"redis: {type(exc).__name__}") from None

    async def get(self, key: str) -> Any | None:
        raw = await self._do(lambda r: r.get(self.prefix + key))
        return orjson.loads(raw) if raw else None

    async def put(self, key: str, value: Any, ttl_s: float | None = None) -> None:
        ex = max(1, int(ttl_s)) if ttl_s else None
        await self._do(lambda r: r.set(self.prefix + key, _dumps(value), ex=ex))

    async def put_new(self, key: str, value: Any, ttl_s: float | None = None) -> bool:
        ex = max(1, int(ttl_s)) if ttl_s else None
        return bool(
            await self._do(lambda r: r.set(self.prefix + key, _dumps(value), ex=ex, nx=True))
        )

    async def delete(self, key: str) -> None:
        await self._do(lambda r: r.delete(self.prefix + key))

    async def scan(self, prefix: str) -> list[tuple[str, Any]]:
        async def run(r: aioredis.Redis) -> list[tuple[str, Any]]:
            keys = sorted(
                [k async for k in r.scan_iter(match=_glob(self.prefix + prefix) + "*", count=500)]
            )
            if not keys:
                return []
            values = await r.mget(keys)
            return [(k[len(self.prefix) :], orjson.loads(v)) for k, v in zip(keys, values) if v]

        found: list[tuple[str, Any]] = await self._do(run)
        return found

    async def append(self, key: str, item: Any, *, max_len: int, ttl_s: float) -> None:
        async def run(r: aioredis.Redis) -> None:
            k = self.prefix + key
            async with r.pipeline(transaction=False) as pipe:
                pipe.rpush(k, _dumps(item))
                pipe.ltrim(k, -max_len, -1)
                pipe.expire(k, max(1, int(ttl_s)))
                await pipe.execute()

        await self._do(run)

    async def items(self, key: str) -> list[Any]:
        raw = await self._do(lambda r: r.lrange(self.prefix + key, 0, -1))
        return [orjson.loads(i) for i in raw]

    async def items_many(self, keys: list[str]) -> list[list[Any]]:
        """`items` of several lists in one round trip."""

        async def run(r: aioredis.Redis) -> list[list[bytes]]:
            async with r.pipeline(transaction=False) as pipe:
                for k in keys:
                    pipe.lrange(self.prefix + k, 0, -1)
                return list(await pipe.execute())

        found: list[list[bytes]] = await self._do(run)
        return [[orjson.loads(i) for i in raw] for raw in found]

    async def ready(self) -> tuple[bool, str]:
        try:
            await self._do(lambda r: r.ping())
        except StoreUnavailable as exc:
            return False, f"mcp store unreachable ({exc})"
        return True, "redis"

    async def aclose(self) -> None:
        await self._redis.aclose()


def _glob(text: str) -> str:
    """Escape Redis MATCH metacharacters in a literal prefix."""
    return "".join("\\" + c if c in "*?[]\\" else c for c in text)
