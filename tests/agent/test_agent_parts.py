"""The agent's parts on their own: tool engine, memory trimming, demo tool sandboxes."""

from __future__ import annotations

import asyncio
import itertools
import json
import os
from pathlib import Path

import jsonschema
import pytest

from keepgate.agent.memory import estimate_tokens, trim
from keepgate.agent.settings import ToolSettings
from keepgate.agent.tools.base import Tool, ToolContext, ToolError
from keepgate.agent.tools.demo import HttpGet, ReadFile, SendEmail, SqlQuery
from keepgate.agent.tools.engine import ToolEngine
from tests.clock import ManualClock

CTX = ToolContext("run_1", "call_1", "dev")
SCHEMA = {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}


def engine(handler, *, idempotent: bool = True, **settings) -> ToolEngine:
    """A one-tool engine; its timeout is generous (a loaded box never trips it) unless a
    test about timeouts sets a short one against a tool that never answers in time."""
    s = ToolSettings(**{"timeout_s": 60.0, "retries": 2, "backoff_s": 0.0, **settings})
    return ToolEngine({"t": Tool("t", "test tool", SCHEMA, handler, s, idempotent)})


async def test_retries_only_retryable_errors():
    calls = []

    async def flaky(args, ctx):
        calls.append(args["n"])
        if len(calls) < 3:
            raise ToolError("unreachable", "blip", retryable=True)
        return {"n": args["n"]}

    out = await engine(flaky).execute("t", {"n": 1}, CTX)
    assert out.ok and out.attempts == 3 and out.result == {"n": 1}

    calls.clear()

    async def broken(args, ctx):
        calls.append(1)
        raise ToolError("bad_request", "no such thing")

    out = await engine(broken).execute("t", {"n": 1}, CTX)
    assert not out.ok and out.attempts == 1 and out.error["type"] == "bad_request"
    assert json.loads(out.content()) == {"ok": False, "error": out.error}


async def test_timeout_is_retried_only_for_idempotent_tools():
    runs = []

    async def slow(args, ctx):
        runs.append(1)
        await asyncio.Event().wait()  # never answers: only the timeout ends it

    out = await engine(slow, idempotent=False, timeout_s=0.02).execute("t", {"n": 1}, CTX)
    assert out.error["type"] == "timeout" and out.attempts == 1 and len(runs) == 1
    out = await engine(slow, retries=1, timeout_s=0.02).execute("t", {"n": 1}, CTX)
    assert out.error["type"] == "timeout" and out.attempts == 2 and len(runs) == 3


async def test_a_crashing_tool_is_an_error_not_a_crash():
    async def bug(args, ctx):
        raise KeyError("x")

    out = await engine(bug).execute("t", {"n": 1}, CTX)
    assert out.error["type"] == "tool_failed" and "KeyError" in out.error["message"]


async def test_rate_limit_and_truncation():
    async def big(args, ctx):
        return "x" * 500

    e = engine(big, rate_per_s=0.001, burst=2, max_result_chars=100)
    first = await e.execute("t", {"n": 1}, CTX)
    assert first.ok and first.truncated and first.result.endswith("[truncated 400 characters]")
    assert (await e.execute("t", {"n": 1}, CTX)).ok
    third = await e.execute("t", {"n": 1}, CTX)
    assert third.error["type"] == "rate_limited" and third.error["retry_after_s"] > 0


def test_argument_validation():
    async def ok(args, ctx):
        return 1

    e = engine(ok)
    assert e.check("t", '{"n": 3}', ["t"]) == ({"n": 3}, None)
    _, bad = e.check("t", '{"n": "three"}', ["t"])
    assert bad.error["type"] == "invalid_arguments" and bad.error["problems"][0]["path"] == "n"
    _, bad = e.check("t", "[1", ["t"])
    assert "not valid JSON" in bad.error["message"]
    _, bad = e.check("t", "{}", [])  # registered but not allowed in this run
    assert bad.error["type"] == "unknown_tool"
    with pytest.raises(jsonschema.SchemaError):  # a bad schema fails start-up
        engine(ok).__class__({"t": Tool("t", "", {"type": "nope"}, ok)})


def test_memory_keeps_system_task_and_recent_turns():
    system = {"role": "system", "content": "be careful"}
    task = {"role": "user", "content": "the task"}
    turns = []
    for i in range(20):
        turns.append(
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": f"c{i}",
                        "type": "function",
                        "function": {
                            "name": "read_file",
                            "arguments": json.dumps({"path": f"/p/{i}"}),
                        },
                    }
                ],
            }
        )
        turns.append({"role": "tool", "tool_call_id": f"c{i}", "content": "y" * 400})
    messages = [system, task, *turns]
    same, dropped = trim(messages, 10_000)
    assert same is messages and dropped == 0
    budget = sum(estimate_tokens(m) for m in [system, task, *turns[-6:]]) + 30
    kept, dropped = trim(messages, budget)
    assert kept[:2] == [system, task] and "dropped" in kept[2]["content"]
    assert kept[3:] == turns[-6:] and dropped == len(turns) - 6
    # Tool results never lose their assistant message.
    ids = {tc["id"] for m in kept if m.get("tool_calls") for tc in m["tool_calls"]}
    assert all(m["tool_call_id"] in ids for m in kept if m["role"] == "tool")


