"""Parse an SSE byte stream into the JSON objects of its `data:` lines."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any


class MalformedStream(Exception):
    pass


async def iter_sse_json(lines: AsyncIterator[str]) -> AsyncIterator[dict[str, Any]]:
    """Yield each `data:` payload as a dict until `[DONE]`; comments and events are skipped."""
    async for line in lines:
        if not line.startswith("data:"):
            continue
        data = line[5:].strip()
        if data == "[DONE]":
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
