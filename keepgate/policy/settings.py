"""The `guards.policy` config section, validated."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from keepgate.config.model import GuardSettings
from keepgate.policy.bundle import DEFAULT_POLICY_DIR
from keepgate.policy.decision import DECISION_PATH


class OpaSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str = "http://127.0.0.1:8181"
    #: Seconds for one decision (including the client's retries).
    timeout: float = Field(0.5, gt=0, le=30)
    retries: int = Field(0, ge=0, le=5)
    #: Upload policies/ and data to OPA at start and on reload. Off when OPA loads its own
    #: bundles (e.g. a sidecar with `--bundle`).
    push: bool = True
    #: Bearer token for OPA's API; `os.environ/NAME` reads it from the environment.
    token: str | None = None


class ToolIdSettings(BaseModel):
    """Where issued tool-call ids live. `auto`: Redis when general_settings.redis_url is set
    (replicas share it, so a conversation may hop between them), else memory."""

    model_config = ConfigDict(extra="forbid")

    backend: Literal["auto", "memory", "redis"] = "auto"
    #: Default: general_settings.redis_url.
    redis_url: str | None = None
    prefix: str = "keepgate:toolcalls:"
    #: Seconds a principal's ids are kept after its last tool call.
    ttl_s: int = Field(24 * 3600, gt=0)
    #: Redis down: refuse `tool` messages with 503 (fail_closed), or keep each replica's
    #: released ids in memory too and check against those (fallback_local). Unset: the
    #: same as guards.limits.on_backend_error.
    on_backend_error: Literal["fail_closed", "fallback_local"] | None = None
    #: After a Redis error, use the local ids only for this long before trying Redis again.
    retry_backend_after_s: float = Field(1.0, gt=0)
    #: Redis connect and per-command timeout; past it, the `on_backend_error` path.
    timeout_ms: float = Field(1000.0, gt=0)


class PolicyOverride(BaseModel):
    """What `guards.policy.roles.<role>` / `keys.<key_id>` may change: the three options the
    guard reads per request. Anything else (a typo, or an option that only applies to the
    whole gateway such as `engine`) fails start-up with the file and line."""

    model_config = ConfigDict(extra="forbid")

    on_deny: Literal["replace", "reject"] | None = None
    on_approval: Literal["hold", "pass"] | None = None
    check_tool_messages: bool | None = None


@dataclass(frozen=True)
class PolicyChoices:
    """The per-request options of `guards.policy` as they apply to one role and key."""

    on_deny: Literal["replace", "reject"]
    on_approval: Literal["hold", "pass"]
    check_tool_messages: bool


class PolicySettings(GuardSettings):
    """```yaml
    guards:
      policy:
        engine: embedded          # embedded | opa
        opa: {url: http://opa:8181, timeout: 0.5}
        policy_dirs: [policies/]  # default: the repository's policies/
        data_dirs: [policies/data]
        on_deny: replace          # replace | reject
        fail_open: false
        hot_reload: true
    ```"""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = True
    engine: Literal["embedded", "opa"] = "embedded"
    opa: OpaSettings = Field(default_factory=OpaSettings)
    policy_dirs: list[Path] = Field(default_factory=lambda: [DEFAULT_POLICY_DIR])
    #: Default: each policy dir's `data/` folder.
    data_dirs: list[Path] | None = None
    #: The Rego document that holds the decision object.
    query: str = DECISION_PATH
    #: replace: a denied call becomes assistant text; reject: the response fails with 403.
    on_deny: Literal["replace", "reject"] = "replace"
    #: require_approval in the proxy path: hold the call back (replaced by text that says it
    #: awaits approval) or pass it through with the decision in headers.
    on_approval: Literal["hold", "pass"] = "hold"
    fail_open: bool = False
    hot_reload: bool = True
    #: Seconds between mtime polls of the policy and data files.
    reload_interval: float = Field(1.0, gt=0)
    #: Decisions the embedded engine remembers, keyed by the parts of the input the policy
    #: can read (plus the key and session): a repeated call is not evaluated again. 0: off.
    #: Never used for a policy that reads the clock, randomness or the network.
    decision_cache_entries: int = Field(4096, ge=0, le=1_000_000)
    #: Tool-call ids remembered per principal (for forged `tool` messages), LRU-bounded.
    max_tracked_ids: int = Field(10_000, gt=0)
    #: Reject `tool` messages whose tool_call_id the gateway never issued or denied.
    check_tool_messages: bool = True
    tool_ids: ToolIdSettings = Field(default_factory=ToolIdSettings)
    #: Per-role / per-key overrides of on_deny, on_approval and check_tool_messages (see
    #: keepgate.pipeline.overrides).
    roles: dict[str, PolicyOverride | None] = Field(default_factory=dict)
    keys: dict[str, PolicyOverride | None] = Field(default_factory=dict)

    def choices_for(self, role: str, key_id: str) -> PolicyChoices:
        """The section's options ← `roles[role]` ← `keys[key_id]` (an unset option in an
        override keeps the one below it)."""
        on_deny, on_approval, check = self.on_deny, self.on_approval, self.check_tool_messages
        for over in (self.roles.get(role), self.keys.get(key_id)):
            if over is None:
                continue
            on_deny = over.on_deny or on_deny
            on_approval = over.on_approval or on_approval
            check = check if over.check_tool_messages is None else over.check_tool_messages
        return PolicyChoices(on_deny, on_approval, check)

    def resolved_policy_dirs(self, base: Path | None = None) -> list[Path]:
        return [_resolve(p, base) for p in self.policy_dirs]

    def resolved_data_dirs(self, base: Path | None = None) -> list[Path] | None:
        return None if self.data_dirs is None else [_resolve(p, base) for p in self.data_dirs]


def _resolve(p: Path, base: Path | None) -> Path:
    p = p.expanduser()
    return p if p.is_absolute() or base is None else (base / p)
