"""Per-role and per-key settings: a guard section's `roles:` and `keys:` override its base."""

from __future__ import annotations

from typing import Any

from keepgate.auth.principal import Principal


def deep_merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for k, v in over.items():
        out[k] = (
            deep_merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
        )
    return out


def override_key(section: dict[str, Any], principal: Principal) -> tuple[str | None, str | None]:
    """Which overrides apply to `principal`: (its role if `roles:` has it, its key_id if
    `keys:` has it). Principals with the same pair get the same effective section, so a guard
    can cache what it builds per pair instead of re-merging (and re-hashing) per request."""
    roles = section.get("roles") or {}
    keys = section.get("keys") or {}
    return (
        principal.role if principal.role in roles else None,
        principal.key_id if principal.key_id in keys else None,
    )


def effective(section: dict[str, Any], principal: Principal) -> dict[str, Any]:
    """The section as it applies to `principal`: base ← roles[role] ← keys[key_id].

    ```yaml
    guards:
      input:
        mode: enforce
        roles: {support: {mode: monitor}}
        keys: {ci-bot: {enabled: false}}
    ```
    """
    base = {k: v for k, v in section.items() if k not in ("roles", "keys")}
    role = (section.get("roles") or {}).get(principal.role) or {}
    key = (section.get("keys") or {}).get(principal.key_id) or {}
    return deep_merge(deep_merge(base, role), key)
