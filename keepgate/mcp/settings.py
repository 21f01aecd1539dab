"""`mcp_servers:` (the upstreams) and `mcp:` (how the gateway treats them), validated.

```yaml
mcp_servers:
  files:                                   # name: lowercase letters, digits, _ and -
    url: https://mcp.example.com/mcp       # Streamable HTTP (a URL ending in /sse: SSE)
    headers: {Authorization: os.environ/FILES_MCP_TOKEN}
    roles: [developer, admin]              # who may reach it (empty: every key)
  local:
    command: uvx                           # a stdio server, started by the gateway
    args: [my-mcp-server]
    env: {API_KEY: os.environ/LOCAL_API_KEY}
mcp:
  calls_per_minute: 120                    # per key, across every server
  store: {backend: auto}                   # auto | memory | sqlite | redis (pins, sessions, approvals)
```

Both are typed when the config is loaded (keepgate.config.tree): unknown keys fail start-up
naming the file and line.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from keepgate.config.locate import config_error
from keepgate.config.model import (
    ENV_PREFIX,
    KeepgateConfig,
    SectionSettings,
    resolve_secret,
    section,
)

#: Upstream URL that means "the demo MCP server this process starts for itself".
BUILTIN_DEMO = "builtin://demo-mcp"
NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,40}$")
#: Path segments of the endpoints themselves (/mcp/sse, /mcp/messages/).
RESERVED = frozenset({"sse", "messages"})


#: The default bound on one upstream answer (`max_answer_bytes`; keepgate.mcp.wire's too).
MAX_ANSWER_BYTES = 64 * 1024 * 1024


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class McpServerSettings(SectionSettings):
    """One upstream MCP server: a URL (Streamable HTTP or SSE) or a stdio command."""

    url: str | None = None
    transport: Literal["auto", "streamable_http", "sse"] = "auto"
    #: HTTP headers sent upstream; values may be `os.environ/NAME` (never put tokens in YAML).
    headers: dict[str, str] = Field(default_factory=dict)
    command: str | None = None
    args: list[str] = Field(default_factory=list)
    #: Extra environment of a stdio server; values may be `os.environ/NAME`.
    env: dict[str, str] = Field(default_factory=dict)
    cwd: str | None = None
    #: Seconds for one upstream request (connect + answer); a slower one is an error.
    timeout_s: float = Field(30.0, gt=0, le=3600)
    #: Roles / key ids that may reach this server; both empty: every key.
    roles: list[str] = Field(default_factory=list)
    keys: list[str] = Field(default_factory=list)
    #: Seconds a tools/list of the upstream is reused before it is fetched again.
    list_ttl_s: float = Field(30.0, ge=0)
    #: Tools one tools/list of the upstream may hold (all pages): a longer listing is an
    #: upstream protocol error and none of its tools is offered (every definition is
    #: scanned and pinned: thousands held a caller, and the event loop, for seconds).
    max_tools: int = Field(1000, ge=1, le=100_000)
    #: Bytes one answer of the upstream may have (a JSON body or the event stream of one
    #: request, on the fast lane and through the SDK client; one event of a legacy SSE
    #: stream, which the SDK also cuts at 1 MiB; one stdout line of a stdio server, whose
    #: process group is then killed), counted decoded (upstreams are asked for `identity`;
    #: gzip/deflate is decoded inside the bound, any other encoding refused): past it the
    #: request is an upstream protocol error (results are cut at `mcp.max_result_chars`).
    max_answer_bytes: int = Field(MAX_ANSWER_BYTES, ge=64 * 1024)
    #: tools/call as one plain POST when the server speaks the per-request protocol
    #: (2026-07-28) over Streamable HTTP (keepgate.mcp.wire); false: always the SDK client.
    fast_calls: bool = True
    enabled: bool = True

    @model_validator(mode="after")
    def _one_transport(self) -> "McpServerSettings":
        if bool(self.url) == bool(self.command):
            raise ValueError("set exactly one of url (HTTP) or command (stdio)")
        if self.command and self.transport != "auto":
            raise ValueError("transport applies to url servers; a command server speaks stdio")
        if self.url and not (
            self.url.startswith(("http://", "https://")) or self.url == BUILTIN_DEMO
        ):
            raise ValueError("url must start with http:// or https://")
        return self

    @field_validator("headers", "env")
    @classmethod
    def _no_inline_secrets(cls, v: dict[str, str]) -> dict[str, str]:
        for name, value in v.items():
            if (
                name.lower() in ("authorization", "x-api-key", "api-key")
                and value
                and not value.startswith(ENV_PREFIX)
                and not value.lower().startswith(("bearer " + ENV_PREFIX, "basic " + ENV_PREFIX))
            ):
                raise ValueError(
                    f"{name} must name an env var as 'os.environ/NAME' (or "
                    f"'Bearer os.environ/NAME'); credentials do not belong in "
                    "config files"
                )
        return v

    @property
    def kind(self) -> str:
        if self.command:
            return "stdio"
        if self.transport != "auto":
            return self.transport
        return "sse" if (self.url or "").rstrip("/").endswith("/sse") else "streamable_http"

    def resolved_headers(self) -> dict[str, str]:
        return {k: v for k, v in ((k, _resolve(v)) for k, v in self.headers.items()) if v}

    def resolved_env(self) -> dict[str, str]:
        return {k: v for k, v in ((k, _resolve(v)) for k, v in self.env.items()) if v is not None}


def _resolve(value: str) -> str | None:
    """`os.environ/NAME`, alone or after a scheme word (`Bearer os.environ/NAME`)."""
    head, sep, tail = value.partition(" ")
    if sep and tail.startswith(ENV_PREFIX):
        found = resolve_secret(tail)
        return f"{head} {found}" if found else None
    return resolve_secret(value)


class StoreSettings(_Strict):
    """Where pins, session facts and approvals live."""

    #: auto: redis when general_settings.redis_url is set, else a SQLite file.
    backend: Literal["auto", "memory", "sqlite", "redis"] = "auto"
    #: SQLite file; relative paths are relative to the config file.
    path: str = "keepgate-mcp.db"
    redis_url: str | None = None
    prefix: str = "keepgate:mcp:"
    #: SQLite only: this gateway process holds the file alone (another gateway, worker
    #: or tool that opens it fails at its start, naming this setting), so a call's
    #: session writes may wait for its answer as with the memory store
    #: (`defer_session_writes`). auto: on for one process (`keepgate serve`), off with
    #: `--workers N` (N > 1, which share the file; true refuses to start). false: several
    #: gateways on one host share the file, every session write before the answer.
    exclusive: bool | Literal["auto"] = "auto"


class ApprovalSettings(_Strict):
    #: Who may decide: the key that made the call or an admin (like agent runs), or admins only.
    approvers: Literal["owner_or_admin", "admin"] = "owner_or_admin"
    #: Seconds a pending approval (and an approved, not yet retried call) is kept.
    ttl_s: float = Field(3600.0, gt=0)


class McpOverride(_Strict):
    """What `mcp.roles.<role>` / `mcp.keys.<key_id>` may change: the per-key call rate
    (null: unlimited for that role or key)."""

    calls_per_minute: float | None = Field(None, ge=0)

    @model_validator(mode="before")
    @classmethod
    def _only_the_rate(cls, data: Any) -> Any:
        extra = sorted(set(data) - {"calls_per_minute"}) if isinstance(data, dict) else []
        if extra:
            raise ValueError(
                f"unknown option {extra[0]!r} (only calls_per_minute can be overridden)"
            )
        return data


class McpSettings(SectionSettings):
    """How the MCP gateway treats the upstream servers: call rate, scans, pins, store."""

    enabled: bool = True
    #: tools/call per minute per key, across every server (token bucket in the limits
    #: store); null: unlimited. `roles:` / `keys:` override it.
    calls_per_minute: float | None = Field(120.0, ge=0)
    #: The aggregated endpoint `/mcp` names tools `<server><separator><tool>`.
    separator: str = Field("__", min_length=1, max_length=4, pattern=r"^[A-Za-z0-9_\-.]+$")
    #: Plain modern (2026-07-28) tools/call requests are answered without the SDK's
    #: per-request server machinery (keepgate.mcp.fastpath); false: always the SDK.
    fast_path: bool = True
    #: Scan tool titles, descriptions and schema descriptions with the input guard; a
    #: finding drops the tool (an operator may approve it: `keepgate mcp approve`). The
    #: same scan reads resource, template and prompt listings (a finding drops the entry).
    scan_descriptions: bool = True
    #: Pin every tool definition at first sight; a changed one is refused until approved.
    pin_tools: bool = True
    #: Without a policy guard, MCP calls run unchecked (true) or are refused (false).
    allow_without_policy: bool = False
    #: A policy that rewrites arguments: refuse the call and say which fields (default), or
    #: apply the rewrite and say so in the result's `_meta`. Never silently.
    on_rewrite: Literal["refuse", "apply"] = "refuse"
    #: Session facts (taint, history) expire this long after the session's last call.
    session_ttl_s: float = Field(24 * 3600.0, gt=0)
    #: History entries kept per session (chat-style messages, for the policy's provenance).
    session_max_messages: int = Field(200, ge=2, le=10_000)
    #: Text characters of one result the gateway passes on (cut past it, and it says so).
    max_result_chars: int = Field(200_000, ge=1000)
    #: Characters of each result kept in the session history.
    history_chars: int = Field(4000, ge=0)
    #: Scrubbed result texts remembered per key and session, so a repeated result is not
    #: scrubbed again (keepgate.mcp.scrubcache); 0 turns the cache off.
    scrub_cache_entries: int = Field(1024, ge=0, le=1_000_000)
    #: Sessions whose history index the gateway keeps and slides along with the history,
    #: instead of indexing the whole history again on every call
    #: (keepgate.policy.sliding); 0 turns it off.
    index_sessions: int = Field(256, ge=0, le=100_000)
    #: With the memory store, a call's session bookkeeping (the call and result in the
    #: history, a taint, the history index) is done right after its answer is sent, and
    #: before anything reads the session again (keepgate.mcp.deferred): the same
    #: decisions, the answer sooner. So with SQLite held by one process
    #: (`store.exclusive`); shared SQLite and Redis always write before the answer.
    defer_session_writes: bool = True
    store: StoreSettings = Field(default_factory=StoreSettings)
    approvals: ApprovalSettings = Field(default_factory=ApprovalSettings)
    #: Streamable HTTP sessions: stateless (default) serves any replica; stateful keeps
    #: Mcp-Session-Id sessions in the process (needs sticky routing with replicas).
    stateless_http: bool = True
    #: `calls_per_minute` for keys of this role.
    roles: dict[str, McpOverride | None] = Field(default_factory=dict)
    #: `calls_per_minute` for this key_id (over its role's).
    keys: dict[str, McpOverride | None] = Field(default_factory=dict)

    def calls_per_minute_for(self, role: str, key_id: str) -> float | None:
        """`calls_per_minute` ← `roles[role]`'s ← `keys[key_id]`'s (None: unlimited)."""
        cap = self.calls_per_minute
        for over in (self.roles.get(role), self.keys.get(key_id)):
            if over is not None and "calls_per_minute" in over.model_fields_set:
                cap = over.calls_per_minute
        return cap


def parse_servers(config: KeepgateConfig) -> dict[str, McpServerSettings]:
    out: dict[str, McpServerSettings] = {}
    for name, raw in (config.mcp_servers or {}).items():
        if not isinstance(name, str) or not NAME.match(name) or name in RESERVED:
            raise config_error(
                config,
                ("mcp_servers", name),
                f"mcp_servers: invalid server name {name!r} (lowercase letters, "
                "digits, '_' and '-', at most 41 characters; not 'sse' or 'messages')",
            )
        out[name] = section(raw, McpServerSettings, f"mcp_servers.{name}")
    return out


def parse_settings(config: KeepgateConfig) -> McpSettings:
    """The `mcp:` section (typed at load), and what only the whole config can tell."""
    settings = section(config.mcp, McpSettings, "mcp")
    if settings.store.backend == "redis" and not (
        settings.store.redis_url or config.general_settings.redis_url
    ):
        raise config_error(
            config,
            ("mcp", "store", "backend"),
            "mcp.store.backend is redis but no redis_url is set "
            "(mcp.store.redis_url or general_settings.redis_url)",
        )
    if settings.store.exclusive is True and settings.store.backend not in ("auto", "sqlite"):
        raise config_error(
            config,
            ("mcp", "store", "exclusive"),
            "mcp.store.exclusive applies to the SQLite store only",
        )
    return settings


def store_path(settings: McpSettings, config: KeepgateConfig) -> Path:
    path = Path(settings.store.path).expanduser()
    if not path.is_absolute() and config.source:
        path = Path(config.source).resolve().parent / path
    return path


def parse_all(config: KeepgateConfig) -> tuple[McpSettings, dict[str, McpServerSettings]]:
    """Both sections, and what only both together can tell (the aggregated endpoint's
    `<server><separator><tool>` names must split one way only)."""
    settings, servers = parse_settings(config), parse_servers(config)
    for name in servers:
        if settings.separator in name:
            raise config_error(
                config,
                ("mcp_servers", name),
                f"mcp_servers: server name {name!r} contains the aggregated "
                f"endpoint's separator {settings.separator!r} (mcp.separator)",
            )
    return settings, servers
