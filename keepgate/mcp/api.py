"""The MCP gateway's HTTP surface once servers are declared: the MCP endpoints
(`keepgate.mcp.endpoint`), the admin API and the `/ui` approvals panel (see routes.py).

Imported only when `mcp_servers` is not empty: the MCP SDK costs ~1.5 s of start-up.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from keepgate.auth.request import require_principal
from keepgate.errors import APIError
from keepgate.mcp.approval_api import store_errors
from keepgate.mcp.endpoint import McpFront, McpRoutes
from keepgate.mcp.pins import PinNotFound
from keepgate.mcp.service import McpGateway
from keepgate.mcp.settings import BUILTIN_DEMO, McpServerSettings, McpSettings
from keepgate.mcp.store import Store
from keepgate.proxy.body import read_json
from keepgate.runtime import Runtime


class McpService:
    """What the app's lifespan starts and stops: the demo upstream, the endpoints."""

    def __init__(self, gw: McpGateway, endpoints: McpRoutes) -> None:
        self.gw = gw
        self.endpoints = endpoints
        self.demo: Any = None

    async def start(self) -> None:
        builtin = [u for u in self.gw.upstreams.values() if u.settings.url == BUILTIN_DEMO]
        if builtin:
            from keepgate.mcp.demo_server import BackgroundDemoMcp

            self.demo = BackgroundDemoMcp()
            await self.demo.start()
            for up in builtin:
                up.url = self.demo.url
        await self.endpoints.start()

    async def aclose(self) -> None:
        await self.endpoints.aclose()
        if self.demo is not None:
            await self.demo.stop()


def mount(
    app: Starlette,
    rt: Runtime,
    settings: McpSettings,
    servers: dict[str, McpServerSettings],
    store: Store,
) -> McpGateway:
    for noisy in ("httpx2", "mcp", "sse_starlette"):
        if logging.getLogger(noisy).level == logging.NOTSET:
            logging.getLogger(noisy).setLevel(logging.WARNING)
    gw = McpGateway(rt, settings, servers, store)
    endpoints = McpRoutes(gw)
    rt.services.add(McpService(gw, endpoints))
    # First: every MCP request would otherwise be matched against each route before them.
    app.router.routes[0:0] = endpoints.routes()
    # Innermost of the app's middleware: a plain MCP request skips the route walk.
    app.user_middleware.append(Middleware(McpFront, starlette=app, mcp=endpoints))
    app.router.routes.extend(_api_routes(gw))
    return gw


# -- the admin API (approvals: keepgate.mcp.approval_api) ---------------------------------


def _store_errors(
    fn: Callable[[Request], Awaitable[Response]],
) -> Callable[[Request], Awaitable[Response]]:
    return store_errors(fn, "MCP store")


def _api_routes(gw: McpGateway) -> list[Route]:
    async def servers(request: Request) -> Response:
        principal = require_principal(request)
        return JSONResponse(
            {
                "object": "list",
                "data": [
                    {
                        "id": name,
                        "object": "mcp.server",
                        "transport": s.kind,
                        "endpoint": f"/mcp/{name}",
                    }
                    for name, s in gw.servers.items()
                    if gw.may_reach(principal, name)
                ],
            }
        )

    async def pins(request: Request) -> Response:
        require_principal(request, admin=True)
        server = request.query_params.get("server") or None
        return JSONResponse({"object": "list", "data": await gw.pins.list(server)})

    async def approve_pin(request: Request) -> Response:
        principal = require_principal(request, admin=True)
        body = await read_json(request, 64 * 1024)
        server, tool = body.get("server"), body.get("tool")
        if not isinstance(server, str) or not isinstance(tool, str):
            raise APIError(400, 'Expected {"server": ..., "tool": ...}.', code="invalid_value")
        try:
            pin = await gw.pins.approve(server, tool, principal.key_id)
        except PinNotFound as exc:
            raise APIError(404, str(exc), code="pin_not_found") from None
        from keepgate.mcp.pins import public

        return JSONResponse(public(pin))

    return [
        Route("/v1/mcp/servers", _store_errors(servers), methods=["GET"]),
        Route("/v1/mcp/pins", _store_errors(pins), methods=["GET"]),
        Route("/v1/mcp/pins/approve", _store_errors(approve_pin), methods=["POST"]),
    ]
