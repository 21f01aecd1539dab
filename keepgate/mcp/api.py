"""The MCP gateway's HTTP surface once servers are declared: the MCP endpoints
(`keepgate.mcp.endpoint`), the admin API and the `/ui` approvals panel (see routes.py).

Imported only when `mcp_servers` is not empty: the MCP SDK costs ~1.5 s of start-up.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from keepgate.auth.principal import Principal
from keepgate.auth.request import require_principal
from keepgate.errors import APIError
from keepgate.mcp import approvals as approvals_mod
from keepgate.mcp.approvals import ApprovalConflict, ApprovalNotFound
from keepgate.mcp.endpoint import McpRoutes
from keepgate.mcp.pins import PinNotFound
from keepgate.mcp.service import McpGateway
from keepgate.mcp.settings import BUILTIN_DEMO, McpServerSettings, McpSettings
from keepgate.mcp.store import Store, StoreUnavailable
from keepgate.observability.ui import UIAuth
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


def mount(app: Starlette, rt: Runtime, settings: McpSettings,
          servers: dict[str, McpServerSettings], store: Store) -> McpGateway:
    for noisy in ("httpx2", "mcp", "sse_starlette"):
        if logging.getLogger(noisy).level == logging.NOTSET:
            logging.getLogger(noisy).setLevel(logging.WARNING)
    gw = McpGateway(rt, settings, servers, store)
    endpoints = McpRoutes(gw)
    rt.services.add(McpService(gw, endpoints))
    # First: every MCP request would otherwise be matched against each route before them.
    app.router.routes[0:0] = endpoints.routes()
    app.router.routes.extend(_api_routes(gw))
    ui_auth = rt.services.get(UIAuth)
    if ui_auth is not None:
        app.router.routes.extend(_ui_routes(gw, ui_auth))
    return gw


# -- the admin / approvals API ------------------------------------------------------------


def _may_decide(gw: McpGateway, principal: Principal, record: dict[str, Any]) -> bool:
    if principal.is_admin:
        return True
    return gw.settings.approvals.approvers == "owner_or_admin" and \
        record["key_id"] == principal.key_id


async def _decide(gw: McpGateway, principal: Principal, approval_id: str,
                  body: dict[str, Any]) -> dict[str, Any]:
    decision = body.get("decision")
    if decision not in ("approve", "deny"):
        raise APIError(400, "Invalid 'decision': expected 'approve' or 'deny'.",
                       code="invalid_value", param="decision")
    comment = body.get("comment") or ""
    if not isinstance(comment, str):
        raise APIError(400, "Invalid 'comment': expected a string.", code="invalid_value",
                       param="comment")
    record = await _record(gw, approval_id)
    if not _may_decide(gw, principal, record):
        raise APIError(404 if record["key_id"] != principal.key_id else 403,
                       f"No MCP approval '{approval_id[:60]}' you may decide.",
                       code="approval_not_found")
    try:
        record = await gw.approvals.decide(approval_id, decision == "approve",
                                           principal.key_id, comment)
    except ApprovalConflict as exc:
        raise APIError(409, f"The approval is already {exc}.", code="approval_decided") from None
    gw.rt.audit.write({"route": "mcp", "event": "approval_decided", "approval_id": approval_id,
                       "decision": decision, "decided_by": principal.key_id,
                       "key_id": record["key_id"], "mcp_server": record["server"],
                       "tool": record["tool"]})
    return approvals_mod.public(record)


async def _record(gw: McpGateway, approval_id: str) -> dict[str, Any]:
    try:
        return await gw.approvals.get(approval_id)
    except ApprovalNotFound:
        raise APIError(404, f"No MCP approval '{approval_id[:60]}'.",
                       code="approval_not_found") from None


def _store_errors(fn: Callable[[Request], Awaitable[Response]]
                  ) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        try:
            return await fn(request)
        except StoreUnavailable as exc:
            raise APIError(503, f"The MCP store is unreachable ({exc}).",
                           code="mcp_store_unavailable") from None
    return endpoint


def _api_routes(gw: McpGateway) -> list[Route]:
    async def servers(request: Request) -> Response:
        principal = require_principal(request)
        return JSONResponse({"object": "list", "data": [
            {"id": name, "object": "mcp.server", "transport": s.kind,
             "endpoint": f"/mcp/{name}"}
            for name, s in gw.servers.items() if gw.may_reach(principal, name)]})

    async def pins(request: Request) -> Response:
        require_principal(request, admin=True)
        server = request.query_params.get("server") or None
        return JSONResponse({"object": "list", "data": await gw.pins.list(server)})

    async def approve_pin(request: Request) -> Response:
        principal = require_principal(request, admin=True)
        body = await read_json(request, 64 * 1024)
        server, tool = body.get("server"), body.get("tool")
        if not isinstance(server, str) or not isinstance(tool, str):
            raise APIError(400, "Expected {\"server\": ..., \"tool\": ...}.",
                           code="invalid_value")
        try:
            pin = await gw.pins.approve(server, tool, principal.key_id)
        except PinNotFound as exc:
            raise APIError(404, str(exc), code="pin_not_found") from None
        from keepgate.mcp.pins import public

        return JSONResponse(public(pin))

    async def list_approvals(request: Request) -> Response:
        principal = require_principal(request)
        status = request.query_params.get("status") or None
        records = await gw.approvals.list(None if principal.is_admin else principal.key_id,
                                          status)
        return JSONResponse({"object": "list",
                             "data": [approvals_mod.public(r) for r in records]})

    async def get_approval(request: Request) -> Response:
        principal = require_principal(request)
        record = await _record(gw, request.path_params["approval_id"])
        if record["key_id"] != principal.key_id and not principal.is_admin:
            raise APIError(404, "No such MCP approval.", code="approval_not_found")
        return JSONResponse(approvals_mod.public(record))

    async def decide(request: Request) -> Response:
        principal = require_principal(request)
        body = await read_json(request, 64 * 1024)
        return JSONResponse(await _decide(gw, principal, request.path_params["approval_id"],
                                          body))

    return [Route("/v1/mcp/servers", _store_errors(servers), methods=["GET"]),
            Route("/v1/mcp/pins", _store_errors(pins), methods=["GET"]),
            Route("/v1/mcp/pins/approve", _store_errors(approve_pin), methods=["POST"]),
            Route("/v1/mcp/approvals", _store_errors(list_approvals), methods=["GET"]),
            Route("/v1/mcp/approvals/{approval_id}", _store_errors(get_approval),
                  methods=["GET"]),
            Route("/v1/mcp/approvals/{approval_id}", _store_errors(decide), methods=["POST"])]


def _ui_routes(gw: McpGateway, authorised: UIAuth) -> list[Route]:
    """The /ui page's approvals panel (admin session cookie or admin key)."""

    def denied() -> Response:
        return JSONResponse({"error": {"message": "The UI API needs the admin key.",
                                       "type": "invalid_request_error",
                                       "code": "invalid_api_key", "param": None}},
                            status_code=401)

    async def pending(request: Request) -> Response:
        if not authorised(request):
            return denied()
        records = await gw.approvals.list(None, "pending")
        return JSONResponse({"items": [approvals_mod.public(r) for r in records]},
                            headers={"cache-control": "no-store"})

    async def decide(request: Request) -> Response:
        if not authorised(request):
            return denied()
        body = await read_json(request, 64 * 1024)
        admin = gw.rt.keys.master
        return JSONResponse(await _decide(gw, admin, request.path_params["approval_id"], body))

    return [Route("/ui/api/mcp/approvals", _store_errors(pending), methods=["GET"]),
            Route("/ui/api/mcp/approvals/{approval_id}", _store_errors(decide),
                  methods=["POST"])]

