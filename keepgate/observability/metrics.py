"""Prometheus metrics, one registry per app (tests run several gateways in one process).

Labels are bounded: route, model alias, guard, rule id, decision, configured key ids —
never request ids or free text.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator

from typing import TypeVar

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.metrics import MetricWrapperBase
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest

#: Set (by `keepgate serve --workers N`) before any worker imports prometheus_client: every
#: worker then writes its samples to files there, and `/metrics` on any worker sums them.
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
_M = TypeVar("_M", bound=MetricWrapperBase)
#: Children kept per process before the cache starts again (labels are bounded anyway).
MAX_CHILDREN = 10_000


class Children:
    """`metric.labels(*values)`, remembered: prometheus_client's `labels` checks and
    stringifies the values and takes a lock on every call (~3 per request). The child for
    given values never changes (nothing here removes children), so it is kept."""

    def __init__(self) -> None:
        #: (metric, label values) -> child; the metric itself in the key (not its id, which
        #: a later metric could reuse).
        self._kids: dict[tuple[MetricWrapperBase, tuple[str, ...]], MetricWrapperBase] = {}

    def __call__(self, metric: _M, *values: str) -> _M:
        key = (metric, values)
        kid = self._kids.get(key)
        if kid is None:
            if len(self._kids) > MAX_CHILDREN:
                self._kids.clear()
            kid = self._kids[key] = metric.labels(*values)
        return kid  # type: ignore[return-value]


@contextlib.contextmanager
def multiprocess_dir() -> Iterator[str]:
    """A fresh directory for the workers' samples (the operator's own when already set),
    removed afterwards when it was made here."""
    own = os.environ.get(MULTIPROC_ENV)
    if own:
        yield own
        return
    path = tempfile.mkdtemp(prefix="keepgate-metrics-")
    os.environ[MULTIPROC_ENV] = path
    try:
        yield path
    finally:
        os.environ.pop(MULTIPROC_ENV, None)
        shutil.rmtree(path, ignore_errors=True)


LATENCY_BUCKETS = (
    0.0005,
    0.001,
    0.0025,
    0.005,
    0.01,
    0.025,
    0.05,
    0.1,
    0.25,
    0.5,
    1,
    2.5,
    5,
    10,
    30,
    60,
)
STAGE_BUCKETS = (
    0.00001,
    0.000025,
    0.00005,
    0.0001,
    0.00025,
    0.0005,
    0.001,
    0.0025,
    0.005,
    0.01,
    0.025,
    0.05,
    0.1,
    0.5,
)


class Metrics:
    content_type = CONTENT_TYPE_LATEST

    def __init__(self) -> None:
        r = self.registry = CollectorRegistry(auto_describe=True)
        #: Label children, remembered (`Children`): the metrics live as long as this object.
        self.child = Children()
        self.requests = Counter(
            "keepgate_requests_total",
            "Requests handled",
            ["route", "model", "status", "code"],
            registry=r,
        )
        self.request_seconds = Histogram(
            "keepgate_request_duration_seconds",
            "Wall time per request (to the last byte)",
            ["route"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.ttfb_seconds = Histogram(
            "keepgate_time_to_first_chunk_seconds",
            "Time to the first chunk sent to a streaming client",
            ["route"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.stage_seconds = Histogram(
            "keepgate_guard_duration_seconds",
            "Time spent per guard and stage",
            ["guard", "stage"],
            buckets=STAGE_BUCKETS,
            registry=r,
        )
        self.verdicts = Counter(
            "keepgate_guard_verdicts_total",
            "Guard verdicts",
            ["guard", "decision", "rule"],
            registry=r,
        )
        self.guard_failures = Counter(
            "keepgate_guard_failures_total",
            "A guard could not decide (backend down, crash)",
            ["guard", "mode"],
            registry=r,
        )
        self.upstream_seconds = Histogram(
            "keepgate_upstream_open_duration_seconds",
            "Time to open the upstream stream (headers received)",
            ["model"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.audit_sink_errors = Counter(
            "keepgate_audit_sink_errors_total",
            "Audit records an extra sink (Redis stream) dropped",
            ["sink"],
            registry=r,
        )
        self.upstream_errors = Counter(
            "keepgate_upstream_errors_total", "Upstream failures", ["model", "kind"], registry=r
        )
        self.tokens = Counter(
            "keepgate_tokens_total", "Tokens used", ["key_id", "model", "kind"], registry=r
        )
        self.spend = Counter(
            "keepgate_spend_usd_total", "Money spent (USD)", ["key_id", "model"], registry=r
        )
        self.limiter_rejections = Counter(
            "keepgate_limiter_rejections_total",
            "Requests refused by spend/rate limits",
            ["key_id", "limit"],
            registry=r,
        )
        self.approval_wakes = Counter(
            "keepgate_agent_approval_wakes_total",
            "Agent runs that got a human's decision, by what woke them: local (posted to "
            "this process), notify (another replica's message), poll (the store re-read; "
            "all poll on Redis means the notifications do not arrive)",
            ["source"],
            registry=r,
        )
        self.approval_bus = Counter(
            "keepgate_agent_approval_bus_total",
            "Approval notifications that did not work as they should: poll_only (Redis "
            "refused pub/sub; waiting runs re-read the store every approval_poll_s), lost "
            "(a subscription lost, once per outage), store_error (a waiting run's read of "
            "the store failed; it reads again soon)",
            ["event"],
            registry=r,
        )
        self.in_flight = Gauge(
            "keepgate_requests_in_flight",
            "Requests being served",
            registry=r,
            multiprocess_mode="livesum",
        )

    def render(self) -> bytes:
        if os.environ.get(MULTIPROC_ENV):  # every worker's samples, summed
            from prometheus_client import multiprocess

            merged = CollectorRegistry()
            multiprocess.MultiProcessCollector(merged)  # type: ignore[no-untyped-call]
            return generate_latest(merged)
        return generate_latest(self.registry)

    @staticmethod
    def process_exit() -> None:
        """A worker stops: its live gauges (requests in flight) no longer count."""
        if os.environ.get(MULTIPROC_ENV):
            from prometheus_client import multiprocess

            multiprocess.mark_process_dead(os.getpid())  # type: ignore[no-untyped-call]
