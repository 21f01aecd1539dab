"""The Runs API, attached to the gateway app (`keepgate.app.EXTENSIONS`).

POST /v1/agent/runs                      start a run; SSE events (or JSON with "stream": false)
GET  /v1/agent/runs/{id}                 the run's state
GET  /v1/agent/runs/{id}/events          re-attach to a live run's events (SSE, ?after=seq)
POST /v1/agent/runs/{id}/approvals       {"tool_call_id", "decision": approve|deny, "comment"}
POST /v1/agent/runs/{id}/cancel
POST /v1/agent/runs/{id}/resume          continue from the last checkpoint; SSE events

Same keys as the proxy; a run is visible only to the key that started it (and the master key).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from keepgate.agent.live import SSE_DONE, LiveRun, sse
from keepgate.agent.service import AgentService, build_service
from keepgate.agent.settings import parse_settings
from keepgate.auth.request import require_principal
from keepgate.config.model import KeepgateConfig
from keepgate.errors import APIError
from keepgate.proxy.body import read_json
from keepgate.proxy.sse import SSEResponse
from keepgate.runtime import Runtime


def _service(request: Request) -> AgentService:
    rt: Runtime = request.app.state.keepgate
    service = rt.services.get(AgentService)
    if service is None:  # the routes are only added with the service
        raise RuntimeError("the agent service is not attached")
    return service


async def _body(request: Request) -> dict[str, Any]:
    rt: Runtime = request.app.state.keepgate
    return await read_json(request, rt.config.general_settings.max_body_bytes)


def _events(live: LiveRun, after: int = 0) -> Response | SSEResponse:
    async def body() -> AsyncIterator[bytes]:
        async for event in live.subscribe(after):
            yield sse(event)
        yield SSE_DONE

    return SSEResponse(body(), {"x-keepgate-run-id": live.state.id})


async def _respond(svc: AgentService, live: LiveRun, stream: bool) -> Response | SSEResponse:
    if stream:
        return _events(live)
    await live.settled.wait()
    return JSONResponse(svc.public(live.state), headers={"x-keepgate-run-id": live.state.id})


async def create_run(request: Request) -> Response | SSEResponse:
    principal = require_principal(request)
    body = await _body(request)
    stream = body.get("stream", True)
    if not isinstance(stream, bool):
        raise APIError(
            400, "Invalid 'stream': expected a boolean.", code="invalid_value", param="stream"
        )
    svc = _service(request)
    return await _respond(svc, svc.create(principal, body), stream)


async def get_run(request: Request) -> Response:
    principal = require_principal(request)
    svc = _service(request)
    state = await svc.state(principal, request.path_params["run_id"])
    return JSONResponse(svc.public(state))


async def run_events(request: Request) -> Response | SSEResponse:
    principal = require_principal(request)
    svc = _service(request)
    run_id = request.path_params["run_id"]
    await svc.state(principal, run_id)
    live = svc.live.get(run_id)
    if live is None:
        raise APIError(
            409,
            "The run is not executing in this process; GET the run for its state, or resume it.",
            code="run_not_live",
        )
    after = request.query_params.get("after", "0")
    return _events(live, int(after) if after.isdigit() else 0)


async def approve_run(request: Request) -> Response:
    principal = require_principal(request)
    body = await _body(request)
    svc = _service(request)
    state = await svc.approve(principal, request.path_params["run_id"], body)
    return JSONResponse(svc.public(state))


async def cancel_run(request: Request) -> Response:
    principal = require_principal(request)
    svc = _service(request)
    state, elsewhere = await svc.cancel(principal, request.path_params["run_id"])
    if elsewhere:  # another replica runs it and was asked to stop: 202, not done yet
        return JSONResponse({**svc.public(state), "cancel_requested": True}, status_code=202)
    return JSONResponse(svc.public(state))


async def resume_run(request: Request) -> Response | SSEResponse:
    principal = require_principal(request)
    # The body is optional; read it however it is framed (a chunked one has no
    # content-length), under the same size and time limits as any other body.
    rt: Runtime = request.app.state.keepgate
    body = await read_json(request, rt.config.general_settings.max_body_bytes, optional=True)
    stream = body.get("stream", True)
    if not isinstance(stream, bool):
        raise APIError(
            400, "Invalid 'stream': expected a boolean.", code="invalid_value", param="stream"
        )
    svc = _service(request)
    live = await svc.resume(principal, request.path_params["run_id"])
    return await _respond(svc, live, stream)


def check(config: KeepgateConfig) -> None:
    """`keepgate config check`: the `agent:` section, without building the service."""
    parse_settings(config)


def attach(app: Starlette, rt: Runtime) -> None:
    """Build the agent service from `agent:` (a bad section fails start-up) and add routes."""
    service = build_service(rt)
    if service is None:
        return
    rt.services.add(service)
    rt.ready_checks["agent:checkpoints"] = service.store.ready
    rt.feature_checks.add("agent:checkpoints")
    base = "/v1/agent/runs"
    app.router.routes.extend(
        [
            Route(base, create_run, methods=["POST"]),
            Route(base + "/{run_id}", get_run, methods=["GET"]),
            Route(base + "/{run_id}/events", run_events, methods=["GET"]),
            Route(base + "/{run_id}/approvals", approve_run, methods=["POST"]),
            Route(base + "/{run_id}/cancel", cancel_run, methods=["POST"]),
            Route(base + "/{run_id}/resume", resume_run, methods=["POST"]),
        ]
    )
