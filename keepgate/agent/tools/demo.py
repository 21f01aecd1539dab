"""Demo tools that are safe anywhere: a sandboxed file reader, a read-only SQLite database,
an allowlisted HTTP GET, and `send_email` that only appends to an outbox file.

Each tool enforces its own limit (sandbox, read-only, allowlist) even though the policy
also checks the arguments: defence in depth, and the tools stay safe with no policy loaded.
"""

from __future__ import annotations

import asyncio
import contextlib
import fnmatch
import json
import os
import sqlite3
import tempfile
import time
from pathlib import Path
from collections.abc import Callable
from typing import Any, Protocol
from urllib.parse import urlsplit

import httpx

from keepgate.agent.settings import DEMO_DIR, AgentSettings, ToolSettings
from keepgate.agent.tools.base import Tool, ToolContext, ToolError


class ReadFile:
    """Files under `sandbox_dir`, addressed as paths under `virtual_root` (what the
    policy's `path_root` constraint checks); symlinks out of the sandbox are refused."""

    def __init__(self, s: ToolSettings) -> None:
        o = s.options
        self.root = Path(o.get("sandbox_dir") or DEMO_DIR / "docs").resolve()
        if not self.root.is_dir():
            raise ValueError(
                f"agent.tools.read_file.options.sandbox_dir: {self.root} is not a directory"
            )
        self.virtual = str(o.get("virtual_root", "/srv/data")).rstrip("/")
        self.max_bytes = int(o.get("max_bytes", 64_000))

    def real_path(self, path: str) -> Path:
        if not path.startswith(self.virtual + "/"):
            raise ToolError("path_outside_sandbox", f"Paths must start with {self.virtual}/.")
        target = (self.root / path[len(self.virtual) + 1 :]).resolve()
        if target != self.root and self.root not in target.parents:
            raise ToolError("path_outside_sandbox", "The path leaves the sandbox.")
        return target

    async def __call__(self, args: dict[str, Any], ctx: ToolContext) -> Any:
        target = self.real_path(args["path"])
        if target.is_dir():
            return {
                "directory": args["path"],
                "entries": sorted(p.name for p in target.iterdir())[:200],
            }
        if not target.is_file():
            raise ToolError("not_found", f"No such file: {args['path']}")
        data = target.read_bytes()[: self.max_bytes]
        return data.decode("utf-8", errors="replace")

    def tool(self, s: ToolSettings) -> Tool:
        return Tool(
            "read_file",
            f"Read a text file (or list a directory) under {self.virtual}/.",
            {
                "type": "object",
                "additionalProperties": False,
                "required": ["path"],
                "properties": {
                    "path": {
                        "type": "string",
                        "minLength": 1,
                        "maxLength": 500,
                        "description": f"Absolute path under {self.virtual}/",
                    }
                },
            },
            self,
            s,
        )


_READ_ACTIONS = {
    sqlite3.SQLITE_SELECT,
    sqlite3.SQLITE_READ,
    sqlite3.SQLITE_FUNCTION,
    getattr(sqlite3, "SQLITE_RECURSIVE", 33),
}


def _read_only(action: int, *args: Any) -> int:
    """SQLite authorizer: reads only (no ATTACH, PRAGMA, writes), on top of mode=ro."""
    return sqlite3.SQLITE_OK if action in _READ_ACTIONS else sqlite3.SQLITE_DENY


class SqlQuery:
    """A SQLite database built from an SQL script at start-up, then opened read-only.

    Without `db_path` the database lives in memory only (an image of it, opened afresh per
    query), so nothing is left on disk. With `db_path` it is built in a private file beside
    it and moved into place atomically: replicas sharing the path never see it half-built
    or deleted under a running query.
    """

    def __init__(self, s: ToolSettings) -> None:
        o = s.options
        script = Path(o.get("script") or DEMO_DIR / "demo.sql")
        db = o.get("db_path")
        self.path = Path(db) if db is not None else None
        self.image: bytes | None = None
        self.max_rows = int(o.get("max_rows", 200))
        self.timeout_s = s.timeout_s
        #: The monotonic clock a query's `timeout_s` is measured on (a seam for tests).
        self.clock: Callable[[], float] = time.monotonic
        try:
            sql = script.read_text()
            if self.path is None:
                with contextlib.closing(sqlite3.connect(":memory:")) as conn:
                    conn.executescript(sql)
                    self.image = conn.serialize()
            else:
                self._build_file(self.path, sql)
        except (OSError, sqlite3.Error) as exc:
            raise ValueError(
                f"agent.tools.sql_query: cannot build the database from {script}: {exc}"
            ) from None

    @staticmethod
    def _build_file(path: Path, sql: str) -> None:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        os.close(fd)
        try:
            with contextlib.closing(sqlite3.connect(tmp)) as conn:
                conn.executescript(sql)
                conn.commit()
            os.replace(tmp, path)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)

    def _connect(self) -> sqlite3.Connection:
        if self.image is not None:
            conn = sqlite3.connect(":memory:")
            conn.deserialize(self.image)
            return conn
        return sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)

    def _query(self, sql: str) -> dict[str, Any]:
        conn = self._connect()
        clock = self.clock
        deadline = clock() + self.timeout_s
        try:
            conn.execute("PRAGMA query_only = ON")
            conn.set_authorizer(_read_only)
            # The engine's timeout cannot stop a thread; this stops a runaway query itself.
            conn.set_progress_handler(lambda: int(clock() > deadline), 10_000)
            cur = conn.execute(sql)
            cols = [d[0] for d in cur.description or ()]
            rows = cur.fetchmany(self.max_rows + 1)
        except sqlite3.Error as exc:
            raise ToolError("sql_error", f"{type(exc).__name__}: {exc}") from None
        finally:
            conn.close()
        return {
            "columns": cols,
            "rows": [list(r) for r in rows[: self.max_rows]],
            "more_rows": len(rows) > self.max_rows,
        }

    async def __call__(self, args: dict[str, Any], ctx: ToolContext) -> Any:
        return await asyncio.to_thread(self._query, args["query"])

    def tool(self, s: ToolSettings) -> Tool:
        return Tool(
            "sql_query",
            "Run one read-only SQL query on the demo database (tables: "
            "customers(id, name, email, plan, city), orders(id, customer_id, amount_eur, "
            "placed_on)).",
            {
                "type": "object",
                "additionalProperties": False,
                "required": ["query"],
                "properties": {"query": {"type": "string", "minLength": 1, "maxLength": 4000}},
            },
            self,
            s,
        )


