"""The `guards.limits` section, and every limits mapping in the config, checked at start-up."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from keepgate.config.errors import ConfigError
from keepgate.config.limitmap import LimitsMap
from keepgate.config.locate import config_error, validation_error
from keepgate.config.model import GuardSettings, KeepgateConfig
from keepgate.jsontypes import JsonObject
from keepgate.limits.spec import LimitSpecError, parse_caps


class LimitsOverride(BaseModel):
    """What `guards.limits.roles.<role>` / `keys.<key_id>` may change: `defaults` only (the
    guard merges it over the section's own). Anything else fails start-up with file:line."""

    model_config = ConfigDict(extra="forbid")

    defaults: LimitsMap | None = None


class LimitsSettings(GuardSettings):
    """`guards.limits`; the limit mappings (`defaults`, ...) are parsed by `spec.parse_caps`."""

    backend: Literal["local", "redis"] = "local"
    redis_url: str | None = None
    on_backend_error: Literal["fail_closed", "fallback_local"] = "fail_closed"
    #: With fallback_local: the part of each limit one replica may spend while Redis is
    #: down (1/replicas keeps N replicas together within the limit; 1: up to N× it).
    fallback_share: float = Field(1.0, gt=0, le=1)
    #: Completion tokens reserved when the request sets no max_tokens.
    default_max_tokens: int = Field(4096, ge=0)
    #: Send that default upstream as `max_tokens`, so the reservation is an upper bound.
    inject_max_tokens: bool = True
    namespace: str = Field("keepgate:limits", min_length=1)
    usage_ttl_days: float = Field(400.0, gt=0)
    #: Per Redis operation; wall time, so it includes event-loop lag under load.
    timeout_ms: float = Field(1000.0, gt=0)
    #: After a backend error, go straight to the fallback/fail-closed path for this long.
    retry_backend_after_s: float = Field(1.0, gt=0)
    #: Limits apply to the master key too (off: it is tracked, never refused).
    limit_master_key: bool = False
    defaults: LimitsMap = Field(default_factory=dict)
    team_defaults: LimitsMap = Field(default_factory=dict)
    #: Per-role and per-key overrides of `defaults` (the pipeline's override mechanism).
    roles: dict[str, LimitsOverride | None] = Field(default_factory=dict)
    keys: dict[str, LimitsOverride | None] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _null_is_default(cls, data: Any) -> Any:
        """`option: null` (e.g. from an env override or a templated file) means the default."""
        if isinstance(data, Mapping):
            return {k: v for k, v in data.items() if v is not None}
        return data

    def defaults_for(self, role: str, key_id: str) -> JsonObject:
        """`defaults` ← `roles[role].defaults` ← `keys[key_id].defaults`, as written (limit
        names not yet normalised; a limit set to null is lifted). An override that writes
        `defaults: null` drops every default below it."""
        out = dict(self.defaults)
        for over in (self.roles.get(role), self.keys.get(key_id)):
            if over is None or "defaults" not in over.model_fields_set:
                continue
            out = {**out, **over.defaults} if over.defaults is not None else {}
        return out


def _fail(config: KeepgateConfig, path: tuple[Any, ...], msg: str) -> ConfigError:
    return config_error(config, path, f"{'.'.join(map(str, path))}: {msg}")


def load_settings(
    section: LimitsSettings | Mapping[str, object], config: KeepgateConfig
) -> LimitsSettings:
    """The section, checked against the rest of the config (a Redis URL for the redis
    backend; every limits mapping parses): a bad one names the file and line. A mapping
    (a caller without a loaded config file) is validated first."""
    base = ("guards", "limits")
    if isinstance(section, LimitsSettings):
        s = section.model_copy()
    else:
        try:
            s = LimitsSettings.model_validate(section)
        except ValidationError as exc:
            raise validation_error(config, base, exc) from None
    s.redis_url = s.redis_url or config.general_settings.redis_url
    if s.backend == "redis" and not s.redis_url:
        raise _fail(
            config,
            base + ("backend",),
            "backend 'redis' needs guards.limits.redis_url or general_settings.redis_url",
        )
    # Every limits mapping must parse; the guard re-parses them per key at run time.
    checks: list[tuple[tuple[Any, ...], Any]] = [
        (base + ("defaults",), s.defaults),
        (base + ("team_defaults",), s.team_defaults),
    ]
    for kind, overrides in (("roles", s.roles), ("keys", s.keys)):
        for name, over in overrides.items():
            checks.append((base + (kind, name, "defaults"), over.defaults if over else None))
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
