"""Read a JSON request body with a size cap and a deadline, turning every failure into a
400/408/413.

A body nested deeper than `MAX_DEPTH` (orjson reads 1,024 levels but writes only 254, so
a deeper body could be read and then fail when written back) is refused here as a 400, instead of failing later
when the gateway forwards, stores or audits it.

Parsing stays on the event loop: orjson holds the interpreter lock while it parses, so a
worker thread would stall the loop just the same. It costs ~6 ms for a 4 MB text body, but
one Python object per JSON value: 4 MB of empty objects (1.4 million) took ~120 ms. So a
body may hold at most `MAX_CONTAINERS` objects and arrays (~9 ms to parse). Bracket
characters are counted first (C speed); only a body with more of them than that (they may
sit inside strings) is parsed and counted in the offload process pool, and refused there
with a 400 when it really has too many. The slow parts of a big request (token counting,
input scans) run in that pool too (`keepgate.pipeline.offload`).
"""

from __future__ import annotations

import asyncio
from concurrent.futures.process import BrokenProcessPool
from typing import Any

import orjson
from starlette.requests import Request

from keepgate.echo import shown
from keepgate.errors import APIError
from keepgate.jsontypes import JsonObject
from keepgate.pipeline import procpool, procwork

#: Levels of nesting a body may have. orjson reads 1,024 but writes only 254, and the
#: gateway writes a body inside its own records (stored responses, upstream envelopes), so
#: the limit leaves room; no real request nests anywhere near this deep.
MAX_DEPTH = 128
#: orjson's deepest writable value.
_WRITABLE = 254
#: JSON objects and arrays a body may hold (no real request comes near; parsing them costs
#: ~9 ms on the event loop).
MAX_CONTAINERS = 100_000
#: Seconds to receive a body when the app does not say (`general_settings.body_timeout_s`).
DEFAULT_BODY_TIMEOUT_S = 60.0


async def read_json(request: Request, limit: int, optional: bool = False) -> JsonObject:
    """The request's JSON object, read under the size cap and `body_timeout_s`, however it
    is framed (content-length or chunked). `optional`: an empty body is `{}`."""
    encoding = request.headers.get("content-encoding", "").strip().lower()
    if encoding not in ("", "identity"):
        # Not decompressed: a compressed body could expand far past the size cap.
        raise APIError(
            415,
            f"Request bodies with Content-Encoding {shown(encoding)} are not supported; "
            "send the JSON uncompressed.",
            code="unsupported_content_encoding",
        )
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise APIError(
            413,
            f"Request body is larger than the limit of {limit} bytes.",
            code="request_too_large",
        )
    buf = bytearray()
    timeout = _body_timeout(request)
    try:
        async with asyncio.timeout(timeout):
            async for part in request.stream():
                buf += part
                if len(buf) > limit:
                    raise APIError(
                        413,
                        f"Request body is larger than the limit of {limit} bytes.",
                        code="request_too_large",
                    )
    except TimeoutError:
        raise APIError(
            408,
            f"The request body did not arrive within {timeout:g} s "
            "(general_settings.body_timeout_s).",
            code="request_timeout",
        ) from None
    if not buf and optional:
        return {}
    if not buf:
        raise APIError(400, "Request body is empty; expected a JSON object.", code="invalid_json")
    raw = bytes(buf)
    if raw.count(b"{") + raw.count(b"[") > MAX_CONTAINERS:
        await _check_containers(raw)
    body = parse(raw)
    if not isinstance(body, dict):
        raise APIError(
            400,
            f"Request body must be a JSON object, not {type(body).__name__}.",
            code="invalid_request_body",
        )
    return body


def _body_timeout(request: Request) -> float:
    """`general_settings.body_timeout_s` of the app serving `request` (the default when the
    app has no Keepgate runtime)."""
    rt = getattr(request.app.state, "keepgate", None)
    settings = getattr(getattr(rt, "config", None), "general_settings", None)
    return float(getattr(settings, "body_timeout_s", DEFAULT_BODY_TIMEOUT_S))


async def _check_containers(raw: bytes) -> None:
    """Refuse a body with more than `MAX_CONTAINERS` objects and arrays, counted in the
    offload process pool (without one, the body is parsed on the loop as before)."""
    pool = procpool.current()
    if pool is None:
        return
    try:
        count, error = await pool.run(procwork.json_containers, raw)
    except BrokenProcessPool:
        return  # its process died (a body too big for its memory?): parse here
    if error is not None:
        raise APIError(400, f"Request body is not valid JSON: {error}.", code="invalid_json")
    if count > MAX_CONTAINERS:
        raise APIError(
            400,
            f"Request body holds {count} JSON objects and arrays; at most "
            f"{MAX_CONTAINERS} are accepted.",
            code="invalid_request_body",
        )


def parse(raw: bytes) -> Any:
    """JSON the gateway can also write back, or a 400 saying what is wrong with it."""
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise APIError(
            400, f"Request body is not valid JSON: {exc.msg}.", code="invalid_json"
        ) from None
    # Fewer brackets than the limit cannot nest past it: most bodies skip the check. Else
    # orjson measures the depth: the body, wrapped so that only a body deeper than the
    # limit passes orjson's own limit, must still be writable.
    if raw.count(b"[") + raw.count(b"{") > MAX_DEPTH:
        probe: Any = body
        for _ in range(_WRITABLE - MAX_DEPTH):
            probe = [probe]
        try:
            orjson.dumps(probe)
        except orjson.JSONEncodeError:
            raise APIError(
                400,
                f"Request body is nested too deeply (at most {MAX_DEPTH} levels).",
                code="invalid_json",
            ) from None
    return body


def require_field(body: dict[str, Any], name: str, kind: type | tuple[type, ...], what: str) -> Any:
    value = body.get(name)
    if value is None:
        raise APIError(
            400,
            f"Missing required parameter: '{name}'.",
            code="missing_required_parameter",
            param=name,
        )
    if not isinstance(value, kind) or (isinstance(value, (str, list)) and not value):
        raise APIError(400, f"Invalid '{name}': expected {what}.", code="invalid_value", param=name)
    return value
