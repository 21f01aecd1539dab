"""The route adapters on their own: request translation, answer building, native decoding."""

from __future__ import annotations

import json
from typing import Any

import orjson
import pytest

from keepgate.adapters.base import ChunkReader, TEXT, TOOL_ARGS, TOOL_START
from keepgate.adapters.messages import native as messages_native
from keepgate.adapters.messages import request as messages_request
from keepgate.adapters.messages.output import MessageBuilder
from keepgate.adapters.responses import native as responses_native
from keepgate.adapters.responses import request as responses_request
from keepgate.adapters.responses.output import ResponseBuilder
from keepgate.auth.principal import Principal
from keepgate.config.model import LiteLLMParams, ModelDeployment
from keepgate.errors import APIError
from keepgate.pipeline.call import Call
from keepgate.pipeline.chunks import make_chunk
from keepgate.upstream.client import UpstreamError


def chunk(delta: dict[str, Any] | None = None, finish: str | None = None, **extra: Any) -> dict:
    c = make_chunk(None, delta=delta or {}, finish_reason=finish, id="c1", model="m")
    c.update(extra)
    return c


def sse(data: bytes) -> list[tuple[str, dict]]:
    out = []
    for block in data.decode().split("\n\n"):
        if block:
            name, payload = block.split("\n", 1)
            out.append((name.removeprefix("event: "), json.loads(payload.removeprefix("data: "))))
    return out


# -- Responses requests ------------------------------------------------------------------------


def test_responses_items_map_to_chat_messages():
    body = {
        "model": "m",
        "instructions": "Be brief.",
        "max_output_tokens": 64,
        "tools": [
            {"type": "function", "name": "f", "parameters": {"type": "object"}, "strict": True}
        ],
        "tool_choice": {"type": "function", "name": "f"},
        "parallel_tool_calls": False,
        "text": {
            "format": {
                "type": "json_schema",
                "name": "out",
                "schema": {"type": "object"},
                "strict": True,
            }
        },
        "reasoning": {"effort": "low"},
        "store": True,
        "include": ["x"],
        "fake": {"reply": "r"},
        "input": [
            {"role": "developer", "content": "rules"},
            {
                "type": "message",
                "role": "user",
                "content": [
                    {"type": "input_text", "text": "look"},
                    {"type": "input_image", "image_url": "data:image/png;base64,AA=="},
                ],
            },
            {
                "type": "message",
                "role": "assistant",
                "content": [{"type": "output_text", "text": "calling", "annotations": []}],
            },
            {"type": "function_call", "call_id": "c1", "name": "f", "arguments": '{"a":1}'},
            {"type": "function_call", "call_id": "c2", "name": "f", "arguments": {"a": 2}},
            {"type": "reasoning", "id": "rs_1", "summary": []},
            {"type": "function_call_output", "call_id": "c1", "output": "one"},
            {
                "type": "function_call_output",
                "call_id": "c2",
                "output": [{"type": "input_text", "text": "two"}],
            },
        ],
    }
    chat = responses_request.to_chat(body).chat
    assert chat["messages"] == [
        {"role": "system", "content": "Be brief."},
        {"role": "system", "content": "rules"},
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "look"},
                {
                    "type": "image_url",
                    "image_url": {"url": "data:image/png;base64,AA==", "detail": "auto"},
                },
            ],
        },
        {
            "role": "assistant",
            "content": "calling",
            "tool_calls": [
                {"id": "c1", "type": "function", "function": {"name": "f", "arguments": '{"a":1}'}},
                {
                    "id": "c2",
                    "type": "function",
                    "function": {"name": "f", "arguments": '{"a": 2}'},
                },
            ],
        },
        {"role": "tool", "tool_call_id": "c1", "content": "one"},
        {"role": "tool", "tool_call_id": "c2", "content": "two"},
    ]
    assert chat["tools"] == [
        {
            "type": "function",
            "function": {"name": "f", "parameters": {"type": "object"}, "strict": True},
        }
    ]
    assert chat["tool_choice"] == {"type": "function", "function": {"name": "f"}}
    assert chat["parallel_tool_calls"] is False and chat["max_tokens"] == 64
    assert chat["response_format"] == {
        "type": "json_schema",
        "json_schema": {"name": "out", "schema": {"type": "object"}, "strict": True},
    }
    assert chat["reasoning_effort"] == "low" and chat["fake"] == {"reply": "r"}
    assert not {"store", "include", "instructions", "input", "text"} & chat.keys()


