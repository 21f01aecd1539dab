"""Red team 8, second half: two decisions on one approval both landed.

`Approvals.decide` read the record, checked it was pending and wrote the decision, with
awaits between: an owner's approve and an admin's deny that both read it pending both
wrote (the last write won) and both were answered 200 and audited as the decision. Now
one decision is claimed atomically (`put_new`), the other is a 409 conflict. The two
deciders are made to interleave by a barrier in the store's read (both must have read the
record before either goes on), not by timing: the test is deterministic. Real Redis.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from typing import Any

import pytest

from keepgate.mcp.approvals import ApprovalConflict, Approvals
from keepgate.mcp.store import RedisStore

REDIS = os.environ.get("KEEPGATE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


class Interleaved(RedisStore):
    """A real Redis store whose approval reads wait until `n` readers have read."""

    def __init__(self, url: str, prefix: str, n: int) -> None:
        super().__init__(url, prefix)
        self.n, self.seen, self.all_read = n, 0, asyncio.Event()

    async def get(self, key: str) -> Any | None:
        value = await super().get(key)
        if key.startswith("ap:") and not self.all_read.is_set():
            self.seen += 1
            if self.seen >= self.n:
                self.all_read.set()
            await self.all_read.wait()
        return value


async def test_two_concurrent_decisions_one_wins_the_other_conflicts() -> None:
    prefix = f"kg-test-red8b-{uuid.uuid4().hex[:8]}:"
    store = Interleaved(REDIS, prefix, 2)
    try:
        approvals = Approvals(store, 300)
        record = await approvals.create(
            key_id="k-owner",
            role="user",
            session="s1",
            server="demo",
            tool="send_email",
            shown_arguments={"to": "a@example.org"},
            reasons=["untrusted output"],
            rule="r",
            digest="d1",
            tool_call_id="c1",
        )
        results = await asyncio.gather(
            approvals.decide(record["id"], True, "k-owner", ""),
            approvals.decide(record["id"], False, "admin", ""),
            return_exceptions=True,
        )
        won = [r for r in results if isinstance(r, dict)]
        lost = [r for r in results if isinstance(r, ApprovalConflict)]
        assert len(won) == 1 and len(lost) == 1, results
        final = await approvals.get(record["id"])
        assert final["status"] == won[0]["status"] and final["decided_by"] == won[0]["decided_by"]
    finally:
        r = await store._redis.get()
        keys = [k async for k in r.scan_iter(match=prefix + "*")]
        if keys:
            await r.delete(*keys)
        await store.aclose()


@pytest.mark.parametrize("approve", [True, False])
async def test_a_decided_approval_is_not_decided_again(approve: bool) -> None:
    prefix = f"kg-test-red8b-{uuid.uuid4().hex[:8]}:"
    store = RedisStore(REDIS, prefix)
    try:
        approvals = Approvals(store, 300)
        record = await approvals.create(
            key_id="k", role="user", session="s", server="demo", tool="t",
            shown_arguments={}, reasons=[], rule="r", digest="d", tool_call_id="c",
        )  # fmt: skip
        await approvals.decide(record["id"], approve, "k", "")
        with pytest.raises(ApprovalConflict):
            await approvals.decide(record["id"], not approve, "admin", "")
    finally:
        r = await store._redis.get()
        keys = [k async for k in r.scan_iter(match=prefix + "*")]
        if keys:
            await r.delete(*keys)
        await store.aclose()
