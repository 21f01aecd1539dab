"""What the /ui page shows, kept in memory from the audit records (an audit-log sink).

Bounded by construction: the last `keep` decisions, counters keyed by guard/rule (a
configured, finite set) and one latency bucket per `bucket_s` seconds for `window_s`.
Spend and tokens per key come from the Prometheus counters, which are already per key.
"""

from __future__ import annotations

import threading
import time
from collections import Counter, deque
from typing import Any

from keepgate.observability.metrics import Metrics


def _pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, max(0, round(p / 100 * (len(xs) - 1))))]


class LiveView:
    name = "ui"

    def __init__(
        self, metrics: Metrics, keep: int = 200, bucket_s: float = 5.0, window_s: float = 300.0
    ) -> None:
        self.metrics = metrics
        self.bucket_s = bucket_s
        self.window_s = window_s
        self._lock = threading.Lock()
        self._recent: deque[dict[str, Any]] = deque(maxlen=keep)
        self._rules: Counter[tuple[str, str, str]] = Counter()
        self._outcomes: Counter[str] = Counter()
        self._latency: deque[tuple[float, list[float]]] = deque()
        self.total = 0

    def write(self, record: dict[str, Any]) -> None:
        """Called for every audit record; records hold ids and rule names, never text.
        Refusals before any call (bad key, unknown model...) are left to the audit log and
        `/metrics`: a client probing the gateway must not push the calls out of view."""
        if record.get("event") == "refusal":
            return
        now = float(record.get("ts") or time.time())
        get = record.get  # written out: one dict display, no comprehension per record
        row: dict[str, Any] = {
            "ts": get("ts"),
            "request_id": get("request_id"),
            "route": get("route"),
            "model": get("model"),
            "key_id": get("key_id"),
            "role": get("role"),
            "status": get("status"),
            "http_status": get("http_status"),
            "latency_ms": get("latency_ms"),
            "stream": get("stream"),
        }
        if record.get("tool"):  # MCP calls and agent tool calls name their tool
            row["tool"] = record["tool"]
        row["verdicts"] = [
            {k: v.get(k) for k in ("guard", "decision", "rule")}
            for v in record.get("verdicts") or []
        ]
        with self._lock:
            self.total += 1
            self._recent.append(row)
            self._outcomes[str(record.get("status"))] += 1
            for v in row["verdicts"]:
                if v["decision"] != "allow":
                    self._rules[(v["guard"] or "", v["rule"] or "", v["decision"] or "")] += 1
            if isinstance(record.get("latency_ms"), (int, float)):
                start = now - now % self.bucket_s
                if not self._latency or self._latency[-1][0] != start:
                    self._latency.append((start, []))
                self._latency[-1][1].append(float(record["latency_ms"]))
                while self._latency and self._latency[0][0] < now - self.window_s:
                    self._latency.popleft()

    # -- what the JSON endpoints return --------------------------------------------------

    def decisions(self, limit: int = 50) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._recent)[-limit:][::-1]

    def top_rules(self, limit: int = 10) -> list[dict[str, Any]]:
        with self._lock:
            top = self._rules.most_common(limit)
        return [{"guard": g, "rule": r, "decision": d, "count": n} for (g, r, d), n in top]

    def latency(self) -> list[dict[str, Any]]:
        with self._lock:
            buckets = [(t, list(xs)) for t, xs in self._latency]
        return [
            {
                "t": t,
                "n": len(xs),
                "p50_ms": round(_pct(xs, 50), 3),
                "p99_ms": round(_pct(xs, 99), 3),
            }
            for t, xs in buckets
            if xs
        ]

    def spend(self) -> list[dict[str, Any]]:
        keys: dict[str, dict[str, Any]] = {}

        def row(key: str) -> dict[str, Any]:
            return keys.setdefault(
                key, {"key_id": key, "usd": 0.0, "prompt_tokens": 0, "completion_tokens": 0}
            )

        for fam in self.metrics.spend.collect():
            for s in fam.samples:
                if s.name.endswith("_total"):
                    row(s.labels["key_id"])["usd"] += s.value
        for fam in self.metrics.tokens.collect():
            for s in fam.samples:
                if s.name.endswith("_total"):
                    kind = "prompt_tokens" if s.labels["kind"] == "prompt" else "completion_tokens"
                    row(s.labels["key_id"])[kind] += int(s.value)
        return sorted(keys.values(), key=lambda r: (-r["usd"], r["key_id"]))

    def summary(self) -> dict[str, Any]:
        with self._lock:
            outcomes = dict(self._outcomes)
            total = self.total
        return {"requests": total, "outcomes": outcomes}
