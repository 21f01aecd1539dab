"""The approval bus on a real Redis that refuses pub/sub (an ACL user without `@pubsub`,
as a managed proxy without SUBSCRIBE answers): the bus turns to the poll once, warns once
and counts it, and no later wait pays for a subscription that cannot come."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator
from urllib.parse import urlsplit, urlunsplit

import pytest
import pytest_asyncio
import redis.asyncio as aredis

from keepgate.agent.approval_bus import ApprovalBus

pytestmark = pytest.mark.asyncio(loop_scope="session")

#: A bound on a hang (the old bus waited for `ready`'s whole timeout), not a measured delay.
BOUND_S = 30


@pytest_asyncio.fixture(loop_scope="session")
async def no_pubsub_url(redis_url: str) -> AsyncIterator[str]:
    """A URL of the real Redis as a user that may run anything but pub/sub commands."""
    user = f"kgtest-nopubsub-{uuid.uuid4().hex[:8]}"
    password = uuid.uuid4().hex
    admin = aredis.Redis.from_url(redis_url)
    await admin.execute_command(
        "ACL", "SETUSER", user, "on", f">{password}", "~*", "+@all", "-@pubsub"
    )
    parts = urlsplit(redis_url)
    try:
        yield urlunsplit(
            parts._replace(netloc=f"{user}:{password}@{parts.hostname}:{parts.port or 6379}")
        )
    finally:
        await admin.execute_command("ACL", "DELUSER", user)
        await admin.aclose()


async def test_a_redis_without_pubsub_turns_the_bus_to_the_poll_once(
    no_pubsub_url: str, redis_prefix: str, caplog: pytest.LogCaptureFixture
) -> None:
    client = aredis.Redis.from_url(no_pubsub_url)
    events: list[str] = []
    bus = ApprovalBus(client, f"{redis_prefix}approvals", events.append)
    caplog.set_level(logging.INFO, logger="keepgate.agent")
    try:
        assert await client.ping()  # the store's commands work
        with bus.waiter("run-1") as woken:
            # The first wait learns that SUBSCRIBE is refused: it ends with the refusal,
            # not at its timeout (an hour here; BOUND_S bounds the hang it was before)...
            assert not await asyncio.wait_for(bus.ready(3600), BOUND_S)
            assert bus.poll_only and events == ["poll_only"]
            # ...and every later one returns at once, tries nothing and says nothing more.
            for _ in range(3):
                assert not await bus.ready(BOUND_S)
            await bus.publish("run-1")  # refused too: the local wake still happens
            assert woken.is_set()
        with bus.waiter("run-2"):
            assert not await bus.ready(BOUND_S)
        assert events == ["poll_only"]
        warned = [
            r for r in caplog.records if r.name == "keepgate.agent" and r.levelno >= logging.WARNING
        ]
        assert len(warned) == 1 and "refused pub/sub" in warned[0].getMessage(), warned
    finally:
        await bus.aclose()
        await client.aclose()


async def test_a_publish_refused_turns_the_bus_to_the_poll(
    no_pubsub_url: str, redis_prefix: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A replica that only posts decisions (no run waiting there) learns it from PUBLISH."""
    client = aredis.Redis.from_url(no_pubsub_url)
    events: list[str] = []
    bus = ApprovalBus(client, f"{redis_prefix}approvals", events.append)
    caplog.set_level(logging.WARNING, logger="keepgate.agent")
    try:
        for i in range(3):
            await bus.publish(f"run-{i}")
        assert bus.poll_only and events == ["poll_only"]
        assert len([r for r in caplog.records if r.name == "keepgate.agent"]) == 1
    finally:
        await bus.aclose()
        await client.aclose()