class HttpGet:
    """GET a URL whose host matches the allowlist (glob patterns, `host` or `host:port`)."""

    def __init__(self, s: ToolSettings) -> None:
        o = s.options
        self.allowed = [str(h).lower() for h in o.get("allowed_hosts", ["api.example.com"])]
        self.max_bytes = int(o.get("max_bytes", 200_000))
        self.timeout_s = s.timeout_s
        #: Made on the first GET: an httpx client loads the CA bundle (~25 ms of CPU), which
        #: every gateway start would pay for a tool most deployments never call.
        self._client: httpx.AsyncClient | None = None

    @property
    def client(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(follow_redirects=False, timeout=self.timeout_s)
        return self._client

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()

    def allowed_url(self, url: str) -> bool:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.username:
            return False
        host = parts.hostname.lower()
        netloc = f"{host}:{parts.port}" if parts.port else host
        return any(
            fnmatch.fnmatchcase(host, p) or fnmatch.fnmatchcase(netloc, p) for p in self.allowed
        )

    async def __call__(self, args: dict[str, Any], ctx: ToolContext) -> Any:
        url = args["url"]
        if not self.allowed_url(url):
            raise ToolError("host_not_allowed", "The URL's host is not on the allowlist.")
        try:
            async with self.client.stream("GET", url) as resp:
                body = bytearray()
                async for part in resp.aiter_bytes():
                    body += part
                    if len(body) > self.max_bytes:
                        break
        except httpx.HTTPError as exc:
            raise ToolError(
                "unreachable", f"GET failed: {type(exc).__name__}", retryable=True
            ) from None
        if resp.status_code >= 500 or resp.status_code == 429:
            raise ToolError("http_error", f"HTTP {resp.status_code}", retryable=True)
        text = bytes(body[: self.max_bytes]).decode("utf-8", errors="replace")
        return {
            "status": resp.status_code,
            "content_type": resp.headers.get("content-type", ""),
            "body": text,
        }

    def tool(self, s: ToolSettings) -> Tool:
        return Tool(
            "http_get",
            "Fetch a URL (GET) from an allowlisted host.",
            {
                "type": "object",
                "additionalProperties": False,
                "required": ["url"],
                "properties": {"url": {"type": "string", "minLength": 8, "maxLength": 2000}},
            },
            self,
            s,
        )


class SendEmail:
    """Appends the email to an outbox file (JSON lines). Idempotent per tool call id, so a
    resumed run that repeats an unfinished call does not send twice."""

    def __init__(self, s: ToolSettings) -> None:
        self.outbox = Path(s.options.get("outbox", "keepgate-outbox.jsonl"))
        self._lock = asyncio.Lock()

    def sent(self) -> list[dict[str, Any]]:
        if not self.outbox.exists():
            return []
        return [json.loads(line) for line in self.outbox.read_text().splitlines() if line]

    async def __call__(self, args: dict[str, Any], ctx: ToolContext) -> Any:
        message_id = f"{ctx.run_id}/{ctx.tool_call_id}"
        async with self._lock:
            if any(m.get("message_id") == message_id for m in self.sent()):
                return {"status": "already_sent", "message_id": message_id}
            record: dict[str, Any] = {
                "message_id": message_id,
                "at": time.time(),
                "key_id": ctx.key_id,
                **{k: args.get(k) for k in ("to", "cc", "subject", "body") if k in args},
            }
            self.outbox.parent.mkdir(parents=True, exist_ok=True)
            with self.outbox.open("a") as f:
                f.write(json.dumps(record) + "\n")
        return {"status": "queued", "message_id": message_id}

    def tool(self, s: ToolSettings) -> Tool:
        addr = {"type": "string", "minLength": 3, "maxLength": 254}
        return Tool(
            "send_email",
            "Send an email (the demo writes it to an outbox file).",
            {
                "type": "object",
                "additionalProperties": False,
                "required": ["to", "subject", "body"],
                "properties": {
                    "to": addr,
                    "cc": {"type": "array", "items": addr, "maxItems": 10},
                    "subject": {"type": "string", "maxLength": 300},
                    "body": {"type": "string", "maxLength": 20_000},
                },
            },
            self,
            s,
            idempotent=False,
        )


class _Demo(Protocol):
    def tool(self, s: ToolSettings) -> Tool: ...


FACTORIES: dict[str, Callable[[ToolSettings], _Demo]] = {
    "read_file": ReadFile,
    "sql_query": SqlQuery,
    "http_get": HttpGet,
    "send_email": SendEmail,
}


def demo_tools(settings: AgentSettings) -> dict[str, Tool]:
    out = {}
    for name, factory in FACTORIES.items():
        s = settings.tool(name)
        if s.enabled:
            out[name] = factory(s).tool(s)
    return out
