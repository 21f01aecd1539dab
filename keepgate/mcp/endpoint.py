"""The MCP endpoints clients connect to, served by the official SDK's low-level `Server`.

    /mcp                      every server the key may reach, tools named <server>__<tool>
    /mcp/{server}             one upstream server, tools under their own names
    /mcp/sse, /mcp/{server}/sse   the same over the older HTTP+SSE transport
                                  (messages are POSTed to .../messages/?session_id=...)

Streamable HTTP serves both protocol eras (the 2026 per-request envelope and the
initialize handshake); stateless by default, so any replica answers any request. Every
request must carry a Keepgate key (`Authorization: Bearer`, `x-api-key` or `api-key`): a
missing or wrong key is a 401 before the SDK sees the body, and an SDK session (stateful
HTTP or SSE) is bound to the key that opened it.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import mcp_types as types
from mcp import MCPError
from mcp.server.auth.middleware.bearer_auth import AuthenticatedUser
from mcp.server.auth.provider import AccessToken
from mcp.server.lowlevel import Server
from mcp.server.sse import SseServerTransport
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from mcp_types.jsonrpc import INTERNAL_ERROR
from starlette.applications import Starlette
from starlette.middleware.exceptions import ExceptionMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from keepgate.auth.request import ConflictingKeys, conflicting_keys_error, key_in_headers
from keepgate.errors import APIError
from keepgate.mcp import fastpath
from keepgate.mcp.service import McpGateway
from keepgate.mcp.sessions import BadSessionId, session_id
from keepgate.mcp.store import StoreUnavailable
from keepgate.mcp.upstream import UpstreamError

PRINCIPAL = "keepgate.principal"


def _caller(ctx: Any) -> tuple[Any, str]:
    request: Request = ctx.request
    principal = request.scope[PRINCIPAL]
    return principal, request.scope["keepgate.session"]


def build_server(gw: McpGateway, endpoint: str | None) -> Server:
    async def list_tools(ctx: Any, params: Any) -> types.ListToolsResult:
        principal, session = _caller(ctx)
        try:
            return types.ListToolsResult(tools=await gw.list_tools(principal, endpoint, session))
        except UpstreamError as exc:  # a listing has no isError form: a JSON-RPC error
            raise MCPError(INTERNAL_ERROR, f"{exc.message}; no tools can be listed") from None
        except StoreUnavailable:
            raise MCPError(
                INTERNAL_ERROR, "Keepgate's MCP store is unreachable; no tools can be listed"
            ) from None

    async def call_tool(ctx: Any, params: types.CallToolRequestParams) -> types.CallToolResult:
        principal, session = _caller(ctx)
        return await gw.call_tool(
            principal, endpoint, session, params.name, dict(params.arguments or {})
        )

    from keepgate import __version__

    server = Server(
        f"keepgate-{endpoint or 'mcp'}",
        version=__version__,
        title="Keepgate" + (f" ({endpoint})" if endpoint else ""),
        on_list_tools=list_tools,
        on_call_tool=call_tool,
        get_tool_input_schema=lambda name: gw.input_schema(endpoint, name),
        **(_content_handlers(gw, endpoint) if endpoint is not None else {}),
    )
    # Keepgate traces each MCP request itself (its own tracer provider); the SDK's default
    # OpenTelemetry middleware would add a span per message on the global provider.
    server.middleware = []
    return server


def _content_handlers(gw: McpGateway, server: str) -> dict[str, Any]:
    """resources/* and prompts/* of one server (`keepgate.mcp.content`)."""
    content = gw.content

    async def list_resources(ctx: Any, params: Any) -> types.ListResourcesResult:
        principal, session = _caller(ctx)
        return types.ListResourcesResult(
            resources=await content.list_resources(principal, server, session)
        )

    async def list_templates(ctx: Any, params: Any) -> types.ListResourceTemplatesResult:
        principal, session = _caller(ctx)
        return types.ListResourceTemplatesResult(
            resource_templates=await content.list_resource_templates(principal, server, session)
        )

    async def read_resource(
        ctx: Any, params: types.ReadResourceRequestParams
    ) -> types.ReadResourceResult:
        principal, session = _caller(ctx)
        return await content.read_resource(principal, server, session, params.uri)

    async def list_prompts(ctx: Any, params: Any) -> types.ListPromptsResult:
        principal, session = _caller(ctx)
        return types.ListPromptsResult(
            prompts=await content.list_prompts(principal, server, session)
        )

    async def get_prompt(ctx: Any, params: types.GetPromptRequestParams) -> types.GetPromptResult:
        principal, session = _caller(ctx)
        return await content.get_prompt(principal, server, session, params.name, params.arguments)

    return {
        "on_list_resources": list_resources,
        "on_list_resource_templates": list_templates,
        "on_read_resource": read_resource,
        "on_list_prompts": list_prompts,
        "on_get_prompt": get_prompt,
    }


class Endpoint:
    """One MCP endpoint: its SDK server, Streamable HTTP session manager and SSE transport."""

    def __init__(self, gw: McpGateway, name: str | None, stateless: bool) -> None:
        self.name = name
        self.server = build_server(gw, name)
        self.manager = StreamableHTTPSessionManager(
            self.server, json_response=True, stateless=stateless
        )
        #: Plain modern tools/call skip the SDK's per-request server (no server-wide
        #: middleware or cache hints here for it to miss).
        self.fast = (
            gw.settings.fast_path and not self.server.middleware and not self.server.cache_hints
        )
        #: The SDK deep-copies its serverInfo stamp on every access; the fast path embeds
        #: it in a response that is serialised at once and never mutated, so one copy does.
        self.stamp = self.server.server_info_stamp
        base = "/mcp" if name is None else f"/mcp/{name}"
        self.sse = SseServerTransport(base + "/messages/")

    async def handle_sse(self, scope: Scope, receive: Receive, send: Send) -> None:
        async with self.sse.connect_sse(scope, receive, send) as (read, write):
            await self.server.run(read, write, self.server.create_initialization_options())


class McpRoutes:
    """ASGI entry: authenticate, pick the endpoint, hand the request to the SDK."""

    def __init__(self, gw: McpGateway) -> None:
        self.gw = gw
        stateless = gw.settings.stateless_http
        self.endpoints: dict[str | None, Endpoint] = {None: Endpoint(gw, None, stateless)}
        for name in gw.servers:
            self.endpoints[name] = Endpoint(gw, name, stateless)
        self._task: asyncio.Task[None] | None = None
        self._stop: asyncio.Event | None = None
        #: key id -> the SDK's view of the caller (read only by the SDK).
        self._users: dict[str, AuthenticatedUser] = {}
        #: The routes `routes()` made, in order.
        self.mounted: list[Route] = []

    # -- lifecycle: the session managers' task groups live in one background task ----------

    async def start(self) -> None:
        ready = asyncio.get_running_loop().create_future()
        self._stop = asyncio.Event()

        async def hold() -> None:
            try:
                async with contextlib.AsyncExitStack() as stack:
                    for ep in self.endpoints.values():
                        await stack.enter_async_context(ep.manager.run())
                    ready.set_result(None)
                    assert self._stop is not None
                    await self._stop.wait()
            except BaseException as exc:
                if not ready.done():
                    ready.set_exception(exc)
                raise

        self._task = asyncio.get_running_loop().create_task(hold(), name="mcp-endpoints")
        await ready

    async def aclose(self) -> None:
        if self._stop is not None:
            self._stop.set()
        if self._task is not None:
            with contextlib.suppress(BaseException):
                await asyncio.wait_for(self._task, 10)
        await self.gw.aclose()

    # -- requests ------------------------------------------------------------------------

    def _authenticate(self, scope: Scope, endpoint: str | None) -> None:
        # One reading of the headers for the session id here and `fastpath.eligible` next
        # (Starlette's `Request.headers` built its own list and scanned it per name).
        first = fastpath.first_headers(scope)
        try:
            raw = key_in_headers(scope.get("headers") or ())
        except ConflictingKeys:
            raise conflicting_keys_error({"WWW-Authenticate": "Bearer"}) from None
        principal = self.gw.rt.keys.resolve(raw)
        if principal is None:
            raise APIError(
                401,
                "Missing API key." if not raw else "Incorrect API key provided.",
                code="invalid_api_key",
                headers={"WWW-Authenticate": "Bearer"},
            )
        if endpoint is not None and not self.gw.may_reach(principal, endpoint):
            raise APIError(
                403,
                f"This key may not use the MCP server '{endpoint}'.",
                code="mcp_server_not_allowed",
            )
        try:
            # The query string is parsed only when no header names the session (SSE).
            scope["keepgate.session"] = session_id(
                fastpath.FirstHeaders(first), lambda: Request(scope).query_params
            )
        except BadSessionId as exc:
            raise APIError(
                400, str(exc), code="invalid_session_id", param="x-keepgate-session"
            ) from None
        scope[PRINCIPAL] = principal
        # The SDK binds stateful and SSE sessions to the credential that opened them.
        user = self._users.get(principal.key_id)
        if user is None:
            if len(self._users) > 10_000:
                self._users.clear()
            user = self._users[principal.key_id] = AuthenticatedUser(
                AccessToken(token="-", client_id=principal.key_id, scopes=[])
            )
        scope["user"] = user

    def _endpoint(self, scope: Scope) -> Endpoint:
        name = scope.get("path_params", {}).get("server")
        if name is not None and name not in self.gw.servers:
            raise APIError(
                404, f"No MCP server named '{str(name)[:60]}'.", code="mcp_server_not_found"
            )
        return self.endpoints[name]

    async def _guarded(self, scope: Scope, receive: Receive, send: Send, fn: Any) -> None:
        try:
            ep = self._endpoint(scope)
            self._authenticate(scope, ep.name)
        except APIError as exc:
            await exc.response()(scope, receive, send)
            return
        await fn(ep, scope, receive, send)

    async def streamable(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self._guarded(scope, receive, send, self._streamable)

    async def _streamable(self, ep: Endpoint, scope: Scope, receive: Receive, send: Send) -> None:
        """A plain modern `tools/call` takes the fast path; everything else, and anything
        that path would not accept as it is, goes to the SDK (`keepgate.mcp.fastpath`)."""
        length = fastpath.eligible(scope) if ep.fast else None
        if length is not None:
            try:
                body = await fastpath.read_body(receive, length)
            except fastpath.BodyTooLong:
                await APIError(
                    400,
                    "The request body is longer than its Content-Length.",
                    code="invalid_request",
                ).response()(scope, receive, send)
                return
            if body is None:
                return  # the client left: nobody to answer
            found = fastpath.accept(scope, body, lambda name: self.gw.input_schema(ep.name, name))
            if found is not None:
                rid, route, params = found
                principal, session = scope[PRINCIPAL], scope["keepgate.session"]
                await fastpath.answer(
                    send,
                    rid,
                    route.protocol_version,
                    ep.stamp,
                    lambda: self.gw.call_tool(
                        principal, ep.name, session, params.name, dict(params.arguments or {})
                    ),
                )
                return
            receive = fastpath.replay(body, receive)
        # Only the SDK writes plain-text errors: what the fast path sends is JSON already.
        await ep.manager.handle_request(scope, receive, json_errors(send))

    async def sse_stream(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def run(ep: Endpoint, s: Scope, r: Receive, w: Send) -> None:
            w = json_errors(w)
            if s["method"] != "GET":
                await Response(status_code=405, headers={"Allow": "GET"})(s, r, w)
                return
            await ep.handle_sse(s, r, w)

        await self._guarded(scope, receive, send, run)

    async def sse_message(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self._guarded(
            scope,
            receive,
            send,
            lambda ep, s, r, w: ep.sse.handle_post_message(s, r, json_errors(w)),
        )

    def routes(self) -> list[BaseRoute]:
        """The routes, in this order (`McpFront` relies on it: /mcp first, /mcp/{server}
        fourth, after the two literal paths it would otherwise match)."""
        self.mounted = [
            Route("/mcp", _Asgi(self.streamable)),
            Route("/mcp/sse", _Asgi(self.sse_stream)),
            Route("/mcp/messages/", _Asgi(self.sse_message)),
            Route("/mcp/{server}", _Asgi(self.streamable)),
            Route("/mcp/{server}/sse", _Asgi(self.sse_stream)),
            Route("/mcp/{server}/messages/", _Asgi(self.sse_message)),
        ]
        return list(self.mounted)


def json_errors(send: Send) -> Send:
    """`send`, with the SDK's plain-text transport errors ("session_id is required", 404
    "Could not find session") rewritten as OpenAI-shaped JSON errors: a client of the
    gateway reads one error shape everywhere. JSON bodies (JSON-RPC errors) pass as they are.
    """
    held: dict[str, Any] = {}

    async def wrapped(message: Any) -> None:
        if message["type"] == "http.response.start" and message["status"] >= 400:
            headers = dict(message.get("headers") or [])
            if not headers.get(b"content-type", b"").startswith(b"application/json"):
                held["start"], held["body"] = message, b""
                return
        if held and message["type"] == "http.response.body":
            held["body"] += message.get("body", b"")
            if message.get("more_body"):
                return
            status = held["start"]["status"]
            text = held["body"].decode("utf-8", "replace").strip()[:500] or f"HTTP {status}"
            resp = APIError(status, text, code="mcp_transport_error").response()
            held.clear()
            await send(
                {"type": "http.response.start", "status": status, "headers": resp.raw_headers}
            )
            await send({"type": "http.response.body", "body": resp.body})
            return
        await send(message)

    return wrapped


class McpFront:
    """A `/mcp` or `/mcp/{server}` request straight to its endpoint, as Starlette's router
    would hand it over, without walking the routes: the router's and the exception
    middleware's frames, four path regexes and a route hop were ~3 % of what the gateway
    spends per `tools/call`. The innermost of the app's middleware (just outside
    Starlette's `ExceptionMiddleware`; it runs its own one, built the way Starlette builds
    the app's, with the same handlers), so everything outside it — the refusal audit, the
    last-resort 500 — sees the request as before. It only takes a path
    the router would give to one of these two routes, and only while they are the first
    routes (`keepgate.mcp.api.mount` puts them there); anything else goes the usual way
    (`tests/mcp/test_mcp_front.py` compares both ways)."""

    def __init__(self, app: ASGIApp, starlette: Starlette, mcp: McpRoutes) -> None:
        self.app = app
        self.starlette = starlette
        self.mcp = mcp
        self._routes: tuple[Route, Route] | None = None
        self._checked = False
        self._handled: ExceptionMiddleware | None = None

    def _our_routes(self) -> tuple[Route, Route] | None:
        """(/mcp, /mcp/{server}) when the router's first routes are this gateway's."""
        if not self._checked:
            self._checked = True
            mine = self.mcp.mounted
            router = self.starlette.router
            first = router.routes[: len(mine)]
            if (
                len(mine) == 6
                and len(first) == len(mine)
                and all(a is b for a, b in zip(first, mine))
                and isinstance(self.app, ExceptionMiddleware)
                and router.middleware_stack == router.app  # no router-level middleware
            ):
                self._routes = (mine[0], mine[3])
                # As Starlette.build_middleware_stack makes the app's (500 and Exception
                # go to its ServerErrorMiddleware, outside).
                app = self.starlette
                handlers = {
                    k: v for k, v in app.exception_handlers.items() if k not in (500, Exception)
                }
                self._handled = ExceptionMiddleware(
                    self.mcp.streamable, handlers=handlers, debug=app.debug
                )
        return self._routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        routes = self._our_routes() if scope["type"] == "http" else None
        if routes is None:
            await self.app(scope, receive, send)
            return
        path = _route_path(scope)
        if path == "/mcp":
            route, params = routes[0], None
        elif (
            path.startswith("/mcp/")
            and len(path) > 5
            and "/" not in path[5:]
            and path[5:] != "sse"
            and "\n" not in path
        ):
            route, params = routes[1], path[5:]
        else:
            await self.app(scope, receive, send)
            return
        # What Starlette's Router.app and Route.matches put in the scope.
        if "router" not in scope:
            scope["router"] = self.starlette.router
        path_params = dict(scope.get("path_params", {}))
        if params is not None:
            path_params["server"] = params
        scope["route"] = route
        scope["endpoint"] = route.endpoint
        scope["path_params"] = path_params
        assert self._handled is not None
        await self._handled(scope, receive, send)


def _route_path(scope: Scope) -> str:
    """The path a Starlette router matches (starlette's `get_route_path`, private there):
    the path less the scope's `root_path` prefix."""
    path: str = scope["path"]
    root_path = scope.get("root_path", "")
    if not root_path or not path.startswith(root_path):
        return path
    if path == root_path:
        return ""
    if path[len(root_path)] == "/":
        return path[len(root_path) :]
    return path


class _Asgi:
    """A bound method as a Starlette ASGI endpoint (a plain function would be treated as a
    request/response handler)."""

    def __init__(self, fn: Any) -> None:
        self.fn = fn

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.fn(scope, receive, send)