def test_responses_allowed_tools_and_tool_fields_without_tools():
    tools = [{"type": "function", "name": n} for n in ("a", "b", "c")]
    chat = responses_request.to_chat(
        {
            "input": "x",
            "tools": tools,
            "tool_choice": {
                "type": "allowed_tools",
                "mode": "required",
                "tools": [{"type": "function", "name": "b"}],
            },
        }
    ).chat
    assert [t["function"]["name"] for t in chat["tools"]] == ["b"]
    assert chat["tool_choice"] == "required"
    bare = responses_request.to_chat(
        {"input": "x", "tool_choice": "auto", "parallel_tool_calls": True}
    ).chat
    assert not {"tools", "tool_choice", "parallel_tool_calls"} & bare.keys()


# -- Messages requests -------------------------------------------------------------------------


def test_messages_blocks_map_to_chat_messages():
    body = {
        "model": "m",
        "max_tokens": 99,
        "system": [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}],
        "stop_sequences": ["END"],
        "temperature": 0.2,
        "top_k": 5,
        "metadata": {"user_id": "u"},
        "thinking": {"type": "enabled", "budget_tokens": 9},
        "tools": [{"name": "f", "input_schema": {"type": "object"}, "description": "d"}],
        "tool_choice": {"type": "any", "disable_parallel_tool_use": True},
        "messages": [
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "see"},
                    {
                        "type": "image",
                        "source": {"type": "base64", "media_type": "image/jpeg", "data": "AA=="},
                    },
                ],
            },
            {
                "role": "assistant",
                "content": [
                    {"type": "thinking", "thinking": "hmm", "signature": "s"},
                    {"type": "text", "text": "ok"},
                    {"type": "tool_use", "id": "t1", "name": "f", "input": {"x": 1}},
                ],
            },
            {
                "role": "user",
                "content": [
                    {
                        "type": "tool_result",
                        "tool_use_id": "t1",
                        "is_error": True,
                        "content": [{"type": "text", "text": "boom"}],
                    },
                    {"type": "text", "text": "and?"},
                ],
            },
        ],
    }
    chat = messages_request.to_chat(body, native=False).chat
    assert chat["messages"] == [
        {"role": "system", "content": "a\nb"},
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "see"},
                {"type": "image_url", "image_url": {"url": "data:image/jpeg;base64,AA=="}},
            ],
        },
        {
            "role": "assistant",
            "content": "ok",
            "tool_calls": [
                {"id": "t1", "type": "function", "function": {"name": "f", "arguments": '{"x": 1}'}}
            ],
        },
        {"role": "tool", "tool_call_id": "t1", "content": "Error: boom"},
        {"role": "user", "content": "and?"},
    ]
    assert chat["tool_choice"] == "required" and chat["parallel_tool_calls"] is False
    assert chat["stop"] == ["END"] and chat["user"] == "u" and chat["max_tokens"] == 99
    assert not {"thinking", "top_k", "system", "stop_sequences"} & chat.keys()


def test_messages_native_request_drops_thinking_and_follows_guard_rewrites():
    body = {
        "model": "alias",
        "max_tokens": 10,
        "thinking": {"type": "enabled"},
        "messages": [
            {"role": "user", "content": "hi"},
            {
                "role": "assistant",
                "content": [
                    {"type": "thinking", "thinking": "t", "signature": "s"},
                    {"type": "text", "text": "yo"},
                ],
            },
        ],
    }
    req = messages_request.to_chat(body, native=True)
    req.pass_through()

    call = _native_call(req.chat, "anthropic/up")
    out = messages_native.native_request(call, req, body, True)
    assert "thinking" not in out and out["model"] == "up" and out["stream"] is True
    assert out["messages"][1]["content"] == [{"type": "text", "text": "yo"}]
    req.chat["messages"][0]["content"] = "rewritten by a guard"
    again = messages_native.native_request(call, req, body, True)
    assert again["messages"][0] == {
        "role": "user",
        "content": [{"type": "text", "text": "rewritten by a guard"}],
    }


