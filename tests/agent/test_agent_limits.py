"""Tool engine and loop limits through the real gateway: timeouts, bad arguments, loops,
steps and spend each end the way the issue asks, with a clear reason."""

from __future__ import annotations


import pytest

from keepgate.agent.service import AgentService
from tests.agent.agent_support import DEV, agent_config, call, fake, of, run, types
from tests.clock import CuedDeadline, ManualClock

pytestmark = pytest.mark.slow(cpu_s=0.4)  # scheduled first: tests/conftest.py


@pytest.fixture
def agw(gateway_factory, tmp_path):
    return gateway_factory(agent_config(tmp_path))


def test_tool_times_out_then_succeeds(gateway_factory, tmp_path, web):
    """The first GET never answers (it hangs until the test ends); its attempt's deadline
    expires as soon as the web server has the request (the engine's deadline seam), so the
    test does not wait a timeout out. The retry answers at once, well inside the configured
    timeout, which stays generous for a loaded box."""
    server, state = web
    state.clear()
    state["hang_s"] = 600.0
    agw = gateway_factory(
        agent_config(
            tmp_path,
            agent={
                "tools": {
                    "http_get": {
                        "timeout_s": 60.0,
                        "retries": 2,
                        "backoff_s": 0.01,
                        "options": {"allowed_hosts": ["127.0.0.1"]},
                    }
                }
            },
        )
    )
    engine = agw.app.state.keepgate.services.get(AgentService).engine
    deadline = CuedDeadline()  # the first attempt expires once its GET is in
    state["on_first_hit"] = deadline.cue
    engine.deadline = deadline
    events = run(
        agw,
        DEV,
        {
            "task": "weather?",
            "model": "demo",
            "model_params": fake(
                {"tool_calls": [call("http_get", "w1", url=server.url + "/slow-once")]},
                {"reply": "It is sunny."},
            ),
        },
    )
    result = of(events, "tool.result")[0]
    assert result["ok"] is True and result["attempts"] == 2
    assert "sunny" in result["preview"]
    assert state["hits"] == 2
    assert deadline.seen == [60.0, 60.0]  # each attempt ran under the configured timeout
    assert types(events)[-1] == "run.completed"


def test_invalid_and_unknown_calls_come_back_as_tool_errors(agw):
    events = run(
        agw,
        DEV,
        {
            "task": "count customers",
            "model": "demo",
            "tools": ["sql_query", "read_file"],
            "model_params": fake(
                {
                    "tool_calls": [
                        call("sql_query", "q1", sql="SELECT 1"),  # wrong argument name
                        call("send_email", "q2", to="a@example.com", subject="s", body="b"),
                        {"name": "sql_query", "id": "q3", "arguments": "{not json"},
                    ]
                },
                {"tool_calls": [call("sql_query", "q4", query="DELETE FROM customers")]},
                {
                    "tool_calls": [
                        call("sql_query", "q5", query="SELECT count(*) AS n FROM customers")
                    ]
                },
                {"reply": "There are 5 customers."},
            ),
        },
    )
    results = {e["tool_call_id"]: e for e in of(events, "tool.result")}
    assert results["q1"]["error"]["type"] == "invalid_arguments"
    assert "query" in results["q1"]["error"]["message"]
    assert results["q2"]["error"]["type"] == "unknown_tool"  # not offered in this run
    assert results["q3"]["error"]["type"] == "invalid_arguments"
    # A write is denied by the policy before it reaches the (read-only) database.
    decided = {e["tool_call_id"]: e for e in of(events, "tool.decided")}
    assert decided["q4"]["rule"] == "args.sql_not_read_only"
    assert results["q5"]["ok"] is True and '"rows": [[5]]' in results["q5"]["preview"]
    assert {"q1", "q2", "q3"}.isdisjoint(decided)  # never reached the policy
    assert types(events)[-1] == "run.completed"


