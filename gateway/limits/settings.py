"""The `guards.limits` section, and every limits mapping in the config, checked at start-up."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from gateway.config.load import ConfigError, config_error
from gateway.config.model import KeepgateConfig
from gateway.limits.spec import LimitSpecError, parse_caps

OPTIONS = {"enabled", "backend", "redis_url", "on_backend_error", "defaults", "team_defaults",
           "default_max_tokens", "inject_max_tokens", "namespace", "usage_ttl_days",
           "timeout_ms", "retry_backend_after_s", "limit_master_key", "roles", "keys"}


@dataclass
class LimitsSettings:
    backend: Literal["local", "redis"] = "local"
    redis_url: str | None = None
    on_backend_error: Literal["fail_closed", "fallback_local"] = "fail_closed"
    #: Completion tokens reserved when the request sets no max_tokens.
    default_max_tokens: int = 4096
    #: Send that default upstream as `max_tokens`, so the reservation is an upper bound.
    inject_max_tokens: bool = True
    namespace: str = "keepgate:limits"
    usage_ttl_days: float = 400.0
    #: Per Redis operation; wall time, so it includes event-loop lag under load.
    timeout_ms: float = 1000.0
    #: After a backend error, go straight to the fallback/fail-closed path for this long.
    retry_backend_after_s: float = 1.0
    #: Limits apply to the master key too (off: it is tracked, never refused).
    limit_master_key: bool = False
    defaults: dict[str, Any] = field(default_factory=dict)
    team_defaults: dict[str, Any] = field(default_factory=dict)


def _fail(config: KeepgateConfig, path: tuple[Any, ...], msg: str) -> ConfigError:
    return config_error(config, path, f"{'.'.join(map(str, path))}: {msg}")


def load_settings(section: dict[str, Any], config: KeepgateConfig) -> LimitsSettings:
    base = ("guards", "limits")
    unknown = set(section) - OPTIONS
    if unknown:
        name = sorted(unknown)[0]
        raise _fail(config, base + (name,), f"unknown option (known: {', '.join(sorted(OPTIONS))})")
    s = LimitsSettings()
    for name in ("backend", "redis_url", "on_backend_error", "default_max_tokens",
                 "inject_max_tokens", "namespace", "usage_ttl_days", "timeout_ms",
                 "retry_backend_after_s", "limit_master_key", "defaults", "team_defaults"):
        if name in section and section[name] is not None:
            setattr(s, name, section[name])
    if s.backend not in ("local", "redis"):
        raise _fail(config, base + ("backend",), f"must be 'local' or 'redis', got {s.backend!r}")
    if s.on_backend_error not in ("fail_closed", "fallback_local"):
        raise _fail(config, base + ("on_backend_error",),
                    "must be 'fail_closed' or 'fallback_local'")
    if not isinstance(s.default_max_tokens, int) or s.default_max_tokens < 0:
        raise _fail(config, base + ("default_max_tokens",), "must be an integer >= 0")
    for name in ("usage_ttl_days", "timeout_ms", "retry_backend_after_s"):
        v = getattr(s, name)
        if isinstance(v, bool) or not isinstance(v, (int, float)) or v <= 0:
            raise _fail(config, base + (name,), f"must be a number > 0, got {v!r}")
    for name in ("inject_max_tokens", "limit_master_key"):
        if not isinstance(getattr(s, name), bool):
            raise _fail(config, base + (name,), "must be true or false")
    if not isinstance(s.namespace, str) or not s.namespace:
        raise _fail(config, base + ("namespace",), "must be a non-empty string")
    s.redis_url = s.redis_url or config.general_settings.redis_url
    if s.backend == "redis" and not s.redis_url:
        raise _fail(config, base + ("backend",), "backend 'redis' needs guards.limits.redis_url "
                    "or general_settings.redis_url")
    # Every limits mapping must parse; the guard re-parses them per key at run time.
    checks: list[tuple[tuple[Any, ...], Any]] = [(base + ("defaults",), s.defaults),
                                                 (base + ("team_defaults",), s.team_defaults)]
    for role, over in (section.get("roles") or {}).items():
        checks.append((base + ("roles", role, "defaults"), (over or {}).get("defaults")))
    for key_id, over in (section.get("keys") or {}).items():
        checks.append((base + ("keys", key_id, "defaults"), (over or {}).get("defaults")))
    checks += [(("keys", i, "limits"), k.limits) for i, k in enumerate(config.keys)]
    checks += [(("teams", i, "limits"), t.limits) for i, t in enumerate(config.teams)]
    for path, raw in checks:
        if raw is None:
            continue
        if not isinstance(raw, dict):
            raise _fail(config, path, "must be a mapping of limit name to number")
        try:
            parse_caps(raw, "limits")
        except LimitSpecError as exc:
            raise _fail(config, path, str(exc).removeprefix("limits.")) from None
    return s
