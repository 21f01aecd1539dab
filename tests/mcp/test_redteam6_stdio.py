"""Red team round 6b (2026-12-07): a stdio MCP upstream had no bound on its answers. The
SDK's stdio reader joined `buffer + chunk` per read of an open line, so a server writing
one line without end cost quadratic time and unbounded memory until `timeout_s`.

Now Keepgate's stdio transport (`keepgate.mcp.stdio`) reads stdout in pieces and ends the
connection when a line passes `max_answer_bytes`: the server's process group is killed
and reaped, and the caller gets a clear upstream error. A real stdio server (the official
`mcp` SDK) floods; the bound is asserted on the bytes the server managed to write, never
on time."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest

from keepgate.mcp.api import McpService
from keepgate.mcp.stdio import LineSplitter, LineTooLong
from tests.mcp.conftest import KEYS, connect, keepgate_meta

pytestmark = pytest.mark.slow(cpu_s=2.5)  # scheduled first: tests/conftest.py

LIMIT = 64 * 1024


def _reaped(pid: int) -> bool:
    """No process `pid` (a zombie not yet reaped still has a /proc entry)."""
    return not Path(f"/proc/{pid}").exists()


async def test_a_stdio_line_past_max_answer_bytes_ends_the_call_and_the_server(
    fake_model_url: str, tmp_path: Path
) -> None:
    from tests.mcp.conftest import start_gateway

    log = tmp_path / "flood.log"
    script = Path(__file__).with_name("flood_server.py")
    server = {
        "command": sys.executable,
        "args": [str(script)],
        "env": {"KG_FLOOD_LOG": str(log)},
        "timeout_s": 120,
        "max_answer_bytes": LIMIT,
    }
    gw = start_gateway(
        fake_model_url,
        tmp_path,
        {
            "keys": [{"key_id": "dev", "key": KEYS["dev"], "role": "admin"}],
            "guards": {"policy": {"enabled": True}},
            "mcp_servers": {"flood": server},
            "mcp": {"store": {"backend": "memory"}},
        },
    )
    try:
        async with connect(gw.url + "/mcp/flood", KEYS["dev"]) as c:
            assert sorted(t.name for t in (await c.list_tools()).tools) == ["echo", "flood"]
            pid = int(log.read_text().split()[0])
            flooded = await asyncio.wait_for(c.call_tool("flood", {"query": "x"}), 300)
            assert flooded.is_error and keepgate_meta(flooded)["code"] == "upstream_error"
            text = flooded.content[0].text
            assert f"more than {LIMIT} bytes" in text, text
            # The server was killed and reaped before the error was answered.
            assert _reaped(pid)
            written = int(log.read_text().split()[1])
            # What the server got written: the bound, one read and a pipe's worth (Linux:
            # at most 1 MiB) past it, and one piece in flight; the flood never ends.
            assert written <= LIMIT + 2 * 1024 * 1024, written
            service = gw.app.state.keepgate.services.get(McpService)
            stdio = service.gw.upstreams["flood"].stdio
            assert stdio.over and stdio.bytes_read <= LIMIT + 256 * 1024
            # The next call starts the server again.
            again = await asyncio.wait_for(c.call_tool("echo", {"text": "again"}), 120)
            assert not again.is_error and again.content[0].text == "again"
            assert int(log.read_text().split()[0]) != pid
    finally:
        gw.stop()


def test_the_line_splitter_joins_lines_across_pieces_and_refuses_past_the_bound() -> None:
    lines = LineSplitter(10)
    assert lines.feed(b'{"a"') == []
    assert lines.feed(b": 1}\n{}\n{") == [b'{"a": 1}', b"{}"]
    assert lines.feed(b"}\n") == [b"{}"]
    assert lines.feed(b"0123456789\n") == [b"0123456789"]  # exactly the bound
    with pytest.raises(LineTooLong):
        lines.feed(b"0123456789a")  # an open line past it, before any newline
    with pytest.raises(LineTooLong):
        LineSplitter(10).feed(b"01234" * 3 + b"\n")
