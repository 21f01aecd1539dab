"""Kill -9 a gateway in the middle of a run, resume it in another: completed tool calls are
not executed again. Both checkpoint backends (SQLite file, real Redis)."""

from __future__ import annotations

import copy
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest
import yaml

from gateway.pipeline.overrides import deep_merge
from tests.agent.agent_support import DEV, REPO, agent_config, call, fake, of, run, types
from tests.conftest import _hash_keys, base_config
from tests.servers import free_port


def _serve(cfg: dict, tmp: Path) -> tuple[subprocess.Popen, str]:
    path = tmp / "sub.yaml"
    path.write_text(yaml.safe_dump(cfg))
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen([sys.executable, "-m", "gateway.cli", "serve", "--config", str(path),
                             "--port", str(port)], cwd=tmp, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
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
def test_kill_and_resume(backend, gateway_factory, fake_model_url, redis_url, tmp_path, web):
    server, state = web
    state.clear()
    over = agent_config(tmp_path, backend=backend, redis_url=redis_url,
                        prefix=f"kg-test-{uuid.uuid4().hex[:8]}:",
                        agent={"tools": {"http_get": {"timeout_s": 30, "retries": 0,
                                                      "options": {"allowed_hosts": ["127.0.0.1"]}}}})
    cfg = deep_merge(base_config(fake_model_url), _hash_keys(copy.deepcopy(over)))
    cfg["general_settings"]["audit_log"] = str(tmp_path / "sub-audit.jsonl")
    script = fake(
        {"tool_calls": [call("send_email", "e1", to="bob@example.com", subject="Status",
                             body="Starting the check.")]},
        {"tool_calls": [call("http_get", "h1", url=server.url + "/hang")]},
        {"reply": "All systems operational; Bob was told."})
    proc, url = _serve(cfg, tmp_path)
    try:
        events = run(url, DEV, {"task": "Check the status page and tell Bob", "model": "demo",
                                "model_params": script}, until="tool.requested")
        run_id = events[0]["run_id"]
        deadline = time.monotonic() + 20
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
    headers = {"authorization": f"Bearer {DEV}"}
    before = httpx.get(f"{gw.url}/v1/agent/runs/{run_id}", headers=headers).json()
    assert before["status"] == "running" and before["step"] == 2  # as the kill left it
    resumed = run(gw.url, DEV, {}, path=f"/v1/agent/runs/{run_id}/resume")
    assert resumed[0]["type"] == "run.started" and resumed[0]["resumed"] is True
    ran = [e["tool_call_id"] for e in of(resumed, "tool.result")]
    assert ran == ["h1"]  # e1 had completed before the kill: not executed again
    assert len(outbox.read_text().splitlines()) == 1
    assert state["hang_hits"] == 2  # h1 never finished, so it ran again
    assert types(resumed)[-1] == "run.completed"
    assert of(resumed, "run.completed")[0]["result"] == "All systems operational; Bob was told."
    after = httpx.get(f"{gw.url}/v1/agent/runs/{run_id}", headers=headers).json()
    assert after["status"] == "completed"
    assert [m["tool_call_id"] for m in after["messages"] if m["role"] == "tool"] == ["e1", "h1"]
    again = httpx.post(f"{gw.url}/v1/agent/runs/{run_id}/resume", headers=headers)
    assert again.status_code == 409
