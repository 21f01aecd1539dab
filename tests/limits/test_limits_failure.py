"""Redis down: fail closed (503, not ready) by default, or serve from local buckets when
configured; and recover once Redis is back. Uses a redis-server this test starts and stops."""

from __future__ import annotations

import time
from typing import Any

import openai
import pytest

from tests.clock import ManualClock
from tests.servers import OwnRedis, free_port

MSG = [{"role": "user", "content": "hello"}]


@pytest.fixture
def own_redis():
    r = OwnRedis().start()
    yield r
    r.close()


def _gateway(gateway_factory, redis_url: str, **section: Any):
    return gateway_factory(
        {
            "guards": {
                "limits": {
                    "enabled": True,
                    "backend": "redis",
                    "redis_url": redis_url,
                    "timeout_ms": 5000,  # a stopped Redis refuses at once; a slow box is not an outage
                    "retry_backend_after_s": 0.2,
                    **section,
                }
            },
            "keys": [{"key_id": "alice", "key": "sk-alice", "limits": {"requests_per_minute": 2}}],
        }
    )


def _ready(gw) -> tuple[int, dict]:
    r = gw.http.get("/readyz")
    return r.status_code, r.json()["checks"]["guard:limits"]


def test_redis_down_fails_closed_with_503_and_not_ready(gateway_factory):
    gw = _gateway(gateway_factory, f"redis://127.0.0.1:{free_port()}/0")
    with pytest.raises(openai.InternalServerError) as err:
        gw.client("sk-alice").chat.completions.create(model="demo", messages=MSG)
    e = err.value
    assert e.status_code == 503 and e.code == "limits_unavailable"
    assert e.response.headers["retry-after"] == "1"
    status, check = _ready(gw)
    assert status == 503 and check["ok"] is False and "redis unreachable" in check["detail"]
    line = gw.audit_lines()[-1]
    assert line["http_status"] == 503 and "usage" not in line  # the upstream was never called
    v = [v for v in line["verdicts"] if v["guard"] == "limits"][0]
    assert v["decision"] == "error" and v["detail"]["mode"] == "closed"
    assert "redis backend unavailable" in gw.log_text() and "refusing calls" in gw.log_text()
    metrics = gw.http.get("/metrics").text
    assert 'keepgate_limits_backend_errors_total{backend="redis",mode="closed"} 1.0' in metrics
    assert 'keepgate_guard_failures_total{guard="limits",mode="closed"} 1.0' in metrics


def test_fallback_local_serves_from_local_buckets_and_says_so(gateway_factory):
    gw = _gateway(
        gateway_factory, f"redis://127.0.0.1:{free_port()}/0", on_backend_error="fallback_local"
    )
    client = gw.client("sk-alice")
    for _ in range(2):
        raw = client.chat.completions.with_raw_response.create(model="demo", messages=MSG)
        assert raw.headers["x-keepgate-limits"] == "degraded-local"
    with pytest.raises(openai.RateLimitError):  # the local bucket still holds the limit
        client.chat.completions.create(model="demo", messages=MSG)
    status, check = _ready(gw)
    assert status == 200 and "using local buckets" in check["detail"]
    assert check["state"] == "degraded"
    assert gw.http.get("/readyz").json()["status"] == "degraded"
    assert "using local buckets" in gw.log_text()
    metrics = gw.http.get("/metrics").text
    assert 'keepgate_limits_backend_errors_total{backend="redis",mode="fallback_local"}' in metrics
    usage = gw.http.get("/v1/keys/self/usage", headers={"Authorization": "Bearer sk-alice"}).json()
    assert usage["totals"]["requests"] == 2 and usage["totals"]["blocked"] == 1


def test_fallback_share_keeps_replicas_together_within_the_limit(gateway_factory):
    """fallback_share 0.5 (two replicas): while Redis is down, this one allows half of the
    key's 2 requests a minute; both together stay within the limit."""
    gw = _gateway(
        gateway_factory,
        f"redis://127.0.0.1:{free_port()}/0",
        on_backend_error="fallback_local",
        fallback_share=0.5,
    )
    client = gw.client("sk-alice")
    raw = client.chat.completions.with_raw_response.create(model="demo", messages=MSG)
    assert raw.headers["x-keepgate-limits"] == "degraded-local"
    with pytest.raises(openai.RateLimitError):
        client.chat.completions.create(model="demo", messages=MSG)


def test_outage_then_recovery_on_a_real_redis(gateway_factory, own_redis):
    """After a failure the guard leaves Redis alone for `retry_backend_after_s`, measured on
    its clock seam (moved by hand here), then uses it again."""
    gw = _gateway(gateway_factory, own_redis.url)
    clock = ManualClock()
    next(g for g in gw.app.state.keepgate.guards if g.name == "limits").clock = clock
    client = gw.client("sk-alice")
    client.chat.completions.create(model="demo", messages=MSG)
    own_redis.stop()
    with pytest.raises(openai.InternalServerError):
        client.chat.completions.create(model="demo", messages=MSG)
    assert _ready(gw)[0] == 503
    own_redis.start()  # empty again: a restarted Redis without persistence
    assert _ready(gw)[0] == 200
    with pytest.raises(openai.InternalServerError):  # still inside retry_backend_after_s
        client.chat.completions.create(model="demo", messages=MSG)
    clock.advance(0.2)  # retry_backend_after_s
    for _ in range(2):
        client.chat.completions.create(model="demo", messages=MSG)
    with pytest.raises(openai.RateLimitError):
        client.chat.completions.create(model="demo", messages=MSG)


def test_settle_that_cannot_reach_redis_keeps_the_reservation(gateway_factory, own_redis):
    gw = _gateway(gateway_factory, own_redis.url)
    client = gw.client("sk-alice")
    stream = client.chat.completions.create(
        model="demo",
        messages=MSG,
        stream=True,
        extra_body={"fake": {"reply": "slow answer", "chunk_chars": 2, "delay_ms": 100}},
    )
    next(iter(stream))  # reserved on Redis, the answer is under way
    own_redis.stop()
    assert "".join(c.choices[0].delta.content or "" for c in stream if c.choices)
    deadline = time.monotonic() + 60  # a bound on a hang, not a timing assert
    while "could not settle" not in gw.log_text() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "reservation stays charged" in gw.log_text()
    metrics = gw.http.get("/metrics").text
    assert 'keepgate_limits_settle_failures_total{backend="redis"} 1.0' in metrics
