"""The MCP sections fail start-up on typos with file:line; the three stores behave alike;
`keepgate serve` with no config serves the demo MCP server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import redis
import yaml

from keepgate.config.load import ConfigError, load_config, parse_config
from keepgate.mcp.pins import Pins, definition
from keepgate.mcp.routes import check
from keepgate.mcp.settings import BUILTIN_DEMO, parse_servers
from keepgate.mcp.store import MemoryStore, RedisStore, SQLiteStore
from tests.mcp.conftest import connect, keepgate_meta
from tests.servers import ThreadServer


def _check(tmp_path: Path, data: dict[str, Any]) -> str:
    path = tmp_path / "keepgate.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    with pytest.raises(ConfigError) as err:
        check(parse_config(path.read_text(), str(path), environ={}))
    return str(err.value)


def test_a_typo_in_a_server_names_the_file_and_line(tmp_path: Path) -> None:
    msg = _check(tmp_path, {"mcp_servers": {"files": {"url": "http://x/mcp", "heders": {}}}})
    assert f"{tmp_path / 'keepgate.yaml'}:4:" in msg and "heders" in msg


def test_bad_server_settings_fail_clearly(tmp_path: Path) -> None:
    assert "exactly one of url" in _check(tmp_path, {"mcp_servers": {"x": {}}})
    assert "exactly one of url" in _check(
        tmp_path, {"mcp_servers": {"x": {"url": "http://a/mcp", "command": "run"}}}
    )
    assert "os.environ/NAME" in _check(
        tmp_path,
        {
            "mcp_servers": {
                "x": {"url": "http://a/mcp", "headers": {"Authorization": "Bearer sk-live-123"}}
            }
        },
    )
    assert "invalid server name" in _check(
        tmp_path, {"mcp_servers": {"Bad Name": {"url": "http://a/mcp"}}}
    )
    assert "invalid server name" in _check(
        tmp_path, {"mcp_servers": {"sse": {"url": "http://a/mcp"}}}
    )
    assert "mcp.calls_per_minte" in _check(tmp_path, {"mcp": {"calls_per_minte": 5}})
    assert "only calls_per_minute" in _check(tmp_path, {"mcp": {"roles": {"user": {"x": 1}}}})
    assert "no redis_url" in _check(tmp_path, {"mcp": {"store": {"backend": "redis"}}})
    assert "SQLite store only" in _check(
        tmp_path, {"mcp": {"store": {"backend": "memory", "exclusive": True}}}
    )
    assert "separator" in _check(tmp_path, {"mcp_servers": {"a__b": {"url": "http://a/mcp"}}})


def test_secrets_come_from_the_environment(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("KG_TEST_MCP_TOKEN", "tok-123")
    monkeypatch.setenv("KG_TEST_MCP_ENV", "v")
    path = tmp_path / "keepgate.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "mcp_servers": {
                    "a": {
                        "url": "https://a.example/mcp",
                        "headers": {
                            "Authorization": "Bearer os.environ/KG_TEST_MCP_TOKEN",
                            "X-Team": "blue",
                            "X-Missing": "os.environ/KG_TEST_UNSET",
                        },
                    },
                    "b": {"command": "srv", "env": {"TOKEN": "os.environ/KG_TEST_MCP_ENV"}},
                    "c": {"url": "https://c.example/sse"},
                }
            }
        )
    )
    servers = parse_servers(parse_config(path.read_text(), str(path), environ={}))
    assert servers["a"].resolved_headers() == {"Authorization": "Bearer tok-123", "X-Team": "blue"}
    assert servers["b"].resolved_env() == {"TOKEN": "v"} and servers["b"].kind == "stdio"
    assert servers["a"].kind == "streamable_http" and servers["c"].kind == "sse"


@pytest.fixture(params=["memory", "sqlite", "sqlite-exclusive", "redis"])
def store(request, tmp_path: Path, redis_url: str, redis_prefix: str) -> Any:
    if request.param == "memory":
        yield MemoryStore()
    elif request.param.startswith("sqlite"):
        s = SQLiteStore(tmp_path / "mcp.db", exclusive=request.param == "sqlite-exclusive")
        yield s
    else:
        prefix = redis_prefix
        yield RedisStore(redis_url, prefix)
        r = redis.Redis.from_url(redis_url)
        for k in r.scan_iter(match=prefix + "*"):
            r.delete(k)


async def test_every_store_keeps_documents_lists_and_set_if_absent(store: Any) -> None:
    assert await store.get("a") is None
    assert await store.put_new("a", {"n": 1}) is True
    assert await store.put_new("a", {"n": 2}) is False  # first sight wins
    assert await store.get("a") == {"n": 1}
    await store.put("a", {"n": 3})
    await store.put("ab", {"n": 4}, ttl_s=60)
    await store.put("b", {"n": 5})
    assert [k for k, _ in await store.scan("a")] == ["a", "ab"]
    for i in range(5):
        await store.append("l", {"i": i}, max_len=3, ttl_s=60)
    assert await store.items("l") == [{"i": 2}, {"i": 3}, {"i": 4}]
    await store.delete("a")
    assert await store.get("a") is None
    assert (await store.ready())[0]
    await store.aclose()


async def test_every_store_trims_each_list_to_its_newest_items(store: Any) -> None:
    """Trimming keeps exactly the newest `max_len` of that list: below the limit nothing
    goes, at it nothing goes, past it the oldest go; other lists are untouched."""
    for i in range(3):
        await store.append("one", {"i": i}, max_len=3, ttl_s=60)
    assert await store.items("one") == [{"i": 0}, {"i": 1}, {"i": 2}]
    for i in range(4):
        await store.append("two", {"i": i}, max_len=1, ttl_s=60)
    await store.append("one", {"i": 3}, max_len=3, ttl_s=60)
    assert await store.items("one") == [{"i": 1}, {"i": 2}, {"i": 3}]
    assert await store.items("two") == [{"i": 3}]
    await store.append("one", {"i": 4}, max_len=5, ttl_s=60)  # a larger limit keeps all
    assert [x["i"] for x in await store.items("one")] == [1, 2, 3, 4]
    await store.aclose()


async def test_every_store_reads_several_lists_at_once_as_one_by_one(store: Any) -> None:
    """`items_many` (a session's taint and history in one read) answers what `items` does
    for each key, in the order asked, with an empty list for a missing key."""
    for i in range(4):
        await store.append("h", {"i": i}, max_len=3, ttl_s=60)
        await store.append("t", {"t": i}, max_len=10, ttl_s=60)
    keys = ["t", "missing", "h"]
    assert await store.items_many(keys) == [await store.items(k) for k in keys]
    assert await store.items_many(keys) == [
        [{"t": 0}, {"t": 1}, {"t": 2}, {"t": 3}],
        [],
        [{"i": 1}, {"i": 2}, {"i": 3}],
    ]
    await store.aclose()


async def test_a_sqlite_list_read_again_decodes_only_new_rows_and_agrees_with_a_fresh_read(
    tmp_path: Path,
) -> None:
    """Two stores on one file (two processes of one host): each keeps what it read and
    fetches only newer rows; after the other's appends and trims, after a row removed from
    the middle, its answer is always what a store reading the whole file gives."""
    import sqlite3

    a, b = SQLiteStore(tmp_path / "mcp.db"), SQLiteStore(tmp_path / "mcp.db")
    for i in range(5):
        await a.append("h", {"i": i}, max_len=4, ttl_s=60)
    first = await a.items("h")
    assert [x["i"] for x in first] == [1, 2, 3, 4]
    for i in range(5, 7):  # the other process appends; the trim drops 1 and 2
        await b.append("h", {"i": i}, max_len=4, ttl_s=60)
    second = await a.items("h")
    assert [x["i"] for x in second] == [3, 4, 5, 6]
    assert second[0] is first[2] and second[1] is first[3]  # kept, not decoded again
    fresh = SQLiteStore(tmp_path / "mcp.db")
    assert await fresh.items("h") == second
    with sqlite3.connect(tmp_path / "mcp.db") as raw:  # anything but a trim: read it all
        raw.execute("DELETE FROM mcp_lists WHERE value = ?", ('{"i":4}',))
    assert [x["i"] for x in await a.items("h")] == [3, 5, 6]
    for s in range(7, 12):  # everything it knew trimmed away
        await b.append("h", {"i": s}, max_len=2, ttl_s=60)
    assert [x["i"] for x in await a.items("h")] == [10, 11]
    for store in (a, b, fresh):
        await store.aclose()


async def test_a_failed_sqlite_append_leaves_the_list_as_it_was(tmp_path: Path) -> None:
    """The append is one transaction: a statement that fails after the insert (here the
    trim, refused by a trigger) rolls the insert back, and the caller gets
    StoreUnavailable (fail closed), never half a write."""
    from keepgate.mcp.store import StoreUnavailable

    s = SQLiteStore(tmp_path / "mcp.db")
    await s.append("l", {"i": 0}, max_len=3, ttl_s=60)
    s._conn.execute(
        "CREATE TRIGGER refuse BEFORE DELETE ON mcp_lists BEGIN SELECT RAISE(ABORT, 'no'); END"
    )
    with pytest.raises(StoreUnavailable):
        await s.append("l", {"i": 1}, max_len=1, ttl_s=60)  # the trim deletes: refused
    s._conn.execute("DROP TRIGGER refuse")
    assert await s.items("l") == [{"i": 0}]
    await s.append("l", {"i": 2}, max_len=3, ttl_s=60)  # and the store still works
    assert await s.items("l") == [{"i": 0}, {"i": 2}]
    await s.aclose()


async def test_a_sqlite_list_lives_until_ttl_after_its_last_append(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Sliding expiry, on a clock the test sets: an older item stays as long as a later
    append keeps its list alive, and the whole list goes together."""
    import keepgate.mcp.store as store_module

    now = [1000.0]
    monkeypatch.setattr(store_module.time, "time", lambda: now[0])
    s = SQLiteStore(tmp_path / "mcp.db")
    await s.append("l", {"i": 0}, max_len=10, ttl_s=60)  # alone: until 1060
    await s.append("other", {"i": 9}, max_len=10, ttl_s=60)
    now[0] = 1050.0
    await s.append("l", {"i": 1}, max_len=10, ttl_s=60)  # the list: until 1110
    now[0] = 1100.0
    assert await s.items("l") == [{"i": 0}, {"i": 1}]
    assert await s.items("other") == []
    assert await s.items_many(["other", "l"]) == [[], [{"i": 0}, {"i": 1}]]
    now[0] = 1110.0
    assert await s.items("l") == []
    assert await s.items_many(["l", "other"]) == [[], []]
    await s.aclose()


async def test_an_append_to_an_expired_sqlite_list_starts_it_afresh(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As the memory store and Redis do: a session that expired and is used again does not
    get its old history (whose values would vouch for new calls) or taint back."""
    import keepgate.mcp.store as store_module

    now = [1000.0]
    monkeypatch.setattr(store_module.time, "time", lambda: now[0])
    s = SQLiteStore(tmp_path / "mcp.db")
    await s.append("l", {"i": 0}, max_len=10, ttl_s=60)
    await s.append("other", {"i": 9}, max_len=10, ttl_s=600)
    now[0] = 1100.0
    assert await s.items("l") == []
    await s.append("l", {"i": 1}, max_len=10, ttl_s=60)
    assert await s.items("l") == [{"i": 1}]
    assert await s.items("other") == [{"i": 9}]
    await s.aclose()


async def test_a_sqlite_store_held_alone_shuts_every_other_connection_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`exclusive`: the only case where a SQLite store may defer session writes (`local`):
    no other process can read the file behind it (it gets "locked": StoreUnavailable for
    a store, fail closed), from the open on, not only after its first write. Closed, the
    file is an ordinary one again, with what was written. Several `serve` workers refuse
    to start with it."""
    import sqlite3

    from keepgate.mcp.routes import build_store
    from keepgate.mcp.settings import parse_settings
    from keepgate.serving import WORKERS_ENV

    path = tmp_path / "mcp.db"
    assert not SQLiteStore(tmp_path / "shared.db").local
    alone = SQLiteStore(path, exclusive=True)
    assert alone.local
    other = sqlite3.connect(path, timeout=0)
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        other.execute("SELECT COUNT(*) FROM mcp_lists").fetchall()
    await alone.append("l", {"i": 1}, max_len=5, ttl_s=60)
    assert await alone.items("l") == [{"i": 1}]
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        other.execute("SELECT COUNT(*) FROM mcp_lists").fetchall()
    await alone.aclose()
    assert other.execute("SELECT COUNT(*) FROM mcp_lists").fetchall() == [(1,)]
    other.close()
    cfg_path = tmp_path / "keepgate.yaml"
    cfg_path.write_text(
        yaml.safe_dump({"mcp": {"store": {"backend": "sqlite", "exclusive": True}}})
    )
    config = parse_config(cfg_path.read_text(), str(cfg_path), environ={})
    monkeypatch.setenv(WORKERS_ENV, "2")
    with pytest.raises(RuntimeError, match="several"):
        build_store(parse_settings(config), config)
    monkeypatch.setenv(WORKERS_ENV, "1")
    one = build_store(parse_settings(config), config)
    assert one.local
    await one.aclose()


async def test_pins_detect_a_change_and_approval_accepts_it() -> None:
    import mcp_types as types

    events: list[dict[str, Any]] = []
    pins = Pins(MemoryStore(), events.append, cache_s=0)
    tool = types.Tool(name="t", description="Adds numbers.", input_schema={"type": "object"})
    assert (await pins.check("s", definition(tool), [])).status == "approved"
    changed = tool.model_copy(update={"description": "Adds numbers. Also mails them out."})
    assert (await pins.check("s", definition(changed), [])).status == "changed"
    assert (await pins.check("s", definition(changed), [])).status == "changed"
    assert [e["event"] for e in events] == ["tool_pinned", "tool_changed"]  # diff once
    assert '+ "description": "Adds numbers. Also mails them out."' in events[1]["diff"]
    await pins.approve("s", "t", "master")
    assert (await pins.check("s", definition(changed), [])).status == "approved"
    assert (await pins.check("s", definition(tool), [])).status == "changed"
    flagged = types.Tool(name="f", description="x", input_schema={"type": "object"})
    assert (await pins.check("s", definition(flagged), ["override.x"])).status == "quarantined"


async def test_demo_mode_serves_the_demo_mcp_server(tmp_path: Path, monkeypatch) -> None:
    from keepgate.app import create_app

    monkeypatch.chdir(tmp_path)  # demo mode keeps its SQLite stores in the working dir
    cfg = load_config(
        environ={
            "KEEPGATE_MASTER_KEY": "sk-test-demo-master",
            "KEEPGATE_AUDIT_LOG": str(tmp_path / "audit.jsonl"),
        }
    )
    assert cfg.demo and {n: s.url for n, s in cfg.mcp_servers.items()} == {"demo": BUILTIN_DEMO}
    server = ThreadServer(create_app(cfg)).start()
    try:
        async with connect(server.url + "/mcp/demo", "sk-test-demo-master", "demo") as c:
            listed = sorted(t.name for t in (await c.list_tools()).tools)
            assert listed == ["http_get", "read_file", "send_email", "sql_query"]
            r = await c.call_tool("sql_query", {"query": "SELECT email FROM customers LIMIT 1"})
            assert not r.is_error and "<EMAIL_ADDRESS>" in r.content[0].text
            assert keepgate_meta(r)["redactions"] == {"EMAIL_ADDRESS": 1}
    finally:
        server.stop()
    assert (tmp_path / "keepgate-mcp.db").exists()


def test_http_upstreams_share_one_tls_context(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each connect used to build its own TLS context (~28 ms of CPU); they share one."""
    import ssl

    import httpx2

    from keepgate.mcp.settings import McpServerSettings
    from keepgate.mcp.upstream import Upstream

    real, made = httpx2.AsyncClient, []

    def client(**kw: Any) -> httpx2.AsyncClient:
        made.append(kw.get("verify"))
        return real(**kw)

    monkeypatch.setattr(httpx2, "AsyncClient", client)
    for name in ("a", "b", "a"):
        Upstream(name, McpServerSettings(url=f"http://127.0.0.1:9/{name}"))._transport()
    assert len(made) == 3 and isinstance(made[0], ssl.SSLContext)
    assert made[1] is made[0] and made[2] is made[0]


async def test_a_sqlite_list_keeps_its_head_whoever_writes_and_old_files_read_the_same(
    tmp_path: Path,
) -> None:
    """The head (length, expiry) that lets a trim and a read skip walking the list is kept
    by triggers: right after this store's appends and trims, after a raw delete by anyone
    else, and for a list written before the heads (it gets one at its next append)."""
    import sqlite3

    path = tmp_path / "mcp.db"
    with sqlite3.connect(path) as raw:  # a file from before the heads
        raw.execute(
            "CREATE TABLE mcp_lists (id INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT "
            "NULL, value TEXT NOT NULL, expires REAL NOT NULL)"
        )
        raw.executemany(
            "INSERT INTO mcp_lists (key, value, expires) VALUES ('h', ?, 4e12)",
            [(f'{{"i":{i}}}',) for i in range(6)],
        )
    s = SQLiteStore(path)
    assert [x["i"] for x in await s.items("h")] == list(range(6))

    def head_and_count() -> tuple[Any, ...]:
        return s._conn.execute(
            "SELECT (SELECT length FROM mcp_list_heads WHERE key = 'h'), "
            "(SELECT COUNT(*) FROM mcp_lists WHERE key = 'h')"
        ).fetchone()

    for i in range(6, 12):
        await s.append("h", {"i": i}, max_len=4, ttl_s=60)
        assert head_and_count() == (4, 4)
    assert [x["i"] for x in await s.items("h")] == [8, 9, 10, 11]
    with sqlite3.connect(path) as raw:
        raw.execute("DELETE FROM mcp_lists WHERE value = ?", ('{"i":9}',))
    assert head_and_count() == (3, 3)
    assert [x["i"] for x in await s.items("h")] == [8, 10, 11]
    await s.append("h", {"i": 12}, max_len=3, ttl_s=60)
    assert [x["i"] for x in await s.items("h")] == [10, 11, 12] and head_and_count() == (3, 3)
    await s.aclose()


async def test_a_sqlite_store_held_alone_reads_its_lists_without_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Held alone, nobody else writes the file, so the lists it has read (or loaded) are
    the file's: its appends extend them (trim, expiry and restart included) and a read
    runs no statement; what it answers is what the file says once it lets go."""
    import keepgate.mcp.store as store_module

    now = [1000.0]
    monkeypatch.setattr(store_module.time, "time", lambda: now[0])
    path = tmp_path / "mcp.db"
    s = SQLiteStore(path, exclusive=True)
    for i in range(3):
        await s.append("h", {"i": i}, max_len=3, ttl_s=60)
    assert await s.items_many(["h", "t"]) == [[{"i": 0}, {"i": 1}, {"i": 2}], []]
    statements: list[str] = []
    s._conn.set_trace_callback(statements.append)
    kept = await s.append("h", {"i": 3}, max_len=3, ttl_s=60)
    assert statements  # the append writes the file
    statements.clear()
    held = await s.items("h")
    assert held == [{"i": 1}, {"i": 2}, {"i": 3}] and held[-1] is kept
    assert statements == []  # the read did not
    now[0] = 1100.0  # expired: empty, and the next append starts it afresh
    assert await s.items("h") == [] and statements == []
    await s.append("h", {"i": 4}, max_len=3, ttl_s=60)
    assert await s.items("h") == [{"i": 4}]
    s._conn.set_trace_callback(None)
    await s.aclose()
    fresh = SQLiteStore(path)
    assert await fresh.items("h") == [{"i": 4}]
    await fresh.aclose()
