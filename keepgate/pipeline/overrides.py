"""Per-role and per-key settings: a guard section's `roles:` and `keys:` override its base.

```yaml
guards:
  input:
    mode: enforce
    roles: {support: {mode: monitor}}
    keys: {ci-bot: {enabled: false}}
```

The sections are typed (keepgate.config.tree): an override is a model whose set fields are
what it changes. Guards whose overrides may change any option (input, pii) merge the
options as written and build what they need once per (role, key_id) pair; the others
(policy, limits) resolve their few overridable options with typed methods of their own.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from pydantic import BaseModel

from keepgate.auth.principal import Principal
from keepgate.jsontypes import JsonObject


class Overridable(Protocol):
    """A guard section with per-role and per-key overrides (a `GuardSettings` subclass)."""

    @property
    def roles(self) -> Mapping[str, BaseModel | None]: ...

    @property
    def keys(self) -> Mapping[str, BaseModel | None]: ...

    def written(self) -> dict[str, Any]: ...


def deep_merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for k, v in over.items():
        out[k] = (
            deep_merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
        )
    return out


def override_key(section: Overridable, principal: Principal) -> tuple[str | None, str | None]:
    """Which overrides apply to `principal`: (its role if `roles:` has it, its key_id if
    `keys:` has it). Principals with the same pair get the same effective section, so a guard
    can cache what it builds per pair instead of re-merging (and re-hashing) per request."""
    return (
        principal.role if principal.role in section.roles else None,
        principal.key_id if principal.key_id in section.keys else None,
    )


def merged(section: Overridable, role: str | None, key_id: str | None) -> JsonObject:
    """The options as written that apply to a (role, key_id) pair: the section's ←
    `roles[role]`'s ← `keys[key_id]`'s (nested mappings merged key by key), for the guard
    to validate into its settings model."""
    out = section.written()
    for over in (
        section.roles.get(role) if role is not None else None,
        section.keys.get(key_id) if key_id is not None else None,
    ):
        if over is not None:
            out = deep_merge(out, over.model_dump(exclude_unset=True))
    return out


def effective(section: Overridable, principal: Principal) -> dict[str, Any]:
    """The options as written that apply to `principal` (see `merged`)."""
    return merged(section, *override_key(section, principal))
