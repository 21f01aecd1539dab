"""`keepgate_pii_redactions_total{entity}`: values redacted per entity type (never values)."""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from typing import Any

from prometheus_client import Counter

_BY_REGISTRY: "weakref.WeakKeyDictionary[Any, PiiMetrics]" = weakref.WeakKeyDictionary()


class PiiMetrics:
    def __init__(self, registry: Any) -> None:
        self.redactions = Counter(
            "keepgate_pii_redactions_total",
            "Values redacted from answers, per entity type",
            ["entity"],
            registry=registry,
        )

    @classmethod
    def of(cls, metrics: Any) -> "PiiMetrics | None":
        """One instance per registry (a registry refuses duplicate metric names)."""
        registry = getattr(metrics, "registry", None)
        if registry is None:
            return None
        found = _BY_REGISTRY.get(registry)
        if found is None:
            found = _BY_REGISTRY[registry] = cls(registry)
        return found

    def redacted(self, counts: Mapping[str, int]) -> None:
        for entity, n in counts.items():
            self.redactions.labels(entity).inc(n)
