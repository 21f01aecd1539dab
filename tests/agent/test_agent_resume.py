"""Kill -9 a gateway in the middle of a run, resume it in another: completed tool calls are
not executed again. Both checkpoint backends (SQLite file, real Redis)."""

from __future__ import annotations

import copy
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import yaml

from keepgate.agent.service import AgentService
from keepgate.pipeline.overrides import deep_merge
from tests.agent.agent_support import DEV, REPO, agent_config, call, fake, of, run, types
from tests.clock import ManualClock
from tests.conftest import _hash_keys, base_config
from tests import tls
from tests.servers import free_port

pytestmark = pytest.mark.slow(cpu_s=3.6)  # scheduled first: tests/conftest.py


def _wakes(gw) -> dict[str, float]:
    """keepgate_agent_approval_wakes_total by source, as this gateway counted them."""
    registry = gw.app.state.keepgate.metrics.registry
    found = {
        source: registry.get_sample_value("keepgate_agent_approval_wakes_total", {"source": source})
        for source in ("local", "notify", "poll")
    }
    return {k: v for k, v in found.items() if v}


def _on_clock(gw, clock: ManualClock) -> None:
    """The gateway's checkpoint store judges lease and cancel expiries on `clock`."""
    gw.app.state.keepgate.services.get(AgentService).store.clock = clock


def _serve(cfg: dict, tmp: Path) -> tuple[subprocess.Popen, str]:
    path = tmp / "sub.yaml"
    path.write_text(yaml.safe_dump(cfg))
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "keepgate.cli", "serve", "--config", str(path), "--port", str(port)],
        cwd=tmp,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    with tls.http_client(timeout=1) as http:  # one client (TLS context) for every poll
        while True:
            try:
                if http.get(url + "/healthz").status_code == 200:
                    return proc, url
            except httpx.HTTPError:
                pass
            if proc.poll() is not None:
                raise RuntimeError(proc.stderr.read().decode() if proc.stderr else "died")
            if time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError("gateway subprocess did not start")
            time.sleep(0.1)


@pytest.mark.parametrize("backend", ["sqlite", "redis"])
def test_kill_and_resume(
    backend, gateway_factory, fake_model_url, redis_url, tmp_path, web, redis_prefix
):
    server, state = web
    state.clear()
    over = agent_config(
        tmp_path,
        backend=backend,
        redis_url=redis_url,
        prefix=redis_prefix,
        agent={
            "tools": {
                "http_get": {
                    "timeout_s": 30,
                    "retries": 0,
                    "options": {"allowed_hosts": ["127.0.0.1"]},
                }
            },
            "checkpoints": {"lease_s": 1},
        },
    )
    cfg = deep_merge(base_config(fake_model_url), _hash_keys(copy.deepcopy(over)))
    cfg["general_settings"]["audit_log"] = str(tmp_path / "sub-audit.jsonl")
    script = fake(
        {
            "tool_calls": [
                call(
                    "send_email",
                    "e1",
                    to="bob@example.com",
                    subject="Status",
                    body="Starting the check.",
                )
            ]
        },
        {"tool_calls": [call("http_get", "h1", url=server.url + "/hang")]},
        {"reply": "All systems operational; Bob was told."},
    )
    # Epoch seconds before the killed process took its lease, for the gateway that resumes:
    # on that clock the lease stands until the test moves it (any lease the killed process
    # wrote expires after this instant, however slow the box).
    clock = ManualClock(start=time.time())
    proc, url = _serve(cfg, tmp_path)
    try:
        events = run(
            url,
            DEV,
            {"task": "Check the status page and tell Bob", "model": "demo", "model_params": script},
            until="tool.requested",
        )
        run_id = events[0]["run_id"]
        deadline = time.monotonic() + 60  # a bound on a hang, not a timing assert
        while state.get("hang_hits", 0) < 1:  # wait until the second tool call is running
            assert time.monotonic() < deadline, "the run never reached the hanging tool"
            time.sleep(0.05)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    outbox = tmp_path / "outbox.jsonl"
    assert len(outbox.read_text().splitlines()) == 1

    # A new gateway process (here in-process) with the same checkpoint store resumes it.
    state["hang_ok"] = True
    gw = gateway_factory(over)
    _on_clock(gw, clock)
    headers = {"authorization": f"Bearer {DEV}"}
    before = gw.http.get(f"/v1/agent/runs/{run_id}", headers=headers).json()
    assert before["status"] == "running" and before["step"] == 2  # as the kill left it
    # The killed process's lease on the run has not expired yet: not resumable here yet.
    early = gw.http.post(f"/v1/agent/runs/{run_id}/resume", headers=headers, timeout=30)
    assert early.status_code == 409, early.text
    assert early.json()["error"]["code"] == "run_active_elsewhere"
    assert early.headers["retry-after"] == "1"
    # Past the killed process's last renewal (before now) plus lease_s: the lease expired.
    clock.advance(time.time() + 1.001 - clock())  # lease_s is 1
    resumed = run(gw, DEV, {}, path=f"/v1/agent/runs/{run_id}/resume")
    assert resumed[0]["type"] == "run.started" and resumed[0]["resumed"] is True
    ran = [e["tool_call_id"] for e in of(resumed, "tool.result")]
    assert ran == ["h1"]  # e1 had completed before the kill: not executed again
    assert len(outbox.read_text().splitlines()) == 1
    assert state["hang_hits"] == 2  # h1 never finished, so it ran again
    assert types(resumed)[-1] == "run.completed"
    assert of(resumed, "run.completed")[0]["result"] == "All systems operational; Bob was told."
    after = gw.http.get(f"/v1/agent/runs/{run_id}", headers=headers).json()
    assert after["status"] == "completed"
    assert [m["tool_call_id"] for m in after["messages"] if m["role"] == "tool"] == ["e1", "h1"]
    again = gw.http.post(f"/v1/agent/runs/{run_id}/resume", headers=headers)
    assert again.status_code == 409


