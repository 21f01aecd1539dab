"""Red team round 6 (2026-12-07): PII split across MCP resource blocks.

Round 5 scrubbed a tool result's consecutive text blocks as one text; an embedded text
resource was still scrubbed alone, so an SSN or an e-mail cut between a text block and a
resource, or between two resources, passed (`123-45-` | `6789`); resources/read scrubbed
each contents item alone too. Now embedded text resources join the runs (a run holding a
resource keeps its positions: the first block holds the joined text, the others are
emptied, every URI stays), and resources/read joins its contents the same way.

The upstream is a real MCP server (the official SDK's low-level `Server` over Streamable
HTTP); the official MCP client talks to the gateway over real HTTP."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import mcp_types as types
import pytest
from mcp.server.lowlevel import Server
from mcp.server.transport_security import TransportSecuritySettings

from tests.mcp.conftest import KEYS, connect, keepgate_meta, mcp_config, start_gateway
from tests.servers import ThreadServer

SPLIT = ["Her SSN is 123-45-", "6789; mail jane.doe@", "example.com today."]
OBJ: dict[str, Any] = {"type": "object", "properties": {"kind": {"type": "string"}}}


def _res(i: int, text: str) -> types.TextResourceContents:
    return types.TextResourceContents(uri=f"file:///part{i}", text=text)


#: Bytes that are no text (a PNG's signature and binary).
BLOB = base64.b64encode(b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe\x00\x01").decode()

#: Tool results: the split text in a text block then resources, in resources only, and
#: a result whose resources hold no split value (left as they are).
RESULTS: dict[str, list[Any]] = {
    "mixed": [
        types.TextContent(text=SPLIT[0]),
        types.EmbeddedResource(resource=_res(1, SPLIT[1])),
        types.TextContent(text=SPLIT[2]),
    ],
    "resources": [types.EmbeddedResource(resource=_res(i, t)) for i, t in enumerate(SPLIT)],
    # Red team 7: binary blocks (a blob resource, an image) between the text blocks.
    "blob": [
        types.TextContent(text=SPLIT[0]),
        types.EmbeddedResource(resource=types.BlobResourceContents(uri="file:///b", blob=BLOB)),
        types.EmbeddedResource(resource=_res(1, SPLIT[1])),
        types.ImageContent(data=BLOB, mime_type="image/png"),
        types.TextContent(text=SPLIT[2]),
    ],
    "apart": [
        types.TextContent(text="Plan the week."),
        types.EmbeddedResource(resource=_res(1, "Then rest.")),
    ],
}


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
        return types.CallToolResult(content=RESULTS[(params.arguments or {})["kind"]])

    async def list_resources(ctx: Any, params: Any) -> types.ListResourcesResult:
        return types.ListResourcesResult(resources=[types.Resource(uri="file:///split", name="s")])

    async def read_resource(
        ctx: Any, params: types.ReadResourceRequestParams
    ) -> types.ReadResourceResult:
        return types.ReadResourceResult(contents=[_res(i, t) for i, t in enumerate(SPLIT)])

    s = Server(
        "split",
        version="1",
        on_list_tools=list_tools,
        on_call_tool=call_tool,
        on_list_resources=list_resources,
        on_read_resource=read_resource,
    )
    s.middleware = []
    return s


@pytest.fixture(scope="module")
def gw(fake_model_url, demo_upstream, lab, tmp_path_factory) -> Iterator[Any]:
    app = server().streamable_http_app(
        json_response=True,
        stateless_http=True,
        transport_security=TransportSecuritySettings(enable_dns_rebinding_protection=False),
    )
    upstream = ThreadServer(app).start()
    gateway = start_gateway(
        fake_model_url,
        tmp_path_factory.mktemp("split"),
        mcp_config(
            demo_upstream.url,
            lab[1].url,
            mcp_servers={"split": {"url": upstream.url + "/mcp", "list_ttl_s": 0}},
        ),
    )
    yield gateway
    gateway.stop()
    upstream.stop()


def _text(block: Any) -> str:
    if isinstance(block, types.TextContent):
        return block.text
    return str(getattr(block.resource, "text", ""))


def _uris(blocks: list[Any]) -> list[str]:
    return [str(b.resource.uri) for b in blocks if isinstance(b, types.EmbeddedResource)]


@pytest.mark.parametrize("tool", ["mixed", "resources"])
async def test_pii_split_across_resource_blocks_is_scrubbed(gw: Any, tool: str) -> None:
    async with connect(gw.url + "/mcp", KEYS["dev"]) as client:
        r = await client.call_tool("split__search", {"kind": tool})
    assert not r.is_error
    joined = "".join(_text(b) for b in r.content)
    assert "6789" not in joined and "example.com" not in joined, joined
    assert joined.startswith("Her SSN is") and joined.endswith("today.")
    # Positions and URIs kept: a resource is addressed by its URI.
    assert len(r.content) == 3
    assert _uris(r.content) == _uris(RESULTS[tool])
    assert keepgate_meta(r)["redactions"]


async def test_pii_split_around_binary_blocks_is_scrubbed(gw: Any) -> None:
    """Red team 7: a blob resource or an image between the text blocks ended the run, so
    `123-45-` | blob | `6789` passed. They carry no text for the model: the run goes on
    across them, and they stay where they were, as they were."""
    async with connect(gw.url + "/mcp", KEYS["dev"]) as client:
        r = await client.call_tool("split__search", {"kind": "blob"})
    assert not r.is_error
    joined = "".join(_text(b) for b in r.content if not isinstance(b, types.ImageContent))
    assert "6789" not in joined and "example.com" not in joined, joined
    assert joined.startswith("Her SSN is") and joined.endswith("today.")
    assert [type(b).__name__ for b in r.content] == [type(b).__name__ for b in RESULTS["blob"]]
    assert r.content[1].resource.blob == BLOB and r.content[3].data == BLOB
    assert keepgate_meta(r)["redactions"]


async def test_resource_blocks_without_split_pii_stay_apart(gw: Any) -> None:
    async with connect(gw.url + "/mcp", KEYS["dev"]) as client:
        r = await client.call_tool("split__search", {"kind": "apart"})
    assert [_text(b) for b in r.content] == ["Plan the week.", "Then rest."]


async def test_pii_split_across_the_contents_of_a_read_resource_is_scrubbed(gw: Any) -> None:
    async with connect(gw.url + "/mcp/split", KEYS["dev"]) as client:
        read = await client.read_resource("file:///split")
    texts = [str(getattr(c, "text", "")) for c in read.contents]
    joined = "".join(texts)
    assert "6789" not in joined and "example.com" not in joined, texts
    assert joined.startswith("Her SSN is") and joined.endswith("today.")
    assert [str(c.uri) for c in read.contents] == [f"file:///part{i}" for i in range(3)]
