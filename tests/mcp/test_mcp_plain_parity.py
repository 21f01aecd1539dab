"""The bare hop's written-out protocol checks agree with the SDK's own (docs/mcp.md
"Measured", 2026-12-07 15:00 round).

- `wire.plain_surface` says yes only to results the version's result surface accepts, so
  the lane's answer (its model, or its refusal) is the one the surface validation gave:
  malformed results are refused exactly as before; a plain result's model, built from
  text blocks validated one by one, is the model the content union built (fields set
  included).
- `fastpath.shape` writes a plain text result out as the SDK runner's way does, to the
  byte; anything else goes that way.
- `fastpath.accept` takes and refuses the requests the earlier `accept` did (the
  `JSONRPCRequest` model, every header decoded, `find_duplicated_routing_header`, the
  SDK's `validate_client_request`): it is kept below as the reference.

Every case is generated (hypothesis) from near-misses of the plain shapes: wrong types,
null, extra keys, other block kinds, annotations, `_meta`, duplicated and mixed-case
headers.
"""

from __future__ import annotations

import copy
from typing import Any

import mcp_types as types
import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mcp import MCPError
from mcp.shared.inbound import (
    InboundModernRoute,
    classify_inbound_request,
    find_duplicated_routing_header,
    validate_mcp_param_headers,
)
from mcp_types import JSONRPCRequest
from mcp_types import methods as _methods
from pydantic import ValidationError

from keepgate.mcp import fastpath, wire

pytestmark = pytest.mark.slow(cpu_s=3.1)  # scheduled first: tests/conftest.py

PV = "2026-07-28"
STAMP = "io.modelcontextprotocol/serverInfo"
SERVER_INFO = {"name": "keepgate-demo", "version": "1"}

json_leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**53), 2**53),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=8),
)
json_value = st.recursive(
    json_leaf,
    lambda kids: (
        st.lists(kids, max_size=3) | st.dictionaries(st.text(max_size=6), kids, max_size=3)
    ),
    max_leaves=8,
)
ABSENT = object()


def _maybe(key: str, values: st.SearchStrategy[Any]) -> st.SearchStrategy[tuple[str, Any]]:
    return st.tuples(st.just(key), st.one_of(st.just(ABSENT), values))


text_block = st.fixed_dictionaries(
    {
        "type": st.sampled_from(["text", "Text", "image", None, 1]),
        "text": st.one_of(st.text(max_size=20), json_leaf),
    },
    optional={
        "annotations": st.one_of(
            st.none(),
            st.just({}),
            st.just({"audience": ["user"]}),
            st.just({"priority": "high"}),
            json_value,
        ),
        "_meta": st.one_of(st.none(), st.just({}), st.just({"k": 1}), json_value),
        "extra": json_value,
    },
)
other_block = st.one_of(
    st.just({"type": "image", "data": "aGk=", "mimeType": "image/png"}),
    st.just({"type": "resource_link", "uri": "file:///x", "name": "x"}),
    st.just({"type": "resource", "resource": {"uri": "file:///x", "text": "t"}}),
    json_value,
)
plain_block = st.builds(lambda t: {"type": "text", "text": t}, st.text(max_size=30))
block = st.one_of(plain_block, plain_block, text_block, other_block)


@st.composite
def results(draw: st.DrawFn) -> Any:
    """A plain text result with none, one or a few fields redrawn from near-misses."""
    if draw(st.integers(0, 20)) == 0:
        return draw(json_value)
    raw: dict[str, Any] = {
        "content": draw(st.lists(plain_block, max_size=3)),
        "isError": draw(st.booleans()),
        "resultType": "complete",
    }
    if draw(st.booleans()):
        raw["_meta"] = {STAMP: {"name": "up", "version": "1"}}
    fields = [
        _maybe("content", st.one_of(st.lists(block, max_size=4), json_value)),
        _maybe("isError", st.sampled_from([True, False, None, 0, 1, "true", "no", 2.0])),
        _maybe(
            "resultType",
            st.sampled_from(["complete", "complete", "input_required", "other", 5, None, True]),
        ),
        _maybe(
            "_meta",
            st.one_of(
                st.none(),
                st.just({}),
                st.just({STAMP: None, "acme/x": [1]}),
                st.just({"io_modelcontextprotocol_server_info": 3}),
                json_value,
            ),
        ),
        _maybe("structuredContent", json_value),
        _maybe("ttlMs", st.sampled_from([5, -1, 0, "x"])),
        _maybe("inputRequests", st.one_of(st.none(), st.just({}), json_value)),
        _maybe("extra", json_value),
    ]
    for _ in range(draw(st.sampled_from([0, 0, 1, 1, 2, 3]))):
        key, value = draw(fields[draw(st.integers(0, len(fields) - 1))])
        if value is ABSENT:
            raw.pop(key, None)
        else:
            raw[key] = value
    return raw