def _native_call(chat: dict[str, Any], model: str) -> Call:
    """A call routed to a native upstream deployment of `model` (provider/upstream name)."""
    deployment = ModelDeployment(model_name="m", litellm_params=LiteLLMParams(model=model))
    return Call(
        principal=Principal(key_id="k", role="user"),
        route="native",
        model="m",
        body=chat,
        deployment=deployment,
    )


# -- building answers --------------------------------------------------------------------------


def test_chunk_reader_reads_whole_and_streamed_tool_calls_alike():
    reader = ChunkReader()
    ops = []
    for c in (
        chunk({"content": "hi"}),
        chunk(
            {"tool_calls": [{"index": 0, "id": "a", "function": {"name": "f", "arguments": "{"}}]}
        ),
        chunk({"tool_calls": [{"index": 0, "function": {"arguments": "}"}}]}),
    ):
        ops += [(op, a, b) for op, a, b, _ in reader.read(c)]
    assert ops == [
        (TEXT, "hi", None),
        (TOOL_START, 0, "a"),
        (TOOL_ARGS, 0, "{"),
        (TOOL_ARGS, 0, "}"),
    ]


def test_response_builder_events_and_incomplete_answer():
    b = ResponseBuilder("resp_1", "m", {"metadata": {"k": "v"}}, emit=True)
    data = b.start() + b.feed(chunk({"role": "assistant", "content": "Hel"}))
    data += b.feed(chunk({"content": "lo"})) + b.feed(chunk({"refusal": "no"}))
    data += b.feed(
        chunk(
            {"tool_calls": [{"index": 0, "id": "c", "function": {"name": "f", "arguments": "{}"}}]}
        )
    )
    data += b.feed(chunk(finish="length", keepgate={"redactions": {"EMAIL_ADDRESS": 1}}))
    data += b.feed(
        {
            "id": "c1",
            "choices": [],
            "usage": {
                "prompt_tokens": 7,
                "completion_tokens": 3,
                "prompt_tokens_details": {"cached_tokens": 2},
            },
        }
    )
    data += b.end()
    events = sse(data)
    assert [e for e, _ in events] == [
        "response.created",
        "response.in_progress",
        "response.output_item.added",
        "response.content_part.added",
        "response.output_text.delta",
        "response.output_text.delta",
        "response.output_text.done",
        "response.content_part.done",
        "response.content_part.added",
        "response.refusal.delta",
        "response.refusal.done",
        "response.content_part.done",
        "response.output_item.done",
        "response.output_item.added",
        "response.function_call_arguments.delta",
        "response.function_call_arguments.done",
        "response.output_item.done",
        "response.incomplete",
    ]
    assert [p["sequence_number"] for _, p in events] == list(range(len(events)))
    final = events[-1][1]["response"]
    assert final["status"] == "incomplete"
    assert final["incomplete_details"] == {"reason": "max_output_tokens"}
    assert final["output"][0]["content"] == [
        {"type": "output_text", "text": "Hello", "annotations": [], "logprobs": []},
        {"type": "refusal", "refusal": "no"},
    ]
    assert final["output"][1]["call_id"] == "c" and final["output"][1]["arguments"] == "{}"
    assert final["usage"]["input_tokens_details"] == {"cached_tokens": 2}
    assert final["keepgate"] == {"redactions": {"EMAIL_ADDRESS": 1}}
    assert final["metadata"] == {"k": "v"}


def test_message_builder_events_stop_reasons_and_errors():
    b = MessageBuilder("m", {"stop_sequence": "END"}, emit=True)
    data = b.start() + b.feed(chunk({"content": "a"})) + b.feed(chunk(finish="stop"))
    data += b.end()
    events = sse(data)
    assert [e for e, _ in events] == [
        "message_start",
        "ping",
        "content_block_start",
        "content_block_delta",
        "content_block_stop",
        "message_delta",
        "message_stop",
    ]
    assert events[-2][1]["delta"] == {"stop_reason": "stop_sequence", "stop_sequence": "END"}
    quiet = MessageBuilder("m", {}, emit=False)
    quiet.feed(
        chunk(
            {
                "tool_calls": [
                    {"index": 0, "id": "t", "function": {"name": "f", "arguments": "not json"}}
                ]
            }
        )
    )
    quiet.feed(chunk(finish="length"))
    msg = quiet.result()
    assert msg["content"] == [{"type": "tool_use", "id": "t", "name": "f", "input": {}}]
    assert msg["stop_reason"] == "max_tokens"
    err = sse(
        b.fail(
            APIError(
                403, "denied", code="tool_call_denied", extra={"keepgate": {"guard": "policy"}}
            )
        )
    )
    assert err == [
        (
            "error",
            {
                "type": "error",
                "error": {
                    "type": "permission_error",
                    "message": "denied",
                    "code": "tool_call_denied",
                    "keepgate": {"guard": "policy"},
                },
            },
        )
    ]


