"""OpenAI-shaped errors: `{"error": {"message", "type", "code", "param"}}` with the right status."""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse

from keepgate.jsontypes import JsonObject

TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    405: "invalid_request_error",
    409: "conflict_error",
    413: "invalid_request_error",
    415: "invalid_request_error",
    422: "invalid_request_error",
    429: "rate_limit_error",
    500: "server_error",
    502: "upstream_error",
    503: "service_unavailable",
    504: "timeout_error",
}


def error_type(status: int) -> str:
    """The OpenAI-style `type` for a status; any other 4xx is the client's request."""
    return TYPES.get(status, "invalid_request_error" if 400 <= status < 500 else "server_error")


class APIError(Exception):
    def __init__(
        self,
        status: int,
        message: str,
        code: str | None = None,
        param: str | None = None,
        type: str | None = None,
        headers: dict[str, str] | None = None,
        extra: JsonObject | None = None,
    ):
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code
        self.param = param
        self.type = type or error_type(status)
        self.headers = headers or {}
        self.extra = extra or {}

    def body(self) -> JsonObject:
        err: dict[str, Any] = {
            "message": self.message,
            "type": self.type,
            "code": self.code,
            "param": self.param,
        }
        err.update(self.extra)
        return {"error": err}

    def response(self, headers: dict[str, str] | None = None) -> JSONResponse:
        return JSONResponse(
            self.body(), status_code=self.status, headers={**self.headers, **(headers or {})}
        )
