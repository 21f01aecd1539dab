"""What a guard factory is given besides its config section: the shared parts it may use.

Typed fields instead of a string-keyed `extras` dict, so a factory says what it needs and
mypy checks it. Everything is optional: a guard built outside the gateway (`keepgate scan`,
tests) gets only what its caller has.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from keepgate.config.model import KeepgateConfig
from keepgate.pipeline import capabilities
from keepgate.pipeline.guard import Guard

if TYPE_CHECKING:  # types only: these parts do not depend on the pipeline, nor it on them
    from keepgate.observability.audit import AuditLog
    from keepgate.observability.metrics import Metrics
    from keepgate.upstream.client import Upstream


@dataclass
class GuardDeps:
    config: KeepgateConfig
    #: The gateway's Prometheus metrics (a guard registers its own on `metrics.registry`).
    metrics: Metrics | None = None
    audit: AuditLog | None = None
    #: The gateway's upstream client (shared pool, built-in fake model routing): the input
    #: guard's judge calls models through it.
    upstream: Upstream | None = None
    #: The guards built so far, in pipeline order (the registry appends each one): a guard
    #: that uses another's capability finds it here, so it must come later in the order.
    built: list[Guard] = field(default_factory=list)

    def redactor(self) -> capabilities.Redactor | None:
        """The PII guard's scrubbing, when one was built before the caller."""
        return capabilities.redactor(self.built)
