"""`AuditLog.later`: a record written once the task's step ends (an MCP call's, after its
answer is sent), never lost and never out of order."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from keepgate.observability.audit import AuditLog


def lines(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text().splitlines() if x]


def test_a_deferred_record_is_written_after_the_step_in_order(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    log = AuditLog(str(path))
    seen: list[list[str]] = []

    async def step() -> None:
        log.later(lambda: {"n": "a"})
        log.later(lambda: {"n": "b"})
        # the step goes on (the answer is sent): nothing written yet
        seen.append([r["n"] for r in lines(path)])
        await asyncio.sleep(0)  # one turn of the loop: the queued callback runs first
        seen.append([r["n"] for r in lines(path)])

    asyncio.run(step())
    log.close()
    assert seen == [[], ["a", "b"]]


def test_a_plain_write_comes_after_the_records_handed_in_before_it(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    log = AuditLog(str(path))

    async def step() -> None:
        log.later(lambda: {"n": "a"})
        log.write({"n": "b"})  # e.g. a refusal audited by the middleware meanwhile
        log.later(lambda: {"n": "c"})

    asyncio.run(step())
    log.close()
    assert [r["n"] for r in lines(path)] == ["a", "b", "c"]


def test_records_still_waiting_are_written_when_the_log_closes(tmp_path: Path) -> None:
    """Shutdown: the app's lifespan closes the log; a record handed in but whose callback
    never ran (the loop stopped first) is written then."""
    path = tmp_path / "audit.jsonl"
    log = AuditLog(str(path))
    loop = asyncio.new_event_loop()

    async def step() -> None:
        log.later(lambda: {"n": "last"})
        loop.stop()  # the loop stops before the queued callback gets its turn

    loop.create_task(step())
    loop.run_forever()
    assert lines(path) == []
    log.close()
    loop.close()
    assert [r["n"] for r in lines(path)] == ["last"]


def test_a_builder_that_fails_does_not_drop_the_others(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    log = AuditLog(str(path))

    def broken() -> dict:
        raise RuntimeError("boom")

    async def step() -> None:
        log.later(lambda: {"n": "a"})
        log.later(broken)
        log.later(lambda: {"n": "c"})

    asyncio.run(step())
    log.close()
    assert [r["n"] for r in lines(path)] == ["a", "c"]


def test_without_a_running_loop_the_record_is_written_at_once(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    log = AuditLog(str(path))
    log.later(lambda: {"n": "now"})
    assert [r["n"] for r in lines(path)] == ["now"]
    log.close()
