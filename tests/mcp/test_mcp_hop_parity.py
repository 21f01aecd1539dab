"""The protocol hop's shortcuts give what the longer way gave (docs/mcp.md "Measured").

- The lane leaves an upstream's protocol stamps out of `_meta` before the result model is
  built, instead of copying the model without them afterwards: the same model.
- `H1Origin.head` keeps the part of a head after Content-Length per headers object: the
  same bytes as writing the head whole, for every headers object and length.
- The lane reuses one headers dict per tool and `Mcp-Param-*` values: the same headers.
"""

from __future__ import annotations

import copy
from typing import Any

import mcp_types as types
import pytest
from mcp.shared.inbound import MCP_NAME_HEADER, encode_header_value

from keepgate.mcp import wire
from keepgate.mcp.h1 import H1Origin

STAMP = "io.modelcontextprotocol/serverInfo"
CONTENT = [{"type": "text", "text": "hello"}]


def _before(raw: dict[str, Any]) -> types.CallToolResult:
    """The earlier way: the whole result validated, then copied without the stamps
    (`McpGateway._execute`)."""
    result = wire._RESULT.validate_python(copy.deepcopy(raw), by_name=False)
    assert isinstance(result, types.CallToolResult)
    if result.meta and any(k.startswith("io.modelcontextprotocol/") for k in result.meta):
        result = result.model_copy(
            update={
                "meta": {
                    k: v
                    for k, v in result.meta.items()
                    if not k.startswith("io.modelcontextprotocol/")
                }
                or None
            }
        )
    return result


@pytest.mark.parametrize(
    "meta",
    [
        None,
        {},
        {STAMP: {"name": "up", "version": "1"}},
        {STAMP: {"name": "up", "version": "1"}, "acme/trace": "t-1"},
        {"acme/trace": "t-1", "io.modelcontextprotocol/other": [1, 2]},
        {"acme/trace": {"io.modelcontextprotocol/nested": 1}},
        {"io.modelcontextprotocol": "no slash: not a stamp"},
    ],
)
def test_the_lane_leaves_stamps_out_as_the_copy_did(meta: dict[str, Any] | None) -> None:
    raw: dict[str, Any] = {"content": CONTENT, "isError": False, "resultType": "complete"}
    if meta is not None:
        raw["_meta"] = meta
    lane = wire.HttpLane("http://127.0.0.1:1/mcp", {}, {"name": "kg", "version": "1"})
    assert lane.bind("2026-07-28")
    got = lane._result({"jsonrpc": "2.0", "id": 1, "result": copy.deepcopy(raw)}, 1, 200)
    want = _before(raw)
    assert got == want
    assert got.meta == want.meta
    assert got.model_dump(by_alias=True, exclude_none=True) == want.model_dump(
        by_alias=True, exclude_none=True
    )


def _whole_head(origin: H1Origin, headers: dict[str, str], length: int) -> bytes:
    """The head as `H1Origin.head` wrote it before it kept the headers' part."""
    lines = [
        f"POST {origin.target} HTTP/1.1",
        f"Host: {origin.authority}",
        f"Content-Length: {length}",
    ]
    for k, v in headers.items():
        if k.lower() in ("host", "content-length", "transfer-encoding", "connection"):
            continue
        lines.append(f"{k}: {v}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


@pytest.mark.parametrize("url", ["http://127.0.0.1:8080/mcp?x=1", "https://[::1]/", "http://h"])
def test_a_kept_head_is_the_head_written_whole(url: str) -> None:
    origin = H1Origin(url)
    a = {"Accept": "application/json", "Mcp-Name": "read_file", "Host": "ignored"}
    b = dict(a, **{"Mcp-Param-Tenant": "acme"})
    for headers in (a, b, a, b):
        for length in (0, 7, 313, 10**6):
            assert origin.head(headers, length) == _whole_head(origin, headers, length)
    # Another dict with other values is another head, even where the first one lived.
    del a
    c = {"Mcp-Name": "other"}
    assert origin.head(c, 5) == _whole_head(origin, c, 5)


def test_a_header_with_a_line_break_is_refused_every_time() -> None:
    origin = H1Origin("http://127.0.0.1:1/mcp")
    bad = {"X-Bad": "a\r\nInjected: 1"}
    for _ in range(2):
        with pytest.raises(ValueError, match="line break"):
            origin.head(bad, 1)


def test_the_lane_reuses_headers_per_tool_and_param_values() -> None:
    lane = wire.HttpLane("http://127.0.0.1:1/mcp", {"X-Up": "1"}, {"name": "kg", "version": "2"})
    assert lane.bind("2026-07-28")
    first = lane._request_headers("lookup", {"Mcp-Param-Tenant": "acme"})
    assert first == {
        **lane._headers,
        MCP_NAME_HEADER: encode_header_value("lookup"),
        "Mcp-Param-Tenant": "acme",
    }
    assert lane._request_headers("lookup", {"Mcp-Param-Tenant": "acme"}) is first
    other = lane._request_headers("lookup", {"Mcp-Param-Tenant": "beta"})
    assert other["Mcp-Param-Tenant"] == "beta"
    plain = lane._request_headers("lookup", {})
    assert "Mcp-Param-Tenant" not in plain
    assert plain[MCP_NAME_HEADER] == encode_header_value("lookup")
    # A new binding (another protocol version) builds them again.
    lane.bind("2026-07-28")
    assert lane._request_headers("lookup", {"Mcp-Param-Tenant": "acme"}) is not first