def _surface_accepts(raw: Any) -> bool:
    try:
        wire._surface(PV).validate_python(copy.deepcopy(raw), by_name=False)
    except ValidationError:
        return False
    return True


def _lane() -> wire.HttpLane:
    lane = wire.HttpLane("http://127.0.0.1:1/mcp", {}, {"name": "kg", "version": "1"})
    assert lane.bind(PV)
    return lane


def _outcome(fn: Any) -> Any:
    """A result model with which fields were set (its blocks' too), or the lane's refusal."""
    try:
        result = fn()
        return ("ok", result, result.model_dump(by_alias=True, exclude_unset=True))
    except wire.LaneError as exc:
        return ("lane", exc.kind, exc.message)


def _result_before(raw: Any) -> Any:
    """`HttpLane._result`'s validation before `plain_surface`: the surface always."""
    lane = _lane()
    real = wire.plain_surface
    wire.plain_surface = lambda version, raw: False  # type: ignore[assignment]
    try:
        return _outcome(lambda: lane._result({"jsonrpc": "2.0", "id": 1, "result": raw}, 1, 200))
    finally:
        wire.plain_surface = real  # type: ignore[assignment]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(results())
def test_plain_surface_says_yes_only_to_what_the_surface_accepts(raw: Any) -> None:
    if isinstance(raw, dict) and wire.plain_surface(PV, raw):
        assert _surface_accepts(raw), raw
    got = _outcome(
        lambda: _lane()._result({"jsonrpc": "2.0", "id": 1, "result": copy.deepcopy(raw)}, 1, 200)
    )
    assert got == _result_before(copy.deepcopy(raw))


def test_the_demo_result_is_plain_and_near_misses_are_not() -> None:
    demo = {
        "content": [{"text": "# Q1 report", "type": "text"}],
        "isError": False,
        "resultType": "complete",
        "_meta": {STAMP: {"name": "keepgate-demo", "version": "1"}},
    }
    assert wire.plain_surface(PV, demo)
    assert not wire.plain_surface("2099-01-01", demo)  # another surface: validated
    misses: list[dict[str, Any]] = [
        {**demo, "content": [{"type": "text", "text": 5}]},
        {**demo, "content": [{"type": "text", "text": "x", "annotations": {}}]},
        {**demo, "content": [{"type": "image", "data": "aGk=", "mimeType": "image/png"}]},
        {**demo, "isError": 1},
        {**demo, "resultType": None},
        {**demo, "_meta": []},
        {k: v for k, v in demo.items() if k != "content"},
    ]
    for raw in misses:
        assert not wire.plain_surface(PV, raw), raw
    # Malformed results are still refused, with the surface's refusal.
    for raw in misses[:1] + misses[4:]:
        message = {"jsonrpc": "2.0", "id": 1, "result": raw}
        got = _outcome(lambda: _lane()._result(message, 1, 200))  # noqa: B023 - called here
        assert got[0] == "lane" and got == _result_before(copy.deepcopy(raw)), raw


def test_a_plain_result_that_asks_for_input_is_read_as_the_union_reads_it() -> None:
    """A plain result is built as a `CallToolResult` without the union (the other member's
    `resultType` is the literal "input_required"), except when it says "input_required":
    then the union may take it as an `InputRequiredResult` (fails with the check dropped)."""
    for extra in ({"requestState": "s"}, {"inputRequests": {}}, {}):
        for is_error in (False, None):
            raw = {
                "content": [{"type": "text", "text": "x"}],
                "isError": is_error,
                "resultType": "input_required",
                **extra,
            }
            assert wire.plain_surface(PV, raw)
            message = {"jsonrpc": "2.0", "id": 1, "result": copy.deepcopy(raw)}
            got = _outcome(lambda: _lane()._result(message, 1, 200))  # noqa: B023 - called here
            assert got == _result_before(copy.deepcopy(raw)), raw
    # A null isError: no CallToolResult, but the union's other member takes it.
    asked = _lane()._result(
        {"jsonrpc": "2.0", "id": 1, "result": {**raw, "isError": None, "requestState": "s"}}, 1, 200
    )
    assert type(asked) is types.InputRequiredResult


