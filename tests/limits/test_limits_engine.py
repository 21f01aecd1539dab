"""The bucket engine, run identically against the in-process and the Redis backend."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from tests.clock import ManualClock
from tests.conftest import SESSION_PREFIX
import redis.asyncio as aioredis

from keepgate.limits.backend import Actual, Amounts
from keepgate.limits.local import LocalBackend
from keepgate.limits.redis_backend import RedisBackend
from keepgate.limits.spec import LimitSpecError, Subject, parse_caps

#: Fixtures live on the session loop (pyproject), so the tests must run on it too.
pytestmark = pytest.mark.asyncio(loop_scope="session")

#: Redis connect/reply timeout: a bound on a hang (the 0.25 s default is a production
#: choice; on a loaded box a connect took longer).
TIMEOUT_S = 30.0


@pytest.fixture
def clock() -> ManualClock:
    """The buckets' clock: time moves only when a test advances it (both backends take a
    clock; Redis's TIME is exercised by the gateway tests)."""
    return ManualClock()


@pytest.fixture(params=["local", "redis"])
async def backend(request, redis_url, redis_prefix, clock):
    if request.param == "local":
        yield LocalBackend(clock=clock)
        return
    prefix = redis_prefix.rstrip(":")
    b = RedisBackend(redis_url, prefix=prefix, clock=clock, timeout_s=TIMEOUT_S)
    yield b
    keys = [k async for k in b.client.scan_iter(f"{prefix}:*")]
    if keys:
        await b.client.delete(*keys)
    await b.aclose()


def key(caps: dict, id: str = "alice") -> Subject:
    return Subject.of("key", id, parse_caps(caps))


async def test_reserves_until_the_bucket_is_empty_then_refuses_with_a_wait(backend):
    s = key({"requests_per_minute": 3})
    for left in (2, 1, 0):
        r = await backend.reserve([s], Amounts(1, 10, 0.0))
        assert r.allowed
        assert r.buckets[0].remaining == pytest.approx(left, abs=0.01)
    r = await backend.reserve([s], Amounts(1, 10, 0.0))
    assert not r.allowed
    assert (r.failed_subject, r.failed_dim) == ("key:alice", "requests")
    assert 19 < r.retry_after_s <= 20  # one request refills in 60/3 s


async def test_all_or_nothing_across_key_and_team(backend):
    k = key({"tokens_per_minute": 10_000})
    team = Subject.of("team", "t1", parse_caps({"tokens_per_minute": 500}))
    r = await backend.reserve([k, team], Amounts(1, 800, 0.0))
    assert not r.allowed and r.failed_subject == "team:t1" and r.failed_dim == "tokens"
    usage = await backend.usage(k)
    assert usage.buckets[0].remaining == pytest.approx(10_000, abs=1)
    assert usage.totals["requests"] == 0 and usage.totals["blocked"] == 1


async def test_settle_refunds_the_unused_part_and_charges_overruns(backend):
    s = key({"tokens_per_minute": 1000, "usd_per_day": 1.0})
    r = await backend.reserve([s], Amounts(1, 1000, 0.5))
    assert r.allowed
    await backend.settle([s], Amounts(0, 200 - 1000, 0.1 - 0.5), Actual(150, 50, 0.1, "demo"))
    u = await backend.usage(s)
    rem = {b.dim: b.remaining for b in u.buckets}
    assert rem["tokens"] == pytest.approx(800, abs=20)  # + a little refill
    assert rem["usd_day"] == pytest.approx(0.9, abs=1e-3)
    assert u.totals["spend_usd"] == pytest.approx(0.1)
    assert u.totals["tokens"] == 200
    assert u.by_model == {"demo": {"spend_usd": pytest.approx(0.1), "tokens": 200}}
    # Actual above the reservation is charged too.
    assert (await backend.reserve([s], Amounts(1, 100, 0.0))).allowed
    await backend.settle([s], Amounts(0, 600, 0.0), Actual(100, 600, 0.0, "demo"))
    u = await backend.usage(s)
    assert {b.dim: b.remaining for b in u.buckets}["tokens"] == pytest.approx(100, abs=30)


