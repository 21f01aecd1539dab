"""Red team 8, second half: one record that cannot be written stopped the deferred audit.

`AuditLog.flush` (run after the task step for `later`) let an error of `_write` escape:
a record orjson refuses (an integer past 64 bits, a lone surrogate, nesting past 254
levels: an upstream's `usage`, a name an MCP server sent) raised out of the loop's
callback, the records queued after it stayed queued, and since a flush is scheduled only
when the queue goes from empty to one, no later record was ever written again (until a
synchronous `write`): every later call went unaudited. Now a record orjson refuses is
written through the standard library's encoder (`default=str`, ASCII escapes), and a
record that cannot be written at all is logged and skipped, never stalling the queue.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from keepgate.observability.audit import AuditLog


async def _callbacks_run() -> None:
    """Wait for the callbacks already scheduled with `call_soon` (the audit's flush):
    asyncio runs them in FIFO order, so one scheduled after them runs after them; an
    ordering asyncio guarantees, not a timing."""
    loop = asyncio.get_running_loop()
    done = loop.create_future()
    loop.call_soon(done.set_result, None)
    await done


def _deep(n: int) -> dict:
    d: dict = {}
    x = d
    for _ in range(n):
        x["a"] = {}
        x = x["a"]
    return d


@pytest.mark.parametrize(
    "bad",
    [{"usage": {"prompt_tokens": 2**70}}, {"tool": "x\ud800"}, {"detail": _deep(300)}],
    ids=["big-int", "lone-surrogate", "deep"],
)
async def test_a_record_orjson_refuses_neither_stalls_nor_loses_the_log(
    tmp_path: Path, bad: dict
) -> None:
    path = tmp_path / "audit.jsonl"
    audit = AuditLog(str(path))
    audit.later(lambda: {"request_id": "r1", **bad})
    audit.later(lambda: {"request_id": "r2"})
    await _callbacks_run()
    audit.later(lambda: {"request_id": "r3"})
    await _callbacks_run()
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert [r["request_id"] for r in lines] == ["r1", "r2", "r3"], lines
    audit.close()


async def test_a_builder_that_raises_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    audit = AuditLog(str(path))
    audit.later(lambda: 1 / 0)  # type: ignore[arg-type,return-value]
    audit.later(lambda: {"request_id": "r2"})
    await _callbacks_run()
    assert [json.loads(x)["request_id"] for x in path.read_text().splitlines()] == ["r2"]
    audit.close()
