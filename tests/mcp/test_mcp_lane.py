"""The fast lane for `tools/call` (keepgate.mcp.wire): what the upstream receives, the
answers it may give (JSON, an event stream, a JSON-RPC error, garbage) and the switch
back to the SDK client. The upstream is the SDK's own low-level `Server` behind a
recorder, so a request the lane got wrong is refused by the SDK itself."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

import mcp_types as types
import pytest
from mcp import MCPError
from mcp.server.lowlevel import Server
from mcp.server.transport_security import TransportSecuritySettings
from mcp_types.jsonrpc import INVALID_PARAMS

from keepgate.mcp.api import McpService
from tests.clock import CuedDeadline
from tests.mcp.conftest import KEYS, connect, keepgate_meta, start_gateway
from tests.servers import ThreadServer

pytestmark = pytest.mark.slow

#: `tenant` is mirrored into an `Mcp-Param-Tenant` header (2026-07-28 x-mcp-header): the
#: SDK server refuses a call whose header is missing or differs from the argument.
LOOKUP_SCHEMA = {
    "type": "object",
    "required": ["tenant", "query"],
    "additionalProperties": False,
    "properties": {
        "tenant": {"type": "string", "x-mcp-header": "Tenant"},
        "query": {"type": "string"},
    },
}


#: Set by a test to let the `stall` tool answer (it otherwise waits for good).
RELEASE = threading.Event()
#: Called when a `stall` call arrives (a test's hook; the upstream runs in another thread).
ON_STALL: list[Callable[[], None]] = []


def lane_server() -> Server:
    # Read-only tools (MCP's readOnlyHint): the tool policy's provenance rules hold
    # side effects after untrusted output for approval; these tests are about transport.
    ro = types.ToolAnnotations(read_only_hint=True)

    async def list_tools(ctx: Any, params: Any) -> types.ListToolsResult:
        return types.ListToolsResult(
            tools=[
                types.Tool(
                    name="lookup",
                    description="Look a record up for a tenant.",
                    input_schema=LOOKUP_SCHEMA,
                    annotations=ro,
                ),
                types.Tool(
                    name="chatty",
                    description="Answer after a progress note.",
                    input_schema={"type": "object", "properties": {}},
                    annotations=ro,
                ),
                types.Tool(
                    name="broken",
                    description="Always fails.",
                    input_schema={"type": "object", "properties": {}},
                    annotations=ro,
                ),
                types.Tool(
                    name="stall",
                    description="Never answers (until released).",
                    input_schema={"type": "object", "properties": {}},
                    annotations=ro,
                ),
            ]
        )

    async def call_tool(ctx: Any, params: types.CallToolRequestParams) -> types.CallToolResult:
        args = params.arguments or {}
        if params.name == "lookup":
            return types.CallToolResult(
                content=[types.TextContent(text=f"{args['tenant']}: record for {args['query']}")]
            )
        if params.name == "chatty":
            # A notification first commits the answer to text/event-stream.
            await ctx.session.send_notification(
                types.LoggingMessageNotification(
                    params=types.LoggingMessageNotificationParams(level="info", data="working")
                ),
                related_request_id=ctx.request_id,
            )
            return types.CallToolResult(content=[types.TextContent(text="done after a note")])
        if params.name == "stall":
            for hook in ON_STALL:
                hook()
            while not RELEASE.is_set():
                await asyncio.sleep(0.05)
            return types.CallToolResult(content=[types.TextContent(text="released")])
        raise MCPError(INVALID_PARAMS, "the broken tool refuses every call")

    server = Server("lane", on_list_tools=list_tools, on_call_tool=call_tool)
    server.middleware = []
    return server


class Recorder:
    """ASGI wrapper: records every POST (headers, JSON body); `garbage` answers tools/call
    itself instead of passing it on: "html" (a 200 HTML page) or "502" (a proxy's JSON
    error that is not JSON-RPC)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.posts: list[tuple[dict[str, str], dict[str, Any]]] = []
        self.garbage: str | None = None
        self._lock = threading.Lock()

    def calls(self) -> list[tuple[dict[str, str], dict[str, Any]]]:
        with self._lock:
            return [(h, b) for h, b in self.posts if b.get("method") == "tools/call"]

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        chunks, more = [], True
        while more:
            msg = await receive()
            chunks.append(msg.get("body", b""))
            more = msg.get("more_body", False)
        raw = b"".join(chunks)
        body = json.loads(raw) if raw else {}
        headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
        with self._lock:
            self.posts.append((headers, body))
        if self.garbage and body.get("method") == "tools/call":
            html = self.garbage == "html"
            page = b"<html>upstream proxy error</html>" if html else b'{"detail": "bad gateway"}'
            await send(
                {
                    "type": "http.response.start",
                    "status": 200 if html else 502,
                    "headers": [
                        (b"content-type", b"text/html" if html else b"application/json"),
                        (b"content-length", str(len(page)).encode()),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": page})
            return
        sent = False

        async def replay() -> Any:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": raw, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


@pytest.fixture(scope="module")
def lane_upstream() -> Iterator[tuple[Recorder, ThreadServer]]:
    app = lane_server().streamable_http_app(
        json_response=False,
        stateless_http=True,  # SSE allowed: `chatty` streams
        transport_security=TransportSecuritySettings(enable_dns_rebinding_protection=False),
    )
    rec = Recorder(app)
    server = ThreadServer(rec).start()
    yield rec, server
    server.stop()


def _gateway(fake_model_url: str, tmp: Any, url: str, **server: Any) -> Any:
    return start_gateway(
        fake_model_url,
        tmp,
        {
            "keys": [{"key_id": "dev", "key": KEYS["dev"], "role": "admin"}],
            "guards": {"policy": {"enabled": True}},
            "mcp_servers": {"lane": {"url": url + "/mcp", "timeout_s": 30, **server}},
            "mcp": {"store": {"backend": "memory"}},
        },
    )


async def test_a_call_is_one_post_with_the_protocols_headers_and_meta(
    fake_model_url, tmp_path, lane_upstream
) -> None:
    rec, upstream = lane_upstream
    gw = _gateway(fake_model_url, tmp_path, upstream.url)
    try:
        before = len(rec.calls())
        async with connect(gw.url + "/mcp/lane", KEYS["dev"]) as c:
            out = await c.call_tool("lookup", {"tenant": "acme", "query": "invoice 7"})
        assert not out.is_error, out.content[0].text
        assert out.content[0].text == "acme: record for invoice 7"
    finally:
        gw.stop()
    calls = rec.calls()[before:]
    assert len(calls) == 1  # one POST, no retry, no handshake per call
    headers, body = calls[0]
    assert "(mcp lane)" in headers["user-agent"]  # the lane, not the SDK's httpx2 client
    assert headers["mcp-method"] == "tools/call" and headers["mcp-name"] == "lookup"
    assert headers["mcp-param-tenant"] == "acme"
    assert headers["mcp-protocol-version"] == "2026-07-28"
    meta = body["params"]["_meta"]
    assert meta["io.modelcontextprotocol/protocolVersion"] == "2026-07-28"
    assert meta["io.modelcontextprotocol/clientInfo"]["name"] == "keepgate"
    assert body["params"]["arguments"] == {"tenant": "acme", "query": "invoice 7"}
    assert "authorization" not in headers  # the client's Keepgate key stays at the gateway


async def test_an_event_stream_answer_and_a_jsonrpc_error_reach_the_client_clearly(
    fake_model_url, tmp_path, lane_upstream
) -> None:
    rec, upstream = lane_upstream
    gw = _gateway(fake_model_url, tmp_path, upstream.url)
    try:
        async with connect(gw.url + "/mcp/lane", KEYS["dev"]) as c:
            streamed = await asyncio.wait_for(c.call_tool("chatty", {}), 60)
            assert not streamed.is_error and streamed.content[0].text == "done after a note"
            failed = await asyncio.wait_for(c.call_tool("broken", {}), 60)
            assert failed.is_error and keepgate_meta(failed)["code"] == "upstream_error"
            assert "refuses every call" in failed.content[0].text
            # A JSON-RPC error is an answer: the connection is kept, the next call works.
            ok = await c.call_tool("lookup", {"tenant": "t1", "query": "q"})
            assert not ok.is_error
    finally:
        gw.stop()
    assert all("(mcp lane)" in h["user-agent"] for h, _ in rec.calls()[-3:])


@pytest.mark.parametrize("garbage,said", [("html", "text/html"), ("502", "HTTP 502")])
async def test_an_answer_outside_the_protocol_is_an_upstream_error_then_recovers(
    fake_model_url, tmp_path, lane_upstream, garbage: str, said: str
) -> None:
    rec, upstream = lane_upstream
    gw = _gateway(fake_model_url, tmp_path, upstream.url)
    try:
        async with connect(gw.url + "/mcp/lane", KEYS["dev"]) as c:
            assert not (await c.call_tool("lookup", {"tenant": "a", "query": "b"})).is_error
            rec.garbage = garbage
            try:
                bad = await asyncio.wait_for(
                    c.call_tool("lookup", {"tenant": "a", "query": "b"}), 60
                )
            finally:
                rec.garbage = None
            assert bad.is_error and keepgate_meta(bad)["code"] == "upstream_error"
            assert keepgate_meta(bad)["kind"] == "protocol"
            assert said in bad.content[0].text
            again = await asyncio.wait_for(c.call_tool("lookup", {"tenant": "a", "query": "c"}), 60)
            assert not again.is_error, again.content[0].text
    finally:
        gw.stop()
    audited = [r for r in gw.audit_lines() if r.get("mcp_method") == "tools/call"]
    assert [r["verdicts"][-1]["rule"] for r in audited if r.get("verdicts")].count(
        "mcp.upstream_protocol"
    ) == 1


async def test_fast_calls_false_sends_every_call_through_the_sdk_client(
    fake_model_url, tmp_path, lane_upstream
) -> None:
    rec, upstream = lane_upstream
    gw = _gateway(fake_model_url, tmp_path, upstream.url, fast_calls=False)
    try:
        before = len(rec.calls())
        async with connect(gw.url + "/mcp/lane", KEYS["dev"]) as c:
            out = await c.call_tool("lookup", {"tenant": "acme", "query": "x"})
            streamed = await asyncio.wait_for(c.call_tool("chatty", {}), 60)
        assert not out.is_error and out.content[0].text == "acme: record for x"
        assert not streamed.is_error
    finally:
        gw.stop()
    calls = rec.calls()[before:]
    assert len(calls) == 2 and all("httpx2" in h["user-agent"] for h, _ in calls)
    assert calls[0][0]["mcp-param-tenant"] == "acme"


async def test_an_upstream_that_stops_answering_is_a_timeout_not_a_hang(
    fake_model_url, tmp_path, lane_upstream
) -> None:
    """The stalled call's deadline expires as soon as the upstream has the call (the lane's
    deadline seam), so the test does not wait a timeout out; the configured one is a
    bound, generous for the call after it on a loaded box."""
    rec, upstream = lane_upstream
    gw = _gateway(fake_model_url, tmp_path, upstream.url, timeout_s=60)
    lane = gw.app.state.keepgate.services.get(McpService).gw.upstreams["lane"]
    deadline = CuedDeadline()  # the stalled call expires once the upstream has it
    ON_STALL.append(deadline.cue)
    lane.lane_deadline = deadline
    RELEASE.clear()
    try:
        async with connect(gw.url + "/mcp/lane", KEYS["dev"]) as c:
            stuck = await asyncio.wait_for(c.call_tool("stall", {}), 60)
            assert stuck.is_error and keepgate_meta(stuck)["code"] == "upstream_error"
            assert keepgate_meta(stuck)["kind"] == "timeout"
            # The connection was dropped; the next call re-establishes it.
            ok = await asyncio.wait_for(c.call_tool("lookup", {"tenant": "a", "query": "z"}), 60)
            assert not ok.is_error, ok.content[0].text
        assert deadline.seen == [60, 60]  # both calls went through the lane, under timeout_s
    finally:
        ON_STALL.clear()
        RELEASE.set()
        gw.stop()


async def test_behind_an_http_proxy_the_lane_goes_through_it(
    fake_model_url, tmp_path, lane_upstream, monkeypatch
) -> None:
    """HTTP_PROXY set: the lane's POST reaches the upstream through the proxy (aiohttp),
    not on its own connections. The proxy pipes bytes both ways and records request lines."""
    rec, upstream = lane_upstream
    seen: list[bytes] = []

    async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except ConnectionError:
            pass
        finally:
            writer.close()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        line = head.split(b"\r\n", 1)[0]
        seen.append(head)  # the first request of each connection (the rest are piped)
        target = urlsplit(line.split(b" ")[1].decode())  # absolute-form: where to go
        up_reader, up_writer = await asyncio.open_connection(target.hostname, target.port)
        up_writer.write(head)  # absolute-form request lines: servers must accept them
        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))

    proxy = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = proxy.sockets[0].getsockname()[1]
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("NO_PROXY", "")
    gw = _gateway(fake_model_url, tmp_path, upstream.url)
    try:
        before = len(rec.calls())
        async with connect(gw.url + "/mcp/lane", KEYS["dev"]) as c:
            out = await c.call_tool("lookup", {"tenant": "acme", "query": "via proxy"})
        assert not out.is_error and out.content[0].text == "acme: record for via proxy"
    finally:
        gw.stop()
        proxy.close()
    calls = rec.calls()[before:]
    assert len(calls) == 1 and "(mcp lane)" in calls[0][0]["user-agent"]
    # The lane's own connection to the proxy opened with the call (aiohttp, not httpx2).
    assert any(
        h.startswith(b"POST " + upstream.url.encode() + b"/mcp ") and b"(mcp lane)" in h
        for h in seen
    )
