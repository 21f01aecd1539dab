"""A model's streamed answer as chat-completion chunks, for the answer-filter tests (images,
links, bare domains) that feed a guard's `transform` in process."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

from keepgate.pipeline.chunks import make_chunk


async def stream_of(pieces: list[str]) -> AsyncIterator[dict]:
    """A role chunk, one content chunk per piece, then `finish_reason: stop`."""
    base = {"id": "chatcmpl-1", "model": "demo", "created": 1}
    yield make_chunk(base, delta={"role": "assistant", "content": ""})
    for p in pieces:
        yield make_chunk(base, delta={"content": p})
    yield make_chunk(base, finish_reason="stop")


def every_split(text: str, whole: Callable[[str], str], fresh: Callable[[], Any]) -> str:
    """`whole(text)`, checked to come out the same from a fresh neutraliser (`fresh()`, with
    `feed`/`flush`) fed the text in two pieces at every split position."""
    out = whole(text)
    for k in range(1, len(text)):
        n = fresh()
        assert n.feed(text[:k]) + n.feed(text[k:]) + n.flush() == out, k
    return out


def through_gateway(gw: Any, text: str, messages: list[dict]) -> str:
    """The demo model's `text` through the gateway, whole and streamed in 3-character
    chunks: the answer (checked to be the same both ways)."""
    from tests.scrubbing.test_pii_links import ask

    content = ask(gw.client(), text, messages).parse().choices[0].message.content
    chunks = gw.client().chat.completions.create(
        model="demo",
        messages=messages,
        stream=True,
        extra_body={"fake": {"reply": text, "chunk_chars": 3}},
    )
    seen = "".join((c.choices[0].delta.content or "") if c.choices else "" for c in chunks)
    assert seen == content
    return str(content)
