"""Red team round 6 (2026-12-07): the Messages encoder's work per event grew with the
answer. Each tool_use block's position was found by `list.index` over every block so far
(per argument delta and per close), and each close scanned every tool so far for its
block: quadratic in an answer that opens many tool calls (each a chunk of a hundred bytes,
so `max_answer_bytes` admits millions). Positions are now kept as blocks open.

Measured as operations, never time: the Python lines the encoder executes
(`sys.settrace`, this thread only) for n and 2n calls. The `list.index` scans ran in C
and are not counted here; the per-close scan of the tools was Python code."""

from __future__ import annotations

import json
from typing import Any

from tests.linecount import lines_run_in
from keepgate.adapters.messages.output import MessageBuilder
from keepgate.pipeline.chunks import make_chunk

BASE = {"id": "chatcmpl-1", "model": "demo", "created": 1}
WATCHED = ("keepgate/adapters/messages/output.py", "keepgate/adapters/base.py")


def _chunks(n: int) -> list[dict[str, Any]]:
    out = [make_chunk(BASE, delta={"role": "assistant"})]
    for k in range(n):
        tc = {"index": k, "id": f"call_{k}", "type": "function"}
        tc["function"] = {"name": "search", "arguments": '{"q": '}
        out.append(make_chunk(BASE, delta={"tool_calls": [tc]}))
        more = {"index": k, "function": {"arguments": f'"{k}"}}'}}
        out.append(make_chunk(BASE, delta={"tool_calls": [more]}))
    out.append(make_chunk(BASE, finish_reason="tool_calls"))
    return out


def _run(n: int) -> tuple[int, MessageBuilder, bytes]:
    chunks = _chunks(n)
    builder = MessageBuilder("demo", {}, emit=True)
    written: list[bytes] = []
    with lines_run_in(WATCHED) as count:
        written.append(builder.start())
        for c in chunks:
            written.append(builder.feed(c))
        written.append(builder.end())
    return count[0], builder, b"".join(written)


def test_many_tool_calls_cost_the_messages_encoder_linear_work() -> None:
    (small, _, _), (big, _, _) = _run(300), _run(600)
    assert big / small < 2.5, (small, big)


def test_the_encoder_still_writes_each_block_at_its_position() -> None:
    _, builder, written = _run(5)
    events = [
        json.loads(line[6:]) for line in written.decode().splitlines() if line.startswith("data: ")
    ]
    blocks = builder.message["content"]
    assert [b["input"] for b in blocks] == [{"q": str(k)} for k in range(5)]
    deltas = [e["index"] for e in events if e["type"] == "content_block_delta"]
    stops = [e["index"] for e in events if e["type"] == "content_block_stop"]
    assert deltas == [k for k in range(5) for _ in (1, 2)]  # two argument pieces each
    assert stops == list(range(5))
