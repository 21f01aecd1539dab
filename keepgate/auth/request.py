"""Read the caller's key from a request (Bearer, `api-key` or `x-api-key` header)."""

from __future__ import annotations

from starlette.requests import Request

from keepgate.auth.principal import Principal
from keepgate.errors import APIError


def presented_key(request: Request) -> str | None:
    auth = request.headers.get("authorization", "")
    if auth[:7].lower() == "bearer ":
        return auth[7:].strip() or None
    return request.headers.get("api-key") or request.headers.get("x-api-key")


def require_principal(request: Request, *, admin: bool = False) -> Principal:
    """The request's principal, or an OpenAI-shaped 401 (403 when admin is needed)."""
    keys = request.app.state.keepgate.keys
    raw = presented_key(request)
    principal: Principal | None = keys.resolve(raw)
    if principal is None:
        msg = "Missing API key." if not raw else "Incorrect API key provided."
        raise APIError(401, msg, code="invalid_api_key")
    if admin and not principal.is_admin:
        raise APIError(403, "This route needs the admin (master) key.", code="admin_only")
    return principal
