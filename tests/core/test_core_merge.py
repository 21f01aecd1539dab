"""Deltas that arrived together are merged only where the merge changes nothing but the count."""

from __future__ import annotations

import copy

from keepgate.upstream.merge import merge_deltas


def chunk(delta: dict, finish: str | None = None, index: int = 0, **extra) -> dict:
    return {
        "id": "c1",
        "object": "chat.completion.chunk",
        "model": "m",
        "choices": [{"index": index, "delta": delta, "logprobs": None, "finish_reason": finish}],
        **extra,
    }


def text_of(chunks: list[dict]) -> str:
    return "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks if c["choices"])


def test_text_continuations_merge_and_boundaries_stay():
    batch = [
        chunk({"role": "assistant", "content": ""}),
        chunk({"content": "Hel"}),
        chunk({"content": "lo"}),
        chunk({}, "stop"),
        {"id": "c1", "choices": [], "usage": {"prompt_tokens": 1, "completion_tokens": 2}},
    ]
    out = merge_deltas(copy.deepcopy(batch))
    assert len(out) == 3
    assert out[0]["choices"][0]["delta"] == {"role": "assistant", "content": "Hello"}
    assert out[1]["choices"][0]["finish_reason"] == "stop"  # a finish is never folded in
    assert out[2]["usage"] == {"prompt_tokens": 1, "completion_tokens": 2}


def test_what_must_not_merge():
    logprobs = chunk({"content": "b"})
    logprobs["choices"][0]["logprobs"] = {"content": [{"token": "b", "logprob": -0.1}]}
    cases = [
        [chunk({"content": "a"}), chunk({"content": "b"}, index=1)],  # another choice
        [chunk({"content": "a"}), logprobs],  # logprobs stay per token
        [chunk({"content": "a"}), chunk({"content": "b", "refusal": None})],  # more than text
        [
            chunk({"content": "a"}),
            {
                **chunk({"content": "b"}),
                "choices": [
                    {
                        **chunk({"content": "b"})["choices"][0],
                        "content_filter_results": {"hate": {"filtered": False}},
                    }
                ],
            },
        ],  # per-chunk metadata
        [chunk({"content": "a"}, "stop"), chunk({"content": "b"})],  # after a finish
        [
            chunk({"content": "a"}),
            chunk({"tool_calls": [{"index": 0, "function": {"arguments": "{}"}}]}),
        ],  # text, then a tool call
        [
            chunk(
                {
                    "tool_calls": [
                        {"index": 0, "id": "x", "function": {"name": "f", "arguments": ""}}
                    ]
                }
            ),
            chunk(
                {
                    "tool_calls": [
                        {"index": 1, "id": "y", "function": {"name": "g", "arguments": ""}}
                    ]
                }
            ),
        ],
    ]
    for batch in cases:
        assert merge_deltas(copy.deepcopy(batch)) == batch, batch


def test_tool_call_arguments_of_the_same_call_merge():
    batch = [
        chunk(
            {
                "tool_calls": [
                    {
                        "index": 0,
                        "id": "call_1",
                        "type": "function",
                        "function": {"name": "get", "arguments": ""},
                    }
                ]
            }
        ),
        chunk({"tool_calls": [{"index": 0, "function": {"arguments": '{"a"'}}]}),
        chunk({"tool_calls": [{"index": 0, "function": {"arguments": ": 1}"}}]}),
        chunk(
            {
                "tool_calls": [
                    {
                        "index": 1,
                        "id": "call_2",
                        "type": "function",
                        "function": {"name": "put", "arguments": "{}"},
                    }
                ]
            }
        ),
    ]
    out = merge_deltas(copy.deepcopy(batch))
    assert len(out) == 2
    first = out[0]["choices"][0]["delta"]["tool_calls"][0]
    assert first["id"] == "call_1" and first["function"] == {"name": "get", "arguments": '{"a": 1}'}
    assert out[1] == batch[3]


def test_a_long_burst_merges_into_one_chunk_with_the_same_text():
    text = "".join(chr(97 + i % 26) for i in range(20_000))
    batch = [chunk({"role": "assistant", "content": ""})] + [chunk({"content": c}) for c in text]
    out = merge_deltas(batch)
    assert len(out) == 1 and text_of(out) == text
