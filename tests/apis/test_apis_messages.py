"""`/v1/messages` with the official anthropic SDK: translated to a chat-only upstream (`demo`)
and passed through to an Anthropic-compatible one (`claude-demo`), streamed and not."""

from __future__ import annotations

import anthropic
import httpx
import pytest

from tests.apis.support import MESSAGES_MODELS, TOOLS_ANTHROPIC, claude, start, wait_audit


@pytest.fixture
def gw(shared_gw):
    return shared_gw


@pytest.fixture
def fresh(gateway_factory, fake_model_url):
    """A gateway of this test's own (its audit log has only this test's lines)."""
    return start(gateway_factory, fake_model_url)


def fake_stats(fake_model_url: str) -> dict:
    return httpx.get(fake_model_url.rsplit("/v1", 1)[0] + "/_fake/stats").json()


@pytest.mark.parametrize("model", MESSAGES_MODELS)
def test_text_answer_usage_and_system_blocks(gw, model):
    m = claude(gw).messages.create(
        model=model,
        max_tokens=100,
        system=[{"type": "text", "text": "Be brief."}],
        messages=[{"role": "user", "content": "hello claude"}],
        metadata={"user_id": "u1"},
    )
    assert [b.type for b in m.content] == ["text"] and m.content[0].text == "hello claude"
    assert m.role == "assistant" and m.model == model and m.stop_reason == "end_turn"
    assert m.id.startswith("msg_") and m.type == "message"
    assert m.usage.input_tokens > 0 and m.usage.output_tokens > 0


@pytest.mark.parametrize("model", MESSAGES_MODELS)
def test_the_right_upstream_leg_answers(gw, fake_model_url, model):
    before = fake_stats(fake_model_url)["messages"]
    claude(gw).messages.create(
        model=model, max_tokens=10, messages=[{"role": "user", "content": "which leg?"}]
    )
    native = fake_stats(fake_model_url)["messages"] - before
    assert native == (1 if model == "claude-demo" else 0)


@pytest.mark.parametrize("model", MESSAGES_MODELS)
def test_stream_events_and_helper(gw, model):
    text = "Streaming through the gateway, one piece at a time."
    client = claude(gw)
    with client.messages.stream(
        model=model,
        max_tokens=200,
        messages=[{"role": "user", "content": text}],
        extra_body={"fake": {"chunk_chars": 5, "delay_ms": 1}},
    ) as s:
        pieces = list(s.text_stream)
        final = s.get_final_message()
    assert "".join(pieces) == text == final.content[0].text
    assert final.stop_reason == "end_turn" and final.usage.output_tokens > 0
    raw = client.messages.create(
        model=model, max_tokens=200, stream=True, messages=[{"role": "user", "content": text}]
    )
    kinds = [e.type for e in raw]
    assert kinds[0] == "message_start" and kinds[-2:] == ["message_delta", "message_stop"]
    assert kinds[1:3] == ["content_block_start", "content_block_delta"]
    assert kinds[-3] == "content_block_stop"


@pytest.mark.parametrize("model", MESSAGES_MODELS)
@pytest.mark.parametrize("stream", [False, True])
def test_tool_use_and_tool_result_round_trip(gw, model, stream):
    client = claude(gw)
    calls = [
        {"id": "toolu_w1", "name": "get_weather", "arguments": {"q": "Oslo"}},
        {"id": "toolu_s1", "name": "search", "arguments": {"q": "news"}},
    ]
    kw = dict(
        model=model,
        max_tokens=300,
        tools=TOOLS_ANTHROPIC,
        tool_choice={"type": "auto"},
        messages=[{"role": "user", "content": "weather and news?"}],
        extra_body={
            "fake": {"reply": "Let me look.", "tool_calls": calls, "chunk_chars": 3, "delay_ms": 1}
        },
    )
    if stream:
        with client.messages.stream(**kw) as s:
            m = s.get_final_message()
    else:
        m = client.messages.create(**kw)
    assert [b.type for b in m.content] == ["text", "tool_use", "tool_use"]
    assert m.content[0].text == "Let me look."
    assert [(b.id, b.name, b.input) for b in m.content[1:]] == [
        ("toolu_w1", "get_weather", {"q": "Oslo"}),
        ("toolu_s1", "search", {"q": "news"}),
    ]
    assert m.stop_reason == "tool_use"
    follow = [
        {"role": "user", "content": "weather and news?"},
        {"role": "assistant", "content": [b.model_dump(exclude_none=True) for b in m.content]},
        {
            "role": "user",
            "content": [
                {"type": "tool_result", "tool_use_id": "toolu_w1", "content": "sunny"},
                {
                    "type": "tool_result",
                    "tool_use_id": "toolu_s1",
                    "is_error": True,
                    "content": [{"type": "text", "text": "search is down"}],
                },
                {"type": "text", "text": "summarise"},
            ],
        },
    ]
    m2 = client.messages.create(
        model=model,
        max_tokens=100,
        tools=TOOLS_ANTHROPIC,
        messages=follow,
        extra_body={"fake": {"reply": "Sunny."}},
    )
    assert m2.content[0].text == "Sunny." and m2.stop_reason == "end_turn"


