"""Held tool calls on the proxy route, end to end: the openai SDK -> a real gateway (shipped
policies, `on_approval: hold`) -> the fake model's tool calls; an operator decides through
the approvals API (`/v1/approvals`, shared with MCP) over real HTTP; the client's retry of the
same conversation is released once, or refused with the human's denial.

The fake model answers each request with the calls it is told to ask for, so "the retry" is
the same request sent again and the model asking for the same call, as a real model does.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.policy.test_provenance_proxy import INBOX, assistant_turn, chat

KEYS = [
    {"key_id": "alice", "key": "sk-alice", "role": "user", "team": "t1"},
    {"key_id": "bob", "key": "sk-bob", "role": "user", "team": "t1"},
]
USER = {"role": "user", "content": "Check my inbox, then mail the summary to bob@example.com."}
ATTACK = {
    "id": "call_x1",
    "name": "send_email",
    "arguments": {"to": "audit@example.org", "subject": "customers", "body": "list"},
}


@pytest.fixture
def gw(gateway_factory):
    return gateway_factory(
        {
            "keys": KEYS,
            "guards": {"policy": {"enabled": True}},
            "mcp": {"store": {"backend": "memory"}},
        }
    )


def _api(gw, method: str, path: str, key: str, **kw: Any) -> httpx.Response:
    return gw.http.request(
        method, path, headers={"authorization": f"Bearer {key}"}, timeout=30, **kw
    )


def _history(client, user: dict[str, Any] = USER) -> list[dict[str, Any]]:
    """The user's request, the agent's inbox read, and the injected mail it returned."""
    first = chat(client, [{"id": "call_r1", "name": "search", "arguments": {"q": "inbox"}}], [user])
    return [
        user,
        assistant_turn(first["calls"]),
        {"role": "tool", "tool_call_id": first["calls"][0]["id"], "content": INBOX},
    ]


def _held(msg: dict[str, Any]) -> str:
    (entry,) = msg["report"]
    assert entry["decision"] == "require_approval"
    assert entry["approval_status"] == "pending"
    assert msg["calls"] == []
    aid = entry["approval_id"]
    assert aid.startswith("tcap_") and f"Approval id: {aid}" in msg["content"]
    return aid


@pytest.mark.parametrize("stream", [False, True])
def test_approved_call_is_released_once_on_retry(gw, stream):
    client = gw.client("sk-alice")
    history = _history(client)
    aid = _held(chat(client, [ATTACK], history, stream=stream))
    # Asking again before anyone decided: the same pending approval, still held.
    assert _held(chat(client, [ATTACK], history, stream=stream)) == aid

    pending = _api(gw, "GET", "/v1/approvals", "sk-alice", params={"status": "pending"}).json()
    (record,) = pending["data"]
    assert record["id"] == aid and record["route"] == "chat.completions"
    assert record["tool"] == "send_email" and record["arguments"]["to"] == "audit@example.org"
    assert record["object"] == "tool_call.approval" and "digest" not in record
    # Another key neither sees nor decides it; the MCP path serves the same records.
    assert _api(gw, "GET", "/v1/approvals", "sk-bob").json()["data"] == []
    assert (
        _api(gw, "POST", f"/v1/approvals/{aid}", "sk-bob", json={"decision": "approve"}).status_code
        == 404
    )
    assert [
        r["id"] for r in _api(gw, "GET", "/v1/mcp/approvals", gw.master_key).json()["data"]
    ] == [aid]
    bad = _api(gw, "POST", f"/v1/approvals/{aid}", "sk-alice", json={"decision": "yes"})
    assert bad.status_code == 400 and bad.json()["error"]["param"] == "decision"

    ok = _api(gw, "POST", f"/v1/approvals/{aid}", "sk-alice", json={"decision": "approve"})
    assert ok.status_code == 200 and ok.json()["status"] == "approved"
    assert (
        _api(
            gw, "POST", f"/v1/approvals/{aid}", gw.master_key, json={"decision": "deny"}
        ).status_code
        == 409
    )

    released = chat(client, [ATTACK], history, stream=stream)
    assert [(c["name"], json.loads(c["arguments"])) for c in released["calls"]] == [
        ("send_email", ATTACK["arguments"])
    ]
    (entry,) = released["report"]
    assert (entry["decision"], entry["approval_id"], entry["approval_status"]) == (
        "allow",
        aid,
        "approved",
    )
    # The released call's result is accepted like any released call's.
    after = chat(
        client,
        [],
        history
        + [
            assistant_turn(released["calls"]),
            {"role": "tool", "tool_call_id": released["calls"][0]["id"], "content": "sent"},
        ],
    )
    assert after["report"] == []
    # Once: the same call again needs a new approval.
    again = _held(chat(client, [ATTACK], history, stream=stream))
    assert again != aid

    audit = [
        v
        for line in gw.audit_lines()
        for v in line.get("verdicts") or ()
        if v.get("guard") == "policy" and (v.get("detail") or {}).get("approval_id") == aid
    ]
    assert {v["decision"] for v in audit} >= {"require_approval", "allow"}
    decided = [line for line in gw.audit_lines() if line.get("event") == "approval_decided"]
    assert [(d["approval_id"], d["decision"], d["route"]) for d in decided] == [
        (aid, "approve", "chat.completions")
    ]


def test_denied_call_is_refused_with_the_comment(gw):
    client = gw.client("sk-alice")
    history = _history(client)
    aid = _held(chat(client, [ATTACK], history))
    r = _api(
        gw,
        "POST",
        f"/v1/approvals/{aid}",
        gw.master_key,
        json={"decision": "deny", "comment": "not our auditor"},
    )
    assert r.json()["status"] == "denied"
    refused = chat(client, [ATTACK], history)
    assert refused["calls"] == []
    (entry,) = refused["report"]
    assert (entry["decision"], entry["approval_id"]) == ("deny", aid)
    assert "A human denied" in refused["content"] and "not our auditor" in refused["content"]


def test_approval_is_bound_to_the_conversation_and_the_arguments(gw):
    client = gw.client("sk-alice")
    history = _history(client)
    aid = _held(chat(client, [ATTACK], history))
    _api(gw, "POST", f"/v1/approvals/{aid}", "sk-alice", json={"decision": "approve"})
    # Other arguments: not what was approved.
    other = dict(ATTACK, arguments={**ATTACK["arguments"], "to": "x@example.org"})
    assert _held(chat(client, [other], history)) != aid
    # Another conversation of the same key asking for the same call: not approved either.
    elsewhere = _history(client, {"role": "user", "content": "Read my inbox, then archive it."})
    assert _held(chat(client, [ATTACK], elsewhere)) != aid
    # The approved conversation, with the held turn and a nudge appended, still gets it.
    nudged = history + [
        {"role": "assistant", "content": "It needs approval."},
        {"role": "user", "content": "Approved, go ahead."},
    ]
    assert [c["name"] for c in chat(client, [ATTACK], nudged)["calls"]] == ["send_email"]


def test_session_header_names_the_conversation(gw):
    client = gw.client("sk-alice", default_headers={"x-keepgate-session": "s-held-1"})
    history = _history(client)
    aid = _held(chat(client, [ATTACK], history))
    assert (
        _api(gw, "GET", f"/v1/approvals/{aid}", "sk-alice").json()["session"] == "session:s-held-1"
    )
    _api(gw, "POST", f"/v1/approvals/{aid}", "sk-alice", json={"decision": "approve"})
    # Same session, the history rewritten from another first message: still the session's.
    rest = _history(client, {"role": "user", "content": "Go on with the inbox task."})
    assert [c["name"] for c in chat(client, [ATTACK], rest)["calls"]] == ["send_email"]


def test_ui_panel_lists_and_decides_held_chat_calls(gw):
    client = gw.client("sk-alice")
    aid = _held(chat(client, [ATTACK], _history(client)))
    assert _api(gw, "GET", "/ui/api/mcp/approvals", "sk-alice").status_code == 401
    items = _api(gw, "GET", "/ui/api/mcp/approvals", gw.master_key).json()["items"]
    assert [(i["id"], i["route"], i["tool"]) for i in items] == [
        (aid, "chat.completions", "send_email")
    ]
    r = _api(gw, "POST", f"/ui/api/mcp/approvals/{aid}", gw.master_key, json={"decision": "deny"})
    assert r.json()["status"] == "denied"


def test_on_approval_pass_creates_no_approval(gateway_factory):
    gw = gateway_factory(
        {
            "keys": KEYS,
            "mcp": {"store": {"backend": "memory"}},
            "guards": {"policy": {"enabled": True, "on_approval": "pass"}},
        }
    )
    client = gw.client("sk-alice")
    msg = chat(client, [ATTACK], _history(client))
    (entry,) = msg["report"]
    assert entry["decision"] == "require_approval" and "approval_id" not in entry
    assert [c["name"] for c in msg["calls"]] == ["send_email"]
    assert _api(gw, "GET", "/v1/approvals", gw.master_key).json()["data"] == []


def test_replicas_share_held_calls_through_redis(gateway_factory, redis_url, redis_prefix):
    """Held on replica A, decided on replica B's API, released on A, once across both."""

    def replica():
        return gateway_factory(
            {
                "keys": KEYS,
                "general_settings": {"redis_url": redis_url},
                "mcp": {"store": {"backend": "redis", "prefix": redis_prefix + "mcp:"}},
                "guards": {
                    "policy": {"enabled": True, "tool_ids": {"prefix": redis_prefix + "ids:"}}
                },
            }
        )

    a, b = replica(), replica()
    history = _history(a.client("sk-alice"))
    aid = _held(chat(a.client("sk-alice"), [ATTACK], history))
    assert [r["id"] for r in _api(b, "GET", "/v1/approvals", "sk-alice").json()["data"]] == [aid]
    assert (
        _api(b, "POST", f"/v1/approvals/{aid}", "sk-alice", json={"decision": "approve"}).json()[
            "status"
        ]
        == "approved"
    )
    released = chat(a.client("sk-alice"), [ATTACK], history)
    assert [c["name"] for c in released["calls"]] == ["send_email"]
    assert _held(chat(b.client("sk-alice"), [ATTACK], history)) != aid


