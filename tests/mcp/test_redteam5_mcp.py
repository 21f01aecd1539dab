"""Red team round 5 (2026-12-07): MCP floods, through the gateway with the official MCP
client over real HTTP, against a hostile upstream (the SDK's low-level server).

- A tools/list of thousands of tools: every definition was scanned and pinned; 5,000 held
  the caller 17 s and the event loop up to 1 s at load 11 (20,000: past the client's 60 s).
  Now `mcp_servers.<name>.max_tools` (default 1,000): a longer listing is an upstream
  protocol error and none of its tools is offered.
- An answer of any size through the SDK client (tools/list always, tools/call when the
  fast lane is off or the server speaks an older protocol) was read whole; the lane had a
  fixed 64 MiB. Now `mcp_servers.<name>.max_answer_bytes` (default 64 MiB) on both.
- PII split across a result's text blocks (`123-45-` | `6789`): each block was scrubbed
  alone, and a host's model reads them one after the other.
- The lane's event-stream reader joined the unfinished line at every read: one long line
  (a big result) in 64 KiB reads cost 30 s of CPU on the event loop for 62 MiB.
"""

from __future__ import annotations

import tracemalloc
from collections.abc import Iterator
from typing import Any

import mcp_types as types
import pytest
from mcp import MCPError
from mcp.server.lowlevel import Server
from mcp.server.transport_security import TransportSecuritySettings

from keepgate.mcp.wire import SseReader
from tests.mcp.conftest import KEYS, connect, keepgate_meta, mcp_config, start_gateway
from tests.servers import ThreadServer

pytestmark = pytest.mark.slow

OBJ: dict[str, Any] = {"type": "object", "properties": {"n": {"type": "integer"}}}
LIMIT = 1024 * 1024
SPLIT = ["Her SSN is 123-45-", "6789; mail jane.doe@", "example.com today."]


