"""Red team round 6 (2026-12-07): a legacy-SSE MCP upstream had no `max_answer_bytes`.

Round 5 capped the Streamable HTTP transports (the fast lane and the SDK client's HTTP
client); the legacy SSE transport (`transport: sse`) built its own HTTP client, so one
event of any size was read into memory. Its event stream is held open for the whole
session, so the cap is per event: bytes since the last blank line.

The upstream is a real legacy-SSE MCP server (the official SDK's low-level `Server`
behind its `SseServerTransport`); the official MCP client talks to the gateway."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import mcp_types as types
import pytest
from mcp.server.lowlevel import Server
from mcp.server.sse import SseServerTransport
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route

from tests.mcp.conftest import KEYS, connect, keepgate_meta, mcp_config, start_gateway
from tests.servers import ThreadServer

pytestmark = pytest.mark.slow(cpu_s=2.3)  # scheduled first: tests/conftest.py

LIMIT = 256 * 1024
OBJ: dict[str, Any] = {"type": "object", "properties": {"n": {"type": "integer"}}}


def server() -> Server:
    async def list_tools(ctx: Any, params: Any) -> types.ListToolsResult:
        tool = types.Tool(
            name="search",
            description="Look up a record.",
            input_schema=OBJ,
            annotations=types.ToolAnnotations(read_only_hint=True),
        )
        return types.ListToolsResult(tools=[tool])

    async def call_tool(ctx: Any, params: types.CallToolRequestParams) -> types.CallToolResult:
        n = int((params.arguments or {}).get("n", 10))
        return types.CallToolResult(content=[types.TextContent(text="word " * (n // 5))])

    s = Server("legacy", version="1", on_list_tools=list_tools, on_call_tool=call_tool)
    s.middleware = []
    return s


def app() -> Starlette:
    mcp = server()
    sse = SseServerTransport("/messages/")

    async def handle_sse(request: Request) -> Response:
        async with sse.connect_sse(request.scope, request.receive, request._send) as (r, w):
            await mcp.run(r, w, mcp.create_initialization_options())
        return Response()

    return Starlette(
        routes=[
            Route("/sse", handle_sse, methods=["GET"]),
            Mount("/messages/", app=sse.handle_post_message),
        ]
    )


@pytest.fixture(scope="module")
def gw(fake_model_url, demo_upstream, lab, tmp_path_factory) -> Iterator[Any]:
    upstream = ThreadServer(app()).start()
    servers = {
        "legacy": {"url": upstream.url + "/sse", "transport": "sse", "max_answer_bytes": LIMIT}
    }
    gateway = start_gateway(
        fake_model_url,
        tmp_path_factory.mktemp("legacy"),
        mcp_config(demo_upstream.url, lab[1].url, mcp_servers=servers),
    )
    yield gateway
    gateway.stop()
    upstream.stop()


async def test_an_sse_answer_past_max_answer_bytes_is_an_upstream_error(gw: Any) -> None:
    async with connect(gw.url + "/mcp", KEYS["dev"]) as client:
        small = await client.call_tool("legacy__search", {"n": 1000})
        assert not small.is_error
        # Under the SDK's own cap on one event (1 MiB, whatever max_answer_bytes says).
        big = await client.call_tool("legacy__search", {"n": 2 * LIMIT})
    assert big.is_error
    meta = keepgate_meta(big)
    assert meta["code"] == "upstream_error", meta
    assert meta["rule"] in ("mcp.upstream_protocol", "mcp.upstream_closed"), meta


async def test_many_answers_under_the_bound_pass_on_one_held_open_stream(gw: Any) -> None:
    """The cap is per event: answers that add up past it on the one stream all pass."""
    async with connect(gw.url + "/mcp", KEYS["dev"]) as client:
        for _ in range(6):
            r = await client.call_tool("legacy__search", {"n": LIMIT // 2})
            assert not r.is_error, keepgate_meta(r)