async def test_read_file_stays_in_its_sandbox(tmp_path):
    box = tmp_path / "box"
    box.mkdir()
    (box / "a.txt").write_text("hello")
    (tmp_path / "secret.txt").write_text("top secret")
    os.symlink(tmp_path / "secret.txt", box / "link.txt")
    tool = ReadFile(ToolSettings(options={"sandbox_dir": str(box)}))
    assert await tool({"path": "/srv/data/a.txt"}, CTX) == "hello"
    listing = await tool({"path": "/srv/data/"}, CTX)
    assert listing["entries"] == ["a.txt", "link.txt"]
    for bad in ("/srv/data/../secret.txt", "/srv/data/link.txt", "/etc/passwd", "a.txt"):
        with pytest.raises(ToolError) as exc:
            await tool({"path": bad}, CTX)
        assert exc.value.code == "path_outside_sandbox"


@pytest.mark.parametrize("on_disk", [False, True], ids=["memory", "db_path"])
async def test_sql_is_read_only_even_without_a_policy(tmp_path, on_disk):
    options = {"db_path": str(tmp_path / "d.db")} if on_disk else {}
    tool = SqlQuery(ToolSettings(timeout_s=0.3, options=options))
    tool.clock = ManualClock()  # stands still: no query runs out of time on a slow box
    out = await tool({"query": "SELECT name FROM customers WHERE id = 1"}, CTX)
    assert out == {"columns": ["name"], "rows": [["Ada Byron"]], "more_rows": False}
    for q in (
        "DELETE FROM customers",
        "SELECT 1; DROP TABLE customers",
        "ATTACH DATABASE 'x.db' AS x",
        "PRAGMA query_only = OFF",
    ):
        with pytest.raises(ToolError) as exc:
            await tool({"query": q}, CTX)
        assert "interrupted" not in str(exc.value)
    assert (await tool({"query": "SELECT count(*) FROM customers"}, CTX))["rows"] == [[5]]


async def test_a_runaway_sql_query_is_stopped_at_its_timeout():
    """A query that never ends is interrupted once its clock passes `timeout_s`: here a
    clock that moves a second each time it is read, so the first progress check (every
    10,000 SQLite instructions) is already past the deadline."""
    tool = SqlQuery(ToolSettings(timeout_s=0.3))
    tool.clock = itertools.count(1000.0).__next__
    forever = (
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"
    )
    with pytest.raises(ToolError) as exc:
        await tool({"query": forever}, CTX)
    assert exc.value.code == "sql_error" and "interrupted" in str(exc.value)


def test_sql_without_db_path_leaves_no_file(tmp_path, monkeypatch):
    import tempfile

    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    SqlQuery(ToolSettings())
    assert list(scratch.iterdir()) == []


async def test_replicas_sharing_a_db_path_never_see_it_half_built(tmp_path):
    """Replicas starting together each build the database beside the path and move it into
    place: a query already reading keeps its file, new ones see a whole one, and no
    half-written or temporary file is left."""
    import sqlite3
    from concurrent.futures import ThreadPoolExecutor

    path = tmp_path / "shared.db"
    first = SqlQuery(ToolSettings(options={"db_path": str(path)}))
    reader = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    cursor = reader.execute("SELECT name FROM customers ORDER BY id")
    assert cursor.fetchone() == ("Ada Byron",)
    with ThreadPoolExecutor(4) as pool:  # four more replicas start at once
        list(pool.map(lambda _: SqlQuery(ToolSettings(options={"db_path": str(path)})), range(4)))
    assert len(cursor.fetchall()) == 4  # the open read finished on the file it opened
    reader.close()
    out = await first({"query": "SELECT count(*) FROM customers"}, CTX)
    assert out["rows"] == [[5]]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["shared.db"]


def test_http_allowlist():
    tool = HttpGet(
        ToolSettings(options={"allowed_hosts": ["api.example.com", "*.wiki.org", "127.0.0.1:8080"]})
    )
    assert tool.allowed_url("https://api.example.com/x")
    assert tool.allowed_url("https://en.wiki.org/x")
    assert tool.allowed_url("http://127.0.0.1:8080/x")
    for bad in (
        "http://127.0.0.1:9999/x",
        "file:///etc/passwd",
        "https://evil.com/?h=api.example.com",
        "https://user@api.example.com/",
        "https://api.example.com.evil.com/",
    ):
        assert not tool.allowed_url(bad), bad


async def test_http_get_makes_its_client_on_first_use_and_closes_it():
    """A gateway builds its tools at start: the HTTP client (which loads the CA bundle, ~25 ms
    of CPU per gateway) waits for the first call; shutting down closes one that was made."""
    tool = HttpGet(ToolSettings())
    assert tool._client is None
    await tool.aclose()  # nothing made, nothing to close
    client = tool.client
    assert tool.client is client and not client.is_closed
    await tool.aclose()
    assert client.is_closed


async def test_send_email_is_idempotent_per_call(tmp_path):
    tool = SendEmail(ToolSettings(options={"outbox": str(tmp_path / "out.jsonl")}))
    args = {"to": "bob@example.com", "subject": "s", "body": "b"}
    assert (await tool(args, CTX))["status"] == "queued"
    assert (await tool(args, CTX))["status"] == "already_sent"
    assert (await tool(args, ToolContext("run_1", "call_2", "dev")))["status"] == "queued"
    assert len(Path(tmp_path / "out.jsonl").read_text().splitlines()) == 2
