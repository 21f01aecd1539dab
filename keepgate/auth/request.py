"""Read the caller's key from a request (Bearer, `api-key` or `x-api-key` header).

Every credential header is read, each time it occurs: a request whose headers present two
different keys (`Authorization: Bearer A` and `x-api-key: B`, or the same header twice) is
refused, as its key is ambiguous. Before (red team round 5) auth took the first
`Authorization` header and the refusal audit the last, so a key's refused requests could
be written to the audit under another credential.
"""

from __future__ import annotations

from collections.abc import Iterable

from starlette.requests import Request

from keepgate.auth.principal import Principal
from keepgate.errors import APIError

_KEY_HEADERS = (b"authorization", b"api-key", b"x-api-key")


class ConflictingKeys(Exception):
    """The request presents more than one distinct key."""


def keys_in(headers: Iterable[tuple[bytes, bytes]]) -> list[str]:
    """The distinct keys the raw ASGI `headers` present, in order: a Bearer
    `Authorization` (another scheme is not a key), `api-key`, `x-api-key`."""
    found: list[str] = []
    for name, value in headers:
        if name not in _KEY_HEADERS:
            continue
        text = value.decode("latin-1")
        if name == b"authorization":
            if text[:7].lower() != "bearer ":
                continue
            text = text[7:]
        text = text.strip()
        if text and text not in found:
            found.append(text)
    return found


def key_in_headers(headers: Iterable[tuple[bytes, bytes]]) -> str | None:
    """The one key the raw ASGI `headers` present (None: none); `ConflictingKeys` for several."""
    found = keys_in(headers)
    if len(found) > 1:
        raise ConflictingKeys
    return found[0] if found else None


def presented_key(request: Request) -> str | None:
    """The one key the request presents (None: none); `ConflictingKeys` for several."""
    return key_in_headers(request.scope.get("headers") or ())


def conflicting_keys_error(headers: dict[str, str] | None = None) -> APIError:
    """The 401 for a request that presents more than one key (every route says the same)."""
    return APIError(
        401,
        "More than one API key presented (Authorization, api-key, x-api-key): send one.",
        code="invalid_api_key",
        headers=headers,
    )


def require_principal(request: Request, *, admin: bool = False) -> Principal:
    """The request's principal, or an OpenAI-shaped 401 (403 when admin is needed)."""
    keys = request.app.state.keepgate.keys
    try:
        raw = presented_key(request)
    except ConflictingKeys:
        raise conflicting_keys_error() from None
    principal: Principal | None = keys.resolve(raw)
    if principal is None:
        msg = "Missing API key." if not raw else "Incorrect API key provided."
        raise APIError(401, msg, code="invalid_api_key")
    if admin and not principal.is_admin:
        raise APIError(403, "This route needs the admin (master) key.", code="admin_only")
    return principal
