"""Which guards exist, in which order, and how each is built from its config section.

Each entry names a module with `build(section: dict, config: KeepgateConfig, deps: GuardDeps)
-> Guard`.
A guard is on unless its section says `enabled: false` (secure by default); a guard that is
on but cannot be built fails start-up rather than being skipped.
Order matters: `check_request` runs top to bottom; on the response side the stream passes
policy (decides tool calls) → pii (scrubs what is released) → limits (meters usage).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from keepgate.config.load import config_error
from keepgate.config.model import KeepgateConfig
from keepgate.pipeline.deps import GuardDeps
from keepgate.pipeline.guard import Guard


@dataclass(frozen=True)
class GuardSpec:
    name: str
    factory: str  # "module:function"
    #: "module:Class": the pydantic model of the guard's `guards.<name>` section (extra
    #: keys forbidden, role/key overrides typed); the config schema and docs are built from it.
    settings: str = ""


#: Request side runs in this order; response transformers wrap in reverse so that the
#: stream reaches policy first, then pii, then limits (the meter sees what the client sees).
GUARDS: tuple[GuardSpec, ...] = (
    GuardSpec("limits", "keepgate.limits.guard:build", "keepgate.limits.settings:LimitsSettings"),
    GuardSpec(
        "input", "keepgate.input_guards.guard:build", "keepgate.input_guards.config:InputSettings"
    ),
    GuardSpec("pii", "keepgate.scrubbing.guard:build", "keepgate.scrubbing.settings:PiiSettings"),
    GuardSpec("policy", "keepgate.policy.guard:build", "keepgate.policy.settings:PolicySettings"),
)


#: A guard factory: its `guards.<name>` section (a mapping, validated by the factory into
#: its settings model so errors name file and line), the whole config, the shared parts.
Factory = Callable[[dict[str, Any], KeepgateConfig, GuardDeps], Guard]


def _load(factory: str) -> Factory:
    module, _, fn = factory.partition(":")
    factory_fn: Factory = getattr(importlib.import_module(module), fn)
    return factory_fn


def build_guards(
    config: KeepgateConfig, deps: GuardDeps | None = None, extra_specs: tuple[GuardSpec, ...] = ()
) -> list[Guard]:
    deps = deps or GuardDeps(config)
    known = [spec.name for spec in GUARDS + extra_specs]
    for name in config.guards:
        if name not in known:
            raise config_error(
                config,
                ("guards", name),
                f"guards.{name}: no such guard (known: {', '.join(known)})",
            )
    guards: list[Guard] = []
    for spec in GUARDS + extra_specs:
        section = config.guard_section(spec.name)
        if section.get("enabled", True) is False:
            continue
        guard = _load(spec.factory)(section, config, deps)
        guards.append(guard)
        deps.built.append(guard)
    return guards
