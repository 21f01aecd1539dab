"""Run leases and cancel requests expire on the checkpoint store's clock (SQLite and real
Redis): a test moves that clock instead of waiting for a lease to run out."""

from __future__ import annotations

import pytest

from keepgate.agent.checkpoint import CheckpointStore, RedisStore, SQLiteStore
from tests.clock import ManualClock

pytestmark = pytest.mark.asyncio(loop_scope="session")


@pytest.fixture(params=["sqlite", "redis"])
async def store(request, tmp_path, redis_url, redis_prefix):
    clock = ManualClock(start=1_800_000_000.0)  # epoch seconds, as the real clock gives
    s: CheckpointStore
    if request.param == "sqlite":
        s = SQLiteStore(tmp_path / "runs.db", clock=clock)
    else:
        s = RedisStore(redis_url, redis_prefix, 3600, clock=clock)
    yield s, clock
    await s.aclose()


async def test_a_lease_holds_until_its_clock_passes_it(store):
    s, clock = store
    assert await s.claim("r1", "a", 15)
    assert not await s.claim("r1", "b", 15)  # held by a
    clock.advance(14.9)
    assert await s.claim("r1", "a", 15)  # a renews: 15 s from now
    clock.advance(14.9)
    assert not await s.claim("r1", "b", 15)
    clock.advance(0.2)  # a's renewal ran out: a crashed, b takes the run over
    assert await s.claim("r1", "b", 15)
    assert not await s.claim("r1", "a", 15)  # a, back from a stall, has lost it
    await s.release("r1", "a")  # not a's to give back: b still holds it
    assert not await s.claim("r1", "a", 15)
    await s.release("r1", "b")
    assert await s.claim("r1", "a", 15)


async def test_a_cancel_request_stands_until_it_expires(store):
    s, clock = store
    assert not await s.cancel_requested("r1")
    await s.request_cancel("r1", 60)
    clock.advance(59.9)
    assert await s.cancel_requested("r1")
    clock.advance(0.2)
    assert not await s.cancel_requested("r1")
