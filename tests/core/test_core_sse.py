"""The upstream SSE parser: events survive any split of the byte stream."""

from __future__ import annotations

import json

import pytest

from keepgate.upstream.sse import MalformedStream, iter_sse_batches

EVENTS = [{"id": i, "choices": [{"delta": {"content": "é" * i + " \n data: x"}}]} for i in range(5)]
BODY = (
    b": keep-alive\r\n\r\n"
    + b"".join(b"event: message\r\ndata: " + json.dumps(e).encode() + b"\r\n\r\n" for e in EVENTS)
    + b'data: [DONE]\n\ndata: {"after": "done"}\n\n'
)


async def _parse(reads: list[bytes], max_line: int = 1 << 20) -> list[dict]:
    async def gen():
        for r in reads:
            yield r

    return [obj async for batch in iter_sse_batches(gen(), max_line) for obj in batch]


@pytest.mark.parametrize("size", [1, 2, 3, 7, 64, len(BODY)])
async def test_every_split_gives_the_same_events(size):
    reads = [BODY[i : i + size] for i in range(0, len(BODY), size)]
    assert await _parse(reads) == EVENTS  # and nothing after [DONE]


async def test_malformed_and_oversized_events_are_errors():
    with pytest.raises(MalformedStream, match="malformed"):
        await _parse([b'data: {"broken": [\n\n'])
    with pytest.raises(MalformedStream, match="non-object"):
        await _parse([b"data: [1, 2]\n\n"])
    with pytest.raises(MalformedStream, match="oversized"):
        await _parse([b"data: " + b"x" * 100 for _ in range(20)], max_line=1000)


async def test_events_of_one_read_come_as_one_batch_and_good_ones_survive_a_bad_one():
    async def gen():
        yield b'data: {"a": 1}\n\ndata: {"b": 2}\n\ndata: {"c"'
        yield b': 3}\n\ndata: {"d": 4}\n\ndata: [broken\n\n'

    it = iter_sse_batches(gen())
    assert await anext(it) == [{"a": 1}, {"b": 2}]
    assert await anext(it) == [{"c": 3}, {"d": 4}]  # valid events before the bad line
    with pytest.raises(MalformedStream, match="malformed"):
        await anext(it)
