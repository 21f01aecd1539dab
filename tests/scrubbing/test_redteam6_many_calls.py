"""Red team round 6 (2026-12-07): the PII guard's work per chunk grew with the answer.

An upstream may open many tool calls (or many choices) in one answer, each a chunk of a
hundred bytes, so `max_answer_bytes` admits millions. Per chunk the guard looked at every
call still held (`keys_for_choice` scanned all calls of all choices) and, at each choice's
finish, at every text stream of every choice: quadratic in the calls and in the choices.

Measured as operations, never time: the Python lines the guard and its buffer execute
(`sys.settrace`, this thread only), for an answer of n and of 2n calls (or choices). Linear
work doubles; the quadratic work quadrupled."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from tests.linecount import lines_run_in
from keepgate.auth.principal import Principal
from keepgate.pipeline.call import Call
from keepgate.pipeline.chunks import make_chunk
from keepgate.scrubbing.guard import build

GUARD = build({"nlp_model": None}, None, None)
BASE = {"id": "chatcmpl-1", "model": "demo", "created": 1}
WATCHED = ("keepgate/scrubbing/guard.py", "keepgate/pipeline/chunks.py")


def _call() -> Call:
    return Call(
        principal=Principal("alice", "developer"),
        route="chat.completions",
        model="demo",
        body={},
        stream=True,
    )


async def _held_calls(n: int) -> AsyncIterator[dict[str, Any]]:
    """One choice opening `n` tool calls whose arguments never close, then its finish."""
    yield make_chunk(BASE, delta={"role": "assistant"})
    for k in range(n):
        tc = {"index": k, "id": f"call_{k}", "type": "function"}
        tc["function"] = {"name": "search", "arguments": '{"q": "x'}
        yield make_chunk(BASE, delta={"tool_calls": [tc]})
    yield make_chunk(BASE, finish_reason="tool_calls")


async def _choices(n: int) -> AsyncIterator[dict[str, Any]]:
    """`n` choices, each a little text and then its finish."""
    for i in range(n):
        yield make_chunk(BASE, index=i, delta={"role": "assistant", "content": "ok "})
    for i in range(n):
        yield make_chunk(BASE, index=i, finish_reason="stop")


def _lines(stream: AsyncIterator[dict[str, Any]]) -> int:
    """Python lines executed in the guard and the tool-call buffer while `stream` passes."""

    async def drain() -> None:
        async for _ in GUARD.transform(_call(), stream):
            pass

    with lines_run_in(WATCHED) as count:
        asyncio.run(drain())
    return count[0]


def test_many_held_tool_calls_cost_linear_work() -> None:
    small, big = _lines(_held_calls(300)), _lines(_held_calls(600))
    assert big / small < 2.5, (small, big)  # quadratic: ~3.5 here


def test_many_choices_cost_linear_work() -> None:
    small, big = _lines(_choices(300)), _lines(_choices(600))
    assert big / small < 2.5, (small, big)