# -- shape ---------------------------------------------------------------------------------


def _model(raw: Any) -> types.CallToolResult | None:
    try:
        found = wire._RESULT.validate_python(raw, by_name=False)
    except ValidationError:
        return None
    return found if isinstance(found, types.CallToolResult) else None


def _shaped(fn: Any, result: types.CallToolResult, version: str) -> Any:
    try:
        return ("ok", orjson.dumps(fn(result, version, SERVER_INFO)))
    except MCPError as exc:
        return ("error", exc.error.code, exc.error.message)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(results(), st.sampled_from([PV, PV, "2099-01-01"]))
def test_shape_writes_what_the_sdks_way_writes_to_the_byte(raw: Any, version: str) -> None:
    result = _model(copy.deepcopy(raw))
    if result is None:
        return
    if version != PV:  # the SDK's way needs a known version: only the gate is checked
        assert fastpath._plain(result, version, SERVER_INFO) is None
        return
    assert _shaped(fastpath.shape, result, version) == _shaped(fastpath.sdk_shape, result, version)


def test_shape_of_built_results() -> None:
    built = [
        types.CallToolResult(content=[types.TextContent(text="a"), types.TextContent(text="b")]),
        types.CallToolResult(content=[], is_error=True),
        types.CallToolResult(content=[types.TextContent(text="a")], meta={"keepgate": {"x": 1}}),
        types.CallToolResult(content=[types.TextContent(text="a")], structured_content={"a": 1}),
        types.CallToolResult(
            content=[types.TextContent(text="a", annotations=types.Annotations(priority=0.5))]
        ),
        types.CallToolResult(content=[types.ImageContent(data="aGk=", mime_type="image/png")]),
        types.CallToolResult(content=[types.TextContent(text="a")], result_type="other"),
    ]
    plain = 0
    for result in built:
        plain += fastpath._plain(result, PV, SERVER_INFO) is not None
        assert _shaped(fastpath.shape, result, PV) == _shaped(fastpath.sdk_shape, result, PV)
    assert plain == 2


# -- accept --------------------------------------------------------------------------------


def _accept_before(scope: Any, body: bytes, input_schema: Any) -> Any:
    """`fastpath.accept` as it was before the envelope and headers were written out."""
    try:
        decoded = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    if (
        not isinstance(decoded, dict)
        or "id" not in decoded
        or decoded.get("method") != "tools/call"
    ):
        return None
    try:
        req = JSONRPCRequest.model_validate(decoded)
    except ValidationError:
        return None
    raw = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"]]
    if find_duplicated_routing_header(raw) is not None:
        return None
    headers = dict(raw)
    route = classify_inbound_request(decoded, headers=headers)
    if not isinstance(route, InboundModernRoute):
        return None
    params = decoded.get("params")
    try:
        _methods.validate_client_request("tools/call", route.protocol_version, params)
        typed = types.CallToolRequestParams.model_validate(params or {}, by_name=False)
    except (ValidationError, KeyError, ValueError):
        return None
    arguments = typed.arguments or {}
    if arguments or any(h.startswith("mcp-param-") for h in headers):
        schema = input_schema(typed.name)
        if (
            schema is not None
            and fastpath._annotated(schema)
            and validate_mcp_param_headers(schema, arguments, headers) is not None
        ):
            return None
    return req.id, route, typed


META = {
    "io.modelcontextprotocol/protocolVersion": PV,
    "io.modelcontextprotocol/clientInfo": {"name": "raw", "version": "1"},
    "io.modelcontextprotocol/clientCapabilities": {},
}
SCHEMAS: dict[str, Any] = {
    "read_file": {"type": "object", "properties": {"path": {"type": "string"}}},
    "lookup": {
        "type": "object",
        "properties": {"tenant": {"type": "string", "x-mcp-header": "Tenant"}},
    },
}


