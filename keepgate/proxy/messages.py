"""`/v1/messages`: Anthropic's Messages API through the chat pipeline.

Auth by `x-api-key` or `Authorization: Bearer`; errors in Anthropic's shape. A deployment that
speaks Messages natively (`anthropic/...`, or `api: messages`) gets the request passed through;
every other one gets it translated to chat completions. `count_tokens` counts locally with the
model's tokenizer (litellm's, as the limits guard does).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from keepgate.adapters.messages import native
from keepgate.adapters.messages.errors import error_response
from keepgate.adapters.messages.output import MessageBuilder
from keepgate.adapters.messages.request import to_chat
from keepgate.auth.request import require_principal
from keepgate.errors import APIError
from keepgate.jsontypes import Chunk
from keepgate.limits import estimate
from keepgate.pipeline import offload
from keepgate.pipeline.call import Call
from keepgate.proxy import adapted
from keepgate.proxy.body import read_json
from keepgate.proxy.counts import check_counts
from keepgate.proxy.shapes import acheck
from keepgate.proxy.sse import SSEResponse
from keepgate.runtime import Runtime

CLIENT_HEADERS = ("anthropic-version", "anthropic-beta")
#: What a forwarded header's value may hold: visible ASCII, spaces and tabs (RFC 9110's
#: field-vchar without obs-text). Anthropic's values are ASCII tokens; a Latin-1 byte was
#: re-encoded as UTF-8 on the way out (red team round 6), so it is refused instead.
_FIELD_VALUE = re.compile(r"[\x20-\x7e\t]*")


def client_headers(request: Request) -> dict[str, str]:
    """The client headers the native upstream needs (`CLIENT_HEADERS`), each one value: a
    header sent on several lines is one comma-separated list (RFC 9110 section 5.3; the
    lines after the first were dropped). A value outside `_FIELD_VALUE` is a 400."""
    out: dict[str, str] = {}
    for name in CLIENT_HEADERS:
        values = request.headers.getlist(name)
        if not values:
            continue
        for v in values:
            if not _FIELD_VALUE.fullmatch(v):
                raise APIError(
                    400,
                    f"Header '{name}' must be printable ASCII.",
                    code="invalid_header",
                    param=name,
                )
        out[name] = ", ".join(values)
    return out


async def create(request: Request) -> Response | SSEResponse:
    rt: Runtime = request.app.state.keepgate
    principal = require_principal(request)
    body = await read_json(request, rt.config.general_settings.max_body_bytes)
    check_counts(body, rt.config.general_settings)
    deployment = rt.deployment(principal, body.get("model"))
    is_native = deployment.litellm_params.native_api == "messages"
    req = to_chat(body, native=is_native)
    # Fields passed through untranslated (vendor fields, `stream_options`) must have the
    # shapes the chat pipeline reads, as on /v1/chat/completions: a 400, never a 500.
    await acheck(req.chat)
    req.headers = client_headers(request)
    call = Call(
        principal=principal, route="messages", model=body["model"], body=req.chat, stream=req.stream
    )
    call.deployment = deployment
    call.documents = req.documents  # inlined as plain text: not the user's own text
    call.session = request.headers.get("x-keepgate-session")
    opener = None
    if is_native:
        req.pass_through()
        forward = rt.config.general_settings.forward_unknown_fields

        async def opener(c: Call) -> AsyncIterator[Chunk]:  # an adapted.Opener
            return await native.open_stream(
                rt.upstream, c, native.native_request(c, req, body, forward), req.headers, req.notes
            )

    builder = MessageBuilder(call.model, req.notes, emit=call.stream)
    return await adapted.run(rt, call, builder, opener=opener, error_response=error_response)


async def count_tokens(request: Request) -> Response:
    rt: Runtime = request.app.state.keepgate
    principal = require_principal(request)
    body = await read_json(request, rt.config.general_settings.max_body_bytes)
    check_counts(body, rt.config.general_settings)
    deployment = rt.deployment(principal, body.get("model"))
    req = to_chat(
        {**body, "max_tokens": 1}, native=deployment.litellm_params.native_api == "messages"
    )
    # Counting a big prompt takes long (~0.3 s per MB): off the event loop, as the limits do.
    heavy = offload.size_hint(req.chat.get("messages"), offload.HEAVY_CHARS) >= offload.HEAVY_CHARS
    tokens = await offload.run(
        estimate.prompt_tokens,
        estimate.tokenizer_model(deployment),
        estimate.prompt_part(req.chat) if heavy else req.chat,
        heavy=heavy,
        process=True,
    )
    return JSONResponse({"input_tokens": tokens})
