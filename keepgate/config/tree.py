"""`keepgate.yaml` as one typed model, built from the guard registry when a config is loaded.

`KeepgateConfig` (keepgate.config.model) cannot name the guards' settings models: every guard
package imports the config, so the config package importing them back would be a cycle.
The registry (keepgate.config.guards) names each guard's model as a `module:Class` string;
here they are imported by that name, after the config package itself is loaded, and put in
their places with `pydantic.create_model`: `guards.<name>` is the guard's `GuardSettings`
subclass, whose `roles:` / `keys:` overrides are typed too. The loader validates every
config with this model, so a typo anywhere under `guards:` (an unknown guard, an unknown
key in a section or an override, a bad value) fails at load time naming file and line, and
`config.guards.settings(name, Model)` hands each guard its section already typed.

The sections other packages own (`agent`, `mcp`, `mcp_servers`, the `observability`
sub-sections; registry: keepgate.config.sections) are typed the same way, by their owners'
`SectionSettings` models, so the whole file is one typed tree and a typo anywhere in it
fails at load time.

The settings modules must not import the loader (keepgate.config.load) or this module:
tests/core/test_core_import_cycles.py follows these by-name imports too.
"""

from __future__ import annotations

import functools
import importlib
from typing import Any, Optional

from pydantic import Field, create_model

from keepgate.config.guards import GUARDS
from keepgate.config.model import (
    GuardSections,
    GuardSettings,
    KeepgateConfig,
    ObservabilitySettings,
    SectionSettings,
)
from keepgate.config.sections import SECTIONS

__all__ = ["config_model", "guard_models", "guards_model", "section_models"]


def _import(ref: str) -> Any:
    module, _, name = ref.partition(":")
    return getattr(importlib.import_module(module), name)


def guard_models() -> dict[str, type[GuardSettings]]:
    """Each registered guard's settings model, by section name, in pipeline order."""
    out: dict[str, type[GuardSettings]] = {}
    for spec in GUARDS:
        model = _import(spec.settings)
        if not (isinstance(model, type) and issubclass(model, GuardSettings)):
            raise TypeError(f"guard {spec.name}: {spec.settings} is not a GuardSettings model")
        out[spec.name] = model
    return out


def section_models() -> dict[str, type[SectionSettings]]:
    """Each owned section's model, by where it sits (keepgate.config.sections)."""
    out: dict[str, type[SectionSettings]] = {}
    for where, ref in SECTIONS.items():
        model = _import(ref)
        if not (isinstance(model, type) and issubclass(model, SectionSettings)):
            raise TypeError(f"{where}: {ref} is not a SectionSettings model")
        out[where] = model
    return out


def _observability(models: dict[str, type[SectionSettings]]) -> type[ObservabilitySettings]:
    """`observability:` with its sub-sections typed (absent or null: that part's defaults,
    and no Redis audit stream)."""
    fields: dict[str, Any] = {
        where.split(".", 1)[1]: (Optional[model], Field(None))
        for where, model in models.items()
        if where.startswith("observability.")
    }
    model: type[ObservabilitySettings] = create_model(
        "ObservabilitySettings",
        __base__=ObservabilitySettings,
        __doc__=ObservabilitySettings.__doc__,
        __module__=__name__,
        **fields,
    )
    return model


@functools.cache
def guards_model() -> type[GuardSections]:
    """`guards:`: one optional field per registered guard (absent or null: its defaults)."""
    fields: dict[str, Any] = {
        name: (Optional[model], Field(None)) for name, model in guard_models().items()
    }
    model: type[GuardSections] = create_model(
        "Guards",
        __base__=GuardSections,
        __doc__="One section per guard; a guard is on unless its section says "
        "`enabled: false`. Each accepts `roles:` and `keys:` overrides.",
        __module__=__name__,
        **fields,
    )
    return model


@functools.cache
def config_model() -> type[KeepgateConfig]:
    """`KeepgateConfig` with `guards:` typed by the guard registry and every owned section
    by its owner's model: what the loader validates."""
    guards = guards_model()
    owned = section_models()
    agent: Any = owned["agent"]
    mcp: Any = owned["mcp"]
    server: Any = owned["mcp_servers.*"]
    observability = _observability(owned)
    # agent / mcp absent or null: their defaults (as before they were typed here).
    fields: dict[str, Any] = {
        "guards": (guards, Field(default_factory=guards)),
        "agent": (Optional[agent], Field(default_factory=agent)),
        "mcp": (Optional[mcp], Field(default_factory=mcp)),
        "mcp_servers": (dict[str, server], Field(default_factory=dict)),
        "observability": (observability, Field(default_factory=observability)),
    }
    model: type[KeepgateConfig] = create_model(
        "KeepgateConfig",
        __base__=KeepgateConfig,
        __doc__=KeepgateConfig.__doc__,
        __module__=__name__,
        **fields,
    )
    return model
