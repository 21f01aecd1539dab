"""The proxy core through the official openai SDK: chat, streaming, tools, JSON mode."""

from __future__ import annotations

import json

import openai
import pytest


def test_non_streaming_echo(gateway):
    r = gateway.client().chat.completions.create(
        model="demo", messages=[{"role": "user", "content": "hello keepgate"}]
    )
    assert r.choices[0].message.content == "hello keepgate"
    assert r.choices[0].finish_reason == "stop"
    assert r.model == "demo"
    assert r.usage.prompt_tokens > 0 and r.usage.completion_tokens > 0


def test_scripted_reply_and_request_id_header(gateway):
    raw = gateway.client().chat.completions.with_raw_response.create(
        model="demo",
        messages=[{"role": "user", "content": "x"}],
        extra_body={"fake": {"reply": "scripted"}},
    )
    assert raw.headers["x-keepgate-request-id"].startswith("kg-")
    assert raw.parse().choices[0].message.content == "scripted"


@pytest.mark.parametrize("chunk_chars", [1, 3, 64])
def test_streaming_reassembles(gateway, chunk_chars):
    text = "The quick brown fox jumps over the lazy dog."
    stream = gateway.client().chat.completions.create(
        model="demo",
        messages=[{"role": "user", "content": text}],
        stream=True,
        extra_body={"fake": {"chunk_chars": chunk_chars}},
    )
    parts, finish = [], None
    for chunk in stream:
        assert chunk.usage is None
        for ch in chunk.choices:
            parts.append(ch.delta.content or "")
            finish = ch.finish_reason or finish
    assert "".join(parts) == text
    assert finish == "stop"


def test_streaming_include_usage(gateway):
    stream = gateway.client().chat.completions.create(
        model="demo",
        messages=[{"role": "user", "content": "count me"}],
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = list(stream)
    assert chunks[-1].choices == []
    assert (
        chunks[-1].usage.total_tokens
        == chunks[-1].usage.prompt_tokens + chunks[-1].usage.completion_tokens
        > 0
    )


TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "Weather for a city",
            "parameters": {
                "type": "object",
                "properties": {"city": {"type": "string"}},
                "required": ["city"],
            },
        },
    },
    {
        "type": "function",
        "function": {"name": "get_time", "parameters": {"type": "object", "properties": {}}},
    },
]


def test_tool_calls_non_streaming(gateway):
    r = gateway.client().chat.completions.create(
        model="demo",
        messages=[{"role": "user", "content": "weather?"}],
        tools=TOOLS,
        tool_choice="auto",
        parallel_tool_calls=True,
        extra_body={
            "fake": {
                "tool_calls": [
                    {"name": "get_weather", "arguments": {"city": "Oslo"}},
                    {"name": "get_time", "arguments": {}},
                ]
            }
        },
    )
    calls = r.choices[0].message.tool_calls
    assert [c.function.name for c in calls] == ["get_weather", "get_time"]
    assert json.loads(calls[0].function.arguments) == {"city": "Oslo"}
    assert r.choices[0].finish_reason == "tool_calls"


def _tool_call_deltas(stream) -> tuple[dict[int, dict], int]:
    """The tool calls a stream carried, put together, and how many deltas carried them."""
    calls: dict[int, dict] = {}
    n = 0
    for chunk in stream:
        for ch in chunk.choices:
            for tc in ch.delta.tool_calls or []:
                n += 1
                c = calls.setdefault(tc.index, {"id": None, "name": "", "args": ""})
                c["id"] = tc.id or c["id"]
                c["name"] += (tc.function.name or "") if tc.function else ""
                c["args"] += (tc.function.arguments or "") if tc.function else ""
    return calls, n


@pytest.mark.parametrize("delay_ms", [1, 0])
def test_tool_calls_split_across_many_chunks(gateway, delay_ms):
    """Arguments one character per SSE event: arriving one by one (delay) they are passed
    on one by one; arriving in one burst they are merged (one delta per call), same calls."""
    args = {"city": "Reykjavík", "units": "metric", "days": 3}
    stream = gateway.client().chat.completions.create(
        model="demo",
        messages=[{"role": "user", "content": "w"}],
        tools=TOOLS,
        stream=True,
        extra_body={
            "fake": {
                "chunk_chars": 1,
                "delay_ms": delay_ms,
                "tool_calls": [
                    {"name": "get_weather", "arguments": args, "id": "call_1"},
                    {"name": "get_time", "arguments": {}, "id": "call_2"},
                ],
            }
        },
    )
    calls, n = _tool_call_deltas(stream)
    assert n > 20 if delay_ms else n == 2
    assert calls[0]["id"] == "call_1" and calls[0]["name"] == "get_weather"
    assert json.loads(calls[0]["args"]) == args
    assert calls[1]["id"] == "call_2" and calls[1]["name"] == "get_time"
    assert json.loads(calls[1]["args"]) == {}


def test_tool_message_round_trip(gateway):
    msgs = [
        {"role": "user", "content": "weather in Oslo"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_1",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": '{"city": "Oslo"}'},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "call_1", "content": "sunny"},
        {"role": "user", "content": "thanks"},
    ]
    r = gateway.client().chat.completions.create(
        model="demo",
        messages=msgs,
        tools=TOOLS,
        tool_choice={"type": "function", "function": {"name": "get_weather"}},
    )
    assert r.choices[0].message.content == "thanks"


def test_json_mode(gateway):
    r = gateway.client().chat.completions.create(
        model="demo",
        messages=[{"role": "user", "content": '{"a": 1}'}],
        response_format={"type": "json_object"},
    )
    assert json.loads(r.choices[0].message.content) == {"a": 1}


async def test_async_client_streams(gateway):
    client = gateway.async_client()
    stream = await client.chat.completions.create(
        model="demo", messages=[{"role": "user", "content": "async hello"}], stream=True
    )
    text = "".join([c.choices[0].delta.content or "" async for c in stream if c.choices])
    assert text == "async hello"
    await client.close()


def test_models_list_and_get(gateway):
    client = gateway.client()
    ids = [m.id for m in client.models.list()]
    assert ids == ["demo", "demo-embedding"]
    assert client.models.retrieve("demo").id == "demo"
    with pytest.raises(openai.NotFoundError):
        client.models.retrieve("nope")


def test_embeddings(gateway):
    r = gateway.client().embeddings.create(model="demo-embedding", input=["a", "b"])
    assert len(r.data) == 2 and len(r.data[0].embedding) == 8
    assert r.data[0].embedding != r.data[1].embedding
    again = gateway.client().embeddings.create(model="demo-embedding", input="a")
    assert again.data[0].embedding == r.data[0].embedding
