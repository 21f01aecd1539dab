"""Read a JSON request body with a size cap, turning every failure into a 400/413.

A body the gateway could read but not write back (nested deeper than orjson writes, 255 to
1,024 levels; an integer beyond 64 bits) is refused here as a 400, instead of failing later
when the gateway forwards, stores or audits it.

Parsing stays on the event loop: orjson holds the interpreter lock while it parses, so a
worker thread would stall the loop just the same (about 5 ms for a 4 MB text body, up to
~110 ms for 4 MB of empty objects; the body limit bounds it). The slow parts of a big
request (token counting, input scans) run in `gateway.pipeline.offload`'s pool.
"""

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
    body = parse(bytes(buf))
    if not isinstance(body, dict):
        raise APIError(400, f"Request body must be a JSON object, not {type(body).__name__}.",
                       code="invalid_request_body")
    return body


def parse(raw: bytes) -> Any:
    """JSON the gateway can also write back, or a 400 saying what is wrong with it."""
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise APIError(400, f"Request body is not valid JSON: {exc.msg}.",
                       code="invalid_json") from None
    try:
        orjson.dumps(body)
    except orjson.JSONEncodeError as exc:
        what = ("is nested too deeply (at most 254 levels)" if "ecursion" in str(exc)
                else "holds an integer beyond 64 bits" if "nteger" in str(exc)
                else "holds a value this gateway cannot handle")
        raise APIError(400, f"Request body {what}.", code="invalid_json") from None
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
