"""`/v1/responses`: OpenAI's Responses API through the chat pipeline, and the stored answers.

`POST` translates the request (keepgate.adapters.responses), runs it through every guard and
answers with a `response` object or its typed event stream; a deployment that speaks
Responses natively gets the request passed through. Answers are kept in the gateway's store
(unless `store: false`) for `previous_response_id`, `GET`, `DELETE` and `input_items`.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from keepgate.echo import shown
from keepgate.adapters.base import Translated, invalid, new_id
from keepgate.adapters.responses import native
from keepgate.adapters.responses.output import ResponseBuilder
from keepgate.adapters.responses.request import check_refusals, to_chat
from keepgate.adapters.responses.store import (
    ResponseStore,
    Stored,
    StoreUnavailable,
    continuation,
    with_ids,
)
from keepgate.auth.principal import Principal
from keepgate.auth.request import require_principal
from keepgate.errors import APIError
from keepgate.jsontypes import Chunk
from keepgate.pipeline.call import Call
from keepgate.proxy import adapted
from keepgate.proxy.body import read_json
from keepgate.proxy.counts import check_counts
from keepgate.proxy.shapes import acheck
from keepgate.proxy.sse import SSEResponse
from keepgate.runtime import Runtime

log = logging.getLogger("keepgate.responses")

#: Request fields echoed on the `response` object.
ECHO = (
    "instructions",
    "max_output_tokens",
    "max_tool_calls",
    "metadata",
    "parallel_tool_calls",
    "previous_response_id",
    "reasoning",
    "service_tier",
    "store",
    "temperature",
    "text",
    "tool_choice",
    "tools",
    "top_p",
    "truncation",
    "user",
)


def _store(rt: Runtime) -> ResponseStore | None:
    return rt.response_store


def _unavailable() -> APIError:
    return APIError(
        503,
        "The response store is unreachable right now; retry shortly.",
        code="response_store_unavailable",
        type="service_unavailable",
    )


async def _previous(
    rt: Runtime, principal: Principal, body: dict[str, Any]
) -> list[dict[str, Any]] | None:
    """The conversation `previous_response_id` continues, then this request's input."""
    prev = body.get("previous_response_id")
    if prev is None:
        return None
    if not isinstance(prev, str) or not prev:
        raise invalid(
            "Invalid 'previous_response_id': expected a response id.", "previous_response_id"
        )
    store = _store(rt)
    if store is None:
        raise invalid(
            "'previous_response_id' is not supported: this gateway keeps no responses "
            "(general_settings.response_store.backend is off). Send the whole "
            "conversation in 'input'.",
            "previous_response_id",
            "unsupported_feature",
        )
    try:
        stored = await store.get(principal.key_id, prev)
    except StoreUnavailable:
        raise _unavailable() from None
    if stored is None:
        raise invalid(
            f"Previous response with id {shown(prev, 100, digits=True)} not found.",
            "previous_response_id",
            "previous_response_not_found",
        )
    inp = body.get("input")
    items = continuation(stored)
    if isinstance(inp, str):
        items.append({"type": "message", "role": "user", "content": inp})
    elif isinstance(inp, list):
        items.extend(inp)
    elif inp is not None:
        raise invalid("Invalid 'input': expected a string or an array of input items.", "input")
    limit = rt.config.general_settings.response_store.max_items
    if len(items) > limit:
        raise invalid(
            f"The conversation has {len(items)} items, over this gateway's limit of "
            f"{limit}; start a new one.",
            "previous_response_id",
        )
    return items