class Flood:
    """Lists `n_tools` tools; `search` answers `n` characters."""

    def __init__(self) -> None:
        self.n_tools = 3

    def server(self) -> Server:
        async def list_tools(ctx: Any, params: Any) -> types.ListToolsResult:
            names = ["search", "read_file", *(f"t{i}" for i in range(self.n_tools - 2))]
            tools = [
                types.Tool(
                    name=name,
                    description="Look up a record.",
                    input_schema=OBJ,
                    annotations=types.ToolAnnotations(read_only_hint=True),
                )
                for name in names
            ]
            return types.ListToolsResult(tools=tools)

        async def call_tool(ctx: Any, params: types.CallToolRequestParams) -> types.CallToolResult:
            n = int((params.arguments or {}).get("n", 10))
            if n < 0:  # PII split across text blocks
                return types.CallToolResult(content=[types.TextContent(text=t) for t in SPLIT])
            return types.CallToolResult(content=[types.TextContent(text="word " * (n // 5))])

        async def list_prompts(ctx: Any, params: Any) -> types.ListPromptsResult:
            return types.ListPromptsResult(
                prompts=[types.Prompt(name=n) for n in ("split", "roles", "apart")]
            )

        async def get_prompt(ctx: Any, params: types.GetPromptRequestParams) -> Any:
            # split: one role, PII across messages; roles: the same text, the roles
            # alternating (not joined: documented); apart: two messages without split PII.
            texts = ["Plan the week.", "Then rest."] if params.name == "apart" else SPLIT
            roles = ["user", "assistant", "user"] if params.name == "roles" else ["user"] * 3
            return types.GetPromptResult(
                description="A prompt.",
                messages=[
                    types.PromptMessage(role=r, content=types.TextContent(text=t))  # type: ignore[arg-type]
                    for r, t in zip(roles, texts)
                ],
            )

        server = Server(
            "flood",
            version="1",
            on_list_tools=list_tools,
            on_call_tool=call_tool,
            on_list_prompts=list_prompts,
            on_get_prompt=get_prompt,
        )
        server.middleware = []
        return server


@pytest.fixture(scope="module")
def flood() -> Flood:
    return Flood()


@pytest.fixture(scope="module")
def gw(fake_model_url, demo_upstream, lab, flood, tmp_path_factory) -> Iterator[Any]:
    upstreams = [
        ThreadServer(
            flood.server().streamable_http_app(
                json_response=json_response,
                stateless_http=True,
                transport_security=TransportSecuritySettings(enable_dns_rebinding_protection=False),
            )
        ).start()
        for json_response in (True, False)
    ]
    json_url, sse_url = (u.url + "/mcp" for u in upstreams)
    servers = {
        # The fast lane (a JSON answer, an event stream) and the SDK client.
        "lane": {"url": json_url, "max_answer_bytes": LIMIT},
        "lanesse": {"url": sse_url, "max_answer_bytes": LIMIT},
        "sdk": {"url": json_url, "max_answer_bytes": LIMIT, "fast_calls": False},
        "flood": {"url": json_url, "list_ttl_s": 0},
    }
    gateway = start_gateway(
        fake_model_url,
        tmp_path_factory.mktemp("flood"),
        mcp_config(demo_upstream.url, lab[1].url, mcp_servers=servers),
    )
    yield gateway
    gateway.stop()
    for u in upstreams:
        u.stop()


@pytest.mark.parametrize("server", ["lane", "lanesse", "sdk"])
async def test_an_answer_past_max_answer_bytes_is_an_upstream_error(gw: Any, server: str) -> None:
    async with connect(gw.url + "/mcp", KEYS["dev"]) as client:
        small = await client.call_tool(f"{server}__search", {"n": 1000})
        assert not small.is_error
        big = await client.call_tool(f"{server}__search", {"n": 2 * LIMIT})
    assert big.is_error
    meta = keepgate_meta(big)
    assert meta["code"] == "upstream_error", meta
    assert meta["rule"] in ("mcp.upstream_protocol", "mcp.upstream_closed"), meta


async def test_a_long_answer_under_the_bound_is_cut_not_refused(gw: Any) -> None:
    """The default bound (64 MiB) lets a 3 MB result through, cut at max_result_chars."""
    async with connect(gw.url + "/mcp", KEYS["dev"]) as client:
        r = await client.call_tool("flood__search", {"n": 3_000_000})
    assert not r.is_error
    assert keepgate_meta(r).get("truncated") is True


async def test_a_listing_past_max_tools_offers_none_of_its_tools(gw: Any, flood: Flood) -> None:
    flood.n_tools = 1001  # the default max_tools is 1,000
    try:
        async with connect(gw.url + "/mcp", KEYS["dev"]) as client:
            listed = {t.name for t in (await client.list_tools()).tools}
        async with connect(gw.url + "/mcp/flood", KEYS["dev"]) as client:
            with pytest.raises(MCPError):
                await client.list_tools()
    finally:
        flood.n_tools = 3
    assert "lab__get_weather" in listed  # the other servers are still listed
    assert not any(name.startswith("flood__") for name in listed)
    async with connect(gw.url + "/mcp", KEYS["dev"]) as client:
        again = {t.name for t in (await client.list_tools()).tools}
    assert "flood__search" in again  # back under the bound: listed again


def test_the_lane_reader_does_not_copy_a_long_line_at_every_read() -> None:
    """A 16 MiB line in 64 KiB reads: the reader holds the pieces (a list of references),
    it does not build a new 16 MiB string per read (peak memory would be 2 x the line)."""
    piece = b"x" * 65536
    reader = SseReader(1, 64 * LIMIT)
    tracemalloc.start()
    try:
        reader(b'data: {"jsonrpc": "2.0", "id": 1, "result": {"content": [], "x": "')
        for _ in range(256):
            assert reader(piece) is None
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4 * LIMIT
    found = reader(b'"}}\n\n')
    assert found is not None and len(found["result"]["x"]) == 256 * 65536


async def test_pii_split_across_text_blocks_is_scrubbed(gw: Any) -> None:
    async with connect(gw.url + "/mcp", KEYS["dev"]) as client:
        r = await client.call_tool("flood__search", {"n": -1})
    assert not r.is_error
    joined = "".join(b.text for b in r.content if isinstance(b, types.TextContent))
    assert "6789" not in joined and "example.com" not in joined, joined
    assert "Her SSN is" in joined and "today." in joined  # the rest of the text is kept
    assert keepgate_meta(r)["redactions"]


async def test_text_blocks_without_split_pii_stay_apart(gw: Any) -> None:
    """Results of several blocks are kept as they are when no block boundary hides PII."""
    async with connect(gw.url + "/mcp", KEYS["dev"]) as client:
        r = await client.call_tool("lab__search", {"query": "x"})
        plain = await client.call_tool("flood__search", {"n": 1000})
    assert not r.is_error and not plain.is_error
    assert len(plain.content) == 1


async def test_pii_split_across_prompt_messages_of_one_role_is_scrubbed(gw: Any) -> None:
    """Red team round 5b: prompts/get scrubbed one message at a time, so an SSN or an
    e-mail cut between two messages passed. Consecutive text messages of one role are
    scrubbed as one text; a run whose join scrubs otherwise becomes its first message."""
    async with connect(gw.url + "/mcp/flood", KEYS["dev"]) as client:
        got = await client.get_prompt("split", {})
    texts = [m.content.text for m in got.messages if isinstance(m.content, types.TextContent)]
    joined = "".join(texts)
    assert "6789" not in joined and "example.com" not in joined, texts
    assert joined.startswith("Her SSN is") and joined.endswith("today.")
    assert [m.role for m in got.messages] == ["user"]
    assert got.description == "A prompt."
    assert keepgate_meta(got)["redactions"]


async def test_prompt_messages_without_split_pii_stay_apart(gw: Any) -> None:
    async with connect(gw.url + "/mcp/flood", KEYS["dev"]) as client:
        got = await client.get_prompt("apart", {})
    assert [m.content.text for m in got.messages] == ["Plan the week.", "Then rest."]  # type: ignore[union-attr]


async def test_a_run_of_prompt_messages_never_crosses_roles(gw: Any) -> None:
    """Left (docs/mcp.md): a join across roles would move one role's words into another's
    message, so messages of alternating roles keep their roles and are scrubbed one at a
    time; the part of a split value inside one message is all that is seen."""
    async with connect(gw.url + "/mcp/flood", KEYS["dev"]) as client:
        got = await client.get_prompt("roles", {})
    assert [m.role for m in got.messages] == ["user", "assistant", "user"]