@st.composite
def requests(draw: st.DrawFn) -> tuple[list[tuple[bytes, bytes]], bytes]:
    """A plain call (either tool) with none, one or a few parts redrawn from near-misses."""
    name = draw(st.sampled_from(["read_file", "lookup"]))
    arguments: Any = {"path": "/srv/x"} if name == "read_file" else {"tenant": "acme"}
    params: dict[str, Any] = {"name": name, "arguments": arguments, "_meta": dict(META)}
    body: dict[str, Any] = {"jsonrpc": "2.0", "id": 7, "method": "tools/call", "params": params}
    headers: list[tuple[bytes, bytes]] = [
        (b"host", b"127.0.0.1"),
        (b"accept", b"application/json, text/event-stream"),
        (b"content-type", b"application/json"),
        (b"mcp-protocol-version", PV.encode()),
        (b"mcp-method", b"tools/call"),
        (b"mcp-name", name.encode()),
    ]
    if name == "lookup":
        headers.append((b"mcp-param-tenant", b"acme"))
    mutations = [
        lambda: params.update(name=draw(st.sampled_from(["nope", 5, None, "read_file"]))),
        lambda: params.update(
            _meta=draw(
                st.one_of(
                    st.just({**META, "io.modelcontextprotocol/protocolVersion": "2099-01-01"}),
                    st.just({k: v for k, v in META.items() if "Capabilities" not in k}),
                    st.just({**META, "io.modelcontextprotocol/clientInfo": {"name": 5}}),
                    st.just({**META, "progressToken": draw(json_leaf)}),
                    st.just({**META, "io.modelcontextprotocol/logLevel": "loud"}),
                    json_value,
                )
            )
        ),
        lambda: params.update(
            arguments=draw(
                st.one_of(
                    st.none(),
                    st.just({}),
                    st.just({"tenant": "beta"}),
                    st.just({"tenant": 5}),
                    json_value,
                )
            )
        ),
        lambda: params.pop("arguments", None),
        lambda: params.update(
            {
                draw(st.sampled_from(["task", "inputResponses", "requestState", "x"])): draw(
                    json_value
                )
            }
        ),
        lambda: body.update(jsonrpc=draw(st.sampled_from(["1.0", 2.0, None]))),
        lambda: body.update(
            id=draw(
                st.one_of(
                    st.integers(-(2**63), 2**63 - 1),
                    st.text(max_size=4),
                    st.booleans(),
                    st.none(),
                    st.floats(0, 3),
                    st.just([1]),
                )
            )
        ),
        lambda: body.update(method="tools/list"),
        lambda: body.update(params=draw(json_value)),
        lambda: body.pop(draw(st.sampled_from(["jsonrpc", "id", "params"])), None),
        lambda: headers.append(
            draw(
                st.sampled_from(
                    [
                        (b"mcp-param-tenant", b"acme"),
                        (b"Mcp-Param-Tenant", b"beta"),
                        (b"mcp-param-other", b"1"),
                        (b"mcp-method", b"tools/call"),
                        (b"MCP-METHOD", b"tools/call"),
                        (b"mcp-name", b"=?base64?cmVhZF9maWxl?="),
                        (b"x-caf\xe9", b"\xff"),
                    ]
                )
            )
        ),
        lambda: headers.pop(draw(st.integers(0, len(headers) - 1))),
        lambda: headers.__setitem__(
            i := draw(st.integers(0, len(headers) - 1)),
            (headers[i][0], draw(st.sampled_from([b"2099-01-01", b"tools/list", b"other"]))),
        ),
    ]
    for _ in range(draw(st.sampled_from([0, 0, 0, 1, 1, 2]))):
        mutations[draw(st.integers(0, len(mutations) - 1))]()
    return headers, orjson.dumps(body)


