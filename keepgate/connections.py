"""How the small stores and clients connect: one asyncio client per event loop
(`LoopLocal`: the Redis clients, aiohttp sessions and OPA client that parts built before,
or outside, the serving loop keep), a Redis client for the small shared stores
(`redis_client`), and the SQLite file they fall back to on one host (`sqlite_file`).

An asyncio client belongs to the loop it first ran on: its connections' streams and
futures are that loop's, and awaiting them from another loop fails ("attached to a
different loop") or hangs. Some parts are built once and awaited from more than one loop
(the agent CLI's nested `asyncio.run`, tests that run several gateways in one process, a
config reload that builds the part on one loop and serves it on another). `LoopLocal`
holds their client: made on first use in a loop, replaced when the running loop is another
one, and closed only from the loop that owns it (from another, its sockets belong to a
loop that is gone or busy; the client is dropped instead).
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Generic, TypeVar

import redis.asyncio as aioredis

T = TypeVar("T")


class LoopLocal(Generic[T]):
    """A client of type `T` for the running event loop.

    `make` builds one (awaited on the loop that will own it), `close` releases it, and
    `usable` (optional) says whether a client of this loop can still serve (an aiohttp
    session closed from elsewhere cannot): when it says no, a new one is made.
    """

    def __init__(
        self,
        make: Callable[[], Awaitable[T]],
        close: Callable[[T], Awaitable[None]],
        usable: Callable[[T], bool] | None = None,
    ) -> None:
        self._make, self._close, self._usable = make, close, usable
        self._value: T | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    async def get(self) -> T:
        loop = asyncio.get_running_loop()
        value = self._value
        if (
            value is None
            or self._loop is not loop
            or not (self._usable is None or self._usable(value))
        ):
            value = await self._make()
            self._value, self._loop = value, loop
        return value

    async def aclose(self) -> None:
        value, loop = self._value, self._loop
        self._value = self._loop = None
        if value is not None and loop is asyncio.get_running_loop():
            await self._close(value)


def redis_client(url: str, timeout: float) -> LoopLocal[aioredis.Redis]:
    """A Redis client per loop for a small shared store: strings in and out
    (`decode_responses`), and `timeout` seconds for connecting and for each reply, so an
    unreachable Redis costs a request at most that (the caller maps its errors)."""

    async def make() -> aioredis.Redis:
        return aioredis.Redis.from_url(
            url, socket_connect_timeout=timeout, socket_timeout=timeout, decode_responses=True
        )

    async def close(client: aioredis.Redis) -> None:
        await client.aclose()

    return LoopLocal(make, close)


def sqlite_file(
    path: str | Path, schema: tuple[str, ...], exclusive: bool = False
) -> sqlite3.Connection:
    """A SQLite file the processes of one host share (the agent's checkpoints, the MCP
    store), its tables created by `schema`'s statements. WAL: readers never wait for the
    writer; `synchronous=NORMAL`: a commit costs no fsync (a power cut may lose the last
    writes, never corrupt the file); autocommit (`isolation_level=None`): each statement is
    its own transaction unless the caller opens one. One connection, shared by threads:
    callers hold a lock around each use. `exclusive`: this connection takes the file's
    lock at open and keeps it until closed (`locking_mode=EXCLUSIVE`, set before WAL is
    first used, so WAL keeps its index in this process's memory): any other connection
    gets SQLITE_BUSY; opening fails (sqlite3.OperationalError) if another holds it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    if exclusive:
        conn.execute("PRAGMA locking_mode=EXCLUSIVE")
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    for statement in schema:
        conn.execute(statement)
    if exclusive:  # a write takes the exclusive lock now, not at the first session write
        conn.execute("BEGIN EXCLUSIVE")
        conn.execute("COMMIT")
    return conn
