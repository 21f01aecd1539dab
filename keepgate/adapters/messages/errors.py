"""Errors in Anthropic's shape: `{"type": "error", "error": {"type", "message"}}`.

The status stays the one the gateway chose (400 blocked input, 401 bad key, 403 denied,
429 limits, 502/504 upstream); the type is Anthropic's name for that status. A guard's
block keeps its `keepgate` record (guard, rule, decision) beside the message.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse

from keepgate.errors import APIError

TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    405: "invalid_request_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    502: "api_error",
    503: "overloaded_error",
    504: "api_error",
    529: "overloaded_error",
}


def error_type(status: int) -> str:
    return TYPES.get(status, "invalid_request_error" if 400 <= status < 500 else "api_error")


def error_body(err: APIError, request_id: str | None = None) -> dict[str, Any]:
    inner: dict[str, Any] = {"type": error_type(err.status), "message": err.message}
    if err.code:
        inner["code"] = err.code
    if err.param:
        inner["param"] = err.param
    inner.update(err.extra)
    body: dict[str, Any] = {"type": "error", "error": inner}
    if request_id:
        body["request_id"] = request_id
    return body


def error_response(err: APIError, headers: dict[str, str] | None = None) -> JSONResponse:
    merged = {**err.headers, **(headers or {})}
    return JSONResponse(
        error_body(err, merged.get("x-keepgate-request-id")), status_code=err.status, headers=merged
    )