PV_KEY = "io.modelcontextprotocol/protocolVersion"
CAPS = "io.modelcontextprotocol/clientCapabilities"
INFO = "io.modelcontextprotocol/clientInfo"
CAPABILITIES: list[Any] = [
    {},
    {"sampling": {}},
    {"sampling": 5},
    {"roots": {"listChanged": True}},
    {"roots": []},
    {"elicitation": None},
    {"experimental": {"a": {}}},
    {"other": 1},
    [],
]
INFOS: list[Any] = [
    None,
    {"name": "a", "version": "1"},
    {"name": "a", "version": "1", "title": None, "description": "d"},
    {"name": "a", "version": "1", "title": 5},
    {"name": "a", "version": "1", "description": []},
    {"name": "a", "version": "1", "icons": []},
    {"name": "a", "version": "1", "icons": 5},
    {"name": "a", "version": "1", "websiteUrl": "https://x"},
    {"name": "a", "version": "1", "websiteUrl": 5},
    {"name": "a", "version": "1", "website_url": 5, "x": [1]},
    {"name": "a"},
    {"name": "a", "version": 1},
    "a",
]


def _with(field: str, value: Any) -> dict[str, Any]:
    info = dict(META[INFO])
    info[field] = value
    if value is ABSENT:
        del info[field]
    return info


#: The plain client info with one field changed or left out.
info_misses = st.builds(
    _with,
    st.sampled_from(["name", "version", "title", "description", "icons", "websiteUrl", "x"]),
    st.sampled_from([ABSENT, None, 5, [], {}, "a", [{"src": "https://x/i.png"}]]),
)
NAMES = ["read_file", "lookup", "=?base64?cmVhZF9maWxl?=", "r\u00e9ad", "=?x", "READ_FILE", ""]


def _rename(
    params: dict[str, Any], headers: list[tuple[bytes, bytes]], name: str, encoded: bool
) -> None:
    """`name` in the body; the Mcp-Name header its base64 form (`encoded`) or its Latin-1
    bytes (none when it has none)."""
    from mcp.shared.inbound import encode_header_value

    params["name"] = name
    headers[:] = [h for h in headers if h[0] != b"mcp-name"]
    if encoded:
        headers.append((b"mcp-name", encode_header_value(name).encode("latin-1")))
    elif name.isascii() or all(ord(c) < 256 for c in name):
        headers.append((b"mcp-name", name.encode("latin-1")))


_INFO_VALUE = st.sampled_from(["a", "a", "a", None, 5, [], {}, [{"src": "https://x/i.png"}]])
#: A client info drawn field by field (each of the model's, one it does not have).
infos = st.fixed_dictionaries(
    {},
    optional={
        k: _INFO_VALUE
        for k in ("name", "version", "title", "description", "icons", "websiteUrl", "x")
    },
)
_HEADERS = st.sampled_from(
    [
        (b"accept", b"*/*"),
        (b"host", b"h"),
        (b"Host", b"h"),
        (b"x-mcp-param-x", b"1"),
        (b"mcp-param-path", b"/srv/x"),
        (b"mcp-param-tenant", b"acme"),
        (b"Mcp-Name", b"read_file"),
        (b"mcp-protocol-version", PV.encode()),
    ]
)


