"""`/ui`: a live page for operators, and the wiring of the optional observability parts.

`attach(app, rt)` is the extension hook `keepgate.app` calls. It switches on what the
`observability` config section asks for — OpenTelemetry tracing, the audit copy to a Redis
stream — and serves the page: one static HTML file (no build step) that polls JSON
endpoints under `/ui/api/`. The page and its API need the admin key: the browser logs in
once with it and gets an HttpOnly session cookie; scripts may send the key as a Bearer
token instead.

    observability:
      ui: {enabled: true, session_hours: 8}
"""

from __future__ import annotations

import secrets
import time
from importlib import resources
from typing import Any
from urllib.parse import parse_qs

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from keepgate.auth.request import ConflictingKeys, presented_key
from keepgate.config.locate import config_error
from keepgate.config.model import KeepgateConfig, section
from keepgate.observability import tracing
from keepgate.observability.audit_redis import RedisStreamSink
from keepgate.observability.live import LiveView
from keepgate.observability.settings import AuditRedisSettings, TracingSettings, UISettings
from keepgate.runtime import Runtime

COOKIE = "keepgate_ui"

LOGIN_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Keepgate — log in</title><style>body{font:14px system-ui,sans-serif;display:grid;
place-items:center;height:90vh;background:#f7f8fa}form{background:#fff;padding:1.5rem;
border:1px solid #e3e6ec;border-radius:6px;display:grid;gap:.6rem;min-width:320px}
.err{color:#b42318}</style></head><body><form method="post" action="/ui/login">
<h1 style="font-size:1.1rem;margin:0">Keepgate</h1>
<label for="key">Admin key</label><input id="key" name="key" type="password" autofocus
autocomplete="current-password"><button id="login" type="submit">Log in</button>{error}
</form></body></html>"""


class Sessions:
    """Opaque random session ids held in memory (a restart logs everyone out)."""

    def __init__(self, ttl_s: float) -> None:
        self.ttl_s = ttl_s
        self._live: dict[str, float] = {}

    def new(self) -> str:
        now = time.time()
        self._live = {k: t for k, t in self._live.items() if t > now}
        token = secrets.token_urlsafe(32)
        self._live[token] = now + self.ttl_s
        return token

    def valid(self, token: str | None) -> bool:
        return bool(token) and self._live.get(token or "", 0) > time.time()

    def drop(self, token: str | None) -> None:
        self._live.pop(token or "", None)


def _is_admin(rt: Runtime, raw: str | None) -> bool:
    principal = rt.keys.resolve(raw) if raw else None
    return bool(principal and principal.is_admin)


class UIAuth:
    """Does a request carry the UI's session cookie or the admin key? (Other parts that add
    panels to the page, such as MCP approvals, find it as `rt.services.get(UIAuth)`.)"""

    def __init__(self, rt: Runtime, sessions: Sessions) -> None:
        self.rt = rt
        self.sessions = sessions

    def __call__(self, request: Request) -> bool:
        if self.sessions.valid(request.cookies.get(COOKIE)):
            return True
        try:
            return _is_admin(self.rt, presented_key(request))
        except ConflictingKeys:  # two different keys: neither is taken
            return False


def ui_denied() -> Response:
    """The 401 every /ui API answers without an admin session or key (OpenAI-shaped)."""
    return JSONResponse(
        {
            "error": {
                "message": "The UI API needs the admin key.",
                "type": "invalid_request_error",
                "code": "invalid_api_key",
                "param": None,
            }
        },
        status_code=401,
    )


def _routes(rt: Runtime, view: LiveView, sessions: Sessions, ttl_s: float) -> list[Route]:
    page = resources.files("keepgate.observability").joinpath("ui.html").read_text("utf-8")
    authorised = UIAuth(rt, sessions)

    async def index(request: Request) -> Response:
        if not authorised(request):
            return HTMLResponse(LOGIN_PAGE.replace("{error}", ""), status_code=401)
        return HTMLResponse(page, headers={"cache-control": "no-store"})

    async def login(request: Request) -> Response:
        form = parse_qs((await request.body())[:4096].decode("utf-8", "replace"))
        key = (form.get("key") or [""])[0]
        if not _is_admin(rt, key):
            return HTMLResponse(
                LOGIN_PAGE.replace(
                    "{error}", '<p class="err" id="error">That is not the admin key.</p>'
                ),
                status_code=401,
            )
        resp = RedirectResponse("/ui", status_code=303)
        resp.set_cookie(
            COOKIE, sessions.new(), max_age=int(ttl_s), httponly=True, samesite="strict", path="/ui"
        )
        return resp

    async def logout(request: Request) -> Response:
        sessions.drop(request.cookies.get(COOKIE))
        resp = RedirectResponse("/ui", status_code=303)
        resp.delete_cookie(COOKIE, path="/ui")
        return resp

    def api(fn: Any) -> Any:
        async def endpoint(request: Request) -> Response:
            if not authorised(request):
                return ui_denied()
            return JSONResponse(fn(request), headers={"cache-control": "no-store"})

        return endpoint

    def limit(request: Request, default: int) -> int:
        try:
            return max(1, min(200, int(request.query_params.get("limit", default))))
        except ValueError:
            return default

    return [
        Route("/ui", index, methods=["GET"]),
        Route("/ui/login", login, methods=["POST"]),
        Route("/ui/logout", logout, methods=["POST"]),
        Route("/ui/api/summary", api(lambda r: view.summary())),
        Route("/ui/api/decisions", api(lambda r: {"items": view.decisions(limit(r, 50))})),
        Route("/ui/api/rules", api(lambda r: {"items": view.top_rules(limit(r, 10))})),
        Route("/ui/api/spend", api(lambda r: {"items": view.spend()})),
        Route("/ui/api/latency", api(lambda r: {"items": view.latency()})),
    ]


class _TracerService:
    def __init__(self, tracer: tracing.NoTracer) -> None:
        self.tracer = tracer

    async def aclose(self) -> None:
        self.tracer.shutdown()


def _settings(
    config: KeepgateConfig,
) -> tuple[TracingSettings, AuditRedisSettings | None, UISettings]:
    """The `observability` sub-sections (typed when the config was loaded), and what only
    the whole config can tell; a bad one is a ConfigError naming file and line."""
    obs = config.observability
    ar = (
        None
        if obs.audit_redis is None
        else section(obs.audit_redis, AuditRedisSettings, "observability.audit_redis")
    )
    if ar is not None and ar.enabled and not (ar.url or config.general_settings.redis_url):
        raise config_error(
            config,
            ("observability", "audit_redis"),
            "observability.audit_redis needs a url (or general_settings.redis_url)",
        )
    return (
        section(obs.tracing, TracingSettings, "observability.tracing"),
        ar,
        section(obs.ui, UISettings, "observability.ui"),
    )


def check(config: KeepgateConfig) -> None:
    """`keepgate config check`: the observability sub-sections, without starting anything."""
    _settings(config)


def attach(app: Starlette, rt: Runtime) -> None:
    """Switch on tracing, the Redis audit stream and the UI as the config says."""
    tracer_settings, ar, ui = _settings(rt.config)
    rt.tracer = tracing.tracer_for(tracer_settings)
    if rt.tracer.enabled:
        rt.services.add(_TracerService(rt.tracer))

    if ar is not None and ar.enabled:
        url = ar.url or rt.config.general_settings.redis_url
        assert url is not None  # _settings refused an audit_redis section without one
        errors = rt.metrics.audit_sink_errors.labels("redis")
        sink = RedisStreamSink(url, ar.stream, ar.maxlen, ar.buffer, on_drop=errors.inc)
        rt.audit.sinks.append(sink)
        rt.services.add(sink)
        rt.ready_checks["audit_redis"] = sink.ready
        rt.feature_checks.add("audit_redis")

    if ui.enabled:
        view = LiveView(rt.metrics)
        rt.audit.sinks.append(view)
        rt.services.add(view)
        ttl = ui.session_hours * 3600
        sessions = Sessions(ttl)
        rt.services.add(UIAuth(rt, sessions))
        for route in _routes(rt, view, sessions, ttl):
            app.router.routes.append(route)
