"""Metric names follow Prometheus conventions and labels stay bounded (no per-request values)."""

from __future__ import annotations

import openai
import pytest
from prometheus_client.parser import text_string_to_metric_families

#: family -> label names it must have (exactly).
EXPECTED = {
    "keepgate_requests": {"route", "model", "status", "code"},
    "keepgate_request_duration_seconds": {"route"},
    "keepgate_time_to_first_chunk_seconds": {"route"},
    "keepgate_guard_duration_seconds": {"guard", "stage"},
    "keepgate_guard_verdicts": {"guard", "decision", "rule"},
    "keepgate_upstream_open_duration_seconds": {"model"},
    "keepgate_upstream_errors": {"model", "kind"},
    "keepgate_tokens": {"key_id", "model", "kind"},
    "keepgate_spend_usd": {"key_id", "model"},
    "keepgate_limiter_rejections": {"key_id", "limit"},
}
#: Label names that would explode cardinality or leak content.
FORBIDDEN_LABELS = {
    "request_id",
    "id",
    "user",
    "prompt",
    "message",
    "text",
    "content",
    "ip",
    "path",
    "url",
    "api_key",
    "key",
}


def _families(gw) -> dict:
    text = gw.http.get("/metrics", timeout=60).text
    return {f.name: f for f in text_string_to_metric_families(text)}


def test_metric_names_and_labels_are_bounded(gateway_factory):
    gw = gateway_factory(
        {
            "guards": {"pii": {"enabled": True}, "limits": {"enabled": True}},
            "keys": [
                {
                    "key_id": "team-a",
                    "key": "sk-obs-metrics-a-000001",
                    "limits": {"requests_per_minute": 5},
                },
                {"key_id": "team-b", "key": "sk-obs-metrics-b-000002"},
            ],
        }
    )
    client = gw.client("sk-obs-metrics-a-000001")
    ids = set()
    for i in range(5):
        resp = client.chat.completions.with_raw_response.create(
            model="demo",
            messages=[{"role": "user", "content": f"hello {i} bob@example.com"}],
            stream=bool(i % 2),
        )
        ids.add(resp.headers["x-keepgate-request-id"])
        parsed = resp.parse()
        if i % 2:
            list(parsed)
    with pytest.raises(openai.RateLimitError):  # the 6th request of the minute
        client.chat.completions.create(model="demo", messages=[{"role": "user", "content": "x"}])
    with pytest.raises(openai.APIStatusError):  # an upstream failure
        gw.client("sk-obs-metrics-b-000002").chat.completions.create(
            model="demo",
            messages=[{"role": "user", "content": "x"}],
            extra_body={"fake": {"error": 500}},
        )
    fams = _families(gw)
    for name, labels in EXPECTED.items():
        assert name in fams, f"missing metric family {name}"
        assert fams[name].samples, name
        for s in fams[name].samples:
            got = set(s.labels) - {"le"}
            assert got == labels, f"{s.name}: labels {got} != {labels}"
    for fam in fams.values():
        if not fam.name.startswith("keepgate_"):
            continue
        assert fam.type in ("counter", "histogram", "gauge"), fam.name
        if fam.type == "histogram":
            assert fam.name.endswith("_seconds"), f"histogram {fam.name} must be in seconds"
        for s in fam.samples:
            assert not (set(s.labels) & FORBIDDEN_LABELS), (s.name, s.labels)
            for value in s.labels.values():
                assert value not in ids and not value.startswith("kg-"), (s.name, value)
                assert "@" not in value, (s.name, value)
    # Counted where it should be: 6 requests, by status, for the configured key.
    reqs = sum(
        s.value
        for s in fams["keepgate_requests"].samples
        if s.labels["route"] == "chat.completions" and s.labels["status"] == "200"
    )
    assert reqs == 5
    tokens = {
        s.labels["kind"]: s.value
        for s in fams["keepgate_tokens"].samples
        if s.labels["key_id"] == "team-a" and s.name.endswith("_total")
    }
    assert tokens["prompt"] > 0 and tokens["completion"] > 0
    stages = {
        (s.labels["guard"], s.labels["stage"])
        for s in fams["keepgate_guard_duration_seconds"].samples
    }
    assert ("pii", "request") in stages
