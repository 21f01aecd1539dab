"""Parse an SSE byte stream into the JSON objects of its `data:` lines."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import orjson


class MalformedStream(Exception):
    pass


class OversizedStream(MalformedStream):
    """The stream ran past the bytes one answer may have (`http.capped`)."""


def _lines(pending: list[bytes], data: bytes) -> Iterator[bytes]:
    """Complete lines of `pending + data`; an unfinished last line stays in `pending`."""
    if pending:
        pending.append(data)
        data = b"".join(pending)
        pending.clear()
    lines = data.split(b"\n")
    tail = lines.pop()
    if tail:
        pending.append(tail)
    return iter(lines)


async def iter_sse_batches(
    reads: AsyncIterator[bytes],
    max_line: int = 8 * 1024 * 1024,
) -> AsyncIterator[list[dict[str, Any]]]:
    """Yield the `data:` payloads completed by each network read, as one list per read,
    until `[DONE]`; comments and event names are skipped.

    Takes the raw reads of the body (any sizes): one read usually holds several events,
    splitting it in one C call costs less than reading line by line, and a caller can
    treat the events that arrived together as one batch (`merge.merge_deltas`).
    The bytes of the whole answer are bounded by the caller (`http.capped`).
    """
    pending: list[bytes] = []
    held = 0
    async for data in reads:
        if b"\n" not in data:
            pending.append(data)
            held += len(data)
            if held > max_line:
                raise MalformedStream("upstream sent an oversized SSE line")
            continue
        held = 0
        batch: list[dict[str, Any]] = []
        for line in _lines(pending, data):
            if not line.startswith(b"data:"):
                continue
            payload = line[5:].strip()
            if payload == b"[DONE]":
                if batch:
                    yield batch
                return
            if not payload:
                continue
            try:
                obj = orjson.loads(payload)
            except orjson.JSONDecodeError as exc:
                error = f"upstream sent a malformed SSE event: {exc.msg}"
            else:
                if isinstance(obj, dict):
                    batch.append(obj)
                    continue
                error = "upstream sent a non-object SSE event"
            if batch:  # the good events before it still go out first
                yield batch
            raise MalformedStream(error)
        if batch:
            yield batch
        held = sum(len(p) for p in pending)
