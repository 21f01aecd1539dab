"""The litellm transport (every non-OpenAI-compatible provider) against the fake model."""

from __future__ import annotations

import json

import openai
import pytest

TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
        },
    }
]


@pytest.fixture
def via_litellm(gateway_factory, fake_model_url, monkeypatch):
    monkeypatch.setenv("KG_TEST_PROVIDER_KEY", "sk-provider-secret")
    return gateway_factory(
        {
            "model_list": [
                {
                    "model_name": "demo",
                    "litellm_params": {
                        "model": "openai/demo",
                        "api_base": fake_model_url,
                        "transport": "litellm",
                        "api_key": "os.environ/KG_TEST_PROVIDER_KEY",
                    },
                }
            ]
        }
    )


def test_chat_streamed_and_not(via_litellm):
    client = via_litellm.client()
    msgs = [{"role": "user", "content": "through litellm"}]
    res = client.chat.completions.create(model="demo", messages=msgs)
    assert res.choices[0].message.content == "through litellm"
    assert res.model == "demo" and res.usage.completion_tokens > 0
    stream = client.chat.completions.create(
        model="demo",
        messages=msgs,
        stream=True,
        stream_options={"include_usage": True},
        extra_body={"fake": {"chunk_chars": 2}},
    )
    chunks = list(stream)
    assert (
        "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == "through litellm"
    )
    assert chunks[-1].usage is not None and chunks[-1].usage.prompt_tokens > 0
    assert "sk-provider-secret" not in via_litellm.log_text()


def test_tool_calls(via_litellm):
    res = via_litellm.client().chat.completions.create(
        model="demo",
        messages=[{"role": "user", "content": "weather?"}],
        tools=TOOLS,
        extra_body={
            "fake": {
                "tool_calls": [{"name": "get_weather", "arguments": {"city": "Oslo"}}],
                "chunk_chars": 3,
            }
        },
    )
    (call,) = res.choices[0].message.tool_calls
    assert call.function.name == "get_weather"
    assert json.loads(call.function.arguments) == {"city": "Oslo"}
    assert res.choices[0].finish_reason == "tool_calls"


@pytest.mark.parametrize("status, expected", [(503, 502), (400, 400), (429, 429)])
def test_upstream_errors_map_like_the_direct_path(via_litellm, status, expected):
    with pytest.raises(openai.APIStatusError) as exc:
        via_litellm.client().chat.completions.create(
            model="demo",
            messages=[{"role": "user", "content": "x"}],
            extra_body={"fake": {"error": status}},
        )
    assert exc.value.status_code == expected
