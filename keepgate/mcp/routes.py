"""The MCP gateway as an extension of the app (`keepgate.app.EXTENSIONS`).

Always: the MCP store, the chat side of sessions (`x-keepgate-session` on
`/v1/chat/completions`, `keepgate.mcp.link`) and the approvals API for calls held on any
route (`keepgate.mcp.approval_api`: `/v1/approvals`, the same as `/v1/mcp/approvals`; the
proxy routes' policy guard files its held tool calls there, `keepgate.policy.held`). With
`mcp_servers` declared, also the MCP endpoints and the admin API (`keepgate.mcp.api`):

    /mcp, /mcp/{server} (+ /sse)         MCP for clients (keepgate.mcp.endpoint)
    GET  /v1/mcp/servers                 servers this key may reach
    GET  /v1/mcp/pins?server=            pinned tool definitions (admin)
    POST /v1/mcp/pins/approve            {"server", "tool"}: accept a changed/flagged one (admin)
    GET  /v1/mcp/approvals?status=       held calls (own; admin: all)
    GET  /v1/mcp/approvals/{id}
    POST /v1/mcp/approvals/{id}          {"decision": "approve"|"deny", "comment"?}

and the same approvals for the `/ui` page (`/ui/api/mcp/...`, admin session cookie).
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from starlette.applications import Starlette

from keepgate.config.model import KeepgateConfig
from keepgate.mcp import approval_api
from keepgate.mcp.approvals import Approvals
from keepgate.mcp.link import SessionLink
from keepgate.mcp.sessions import Sessions
from keepgate.mcp.settings import McpSettings, parse_all, store_path
from keepgate.mcp.store import MemoryStore, RedisStore, SQLiteStore, Store
from keepgate.pipeline import capabilities
from keepgate.policy.held import HeldCalls
from keepgate.runtime import Runtime
from keepgate.serving import WORKERS_ENV


def check(config: KeepgateConfig) -> None:
    """`keepgate config check`: both sections, without connecting anywhere."""
    parse_all(config)


def build_store(settings: McpSettings, config: KeepgateConfig) -> Store:
    s = settings.store
    url = s.redis_url or config.general_settings.redis_url
    if s.backend == "memory" or (s.backend == "auto" and not url and not config.mcp_servers):
        # No MCP server and no Redis: only chat sessions would use it; no file for that.
        return MemoryStore()
    if s.backend == "redis" or (s.backend == "auto" and url):
        return RedisStore(url or "", s.prefix)
    workers = int(os.environ.get(WORKERS_ENV) or 1)
    exclusive = workers == 1 if s.exclusive == "auto" else s.exclusive
    if exclusive and workers > 1:
        raise RuntimeError(
            "mcp.store.exclusive: one process holds the SQLite file, but `keepgate serve "
            "--workers` started several; use one worker, or Redis to share sessions"
        )
    path = store_path(settings, config)
    try:
        return SQLiteStore(path, exclusive=exclusive)
    except sqlite3.OperationalError as exc:
        raise RuntimeError(_open_failure(path, exclusive, exc)) from None


def _open_failure(path: Path, exclusive: bool, exc: sqlite3.OperationalError) -> str:
    """Why the store's file would not open, and the setting that decides it: start-up
    stops here rather than serving MCP calls that would all fail closed."""
    if "locked" not in str(exc) and "busy" not in str(exc):
        return f"mcp.store: cannot open the SQLite file {path}: {exc}"
    if exclusive:
        return (
            f"mcp.store.exclusive: another process has the SQLite file {path} open (another "
            "gateway?), and this one holds it alone (the default for one `keepgate serve` "
            "process). Give each gateway its own mcp.store.path, or set "
            "mcp.store.exclusive: false in every gateway that shares the file (each "
            "session write then goes before the answer), or use Redis"
        )
    return (
        f"mcp.store: the SQLite file {path} is held alone by another process (a gateway "
        "with mcp.store.exclusive, on by default for one `keepgate serve` process). Set "
        "mcp.store.exclusive: false there to share it, or give this gateway its own "
        "mcp.store.path"
    )


class _StoreService:
    def __init__(self, store: Store) -> None:
        self.store = store

    async def aclose(self) -> None:
        await self.store.aclose()


def attach(app: Starlette, rt: Runtime) -> None:
    settings, servers = parse_all(rt.config)
    if not settings.enabled:
        return
    store = build_store(settings, rt.config)
    rt.ready_checks["mcp:store"] = store.ready
    rt.feature_checks.add("mcp:store")
    if servers:
        from keepgate.mcp.api import mount

        gw = mount(app, rt, settings, servers, store)
        sessions, approvals = gw.sessions, gw.approvals
    else:
        rt.services.add(_StoreService(store))
        sessions = Sessions(
            store, settings.session_ttl_s, settings.session_max_messages, settings.history_chars
        )
        approvals = Approvals(store, settings.approvals.ttl_s)
    approval_api.mount(app, rt, approvals, settings.approvals)
    policy = capabilities.tool_policy(rt.guards)
    if policy is not None:
        policy.use_approvals(HeldCalls(approvals))
    # Chat calls that name a session see (and add to) its taint.
    rt.guards.append(SessionLink(sessions))