# -- reading native upstreams ------------------------------------------------------------------


async def _collect(gen) -> list[dict]:
    return [c async for c in gen]


async def _batches(*batches: list[dict]):
    for b in batches:
        yield b


async def test_responses_decoder_reads_calls_sent_only_whole():
    """An upstream that sends a function call's arguments only on output_item.done."""
    events = [
        {"type": "response.created", "response": {"id": "r"}},
        {
            "type": "response.output_item.added",
            "item": {
                "id": "fc_1",
                "type": "function_call",
                "call_id": "call_1",
                "name": "f",
                "arguments": "",
            },
        },
        {
            "type": "response.output_item.done",
            "item": {
                "id": "fc_1",
                "type": "function_call",
                "call_id": "call_1",
                "name": "f",
                "arguments": '{"a": 1}',
            },
        },
        {
            "type": "response.incomplete",
            "response": {
                "status": "incomplete",
                "incomplete_details": {"reason": "max_output_tokens"},
                "usage": {"input_tokens": 5, "output_tokens": 2},
            },
        },
    ]
    chunks = await _collect(responses_native.decode(_batches(events), "m"))
    calls = [tc for c in chunks for ch in c["choices"] for tc in ch["delta"].get("tool_calls", [])]
    assert (
        calls[0]["id"] == "call_1"
        and "".join(tc["function"]["arguments"] for tc in calls) == '{"a": 1}'
    )
    assert [ch["finish_reason"] for c in chunks for ch in c["choices"]][-1] == "length"
    assert chunks[-1]["usage"]["prompt_tokens"] == 5


@pytest.mark.parametrize(
    "decoder, events",
    [
        (
            lambda b: responses_native.decode(b, "m"),
            [
                {"type": "response.created", "response": {}},
                {"type": "response.output_text.delta", "delta": "x"},
            ],
        ),
        (lambda b: messages_native.decode(b, "m", {}), [{"type": "message_start", "message": {}}]),
        (lambda b: responses_native.decode(b, "m"), [{"type": "response.failed", "response": {}}]),
        (lambda b: messages_native.decode(b, "m", {}), [{"type": "error", "error": {}}]),
    ],
)
async def test_native_decoders_refuse_cut_or_failed_streams(decoder, events):
    with pytest.raises(UpstreamError) as err:
        await _collect(decoder(_batches(events)))
    assert err.value.status == 502


async def test_messages_decoder_tool_without_input_and_stop_sequence():
    notes: dict[str, Any] = {}
    events = [
        {
            "type": "message_start",
            "message": {"id": "m", "usage": {"input_tokens": 4, "cache_read_input_tokens": 6}},
        },
        {
            "type": "content_block_start",
            "index": 0,
            "content_block": {"type": "tool_use", "id": "t", "name": "noargs", "input": {}},
        },
        {"type": "content_block_stop", "index": 0},
        {
            "type": "message_delta",
            "delta": {"stop_reason": "stop_sequence", "stop_sequence": "##"},
            "usage": {"output_tokens": 3},
        },
        {"type": "message_stop"},
    ]
    chunks = await _collect(messages_native.decode(_batches(events), "m", notes))
    args = "".join(
        tc["function"]["arguments"]
        for c in chunks
        for ch in c["choices"]
        for tc in ch["delta"].get("tool_calls", [])
    )
    assert args == "{}" and notes == {"stop_sequence": "##"}
    assert chunks[-1]["usage"] == {
        "prompt_tokens": 10,
        "completion_tokens": 3,
        "total_tokens": 13,
        "prompt_tokens_details": {"cached_tokens": 6},
    }


