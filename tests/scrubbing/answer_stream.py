"""A model's streamed answer as chat-completion chunks, for the answer-filter tests (images,
links, bare domains) that feed a guard's `transform` in process."""

from __future__ import annotations

from collections.abc import AsyncIterator

from keepgate.pipeline.chunks import make_chunk


async def stream_of(pieces: list[str]) -> AsyncIterator[dict]:
    """A role chunk, one content chunk per piece, then `finish_reason: stop`."""
    base = {"id": "chatcmpl-1", "model": "demo", "created": 1}
    yield make_chunk(base, delta={"role": "assistant", "content": ""})
    for p in pieces:
        yield make_chunk(base, delta={"content": p})
    yield make_chunk(base, finish_reason="stop")
