"""The approval bus on a real Redis: a decision published by one process wakes the runs
waiting on it in another, and a lost subscription, once back, wakes every waiting run (the
messages sent meanwhile are gone; the runs re-read the store)."""

from __future__ import annotations

import asyncio
import uuid

import pytest
import redis.asyncio as aredis

from keepgate.agent.approval_bus import ApprovalBus

pytestmark = pytest.mark.asyncio(loop_scope="session")

#: A bound on a hang (a missed wake-up fails the test), not a measured delay.
BOUND_S = 30


async def test_a_published_decision_wakes_its_run_on_the_other_replica(redis_url, redis_prefix):
    name = f"kgtest-bus-{uuid.uuid4().hex[:8]}"
    a_client = aredis.Redis.from_url(redis_url, client_name=name)
    b_client = aredis.Redis.from_url(redis_url)
    a = ApprovalBus(a_client, f"{redis_prefix}approvals")
    b = ApprovalBus(b_client, f"{redis_prefix}approvals")
    try:
        with a.waiter("run-1") as one, a.waiter("run-2") as two:
            assert await a.ready(BOUND_S)
            # The first subscription wakes every run waiting here too (a decision published
            # before the channel was ours reached nobody): they re-read the store once.
            assert one.is_set() and two.is_set()
            one.clear()
            two.clear()
            await b.publish("run-1")
            await asyncio.wait_for(one.wait(), BOUND_S)
            assert not two.is_set()  # only the run the message names

            # Redis drops A's subscription: once A is subscribed again, every run waiting
            # there is woken to re-read the store (a decision may have been published
            # while A was away, and that message is lost).
            one.clear()
            ids = [
                c["id"]
                for c in await b_client.client_list()
                if c.get("name") == name and int(c.get("sub", 0)) > 0
            ]
            assert len(ids) == 1, ids
            await b_client.client_kill_filter(_id=ids[0])
            await asyncio.wait_for(two.wait(), BOUND_S)
            assert one.is_set() and a.subscribed.is_set()
        assert not a._waiters  # a finished wait leaves nothing behind
    finally:
        await a.aclose()
        await b.aclose()
        await a_client.aclose()
        await b_client.aclose()


async def test_without_redis_a_decision_wakes_only_this_process(redis_prefix):
    bus = ApprovalBus()
    with bus.waiter("run-1") as one:
        assert await bus.ready(0)
        await bus.publish("run-1")
        assert one.is_set()
    await bus.aclose()


async def test_a_decision_published_before_the_first_subscribe_is_confirmed_wakes_the_run(
    redis_url, redis_prefix
):
    """`loop.py` announces a wait after `ready` even when the SUBSCRIBE is not confirmed yet
    (slow Redis): a decision published then reaches no subscriber, so the confirmation
    itself must wake the run (review finding: it was lost until the poll, or for good with a
    long `approval_poll_s`)."""
    a_client = aredis.Redis.from_url(redis_url)
    b_client = aredis.Redis.from_url(redis_url)
    release = asyncio.Event()
    real = a_client.pubsub

    class SlowSubscribe:
        """A's SUBSCRIBE reaches Redis only when the test says so."""

        def __init__(self) -> None:
            self.p = real()

        async def __aenter__(self) -> SlowSubscribe:
            await self.p.__aenter__()
            return self

        async def __aexit__(self, *exc: object) -> None:
            await self.p.__aexit__(*exc)

        async def subscribe(self, *channels: str) -> None:
            await release.wait()
            await self.p.subscribe(*channels)

        def __getattr__(self, name: str) -> object:
            return getattr(self.p, name)

    a_client.pubsub = SlowSubscribe  # type: ignore[method-assign,assignment]
    a = ApprovalBus(a_client, f"{redis_prefix}approvals")
    b = ApprovalBus(b_client, f"{redis_prefix}approvals")
    try:
        with a.waiter("run-1") as woken:
            assert not await a.ready(0)  # not confirmed: the run announces its wait anyway
            await b.publish("run-1")  # the decision, on the other replica: nobody hears it
            release.set()
            await asyncio.wait_for(woken.wait(), BOUND_S)  # the confirmation wakes the run
    finally:
        await a.aclose()
        await b.aclose()
        await a_client.aclose()
        await b_client.aclose()
