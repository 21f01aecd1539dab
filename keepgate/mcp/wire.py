"""`tools/call` to a Streamable HTTP upstream as one plain JSON-RPC POST (the fast lane).

Why: on the 2026-07-28 protocol a request is self-contained (no handshake, no session:
the version, client info and capabilities ride in `params._meta` and headers), so after
the SDK `Client` has discovered the server, a call needs nothing of the SDK's client
machinery (a dispatcher over memory streams, a task per POST, httpx2 writing headers and
body separately). Measured in one process against the demo server (2026-12-06, a busy
box), the SDK client spent ~1.5 ms of CPU per call and this lane ~0.4 ms, result
validation included (end to end: `bench/mcp_gateway.py`, docs/mcp.md "Measured").

What stays the SDK's: discovery and version negotiation, `tools/list`, every other
transport and protocol era (the lane is only used when the SDK negotiated a modern
version over Streamable HTTP), and the protocol's own codecs: `Mcp-Method`/`Mcp-Name`
headers, `Mcp-Param-*` headers from the tool's `x-mcp-header` annotations, and the
result checked against the negotiated version's schema before the pydantic model is
built. One keep-alive `aiohttp` session per upstream; a POST is never retried (a tool
call may have side effects). Any transport failure is a `LaneError`: the caller drops the
connection and the next call discovers the server again.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Mapping
from typing import Any

import aiohttp
import mcp_types as types
from aiohttp.helpers import get_env_proxy_for_url
import orjson
from mcp import MCPError
from mcp.shared.inbound import (
    MCP_METHOD_HEADER,
    MCP_NAME_HEADER,
    MCP_PROTOCOL_VERSION_HEADER,
    encode_header_value,
    mcp_param_headers,
    x_mcp_header_map,
)
from mcp_types import CLIENT_CAPABILITIES_META_KEY, CLIENT_INFO_META_KEY, PROTOCOL_VERSION_META_KEY
from mcp_types import methods as _methods
from mcp_types.version import MODERN_PROTOCOL_VERSIONS
from pydantic import TypeAdapter, ValidationError
from yarl import URL

from keepgate.mcp.h1 import H1Error, H1Origin
from keepgate.mcp.settings import MAX_ANSWER_BYTES

log = logging.getLogger("keepgate.mcp")
#: An upstream answer larger than this is refused (results are capped far below anyway).
MAX_BODY_BYTES = MAX_ANSWER_BYTES
_RESULT = TypeAdapter(types.CallToolResult | types.InputRequiredResult)
_CALL = TypeAdapter(types.CallToolResult)
_TEXT = TypeAdapter(types.TextContent)
#: Keys of the protocol's own `_meta` stamps (serverInfo...): an upstream's are not relayed.
STAMP_PREFIX = "io.modelcontextprotocol/"


@functools.cache
def _surface(version: str) -> TypeAdapter[Any]:
    """The `tools/call` result type of one protocol version (SDK's SERVER_RESULTS)."""
    target: Any = _methods.SERVER_RESULTS[("tools/call", version)]
    return TypeAdapter(target)


#: The protocol versions whose `tools/call` result surface `plain_surface` and
#: `keepgate.mcp.fastpath.shape` were written against (the SDK's `mcp_types._v2026_07_28`);
#: any other version takes the SDK's own validation and dump.
PLAIN_VERSIONS = frozenset({"2026-07-28"})


def plain_surface(version: str, raw: dict[str, Any]) -> bool:
    """Whether `version`'s `tools/call` result surface certainly accepts `raw` (a decoded
    JSON object), without running it: `content` a list of plain text blocks (`type`
    "text", a string `text`, no `annotations` or `_meta`), `resultType` a string,
    `isError` a boolean or null, `_meta` an object or null. The surface's `CallToolResult`
    ignores keys it does not define, takes any `structuredContent` and any object as
    `_meta` (its `ResultMetaObject` allows every key): nothing else in `raw` can make it
    refuse. False: run the surface (every refusal stays the validation's own;
    `tests/mcp/test_mcp_hop_parity.py` checks the two agree on generated results).

    Why: the surface's content union tries every block type for every block (~45 K
    instructions for a one-block result, ~4 % of the bare hop)."""
    if version not in PLAIN_VERSIONS:
        return False
    content = raw.get("content")
    if type(content) is not list or type(raw.get("resultType")) is not str:
        return False
    is_error = raw.get("isError")
    if is_error is not None and type(is_error) is not bool:
        return False
    meta = raw.get("_meta")
    if meta is not None and type(meta) is not dict:
        return False
    for block in content:
        if (
            type(block) is not dict
            or block.get("type") != "text"
            or type(block.get("text")) is not str
            or block.get("annotations") is not None
            or block.get("_meta") is not None
        ):
            return False
    return True


class LaneError(Exception):
    """The POST failed below JSON-RPC: `kind` is unreachable | closed | protocol."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


def usable(protocol_version: str | None) -> bool:
    """Whether a connection on this version can take the lane (self-contained requests)."""
    return protocol_version in MODERN_PROTOCOL_VERSIONS


class HttpLane:
    """One upstream's lane: its keep-alive HTTP session lives as long as the upstream; the
    protocol version is the one the SDK negotiated on the current connection (`bind`)."""

    def __init__(
        self, url: str, headers: Mapping[str, str], client_info: Mapping[str, Any]
    ) -> None:
        self.url = url
        self.version: str | None = None
        #: Bytes one answer may have (`mcp_servers.<name>.max_answer_bytes`).
        self.max_bytes = MAX_BODY_BYTES
        agent = (
            {}
            if any(k.lower() == "user-agent" for k in headers)
            else {"User-Agent": f"keepgate/{client_info.get('version', '')} (mcp lane)"}
        )
        self._base = {
            **agent,
            **headers,
            "Accept": "application/json, text/event-stream",
            "Content-Type": "application/json",
            MCP_METHOD_HEADER: "tools/call",
        }
        self._client_info = dict(client_info)
        self._headers: dict[str, str] = {}
        self._meta: dict[str, Any] = {}
        self._origin: H1Origin | None = None
        self._origin_url: str | None = None
        self._session: aiohttp.ClientSession | None = None
        self._proxy: Any = None
        self._proxy_auth: Any = None
        self._next_id = 0
        self._param_maps: dict[str, tuple[Any, dict[tuple[str, ...], str]]] = {}
        #: (tool, Mcp-Param-* items) -> the request's headers (`_request_headers`).
        self._built: dict[tuple[str, tuple[tuple[str, str], ...]], dict[str, str]] = {}

    def bind(self, protocol_version: str | None) -> bool:
        """Use the lane on a connection that negotiated `protocol_version` (False: it cannot:
        calls go through the SDK client)."""
        if not usable(protocol_version):
            self.version = None
            return False
        assert protocol_version is not None
        self.version = protocol_version
        self._headers = {**self._base, MCP_PROTOCOL_VERSION_HEADER: protocol_version}
        self._built = {}
        self._meta = {
            PROTOCOL_VERSION_META_KEY: protocol_version,
            CLIENT_INFO_META_KEY: self._client_info,
            CLIENT_CAPABILITIES_META_KEY: {},
        }
        return True

    def _route(self) -> H1Origin | None:
        """The origin's own connections, or None: through the environment's proxy
        (HTTP(S)_PROXY / NO_PROXY, as the SDK's httpx2 client honours them), with aiohttp.
        Both read the proxy once, here: aiohttp's `trust_env` would read it, and .netrc, in
        a worker thread on every request."""
        if self._origin is not None and self._origin_url == self.url:
            return self._origin
        if self._session is not None and self._origin_url == self.url:
            return None
        self._close_routes()
        self._origin_url = self.url
        try:
            self._proxy, self._proxy_auth = get_env_proxy_for_url(URL(self.url))
        except LookupError:
            self._proxy, self._proxy_auth = None, None
        if self._proxy is None:
            self._origin = H1Origin(self.url)
            return self._origin
        # No cookie jar: one upstream session serves every principal, so nothing one
        # call receives may ride on another's. Idle connections close after 4 s, as H1Origin's.
        self._session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=100, keepalive_timeout=4.0, ttl_dns_cache=300),
            cookie_jar=aiohttp.DummyCookieJar(),
            trust_env=False,
        )
        return None

    def _close_routes(self) -> Any:
        if self._origin is not None:
            self._origin.close()
            self._origin = None
        session, self._session = self._session, None
        return session.close() if session is not None and not session.closed else None

    async def aclose(self) -> None:
        closing = self._close_routes()
        if closing is not None:
            await closing

    def _param_headers(
        self, name: str, schema: Any, arguments: Mapping[str, Any]
    ) -> dict[str, str]:
        """`Mcp-Param-*` for the arguments the tool's schema marks with `x-mcp-header`."""
        if not isinstance(schema, dict):
            return {}
        hit = self._param_maps.get(name)
        if hit is None or hit[0] is not schema:  # once per listing of the tool
            marked = "x-mcp-header" in json.dumps(schema)
            hit = (schema, x_mcp_header_map(schema) if marked else {})
            self._param_maps[name] = hit
        return mcp_param_headers(hit[1], arguments) if hit[1] else {}

    def _request_headers(self, name: str, params: dict[str, str]) -> dict[str, str]:
        """The POST's headers, one dict per tool and `Mcp-Param-*` values (reused, so the
        origin writes its head once for it; never changed once built)."""
        key = (name, tuple(params.items())) if params else (name, ())
        headers = self._built.get(key)
        if headers is None:
            if len(self._built) > 1024:
                self._built.clear()
            headers = self._built[key] = {
                **self._headers,
                MCP_NAME_HEADER: encode_header_value(name),
                **params,
            }
        return headers

    async def call_tool(
        self, name: str, arguments: dict[str, Any], schema: Any
    ) -> types.CallToolResult | types.InputRequiredResult:
        self._next_id += 1
        rid = self._next_id
        body = orjson.dumps(
            {
                "jsonrpc": "2.0",
                "id": rid,
                "method": "tools/call",
                "params": {"name": name, "arguments": arguments, "_meta": self._meta},
            }
        )
        headers = self._request_headers(name, self._param_headers(name, schema, arguments))
        origin = self._route()
        if origin is None:
            message, status = await self._via_proxy(body, headers, rid)
        else:
            message, status = await self._direct(origin, body, headers, rid)
        return self._result(message, rid, status)

    async def _direct(
        self, origin: H1Origin, body: bytes, headers: dict[str, str], rid: int
    ) -> tuple[Any, int]:
        def stream(status: int, got: dict[str, str]) -> Any:
            if status == 200 and _ctype(got.get("content-type")) == "text/event-stream":
                return SseReader(rid, self.max_bytes)
            return None

        try:
            answer = await origin.post(
                origin.head(headers, len(body)), body, self.max_bytes, stream
            )
        except H1Error as exc:
            raise LaneError(exc.kind, exc.message) from None
        except ValueError as exc:  # a header that cannot be sent
            raise LaneError("protocol", str(exc)[:200]) from None
        if answer.early is not None:
            return answer.early, answer.status
        ctype = _ctype(answer.headers.get("content-type"))
        if ctype == "text/event-stream" and answer.status == 200:
            raise LaneError("closed", "the event stream ended before the answer")
        return _decode(answer.body, answer.status, ctype), answer.status

    async def _via_proxy(self, body: bytes, headers: dict[str, str], rid: int) -> tuple[Any, int]:
        assert self._session is not None
        try:
            async with self._session.post(
                self.url,
                data=body,
                headers=headers,
                allow_redirects=False,
                proxy=self._proxy,
                proxy_auth=self._proxy_auth,
            ) as resp:
                ctype = _ctype(resp.headers.get("Content-Type"))
                if ctype == "text/event-stream" and resp.status == 200:
                    message = await _sse_answer(resp, rid, self.max_bytes)
                else:
                    message = _decode(await _read_all(resp, self.max_bytes), resp.status, ctype)
                return message, resp.status
        except (aiohttp.ServerDisconnectedError, aiohttp.ClientPayloadError) as exc:
            raise LaneError("closed", type(exc).__name__) from None
        except (aiohttp.ClientError, OSError) as exc:
            raise LaneError("unreachable", type(exc).__name__) from None

    def _result(
        self, message: Any, rid: int, status: int
    ) -> types.CallToolResult | types.InputRequiredResult:
        error = message.get("error") if isinstance(message, dict) else None
        # A JSON-RPC error answers the call (id null: the server could not read the id).
        if isinstance(error, dict) and message.get("id") in (rid, None):
            code = error.get("code")
            raise MCPError(
                code if isinstance(code, int) else -32603,
                str(error.get("message") or "error")[:500],
                error.get("data"),
            )
        if status != 200:
            raise LaneError("protocol", f"HTTP {status} without a JSON-RPC error")
        if not isinstance(message, dict) or message.get("id") != rid:
            raise LaneError("protocol", "the answer is not the JSON-RPC response to the call")
        raw = message.get("result")
        if not isinstance(raw, dict):
            raise LaneError("protocol", "the JSON-RPC response has no result")
        try:
            assert self.version is not None
            ttl = raw.get("ttlMs")
            if isinstance(ttl, (int, float)) and not isinstance(ttl, bool) and ttl < 0:
                raw["ttlMs"] = 0  # as the SDK client does (a caching SHOULD, not a failure)
            # The SDK's validate_server_result also dumps what it validated, and drops the
            # dump: validating against the version's surface alone is the same check. A
            # plain text result is one the surface certainly accepts (`plain_surface`).
            plain = plain_surface(self.version, raw)
            if not plain:
                _surface(self.version).validate_python(raw, by_name=False)
            meta = raw.get("_meta")
            if isinstance(meta, dict) and any(
                isinstance(k, str) and k.startswith(STAMP_PREFIX) for k in meta
            ):
                # The upstream's protocol stamps (its serverInfo...) are not ours to relay:
                # left out here, the model needs no copy without them later (the gateway's
                # own filter finds nothing). `_meta` is a plain dict on the model.
                kept = {k: v for k, v in meta.items() if not k.startswith(STAMP_PREFIX)}
                if kept:
                    raw["_meta"] = kept
                else:
                    del raw["_meta"]
            if plain:
                # The model's content union tries every block kind on every block; a plain
                # text block can only be a TextContent (the one kind whose `type` is
                # "text"): validated as one, the union takes the instance as it is.
                raw["content"] = [_TEXT.validate_python(b, by_name=False) for b in raw["content"]]
                if raw["resultType"] != "input_required":
                    # The union's other member cannot take it (its `resultType` is the
                    # literal "input_required"): the union's answer is this model's.
                    return _CALL.validate_python(raw, by_name=False)
            return _RESULT.validate_python(raw, by_name=False)
        except (ValidationError, ValueError) as exc:
            raise LaneError(
                "protocol", f"invalid tools/call result ({type(exc).__name__})"
            ) from None


async def _read_all(resp: aiohttp.ClientResponse, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in resp.content.iter_chunked(1 << 16):
        size += len(chunk)
        if size > limit:
            raise LaneError("protocol", f"answer larger than {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _decode(raw: bytes, status: int, ctype: str) -> Any:
    if ctype != "application/json":
        raise LaneError("protocol", f"HTTP {status} with content type {ctype or 'none'}")
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise LaneError("protocol", f"HTTP {status} with a body that is not JSON") from None


def _ctype(value: str | None) -> str:
    return (value or "").split(";")[0].strip().lower()


class SseReader:
    """Reads an event stream chunk by chunk for the JSON-RPC response with id `rid`
    (notifications — progress, logs — are skipped: the gateway relays none of them).
    Returns the response when it is complete, else None.

    The unfinished last line is kept as its pieces and joined once its end arrives: joined
    at every chunk, a long line (one big result, in 64 KiB reads) cost time quadratic in
    its length on the event loop (red team round 5: 30 s of CPU for 62 MiB)."""

    def __init__(self, rid: int, limit: int = MAX_BODY_BYTES) -> None:
        self.rid = rid
        self.size = 0
        self.limit = limit
        self._partial: list[bytes] = []
        self._data: list[bytes] = []

    def __call__(self, chunk: bytes) -> Any:
        self.size += len(chunk)
        if self.size > self.limit:
            raise LaneError("protocol", f"event stream larger than {self.limit} bytes")
        if b"\n" not in chunk:
            self._partial.append(chunk)
            return None
        if self._partial:
            self._partial.append(chunk)
            chunk = b"".join(self._partial)
            self._partial.clear()
        lines = chunk.split(b"\n")
        tail = lines.pop()
        if tail:
            self._partial.append(tail)
        for line in lines:
            found = self._line(line.rstrip(b"\r"))
            if found is not None:
                return found
        return None

    def _line(self, line: bytes) -> Any:
        if line.startswith(b"data:"):
            self._data.append(line[5:].removeprefix(b" "))
            return None
        if line or not self._data:
            return None  # event:, id:, retry:, comments; or a blank line with no data
        try:
            message = orjson.loads(b"\n".join(self._data))
        except orjson.JSONDecodeError:
            raise LaneError("protocol", "an event that is not JSON") from None
        self._data = []
        if isinstance(message, dict) and "method" not in message and message.get("id") == self.rid:
            return message
        return None


async def _sse_answer(resp: aiohttp.ClientResponse, rid: int, limit: int) -> Any:
    reader = SseReader(rid, limit)
    async for chunk in resp.content.iter_any():
        found = reader(chunk)
        if found is not None:
            return found
    raise LaneError("closed", "the event stream ended before the answer")