def _replicas_with_a_run_waiting_on_a(
    gateway_factory,
    tmp_path,
    backend: str,
    redis_url: str,
    lease_s: float,
    redis_prefix: str,
    approval_poll_s: float = 1.0,
):
    """Two gateways A and B on one checkpoint store (one SQLite file or one Redis), and a
    run on A waiting for a human to approve its `send_email` (tainted by an invoice)."""
    over = agent_config(
        tmp_path,
        backend=backend,
        redis_url=redis_url,
        prefix=redis_prefix,
        agent={
            "checkpoints": {"lease_s": lease_s, "approval_poll_s": approval_poll_s},
            # A bound on a hang: a missed wake-up ends the wait as a denial (asserted
            # against), never a test waiting for the hourly poll.
            "approval_timeout_s": 60,
        },
    )
    a, b = gateway_factory(over), gateway_factory(over)
    clock = ManualClock(start=time.time())  # A's lease never expires: no renewal races it
    _on_clock(a, clock)
    _on_clock(b, clock)
    script = fake(
        {"tool_calls": [call("read_file", "r1", path="/srv/data/vendor_invoice.txt")]},
        {
            "tool_calls": [
                call(
                    "send_email",
                    "e1",
                    to="bob@example.com",
                    subject="Invoice",
                    body="Invoice 2024-117 is due in 30 days.",
                )
            ]
        },
        {"reply": "Done."},
    )
    events = run(
        a,
        DEV,
        {"task": "Forward the invoice summary to Bob", "model": "demo", "model_params": script},
        until="approval.required",
    )
    return a, b, events


def test_two_replicas_never_drive_one_run(gateway_factory, redis_url, tmp_path, redis_prefix):
    """Replicas A and B share Redis checkpoints. A run waiting for approval on A is leased
    by A: B cannot resume it, and an approval posted to B (a load balancer's choice) reaches
    A through the store; the tool runs once, on A. A learns of it by B's notification
    (Redis pub/sub): A re-reads the store only hourly here, so nothing else could wake it
    before its wait times out (60 s, then the call counts as denied)."""
    a, b, events = _replicas_with_a_run_waiting_on_a(
        gateway_factory, tmp_path, "redis", redis_url, 3, redis_prefix, approval_poll_s=3600
    )
    run_id = events[0]["run_id"]
    headers = {"authorization": f"Bearer {DEV}"}
    r = b.http.post(f"/v1/agent/runs/{run_id}/resume", headers=headers)
    assert r.status_code == 409 and r.json()["error"]["code"] == "run_active_elsewhere"
    assert r.headers["retry-after"] == "3"
    r = b.http.post(
        f"/v1/agent/runs/{run_id}/approvals",
        json={"tool_call_id": "e1", "decision": "approve"},
        headers=headers,
    )
    assert r.status_code == 200, r.text
    rest = run(a, DEV, None, path=f"/v1/agent/runs/{run_id}/events?after={events[-1]['seq']}")
    assert types(rest)[-1] == "run.completed"
    human = [e for e in of(rest, "tool.decided") if e["by"] == "human"]
    assert human and human[0]["decision"] == "allow"
    assert len((tmp_path / "outbox.jsonl").read_text().splitlines()) == 1  # sent once
    assert _wakes(a) == {"notify": 1}
    final = b.http.get(f"/v1/agent/runs/{run_id}", headers=headers).json()
    assert final["status"] == "completed"
    # Finished: the lease is released, and a finished run is not resumable anywhere.
    r = b.http.post(f"/v1/agent/runs/{run_id}/resume", headers=headers)
    assert r.status_code == 409 and r.json()["error"]["code"] == "run_not_resumable"


