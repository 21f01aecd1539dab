"""Every refusal in the audit log and in `keepgate_requests_total`, from one place.

Calls that reach a guard write their own audit record (`Runtime.record`). Everything the
gateway refuses before that — a missing or wrong key (401), a route or model the key may not
use (403/404), a body that fails validation (400), one too large (413), a limit hit on a
route without a call (429) — would otherwise leave no trace, so failed logins and probing
could not be seen. This ASGI middleware wraps the whole app: when a response ends with a
status >= 400 and no call record was written for the request, it writes one refusal record
and counts it (5xx answers without a call record are counted, not audited: they are
failures, not refusals; `/readyz`'s 503 is a probe's answer and neither). For a 401 it logs
only the first 12 hex digits of the presented key's SHA-256, never the key.
"""

from __future__ import annotations

import contextvars
import time
import uuid
from typing import TYPE_CHECKING, Any

import orjson
import re2
from starlette.applications import Starlette
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from keepgate.auth.keys import hash_key
from keepgate.auth.request import keys_in

if TYPE_CHECKING:  # types only: the runtime builds on observability, not the reverse
    from keepgate.runtime import Runtime

#: Set by `Runtime.record` when a call wrote its own record for the current request.
_recorded: contextvars.ContextVar[list[bool] | None] = contextvars.ContextVar(
    "keepgate_recorded", default=None
)
#: Error bodies are small; past this the code is not looked for.
MAX_ERROR_BODY = 16_384
#: Error codes become a metric label: only short snake_case words, else "other".
_CODE = re2.compile(r"[a-z][a-z0-9_]{0,47}")
_PARAM = re2.compile(r"\{([^}:]+)(:[^}]*)?\}")
KEY_HASH_PREFIX = 12
#: Probes whose error status is their answer, not a refusal.
PROBES = frozenset({"/readyz", "/healthz"})


def mark_recorded() -> None:
    """The current request's call wrote its audit record and metrics itself."""
    holder = _recorded.get()
    if holder is not None:
        holder[0] = True


def _error_code(body: bytes) -> str:
    try:
        err = orjson.loads(body).get("error")
    except (orjson.JSONDecodeError, AttributeError):
        return "other"
    code = err.get("code") if isinstance(err, dict) else None
    if code is None and isinstance(err, dict):
        code = err.get("type")  # Anthropic-shaped errors carry only a type
    return code if isinstance(code, str) and _CODE.fullmatch(code) else "other"


def route_label(app: Starlette, scope: Scope) -> str:
    """The matched route's template as a bounded label (`chat.completions`,
    `models.{model}`); `unmatched` for paths no route serves."""
    for route in app.routes:
        try:
            match, _ = route.matches(scope)
        except Exception:  # noqa: BLE001
            continue
        if match is Match.FULL:
            path = _PARAM.sub(r"{\1}", getattr(route, "path", "") or "")
            return path.removeprefix("/v1").strip("/").replace("/", ".") or "root"
    return "unmatched"


class RefusalAudit:
    """Pure ASGI, so streamed answers pass through untouched (only error bodies are read)."""

    def __init__(self, app: ASGIApp, router: Starlette, runtime: Runtime) -> None:
        self.app = app
        self.router = router
        self.rt = runtime

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") in PROBES:
            await self.app(scope, receive, send)
            return
        holder = [False]
        token = _recorded.set(holder)
        started = time.perf_counter()
        status = 0
        body = bytearray()

        async def watch(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body" and status >= 400 and not holder[0]:
                if len(body) < MAX_ERROR_BODY:
                    body.extend(message.get("body", b"")[: MAX_ERROR_BODY - len(body)])
                if not message.get("more_body", False):
                    self._refused(scope, status, bytes(body), started)
            await send(message)

        try:
            await self.app(scope, receive, watch)
        finally:
            _recorded.reset(token)

    def _refused(self, scope: Scope, status: int, body: bytes, started: float) -> None:
        rt = self.rt
        route = route_label(self.router, scope)
        code = _error_code(body)
        rt.metrics.requests.labels(route, "", str(status), code).inc()
        if status >= 500:
            return
        record: dict[str, Any] = {
            "request_id": uuid.uuid4().hex,
            "event": "refusal",
            "route": route,
            "method": scope.get("method"),
            "http_status": status,
            "code": code,
            "status": "refused",
            "latency_ms": round((time.perf_counter() - started) * 1e3, 3),
        }
        # The same reading as auth's (keepgate.auth.request): several keys were refused as
        # such, and the audit names each by its hash prefix, none as the caller.
        found = keys_in(scope.get("headers") or [])
        raw = found[0] if len(found) == 1 else None
        principal = rt.keys.resolve(raw) if raw else None
        if principal is not None:
            record.update(key_id=principal.key_id, role=principal.role, team=principal.team)
        elif raw:
            record["key_hash_prefix"] = hash_key(raw)[:KEY_HASH_PREFIX]
        elif found:
            record["key_hash_prefixes"] = [hash_key(k)[:KEY_HASH_PREFIX] for k in found[:4]]
        client = scope.get("client")
        if client:
            record["client"] = client[0]
        rt.audit.write(record)
