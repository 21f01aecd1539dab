"""Several gateway replicas share one Redis budget: 200 concurrent calls, no overdraw.

The replicas are three independent gateways (each its own app, event loop, guards and Redis
connection pool), served in-process; only the Redis budget is shared. Separate processes
racing for one budget are covered over real sockets by tests/serving/test_workers.py
(`keepgate serve --workers 2`, the same 200-call race); this test keeps what that one
cannot pin down: calls spread over every replica, and every replica refusing afterwards."""

from __future__ import annotations

import asyncio
import time

import openai
import pytest

from tests.clock import ManualClock

pytestmark = pytest.mark.asyncio(loop_scope="session")

USD_PER_HOUR = 0.05
REPLICAS = 3


def _config(redis_url: str, namespace: str) -> dict:
    return {
        "keys": [
            {
                "key_id": "alice",
                "key": "sk-alice",
                "limits": {"usd_per_hour": USD_PER_HOUR, "requests_per_minute": 10_000},
            },
            {"key_id": "warm", "key": "sk-warm"},
        ],
        "guards": {
            "limits": {
                "enabled": True,
                "backend": "redis",
                "redis_url": redis_url,
                "namespace": namespace,
            },
        },
    }


@pytest.fixture
def replicas(gateway_factory, redis_url: str, redis_prefix: str):
    """The replicas' buckets read one manual clock: nothing refills during the race."""
    cfg = _config(redis_url, redis_prefix.rstrip(":"))
    gws = [gateway_factory(cfg) for _ in range(REPLICAS)]
    # Whole seconds: the bucket scripts store times to 14 significant digits.
    clock = ManualClock(start=float(int(time.time())))
    for gw in gws:
        next(g for g in gw.app.state.keepgate.guards if g.name == "limits").backend.clock = clock
    return gws


async def _warm_up(replicas) -> None:
    """One call per replica first (tokenizer and connections loaded), so no replica is
    behind the others when the burst starts and the budget race is a real one."""

    async def one(gw) -> None:
        async with gw.async_client("sk-warm", timeout=30) as c:
            await c.chat.completions.create(
                model="demo", max_tokens=5, messages=[{"role": "user", "content": "hi"}]
            )

    await asyncio.gather(*[one(gw) for gw in replicas])


async def test_200_concurrent_calls_on_three_replicas_never_overdraw(replicas):
    await _warm_up(replicas)
    clients = [gw.async_client("sk-alice", timeout=30) for gw in replicas]

    async def one(i: int) -> tuple[int, str]:
        try:
            await clients[i % REPLICAS].chat.completions.create(
                model="demo",
                messages=[{"role": "user", "content": "hello"}],
                max_tokens=1000,
                extra_body={
                    "fake": {
                        "reply": "ok",
                        "usage": {"prompt_tokens": 8, "completion_tokens": 1000},
                    }
                },
            )
            return 200, f"replica {i % REPLICAS}"
        except openai.APIStatusError as exc:  # 429 expected; anything else fails below
            return exc.status_code, f"replica {i % REPLICAS}: {exc.message}"

    results = await asyncio.gather(*[one(i) for i in range(200)])
    for c in clients:
        await c.close()
    ok = [who for status, who in results if status == 200]
    unexpected = [(s, why) for s, why in results if s not in (200, 429)]
    assert not unexpected, unexpected[:3]
    admin = {"Authorization": f"Bearer {replicas[0].master_key}"}
    usage = replicas[0].http.get("/admin/keys/alice/usage", headers=admin).json()
    spend = usage["totals"]["spend_usd"]
    # Each call costs ~$0.002008; the hour's $0.05 allows 24 (nothing refills: the clock
    # stands still). A reservation may go 1e-9 (relative) over a cap: float sums.
    assert spend <= USD_PER_HOUR * (1 + 1e-9)
    assert spend == pytest.approx(len(ok) * (8e-6 + 1000 * 2e-6))
    assert 20 <= len(ok) <= 25
    assert usage["totals"]["requests"] == len(ok)
    assert usage["totals"]["blocked"] == 200 - len(ok)
    # The budget really is shared between the replicas: whichever spent it (one fast
    # replica may win the whole race), every replica now refuses the next call.
    for gw in replicas:
        async with gw.async_client("sk-alice", timeout=30) as c:
            with pytest.raises(openai.RateLimitError):
                await c.chat.completions.create(
                    model="demo",
                    max_tokens=1000,
                    messages=[{"role": "user", "content": "one more"}],
                )
