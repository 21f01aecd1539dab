"""Builds the guards named in the registry (`keepgate.config.guards.GUARDS`) from the config.

Each guard's factory gets its section as the settings model the loader validated it with
(`config.guards.settings(name, model)`), the whole config, and the shared parts. A guard is
on unless its section says `enabled: false` (secure by default); a guard that is on but
cannot be built fails start-up rather than being skipped.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from keepgate.config.guards import GUARDS, GuardSpec
from keepgate.config.model import GuardSettings, KeepgateConfig
from keepgate.pipeline.deps import GuardDeps
from keepgate.pipeline.guard import Guard

__all__ = ["GUARDS", "GuardSpec", "build_guards"]

#: A guard factory: its validated section (the guard's own `GuardSettings` subclass), the
#: whole config, the shared parts.
Factory = Callable[[Any, KeepgateConfig, GuardDeps], Guard]


def _attr(ref: str) -> Any:
    module, _, name = ref.partition(":")
    return getattr(importlib.import_module(module), name)


def build_guards(config: KeepgateConfig, deps: GuardDeps | None = None) -> list[Guard]:
    deps = deps or GuardDeps(config)
    guards: list[Guard] = []
    for spec in GUARDS:
        model: type[GuardSettings] = _attr(spec.settings)
        settings = config.guards.settings(spec.name, model)
        if not settings.enabled:
            continue
        factory: Factory = _attr(spec.factory)
        guard = factory(settings, config, deps)
        guards.append(guard)
        deps.built.append(guard)
    return guards
