"""`tools/call` on the 2026-07-28 protocol, answered without the SDK's per-request server.

Why: a modern request is one self-contained POST, and the SDK's single-exchange entry
builds a connection, a dispatch context, a runner and a request context for it, then
tears them down — about a third of the gateway's own CPU per call on the demo server.
This path runs the same checks with the SDK's own functions and calls the same handler
(`McpGateway.call_tool`), then shapes the result as the SDK's runner does (the
version's result surface, `resultType`, the `serverInfo` stamp).

It takes only the plain case: a POST whose headers say `tools/call` on a modern version,
with a JSON `Accept` and `Content-Type` and a body within the SDK's size limit, that
parses, classifies and validates cleanly. Anything else — a notification, a batch, a
header that disagrees with the body, params that fail the version's surface, an
`Mcp-Param-*` mismatch, an SSE-only client — is handed to the SDK (body replayed), so
every refusal keeps the SDK's exact error and status.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

import mcp_types as types
import orjson
from mcp import MCPError
from mcp.server.runner import modern_error_data
from mcp.server.transport_security import DEFAULT_MAX_REQUEST_BODY_SIZE
from mcp.shared.inbound import (
    ERROR_CODE_HTTP_STATUS,
    MCP_METHOD_HEADER,
    MCP_NAME_HEADER,
    MCP_PARAM_HEADER_PREFIX,
    MCP_PROTOCOL_VERSION_HEADER,
    InboundModernRoute,
    classify_inbound_request,
    find_invalid_x_mcp_header,
    validate_mcp_param_headers,
    x_mcp_header_map,
)
from mcp_types import (
    CLIENT_CAPABILITIES_META_KEY,
    CLIENT_INFO_META_KEY,
    CORE_RESULT_TYPES,
    INTERNAL_ERROR,
    LOG_LEVEL_META_KEY,
    PROTOCOL_VERSION_META_KEY,
    SERVER_INFO_META_KEY,
)
from mcp_types import methods as _methods
from mcp_types.version import MODERN_PROTOCOL_VERSIONS
from pydantic import BaseModel, ValidationError
from starlette.types import Message, Receive, Scope, Send

from keepgate.mcp.wire import PLAIN_VERSIONS

log = logging.getLogger("keepgate.mcp")
_PV = MCP_PROTOCOL_VERSION_HEADER.lower().encode()
_METHOD = MCP_METHOD_HEADER.lower().encode()
_PARAM = MCP_PARAM_HEADER_PREFIX.lower()


def _accepts_json(accept: str) -> bool:
    kinds = [t.strip().split(";")[0].strip().lower() for t in accept.split(",")]
    return any(k in ("application/json", "application/*", "*/*") for k in kinds)


#: Accept header -> `_accepts_json` (a client sends the same one with every request).
_ACCEPTS: dict[bytes, bool] = {}
_MODERN = frozenset(v.encode("latin-1") for v in MODERN_PROTOCOL_VERSIONS)


#: Where `first_headers` keeps its reading of a request's headers in the scope.
_FIRST = "keepgate.first_headers"


def first_headers(scope: Scope) -> dict[bytes, bytes]:
    """The first value of each header name, as Starlette's `Headers.get` reads them (later
    pairs are written first, so the first one stays); read once per request and kept in
    the scope (`_authenticate` reads the session id from it, `eligible` the rest)."""
    found: dict[bytes, bytes] | None = scope.get(_FIRST)
    if found is None:
        found = scope[_FIRST] = dict(reversed(scope["headers"]))
    return found


class FirstHeaders:
    """`first_headers` read as Starlette's `Headers.get` reads a name (the first value,
    Latin-1 text; the name lower-cased), for code written against `Headers`."""

    __slots__ = ("_found",)

    def __init__(self, found: dict[bytes, bytes]) -> None:
        self._found = found

    def get(self, name: str, default: str | None = None) -> str | None:
        value = self._found.get(name.lower().encode("latin-1"))
        return default if value is None else value.decode("latin-1")


def eligible(scope: Scope) -> int | None:
    """The body length when the headers alone qualify the request, else None."""
    if scope["method"] != "POST":
        return None
    found = first_headers(scope)
    pv, method = found.get(_PV), found.get(_METHOD)
    ctype, accept, length = (
        found.get(b"content-type"),
        found.get(b"accept"),
        found.get(b"content-length"),
    )
    if method != b"tools/call" or pv not in _MODERN:
        return None
    if ctype is None or not ctype.lower().startswith(b"application/json"):
        return None
    if accept is None or length is None:
        return None
    ok = _ACCEPTS.get(accept)
    if ok is None:
        ok = _accepts_json(accept.decode("latin-1"))
        if len(_ACCEPTS) > 256:
            _ACCEPTS.clear()
        _ACCEPTS[accept] = ok
    if not ok:
        return None
    try:
        n = int(length)
    except ValueError:
        return None
    return n if 0 <= n <= DEFAULT_MAX_REQUEST_BODY_SIZE else None


class BodyTooLong(Exception):
    """More body than the request's Content-Length announced."""


