"""A run that ends while another replica is about to resume it is not driven again.

The interleaving: B takes an approval for a run A executes, records it and notifies A,
then tries to resume the run itself (in case no replica runs it). A, woken, finishes the
run and releases its lease before B's claim: B's claim succeeds on a finished run. B must
see the run ended and leave it, not drive it a second time (which wrote `running` over
`completed` and emitted a second `run.completed`)."""

from __future__ import annotations

import asyncio

import pytest

from keepgate.agent.service import AgentService
from tests.agent.agent_support import DEV, of, run, types
from tests.agent.test_agent_resume import _replicas_with_a_run_waiting_on_a

pytestmark = pytest.mark.slow(cpu_s=4)  # scheduled first: tests/conftest.py


def _service(gw) -> AgentService:
    return gw.app.state.keepgate.services.get(AgentService)


def test_a_run_finished_before_the_claim_is_not_resumed(
    gateway_factory, redis_url, tmp_path, redis_prefix
):
    a, b, events = _replicas_with_a_run_waiting_on_a(
        gateway_factory, tmp_path, "redis", redis_url, 3, redis_prefix, approval_poll_s=3600
    )
    run_id = events[0]["run_id"]
    a_live = _service(a).live[run_id]
    a_task = a_live.task
    assert a_task is not None
    a_loop = a_task.get_loop()
    store_b = _service(b).store
    claim = store_b.claim

    async def claim_once_a_finished(rid: str, owner: str, ttl_s: float) -> bool:
        # B's claim waits (on an event, not a clock) until A has finished the run and
        # released its lease: the order a loaded box produces by chance.
        done = asyncio.run_coroutine_threadsafe(asyncio.wait({a_task}), a_loop)
        await asyncio.wrap_future(done)
        return await claim(rid, owner, ttl_s)

    store_b.claim = claim_once_a_finished  # type: ignore[method-assign]
    try:
        r = b.http.post(
            f"/v1/agent/runs/{run_id}/approvals",
            json={"tool_call_id": "e1", "decision": "approve"},
            headers={"authorization": f"Bearer {DEV}"},
        )
    finally:
        store_b.claim = claim  # type: ignore[method-assign]
    assert r.status_code == 200, r.text
    rest = run(a, DEV, None, path=f"/v1/agent/runs/{run_id}/events?after={events[-1]['seq']}")
    assert types(rest)[-1] == "run.completed"
    assert len(of(rest, "run.completed")) == 1
    assert run_id not in _service(b).live  # B never drove it
    final = b.http.get(f"/v1/agent/runs/{run_id}", headers={"authorization": f"Bearer {DEV}"})
    assert final.json()["status"] == "completed"
    assert len((tmp_path / "outbox.jsonl").read_text().splitlines()) == 1
    again = b.http.post(
        f"/v1/agent/runs/{run_id}/resume", headers={"authorization": f"Bearer {DEV}"}
    )
    assert again.status_code == 409 and again.json()["error"]["code"] == "run_not_resumable"
