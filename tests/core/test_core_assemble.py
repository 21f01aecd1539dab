"""Assembling a non-streamed answer keeps every guard report carried on the chunks."""

from __future__ import annotations

from keepgate.pipeline.chunks import assemble


async def test_report_batches_on_several_chunks_add_up():
    async def chunks():
        base = {"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "m"}
        yield {
            **base,
            "choices": [
                {
                    "index": 0,
                    "delta": {"role": "assistant", "content": "a"},
                    "finish_reason": "stop",
                }
            ],
            "keepgate": {"policy": [{"tool_call_id": "c0", "decision": "allow"}]},
        }
        yield {
            **base,
            "choices": [{"index": 1, "delta": {"content": "b"}, "finish_reason": "stop"}],
            "keepgate": {
                "policy": [{"tool_call_id": "c1", "decision": "deny"}],
                "redactions": {"EMAIL_ADDRESS": 1},
            },
        }

    out = await assemble(chunks())
    assert [r["tool_call_id"] for r in out["keepgate"]["policy"]] == ["c0", "c1"]
    assert out["keepgate"]["redactions"] == {"EMAIL_ADDRESS": 1}
    assert [c["message"]["content"] for c in out["choices"]] == ["a", "b"]
