"""The approvals API over the one approvals store: calls held on MCP and on the proxy routes.

    GET  /v1/approvals?status=           held calls (own; admin: all), both routes
    GET  /v1/approvals/{id}
    POST /v1/approvals/{id}              {"decision": "approve"|"deny", "comment"?}

`/v1/mcp/approvals...` serves the same records (the path MCP clients already use), and the
`/ui` page's panel reads `/ui/api/mcp/approvals` (admin session cookie). Mounted whenever the
MCP store is (`keepgate.mcp.routes`), with or without MCP servers: a chat-only deployment
decides its held tool calls here too.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from keepgate.echo import shown
from keepgate.auth.principal import Principal
from keepgate.auth.request import require_principal
from keepgate.errors import APIError
from keepgate.mcp import approvals as approvals_mod
from keepgate.mcp.approvals import ApprovalConflict, ApprovalNotFound, Approvals
from keepgate.mcp.settings import ApprovalSettings
from keepgate.mcp.store import StoreUnavailable
from keepgate.observability.ui import UIAuth, ui_denied
from keepgate.proxy.body import read_json
from keepgate.runtime import Runtime

PREFIXES = ("/v1/approvals", "/v1/mcp/approvals")


class ApprovalDesk:
    """Who may see and decide which approval, and the audit of each decision."""

    def __init__(self, approvals: Approvals, settings: ApprovalSettings, rt: Runtime) -> None:
        self.approvals = approvals
        self.settings = settings
        self.rt = rt

    def may_decide(self, principal: Principal, record: dict[str, Any]) -> bool:
        if principal.is_admin:
            return True
        return self.settings.approvers == "owner_or_admin" and record["key_id"] == principal.key_id

    async def record(self, approval_id: str) -> dict[str, Any]:
        try:
            return await self.approvals.get(approval_id)
        except ApprovalNotFound:
            raise APIError(
                404,
                f"No approval {shown(approval_id, 60, digits=True)}.",
                code="approval_not_found",
            ) from None

    async def decide(
        self, principal: Principal, approval_id: str, body: dict[str, Any]
    ) -> dict[str, Any]:
        decision = body.get("decision")
        if decision not in ("approve", "deny"):
            raise APIError(
                400,
                "Invalid 'decision': expected 'approve' or 'deny'.",
                code="invalid_value",
                param="decision",
            )
        comment = body.get("comment") or ""
        if not isinstance(comment, str):
            raise APIError(
                400, "Invalid 'comment': expected a string.", code="invalid_value", param="comment"
            )
        record = await self.record(approval_id)
        if not self.may_decide(principal, record):
            raise APIError(
                404 if record["key_id"] != principal.key_id else 403,
                f"No approval {shown(approval_id, 60, digits=True)} you may decide.",
                code="approval_not_found",
            )
        try:
            record = await self.approvals.decide(
                approval_id, decision == "approve", principal.key_id, comment
            )
        except ApprovalConflict as exc:
            raise APIError(
                409, f"The approval is already {exc}.", code="approval_decided"
            ) from None
        route = record.get("route") or "mcp"
        self.rt.audit.write(
            {
                "route": route,
                "event": "approval_decided",
                "approval_id": approval_id,
                "decision": decision,
                "decided_by": principal.key_id,
                "key_id": record["key_id"],
                "mcp_server": record.get("server"),
                "tool": record["tool"],
            }
        )
        return approvals_mod.public(record)


def store_errors(
    fn: Callable[[Request], Awaitable[Response]], what: str = "approvals store"
) -> Callable[[Request], Awaitable[Response]]:
    """An admin endpoint whose store is down answers a clear 503, never a 500."""

    async def endpoint(request: Request) -> Response:
        try:
            return await fn(request)
        except StoreUnavailable as exc:
            raise APIError(
                503, f"The {what} is unreachable ({exc}).", code="mcp_store_unavailable"
            ) from None

    return endpoint


def api_routes(desk: ApprovalDesk) -> list[Route]:
    async def list_approvals(request: Request) -> Response:
        principal = require_principal(request)
        status = request.query_params.get("status") or None
        records = await desk.approvals.list(
            None if principal.is_admin else principal.key_id, status
        )
        return JSONResponse({"object": "list", "data": [approvals_mod.public(r) for r in records]})

    async def get_approval(request: Request) -> Response:
        principal = require_principal(request)
        record = await desk.record(request.path_params["approval_id"])
        if record["key_id"] != principal.key_id and not principal.is_admin:
            raise APIError(404, "No such approval.", code="approval_not_found")
        return JSONResponse(approvals_mod.public(record))

    async def decide(request: Request) -> Response:
        principal = require_principal(request)
        body = await read_json(request, 64 * 1024)
        return JSONResponse(await desk.decide(principal, request.path_params["approval_id"], body))

    routes: list[Route] = []
    for base in PREFIXES:
        routes += [
            Route(base, store_errors(list_approvals), methods=["GET"]),
            Route(base + "/{approval_id}", store_errors(get_approval), methods=["GET"]),
            Route(base + "/{approval_id}", store_errors(decide), methods=["POST"]),
        ]
    return routes


def ui_routes(desk: ApprovalDesk, authorised: UIAuth) -> list[Route]:
    """The /ui page's approvals panel (admin session cookie or admin key)."""

    async def pending(request: Request) -> Response:
        if not authorised(request):
            return ui_denied()
        records = await desk.approvals.list(None, "pending")
        return JSONResponse(
            {"items": [approvals_mod.public(r) for r in records]},
            headers={"cache-control": "no-store"},
        )

    async def decide(request: Request) -> Response:
        if not authorised(request):
            return ui_denied()
        body = await read_json(request, 64 * 1024)
        return JSONResponse(
            await desk.decide(desk.rt.keys.master, request.path_params["approval_id"], body)
        )

    return [
        Route("/ui/api/mcp/approvals", store_errors(pending), methods=["GET"]),
        Route("/ui/api/mcp/approvals/{approval_id}", store_errors(decide), methods=["POST"]),
    ]


def mount(app: Starlette, rt: Runtime, approvals: Approvals, settings: ApprovalSettings) -> None:
    desk = ApprovalDesk(approvals, settings, rt)
    app.router.routes.extend(api_routes(desk))
    ui_auth = rt.services.get(UIAuth)
    if ui_auth is not None:
        app.router.routes.extend(ui_routes(desk, ui_auth))