def test_tool_results_reach_a_chat_model_as_tool_messages(gw):
    """The translated conversation, seen by the fake model: its default echo answers the last
    user text, and its turn counter counts the assistant message built from tool_use."""
    msgs = [
        {"role": "user", "content": "go"},
        {
            "role": "assistant",
            "content": [
                {"type": "tool_use", "id": "toolu_1", "name": "search", "input": {"q": "x"}}
            ],
        },
        {
            "role": "user",
            "content": [
                {"type": "tool_result", "tool_use_id": "toolu_1", "content": "found"},
                {"type": "text", "text": "now answer"},
            ],
        },
    ]
    m = claude(gw).messages.create(
        model="demo",
        max_tokens=50,
        messages=msgs,
        extra_body={"fake": {"turns": [{"reply": "t0"}, {}]}},
    )
    assert m.content[0].text == "now answer"


@pytest.mark.parametrize("model", MESSAGES_MODELS)
def test_count_tokens(gw, model):
    n = claude(gw).messages.count_tokens(
        model=model,
        system="You are terse.",
        tools=TOOLS_ANTHROPIC,
        messages=[{"role": "user", "content": "how many tokens is this message?"}],
    )
    short = claude(gw).messages.count_tokens(
        model=model, messages=[{"role": "user", "content": "hi"}]
    )
    assert n.input_tokens > short.input_tokens > 0


def test_auth_by_x_api_key_or_bearer(gw):
    body = {"model": "demo", "max_tokens": 10, "messages": [{"role": "user", "content": "hi"}]}
    for headers in ({"x-api-key": gw.master_key}, {"authorization": f"Bearer {gw.master_key}"}):
        r = gw.http.post(
            "/v1/messages", json=body, headers={**headers, "anthropic-version": "2023-06-01"}
        )
        assert r.status_code == 200 and r.json()["content"][0]["text"] == "hi"
    with pytest.raises(anthropic.AuthenticationError) as err:
        claude(gw, "sk-wrong").messages.create(**body)
    assert err.value.body["type"] == "error"
    assert err.value.body["error"]["type"] == "authentication_error"
    # no anthropic-version header is fine too (Anthropic's SDKs always send one)
    assert (
        gw.http.post("/v1/messages", json=body, headers={"x-api-key": gw.master_key}).status_code
        == 200
    )


