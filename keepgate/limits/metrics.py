"""Limits metrics: spend and refusals on the app's counters, backend trouble on our own."""

from __future__ import annotations

import weakref
from typing import Any

from prometheus_client import Counter

_BY_REGISTRY: "weakref.WeakKeyDictionary[Any, LimitsMetrics]" = weakref.WeakKeyDictionary()


class LimitsMetrics:
    def __init__(self, metrics: Any) -> None:
        self.app = metrics
        r = metrics.registry
        self.backend_errors = Counter(
            "keepgate_limits_backend_errors_total",
            "Limits store unreachable; mode says whether calls were refused or served from "
            "local buckets",
            ["backend", "mode"],
            registry=r,
        )
        self.settle_failures = Counter(
            "keepgate_limits_settle_failures_total",
            "Settlements that could not reach the store (the reservation stayed charged)",
            ["backend"],
            registry=r,
        )

    @classmethod
    def of(cls, metrics: Any) -> "LimitsMetrics | None":
        """One instance per registry (a registry refuses duplicate metric names)."""
        if metrics is None or getattr(metrics, "registry", None) is None:
            return None
        found = _BY_REGISTRY.get(metrics.registry)
        if found is None:
            found = _BY_REGISTRY[metrics.registry] = cls(metrics)
        return found

    def spend(self, key_id: str, model: str, usd: float) -> None:
        counter = getattr(self.app, "spend", None)
        if counter is not None:
            counter.labels(key_id, model).inc(usd)

    def rejections(self, key_id: str, rule: str) -> None:
        counter = getattr(self.app, "limiter_rejections", None)
        if counter is not None:
            counter.labels(key_id, rule).inc()