@st.composite
def plain_requests(draw: st.DrawFn, part: int) -> tuple[list[tuple[bytes, bytes]], bytes]:
    """A plain call with one of the parts `fastpath._plain_call` reads drawn from
    near-misses (`part`), perhaps another one too (ABSENT: the key left out): the name,
    the capabilities, the client info, the version, a log level or progress token or
    another `_meta` key, the arguments, another params key, the name's header, a header
    added or dropped."""
    missed = {part, draw(st.integers(0, 3 * PARTS))}  # another one, a time in three
    parts = iter(range(PARTS))

    def _mostly(plain: Any, others: st.SearchStrategy[Any]) -> Any:
        return draw(others) if next(parts) in missed else plain

    name = _mostly("read_file", st.sampled_from(NAMES))
    meta: dict[str, Any] = dict(META)
    for key, value in (
        (CAPS, _mostly({}, st.one_of(st.sampled_from(CAPABILITIES), json_value))),
        (INFO, _mostly(META[INFO], st.one_of(info_misses, info_misses, st.just(ABSENT), infos))),
        (PV_KEY, _mostly(PV, st.sampled_from([ABSENT, "2099-01-01", 5, None]))),
    ):
        meta[key] = value
        if value is ABSENT:
            del meta[key]
    extra = _mostly(
        None,
        st.tuples(
            st.sampled_from(
                [
                    "acme/x",
                    "progress_token",
                    "progressToken",
                    "io.modelcontextprotocol/logLevel",
                ]
            ),
            st.one_of(st.sampled_from(["info", "t", 1, 1.5, [1], None]), json_value),
        ),
    )
    if extra is not None:
        meta[extra[0]] = extra[1]
    arguments = _mostly(
        {"path": "/srv/x"},
        st.one_of(
            st.sampled_from([ABSENT, None, {}, {"tenant": "acme"}, {"tenant": 5}, [], "x"]),
            json_value,
        ),
    )
    params: dict[str, Any] = {"name": name, "_meta": meta}
    if arguments is not ABSENT:
        params["arguments"] = arguments
    other = _mostly(
        None,
        st.tuples(st.sampled_from(["task", "inputResponses", "requestState", "x"]), json_value),
    )
    if other is not None:
        params[other[0]] = other[1]
    body: dict[str, Any] = {"jsonrpc": "2.0", "id": 7, "method": "tools/call", "params": params}
    headers: list[tuple[bytes, bytes]] = [
        (b"host", b"127.0.0.1"),
        (b"content-type", b"application/json"),
        (b"mcp-protocol-version", PV.encode()),
        (b"mcp-method", b"tools/call"),
    ]
    _rename(params, headers, name, _mostly(False, st.just(True)))
    for _ in range(_mostly(0, st.integers(1, 2))):
        headers.append(draw(_HEADERS))
    if _mostly(False, st.just(True)):
        headers.pop(draw(st.integers(0, len(headers) - 1)))
    return headers, orjson.dumps(body)


def _same_accept(case: tuple[Any, bytes]) -> None:
    headers, body = case
    scope = {"type": "http", "method": "POST", "headers": headers}

    def schema(name: str) -> Any:
        return SCHEMAS.get(name)

    got = fastpath.accept(scope, body, schema)
    want = _accept_before(scope, body, schema)
    assert (got is None) == (want is None)
    if got is not None and want is not None:
        assert got[0] == want[0] and type(got[0]) is type(want[0])
        assert got[1] == want[1]
        assert got[2] == want[2]


#: The parts of a call `plain_requests` draws near-misses of.
PARTS = 10


@pytest.mark.parametrize("part", range(PARTS))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_plain_calls_are_taken_and_refused_as_the_ladder_does(part: int, data: Any) -> None:
    """`_plain_call`'s shortcut over the SDK's ladder and params surface, on calls near it
    (each part in turn)."""
    _same_accept(data.draw(plain_requests(part)))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(requests())
def test_accept_takes_and_refuses_what_it_did_before(case: tuple[Any, bytes]) -> None:
    _same_accept(case)


def _call(
    name: str = "read_file",
    arguments: Any = ABSENT,
    info: Any = ABSENT,
    extra: list[tuple[bytes, bytes]] | None = None,
) -> tuple[list[tuple[bytes, bytes]], bytes]:
    meta = dict(META)
    if info is not ABSENT:
        meta[INFO] = info
    params: dict[str, Any] = {"name": name, "_meta": meta}
    if arguments is not ABSENT:
        params["arguments"] = arguments
    headers = [
        (b"content-type", b"application/json"),
        (b"mcp-protocol-version", PV.encode()),
        (b"mcp-method", b"tools/call"),
        (b"mcp-name", name.encode()),
        *(extra or []),
    ]
    body = {"jsonrpc": "2.0", "id": 7, "method": "tools/call", "params": params}
    return headers, orjson.dumps(body)


