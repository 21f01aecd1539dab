"""The gateway's fast path for modern `tools/call` (keepgate.mcp.fastpath) answers exactly
as the SDK's own entry does: the same request is sent, over real HTTP, to a gateway with
the fast path and to one without (`mcp.fast_path: false`), and the answers compared —
for plain calls, and for every kind of request the fast path hands to the SDK."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.mcp.conftest import KEYS, start_gateway

pytestmark = pytest.mark.slow

PV = "2026-07-28"
META = {
    "io.modelcontextprotocol/protocolVersion": PV,
    "io.modelcontextprotocol/clientInfo": {"name": "raw", "version": "1"},
    "io.modelcontextprotocol/clientCapabilities": {},
}
READ = {"name": "read_file", "arguments": {"path": "/srv/data/quarterly_report.txt"}}


@pytest.fixture(scope="module")
def pair(
    fake_model_url: str, demo_upstream: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Any]]:
    cfg = {
        "keys": [{"key_id": "dev", "key": KEYS["dev"], "role": "developer"}],
        "guards": {
            "policy": {"enabled": True},
            "pii": {"enabled": True},
            "input": {"enabled": True},
        },
        "mcp_servers": {"demo": {"url": demo_upstream.url + "/mcp"}},
        "mcp": {"store": {"backend": "memory"}},
    }
    fast = start_gateway(fake_model_url, tmp_path_factory.mktemp("fast"), cfg)
    slow_cfg = copy.deepcopy(cfg)
    slow_cfg["mcp"]["fast_path"] = False
    sdk = start_gateway(fake_model_url, tmp_path_factory.mktemp("sdk"), slow_cfg)
    yield {"fast": fast, "sdk": sdk}
    fast.stop()
    sdk.stop()


def post(
    gw: Any, body: Any, headers: dict[str, str] | None = None, raw: bytes | None = None
) -> httpx.Response:
    h = {
        "Authorization": f"Bearer {KEYS['dev']}",
        "Accept": "application/json, text/event-stream",
        "Content-Type": "application/json",
        "MCP-Protocol-Version": PV,
        "Mcp-Method": "tools/call",
        "x-keepgate-session": "fastpath",
    }
    if isinstance(body, dict) and isinstance(body.get("params"), dict) and "name" in body["params"]:
        h["Mcp-Name"] = body["params"]["name"]
    h.update(headers or {})
    return gw.http.post(
        "/mcp/demo",
        headers={k: v for k, v in h.items() if v},
        content=raw if raw is not None else httpx.Request("POST", "http://x", json=body).content,
        timeout=60,
    )


def call(name: str = "read_file", rid: int = 7, **params: Any) -> dict[str, Any]:
    p = {**READ, "name": name, "_meta": META, **params}
    return {"jsonrpc": "2.0", "id": rid, "method": "tools/call", "params": p}


def _same(a: httpx.Response, b: httpx.Response) -> tuple[Any, Any]:
    def norm(r: httpx.Response) -> Any:
        ctype = r.headers.get("content-type", "").split(";")[0]
        if ctype != "application/json":
            return r.status_code, ctype, r.text
        body = r.json()
        meta = ((body.get("result") or {}).get("_meta") or {}).get("keepgate")
        if isinstance(meta, dict):
            meta.pop("request_id", None)  # each gateway names its own request
        return r.status_code, ctype, body

    return norm(a), norm(b)


def test_a_plain_call_is_answered_as_the_sdk_answers_it(pair) -> None:
    fast, sdk = (post(pair[k], call()) for k in ("fast", "sdk"))
    a, b = _same(fast, sdk)
    assert a == b
    assert a[0] == 200 and a[2]["result"]["resultType"] == "complete"
    assert a[2]["result"]["_meta"]["io.modelcontextprotocol/serverInfo"]["name"] == "keepgate-demo"
    assert "Q1 report" in a[2]["result"]["content"][0]["text"]


def test_a_refused_call_and_invalid_arguments_are_the_same_tool_errors(pair) -> None:
    for body in (call(name="no_such_tool", arguments={}), call(arguments={"path": 42})):
        a, b = _same(post(pair["fast"], body), post(pair["sdk"], body))
        assert a == b
        assert a[2]["result"]["isError"] is True


CASES: dict[str, tuple[Any, dict[str, str], bytes | None]] = {
    "name header disagrees with the body": (call(), {"Mcp-Name": "sql_query"}, None),
    "version header disagrees with the body": (
        call(_meta={**META, "io.modelcontextprotocol/protocolVersion": "2099-01-01"}),
        {},
        None,
    ),
    "no _meta envelope": (
        {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": READ},
        {},
        None,
    ),
    "not JSON": (None, {}, b"{not json"),
    # Legal JSON, but no UTF-8 can carry it: orjson and the SDK's parser both refuse it.
    "a lone surrogate escape in the arguments": (
        None,
        {},
        json.dumps(call(arguments={"path": "@@"})).replace("@@", "\\ud800").encode(),
    ),
    "a notification": (
        {"jsonrpc": "2.0", "method": "tools/call", "params": {**READ, "_meta": META}},
        {},
        None,
    ),
    "a batch": ([call(), call(rid=8)], {}, None),
    "arguments not an object": (call(arguments=["x"]), {}, None),
    "an unknown Mcp-Param header": (call(), {"Mcp-Param-Path": "/etc/passwd"}, None),
    "SSE only": (call(), {"Accept": "text/event-stream"}, None),
    "wrong content type": (call(), {"Content-Type": "text/plain"}, None),
    "method header is not the body's": (
        {"jsonrpc": "2.0", "id": 3, "method": "tools/list", "params": {"_meta": META}},
        {},
        None,
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_requests_the_fast_path_hands_on_get_the_sdks_own_answer(pair, case: str) -> None:
    body, headers, raw = CASES[case]
    fast = post(pair["fast"], body, headers, raw)
    sdk = post(pair["sdk"], body, headers, raw)
    a, b = _same(fast, sdk)
    assert a == b, case
    assert fast.status_code < 500, (case, fast.status_code, fast.text[:300])


@pytest.mark.parametrize(
    "method,params",
    [
        ("resources/list", {}),
        ("resources/read", {"uri": "file:///srv/data/notes.txt"}),
        ("prompts/list", {}),
        ("prompts/get", {"name": "summarise"}),
    ],
)
def test_resources_and_prompts_are_refused_with_method_not_found(
    pair, method: str, params: dict[str, Any]
) -> None:
    """Only tools are proxied: nothing of an upstream's resources or prompts reaches a
    client unscanned; the refusal is the protocol's own 'Method not found'."""
    body = {"jsonrpc": "2.0", "id": 5, "method": method, "params": {**params, "_meta": META}}
    headers = {"Mcp-Method": method}
    if method in ("resources/read", "prompts/get"):
        headers["Mcp-Name"] = params.get("uri") or params["name"]
    r = post(pair["fast"], body, headers)
    assert 400 <= r.status_code < 500, (r.status_code, r.text[:300])
    error = r.json()["error"]
    assert error["code"] == -32601 and error["message"] == "Method not found"