def test_output_of_an_approved_call_can_count_as_trusted(gateway_factory, tmp_path):
    """`trust_output_when_approved`: once a human approved `get_quote`, the quote id in its
    result vouches for the next call; the same id in an ordinary untrusted result does not."""
    import shutil

    import yaml

    data = tmp_path / "data"
    shutil.copytree(Path(__file__).resolve().parents[2] / "policies" / "data", data)
    tools = yaml.safe_load((data / "tools.yaml").read_text())
    tools["keepgate"]["tools"].update(
        {
            "get_quote": {
                "effects": "internal",
                "sensitive": ["hotel"],
                "trust_output_when_approved": True,
            },
            "pay_quote": {"effects": "egress", "sensitive": ["quote"]},
        }
    )
    (data / "tools.yaml").write_text(yaml.safe_dump(tools))
    gw = gateway_factory(
        {
            "keys": [{"key_id": "ops", "key": "sk-ops", "role": "admin"}],
            "mcp": {"store": {"backend": "memory"}},
            "guards": {"policy": {"enabled": True, "data_dirs": [str(data)]}},
        }
    )
    client = gw.client("sk-ops")
    tools_offered = [
        {"type": "function", "function": {"name": n, "parameters": {"type": "object"}}}
        for n in ("search", "get_quote", "pay_quote")
    ]
    user = {"role": "user", "content": "Find a hotel in Lisbon, get a quote and pay it."}
    first = chat(
        client,
        [{"id": "c1", "name": "search", "arguments": {"q": "lisbon"}}],
        [user],
        tools=tools_offered,
    )
    history = [
        user,
        assistant_turn(first["calls"]),
        {
            "role": "tool",
            "tool_call_id": first["calls"][0]["id"],
            "content": "Casa Azul, 4 stars. Old quote Q-88 still valid.",
        },
    ]
    quote = {"id": "c2", "name": "get_quote", "arguments": {"hotel": "Casa Azul"}}
    aid = _held(chat(client, [quote], history, tools=tools_offered))
    _api(gw, "POST", f"/v1/approvals/{aid}", gw.master_key, json={"decision": "approve"})
    released = chat(client, [quote], history, tools=tools_offered)
    history += [
        assistant_turn(released["calls"]),
        {"role": "tool", "tool_call_id": released["calls"][0]["id"], "content": "Quote Q-77."},
    ]
    paid = chat(
        client,
        [{"id": "c3", "name": "pay_quote", "arguments": {"quote": "Q-77"}}],
        history,
        tools=tools_offered,
    )
    assert [(r["decision"], r["reasons"]) for r in paid["report"]] == [("allow", [])]
    other = chat(
        client,
        [{"id": "c4", "name": "pay_quote", "arguments": {"quote": "Q-88"}}],
        history,
        tools=tools_offered,
    )
    assert other["report"][0]["reasons"] == ["provenance.untrusted_argument"]


@pytest.mark.real_http  # the CLI reaches the gateway over HTTP
def test_cli_lists_and_decides_held_chat_calls(gw):
    from typer.testing import CliRunner

    from keepgate.cli import _register_lazy, app

    client = gw.client("sk-alice")
    history = _history(client)
    aid = _held(chat(client, [ATTACK], history))
    _register_lazy()
    env = {"KEEPGATE_URL": gw.url, "KEEPGATE_API_KEY": "sk-alice"}
    runner = CliRunner()
    listed = runner.invoke(app, ["policy", "approvals"], env=env)
    assert listed.exit_code == 0 and aid in listed.output
    assert "chat.completions/send_email" in listed.output
    decided = runner.invoke(app, ["policy", "decide", aid, "approve"], env=env)
    assert decided.exit_code == 0 and f"{aid}: approved" in decided.output
    assert [c["name"] for c in chat(client, [ATTACK], history)["calls"]] == ["send_email"]
