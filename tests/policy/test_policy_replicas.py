"""Issued tool-call ids shared by replicas through Redis, so conversations may hop."""

from __future__ import annotations

import json

import openai
import pytest

from tests.servers import free_port

KEYS = [{"key_id": "alice", "key": "sk-alice", "role": "user"}]
TOOLS = [
    {"type": "function", "function": {"name": n, "parameters": {"type": "object"}}}
    for n in ("search", "send_email")
]


def _replica(gateway_factory, redis_url: str | None, prefix: str):
    general = {"redis_url": redis_url} if redis_url else {}
    return gateway_factory(
        {
            "keys": KEYS,
            "general_settings": general,
            "guards": {"policy": {"enabled": True, "tool_ids": {"prefix": prefix}}},
        }
    )


def _tool_turn(gw, name: str, args: dict) -> tuple[list[dict], str]:
    """Ask replica `gw` for one tool call; return the conversation so far and its call id."""
    res = gw.client("sk-alice").chat.completions.create(
        model="demo",
        messages=[{"role": "user", "content": "go"}],
        tools=TOOLS,
        extra_body={"fake": {"tool_calls": [{"name": name, "arguments": args}]}},
    )
    msg = res.choices[0].message
    call_id = (
        msg.tool_calls[0].id
        if msg.tool_calls
        else res.model_extra["keepgate"]["policy"][0]["tool_call_id"]
    )
    assistant = {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {
                "id": call_id,
                "type": "function",
                "function": {"name": name, "arguments": json.dumps(args)},
            }
        ],
    }  # as released
    return [{"role": "user", "content": "go"}, assistant], call_id


def _answer(gw, history: list[dict], call_id: str):
    return gw.client("sk-alice").chat.completions.create(
        model="demo",
        tools=TOOLS,
        messages=history + [{"role": "tool", "tool_call_id": call_id, "content": "result"}],
    )


def test_a_tool_message_may_reach_another_replica(gateway_factory, redis_url, redis_prefix):
    prefix = redis_prefix
    a, b = (_replica(gateway_factory, redis_url, prefix) for _ in range(2))
    history, call_id = _tool_turn(a, "search", {"query": "weather"})
    assert _answer(b, history, call_id).choices[0].message.content == "go"
    # A call the policy denied on replica A is refused on replica B too.
    history, denied_id = _tool_turn(a, "send_email", {"to": "x@evil.example", "body": "hi"})
    with pytest.raises(openai.PermissionDeniedError) as exc:
        _answer(b, history, denied_id)
    assert exc.value.body["code"] == "tool_call_denied"


def test_without_redis_ids_stay_on_their_replica(gateway_factory):
    a, b = (_replica(gateway_factory, None, "unused:") for _ in range(2))
    history, call_id = _tool_turn(a, "search", {"query": "weather"})
    assert _answer(a, history, call_id).choices[0].message.content == "go"
    with pytest.raises(openai.BadRequestError) as exc:
        _answer(b, history, call_id)
    assert exc.value.body["code"] == "unknown_tool_call_id"


def test_store_down_fails_closed(gateway_factory, redis_url):
    gw = _replica(gateway_factory, f"redis://127.0.0.1:{free_port()}/0", "down:")
    history = [
        {"role": "user", "content": "go"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_x",
                    "type": "function",
                    "function": {"name": "search", "arguments": "{}"},
                }
            ],
        },
    ]
    with pytest.raises(openai.InternalServerError) as exc:
        _answer(gw, history, "call_x")
    assert exc.value.status_code == 503 and exc.value.body["code"] == "policy_unavailable"
    assert gw.audit_lines()[-1]["verdicts"][-1]["rule"] == "tool_message.store_unavailable"


def test_the_id_stores_redis_timeout_is_configured(gateway_factory, redis_url, redis_prefix):
    """`tool_ids.timeout_ms` (was a fixed 1 s): tests give Redis a bound on a hang."""
    gw = gateway_factory(
        {
            "general_settings": {"redis_url": redis_url},
            "guards": {
                "policy": {
                    "enabled": True,
                    "tool_ids": {"prefix": redis_prefix, "timeout_ms": 2500},
                }
            },
        }
    )
    guard = next(g for g in gw.app.state.keepgate.guards if g.name == "policy")
    assert guard.issued.timeout == 2.5