async def read_body(receive: Receive, length: int) -> bytes | None:
    """The body, or None when the client went away (nobody to answer)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > length:
            raise BodyTooLong()
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def replay(body: bytes, receive: Receive) -> Receive:
    """A `receive` that yields the already-read body first (for the SDK fallback)."""
    sent = False

    async def again() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return again


def accept(
    scope: Scope, body: bytes, input_schema: Callable[[str], Any]
) -> tuple[Any, InboundModernRoute, types.CallToolRequestParams] | None:
    """(request id, route, params) when the SDK would dispatch this request to its
    `tools/call` handler without a refusal; None: let the SDK answer it."""
    try:
        decoded = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    if type(decoded) is not dict or "id" not in decoded or decoded.get("method") != "tools/call":
        return None
    rid, params = decoded["id"], decoded.get("params")
    # `JSONRPCRequest.model_validate(decoded)`, written out for decoded JSON (whose values
    # are exactly dict, list, str, int, float, bool or None): `jsonrpc` the literal "2.0",
    # `id` a strict int (no bool) or a string, `method` a string, `params` an object or
    # absent/null; nothing else is checked (`tests/mcp/test_mcp_hop_parity.py`).
    if (
        decoded.get("jsonrpc") != "2.0"
        or (type(rid) is not int and type(rid) is not str)
        or (params is not None and type(params) is not dict)
    ):
        return None
    headers: dict[str, str] | None = None
    plain = _plain_call(scope, params)
    if plain is not None:
        route = InboundModernRoute(
            protocol_version=plain[0], client_info=plain[1], client_capabilities=plain[2]
        )
    else:
        headers = _routing_headers(scope)
        if headers is None:
            return None
        found = classify_inbound_request(decoded, headers=headers)
        if not isinstance(found, InboundModernRoute):
            return None
        route = found
        try:
            _client_surface(route.protocol_version, params)
        except (ValidationError, KeyError, ValueError):
            return None
    try:
        typed = types.CallToolRequestParams.model_validate(params or {}, by_name=False)
    except (ValidationError, KeyError, ValueError):
        return None
    arguments = typed.arguments or {}
    if arguments or (headers is not None and any(h.startswith(_PARAM) for h in headers)):
        schema = input_schema(typed.name)
        if schema is not None and _annotated(schema):
            if headers is None:
                headers = _routing_headers(scope)
                assert headers is not None  # a plain call's headers name no routing one twice
            if validate_mcp_param_headers(schema, arguments, headers) is not None:
                return None
    return rid, route, typed


#: The keys of a plain call's params and of its `_meta`'s client capabilities and client
#: info that `_plain_call` leaves to the SDK's checks (fields of the version's surface that
#: could refuse a value; a key no model reads is ignored by all of them).
_PLAIN_PARAMS = frozenset(("name", "arguments", "_meta"))
_CAPABILITY_FIELDS = frozenset(("elicitation", "experimental", "extensions", "roots", "sampling"))
_INFO_FIELDS = frozenset(("icons", "websiteUrl"))
_PLAIN_PV = {v: v.encode("latin-1") for v in PLAIN_VERSIONS}
_NAME = MCP_NAME_HEADER.lower().encode()


def _plain_call(scope: Scope, params: Any) -> tuple[str, Any, Any] | None:
    """(protocol version, client info, client capabilities) of a plain call, which the
    SDK's ladder (`classify_inbound_request` over `_routing_headers`) routes and the
    version's params surface (`_client_surface`) accepts: params with only `name` (a
    string), `arguments` (an object or null) and `_meta`; a `_meta` with the envelope's
    version (one `PLAIN_VERSIONS` names) and capabilities (an object without the fields
    the surface types), a client info absent, null or `name` and `version` strings (and
    `title`, `description` strings or null) without `icons` or `websiteUrl`, no log level
    and no progress token; headers lower-case, none named twice, none `Mcp-Param-*`,
    the routing ones equal to the body's (`Mcp-Name` verbatim, ASCII, not base64).
    Anything else: None, and `accept` runs the SDK's checks (`tests/mcp/
    test_mcp_plain_parity.py` compares the two ways on generated requests). Why: they
    were ~85 K instructions per call, ~8 % of the bare hop."""
    if type(params) is not dict or not params.keys() <= _PLAIN_PARAMS:
        return None
    name, meta, arguments = params.get("name"), params.get("_meta"), params.get("arguments")
    if type(name) is not str or type(meta) is not dict:
        return None
    if arguments is not None and type(arguments) is not dict:
        return None
    version, caps = meta.get(PROTOCOL_VERSION_META_KEY), meta.get(CLIENT_CAPABILITIES_META_KEY)
    if type(version) is not str or version not in _PLAIN_PV:
        return None
    if type(caps) is not dict or not caps.keys().isdisjoint(_CAPABILITY_FIELDS):
        return None
    if LOG_LEVEL_META_KEY in meta or "progressToken" in meta:
        return None
    info = meta.get(CLIENT_INFO_META_KEY)
    if info is not None and (
        type(info) is not dict
        or type(info.get("name")) is not str
        or type(info.get("version")) is not str
        or not info.keys().isdisjoint(_INFO_FIELDS)
        or type(info.get("title", "")) not in (str, type(None))
        or type(info.get("description", "")) not in (str, type(None))
    ):
        return None
    found = first_headers(scope)
    if len(found) != len(scope["headers"]):  # a name twice: the SDK's duplicate check
        return None
    names = b"".join(found)
    # Upper-case letters anywhere (the ladder lower-cases names) or an Mcp-Param-* header
    # (anywhere in the joined names, so perhaps across two: the longer way then) go on.
    if not names.islower() or _PARAM_B in names:
        return None
    if (
        found.get(_PV) != _PLAIN_PV[version]
        or found.get(_METHOD) != b"tools/call"
        or not name.isascii()
        or name.startswith("=?")
        or found.get(_NAME) != name.encode("ascii")
    ):
        return None
    return version, info, caps


#: `find_duplicated_routing_header`'s names (lower-case, as the SDK writes them).
_ROUTING = frozenset(
    h.encode("latin-1") for h in (MCP_PROTOCOL_VERSION_HEADER, MCP_METHOD_HEADER, MCP_NAME_HEADER)
)
_PARAM_B = _PARAM.encode("latin-1")


def _routing_headers(scope: Scope) -> dict[str, str] | None:
    """The headers the SDK's inbound checks read (`classify_inbound_request`: the three
    routing headers; `validate_mcp_param_headers`: `Mcp-Param-*`), as `dict(raw)` of
    all the decoded headers holds them (the last of a name); None when a routing header
    comes twice (`find_duplicated_routing_header`). Lower-casing the raw bytes finds the
    same names as lower-casing their Latin-1 text: no Latin-1 letter outside ASCII
    lower-cases to an ASCII one."""
    picked: dict[str, str] = {}
    seen: set[bytes] = set()
    for k, v in scope["headers"]:
        key = k.lower()
        if key in _ROUTING:
            if key in seen:
                return None
            seen.add(key)
        elif not key.startswith(_PARAM_B):
            continue
        picked[k.decode("latin-1")] = v.decode("latin-1")
    return picked


#: The surface's request model per version (`_client_surface`).
_SURFACE: dict[str, type[BaseModel]] = {}


def _client_surface(version: str, params: Any) -> None:
    """`methods.validate_client_request("tools/call", version, params)`: for the versions
    `PLAIN_VERSIONS` names, its request model (`jsonrpc`, `id`, `method`, `params`; no
    model validator) can refuse only through `params` (the rest is its own stub), so the
    `params` model is validated alone, as the SDK validates it (`by_name=False`)."""
    model = _SURFACE.get(version)
    if model is None:
        if version not in PLAIN_VERSIONS:
            _methods.validate_client_request("tools/call", version, params)
            return
        found = _methods.CLIENT_REQUESTS[("tools/call", version)].model_fields["params"]
        assert isinstance(found.annotation, type) and issubclass(found.annotation, BaseModel)
        model = _SURFACE[version] = found.annotation
    model.model_validate(params, by_name=False)


#: schema id -> (schema, whether it declares valid `x-mcp-header` annotations); the
#: listing's schema objects are reused until the next listing, so the walk runs once each.
_ANNOTATED: dict[int, tuple[Any, bool]] = {}


def _annotated(schema: Any) -> bool:
    """Whether the SDK's `Mcp-Param-*` check can refuse anything for this schema: it checks
    nothing for a schema with no annotation, or with an invalid one."""
    hit = _ANNOTATED.get(id(schema))
    if hit is None or hit[0] is not schema:
        marked = find_invalid_x_mcp_header(schema) is None and bool(x_mcp_header_map(schema))
        if len(_ANNOTATED) > 10_000:
            _ANNOTATED.clear()
        hit = _ANNOTATED[id(schema)] = (schema, marked)
    return hit[1]


def shape(
    result: types.CallToolResult, version: str, server_info: dict[str, Any]
) -> dict[str, Any]:
    """The wire form of a handler's result, as the SDK runner shapes it for `version`."""
    plain = _plain(result, version, server_info)
    return plain if plain is not None else sdk_shape(result, version, server_info)


def _plain(
    result: types.CallToolResult, version: str, server_info: dict[str, Any]
) -> dict[str, Any] | None:
    """`sdk_shape`'s answer for a plain text result, written out: content only text
    blocks with no annotations or `_meta`, no `structuredContent`, no `_meta`, a boolean
    `isError`, `resultType` "complete". For such a result the SDK's way (the model's
    dump, the version's surface validated and dumped again) hands back these keys in this
    order, the values unchanged, and adds the `serverInfo` stamp; anything else: None
    (`tests/mcp/test_mcp_hop_parity.py` compares the two on generated results, bytes
    included). Why: that way is ~85 K instructions per call, ~7 % of the bare hop."""
    if (
        version not in PLAIN_VERSIONS
        or type(result) is not types.CallToolResult
        or result.meta is not None
        or result.structured_content is not None
        or result.result_type != "complete"
        or type(result.is_error) is not bool
    ):
        return None
    blocks: list[dict[str, Any]] = []
    for block in result.content:
        if (
            type(block) is not types.TextContent
            or block.annotations is not None
            or block.meta is not None
            or type(block.text) is not str
            or block.type != "text"
        ):
            return None
        blocks.append({"text": block.text, "type": "text"})
    return {
        "content": blocks,
        "isError": result.is_error,
        "resultType": "complete",
        "_meta": {SERVER_INFO_META_KEY: server_info},
    }


def sdk_shape(
    result: types.CallToolResult, version: str, server_info: dict[str, Any]
) -> dict[str, Any]:
    """The wire form of a handler's result, the SDK runner's way."""
    dumped = result.model_dump(by_alias=True, mode="json", exclude_none=True)
    kind = dumped.get("resultType")
    if not isinstance(kind, str) or kind in CORE_RESULT_TYPES:
        try:
            dumped = _methods.serialize_server_result("tools/call", version, dumped)
        except ValidationError:
            log.exception("mcp: the tools/call handler returned an invalid result")
            raise MCPError(INTERNAL_ERROR, "Handler returned an invalid result") from None
    dumped.setdefault("resultType", "complete")
    meta = dumped.get("_meta")
    if not isinstance(meta, dict) or meta.get(SERVER_INFO_META_KEY) is None:
        dumped["_meta"] = {
            **(meta if isinstance(meta, dict) else {}),
            SERVER_INFO_META_KEY: server_info,
        }
    return dumped


async def answer(
    send: Send,
    rid: Any,
    version: str,
    server_info: dict[str, Any],
    run: Callable[[], Awaitable[types.CallToolResult]],
) -> None:
    """Run the handler and send its JSON-RPC response (errors as the SDK maps them)."""
    status = 200
    try:
        result = await run()
        message: dict[str, Any] = {
            "jsonrpc": "2.0",
            "id": rid,
            "result": shape(result, version, server_info),
        }
    except Exception as exc:  # noqa: BLE001 - mapped to the wire as the SDK maps it
        error = modern_error_data(exc)
        status = ERROR_CODE_HTTP_STATUS.get(error.code, 200)
        message = {
            "jsonrpc": "2.0",
            "id": rid,
            "error": error.model_dump(by_alias=True, mode="json", exclude_none=True),
        }
    body = orjson.dumps(message)
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
