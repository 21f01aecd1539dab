"""A run's event stream ends when the run stops executing in this process without
finishing (shutdown; a lease another replica took): before, no final event came and the
client waited for good (in-process tests had no read timeout either: a stalled worker).
The stream ends with `done`; GET the run for its status (`interrupted`, resumable)."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from keepgate.agent.live import LiveRun
from keepgate.agent.service import AgentService
from tests.agent.agent_support import DEV, run, types
from tests.agent.test_agent_resume import _replicas_with_a_run_waiting_on_a

#: A bound on a hang, not a measured delay.
HANG_S = 120


async def _stop_as_shutdown(live: LiveRun) -> None:
    """What `AgentService.aclose` does to a run at shutdown."""
    assert live.task is not None
    live.stop_reason = "shutdown"
    live.task.cancel()
    await asyncio.wait({live.task})


def test_the_stream_of_a_run_stopped_at_shutdown_ends(
    gateway_factory, redis_url, tmp_path, redis_prefix
):
    a, _b, events = _replicas_with_a_run_waiting_on_a(
        gateway_factory, tmp_path, "sqlite", redis_url, 3, redis_prefix, approval_poll_s=3600
    )
    run_id = events[0]["run_id"]
    live = a.app.state.keepgate.services.get(AgentService).live[run_id]
    got: list[Any] = []

    def stream() -> None:
        try:
            got.append(run(a, DEV, None, path=f"/v1/agent/runs/{run_id}/events"))
        except Exception as exc:  # noqa: BLE001 - handed to the test
            got.append(exc)

    reader = threading.Thread(target=stream, daemon=True)
    reader.start()
    assert a.host is not None  # in-process: the run is stopped on the app's loop
    a.host.run(_stop_as_shutdown(live))
    reader.join(HANG_S)
    assert got, f"the event stream did not end ({HANG_S} s)"
    assert isinstance(got[0], list), got[0]
    assert types(got[0])[-1] == "approval.required"  # no final event: it did not finish
    headers = {"authorization": f"Bearer {DEV}"}
    assert a.http.get(f"/v1/agent/runs/{run_id}", headers=headers).json()["status"] == (
        "interrupted"
    )