@pytest.mark.parametrize(
    "body, status, kind, param",
    [
        (
            {"messages": [{"role": "user", "content": "x"}]},
            400,
            "invalid_request_error",
            "max_tokens",
        ),
        ({"max_tokens": 5}, 400, "invalid_request_error", "messages"),
        (
            {"max_tokens": 5, "messages": [{"role": "robot", "content": "x"}]},
            400,
            "invalid_request_error",
            "messages.0.role",
        ),
        (
            {
                "max_tokens": 5,
                "messages": [{"role": "user", "content": "x"}],
                "tools": [{"type": "web_search_20250305", "name": "web_search"}],
            },
            400,
            "invalid_request_error",
            "tools.0.type",
        ),
        (
            {
                "max_tokens": 5,
                "messages": [{"role": "user", "content": "x"}],
                "tools": [{"type": "bash_20250124", "name": "bash"}],
            },
            400,
            "invalid_request_error",
            "tools.0.type",
        ),
        (
            {
                "max_tokens": 5,
                "messages": [{"role": "user", "content": "x"}],
                "mcp_servers": [{"type": "url", "url": "https://x", "name": "x"}],
            },
            400,
            "invalid_request_error",
            "mcp_servers",
        ),
        (
            {
                "max_tokens": 5,
                "messages": [
                    {
                        "role": "user",
                        "content": [
                            {
                                "type": "tool_result",
                                "tool_use_id": "t",
                                "content": [
                                    {
                                        "type": "image",
                                        "source": {
                                            "type": "base64",
                                            "media_type": "image/png",
                                            "data": "AA==",
                                        },
                                    }
                                ],
                            }
                        ],
                    }
                ],
            },
            400,
            "invalid_request_error",
            "messages.0.content.0.content.0",
        ),
        # a field passed through to the chat pipeline with a shape it cannot read (found by fuzz)
        (
            {
                "max_tokens": 1,
                "messages": [{"role": "user", "content": "hi"}],
                "stream_options": True,
            },
            400,
            "invalid_request_error",
            "stream_options",
        ),
    ],
)
def test_errors_are_anthropic_shaped(gw, body, status, kind, param):
    r = gw.http.post(
        "/v1/messages", json={"model": "demo", **body}, headers={"x-api-key": gw.master_key}
    )
    assert r.status_code == status, r.text
    got = r.json()
    assert got["type"] == "error" and got["error"]["type"] == kind
    assert got["error"]["param"] == param and got["error"]["message"]


def test_typed_client_tools_pass_to_a_native_upstream_only(gw):
    body = {
        "max_tokens": 50,
        "messages": [{"role": "user", "content": "ls"}],
        "tools": [{"type": "bash_20250124", "name": "bash"}],
        "fake": {"tool_calls": [{"id": "toolu_b", "name": "bash", "arguments": {"command": "ls"}}]},
    }
    r = gw.http.post(
        "/v1/messages", json={"model": "claude-demo", **body}, headers={"x-api-key": gw.master_key}
    )
    assert r.status_code == 200, r.text
    assert r.json()["content"][0]["input"] == {"command": "ls"}


def test_not_found_and_bad_json_are_anthropic_shaped(gw):
    with pytest.raises(anthropic.NotFoundError) as err:
        claude(gw).messages.create(
            model="nope", max_tokens=5, messages=[{"role": "user", "content": "x"}]
        )
    assert err.value.body["error"]["type"] == "not_found_error"
    r = gw.http.post("/v1/messages", content=b"{oops", headers={"x-api-key": gw.master_key})
    assert r.status_code == 400 and r.json()["error"]["type"] == "invalid_request_error"
    r = gw.http.get("/v1/messages", headers={"x-api-key": gw.master_key})
    assert r.status_code == 405 and r.json()["type"] == "error"


@pytest.mark.parametrize("model", MESSAGES_MODELS)
def test_upstream_failure_before_and_during_the_stream(gw, model):
    with pytest.raises(anthropic.APIStatusError) as err:
        claude(gw).messages.create(
            model=model,
            max_tokens=5,
            messages=[{"role": "user", "content": "x"}],
            extra_body={"fake": {"error": 503}},
        )
    assert err.value.status_code == 502 and err.value.body["error"]["type"] == "api_error"
    with pytest.raises(anthropic.APIStatusError) as mid:
        with claude(gw).messages.stream(
            model=model,
            max_tokens=5,
            messages=[{"role": "user", "content": "x"}],
            extra_body={"fake": {"malformed": True}},
        ) as s:
            list(s)
    assert mid.value.body["error"]["code"] == "upstream_malformed"


def test_audit_and_metrics_say_route_messages(fresh):
    client = claude(fresh)
    client.messages.create(model="demo", max_tokens=10, messages=[{"role": "user", "content": "a"}])
    with client.messages.stream(
        model="claude-demo", max_tokens=10, messages=[{"role": "user", "content": "b"}]
    ) as s:
        s.get_final_message()
    lines = wait_audit(fresh, 2)
    assert [(x["route"], x["model"], x["stream"]) for x in lines[-2:]] == [
        ("messages", "demo", False),
        ("messages", "claude-demo", True),
    ]
    assert 'route="messages"' in fresh.http.get("/metrics").text