@pytest.mark.parametrize(
    ("case", "plain"),
    [
        (_call(arguments={"path": "/x"}), True),
        (_call(info=None), True),
        (_call(info={"name": "a", "version": "1", "title": None, "description": "d"}), True),
        (_call(info={"name": "a", "version": "1", "title": 5}), False),
        (_call(info={"name": "a", "version": "1", "description": 5}), False),
        (_call(info={"name": "a", "version": "1", "icons": 5}), False),
        (_call(info={"name": "a", "version": "1", "websiteUrl": 5}), False),
        (_call(info={"name": "a", "version": 1}), False),
        (_call(info={"version": "1"}), False),
        # An annotated tool: its Mcp-Param-* headers are checked against the arguments.
        (_call("lookup", {"tenant": "acme"}, extra=[(b"mcp-param-tenant", b"acme")]), False),
        (_call("lookup", {"tenant": "acme"}), True),
        (_call("lookup", {}, extra=[(b"mcp-param-tenant", b"acme")]), False),
        (_call("lookup", extra=[(b"mcp-param-tenant", b"beta")]), False),
        (_call("lookup", {"tenant": "acme"}, extra=[(b"mcp-param-tenant", b"beta")]), False),
        (_call(extra=[(b"x-mcp-param-x", b"1")]), False),
    ],
)
def test_plain_calls_near_the_edges(case: tuple[Any, bytes], plain: bool) -> None:
    """Near-misses of each condition `_plain_call` checks, one by one: the same answer
    as the ladder's, and the short way taken only where it should be."""
    headers, body = case
    scope = {"type": "http", "method": "POST", "headers": headers}
    assert (fastpath._plain_call(scope, orjson.loads(body)["params"]) is not None) == plain
    _same_accept(case)


def test_accept_takes_a_plain_call() -> None:
    body = orjson.dumps(
        {
            "jsonrpc": "2.0",
            "id": 7,
            "method": "tools/call",
            "params": {"name": "read_file", "arguments": {"path": "/x"}, "_meta": META},
        }
    )
    headers = [
        (b"mcp-protocol-version", PV.encode()),
        (b"mcp-method", b"tools/call"),
        (b"mcp-name", b"read_file"),
    ]
    scope = {"type": "http", "method": "POST", "headers": headers}
    got = fastpath.accept(scope, body, SCHEMAS.get)
    assert got is not None and got[0] == 7 and got[2].name == "read_file"
    assert fastpath._plain_call(scope, orjson.loads(body)["params"]) is not None
    assert got == _accept_before(scope, body, SCHEMAS.get)
    # A routing header twice, in any case: the SDK answers.
    twice = {**scope, "headers": headers + [(b"mcp-method", b"tools/call")]}
    assert fastpath.accept(twice, body, SCHEMAS.get) is None
    assert _accept_before(twice, body, SCHEMAS.get) is None


@pytest.mark.parametrize(
    "headers",
    [
        [(b"accept", b"application/json"), (b"accept", b"text/event-stream")],
        [(b"accept", b"text/event-stream"), (b"accept", b"application/json")],
        [(b"accept", b"*/*")],
        [(b"accept", b"text/html;q=1, application/*;q=0.5")],
    ],
)
def test_eligible_reads_the_first_of_each_header(headers: list[tuple[bytes, bytes]]) -> None:
    base = [
        (b"mcp-protocol-version", PV.encode()),
        (b"mcp-method", b"tools/call"),
        (b"content-type", b"application/json"),
        (b"content-length", b"12"),
    ]
    scope = {"type": "http", "method": "POST", "headers": base + headers}
    first = headers[0][1].decode()
    want = 12 if fastpath._accepts_json(first) else None
    assert fastpath.eligible(scope) == want
    assert fastpath.eligible(scope) == want  # remembered per Accept value


_NAMES = st.sampled_from(
    [b"x-keepgate-session", b"mcp-session-id", b"accept", b"content-type", b"X-Keepgate-Session"]
)
_VALUES = st.binary(max_size=12)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(_NAMES, _VALUES), max_size=8))
def test_first_headers_read_as_starlette_headers(headers: list[tuple[bytes, bytes]]) -> None:
    """`_authenticate` reads the session id through `FirstHeaders` instead of Starlette's
    `Request.headers`: the same value (the first of a name, as Latin-1 text) for every
    name `session_id` asks for, asked in any case, over repeated and mixed-case names; and
    `eligible` reads the same reading back from the scope."""
    from starlette.datastructures import Headers

    scope: dict[str, Any] = {"type": "http", "method": "POST", "headers": headers}
    ours = fastpath.FirstHeaders(fastpath.first_headers(scope))
    theirs = Headers(scope=scope)
    for name in ("x-keepgate-session", "mcp-session-id", "X-Keepgate-Session", "accept"):
        assert ours.get(name) == theirs.get(name)
        assert ours.get(name, "d") == theirs.get(name, "d")
    assert fastpath.first_headers(scope) is fastpath.first_headers(scope)
    fastpath.eligible(scope)
    assert scope["keepgate.first_headers"] == dict(reversed(headers))
