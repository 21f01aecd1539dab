"""Read a JSON request body with a size cap, turning every failure into a 400/413."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.requests import Request

from gateway.errors import APIError


async def read_json(request: Request, limit: int) -> dict[str, Any]:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise APIError(413, f"Request body is larger than the limit of {limit} bytes.",
                       code="request_too_large")
    buf = bytearray()
    async for part in request.stream():
        buf += part
        if len(buf) > limit:
            raise APIError(413, f"Request body is larger than the limit of {limit} bytes.",
                           code="request_too_large")
    if not buf:
        raise APIError(400, "Request body is empty; expected a JSON object.", code="invalid_json")
    try:
        body = orjson.loads(buf)
    except orjson.JSONDecodeError as exc:
        msg = exc.msg
        raise APIError(400, f"Request body is not valid JSON: {msg}.", code="invalid_json") from None
    if not isinstance(body, dict):
        raise APIError(400, f"Request body must be a JSON object, not {type(body).__name__}.",
                       code="invalid_request_body")
    return body


def require_field(body: dict[str, Any], name: str, kind: type | tuple[type, ...],
                  what: str) -> Any:
    value = body.get(name)
    if value is None:
        raise APIError(400, f"Missing required parameter: '{name}'.", code="missing_required_parameter",
                       param=name)
    if not isinstance(value, kind) or (isinstance(value, (str, list)) and not value):
        raise APIError(400, f"Invalid '{name}': expected {what}.", code="invalid_value", param=name)
    return value
