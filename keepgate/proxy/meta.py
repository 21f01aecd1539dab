"""Models list, health, readiness and metrics."""

from __future__ import annotations

import hmac
from typing import Any

import re2

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from keepgate.echo import shown
from keepgate.auth.request import require_principal
from keepgate.errors import APIError
from keepgate.runtime import Runtime
from keepgate.services import ReadyCheck


async def list_models(request: Request) -> Response:
    rt: Runtime = request.app.state.keepgate
    principal = require_principal(request)
    created = int(rt.started)
    data = [
        {"id": d.model_name, "object": "model", "created": created, "owned_by": "keepgate"}
        for d in rt.config.model_list
        if rt.keys.may_use(principal, d.model_name)
    ]
    return JSONResponse({"object": "list", "data": data})


async def get_model(request: Request) -> Response:
    rt: Runtime = request.app.state.keepgate
    principal = require_principal(request)
    name = request.path_params["model"]
    d = rt.config.deployment(name)
    if d is None or not rt.keys.may_use(principal, name):
        raise APIError(
            404,
            f"The model {shown(name, 200, digits=True)} does not exist or you do not have access to it.",
            code="model_not_found",
            param="model",
        )
    return JSONResponse(
        {"id": name, "object": "model", "created": int(rt.started), "owned_by": "keepgate"}
    )


async def healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


#: A check's state: serving normally, serving in a documented degraded mode (a fallback,
#: or one feature refusing its own calls), or unable to serve.
OK, DEGRADED, DOWN = "ok", "degraded", "down"


#: Readiness details are for anyone who can reach the probe: URLs become `<url>` and file
#: paths their file name (a policy error still says `tools.rego:12:3`).
_URL = re2.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s;,)]+")
_PATH = re2.compile(r"(?:[A-Za-z]:)?(?:/[^\s/:;,()]+)+/([^\s/:;,()]+)")


def _clean(detail: object) -> str:
    return str(_PATH.sub(r"\1", _URL.sub("<url>", str(detail))))[:500]


async def _probe(fn: Any) -> tuple[str, str]:
    """(state, detail) of one check; `ready()` returns (True | False | "degraded", detail)."""
    try:
        ok, detail = await fn()
    except Exception as exc:  # noqa: BLE001
        ok, detail = False, f"{type(exc).__name__}"
    if ok == DEGRADED:
        return DEGRADED, _clean(detail)
    return (OK if ok else DOWN), _clean(detail)


async def readyz(request: Request) -> Response:
    """`ready` (200), `degraded` (200: a configured fallback is in use, or a feature's own
    store is down and only that feature refuses calls) or `not_ready` (503: a guard every
    call passes cannot decide and fails closed). Details never carry paths or URLs."""
    rt: Runtime = request.app.state.keepgate
    checks: dict[str, dict[str, object]] = {
        "config": {"ok": True, "state": OK, "detail": "loaded" if rt.config.source else "demo"}
    }
    probes: list[tuple[str, ReadyCheck, bool]] = [
        (f"guard:{g.name}", g.ready, True) for g in rt.guards
    ]
    probes += [(name, fn, name not in rt.feature_checks) for name, fn in rt.ready_checks.items()]
    status = "ready"
    for name, fn, required in probes:
        state, detail = await _probe(fn)
        checks[name] = {"ok": state != DOWN, "state": state, "detail": detail}
        if state == DOWN and required:
            status = "not_ready"
        elif state != OK and status == "ready":
            status = "degraded"
        if state == DOWN and not required:
            checks[name]["state"] = DEGRADED
            checks[name]["detail"] = f"{detail}; only this feature's calls are refused"
    return JSONResponse(
        {"status": status, "checks": checks}, status_code=503 if status == "not_ready" else 200
    )


async def metrics(request: Request) -> Response:
    """Prometheus text; with `observability.metrics_token` only for that bearer token."""
    rt: Runtime = request.app.state.keepgate
    token = rt.config.observability.metrics_secret()
    if token is not None:
        auth = request.headers.get("authorization", "")
        given = auth[7:].strip() if auth[:7].lower() == "bearer " else ""
        if not hmac.compare_digest(given.encode(), token.encode()):
            raise APIError(
                401,
                "/metrics needs the metrics bearer token.",
                code="invalid_metrics_token",
                headers={"WWW-Authenticate": "Bearer"},
            )
    return Response(rt.metrics.render(), media_type=rt.metrics.content_type)
