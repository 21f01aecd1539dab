"""The fuzz registry: one entry per route the gateway serves, with the bodies to send it.

`test_every_route_is_registered` fails when the app grows a route that is not here, so a new
route cannot skip the fuzz layer. Each entry knows a valid body (so mutations reach the code
behind validation), which error shape its clients expect, and how to fill its path.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from hypothesis import strategies as st

from tests.fuzz.junk import JUNK, WEIRD_TEXT, dump, mutated, raw_body

Shape = Literal["openai", "anthropic", "jsonrpc", "html"]

TEXT = st.one_of(st.just("hi"), st.text(max_size=30))
MODEL = st.sampled_from(["demo", "demo", "demo", "demo-embedding", "nope", ""])

# -- valid bodies ----------------------------------------------------------------------------

FUNCTION = st.fixed_dictionaries(
    {
        "name": st.sampled_from(["lookup", "send_email"]),
        "arguments": st.sampled_from(['{"q": "x"}', "{}", "not json"]),
    }
)
TOOL_CALL = st.fixed_dictionaries(
    {"id": st.sampled_from(["call_1", "call_x"]), "type": st.just("function"), "function": FUNCTION}
)
CHAT_MESSAGE = st.one_of(
    st.fixed_dictionaries(
        {"role": st.sampled_from(["user", "system", "developer"]), "content": TEXT}
    ),
    st.fixed_dictionaries(
        {
            "role": st.just("user"),
            "content": st.lists(
                st.fixed_dictionaries({"type": st.just("text"), "text": TEXT}), max_size=2
            ),
        }
    ),
    st.fixed_dictionaries(
        {"role": st.just("assistant"), "content": st.one_of(st.none(), TEXT)},
        optional={"tool_calls": st.lists(TOOL_CALL, max_size=2)},
    ),
    st.fixed_dictionaries(
        {"role": st.just("tool"), "tool_call_id": st.just("call_1"), "content": TEXT}
    ),
)
TOOL = st.fixed_dictionaries(
    {
        "type": st.just("function"),
        "function": st.fixed_dictionaries(
            {"name": st.just("lookup"), "parameters": st.just({"type": "object", "properties": {}})}
        ),
    }
)
#: Scripts for the fake model (forward_unknown_fields is on in the fuzz gateway): among
#: them an upstream that reports negative or absurd usage.
FAKE = st.fixed_dictionaries(
    {},
    optional={
        "content": TEXT,
        "usage": st.fixed_dictionaries(
            {},
            optional={
                "prompt_tokens": st.sampled_from([-5, -1, 0, 3, 2**40]),
                "completion_tokens": st.sampled_from([-7, 0, 5, 2**40]),
            },
        ),
        "tool_calls": st.lists(
            st.fixed_dictionaries({"name": st.just("lookup"), "arguments": st.just({"q": "x"})}),
            max_size=1,
        ),
    },
)

CHAT = st.fixed_dictionaries(
    {"model": st.just("demo"), "messages": st.lists(CHAT_MESSAGE, min_size=1, max_size=3)},
    optional={
        "stream": st.booleans(),
        "max_tokens": st.integers(1, 64),
        "stream_options": st.fixed_dictionaries({"include_usage": st.booleans()}),
        "tools": st.lists(TOOL, max_size=1),
        "temperature": st.floats(0, 2),
        "user": TEXT,
        "fake": FAKE,
    },
)
EMBEDDINGS = st.fixed_dictionaries(
    {
        "model": st.just("demo-embedding"),
        "input": st.one_of(
            TEXT.filter(bool),
            st.lists(TEXT.filter(bool), min_size=1, max_size=3),
            st.lists(st.integers(0, 50000), min_size=1, max_size=5),
        ),
    },
    optional={"encoding_format": st.sampled_from(["float", "base64"]), "dimensions": st.just(8)},
)
NATIVE = st.sampled_from(["demo", "demo-responses", "claude-demo"])
RESPONSES = st.fixed_dictionaries(
    {
        "model": NATIVE,
        "input": st.one_of(
            TEXT,
            st.lists(
                st.fixed_dictionaries(
                    {"role": st.sampled_from(["user", "developer"]), "content": TEXT}
                ),
                max_size=2,
            ),
        ),
    },
    optional={
        "stream": st.booleans(),
        "instructions": TEXT,
        "store": st.booleans(),
        "max_output_tokens": st.integers(16, 64),
        "fake": FAKE,
    },
)
ANTHROPIC_MESSAGE = st.one_of(
    st.fixed_dictionaries({"role": st.just("user"), "content": TEXT}),
    st.fixed_dictionaries(
        {
            "role": st.just("assistant"),
            "content": st.lists(
                st.fixed_dictionaries(
                    {
                        "type": st.just("tool_use"),
                        "id": st.just("toolu_1"),
                        "name": st.just("lookup"),
                        "input": st.just({"q": "x"}),
                    }
                ),
                max_size=1,
            ),
        }
    ),
)
MESSAGES = st.fixed_dictionaries(
    {
        "model": NATIVE,
        "max_tokens": st.integers(1, 64),
        "messages": st.lists(ANTHROPIC_MESSAGE, min_size=1, max_size=2),
    },
    optional={"stream": st.booleans(), "system": TEXT, "fake": FAKE},
)
COUNT_TOKENS = st.fixed_dictionaries(
    {"model": NATIVE, "messages": st.lists(ANTHROPIC_MESSAGE, min_size=1, max_size=2)},
    optional={"system": TEXT},
)
JSONRPC = st.one_of(
    st.fixed_dictionaries(
        {
            "jsonrpc": st.just("2.0"),
            "id": st.integers(1, 9),
            "method": st.just("initialize"),
            "params": st.just(
                {
                    "protocolVersion": "2025-06-18",
                    "capabilities": {},
                    "clientInfo": {"name": "fuzz", "version": "0"},
                }
            ),
        }
    ),
    st.fixed_dictionaries(
        {
            "jsonrpc": st.just("2.0"),
            "id": st.integers(1, 9),
            "method": st.sampled_from(
                ["tools/list", "ping", "resources/list", "resources/templates/list", "prompts/list"]
            ),
            "params": st.just({}),
        }
    ),
    st.fixed_dictionaries(
        {
            "jsonrpc": st.just("2.0"),
            "id": st.integers(1, 9),
            "method": st.just("resources/read"),
            "params": st.fixed_dictionaries(
                {"uri": st.sampled_from(["file:///x", "docs://a", "x"])}
            ),
        }
    ),
    st.fixed_dictionaries(
        {
            "jsonrpc": st.just("2.0"),
            "id": st.integers(1, 9),
            "method": st.just("prompts/get"),
            "params": st.fixed_dictionaries(
                {"name": st.sampled_from(["summarise", "x"]), "arguments": st.just({"topic": "x"})}
            ),
        }
    ),
    st.fixed_dictionaries(
        {
            "jsonrpc": st.just("2.0"),
            "id": st.integers(1, 9),
            "method": st.just("tools/call"),
            "params": st.fixed_dictionaries(
                {
                    "name": st.sampled_from(["demo__lookup", "search", "x"]),
                    "arguments": st.just({"q": "x"}),
                }
            ),
        }
    ),
    st.fixed_dictionaries(
        {"jsonrpc": st.just("2.0"), "method": st.just("notifications/initialized")}
    ),
)
#: The 2026-07-28 protocol: no handshake; every request carries its version, client info
#: and capabilities in `params._meta` (and `Mcp-Method`/`Mcp-Name` headers, MCP_MODERN).
MODERN_META = {
    "io.modelcontextprotocol/protocolVersion": "2026-07-28",
    "io.modelcontextprotocol/clientInfo": {"name": "fuzz", "version": "0"},
    "io.modelcontextprotocol/clientCapabilities": {},
}
JSONRPC_MODERN = st.one_of(
    st.fixed_dictionaries(
        {
            "jsonrpc": st.just("2.0"),
            "id": st.integers(1, 9),
            "method": st.just("tools/call"),
            "params": st.fixed_dictionaries(
                {
                    "name": st.sampled_from(["read_file", "demo__read_file", "x"]),
                    "arguments": st.sampled_from(
                        [{"path": "/srv/data/quarterly_report.txt"}, {"q": "x"}]
                    ),
                    "_meta": st.just(MODERN_META),
                }
            ),
        }
    ),
    st.fixed_dictionaries(
        {
            "jsonrpc": st.just("2.0"),
            "id": st.integers(1, 9),
            "method": st.sampled_from(["tools/list", "server/discover"]),
            "params": st.just({"_meta": MODERN_META}),
        }
    ),
)
AGENT_RUN = st.fixed_dictionaries(
    {"task": TEXT.filter(str.strip), "model": st.just("demo")},
    optional={
        "stream": st.booleans(),
        "tools": st.just(["http_get"]),
        "model_params": st.fixed_dictionaries({}, optional={"temperature": st.just(0)}),
        "session_id": TEXT,
        "limits": st.fixed_dictionaries({}, optional={"max_steps": st.integers(1, 3)}),
    },
)
APPROVAL = st.fixed_dictionaries(
    {"decision": st.sampled_from(["approve", "deny"])},
    optional={"tool_call_id": st.just("call_1"), "comment": TEXT},
)
LIMITS = st.fixed_dictionaries(
    {},
    optional={
        "rpm": st.integers(1, 1000),
        "tpm": st.integers(1, 10**6),
        "budget_usd": st.fixed_dictionaries({"daily": st.floats(0.01, 10)}),
    },
)
PIN = st.fixed_dictionaries({"server": st.just("demo"), "tool": st.just("lookup")})
DECISION = st.fixed_dictionaries(
    {"decision": st.sampled_from(["approve", "deny"])}, optional={"comment": TEXT}
)
EMPTY = st.just({})


def _body(valid: st.SearchStrategy[Any]) -> st.SearchStrategy[bytes | None]:
    """Valid, near-valid (mutated) and junk bodies, about a third each."""
    return st.one_of(
        valid.map(dump),
        mutated(valid).map(dump),
        mutated(valid).map(dump),
        JUNK.map(dump),
        raw_body(valid),
    )


# -- path parameters -------------------------------------------------------------------------

ID = st.one_of(
    st.sampled_from(
        ["x", "resp_123", "run_0", "dev", "demo", "..", "%2e%2e", "a" * 300, "%00", "%F0%9F%A7%A8"]
    ),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_.~", min_size=1, max_size=20),
)


@dataclass(frozen=True)
class RouteSpec:
    method: str
    path: str
    #: None: the route takes no body (a GET); else the bodies to send.
    body: st.SearchStrategy[Any] | None = None
    shape: Shape = "openai"
    params: dict[str, st.SearchStrategy[str]] = field(default_factory=dict)
    #: Extra headers the route's clients send.
    headers: dict[str, str] = field(default_factory=dict)
    #: How often the fuzzer picks the route, relative to a GET with no body (1): the
    #: routes with rich bodies and deep code behind them get most requests.
    weight: int = 1


MCP_HEADERS = {
    "accept": "application/json, text/event-stream",
    "mcp-protocol-version": "2025-06-18",
}
#: The 2026-07-28 protocol's headers, for a `read_file` call (the gateway's fast path
#: takes the requests that agree with them; the SDK answers the rest).
MCP_MODERN = {
    "accept": "application/json, text/event-stream",
    "mcp-protocol-version": "2026-07-28",
    "mcp-method": "tools/call",
    "mcp-name": "read_file",
}


def _spec(
    method: str,
    path: str,
    valid: st.SearchStrategy[Any] | None = None,
    shape: Shape = "openai",
    weight: int | None = None,
    **kw: Any,
) -> RouteSpec:
    params = {
        name: ID
        for name in ("model", "response_id", "run_id", "key_id", "team", "approval_id", "server")
        if "{" + name in path
    }
    if "{server}" in path:
        params["server"] = st.one_of(st.sampled_from(["demo", "nope"]), ID)
    if "{run_id}" in path:
        params["run_id"] = st.one_of(st.just("@live"), ID)  # "@live": a run the test made
    if "{model" in path:
        params["model"] = st.one_of(MODEL, ID)
    if weight is None:
        weight = 2 if valid is not None else 1
    return RouteSpec(
        method,
        path,
        _body(valid) if valid is not None else None,
        shape,
        params,
        weight=weight,
        **kw,
    )


#: Every (method, path) the fuzz gateway serves. Routes that only hold a long-lived event
#: stream open are listed in `NOT_FUZZED` with the reason instead.
REGISTRY: list[RouteSpec] = [
    *[_spec("POST", p, CHAT, weight=8) for p in ("/v1/chat/completions", "/chat/completions")],
    *[_spec("POST", p, EMBEDDINGS, weight=3) for p in ("/v1/embeddings", "/embeddings")],
    _spec("GET", "/v1/models"),
    _spec("GET", "/models"),
    _spec("GET", "/v1/models/{model:path}"),
    *[_spec("POST", p, RESPONSES, weight=5) for p in ("/v1/responses", "/responses")],
    _spec("GET", "/v1/responses/{response_id}"),
    _spec("DELETE", "/v1/responses/{response_id}"),
    _spec("GET", "/v1/responses/{response_id}/input_items"),
    _spec("POST", "/v1/messages", MESSAGES, "anthropic", weight=8),
    _spec("POST", "/v1/messages/count_tokens", COUNT_TOKENS, "anthropic", weight=3),
    _spec("GET", "/healthz"),
    _spec("GET", "/readyz"),
    _spec("GET", "/metrics"),
    # limits (guard routes)
    _spec("GET", "/v1/keys/self/usage"),
    _spec("GET", "/keys/self/usage"),
    _spec("GET", "/admin/usage"),
    _spec("GET", "/admin/keys/{key_id}/usage"),
    _spec("PUT", "/admin/keys/{key_id}/limits", LIMITS),
    _spec("DELETE", "/admin/keys/{key_id}/limits"),
    _spec("GET", "/admin/teams/{team}/usage"),
    _spec("PUT", "/admin/teams/{team}/limits", LIMITS),
    _spec("DELETE", "/admin/teams/{team}/limits"),
    _spec("POST", "/admin/keys/{key_id}/reset", EMPTY),
    _spec("POST", "/admin/teams/{team}/reset", EMPTY),
    # the hosted agent
    _spec("POST", "/v1/agent/runs", AGENT_RUN, weight=4),
    _spec("GET", "/v1/agent/runs/{run_id}"),
    _spec("GET", "/v1/agent/runs/{run_id}/events"),
    _spec("POST", "/v1/agent/runs/{run_id}/approvals", APPROVAL),
    _spec("POST", "/v1/agent/runs/{run_id}/cancel", EMPTY),
    _spec(
        "POST",
        "/v1/agent/runs/{run_id}/resume",
        st.fixed_dictionaries({}, optional={"stream": st.just(False)}),
    ),
    # the operator UI
    _spec("GET", "/ui", shape="html"),
    _spec("POST", "/ui/login", st.fixed_dictionaries({"key": WEIRD_TEXT}), shape="html"),
    _spec("POST", "/ui/logout", EMPTY, shape="html"),
    *[
        _spec("GET", "/ui/api/" + p)
        for p in ("summary", "decisions", "rules", "spend", "latency", "mcp/approvals")
    ],
    _spec("POST", "/ui/api/mcp/approvals/{approval_id}", DECISION),
    # MCP: JSON-RPC over streamable HTTP, the admin API
    _spec("POST", "/mcp", JSONRPC, "jsonrpc", headers=MCP_HEADERS, weight=4),
    _spec("POST", "/mcp/{server}", JSONRPC, "jsonrpc", headers=MCP_HEADERS, weight=4),
    _spec("POST", "/mcp", JSONRPC_MODERN, "jsonrpc", headers=MCP_MODERN, weight=2),
    _spec("POST", "/mcp/{server}", JSONRPC_MODERN, "jsonrpc", headers=MCP_MODERN, weight=4),
    _spec("POST", "/mcp/messages/", JSONRPC, "jsonrpc"),
    _spec("POST", "/mcp/{server}/messages/", JSONRPC, "jsonrpc"),
    _spec("GET", "/v1/mcp/servers"),
    _spec("GET", "/v1/mcp/pins"),
    _spec("POST", "/v1/mcp/pins/approve", PIN),
    _spec("GET", "/v1/mcp/approvals"),
    _spec("GET", "/v1/mcp/approvals/{approval_id}"),
    _spec("POST", "/v1/mcp/approvals/{approval_id}", DECISION),
    # held calls of every route (MCP and the proxy's tool calls)
    _spec("GET", "/v1/approvals"),
    _spec("GET", "/v1/approvals/{approval_id}"),
    _spec("POST", "/v1/approvals/{approval_id}", DECISION),
]

#: Routes the app serves that the fuzzer does not call, and why.
NOT_FUZZED = {
    ("GET", "/mcp"): "opens the server-to-client event stream and holds it open",
    ("GET", "/mcp/{server}"): "opens the server-to-client event stream and holds it open",
    ("DELETE", "/mcp"): "ends an MCP session; sessions are per test, fuzzing ids is the "
    "SDK's own 404",
    ("DELETE", "/mcp/{server}"): "as DELETE /mcp",
    ("GET", "/mcp/sse"): "the legacy SSE transport's event stream, held open",
    ("GET", "/mcp/{server}/sse"): "as GET /mcp/sse",
}

#: Whose key a request carries: mostly keys that get past auth, so bodies reach the code.
KEYS = st.sampled_from(["master"] * 6 + ["dev"] * 2 + ["none", "bad"])
#: Routes, each as often as its weight says.
WEIGHTED = [spec for spec in REGISTRY for _ in range(spec.weight)]
