"""A run waiting for approval whose read of the store fails when a decision is notified
(Redis checkpoints, two gateways): the notification is not used up by the failed read;
the run reads again soon and finds the decision, long before its hourly poll."""

from __future__ import annotations

from typing import Any

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError

from keepgate.agent.service import AgentService
from tests.agent.agent_support import DEV, of, run, types
from tests.agent.test_agent_resume import _replicas_with_a_run_waiting_on_a, _wakes

pytestmark = pytest.mark.slow(cpu_s=6)


def _store_errors(gw: Any) -> float:
    registry = gw.app.state.keepgate.metrics.registry
    found = registry.get_sample_value("keepgate_agent_approval_bus_total", {"event": "store_error"})
    return found or 0.0


def test_a_failed_store_read_does_not_lose_the_notification(
    gateway_factory, redis_url, tmp_path, redis_prefix
):
    """A re-reads the store only hourly and times out after 60 s (then the call counts as
    denied, asserted against): only a second read prompted by the notification can find B's
    approval. A's real Redis store is made to fail its next read once."""
    a, b, events = _replicas_with_a_run_waiting_on_a(
        gateway_factory, tmp_path, "redis", redis_url, 3, redis_prefix, approval_poll_s=3600
    )
    store = a.app.state.keepgate.services.get(AgentService).store
    real_load = store.load
    failed: list[str] = []

    async def load_failing_once(run_id: str):  # the real store, its connection "lost" once
        if not failed:
            failed.append(run_id)
            raise RedisConnectionError("Connection reset by peer")
        return await real_load(run_id)

    store.load = load_failing_once
    run_id = events[0]["run_id"]
    headers = {"authorization": f"Bearer {DEV}"}
    r = b.http.post(
        f"/v1/agent/runs/{run_id}/approvals",
        json={"tool_call_id": "e1", "decision": "approve"},
        headers=headers,
    )
    assert r.status_code == 200, r.text
    rest = run(a, DEV, None, path=f"/v1/agent/runs/{run_id}/events?after={events[-1]['seq']}")
    assert types(rest)[-1] == "run.completed"
    human = [e for e in of(rest, "tool.decided") if e["by"] == "human"]
    assert human and human[0]["decision"] == "allow", human
    assert failed == [run_id]
    assert _store_errors(a) == 1
    assert _wakes(a) == {"notify": 1}  # the notification's wake, read on the second try
    assert len((tmp_path / "outbox.jsonl").read_text().splitlines()) == 1