def test_reasoning_items_reach_a_native_upstream_without_readable_text():
    body = {
        "model": "a",
        "input": [
            {
                "type": "reasoning",
                "id": "rs_1",
                "encrypted_content": "E",
                "summary": [{"type": "summary_text", "text": "psst"}],
            },
            {"role": "user", "content": "hi"},
        ],
    }
    req = responses_request.to_chat(body)
    req.pass_through()

    out = responses_native.native_request(_native_call(req.chat, "openai/up"), req, body, True)
    assert out["input"][0] == {
        "type": "reasoning",
        "id": "rs_1",
        "encrypted_content": "E",
        "summary": [],
    }
    assert out["store"] is False and out["stream"] is True and out["model"] == "up"
    assert "psst" not in orjson.dumps(out).decode()


@pytest.mark.parametrize(
    "decoder, event",
    [
        (
            lambda b: responses_native.decode(b, "m"),
            {"type": "response.output_item.added", "item": "not an object"},
        ),
        (
            lambda b: responses_native.decode(b, "m"),
            {"type": "response.completed", "response": {"usage": {"input_tokens": "x"}}},
        ),
        (
            lambda b: messages_native.decode(b, "m", {}),
            {"type": "content_block_delta", "delta": ["x"]},
        ),
        (
            lambda b: messages_native.decode(b, "m", {}),
            {"type": "message_start", "message": {"usage": {"input_tokens": []}}},
        ),
    ],
)
async def test_native_decoders_turn_malformed_events_into_a_502(decoder, event):
    with pytest.raises(UpstreamError) as err:
        await _collect(decoder(_batches([event])))
    assert (err.value.status, err.value.kind) == (502, "upstream_malformed")


@pytest.mark.parametrize(
    "translate, body",
    [
        (responses_request.to_chat, {"input": [{"role": ["user"], "content": "x"}]}),
        (responses_request.to_chat, {"input": [{"role": "user", "content": [{"type": {}}]}]}),
        (
            responses_request.to_chat,
            {
                "input": "x",
                "tools": [{"type": "function", "name": "f"}],
                "tool_choice": {"type": "allowed_tools", "tools": 1},
            },
        ),
        (
            responses_request.to_chat,
            {
                "input": [
                    {
                        "type": "function_call_output",
                        "call_id": "c",
                        "output": [{"type": ["input_text"]}],
                    }
                ]
            },
        ),
        (
            lambda b: messages_request.to_chat(b, native=False),
            {
                "max_tokens": 5,
                "messages": [{"role": "user", "content": [{"type": "document", "source": "x"}]}],
            },
        ),
        (
            lambda b: messages_request.to_chat(b, native=True),
            {"max_tokens": 5, "messages": [{"role": "user", "content": [None]}]},
        ),
    ],
)
def test_malformed_shapes_are_400s_not_crashes(translate, body):
    with pytest.raises(APIError) as err:
        translate({"model": "m", **body})
    assert err.value.status == 400 and err.value.param


def test_tool_names_streamed_in_pieces_are_joined():
    pieces = [
        chunk(
            {"tool_calls": [{"index": 0, "id": "t", "function": {"name": "get_", "arguments": ""}}]}
        ),
        chunk({"tool_calls": [{"index": 0, "function": {"name": "weather"}}]}),
        chunk({"tool_calls": [{"index": 0, "function": {"arguments": "{}"}}]}),
        chunk(finish="tool_calls"),
    ]
    rb, mb = ResponseBuilder("r", "m", {}, emit=False), MessageBuilder("m", {}, emit=False)
    for c in pieces:
        rb.feed(c)
        mb.feed(c)
    assert rb.result()["output"][0]["name"] == "get_weather"
    assert mb.result()["content"][0]["name"] == "get_weather"


async def test_memory_store_evicts_least_recently_used_by_count_and_bytes():
    from keepgate.adapters.responses.store import MemoryStore

    store = MemoryStore(max_responses=3, max_bytes=2000)
    for i in range(3):
        await store.put("k", f"r{i}", {"input": [], "response": {"n": i}})
    await store.get("k", "r0")  # r0 is now the most recently used
    await store.put("k", "r3", {"input": [], "response": {}})
    assert await store.get("k", "r1") is None and await store.get("k", "r0") is not None
    await store.put("k", "big", {"input": ["x" * 1500], "response": {}})
    assert await store.get("k", "big") is not None and store.bytes <= 2000
    assert await store.get("other-key", "big") is None
    assert await store.delete("k", "big") and not await store.delete("k", "big")
