"""Which parts of a config keep their state inside one process.

With `keepgate serve --workers N` each worker is its own process behind one port, and the
kernel hands each connection to any of them. A part whose state lives in process memory
would then silently split: every worker would keep its own spend buckets (a key could spend
N times its limit), its own record of released tool-call ids (a `tool` message answering a
call another worker released would be refused) and its own MCP sessions, taint and
approvals. Those parts must use a shared backend (Redis; a SQLite file is shared by the
processes of one host) before more than one worker may start. This is decided from the
config alone, so the supervisor can refuse before it forks anything.
"""

from __future__ import annotations

from dataclasses import dataclass

from keepgate.config.model import KeepgateConfig


@dataclass(frozen=True, slots=True)
class PerProcessPart:
    """One part whose state would be per worker, and the config line that shares it."""

    part: str
    why: str
    fix: str

    def __str__(self) -> str:
        return f"- {self.part}: {self.why}. Fix: {self.fix}."


def _enabled(config: KeepgateConfig, guard: str) -> bool:
    return config.guards.enabled(guard)


def _limits(config: KeepgateConfig) -> list[PerProcessPart]:
    if not _enabled(config, "limits"):
        return []
    from keepgate.limits.settings import LimitsSettings, load_settings

    s = load_settings(config.guards.settings("limits", LimitsSettings), config)
    if s.backend != "local":
        return []
    return [
        PerProcessPart(
            "guards.limits (backend: local)",
            "each worker would keep its own buckets, so every key could spend "
            "up to N times its limits",
            "set guards.limits.backend: redis and general_settings.redis_url",
        )
    ]


def _tool_ids(config: KeepgateConfig) -> list[PerProcessPart]:
    if not _enabled(config, "policy"):
        return []
    from keepgate.policy.settings import PolicySettings

    s = config.guards.settings("policy", PolicySettings)
    ids = s.tool_ids
    url = ids.redis_url or config.general_settings.redis_url
    if not s.check_tool_messages or ids.backend == "redis" or (ids.backend == "auto" and url):
        return []
    return [
        PerProcessPart(
            "guards.policy.tool_ids (memory)",
            "a `tool` message answering a call another worker released would be refused as forged",
            "set general_settings.redis_url (tool_ids.backend: auto) or "
            "guards.policy.tool_ids.backend: redis",
        )
    ]


def _mcp(config: KeepgateConfig) -> list[PerProcessPart]:
    from keepgate.mcp.settings import parse_all

    settings, _ = parse_all(config)
    if not settings.enabled:
        return []
    s = settings.store
    url = s.redis_url or config.general_settings.redis_url
    memory = s.backend == "memory" or (s.backend == "auto" and not url and not config.mcp_servers)
    if not memory:
        return []
    return [
        PerProcessPart(
            "mcp.store (memory)",
            "MCP sessions, their taint, pins and approvals would be per worker",
            "set general_settings.redis_url (mcp.store.backend: auto), or "
            "mcp.store.backend: sqlite (one host) or redis",
        )
    ]


def _responses(config: KeepgateConfig) -> list[PerProcessPart]:
    s = config.general_settings.response_store
    url = s.redis_url or config.general_settings.redis_url
    if s.backend == "memory" or (s.backend == "auto" and not url):
        return [
            PerProcessPart(
                "general_settings.response_store (memory)",
                "previous_response_id and GET /v1/responses/{id} would only "
                "find responses stored by the same worker",
                "set general_settings.redis_url (backend: auto), or response_store.backend: off",
            )
        ]
    return []


def per_process_parts(config: KeepgateConfig) -> list[PerProcessPart]:
    """Every configured part whose state would be split between workers."""
    return [*_limits(config), *_tool_ids(config), *_mcp(config), *_responses(config)]


def refusal(config: KeepgateConfig, workers: int) -> str | None:
    """The message that refuses `workers` > 1 for this config, or None when it may run."""
    if workers <= 1:
        return None
    parts = per_process_parts(config)
    if not parts:
        return None
    listing = "\n".join(str(p) for p in parts)
    return (
        f"--workers {workers} refused: these parts keep their state in each process, and "
        f"{workers} workers would silently split it:\n{listing}\n"
        "Or run one worker per pod and scale with replicas."
    )