def test_loop_is_detected(agw):
    events = run(
        agw,
        DEV,
        {
            "task": "read it",
            "model": "demo",
            "model_params": fake(
                {"tool_calls": [call("read_file", path="/srv/data/quarterly_report.txt")]}
            ),
        },
    )
    failed = of(events, "run.failed")[0]
    assert failed["reason"] == "loop_detected" and "read_file" in failed["message"]
    assert len(of(events, "tool.result")) == 2  # the third identical call never ran


def test_max_steps(agw):
    turns = [{"tool_calls": [call("sql_query", query=f"SELECT {i}")]} for i in range(10)]
    events = run(
        agw,
        DEV,
        {"task": "go", "model": "demo", "limits": {"max_steps": 2}, "model_params": fake(*turns)},
    )
    failed = of(events, "run.failed")[0]
    assert failed["reason"] == "max_steps" and failed["steps"] == 2


def test_max_spend(agw):
    events = run(
        agw,
        DEV,
        {
            "task": "go",
            "model": "demo",
            "limits": {"max_spend_usd": 0.00001},
            "model_params": fake(
                {
                    "tool_calls": [call("sql_query", query="SELECT 1")],
                    "usage": {"prompt_tokens": 40, "completion_tokens": 10},
                }
            ),
        },
    )
    failed = of(events, "run.failed")[0]
    assert failed["reason"] == "max_spend" and failed["spent_usd"] > 0.00001


def test_key_budget_applies_to_agent_calls(gateway_factory, tmp_path):
    """The run's model calls pass the limits guard: a key out of budget stops the run."""
    cfg = agent_config(tmp_path, extra_guards={"limits": {"enabled": True}})
    cfg["keys"] = [{**cfg["keys"][0], "limits": {"budget_usd": 0.0000001}}]
    gw = gateway_factory(cfg)
    events = run(gw, DEV, {"task": "go", "model": "demo", "model_params": fake({"reply": "hi"})})
    failed = of(events, "run.failed")[0]
    assert failed["reason"] == "limits" and failed["detail"]["status"] == 429


def test_wall_clock_timeout(agw, web):
    """No race: the model needs four 200 ms timer waits (0.8 s) and the run's 0.3 s limit is
    a timer on the same loop and clock, started earlier: it always fires first."""
    server, state = web
    events = run(
        agw,
        DEV,
        {
            "task": "go",
            "model": "demo",
            "limits": {"timeout_s": 0.3},
            "model_params": fake({"reply": "slow", "delay_ms": 200, "chunk_chars": 1}),
        },
    )
    failed = of(events, "run.failed")[0]
    assert failed["reason"] == "timeout"


def test_waiting_for_an_approval_does_not_count_against_the_wall_clock(agw, tmp_path):
    """A human taking longer than the run's whole time budget to approve does not time it out.

    The run's clock is a manual one (the Loop's clock seam): the human's wait is two whole
    budgets of it, while the run's own work takes no time on it, however loaded the box."""
    clock = ManualClock()
    agw.app.state.keepgate.services.get(AgentService).loop.clock = clock
    script = fake(
        {"tool_calls": [call("read_file", "r1", path="/srv/data/vendor_invoice.txt")]},
        {"tool_calls": [call("send_email", "e1", to="bob@example.com", subject="s", body="b")]},
        {"reply": "Sent."},
    )
    events = run(
        agw,
        DEV,
        {
            "task": "Forward the invoice",
            "model": "demo",
            "limits": {"timeout_s": 60},
            "model_params": script,
        },
        until="approval.required",
    )
    run_id = events[0]["run_id"]
    clock.advance(120)  # the human thinks for longer than the run may take
    r = agw.http.post(
        f"/v1/agent/runs/{run_id}/approvals",
        json={"tool_call_id": "e1", "decision": "approve"},
        headers={"authorization": f"Bearer {DEV}"},
    )
    assert r.status_code == 200, r.text
    rest = run(agw, DEV, None, path=f"/v1/agent/runs/{run_id}/events?after={events[-1]['seq']}")
    assert types(rest)[-1] == "run.completed", rest[-1]
    assert (tmp_path / "outbox.jsonl").exists()