async def test_buckets_refill_continuously(backend, clock):
    s = key({"tokens_per_minute": 60_000})  # 1000 tokens per second
    assert (await backend.reserve([s], Amounts(1, 60_000, 0.0))).allowed
    assert not (await backend.reserve([s], Amounts(1, 50, 0.0))).allowed
    clock.advance(0.04)  # 40 tokens back: not yet enough
    assert not (await backend.reserve([s], Amounts(1, 50, 0.0))).allowed
    clock.advance(0.02)  # 60 tokens back
    assert (await backend.reserve([s], Amounts(1, 50, 0.0))).allowed
    assert (await backend.usage(s)).buckets[0].remaining == pytest.approx(10, abs=1e-6)


async def test_budget_never_refills_and_says_waiting_will_not_help(backend):
    s = key({"budget_usd": 1.0})
    assert (await backend.reserve([s], Amounts(1, 0, 0.6))).allowed
    await backend.settle([s], Amounts(0, 0, 0.0), Actual(10, 10, 0.6, "demo"))
    r = await backend.reserve([s], Amounts(1, 0, 0.6))
    assert not r.allowed and r.failed_dim == "budget" and r.retry_after_s is None
    assert (await backend.reserve([s], Amounts(1, 0, 0.4))).allowed


async def test_a_request_larger_than_the_bucket_can_never_fit(backend):
    r = await backend.reserve([key({"tokens_per_minute": 100})], Amounts(1, 101, 0.0))
    assert not r.allowed and r.failed_dim == "tokens" and r.retry_after_s is None


async def test_admin_override_replaces_config_caps_at_once_and_can_be_removed(backend):
    s = key({"requests_per_minute": 1})
    assert (await backend.reserve([s], Amounts(1, 0, 0.0))).allowed
    assert not (await backend.reserve([s], Amounts(1, 0, 0.0))).allowed
    await backend.set_override(s, {"requests": 5.0})
    u = await backend.usage(s)
    assert u.overridden and u.caps == {"requests": 5.0}
    assert (await backend.reserve([s], Amounts(1, 0, 0.0))).allowed
    await backend.set_override(s, None)
    assert not (await backend.reserve([s], Amounts(1, 0, 0.0))).allowed
    assert not (await backend.usage(s)).overridden


async def test_no_overdraw_under_200_concurrent_reservations(backend):
    s = key({"requests_per_minute": 1000, "tokens_per_minute": 50_000, "usd_per_hour": 0.05})
    # Each call reserves 1000 tokens and $0.001: the tokens (50) and money (50) run out together.
    results = await asyncio.gather(
        *[backend.reserve([s], Amounts(1, 1000, 0.001)) for _ in range(200)]
    )
    allowed = sum(r.allowed for r in results)
    assert allowed == 50
    u = await backend.usage(s)
    rem = {b.dim: b.remaining for b in u.buckets}
    assert rem["tokens"] < 1000 and rem["usd_hour"] < 0.001 + 1e-9


async def test_unknown_or_bad_limits_are_named():
    with pytest.raises(LimitSpecError, match=r"limits\.rpmm: unknown limit"):
        parse_caps({"rpmm": 3})
    with pytest.raises(LimitSpecError, match="must be a number"):
        parse_caps({"budget_usd": "ten"})
    assert parse_caps({"rpm": 5, "max_budget": None}) == {"requests": 5.0}


async def test_redis_script_survives_a_script_flush_and_keys_expire(redis_url):
    prefix = SESSION_PREFIX + uuid.uuid4().hex[:12]
    b = RedisBackend(redis_url, prefix=prefix, usage_ttl_s=3600, timeout_s=TIMEOUT_S)
    try:
        s = key({"requests_per_minute": 10})
        await b.client.script_flush()
        assert (await b.reserve([s], Amounts(1, 0, 0.0))).allowed  # NOSCRIPT → loaded, retried
        bkey, ukey, _ = b.keys_of(s)
        assert bkey.startswith(prefix + ":key:alice")
        assert 0 < await b.client.pttl(bkey) <= 7_000  # one request drains in 6 s
        assert 3500 < await b.client.ttl(ukey) <= 3600
    finally:
        keys = [k async for k in b.client.scan_iter(f"{prefix}:*")]
        if keys:
            await b.client.delete(*keys)
        await b.aclose()


