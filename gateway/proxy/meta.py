"""Models list, health, readiness and metrics."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from gateway.auth.request import require_principal
from gateway.errors import APIError
from gateway.runtime import Runtime


async def list_models(request: Request) -> Response:
    rt: Runtime = request.app.state.keepgate
    principal = require_principal(request)
    created = int(rt.started)
    data = [{"id": d.model_name, "object": "model", "created": created, "owned_by": "keepgate"}
            for d in rt.config.model_list if rt.keys.may_use(principal, d.model_name)]
    return JSONResponse({"object": "list", "data": data})


async def get_model(request: Request) -> Response:
    rt: Runtime = request.app.state.keepgate
    principal = require_principal(request)
    name = request.path_params["model"]
    d = rt.config.deployment(name)
    if d is None or not rt.keys.may_use(principal, name):
        raise APIError(404, f"The model '{name}' does not exist or you do not have access to it.",
                       code="model_not_found", param="model")
    return JSONResponse({"id": name, "object": "model", "created": int(rt.started),
                         "owned_by": "keepgate"})


async def healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> Response:
    rt: Runtime = request.app.state.keepgate
    checks: dict[str, dict[str, object]] = {"config": {"ok": True, "detail": rt.config.source or "demo"}}
    for guard in rt.guards:
        try:
            ok, detail = await guard.ready()
        except Exception as exc:  # noqa: BLE001
            ok, detail = False, f"{type(exc).__name__}"
        checks[f"guard:{guard.name}"] = {"ok": ok, "detail": detail}
    for name, fn in rt.ready_checks.items():
        try:
            ok, detail = await fn()
        except Exception as exc:  # noqa: BLE001
            ok, detail = False, f"{type(exc).__name__}"
        checks[name] = {"ok": ok, "detail": detail}
    ready = all(c["ok"] for c in checks.values())
    return JSONResponse({"status": "ready" if ready else "not_ready", "checks": checks},
                        status_code=200 if ready else 503)


async def metrics(request: Request) -> Response:
    rt: Runtime = request.app.state.keepgate
    return Response(rt.metrics.render(), media_type=rt.metrics.content_type)
