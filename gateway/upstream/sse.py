"""Parse an SSE byte stream into the JSON objects of its `data:` lines."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any


class MalformedStream(Exception):
    pass


async def iter_sse_json(lines: AsyncIterator[bytes]) -> AsyncIterator[dict[str, Any]]:
    """Yield each `data:` payload as a dict until `[DONE]`; comments and events are skipped.

    Works on raw byte lines: decoding each line to str first costs more than the parse.
    """
    async for line in lines:
        if not line.startswith(b"data:"):
            continue
        data = line[5:].strip()
        if data == b"[DONE]":
            return
        if not data:
            continue
        try:
            obj = json.loads(data)
        except json.JSONDecodeError as exc:
            raise MalformedStream(f"upstream sent a malformed SSE event: {exc.msg}") from None
        if not isinstance(obj, dict):
            raise MalformedStream("upstream sent a non-object SSE event")
        yield obj
