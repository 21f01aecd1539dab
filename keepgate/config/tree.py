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

The settings modules must not import the loader (keepgate.config.load) or this module:
tests/core/test_core_import_cycles.py follows these by-name imports too.
"""

from __future__ import annotations

import functools
import importlib
from typing import Any, Optional

from pydantic import Field, create_model

from keepgate.config.guards import GUARDS
from keepgate.config.model import GuardSections, GuardSettings, KeepgateConfig

__all__ = ["config_model", "guard_models", "guards_model"]


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
    """`KeepgateConfig` with `guards:` typed by the registry: what the loader validates."""
    guards = guards_model()
    model: type[KeepgateConfig] = create_model(
        "KeepgateConfig",
        __base__=KeepgateConfig,
        __doc__=KeepgateConfig.__doc__,
        __module__=__name__,
        guards=(guards, Field(default_factory=guards)),
    )
    return model