async def test_the_wait_for_a_free_connection_follows_the_configured_timeout(redis_url):
    """200 concurrent calls share 32 connections; on a loaded box a caller waited past a
    fixed 2 s for one and the call failed closed (503) while Redis was fine."""
    long, short = RedisBackend(redis_url, timeout_s=30), RedisBackend(redis_url, timeout_s=0.25)
    assert long.client.connection_pool.timeout == 30
    assert short.client.connection_pool.timeout == 2.0
    await long.aclose()
    await short.aclose()


async def test_redis_down_raises_backend_unavailable():
    from keepgate.limits.backend import BackendUnavailable

    b = RedisBackend("redis://127.0.0.1:1/0", timeout_s=0.2)
    with pytest.raises(BackendUnavailable):
        await b.reserve([key({"rpm": 1})], Amounts(1, 0, 0.0))
    await b.aclose()


async def test_shared_budget_across_independent_redis_clients(redis_url):
    """Replicas are separate clients on one Redis: the budget is shared, not per client."""
    prefix = SESSION_PREFIX + uuid.uuid4().hex[:12]
    clock = ManualClock(start=1_800_000_000.0)  # one clock, standing still: no refill
    replicas = [
        RedisBackend(redis_url, prefix=prefix, clock=clock, timeout_s=TIMEOUT_S) for _ in range(3)
    ]
    s = key({"requests_per_minute": 30})
    try:
        results = await asyncio.gather(
            *[replicas[i % 3].reserve([s], Amounts(1, 0, 0.0)) for i in range(90)]
        )
        assert sum(r.allowed for r in results) == 30
    finally:
        c: aioredis.Redis = replicas[0].client
        keys = [k async for k in c.scan_iter(f"{prefix}:*")]
        if keys:
            await c.delete(*keys)
        for r in replicas:
            await r.aclose()


async def test_limits_precedence_defaults_role_key_and_null_lifts():
    """defaults ← roles[role].defaults ← keys[id].defaults ← the key's own `limits`."""
    from keepgate.auth.principal import Principal
    from keepgate.config.model import KeepgateConfig
    from keepgate.limits.guard import build

    cfg = KeepgateConfig.model_validate(
        {
            "keys": [
                {"key_id": "a", "key_hash": "0" * 64, "role": "ci"},
                {
                    "key_id": "b",
                    "key_hash": "1" * 64,
                    "role": "ci",
                    "limits": {"tpm": 500, "budget_usd": None},
                },
                {"key_id": "c", "key_hash": "2" * 64, "team": "t"},
            ],
            "teams": [{"team": "t", "limits": {"usd_per_month": 50}}],
        }
    )
    section = {
        "defaults": {"requests_per_minute": 60, "budget_usd": 10},
        "team_defaults": {"usd_per_day": 5},
        "roles": {"ci": {"defaults": {"requests_per_minute": 600}}},
        "keys": {"b": {"defaults": {"tokens_per_minute": 100}}},
    }
    guard = build(section, cfg, None)
    who = {k.key_id: Principal(k.key_id, k.role, k.team) for k in cfg.keys}
    assert guard.key_caps(who["a"]) == {"requests": 600, "budget": 10}
    assert guard.key_caps(who["b"]) == {"requests": 600, "tokens": 500}
    subjects = guard.subjects(who["c"])
    assert [s.label for s in subjects] == ["key:c", "team:t"]
    assert dict(subjects[1].caps) == {"usd_day": 5, "usd_month": 50}
    assert guard.key_caps(Principal("master", "admin", is_admin=True)) == {}
    await guard.aclose()