async def create(request: Request) -> Response | SSEResponse:
    rt: Runtime = request.app.state.keepgate
    principal = require_principal(request)
    body = await read_json(request, rt.config.general_settings.max_body_bytes)
    check_counts(body, rt.config.general_settings, "input")
    deployment = rt.deployment(principal, body.get("model"))
    check_refusals(body)
    items = await _previous(rt, principal, body)
    req: Translated = to_chat(body, items)
    # Fields passed through untranslated (vendor fields, `stream_options`) must have the
    # shapes the chat pipeline reads, as on /v1/chat/completions: a 400, never a 500.
    await acheck(req.chat)
    req.echo = {k: body[k] for k in ECHO if body.get(k) is not None}
    call = Call(
        principal=principal,
        route="responses",
        model=body["model"],
        body=req.chat,
        stream=req.stream,
    )
    call.deployment = deployment
    call.session = request.headers.get("x-keepgate-session")
    response_id = new_id("resp_")
    opener = None
    if deployment.litellm_params.native_api == "responses":
        req.pass_through()
        passed = dict(body) if items is None else {**body, "input": items}
        forward = rt.config.general_settings.forward_unknown_fields

        async def opener(c: Call) -> AsyncIterator[Chunk]:  # an adapted.Opener
            return await native.open_stream(
                rt.upstream, c, native.native_request(c, req, passed, forward)
            )

    store = _store(rt)
    on_result = None
    if store is not None and body.get("store", True) is not False:
        stored_input = with_ids(
            items
            if items is not None
            else (
                [{"type": "message", "role": "user", "content": body["input"]}]
                if isinstance(body.get("input"), str)
                else list(body.get("input") or ())
            )
        )

        async def on_result(result: dict[str, Any]) -> None:
            try:
                stored: Stored = {"response": result, "input": stored_input}
                await store.put(principal.key_id, response_id, stored)
            except StoreUnavailable as exc:
                log.warning(
                    "responses: could not store %s (%s); it cannot be continued",
                    response_id,
                    exc,
                    extra={"request_id": call.id},
                )

    builder = ResponseBuilder(response_id, call.model, req.echo, emit=call.stream)
    return await adapted.run(
        rt,
        call,
        builder,
        opener=opener,
        on_result=on_result,
        error_response=lambda err, headers: err.response(headers),
    )


async def _load(request: Request) -> tuple[Runtime, Principal, ResponseStore, str, Stored]:
    rt: Runtime = request.app.state.keepgate
    principal = require_principal(request)
    response_id = request.path_params["response_id"]
    store = _store(rt)
    stored = None
    if store is not None:
        try:
            stored = await store.get(principal.key_id, response_id)
        except StoreUnavailable:
            raise _unavailable() from None
    if store is None or stored is None:
        raise APIError(
            404,
            f"Response with id {shown(response_id, 100, digits=True)} not found.",
            code="response_not_found",
            param="response_id",
        )
    return rt, principal, store, response_id, stored


async def retrieve(request: Request) -> Response:
    *_, stored = await _load(request)
    return JSONResponse(stored["response"])


async def delete(request: Request) -> Response:
    _, principal, store, response_id, _ = await _load(request)
    try:
        await store.delete(principal.key_id, response_id)
    except StoreUnavailable:
        raise _unavailable() from None
    return JSONResponse({"id": response_id, "object": "response", "deleted": True})


async def input_items(request: Request) -> Response:
    *_, stored = await _load(request)
    items = list(stored.get("input") or ())
    q = request.query_params
    order = q.get("order", "desc")
    if order not in ("asc", "desc"):
        raise invalid("Invalid 'order': expected asc or desc.", "order")
    try:
        limit = int(q.get("limit", "20"))
    except ValueError:
        raise invalid("Invalid 'limit': expected an integer from 1 to 100.", "limit") from None
    if not 1 <= limit <= 100:
        raise invalid("Invalid 'limit': expected an integer from 1 to 100.", "limit")
    if order == "desc":
        items.reverse()
    after = q.get("after")
    if after:
        ids = [i.get("id") for i in items]
        items = items[ids.index(after) + 1 :] if after in ids else []
    page = items[:limit]
    return JSONResponse(
        {
            "object": "list",
            "data": page,
            "first_id": page[0].get("id") if page else None,
            "last_id": page[-1].get("id") if page else None,
            "has_more": len(items) > limit,
        }
    )