def test_replicas_on_one_sqlite_file_learn_of_an_approval_by_reading_the_store(
    gateway_factory, redis_url, tmp_path, redis_prefix
):
    """No Redis, no notification: the run waiting on A finds B's decision in the shared
    file, on its next read of the store (the fallback every deployment keeps)."""
    a, b, events = _replicas_with_a_run_waiting_on_a(
        gateway_factory, tmp_path, "sqlite", redis_url, 3, redis_prefix, approval_poll_s=0.05
    )
    run_id = events[0]["run_id"]
    headers = {"authorization": f"Bearer {DEV}"}
    r = b.http.post(
        f"/v1/agent/runs/{run_id}/approvals",
        json={"tool_call_id": "e1", "decision": "deny", "comment": "not today"},
        headers=headers,
    )
    assert r.status_code == 200, r.text
    rest = run(a, DEV, None, path=f"/v1/agent/runs/{run_id}/events?after={events[-1]['seq']}")
    human = [e for e in of(rest, "tool.decided") if e["by"] == "human"]
    assert human and human[0]["decision"] == "deny" and human[0]["comment"] == "not today"
    assert _wakes(a) == {"poll": 1}
    assert not (tmp_path / "outbox.jsonl").exists()


def test_an_approval_posted_to_the_replica_that_runs_it_resolves_at_once(
    gateway_factory, redis_url, tmp_path, redis_prefix
):
    """Posted where the run waits: the waiting call's future, no store read, no message."""
    a, _, events = _replicas_with_a_run_waiting_on_a(
        gateway_factory, tmp_path, "redis", redis_url, 3, redis_prefix, approval_poll_s=3600
    )
    run_id = events[0]["run_id"]
    r = a.http.post(
        f"/v1/agent/runs/{run_id}/approvals",
        json={"tool_call_id": "e1", "decision": "approve"},
        headers={"authorization": f"Bearer {DEV}"},
    )
    assert r.status_code == 200, r.text
    rest = run(a, DEV, None, path=f"/v1/agent/runs/{run_id}/events?after={events[-1]['seq']}")
    assert types(rest)[-1] == "run.completed"
    assert _wakes(a) == {"local": 1}


@pytest.mark.parametrize("backend", ["sqlite", "redis"])
def test_a_cancel_posted_to_another_replica_stops_the_run_where_it_runs(
    backend, gateway_factory, redis_url, tmp_path, redis_prefix
):
    a, b, events = _replicas_with_a_run_waiting_on_a(
        gateway_factory, tmp_path, backend, redis_url, 1.5, redis_prefix
    )
    run_id = events[0]["run_id"]
    headers = {"authorization": f"Bearer {DEV}"}
    r = b.http.post(f"/v1/agent/runs/{run_id}/cancel", headers=headers)
    assert r.status_code == 202 and r.json()["cancel_requested"] is True
    rest = run(a, DEV, None, path=f"/v1/agent/runs/{run_id}/events?after={events[-1]['seq']}")
    failed = of(rest, "run.failed")
    assert failed and failed[0]["reason"] == "cancelled"
    assert b.http.get(f"/v1/agent/runs/{run_id}", headers=headers).json()["status"] == "cancelled"
    assert not (tmp_path / "outbox.jsonl").exists()  # the approval never came: nothing sent
    # Approving the cancelled run's waiting call now is a conflict, on either replica.
    for gw in (a, b):
        r = gw.http.post(
            f"/v1/agent/runs/{run_id}/approvals",
            json={"tool_call_id": "e1", "decision": "approve"},
            headers=headers,
        )
        assert r.status_code == 409, r.text
        assert r.json()["error"]["code"] == "run_finished"
        assert r.json()["error"]["type"] == "conflict_error"
    assert not (tmp_path / "outbox.jsonl").exists()
