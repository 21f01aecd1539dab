"""Which guards exist, in which order, and where each one's settings model and factory live.

Plain data (names, as `module:attr` strings) and no imports: the config loader reads it to
type `guards:` (keepgate.config.tree) and the pipeline reads it to build the guards
(keepgate.pipeline.registry), and neither the config package nor this table may import a
guard package, because every guard package imports the config.

Order matters: `check_request` runs top to bottom; on the response side the stream passes
policy (decides tool calls) → pii (scrubs what is released) → limits (meters usage).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class GuardSpec:
    #: The section name under `guards:`.
    name: str
    #: "module:function": `build(settings, config, deps) -> Guard`, given the section as its
    #: settings model (validated when the config was loaded).
    factory: str
    #: "module:Class": the section's pydantic model, a `keepgate.config.model.GuardSettings`
    #: (unknown keys forbidden, `roles:` / `keys:` overrides typed). The loader, the
    #: config schema and the docs reference are built from it.
    settings: str


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
